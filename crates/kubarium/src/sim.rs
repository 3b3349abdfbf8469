//! The simulation: a virtual clock, a timed work queue, the object store and the event log.
//!
//! Everything happens as work items on one queue ordered by (due time, insertion sequence), so a
//! run is a pure function of its inputs and seed. Advancing time with nothing due costs nothing:
//! the clock jumps straight to the next due item. Periodic behaviour of real components
//! (heartbeats, monitor loops) is computed when it matters instead of ticking: a healthy node
//! costs no work items at all.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;
use thiserror::Error;

use crate::api::{CronJob, DaemonSet, Job, Namespace, Node, ObjectMeta, Pod, Taint, Toleration};
use crate::behaviour::Behaviour;
use crate::fasthash::FastMap;
use crate::kubelet::PodRuntime;
use crate::labels::Labels;
use crate::manifest::{parse_manifests_with_notices, Manifest, ManifestError, Notice, Parsed, Problem};
use crate::quantity::Quantity;
use crate::rng::Rng;
use crate::time::{Millis, SECOND_MS};
use crate::word::Word;
use crate::{controller, gc, kubelet, nodelifecycle, scheduler};

pub use crate::store::ObjectKey;
use crate::store::Store;

/// The namespace objects land in when their manifest names none.
pub const DEFAULT_NAMESPACE: &str = "default";

/// The namespace of a namespaced object from a manifest: its own, or `default` when it names
/// none (as kubectl fills it in).
/// Why a Job could not be created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CreateJobError {
    AlreadyExists,
    /// Refused by admission, with the API server's message.
    Forbidden(String),
}

fn namespace_or_default(metadata: &ObjectMeta) -> &str {
    if metadata.namespace.is_empty() {
        DEFAULT_NAMESPACE
    } else {
        &metadata.namespace
    }
}

/// The store key a manifest's namespaced object will have.
fn manifest_key(metadata: &ObjectMeta) -> ObjectKey {
    ObjectKey::new(namespace_or_default(metadata), &metadata.name)
}
/// The namespaces every cluster starts with.
pub const INITIAL_NAMESPACES: &[&str] = &["default", "kube-node-lease", "kube-public", "kube-system"];

/// A node the cluster starts with (or that an action adds).
#[derive(Debug, Clone, PartialEq)]
pub struct NodeConfig {
    pub name: String,
    pub labels: Labels,
    pub taints: Vec<Taint>,
    /// `cpu`, `memory` and `pods`; allocatable equals capacity (no system reservations).
    pub cpu: Quantity,
    pub memory: Quantity,
    pub max_pods: u32,
    /// Pods in the node's static-pod directory (`/etc/kubernetes/manifests`).
    pub static_pods: Vec<Pod>,
    /// Cordoned from the start.
    pub unschedulable: bool,
}

impl NodeConfig {
    /// A worker with the default capacity: 4 CPUs, 8Gi of memory, 110 pods.
    pub fn worker(name: &str) -> Self {
        NodeConfig {
            name: name.to_string(),
            labels: Labels::new(),
            taints: Vec::new(),
            cpu: Quantity::from_units(4),
            memory: Quantity::from_units(8 * 1024 * 1024 * 1024),
            max_pods: 110,
            static_pods: Vec::new(),
            unschedulable: false,
        }
    }
}

/// The cluster a simulation starts with.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterConfig {
    pub seed: u64,
    /// The instant simulated time 0 stands for, in seconds since the Unix epoch.
    pub start_unix_seconds: i64,
    pub nodes: Vec<NodeConfig>,
    pub behaviour: Behaviour,
    /// Scheduler names served besides `default-scheduler`.
    pub extra_schedulers: Vec<String>,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            seed: 1,
            start_unix_seconds: crate::time::DEFAULT_START_UNIX_SECONDS,
            nodes: Vec::new(),
            behaviour: Behaviour::default(),
            extra_schedulers: Vec::new(),
        }
    }
}

impl ClusterConfig {
    /// `count` worker nodes named `prefix-1 .. prefix-count`.
    pub fn with_nodes(prefix: &str, count: usize) -> Self {
        ClusterConfig {
            nodes: (1..=count)
                .map(|index| NodeConfig::worker(&format!("{prefix}-{index}")))
                .collect(),
            ..ClusterConfig::default()
        }
    }
}

/// A unit of work on the queue: which component looks at which object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Work {
    SyncDaemonSet(ObjectKey),
    SyncJob(ObjectKey),
    SyncCronJob(ObjectKey),
    SyncReplicaSet(ObjectKey),
    SyncReplicationController(ObjectKey),
    SyncDeployment(ObjectKey),
    /// The TTL-after-finished controller looks at a finished Job whose TTL may have run out.
    JobTtlExpired(ObjectKey),
    SchedulePod(ObjectKey),
    KubeletSyncPod(ObjectKey),
    /// The node lifecycle controller looks at a node whose kubelet stopped reporting.
    MonitorNode(String),
    /// The taint eviction controller deletes a pod whose toleration ran out.
    EvictPod(ObjectKey),
    /// The pod garbage collector looks at a pod bound to a node that no longer exists.
    CollectOrphanedPod(ObjectKey),
    /// The garbage collector deletes the dependents of a deleted owner.
    CollectDependents(crate::api::Uid),
    /// A node's kubelet makes sure every static pod has its mirror pod.
    SyncStaticPods(String),
    /// The Endpoints controller looks at a Service.
    SyncEndpoints(ObjectKey),
    /// The EndpointSlice controller looks at a Service.
    SyncEndpointSlices(ObjectKey),
    /// The resource quota controller recounts a ResourceQuota's usage.
    SyncResourceQuota(ObjectKey),
    /// The horizontal pod autoscaler controller looks at an HPA.
    SyncHorizontalPodAutoscaler(ObjectKey),
}

/// A delaying, de-duplicating work queue in the manner of `k8s.io/client-go/util/workqueue`:
/// a key is queued at most once and keeps its earliest due time.
///
/// A queued item is held by both indexes: for most items (object keys, uids) a copy is a
/// shared key's count going up; the few that carry a `String` (a node name to monitor, a
/// static-pod sync, a text uid) are copied, as often as the `Arc` they replaced was made.
#[derive(Debug, Default)]
struct WorkQueue {
    /// By due time, then by when it was queued (a unique sequence number, so entries never tie
    /// and the work itself is never compared), earliest on top. An item moved earlier leaves
    /// its old entry behind, stale (`due_of` no longer says its time); stale entries are dropped
    /// as they reach the top, so the top is always a queued item's current entry.
    by_due: std::collections::BinaryHeap<std::cmp::Reverse<QueueEntry>>,
    /// Only looked up, never iterated: the order comes from `by_due`. An item is kept in both
    /// (see above for what a copy costs).
    due_of: FastMap<Work, (Millis, u64)>,
    /// How many entries of `by_due` are stale (none unless items were moved earlier).
    stale: usize,
    next_sequence: u64,
}

/// An entry of the work queue's heap, ordered by due time and sequence alone.
#[derive(Debug)]
struct QueueEntry {
    due: Millis,
    sequence: u64,
    work: Work,
}

impl PartialEq for QueueEntry {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.sequence) == (other.due, other.sequence)
    }
}

impl Eq for QueueEntry {}

impl PartialOrd for QueueEntry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for QueueEntry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.due, self.sequence).cmp(&(other.due, other.sequence))
    }
}

impl WorkQueue {
    fn add_at(&mut self, work: Work, due: Millis) {
        use std::collections::hash_map::Entry;
        let sequence = self.next_sequence;
        let work = match self.due_of.entry(work) {
            Entry::Occupied(mut queued) => {
                let (existing_due, _) = *queued.get();
                if existing_due <= due {
                    return;
                }
                // Earlier than queued: the same item gets a new entry; the old one is now stale.
                queued.insert((due, sequence));
                self.stale += 1;
                queued.key().clone()
            }
            Entry::Vacant(new) => {
                let work = new.key().clone();
                new.insert((due, sequence));
                work
            }
        };
        self.next_sequence += 1;
        // The top stays a current entry: an item moved earlier gets an entry strictly earlier
        // than the one it leaves stale, so that one is never above it.
        self.by_due.push(std::cmp::Reverse(QueueEntry { due, sequence, work }));
    }

    /// Whether an entry is its item's current one.
    fn is_current(&self, entry: &QueueEntry) -> bool {
        self.due_of.get(&entry.work) == Some(&(entry.due, entry.sequence))
    }

    /// Drops stale entries from the top, so that the top is a current entry.
    fn drop_stale_top(&mut self) {
        while self.stale > 0 {
            match self.by_due.peek() {
                Some(std::cmp::Reverse(top)) if !self.is_current(top) => {
                    self.by_due.pop();
                    self.stale -= 1;
                }
                _ => return,
            }
        }
    }

    fn next_due(&self) -> Option<Millis> {
        self.by_due.peek().map(|std::cmp::Reverse(entry)| entry.due)
    }

    /// The next item, for messages.
    fn peek(&self) -> Option<&Work> {
        self.by_due.peek().map(|std::cmp::Reverse(entry)| &entry.work)
    }

    fn contains(&self, work: &Work) -> bool {
        self.due_of.contains_key(work)
    }

    fn pop(&mut self) -> Option<(Millis, Work)> {
        let std::cmp::Reverse(QueueEntry { due, work, .. }) = self.by_due.pop()?;
        self.due_of.remove(&work);
        self.drop_stale_top();
        // A hash table never gives back its room by itself: after a burst (150,000 pods
        // queued at once) it would keep its peak size for the whole run. Halving it once it is
        // an eighth full costs amortised constant time per pop.
        let capacity = self.due_of.capacity();
        if capacity > 1_024 && self.due_of.len() * 8 < capacity {
            self.due_of.shrink_to(self.due_of.len() * 2);
        }
        Some((due, work))
    }
}

