//! View types: plain, serialisable pictures of the cluster for the UI, the wasm facade and the
//! CLI. Built from the simulation; never fed back into it.

use crate::sort::StableSort;
use std::collections::BTreeSet;

use serde::Serialize;

use crate::api::{ContainerState, Pod};
use crate::sim::Simulation;
use crate::time::Millis;

mod autoscaling;
mod services;
mod timeline;
pub use autoscaling::{autoscalers, AutoscalerView};
pub use services::{service_views, ServicePodView, ServiceView};
pub use timeline::{bar_end, layout as timeline_layout, timeline, CronMark, CronTimeline, JobTimeline, Timeline};

/// The cluster at one simulated instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub time_ms: Millis,
    pub nodes: Vec<NodeView>,
    /// Pods no node has taken yet: the UI's "Pending" lane.
    pub unscheduled: Vec<PodView>,
    pub event_count: usize,
    /// Services, each with the pods it selects.
    pub services: Vec<ServiceView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeView {
    pub name: String,
    pub ready: bool,
    /// Cordoned (`spec.unschedulable`).
    pub unschedulable: bool,
    /// The `node-role.kubernetes.io/ROLE` labels, as `kubectl get nodes` shows ROLES.
    pub roles: Vec<String>,
    /// Every label as `key=value`.
    pub labels: Vec<String>,
    /// Every taint as `key=value:Effect`.
    pub taints: Vec<String>,
    /// Requests of the pods bound here (the scheduler's view) against allocatable.
    pub cpu_requested_milli: i64,
    pub cpu_allocatable_milli: i64,
    pub memory_requested_bytes: i64,
    pub memory_allocatable_bytes: i64,
    pub pods_allocatable: i64,
    pub pods: Vec<PodView>,
    /// What the node lifecycle controller is doing about it: silent kubelet, `NoExecute`
    /// taints, the countdown to the next eviction (`nodelifecycle::lifecycle_notes`).
    pub lifecycle: Vec<String>,
    /// Why not here: each DaemonSet that has no pod on this node and each Pending pod that
    /// cannot go to it, with the controller's or the scheduler's own reason
    /// (`daemonset/fluentd: node(s) had untolerated taint {...}`).
    pub why_not: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodView {
    pub uid: String,
    pub name: String,
    pub namespace: String,
    /// `status.phase`.
    pub phase: String,
    /// What `kubectl get pods` prints in STATUS (`ContainerCreating`, `Running`, ...).
    pub status: String,
    /// `kind/name` of the controlling owner, lower-case kind as kubectl prints it.
    pub owner: Option<String>,
    pub node: Option<String>,
}

/// The STATUS column of `kubectl get pods` (`printPod` in `pkg/printers/internalversion`):
/// the pod's reason, else the last container's waiting or terminated reason, else the phase;
/// `Terminating` while being deleted.
pub fn pod_status_column(pod: &Pod) -> String {
    if pod.metadata.is_terminating() && !pod.status.phase.is_terminal() {
        return "Terminating".to_string();
    }
    if !pod.status.reason.is_empty() {
        return pod.status.reason.to_string();
    }
    let mut reason = pod.status.phase.as_str().to_string();
    // Last to first, so the first container's reason wins, as `printPod` does.
    for status in pod.status.container_statuses.iter().rev() {
        match &status.state {
            ContainerState::Waiting { reason: waiting, .. } if !waiting.is_empty() => reason = waiting.clone(),
            ContainerState::Terminated {
                reason: terminated,
                exit_code,
                ..
            } => {
                reason = if terminated.is_empty() {
                    format!("ExitCode:{exit_code}")
                } else {
                    terminated.clone()
                };
            }
            _ => {}
        }
    }
    if pod.status.phase == crate::api::PodPhase::Running
        && pod
            .status
            .container_statuses
            .iter()
            .any(|status| matches!(status.state, ContainerState::Running { .. }))
        && reason == "Completed"
    {
        reason = "Running".to_string();
    }
    reason
}

impl PodView {
    pub fn of(pod: &Pod) -> Self {
        PodView {
            uid: pod.metadata.uid.clone(),
            name: pod.metadata.name.clone(),
            namespace: pod.metadata.namespace.clone(),
            phase: pod.status.phase.as_str().to_string(),
            status: pod_status_column(pod),
            owner: pod
                .metadata
                .controller_of()
                .map(|owner| format!("{}/{}", owner.kind.to_lowercase(), owner.name)),
            node: (!pod.spec.node_name.is_empty()).then(|| pod.spec.node_name.clone()),
        }
    }
}

/// An `Event` object as the API holds it: repeated emissions of the same event (same object,
/// type, reason, message and source) are one object with a count and first and last times, as
/// client-go's `EventCorrelator` deduplicates them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventObject {
    #[serde(rename = "type")]
    pub event_type: &'static str,
    pub reason: &'static str,
    /// `kind/name` (`pod/myweb-ds-x7k2p`).
    pub object: String,
    pub namespace: String,
    pub message: String,
    pub source: &'static str,
    pub count: u32,
    pub first_timestamp_ms: Millis,
    pub last_timestamp_ms: Millis,
}

