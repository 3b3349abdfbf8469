//! Engine, kubelet, node lifecycle and garbage collection, played on small clusters.

use super::*;
use crate::api::{ContainerState, PodPhase};
use crate::time::SECOND_MS;

const S: Millis = SECOND_MS;

fn cluster(nodes: Vec<NodeConfig>) -> Simulation {
    Simulation::new(&ClusterConfig {
        nodes,
        ..ClusterConfig::default()
    })
}

fn workers(count: usize) -> Vec<NodeConfig> {
    (1..=count)
        .map(|index| NodeConfig::worker(&format!("node-{index}")))
        .collect()
}

fn control_plane(name: &str) -> NodeConfig {
    let mut node = NodeConfig::worker(name);
    node.labels
        .insert("node-role.kubernetes.io/control-plane".to_string(), String::new());
    node.taints.push(Taint {
        key: "node-role.kubernetes.io/control-plane".to_string(),
        value: String::new(),
        effect: "NoSchedule".to_string(),
        time_added_ms: None,
    });
    node
}

fn pod_yaml(name: &str, extra_spec: &str) -> String {
    format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: c\n    image: nginx\n{extra_spec}")
}

fn messages(simulation: &Simulation, reason: &str) -> Vec<String> {
    simulation
        .events()
        .iter()
        .filter(|event| event.reason == reason)
        .map(|event| event.message().into_owned())
        .collect()
}

fn phase(simulation: &Simulation, name: &str) -> Option<PodPhase> {
    simulation.pod("default", name).map(|pod| pod.status.phase)
}

#[test]
fn daemon_set_runs_one_pod_per_node() {
    let mut simulation = cluster(workers(3));
    simulation.apply(crate::EXAMPLE_MYWEB_DS).expect("applies");
    simulation.run_until(30 * S).expect("within step limit");
    let mut nodes: Vec<&str> = simulation.pods().map(|pod| pod.spec.node_name.as_str()).collect();
    nodes.sort();
    assert_eq!(nodes, ["node-1", "node-2", "node-3"]);
    assert!(simulation
        .pods()
        .all(|pod| pod.status.phase == PodPhase::Running && pod.is_ready()));
    let status = &simulation.daemon_sets().next().unwrap().status;
    assert_eq!(
        (
            status.desired_number_scheduled,
            status.current_number_scheduled,
            status.number_ready
        ),
        (3, 3, 3)
    );
}

#[test]
fn a_new_or_relabelled_node_gets_a_daemon_pod() {
    let mut simulation = cluster(workers(2));
    simulation
        .apply(include_str!("../../seeds/daemonset-1.yaml"))
        .expect("applies");
    simulation.run_until(10 * S).unwrap();
    assert_eq!(simulation.pods().count(), 0, "no node is labelled os=centos");
    simulation.label_node("node-2", "os", Some("centos")).unwrap();
    let mut centos = NodeConfig::worker("node-3");
    centos.labels.insert("os".to_string(), "centos".to_string());
    simulation.add_node(centos);
    simulation.run_until(20 * S).unwrap();
    let mut nodes: Vec<&str> = simulation.pods().map(|pod| pod.spec.node_name.as_str()).collect();
    nodes.sort();
    assert_eq!(nodes, ["node-2", "node-3"]);
    // Removing the label makes the pod misscheduled for the selector: it is deleted.
    simulation.label_node("node-2", "os", None).unwrap();
    simulation.run_until(60 * S).unwrap();
    let nodes: Vec<&str> = simulation.pods().map(|pod| pod.spec.node_name.as_str()).collect();
    assert_eq!(nodes, ["node-3"]);
}

#[test]
fn tolerations_decide_control_plane_placement() {
    let mut nodes = vec![control_plane("cp1")];
    nodes.extend(workers(2));
    let mut simulation = cluster(nodes);
    simulation.apply(crate::EXAMPLE_MYWEB_DS).unwrap();
    simulation
        .apply(include_str!("../../seeds/fluentd-elasticsearch.yaml"))
        .unwrap();
    simulation.run_until(30 * S).unwrap();
    let placed = |owner: &str| {
        let mut nodes: Vec<String> = simulation
            .pods()
            .filter(|pod| {
                pod.metadata
                    .controller_of()
                    .is_some_and(|reference| reference.name == owner)
            })
            .map(|pod| pod.spec.node_name.to_string())
            .collect();
        nodes.sort();
        nodes
    };
    assert_eq!(placed("myweb-ds"), ["node-1", "node-2"]);
    assert_eq!(placed("fluentd-elasticsearch"), ["cp1", "node-1", "node-2"]);
}

#[test]
fn unschedulable_pods_get_the_schedulers_message_and_retry_when_the_cluster_changes() {
    let mut simulation = cluster(workers(3));
    simulation.apply(include_str!("../../seeds/http-go-gpu.yaml")).unwrap();
    simulation.run_until(5 * S).unwrap();
    assert_eq!(
        messages(&simulation, "FailedScheduling"),
        ["0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."]
    );
    let reasons = simulation
        .filter_results("default", "http-go-gpu")
        .expect("per-node results kept");
    assert_eq!(
        reasons.get("node-2").map(String::as_str),
        Some("node(s) didn't match Pod's node affinity/selector")
    );
    simulation.label_node("node-2", "gpu", Some("true")).unwrap();
    simulation.run_until(20 * S).unwrap();
    let pod = simulation.pod("default", "http-go-gpu").unwrap();
    assert_eq!(pod.spec.node_name, "node-2");
    assert_eq!(pod.status.phase, PodPhase::Running);
}

/// `fitsRequest`: a request that fits the node's allocatable but not what is left might fit
/// after evicting others ("No preemption victims found" here, where nothing has lower
/// priority); one larger than the allocatable never will ("not helpful").
#[test]
fn insufficient_resources_are_unresolvable_only_beyond_the_allocatable() {
    let mut simulation = cluster(workers(1));
    for (name, cpu) in [("filler", "3"), ("later", "2"), ("huge", "5")] {
        let requests = format!("    resources:\n      requests: {{cpu: \"{cpu}\"}}\n");
        simulation.apply(&pod_yaml(name, &requests)).unwrap();
        simulation.run_until(simulation.now() + S).unwrap();
    }
    assert_eq!(
        messages(&simulation, "FailedScheduling"),
        [
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
            "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
        ]
    );
}

#[test]
fn failed_scheduling_message_counts_and_sorts_reasons() {
    let mut nodes = vec![control_plane("cp1")];
    nodes.extend(workers(2));
    let mut simulation = cluster(nodes);
    simulation
        .apply(&pod_yaml(
            "cp-only",
            "  nodeSelector:\n    node-role.kubernetes.io/control-plane: \"\"\n",
        ))
        .unwrap();
    simulation
        .apply(&pod_yaml("big", "    resources:\n      requests: {cpu: \"5\"}\n"))
        .unwrap();
    simulation.run_until(2 * S).unwrap();
    assert_eq!(
        messages(&simulation, "FailedScheduling"),
        [
            "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
            // 5 CPUs on 4-CPU nodes: more than the whole allocatable, so no eviction would help
            // (`fitsRequest`'s `Unresolvable`).
            "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
        ]
    );
}

