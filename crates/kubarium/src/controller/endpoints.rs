//! The Endpoints controller (`pkg/controller/endpoint/endpoints_controller.go`), and what it
//! shares with the EndpointSlice controller (`k8s.io/endpointslice/util`): which Services a
//! pod change concerns, which pods belong in endpoints, and `FindPort`.
//!
//! `sync` follows `syncService`: a deleted Service's Endpoints go; an `ExternalName` Service or
//! one without a selector gets none; otherwise the pods of the namespace that match the
//! selector, have an IP and are not finished (nor being deleted, unless
//! `publishNotReadyAddresses`), become addresses, ready or not ready by their `Ready`
//! condition, for each port their `targetPort` resolves to; the subsets are repacked into the
//! canonical layout (`endpoints.RepackSubsets`) and written only when they changed.

use crate::sort::StableSort;
use std::collections::{BTreeMap, BTreeSet};

use crate::api::{
    EndpointAddress, EndpointPort, EndpointSubset, Endpoints, IntOrString, ObjectReference, Pod, Service, ServicePort,
    Uid, LABEL_HEADLESS,
};
use crate::labels::Labels;
use crate::sim::{ObjectKey, Simulation, Work};
use crate::time::Millis;

/// `maxCapacity`: the most addresses an Endpoints object holds; beyond it the controller
/// truncates and sets the `endpoints.kubernetes.io/over-capacity` annotation.
pub const MAX_CAPACITY: usize = 1000;
pub const OVER_CAPACITY_ANNOTATION: &str = "endpoints.kubernetes.io/over-capacity";

/// `labels.Set(selector).AsSelectorPreValidated().Matches`: every key and value present. A
/// Service without a selector selects nothing (`getServicesForPod` skips it).
pub fn selector_matches(service: &Service, labels: &Labels) -> bool {
    service
        .spec
        .selector
        .as_ref()
        .is_some_and(|selector| selector.iter().all(|(key, value)| labels.get(key) == Some(value)))
}

/// The informer handlers of both endpoint controllers for a pod that was added, changed or
/// deleted (`addPod`, `updatePod`, `deletePod` through `GetPodServiceMemberships`): every
/// Service of the pod's namespace whose selector matches its labels looks again. Pod labels
/// never change in the simulation, so old and new labels are the same set.
pub(crate) fn on_pod_changed(simulation: &mut Simulation, namespace: &str, labels: &Labels) {
    let keys = services_selecting(simulation, crate::word::Word::new(namespace), labels);
    enqueue_services(simulation, keys);
}

/// `on_pod_changed` for a pod still in the store (added or updated).
pub(crate) fn on_stored_pod_changed(simulation: &mut Simulation, key: &ObjectKey) {
    // Most namespaces have no Service with a selector (`default` has only `kubernetes`): then
    // the pod is not even looked up.
    if !simulation.store.services.any_selecting(key.namespace) {
        return;
    }
    let Some(pod) = simulation.store.pod(key) else {
        return;
    };
    let keys = services_selecting(simulation, key.namespace, &pod.metadata.labels);
    enqueue_services(simulation, keys);
}

/// The keys of the Services of a namespace whose selector matches `labels`; no work at all for
/// a namespace without Services.
fn services_selecting(simulation: &Simulation, namespace: crate::word::Word, labels: &Labels) -> Vec<ObjectKey> {
    simulation
        .store
        .services
        .in_namespace_word(namespace)
        .filter(|service| selector_matches(service, labels))
        .map(|service| ObjectKey::new(&namespace, &service.metadata.name))
        .collect()
}

fn enqueue_services(simulation: &mut Simulation, keys: Vec<ObjectKey>) {
    for key in keys {
        simulation.enqueue_now(Work::SyncEndpoints(key.clone()));
        simulation.enqueue_now(Work::SyncEndpointSlices(key));
    }
}

/// `ShouldPodBeInEndpoints`: not finished, with an IP, and not being deleted unless
/// terminating pods are wanted.
pub fn should_pod_be_in_endpoints(pod: &Pod, include_terminating: bool) -> bool {
    !pod.status.phase.is_terminal()
        && !pod.status.pod_ip.is_empty()
        && (include_terminating || !pod.metadata.is_terminating())
}

/// `ShouldSetHostname`: the pod names the Service as its subdomain.
pub fn should_set_hostname(pod: &Pod, service: &Service) -> bool {
    !pod.spec.hostname.is_empty()
        && pod.spec.subdomain == service.metadata.name
        && pod.metadata.namespace == service.metadata.namespace
}

/// `FindPort`: a numeric `targetPort` as is; a named one is looked up among the containers'
/// ports with the Service port's protocol, then among sidecars (init containers that always
/// restart). `None` when the pod has no such port.
pub fn find_port(pod: &Pod, service_port: &ServicePort) -> Option<i32> {
    match &service_port.target_port {
        None => Some(service_port.port),
        Some(IntOrString::Int(number)) => i32::try_from(*number).ok(),
        Some(IntOrString::String(name)) => {
            let sidecars = pod
                .spec
                .init_containers
                .iter()
                .filter(|container| container.restart_policy.as_deref() == Some("Always"));
            pod.spec
                .containers
                .iter()
                .chain(sidecars)
                .flat_map(|container| &container.ports)
                .find(|port| port.name.as_deref() == Some(name.as_str()) && port.protocol == service_port.protocol)
                .map(|port| port.container_port)
        }
    }
}

