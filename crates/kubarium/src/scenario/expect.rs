//! Expectations: facts a scenario says must hold, and the observer that checks them while the
//! run plays.
//!
//! A timed expectation (`at: 65s`) holds if it is true at some moment within its tolerance
//! (`tol`, 3s by default) around that time; `at: final` is checked at the end. Counts are `3`,
//! `">=1"`, `"<=2"`, `">2"`, `"<5"`. An expectation that names an object that never existed
//! fails; a malformed one is an error, not a pass.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use crate::api::{Job, OwnerReference, Pod, PodPhase};
use crate::sim::Simulation;
use crate::time::{parse_duration, Millis, SECOND_MS};

const DEFAULT_TOLERANCE_MS: Millis = 3 * SECOND_MS;

/// When an expectation is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// True at some moment in `[at - tol, at + tol]`.
    At {
        at: Millis,
        tol: Millis,
    },
    Final,
}

/// A count and how to compare with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub op: CountOp,
    pub value: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountOp {
    Equal,
    AtLeast,
    AtMost,
    MoreThan,
    LessThan,
}

impl Count {
    fn parse(value: &Json) -> Result<Count, String> {
        if let Some(number) = value.as_u64() {
            return Ok(Count {
                op: CountOp::Equal,
                value: number,
            });
        }
        let text = value
            .as_str()
            .ok_or("a count is a number or a string like \">=1\"")?
            .trim();
        let (op, rest) = if let Some(rest) = text.strip_prefix(">=") {
            (CountOp::AtLeast, rest)
        } else if let Some(rest) = text.strip_prefix("<=") {
            (CountOp::AtMost, rest)
        } else if let Some(rest) = text.strip_prefix("==") {
            (CountOp::Equal, rest)
        } else if let Some(rest) = text.strip_prefix('>') {
            (CountOp::MoreThan, rest)
        } else if let Some(rest) = text.strip_prefix('<') {
            (CountOp::LessThan, rest)
        } else {
            (CountOp::Equal, text)
        };
        let value = rest.trim().parse().map_err(|_| format!("invalid count {text:?}"))?;
        Ok(Count { op, value })
    }

    fn holds(&self, actual: u64) -> bool {
        match self.op {
            CountOp::Equal => actual == self.value,
            CountOp::AtLeast => actual >= self.value,
            CountOp::AtMost => actual <= self.value,
            CountOp::MoreThan => actual > self.value,
            CountOp::LessThan => actual < self.value,
        }
    }
}

impl std::fmt::Display for Count {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = match self.op {
            CountOp::Equal => "",
            CountOp::AtLeast => ">=",
            CountOp::AtMost => "<=",
            CountOp::MoreThan => ">",
            CountOp::LessThan => "<",
        };
        write!(formatter, "{op}{}", self.value)
    }
}

