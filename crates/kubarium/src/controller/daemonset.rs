//! The DaemonSet controller (`pkg/controller/daemon/daemon_controller.go`).
//!
//! `sync` follows `syncDaemonSet`: `constructHistory` finds or makes the ControllerRevision of
//! the current template (its hash labels new pods); `manage` decides per node, with
//! `NodeShouldRunDaemonPod`, whether a daemon pod should run there and whether an existing one
//! may continue, creating missing pods (bound to their node through required node affinity,
//! placed by the default scheduler) and deleting the others; `rollingUpdate`
//! (`pkg/controller/daemon/update.go`) replaces out-of-date pods within `maxUnavailable` or
//! `maxSurge`; `cleanupHistory` prunes old revisions; `updateDaemonSetStatus` writes the counts.
//! The per-node decisions are pure functions over [`NodePods`], tested in `daemonset/tests.rs`.

use crate::api::{
    ControllerRevision, DaemonSet, Node, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm,
    ObjectMeta, OwnerReference, Pod, PodPhase, Toleration, CONTROLLER_REVISION_HASH_LABEL,
    POD_TEMPLATE_GENERATION_LABEL,
};
use crate::sort::StableSort;
use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::nodelifecycle::{TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE};
use crate::scheduler;
use crate::sim::{ObjectKey, Simulation};
use crate::time::Millis;

const SOURCE: &str = "daemonset-controller";

/// `NodeShouldRunDaemonPod`'s answer for one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// A daemon pod should be created here.
    pub should_run: bool,
    /// An existing daemon pod may stay.
    pub should_continue_running: bool,
    /// Why not, in the scheduler's words, when the pod should not run.
    pub reason: Option<String>,
}

/// `NodeShouldRunDaemonPod` over `predicates`: the node name (if the template pins one), node
/// affinity and selector, and taints: untolerated `NoSchedule` taints keep new pods off but let
/// running ones stay; untolerated `NoExecute` taints do neither.
pub fn node_should_run_daemon_pod(daemon_set: &DaemonSet, node: &Node) -> Placement {
    node_should_run_with(daemon_set, &daemon_tolerations(daemon_set), node)
}

/// The tolerations a daemon pod of this DaemonSet carries.
fn daemon_tolerations(daemon_set: &DaemonSet) -> crate::api::PodSpec {
    let mut spec = crate::api::PodSpec {
        tolerations: daemon_set.spec.template.spec.tolerations.clone(),
        ..crate::api::PodSpec::default()
    };
    add_daemon_tolerations(spec.tolerations.to_mut(), daemon_set.spec.template.spec.host_network);
    spec
}

/// `node_should_run_daemon_pod` with the daemon pod's tolerations computed once per sync.
fn node_should_run_with(daemon_set: &DaemonSet, spec: &crate::api::PodSpec, node: &Node) -> Placement {
    let refuse = |reason: String, continue_running: bool| Placement {
        should_run: false,
        should_continue_running: continue_running,
        reason: Some(reason),
    };
    if !daemon_set.spec.template.spec.node_name.is_empty()
        && daemon_set.spec.template.spec.node_name != node.metadata.name
    {
        return refuse(scheduler::REASON_NODE_NAME.to_string(), false);
    }
    if !scheduler::node_affinity_matches(&daemon_set.spec.template.spec, node) {
        return refuse(scheduler::REASON_NODE_AFFINITY.to_string(), false);
    }
    if let Some(taint) = scheduler::untolerated_taint(spec, &node.spec.taints, &["NoExecute"]) {
        return refuse(
            format!("node(s) had untolerated taint {}", taint.scheduler_string()),
            false,
        );
    }
    if let Some(taint) = scheduler::untolerated_taint(spec, &node.spec.taints, &["NoSchedule"]) {
        return refuse(
            format!("node(s) had untolerated taint {}", taint.scheduler_string()),
            true,
        );
    }
    Placement {
        should_run: true,
        should_continue_running: true,
        reason: None,
    }
}

