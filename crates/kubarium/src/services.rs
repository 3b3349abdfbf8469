//! The API server's Service storage (`pkg/registry/core/service/storage/rest.go` and
//! `alloc.go`): a created Service gets its IP family fields, a cluster IP and node ports; an
//! updated one keeps what was allocated for it (`patchAllocatedValues`), may not change its
//! cluster IP, and gets or gives back IPs and ports as its type changes; a deleted one gives
//! them back and takes its Endpoints with it (`afterDelete`). Also the `kubernetes` Service the
//! API server keeps in `default`, pointing at itself.
//!
//! The decisions are functions of the Service, the old Service and the allocators; the
//! simulation runs them once on copies while checking an apply (so a batch is refused whole)
//! and once for real.

use std::collections::BTreeMap;

use crate::api::{
    EndpointAddress, EndpointConditions, EndpointPort, EndpointSlice, EndpointSlicePort, EndpointSubset, Endpoints,
    IntOrString, ObjectMeta, Service, ServicePort, ServiceSpec, CLUSTER_IP_NONE, LABEL_SERVICE_NAME,
};
use crate::fasthash::FastMap;
use crate::rng::Rng;
use crate::service_alloc::{AllocError, ServiceAllocators};
use crate::sim::{ActionError, ObjectKey, Simulation, Work};
use crate::validation::go_string_slice;

/// Where the API server listens: its advertise address (a control-plane machine outside the
/// simulated nodes) and its secure port.
pub const API_SERVER_IP: &str = "192.168.1.2";
pub const API_SERVER_PORT: i32 = 6443;

/// Services, their Endpoints and EndpointSlices, and the allocators behind them.
#[derive(Debug, Default)]
pub struct ServiceStore {
    pub by_key: BTreeMap<ObjectKey, Service>,
    pub endpoints: BTreeMap<ObjectKey, Endpoints>,
    pub slices: BTreeMap<ObjectKey, EndpointSlice>,
    pub allocators: ServiceAllocators,
    /// How many Services with a selector each namespace has (only looked up): a pod change in
    /// a namespace without any (`default` has only `kubernetes`) needs no endpoints work. Kept
    /// by `insert` and `remove`.
    selecting: FastMap<crate::word::Word, usize>,
}

impl ServiceStore {
    /// Stores `service` under `key`, returning the one it replaces.
    pub fn insert(&mut self, key: ObjectKey, service: Service) -> Option<Service> {
        self.count_selecting(&key, &service, 1);
        let old = self.by_key.insert(key.clone(), service);
        if let Some(old) = &old {
            self.count_selecting(&key, old, -1);
        }
        old
    }

    /// Removes the Service under `key`.
    pub fn remove(&mut self, key: &ObjectKey) -> Option<Service> {
        let old = self.by_key.remove(key)?;
        self.count_selecting(key, &old, -1);
        Some(old)
    }

    fn count_selecting(&mut self, key: &ObjectKey, service: &Service, change: isize) {
        if service.spec.selector.is_some() {
            let count = self.selecting.entry(key.namespace).or_insert(0);
            *count = count.checked_add_signed(change).unwrap_or(0);
        }
    }

    /// Whether some Service of `namespace` has a selector.
    pub fn any_selecting(&self, namespace: crate::word::Word) -> bool {
        let any = self.selecting.get(&namespace).is_some_and(|count| *count > 0);
        debug_assert_eq!(
            any,
            self.in_namespace_word(namespace)
                .any(|service| service.spec.selector.is_some())
        );
        any
    }

    /// The Services of a namespace, in name order.
    pub fn in_namespace<'a>(&'a self, namespace: &'a str) -> impl Iterator<Item = &'a Service> + 'a {
        self.in_namespace_word(crate::word::Word::new(namespace))
    }

    /// `in_namespace` for a namespace the caller holds as a `Word` (a key's): the range starts
    /// at a borrowed key, so it allocates nothing (it runs on every pod change).
    pub fn in_namespace_word(&self, namespace: crate::word::Word) -> impl Iterator<Item = &Service> + '_ {
        let start = crate::store::KeyParts::new(namespace, String::new());
        self.by_key
            .range::<crate::store::KeyParts, _>((std::ops::Bound::Included(&start), std::ops::Bound::Unbounded))
            .take_while(move |(key, _)| key.namespace == namespace)
            .map(|(_, service)| service)
    }
}