#[test]
fn host_ports_and_pod_counts_are_resources() {
    let mut simulation = cluster(workers(1));
    let ports = "    ports:\n    - {containerPort: 8080, hostPort: 18080}\n";
    simulation.apply(&pod_yaml("first", ports)).unwrap();
    simulation.apply(&pod_yaml("second", ports)).unwrap();
    simulation.run_until(2 * S).unwrap();
    assert_eq!(simulation.pod("default", "first").unwrap().spec.node_name, "node-1");
    assert_eq!(
        messages(&simulation, "FailedScheduling"),
        ["0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."]
    );
    simulation.delete_pod("default", "first").unwrap();
    simulation.run_until(20 * S).unwrap();
    assert_eq!(simulation.pod("default", "second").unwrap().spec.node_name, "node-1");
}

#[test]
fn pods_for_an_unknown_scheduler_wait_silently() {
    let mut simulation = cluster(workers(2));
    simulation
        .apply(include_str!("../../seeds/multi-scheduler.yaml"))
        .unwrap();
    simulation.run_until(600 * S).unwrap();
    assert_eq!(
        phase(&simulation, "annotation-default-scheduler"),
        Some(PodPhase::Running)
    );
    let waiting = simulation.pod("default", "annotation-second-scheduler").unwrap();
    assert_eq!(
        (waiting.status.phase, waiting.spec.node_name.as_str()),
        (PodPhase::Pending, "")
    );
    assert!(simulation
        .events()
        .iter()
        .all(|event| event.object() != "pod/annotation-second-scheduler"));
}

#[test]
fn a_pod_bound_to_a_missing_node_is_garbage_collected() {
    let mut simulation = cluster(workers(2));
    simulation
        .apply(include_str!("../../seeds/http-go-nodename.yaml"))
        .unwrap();
    simulation.run_until(39 * S).unwrap();
    assert_eq!(phase(&simulation, "http-go"), Some(PodPhase::Pending));
    simulation.run_until(60 * S).unwrap();
    assert!(
        simulation.pod("default", "http-go").is_none(),
        "PodGC removes pods of missing nodes after 40s"
    );
}

#[test]
fn batch_pods_run_their_duration_and_finish() {
    let mut simulation = cluster(workers(1));
    simulation.apply(&pod_yaml("once", "  restartPolicy: Never\n")).unwrap();
    simulation.run_until(10 * S).unwrap();
    assert_eq!(phase(&simulation, "once"), Some(PodPhase::Running));
    simulation.run_until(11 * S).unwrap();
    let pod = simulation.pod("default", "once").unwrap();
    assert_eq!(pod.status.phase, PodPhase::Succeeded);
    assert_eq!(crate::view::pod_status_column(pod), "Completed");
    assert!(!pod.is_ready());
}

