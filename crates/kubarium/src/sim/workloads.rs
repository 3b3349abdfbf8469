//! The API server's side of ReplicaSets, ReplicationControllers and Deployments: create and
//! update as their registry strategies do (`pkg/registry/apps/replicaset/strategy.go`,
//! `pkg/registry/core/replicationcontroller/strategy.go`,
//! `pkg/registry/apps/deployment/strategy.go`), the update validation, deletion with its
//! cascade, and the `scale` subresource.

use super::{manifest_key, ActionError, Cascade, Simulation, Work};
use crate::api::{Deployment, ReplicaSet, ReplicationController};
use crate::controller::replicaset::ReplicaKind;
use crate::gc;
use crate::store::ObjectKey;

/// Annotations the Deployment controller keeps on a Deployment: an apply that does not name
/// them leaves them alone, as `kubectl apply`'s three-way merge does for fields it never set.
const CONTROLLER_ANNOTATION_PREFIX: &str = "deployment.kubernetes.io/";

/// `field is immutable`, as the API server says it (the value it dumps is elided).
fn immutable(kind: &str, name: &str, field: &str) -> ActionError {
    ActionError(format!(
        "The {kind} \"{name}\" is invalid: {field}: Invalid value: ...: field is immutable"
    ))
}

impl Simulation {
    pub fn replica_sets(&self) -> impl Iterator<Item = &ReplicaSet> {
        self.store.replica_sets.values()
    }

    pub fn replica_set(&self, namespace: &str, name: &str) -> Option<&ReplicaSet> {
        crate::store::KeyRef(namespace, name).get(&self.store.replica_sets)
    }

    pub fn replication_controllers(&self) -> impl Iterator<Item = &ReplicationController> {
        self.store.replication_controllers.values()
    }

    pub fn replication_controller(&self, namespace: &str, name: &str) -> Option<&ReplicationController> {
        crate::store::KeyRef(namespace, name).get(&self.store.replication_controllers)
    }

    pub fn deployments(&self) -> impl Iterator<Item = &Deployment> {
        self.store.deployments.values()
    }

    pub fn deployment(&self, namespace: &str, name: &str) -> Option<&Deployment> {
        crate::store::KeyRef(namespace, name).get(&self.store.deployments)
    }

    /// `ValidateReplicaSetUpdate` for apps/v1: the selector is immutable.
    pub(super) fn check_replica_set_update(&self, replica_set: &ReplicaSet) -> Result<(), ActionError> {
        match self.store.replica_sets.get(&manifest_key(&replica_set.metadata)) {
            Some(existing) if existing.spec.selector != replica_set.spec.selector => {
                Err(immutable("ReplicaSet", &replica_set.metadata.name, "spec.selector"))
            }
            _ => Ok(()),
        }
    }

    /// `ValidateDeploymentUpdate` for apps/v1: the selector is immutable.
    pub(super) fn check_deployment_update(&self, deployment: &Deployment) -> Result<(), ActionError> {
        match self.store.deployments.get(&manifest_key(&deployment.metadata)) {
            Some(existing) if existing.spec.selector != deployment.spec.selector => {
                Err(immutable("Deployment", &deployment.metadata.name, "spec.selector"))
            }
            _ => Ok(()),
        }
    }

    /// Creates or updates a ReplicaSet (`PrepareForCreate`, `PrepareForUpdate`): an update keeps
    /// the status and bumps the generation when the spec changed.
    pub(crate) fn apply_replica_set(&mut self, mut replica_set: ReplicaSet) {
        let key = manifest_key(&replica_set.metadata);
        match self.store.replica_sets.get(&key) {
            Some(existing) => {
                let spec_changed =
                    existing.spec != replica_set.spec || existing.template_json != replica_set.template_json;
                replica_set.metadata.uid = existing.metadata.uid.clone();
                replica_set.metadata.namespace = key.namespace;
                replica_set.metadata.creation_timestamp_ms = existing.metadata.creation_timestamp_ms;
                replica_set.metadata.owner_references = existing.metadata.owner_references.clone();
                replica_set.metadata.generation = existing.metadata.generation + u64::from(spec_changed);
                replica_set.status = existing.status.clone();
                replica_set.metadata.resource_version = self.bump_resource_version();
            }
            None => {
                self.admit_metadata(&mut replica_set.metadata);
                replica_set.status = Default::default();
            }
        }
        self.store.replica_sets.insert(key.clone(), replica_set);
        self.replica_set_updated(&key);
    }

