//! The EndpointSlice controller (`pkg/controller/endpointslice/endpointslice_controller.go`
//! `syncService`) and its reconciler (`k8s.io/endpointslice/reconciler.go`).
//!
//! `sync` lists the Service's pods and its slices (labelled with its name and managed by this
//! controller); [`reconcile`] decides, as a pure function, which slices to create, update and
//! delete: the pods that have an IP and are not finished become endpoints (terminating ones
//! too, with their conditions), grouped by the ports their `targetPort`s resolve to, at most
//! 100 per slice; existing slices keep the endpoints they have and take new ones first; a
//! Service without endpoints keeps one empty placeholder slice. New slices are named from
//! `<service>-` with the simulation's seeded generator. Go walks maps and sets in random order
//! where we walk them sorted (slices by name, endpoints by pod).

use crate::sort::StableSort;
use std::collections::BTreeMap;

use crate::api::{
    Endpoint, EndpointConditions, EndpointSlice, EndpointSlicePort, Node, ObjectMeta, OwnerReference, Pod, Service,
    LABEL_HEADLESS, LABEL_MANAGED_BY, LABEL_SERVICE_NAME,
};
use crate::controller::endpoints::{
    find_port, pod_reference, selected_pods, should_pod_be_in_endpoints, should_set_hostname,
};
use crate::labels::Labels;
use crate::sim::{ObjectKey, Simulation};
use crate::time::Millis;

/// `--max-endpoints-per-slice` default.
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;
/// The value of `endpointslice.kubernetes.io/managed-by` on this controller's slices.
pub const CONTROLLER_NAME: &str = "endpointslice-controller.k8s.io";
/// `v1.LabelTopologyZone`.
const LABEL_ZONE: &str = "topology.kubernetes.io/zone";

/// The ports of a group of endpoints, sorted (`NewPortMapKey`).
type PortKey = Vec<EndpointSlicePort>;
/// `hashEndpoint`: an endpoint's identity is its addresses, hostname and pod name.
type EndpointKey = (String, String, Vec<String>, Option<String>);

fn endpoint_key(endpoint: &Endpoint) -> EndpointKey {
    let (namespace, name) = endpoint
        .target_ref
        .as_ref()
        .map(|target| (target.namespace.clone(), target.name.clone()))
        .unwrap_or_default();
    let mut addresses = endpoint.addresses.clone();
    addresses.stable_sort();
    (namespace, name, addresses, endpoint.hostname.clone())
}

/// `podToEndpoint`: serving is the pod's readiness; a pod being deleted is terminating and
/// (unless the Service publishes not-ready addresses) not ready.
pub fn pod_to_endpoint(pod: &Pod, node: Option<&Node>, service: &Service) -> Endpoint {
    let serving = pod.is_ready();
    let terminating = pod.metadata.is_terminating();
    let ready = service.spec.publish_not_ready_addresses || (serving && !terminating);
    Endpoint {
        addresses: vec![pod.status.pod_ip.clone()],
        conditions: EndpointConditions {
            ready: Some(ready),
            serving: Some(serving),
            terminating: Some(terminating),
        },
        hostname: should_set_hostname(pod, service).then(|| pod.spec.hostname.to_string()),
        target_ref: Some(pod_reference(pod)),
        node_name: (!pod.spec.node_name.is_empty()).then(|| pod.spec.node_name.to_string()),
        zone: node
            .and_then(|node| node.metadata.labels.get(LABEL_ZONE))
            .filter(|zone| !zone.is_empty())
            .cloned(),
    }
}

/// `getEndpointPorts`: each Service port whose `targetPort` the pod has (none for a headless
/// Service without ports), sorted as the port map key.
pub fn endpoint_ports(service: &Service, pod: &Pod) -> PortKey {
    let mut ports: PortKey = service
        .spec
        .ports
        .iter()
        .filter_map(|service_port| {
            find_port(pod, service_port).map(|number| EndpointSlicePort {
                name: Some(service_port.name.clone()),
                protocol: Some(service_port.protocol.clone()),
                port: Some(number),
                app_protocol: service_port.app_protocol.clone(),
            })
        })
        .collect();
    ports.stable_sort();
    ports
}

