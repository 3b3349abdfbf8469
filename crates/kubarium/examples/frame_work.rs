//! The core's share of one frame of play in the playground, natively: the frame-time workload
//! of `tests/e2e/frames.mjs` (100 nodes, about 3,000 pods, a Job churning 100 pods), advanced
//! one simulated second at a time (one frame at 60x) with a snapshot after each, as the page
//! does. `cargo run --release -p kubarium --example frame_work`.

use std::time::Instant;

use kubarium::session::Session;
use kubarium::time::SECOND_MS;

const SCENARIO: &str = "nodes:\n  - {count: 100, prefix: node}\nmanifests: |\n  apiVersion: apps/v1\n  kind: ReplicaSet\n  metadata: {name: steady}\n  spec:\n    replicas: 2900\n    selector: {matchLabels: {app: steady}}\n    template:\n      metadata: {labels: {app: steady}}\n      spec:\n        containers: [{name: c, image: nginx, resources: {requests: {cpu: 10m, memory: 16Mi}}}]\n  ---\n  apiVersion: batch/v1\n  kind: Job\n  metadata: {name: churn}\n  spec:\n    completions: 100000\n    parallelism: 100\n    template:\n      spec:\n        restartPolicy: Never\n        containers: [{name: c, image: busybox, command: [\"sleep\", \"10\"]}]\n";

fn main() {
    let frames: u64 = std::env::args().nth(1).and_then(|arg| arg.parse().ok()).unwrap_or(480);
    let mut session = Session::load(SCENARIO, 3).expect("loads");
    session.advance_to(10 * SECOND_MS).expect("settles");
    let mut cache = kubarium::PodViewCache::default();
    let _ = session.simulation.snapshot_reusing(&mut cache);
    let (mut advancing, mut snapshotting) = (0.0, 0.0);
    for frame in 1..=frames {
        let started = Instant::now();
        session.advance_to((10 + frame) * SECOND_MS).expect("plays");
        let advanced = Instant::now();
        let snapshot = session.simulation.snapshot_reusing(&mut cache);
        snapshotting += advanced.elapsed().as_secs_f64();
        advancing += (advanced - started).as_secs_f64();
        std::hint::black_box(snapshot);
    }
    let pods = session.simulation.pods().count();
    println!(
        "{frames} frames: advance {:.3} ms/frame, snapshot {:.3} ms/frame; {pods} pods at the end",
        advancing * 1e3 / frames as f64,
        snapshotting * 1e3 / frames as f64
    );
}
