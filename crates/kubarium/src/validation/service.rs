//! `ValidateService` (`pkg/apis/core/validation/validation.go`), in its order: metadata, ports
//! required, type-specific rules, each port (`validateServicePort`), selector, the cluster IP
//! fields (`ValidateServiceClusterIPsRelatedFields`), external IPs, type, node ports, duplicate
//! ports, load-balancer-only fields and the traffic policies. The node port range check is the
//! allocator's (`pkg/registry/core/service/portallocator`), reported with its message; whether
//! a requested IP or port is free is checked when the Service is created (`services.rs`).

use std::collections::BTreeSet;

use super::core::{validate_labels, validate_object_meta, NameRule, PROTOCOLS};
use super::names::{is_dns1123_label, is_dns1123_subdomain, port_name_errors};
use super::{go_quote, FieldPath, Obj, Shown, Validator};
use crate::yaml::{Node, Value};

const SERVICE_TYPES: &[&str] = &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const IP_FAMILIES: &[&str] = &["IPv4", "IPv6"];
const IP_FAMILY_POLICIES: &[&str] = &["PreferDualStack", "RequireDualStack", "SingleStack"];
const TRAFFIC_POLICIES: &[&str] = &["Cluster", "Local"];
/// `validation.IsValidIP`'s message.
const INVALID_IP: &str = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

/// A Go `[]string` as `%#v` prints it: `[]string{"10.96.0.10"}`.
pub(crate) fn go_string_slice(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|value| go_quote(value)).collect();
    format!("[]string{{{}}}", quoted.join(", "))
}

/// `validation.IsValidIP`: an IPv4 or IPv6 address. `std::net::IpAddr`'s parser only reads the
/// text (no name is resolved, no socket opened: the core stays free of I/O). Like Go's
/// `net.ParseIP` since Go 1.17, it refuses IPv4 parts with leading zeros (`010.0.0.1`), which
/// `netutils.ParseIPSloppy` still takes for objects stored before (docs/differences.md).
fn is_valid_ip(text: &str) -> bool {
    text.parse::<std::net::IpAddr>().is_ok()
}

/// What the rules below read of a Service once.
struct ServiceFacts<'a> {
    spec: Obj<'a>,
    path: FieldPath,
    service_type: &'a str,
    /// `spec.clusterIPs` as the strategy normalizes it on create: `clusterIP` alone fills it.
    cluster_ips: Vec<&'a str>,
    headless: bool,
}

impl<'a> ServiceFacts<'a> {
    fn of(spec: Obj<'a>) -> Self {
        let listed: Vec<&str> = spec.seq("clusterIPs").iter().filter_map(Node::as_str).collect();
        let cluster_ips = match spec.str("clusterIP").filter(|ip| !ip.is_empty()) {
            Some(ip) if listed.is_empty() => vec![ip],
            _ => listed,
        };
        let headless = cluster_ips.as_slice() == ["None"];
        ServiceFacts {
            path: spec.path(),
            service_type: spec.str("type").unwrap_or("ClusterIP"),
            spec,
            cluster_ips,
            headless,
        }
    }

    /// `apiservice.ExternallyAccessible`.
    fn externally_accessible(&self) -> bool {
        matches!(self.service_type, "NodePort" | "LoadBalancer")
            || (self.service_type == "ClusterIP" && !self.spec.seq("externalIPs").is_empty())
    }
}

