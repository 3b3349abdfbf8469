//! The kubelet of every node: takes bound pods from ContainerCreating to Running.
//!
//! Simulated timings for the slice: an image pull takes one second, then the containers are
//! created and started together. Container behaviour (exit codes, restarts, durations) comes with
//! the core issue and is documented in `docs/`.

use crate::api::{ContainerStatus, Pod, PodPhase};
use crate::sim::{ObjectKey, Simulation, Work};
use crate::time::{Millis, SECOND_MS};

const SOURCE: &str = "kubelet";

/// How long a simulated image pull takes.
pub const IMAGE_PULL_MS: Millis = SECOND_MS;

impl Pod {
    /// The pod's `Ready` condition: running with every container ready.
    pub fn is_ready(&self) -> bool {
        self.status.phase == PodPhase::Running
            && !self.status.container_statuses.is_empty()
            && self
                .status
                .container_statuses
                .iter()
                .all(|status| status.ready)
    }
}

/// `syncPod` for one pod on its node.
pub fn sync_pod(simulation: &mut Simulation, key: &ObjectKey) {
    let now = simulation.now();
    let Some(pod) = simulation.pods.get_mut(key) else {
        return;
    };
    if pod.spec.node_name.is_empty() || pod.status.phase != PodPhase::Pending {
        return;
    }
    let object = format!("pod/{}", key.name);
    let images: Vec<(String, String)> = pod
        .spec
        .containers
        .iter()
        .map(|container| (container.name.clone(), container.image.clone()))
        .collect();
    if pod.status.container_statuses.is_empty() {
        pod.status.start_time_ms = Some(now);
        pod.status.container_statuses = images
            .iter()
            .map(|(name, _)| ContainerStatus {
                name: name.clone(),
                ready: false,
                restart_count: 0,
                waiting_reason: Some("ContainerCreating".to_string()),
            })
            .collect();
        for (_, image) in &images {
            simulation.record_event(
                "Normal",
                "Pulling",
                object.clone(),
                &key.namespace,
                format!("Pulling image \"{image}\""),
                SOURCE,
            );
        }
        simulation.enqueue_at(Work::KubeletSyncPod(key.clone()), now + IMAGE_PULL_MS);
        return;
    }
    pod.status.phase = PodPhase::Running;
    for status in &mut pod.status.container_statuses {
        status.waiting_reason = None;
        status.ready = true;
    }
    for (name, image) in &images {
        simulation.record_event(
            "Normal",
            "Pulled",
            object.clone(),
            &key.namespace,
            format!("Successfully pulled image \"{image}\" in 1s (1s including waiting)"),
            SOURCE,
        );
        simulation.record_event(
            "Normal",
            "Created",
            object.clone(),
            &key.namespace,
            format!("Created container: {name}"),
            SOURCE,
        );
        simulation.record_event(
            "Normal",
            "Started",
            object.clone(),
            &key.namespace,
            format!("Started container {name}"),
            SOURCE,
        );
    }
    // The DaemonSet controller watches pods: a pod turning ready changes its status counts.
    if let Some(owner) = simulation
        .pods
        .get(key)
        .and_then(|pod| pod.metadata.controller_of())
        .cloned()
    {
        if owner.kind == "DaemonSet" {
            let owner_key = ObjectKey {
                namespace: key.namespace.clone(),
                name: owner.name,
            };
            simulation.enqueue_at(Work::SyncDaemonSet(owner_key), now);
        }
    }
}
