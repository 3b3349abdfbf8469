//! The LimitRanger admission plugin (`plugin/pkg/admission/limitranger/admission.go`): a pod's
//! containers get the missing requests and limits from the namespace's LimitRanges
//! (`PodMutateLimitFunc`), then must fit their `min`, `max` and `maxLimitRequestRatio`
//! (`PodValidateLimitFunc`).

use std::collections::BTreeMap;

use crate::api::{Container, LimitRange, LimitRangeItem, Pod, ResourceList};
use crate::quantity::Quantity;

use super::format_quantity;

/// The annotation that says what the plugin set (`limitRangerAnnotation`).
pub const ANNOTATION: &str = "kubernetes.io/limit-ranger";

/// `PodMutateLimitFunc`: `defaultContainerResourceRequirements` (the `Container` items'
/// `defaultRequest` and `default`) merged into every container and init container that lacks
/// them (`mergePodResourceRequirements`), with the annotation naming what was set.
pub fn mutate_pod(limit_range: &LimitRange, pod: &mut Pod) {
    let mut default_requests = ResourceList::new();
    let mut default_limits = ResourceList::new();
    for item in limit_range
        .spec
        .limits
        .iter()
        .filter(|item| item.limit_type == "Container")
    {
        default_requests.extend(item.default_request.clone());
        default_limits.extend(item.default.clone());
    }
    if default_requests.is_empty() && default_limits.is_empty() {
        return;
    }
    let mut notes = Vec::new();
    let mut containers: Vec<Container> = pod.spec.containers.to_vec();
    for container in &mut containers {
        merge_container(container, &default_requests, &default_limits, "container", &mut notes);
    }
    for container in &mut pod.spec.init_containers {
        merge_container(
            container,
            &default_requests,
            &default_limits,
            "init container",
            &mut notes,
        );
    }
    if notes.is_empty() {
        return;
    }
    pod.spec.containers = containers.into();
    pod.metadata.annotations.insert(
        ANNOTATION.to_string(),
        format!("LimitRanger plugin set: {}", notes.join("; ")),
    );
}

/// `mergeContainerResources`: the defaults a container does not set, and the annotation's note
/// (`cpu, memory request for container web`), requests first.
fn merge_container(
    container: &mut Container,
    default_requests: &ResourceList,
    default_limits: &ResourceList,
    prefix: &str,
    notes: &mut Vec<String>,
) {
    let mut set_limits = Vec::new();
    for (name, amount) in default_limits {
        if !container.resources.limits.contains_key(name) {
            container.resources.limits.insert(name.clone(), *amount);
            set_limits.push(name.as_str());
        }
    }
    let mut set_requests = Vec::new();
    for (name, amount) in default_requests {
        if !container.resources.requests.contains_key(name) {
            container.resources.requests.insert(name.clone(), *amount);
            set_requests.push(name.as_str());
        }
    }
    if !set_requests.is_empty() {
        notes.push(format!(
            "{} request for {prefix} {}",
            set_requests.join(", "),
            container.name
        ));
    }
    if !set_limits.is_empty() {
        notes.push(format!(
            "{} limit for {prefix} {}",
            set_limits.join(", "),
            container.name
        ));
    }
}

/// `PodValidateLimitFunc`: every container (and init container) within the `Container` item's
/// bounds, the pod's totals within the `Pod` item's. Several failures are joined as an
/// aggregate error prints them (`[a, b]`); Go visits a resource list in map order, kubarium
/// in name order.
pub fn validate_pod(limit_range: &LimitRange, pod: &Pod) -> Result<(), String> {
    let mut errors = Vec::new();
    for item in &limit_range.spec.limits {
        match item.limit_type.as_str() {
            "Container" => {
                for container in pod.spec.containers.iter().chain(&pod.spec.init_containers) {
                    check_item(
                        item,
                        &container.resources.requests,
                        &container.resources.limits,
                        &mut errors,
                    );
                }
            }
            "Pod" => {
                let (requests, limits) = pod_totals(pod);
                check_item(item, &requests, &limits, &mut errors);
            }
            _ => {}
        }
    }
    aggregate(errors)
}

fn check_item(item: &LimitRangeItem, requests: &ResourceList, limits: &ResourceList, errors: &mut Vec<String>) {
    let kind = item.limit_type.as_str();
    for (name, enforced) in &item.min {
        errors.extend(min_constraint(kind, name, *enforced, requests, limits).err());
    }
    for (name, enforced) in &item.max {
        errors.extend(max_constraint(kind, name, *enforced, requests, limits).err());
    }
    for (name, enforced) in &item.max_limit_request_ratio {
        errors.extend(ratio_constraint(kind, name, *enforced, requests, limits).err());
    }
}

