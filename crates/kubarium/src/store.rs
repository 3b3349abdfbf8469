//! The object store (the API server's etcd), with the indexes the components need: pods by
//! node and by owner, and each node's requested resources (the scheduler cache's `NodeInfo`).
//!
//! Every pod change goes through `insert_pod`, `remove_pod` or `update_pod`, which keep the
//! indexes true.

use std::collections::{BTreeMap, BTreeSet};

use crate::api::{
    ControllerRevision, CronJob, DaemonSet, Deployment, Job, Namespace, Node, ObjectMeta, Pod, ReplicaSet,
    ReplicationController, Uid,
};
use crate::fasthash::FastMap;
use crate::word::Word;

/// A pod key shared between the store's map, order and indexes (an `ObjectKey` is shared).
type SharedKey = ObjectKey;
use crate::quantity::Quantity;

/// A shared pod key as the ordered indexes hold it: with the first 16 bytes of its namespace
/// and name inline, so that most comparisons are decided without following the pointer (with
/// 100,000 pods, following it was most of the cost of keeping the indexes). Orders exactly as
/// `ObjectKey` does.
#[derive(Debug, Clone)]
struct OrderedKey {
    /// `namespace`, a zero byte, then `name`, each byte plus one (UTF-8 has no 0xFF byte, so
    /// every byte of text is above the separator and the zero padding), as two big-endian
    /// words: comparing prefixes compares the keys' `(namespace, name)` order as far as the
    /// prefixes go. (Two `u64`s rather than a `u128`, whose 16-byte alignment would make the
    /// key 32 bytes instead of 24.)
    prefix: [u64; 2],
    key: SharedKey,
}

impl OrderedKey {
    fn new(key: SharedKey) -> Self {
        let mut bytes = [0u8; 16];
        let text = key
            .namespace
            .bytes()
            .map(|byte| byte.saturating_add(1))
            .chain(std::iter::once(0))
            .chain(key.name.bytes().map(|byte| byte.saturating_add(1)));
        for (slot, byte) in bytes.iter_mut().zip(text) {
            *slot = byte;
        }
        let (high, low) = bytes.split_at(8);
        OrderedKey {
            prefix: [
                u64::from_be_bytes(high.try_into().unwrap_or_default()),
                u64::from_be_bytes(low.try_into().unwrap_or_default()),
            ],
            key,
        }
    }
}

impl PartialEq for OrderedKey {
    fn eq(&self, other: &Self) -> bool {
        self.prefix == other.prefix && self.key == other.key
    }
}

impl Eq for OrderedKey {}

impl PartialOrd for OrderedKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for OrderedKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.prefix.cmp(&other.prefix).then_with(|| self.key.cmp(&other.key))
    }
}

impl std::borrow::Borrow<ObjectKey> for OrderedKey {
    fn borrow(&self) -> &ObjectKey {
        &self.key
    }
}

/// Namespace and name: how namespaced objects of one kind are keyed. Shared: a copy is one
/// pointer, so the store's map and indexes, the work queue's items and the kubelet's table
/// hold one allocation of each pod's key. Reads, compares and orders as its parts; hashes as
/// the hash of its parts, computed once when the key is made (a key is hashed many times over
/// a pod's life: the store's table, the work queue, the kubelet's table). Two copies of one
/// key compare equal without reading their text.
#[derive(Clone)]
pub struct ObjectKey(std::sync::Arc<KeyParts>);

impl PartialOrd for ObjectKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// As its parts order; two copies of one key are equal without reading their text (a look-up
/// with the map's own copy of a key ends on that comparison).
impl Ord for ObjectKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if std::sync::Arc::ptr_eq(&self.0, &other.0) {
            return std::cmp::Ordering::Equal;
        }
        self.0.cmp(&other.0)
    }
}

/// As its parts hash (what `derive(Hash)` did): the hash computed when the key was made.
impl std::hash::Hash for ObjectKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl PartialEq for ObjectKey {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl Eq for ObjectKey {}

/// The parts of an `ObjectKey`, read through it (`key.namespace`, `key.name`).
#[derive(Debug)]
pub struct KeyParts {
    /// Namespaces are few: interned.
    pub namespace: crate::word::Word,
    pub name: String,
    /// `FxHasher` over the namespace's and the name's text: equal parts, equal hashes.
    hash: u64,
}

impl KeyParts {
    pub fn new(namespace: crate::word::Word, name: String) -> KeyParts {
        use std::hash::Hasher as _;
        let mut hasher = crate::fasthash::FxHasher::default();
        hasher.write(namespace.as_bytes());
        hasher.write_u8(0xff);
        hasher.write(name.as_bytes());
        KeyParts {
            namespace,
            name,
            hash: hasher.finish(),
        }
    }
}

impl PartialEq for KeyParts {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.namespace == other.namespace && self.name == other.name
    }
}

