//! autoscaling: the HorizontalPodAutoscaler, kept in the shape of `autoscaling/v2` (the API
//! server's internal type is v2-shaped too), and `autoscaling/v1`'s form converted to it as
//! `pkg/apis/autoscaling/v1/conversion.go` does.

use serde::{Deserialize, Serialize};

use super::{Condition, ObjectMeta};
use crate::quantity::Quantity;
use crate::time::Millis;

/// `autoscaling/v2.HorizontalPodAutoscaler`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HorizontalPodAutoscaler {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: HorizontalPodAutoscalerSpec,
    #[serde(default)]
    pub status: HorizontalPodAutoscalerStatus,
}

/// `autoscaling/v2.HorizontalPodAutoscalerSpec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HorizontalPodAutoscalerSpec {
    pub scale_target_ref: CrossVersionObjectReference,
    /// Defaulted to 1 by the API server; kubectl prints `<unset>` when it is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_replicas: Option<i32>,
    pub max_replicas: i32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<HorizontalPodAutoscalerBehavior>,
}

/// `autoscaling/v2.CrossVersionObjectReference`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrossVersionObjectReference {
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
}

/// `autoscaling/v2.MetricSpec`. Only `Resource` metrics are played; the other sources are kept
/// by the schema check and refused at apply.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricSpec {
    #[serde(rename = "type")]
    pub metric_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceMetricSource>,
}

/// `autoscaling/v2.ResourceMetricSource`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResourceMetricSource {
    pub name: String,
    pub target: MetricTarget,
}

/// `autoscaling/v2.MetricTarget`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricTarget {
    #[serde(rename = "type")]
    pub target_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_utilization: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_value: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Quantity>,
}

/// `autoscaling/v2.HorizontalPodAutoscalerBehavior`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HorizontalPodAutoscalerBehavior {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_up: Option<ScalingRules>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down: Option<ScalingRules>,
}

/// `autoscaling/v2.HPAScalingRules`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalingRules {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stabilization_window_seconds: Option<i32>,
    /// `Max`, `Min` or `Disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<Vec<ScalingPolicy>>,
}

/// `autoscaling/v2.HPAScalingPolicy`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalingPolicy {
    /// `Pods` or `Percent`.
    #[serde(rename = "type")]
    pub policy_type: String,
    pub value: i32,
    pub period_seconds: i32,
}

/// `autoscaling/v2.HorizontalPodAutoscalerStatus`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HorizontalPodAutoscalerStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_scale_time_ms: Option<Millis>,
    #[serde(default)]
    pub current_replicas: i32,
    #[serde(default)]
    pub desired_replicas: i32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub current_metrics: Vec<MetricStatus>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

/// `autoscaling/v2.MetricStatus`. A metric that could not be computed has an empty type and no
/// source, as the controller leaves the zero value in its list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricStatus {
    #[serde(rename = "type")]
    pub metric_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceMetricStatus>,
}

/// `autoscaling/v2.ResourceMetricStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceMetricStatus {
    pub name: String,
    pub current: MetricValueStatus,
}

/// `autoscaling/v2.MetricValueStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricValueStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_utilization: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub average_value: Option<Quantity>,
}

/// `autoscaling/v1.HorizontalPodAutoscaler`, as a manifest writes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HorizontalPodAutoscalerV1 {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: HorizontalPodAutoscalerSpecV1,
}

/// `autoscaling/v1.HorizontalPodAutoscalerSpec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HorizontalPodAutoscalerSpecV1 {
    pub scale_target_ref: CrossVersionObjectReference,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_replicas: Option<i32>,
    pub max_replicas: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "targetCPUUtilizationPercentage")]
    pub target_cpu_utilization_percentage: Option<i32>,
}

impl HorizontalPodAutoscalerV1 {
    /// `Convert_v1_HorizontalPodAutoscalerSpec_To_autoscaling_HorizontalPodAutoscalerSpec`:
    /// `targetCPUUtilizationPercentage` becomes one `Resource` metric on `cpu` with a
    /// `Utilization` target; v1 has no behavior, so the controller's defaults apply.
    pub fn into_v2(self) -> HorizontalPodAutoscaler {
        let metrics = self
            .spec
            .target_cpu_utilization_percentage
            .map(|percent| vec![MetricSpec::cpu_utilization(percent)])
            .unwrap_or_default();
        HorizontalPodAutoscaler {
            metadata: self.metadata,
            spec: HorizontalPodAutoscalerSpec {
                scale_target_ref: self.spec.scale_target_ref,
                min_replicas: self.spec.min_replicas,
                max_replicas: self.spec.max_replicas,
                metrics,
                behavior: None,
            },
            status: HorizontalPodAutoscalerStatus::default(),
        }
    }
}

impl MetricSpec {
    /// A `Resource` metric on `cpu` with an `averageUtilization` target in percent.
    pub fn cpu_utilization(percent: i32) -> MetricSpec {
        MetricSpec {
            metric_type: "Resource".to_string(),
            resource: Some(ResourceMetricSource {
                name: "cpu".to_string(),
                target: MetricTarget {
                    target_type: "Utilization".to_string(),
                    average_utilization: Some(percent),
                    average_value: None,
                    value: None,
                },
            }),
        }
    }

    /// The CPU utilization target in percent, when this is the one metric kubarium plays.
    pub fn cpu_utilization_target(&self) -> Option<i32> {
        let resource = self.resource.as_ref()?;
        if self.metric_type == "Resource" && resource.name == "cpu" && resource.target.target_type == "Utilization" {
            resource.target.average_utilization
        } else {
            None
        }
    }
}