/// Which pods: owned by `kind/name` (following the ownership chain), named, on a node, in a phase.
/// A selector's fields, each a string, in order.
fn selector_fields<'a>(value: &'a Json, what: &str) -> Result<Vec<(&'a str, String)>, String> {
    let object = value
        .as_object()
        .ok_or_else(|| format!("a {what} selector is a mapping"))?;
    object
        .iter()
        .map(|(key, value)| {
            value
                .as_str()
                .map(|text| (key.as_str(), text.to_string()))
                .ok_or_else(|| format!("{key} must be a string"))
        })
        .collect()
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodSelector {
    pub owner: Option<String>,
    pub name: Option<String>,
    pub phase: Option<String>,
    pub node: Option<String>,
    pub namespace: Option<String>,
}

impl PodSelector {
    fn parse(value: &Json) -> Result<PodSelector, String> {
        let mut selector = PodSelector::default();
        for (key, text) in selector_fields(value, "pod")? {
            match key {
                "owner" => selector.owner = Some(text.to_lowercase_kind()),
                "name" => selector.name = Some(text),
                "phase" => selector.phase = Some(text),
                "node" => selector.node = Some(text),
                "namespace" => selector.namespace = Some(text),
                other => {
                    return Err(format!(
                        "unknown pod selector field {other:?} (owner, name, phase, node, namespace)"
                    ))
                }
            }
        }
        Ok(selector)
    }

    fn matches(&self, simulation: &Simulation, pod: &Pod) -> bool {
        let namespace_ok = self
            .namespace
            .as_deref()
            .is_none_or(|namespace| pod.metadata.namespace == namespace);
        let name_ok = self.name.as_deref().is_none_or(|name| pod.metadata.name == name);
        let node_ok = self.node.as_deref().is_none_or(|node| pod.spec.node_name == node);
        let phase_ok = self.phase.as_deref().is_none_or(|phase| phase_matches(pod, phase));
        let owner_ok = self
            .owner
            .as_deref()
            .is_none_or(|owner| owned_by(simulation, pod, owner));
        namespace_ok && name_ok && node_ok && phase_ok && owner_ok
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (key, value) in [
            ("owner", &self.owner),
            ("name", &self.name),
            ("phase", &self.phase),
            ("node", &self.node),
        ] {
            if let Some(value) = value {
                parts.push(format!("{key} {value}"));
            }
        }
        if parts.is_empty() {
            "all pods".to_string()
        } else {
            format!("pods with {}", parts.join(", "))
        }
    }
}

trait KindName {
    fn to_lowercase_kind(self) -> String;
}

impl KindName for String {
    /// `DaemonSet/x` and `daemonset/x` name the same owner; short names are accepted too.
    fn to_lowercase_kind(self) -> String {
        match self.split_once('/') {
            Some((kind, name)) => {
                let kind = match kind.to_lowercase().as_str() {
                    "ds" | "daemonsets" => "daemonset".to_string(),
                    "no" | "nodes" => "node".to_string(),
                    "po" | "pods" => "pod".to_string(),
                    "cj" | "cronjobs" => "cronjob".to_string(),
                    "jobs" => "job".to_string(),
                    "rs" | "replicasets" => "replicaset".to_string(),
                    "rc" | "replicationcontrollers" => "replicationcontroller".to_string(),
                    "deploy" | "deployments" => "deployment".to_string(),
                    "hpa" | "horizontalpodautoscalers" => "horizontalpodautoscaler".to_string(),
                    other => other.to_string(),
                };
                format!("{kind}/{name}")
            }
            None => self,
        }
    }
}

/// A phase, or a kubectl STATUS word (`Completed`, `CrashLoopBackOff`, `Terminating`, ...).
fn phase_matches(pod: &Pod, wanted: &str) -> bool {
    pod.status.phase.as_str() == wanted || crate::view::pod_status_column(pod) == wanted
}

/// Whether `owner` (`kind/name`) is the pod's controller, or its controller's controller, and
/// so on up the chain (a CronJob owns Jobs, which own pods).
fn owned_by(simulation: &Simulation, pod: &Pod, owner: &str) -> bool {
    controlled_by(simulation, &pod.metadata.namespace, pod.metadata.controller_of(), owner)
}

/// Follows controller references from `reference` upwards, looking for `owner` (`kind/name`):
/// a CronJob's Jobs own pods, a Deployment's ReplicaSets own pods.
fn controlled_by(simulation: &Simulation, namespace: &str, reference: Option<&OwnerReference>, owner: &str) -> bool {
    let Some((kind, name)) = owner.split_once('/') else {
        return false;
    };
    let mut reference = reference.cloned();
    // Ownership chains are short (CronJob, Job, Pod); the bound only guards against a cycle.
    for _ in 0..8 {
        let Some(current) = reference else {
            return false;
        };
        if current.kind.to_lowercase() == kind && current.name == name {
            return true;
        }
        reference = match current.kind.as_str() {
            "Job" => simulation
                .job(namespace, &current.name)
                .filter(|job| job.metadata.uid == current.uid)
                .and_then(|job| job.metadata.controller_of().cloned()),
            "ReplicaSet" => simulation
                .replica_set(namespace, &current.name)
                .filter(|replica_set| replica_set.metadata.uid == current.uid)
                .and_then(|replica_set| replica_set.metadata.controller_of().cloned()),
            _ => None,
        };
    }
    false
}

/// Which Jobs: owned by `kind/name`, named, in a namespace, with a `kubectl get jobs` STATUS
/// (`Running`, `Complete`, `Failed`, `Suspended`, `Terminating`, `FailureTarget`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobSelector {
    pub owner: Option<String>,
    pub name: Option<String>,
    pub status: Option<String>,
    pub namespace: Option<String>,
}

impl JobSelector {
    fn parse(value: &Json) -> Result<JobSelector, String> {
        let mut selector = JobSelector::default();
        for (key, text) in selector_fields(value, "job")? {
            match key {
                "owner" => selector.owner = Some(text.to_lowercase_kind()),
                "name" => selector.name = Some(text),
                "status" => {
                    const KNOWN: [&str; 7] = [
                        "Running",
                        "Complete",
                        "Failed",
                        "Suspended",
                        "Terminating",
                        "FailureTarget",
                        "SuccessCriteriaMet",
                    ];
                    if !KNOWN.contains(&text.as_str()) {
                        return Err(format!("unknown job status {text:?} ({})", KNOWN.join(", ")));
                    }
                    selector.status = Some(text);
                }
                "namespace" => selector.namespace = Some(text),
                other => {
                    return Err(format!(
                        "unknown job selector field {other:?} (owner, name, status, namespace)"
                    ))
                }
            }
        }
        Ok(selector)
    }

