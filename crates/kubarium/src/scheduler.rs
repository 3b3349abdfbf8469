//! The default scheduler (`pkg/scheduler`): filters, scores, binds, and keeps pods it cannot
//! place until the cluster changes.
//!
//! Filters run in the default profile's order and stop at a node's first failure, as
//! `RunFilterPlugins` does: NodeUnschedulable, NodeName, TaintToleration, NodeAffinity,
//! NodePorts, NodeResourcesFit. Only a share of a large cluster is searched
//! (`numFeasibleNodesToFind`), starting where the last search stopped. Scores: LeastAllocated
//! and BalancedAllocation (weight 1 each), TaintToleration (3), NodeAffinity (2), and spreading
//! of a controller's pods across nodes (2, for the system-default PodTopologySpread).

use crate::sort::StableSort;
use crate::word::Word;
use std::collections::BTreeMap;

use crate::api::{set_condition, Node, NodeSelectorRequirement, NodeSelectorTerm, PodSpec, Taint};
use crate::quantity::Quantity;
use crate::sim::{ObjectKey, Simulation, Work};
use crate::store::{pod_requests, NodeUsage, PodRequests};
use crate::time::{Millis, SECOND_MS};

/// The profile that scheduled a pod reports its events as its scheduler's name
/// (`profile.NewProfile`: `recorderFact(cfg.SchedulerName)`), `default-scheduler` for most.
fn source(simulation: &Simulation, key: &ObjectKey) -> &'static str {
    simulation
        .store
        .pod(key)
        .map_or("default-scheduler", |pod| pod.spec.scheduler_name.as_str())
}

/// Reasons, as `FitError` counts them (the plugins' `ErrReason...` strings).
pub const REASON_UNSCHEDULABLE: &str = "node(s) were unschedulable";
pub const REASON_NODE_NAME: &str = "node(s) didn't match the requested node name";
pub const REASON_NODE_AFFINITY: &str = "node(s) didn't match Pod's node affinity/selector";
pub const REASON_NODE_PORTS: &str = "node(s) didn't have free ports for the requested pod ports";
const PREEMPTION_NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
const PREEMPTION_NO_VICTIMS: &str = "No preemption victims found for incoming pod";

/// How long an unschedulable pod waits before it is tried again anyway
/// (`podMaxInUnschedulablePodsDuration`).
pub const UNSCHEDULABLE_FLUSH_MS: Millis = 300 * SECOND_MS;

/// One node's verdict for a pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Fits,
    /// Failed a filter whose failure preemption cannot fix (`UnschedulableAndUnresolvable`).
    Unresolvable(Vec<String>),
    /// Failed for resources, which evicting lower-priority pods might fix.
    Unschedulable(Vec<String>),
}

impl Verdict {
    pub fn reasons(&self) -> &[String] {
        match self {
            Verdict::Fits => &[],
            Verdict::Unresolvable(reasons) | Verdict::Unschedulable(reasons) => reasons,
        }
    }
}

impl PodSpec {
    /// `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`, if set.
    pub fn required_node_affinity(&self) -> Option<&crate::api::NodeSelector> {
        self.affinity
            .as_ref()?
            .node_affinity
            .as_ref()?
            .required_during_scheduling_ignored_during_execution
            .as_ref()
    }

    /// The node a pod is bound to, or the one its required `metadata.name` affinity names (as
    /// DaemonSet pods carry it).
    pub fn node_name_or_target(&self) -> Option<&str> {
        if !self.node_name.is_empty() {
            return Some(&self.node_name);
        }
        let required = self.required_node_affinity()?;
        let [term] = required.node_selector_terms.as_slice() else {
            return None;
        };
        let [field] = term.match_fields.as_slice() else {
            return None;
        };
        match (field.key.as_str(), field.operator.as_str(), field.values.as_slice()) {
            ("metadata.name", "In", [name]) => Some(name),
            _ => None,
        }
    }
}

/// The first taint with one of `effects` that no toleration tolerates
/// (`v1helper.FindMatchingUntoleratedTaint`).
pub fn untolerated_taint<'a>(spec: &PodSpec, taints: &'a [Taint], effects: &[&str]) -> Option<&'a Taint> {
    taints
        .iter()
        .filter(|taint| effects.contains(&taint.effect.as_str()))
        .find(|taint| !spec.tolerations.iter().any(|toleration| toleration.tolerates(taint)))
}

