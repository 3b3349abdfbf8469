//! Table tests of the DaemonSet controller's pure decisions, after the cases of
//! `pkg/controller/daemon/update_test.go` (`TestDaemonSetUpdatesPods`,
//! `TestDaemonSetUpdatesWhenNewPodIsNotReady`, `TestDaemonSetUpdatesAllOldPodsNotReady`,
//! `TestDaemonSetUpdatesAllOldPodsNotReadyMaxSurge`, `TestGetUnavailableNumbers`) and
//! `daemon_controller_test.go` (`TestPodsShouldBeOnNode`-like surge cases).

use std::collections::BTreeMap;

use super::*;
use crate::api::{IntOrString, RollingUpdateDaemonSet};

const NOW: Millis = 100_000;

/// A pod on a node: `updated` or not, ready since `ready_since` (or not ready).
fn pod(name: &str, updated: bool, ready_since: Option<Millis>) -> DaemonPod {
    DaemonPod {
        name: name.to_string(),
        updated,
        terminating: false,
        phase: PodPhase::Running,
        scheduled: true,
        created_ms: 0,
        ready_since_ms: ready_since,
    }
}

fn old_ready(name: &str) -> DaemonPod {
    pod(name, false, Some(0))
}

fn new_ready(name: &str) -> DaemonPod {
    pod(name, true, Some(0))
}

fn nodes(entries: Vec<(&str, Vec<DaemonPod>)>) -> BTreeMap<String, RolloutNode> {
    entries
        .into_iter()
        .map(|(name, pods)| {
            (
                name.to_string(),
                RolloutNode {
                    pods,
                    should_run: true,
                },
            )
        })
        .collect()
}

fn rollout(min_ready_ms: Millis) -> Rollout {
    Rollout {
        allows_surge: false,
        min_ready_ms,
        now: NOW,
    }
}

fn daemon_set_with(max_unavailable: Option<IntOrString>, max_surge: Option<IntOrString>) -> DaemonSet {
    let mut daemon_set = DaemonSet::default();
    daemon_set.spec.update_strategy.strategy_type = "RollingUpdate".to_string();
    daemon_set.spec.update_strategy.rolling_update = Some(RollingUpdateDaemonSet {
        max_unavailable,
        max_surge,
    });
    daemon_set
}

struct PlanCase {
    name: &'static str,
    // world
    nodes: BTreeMap<String, RolloutNode>,
    max_surge: usize,
    max_unavailable: usize,
    min_ready_ms: Millis,
    // expect
    delete: Vec<&'static str>,
    create_on: Vec<&'static str>,
}

#[test]
fn rolling_update_plans() {
    let cases = vec![
        PlanCase {
            name: "maxUnavailable 2 of 5 up-to-date-less nodes deletes two old pods",
            nodes: nodes(vec![
                ("n1", vec![old_ready("a")]),
                ("n2", vec![old_ready("b")]),
                ("n3", vec![old_ready("c")]),
                ("n4", vec![old_ready("d")]),
                ("n5", vec![old_ready("e")]),
            ]),
            max_surge: 0,
            max_unavailable: 2,
            min_ready_ms: 0,
            delete: vec!["a", "b"],
            create_on: vec![],
        },
        PlanCase {
            name: "a new pod not yet ready uses up the budget",
            nodes: nodes(vec![
                ("n1", vec![pod("a2", true, None)]),
                ("n2", vec![old_ready("b")]),
                ("n3", vec![old_ready("c")]),
            ]),
            max_surge: 0,
            max_unavailable: 1,
            min_ready_ms: 0,
            delete: vec![],
            create_on: vec![],
        },
        PlanCase {
            name: "a node without its pod (being replaced) counts as unavailable",
            nodes: nodes(vec![("n1", vec![]), ("n2", vec![old_ready("b")]), ("n3", vec![old_ready("c")])]),
            max_surge: 0,
            max_unavailable: 2,
            min_ready_ms: 0,
            delete: vec!["b"],
            create_on: vec![],
        },
        PlanCase {
            name: "old pods that are not ready are all replaced, whatever the budget",
            nodes: nodes(vec![
                ("n1", vec![pod("a", false, None)]),
                ("n2", vec![pod("b", false, None)]),
                ("n3", vec![pod("c", false, None)]),
            ]),
            max_surge: 0,
            max_unavailable: 1,
            min_ready_ms: 0,
            delete: vec!["a", "b", "c"],
            create_on: vec![],
        },
        PlanCase {
            name: "minReadySeconds: a new pod ready for less than that is still unavailable",
            nodes: nodes(vec![
                ("n1", vec![pod("a2", true, Some(NOW - 5_000))]),
                ("n2", vec![old_ready("b")]),
            ]),
            max_surge: 0,
            max_unavailable: 1,
            min_ready_ms: 10_000,
            delete: vec![],
            create_on: vec![],
        },
        PlanCase {
            name: "minReadySeconds: once it is over, the next old pod goes",
            nodes: nodes(vec![
                ("n1", vec![pod("a2", true, Some(NOW - 10_000))]),
                ("n2", vec![old_ready("b")]),
            ]),
            max_surge: 0,
            max_unavailable: 1,
            min_ready_ms: 10_000,
            delete: vec!["b"],
            create_on: vec![],
        },
        PlanCase {
            name: "maxSurge 1: one new pod starts beside an old one",
            nodes: nodes(vec![
                ("n1", vec![old_ready("a")]),
                ("n2", vec![old_ready("b")]),
                ("n3", vec![old_ready("c")]),
            ]),
            max_surge: 1,
            max_unavailable: 0,
            min_ready_ms: 0,
            delete: vec![],
            create_on: vec!["n1"],
        },
        PlanCase {
            name: "maxSurge 1: while the surge pod is not available nothing else starts",
            nodes: nodes(vec![
                ("n1", vec![old_ready("a"), pod("a2", true, None)]),
                ("n2", vec![old_ready("b")]),
            ]),
            max_surge: 1,
            max_unavailable: 0,
            min_ready_ms: 0,
            delete: vec![],
            create_on: vec![],
        },
        PlanCase {
            name: "maxSurge 1: the surge pod is available, so the old one goes and the next node surges",
            nodes: nodes(vec![("n1", vec![old_ready("a"), new_ready("a2")]), ("n2", vec![old_ready("b")])]),
            max_surge: 1,
            max_unavailable: 0,
            min_ready_ms: 0,
            delete: vec!["a"],
            create_on: vec!["n2"],
        },
        PlanCase {
            name: "maxSurge: old pods that are not ready get a new pod beside them at once",
            nodes: nodes(vec![
                ("n1", vec![pod("a", false, None)]),
                ("n2", vec![pod("b", false, None)]),
                ("n3", vec![old_ready("c")]),
            ]),
            max_surge: 1,
            max_unavailable: 0,
            min_ready_ms: 0,
            delete: vec![],
            create_on: vec!["n1", "n2", "n3"],
        },
    ];
    for case in cases {
        let plan = rolling_update_plan(
            &case.nodes,
            case.max_surge,
            case.max_unavailable,
            case.nodes.values().filter(|node| node.should_run).count(),
            Rollout {
                allows_surge: case.max_surge > 0,
                ..rollout(case.min_ready_ms)
            },
        );
        assert_eq!(plan.delete, case.delete, "{}: deleted", case.name);
        assert_eq!(plan.create_on, case.create_on, "{}: created", case.name);
    }
}

