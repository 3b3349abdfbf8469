//! `kubectl get services`, `endpoints` and `endpointslices` (`printService`, `printEndpoints`,
//! `printEndpointSlice` in `pkg/printers/internalversion/printers.go`).

use super::{age, Table};
use crate::api::{EndpointSlice, Endpoints, Service};
use crate::sim::Simulation;

/// `getServiceExternalIP`: no cloud provider gives a LoadBalancer an address, so it stays
/// `<pending>`.
pub fn external_ip(service: &Service) -> String {
    match service.spec.service_type.as_str() {
        "ClusterIP" | "NodePort" => "<none>".to_string(),
        "LoadBalancer" => "<pending>".to_string(),
        "ExternalName" => service.spec.external_name.clone(),
        _ => "<unknown>".to_string(),
    }
}

/// `makePortString`: `80/TCP`, or `80:30080/TCP` with a node port.
pub fn port_string(service: &Service) -> String {
    let pieces: Vec<String> = service
        .spec
        .ports
        .iter()
        .map(|port| {
            if port.node_port > 0 {
                format!("{}:{}/{}", port.port, port.node_port, port.protocol)
            } else {
                format!("{}/{}", port.port, port.protocol)
            }
        })
        .collect();
    if pieces.is_empty() {
        "<none>".to_string()
    } else {
        pieces.join(",")
    }
}

/// `kubectl get services`: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE.
pub fn services(simulation: &Simulation) -> Table {
    let rows = simulation
        .services()
        .map(|service| {
            vec![
                service.metadata.name.clone(),
                service.spec.service_type.clone(),
                service
                    .spec
                    .cluster_ips
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "<none>".to_string()),
                external_ip(service),
                port_string(service),
                age(simulation, service.metadata.creation_timestamp_ms),
            ]
        })
        .collect();
    Table {
        headers: vec!["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
        rows,
    }
}

/// `formatEndpoints`: the ready addresses as `ip:port` (bare IPs for a headless Service
/// without ports), at most three, then ` + N more...`; `<none>` without subsets.
pub fn format_endpoints(endpoints: &Endpoints) -> String {
    if endpoints.subsets.is_empty() {
        return "<none>".to_string();
    }
    const MAX: usize = 3;
    let mut list = Vec::new();
    let mut count = 0;
    for subset in &endpoints.subsets {
        if subset.ports.is_empty() {
            count += subset.addresses.len();
            list.extend(subset.addresses.iter().map(|address| address.ip.clone()));
            continue;
        }
        for port in &subset.ports {
            count += subset.addresses.len();
            list.extend(
                subset
                    .addresses
                    .iter()
                    .map(|address| format!("{}:{}", address.ip, port.port)),
            );
        }
    }
    let more = list.len() > MAX;
    list.truncate(MAX);
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", count - MAX)
    } else {
        joined
    }
}

/// `kubectl get endpoints`: NAME ENDPOINTS AGE.
pub fn endpoints(simulation: &Simulation) -> Table {
    let rows = simulation
        .endpoints()
        .map(|endpoints| {
            vec![
                endpoints.metadata.name.clone(),
                format_endpoints(endpoints),
                age(simulation, endpoints.metadata.creation_timestamp_ms),
            ]
        })
        .collect();
    Table {
        headers: vec!["NAME", "ENDPOINTS", "AGE"],
        rows,
    }
}

/// `listWithMoreString`: at most three, then ` + N more...`; `<unset>` when empty.
fn list_with_more(items: Vec<String>) -> String {
    const MAX: usize = 3;
    if items.is_empty() {
        return "<unset>".to_string();
    }
    let count = items.len();
    let joined = items.into_iter().take(MAX).collect::<Vec<_>>().join(",");
    if count > MAX {
        format!("{joined} + {} more...", count - MAX)
    } else {
        joined
    }
}

/// `formatDiscoveryPorts`: the port number, else its name, else `*`.
pub fn format_slice_ports(slice: &EndpointSlice) -> String {
    list_with_more(
        slice
            .ports
            .iter()
            .map(|port| match (&port.port, &port.name) {
                (Some(number), _) => number.to_string(),
                (None, Some(name)) => name.clone(),
                (None, None) => "*".to_string(),
            })
            .collect(),
    )
}

/// `formatDiscoveryEndpoints`: every address of every endpoint, ready or not.
pub fn format_slice_endpoints(slice: &EndpointSlice) -> String {
    list_with_more(
        slice
            .endpoints
            .iter()
            .flat_map(|endpoint| endpoint.addresses.iter().cloned())
            .collect(),
    )
}

