//! The Deployment controller's pure helpers (`pkg/controller/deployment/util/deployment_util.go`
//! and the ReplicaSet orderings of `pkg/controller/controller_utils.go`): the rollout limits,
//! how far the new ReplicaSet may grow, the proportions of a scaling event, the revision and
//! replicas annotations, the conditions, and the status computed from the ReplicaSets.

use std::cmp::Ordering;

use crate::api::{
    Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet, DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION, POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
};
use crate::time::{Millis, SECOND_MS};

/// The Progressing condition's reasons (`deploymentutil`).
pub const REPLICA_SET_UPDATED_REASON: &str = "ReplicaSetUpdated";
pub const NEW_REPLICA_SET_REASON: &str = "NewReplicaSetCreated";
pub const FOUND_NEW_RS_REASON: &str = "FoundNewReplicaSet";
pub const NEW_RS_AVAILABLE_REASON: &str = "NewReplicaSetAvailable";
pub const TIMED_OUT_REASON: &str = "ProgressDeadlineExceeded";
pub const PAUSED_DEPLOY_REASON: &str = "DeploymentPaused";
pub const RESUMED_DEPLOY_REASON: &str = "DeploymentResumed";
/// The Available condition's reasons.
pub const MINIMUM_REPLICAS_AVAILABLE: &str = "MinimumReplicasAvailable";
pub const MINIMUM_REPLICAS_UNAVAILABLE: &str = "MinimumReplicasUnavailable";

/// The annotations a Deployment does not copy to its ReplicaSets, nor take back from one on
/// rollback (`annotationsToSkip`).
pub const ANNOTATIONS_TO_SKIP: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    "deprecated.deployment.rollback.to",
];

/// `ResolveFenceposts`: `maxSurge` rounded up and `maxUnavailable` rounded down from their
/// percentages of `desired`; both 0 makes `maxUnavailable` 1.
pub fn resolve_fenceposts(deployment: &Deployment, desired: i32) -> (i32, i32) {
    let rolling = deployment.spec.strategy.rolling_update.as_ref();
    let scaled = |value: Option<&crate::api::IntOrString>, round_up: bool| {
        value.map_or(0, |value| {
            i32::try_from(value.scaled_value(i64::from(desired), round_up)).unwrap_or(i32::MAX)
        })
    };
    let surge = scaled(rolling.and_then(|rolling| rolling.max_surge.as_ref()), true);
    let mut unavailable = scaled(rolling.and_then(|rolling| rolling.max_unavailable.as_ref()), false);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable)
}

/// `MaxSurge`: 0 unless RollingUpdate.
pub fn max_surge(deployment: &Deployment) -> i32 {
    if !deployment.is_rolling_update() {
        return 0;
    }
    resolve_fenceposts(deployment, deployment.spec.replicas).0
}

/// `MaxUnavailable`: 0 unless RollingUpdate with replicas; never more than the replicas.
pub fn max_unavailable(deployment: &Deployment) -> i32 {
    if !deployment.is_rolling_update() || deployment.spec.replicas == 0 {
        return 0;
    }
    resolve_fenceposts(deployment, deployment.spec.replicas)
        .1
        .min(deployment.spec.replicas)
}

/// `GetReplicaCountForReplicaSets`: the sum of `spec.replicas`.
pub fn spec_replicas(replica_sets: &[&ReplicaSet]) -> i32 {
    replica_sets.iter().map(|rs| rs.spec.replicas).sum()
}

/// `GetActualReplicaCountForReplicaSets`: the sum of `status.replicas`.
pub fn actual_replicas(replica_sets: &[&ReplicaSet]) -> i32 {
    replica_sets.iter().map(|rs| rs.status.replicas).sum()
}

/// `GetAvailableReplicaCountForReplicaSets`.
pub fn available_replicas(replica_sets: &[&ReplicaSet]) -> i32 {
    replica_sets.iter().map(|rs| rs.status.available_replicas).sum()
}

/// `GetTerminatingReplicaCountForReplicaSets`: unknown while any ReplicaSet has not reported it.
pub fn terminating_replicas(replica_sets: &[&ReplicaSet]) -> Option<i32> {
    replica_sets
        .iter()
        .map(|rs| rs.status.terminating_replicas)
        .sum::<Option<i32>>()
}

