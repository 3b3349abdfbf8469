//! The HPA controller played on a small cluster: refusals, scale target errors, `behavior`,
//! and `kubectl get hpa`.

use crate::actions::parse_action;
use crate::sim::{ClusterConfig, Simulation};
use crate::time::SECOND_MS;

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: nginx, resources: {requests: {cpu: 100m}}}
";

fn cluster() -> Simulation {
    let mut simulation = Simulation::new(&ClusterConfig::with_nodes("worker", 2));
    simulation.apply(DEPLOYMENT).expect("valid");
    simulation
}

fn perform(simulation: &mut Simulation, line: &str) -> Result<(), String> {
    let action = parse_action(line, None)?;
    simulation.perform(&action).map_err(|error| error.0)
}

fn deployment_replicas(simulation: &Simulation) -> i32 {
    simulation.deployment("default", "web").expect("exists").spec.replicas
}

#[test]
fn metrics_other_than_cpu_utilization_are_refused() {
    let mut simulation = cluster();
    let error = simulation
        .apply(
            "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 3
  metrics:
  - {type: Resource, resource: {name: memory, target: {type: Utilization, averageUtilization: 60}}}
",
        )
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("spec.metrics[0] is valid, but kubarium simulates only CPU utilization"),
        "{error}"
    );
    assert_eq!(simulation.horizontal_pod_autoscalers().count(), 0);
}

#[test]
fn kubectl_autoscale_needs_the_target_and_a_free_name() {
    let mut simulation = cluster();
    assert_eq!(
        perform(&mut simulation, "autoscale deployment/api --max=3"),
        Err("deployments.apps \"api\" not found".to_string())
    );
    perform(&mut simulation, "autoscale deployment/web --max=3").expect("created");
    let hpa = simulation.horizontal_pod_autoscaler("default", "web").expect("exists");
    // No --min and no --cpu-percent: the API server's defaults.
    assert_eq!(hpa.spec.min_replicas, Some(1));
    assert_eq!(hpa.spec.metrics[0].cpu_utilization_target(), Some(80));
    assert!(hpa.spec.behavior.is_none());
    assert_eq!(
        perform(&mut simulation, "autoscale deployment/web --max=5"),
        Err("horizontalpodautoscalers.autoscaling \"web\" already exists".to_string())
    );
    perform(&mut simulation, "delete hpa web").expect("deleted");
    assert!(simulation.horizontal_pod_autoscaler("default", "web").is_none());
}

#[test]
fn a_target_without_its_group_cannot_be_scaled() {
    let mut simulation = cluster();
    simulation
        .apply(
            "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {kind: Deployment, name: web}
  maxReplicas: 3
",
        )
        .expect("valid");
    simulation.run_until(16 * SECOND_MS).expect("runs");
    let event = simulation
        .events()
        .iter()
        .find(|event| event.reason == "FailedGetScale")
        .expect("reported");
    assert_eq!(event.message(), "no matches for kind \"Deployment\" in group \"\"");
    assert_eq!(event.time_ms, 15 * SECOND_MS);
    let hpa = simulation.horizontal_pod_autoscaler("default", "web").expect("exists");
    let able = &hpa.status.conditions[0];
    assert_eq!(
        (&*able.condition_type, &*able.status, &*able.reason),
        ("AbleToScale", "False", "FailedGetScale")
    );
}

#[test]
fn behavior_policies_pace_the_scale_down() {
    let mut simulation = cluster();
    perform(&mut simulation, "scale deployment/web --replicas=5").expect("scaled");
    simulation
        .apply(
            "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 5
  metrics:
  - {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 0
      policies: [{type: Pods, value: 1, periodSeconds: 60}]
",
        )
        .expect("valid");
    // Idle pods propose 1 replica; without a window, one pod goes every 60 seconds. The first
    // sync (15s) finds the pods ready for less than a metric window; the next ones scale.
    simulation.run_until(31 * SECOND_MS).expect("runs");
    assert_eq!(deployment_replicas(&simulation), 4);
    simulation.run_until(89 * SECOND_MS).expect("runs");
    assert_eq!(deployment_replicas(&simulation), 4);
    simulation.run_until(91 * SECOND_MS).expect("runs");
    assert_eq!(deployment_replicas(&simulation), 3);
    let limited = simulation.horizontal_pod_autoscaler("default", "web").expect("exists");
    let condition = limited
        .status
        .conditions
        .iter()
        .find(|condition| condition.condition_type == "ScalingLimited")
        .expect("set");
    assert_eq!((&*condition.status, &*condition.reason), ("True", "ScaleDownLimit"));
}

#[test]
fn get_hpa_shows_unknown_until_the_first_sample() {
    let mut simulation = cluster();
    perform(
        &mut simulation,
        "autoscale deployment/web --min=1 --max=4 --cpu-percent=50",
    )
    .expect("created");
    perform(&mut simulation, "load deployment/web --cpu=50m").expect("loaded");
    let table = crate::tables::get(&simulation, "hpa").expect("known");
    assert_eq!(
        table.headers,
        ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    );
    assert_eq!(
        table.rows[0][..6],
        ["web", "Deployment/web", "cpu: <unknown>/50%", "1", "4", "0"]
    );
    simulation.run_until(31 * SECOND_MS).expect("runs");
    let table = crate::tables::get(&simulation, "hpa").expect("known");
    assert_eq!(table.rows[0][2], "cpu: 50%/50%");
    assert_eq!(table.rows[0][5], "1");
}
