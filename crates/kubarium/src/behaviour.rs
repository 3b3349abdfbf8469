//! How simulated containers behave: how long they run and how they exit.
//!
//! Precedence, first that applies: the pod's annotations (`kubarium.io/duration`,
//! `kubarium.io/exit-code`, `kubarium.io/fail-first`), then the first scenario override whose
//! prefix starts the pod's name, then a `sleep N` command, then the defaults: containers of
//! `restartPolicy: Always` pods run until stopped, and batch containers (`OnFailure`, `Never`)
//! run the scenario's default duration (10s) and exit 0. See `docs/behaviour.md`.

use crate::api::{Container, Pod};
use crate::time::{parse_duration, Millis, SECOND_MS};

pub const ANNOTATION_DURATION: &str = "kubarium.io/duration";
pub const ANNOTATION_EXIT_CODE: &str = "kubarium.io/exit-code";
pub const ANNOTATION_FAIL_FIRST: &str = "kubarium.io/fail-first";

/// One behaviour, each part optional so that layers can fill what others leave open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerBehaviour {
    /// How long the container runs before it exits; `None` runs until stopped.
    pub duration_ms: Option<Millis>,
    /// The exit code of a failing run (and of every run when `fail_first` is not set).
    pub exit_code: Option<i32>,
    /// The first N runs (restarts and replacement pods of the same owner count) exit with
    /// `exit_code`, or 1 when it is 0; the runs after them exit 0.
    pub fail_first: Option<u32>,
}

/// A scenario's override for pods whose names start with `prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BehaviourOverride {
    pub prefix: String,
    pub behaviour: ContainerBehaviour,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behaviour {
    /// For batch containers: 10s, exit 0 unless the scenario says otherwise.
    pub batch_default: ContainerBehaviour,
    pub overrides: Vec<BehaviourOverride>,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            batch_default: ContainerBehaviour {
                duration_ms: Some(10 * SECOND_MS),
                exit_code: Some(0),
                fail_first: None,
            },
            overrides: Vec::new(),
        }
    }
}

/// What one run of a container does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOutcome {
    /// `None`: runs until stopped.
    pub run_ms: Option<Millis>,
    pub exit_code: i32,
}

impl Behaviour {
    /// The outcome of run number `attempt` (0-based) of `container` in `pod`.
    pub fn outcome(&self, pod: &Pod, container: &Container, attempt: u32) -> RunOutcome {
        self.outcome_with(pod, container, || attempt)
    }

    /// The outcome of a run of `container` in `pod`, asking for the run's number only when
    /// `fail_first` applies: no other behaviour depends on earlier runs, so the kubelet counts
    /// runs only for the containers it concerns.
    pub fn outcome_with(&self, pod: &Pod, container: &Container, attempt: impl FnOnce() -> u32) -> RunOutcome {
        let annotations = from_annotations(pod);
        let scenario = self
            .overrides
            .iter()
            .find(|entry| pod.metadata.name.starts_with(&entry.prefix))
            .map(|entry| entry.behaviour.clone())
            .unwrap_or_default();
        let sleep = ContainerBehaviour {
            duration_ms: sleep_seconds(container).map(|seconds| seconds.saturating_mul(SECOND_MS)),
            ..ContainerBehaviour::default()
        };
        let batch = pod.spec.restart_policy != "Always";
        let fallback = if batch {
            self.batch_default.clone()
        } else {
            ContainerBehaviour::default()
        };
        let layers = [&annotations, &scenario, &sleep, &fallback];
        let duration_ms = layers.iter().find_map(|layer| layer.duration_ms);
        let exit_code = layers.iter().find_map(|layer| layer.exit_code).unwrap_or(0);
        let fail_first = layers.iter().find_map(|layer| layer.fail_first);
        let attempt = if fail_first.is_some() { attempt() } else { 0 };
        let exit_code = match fail_first {
            Some(failures) if attempt < failures => {
                if exit_code == 0 {
                    1
                } else {
                    exit_code
                }
            }
            Some(_) => 0,
            None => exit_code,
        };
        // A container that would exit at once with "run until stopped" still needs a duration:
        // a failing always-on container crashes after one second.
        let run_ms = match (
            duration_ms,
            fail_first.is_some_and(|failures| attempt < failures) || exit_code != 0,
        ) {
            (None, true) => Some(SECOND_MS),
            (duration, _) => duration,
        };
        RunOutcome { run_ms, exit_code }
    }
}

fn from_annotations(pod: &Pod) -> ContainerBehaviour {
    let annotations = &pod.metadata.annotations;
    ContainerBehaviour {
        duration_ms: annotations
            .get(ANNOTATION_DURATION)
            .and_then(|text| parse_duration(text).ok()),
        exit_code: annotations
            .get(ANNOTATION_EXIT_CODE)
            .and_then(|text| text.trim().parse().ok()),
        fail_first: annotations
            .get(ANNOTATION_FAIL_FIRST)
            .and_then(|text| text.trim().parse().ok()),
    }
}