/// `The Service "web" is invalid: <path>: Invalid value: <value>: <detail>`.
fn invalid(service: &Service, path: &str, value: &str, detail: &str) -> String {
    format!(
        "The Service \"{}\" is invalid: {path}: Invalid value: {value}: {detail}",
        service.metadata.name
    )
}

/// `errors.NewInternalError`.
fn internal(detail: String) -> String {
    format!("Internal error occurred: {detail}")
}

/// `initIPFamilyFields` on a single-stack IPv4 cluster: the policy defaults to `SingleStack`
/// (`RequireDualStack` for a headless Service without a selector, whose families are then
/// both), dual stack cannot be required, and only IPv4 is configured.
fn init_ip_family_fields(service: &mut Service) -> Result<(), String> {
    if service.spec.service_type == "ExternalName" {
        return Ok(());
    }
    let headless_selectorless =
        service.spec.cluster_ip == CLUSTER_IP_NONE && service.spec.selector.as_ref().is_none_or(|s| s.is_empty());
    if service.spec.ip_family_policy.is_none() {
        let policy = if headless_selectorless {
            "RequireDualStack"
        } else {
            "SingleStack"
        };
        service.spec.ip_family_policy = Some(policy.to_string());
    }
    let policy = service.spec.ip_family_policy.clone().unwrap_or_default();
    for (index, ip) in service.spec.cluster_ips.iter().enumerate() {
        if ip == CLUSTER_IP_NONE {
            break;
        }
        if ip.contains(':') && index >= service.spec.ip_families.len() {
            let ips: Vec<&str> = service.spec.cluster_ips.iter().map(String::as_str).collect();
            return Err(invalid(
                service,
                &format!("spec.clusterIPs[{index}]"),
                &go_string_slice(&ips),
                "IPv6 is not configured on this cluster",
            ));
        }
    }
    if headless_selectorless {
        if service.spec.ip_families.is_empty() {
            service.spec.ip_families.push("IPv4".to_string());
        }
        if service.spec.ip_families.len() < 2 && policy != "SingleStack" {
            let other = if service.spec.ip_families[0] == "IPv4" {
                "IPv6"
            } else {
                "IPv4"
            };
            service.spec.ip_families.push(other.to_string());
        }
        return Ok(());
    }
    if policy == "RequireDualStack" {
        return Err(invalid(
            service,
            "spec.ipFamilyPolicy",
            "\"RequireDualStack\"",
            "this cluster is not configured for dual-stack services",
        ));
    }
    if let Some((index, family)) = service
        .spec
        .ip_families
        .iter()
        .enumerate()
        .find(|(_, family)| *family != "IPv4")
    {
        return Err(invalid(
            service,
            &format!("spec.ipFamilies[{index}]"),
            &format!("\"{family}\""),
            "not configured on this cluster",
        ));
    }
    if service.spec.ip_families.is_empty() {
        service.spec.ip_families.push("IPv4".to_string());
    }
    Ok(())
}

/// `allocClusterIPs`: none for `ExternalName` and headless Services; the requested one if
/// free and in range, else a random one.
fn allocate_cluster_ip(service: &mut Service, allocators: &mut ServiceAllocators, rng: &mut Rng) -> Result<(), String> {
    if service.spec.service_type == "ExternalName" || service.is_headless() {
        return Ok(());
    }
    let requested = service.spec.cluster_ip.clone();
    let ip = if requested.is_empty() {
        allocators
            .ips
            .allocate_next(rng)
            .map_err(|error| internal(format!("failed to allocate a serviceIP: {error}")))?
    } else {
        allocators.ips.allocate(&requested).map_err(|error| {
            let ips: Vec<&str> = service.spec.cluster_ips.iter().map(String::as_str).collect();
            invalid(
                service,
                "spec.clusterIPs",
                &go_string_slice(&ips),
                &format!("failed to allocate IP {requested}: {error}"),
            )
        })?;
        requested
    };
    service.spec.cluster_ip = ip.clone();
    service.spec.cluster_ips = vec![ip];
    Ok(())
}

