//! Rollouts played on small clusters: RollingUpdate, Recreate, the progress deadline, pause and
//! resume, rollback, history cleanup, proportional scaling and deletion.

use crate::actions::parse_action;
use crate::api::{Deployment, ReplicaSet, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION};
use crate::sim::{ClusterConfig, Simulation};
use crate::tables::rollout_status;
use crate::time::SECOND_MS;

/// A Deployment `web` of `replicas` nginx pods with the given strategy lines.
fn manifest(replicas: i32, strategy: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: {replicas}\n{strategy}  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers: [{{name: web, image: 'nginx:1'}}]\n"
    )
}

fn cluster(text: &str) -> Simulation {
    let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", 3));
    simulation.apply(text).expect("applies");
    simulation
}

fn run(simulation: &mut Simulation, seconds: u64) {
    simulation.run_until(seconds * SECOND_MS).expect("runs");
}

fn act(simulation: &mut Simulation, line: &str) {
    let action = parse_action(line, None).expect(line);
    simulation.perform(&action).expect(line);
}

fn web(simulation: &Simulation) -> &Deployment {
    simulation.deployment("default", "web").expect("exists")
}

/// (image, spec.replicas, revision) of each ReplicaSet, by revision.
fn replica_sets(simulation: &Simulation) -> Vec<(String, i32, String)> {
    let mut sets: Vec<&ReplicaSet> = simulation.replica_sets().collect();
    sets.sort_by_key(|rs| super::revision(rs));
    sets.iter()
        .map(|rs| {
            (
                rs.spec.template.spec.containers[0].image.clone(),
                rs.spec.replicas,
                rs.metadata
                    .annotations
                    .get(REVISION_ANNOTATION)
                    .cloned()
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn condition<'a>(deployment: &'a Deployment, condition_type: &str) -> (&'a str, &'a str) {
    deployment
        .status
        .conditions
        .iter()
        .find(|condition| condition.condition_type == condition_type)
        .map_or(("", ""), |condition| {
            (condition.status.as_str(), condition.reason.as_str())
        })
}

fn images(simulation: &Simulation) -> Vec<String> {
    let mut images: Vec<String> = simulation
        .pods()
        .filter(|pod| !pod.metadata.is_terminating())
        .map(|pod| pod.spec.containers[0].image.clone())
        .collect();
    images.sort();
    images
}

#[test]
fn a_rolling_update_replaces_every_pod_and_records_revisions() {
    let mut simulation = cluster(&manifest(4, ""));
    run(&mut simulation, 10);
    let deployment = web(&simulation);
    assert_eq!(
        (deployment.status.replicas, deployment.status.available_replicas),
        (4, 4)
    );
    assert_eq!(condition(deployment, "Available"), ("True", "MinimumReplicasAvailable"));
    assert_eq!(condition(deployment, "Progressing"), ("True", "NewReplicaSetAvailable"));
    assert_eq!(
        deployment
            .metadata
            .annotations
            .get(REVISION_ANNOTATION)
            .map(String::as_str),
        Some("1")
    );
    let first = simulation.replica_sets().next().expect("one ReplicaSet");
    let hash = first.metadata.labels["pod-template-hash"].clone();
    assert_eq!(first.metadata.name, format!("web-{hash}"));
    assert_eq!(first.spec.selector.match_labels["pod-template-hash"], hash);
    assert!(simulation
        .pods()
        .all(|pod| pod.metadata.labels.get("pod-template-hash") == Some(&hash)));
    assert_eq!(
        rollout_status(&simulation, "default", "web"),
        Ok("deployment \"web\" successfully rolled out".to_string())
    );

    act(&mut simulation, "set image deployment/web web=nginx:2");
    simulation.step();
    let status = rollout_status(&simulation, "default", "web").expect("no deadline passed");
    assert!(
        status.starts_with("Waiting for deployment \"web\" rollout to finish"),
        "{status}"
    );
    run(&mut simulation, 60);
    assert_eq!(
        replica_sets(&simulation),
        [
            ("nginx:1".to_string(), 0, "1".to_string()),
            ("nginx:2".to_string(), 4, "2".to_string())
        ]
    );
    assert_eq!(images(&simulation), ["nginx:2"; 4]);
    let deployment = web(&simulation);
    assert_eq!(
        deployment
            .metadata
            .annotations
            .get(REVISION_ANNOTATION)
            .map(String::as_str),
        Some("2")
    );
    assert_eq!(
        (deployment.metadata.generation, deployment.status.observed_generation),
        (2, 2)
    );
    assert_eq!(deployment.status.updated_replicas, 4);
}

#[test]
fn recreate_stops_every_old_pod_before_starting_new_ones() {
    let text = manifest(3, "  strategy: {type: Recreate}\n")
        .replace("image: 'nginx:1'}]", "image: 'busybox:1', command: [sleep, infinity]}]");
    let mut simulation = cluster(&text);
    run(&mut simulation, 10);
    act(&mut simulation, "set image deployment/web web=busybox:2");
    let mut overlap = false;
    while simulation.next_event_time().is_some_and(|due| due <= 90 * SECOND_MS) {
        simulation.step();
        let running: Vec<&str> = simulation
            .pods()
            .filter(|pod| !pod.status.phase.is_terminal())
            .map(|pod| pod.spec.containers[0].image.as_str())
            .collect();
        overlap |= running.contains(&"busybox:1") && running.contains(&"busybox:2");
    }
    assert!(!overlap, "old and new pods never run together");
    run(&mut simulation, 90);
    assert_eq!(images(&simulation), ["busybox:2"; 3]);
    // `sleep` ignores SIGTERM: the old pods took their 30s grace period to go.
    let created = simulation
        .events()
        .iter()
        .find(|event| {
            event.reason == "ScalingReplicaSet" && event.message().contains("from 0 to 3") && event.time_ms > 0
        })
        .expect("the new ReplicaSet scaled up");
    assert_eq!(created.time_ms, 40 * SECOND_MS);
}

#[test]
fn a_rollout_that_makes_no_progress_times_out() {
    let text = manifest(
        2,
        "  progressDeadlineSeconds: 30\n  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}\n",
    );
    let mut simulation = cluster(&text);
    run(&mut simulation, 10);
    // A template that no node fits: the new pod stays Pending.
    act(
        &mut simulation,
        "patch deployment/web -p '{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"disk\":\"nvme\"}}}}}'",
    );
    run(&mut simulation, 40);
    assert_eq!(
        condition(web(&simulation), "Progressing"),
        ("True", "ReplicaSetUpdated")
    );
    run(&mut simulation, 50);
    let deployment = web(&simulation);
    assert_eq!(
        condition(deployment, "Progressing"),
        ("False", "ProgressDeadlineExceeded")
    );
    let timed_out = deployment
        .status
        .conditions
        .iter()
        .find(|condition| condition.condition_type == "Progressing")
        .expect("set");
    // Progress was last seen at 10s (the new pod counted); the check comes a second after the
    // 30s deadline.
    assert_eq!(timed_out.last_update_time_ms, 41 * SECOND_MS);
    assert_eq!(
        rollout_status(&simulation, "default", "web"),
        Err("error: deployment \"web\" exceeded its progress deadline".to_string())
    );
    assert_eq!(deployment.status.available_replicas, 2, "the old pods keep serving");
}

#[test]
fn a_paused_deployment_holds_template_changes_until_resumed() {
    let mut simulation = cluster(&manifest(2, ""));
    run(&mut simulation, 10);
    act(&mut simulation, "rollout pause deployment/web");
    act(&mut simulation, "set image deployment/web web=nginx:2");
    run(&mut simulation, 30);
    assert_eq!(simulation.replica_sets().count(), 1, "no new ReplicaSet while paused");
    assert_eq!(
        condition(web(&simulation), "Progressing"),
        ("Unknown", "DeploymentPaused")
    );
    let refused = simulation.perform(&parse_action("rollout pause deployment/web", None).expect("parses"));
    assert_eq!(
        refused.unwrap_err().0,
        "error: deployments.apps \"web\" is already paused"
    );
    let restart = simulation.perform(&parse_action("rollout restart deployment/web", None).expect("parses"));
    assert!(restart.unwrap_err().0.contains("can't restart paused deployment"));
    act(&mut simulation, "scale deployment/web --replicas=3");
    run(&mut simulation, 40);
    assert_eq!(images(&simulation), ["nginx:1"; 3], "scaling works while paused");
    act(&mut simulation, "rollout resume deployment/web");
    run(&mut simulation, 80);
    assert_eq!(images(&simulation), ["nginx:2"; 3]);
    assert_eq!(
        condition(web(&simulation), "Progressing"),
        ("True", "NewReplicaSetAvailable")
    );
}

#[test]
fn undo_brings_an_old_replica_set_back_as_the_newest_revision() {
    let mut simulation = cluster(&manifest(2, ""));
    run(&mut simulation, 10);
    act(&mut simulation, "set image deployment/web web=nginx:2");
    run(&mut simulation, 40);
    act(&mut simulation, "set image deployment/web web=nginx:3");
    run(&mut simulation, 70);
    act(&mut simulation, "rollout undo deployment/web");
    run(&mut simulation, 100);
    assert_eq!(images(&simulation), ["nginx:2"; 2]);
    assert_eq!(
        replica_sets(&simulation),
        [
            ("nginx:1".to_string(), 0, "1".to_string()),
            ("nginx:3".to_string(), 0, "3".to_string()),
            ("nginx:2".to_string(), 2, "4".to_string())
        ]
    );
    let back = simulation
        .replica_sets()
        .find(|rs| rs.spec.template.spec.containers[0].image == "nginx:2")
        .expect("exists");
    assert_eq!(
        back.metadata
            .annotations
            .get(REVISION_HISTORY_ANNOTATION)
            .map(String::as_str),
        Some("2")
    );
    act(&mut simulation, "rollout undo deployment/web --to-revision=1");
    run(&mut simulation, 130);
    assert_eq!(images(&simulation), ["nginx:1"; 2]);
    let missing =
        simulation.perform(&parse_action("rollout undo deployment/web --to-revision=9", None).expect("parses"));
    assert_eq!(missing.unwrap_err().0, "unable to find specified revision 9 in history");
}

#[test]
fn the_history_limit_deletes_the_oldest_empty_replica_sets() {
    let mut simulation = cluster(&manifest(2, "  revisionHistoryLimit: 1\n"));
    for (version, until) in [(2, 40), (3, 70), (4, 100)] {
        run(&mut simulation, until - 30);
        act(
            &mut simulation,
            &format!("set image deployment/web web=nginx:{version}"),
        );
    }
    run(&mut simulation, 130);
    assert_eq!(
        replica_sets(&simulation),
        [
            ("nginx:3".to_string(), 0, "3".to_string()),
            ("nginx:4".to_string(), 2, "4".to_string())
        ]
    );
}

#[test]
fn scaling_mid_rollout_is_proportional() {
    // Paused mid-rollout with both ReplicaSets holding pods, then scaled: the extra replicas are
    // shared by size (`scale` in sync.go), the rest stays for the resumed rollout.
    let text = manifest(10, "  strategy: {rollingUpdate: {maxSurge: 3, maxUnavailable: 2}}\n").replace(
        "image: 'nginx:1'}]",
        "image: 'nginx:1'}]\n      nodeSelector: {pool: any}",
    );
    let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", 3));
    for node in ["node-1", "node-2", "node-3"] {
        simulation.label_node(node, "pool", Some("any")).expect("labels");
    }
    simulation.apply(&text).expect("applies");
    run(&mut simulation, 10);
    // The new template fits no node, so its pods stay Pending and the rollout stops with
    // 8 old and 5 new (3 surge, 2 unavailable).
    act(
        &mut simulation,
        "patch deployment/web -p '{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"pool\":\"none\"}}}}}'",
    );
    run(&mut simulation, 20);
    let sizes: Vec<i32> = replica_sets(&simulation)
        .iter()
        .map(|(_, replicas, _)| *replicas)
        .collect();
    assert_eq!(sizes, [8, 5]);
    act(&mut simulation, "scale deployment/web --replicas=15");
    run(&mut simulation, 30);
    let sizes: Vec<i32> = replica_sets(&simulation)
        .iter()
        .map(|(_, replicas, _)| *replicas)
        .collect();
    assert_eq!(sizes, [11, 7], "3 more for the old ReplicaSet, 2 for the new one");
    assert!(
        simulation
            .events()
            .iter()
            .any(|event| event.message().starts_with("Scaled up replica set")
                && event.message().ends_with("from 8 to 11"))
    );
}

#[test]
fn deleting_a_deployment_cascades_through_its_replica_sets() {
    let mut simulation = cluster(&manifest(2, ""));
    run(&mut simulation, 10);
    act(&mut simulation, "delete deployment web --cascade=orphan");
    run(&mut simulation, 15);
    let orphan = simulation.replica_sets().next().expect("kept");
    assert!(orphan.metadata.owner_references.is_empty());
    assert_eq!(simulation.pods().count(), 2, "its pods stay with it");
    // A new Deployment with the same selector adopts the ReplicaSet and its pods.
    simulation.apply(&manifest(2, "")).expect("applies");
    run(&mut simulation, 20);
    assert_eq!(simulation.replica_sets().count(), 1);
    assert_eq!(
        simulation
            .replica_sets()
            .next()
            .and_then(|rs| rs.metadata.controller_of())
            .map(|owner| owner.kind.as_str()),
        Some("Deployment")
    );
    assert_eq!(simulation.pods().count(), 2);
    act(&mut simulation, "delete deploy/web");
    run(&mut simulation, 30);
    assert_eq!(simulation.replica_sets().count(), 0);
    assert_eq!(simulation.pods().count(), 0);
}

#[test]
fn a_name_taken_by_another_template_is_a_hash_collision() {
    let text = manifest(2, "");
    let parsed = crate::manifest::parse_manifests(&text).expect("valid");
    let [crate::manifest::Manifest::Deployment(parsed)] = parsed.as_slice() else {
        panic!("one Deployment");
    };
    let hash = crate::controller::daemonset::compute_hash(&parsed.template_json, None);
    // Someone else's ReplicaSet already has the name the first template would get.
    let squatter = format!(
        "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {{name: web-{hash}}}\nspec:\n  replicas: 0\n  selector: {{matchLabels: {{app: other}}}}\n  template:\n    metadata: {{labels: {{app: other}}}}\n    spec:\n      containers: [{{name: other, image: busybox}}]\n"
    );
    let mut simulation = cluster(&squatter);
    simulation.apply(&text).expect("applies");
    run(&mut simulation, 10);
    let deployment = web(&simulation);
    assert_eq!(deployment.status.collision_count, Some(1));
    let retried = crate::controller::daemonset::compute_hash(&parsed.template_json, Some(1));
    let owned: Vec<&str> = simulation
        .replica_sets()
        .filter(|rs| rs.metadata.controller_of().is_some())
        .map(|rs| rs.metadata.name.as_str())
        .collect();
    assert_eq!(owned, [format!("web-{retried}")]);
    assert_eq!(deployment.status.available_replicas, 2);
}
