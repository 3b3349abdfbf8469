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

use crate::sort::StableSort;
use std::collections::BTreeSet;

pub use super::job_policies::format_indexes;
use super::job_policies::{match_pod_failure_policy, match_success_policy, FailurePolicyAction};
use crate::api::{
    set_condition, ContainerState, IndexFailures, Job, JobTracking, ObjectMeta, OwnerReference, Pod, PodPhase, Uid,
};
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
const MAX_FAILED_INDEXES_EXCEEDED: (&str, &str) = (
    "MaxFailedIndexesExceeded",
    "Job has exceeded the specified maximal number of failed indexes",
);
const FAILED_INDEXES: (&str, &str) = ("FailedIndexes", "Job has failed indexes");
/// `JobReasonPodFailurePolicy` and `JobReasonSuccessPolicy`: their messages come from the rule.
const POD_FAILURE_POLICY: &str = "PodFailurePolicy";
const SUCCESS_POLICY: &str = "SuccessPolicy";

/// `MaxPodCreateDeletePerSync`.
const MAX_POD_CREATE_DELETE_PER_SYNC: usize = 500;

pub const LABEL_CONTROLLER_UID: &str = "batch.kubernetes.io/controller-uid";
pub const LABEL_JOB_NAME: &str = "batch.kubernetes.io/job-name";
pub const LEGACY_LABEL_CONTROLLER_UID: &str = "controller-uid";
pub const LEGACY_LABEL_JOB_NAME: &str = "job-name";
pub const COMPLETION_INDEX: &str = "batch.kubernetes.io/job-completion-index";
/// `JobIndexFailureCountAnnotation` and `JobIndexIgnoredFailureCountAnnotation`.
pub const INDEX_FAILURE_COUNT: &str = "batch.kubernetes.io/job-index-failure-count";
pub const INDEX_IGNORED_FAILURE_COUNT: &str = "batch.kubernetes.io/job-index-ignored-failure-count";

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

/// `getFinishedTime` (`backoff_utils.go`), from the stored (whole-second) timestamps: when
/// the last of the pod's containers finished, once all have; else when it became not Ready;
/// else when its deletion was asked for (the deletion timestamp less the grace period); else
/// its creation.
fn finished_time(pod: &Pod) -> Millis {
    let mut containers: Option<Millis> = None;
    for status in &pod.status.container_statuses {
        let ContainerState::Terminated { finished_at_ms, .. } = status.state else {
            containers = None;
            break;
        };
        containers = Some(containers.map_or(finished_at_ms, |latest| latest.max(finished_at_ms)));
    }
    let not_ready = || {
        pod.status
            .conditions
            .iter()
            .find(|condition| condition.condition_type == "Ready" && condition.status == "False")
            .map(|condition| condition.last_transition_time_ms)
    };
    let deletion = || {
        let grace_ms = (pod.metadata.deletion_grace_period_seconds.unwrap_or(0).max(0) as Millis) * SECOND_MS;
        pod.metadata
            .deletion_timestamp_ms
            .map(|deletion| crate::time::as_stored(deletion).saturating_sub(grace_ms))
    };
    containers
        .or_else(not_ready)
        .map(crate::time::as_stored)
        .or_else(deletion)
        .unwrap_or_else(|| crate::time::as_stored(pod.metadata.creation_timestamp_ms))
}

/// `newBackoffRecord`: new failures alone add to the count of failures since the last
/// success, and the latest of them is the last failure; a new success resets the count, then
/// counts only the new failures that finished after it (strictly, in whole seconds).
fn backoff_record(tracking: &mut JobTracking, last_new_success: Option<Millis>, new_failure_times: &[Millis]) {
    if last_new_success.is_some() {
        tracking.failures_after_last_success = 0;
        tracking.last_failure_ms = None;
    }
    let (count, latest) = new_failure_times
        .iter()
        .copied()
        .filter(|failed| last_new_success.is_none_or(|success| *failed > success))
        .fold((0, None::<Millis>), |(count, latest), failed| {
            (count + 1, Some(latest.map_or(failed, |latest| latest.max(failed))))
        });
    if let Some(latest) = latest {
        tracking.failures_after_last_success += count;
        tracking.last_failure_ms = Some(latest);
    }
}