impl Eq for KeyParts {}

impl PartialOrd for KeyParts {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// By namespace, then name (the hash takes no part).
impl Ord for KeyParts {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.namespace
            .cmp(&other.namespace)
            .then_with(|| self.name.cmp(&other.name))
    }
}

impl std::hash::Hash for KeyParts {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl ObjectKey {
    pub fn new(namespace: &str, name: &str) -> Self {
        ObjectKey(std::sync::Arc::new(KeyParts::new(
            crate::word::Word::new(namespace),
            name.to_string(),
        )))
    }

    /// The key of an object: its namespace is a `Word` already.
    pub fn of(meta: &ObjectMeta) -> Self {
        ObjectKey(std::sync::Arc::new(KeyParts::new(meta.namespace, meta.name.clone())))
    }
}

/// A key's parts order, compare and hash as the key does, so maps keyed by `ObjectKey` can be
/// searched with borrowed parts (a range from a namespace's start without allocating a key).
impl std::borrow::Borrow<KeyParts> for ObjectKey {
    fn borrow(&self) -> &KeyParts {
        &self.0
    }
}

/// A namespace and name to look up a map keyed by `ObjectKey` with, without making a key (no
/// allocation, no interning): `KeyRef("default", "web").get(&store.jobs)`. Orders as the key
/// does: by namespace, then name, by their text.
#[derive(Debug, Clone, Copy)]
pub struct KeyRef<'a>(pub &'a str, pub &'a str);

/// What a key and a `KeyRef` have in common, for `Borrow`.
pub trait KeyLike {
    fn key_parts(&self) -> (&str, &str);
}

impl KeyLike for KeyParts {
    fn key_parts(&self) -> (&str, &str) {
        (&self.namespace, &self.name)
    }
}

impl KeyLike for KeyRef<'_> {
    fn key_parts(&self) -> (&str, &str) {
        (self.0, self.1)
    }
}

impl PartialEq for dyn KeyLike + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.key_parts() == other.key_parts()
    }
}

impl Eq for dyn KeyLike + '_ {}

impl PartialOrd for dyn KeyLike + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// As `KeyParts` orders (a `Word` orders by its text).
impl Ord for dyn KeyLike + '_ {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key_parts().cmp(&other.key_parts())
    }
}

impl<'a> std::borrow::Borrow<dyn KeyLike + 'a> for ObjectKey {
    fn borrow(&self) -> &(dyn KeyLike + 'a) {
        &*self.0
    }
}

impl KeyRef<'_> {
    pub fn get<V>(self, map: &BTreeMap<ObjectKey, V>) -> Option<&V> {
        map.get(&self as &dyn KeyLike)
    }

    pub fn get_mut<V>(self, map: &mut BTreeMap<ObjectKey, V>) -> Option<&mut V> {
        map.get_mut(&self as &dyn KeyLike)
    }

    /// Removes the entry of this key, with the map's own copy of the key.
    pub fn remove_from<V>(self, map: &mut BTreeMap<ObjectKey, V>) -> Option<(ObjectKey, V)> {
        map.remove_entry(&self as &dyn KeyLike)
    }

    /// The map's own copy of the key (one pointer to share), or a new key if it has none.
    pub fn shared_in<V>(self, map: &BTreeMap<ObjectKey, V>) -> ObjectKey {
        match map.get_key_value(&self as &dyn KeyLike) {
            Some((key, _)) => key.clone(),
            None => ObjectKey::new(self.0, self.1),
        }
    }
}

impl std::ops::Deref for ObjectKey {
    type Target = KeyParts;

    fn deref(&self) -> &KeyParts {
        &self.0
    }
}

/// As the derived `Debug` of a struct with the two fields prints (work items print their key
/// in the step limit's message).
impl std::fmt::Debug for ObjectKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ObjectKey")
            .field("namespace", &self.0.namespace)
            .field("name", &self.0.name)
            .finish()
    }
}

/// Counts a pod write on `node` (in a function of its own so that it can run while a pod of
/// the store is borrowed).
fn count_pod_write(writes_by_node: &mut FastMap<Word, u64>, node: Word) {
    *writes_by_node.entry(node).or_insert(0) += 1;
}