    fn matches(&self, simulation: &Simulation, job: &Job) -> bool {
        let namespace_ok = self
            .namespace
            .as_deref()
            .is_none_or(|namespace| job.metadata.namespace == namespace);
        let name_ok = self.name.as_deref().is_none_or(|name| job.metadata.name == name);
        let status_ok = self
            .status
            .as_deref()
            .is_none_or(|status| crate::tables::job_status_column(job) == status);
        let owner_ok = self.owner.as_deref().is_none_or(|owner| {
            controlled_by(simulation, &job.metadata.namespace, job.metadata.controller_of(), owner)
        });
        namespace_ok && name_ok && status_ok && owner_ok
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (key, value) in [
            ("owner", &self.owner),
            ("name", &self.name),
            ("status", &self.status),
            ("namespace", &self.namespace),
        ] {
            if let Some(value) = value {
                parts.push(format!("{key} {value}"));
            }
        }
        if parts.is_empty() {
            "all jobs".to_string()
        } else {
            format!("jobs with {}", parts.join(", "))
        }
    }
}

/// Which ReplicaSets: owned by `kind/name`, named, in a namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplicaSetSelector {
    pub owner: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
}

impl ReplicaSetSelector {
    fn parse(value: &Json) -> Result<ReplicaSetSelector, String> {
        let mut selector = ReplicaSetSelector::default();
        for (key, text) in selector_fields(value, "replicaset")? {
            match key {
                "owner" => selector.owner = Some(text.to_lowercase_kind()),
                "name" => selector.name = Some(text),
                "namespace" => selector.namespace = Some(text),
                other => {
                    return Err(format!(
                        "unknown replicaset selector field {other:?} (owner, name, namespace)"
                    ))
                }
            }
        }
        Ok(selector)
    }

    fn matches(&self, simulation: &Simulation, replica_set: &crate::api::ReplicaSet) -> bool {
        let metadata = &replica_set.metadata;
        self.namespace
            .as_deref()
            .is_none_or(|namespace| metadata.namespace == namespace)
            && self.name.as_deref().is_none_or(|name| metadata.name == name)
            && self
                .owner
                .as_deref()
                .is_none_or(|owner| controlled_by(simulation, &metadata.namespace, metadata.controller_of(), owner))
    }

    fn describe(&self) -> String {
        let parts: Vec<String> = [
            ("owner", &self.owner),
            ("name", &self.name),
            ("namespace", &self.namespace),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.as_ref().map(|value| format!("{key} {value}")))
        .collect();
        if parts.is_empty() {
            "all replicasets".to_string()
        } else {
            format!("replicasets with {}", parts.join(", "))
        }
    }
}

/// One expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// How many pods match, at a time.
    Pods {
        when: When,
        selector: PodSelector,
        count: Count,
    },
    /// How many Jobs match, at a time.
    Jobs {
        when: When,
        selector: JobSelector,
        count: Count,
    },
    /// How many ReplicaSets match, at a time.
    ReplicaSets {
        when: When,
        selector: ReplicaSetSelector,
        count: Count,
    },
    /// Which nodes the matching pods are on.
    Placement {
        when: When,
        selector: PodSelector,
        nodes: BTreeSet<String>,
    },
    /// Fields of an object's `status` (then `spec`), at a time.
    Status {
        when: When,
        object: String,
        fields: Vec<(String, Json)>,
    },
    /// How many times an event was emitted over the whole run.
    Event {
        reason: Option<String>,
        object: Option<String>,
        message: Option<String>,
        count: Count,
    },
    /// When a condition of an object first became true.
    Condition {
        object: String,
        condition_type: String,
        status: String,
        reason: Option<String>,
        between: (Millis, Millis),
    },
    /// The most pods matching at any moment.
    MaxConcurrent { selector: PodSelector, value: Count },
    /// How many ready and not-ready addresses a Service's Endpoints list, at a time.
    Endpoints {
        when: When,
        /// `namespace/name` of the Service.
        service: String,
        ready: Option<Count>,
        not_ready: Option<Count>,
    },
}