/// `syncJobBatchPeriod` (`job_controller.go`): a Job's pod events (`addPod`, `updatePod`,
/// `deletePod`: `enqueueSyncJobBatched`) sync it this much later, gathering what happens
/// meanwhile into one sync; a delayed sync is never sooner (`enqueueSyncJobWithDelay`).
pub const SYNC_JOB_BATCH_PERIOD_MS: Millis = SECOND_MS;

/// When `job` passes its `activeDeadlineSeconds`, counted from `status.startTime` as stored,
/// in whole seconds (`job_controller.go`, `pastActiveDeadline`); none while suspended (the
/// start time restarts on resume).
pub fn deadline(job: &Job) -> Option<Millis> {
    match (job.spec.active_deadline_seconds, job.status.start_time_ms) {
        (Some(seconds), Some(start)) if !job.spec.is_suspended() => {
            Some(crate::time::as_stored(start).saturating_add((seconds.max(0) as Millis).saturating_mul(SECOND_MS)))
        }
        _ => None,
    }
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

/// `parseIndexFailureCountAnnotation`-like: a count annotation, 0 when missing, unparsable,
/// negative or past int32.
fn annotation_count(pod: &Pod, annotation: &str) -> i32 {
    pod.metadata
        .annotations
        .get(annotation)
        .and_then(|value| value.parse::<i32>().ok())
        .filter(|count| *count >= 0)
        .unwrap_or(0)
}

/// `job/NAME`, the object of the controller's events, written when the event is recorded.
fn job_object(job: &Job) -> crate::sim::EventPieces<'_, 3> {
    crate::sim::EventPieces(["job", "/", &job.metadata.name])
}

/// What counting a pod found: still active, terminating but not failed yet (only with a pod
/// failure policy, `onlyReplaceFailedPods`), succeeded or failed.
#[derive(Clone, Copy)]
enum Outcome {
    Active,
    Terminating,
    Succeeded,
    Failed,
}

/// `isPodFailed` and the phases: a pod that is gone counts as failed; a pod being deleted
/// counts as failed at once, unless only failed pods are replaced (a pod failure policy is
/// set), in which case it counts when it reaches `Failed`.
fn outcome(pod: Option<&Pod>, only_replace_failed: bool) -> Outcome {
    match pod {
        None => Outcome::Failed,
        Some(pod) if pod.status.phase == PodPhase::Succeeded => Outcome::Succeeded,
        Some(pod) if pod.status.phase == PodPhase::Failed => Outcome::Failed,
        Some(pod) if pod.metadata.is_terminating() && only_replace_failed => Outcome::Terminating,
        Some(pod) if pod.metadata.is_terminating() => Outcome::Failed,
        Some(_) => Outcome::Active,
    }
}

/// The last state of a pod that left the API, as the Job controller would have seen it while
/// the tracking finalizer held it: the kubelet makes a deleted pod `Failed` unless it
/// succeeded, and its killed containers end with 137 (SIGKILL when the grace period ran out, for
/// a `sleep` that ignores SIGTERM) or 143 (SIGTERM), as the pod leaves (`now`).
fn last_state_of_removed(pod: &Pod, now: Millis) -> Pod {
    let mut last = pod.clone();
    if !last.status.phase.is_terminal() {
        last.status.phase = PodPhase::Failed;
    }
    for (container, status) in last
        .spec
        .containers
        .iter()
        .zip(last.status.container_statuses.iter_mut())
    {
        if let ContainerState::Running { started_at_ms } = status.state {
            let exit_code = if crate::kubelet::ignores_sigterm(container) {
                137
            } else {
                143
            };
            status.state = ContainerState::Terminated {
                exit_code,
                reason: "Error".to_string(),
                started_at_ms,
                finished_at_ms: now,
            };
            status.ready = false;
        }
    }
    last
}