/// What the pods bound to a node request, counted as the scheduler counts it: pods that are not
/// terminal (`Succeeded` or `Failed`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeUsage {
    pub cpu: Quantity,
    pub memory: Quantity,
    pub pods: u32,
    /// (protocol, hostIP, hostPort) taken on the node, with how many pods hold each (more than
    /// one only when pods bypass the scheduler with `nodeName`).
    pub host_ports: BTreeMap<(String, String, i32), u32>,
    /// CPU and memory with the scheduler's non-zero defaults, for scoring
    /// (`pkg/scheduler/util` `GetNonzeroRequests`: 100m and 200Mi).
    pub cpu_nonzero_milli: i64,
    pub memory_nonzero: i64,
    /// The actual requests in millicores and bytes, for BalancedAllocation.
    pub cpu_milli: i64,
    pub memory_bytes: i64,
    /// Pods here by the uid of their controller, for the scheduler's spreading score: kept
    /// here so scoring costs the nodes, not the pods a node ever held.
    pub by_controller: BTreeMap<Uid, u32>,
}

/// The scheduler's default request for a container that asks for no CPU.
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
/// The scheduler's default request for a container that asks for no memory: 200Mi.
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

/// The amounts one pod adds to its node's usage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodRequests {
    pub cpu: Quantity,
    pub memory: Quantity,
    pub cpu_nonzero_milli: i64,
    pub memory_nonzero: i64,
    pub cpu_milli: i64,
    pub memory_bytes: i64,
    pub host_ports: Vec<(String, String, i32)>,
}

/// `resourcehelper.PodRequests`: the sum of the containers, or the largest init container if
/// that is more (init containers run one at a time).
pub fn pod_requests(pod: &Pod) -> PodRequests {
    let mut requests = PodRequests::default();
    for container in pod.spec.containers.iter() {
        let cpu = container.resources.effective_request("cpu");
        let memory = container.resources.effective_request("memory");
        requests.cpu = requests.cpu.saturating_add(cpu);
        requests.memory = requests.memory.saturating_add(memory);
        requests.cpu_nonzero_milli = requests.cpu_nonzero_milli.saturating_add(if cpu.is_zero() {
            DEFAULT_MILLI_CPU_REQUEST
        } else {
            cpu.milli_value()
        });
        requests.memory_nonzero = requests.memory_nonzero.saturating_add(if memory.is_zero() {
            DEFAULT_MEMORY_REQUEST
        } else {
            memory.value()
        });
        for port in &container.ports {
            if let Some(host_port) = port.host_port.filter(|port| *port > 0) {
                let host_ip = port.host_ip.clone().unwrap_or_else(|| "0.0.0.0".to_string());
                requests.host_ports.push((port.protocol.clone(), host_ip, host_port));
            }
        }
    }
    for container in &pod.spec.init_containers {
        requests.cpu = requests.cpu.max(container.resources.effective_request("cpu"));
        requests.memory = requests.memory.max(container.resources.effective_request("memory"));
    }
    requests.cpu_milli = requests.cpu.milli_value();
    requests.memory_bytes = requests.memory.value();
    requests
}

/// What the indexes read from a pod, when it is inserted or removed.
/// (A pod's containers, which give its requests, never change after creation.) The owner
/// references are borrowed from a pod the store does not hold (one being inserted or just
/// removed), copied only when the pod stays in the store while the indexes change.
#[derive(Debug, Clone, PartialEq)]
struct IndexedFacts<'a> {
    node_name: crate::word::Word,
    owner_references: std::borrow::Cow<'a, [crate::api::OwnerReference]>,
    phase: crate::api::PodPhase,
}

/// Whether a pod counts against its node's resources: bound and not finished.
fn counts_against_node(node_name: &str, phase: crate::api::PodPhase) -> bool {
    !node_name.is_empty() && !phase.is_terminal()
}

/// The uid of a pod's controller, counted per node for the scheduler's spreading.
fn controller_uid(owners: &[crate::api::OwnerReference]) -> Option<Uid> {
    owners
        .iter()
        .find(|owner| owner.controller)
        .map(|owner| owner.uid.clone())
}

impl<'a> IndexedFacts<'a> {
    fn of(pod: &'a Pod) -> Self {
        IndexedFacts {
            node_name: pod.spec.node_name,
            owner_references: std::borrow::Cow::Borrowed(&pod.metadata.owner_references),
            phase: pod.status.phase,
        }
    }

    /// The facts of a pod the store keeps holding (their own copy).
    fn owned(pod: &Pod) -> IndexedFacts<'static> {
        IndexedFacts {
            node_name: pod.spec.node_name,
            owner_references: std::borrow::Cow::Owned(pod.metadata.owner_references.clone()),
            phase: pod.status.phase,
        }
    }

    /// Whether the pod counts against its node's resources: bound and not finished.
    fn counts_against_node(&self) -> bool {
        counts_against_node(&self.node_name, self.phase)
    }
}

