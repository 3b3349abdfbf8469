//! View types: plain, serialisable pictures of the cluster for the UI, the wasm facade and the
//! CLI. Built from the simulation; never fed back into it.

use crate::sort::StableSort;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

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
    pub unscheduled: Vec<Arc<PodView>>,
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
    /// Shared: a pod that did not change keeps its view from one snapshot to the next (see
    /// [`PodViewCache`]), so comparing two snapshots' pods is mostly pointer comparisons.
    pub pods: Vec<Arc<PodView>>,
    /// What the node lifecycle controller is doing about it: silent kubelet, `NoExecute`
    /// taints, the countdown to the next eviction (`nodelifecycle::lifecycle_notes`).
    pub lifecycle: Vec<String>,
    /// Why not here: each DaemonSet that has no pod on this node and each Pending pod that
    /// cannot go to it, with the controller's or the scheduler's own reason
    /// (`daemonset/fluentd: node(s) had untolerated taint {...}`).
    pub why_not: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodView {
    /// The uid as the pod holds it (written as its text), so that `shows` compares 16 bytes.
    pub uid: crate::api::Uid,
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
    status_column(pod).into_owned()
}

/// [`pod_status_column`], borrowed from the pod where it can be.
fn status_column(pod: &Pod) -> Cow<'_, str> {
    if pod.metadata.is_terminating() && !pod.status.phase.is_terminal() {
        return Cow::Borrowed("Terminating");
    }
    if !pod.status.reason.is_empty() {
        return Cow::Borrowed(pod.status.reason.as_str());
    }
    let mut reason = Cow::Borrowed(pod.status.phase.as_str());
    // Last to first, so the first container's reason wins, as `printPod` does.
    for status in pod.status.container_statuses.iter().rev() {
        match &status.state {
            ContainerState::Waiting { reason: waiting, .. } if !waiting.is_empty() => reason = Cow::Borrowed(waiting),
            ContainerState::Terminated {
                reason: terminated,
                exit_code,
                ..
            } => {
                reason = if terminated.is_empty() {
                    Cow::Owned(format!("ExitCode:{exit_code}"))
                } else {
                    Cow::Borrowed(terminated)
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
        // A container still runs: `Running` if the pod is Ready, else `NotReady`.
        reason = Cow::Borrowed(if pod.is_ready() { "Running" } else { "NotReady" });
    }
    reason
}

impl PodView {
    pub fn of(pod: &Pod) -> Self {
        PodView {
            uid: pod.metadata.uid.clone(),
            name: pod.metadata.name.clone(),
            namespace: pod.metadata.namespace.to_string(),
            phase: pod.status.phase.as_str().to_string(),
            status: pod_status_column(pod),
            owner: pod
                .metadata
                .controller_of()
                .map(|owner| format!("{}/{}", owner.kind.to_lowercase(), owner.name)),
            node: (!pod.spec.node_name.is_empty()).then(|| pod.spec.node_name.to_string()),
        }
    }

    /// Whether this view is what [`PodView::of`] would make of `pod` now, field by field,
    /// without allocating.
    pub fn shows(&self, pod: &Pod) -> bool {
        // `kind` was lower-cased whole by `of`: where it equals the owner's kind but for ASCII
        // case, it is that kind lower-cased (a kind with other upper-case letters differs in
        // bytes and is made again).
        let owner_matches = || match (&self.owner, pod.metadata.controller_of()) {
            (None, None) => true,
            (Some(shown), Some(owner)) => shown.split_once('/').is_some_and(|(kind, name)| {
                name == owner.name
                    && kind.eq_ignore_ascii_case(&owner.kind)
                    && !kind.bytes().any(|byte| byte.is_ascii_uppercase())
            }),
            _ => false,
        };
        // What changes most often first.
        self.uid == pod.metadata.uid
            && self.phase == pod.status.phase.as_str()
            && self.status == status_column(pod)
            && self.node.as_deref().unwrap_or("") == pod.spec.node_name
            && self.name == pod.metadata.name
            && self.namespace == pod.metadata.namespace
            && owner_matches()
    }
}

/// The pod views of the last snapshot, per node ("" for the pods not bound yet) with the
/// node's count of pod writes they were made at, so that the next snapshot reuses a node's
/// views whole if no pod there was written since, and the view of every pod that did not
/// change otherwise. The playground takes a snapshot on every frame while playing; a cluster of
/// thousands of pods changes a few of them per frame.
///
/// A snapshot can also be taken within a budget of pods to look at
/// ([`Simulation::snapshot_within`]): nodes whose pods changed beyond the budget keep their
/// last views for now (they are counted in [`PodViewCache::stale_nodes`]), and the next
/// snapshot starts with them, so every node catches up within a few snapshots.
#[derive(Debug, Default, Clone)]
pub struct PodViewCache {
    nodes: crate::fasthash::FastMap<String, (crate::store::StoreIdentity, u64, Vec<Arc<PodView>>)>,
    /// Where the next snapshot within a budget starts looking at changed nodes (by index in
    /// node order): the first node the last one left behind.
    next_node: usize,
    /// How many nodes the last snapshot showed with older pod views than the store's.
    stale_nodes: usize,
}

impl PodViewCache {
    /// How many nodes the last snapshot showed with older pods than the store holds (0 after a
    /// snapshot without a budget).
    pub fn stale_nodes(&self) -> usize {
        self.stale_nodes
    }

    /// Which of `nodes` (in node order) this snapshot makes the pod views of anew: every node
    /// whose pods changed, starting where the last snapshot left off, as long as the pods to
    /// look at stay within `pods_budget` (at least one node, and always a node seen for the
    /// first time). The others keep their last views.
    fn choose_refreshed(&mut self, simulation: &Simulation, nodes: &[&str], mut pods_budget: usize) -> Vec<bool> {
        let mut refreshed = vec![true; nodes.len()];
        self.stale_nodes = 0;
        if nodes.is_empty() {
            return refreshed;
        }
        let start = self.next_node % nodes.len();
        let mut first_left = None;
        let mut any_refreshed = false;
        for offset in 0..nodes.len() {
            let index = (start + offset) % nodes.len();
            let node = nodes[index];
            // Only nodes seen before whose pods were written since can be left behind.
            match self.nodes.get(node) {
                Some((seen_store, seen_writes, _))
                    if (*seen_store, *seen_writes) != simulation.store.pod_writes_on(node) => {}
                _ => continue,
            }
            let cost = simulation.store.pod_count_on(node);
            if cost <= pods_budget || !any_refreshed {
                pods_budget = pods_budget.saturating_sub(cost);
                any_refreshed = true;
            } else {
                refreshed[index] = false;
                self.stale_nodes += 1;
                first_left.get_or_insert(index);
            }
        }
        if let Some(index) = first_left {
            self.next_node = index;
        }
        refreshed
    }

    /// The views of the pods on `node` ("": not bound yet), in key order; with `refresh`
    /// false, the views kept from the last snapshot if there are any.
    fn pods_on(&mut self, simulation: &Simulation, node: &str, refresh: bool) -> Vec<Arc<PodView>> {
        let (store, writes) = simulation.store.pod_writes_on(node);
        if let Some((seen_store, seen_writes, views)) = self.nodes.get(node) {
            if !refresh || (*seen_store, *seen_writes) == (store, writes) {
                return views.clone();
            }
        }
        let keys: Box<dyn Iterator<Item = &crate::store::ObjectKey>> = if node.is_empty() {
            Box::new(simulation.store.pods_unbound())
        } else {
            Box::new(simulation.store.pods_on_node(node))
        };
        let pods = keys.filter_map(|key| simulation.store.pod(key));
        let before = self.nodes.get(node).map_or(&[][..], |(_, _, views)| views.as_slice());
        // Both lists are in key order (namespace, then name): walk them side by side.
        let mut next = 0;
        let views: Vec<Arc<PodView>> = pods
            .map(|pod| {
                let key = (pod.metadata.namespace.as_str(), pod.metadata.name.as_str());
                while before
                    .get(next)
                    .is_some_and(|view| (view.namespace.as_str(), view.name.as_str()) < key)
                {
                    next += 1;
                }
                match before.get(next) {
                    Some(view) if view.shows(pod) => {
                        next += 1;
                        Arc::clone(view)
                    }
                    _ => Arc::new(PodView::of(pod)),
                }
            })
            .collect();
        self.nodes.insert(node.to_string(), (store, writes, views.clone()));
        views
    }

    /// Forgets the nodes that are gone.
    fn forget_removed_nodes(&mut self, simulation: &Simulation) {
        self.nodes
            .retain(|node, _| node.is_empty() || simulation.store.nodes.contains_key(node));
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
        type Key<'a> = (&'a str, Cow<'a, str>, &'a str, &'a str, Cow<'a, str>, &'a str);
        let mut index: std::collections::BTreeMap<Key<'_>, usize> = std::collections::BTreeMap::new();
        let mut objects: Vec<EventObject> = Vec::new();
        for event in self.events() {
            let key = (
                &*event.namespace,
                event.object(),
                event.event_type.as_str(),
                event.reason.as_str(),
                event.message(),
                event.source.as_str(),
            );
            match index.get(&key) {
                Some(&position) => {
                    let object = &mut objects[position];
                    object.count += 1;
                    object.last_timestamp_ms = event.time_ms;
                }
                None => {
                    let object = key.1.to_string();
                    let message = key.4.to_string();
                    index.insert(key, objects.len());
                    objects.push(EventObject {
                        event_type: event.event_type.as_str(),
                        reason: event.reason.as_str(),
                        object,
                        namespace: event.namespace.to_string(),
                        message,
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
        self.snapshot_reusing(&mut PodViewCache::default())
    }

    /// [`Simulation::snapshot`], reusing the pod views of the previous snapshot taken with
    /// the same cache for pods that did not change.
    pub fn snapshot_reusing(&self, cache: &mut PodViewCache) -> Snapshot {
        self.snapshot_within(cache, usize::MAX)
    }

    /// [`Simulation::snapshot_reusing`], looking at no more than about `pods_budget` pods of
    /// the nodes whose pods changed: the playground, playing fast, spreads a frame's burst of
    /// changes (a Job's wave of pods finishing and starting on most nodes at once) over the
    /// next few frames instead of missing the frame. Nodes left behind keep their last pod
    /// views ([`PodViewCache::stale_nodes`] counts them) and come first next time; a node's
    /// state, labels, taints, requested resources and reasons are always current.
    pub fn snapshot_within(&self, cache: &mut PodViewCache, pods_budget: usize) -> Snapshot {
        let why_not = WhyNot::gather(self);
        let names: Vec<&str> = self.nodes().map(|node| node.metadata.name.as_str()).collect();
        let refreshed = cache.choose_refreshed(self, &names, pods_budget);
        let nodes = self
            .nodes()
            .zip(refreshed)
            .map(|(node, refreshed)| {
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
                    pods: cache.pods_on(self, &node.metadata.name, refreshed),
                }
            })
            .collect();
        let unscheduled = cache.pods_on(self, "", true);
        cache.forget_removed_nodes(self);
        Snapshot {
            time_ms: self.now(),
            nodes,
            unscheduled,
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
            .store
            .pods_unbound()
            .filter_map(|key| simulation.store.pod(key))
            .filter(|pod| !pod.metadata.is_terminating())
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

    /// `printPod`: a pod whose first container completed while another still runs reads
    /// `NotReady` (it is not Ready), not `Running`.
    #[test]
    fn a_pod_with_a_completed_and_a_running_container_is_not_ready() {
        let text = "manifests: |\n  apiVersion: v1\n  kind: Pod\n  metadata: {name: two}\n  spec:\n    restartPolicy: OnFailure\n    containers:\n    - {name: quick, image: busybox, command: [sleep, '5']}\n    - {name: slow, image: nginx, command: [sleep, '60']}\n";
        let mut session = Session::load(text, 3).expect("loads");
        session.advance_to(3 * SECOND_MS).expect("plays");
        let status =
            |session: &Session| super::pod_status_column(session.simulation.pod("default", "two").expect("the pod"));
        assert_eq!(status(&session), "Running");
        session.advance_to(10 * SECOND_MS).expect("plays");
        assert_eq!(status(&session), "NotReady");
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

    /// Snapshots within a budget show each node either as it is or as the last snapshot
    /// showed it, leave behind only what the budget did not cover, and catch up: once the
    /// run stops changing, a few of them make the very snapshot an unlimited one makes.
    #[test]
    fn snapshots_within_a_budget_catch_up_with_the_store() {
        let text = "nodes:\n  - {count: 6, prefix: node}\nmanifests: |\n  apiVersion: batch/v1\n  kind: Job\n  metadata: {name: wave}\n  spec:\n    completions: 60\n    parallelism: 12\n    template:\n      spec:\n        restartPolicy: Never\n        containers: [{name: c, image: busybox, command: [sleep, '10']}]\n";
        let mut session = Session::load(text, 3).expect("loads");
        let mut cache = super::PodViewCache::default();
        let mut shown = session.simulation.snapshot_within(&mut cache, 3);
        let mut ever_behind = false;
        for second in 1..=70 {
            session.advance_to(second * SECOND_MS).expect("plays");
            let fresh = session.simulation.snapshot();
            let within = session.simulation.snapshot_within(&mut cache, 3);
            let mut behind = 0;
            for ((node, now), before) in within.nodes.iter().zip(&fresh.nodes).zip(&shown.nodes) {
                assert_eq!(node.name, now.name);
                assert_eq!(
                    node.cpu_requested_milli, now.cpu_requested_milli,
                    "usage is always current"
                );
                if node.pods != now.pods {
                    assert_eq!(
                        node.pods, before.pods,
                        "{} at {second}s: stale means as shown last",
                        node.name
                    );
                    behind += 1;
                }
            }
            assert_eq!(within.unscheduled, fresh.unscheduled);
            assert_eq!(behind, cache.stale_nodes(), "at {second}s");
            ever_behind |= behind > 0;
            shown = within;
        }
        assert!(
            ever_behind,
            "the budget of 3 pods must leave nodes behind in a wave of 12 pods"
        );
        // The Job finished at 50s; nothing changes from here on.
        for _ in 0..6 {
            shown = session.simulation.snapshot_within(&mut cache, 3);
        }
        assert_eq!(cache.stale_nodes(), 0);
        assert_eq!(shown, session.simulation.snapshot());
    }

    /// A snapshot that reuses the last one's pod views equals a fresh one at every moment of
    /// a run where pods are created, start, fail, restart, finish and are deleted; and a pod
    /// that did not change keeps the very same view.
    #[test]
    fn reused_pod_views_are_the_views_a_fresh_snapshot_makes() {
        let text = "nodes:\n  - {count: 2, prefix: node}\nmanifests: |\n  apiVersion: batch/v1\n  kind: Job\n  metadata: {name: j}\n  spec:\n    completions: 6\n    parallelism: 2\n    backoffLimit: 2\n    template:\n      metadata:\n        annotations: {kubarium.io/fail-first: '1'}\n      spec:\n        restartPolicy: Never\n        containers: [{name: c, image: busybox, command: [sleep, '7']}]\n  ---\n  apiVersion: v1\n  kind: Pod\n  metadata: {name: steady}\n  spec:\n    containers: [{name: c, image: nginx}]\n  ---\n  apiVersion: v1\n  kind: Pod\n  metadata: {name: crash}\n  spec:\n    containers: [{name: c, image: nginx, command: [sh, -c, 'exit 3']}]\nactions:\n  - {at: 20s, do: delete pod steady}\n";
        let mut session = Session::load(text, 7).expect("loads");
        let mut cache = super::PodViewCache::default();
        let mut previous = session.simulation.snapshot_reusing(&mut cache);
        let (mut reused, mut rebuilt) = (0, 0);
        for second in 1..=90 {
            session.advance_to(second * SECOND_MS).expect("plays");
            let fresh = session.simulation.snapshot();
            let cached = session.simulation.snapshot_reusing(&mut cache);
            assert_eq!(cached, fresh, "at {second}s");
            let before = previous.nodes.iter().flat_map(|node| &node.pods);
            for pod in cached.nodes.iter().flat_map(|node| &node.pods) {
                match before.clone().find(|old| old.uid == pod.uid) {
                    Some(old) if old == pod => {
                        assert!(std::sync::Arc::ptr_eq(old, pod), "{} at {second}s", pod.name);
                        reused += 1;
                    }
                    _ => rebuilt += 1,
                }
            }
            previous = cached;
        }
        assert!(reused > 100 && rebuilt > 10, "reused {reused}, rebuilt {rebuilt}");
        // Back in time and down another branch: the replayed simulation counts its writes from
        // zero again, and its pods differ; the cache must not take them for the old ones.
        session.rewind_to(15 * SECOND_MS).expect("rewinds");
        session.run_command("delete pod crash").expect("deletes");
        for second in 16..=60 {
            session.advance_to(second * SECOND_MS).expect("plays");
            let cached = session.simulation.snapshot_reusing(&mut cache);
            assert_eq!(cached, session.simulation.snapshot(), "after the rewind, at {second}s");
        }
    }

    #[test]
    fn a_pod_view_shows_only_the_pod_it_was_made_of() {
        let text = "nodes:\n  - {name: n1}\nmanifests: |\n  apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n  spec:\n    containers: [{name: c, image: nginx}]\n";
        let mut session = Session::load(text, 1).expect("loads");
        session.advance_to(30 * SECOND_MS).expect("plays");
        let pod = session.simulation.pod("default", "p").expect("pod").clone();
        let view = super::PodView::of(&pod);
        assert!(view.shows(&pod));
        let mut renamed = pod.clone();
        renamed.metadata.name = "q".into();
        let mut moved = pod.clone();
        moved.spec.node_name = "n2".into();
        let mut terminating = pod.clone();
        terminating.metadata.deletion_timestamp_ms = Some(1);
        let mut failed = pod.clone();
        failed.status.reason = "Evicted".into();
        for (what, changed) in [
            ("name", renamed),
            ("node", moved),
            ("deletion", terminating),
            ("reason", failed),
        ] {
            assert!(!view.shows(&changed), "{what}");
            assert!(super::PodView::of(&changed).shows(&changed), "{what}");
        }
    }

    /// Two simulations whose nodes saw the same number of pod writes still show their own
    /// pods through one cache (the playground keeps its cache across applies and rewinds).
    #[test]
    fn one_cache_serves_simulations_that_wrote_as_often() {
        let cluster = |pod: &str| {
            format!("nodes:\n  - {{name: n1}}\nmanifests: |\n  apiVersion: v1\n  kind: Pod\n  metadata: {{name: {pod}}}\n  spec:\n    containers: [{{name: c, image: nginx}}]\n")
        };
        let mut cache = super::PodViewCache::default();
        for pod in ["first", "second"] {
            let mut session = Session::load(&cluster(pod), 1).expect("loads");
            session.advance_to(30 * SECOND_MS).expect("plays");
            let snapshot = session.simulation.snapshot_reusing(&mut cache);
            assert_eq!(snapshot.nodes[0].pods[0].name, pod);
        }
    }
}
