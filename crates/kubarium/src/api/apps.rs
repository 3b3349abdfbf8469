//! apps/v1 types: DaemonSet and ControllerRevision, ReplicaSet, Deployment.

use serde::{Deserialize, Serialize};

use super::{IntOrString, ObjectMeta, PodTemplateSpec};
use crate::labels::LabelSelector;

/// The label a DaemonSet's pods and ControllerRevisions carry with the revision's hash
/// (`apps.DefaultDaemonSetUniqueLabelKey`, the same key as `ControllerRevisionHashLabelKey`).
pub const CONTROLLER_REVISION_HASH_LABEL: &str = "controller-revision-hash";
/// The label daemon pods carry with the template generation they were made from
/// (`extensions.DaemonSetTemplateGenerationKey`).
pub const POD_TEMPLATE_GENERATION_LABEL: &str = "pod-template-generation";
/// The annotation in which the API server keeps a DaemonSet's template generation
/// (`apps.DeprecatedTemplateGeneration`).
pub const TEMPLATE_GENERATION_ANNOTATION: &str = "deprecated.daemonset.template.generation";

/// `apps/v1.DaemonSet`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DaemonSet {
    #[serde(default)]
    pub metadata: ObjectMeta,
    pub spec: DaemonSetSpec,
    #[serde(default)]
    pub status: DaemonSetStatus,
    /// The pod template as applied, every field of it (the typed `spec.template` keeps only the
    /// fields the simulation plays). Revisions are hashed and compared on this, as the
    /// controller compares the whole template (`Match`, `getPatch` in
    /// `pkg/controller/daemon/update.go`), so a change to an unplayed field (an env var, a
    /// volume) still rolls the pods.
    #[serde(skip)]
    pub template_json: serde_json::Value,
}

impl DaemonSet {
    /// The template generation the API server keeps in the deprecated annotation
    /// (`util.GetTemplateGeneration`).
    pub fn template_generation(&self) -> Option<i64> {
        self.metadata
            .annotations
            .get(TEMPLATE_GENERATION_ANNOTATION)
            .and_then(|value| value.parse().ok())
    }

    /// Whether the update strategy is RollingUpdate (the default).
    pub fn is_rolling_update(&self) -> bool {
        self.spec.update_strategy.strategy_type != "OnDelete"
    }
}

/// `apps/v1.DaemonSetSpec`, the fields the simulation plays.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetSpec {
    pub selector: LabelSelector,
    pub template: PodTemplateSpec,
    #[serde(default)]
    pub update_strategy: DaemonSetUpdateStrategy,
    #[serde(default)]
    pub min_ready_seconds: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<i32>,
}

/// `apps/v1.DaemonSetUpdateStrategy`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetUpdateStrategy {
    /// `RollingUpdate` (the default) or `OnDelete`.
    #[serde(rename = "type", default)]
    pub strategy_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling_update: Option<RollingUpdateDaemonSet>,
}

/// `apps/v1.RollingUpdateDaemonSet`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RollingUpdateDaemonSet {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_surge: Option<IntOrString>,
}

/// `apps/v1.DaemonSetStatus`: the counts `kubectl get ds` prints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetStatus {
    pub desired_number_scheduled: u32,
    pub current_number_scheduled: u32,
    pub number_ready: u32,
    pub number_misscheduled: u32,
    #[serde(default)]
    pub updated_number_scheduled: u32,
    #[serde(default)]
    pub number_available: u32,
    #[serde(default)]
    pub number_unavailable: u32,
    #[serde(default)]
    pub observed_generation: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collision_count: Option<u32>,
}

/// `apps/v1.ControllerRevision`: an immutable snapshot of a DaemonSet's pod template.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ControllerRevision {
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The patch that restores the template: `{"spec":{"template":{..., "$patch":"replace"}}}`
    /// (`getPatch`).
    pub data: serde_json::Value,
    pub revision: i64,
}

