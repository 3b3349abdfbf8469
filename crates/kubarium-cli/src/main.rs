//! `kubarium`: plays manifests and scenario files on a simulated cluster, headless.
//!
//! `main -> run(args) -> Result<ExitCode>` over the core library: `run` plays a file and prints
//! what kubectl would show, `test` checks scenarios' expectations, `validate` checks files the
//! way `kubectl apply` does. (`cron` and `get` come with the scenario issue's remaining work.)

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use kubarium::scenario::{looks_like_scenario, Scenario};
use kubarium::time::{parse_duration, Millis, SECOND_MS};
use kubarium::{ClusterConfig, Simulation};

const USAGE: &str = r#"usage: kubarium run FILE [--nodes N] [--until DUR] [--seed N] [--json]
       kubarium test FILE...
       kubarium validate FILE...
       kubarium cron 'SPEC' [--tz ZONE] [--from TIME] [--next N] [--json]
       kubarium get KIND[,KIND...] [-o wide] [--at DUR] FILE
       kubarium rollout status KIND/NAME [-n NS] [--at DUR] FILE
       kubarium share FILE [--at DUR] [--base URL]

run       plays FILE, a scenario or multi-document manifests (`-` for standard input; manifests
          run on N nodes, 3 by default), up to DUR (Go-style, like 90s or 10m; a scenario's own
          `until` by default, 60s for manifests), then prints the events as `kubectl get events`
          and the pods as `kubectl get pods -o wide`; --json prints one JSON object per line:
          each event, then {"kind": "pods", "table": ...}.
test      runs each scenario and checks its expectations; prints each failure with what was
          seen instead, then `N passed, M failed`.
validate  checks manifests and scenarios as `kubectl apply` would, printing each problem with
          file, line and column.
cron      explains a CronJob schedule (robfig/cron's standard parser, as Kubernetes uses it) and
          lists the next N (default 5) run times after TIME (RFC 3339, default the simulation's
          start, 2026-01-01T00:00:00Z), in UTC and in ZONE (an IANA name like Europe/Paris, as
          spec.timeZone, UTC, or a fixed offset like +09:00);
          --json prints {"description": ..., "next": [UTC times]}.
get       plays FILE up to DUR and prints the `kubectl get` table of each KIND (pods, nodes,
          daemonsets, replicasets, replicationcontrollers, deployments, jobs, cronjobs,
          namespaces, events, services, endpoints, endpointslices, resourcequotas, limitranges,
          horizontalpodautoscalers), with `-o wide`'s columns when asked.
rollout   `rollout status deployment/NAME` or `daemonset/NAME`: plays FILE up to DUR and prints
          what one check of `kubectl rollout status` prints then (exit 1 on its error).
share     prints a playground link that opens FILE (a scenario, or manifests on 3 nodes) at
          simulated time DUR (default 10s, where the playground shows a fresh apply); the
          scenario is compressed into the link's fragment, so no server keeps it. --base is the
          playground's address (default http://127.0.0.1:8080/, what `scripts/serve` serves).

exit codes: 0 ok, 1 invalid input or failed expectations, 2 usage or I/O error"#;

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("kubarium: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<ExitCode> {
    match args.first().map(String::as_str) {
        Some("run") => run_file(&parse_run_options(&args[1..])?),
        Some("test") => test_files(&files(&args[1..], "test")?),
        Some("validate") => validate_files(&files(&args[1..], "validate")?),
        Some("cron") => cron(&args[1..]),
        Some("get") => get(&args[1..]),
        Some("rollout") => rollout(&args[1..]),
        Some("share") => share(&args[1..]),
        Some("--help" | "-h" | "help") | None => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => bail!("unknown subcommand {other}\n\n{USAGE}"),
    }
}

fn files(args: &[String], command: &str) -> Result<Vec<String>> {
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        println!("{USAGE}");
        std::process::exit(0);
    }
    if let Some(flag) = args.iter().find(|arg| arg.starts_with("--")) {
        bail!("unknown flag {flag}\n\n{USAGE}");
    }
    if args.is_empty() {
        bail!("{command} needs at least one FILE\n\n{USAGE}");
    }
    Ok(args.to_vec())
}

fn read(file: &str) -> Result<String> {
    if file == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading standard input")
    } else {
        std::fs::read_to_string(file).with_context(|| format!("reading {file}"))
    }
}

