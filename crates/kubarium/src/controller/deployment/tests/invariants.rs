//! The RollingUpdate invariant of issue 7, checked after every step over 100 seeds: never more
//! than `replicas + maxSurge` pods that are neither being deleted nor finished, and, once the
//! first rollout is complete, never fewer than `replicas - maxUnavailable` available pods, while
//! new templates, restarts and rollbacks arrive at random times.
//!
//! Without `minReadySeconds` the changes arrive during earlier rollouts too (rollovers). With it,
//! each change waits for the previous rollout to complete: Kubernetes itself does not keep the
//! lower bound when a rollover meets pods that are ready but not yet available. The old
//! ReplicaSet is scaled down by its unavailable count (`cleanupUnhealthyReplicas`), but the
//! ReplicaSet controller ranks pods by readiness, then by co-location, then by ready time
//! (`ActivePodsWithRanks`, availability is a TODO there, kubernetes#22065), so it may delete an
//! available pod on a crowded node instead of a not-yet-available one; seed 79 of this test
//! did exactly that (4 available of 6 with maxUnavailable 1) before this rule.

use crate::actions::parse_action;
use crate::controller::deployment::resolve_fenceposts;
use crate::controller::replicaset::{is_available, is_pod_active, min_ready_ms, ready_since};
use crate::sim::{ClusterConfig, Simulation};
use crate::time::{Millis, SECOND_MS};

/// A small deterministic generator for the test's own choices (xorshift).
struct Choices(u64);

impl Choices {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }

    fn pick<'a>(&mut self, options: &[&'a str]) -> &'a str {
        options[self.below(options.len() as u64) as usize]
    }
}

fn manifest(replicas: i64, surge: &str, unavailable: &str, min_ready: i64) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: {replicas}\n  minReadySeconds: {min_ready}\n  strategy:\n    rollingUpdate: {{maxSurge: {surge}, maxUnavailable: {unavailable}}}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers: [{{name: web, image: 'nginx:0'}}]\n"
    )
}

/// Whether the Deployment's rollout is complete (`DeploymentComplete` on its status).
fn rollout_complete(simulation: &Simulation) -> bool {
    let deployment = simulation.deployment("default", "web").expect("exists");
    crate::controller::deployment::deployment_complete(deployment, &deployment.status)
}

/// Pods neither being deleted nor finished, and those of them available now.
fn counts(simulation: &Simulation, min_ready: Millis) -> (i32, i32) {
    let now = simulation.now();
    let active: Vec<_> = simulation.pods().filter(|pod| is_pod_active(pod)).collect();
    let available = active
        .iter()
        .filter(|pod| is_available(ready_since(pod), min_ready, now))
        .count();
    (active.len() as i32, available as i32)
}

#[test]
fn rolling_updates_stay_within_max_surge_and_max_unavailable() {
    let mut rollouts = 0;
    for seed in 0..100u64 {
        let mut choices = Choices(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let replicas = 1 + choices.below(6) as i64;
        let values = ["0", "1", "2", "25%", "50%", "100%"];
        let (surge, unavailable) = loop {
            let pair = (choices.pick(&values), choices.pick(&values));
            // Validation refuses both written as zero.
            if pair != ("0", "0") {
                break pair;
            }
        };
        let min_ready_seconds = [0, 3, 10][choices.below(3) as usize];
        let text = manifest(replicas, surge, unavailable, min_ready_seconds);
        let mut simulation = Simulation::new(&ClusterConfig {
            seed,
            ..ClusterConfig::with_nodes("node", 3)
        });
        simulation.apply(&text).expect("valid");
        let deployment = simulation.deployment("default", "web").expect("exists").clone();
        let (max_surge, max_unavailable) = resolve_fenceposts(&deployment, replicas as i32);
        let max_unavailable = max_unavailable.min(replicas as i32);
        let min_ready = min_ready_ms(min_ready_seconds as i32);

        let mut actions: Vec<(Millis, String)> = (1..=4)
            .map(|version| {
                let at = (10 + choices.below(200)) * SECOND_MS;
                let line = match choices.below(4) {
                    0 => "rollout restart deployment/web".to_string(),
                    1 => "rollout undo deployment/web".to_string(),
                    _ => format!("set image deployment/web web=nginx:{version}"),
                };
                (at, line)
            })
            .collect();
        actions.sort();
        let mut next_action = 0;
        let mut steady = false;
        let mut steps = 0;
        let context = format!("seed {seed}: {replicas} replicas, maxSurge {surge}, maxUnavailable {unavailable}, minReadySeconds {min_ready_seconds}");
        loop {
            let event = simulation.next_event_time().filter(|due| *due <= 400 * SECOND_MS);
            let action = actions.get(next_action);
            if event.is_none() && action.is_none() {
                break;
            }
            // With `minReadySeconds`, a change waits for the rollout before it to complete (see
            // the module comment).
            let ready_for_action = min_ready_seconds == 0 || event.is_none() || rollout_complete(&simulation);
            if let Some((at, line)) = action.filter(|(at, _)| event.is_none_or(|due| *at <= due) && ready_for_action) {
                simulation.run_until(*at).expect("runs");
                // Undo without history is refused, as kubectl refuses it.
                let _ = simulation.perform(&parse_action(line, None).expect("parses"));
                next_action += 1;
                continue;
            }
            simulation.step();
            steps += 1;
            assert!(steps < 200_000, "{context}: runaway");
            let (active, available) = counts(&simulation, min_ready);
            assert!(
                active <= replicas as i32 + max_surge,
                "{context}: {active} pods at {}ms, more than {replicas} + {max_surge}",
                simulation.now()
            );
            let status = &simulation.deployment("default", "web").expect("exists").status;
            steady |= status.available_replicas == replicas as i32 && status.updated_replicas == replicas as i32;
            assert!(
                !steady || available >= replicas as i32 - max_unavailable,
                "{context}: {available} available at {}ms, fewer than {replicas} - {max_unavailable}",
                simulation.now()
            );
        }
        rollouts += simulation.replica_sets().count();
    }
    assert!(
        rollouts > 250,
        "only {rollouts} ReplicaSets over all seeds: little was rolled"
    );
}
