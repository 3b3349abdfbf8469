//! Every scenario under `tests/scenarios/` passes, and every one under
//! `tests/scenarios/negative/` (wrong on purpose) is reported failed. Each passing scenario's
//! event log is a golden trace in `tests/scenarios/golden/`, so behaviour changes show up in
//! review; regenerate with `UPDATE_GOLDEN=1 cargo test -p kubarium --test scenarios`.

use std::path::{Path, PathBuf};

use kubarium::scenario::Scenario;

fn scenario_files(folder: &str) -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/scenarios")
        .join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("reading {}: {error}", folder.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn scenarios_pass() {
    let files = scenario_files("");
    assert!(files.len() >= 8, "found {} scenarios", files.len());
    let mut failures = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        let scenario = match Scenario::parse(&text) {
            Ok(scenario) => scenario,
            Err(error) => {
                failures.push(format!("{}: {error}", file.display()));
                continue;
            }
        };
        let report = scenario.run();
        let trace: String = report
            .simulation
            .event_trace()
            .expect("a scenario run keeps every event")
            .iter()
            .map(|event| event.to_log_line() + "\n")
            .collect();
        let golden = file
            .parent()
            .expect("folder")
            .join("golden")
            .join(file.file_stem().expect("name"))
            .with_extension("events");
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(golden.parent().expect("folder")).expect("golden folder");
            std::fs::write(&golden, &trace).expect("writes the golden trace");
        }
        match std::fs::read_to_string(&golden) {
            Ok(expected) if expected == trace => {}
            Ok(_) => failures.push(format!(
                "{}: the event log differs from {} (UPDATE_GOLDEN=1 to accept)",
                file.display(),
                golden.display()
            )),
            Err(_) => failures.push(format!(
                "{}: no golden trace {} (UPDATE_GOLDEN=1 creates it)",
                file.display(),
                golden.display()
            )),
        }
        for result in report.results.iter().filter(|result| !result.passed) {
            failures.push(format!(
                "{}: {} — observed {}",
                file.display(),
                result.description,
                result.observed
            ));
        }
        for error in &report.action_errors {
            failures.push(format!("{}: action failed {error}", file.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn wrong_scenarios_are_reported_failed() {
    let files = scenario_files("negative");
    assert!(files.len() >= 3);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        let report = Scenario::parse(&text).expect("a well-formed scenario").run();
        assert!(!report.passed(), "{} should fail", file.display());
    }
}
