//! The Deployment controller (`pkg/controller/deployment`).
//!
//! `sync` follows `syncDeployment` (`deployment_controller.go`): claim the ReplicaSets whose
//! labels match (`ClaimReplicaSets`), note pausing and resuming in the Progressing condition
//! (`checkPausedConditions`), then either scale proportionally (`sync` and `scale` in
//! `sync.go`, for a paused Deployment or a scaling event) or roll out: `rolloutRolling`
//! (`rolling.go`: grow the new ReplicaSet within `maxSurge`, shrink the old ones within
//! `maxUnavailable`, unhealthy replicas first) or `rolloutRecreate` (`recreate.go`: all old
//! pods gone before the new ReplicaSet grows). The new ReplicaSet is found by template
//! (`FindNewReplicaSet`) or created, named after the template's hash (`getNewReplicaSet`);
//! revisions, the replicas annotations and `revisionHistoryLimit` cleanup follow
//! `deployment_util.go`; the status and the Progressing condition with its deadline follow
//! `progress.go`. The decisions are pure functions in `deployment/util.rs`.

mod util;

pub use util::{
    deployment_complete, equal_ignore_hash, max_surge, max_unavailable, resolve_fenceposts, revision,
    ANNOTATIONS_TO_SKIP, TIMED_OUT_REASON,
};

use crate::api::{Deployment, OwnerReference, ReplicaSet, POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION};
use crate::sim::{ObjectKey, Simulation, Work};
use crate::sort::StableSort;
use crate::time::{Millis, SECOND_MS};
use util::{
    by_creation, by_revision, by_size, calculate_status, condition, deployment_progressing, deployment_timed_out,
    get_proportion, is_saturated, new_condition, new_rs_new_replicas, progress_deadline_ms,
    replicas_annotations_need_update, set_condition, set_new_replica_set_annotations, set_replicas_annotations,
    NEW_REPLICA_SET_REASON, NEW_RS_AVAILABLE_REASON, PAUSED_DEPLOY_REASON, REPLICA_SET_UPDATED_REASON,
    RESUMED_DEPLOY_REASON,
};

const SOURCE: &str = "deployment-controller";

/// One sync's working state: the Deployment as the controller changes its status and
/// annotations (written once at the end), and its ReplicaSets as last read or written.
struct Context {
    key: ObjectKey,
    deployment: Deployment,
    replica_sets: Vec<ReplicaSet>,
    now: Millis,
    /// The API server refused the new ReplicaSet (admission), with its message.
    create_error: Option<String>,
}

impl Context {
    fn object(&self) -> String {
        format!("deployment/{}", self.deployment.metadata.name)
    }

    fn index_of(&self, name: &str) -> Option<usize> {
        self.replica_sets.iter().position(|rs| rs.metadata.name == name)
    }
}

/// `syncDeployment`. Returns when to look again: at once when the status changed (the
/// Deployment informer sees its own update), or for a progress check before the deadline
/// (`requeueStuckDeployment`).
pub fn sync(simulation: &mut Simulation, key: &ObjectKey) -> Option<Millis> {
    let deployment = simulation.store.deployments.get(key)?.clone();
    let replica_sets = claim_replica_sets(simulation, &deployment);
    let mut context = Context {
        key: key.clone(),
        deployment,
        replica_sets,
        now: simulation.now(),
        create_error: None,
    };
    check_paused_conditions(&mut context);
    if context.deployment.spec.paused || is_scaling_event(simulation, &mut context) {
        sync_scaling(simulation, &mut context);
        return store_deployment(simulation, &context).then_some(0);
    }
    let requeue = if context.deployment.is_rolling_update() {
        rollout_rolling(simulation, &mut context)
    } else {
        rollout_recreate(simulation, &mut context)
    };
    let stored = store_deployment(simulation, &context);
    let work = Work::SyncDeployment(key.clone());
    if context.create_error.is_some() {
        return retry_failed_sync(simulation, work, stored);
    }
    super::retry::succeeded(simulation, &work);
    if stored {
        return Some(0);
    }
    requeue.or_else(|| requeue_stuck_deployment(&context))
}

/// `maxRetries` of `handleErr`: how many times a failing sync is retried before the key is
/// dropped from the queue (until something else enqueues it).
const MAX_RETRIES: u32 = 15;

/// `handleErr` for a failed sync: retried with the queue's rate limiter
/// (`DefaultControllerRateLimiter`) unless it failed `maxRetries` times already; at once if the
/// Deployment's status changed (the informer sees the update).
fn retry_failed_sync(simulation: &mut Simulation, work: Work, stored: bool) -> Option<Millis> {
    let requeues = simulation.retry_failures.get(&work).copied().unwrap_or(0);
    let retry = if requeues < MAX_RETRIES {
        Some(super::retry::failed(simulation, work, super::retry::CONTROLLER))
    } else {
        super::retry::succeeded(simulation, &work);
        None
    };
    if stored {
        Some(0)
    } else {
        retry
    }
}