/// The NodeAffinity filter: `nodeSelector` must match the node's labels, and at least one
/// required term (if any) must match (`nodeaffinity.GetRequiredNodeAffinity`).
pub fn node_affinity_matches(spec: &PodSpec, node: &Node) -> bool {
    let labels = &node.metadata.labels;
    let selector_matches = spec
        .node_selector
        .iter()
        .all(|(key, value)| labels.get(key) == Some(value));
    let required = spec.required_node_affinity();
    selector_matches
        && required.is_none_or(|required| required.node_selector_terms.iter().any(|term| term_matches(term, node)))
}

fn term_matches(term: &NodeSelectorTerm, node: &Node) -> bool {
    // An empty term matches nothing (`nodeaffinity.nodeSelectorTerm.match`).
    if term.match_expressions.is_empty() && term.match_fields.is_empty() {
        return false;
    }
    let labels = &node.metadata.labels;
    term.match_expressions
        .iter()
        .all(|requirement| requirement_matches(requirement, labels.get(&requirement.key).map(String::as_str)))
        && term.match_fields.iter().all(|requirement| {
            requirement.key == "metadata.name" && requirement_matches(requirement, Some(node.metadata.name.as_str()))
        })
}

/// One node selector requirement against a label or field value.
fn requirement_matches(requirement: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let listed = |value: &str| requirement.values.iter().any(|listed| listed == value);
    let as_number = |text: &str| text.parse::<i64>().ok();
    match requirement.operator.as_str() {
        "In" => value.is_some_and(listed),
        "NotIn" => value.is_none_or(|value| !listed(value)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(actual), Some(bound)) = (
                value.and_then(as_number),
                requirement.values.first().and_then(|bound| as_number(bound)),
            ) else {
                return false;
            };
            if requirement.operator == "Gt" {
                actual > bound
            } else {
                actual < bound
            }
        }
        _ => false,
    }
}

/// A node as the scheduler's snapshot holds it (`framework.NodeInfo`): the object, its usage
/// slot, and its allocatable amounts, read once.
#[derive(Debug, Clone)]
pub struct SnapshotNode {
    pub node: Node,
    pub usage_slot: usize,
    pub cpu: Quantity,
    pub memory: Quantity,
    pub pods: i64,
    /// For scoring: allocatable CPU in millicores and memory in bytes (at least 1).
    pub cpu_milli: i64,
    pub memory_bytes: i64,
    /// Neither cordoned nor tainted: the cordon and taint filters and the taint score have
    /// nothing to look at, whatever the pod.
    pub plain: bool,
    /// The node's name as the `Word` a bound pod's `nodeName` holds.
    pub name: Word,
}

impl SnapshotNode {
    pub fn new(node: Node, usage_slot: usize) -> Self {
        let allocatable = |name: &str| node.status.allocatable.get(name).copied().unwrap_or_default();
        SnapshotNode {
            cpu_milli: allocatable("cpu").milli_value().max(1),
            memory_bytes: allocatable("memory").value().max(1),
            cpu: allocatable("cpu"),
            memory: allocatable("memory"),
            pods: allocatable("pods").value(),
            plain: !node.spec.unschedulable && node.spec.taints.is_empty(),
            name: Word::new(&node.metadata.name),
            node,
            usage_slot,
        }
    }
}

