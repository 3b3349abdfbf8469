//! The ReplicaSet controller (`pkg/controller/replicaset/replica_set.go`), which also plays
//! ReplicationControllers: `pkg/controller/replication` runs the same controller over an RC
//! converted to a ReplicaSet (`conversion.go`), its map selector becoming `matchLabels`.
//!
//! `sync` follows `syncReplicaSet`: the pods it owns and the orphans of its namespace, the
//! active ones claimed (`ClaimPods` in `pkg/controller/controller_ref_manager.go`: orphans whose
//! labels match are adopted, owned pods whose labels stopped matching are released),
//! `manageReplicas` creates the missing pods in slow-start batches or deletes the surplus in
//! `getPodsToDelete` order, and `calculateStatus` writes the counts. The decisions (the deletion
//! ranking, the batches, the status) are pure functions, tested in `replicaset/tests.rs`.
//!
//! The real controller also keeps *expectations* (how many creations and deletions its informer
//! has yet to see) so that a sync never acts on a stale cache; the simulation's store is never
//! stale, so every sync may act.

use crate::sort::StableSort;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::api::{OwnerReference, Pod, PodPhase, ReplicaSet, ReplicaSetStatus};
use crate::labels::LabelSelector;
use crate::sim::{ObjectKey, Simulation, Work};
use crate::time::{Millis, SECOND_MS};

/// `BurstReplicas`: at most this many pods are created or deleted in one sync.
pub const BURST_REPLICAS: usize = 500;
/// `controller.SlowStartInitialBatchSize`.
pub const SLOW_START_INITIAL_BATCH_SIZE: usize = 1;
/// The annotation that makes a pod cheaper or dearer to delete (`PodDeletionCost`).
pub const POD_DELETION_COST_ANNOTATION: &str = "controller.kubernetes.io/pod-deletion-cost";

/// Which object the controller plays: a ReplicaSet, or a ReplicationController converted to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaKind {
    ReplicaSet,
    ReplicationController,
}

impl ReplicaKind {
    pub fn kind(self) -> &'static str {
        match self {
            ReplicaKind::ReplicaSet => "ReplicaSet",
            ReplicaKind::ReplicationController => "ReplicationController",
        }
    }

    pub fn api_version(self) -> &'static str {
        match self {
            ReplicaKind::ReplicaSet => "apps/v1",
            ReplicaKind::ReplicationController => "v1",
        }
    }

    /// `kind/name` as events and kubectl name the object.
    pub fn object(self, name: &str) -> String {
        match self {
            ReplicaKind::ReplicaSet => format!("replicaset/{name}"),
            ReplicaKind::ReplicationController => format!("replicationcontroller/{name}"),
        }
    }

    /// The component that records the events (`NewReplicaSetController` and
    /// `NewReplicationManager` name their recorders so).
    fn source(self) -> &'static str {
        match self {
            ReplicaKind::ReplicaSet => "replicaset-controller",
            ReplicaKind::ReplicationController => "replication-controller",
        }
    }

    pub fn work(self, key: ObjectKey) -> Work {
        match self {
            ReplicaKind::ReplicaSet => Work::SyncReplicaSet(key),
            ReplicaKind::ReplicationController => Work::SyncReplicationController(key),
        }
    }
}