/// `AddOrUpdateDaemonPodTolerations` (`pkg/controller/daemon/util/daemonset_util.go`): daemon
/// pods tolerate node conditions forever.
pub fn add_daemon_tolerations(tolerations: &mut Vec<Toleration>, host_network: bool) {
    let mut wanted = vec![
        (TAINT_NOT_READY, "NoExecute"),
        (TAINT_UNREACHABLE, "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        (TAINT_UNSCHEDULABLE, "NoSchedule"),
    ];
    if host_network {
        wanted.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    for (key, effect) in wanted {
        // `AddOrUpdateTolerationInPodSpec`: a toleration of the same key, operator, value and
        // effect is replaced where it stands (its `tolerationSeconds` dropped); else the
        // controller's is added at the end.
        let wanted = Toleration {
            key: Cow::Borrowed(key),
            operator: Cow::Borrowed("Exists"),
            value: Cow::Borrowed(""),
            effect: Cow::Borrowed(effect),
            toleration_seconds: None,
        };
        let same = |toleration: &Toleration| {
            toleration.key == wanted.key
                && toleration.operator == wanted.operator
                && toleration.value == wanted.value
                && toleration.effect == wanted.effect
        };
        let mut found = false;
        for toleration in tolerations.iter_mut().filter(|toleration| same(toleration)) {
            *toleration = wanted.clone();
            found = true;
        }
        if !found {
            tolerations.push(wanted);
        }
    }
}

/// The spec of a daemon pod for `node_name`: the template's, with the controller's tolerations
/// and the node pinned through required node affinity
/// (`ReplaceDaemonSetPodNodeNameNodeAffinity`).
fn daemon_pod_spec(daemon_set: &DaemonSet, node_name: &str) -> crate::api::PodSpec {
    let mut spec = daemon_set.spec.template.spec.clone();
    add_daemon_tolerations(spec.tolerations.to_mut(), spec.host_network);
    let required = NodeSelector {
        node_selector_terms: vec![NodeSelectorTerm {
            match_expressions: Vec::new(),
            match_fields: vec![NodeSelectorRequirement {
                key: "metadata.name".to_string(),
                operator: "In".to_string(),
                values: vec![node_name.to_string()],
            }],
        }],
    };
    let mut affinity = spec.affinity.take().unwrap_or_default();
    affinity
        .node_affinity
        .get_or_insert_with(NodeAffinity::default)
        .required_during_scheduling_ignored_during_execution = Some(required);
    spec.affinity = Some(affinity);
    spec
}

/// What the controller looks at in one daemon pod when it decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonPod {
    pub name: String,
    /// Made from the current template (`util.IsPodUpdated`: its revision hash or its template
    /// generation matches).
    pub updated: bool,
    /// Being deleted (`deletionTimestamp` set).
    pub terminating: bool,
    pub phase: PodPhase,
    /// Bound to its node (pending daemon pods are grouped by their target node).
    pub scheduled: bool,
    pub created_ms: Millis,
    /// Since when the pod has been Ready, if it is.
    pub ready_since_ms: Option<Millis>,
}

impl DaemonPod {
    /// `template_generation` is the DaemonSet's, written as the pod label holds it.
    fn from_pod(pod: &Pod, hash: &str, template_generation: Option<&str>) -> Self {
        let labels = &pod.metadata.labels;
        let hash_matches =
            !hash.is_empty() && labels.get(CONTROLLER_REVISION_HASH_LABEL).map(String::as_str) == Some(hash);
        let generation_matches = template_generation.is_some_and(|generation| {
            labels.get(POD_TEMPLATE_GENERATION_LABEL).map(String::as_str) == Some(generation)
        });
        DaemonPod {
            name: pod.metadata.name.clone(),
            updated: hash_matches || generation_matches,
            terminating: pod.metadata.deletion_timestamp_ms.is_some(),
            phase: pod.status.phase,
            scheduled: !pod.spec.node_name.is_empty(),
            created_ms: pod.metadata.creation_timestamp_ms,
            ready_since_ms: pod
                .status
                .conditions
                .iter()
                .find(|condition| condition.condition_type == "Ready" && condition.status == "True")
                .map(|condition| condition.last_transition_time_ms),
        }
    }

    fn is_ready(&self) -> bool {
        self.ready_since_ms.is_some()
    }

    /// `podutil.IsPodAvailable`: ready for at least `minReadySeconds`. (Kubernetes compares
    /// second-resolution timestamps with a strict "before"; the simulation's clock is exact, so
    /// a pod is available at the very millisecond its `minReadySeconds` are over.)
    fn is_available(&self, min_ready_ms: Millis, now: Millis) -> bool {
        self.ready_since_ms
            .is_some_and(|since| min_ready_ms == 0 || since.saturating_add(min_ready_ms) <= now)
    }
}

/// `podByCreationTimestampAndPhase`: scheduled pods first, then oldest first, then by name.
fn sort_oldest_first(pods: &mut [&DaemonPod]) {
    pods.stable_sort_by(|a, b| {
        b.scheduled
            .cmp(&a.scheduled)
            .then(a.created_ms.cmp(&b.created_ms))
            .then_with(|| a.name.cmp(&b.name))
    });
}

/// Why the controller deletes a pod, for the event it records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteReason {
    /// An ordinary deletion (`SuccessfulDelete` only).
    Plain,
    /// A failed daemon pod (`FailedDaemonPod` warning first).
    Failed,
    /// A succeeded daemon pod (`SucceededDaemonPod` first).
    Succeeded,
}

/// What `podsShouldBeOnNode` decides for one node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeDecision {
    pub create: bool,
    pub delete: Vec<(String, DeleteReason)>,
}