/// `ValidateService`.
pub(crate) fn validate_service(validator: &mut Validator, object: &Obj<'_>) {
    validate_object_meta(validator, object, NameRule::Dns1035Label);
    let empty = Node {
        value: Value::Map(Vec::new()),
        pos: object.pos(),
    };
    let facts = ServiceFacts::of(Obj::new(object.get("spec").unwrap_or(&empty), "spec"));
    let spec = &facts.spec;
    if spec.seq("ports").is_empty() && !facts.headless && facts.service_type != "ExternalName" {
        validator.required(&facts.path.child("ports"), spec.pos_of("ports"), "");
    }
    validate_type_specific(validator, &facts);
    let ports = spec.seq("ports");
    let mut names = BTreeSet::new();
    for (index, port) in ports.iter().enumerate() {
        let port_path = facts.path.child("ports").index(index);
        validate_service_port(validator, &Obj::new(port, ""), &port_path, ports.len() > 1, &mut names);
    }
    validate_labels(validator, spec, "selector");
    if let Some(affinity) = spec.str("sessionAffinity") {
        if !["ClientIP", "None"].contains(&affinity) {
            validator.not_supported(
                &facts.path.child("sessionAffinity"),
                spec.pos_of("sessionAffinity"),
                Shown::Str(affinity),
                &["ClientIP", "None"],
            );
        }
    }
    validate_cluster_ips(validator, &facts);
    for (index, ip) in spec.seq("externalIPs").iter().enumerate() {
        let ip_text = ip.as_str().unwrap_or("");
        if !is_valid_ip(ip_text) {
            let path = facts.path.child("externalIPs").index(index);
            validator.invalid(&path, ip.pos, Shown::Str(ip_text), INVALID_IP);
        }
    }
    if !SERVICE_TYPES.contains(&facts.service_type) {
        validator.not_supported(
            &facts.path.child("type"),
            spec.pos_of("type"),
            Shown::Str(facts.service_type),
            SERVICE_TYPES,
        );
    }
    validate_node_ports(validator, &facts);
    validate_duplicate_ports(validator, &facts);
    validate_load_balancer_fields(validator, &facts);
    validate_traffic_policies(validator, &facts);
}

/// The `switch service.Spec.Type` of `ValidateService`: `None` is no cluster IP for the
/// externally reachable types, and an `ExternalName` Service has a name and no IP fields.
fn validate_type_specific(validator: &mut Validator, facts: &ServiceFacts<'_>) {
    let spec = &facts.spec;
    match facts.service_type {
        "LoadBalancer" | "NodePort" if facts.headless => validator.invalid(
            &facts.path.child("clusterIPs").index(0),
            spec.pos_of("clusterIP"),
            Shown::Str("None"),
            &format!("may not be set to 'None' for {} services", facts.service_type),
        ),
        "ExternalName" => {
            if !facts.cluster_ips.is_empty() {
                let at = if spec.get("clusterIPs").is_some() {
                    "clusterIPs"
                } else {
                    "clusterIP"
                };
                validator.forbidden(
                    &facts.path.child("clusterIPs"),
                    spec.pos_of(at),
                    "may not be set for ExternalName services",
                );
            }
            for field in ["ipFamilies", "ipFamilyPolicy"] {
                let set = match spec.get(field).map(|node| &node.value) {
                    Some(Value::Seq(items)) => !items.is_empty(),
                    Some(_) => true,
                    None => false,
                };
                if set {
                    validator.forbidden(
                        &facts.path.child(field),
                        spec.pos_of(field),
                        "may not be set for ExternalName services",
                    );
                }
            }
            // The CNAME may end in a dot to say it is fully qualified.
            match spec.str("externalName").map(|name| name.trim_end_matches('.')) {
                Some(name) if !name.is_empty() => {
                    for message in is_dns1123_subdomain(name) {
                        validator.invalid(
                            &facts.path.child("externalName"),
                            spec.pos_of("externalName"),
                            Shown::Str(name),
                            &message,
                        );
                    }
                }
                _ => validator.required(&facts.path.child("externalName"), spec.pos(), ""),
            }
        }
        _ => {}
    }
}

/// `validateServicePort`: the name (required when there are several, a DNS-1123 label,
/// unique), the port, the protocol and the target port.
fn validate_service_port(
    validator: &mut Validator,
    port: &Obj<'_>,
    path: &FieldPath,
    require_name: bool,
    names: &mut BTreeSet<String>,
) {
    match port.str("name").filter(|name| !name.is_empty()) {
        None if require_name => validator.required(&path.child("name"), port.pos(), ""),
        None => {}
        Some(name) => {
            for message in is_dns1123_label(name) {
                validator.invalid(&path.child("name"), port.pos_of("name"), Shown::Str(name), &message);
            }
            if !names.insert(name.to_string()) {
                validator.duplicate(&path.child("name"), port.pos_of("name"), Shown::Str(name));
            }
        }
    }
    let number = port.int("port").unwrap_or(0);
    if !(1..=65535).contains(&number) {
        let at = if port.get("port").is_some() {
            port.pos_of("port")
        } else {
            port.pos()
        };
        validator.invalid(
            &path.child("port"),
            at,
            Shown::Int(number),
            "must be between 1 and 65535, inclusive",
        );
    }
    if let Some(protocol) = port.str("protocol") {
        if !PROTOCOLS.contains(&protocol) {
            validator.not_supported(
                &path.child("protocol"),
                port.pos_of("protocol"),
                Shown::Str(protocol),
                PROTOCOLS,
            );
        }
    }
    match port.get("targetPort").map(|node| &node.value) {
        Some(Value::Int(number)) if !(1..=65535).contains(number) && *number != 0 => validator.invalid(
            &path.child("targetPort"),
            port.pos_of("targetPort"),
            Shown::Int(*number),
            "must be between 1 and 65535, inclusive",
        ),
        Some(Value::String(name)) if !name.is_empty() => {
            for message in port_name_errors(name) {
                validator.invalid(
                    &path.child("targetPort"),
                    port.pos_of("targetPort"),
                    Shown::Str(name),
                    &message,
                );
            }
        }
        _ => {}
    }
}