/// The label a Deployment adds to its ReplicaSets, their selectors and their pods, with the
/// hash of the pod template (`apps.DefaultDeploymentUniqueLabelKey`).
pub const POD_TEMPLATE_HASH_LABEL: &str = "pod-template-hash";
/// The Deployment's revision, kept on the Deployment and on each of its ReplicaSets
/// (`deploymentutil.RevisionAnnotation`).
pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
/// The old revisions a ReplicaSet served before a rollback made it new again
/// (`RevisionHistoryAnnotation`).
pub const REVISION_HISTORY_ANNOTATION: &str = "deployment.kubernetes.io/revision-history";
/// `spec.replicas` of the Deployment when it last scaled the ReplicaSet
/// (`DesiredReplicasAnnotation`).
pub const DESIRED_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/desired-replicas";
/// `spec.replicas` plus `maxSurge` of the Deployment when it last scaled the ReplicaSet
/// (`MaxReplicasAnnotation`).
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";

fn one() -> i32 {
    1
}

/// `apps/v1.ReplicaSet`. A ReplicationController is played as a ReplicaSet too (the controller
/// converts it, as `pkg/controller/replication/conversion.go` does).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplicaSet {
    #[serde(default)]
    pub metadata: ObjectMeta,
    pub spec: ReplicaSetSpec,
    #[serde(default)]
    pub status: ReplicaSetStatus,
    /// The pod template as applied, every field of it: a Deployment finds its new ReplicaSet by
    /// comparing whole templates (`EqualIgnoreHash`).
    #[serde(skip)]
    pub template_json: serde_json::Value,
}

/// `apps/v1.ReplicaSetSpec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSetSpec {
    /// Defaulted to 1 by the API server.
    #[serde(default = "one")]
    pub replicas: i32,
    #[serde(default)]
    pub min_ready_seconds: i32,
    pub selector: LabelSelector,
    #[serde(default)]
    pub template: PodTemplateSpec,
}

/// `apps/v1.ReplicaSetStatus`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSetStatus {
    #[serde(default)]
    pub replicas: i32,
    #[serde(default)]
    pub fully_labeled_replicas: i32,
    #[serde(default)]
    pub ready_replicas: i32,
    #[serde(default)]
    pub available_replicas: i32,
    /// Pods being deleted that have not finished (the `DeploymentReplicaSetTerminatingReplicas`
    /// feature, on by default since 1.35).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminating_replicas: Option<i32>,
    #[serde(default)]
    pub observed_generation: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<super::Condition>,
}

/// `apps/v1.Deployment`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    #[serde(default)]
    pub metadata: ObjectMeta,
    pub spec: DeploymentSpec,
    #[serde(default)]
    pub status: DeploymentStatus,
    /// The pod template as applied, every field of it: hashed for the new ReplicaSet's name and
    /// compared with the ReplicaSets' templates.
    #[serde(skip)]
    pub template_json: serde_json::Value,
}

impl Deployment {
    /// `deploymentutil.IsRollingUpdate`.
    pub fn is_rolling_update(&self) -> bool {
        self.spec.strategy.strategy_type != "Recreate"
    }
}

/// `apps/v1.DeploymentSpec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentSpec {
    #[serde(default = "one")]
    pub replicas: i32,
    pub selector: LabelSelector,
    #[serde(default)]
    pub template: PodTemplateSpec,
    #[serde(default)]
    pub strategy: DeploymentStrategy,
    #[serde(default)]
    pub min_ready_seconds: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_history_limit: Option<i32>,
    #[serde(default)]
    pub paused: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_deadline_seconds: Option<i32>,
}

/// `apps/v1.DeploymentStrategy`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStrategy {
    /// `RollingUpdate` (the default) or `Recreate`.
    #[serde(rename = "type", default)]
    pub strategy_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolling_update: Option<RollingUpdateDeployment>,
}

/// `apps/v1.RollingUpdateDeployment`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RollingUpdateDeployment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<IntOrString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_surge: Option<IntOrString>,
}

/// `apps/v1.DeploymentStatus`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStatus {
    #[serde(default)]
    pub observed_generation: u64,
    #[serde(default)]
    pub replicas: i32,
    #[serde(default)]
    pub updated_replicas: i32,
    #[serde(default)]
    pub ready_replicas: i32,
    #[serde(default)]
    pub available_replicas: i32,
    #[serde(default)]
    pub unavailable_replicas: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminating_replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<DeploymentCondition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collision_count: Option<u32>,
}

/// `apps/v1.DeploymentCondition`: like other conditions, with the time it was last updated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentCondition {
    #[serde(rename = "type")]
    pub condition_type: String,
    pub status: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub last_update_time_ms: crate::time::Millis,
    #[serde(default)]
    pub last_transition_time_ms: crate::time::Millis,
}