/// A pod left the API. The real pod would stay, held by the `batch.kubernetes.io/job-tracking`
/// finalizer, until the controller counted it; Jobs whose counting looks at the failed pod (a
/// pod failure policy, per-index back-off) keep its last state until the next sync.
pub fn on_pod_removed(simulation: &mut Simulation, pod: &Pod) {
    let Some(owner) = pod.metadata.controller_of() else {
        return;
    };
    if owner.kind != "Job" {
        return;
    }
    let now = simulation.now();
    let key = crate::store::KeyRef(&pod.metadata.namespace, &owner.name);
    let Some(job) = key.get_mut(&mut simulation.store.jobs) else {
        return;
    };
    // No check that the pod is still uncounted: during a sync the tracking is taken out of the
    // stored Job; the sync keeps only the states of pods it still has to count.
    if job.metadata.uid == owner.uid {
        job.tracking
            .removed_pods
            .insert(pod.metadata.uid.clone(), last_state_of_removed(pod, now));
    }
}

/// Per-index back-off (`isIndexFailed`, `getNewIndexFailureCounts`): a failed pod of an index
/// either fails the index (a `FailIndex` rule, or `backoffLimitPerIndex` counted failures
/// already behind it) or leaves the counts its replacement carries.
fn record_index_failure(job: &mut Job, pod: &Pod, counted: bool, action: Option<FailurePolicyAction>) {
    let (Some(limit), Some(index)) = (job.spec.backoff_limit_per_index, completion_index(pod)) else {
        return;
    };
    if index >= job.spec.completions.unwrap_or(0) || job.tracking.succeeded_indexes.contains(&index) {
        return;
    }
    let counted_before = annotation_count(pod, INDEX_FAILURE_COUNT);
    let ignored_before = annotation_count(pod, INDEX_IGNORED_FAILURE_COUNT);
    if action == Some(FailurePolicyAction::FailIndex) || counted && counted_before >= limit {
        job.tracking.failed_indexes.insert(index);
        job.tracking.index_failures.remove(&index);
        return;
    }
    job.tracking.index_failures.insert(
        index,
        IndexFailures {
            counted: counted_before + i32::from(counted),
            ignored: ignored_before + i32::from(!counted),
            // `getRemainingTimePerIndex`: from the failed pod's `getFinishedTime`.
            last_failure_ms: finished_time(pod),
        },
    );
}

/// A tracked pod, if it still exists as the same object.
fn live_pod<'a>(simulation: &'a Simulation, uid: &Uid, key: &ObjectKey) -> Option<&'a Pod> {
    simulation.store.pod(key).filter(|pod| pod.metadata.uid == *uid)
}

