//! Admission decisions as pure functions: LimitRanger's defaults and bounds, the quota check
//! and its messages, quantities as Kubernetes prints them; then played through `apply`.

use super::*;
use crate::api::{Container, LimitRangeItem, ObjectMeta, ResourceList, ResourceQuotaStatus};
use crate::manifest::{parse_manifests, Manifest};
use crate::sim::{ClusterConfig, Simulation};

fn list(entries: &[(&str, &str)]) -> ResourceList {
    entries
        .iter()
        .map(|(name, amount)| (name.to_string(), Quantity::parse(amount).expect("quantity")))
        .collect()
}

/// Resource amounts as written: (name, quantity).
type Amounts<'a> = &'a [(&'a str, &'a str)];

/// A pod named `p` with one container per (name, requests, limits).
fn pod(containers: &[(&str, Amounts<'_>, Amounts<'_>)]) -> Pod {
    let mut pod = Pod {
        metadata: ObjectMeta {
            name: "p".to_string(),
            ..ObjectMeta::default()
        },
        ..Pod::default()
    };
    let containers: Vec<Container> = containers
        .iter()
        .map(|(name, requests, limits)| {
            let mut container = Container {
                name: name.to_string(),
                ..Container::default()
            };
            container.resources.requests = list(requests);
            container.resources.limits = list(limits);
            container
        })
        .collect();
    pod.spec.containers = containers.into();
    pod
}

fn limit_range(items: Vec<LimitRangeItem>) -> LimitRange {
    let mut range = LimitRange::default();
    range.metadata.name = "limits".to_string();
    range.spec.limits = items;
    range
}

/// A quota whose controller has counted `used`.
fn quota(name: &str, hard: &[(&str, &str)], used: &[(&str, &str)]) -> ResourceQuota {
    let mut quota = ResourceQuota::default();
    quota.metadata.name = name.to_string();
    quota.spec.hard = list(hard);
    quota.status = ResourceQuotaStatus {
        hard: list(hard),
        used: list(used),
    };
    quota
}

#[test]
fn quantities_print_as_kubernetes_prints_them() {
    struct Case {
        resource: &'static str,
        written: &'static str,
        printed: &'static str,
    }
    let cases = [
        Case {
            resource: "cpu",
            written: "500m",
            printed: "500m",
        },
        Case {
            resource: "cpu",
            written: "1",
            printed: "1",
        },
        Case {
            resource: "limits.cpu",
            written: "1500m",
            printed: "1500m",
        },
        Case {
            resource: "requests.memory",
            written: "512Mi",
            printed: "512Mi",
        },
        Case {
            resource: "memory",
            written: "1Gi",
            printed: "1Gi",
        },
        Case {
            resource: "memory",
            written: "1G",
            printed: "1G",
        },
        Case {
            resource: "pods",
            written: "1000",
            printed: "1k",
        },
        Case {
            resource: "pods",
            written: "0",
            printed: "0",
        },
        Case {
            resource: "memory",
            written: "1536Mi",
            printed: "1536Mi",
        },
        Case {
            resource: "memory",
            written: "1023",
            printed: "1023",
        },
    ];
    for case in cases {
        let amount = Quantity::parse(case.written).expect("quantity");
        assert_eq!(format_quantity(case.resource, amount), case.printed, "{}", case.written);
    }
}

#[test]
fn limit_ranger_sets_missing_defaults_and_says_so() {
    let range = limit_range(vec![LimitRangeItem {
        limit_type: "Container".to_string(),
        default: list(&[("cpu", "500m"), ("memory", "256Mi")]),
        default_request: list(&[("cpu", "250m")]),
        ..LimitRangeItem::default()
    }]);
    let mut pod = pod(&[("web", &[], &[("memory", "128Mi")]), ("log", &[("cpu", "100m")], &[])]);
    limitranger::mutate_pod(&range, &mut pod);
    let web = &pod.spec.containers[0].resources;
    assert_eq!(web.requests, list(&[("cpu", "250m")]));
    assert_eq!(web.limits, list(&[("cpu", "500m"), ("memory", "128Mi")]));
    let log = &pod.spec.containers[1].resources;
    assert_eq!(log.requests, list(&[("cpu", "100m")]));
    assert_eq!(log.limits, list(&[("cpu", "500m"), ("memory", "256Mi")]));
    assert_eq!(
        pod.metadata.annotations.get(limitranger::ANNOTATION).map(String::as_str),
        Some("LimitRanger plugin set: cpu request for container web; cpu limit for container web; cpu, memory limit for container log")
    );
}

