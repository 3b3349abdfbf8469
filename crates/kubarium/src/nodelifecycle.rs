//! Node lifecycle: the node lifecycle controller's view of kubelet heartbeats, the
//! not-ready/unreachable taints, and the taint eviction controller
//! (`pkg/controller/nodelifecycle/node_lifecycle_controller.go`, `pkg/controller/tainteviction`).
//!
//! Heartbeats are not simulated one by one: a live kubelet is always up to date, and when a
//! kubelet stops, the controller's verdict is computed for the monitor tick at which it falls due.

use crate::api::{set_condition, Taint};
use crate::sim::{ActionError, ObjectKey, Simulation, Work};
use crate::time::{Millis, SECOND_MS};

pub const TAINT_NOT_READY: &str = "node.kubernetes.io/not-ready";
pub const TAINT_UNREACHABLE: &str = "node.kubernetes.io/unreachable";
pub const TAINT_UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";

/// The kubelet posts node status every 10 s (`nodeStatusUpdateFrequency`).
pub const HEARTBEAT_MS: Millis = 10 * SECOND_MS;
/// The controller looks at nodes every 5 s (`--node-monitor-period`).
pub const MONITOR_PERIOD_MS: Millis = 5 * SECOND_MS;
/// A node that has not posted status for this long is Unknown (`--node-monitor-grace-period`:
/// 50 s since Kubernetes 1.32, 40 s before).
pub const MONITOR_GRACE_MS: Millis = 50 * SECOND_MS;

const SOURCE: &str = "node-controller";

/// What the node lifecycle controller is doing about a node, as lines for its card: the
/// silent kubelet and when the controller will call the node Unknown, the `NoExecute` taints
/// and since when, and when the first of its pods will be evicted (a countdown from `now`).
pub fn lifecycle_notes(simulation: &Simulation, name: &str) -> Vec<String> {
    use crate::time::format_duration;
    let now = simulation.now();
    let mut notes = Vec::new();
    if let Some(kubelet) = simulation.kubelets.get(name).filter(|kubelet| !kubelet.alive) {
        let stopped = kubelet.stopped_ms.unwrap_or(now);
        let verdict = verdict_time(kubelet);
        if verdict > now {
            notes.push(format!(
                "kubelet silent since {}; Unknown at {} (in {}: {}s grace, checked every {}s)",
                format_duration(stopped),
                format_duration(verdict),
                format_duration(verdict - now),
                MONITOR_GRACE_MS / SECOND_MS,
                MONITOR_PERIOD_MS / SECOND_MS
            ));
        } else {
            notes.push(format!("kubelet silent since {}", format_duration(stopped)));
        }
    }
    let Some(node) = simulation.store.nodes.get(name) else {
        return notes;
    };
    let taints = no_execute_taints(node);
    for taint in &taints {
        if let Some(added) = taint.time_added_ms {
            notes.push(format!("{}:NoExecute since {}", taint.key, format_duration(added)));
        }
    }
    if !taints.is_empty() {
        let next = simulation
            .store
            .pods_on_node(name)
            .filter_map(|key| eviction_time(simulation, key, &taints, now))
            .min();
        if let Some(next) = next {
            notes.push(format!(
                "next eviction at {} (in {}), when a pod's tolerationSeconds run out",
                format_duration(next),
                format_duration(next - now)
            ));
        }
    }
    notes
}

/// The machine stops: no more heartbeats. Schedules the controller's verdict.
pub fn fail_node(simulation: &mut Simulation, name: &str) -> Result<(), ActionError> {
    let now = simulation.now();
    let kubelet = simulation
        .kubelets
        .get_mut(name)
        .ok_or_else(|| ActionError(format!("nodes \"{name}\" not found")))?;
    if !kubelet.alive {
        return Ok(());
    }
    kubelet.alive = false;
    kubelet.stopped_ms = Some(now);
    let verdict_at = verdict_time(kubelet);
    simulation.enqueue_at(Work::MonitorNode(name.to_string()), verdict_at);
    Ok(())
}

/// When the controller declares a silent kubelet's node Unknown: the first monitor tick strictly
/// after the grace period that follows the last heartbeat.
fn verdict_time(kubelet: &crate::sim::KubeletState) -> Millis {
    let stopped = kubelet.stopped_ms.unwrap_or(kubelet.registered_ms);
    let since_registration = stopped.saturating_sub(kubelet.registered_ms);
    let last_heartbeat = kubelet.registered_ms + since_registration / HEARTBEAT_MS * HEARTBEAT_MS;
    let stale_after = last_heartbeat + MONITOR_GRACE_MS;
    (stale_after / MONITOR_PERIOD_MS + 1) * MONITOR_PERIOD_MS
}

