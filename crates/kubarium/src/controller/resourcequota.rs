//! The resource quota controller (`pkg/controller/resourcequota/resource_quota_controller.go`):
//! a quota's `status.hard` from its spec and `status.used` counted from what the namespace
//! holds, recounted when a pod stops being charged (the replenishment of
//! `resource_quota_monitor.go`). ResourceQuota and LimitRange objects are stored here too.

use crate::admission::quota::{matching_resources, pod_usage, quota_matches_scopes, service_usage, Evaluator};
use crate::api::{LimitRange, Pod, ResourceList, ResourceQuota, ResourceQuotaStatus};
use crate::quantity::Quantity;
use crate::sim::{ObjectKey, Simulation, Work, DEFAULT_NAMESPACE};

/// `syncResourceQuota`: `hard` copied from the spec; `used` for each hard resource, counted
/// from the namespace's objects (`CalculateUsage`), zero where nothing counts. `extra_usage`
/// is what objects about to be created use (an apply checked ahead).
/// A scoped quota counts only the pods in its scopes, and no other object
/// (`CalculateUsageStats` with the evaluator's scope function).
pub fn calculate_status<'a>(
    simulation: &Simulation,
    namespace: &str,
    quota: &ResourceQuota,
    extra_usage: impl Iterator<Item = (&'a ResourceList, Option<&'a Pod>)>,
) -> ResourceQuotaStatus {
    let hard = &quota.spec.hard;
    let now = simulation.now();
    let scoped = !quota.scope_requirements().is_empty();
    let mut used: ResourceList = hard.keys().map(|name| (name.clone(), Quantity::ZERO)).collect();
    let charge = |used: &mut ResourceList, usage: &ResourceList| {
        for (name, amount) in usage {
            if let Some(entry) = used.get_mut(name) {
                *entry = entry.saturating_add(*amount);
            }
        }
    };
    if !matching_resources(hard.keys()).is_empty() {
        for pod in simulation.store.pods_in_namespace(namespace) {
            if quota_matches_scopes(quota, Some(pod)) {
                charge(&mut used, &pod_usage(pod, now));
            }
        }
    }
    if !scoped {
        if !Evaluator::Service.matching_resources(hard.keys()).is_empty() {
            for service in services_in(simulation, namespace) {
                charge(&mut used, &service_usage(service));
            }
        }
        for (name, amount) in used.iter_mut() {
            if let Some(count) = object_count(simulation, namespace, name) {
                *amount = Quantity::from_units(count);
            }
        }
    }
    for (usage, pod) in extra_usage {
        if quota_matches_scopes(quota, pod) {
            charge(&mut used, usage);
        }
    }
    ResourceQuotaStatus {
        hard: hard.clone(),
        used,
    }
}

fn services_in<'a>(simulation: &'a Simulation, namespace: &'a str) -> impl Iterator<Item = &'a crate::api::Service> {
    simulation
        .store
        .services
        .by_key
        .range(ObjectKey::new(namespace, "")..)
        .take_while(move |(key, _)| key.namespace == namespace)
        .map(|(_, service)| service)
}

/// The object count evaluators (`generic.NewObjectCountEvaluator` for `count/RESOURCE.GROUP`
/// and the legacy names `replicationcontrollers` and `resourcequotas`), for the kinds
/// kubarium plays. Services are counted by their own evaluator (`service_usage`).
fn object_count(simulation: &Simulation, namespace: &str, name: &str) -> Option<i64> {
    let store = &simulation.store;
    fn count<T>(map: &std::collections::BTreeMap<ObjectKey, T>, namespace: &str) -> i64 {
        map.range(ObjectKey::new(namespace, "")..)
            .take_while(|(key, _)| key.namespace == namespace)
            .count() as i64
    }
    Some(match name {
        "count/deployments.apps" => count(&store.deployments, namespace),
        "count/replicasets.apps" => count(&store.replica_sets, namespace),
        "count/daemonsets.apps" => count(&store.daemon_sets, namespace),
        "count/controllerrevisions.apps" => count(&store.controller_revisions, namespace),
        "count/jobs.batch" => count(&store.jobs, namespace),
        "count/cronjobs.batch" => count(&store.cron_jobs, namespace),
        "count/horizontalpodautoscalers.autoscaling" => count(&store.horizontal_pod_autoscalers, namespace),
        "replicationcontrollers" | "count/replicationcontrollers" => count(&store.replication_controllers, namespace),
        "resourcequotas" | "count/resourcequotas" => count(&store.resource_quotas, namespace),
        "count/limitranges" => count(&store.limit_ranges, namespace),
        _ => return None,
    })
}

