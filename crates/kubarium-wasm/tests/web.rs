//! The JavaScript API in headless Chromium: `cargo test --target wasm32-unknown-unknown` with
//! wasm-bindgen-test-runner, or `wasm-pack test --headless --chrome`.

#![cfg(target_arch = "wasm32")]

use kubarium_wasm::{example_manifest, Simulation};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The event log of the native run of the mixed run (see `crates/kubarium/tests/golden.rs`).
const NATIVE_MIXED_LOG: &str = include_str!("../../kubarium/tests/golden/mixed-4-nodes-seed-7.events");

/// The event log of the native run of the same scenario (see `crates/kubarium/tests/golden.rs`).
const NATIVE_EVENT_LOG: &str = include_str!("../../kubarium/tests/golden/myweb-ds-3-nodes-seed-1.events");

fn get(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(key)).expect("property exists")
}

#[wasm_bindgen_test]
fn daemon_set_places_one_running_pod_per_node() {
    let mut simulation = Simulation::new(3, 1);
    let applied = simulation.apply(&example_manifest()).expect("applies");
    assert_eq!(get(&applied, "objects").as_f64(), Some(1.0));
    assert_eq!(js_sys::Array::from(&get(&applied, "notices")).length(), 0);
    simulation.run_until(30_000.0).expect("runs");
    let snapshot = simulation.snapshot().expect("snapshot");
    let nodes = js_sys::Array::from(&get(&snapshot, "nodes"));
    assert_eq!(nodes.length(), 3);
    for node in nodes.iter() {
        let pods = js_sys::Array::from(&get(&node, "pods"));
        assert_eq!(pods.length(), 1, "one pod on {:?}", get(&node, "name"));
        let pod = pods.get(0);
        assert_eq!(get(&pod, "owner").as_string().as_deref(), Some("daemonset/myweb-ds"));
        assert_eq!(get(&pod, "phase").as_string().as_deref(), Some("Running"));
    }
    assert_eq!(simulation.now_ms(), 30_000.0);
}

#[wasm_bindgen_test]
fn event_log_equals_the_native_run() {
    let mut simulation = Simulation::new(3, 1);
    simulation.apply(&example_manifest()).expect("applies");
    simulation.run_until(60_000.0).expect("runs");
    assert_eq!(simulation.event_log(), NATIVE_EVENT_LOG);
}

#[wasm_bindgen_test]
fn invalid_yaml_throws_an_error_with_a_position() {
    let mut simulation = Simulation::new(3, 1);
    let error = simulation
        .apply("apiVersion: apps/v1\nkind: [DaemonSet\n")
        .expect_err("invalid YAML is rejected");
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(get(&error, "name").as_string().as_deref(), Some("ManifestError"));
    assert!(get(&error, "line").as_f64().is_some());
    assert!(get(&error, "column").as_f64().is_some());
    assert_eq!(js_sys::Array::from(&get(&error, "problems")).length(), 1);
    let snapshot = simulation.snapshot().expect("snapshot");
    assert_eq!(js_sys::Array::from(&get(&snapshot, "unscheduled")).length(), 0);
}

#[wasm_bindgen_test]
fn negative_time_is_an_error_not_a_panic() {
    let mut simulation = Simulation::new(1, 1);
    assert!(simulation.run_until(-5.0).is_err());
    assert!(simulation.run_until(f64::NAN).is_err());
}

#[wasm_bindgen_test]
fn every_unknown_field_is_reported_with_path_position_and_hint() {
    let mut simulation = Simulation::new(3, 1);
    let error = simulation
        .apply("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x}\nspec:\n  slector: {}\n  template:\n    spec:\n      containers:\n      - name: c\n        imagee: nginx\n")
        .expect_err("typos are rejected");
    let problems = js_sys::Array::from(&get(&error, "problems"));
    assert_eq!(problems.length(), 2);
    let first = problems.get(0);
    assert_eq!(get(&first, "path").as_string().as_deref(), Some("spec.slector"));
    assert_eq!(get(&first, "line").as_f64(), Some(5.0));
    assert_eq!(get(&first, "column").as_f64(), Some(3.0));
    assert_eq!(get(&first, "hint").as_string().as_deref(), Some("selector"));
    assert_eq!(
        get(&first, "message").as_string().as_deref(),
        Some("unknown field \"spec.slector\"")
    );
    let second = problems.get(1);
    assert_eq!(
        get(&second, "path").as_string().as_deref(),
        Some("spec.template.spec.containers[0].imagee")
    );
}

#[wasm_bindgen_test]
fn mixed_run_equals_the_native_run_byte_for_byte() {
    let mut simulation = Simulation::new(4, 7);
    simulation.apply(kubarium::bench::MIXED_MANIFESTS).expect("applies");
    simulation.run_until(30_000.0).expect("runs");
    simulation
        .label_node("node-2", "gpu", Some("true".to_string()))
        .expect("labels");
    simulation.run_until(60_000.0).expect("runs");
    simulation.fail_node("node-3").expect("fails");
    simulation.run_until(400_000.0).expect("runs");
    simulation.recover_node("node-3").expect("recovers");
    simulation
        .delete_pod("default", "annotation-default-scheduler")
        .expect("deletes");
    simulation.run_until(500_000.0).expect("runs");
    assert_eq!(simulation.event_log(), NATIVE_MIXED_LOG);
}