/// The object the controller works on: a stored ReplicaSet, or a ReplicationController
/// converted as `pkg/controller/replication/conversion.go` does.
pub fn load(simulation: &Simulation, kind: ReplicaKind, key: &ObjectKey) -> Option<ReplicaSet> {
    match kind {
        ReplicaKind::ReplicaSet => simulation.store.replica_sets.get(key).cloned(),
        ReplicaKind::ReplicationController => {
            let controller = simulation.store.replication_controllers.get(key)?;
            let status = &controller.status;
            Some(ReplicaSet {
                metadata: controller.metadata.clone(),
                spec: crate::api::ReplicaSetSpec {
                    replicas: controller.spec.replicas,
                    min_ready_seconds: controller.spec.min_ready_seconds,
                    selector: LabelSelector {
                        match_labels: controller.spec.selector.clone(),
                        match_expressions: Vec::new(),
                    },
                    template: controller.spec.template.clone().unwrap_or_default(),
                },
                status: ReplicaSetStatus {
                    replicas: status.replicas,
                    fully_labeled_replicas: status.fully_labeled_replicas,
                    ready_replicas: status.ready_replicas,
                    available_replicas: status.available_replicas,
                    terminating_replicas: None,
                    observed_generation: status.observed_generation,
                    conditions: status.conditions.clone(),
                },
                template_json: serde_json::Value::Null,
            })
        }
    }
}

/// Writes a new status (`updateReplicaSetStatus`), if it changed. Returns whether it did.
fn store_status(simulation: &mut Simulation, kind: ReplicaKind, key: &ObjectKey, status: ReplicaSetStatus) -> bool {
    let resource_version = simulation.bump_resource_version();
    match kind {
        ReplicaKind::ReplicaSet => {
            let Some(replica_set) = simulation.store.replica_sets.get_mut(key) else {
                return false;
            };
            if replica_set.status == status {
                return false;
            }
            replica_set.status = status;
            replica_set.metadata.resource_version = resource_version;
        }
        ReplicaKind::ReplicationController => {
            let Some(controller) = simulation.store.replication_controllers.get_mut(key) else {
                return false;
            };
            let converted = crate::api::ReplicationControllerStatus {
                replicas: status.replicas,
                fully_labeled_replicas: status.fully_labeled_replicas,
                ready_replicas: status.ready_replicas,
                available_replicas: status.available_replicas,
                observed_generation: status.observed_generation,
                conditions: status.conditions,
            };
            if controller.status == converted {
                return false;
            }
            controller.status = converted;
            controller.metadata.resource_version = resource_version;
        }
    }
    true
}

/// A ReplicaSet changed (its spec or its status): the Deployment that owns it looks again, as
/// the Deployment controller's `updateReplicaSet` handler enqueues it.
pub fn replica_set_changed(simulation: &mut Simulation, key: &ObjectKey) {
    let owner = simulation
        .store
        .replica_sets
        .get(key)
        .and_then(|replica_set| replica_set.metadata.controller_of())
        .cloned();
    if let Some(owner) = owner {
        simulation.enqueue_controller(key.namespace, &owner);
    }
}

/// `controller.IsPodActive`: not finished and not being deleted.
pub fn is_pod_active(pod: &Pod) -> bool {
    !pod.status.phase.is_terminal() && !pod.metadata.is_terminating()
}

/// `controller.FilterTerminatingPods`: being deleted, not finished.
fn is_pod_terminating(pod: &Pod) -> bool {
    pod.metadata.is_terminating() && !pod.status.phase.is_terminal()
}

/// Since when the pod has been Ready (the `Ready` condition's transition time), if it is.
pub fn ready_since(pod: &Pod) -> Option<Millis> {
    pod.status
        .conditions
        .iter()
        .find(|condition| condition.condition_type == "Ready" && condition.status == "True")
        .map(|condition| condition.last_transition_time_ms)
}

/// `podutil.IsPodAvailable`: ready for at least `minReadySeconds`. As for DaemonSets, a pod is
/// available at the exact millisecond its `minReadySeconds` are over (Kubernetes compares
/// second-resolution timestamps with a strict "before").
pub fn is_available(ready_since_ms: Option<Millis>, min_ready_ms: Millis, now: Millis) -> bool {
    ready_since_ms.is_some_and(|since| min_ready_ms == 0 || since.saturating_add(min_ready_ms) <= now)
}

pub fn min_ready_ms(min_ready_seconds: i32) -> Millis {
    Millis::try_from(min_ready_seconds.max(0)).unwrap_or(0) * SECOND_MS
}

