//! Golden event logs: the canonical log of a fixed run, committed so that behaviour changes show
//! up in review and so the wasm build can be checked against the native one byte for byte.
//!
//! After an intended change, regenerate with `UPDATE_GOLDEN=1 cargo test -p kubarium --test golden`.

use kubarium::time::SECOND_MS;
use kubarium::{ClusterConfig, Simulation, EXAMPLE_MYWEB_DS};

fn event_log(simulation: &Simulation) -> String {
    simulation
        .events()
        .iter()
        .map(|event| event.to_log_line() + "\n")
        .collect()
}

/// Compares with the committed log, or writes it when `UPDATE_GOLDEN` is set.
fn check_golden(name: &str, actual: &str) {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("writes the golden file");
    }
    let expected = std::fs::read_to_string(&path).expect("golden file exists (UPDATE_GOLDEN=1 creates it)");
    assert_eq!(
        actual, expected,
        "event log of {name} changed; if intended, regenerate with UPDATE_GOLDEN=1"
    );
}

/// A run that exercises most of the engine: a DaemonSet, a crash-looping pod, an unschedulable
/// pod that a label lets in, a pod for a missing scheduler, a node failure and recovery, and a
/// deletion. `crates/kubarium-wasm/tests/web.rs` plays the same steps through the JS API.
#[test]
fn mixed_run_on_four_nodes() {
    let mut simulation = Simulation::new(&ClusterConfig {
        seed: 7,
        ..ClusterConfig::with_nodes("node", 4)
    });
    simulation.apply(kubarium::bench::MIXED_MANIFESTS).expect("valid");
    simulation.run_until(30 * SECOND_MS).unwrap();
    simulation.label_node("node-2", "gpu", Some("true")).unwrap();
    simulation.run_until(60 * SECOND_MS).unwrap();
    simulation.fail_node("node-3").unwrap();
    simulation.run_until(400 * SECOND_MS).unwrap();
    simulation.recover_node("node-3").unwrap();
    simulation
        .delete_pod("default", "annotation-default-scheduler")
        .unwrap();
    simulation.run_until(500 * SECOND_MS).unwrap();
    check_golden("mixed-4-nodes-seed-7.events", &event_log(&simulation));
}

#[test]
fn myweb_ds_on_three_nodes() {
    let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", 3));
    simulation.apply(EXAMPLE_MYWEB_DS).expect("example applies");
    simulation.run_until(60 * SECOND_MS).expect("within the step limit");
    let actual = event_log(&simulation);
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/myweb-ds-3-nodes-seed-1.events"
    );
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &actual).expect("writes the golden file");
    }
    let expected = std::fs::read_to_string(path).expect("golden file exists (UPDATE_GOLDEN=1 creates it)");
    assert_eq!(
        actual, expected,
        "event log changed; if intended, regenerate with UPDATE_GOLDEN=1"
    );
}

/// Where the scheduler puts the bench's bare pods (`kubarium::bench`), at a small scale: 400
/// pods on 150 nodes, so each search covers 100 nodes from the round-robin start and most pods
/// find many nodes tied for the best score. The placements pin the scheduler's decisions,
/// tie-breaking draws included, across changes to how it computes them.
#[test]
fn bare_pod_placements_on_150_nodes() {
    let played = kubarium::bench::play_bare_pods_on_nodes(150, 400);
    let placements: String = played
        .simulation
        .events()
        .iter()
        .filter(|event| event.reason == "Scheduled")
        .map(|event| format!("{}\n", event.message()))
        .collect();
    assert_eq!(placements.lines().count(), 400);
    check_golden("bare-400-pods-150-nodes.placements", &placements);
}