/// `v1.Event` as the log keeps it: who said what about which object, and when.
///
/// The four words of small vocabularies (type, reason, namespace, source) are one interned
/// `EventWords`, read through `Deref` (`event.reason`), so a record is 48 bytes; it reads and
/// serializes exactly as the seven fields it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub time_ms: Millis,
    words: &'static EventWords,
    /// `kind/name` as kubectl prints it (`pod/myweb-ds-x7k2p`): `EventRecord::object`.
    object: Involved,
    /// `EventRecord::message`.
    message: EventMessage,
}

pub use event_log::EventWords;
use event_log::{EventMessage, Involved};

impl std::ops::Deref for EventRecord {
    type Target = EventWords;

    fn deref(&self) -> &EventWords {
        self.words
    }
}

impl Serialize for EventRecord {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut record = serializer.serialize_struct("EventRecord", 7)?;
        record.serialize_field("timeMs", &self.time_ms)?;
        record.serialize_field("type", &self.event_type)?;
        record.serialize_field("reason", &self.reason)?;
        record.serialize_field("object", &self.object())?;
        record.serialize_field("namespace", &self.namespace)?;
        record.serialize_field("message", &self.message())?;
        record.serialize_field("source", &self.source)?;
        record.end()
    }
}

impl EventRecord {
    /// An event of `words`, interned once per distinct four.
    pub(crate) fn new(time_ms: Millis, words: EventWords, object: Involved, message: EventMessage) -> EventRecord {
        EventRecord {
            time_ms,
            words: EventWords::intern(words),
            object,
            message,
        }
    }

    /// The involved object as kubectl prints it, `kind/name` (`pod/web-1`).
    pub fn object(&self) -> std::borrow::Cow<'_, str> {
        match &self.object {
            Involved::Text(shared) => std::borrow::Cow::Borrowed(shared),
            Involved::Pod(key) => std::borrow::Cow::Owned(["pod/", &key.name].concat()),
        }
    }

    /// Writes the involved object piece by piece, as `object` reads.
    pub(crate) fn write_object(&self, sink: &mut impl FnMut(&str)) {
        match &self.object {
            Involved::Text(shared) => sink(shared),
            Involved::Pod(key) => {
                sink("pod/");
                sink(&key.name);
            }
        }
    }

    /// The message.
    pub fn message(&self) -> std::borrow::Cow<'_, str> {
        match &self.message {
            EventMessage::Text(shared) => std::borrow::Cow::Borrowed(shared),
            EventMessage::AssignedTo(_) => {
                let mut text = String::new();
                self.write_message(&mut |piece| text.push_str(piece));
                std::borrow::Cow::Owned(text)
            }
        }
    }

    /// Writes the message piece by piece (no allocation; the log's hash runs this for every
    /// event).
    pub(crate) fn write_message(&self, sink: &mut impl FnMut(&str)) {
        match (&self.message, &self.object) {
            (EventMessage::Text(shared), _) => sink(shared),
            (EventMessage::AssignedTo(node), object) => {
                // The pod's name: `record_scheduled_event` always records a pod key.
                let name = match object {
                    Involved::Pod(key) => key.name.as_str(),
                    Involved::Text(text) => text.split_once('/').map_or(&**text, |(_, name)| name),
                };
                for piece in ["Successfully assigned ", &self.namespace, "/", name, " to ", node] {
                    sink(piece);
                }
            }
        }
    }

    /// One line of the canonical log, the text the determinism hash is computed over.
    pub fn to_log_line(&self) -> String {
        event_log::LogLine(self).to_string()
    }
}

/// An event's namespace: a key's `Word` as it is, any other text interned.
pub(crate) trait EventNamespace {
    fn word(self) -> Word;
}

impl EventNamespace for &Word {
    fn word(self) -> Word {
        *self
    }
}

impl EventNamespace for &str {
    fn word(self) -> Word {
        Word::new(self)
    }
}

impl EventNamespace for &String {
    fn word(self) -> Word {
        Word::new(self)
    }
}

/// An event's object or message text, written into the event log's reused buffer.
pub(crate) trait EventText {
    fn write_to(&self, out: &mut String);
}

impl<T: std::fmt::Display + ?Sized> EventText for T {
    fn write_to(&self, out: &mut String) {
        use std::fmt::Write as _;
        let _ = write!(out, "{self}");
    }
}

/// An event's text as pieces copied one after the other (`EventPieces(["Created pod: ",
/// name])`, an object `EventPieces(["job", "/", name])`), without the formatter: for the
/// objects and messages every Job and CronJob run records.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventPieces<'a, const N: usize>(pub [&'a str; N]);

impl<const N: usize> EventText for EventPieces<'_, N> {
    fn write_to(&self, out: &mut String) {
        for piece in self.0 {
            out.push_str(piece);
        }
    }
}

/// A run stopped because it reached its step limit before the target time: in all, or at one
/// simulated instant (`at_one_instant`), where only a loop between controllers gets.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "step limit of {limit} reached{} at simulated time {stopped_at_ms} ms before reaching {target_ms} ms (next work: {next_work})",
    if *at_one_instant { " without the clock moving (the controllers are in a loop)" } else { "" }
)]
pub struct StepLimitExceeded {
    pub limit: usize,
    pub stopped_at_ms: Millis,
    pub target_ms: Millis,
    pub next_work: String,
    pub at_one_instant: bool,
}

/// The default bound on the number of work items one `run_until` may process.
pub const DEFAULT_STEP_LIMIT: usize = 50_000_000;

/// The bound on the work items one run (`run_until`, a scenario's run) may process at one
/// simulated instant. The largest benchmark, 150,000 bare pods applied at once, takes 300,001
/// steps at its busiest instant. A loop between controllers (a DaemonSet pod evicted and
/// recreated at the same instant, over and over, before the eighth session's fix) ran without
/// end and grew to gigabytes; with this bound its scenario stopped after 4 s natively (91 MB).
pub const SAME_INSTANT_STEP_LIMIT: usize = 1_000_000;

/// Counts the steps taken at one simulated instant, against a bound.
pub(crate) struct StepsAtOneInstant {
    instant: Millis,
    steps: usize,
    limit: usize,
}

impl StepsAtOneInstant {
    pub(crate) fn new(limit: usize) -> StepsAtOneInstant {
        StepsAtOneInstant {
            instant: Millis::MAX,
            steps: 0,
            limit,
        }
    }

    /// Counts a step about to be taken with the clock at `now`; true once the steps at that
    /// instant reach the limit.
    pub(crate) fn over(&mut self, now: Millis) -> bool {
        if now != self.instant {
            self.instant = now;
            self.steps = 0;
        }
        self.steps += 1;
        self.steps > self.limit
    }
}

/// What an apply did: how many objects it applied, and the fields it accepted without
/// simulating them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub objects: usize,
    pub notices: Vec<Notice>,
}

/// What deleting an owner does to its dependents (`kubectl delete --cascade`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cascade {
    /// The owner goes at once; the garbage collector deletes the dependents after it.
    #[default]
    Background,
    /// The dependents stay, with the owner reference removed.
    Orphan,
}

/// An action on the cluster that failed, in kubectl's words.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct ActionError(pub String);

/// A node's kubelet, as the rest of the cluster sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct KubeletState {
    /// Whether the kubelet is running and reporting. A failed machine's kubelet is not.
    pub alive: bool,
    /// When the kubelet registered (its heartbeats are every 10 s from then on).
    pub registered_ms: Millis,
    /// When it stopped reporting, while it is down.
    pub stopped_ms: Option<Millis>,
    /// Images already on the node.
    pub images: BTreeSet<String>,
    pub static_pods: Vec<Pod>,
    /// The node's internal IP, which its pods report as `hostIP` (set once, with the node).
    pub host_ip: Word,
    /// The node's pod subnet (`spec.podCIDR`, `10.244.N.0/24` for N = this) and how many pod
    /// IPs it has handed out.
    pub pod_subnet: u32,
    pub pod_ips_given: u32,
}

/// A simulated cluster.
#[derive(Debug)]
pub struct Simulation {
    now: Millis,
    start_unix_seconds: i64,
    pub(crate) rng: Rng,
    next_uid: u64,
    resource_version: u64,
    queue: WorkQueue,
    pub(crate) store: Store,
    pub(crate) behaviour: Behaviour,
    pub(crate) schedulers: BTreeSet<String>,
    /// By node name; only looked up (each kubelet's pods are found through the store).
    pub(crate) kubelets: FastMap<Word, KubeletState>,
    pub(crate) runtimes: FastMap<ObjectKey, PodRuntime>,
    /// Pods the scheduler could not place: attempts so far and when the last one was.
    pub(crate) unschedulable: BTreeMap<ObjectKey, (u32, Millis)>,
    /// The scheduler's round-robin start (`nextStartNodeIndex`).
    pub(crate) next_start_node_index: usize,
    /// Per node and pod: why the scheduler last rejected the pod there.
    pub(crate) filter_results: BTreeMap<ObjectKey, BTreeMap<String, String>>,
    /// The status of static pods whose mirror was deleted, until the kubelet recreates it.
    pub(crate) mirror_status: BTreeMap<ObjectKey, (crate::api::PodStatus, PodRuntime)>,
    /// Runs per owner and container, for `fail_first` behaviour.
    behaviour_attempts: BTreeMap<String, u32>,
    /// Failed syncs in a row per work item, for the controllers' rate-limited retries.
    pub(crate) retry_failures: BTreeMap<Work, u32>,
    /// The next pod subnet never given to a node, and those freed by deleted nodes (the range
    /// allocator gives the lowest free one).
    next_pod_subnet: u32,
    free_pod_subnets: BTreeSet<u32>,
    /// The scheduler's snapshot of the nodes, in name order, each with its usage slot; rebuilt
    /// after any node changes.
    node_snapshot: Option<std::sync::Arc<Vec<scheduler::SnapshotNode>>>,
    /// The scheduler's per-node fit and scores, recomputed as node usage changes.
    pub(crate) scheduler_cache: scheduler::NodeCache,
    events: event_log::EventLog,
    /// Where `record_event` writes an event's object and message before interning them.
    event_scratch: String,
    /// Job pods' lives, for the timelines (an observer; nothing reads it back).
    pub(crate) history: crate::history::History,
    /// The HPA controller's memory and the simulated CPU loads it reads.
    pub(crate) autoscaling: controller::podautoscaler::State,
    /// The CronJob controller's parsed schedules.
    pub(crate) cron_schedules: controller::cronjob::Schedules,
}