#[test]
fn crash_loop_back_off_doubles_from_ten_seconds() {
    let mut simulation = cluster(workers(1));
    let annotations = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: crasher\n  annotations: {kubarium.io/duration: 2s, kubarium.io/exit-code: \"1\"}\nspec:\n  containers: [{name: c, image: busybox}]\n";
    simulation.apply(annotations).unwrap();
    simulation.run_until(200 * S).unwrap();
    let started: Vec<Millis> = simulation
        .events()
        .iter()
        .filter(|event| event.reason == "Started")
        .map(|event| event.time_ms / S)
        .collect();
    // Pull 1s, run 2s, restart at once; then back-off 10s, 20s, 40s, 80s between exits.
    assert_eq!(started, [1, 3, 15, 37, 79, 161]);
    let pod = simulation.pod("default", "crasher").unwrap();
    assert_eq!(pod.status.container_statuses[0].restart_count, 5);
    assert_eq!(pod.status.phase, PodPhase::Running);
    simulation.run_until(164 * S).unwrap();
    let pod = simulation.pod("default", "crasher").unwrap();
    assert_eq!(crate::view::pod_status_column(pod), "CrashLoopBackOff");
    assert!(
        matches!(&pod.status.container_statuses[0].state, ContainerState::Waiting { message, .. } if message.starts_with("back-off 2m40s restarting failed container=c pod=crasher_default("))
    );
}

#[test]
fn on_failure_restarts_in_place_until_success() {
    let mut simulation = cluster(workers(1));
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: flaky\n  annotations: {kubarium.io/duration: 5s, kubarium.io/fail-first: \"2\"}\nspec:\n  restartPolicy: OnFailure\n  containers: [{name: c, image: busybox}]\n";
    simulation.apply(text).unwrap();
    simulation.run_until(60 * S).unwrap();
    let pod = simulation.pod("default", "flaky").unwrap();
    assert_eq!(pod.status.phase, PodPhase::Succeeded);
    assert_eq!(pod.status.container_statuses[0].restart_count, 2);
    assert_eq!(
        messages(&simulation, "BackOff").len(),
        1,
        "the second restart waits 10s"
    );
}

#[test]
fn active_deadline_fails_the_pod() {
    let mut simulation = cluster(workers(1));
    simulation
        .apply(&pod_yaml("deadline", "  activeDeadlineSeconds: 5\n"))
        .unwrap();
    simulation.run_until(4 * S).unwrap();
    assert_eq!(phase(&simulation, "deadline"), Some(PodPhase::Running));
    simulation.run_until(5 * S).unwrap();
    let pod = simulation.pod("default", "deadline").unwrap();
    assert_eq!(
        (pod.status.phase, pod.status.reason.as_str()),
        (PodPhase::Failed, "DeadlineExceeded")
    );
    assert_eq!(
        messages(&simulation, "DeadlineExceeded"),
        ["Pod was active on the node longer than the specified deadline"]
    );
}

#[test]
fn graceful_deletion_waits_for_containers_that_ignore_sigterm() {
    let mut simulation = cluster(workers(1));
    simulation.apply(&pod_yaml("web", "")).unwrap();
    simulation
        .apply(&pod_yaml("sleeper", "    command: [sleep, \"3600\"]\n"))
        .unwrap();
    simulation.run_until(5 * S).unwrap();
    simulation.delete_pod("default", "web").unwrap();
    simulation.delete_pod("default", "sleeper").unwrap();
    simulation.run_until(6 * S).unwrap();
    assert!(simulation.pod("default", "web").is_none());
    let sleeper = simulation.pod("default", "sleeper").unwrap();
    assert_eq!(crate::view::pod_status_column(sleeper), "Terminating");
    simulation.run_until(35 * S).unwrap();
    assert!(
        simulation.pod("default", "sleeper").is_none(),
        "killed when the 30s grace period ends"
    );
}

#[test]
fn static_pods_have_mirror_pods_that_come_back() {
    let mut node = control_plane("cp1");
    let manifest = crate::manifest::parse_manifests(include_str!("../../seeds/static-web.yaml")).unwrap();
    let crate::manifest::Manifest::Pod(pod) = manifest.into_iter().next().unwrap() else {
        panic!("a pod")
    };
    node.static_pods.push(*pod);
    let mut simulation = cluster(vec![node]);
    simulation.run_until(20 * S).unwrap();
    let mirror = simulation.pod("default", "static-web-cp1").expect("mirror pod");
    assert_eq!(
        (mirror.status.phase, mirror.spec.node_name.as_str()),
        (PodPhase::Running, "cp1")
    );
    let started_at = mirror.status.start_time_ms;
    simulation.delete_pod("default", "static-web-cp1").unwrap();
    assert!(simulation.pod("default", "static-web-cp1").is_none());
    simulation.run_until(22 * S).unwrap();
    let mirror = simulation
        .pod("default", "static-web-cp1")
        .expect("the kubelet puts the mirror back");
    assert_eq!(mirror.status.phase, PodPhase::Running);
    assert_eq!(
        mirror.status.start_time_ms, started_at,
        "the static pod itself never stopped"
    );
}

#[test]
fn a_failed_node_is_tainted_and_its_pods_evicted_after_their_toleration() {
    let mut simulation = cluster(workers(2));
    simulation.apply(crate::EXAMPLE_MYWEB_DS).unwrap();
    simulation.apply(&pod_yaml("bare", "  nodeName: node-1\n")).unwrap();
    simulation.run_until(12 * S).unwrap();
    simulation.fail_node("node-1").unwrap();
    // Last heartbeat at 10s; stale after 60s; the monitor's next tick is 65s.
    simulation.run_until(64 * S).unwrap();
    assert!(simulation.node("node-1").unwrap().is_ready());
    simulation.run_until(65 * S).unwrap();
    let node = simulation.node("node-1").unwrap();
    assert!(!node.is_ready());
    let taints: Vec<String> = node.spec.taints.iter().map(|taint| taint.describe()).collect();
    assert_eq!(
        taints,
        [
            "node.kubernetes.io/unreachable:NoSchedule",
            "node.kubernetes.io/unreachable:NoExecute"
        ]
    );
    // The bare pod tolerates unreachable for 300s (DefaultTolerationSeconds); the daemon pod forever.
    simulation.run_until(364 * S).unwrap();
    assert!(!simulation.pod("default", "bare").unwrap().metadata.is_terminating());
    simulation.run_until(365 * S).unwrap();
    assert_eq!(
        messages(&simulation, "TaintManagerEviction"),
        ["Marking for deletion Pod default/bare"]
    );
    let disruption = simulation
        .pod("default", "bare")
        .unwrap()
        .status
        .conditions
        .iter()
        .find(|condition| condition.condition_type == "DisruptionTarget")
        .map(|condition| {
            (
                condition.status.to_string(),
                condition.reason.to_string(),
                condition.message.to_string(),
            )
        });
    assert_eq!(
        disruption,
        Some((
            "True".to_string(),
            "DeletionByTaintManager".to_string(),
            "Taint manager: deleting due to NoExecute taint".to_string()
        ))
    );
    assert_eq!(
        crate::view::pod_status_column(simulation.pod("default", "bare").unwrap()),
        "Terminating"
    );
    assert_eq!(
        simulation.pods().filter(|pod| pod.spec.node_name == "node-1").count(),
        2
    );
    simulation.recover_node("node-1").unwrap();
    simulation.run_until(366 * S).unwrap();
    assert!(
        simulation.pod("default", "bare").is_none(),
        "the kubelet finishes the deletion once back"
    );
    assert!(simulation.node("node-1").unwrap().spec.taints.is_empty());
}

#[test]
fn deleting_a_node_leaves_its_pods_to_the_pod_garbage_collector() {
    let mut simulation = cluster(workers(3));
    simulation.apply(crate::EXAMPLE_MYWEB_DS).unwrap();
    simulation.run_until(10 * S).unwrap();
    simulation.delete_node("node-3").unwrap();
    simulation.run_until(49 * S).unwrap();
    assert_eq!(simulation.pods().count(), 3, "still there during the quarantine");
    simulation.run_until(60 * S).unwrap();
    let mut nodes: Vec<&str> = simulation.pods().map(|pod| pod.spec.node_name.as_str()).collect();
    nodes.sort();
    assert_eq!(
        nodes,
        ["node-1", "node-2"],
        "a DaemonSet does not move the pod elsewhere"
    );
}

#[test]
fn deleting_a_daemon_set_deletes_its_pods() {
    let mut simulation = cluster(workers(2));
    simulation.apply(crate::EXAMPLE_MYWEB_DS).unwrap();
    simulation.run_until(10 * S).unwrap();
    simulation
        .delete_daemon_set("default", "myweb-ds", Cascade::Background)
        .unwrap();
    simulation.run_until(11 * S).unwrap();
    assert_eq!(simulation.pods().count(), 0);
}

#[test]
fn orphaning_a_daemon_sets_pods_keeps_them_without_an_owner() {
    let mut simulation = cluster(workers(2));
    simulation.apply(crate::EXAMPLE_MYWEB_DS).unwrap();
    simulation.run_until(10 * S).unwrap();
    simulation
        .delete_daemon_set("default", "myweb-ds", Cascade::Orphan)
        .unwrap();
    simulation.run_until(60 * S).unwrap();
    assert_eq!(simulation.pods().count(), 2);
    assert!(simulation
        .pods()
        .all(|pod| pod.metadata.owner_references.is_empty() && pod.status.phase == PodPhase::Running));
}

#[test]
fn repeated_events_are_one_event_object_with_a_count() {
    let mut simulation = cluster(workers(1));
    simulation.apply(include_str!("../../seeds/http-go-gpu.yaml")).unwrap();
    simulation.run_until(5 * S).unwrap();
    simulation.label_node("node-1", "zone", Some("a")).unwrap();
    simulation.run_until(20 * S).unwrap();
    let failed: Vec<_> = simulation
        .event_objects()
        .into_iter()
        .filter(|event| event.reason == "FailedScheduling")
        .collect();
    assert_eq!(failed.len(), 1);
    // Labelling at 5s sends the pod back at once: its 1s back-off ran out long ago.
    assert_eq!(
        (
            failed[0].count,
            failed[0].first_timestamp_ms,
            failed[0].last_timestamp_ms
        ),
        (2, 0, 5_000)
    );
}

#[test]
fn cordoned_nodes_take_daemon_pods_but_not_others() {
    let mut simulation = cluster(workers(1));
    simulation.set_unschedulable("node-1", true).unwrap();
    simulation.apply(crate::EXAMPLE_MYWEB_DS).unwrap();
    simulation.apply(&pod_yaml("web", "")).unwrap();
    simulation.run_until(5 * S).unwrap();
    assert_eq!(
        simulation.pods().filter(|pod| pod.spec.node_name == "node-1").count(),
        1
    );
    assert_eq!(
        messages(&simulation, "FailedScheduling"),
        ["0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."]
    );
    simulation.set_unschedulable("node-1", false).unwrap();
    simulation.run_until(10 * S).unwrap();
    assert_eq!(phase(&simulation, "web"), Some(PodPhase::Running));
}

#[test]
fn namespaces_must_exist() {
    let mut simulation = cluster(workers(1));
    let in_team =
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: team}\nspec: {containers: [{name: c, image: x}]}\n";
    let error = simulation.apply(in_team).unwrap_err();
    assert_eq!(error.problems[0].message, "namespaces \"team\" not found");
    simulation
        .apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n")
        .unwrap();
    simulation.apply(in_team).unwrap();
    let names: Vec<&str> = simulation
        .namespaces()
        .map(|namespace| namespace.metadata.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["default", "kube-node-lease", "kube-public", "kube-system", "team"]
    );
}

#[test]
fn same_seed_same_event_log_and_idle_time_is_free() {
    let run = |seed: u64| {
        let mut simulation = Simulation::new(&ClusterConfig {
            seed,
            ..ClusterConfig::with_nodes("node", 3)
        });
        simulation.apply(crate::EXAMPLE_MYWEB_DS).unwrap();
        simulation.run_until(60 * S).unwrap();
        simulation
    };
    let (first, second, other) = (run(42), run(42), run(43));
    assert_eq!(first.events(), second.events());
    assert_eq!(first.event_log_hash(), second.event_log_hash());
    assert_ne!(first.event_log_hash(), other.event_log_hash());
    let mut idle = run(1);
    let year_ms = 365 * 24 * 3_600 * S;
    assert_eq!(idle.run_until(year_ms).unwrap(), 0);
    assert_eq!(idle.now(), year_ms);
}

#[test]
fn step_limit_names_where_it_stopped() {
    let mut simulation = cluster(workers(3));
    simulation.apply(crate::EXAMPLE_MYWEB_DS).unwrap();
    let error = simulation.run_until_with_limit(60 * S, 2).unwrap_err();
    assert_eq!((error.limit, error.target_ms), (2, 60 * S));
    assert!(!error.next_work.is_empty());
    assert!(!error.at_one_instant);
}

/// A run that keeps working without the clock moving (a loop between controllers) stops at
/// the bound on steps at one instant and says so, long before the overall limit.
#[test]
fn steps_at_one_instant_are_bounded() {
    let mut simulation = cluster(workers(3));
    simulation.apply(crate::EXAMPLE_MYWEB_DS).unwrap();
    let error = simulation.run_until_bounded(60 * S, 1_000, 5).unwrap_err();
    assert!(error.at_one_instant, "{error}");
    assert_eq!((error.limit, error.stopped_at_ms), (5, 0));
    assert!(error.to_string().contains("without the clock moving"), "{error}");
}

#[test]
fn work_queue_keeps_earliest_due_time_per_key() {
    let mut queue = WorkQueue::default();
    let key = ObjectKey::new("default", "a");
    queue.add_at(Work::SchedulePod(key.clone()), 50);
    queue.add_at(Work::SchedulePod(key.clone()), 10);
    queue.add_at(Work::SchedulePod(key.clone()), 70);
    assert_eq!(queue.pop(), Some((10, Work::SchedulePod(key))));
    assert_eq!(queue.pop(), None);
}

/// Items moved earlier leave stale entries in the queue's heap: they never show as the next
/// due time, never pop, and a key queued again after its pop is a new item.
#[test]
fn work_queue_moves_items_earlier_in_due_then_queueing_order() {
    let mut queue = WorkQueue::default();
    let work = |name: &str| Work::SchedulePod(ObjectKey::new("default", name));
    queue.add_at(work("a"), 50);
    queue.add_at(work("b"), 30);
    queue.add_at(work("c"), 30);
    queue.add_at(work("a"), 30);
    queue.add_at(work("b"), 20);
    queue.add_at(work("d"), 60);
    assert_eq!(queue.next_due(), Some(20));
    let mut popped = Vec::new();
    while let Some(item) = queue.pop() {
        if item == (30, work("c")) {
            // Queued again later than its stale entry at 50: only the new entry pops.
            queue.add_at(work("b"), 55);
        }
        popped.push(item);
        assert!(queue.next_due().is_none_or(|due| due >= popped.last().unwrap().0));
    }
    assert_eq!(
        popped,
        [
            (20, work("b")),
            (30, work("c")),
            (30, work("a")),
            (55, work("b")),
            (60, work("d"))
        ]
    );
    assert_eq!((queue.next_due(), queue.by_due.len(), queue.stale), (None, 0, 0));
}

#[test]
fn a_node_that_fails_twice_is_declared_unknown_and_evicts_on_the_second_failure_too() {
    let mut simulation = cluster(workers(2));
    simulation.apply(&pod_yaml("bare", "  nodeName: node-1\n")).unwrap();
    simulation.run_until(12 * S).unwrap();
    simulation.fail_node("node-1").unwrap();
    simulation.run_until(100 * S).unwrap();
    simulation.recover_node("node-1").unwrap();
    simulation.run_until(200 * S).unwrap();
    assert!(simulation.node("node-1").unwrap().is_ready());
    assert!(
        simulation.pod("default", "bare").unwrap().is_ready(),
        "ready again after recovery"
    );
    simulation.run_until(205 * S).unwrap();
    simulation.fail_node("node-1").unwrap();
    // Registered again at 100s; last heartbeat at 200s; grace 50s; the next tick is 255s.
    simulation.run_until(254 * S).unwrap();
    assert!(
        simulation.node("node-1").unwrap().is_ready(),
        "an item from the first failure must not come early"
    );
    simulation.run_until(255 * S).unwrap();
    assert!(!simulation.node("node-1").unwrap().is_ready());
    simulation.run_until(554 * S).unwrap();
    assert!(!simulation.pod("default", "bare").unwrap().metadata.is_terminating());
    simulation.run_until(555 * S).unwrap();
    assert!(
        simulation.pod("default", "bare").unwrap().metadata.is_terminating(),
        "evicted 300s after the second taint"
    );
}

#[test]
fn daemon_pods_are_ready_again_after_their_node_recovers() {
    let mut simulation = cluster(workers(2));
    simulation.apply(crate::EXAMPLE_MYWEB_DS).unwrap();
    simulation.run_until(10 * S).unwrap();
    simulation.fail_node("node-1").unwrap();
    simulation.run_until(100 * S).unwrap();
    assert_eq!(simulation.daemon_sets().next().unwrap().status.number_ready, 1);
    simulation.recover_node("node-1").unwrap();
    simulation.run_until(101 * S).unwrap();
    assert_eq!(simulation.daemon_sets().next().unwrap().status.number_ready, 2);
}

#[test]
fn a_pod_placed_on_a_no_execute_tainted_node_is_evicted_after_its_toleration() {
    let mut node = NodeConfig::worker("node-1");
    node.taints.push(Taint {
        key: "maintenance".to_string(),
        value: "soon".to_string(),
        effect: "NoExecute".to_string(),
        time_added_ms: None,
    });
    let mut simulation = cluster(vec![node]);
    let tolerating = "  nodeName: node-1\n  tolerations:\n  - {key: maintenance, operator: Exists, effect: NoExecute, tolerationSeconds: 60}\n";
    simulation.apply(&pod_yaml("short-stay", tolerating)).unwrap();
    simulation.run_until(59 * S).unwrap();
    assert!(!simulation
        .pod("default", "short-stay")
        .unwrap()
        .metadata
        .is_terminating());
    simulation.run_until(61 * S).unwrap();
    assert!(
        simulation.pod("default", "short-stay").is_none(),
        "evicted at 60s, and nginx stops at once"
    );
    assert_eq!(
        messages(&simulation, "TaintManagerEviction"),
        ["Marking for deletion Pod default/short-stay"]
    );
}

#[test]
fn finished_pods_are_deleted_at_once_and_free_their_node() {
    let mut simulation = cluster(workers(1));
    let big = "    resources:\n      requests: {cpu: \"3\"}\n";
    simulation
        .apply(&pod_yaml("first", &format!("{big}  restartPolicy: Never\n")))
        .unwrap();
    simulation.apply(&pod_yaml("second", big)).unwrap();
    simulation.run_until(5 * S).unwrap();
    assert_eq!(simulation.pod("default", "second").unwrap().spec.node_name, "");
    // The first pod completes at 11s; the second is placed right after, not 5 minutes later.
    simulation.run_until(13 * S).unwrap();
    assert_eq!(simulation.pod("default", "second").unwrap().spec.node_name, "node-1");
    simulation.delete_pod("default", "first").unwrap();
    assert!(
        simulation.pod("default", "first").is_none(),
        "grace 0 for a finished pod"
    );
}

#[test]
fn static_pods_are_never_evicted_by_node_failure() {
    let mut node = NodeConfig::worker("cp1");
    let manifest = crate::manifest::parse_manifests(include_str!("../../seeds/static-web.yaml")).unwrap();
    let crate::manifest::Manifest::Pod(pod) = manifest.into_iter().next().unwrap() else {
        panic!("a pod")
    };
    node.static_pods.push(*pod);
    let mut simulation = cluster(vec![node]);
    simulation.run_until(5 * S).unwrap();
    simulation.fail_node("cp1").unwrap();
    simulation.run_until(1_000 * S).unwrap();
    assert!(!simulation
        .pod("default", "static-web-cp1")
        .unwrap()
        .metadata
        .is_terminating());
}

#[test]
fn a_failing_init_container_fails_a_never_pod_and_is_retried_otherwise() {
    let mut simulation = cluster(workers(1));
    let with_init = |name: &str, policy: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  annotations: {{kubarium.io/duration: 2s, kubarium.io/fail-first: \"2\"}}\nspec:\n  restartPolicy: {policy}\n  initContainers: [{{name: init, image: busybox}}]\n  containers: [{{name: app, image: nginx}}]\n"
        )
    };
    simulation.apply(&with_init("never", "Never")).unwrap();
    simulation.apply(&with_init("always", "Always")).unwrap();
    simulation.run_until(60 * S).unwrap();
    assert_eq!(phase(&simulation, "never"), Some(PodPhase::Failed));
    assert_eq!(
        phase(&simulation, "always"),
        Some(PodPhase::Running),
        "init retried until it succeeded"
    );
}

#[test]
fn applying_a_node_joins_a_machine_and_reapplying_updates_it() {
    let mut simulation = cluster(workers(1));
    simulation.apply(include_str!("../../seeds/daemonset-1.yaml")).unwrap();
    let node = "apiVersion: v1\nkind: Node\nmetadata:\n  name: centos-1\n  labels: {os: centos}\nstatus:\n  capacity: {cpu: \"2\", memory: 4Gi, pods: \"20\"}\n";
    simulation.apply(node).unwrap();
    simulation.run_until(5 * S).unwrap();
    let joined = simulation.node("centos-1").expect("joined");
    assert!(joined.is_ready());
    assert_eq!(joined.status.allocatable.get("pods").map(|pods| pods.value()), Some(20));
    assert_eq!(
        simulation.pods().filter(|pod| pod.spec.node_name == "centos-1").count(),
        1
    );
    let tainted = "apiVersion: v1\nkind: Node\nmetadata:\n  name: centos-1\nspec:\n  taints: [{key: dedicated, value: db, effect: NoExecute}]\n";
    simulation.apply(tainted).unwrap();
    simulation.run_until(10 * S).unwrap();
    assert_eq!(
        simulation.pods().filter(|pod| pod.spec.node_name == "centos-1").count(),
        0,
        "the daemon pod does not tolerate it"
    );
}

fn job_yaml(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\nspec:\n{spec}  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n"
    )
}

