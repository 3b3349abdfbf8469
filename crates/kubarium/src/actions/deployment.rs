//! kubectl's client-side verbs on Deployments: `set image` and `rollout restart` (a patch of the
//! pod template), `rollout undo` (`DeploymentRollbacker` in
//! `staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollback.go`), and `rollout pause` and
//! `resume` (`defaultObjectPauser`, `defaultObjectResumer`).

use crate::api::{ReplicaSet, POD_TEMPLATE_HASH_LABEL};
use crate::controller::deployment::{equal_ignore_hash, revision, ANNOTATIONS_TO_SKIP};
use crate::sim::{ActionError, Simulation};
use crate::sort::StableSort;
use crate::store::ObjectKey;

fn not_found(name: &str) -> ActionError {
    ActionError(format!("deployments.apps \"{name}\" not found"))
}

impl Simulation {
    /// Changes a Deployment's pod template (its JSON, as a patch would) and stores it through
    /// the API server's update path.
    pub(super) fn change_deployment_template(
        &mut self,
        namespace: &str,
        name: &str,
        change: impl FnOnce(&mut serde_json::Value) -> Result<(), ActionError>,
    ) -> Result<(), ActionError> {
        let mut updated = self.deployment(namespace, name).ok_or_else(|| not_found(name))?.clone();
        change(&mut updated.template_json)?;
        updated.spec.template = serde_json::from_value(updated.template_json.clone())
            .map_err(|error| ActionError(format!("the changed template cannot be decoded: {error}")))?;
        self.apply_deployment(updated);
        Ok(())
    }

    /// `kubectl rollout restart deployment/NAME`: refused while paused, as
    /// `defaultObjectRestarter` refuses it.
    pub(super) fn restart_deployment(&mut self, namespace: &str, name: &str) -> Result<(), ActionError> {
        let deployment = self.deployment(namespace, name).ok_or_else(|| not_found(name))?;
        if deployment.spec.paused {
            return Err(ActionError(format!(
                "deployments.apps \"{name}\" can't restart paused deployment (run rollout resume first)"
            )));
        }
        let now = crate::time::format_rfc3339(
            self.start_unix_seconds()
                .saturating_add(i64::try_from(self.now() / crate::time::SECOND_MS).unwrap_or(i64::MAX)),
            0,
        );
        self.change_deployment_template(namespace, name, |template| super::stamp_restarted_at(template, now))
    }

    /// `kubectl rollout pause` (`pause`) or `resume`: `spec.paused`, refused when it already
    /// has that value.
    pub(super) fn pause_deployment(&mut self, namespace: &str, name: &str, pause: bool) -> Result<(), ActionError> {
        let deployment = self.deployment(namespace, name).ok_or_else(|| not_found(name))?;
        if deployment.spec.paused == pause {
            let state = if pause { "is already paused" } else { "is not paused" };
            return Err(ActionError(format!("error: deployments.apps \"{name}\" {state}")));
        }
        self.update_deployment(&ObjectKey::new(namespace, name), |deployment| {
            deployment.spec.paused = pause
        });
        Ok(())
    }

    /// `kubectl rollout undo deployment/NAME [--to-revision=N]` (`DeploymentRollbacker.Rollback`):
    /// the template of the ReplicaSet with that revision (by default the one before the
    /// newest), without its hash label, goes back into the Deployment, with that ReplicaSet's
    /// annotations. Refused while paused; nothing happens when the template already matches.
    pub(super) fn roll_back_deployment(
        &mut self,
        namespace: &str,
        name: &str,
        to_revision: i64,
    ) -> Result<(), ActionError> {
        let revision_not_found = || ActionError(format!("unable to find specified revision {to_revision} in history"));
        if to_revision < 0 {
            return Err(revision_not_found());
        }
        let deployment = self.deployment(namespace, name).ok_or_else(|| not_found(name))?;
        if deployment.spec.paused {
            return Err(ActionError(
                "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again"
                    .to_string(),
            ));
        }
        let uid = deployment.metadata.uid.clone();
        let owned: Vec<&ReplicaSet> = self
            .replica_sets()
            .filter(|rs| rs.metadata.namespace == namespace)
            .filter(|rs| rs.metadata.controller_of().is_some_and(|owner| owner.uid == uid))
            .collect();
        let chosen = if to_revision == 0 {
            // `deploymentRevision`: the second newest revision.
            let mut by_revision = owned.clone();
            by_revision.stable_sort_by_key(|rs| std::cmp::Reverse(revision(rs)));
            match by_revision.get(1) {
                Some(previous) => *previous,
                None => {
                    return Err(ActionError(format!(
                        "no rollout history found for deployment \"{name}\""
                    )))
                }
            }
        } else {
            owned
                .iter()
                .copied()
                .find(|rs| revision(rs) == to_revision)
                .ok_or_else(revision_not_found)?
        };
        if equal_ignore_hash(&chosen.template_json, &deployment.template_json) {
            // kubectl: "skipped rollback (current template already matches revision N)".
            return Ok(());
        }
        let mut template = chosen.template_json.clone();
        if let Some(labels) = template
            .pointer_mut("/metadata/labels")
            .and_then(serde_json::Value::as_object_mut)
        {
            labels.remove(POD_TEMPLATE_HASH_LABEL);
        }
        let mut annotations: crate::labels::Labels = deployment
            .metadata
            .annotations
            .iter()
            .filter(|(key, _)| ANNOTATIONS_TO_SKIP.contains(&key.as_str()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        for (key, value) in &chosen.metadata.annotations {
            if !ANNOTATIONS_TO_SKIP.contains(&key.as_str()) {
                annotations.insert(key.clone(), value.clone());
            }
        }
        let mut updated = deployment.clone();
        updated.metadata.annotations = annotations;
        updated.template_json = template;
        updated.spec.template = serde_json::from_value(updated.template_json.clone())
            .map_err(|error| ActionError(format!("the revision's template cannot be decoded: {error}")))?;
        self.apply_deployment(updated);
        Ok(())
    }
}
