//! The API server's semantic validation (`pkg/apis/*/validation`), run on a strictly decoded
//! document before it is admitted.
//!
//! Validators read the positioned YAML tree, so every error carries the line and column of the
//! field it names. Messages are rendered as `field.Error` renders them
//! (`k8s.io/apimachinery/pkg/util/validation/field/errors.go`): `<path>: <Type>[: <value>][: <detail>]`,
//! and kubectl shows them under `The <Kind> "<name>" is invalid`. Research notes with the source
//! of every rule: `docs/notes/validation-rules.md`.

mod apps;
mod autoscaling;
mod batch;
mod core;
mod names;
mod service;

pub use names::{is_dns1035_label, is_dns1123_label, is_dns1123_subdomain, label_key_errors, label_value_errors};
pub(crate) use service::go_string_slice;

use crate::sort::StableSort;
use crate::yaml::{Entry, Node, Pos, Value};

/// One validation error: a `field.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    pub path: String,
    pub pos: Pos,
    /// Everything after `<path>: `, e.g. `Unsupported value: "OnFailure": supported values: "Always"`.
    pub body: String,
}

impl std::fmt::Display for FieldIssue {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}: {}", self.path, self.body)
    }
}

/// Validates one object of a kind with a schema. Returns every error found.
pub fn validate(api_version: &str, kind: &str, root: &Node) -> Vec<FieldIssue> {
    let mut validator = Validator::default();
    let object = Obj::new(root, "");
    match (api_version, kind) {
        ("v1", "Pod") => core::validate_pod(&mut validator, &object),
        ("v1", "Node") => core::validate_node(&mut validator, &object),
        ("v1", "Namespace") => core::validate_namespace(&mut validator, &object),
        ("v1", "Service") => service::validate_service(&mut validator, &object),
        ("v1", "Endpoints") => core::validate_endpoints(&mut validator, &object),
        ("v1", "ReplicationController") => core::validate_replication_controller(&mut validator, &object),
        ("v1", "ResourceQuota") => core::validate_resource_quota(&mut validator, &object),
        ("v1", "LimitRange") => core::validate_limit_range(&mut validator, &object),
        ("apps/v1", "DaemonSet") => apps::validate_daemon_set(&mut validator, &object),
        ("apps/v1", "ReplicaSet") => apps::validate_replica_set(&mut validator, &object),
        ("apps/v1", "Deployment") => apps::validate_deployment(&mut validator, &object),
        ("batch/v1", "Job") => batch::validate_job(&mut validator, &object),
        ("batch/v1", "CronJob") => batch::validate_cron_job(&mut validator, &object),
        ("autoscaling/v1", "HorizontalPodAutoscaler") => autoscaling::validate_v1(&mut validator, &object),
        ("autoscaling/v2", "HorizontalPodAutoscaler") => autoscaling::validate_v2(&mut validator, &object),
        _ => {}
    }
    validator.dedup();
    validator.issues
}

/// A node of the document together with its path, for reading fields and reporting errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Obj<'a> {
    pub node: &'a Node,
    path: &'a str,
}

/// A field path owned by the caller, so children can borrow it.
#[derive(Debug, Clone)]
pub(crate) struct FieldPath(String);

impl FieldPath {
    pub fn new(path: &str) -> Self {
        FieldPath(path.to_string())
    }

    pub fn child(&self, name: &str) -> FieldPath {
        if self.0.is_empty() {
            FieldPath(name.to_string())
        } else {
            FieldPath(format!("{}.{name}", self.0))
        }
    }

    pub fn index(&self, index: usize) -> FieldPath {
        FieldPath(format!("{}[{index}]", self.0))
    }

    /// `field.Path.Key`: `metadata.labels[app]`.
    pub fn key(&self, key: &str) -> FieldPath {
        FieldPath(format!("{}[{key}]", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'a> Obj<'a> {
    pub fn new(node: &'a Node, path: &'a str) -> Self {
        Obj { node, path }
    }

    pub fn path(&self) -> FieldPath {
        FieldPath::new(self.path)
    }

    pub fn pos(&self) -> Pos {
        self.node.pos
    }

    /// A field's value, unless absent or null.
    pub fn get(&self, name: &str) -> Option<&'a Node> {
        self.node.get(name).filter(|node| node.value != Value::Null)
    }

    /// The position of a field's key if present, else of this object: where a "Required"
    /// or a value error about the field points.
    pub fn pos_of(&self, name: &str) -> Pos {
        match &self.node.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|entry| entry.key == name)
                .map(|entry| entry.value.pos)
                .unwrap_or(self.node.pos),
            _ => self.node.pos,
        }
    }

    pub fn str(&self, name: &str) -> Option<&'a str> {
        self.get(name).and_then(Node::as_str)
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name)?.value {
            Value::Int(value) => Some(value),
            _ => None,
        }
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        match self.get(name)?.value {
            Value::Bool(value) => Some(value),
            _ => None,
        }
    }

    pub fn seq(&self, name: &str) -> &'a [Node] {
        match self.get(name).map(|node| &node.value) {
            Some(Value::Seq(items)) => items,
            _ => &[],
        }
    }

    pub fn map_entries(&self, name: &str) -> &'a [Entry] {
        match self.get(name).map(|node| &node.value) {
            Some(Value::Map(entries)) => entries,
            _ => &[],
        }
    }
}

