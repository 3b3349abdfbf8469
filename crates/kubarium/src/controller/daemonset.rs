//! The DaemonSet controller (`pkg/controller/daemon/daemon_controller.go`).
//!
//! `sync` follows `syncDaemonSet` and `manage`: for each node, `NodeShouldRunDaemonPod` decides
//! whether a daemon pod should run there and whether an existing one may continue; missing pods
//! are created (bound to their node through required node affinity, placed by the default
//! scheduler), and pods that may not continue are deleted. Updates (rolling, OnDelete) and
//! ControllerRevisions come with the controllers issue.

use crate::api::{
    Affinity, DaemonSet, Node, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, ObjectMeta,
    OwnerReference, Pod, PodPhase, Toleration,
};
use std::borrow::Cow;

use crate::nodelifecycle::{TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE};
use crate::scheduler;
use crate::sim::{ObjectKey, Simulation};
use crate::time::Millis;

const SOURCE: &str = "daemonset-controller";

/// `NodeShouldRunDaemonPod`'s answer for one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// A daemon pod should be created here.
    pub should_run: bool,
    /// An existing daemon pod may stay.
    pub should_continue_running: bool,
    /// Why not, in the scheduler's words, when the pod should not run.
    pub reason: Option<String>,
}

/// `NodeShouldRunDaemonPod` over `predicates`: the node name (if the template pins one), node
/// affinity and selector, and taints: untolerated `NoSchedule` taints keep new pods off but let
/// running ones stay; untolerated `NoExecute` taints do neither.
pub fn node_should_run_daemon_pod(daemon_set: &DaemonSet, node: &Node) -> Placement {
    node_should_run_with(daemon_set, &daemon_tolerations(daemon_set), node)
}

/// The tolerations a daemon pod of this DaemonSet carries.
fn daemon_tolerations(daemon_set: &DaemonSet) -> crate::api::PodSpec {
    let mut spec = crate::api::PodSpec {
        tolerations: daemon_set.spec.template.spec.tolerations.clone(),
        ..crate::api::PodSpec::default()
    };
    add_daemon_tolerations(&mut spec.tolerations, daemon_set.spec.template.spec.host_network);
    spec
}

/// `node_should_run_daemon_pod` with the daemon pod's tolerations computed once per sync.
fn node_should_run_with(daemon_set: &DaemonSet, spec: &crate::api::PodSpec, node: &Node) -> Placement {
    let refuse = |reason: String, continue_running: bool| Placement {
        should_run: false,
        should_continue_running: continue_running,
        reason: Some(reason),
    };
    if !daemon_set.spec.template.spec.node_name.is_empty()
        && daemon_set.spec.template.spec.node_name != node.metadata.name
    {
        return refuse(scheduler::REASON_NODE_NAME.to_string(), false);
    }
    if !scheduler::node_affinity_matches(&daemon_set.spec.template.spec, node) {
        return refuse(scheduler::REASON_NODE_AFFINITY.to_string(), false);
    }
    if let Some(taint) = scheduler::untolerated_taint(spec, &node.spec.taints, &["NoExecute"]) {
        return refuse(
            format!("node(s) had untolerated taint {}", taint.scheduler_string()),
            false,
        );
    }
    if let Some(taint) = scheduler::untolerated_taint(spec, &node.spec.taints, &["NoSchedule"]) {
        return refuse(
            format!("node(s) had untolerated taint {}", taint.scheduler_string()),
            true,
        );
    }
    Placement {
        should_run: true,
        should_continue_running: true,
        reason: None,
    }
}

