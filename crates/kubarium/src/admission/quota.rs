//! The ResourceQuota admission plugin for pods: what a pod uses
//! (`pkg/quota/v1/evaluator/core/pods.go`) and whether the namespace's quotas can take it
//! (`CheckRequest` in `staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go`).

use std::collections::BTreeSet;

use crate::api::{Container, Pod, ResourceList, ResourceQuota};
use crate::quantity::Quantity;
use crate::time::{Millis, SECOND_MS};

use super::format_quantity;

/// `count/pods`: every pod in storage, finished or not.
pub const POD_COUNT: &str = "count/pods";

/// `podResources`: the quota resources the pod evaluator measures.
const POD_RESOURCES: &[&str] = &[
    POD_COUNT,
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
];

/// `validationSet`: if a quota tracks one of these, every container must set it.
const MUST_BE_SET: &[&str] = &[
    "cpu",
    "memory",
    "requests.cpu",
    "requests.memory",
    "limits.cpu",
    "limits.memory",
];

/// `QuotaV1Pod`: a pod is charged unless it has finished, or has been deleted and its grace
/// period has run out twice over (the deletion timestamp already includes it once).
pub fn pod_is_charged(pod: &Pod, now: Millis) -> bool {
    if pod.status.phase.is_terminal() {
        return false;
    }
    match (
        pod.metadata.deletion_timestamp_ms,
        pod.metadata.deletion_grace_period_seconds,
    ) {
        (Some(deletion), Some(grace)) => {
            now <= deletion.saturating_add((grace.max(0) as Millis).saturating_mul(SECOND_MS))
        }
        _ => true,
    }
}

/// `PodUsageFunc`: `count/pods` always; for a charged pod also `pods` and its compute
/// resources (`podComputeUsageHelper` over `PodRequests` and `PodLimits`).
pub fn pod_usage(pod: &Pod, now: Millis) -> ResourceList {
    let mut usage = ResourceList::from([(POD_COUNT.to_string(), Quantity::from_units(1))]);
    if !pod_is_charged(pod, now) {
        return usage;
    }
    usage.extend(compute_usage(
        &pod_total(pod, |container| &container.resources.requests),
        &pod_total(pod, |container| &container.resources.limits),
    ));
    usage
}

/// `podComputeUsageHelper`: `pods`, and each request as both `X` and `requests.X`, each limit
/// as `limits.X`, for cpu, memory and ephemeral storage.
fn compute_usage(requests: &ResourceList, limits: &ResourceList) -> ResourceList {
    let mut usage = ResourceList::from([("pods".to_string(), Quantity::from_units(1))]);
    for resource in ["cpu", "memory", "ephemeral-storage"] {
        if let Some(request) = requests.get(resource) {
            usage.insert(resource.to_string(), *request);
            usage.insert(format!("requests.{resource}"), *request);
        }
        if let Some(limit) = limits.get(resource) {
            usage.insert(format!("limits.{resource}"), *limit);
        }
    }
    usage
}

/// `resourcehelper.PodRequests` (and `PodLimits`) without overhead: the containers' sum, or
/// the largest init container's amount when larger.
fn pod_total(pod: &Pod, pick: fn(&Container) -> &ResourceList) -> ResourceList {
    let mut total = ResourceList::new();
    for container in pod.spec.containers.iter() {
        for (name, amount) in pick(container) {
            let entry = total.entry(name.clone()).or_insert(Quantity::ZERO);
            *entry = entry.saturating_add(*amount);
        }
    }
    for container in &pod.spec.init_containers {
        for (name, amount) in pick(container) {
            let entry = total.entry(name.clone()).or_insert(Quantity::ZERO);
            *entry = (*entry).max(*amount);
        }
    }
    total
}

/// `MatchingResources`: which of a quota's resources the pod evaluator measures.
pub fn matching_resources<'a>(names: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
    names
        .into_iter()
        .map(String::as_str)
        .filter(|name| {
            POD_RESOURCES.contains(name) || name.starts_with("hugepages-") || name.starts_with("requests.hugepages-")
        })
        .collect()
}