#[test]
fn limit_ranger_bounds_have_the_plugins_messages() {
    struct Case {
        name: &'static str,
        item: LimitRangeItem,
        requests: &'static [(&'static str, &'static str)],
        limits: &'static [(&'static str, &'static str)],
        expect: Result<(), &'static str>,
    }
    let container = |min: &[(&str, &str)], max: &[(&str, &str)], ratio: &[(&str, &str)]| LimitRangeItem {
        limit_type: "Container".to_string(),
        min: list(min),
        max: list(max),
        max_limit_request_ratio: list(ratio),
        ..LimitRangeItem::default()
    };
    let cases = [
        Case {
            name: "limit over the maximum",
            item: container(&[], &[("cpu", "500m")], &[]),
            requests: &[("cpu", "100m")],
            limits: &[("cpu", "1")],
            expect: Err("maximum cpu usage per Container is 500m, but limit is 1"),
        },
        Case {
            name: "no limit under a maximum",
            item: container(&[], &[("memory", "1Gi")], &[]),
            requests: &[],
            limits: &[],
            expect: Err("maximum memory usage per Container is 1Gi.  No limit is specified"),
        },
        Case {
            name: "request under the minimum",
            item: container(&[("cpu", "200m")], &[], &[]),
            requests: &[("cpu", "100m")],
            limits: &[],
            expect: Err("minimum cpu usage per Container is 200m, but request is 100m"),
        },
        Case {
            name: "ratio too high",
            item: container(&[], &[], &[("cpu", "2")]),
            requests: &[("cpu", "100m")],
            limits: &[("cpu", "500m")],
            expect: Err("cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000"),
        },
        Case {
            name: "two failures are aggregated",
            item: container(&[("cpu", "200m")], &[("cpu", "300m")], &[]),
            requests: &[("cpu", "100m")],
            limits: &[("cpu", "1")],
            expect: Err("[minimum cpu usage per Container is 200m, but request is 100m, maximum cpu usage per Container is 300m, but limit is 1]"),
        },
        Case {
            name: "within bounds",
            item: container(&[("cpu", "100m")], &[("cpu", "1")], &[("cpu", "10")]),
            requests: &[("cpu", "100m")],
            limits: &[("cpu", "1")],
            expect: Ok(()),
        },
    ];
    for case in cases {
        let range = limit_range(vec![case.item]);
        let pod = pod(&[("web", case.requests, case.limits)]);
        assert_eq!(
            limitranger::validate_pod(&range, &pod),
            case.expect.map_err(str::to_string),
            "{}",
            case.name
        );
    }
}

