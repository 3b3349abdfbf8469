//! `v1.ResourceQuota` and `v1.LimitRange`: what a namespace may consume, and the defaults and
//! bounds of its containers.

use serde::{Deserialize, Serialize};

use super::{ObjectMeta, ResourceList};

/// `v1.ResourceQuota`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResourceQuota {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: ResourceQuotaSpec,
    #[serde(default)]
    pub status: ResourceQuotaStatus,
}

/// `v1.ResourceQuotaSpec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceQuotaSpec {
    #[serde(default, skip_serializing_if = "ResourceList::is_empty")]
    pub hard: ResourceList,
    /// `Terminating`, `NotTerminating`, `BestEffort`, `NotBestEffort`: the quota counts only
    /// the pods of every scope listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_selector: Option<ScopeSelector>,
}

/// `v1.ScopeSelector`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeSelector {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<ScopedResourceSelectorRequirement>,
}

/// `v1.ScopedResourceSelectorRequirement`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopedResourceSelectorRequirement {
    pub scope_name: String,
    pub operator: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

impl ResourceQuota {
    /// `getScopeSelectorsFromQuota`: each scope as an `Exists` requirement, then the
    /// selector's expressions.
    pub fn scope_requirements(&self) -> Vec<ScopedResourceSelectorRequirement> {
        let mut requirements: Vec<ScopedResourceSelectorRequirement> = self
            .spec
            .scopes
            .iter()
            .map(|scope| ScopedResourceSelectorRequirement {
                scope_name: scope.clone(),
                operator: "Exists".to_string(),
                values: Vec::new(),
            })
            .collect();
        if let Some(selector) = &self.spec.scope_selector {
            requirements.extend(selector.match_expressions.iter().cloned());
        }
        requirements
    }
}

/// `v1.ResourceQuotaStatus`: the enforced amounts and what is used of them. Empty until the
/// quota controller has seen the quota.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResourceQuotaStatus {
    #[serde(default, skip_serializing_if = "ResourceList::is_empty")]
    pub hard: ResourceList,
    #[serde(default, skip_serializing_if = "ResourceList::is_empty")]
    pub used: ResourceList,
}

/// `v1.LimitRange`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LimitRange {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: LimitRangeSpec,
}

/// `v1.LimitRangeSpec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LimitRangeSpec {
    #[serde(default)]
    pub limits: Vec<LimitRangeItem>,
}

/// `v1.LimitRangeItem`: bounds for one type (`Container`, `Pod` or `PersistentVolumeClaim`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LimitRangeItem {
    #[serde(rename = "type")]
    pub limit_type: String,
    #[serde(default, skip_serializing_if = "ResourceList::is_empty")]
    pub max: ResourceList,
    #[serde(default, skip_serializing_if = "ResourceList::is_empty")]
    pub min: ResourceList,
    #[serde(default, skip_serializing_if = "ResourceList::is_empty")]
    pub default: ResourceList,
    #[serde(default, skip_serializing_if = "ResourceList::is_empty")]
    pub default_request: ResourceList,
    #[serde(default, skip_serializing_if = "ResourceList::is_empty")]
    pub max_limit_request_ratio: ResourceList,
}