/// One active pod as `ActivePodsWithRanks` compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedPod {
    pub name: String,
    pub uid: crate::api::Uid,
    pub node: String,
    pub phase: PodPhase,
    pub ready_since_ms: Option<Millis>,
    /// `controller.kubernetes.io/pod-deletion-cost` (0 when unset or not an int32).
    pub deletion_cost: i32,
    /// The most restarts of any of its containers (`maxContainerRestarts`).
    pub restarts: u32,
    pub created_ms: Millis,
    /// How many active related pods share its node (`getPodsRankedByRelatedPodsOnSameNode`).
    pub rank: usize,
}

impl RankedPod {
    pub fn of(pod: &Pod, rank: usize) -> Self {
        RankedPod {
            name: pod.metadata.name.clone(),
            uid: pod.metadata.uid.clone(),
            node: pod.spec.node_name.to_string(),
            phase: pod.status.phase,
            ready_since_ms: ready_since(pod),
            deletion_cost: pod
                .metadata
                .annotations
                .get(POD_DELETION_COST_ANNOTATION)
                .and_then(|cost| cost.parse().ok())
                .unwrap_or(0),
            restarts: pod
                .status
                .container_statuses
                .iter()
                .map(|status| status.restart_count)
                .max()
                .unwrap_or(0),
            created_ms: pod.metadata.creation_timestamp_ms,
            rank,
        }
    }
}

/// `podPhaseToOrdinal`: Pending < Unknown < Running (other phases count as Pending, as a Go
/// map lookup of a missing key gives 0).
fn phase_ordinal(phase: PodPhase) -> u8 {
    match phase {
        PodPhase::Unknown => 1,
        PodPhase::Running => 2,
        _ => 0,
    }
}

/// An API timestamp: the API server keeps whole seconds.
fn api_seconds(ms: Millis) -> Millis {
    ms / SECOND_MS
}

/// `logarithmicRankDiff`: how many powers of two apart the two ages are (ages in nanoseconds, as
/// Go's `time.Duration`; an age of zero or less ranks -1).
fn logarithmic_rank_diff(first_ms: Millis, second_ms: Millis, now_ms: Millis) -> i64 {
    let rank = |time_ms: Millis| -> i64 {
        let age_ns = i128::from(now_ms) * 1_000_000 - i128::from(api_seconds(time_ms)) * 1_000_000_000;
        if age_ns <= 0 {
            -1
        } else {
            i64::from(127 - age_ns.leading_zeros() as i32)
        }
    };
    rank(first_ms) - rank(second_ms)
}

/// `ActivePodsWithRanks.Less` (`pkg/controller/controller_utils.go`), with `PodDeletionCost` and
/// `LogarithmicScaleDown` on (their defaults): the pod to delete first sorts first. Unassigned
/// before assigned; Pending, Unknown, Running; not ready before ready; lower deletion cost; more
/// related pods on the same node; ready for less time, then more restarts, then newer, with
/// times compared by their power of two of age and ties broken by uid (random on a real
/// cluster; here uids follow creation order).
pub fn deletion_order(first: &RankedPod, second: &RankedPod, now: Millis) -> Ordering {
    let by_log_age = |first_ms: Millis, second_ms: Millis| -> Ordering {
        // `afterOrZero` or the logarithmic comparison: the more recent time goes first.
        match logarithmic_rank_diff(first_ms, second_ms, now) {
            0 => first.uid.cmp(&second.uid),
            diff if diff < 0 => Ordering::Less,
            _ => Ordering::Greater,
        }
    };
    if first.node != second.node && (first.node.is_empty() || second.node.is_empty()) {
        return second.node.is_empty().cmp(&first.node.is_empty());
    }
    let ordinal = phase_ordinal(first.phase).cmp(&phase_ordinal(second.phase));
    if ordinal != Ordering::Equal {
        return ordinal;
    }
    let (first_ready, second_ready) = (first.ready_since_ms.is_some(), second.ready_since_ms.is_some());
    if first_ready != second_ready {
        return first_ready.cmp(&second_ready);
    }
    if first.deletion_cost != second.deletion_cost {
        return first.deletion_cost.cmp(&second.deletion_cost);
    }
    if first.rank != second.rank {
        return second.rank.cmp(&first.rank);
    }
    if let (Some(first_since), Some(second_since)) = (first.ready_since_ms, second.ready_since_ms) {
        if api_seconds(first_since) != api_seconds(second_since) {
            return by_log_age(first_since, second_since);
        }
    }
    if first.restarts != second.restarts {
        return second.restarts.cmp(&first.restarts);
    }
    if api_seconds(first.created_ms) != api_seconds(second.created_ms) {
        return by_log_age(first.created_ms, second.created_ms);
    }
    Ordering::Equal
}