impl Simulation {
    pub fn new(config: &ClusterConfig) -> Self {
        let mut schedulers: BTreeSet<String> = config.extra_schedulers.iter().cloned().collect();
        schedulers.insert("default-scheduler".to_string());
        let mut simulation = Simulation {
            now: 0,
            start_unix_seconds: config.start_unix_seconds,
            rng: Rng::new(config.seed),
            next_uid: 1,
            resource_version: 0,
            queue: WorkQueue::default(),
            store: Store::default(),
            behaviour: config.behaviour.clone(),
            schedulers,
            kubelets: FastMap::default(),
            runtimes: FastMap::default(),
            unschedulable: BTreeMap::new(),
            next_start_node_index: 0,
            filter_results: BTreeMap::new(),
            retry_failures: BTreeMap::new(),
            mirror_status: BTreeMap::new(),
            behaviour_attempts: BTreeMap::new(),
            next_pod_subnet: 0,
            free_pod_subnets: BTreeSet::new(),
            node_snapshot: None,
            scheduler_cache: Default::default(),
            events: event_log::EventLog::default(),
            event_scratch: String::new(),
            history: Default::default(),
            autoscaling: Default::default(),
            cron_schedules: Default::default(),
        };
        for name in INITIAL_NAMESPACES {
            let mut metadata = ObjectMeta {
                name: name.to_string(),
                ..ObjectMeta::default()
            };
            simulation.stamp_new_object(&mut metadata);
            simulation.store.namespaces.insert(
                name.to_string(),
                Namespace {
                    metadata,
                    phase: "Active".to_string(),
                },
            );
        }
        crate::services::bootstrap(&mut simulation);
        for node in &config.nodes {
            simulation.add_node(node.clone());
        }
        simulation
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    /// The Unix time (seconds) simulated time 0 stands for.
    pub fn start_unix_seconds(&self) -> i64 {
        self.start_unix_seconds
    }

    /// Job pods' lives so far, for the timelines.
    pub fn history(&self) -> &crate::history::History {
        &self.history
    }

    /// The events the API server still stores: those of the last hour (`--event-ttl`), oldest
    /// first. `event_trace` has all of them, when kept.
    pub fn events(&self) -> &[EventRecord] {
        self.events.stored(self.now)
    }

    /// Every event since the start, if `keep_event_trace` was called before the first hour
    /// passed (golden traces and scenario checks use it).
    pub fn event_trace(&self) -> Option<&[EventRecord]> {
        self.events.trace()
    }

    /// Keeps every event from now on, for `event_trace`; events are otherwise dropped an hour
    /// after they were recorded.
    pub fn keep_event_trace(&mut self) {
        self.events.keep_trace();
    }

    /// How many events were recorded since the start, expired ones included.
    pub fn events_recorded(&self) -> usize {
        self.events.recorded()
    }

    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.store.nodes.values()
    }

    pub fn node(&self, name: &str) -> Option<&Node> {
        self.store.nodes.get(name)
    }

    pub fn pods(&self) -> impl Iterator<Item = &Pod> {
        self.store.pods()
    }

    pub fn pod(&self, namespace: &str, name: &str) -> Option<&Pod> {
        self.store.pod(&ObjectKey::new(namespace, name))
    }

    pub fn daemon_sets(&self) -> impl Iterator<Item = &DaemonSet> {
        self.store.daemon_sets.values()
    }

    pub fn controller_revisions(&self) -> impl Iterator<Item = &crate::api::ControllerRevision> {
        self.store.controller_revisions.values()
    }

    pub fn jobs(&self) -> impl Iterator<Item = &Job> {
        self.store.jobs.values()
    }

    pub fn cron_jobs(&self) -> impl Iterator<Item = &CronJob> {
        self.store.cron_jobs.values()
    }

    pub fn cron_job(&self, namespace: &str, name: &str) -> Option<&CronJob> {
        crate::store::KeyRef(namespace, name).get(&self.store.cron_jobs)
    }

    pub fn daemon_set(&self, namespace: &str, name: &str) -> Option<&DaemonSet> {
        crate::store::KeyRef(namespace, name).get(&self.store.daemon_sets)
    }

    pub fn job(&self, namespace: &str, name: &str) -> Option<&Job> {
        crate::store::KeyRef(namespace, name).get(&self.store.jobs)
    }

    pub fn namespaces(&self) -> impl Iterator<Item = &Namespace> {
        self.store.namespaces.values()
    }

    /// The scheduler's snapshot of the nodes (like `nodeInfoSnapshot`), shared until a node
    /// changes.
    pub(crate) fn node_snapshot(&mut self) -> std::sync::Arc<Vec<scheduler::SnapshotNode>> {
        if let Some(snapshot) = &self.node_snapshot {
            return snapshot.clone();
        }
        let names: Vec<String> = self.store.nodes.keys().cloned().collect();
        let snapshot: Vec<scheduler::SnapshotNode> = names
            .iter()
            .map(|name| scheduler::SnapshotNode::new(self.store.nodes[name].clone(), self.store.usage_slot(name)))
            .collect();
        let snapshot = std::sync::Arc::new(snapshot);
        self.node_snapshot = Some(snapshot.clone());
        snapshot
    }

    /// Why the scheduler last rejected a pending pod on each node (node name to reason).
    pub fn filter_results(&self, namespace: &str, name: &str) -> Option<&BTreeMap<String, String>> {
        self.filter_results.get(&ObjectKey::new(namespace, name))
    }

    /// Applies every object of a multi-document manifest, or none if any is invalid, as
    /// `kubectl apply` does: an object that exists gets the three-way merge of its spec
    /// (`apply.rs`), and the manifest is recorded in the last-applied annotation.
    pub fn apply(&mut self, text: &str) -> Result<Applied, ManifestError> {
        let parsed = crate::manifest::parse_manifests_for_apply(text, &|kind, namespace, name| {
            self.live_for_apply(kind, namespace, name)
        })?;
        self.apply_parsed(parsed)
    }

    /// Writes whole objects through the API server's create and update path, with no merge
    /// and no last-applied record: kubarium's own commands (`patch`, `autoscale`), which
    /// build the whole object from the live one, as kubectl's do.
    pub(crate) fn update_objects(&mut self, text: &str) -> Result<Applied, ManifestError> {
        let parsed = parse_manifests_with_notices(text)?;
        self.apply_parsed(parsed)
    }

