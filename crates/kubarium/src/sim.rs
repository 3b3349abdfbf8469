//! The simulation: a virtual clock, a timed work queue, the object store and the event log.
//!
//! Everything happens as work items on one queue ordered by (due time, insertion sequence), so a
//! run is a pure function of its inputs and seed. Advancing time with nothing due costs nothing:
//! the clock jumps straight to the next due item.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use thiserror::Error;

use crate::api::{DaemonSet, Node, ObjectMeta, Pod};
use crate::manifest::{parse_manifests, Manifest, ManifestError, Problem};
use crate::rng::Rng;
use crate::time::Millis;
use crate::{controller, kubelet, scheduler};

/// The namespace objects land in when their manifest names none.
pub const DEFAULT_NAMESPACE: &str = "default";

/// The cluster a simulation starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterConfig {
    pub seed: u64,
    pub node_names: Vec<String>,
}

impl ClusterConfig {
    /// `count` worker nodes named `prefix-1 .. prefix-count`.
    pub fn with_nodes(prefix: &str, count: usize) -> Self {
        ClusterConfig {
            seed: 1,
            node_names: (1..=count)
                .map(|index| format!("{prefix}-{index}"))
                .collect(),
        }
    }
}

/// Namespace and name: how objects of one kind are keyed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    pub fn of(meta: &ObjectMeta) -> Self {
        ObjectKey {
            namespace: meta.namespace.clone(),
            name: meta.name.clone(),
        }
    }
}

/// A unit of work on the queue: which component looks at which object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Work {
    SyncDaemonSet(ObjectKey),
    SchedulePod(ObjectKey),
    KubeletSyncPod(ObjectKey),
}

/// A delaying, de-duplicating work queue in the manner of `k8s.io/client-go/util/workqueue`:
/// a key is queued at most once and keeps its earliest due time.
#[derive(Debug, Default)]
struct WorkQueue {
    by_due: BTreeSet<(Millis, u64, Work)>,
    due_of: BTreeMap<Work, (Millis, u64)>,
    next_sequence: u64,
}

impl WorkQueue {
    fn add_at(&mut self, work: Work, due: Millis) {
        if let Some(&(existing_due, sequence)) = self.due_of.get(&work) {
            if existing_due <= due {
                return;
            }
            self.by_due.remove(&(existing_due, sequence, work.clone()));
        }
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        self.by_due.insert((due, sequence, work.clone()));
        self.due_of.insert(work, (due, sequence));
    }

    fn next_due(&self) -> Option<Millis> {
        self.by_due.first().map(|(due, _, _)| *due)
    }

    fn pop(&mut self) -> Option<(Millis, Work)> {
        let (due, _, work) = self.by_due.pop_first()?;
        self.due_of.remove(&work);
        Some((due, work))
    }
}

/// `v1.Event` as the log keeps it: who said what about which object, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventRecord {
    pub time_ms: Millis,
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub event_type: &'static str,
    pub reason: &'static str,
    /// `kind/name` as kubectl prints it (`pod/myweb-ds-x7k2p`).
    pub object: String,
    pub namespace: String,
    pub message: String,
    /// The reporting component (`daemonset-controller`, `default-scheduler`, `kubelet`).
    pub source: &'static str,
}

impl EventRecord {
    /// One line of the canonical log, the text the determinism hash is computed over.
    pub fn to_log_line(&self) -> String {
        format!(
            "{} {} {} {}/{} {} {}",
            self.time_ms,
            self.event_type,
            self.reason,
            self.namespace,
            self.object,
            self.source,
            self.message
        )
    }
}

/// A run stopped because it reached its step limit before the target time.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("step limit of {limit} reached at simulated time {stopped_at_ms} ms before reaching {target_ms} ms (next work: {next_work})")]
pub struct StepLimitExceeded {
    pub limit: usize,
    pub stopped_at_ms: Millis,
    pub target_ms: Millis,
    pub next_work: String,
}