#[derive(Debug, Default)]
pub struct Store {
    pub nodes: BTreeMap<String, Node>,
    pub namespaces: BTreeMap<String, Namespace>,
    pub daemon_sets: BTreeMap<ObjectKey, DaemonSet>,
    /// The DaemonSets' ControllerRevisions (their history of pod templates).
    pub controller_revisions: BTreeMap<ObjectKey, ControllerRevision>,
    pub jobs: BTreeMap<ObjectKey, Job>,
    pub cron_jobs: BTreeMap<ObjectKey, CronJob>,
    /// Services, their Endpoints and EndpointSlices, and the API server's allocators of
    /// cluster IPs and node ports (`services.rs`).
    pub services: crate::services::ServiceStore,
    pub replica_sets: BTreeMap<ObjectKey, ReplicaSet>,
    pub replication_controllers: BTreeMap<ObjectKey, ReplicationController>,
    pub deployments: BTreeMap<ObjectKey, Deployment>,
    pub resource_quotas: BTreeMap<ObjectKey, crate::api::ResourceQuota>,
    pub limit_ranges: BTreeMap<ObjectKey, crate::api::LimitRange>,
    pub horizontal_pod_autoscalers: BTreeMap<ObjectKey, crate::api::HorizontalPodAutoscaler>,
    /// Pods by key for look-ups, and their keys in order for iteration.
    /// Boxed: the table moves its slots when it grows, and a pod is large.
    pods: FastMap<SharedKey, Box<Pod>>,
    /// A pod's key is allocated once and shared by the map, the order and the indexes.
    pod_order: BTreeSet<OrderedKey>,
    /// Pods by node name and by owner uid: only looked up (each set is in key order).
    pods_by_node: FastMap<Word, BTreeSet<OrderedKey>>,
    pods_by_owner: FastMap<Uid, BTreeSet<OrderedKey>>,
    /// Pods without a controller (orphans a ReplicaSet may adopt), in key order.
    pods_without_controller: BTreeSet<OrderedKey>,
    /// Pods not bound to a node yet, in key order.
    pods_unbound: BTreeSet<OrderedKey>,
    /// Writes to pods per node they were on ("" for pods not bound yet), and which store
    /// counted them: a view of the cluster rebuilds a node's pods only when its count moved
    /// (`view::PodViewCache`). Never read by the simulation itself.
    pod_writes_by_node: FastMap<Word, u64>,
    identity: StoreIdentity,
    /// Per-node usage, in slots so the scheduler can reach them without a lookup by name.
    usage_slots: Vec<NodeUsage>,
    /// The usage slots changed since the scheduler's node cache (`scheduler/cache.rs`) last
    /// took them, each listed once (`usage_changed` says which are listed).
    changed_usage_slots: Vec<u32>,
    usage_changed: Vec<bool>,
    /// Only looked up.
    usage_index: FastMap<Word, usize>,
}

/// Tells one store apart from every other of the process (a replayed simulation's store counts
/// its writes from zero again). Drawn from a process-wide counter; it never affects what the
/// simulation does, only whether a view may reuse what it built from this store before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreIdentity(u64);

