//! The ReplicaSet controller's decisions (deletion ranking, slow-start batches, status) as pure
//! functions, then played on small clusters.

use std::cmp::Ordering;

use super::*;
use crate::api::{Condition, ConditionWords, PodPhase};
use crate::time::SECOND_MS;

const S: Millis = SECOND_MS;

/// A running pod on node `n1`, ready since 0, created at 0, its uid its name.
fn ranked(name: &str) -> RankedPod {
    RankedPod {
        name: name.to_string(),
        uid: name.into(),
        node: "n1".to_string(),
        phase: PodPhase::Running,
        ready_since_ms: Some(0),
        deletion_cost: 0,
        restarts: 0,
        created_ms: 0,
        rank: 1,
    }
}

struct OrderCase {
    name: &'static str,
    first: RankedPod,
    second: RankedPod,
    now: Millis,
    /// Whether `first` is deleted before `second`.
    expect: Ordering,
}

#[test]
fn deletion_order_follows_active_pods_with_ranks() {
    let cases = [
        OrderCase {
            name: "unassigned before assigned",
            first: RankedPod {
                node: String::new(),
                phase: PodPhase::Pending,
                ready_since_ms: None,
                ..ranked("a")
            },
            second: ranked("b"),
            now: 100 * S,
            expect: Ordering::Less,
        },
        OrderCase {
            name: "pending before unknown before running",
            first: RankedPod {
                phase: PodPhase::Unknown,
                ..ranked("a")
            },
            second: RankedPod {
                phase: PodPhase::Pending,
                ..ranked("b")
            },
            now: 100 * S,
            expect: Ordering::Greater,
        },
        OrderCase {
            name: "not ready before ready",
            first: ranked("a"),
            second: RankedPod {
                ready_since_ms: None,
                ..ranked("b")
            },
            now: 100 * S,
            expect: Ordering::Greater,
        },
        OrderCase {
            name: "lower deletion cost first, before anything later",
            first: RankedPod {
                deletion_cost: -5,
                created_ms: 0,
                ..ranked("a")
            },
            second: RankedPod {
                created_ms: 90 * S,
                ..ranked("b")
            },
            now: 100 * S,
            expect: Ordering::Less,
        },
        OrderCase {
            name: "more related pods on the node first",
            first: RankedPod { rank: 3, ..ranked("a") },
            second: RankedPod {
                rank: 1,
                created_ms: 90 * S,
                ..ranked("b")
            },
            now: 100 * S,
            expect: Ordering::Less,
        },
        OrderCase {
            name: "ready for less time first (64s against 8s ago are far apart)",
            first: RankedPod {
                ready_since_ms: Some(36 * S),
                ..ranked("a")
            },
            second: RankedPod {
                ready_since_ms: Some(92 * S),
                ..ranked("b")
            },
            now: 100 * S,
            expect: Ordering::Greater,
        },
        OrderCase {
            name: "ready times in the same power of two tie on uid",
            first: RankedPod {
                ready_since_ms: Some(90 * S),
                ..ranked("b")
            },
            second: RankedPod {
                ready_since_ms: Some(91 * S),
                ..ranked("a")
            },
            // 10s and 9s ago: both between 2^33 and 2^34 nanoseconds.
            now: 100 * S,
            expect: Ordering::Greater,
        },
        OrderCase {
            name: "more restarts first",
            first: RankedPod {
                restarts: 4,
                ..ranked("b")
            },
            second: ranked("a"),
            now: 100 * S,
            expect: Ordering::Less,
        },
        OrderCase {
            name: "newer first",
            first: RankedPod {
                created_ms: 10 * S,
                ..ranked("a")
            },
            second: RankedPod {
                created_ms: 90 * S,
                ..ranked("b")
            },
            now: 100 * S,
            expect: Ordering::Greater,
        },
        OrderCase {
            name: "creation in the same second is equal",
            first: RankedPod {
                created_ms: 10 * S + 100,
                ..ranked("b")
            },
            second: RankedPod {
                created_ms: 10 * S + 900,
                ..ranked("a")
            },
            now: 100 * S,
            expect: Ordering::Equal,
        },
    ];
    for case in cases {
        assert_eq!(
            deletion_order(&case.first, &case.second, case.now),
            case.expect,
            "{}",
            case.name
        );
        assert_eq!(
            deletion_order(&case.second, &case.first, case.now),
            case.expect.reverse(),
            "{} (swapped)",
            case.name
        );
    }
}

