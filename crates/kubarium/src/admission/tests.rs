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
    assert_eq!(
        refused.to_string(),
        "document 1: pods \"b\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1"
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