/// `ownedBy`: the slice's owner references name this Service.
fn owned_by(slice: &EndpointSlice, service: &Service) -> bool {
    slice
        .metadata
        .owner_references
        .iter()
        .any(|owner| owner.uid == service.metadata.uid && owner.kind == "Service" && owner.api_version == "v1")
}

/// `setEndpointSliceLabels`: the Service's labels (but the reserved ones), the headless label
/// for a Service without a cluster IP, the Service's name and the manager. Also whether the
/// slice's own (unreserved) labels differed from the Service's.
fn slice_labels(current: &Labels, service: &Service) -> (Labels, bool) {
    let reserved = |key: &String| [LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS].contains(&key.as_str());
    let unreserved = |labels: &Labels| -> Labels {
        labels
            .iter()
            .filter(|(key, _)| !reserved(key))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect()
    };
    let mut labels = unreserved(&service.metadata.labels);
    let changed = unreserved(current) != labels;
    if !service.has_cluster_ip() {
        labels.insert(LABEL_HEADLESS.to_string(), String::new());
    }
    labels.insert(LABEL_SERVICE_NAME.to_string(), service.metadata.name.clone());
    labels.insert(LABEL_MANAGED_BY.to_string(), CONTROLLER_NAME.to_string());
    (labels, changed)
}

/// `newEndpointSlice`: no name yet (the API server generates it from `<service>-`), owned by
/// the Service.
fn new_slice(service: &Service, ports: &PortKey) -> EndpointSlice {
    let mut slice = EndpointSlice {
        metadata: ObjectMeta {
            generate_name: format!("{}-", service.metadata.name),
            namespace: service.metadata.namespace,
            owner_references: vec![OwnerReference::controller("v1", "Service", &service.metadata)],
            ..ObjectMeta::default()
        },
        address_type: "IPv4".to_string(),
        endpoints: Vec::new(),
        ports: ports.clone(),
    };
    slice.metadata.labels = slice_labels(&Labels::new(), service).0;
    slice
}

/// What a sync writes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub create: Vec<EndpointSlice>,
    pub update: Vec<EndpointSlice>,
    pub delete: Vec<EndpointSlice>,
}

/// `reconcileByPortMapping` for the slices and desired endpoints of one set of ports.
fn reconcile_port_mapping(
    service: &Service,
    existing: Vec<EndpointSlice>,
    mut desired: BTreeMap<EndpointKey, Endpoint>,
    ports: &PortKey,
    max: usize,
) -> Plan {
    let mut plan = Plan::default();
    let mut unchanged: Vec<EndpointSlice> = Vec::new();
    // 1. Existing slices keep the endpoints still desired, updated; emptied ones go.
    for slice in existing {
        let mut kept = Vec::new();
        let mut endpoint_changed = false;
        for endpoint in &slice.endpoints {
            if let Some(wanted) = desired.remove(&endpoint_key(endpoint)) {
                endpoint_changed |= &wanted != endpoint;
                kept.push(wanted);
            }
        }
        let (labels, labels_changed) = slice_labels(&slice.metadata.labels, service);
        if endpoint_changed || kept.len() != slice.endpoints.len() {
            if kept.is_empty() {
                plan.delete.push(slice);
            } else {
                let mut updated = slice;
                updated.endpoints = kept;
                updated.metadata.labels = labels;
                plan.update.push(updated);
            }
        } else if labels_changed {
            let mut updated = slice;
            updated.metadata.labels = labels;
            plan.update.push(updated);
        } else {
            unchanged.push(slice);
        }
    }
    // 2. Slices being updated anyway are filled up first, the fullest first.
    if !desired.is_empty() {
        plan.update
            .stable_sort_by_key(|slice| std::cmp::Reverse(slice.endpoints.len()));
        for slice in &mut plan.update {
            while slice.endpoints.len() < max {
                let Some((_, endpoint)) = desired.pop_first() else {
                    break;
                };
                slice.endpoints.push(endpoint);
            }
        }
    }
    // 3. The rest go into the unchanged slice they fill best, or into new slices.
    while !desired.is_empty() {
        let fill = if desired.len() < max {
            slice_to_fill(&unchanged, desired.len(), max)
        } else {
            None
        };
        let mut slice = match fill {
            Some(index) => unchanged.remove(index),
            None => new_slice(service, ports),
        };
        while slice.endpoints.len() < max {
            let Some((_, endpoint)) = desired.pop_first() else {
                break;
            };
            slice.endpoints.push(endpoint);
        }
        if slice.metadata.name.is_empty() {
            plan.create.push(slice);
        } else {
            plan.update.push(slice);
        }
    }
    plan
}

