use serde_json::json;

use super::*;
use crate::time::SECOND_MS;

#[test]
fn three_way_keeps_others_fields_and_removes_the_users() {
    struct Case {
        name: &'static str,
        last: Option<Json>,
        live: Json,
        new: Json,
        merged: Json,
    }
    let cases = [
        Case {
            name: "a field no manifest set is kept (kubectl scale's replicas)",
            last: Some(json!({"selector": {"app": "web"}})),
            live: json!({"replicas": 4, "selector": {"app": "web"}}),
            new: json!({"selector": {"app": "web"}}),
            merged: json!({"replicas": 4, "selector": {"app": "web"}}),
        },
        Case {
            name: "a field the manifest sets wins over the live value",
            last: Some(json!({"replicas": 3})),
            live: json!({"replicas": 4}),
            new: json!({"replicas": 3}),
            merged: json!({"replicas": 3}),
        },
        Case {
            name: "a field the last manifest set and this one does not is removed",
            last: Some(json!({"minReadySeconds": 10, "replicas": 2})),
            live: json!({"minReadySeconds": 10, "replicas": 2, "revisionHistoryLimit": 10}),
            new: json!({"replicas": 2}),
            merged: json!({"replicas": 2, "revisionHistoryLimit": 10}),
        },
        Case {
            name: "maps merge key by key, at any depth",
            last: Some(json!({"template": {"metadata": {"labels": {"app": "web", "tier": "a"}}}})),
            live: json!({"template": {"metadata": {"labels": {"app": "web", "tier": "a", "added": "by-hand"}}}}),
            new: json!({"template": {"metadata": {"labels": {"app": "web"}}}}),
            merged: json!({"template": {"metadata": {"labels": {"app": "web", "added": "by-hand"}}}}),
        },
        Case {
            name: "lists are replaced whole",
            last: Some(json!({"ports": [{"port": 80}, {"port": 443}]})),
            live: json!({"ports": [{"port": 80, "nodePort": 30080}, {"port": 443, "nodePort": 30443}]}),
            new: json!({"ports": [{"port": 80}]}),
            merged: json!({"ports": [{"port": 80}]}),
        },
        Case {
            name: "without a last-applied manifest nothing is removed",
            last: None,
            live: json!({"minReadySeconds": 10, "replicas": 5}),
            new: json!({"replicas": 2}),
            merged: json!({"minReadySeconds": 10, "replicas": 2}),
        },
    ];
    for case in cases {
        assert_eq!(
            three_way(case.last.as_ref(), &case.live, &case.new),
            case.merged,
            "{}",
            case.name
        );
    }
}

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  minReadySeconds: 5\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: nginx}]}\n";

fn replicas(simulation: &Simulation) -> i32 {
    simulation.deployment("default", "web").expect("exists").spec.replicas
}

/// `kubectl scale` then re-applying the same manifest (which has no `replicas`) keeps the scaled
/// count, as on a real cluster; a removed `minReadySeconds` goes back to its default; the
/// template is unchanged, so no new ReplicaSet is made.
#[test]
fn reapplying_keeps_what_others_set_and_drops_what_the_user_removed() {
    let mut simulation = Simulation::new(&crate::ClusterConfig::with_nodes("node", 2));
    simulation.apply(DEPLOYMENT).expect("applies");
    simulation.run_until(10 * SECOND_MS).expect("runs");
    let annotation = simulation
        .deployment("default", "web")
        .expect("exists")
        .metadata
        .annotations[LAST_APPLIED]
        .clone();
    let recorded: Json = serde_json::from_str(&annotation).expect("JSON");
    assert_eq!(recorded["spec"]["minReadySeconds"], json!(5));
    assert!(recorded["metadata"].get("annotations").is_none(), "{recorded}");

    let action = crate::actions::parse_action("scale deployment/web --replicas=4", None).expect("parses");
    simulation.perform(&action).expect("scales");
    simulation.run_until(20 * SECOND_MS).expect("runs");
    let replica_sets_before = simulation.replica_sets().count();
    simulation
        .apply(&DEPLOYMENT.replace("  minReadySeconds: 5\n", ""))
        .expect("applies");
    simulation.run_until(40 * SECOND_MS).expect("runs");
    assert_eq!(replicas(&simulation), 4, "kubectl scale's replicas are kept");
    assert_eq!(
        simulation
            .deployment("default", "web")
            .expect("exists")
            .spec
            .min_ready_seconds,
        0
    );
    assert_eq!(
        simulation.replica_sets().count(),
        replica_sets_before,
        "same template, same ReplicaSet"
    );

    // A manifest that sets replicas wins.
    simulation
        .apply(&DEPLOYMENT.replace("spec:\n  selector", "spec:\n  replicas: 2\n  selector"))
        .expect("applies");
    simulation.run_until(60 * SECOND_MS).expect("runs");
    assert_eq!(replicas(&simulation), 2);
    // Then removing it from the manifest again: the last manifest set it, so it is removed,
    // and the default (1) applies, as with kubectl.
    simulation.apply(DEPLOYMENT).expect("applies");
    simulation.run_until(80 * SECOND_MS).expect("runs");
    assert_eq!(replicas(&simulation), 1);
}

/// A Service re-applied keeps its allocated clusterIP and node ports.
#[test]
fn a_reapplied_service_keeps_its_allocations() {
    let service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80}]\n";
    let mut simulation = Simulation::new(&crate::ClusterConfig::with_nodes("node", 1));
    simulation.apply(service).expect("applies");
    let before = simulation.service("default", "web").expect("exists").spec.clone();
    simulation.apply(service).expect("applies again");
    let after = &simulation.service("default", "web").expect("exists").spec;
    assert_eq!(after.cluster_ip, before.cluster_ip);
    assert_eq!(after.ports, before.ports);
}