fn job_active(simulation: &Simulation, name: &str) -> usize {
    let Some(job) = simulation.job("default", name) else {
        return 0;
    };
    simulation
        .pods()
        .filter(|pod| {
            pod.metadata
                .controller_of()
                .is_some_and(|owner| owner.uid == job.metadata.uid)
        })
        .filter(|pod| !pod.status.phase.is_terminal() && !pod.metadata.is_terminating())
        .count()
}

/// The invariant of the controllers issue: a Job's active pods never exceed its parallelism,
/// checked after every step over 100 seeds with varied parallelism, durations and failures.
#[test]
fn job_active_pods_never_exceed_parallelism() {
    for seed in 0..100u64 {
        let parallelism = 1 + (seed % 4) as usize;
        let mut behaviour = Behaviour::default();
        behaviour.batch_default.duration_ms = Some((2 + seed % 9) * S);
        behaviour.batch_default.fail_first = Some((seed % 5) as u32);
        behaviour.batch_default.exit_code = Some(1);
        let mut simulation = Simulation::new(&ClusterConfig {
            seed,
            nodes: workers(1 + (seed % 3) as usize),
            behaviour,
            ..ClusterConfig::default()
        });
        simulation
            .apply(&job_yaml(
                "work",
                &format!("  completions: 10\n  parallelism: {parallelism}\n  backoffLimit: 100\n"),
            ))
            .unwrap();
        let mut steps = 0;
        while simulation.next_event_time().is_some_and(|due| due <= 30 * 60 * S) {
            simulation.step();
            steps += 1;
            let active = job_active(&simulation, "work");
            assert!(
                active <= parallelism,
                "seed {seed}: {active} active > {parallelism} at {}",
                simulation.now()
            );
            assert!(steps < 100_000, "seed {seed}: runaway");
        }
        let job = simulation.job("default", "work").unwrap();
        assert!(job.status.has_condition("Complete"), "seed {seed}: {:?}", job.status);
        assert_eq!(job.status.succeeded, 10, "seed {seed}");
    }
}

