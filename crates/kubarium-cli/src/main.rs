//! `kubarium`: plays manifests on a simulated cluster, headless.
//!
//! The foundation slice has one subcommand, `run`; the scenario issue grows it into `run`,
//! `test`, `validate`, `cron` and `get` over scenario files.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use kubarium::time::{human_duration, SECOND_MS};
use kubarium::{ClusterConfig, Simulation};

const USAGE: &str = "\
usage: kubarium run FILE [--nodes N] [--until SECONDS] [--seed N]

Plays the manifests in FILE (multi-document YAML, `-` for standard input) on a cluster of N
nodes (default 3) up to the given simulated time (default 60), then prints the event log and
the pods as `kubectl get pods -o wide` shows them.

exit codes: 0 ok, 1 invalid manifests, 2 usage or I/O error";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("kubarium: {error:#}");
            ExitCode::from(2)
        }
    }
}

struct RunOptions {
    file: String,
    nodes: usize,
    until_seconds: u64,
    seed: u64,
}

fn parse_run_options(args: &[String]) -> Result<RunOptions> {
    let mut options = RunOptions {
        file: String::new(),
        nodes: 3,
        until_seconds: 60,
        seed: 1,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().with_context(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--nodes" => options.nodes = value("--nodes")?.parse().context("--nodes takes a whole number")?,
            "--until" => options.until_seconds = value("--until")?.parse().context("--until takes seconds")?,
            "--seed" => options.seed = value("--seed")?.parse().context("--seed takes a whole number")?,
            flag if flag.starts_with("--") && flag != "-" => {
                bail!("unknown flag {flag}\n\n{USAGE}")
            }
            file if options.file.is_empty() => options.file = file.to_string(),
            extra => bail!("unexpected argument {extra}\n\n{USAGE}"),
        }
    }
    if options.file.is_empty() {
        bail!("run needs a FILE\n\n{USAGE}");
    }
    Ok(options)
}

fn run(args: Vec<String>) -> Result<ExitCode> {
    match args.first().map(String::as_str) {
        Some("run") => run_manifests(&parse_run_options(&args[1..])?),
        Some("--help" | "-h" | "help") | None => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => bail!("unknown subcommand {other}\n\n{USAGE}"),
    }
}

fn run_manifests(options: &RunOptions) -> Result<ExitCode> {
    let text = if options.file == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading standard input")?
    } else {
        std::fs::read_to_string(&options.file).with_context(|| format!("reading {}", options.file))?
    };
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
    simulation.run_until(options.until_seconds * SECOND_MS)?;
    print!("{}", render_events(&simulation));
    println!();
    print!("{}", render_pods(&simulation));
    Ok(ExitCode::SUCCESS)
}

/// The events as `kubectl get events` prints them (repeats counted into one row), with ages
/// relative to the end of the run.
fn render_events(simulation: &Simulation) -> String {
    let rows: Vec<[String; 5]> = simulation
        .event_objects()
        .into_iter()
        .map(|event| {
            let last_seen = human_duration(simulation.now() - event.last_timestamp_ms);
            let last_seen = if event.count > 1 {
                format!(
                    "{last_seen} (x{} over {})",
                    event.count,
                    human_duration(simulation.now() - event.first_timestamp_ms)
                )
            } else {
                last_seen
            };
            [
                last_seen,
                event.event_type.to_string(),
                event.reason.to_string(),
                event.object,
                event.message,
            ]
        })
        .collect();
    render_table(&["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], &rows)
}

/// The pods as `kubectl get pods -o wide` prints them (the columns the slice models).
fn render_pods(simulation: &Simulation) -> String {
    let rows: Vec<[String; 5]> = simulation
        .pods()
        .map(|pod| {
            let view = kubarium::PodView::of(pod);
            let ready = pod
                .status
                .container_statuses
                .iter()
                .filter(|status| status.ready)
                .count();
            [
                view.name,
                format!("{ready}/{}", pod.spec.containers.len()),
                view.status,
                human_duration(simulation.now() - pod.metadata.creation_timestamp_ms),
                view.node.unwrap_or_else(|| "<none>".to_string()),
            ]
        })
        .collect();
    render_table(&["NAME", "READY", "STATUS", "AGE", "NODE"], &rows)
}

/// Left-aligned columns separated by three spaces, as kubectl's tab writer prints them.
fn render_table<const N: usize>(headers: &[&str; N], rows: &[[String; N]]) -> String {
    let mut widths = headers.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.len());
        }
    }
    let mut out = String::new();
    let mut push_row = |cells: Vec<&str>| {
        let line: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(line.join("   ").trim_end());
        out.push('\n');
    };
    push_row(headers.to_vec());
    for row in rows {
        push_row(row.iter().map(String::as_str).collect());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_columns_align() {
        let table = render_table(
            &["NAME", "AGE"],
            &[
                ["a".to_string(), "5s".to_string()],
                ["longer".to_string(), "1m".to_string()],
            ],
        );
        assert_eq!(table, "NAME     AGE\na        5s\nlonger   1m\n");
    }

    #[test]
    fn options_need_a_file() {
        assert!(parse_run_options(&[]).is_err());
        let options = parse_run_options(&["x.yaml".to_string(), "--nodes".to_string(), "5".to_string()]).unwrap();
        assert_eq!((options.file.as_str(), options.nodes), ("x.yaml", 5));
    }
}
