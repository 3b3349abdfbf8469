//! The ResourceQuota admission plugin: what an object uses (the evaluators of
//! `pkg/quota/v1/evaluator/core`: `pods.go`, `services.go`, and `generic.ObjectCountEvaluator`
//! for every other resource) and whether the namespace's quotas can take it (`CheckRequest` in
//! `staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go`).

use std::collections::BTreeSet;

use crate::api::{Container, Pod, ResourceList, ResourceQuota, ScopedResourceSelectorRequirement, Service};
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
    Evaluator::Pod.matching_resources(names)
}

/// The evaluator that measures a resource (`NewEvaluators` in
/// `pkg/quota/v1/evaluator/core/registry.go`; the admission plugin's `Evaluate` makes a
/// `generic.NewObjectCountEvaluator` for any other resource on first use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evaluator {
    Pod,
    Service,
    /// `count/RESOURCE.GROUP` (`count/RESOURCE` in the core group), and the legacy name of
    /// `legacyObjectCountAliases` for ResourceQuotas, ReplicationControllers, ConfigMaps and
    /// Secrets. Handles creates only.
    ObjectCount {
        count: &'static str,
        alias: Option<&'static str>,
    },
}

/// `serviceResources`.
const SERVICE_RESOURCES: &[&str] = &[
    "count/services",
    "services",
    "services.nodeports",
    "services.loadbalancers",
];

impl Evaluator {
    /// The evaluator of a kind kubarium plays, and the resource as `admission.NewForbidden`
    /// names it (`GroupResource.String()`: `pods`, `deployments.apps`). None for
    /// cluster-scoped kinds, which no quota governs.
    pub fn of_kind(kind: &str) -> Option<(Evaluator, &'static str)> {
        let count = |count, alias| Evaluator::ObjectCount { count, alias };
        Some(match kind {
            "Pod" => (Evaluator::Pod, "pods"),
            "Service" => (Evaluator::Service, "services"),
            "ResourceQuota" => (count("count/resourcequotas", Some("resourcequotas")), "resourcequotas"),
            "ReplicationController" => (
                count("count/replicationcontrollers", Some("replicationcontrollers")),
                "replicationcontrollers",
            ),
            "LimitRange" => (count("count/limitranges", None), "limitranges"),
            "Deployment" => (count("count/deployments.apps", None), "deployments.apps"),
            "ReplicaSet" => (count("count/replicasets.apps", None), "replicasets.apps"),
            "DaemonSet" => (count("count/daemonsets.apps", None), "daemonsets.apps"),
            "Job" => (count("count/jobs.batch", None), "jobs.batch"),
            "CronJob" => (count("count/cronjobs.batch", None), "cronjobs.batch"),
            "HorizontalPodAutoscaler" => (
                count("count/horizontalpodautoscalers.autoscaling", None),
                "horizontalpodautoscalers.autoscaling",
            ),
            _ => return None,
        })
    }

    /// `MatchingResources`: the quota resources among `names` this evaluator measures.
    pub fn matching_resources<'a>(self, names: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
        names
            .into_iter()
            .map(String::as_str)
            .filter(|name| match self {
                Evaluator::Pod => {
                    POD_RESOURCES.contains(name)
                        || name.starts_with("hugepages-")
                        || name.starts_with("requests.hugepages-")
                }
                Evaluator::Service => SERVICE_RESOURCES.contains(name),
                Evaluator::ObjectCount { count, alias } => *name == count || Some(*name) == alias,
            })
            .collect()
    }

    /// `ObjectCountEvaluator.Usage`: one of the object, under both names.
    pub fn object_count_usage(self) -> ResourceList {
        let mut usage = ResourceList::new();
        if let Evaluator::ObjectCount { count, alias } = self {
            usage.insert(count.to_string(), Quantity::from_units(1));
            if let Some(alias) = alias {
                usage.insert(alias.to_string(), Quantity::from_units(1));
            }
        }
        usage
    }
}

/// `serviceEvaluator.Usage`: one service; a NodePort or LoadBalancer Service uses a node port
/// per port (a LoadBalancer with `allocateLoadBalancerNodePorts: false` only those it names);
/// a LoadBalancer uses a load balancer.
pub fn service_usage(service: &Service) -> ResourceList {
    let one = Quantity::from_units(1);
    let mut usage = ResourceList::from([
        ("count/services".to_string(), one),
        ("services".to_string(), one),
        ("services.loadbalancers".to_string(), Quantity::ZERO),
        ("services.nodeports".to_string(), Quantity::ZERO),
    ]);
    let ports = service.spec.ports.len() as i64;
    match service.spec.service_type.as_str() {
        "NodePort" => {
            usage.insert("services.nodeports".to_string(), Quantity::from_units(ports));
        }
        "LoadBalancer" => {
            let node_ports = if service.spec.allocate_load_balancer_node_ports == Some(false) {
                service.spec.ports.iter().filter(|port| port.node_port != 0).count() as i64
            } else {
                ports
            };
            usage.insert("services.nodeports".to_string(), Quantity::from_units(node_ports));
            usage.insert("services.loadbalancers".to_string(), one);
        }
        _ => {}
    }
    usage
}

/// `quota.SubtractWithNonNegativeResult`: an update is charged what it adds.
pub fn subtract_non_negative(new: &ResourceList, old: &ResourceList) -> ResourceList {
    new.iter()
        .map(|(name, amount)| {
            let before = old.get(name).copied().unwrap_or(Quantity::ZERO);
            let delta = amount.saturating_sub(before);
            (
                name.clone(),
                if delta < Quantity::ZERO { Quantity::ZERO } else { delta },
            )
        })
        .collect()
}