/// `syncJob`. Returns when to look again (the deadline, or the end of a back-off).
pub fn sync(simulation: &mut Simulation, key: &ObjectKey) -> Option<Millis> {
    // The tracking is taken, not cloned: it holds every uncounted pod, and a sync must cost
    // what changed, not the Job's size. It goes back with the status at the end.
    let stored = simulation.store.jobs.get_mut(key)?;
    if stored.status.is_finished() {
        return None;
    }
    // The spec's pod template is shared (`Arc`), so copying the spec does not copy it. The
    // selector is not copied either: the sync never reads it (the pods it counts are the ones
    // it tracks), and copying and dropping it was a tenth of a CronJob's Job's sync.
    let selector = stored.spec.selector.take();
    let spec = stored.spec.clone();
    stored.spec.selector = selector;
    let mut job = Job {
        // A sync reads the Job's name, namespace and uid only (its owner, when it finishes, is
        // read from the stored Job): copying its labels, annotations and owner references too
        // was a fifth of the cost of a CronJob's Job's sync.
        metadata: ObjectMeta {
            name: stored.metadata.name.clone(),
            namespace: stored.metadata.namespace,
            uid: stored.metadata.uid.clone(),
            ..ObjectMeta::default()
        },
        spec,
        status: stored.status.clone(),
        tracking: std::mem::take(&mut stored.tracking),
    };
    let now = simulation.now();
    let namespace = job.metadata.namespace;
    // `onlyReplaceFailedPods`: with `podReplacementPolicy: Failed` or a pod failure policy,
    // pods being deleted are neither failed nor replaced until they reach `Failed`.
    let only_replace_failed =
        job.spec.pod_failure_policy.is_some() || job.spec.pod_replacement_policy.as_deref() == Some("Failed");
    let per_index = job.spec.is_indexed() && job.spec.backoff_limit_per_index.is_some();

    // Count what finished since the last sync (`trackJobStatusAndRemoveFinalizers`): a pod
    // that succeeded; a pod that failed, is being deleted without having succeeded, or is gone
    // (`isPodFailed`: deleted pods count as failures). A failed pod is matched against the pod
    // failure policy (`matchPodFailurePolicy`): an `Ignore` rule keeps it out of
    // `status.failed`, the first `FailJob` rule met fails the Job (`getFailJobMessage`).
    let mut active: Vec<&Pod> = Vec::new();
    let mut terminating_uncounted: Vec<&Pod> = Vec::new();
    // When the newly finished pods finished (`getFinishedTime`): the latest success, and
    // each failure, for the back-off record.
    let mut last_new_success: Option<Millis> = None;
    let mut new_failure_times: Vec<Millis> = Vec::new();
    let mut fail_job_message: Option<String> = None;
    // One pass, in uid order: a finished pod is counted and leaves the map where it lies
    // (taken out of the Job meanwhile, so that counting can change the Job), without copying
    // its uid and key.
    let mut uncounted = std::mem::take(&mut job.tracking.uncounted);
    uncounted.retain(|uid, pod_key| {
        let live = live_pod(simulation, uid, pod_key);
        let outcome_now = {
            let pod = live.or_else(|| job.tracking.removed_pods.get(uid));
            outcome(pod, only_replace_failed)
        };
        match (outcome_now, live) {
            (Outcome::Active, Some(live)) => {
                active.push(live);
                return true;
            }
            (Outcome::Terminating, Some(live)) => {
                terminating_uncounted.push(live);
                return true;
            }
            (Outcome::Succeeded | Outcome::Failed, _) => {}
            _ => return true,
        }
        let is_live = live.is_some();
        let removed = if is_live {
            None
        } else {
            job.tracking.removed_pods.remove(uid)
        };
        let pod = if is_live { live } else { removed.as_ref() };
        match outcome_now {
            Outcome::Succeeded => {
                job.status.succeeded += 1;
                let finished = pod.map_or(now, finished_time);
                last_new_success = Some(last_new_success.map_or(finished, |last| last.max(finished)));
                if let Some(index) = pod.and_then(completion_index) {
                    job.tracking.succeeded_indexes.insert(index);
                }
            }
            Outcome::Failed => {
                let decision = match pod {
                    Some(pod) => match_pod_failure_policy(job.spec.pod_failure_policy.as_ref(), pod),
                    None => match_pod_failure_policy(None, &Pod::default()),
                };
                if decision.count_failed {
                    job.status.failed += 1;
                }
                if fail_job_message.is_none() {
                    fail_job_message = decision.fail_job_message;
                }
                // `newBackoffRecord` counts every new failed pod, ignored ones too.
                new_failure_times.push(pod.map_or(now, finished_time));
                if let Some(pod) = pod {
                    if per_index {
                        record_index_failure(&mut job, pod, decision.count_failed, decision.action);
                    }
                    if is_live && pod.metadata.is_terminating() && !pod.status.phase.is_terminal() {
                        job.tracking.counted_terminating.insert(uid.clone(), pod_key.clone());
                    }
                }
            }
            Outcome::Active | Outcome::Terminating => {}
        }
        false
    });
    job.tracking.uncounted = uncounted;
    // Pods counted while terminating stay in `status.terminating` until they finish or go.
    job.tracking
        .counted_terminating
        .retain(|uid, pod_key| live_pod(simulation, uid, pod_key).is_some_and(|pod| !pod.status.phase.is_terminal()));
    // `CountTerminatingPods`.
    let terminating = (job.tracking.counted_terminating.len() + terminating_uncounted.len()) as i32;
    backoff_record(&mut job.tracking, last_new_success, &new_failure_times);
    let suspended = job.spec.is_suspended();
    // The suspension's events, recorded after the pods are deleted or created.
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
    let deadline_at = deadline(&job);
    let indexed = job.spec.is_indexed();
    let completions = job.spec.completions.unwrap_or(0);
    let failed_indexes = job.tracking.failed_indexes.len();
    let succeeded_indexes = job.tracking.succeeded_indexes.len();
    // A Job that met its success criteria only waits for its terminating pods; a failure
    // target, once set, stays (`syncJob` starts from the existing finished condition).
    let mut success_met = job.status.has_condition("SuccessCriteriaMet");
    let already_failing = job.status.has_condition("FailureTarget");
    let failure: Option<(&'static str, String)> = if already_failing || success_met {
        None
    } else if let Some(message) = fail_job_message {
        Some((POD_FAILURE_POLICY, message))
    } else if job.status.failed > backoff_limit || past_backoff_limit_on_failure(&job, &active) {
        Some((BACKOFF_LIMIT_EXCEEDED.0, BACKOFF_LIMIT_EXCEEDED.1.to_string()))
    } else if deadline_at.is_some_and(|deadline| now >= deadline) {
        Some((DEADLINE_EXCEEDED.0, DEADLINE_EXCEEDED.1.to_string()))
    } else if per_index
        && job
            .spec
            .max_failed_indexes
            .is_some_and(|max| failed_indexes > max.max(0) as usize)
    {
        Some((MAX_FAILED_INDEXES_EXCEEDED.0, MAX_FAILED_INDEXES_EXCEEDED.1.to_string()))
    } else if per_index && failed_indexes > 0 && failed_indexes + succeeded_indexes >= completions.max(0) as usize {
        Some((FAILED_INDEXES.0, FAILED_INDEXES.1.to_string()))
    } else {
        None
    };
    if let Some((reason, message)) = &failure {
        set_condition(
            &mut job.status.conditions,
            now,
            "FailureTarget",
            "True",
            *reason,
            message,
        );
    }
    let failing = job.status.has_condition("FailureTarget");
    // `matchSuccessPolicy`, for Indexed Jobs not failing.
    if indexed && !failing && !success_met {
        if let Some(message) = match_success_policy(
            job.spec.success_policy.as_ref(),
            completions,
            &job.tracking.succeeded_indexes,
        ) {
            set_condition(
                &mut job.status.conditions,
                now,
                "SuccessCriteriaMet",
                "True",
                SUCCESS_POLICY,
                &message,
            );
            success_met = true;
        }
    }

    let mut requeue: Option<Millis> = None;
    let mut deleted = 0;
    let mut created = 0;
    let mut active_count = active.len() as i32;
    let succeeded_for_completion = if indexed {
        succeeded_indexes as i32
    } else {
        job.status.succeeded
    };
    let complete = !failing
        && !success_met
        && match job.spec.completions {
            None => job.status.succeeded > 0 && active.is_empty(),
            Some(completions) => succeeded_for_completion >= completions && active.is_empty(),
        };
    let mut to_delete: Vec<ObjectKey> = Vec::new();
    let mut to_create: Vec<Option<i32>> = Vec::new();
    if failing || success_met {
        // `deleteActivePods`: every active pod is terminated; pods not started yet never
        // start.
        to_delete = active.iter().map(|pod| ObjectKey::of(&pod.metadata)).collect();
    } else if complete {
        set_condition(
            &mut job.status.conditions,
            now,
            "SuccessCriteriaMet",
            "True",
            COMPLETIONS_REACHED.0,
            COMPLETIONS_REACHED.1,
        );
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
        // Pods being deleted hold their place while only failed pods are replaced.
        let held = if only_replace_failed { terminating } else { 0 };
        if excess > 0 {
            to_delete = pods_for_removal(&active, excess);
        } else if active_count + held < want {
            // The Job-wide back-off, unless each index has its own.
            let remaining = if per_index {
                0
            } else {
                backoff_remaining(
                    job.tracking.failures_after_last_success,
                    job.tracking.last_failure_ms,
                    now,
                )
            };
            if remaining > 0 {
                requeue = Some(remaining.max(SYNC_JOB_BATCH_PERIOD_MS));
            } else {
                let diff = ((want - active_count - held) as usize).min(MAX_POD_CREATE_DELETE_PER_SYNC);
                if indexed {
                    let busy: BTreeSet<i32> = active
                        .iter()
                        .chain(&terminating_uncounted)
                        .copied()
                        .filter_map(completion_index)
                        .collect();
                    let pending: Vec<i32> = first_pending_indexes(&job, &busy, diff);
                    let (now_indexes, wait) = if per_index {
                        indexes_out_of_backoff(&job, pending, now)
                    } else {
                        (pending, 0)
                    };
                    if now_indexes.is_empty() && wait > 0 {
                        requeue = Some(wait.max(SYNC_JOB_BATCH_PERIOD_MS));
                    }
                    to_create = now_indexes.into_iter().map(Some).collect();
                } else {
                    to_create = vec![None; diff];
                }
            }
        }
    }
    // `status.ready`: active pods with the Ready condition, those being deleted now not counted.
    // Pods deleted for suspension or scale-down lose their tracking finalizer first
    // (`deleteJobPods`): they are never counted as failed, only as terminating. Pods deleted
    // because the Job finished (`deleteActivePods`) keep it and count as failed.
    let released: Vec<(Uid, ObjectKey)> = if failing || success_met {
        Vec::new()
    } else {
        active
            .iter()
            .filter(|pod| to_delete.iter().any(|key| key.name == pod.metadata.name))
            .map(|pod| (pod.metadata.uid.clone(), ObjectKey::of(&pod.metadata)))
            .collect()
    };
    let ready = active
        .iter()
        .filter(|pod| pod.is_ready() && !to_delete.iter().any(|key| key.name == pod.metadata.name))
        .count() as i32;
    drop(active);
    drop(terminating_uncounted);
    for pod_key in &to_delete {
        simulation.delete_pod_gracefully(pod_key, None);
        simulation.record_event(
            "Normal",
            "SuccessfulDelete",
            job_object(&job),
            &namespace,
            format_args!("Deleted pod: {}", pod_key.name),
            SOURCE,
        );
        deleted += 1;
    }
    for (uid, pod_key) in released {
        job.tracking.uncounted.remove(&uid);
        if live_pod(simulation, &uid, &pod_key).is_some_and(|pod| !pod.status.phase.is_terminal()) {
            job.tracking.counted_terminating.insert(uid, pod_key);
        }
    }
    // `manageJob` creates in slow-start batches and stops after a batch with a failure.
    let mut pending = to_create.into_iter();
    let (_, create_error) =
        super::replicaset::slow_start_batch(pending.len(), super::replicaset::SLOW_START_INITIAL_BATCH_SIZE, || {
            let (uid, pod_key) = create_job_pod(simulation, &job, pending.next().flatten())?;
            job.tracking.uncounted.insert(uid, pod_key);
            created += 1;
            Ok(())
        });
    active_count = active_count - deleted + created;
    // `syncJob` records the suspension's events after `manageJob` deleted or created pods
    // (`ensureJobConditionStatus`).
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

    job.status.active = active_count;
    job.status.ready = ready;
    job.status.terminating = terminating + deleted;
    if indexed {
        job.status.completed_indexes = format_indexes(&job.tracking.succeeded_indexes);
    }
    if per_index {
        job.status.failed_indexes = Some(format_indexes(&job.tracking.failed_indexes));
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
                    .map(|condition| (terminal, condition.reason, condition.message.to_string()))
            });
        if let Some((terminal, reason_word, message)) = target {
            let reason = reason_word.as_str();
            set_condition(&mut job.status.conditions, now, terminal, "True", reason, &message);
            simulation.history.record_job_end(crate::history::JobEndRecord {
                key: key.clone(),
                end: crate::history::JobEnd {
                    at_ms: now,
                    condition: terminal,
                    reason: reason_word,
                },
                deadline_ms: deadline_at,
                deleted_ms: None,
            });
            if terminal == "Complete" {
                job.status.completion_time_ms = Some(now);
                simulation.record_event(
                    "Normal",
                    "Completed",
                    job_object(&job),
                    &namespace,
                    crate::sim::EventPieces(["Job completed"]),
                    SOURCE,
                );
            } else if let Some(reason) = [
                BACKOFF_LIMIT_EXCEEDED.0,
                DEADLINE_EXCEEDED.0,
                MAX_FAILED_INDEXES_EXCEEDED.0,
                FAILED_INDEXES.0,
                POD_FAILURE_POLICY,
            ]
            .into_iter()
            .find(|known| *known == reason)
            {
                // `recordJobFinished`: the warning comes with the Failed condition.
                simulation.record_event("Warning", reason, job_object(&job), &namespace, message, SOURCE);
            }
        }
        if job.status.is_finished() {
            job.tracking.removed_pods.clear();
            // The CronJob controller watches its Jobs (`updateJob`).
            let owner = simulation
                .store
                .jobs
                .get(key)
                .filter(|stored| stored.metadata.uid == job.metadata.uid)
                .and_then(|stored| stored.metadata.controller_of())
                .cloned();
            if let Some(owner) = owner {
                simulation.enqueue_controller(namespace, &owner);
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
            // Pods removed during this sync were remembered on the stored Job; those still
            // uncounted are kept for the next sync.
            let removed_now = std::mem::take(&mut stored.tracking.removed_pods);
            let uncounted = &job.tracking.uncounted;
            job.tracking.removed_pods.retain(|uid, _| uncounted.contains_key(uid));
            stored.status = job.status;
            stored.tracking = job.tracking;
            for (uid, pod) in removed_now {
                if stored.tracking.uncounted.contains_key(&uid) {
                    stored.tracking.removed_pods.entry(uid).or_insert(pod);
                }
            }
        }
    }
    // `processNextWorkItem`: a sync whose pods could not all be created is retried with the
    // Job queue's back-off; a successful one forgets the failures.
    let work = Work::SyncJob(key.clone());
    if create_error.is_some() {
        let after = super::retry::failed(simulation, work, super::retry::JOB_API);
        return Some(requeue.map_or(after, |other| other.min(after)));
    }
    super::retry::succeeded(simulation, &work);
    requeue
}

