//! The default scheduler (`pkg/scheduler`), reduced for the foundation slice to the NodeName
//! and NodeAffinity filters and a least-pods score.

use std::collections::BTreeMap;

use crate::api::{Node, NodeSelectorRequirement, PodSpec};
use crate::sim::{ObjectKey, Simulation, Work};

const SOURCE: &str = "default-scheduler";

impl PodSpec {
    /// The node a pod is bound to, or the one its required `metadata.name` affinity names.
    pub fn node_name_or_target(&self) -> Option<&str> {
        if !self.node_name.is_empty() {
            return Some(&self.node_name);
        }
        let required = self
            .affinity
            .as_ref()?
            .node_affinity
            .as_ref()?
            .required_during_scheduling_ignored_during_execution
            .as_ref()?;
        let [term] = required.node_selector_terms.as_slice() else {
            return None;
        };
        let [field] = term.match_fields.as_slice() else {
            return None;
        };
        match (
            field.key.as_str(),
            field.operator.as_str(),
            field.values.as_slice(),
        ) {
            ("metadata.name", "In", [name]) => Some(name),
            _ => None,
        }
    }
}

/// The NodeAffinity filter (`pkg/scheduler/framework/plugins/nodeaffinity`): `nodeSelector`
/// must match the node's labels, and at least one required term (if any) must match.
pub fn node_affinity_matches(spec: &PodSpec, node: &Node) -> bool {
    let labels = &node.metadata.labels;
    let selector_matches = spec
        .node_selector
        .iter()
        .all(|(key, value)| labels.get(key) == Some(value));
    let required = spec
        .affinity
        .as_ref()
        .and_then(|affinity| affinity.node_affinity.as_ref())
        .and_then(|node_affinity| {
            node_affinity
                .required_during_scheduling_ignored_during_execution
                .as_ref()
        });
    let affinity_matches = required.is_none_or(|required| {
        required.node_selector_terms.iter().any(|term| {
            term.match_expressions.iter().all(|requirement| {
                requirement_matches(
                    requirement,
                    labels.get(&requirement.key).map(String::as_str),
                )
            }) && term.match_fields.iter().all(|requirement| {
                requirement.key == "metadata.name"
                    && requirement_matches(requirement, Some(node.metadata.name.as_str()))
            })
        })
    });
    selector_matches && affinity_matches
}

/// `k8s.io/component-helpers/scheduling/corev1/nodeaffinity`: one node selector requirement
/// against a label or field value.
fn requirement_matches(requirement: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let listed = |value: &str| requirement.values.iter().any(|listed| listed == value);
    let as_number = |text: &str| text.parse::<i64>().ok();
    match requirement.operator.as_str() {
        "In" => value.is_some_and(listed),
        "NotIn" => value.is_none_or(|value| !listed(value)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(actual), Some(bound)) = (
                value.and_then(as_number),
                requirement
                    .values
                    .first()
                    .and_then(|bound| as_number(bound)),
            ) else {
                return false;
            };
            if requirement.operator == "Gt" {
                actual > bound
            } else {
                actual < bound
            }
        }
        _ => false,
    }
}

/// Schedules one pod: filters every node, picks the feasible node with the fewest pods (ties by
/// name), binds, and hands the pod to that node's kubelet.
pub fn schedule_pod(simulation: &mut Simulation, key: &ObjectKey) {
    let Some(pod) = simulation.pods.get(key) else {
        return;
    };
    if !pod.spec.node_name.is_empty() || pod.spec.scheduler_name != "default-scheduler" {
        return;
    }
    let mut pods_per_node: BTreeMap<&str, usize> = BTreeMap::new();
    for other in simulation.pods.values() {
        *pods_per_node
            .entry(other.spec.node_name.as_str())
            .or_default() += 1;
    }
    let feasible = simulation
        .nodes
        .values()
        .filter(|node| node_affinity_matches(&pod.spec, node))
        .min_by_key(|node| {
            (
                pods_per_node
                    .get(node.metadata.name.as_str())
                    .copied()
                    .unwrap_or(0),
                node.metadata.name.clone(),
            )
        })
        .map(|node| node.metadata.name.clone());
    let node_count = simulation.nodes.len();
    let object = format!("pod/{}", key.name);
    match feasible {
        Some(node_name) => {
            let resource_version = simulation.bump_resource_version();
            if let Some(pod) = simulation.pods.get_mut(key) {
                pod.spec.node_name = node_name.clone();
                pod.metadata.resource_version = resource_version;
            }
            simulation.record_event(
                "Normal",
                "Scheduled",
                object,
                &key.namespace,
                format!("Successfully assigned {}/{} to {node_name}", key.namespace, key.name),
                SOURCE,
            );
            simulation.enqueue_at(Work::KubeletSyncPod(key.clone()), simulation.now());
        }
        None => simulation.record_event(
            "Warning",
            "FailedScheduling",
            object,
            &key.namespace,
            format!("0/{node_count} nodes are available: {node_count} node(s) didn't match Pod's node affinity/selector."),
            SOURCE,
        ),
    }
}
