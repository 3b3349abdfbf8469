//! The Endpoints controller's pure decisions: which pods become which addresses, the repacked
//! layout, truncation; and the controller following pods in a running cluster.

use super::*;
use crate::api::{Container, ContainerPort, PodPhase};
use crate::manifest::{parse_manifests, Manifest};

/// A pod with labels, an IP (empty for none) and a readiness.
fn pod(name: &str, ip: &str, ready: bool) -> Pod {
    let mut pod = Pod::default();
    pod.metadata.name = name.to_string();
    pod.metadata.namespace = "default".to_string();
    pod.metadata.uid = format!("uid-{name}");
    pod.metadata.labels.insert("app".to_string(), "web".to_string());
    pod.spec.node_name = "node-1".to_string();
    pod.status.pod_ip = ip.to_string();
    pod.status.phase = PodPhase::Running;
    crate::api::set_condition(
        &mut pod.status.conditions,
        0,
        "Ready",
        if ready { "True" } else { "False" },
        "",
        "",
    );
    let container = Container {
        name: "web".to_string(),
        ports: vec![ContainerPort {
            container_port: 8080,
            name: Some("http".to_string()),
            protocol: "TCP".to_string(),
            ..ContainerPort::default()
        }],
        ..Container::default()
    };
    pod.spec.containers = std::sync::Arc::from(vec![container]);
    pod
}

fn service(spec: &str) -> Service {
    let text = format!("apiVersion: v1\nkind: Service\nmetadata: {{name: web, namespace: default}}\nspec:\n{spec}");
    match parse_manifests(&text).expect("valid").remove(0) {
        Manifest::Service(service) => *service,
        other => panic!("not a Service: {other:?}"),
    }
}

/// `ip:port` of each address, ready ones then not-ready ones, per subset.
fn summary(subsets: &[EndpointSubset]) -> Vec<(Vec<String>, Vec<String>, Vec<i32>)> {
    subsets
        .iter()
        .map(|subset| {
            let ips = |list: &[EndpointAddress]| list.iter().map(|address| address.ip.clone()).collect();
            (
                ips(&subset.addresses),
                ips(&subset.not_ready_addresses),
                subset.ports.iter().map(|port| port.port).collect(),
            )
        })
        .collect()
}

struct Case {
    name: &'static str,
    // object spec
    spec: &'static str,
    // world
    pods: Vec<Pod>,
    // expect: (ready IPs, not-ready IPs, ports) per subset
    expect: Vec<(Vec<&'static str>, Vec<&'static str>, Vec<i32>)>,
}

#[test]
fn pods_become_ready_and_not_ready_addresses() {
    let terminating = {
        let mut pod = pod("c", "10.244.0.4", true);
        pod.metadata.deletion_timestamp_ms = Some(30_000);
        pod
    };
    let finished = {
        let mut pod = pod("d", "10.244.0.5", false);
        pod.status.phase = PodPhase::Succeeded;
        pod
    };
    let cases = [
        Case {
            name: "ready pods are addresses, a not-ready one apart, in IP order",
            spec: "  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n",
            pods: vec![
                pod("b", "10.244.0.3", true),
                pod("a", "10.244.0.2", true),
                pod("n", "10.244.0.9", false),
            ],
            expect: vec![(vec!["10.244.0.2", "10.244.0.3"], vec!["10.244.0.9"], vec![8080])],
        },
        Case {
            name: "pods without an IP, finished or being deleted are left out",
            spec: "  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n",
            pods: vec![pod("a", "10.244.0.2", true), pod("x", "", false), terminating.clone(), finished],
            expect: vec![(vec!["10.244.0.2"], vec![], vec![8080])],
        },
        Case {
            name: "publishNotReadyAddresses lists every pod as ready, terminating ones too",
            spec: "  selector: {app: web}\n  publishNotReadyAddresses: true\n  ports: [{port: 80}]\n",
            pods: vec![pod("n", "10.244.0.9", false), terminating],
            expect: vec![(vec!["10.244.0.4", "10.244.0.9"], vec![], vec![80])],
        },
        Case {
            name: "a named targetPort the pod lacks leaves the port out",
            spec: "  selector: {app: web}\n  ports: [{name: a, port: 80, targetPort: http}, {name: b, port: 81, targetPort: metrics}]\n",
            pods: vec![pod("a", "10.244.0.2", true)],
            expect: vec![(vec!["10.244.0.2"], vec![], vec![8080])],
        },
        Case {
            name: "a headless Service without ports lists bare addresses",
            spec: "  clusterIP: None\n  selector: {app: web}\n",
            pods: vec![pod("a", "10.244.0.2", true)],
            expect: vec![(vec!["10.244.0.2"], vec![], vec![])],
        },
        Case {
            name: "no pods, no subsets",
            spec: "  selector: {app: web}\n  ports: [{port: 80}]\n",
            pods: vec![],
            expect: vec![],
        },
    ];
    for case in cases {
        let service = service(case.spec);
        let pods: Vec<&Pod> = case.pods.iter().collect();
        let expect: Vec<(Vec<String>, Vec<String>, Vec<i32>)> = case
            .expect
            .iter()
            .map(|(ready, not_ready, ports)| {
                (
                    ready.iter().map(|ip| ip.to_string()).collect(),
                    not_ready.iter().map(|ip| ip.to_string()).collect(),
                    ports.clone(),
                )
            })
            .collect();
        assert_eq!(summary(&desired_subsets(&service, &pods)), expect, "{}", case.name);
    }
}