/// Runs the filters for one node, stopping at the first that fails.
pub fn filter_node(spec: &PodSpec, requests: &PodRequests, snapshot: &SnapshotNode, usage: &NodeUsage) -> Verdict {
    // A plain pod on a plain node passes every filter before the resources: no cordon, no
    // node name, no taints, no selector or affinity, no host ports.
    if snapshot.plain && is_plain(spec, requests) {
        return fits_resources(requests, snapshot, usage);
    }
    let node = &snapshot.node;
    // NodeUnschedulable: cordoned nodes, unless the pod tolerates the unschedulable taint.
    if node.spec.unschedulable {
        let tolerates = spec.tolerations.iter().any(|toleration| {
            toleration.tolerates(&Taint {
                key: crate::nodelifecycle::TAINT_UNSCHEDULABLE.to_string(),
                value: String::new(),
                effect: "NoSchedule".to_string(),
                time_added_ms: None,
            })
        });
        if !tolerates {
            return Verdict::Unresolvable(vec![REASON_UNSCHEDULABLE.to_string()]);
        }
    }
    if !spec.node_name.is_empty() && spec.node_name != node.metadata.name {
        return Verdict::Unresolvable(vec![REASON_NODE_NAME.to_string()]);
    }
    if let Some(taint) = untolerated_taint(spec, &node.spec.taints, &["NoSchedule", "NoExecute"]) {
        return Verdict::Unresolvable(vec![format!(
            "node(s) had untolerated taint {}",
            taint.scheduler_string()
        )]);
    }
    if !node_affinity_matches(spec, node) {
        return Verdict::Unresolvable(vec![REASON_NODE_AFFINITY.to_string()]);
    }
    let port_taken = requests.host_ports.iter().any(|(protocol, ip, port)| {
        usage.host_ports.keys().any(|(used_protocol, used_ip, used_port)| {
            used_protocol == protocol && used_port == port && (used_ip == ip || used_ip == "0.0.0.0" || ip == "0.0.0.0")
        })
    });
    if port_taken {
        return Verdict::Unschedulable(vec![REASON_NODE_PORTS.to_string()]);
    }
    fits_resources(requests, snapshot, usage)
}

/// A pod that names no node and asks for no node selector, affinity or host port.
fn is_plain(spec: &PodSpec, requests: &PodRequests) -> bool {
    spec.node_name.is_empty()
        && spec.node_selector.is_empty()
        && spec.affinity.is_none()
        && requests.host_ports.is_empty()
}

/// The NodeResourcesFit filter.
fn fits_resources(requests: &PodRequests, snapshot: &SnapshotNode, usage: &NodeUsage) -> Verdict {
    misfit_verdict(resource_misfits(requests, snapshot, usage))
}

/// `resource_misfits`' bits, one per NodeResourcesFit reason, in `fitsRequest`'s order.
const MISFIT_REASONS: [(u8, &str); 3] = [
    (1, "Too many pods"),
    (2, "Insufficient cpu"),
    (4, "Insufficient memory"),
];

/// A `resource_misfits` bit: a request larger than the node's whole allocatable, which no
/// eviction can make room for (`InsufficientResource.Unresolvable`).
const MISFIT_UNRESOLVABLE: u8 = 8;

/// NodeResourcesFit (`noderesources/fit.go` `fitsRequest`): pods first, then each requested
/// resource; the reasons as `MISFIT_REASONS`' bits, 0 when the pod fits, with
/// `MISFIT_UNRESOLVABLE` when a request exceeds the allocatable itself.
fn resource_misfits(requests: &PodRequests, snapshot: &SnapshotNode, usage: &NodeUsage) -> u8 {
    let mut misfits = 0;
    if i64::from(usage.pods) + 1 > snapshot.pods {
        misfits |= 1;
    }
    if !requests.cpu.is_zero() && usage.cpu.saturating_add(requests.cpu) > snapshot.cpu {
        misfits |= 2;
        if requests.cpu > snapshot.cpu {
            misfits |= MISFIT_UNRESOLVABLE;
        }
    }
    if !requests.memory.is_zero() && usage.memory.saturating_add(requests.memory) > snapshot.memory {
        misfits |= 4;
        if requests.memory > snapshot.memory {
            misfits |= MISFIT_UNRESOLVABLE;
        }
    }
    misfits
}

/// NodeResourcesFit's `Filter`: every reason kept, `UnschedulableAndUnresolvable` when one of
/// them is unresolvable (preemption then says it is "not helpful" on that node).
fn misfit_verdict(misfits: u8) -> Verdict {
    if misfits == 0 {
        return Verdict::Fits;
    }
    let reasons = MISFIT_REASONS
        .iter()
        .filter(|(bit, _)| misfits & bit != 0)
        .map(|(_, reason)| reason.to_string())
        .collect();
    if misfits & MISFIT_UNRESOLVABLE != 0 {
        Verdict::Unresolvable(reasons)
    } else {
        Verdict::Unschedulable(reasons)
    }
}