/// `shouldAllocateNodePorts`: always for `NodePort`; for `LoadBalancer` unless
/// `allocateLoadBalancerNodePorts` is false.
fn should_allocate_node_ports(service: &Service) -> bool {
    match service.spec.service_type.as_str() {
        "NodePort" => true,
        "LoadBalancer" => service.spec.allocate_load_balancer_node_ports != Some(false),
        _ => false,
    }
}

fn node_port_error(service: &Service, index: usize, port: i32, error: &AllocError) -> String {
    invalid(
        service,
        &format!("spec.ports[{index}].nodePort"),
        &port.to_string(),
        &error.to_string(),
    )
}

/// `initNodePorts`: each port gets its requested node port, or a random one; ports with the
/// same number (TCP and UDP) share one.
fn allocate_node_ports(service: &mut Service, allocators: &mut ServiceAllocators, rng: &mut Rng) -> Result<(), String> {
    if !service.needs_node_ports() {
        return Ok(());
    }
    let allocate_new = should_allocate_node_ports(service);
    let mut by_port: BTreeMap<i32, i32> = BTreeMap::new();
    for index in 0..service.spec.ports.len() {
        let (port, node_port) = (service.spec.ports[index].port, service.spec.ports[index].node_port);
        if node_port == 0 && !allocate_new {
            continue;
        }
        let chosen = match by_port.get(&port) {
            None => {
                // `findRequestedNodePort`: a later entry of the same port may name it.
                let requested = service.spec.ports[index..]
                    .iter()
                    .find(|other| other.port == port && other.node_port != 0)
                    .map(|other| other.node_port);
                match requested {
                    Some(requested) => {
                        allocators
                            .node_ports
                            .allocate(requested)
                            .map_err(|error| node_port_error(service, index, requested, &error))?;
                        requested
                    }
                    None => allocators
                        .node_ports
                        .allocate_next(rng)
                        .map_err(|error| internal(format!("failed to allocate a nodePort: {error}")))?,
                }
            }
            Some(&shared) if node_port != 0 && node_port != shared => {
                allocators
                    .node_ports
                    .allocate(node_port)
                    .map_err(|error| node_port_error(service, index, node_port, &error))?;
                node_port
            }
            Some(&shared) => shared,
        };
        service.spec.ports[index].node_port = chosen;
        by_port.entry(port).or_insert(chosen);
    }
    Ok(())
}

/// `allocHealthCheckNodePort`: a `LoadBalancer` with `externalTrafficPolicy: Local` gets a node
/// port for its health checks.
fn allocate_health_check_port(
    service: &mut Service,
    allocators: &mut ServiceAllocators,
    rng: &mut Rng,
) -> Result<(), String> {
    if !service.needs_health_check() {
        return Ok(());
    }
    let requested = service.spec.health_check_node_port;
    if requested != 0 {
        allocators.node_ports.allocate(requested).map_err(|error| {
            internal(format!(
                "failed to allocate requested HealthCheck NodePort {requested}: {error}"
            ))
        })?;
    } else {
        service.spec.health_check_node_port = allocators
            .node_ports
            .allocate_next(rng)
            .map_err(|error| internal(format!("failed to allocate a HealthCheck NodePort 0: {error}")))?;
    }
    Ok(())
}

/// `beginCreate`: normalize the cluster IP fields, then `allocateCreate`. On error nothing
/// is taken from `allocators`.
pub fn prepare_create(service: &mut Service, allocators: &mut ServiceAllocators, rng: &mut Rng) -> Result<(), String> {
    normalize_cluster_ips(service, None);
    init_ip_family_fields(service)?;
    let mut trial = allocators.clone();
    allocate_cluster_ip(service, &mut trial, rng)?;
    allocate_node_ports(service, &mut trial, rng)?;
    allocate_health_check_port(service, &mut trial, rng)?;
    *allocators = trial;
    Ok(())
}