/// `getPodsToDelete`: the first `diff` pods in deletion order (no sort when all go). The sort is
/// stable over pods in name order; Go's sort is not stable over pods in informer order.
pub fn pods_to_delete(mut pods: Vec<RankedPod>, diff: usize, now: Millis) -> Vec<RankedPod> {
    if diff < pods.len() {
        pods.stable_sort_by(|first, second| deletion_order(first, second, now));
    }
    pods.truncate(diff);
    pods
}

/// `slowStartBatch`: calls `attempt` `count` times in batches of 1, 2, 4, ... and stops after
/// the first batch with a failure. Returns the successes and the first error.
pub fn slow_start_batch(
    count: usize,
    initial_batch_size: usize,
    mut attempt: impl FnMut() -> Result<(), String>,
) -> (usize, Option<String>) {
    let mut remaining = count;
    let mut successes = 0;
    let mut batch_size = remaining.min(initial_batch_size);
    while batch_size > 0 {
        let mut first_error = None;
        for _ in 0..batch_size {
            match attempt() {
                Ok(()) => successes += 1,
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        if first_error.is_some() {
            return (successes, first_error);
        }
        remaining -= batch_size;
        batch_size = (2 * batch_size).min(remaining);
    }
    (successes, None)
}

/// What `manageReplicas` reports to `calculateStatus`: the `ReplicaFailure` condition's reason
/// and message, when creating or deleting failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManageError {
    pub reason: &'static str,
    pub message: String,
}

/// `calculateStatus` (`replica_set_utils.go`): the counts over the active claimed pods, the
/// terminating ones (ReplicaSets only), and the `ReplicaFailure` condition set or cleared.
pub fn calculate_status(
    replica_set: &ReplicaSet,
    active: &[&Pod],
    terminating: Option<i32>,
    manage_error: Option<&ManageError>,
    now: Millis,
) -> ReplicaSetStatus {
    let template_labels = &replica_set.spec.template.metadata.labels;
    let min_ready = min_ready_ms(replica_set.spec.min_ready_seconds);
    let mut status = ReplicaSetStatus {
        replicas: count(active.len()),
        terminating_replicas: terminating,
        observed_generation: replica_set.metadata.generation,
        conditions: replica_set.status.conditions.clone(),
        ..ReplicaSetStatus::default()
    };
    for pod in active {
        let labels = &pod.metadata.labels;
        if template_labels
            .iter()
            .all(|(key, value)| labels.get(key) == Some(value))
        {
            status.fully_labeled_replicas += 1;
        }
        let since = ready_since(pod);
        if since.is_some() {
            status.ready_replicas += 1;
            status.available_replicas += i32::from(is_available(since, min_ready, now));
        }
    }
    let has_failure = status
        .conditions
        .iter()
        .any(|condition| condition.condition_type == "ReplicaFailure");
    match manage_error {
        Some(error) if !has_failure => {
            crate::api::set_condition(
                &mut status.conditions,
                now,
                "ReplicaFailure",
                "True",
                error.reason,
                &error.message,
            );
        }
        None if has_failure => status
            .conditions
            .retain(|condition| condition.condition_type != "ReplicaFailure"),
        _ => {}
    }
    status
}

fn count(value: usize) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

/// The pods a sync looks at (`FilterPodsByOwner` with orphans): those the object controls and
/// the orphans of its namespace, in key order.
fn candidate_pods(simulation: &Simulation, replica_set: &ReplicaSet) -> Vec<ObjectKey> {
    let namespace = &replica_set.metadata.namespace;
    let uid = &replica_set.metadata.uid;
    let mut keys: Vec<ObjectKey> = simulation
        .store
        .pods_owned_by(uid)
        .filter(|key| {
            simulation
                .store
                .pod(key)
                .and_then(|pod| pod.metadata.controller_of())
                .is_some_and(|owner| &owner.uid == uid)
        })
        .chain(
            simulation
                .store
                .pods_without_controller()
                .filter(|key| &key.namespace == namespace),
        )
        .cloned()
        .collect();
    keys.stable_sort();
    keys.dedup();
    keys
}

/// `ClaimPods`: among the active candidates, the pods this object keeps. Orphans whose labels
/// match are adopted (`AdoptPod`); owned pods whose labels no longer match are released
/// (`ReleasePod`), and then other controllers may adopt them.
fn claim_pods(
    simulation: &mut Simulation,
    kind: ReplicaKind,
    replica_set: &ReplicaSet,
    candidates: &[ObjectKey],
) -> Vec<ObjectKey> {
    let uid = &replica_set.metadata.uid;
    let mut claimed = Vec::new();
    for key in candidates {
        let Some(pod) = simulation.store.pod(key) else {
            continue;
        };
        if !is_pod_active(pod) {
            continue;
        }
        let matches = replica_set.spec.selector.matches(&pod.metadata.labels);
        let owned = pod.metadata.controller_of().is_some_and(|owner| &owner.uid == uid);
        match (owned, matches) {
            (true, true) => claimed.push(key.clone()),
            (true, false) => {
                simulation.store.remove_pod_owner(key, uid);
                enqueue_adopters(simulation, key);
            }
            (false, true) => {
                let owner = OwnerReference::controller(kind.api_version(), kind.kind(), &replica_set.metadata);
                simulation.store.adopt_pod(key, owner);
                claimed.push(key.clone());
            }
            (false, false) => {}
        }
    }
    claimed
}

/// An orphan pod appeared or changed: every ReplicaSet and ReplicationController of its
/// namespace whose selector matches it looks again (`addPod`/`updatePod` with
/// `getPodReplicaSets`).
pub fn enqueue_adopters(simulation: &mut Simulation, key: &ObjectKey) {
    let Some(pod) = simulation.store.pod(key) else {
        return;
    };
    if pod.metadata.controller_of().is_some() {
        return;
    }
    let labels = pod.metadata.labels.clone();
    let in_namespace = |object_key: &&ObjectKey| object_key.namespace == key.namespace;
    let mut work: Vec<Work> = simulation
        .store
        .replica_sets
        .iter()
        .filter(|(object_key, _)| in_namespace(object_key))
        .filter(|(_, replica_set)| replica_set.spec.selector.matches(&labels))
        .map(|(object_key, _)| Work::SyncReplicaSet(object_key.clone()))
        .collect();
    work.extend(
        simulation
            .store
            .replication_controllers
            .iter()
            .filter(|(object_key, _)| in_namespace(object_key))
            .filter(|(_, controller)| {
                !controller.spec.selector.is_empty()
                    && controller
                        .spec
                        .selector
                        .iter()
                        .all(|(label, value)| labels.get(label) == Some(value))
            })
            .map(|(object_key, _)| Work::SyncReplicationController(object_key.clone())),
    );
    for item in work {
        simulation.enqueue_now(item);
    }
}

/// `getIndirectlyRelatedPods`: the active pods matching any ReplicaSet with the same controller
/// (a Deployment's old and new ReplicaSets), counted per node. A ReplicaSet without a
/// controller has no related pods.
fn related_pods_per_node(simulation: &Simulation, replica_set: &ReplicaSet) -> BTreeMap<String, usize> {
    let mut per_node = BTreeMap::new();
    let Some(controller) = replica_set.metadata.controller_of() else {
        return per_node;
    };
    let namespace = &replica_set.metadata.namespace;
    let selectors: Vec<&LabelSelector> = simulation
        .store
        .replica_sets
        .values()
        .filter(|related| &related.metadata.namespace == namespace)
        .filter(|related| {
            related
                .metadata
                .controller_of()
                .is_some_and(|owner| owner.uid == controller.uid)
        })
        .map(|related| &related.spec.selector)
        .collect();
    for pod in simulation.pods() {
        if &pod.metadata.namespace == namespace
            && is_pod_active(pod)
            && selectors.iter().any(|selector| selector.matches(&pod.metadata.labels))
        {
            *per_node.entry(pod.spec.node_name.to_string()).or_default() += 1;
        }
    }
    per_node
}

/// `syncReplicaSet` for a ReplicaSet or a ReplicationController. Returns when to look again: when
/// a ready pod becomes available, or at once when the burst limit held creations back.
pub fn sync(simulation: &mut Simulation, kind: ReplicaKind, key: &ObjectKey) -> Option<Millis> {
    let replica_set = load(simulation, kind, key)?;
    let candidates = candidate_pods(simulation, &replica_set);
    let claimed = claim_pods(simulation, kind, &replica_set, &candidates);
    let uid = &replica_set.metadata.uid;
    // `FilterClaimedPods`: terminating pods this object controls whose labels still match.
    let terminating = candidates
        .iter()
        .filter_map(|key| simulation.store.pod(key))
        .filter(|pod| is_pod_terminating(pod))
        .filter(|pod| pod.metadata.controller_of().is_some_and(|owner| &owner.uid == uid))
        .filter(|pod| replica_set.spec.selector.matches(&pod.metadata.labels))
        .count();
    let (manage_error, held_back) = manage_replicas(simulation, kind, &replica_set, &claimed);
    let now = simulation.now();
    // `calculateStatus` counts the pods as listed before `manageReplicas` acted, as the real
    // controller does; the pods it created or deleted show in the next sync.
    let active: Vec<&Pod> = claimed.iter().filter_map(|key| simulation.store.pod(key)).collect();
    let terminating = (kind == ReplicaKind::ReplicaSet).then(|| count(terminating));
    let status = calculate_status(&replica_set, &active, terminating, manage_error.as_ref(), now);
    let next_available = next_availability(&replica_set, &active, now);
    if store_status(simulation, kind, key, status) && kind == ReplicaKind::ReplicaSet {
        replica_set_changed(simulation, key);
    }
    // `processNextWorkItem`: a failed sync is retried with the queue's rate limiter, a
    // successful one forgets its failures.
    let work = kind.work(key.clone());
    if manage_error.is_some() {
        return Some(super::retry::failed(simulation, work, super::retry::CONTROLLER));
    }
    super::retry::succeeded(simulation, &work);
    if held_back {
        return Some(0);
    }
    next_available
}

/// When the next ready pod becomes available, as a delay from now (`minReadySeconds` set and
/// some ready pod not available yet).
fn next_availability(replica_set: &ReplicaSet, pods: &[&Pod], now: Millis) -> Option<Millis> {
    let min_ready = min_ready_ms(replica_set.spec.min_ready_seconds);
    if min_ready == 0 {
        return None;
    }
    pods.iter()
        .filter_map(|pod| ready_since(pod))
        .map(|since| since.saturating_add(min_ready))
        .filter(|at| *at > now)
        .min()
        .map(|at| at - now)
}

/// `manageReplicas`: creates the missing pods (at most `BURST_REPLICAS`, in slow-start
/// batches) or deletes the surplus in deletion order. Returns the failure, if any, and whether
/// the burst limit held some back.
fn manage_replicas(
    simulation: &mut Simulation,
    kind: ReplicaKind,
    replica_set: &ReplicaSet,
    claimed: &[ObjectKey],
) -> (Option<ManageError>, bool) {
    let wanted = usize::try_from(replica_set.spec.replicas.max(0)).unwrap_or(0);
    let have = claimed.len();
    if have < wanted {
        let diff = wanted - have;
        let batch = diff.min(BURST_REPLICAS);
        let (_, error) = slow_start_batch(batch, SLOW_START_INITIAL_BATCH_SIZE, || {
            create_pod(simulation, kind, replica_set)
        });
        let error = error.map(|message| ManageError {
            reason: "FailedCreate",
            message,
        });
        return (error, diff > batch);
    }
    if have > wanted {
        let diff = (have - wanted).min(BURST_REPLICAS);
        let per_node = related_pods_per_node(simulation, replica_set);
        let pods: Vec<RankedPod> = claimed
            .iter()
            .filter_map(|key| simulation.store.pod(key))
            .map(|pod| RankedPod::of(pod, per_node.get(pod.spec.node_name.as_str()).copied().unwrap_or(0)))
            .collect();
        let now = simulation.now();
        for pod in pods_to_delete(pods, diff, now) {
            let pod_key = ObjectKey::new(&replica_set.metadata.namespace, &pod.name);
            simulation.delete_pod_gracefully(&pod_key, None);
            simulation.record_event(
                "Normal",
                "SuccessfulDelete",
                kind.object(&replica_set.metadata.name),
                &replica_set.metadata.namespace,
                format!("Deleted pod: {}", pod.name),
                kind.source(),
            );
        }
    }
    (None, false)
}

/// `CreatePods` with `GetPodFromTemplate`: the template's labels, annotations, finalizers and
/// spec, a generated name after the object's, and a controller reference to it. A pod the API
/// server refuses (admission) is a `FailedCreate` event (`createPods` in
/// `pkg/controller/controller_utils.go`) and the error.
fn create_pod(simulation: &mut Simulation, kind: ReplicaKind, replica_set: &ReplicaSet) -> Result<(), String> {
    let template = &replica_set.spec.template;
    let pod = Pod {
        metadata: crate::api::ObjectMeta {
            generate_name: format!("{}-", replica_set.metadata.name),
            namespace: replica_set.metadata.namespace,
            labels: template.metadata.labels.clone(),
            annotations: template.metadata.annotations.clone(),
            finalizers: template.metadata.finalizers.clone(),
            owner_references: vec![OwnerReference::controller(
                kind.api_version(),
                kind.kind(),
                &replica_set.metadata,
            )],
            ..crate::api::ObjectMeta::default()
        },
        spec: template.spec.clone(),
        status: Default::default(),
    };
    let pod_key = match simulation.try_create_pod(pod) {
        Ok(key) => key,
        Err(message) => {
            simulation.record_event(
                "Warning",
                "FailedCreate",
                kind.object(&replica_set.metadata.name),
                &replica_set.metadata.namespace,
                format!("Error creating: {message}"),
                kind.source(),
            );
            return Err(message);
        }
    };
    simulation.record_event(
        "Normal",
        "SuccessfulCreate",
        kind.object(&replica_set.metadata.name),
        &replica_set.metadata.namespace,
        format!("Created pod: {}", pod_key.name),
        kind.source(),
    );
    // The informer's `addPod` handler: the new pod's controller looks again.
    simulation.enqueue_now(kind.work(ObjectKey::of(&replica_set.metadata)));
    Ok(())
}

#[cfg(test)]
mod tests;