/// `ValidateServiceClusterIPsRelatedFields`: `clusterIPs` agrees with `clusterIP`, holds valid
/// addresses (`None` only alone), at most two; the IP family fields hold known values.
fn validate_cluster_ips(validator: &mut Validator, facts: &ServiceFacts<'_>) {
    if facts.service_type == "ExternalName" {
        return;
    }
    let spec = &facts.spec;
    let path = facts.path.child("clusterIPs");
    let listed: Vec<&str> = spec.seq("clusterIPs").iter().filter_map(Node::as_str).collect();
    let shown = || Shown::Raw(go_string_slice(&facts.cluster_ips));
    match spec.str("clusterIP").filter(|ip| !ip.is_empty()) {
        Some(ip) if !listed.is_empty() && listed[0] != ip => validator.invalid(
            &path,
            spec.pos_of("clusterIPs"),
            shown(),
            "first value must match `clusterIP`",
        ),
        None if !listed.is_empty() => validator.invalid(
            &path,
            spec.pos_of("clusterIPs"),
            shown(),
            "must be empty when `clusterIP` is not specified",
        ),
        _ => {}
    }
    let mut seen = BTreeSet::new();
    for (index, family) in spec.seq("ipFamilies").iter().enumerate() {
        let family = family.as_str().unwrap_or("");
        let family_path = facts.path.child("ipFamilies").index(index);
        if !IP_FAMILIES.contains(&family) {
            validator.not_supported(&family_path, spec.pos_of("ipFamilies"), Shown::Str(family), IP_FAMILIES);
        }
        if !seen.insert(family) {
            validator.duplicate(&family_path, spec.pos_of("ipFamilies"), Shown::Str(family));
        }
    }
    if let Some(policy) = spec.str("ipFamilyPolicy") {
        if !IP_FAMILY_POLICIES.contains(&policy) {
            validator.not_supported(
                &facts.path.child("ipFamilyPolicy"),
                spec.pos_of("ipFamilyPolicy"),
                Shown::Str(policy),
                IP_FAMILY_POLICIES,
            );
        }
    }
    let at = if listed.is_empty() { "clusterIP" } else { "clusterIPs" };
    for (index, ip) in facts.cluster_ips.iter().enumerate() {
        if index == 0 && *ip == "None" {
            if facts.cluster_ips.len() > 1 {
                validator.invalid(
                    &path,
                    spec.pos_of(at),
                    shown(),
                    "'None' must be the first and only value",
                );
            }
            continue;
        }
        if !is_valid_ip(ip) {
            validator.invalid(&path.index(index), spec.pos_of(at), Shown::Str(ip), INVALID_IP);
        }
    }
    if facts.cluster_ips.len() > 2 {
        validator.invalid(&path, spec.pos_of(at), shown(), "may only hold up to 2 values");
    }
}

/// Node ports: forbidden for `ClusterIP`, inside the allocator's range, unique per protocol.
fn validate_node_ports(validator: &mut Validator, facts: &ServiceFacts<'_>) {
    let mut taken = BTreeSet::new();
    for (index, port) in facts.spec.seq("ports").iter().enumerate() {
        let port = Obj::new(port, "");
        let Some(node_port) = port.int("nodePort").filter(|port| *port != 0) else {
            continue;
        };
        let path = facts.path.child("ports").index(index).child("nodePort");
        if facts.service_type == "ClusterIP" {
            validator.forbidden(
                &path,
                port.pos_of("nodePort"),
                "may not be used when `type` is 'ClusterIP'",
            );
        } else if !(30000..=32767).contains(&node_port) {
            validator.invalid(
                &path,
                port.pos_of("nodePort"),
                Shown::Int(node_port),
                "provided port is not in the valid range. The range of valid ports is 30000-32767",
            );
        }
        let protocol = port.str("protocol").unwrap_or("TCP");
        if !taken.insert((protocol.to_string(), node_port)) {
            validator.duplicate(&path, port.pos_of("nodePort"), Shown::Int(node_port));
        }
    }
}