/// `normalizeClusterIPs`: `clusterIPs` follows `clusterIP` when the client set only the
/// singular field (on create), or changed or cleared it without touching the plural one (on
/// update).
fn normalize_cluster_ips(new: &mut Service, old: Option<&Service>) {
    let Some(old) = old else {
        if !new.spec.cluster_ip.is_empty() && new.spec.cluster_ips.is_empty() {
            new.spec.cluster_ips = vec![new.spec.cluster_ip.clone()];
        }
        return;
    };
    if !old.spec.cluster_ips.is_empty() && new.spec.cluster_ips.is_empty() && old.spec.cluster_ip == new.spec.cluster_ip
    {
        new.spec.cluster_ips = old.spec.cluster_ips.clone();
    }
    if old.spec.cluster_ip != new.spec.cluster_ip && old.spec.cluster_ips == new.spec.cluster_ips {
        if new.spec.cluster_ip.is_empty() {
            new.spec.cluster_ips.clear();
        } else {
            new.spec.cluster_ips = vec![new.spec.cluster_ip.clone()];
        }
    }
}

/// `patchAllocatedValues`: what the API server allocated and the new object leaves out is kept,
/// so that reapplying the same manifest succeeds.
fn patch_allocated_values(new: &mut Service, old: &Service) {
    let needs_cluster_ip = |service: &Service| service.spec.service_type != "ExternalName";
    if needs_cluster_ip(old) && needs_cluster_ip(new) {
        if new.spec.cluster_ip.is_empty() {
            new.spec.cluster_ip = old.spec.cluster_ip.clone();
        }
        if new.spec.cluster_ips.is_empty() {
            new.spec.cluster_ips = old.spec.cluster_ips.clone();
        }
    }
    if old.needs_node_ports() && new.needs_node_ports() {
        let used = |service: &Service| -> Vec<i32> {
            service
                .spec
                .ports
                .iter()
                .map(|port| port.node_port)
                .filter(|port| *port != 0)
                .collect()
        };
        let old_used = used(old);
        let in_both: Vec<i32> = used(new).into_iter().filter(|port| old_used.contains(port)).collect();
        let by_name: BTreeMap<&str, i32> = old
            .spec
            .ports
            .iter()
            .map(|port| (port.name.as_str(), port.node_port))
            .collect();
        for port in &mut new.spec.ports {
            if port.node_port == 0 {
                let old_value = by_name.get(port.name.as_str()).copied().unwrap_or(0);
                if !in_both.contains(&old_value) {
                    port.node_port = old_value;
                }
            }
        }
    }
    if old.needs_health_check() && new.needs_health_check() && new.spec.health_check_node_port == 0 {
        new.spec.health_check_node_port = old.spec.health_check_node_port;
    }
    if new.spec.ip_families.is_empty() && new.spec.service_type != "ExternalName" {
        new.spec.ip_families = old.spec.ip_families.clone();
        if new.spec.ip_family_policy.is_none() {
            new.spec.ip_family_policy = old.spec.ip_family_policy.clone();
        }
    }
}

/// `dropTypeDependentFields` (`pkg/registry/core/service/strategy.go`): a type change clears
/// the fields the new type does not use, when the client left them as they were.
fn drop_type_dependent_fields(new: &mut Service, old: &Service) {
    if new.spec.service_type == "ExternalName" && old.spec.service_type != "ExternalName" {
        if new.spec.cluster_ip == old.spec.cluster_ip {
            new.spec.cluster_ip.clear();
        }
        if new.spec.cluster_ips == old.spec.cluster_ips {
            new.spec.cluster_ips.clear();
        }
        if new.spec.ip_families == old.spec.ip_families {
            new.spec.ip_families.clear();
        }
        if new.spec.ip_family_policy == old.spec.ip_family_policy {
            new.spec.ip_family_policy = None;
        }
    }
    if !new.needs_node_ports() && old.needs_node_ports() {
        for (new_port, old_port) in new.spec.ports.iter_mut().zip(&old.spec.ports) {
            if new_port.node_port == old_port.node_port {
                new_port.node_port = 0;
            }
        }
    }
    if !new.needs_health_check() && new.spec.health_check_node_port == old.spec.health_check_node_port {
        new.spec.health_check_node_port = 0;
    }
}

