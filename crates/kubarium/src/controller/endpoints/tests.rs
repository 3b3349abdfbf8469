//! The Endpoints controller's pure decisions: which pods become which addresses, the repacked
//! layout, truncation; and the controller following pods in a running cluster.

use super::*;
use crate::api::{Container, ContainerPort, PodPhase};
use crate::manifest::{parse_manifests, Manifest};

/// A pod with labels, an IP (empty for none) and a readiness.
fn pod(name: &str, ip: &str, ready: bool) -> Pod {
    let mut pod = Pod::default();
    pod.metadata.name = name.to_string();
    pod.metadata.namespace = "default".into();
    pod.metadata.uid = format!("uid-{name}").into();
    pod.metadata.labels.insert("app".to_string(), "web".to_string());
    pod.spec.node_name = "node-1".into();
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
            (
                vec!["10.0.0.1".to_string(), "10.0.0.2".to_string()],
                vec![],
                vec![80, 443]
            ),
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
    assert_eq!(
        (subsets[0].addresses.len(), subsets[0].not_ready_addresses.len()),
        (990, 10)
    );
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
    assert_eq!(
        find_port(&pod, &port(IntOrString::String("http".into()), "TCP")),
        Some(8080)
    );
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
    assert_eq!(
        counts(&simulation),
        (0, 3),
        "pods have IPs while their images are pulled"
    );
    simulation.run_until(5_000).expect("runs");
    assert_eq!(counts(&simulation), (3, 0));
    let port = &simulation.endpoints_of("default", "web").expect("endpoints").subsets[0].ports[0];
    assert_eq!(
        (port.port, port.protocol.as_str()),
        (8080, "TCP"),
        "the named targetPort resolved"
    );
    let victim = simulation
        .pods()
        .find(|pod| pod.spec.node_name == "node-1")
        .map(|pod| pod.metadata.uid.clone())
        .expect("a pod on node-1");
    let name = simulation
        .pods()
        .find(|pod| pod.metadata.uid == victim)
        .expect("pod")
        .metadata
        .name
        .clone();
    simulation.delete_pod("default", &name).expect("deletes");
    simulation.run_until(6_000).expect("runs");
    let (ready, not_ready) = listed_uids(simulation.endpoints_of("default", "web").expect("endpoints"));
    assert!(
        !ready.contains(&victim) && !not_ready.contains(&victim),
        "a terminating pod leaves the Endpoints"
    );
    let slice = simulation
        .endpoint_slices()
        .find(|slice| {
            slice
                .metadata
                .labels
                .get(crate::api::LABEL_SERVICE_NAME)
                .map(String::as_str)
                == Some("web")
        })
        .expect("a slice");
    assert!(slice.metadata.name.starts_with("web-") && slice.metadata.name.len() == 9);
    let victim_endpoint = slice
        .endpoints
        .iter()
        .find(|endpoint| endpoint.target_ref.as_ref().is_some_and(|target| target.uid == victim))
        .expect("the slice keeps it");
    assert_eq!(
        (
            victim_endpoint.conditions.ready,
            victim_endpoint.conditions.serving,
            victim_endpoint.conditions.terminating
        ),
        (Some(false), Some(true), Some(true))
    );
    simulation.run_until(60_000).expect("runs");
    assert_eq!(
        counts(&simulation),
        (3, 0),
        "the DaemonSet's replacement is listed once ready"
    );
    let cluster_ip = simulation
        .service("default", "web")
        .expect("service")
        .spec
        .cluster_ip
        .clone();
    simulation.delete_service("default", "web").expect("deletes");
    simulation.run_until(60_001).expect("runs");
    assert!(simulation.endpoints_of("default", "web").is_none());
    assert_eq!(
        simulation.endpoint_slices().count(),
        1,
        "only the kubernetes slice is left"
    );
    assert!(!simulation.store.services.allocators.ips.is_allocated(&cluster_ip));
}