#[test]
fn suspended_job_starts_nothing_until_resumed() {
    let mut simulation = cluster(workers(1));
    simulation
        .apply(&job_yaml(
            "later",
            "  suspend: true\n  completions: 2\n  parallelism: 2\n",
        ))
        .unwrap();
    simulation.run_until(20 * S).unwrap();
    assert_eq!(job_active(&simulation, "later"), 0);
    let job = simulation.job("default", "later").unwrap();
    assert_eq!(
        crate::api::condition_status(&job.status.conditions, "Suspended"),
        Some("True")
    );
    assert_eq!(job.status.start_time_ms, None);
    simulation
        .apply(&job_yaml(
            "later",
            "  suspend: false\n  completions: 2\n  parallelism: 2\n",
        ))
        .unwrap();
    simulation.run_until(21 * S).unwrap();
    assert_eq!(job_active(&simulation, "later"), 2);
    let job = simulation.job("default", "later").unwrap();
    assert_eq!(
        crate::api::condition_status(&job.status.conditions, "Suspended"),
        Some("False")
    );
    assert_eq!(job.status.start_time_ms, Some(20 * S));
    assert_eq!(messages(&simulation, "Resumed"), vec!["Job resumed".to_string()]);
    simulation.run_until(60 * S).unwrap();
    assert!(simulation
        .job("default", "later")
        .unwrap()
        .status
        .has_condition("Complete"));
}