struct RunOptions {
    file: String,
    nodes: usize,
    until_ms: Option<Millis>,
    seed: u64,
    json: bool,
}

/// A duration flag: Go-style (`90s`, `10m`), or a bare number of seconds.
fn duration_flag(text: &str) -> Result<Millis> {
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(seconds.saturating_mul(SECOND_MS));
    }
    parse_duration(text).map_err(|error| anyhow::anyhow!(error))
}

fn parse_run_options(args: &[String]) -> Result<RunOptions> {
    let mut options = RunOptions {
        file: String::new(),
        nodes: 3,
        until_ms: None,
        seed: 1,
        json: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().with_context(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--nodes" => options.nodes = value("--nodes")?.parse().context("--nodes takes a whole number")?,
            "--until" => options.until_ms = Some(duration_flag(value("--until")?).context("--until takes a duration")?),
            "--seed" => options.seed = value("--seed")?.parse().context("--seed takes a whole number")?,
            "--json" => options.json = true,
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            flag if flag.starts_with("--") && flag != "-" => bail!("unknown flag {flag}\n\n{USAGE}"),
            file if options.file.is_empty() => options.file = file.to_string(),
            extra => bail!("unexpected argument {extra}\n\n{USAGE}"),
        }
    }
    if options.file.is_empty() {
        bail!("run needs a FILE\n\n{USAGE}");
    }
    Ok(options)
}

fn run_file(options: &RunOptions) -> Result<ExitCode> {
    let text = read(&options.file)?;
    if looks_like_scenario(&text) {
        let mut scenario = match Scenario::parse(&text) {
            Ok(scenario) => scenario,
            Err(error) => {
                eprintln!("{}: {error}", options.file);
                return Ok(ExitCode::from(1));
            }
        };
        // As `kubectl apply`: invalid manifests are reported, and nothing runs.
        let problems = manifest_problems(&options.file, &text, &scenario);
        if !problems.is_empty() {
            for problem in problems {
                eprintln!("{problem}");
            }
            return Ok(ExitCode::from(1));
        }
        if let Some(until) = options.until_ms {
            scenario.until_ms = until;
        }
        let report = scenario.run();
        for error in &report.action_errors {
            eprintln!("action failed {error}");
        }
        print_outcome(&report.simulation, options.json);
        return Ok(ExitCode::SUCCESS);
    }
    let mut config = ClusterConfig::with_nodes("node", options.nodes);
    config.seed = options.seed;
    let mut simulation = Simulation::new(&config);
    match simulation.apply(&text) {
        Ok(applied) => {
            for notice in &applied.notices {
                eprintln!("notice: {notice}");
            }
        }
        Err(error) => {
            eprintln!("{}: {error}", options.file);
            return Ok(ExitCode::from(1));
        }
    }
    simulation.run_until(options.until_ms.unwrap_or(60 * SECOND_MS))?;
    print_outcome(&simulation, options.json);
    Ok(ExitCode::SUCCESS)
}