/// `NewRSNewReplicas`: how big the new ReplicaSet may be now. RollingUpdate grows it while all
/// ReplicaSets together stay within `replicas + maxSurge`; Recreate makes it whole.
pub fn new_rs_new_replicas(deployment: &Deployment, all: &[&ReplicaSet], new_rs_replicas: i32) -> i32 {
    if !deployment.is_rolling_update() {
        return deployment.spec.replicas;
    }
    let max_total = deployment.spec.replicas + resolve_fenceposts(deployment, deployment.spec.replicas).0;
    let current = spec_replicas(all);
    if current >= max_total {
        return new_rs_replicas;
    }
    let scale_up = (max_total - current).min(deployment.spec.replicas - new_rs_replicas);
    new_rs_replicas + scale_up
}

fn annotation_int(replica_set: &ReplicaSet, annotation: &str) -> Option<i32> {
    replica_set.metadata.annotations.get(annotation)?.parse().ok()
}

/// `IsSaturated`: the new ReplicaSet has all the replicas, knows it should, and all are
/// available.
pub fn is_saturated(deployment: &Deployment, new_rs: Option<&ReplicaSet>) -> bool {
    let Some(rs) = new_rs else {
        return false;
    };
    let replicas = deployment.spec.replicas;
    rs.spec.replicas == replicas
        && annotation_int(rs, DESIRED_REPLICAS_ANNOTATION) == Some(replicas)
        && rs.status.available_replicas == replicas
}

/// `DeploymentComplete`: every replica updated and available, and the latest spec observed.
pub fn deployment_complete(deployment: &Deployment, status: &DeploymentStatus) -> bool {
    let replicas = deployment.spec.replicas;
    status.updated_replicas == replicas
        && status.replicas == replicas
        && status.available_replicas == replicas
        && status.observed_generation >= deployment.metadata.generation
}

/// `DeploymentProgressing`: more updated, ready or available pods than before, or fewer old
/// ones.
pub fn deployment_progressing(old: &DeploymentStatus, new: &DeploymentStatus) -> bool {
    let old_old_replicas = old.replicas - old.updated_replicas;
    let new_old_replicas = new.replicas - new.updated_replicas;
    new.updated_replicas > old.updated_replicas
        || new_old_replicas < old_old_replicas
        || new.ready_replicas > old.ready_replicas
        || new.available_replicas > old.available_replicas
}

/// `HasProgressDeadline`: set and not max int32.
pub fn progress_deadline_ms(deployment: &Deployment) -> Option<Millis> {
    deployment
        .spec
        .progress_deadline_seconds
        .filter(|seconds| *seconds != i32::MAX)
        .map(|seconds| Millis::try_from(seconds.max(0)).unwrap_or(0) * SECOND_MS)
}

/// `DeploymentTimedOut`: no progress since the Progressing condition was last updated, for
/// longer than `progressDeadlineSeconds` (strictly, as `Before` compares).
pub fn deployment_timed_out(deployment: &Deployment, status: &DeploymentStatus, now: Millis) -> bool {
    let Some(deadline) = progress_deadline_ms(deployment) else {
        return false;
    };
    let Some(condition) = condition(status, "Progressing") else {
        return false;
    };
    match condition.reason.as_str() {
        NEW_RS_AVAILABLE_REASON => false,
        TIMED_OUT_REASON => true,
        _ => condition.last_update_time_ms.saturating_add(deadline) < now,
    }
}

pub fn condition<'a>(status: &'a DeploymentStatus, condition_type: &str) -> Option<&'a DeploymentCondition> {
    status
        .conditions
        .iter()
        .find(|condition| condition.condition_type == condition_type)
}

/// `NewDeploymentCondition`.
pub fn new_condition(
    condition_type: &str,
    status: &str,
    reason: &str,
    message: String,
    now: Millis,
) -> DeploymentCondition {
    DeploymentCondition {
        condition_type: condition_type.to_string(),
        status: status.to_string(),
        reason: reason.to_string(),
        message,
        last_update_time_ms: now,
        last_transition_time_ms: now,
    }
}

