//! The DaemonSet controller (`pkg/controller/daemon/daemon_controller.go`).
//!
//! The slice places one pod on every node the pod template's node selector and required node
//! affinity allow; taints, tolerations, updates and misscheduled pods come with the controllers
//! issue.

use crate::api::{
    Affinity, DaemonSet, Node, NodeAffinity, NodeSelector, NodeSelectorRequirement,
    NodeSelectorTerm, ObjectMeta, OwnerReference, Pod,
};
use crate::scheduler;
use crate::sim::{ObjectKey, Simulation};

const SOURCE: &str = "daemonset-controller";

/// `syncDaemonSet` and `manage`: creates the missing daemon pods, then updates the status.
pub fn sync(simulation: &mut Simulation, key: &ObjectKey) {
    let Some(daemon_set) = simulation.daemon_sets.get(key).cloned() else {
        return;
    };
    let nodes: Vec<Node> = simulation.nodes.values().cloned().collect();
    for node in &nodes {
        let has_pod = simulation.pods.values().any(|pod| {
            is_owned_by(pod, &daemon_set)
                && pod.spec.node_name_or_target() == Some(node.metadata.name.as_str())
        });
        if node_should_run_daemon_pod(&daemon_set, node) && !has_pod {
            let pod = new_daemon_pod(&daemon_set, &node.metadata.name);
            let pod_key = simulation.create_pod(pod);
            simulation.record_event(
                "Normal",
                "SuccessfulCreate",
                format!("daemonset/{}", daemon_set.metadata.name),
                &daemon_set.metadata.namespace,
                format!("Created pod: {}", pod_key.name),
                SOURCE,
            );
        }
    }
    update_status(simulation, key, &nodes);
}

/// `NodeShouldRunDaemonPod` reduced to the node selector and required node affinity, which is
/// what `predicates` checks through `nodeaffinity.GetRequiredNodeAffinity` for the slice.
pub fn node_should_run_daemon_pod(daemon_set: &DaemonSet, node: &Node) -> bool {
    scheduler::node_affinity_matches(&daemon_set.spec.template.spec, node)
}

fn is_owned_by(pod: &Pod, daemon_set: &DaemonSet) -> bool {
    pod.metadata
        .controller_of()
        .is_some_and(|owner| owner.uid == daemon_set.metadata.uid)
}

/// The pod `manage` creates for `node_name`: the template, owned by the DaemonSet, with its
/// required node affinity replaced by the node's name, as
/// `pkg/controller/daemon/util/daemonset_util.go` `ReplaceDaemonSetPodNodeNameNodeAffinity` does.
fn new_daemon_pod(daemon_set: &DaemonSet, node_name: &str) -> Pod {
    let template = &daemon_set.spec.template;
    let mut spec = template.spec.clone();
    let required = NodeSelector {
        node_selector_terms: vec![NodeSelectorTerm {
            match_expressions: Vec::new(),
            match_fields: vec![NodeSelectorRequirement {
                key: "metadata.name".to_string(),
                operator: "In".to_string(),
                values: vec![node_name.to_string()],
            }],
        }],
    };
    let mut affinity = spec.affinity.take().unwrap_or_default();
    affinity
        .node_affinity
        .get_or_insert_with(NodeAffinity::default)
        .required_during_scheduling_ignored_during_execution = Some(required);
    spec.affinity = Some(Affinity { ..affinity });
    Pod {
        metadata: ObjectMeta {
            generate_name: format!("{}-", daemon_set.metadata.name),
            namespace: daemon_set.metadata.namespace.clone(),
            labels: template.metadata.labels.clone(),
            annotations: template.metadata.annotations.clone(),
            owner_references: vec![OwnerReference {
                api_version: "apps/v1".to_string(),
                kind: "DaemonSet".to_string(),
                name: daemon_set.metadata.name.clone(),
                uid: daemon_set.metadata.uid.clone(),
                controller: true,
                block_owner_deletion: true,
            }],
            ..ObjectMeta::default()
        },
        spec,
        status: Default::default(),
    }
}

/// `updateDaemonSetStatus`: desired, current and ready counts.
fn update_status(simulation: &mut Simulation, key: &ObjectKey, nodes: &[Node]) {
    let Some(daemon_set) = simulation.daemon_sets.get(key) else {
        return;
    };
    let mut status = crate::api::DaemonSetStatus::default();
    for node in nodes {
        let should_run = node_should_run_daemon_pod(daemon_set, node);
        let pods_on_node: Vec<&Pod> = simulation
            .pods
            .values()
            .filter(|pod| is_owned_by(pod, daemon_set) && pod.spec.node_name == node.metadata.name)
            .collect();
        if should_run {
            status.desired_number_scheduled += 1;
            if !pods_on_node.is_empty() {
                status.current_number_scheduled += 1;
                if pods_on_node.iter().any(|pod| pod.is_ready()) {
                    status.number_ready += 1;
                }
            }
        } else if !pods_on_node.is_empty() {
            status.number_misscheduled += 1;
        }
    }
    if let Some(daemon_set) = simulation.daemon_sets.get_mut(key) {
        daemon_set.status = status;
    }
}