/// Writes the status and annotations the sync changed. Returns whether anything changed.
fn store_deployment(simulation: &mut Simulation, context: &Context) -> bool {
    let resource_version = simulation.bump_resource_version();
    let Some(stored) = simulation.store.deployments.get_mut(&context.key) else {
        return false;
    };
    if stored.metadata.uid != context.deployment.metadata.uid
        || (stored.status == context.deployment.status
            && stored.metadata.annotations == context.deployment.metadata.annotations)
    {
        return false;
    }
    stored.status = context.deployment.status.clone();
    stored.metadata.annotations = context.deployment.metadata.annotations.clone();
    stored.metadata.resource_version = resource_version;
    true
}

/// `getReplicaSetsForDeployment` with `ClaimReplicaSets`: the ReplicaSets of the namespace
/// this Deployment controls and whose labels match its selector; orphans that match are
/// adopted, owned ones that no longer match are released. In name order.
fn claim_replica_sets(simulation: &mut Simulation, deployment: &Deployment) -> Vec<ReplicaSet> {
    let namespace = &deployment.metadata.namespace;
    let uid = &deployment.metadata.uid;
    let keys: Vec<ObjectKey> = simulation
        .store
        .replica_sets
        .range(ObjectKey::new(namespace, "")..)
        .take_while(|(key, _)| &key.namespace == namespace)
        .map(|(key, _)| key.clone())
        .collect();
    let mut claimed = Vec::new();
    for key in keys {
        let Some(replica_set) = simulation.store.replica_sets.get(&key) else {
            continue;
        };
        let matches = deployment.spec.selector.matches(&replica_set.metadata.labels);
        let controller = replica_set.metadata.controller_of().map(|owner| owner.uid.clone());
        match (controller.as_ref() == Some(uid), controller.is_none(), matches) {
            (true, _, true) => claimed.push(replica_set.clone()),
            (true, _, false) => {
                simulation.update_replica_set(&key, |replica_set| {
                    replica_set.metadata.owner_references.retain(|owner| &owner.uid != uid);
                });
            }
            (false, true, true) => {
                let owner = OwnerReference::controller("apps/v1", "Deployment", &deployment.metadata);
                simulation.update_replica_set(&key, |replica_set| replica_set.metadata.owner_references.push(owner));
                if let Some(adopted) = simulation.store.replica_sets.get(&key) {
                    claimed.push(adopted.clone());
                }
            }
            _ => {}
        }
    }
    claimed
}

/// `checkPausedConditions`: pausing and resuming set the Progressing condition to Unknown, so
/// that the time spent paused never counts against the deadline.
fn check_paused_conditions(context: &mut Context) {
    let deployment = &mut context.deployment;
    if progress_deadline_ms(deployment).is_none() {
        return;
    }
    let current = condition(&deployment.status, "Progressing").map(|condition| condition.reason.clone());
    if current.as_deref() == Some(TIMED_OUT_REASON) {
        return;
    }
    let paused_condition_exists = current.as_deref() == Some(PAUSED_DEPLOY_REASON);
    let (reason, message) = match (deployment.spec.paused, paused_condition_exists) {
        (true, false) => (PAUSED_DEPLOY_REASON, "Deployment is paused"),
        (false, true) => (RESUMED_DEPLOY_REASON, "Deployment is resumed"),
        _ => return,
    };
    let condition = new_condition("Progressing", "Unknown", reason, message.to_string(), context.now);
    set_condition(&mut deployment.status, condition);
}

/// `FindNewReplicaSet`: the oldest ReplicaSet whose template equals the Deployment's (but for
/// the hash label).
fn find_new_replica_set(context: &Context) -> Option<usize> {
    let mut candidates: Vec<usize> = (0..context.replica_sets.len())
        .filter(|index| {
            equal_ignore_hash(
                &context.replica_sets[*index].template_json,
                &context.deployment.template_json,
            )
        })
        .collect();
    candidates
        .stable_sort_by(|first, second| by_creation(&context.replica_sets[*first], &context.replica_sets[*second]));
    candidates.first().copied()
}