#[test]
fn repacking_groups_ports_offered_by_the_same_addresses() {
    let address = |ip: &str| EndpointAddress {
        ip: ip.to_string(),
        ..EndpointAddress::default()
    };
    let port = |number: i32| EndpointPort {
        port: number,
        protocol: "TCP".to_string(),
        ..EndpointPort::default()
    };
    let subset = |ready: &[&str], not_ready: &[&str], number: i32| EndpointSubset {
        addresses: ready.iter().map(|ip| address(ip)).collect(),
        not_ready_addresses: not_ready.iter().map(|ip| address(ip)).collect(),
        ports: vec![port(number)],
    };
    let repacked = repack_subsets(vec![
        subset(&["10.0.0.2"], &[], 80),
        subset(&["10.0.0.1"], &[], 80),
        subset(&["10.0.0.1", "10.0.0.2"], &[], 443),
        // Listed not ready for 9090 and ready too: not ready wins.
        subset(&["10.0.0.3"], &[], 9090),
        subset(&[], &["10.0.0.3"], 9090),
    ]);
    assert_eq!(
        summary(&repacked),
        [
            (vec!["10.0.0.1".to_string(), "10.0.0.2".to_string()], vec![], vec![80, 443]),
            (vec![], vec!["10.0.0.3".to_string()], vec![9090]),
        ]
    );
}

#[test]
fn past_a_thousand_addresses_not_ready_ones_go_first() {
    let addresses = |count: usize, prefix: &str| -> Vec<EndpointAddress> {
        (0..count)
            .map(|index| EndpointAddress {
                ip: format!("{prefix}.{index}"),
                ..EndpointAddress::default()
            })
            .collect()
    };
    let mut subsets = vec![EndpointSubset {
        addresses: addresses(990, "10.1"),
        not_ready_addresses: addresses(30, "10.2"),
        ports: Vec::new(),
    }];
    assert!(truncate(&mut subsets));
    assert_eq!((subsets[0].addresses.len(), subsets[0].not_ready_addresses.len()), (990, 10));
    let mut ready_only = vec![
        EndpointSubset {
            addresses: addresses(900, "10.1"),
            not_ready_addresses: addresses(5, "10.3"),
            ports: Vec::new(),
        },
        EndpointSubset {
            addresses: addresses(300, "10.2"),
            ..EndpointSubset::default()
        },
    ];
    assert!(truncate(&mut ready_only));
    // 900/1200 and 300/1200 of 1000, rounded up, then capped by what is left.
    assert_eq!(ready_only[0].addresses.len(), 750);
    assert_eq!(ready_only[1].addresses.len(), 250);
    assert!(ready_only[0].not_ready_addresses.is_empty());
    let mut small = vec![EndpointSubset {
        addresses: addresses(3, "10.1"),
        ..EndpointSubset::default()
    }];
    assert!(!truncate(&mut small));
}