impl Simulation {
    /// The events as `kubectl get events` lists them: deduplicated with counts, oldest last
    /// seen first.
    pub fn event_objects(&self) -> Vec<EventObject> {
        let mut index: std::collections::BTreeMap<(&str, &str, &str, &str, &str, &str), usize> =
            std::collections::BTreeMap::new();
        let mut objects: Vec<EventObject> = Vec::new();
        for event in self.events() {
            let key = (
                &*event.namespace,
                &*event.object,
                event.event_type.as_str(),
                event.reason.as_str(),
                &*event.message,
                event.source.as_str(),
            );
            match index.get(&key) {
                Some(&position) => {
                    let object = &mut objects[position];
                    object.count += 1;
                    object.last_timestamp_ms = event.time_ms;
                }
                None => {
                    index.insert(key, objects.len());
                    objects.push(EventObject {
                        event_type: event.event_type.as_str(),
                        reason: event.reason.as_str(),
                        object: event.object.to_string(),
                        namespace: event.namespace.to_string(),
                        message: event.message.to_string(),
                        source: event.source.as_str(),
                        count: 1,
                        first_timestamp_ms: event.time_ms,
                        last_timestamp_ms: event.time_ms,
                    });
                }
            }
        }
        // Stable: equal last times keep the order the events were first seen in.
        objects.stable_sort_by_key(|object| object.last_timestamp_ms);
        objects
    }

    pub fn snapshot(&self) -> Snapshot {
        let why_not = WhyNot::gather(self);
        let nodes = self
            .nodes()
            .map(|node| {
                let usage = self.store.node_usage(&node.metadata.name).cloned().unwrap_or_default();
                let allocatable = |resource: &str| node.status.allocatable.get(resource).copied().unwrap_or_default();
                NodeView {
                    name: node.metadata.name.clone(),
                    ready: node.is_ready(),
                    unschedulable: node.spec.unschedulable,
                    roles: node
                        .metadata
                        .labels
                        .keys()
                        .filter_map(|key| key.strip_prefix("node-role.kubernetes.io/"))
                        .map(str::to_string)
                        .collect(),
                    labels: node
                        .metadata
                        .labels
                        .iter()
                        .map(|(key, value)| format!("{key}={value}"))
                        .collect(),
                    taints: node
                        .spec
                        .taints
                        .iter()
                        .map(|taint| {
                            if taint.value.is_empty() {
                                format!("{}:{}", taint.key, taint.effect)
                            } else {
                                format!("{}={}:{}", taint.key, taint.value, taint.effect)
                            }
                        })
                        .collect(),
                    cpu_requested_milli: usage.cpu.milli_value(),
                    cpu_allocatable_milli: allocatable("cpu").milli_value(),
                    memory_requested_bytes: usage.memory.value(),
                    memory_allocatable_bytes: allocatable("memory").value(),
                    pods_allocatable: allocatable("pods").value(),
                    why_not: why_not.reasons(self, node),
                    lifecycle: crate::nodelifecycle::lifecycle_notes(self, &node.metadata.name),
                    pods: self
                        .store
                        .pods_on_node(&node.metadata.name)
                        .filter_map(|key| self.store.pod(key))
                        .map(PodView::of)
                        .collect(),
                }
            })
            .collect();
        Snapshot {
            time_ms: self.now(),
            nodes,
            unscheduled: self
                .pods()
                .filter(|pod| pod.spec.node_name.is_empty())
                .map(PodView::of)
                .collect(),
            event_count: self.events().len(),
            services: service_views(self),
        }
    }
}