/// The pod's requests and limits as the `Pod` item compares them (`podRequests`,
/// `podLimits`): the containers' sum, or an init container's amount when larger.
fn pod_totals(pod: &Pod) -> (ResourceList, ResourceList) {
    let total = |pick: fn(&Container) -> &ResourceList| {
        let mut sum = ResourceList::new();
        for container in pod.spec.containers.iter() {
            for (name, amount) in pick(container) {
                let entry = sum.entry(name.clone()).or_insert(Quantity::ZERO);
                *entry = entry.saturating_add(*amount);
            }
        }
        for container in &pod.spec.init_containers {
            for (name, amount) in pick(container) {
                let entry = sum.entry(name.clone()).or_insert(Quantity::ZERO);
                *entry = (*entry).max(*amount);
            }
        }
        sum
    };
    (
        total(|container| &container.resources.requests),
        total(|container| &container.resources.limits),
    )
}

/// `minConstraint`.
pub fn min_constraint(
    kind: &str,
    name: &str,
    enforced: Quantity,
    requests: &ResourceList,
    limits: &ResourceList,
) -> Result<(), String> {
    let shown = format_quantity(name, enforced);
    let Some(request) = requests.get(name) else {
        return Err(format!(
            "minimum {name} usage per {kind} is {shown}.  No request is specified"
        ));
    };
    if request.milli_value() < enforced.milli_value() {
        return Err(format!(
            "minimum {name} usage per {kind} is {shown}, but request is {}",
            format_quantity(name, *request)
        ));
    }
    if let Some(limit) = limits
        .get(name)
        .filter(|limit| limit.milli_value() < enforced.milli_value())
    {
        return Err(format!(
            "minimum {name} usage per {kind} is {shown}, but limit is {}",
            format_quantity(name, *limit)
        ));
    }
    Ok(())
}

/// `maxConstraint`.
pub fn max_constraint(
    kind: &str,
    name: &str,
    enforced: Quantity,
    requests: &ResourceList,
    limits: &ResourceList,
) -> Result<(), String> {
    let shown = format_quantity(name, enforced);
    let Some(limit) = limits.get(name) else {
        return Err(format!(
            "maximum {name} usage per {kind} is {shown}.  No limit is specified"
        ));
    };
    if limit.milli_value() > enforced.milli_value() {
        return Err(format!(
            "maximum {name} usage per {kind} is {shown}, but limit is {}",
            format_quantity(name, *limit)
        ));
    }
    if let Some(request) = requests
        .get(name)
        .filter(|request| request.milli_value() > enforced.milli_value())
    {
        return Err(format!(
            "maximum {name} usage per {kind} is {shown}, but request is {}",
            format_quantity(name, *request)
        ));
    }
    Ok(())
}

/// `limitRequestRatioConstraint`: the ratio compared in thousandths, shown with `%f`.
pub fn ratio_constraint(
    kind: &str,
    name: &str,
    enforced: Quantity,
    requests: &ResourceList,
    limits: &ResourceList,
) -> Result<(), String> {
    let shown = format_quantity(name, enforced);
    let request = requests.get(name).map_or(0, Quantity::milli_value);
    if request == 0 {
        return Err(format!(
            "{name} max limit to request ratio per {kind} is {shown}, but no request is specified or request is 0"
        ));
    }
    let limit = limits.get(name).map_or(0, Quantity::milli_value);
    if limit == 0 {
        return Err(format!(
            "{name} max limit to request ratio per {kind} is {shown}, but no limit is specified or limit is 0"
        ));
    }
    let ratio = limit as f64 / request as f64;
    if ratio * 1000.0 > enforced.milli_value() as f64 {
        return Err(format!(
            "{name} max limit to request ratio per {kind} is {shown}, but provided ratio is {ratio:.6}"
        ));
    }
    Ok(())
}

/// `utilerrors.NewAggregate(errs).Error()`: one message as it is, several in brackets, each
/// once.
fn aggregate(errors: Vec<String>) -> Result<(), String> {
    let mut seen = BTreeMap::new();
    let unique: Vec<String> = errors
        .into_iter()
        .filter(|message| seen.insert(message.clone(), ()).is_none())
        .collect();
    match unique.as_slice() {
        [] => Ok(()),
        [only] => Err(only.clone()),
        many => Err(format!("[{}]", many.join(", "))),
    }
}
