//! Garbage collection: the pod garbage collector for pods on nodes that no longer exist
//! (`pkg/controller/podgc/gc_controller.go` `gcOrphaned`), and the garbage collector that
//! deletes dependents whose owners are gone (background cascading deletion).

use crate::sim::{ObjectKey, Simulation, Work};
use crate::time::{Millis, SECOND_MS};

/// PodGC runs every 20 s (`gcCheckPeriod`) ...
pub const POD_GC_PERIOD_MS: Millis = 20 * SECOND_MS;
/// ... and deletes a pod whose node has been missing for 40 s (`quarantineTime`).
pub const ORPHAN_QUARANTINE_MS: Millis = 40 * SECOND_MS;

/// When PodGC deletes a pod first seen orphaned now: the first run after the quarantine.
pub fn orphan_deletion_time(now: Millis) -> Millis {
    let earliest = now + ORPHAN_QUARANTINE_MS;
    earliest.div_ceil(POD_GC_PERIOD_MS) * POD_GC_PERIOD_MS
}

/// A node object was deleted: its pods become orphans, and its mirror pods lose their owner.
pub fn on_node_deleted(simulation: &mut Simulation, node: &str) {
    let due = orphan_deletion_time(simulation.now());
    let pods: Vec<ObjectKey> = simulation.store.pods_on_node(node).cloned().collect();
    for key in pods {
        simulation.enqueue_at(Work::CollectOrphanedPod(key), due);
    }
}

/// Force-deletes a pod whose node is still missing.
pub fn collect_orphaned_pod(simulation: &mut Simulation, key: &ObjectKey) {
    let Some(pod) = simulation.store.pod(key) else {
        return;
    };
    if pod.spec.node_name.is_empty() || simulation.store.nodes.contains_key(&pod.spec.node_name) {
        return;
    }
    // `gcOrphaned` (`pkg/controller/podgc/gc_controller.go`) marks the pod before deleting it.
    simulation.mark_disruption_target(key, "DeletionByPodGC", "PodGC: node no longer exists");
    simulation.remove_pod_now(key);
}

/// Deletes (gracefully) the pods none of whose owners exist any more.
pub fn collect_dependents(simulation: &mut Simulation, owner_uid: &str) {
    let keys: Vec<ObjectKey> = simulation.store.pods_owned_by(owner_uid).cloned().collect();
    for key in keys {
        let Some(pod) = simulation.store.pod(&key) else {
            continue;
        };
        let owners_alive = pod
            .metadata
            .owner_references
            .iter()
            .any(|owner| simulation.owner_exists(&owner.kind, &key.namespace, &owner.name, &owner.uid));
        if !owners_alive {
            simulation.delete_pod_gracefully(&key, None);
        }
    }
}

/// `--cascade=orphan`: the owner's dependents lose their owner reference and stay.
pub fn orphan_dependents(simulation: &mut Simulation, owner_uid: &str) {
    let keys: Vec<ObjectKey> = simulation.store.pods_owned_by(owner_uid).cloned().collect();
    for key in keys {
        simulation.store.remove_pod_owner(&key, owner_uid);
    }
}
