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
        .map(|(name, pods)| (name.to_string(), RolloutNode { pods, should_run: true }))
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
            nodes: nodes(vec![
                ("n1", vec![]),
                ("n2", vec![old_ready("b")]),
                ("n3", vec![old_ready("c")]),
            ]),
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
            nodes: nodes(vec![
                ("n1", vec![old_ready("a"), new_ready("a2")]),
                ("n2", vec![old_ready("b")]),
            ]),
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
    if let Some(node) = world.get_mut("n2") {
        node.pods[0].ready_since_ms = None;
    }
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
    let template: serde_json::Value =
        serde_json::from_str(r#"{"spec":{"containers":[{"name":"a","image":"nginx"}]}}"#).unwrap();
    let reordered: serde_json::Value =
        serde_json::from_str(r#"{"spec":{"containers":[{"image":"nginx","name":"a"}]}}"#).unwrap();
    let hash = compute_hash(&template, None);
    assert_eq!(
        hash,
        compute_hash(&reordered, None),
        "key order must not change the hash"
    );
    assert!(!hash.is_empty() && hash.len() <= 10, "{hash}");
    assert!(
        hash.bytes().all(|byte| b"bcdfghjklmnpqrstvwxz2456789".contains(&byte)),
        "{hash}"
    );
    assert_ne!(hash, compute_hash(&template, Some(1)));
    let other: serde_json::Value =
        serde_json::from_str(r#"{"spec":{"containers":[{"name":"a","image":"nginx:1.25"}]}}"#).unwrap();
    assert_ne!(hash, compute_hash(&other, None));
}

/// `TestAddOrUpdateTolerationInPodSpec`'s intent: the controller's toleration replaces an
/// identical one (key, operator, value and effect) where it stands, `tolerationSeconds`
/// dropped; one that differs (here the operator) stays, and the controller's is added.
#[test]
fn daemon_tolerations_replace_identical_ones_in_place() {
    let toleration =
        |key: &'static str, operator: &'static str, effect: &'static str, seconds: Option<i64>| Toleration {
            key: Cow::Borrowed(key),
            operator: Cow::Borrowed(operator),
            value: Cow::Borrowed(""),
            effect: Cow::Borrowed(effect),
            toleration_seconds: seconds,
        };
    let mut tolerations = vec![
        toleration(TAINT_NOT_READY, "Exists", "NoExecute", Some(60)),
        toleration("dedicated", "Exists", "NoSchedule", None),
        toleration(TAINT_UNREACHABLE, "Equal", "NoExecute", Some(30)),
    ];
    add_daemon_tolerations(&mut tolerations, false);
    let listed: Vec<(&str, &str, Option<i64>)> = tolerations
        .iter()
        .map(|toleration| {
            (
                toleration.key.as_ref(),
                toleration.operator.as_ref(),
                toleration.toleration_seconds,
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (TAINT_NOT_READY, "Exists", None),
            ("dedicated", "Exists", None),
            (TAINT_UNREACHABLE, "Equal", Some(30)),
            (TAINT_UNREACHABLE, "Exists", None),
            ("node.kubernetes.io/disk-pressure", "Exists", None),
            ("node.kubernetes.io/memory-pressure", "Exists", None),
            ("node.kubernetes.io/pid-pressure", "Exists", None),
            (TAINT_UNSCHEDULABLE, "Exists", None),
        ]
    );
}

#[test]
fn int_or_string_scales_percentages() {
    assert_eq!(IntOrString::String("25%".into()).scaled_value(10, true), 3);
    assert_eq!(IntOrString::String("25%".into()).scaled_value(10, false), 2);
    assert_eq!(IntOrString::String("100%".into()).scaled_value(7, true), 7);
    assert_eq!(IntOrString::Int(4).scaled_value(2, true), 4);
}

mod history {
    //! ControllerRevisions played on a small cluster: `constructHistory`, `cleanupHistory` and
    //! `kubectl rollout undo`.

    use crate::actions::parse_action;
    use crate::sim::{ClusterConfig, NodeConfig, Simulation};
    use crate::time::SECOND_MS;

    const DAEMON_SET: &str = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  revisionHistoryLimit: 2\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec:\n      containers: [{name: agent, image: 'agent:1'}]\n";

    fn cluster() -> Simulation {
        let mut simulation = Simulation::new(&ClusterConfig {
            nodes: vec![NodeConfig::worker("node-1"), NodeConfig::worker("node-2")],
            ..ClusterConfig::default()
        });
        simulation.apply(DAEMON_SET).expect("applies");
        simulation.run_until(10 * SECOND_MS).expect("runs");
        simulation
    }

    fn act(simulation: &mut Simulation, line: &str, until_s: u64) {
        let action = parse_action(line, None).expect("parses");
        simulation.perform(&action).expect("performs");
        simulation.run_until(until_s * SECOND_MS).expect("runs");
    }

    /// (revision number, image) of each revision, oldest first.
    fn revisions(simulation: &Simulation) -> Vec<(i64, String)> {
        let mut revisions: Vec<(i64, String)> = simulation
            .controller_revisions()
            .map(|revision| {
                let image = revision.data["spec"]["template"]["spec"]["containers"][0]["image"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                (revision.revision, image)
            })
            .collect();
        revisions.sort();
        revisions
    }

    fn images(simulation: &Simulation) -> Vec<String> {
        simulation
            .pods()
            .filter(|pod| !pod.metadata.is_terminating())
            .map(|pod| pod.spec.containers[0].image.clone())
            .collect()
    }

    #[test]
    fn each_template_gets_a_revision_and_pods_carry_its_hash() {
        let mut simulation = cluster();
        assert_eq!(revisions(&simulation), [(1, "agent:1".to_string())]);
        let revision = simulation.controller_revisions().next().expect("one revision");
        let hash = revision.metadata.labels["controller-revision-hash"].clone();
        assert_eq!(revision.metadata.name, format!("agent-{hash}"));
        assert_eq!(
            revision.metadata.controller_of().map(|owner| owner.kind.as_str()),
            Some("DaemonSet")
        );
        for pod in simulation.pods() {
            assert_eq!(pod.metadata.labels["controller-revision-hash"], hash);
            assert_eq!(pod.metadata.labels["pod-template-generation"], "1");
        }
        act(&mut simulation, "set image daemonset/agent agent=agent:2", 60);
        assert_eq!(
            revisions(&simulation),
            [(1, "agent:1".to_string()), (2, "agent:2".to_string())]
        );
        assert_eq!(images(&simulation), ["agent:2", "agent:2"]);
        let daemon_set = simulation.daemon_set("default", "agent").expect("exists");
        assert_eq!(daemon_set.metadata.generation, 2);
        assert_eq!(daemon_set.template_generation(), Some(2));
    }

    #[test]
    fn undo_renumbers_the_old_revision_and_the_limit_prunes_the_oldest() {
        let mut simulation = cluster();
        act(&mut simulation, "set image ds/agent agent=agent:2", 60);
        act(&mut simulation, "set image ds/agent agent=agent:3", 120);
        act(&mut simulation, "set image ds/agent agent=agent:4", 180);
        // revisionHistoryLimit 2: besides the current one, two old revisions stay.
        assert_eq!(
            revisions(&simulation),
            [
                (2, "agent:2".to_string()),
                (3, "agent:3".to_string()),
                (4, "agent:4".to_string())
            ]
        );
        // The previous revision (3) comes back as revision 5.
        act(&mut simulation, "rollout undo daemonset/agent", 240);
        assert_eq!(
            revisions(&simulation),
            [
                (2, "agent:2".to_string()),
                (4, "agent:4".to_string()),
                (5, "agent:3".to_string())
            ]
        );
        assert_eq!(images(&simulation), ["agent:3", "agent:3"]);
        act(&mut simulation, "rollout undo daemonset/agent --to-revision=2", 300);
        assert_eq!(images(&simulation), ["agent:2", "agent:2"]);
        let missing = parse_action("rollout undo daemonset/agent --to-revision=1", None).expect("parses");
        assert_eq!(
            simulation.perform(&missing).map_err(|error| error.0),
            Err("unable to find specified revision 1 in history".to_string())
        );
    }

    #[test]
    fn deleting_the_daemon_set_collects_its_revisions_or_orphans_them() {
        let mut simulation = cluster();
        act(&mut simulation, "delete daemonset agent --cascade=orphan", 20);
        assert_eq!(simulation.controller_revisions().count(), 1);
        assert!(simulation
            .controller_revisions()
            .all(|revision| revision.metadata.owner_references.is_empty()));
        let mut simulation = cluster();
        act(&mut simulation, "delete daemonset agent", 20);
        assert_eq!(simulation.controller_revisions().count(), 0);
    }

    #[test]
    fn set_image_refuses_an_unknown_container_and_other_kinds() {
        let mut simulation = cluster();
        let unknown = parse_action("set image ds/agent nope=x:1", None).expect("parses");
        assert_eq!(
            simulation.perform(&unknown).map_err(|error| error.0),
            Err("error: unable to find container named \"nope\"".to_string())
        );
        assert!(parse_action("set image statefulset/web web=nginx", None)
            .unwrap_err()
            .contains("does not simulate statefulset"));
        assert_eq!(
            parse_action("rollout pause ds/agent", None),
            Err("error: daemonsets.apps are not supported by rollout pause".to_string())
        );
        assert!(parse_action("set image ds/agent", None)
            .unwrap_err()
            .contains("at least one image"));
    }
}

mod invariants {
    //! The invariant of the controllers issue, checked after every step over 100 seeds: at
    //! most one daemon pod per node (not counting pods being deleted), or, while a surge
    //! rollout runs, at most one old and one new.

    use std::collections::BTreeMap;

    use crate::actions::parse_action;
    use crate::api::CONTROLLER_REVISION_HASH_LABEL;
    use crate::sim::{ClusterConfig, NodeConfig, Simulation};
    use crate::time::{Millis, SECOND_MS};

    fn daemon_set(strategy: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {{name: agent}}\nspec:\n  minReadySeconds: 3\n  updateStrategy: {strategy}\n  selector: {{matchLabels: {{app: agent}}}}\n  template:\n    metadata: {{labels: {{app: agent}}}}\n    spec:\n      containers: [{{name: agent, image: 'agent:0'}}]\n"
        )
    }

    /// A small deterministic generator for the test's own choices (xorshift64*).
    struct Choices(u64);

    impl Choices {
        fn below(&mut self, bound: u64) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % bound
        }
    }

    /// Per node, (old, new) daemon pods that are not being deleted.
    fn per_node(simulation: &Simulation) -> BTreeMap<String, (usize, usize)> {
        let current = simulation
            .controller_revisions()
            .max_by_key(|revision| revision.revision)
            .and_then(|revision| revision.metadata.labels.get(CONTROLLER_REVISION_HASH_LABEL).cloned())
            .unwrap_or_default();
        let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for pod in simulation.pods() {
            if pod.metadata.is_terminating() || pod.status.phase.is_terminal() {
                continue;
            }
            let Some(node) = pod.spec.node_name_or_target() else {
                continue;
            };
            let entry = counts.entry(node.to_string()).or_default();
            if pod.metadata.labels.get(CONTROLLER_REVISION_HASH_LABEL) == Some(&current) {
                entry.1 += 1;
            } else {
                entry.0 += 1;
            }
        }
        counts
    }

    #[test]
    fn at_most_one_daemon_pod_per_node_through_rollouts_and_node_changes() {
        let strategies = [
            "{type: RollingUpdate}",
            "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 2}}",
            "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}",
            "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: '50%'}}",
            "{type: OnDelete}",
        ];
        for seed in 0..100u64 {
            let strategy = strategies[(seed % strategies.len() as u64) as usize];
            let surge = strategy.contains("maxSurge");
            let mut choices = Choices(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
            let nodes: Vec<NodeConfig> = (1..=4)
                .map(|index| NodeConfig::worker(&format!("node-{index}")))
                .collect();
            let mut simulation = Simulation::new(&ClusterConfig {
                seed,
                nodes,
                ..ClusterConfig::default()
            });
            simulation.apply(&daemon_set(strategy)).expect("applies");
            let mut image = 0;
            let mut next_action: Millis = 5 * SECOND_MS;
            let mut steps = 0;
            while simulation.now() < 600 * SECOND_MS {
                if simulation.next_event_time().is_none_or(|due| due >= next_action) {
                    simulation.run_until(next_action).expect("runs");
                    let node = format!("node-{}", 1 + choices.below(5));
                    let line = match choices.below(8) {
                        0 | 1 => {
                            image += 1;
                            format!("set image ds/agent agent=agent:{image}")
                        }
                        2 => format!("taint node {node} dedicated=x:NoExecute"),
                        3 => format!("taint node {node} dedicated=x:NoExecute-"),
                        4 => format!("fail node {node}"),
                        5 => format!("recover node {node}"),
                        6 => match simulation.pods().nth(choices.below(4) as usize) {
                            Some(pod) => format!("delete pod {}", pod.metadata.name),
                            None => "rollout restart ds/agent".to_string(),
                        },
                        _ => "rollout restart ds/agent".to_string(),
                    };
                    if let Ok(action) = parse_action(&line, None) {
                        // Refusals (a node already failed, a taint not there) are fine.
                        let _ = simulation.perform(&action);
                    }
                    next_action += (5 + choices.below(40)) * SECOND_MS;
                    continue;
                }
                simulation.step();
                steps += 1;
                assert!(steps < 200_000, "seed {seed}: runaway");
                for (node, (old, new)) in per_node(&simulation) {
                    let allowed = if surge { old <= 1 && new <= 1 } else { old + new <= 1 };
                    assert!(
                        allowed,
                        "seed {seed} ({strategy}): node {node} has {old} old and {new} new daemon pods at {}ms",
                        simulation.now()
                    );
                }
            }
            let created = simulation
                .events()
                .iter()
                .filter(|event| event.reason == "SuccessfulCreate")
                .count();
            if !strategy.contains("OnDelete") {
                assert!(created > 4, "seed {seed}: only {created} pods created, nothing rolled");
            }
        }
    }
}