/// How the update strategy lets a rollout go, for the pure decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rollout {
    pub allows_surge: bool,
    pub min_ready_ms: Millis,
    pub now: Millis,
}

/// `podsShouldBeOnNode` (`daemon_controller.go`). `pods` is `None` when the node has no daemon
/// pod at all (the map has no entry for it), `Some` (possibly only terminating pods) otherwise.
pub fn pods_should_be_on_node(placement: &Placement, pods: Option<&[DaemonPod]>, rollout: Rollout) -> NodeDecision {
    let mut decision = NodeDecision::default();
    match pods {
        None if placement.should_run => decision.create = true,
        None => {}
        Some(pods) if placement.should_continue_running => {
            let mut running: Vec<&DaemonPod> = Vec::new();
            for pod in pods.iter().filter(|pod| !pod.terminating) {
                match pod.phase {
                    PodPhase::Failed => decision.delete.push((pod.name.clone(), DeleteReason::Failed)),
                    PodPhase::Succeeded => decision.delete.push((pod.name.clone(), DeleteReason::Succeeded)),
                    _ => running.push(pod),
                }
            }
            sort_oldest_first(&mut running);
            if !rollout.allows_surge {
                // More than one running pod: all but the oldest go.
                for pod in running.iter().skip(1) {
                    decision.delete.push((pod.name.clone(), DeleteReason::Plain));
                }
                return decision;
            }
            if running.len() <= 1 {
                // Surging needs at least one pod on the node that is not being deleted.
                decision.create = running.is_empty() && placement.should_run;
                return decision;
            }
            // Two pods may stay only while the oldest new one is not yet available and the
            // oldest old one is ready; all others go.
            let mut oldest_new: Option<&DaemonPod> = None;
            let mut oldest_old: Option<&DaemonPod> = None;
            for pod in running {
                let slot = if pod.updated { &mut oldest_new } else { &mut oldest_old };
                if slot.is_none() {
                    *slot = Some(pod);
                } else {
                    decision.delete.push((pod.name.clone(), DeleteReason::Plain));
                }
            }
            if let (Some(new), Some(old)) = (oldest_new, oldest_old) {
                if !old.is_ready() || new.is_available(rollout.min_ready_ms, rollout.now) {
                    decision.delete.push((old.name.clone(), DeleteReason::Plain));
                }
            }
        }
        Some(pods) if !placement.should_continue_running => {
            for pod in pods.iter().filter(|pod| !pod.terminating) {
                decision.delete.push((pod.name.clone(), DeleteReason::Plain));
            }
        }
        Some(_) => {}
    }
    decision
}

/// One node as `rollingUpdate` sees it: its daemon pods and whether a daemon pod should run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RolloutNode {
    pub pods: Vec<DaemonPod>,
    pub should_run: bool,
}

/// What `rollingUpdate` does: pods to delete and nodes to give a new pod (surge).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RolloutPlan {
    pub delete: Vec<String>,
    pub create_on: Vec<String>,
}

/// `findUpdatedPodsOnNode`: the one new and the one old pod not being deleted, or `None` when
/// there are more (the manage loop prunes them first).
fn find_updated_pods_on_node(pods: &[DaemonPod]) -> Option<(Option<&DaemonPod>, Option<&DaemonPod>)> {
    let mut new_pod = None;
    let mut old_pod = None;
    for pod in pods.iter().filter(|pod| !pod.terminating) {
        let slot = if pod.updated { &mut new_pod } else { &mut old_pod };
        if slot.is_some() {
            return None;
        }
        *slot = Some(pod);
    }
    Some((new_pod, old_pod))
}

/// The rollout's limits: `maxSurge` and `maxUnavailable` scaled to the desired number of pods
/// (`updatedDesiredNodeCounts`, `util.SurgeCount`, `util.UnavailableCount`: percentages round
/// up); with both 0 the controller still accepts one unavailable pod.
pub fn rollout_limits(daemon_set: &DaemonSet, desired: usize) -> (usize, usize) {
    let desired_i64 = i64::try_from(desired).unwrap_or(i64::MAX);
    let rolling = daemon_set
        .spec
        .update_strategy
        .rolling_update
        .as_ref()
        .filter(|_| daemon_set.is_rolling_update());
    let scaled = |value: Option<&crate::api::IntOrString>| {
        value.map_or(0, |value| {
            usize::try_from(value.scaled_value(desired_i64, true)).unwrap_or(0)
        })
    };
    let max_surge = scaled(rolling.and_then(|rolling| rolling.max_surge.as_ref()));
    let mut max_unavailable = scaled(rolling.and_then(|rolling| rolling.max_unavailable.as_ref()));
    if desired > 0 && max_surge == 0 && max_unavailable == 0 {
        max_unavailable = 1;
    }
    (max_surge, max_unavailable)
}

/// `util.AllowsSurge`.
fn allows_surge(daemon_set: &DaemonSet) -> bool {
    rollout_limits(daemon_set, 1).0 != 0
}

