//! `kubectl get hpa` (`printHorizontalPodAutoscaler` and `formatHPAMetrics` in
//! `pkg/printers/internalversion/printers.go`).

use super::{age, Table};
use crate::api::{HorizontalPodAutoscaler, MetricSpec, MetricStatus};
use crate::sim::Simulation;

/// One metric's `current/target` as `formatHPAMetrics` writes a `Resource` utilization metric:
/// `cpu: 45%/50%`, `cpu: <unknown>/50%` before the first sample.
fn format_metric(spec: &MetricSpec, status: Option<&MetricStatus>) -> String {
    let Some(resource) = &spec.resource else {
        return "<unknown type>".to_string();
    };
    if let Some(target) = resource.target.average_value {
        let current = status
            .and_then(|status| status.resource.as_ref())
            .and_then(|resource| resource.current.average_value)
            .map_or("<unknown>".to_string(), |value| value.to_string());
        return format!("{}: {current}/{target}", resource.name);
    }
    let current = status
        .and_then(|status| status.resource.as_ref())
        .and_then(|resource| resource.current.average_utilization)
        .map_or("<unknown>".to_string(), |percent| format!("{percent}%"));
    let target = resource
        .target
        .average_utilization
        .map_or("<auto>".to_string(), |percent| format!("{percent}%"));
    format!("{}: {current}/{target}", resource.name)
}

/// `formatHPAMetrics`: the first two metrics, then `+ N more...`.
pub fn format_metrics(hpa: &HorizontalPodAutoscaler) -> String {
    let specs = &hpa.spec.metrics;
    if specs.is_empty() {
        return "<none>".to_string();
    }
    let list: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(index, spec)| format_metric(spec, hpa.status.current_metrics.get(index)))
        .collect();
    const MAXIMUM: usize = 2;
    if list.len() > MAXIMUM {
        return format!("{} + {} more...", list[..MAXIMUM].join(", "), list.len() - MAXIMUM);
    }
    list.join(", ")
}

/// `kubectl get horizontalpodautoscalers`.
pub fn horizontal_pod_autoscalers(simulation: &Simulation) -> Table {
    let rows = simulation
        .horizontal_pod_autoscalers()
        .map(|hpa| {
            let target = &hpa.spec.scale_target_ref;
            vec![
                hpa.metadata.name.clone(),
                format!("{}/{}", target.kind, target.name),
                format_metrics(hpa),
                hpa.spec
                    .min_replicas
                    .map_or("<unset>".to_string(), |min| min.to_string()),
                hpa.spec.max_replicas.to_string(),
                hpa.status.current_replicas.to_string(),
                age(simulation, hpa.metadata.creation_timestamp_ms),
            ]
        })
        .collect();
    Table {
        headers: vec!["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"],
        rows,
    }
}