fn test_files(files: &[String]) -> Result<ExitCode> {
    let (mut passed, mut failed) = (0, 0);
    for file in files {
        let text = read(file)?;
        let scenario = match Scenario::parse(&text) {
            Ok(scenario) => scenario,
            Err(error) => {
                println!("FAIL {file}: {error}");
                failed += 1;
                continue;
            }
        };
        let report = scenario.run();
        let failures: Vec<_> = report.results.iter().filter(|result| !result.passed).collect();
        if failures.is_empty() {
            println!("ok   {file}");
            passed += 1;
        } else {
            println!("FAIL {file}");
            for failure in failures {
                println!(
                    "     expected {}\n     observed {}",
                    failure.description, failure.observed
                );
            }
            failed += 1;
        }
        for error in &report.action_errors {
            println!("     action failed {error}");
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The problems of a scenario's manifests, as `FILE:LINE:COLUMN: ...` in the scenario file
/// (positions inside the `manifests: |` block shifted to its lines); none for a scenario that
/// expects its manifests to be rejected.
fn manifest_problems(file: &str, text: &str, scenario: &Scenario) -> Vec<String> {
    if scenario.reject.is_some() {
        return Vec::new();
    }
    let (line_offset, indent) = block_offset(text, "manifests");
    match kubarium::parse_manifests(&scenario.manifests) {
        Ok(_) => Vec::new(),
        Err(error) => error
            .problems
            .iter()
            .map(|problem| locate(file, problem, line_offset, indent))
            .collect(),
    }
}

fn validate_files(files: &[String]) -> Result<ExitCode> {
    let mut problems = 0;
    for file in files {
        let text = read(file)?;
        if looks_like_scenario(&text) {
            match Scenario::parse(&text) {
                Err(error) => {
                    println!("{file}: {error}");
                    problems += 1;
                }
                Ok(scenario) => {
                    for problem in manifest_problems(file, &text, &scenario) {
                        println!("{problem}");
                        problems += 1;
                    }
                }
            }
            continue;
        }
        if let Err(error) = kubarium::parse_manifests(&text) {
            for problem in &error.problems {
                println!("{}", locate(file, problem, 0, 0));
                problems += 1;
            }
        }
    }
    if problems == 0 {
        println!("{} file(s) valid", files.len());
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(1))
    }
}

/// Where a block scalar's content starts in the file: the line before its first line, and its
/// indentation.
fn block_offset(text: &str, key: &str) -> (u32, u32) {
    let lines: Vec<&str> = text.lines().collect();
    let Some(index) = lines.iter().position(|line| line.starts_with(&format!("{key}:"))) else {
        return (0, 0);
    };
    let indent = lines[index + 1..]
        .iter()
        .find(|line| !line.trim().is_empty())
        .map_or(0, |line| line.len() - line.trim_start().len());
    (index as u32 + 1, indent as u32)
}

/// `FILE:LINE:COLUMN: [path: ]message`.
fn locate(file: &str, problem: &kubarium::manifest::Problem, line_offset: u32, indent: u32) -> String {
    let position = problem
        .pos
        .map(|pos| format!("{}:{}:", pos.line + line_offset, pos.column + indent))
        .unwrap_or_default();
    let path = problem
        .path
        .as_deref()
        .map(|path| format!(" {path}:"))
        .unwrap_or_default();
    let context = problem
        .context
        .as_deref()
        .map(|context| format!(" {context}:"))
        .unwrap_or_default();
    let hint = problem
        .hint
        .as_deref()
        .map(|hint| format!(" (did you mean {hint:?}?)"))
        .unwrap_or_default();
    format!("{file}:{position}{path}{context} {}{hint}", problem.message)
}

/// A time zone for `cron`: an IANA name (`Europe/Paris`, as `spec.timeZone`), UTC, or a fixed
/// offset (`+09:00`, `-05:30`).
fn zone(text: &str) -> Result<Box<dyn kubarium::cron::TimeZone>> {
    if text.eq_ignore_ascii_case("utc") || text == "Z" {
        return Ok(Box::new(kubarium::cron::Utc));
    }
    if let Some(zone) = kubarium::tz::zone(text) {
        return Ok(Box::new(zone));
    }
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => bail!(
            "--tz {text}: unknown time zone {text} (an IANA name like Europe/Paris, UTC, or an offset like +09:00)"
        ),
    };
    let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "0"));
    let hours: i32 = hours.parse().context("--tz hours")?;
    let minutes: i32 = minutes.parse().context("--tz minutes")?;
    if hours > 23 || minutes > 59 {
        bail!("--tz {text}: not an offset");
    }
    Ok(Box::new(kubarium::cron::FixedOffset(
        sign * (hours * 3600 + minutes * 60),
    )))
}

