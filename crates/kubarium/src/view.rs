//! View types: plain, serialisable pictures of the cluster for the UI, the wasm facade and the
//! CLI. Built from the simulation; never fed back into it.

use serde::Serialize;

use crate::api::Pod;
use crate::sim::Simulation;
use crate::time::Millis;

/// The cluster at one simulated instant.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub time_ms: Millis,
    pub nodes: Vec<NodeView>,
    /// Pods no node has taken yet: the UI's "Pending" lane.
    pub unscheduled: Vec<PodView>,
    pub event_count: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeView {
    pub name: String,
    pub ready: bool,
    pub pods: Vec<PodView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodView {
    pub uid: String,
    pub name: String,
    pub namespace: String,
    /// `status.phase`.
    pub phase: String,
    /// What `kubectl get pods` prints in STATUS (`ContainerCreating`, `Running`, ...).
    pub status: String,
    /// `kind/name` of the controlling owner, lower-case kind as kubectl prints it.
    pub owner: Option<String>,
    pub node: Option<String>,
}

impl PodView {
    pub fn of(pod: &Pod) -> Self {
        let waiting = pod
            .status
            .container_statuses
            .iter()
            .find_map(|status| status.waiting_reason.clone());
        PodView {
            uid: pod.metadata.uid.clone(),
            name: pod.metadata.name.clone(),
            namespace: pod.metadata.namespace.clone(),
            phase: pod.status.phase.as_str().to_string(),
            status: waiting.unwrap_or_else(|| pod.status.phase.as_str().to_string()),
            owner: pod
                .metadata
                .controller_of()
                .map(|owner| format!("{}/{}", owner.kind.to_lowercase(), owner.name)),
            node: (!pod.spec.node_name.is_empty()).then(|| pod.spec.node_name.clone()),
        }
    }
}

impl Simulation {
    pub fn snapshot(&self) -> Snapshot {
        let nodes = self
            .nodes()
            .map(|node| NodeView {
                name: node.metadata.name.clone(),
                ready: node.ready,
                pods: self
                    .pods()
                    .filter(|pod| pod.spec.node_name == node.metadata.name)
                    .map(PodView::of)
                    .collect(),
            })
            .collect();
        Snapshot {
            time_ms: self.now(),
            nodes,
            unscheduled: self
                .pods()
                .filter(|pod| pod.spec.node_name.is_empty())
                .map(PodView::of)
                .collect(),
            event_count: self.events().len(),
        }
    }
}