impl Default for StoreIdentity {
    fn default() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        StoreIdentity(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

impl Store {
    pub fn pods(&self) -> impl Iterator<Item = &Pod> {
        self.pod_order
            .iter()
            .filter_map(|key| self.pods.get(&key.key).map(|pod| &**pod))
    }

    pub fn pod(&self, key: &ObjectKey) -> Option<&Pod> {
        self.pods.get(key).map(|pod| &**pod)
    }

    pub fn pod_count(&self) -> usize {
        self.pods.len()
    }

    /// The pods of one namespace, in name order.
    pub fn pods_in_namespace<'a>(&'a self, namespace: &str) -> impl Iterator<Item = &'a Pod> + 'a {
        let start = ObjectKey::new(namespace, "");
        let namespace = namespace.to_string();
        self.pod_order
            .range::<ObjectKey, _>(start..)
            .take_while(move |key| key.key.namespace == namespace)
            .filter_map(|key| self.pods.get(&key.key).map(|pod| &**pod))
    }

    /// The keys of the pods not bound to a node yet, in order.
    pub fn pods_unbound(&self) -> impl Iterator<Item = &ObjectKey> {
        self.pods_unbound.iter().map(|key| &key.key)
    }

    /// How many times pods on `node` ("" for pods not bound yet) were created, changed or
    /// deleted, and by which store: equal between two moments means the same pods there.
    pub fn pod_writes_on(&self, node: &str) -> (StoreIdentity, u64) {
        (self.identity, self.pod_writes_by_node.get(node).copied().unwrap_or(0))
    }

    fn count_pod_write(&mut self, node: Word) {
        count_pod_write(&mut self.pod_writes_by_node, node);
    }

    /// How many pods are bound to `node`.
    pub fn pod_count_on(&self, node: &str) -> usize {
        self.pods_by_node.get(node).map_or(0, BTreeSet::len)
    }

    /// The keys of the pods bound to `node`, in order.
    pub fn pods_on_node(&self, node: &str) -> impl Iterator<Item = &ObjectKey> {
        self.pods_by_node.get(node).into_iter().flatten().map(|key| &key.key)
    }

    /// The keys of the pods whose controller (or any owner) has this uid.
    pub fn pods_owned_by(&self, owner_uid: &Uid) -> impl Iterator<Item = &ObjectKey> {
        self.pods_by_owner
            .get(owner_uid)
            .into_iter()
            .flatten()
            .map(|key| &key.key)
    }

    /// The keys of the pods no controller owns, in order (`FilterPodsByOwner`'s orphans).
    pub fn pods_without_controller(&self) -> impl Iterator<Item = &ObjectKey> {
        self.pods_without_controller.iter().map(|key| &key.key)
    }

    pub fn node_usage(&self, node: &str) -> Option<&NodeUsage> {
        self.usage_index.get(node).map(|slot| &self.usage_slots[*slot])
    }

    /// The usage slot of a node name, created empty on first use. A name keeps its slot.
    pub fn usage_slot(&mut self, node: &str) -> usize {
        self.usage_slot_of(Word::new(node))
    }

    fn usage_slot_of(&mut self, node: Word) -> usize {
        if let Some(slot) = self.usage_index.get(&node) {
            return *slot;
        }
        let slot = self.usage_slots.len();
        self.usage_slots.push(NodeUsage::default());
        self.usage_changed.push(false);
        self.usage_index.insert(node, slot);
        slot
    }

    pub fn usage_at(&self, slot: usize) -> &NodeUsage {
        &self.usage_slots[slot]
    }

    /// Moves the usage slots changed since the last call into `changed` (emptied first).
    pub fn take_changed_usage_slots(&mut self, changed: &mut Vec<u32>) {
        changed.clear();
        std::mem::swap(changed, &mut self.changed_usage_slots);
        for &slot in changed.iter() {
            self.usage_changed[slot as usize] = false;
        }
    }

    fn mark_usage_changed(&mut self, slot: usize) {
        if !self.usage_changed[slot] {
            self.usage_changed[slot] = true;
            self.changed_usage_slots.push(slot as u32);
        }
    }

    pub fn insert_pod(&mut self, pod: Pod) -> ObjectKey {
        self.insert_pod_as(ObjectKey::of(&pod.metadata), pod)
    }

    /// `insert_pod` with the pod's key already made (`ObjectKey::of(&pod.metadata)`).
    pub fn insert_pod_as(&mut self, key: ObjectKey, pod: Pod) -> ObjectKey {
        debug_assert!(key == ObjectKey::of(&pod.metadata), "the key is the pod's");
        if let Some((shared, old)) = self.pods.remove_entry(&key) {
            let ordered = OrderedKey::new(shared);
            self.pod_order.remove(&ordered);
            self.unindex(&ordered, &IndexedFacts::of(&old), &pod_requests(&old));
            self.count_pod_write(old.spec.node_name);
        }
        self.count_pod_write(pod.spec.node_name);
        let shared = key.clone();
        let ordered = OrderedKey::new(shared.clone());
        self.index(&ordered, &IndexedFacts::of(&pod), &pod_requests(&pod));
        self.pod_order.insert(ordered);
        self.pods.insert(shared, Box::new(pod));
        key
    }

    pub fn remove_pod(&mut self, key: &ObjectKey) -> Option<Pod> {
        let (shared, pod) = self.pods.remove_entry(key)?;
        self.count_pod_write(pod.spec.node_name);
        let ordered = OrderedKey::new(shared);
        self.pod_order.remove(&ordered);
        self.unindex(&ordered, &IndexedFacts::of(&pod), &pod_requests(&pod));
        Some(*pod)
    }

    /// Changes a pod in place and re-indexes what the indexes read, if it changed: the node
    /// set when the pod is bound, the node's usage when the pod starts or stops counting against
    /// it. Returns what `change` returned, or `None` if the pod does not exist. (A pod's
    /// containers, which give its requests, never change after creation; its owner references
    /// change only through `remove_pod_owner` and `adopt_pod`, which re-index them.)
    pub fn update_pod<T>(&mut self, key: &ObjectKey, change: impl FnOnce(&mut Pod) -> T) -> Option<T> {
        let pod = self.pods.get_mut(key)?;
        let node_before = pod.spec.node_name;
        let counted_before = counts_against_node(&node_before, pod.status.phase);
        #[cfg(debug_assertions)]
        let owners_before = pod.metadata.owner_references.clone();
        let result = change(pod);
        #[cfg(debug_assertions)]
        debug_assert_eq!(
            owners_before, pod.metadata.owner_references,
            "owner references change only through Store::remove_pod_owner and Store::adopt_pod"
        );
        let node_changed = node_before != pod.spec.node_name;
        let counted_after = counts_against_node(&pod.spec.node_name, pod.status.phase);
        if !node_changed && counted_before == counted_after {
            count_pod_write(&mut self.pod_writes_by_node, pod.spec.node_name);
            return Some(result);
        }
        let requests = pod_requests(pod);
        let node_after = pod.spec.node_name;
        let controller = controller_uid(&pod.metadata.owner_references);
        self.count_pod_write(node_before);
        if node_changed {
            self.count_pod_write(node_after);
            if let Some(ordered) = self.ordered_key(key) {
                self.unindex_node(&ordered, node_before);
                self.index_node(&ordered, node_after);
            }
        }
        if counted_before {
            self.remove_usage(node_before, controller.as_ref(), &requests);
        }
        if counted_after {
            self.add_usage(node_after, controller.as_ref(), &requests);
        }
        Some(result)
    }

    /// Drops one owner reference of a pod (`--cascade=orphan`, or a controller releasing it),
    /// re-indexing the pod.
    pub fn remove_pod_owner(&mut self, key: &ObjectKey, owner_uid: &Uid) {
        self.change_pod_owners(key, |owners| owners.retain(|owner| owner.uid != *owner_uid));
    }

    /// Makes `owner` the pod's controller (a controller adopting an orphan, `AdoptPod`),
    /// re-indexing the pod. A pod that already has a controller is left alone.
    pub fn adopt_pod(&mut self, key: &ObjectKey, owner: crate::api::OwnerReference) {
        self.change_pod_owners(key, |owners| {
            if !owners.iter().any(|existing| existing.controller) {
                owners.push(owner);
            }
        });
    }

    /// Changes a pod's owner references, re-indexing the pod.
    fn change_pod_owners(&mut self, key: &ObjectKey, change: impl FnOnce(&mut Vec<crate::api::OwnerReference>)) {
        let Some(pod) = self.pods.get(key) else {
            return;
        };
        let before = IndexedFacts::owned(pod);
        let requests = pod_requests(pod);
        let Some(ordered) = self.ordered_key(key) else {
            return;
        };
        self.unindex(&ordered, &before, &requests);
        let Some(pod) = self.pods.get_mut(key) else {
            return;
        };
        change(&mut pod.metadata.owner_references);
        let after = IndexedFacts::owned(pod);
        self.count_pod_write(after.node_name);
        self.index(&ordered, &after, &requests);
    }

    /// The stored, shared copy of a pod's key, as the ordered indexes hold it.
    fn ordered_key(&self, key: &ObjectKey) -> Option<OrderedKey> {
        self.pods
            .get_key_value(key)
            .map(|(shared, _)| OrderedKey::new(shared.clone()))
    }

    fn index(&mut self, key: &OrderedKey, facts: &IndexedFacts, requests: &PodRequests) {
        self.index_node(key, facts.node_name);
        self.index_owners(key, facts);
        if facts.counts_against_node() {
            let controller = controller_uid(&facts.owner_references);
            self.add_usage(facts.node_name, controller.as_ref(), requests);
        }
    }

    fn index_node(&mut self, key: &OrderedKey, node_name: Word) {
        if node_name.is_empty() {
            self.pods_unbound.insert(key.clone());
        } else {
            self.pods_by_node.entry(node_name).or_default().insert(key.clone());
        }
    }

    fn index_owners(&mut self, key: &OrderedKey, facts: &IndexedFacts) {
        if controller_uid(&facts.owner_references).is_none() {
            self.pods_without_controller.insert(key.clone());
        }
        for owner in facts.owner_references.iter() {
            self.pods_by_owner
                .entry(owner.uid.clone())
                .or_default()
                .insert(key.clone());
        }
    }

    /// The pod counts against its node: its requests, and its controller's count there.
    fn add_usage(&mut self, node_name: Word, controller: Option<&Uid>, requests: &PodRequests) {
        let slot = self.usage_slot_of(node_name);
        self.mark_usage_changed(slot);
        let usage = &mut self.usage_slots[slot];
        usage.cpu = usage.cpu.saturating_add(requests.cpu);
        usage.memory = usage.memory.saturating_add(requests.memory);
        usage.cpu_nonzero_milli = usage.cpu_nonzero_milli.saturating_add(requests.cpu_nonzero_milli);
        usage.memory_nonzero = usage.memory_nonzero.saturating_add(requests.memory_nonzero);
        usage.cpu_milli = usage.cpu_milli.saturating_add(requests.cpu_milli);
        usage.memory_bytes = usage.memory_bytes.saturating_add(requests.memory_bytes);
        usage.pods += 1;
        for port in &requests.host_ports {
            *usage.host_ports.entry(port.clone()).or_default() += 1;
        }
        if let Some(controller) = controller {
            *usage.by_controller.entry(controller.clone()).or_default() += 1;
        }
    }

    fn unindex(&mut self, key: &OrderedKey, facts: &IndexedFacts, requests: &PodRequests) {
        self.unindex_node(key, facts.node_name);
        self.unindex_owners(key, facts);
        if facts.counts_against_node() {
            let controller = controller_uid(&facts.owner_references);
            self.remove_usage(facts.node_name, controller.as_ref(), requests);
        }
    }

    fn unindex_node(&mut self, key: &OrderedKey, node_name: Word) {
        if node_name.is_empty() {
            self.pods_unbound.remove(key);
        } else if let Some(keys) = self.pods_by_node.get_mut(&node_name) {
            keys.remove(key);
            if keys.is_empty() {
                self.pods_by_node.remove(&node_name);
            }
        }
    }

    fn unindex_owners(&mut self, key: &OrderedKey, facts: &IndexedFacts) {
        self.pods_without_controller.remove(key);
        for owner in facts.owner_references.iter() {
            if let Some(keys) = self.pods_by_owner.get_mut(&owner.uid) {
                keys.remove(key);
                if keys.is_empty() {
                    self.pods_by_owner.remove(&owner.uid);
                }
            }
        }
    }

    fn remove_usage(&mut self, node_name: Word, controller: Option<&Uid>, requests: &PodRequests) {
        let Some(&slot) = self.usage_index.get(&node_name) else {
            return;
        };
        self.mark_usage_changed(slot);
        let usage = &mut self.usage_slots[slot];
        usage.cpu = usage.cpu.saturating_sub(requests.cpu);
        usage.memory = usage.memory.saturating_sub(requests.memory);
        usage.cpu_nonzero_milli = usage.cpu_nonzero_milli.saturating_sub(requests.cpu_nonzero_milli);
        usage.memory_nonzero = usage.memory_nonzero.saturating_sub(requests.memory_nonzero);
        usage.cpu_milli = usage.cpu_milli.saturating_sub(requests.cpu_milli);
        usage.memory_bytes = usage.memory_bytes.saturating_sub(requests.memory_bytes);
        usage.pods -= 1;
        if let Some(controller) = controller {
            if let Some(count) = usage.by_controller.get_mut(controller) {
                *count -= 1;
                if *count == 0 {
                    usage.by_controller.remove(controller);
                }
            }
        }
        for port in &requests.host_ports {
            if let Some(holders) = usage.host_ports.get_mut(port) {
                *holders -= 1;
                if *holders == 0 {
                    usage.host_ports.remove(port);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Container, ContainerPort, PodPhase};

    /// A `KeyRef` finds in a map keyed by `ObjectKey` exactly what the key of its parts finds:
    /// its order agrees with the keys' (namespace first, then name, by text), including names
    /// that are prefixes of others and namespaces interned in any order.
    #[test]
    fn key_refs_find_what_keys_find() {
        let parts = [
            ("kube-system", "web"),
            ("default", "web-10"),
            ("default", "web-1"),
            ("default", "web"),
            ("a", "zeta"),
            ("team", ""),
            ("team", "alpha"),
        ];
        let mut map = BTreeMap::new();
        for (index, (namespace, name)) in parts.iter().enumerate() {
            map.insert(ObjectKey::new(namespace, name), index);
        }
        for (index, (namespace, name)) in parts.iter().enumerate() {
            assert_eq!(KeyRef(namespace, name).get(&map), Some(&index), "{namespace}/{name}");
            *KeyRef(namespace, name).get_mut(&mut map).unwrap() += 100;
            assert_eq!(map.get(&ObjectKey::new(namespace, name)), Some(&(index + 100)));
        }
        for (namespace, name) in [("default", "web-2"), ("team", "web"), ("b", "web"), ("", "web")] {
            assert_eq!(KeyRef(namespace, name).get(&map), None, "{namespace}/{name}");
            assert_eq!(
                KeyRef(namespace, name).remove_from(&mut map),
                None,
                "{namespace}/{name}"
            );
        }
        // Removing gives back the map's own key with the value.
        for (index, (namespace, name)) in parts.iter().enumerate() {
            let (key, value) = KeyRef(namespace, name).remove_from(&mut map).unwrap();
            assert_eq!((key, value), (ObjectKey::new(namespace, name), index + 100));
        }
        assert!(map.is_empty());
    }

    /// Keys made apart from equal parts are equal and hash equally; the hash takes no part
    /// in the order, which is the parts' (namespace first).
    #[test]
    fn keys_compare_and_hash_as_their_parts() {
        use std::hash::BuildHasher as _;
        let hasher = std::hash::BuildHasherDefault::<crate::fasthash::FxHasher>::default();
        let first = ObjectKey::new("team", "web-1");
        let second = ObjectKey::new("team", "web-1");
        assert!(!std::sync::Arc::ptr_eq(&first.0, &second.0));
        assert_eq!(first, second);
        assert_eq!(hasher.hash_one(&first), hasher.hash_one(&second));
        let parts: &KeyParts = std::borrow::Borrow::borrow(&first);
        assert_eq!(hasher.hash_one(parts), hasher.hash_one(&second));
        // "team/web-1" against "teamweb/-1": the parts, not the joined text.
        assert_ne!(first, ObjectKey::new("teamweb", "-1"));
        let mut keys = [
            ObjectKey::new("team", "b"),
            ObjectKey::new("default", "z"),
            ObjectKey::new("team", "a"),
        ];
        keys.sort();
        let sorted: Vec<(&str, &str)> = keys.iter().map(|key| (&*key.namespace, key.name.as_str())).collect();
        assert_eq!(sorted, [("default", "z"), ("team", "a"), ("team", "b")]);
        // Copies of one key and keys made apart order alike.
        assert_eq!(first.cmp(&first.clone()), std::cmp::Ordering::Equal);
        assert_eq!(first.cmp(&second), std::cmp::Ordering::Equal);
        assert_eq!(keys[0].cmp(&keys[1].clone()), std::cmp::Ordering::Less);
        assert_eq!(keys[2].clone().cmp(&keys[1]), std::cmp::Ordering::Greater);
        let mut map: FastMap<ObjectKey, u32> = FastMap::default();
        map.insert(first.clone(), 1);
        assert_eq!(map.get(&second), Some(&1));
        assert_eq!(
            map.get(&KeyParts::new(crate::word::Word::new("team"), "web-1".to_string())),
            Some(&1)
        );
    }

    /// The ordered indexes' keys sort exactly as `ObjectKey` does, whatever the strings: names
    /// sharing their first 16 bytes, a namespace that is a prefix of another, empty parts,
    /// non-ASCII text and a zero byte.
    #[test]
    fn ordered_keys_sort_as_object_keys() {
        let parts = [
            "",
            "a",
            "ab",
            "a-b",
            "default",
            "default-x",
            "default",
            "kube-system",
            "bulk-abcde",
            "bulk-abcdefghijklmnop",
            "bulk-abcdefghijklmnoq",
            "bulk-abcdefghijklmno",
            "é",
            "z\0",
            "\u{10ffff}",
            "~",
        ];
        let keys: Vec<ObjectKey> = parts
            .iter()
            .flat_map(|namespace| parts.iter().map(move |name| ObjectKey::new(namespace, name)))
            .collect();
        for left in &keys {
            for right in &keys {
                let (ordered_left, ordered_right) = (OrderedKey::new(left.clone()), OrderedKey::new(right.clone()));
                assert_eq!(ordered_left.cmp(&ordered_right), left.cmp(right), "{left:?} {right:?}");
                assert_eq!(ordered_left == ordered_right, left == right);
            }
        }
        assert_eq!(std::mem::size_of::<OrderedKey>(), 24);
    }

    fn pod(name: &str, node: &str, cpu: &str) -> Pod {
        let mut pod = Pod::default();
        pod.metadata.name = name.to_string();
        pod.metadata.namespace = "default".into();
        pod.spec.node_name = node.into();
        let mut container = Container {
            name: "c".to_string(),
            ..Container::default()
        };
        if !cpu.is_empty() {
            container
                .resources
                .requests
                .insert("cpu".to_string(), Quantity::parse(cpu).unwrap());
        }
        container.ports.push(ContainerPort {
            container_port: 80,
            host_port: Some(8080),
            protocol: "TCP".to_string(),
            ..ContainerPort::default()
        });
        pod.spec.containers = std::sync::Arc::from(vec![container]);
        pod
    }

    #[test]
    fn usage_follows_binding_and_terminal_phases() {
        let mut store = Store::default();
        let key = store.insert_pod(pod("a", "n1", "250m"));
        store.insert_pod(pod("b", "n1", ""));
        let usage = store.node_usage("n1").unwrap();
        assert_eq!(usage.pods, 2);
        assert_eq!(usage.cpu.milli_value(), 250);
        assert_eq!(usage.cpu_nonzero_milli, 350);
        assert_eq!(usage.host_ports.len(), 1);
        store.update_pod(&key, |pod| pod.status.phase = PodPhase::Succeeded);
        let usage = store.node_usage("n1").unwrap();
        assert_eq!((usage.pods, usage.cpu.milli_value()), (1, 0));
        assert_eq!(store.pods_on_node("n1").count(), 2, "terminal pods stay bound");
        store.remove_pod(&ObjectKey::new("default", "b"));
        assert_eq!(store.node_usage("n1").unwrap().pods, 0);
        assert_eq!(store.pods_on_node("n1").count(), 1);
    }
}