/// `kubectl get endpointslices`: NAME ADDRESSTYPE PORTS ENDPOINTS AGE.
pub fn endpoint_slices(simulation: &Simulation) -> Table {
    let rows = simulation
        .endpoint_slices()
        .map(|slice| {
            vec![
                slice.metadata.name.clone(),
                slice.address_type.clone(),
                format_slice_ports(slice),
                format_slice_endpoints(slice),
                age(simulation, slice.metadata.creation_timestamp_ms),
            ]
        })
        .collect();
    Table {
        headers: vec!["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"],
        rows,
    }
}

#[cfg(test)]
mod tests {
    use crate::api::{EndpointAddress, EndpointPort, EndpointSubset, Endpoints};
    use crate::session::Session;
    use crate::time::SECOND_MS;

    #[test]
    fn endpoints_show_three_then_how_many_more() {
        let subset = EndpointSubset {
            addresses: (2..7)
                .map(|last| EndpointAddress {
                    ip: format!("10.244.0.{last}"),
                    ..EndpointAddress::default()
                })
                .collect(),
            not_ready_addresses: vec![EndpointAddress {
                ip: "10.244.0.9".to_string(),
                ..EndpointAddress::default()
            }],
            ports: vec![EndpointPort {
                port: 8080,
                ..EndpointPort::default()
            }],
        };
        let endpoints = Endpoints {
            subsets: vec![subset],
            ..Endpoints::default()
        };
        assert_eq!(
            super::format_endpoints(&endpoints),
            "10.244.0.2:8080,10.244.0.3:8080,10.244.0.4:8080 + 2 more..."
        );
        assert_eq!(super::format_endpoints(&Endpoints::default()), "<none>");
    }

    #[test]
    fn service_tables_have_kubectls_columns() {
        let text = "nodes: [{count: 2, prefix: node}]\nmanifests: |\n  apiVersion: v1\n  kind: Pod\n  metadata: {name: a, labels: {app: web}}\n  spec: {containers: [{name: c, image: nginx}]}\n  ---\n  apiVersion: v1\n  kind: Service\n  metadata: {name: web}\n  spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, nodePort: 30080}]}\n  ---\n  apiVersion: v1\n  kind: Service\n  metadata: {name: lb}\n  spec: {type: LoadBalancer, clusterIP: 10.96.0.50, selector: {app: none}, ports: [{port: 443, nodePort: 30443}]}\n  ---\n  apiVersion: v1\n  kind: Service\n  metadata: {name: mail}\n  spec: {type: ExternalName, externalName: mail.example.com}\n";
        let mut session = Session::load(text, 1).expect("loads");
        session.advance_to(5 * SECOND_MS).expect("plays");
        let simulation = &session.simulation;
        let services = super::services(simulation);
        let rows: Vec<Vec<&str>> = services
            .rows
            .iter()
            .map(|row| row.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            rows[0],
            ["kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP", "5s"]
        );
        assert_eq!(
            rows[1],
            ["lb", "LoadBalancer", "10.96.0.50", "<pending>", "443:30443/TCP", "5s"]
        );
        assert_eq!(
            rows[2],
            ["mail", "ExternalName", "<none>", "mail.example.com", "<none>", "5s"]
        );
        assert_eq!(&rows[3][..2], ["web", "NodePort"]);
        assert_eq!(&rows[3][3..5], ["<none>", "80:30080/TCP"]);
        let pod_ip = simulation.pod("default", "a").expect("pod").status.pod_ip.clone();
        let endpoints = super::endpoints(simulation);
        let web: Vec<&str> = endpoints.rows[2].iter().map(String::as_str).collect();
        assert_eq!(web, ["web", &format!("{pod_ip}:80"), "5s"]);
        assert_eq!(endpoints.rows[1][..2], ["lb".to_string(), "<none>".to_string()]);
        let slices = super::endpoint_slices(simulation);
        assert_eq!(slices.headers, ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]);
        let lb = slices
            .rows
            .iter()
            .find(|row| row[0].starts_with("lb-"))
            .expect("the lb placeholder");
        assert_eq!(&lb[1..4], ["IPv4", "<unset>", "<unset>"]);
        let web = slices
            .rows
            .iter()
            .find(|row| row[0].starts_with("web-"))
            .expect("web's slice");
        assert_eq!(&web[1..4], ["IPv4".to_string(), "80".to_string(), pod_ip]);
    }
}
