//! The Deployment controller's helpers as pure functions, then rollouts played on small
//! clusters, then the rolling update invariant over many seeds.

use super::util::*;
use crate::api::{
    Deployment, DeploymentStatus, IntOrString, ReplicaSet, RollingUpdateDeployment, DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
};
use crate::time::{Millis, SECOND_MS};

const S: Millis = SECOND_MS;

fn int_or_percent(text: &str) -> IntOrString {
    match text.parse::<i64>() {
        Ok(value) => IntOrString::Int(value),
        Err(_) => IntOrString::String(text.to_string()),
    }
}

/// A RollingUpdate Deployment (or Recreate when `surge` is `None`).
fn deployment(replicas: i32, surge: Option<&str>, unavailable: Option<&str>) -> Deployment {
    let mut deployment = Deployment::default();
    deployment.metadata.name = "web".to_string();
    deployment.metadata.generation = 1;
    deployment.spec.replicas = replicas;
    match surge {
        Some(surge) => {
            deployment.spec.strategy.strategy_type = "RollingUpdate".to_string();
            deployment.spec.strategy.rolling_update = Some(RollingUpdateDeployment {
                max_surge: Some(int_or_percent(surge)),
                max_unavailable: unavailable.map(int_or_percent),
            });
        }
        None => deployment.spec.strategy.strategy_type = "Recreate".to_string(),
    }
    deployment
}

fn replica_set(name: &str, replicas: i32, available: i32) -> ReplicaSet {
    let mut replica_set = ReplicaSet::default();
    replica_set.metadata.name = name.to_string();
    replica_set.spec.replicas = replicas;
    replica_set.status.replicas = replicas;
    replica_set.status.ready_replicas = available;
    replica_set.status.available_replicas = available;
    replica_set.status.terminating_replicas = Some(0);
    replica_set
}

struct FencepostCase {
    name: &'static str,
    deployment: Deployment,
    /// (maxSurge, maxUnavailable) as the controller uses them.
    expect: (i32, i32),
}

#[test]
fn fenceposts_round_surge_up_and_unavailable_down() {
    let cases = [
        FencepostCase {
            name: "the defaults on 10 replicas",
            deployment: deployment(10, Some("25%"), Some("25%")),
            expect: (3, 2),
        },
        FencepostCase {
            name: "the defaults on 3 replicas: 0.75 rounds to 1 and 0",
            deployment: deployment(3, Some("25%"), Some("25%")),
            expect: (1, 0),
        },
        FencepostCase {
            name: "both zero after rounding: one may be unavailable",
            deployment: deployment(3, Some("0"), Some("25%")),
            expect: (0, 1),
        },
        FencepostCase {
            name: "absolute numbers",
            deployment: deployment(4, Some("1"), Some("0")),
            expect: (1, 0),
        },
        FencepostCase {
            name: "unavailable never more than the replicas",
            deployment: deployment(2, Some("0"), Some("5")),
            expect: (0, 2),
        },
        FencepostCase {
            name: "Recreate has neither",
            deployment: deployment(5, None, None),
            expect: (0, 0),
        },
        FencepostCase {
            name: "no replicas, nothing unavailable",
            deployment: deployment(0, Some("25%"), Some("25%")),
            expect: (0, 0),
        },
    ];
    for case in cases {
        assert_eq!(
            (max_surge(&case.deployment), max_unavailable(&case.deployment)),
            case.expect,
            "{}",
            case.name
        );
    }
}

struct GrowCase {
    name: &'static str,
    deployment: Deployment,
    /// spec.replicas of the old ReplicaSets, then of the new one.
    old: Vec<i32>,
    new: i32,
    expect: i32,
}

#[test]
fn the_new_replica_set_grows_within_max_surge() {
    let cases = [
        GrowCase {
            name: "first step of a surge-only rollout",
            deployment: deployment(3, Some("1"), Some("0")),
            old: vec![3],
            new: 0,
            expect: 1,
        },
        GrowCase {
            name: "no room while the surge pod is there",
            deployment: deployment(3, Some("1"), Some("0")),
            old: vec![3],
            new: 1,
            expect: 1,
        },
        GrowCase {
            name: "room made by scaling old down",
            deployment: deployment(10, Some("3"), Some("2")),
            old: vec![5],
            new: 5,
            expect: 8,
        },
        GrowCase {
            name: "never past replicas",
            deployment: deployment(4, Some("4"), Some("0")),
            old: vec![1],
            new: 2,
            expect: 4,
        },
        GrowCase {
            name: "Recreate takes everything at once",
            deployment: deployment(4, None, None),
            old: vec![],
            new: 0,
            expect: 4,
        },
    ];
    for case in cases {
        let olds: Vec<ReplicaSet> = case
            .old
            .iter()
            .map(|replicas| replica_set("old", *replicas, 0))
            .collect();
        let new = replica_set("new", case.new, 0);
        let all: Vec<&ReplicaSet> = olds.iter().chain(std::iter::once(&new)).collect();
        assert_eq!(
            new_rs_new_replicas(&case.deployment, &all, case.new),
            case.expect,
            "{}",
            case.name
        );
    }
}