/// `validateUpgradeDowngradeClusterIPs` on a single-stack cluster: the cluster IP may not
/// change once set, unless the Service becomes or stops being an `ExternalName`.
fn check_cluster_ip_unchanged(new: &Service, old: &Service) -> Result<(), String> {
    if new.spec.service_type == "ExternalName" || old.spec.service_type == "ExternalName" {
        return Ok(());
    }
    if old.is_headless() && new.is_headless() {
        return Ok(());
    }
    let ips: Vec<&str> = new.spec.cluster_ips.iter().map(String::as_str).collect();
    match (old.spec.cluster_ips.first(), new.spec.cluster_ips.first()) {
        (Some(before), Some(after)) if before != after => Err(invalid(
            new,
            "spec.clusterIPs[0]",
            &go_string_slice(&ips),
            "may not change once set",
        )),
        (Some(_), None) => Err(invalid(
            new,
            "spec.clusterIPs[0]",
            &go_string_slice(&ips),
            "primary clusterIP can not be unset",
        )),
        _ => Ok(()),
    }
}

/// `updateNodePorts`: new requested ports are taken, missing ones drawn, and the old ones the
/// Service no longer uses given back.
fn update_node_ports(
    new: &mut Service,
    old: &Service,
    allocators: &mut ServiceAllocators,
    rng: &mut Rng,
) -> Result<(), String> {
    let old_ports: Vec<i32> = old
        .spec
        .ports
        .iter()
        .map(|port| port.node_port)
        .filter(|port| *port != 0)
        .collect();
    if new.needs_node_ports() {
        let allocate_new = should_allocate_node_ports(new);
        let mut taken_now: Vec<i32> = Vec::new();
        for index in 0..new.spec.ports.len() {
            let node_port = new.spec.ports[index].node_port;
            if node_port == 0 && !allocate_new {
                continue;
            }
            if node_port != 0 {
                if !old_ports.contains(&node_port) && !taken_now.contains(&node_port) {
                    allocators
                        .node_ports
                        .allocate(node_port)
                        .map_err(|error| node_port_error(new, index, node_port, &error))?;
                    taken_now.push(node_port);
                }
            } else {
                new.spec.ports[index].node_port = allocators
                    .node_ports
                    .allocate_next(rng)
                    .map_err(|error| internal(format!("failed to allocate a nodePort: {error}")))?;
            }
        }
    }
    let new_ports: Vec<i32> = new.spec.ports.iter().map(|port| port.node_port).collect();
    for port in old_ports.into_iter().filter(|port| !new_ports.contains(port)) {
        allocators.node_ports.release(port);
    }
    Ok(())
}

/// The health check port follows the type and policy (`updateHealthCheckNodePort`).
fn update_health_check_port(
    new: &mut Service,
    old: &Service,
    allocators: &mut ServiceAllocators,
    rng: &mut Rng,
) -> Result<(), String> {
    match (old.needs_health_check(), new.needs_health_check()) {
        (false, true) => allocate_health_check_port(new, allocators, rng),
        (true, false) => {
            allocators.node_ports.release(old.spec.health_check_node_port);
            Ok(())
        }
        (true, true) if new.spec.health_check_node_port != old.spec.health_check_node_port => Err(format!(
            "The Service \"{}\" is invalid: spec.healthCheckNodePort: Forbidden: field is immutable",
            new.metadata.name
        )),
        _ => Ok(()),
    }
}

/// `beginUpdate`: keep what was allocated, drop what the new type does not use, check the
/// cluster IP did not change, then `allocateUpdate`. On error nothing changes in `allocators`.
pub fn prepare_update(
    new: &mut Service,
    old: &Service,
    allocators: &mut ServiceAllocators,
    rng: &mut Rng,
) -> Result<(), String> {
    patch_allocated_values(new, old);
    normalize_cluster_ips(new, Some(old));
    drop_type_dependent_fields(new, old);
    check_cluster_ip_unchanged(new, old)?;
    init_ip_family_fields(new)?;
    let mut trial = allocators.clone();
    let was_external = old.spec.service_type == "ExternalName";
    let is_external = new.spec.service_type == "ExternalName";
    if was_external && !is_external {
        allocate_cluster_ip(new, &mut trial, rng)?;
    } else if !was_external && is_external && old.has_cluster_ip() {
        trial.ips.release(&old.spec.cluster_ip);
    }
    update_node_ports(new, old, &mut trial, rng)?;
    update_health_check_port(new, old, &mut trial, rng)?;
    *allocators = trial;
    Ok(())
}

