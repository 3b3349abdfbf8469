//! core/v1 types: Pod, Node, Namespace, ReplicationController and their parts.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Condition, ObjectMeta, Text, Word};
use crate::labels::Labels;
use crate::quantity::Quantity;
use crate::time::Millis;

/// Resource amounts by name (`cpu`, `memory`, `pods`, ...).
pub type ResourceList = BTreeMap<String, Quantity>;

/// `v1.PodTemplateSpec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodTemplateSpec {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: PodSpec,
}

/// `v1.PodSpec`, the fields the simulation plays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    /// Shared between a template and its pods (and between pods): containers never change once
    /// a pod exists, and a pod's copy would cost most of its memory.
    #[serde(default)]
    pub containers: Arc<[Container]>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub init_containers: Vec<Container>,
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub node_selector: Labels,
    /// The node the pod is bound to: one of a bounded set, so a `Word` (every bound pod
    /// shares its node's copy of the name).
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub node_name: Word,
    #[serde(default = "default_restart_policy")]
    pub restart_policy: Word,
    #[serde(default = "default_scheduler_name")]
    pub scheduler_name: Word,
    #[serde(default = "default_termination_grace_period_seconds")]
    pub termination_grace_period_seconds: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<i64>,
    #[serde(default)]
    pub host_network: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Boxed: most pods have none, and it is 48 bytes.
    pub affinity: Option<Box<Affinity>>,
    /// Borrowed `'static` when they are only the two every pod gets
    /// (`DEFAULT_TOLERATIONS`), so they cost nothing per pod.
    #[serde(default, skip_serializing_if = "no_tolerations")]
    pub tolerations: Cow<'static, [Toleration]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i32>,
    /// Usually empty: a `Text` is one pointer.
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub hostname: Text,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub subdomain: Text,
}

impl Default for PodSpec {
    fn default() -> Self {
        PodSpec {
            containers: Arc::from(Vec::new()),
            init_containers: Vec::new(),
            node_selector: Labels::new(),
            node_name: Word::EMPTY,
            restart_policy: default_restart_policy(),
            scheduler_name: default_scheduler_name(),
            termination_grace_period_seconds: default_termination_grace_period_seconds(),
            active_deadline_seconds: None,
            host_network: false,
            affinity: None,
            tolerations: Cow::Borrowed(&[]),
            priority: None,
            hostname: Text::default(),
            subdomain: Text::default(),
        }
    }
}

/// `SetDefaults_PodSpec` in `pkg/apis/core/v1/defaults.go`.
fn default_restart_policy() -> Word {
    Word::from_static("Always")
}

/// `SetDefaults_PodSpec`: `v1.DefaultSchedulerName`.
pub fn default_scheduler_name() -> Word {
    Word::from_static("default-scheduler")
}

fn no_tolerations(tolerations: &[Toleration]) -> bool {
    tolerations.is_empty()
}

/// The tolerations the `DefaultTolerationSeconds` admission plugin gives a pod that has none
/// of its own: the not-ready and unreachable `NoExecute` taints, for 300 seconds.
pub static DEFAULT_TOLERATIONS: [Toleration; 2] = [
    Toleration {
        key: Cow::Borrowed(crate::nodelifecycle::TAINT_NOT_READY),
        operator: Cow::Borrowed("Exists"),
        value: Cow::Borrowed(""),
        effect: Cow::Borrowed("NoExecute"),
        toleration_seconds: Some(300),
    },
    Toleration {
        key: Cow::Borrowed(crate::nodelifecycle::TAINT_UNREACHABLE),
        operator: Cow::Borrowed("Exists"),
        value: Cow::Borrowed(""),
        effect: Cow::Borrowed("NoExecute"),
        toleration_seconds: Some(300),
    },
];

/// `SetDefaults_PodSpec`: `v1.DefaultTerminationGracePeriodSeconds`.
fn default_termination_grace_period_seconds() -> i64 {
    30
}

/// `v1.Container`, the fields the simulation plays.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    pub name: String,
    #[serde(default)]
    pub image: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ContainerPort>,
    #[serde(default)]
    pub resources: ResourceRequirements,
    /// Init containers only: `Always` makes a sidecar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<String>,
}

/// `v1.ResourceRequirements`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResourceRequirements {
    #[serde(default, skip_serializing_if = "ResourceList::is_empty")]
    pub requests: ResourceList,
    #[serde(default, skip_serializing_if = "ResourceList::is_empty")]
    pub limits: ResourceList,
}

impl ResourceRequirements {
    /// What the scheduler counts as requested: the request, or the limit when only a limit is
    /// set (`SetDefaults_Pod` copies limits into missing requests).
    pub fn effective_request(&self, resource: &str) -> Quantity {
        self.requests
            .get(resource)
            .or_else(|| self.limits.get(resource))
            .copied()
            .unwrap_or(Quantity::ZERO)
    }
}

/// `v1.ContainerPort`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPort {
    pub container_port: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_port: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "hostIP")]
    pub host_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default = "default_protocol")]
    pub protocol: String,
}

fn default_protocol() -> String {
    "TCP".to_string()
}

/// `v1.Toleration`. The strings are borrowed `'static` for the tolerations the system adds to
/// every pod, so they cost nothing per pod.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Toleration {
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub key: Cow<'static, str>,
    /// `Equal` (the default) or `Exists`.
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub operator: Cow<'static, str>,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub value: Cow<'static, str>,
    /// Empty matches every effect.
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub effect: Cow<'static, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toleration_seconds: Option<i64>,
}