/// `SetDeploymentCondition`: nothing when status and reason are the same; otherwise the
/// condition replaces the old one (moving to the end), keeping its transition time when the
/// status did not change.
pub fn set_condition(status: &mut DeploymentStatus, mut condition: DeploymentCondition) {
    if let Some(current) = self::condition(status, &condition.condition_type) {
        if current.status == condition.status && current.reason == condition.reason {
            return;
        }
        if current.status == condition.status {
            condition.last_transition_time_ms = current.last_transition_time_ms;
        }
    }
    remove_condition(status, &condition.condition_type);
    status.conditions.push(condition);
}

pub fn remove_condition(status: &mut DeploymentStatus, condition_type: &str) {
    status
        .conditions
        .retain(|condition| condition.condition_type != condition_type);
}

/// `calculateStatus` (`sync.go`): the counts over all ReplicaSets, the updated ones from the
/// new one, and the Available condition (at least `replicas - maxUnavailable` available).
pub fn calculate_status(
    deployment: &Deployment,
    all: &[&ReplicaSet],
    new_rs: Option<&ReplicaSet>,
    now: Millis,
) -> DeploymentStatus {
    let available = available_replicas(all);
    let total = spec_replicas(all);
    let mut status = DeploymentStatus {
        observed_generation: deployment.metadata.generation,
        replicas: actual_replicas(all),
        updated_replicas: new_rs.map_or(0, |rs| rs.status.replicas),
        ready_replicas: all.iter().map(|rs| rs.status.ready_replicas).sum(),
        available_replicas: available,
        unavailable_replicas: (total - available).max(0),
        terminating_replicas: terminating_replicas(all),
        conditions: deployment.status.conditions.clone(),
        collision_count: deployment.status.collision_count,
    };
    let condition = if available >= deployment.spec.replicas - max_unavailable(deployment) {
        new_condition(
            "Available",
            "True",
            MINIMUM_REPLICAS_AVAILABLE,
            "Deployment has minimum availability.".to_string(),
            now,
        )
    } else {
        new_condition(
            "Available",
            "False",
            MINIMUM_REPLICAS_UNAVAILABLE,
            "Deployment does not have minimum availability.".to_string(),
            now,
        )
    };
    set_condition(&mut status, condition);
    status
}

