//! `kubectl get` tables of the replicated workloads: ReplicaSets and ReplicationControllers
//! (`printReplicaSet`, `printReplicationController`) and Deployments (`printDeployment`), with
//! `-o wide`'s CONTAINERS, IMAGES and SELECTOR.

use super::{age, Table};
use crate::api::PodTemplateSpec;
use crate::labels::{LabelSelector, SelectorOperator};
use crate::sim::Simulation;

/// `metav1.FormatLabelSelector`: the selector as kubectl prints it, requirements in key order
/// (`LabelSelectorAsSelector` sorts them), `<none>` when empty.
pub fn format_selector(selector: &LabelSelector) -> String {
    let mut parts: Vec<(String, String)> = selector
        .match_labels
        .iter()
        .map(|(key, value)| (key.clone(), format!("{key}={value}")))
        .collect();
    for requirement in &selector.match_expressions {
        let mut values = requirement.values.clone();
        values.sort();
        let text = match requirement.operator {
            SelectorOperator::In => format!("{} in ({})", requirement.key, values.join(",")),
            SelectorOperator::NotIn => format!("{} notin ({})", requirement.key, values.join(",")),
            SelectorOperator::Exists => requirement.key.clone(),
            SelectorOperator::DoesNotExist => format!("!{}", requirement.key),
        };
        parts.push((requirement.key.clone(), text));
    }
    if parts.is_empty() {
        return "<none>".to_string();
    }
    parts.sort_by(|first, second| first.0.cmp(&second.0));
    parts.into_iter().map(|(_, text)| text).collect::<Vec<_>>().join(",")
}

/// `-o wide`'s CONTAINERS and IMAGES: the template's container names and images.
fn containers_and_images(template: &PodTemplateSpec) -> [String; 2] {
    let names: Vec<&str> = template.spec.containers.iter().map(|container| container.name.as_str()).collect();
    let images: Vec<&str> = template.spec.containers.iter().map(|container| container.image.as_str()).collect();
    [names.join(","), images.join(",")]
}

/// The headers, with `-o wide`'s three more when `wide`.
fn headers(base: &[&'static str], wide: bool) -> Vec<&'static str> {
    let mut headers = base.to_vec();
    if wide {
        headers.extend(["CONTAINERS", "IMAGES", "SELECTOR"]);
    }
    headers
}

/// `kubectl get replicasets [-o wide]`: DESIRED is `spec.replicas`, CURRENT and READY the
/// status counts.
pub fn replica_sets(simulation: &Simulation, wide: bool) -> Table {
    let rows = simulation
        .replica_sets()
        .map(|replica_set| {
            let mut row = vec![
                replica_set.metadata.name.clone(),
                replica_set.spec.replicas.to_string(),
                replica_set.status.replicas.to_string(),
                replica_set.status.ready_replicas.to_string(),
                age(simulation, replica_set.metadata.creation_timestamp_ms),
            ];
            if wide {
                row.extend(containers_and_images(&replica_set.spec.template));
                row.push(format_selector(&replica_set.spec.selector));
            }
            row
        })
        .collect();
    Table {
        headers: headers(&["NAME", "DESIRED", "CURRENT", "READY", "AGE"], wide),
        rows,
    }
}

/// `kubectl get replicationcontrollers [-o wide]`: as ReplicaSets, with the map selector.
pub fn replication_controllers(simulation: &Simulation, wide: bool) -> Table {
    let rows = simulation
        .replication_controllers()
        .map(|controller| {
            let mut row = vec![
                controller.metadata.name.clone(),
                controller.spec.replicas.to_string(),
                controller.status.replicas.to_string(),
                controller.status.ready_replicas.to_string(),
                age(simulation, controller.metadata.creation_timestamp_ms),
            ];
            if wide {
                row.extend(containers_and_images(&controller.spec.template.clone().unwrap_or_default()));
                row.push(format_selector(&LabelSelector {
                    match_labels: controller.spec.selector.clone(),
                    match_expressions: Vec::new(),
                }));
            }
            row
        })
        .collect();
    Table {
        headers: headers(&["NAME", "DESIRED", "CURRENT", "READY", "AGE"], wide),
        rows,
    }
}

/// `kubectl get deployments [-o wide]`: READY is ready over desired replicas.
pub fn deployments(simulation: &Simulation, wide: bool) -> Table {
    let rows = simulation
        .deployments()
        .map(|deployment| {
            let status = &deployment.status;
            let mut row = vec![
                deployment.metadata.name.clone(),
                format!("{}/{}", status.ready_replicas, deployment.spec.replicas),
                status.updated_replicas.to_string(),
                status.available_replicas.to_string(),
                age(simulation, deployment.metadata.creation_timestamp_ms),
            ];
            if wide {
                row.extend(containers_and_images(&deployment.spec.template));
                row.push(format_selector(&deployment.spec.selector));
            }
            row
        })
        .collect();
    Table {
        headers: headers(&["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], wide),
        rows,
    }
}
