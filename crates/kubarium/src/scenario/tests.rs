//! The scenario format and the runner.

use super::*;

const DS: &str = "manifests: |\n  apiVersion: apps/v1\n  kind: DaemonSet\n  metadata: {name: ds}\n  spec:\n    selector: {matchLabels: {a: b}}\n    template:\n      metadata: {labels: {a: b}}\n      spec: {containers: [{name: c, image: nginx}]}\n";

fn run(text: &str) -> RunReport {
    Scenario::parse(text).unwrap_or_else(|error| panic!("{error}")).run()
}

#[test]
fn timed_expectations_report_what_was_seen() {
    let text = format!("{DS}nodes: [{{count: 2, prefix: w}}]\nexpect:\n  - {{at: 10s, pods: {{owner: daemonset/ds, phase: Running}}, count: 2}}\n  - {{at: 10s, placement: {{owner: daemonset/ds}}, nodes: [w-1]}}\n  - {{at: 0s, tol: 0s, pods: {{owner: daemonset/ds, phase: Running}}, count: 2}}\n");
    let report = run(&text);
    let summary: Vec<(bool, &str)> = report
        .results
        .iter()
        .map(|result| (result.passed, result.observed.as_str()))
        .collect();
    assert_eq!(summary[0], (true, "at 7s: 2 pod(s)"));
    assert!(
        !summary[1].0 && summary[1].1.ends_with("on {\"w-1\", \"w-2\"}"),
        "{:?}",
        summary[1]
    );
    assert!(!summary[2].0, "no pod is Running at 0s: {:?}", summary[2]);
}

#[test]
fn counts_max_concurrent_and_events() {
    let text = format!(
        "{DS}expect:\n  - {{max_concurrent: {{owner: daemonset/ds, phase: Running}}, value: \"<=3\"}}\n  - {{event: {{reason: Scheduled}}, count: 3}}\n  - {{event: {{reason: Scheduled, message: \"to node-2\"}}, count: 1}}\n"
    );
    let report = run(&text);
    assert!(report.passed(), "{:?}", report.results);
}

#[test]
fn malformed_scenarios_are_errors_with_positions() {
    let error = Scenario::parse("nodes: []\nexpektations: []\n").unwrap_err();
    assert_eq!(error.pos, Some(Pos { line: 2, column: 1 }));
    assert!(error.message.contains("unknown field `expektations`"), "{error}");
    let error = Scenario::parse("expect:\n  - {at: 10s, pods: {owner: ds/x}, count: \"about 3\"}\n").unwrap_err();
    assert_eq!(error.message, "expect[0]: invalid count \"about 3\"");
    let error = Scenario::parse("actions:\n  - {at: 5s, do: \"scale deployment/web\"}\n").unwrap_err();
    assert_eq!(
        error.message,
        "actions[0]: error: required flag(s) \"replicas\" not set"
    );
    let error = Scenario::parse("expect:\n  - {at: 10s, cronjobs: {owner: x}, count: 1}\n").unwrap_err();
    assert!(error.message.contains("unknown expectation (pods, jobs,"), "{error}");
    let error =
        Scenario::parse("expect:\n  - {at: 10s, replicasets: {owner: x, size: \"2\"}, count: 1}\n").unwrap_err();
    assert!(
        error.message.contains("unknown replicaset selector field \"size\""),
        "{error}"
    );
    let error = Scenario::parse("expect:\n  - {at: 10s, jobs: {status: Done}, count: 1}\n").unwrap_err();
    assert!(error.message.contains("unknown job status \"Done\""), "{error}");
    assert!(Scenario::parse("until: soon\n")
        .unwrap_err()
        .message
        .starts_with("until:"));
}

#[test]
fn scenario_or_manifests() {
    assert!(looks_like_scenario(DS));
    assert!(!looks_like_scenario(crate::EXAMPLE_MYWEB_DS));
    assert!(!looks_like_scenario("a: [unclosed"));
}

