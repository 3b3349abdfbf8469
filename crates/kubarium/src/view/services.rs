//! Services as the UI draws them: a box with the Service's addresses and ports, linked to the
//! pods its selector picks, each marked as the Endpoints controller lists it.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::api::{Endpoints, Service};
use crate::controller::endpoints::{listed_uids, selected_pods};
use crate::sim::Simulation;

/// One Service.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceView {
    pub uid: String,
    pub name: String,
    pub namespace: String,
    /// `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`.
    #[serde(rename = "type")]
    pub service_type: String,
    /// `CLUSTER-IP` as kubectl prints it: an address, `None` (headless) or `<none>`.
    pub cluster_ip: String,
    /// `EXTERNAL-IP` as kubectl prints it (`<pending>` for a LoadBalancer: no cloud provider).
    pub external_ip: String,
    /// Each port as `PORT(S)` prints it: `80/TCP`, `80:30080/TCP`.
    pub ports: Vec<String>,
    /// `NAME.NAMESPACE.svc.cluster.local`.
    pub dns_name: String,
    /// The selector as `key=value`; empty for a Service without one.
    pub selector: Vec<String>,
    /// `Cluster` or `Local` for NodePort and LoadBalancer Services.
    pub external_traffic_policy: Option<String>,
    /// The nodes whose node port would take external traffic: every node under `Cluster`;
    /// under `Local` only those with a ready endpoint of their own (kube-proxy drops the rest).
    /// Empty for other types. No traffic is simulated: this is the routing rule, not a flow.
    pub external_traffic_nodes: Vec<String>,
    /// The pods the selector picks, in name order.
    pub pods: Vec<ServicePodView>,
}

/// A pod a Service selects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePodView {
    pub uid: String,
    pub name: String,
    pub node: Option<String>,
    /// How the Service's Endpoints list it: `ready`, `notReady`, or `none` (no IP yet, being
    /// deleted, finished, or not synced yet).
    pub endpoint: &'static str,
}

/// The nodes that take a NodePort's traffic (`externalTrafficPolicy`).
fn external_traffic_nodes(simulation: &Simulation, service: &Service, endpoints: Option<&Endpoints>) -> Vec<String> {
    if !service.needs_node_ports() {
        return Vec::new();
    }
    if service.spec.external_traffic_policy != "Local" {
        return simulation.nodes().map(|node| node.metadata.name.clone()).collect();
    }
    let local: BTreeSet<String> = endpoints
        .into_iter()
        .flat_map(|endpoints| &endpoints.subsets)
        .flat_map(|subset| &subset.addresses)
        .filter_map(|address| address.node_name.clone())
        .collect();
    local.into_iter().collect()
}

fn service_view(simulation: &Simulation, service: &Service) -> ServiceView {
    let endpoints = simulation.endpoints_of(&service.metadata.namespace, &service.metadata.name);
    let (ready, not_ready) = endpoints.map(listed_uids).unwrap_or_default();
    let pods = selected_pods(simulation, service)
        .map(|pod| ServicePodView {
            uid: pod.metadata.uid.to_string(),
            name: pod.metadata.name.clone(),
            node: (!pod.spec.node_name.is_empty()).then(|| pod.spec.node_name.to_string()),
            endpoint: if ready.contains(&pod.metadata.uid) {
                "ready"
            } else if not_ready.contains(&pod.metadata.uid) {
                "notReady"
            } else {
                "none"
            },
        })
        .collect();
    let port_string = crate::tables::port_string(service);
    ServiceView {
        uid: service.metadata.uid.to_string(),
        name: service.metadata.name.clone(),
        namespace: service.metadata.namespace.to_string(),
        service_type: service.spec.service_type.clone(),
        cluster_ip: service
            .spec
            .cluster_ips
            .first()
            .cloned()
            .unwrap_or_else(|| "<none>".to_string()),
        external_ip: crate::tables::external_ip(service),
        ports: if service.spec.ports.is_empty() {
            Vec::new()
        } else {
            port_string.split(',').map(str::to_string).collect()
        },
        dns_name: service.dns_name(),
        selector: service
            .spec
            .selector
            .iter()
            .flatten()
            .map(|(key, value)| format!("{key}={value}"))
            .collect(),
        external_traffic_policy: (!service.spec.external_traffic_policy.is_empty())
            .then(|| service.spec.external_traffic_policy.clone()),
        external_traffic_nodes: external_traffic_nodes(simulation, service, endpoints),
        pods,
    }
}

/// Every Service, in namespace and name order.
pub fn service_views(simulation: &Simulation) -> Vec<ServiceView> {
    simulation
        .services()
        .map(|service| service_view(simulation, service))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::session::Session;
    use crate::time::SECOND_MS;

    #[test]
    fn a_local_node_port_takes_traffic_only_where_its_pods_are() {
        let text = "nodes: [{count: 3, prefix: node}]\nmanifests: |\n  apiVersion: v1\n  kind: Pod\n  metadata: {name: a, labels: {app: web}}\n  spec: {nodeName: node-2, containers: [{name: c, image: nginx}]}\n  ---\n  apiVersion: v1\n  kind: Pod\n  metadata: {name: b, labels: {app: web}}\n  spec: {nodeName: node-3, containers: [{name: c, image: nginx}]}\n  ---\n  apiVersion: v1\n  kind: Service\n  metadata: {name: web, namespace: default}\n  spec: {type: NodePort, externalTrafficPolicy: Local, selector: {app: web}, ports: [{port: 80}]}\n  ---\n  apiVersion: v1\n  kind: Service\n  metadata: {name: all}\n  spec: {type: NodePort, selector: {app: web}, ports: [{port: 80}]}\n";
        let mut session = Session::load(text, 1).expect("loads");
        session.advance_to(1_500).expect("plays");
        let snapshot = session.simulation.snapshot();
        let web = snapshot.services.iter().find(|view| view.name == "web").expect("web");
        assert_eq!(web.dns_name, "web.default.svc.cluster.local");
        assert_eq!(web.selector, ["app=web"]);
        assert_eq!(web.external_traffic_nodes, ["node-2", "node-3"]);
        let states: Vec<(&str, &str)> = web.pods.iter().map(|pod| (pod.name.as_str(), pod.endpoint)).collect();
        assert_eq!(states, [("a", "ready"), ("b", "ready")]);
        // Deleting `b` takes node-3 out under the Local policy.
        session.simulation.delete_pod("default", "b").expect("deletes");
        session.advance_to(3 * SECOND_MS).expect("plays");
        let snapshot = session.simulation.snapshot();
        let web = snapshot.services.iter().find(|view| view.name == "web").expect("web");
        assert_eq!(web.external_traffic_nodes, ["node-2"]);
        let all = snapshot.services.iter().find(|view| view.name == "all").expect("all");
        assert_eq!(all.external_traffic_nodes, ["node-1", "node-2", "node-3"]);
        let kubernetes = snapshot
            .services
            .iter()
            .find(|view| view.name == "kubernetes")
            .expect("kubernetes");
        assert!(kubernetes.pods.is_empty() && kubernetes.external_traffic_nodes.is_empty());
        assert_eq!(kubernetes.cluster_ip, "10.96.0.1");
        let states: Vec<(&str, &str)> = web.pods.iter().map(|pod| (pod.name.as_str(), pod.endpoint)).collect();
        assert_eq!(states, [("a", "ready")]);
    }
}