/// `AddOrUpdateDaemonPodTolerations` (`pkg/controller/daemon/util/daemonset_util.go`): daemon
/// pods tolerate node conditions forever.
pub fn add_daemon_tolerations(tolerations: &mut Vec<Toleration>, host_network: bool) {
    let mut wanted = vec![
        (TAINT_NOT_READY, "NoExecute"),
        (TAINT_UNREACHABLE, "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        (TAINT_UNSCHEDULABLE, "NoSchedule"),
    ];
    if host_network {
        wanted.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    for (key, effect) in wanted {
        tolerations.retain(|toleration| !(toleration.key == key && toleration.effect == effect));
        tolerations.push(Toleration {
            key: Cow::Borrowed(key),
            operator: Cow::Borrowed("Exists"),
            value: Cow::Borrowed(""),
            effect: Cow::Borrowed(effect),
            toleration_seconds: None,
        });
    }
}

/// The spec of a daemon pod for `node_name`: the template's, with the controller's tolerations
/// and the node pinned through required node affinity
/// (`ReplaceDaemonSetPodNodeNameNodeAffinity`).
fn daemon_pod_spec(daemon_set: &DaemonSet, node_name: &str) -> crate::api::PodSpec {
    let mut spec = daemon_set.spec.template.spec.clone();
    add_daemon_tolerations(&mut spec.tolerations, spec.host_network);
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
    spec
}

/// `syncDaemonSet` and `manage`. Returns when to look again; the DaemonSet controller needs no
/// timer until `minReadySeconds` is played (it is woken by node and pod changes).
pub fn sync(simulation: &mut Simulation, key: &ObjectKey) -> Option<Millis> {
    let daemon_set = simulation.store.daemon_sets.get(key).cloned()?;
    let nodes: Vec<Node> = simulation.store.nodes.values().cloned().collect();
    let tolerations = daemon_tolerations(&daemon_set);
    // The daemon pods by the node they are for (bound, or pinned by affinity while pending).
    let mut by_node: std::collections::BTreeMap<String, Vec<ObjectKey>> = std::collections::BTreeMap::new();
    for pod_key in simulation.store.pods_owned_by(&daemon_set.metadata.uid) {
        // A pod still terminating counts as there (`getNodesToDaemonPods` keeps deleting pods
        // that are not finished), so no replacement starts beside it.
        let Some(pod) = simulation.store.pod(pod_key) else {
            continue;
        };
        if let Some(node_name) = pod.spec.node_name_or_target() {
            by_node.entry(node_name.to_string()).or_default().push(pod_key.clone());
        }
    }
    for node in &nodes {
        let placement = node_should_run_with(&daemon_set, &tolerations, node);
        let on_node = by_node.remove(&node.metadata.name).unwrap_or_default();
        if placement.should_run && on_node.is_empty() {
            create_daemon_pod(simulation, &daemon_set, &node.metadata.name);
        } else if !placement.should_continue_running {
            for pod_key in on_node {
                delete_daemon_pod(simulation, &daemon_set, &pod_key);
            }
        } else {
            // A failed daemon pod is deleted so a new one replaces it (`manage`).
            for pod_key in &on_node {
                if simulation
                    .store
                    .pod(pod_key)
                    .is_some_and(|pod| pod.status.phase == PodPhase::Failed)
                {
                    simulation.record_event(
                        "Warning",
                        "FailedDaemonPod",
                        format!("daemonset/{}", daemon_set.metadata.name),
                        &daemon_set.metadata.namespace,
                        format!(
                            "Found failed daemon pod {}/{} on node {}, will try to kill it",
                            pod_key.namespace, pod_key.name, node.metadata.name
                        ),
                        SOURCE,
                    );
                    delete_daemon_pod(simulation, &daemon_set, pod_key);
                }
            }
        }
    }
    // Pending daemon pods pinned to nodes that no longer exist are deleted
    // (`getUnscheduledPodsWithoutNode`).
    for (_, leftover) in by_node {
        for pod_key in leftover {
            if simulation
                .store
                .pod(&pod_key)
                .is_some_and(|pod| pod.spec.node_name.is_empty())
            {
                delete_daemon_pod(simulation, &daemon_set, &pod_key);
            }
        }
    }
    update_status(simulation, key, &nodes);
    None
}

fn create_daemon_pod(simulation: &mut Simulation, daemon_set: &DaemonSet, node_name: &str) {
    let template = &daemon_set.spec.template;
    let pod = Pod {
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
        spec: daemon_pod_spec(daemon_set, node_name),
        status: Default::default(),
    };
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

fn delete_daemon_pod(simulation: &mut Simulation, daemon_set: &DaemonSet, pod_key: &ObjectKey) {
    simulation.record_event(
        "Normal",
        "SuccessfulDelete",
        format!("daemonset/{}", daemon_set.metadata.name),
        &daemon_set.metadata.namespace,
        format!("Deleted pod: {}", pod_key.name),
        SOURCE,
    );
    simulation.delete_pod_gracefully(pod_key, None);
}

/// `updateDaemonSetStatus`: desired, current, ready and misscheduled counts.
fn update_status(simulation: &mut Simulation, key: &ObjectKey, nodes: &[Node]) {
    let Some(daemon_set) = simulation.store.daemon_sets.get(key) else {
        return;
    };
    let mut status = crate::api::DaemonSetStatus::default();
    let tolerations = daemon_tolerations(daemon_set);
    for node in nodes {
        let placement = node_should_run_with(daemon_set, &tolerations, node);
        let on_node: Vec<&Pod> = simulation
            .store
            .pods_on_node(&node.metadata.name)
            .filter_map(|pod_key| simulation.store.pod(pod_key))
            .filter(|pod| {
                pod.metadata
                    .controller_of()
                    .is_some_and(|owner| owner.uid == daemon_set.metadata.uid)
            })
            .collect();
        if placement.should_run {
            status.desired_number_scheduled += 1;
            if !on_node.is_empty() {
                status.current_number_scheduled += 1;
                if on_node.iter().any(|pod| pod.is_ready()) {
                    status.number_ready += 1;
                }
            }
        } else if !on_node.is_empty() {
            status.number_misscheduled += 1;
        }
    }
    if let Some(daemon_set) = simulation.store.daemon_sets.get_mut(key) {
        daemon_set.status = status;
    }
}
