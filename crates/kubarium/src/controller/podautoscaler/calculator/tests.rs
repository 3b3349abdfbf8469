//! The replica calculator's cases, after `replica_calculator_test.go` (`TestReplicaCalc*`).

use std::collections::BTreeMap;

use super::*;
use crate::api::PodPhase;

const NOW: Millis = 3_600 * SECOND_MS;

/// A pod in a test: its usage (None: no metric), request, and readiness.
struct TestPod {
    usage_milli: Option<i64>,
    request_milli: Option<i64>,
    phase: PodPhase,
    /// The Ready condition's status and how long ago it last changed.
    ready: bool,
    ready_for_ms: Millis,
    started_ago_ms: Millis,
}

/// A ready pod, started and ready for an hour, with a 1-CPU request.
fn pod(usage_milli: Option<i64>) -> TestPod {
    TestPod {
        usage_milli,
        request_milli: Some(1000),
        phase: PodPhase::Running,
        ready: true,
        ready_for_ms: NOW,
        started_ago_ms: NOW,
    }
}

fn world(pods: &[TestPod]) -> (Vec<PodFacts>, BTreeMap<String, PodMetric>) {
    let mut facts = Vec::new();
    let mut metrics = BTreeMap::new();
    for (index, test_pod) in pods.iter().enumerate() {
        let name = format!("pod-{index}");
        facts.push(PodFacts {
            name: name.clone(),
            phase: test_pod.phase,
            deleting: false,
            ready: Some((test_pod.ready, NOW - test_pod.ready_for_ms)),
            start_time_ms: Some(NOW - test_pod.started_ago_ms),
            cpu_request_milli: test_pod
                .request_milli
                .ok_or_else(|| format!("missing request for cpu in container app of Pod {name}")),
        });
        if let Some(usage_milli) = test_pod.usage_milli {
            let metric = PodMetric {
                usage_milli,
                timestamp_ms: NOW,
                window_ms: 15 * SECOND_MS,
            };
            metrics.insert(name, metric);
        }
    }
    (facts, metrics)
}

struct Case {
    name: &'static str,
    // Object spec.
    current_replicas: i32,
    target_utilization: i32,
    // World.
    pods: Vec<TestPod>,
    // Expect.
    expected: Result<(i32, i32), &'static str>,
}

#[test]
fn resource_replicas_cases() {
    let never_ready = |usage| TestPod {
        ready: false,
        ready_for_ms: NOW,
        ..pod(Some(usage))
    };
    let cases = vec![
        Case {
            name: "scale up: 1500m of 3000m is 50% against 30%",
            current_replicas: 3,
            target_utilization: 30,
            pods: vec![pod(Some(300)), pod(Some(500)), pod(Some(700))],
            expected: Ok((5, 50)),
        },
        Case {
            name: "scale up with an unready pod: it counts as using nothing",
            current_replicas: 3,
            target_utilization: 30,
            pods: vec![never_ready(300), pod(Some(500)), pod(Some(700))],
            expected: Ok((4, 60)),
        },
        Case {
            name: "scale down: 28% against 50%",
            current_replicas: 5,
            target_utilization: 50,
            pods: vec![
                pod(Some(100)),
                pod(Some(300)),
                pod(Some(500)),
                pod(Some(250)),
                pod(Some(250)),
            ],
            expected: Ok((3, 28)),
        },
        Case {
            name: "within the 10% tolerance nothing changes",
            current_replicas: 3,
            target_utilization: 100,
            pods: vec![pod(Some(1010)), pod(Some(1030)), pod(Some(1020))],
            expected: Ok((3, 102)),
        },
        Case {
            name: "a missing pod counts as 0% on a scale-up, which lands within tolerance",
            current_replicas: 2,
            target_utilization: 100,
            pods: vec![pod(Some(1900)), pod(None)],
            expected: Ok((2, 190)),
        },
        Case {
            name: "missing pods count as 100% of their request on a scale-down",
            current_replicas: 4,
            target_utilization: 100,
            pods: vec![pod(Some(400)), pod(Some(95)), pod(None), pod(None)],
            expected: Ok((3, 24)),
        },
        Case {
            name: "a pending pod is unready and left out of a scale-down",
            current_replicas: 3,
            target_utilization: 50,
            pods: vec![
                pod(Some(100)),
                pod(Some(100)),
                TestPod {
                    phase: PodPhase::Pending,
                    ..pod(None)
                },
            ],
            expected: Ok((1, 10)),
        },
        Case {
            name: "a pod ready for less than a metric window in its first five minutes is unready",
            current_replicas: 2,
            target_utilization: 50,
            pods: vec![
                pod(Some(900)),
                TestPod {
                    ready_for_ms: 10 * SECOND_MS,
                    started_ago_ms: 60 * SECOND_MS,
                    ..pod(Some(900))
                },
            ],
            // Only the first pod is counted (90%); the other is taken as using nothing:
            // 900 of 2000 is 45%, so ceil(0.9 * 2) = 2 keeps the count.
            expected: Ok((2, 90)),
        },
        Case {
            name: "every pod unready",
            current_replicas: 1,
            target_utilization: 50,
            pods: vec![never_ready(500)],
            expected: Err("did not receive metrics for targeted pods (pods might be unready)"),
        },
        Case {
            name: "no metrics at all",
            current_replicas: 1,
            target_utilization: 50,
            pods: vec![pod(None)],
            expected: Err("unable to get metrics for resource cpu: no metrics returned from resource metrics API"),
        },
        Case {
            name: "a container without a CPU request",
            current_replicas: 1,
            target_utilization: 50,
            pods: vec![TestPod {
                request_milli: None,
                ..pod(Some(100))
            }],
            expected: Err("missing request for cpu in container app of Pod pod-0"),
        },
    ];
    for case in cases {
        let (facts, metrics) = world(&case.pods);
        let result = resource_replicas(case.current_replicas, case.target_utilization, &facts, &metrics, NOW)
            .map(|result| (result.replicas, result.utilization));
        assert_eq!(result, case.expected.map_err(str::to_string), "{}", case.name);
    }
}

#[test]
fn utilization_is_whole_percent_and_the_raw_average_is_per_pod() {
    let metrics = BTreeMap::from([("a".to_string(), 333), ("b".to_string(), 334)]);
    let requests = BTreeMap::from([("a".to_string(), 1000), ("b".to_string(), 1000)]);
    let (ratio, utilization, raw) = utilization_ratio(&metrics, &requests, 50).unwrap();
    assert_eq!((utilization, raw), (33, 333));
    assert!((ratio - 0.66).abs() < 1e-9);
    assert_eq!(
        utilization_ratio(&metrics, &BTreeMap::new(), 50).unwrap_err(),
        "no metrics returned matched known pods"
    );
}