    fn apply_parsed(&mut self, parsed: Parsed) -> Result<Applied, ManifestError> {
        let Parsed {
            manifests,
            notices,
            origins,
        } = parsed;
        let mut problems = Vec::new();
        let mut service_dry_run = crate::services::DryRun::of(self);
        let mut admission_dry_run = crate::admission::DryRun::of(self);
        // The Namespaces of this apply, from the documents before the one being checked.
        let mut earlier_namespaces: BTreeSet<String> = BTreeSet::new();
        for (manifest, (document, pos)) in manifests.iter().zip(origins) {
            // Refused by the API server after decoding: the problem points at its object.
            let problem = |message: String| Problem {
                document,
                context: None,
                path: None,
                pos: Some(pos),
                message,
                hint: None,
            };
            // The ResourceQuota plugin for what the batch creates, other than pods.
            if let Some(request) = crate::admission::objects::manifest_request(self, manifest) {
                if self.store.namespaces.contains_key(&request.namespace) {
                    if let Err(message) = admission_dry_run.admit_object(&request) {
                        problems.push(problem(message));
                        continue;
                    }
                }
            }
            match manifest {
                Manifest::NotSimulated {
                    api_version,
                    kind,
                    name,
                } => problems.push(problem(format!(
                    "{kind} \"{name}\" ({api_version}) is valid, but kubarium does not simulate {kind} yet"
                ))),
                Manifest::Pod(pod) => {
                    if let Err(error) = self.check_namespace(&pod.metadata, &earlier_namespaces) {
                        problems.push(problem(error.0));
                    } else if self.store.pod(&manifest_key(&pod.metadata)).is_none() {
                        if let Err(message) = admission_dry_run.admit(self, pod) {
                            problems.push(problem(message));
                        }
                    }
                }
                Manifest::ResourceQuota(quota) => match self
                    .check_namespace(&quota.metadata, &earlier_namespaces)
                    .map_err(|error| error.0)
                    .and_then(|()| crate::admission::quota::check_scopes_simulated(quota))
                {
                    Err(message) => problems.push(problem(message)),
                    Ok(()) => admission_dry_run.add_quota(self, manifest_key(&quota.metadata), quota),
                },
                Manifest::LimitRange(limit_range) => {
                    match self.check_namespace(&limit_range.metadata, &earlier_namespaces) {
                        Err(error) => problems.push(problem(error.0)),
                        Ok(()) => admission_dry_run.add_limit_range(manifest_key(&limit_range.metadata), limit_range),
                    }
                }
                Manifest::DaemonSet(daemon_set) => {
                    if let Err(error) = self.check_namespace(&daemon_set.metadata, &earlier_namespaces) {
                        problems.push(problem(error.0));
                    } else if let Err(error) = self.check_daemon_set_update(daemon_set) {
                        problems.push(problem(error.0));
                    }
                }
                Manifest::Job(job) => {
                    if let Err(error) = self.check_namespace(&job.metadata, &earlier_namespaces) {
                        problems.push(problem(error.0));
                    } else if let Err(error) = self.check_job_update(job) {
                        problems.push(problem(error.0));
                    }
                }
                Manifest::CronJob(cron_job) => {
                    if let Err(error) = self.check_namespace(&cron_job.metadata, &earlier_namespaces) {
                        problems.push(problem(error.0));
                    }
                }
                Manifest::Service(service) => {
                    let key = manifest_key(&service.metadata);
                    if let Err(error) = self.check_namespace(&service.metadata, &earlier_namespaces) {
                        problems.push(problem(error.0));
                    } else if let Err(message) = service_dry_run.check(self, &key, service) {
                        problems.push(problem(message));
                    }
                }
                Manifest::ReplicaSet(replica_set) => {
                    if let Err(error) = self
                        .check_namespace(&replica_set.metadata, &earlier_namespaces)
                        .and_then(|()| self.check_replica_set_update(replica_set))
                    {
                        problems.push(problem(error.0));
                    }
                }
                Manifest::ReplicationController(controller) => {
                    if let Err(error) = self.check_namespace(&controller.metadata, &earlier_namespaces) {
                        problems.push(problem(error.0));
                    }
                }
                Manifest::Deployment(deployment) => {
                    if let Err(error) = self
                        .check_namespace(&deployment.metadata, &earlier_namespaces)
                        .and_then(|()| self.check_deployment_update(deployment))
                    {
                        problems.push(problem(error.0));
                    }
                }
                Manifest::HorizontalPodAutoscaler(hpa) => {
                    if let Err(error) = self.check_namespace(&hpa.metadata, &earlier_namespaces) {
                        problems.push(problem(error.0));
                    } else if let Err(message) = controller::podautoscaler::check_simulated(hpa) {
                        problems.push(problem(message));
                    }
                }
                Manifest::Namespace(namespace) => {
                    earlier_namespaces.insert(namespace.metadata.name.clone());
                }
                Manifest::Node(_) => {}
            }
        }
        if !problems.is_empty() {
            return Err(ManifestError { problems });
        }
        let count = manifests.len();
        for manifest in manifests {
            if let Some(request) = crate::admission::objects::manifest_request(self, &manifest) {
                // Admitted while the batch was checked, so admitted again here.
                let admitted = self.admit_object(&request);
                debug_assert!(admitted.is_ok(), "{admitted:?}");
            }
            match manifest {
                Manifest::DaemonSet(daemon_set) => self.apply_daemon_set(*daemon_set),
                Manifest::Job(job) => self.apply_job(*job),
                Manifest::CronJob(cron_job) => self.apply_cron_job(*cron_job),
                Manifest::ReplicaSet(replica_set) => self.apply_replica_set(*replica_set),
                Manifest::ReplicationController(controller) => self.apply_replication_controller(*controller),
                Manifest::Deployment(deployment) => self.apply_deployment(*deployment),
                Manifest::HorizontalPodAutoscaler(hpa) => self.apply_horizontal_pod_autoscaler(*hpa),
                Manifest::Pod(pod) => {
                    // `kubectl apply` of an existing pod may only change a few fields; the
                    // playground replaces nothing and keeps the running pod.
                    if self.store.pod(&manifest_key(&pod.metadata)).is_none() {
                        // Admitted while the batch was checked, so admitted again here.
                        let created = self.try_create_pod(*pod);
                        debug_assert!(created.is_ok(), "{created:?}");
                    }
                }
                Manifest::Namespace(namespace) => self.apply_namespace(*namespace),
                Manifest::Node(node) => self.apply_node(*node),
                Manifest::ResourceQuota(quota) => controller::resourcequota::apply_quota(self, *quota),
                Manifest::LimitRange(limit_range) => controller::resourcequota::apply_limit_range(self, *limit_range),
                Manifest::Service(service) => {
                    let key = manifest_key(&service.metadata);
                    crate::services::apply(self, key, *service);
                }
                Manifest::NotSimulated { .. } => {}
            }
        }
        Ok(Applied {
            objects: count,
            notices,
        })
    }

    /// The `NamespaceLifecycle` admission plugin: the namespace must exist.
    /// The object's namespace must exist, or come earlier in the same apply (`kubectl apply -f`
    /// creates the documents in order: a Namespace, then what goes in it).
    fn check_namespace(&self, metadata: &ObjectMeta, earlier: &BTreeSet<String>) -> Result<(), ActionError> {
        let namespace = namespace_or_default(metadata);
        if self.store.namespaces.contains_key(namespace) || earlier.contains(namespace) {
            Ok(())
        } else {
            Err(ActionError(format!("namespaces \"{namespace}\" not found")))
        }
    }

    fn apply_namespace(&mut self, mut namespace: Namespace) {
        if self.store.namespaces.contains_key(&namespace.metadata.name) {
            return;
        }
        namespace.metadata.namespace = crate::api::Word::EMPTY;
        self.stamp_new_object(&mut namespace.metadata);
        namespace.phase = "Active".to_string();
        self.store.namespaces.insert(namespace.metadata.name.clone(), namespace);
    }

    /// Applying a Node: a new name joins a machine with a kubelet, with the manifest's labels,
    /// taints and capacity; an existing node takes the manifest's labels, taints and
    /// `unschedulable`, as `kubectl apply` would set them.
    fn apply_node(&mut self, node: Node) {
        let name = node.metadata.name.clone();
        if self.store.nodes.contains_key(&name) {
            if let Some(existing) = self.store.nodes.get_mut(&name) {
                for (key, value) in &node.metadata.labels {
                    existing.metadata.labels.insert(key.clone(), value.clone());
                }
                existing.spec.taints = node.spec.taints.clone();
                existing.spec.unschedulable = node.spec.unschedulable;
            }
            nodelifecycle::schedule_taint_evictions(self, &name);
            self.on_node_changed();
            return;
        }
        let mut config = NodeConfig::worker(&name);
        config.labels = node.metadata.labels.clone();
        config.taints = node.spec.taints.clone();
        let capacity = &node.status.capacity;
        if let Some(cpu) = capacity.get("cpu") {
            config.cpu = *cpu;
        }
        if let Some(memory) = capacity.get("memory") {
            config.memory = *memory;
        }
        if let Some(pods) = capacity.get("pods") {
            config.max_pods = u32::try_from(pods.value()).unwrap_or(u32::MAX);
        }
        self.add_node(config);
        if node.spec.unschedulable {
            let _ = self.set_unschedulable(&name, true);
        }
    }

    /// Creates or updates a DaemonSet as the API server's strategy does
    /// (`pkg/registry/apps/daemonset/strategy.go` `PrepareForCreate`, `PrepareForUpdate`): a
    /// new one starts at generation 1 and template generation 1; an update with a changed pod
    /// template bumps both, any other spec change bumps the generation only. The status of the
    /// request is ignored.
    pub(crate) fn apply_daemon_set(&mut self, mut daemon_set: DaemonSet) {
        let key = manifest_key(&daemon_set.metadata);
        let resource_version = if self.store.daemon_sets.contains_key(&key) {
            self.bump_resource_version()
        } else {
            crate::api::ResourceVersion::default()
        };
        if let Some(existing) = self.store.daemon_sets.get(&key) {
            let template_generation = existing.template_generation().unwrap_or(1);
            let mut generation = existing.metadata.generation;
            let template_changed = existing.template_json != daemon_set.template_json;
            if template_changed || existing.spec != daemon_set.spec {
                generation += 1;
            }
            let template_generation = template_generation + i64::from(template_changed);
            daemon_set.metadata.uid = existing.metadata.uid.clone();
            daemon_set.metadata.namespace = existing.metadata.namespace;
            daemon_set.metadata.creation_timestamp_ms = existing.metadata.creation_timestamp_ms;
            daemon_set.metadata.generation = generation;
            daemon_set.metadata.resource_version = resource_version;
            daemon_set.metadata.annotations.insert(
                crate::api::TEMPLATE_GENERATION_ANNOTATION.to_string(),
                template_generation.to_string(),
            );
            daemon_set.status = existing.status.clone();
        } else {
            self.admit_metadata(&mut daemon_set.metadata);
            daemon_set
                .metadata
                .annotations
                .insert(crate::api::TEMPLATE_GENERATION_ANNOTATION.to_string(), "1".to_string());
            daemon_set.status = Default::default();
        }
        self.store.daemon_sets.insert(key.clone(), daemon_set);
        self.enqueue_now(Work::SyncDaemonSet(key));
    }

    /// The API server's update validation of a DaemonSet (`ValidateDaemonSetUpdate` in
    /// `pkg/apis/apps/validation/validation.go`): the selector is immutable.
    fn check_daemon_set_update(&self, daemon_set: &DaemonSet) -> Result<(), ActionError> {
        let Some(existing) = self.store.daemon_sets.get(&manifest_key(&daemon_set.metadata)) else {
            return Ok(());
        };
        if existing.spec.selector != daemon_set.spec.selector {
            return Err(ActionError(format!(
                "The DaemonSet \"{}\" is invalid: spec.selector: Invalid value: ...: field is immutable",
                daemon_set.metadata.name
            )));
        }
        Ok(())
    }