/// One create (or Service update) as `CheckRequest` sees it: the evaluator, what the object
/// uses (the delta for an update), and the pod itself for the pod evaluator's constraints.
#[derive(Debug, Clone)]
pub struct QuotaRequest<'a> {
    pub evaluator: Evaluator,
    pub usage: ResourceList,
    pub pod: Option<&'a Pod>,
}

impl<'a> QuotaRequest<'a> {
    pub fn pod(pod: &'a Pod, now: Millis) -> Self {
        QuotaRequest {
            evaluator: Evaluator::Pod,
            usage: pod_usage(pod, now),
            pod: Some(pod),
        }
    }

    /// A create measured by an object count evaluator.
    pub fn count(evaluator: Evaluator) -> Self {
        QuotaRequest {
            evaluator,
            usage: evaluator.object_count_usage(),
            pod: None,
        }
    }
}

/// `isBestEffort`: `qos.GetPodQOS` is `BestEffort` when no container (init containers too)
/// sets a positive cpu or memory request or limit.
pub fn is_best_effort(pod: &Pod) -> bool {
    pod.spec
        .containers
        .iter()
        .chain(&pod.spec.init_containers)
        .all(|container| {
            ["cpu", "memory"].iter().all(|resource| {
                let positive = |list: &ResourceList| list.get(*resource).is_some_and(|amount| *amount > Quantity::ZERO);
                !positive(&container.resources.requests) && !positive(&container.resources.limits)
            })
        })
}

/// `isTerminating`: the pod has an `activeDeadlineSeconds` (zero or more).
pub fn is_terminating(pod: &Pod) -> bool {
    pod.spec.active_deadline_seconds.is_some_and(|seconds| seconds >= 0)
}

/// `podMatchesScopeFunc` for the scopes kubarium plays (the operator of these is always
/// `Exists`, which validation ensures); any other scope matches no pod.
pub fn pod_matches_scope(requirement: &ScopedResourceSelectorRequirement, pod: &Pod) -> bool {
    match requirement.scope_name.as_str() {
        "Terminating" => is_terminating(pod),
        "NotTerminating" => !is_terminating(pod),
        "BestEffort" => is_best_effort(pod),
        "NotBestEffort" => !is_best_effort(pod),
        _ => false,
    }
}

/// The scope half of `generic.Matches`: a quota without scopes matches everything; a scoped
/// quota matches a pod in every scope (`podMatchesScopeFunc`) and nothing else
/// (`MatchesNoScopeFunc` of the other evaluators).
pub fn quota_matches_scopes(quota: &ResourceQuota, pod: Option<&Pod>) -> bool {
    let requirements = quota.scope_requirements();
    if requirements.is_empty() {
        return true;
    }
    pod.is_some_and(|pod| {
        requirements
            .iter()
            .all(|requirement| pod_matches_scope(requirement, pod))
    })
}

/// The scopes kubarium does not play: `PriorityClass` (pods have no priority here) and
/// `CrossNamespacePodAffinity`. A quota using them is refused at apply, saying so.
pub fn check_scopes_simulated(quota: &ResourceQuota) -> Result<(), String> {
    for requirement in quota.scope_requirements() {
        if matches!(
            requirement.scope_name.as_str(),
            "PriorityClass" | "CrossNamespacePodAffinity"
        ) {
            return Err(format!(
                "ResourceQuota \"{}\": the {} scope is valid, but kubarium does not simulate it (only Terminating, NotTerminating, BestEffort and NotBestEffort)",
                quota.metadata.name, requirement.scope_name
            ));
        }
    }
    Ok(())
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

/// `CheckRequest` for a pod being created.
pub fn check_pod(quotas: &mut [ResourceQuota], pod: &Pod, now: Millis) -> Result<(), String> {
    check_request(quotas, &QuotaRequest::pod(pod, now))
}

/// `CheckRequest`: every quota of the namespace that measures one of the request's resources
/// must know its usage, have the constraints met and room for the request. On success the
/// quotas' `status.used` include it (the plugin writes them back); on failure none changes.
pub fn check_request(quotas: &mut [ResourceQuota], request: &QuotaRequest) -> Result<(), String> {
    let usage: ResourceList = request
        .usage
        .iter()
        .filter(|(_, amount)| !amount.is_zero())
        .map(|(name, amount)| (name.clone(), *amount))
        .collect();
    // First every matching quota's constraints and usage stats, then the usage of each: a
    // request refused by two quotas is refused for a constraint before any usage.
    let mut interesting = Vec::new();
    for (index, quota) in quotas.iter().enumerate() {
        let restricted = request.evaluator.matching_resources(quota.status.hard.keys());
        // `Matches`: the quota measures at least one of the evaluator's resources, and the
        // object is in each of its scopes.
        if restricted.is_empty() || !quota_matches_scopes(quota, request.pod) {
            continue;
        }
        let name = &quota.metadata.name;
        if let Some(pod) = request.pod {
            constraints(&restricted, pod).map_err(|error| format!("failed quota: {name}: {error}"))?;
        }
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
        interesting.push(index);
    }
    let mut new_used = Vec::new();
    for index in interesting {
        let quota = &quotas[index];
        let name = &quota.metadata.name;
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
