//! The Service storage's decisions: allocation on create, what an update keeps, gives back and
//! refuses, with the API server's messages.

use super::*;
use crate::manifest::{parse_manifests, Manifest};

/// A Service from YAML, through the whole manifest pipeline (validation and defaults).
fn service(yaml: &str) -> Service {
    let text = format!("apiVersion: v1\nkind: Service\n{yaml}");
    match parse_manifests(&text).expect("valid").remove(0) {
        Manifest::Service(service) => *service,
        other => panic!("not a Service: {other:?}"),
    }
}

struct CreateCase {
    name: &'static str,
    // object spec
    yaml: &'static str,
    // world: node ports and IPs already taken
    taken_ports: &'static [i32],
    taken_ips: &'static [&'static str],
    // expect
    result: Result<(), &'static str>,
    check: fn(&Service),
}

#[test]
fn create_allocates_as_the_api_server_does() {
    let cases = [
        CreateCase {
            name: "a ClusterIP Service gets a random IP above the static band, IPv4 single stack",
            yaml: "metadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n",
            taken_ports: &[],
            taken_ips: &[],
            result: Ok(()),
            check: |service| {
                let address = crate::service_alloc::parse_ipv4(&service.spec.cluster_ip).expect("an IPv4");
                assert!(address >= crate::service_alloc::parse_ipv4("10.96.1.1").unwrap());
                assert_eq!(service.spec.cluster_ips, std::slice::from_ref(&service.spec.cluster_ip));
                assert_eq!(service.spec.ip_families, ["IPv4"]);
                assert_eq!(service.spec.ip_family_policy.as_deref(), Some("SingleStack"));
                assert_eq!(service.spec.ports[0].node_port, 0);
            },
        },
        CreateCase {
            name: "a requested cluster IP is honoured",
            yaml: "metadata: {name: dns}\nspec: {clusterIP: 10.96.0.10, selector: {app: dns}, ports: [{port: 53}]}\n",
            taken_ports: &[],
            taken_ips: &[],
            result: Ok(()),
            check: |service| assert_eq!(service.spec.cluster_ips, ["10.96.0.10"]),
        },
        CreateCase {
            name: "a requested cluster IP that is taken is refused",
            yaml: "metadata: {name: dns}\nspec: {clusterIP: 10.96.0.10, selector: {app: dns}, ports: [{port: 53}]}\n",
            taken_ports: &[],
            taken_ips: &["10.96.0.10"],
            result: Err("The Service \"dns\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.0.10\"}: failed to allocate IP 10.96.0.10: provided IP is already allocated"),
            check: |_| {},
        },
        CreateCase {
            name: "a cluster IP outside the service CIDR is refused",
            yaml: "metadata: {name: far}\nspec: {clusterIP: 10.0.0.5, ports: [{port: 80}]}\n",
            taken_ports: &[],
            taken_ips: &[],
            result: Err("The Service \"far\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.0.0.5\"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12"),
            check: |_| {},
        },
        CreateCase {
            name: "a headless Service gets no IP",
            yaml: "metadata: {name: db}\nspec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}\n",
            taken_ports: &[],
            taken_ips: &[],
            result: Ok(()),
            check: |service| {
                assert_eq!(service.spec.cluster_ips, ["None"]);
                assert_eq!(service.spec.ip_families, ["IPv4"]);
            },
        },
        CreateCase {
            name: "a headless Service without selector defaults to RequireDualStack with both families",
            yaml: "metadata: {name: ext}\nspec: {clusterIP: None, ports: [{port: 80}]}\n",
            taken_ports: &[],
            taken_ips: &[],
            result: Ok(()),
            check: |service| {
                assert_eq!(service.spec.ip_family_policy.as_deref(), Some("RequireDualStack"));
                assert_eq!(service.spec.ip_families, ["IPv4", "IPv6"]);
            },
        },
        CreateCase {
            name: "an ExternalName Service gets nothing",
            yaml: "metadata: {name: mail}\nspec: {type: ExternalName, externalName: mail.example.com}\n",
            taken_ports: &[],
            taken_ips: &[],
            result: Ok(()),
            check: |service| {
                assert!(service.spec.cluster_ip.is_empty() && service.spec.ip_families.is_empty());
                assert_eq!(service.spec.ip_family_policy, None);
            },
        },
        CreateCase {
            name: "a NodePort Service gets its requested node port",
            yaml: "metadata: {name: web}\nspec: {type: NodePort, selector: {app: web}, ports: [{port: 80, nodePort: 30080}]}\n",
            taken_ports: &[],
            taken_ips: &[],
            result: Ok(()),
            check: |service| assert_eq!(service.spec.ports[0].node_port, 30080),
        },
        CreateCase {
            name: "a requested node port that is taken is refused with the allocator's message",
            yaml: "metadata: {name: web2}\nspec: {type: NodePort, selector: {app: web}, ports: [{port: 80, nodePort: 30080}]}\n",
            taken_ports: &[30080],
            taken_ips: &[],
            result: Err("The Service \"web2\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"),
            check: |_| {},
        },
        CreateCase {
            name: "TCP and UDP on one port share a random node port; a LoadBalancer gets ports too",
            yaml: "metadata: {name: dns}\nspec:\n  type: LoadBalancer\n  selector: {app: dns}\n  ports: [{name: tcp, port: 53}, {name: udp, port: 53, protocol: UDP}]\n",
            taken_ports: &[],
            taken_ips: &[],
            result: Ok(()),
            check: |service| {
                let ports: Vec<i32> = service.spec.ports.iter().map(|port| port.node_port).collect();
                assert!((30086..=32767).contains(&ports[0]), "{ports:?}");
                assert_eq!(ports[0], ports[1]);
                assert_eq!(service.spec.health_check_node_port, 0);
            },
        },
        CreateCase {
            name: "a LoadBalancer with allocateLoadBalancerNodePorts false gets none",
            yaml: "metadata: {name: lb}\nspec: {type: LoadBalancer, allocateLoadBalancerNodePorts: false, ports: [{port: 80}]}\n",
            taken_ports: &[],
            taken_ips: &[],
            result: Ok(()),
            check: |service| assert_eq!(service.spec.ports[0].node_port, 0),
        },
        CreateCase {
            name: "a LoadBalancer with externalTrafficPolicy Local gets a health check node port",
            yaml: "metadata: {name: lb}\nspec: {type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 80}]}\n",
            taken_ports: &[],
            taken_ips: &[],
            result: Ok(()),
            check: |service| {
                let health = service.spec.health_check_node_port;
                assert!((30000..=32767).contains(&health) && health != service.spec.ports[0].node_port);
            },
        },
        CreateCase {
            name: "dual stack cannot be required of a single-stack cluster",
            yaml: "metadata: {name: both}\nspec: {ipFamilyPolicy: RequireDualStack, ports: [{port: 80}]}\n",
            taken_ports: &[],
            taken_ips: &[],
            result: Err("The Service \"both\" is invalid: spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services"),
            check: |_| {},
        },
        CreateCase {
            name: "IPv6 is not configured",
            yaml: "metadata: {name: six}\nspec: {ipFamilies: [IPv6], ports: [{port: 80}]}\n",
            taken_ports: &[],
            taken_ips: &[],
            result: Err("The Service \"six\" is invalid: spec.ipFamilies[0]: Invalid value: \"IPv6\": not configured on this cluster"),
            check: |_| {},
        },
    ];
    for case in cases {
        let mut allocators = ServiceAllocators::default();
        for port in case.taken_ports {
            allocators.node_ports.allocate(*port).expect("free");
        }
        for ip in case.taken_ips {
            allocators.ips.allocate(ip).expect("free");
        }
        let before = allocators.clone();
        let mut created = service(case.yaml);
        let result = prepare_create(&mut created, &mut allocators, &mut Rng::new(3));
        assert_eq!(
            result.as_ref().map(|_| ()).map_err(String::as_str),
            case.result,
            "{}",
            case.name
        );
        match result {
            Ok(()) => {
                (case.check)(&created);
                if created.has_cluster_ip() {
                    assert!(allocators.ips.is_allocated(&created.spec.cluster_ip), "{}", case.name);
                }
                for port in created.spec.ports.iter().filter(|port| port.node_port != 0) {
                    assert!(allocators.node_ports.is_allocated(port.node_port), "{}", case.name);
                }
            }
            Err(_) => assert_eq!(allocators, before, "{}: a refused create takes nothing", case.name),
        }
    }
}