/// The quota controller's sync of one quota: the status recounted and stored when it changed.
pub fn sync(simulation: &mut Simulation, key: &ObjectKey) -> Option<crate::time::Millis> {
    let quota = simulation.store.resource_quotas.get(key)?;
    let status = calculate_status(simulation, &key.namespace, quota, std::iter::empty());
    if quota.status != status {
        let resource_version = simulation.bump_resource_version();
        if let Some(quota) = simulation.store.resource_quotas.get_mut(key) {
            quota.status = status;
            quota.metadata.resource_version = resource_version;
        }
    }
    None
}

/// Creates or replaces a ResourceQuota. Its status is counted at once: the controller's
/// `addQuota` handler syncs a new quota, or one whose spec changed, first thing (a real cluster
/// takes a moment, during which pods are refused with `status unknown for quota`).
pub(crate) fn apply_quota(simulation: &mut Simulation, mut quota: ResourceQuota) {
    if quota.metadata.namespace.is_empty() {
        quota.metadata.namespace = crate::api::Word::from_static(DEFAULT_NAMESPACE);
    }
    let key = ObjectKey::of(&quota.metadata);
    if let Some(existing) = simulation.store.resource_quotas.get(&key).cloned() {
        quota.metadata.uid = existing.metadata.uid;
        quota.metadata.creation_timestamp_ms = existing.metadata.creation_timestamp_ms;
        quota.metadata.generation = existing.metadata.generation;
        quota.metadata.resource_version = simulation.bump_resource_version();
        quota.status = existing.status;
    } else {
        simulation.admit_metadata(&mut quota.metadata);
        quota.status = Default::default();
    }
    simulation.store.resource_quotas.insert(key.clone(), quota);
    sync(simulation, &key);
}

/// Creates or replaces a LimitRange; it applies to pods created from then on.
pub(crate) fn apply_limit_range(simulation: &mut Simulation, mut limit_range: LimitRange) {
    if limit_range.metadata.namespace.is_empty() {
        limit_range.metadata.namespace = crate::api::Word::from_static(DEFAULT_NAMESPACE);
    }
    let key = ObjectKey::of(&limit_range.metadata);
    if let Some(existing) = simulation.store.limit_ranges.get(&key).cloned() {
        limit_range.metadata.uid = existing.metadata.uid;
        limit_range.metadata.creation_timestamp_ms = existing.metadata.creation_timestamp_ms;
        limit_range.metadata.resource_version = simulation.bump_resource_version();
    } else {
        simulation.admit_metadata(&mut limit_range.metadata);
    }
    simulation.store.limit_ranges.insert(key, limit_range);
}

/// The replenishment handler: a pod of the namespace stopped being charged (finished or
/// gone), so each of its quotas is synced again.
pub(crate) fn replenish(simulation: &mut Simulation, namespace: &str) {
    // No quota anywhere (most runs): nothing to look up.
    if simulation.store.resource_quotas.is_empty() {
        return;
    }
    let keys: Vec<ObjectKey> = simulation
        .store
        .resource_quotas
        .range(ObjectKey::new(namespace, "")..)
        .take_while(|(key, _)| key.namespace == namespace)
        .map(|(key, _)| key.clone())
        .collect();
    for key in keys {
        simulation.enqueue_now(Work::SyncResourceQuota(key));
    }
}

/// The monitor's pod update handler: a pod that has just finished no longer counts.
pub(crate) fn on_pod_changed(simulation: &mut Simulation, key: &ObjectKey) {
    let finished = simulation
        .store
        .pod(key)
        .is_some_and(|pod| pod.status.phase.is_terminal());
    if finished {
        replenish(simulation, &key.namespace);
    }
}