fn duration_field(object: &serde_json::Map<String, Json>, key: &str) -> Result<Option<Millis>, String> {
    match object.get(key) {
        None => Ok(None),
        Some(Json::String(text)) => parse_duration(text)
            .map(Some)
            .map_err(|problem| format!("{key}: {problem}")),
        Some(Json::Number(number)) => number
            .as_u64()
            .map(|seconds| Some(seconds * SECOND_MS))
            .ok_or(format!("{key}: invalid")),
        Some(_) => Err(format!("{key} must be a duration like \"90s\"")),
    }
}

impl Expectation {
    pub fn parse(value: &Json) -> Result<Expectation, String> {
        let object = value.as_object().ok_or("an expectation is a mapping")?;
        let tol = duration_field(object, "tol")?.unwrap_or(DEFAULT_TOLERANCE_MS);
        let when = || -> Result<When, String> {
            match object.get("at") {
                Some(Json::String(text)) if text == "final" => Ok(When::Final),
                Some(_) => Ok(When::At {
                    at: duration_field(object, "at")?.unwrap_or(0),
                    tol,
                }),
                None => Err("needs `at` (a time like \"65s\", or \"final\")".to_string()),
            }
        };
        let count = || Count::parse(object.get("count").ok_or("needs `count`")?);
        let allowed = |keys: &[&str]| -> Result<(), String> {
            match object.keys().find(|key| !keys.contains(&key.as_str())) {
                Some(key) => Err(format!("unknown field {key:?} here (allowed: {})", keys.join(", "))),
                None => Ok(()),
            }
        };
        if let Some(selector) = object.get("pods") {
            allowed(&["pods", "at", "tol", "count"])?;
            return Ok(Expectation::Pods {
                when: when()?,
                selector: PodSelector::parse(selector)?,
                count: count()?,
            });
        }
        if let Some(selector) = object.get("jobs") {
            allowed(&["jobs", "at", "tol", "count"])?;
            return Ok(Expectation::Jobs {
                when: when()?,
                selector: JobSelector::parse(selector)?,
                count: count()?,
            });
        }
        if let Some(selector) = object.get("replicasets") {
            allowed(&["replicasets", "at", "tol", "count"])?;
            return Ok(Expectation::ReplicaSets {
                when: when()?,
                selector: ReplicaSetSelector::parse(selector)?,
                count: count()?,
            });
        }
        if let Some(selector) = object.get("placement") {
            allowed(&["placement", "at", "tol", "nodes"])?;
            let mut selector_json = selector.clone();
            if let Some(map) = selector_json.as_object_mut() {
                if let Some(pod) = map.remove("pod") {
                    map.insert("name".to_string(), pod);
                }
            }
            let nodes = object
                .get("nodes")
                .and_then(Json::as_array)
                .ok_or("placement needs `nodes`: a list of node names")?
                .iter()
                .map(|node| {
                    node.as_str()
                        .map(str::to_string)
                        .ok_or("node names are strings".to_string())
                })
                .collect::<Result<_, _>>()?;
            return Ok(Expectation::Placement {
                when: when()?,
                selector: PodSelector::parse(&selector_json)?,
                nodes,
            });
        }
        if let Some(status) = object.get("status") {
            allowed(&["status", "at", "tol", "fields"])?;
            let target = status
                .get("object")
                .and_then(Json::as_str)
                .ok_or("status needs `object: kind/name`")?;
            let fields = object
                .get("fields")
                .and_then(Json::as_object)
                .ok_or("status needs `fields`: a mapping")?
                .iter()
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect();
            return Ok(Expectation::Status {
                when: when()?,
                object: target.to_string().to_lowercase_kind(),
                fields,
            });
        }
        if let Some(event) = object.get("event") {
            allowed(&["event", "count"])?;
            let field = |key: &str| event.get(key).and_then(Json::as_str).map(str::to_string);
            return Ok(Expectation::Event {
                reason: field("reason"),
                object: field("object").map(KindName::to_lowercase_kind),
                message: field("message"),
                count: count()?,
            });
        }
        if let Some(condition) = object.get("condition") {
            allowed(&["condition", "between"])?;
            let field = |key: &str| condition.get(key).and_then(Json::as_str).map(str::to_string);
            let between = object
                .get("between")
                .and_then(Json::as_array)
                .ok_or("condition needs `between: [from, to]`")?;
            let [from, to] = between.as_slice() else {
                return Err("between has two times".to_string());
            };
            let time = |value: &Json| {
                value
                    .as_str()
                    .ok_or("times are strings like \"30s\"".to_string())
                    .and_then(parse_duration)
            };
            return Ok(Expectation::Condition {
                object: field("object").ok_or("condition needs `object`")?.to_lowercase_kind(),
                condition_type: field("type").ok_or("condition needs `type`")?,
                status: field("status").unwrap_or_else(|| "True".to_string()),
                reason: field("reason"),
                between: (time(from)?, time(to)?),
            });
        }
        if let Some(selector) = object.get("max_concurrent") {
            allowed(&["max_concurrent", "value"])?;
            return Ok(Expectation::MaxConcurrent {
                selector: PodSelector::parse(selector)?,
                value: Count::parse(object.get("value").ok_or("max_concurrent needs `value`")?)?,
            });
        }
        if let Some(target) = object.get("endpoints") {
            allowed(&["endpoints", "at", "tol", "ready", "not_ready"])?;
            // `{service: web}` (the issue's own spelling, in the default namespace or
            // `namespace:`) or `{object: service/web}` like the other expectations.
            let by_name = target.get("service").and_then(Json::as_str).map(|name| {
                let namespace = target.get("namespace").and_then(Json::as_str).unwrap_or("default");
                format!("{namespace}/{name}")
            });
            let service = by_name
                .or_else(|| target.get("object").and_then(Json::as_str).and_then(endpoints_target))
                .ok_or("endpoints needs `service: NAME` (with an optional `namespace:`) or `object: service/NAME`")?;
            let ready = object.get("ready").map(Count::parse).transpose()?;
            let not_ready = object.get("not_ready").map(Count::parse).transpose()?;
            if ready.is_none() && not_ready.is_none() {
                return Err("endpoints needs `ready`, `not_ready` or both".to_string());
            }
            return Ok(Expectation::Endpoints {
                when: when()?,
                service,
                ready,
                not_ready,
            });
        }
        Err("unknown expectation (pods, jobs, replicasets, placement, status, event, condition, max_concurrent, endpoints)".to_string())
    }