#[test]
fn nodes_behaviour_and_start_are_read() {
    let text = "seed: 9\nstart: \"2026-03-01T00:00:00Z\"\nschedulers: [my-scheduler]\nnodes:\n  - {name: big, capacity: {cpu: \"16\", memory: 64Gi, pods: 20}, unschedulable: true}\n  - {count: 2}\nbehaviour:\n  default: {duration: 30s}\n  overrides:\n    - {prefix: flaky-, duration: 5s, exit: 1, fail_first: 2}\n";
    let scenario = Scenario::parse(text).unwrap();
    let names: Vec<&str> = scenario.config.nodes.iter().map(|node| node.name.as_str()).collect();
    assert_eq!(names, ["big", "node-1", "node-2"]);
    assert!(scenario.config.nodes[0].unschedulable);
    assert_eq!(scenario.config.nodes[0].max_pods, 20);
    assert_eq!(scenario.config.seed, 9);
    assert_eq!(
        scenario.config.start_unix_seconds,
        crate::time::parse_rfc3339("2026-03-01T00:00:00Z").unwrap()
    );
    assert_eq!(scenario.config.behaviour.batch_default.duration_ms, Some(30_000));
    assert_eq!(scenario.config.behaviour.overrides[0].behaviour.fail_first, Some(2));
    assert_eq!(scenario.config.extra_schedulers, ["my-scheduler"]);
}

const CJ: &str = "nodes: [{count: 2}]\nmanifests: |\n  apiVersion: batch/v1\n  kind: CronJob\n  metadata: {name: cj}\n  spec:\n    schedule: \"* * * * *\"\n    jobTemplate:\n      spec:\n        template:\n          spec: {restartPolicy: Never, containers: [{name: c, image: busybox, command: [sleep, \"90\"]}]}\n";

#[test]
fn job_expectations_and_pod_owners_follow_the_ownership_chain() {
    // Runs start at 1m and 2m and last 90s: at 2m30s the first is Complete, the second Running.
    let text = format!(
        "{CJ}until: 3m\nexpect:\n  - {{at: 2m30s, jobs: {{owner: cronjob/cj}}, count: 2}}\n  - {{at: 2m30s, jobs: {{owner: cj/cj, status: Complete}}, count: 1}}\n  - {{at: 2m30s, jobs: {{owner: cronjob/cj, status: Running}}, count: 1}}\n  - {{at: 2m30s, pods: {{owner: cronjob/cj, phase: Running}}, count: 1}}\n  - {{at: 2m30s, jobs: {{owner: cronjob/other}}, count: 1}}\n  - {{at: 2m30s, pods: {{owner: cronjob/other}}, count: 1}}\n"
    );
    let report = run(&text);
    let passed: Vec<bool> = report.results.iter().map(|result| result.passed).collect();
    assert_eq!(passed, [true, true, true, true, false, false], "{:?}", report.results);
    assert!(
        report.results[0].observed.contains("2 job(s)"),
        "{:?}",
        report.results[0]
    );
}

#[test]
fn endpoints_expectations_count_ready_and_not_ready_addresses() {
    let text = "manifests: |\n  apiVersion: v1\n  kind: Pod\n  metadata: {name: a, labels: {app: web}}\n  spec: {containers: [{name: c, image: nginx}]}\n  ---\n  apiVersion: v1\n  kind: Service\n  metadata: {name: web}\n  spec: {selector: {app: web}, ports: [{port: 80}]}\nexpect:\n  - {at: 5s, endpoints: {object: svc/web}, ready: 1, not_ready: 0}\n  - {at: 5s, endpoints: {object: service/default/web}, ready: \">1\"}\n  - {at: 5s, endpoints: {object: service/nope}, not_ready: 0}\n  - {at: final, endpoints: {service: web}, ready: 1, not_ready: 0}\n  - {at: final, endpoints: {service: web, namespace: shop}, ready: 1}\n";
    let report = run(text);
    let summary: Vec<(bool, &str, &str)> = report
        .results
        .iter()
        .map(|result| (result.passed, result.description.as_str(), result.observed.as_str()))
        .collect();
    assert_eq!(
        summary[0],
        (
            true,
            "at 5s (±3s): endpoints of service/web list 1 ready and 0 not ready",
            "at 2s: 1 ready, 0 not ready"
        )
    );
    assert!(!summary[1].0, "{:?}", summary[1]);
    assert_eq!(
        summary[2],
        (false, summary[2].1, "at 8s: endpoints/nope does not exist")
    );
    assert!(summary[3].0, "{:?}", summary[3]);
    assert_eq!(
        (summary[4].0, summary[4].2),
        (false, "at the end: endpoints/web does not exist")
    );
    let error = Scenario::parse("expect:\n  - {at: 10s, endpoints: {object: service/web}}\n").unwrap_err();
    assert_eq!(error.message, "expect[0]: endpoints needs `ready`, `not_ready` or both");
    let error = Scenario::parse("expect:\n  - {at: 10s, endpoints: {object: pod/web}, ready: 1}\n").unwrap_err();
    assert!(error.message.contains("endpoints needs `service: NAME`"), "{error}");
}