/// The resource scores of a node: LeastAllocated plus BalancedAllocation, each 0..100
/// (`noderesources/least_allocated.go` `leastResourceScorer`, `balanced_allocation.go`
/// `balancedResourceScorer`, for cpu and memory with weight 1).
fn resource_score(requests: &PodRequests, entry: &SnapshotNode, usage: &NodeUsage) -> i64 {
    let (allocatable_cpu, allocatable_memory) = (entry.cpu_milli, entry.memory_bytes);
    // LeastAllocated (with the non-zero default requests): the mean free share, 0..100.
    let free_share = |used: i64, allocatable: i64| {
        let used = used.clamp(0, allocatable);
        // In 64 bits when the product fits (the same quotient), else in 128.
        match (allocatable - used).checked_mul(100) {
            Some(scaled) => scaled / allocatable,
            None => (i128::from(allocatable - used) * 100 / i128::from(allocatable)) as i64,
        }
    };
    let least = (free_share(
        usage.cpu_nonzero_milli.saturating_add(requests.cpu_nonzero_milli),
        allocatable_cpu,
    ) + free_share(
        usage.memory_nonzero.saturating_add(requests.memory_nonzero),
        allocatable_memory,
    )) / 2;
    // BalancedAllocation (with the actual requests, each share capped at 1):
    // 100 × (1 − standard deviation of the used shares).
    let share = |used: i64, allocatable: i64| (used as f64 / allocatable as f64).min(1.0);
    let cpu_fraction = share(usage.cpu_milli.saturating_add(requests.cpu_milli), allocatable_cpu);
    let memory_fraction = share(
        usage.memory_bytes.saturating_add(requests.memory_bytes),
        allocatable_memory,
    );
    let balanced = ((1.0 - (cpu_fraction - memory_fraction).abs() / 2.0) * 100.0) as i64;
    least + balanced
}

/// `numFeasibleNodesToFind` with the adaptive `percentageOfNodesToScore`.
pub fn feasible_nodes_to_find(all_nodes: usize) -> usize {
    const MIN_FEASIBLE_NODES: usize = 100;
    if all_nodes < MIN_FEASIBLE_NODES {
        return all_nodes;
    }
    let percentage = (50 - all_nodes as i64 / 125).max(5) as usize;
    (all_nodes * percentage / 100).max(MIN_FEASIBLE_NODES)
}

/// `FitError.Error()`: `0/N nodes are available: <sorted reason counts>.` plus preemption's
/// summary for the default scheduler.
pub fn fit_error_message(node_count: usize, verdicts: &BTreeMap<String, Verdict>) -> String {
    if node_count == 0 {
        return "no nodes available to schedule pods".to_string();
    }
    let histogram = |reasons: &mut dyn Iterator<Item = String>| {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for reason in reasons {
            *counts.entry(reason).or_default() += 1;
        }
        let mut lines: Vec<String> = counts
            .iter()
            .map(|(reason, count)| format!("{count} {reason}"))
            .collect();
        lines.stable_sort();
        lines.join(", ")
    };
    let reasons = histogram(&mut verdicts.values().flat_map(|verdict| verdict.reasons().to_vec()));
    let preemption = histogram(&mut verdicts.values().map(|verdict| match verdict {
        Verdict::Unschedulable(_) => PREEMPTION_NO_VICTIMS.to_string(),
        _ => PREEMPTION_NOT_HELPFUL.to_string(),
    }));
    format!(
        "0/{node_count} nodes are available: {reasons}. preemption: 0/{node_count} nodes are available: {preemption}."
    )
}

/// NodeAffinity `PreFilter`: when every required term names nodes with `metadata.name In` (as
/// DaemonSet pods do), only those nodes can fit (`PreFilterResult.NodeNames`).
fn prefilter_node_names(spec: &PodSpec) -> Option<Vec<String>> {
    let required = spec.required_node_affinity()?;
    let mut names = Vec::new();
    for term in &required.node_selector_terms {
        let field = term
            .match_fields
            .iter()
            .find(|field| field.key == "metadata.name" && field.operator == "In")?;
        names.extend(field.values.iter().cloned());
    }
    names.stable_sort();
    names.dedup();
    Some(names)
}