/// `getAllReplicaSetsAndSyncRevision`: the new ReplicaSet (found, or created when `create`)
/// with its revision and annotations brought up to date, and the Deployment's revision
/// annotation following it. Returns the new ReplicaSet's name, if there is one.
fn get_new_replica_set(simulation: &mut Simulation, context: &mut Context, create: bool) -> Option<String> {
    let existing = find_new_replica_set(context);
    let max_old_revision = context
        .replica_sets
        .iter()
        .enumerate()
        .filter(|(index, _)| Some(*index) != existing)
        .map(|(_, rs)| revision(rs))
        .max()
        .unwrap_or(0);
    let new_revision = max_old_revision + 1;
    if let Some(index) = existing {
        let mut copy = context.replica_sets[index].clone();
        let annotations_updated = set_new_replica_set_annotations(&context.deployment, &mut copy, new_revision, true);
        let min_ready_needs_update = copy.spec.min_ready_seconds != context.deployment.spec.min_ready_seconds;
        let name = copy.metadata.name.clone();
        if annotations_updated || min_ready_needs_update {
            // The ReplicaSet is updated; the Deployment's revision follows in the next sync.
            copy.spec.min_ready_seconds = context.deployment.spec.min_ready_seconds;
            write_replica_set(simulation, context, index, copy);
            return Some(name);
        }
        let rs_revision = copy
            .metadata
            .annotations
            .get(REVISION_ANNOTATION)
            .cloned()
            .unwrap_or_default();
        set_deployment_revision(&mut context.deployment, &rs_revision);
        if progress_deadline_ms(&context.deployment).is_some()
            && condition(&context.deployment.status, "Progressing").is_none()
        {
            let message = format!("Found new replica set \"{name}\"");
            let condition = new_condition("Progressing", "True", util::FOUND_NEW_RS_REASON, message, context.now);
            set_condition(&mut context.deployment.status, condition);
        }
        return Some(name);
    }
    if !create {
        return None;
    }
    create_new_replica_set(simulation, context, new_revision)
}

/// `SetDeploymentRevision`.
fn set_deployment_revision(deployment: &mut Deployment, revision: &str) {
    deployment
        .metadata
        .annotations
        .insert(REVISION_ANNOTATION.to_string(), revision.to_string());
}

/// The new ReplicaSet of `getNewReplicaSet`: named after the template's hash
/// (`controller.ComputeHash` with the collision count), the hash added to its labels, selector
/// and template, as many replicas as `NewRSNewReplicas` allows. A name taken by another
/// template is a hash collision: the collision count goes up and the next sync tries again.
fn create_new_replica_set(simulation: &mut Simulation, context: &mut Context, new_revision: i64) -> Option<String> {
    let deployment = &context.deployment;
    let hash = super::daemonset::compute_hash(&deployment.template_json, deployment.status.collision_count);
    let name = format!("{}-{hash}", deployment.metadata.name);
    let key = ObjectKey::new(&deployment.metadata.namespace, &name);
    if let Some(existing) = simulation.store.replica_sets.get(&key) {
        let ours = existing
            .metadata
            .controller_of()
            .is_some_and(|owner| owner.uid == deployment.metadata.uid);
        if ours && equal_ignore_hash(&existing.template_json, &deployment.template_json) {
            // Already created (a stale cache on a real cluster): no event.
            context.replica_sets.push(existing.clone());
            set_deployment_revision(&mut context.deployment, &new_revision.to_string());
            return Some(name);
        }
        let status = &mut context.deployment.status;
        status.collision_count = Some(status.collision_count.unwrap_or(0) + 1);
        return None;
    }
    let mut replica_set = new_replica_set_object(deployment, &name, &hash);
    let all: Vec<&ReplicaSet> = context
        .replica_sets
        .iter()
        .chain(std::iter::once(&replica_set))
        .collect();
    let replicas = new_rs_new_replicas(deployment, &all, 0);
    replica_set.spec.replicas = replicas;
    set_new_replica_set_annotations(deployment, &mut replica_set, new_revision, false);
    if let Err(message) = simulation.admit_count("ReplicaSet", &key.namespace, &name) {
        failed_replica_set_create(simulation, context, &name, &message);
        return None;
    }
    simulation.admit_metadata(&mut replica_set.metadata);
    simulation.store.replica_sets.insert(key.clone(), replica_set.clone());
    simulation.replica_set_updated(&key);
    context.replica_sets.push(replica_set);
    if replicas > 0 {
        simulation.record_event(
            "Normal",
            "ScalingReplicaSet",
            context.object(),
            &context.key.namespace,
            format!("Scaled up replica set {name} from 0 to {replicas}"),
            SOURCE,
        );
    }
    set_deployment_revision(&mut context.deployment, &new_revision.to_string());
    if progress_deadline_ms(&context.deployment).is_some() {
        let message = format!("Created new replica set \"{name}\"");
        let condition = new_condition("Progressing", "True", NEW_REPLICA_SET_REASON, message, context.now);
        set_condition(&mut context.deployment.status, condition);
    }
    Some(name)
}