fn cron(args: &[String]) -> Result<ExitCode> {
    let mut spec = None;
    let mut zone_text = "UTC".to_string();
    let mut from = kubarium::time::DEFAULT_START_UNIX_SECONDS;
    let mut count = 5usize;
    let mut json = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().with_context(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--tz" => zone_text = value("--tz")?.clone(),
            "--from" => {
                from = kubarium::time::parse_rfc3339(value("--from")?).map_err(|error| anyhow::anyhow!(error))?
            }
            "--next" => count = value("--next")?.parse().context("--next takes a whole number")?,
            "--json" => json = true,
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            flag if flag.starts_with("--") => bail!("unknown flag {flag}\n\n{USAGE}"),
            text if spec.is_none() => spec = Some(text.to_string()),
            extra => bail!("unexpected argument {extra} (quote the schedule: 'SPEC')\n\n{USAGE}"),
        }
    }
    let spec = spec.with_context(|| format!("cron needs a SPEC\n\n{USAGE}"))?;
    let zone = zone(&zone_text)?;
    let errors = kubarium::cron::schedule_errors(&spec, false, false, &kubarium::tz::zone_exists);
    if !errors.is_empty() {
        for error in errors {
            eprintln!("{error}");
        }
        return Ok(ExitCode::from(1));
    }
    let schedule = kubarium::cron::parse_standard(&spec).map_err(|error| anyhow::anyhow!(error.to_string()))?;
    let mut next = Vec::new();
    let mut after = from;
    while next.len() < count {
        match schedule.next_after(after, zone.as_ref()) {
            Some(time) => {
                next.push(time);
                after = time;
            }
            None => break,
        }
    }
    if json {
        let times: Vec<String> = next
            .iter()
            .map(|time| kubarium::time::format_rfc3339(*time, 0))
            .collect();
        println!(
            "{}",
            serde_json::json!({"description": schedule.describe(), "next": times})
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", schedule.describe());
    if next.is_empty() {
        println!(
            "never fires within five years of {}",
            kubarium::time::format_rfc3339(from, 0)
        );
    }
    let utc = zone_text.eq_ignore_ascii_case("utc") || zone_text == "Z";
    for time in next {
        if utc {
            println!("{}", kubarium::time::format_rfc3339(time, 0));
        } else {
            println!(
                "{}   {}",
                kubarium::time::format_rfc3339(time, 0),
                kubarium::time::format_rfc3339(time, zone.offset_at_utc(time))
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The events as `kubectl get events` prints them, then the pods as `kubectl get pods -o wide`;
/// or the same as JSON lines.
fn print_outcome(simulation: &Simulation, json: bool) {
    if json {
        for event in simulation.event_objects() {
            println!("{}", serde_json::to_string(&event).unwrap_or_default());
        }
        let pods = serde_json::json!({"kind": "pods", "table": kubarium::tables::pods(simulation)});
        println!("{pods}");
        return;
    }
    print!("{}", kubarium::tables::events(simulation).render());
    println!();
    print!("{}", kubarium::tables::pods(simulation).render());
}

/// `kubarium get KIND[,KIND...] [--at DUR] FILE`: plays FILE up to DUR (its end by default) and
/// prints each kind's `kubectl get` table.
fn get(args: &[String]) -> Result<ExitCode> {
    let mut kinds = Vec::new();
    let mut wide = false;
    let mut at = None;
    let mut file = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--at" => at = Some(duration_flag(args.next().context("--at needs a value")?)?),
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            "-o" | "--output" => wide = output_flag(args.next().map(String::as_str))?,
            flag if flag.starts_with("-o=") || flag.starts_with("--output=") => {
                wide = output_flag(flag.split_once('=').map(|(_, value)| value))?
            }
            flag if flag.starts_with('-') && flag != "-" => bail!("unknown flag {flag}\n\n{USAGE}"),
            word if std::path::Path::new(word).is_file() || word == "-" => file = Some(word.to_string()),
            word => kinds.extend(word.split(',').map(str::to_string)),
        }
    }
    let file = file.with_context(|| format!("get needs a FILE\n\n{USAGE}"))?;
    if kinds.is_empty() {
        bail!("get needs a KIND (pods, nodes, daemonsets, replicasets, replicationcontrollers, deployments, jobs, cronjobs, namespaces, events, services, endpoints, endpointslices, resourcequotas, limitranges, horizontalpodautoscalers)\n\n{USAGE}");
    }
    let Some(simulation) = played(&file, at)? else {
        return Ok(ExitCode::from(1));
    };
    for (index, kind) in kinds.iter().enumerate() {
        if index > 0 {
            println!();
        }
        match kubarium::tables::get_as(&simulation, kind, wide) {
            Ok(table) => {
                if let Some(warning) = kubarium::tables::deprecation_warning(kind) {
                    eprintln!("{warning}");
                }
                print!("{}", kubarium::tables::get_output(&table, kind));
            }
            Err(error) => {
                eprintln!("error: {error}");
                return Ok(ExitCode::from(1));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `-o wide`, the one output format kubarium prints besides the default table.
fn output_flag(value: Option<&str>) -> Result<bool> {
    match value {
        Some("wide") => Ok(true),
        Some(other) => bail!("kubarium prints tables only (-o wide), not -o {other}"),
        None => bail!("-o needs a value (wide)"),
    }
}

/// FILE played up to `at`: a scenario with its actions, or manifests on 3 nodes (60s by
/// default). None when FILE is invalid (already reported).
fn played(file: &str, at: Option<Millis>) -> Result<Option<Simulation>> {
    let text = read(file)?;
    if looks_like_scenario(&text) {
        let mut scenario = match Scenario::parse(&text) {
            Ok(scenario) => scenario,
            Err(error) => {
                eprintln!("{file}: {error}");
                return Ok(None);
            }
        };
        if let Some(at) = at {
            scenario.until_ms = at;
        }
        return Ok(Some(scenario.run().simulation));
    }
    let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", 3));
    if let Err(error) = simulation.apply(&text) {
        eprintln!("{file}: {error}");
        return Ok(None);
    }
    simulation.run_until(at.unwrap_or(60 * SECOND_MS))?;
    Ok(Some(simulation))
}

/// `kubarium rollout status KIND/NAME [-n NS] [--at DUR] FILE`: the core's read-only command,
/// as the playground's command line answers it.
fn rollout(args: &[String]) -> Result<ExitCode> {
    let mut at = None;
    let mut file = None;
    let mut words = vec!["rollout".to_string()];
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--at" => at = Some(duration_flag(args.next().context("--at needs a value")?)?),
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            word if std::path::Path::new(word).is_file() || word == "-" => file = Some(word.to_string()),
            word => words.push(word.to_string()),
        }
    }
    let file = file.with_context(|| format!("rollout needs a FILE\n\n{USAGE}"))?;
    let query = match kubarium::actions::parse_query(&words.join(" ")) {
        Some(Ok(query @ kubarium::actions::Query::RolloutStatus { .. })) => query,
        Some(Err(error)) => bail!("{error}\n\n{USAGE}"),
        _ => bail!("rollout supports `rollout status KIND/NAME`\n\n{USAGE}"),
    };
    let Some(simulation) = played(&file, at)? else {
        return Ok(ExitCode::from(1));
    };
    match query.answer(&simulation) {
        Ok(line) => {
            println!("{line}");
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("{error}");
            Ok(ExitCode::from(1))
        }
    }
}

/// `kubarium share FILE [--at DUR] [--base URL]`: prints a share link of FILE.
fn share(args: &[String]) -> Result<ExitCode> {
    let mut at = 10 * SECOND_MS;
    let mut base = "http://127.0.0.1:8080/".to_string();
    let mut file = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--at" => at = duration_flag(args.next().context("--at needs a value")?)?,
            "--base" => base = args.next().context("--base needs a value")?.clone(),
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            flag if flag.starts_with("--") => bail!("unknown flag {flag}\n\n{USAGE}"),
            word if file.is_none() => file = Some(word.to_string()),
            extra => bail!("unexpected argument {extra}\n\n{USAGE}"),
        }
    }
    let file = file.with_context(|| format!("share needs a FILE\n\n{USAGE}"))?;
    let text = read(&file)?;
    // The link must open: check it the way the playground will, before printing it.
    let scenario = kubarium::share::scenario_with_commands(&text, &[], kubarium::session::DEFAULT_NODES)
        .map_err(anyhow::Error::msg)?;
    if let Err(error) = kubarium::session::Session::load(&scenario, kubarium::session::DEFAULT_NODES) {
        eprintln!("{file}: {error}");
        return Ok(ExitCode::from(1));
    }
    let state = kubarium::share::SharedState { scenario, time_ms: at };
    println!("{base}#{}", kubarium::share::encode_fragment(&state));
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_columns_align() {
        let table = kubarium::tables::Table {
            headers: vec!["NAME", "AGE"],
            rows: vec![
                vec!["a".to_string(), "5s".to_string()],
                vec!["longer".to_string(), "1m".to_string()],
            ],
        };
        assert_eq!(table.render(), "NAME     AGE\na        5s\nlonger   1m\n");
    }

    #[test]
    fn options_need_a_file() {
        assert!(parse_run_options(&[]).is_err());
        let options = parse_run_options(&["x.yaml".to_string(), "--nodes".to_string(), "5".to_string()]).unwrap();
        assert_eq!((options.file.as_str(), options.nodes), ("x.yaml", 5));
    }
}