#[test]
fn proportions_follow_the_documented_example() {
    // The Deployments guide: 10 replicas, maxSurge 3, maxUnavailable 2, mid-rollout with 8 old
    // and 5 new, scaled to 15: 3 more go to the old ReplicaSet and 2 to the new one.
    let scaled = deployment(15, Some("3"), Some("2"));
    let mut old = replica_set("old", 8, 8);
    let mut new = replica_set("new", 5, 0);
    for rs in [&mut old, &mut new] {
        rs.metadata
            .annotations
            .insert(MAX_REPLICAS_ANNOTATION.to_string(), "13".to_string());
    }
    let to_add = 15 + 3 - 13;
    let old_share = get_proportion(&old, &scaled, to_add, 0);
    let new_share = get_proportion(&new, &scaled, to_add, old_share);
    assert_eq!((old_share, new_share), (3, 2));
    // Scaling to zero takes each ReplicaSet's whole size; nothing is added past the allowance.
    let zero = deployment(0, Some("3"), Some("2"));
    assert_eq!(get_proportion(&old, &zero, -13, 0), -8);
    assert_eq!(get_proportion(&new, &scaled, 2, 2), 0);
}

fn status(replicas: i32, updated: i32, ready: i32, available: i32) -> DeploymentStatus {
    DeploymentStatus {
        observed_generation: 1,
        replicas,
        updated_replicas: updated,
        ready_replicas: ready,
        available_replicas: available,
        ..DeploymentStatus::default()
    }
}

#[test]
fn progress_complete_and_timeouts() {
    let web = deployment(3, Some("1"), Some("0"));
    assert!(deployment_complete(&web, &status(3, 3, 3, 3)));
    assert!(!deployment_complete(&web, &status(4, 3, 4, 4)), "an old pod left");
    let mut newer = web.clone();
    newer.metadata.generation = 2;
    assert!(
        !deployment_complete(&newer, &status(3, 3, 3, 3)),
        "the spec is not observed yet"
    );

    assert!(deployment_progressing(&status(3, 0, 3, 3), &status(4, 1, 3, 3)));
    assert!(
        deployment_progressing(&status(4, 1, 3, 3), &status(3, 1, 3, 3)),
        "an old pod went"
    );
    assert!(!deployment_progressing(&status(4, 1, 3, 3), &status(4, 1, 3, 3)));

    let mut stuck = web.clone();
    stuck.spec.progress_deadline_seconds = Some(60);
    let mut current = status(4, 1, 3, 3);
    set_condition(
        &mut current,
        new_condition("Progressing", "True", REPLICA_SET_UPDATED_REASON, String::new(), 10 * S),
    );
    assert!(
        !deployment_timed_out(&stuck, &current, 70 * S),
        "exactly at the deadline"
    );
    assert!(deployment_timed_out(&stuck, &current, 70 * S + 1));
    stuck.spec.progress_deadline_seconds = Some(i32::MAX);
    assert!(
        !deployment_timed_out(&stuck, &current, 1_000_000 * S),
        "max int32 means no deadline"
    );
}

#[test]
fn conditions_keep_their_transition_time_while_the_status_holds() {
    let mut status = DeploymentStatus::default();
    set_condition(
        &mut status,
        new_condition("Available", "True", "A", "first".to_string(), 10 * S),
    );
    set_condition(
        &mut status,
        new_condition("Progressing", "True", "B", String::new(), 10 * S),
    );
    set_condition(
        &mut status,
        new_condition("Available", "True", "A", "ignored".to_string(), 20 * S),
    );
    assert_eq!(
        status.conditions[0].message, "first",
        "same status and reason: unchanged"
    );
    set_condition(
        &mut status,
        new_condition("Available", "True", "C", String::new(), 30 * S),
    );
    let available = condition(&status, "Available").expect("set");
    assert_eq!(
        (available.last_transition_time_ms, available.last_update_time_ms),
        (10 * S, 30 * S)
    );
    assert_eq!(status.conditions[1].condition_type, "Available", "moved to the end");
    set_condition(
        &mut status,
        new_condition("Available", "False", "D", String::new(), 40 * S),
    );
    assert_eq!(
        condition(&status, "Available").expect("set").last_transition_time_ms,
        40 * S
    );
}