/// `sleep N` as the command (`["sleep", "80"]`), as arguments of `sleep`, or inside a shell
/// (`["/bin/sh", "-c", "sleep 80"]`). Fractions round up to whole seconds.
fn sleep_seconds(container: &Container) -> Option<u64> {
    let words: Vec<&str> = container
        .command
        .iter()
        .chain(&container.args)
        .map(String::as_str)
        .collect();
    // The number at the start of the word: `80`, `80s`, `80;`, `1.5`.
    let parse = |text: &str| {
        let number: String = text
            .chars()
            .take_while(|character| character.is_ascii_digit() || *character == '.')
            .collect();
        number
            .parse::<f64>()
            .ok()
            .filter(|value| value.is_finite() && *value >= 0.0)
            .map(|value| value.ceil() as u64)
    };
    match words.as_slice() {
        [program, seconds, ..] if program.rsplit('/').next() == Some("sleep") => parse(seconds),
        [shell, "-c", script, ..] if shell.ends_with("sh") => {
            let mut parts = script.split_whitespace();
            match (parts.next(), parts.next()) {
                (Some("sleep"), Some(seconds)) => parse(seconds),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(restart_policy: &str, command: &[&str]) -> (Pod, Container) {
        let mut pod = Pod::default();
        pod.metadata.name = "job-1-abcde".to_string();
        pod.spec.restart_policy = crate::word::Word::new(restart_policy);
        let container = Container {
            name: "c".to_string(),
            command: command.iter().map(|word| word.to_string()).collect(),
            ..Container::default()
        };
        pod.spec.containers = std::sync::Arc::from(vec![container.clone()]);
        (pod, container)
    }

    #[test]
    fn defaults_by_restart_policy() {
        let behaviour = Behaviour::default();
        let (service, container) = pod("Always", &[]);
        assert_eq!(
            behaviour.outcome(&service, &container, 0),
            RunOutcome {
                run_ms: None,
                exit_code: 0
            }
        );
        let (batch, container) = pod("Never", &[]);
        assert_eq!(
            behaviour.outcome(&batch, &container, 0),
            RunOutcome {
                run_ms: Some(10_000),
                exit_code: 0
            }
        );
    }

    #[test]
    fn sleep_commands() {
        let behaviour = Behaviour::default();
        for command in [
            &["sleep", "80"][..],
            &["/bin/sleep", "80"],
            &["/bin/sh", "-c", "sleep 80; echo done"],
        ] {
            let (pod, container) = pod("OnFailure", command);
            assert_eq!(
                behaviour.outcome(&pod, &container, 0).run_ms,
                Some(80_000),
                "{command:?}"
            );
        }
    }

    #[test]
    fn precedence_and_fail_first() {
        let mut behaviour = Behaviour::default();
        behaviour.overrides.push(BehaviourOverride {
            prefix: "job-1".to_string(),
            behaviour: ContainerBehaviour {
                duration_ms: Some(5_000),
                exit_code: Some(2),
                fail_first: Some(2),
            },
        });
        let (mut pod, container) = pod("Never", &["sleep", "80"]);
        let outcomes: Vec<RunOutcome> = (0..3)
            .map(|attempt| behaviour.outcome(&pod, &container, attempt))
            .collect();
        assert_eq!(
            outcomes,
            [
                RunOutcome {
                    run_ms: Some(5_000),
                    exit_code: 2
                },
                RunOutcome {
                    run_ms: Some(5_000),
                    exit_code: 2
                },
                RunOutcome {
                    run_ms: Some(5_000),
                    exit_code: 0
                },
            ]
        );
        pod.metadata
            .annotations
            .insert(ANNOTATION_DURATION.to_string(), "1m".to_string());
        pod.metadata
            .annotations
            .insert(ANNOTATION_EXIT_CODE.to_string(), "0".to_string());
        assert_eq!(
            behaviour.outcome(&pod, &container, 5),
            RunOutcome {
                run_ms: Some(60_000),
                exit_code: 0
            }
        );
    }

    /// The run's number is asked for only when `fail_first` applies: the kubelet counts runs
    /// only for those containers.
    #[test]
    fn run_number_is_read_only_for_fail_first() {
        let mut behaviour = Behaviour::default();
        let (pod, container) = pod("Never", &["sleep", "80"]);
        let mut asked = 0;
        behaviour.outcome_with(&pod, &container, || {
            asked += 1;
            0
        });
        assert_eq!(asked, 0);
        behaviour.overrides.push(BehaviourOverride {
            prefix: String::new(),
            behaviour: ContainerBehaviour {
                fail_first: Some(1),
                ..ContainerBehaviour::default()
            },
        });
        let outcome = behaviour.outcome_with(&pod, &container, || {
            asked += 1;
            1
        });
        assert_eq!(asked, 1);
        assert_eq!(outcome, behaviour.outcome(&pod, &container, 1));
        assert_ne!(outcome, behaviour.outcome(&pod, &container, 0));
    }
}