/// `getNewReplicaSet` when the create fails: the Progressing condition turns False with
/// `ReplicaSetCreateError` (when there is a progress deadline), a warning event, and the sync
/// fails.
fn failed_replica_set_create(simulation: &mut Simulation, context: &mut Context, name: &str, error: &str) {
    let message = format!("Failed to create new replica set \"{name}\": {error}");
    if progress_deadline_ms(&context.deployment).is_some() {
        let condition = new_condition(
            "Progressing",
            "False",
            FAILED_RS_CREATE_REASON,
            message.clone(),
            context.now,
        );
        set_condition(&mut context.deployment.status, condition);
    }
    simulation.record_event(
        "Warning",
        FAILED_RS_CREATE_REASON,
        context.object(),
        &context.key.namespace,
        message.clone(),
        SOURCE,
    );
    context.create_error = Some(message);
}

/// `FailedRSCreateReason`.
const FAILED_RS_CREATE_REASON: &str = "ReplicaSetCreateError";

/// The ReplicaSet object for a new template: the Deployment's template with the hash label,
/// the Deployment's selector with the hash label, a controller reference to the Deployment.
fn new_replica_set_object(deployment: &Deployment, name: &str, hash: &str) -> ReplicaSet {
    let mut template = deployment.spec.template.clone();
    template
        .metadata
        .labels
        .insert(POD_TEMPLATE_HASH_LABEL.to_string(), hash.to_string());
    let mut template_json = deployment.template_json.clone();
    if let serde_json::Value::Object(fields) = &mut template_json {
        let metadata = fields
            .entry("metadata")
            .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
        if let serde_json::Value::Object(metadata) = metadata {
            let labels = metadata
                .entry("labels")
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            if let serde_json::Value::Object(labels) = labels {
                labels.insert(
                    POD_TEMPLATE_HASH_LABEL.to_string(),
                    serde_json::Value::String(hash.to_string()),
                );
            }
        }
    }
    let mut selector = deployment.spec.selector.clone();
    selector
        .match_labels
        .insert(POD_TEMPLATE_HASH_LABEL.to_string(), hash.to_string());
    ReplicaSet {
        metadata: crate::api::ObjectMeta {
            name: name.to_string(),
            namespace: deployment.metadata.namespace,
            labels: template.metadata.labels.clone(),
            owner_references: vec![OwnerReference::controller(
                "apps/v1",
                "Deployment",
                &deployment.metadata,
            )],
            ..crate::api::ObjectMeta::default()
        },
        spec: crate::api::ReplicaSetSpec {
            replicas: 0,
            min_ready_seconds: deployment.spec.min_ready_seconds,
            selector,
            template,
        },
        status: Default::default(),
        template_json,
    }
}

/// Stores a changed ReplicaSet through the update path and keeps the sync's copy in step.
fn write_replica_set(simulation: &mut Simulation, context: &mut Context, index: usize, changed: ReplicaSet) {
    let key = ObjectKey::of(&changed.metadata);
    simulation.update_replica_set(&key, |stored| {
        stored.spec = changed.spec.clone();
        stored.metadata.annotations = changed.metadata.annotations.clone();
    });
    if let Some(stored) = simulation.store.replica_sets.get(&key) {
        context.replica_sets[index] = stored.clone();
    }
}

/// The new ReplicaSet (by name) and the indexes of the old ones.
fn split(context: &Context, new_name: Option<&str>) -> (Option<usize>, Vec<usize>) {
    let new_index = new_name.and_then(|name| context.index_of(name));
    let old = (0..context.replica_sets.len())
        .filter(|index| Some(*index) != new_index)
        .collect();
    (new_index, old)
}

/// `scaleReplicaSet`: the new size and the replicas annotations, with a `ScalingReplicaSet`
/// event when the size changed. Returns whether it did.
fn scale_replica_set(simulation: &mut Simulation, context: &mut Context, index: usize, new_scale: i32) -> bool {
    let replicas = context.deployment.spec.replicas;
    let max = replicas + max_surge(&context.deployment);
    let rs = &context.replica_sets[index];
    let old_scale = rs.spec.replicas;
    let size_needs_update = old_scale != new_scale;
    if !size_needs_update && !replicas_annotations_need_update(rs, replicas, max) {
        return false;
    }
    let mut copy = rs.clone();
    copy.spec.replicas = new_scale;
    set_replicas_annotations(&mut copy, replicas, max);
    let name = copy.metadata.name.clone();
    write_replica_set(simulation, context, index, copy);
    if size_needs_update {
        let operation = if old_scale < new_scale { "up" } else { "down" };
        simulation.record_event(
            "Normal",
            "ScalingReplicaSet",
            context.object(),
            &context.key.namespace,
            format!("Scaled {operation} replica set {name} from {old_scale} to {new_scale}"),
            SOURCE,
        );
    }
    size_needs_update
}

