//! Runs the `kubarium` binary as a user would.

use std::process::Command;

fn kubarium() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kubarium"))
}

#[test]
fn run_prints_one_running_daemon_pod_per_node() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../kubarium/seeds/myweb-ds.yaml");
    let output = kubarium()
        .args(["run", example, "--until", "30"])
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
            .filter(|line| line.starts_with("myweb-ds-") && line.contains("Running") && line.ends_with(node))
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

#[test]
fn usage_error_exits_2() {
    let output = kubarium().arg("frobnicate").output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
}