#[test]
fn surge_keeps_an_available_old_pod_on_a_node_that_no_longer_qualifies_until_enough_are_available() {
    let mut world = nodes(vec![("n1", vec![new_ready("a")]), ("n2", vec![new_ready("b")])]);
    world.insert(
        "gone".to_string(),
        RolloutNode {
            pods: vec![old_ready("c")],
            should_run: false,
        },
    );
    let surge = Rollout {
        allows_surge: true,
        ..rollout(0)
    };
    // Three available pods, two desired: one may go.
    assert_eq!(rolling_update_plan(&world, 1, 0, 2, surge).delete, vec!["c"]);
    // Only two available (n2's pod not ready), two desired: it stays.
    world.get_mut("n2").map(|node| node.pods[0].ready_since_ms = None);
    assert!(rolling_update_plan(&world, 1, 0, 2, surge).delete.is_empty());
}

struct NodeCase {
    name: &'static str,
    // world
    should_run: bool,
    should_continue_running: bool,
    pods: Option<Vec<DaemonPod>>,
    allows_surge: bool,
    // expect
    create: bool,
    delete: Vec<(&'static str, DeleteReason)>,
}

#[test]
fn pods_should_be_on_node_decisions() {
    let younger = |name: &str, updated: bool, ready: Option<Millis>| DaemonPod {
        created_ms: 5_000,
        ..pod(name, updated, ready)
    };
    let cases = vec![
        NodeCase {
            name: "no pod where one should run: create",
            should_run: true,
            should_continue_running: true,
            pods: None,
            allows_surge: false,
            create: true,
            delete: vec![],
        },
        NodeCase {
            name: "only a terminating pod: wait for it to go",
            should_run: true,
            should_continue_running: true,
            pods: Some(vec![DaemonPod {
                terminating: true,
                ..old_ready("a")
            }]),
            allows_surge: false,
            create: false,
            delete: vec![],
        },
        NodeCase {
            name: "surging: a terminating pod does not hold back the new one",
            should_run: true,
            should_continue_running: true,
            pods: Some(vec![DaemonPod {
                terminating: true,
                ..old_ready("a")
            }]),
            allows_surge: true,
            create: true,
            delete: vec![],
        },
        NodeCase {
            name: "failed and succeeded pods are deleted",
            should_run: true,
            should_continue_running: true,
            pods: Some(vec![
                DaemonPod {
                    phase: PodPhase::Failed,
                    ..old_ready("a")
                },
                DaemonPod {
                    phase: PodPhase::Succeeded,
                    ..old_ready("b")
                },
            ]),
            allows_surge: false,
            create: false,
            delete: vec![("a", DeleteReason::Failed), ("b", DeleteReason::Succeeded)],
        },
        NodeCase {
            name: "two running pods without surge: the younger goes",
            should_run: true,
            should_continue_running: true,
            pods: Some(vec![younger("b", true, None), old_ready("a")]),
            allows_surge: false,
            create: false,
            delete: vec![("b", DeleteReason::Plain)],
        },
        NodeCase {
            name: "surge: a new pod not yet available beside a ready old one: both stay",
            should_run: true,
            should_continue_running: true,
            pods: Some(vec![old_ready("a"), younger("b", true, None)]),
            allows_surge: true,
            create: false,
            delete: vec![],
        },
        NodeCase {
            name: "surge: the new pod is available: the old one goes",
            should_run: true,
            should_continue_running: true,
            pods: Some(vec![old_ready("a"), younger("b", true, Some(6_000))]),
            allows_surge: true,
            create: false,
            delete: vec![("a", DeleteReason::Plain)],
        },
        NodeCase {
            name: "surge: the old pod is not ready: it goes",
            should_run: true,
            should_continue_running: true,
            pods: Some(vec![pod("a", false, None), younger("b", true, None)]),
            allows_surge: true,
            create: false,
            delete: vec![("a", DeleteReason::Plain)],
        },
        NodeCase {
            name: "may not continue (untolerated NoExecute): every pod goes",
            should_run: false,
            should_continue_running: false,
            pods: Some(vec![old_ready("a")]),
            allows_surge: false,
            create: false,
            delete: vec![("a", DeleteReason::Plain)],
        },
        NodeCase {
            name: "should not run but may continue (NoSchedule taint): the pod stays",
            should_run: false,
            should_continue_running: true,
            pods: Some(vec![old_ready("a")]),
            allows_surge: false,
            create: false,
            delete: vec![],
        },
    ];
    for case in cases {
        let placement = Placement {
            should_run: case.should_run,
            should_continue_running: case.should_continue_running,
            reason: None,
        };
        let decision = pods_should_be_on_node(
            &placement,
            case.pods.as_deref(),
            Rollout {
                allows_surge: case.allows_surge,
                ..rollout(0)
            },
        );
        assert_eq!(decision.create, case.create, "{}: create", case.name);
        let deleted: Vec<(&str, DeleteReason)> = decision
            .delete
            .iter()
            .map(|(name, reason)| (name.as_str(), *reason))
            .collect();
        assert_eq!(deleted, case.delete, "{}: delete", case.name);
    }
}

#[test]
fn rollout_limits_round_percentages_up_and_never_stall() {
    let percent = |text: &str| Some(IntOrString::String(text.to_string()));
    let cases = [
        // (maxUnavailable, maxSurge, desired, expected (surge, unavailable))
        (Some(IntOrString::Int(1)), None, 5, (0, 1)),
        (percent("10%"), None, 15, (0, 2)),
        (percent("50%"), None, 3, (0, 2)),
        (Some(IntOrString::Int(0)), percent("25%"), 5, (2, 0)),
        (Some(IntOrString::Int(0)), Some(IntOrString::Int(0)), 4, (0, 1)),
        (percent("10%"), None, 0, (0, 0)),
    ];
    for (max_unavailable, max_surge, desired, expected) in cases {
        let daemon_set = daemon_set_with(max_unavailable.clone(), max_surge.clone());
        assert_eq!(
            rollout_limits(&daemon_set, desired),
            expected,
            "maxUnavailable {max_unavailable:?}, maxSurge {max_surge:?}, desired {desired}"
        );
    }
    let mut on_delete = daemon_set_with(Some(IntOrString::Int(3)), None);
    on_delete.spec.update_strategy.strategy_type = "OnDelete".to_string();
    assert_eq!(rollout_limits(&on_delete, 5), (0, 1), "OnDelete has no rolling limits");
}

#[test]
fn revision_hashes_are_stable_safe_and_depend_on_the_template_and_collisions() {
    let template: serde_json::Value = serde_json::from_str(r#"{"spec":{"containers":[{"name":"a","image":"nginx"}]}}"#).unwrap();
    let reordered: serde_json::Value = serde_json::from_str(r#"{"spec":{"containers":[{"image":"nginx","name":"a"}]}}"#).unwrap();
    let hash = compute_hash(&template, None);
    assert_eq!(hash, compute_hash(&reordered, None), "key order must not change the hash");
    assert!(!hash.is_empty() && hash.len() <= 10, "{hash}");
    assert!(hash.bytes().all(|byte| b"bcdfghjklmnpqrstvwxz2456789".contains(&byte)), "{hash}");
    assert_ne!(hash, compute_hash(&template, Some(1)));
    let other: serde_json::Value = serde_json::from_str(r#"{"spec":{"containers":[{"name":"a","image":"nginx:1.25"}]}}"#).unwrap();
    assert_ne!(hash, compute_hash(&other, None));
}

#[test]
fn int_or_string_scales_percentages() {
    assert_eq!(IntOrString::String("25%".into()).scaled_value(10, true), 3);
    assert_eq!(IntOrString::String("25%".into()).scaled_value(10, false), 2);
    assert_eq!(IntOrString::String("100%".into()).scaled_value(7, true), 7);
    assert_eq!(IntOrString::Int(4).scaled_value(2, true), 4);
}
