//! batch/v1 types: Job.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Condition, ObjectMeta, PodTemplateSpec};
use crate::labels::LabelSelector;
use crate::time::Millis;
use crate::word::Word;

/// `batch/v1.Job`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Job {
    #[serde(default)]
    pub metadata: ObjectMeta,
    pub spec: JobSpec,
    #[serde(default)]
    pub status: JobStatus,
    /// The job controller's tracking of pods not yet counted in `status` (the real controller
    /// keeps this in the `batch.kubernetes.io/job-tracking` finalizer and
    /// `status.uncountedTerminatedPods`), and its back-off record.
    #[serde(skip)]
    pub tracking: JobTracking,
}

impl Job {
    /// When the TTL-after-finished controller deletes this finished Job: its finish time plus
    /// `ttlSecondsAfterFinished` (`getFinishAndExpireTime`).
    pub fn ttl_expiry(&self) -> Option<Millis> {
        let ttl = self.spec.ttl_seconds_after_finished?;
        let finished = self.status.finish_time()?;
        Some(finished.saturating_add((ttl.max(0) as Millis).saturating_mul(crate::time::SECOND_MS)))
    }
}

/// `batch/v1.JobSpec`, the fields the simulation plays.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completions: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// `NonIndexed` or `Indexed` (validated before decoding): a `Word`, so that copying the
    /// spec (each Job sync does) allocates nothing.
    pub completion_mode: Option<Word>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_limit: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds_after_finished: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual_selector: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<LabelSelector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_failure_policy: Option<PodFailurePolicy>,
    /// Indexed Jobs: failures allowed per index (`backoffLimit` is then defaulted to max int32).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_limit_per_index: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_failed_indexes: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_policy: Option<SuccessPolicy>,
    /// `TerminatingOrFailed` (the default) or `Failed`: replace pods being deleted at once, or
    /// once they have failed (always `Failed` with a pod failure policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_replacement_policy: Option<Word>,
    /// Shared, not copied: a Job's sync and every Job a CronJob makes hold the same template
    /// (`Arc::make_mut` copies it for a change).
    pub template: std::sync::Arc<PodTemplateSpec>,
}

/// `batch/v1.PodFailurePolicy`: rules evaluated in order against a failed pod.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PodFailurePolicy {
    #[serde(default)]
    pub rules: Vec<PodFailurePolicyRule>,
}

/// `batch/v1.PodFailurePolicyRule`: an action (`FailJob`, `FailIndex`, `Ignore`, `Count`) and
/// one requirement, on exit codes or on pod conditions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodFailurePolicyRule {
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_exit_codes: Option<PodFailurePolicyOnExitCodes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_pod_conditions: Option<Vec<PodFailurePolicyOnPodConditionsPattern>>,
}

/// `batch/v1.PodFailurePolicyOnExitCodesRequirement`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodFailurePolicyOnExitCodes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    pub operator: String,
    #[serde(default)]
    pub values: Vec<i32>,
}

/// `batch/v1.PodFailurePolicyOnPodConditionsPattern` (`status` defaults to `True`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PodFailurePolicyOnPodConditionsPattern {
    #[serde(rename = "type")]
    pub condition_type: String,
    #[serde(default)]
    pub status: String,
}

/// `batch/v1.SuccessPolicy` (Indexed Jobs).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SuccessPolicy {
    #[serde(default)]
    pub rules: Vec<SuccessPolicyRule>,
}

/// `batch/v1.SuccessPolicyRule`: `succeededIndexes`, `succeededCount`, or both.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuccessPolicyRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub succeeded_indexes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub succeeded_count: Option<i32>,
}

impl JobSpec {
    pub fn is_indexed(&self) -> bool {
        self.completion_mode.as_deref() == Some("Indexed")
    }

    pub fn is_suspended(&self) -> bool {
        self.suspend == Some(true)
    }
}

