//! The scheduler's per-node cache: each node's resource fit and resource scores for the pod
//! shape last scheduled, in flat arrays, recomputed only for nodes whose usage changed.
//!
//! Searching 500 of 5,000 nodes per pod (`numFeasibleNodesToFind`) then costs a look at four
//! bytes per node, not the filters and the score arithmetic over the node and its usage: when
//! pods of one shape are scheduled in a row, only the node the last one went to changed (the
//! store lists the nodes whose usage changed, `Store::take_changed_usage_slots`). The
//! decisions are the ones the filters and scores would make: `resource_misfits` and
//! `resource_score` compute both, cached or not.

use std::sync::Arc;

use super::{resource_misfits, resource_score, SnapshotNode};
use crate::quantity::Quantity;
use crate::rng::Divisors;
use crate::store::{PodRequests, Store};

/// The cached values of one node (by its index in the snapshot).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CachedNode {
    usage_slot: u32,
    /// Neither cordoned nor tainted (`SnapshotNode::plain`).
    pub plain: bool,
    /// `resource_misfits`: the NodeResourcesFit reasons as bits, 0 when the pod fits.
    pub misfits: u8,
    /// `resource_score`: LeastAllocated plus BalancedAllocation, 0..200.
    pub score: i32,
}

/// `NodeCache::quick` for a node to recompute.
const STALE: i32 = -2;
/// `NodeCache::quick` for a node that is not plain or where the pod does not fit: its filters
/// must run (with `NodeCache::node`).
const FILTER: i32 = -1;

/// What of a pod's requests the cached values depend on (its host ports do not count here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    cpu: Quantity,
    memory: Quantity,
    cpu_nonzero_milli: i64,
    memory_nonzero: i64,
    cpu_milli: i64,
    memory_bytes: i64,
}

impl Shape {
    fn of(requests: &PodRequests) -> Self {
        Shape {
            cpu: requests.cpu,
            memory: requests.memory,
            cpu_nonzero_milli: requests.cpu_nonzero_milli,
            memory_nonzero: requests.memory_nonzero,
            cpu_milli: requests.cpu_milli,
            memory_bytes: requests.memory_bytes,
        }
    }
}

/// The cache, with the scheduler's reusable buffers and the tie-breaker's divisor constants.
#[derive(Debug, Default)]
pub(crate) struct NodeCache {
    /// The snapshot the entries are for (held, so a new snapshot is never at its address).
    snapshot: Option<Arc<Vec<SnapshotNode>>>,
    shape: Option<Shape>,
    /// Per snapshot index: the resource score of a plain node where the pod fits, else
    /// `FILTER` or `STALE`.
    quick: Vec<i32>,
    nodes: Vec<CachedNode>,
    /// The snapshot index of each usage slot (`u32::MAX` for a slot of no node in it).
    index_of_slot: Vec<u32>,
    changed_slots: Vec<u32>,
    /// The snapshot indexes `note_usage_changes` marked stale, which `prepare` recomputes.
    stale: Vec<usize>,
    pub divisors: Divisors,
    /// Buffers reused from pod to pod: the feasible nodes' indexes and their total scores
    /// (`Search`).
    pub feasible: Vec<usize>,
    pub totals: Vec<i64>,
}

impl NodeCache {
    /// Marks the nodes whose usage changed since the last call stale.
    pub fn note_usage_changes(&mut self, store: &mut Store) {
        store.take_changed_usage_slots(&mut self.changed_slots);
        for &slot in &self.changed_slots {
            if let Some(&index) = self.index_of_slot.get(slot as usize) {
                // A node already stale is listed already, or all are stale.
                if index != u32::MAX && self.quick[index as usize] != STALE {
                    self.quick[index as usize] = STALE;
                    self.stale.push(index as usize);
                }
            }
        }
    }

    /// Makes the entries those of `snapshot` and of pods shaped as `requests`: all of them
    /// stale when either changed (recomputed as the search comes to them), else those of the
    /// nodes whose usage changed recomputed now, so that the search finds no stale node.
    pub fn prepare(&mut self, snapshot: &Arc<Vec<SnapshotNode>>, store: &Store, requests: &PodRequests) {
        let same_snapshot = self
            .snapshot
            .as_ref()
            .is_some_and(|cached| Arc::ptr_eq(cached, snapshot));
        if !same_snapshot {
            self.rebuild(snapshot);
        }
        let shape = Shape::of(requests);
        let mut stale = std::mem::take(&mut self.stale);
        if self.shape != Some(shape) {
            self.shape = Some(shape);
            self.quick.fill(STALE);
        } else {
            for &index in &stale {
                self.node(index, store, requests);
            }
        }
        stale.clear();
        self.stale = stale;
    }

    fn rebuild(&mut self, snapshot: &Arc<Vec<SnapshotNode>>) {
        self.snapshot = Some(snapshot.clone());
        self.nodes = snapshot
            .iter()
            .map(|entry| CachedNode {
                usage_slot: entry.usage_slot as u32,
                plain: entry.plain,
                misfits: 0,
                score: 0,
            })
            .collect();
        self.quick = vec![STALE; snapshot.len()];
        self.stale.clear();
        let slots = snapshot.iter().map(|entry| entry.usage_slot + 1).max().unwrap_or(0);
        self.index_of_slot = vec![u32::MAX; slots];
        for (index, entry) in snapshot.iter().enumerate() {
            self.index_of_slot[entry.usage_slot] = index as u32;
        }
        self.shape = None;
    }

    /// Per snapshot index, the resource score of the node if it is plain and the pod fits, else
    /// `FILTER` or `STALE` (below 0): then `node` says more.
    #[inline]
    pub fn quick_scores(&self) -> &[i32] {
        &self.quick
    }

    /// The divisor constants to draw with, and `quick_scores`.
    pub fn divisors_and_quick_scores(&mut self) -> (&mut Divisors, &[i32]) {
        (&mut self.divisors, &self.quick)
    }

    /// The node at `index` of the prepared snapshot, recomputed if its usage changed since.
    pub fn node(&mut self, index: usize, store: &Store, requests: &PodRequests) -> CachedNode {
        let cached = &mut self.nodes[index];
        if self.quick[index] == STALE {
            let snapshot = self.snapshot.as_ref().expect("prepared");
            let usage = store.usage_at(cached.usage_slot as usize);
            cached.misfits = resource_misfits(requests, &snapshot[index], usage);
            cached.score = resource_score(requests, &snapshot[index], usage) as i32;
            self.quick[index] = if cached.plain && cached.misfits == 0 {
                cached.score
            } else {
                FILTER
            };
        }
        self.debug_check(index, store, requests);
        self.nodes[index]
    }

    /// In debug builds (every test), checks a node's cached values against the filters and
    /// scores computed afresh.
    #[inline]
    pub fn debug_check(&self, index: usize, store: &Store, requests: &PodRequests) {
        if cfg!(debug_assertions) && self.quick[index] != STALE {
            let snapshot = self.snapshot.as_ref().expect("prepared");
            let cached = self.nodes[index];
            let usage = store.usage_at(cached.usage_slot as usize);
            let misfits = resource_misfits(requests, &snapshot[index], usage);
            let score = resource_score(requests, &snapshot[index], usage) as i32;
            assert_eq!((cached.misfits, cached.score), (misfits, score), "node {index}");
            let quick = if cached.plain && misfits == 0 { score } else { FILTER };
            assert_eq!(self.quick[index], quick, "node {index}");
        }
    }
}