#[test]
fn pods_to_delete_sorts_only_when_some_stay() {
    let pods = vec![
        ranked("old"),
        RankedPod {
            ready_since_ms: None,
            ..ranked("starting")
        },
        RankedPod {
            node: String::new(),
            phase: PodPhase::Pending,
            ready_since_ms: None,
            ..ranked("pending")
        },
    ];
    let names = |pods: Vec<RankedPod>| pods.into_iter().map(|pod| pod.name).collect::<Vec<_>>();
    assert_eq!(names(pods_to_delete(pods.clone(), 2, 100 * S)), ["pending", "starting"]);
    assert_eq!(
        names(pods_to_delete(pods.clone(), 3, 100 * S)),
        ["old", "starting", "pending"]
    );
    assert!(pods_to_delete(pods, 0, 100 * S).is_empty());
}

#[test]
fn slow_start_batches_double_and_stop_after_a_failing_batch() {
    let mut batches_seen = Vec::new();
    let (successes, error) = slow_start_batch(10, 1, || {
        batches_seen.push(());
        Ok(())
    });
    assert_eq!((successes, error, batches_seen.len()), (10, None, 10));

    // The fourth call fails: the batch of four still runs whole (1 + 2 + 4 calls), then stops.
    let mut calls = 0;
    let (successes, error) = slow_start_batch(20, 1, || {
        calls += 1;
        if calls == 4 {
            Err("quota exceeded".to_string())
        } else {
            Ok(())
        }
    });
    assert_eq!((calls, successes), (7, 6));
    assert_eq!(error.as_deref(), Some("quota exceeded"));
    assert_eq!(slow_start_batch(0, 1, || Ok(())), (0, None));
}

fn pod_with(labels: &[(&str, &str)], ready_since: Option<Millis>) -> Pod {
    let mut pod = Pod::default();
    pod.metadata.labels = labels
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    if let Some(since) = ready_since {
        let words = ConditionWords {
            condition_type: "Ready".into(),
            status: "True".into(),
            reason: "".into(),
        };
        pod.status
            .conditions
            .push(Condition::new(words, Default::default(), since));
    }
    pod
}

#[test]
fn status_counts_fully_labeled_ready_and_available_pods() {
    let mut replica_set = ReplicaSet::default();
    replica_set.metadata.generation = 4;
    replica_set.spec.min_ready_seconds = 10;
    replica_set.spec.template.metadata.labels = [("app", "web"), ("tier", "front")]
        .into_iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    let full = pod_with(&[("app", "web"), ("tier", "front"), ("extra", "x")], Some(0));
    let partial = pod_with(&[("app", "web")], Some(15 * S));
    let starting = pod_with(&[("app", "web"), ("tier", "front")], None);
    let status = calculate_status(&replica_set, &[&full, &partial, &starting], Some(2), None, 20 * S);
    assert_eq!(
        status,
        ReplicaSetStatus {
            replicas: 3,
            fully_labeled_replicas: 2,
            ready_replicas: 2,
            available_replicas: 1,
            terminating_replicas: Some(2),
            observed_generation: 4,
            conditions: Vec::new(),
        }
    );
    let failure = ManageError {
        reason: "FailedCreate",
        message: "pods \"web-x\" is forbidden: exceeded quota".to_string(),
    };
    let failed = calculate_status(&replica_set, &[], None, Some(&failure), 20 * S);
    assert_eq!(failed.conditions[0].reason, "FailedCreate");
    replica_set.status = failed;
    let recovered = calculate_status(&replica_set, &[], None, None, 30 * S);
    assert!(recovered.conditions.is_empty());
}

