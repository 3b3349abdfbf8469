//! A live session, as the playground plays one: a scenario file or plain manifests loaded into
//! a simulation, the scenario's actions performed when their time comes, and kubectl-like
//! commands typed by the user. Shared by the web page and the wasm facade so neither keeps its
//! own copy of "what happens when time moves".

use std::collections::VecDeque;

use crate::actions::{parse_action, Action};
use crate::manifest::ManifestError;
use crate::scenario::{looks_like_scenario, Scenario, ScenarioError};
use crate::share;
use crate::sim::{ClusterConfig, NodeConfig, Simulation};
use crate::time::Millis;

/// Why a text could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// The scenario file's own fields are wrong.
    #[error("{0}")]
    Scenario(ScenarioError),
    /// A manifest is invalid; positions point into the loaded text.
    #[error("{0}")]
    Manifests(ManifestError),
}

/// Plain manifests in a share link play on this many workers, as in the playground.
pub const DEFAULT_NODES: usize = 3;

/// A loaded scenario (or manifests) being played.
pub struct Session {
    pub simulation: Simulation,
    /// What the scenario says it shows, if it is a scenario with a description.
    pub description: String,
    /// Fields accepted but not simulated, as the apply reported them.
    pub notices: Vec<String>,
    /// The scenario's actions not yet performed, in time order.
    pending: VecDeque<(Millis, Action, String)>,
    /// What the actions performed so far did: `(time, command, error if refused)`.
    pub performed: Vec<(Millis, String, Option<String>)>,
    /// The text this session was loaded from.
    pub text: String,
    /// The commands the user typed that were carried out, with their times (a share link
    /// replays them).
    pub typed: Vec<(Millis, String)>,
    /// Plain manifests play on this many `node-N` workers.
    default_nodes: usize,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Session")
            .field("now", &self.simulation.now())
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Loads a scenario file, or plain manifests onto `default_nodes` worker nodes named
    /// `node-1`, `node-2`, ... Any problem (a bad scenario field, an invalid manifest) is an
    /// error with its position; nothing is half-loaded.
    pub fn load(text: &str, default_nodes: usize) -> Result<Session, String> {
        Session::load_checked(text, default_nodes).map_err(|error| error.to_string())
    }

    /// [`Session::load`], with the problems as data (each manifest problem with its path, line
    /// and column in `text`).
    pub fn load_checked(text: &str, default_nodes: usize) -> Result<Session, LoadError> {
        let is_scenario = looks_like_scenario(text);
        let (config, manifests, actions, description) = if is_scenario {
            let scenario = Scenario::parse(text).map_err(LoadError::Scenario)?;
            let actions = scenario
                .actions
                .iter()
                .map(|(at, action)| (*at, action.clone(), action.to_string()))
                .collect();
            (scenario.config, scenario.manifests, actions, scenario.description)
        } else {
            let config = ClusterConfig {
                nodes: (1..=default_nodes)
                    .map(|index| NodeConfig::worker(&format!("node-{index}")))
                    .collect(),
                ..ClusterConfig::default()
            };
            (config, text.to_string(), Vec::new(), String::new())
        };
        let mut simulation = Simulation::new(&config);
        let applied = simulation.apply(&manifests).map_err(|mut error| {
            // Problems point into the manifests; in a scenario, point into the file instead.
            if let Some((lines_before, indent)) = is_scenario.then(|| manifests_block_offset(text)).flatten() {
                for problem in &mut error.problems {
                    if let Some(pos) = &mut problem.pos {
                        pos.line += lines_before;
                        pos.column += indent;
                    }
                }
            }
            LoadError::Manifests(error)
        })?;
        Ok(Session {
            simulation,
            description,
            notices: applied.notices.iter().map(ToString::to_string).collect(),
            pending: actions.into(),
            performed: Vec::new(),
            text: text.to_string(),
            typed: Vec::new(),
            default_nodes,
        })
    }

    /// A session over a cluster built elsewhere, with nothing loaded yet.
    pub fn new(simulation: Simulation) -> Session {
        Session {
            simulation,
            description: String::new(),
            notices: Vec::new(),
            pending: VecDeque::new(),
            performed: Vec::new(),
            text: String::new(),
            typed: Vec::new(),
            default_nodes: DEFAULT_NODES,
        }
    }

    /// Opens a share link: its scenario played to the time the sender was at.
    pub fn restore(link: &str) -> Result<Session, String> {
        let state = share::decode_fragment(link).map_err(|error| error.to_string())?;
        let mut session = Session::load(&state.scenario, DEFAULT_NODES)?;
        session.advance_to(state.time_ms)?;
        Ok(session)
    }