/// `getSliceToFill`: the slice that `count` more endpoints leave closest to full.
fn slice_to_fill(slices: &[EndpointSlice], count: usize, max: usize) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (index, slice) in slices.iter().enumerate() {
        let Some(room_left) = max.checked_sub(count + slice.endpoints.len()) else {
            continue;
        };
        if room_left < best.map_or(max, |(_, left)| left) {
            best = Some((index, room_left));
            if room_left == 0 {
                break;
            }
        }
    }
    best.map(|(index, _)| index)
}

/// Whether a slice is the placeholder of an endpoint-less Service (`placeholderSliceCompare`:
/// namespace, labels, owners, address type, no ports and no endpoints).
fn is_placeholder(slice: &EndpointSlice, placeholder: &EndpointSlice) -> bool {
    slice.metadata.namespace == placeholder.metadata.namespace
        && slice.metadata.labels == placeholder.metadata.labels
        && slice.metadata.owner_references == placeholder.metadata.owner_references
        && slice.address_type == placeholder.address_type
        && slice.ports.is_empty()
        && slice.endpoints.is_empty()
}

/// `reconcileByAddressType` for IPv4 (the cluster's one family), then `finalize`'s conversion
/// of creates into updates of slices about to be deleted. `nodes` answers whether a pod's node
/// exists.
pub fn reconcile(
    service: &Service,
    pods: &[&Pod],
    nodes: &BTreeMap<String, Node>,
    existing: Vec<EndpointSlice>,
    max: usize,
) -> Plan {
    let mut plan = Plan::default();
    let mut existing_by_ports: BTreeMap<PortKey, Vec<EndpointSlice>> = BTreeMap::new();
    let existing_count = existing.len();
    for slice in existing {
        if owned_by(&slice, service) {
            let mut ports = slice.ports.clone();
            ports.stable_sort();
            existing_by_ports.entry(ports).or_default().push(slice);
        } else {
            plan.delete.push(slice);
        }
    }
    let mut desired_by_ports: BTreeMap<PortKey, BTreeMap<EndpointKey, Endpoint>> = BTreeMap::new();
    for pod in pods {
        if !should_pod_be_in_endpoints(pod, true) {
            continue;
        }
        let node = nodes.get(pod.spec.node_name.as_str());
        // A pod whose node is gone is left out (unless not-ready addresses are published);
        // Kubernetes also retries the sync with back-off, which finds the same until the pod
        // garbage collector deletes the pod and that deletion syncs again.
        if node.is_none() && !service.spec.publish_not_ready_addresses {
            continue;
        }
        let endpoint = pod_to_endpoint(pod, node, service);
        desired_by_ports
            .entry(endpoint_ports(service, pod))
            .or_default()
            .insert(endpoint_key(&endpoint), endpoint);
    }
    for (ports, desired) in &desired_by_ports {
        let slices = existing_by_ports.remove(ports).unwrap_or_default();
        let part = reconcile_port_mapping(service, slices, desired.clone(), ports, max);
        plan.create.extend(part.create);
        plan.update.extend(part.update);
        plan.delete.extend(part.delete);
    }
    // Ports no pod offers any more: their slices go.
    plan.delete.extend(existing_by_ports.into_values().flatten());
    // A Service without endpoints keeps one empty placeholder slice.
    if existing_count == plan.delete.len() && plan.create.is_empty() {
        let placeholder = new_slice(service, &Vec::new());
        if plan.delete.len() == 1 && is_placeholder(&plan.delete[0], &placeholder) {
            plan.delete.clear();
        } else {
            plan.create.push(placeholder);
        }
    }
    convert_creates_to_updates(&mut plan, service);
    plan
}