mod played {
    //! The controller on small clusters: replicas kept, scaled, adopted, released, replaced.

    use crate::actions::parse_action;
    use crate::api::PodPhase;
    use crate::sim::{ClusterConfig, Simulation};
    use crate::time::SECOND_MS;

    const REPLICA_SET: &str = "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: web}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx}]\n";

    fn cluster(nodes: usize) -> Simulation {
        Simulation::new(&ClusterConfig::with_nodes("node", nodes))
    }

    fn act(simulation: &mut Simulation, line: &str) {
        let action = parse_action(line, None).expect(line);
        simulation.perform(&action).expect(line);
    }

    fn run(simulation: &mut Simulation, seconds: u64) {
        simulation.run_until(seconds * SECOND_MS).expect("runs");
    }

    /// The names of the live (not terminating) pods the ReplicaSet `web` controls.
    fn owned(simulation: &Simulation, kind: &str, name: &str) -> Vec<String> {
        simulation
            .pods()
            .filter(|pod| !pod.metadata.is_terminating() && !pod.status.phase.is_terminal())
            .filter(|pod| {
                pod.metadata
                    .controller_of()
                    .is_some_and(|owner| owner.kind == kind && owner.name == name)
            })
            .map(|pod| pod.metadata.name.clone())
            .collect()
    }

    fn events(simulation: &Simulation, reason: &str) -> Vec<String> {
        simulation
            .events()
            .iter()
            .filter(|event| event.reason == reason)
            .map(|event| format!("{} {}", event.object(), event.message()))
            .collect()
    }

    #[test]
    fn keeps_replicas_with_events_and_status() {
        let mut simulation = cluster(2);
        simulation.apply(REPLICA_SET).expect("applies");
        run(&mut simulation, 10);
        let pods = owned(&simulation, "ReplicaSet", "web");
        assert_eq!(pods.len(), 3);
        assert!(pods
            .iter()
            .all(|name| name.starts_with("web-") && name.len() == "web-".len() + 5));
        let created = events(&simulation, "SuccessfulCreate");
        assert_eq!(created.len(), 3);
        assert!(
            created[0].starts_with("replicaset/web Created pod: web-"),
            "{created:?}"
        );
        let replica_set = simulation.replica_set("default", "web").expect("exists");
        let status = &replica_set.status;
        assert_eq!(
            (
                status.replicas,
                status.fully_labeled_replicas,
                status.ready_replicas,
                status.available_replicas,
                status.terminating_replicas,
                status.observed_generation
            ),
            (3, 3, 3, 3, Some(0), 1)
        );
        let pod = simulation.pod("default", &pods[0]).expect("exists");
        let owner = pod.metadata.controller_of().expect("controller");
        assert_eq!(
            (
                owner.api_version.as_str(),
                owner.uid.to_string().as_str(),
                owner.block_owner_deletion
            ),
            ("apps/v1", replica_set.metadata.uid.to_string().as_str(), true)
        );
    }

    #[test]
    fn scales_down_and_up_and_replaces_deleted_pods() {
        let mut simulation = cluster(2);
        simulation.apply(REPLICA_SET).expect("applies");
        run(&mut simulation, 10);
        act(&mut simulation, "scale rs/web --replicas=1");
        run(&mut simulation, 12);
        assert_eq!(owned(&simulation, "ReplicaSet", "web").len(), 1);
        assert_eq!(events(&simulation, "SuccessfulDelete").len(), 2);
        let replica_set = simulation.replica_set("default", "web").expect("exists");
        assert_eq!(replica_set.metadata.generation, 2);
        assert_eq!(replica_set.status.observed_generation, 2);
        // `nginx` stops at once on SIGTERM, so nothing is left terminating.
        assert_eq!(replica_set.status.terminating_replicas, Some(0));
        act(&mut simulation, "scale replicaset web --replicas=4");
        run(&mut simulation, 20);
        let pods = owned(&simulation, "ReplicaSet", "web");
        assert_eq!(pods.len(), 4);
        act(&mut simulation, &format!("delete pod {}", pods[0]));
        run(&mut simulation, 25);
        assert_eq!(owned(&simulation, "ReplicaSet", "web").len(), 4);
        assert_eq!(events(&simulation, "SuccessfulCreate").len(), 3 + 3 + 1);
        // kubectl refuses a negative count itself (`ScaleOptions.Validate`).
        assert_eq!(
            parse_action("scale rs/web --replicas=-1", None),
            Err(
                "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
                    .to_string()
            )
        );
    }