/// `releaseAllocatedResources`: the cluster IP and every node port go back.
pub fn release(service: &Service, allocators: &mut ServiceAllocators) {
    if service.has_cluster_ip() {
        allocators.ips.release(&service.spec.cluster_ip);
    }
    for port in &service.spec.ports {
        if port.node_port != 0 {
            allocators.node_ports.release(port.node_port);
        }
    }
    if service.spec.health_check_node_port != 0 {
        allocators.node_ports.release(service.spec.health_check_node_port);
    }
}

/// The state an apply's check phase allocates from, so that a batch whose Services cannot all
/// be created is refused whole.
#[derive(Debug, Clone)]
pub struct DryRun {
    allocators: ServiceAllocators,
    rng: Rng,
}

impl DryRun {
    pub fn of(simulation: &Simulation) -> Self {
        DryRun {
            allocators: simulation.store.services.allocators.clone(),
            rng: simulation.rng.clone(),
        }
    }

    /// Whether the Service could be created or updated now.
    pub fn check(&mut self, simulation: &Simulation, key: &ObjectKey, service: &Service) -> Result<(), String> {
        let mut service = service.clone();
        match simulation.store.services.by_key.get(key) {
            Some(old) => prepare_update(&mut service, old, &mut self.allocators, &mut self.rng),
            None => prepare_create(&mut service, &mut self.allocators, &mut self.rng),
        }
    }
}

/// Both endpoint controllers look at the Service (`onServiceUpdate`, `onServiceDelete`).
fn enqueue_endpoint_controllers(simulation: &mut Simulation, key: &ObjectKey) {
    simulation.enqueue_now(Work::SyncEndpoints(key.clone()));
    simulation.enqueue_now(Work::SyncEndpointSlices(key.clone()));
}

/// Creates or updates a Service from a manifest whose check passed.
pub(crate) fn apply(simulation: &mut Simulation, key: ObjectKey, mut service: Service) {
    let mut allocators = std::mem::take(&mut simulation.store.services.allocators);
    let existing = simulation.store.services.by_key.get(&key).cloned();
    let prepared = match &existing {
        Some(old) => prepare_update(&mut service, old, &mut allocators, &mut simulation.rng),
        None => prepare_create(&mut service, &mut allocators, &mut simulation.rng),
    };
    simulation.store.services.allocators = allocators;
    if prepared.is_err() {
        // The check phase ran the same decisions on the same state; nothing to apply.
        return;
    }
    match existing {
        Some(old) => {
            let changed = old.spec != service.spec;
            service.metadata.uid = old.metadata.uid.clone();
            service.metadata.namespace = key.namespace;
            service.metadata.creation_timestamp_ms = old.metadata.creation_timestamp_ms;
            service.metadata.generation = old.metadata.generation + u64::from(changed);
            service.metadata.resource_version = simulation.bump_resource_version();
        }
        None => simulation.admit_metadata(&mut service.metadata),
    }
    simulation.store.services.insert(key.clone(), service);
    enqueue_endpoint_controllers(simulation, &key);
}

impl Simulation {
    pub fn services(&self) -> impl Iterator<Item = &Service> {
        self.store.services.by_key.values()
    }

    pub fn service(&self, namespace: &str, name: &str) -> Option<&Service> {
        crate::store::KeyRef(namespace, name).get(&self.store.services.by_key)
    }

    /// Every Endpoints object, in namespace and name order.
    pub fn endpoints(&self) -> impl Iterator<Item = &Endpoints> {
        self.store.services.endpoints.values()
    }

    pub fn endpoints_of(&self, namespace: &str, name: &str) -> Option<&Endpoints> {
        self.store.services.endpoints.get(&ObjectKey::new(namespace, name))
    }

    /// Every EndpointSlice, in namespace and name order.
    pub fn endpoint_slices(&self) -> impl Iterator<Item = &EndpointSlice> {
        self.store.services.slices.values()
    }