#[test]
fn quota_check_has_the_plugins_messages_and_counts_admitted_pods() {
    struct Case {
        name: &'static str,
        quotas: Vec<ResourceQuota>,
        pod: Pod,
        expect: Result<(), &'static str>,
        /// `used` of the first quota afterwards.
        used_after: &'static [(&'static str, &'static str)],
    }
    let one_cpu_limit = || pod(&[("web", &[("cpu", "1")], &[("cpu", "1")])]);
    let cases = [
        Case {
            name: "exceeded",
            quotas: vec![quota("compute", &[("limits.cpu", "2")], &[("limits.cpu", "2")])],
            pod: one_cpu_limit(),
            expect: Err("exceeded quota: compute, requested: limits.cpu=1, used: limits.cpu=2, limited: limits.cpu=2"),
            used_after: &[("limits.cpu", "2")],
        },
        Case {
            name: "a tracked resource not set",
            quotas: vec![quota(
                "compute",
                &[("limits.cpu", "2"), ("requests.memory", "1Gi")],
                &[],
            )],
            pod: pod(&[("web", &[], &[]), ("log", &[], &[("cpu", "1")])]),
            expect: Err("failed quota: compute: must specify limits.cpu for: web; requests.memory for: log,web"),
            used_after: &[],
        },
        Case {
            name: "usage not counted yet",
            quotas: vec![quota("compute", &[("pods", "2")], &[])],
            pod: one_cpu_limit(),
            expect: Err("status unknown for quota: compute, resources: pods"),
            used_after: &[],
        },
        Case {
            name: "admitted: usage added to every quota",
            quotas: vec![
                quota(
                    "compute",
                    &[("pods", "3"), ("requests.cpu", "2")],
                    &[("pods", "1"), ("requests.cpu", "500m")],
                ),
                quota("objects", &[("count/pods", "10")], &[("count/pods", "4")]),
            ],
            pod: one_cpu_limit(),
            expect: Ok(()),
            used_after: &[("pods", "2"), ("requests.cpu", "1500m")],
        },
        Case {
            name: "one quota full: no quota is charged",
            quotas: vec![
                quota("compute", &[("pods", "3")], &[("pods", "1")]),
                quota("small", &[("pods", "1")], &[("pods", "1")]),
            ],
            pod: one_cpu_limit(),
            expect: Err("exceeded quota: small, requested: pods=1, used: pods=1, limited: pods=1"),
            used_after: &[("pods", "1")],
        },
        Case {
            // `CheckRequest` checks every quota's constraints before any quota's usage.
            name: "a constraint of a later quota comes before an earlier quota's usage",
            quotas: vec![
                quota("a-count", &[("pods", "1")], &[("pods", "1")]),
                quota("b-memory", &[("requests.memory", "1Gi")], &[("requests.memory", "0")]),
            ],
            pod: pod(&[("c", &[], &[])]),
            expect: Err("failed quota: b-memory: must specify requests.memory for: c"),
            used_after: &[("pods", "1")],
        },
        Case {
            name: "a quota of other resources does not apply",
            quotas: vec![quota("objects", &[("services", "1")], &[("services", "1")])],
            pod: one_cpu_limit(),
            expect: Ok(()),
            used_after: &[("services", "1")],
        },
    ];
    for mut case in cases {
        let result = quota::check_pod(&mut case.quotas, &case.pod, 0);
        assert_eq!(result, case.expect.map_err(str::to_string), "{}", case.name);
        assert_eq!(case.quotas[0].status.used, list(case.used_after), "{}", case.name);
    }
}

#[test]
fn finished_pods_count_only_as_objects() {
    let mut finished = pod(&[("web", &[("cpu", "1")], &[])]);
    finished.status.phase = crate::api::PodPhase::Succeeded;
    assert_eq!(quota::pod_usage(&finished, 0), list(&[("count/pods", "1")]));
    let running = pod(&[("web", &[("cpu", "1")], &[])]);
    assert_eq!(
        quota::pod_usage(&running, 0),
        list(&[("count/pods", "1"), ("cpu", "1"), ("pods", "1"), ("requests.cpu", "1")])
    );
}

#[test]
fn applied_quota_and_limit_range_are_typed_and_admit_pods() {
    let text = "apiVersion: v1\nkind: LimitRange\nmetadata: {name: l}\nspec:\n  limits:\n  - type: Container\n    max: {cpu: 500m}\n---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec:\n  hard: {pods: '1'}\n";
    let manifests = parse_manifests(text).expect("valid");
    assert!(matches!(manifests[0], Manifest::LimitRange(_)));
    assert!(matches!(manifests[1], Manifest::ResourceQuota(_)));
    let mut simulation = Simulation::new(&ClusterConfig::with_nodes("n", 1));
    simulation.apply(text).expect("applied");
    // The LimitRange's `max` became the default limit (`SetDefaults_LimitRangeItem`), so a pod
    // without resources gets 500m and fits.
    simulation
        .apply("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: c, image: nginx}]\n")
        .expect("admitted");
    let pod = simulation.pod("default", "a").expect("created");
    assert_eq!(pod.spec.containers[0].resources.limits, list(&[("cpu", "500m")]));
    let refused = simulation
        .apply("apiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers: [{name: c, image: nginx}]\n")
        .expect_err("over quota");
    // Refused after decoding: the problem points at the object's document.
    assert_eq!(
        refused.to_string(),
        "line 1, column 1: pods \"b\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1"
    );
    let second = simulation
        .apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: extra}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: c}\nspec:\n  containers: [{name: c, image: nginx}]\n")
        .expect_err("over quota");
    assert_eq!(
        (second.problems[0].document, second.problems[0].pos.map(|pos| pos.line)),
        (1, Some(5))
    );
    let too_big = simulation
        .apply("apiVersion: v1\nkind: Pod\nmetadata: {name: c}\nspec:\n  containers: [{name: c, image: nginx, resources: {limits: {cpu: '1'}}}]\n")
        .expect_err("over the limit range");
    assert!(
        too_big
            .to_string()
            .contains("pods \"c\" is forbidden: maximum cpu usage per Container is 500m, but limit is 1"),
        "{too_big}"
    );
    // The pod is deleted (unscheduled pods go at once): the quota controller recounts.
    simulation.run_until(5_000).expect("runs");
    simulation.delete_pod("default", "a").expect("deleted");
    simulation.run_until(60_000).expect("runs");
    let quota = &simulation.store.resource_quotas[&ObjectKey::new("default", "q")];
    assert_eq!(quota.status.used, list(&[("pods", "0")]));
}