const SCENARIO: &str = "description: one node fails\nnodes:\n  - {count: 2, prefix: worker}\nmanifests: |\n  apiVersion: v1\n  kind: Pod\n  metadata: {name: web}\n  spec:\n    nodeName: worker-2\n    containers: [{name: web, image: nginx}]\nactions:\n  - {at: 20s, do: \"cordon worker-1\"}\n";

fn table_rows(simulation: &Simulation, kind: &str) -> Vec<Vec<String>> {
    let table = simulation.get(kind).expect("a known kind");
    js_sys::Array::from(&get(&table, "rows"))
        .iter()
        .map(|row| {
            js_sys::Array::from(&row)
                .iter()
                .map(|cell| cell.as_string().expect("text"))
                .collect()
        })
        .collect()
}

/// A scenario loads with its nodes, and `runUntil` performs its actions at their times;
/// commands run from JavaScript are kubectl's, refusals included.
#[wasm_bindgen_test]
fn a_scenario_plays_its_actions_and_takes_commands() {
    let mut simulation = Simulation::load(SCENARIO, None).expect("loads");
    simulation.run_until(10_000.0).expect("runs");
    let nodes = table_rows(&simulation, "nodes");
    assert_eq!(
        nodes.iter().map(|row| row[0].as_str()).collect::<Vec<_>>(),
        ["worker-1", "worker-2"]
    );
    assert_eq!(nodes[0][1], "Ready");
    simulation.run_until(25_000.0).expect("runs");
    assert_eq!(table_rows(&simulation, "nodes")[0][1], "Ready,SchedulingDisabled");
    simulation.run("label node worker-2 disk=ssd").expect("labels");
    let refused = simulation.run("cordon nowhere").expect_err("no such node");
    let refused: JsValue = refused.into();
    assert_eq!(
        get(&refused, "message").as_string().as_deref(),
        Some("nodes \"nowhere\" not found")
    );
    let pods = table_rows(&simulation, "pods");
    assert_eq!((pods[0][0].as_str(), pods[0][2].as_str()), ("web", "Running"));
    assert!(simulation.get("frobnicators").is_err());
}

/// A share link made in wasm opens the same run (same event log) at the same time.
#[wasm_bindgen_test]
fn a_share_link_reopens_the_same_run() {
    let mut simulation = Simulation::load(SCENARIO, None).expect("loads");
    simulation.run_until(12_000.0).expect("runs");
    simulation.run("add node worker-3").expect("adds");
    simulation.run_until(31_500.0).expect("runs");
    let fragment = simulation.share_fragment().expect("shareable");
    assert!(fragment.starts_with("s="));
    let reopened = Simulation::from_link(&format!("https://example.org/play/#{fragment}")).expect("opens");
    assert_eq!(reopened.now_ms(), 31_500.0);
    assert_eq!(reopened.event_log(), simulation.event_log());
    assert!(simulation.scenario_text().expect("text").contains("add node worker-3"));
    let damaged: JsValue = Simulation::from_link("#s=AAAA").expect_err("damaged").into();
    assert!(get(&damaged, "message")
        .as_string()
        .expect("a message")
        .contains("damaged"));
}

/// Loading invalid manifests throws the structured `ManifestError`, positions in the text.
#[wasm_bindgen_test]
fn loading_invalid_manifests_throws_positions() {
    let text = SCENARIO.replace("nodeName: worker-2", "nodeNme: worker-2");
    let error = Simulation::load(&text, None).expect_err("rejected");
    assert_eq!(get(&error, "name").as_string().as_deref(), Some("ManifestError"));
    assert_eq!(get(&error, "line").as_f64(), Some(9.0));
    let problems = js_sys::Array::from(&get(&error, "problems"));
    assert_eq!(
        get(&problems.get(0), "path").as_string().as_deref(),
        Some("spec.nodeNme")
    );
    let scenario_error = Simulation::load("nodes: 3\n", None).expect_err("a bad scenario field");
    assert!(scenario_error.is_instance_of::<js_sys::Error>());
}

/// `rewindTo` shows an earlier moment exactly (the same event log as then), and playing on
/// reaches the same end again.
#[wasm_bindgen_test]
fn rewind_replays_the_same_run() {
    let mut simulation = Simulation::load(SCENARIO, None).expect("loads");
    simulation.run_until(12_000.0).expect("runs");
    simulation.run("add node worker-3").expect("adds");
    let at_12s = simulation.event_log_hash();
    simulation.run_until(45_000.0).expect("runs");
    let at_45s = simulation.event_log_hash();
    simulation.rewind_to(12_000.0).expect("rewinds");
    assert_eq!(simulation.now_ms(), 12_000.0);
    assert_eq!(simulation.recorded_until_ms(), 45_000.0);
    assert_eq!(simulation.event_log_hash(), at_12s);
    simulation.rewind_to(90_000.0).expect("plays on");
    assert_eq!(simulation.now_ms(), 45_000.0);
    assert_eq!(simulation.event_log_hash(), at_45s);
    assert!(simulation.rewind_to(-1.0).is_err());
}