/// The default bound on the number of work items one `run_until` may process.
pub const DEFAULT_STEP_LIMIT: usize = 1_000_000;

/// A simulated cluster.
#[derive(Debug)]
pub struct Simulation {
    now: Millis,
    rng: Rng,
    next_uid: u64,
    resource_version: u64,
    queue: WorkQueue,
    pub(crate) nodes: BTreeMap<String, Node>,
    pub(crate) pods: BTreeMap<ObjectKey, Pod>,
    pub(crate) daemon_sets: BTreeMap<ObjectKey, DaemonSet>,
    events: Vec<EventRecord>,
}

impl Simulation {
    pub fn new(config: &ClusterConfig) -> Self {
        let mut simulation = Simulation {
            now: 0,
            rng: Rng::new(config.seed),
            next_uid: 1,
            resource_version: 0,
            queue: WorkQueue::default(),
            nodes: BTreeMap::new(),
            pods: BTreeMap::new(),
            daemon_sets: BTreeMap::new(),
            events: Vec::new(),
        };
        for name in &config.node_names {
            simulation.add_node(name);
        }
        simulation
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    pub fn events(&self) -> &[EventRecord] {
        &self.events
    }

    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.values()
    }

    pub fn pods(&self) -> impl Iterator<Item = &Pod> {
        self.pods.values()
    }

    pub fn daemon_sets(&self) -> impl Iterator<Item = &DaemonSet> {
        self.daemon_sets.values()
    }

    /// Applies every object of a multi-document manifest, or none if any document is invalid.
    pub fn apply(&mut self, text: &str) -> Result<usize, ManifestError> {
        let manifests = parse_manifests(text)?;
        let not_simulated: Vec<Problem> = manifests
            .iter()
            .filter_map(|manifest| match manifest {
                Manifest::NotSimulated { api_version, kind, name } => Some(Problem {
                    document: 0,
                    context: None,
                    path: None,
                    pos: None,
                    message: format!("{kind} \"{name}\" ({api_version}) is valid, but kubarium does not simulate {kind} yet"),
                    hint: None,
                }),
                Manifest::DaemonSet(_) => None,
            })
            .collect();
        if !not_simulated.is_empty() {
            return Err(ManifestError {
                problems: not_simulated,
            });
        }
        let count = manifests.len();
        for manifest in manifests {
            if let Manifest::DaemonSet(daemon_set) = manifest {
                self.apply_daemon_set(*daemon_set);
            }
        }
        Ok(count)
    }

    fn apply_daemon_set(&mut self, mut daemon_set: DaemonSet) {
        self.admit_metadata(&mut daemon_set.metadata);
        let key = ObjectKey::of(&daemon_set.metadata);
        if let Some(existing) = self.daemon_sets.get(&key) {
            daemon_set.metadata.uid = existing.metadata.uid.clone();
            daemon_set.metadata.creation_timestamp_ms = existing.metadata.creation_timestamp_ms;
            daemon_set.metadata.generation = existing.metadata.generation + 1;
            daemon_set.status = existing.status.clone();
        }
        self.daemon_sets.insert(key.clone(), daemon_set);
        self.queue.add_at(Work::SyncDaemonSet(key), self.now);
    }

    /// Adds a Ready node; every DaemonSet looks again, as the controller's `addNode` handler does.
    pub fn add_node(&mut self, name: &str) {
        let mut metadata = ObjectMeta {
            name: name.to_string(),
            ..ObjectMeta::default()
        };
        metadata
            .labels
            .insert("kubernetes.io/hostname".to_string(), name.to_string());
        metadata
            .labels
            .insert("kubernetes.io/os".to_string(), "linux".to_string());
        self.stamp_new_object(&mut metadata);
        self.nodes.insert(
            name.to_string(),
            Node {
                metadata,
                ready: true,
            },
        );
        self.enqueue_all_daemon_sets();
    }

    fn enqueue_all_daemon_sets(&mut self) {
        let keys: Vec<ObjectKey> = self.daemon_sets.keys().cloned().collect();
        for key in keys {
            self.queue.add_at(Work::SyncDaemonSet(key), self.now);
        }
    }