/// `rollingUpdate` (`pkg/controller/daemon/update.go`), as a pure function of the nodes (every
/// node with daemon pods, and every node that should run one), the limits and the time.
/// Kubernetes walks the nodes in Go's random map order; the simulation goes by node name.
pub fn rolling_update_plan(
    nodes: &BTreeMap<String, RolloutNode>,
    max_surge: usize,
    max_unavailable: usize,
    desired: usize,
    rollout: Rollout,
) -> RolloutPlan {
    let available = |pod: &DaemonPod| pod.is_available(rollout.min_ready_ms, rollout.now);
    let mut plan = RolloutPlan::default();
    if max_surge == 0 {
        // Delete just enough old pods to stay within maxUnavailable; manage creates the new
        // ones. Deleted pods do not count as unavailable, so updates progress with nodes down.
        let mut unavailable = 0usize;
        let mut replacements: Vec<String> = Vec::new();
        let mut candidates: Vec<String> = Vec::new();
        for node in nodes.values() {
            let Some((new_pod, old_pod)) = find_updated_pods_on_node(&node.pods) else {
                unavailable += 1;
                continue;
            };
            match (new_pod, old_pod) {
                (None, None) | (Some(_), Some(_)) => unavailable += 1,
                (Some(new_pod), None) => unavailable += usize::from(!available(new_pod)),
                (None, Some(old_pod)) => {
                    if !available(old_pod) {
                        replacements.push(old_pod.name.clone());
                        unavailable += 1;
                    } else if unavailable < max_unavailable {
                        candidates.push(old_pod.name.clone());
                    }
                }
            }
        }
        let remaining = max_unavailable.saturating_sub(unavailable).min(candidates.len());
        plan.delete = replacements;
        plan.delete.extend(candidates.into_iter().take(remaining));
        return plan;
    }
    // Surging: a new pod starts beside an old one (at once where the old one is unavailable,
    // up to maxSurge at a time elsewhere); an old pod goes when the new one is available.
    let mut should_not_run: Vec<String> = Vec::new();
    let mut candidate_nodes: Vec<String> = Vec::new();
    let mut surge = 0usize;
    let mut available_count = 0usize;
    for (node_name, node) in nodes {
        let Some((new_pod, old_pod)) = find_updated_pods_on_node(&node.pods) else {
            surge += 1;
            continue;
        };
        if let Some(pod) = old_pod.or(new_pod) {
            available_count += usize::from(available(pod));
        }
        match (new_pod, old_pod) {
            (_, None) => {}
            (None, Some(old_pod)) => {
                if !available(old_pod) {
                    if node.should_run {
                        plan.create_on.push(node_name.clone());
                    } else {
                        plan.delete.push(old_pod.name.clone());
                    }
                } else if !node.should_run {
                    should_not_run.push(old_pod.name.clone());
                } else if surge < max_surge {
                    candidate_nodes.push(node_name.clone());
                }
            }
            (Some(new_pod), Some(old_pod)) => {
                if available(new_pod) {
                    plan.delete.push(old_pod.name.clone());
                } else {
                    surge += 1;
                }
            }
        }
    }
    // With maxSurge the owner expects full availability: a pod on a node that no longer
    // qualifies goes only when enough pods elsewhere are available.
    let deletable = available_count.saturating_sub(desired).min(should_not_run.len());
    plan.delete.extend(should_not_run.into_iter().take(deletable));
    let remaining = max_surge.saturating_sub(surge).min(candidate_nodes.len());
    plan.create_on.extend(candidate_nodes.into_iter().take(remaining));
    plan
}

/// The daemon pods by the node they are for (bound, or pinned by affinity while pending)
/// (`getNodesToDaemonPods`). Finished pods already being deleted are left out unless
/// `include_deleted_terminal`.
fn nodes_to_daemon_pods(
    simulation: &Simulation,
    daemon_set: &DaemonSet,
    hash: &str,
    include_deleted_terminal: bool,
) -> BTreeMap<String, Vec<DaemonPod>> {
    let template_generation = daemon_set
        .template_generation()
        .map(|generation| generation.to_string());
    let mut by_node: BTreeMap<String, Vec<DaemonPod>> = BTreeMap::new();
    for pod_key in simulation.store.pods_owned_by(&daemon_set.metadata.uid) {
        let Some(pod) = simulation.store.pod(pod_key) else {
            continue;
        };
        if pod
            .metadata
            .controller_of()
            .is_none_or(|owner| owner.uid != daemon_set.metadata.uid)
        {
            continue;
        }
        if !include_deleted_terminal && pod.status.phase.is_terminal() && pod.metadata.deletion_timestamp_ms.is_some() {
            continue;
        }
        if let Some(node_name) = pod.spec.node_name_or_target() {
            by_node
                .entry(node_name.to_string())
                .or_default()
                .push(DaemonPod::from_pod(pod, hash, template_generation.as_deref()));
        }
    }
    by_node
}

