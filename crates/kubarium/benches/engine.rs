//! Engine benchmarks: `cargo bench -p kubarium --bench engine` (release build, opt-level 3).
//! Prints wall time per workload (the play, up to the workload's end; dropping the simulation
//! afterwards is timed separately as `drop`) and the process's peak resident memory; the
//! numbers go to `docs/PERFORMANCE.md`.

use std::time::Instant;

use kubarium::bench::{
    play_bare_pods_on_nodes, play_cron_job_every_minute, play_daemon_set_on_nodes, play_job_completions, Played,
};

fn timed(name: &str, run: impl FnOnce() -> Played) {
    let started = Instant::now();
    let played = run();
    let elapsed = started.elapsed();
    let outcome = played.outcome();
    let dropping = Instant::now();
    drop(played);
    let dropped = dropping.elapsed();
    println!(
        "{name:<40} {:>8.3} s  drop {:>6.3} s  nodes {:>5}  pods {:>6}  running {:>6}  steps {:>8}  events {:>8}",
        elapsed.as_secs_f64(),
        dropped.as_secs_f64(),
        outcome.nodes,
        outcome.pods,
        outcome.running_pods,
        outcome.steps,
        outcome.events
    );
}

/// `VmHWM` from `/proc/self/status`: the peak resident set size, in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let only = std::env::args().nth(1).filter(|arg| !arg.starts_with('-'));
    let wanted = |name: &str| only.as_deref().is_none_or(|only| name.contains(only));
    if wanted("daemonset") {
        timed("daemonset: 5,000 nodes", || play_daemon_set_on_nodes(5_000));
    }
    if wanted("bare") {
        // `BENCH_SCALE=10` runs a tenth of the work, for profiling.
        let scale: usize = std::env::var("BENCH_SCALE")
            .ok()
            .and_then(|value| value.parse().ok())
            .unwrap_or(1);
        let (nodes, pods) = (5_000 / scale, 150_000 / scale);
        timed(&format!("bare pods: {pods} pods on {nodes} nodes"), || {
            play_bare_pods_on_nodes(nodes, pods)
        });
    }
    if wanted("job") {
        let scale: usize = std::env::var("BENCH_SCALE")
            .ok()
            .and_then(|value| value.parse().ok())
            .unwrap_or(1);
        let (completions, parallelism) = (100_000 / scale, 1_000 / scale);
        timed(
            &format!("job: {completions} completions, parallelism {parallelism}"),
            || play_job_completions(20, completions, parallelism),
        );
    }
    if wanted("cron") {
        // One run a minute for a year: 525,600 runs, 1,440 a day.
        let scale: u64 = std::env::var("BENCH_SCALE")
            .ok()
            .and_then(|value| value.parse().ok())
            .unwrap_or(1);
        let days = 365 / scale;
        timed(&format!("cron: * * * * * for {days} days"), || {
            play_cron_job_every_minute(2, days)
        });
    }
    if let Some(peak) = peak_rss_mib() {
        println!("peak resident memory: {peak:.0} MiB");
    }
}
