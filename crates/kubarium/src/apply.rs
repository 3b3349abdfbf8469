//! `kubectl apply`'s client-side three-way merge, for the spec of an object that exists: the
//! manifest applied last time (the `kubectl.kubernetes.io/last-applied-configuration`
//! annotation), the live object, and the new manifest. A field the new manifest sets takes its
//! value; a field it no longer sets is removed if the last manifest set it, and otherwise kept
//! as the live object has it (set by `kubectl scale`, an autoscaler, a controller or the API
//! server's defaults). After `CreateThreeWayMergePatch` in
//! `staging/src/k8s.io/apimachinery/pkg/util/strategicpatch/patch.go` (`diffMaps` of live and
//! new ignoring deletions, plus the deletions of last against new) and
//! `staging/src/k8s.io/kubectl/pkg/cmd/apply/patcher.go` (`Patcher.patchSimple`). Lists are
//! replaced whole, as a JSON merge patch does; a strategic merge would merge some lists by key
//! (containers by name), which docs/differences.md notes.

use serde_json::{Map, Value as Json};

use crate::sim::Simulation;

/// The annotation kubectl keeps the applied manifest in.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// What the merge needs of a live object.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveObject {
    /// The spec as it is now, as JSON (a workload's pod template whole, as applied).
    pub spec: Json,
    /// The manifest applied last, if it was applied (objects made by `create`, by a controller
    /// or by kubarium's own commands have none: then nothing is removed).
    pub last_applied: Option<Json>,
}

/// The kinds whose spec is merged. Others (Pods, whose spec is nearly all immutable; Jobs,
/// whose selector and template labels the API server generates; HPAs, stored in another
/// version than the one applied) are replaced by the manifest as before.
pub fn merges(api_version: &str, kind: &str) -> bool {
    matches!(
        (api_version, kind),
        ("apps/v1", "Deployment" | "DaemonSet" | "ReplicaSet")
            | ("v1", "ReplicationController" | "Service")
            | ("batch/v1", "CronJob")
    )
}

/// The three-way merge of one value: `last` the last applied manifest's (if any), `live` the
/// object's, `new` the new manifest's.
pub fn three_way(last: Option<&Json>, live: &Json, new: &Json) -> Json {
    let (Json::Object(live_fields), Json::Object(new_fields)) = (live, new) else {
        return new.clone();
    };
    let last_field = |key: &str| last.and_then(|last| last.get(key));
    let mut merged = Map::new();
    for (key, live_value) in live_fields {
        match new_fields.get(key) {
            Some(new_value) => {
                merged.insert(key.clone(), three_way(last_field(key), live_value, new_value));
            }
            // Set by the last manifest and gone from this one: the user removed it.
            None if last_field(key).is_some() => {}
            // Never set by a manifest: someone else's, kept.
            None => {
                merged.insert(key.clone(), live_value.clone());
            }
        }
    }
    for (key, new_value) in new_fields {
        if !live_fields.contains_key(key) {
            merged.insert(key.clone(), new_value.clone());
        }
    }
    Json::Object(merged)
}

/// Merges `object` (a manifest as applied, before defaults) with the live object it updates,
/// and records the manifest in the last-applied annotation, as `kubectl apply` does. `input`
/// is the manifest as written.
pub fn client_side_apply(input: &Json, object: &mut Json, live: Option<LiveObject>) {
    if let Some(live) = live {
        let last_spec = live.last_applied.as_ref().and_then(|last| last.get("spec"));
        let new_spec = input.get("spec").cloned().unwrap_or_else(|| Json::Object(Map::new()));
        object["spec"] = three_way(last_spec, &live.spec, &new_spec);
    }
    // kubectl records the manifest without the annotation itself.
    let mut recorded = input.clone();
    if let Some(annotations) = recorded
        .get_mut("metadata")
        .and_then(|metadata| metadata.get_mut("annotations"))
        .and_then(Json::as_object_mut)
    {
        annotations.remove(LAST_APPLIED);
    }
    if !object["metadata"].is_object() {
        object["metadata"] = Json::Object(Map::new());
    }
    if !object["metadata"]["annotations"].is_object() {
        object["metadata"]["annotations"] = Json::Object(Map::new());
    }
    object["metadata"]["annotations"][LAST_APPLIED] = Json::String(recorded.to_string());
}

impl Simulation {
    /// The live object a manifest of this kind updates, for the merge (None if it does not
    /// exist or its kind is not merged).
    pub fn live_for_apply(&self, kind: &str, namespace: &str, name: &str) -> Option<LiveObject> {
        let (spec, annotations) = match kind {
            "Deployment" => {
                let deployment = self.deployment(namespace, name)?;
                let mut spec = manifest_json(&deployment.spec);
                spec["template"] = deployment.template_json.clone();
                (spec, &deployment.metadata.annotations)
            }
            "DaemonSet" => {
                let daemon_set = self.daemon_set(namespace, name)?;
                let mut spec = manifest_json(&daemon_set.spec);
                spec["template"] = daemon_set.template_json.clone();
                (spec, &daemon_set.metadata.annotations)
            }
            "ReplicaSet" => {
                let replica_set = self.replica_set(namespace, name)?;
                let mut spec = manifest_json(&replica_set.spec);
                spec["template"] = replica_set.template_json.clone();
                (spec, &replica_set.metadata.annotations)
            }
            "ReplicationController" => {
                let controller = self.replication_controller(namespace, name)?;
                (manifest_json(&controller.spec), &controller.metadata.annotations)
            }
            "Service" => {
                let service = self.service(namespace, name)?;
                (manifest_json(&service.spec), &service.metadata.annotations)
            }
            "CronJob" => {
                let cron_job = self.cron_job(namespace, name)?;
                (manifest_json(&cron_job.spec), &cron_job.metadata.annotations)
            }
            _ => return None,
        };
        Some(LiveObject {
            spec,
            last_applied: annotations
                .get(LAST_APPLIED)
                .and_then(|text| serde_json::from_str(text).ok()),
        })
    }
}

/// A typed object's part (a spec) as JSON, as a user would write it: the typed fields only,
/// no nulls (an unset optional field is absent, as in a manifest), and nested `metadata`
/// (templates) with only what a manifest may set. The apply merge and `patch` build on it.
pub(crate) fn manifest_json<T: serde::Serialize>(value: &T) -> Json {
    fn clean(value: &mut Json) {
        match value {
            Json::Object(fields) => {
                fields.retain(|_, child| !child.is_null());
                for (key, child) in fields.iter_mut() {
                    if let (true, Json::Object(metadata)) = (key == "metadata", &mut *child) {
                        metadata.retain(|field, _| {
                            matches!(
                                field.as_str(),
                                "name" | "generateName" | "namespace" | "labels" | "annotations"
                            )
                        });
                    }
                    clean(child);
                }
            }
            Json::Array(items) => items.iter_mut().for_each(clean),
            _ => {}
        }
    }
    let mut json = serde_json::to_value(value).unwrap_or_default();
    clean(&mut json);
    json
}

#[cfg(test)]
mod tests;