/// Schedules one pod.
pub fn schedule_pod(simulation: &mut Simulation, key: &ObjectKey) {
    // The snapshot first (it is kept until a node changes), so that the pod is looked up once
    // and read in place: the store is not changed until the pod is bound or marked
    // unschedulable, and copying its spec was a tenth of the scheduling cost.
    let snapshot = simulation.node_snapshot();
    simulation.scheduler_cache.note_usage_changes(&mut simulation.store);
    let Some(pod) = simulation.store.pod(key) else {
        return;
    };
    if !pod.spec.node_name.is_empty()
        || pod.metadata.is_terminating()
        || !simulation.schedulers.contains(pod.spec.scheduler_name.as_str())
    {
        // A pod for a scheduler nobody runs stays Pending with no event, as on a real cluster.
        return;
    }
    let spec = &pod.spec;
    let requests = pod_requests(pod);
    let owner_uid = pod.metadata.controller_of().map(|owner| &owner.uid);
    let node_count = snapshot.len();
    let prefiltered: Option<Vec<usize>> = prefilter_node_names(spec).map(|names| {
        names
            .iter()
            .filter_map(|name| {
                snapshot
                    .binary_search_by(|entry| entry.node.metadata.name.as_str().cmp(name))
                    .ok()
            })
            .collect()
    });
    // The search starts where the last one stopped (`nextStartNodeIndex`).
    let start = match &prefiltered {
        None if node_count > 0 => simulation.next_start_node_index % node_count,
        _ => 0,
    };
    let cache = &mut simulation.scheduler_cache;
    cache.prepare(&snapshot, &simulation.store, &requests);
    let mut search = Search::with_buffers(cache);
    let placing = Placing {
        store: &simulation.store,
        snapshot: &snapshot,
        spec,
        requests: &requests,
    };
    search.run(cache, &placing, prefiltered.as_deref(), start);
    if prefiltered.is_none() && node_count > 0 {
        simulation.next_start_node_index = (start + search.processed) % node_count;
    }
    if search.found_none() && prefiltered.is_some() {
        // The nodes the PreFilter ruled out count with its reason.
        for entry in snapshot.iter() {
            search
                .verdicts
                .entry(entry.node.metadata.name.clone())
                .or_insert_with(|| {
                    Verdict::Unresolvable(vec!["node(s) didn't satisfy plugin(s) [NodeAffinity]".to_string()])
                });
        }
    }
    let chosen = (!search.found_none()).then(|| {
        select_host(
            &simulation.store,
            &mut simulation.rng,
            &mut simulation.scheduler_cache,
            &snapshot,
            spec,
            owner_uid,
            &mut search,
        )
    });
    let verdicts = search.return_buffers(&mut simulation.scheduler_cache);
    let Some(chosen) = chosen else {
        fail(simulation, key, node_count, &verdicts);
        return;
    };
    let node = &snapshot[chosen].node;
    debug_assert_eq!(
        simulation
            .store
            .nodes
            .get(&node.metadata.name)
            .map(|stored| &stored.spec.taints),
        Some(&node.spec.taints),
        "the snapshot is rebuilt whenever a node changes"
    );
    bind(simulation, key, snapshot[chosen].name);
    // `schedule_pod_eviction` looks for the node's NoExecute taints: none on an untainted node.
    if !node.spec.taints.is_empty() {
        crate::nodelifecycle::schedule_pod_eviction(simulation, key);
    }
}

/// One pod's search of the nodes (`findNodesThatPassFilters`): the nodes that fit, with their
/// resource scores, and why the others did not.
struct Search {
    processed: usize,
    /// When every node searched was a plain node where the pod fits: the first snapshot index
    /// and the number of nodes (wrapping around), whose scores are the cache's; `feasible` and
    /// `totals` stay empty.
    window: Option<(usize, usize)>,
    feasible: Vec<usize>,
    /// Per feasible node: its total score (the resource scores until `select_host` adds the
    /// others).
    totals: Vec<i64>,
    /// Whether every feasible node is neither cordoned nor tainted.
    all_plain: bool,
    verdicts: BTreeMap<String, Verdict>,
}

/// What one pod's search reads: the store (usage), the node snapshot, and the pod.
#[derive(Clone, Copy)]
struct Placing<'a> {
    store: &'a crate::store::Store,
    snapshot: &'a [SnapshotNode],
    spec: &'a PodSpec,
    requests: &'a PodRequests,
}

impl Search {
    fn with_buffers(cache: &mut NodeCache) -> Self {
        let mut feasible = std::mem::take(&mut cache.feasible);
        let mut totals = std::mem::take(&mut cache.totals);
        feasible.clear();
        totals.clear();
        Search {
            processed: 0,
            window: None,
            feasible,
            totals,
            all_plain: true,
            verdicts: BTreeMap::new(),
        }
    }

    fn found_none(&self) -> bool {
        self.window.is_none() && self.feasible.is_empty()
    }

