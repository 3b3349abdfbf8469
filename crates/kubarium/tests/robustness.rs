//! Property checks: arbitrary input never panics the core, and runs are deterministic.
//!
//! Inputs are generated from the seed manifests by seeded mutations (so every failure can be
//! replayed from its case number), plus random text.

use std::panic::{catch_unwind, AssertUnwindSafe};

use kubarium::rng::Rng;
use kubarium::time::SECOND_MS;
use kubarium::{ClusterConfig, Simulation};

const SEEDS: &[&str] = &[
    include_str!("../seeds/myweb-ds.yaml"),
    include_str!("../seeds/daemonset-1.yaml"),
    include_str!("../seeds/fluentd-elasticsearch.yaml"),
    include_str!("../seeds/mypi.yaml"),
    include_str!("../seeds/job-1.yaml"),
    include_str!("../seeds/sleep-cj.yaml"),
    include_str!("../seeds/static-web.yaml"),
    include_str!("../seeds/http-go-gpu.yaml"),
    include_str!("../seeds/multi-scheduler.yaml"),
    include_str!("../seeds/myapp-hpa.yaml"),
    include_str!("../seeds/myweb-svc.yaml"),
    include_str!("../seeds/myapp-rc.yaml"),
];

/// Characters that matter to YAML and to our validators.
const ALPHABET: &[char] = &[
    ' ', ' ', '\n', '-', ':', '{', '}', '[', ']', ',', '"', '\'', '&', '*', '!', '|', '>', '#', '%', '@', '`', '?',
    'a', 'z', '0', '9', '.', '/', '~', '\t', 'é', '한', '\u{feff}', '\\',
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let edits = 1 + rng.below(6);
    for _ in 0..edits {
        if chars.is_empty() {
            chars.push('x');
        }
        let at = rng.below(chars.len() as u64) as usize;
        match rng.below(7) {
            0 => chars[at] = ALPHABET[rng.below(ALPHABET.len() as u64) as usize],
            1 => {
                chars.remove(at);
            }
            2 => chars.insert(at, ALPHABET[rng.below(ALPHABET.len() as u64) as usize]),
            3 => chars.truncate(at),
            4 => {
                // Duplicate a line (duplicate keys, repeated list items).
                let line_start = chars[..at].iter().rposition(|c| *c == '\n').map_or(0, |i| i + 1);
                let line_end = chars[at..]
                    .iter()
                    .position(|c| *c == '\n')
                    .map_or(chars.len(), |i| at + i + 1);
                let line: Vec<char> = chars[line_start..line_end].to_vec();
                chars.splice(line_end..line_end, line);
            }
            5 => {
                // Change indentation.
                let line_start = chars[..at].iter().rposition(|c| *c == '\n').map_or(0, |i| i + 1);
                chars.insert(line_start, ' ');
            }
            _ => {
                // Replace a number with a large or negative one.
                let replacement: Vec<char> = ["-1", "0", "99999999999999999999", "1e400", "2147483648", ".nan"]
                    [rng.below(6) as usize]
                    .chars()
                    .collect();
                chars.splice(at..at, replacement);
            }
        }
    }
    chars.into_iter().collect()
}

fn play(text: &str) {
    let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", 2));
    let _ = simulation.apply(text);
    simulation.run_until(120 * SECOND_MS).expect("within the step limit");
    let _ = simulation.snapshot();
}

#[test]
fn mutated_manifests_never_panic() {
    let mut rng = Rng::new(2026);
    let mut failures = Vec::new();
    for case in 0..3_000 {
        let seed = SEEDS[case % SEEDS.len()];
        let text = mutate(seed, &mut rng);
        if catch_unwind(AssertUnwindSafe(|| play(&text))).is_err() {
            failures.push(format!("case {case}:\n{text}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} inputs panicked; first:\n{}",
        failures.len(),
        failures[0]
    );
}

#[test]
fn random_text_never_panics() {
    let mut rng = Rng::new(7);
    for case in 0..2_000 {
        let length = rng.below(200) as usize;
        let text: String = (0..length)
            .map(|_| ALPHABET[rng.below(ALPHABET.len() as u64) as usize])
            .collect();
        assert!(
            catch_unwind(AssertUnwindSafe(|| play(&text))).is_ok(),
            "case {case} panicked: {text:?}"
        );
    }
}

#[test]
fn runs_are_deterministic_over_many_seeds() {
    let manifests = [SEEDS[0], SEEDS[2], SEEDS[6], SEEDS[7], SEEDS[8]].join("\n---\n");
    for seed in 0..50 {
        let run = || {
            let mut simulation = Simulation::new(&ClusterConfig {
                seed,
                ..ClusterConfig::with_nodes("node", 4)
            });
            simulation.apply(&manifests).expect("valid");
            simulation.run_until(30 * SECOND_MS).unwrap();
            simulation.fail_node("node-2").unwrap();
            simulation.run_until(400 * SECOND_MS).unwrap();
            simulation.event_log_hash()
        };
        assert_eq!(run(), run(), "seed {seed}");
    }
}