    /// A stored ReplicaSet changed through the API: its controller and the Deployment owning it
    /// look again (the `updateReplicaSet` handlers of both controllers).
    pub(crate) fn replica_set_updated(&mut self, key: &ObjectKey) {
        self.enqueue_now(Work::SyncReplicaSet(key.clone()));
        crate::controller::replicaset::replica_set_changed(self, key);
        crate::controller::deployment::enqueue_adopters(self, key);
    }

    /// Updates a stored ReplicaSet as a client does (read, change, `Update`): the generation
    /// follows spec changes. Returns false if it does not exist.
    pub(crate) fn update_replica_set(&mut self, key: &ObjectKey, change: impl FnOnce(&mut ReplicaSet)) -> bool {
        let resource_version = self.bump_resource_version();
        let Some(replica_set) = self.store.replica_sets.get_mut(key) else {
            return false;
        };
        let spec_before = replica_set.spec.clone();
        change(replica_set);
        if replica_set.spec != spec_before {
            replica_set.metadata.generation += 1;
        }
        replica_set.metadata.resource_version = resource_version;
        self.replica_set_updated(key);
        true
    }

    /// Creates or updates a ReplicationController; its selector may change, unlike a
    /// ReplicaSet's.
    pub(crate) fn apply_replication_controller(&mut self, mut controller: ReplicationController) {
        let key = manifest_key(&controller.metadata);
        match self.store.replication_controllers.get(&key) {
            Some(existing) => {
                let spec_changed = existing.spec != controller.spec;
                controller.metadata.uid = existing.metadata.uid.clone();
                controller.metadata.namespace = key.namespace;
                controller.metadata.creation_timestamp_ms = existing.metadata.creation_timestamp_ms;
                controller.metadata.generation = existing.metadata.generation + u64::from(spec_changed);
                controller.status = existing.status.clone();
                controller.metadata.resource_version = self.bump_resource_version();
            }
            None => {
                self.admit_metadata(&mut controller.metadata);
                controller.status = Default::default();
            }
        }
        self.store.replication_controllers.insert(key.clone(), controller);
        self.enqueue_now(Work::SyncReplicationController(key));
    }

    /// Creates or updates a Deployment: an update keeps the status and the annotations the
    /// controller manages, and bumps the generation when the spec or the annotations changed
    /// (annotations are copied to the ReplicaSets).
    pub(crate) fn apply_deployment(&mut self, mut deployment: Deployment) {
        let key = manifest_key(&deployment.metadata);
        match self.store.deployments.get(&key) {
            Some(existing) => {
                for (annotation, value) in &existing.metadata.annotations {
                    if annotation.starts_with(CONTROLLER_ANNOTATION_PREFIX) {
                        deployment
                            .metadata
                            .annotations
                            .entry(annotation.clone())
                            .or_insert_with(|| value.clone());
                    }
                }
                let changed = existing.spec != deployment.spec
                    || existing.template_json != deployment.template_json
                    || existing.metadata.annotations != deployment.metadata.annotations;
                deployment.metadata.uid = existing.metadata.uid.clone();
                deployment.metadata.namespace = key.namespace;
                deployment.metadata.creation_timestamp_ms = existing.metadata.creation_timestamp_ms;
                deployment.metadata.generation = existing.metadata.generation + u64::from(changed);
                deployment.status = existing.status.clone();
                deployment.metadata.resource_version = self.bump_resource_version();
            }
            None => {
                self.admit_metadata(&mut deployment.metadata);
                deployment.status = Default::default();
            }
        }
        self.store.deployments.insert(key.clone(), deployment);
        self.enqueue_now(Work::SyncDeployment(key));
    }

