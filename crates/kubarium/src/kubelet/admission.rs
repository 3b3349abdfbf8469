//! The kubelet's pod admission (`pkg/kubelet/lifecycle/predicate.go`,
//! `predicateAdmitHandler.Admit`): before it starts a pod, the kubelet checks again what the
//! scheduler checked (`generalFilter`: resources, node affinity). A pod the scheduler bound has
//! passed those checks on the same counts, so only a pod its author pinned with `nodeName`
//! (which bypassed the scheduler) can be refused: it fails with `OutOfcpu`, `OutOfmemory`,
//! `OutOfpods` or `NodeAffinity`, as `rejectPod` records it.

use crate::api::{set_condition, PodPhase};
use crate::sim::{ObjectKey, Simulation};

/// Why the kubelet refuses the pod: the reason and the message (`PodAdmitResult`), or None.
pub(super) fn refusal(simulation: &Simulation, key: &ObjectKey) -> Option<(&'static str, String)> {
    let pod = simulation.store.pod(key)?;
    let scheduled = crate::api::condition_status(&pod.status.conditions, "PodScheduled") == Some("True");
    if scheduled || pod.is_mirror() {
        return None;
    }
    let node = simulation.store.nodes.get(pod.spec.node_name.as_str())?;
    // What the pods this kubelet admitted before, still running, use (`otherPods`).
    let (mut used_pods, mut used_cpu, mut used_memory) = (0_i64, 0_i64, 0_i64);
    for other in simulation.store.pods_on_node(&pod.spec.node_name) {
        let admitted = other != key && simulation.runtimes.contains_key(other);
        if let Some(other) = simulation
            .store
            .pod(other)
            .filter(|other| admitted && !other.status.phase.is_terminal())
        {
            let requests = crate::store::pod_requests(other);
            used_pods += 1;
            used_cpu += requests.cpu_milli;
            used_memory += requests.memory_bytes;
        }
    }
    let allocatable = |name: &str| node.status.allocatable.get(name).copied().unwrap_or_default();
    let requests = crate::store::pod_requests(pod);
    // `noderesources.Fits`, in its order; the first insufficient resource is the reason.
    let insufficient = [
        ("OutOfpods", "pods", 1, used_pods, allocatable("pods").value()),
        (
            "OutOfcpu",
            "cpu",
            requests.cpu_milli,
            used_cpu,
            allocatable("cpu").milli_value(),
        ),
        (
            "OutOfmemory",
            "memory",
            requests.memory_bytes,
            used_memory,
            allocatable("memory").value(),
        ),
    ]
    .into_iter()
    .find(|(_, _, requested, used, capacity)| *requested > 0 && used + requested > *capacity);
    if let Some((reason, resource, requested, used, capacity)) = insufficient {
        // `InsufficientResourceError.Error`.
        return Some((
            reason,
            format!("Node didn't have enough resource: {resource}, requested: {requested}, used: {used}, capacity: {capacity}"),
        ));
    }
    if !crate::scheduler::node_affinity_matches(&pod.spec, node) {
        // `PredicateFailureError.Error`.
        return Some((
            "NodeAffinity",
            "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector".to_string(),
        ));
    }
    None
}

/// `rejectPod`: a warning event with the reason and message, and the pod `Failed` with them
/// (the message prefixed `Pod was rejected: `). Its containers never start.
pub(super) fn reject(simulation: &mut Simulation, key: &ObjectKey, reason: &'static str, message: &str) {
    let now = simulation.now();
    simulation.record_pod_event("Warning", reason, key, message.to_string(), super::SOURCE);
    let resource_version = simulation.bump_resource_version();
    simulation.store.update_pod(key, |pod| {
        pod.status.phase = PodPhase::Failed;
        pod.status.reason = crate::word::Word::from_static(reason);
        pod.status.message = format!("Pod was rejected: {message}").as_str().into();
        pod.metadata.resource_version = resource_version;
        set_condition(&mut pod.status.conditions, now, "Ready", "False", "PodFailed", "");
    });
    simulation.pod_status_changed(key);
    simulation.pod_became_terminal();
}