/// The ready and not-ready pod uids the Endpoints of `service` should list now.
fn expected_uids(simulation: &Simulation, service: &Service) -> (BTreeSet<crate::api::Uid>, BTreeSet<crate::api::Uid>) {
    let pods: Vec<&Pod> = selected_pods(simulation, service).collect();
    let endpoints = Endpoints {
        subsets: desired_subsets(service, &pods),
        ..Endpoints::default()
    };
    listed_uids(&endpoints)
}

/// What the invariant run does to the cluster, drawn from the seed.
fn random_action(rng: &mut crate::rng::Rng, round: u64) -> String {
    let node = format!("node-{}", 1 + rng.below(4));
    match rng.below(7) {
        0 => format!("fail node {node}"),
        1 => format!("recover node {node}"),
        2 => format!("delete node {node}"),
        3 => format!("add node {node}"),
        4 => format!("cordon {node}"),
        5 => format!("delete pod bare-{}", rng.below(round.max(1))),
        _ => format!("uncordon {node}"),
    }
}

const INVARIANT_MANIFESTS: &str = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx, command: [sleep, '100000'], ports: [{name: http, containerPort: 8080}]}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: local}\nspec: {type: NodePort, externalTrafficPolicy: Local, selector: {app: web, tier: bare}, ports: [{port: 80}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: all}\nspec: {clusterIP: None, publishNotReadyAddresses: true, selector: {app: web}}\n";

/// A bare pod of round `round`; every third one crash-loops (its name starts `bare-crash`).
fn bare_pod(round: u64) -> String {
    let name = if round.is_multiple_of(3) {
        format!("bare-crash-{round}")
    } else {
        format!("bare-{round}")
    };
    format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, labels: {{app: web, tier: bare}}}}\nspec: {{containers: [{{name: c, image: nginx}}]}}\n")
}

/// The invariant of the issue, checked after every step of runs over many seeds: wherever the
/// Endpoints controller has no sync of a Service waiting, its Endpoints list exactly the pods
/// the controller would list now, and every ready address is a Ready pod that matches the
/// selector and is not being deleted. While a sync is waiting (the same instant a pod changed)
/// the Endpoints may lag, as an informer-driven controller's do.
#[test]
fn endpoints_only_ever_list_ready_matching_pods() {
    let mut checked_steps = 0u64;
    for seed in 0..40u64 {
        let mut config = crate::ClusterConfig::with_nodes("node", 4);
        config.seed = seed;
        config.behaviour.overrides.push(crate::behaviour::BehaviourOverride {
            prefix: "bare-crash".to_string(),
            behaviour: crate::behaviour::ContainerBehaviour {
                duration_ms: Some(4_000),
                exit_code: Some(1),
                fail_first: None,
            },
        });
        let mut simulation = Simulation::new(&config);
        simulation.apply(INVARIANT_MANIFESTS).expect("applies");
        let mut rng = crate::rng::Rng::new(seed ^ 0x5eed);
        for round in 0..30u64 {
            let until = simulation.now() + 1_000 + rng.below(15_000);
            while simulation.next_event_time().is_some_and(|due| due <= until) {
                simulation.step();
                check_endpoints(&simulation, seed);
                checked_steps += 1;
            }
            simulation.run_until(until).expect("runs");
            let action = if rng.below(3) == 0 {
                crate::actions::Action::Apply {
                    manifests: bare_pod(round),
                }
            } else {
                match crate::actions::parse_action(&random_action(&mut rng, round), None) {
                    Ok(action) => action,
                    Err(error) => panic!("{error}"),
                }
            };
            // Refusals (a node that exists, a pod that does not) are part of the game.
            let _ = simulation.perform(&action);
            check_endpoints(&simulation, seed);
        }
    }
    assert!(checked_steps > 10_000, "only {checked_steps} steps checked");
}