    #[test]
    fn adopts_matching_orphans_and_releases_relabelled_pods() {
        let mut simulation = cluster(2);
        simulation
            .apply("apiVersion: v1\nkind: Pod\nmetadata: {name: stray, labels: {app: web}}\nspec:\n  containers: [{name: web, image: nginx}]\n")
            .expect("applies");
        run(&mut simulation, 5);
        simulation.apply(REPLICA_SET).expect("applies");
        run(&mut simulation, 10);
        let pods = owned(&simulation, "ReplicaSet", "web");
        assert_eq!(pods.len(), 3);
        assert!(pods.contains(&"stray".to_string()), "the orphan is adopted: {pods:?}");
        assert_eq!(events(&simulation, "SuccessfulCreate").len(), 2);

        act(&mut simulation, "label pod stray app=debug --overwrite");
        run(&mut simulation, 15);
        let pods = owned(&simulation, "ReplicaSet", "web");
        assert_eq!(pods.len(), 3);
        assert!(!pods.contains(&"stray".to_string()));
        let stray = simulation.pod("default", "stray").expect("still there");
        assert!(stray.metadata.owner_references.is_empty(), "released");
        assert_eq!(stray.status.phase, PodPhase::Running);

        // Labelled back, it is adopted again and the surplus pod goes.
        act(&mut simulation, "label pod stray app=web --overwrite");
        run(&mut simulation, 20);
        let pods = owned(&simulation, "ReplicaSet", "web");
        assert_eq!(pods.len(), 3);
        assert!(pods.contains(&"stray".to_string()), "{pods:?}");
        assert_eq!(events(&simulation, "SuccessfulDelete").len(), 1);
    }

    #[test]
    fn replication_controllers_select_by_map_and_default_from_the_template() {
        let mut simulation = cluster(2);
        simulation
            .apply(include_str!("../../../seeds/myapp-rc.yaml"))
            .expect("applies");
        run(&mut simulation, 10);
        assert_eq!(owned(&simulation, "ReplicationController", "myapp-rc").len(), 3);
        let created = events(&simulation, "SuccessfulCreate");
        assert!(created[0].starts_with("replicationcontroller/myapp-rc Created pod: myapp-rc-"));
        assert!(simulation
            .events()
            .iter()
            .filter(|event| event.reason == "SuccessfulCreate")
            .all(|event| event.source == "replication-controller"));
        let controller = simulation
            .replication_controller("default", "myapp-rc")
            .expect("exists");
        assert_eq!(
            controller.spec.selector.get("type").map(String::as_str),
            Some("front-end")
        );
        assert_eq!((controller.status.replicas, controller.status.ready_replicas), (3, 3));
        act(&mut simulation, "scale rc/myapp-rc --replicas=2");
        run(&mut simulation, 15);
        assert_eq!(owned(&simulation, "ReplicationController", "myapp-rc").len(), 2);
    }