#[test]
fn job_template_is_immutable_but_parallelism_is_not() {
    let mut simulation = cluster(workers(2));
    simulation
        .apply(&job_yaml("grow", "  completions: 6\n  parallelism: 1\n"))
        .unwrap();
    simulation.run_until(2 * S).unwrap();
    assert_eq!(job_active(&simulation, "grow"), 1);
    simulation
        .apply(&job_yaml("grow", "  completions: 6\n  parallelism: 3\n"))
        .unwrap();
    simulation.run_until(3 * S).unwrap();
    assert_eq!(job_active(&simulation, "grow"), 3);
    let changed = job_yaml("grow", "  completions: 6\n  parallelism: 3\n").replace("busybox", "alpine");
    let error = simulation.apply(&changed).unwrap_err();
    assert!(
        error.to_string().contains("The Job \"grow\" is invalid: spec.template"),
        "{error}"
    );
    let pod = simulation
        .pods()
        .find(|pod| pod.metadata.name.starts_with("grow-"))
        .unwrap();
    for label in ["batch.kubernetes.io/job-name", "job-name"] {
        assert_eq!(pod.metadata.labels.get(label).map(String::as_str), Some("grow"));
    }
}

/// Pods deleted because a Job was suspended lose their tracking first (`deleteJobPods`):
/// they never count as failed, so even `backoffLimit: 0` does not fail the Job, and resuming
/// starts new pods at once, without back-off.
#[test]
fn suspending_a_running_job_is_not_a_failure() {
    let mut simulation = cluster(workers(1));
    let spec = |suspend: bool| format!("  suspend: {suspend}\n  backoffLimit: 0\n  completions: 2\n  parallelism: 2\n");
    simulation.apply(&job_yaml("pause", &spec(false))).unwrap();
    simulation.run_until(5 * S).unwrap();
    assert_eq!(job_active(&simulation, "pause"), 2);
    simulation.apply(&job_yaml("pause", &spec(true))).unwrap();
    simulation.run_until(60 * S).unwrap();
    let job = simulation.job("default", "pause").unwrap();
    assert_eq!(
        (job.status.failed, job.status.active, job.status.terminating),
        (0, 0, 0),
        "{:?}",
        job.status
    );
    assert!(!job.status.has_condition("FailureTarget") && !job.status.is_finished());
    simulation.apply(&job_yaml("pause", &spec(false))).unwrap();
    simulation.run_until(61 * S).unwrap();
    assert_eq!(job_active(&simulation, "pause"), 2, "resumed without back-off");
    simulation.run_until(120 * S).unwrap();
    let job = simulation.job("default", "pause").unwrap();
    assert!(job.status.has_condition("Complete"), "{:?}", job.status);
    let complete = job
        .status
        .conditions
        .iter()
        .find(|condition| condition.condition_type == "Complete")
        .unwrap();
    assert_eq!(complete.reason, "CompletionsReached");
}

/// The invariant of the controllers issue: a Forbid CronJob never has two active Jobs, checked
/// after every step over 100 seeds with run times around the schedule's period.
#[test]
fn forbid_cron_job_never_runs_two_jobs() {
    for seed in 0..100u64 {
        let mut behaviour = Behaviour::default();
        behaviour.batch_default.duration_ms = Some((30 + seed % 7 * 15) * S);
        let mut simulation = Simulation::new(&ClusterConfig {
            seed,
            nodes: workers(2),
            behaviour,
            ..ClusterConfig::default()
        });
        simulation
            .apply("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: cj\nspec:\n  schedule: '* * * * *'\n  concurrencyPolicy: Forbid\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: c, image: busybox}]\n")
            .unwrap();
        while simulation.next_event_time().is_some_and(|due| due <= 15 * 60 * S) {
            simulation.step();
            let running = simulation.jobs().filter(|job| !job.status.is_finished()).count();
            assert!(
                running <= 1,
                "seed {seed}: {running} unfinished Jobs at {}",
                simulation.now()
            );
        }
        assert!(simulation.jobs().count() >= 1, "seed {seed}");
    }
}

/// The API server ignores the status of an object being created: a Job manifest that claims
/// to be Complete still runs.
#[test]
fn status_in_a_new_manifest_is_ignored() {
    let mut simulation = cluster(workers(1));
    let claimed = format!(
        "{}status:\n  succeeded: 1\n  conditions:\n  - {{type: Complete, status: \"True\"}}\n",
        job_yaml("claims", "")
    );
    simulation.apply(&claimed).unwrap();
    let job = simulation.job("default", "claims").unwrap();
    assert_eq!(
        (job.status.succeeded, job.status.is_finished()),
        (0, false),
        "{:?}",
        job.status
    );
    simulation.run_until(2 * S).unwrap();
    assert_eq!(job_active(&simulation, "claims"), 1);
}