/// Creates a Service and returns it with the allocators it took from.
fn created(yaml: &str) -> (Service, ServiceAllocators) {
    let mut allocators = ServiceAllocators::default();
    let mut service = service(yaml);
    prepare_create(&mut service, &mut allocators, &mut Rng::new(1)).expect("created");
    (service, allocators)
}

#[test]
fn reapplying_the_same_manifest_keeps_what_was_allocated() {
    let yaml = "metadata: {name: web}\nspec: {type: NodePort, selector: {app: web}, ports: [{name: http, port: 80}]}\n";
    let (old, mut allocators) = created(yaml);
    let before = allocators.clone();
    let mut again = service(yaml);
    prepare_update(&mut again, &old, &mut allocators, &mut Rng::new(2)).expect("updated");
    assert_eq!(again.spec, old.spec);
    assert_eq!(allocators, before);
}

#[test]
fn the_cluster_ip_may_not_change() {
    let (old, mut allocators) = created("metadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n");
    let mut changed =
        service("metadata: {name: web}\nspec: {clusterIP: 10.96.0.77, selector: {app: web}, ports: [{port: 80}]}\n");
    let error = prepare_update(&mut changed, &old, &mut allocators, &mut Rng::new(2)).unwrap_err();
    assert_eq!(
        error,
        "The Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.77\"}: may not change once set"
    );
}

