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