    /// Lists the window's nodes in `feasible` and `totals`.
    fn materialize(&mut self, quick: &[i32]) {
        if let Some((start, count)) = self.window.take() {
            for offset in 0..count {
                let index = (start + offset) % quick.len();
                self.feasible.push(index);
                self.totals.push(i64::from(quick[index]));
            }
        }
    }

    /// Hands the buffers back for the next pod.
    fn return_buffers(self, cache: &mut NodeCache) -> BTreeMap<String, Verdict> {
        cache.feasible = self.feasible;
        cache.totals = self.totals;
        self.verdicts
    }

    /// Runs the filters on the nodes from `start` on (or on the PreFilter's nodes), wrapping
    /// around, until `numFeasibleNodesToFind` nodes fit or every node was looked at.
    fn run(&mut self, cache: &mut NodeCache, placing: &Placing, prefiltered: Option<&[usize]>, start: usize) {
        let Placing {
            store,
            snapshot,
            spec,
            requests,
        } = *placing;
        let searched = prefiltered.map_or(snapshot.len(), <[usize]>::len);
        let to_find = feasible_nodes_to_find(searched);
        // The filters of a plain pod on a plain node are the resource filter alone, which the
        // node cache holds for this pod's shape; other nodes and pods run every filter.
        let plain_pod = is_plain(spec, requests);
        if plain_pod && searched > 0 {
            // Most often, the first nodes to find are all plain nodes where the pod fits.
            let count = to_find.min(searched);
            let [first, second] = window_parts(cache.quick_scores(), start, count);
            if first.iter().chain(second).fold(0, |signs, score| signs | score) >= 0 {
                if cfg!(debug_assertions) {
                    for offset in 0..count {
                        cache.debug_check((start + offset) % searched, store, requests);
                    }
                }
                self.window = Some((start, count));
                self.processed = count;
                return;
            }
        }
        let mut position = start;
        while self.processed < searched && self.feasible.len() < to_find {
            if plain_pod {
                // A plain pod has no PreFilter: the nodes are taken in snapshot order, and a run
                // of plain nodes where it fits is read from the cache in one go.
                let end = searched.min(position + (searched - self.processed));
                let taken = self.take_quick(&cache.quick_scores()[position..end], position, to_find);
                if cfg!(debug_assertions) {
                    for index in position..position + taken {
                        cache.debug_check(index, store, requests);
                    }
                }
                self.processed += taken;
                position += taken;
                let stopped_early = position < end;
                if position == searched {
                    position = 0;
                }
                if !stopped_early || self.feasible.len() >= to_find {
                    continue;
                }
            }
            // This node's filters must run.
            let index = prefiltered.map_or(position, |indexes| indexes[position]);
            position += 1;
            if position == searched {
                position = 0;
            }
            self.processed += 1;
            self.filter(cache, placing, plain_pod, index);
        }
    }

    /// Takes the nodes of a run from the node cache while they are plain and fit, up to
    /// `to_find` feasible nodes in all; returns how many it took.
    fn take_quick(&mut self, scores: &[i32], first_index: usize, to_find: usize) -> usize {
        let room = to_find.saturating_sub(self.feasible.len());
        let mut taken = 0;
        for &score in scores.iter().take(room) {
            if score < 0 {
                break;
            }
            self.feasible.push(first_index + taken);
            self.totals.push(i64::from(score));
            taken += 1;
        }
        taken
    }

    /// Runs the filters on one node (all of them, or the resource filter's cached verdict for
    /// a plain pod on a plain node).
    fn filter(&mut self, cache: &mut NodeCache, placing: &Placing, plain_pod: bool, index: usize) {
        let Placing {
            store,
            snapshot,
            spec,
            requests,
        } = *placing;
        let cached = cache.node(index, store, requests);
        let verdict = if plain_pod && cached.plain {
            misfit_verdict(cached.misfits)
        } else {
            let entry = &snapshot[index];
            filter_node(spec, requests, entry, store.usage_at(entry.usage_slot))
        };
        if verdict == Verdict::Fits {
            self.feasible.push(index);
            self.totals.push(i64::from(cached.score));
            self.all_plain &= cached.plain;
        } else {
            self.verdicts
                .insert(snapshot[index].node.metadata.name.clone(), verdict);
        }
    }
}