/// The EndpointSlices of a Service with no sync waiting: one endpoint per pod that has an IP,
/// is not finished and is on an existing node; ready exactly when the pod is Ready and not
/// being deleted (or the Service publishes not-ready addresses); at most 100 per slice. A pod
/// whose node was deleted may still be listed: deleting a node syncs no Service (the
/// controller's node handlers only feed its topology cache), so the slice keeps it until the
/// next sync or until the pod garbage collector deletes the pod.
fn check_slices(simulation: &Simulation, service: &Service, seed: u64) {
    let name = &service.metadata.name;
    let slices: Vec<&crate::api::EndpointSlice> = simulation
        .endpoint_slices()
        .filter(|slice| slice.metadata.labels.get(crate::api::LABEL_SERVICE_NAME) == Some(name))
        .collect();
    assert!(
        !slices.is_empty(),
        "seed {seed}: {name} has no slice, not even a placeholder"
    );
    let mut listed = BTreeMap::new();
    for slice in &slices {
        assert!(slice.endpoints.len() <= crate::controller::endpointslice::MAX_ENDPOINTS_PER_SLICE);
        for endpoint in &slice.endpoints {
            let uid = endpoint
                .target_ref
                .as_ref()
                .map(|target| target.uid.clone())
                .unwrap_or_default();
            assert!(
                listed.insert(uid, endpoint.conditions.ready).is_none(),
                "seed {seed}: listed twice"
            );
        }
    }
    let expected: BTreeMap<crate::api::Uid, Option<bool>> = selected_pods(simulation, service)
        .filter(|pod| should_pod_be_in_endpoints(pod, true) && simulation.node(&pod.spec.node_name).is_some())
        .map(|pod| {
            let ready = service.spec.publish_not_ready_addresses || (pod.is_ready() && !pod.metadata.is_terminating());
            (pod.metadata.uid.clone(), Some(ready))
        })
        .collect();
    // The same holds for a pod whose node was deleted and added again after it: adding a
    // node syncs no Service either.
    let node_changed = |pod: &Pod| {
        simulation
            .node(&pod.spec.node_name)
            .is_none_or(|node| node.metadata.creation_timestamp_ms > pod.metadata.creation_timestamp_ms)
    };
    let mut expected = expected;
    for pod in selected_pods(simulation, service).filter(|pod| node_changed(pod)) {
        listed.remove(&pod.metadata.uid);
        expected.remove(&pod.metadata.uid);
    }
    assert_eq!(
        listed,
        expected,
        "seed {seed} at {}: slices of {name}",
        simulation.now()
    );
}

fn check_endpoints(simulation: &Simulation, seed: u64) {
    for service in simulation.services().filter(|service| service.spec.selector.is_some()) {
        let key = ObjectKey::new(&service.metadata.namespace, &service.metadata.name);
        if !simulation.is_queued(&Work::SyncEndpointSlices(key.clone())) {
            check_slices(simulation, service, seed);
        }
        if simulation.is_queued(&Work::SyncEndpoints(key.clone())) {
            continue;
        }
        let name = &service.metadata.name;
        let endpoints = simulation
            .endpoints_of(&key.namespace, name)
            .unwrap_or_else(|| panic!("seed {seed} at {}: no Endpoints for {name}", simulation.now()));
        let listed = listed_uids(endpoints);
        assert_eq!(
            listed,
            expected_uids(simulation, service),
            "seed {seed} at {}: Endpoints of {name}",
            simulation.now()
        );
        for address in endpoints.subsets.iter().flat_map(|subset| &subset.addresses) {
            let target = address.target_ref.as_ref().expect("a pod reference");
            let pod = simulation
                .pod(&target.namespace, &target.name)
                .unwrap_or_else(|| panic!("seed {seed}: {name} lists a missing pod {}", target.name));
            let ready = pod.is_ready() || service.spec.publish_not_ready_addresses;
            let terminating_allowed = service.spec.publish_not_ready_addresses || !pod.metadata.is_terminating();
            assert!(
                ready && terminating_allowed && selector_matches(service, &pod.metadata.labels),
                "seed {seed} at {}: {name} lists {} as ready",
                simulation.now(),
                pod.metadata.name
            );
            assert_eq!(address.ip, pod.status.pod_ip);
        }
    }
}