    /// What a share link of this session holds: the loaded text as a scenario with the typed
    /// commands among its actions, and the current time.
    pub fn shared_state(&self) -> Result<share::SharedState, String> {
        Ok(share::SharedState {
            scenario: self.scenario_text()?,
            time_ms: self.simulation.now(),
        })
    }

    /// The session as a scenario file ("Download scenario"): the loaded text, plain manifests
    /// wrapped with their nodes, and the typed commands as actions.
    pub fn scenario_text(&self) -> Result<String, String> {
        share::scenario_with_commands(&self.text, &self.typed, self.default_nodes)
    }

    /// Plays to `target_ms`, performing the scenario's actions at their times on the way.
    pub fn advance_to(&mut self, target_ms: Millis) -> Result<(), String> {
        while self.pending.front().is_some_and(|(at, _, _)| *at <= target_ms) {
            let Some((at, action, command)) = self.pending.pop_front() else {
                break;
            };
            self.simulation.run_until(at).map_err(|error| error.to_string())?;
            let refused = self.simulation.perform(&action).err().map(|error| error.0);
            self.performed.push((at, command, refused));
        }
        self.simulation
            .run_until(target_ms)
            .map(|_| ())
            .map_err(|error| error.to_string())
    }

    /// When something next happens: the next event or the next scenario action.
    pub fn next_due(&self) -> Option<Millis> {
        let event = self.simulation.next_event_time();
        let action = self.pending.front().map(|(at, _, _)| *at);
        match (event, action) {
            (Some(event), Some(action)) => Some(event.min(action)),
            (event, action) => event.or(action),
        }
    }

    /// Plays to the next thing that happens (if anything is due).
    pub fn step_to_next(&mut self) -> Result<(), String> {
        match self.next_due() {
            Some(due) => self.advance_to(due.max(self.simulation.now())),
            None => Ok(()),
        }
    }

    /// Runs a command the user typed (`kubectl cordon node-2`, `add node n4 os=centos`, ...).
    pub fn run_command(&mut self, line: &str) -> Result<(), String> {
        let action = parse_action(line, None)?;
        self.simulation.perform(&action).map_err(|error| error.0)?;
        let now = self.simulation.now();
        self.performed.push((now, line.trim().to_string(), None));
        self.typed.push((now, line.trim().to_string()));
        Ok(())
    }

    /// Answers a read-only command the user typed (`kubectl rollout status deployment/web`,
    /// `kubectl get pods -o wide`) with what kubectl prints, or None when the line is an
    /// action for `run_command`. Nothing is recorded: there is nothing to replay.
    pub fn query(&self, line: &str) -> Option<Result<String, String>> {
        let query = match crate::actions::parse_query(line)? {
            Ok(query) => query,
            Err(error) => return Some(Err(error)),
        };
        Some(query.answer(&self.simulation))
    }

    /// The scenario's actions still to come, as `(time, command)`.
    pub fn upcoming(&self) -> impl Iterator<Item = (Millis, &str)> {
        self.pending.iter().map(|(at, _, command)| (*at, command.as_str()))
    }
}