    #[test]
    fn the_selector_is_immutable_and_reapplying_updates_replicas() {
        let mut simulation = cluster(2);
        simulation.apply(REPLICA_SET).expect("applies");
        run(&mut simulation, 10);
        let changed_selector = REPLICA_SET.replace("matchLabels: {app: web}", "matchLabels: {app: web2}");
        let error = simulation.apply(&changed_selector.replace("labels: {app: web}", "labels: {app: web2}"));
        assert!(error
            .unwrap_err()
            .to_string()
            .contains("The ReplicaSet \"web\" is invalid: spec.selector: Invalid value: ...: field is immutable"),);
        simulation
            .apply(&REPLICA_SET.replace("replicas: 3", "replicas: 5"))
            .expect("applies");
        run(&mut simulation, 20);
        assert_eq!(owned(&simulation, "ReplicaSet", "web").len(), 5);
        let replica_set = simulation.replica_set("default", "web").expect("exists");
        assert_eq!(
            (replica_set.metadata.generation, replica_set.status.observed_generation),
            (2, 2)
        );
        simulation
            .apply(&REPLICA_SET.replace("replicas: 3", "replicas: 5"))
            .expect("applies");
        assert_eq!(
            simulation
                .replica_set("default", "web")
                .expect("exists")
                .metadata
                .generation,
            2,
            "an unchanged spec keeps its generation"
        );
    }

    #[test]
    fn deleting_cascades_to_the_pods_or_orphans_them_for_the_next_owner() {
        let mut simulation = cluster(2);
        simulation.apply(REPLICA_SET).expect("applies");
        run(&mut simulation, 10);
        act(&mut simulation, "delete rs web --cascade=orphan");
        run(&mut simulation, 15);
        let orphans: Vec<String> = simulation
            .pods()
            .filter(|pod| pod.metadata.owner_references.is_empty())
            .map(|pod| pod.metadata.name.clone())
            .collect();
        assert_eq!(orphans.len(), 3);
        simulation.apply(REPLICA_SET).expect("applies");
        run(&mut simulation, 20);
        let mut adopted = owned(&simulation, "ReplicaSet", "web");
        adopted.sort();
        let mut orphans = orphans;
        orphans.sort();
        assert_eq!(
            adopted, orphans,
            "the new ReplicaSet adopts the orphans and creates nothing"
        );
        assert_eq!(events(&simulation, "SuccessfulCreate").len(), 3);
        act(&mut simulation, "delete replicaset/web");
        run(&mut simulation, 25);
        assert_eq!(simulation.pods().count(), 0, "the garbage collector deleted the pods");
        assert!(simulation.replica_set("default", "web").is_none());
    }

    #[test]
    fn pods_lost_with_a_node_are_replaced_after_the_eviction() {
        let mut simulation = cluster(3);
        simulation.apply(REPLICA_SET).expect("applies");
        run(&mut simulation, 10);
        let on_node_1: Vec<String> = simulation
            .pods()
            .filter(|pod| pod.spec.node_name == "node-1")
            .map(|pod| pod.metadata.name.clone())
            .collect();
        assert_eq!(on_node_1.len(), 1);
        act(&mut simulation, "fail node node-1");
        run(&mut simulation, 300);
        assert_eq!(owned(&simulation, "ReplicaSet", "web").len(), 3, "not evicted yet");
        assert_eq!(
            simulation
                .replica_set("default", "web")
                .expect("exists")
                .status
                .ready_replicas,
            2,
            "the pod on the lost node is not ready"
        );
        // Unreachable taint at ~50s after the failure, eviction 300s later.
        run(&mut simulation, 400);
        let pods = owned(&simulation, "ReplicaSet", "web");
        assert_eq!(pods.len(), 3);
        assert!(!pods.contains(&on_node_1[0]), "replaced: {pods:?}");
        let lost = simulation.pod("default", &on_node_1[0]).expect("stays terminating");
        assert!(lost.metadata.is_terminating());
        assert_eq!(
            simulation
                .replica_set("default", "web")
                .expect("exists")
                .status
                .terminating_replicas,
            Some(1)
        );
    }

    #[test]
    fn bursts_are_capped_at_500_pods_per_sync() {
        let mut simulation = cluster(6);
        simulation
            .apply(&REPLICA_SET.replace("replicas: 3", "replicas: 600"))
            .expect("applies");
        simulation.step();
        assert_eq!(events(&simulation, "SuccessfulCreate").len(), 500);
        run(&mut simulation, 5);
        assert_eq!(owned(&simulation, "ReplicaSet", "web").len(), 600);
    }
}