/// `syncDaemonSet`. Returns when to look again: at once after pods were created or deleted
/// (the real controller waits for its expectations, then syncs again before rolling), or when
/// the next ready pod has been ready for `minReadySeconds`. A pod the API server refused
/// (admission: quota, LimitRange) fails the sync as `updateDaemonSet` does: the rolling update
/// and the history cleanup are skipped, the status is still written, and `processNextWorkItem`
/// retries with the queue's rate limiter (`DefaultControllerRateLimiter`); a sync that
/// succeeds forgets the failures.
pub fn sync(simulation: &mut Simulation, key: &ObjectKey) -> Option<Millis> {
    let hash = construct_history(simulation, key)?;
    let daemon_set = simulation.store.daemon_sets.get(key)?.clone();
    let placements = placements(simulation, &daemon_set);
    let mut outcome = manage(simulation, &daemon_set, &placements, &hash);
    if outcome.error.is_none() {
        if !outcome.changed && daemon_set.is_rolling_update() {
            outcome = rolling_update(simulation, &daemon_set, &placements, &hash);
        }
        if outcome.error.is_none() {
            cleanup_history(simulation, &daemon_set, &hash);
        }
    }
    let requeue = update_status(simulation, key, &placements, &hash);
    let work = crate::sim::Work::SyncDaemonSet(key.clone());
    if outcome.error.is_some() {
        let delay = super::retry::failed(simulation, work, super::retry::CONTROLLER);
        // The pods that were created wake the controller at once (`addPod`).
        return Some(if outcome.created > 0 { 0 } else { delay });
    }
    super::retry::succeeded(simulation, &work);
    if outcome.changed {
        Some(0)
    } else {
        requeue
    }
}

/// Each node's name and `NodeShouldRunDaemonPod`'s answer for it, worked out once per sync (the
/// nodes do not change while the controller syncs).
fn placements(simulation: &Simulation, daemon_set: &DaemonSet) -> Vec<(String, Placement)> {
    let tolerations = daemon_tolerations(daemon_set);
    simulation
        .store
        .nodes
        .values()
        .map(|node| {
            (
                node.metadata.name.clone(),
                node_should_run_with(daemon_set, &tolerations, node),
            )
        })
        .collect()
}

/// `manage`: the per-node decisions, and pending pods pinned to nodes that no longer exist
/// (`getUnscheduledPodsWithoutNode`).
fn manage(
    simulation: &mut Simulation,
    daemon_set: &DaemonSet,
    placements: &[(String, Placement)],
    hash: &str,
) -> SyncNodesOutcome {
    let mut by_node = nodes_to_daemon_pods(simulation, daemon_set, hash, false);
    let rollout = Rollout {
        allows_surge: allows_surge(daemon_set),
        min_ready_ms: min_ready_ms(daemon_set),
        now: simulation.now(),
    };
    let mut create_on: Vec<String> = Vec::new();
    let mut delete: Vec<(String, String, DeleteReason)> = Vec::new();
    for (node_name, placement) in placements {
        let pods = by_node.remove(node_name);
        let decision = pods_should_be_on_node(placement, pods.as_deref(), rollout);
        if decision.create {
            create_on.push(node_name.clone());
        }
        for (pod, reason) in decision.delete {
            delete.push((pod, node_name.clone(), reason));
        }
    }
    for (node_name, pods) in by_node {
        for pod in pods.into_iter().filter(|pod| !pod.scheduled && !pod.terminating) {
            delete.push((pod.name, node_name.clone(), DeleteReason::Plain));
        }
    }
    sync_nodes(simulation, daemon_set, &delete, &create_on, hash)
}

/// `BurstReplicas`: the most pods one sync creates, and the most it deletes.
pub const BURST_REPLICAS: usize = 250;

/// What `syncNodes` did: whether it meant to create or delete anything, how many pods it
/// created, and the first error of a refused create.
#[derive(Debug, Default)]
struct SyncNodesOutcome {
    changed: bool,
    created: usize,
    error: Option<String>,
}

