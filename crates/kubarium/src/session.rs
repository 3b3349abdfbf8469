//! A live session, as the playground plays one: a scenario file or plain manifests loaded into
//! a simulation, the scenario's actions performed when their time comes, and kubectl-like
//! commands typed by the user. Shared by the web page and the wasm facade so neither keeps its
//! own copy of "what happens when time moves".

use crate::sort::StableSort;
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

impl LoadError {
    /// Each problem that has a place in the loaded text, with what it says there (without the
    /// position), in source order: for an editor to mark the lines.
    pub fn marks(&self) -> Vec<(crate::yaml::Pos, String)> {
        match self {
            LoadError::Scenario(error) => error.pos.map(|pos| (pos, error.message.clone())).into_iter().collect(),
            LoadError::Manifests(error) => error
                .problems
                .iter()
                .filter_map(|problem| problem.pos.map(|pos| (pos, problem.text_without_position())))
                .collect(),
        }
    }
}

/// Plain manifests in a share link play on this many workers, as in the playground.
pub const DEFAULT_NODES: usize = 3;

/// An action waiting for its time.
#[derive(Debug, Clone)]
struct Pending {
    at: Millis,
    action: Action,
    command: String,
    /// Typed by the user (replayed after a rewind) rather than written in the scenario.
    typed: bool,
}

