//! Benchmark workloads, shared by the native bench (`benches/engine.rs`) and the wasm facade so
//! both measure the same work. Each returns what it did; the caller measures the time. The
//! `play_*` forms return the played simulation too, so that the native bench can time the
//! play without the simulation's teardown (which it times separately).

use crate::api::{Container, ObjectMeta, Pod, PodPhase};
use crate::quantity::Quantity;
use crate::sim::{ClusterConfig, Simulation};
use crate::time::{Millis, SECOND_MS};

/// The manifests of the mixed determinism run (`tests/golden.rs` and the wasm tests).
pub const MIXED_MANIFESTS: &str = concat!(
    include_str!("../seeds/myweb-ds.yaml"),
    "\n---\n",
    include_str!("../seeds/http-go-gpu.yaml"),
    "\n---\n",
    include_str!("../seeds/multi-scheduler.yaml"),
    "\n---\n",
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: crasher\n  annotations: {kubarium.io/duration: 3s, kubarium.io/exit-code: \"2\"}\nspec:\n  containers: [{name: app, image: busybox}]\n",
);

/// What a benchmark run did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BenchOutcome {
    pub nodes: usize,
    pub pods: usize,
    pub running_pods: usize,
    pub steps: usize,
    /// Events recorded, including those that expired from the log.
    pub events: usize,
    pub simulated_ms: Millis,
}

/// A workload played: the simulation at its end and the steps it took.
#[derive(Debug)]
pub struct Played {
    pub simulation: Simulation,
    pub steps: usize,
}

impl Played {
    pub fn outcome(&self) -> BenchOutcome {
        outcome(&self.simulation, self.steps)
    }
}

fn outcome(simulation: &Simulation, steps: usize) -> BenchOutcome {
    BenchOutcome {
        nodes: simulation.nodes().count(),
        pods: simulation.pods().count(),
        running_pods: simulation
            .pods()
            .filter(|pod| pod.status.phase == PodPhase::Running)
            .count(),
        steps,
        events: simulation.events_recorded(),
        simulated_ms: simulation.now(),
    }
}

/// `nodes` nodes and the `myweb-ds` DaemonSet, played for a minute of simulated time.
pub fn daemon_set_on_nodes(nodes: usize) -> BenchOutcome {
    play_daemon_set_on_nodes(nodes).outcome()
}

pub fn play_daemon_set_on_nodes(nodes: usize) -> Played {
    let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", nodes));
    simulation.apply(crate::EXAMPLE_MYWEB_DS).expect("the example is valid");
    let steps = simulation.run_until(60 * SECOND_MS).expect("within the step limit");
    Played { simulation, steps }
}

/// `pods` bare pods (100m CPU, 128Mi each) scheduled onto `nodes` nodes and started, played
/// for a minute of simulated time.
pub fn bare_pods_on_nodes(nodes: usize, pods: usize) -> BenchOutcome {
    play_bare_pods_on_nodes(nodes, pods).outcome()
}

pub fn play_bare_pods_on_nodes(nodes: usize, pods: usize) -> Played {
    let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", nodes));
    let mut container = Container {
        name: "app".to_string(),
        image: "registry.k8s.io/pause:3.10".to_string(),
        ..Container::default()
    };
    container
        .resources
        .requests
        .insert("cpu".to_string(), Quantity::from_milli(100));
    container
        .resources
        .requests
        .insert("memory".to_string(), Quantity::from_units(128 * 1024 * 1024));
    // One container list shared by every pod, as pods of one template share it.
    let containers: std::sync::Arc<[Container]> = std::sync::Arc::from(vec![container]);
    for index in 0..pods {
        let mut pod = Pod {
            metadata: ObjectMeta {
                name: format!("pod-{index}"),
                ..ObjectMeta::default()
            },
            ..Pod::default()
        };
        pod.spec.containers = containers.clone();
        simulation.create_pod(pod);
    }
    let steps = simulation.run_until(60 * SECOND_MS).expect("within the step limit");
    Played { simulation, steps }
}

/// A Job of `completions` completions at `parallelism` on `nodes` nodes, its pods running the
/// default 10s each, played until the Job completes.
pub fn job_completions(nodes: usize, completions: usize, parallelism: usize) -> BenchOutcome {
    play_job_completions(nodes, completions, parallelism).outcome()
}

pub fn play_job_completions(nodes: usize, completions: usize, parallelism: usize) -> Played {
    let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", nodes));
    let manifest = format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: bulk\nspec:\n  completions: {completions}\n  parallelism: {parallelism}\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: work\n        image: busybox\n"
    );
    simulation.apply(&manifest).expect("the Job is valid");
    let mut steps = 0;
    // The key is made once: looking the Job up by name after every step allocated it anew.
    let key = crate::sim::ObjectKey::new("default", "bulk");
    while simulation
        .store
        .jobs
        .get(&key)
        .is_some_and(|job| !job.status.is_finished())
    {
        if !simulation.step() {
            break;
        }
        steps += 1;
    }
    Played { simulation, steps }
}

/// A `* * * * *` CronJob with history limits (3 succeeded, 1 failed) on `nodes` nodes, each
/// run a pod of the default 10s, played for `days` days: one run a minute, 1,440 a day.
pub fn cron_job_every_minute(nodes: usize, days: u64) -> BenchOutcome {
    play_cron_job_every_minute(nodes, days).outcome()
}

pub fn play_cron_job_every_minute(nodes: usize, days: u64) -> Played {
    let (simulation, steps) = cron_job_every_minute_simulation(nodes, days, false);
    Played { simulation, steps }
}

/// The CronJob run; with `trace`, every event is kept (for `cron_job_runs`).
fn cron_job_every_minute_simulation(nodes: usize, days: u64, trace: bool) -> (Simulation, usize) {
    let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", nodes));
    if trace {
        simulation.keep_event_trace();
    }
    simulation
        .apply("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: every-minute\nspec:\n  schedule: \"* * * * *\"\n  successfulJobsHistoryLimit: 3\n  failedJobsHistoryLimit: 1\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers:\n          - name: work\n            image: busybox\n")
        .expect("the CronJob is valid");
    let steps = simulation
        .run_until(days * 24 * 3_600 * SECOND_MS)
        .expect("within the step limit");
    (simulation, steps)
}

/// How many Jobs the CronJob controller created, from the event trace (the stored events if
/// the trace was not kept).
pub fn cron_job_runs(simulation: &Simulation) -> usize {
    simulation
        .event_trace()
        .unwrap_or(simulation.events())
        .iter()
        .filter(|event| event.reason == "SuccessfulCreate" && event.source == "cronjob-controller")
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_runs_place_and_start_everything() {
        let daemon = daemon_set_on_nodes(20);
        assert_eq!((daemon.pods, daemon.running_pods), (20, 20));
        let bare = bare_pods_on_nodes(10, 300);
        assert_eq!((bare.pods, bare.running_pods), (300, 300));
    }

    #[test]
    fn a_day_of_every_minute_runs_keeps_only_the_history() {
        let (simulation, _) = cron_job_every_minute_simulation(2, 1, true);
        // Runs at 00:01 to 23:59; the one of 24:00 is due 100ms after the day ends.
        assert_eq!(cron_job_runs(&simulation), 1_439);
        // The history limit keeps the last 3 succeeded runs, and their pods.
        assert_eq!(simulation.jobs().count(), 3);
        assert_eq!(simulation.pods().count(), 3);
        assert_eq!(simulation.now(), 24 * 3_600 * SECOND_MS);
    }
}