/// `scaleReplicaSetAndRecordEvent`: nothing when the size is already right.
fn scale_and_record(simulation: &mut Simulation, context: &mut Context, index: usize, new_scale: i32) -> bool {
    if context.replica_sets[index].spec.replicas == new_scale {
        return false;
    }
    scale_replica_set(simulation, context, index, new_scale)
}

/// `isScalingEvent`: an active ReplicaSet was sized for a different `spec.replicas`.
fn is_scaling_event(simulation: &mut Simulation, context: &mut Context) -> bool {
    get_new_replica_set(simulation, context, false);
    let replicas = context.deployment.spec.replicas;
    context
        .replica_sets
        .iter()
        .filter(|rs| rs.spec.replicas > 0)
        .filter_map(|rs| rs.metadata.annotations.get(crate::api::DESIRED_REPLICAS_ANNOTATION))
        .filter_map(|desired| desired.parse::<i32>().ok())
        .any(|desired| desired != replicas)
}

/// `sync` (`sync.go`): a paused Deployment or a scaling event. Scale, clean up old
/// ReplicaSets when paused, and update the status (no progress estimate).
fn sync_scaling(simulation: &mut Simulation, context: &mut Context) {
    let new_name = get_new_replica_set(simulation, context, false);
    scale(simulation, context, new_name.as_deref());
    if context.deployment.spec.paused {
        cleanup_deployment(simulation, context, new_name.as_deref());
    }
    let (new_index, _) = split(context, new_name.as_deref());
    let all: Vec<&ReplicaSet> = context.replica_sets.iter().collect();
    let new_rs = new_index.map(|index| &context.replica_sets[index]);
    context.deployment.status = calculate_status(&context.deployment, &all, new_rs, context.now);
}

/// `FindActiveOrLatest`: the only ReplicaSet with replicas, or the newest when none has any;
/// `None` when several have replicas.
fn find_active_or_latest(context: &Context, new_index: Option<usize>, old: &[usize]) -> Option<usize> {
    let mut old_newest_first = old.to_vec();
    old_newest_first
        .stable_sort_by(|first, second| by_creation(&context.replica_sets[*second], &context.replica_sets[*first]));
    let active: Vec<usize> = old_newest_first
        .iter()
        .copied()
        .chain(new_index)
        .filter(|index| context.replica_sets[*index].spec.replicas > 0)
        .collect();
    match active.as_slice() {
        [] => new_index.or_else(|| old_newest_first.first().copied()),
        [only] => Some(*only),
        _ => None,
    }
}

/// `scale` (`sync.go`): one active ReplicaSet takes the whole size; a saturated new one leaves
/// the old ones at 0; otherwise, while rolling, the replicas to add or remove are shared in
/// proportion to the ReplicaSets' sizes, the leftover to the largest.
fn scale(simulation: &mut Simulation, context: &mut Context, new_name: Option<&str>) {
    let (new_index, old) = split(context, new_name);
    let replicas = context.deployment.spec.replicas;
    if let Some(index) = find_active_or_latest(context, new_index, &old) {
        if context.replica_sets[index].spec.replicas != replicas {
            scale_and_record(simulation, context, index, replicas);
        }
        return;
    }
    if is_saturated(&context.deployment, new_index.map(|index| &context.replica_sets[index])) {
        for index in old {
            if context.replica_sets[index].spec.replicas > 0 {
                scale_and_record(simulation, context, index, 0);
            }
        }
        return;
    }
    if !context.deployment.is_rolling_update() {
        return;
    }
    let mut active: Vec<usize> = old
        .iter()
        .copied()
        .chain(new_index)
        .filter(|index| context.replica_sets[*index].spec.replicas > 0)
        .collect();
    let current: i32 = active
        .iter()
        .map(|index| context.replica_sets[*index].spec.replicas)
        .sum();
    let allowed = if replicas > 0 {
        replicas + max_surge(&context.deployment)
    } else {
        0
    };
    let to_add = allowed - current;
    if to_add != 0 {
        active.stable_sort_by(|first, second| {
            by_size(
                &context.replica_sets[*first],
                &context.replica_sets[*second],
                to_add > 0,
            )
        });
    }
    let mut added = 0;
    let mut sizes: Vec<i32> = Vec::with_capacity(active.len());
    for index in &active {
        let rs = &context.replica_sets[*index];
        let proportion = get_proportion(rs, &context.deployment, to_add, added);
        sizes.push(rs.spec.replicas + proportion);
        added += proportion;
    }
    for (position, index) in active.into_iter().enumerate() {
        let mut size = sizes[position];
        if position == 0 && to_add != 0 {
            size = (size + to_add - added).max(0);
        }
        scale_replica_set(simulation, context, index, size);
    }
}