/// A loaded scenario (or manifests) being played.
pub struct Session {
    pub simulation: Simulation,
    /// What the scenario says it shows, if it is a scenario with a description.
    pub description: String,
    /// Fields accepted but not simulated, as the apply reported them.
    pub notices: Vec<String>,
    /// The actions not yet performed, in time order: the scenario's, and after a rewind the
    /// commands typed later in the run so far.
    pending: VecDeque<Pending>,
    /// What the actions performed so far did: `(time, command, error if refused)`.
    pub performed: Vec<(Millis, String, Option<String>)>,
    /// The text this session was loaded from.
    pub text: String,
    /// The commands the user typed that were carried out, with their times, over the whole
    /// run so far (a share link and a rewind replay them). After a rewind, the later ones are
    /// also in `pending`.
    pub typed: Vec<(Millis, String)>,
    /// The furthest time this run has been played to: the end of the rewind scrubber.
    recorded_until_ms: Millis,
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
                .map(|(at, action)| Pending {
                    at: *at,
                    action: action.clone(),
                    command: action.to_string(),
                    typed: false,
                })
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
            recorded_until_ms: 0,
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
            recorded_until_ms: 0,
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
        while self.pending.front().is_some_and(|pending| pending.at <= target_ms) {
            let Some(pending) = self.pending.pop_front() else {
                break;
            };
            self.simulation
                .run_until(pending.at)
                .map_err(|error| error.to_string())?;
            let refused = self.simulation.perform(&pending.action).err().map(|error| error.0);
            self.performed.push((pending.at, pending.command, refused));
        }
        let outcome = self
            .simulation
            .run_until(target_ms)
            .map(|_| ())
            .map_err(|error| error.to_string());
        self.recorded_until_ms = self.recorded_until_ms.max(self.simulation.now());
        outcome
    }

    /// The furthest time this run has been played to; a rewind can show any moment before it.
    pub fn recorded_until(&self) -> Millis {
        self.recorded_until_ms.max(self.simulation.now())
    }

    /// Shows the cluster as it was at `target_ms` (at most [`Session::recorded_until`]): the
    /// loaded text is played again from the start, with the commands typed so far performed at
    /// their times. The simulation is deterministic, so this is the very state the run had
    /// then (same event log, same objects). The commands typed later stay queued: playing on
    /// from here repeats them, unless a new command is typed first, which starts a new future.
    pub fn rewind_to(&mut self, target_ms: Millis) -> Result<(), String> {
        let target_ms = target_ms.min(self.recorded_until());
        if target_ms >= self.simulation.now() {
            return self.advance_to(target_ms);
        }
        let mut replay = self.replay()?;
        replay.advance_to(target_ms)?;
        *self = replay;
        Ok(())
    }

    /// The same run from its start, at time 0, with the typed commands queued at their times.
    fn replay(&self) -> Result<Session, String> {
        let mut replay = Session::load(&self.text, self.default_nodes)?;
        // Typed commands go after the scenario's actions of the same moment: that is the
        // order they had, since playing to a time performs its scenario actions first.
        let typed = self
            .typed
            .iter()
            .map(|(at, command)| {
                parse_action(command, None).map(|action| Pending {
                    at: *at,
                    action,
                    command: command.clone(),
                    typed: true,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut merged: Vec<Pending> = replay.pending.drain(..).collect();
        merged.extend(typed);
        merged.stable_sort_by_key(|pending| (pending.at, pending.typed));
        replay.pending = merged.into();
        replay.typed = self.typed.clone();
        replay.recorded_until_ms = self.recorded_until();
        Ok(replay)
    }

    /// The same run played up to now three times, with the CronJob's `concurrencyPolicy` set
    /// to Allow, Forbid and Replace from the start (a merge patch before anything runs, as if
    /// it had been applied so): the "compare" view of the timelines.
    pub fn compare_concurrency_policies(
        &self,
        namespace: &str,
        cron_job: &str,
    ) -> Result<Vec<(&'static str, crate::view::Timeline)>, String> {
        let now = self.simulation.now();
        ["Allow", "Forbid", "Replace"]
            .into_iter()
            .map(|policy| {
                let mut variant = self.replay()?;
                let action = Action::Patch {
                    namespace: namespace.to_string(),
                    kind: "cronjob".to_string(),
                    name: cron_job.to_string(),
                    patch: serde_json::json!({"spec": {"concurrencyPolicy": policy}}).to_string(),
                };
                variant.simulation.perform(&action).map_err(|error| error.0)?;
                variant.advance_to(now)?;
                Ok((policy, crate::view::timeline(&variant.simulation)))
            })
            .collect()
    }

    /// When something next happens: the next event or the next scenario action.
    pub fn next_due(&self) -> Option<Millis> {
        let event = self.simulation.next_event_time();
        let action = self.pending.front().map(|pending| pending.at);
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
    /// After a rewind, a command starts a new future: the commands typed later in the old one
    /// are forgotten, and the run so far ends here.
    ///
    /// A refused command is not recorded, unless it changed the cluster before refusing (`drain`
    /// cordons, then refuses DaemonSet pods without `--ignore-daemonsets`, as kubectl does): a
    /// replay, a rewind or a share link must do the same.
    pub fn run_command(&mut self, line: &str) -> Result<(), String> {
        let action = parse_action(line, None)?;
        let refused = self.simulation.perform(&action).err().map(|error| error.0);
        if refused.is_some() && !action.acts_before_refusing() {
            return Err(refused.unwrap_or_default());
        }
        let now = self.simulation.now();
        self.pending.retain(|pending| !pending.typed);
        self.typed.retain(|(at, _)| *at <= now);
        self.recorded_until_ms = now;
        self.performed.push((now, line.trim().to_string(), refused.clone()));
        self.typed.push((now, line.trim().to_string()));
        refused.map_or(Ok(()), Err)
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
        self.pending
            .iter()
            .map(|pending| (pending.at, pending.command.as_str()))
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

    /// An editor marks each problem at its line in the loaded text, scenario files included
    /// (the manifests block's lines counted from the file's top), with the problem's words.
    #[test]
    fn load_errors_mark_their_lines_in_the_loaded_text() {
        let typo = SCENARIO.replace("    nodeName: worker-2", "    nodName: worker-2");
        let error = match Session::load_checked(&typo, 3) {
            Err(error) => error,
            Ok(_) => panic!("the typo must be refused"),
        };
        let marks = error.marks();
        assert_eq!(marks.len(), 1, "{marks:?}");
        let (pos, text) = &marks[0];
        assert_eq!(typo.lines().nth(pos.line as usize - 1), Some("    nodName: worker-2"));
        assert!(text.contains("unknown field \"spec.nodName\""), "{text}");
        assert!(
            !text.contains("line "),
            "the position is the mark's, not the text's: {text}"
        );
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

    /// A refused `drain` has cordoned the node (kubectl cordons first), so it is recorded with
    /// its refusal: a rewind replays the cordon and reaches the same state; a command refused
    /// without an effect is not recorded.
    #[test]
    fn a_refused_drain_is_recorded_because_it_cordoned() {
        let mut session = Session::load(SCENARIO, DEFAULT_NODES).expect("loads");
        session.advance_to(10 * SECOND_MS).expect("plays");
        let refusal = session
            .run_command("drain worker-2")
            .expect_err("a pod without a controller");
        assert!(
            refusal.contains("due to error: cannot delete Pods that declare no controller"),
            "one error, without brackets: {refusal}"
        );
        assert!(session.run_command("cordon nosuch").is_err());
        assert_eq!(session.typed, vec![(10 * SECOND_MS, "drain worker-2".to_string())]);
        session.advance_to(15 * SECOND_MS).expect("plays");
        let live = (session.simulation.event_log_hash(), session.simulation.snapshot());
        session.rewind_to(5 * SECOND_MS).expect("rewinds");
        assert!(!session.simulation.node("worker-2").expect("exists").spec.unschedulable);
        session.rewind_to(15 * SECOND_MS).expect("replays");
        assert!(session.simulation.node("worker-2").expect("exists").spec.unschedulable);
        assert_eq!(
            (session.simulation.event_log_hash(), session.simulation.snapshot()),
            live
        );
    }

    /// Rewinding shows the cluster exactly as it was (same event log and objects), playing on
    /// repeats the commands typed later, and a new command there starts a new future.
    #[test]
    fn rewind_shows_the_past_exactly_and_a_new_command_branches() {
        let mut session = Session::load(SCENARIO, DEFAULT_NODES).expect("loads");
        session.advance_to(10 * SECOND_MS).expect("plays");
        session.run_command("add node extra-1 disk=ssd").expect("adds");
        session.advance_to(25 * SECOND_MS).expect("plays");
        session.run_command("cordon extra-1").expect("cordons");
        // A moment's state includes what was typed at that moment.
        let at_25s = (session.simulation.event_log_hash(), session.simulation.snapshot());
        for tick in 1..=9 {
            session.advance_to(25 * SECOND_MS + tick * 4_100).expect("plays");
        }
        let at_end = (session.simulation.event_log_hash(), session.simulation.snapshot());
        let end = session.simulation.now();
        assert_eq!(session.recorded_until(), end);

        session.rewind_to(25 * SECOND_MS).expect("rewinds");
        assert_eq!(session.simulation.now(), 25 * SECOND_MS);
        assert_eq!(
            (session.simulation.event_log_hash(), session.simulation.snapshot()),
            at_25s
        );
        assert_eq!(session.recorded_until(), end);
        // The cordon typed at 25s is performed again by the rewind (it was typed at that
        // moment); the scenario's cordon at 30s is still to come.
        assert!(session.simulation.node("extra-1").expect("exists").spec.unschedulable);
        assert_eq!(
            session.upcoming().map(|(at, _)| at).collect::<Vec<_>>(),
            vec![30 * SECOND_MS]
        );

        session.rewind_to(5 * SECOND_MS).expect("rewinds");
        assert!(session.simulation.node("extra-1").is_none());
        assert_eq!(
            session.upcoming().map(|(_, command)| command).collect::<Vec<_>>(),
            vec![
                "add node extra-1 disk=ssd",
                "label node worker-2 disk=ssd",
                "cordon extra-1",
                "cordon worker-1"
            ]
        );
        // Forward again, past the end: the same run as before.
        session.rewind_to(end + 60 * SECOND_MS).expect("plays");
        assert_eq!(session.simulation.now(), end);
        assert_eq!(
            (session.simulation.event_log_hash(), session.simulation.snapshot()),
            at_end
        );

        // A new command in the past drops the old future's typed commands.
        session.rewind_to(5 * SECOND_MS).expect("rewinds");
        session.run_command("add node other-1").expect("adds");
        assert_eq!(session.recorded_until(), 5 * SECOND_MS);
        assert_eq!(session.typed, vec![(5 * SECOND_MS, "add node other-1".to_string())]);
        session.advance_to(40 * SECOND_MS).expect("plays");
        assert!(session.simulation.node("extra-1").is_none());
        assert!(session.simulation.node("other-1").is_some());
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