/// `podEvaluator.Constraints`: a quota on cpu or memory needs every container to set it
/// (`must specify limits.cpu for: web; requests.memory for: sidecar,web`).
pub fn constraints(required: &[&str], pod: &Pod) -> Result<(), String> {
    let required: BTreeSet<&str> = required
        .iter()
        .copied()
        .filter(|name| MUST_BE_SET.contains(name))
        .collect();
    let mut missing: std::collections::BTreeMap<&str, BTreeSet<&str>> = Default::default();
    for container in pod.spec.containers.iter().chain(&pod.spec.init_containers) {
        let usage = compute_usage(&container.resources.requests, &container.resources.limits);
        for resource in &required {
            if !usage.contains_key(*resource) {
                missing.entry(resource).or_default().insert(&container.name);
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let parts: Vec<String> = missing
        .iter()
        .map(|(resource, containers)| {
            format!(
                "{resource} for: {}",
                containers.iter().copied().collect::<Vec<_>>().join(",")
            )
        })
        .collect();
    Err(format!("must specify {}", parts.join("; ")))
}

/// `prettyPrint`: `limits.cpu=1,pods=2`, by name.
fn pretty_print(list: &ResourceList) -> String {
    list.iter()
        .map(|(name, amount)| format!("{name}={}", format_quantity(name, *amount)))
        .collect::<Vec<_>>()
        .join(",")
}

fn mask(list: &ResourceList, names: &[&str]) -> ResourceList {
    list.iter()
        .filter(|(name, _)| names.contains(&name.as_str()))
        .map(|(name, amount)| (name.clone(), *amount))
        .collect()
}

/// `CheckRequest` for a pod being created: every quota of the namespace that measures a pod
/// resource must know its usage, have the constraints met and room for the pod. On success
/// the quotas' `status.used` include the pod (the plugin writes them back); on failure none
/// changes.
pub fn check_pod(quotas: &mut [ResourceQuota], pod: &Pod, now: Millis) -> Result<(), String> {
    let usage: ResourceList = pod_usage(pod, now)
        .into_iter()
        .filter(|(_, amount)| !amount.is_zero())
        .collect();
    let mut new_used = Vec::new();
    for (index, quota) in quotas.iter().enumerate() {
        let restricted = matching_resources(quota.status.hard.keys());
        // `Matches`: the quota measures at least one pod resource (no scopes played).
        if restricted.is_empty() {
            continue;
        }
        let name = &quota.metadata.name;
        constraints(&restricted, pod).map_err(|error| format!("failed quota: {name}: {error}"))?;
        // `hasUsageStats`.
        let unknown = restricted
            .iter()
            .any(|resource| !quota.status.used.contains_key(*resource));
        if unknown {
            return Err(format!(
                "status unknown for quota: {name}, resources: {}",
                restricted.join(",")
            ));
        }
        let requested = mask(
            &usage,
            &quota.status.hard.keys().map(String::as_str).collect::<Vec<_>>(),
        );
        if requested.is_empty() {
            continue;
        }
        let mut used = quota.status.used.clone();
        for (resource, amount) in &requested {
            let entry = used.entry(resource.clone()).or_insert(Quantity::ZERO);
            *entry = entry.saturating_add(*amount);
        }
        // `LessThanOrEqual` over the requested resources.
        let exceeded: Vec<&str> = requested
            .keys()
            .filter(|resource| used.get(*resource) > quota.status.hard.get(*resource))
            .map(String::as_str)
            .collect();
        if !exceeded.is_empty() {
            return Err(format!(
                "exceeded quota: {name}, requested: {}, used: {}, limited: {}",
                pretty_print(&mask(&requested, &exceeded)),
                pretty_print(&mask(&quota.status.used, &exceeded)),
                pretty_print(&mask(&quota.status.hard, &exceeded)),
            ));
        }
        new_used.push((index, used));
    }
    for (index, used) in new_used {
        quotas[index].status.used = used;
    }
    Ok(())
}