/// A reference to a pod, as endpoints carry it.
pub fn pod_reference(pod: &Pod) -> ObjectReference {
    ObjectReference {
        kind: "Pod".to_string(),
        namespace: pod.metadata.namespace.to_string(),
        name: pod.metadata.name.clone(),
        uid: pod.metadata.uid.clone(),
    }
}

/// The pods of the Service's namespace that its selector matches, in name order. A Service
/// without a selector (`kubernetes` in `default`, or one whose Endpoints are managed by hand)
/// selects none, and its namespace's pods are not even looked at.
pub fn selected_pods<'a>(simulation: &'a Simulation, service: &'a Service) -> impl Iterator<Item = &'a Pod> + 'a {
    service
        .spec
        .selector
        .is_some()
        .then(|| simulation.store.pods_in_namespace(&service.metadata.namespace))
        .into_iter()
        .flatten()
        .filter(move |pod| selector_matches(service, &pod.metadata.labels))
}

/// `podToEndpointAddressForService`.
fn endpoint_address(service: &Service, pod: &Pod) -> EndpointAddress {
    EndpointAddress {
        ip: pod.status.pod_ip.clone(),
        hostname: if should_set_hostname(pod, service) {
            pod.spec.hostname.to_string()
        } else {
            String::new()
        },
        node_name: Some(pod.spec.node_name.to_string()),
        target_ref: Some(pod_reference(pod)),
    }
}

/// The loop of `syncService` over the pods, then `RepackSubsets`: the subsets the Endpoints
/// should hold.
pub fn desired_subsets(service: &Service, pods: &[&Pod]) -> Vec<EndpointSubset> {
    let publish_not_ready = service.spec.publish_not_ready_addresses;
    let mut subsets = Vec::new();
    for pod in pods {
        if !should_pod_be_in_endpoints(pod, publish_not_ready) {
            continue;
        }
        let address = endpoint_address(service, pod);
        let ready = publish_not_ready || pod.is_ready();
        let add = |subsets: &mut Vec<EndpointSubset>, ports: Vec<EndpointPort>| {
            let (addresses, not_ready_addresses) = if ready {
                (vec![address.clone()], Vec::new())
            } else {
                (Vec::new(), vec![address.clone()])
            };
            subsets.push(EndpointSubset {
                addresses,
                not_ready_addresses,
                ports,
            });
        };
        // A headless Service may have no ports.
        if service.spec.ports.is_empty() {
            if service.is_headless() {
                add(&mut subsets, Vec::new());
            }
            continue;
        }
        for service_port in &service.spec.ports {
            let Some(number) = find_port(pod, service_port) else {
                continue;
            };
            add(
                &mut subsets,
                vec![EndpointPort {
                    name: service_port.name.clone(),
                    port: number,
                    protocol: service_port.protocol.clone(),
                    app_protocol: service_port.app_protocol.clone(),
                }],
            );
        }
    }
    repack_subsets(subsets)
}

/// `RepackSubsets` (`pkg/api/v1/endpoints/util.go`): each address (by IP and pod uid) under
/// each port it offers, a not-ready listing winning over a ready one; then the ports grouped by
/// the identical address sets that offer them. Addresses are sorted by IP then uid as
/// `SortSubsets` does; ports and subsets, which Go orders by an md5 of their dump, are sorted
/// by their fields instead.
pub fn repack_subsets(subsets: Vec<EndpointSubset>) -> Vec<EndpointSubset> {
    type AddressKey = (String, Uid);
    let mut addresses: BTreeMap<AddressKey, EndpointAddress> = BTreeMap::new();
    // A port without a number (`port: -1`) stands for a subset without ports.
    let mut by_port: BTreeMap<EndpointPort, BTreeMap<AddressKey, bool>> = BTreeMap::new();
    let sentinel = EndpointPort {
        port: -1,
        ..EndpointPort::default()
    };
    for subset in subsets {
        let ports = if subset.ports.is_empty() {
            vec![sentinel.clone()]
        } else {
            subset.ports
        };
        let listed = subset
            .addresses
            .into_iter()
            .map(|address| (address, true))
            .chain(subset.not_ready_addresses.into_iter().map(|address| (address, false)));
        for (address, ready) in listed {
            let key = (
                address.ip.clone(),
                address
                    .target_ref
                    .as_ref()
                    .map(|target| target.uid.clone())
                    .unwrap_or_default(),
            );
            addresses.entry(key.clone()).or_insert(address);
            for port in &ports {
                let state = by_port
                    .entry(port.clone())
                    .or_default()
                    .entry(key.clone())
                    .or_insert(ready);
                *state = *state && ready;
            }
        }
    }
    let mut grouped: BTreeMap<Vec<(AddressKey, bool)>, Vec<EndpointPort>> = BTreeMap::new();
    for (port, set) in by_port {
        let ports = grouped.entry(set.into_iter().collect()).or_default();
        if port.port > 0 {
            ports.push(port);
        }
    }
    let mut repacked: Vec<EndpointSubset> = grouped
        .into_iter()
        .map(|(set, ports)| {
            let (ready, not_ready): (Vec<_>, Vec<_>) = set.into_iter().partition(|(_, ready)| *ready);
            let lookup = |list: Vec<(AddressKey, bool)>| -> Vec<EndpointAddress> {
                list.into_iter()
                    .filter_map(|(key, _)| addresses.get(&key).cloned())
                    .collect()
            };
            EndpointSubset {
                addresses: lookup(ready),
                not_ready_addresses: lookup(not_ready),
                ports,
            }
        })
        .collect();
    repacked.stable_sort_by(|left, right| left.ports.cmp(&right.ports));
    repacked
}