    /// The API server's update validation of a Job (`ValidateJobUpdate` in
    /// `pkg/apis/batch/validation/validation.go`): the pod template, `completions` and
    /// `completionMode` of an existing Job are immutable; `parallelism`, `suspend`,
    /// `activeDeadlineSeconds`, `backoffLimit` and `ttlSecondsAfterFinished` may change.
    fn check_job_update(&self, job: &Job) -> Result<(), ActionError> {
        let Some(existing) = self.store.jobs.get(&manifest_key(&job.metadata)) else {
            return Ok(());
        };
        let invalid = |field: &str| {
            Err(ActionError(format!(
                "The Job \"{}\" is invalid: {field}: Invalid value: ...: field is immutable",
                job.metadata.name
            )))
        };
        if existing.spec.template.spec != job.spec.template.spec {
            return invalid("spec.template");
        }
        if existing.spec.completions != job.spec.completions {
            return invalid("spec.completions");
        }
        if existing.spec.completion_mode != job.spec.completion_mode {
            return invalid("spec.completionMode");
        }
        // `ValidateJobSpecUpdate` (`pkg/apis/batch/validation/validation.go`).
        if existing.spec.pod_failure_policy != job.spec.pod_failure_policy {
            return invalid("spec.podFailurePolicy");
        }
        if existing.spec.backoff_limit_per_index != job.spec.backoff_limit_per_index {
            return invalid("spec.backoffLimitPerIndex");
        }
        if existing.spec.success_policy != job.spec.success_policy {
            return invalid("spec.successPolicy");
        }
        Ok(())
    }

    /// Creates or updates a Job. A new Job gets the selector the API server generates
    /// (`generateSelector` in `pkg/registry/batch/job/strategy.go`): its uid as
    /// `batch.kubernetes.io/controller-uid`, with the Job's name, on the template's labels.
    fn apply_job(&mut self, mut job: Job) {
        let key = manifest_key(&job.metadata);
        let resource_version = self.bump_resource_version();
        if let Some(existing) = self.store.jobs.get_mut(&key) {
            existing.spec.parallelism = job.spec.parallelism;
            existing.spec.suspend = job.spec.suspend;
            existing.spec.active_deadline_seconds = job.spec.active_deadline_seconds;
            existing.spec.ttl_seconds_after_finished = job.spec.ttl_seconds_after_finished;
            existing.spec.backoff_limit = job.spec.backoff_limit;
            existing.spec.max_failed_indexes = job.spec.max_failed_indexes;
            existing.spec.pod_replacement_policy = job.spec.pod_replacement_policy;
            existing.metadata.generation += 1;
            existing.metadata.resource_version = resource_version;
            // The TTL controller looks again at every update of a finished Job.
            if let Some(expiry) = existing.ttl_expiry() {
                self.enqueue_at(Work::JobTtlExpired(key.clone()), expiry.max(self.now));
            }
            self.enqueue_now(Work::SyncJob(key));
            return;
        }
        self.admit_metadata(&mut job.metadata);
        // The API server ignores the status of an object being created (`PrepareForCreate`).
        job.status = Default::default();
        if job.spec.manual_selector != Some(true) {
            let uid = job.metadata.uid.to_text();
            let name = job.metadata.name.clone();
            let labels = &mut std::sync::Arc::make_mut(&mut job.spec.template).metadata.labels;
            for (label, value) in [
                (controller::job::LABEL_CONTROLLER_UID, &uid),
                (controller::job::LABEL_JOB_NAME, &name),
                (controller::job::LEGACY_LABEL_CONTROLLER_UID, &uid),
                (controller::job::LEGACY_LABEL_JOB_NAME, &name),
            ] {
                labels.insert(label.to_string(), value.clone());
            }
            let mut selector = crate::labels::LabelSelector::default();
            selector
                .match_labels
                .insert(controller::job::LABEL_CONTROLLER_UID.to_string(), uid);
            job.spec.selector = Some(selector);
        }
        self.store.jobs.insert(key.clone(), job);
        self.enqueue_now(Work::SyncJob(key));
    }

    /// Creates a Job for a controller (the CronJob controller's `CreateJob`) or kubectl: a
    /// Job of that name may not exist (`AlreadyExists`), and the quota must admit it.
    pub(crate) fn create_job(&mut self, job: Job) -> Result<(), CreateJobError> {
        if self.store.jobs.contains_key(&ObjectKey::of(&job.metadata)) {
            return Err(CreateJobError::AlreadyExists);
        }
        self.admit_count("Job", &job.metadata.namespace, &job.metadata.name)
            .map_err(CreateJobError::Forbidden)?;
        self.apply_job(job);
        Ok(())
    }

    /// Creates or updates a CronJob; an update keeps its status and looks again at once.
    fn apply_cron_job(&mut self, mut cron_job: CronJob) {
        let key = manifest_key(&cron_job.metadata);
        let mut schedule_changed = false;
        if let Some(existing) = self.store.cron_jobs.get(&key) {
            schedule_changed =
                existing.spec.schedule != cron_job.spec.schedule || existing.spec.time_zone != cron_job.spec.time_zone;
            cron_job.metadata.namespace = key.namespace;
            cron_job.metadata.uid = existing.metadata.uid.clone();
            cron_job.metadata.creation_timestamp_ms = existing.metadata.creation_timestamp_ms;
            cron_job.metadata.generation = existing.metadata.generation + 1;
            cron_job.status = existing.status.clone();
            cron_job.metadata.resource_version = self.bump_resource_version();
        } else {
            self.admit_metadata(&mut cron_job.metadata);
            cron_job.status = Default::default();
        }
        self.store.cron_jobs.insert(key.clone(), cron_job);
        // `updateCronJob`: a new schedule is first looked at when its next time comes.
        let delay = if schedule_changed {
            crate::controller::cronjob::delay_after_schedule_change(self, &key)
        } else {
            0
        };
        self.enqueue_at(Work::SyncCronJob(key), self.now + delay);
    }

    /// Deletes a Job; with the background cascade the garbage collector then deletes its pods.
    pub fn delete_job(&mut self, namespace: &str, name: &str, cascade: Cascade) -> Result<(), ActionError> {
        let Some((key, job)) = crate::store::KeyRef(namespace, name).remove_from(&mut self.store.jobs) else {
            return Err(ActionError(format!("jobs.batch \"{name}\" not found")));
        };
        // The quota monitor's delete handler: the namespace's quotas are recounted.
        crate::controller::resourcequota::replenish(self, &key.namespace);
        if job.status.is_finished() {
            self.history.record_job_deleted(&key, self.now);
        }
        if let Some(owner) = job.metadata.controller_of() {
            self.enqueue_controller(key.namespace, owner);
        }
        match cascade {
            Cascade::Background => self.enqueue_now(Work::CollectDependents(job.metadata.uid)),
            Cascade::Orphan => gc::orphan_dependents(self, &job.metadata.uid),
        }
        Ok(())
    }

    /// Deletes a CronJob; with the background cascade the garbage collector then deletes its
    /// Jobs, and their pods after them.
    pub fn delete_cron_job(&mut self, namespace: &str, name: &str, cascade: Cascade) -> Result<(), ActionError> {
        let key = ObjectKey::new(namespace, name);
        let Some(cron_job) = self.store.cron_jobs.remove(&key) else {
            return Err(ActionError(format!("cronjobs.batch \"{name}\" not found")));
        };
        // The quota monitor's delete handler: the namespace's quotas are recounted.
        crate::controller::resourcequota::replenish(self, &key.namespace);
        match cascade {
            Cascade::Background => self.enqueue_now(Work::CollectDependents(cron_job.metadata.uid)),
            Cascade::Orphan => gc::orphan_dependents(self, &cron_job.metadata.uid),
        }
        Ok(())
    }

    /// Adds a Ready node and starts its kubelet (which starts the node's static pods).
    pub fn add_node(&mut self, config: NodeConfig) {
        let mut metadata = ObjectMeta {
            name: config.name.clone(),
            labels: config.labels.clone(),
            ..ObjectMeta::default()
        };
        metadata
            .labels
            .insert("kubernetes.io/hostname".to_string(), config.name.clone());
        metadata
            .labels
            .insert("kubernetes.io/os".to_string(), "linux".to_string());
        metadata
            .labels
            .insert("kubernetes.io/arch".to_string(), "amd64".to_string());
        self.stamp_new_object(&mut metadata);
        let mut node = Node {
            metadata,
            ..Node::default()
        };
        node.spec.taints = config.taints.clone();
        // Taints carry the time they were added; eviction timers count from it.
        for taint in &mut node.spec.taints {
            taint.time_added_ms.get_or_insert(self.now);
        }
        let capacity = [
            ("cpu".to_string(), config.cpu),
            ("memory".to_string(), config.memory),
            ("pods".to_string(), Quantity::from_units(i64::from(config.max_pods))),
        ];
        node.status.capacity = capacity.iter().cloned().collect();
        node.status.allocatable = node.status.capacity.clone();
        node.status.internal_ip = format!(
            "192.168.{}.{}",
            1 + self.store.nodes.len() / 250,
            10 + self.store.nodes.len() % 250
        );
        crate::api::set_condition(
            &mut node.status.conditions,
            self.now,
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status",
        );
        // The node IPAM controller's range allocator: a /24 of the cluster's 10.244.0.0/16 per
        // node (kubeadm's `--pod-network-cidr` for flannel), the lowest free one.
        let pod_subnet = self.free_pod_subnets.pop_first().unwrap_or_else(|| {
            self.next_pod_subnet += 1;
            self.next_pod_subnet - 1
        });
        node.spec.pod_cidr = format!("{}.0/24", pod_subnet_prefix(pod_subnet));
        let name = config.name.clone();
        let host_ip = Word::new(&node.status.internal_ip);
        self.store.nodes.insert(name.clone(), node);
        self.kubelets.insert(
            Word::new(&name),
            KubeletState {
                alive: true,
                registered_ms: self.now,
                stopped_ms: None,
                images: BTreeSet::new(),
                static_pods: config.static_pods.clone(),
                host_ip,
                pod_subnet,
                pod_ips_given: 0,
            },
        );
        self.record_event(
            "Normal",
            "RegisteredNode",
            format!("node/{name}"),
            "",
            format!("Node {name} event: Registered Node {name} in Controller"),
            "node-controller",
        );
        kubelet::start_static_pods(self, &name);
        if config.unschedulable {
            let _ = self.set_unschedulable(&name, true);
        }
        self.on_node_changed();
    }