/// `syncNodes`: creates daemon pods on the given nodes (at most `BurstReplicas`, in
/// slow-start batches that stop after a batch with a refused pod) and deletes the given pods.
fn sync_nodes(
    simulation: &mut Simulation,
    daemon_set: &DaemonSet,
    delete: &[(String, String, DeleteReason)],
    create_on: &[String],
    hash: &str,
) -> SyncNodesOutcome {
    let object = format!("daemonset/{}", daemon_set.metadata.name);
    let namespace = &daemon_set.metadata.namespace;
    let create_count = create_on.len().min(BURST_REPLICAS);
    let mut nodes = create_on.iter();
    let (created, error) =
        super::replicaset::slow_start_batch(create_count, super::replicaset::SLOW_START_INITIAL_BATCH_SIZE, || {
            match nodes.next() {
                Some(node_name) => create_daemon_pod(simulation, daemon_set, node_name, hash),
                None => Ok(()),
            }
        });
    for (pod_name, node_name, reason) in delete.iter().take(BURST_REPLICAS) {
        match reason {
            DeleteReason::Plain => {}
            DeleteReason::Failed => simulation.record_event(
                "Warning",
                "FailedDaemonPod",
                object.clone(),
                namespace,
                format!("Found failed daemon pod {namespace}/{pod_name} on node {node_name}, will try to kill it"),
                SOURCE,
            ),
            DeleteReason::Succeeded => simulation.record_event(
                "Normal",
                "SucceededDaemonPod",
                object.clone(),
                namespace,
                format!("Found succeeded daemon pod {namespace}/{pod_name} on node {node_name}, will try to delete it"),
                SOURCE,
            ),
        }
        delete_daemon_pod(simulation, daemon_set, &ObjectKey::new(namespace, pod_name));
    }
    SyncNodesOutcome {
        changed: !create_on.is_empty() || !delete.is_empty(),
        created,
        error,
    }
}

fn min_ready_ms(daemon_set: &DaemonSet) -> Millis {
    Millis::try_from(daemon_set.spec.min_ready_seconds.max(0)).unwrap_or(0) * crate::time::SECOND_MS
}

/// `rollingUpdate`: gathers the nodes and the limits, plans, and carries the plan out.
fn rolling_update(
    simulation: &mut Simulation,
    daemon_set: &DaemonSet,
    placements: &[(String, Placement)],
    hash: &str,
) -> SyncNodesOutcome {
    let mut rollout_nodes: BTreeMap<String, RolloutNode> = nodes_to_daemon_pods(simulation, daemon_set, hash, false)
        .into_iter()
        .map(|(node_name, pods)| {
            (
                node_name,
                RolloutNode {
                    pods,
                    should_run: false,
                },
            )
        })
        .collect();
    let mut desired = 0usize;
    for (node_name, placement) in placements {
        if placement.should_run {
            desired += 1;
            rollout_nodes.entry(node_name.clone()).or_default().should_run = true;
        }
    }
    let (max_surge, max_unavailable) = rollout_limits(daemon_set, desired);
    let rollout = Rollout {
        allows_surge: max_surge != 0,
        min_ready_ms: min_ready_ms(daemon_set),
        now: simulation.now(),
    };
    let plan = rolling_update_plan(&rollout_nodes, max_surge, max_unavailable, desired, rollout);
    let delete: Vec<(String, String, DeleteReason)> = plan
        .delete
        .into_iter()
        .map(|pod| (pod, String::new(), DeleteReason::Plain))
        .collect();
    let mut outcome = sync_nodes(simulation, daemon_set, &delete, &plan.create_on, hash);
    // The rolling update's creates and deletes are seen at the next sync, as before.
    outcome.changed = false;
    outcome
}

/// `CreatePods` for one node: a pod the API server refuses (admission) is a `FailedCreate`
/// event (`createPods` in `pkg/controller/controller_utils.go`) and the error.
fn create_daemon_pod(
    simulation: &mut Simulation,
    daemon_set: &DaemonSet,
    node_name: &str,
    hash: &str,
) -> Result<(), String> {
    let template = &daemon_set.spec.template;
    // `util.CreatePodTemplate`: the template's labels plus the template generation and the
    // revision hash.
    let mut labels = template.metadata.labels.clone();
    if let Some(generation) = daemon_set.template_generation() {
        labels.insert(POD_TEMPLATE_GENERATION_LABEL.to_string(), generation.to_string());
    }
    if !hash.is_empty() {
        labels.insert(CONTROLLER_REVISION_HASH_LABEL.to_string(), hash.to_string());
    }
    let pod = Pod {
        metadata: ObjectMeta {
            generate_name: format!("{}-", daemon_set.metadata.name),
            namespace: daemon_set.metadata.namespace,
            labels,
            annotations: template.metadata.annotations.clone(),
            owner_references: vec![controller_ref(daemon_set)],
            ..ObjectMeta::default()
        },
        spec: daemon_pod_spec(daemon_set, node_name),
        status: Default::default(),
    };
    let object = format!("daemonset/{}", daemon_set.metadata.name);
    match simulation.try_create_pod(pod) {
        Ok(pod_key) => {
            simulation.record_event(
                "Normal",
                "SuccessfulCreate",
                object,
                &daemon_set.metadata.namespace,
                format!("Created pod: {}", pod_key.name),
                SOURCE,
            );
            Ok(())
        }
        Err(message) => {
            simulation.record_event(
                "Warning",
                "FailedCreate",
                object,
                &daemon_set.metadata.namespace,
                format!("Error creating: {message}"),
                SOURCE,
            );
            Err(message)
        }
    }
}