/// `Revision`: the revision annotation, 0 when missing or unreadable.
pub fn revision(replica_set: &ReplicaSet) -> i64 {
    replica_set
        .metadata
        .annotations
        .get(REVISION_ANNOTATION)
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

/// `SetReplicasAnnotations`: desired and max replicas. Returns whether either changed.
pub fn set_replicas_annotations(replica_set: &mut ReplicaSet, desired: i32, max: i32) -> bool {
    let mut updated = false;
    for (annotation, value) in [(DESIRED_REPLICAS_ANNOTATION, desired), (MAX_REPLICAS_ANNOTATION, max)] {
        let value = value.to_string();
        if replica_set.metadata.annotations.get(annotation) != Some(&value) {
            replica_set.metadata.annotations.insert(annotation.to_string(), value);
            updated = true;
        }
    }
    updated
}

/// `ReplicasAnnotationsNeedUpdate`.
pub fn replicas_annotations_need_update(replica_set: &ReplicaSet, desired: i32, max: i32) -> bool {
    annotation_int(replica_set, DESIRED_REPLICAS_ANNOTATION) != Some(desired)
        || annotation_int(replica_set, MAX_REPLICAS_ANNOTATION) != Some(max)
}

/// `SetNewReplicaSetAnnotations`: the Deployment's annotations copied (all but
/// [`ANNOTATIONS_TO_SKIP`]), the revision raised to `new_revision` if lower (keeping the old one
/// in the revision history when this ReplicaSet comes back), and for a ReplicaSet about to be
/// created, the replicas annotations. Returns whether anything changed.
pub fn set_new_replica_set_annotations(
    deployment: &Deployment,
    replica_set: &mut ReplicaSet,
    new_revision: i64,
    exists: bool,
) -> bool {
    let mut changed = false;
    let annotations = &mut replica_set.metadata.annotations;
    for (key, value) in &deployment.metadata.annotations {
        if ANNOTATIONS_TO_SKIP.contains(&key.as_str()) || annotations.get(key) == Some(value) {
            continue;
        }
        annotations.insert(key.clone(), value.clone());
        changed = true;
    }
    let old_revision = annotations.get(REVISION_ANNOTATION).cloned();
    let old_number = old_revision
        .as_deref()
        .and_then(|value| value.parse::<i64>().ok())
        .unwrap_or(0);
    let mut revision_changed = false;
    if old_number < new_revision {
        annotations.insert(REVISION_ANNOTATION.to_string(), new_revision.to_string());
        revision_changed = true;
        changed = true;
    }
    if let (Some(old), true) = (old_revision, revision_changed) {
        let history = match annotations.get(REVISION_HISTORY_ANNOTATION) {
            Some(history) if !history.is_empty() => format!("{history},{old}"),
            _ => old,
        };
        annotations.insert(REVISION_HISTORY_ANNOTATION.to_string(), history);
    }
    if !exists {
        let replicas = deployment.spec.replicas;
        changed |= set_replicas_annotations(replica_set, replicas, replicas + max_surge(deployment));
    }
    changed
}

/// `GetProportion` with `getReplicaSetFraction`: this ReplicaSet's share of the replicas to add
/// (or remove) in a scaling event, from its size against the size it was given for
/// (`max-replicas`), never past what is left to add.
pub fn get_proportion(replica_set: &ReplicaSet, deployment: &Deployment, to_add: i32, added: i32) -> i32 {
    if replica_set.spec.replicas == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = replica_set_fraction(replica_set, deployment);
    let allowed = to_add - added;
    if to_add > 0 {
        fraction.min(allowed)
    } else {
        fraction.max(allowed)
    }
}

fn replica_set_fraction(replica_set: &ReplicaSet, deployment: &Deployment) -> i32 {
    if deployment.spec.replicas == 0 {
        return -replica_set.spec.replicas;
    }
    let deployment_replicas = deployment.spec.replicas + max_surge(deployment);
    let annotated = annotation_int(replica_set, MAX_REPLICAS_ANNOTATION).unwrap_or(deployment.status.replicas);
    if annotated == 0 {
        return 0;
    }
    // `integer.RoundToInt32`: half away from zero.
    let size = f64::from(replica_set.spec.replicas) * f64::from(deployment_replicas) / f64::from(annotated);
    size.round() as i32 - replica_set.spec.replicas
}

/// `ReplicaSetsByCreationTimestamp`: oldest first, then by name.
pub fn by_creation(first: &ReplicaSet, second: &ReplicaSet) -> Ordering {
    first
        .metadata
        .creation_timestamp_ms
        .cmp(&second.metadata.creation_timestamp_ms)
        .then_with(|| first.metadata.name.cmp(&second.metadata.name))
}

/// `ReplicaSetsBySizeNewer` (`newer`) or `ReplicaSetsBySizeOlder`: largest first, ties newer
/// (or older) first.
pub fn by_size(first: &ReplicaSet, second: &ReplicaSet, newer: bool) -> Ordering {
    second.spec.replicas.cmp(&first.spec.replicas).then_with(|| {
        if newer {
            by_creation(second, first)
        } else {
            by_creation(first, second)
        }
    })
}

/// `ReplicaSetsByRevision`: lowest revision first, ties by creation.
pub fn by_revision(first: &ReplicaSet, second: &ReplicaSet) -> Ordering {
    match revision(first).cmp(&revision(second)) {
        Ordering::Equal => by_creation(first, second),
        other => other,
    }
}

/// A template without the `pod-template-hash` label, for `EqualIgnoreHash`.
fn without_hash(template: &serde_json::Value) -> serde_json::Value {
    let mut template = template.clone();
    if let Some(labels) = template
        .pointer_mut("/metadata/labels")
        .and_then(serde_json::Value::as_object_mut)
    {
        labels.remove(POD_TEMPLATE_HASH_LABEL);
        if labels.is_empty() {
            if let Some(metadata) = template
                .pointer_mut("/metadata")
                .and_then(serde_json::Value::as_object_mut)
            {
                metadata.remove("labels");
            }
        }
    }
    template
}

/// `EqualIgnoreHash`: the two templates are equal but for the `pod-template-hash` label.
pub fn equal_ignore_hash(first: &serde_json::Value, second: &serde_json::Value) -> bool {
    without_hash(first) == without_hash(second)
}