    /// Sets the defaults the API server sets on create: namespace, uid, timestamps, version.
    fn admit_metadata(&mut self, metadata: &mut ObjectMeta) {
        if metadata.namespace.is_empty() {
            metadata.namespace = DEFAULT_NAMESPACE.to_string();
        }
        if metadata.name.is_empty() && !metadata.generate_name.is_empty() {
            metadata.name = self.rng.generate_name(&metadata.generate_name);
        }
        self.stamp_new_object(metadata);
    }

    fn stamp_new_object(&mut self, metadata: &mut ObjectMeta) {
        metadata.uid = format!("00000000-0000-4000-8000-{:012x}", self.next_uid);
        self.next_uid += 1;
        self.resource_version += 1;
        metadata.resource_version = self.resource_version.to_string();
        metadata.creation_timestamp_ms = self.now;
        metadata.generation = 1;
    }

    /// Creates a pod (the API server's job) and tells the scheduler or the kubelet about it.
    pub(crate) fn create_pod(&mut self, mut pod: Pod) -> ObjectKey {
        self.admit_metadata(&mut pod.metadata);
        let key = ObjectKey::of(&pod.metadata);
        let work = if pod.spec.node_name.is_empty() {
            Work::SchedulePod(key.clone())
        } else {
            Work::KubeletSyncPod(key.clone())
        };
        self.pods.insert(key.clone(), pod);
        self.queue.add_at(work, self.now);
        key
    }

    pub(crate) fn enqueue_at(&mut self, work: Work, due: Millis) {
        self.queue.add_at(work, due);
    }

    pub(crate) fn bump_resource_version(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }

    pub(crate) fn record_event(
        &mut self,
        event_type: &'static str,
        reason: &'static str,
        object: String,
        namespace: &str,
        message: String,
        source: &'static str,
    ) {
        self.events.push(EventRecord {
            time_ms: self.now,
            event_type,
            reason,
            object,
            namespace: namespace.to_string(),
            message,
            source,
        });
    }

    /// When the next piece of work is due, if any.
    pub fn next_event_time(&self) -> Option<Millis> {
        self.queue.next_due()
    }

    /// Processes the next piece of work, moving the clock to its due time. Returns false when
    /// nothing is queued.
    pub fn step(&mut self) -> bool {
        let Some((due, work)) = self.queue.pop() else {
            return false;
        };
        self.now = self.now.max(due);
        match work {
            Work::SyncDaemonSet(key) => controller::daemonset::sync(self, &key),
            Work::SchedulePod(key) => scheduler::schedule_pod(self, &key),
            Work::KubeletSyncPod(key) => kubelet::sync_pod(self, &key),
        }
        true
    }

    /// Processes all work due up to `target_ms` and leaves the clock there, with at most
    /// `DEFAULT_STEP_LIMIT` steps. Returns the number of steps taken.
    pub fn run_until(&mut self, target_ms: Millis) -> Result<usize, StepLimitExceeded> {
        self.run_until_with_limit(target_ms, DEFAULT_STEP_LIMIT)
    }

    pub fn run_until_with_limit(
        &mut self,
        target_ms: Millis,
        limit: usize,
    ) -> Result<usize, StepLimitExceeded> {
        let mut steps = 0;
        while self.queue.next_due().is_some_and(|due| due <= target_ms) {
            if steps == limit {
                let next_work = self
                    .queue
                    .by_due
                    .first()
                    .map(|(_, _, work)| format!("{work:?}"))
                    .unwrap_or_default();
                return Err(StepLimitExceeded {
                    limit,
                    stopped_at_ms: self.now,
                    target_ms,
                    next_work,
                });
            }
            self.step();
            steps += 1;
        }
        self.now = self.now.max(target_ms);
        Ok(steps)
    }

