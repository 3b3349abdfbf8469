//! Runs the `kubarium` binary as a user would.

use std::process::Command;

fn kubarium() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kubarium"))
}

#[test]
fn run_prints_one_running_daemon_pod_per_node() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../kubarium/seeds/myweb-ds.yaml");
    let output = kubarium()
        .args(["run", example, "--until", "30s"])
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    for node in ["node-1", "node-2", "node-3"] {
        let running_here = stdout
            .lines()
            .filter(|line| {
                // NAME READY STATUS RESTARTS AGE IP NODE NOMINATED-NODE READINESS-GATES
                let columns: Vec<&str> = line.split_whitespace().collect();
                line.starts_with("myweb-ds-") && columns.get(2) == Some(&"Running") && columns.get(6) == Some(&node)
            })
            .count();
        assert_eq!(running_here, 1, "one running myweb-ds pod on {node} in:\n{stdout}");
    }
    assert!(stdout.contains("SuccessfulCreate"), "{stdout}");
}

#[test]
fn invalid_manifest_exits_1_with_a_message() {
    let mut child = kubarium()
        .args(["run", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawns");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"apiVersion: apps/v1\nkind: [DaemonSet\n")
        .expect("writes");
    let output = child.wait_with_output().expect("waits");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("line "),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A scenario whose manifests are invalid runs nothing: its problems are printed at their
/// lines in the scenario file, and the exit code is 1 (it used to run an empty cluster).
#[test]
fn run_of_a_scenario_with_invalid_manifests_exits_1_at_the_line() {
    let scenario = std::env::temp_dir().join(format!("kubarium-cli-bad-{}.yaml", std::process::id()));
    std::fs::write(
        &scenario,
        "description: x\nmanifests: |\n  apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n  spec:\n    nodeSelector: {zone: y}\n    containers: [{name: c, image: nginx}]\n",
    )
    .expect("writes");
    let output = kubarium().arg("run").arg(&scenario).output().expect("runs");
    std::fs::remove_file(&scenario).ok();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(".yaml:7:26: spec.nodeSelector.zone: "), "{stderr}");
    assert!(output.stdout.is_empty(), "{}", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn usage_error_exits_2() {
    let output = kubarium().arg("frobnicate").output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
}

fn scenarios(names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|name| format!("{}/../../tests/scenarios/{name}", env!("CARGO_MANIFEST_DIR")))
        .collect()
}

#[test]
fn test_reports_passes_failures_and_a_summary() {
    let mut args = vec!["test".to_string()];
    args.extend(scenarios(&["myweb-ds.yaml", "negative/wrong-count.yaml"]));
    let output = kubarium().args(&args).output().expect("runs");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("expected at 10s (±3s): pods with owner daemonset/ds number 4"),
        "{stdout}"
    );
    assert!(stdout.contains("observed at 13s: 3 pod(s)"), "{stdout}");
    assert!(stdout.trim_end().ends_with("1 passed, 1 failed"), "{stdout}");
}

#[test]
fn test_passes_every_scenario_of_the_suite_once_through_the_binary() {
    let folder = format!("{}/../../tests/scenarios", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = std::fs::read_dir(&folder)
        .expect("scenario folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "yaml"))
        .map(|path| path.display().to_string())
        .collect();
    files.sort();
    let output = kubarium().arg("test").args(&files).output().expect("runs");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout
            .trim_end()
            .ends_with(&format!("{} passed, 0 failed", files.len())),
        "{stdout}"
    );
}

#[test]
fn validate_points_at_the_typo_in_the_file() {
    let typo = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../kubarium/seeds/fluentd-elasticsearch-typo.yaml"
    );
    let output = kubarium().args(["validate", typo]).output().expect("runs");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout.contains("fluentd-elasticsearch-typo.yaml:9:3: spec.slector: DaemonSet in version \"v1\" cannot be handled as a DaemonSet: strict decoding error: unknown field \"spec.slector\" (did you mean \"selector\"?)"), "{stdout}");
    let valid = scenarios(&["myweb-ds.yaml"]);
    let output = kubarium().arg("validate").args(&valid).output().expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn cron_explains_and_lists_runs_with_kubernetes_rules() {
    let output = kubarium()
        .args([
            "cron",
            "0 9 * * 1",
            "--from",
            "2026-01-01T00:00:00Z",
            "--next",
            "2",
            "--json",
        ])
        .output()
        .expect("runs");
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["description"], "At 09:00 on Monday.");
    // 2026-01-01 is a Thursday: Mondays at 09:00, never Sundays (robfig numbers Sunday 0).
    assert_eq!(
        json["next"],
        serde_json::json!(["2026-01-05T09:00:00Z", "2026-01-12T09:00:00Z"])
    );
    let output = kubarium().args(["cron", "0 60 * * *"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        "spec.schedule: Invalid value: \"0 60 * * *\": end of range (60) above maximum (23): 60"
    );
}

#[test]
fn cron_runs_on_an_iana_zone_across_daylight_saving() {
    // 02:30 in Paris does not exist on 2026-03-29 (02:00 CET becomes 03:00 CEST): skipped.
    let output = kubarium()
        .args([
            "cron",
            "30 2 * * *",
            "--tz",
            "Europe/Paris",
            "--from",
            "2026-03-28T00:00:00Z",
            "--next",
            "2",
        ])
        .output()
        .expect("runs");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.ends_with(
            "2026-03-28T01:30:00Z   2026-03-28T02:30:00+01:00\n2026-03-30T00:30:00Z   2026-03-30T02:30:00+02:00\n"
        ),
        "{stdout}"
    );
    let output = kubarium()
        .args(["cron", "* * * * *", "--tz", "Mars/Olympus"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown time zone Mars/Olympus"));
}

#[test]
fn get_prints_kubectl_tables_at_a_time() {
    let file = scenarios(&["daemonset-1.yaml"]).remove(0);
    let output = kubarium()
        .args(["get", "ds,nodes", "--at", "35s", &file])
        .output()
        .expect("runs");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.starts_with("NAME          DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE\ndaemonset-1   2         2         2       2            2           os=centos       35s\n"), "{stdout}");
    assert!(stdout.contains("c2     Ready    <none>   5s    v1.37.0"), "{stdout}");
}

#[test]
fn get_cronjobs_prints_printcronjobs_columns() {
    // At 2m30s the run started at 2m21s is active; its scheduled time, 2m, is the last schedule.
    let file = scenarios(&["sleep-cj-forbid.yaml"]).remove(0);
    let output = kubarium()
        .args(["get", "cronjobs", "--at", "2m30s", &file])
        .output()
        .expect("runs");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert!(output.status.success(), "{stdout}");
    assert_eq!(
        stdout,
        "NAME       SCHEDULE    TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE\n\
         sleep-cj   * * * * *   <none>     False     1        30s             2m30s\n"
    );
}

#[test]
fn run_json_prints_one_object_per_line() {
    let file = scenarios(&["static-pod.yaml"]).remove(0);
    let output = kubarium().args(["run", &file, "--json"]).output().expect("runs");
    assert!(output.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .expect("utf-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect();
    assert!(lines
        .iter()
        .any(|line| line["reason"] == "Scheduled" || line["reason"] == "Started"));
    let last = lines.last().expect("a pods line");
    assert_eq!(last["kind"], "pods");
    assert_eq!(last["table"]["rows"][0][0], "static-web-cp1");
}

#[test]
fn get_wide_and_rollout_status_print_as_kubectl() {
    let file = scenarios(&["deployment-rolling-update.yaml"]).remove(0);
    let output = kubarium()
        .args(["get", "pods,deploy", "-o", "wide", "--at", "5s", &file])
        .output()
        .expect("runs");
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.starts_with("NAME "), "{stdout}");
    assert!(
        stdout
            .lines()
            .next()
            .is_some_and(|line| line.ends_with("NOMINATED NODE   READINESS GATES")),
        "{stdout}"
    );
    assert!(stdout.contains("CONTAINERS"), "{stdout}");
    let narrow = kubarium()
        .args(["get", "pods", "--at", "5s", &file])
        .output()
        .expect("runs");
    let narrow = String::from_utf8(narrow.stdout).expect("utf-8");
    assert!(
        narrow
            .lines()
            .next()
            .is_some_and(|line| line.trim_end().ends_with("AGE")),
        "{narrow}"
    );
    let refused = kubarium()
        .args(["get", "pods", "-o", "yaml", &file])
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(2));
    let done = kubarium()
        .args(["rollout", "status", "deployment/web", "--at", "20s", &file])
        .output()
        .expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&done.stdout),
        "deployment \"web\" successfully rolled out\n"
    );
    let status = kubarium()
        .args(["rollout", "status", "deployment/nope", "--at", "5s", &file])
        .output()
        .expect("runs");
    assert_eq!(status.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&status.stderr).contains("deployments.apps \"nope\" not found"));
}
