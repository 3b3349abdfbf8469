//! The core's share of one frame of play in the playground, natively: the frame-time workload
//! of `tests/e2e/frames.mjs` (100 nodes, about 3,000 pods, a Job churning 100 pods), advanced
//! one simulated second at a time (one frame at 60x) with a snapshot after each, as the page
//! does. `cargo run --release -p kubarium --example frame_work [FRAMES] [PODS_BUDGET]`: with a
//! budget, each snapshot looks at no more than that many pods of changed nodes, as the page
//! does while playing, and the cards it leaves behind are counted.

use std::time::Instant;

use kubarium::session::Session;
use kubarium::time::SECOND_MS;

const SCENARIO: &str = "nodes:\n  - {count: 100, prefix: node}\nmanifests: |\n  apiVersion: apps/v1\n  kind: ReplicaSet\n  metadata: {name: steady}\n  spec:\n    replicas: 2900\n    selector: {matchLabels: {app: steady}}\n    template:\n      metadata: {labels: {app: steady}}\n      spec:\n        containers: [{name: c, image: nginx, resources: {requests: {cpu: 10m, memory: 16Mi}}}]\n  ---\n  apiVersion: batch/v1\n  kind: Job\n  metadata: {name: churn}\n  spec:\n    completions: 100000\n    parallelism: 100\n    template:\n      spec:\n        restartPolicy: Never\n        containers: [{name: c, image: busybox, command: [\"sleep\", \"10\"]}]\n";

fn main() {
    let frames: u64 = std::env::args().nth(1).and_then(|arg| arg.parse().ok()).unwrap_or(480);
    let budget: usize = std::env::args()
        .nth(2)
        .and_then(|arg| arg.parse().ok())
        .unwrap_or(usize::MAX);
    // Per node, how many frames in a row its card has shown older pods.
    let mut behind_for: std::collections::BTreeMap<String, u64> = Default::default();
    let (mut frames_behind, mut most_behind, mut longest_behind) = (0, 0, 0);
    let mut session = Session::load(SCENARIO, 3).expect("loads");
    session.advance_to(10 * SECOND_MS).expect("settles");
    let mut cache = kubarium::PodViewCache::default();
    let _ = session.simulation.snapshot_reusing(&mut cache);
    let (mut advancing, mut snapshotting) = (0.0, 0.0);
    for frame in 1..=frames {
        let started = Instant::now();
        session.advance_to((10 + frame) * SECOND_MS).expect("plays");
        let advanced = Instant::now();
        let snapshot = session.simulation.snapshot_within(&mut cache, budget);
        snapshotting += advanced.elapsed().as_secs_f64();
        advancing += (advanced - started).as_secs_f64();
        if cache.stale_nodes() > 0 {
            frames_behind += 1;
            most_behind = most_behind.max(cache.stale_nodes());
            let exact = session.simulation.snapshot();
            for (shown, now) in snapshot.nodes.iter().zip(&exact.nodes) {
                let count = behind_for.entry(shown.name.clone()).or_default();
                *count = if shown.pods == now.pods { 0 } else { *count + 1 };
                longest_behind = longest_behind.max(*count);
            }
        } else {
            behind_for.clear();
        }
        std::hint::black_box(snapshot);
    }
    let pods = session.simulation.pods().count();
    println!(
        "{frames} frames: advance {:.3} ms/frame, snapshot {:.3} ms/frame; {pods} pods at the end",
        advancing * 1e3 / frames as f64,
        snapshotting * 1e3 / frames as f64
    );
    if budget != usize::MAX {
        println!(
            "budget {budget} pods: {frames_behind} frames left cards behind, at most {most_behind} cards at once, \
             a card at most {longest_behind} frames in a row"
        );
    }
}