/// `finalize`: a slice about to be deleted is reused (by name) for a slice about to be
/// created, when the Service owns it.
fn convert_creates_to_updates(plan: &mut Plan, service: &Service) {
    let mut index = 0;
    while index < plan.delete.len() && !plan.create.is_empty() {
        let reusable = plan.delete[index].address_type == "IPv4" && owned_by(&plan.delete[index], service);
        if reusable {
            let deleted = plan.delete.remove(index);
            let Some(mut slice) = plan.create.pop() else { break };
            slice.metadata.name = deleted.metadata.name.clone();
            plan.update.push(slice);
        } else {
            index += 1;
        }
    }
}

/// This controller's slices of a Service (`kubernetes.io/service-name` and `managed-by`), in
/// name order.
fn slices_of(simulation: &Simulation, key: &ObjectKey) -> Vec<EndpointSlice> {
    simulation
        .store
        .services
        .slices
        .range(ObjectKey::new(&key.namespace, "")..)
        .take_while(|(slice_key, _)| slice_key.namespace == key.namespace)
        .map(|(_, slice)| slice)
        .filter(|slice| {
            slice.metadata.labels.get(LABEL_SERVICE_NAME) == Some(&key.name)
                && slice.metadata.labels.get(LABEL_MANAGED_BY).map(String::as_str) == Some(CONTROLLER_NAME)
        })
        .cloned()
        .collect()
}

/// `syncService` of the EndpointSlice controller. A deleted Service's slices are the garbage
/// collector's (they are owned by it).
pub fn sync(simulation: &mut Simulation, key: &ObjectKey) -> Option<Millis> {
    let service = simulation.store.services.by_key.get(key)?;
    if service.spec.service_type == "ExternalName" || service.spec.selector.is_none() {
        return None;
    }
    let pods: Vec<&Pod> = selected_pods(simulation, service).collect();
    let existing = slices_of(simulation, key);
    let plan = reconcile(
        service,
        &pods,
        &simulation.store.nodes,
        existing,
        MAX_ENDPOINTS_PER_SLICE,
    );
    write(simulation, plan);
    None
}

/// Creates (named by the API server from `generateName`), updates and deletes slices.
fn write(simulation: &mut Simulation, plan: Plan) {
    for mut slice in plan.create {
        let namespace = slice.metadata.namespace;
        loop {
            slice.metadata.name = simulation.rng.generate_name(&slice.metadata.generate_name);
            if !simulation
                .store
                .services
                .slices
                .contains_key(&ObjectKey::new(&namespace, &slice.metadata.name))
            {
                break;
            }
        }
        simulation.admit_metadata(&mut slice.metadata);
        let key = ObjectKey::of(&slice.metadata);
        simulation.store.services.slices.insert(key, slice);
    }
    for mut slice in plan.update {
        let key = ObjectKey::new(&slice.metadata.namespace, &slice.metadata.name);
        let Some(stored) = simulation.store.services.slices.get(&key) else {
            continue;
        };
        if stored.endpoints == slice.endpoints
            && stored.ports == slice.ports
            && stored.metadata.labels == slice.metadata.labels
        {
            continue;
        }
        let generation = stored.metadata.generation + 1;
        let preserved = ObjectMeta {
            labels: slice.metadata.labels.clone(),
            ..stored.metadata.clone()
        };
        slice.metadata = preserved;
        slice.metadata.generation = generation;
        slice.metadata.resource_version = simulation.bump_resource_version();
        simulation.store.services.slices.insert(key, slice);
    }
    for slice in plan.delete {
        simulation
            .store
            .services
            .slices
            .remove(&ObjectKey::new(&slice.metadata.namespace, &slice.metadata.name));
    }
}

#[cfg(test)]
mod tests;