impl Toleration {
    /// `Toleration.ToleratesTaint` (`k8s.io/api/core/v1/toleration.go`).
    pub fn tolerates(&self, taint: &Taint) -> bool {
        if !self.effect.is_empty() && self.effect != taint.effect {
            return false;
        }
        if !self.key.is_empty() && self.key != taint.key {
            return false;
        }
        match &*self.operator {
            "Exists" => true,
            "" | "Equal" => self.value == taint.value,
            _ => false,
        }
    }
}

/// `v1.Taint`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Taint {
    pub key: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    pub effect: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_added_ms: Option<Millis>,
}

impl Taint {
    /// `Taint.ToString` as the scheduler prints it: `{key: value}`.
    pub fn scheduler_string(&self) -> String {
        format!("{{{}: {}}}", self.key, self.value)
    }

    /// As `kubectl describe node` prints it: `key=value:Effect` or `key:Effect`.
    pub fn describe(&self) -> String {
        if self.value.is_empty() {
            format!("{}:{}", self.key, self.effect)
        } else {
            format!("{}={}:{}", self.key, self.value, self.effect)
        }
    }
}

/// `v1.Affinity`, node affinity only (pod affinity is accepted but not played).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Affinity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_affinity: Option<NodeAffinity>,
}

/// `v1.NodeAffinity`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeAffinity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_during_scheduling_ignored_during_execution: Option<NodeSelector>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub preferred_during_scheduling_ignored_during_execution: Vec<PreferredSchedulingTerm>,
}

/// `v1.NodeSelector`: the terms are ORed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSelector {
    #[serde(default)]
    pub node_selector_terms: Vec<NodeSelectorTerm>,
}

/// `v1.PreferredSchedulingTerm`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PreferredSchedulingTerm {
    pub weight: i32,
    pub preference: NodeSelectorTerm,
}

/// `v1.NodeSelectorTerm`: the requirements are ANDed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSelectorTerm {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<NodeSelectorRequirement>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_fields: Vec<NodeSelectorRequirement>,
}

/// `v1.NodeSelectorRequirement`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeSelectorRequirement {
    pub key: String,
    pub operator: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// `v1.Pod`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pod {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: PodSpec,
    #[serde(default)]
    pub status: PodStatus,
}

/// `v1.PodStatus`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodStatus {
    #[serde(default)]
    pub phase: PodPhase,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub reason: Word,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub message: Text,
    /// The node's address: interned, as node names are.
    #[serde(default, skip_serializing_if = "str::is_empty")]
    #[serde(rename = "hostIP")]
    pub host_ip: Word,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[serde(rename = "podIP")]
    pub pod_ip: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time_ms: Option<Millis>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub container_statuses: Vec<ContainerStatus>,
}

/// `v1.PodPhase`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PodPhase {
    #[default]
    Pending,
    Running,
    Succeeded,
    Failed,
    Unknown,
}

impl PodPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
            PodPhase::Unknown => "Unknown",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, PodPhase::Succeeded | PodPhase::Failed)
    }
}

/// `v1.ContainerStatus`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    /// Interned, as the names and images of a template's containers repeat in every pod.
    pub name: Word,
    #[serde(default)]
    pub image: Word,
    pub ready: bool,
    pub restart_count: u32,
    #[serde(default)]
    pub started: bool,
    pub state: ContainerState,
    /// Boxed: most containers never restart, and a state is 56 bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_state: Option<Box<ContainerState>>,
}

/// `v1.ContainerState`: exactly one of waiting, running and terminated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ContainerState {
    Waiting {
        reason: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        message: String,
    },
    Running {
        started_at_ms: Millis,
    },
    Terminated {
        exit_code: i32,
        reason: String,
        started_at_ms: Millis,
        finished_at_ms: Millis,
    },
}

impl Default for ContainerState {
    fn default() -> Self {
        ContainerState::Waiting {
            reason: "ContainerCreating".to_string(),
            message: String::new(),
        }
    }
}

/// `v1.Node`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Node {
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: NodeSpec,
    #[serde(default)]
    pub status: NodeStatus,
}

/// `v1.NodeSpec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSpec {
    #[serde(default)]
    pub unschedulable: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taints: Vec<Taint>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[serde(rename = "podCIDR")]
    pub pod_cidr: String,
}

/// `v1.NodeStatus`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeStatus {
    #[serde(default)]
    pub capacity: ResourceList,
    #[serde(default)]
    pub allocatable: ResourceList,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub internal_ip: String,
}

impl Node {
    /// Whether the `Ready` condition is `True`.
    pub fn is_ready(&self) -> bool {
        super::condition_status(&self.status.conditions, "Ready") == Some("True")
    }
}

/// `v1.Namespace`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Namespace {
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// `Active` or `Terminating`.
    #[serde(default)]
    pub phase: String,
}

/// `v1.ReplicationController`: a ReplicaSet with an equality-only selector (a map), which
/// defaults to the template's labels.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplicationController {
    #[serde(default)]
    pub metadata: ObjectMeta,
    pub spec: ReplicationControllerSpec,
    #[serde(default)]
    pub status: ReplicationControllerStatus,
}

/// `v1.ReplicationControllerSpec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationControllerSpec {
    #[serde(default = "default_replicas")]
    pub replicas: i32,
    #[serde(default)]
    pub min_ready_seconds: i32,
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub selector: Labels,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<PodTemplateSpec>,
}

fn default_replicas() -> i32 {
    1
}

/// `v1.ReplicationControllerStatus` (no `terminatingReplicas`, unlike a ReplicaSet's).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicationControllerStatus {
    #[serde(default)]
    pub replicas: i32,
    #[serde(default)]
    pub fully_labeled_replicas: i32,
    #[serde(default)]
    pub ready_replicas: i32,
    #[serde(default)]
    pub available_replicas: i32,
    #[serde(default)]
    pub observed_generation: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}