/// `batch/v1.JobStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobStatus {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time_ms: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_time_ms: Option<Millis>,
    #[serde(default)]
    pub active: i32,
    #[serde(default)]
    pub succeeded: i32,
    #[serde(default)]
    pub failed: i32,
    #[serde(default)]
    pub ready: i32,
    #[serde(default)]
    pub terminating: i32,
    /// Indexed jobs: the succeeded indexes as ranges, `1-3,5`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub completed_indexes: String,
    /// Indexed jobs with `backoffLimitPerIndex`: the failed indexes in the same format (set,
    /// possibly empty, only for such Jobs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_indexes: Option<String>,
}

impl JobStatus {
    /// `True` conditions of this type.
    pub fn has_condition(&self, condition_type: &str) -> bool {
        self.conditions
            .iter()
            .any(|condition| condition.condition_type == condition_type && condition.status == "True")
    }

    /// Complete or Failed (`IsJobFinished` in `pkg/controller/job/utils.go`).
    pub fn is_finished(&self) -> bool {
        self.has_condition("Complete") || self.has_condition("Failed")
    }

    /// When the Job finished: the transition time of its Complete or Failed condition
    /// (`jobFinishTime` in `pkg/controller/ttlafterfinished/ttlafterfinished_controller.go`).
    pub fn finish_time(&self) -> Option<Millis> {
        self.conditions
            .iter()
            .find(|condition| {
                (condition.condition_type == "Complete" || condition.condition_type == "Failed")
                    && condition.status == "True"
            })
            .map(|condition| condition.last_transition_time_ms)
    }
}

/// What the job controller remembers between syncs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobTracking {
    /// Pods created and not yet counted as succeeded or failed, uid to key. The controller
    /// looks only at these and at `counted_terminating`, never at every pod it ever made, so a
    /// sync costs the active pods, not the Job's history.
    pub uncounted: BTreeMap<super::Uid, crate::sim::ObjectKey>,
    /// Pods counted as failed while still terminating, uid to key, until they are gone or
    /// finished (`status.terminating`).
    pub counted_terminating: BTreeMap<super::Uid, crate::sim::ObjectKey>,
    /// Indexed jobs: the indexes that succeeded.
    pub succeeded_indexes: BTreeSet<i32>,
    /// `backoffRecord` (`pkg/controller/job/backoff_utils.go`): failures since the last
    /// success, and when the last one happened.
    pub failures_after_last_success: u32,
    pub last_failure_ms: Option<Millis>,
    /// Jobs with `backoffLimitPerIndex`: the indexes that failed for good.
    pub failed_indexes: BTreeSet<i32>,
    /// Jobs with `backoffLimitPerIndex`: per index, the failure counts its next pod carries and
    /// when its last pod failed (the real controller reads both from the failed pod, whose
    /// removal it delays until the replacement exists: `getPodsWithDelayedDeletionPerIndex`).
    pub index_failures: BTreeMap<i32, IndexFailures>,
    /// The last state of tracked pods that left the API before they were counted (the real
    /// pods keep the tracking finalizer, so the controller still sees them), uid to pod. Kept
    /// only for Jobs with a `podFailurePolicy` or `backoffLimitPerIndex`.
    pub removed_pods: BTreeMap<super::Uid, super::Pod>,
}

/// The `batch.kubernetes.io/job-index-failure-count` and
/// `batch.kubernetes.io/job-index-ignored-failure-count` of an index's next pod, and when the
/// last one failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexFailures {
    pub counted: i32,
    pub ignored: i32,
    pub last_failure_ms: Millis,
}

/// `batch/v1.CronJob`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CronJob {
    #[serde(default)]
    pub metadata: ObjectMeta,
    pub spec: CronJobSpec,
    #[serde(default)]
    pub status: CronJobStatus,
}

/// `batch/v1.CronJobSpec`, the fields the simulation plays.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CronJobSpec {
    pub schedule: String,
    /// An IANA zone name: the schedule runs on its clock (`crate::tz`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_deadline_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    pub job_template: JobTemplateSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successful_jobs_history_limit: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_jobs_history_limit: Option<i32>,
}

/// `batch/v1.JobTemplateSpec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobTemplateSpec {
    #[serde(default)]
    pub metadata: ObjectMeta,
    pub spec: JobSpec,
}

/// `batch/v1.CronJobStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CronJobStatus {
    /// The names of the Jobs still running.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub active: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_schedule_time_ms: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_successful_time_ms: Option<Millis>,
}
