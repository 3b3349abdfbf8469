//! The Job controller (`pkg/controller/job/job_controller.go`) and the TTL-after-finished
//! controller (`pkg/controller/ttlafterfinished/ttlafterfinished_controller.go`).
//!
//! `sync` follows `syncJob`: count the pods that finished since the last sync (the real
//! controller tracks them with the `batch.kubernetes.io/job-tracking` finalizer; here the Job
//! keeps the uids it has not counted yet), decide whether the Job failed (`backoffLimit`,
//! restarts under `OnFailure`, `activeDeadlineSeconds`) or completed, and otherwise let
//! `manageJob` create or delete pods so that `min(parallelism, remaining completions)` run.
//! Terminal conditions are delayed until no pod is terminating, as with the
//! `JobPodReplacementPolicy` and `JobManagedBy` features on (the default since 1.31): first
//! `FailureTarget` or `SuccessCriteriaMet`, then `Failed` or `Complete`.

use std::collections::BTreeSet;

use crate::api::{set_condition, Job, ObjectMeta, OwnerReference, Pod, PodPhase};
use crate::sim::{ObjectKey, Simulation, Work};
use crate::time::{Millis, SECOND_MS};

const SOURCE: &str = "job-controller";

/// `DefaultJobPodFailureBackOff`: the first delay before a failed pod is replaced.
pub const POD_FAILURE_BACKOFF_MS: Millis = 10 * SECOND_MS;
/// `DefaultJobPodMaxBackOff`: the delays double up to ten minutes (the docs say six; the code
/// says ten, and the code wins).
pub const POD_MAX_BACKOFF_MS: Millis = 600 * SECOND_MS;
/// The reasons and messages of the terminal conditions this controller sets (the `Failed`
/// warning event repeats the failure's).
const BACKOFF_LIMIT_EXCEEDED: (&str, &str) = ("BackoffLimitExceeded", "Job has reached the specified backoff limit");
const DEADLINE_EXCEEDED: (&str, &str) = ("DeadlineExceeded", "Job was active longer than specified deadline");
const COMPLETIONS_REACHED: (&str, &str) = ("CompletionsReached", "Reached expected number of succeeded pods");

/// `MaxPodCreateDeletePerSync`.
const MAX_POD_CREATE_DELETE_PER_SYNC: usize = 500;

pub const LABEL_CONTROLLER_UID: &str = "batch.kubernetes.io/controller-uid";
pub const LABEL_JOB_NAME: &str = "batch.kubernetes.io/job-name";
pub const LEGACY_LABEL_CONTROLLER_UID: &str = "controller-uid";
pub const LEGACY_LABEL_JOB_NAME: &str = "job-name";
pub const COMPLETION_INDEX: &str = "batch.kubernetes.io/job-completion-index";

/// `getRemainingTimeForFailuresCount` (`pkg/controller/job/backoff_utils.go`): how long the
/// controller still waits before it replaces a failed pod.
pub fn backoff_remaining(failures: u32, last_failure_ms: Option<Millis>, now: Millis) -> Millis {
    let Some(last_failure_ms) = last_failure_ms.filter(|_| failures > 0) else {
        return 0;
    };
    let mut delay = POD_FAILURE_BACKOFF_MS;
    for _ in 1..failures {
        delay = delay.saturating_mul(2);
        if delay >= POD_MAX_BACKOFF_MS {
            delay = POD_MAX_BACKOFF_MS;
            break;
        }
    }
    delay.saturating_sub(now.saturating_sub(last_failure_ms))
}

/// How many pods should be active (`manageJob`): with `completions` unset, `parallelism`
/// until one pod succeeds, then whatever still runs; otherwise never more than the completions
/// still missing.
pub fn want_active(parallelism: i32, completions: Option<i32>, succeeded: i32, active: i32) -> i32 {
    match completions {
        None if succeeded > 0 => active,
        None => parallelism,
        Some(completions) => (completions - succeeded).clamp(0, parallelism.max(0)),
    }
}