    /// The latest time the expectation looks at, to size a run without `until`.
    pub fn latest_time(&self) -> Option<Millis> {
        match self {
            Expectation::Pods {
                when: When::At { at, tol },
                ..
            }
            | Expectation::Jobs {
                when: When::At { at, tol },
                ..
            }
            | Expectation::ReplicaSets {
                when: When::At { at, tol },
                ..
            }
            | Expectation::Placement {
                when: When::At { at, tol },
                ..
            }
            | Expectation::Status {
                when: When::At { at, tol },
                ..
            }
            | Expectation::Endpoints {
                when: When::At { at, tol },
                ..
            } => Some(at + tol),
            Expectation::Condition { between, .. } => Some(between.1),
            _ => None,
        }
    }

    fn when(&self) -> Option<When> {
        match self {
            Expectation::Pods { when, .. }
            | Expectation::Jobs { when, .. }
            | Expectation::ReplicaSets { when, .. }
            | Expectation::Placement { when, .. }
            | Expectation::Status { when, .. }
            | Expectation::Endpoints { when, .. } => Some(*when),
            _ => None,
        }
    }

    fn describe(&self) -> String {
        let time = |when: &When| match when {
            When::Final => "at the end".to_string(),
            When::At { at, tol } => format!(
                "at {} (±{})",
                crate::time::format_duration(*at),
                crate::time::format_duration(*tol)
            ),
        };
        match self {
            Expectation::Pods { when, selector, count } => {
                format!("{}: {} number {count}", time(when), selector.describe())
            }
            Expectation::Jobs { when, selector, count } => {
                format!("{}: {} number {count}", time(when), selector.describe())
            }
            Expectation::ReplicaSets { when, selector, count } => {
                format!("{}: {} number {count}", time(when), selector.describe())
            }
            Expectation::Placement { when, selector, nodes } => {
                format!("{}: {} are on {:?}", time(when), selector.describe(), nodes)
            }
            Expectation::Status { when, object, fields } => {
                let fields: Vec<String> = fields.iter().map(|(key, value)| format!("{key}={value}")).collect();
                format!("{}: {object} has {}", time(when), fields.join(", "))
            }
            Expectation::Event {
                reason,
                object,
                message,
                count,
            } => format!(
                "event{}{}{} emitted {count} time(s)",
                reason.as_deref().map(|reason| format!(" {reason}")).unwrap_or_default(),
                object
                    .as_deref()
                    .map(|object| format!(" on {object}"))
                    .unwrap_or_default(),
                message
                    .as_deref()
                    .map(|message| format!(" with {message:?}"))
                    .unwrap_or_default()
            ),
            Expectation::Condition {
                object,
                condition_type,
                status,
                reason,
                between,
            } => format!(
                "{object} condition {condition_type}={status}{} first between {} and {}",
                reason
                    .as_deref()
                    .map(|reason| format!(" ({reason})"))
                    .unwrap_or_default(),
                crate::time::format_duration(between.0),
                crate::time::format_duration(between.1)
            ),
            Expectation::MaxConcurrent { selector, value } => {
                format!("at most {value} {} at once", selector.describe())
            }
            Expectation::Endpoints {
                when,
                service,
                ready,
                not_ready,
            } => {
                let mut counts = Vec::new();
                if let Some(ready) = ready {
                    counts.push(format!("{ready} ready"));
                }
                if let Some(not_ready) = not_ready {
                    counts.push(format!("{not_ready} not ready"));
                }
                let service = service.strip_prefix("default/").unwrap_or(service);
                format!(
                    "{}: endpoints of service/{service} list {}",
                    time(when),
                    counts.join(" and ")
                )
            }
        }
    }
}