/// `truncateEndpoints`: past `MAX_CAPACITY` addresses, not-ready ones go first; if the ready
/// ones alone are too many, each subset keeps its share (rounded up) of ready addresses only.
/// Returns whether anything was cut.
pub fn truncate(subsets: &mut [EndpointSubset]) -> bool {
    let total_ready: usize = subsets.iter().map(|subset| subset.addresses.len()).sum();
    let total_not_ready: usize = subsets.iter().map(|subset| subset.not_ready_addresses.len()).sum();
    if total_ready + total_not_ready <= MAX_CAPACITY {
        return false;
    }
    let truncate_ready = total_ready > MAX_CAPACITY;
    let (max, total) = if truncate_ready {
        (MAX_CAPACITY, total_ready)
    } else {
        (MAX_CAPACITY - total_ready, total_not_ready)
    };
    let mut can_be_added = max;
    for subset in subsets.iter_mut() {
        let in_subset = if truncate_ready {
            subset.addresses.len()
        } else {
            subset.not_ready_addresses.len()
        };
        let share = (in_subset * max).div_ceil(total).min(can_be_added);
        if truncate_ready {
            subset.addresses.truncate(share);
            subset.not_ready_addresses.clear();
            can_be_added -= subset.addresses.len();
        } else {
            subset.not_ready_addresses.truncate(share);
            can_be_added -= subset.not_ready_addresses.len();
        }
    }
    true
}

/// `syncService` for one Service key.
pub fn sync(simulation: &mut Simulation, key: &ObjectKey) -> Option<Millis> {
    let Some(service) = simulation.store.services.by_key.get(key) else {
        // The Service is gone: so are its Endpoints.
        simulation.store.services.endpoints.remove(key);
        return None;
    };
    if service.spec.service_type == "ExternalName" || service.spec.selector.is_none() {
        return None;
    }
    let pods: Vec<&Pod> = selected_pods(simulation, service).collect();
    let mut subsets = desired_subsets(service, &pods);
    let mut labels = service.metadata.labels.clone();
    if service.has_cluster_ip() {
        labels.remove(LABEL_HEADLESS);
    } else {
        labels.insert(LABEL_HEADLESS.to_string(), String::new());
    }
    let over_capacity = truncate(&mut subsets);
    let current = simulation.store.services.endpoints.get(key);
    let unchanged = current.is_some_and(|current| {
        current.subsets == subsets
            && current.metadata.labels == labels
            && current.metadata.annotations.contains_key(OVER_CAPACITY_ANNOTATION) == over_capacity
    });
    if unchanged {
        return None;
    }
    let mut endpoints = current.cloned().unwrap_or_default();
    let creating = endpoints.metadata.uid.is_empty();
    endpoints.subsets = subsets;
    endpoints.metadata.labels = labels;
    if over_capacity {
        endpoints
            .metadata
            .annotations
            .insert(OVER_CAPACITY_ANNOTATION.to_string(), "truncated".to_string());
    } else {
        endpoints.metadata.annotations.remove(OVER_CAPACITY_ANNOTATION);
    }
    if creating {
        endpoints.metadata.name = key.name.clone();
        endpoints.metadata.namespace = key.namespace;
        simulation.admit_metadata(&mut endpoints.metadata);
    } else {
        endpoints.metadata.resource_version = simulation.bump_resource_version();
    }
    simulation.store.services.endpoints.insert(key.clone(), endpoints);
    None
}

/// The pod uids an Endpoints object lists as ready and as not ready.
pub fn listed_uids(endpoints: &Endpoints) -> (BTreeSet<Uid>, BTreeSet<Uid>) {
    let uids = |addresses: &mut dyn Iterator<Item = &EndpointAddress>| -> BTreeSet<Uid> {
        addresses
            .filter_map(|address| address.target_ref.as_ref().map(|target| target.uid.clone()))
            .collect()
    };
    (
        uids(&mut endpoints.subsets.iter().flat_map(|subset| &subset.addresses)),
        uids(&mut endpoints.subsets.iter().flat_map(|subset| &subset.not_ready_addresses)),
    )
}

#[cfg(test)]
mod tests;