/// No node fits: a `FailedScheduling` event and condition with `FitError`'s message, and
/// another try after the back-off.
fn fail(simulation: &mut Simulation, key: &ObjectKey, node_count: usize, verdicts: &BTreeMap<String, Verdict>) {
    let message = fit_error_message(node_count, verdicts);
    simulation.filter_results.insert(
        key.clone(),
        verdicts
            .iter()
            .map(|(node, verdict)| (node.clone(), verdict.reasons().join(", ")))
            .collect(),
    );
    let source = source(simulation, key);
    simulation.record_pod_event("Warning", "FailedScheduling", key, message.clone(), source);
    let now = simulation.now();
    simulation.store.update_pod(key, |pod| {
        set_condition(
            &mut pod.status.conditions,
            now,
            "PodScheduled",
            "False",
            "Unschedulable",
            &message,
        );
    });
    let attempt = simulation.unschedulable.entry(key.clone()).or_insert((0, now));
    *attempt = (attempt.0 + 1, now);
    simulation.enqueue_at(Work::SchedulePod(key.clone()), now + UNSCHEDULABLE_FLUSH_MS);
}

/// Scores the feasible nodes and picks the best, returning its snapshot index; ties are broken
/// at random, as `selectHost` (`pkg/scheduler/schedule_one.go`) samples among equal scores.
fn select_host(
    store: &crate::store::Store,
    rng: &mut crate::rng::Rng,
    cache: &mut NodeCache,
    snapshot: &[SnapshotNode],
    spec: &PodSpec,
    owner_uid: Option<&crate::api::Uid>,
    search: &mut Search,
) -> usize {
    let (divisors, quick) = cache.divisors_and_quick_scores();
    if let Some((start, count)) = search.window {
        if owner_uid.is_none() {
            // Plain nodes only, and a plain pod: the resource scores decide.
            return (start + pick_in_window(window_parts(quick, start, count), rng, divisors)) % quick.len();
        }
        search.materialize(quick);
    }
    let feasible = &search.feasible;
    if feasible.len() == 1 {
        return feasible[0];
    }
    // The other scores matter only when they can differ between nodes: when all are 0, each
    // normalizes to the same value on every node, which changes neither the best total nor
    // which nodes tie for it.
    let preferred_terms = spec
        .affinity
        .as_ref()
        .and_then(|affinity| affinity.node_affinity.as_ref())
        .map_or(&[][..], |affinity| {
            &affinity.preferred_during_scheduling_ignored_during_execution[..]
        });
    if !search.all_plain || !preferred_terms.is_empty() || owner_uid.is_some() {
        add_placement_scores(
            store,
            snapshot,
            spec,
            owner_uid,
            preferred_terms,
            feasible,
            &mut search.totals,
        );
    }
    let totals = &search.totals;
    let best = totals.iter().copied().max().unwrap_or(0);
    let tied = totals.iter().filter(|total| **total == best).count();
    // The loop over the nodes in order drawing `rng.below(seen) == 0` for the `seen`-th tied
    // node, with the same draws and no division.
    let kept = rng.reservoir_pick(tied as u64, divisors) as usize;
    let chosen = totals
        .iter()
        .enumerate()
        .filter(|(_, total)| **total == best)
        .nth(kept)
        .map_or(0, |(position, _)| position);
    feasible[chosen]
}

/// The `count` scores from `start` on, wrapping around, as two slices.
fn window_parts(scores: &[i32], start: usize, count: usize) -> [&[i32]; 2] {
    let first_end = (start + count).min(scores.len());
    [&scores[start..first_end], &scores[..count - (first_end - start)]]
}

/// `select_host`'s pick over a window of scores: the offset of the tied best node that the
/// draws keep, as over `totals`.
fn pick_in_window(parts: [&[i32]; 2], rng: &mut crate::rng::Rng, divisors: &mut crate::rng::Divisors) -> usize {
    if parts[0].len() + parts[1].len() == 1 {
        return 0;
    }
    let best = parts
        .iter()
        .filter_map(|part| part.iter().max())
        .max()
        .copied()
        .unwrap_or(0);
    let ties = |part: &[i32]| part.iter().filter(|score| **score == best).count();
    let tied = ties(parts[0]) + ties(parts[1]);
    let mut kept = rng.reservoir_pick(tied as u64, divisors) as usize;
    let mut offset = 0;
    for part in parts {
        let here = ties(part);
        if kept < here {
            let position = part.iter().enumerate().filter(|(_, score)| **score == best).nth(kept);
            return offset + position.map_or(0, |(position, _)| position);
        }
        kept -= here;
        offset += part.len();
    }
    0
}