/// `firstPendingIndexes`: the first `count` indexes below `completions` that neither
/// succeeded, failed (per-index back-off), nor have an active (or, while only failed pods are
/// replaced, terminating) pod.
fn first_pending_indexes(job: &Job, busy: &BTreeSet<i32>, count: usize) -> Vec<i32> {
    (0..job.spec.completions.unwrap_or(0))
        .filter(|index| {
            !job.tracking.succeeded_indexes.contains(index)
                && !job.tracking.failed_indexes.contains(index)
                && !busy.contains(index)
        })
        .take(count)
        .collect()
}

/// `getPodCreationInfoForIndependentIndexes`: the indexes whose own back-off is over
/// (`getRemainingTimePerIndex`: the failures of the index's last failed pod plus one, from its
/// failure); when none is, the shortest wait.
fn indexes_out_of_backoff(job: &Job, pending: Vec<i32>, now: Millis) -> (Vec<i32>, Millis) {
    let mut ready = Vec::new();
    let mut shortest: Option<Millis> = None;
    for index in pending {
        let remaining = job.tracking.index_failures.get(&index).map_or(0, |failures| {
            let count = (failures.counted + failures.ignored).max(0) as u32;
            backoff_remaining(count, Some(failures.last_failure_ms), now)
        });
        if remaining == 0 {
            ready.push(index);
        } else {
            shortest = Some(shortest.map_or(remaining, |other| other.min(remaining)));
        }
    }
    if ready.is_empty() {
        (ready, shortest.unwrap_or(0))
    } else {
        (ready, 0)
    }
}