/// A Service of a type with `ports` ports, the first `node_ports` of them given a node port.
fn service(service_type: &str, ports: usize, node_ports: usize, allocate: Option<bool>) -> crate::api::Service {
    let mut service = crate::api::Service::default();
    service.spec.service_type = service_type.to_string();
    service.spec.allocate_load_balancer_node_ports = allocate;
    service.spec.ports = (0..ports)
        .map(|index| crate::api::ServicePort {
            port: 80 + index as i32,
            node_port: if index < node_ports { 30000 + index as i32 } else { 0 },
            ..crate::api::ServicePort::default()
        })
        .collect();
    service
}

#[test]
fn service_usage_counts_node_ports_and_load_balancers_as_the_service_evaluator() {
    struct Case {
        name: &'static str,
        service: crate::api::Service,
        node_ports: &'static str,
        load_balancers: &'static str,
    }
    let cases = [
        Case {
            name: "a ClusterIP service uses no node port",
            service: service("ClusterIP", 2, 0, None),
            node_ports: "0",
            load_balancers: "0",
        },
        Case {
            name: "a NodePort service uses one per port",
            service: service("NodePort", 3, 1, None),
            node_ports: "3",
            load_balancers: "0",
        },
        Case {
            name: "a LoadBalancer uses one per port and a load balancer",
            service: service("LoadBalancer", 2, 0, None),
            node_ports: "2",
            load_balancers: "1",
        },
        Case {
            name: "without allocated node ports, only the ports that name one",
            service: service("LoadBalancer", 3, 1, Some(false)),
            node_ports: "1",
            load_balancers: "1",
        },
    ];
    for case in cases {
        let usage = quota::service_usage(&case.service);
        let expected = list(&[
            ("count/services", "1"),
            ("services", "1"),
            ("services.nodeports", case.node_ports),
            ("services.loadbalancers", case.load_balancers),
        ]);
        assert_eq!(usage, expected, "{}", case.name);
    }
}

#[test]
fn object_count_evaluators_match_their_names_and_aliases() {
    struct Case {
        kind: &'static str,
        hard: &'static [&'static str],
        matching: &'static [&'static str],
        resource: &'static str,
    }
    let cases = [
        Case {
            kind: "Deployment",
            hard: &["count/deployments.apps", "pods", "count/jobs.batch"],
            matching: &["count/deployments.apps"],
            resource: "deployments.apps",
        },
        Case {
            kind: "ReplicationController",
            hard: &["count/replicationcontrollers", "replicationcontrollers", "services"],
            matching: &["count/replicationcontrollers", "replicationcontrollers"],
            resource: "replicationcontrollers",
        },
        Case {
            kind: "ResourceQuota",
            hard: &["resourcequotas", "cpu"],
            matching: &["resourcequotas"],
            resource: "resourcequotas",
        },
        Case {
            kind: "Job",
            hard: &["count/cronjobs.batch"],
            matching: &[],
            resource: "jobs.batch",
        },
        Case {
            kind: "Service",
            hard: &["count/services", "services.nodeports", "services.loadbalancers", "pods"],
            matching: &["count/services", "services.nodeports", "services.loadbalancers"],
            resource: "services",
        },
    ];
    for case in cases {
        let (evaluator, resource) = quota::Evaluator::of_kind(case.kind).expect("a namespaced kind");
        let hard: Vec<String> = case.hard.iter().map(|name| name.to_string()).collect();
        assert_eq!(evaluator.matching_resources(&hard), case.matching, "{}", case.kind);
        assert_eq!(resource, case.resource, "{}", case.kind);
    }
    assert_eq!(quota::Evaluator::of_kind("Node"), None);
}