/// Adds TaintToleration (weight 3), NodeAffinity (2) and the spreading of a controller's pods
/// (2) to each feasible node's total, each normalized over the feasible nodes.
fn add_placement_scores(
    store: &crate::store::Store,
    snapshot: &[SnapshotNode],
    spec: &PodSpec,
    owner_uid: Option<&crate::api::Uid>,
    preferred_terms: &[crate::api::PreferredSchedulingTerm],
    feasible: &[usize],
    totals: &mut [i64],
) {
    let mut raw: Vec<[i64; 3]> = Vec::with_capacity(feasible.len());
    for &index in feasible {
        let entry = &snapshot[index];
        let node = &entry.node;
        let usage = store.usage_at(entry.usage_slot);
        let prefer_no_schedule = if entry.plain { &[][..] } else { &node.spec.taints[..] }
            .iter()
            .filter(|taint| {
                taint.effect == "PreferNoSchedule"
                    && !spec.tolerations.iter().any(|toleration| toleration.tolerates(taint))
            })
            .count() as i64;
        let preferred: i64 = preferred_terms
            .iter()
            .filter(|term| term_matches(&term.preference, node))
            .map(|term| i64::from(term.weight))
            .sum();
        // Pods of the same controller already here, finished ones not counted (the scheduler's
        // cache holds no terminal pods).
        let siblings = owner_uid.map_or(0, |uid| usage.by_controller.get(uid).copied().unwrap_or(0) as i64);
        raw.push([prefer_no_schedule, preferred, siblings]);
    }
    // `DefaultNormalizeScore`: scale to 0..100 by the maximum, reversed where fewer is better.
    let max_of = |column: usize| raw.iter().map(|scores| scores[column]).max().unwrap_or(0);
    let (max_taints, max_preferred, max_siblings) = (max_of(0), max_of(1), max_of(2));
    let normalize = |value: i64, max: i64, reverse: bool| {
        if max == 0 {
            return if reverse { 100 } else { 0 };
        }
        let score = value * 100 / max;
        if reverse {
            100 - score
        } else {
            score
        }
    };
    for (total, [taints, preferred, siblings]) in totals.iter_mut().zip(raw) {
        *total += 3 * normalize(taints, max_taints, true)
            + 2 * normalize(preferred, max_preferred, false)
            + 2 * normalize(siblings, max_siblings, true);
    }
}

/// Binds: `nodeName` set, `PodScheduled` true, and the node's kubelet takes over.
fn bind(simulation: &mut Simulation, key: &ObjectKey, node_word: Word) {
    let now = simulation.now();
    let resource_version = simulation.bump_resource_version();
    simulation.store.update_pod(key, |pod| {
        pod.spec.node_name = node_word;
        pod.metadata.resource_version = resource_version;
        set_condition(&mut pod.status.conditions, now, "PodScheduled", "True", "", "");
    });
    simulation.unschedulable.remove(key);
    simulation.filter_results.remove(key);
    let source = source(simulation, key);
    simulation.record_scheduled_event(key, node_word, source);
    simulation.enqueue_now(Work::KubeletSyncPod(key.clone()));
    simulation.pod_status_changed(key);
}

/// A cluster event that may let unschedulable pods fit: each goes back to the active queue
/// after its back-off (1s doubling to 10s per failed attempt).
pub fn requeue_unschedulable(simulation: &mut Simulation) {
    let now = simulation.now();
    let pending: Vec<(ObjectKey, (u32, Millis))> = simulation
        .unschedulable
        .iter()
        .map(|(key, attempt)| (key.clone(), *attempt))
        .collect();
    for (key, (attempts, last_attempt)) in pending {
        // The back-off counts from the last attempt (`getBackoffTime`); a pod whose back-off has
        // run out goes straight back to the active queue.
        let backoff = (SECOND_MS << attempts.saturating_sub(1).min(4)).min(10 * SECOND_MS);
        simulation.enqueue_at(Work::SchedulePod(key), (last_attempt + backoff).max(now));
    }
}

mod cache;
pub(crate) use cache::NodeCache;

#[cfg(test)]
mod tests;