/// `cleanupDeployment`: beyond `revisionHistoryLimit`, the oldest old ReplicaSets go (lowest
/// revision first), but only those scaled to zero with no pods left and their latest spec
/// observed.
fn cleanup_deployment(simulation: &mut Simulation, context: &mut Context, new_name: Option<&str>) {
    let Some(limit) = context.deployment.spec.revision_history_limit else {
        return;
    };
    let (_, mut old) = split(context, new_name);
    let excess = old.len().saturating_sub(usize::try_from(limit.max(0)).unwrap_or(0));
    if excess == 0 {
        return;
    }
    old.stable_sort_by(|first, second| by_revision(&context.replica_sets[*first], &context.replica_sets[*second]));
    let mut deleted = Vec::new();
    for index in old.into_iter().take(excess) {
        let rs = &context.replica_sets[index];
        if rs.status.replicas != 0 || rs.spec.replicas != 0 || rs.metadata.generation > rs.status.observed_generation {
            continue;
        }
        deleted.push(rs.metadata.name.clone());
    }
    for name in deleted {
        // It was just read from the store, so this cannot fail.
        let _ = simulation.delete_replica_set(&context.key.namespace, &name, crate::sim::Cascade::Background);
        context.replica_sets.retain(|rs| rs.metadata.name != name);
    }
}

/// `rolloutRolling` (`rolling.go`). Returns a requeue when the new ReplicaSet could not be
/// made (a hash collision).
fn rollout_rolling(simulation: &mut Simulation, context: &mut Context) -> Option<Millis> {
    let Some(new_name) = get_new_replica_set(simulation, context, true) else {
        return Some(0);
    };
    if reconcile_new_replica_set(simulation, context, &new_name) {
        sync_rollout_status(context, Some(&new_name));
        return None;
    }
    if reconcile_old_replica_sets(simulation, context, &new_name) {
        sync_rollout_status(context, Some(&new_name));
        return None;
    }
    if deployment_complete(&context.deployment, &context.deployment.status) {
        cleanup_deployment(simulation, context, Some(&new_name));
    }
    sync_rollout_status(context, Some(&new_name));
    None
}

/// `reconcileNewReplicaSet`: shrink a new ReplicaSet larger than `replicas`, or grow it as far
/// as `NewRSNewReplicas` allows.
fn reconcile_new_replica_set(simulation: &mut Simulation, context: &mut Context, new_name: &str) -> bool {
    let Some(index) = context.index_of(new_name) else {
        return false;
    };
    let replicas = context.deployment.spec.replicas;
    let current = context.replica_sets[index].spec.replicas;
    if current == replicas {
        return false;
    }
    if current > replicas {
        return scale_and_record(simulation, context, index, replicas);
    }
    let all: Vec<&ReplicaSet> = context.replica_sets.iter().collect();
    let new_count = new_rs_new_replicas(&context.deployment, &all, current);
    scale_and_record(simulation, context, index, new_count)
}

/// `reconcileOldReplicaSets`: how many old replicas may go without dropping below
/// `replicas - maxUnavailable` (counting the new ReplicaSet's unavailable pods against it),
/// unhealthy ones first (`cleanupUnhealthyReplicas`), then available ones while more than the
/// minimum are available (`scaleDownOldReplicaSetsForRollingUpdate`).
fn reconcile_old_replica_sets(simulation: &mut Simulation, context: &mut Context, new_name: &str) -> bool {
    let (new_index, old) = split(context, Some(new_name));
    let active_old: Vec<usize> = old
        .into_iter()
        .filter(|index| context.replica_sets[*index].spec.replicas > 0)
        .collect();
    let old_pods: i32 = active_old
        .iter()
        .map(|index| context.replica_sets[*index].spec.replicas)
        .sum();
    if old_pods == 0 {
        return false;
    }
    let all_pods: i32 = context.replica_sets.iter().map(|rs| rs.spec.replicas).sum();
    let min_available = context.deployment.spec.replicas - max_unavailable(&context.deployment);
    let new_unavailable = new_index.map_or(0, |index| {
        let rs = &context.replica_sets[index];
        rs.spec.replicas - rs.status.available_replicas
    });
    let max_scaled_down = all_pods - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return false;
    }
    let cleaned = cleanup_unhealthy_replicas(simulation, context, &active_old, max_scaled_down);
    let scaled = scale_down_old_replica_sets(simulation, context, &active_old);
    cleaned + scaled > 0
}