/// The controller's verdict on a silent node: Ready becomes Unknown, the unreachable taints go
/// on, and its pods are marked not ready and queued for eviction.
pub fn monitor_node(simulation: &mut Simulation, name: &str) {
    let now = simulation.now();
    let Some(kubelet) = simulation.kubelets.get(name).filter(|kubelet| !kubelet.alive) else {
        return;
    };
    // An item left from an earlier failure may come early for this one.
    let due = verdict_time(kubelet);
    if due > now {
        simulation.enqueue_at(Work::MonitorNode(name.to_string()), due);
        return;
    }
    let Some(node) = simulation.store.nodes.get_mut(name) else {
        return;
    };
    for condition_type in ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"] {
        set_condition(
            &mut node.status.conditions,
            now,
            condition_type,
            "Unknown",
            "NodeStatusUnknown",
            "Kubelet stopped posting node status.",
        );
    }
    for effect in ["NoSchedule", "NoExecute"] {
        if !node
            .spec
            .taints
            .iter()
            .any(|taint| taint.key == TAINT_UNREACHABLE && taint.effect == effect)
        {
            node.spec.taints.push(Taint {
                key: TAINT_UNREACHABLE.to_string(),
                value: String::new(),
                effect: effect.to_string(),
                time_added_ms: Some(now),
            });
        }
    }
    simulation.record_event(
        "Normal",
        "NodeNotReady",
        format!("node/{name}"),
        "",
        format!("Node {name} status is now: NodeNotReady"),
        SOURCE,
    );
    let pods: Vec<ObjectKey> = simulation.store.pods_on_node(name).cloned().collect();
    for key in &pods {
        simulation.store.update_pod(key, |pod| {
            if !pod.status.phase.is_terminal() {
                set_condition(&mut pod.status.conditions, now, "Ready", "False", "NodeNotReady", "");
            }
        });
        simulation.pod_status_changed(key);
    }
    schedule_taint_evictions(simulation, name);
    simulation.on_node_changed();
}

/// The kubelet reports again: Ready, the unreachable taints removed, and its pods looked at.
pub fn recover_node(simulation: &mut Simulation, name: &str) -> Result<(), ActionError> {
    let now = simulation.now();
    let kubelet = simulation
        .kubelets
        .get_mut(name)
        .ok_or_else(|| ActionError(format!("nodes \"{name}\" not found")))?;
    if kubelet.alive {
        return Ok(());
    }
    kubelet.alive = true;
    kubelet.stopped_ms = None;
    kubelet.registered_ms = now;
    if let Some(node) = simulation.store.nodes.get_mut(name) {
        set_condition(
            &mut node.status.conditions,
            now,
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status",
        );
        for condition_type in ["MemoryPressure", "DiskPressure", "PIDPressure"] {
            set_condition(
                &mut node.status.conditions,
                now,
                condition_type,
                "False",
                "KubeletHasSufficientResources",
                "",
            );
        }
        node.spec
            .taints
            .retain(|taint| taint.key != TAINT_UNREACHABLE && taint.key != TAINT_NOT_READY);
    }
    simulation.record_event(
        "Normal",
        "NodeReady",
        format!("node/{name}"),
        "",
        format!("Node {name} status is now: NodeReady"),
        "kubelet",
    );
    let pods: Vec<ObjectKey> = simulation.store.pods_on_node(name).cloned().collect();
    for key in pods {
        simulation.enqueue_now(Work::KubeletSyncPod(key));
    }
    crate::kubelet::start_static_pods(simulation, name);
    simulation.on_node_changed();
    Ok(())
}

/// When each pod on the node must go because of a `NoExecute` taint it does not tolerate, or
/// tolerates only for `tolerationSeconds` (`tainteviction` `processPodOnNode`).
pub fn schedule_taint_evictions(simulation: &mut Simulation, name: &str) {
    let now = simulation.now();
    let Some(node) = simulation.store.nodes.get(name) else {
        return;
    };
    let taints = no_execute_taints(node);
    if taints.is_empty() {
        return;
    }
    let pods: Vec<ObjectKey> = simulation.store.pods_on_node(name).cloned().collect();
    for key in pods {
        if let Some(due) = eviction_time(simulation, &key, &taints, now) {
            simulation.enqueue_at(Work::EvictPod(key), due);
        }
    }
}

/// A pod just bound to a node: if the node has `NoExecute` taints, the eviction timer starts
/// (`tainteviction` `handlePodUpdate`).
pub fn schedule_pod_eviction(simulation: &mut Simulation, key: &ObjectKey) {
    let now = simulation.now();
    let Some(node_name) = simulation.store.pod(key).map(|pod| pod.spec.node_name) else {
        return;
    };
    let Some(node) = simulation.store.nodes.get(node_name.as_str()) else {
        return;
    };
    let taints = no_execute_taints(node);
    if taints.is_empty() {
        return;
    }
    if let Some(due) = eviction_time(simulation, key, &taints, now) {
        simulation.enqueue_at(Work::EvictPod(key.clone()), due);
    }
}

/// A node's `NoExecute` taints, the ones that evict.
fn no_execute_taints(node: &crate::api::Node) -> Vec<Taint> {
    node.spec
        .taints
        .iter()
        .filter(|taint| taint.effect == "NoExecute")
        .cloned()
        .collect()
}