    /// Deletes a ReplicaSet: the Deployment owning it hears of it, and with the background
    /// cascade the garbage collector deletes its pods.
    pub fn delete_replica_set(&mut self, namespace: &str, name: &str, cascade: Cascade) -> Result<(), ActionError> {
        let key = ObjectKey::new(namespace, name);
        let Some(replica_set) = self.store.replica_sets.remove(&key) else {
            return Err(ActionError(format!("replicasets.apps \"{name}\" not found")));
        };
        // The quota monitor's delete handler: the namespace's quotas are recounted.
        crate::controller::resourcequota::replenish(self, &key.namespace);
        if let Some(owner) = replica_set.metadata.controller_of() {
            self.enqueue_controller(key.namespace, owner);
        }
        self.cascade(&replica_set.metadata.uid, cascade);
        Ok(())
    }

    /// Deletes a ReplicaSet, ReplicationController or Deployment.
    pub fn delete_workload(
        &mut self,
        kind: WorkloadKind,
        namespace: &str,
        name: &str,
        cascade: Cascade,
    ) -> Result<(), ActionError> {
        match kind {
            WorkloadKind::ReplicaSet => self.delete_replica_set(namespace, name, cascade),
            WorkloadKind::ReplicationController => self.delete_replication_controller(namespace, name, cascade),
            WorkloadKind::Deployment => self.delete_deployment(namespace, name, cascade),
        }
    }

    pub fn delete_replication_controller(
        &mut self,
        namespace: &str,
        name: &str,
        cascade: Cascade,
    ) -> Result<(), ActionError> {
        let key = ObjectKey::new(namespace, name);
        let Some(controller) = self.store.replication_controllers.remove(&key) else {
            return Err(ActionError(format!("replicationcontrollers \"{name}\" not found")));
        };
        // The quota monitor's delete handler: the namespace's quotas are recounted.
        crate::controller::resourcequota::replenish(self, &key.namespace);
        self.cascade(&controller.metadata.uid, cascade);
        Ok(())
    }

    /// Deletes a Deployment; with the background cascade the garbage collector deletes its
    /// ReplicaSets, and their pods after them.
    pub fn delete_deployment(&mut self, namespace: &str, name: &str, cascade: Cascade) -> Result<(), ActionError> {
        let key = ObjectKey::new(namespace, name);
        let Some(deployment) = self.store.deployments.remove(&key) else {
            return Err(ActionError(format!("deployments.apps \"{name}\" not found")));
        };
        // The quota monitor's delete handler: the namespace's quotas are recounted.
        crate::controller::resourcequota::replenish(self, &key.namespace);
        self.cascade(&deployment.metadata.uid, cascade);
        Ok(())
    }

    fn cascade(&mut self, owner_uid: &crate::api::Uid, cascade: Cascade) {
        match cascade {
            Cascade::Background => self.enqueue_now(Work::CollectDependents(owner_uid.clone())),
            Cascade::Orphan => gc::orphan_dependents(self, owner_uid),
        }
    }

    /// `kubectl scale KIND/NAME --replicas=N` through the `scale` subresource: `spec.replicas`
    /// changes as an update would change it.
    pub fn scale(&mut self, kind: WorkloadKind, namespace: &str, name: &str, replicas: i32) -> Result<(), ActionError> {
        let key = ObjectKey::new(namespace, name);
        if replicas < 0 {
            return Err(ActionError(format!(
                "The {} \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0",
                kind.kind()
            )));
        }
        let not_found = || ActionError(format!("{} \"{name}\" not found", kind.resource()));
        match kind {
            WorkloadKind::ReplicaSet => {
                if !self.update_replica_set(&key, |replica_set| replica_set.spec.replicas = replicas) {
                    return Err(not_found());
                }
            }
            WorkloadKind::ReplicationController => {
                let resource_version = self.bump_resource_version();
                let controller = self.store.replication_controllers.get_mut(&key).ok_or_else(not_found)?;
                if controller.spec.replicas != replicas {
                    controller.spec.replicas = replicas;
                    controller.metadata.generation += 1;
                }
                controller.metadata.resource_version = resource_version;
                self.enqueue_now(ReplicaKind::ReplicationController.work(key));
            }
            WorkloadKind::Deployment => {
                if !self.update_deployment(&key, |deployment| deployment.spec.replicas = replicas) {
                    return Err(not_found());
                }
            }
        }
        Ok(())
    }

