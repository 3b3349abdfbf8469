//! Scenario files: one YAML file that says everything about a run (the cluster, the manifests,
//! how containers behave, what happens when, and what must be true), and the runner that plays
//! it and checks its expectations. The CLI, the wasm facade and the tests share this code; it
//! does no I/O.

mod expect;

pub use expect::{Expectation, ExpectationResult};

use crate::sort::StableSort;
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::actions::{parse_action, Action};
use crate::api::Taint;
use crate::behaviour::{Behaviour, BehaviourOverride, ContainerBehaviour};
use crate::manifest::{parse_manifests, Manifest};
use crate::quantity::Quantity;
use crate::sim::{ClusterConfig, NodeConfig, Simulation};
use crate::time::{parse_duration, Millis, SECOND_MS};
use crate::yaml::{self, Pos, Value};

/// The default end of a run without `until`.
pub const DEFAULT_UNTIL_MS: Millis = 60 * SECOND_MS;

/// A scenario file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    #[serde(default)]
    description: String,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    nodes: Vec<NodeEntry>,
    /// Scheduler names served besides `default-scheduler`.
    #[serde(default)]
    schedulers: Vec<String>,
    #[serde(default)]
    manifests: String,
    #[serde(default)]
    behaviour: Option<BehaviourEntry>,
    #[serde(default)]
    actions: Vec<ActionEntry>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    reject: bool,
    #[serde(default)]
    reject_message: Option<String>,
    #[serde(default)]
    expect: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeEntry {
    name: Option<String>,
    count: Option<u32>,
    prefix: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    taints: Vec<TaintEntry>,
    #[serde(default)]
    capacity: Option<CapacityEntry>,
    #[serde(default)]
    static_pods: Option<String>,
    #[serde(default)]
    unschedulable: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaintEntry {
    key: String,
    #[serde(default)]
    value: String,
    effect: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CapacityEntry {
    cpu: Option<Quantity>,
    memory: Option<Quantity>,
    pods: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BehaviourEntry {
    default: Option<BehaviourRule>,
    #[serde(default)]
    overrides: Vec<OverrideEntry>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BehaviourRule {
    duration: Option<String>,
    exit: Option<i32>,
    fail_first: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideEntry {
    prefix: String,
    duration: Option<String>,
    exit: Option<i32>,
    fail_first: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionEntry {
    at: String,
    #[serde(rename = "do")]
    action: String,
    manifests: Option<String>,
}

/// A parsed, checked scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub description: String,
    pub config: ClusterConfig,
    pub manifests: String,
    pub actions: Vec<(Millis, Action)>,
    pub until_ms: Millis,
    pub reject: Option<String>,
    pub expectations: Vec<Expectation>,
}

/// Why a scenario file cannot be run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub message: String,
    pub pos: Option<Pos>,
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.pos {
            Some(pos) => write!(formatter, "{pos}: {}", self.message),
            None => formatter.write_str(&self.message),
        }
    }
}

impl std::error::Error for ScenarioError {}

fn error(message: impl Into<String>) -> ScenarioError {
    ScenarioError {
        message: message.into(),
        pos: None,
    }
}

/// Whether a YAML text is a scenario (a mapping with scenario keys) rather than manifests.
pub fn looks_like_scenario(text: &str) -> bool {
    let Ok(documents) = yaml::parse_stream(text) else {
        return false;
    };
    let [document] = documents.as_slice() else { return false };
    document.root.get("kind").is_none()
        && ["nodes", "manifests", "expect", "actions"]
            .iter()
            .any(|key| document.root.get(key).is_some())
}

/// The position of the first key named `key` anywhere in the tree, for error messages.
fn find_key(node: &yaml::Node, key: &str) -> Option<Pos> {
    let mut pending = vec![node];
    while let Some(node) = pending.pop() {
        match &node.value {
            Value::Map(entries) => {
                if let Some(entry) = entries.iter().find(|entry| entry.key == key) {
                    return Some(entry.key_pos);
                }
                pending.extend(entries.iter().rev().map(|entry| &entry.value));
            }
            Value::Seq(items) => pending.extend(items.iter().rev()),
            _ => {}
        }
    }
    None
}

impl Scenario {
    /// Parses and checks a scenario file: its own fields, the durations, the actions and the
    /// expectations. (The manifests are checked when the run applies them, so a scenario can
    /// expect them to be rejected.)
    pub fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        let documents = yaml::parse_stream(text).map_err(|problem| ScenarioError {
            message: problem.message,
            pos: Some(problem.pos),
        })?;
        let Some(document) = documents.iter().find(|document| !document.is_empty) else {
            return Err(error("the scenario file is empty"));
        };
        let file: ScenarioFile = serde_json::from_value(document.root.to_json()).map_err(|problem| {
            let message = problem.to_string();
            // serde names the field in backticks: `unknown field `foo`, expected ...`.
            let pos = message
                .split('`')
                .nth(1)
                .and_then(|field| find_key(&document.root, field));
            ScenarioError { message, pos }
        })?;
        let duration =
            |text: &str, field: &str| parse_duration(text).map_err(|problem| error(format!("{field}: {problem}")));

        let mut config = ClusterConfig {
            seed: file.seed.unwrap_or(1),
            extra_schedulers: file.schedulers.clone(),
            ..ClusterConfig::default()
        };
        if let Some(start) = &file.start {
            config.start_unix_seconds =
                crate::time::parse_rfc3339(start).map_err(|problem| error(format!("start: {problem}")))?;
        }
        for (index, entry) in file.nodes.iter().enumerate() {
            config
                .nodes
                .extend(node_configs(entry).map_err(|problem| error(format!("nodes[{index}]: {problem}")))?);
        }
        if config.nodes.is_empty() {
            config.nodes = (1..=3)
                .map(|index| NodeConfig::worker(&format!("node-{index}")))
                .collect();
        }
        if let Some(behaviour) = &file.behaviour {
            config.behaviour = behaviour_config(behaviour).map_err(error)?;
        }
        let mut actions = Vec::new();
        for (index, entry) in file.actions.iter().enumerate() {
            let at = duration(&entry.at, &format!("actions[{index}].at"))?;
            let action = parse_action(&entry.action, entry.manifests.as_deref())
                .map_err(|problem| error(format!("actions[{index}]: {problem}")))?;
            actions.push((at, action));
        }
        actions.stable_sort_by_key(|(at, _)| *at);
        let expectations = file
            .expect
            .iter()
            .enumerate()
            .map(|(index, value)| {
                Expectation::parse(value).map_err(|problem| error(format!("expect[{index}]: {problem}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let latest = expectations
            .iter()
            .filter_map(Expectation::latest_time)
            .chain(actions.iter().map(|(at, _)| *at))
            .max();
        let until_ms = match &file.until {
            Some(until) => duration(until, "until")?,
            None => latest.map_or(DEFAULT_UNTIL_MS, |latest| latest.max(DEFAULT_UNTIL_MS)),
        };
        if file.reject_message.is_some() && !file.reject {
            return Err(error("reject_message needs reject: true"));
        }
        Ok(Scenario {
            description: file.description,
            config,
            manifests: file.manifests,
            actions,
            until_ms,
            reject: file.reject.then(|| file.reject_message.unwrap_or_default()),
            expectations,
        })
    }

    /// Plays the scenario and checks every expectation.
    pub fn run(&self) -> RunReport {
        let mut simulation = Simulation::new(&self.config);
        // Expectations on events and the golden traces see every event, not only the last
        // hour's that the API server keeps.
        simulation.keep_event_trace();
        let mut results = Vec::new();
        let applied = simulation.apply(&self.manifests);
        match (&self.reject, &applied) {
            (Some(wanted), Err(problem)) => {
                let message = problem.to_string();
                let passed = message.contains(wanted.as_str());
                results.push(ExpectationResult {
                    description: format!("the manifests are rejected with a message containing {wanted:?}"),
                    passed,
                    observed: format!("rejected: {message}"),
                });
                return RunReport {
                    simulation,
                    results,
                    action_errors: Vec::new(),
                };
            }
            (Some(wanted), Ok(_)) => {
                results.push(ExpectationResult {
                    description: format!("the manifests are rejected with a message containing {wanted:?}"),
                    passed: false,
                    observed: "the manifests were applied".to_string(),
                });
                return RunReport {
                    simulation,
                    results,
                    action_errors: Vec::new(),
                };
            }
            (None, Err(problem)) => {
                results.push(ExpectationResult {
                    description: "the manifests apply".to_string(),
                    passed: false,
                    observed: format!("rejected: {problem}"),
                });
                return RunReport {
                    simulation,
                    results,
                    action_errors: Vec::new(),
                };
            }
            (None, Ok(_)) => {}
        }
        let mut observer = expect::Observer::new(&self.expectations);
        let mut action_errors = Vec::new();
        observer.observe(&simulation);
        let mut pending_actions = self.actions.iter().peekable();
        let mut checkpoints = observer.checkpoints();
        checkpoints.retain(|time| *time <= self.until_ms);
        let mut checkpoints = checkpoints.into_iter().peekable();
        let mut at_one_instant = crate::sim::StepsAtOneInstant::new(crate::sim::SAME_INSTANT_STEP_LIMIT);
        'run: loop {
            // The next moment to stop at: an action, a checkpoint, or the end.
            let next_action = pending_actions.peek().map(|(at, _)| *at);
            let next_checkpoint = checkpoints.peek().copied();
            let stop_at = [next_action, next_checkpoint, Some(self.until_ms)]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(self.until_ms);
            while simulation.next_event_time().is_some_and(|due| due <= stop_at) {
                if at_one_instant.over(simulation.now()) {
                    action_errors.push(format!(
                        "the run stopped at {}: {} steps without the clock moving (the controllers are in a loop)",
                        crate::time::format_duration(simulation.now()),
                        crate::sim::SAME_INSTANT_STEP_LIMIT
                    ));
                    break 'run;
                }
                simulation.step();
                observer.observe(&simulation);
            }
            if simulation.run_until(stop_at).is_err() {
                break;
            }
            observer.observe(&simulation);
            while checkpoints.peek().is_some_and(|time| *time <= stop_at) {
                checkpoints.next();
            }
            while let Some((at, action)) = pending_actions.next_if(|(at, _)| *at <= stop_at) {
                if let Err(problem) = simulation.perform(action) {
                    action_errors.push(format!("at {}: {problem}", crate::time::format_duration(*at)));
                }
                observer.observe(&simulation);
            }
            if stop_at >= self.until_ms {
                break;
            }
        }
        results.extend(observer.finish(&simulation));
        RunReport {
            simulation,
            results,
            action_errors,
        }
    }
}

/// What a run found.
#[derive(Debug)]
pub struct RunReport {
    pub simulation: Simulation,
    pub results: Vec<ExpectationResult>,
    /// Actions that failed (like `kubectl` commands that print an error): reported, not fatal.
    pub action_errors: Vec<String>,
}

impl RunReport {
    pub fn passed(&self) -> bool {
        self.results.iter().all(|result| result.passed)
    }
}

fn node_configs(entry: &NodeEntry) -> Result<Vec<NodeConfig>, String> {
    let names: Vec<String> = match (&entry.name, entry.count, &entry.prefix) {
        (Some(name), None, None) => vec![name.clone()],
        (None, Some(count), prefix) => {
            let prefix = prefix.as_deref().unwrap_or("node");
            (1..=count).map(|index| format!("{prefix}-{index}")).collect()
        }
        _ => return Err("a node entry has either `name`, or `count` (with an optional `prefix`)".to_string()),
    };
    let static_pods = match &entry.static_pods {
        None => Vec::new(),
        Some(text) => parse_manifests(text)
            .map_err(|problem| format!("static_pods: {problem}"))?
            .into_iter()
            .map(|manifest| match manifest {
                Manifest::Pod(pod) => Ok(*pod),
                _ => Err("static_pods may only hold Pods".to_string()),
            })
            .collect::<Result<_, _>>()?,
    };
    let mut configs = Vec::new();
    for name in names {
        let mut config = NodeConfig::worker(&name);
        config.labels = entry.labels.clone();
        config.taints = entry
            .taints
            .iter()
            .map(|taint| {
                if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&taint.effect.as_str()) {
                    return Err(format!(
                        "taint effect {:?} is not NoSchedule, PreferNoSchedule or NoExecute",
                        taint.effect
                    ));
                }
                Ok(Taint {
                    key: taint.key.clone(),
                    value: taint.value.clone(),
                    effect: taint.effect.clone(),
                    time_added_ms: None,
                })
            })
            .collect::<Result<_, _>>()?;
        if let Some(capacity) = &entry.capacity {
            if let Some(cpu) = capacity.cpu {
                config.cpu = cpu;
            }
            if let Some(memory) = capacity.memory {
                config.memory = memory;
            }
            if let Some(pods) = capacity.pods {
                config.max_pods = pods;
            }
        }
        config.static_pods = static_pods.clone();
        configs.push(config);
    }
    for config in &mut configs {
        config.unschedulable = entry.unschedulable;
    }
    Ok(configs)
}

fn behaviour_config(entry: &BehaviourEntry) -> Result<Behaviour, String> {
    let rule =
        |duration: &Option<String>, exit: Option<i32>, fail_first: Option<u32>| -> Result<ContainerBehaviour, String> {
            Ok(ContainerBehaviour {
                duration_ms: duration.as_deref().map(parse_duration).transpose()?,
                exit_code: exit,
                fail_first,
            })
        };
    let mut behaviour = Behaviour::default();
    if let Some(default) = &entry.default {
        let given = rule(&default.duration, default.exit, default.fail_first)?;
        behaviour.batch_default = ContainerBehaviour {
            duration_ms: given.duration_ms.or(behaviour.batch_default.duration_ms),
            exit_code: given.exit_code.or(behaviour.batch_default.exit_code),
            fail_first: given.fail_first,
        };
    }
    for entry in &entry.overrides {
        behaviour.overrides.push(BehaviourOverride {
            prefix: entry.prefix.clone(),
            behaviour: rule(&entry.duration, entry.exit, entry.fail_first)?,
        });
    }
    Ok(behaviour)
}

#[cfg(test)]
mod tests;