#[test]
fn object_count_quota_refuses_with_the_plugins_message() {
    let request = |kind| ObjectRequest::count(kind, "", "web").expect("counted");
    let mut quotas = vec![quota(
        "objects",
        &[("count/deployments.apps", "1"), ("resourcequotas", "2")],
        &[("count/deployments.apps", "0"), ("resourcequotas", "1")],
    )];
    quota::check_request(&mut quotas, &request("Deployment").request).expect("room for one");
    assert_eq!(
        quotas[0].status.used,
        list(&[("count/deployments.apps", "1"), ("resourcequotas", "1")])
    );
    let refused = quota::check_request(&mut quotas, &request("Deployment").request).expect_err("full");
    assert_eq!(
        request("Deployment").forbidden(&refused),
        "deployments.apps \"web\" is forbidden: exceeded quota: objects, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1"
    );
    // A quota that does not measure the resource has nothing to say.
    quota::check_request(&mut quotas, &request("Job").request).expect("not counted");
    // A quota created after the plugin saw the resource, before its controller counted it.
    let mut unknown = vec![quota("new", &[("count/jobs.batch", "1")], &[])];
    assert_eq!(
        quota::check_request(&mut unknown, &request("Job").request),
        Err("status unknown for quota: new, resources: count/jobs.batch".to_string())
    );
}

#[test]
fn applies_are_admitted_against_object_counts_whole_and_deletes_free_them() {
    let mut simulation = Simulation::new(&ClusterConfig::with_nodes("n", 1));
    let quota_text = "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec:\n  hard: {services.nodeports: '2', count/cronjobs.batch: '1', resourcequotas: '1'}\n";
    simulation.apply(quota_text).expect("applied");
    let cron_job = |name: &str| {
        format!("apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: {name}}}\nspec:\n  schedule: '0 0 1 1 *'\n  jobTemplate:\n    spec:\n      template:\n        spec: {{restartPolicy: Never, containers: [{{name: c, image: busybox}}]}}\n")
    };
    // Two CronJobs in one apply: the second is refused and so is the whole batch.
    let refused = simulation
        .apply(&format!("{}---\n{}", cron_job("a"), cron_job("b")))
        .expect_err("over quota");
    assert!(
        refused.to_string().contains(
            "cronjobs.batch \"b\" is forbidden: exceeded quota: q, requested: count/cronjobs.batch=1, used: count/cronjobs.batch=1, limited: count/cronjobs.batch=1"
        ),
        "{refused}"
    );
    assert!(simulation.cron_job("default", "a").is_none());
    simulation.apply(&cron_job("a")).expect("one fits");
    // Reapplying an existing object is an update: not counted again.
    simulation.apply(&cron_job("a")).expect("an update");
    let used = |simulation: &Simulation| {
        simulation.store.resource_quotas[&ObjectKey::new("default", "q")]
            .status
            .used
            .clone()
    };
    assert_eq!(
        used(&simulation),
        list(&[
            ("count/cronjobs.batch", "1"),
            ("resourcequotas", "1"),
            ("services.nodeports", "0")
        ])
    );
    // A second quota is one too many; a NodePort Service of three ports needs three node ports.
    let second = simulation
        .apply("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: r}\nspec:\n  hard: {pods: '1'}\n")
        .expect_err("quotas counted");
    assert!(second.to_string().contains("resourcequotas \"r\" is forbidden: exceeded quota: q, requested: resourcequotas=1, used: resourcequotas=1, limited: resourcequotas=1"), "{second}");
    let node_port = |ports: &str| {
        format!("apiVersion: v1\nkind: Service\nmetadata: {{name: np}}\nspec:\n  type: NodePort\n  selector: {{app: a}}\n  ports: {ports}\n")
    };
    let wide = simulation
        .apply(&node_port(
            "[{name: a, port: 80}, {name: b, port: 81}, {name: c, port: 82}]",
        ))
        .expect_err("three node ports");
    assert!(wide.to_string().contains("services \"np\" is forbidden: exceeded quota: q, requested: services.nodeports=3, used: services.nodeports=0, limited: services.nodeports=2"), "{wide}");
    simulation
        .apply(&node_port("[{name: a, port: 80}]"))
        .expect("one node port");
    // An update is charged what it adds (the service evaluator handles updates).
    simulation
        .apply(&node_port("[{name: a, port: 80}, {name: b, port: 81}]"))
        .expect("one more");
    let more = simulation
        .apply(&node_port(
            "[{name: a, port: 80}, {name: b, port: 81}, {name: c, port: 82}]",
        ))
        .expect_err("a third");
    assert!(
        more.to_string()
            .contains("requested: services.nodeports=1, used: services.nodeports=2"),
        "{more}"
    );
    // Deleting the CronJob frees its count (the quota monitor's replenishment).
    simulation
        .delete_cron_job("default", "a", crate::sim::Cascade::Background)
        .expect("deleted");
    simulation.run_until(1_000).expect("runs");
    assert_eq!(
        used(&simulation),
        list(&[
            ("count/cronjobs.batch", "0"),
            ("resourcequotas", "1"),
            ("services.nodeports", "2")
        ])
    );
    simulation.apply(&cron_job("b")).expect("room again");
}