    /// `kubectl delete service NAME`: the IPs and ports go back, the Endpoints go with it
    /// (`afterDelete`), and the garbage collector deletes its EndpointSlices.
    pub fn delete_service(&mut self, namespace: &str, name: &str) -> Result<(), ActionError> {
        let key = ObjectKey::new(namespace, name);
        let Some(service) = self.store.services.remove(&key) else {
            return Err(ActionError(format!("services \"{name}\" not found")));
        };
        // The quota monitor's delete handler: the namespace's quotas are recounted.
        crate::controller::resourcequota::replenish(self, &key.namespace);
        release(&service, &mut self.store.services.allocators);
        self.store.services.endpoints.remove(&key);
        self.enqueue_now(Work::CollectDependents(service.metadata.uid.clone()));
        enqueue_endpoint_controllers(self, &key);
        Ok(())
    }
}

/// The objects the API server creates for itself before anything else: they take uids from a
/// series of their own, so that the user's objects are numbered as in a cluster without them.
fn bootstrap_meta(simulation: &mut Simulation, name: &str, serial: u64) -> ObjectMeta {
    ObjectMeta {
        name: name.to_string(),
        namespace: crate::api::Word::from_static("default"),
        uid: crate::api::Uid::serial([0, 0, 0, 0, 0, 0, 0x40, 0, 0x90, 0], serial),
        resource_version: simulation.bump_resource_version(),
        generation: 1,
        creation_timestamp_ms: simulation.now(),
        ..ObjectMeta::default()
    }
}

/// The `kubernetes` Service in `default` (`pkg/controlplane/controller/kubernetesservice`):
/// the first IP of the service range, port `https` 443 to the API server's 6443, no selector;
/// its Endpoints and EndpointSlice, kept by the API server's endpoint reconciler, list the
/// API server.
pub(crate) fn bootstrap(simulation: &mut Simulation) {
    let mut metadata = bootstrap_meta(simulation, "kubernetes", 1);
    metadata.labels.insert("component".to_string(), "apiserver".to_string());
    metadata.labels.insert("provider".to_string(), "kubernetes".to_string());
    let mut service = Service {
        metadata,
        spec: ServiceSpec {
            service_type: "ClusterIP".to_string(),
            cluster_ip: "10.96.0.1".to_string(),
            ports: vec![ServicePort {
                name: "https".to_string(),
                protocol: "TCP".to_string(),
                port: 443,
                target_port: Some(IntOrString::Int(i64::from(API_SERVER_PORT))),
                ..ServicePort::default()
            }],
            internal_traffic_policy: Some("Cluster".to_string()),
            ..ServiceSpec::default()
        },
    };
    let mut allocators = ServiceAllocators::default();
    if prepare_create(&mut service, &mut allocators, &mut simulation.rng).is_err() {
        return;
    }
    let key = ObjectKey::new("default", "kubernetes");
    let endpoint_port = EndpointPort {
        name: "https".to_string(),
        port: API_SERVER_PORT,
        protocol: "TCP".to_string(),
        app_protocol: None,
    };
    let endpoints = Endpoints {
        metadata: bootstrap_meta(simulation, "kubernetes", 2),
        subsets: vec![EndpointSubset {
            addresses: vec![EndpointAddress {
                ip: API_SERVER_IP.to_string(),
                ..EndpointAddress::default()
            }],
            not_ready_addresses: Vec::new(),
            ports: vec![endpoint_port.clone()],
        }],
    };
    let mut slice_meta = bootstrap_meta(simulation, "kubernetes", 3);
    slice_meta
        .labels
        .insert(LABEL_SERVICE_NAME.to_string(), "kubernetes".to_string());
    let slice = EndpointSlice {
        metadata: slice_meta,
        address_type: "IPv4".to_string(),
        endpoints: vec![crate::api::Endpoint {
            addresses: vec![API_SERVER_IP.to_string()],
            conditions: EndpointConditions {
                ready: Some(true),
                ..EndpointConditions::default()
            },
            ..crate::api::Endpoint::default()
        }],
        ports: vec![EndpointSlicePort {
            name: Some(endpoint_port.name.clone()),
            protocol: Some(endpoint_port.protocol.clone()),
            port: Some(API_SERVER_PORT),
            app_protocol: None,
        }],
    };
    let store = &mut simulation.store.services;
    store.allocators = allocators;
    store.insert(key.clone(), service);
    store.endpoints.insert(key.clone(), endpoints);
    store.slices.insert(key, slice);
}

#[cfg(test)]
mod tests;