/// `activePodsForRemoval` with `controller.ActivePods`' order: unscheduled before scheduled,
/// pending before running, not ready before ready, newer before older.
fn pods_for_removal(active: &[&Pod], count: usize) -> Vec<ObjectKey> {
    let mut candidates: Vec<&&Pod> = active.iter().collect();
    candidates.stable_sort_by_key(|pod| {
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
/// as annotation and label and `JOB-INDEX` as hostname. A pod the API server refuses is a
/// `FailedCreate` event (the pod control's `createPods`) and the error.
fn create_job_pod(simulation: &mut Simulation, job: &Job, index: Option<i32>) -> Result<(Uid, ObjectKey), String> {
    let template = &job.spec.template;
    let mut metadata = ObjectMeta {
        generate_name: match index {
            Some(index) => format!("{}-{index}-", job.metadata.name),
            None => [&job.metadata.name, "-"].concat(),
        },
        namespace: job.metadata.namespace,
        labels: template.metadata.labels.clone(),
        annotations: template.metadata.annotations.clone(),
        owner_references: vec![OwnerReference::controller("batch/v1", "Job", &job.metadata)],
        ..ObjectMeta::default()
    };
    let mut spec = template.spec.clone();
    if let Some(index) = index {
        metadata
            .annotations
            .insert(COMPLETION_INDEX.to_string(), index.to_string());
        metadata.labels.insert(COMPLETION_INDEX.to_string(), index.to_string());
        if spec.hostname.is_empty() {
            spec.hostname = format!("{}-{index}", job.metadata.name).into();
        }
        // `addIndexFailureCountAnnotation`.
        if job.spec.backoff_limit_per_index.is_some() {
            let failures = job.tracking.index_failures.get(&index).copied().unwrap_or_default();
            metadata
                .annotations
                .insert(INDEX_FAILURE_COUNT.to_string(), failures.counted.to_string());
            if failures.ignored > 0 {
                metadata
                    .annotations
                    .insert(INDEX_IGNORED_FAILURE_COUNT.to_string(), failures.ignored.to_string());
            }
        }
    }
    let pod = Pod {
        metadata,
        spec,
        status: Default::default(),
    };
    let pod_key = match simulation.try_create_pod(pod) {
        Ok(key) => key,
        Err(message) => {
            let message = format!("Error creating: {message}");
            simulation.record_event(
                "Warning",
                "FailedCreate",
                job_object(job),
                &job.metadata.namespace,
                message.clone(),
                SOURCE,
            );
            return Err(message);
        }
    };
    simulation.record_event(
        "Normal",
        "SuccessfulCreate",
        job_object(job),
        &job.metadata.namespace,
        crate::sim::EventPieces(["Created pod: ", &pod_key.name]),
        SOURCE,
    );
    let uid = simulation
        .store
        .pod(&pod_key)
        .map(|pod| pod.metadata.uid.clone())
        .unwrap_or_default();
    Ok((uid, pod_key))
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

    /// `TestNewBackoffRecord`'s intent: failures alone add up; a success resets the count and
    /// keeps only failures strictly after it.
    #[test]
    fn backoff_record_counts_failures_after_the_last_success() {
        struct Case {
            name: &'static str,
            before: (u32, Option<Millis>),
            success: Option<Millis>,
            failures: &'static [Millis],
            expect: (u32, Option<Millis>),
        }
        let cases = [
            Case {
                name: "nothing new",
                before: (2, Some(5_000)),
                success: None,
                failures: &[],
                expect: (2, Some(5_000)),
            },
            Case {
                name: "failures add up",
                before: (1, Some(5_000)),
                success: None,
                failures: &[9_000, 8_000],
                expect: (3, Some(9_000)),
            },
            Case {
                name: "a success resets",
                before: (3, Some(5_000)),
                success: Some(9_000),
                failures: &[],
                expect: (0, None),
            },
            Case {
                name: "same second as the success",
                before: (3, Some(5_000)),
                success: Some(9_000),
                failures: &[9_000],
                expect: (0, None),
            },
            Case {
                name: "after the success",
                before: (0, None),
                success: Some(9_000),
                failures: &[8_000, 10_000, 12_000],
                expect: (2, Some(12_000)),
            },
        ];
        for case in cases {
            let mut tracking = JobTracking {
                failures_after_last_success: case.before.0,
                last_failure_ms: case.before.1,
                ..JobTracking::default()
            };
            backoff_record(&mut tracking, case.success, case.failures);
            assert_eq!(
                (tracking.failures_after_last_success, tracking.last_failure_ms),
                case.expect,
                "{}",
                case.name
            );
        }
    }

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
}