/// Two ports with the same protocol and number: the API server prints the internal
/// `core.ServicePort` key it compares.
fn validate_duplicate_ports(validator: &mut Validator, facts: &ServiceFacts<'_>) {
    let mut taken = BTreeSet::new();
    for (index, port) in facts.spec.seq("ports").iter().enumerate() {
        let port = Obj::new(port, "");
        let protocol = port.str("protocol").unwrap_or("TCP");
        let number = port.int("port").unwrap_or(0);
        if !taken.insert((protocol.to_string(), number)) {
            let key = format!(
                "core.ServicePort{{Name:\"\", Protocol:{}, AppProtocol:(*string)(nil), Port:{number}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}",
                go_quote(protocol)
            );
            validator.duplicate(&facts.path.child("ports").index(index), port.pos(), Shown::Raw(key));
        }
    }
}

/// `loadBalancerSourceRanges` and `allocateLoadBalancerNodePorts` only for `LoadBalancer`.
/// (Go names the first path `spec.LoadBalancerSourceRanges`, capital L.)
fn validate_load_balancer_fields(validator: &mut Validator, facts: &ServiceFacts<'_>) {
    if facts.service_type == "LoadBalancer" {
        return;
    }
    let spec = &facts.spec;
    if !spec.seq("loadBalancerSourceRanges").is_empty() {
        validator.forbidden(
            &facts.path.child("LoadBalancerSourceRanges"),
            spec.pos_of("loadBalancerSourceRanges"),
            "may only be used when `type` is 'LoadBalancer'",
        );
    }
    if spec.bool("allocateLoadBalancerNodePorts").is_some() {
        validator.forbidden(
            &facts.path.child("allocateLoadBalancerNodePorts"),
            spec.pos_of("allocateLoadBalancerNodePorts"),
            "may only be used when `type` is 'LoadBalancer'",
        );
    }
}

/// `validateServiceExternalTrafficPolicy` and `validateServiceInternalTrafficFieldsValue`.
fn validate_traffic_policies(validator: &mut Validator, facts: &ServiceFacts<'_>) {
    let spec = &facts.spec;
    if let Some(policy) = spec.str("externalTrafficPolicy").filter(|policy| !policy.is_empty()) {
        let path = facts.path.child("externalTrafficPolicy");
        if !facts.externally_accessible() {
            validator.invalid(
                &path,
                spec.pos_of("externalTrafficPolicy"),
                Shown::Str(policy),
                "may only be set for externally-accessible services",
            );
        } else if !TRAFFIC_POLICIES.contains(&policy) {
            validator.not_supported(
                &path,
                spec.pos_of("externalTrafficPolicy"),
                Shown::Str(policy),
                TRAFFIC_POLICIES,
            );
        }
    }
    let needs_health_check = facts.service_type == "LoadBalancer" && spec.str("externalTrafficPolicy") == Some("Local");
    if let Some(port) = spec.int("healthCheckNodePort").filter(|port| *port != 0) {
        let path = facts.path.child("healthCheckNodePort");
        if !needs_health_check {
            validator.invalid(
                &path,
                spec.pos_of("healthCheckNodePort"),
                Shown::Int(port),
                "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
            );
        } else if !(1..=65535).contains(&port) {
            validator.invalid(
                &path,
                spec.pos_of("healthCheckNodePort"),
                Shown::Int(port),
                "must be between 1 and 65535, inclusive",
            );
        }
    }
    if let Some(policy) = spec.str("internalTrafficPolicy") {
        if !TRAFFIC_POLICIES.contains(&policy) {
            validator.not_supported(
                &facts.path.child("internalTrafficPolicy"),
                spec.pos_of("internalTrafficPolicy"),
                Shown::Str(policy),
                TRAFFIC_POLICIES,
            );
        }
    }
}