/// `backoffLimitPerIndex`: each replacement of an index carries the failures before it in
/// `batch.kubernetes.io/job-index-failure-count` and waits for the index's own back-off (10s,
/// then 20s); an index whose pod fails with the limit already reached fails for good.
#[test]
fn per_index_replacements_carry_the_failure_count_and_back_off() {
    let mut behaviour = Behaviour::default();
    behaviour.batch_default.duration_ms = Some(2 * S);
    behaviour.batch_default.exit_code = Some(1);
    let mut simulation = Simulation::new(&ClusterConfig {
        nodes: workers(1),
        behaviour,
        ..ClusterConfig::default()
    });
    simulation
        .apply(&job_yaml(
            "idx",
            "  completions: 2\n  parallelism: 2\n  completionMode: Indexed\n  backoffLimitPerIndex: 2\n",
        ))
        .unwrap();
    simulation.run_until(120 * S).unwrap();
    let mut index_zero: Vec<(Millis, String)> = simulation
        .pods()
        .filter(|pod| pod.metadata.name.starts_with("idx-0-"))
        .map(|pod| {
            (
                pod.metadata.creation_timestamp_ms,
                pod.metadata.annotations[crate::controller::job::INDEX_FAILURE_COUNT].clone(),
            )
        })
        .collect();
    index_zero.sort();
    // Created at 0; the first fails at 3s (1s pull, 2s run), the second comes 10s later and
    // fails at 15s, the third 20s later.
    assert_eq!(
        index_zero,
        [
            (0, "0".to_string()),
            (13 * S, "1".to_string()),
            (35 * S, "2".to_string())
        ]
    );
    let job = simulation.job("default", "idx").unwrap();
    assert_eq!(job.status.failed_indexes.as_deref(), Some("0,1"));
    assert_eq!(job.status.failed, 6);
    assert_eq!(
        crate::api::condition_status(&job.status.conditions, "Failed"),
        Some("True")
    );
    assert!(job
        .status
        .conditions
        .iter()
        .any(|condition| condition.condition_type == "Failed" && condition.reason == "FailedIndexes"));
}

/// The parallelism invariant again, for Indexed Jobs with per-index back-off and a pod failure
/// policy that ignores exit code 3: over 40 seeds, never more active pods than parallelism, and
/// every Job finishes.
#[test]
fn per_index_jobs_never_exceed_parallelism() {
    for seed in 0..40u64 {
        let parallelism = 1 + (seed % 3) as usize;
        let mut behaviour = Behaviour::default();
        behaviour.batch_default.duration_ms = Some((2 + seed % 5) * S);
        behaviour.batch_default.fail_first = Some((seed % 4) as u32);
        behaviour.batch_default.exit_code = Some(if seed % 2 == 0 { 1 } else { 3 });
        let mut simulation = Simulation::new(&ClusterConfig {
            seed,
            nodes: workers(1 + (seed % 2) as usize),
            behaviour,
            ..ClusterConfig::default()
        });
        let spec = format!(
            "  completions: 6\n  parallelism: {parallelism}\n  completionMode: Indexed\n  backoffLimitPerIndex: 1\n  podFailurePolicy:\n    rules:\n    - action: Ignore\n      onExitCodes: {{operator: In, values: [3]}}\n"
        );
        simulation.apply(&job_yaml("work", &spec)).unwrap();
        let mut steps = 0;
        while simulation.next_event_time().is_some_and(|due| due <= 60 * 60 * S) {
            simulation.step();
            steps += 1;
            let active = job_active(&simulation, "work");
            assert!(active <= parallelism, "seed {seed}: {active} active > {parallelism}");
            assert!(steps < 100_000, "seed {seed}: runaway");
        }
        let job = simulation.job("default", "work").unwrap();
        assert!(job.status.is_finished(), "seed {seed}: {:?}", job.status);
    }
}

/// `podReplacementPolicy: Failed`: a pod being deleted counts as failed, and is replaced, only
/// once it has gone (here a `sleep` that ignores SIGTERM, killed when its 30s grace period ends
/// at 35s), and counts in `status.terminating` meanwhile; with the default
/// `TerminatingOrFailed` it counts as failed when its deletion starts (5s). Either way the
/// replacement waits for the Job's 10s back-off from that failure.
#[test]
fn pod_replacement_policy_failed_waits_for_the_deleted_pod() {
    for (policy, replaced_at) in [("Failed", 45 * S), ("TerminatingOrFailed", 15 * S)] {
        let mut simulation = cluster(workers(1));
        let manifest = format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: slow\nspec:\n  podReplacementPolicy: {policy}\n  backoffLimit: 3\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: [sleep, \"3600\"]\n"
        );
        simulation.apply(&manifest).unwrap();
        simulation.run_until(5 * S).unwrap();
        let first = simulation.pods().next().unwrap().metadata.name.clone();
        simulation.delete_pod("default", &first).unwrap();
        simulation.run_until(6 * S).unwrap();
        let job = simulation.job("default", "slow").unwrap();
        assert_eq!(job.status.terminating, 1, "{policy}");
        simulation.run_until(50 * S).unwrap();
        let created: Vec<Millis> = simulation
            .pods()
            .filter(|pod| pod.metadata.name != first)
            .map(|pod| pod.metadata.creation_timestamp_ms)
            .collect();
        assert_eq!(created, [replaced_at], "{policy}");
        let job = simulation.job("default", "slow").unwrap();
        assert_eq!((job.status.failed, job.status.terminating), (1, 0), "{policy}");
    }
}

/// `ValidateJobSpecUpdate`: the pod failure policy, `backoffLimitPerIndex` and the success
/// policy are immutable; `maxFailedIndexes` is not.
#[test]
fn job_policies_are_immutable_but_max_failed_indexes_is_not() {
    let mut simulation = cluster(workers(1));
    let base = "  completions: 3\n  completionMode: Indexed\n  backoffLimitPerIndex: 1\n  maxFailedIndexes: 1\n";
    simulation.apply(&job_yaml("idx", base)).unwrap();
    for (changed, field) in [
        ("  completions: 3\n  completionMode: Indexed\n  backoffLimitPerIndex: 2\n  maxFailedIndexes: 1\n", "spec.backoffLimitPerIndex"),
        (
            "  completions: 3\n  completionMode: Indexed\n  backoffLimitPerIndex: 1\n  maxFailedIndexes: 1\n  successPolicy:\n    rules: [{succeededCount: 1}]\n",
            "spec.successPolicy",
        ),
        (
            "  completions: 3\n  completionMode: Indexed\n  backoffLimitPerIndex: 1\n  maxFailedIndexes: 1\n  podFailurePolicy:\n    rules: [{action: Ignore, onExitCodes: {operator: In, values: [3]}}]\n",
            "spec.podFailurePolicy",
        ),
    ] {
        let error = simulation.apply(&job_yaml("idx", changed)).unwrap_err();
        assert!(
            error.to_string().contains(&format!("The Job \"idx\" is invalid: {field}: ")),
            "{error}"
        );
    }
    simulation
        .apply(&job_yaml(
            "idx",
            "  completions: 3\n  completionMode: Indexed\n  backoffLimitPerIndex: 1\n  maxFailedIndexes: 2\n",
        ))
        .unwrap();
    assert_eq!(
        simulation.job("default", "idx").unwrap().spec.max_failed_indexes,
        Some(2)
    );
}

