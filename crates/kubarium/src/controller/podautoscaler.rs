//! The horizontal pod autoscaler controller (`pkg/controller/podautoscaler/horizontal.go`
//! `reconcileAutoscaler`), for CPU utilization, with the simulated load that stands in for
//! metrics-server (`docs/behaviour.md`).
//!
//! Every HPA is reconciled 15 seconds after it is created or changed and then every 15 seconds
//! (`--horizontal-pod-autoscaler-sync-period`; the controller's queue delays every key by that
//! period, `NewDefaultHPARateLimiter`). A sync reads the target's `scale` subresource, computes
//! a proposal from the pods' CPU usage (`calculator.rs`), normalizes it (`normalize.rs`), scales
//! the target, and writes the status.

use std::collections::BTreeMap;

use crate::api::{
    set_condition, CrossVersionObjectReference, HorizontalPodAutoscaler, MetricStatus, MetricValueStatus, Pod,
    PodPhase, ResourceMetricStatus,
};
use crate::labels::LabelSelector;
use crate::quantity::Quantity;
use crate::sim::{ObjectKey, Simulation, WorkloadKind};
use crate::time::{Millis, SECOND_MS};

pub mod calculator;
pub mod normalize;

use calculator::{PodFacts, PodMetric};
use normalize::{Bounds, Memory, Normalized, Rules};

/// `--horizontal-pod-autoscaler-sync-period`.
pub const SYNC_PERIOD_MS: Millis = 15 * SECOND_MS;
/// The window metrics-server reports with each sample (its default resolution, 15 seconds).
pub const METRIC_WINDOW_MS: Millis = 15 * SECOND_MS;
/// The component that reports the controller's events.
const SOURCE: &str = "horizontal-pod-autoscaler";

/// The simulated CPU usage of a workload's pods (`load deployment/NAME --cpu=...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuLoad {
    /// Every running pod uses this many millicores.
    PerPod { milli: i64 },
    /// Every running pod uses this percentage of its CPU request.
    PercentOfRequest { percent: i64 },
    /// The running pods share this many millicores evenly (a fixed amount of work).
    Total { milli: i64 },
}

impl std::fmt::Display for CpuLoad {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CpuLoad::PerPod { milli } => write!(formatter, "--cpu={}", Quantity::from_milli(*milli)),
            CpuLoad::PercentOfRequest { percent } => write!(formatter, "--cpu={percent}%"),
            CpuLoad::Total { milli } => write!(formatter, "--total-cpu={}", Quantity::from_milli(*milli)),
        }
    }
}

/// The workload a load is set on: namespace, kind and name.
pub type LoadTarget = (String, WorkloadKind, String);

/// The controller's state kept in the simulation: the loads (the simulated metrics source) and
/// what the controller remembers per HPA.
#[derive(Debug, Default)]
pub struct State {
    pub loads: BTreeMap<(String, &'static str, String), CpuLoad>,
    pub memory: BTreeMap<ObjectKey, Memory>,
}

impl Simulation {
    pub fn horizontal_pod_autoscalers(&self) -> impl Iterator<Item = &HorizontalPodAutoscaler> {
        self.store.horizontal_pod_autoscalers.values()
    }

    pub fn horizontal_pod_autoscaler(&self, namespace: &str, name: &str) -> Option<&HorizontalPodAutoscaler> {
        self.store
            .horizontal_pod_autoscalers
            .get(&ObjectKey::new(namespace, name))
    }

    /// The simulated CPU load set on a workload, if any.
    pub fn cpu_load(&self, namespace: &str, kind: WorkloadKind, name: &str) -> Option<CpuLoad> {
        self.autoscaling
            .loads
            .get(&(namespace.to_string(), kind.kind(), name.to_string()))
            .copied()
    }