#[test]
fn pods_match_quota_scopes_as_the_pod_evaluator() {
    struct Case {
        name: &'static str,
        pod: Pod,
        deadline_seconds: Option<i64>,
        best_effort: bool,
        terminating: bool,
    }
    let cases = [
        Case {
            name: "no resources at all",
            pod: pod(&[("c", &[], &[])]),
            deadline_seconds: None,
            best_effort: true,
            terminating: false,
        },
        Case {
            name: "only ephemeral storage: still best effort (qos looks at cpu and memory)",
            pod: pod(&[("c", &[("ephemeral-storage", "1Gi")], &[])]),
            deadline_seconds: None,
            best_effort: true,
            terminating: false,
        },
        Case {
            name: "a zero request does not count",
            pod: pod(&[("c", &[("cpu", "0")], &[])]),
            deadline_seconds: None,
            best_effort: true,
            terminating: false,
        },
        Case {
            name: "one container with a memory limit",
            pod: pod(&[("a", &[], &[]), ("b", &[], &[("memory", "64Mi")])]),
            deadline_seconds: Some(0),
            best_effort: false,
            terminating: true,
        },
        Case {
            name: "a cpu request and a deadline",
            pod: pod(&[("c", &[("cpu", "100m")], &[])]),
            deadline_seconds: Some(30),
            best_effort: false,
            terminating: true,
        },
    ];
    let scoped = |scopes: &[&str]| {
        let mut quota = quota("q", &[("pods", "1")], &[("pods", "0")]);
        quota.spec.scopes = scopes.iter().map(|scope| scope.to_string()).collect();
        quota
    };
    for mut case in cases {
        case.pod.spec.active_deadline_seconds = case.deadline_seconds;
        assert_eq!(quota::is_best_effort(&case.pod), case.best_effort, "{}", case.name);
        assert_eq!(quota::is_terminating(&case.pod), case.terminating, "{}", case.name);
        let in_scopes = |scopes: &[&str]| quota::quota_matches_scopes(&scoped(scopes), Some(&case.pod));
        assert!(in_scopes(&[]), "{}", case.name);
        assert_eq!(in_scopes(&["BestEffort"]), case.best_effort, "{}", case.name);
        assert_eq!(in_scopes(&["NotBestEffort"]), !case.best_effort, "{}", case.name);
        assert_eq!(in_scopes(&["Terminating"]), case.terminating, "{}", case.name);
        assert_eq!(
            in_scopes(&["NotTerminating", "BestEffort"]),
            !case.terminating && case.best_effort,
            "{}",
            case.name
        );
    }
    // Other evaluators never match a scoped quota (`MatchesNoScopeFunc`).
    assert!(!quota::quota_matches_scopes(&scoped(&["NotBestEffort"]), None));
    assert!(quota::quota_matches_scopes(&scoped(&[]), None));
}