#[test]
fn find_port_resolves_named_ports_by_protocol() {
    let pod = pod("a", "10.244.0.2", true);
    let port = |target: IntOrString, protocol: &str| ServicePort {
        port: 80,
        protocol: protocol.to_string(),
        target_port: Some(target),
        ..ServicePort::default()
    };
    assert_eq!(find_port(&pod, &port(IntOrString::Int(9000), "TCP")), Some(9000));
    assert_eq!(find_port(&pod, &port(IntOrString::String("http".into()), "TCP")), Some(8080));
    assert_eq!(find_port(&pod, &port(IntOrString::String("http".into()), "UDP")), None);
    assert_eq!(find_port(&pod, &port(IntOrString::String("grpc".into()), "TCP")), None);
}

const WEB: &str = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        ports: [{name: http, containerPort: 8080}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n";

/// (ready, not ready) addresses of the `web` Endpoints.
fn counts(simulation: &Simulation) -> (usize, usize) {
    simulation
        .endpoints_of("default", "web")
        .map_or((0, 0), Endpoints::address_counts)
}

#[test]
fn endpoints_follow_the_pods_of_a_daemon_set() {
    // `sleep` ignores SIGTERM, so a deleted pod stays Terminating for its grace period.
    let manifests = WEB.replace("image: nginx", "image: nginx\n        command: [sleep, '3600']");
    let mut simulation = Simulation::new(&crate::ClusterConfig::with_nodes("node", 3));
    simulation.apply(&manifests).expect("applies");
    simulation.run_until(500).expect("runs");
    assert_eq!(counts(&simulation), (0, 3), "pods have IPs while their images are pulled");
    simulation.run_until(5_000).expect("runs");
    assert_eq!(counts(&simulation), (3, 0));
    let port = &simulation.endpoints_of("default", "web").expect("endpoints").subsets[0].ports[0];
    assert_eq!((port.port, port.protocol.as_str()), (8080, "TCP"), "the named targetPort resolved");
    let victim = simulation
        .pods()
        .find(|pod| pod.spec.node_name == "node-1")
        .map(|pod| pod.metadata.uid.clone())
        .expect("a pod on node-1");
    let name = simulation.pods().find(|pod| pod.metadata.uid == victim).expect("pod").metadata.name.clone();
    simulation.delete_pod("default", &name).expect("deletes");
    simulation.run_until(6_000).expect("runs");
    let (ready, not_ready) = listed_uids(simulation.endpoints_of("default", "web").expect("endpoints"));
    assert!(!ready.contains(&victim) && !not_ready.contains(&victim), "a terminating pod leaves the Endpoints");
    let slice = simulation
        .endpoint_slices()
        .find(|slice| slice.metadata.labels.get(crate::api::LABEL_SERVICE_NAME).map(String::as_str) == Some("web"))
        .expect("a slice");
    assert!(slice.metadata.name.starts_with("web-") && slice.metadata.name.len() == 9);
    let victim_endpoint = slice
        .endpoints
        .iter()
        .find(|endpoint| endpoint.target_ref.as_ref().is_some_and(|target| target.uid == victim))
        .expect("the slice keeps it");
    assert_eq!(
        (victim_endpoint.conditions.ready, victim_endpoint.conditions.serving, victim_endpoint.conditions.terminating),
        (Some(false), Some(true), Some(true))
    );
    simulation.run_until(60_000).expect("runs");
    assert_eq!(counts(&simulation), (3, 0), "the DaemonSet's replacement is listed once ready");
    let cluster_ip = simulation.service("default", "web").expect("service").spec.cluster_ip.clone();
    simulation.delete_service("default", "web").expect("deletes");
    simulation.run_until(60_001).expect("runs");
    assert!(simulation.endpoints_of("default", "web").is_none());
    assert_eq!(simulation.endpoint_slices().count(), 1, "only the kubernetes slice is left");
    assert!(!simulation.store.services.allocators.ips.is_allocated(&cluster_ip));
}