    /// Cluster changes that can make a pod fit or a daemon pod due: every DaemonSet looks again
    /// and unschedulable pods go back to the scheduler's active queue.
    pub(crate) fn on_node_changed(&mut self) {
        self.node_snapshot = None;
        let keys: Vec<ObjectKey> = self.store.daemon_sets.keys().cloned().collect();
        for key in keys {
            self.enqueue_now(Work::SyncDaemonSet(key));
        }
        scheduler::requeue_unschedulable(self);
    }

    /// Sets the defaults the API server sets on create: namespace, name from generateName, uid,
    /// timestamps, resource version.
    pub(crate) fn admit_metadata(&mut self, metadata: &mut ObjectMeta) {
        if metadata.namespace.is_empty() {
            metadata.namespace = crate::api::Word::from_static(DEFAULT_NAMESPACE);
        }
        if metadata.name.is_empty() && !metadata.generate_name.is_empty() {
            metadata.name = self.rng.generate_name(&metadata.generate_name);
        }
        self.stamp_new_object(metadata);
    }

    fn stamp_new_object(&mut self, metadata: &mut ObjectMeta) {
        metadata.uid = uid_of(self.next_uid);
        self.next_uid += 1;
        metadata.resource_version = self.bump_resource_version();
        metadata.creation_timestamp_ms = self.now;
        metadata.generation = 1;
    }

    /// Creates a pod (the API server's job, with the `DefaultTolerationSeconds` admission
    /// plugin) and tells the scheduler or the kubelet about it.
    pub fn create_pod(&mut self, mut pod: Pod) -> ObjectKey {
        self.admit_metadata(&mut pod.metadata);
        // A generated name that is taken is generated again, as the API server retries
        // (`RetryGenerateName`). The key is made once per name tried, and stored with the pod.
        let mut key = ObjectKey::of(&pod.metadata);
        while !pod.metadata.generate_name.is_empty() && self.store.pod(&key).is_some() {
            pod.metadata.name = self.rng.generate_name(&pod.metadata.generate_name);
            key = ObjectKey::of(&pod.metadata);
        }
        add_default_toleration_seconds(&mut pod.spec.tolerations);
        pod.status = Default::default();
        // A running pod has five conditions; room for exactly those.
        pod.status.conditions.reserve_exact(5);
        // A pod created with `nodeName` is bound already; its kubelet reports it scheduled
        // (`generateAPIPodStatus`) once it admits it.
        let bound = !pod.spec.node_name.is_empty();
        let node_exists = self.store.nodes.contains_key(pod.spec.node_name.as_str());
        let key = self.store.insert_pod_as(key, pod);
        crate::history::observe(self, &key);
        controller::endpoints::on_stored_pod_changed(self, &key);
        if bound && !node_exists {
            // Bound to a node that does not exist: nothing runs it, and PodGC removes it.
            self.enqueue_at(
                Work::CollectOrphanedPod(key.clone()),
                gc::orphan_deletion_time(self.now),
            );
        } else if bound {
            self.enqueue_now(Work::KubeletSyncPod(key.clone()));
            nodelifecycle::schedule_pod_eviction(self, &key);
        } else {
            self.enqueue_now(Work::SchedulePod(key.clone()));
        }
        // An orphan: the ReplicaSets whose selector matches it may adopt it (`addPod`).
        controller::replicaset::enqueue_adopters(self, &key);
        key
    }

    /// Deletes a pod as `kubectl delete pod` does: graceful when bound (Terminating, then gone
    /// once the kubelet has stopped it), at once when not yet scheduled.
    pub fn delete_pod(&mut self, namespace: &str, name: &str) -> Result<(), ActionError> {
        let key = ObjectKey::new(namespace, name);
        if self.store.pod(&key).is_none() {
            return Err(ActionError(format!("pods \"{name}\" not found")));
        }
        self.delete_pod_gracefully(&key, None);
        Ok(())
    }

    /// Starts a graceful deletion with the pod's own grace period unless one is given.
    pub(crate) fn delete_pod_gracefully(&mut self, key: &ObjectKey, grace_seconds: Option<i64>) {
        let now = self.now;
        let resource_version = self.bump_resource_version();
        let Some(pod) = self.store.pod(key) else {
            return;
        };
        if pod.metadata.is_terminating() {
            return;
        }
        let unbound = pod.spec.node_name.is_empty();
        let terminal = pod.status.phase.is_terminal();
        // A finished pod is deleted with grace 0 (`CheckGracefulDelete` in
        // `pkg/registry/core/pod/strategy.go`), and grace 0 removes a pod at once. A mirror pod
        // goes at once too; the static pod behind it keeps running.
        let grace = if terminal {
            0
        } else {
            grace_seconds
                .unwrap_or(pod.spec.termination_grace_period_seconds)
                .max(0)
        };
        if unbound || pod.is_mirror() || grace == 0 {
            self.remove_pod_now(key);
            return;
        }
        self.store.update_pod(key, |pod| {
            pod.metadata.deletion_timestamp_ms = Some(now.saturating_add((grace as Millis).saturating_mul(SECOND_MS)));
            pod.metadata.deletion_grace_period_seconds = Some(grace);
            pod.metadata.resource_version = resource_version;
        });
        // The owner's informer sees the deletion start (`updatePod` in the Job and DaemonSet
        // controllers treats a pod with a deletion timestamp as deleted).
        self.pod_status_changed(key);
        self.enqueue_now(Work::KubeletSyncPod(key.clone()));
    }

    /// Adds the `DisruptionTarget` condition that the component about to delete a pod sets
    /// first (the taint eviction controller, the Eviction API, the pod garbage collector), so
    /// that a Job's pod failure policy can tell a disruption from a failure.
    pub(crate) fn mark_disruption_target(&mut self, key: &ObjectKey, reason: &'static str, message: &'static str) {
        let now = self.now;
        if self
            .store
            .pod(key)
            .is_none_or(|pod| pod.status.phase.is_terminal() || pod.metadata.is_terminating())
        {
            return;
        }
        let resource_version = self.bump_resource_version();
        self.store.update_pod(key, |pod| {
            crate::api::set_condition(
                &mut pod.status.conditions,
                now,
                "DisruptionTarget",
                "True",
                reason,
                message,
            );
            pod.metadata.resource_version = resource_version;
        });
    }

    /// Removes a pod from the API at once (a finished graceful deletion, or a force delete).
    pub(crate) fn remove_pod_now(&mut self, key: &ObjectKey) {
        if let Some(pod) = self.store.remove_pod(key) {
            crate::history::removed(self, &pod.metadata.uid);
            let runtime = self.runtimes.remove(key);
            self.unschedulable.remove(key);
            self.filter_results.remove(key);
            let node = pod.spec.node_name;
            // A freed node can take pods the scheduler turned away.
            if !node.is_empty() {
                scheduler::requeue_unschedulable(self);
            }
            if let Some(owner) = pod.metadata.controller_of() {
                self.enqueue_controller(key.namespace, owner);
            }
            controller::job::on_pod_removed(self, &pod);
            controller::endpoints::on_pod_changed(self, &key.namespace, &pod.metadata.labels);
            controller::resourcequota::replenish(self, &key.namespace);
            kubelet::on_pod_removed(self, &pod, runtime);
            self.forget_behaviour_attempts(&pod);
        }
    }

    /// Forgets the `fail_first` run counts kept under a removed pod's key once no pod can run
    /// under it again: the pod's own uid when it had no controller, its controller's uid when
    /// the controller is gone. Without this, every Job a CronJob ever ran stayed counted.
    fn forget_behaviour_attempts(&mut self, pod: &Pod) {
        // Nothing counted (no `fail_first` behaviour ran): nothing to look for.
        if self.behaviour_attempts.is_empty() {
            return;
        }
        let uid = match pod.metadata.controller_of() {
            None => &pod.metadata.uid,
            Some(owner) if !self.owner_exists(&owner.kind, &pod.metadata.namespace, &owner.name, &owner.uid) => {
                &owner.uid
            }
            Some(_) => return,
        };
        let prefix = format!("{uid}/");
        let counted: Vec<String> = self
            .behaviour_attempts
            .range(prefix.clone()..)
            .take_while(|(key, _)| key.starts_with(&prefix))
            .map(|(key, _)| key.clone())
            .collect();
        for key in counted {
            self.behaviour_attempts.remove(&key);
        }
    }

    /// Deletes a DaemonSet. With the background cascade (kubectl's default) the garbage collector
    /// then deletes its pods; with `--cascade=orphan` the pods stay, without the owner reference.
    pub fn delete_daemon_set(&mut self, namespace: &str, name: &str, cascade: Cascade) -> Result<(), ActionError> {
        let key = ObjectKey::new(namespace, name);
        let Some(daemon_set) = self.store.daemon_sets.remove(&key) else {
            return Err(ActionError(format!("daemonsets.apps \"{name}\" not found")));
        };
        // The quota monitor's delete handler: the namespace's quotas are recounted.
        crate::controller::resourcequota::replenish(self, &key.namespace);
        match cascade {
            Cascade::Background => self.enqueue_now(Work::CollectDependents(daemon_set.metadata.uid)),
            Cascade::Orphan => gc::orphan_dependents(self, &daemon_set.metadata.uid),
        }
        Ok(())
    }