#[test]
fn scoped_quotas_admit_and_count_only_their_pods() {
    let mut simulation = Simulation::new(&ClusterConfig::with_nodes("n", 1));
    simulation
        .apply("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: be}\nspec:\n  hard: {pods: '1'}\n  scopes: [BestEffort]\n---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: sized}\nspec:\n  hard: {pods: '1', count/cronjobs.batch: '0'}\n  scopeSelector:\n    matchExpressions: [{scopeName: NotBestEffort, operator: Exists}]\n")
        .expect("applied");
    let bare = |name: &str, resources: &str| {
        format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers: [{{name: c, image: nginx{resources}}}]\n")
    };
    simulation
        .apply(&bare("a", ""))
        .expect("the best effort quota's one pod");
    simulation
        .apply(&bare("b", ", resources: {requests: {cpu: 100m}}"))
        .expect("the other quota's one pod");
    let refused = simulation.apply(&bare("c", "")).expect_err("a second best effort pod");
    assert!(
        refused
            .to_string()
            .contains("pods \"c\" is forbidden: exceeded quota: be, requested: pods=1"),
        "{refused}"
    );
    let refused = simulation
        .apply(&bare("d", ", resources: {limits: {memory: 1Gi}}"))
        .expect_err("a second sized pod");
    assert!(refused.to_string().contains("exceeded quota: sized,"), "{refused}");
    // A scoped quota counts no other object, so its object counts stay at zero.
    simulation
        .apply("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj}\nspec:\n  schedule: '0 0 1 1 *'\n  jobTemplate:\n    spec:\n      template:\n        spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}\n")
        .expect("not counted by a scoped quota");
    simulation.run_until(1_000).expect("runs");
    let used = |name: &str| {
        simulation.store.resource_quotas[&ObjectKey::new("default", name)]
            .status
            .used
            .clone()
    };
    assert_eq!(used("be"), list(&[("pods", "1")]));
    assert_eq!(used("sized"), list(&[("count/cronjobs.batch", "0"), ("pods", "1")]));
    // PriorityClass is valid but not simulated: refused at apply, saying so.
    let priority = simulation
        .apply("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: p}\nspec:\n  hard: {pods: '1'}\n  scopeSelector:\n    matchExpressions: [{scopeName: PriorityClass, operator: In, values: [high]}]\n")
        .expect_err("not simulated");
    assert!(
        priority
            .to_string()
            .contains("the PriorityClass scope is valid, but kubarium does not simulate it"),
        "{priority}"
    );
}

#[test]
fn quota_scopes_are_validated_with_the_api_servers_messages() {
    struct Case {
        name: &'static str,
        spec: &'static str,
        message: &'static str,
    }
    let cases = [
        Case {
            name: "best effort limits pods only",
            spec: "hard: {pods: '1', requests.cpu: '1'}\n  scopes: [BestEffort]",
            message: "spec.scopes: Invalid value: []core.ResourceQuotaScope{\"BestEffort\"}: unsupported scope applied to resource",
        },
        Case {
            name: "an unknown scope",
            spec: "hard: {pods: '1'}\n  scopes: [Sometimes]",
            message: "spec.scopes: Invalid value: []core.ResourceQuotaScope{\"Sometimes\"}: unsupported scope",
        },
        Case {
            name: "a pair that conflicts",
            spec: "hard: {pods: '1'}\n  scopes: [Terminating, NotTerminating]",
            message: "spec.scopes: Invalid value: []core.ResourceQuotaScope{\"Terminating\", \"NotTerminating\"}: conflicting scopes",
        },
        Case {
            name: "a pod scope with an operator other than Exists",
            spec: "hard: {pods: '1'}\n  scopeSelector:\n    matchExpressions: [{scopeName: BestEffort, operator: In, values: [x]}]",
            message: "spec.scopeSelector.matchExpressions.operator: Invalid value: \"In\": must be 'Exist' when scope is any of",
        },
        Case {
            name: "In without values",
            spec: "hard: {pods: '1'}\n  scopeSelector:\n    matchExpressions: [{scopeName: PriorityClass, operator: In}]",
            message: "spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
        },
        Case {
            name: "count resources are not standard, so any scope may limit them",
            spec: "hard: {count/jobs.batch: '1'}\n  scopes: [BestEffort]",
            message: "",
        },
    ];
    for case in cases {
        let text = format!(
            "apiVersion: v1\nkind: ResourceQuota\nmetadata: {{name: q}}\nspec:\n  {}\n",
            case.spec
        );
        match parse_manifests(&text) {
            Ok(_) => assert!(case.message.is_empty(), "{}: accepted", case.name),
            Err(error) => {
                assert!(!case.message.is_empty(), "{}: {error}", case.name);
                assert!(error.to_string().contains(case.message), "{}: {error}", case.name);
            }
        }
    }
}