/// The outcome of one expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectationResult {
    pub description: String,
    pub passed: bool,
    /// What was seen instead (or what was seen, when it passed).
    pub observed: String,
}

/// The state the observer keeps per expectation.
#[derive(Debug, Clone, Default)]
struct Tracker {
    passed: bool,
    /// The last observation inside the window, for the report.
    last_seen: Option<String>,
    max: u64,
    first_true_ms: Option<Millis>,
    object_seen: bool,
}

/// Watches a run and checks the expectations.
#[derive(Debug)]
pub(super) struct Observer<'a> {
    expectations: &'a [Expectation],
    trackers: Vec<Tracker>,
}

fn object_json(simulation: &Simulation, object: &str) -> Option<Json> {
    let (kind, name) = object.split_once('/')?;
    let (namespace, name) = match name.split_once('/') {
        Some((namespace, name)) => (namespace, name),
        None => ("default", name),
    };
    match kind {
        "pod" => simulation
            .pod(namespace, name)
            .and_then(|pod| serde_json::to_value(pod).ok()),
        "node" => simulation.node(name).and_then(|node| serde_json::to_value(node).ok()),
        "daemonset" => simulation
            .daemon_sets()
            .find(|daemon_set| daemon_set.metadata.name == name && daemon_set.metadata.namespace == namespace)
            .and_then(|daemon_set| serde_json::to_value(daemon_set).ok()),
        "job" => simulation
            .job(namespace, name)
            .and_then(|job| serde_json::to_value(job).ok()),
        "cronjob" => simulation
            .cron_job(namespace, name)
            .and_then(|cron_job| serde_json::to_value(cron_job).ok()),
        "replicaset" => simulation
            .replica_set(namespace, name)
            .and_then(|replica_set| serde_json::to_value(replica_set).ok()),
        "replicationcontroller" => simulation
            .replication_controller(namespace, name)
            .and_then(|controller| serde_json::to_value(controller).ok()),
        "deployment" => simulation
            .deployment(namespace, name)
            .and_then(|deployment| serde_json::to_value(deployment).ok()),
        "horizontalpodautoscaler" | "hpa" => simulation
            .horizontal_pod_autoscaler(namespace, name)
            .and_then(|hpa| serde_json::to_value(hpa).ok()),
        "service" | "svc" => simulation
            .service(namespace, name)
            .and_then(|service| serde_json::to_value(service).ok()),
        "resourcequota" | "quota" => simulation
            .store
            .resource_quotas
            .get(&crate::sim::ObjectKey::new(namespace, name))
            .and_then(|quota| serde_json::to_value(quota).ok()),
        "limitrange" | "limits" => simulation
            .store
            .limit_ranges
            .get(&crate::sim::ObjectKey::new(namespace, name))
            .and_then(|limit_range| serde_json::to_value(limit_range).ok()),
        _ => None,
    }
}

fn conditions_of(simulation: &Simulation, object: &str) -> Option<Vec<crate::api::Condition>> {
    let (kind, name) = object.split_once('/')?;
    match kind {
        "pod" => simulation.pod("default", name).map(|pod| pod.status.conditions.clone()),
        "node" => simulation.node(name).map(|node| node.status.conditions.clone()),
        "job" => simulation.job("default", name).map(|job| job.status.conditions.clone()),
        "replicaset" => simulation
            .replica_set("default", name)
            .map(|replica_set| replica_set.status.conditions.clone()),
        "horizontalpodautoscaler" | "hpa" => simulation
            .horizontal_pod_autoscaler("default", name)
            .map(|hpa| hpa.status.conditions.clone()),
        // A Deployment's conditions also carry `lastUpdateTime`; the expectation looks at type,
        // status and reason only.
        "deployment" => simulation.deployment("default", name).map(|deployment| {
            deployment
                .status
                .conditions
                .iter()
                .map(|condition| {
                    let words = crate::api::ConditionWords {
                        condition_type: condition.condition_type.clone().into(),
                        status: condition.status.clone().into(),
                        reason: condition.reason.clone().into(),
                    };
                    crate::api::Condition::new(
                        words,
                        condition.message.as_str().into(),
                        condition.last_transition_time_ms,
                    )
                })
                .collect()
        }),
        _ => None,
    }
}