/// `pastBackoffLimitOnFailure`: under `restartPolicy: OnFailure`, container restarts of the
/// pods still pending or running count against `backoffLimit`.
fn past_backoff_limit_on_failure(job: &Job, pods: &[&Pod]) -> bool {
    if job.spec.template.spec.restart_policy != "OnFailure" {
        return false;
    }
    let restarts: i64 = pods
        .iter()
        .filter(|pod| matches!(pod.status.phase, PodPhase::Running | PodPhase::Pending))
        .flat_map(|pod| pod.status.container_statuses.iter())
        .map(|status| i64::from(status.restart_count))
        .sum();
    let limit = i64::from(job.spec.backoff_limit.unwrap_or(6));
    if limit == 0 {
        restarts > 0
    } else {
        restarts >= limit
    }
}

fn completion_index(pod: &Pod) -> Option<i32> {
    pod.metadata.annotations.get(COMPLETION_INDEX)?.parse().ok()
}

/// `succeededIndexesToString`-like ranges: `0-2,4`.
pub fn format_indexes(indexes: &BTreeSet<i32>) -> String {
    let mut ranges: Vec<(i32, i32)> = Vec::new();
    for &index in indexes {
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == index => *end = index,
            _ => ranges.push((index, index)),
        }
    }
    ranges
        .iter()
        .map(|&(start, end)| {
            if start == end {
                start.to_string()
            } else {
                format!("{start}-{end}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn job_object(job: &Job) -> String {
    format!("job/{}", job.metadata.name)
}

/// `syncJob`. Returns when to look again (the deadline, or the end of a back-off).
pub fn sync(simulation: &mut Simulation, key: &ObjectKey) -> Option<Millis> {
    let mut job = simulation.store.jobs.get(key).cloned()?;
    if job.status.is_finished() {
        return None;
    }
    let now = simulation.now();
    let namespace = job.metadata.namespace.clone();
    let live = |simulation: &'_ Simulation, uid: &str, name: &str| -> Option<ObjectKey> {
        let key = ObjectKey::new(&namespace, name);
        simulation
            .store
            .pod(&key)
            .filter(|pod| pod.metadata.uid == uid)
            .map(|_| key)
    };

    // Count what finished since the last sync (`trackJobStatusAndRemoveFinalizers`): a pod
    // that succeeded; a pod that failed, is being deleted without having succeeded, or is gone
    // (`isPodFailed`: deleted pods count as failures).
    let mut new_failures = 0;
    let mut new_success = false;
    let mut active_keys: Vec<ObjectKey> = Vec::new();
    let uncounted: Vec<(String, String)> = job
        .tracking
        .uncounted
        .iter()
        .map(|(uid, name)| (uid.clone(), name.clone()))
        .collect();
    for (uid, name) in uncounted {
        let key = live(simulation, &uid, &name);
        let pod = key.as_ref().and_then(|key| simulation.store.pod(key));
        let outcome = match pod {
            None => Some(false),
            Some(pod) if pod.status.phase == PodPhase::Succeeded => Some(true),
            Some(pod) if pod.status.phase == PodPhase::Failed || pod.metadata.is_terminating() => Some(false),
            Some(_) => None,
        };
        match outcome {
            Some(true) => {
                job.status.succeeded += 1;
                new_success = true;
                if let Some(index) = pod.and_then(completion_index) {
                    job.tracking.succeeded_indexes.insert(index);
                }
            }
            Some(false) => {
                job.status.failed += 1;
                new_failures += 1;
                if pod.is_some_and(|pod| pod.metadata.is_terminating() && !pod.status.phase.is_terminal()) {
                    job.tracking.counted_terminating.insert(uid.clone(), name.clone());
                }
            }
            None => {
                active_keys.extend(key);
                continue;
            }
        }
        job.tracking.uncounted.remove(&uid);
    }
    // Pods counted while terminating stay in `status.terminating` until they finish or go.
    let still_terminating: Vec<(String, String)> = job
        .tracking
        .counted_terminating
        .iter()
        .map(|(uid, name)| (uid.clone(), name.clone()))
        .collect();
    for (uid, name) in still_terminating {
        let finished = live(simulation, &uid, &name)
            .and_then(|key| simulation.store.pod(&key))
            .is_none_or(|pod| pod.status.phase.is_terminal());
        if finished {
            job.tracking.counted_terminating.remove(&uid);
        }
    }
    let terminating = job.tracking.counted_terminating.len() as i32;
    // `newBackoffRecord`: a success resets the count of failures.
    if new_success {
        job.tracking.failures_after_last_success = 0;
    }
    if new_failures > 0 {
        job.tracking.failures_after_last_success += new_failures;
        job.tracking.last_failure_ms = Some(now);
    }
    let active: Vec<&Pod> = active_keys.iter().filter_map(|key| simulation.store.pod(key)).collect();
    let suspended = job.spec.is_suspended();
    // Events wait until the pods are no longer borrowed.
    let mut events: Vec<(&'static str, &'static str, &'static str)> = Vec::new();

    // Suspension (`syncJob`): the condition, and a fresh start time on resume, so the
    // deadline counts only continuously active time.
    let was_suspended = crate::api::condition_status(&job.status.conditions, "Suspended") == Some("True");
    if suspended && !was_suspended {
        set_condition(
            &mut job.status.conditions,
            now,
            "Suspended",
            "True",
            "JobSuspended",
            "Job suspended",
        );
        events.push(("Normal", "Suspended", "Job suspended"));
    } else if !suspended && was_suspended {
        set_condition(
            &mut job.status.conditions,
            now,
            "Suspended",
            "False",
            "JobResumed",
            "Job resumed",
        );
        events.push(("Normal", "Resumed", "Job resumed"));
        job.status.start_time_ms = Some(now);
    }
    if job.status.start_time_ms.is_none() && !suspended {
        job.status.start_time_ms = Some(now);
    }

    // Did it fail? (`syncJob`, in this order.)
    let backoff_limit = job.spec.backoff_limit.unwrap_or(6);
    let deadline_at = match (job.spec.active_deadline_seconds, job.status.start_time_ms) {
        (Some(seconds), Some(start)) if !suspended => {
            Some(start.saturating_add((seconds.max(0) as Millis).saturating_mul(SECOND_MS)))
        }
        _ => None,
    };
    // A Job that met its success criteria only waits for its terminating pods; a failure
    // target, once set, stays (`syncJob` starts from the existing finished condition).
    let success_met = job.status.has_condition("SuccessCriteriaMet");
    let already_failing = job.status.has_condition("FailureTarget");
    let failure: Option<(&'static str, &'static str)> = if already_failing || success_met {
        None
    } else if job.status.failed > backoff_limit || past_backoff_limit_on_failure(&job, &active) {
        Some(BACKOFF_LIMIT_EXCEEDED)
    } else if deadline_at.is_some_and(|deadline| now >= deadline) {
        Some(DEADLINE_EXCEEDED)
    } else {
        None
    };
    if let Some((reason, message)) = failure {
        set_condition(
            &mut job.status.conditions,
            now,
            "FailureTarget",
            "True",
            reason,
            message,
        );
    }

    let mut requeue: Option<Millis> = None;
    let mut deleted = 0;
    let mut created = 0;
    let mut active_count = active.len() as i32;
    let failing = job.status.has_condition("FailureTarget");
    let indexed = job.spec.is_indexed();
    let succeeded_for_completion = if indexed {
        job.tracking.succeeded_indexes.len() as i32
    } else {
        job.status.succeeded
    };
    let complete = success_met
        || !failing
            && match job.spec.completions {
                None => job.status.succeeded > 0 && active.is_empty(),
                Some(completions) => succeeded_for_completion >= completions && active.is_empty(),
            };
    let mut to_delete: Vec<ObjectKey> = Vec::new();
    let mut to_create: Vec<Option<i32>> = Vec::new();
    if failing {
        // Every active pod is terminated; pods not started yet never start.
        to_delete = active.iter().map(|pod| ObjectKey::of(&pod.metadata)).collect();
    } else if complete {
        if !job.status.has_condition("SuccessCriteriaMet") {
            set_condition(
                &mut job.status.conditions,
                now,
                "SuccessCriteriaMet",
                "True",
                COMPLETIONS_REACHED.0,
                COMPLETIONS_REACHED.1,
            );
        }
    } else if suspended {
        to_delete = active.iter().map(|pod| ObjectKey::of(&pod.metadata)).collect();
    } else {
        // `manageJob`.
        let parallelism = job.spec.parallelism.unwrap_or(1);
        let want = want_active(
            parallelism,
            job.spec.completions,
            succeeded_for_completion,
            active_count,
        );
        let excess = (active_count - want).max(0) as usize;
        if excess > 0 {
            to_delete = pods_for_removal(&active, excess);
        } else if active_count < want {
            let remaining = backoff_remaining(
                job.tracking.failures_after_last_success,
                job.tracking.last_failure_ms,
                now,
            );
            if remaining > 0 {
                requeue = Some(remaining);
            } else {
                let diff = ((want - active_count) as usize).min(MAX_POD_CREATE_DELETE_PER_SYNC);
                if indexed {
                    let busy: BTreeSet<i32> = active.iter().filter_map(|pod| completion_index(pod)).collect();
                    let completions = job.spec.completions.unwrap_or(0);
                    to_create = (0..completions)
                        .filter(|index| !job.tracking.succeeded_indexes.contains(index) && !busy.contains(index))
                        .take(diff)
                        .map(Some)
                        .collect();
                } else {
                    to_create = vec![None; diff];
                }
            }
        }
    }
    // `status.ready`: active pods with the Ready condition, those being deleted now not counted.
    // Pods deleted for suspension or scale-down lose their tracking finalizer first
    // (`deleteJobPods`): they are never counted as failed, only as terminating. Pods deleted
    // because the Job failed (`deleteActivePods`) keep it and count as failed.
    let released: Vec<(String, String)> = if failing {
        Vec::new()
    } else {
        active
            .iter()
            .filter(|pod| to_delete.iter().any(|key| key.name == pod.metadata.name))
            .map(|pod| (pod.metadata.uid.clone(), pod.metadata.name.clone()))
            .collect()
    };
    let ready = active
        .iter()
        .filter(|pod| pod.is_ready() && !to_delete.iter().any(|key| key.name == pod.metadata.name))
        .count() as i32;
    drop(active);
    for (event_type, reason, message) in events {
        simulation.record_event(
            event_type,
            reason,
            job_object(&job),
            &namespace,
            message.to_string(),
            SOURCE,
        );
    }

    for pod_key in &to_delete {
        simulation.delete_pod_gracefully(pod_key, None);
        simulation.record_event(
            "Normal",
            "SuccessfulDelete",
            job_object(&job),
            &namespace,
            format!("Deleted pod: {}", pod_key.name),
            SOURCE,
        );
        deleted += 1;
    }
    for (uid, name) in released {
        job.tracking.uncounted.remove(&uid);
        let key = ObjectKey::new(&namespace, &name);
        if simulation
            .store
            .pod(&key)
            .is_some_and(|pod| pod.metadata.uid == uid && !pod.status.phase.is_terminal())
        {
            job.tracking.counted_terminating.insert(uid, name);
        }
    }
    for index in to_create {
        let (uid, name) = create_job_pod(simulation, &job, index);
        job.tracking.uncounted.insert(uid, name);
        created += 1;
    }
    active_count = active_count - deleted + created;

    job.status.active = active_count;
    job.status.ready = ready;
    job.status.terminating = terminating + deleted;
    if indexed {
        job.status.completed_indexes = format_indexes(&job.tracking.succeeded_indexes);
    }
    // The terminal condition, once no pod is terminating (`delayTerminalCondition`).
    if job.status.terminating == 0 && job.status.active == 0 {
        // Failed copies FailureTarget, Complete copies SuccessCriteriaMet.
        let target = [("FailureTarget", "Failed"), ("SuccessCriteriaMet", "Complete")]
            .into_iter()
            .find_map(|(target, terminal)| {
                job.status
                    .conditions
                    .iter()
                    .find(|condition| condition.condition_type == target && condition.status == "True")
                    .map(|condition| (terminal, condition.reason.clone(), condition.message.clone()))
            });
        if let Some((terminal, reason, message)) = target {
            set_condition(
                &mut job.status.conditions,
                now,
                terminal,
                "True",
                reason.clone(),
                &message,
            );
            if terminal == "Complete" {
                job.status.completion_time_ms = Some(now);
                simulation.record_event(
                    "Normal",
                    "Completed",
                    job_object(&job),
                    &namespace,
                    "Job completed".into(),
                    SOURCE,
                );
            } else if let Some((reason, message)) = [BACKOFF_LIMIT_EXCEEDED, DEADLINE_EXCEEDED]
                .into_iter()
                .find(|(known, _)| *known == reason)
            {
                // `recordJobFinished`: the warning comes with the Failed condition.
                simulation.record_event("Warning", reason, job_object(&job), &namespace, message.into(), SOURCE);
            }
        }
        if job.status.is_finished() {
            // The CronJob controller watches its Jobs (`updateJob`).
            if let Some(owner) = job.metadata.controller_of() {
                simulation.enqueue_controller(&namespace, owner);
            }
            if let Some(expiry) = job.ttl_expiry() {
                simulation.enqueue_at(Work::JobTtlExpired(key.clone()), expiry);
            }
        }
    }
    if !job.status.is_finished() {
        if let Some(deadline) = deadline_at.filter(|deadline| *deadline > now) {
            let after = deadline - now;
            requeue = Some(requeue.map_or(after, |other| other.min(after)));
        }
    }
    if let Some(stored) = simulation.store.jobs.get_mut(key) {
        if stored.metadata.uid == job.metadata.uid {
            stored.status = job.status;
            stored.tracking = job.tracking;
        }
    }
    requeue
}

/// `activePodsForRemoval` with `controller.ActivePods`' order: unscheduled before scheduled,
/// pending before running, not ready before ready, newer before older.
fn pods_for_removal(active: &[&Pod], count: usize) -> Vec<ObjectKey> {
    let mut candidates: Vec<&&Pod> = active.iter().collect();
    candidates.sort_by_key(|pod| {
        (
            !pod.spec.node_name.is_empty(),
            pod.status.phase != PodPhase::Pending,
            pod.is_ready(),
            std::cmp::Reverse(pod.metadata.creation_timestamp_ms),
            std::cmp::Reverse(pod.metadata.name.clone()),
        )
    });
    candidates
        .into_iter()
        .take(count)
        .map(|pod| ObjectKey::of(&pod.metadata))
        .collect()
}

/// A pod from the Job's template (`manageJob` with `podTemplate`): owned by the Job, named
/// `JOB-` (Indexed: `JOB-INDEX-`) plus a random suffix, an Indexed pod with its completion index
/// as annotation and label and `JOB-INDEX` as hostname.
fn create_job_pod(simulation: &mut Simulation, job: &Job, index: Option<i32>) -> (String, String) {
    let template = &job.spec.template;
    let mut metadata = ObjectMeta {
        generate_name: match index {
            Some(index) => format!("{}-{index}-", job.metadata.name),
            None => format!("{}-", job.metadata.name),
        },
        namespace: job.metadata.namespace.clone(),
        labels: template.metadata.labels.clone(),
        annotations: template.metadata.annotations.clone(),
        owner_references: vec![OwnerReference {
            api_version: "batch/v1".to_string(),
            kind: "Job".to_string(),
            name: job.metadata.name.clone(),
            uid: job.metadata.uid.clone(),
            controller: true,
            block_owner_deletion: true,
        }],
        ..ObjectMeta::default()
    };
    let mut spec = template.spec.clone();
    if let Some(index) = index {
        metadata
            .annotations
            .insert(COMPLETION_INDEX.to_string(), index.to_string());
        metadata.labels.insert(COMPLETION_INDEX.to_string(), index.to_string());
        if spec.hostname.is_empty() {
            spec.hostname = format!("{}-{index}", job.metadata.name);
        }
    }
    let pod = Pod {
        metadata,
        spec,
        status: Default::default(),
    };
    let pod_key = simulation.create_pod(pod);
    simulation.record_event(
        "Normal",
        "SuccessfulCreate",
        job_object(job),
        &job.metadata.namespace,
        format!("Created pod: {}", pod_key.name),
        SOURCE,
    );
    let uid = simulation
        .store
        .pod(&pod_key)
        .map(|pod| pod.metadata.uid.clone())
        .unwrap_or_default();
    (uid, pod_key.name)
}

/// The TTL-after-finished controller (`processJob`): a finished Job whose TTL ran out is
/// deleted with background propagation, so the garbage collector deletes its pods.
pub fn ttl_expired(simulation: &mut Simulation, key: &ObjectKey) {
    let Some(job) = simulation.store.jobs.get(key) else {
        return;
    };
    let Some(expires) = job.ttl_expiry() else {
        return;
    };
    if simulation.now() < expires {
        simulation.enqueue_at(Work::JobTtlExpired(key.clone()), expires);
        return;
    }
    let _ = simulation.delete_job(&key.namespace, &key.name, crate::sim::Cascade::Background);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The back-off of `backoff_utils_test.go`'s intent: 10s, doubling, capped at ten minutes,
    /// less the time since the last failure.
    #[test]
    fn backoff_doubles_to_the_cap() {
        let now = 1_000_000;
        let cases = [
            (0, 0),
            (1, 10_000),
            (2, 20_000),
            (3, 40_000),
            (6, 320_000),
            (7, 600_000),
            (20, 600_000),
        ];
        for (failures, expected) in cases {
            assert_eq!(
                backoff_remaining(failures, Some(now), now),
                expected,
                "failures {failures}"
            );
        }
        assert_eq!(backoff_remaining(2, Some(now - 5_000), now), 15_000);
        assert_eq!(backoff_remaining(2, Some(now - 50_000), now), 0);
        assert_eq!(backoff_remaining(3, None, now), 0);
    }

    /// `manageJob`'s wantActive, as in `TestControllerSyncJob`'s cases.
    #[test]
    fn want_active_follows_manage_job() {
        // (parallelism, completions, succeeded, active) -> want
        let cases = [
            ((2, Some(5), 0, 0), 2),
            ((2, Some(5), 4, 0), 1),
            ((2, Some(5), 5, 0), 0),
            ((0, Some(5), 0, 0), 0),
            ((10, Some(3), 0, 0), 3),
            ((2, None, 0, 0), 2),
            ((2, None, 1, 1), 1),
            ((2, Some(0), 0, 0), 0),
        ];
        for ((parallelism, completions, succeeded, active), expected) in cases {
            assert_eq!(
                want_active(parallelism, completions, succeeded, active),
                expected,
                "{parallelism} {completions:?} {succeeded} {active}"
            );
        }
    }

    #[test]
    fn completed_indexes_as_ranges() {
        let indexes: BTreeSet<i32> = [0, 1, 2, 4, 6, 7].into_iter().collect();
        assert_eq!(format_indexes(&indexes), "0-2,4,6-7");
        assert_eq!(format_indexes(&BTreeSet::new()), "");
    }
}