    /// `load KIND/NAME --cpu=...`: sets the CPU usage the workload's running pods report.
    pub fn set_cpu_load(&mut self, target: LoadTarget, load: CpuLoad) -> Result<(), crate::sim::ActionError> {
        let (namespace, kind, name) = target;
        let key = ObjectKey::new(&namespace, &name);
        let exists = match kind {
            WorkloadKind::Deployment => self.store.deployments.contains_key(&key),
            WorkloadKind::ReplicaSet => self.store.replica_sets.contains_key(&key),
            WorkloadKind::ReplicationController => self.store.replication_controllers.contains_key(&key),
        };
        if !exists {
            return Err(crate::sim::ActionError(format!(
                "{} \"{name}\" not found",
                kind.resource()
            )));
        }
        self.autoscaling.loads.insert((namespace, kind.kind(), name), load);
        Ok(())
    }

    /// Creates or updates an HPA as the API server stores it; the controller looks at it one
    /// sync period later. The status of the request is ignored.
    pub(crate) fn apply_horizontal_pod_autoscaler(&mut self, mut hpa: HorizontalPodAutoscaler) {
        let namespace = if hpa.metadata.namespace.is_empty() {
            crate::api::Word::from_static(crate::sim::DEFAULT_NAMESPACE)
        } else {
            hpa.metadata.namespace
        };
        let key = ObjectKey::new(&namespace, &hpa.metadata.name);
        let resource_version = self.bump_resource_version();
        match self.store.horizontal_pod_autoscalers.get(&key) {
            Some(existing) => {
                let changed = existing.spec != hpa.spec;
                hpa.metadata.uid = existing.metadata.uid.clone();
                hpa.metadata.namespace = namespace;
                hpa.metadata.creation_timestamp_ms = existing.metadata.creation_timestamp_ms;
                hpa.metadata.generation = existing.metadata.generation + u64::from(changed);
                hpa.status = existing.status.clone();
            }
            None => {
                self.admit_metadata(&mut hpa.metadata);
                hpa.metadata.generation = 1;
                hpa.status = Default::default();
            }
        }
        hpa.metadata.resource_version = resource_version;
        self.store.horizontal_pod_autoscalers.insert(key.clone(), hpa);
        self.enqueue_at(
            crate::sim::Work::SyncHorizontalPodAutoscaler(key),
            self.now() + SYNC_PERIOD_MS,
        );
    }