impl<'a> Observer<'a> {
    pub(super) fn new(expectations: &'a [Expectation]) -> Self {
        Observer {
            expectations,
            trackers: vec![Tracker::default(); expectations.len()],
        }
    }

    /// The times the run must stop at so that each window is seen from its start.
    pub(super) fn checkpoints(&self) -> Vec<Millis> {
        let mut times: Vec<Millis> = self
            .expectations
            .iter()
            .filter_map(Expectation::when)
            .flat_map(|when| match when {
                When::At { at, tol } => vec![at.saturating_sub(tol), at, at + tol],
                When::Final => Vec::new(),
            })
            .collect();
        times.sort_unstable();
        times.dedup();
        times
    }

    /// Looks at the cluster after a change.
    pub(super) fn observe(&mut self, simulation: &Simulation) {
        let now = simulation.now();
        for (expectation, tracker) in self.expectations.iter().zip(&mut self.trackers) {
            match expectation {
                Expectation::MaxConcurrent { selector, .. } => {
                    let count = simulation
                        .pods()
                        .filter(|pod| selector.matches(simulation, pod))
                        .count() as u64;
                    tracker.max = tracker.max.max(count);
                    tracker.object_seen |= count > 0;
                }
                Expectation::Condition {
                    object,
                    condition_type,
                    status,
                    reason,
                    ..
                } => {
                    if let Some(conditions) = conditions_of(simulation, object) {
                        tracker.object_seen = true;
                        let holds = conditions.iter().any(|condition| {
                            condition.condition_type == condition_type.as_str()
                                && condition.status == status.as_str()
                                && reason.as_deref().is_none_or(|reason| condition.reason == reason)
                        });
                        if holds && tracker.first_true_ms.is_none() {
                            tracker.first_true_ms = Some(now);
                        }
                    }
                }
                _ => {
                    if let Some(When::At { at, tol }) = expectation.when() {
                        if now + tol >= at && now <= at + tol && !tracker.passed {
                            let (holds, seen) = check_now(simulation, expectation);
                            tracker.passed = holds;
                            tracker.last_seen = Some(format!("at {}: {seen}", crate::time::format_duration(now)));
                        }
                    }
                }
            }
        }
    }

    /// The verdicts at the end of the run.
    pub(super) fn finish(mut self, simulation: &Simulation) -> Vec<ExpectationResult> {
        let mut results = Vec::new();
        for (expectation, tracker) in self.expectations.iter().zip(&mut self.trackers) {
            let (passed, observed) = match expectation {
                Expectation::MaxConcurrent { value, .. } => {
                    (value.holds(tracker.max), format!("at most {} at once", tracker.max))
                }
                Expectation::Condition { between, .. } => match (tracker.object_seen, tracker.first_true_ms) {
                    (false, _) => (false, "the object never existed".to_string()),
                    (true, None) => (false, "the condition never held".to_string()),
                    (true, Some(first)) => (
                        first >= between.0 && first <= between.1,
                        format!("first held at {}", crate::time::format_duration(first)),
                    ),
                },
                Expectation::Event {
                    reason,
                    object,
                    message,
                    count,
                } => {
                    let emitted = simulation
                        .event_trace()
                        .unwrap_or(simulation.events())
                        .iter()
                        .filter(|event| {
                            reason.as_deref().is_none_or(|reason| event.reason == reason)
                                && object.as_deref().is_none_or(|object| event.object() == object)
                                && message
                                    .as_deref()
                                    .is_none_or(|message| event.message().contains(message))
                        })
                        .count() as u64;
                    (count.holds(emitted), format!("emitted {emitted} time(s)"))
                }
                _ => match expectation.when() {
                    Some(When::Final) => {
                        let (holds, seen) = check_now(simulation, expectation);
                        (holds, format!("at the end: {seen}"))
                    }
                    _ => (
                        tracker.passed,
                        tracker
                            .last_seen
                            .clone()
                            .unwrap_or_else(|| "the run ended before its time".to_string()),
                    ),
                },
            };
            results.push(ExpectationResult {
                description: expectation.describe(),
                passed,
                observed,
            });
        }
        results
    }
}