#[test]
fn a_type_change_gives_back_or_takes_what_the_type_uses() {
    let (node_port, mut allocators) = created(
        "metadata: {name: web}\nspec: {type: NodePort, selector: {app: web}, ports: [{port: 80, nodePort: 30080}]}\n",
    );
    // NodePort to ClusterIP: the node port goes back, the cluster IP stays.
    let mut cluster_ip = service("metadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n");
    prepare_update(&mut cluster_ip, &node_port, &mut allocators, &mut Rng::new(2)).expect("updated");
    assert_eq!(cluster_ip.spec.ports[0].node_port, 0);
    assert!(!allocators.node_ports.is_allocated(30080));
    assert_eq!(cluster_ip.spec.cluster_ip, node_port.spec.cluster_ip);
    // ClusterIP to ExternalName: the IP goes back.
    let mut external = service("metadata: {name: web}\nspec: {type: ExternalName, externalName: example.com}\n");
    prepare_update(&mut external, &cluster_ip, &mut allocators, &mut Rng::new(2)).expect("updated");
    assert!(external.spec.cluster_ip.is_empty());
    assert!(!allocators.ips.is_allocated(&cluster_ip.spec.cluster_ip));
    // And back: a new IP is allocated.
    let mut back = service("metadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n");
    prepare_update(&mut back, &external, &mut allocators, &mut Rng::new(2)).expect("updated");
    assert!(allocators.ips.is_allocated(&back.spec.cluster_ip));
}

#[test]
fn release_gives_back_every_ip_and_port() {
    let (service, mut allocators) = created(
        "metadata: {name: lb}\nspec: {type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 80}]}\n",
    );
    release(&service, &mut allocators);
    assert_eq!(allocators, ServiceAllocators::default());
}

#[test]
fn a_cluster_starts_with_the_kubernetes_service() {
    let simulation = Simulation::new(&crate::ClusterConfig::with_nodes("node", 1));
    let kubernetes = simulation
        .service("default", "kubernetes")
        .expect("the kubernetes Service");
    assert_eq!(kubernetes.spec.cluster_ip, "10.96.0.1");
    assert_eq!(kubernetes.spec.ports[0].port, 443);
    assert!(simulation.store.services.allocators.ips.is_allocated("10.96.0.1"));
    let endpoints = simulation.endpoints_of("default", "kubernetes").expect("its Endpoints");
    assert_eq!(endpoints.subsets[0].addresses[0].ip, API_SERVER_IP);
    assert_eq!(endpoints.subsets[0].ports[0].port, API_SERVER_PORT);
}