/// Collects `field.Error`s.
#[derive(Debug, Default)]
pub(crate) struct Validator {
    pub issues: Vec<FieldIssue>,
}

/// A value as `field.Error` prints it.
pub(crate) enum Shown<'a> {
    /// Go `string`: quoted.
    Str(&'a str),
    /// Integers and booleans: bare.
    Int(i64),
    /// Anything else, already rendered (`map[string]string{"app":"web"}`).
    Raw(String),
}

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Shown::Str(text) => formatter.write_str(&go_quote(text)),
            Shown::Int(value) => write!(formatter, "{value}"),
            Shown::Raw(text) => formatter.write_str(text),
        }
    }
}

impl Validator {
    fn push(&mut self, path: &FieldPath, pos: Pos, body: String) {
        self.issues.push(FieldIssue {
            path: path.as_str().to_string(),
            pos,
            body,
        });
    }

    /// A rendered body, for errors whose value Go prints in a form of its own.
    pub fn push_raw(&mut self, path: &FieldPath, pos: Pos, body: String) {
        self.push(path, pos, body);
    }

    /// `field.Required`.
    pub fn required(&mut self, path: &FieldPath, pos: Pos, detail: &str) {
        let body = if detail.is_empty() {
            "Required value".to_string()
        } else {
            format!("Required value: {detail}")
        };
        self.push(path, pos, body);
    }

    /// `field.Invalid`.
    pub fn invalid(&mut self, path: &FieldPath, pos: Pos, value: Shown<'_>, detail: &str) {
        self.push(path, pos, format!("Invalid value: {value}: {detail}"));
    }

    /// `field.NotSupported`.
    pub fn not_supported(&mut self, path: &FieldPath, pos: Pos, value: Shown<'_>, supported: &[&str]) {
        let supported: Vec<String> = supported.iter().map(|value| go_quote(value)).collect();
        self.push(
            path,
            pos,
            format!("Unsupported value: {value}: supported values: {}", supported.join(", ")),
        );
    }

    /// `field.Forbidden`.
    pub fn forbidden(&mut self, path: &FieldPath, pos: Pos, detail: &str) {
        self.push(path, pos, format!("Forbidden: {detail}"));
    }

    /// `field.Duplicate`.
    pub fn duplicate(&mut self, path: &FieldPath, pos: Pos, value: Shown<'_>) {
        self.push(path, pos, format!("Duplicate value: {value}"));
    }

    /// `field.NotFound`.
    pub fn not_found(&mut self, path: &FieldPath, pos: Pos, value: Shown<'_>) {
        self.push(path, pos, format!("Not found: {value}"));
    }

    /// `ValidateNonnegativeField`.
    pub fn non_negative(&mut self, object: &Obj<'_>, field: &str) {
        if let Some(value) = object.int(field) {
            if value < 0 {
                self.invalid(
                    &object.path().child(field),
                    object.pos_of(field),
                    Shown::Int(value),
                    "must be greater than or equal to 0",
                );
            }
        }
    }

    /// `ErrorList.ToAggregate` drops errors whose text is identical.
    fn dedup(&mut self) {
        let mut seen = std::collections::BTreeSet::new();
        self.issues.retain(|issue| seen.insert(issue.to_string()));
    }
}

pub(crate) use crate::gostr::go_quote;

/// A string map printed with `%#v`: `map[string]string{"app":"web"}`, keys sorted.
pub(crate) fn go_string_map(entries: &[Entry]) -> String {
    let mut pairs: Vec<(&str, &str)> = entries
        .iter()
        .map(|entry| (entry.key.as_str(), entry.value.as_str().unwrap_or("")))
        .collect();
    pairs.stable_sort();
    pairs.dedup_by(|later, earlier| later.0 == earlier.0);
    let body: Vec<String> = pairs
        .iter()
        .map(|(key, value)| format!("{}:{}", go_quote(key), go_quote(value)))
        .collect();
    format!("map[string]string{{{}}}", body.join(", "))
}

/// A label selector as the API server prints it in `Invalid value:` (`%#v` of `v1.LabelSelector`).
pub(crate) fn go_label_selector(selector: &Obj<'_>) -> String {
    let match_labels = go_string_map(selector.map_entries("matchLabels"));
    let expressions = selector.seq("matchExpressions");
    let expressions = if expressions.is_empty() {
        "[]v1.LabelSelectorRequirement(nil)".to_string()
    } else {
        let rendered: Vec<String> = expressions
            .iter()
            .map(|expression| {
                let expression = Obj::new(expression, "");
                let values: Vec<String> = expression
                    .seq("values")
                    .iter()
                    .map(|value| go_quote(value.as_str().unwrap_or("")))
                    .collect();
                format!(
                    "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:[]string{{{}}}}}",
                    go_quote(expression.str("key").unwrap_or("")),
                    go_quote(expression.str("operator").unwrap_or("")),
                    values.join(", ")
                )
            })
            .collect();
        format!("[]v1.LabelSelectorRequirement{{{}}}", rendered.join(", "))
    };
    format!("&v1.LabelSelector{{MatchLabels:{match_labels}, MatchExpressions:{expressions}}}")
}

#[cfg(test)]
mod tests;
