//! The scheduler's per-node cache: each node's resource fit and resource scores for the pod
//! shape last scheduled, in one flat array, recomputed only for nodes whose usage changed.
//!
//! Searching 500 of 5,000 nodes per pod (`numFeasibleNodesToFind`) then costs a look at 24
//! bytes per node, not the filters and the score arithmetic over the node and its usage: when
//! pods of one shape are scheduled in a row, only the node the last one went to changed. The
//! decisions are the ones the filters and scores would make (`resource_misfits` and
//! `resource_score` compute both, cached or not).

use std::sync::Arc;

use super::{resource_misfits, resource_score, SnapshotNode};
use crate::quantity::Quantity;
use crate::rng::Divisors;
use crate::store::{PodRequests, Store};

/// The cached values of one node (by its index in the snapshot).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CachedNode {
    /// The store's usage version the values were computed at; `STALE` when never.
    usage_version: u64,
    usage_slot: u32,
    /// Neither cordoned nor tainted (`SnapshotNode::plain`).
    pub plain: bool,
    /// `resource_misfits`: the NodeResourcesFit reasons as bits, 0 when the pod fits.
    pub misfits: u8,
    /// `resource_score`: LeastAllocated plus BalancedAllocation.
    pub score: i32,
}

const STALE: u64 = u64::MAX;

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
    nodes: Vec<CachedNode>,
    pub divisors: Divisors,
    /// Buffers reused from pod to pod: the feasible nodes' indexes and their total scores
    /// (`Search`).
    pub feasible: Vec<usize>,
    pub totals: Vec<i64>,
}

impl NodeCache {
    /// Makes the entries those of `snapshot` and of pods shaped as `requests`: all of them
    /// stale when either changed.
    pub fn prepare(&mut self, snapshot: &Arc<Vec<SnapshotNode>>, requests: &PodRequests) {
        let same_snapshot = self
            .snapshot
            .as_ref()
            .is_some_and(|cached| Arc::ptr_eq(cached, snapshot));
        if !same_snapshot {
            self.snapshot = Some(snapshot.clone());
            self.nodes = snapshot
                .iter()
                .map(|entry| CachedNode {
                    usage_version: STALE,
                    usage_slot: entry.usage_slot as u32,
                    plain: entry.plain,
                    misfits: 0,
                    score: 0,
                })
                .collect();
            self.shape = None;
        }
        let shape = Shape::of(requests);
        if self.shape != Some(shape) {
            self.shape = Some(shape);
            for node in &mut self.nodes {
                node.usage_version = STALE;
            }
        }
    }

    /// The node at `index` of the prepared snapshot, recomputed if its usage changed since.
    #[inline]
    pub fn node(&mut self, index: usize, store: &Store, requests: &PodRequests) -> CachedNode {
        let cached = &mut self.nodes[index];
        let slot = cached.usage_slot as usize;
        let version = store.usage_version(slot);
        if cached.usage_version != version {
            let snapshot = self.snapshot.as_ref().expect("prepared");
            let usage = store.usage_at(slot);
            cached.misfits = resource_misfits(requests, &snapshot[index], usage);
            cached.score = resource_score(requests, &snapshot[index], usage) as i32;
            cached.usage_version = version;
        }
        *cached
    }
}