/// What [`NodeView::why_not`] needs, gathered once per snapshot rather than once per node.
struct WhyNot<'a> {
    /// Each DaemonSet with the nodes its pods are for (bound, or pinned while pending).
    daemon_sets: Vec<(&'a crate::api::DaemonSet, BTreeSet<&'a str>)>,
    /// The pods waiting to be scheduled, with their requests.
    pending: Vec<(&'a Pod, crate::store::PodRequests)>,
}

impl<'a> WhyNot<'a> {
    fn gather(simulation: &'a Simulation) -> Self {
        let daemon_sets = simulation
            .daemon_sets()
            .map(|daemon_set| {
                let nodes = simulation
                    .store
                    .pods_owned_by(&daemon_set.metadata.uid)
                    .filter_map(|key| simulation.store.pod(key))
                    .filter_map(|pod| pod.spec.node_name_or_target())
                    .collect();
                (daemon_set, nodes)
            })
            .collect();
        let pending = simulation
            .pods()
            .filter(|pod| pod.spec.node_name.is_empty() && !pod.metadata.is_terminating())
            .map(|pod| (pod, crate::store::pod_requests(pod)))
            .collect();
        WhyNot { daemon_sets, pending }
    }

    /// `NodeShouldRunDaemonPod` for each DaemonSet without a pod on the node, the scheduler's
    /// filters for each pending pod. A daemon pod waiting for another node is not listed (its
    /// affinity names that node).
    fn reasons(&self, simulation: &Simulation, node: &crate::api::Node) -> Vec<String> {
        let name = node.metadata.name.as_str();
        let mut reasons = Vec::new();
        for (daemon_set, nodes) in &self.daemon_sets {
            if nodes.contains(name) {
                continue;
            }
            let placement = crate::controller::daemonset::node_should_run_daemon_pod(daemon_set, node);
            if let (false, Some(reason)) = (placement.should_run, placement.reason) {
                reasons.push(format!("daemonset/{}: {reason}", daemon_set.metadata.name));
            }
        }
        if self.pending.is_empty() {
            return reasons;
        }
        let usage = simulation.store.node_usage(name).cloned().unwrap_or_default();
        let snapshot = crate::scheduler::SnapshotNode::new(node.clone(), 0);
        for (pod, requests) in &self.pending {
            if pod.spec.node_name_or_target().is_some_and(|target| target != name) {
                continue;
            }
            match crate::scheduler::filter_node(&pod.spec, requests, &snapshot, &usage) {
                crate::scheduler::Verdict::Fits => {}
                crate::scheduler::Verdict::Unresolvable(why) | crate::scheduler::Verdict::Unschedulable(why) => {
                    reasons.push(format!("pod/{}: {}", pod.metadata.name, why.join(", ")));
                }
            }
        }
        reasons
    }
}

#[cfg(test)]
mod tests {
    use crate::session::Session;
    use crate::time::SECOND_MS;

    fn why_not(session: &Session, node: &str) -> Vec<String> {
        let snapshot = session.simulation.snapshot();
        snapshot
            .nodes
            .into_iter()
            .find(|view| view.name == node)
            .map(|view| view.why_not)
            .unwrap_or_default()
    }

    #[test]
    fn node_cards_say_why_a_daemon_set_or_a_pending_pod_is_not_there() {
        let text = "nodes:\n  - {name: c1, labels: {os: centos}}\n  - {name: u1, labels: {os: ubuntu}}\nmanifests: |\n  apiVersion: apps/v1\n  kind: DaemonSet\n  metadata: {name: ds1}\n  spec:\n    selector: {matchLabels: {app: a}}\n    template:\n      metadata: {labels: {app: a}}\n      spec:\n        nodeSelector: {os: centos}\n        containers: [{name: a, image: a}]\n  ---\n  apiVersion: v1\n  kind: Pod\n  metadata: {name: big}\n  spec:\n    containers:\n    - name: big\n      image: big\n      resources: {requests: {cpu: '64'}}\n";
        let mut session = Session::load(text, 3).expect("loads");
        session.advance_to(5 * SECOND_MS).expect("plays");
        let ubuntu = why_not(&session, "u1");
        assert_eq!(
            ubuntu,
            [
                "daemonset/ds1: node(s) didn't match Pod's node affinity/selector",
                "pod/big: Insufficient cpu"
            ]
        );
        assert_eq!(why_not(&session, "c1"), ["pod/big: Insufficient cpu"]);
    }
}