/// Where a scenario's `manifests: |` block sits in the file: the lines before its first line,
/// and its indentation, so that a position inside the block maps to one in the file.
fn manifests_block_offset(text: &str) -> Option<(u32, u32)> {
    let mut lines = text.lines().enumerate();
    let (key_index, key_line) = lines.find(|(_, line)| line.starts_with("manifests:"))?;
    let indicator = key_line["manifests:".len()..].trim();
    if !indicator.starts_with('|') && !indicator.starts_with('>') {
        return None;
    }
    let (_, first) = lines.find(|(_, line)| !line.trim().is_empty())?;
    let indent = first.len() - first.trim_start_matches(' ').len();
    Some((u32::try_from(key_index + 1).ok()?, u32::try_from(indent).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SECOND_MS;

    const SCENARIO: &str = "description: two nodes, one fails\nnodes:\n  - {count: 2, prefix: worker}\nmanifests: |\n  apiVersion: v1\n  kind: Pod\n  metadata: {name: web}\n  spec:\n    nodeName: worker-2\n    containers: [{name: web, image: nginx}]\nactions:\n  - {at: 30s, do: \"cordon worker-1\"}\n  - {at: 20s, do: \"label node worker-2 disk=ssd\"}\n";

    #[test]
    fn a_scenario_plays_its_actions_at_their_times() {
        let mut session = Session::load(SCENARIO, 3).expect("loads");
        assert_eq!(session.description, "two nodes, one fails");
        assert_eq!(session.simulation.nodes().count(), 2);
        assert_eq!(session.next_due(), Some(0));
        session.advance_to(25 * SECOND_MS).expect("plays");
        assert_eq!(session.performed.len(), 1);
        assert_eq!(session.performed[0].0, 20 * SECOND_MS);
        assert_eq!(
            session
                .simulation
                .node("worker-2")
                .map(|node| node.metadata.labels.get("disk").cloned()),
            Some(Some("ssd".to_string()))
        );
        assert!(!session.simulation.node("worker-1").expect("exists").spec.unschedulable);
        assert_eq!(session.upcoming().count(), 1);
        session.advance_to(40 * SECOND_MS).expect("plays");
        assert!(session.simulation.node("worker-1").expect("exists").spec.unschedulable);
        assert_eq!(session.upcoming().count(), 0);
    }

    #[test]
    fn plain_manifests_get_the_default_nodes_and_commands_run() {
        let mut session = Session::load(crate::EXAMPLE_MYWEB_DS, 3).expect("loads");
        assert_eq!(session.simulation.nodes().count(), 3);
        session.advance_to(10 * SECOND_MS).expect("plays");
        assert_eq!(session.simulation.pods().count(), 3);
        session.run_command("kubectl add node node-4").expect("runs");
        session.advance_to(20 * SECOND_MS).expect("plays");
        assert_eq!(session.simulation.pods().count(), 4);
        assert_eq!(
            session.run_command("cordon nowhere"),
            Err("nodes \"nowhere\" not found".to_string())
        );
        assert!(session
            .run_command("frobnicate")
            .unwrap_err()
            .contains("unknown action"));
    }

    /// A share link restores the sender's cluster exactly: the same event log, whether the
    /// sender loaded a scenario or plain manifests, and whatever they typed on the way.
    #[test]
    fn a_share_link_restores_the_same_cluster() {
        for text in [SCENARIO, crate::EXAMPLE_MYWEB_DS] {
            let mut sender = Session::load(text, DEFAULT_NODES).expect("loads");
            sender.advance_to(10 * SECOND_MS).expect("plays");
            let first_node = sender.simulation.nodes().next().expect("a node").metadata.name.clone();
            sender.run_command(&format!("cordon {first_node}")).expect("cordons");
            for tick in 1..=7 {
                sender.advance_to(10 * SECOND_MS + tick * 3_700).expect("plays");
            }
            sender.run_command("add node extra-1 disk=ssd").expect("adds");
            assert!(sender.run_command("cordon nowhere").is_err());
            sender.advance_to(95_500).expect("plays");

            let link = share::encode_fragment(&sender.shared_state().expect("shareable"));
            let receiver = Session::restore(&format!("https://example.org/#{link}")).expect("restores");
            assert_eq!(receiver.simulation.now(), 95_500);
            assert_eq!(receiver.simulation.event_log_hash(), sender.simulation.event_log_hash());
            assert_eq!(receiver.simulation.snapshot(), sender.simulation.snapshot());
            let performed: Vec<&str> = receiver
                .performed
                .iter()
                .map(|(_, command, _)| command.as_str())
                .collect();
            assert!(performed.contains(&"add node extra-1 disk=ssd"), "{performed:?}");
        }
    }

    #[test]
    fn bad_input_is_an_error_and_loads_nothing() {
        let error = Session::load(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containerz: []\n",
            3,
        )
        .expect_err("rejected");
        assert!(error.contains("containerz"), "{error}");
        assert!(Session::load("nodes: 3\n", 3).is_err());
    }

    #[test]
    fn a_problem_in_a_scenario_points_into_the_file() {
        let text = "description: typo\nnodes:\n  - {count: 1, prefix: w}\nmanifests: |\n  apiVersion: v1\n  kind: Pod\n  metadata: {name: x}\n  spec:\n    containerz: []\n";
        let error = Session::load(text, 3).expect_err("rejected");
        assert!(error.starts_with("line 9, column 5:"), "{error}");
        assert_eq!(manifests_block_offset("manifests: \"x\"\n"), None);
    }

    #[test]
    fn stepping_goes_to_the_next_event() {
        let mut session = Session::load(crate::EXAMPLE_MYWEB_DS, 2).expect("loads");
        let before = session.simulation.events().len();
        session.step_to_next().expect("steps");
        session.step_to_next().expect("steps");
        assert!(session.simulation.events().len() > before);
    }
}
