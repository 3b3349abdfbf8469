//! Garbage collection: the pod garbage collector for pods on nodes that no longer exist
//! (`pkg/controller/podgc/gc_controller.go` `gcOrphaned`), and the garbage collector that
//! deletes dependents whose owners are gone (background cascading deletion).

use crate::api::OwnerReference;
use crate::sim::{Cascade, ObjectKey, Simulation, Work};
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
    if pod.spec.node_name.is_empty() || simulation.store.nodes.contains_key(pod.spec.node_name.as_str()) {
        return;
    }
    // `gcOrphaned` (`pkg/controller/podgc/gc_controller.go`) marks the pod before deleting it.
    simulation.mark_disruption_target(key, "DeletionByPodGC", "PodGC: node no longer exists");
    simulation.remove_pod_now(key);
}

/// Deletes the dependents none of whose owners exist any more: pods gracefully, Jobs (a
/// CronJob's) and ReplicaSets (a Deployment's) with the background cascade, so that their pods
/// follow, and ControllerRevisions
/// (a DaemonSet's) at once, as they have no finalizers or grace period. This is the garbage
/// collector's `attemptToDeleteItem` (`pkg/controller/garbagecollector/garbagecollector.go`):
/// a dependent with no live owner left is deleted with `DeletePropagationBackground` unless it
/// carries the orphan or foreground finalizer (kubarium sets neither).
pub fn collect_dependents(simulation: &mut Simulation, owner_uid: &crate::api::Uid) {
    let keys: Vec<ObjectKey> = simulation.store.pods_owned_by(owner_uid).cloned().collect();
    for key in keys {
        let Some(pod) = simulation.store.pod(&key) else {
            continue;
        };
        if !any_owner_alive(simulation, &key.namespace, &pod.metadata.owner_references) {
            simulation.delete_pod_gracefully(&key, None);
        }
    }
    for key in jobs_owned_by(simulation, owner_uid) {
        let Some(job) = simulation.store.jobs.get(&key) else {
            continue;
        };
        if !any_owner_alive(simulation, &key.namespace, &job.metadata.owner_references) {
            // The Job exists (just looked up), so this cannot fail.
            let _ = simulation.delete_job(&key.namespace, &key.name, Cascade::Background);
        }
    }
    for key in revisions_owned_by(simulation, owner_uid) {
        let Some(revision) = simulation.store.controller_revisions.get(&key) else {
            continue;
        };
        if !any_owner_alive(simulation, &key.namespace, &revision.metadata.owner_references) {
            simulation.store.controller_revisions.remove(&key);
        }
    }
    for key in replica_sets_owned_by(simulation, owner_uid) {
        let Some(replica_set) = simulation.store.replica_sets.get(&key) else {
            continue;
        };
        if !any_owner_alive(simulation, &key.namespace, &replica_set.metadata.owner_references) {
            // The ReplicaSet exists (just looked up), so this cannot fail.
            let _ = simulation.delete_replica_set(&key.namespace, &key.name, Cascade::Background);
        }
    }
    collect_endpoint_slices(simulation, owner_uid);
}

/// The ReplicaSets with an owner reference to this uid, in key order.
fn replica_sets_owned_by(simulation: &Simulation, owner_uid: &crate::api::Uid) -> Vec<ObjectKey> {
    simulation
        .store
        .replica_sets
        .iter()
        .filter(|(_, replica_set)| {
            replica_set
                .metadata
                .owner_references
                .iter()
                .any(|owner| owner.uid == *owner_uid)
        })
        .map(|(key, _)| key.clone())
        .collect()
}

/// A deleted Service's EndpointSlices (owned by it) go at once, like ControllerRevisions.
fn collect_endpoint_slices(simulation: &mut Simulation, owner_uid: &crate::api::Uid) {
    let owned: Vec<(ObjectKey, Vec<OwnerReference>)> = simulation
        .store
        .services
        .slices
        .iter()
        .filter(|(_, slice)| {
            slice
                .metadata
                .owner_references
                .iter()
                .any(|owner| owner.uid == *owner_uid)
        })
        .map(|(key, slice)| (key.clone(), slice.metadata.owner_references.clone()))
        .collect();
    for (key, owners) in owned {
        if !any_owner_alive(simulation, &key.namespace, &owners) {
            simulation.store.services.slices.remove(&key);
        }
    }
}

fn any_owner_alive(simulation: &Simulation, namespace: &str, owners: &[OwnerReference]) -> bool {
    owners
        .iter()
        .any(|owner| simulation.owner_exists(&owner.kind, namespace, &owner.name, &owner.uid))
}

/// The Jobs with an owner reference to this uid, in key order.
fn jobs_owned_by(simulation: &Simulation, owner_uid: &crate::api::Uid) -> Vec<ObjectKey> {
    simulation
        .store
        .jobs
        .iter()
        .filter(|(_, job)| {
            job.metadata
                .owner_references
                .iter()
                .any(|owner| owner.uid == *owner_uid)
        })
        .map(|(key, _)| key.clone())
        .collect()
}

/// The ControllerRevisions with an owner reference to this uid, in key order.
fn revisions_owned_by(simulation: &Simulation, owner_uid: &crate::api::Uid) -> Vec<ObjectKey> {
    simulation
        .store
        .controller_revisions
        .iter()
        .filter(|(_, revision)| {
            revision
                .metadata
                .owner_references
                .iter()
                .any(|owner| owner.uid == *owner_uid)
        })
        .map(|(key, _)| key.clone())
        .collect()
}

/// `--cascade=orphan`: the owner's dependents (pods, Jobs, ReplicaSets and ControllerRevisions)
/// lose their owner reference and stay. Orphaned pods may be adopted by a ReplicaSet whose
/// selector matches them (the ReplicaSet controller's `updatePod` handler).
pub fn orphan_dependents(simulation: &mut Simulation, owner_uid: &crate::api::Uid) {
    let keys: Vec<ObjectKey> = simulation.store.pods_owned_by(owner_uid).cloned().collect();
    for key in keys {
        simulation.store.remove_pod_owner(&key, owner_uid);
        crate::controller::replicaset::enqueue_adopters(simulation, &key);
    }
    for key in replica_sets_owned_by(simulation, owner_uid) {
        if let Some(replica_set) = simulation.store.replica_sets.get_mut(&key) {
            replica_set
                .metadata
                .owner_references
                .retain(|owner| owner.uid != *owner_uid);
        }
    }
    for key in jobs_owned_by(simulation, owner_uid) {
        if let Some(job) = simulation.store.jobs.get_mut(&key) {
            job.metadata.owner_references.retain(|owner| owner.uid != *owner_uid);
        }
    }
    for key in revisions_owned_by(simulation, owner_uid) {
        if let Some(revision) = simulation.store.controller_revisions.get_mut(&key) {
            revision
                .metadata
                .owner_references
                .retain(|owner| owner.uid != *owner_uid);
        }
    }
}