/// When a pod must be evicted for these taints, if ever (`processPodOnNode` in
/// `pkg/controller/tainteviction/taint_eviction.go`): at once if one taint is not tolerated;
/// never if the tolerations used (`GetMatchingTolerations`: the first that tolerates each
/// taint) all tolerate forever; else the shortest of their `tolerationSeconds`
/// (`getMinTolerationTime`) after the countdown began. The countdown begins when the
/// controller first sees the pod under these taints, and later updates keep it
/// (`scheduledEviction.CreatedAt`): when the first of them was added, or when the pod was
/// bound, if later. (Counting from the taint alone would evict a pod bound after its
/// toleration ran out at once, and a DaemonSet would replace it at the same instant, forever.)
fn eviction_time(simulation: &Simulation, key: &ObjectKey, taints: &[Taint], now: Millis) -> Option<Millis> {
    let pod = simulation.store.pod(key)?;
    if pod.metadata.is_terminating() || pod.status.phase.is_terminal() || taints.is_empty() {
        return None;
    }
    let mut shortest: Option<i64> = None;
    for taint in taints {
        let toleration = pod
            .spec
            .tolerations
            .iter()
            .find(|toleration| toleration.tolerates(taint));
        let Some(toleration) = toleration else {
            return Some(now);
        };
        if let Some(seconds) = toleration.toleration_seconds {
            shortest = Some(shortest.map_or(seconds, |shortest| shortest.min(seconds)).max(0));
        }
    }
    let seconds = shortest?;
    let first_taint = taints
        .iter()
        .filter_map(|taint| taint.time_added_ms)
        .min()
        .unwrap_or(now);
    let start = first_taint.max(bound_at(pod));
    Some(
        start
            .saturating_add((seconds as Millis).saturating_mul(SECOND_MS))
            .max(now),
    )
}

/// When a pod was bound to its node: its `PodScheduled` condition's last change, or its
/// creation for a pod made with `nodeName`.
fn bound_at(pod: &crate::api::Pod) -> Millis {
    pod.status
        .conditions
        .iter()
        .find(|condition| condition.condition_type == "PodScheduled" && condition.status == "True")
        .map_or(pod.metadata.creation_timestamp_ms, |condition| {
            condition.last_transition_time_ms
        })
}

/// Evicts a pod whose toleration ran out, if the taint is still there.
pub fn evict_pod(simulation: &mut Simulation, key: &ObjectKey) {
    let now = simulation.now();
    let Some(pod) = simulation.store.pod(key) else {
        return;
    };
    let Some(node) = simulation.store.nodes.get(pod.spec.node_name.as_str()) else {
        return;
    };
    let taints = no_execute_taints(node);
    match eviction_time(simulation, key, &taints, now) {
        None => return,
        Some(due) if due > now => {
            // The queue keeps the earliest item of a key; this one came early.
            simulation.enqueue_at(Work::EvictPod(key.clone()), due);
            return;
        }
        Some(_) => {}
    }
    simulation.record_pod_event(
        "Normal",
        "TaintManagerEviction",
        key,
        format!("Marking for deletion Pod {}/{}", key.namespace, key.name),
        "taint-eviction-controller",
    );
    // `addConditionAndDeletePod` (`pkg/controller/tainteviction/taint_eviction.go`).
    simulation.mark_disruption_target(
        key,
        "DeletionByTaintManager",
        "Taint manager: deleting due to NoExecute taint",
    );
    simulation.delete_pod_gracefully(key, None);
}

#[cfg(test)]
mod lifecycle_notes_tests {
    use super::*;
    use crate::sim::ClusterConfig;

    /// A node whose kubelet stops at 20s: its last heartbeat was at 20s, so the controller calls
    /// it Unknown at the first 5s tick after 20s + 50s, taints it unreachable, and a pod with
    /// the default 300s toleration is evicted 300s after the taint came.
    #[test]
    fn a_failed_node_card_counts_down_to_the_eviction() {
        let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", 1));
        simulation
            .apply(
                "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: web, image: nginx}]}\n",
            )
            .expect("valid");
        simulation.run_until(20 * SECOND_MS).expect("runs");
        assert!(lifecycle_notes(&simulation, "node-1").is_empty());
        simulation.fail_node("node-1").expect("exists");
        simulation.run_until(30 * SECOND_MS).expect("runs");
        assert_eq!(
            lifecycle_notes(&simulation, "node-1"),
            ["kubelet silent since 20s; Unknown at 1m15s (in 45s: 50s grace, checked every 5s)"]
        );
        simulation.run_until(80 * SECOND_MS).expect("runs");
        assert_eq!(
            lifecycle_notes(&simulation, "node-1"),
            [
                "kubelet silent since 20s",
                "node.kubernetes.io/unreachable:NoExecute since 1m15s",
                "next eviction at 6m15s (in 4m55s), when a pod's tolerationSeconds run out",
            ]
        );
    }
}