fn controller_ref(daemon_set: &DaemonSet) -> OwnerReference {
    OwnerReference::controller("apps/v1", "DaemonSet", &daemon_set.metadata)
}

fn delete_daemon_pod(simulation: &mut Simulation, daemon_set: &DaemonSet, pod_key: &ObjectKey) {
    if simulation
        .store
        .pod(pod_key)
        .is_none_or(|pod| pod.metadata.deletion_timestamp_ms.is_some())
    {
        return;
    }
    simulation.record_event(
        "Normal",
        "SuccessfulDelete",
        format!("daemonset/{}", daemon_set.metadata.name),
        &daemon_set.metadata.namespace,
        format!("Deleted pod: {}", pod_key.name),
        SOURCE,
    );
    simulation.delete_pod_gracefully(pod_key, None);
}

/// `getPatch`: the revision's data, a patch that puts the template back.
fn template_patch(daemon_set: &DaemonSet) -> serde_json::Value {
    let mut template = daemon_set.template_json.clone();
    if let serde_json::Value::Object(fields) = &mut template {
        fields.insert("$patch".to_string(), serde_json::Value::String("replace".to_string()));
    }
    serde_json::json!({"spec": {"template": template}})
}

/// `controller.ComputeHash`: FNV-32a of the template and the collision count, written with
/// `rand.SafeEncodeString`. Kubernetes hashes Go's `spew` dump of the template struct; the
/// simulation hashes its JSON (keys sorted), so the same template gets a different (equally
/// stable) hash than on a real cluster.
pub fn compute_hash(template_json: &serde_json::Value, collision_count: Option<u32>) -> String {
    const OFFSET: u32 = 0x811c_9dc5;
    const PRIME: u32 = 0x0100_0193;
    let mut hash = OFFSET;
    let mut write = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u32::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    write(template_json.to_string().as_bytes());
    if let Some(count) = collision_count {
        write(&count.to_le_bytes());
    }
    // `SafeEncodeString`: each decimal digit mapped into an alphabet without vowels.
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    hash.to_string()
        .bytes()
        .map(|digit| char::from(ALPHANUMS[usize::from(digit) % ALPHANUMS.len()]))
        .collect()
}

/// `constructHistory` and `snapshot`: the ControllerRevision of the current template (made if
/// missing, its revision number raised above the others if an old template came back), and
/// the hash that labels its pods. Returns `None` only if the DaemonSet is gone.
fn construct_history(simulation: &mut Simulation, key: &ObjectKey) -> Option<String> {
    let daemon_set = simulation.store.daemon_sets.get(key)?;
    let uid = daemon_set.metadata.uid.clone();
    let patch = template_patch(daemon_set);
    let mut current: Option<(ObjectKey, i64)> = None;
    let mut max_old_revision = 0;
    for (revision_key, revision) in owned_revisions(simulation, &key.namespace, &uid) {
        if revision.data == patch {
            // Duplicates cannot arise here (`dedupCurHistories` cleans up after races between
            // controllers); keep the highest.
            if current.as_ref().is_none_or(|(_, number)| revision.revision >= *number) {
                current = Some((revision_key.clone(), revision.revision));
            }
        } else {
            max_old_revision = max_old_revision.max(revision.revision);
        }
    }
    let next_revision = max_old_revision + 1;
    if let Some((revision_key, number)) = current {
        let revision = simulation.store.controller_revisions.get_mut(&revision_key)?;
        if number < next_revision {
            revision.revision = next_revision;
        }
        return Some(
            revision
                .metadata
                .labels
                .get(CONTROLLER_REVISION_HASH_LABEL)
                .cloned()
                .unwrap_or_else(|| revision_key.name.clone()),
        );
    }
    loop {
        let daemon_set = simulation.store.daemon_sets.get(key)?;
        let hash = compute_hash(&daemon_set.template_json, daemon_set.status.collision_count);
        let name = format!("{}-{}", daemon_set.metadata.name, hash);
        let revision_key = ObjectKey::new(&key.namespace, &name);
        if let Some(existing) = simulation.store.controller_revisions.get(&revision_key) {
            if existing.data == patch {
                return Some(hash);
            }
            // A different template took the name: count the collision and hash again.
            let daemon_set = simulation.store.daemon_sets.get_mut(key)?;
            daemon_set.status.collision_count = Some(daemon_set.status.collision_count.unwrap_or(0) + 1);
            continue;
        }
        let mut labels = daemon_set.spec.template.metadata.labels.clone();
        labels.insert(CONTROLLER_REVISION_HASH_LABEL.to_string(), hash.clone());
        let mut metadata = ObjectMeta {
            name,
            namespace: key.namespace,
            labels,
            annotations: daemon_set.metadata.annotations.clone(),
            owner_references: vec![controller_ref(daemon_set)],
            ..ObjectMeta::default()
        };
        simulation.admit_metadata(&mut metadata);
        simulation.store.controller_revisions.insert(
            revision_key,
            ControllerRevision {
                metadata,
                data: patch,
                revision: next_revision,
            },
        );
        return Some(hash);
    }
}