/// `cleanupUnhealthyReplicas`: old ReplicaSets (oldest first) lose their replicas that are not
/// available, up to `max_cleanup`.
fn cleanup_unhealthy_replicas(
    simulation: &mut Simulation,
    context: &mut Context,
    old: &[usize],
    max_cleanup: i32,
) -> i32 {
    let mut old = old.to_vec();
    old.stable_sort_by(|first, second| by_creation(&context.replica_sets[*first], &context.replica_sets[*second]));
    let mut total = 0;
    for index in old {
        if total >= max_cleanup {
            break;
        }
        let rs = &context.replica_sets[index];
        let unhealthy = rs.spec.replicas - rs.status.available_replicas;
        if rs.spec.replicas == 0 || unhealthy <= 0 {
            continue;
        }
        let count = (max_cleanup - total).min(unhealthy);
        let new_size = rs.spec.replicas - count;
        scale_and_record(simulation, context, index, new_size);
        total += count;
    }
    total
}

/// `scaleDownOldReplicaSetsForRollingUpdate`: old ReplicaSets (oldest first) shrink by as many
/// as are available beyond `replicas - maxUnavailable`.
fn scale_down_old_replica_sets(simulation: &mut Simulation, context: &mut Context, old: &[usize]) -> i32 {
    let min_available = context.deployment.spec.replicas - max_unavailable(&context.deployment);
    let available: i32 = context.replica_sets.iter().map(|rs| rs.status.available_replicas).sum();
    if available <= min_available {
        return 0;
    }
    let mut old = old.to_vec();
    old.stable_sort_by(|first, second| by_creation(&context.replica_sets[*first], &context.replica_sets[*second]));
    let total_to_scale_down = available - min_available;
    let mut total = 0;
    for index in old {
        if total >= total_to_scale_down {
            break;
        }
        let replicas = context.replica_sets[index].spec.replicas;
        if replicas == 0 {
            continue;
        }
        let count = replicas.min(total_to_scale_down - total);
        scale_and_record(simulation, context, index, replicas - count);
        total += count;
    }
    total
}

/// `rolloutRecreate` (`recreate.go`): scale the old ReplicaSets to zero, wait until none of
/// their pods runs (`oldPodsRunning`: a pod being deleted still runs), then create or grow the
/// new ReplicaSet to `replicas`.
fn rollout_recreate(simulation: &mut Simulation, context: &mut Context) -> Option<Millis> {
    let mut new_name = get_new_replica_set(simulation, context, false);
    let (_, old) = split(context, new_name.as_deref());
    let mut scaled_down = false;
    for index in old {
        if context.replica_sets[index].spec.replicas > 0 {
            scaled_down |= scale_and_record(simulation, context, index, 0);
        }
    }
    if scaled_down || old_pods_running(simulation, context, new_name.as_deref()) {
        sync_rollout_status(context, new_name.as_deref());
        return None;
    }
    if new_name.is_none() {
        new_name = get_new_replica_set(simulation, context, true);
        if new_name.is_none() {
            return Some(0);
        }
    }
    if let Some(index) = new_name.as_deref().and_then(|name| context.index_of(name)) {
        let replicas = context.deployment.spec.replicas;
        scale_and_record(simulation, context, index, replicas);
    }
    if deployment_complete(&context.deployment, &context.deployment.status) {
        cleanup_deployment(simulation, context, new_name.as_deref());
    }
    sync_rollout_status(context, new_name.as_deref());
    None
}

/// `oldPodsRunning`: an old ReplicaSet reports pods, or a pod of one (matching the selector) is
/// not finished.
fn old_pods_running(simulation: &Simulation, context: &Context, new_name: Option<&str>) -> bool {
    let (_, old) = split(context, new_name);
    if old.iter().any(|index| context.replica_sets[*index].status.replicas > 0) {
        return true;
    }
    let selector = &context.deployment.spec.selector;
    old.iter().any(|index| {
        simulation
            .store
            .pods_owned_by(&context.replica_sets[*index].metadata.uid)
            .filter_map(|key| simulation.store.pod(key))
            .any(|pod| selector.matches(&pod.metadata.labels) && !pod.status.phase.is_terminal())
    })
}