/// Whether a point-in-time expectation holds now, and what was seen.
fn check_now(simulation: &Simulation, expectation: &Expectation) -> (bool, String) {
    match expectation {
        Expectation::Pods { selector, count, .. } => {
            let matching = simulation
                .pods()
                .filter(|pod| selector.matches(simulation, pod))
                .count() as u64;
            (count.holds(matching), format!("{matching} pod(s)"))
        }
        Expectation::Jobs { selector, count, .. } => {
            let matching: Vec<&str> = simulation
                .jobs()
                .filter(|job| selector.matches(simulation, job))
                .map(|job| job.metadata.name.as_str())
                .collect();
            (
                count.holds(matching.len() as u64),
                format!("{} job(s) {matching:?}", matching.len()),
            )
        }
        Expectation::ReplicaSets { selector, count, .. } => {
            let matching: Vec<&str> = simulation
                .replica_sets()
                .filter(|replica_set| selector.matches(simulation, replica_set))
                .map(|replica_set| replica_set.metadata.name.as_str())
                .collect();
            (
                count.holds(matching.len() as u64),
                format!("{} replicaset(s) {matching:?}", matching.len()),
            )
        }
        Expectation::Placement { selector, nodes, .. } => {
            let placed: BTreeSet<String> = simulation
                .pods()
                .filter(|pod| selector.matches(simulation, pod) && !pod.spec.node_name.is_empty())
                .map(|pod| pod.spec.node_name.to_string())
                .collect();
            let any = simulation.pods().any(|pod| selector.matches(simulation, pod));
            (any && &placed == nodes, format!("on {placed:?}"))
        }
        Expectation::Status { object, fields, .. } => {
            let Some(json) = object_json(simulation, object) else {
                return (false, format!("{object} does not exist"));
            };
            let mut seen = Vec::new();
            let mut holds = true;
            for (key, wanted) in fields {
                let value = lookup(&json, "status", key)
                    .or_else(|| lookup(&json, "spec", key))
                    .or_else(|| lookup(&json, "metadata", key));
                let matches = value.as_ref().is_some_and(|value| json_equal(value, wanted));
                holds &= matches;
                seen.push(format!(
                    "{key}={}",
                    value.map_or("<none>".to_string(), |value| value.to_string())
                ));
            }
            (holds, seen.join(", "))
        }
        Expectation::Endpoints {
            service,
            ready,
            not_ready,
            ..
        } => {
            let (namespace, name) = service.split_once('/').unwrap_or(("default", service));
            let Some(endpoints) = simulation.endpoints_of(namespace, name) else {
                return (false, format!("endpoints/{name} does not exist"));
            };
            let (ready_count, not_ready_count) = endpoints.address_counts();
            let holds = ready.is_none_or(|count| count.holds(ready_count as u64))
                && not_ready.is_none_or(|count| count.holds(not_ready_count as u64));
            (holds, format!("{ready_count} ready, {not_ready_count} not ready"))
        }
        _ => (false, String::new()),
    }
}

/// `service/web`, `svc/web`, `endpoints/web` or with a namespace, `service/shop/web`, as
/// `namespace/name`.
fn endpoints_target(object: &str) -> Option<String> {
    let (kind, rest) = object.split_once('/')?;
    if !matches!(
        kind.to_lowercase().as_str(),
        "service" | "services" | "svc" | "endpoints" | "ep"
    ) {
        return None;
    }
    Some(match rest.split_once('/') {
        Some((namespace, name)) => format!("{namespace}/{name}"),
        None => format!("default/{rest}"),
    })
}

/// `status.<dotted.key>` of an object's JSON; a number indexes a list (`ports.0.nodePort`).
fn lookup(json: &Json, section: &str, key: &str) -> Option<Json> {
    let mut current = json.get(section)?;
    for part in key.split('.') {
        current = match (current, part.parse::<usize>()) {
            (Json::Array(items), Ok(index)) => items.get(index)?,
            _ => current.get(part)?,
        };
    }
    Some(current.clone())
}

/// Numbers compare by value and strings by text, so `3` matches `"3"` written either way.
fn json_equal(actual: &Json, wanted: &Json) -> bool {
    match (actual, wanted) {
        (Json::Number(left), Json::Number(right)) => left.as_f64() == right.as_f64(),
        (Json::String(left), Json::Number(right)) | (Json::Number(right), Json::String(left)) => {
            left == &right.to_string()
        }
        (left, right) => left == right,
    }
}

impl PodPhase {
    /// Parses a phase name.
    pub fn parse(text: &str) -> Option<PodPhase> {
        [
            PodPhase::Pending,
            PodPhase::Running,
            PodPhase::Succeeded,
            PodPhase::Failed,
            PodPhase::Unknown,
        ]
        .into_iter()
        .find(|phase| phase.as_str() == text)
    }
}