    /// Deletes a node object. Its pods stay until the pod garbage collector removes them.
    pub fn delete_node(&mut self, name: &str) -> Result<(), ActionError> {
        if self.store.nodes.remove(name).is_none() {
            return Err(ActionError(format!("nodes \"{name}\" not found")));
        }
        if let Some(kubelet) = self.kubelets.remove(name) {
            self.free_pod_subnets.insert(kubelet.pod_subnet);
        }
        self.record_event(
            "Normal",
            "RemovingNode",
            format!("node/{name}"),
            "",
            format!("Node {name} event: Removing Node {name} from Controller"),
            "node-controller",
        );
        gc::on_node_deleted(self, name);
        self.on_node_changed();
        Ok(())
    }

    /// `kubectl cordon` / `uncordon`: `spec.unschedulable`, with the
    /// `node.kubernetes.io/unschedulable:NoSchedule` taint the node lifecycle controller keeps in
    /// step with it.
    pub fn set_unschedulable(&mut self, name: &str, unschedulable: bool) -> Result<(), ActionError> {
        let now = self.now;
        let node = self
            .store
            .nodes
            .get_mut(name)
            .ok_or_else(|| ActionError(format!("nodes \"{name}\" not found")))?;
        // kubectl sends no patch for a node already (un)cordoned ("already cordoned"), and the
        // kubelet's event comes only with a change (`recordNodeSchedulableEvent`).
        if node.spec.unschedulable == unschedulable {
            return Ok(());
        }
        node.spec.unschedulable = unschedulable;
        node.spec
            .taints
            .retain(|taint| taint.key != nodelifecycle::TAINT_UNSCHEDULABLE);
        if unschedulable {
            node.spec.taints.push(Taint {
                key: nodelifecycle::TAINT_UNSCHEDULABLE.to_string(),
                value: String::new(),
                effect: "NoSchedule".to_string(),
                time_added_ms: Some(now),
            });
        }
        let reason = if unschedulable {
            "NodeNotSchedulable"
        } else {
            "NodeSchedulable"
        };
        self.record_event(
            "Normal",
            reason,
            format!("node/{name}"),
            "",
            format!("Node {name} status is now: {reason}"),
            "kubelet",
        );
        self.on_node_changed();
        Ok(())
    }

    /// `kubectl label node N key=value` (a value of `None` removes the label, as `key-` does).
    pub fn label_node(&mut self, name: &str, key: &str, value: Option<&str>) -> Result<(), ActionError> {
        let node = self
            .store
            .nodes
            .get_mut(name)
            .ok_or_else(|| ActionError(format!("nodes \"{name}\" not found")))?;
        match value {
            Some(value) => {
                node.metadata.labels.insert(key.to_string(), value.to_string());
            }
            None => {
                node.metadata.labels.remove(key);
            }
        }
        self.on_node_changed();
        Ok(())
    }

    /// `kubectl taint node N key=value:Effect` (or remove it with `remove`).
    pub fn taint_node(&mut self, name: &str, taint: Taint, remove: bool) -> Result<(), ActionError> {
        let now = self.now;
        let node = self
            .store
            .nodes
            .get_mut(name)
            .ok_or_else(|| ActionError(format!("nodes \"{name}\" not found")))?;
        node.spec
            .taints
            .retain(|existing| !(existing.key == taint.key && existing.effect == taint.effect));
        if !remove {
            node.spec.taints.push(Taint {
                time_added_ms: Some(now),
                ..taint
            });
        }
        nodelifecycle::schedule_taint_evictions(self, name);
        self.on_node_changed();
        Ok(())
    }

    /// The machine dies: its kubelet stops reporting. The node lifecycle controller notices after
    /// the grace period.
    pub fn fail_node(&mut self, name: &str) -> Result<(), ActionError> {
        nodelifecycle::fail_node(self, name)
    }

    /// The machine comes back: its kubelet reports again.
    pub fn recover_node(&mut self, name: &str) -> Result<(), ActionError> {
        nodelifecycle::recover_node(self, name)
    }

    /// A pod's phase, readiness or binding changed: its controller looks again (informer
    /// handlers enqueue the owner's key).
    pub(crate) fn pod_status_changed(&mut self, key: &ObjectKey) {
        crate::history::observe(self, key);
        controller::endpoints::on_stored_pod_changed(self, key);
        controller::resourcequota::on_pod_changed(self, key);
        let work = self
            .store
            .pod(key)
            .and_then(|pod| pod.metadata.controller_of())
            .and_then(|owner| controller_sync(&self.store, key.namespace, owner));
        if let Some(work) = work {
            self.enqueue_owner_sync(work);
        }
    }

    /// An informer handler of the owner's controller: a dependent changed, so the controller
    /// looks at the owner again.
    pub(crate) fn enqueue_controller(&mut self, namespace: Word, owner: &crate::api::OwnerReference) {
        if let Some(work) = controller_sync(&self.store, namespace, owner) {
            self.enqueue_owner_sync(work);
        }
    }

    /// Queues the sync of a dependent's owner: at once, but a Job one second later, as the Job
    /// controller batches its pods' events (`enqueueSyncJobBatched`).
    fn enqueue_owner_sync(&mut self, work: Work) {
        let delay = match work {
            Work::SyncJob(_) => controller::job::SYNC_JOB_BATCH_PERIOD_MS,
            _ => 0,
        };
        self.enqueue_at(work, self.now + delay);
    }

    /// A pod reached Succeeded or Failed: it no longer counts against its node, which the
    /// scheduler sees as an assigned pod going away (`AssignedPodDelete`).
    pub(crate) fn pod_became_terminal(&mut self) {
        scheduler::requeue_unschedulable(self);
    }

    /// Whether an owner reference still points at a live object.
    pub(crate) fn owner_exists(&self, kind: &str, namespace: &str, name: &str, uid: &crate::api::Uid) -> bool {
        let metadata = match kind {
            "DaemonSet" => self.daemon_set(namespace, name).map(|owner| &owner.metadata),
            "CronJob" => self.cron_job(namespace, name).map(|owner| &owner.metadata),
            "Job" => self.job(namespace, name).map(|owner| &owner.metadata),
            "Node" => self.store.nodes.get(name).map(|owner| &owner.metadata),
            "Service" => self.service(namespace, name).map(|owner| &owner.metadata),
            "ReplicaSet" => self.replica_set(namespace, name).map(|owner| &owner.metadata),
            "ReplicationController" => self
                .replication_controller(namespace, name)
                .map(|owner| &owner.metadata),
            "Deployment" => self.deployment(namespace, name).map(|owner| &owner.metadata),
            _ => None,
        };
        metadata.is_some_and(|metadata| metadata.uid == *uid)
    }

    pub(crate) fn behaviour_attempts(&self, key: &str) -> u32 {
        self.behaviour_attempts.get(key).copied().unwrap_or(0)
    }

    pub(crate) fn record_behaviour_attempt(&mut self, key: String) {
        *self.behaviour_attempts.entry(key).or_default() += 1;
    }

    pub(crate) fn enqueue_at(&mut self, work: Work, due: Millis) {
        self.queue.add_at(work, due);
    }

    /// Whether a piece of work is waiting on the queue.
    pub fn is_queued(&self, work: &Work) -> bool {
        self.queue.contains(work)
    }

    pub(crate) fn enqueue_now(&mut self, work: Work) {
        self.queue.add_at(work, self.now);
    }

    pub(crate) fn bump_resource_version(&mut self) -> crate::api::ResourceVersion {
        self.resource_version += 1;
        crate::api::ResourceVersion::Number(self.resource_version)
    }

    /// The next pod IP of a node's pod subnet, as the CNI plugin's host-local IPAM hands them
    /// out: `.2` up to `.254` (`.1` is the node's bridge), then round again.
    pub(crate) fn allocate_pod_ip(&mut self, node: Word) -> String {
        let Some(kubelet) = self.kubelets.get_mut(&node) else {
            return String::new();
        };
        let host = 2 + kubelet.pod_ips_given % 253;
        kubelet.pod_ips_given += 1;
        let mut ip = pod_subnet_prefix(kubelet.pod_subnet);
        ip.push('.');
        crate::time::push_zero_padded(&mut ip, u64::from(host), 0);
        ip
    }

    /// Records an event. The object (`kind/name`) and the message are written once, into a
    /// reused buffer, and interned from there: callers pass `format_args!` rather than an
    /// allocated `String` (a `String` or `&str` works too).
    pub(crate) fn record_event(
        &mut self,
        event_type: &'static str,
        reason: &'static str,
        object: impl EventText,
        namespace: impl EventNamespace,
        message: impl EventText,
        source: &'static str,
    ) {
        let object = Involved::Text(self.intern_event_text(object));
        let message = EventMessage::Text(self.intern_event_text(message));
        let namespace = namespace.word();
        self.record(event_type, reason, namespace, source, object, message);
    }

    /// `text` written into the reused buffer and interned from there.
    fn intern_event_text(&mut self, text: impl EventText) -> Arc<str> {
        let scratch = &mut self.event_scratch;
        scratch.clear();
        text.write_to(scratch);
        self.events.intern(scratch)
    }

