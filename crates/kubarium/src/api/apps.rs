//! apps/v1 types: DaemonSet and ControllerRevision.

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
