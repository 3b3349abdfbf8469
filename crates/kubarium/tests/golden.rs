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
