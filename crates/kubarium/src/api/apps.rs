//! apps/v1 types: DaemonSet.

use serde::{Deserialize, Serialize};

use super::{ObjectMeta, PodTemplateSpec};
use crate::labels::LabelSelector;

/// `apps/v1.DaemonSet`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DaemonSet {
    #[serde(default)]
    pub metadata: ObjectMeta,
    pub spec: DaemonSetSpec,
    #[serde(default)]
    pub status: DaemonSetStatus,
}

/// `apps/v1.DaemonSetSpec`, the fields the simulation plays.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetSpec {
    pub selector: LabelSelector,
    pub template: PodTemplateSpec,
    #[serde(default)]
    pub min_ready_seconds: i32,
}

/// `apps/v1.DaemonSetStatus`: the counts `kubectl get ds` prints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetStatus {
    pub desired_number_scheduled: u32,
    pub current_number_scheduled: u32,
    pub number_ready: u32,
    pub number_misscheduled: u32,
}