    /// Records an event about the pod `key` (`pod/NAME`), sharing the key.
    pub(crate) fn record_pod_event(
        &mut self,
        event_type: &'static str,
        reason: &'static str,
        key: &ObjectKey,
        message: impl EventText,
        source: &'static str,
    ) {
        let message = EventMessage::Text(self.intern_event_text(message));
        self.record(
            event_type,
            reason,
            key.namespace,
            source,
            Involved::Pod(key.clone()),
            message,
        );
    }

    /// The scheduler's `Scheduled` event for the pod `key` bound to `node`:
    /// `Successfully assigned NAMESPACE/NAME to NODE`, kept as the node's word.
    pub(crate) fn record_scheduled_event(&mut self, key: &ObjectKey, node: Word, source: &'static str) {
        let message = EventMessage::AssignedTo(node);
        self.record(
            "Normal",
            "Scheduled",
            key.namespace,
            source,
            Involved::Pod(key.clone()),
            message,
        );
    }

    fn record(
        &mut self,
        event_type: &'static str,
        reason: &'static str,
        namespace: Word,
        source: &'static str,
        object: Involved,
        message: EventMessage,
    ) {
        let words = EventWords {
            event_type: Word::from_static(event_type),
            reason: Word::from_static(reason),
            namespace,
            source: Word::from_static(source),
        };
        self.events.record(EventRecord::new(self.now, words, object, message));
    }

    /// When the next piece of work is due, if any.
    pub fn next_event_time(&self) -> Option<Millis> {
        self.queue.next_due()
    }

    /// Queues `work` again `after` from now, if its sync asked for that.
    fn requeue(&mut self, work: Work, after: Option<Millis>) {
        if let Some(after) = after {
            self.enqueue_at(work, self.now + after);
        }
    }

    /// Processes the next piece of work, moving the clock to its due time. Returns false when
    /// nothing is queued.
    pub fn step(&mut self) -> bool {
        let Some((due, work)) = self.queue.pop() else {
            return false;
        };
        self.now = self.now.max(due);
        match work {
            // A controller's sync says when it wants to look again, if ever.
            Work::SyncDaemonSet(key) => {
                let after = controller::daemonset::sync(self, &key);
                self.requeue(Work::SyncDaemonSet(key), after);
            }
            Work::SyncJob(key) => {
                let after = controller::job::sync(self, &key);
                self.requeue(Work::SyncJob(key), after);
            }
            Work::SyncCronJob(key) => {
                let after = controller::cronjob::sync(self, &key);
                self.requeue(Work::SyncCronJob(key), after);
            }
            Work::SyncReplicaSet(key) => {
                let after = controller::replicaset::sync(self, controller::replicaset::ReplicaKind::ReplicaSet, &key);
                self.requeue(Work::SyncReplicaSet(key), after);
            }
            Work::SyncReplicationController(key) => {
                let after = controller::replicaset::sync(
                    self,
                    controller::replicaset::ReplicaKind::ReplicationController,
                    &key,
                );
                self.requeue(Work::SyncReplicationController(key), after);
            }
            Work::SyncDeployment(key) => {
                let after = controller::deployment::sync(self, &key);
                self.requeue(Work::SyncDeployment(key), after);
            }
            Work::JobTtlExpired(key) => controller::job::ttl_expired(self, &key),
            Work::SchedulePod(key) => scheduler::schedule_pod(self, &key),
            Work::KubeletSyncPod(key) => kubelet::sync_pod(self, &key),
            Work::MonitorNode(name) => nodelifecycle::monitor_node(self, &name),
            Work::EvictPod(key) => nodelifecycle::evict_pod(self, &key),
            Work::CollectOrphanedPod(key) => gc::collect_orphaned_pod(self, &key),
            Work::CollectDependents(uid) => gc::collect_dependents(self, &uid),
            Work::SyncStaticPods(node) => kubelet::start_static_pods(self, &node),
            Work::SyncEndpoints(key) => {
                let after = controller::endpoints::sync(self, &key);
                self.requeue(Work::SyncEndpoints(key), after);
            }
            Work::SyncEndpointSlices(key) => {
                let after = controller::endpointslice::sync(self, &key);
                self.requeue(Work::SyncEndpointSlices(key), after);
            }
            Work::SyncResourceQuota(key) => {
                controller::resourcequota::sync(self, &key);
            }
            Work::SyncHorizontalPodAutoscaler(key) => {
                let after = controller::podautoscaler::sync(self, &key);
                self.requeue(Work::SyncHorizontalPodAutoscaler(key), after);
            }
        }
        true
    }

    /// Processes all work due up to `target_ms` and leaves the clock there, with at most
    /// `DEFAULT_STEP_LIMIT` steps. Returns the number of steps taken.
    pub fn run_until(&mut self, target_ms: Millis) -> Result<usize, StepLimitExceeded> {
        self.run_until_with_limit(target_ms, DEFAULT_STEP_LIMIT)
    }

    pub fn run_until_with_limit(&mut self, target_ms: Millis, limit: usize) -> Result<usize, StepLimitExceeded> {
        self.run_until_bounded(target_ms, limit, SAME_INSTANT_STEP_LIMIT)
    }

    /// `run_until` with both bounds: steps in all, and steps at one instant.
    pub(crate) fn run_until_bounded(
        &mut self,
        target_ms: Millis,
        limit: usize,
        same_instant_limit: usize,
    ) -> Result<usize, StepLimitExceeded> {
        let mut steps = 0;
        let mut at_one_instant = StepsAtOneInstant::new(same_instant_limit);
        while self.queue.next_due().is_some_and(|due| due <= target_ms) {
            let stuck = at_one_instant.over(self.now);
            if steps == limit || stuck {
                let next_work = self.queue.peek().map(|work| format!("{work:?}")).unwrap_or_default();
                let at_one_instant = steps != limit;
                return Err(StepLimitExceeded {
                    limit: if at_one_instant { same_instant_limit } else { limit },
                    stopped_at_ms: self.now,
                    target_ms,
                    next_work,
                    at_one_instant,
                });
            }
            self.step();
            steps += 1;
        }
        self.now = self.now.max(target_ms);
        Ok(steps)
    }

    /// A 64-bit hash over the canonical log of every event recorded, expired ones included:
    /// equal for equal runs, natively and in wasm. Computed as events are recorded (eight bytes
    /// to a multiply, `sim/event_log.rs`; it was FNV-1a until the seventh session, so hashes
    /// printed before then differ).
    pub fn event_log_hash(&self) -> u64 {
        self.events.hash()
    }
}

/// The first three octets of pod subnet `index`: `10.244.N` for the first 256 nodes, then on
/// into `10.245` and up (a real 10.244.0.0/16 has room for 256 nodes only), round again after
/// `10.255.255`.
fn pod_subnet_prefix(index: u32) -> String {
    let mut prefix = String::with_capacity(11);
    prefix.push_str("10.");
    crate::time::push_zero_padded(&mut prefix, u64::from(244 + (index / 256) % 12), 0);
    prefix.push('.');
    crate::time::push_zero_padded(&mut prefix, u64::from(index % 256), 0);
    prefix
}

/// The uid `format!("00000000-0000-4000-8000-{number:012x}")`, kept as its bytes: a uid is
/// made for every object.
fn uid_of(number: u64) -> crate::api::Uid {
    crate::api::Uid::serial([0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0], number)
}

/// The sync of the controller that handles objects owned by `owner`, if one is simulated.
/// The owner's key is the store's copy when the owner exists (a dependent changes many times
/// over its life; making a key each time was most of the cost of telling the owner), a new key
/// otherwise: the controller is told all the same, and its sync finds nothing.
fn controller_sync(store: &crate::store::Store, namespace: Word, owner: &crate::api::OwnerReference) -> Option<Work> {
    let key = crate::store::KeyRef(&namespace, &owner.name);
    Some(match owner.kind.as_str() {
        "DaemonSet" => Work::SyncDaemonSet(key.shared_in(&store.daemon_sets)),
        "Job" => Work::SyncJob(key.shared_in(&store.jobs)),
        "CronJob" => Work::SyncCronJob(key.shared_in(&store.cron_jobs)),
        "ReplicaSet" => Work::SyncReplicaSet(key.shared_in(&store.replica_sets)),
        "ReplicationController" => Work::SyncReplicationController(key.shared_in(&store.replication_controllers)),
        "Deployment" => Work::SyncDeployment(key.shared_in(&store.deployments)),
        _ => return None,
    })
}

/// The `DefaultTolerationSeconds` admission plugin
/// (`plugin/pkg/admission/defaulttolerationseconds`): pods that do not tolerate the not-ready and
/// unreachable `NoExecute` taints get tolerations for 300 seconds.
fn add_default_toleration_seconds(tolerations: &mut std::borrow::Cow<'static, [Toleration]>) {
    if tolerations.is_empty() {
        // Both are added: the shared `'static` pair, in the same order.
        *tolerations = std::borrow::Cow::Borrowed(&crate::api::DEFAULT_TOLERATIONS[..]);
        return;
    }
    let missing: Vec<&Toleration> = crate::api::DEFAULT_TOLERATIONS
        .iter()
        .filter(|default| {
            !tolerations.iter().any(|toleration| {
                (toleration.key == default.key || toleration.key.is_empty() && toleration.operator == "Exists")
                    && (toleration.effect.is_empty() || toleration.effect == "NoExecute")
            })
        })
        .collect();
    if missing.is_empty() {
        return;
    }
    let tolerations = tolerations.to_mut();
    // Room for exactly those added (a pushed-to Vec would double).
    tolerations.reserve_exact(missing.len());
    tolerations.extend(missing.into_iter().cloned());
}

mod event_log;
pub use event_log::EVENT_TTL_MS;
mod workloads;
pub use workloads::WorkloadKind;

#[cfg(test)]
mod tests;