    /// FNV-1a (64-bit) over the canonical event log: equal for equal runs, natively and in wasm.
    pub fn event_log_hash(&self) -> u64 {
        const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0100_0000_01b3;
        let mut hash = OFFSET_BASIS;
        for event in &self.events {
            for byte in event.to_log_line().bytes().chain(std::iter::once(b'\n')) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(PRIME);
            }
        }
        hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::PodPhase;
    use crate::time::SECOND_MS;

    fn myweb_cluster(seed: u64) -> Simulation {
        let mut config = ClusterConfig::with_nodes("node", 3);
        config.seed = seed;
        let mut simulation = Simulation::new(&config);
        simulation
            .apply(crate::EXAMPLE_MYWEB_DS)
            .expect("example applies");
        simulation
    }

    #[test]
    fn daemon_set_runs_one_pod_per_node() {
        let mut simulation = myweb_cluster(1);
        simulation
            .run_until(30 * SECOND_MS)
            .expect("within step limit");
        let mut nodes_with_pods: Vec<&str> = simulation
            .pods()
            .map(|pod| pod.spec.node_name.as_str())
            .collect();
        nodes_with_pods.sort();
        assert_eq!(nodes_with_pods, ["node-1", "node-2", "node-3"]);
        assert!(simulation
            .pods()
            .all(|pod| pod.status.phase == PodPhase::Running));
        assert!(simulation.pods().all(|pod| pod
            .metadata
            .controller_of()
            .is_some_and(|owner| owner.name == "myweb-ds")));
    }

    #[test]
    fn a_new_node_gets_a_daemon_pod() {
        let mut simulation = myweb_cluster(1);
        simulation
            .run_until(10 * SECOND_MS)
            .expect("within step limit");
        simulation.add_node("node-4");
        simulation
            .run_until(20 * SECOND_MS)
            .expect("within step limit");
        assert_eq!(
            simulation
                .pods()
                .filter(|pod| pod.spec.node_name == "node-4")
                .count(),
            1
        );
        assert_eq!(simulation.pods().count(), 4);
    }

    #[test]
    fn same_seed_same_event_log() {
        let mut first = myweb_cluster(42);
        let mut second = myweb_cluster(42);
        first.run_until(60 * SECOND_MS).expect("within step limit");
        second.run_until(60 * SECOND_MS).expect("within step limit");
        assert_eq!(first.events(), second.events());
        assert_eq!(first.event_log_hash(), second.event_log_hash());
        let mut other_seed = myweb_cluster(43);
        other_seed
            .run_until(60 * SECOND_MS)
            .expect("within step limit");
        assert_ne!(
            first.event_log_hash(),
            other_seed.event_log_hash(),
            "names depend on the seed"
        );
    }

    #[test]
    fn idle_time_costs_no_steps() {
        let mut simulation = myweb_cluster(1);
        let busy_steps = simulation
            .run_until(60 * SECOND_MS)
            .expect("within step limit");
        assert!(busy_steps > 0);
        let year_ms = 365 * 24 * 3_600 * SECOND_MS;
        assert_eq!(simulation.run_until(year_ms).expect("within step limit"), 0);
        assert_eq!(simulation.now(), year_ms);
    }

    #[test]
    fn step_limit_names_where_it_stopped() {
        let mut simulation = myweb_cluster(1);
        let error = simulation
            .run_until_with_limit(60 * SECOND_MS, 2)
            .unwrap_err();
        assert_eq!(error.limit, 2);
        assert_eq!(error.target_ms, 60 * SECOND_MS);
        assert!(!error.next_work.is_empty());
    }

    #[test]
    fn work_queue_keeps_earliest_due_time_per_key() {
        let mut queue = WorkQueue::default();
        let key = ObjectKey {
            namespace: "default".into(),
            name: "a".into(),
        };
        queue.add_at(Work::SchedulePod(key.clone()), 50);
        queue.add_at(Work::SchedulePod(key.clone()), 10);
        queue.add_at(Work::SchedulePod(key.clone()), 70);
        assert_eq!(queue.pop(), Some((10, Work::SchedulePod(key))));
        assert_eq!(queue.pop(), None);
    }
}