    /// `kubectl delete hpa NAME`.
    pub fn delete_horizontal_pod_autoscaler(
        &mut self,
        namespace: &str,
        name: &str,
    ) -> Result<(), crate::sim::ActionError> {
        let key = ObjectKey::new(namespace, name);
        if self.store.horizontal_pod_autoscalers.remove(&key).is_none() {
            return Err(crate::sim::ActionError(format!(
                "horizontalpodautoscalers.autoscaling \"{name}\" not found"
            )));
        }
        self.autoscaling.memory.remove(&key);
        // The quota monitor's delete handler: the namespace's quotas are recounted.
        crate::controller::resourcequota::replenish(self, &key.namespace);
        Ok(())
    }
}

/// What kubarium refuses in an HPA it would otherwise accept: metrics it cannot simulate.
pub fn check_simulated(hpa: &HorizontalPodAutoscaler) -> Result<(), String> {
    for (index, metric) in hpa.spec.metrics.iter().enumerate() {
        if metric.cpu_utilization_target().is_none() {
            return Err(format!(
                "HorizontalPodAutoscaler \"{}\": spec.metrics[{index}] is valid, but kubarium simulates only CPU utilization (type: Resource, name: cpu, target type: Utilization)",
                hpa.metadata.name
            ));
        }
    }
    Ok(())
}

/// The target's `scale` subresource: its kind, `spec.replicas`, and its pod selector.
struct Scale {
    kind: WorkloadKind,
    spec_replicas: i32,
    selector: LabelSelector,
}

/// `scaleForResourceMappings` and the REST mapper before it: the scale of the target, or the
/// error the controller reports as `FailedGetScale`.
fn scale_of(simulation: &Simulation, namespace: &str, target: &CrossVersionObjectReference) -> Result<Scale, String> {
    let group = match target.api_version.split('/').collect::<Vec<_>>().as_slice() {
        [_version] => "",
        [group, _version] => group,
        _ => return Err(format!("unexpected GroupVersion string: {}", target.api_version)),
    };
    let kind = match (group, target.kind.as_str()) {
        ("apps", "Deployment") => WorkloadKind::Deployment,
        ("apps", "ReplicaSet") => WorkloadKind::ReplicaSet,
        ("", "ReplicationController") => WorkloadKind::ReplicationController,
        (group, kind) => return Err(format!("no matches for kind \"{kind}\" in group \"{group}\"")),
    };
    let key = ObjectKey::new(namespace, &target.name);
    let not_found = || format!("{} \"{}\" not found", kind.resource(), target.name);
    let (spec_replicas, selector) = match kind {
        WorkloadKind::Deployment => {
            let deployment = simulation.store.deployments.get(&key).ok_or_else(not_found)?;
            (deployment.spec.replicas, deployment.spec.selector.clone())
        }
        WorkloadKind::ReplicaSet => {
            let replica_set = simulation.store.replica_sets.get(&key).ok_or_else(not_found)?;
            (replica_set.spec.replicas, replica_set.spec.selector.clone())
        }
        WorkloadKind::ReplicationController => {
            let controller = simulation
                .store
                .replication_controllers
                .get(&key)
                .ok_or_else(not_found)?;
            let selector = LabelSelector {
                match_labels: controller.spec.selector.clone(),
                match_expressions: Vec::new(),
            };
            (controller.spec.replicas, selector)
        }
    };
    Ok(Scale {
        kind,
        spec_replicas,
        selector,
    })
}

/// The load that applies to a pod: its controller's, or that controller's controller's (a
/// Deployment's load reaches the pods of all its ReplicaSets).
fn load_of(simulation: &Simulation, pod: &Pod) -> Option<((String, &'static str, String), CpuLoad)> {
    let namespace = &pod.metadata.namespace;
    let mut owner = pod.metadata.controller_of()?.clone();
    for _ in 0..2 {
        let kind = match owner.kind.as_str() {
            "Deployment" => "Deployment",
            "ReplicaSet" => "ReplicaSet",
            "ReplicationController" => "ReplicationController",
            _ => return None,
        };
        let source = (namespace.to_string(), kind, owner.name.clone());
        if let Some(load) = simulation.autoscaling.loads.get(&source) {
            return Some((source, *load));
        }
        let replica_set = simulation
            .store
            .replica_sets
            .get(&ObjectKey::new(namespace, &owner.name))
            .filter(|_| kind == "ReplicaSet")?;
        owner = replica_set.metadata.controller_of()?.clone();
    }
    None
}

/// A pod's CPU request as `calculatePodRequestsFromContainers` sums it: every container and
/// sidecar must have one (a limit alone is copied into the request by the API server's
/// defaults).
fn cpu_request_milli(pod: &Pod) -> Result<i64, String> {
    let sidecars = pod
        .spec
        .init_containers
        .iter()
        .filter(|container| container.restart_policy.as_deref() == Some("Always"));
    let mut total = 0;
    for container in pod.spec.containers.iter().chain(sidecars) {
        let resources = &container.resources;
        let request = resources.requests.get("cpu").or_else(|| resources.limits.get("cpu"));
        match request {
            Some(quantity) => total += quantity.milli_value(),
            None => {
                return Err(format!(
                    "missing request for cpu in container {} of Pod {}",
                    container.name, pod.metadata.name
                ))
            }
        }
    }
    Ok(total)
}

/// The resource metrics API's answer for these pods, as metrics-server would give it: every
/// running pod reports a sample ending now; its usage comes from the simulated load (none: 0).
fn pod_metrics(simulation: &Simulation, pods: &[&Pod]) -> BTreeMap<String, PodMetric> {
    let running: Vec<&Pod> = pods
        .iter()
        .copied()
        .filter(|pod| pod.status.phase == PodPhase::Running)
        .collect();
    let mut sharing: BTreeMap<(String, &'static str, String), Vec<&str>> = BTreeMap::new();
    let mut usage = BTreeMap::new();
    for pod in &running {
        let milli = match load_of(simulation, pod) {
            None => 0,
            Some((_, CpuLoad::PerPod { milli })) => milli,
            Some((_, CpuLoad::PercentOfRequest { percent })) => cpu_request_milli(pod).unwrap_or(0) * percent / 100,
            Some((source, CpuLoad::Total { .. })) => {
                sharing.entry(source).or_default().push(&pod.metadata.name);
                0
            }
        };
        usage.insert(pod.metadata.name.clone(), milli);
    }
    for (source, names) in &sharing {
        let Some(CpuLoad::Total { milli }) = simulation.autoscaling.loads.get(source) else {
            continue;
        };
        // An even share, the remainder to the first pods by name, so the sum is exact.
        let count = names.len() as i64;
        for (index, pod_name) in names.iter().enumerate() {
            let extra = i64::from((index as i64) < milli % count);
            usage.insert((*pod_name).to_string(), milli / count + extra);
        }
    }
    let now = simulation.now();
    usage
        .into_iter()
        .map(|(name, usage_milli)| {
            let metric = PodMetric {
                usage_milli,
                timestamp_ms: now,
                window_ms: METRIC_WINDOW_MS,
            };
            (name, metric)
        })
        .collect()
}

/// What the calculator needs of a pod.
fn pod_facts(pod: &Pod) -> PodFacts {
    let ready = pod
        .status
        .conditions
        .iter()
        .find(|condition| condition.condition_type == "Ready")
        .map(|condition| (condition.status == "True", condition.last_transition_time_ms));
    PodFacts {
        name: pod.metadata.name.clone(),
        phase: pod.status.phase,
        deleting: pod.metadata.is_terminating(),
        ready,
        start_time_ms: pod.status.start_time_ms,
        cpu_request_milli: cpu_request_milli(pod),
    }
}

/// The proposal of the one CPU metric (`computeStatusForResourceMetricGeneric`): replicas, the
/// metric's status, or the error wrapped as the controller wraps it.
fn cpu_proposal(
    simulation: &Simulation,
    namespace: &str,
    selector: &LabelSelector,
    current_replicas: i32,
    target_utilization: i32,
) -> Result<(i32, MetricStatus), String> {
    let pods: Vec<&Pod> = simulation
        .pods()
        .filter(|pod| pod.metadata.namespace == namespace && selector.matches(&pod.metadata.labels))
        .collect();
    let metrics = pod_metrics(simulation, &pods);
    let facts: Vec<PodFacts> = pods.iter().map(|pod| pod_facts(pod)).collect();
    let result =
        calculator::resource_replicas(current_replicas, target_utilization, &facts, &metrics, simulation.now())
            .map_err(|error| format!("failed to get cpu utilization: {error}"))?;
    let status = MetricStatus {
        metric_type: "Resource".to_string(),
        resource: Some(ResourceMetricStatus {
            name: "cpu".to_string(),
            current: MetricValueStatus {
                average_utilization: Some(result.utilization),
                average_value: Some(Quantity::from_milli(result.raw_average_milli)),
            },
        }),
    };
    Ok((result.replicas, status))
}

/// The metric's name in events and conditions.
const CPU_METRIC_NAME: &str = "cpu resource utilization (percentage of request)";

/// One reconciliation of one HPA (`reconcileAutoscaler`); looks again one sync period later.
pub fn sync(simulation: &mut Simulation, key: &ObjectKey) -> Option<Millis> {
    let Some(hpa) = simulation.store.horizontal_pod_autoscalers.get(key).cloned() else {
        simulation.autoscaling.memory.remove(key);
        return None;
    };
    let mut reconcile = Reconcile {
        object: format!("horizontalpodautoscaler/{}", hpa.metadata.name),
        namespace: key.namespace.to_string(),
        status: hpa.status.clone(),
        now: simulation.now(),
    };
    reconcile.run(simulation, &hpa, key);
    if let Some(stored) = simulation.store.horizontal_pod_autoscalers.get_mut(key) {
        if stored.status != reconcile.status {
            stored.status = reconcile.status;
        }
    }
    Some(SYNC_PERIOD_MS)
}

/// A reconciliation in progress: the HPA's new status and where its events go.
struct Reconcile {
    object: String,
    namespace: String,
    status: crate::api::HorizontalPodAutoscalerStatus,
    now: Millis,
}

impl Reconcile {
    fn condition(&mut self, condition_type: &'static str, status: &'static str, reason: &'static str, message: &str) {
        set_condition(
            &mut self.status.conditions,
            self.now,
            condition_type,
            status,
            reason,
            message,
        );
    }

    fn event(&self, simulation: &mut Simulation, event_type: &'static str, reason: &'static str, message: String) {
        simulation.record_event(
            event_type,
            reason,
            self.object.clone(),
            &self.namespace,
            message,
            SOURCE,
        );
    }

    fn run(&mut self, simulation: &mut Simulation, hpa: &HorizontalPodAutoscaler, key: &ObjectKey) {
        let scale = match scale_of(simulation, &self.namespace, &hpa.spec.scale_target_ref) {
            Ok(scale) => scale,
            Err(error) => {
                self.event(simulation, "Warning", "FailedGetScale", error.clone());
                let message = format!("the HPA controller was unable to get the target's current scale: {error}");
                self.condition("AbleToScale", "False", "FailedGetScale", &message);
                return;
            }
        };
        self.condition(
            "AbleToScale",
            "True",
            "SucceededGetScale",
            "the HPA controller was able to get the target's current scale",
        );
        let current = scale.spec_replicas;
        let memory = simulation.autoscaling.memory.entry(key.clone()).or_default();
        normalize::record_initial_recommendation(memory, current, self.now);
        let min_replicas = hpa.spec.min_replicas.unwrap_or(1);
        let (desired, reason, metric_statuses) = if current == 0 && min_replicas != 0 {
            self.condition(
                "ScalingActive",
                "False",
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero",
            );
            (0, String::new(), Vec::new())
        } else if current > hpa.spec.max_replicas {
            let reason = "Current number of replicas above Spec.MaxReplicas".to_string();
            (hpa.spec.max_replicas, reason, Vec::new())
        } else if current < min_replicas {
            let reason = "Current number of replicas below Spec.MinReplicas".to_string();
            (min_replicas, reason, Vec::new())
        } else {
            match self.scale_from_metrics(simulation, hpa, key, &scale, min_replicas) {
                Some(outcome) => outcome,
                None => return,
            }
        };
        let rescale = desired != current;
        self.status.current_replicas = current;
        if rescale && !self.rescale(simulation, hpa, key, &scale, current, desired, &reason) {
            self.status.current_metrics = metric_statuses;
            return;
        }
        let desired = if rescale { desired } else { current };
        self.status.desired_replicas = desired;
        self.status.current_metrics = metric_statuses;
        if rescale {
            self.status.last_scale_time_ms = Some(self.now);
        }
    }

    /// The metrics branch of `reconcileAutoscaler`: the proposal, then its normalization. None
    /// when no metric could be computed (the status then keeps its desired count).
    fn scale_from_metrics(
        &mut self,
        simulation: &mut Simulation,
        hpa: &HorizontalPodAutoscaler,
        key: &ObjectKey,
        scale: &Scale,
        min_replicas: i32,
    ) -> Option<(i32, String, Vec<MetricStatus>)> {
        let current = scale.spec_replicas;
        let (proposal, statuses) = self.compute_replicas_for_metrics(simulation, hpa, scale);
        let Some(proposal) = proposal else {
            self.status.current_replicas = current;
            self.status.current_metrics = statuses;
            return None;
        };
        let reason = match proposal.cmp(&current) {
            std::cmp::Ordering::Greater => format!("{CPU_METRIC_NAME} above target"),
            std::cmp::Ordering::Less => "All metrics below target".to_string(),
            std::cmp::Ordering::Equal => String::new(),
        };
        let bounds = Bounds {
            min_replicas,
            max_replicas: hpa.spec.max_replicas,
            current_replicas: current,
        };
        let memory = simulation.autoscaling.memory.entry(key.clone()).or_default();
        let normalized: Normalized = match &hpa.spec.behavior {
            None => normalize::normalize(memory, bounds, proposal, self.now),
            Some(behavior) => {
                let up = Rules::scale_up(behavior.scale_up.as_ref());
                let down = Rules::scale_down(behavior.scale_down.as_ref());
                normalize::normalize_with_behaviors(memory, &up, &down, bounds, proposal, self.now)
            }
        };
        let (able_reason, able_message) = normalized.able_to_scale;
        self.condition("AbleToScale", "True", able_reason, able_message);
        let (limited_reason, limited_message) = normalized.scaling_limited;
        let limited = if normalized.limited { "True" } else { "False" };
        self.condition("ScalingLimited", limited, limited_reason, limited_message);
        Some((normalized.replicas, reason, statuses))
    }

    /// `computeReplicasForMetrics` over the HPA's metrics (all CPU utilization): the highest
    /// proposal, or None after reporting why none could be computed.
    fn compute_replicas_for_metrics(
        &mut self,
        simulation: &mut Simulation,
        hpa: &HorizontalPodAutoscaler,
        scale: &Scale,
    ) -> (Option<i32>, Vec<MetricStatus>) {
        let mut statuses = vec![MetricStatus::default(); hpa.spec.metrics.len()];
        let mut replicas: Option<i32> = None;
        let mut first_error: Option<(String, String)> = None;
        let mut invalid = 0;
        for (index, metric) in hpa.spec.metrics.iter().enumerate() {
            let target = metric.cpu_utilization_target().unwrap_or(80);
            match cpu_proposal(
                simulation,
                &self.namespace,
                &scale.selector,
                scale.spec_replicas,
                target,
            ) {
                Ok((proposal, status)) => {
                    statuses[index] = status;
                    if replicas.is_none_or(|highest| proposal > highest) {
                        replicas = Some(proposal);
                    }
                }
                Err(error) => {
                    // `getUnableComputeReplicaCountCondition` reports each failure as it happens.
                    self.event(simulation, "Warning", "FailedGetResourceMetric", error.clone());
                    invalid += 1;
                    first_error.get_or_insert((
                        format!("the HPA was unable to compute the replica count: {error}"),
                        format!("failed to get cpu resource metric value: {error}"),
                    ));
                }
            }
        }
        let all_invalid = invalid >= hpa.spec.metrics.len();
        let some_invalid_down = invalid > 0 && replicas.unwrap_or(0) < scale.spec_replicas;
        if let Some((condition_message, error)) = first_error.filter(|_| all_invalid || some_invalid_down) {
            self.condition("ScalingActive", "False", "FailedGetResourceMetric", &condition_message);
            let message = format!(
                "invalid metrics ({invalid} invalid out of {}), first error is: {error}",
                hpa.spec.metrics.len()
            );
            self.event(simulation, "Warning", "FailedComputeMetricsReplicas", message);
            return (None, statuses);
        }
        let message = format!("the HPA was able to successfully calculate a replica count from {CPU_METRIC_NAME}");
        self.condition("ScalingActive", "True", "ValidMetricFound", &message);
        (replicas, statuses)
    }

    /// Updates the target's scale, with the event and the memory of the scale event; false if
    /// the update failed.
    #[allow(clippy::too_many_arguments)]
    fn rescale(
        &mut self,
        simulation: &mut Simulation,
        hpa: &HorizontalPodAutoscaler,
        key: &ObjectKey,
        scale: &Scale,
        current: i32,
        desired: i32,
        reason: &str,
    ) -> bool {
        let target = &hpa.spec.scale_target_ref.name;
        if let Err(error) = simulation.scale(scale.kind, &self.namespace, target, desired) {
            let message = format!("New size: {desired}; reason: {reason}; error: {}", error.0);
            self.event(simulation, "Warning", "FailedRescale", message);
            let message = format!("the HPA controller was unable to update the target scale: {}", error.0);
            self.condition("AbleToScale", "False", "FailedUpdateScale", &message);
            return false;
        }
        let message = format!("the HPA controller was able to update the target scale to {desired}");
        self.condition("AbleToScale", "True", "SucceededRescale", &message);
        self.event(
            simulation,
            "Normal",
            "SuccessfulRescale",
            format!("New size: {desired}; reason: {reason}"),
        );
        let rules = hpa.spec.behavior.as_ref().map(|behavior| {
            (
                Rules::scale_up(behavior.scale_up.as_ref()),
                Rules::scale_down(behavior.scale_down.as_ref()),
            )
        });
        let memory = simulation.autoscaling.memory.entry(key.clone()).or_default();
        normalize::store_scale_event(
            memory,
            rules.as_ref().map(|(up, down)| (up, down)),
            current,
            desired,
            self.now,
        );
        true
    }
}

#[cfg(test)]
mod tests;