#[test]
fn status_sums_the_replica_sets_and_says_when_availability_is_minimal() {
    let web = deployment(4, Some("1"), Some("1"));
    let old = replica_set("old", 2, 2);
    let new = replica_set("new", 3, 1);
    let status = calculate_status(&web, &[&old, &new], Some(&new), 5 * S);
    assert_eq!(
        (
            status.replicas,
            status.updated_replicas,
            status.available_replicas,
            status.unavailable_replicas,
            status.terminating_replicas
        ),
        (5, 3, 3, 2, Some(0))
    );
    assert_eq!(condition(&status, "Available").map(|c| c.status.as_str()), Some("True"));
    let starting = replica_set("new", 4, 2);
    let status = calculate_status(&web, &[&starting], Some(&starting), 5 * S);
    let available = condition(&status, "Available").expect("set");
    assert_eq!(
        (available.status.as_str(), available.reason.as_str()),
        ("False", MINIMUM_REPLICAS_UNAVAILABLE)
    );
    let mut unsynced = replica_set("new", 4, 2);
    unsynced.status.terminating_replicas = None;
    assert_eq!(
        calculate_status(&web, &[&old, &unsynced], None, 0).terminating_replicas,
        None,
        "unknown until every ReplicaSet reported it"
    );
}

#[test]
fn new_replica_set_annotations_carry_revisions_and_sizes() {
    let mut web = deployment(4, Some("25%"), Some("25%"));
    web.metadata.annotations.insert("team".to_string(), "blue".to_string());
    web.metadata
        .annotations
        .insert(REVISION_ANNOTATION.to_string(), "7".to_string());
    let mut fresh = replica_set("new", 0, 0);
    assert!(set_new_replica_set_annotations(&web, &mut fresh, 3, false));
    let annotations = &fresh.metadata.annotations;
    assert_eq!(annotations.get("team").map(String::as_str), Some("blue"));
    assert_eq!(annotations.get(REVISION_ANNOTATION).map(String::as_str), Some("3"));
    assert_eq!(
        annotations.get(DESIRED_REPLICAS_ANNOTATION).map(String::as_str),
        Some("4")
    );
    assert_eq!(annotations.get(MAX_REPLICAS_ANNOTATION).map(String::as_str), Some("5"));
    assert!(
        !set_new_replica_set_annotations(&web, &mut fresh, 3, true),
        "nothing new"
    );
    // A rollback makes an old ReplicaSet new again: its old revision goes into the history.
    assert!(set_new_replica_set_annotations(&web, &mut fresh, 5, true));
    assert!(set_new_replica_set_annotations(&web, &mut fresh, 8, true));
    assert_eq!(
        fresh
            .metadata
            .annotations
            .get(REVISION_HISTORY_ANNOTATION)
            .map(String::as_str),
        Some("3,5")
    );
    assert_eq!(revision(&fresh), 8);
}

#[test]
fn templates_compare_without_the_hash_label() {
    let template: serde_json::Value = serde_json::from_str(
        r#"{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx"}]}}"#,
    )
    .unwrap();
    let mut hashed = template.clone();
    hashed["metadata"]["labels"]["pod-template-hash"] = serde_json::Value::String("abc".to_string());
    assert!(equal_ignore_hash(&template, &hashed));
    let mut other = hashed.clone();
    other["spec"]["containers"][0]["image"] = serde_json::Value::String("nginx:2".to_string());
    assert!(!equal_ignore_hash(&template, &other));
}

#[test]
fn replica_set_orders() {
    let mut old = replica_set("b-old", 3, 3);
    old.metadata.creation_timestamp_ms = 0;
    let mut new = replica_set("a-new", 3, 3);
    new.metadata.creation_timestamp_ms = 10 * S;
    let bigger = replica_set("c", 5, 5);
    let mut sorted = vec![&old, &new, &bigger];
    sorted.sort_by(|first, second| by_size(first, second, true));
    assert_eq!(names(&sorted), ["c", "a-new", "b-old"]);
    sorted.sort_by(|first, second| by_size(first, second, false));
    assert_eq!(names(&sorted), ["c", "b-old", "a-new"]);
    old.metadata
        .annotations
        .insert(REVISION_ANNOTATION.to_string(), "2".to_string());
    new.metadata
        .annotations
        .insert(REVISION_ANNOTATION.to_string(), "1".to_string());
    let mut by_rev = vec![&old, &new];
    by_rev.sort_by(|first, second| by_revision(first, second));
    assert_eq!(names(&by_rev), ["a-new", "b-old"]);
}

fn names(replica_sets: &[&ReplicaSet]) -> Vec<String> {
    replica_sets.iter().map(|rs| rs.metadata.name.clone()).collect()
}

mod played;

mod invariants;