/// The API server keeps events for an hour (`--event-ttl`); the hash and the kept trace still
/// cover every event, so a long run hashes the same whether or not its trace is kept.
#[test]
fn events_are_stored_for_an_hour_and_hashed_forever() {
    let run = |trace: bool| {
        let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", 2));
        if trace {
            simulation.keep_event_trace();
        }
        simulation
            .apply("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: often\nspec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          annotations:\n            kubarium.io/fail-first: \"0\"\n        spec:\n          restartPolicy: Never\n          containers:\n          - name: work\n            image: busybox\n")
            .unwrap();
        simulation.run_until(3 * 3_600 * S).unwrap();
        simulation
    };
    let (bounded, traced) = (run(false), run(true));
    assert_eq!(bounded.event_log_hash(), traced.event_log_hash());
    assert_eq!(bounded.events(), traced.events());
    let trace = traced.event_trace().expect("kept");
    assert_eq!(bounded.event_trace(), None);
    assert_eq!(bounded.events_recorded(), trace.len());
    let hour_ago = bounded.now() - EVENT_TTL_MS;
    assert!(bounded.events().iter().all(|event| event.time_ms > hour_ago));
    let expired = trace.iter().filter(|event| event.time_ms <= hour_ago).count();
    assert!(expired > 0);
    assert_eq!(bounded.events().len(), trace.len() - expired);
    // The run counts of deleted Jobs are forgotten too: only the three Jobs the history limit
    // keeps are still counted, not the 36 that ran (their pods' `fail-first` of 0 makes the
    // kubelet count runs, and fails none).
    assert_eq!(bounded.behaviour_attempts.len(), bounded.jobs().count());
    assert_eq!(bounded.jobs().count(), 3);
}

/// Uids and pod IPs written digit by digit read as the formatter writes them.
#[test]
fn uids_and_pod_ips_match_the_formatter() {
    for number in [
        0,
        1,
        15,
        16,
        255,
        4_095,
        0xfff_ffff_ffff,
        1 << 48,
        (1 << 48) + 0xabc,
        u64::MAX,
    ] {
        assert_eq!(
            uid_of(number).to_string(),
            format!("00000000-0000-4000-8000-{number:012x}")
        );
    }
    for number in [0, 7, 10, 99, 100, 12_345, u32::MAX] {
        let mut text = String::from("x");
        crate::time::push_zero_padded(&mut text, u64::from(number), 0);
        assert_eq!(text, format!("x{number}"));
    }
}

/// A generated name already taken is generated again (`RetryGenerateName`): the pod gets the
/// next name drawn, and the pod holding the first one stays.
#[test]
fn a_taken_generated_name_is_generated_again() {
    let mut simulation = cluster(workers(1));
    let taken = simulation.rng.clone().generate_name("web-");
    let mut holder = Pod::default();
    holder.metadata.name = taken.clone();
    simulation.create_pod(holder);
    // Creating a named pod draws nothing: the next name drawn is the taken one.
    assert_eq!(simulation.rng.clone().generate_name("web-"), taken);
    let mut generated = Pod::default();
    generated.metadata.generate_name = "web-".to_string();
    let key = simulation.create_pod(generated);
    assert_ne!(key.name, taken);
    assert!(key.name.starts_with("web-"), "{}", key.name);
    assert!(simulation.pod("default", &key.name).is_some());
    assert!(simulation.pod("default", &taken).is_some());
}

/// Each node gets a /24 of 10.244.0.0/16 in `spec.podCIDR` (the lowest free one, so a deleted
/// node's subnet goes to the next node added), and its pods get IPs from it, from `.2`; a
/// `hostNetwork` pod has the node's IP and takes none.
#[test]
fn pod_ips_come_from_their_nodes_pod_subnet() {
    let mut simulation = cluster(workers(2));
    let cidrs: Vec<String> = simulation.nodes().map(|node| node.spec.pod_cidr.clone()).collect();
    assert_eq!(cidrs, ["10.244.0.0/24", "10.244.1.0/24"]);
    let pod = |name: &str, node: &str, host_network: bool| {
        format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec: {{nodeName: {node}, hostNetwork: {host_network}, containers: [{{name: c, image: nginx}}]}}\n")
    };
    for (name, node, host_network) in [
        ("a", "node-1", false),
        ("host", "node-2", true),
        ("b", "node-2", false),
        ("c", "node-2", false),
    ] {
        simulation.apply(&pod(name, node, host_network)).unwrap();
    }
    simulation.run_until(5 * S).unwrap();
    let ip = |simulation: &Simulation, name: &str| simulation.pod("default", name).unwrap().status.pod_ip.clone();
    assert_eq!(
        [ip(&simulation, "a"), ip(&simulation, "b"), ip(&simulation, "c")],
        ["10.244.0.2", "10.244.1.2", "10.244.1.3"]
    );
    assert_eq!(
        ip(&simulation, "host"),
        simulation.node("node-2").unwrap().status.internal_ip
    );
    simulation.delete_node("node-1").unwrap();
    simulation.add_node(NodeConfig::worker("node-3"));
    assert_eq!(simulation.node("node-3").unwrap().spec.pod_cidr, "10.244.0.0/24");
}

/// A pod of a second scheduler profile is reported by that profile's name
/// (`profile.NewProfile`: events recorded as the scheduler's name).
#[test]
fn a_second_schedulers_events_carry_its_name() {
    let mut simulation = Simulation::new(&ClusterConfig {
        nodes: workers(1),
        extra_schedulers: vec!["my-scheduler".to_string()],
        ..ClusterConfig::default()
    });
    simulation
        .apply(&pod_yaml("mine", "  schedulerName: my-scheduler\n"))
        .unwrap();
    simulation
        .apply(&pod_yaml(
            "too-big",
            "    resources:\n      requests: {cpu: \"9\"}\n  schedulerName: my-scheduler\n",
        ))
        .unwrap();
    simulation.run_until(2 * S).unwrap();
    let sources: Vec<(&str, &str)> = simulation
        .events()
        .iter()
        .filter(|event| event.reason == "Scheduled" || event.reason == "FailedScheduling")
        .map(|event| (event.reason.as_str(), event.source.as_str()))
        .collect();
    assert_eq!(
        sources,
        [("Scheduled", "my-scheduler"), ("FailedScheduling", "my-scheduler")]
    );
}

/// `kubectl apply -f` creates the documents in order: a Namespace and then a pod in it, in one
/// file, both apply; the other way round the pod comes first and is refused.
#[test]
fn a_namespace_and_its_objects_apply_together_in_order() {
    let namespace = "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n";
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: team}\nspec: {containers: [{name: c, image: nginx}]}\n";
    let mut simulation = cluster(workers(1));
    let error = simulation
        .apply(&format!("{pod}---\n{namespace}"))
        .expect_err("the pod comes first");
    assert!(error.to_string().contains("namespaces \"team\" not found"), "{error}");
    simulation.apply(&format!("{namespace}---\n{pod}")).expect("in order");
    simulation.run_until(5 * S).unwrap();
    assert_eq!(
        simulation.pod("team", "p").map(|pod| pod.status.phase),
        Some(PodPhase::Running)
    );
}