/// The ControllerRevisions a DaemonSet controls (`controlledHistories`).
fn owned_revisions<'a>(
    simulation: &'a Simulation,
    namespace: &'a str,
    uid: &'a crate::api::Uid,
) -> impl Iterator<Item = (&'a ObjectKey, &'a ControllerRevision)> + 'a {
    simulation
        .store
        .controller_revisions
        .range(ObjectKey::new(namespace, "")..)
        .take_while(move |(revision_key, _)| revision_key.namespace == namespace)
        .filter(move |(_, revision)| revision.metadata.controller_of().is_some_and(|owner| owner.uid == *uid))
}

/// `cleanupHistory`: beyond `revisionHistoryLimit` (default 10) old revisions, the oldest go,
/// except those a live pod still carries.
fn cleanup_history(simulation: &mut Simulation, daemon_set: &DaemonSet, hash: &str) {
    let limit = usize::try_from(daemon_set.spec.revision_history_limit.unwrap_or(10).max(0)).unwrap_or(0);
    let mut old: Vec<(ObjectKey, i64, String)> =
        owned_revisions(simulation, &daemon_set.metadata.namespace, &daemon_set.metadata.uid)
            .filter(|(_, revision)| {
                revision
                    .metadata
                    .labels
                    .get(CONTROLLER_REVISION_HASH_LABEL)
                    .map(String::as_str)
                    != Some(hash)
            })
            .map(|(revision_key, revision)| {
                (
                    revision_key.clone(),
                    revision.revision,
                    revision
                        .metadata
                        .labels
                        .get(CONTROLLER_REVISION_HASH_LABEL)
                        .cloned()
                        .unwrap_or_default(),
                )
            })
            .collect();
    let mut to_kill = old.len().saturating_sub(limit);
    if to_kill == 0 {
        return;
    }
    let live_hashes: std::collections::BTreeSet<String> = simulation
        .store
        .pods_owned_by(&daemon_set.metadata.uid)
        .filter_map(|pod_key| simulation.store.pod(pod_key))
        .filter_map(|pod| pod.metadata.labels.get(CONTROLLER_REVISION_HASH_LABEL).cloned())
        .collect();
    old.stable_sort_by_key(|(_, revision, _)| *revision);
    for (revision_key, _, revision_hash) in old {
        if to_kill == 0 {
            break;
        }
        if live_hashes.contains(&revision_hash) {
            continue;
        }
        simulation.store.controller_revisions.remove(&revision_key);
        to_kill -= 1;
    }
}

/// `updateDaemonSetStatus`: per node that should run a daemon pod, whether it has one, and
/// whether its oldest one is ready, available and up to date. Returns when the next ready pod
/// becomes available, if `minReadySeconds` holds one back.
fn update_status(
    simulation: &mut Simulation,
    key: &ObjectKey,
    placements: &[(String, Placement)],
    hash: &str,
) -> Option<Millis> {
    let daemon_set = simulation.store.daemon_sets.get(key)?;
    let now = simulation.now();
    let min_ready = min_ready_ms(daemon_set);
    let by_node = nodes_to_daemon_pods(simulation, daemon_set, hash, false);
    let mut status = crate::api::DaemonSetStatus {
        observed_generation: daemon_set.metadata.generation,
        collision_count: daemon_set.status.collision_count,
        ..Default::default()
    };
    for (node_name, placement) in placements {
        let pods = by_node.get(node_name).map(Vec::as_slice).unwrap_or_default();
        if !placement.should_run {
            status.number_misscheduled += u32::from(!pods.is_empty());
            continue;
        }
        status.desired_number_scheduled += 1;
        let mut sorted: Vec<&DaemonPod> = pods.iter().collect();
        sort_oldest_first(&mut sorted);
        let Some(oldest) = sorted.first() else {
            continue;
        };
        status.current_number_scheduled += 1;
        if oldest.is_ready() {
            status.number_ready += 1;
            status.number_available += u32::from(oldest.is_available(min_ready, now));
        }
        status.updated_number_scheduled += u32::from(oldest.updated);
    }
    status.number_unavailable = status.desired_number_scheduled - status.number_available;
    let next_available = by_node
        .values()
        .flatten()
        .filter(|pod| pod.is_ready() && !pod.is_available(min_ready, now))
        .filter_map(|pod| pod.ready_since_ms)
        .map(|since| since + min_ready)
        .min();
    if let Some(daemon_set) = simulation.store.daemon_sets.get_mut(key) {
        daemon_set.status = status;
    }
    next_available.map(|at| at.saturating_sub(now))
}

#[cfg(test)]
mod tests;