/// `syncRolloutStatus` (`progress.go`): the status, and the Progressing condition: the new
/// ReplicaSet available (complete), progress made (its last update time moves), or no progress
/// for longer than the deadline (ProgressDeadlineExceeded). Progressing is dropped without a
/// deadline.
fn sync_rollout_status(context: &mut Context, new_name: Option<&str>) {
    let deployment = &context.deployment;
    let new_rs = new_name
        .and_then(|name| context.index_of(name))
        .map(|index| &context.replica_sets[index]);
    let all: Vec<&ReplicaSet> = context.replica_sets.iter().collect();
    let mut status = calculate_status(deployment, &all, new_rs, context.now);
    let deadline = progress_deadline_ms(deployment);
    if deadline.is_none() {
        util::remove_condition(&mut status, "Progressing");
    }
    let current = condition(&deployment.status, "Progressing").cloned();
    let is_complete = status.replicas == status.updated_replicas
        && current
            .as_ref()
            .is_some_and(|condition| condition.reason == NEW_RS_AVAILABLE_REASON);
    if deadline.is_some() && !is_complete {
        let subject = match new_rs {
            Some(rs) => format!("ReplicaSet \"{}\"", rs.metadata.name),
            None => format!("Deployment \"{}\"", deployment.metadata.name),
        };
        if deployment_complete(deployment, &status) {
            let message = format!("{subject} has successfully progressed.");
            let condition = new_condition("Progressing", "True", NEW_RS_AVAILABLE_REASON, message, context.now);
            set_condition(&mut status, condition);
        } else if deployment_progressing(&deployment.status, &status) {
            let message = format!("{subject} is progressing.");
            let mut condition = new_condition("Progressing", "True", REPLICA_SET_UPDATED_REASON, message, context.now);
            if let Some(current) = &current {
                if current.status == "True" {
                    condition.last_transition_time_ms = current.last_transition_time_ms;
                }
                util::remove_condition(&mut status, "Progressing");
            }
            set_condition(&mut status, condition);
        } else if deployment_timed_out(deployment, &status, context.now) {
            let message = format!("{subject} has timed out progressing.");
            let condition = new_condition("Progressing", "False", TIMED_OUT_REASON, message, context.now);
            set_condition(&mut status, condition);
        }
    }
    // `getReplicaFailures`: the new ReplicaSet's ReplicaFailure, else an old one's.
    let failure = new_rs
        .into_iter()
        .chain(all.iter().copied())
        .flat_map(|rs| rs.status.conditions.iter())
        .find(|condition| condition.condition_type == "ReplicaFailure")
        .map(|failure| crate::api::DeploymentCondition {
            condition_type: "ReplicaFailure".to_string(),
            status: failure.status.to_string(),
            reason: failure.reason.to_string(),
            message: failure.message.to_string(),
            last_update_time_ms: failure.last_transition_time_ms,
            last_transition_time_ms: failure.last_transition_time_ms,
        });
    match failure {
        Some(failure) => set_condition(&mut status, failure),
        None => util::remove_condition(&mut status, "ReplicaFailure"),
    }
    context.deployment.status = status;
}

/// `requeueStuckDeployment`: a rollout with a deadline that is neither complete nor timed out
/// is looked at again one second after its deadline (or just after it, when that is less than
/// a second away), so that the timeout is noticed without other changes.
fn requeue_stuck_deployment(context: &Context) -> Option<Millis> {
    let deployment = &context.deployment;
    let deadline = progress_deadline_ms(deployment)?;
    let current = condition(&deployment.status, "Progressing")?;
    if deployment_complete(deployment, &deployment.status) || current.reason == TIMED_OUT_REASON {
        return None;
    }
    let due = current.last_update_time_ms.saturating_add(deadline);
    let after = due.saturating_sub(context.now);
    if after < SECOND_MS {
        // Timed out once strictly past the deadline.
        return Some((due + 1).saturating_sub(context.now).max(1));
    }
    Some(after + SECOND_MS)
}

/// A ReplicaSet without a controller appeared or changed: the Deployments whose selector
/// matches its labels look again (`addReplicaSet` with `getDeploymentsForReplicaSet`).
pub fn enqueue_adopters(simulation: &mut Simulation, key: &ObjectKey) {
    let Some(replica_set) = simulation.store.replica_sets.get(key) else {
        return;
    };
    if replica_set.metadata.controller_of().is_some() {
        return;
    }
    let labels = replica_set.metadata.labels.clone();
    let work: Vec<Work> = simulation
        .store
        .deployments
        .iter()
        .filter(|(deployment_key, deployment)| {
            deployment_key.namespace == key.namespace && deployment.spec.selector.matches(&labels)
        })
        .map(|(deployment_key, _)| Work::SyncDeployment(deployment_key.clone()))
        .collect();
    for item in work {
        simulation.enqueue_now(item);
    }
}

#[cfg(test)]
mod tests;