    /// Updates a stored Deployment's spec as a client does; the generation follows spec and
    /// annotation changes. Returns false if it does not exist.
    pub(crate) fn update_deployment(&mut self, key: &ObjectKey, change: impl FnOnce(&mut Deployment)) -> bool {
        let resource_version = self.bump_resource_version();
        let Some(deployment) = self.store.deployments.get_mut(key) else {
            return false;
        };
        let before = (deployment.spec.clone(), deployment.metadata.annotations.clone());
        change(deployment);
        if (deployment.spec.clone(), deployment.metadata.annotations.clone()) != before {
            deployment.metadata.generation += 1;
        }
        deployment.metadata.resource_version = resource_version;
        self.enqueue_now(Work::SyncDeployment(key.clone()));
        true
    }
}

/// The kinds that keep a number of replicas: what `kubectl scale` changes and `kubectl delete`
/// cascades from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    ReplicaSet,
    ReplicationController,
    Deployment,
}

impl WorkloadKind {
    pub fn kind(self) -> &'static str {
        match self {
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::ReplicationController => "ReplicationController",
            WorkloadKind::Deployment => "Deployment",
        }
    }

    /// The resource name kubectl prints in "not found".
    pub fn resource(self) -> &'static str {
        match self {
            WorkloadKind::ReplicaSet => "replicasets.apps",
            WorkloadKind::ReplicationController => "replicationcontrollers",
            WorkloadKind::Deployment => "deployments.apps",
        }
    }

    /// The kind as kubectl prints it in `KIND/NAME`.
    pub fn name(self) -> &'static str {
        match self {
            WorkloadKind::ReplicaSet => "replicaset",
            WorkloadKind::ReplicationController => "replicationcontroller",
            WorkloadKind::Deployment => "deployment",
        }
    }
}

impl WorkloadKind {
    /// The kind a `kubectl` command names (`rs`, `replicasets`, `deploy`, `rc`, ...).
    pub fn parse(text: &str) -> Option<WorkloadKind> {
        match text {
            "replicaset" | "replicasets" | "rs" | "replicaset.apps" | "replicasets.apps" => {
                Some(WorkloadKind::ReplicaSet)
            }
            "replicationcontroller" | "replicationcontrollers" | "rc" => Some(WorkloadKind::ReplicationController),
            "deployment" | "deployments" | "deploy" | "deployment.apps" | "deployments.apps" => {
                Some(WorkloadKind::Deployment)
            }
            _ => None,
        }
    }
}

impl Simulation {
    /// `kubectl label pod NAME key=value key-`: the pod's labels change; its controller looks
    /// again (and releases it if its selector no longer matches), and if it has none, the
    /// ReplicaSets whose selector now matches may adopt it (`updatePod`).
    pub fn label_pod(
        &mut self,
        namespace: &str,
        name: &str,
        changes: &[(String, Option<String>)],
    ) -> Result<(), ActionError> {
        let key = ObjectKey::new(namespace, name);
        let resource_version = self.bump_resource_version();
        self.store
            .update_pod(&key, |pod| {
                for (label, value) in changes {
                    match value {
                        Some(value) => pod.metadata.labels.insert(label.clone(), value.clone()),
                        None => pod.metadata.labels.remove(label),
                    };
                }
                pod.metadata.resource_version = resource_version;
            })
            .ok_or_else(|| ActionError(format!("pods \"{name}\" not found")))?;
        self.pod_status_changed(&key);
        crate::controller::replicaset::enqueue_adopters(self, &key);
        Ok(())
    }
}
