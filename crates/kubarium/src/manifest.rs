//! Manifests: multi-document YAML (or JSON) into typed API objects, checked the way
//! `kubectl apply` and the API server check them.
//!
//! Each document goes through the same steps as on a real cluster: YAML to JSON (YAML 1.1
//! scalars, see `yaml.rs`), `apiVersion` and `kind` present, the kind known in that version (with
//! the removal version and the replacement for removed API versions), strict decoding against the
//! kind's schema (unknown, duplicate and mistyped fields), then the typed decode. Every problem of
//! every document is reported, each with its field path, line and column.

use std::fmt;

use serde::de::DeserializeOwned;

use crate::api::{
    CronJob, DaemonSet, Deployment, Job, LimitRange, Namespace, Node as NodeObject, Pod, ReplicaSet,
    ReplicationController, ResourceQuota, Service,
};
use crate::schema::{self, DecodeErrorKind};
use crate::yaml::{self, Node, Pos, Value};

/// An object read from a manifest.
#[derive(Debug, Clone, PartialEq)]
pub enum Manifest {
    DaemonSet(Box<DaemonSet>),
    Job(Box<Job>),
    CronJob(Box<CronJob>),
    ReplicaSet(Box<ReplicaSet>),
    ReplicationController(Box<ReplicationController>),
    Deployment(Box<Deployment>),
    Pod(Box<Pod>),
    Namespace(Box<Namespace>),
    /// A Node object: applying it joins a machine (with a kubelet) to the cluster.
    Node(Box<NodeObject>),
    Service(Box<Service>),
    ResourceQuota(Box<ResourceQuota>),
    LimitRange(Box<LimitRange>),
    /// A HorizontalPodAutoscaler of `autoscaling/v2`, or of `autoscaling/v1` converted to it.
    HorizontalPodAutoscaler(Box<crate::api::HorizontalPodAutoscaler>),
    /// A valid object of a kind the simulation does not play yet.
    NotSimulated {
        api_version: String,
        kind: String,
        name: String,
    },
}

/// A field the manifest sets that the simulation accepts but does not play: it appears in the
/// apply result, so nobody mistakes it for simulated behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub document: usize,
    /// `DaemonSet/fluentd-elasticsearch`.
    pub object: String,
    /// `spec.template.spec.volumes`.
    pub path: String,
}

impl fmt::Display for Notice {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{}: {} is accepted but not simulated",
            self.object, self.path
        )
    }
}

/// Valid manifests, and the notices about what the simulation ignores in them.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub manifests: Vec<Manifest>,
    pub notices: Vec<Notice>,
    /// Where each manifest came from: its document's index and the position of the document's
    /// object, for problems found later (admission, allocation) to point at.
    pub origins: Vec<(usize, Pos)>,
}

/// One problem with one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The 0-based index of the YAML document in the input.
    pub document: usize,
    /// What kubectl says before the field's message
    /// (`DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error`).
    pub context: Option<String>,
    /// `spec.template.spec.containers[0].imagee`.
    pub path: Option<String>,
    pub pos: Option<Pos>,
    /// kubectl's wording (`unknown field "spec.slector"`).
    pub message: String,
    /// A suggestion (`selector`).
    pub hint: Option<String>,
}

impl Problem {
    /// What the problem says without where it is (for an editor that marks its line).
    pub fn text_without_position(&self) -> String {
        let mut text = String::new();
        let _ = self.write_text(&mut text);
        text
    }

    fn write_text(&self, formatter: &mut impl fmt::Write) -> fmt::Result {
        if let Some(context) = &self.context {
            write!(formatter, "{context}: ")?;
        }
        write!(formatter, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(formatter, " (did you mean \"{hint}\"?)")?;
        }
        Ok(())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(pos) => write!(formatter, "{pos}: ")?,
            None => write!(formatter, "document {}: ", self.document + 1)?,
        }
        self.write_text(formatter)
    }
}

/// Why manifests could not be applied: every problem found, in source order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                writeln!(formatter)?;
            }
            write!(formatter, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ManifestError {}

impl ManifestError {
    fn single(problem: Problem) -> Self {
        ManifestError {
            problems: vec![problem],
        }
    }
}

/// API versions Kubernetes served once and removed: (apiVersion, kind, removed in, replacement).
/// From the Kubernetes deprecated API migration guide.
const REMOVED_APIS: &[(&str, &str, &str, &str)] = &[
    ("extensions/v1beta1", "Deployment", "1.16", "apps/v1"),
    ("extensions/v1beta1", "DaemonSet", "1.16", "apps/v1"),
    ("extensions/v1beta1", "ReplicaSet", "1.16", "apps/v1"),
    ("apps/v1beta1", "Deployment", "1.16", "apps/v1"),
    ("apps/v1beta2", "Deployment", "1.16", "apps/v1"),
    ("apps/v1beta2", "DaemonSet", "1.16", "apps/v1"),
    ("apps/v1beta1", "ReplicaSet", "1.16", "apps/v1"),
    ("apps/v1beta2", "ReplicaSet", "1.16", "apps/v1"),
    ("batch/v1beta1", "CronJob", "1.25", "batch/v1"),
    ("batch/v2alpha1", "CronJob", "1.21", "batch/v1"),
    (
        "autoscaling/v2beta1",
        "HorizontalPodAutoscaler",
        "1.25",
        "autoscaling/v2",
    ),
    (
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler",
        "1.26",
        "autoscaling/v2",
    ),
    ("policy/v1beta1", "PodDisruptionBudget", "1.25", "policy/v1"),
    (
        "policy/v1beta1",
        "PodSecurityPolicy",
        "1.25",
        "Pod Security Admission (no replacement kind)",
    ),
];

/// Parses and checks every document of `text`. Empty documents are skipped, as `kubectl apply`
/// skips them. Either every document is valid, or every problem is returned.
pub fn parse_manifests(text: &str) -> Result<Vec<Manifest>, ManifestError> {
    parse_manifests_with_notices(text).map(|parsed| parsed.manifests)
}

/// `parse_manifests`, with the notices about ignored fields.
pub fn parse_manifests_with_notices(text: &str) -> Result<Parsed, ManifestError> {
    parse(text, None)
}

/// The live objects an apply updates: `(kind, namespace, name)` to what the merge needs.
pub type LiveLookup<'a> = &'a dyn Fn(&str, &str, &str) -> Option<crate::apply::LiveObject>;

/// [`parse_manifests_with_notices`] as `kubectl apply` sends the objects: the spec of an object
/// that exists is the three-way merge of the last applied manifest, the live object and this
/// manifest, and the manifest is recorded in the last-applied annotation (`apply.rs`).
pub fn parse_manifests_for_apply(text: &str, live: LiveLookup<'_>) -> Result<Parsed, ManifestError> {
    parse(text, Some(live))
}

fn parse(text: &str, live: Option<LiveLookup<'_>>) -> Result<Parsed, ManifestError> {
    let documents = yaml::parse_stream(text).map_err(|error| {
        ManifestError::single(Problem {
            document: 0,
            context: Some("error converting YAML to JSON".to_string()),
            path: None,
            pos: Some(error.pos),
            message: error.message,
            hint: None,
        })
    })?;
    let mut parsed = Parsed {
        manifests: Vec::new(),
        notices: Vec::new(),
        origins: Vec::new(),
    };
    let mut problems = Vec::new();
    for document in documents.iter().filter(|document| !document.is_empty) {
        match decode_object(document.index, &document.root, "", &mut parsed.notices, live) {
            Ok(decoded) => {
                let origin = (document.index, document.root.pos);
                parsed.origins.extend(std::iter::repeat_n(origin, decoded.len()));
                parsed.manifests.extend(decoded);
            }
            Err(mut found) => problems.append(&mut found),
        }
    }
    if problems.is_empty() {
        Ok(parsed)
    } else {
        Err(ManifestError { problems })
    }
}

/// Decodes one object (or the items of a `List`); `prefix` is the path of the object inside its
/// document (`items[2].`).
fn decode_object(
    document: usize,
    root: &Node,
    prefix: &str,
    notices: &mut Vec<Notice>,
    live: Option<LiveLookup<'_>>,
) -> Result<Vec<Manifest>, Vec<Problem>> {
    let problem = |path: Option<String>, pos: Pos, message: String| Problem {
        document,
        context: None,
        path,
        pos: Some(pos),
        message,
        hint: None,
    };
    if !matches!(root.value, Value::Map(_)) {
        return Err(vec![problem(
            None,
            root.pos,
            format!("a manifest must be an object, found {}", root.value.json_kind()),
        )]);
    }
    let api_version = root.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
    let mut missing = Vec::new();
    if api_version.is_empty() {
        missing.push("apiVersion not set");
    }
    if kind.is_empty() {
        missing.push("kind not set");
    }
    if !missing.is_empty() {
        return Err(vec![Problem {
            context: Some("error validating data".to_string()),
            ..problem(None, root.pos, format!("[{}]", missing.join(", ")))
        }]);
    }
    let Some(type_index) = schema::root_type(api_version, kind) else {
        let at = root.get("apiVersion").map_or(root.pos, |node| node.pos);
        let mut message = format!("no matches for kind \"{kind}\" in version \"{api_version}\"");
        if let Some((_, _, removed_in, replacement)) = REMOVED_APIS
            .iter()
            .find(|(removed_version, removed_kind, _, _)| *removed_version == api_version && *removed_kind == kind)
        {
            message.push_str(&format!(
                ": {api_version} {kind} was removed in Kubernetes {removed_in}; use {replacement}"
            ));
        }
        return Err(vec![problem(Some(format!("{prefix}apiVersion")), at, message)]);
    };

    let decode_errors = schema::check_document(root, type_index);
    if !decode_errors.is_empty() {
        let version = api_version.rsplit('/').next().unwrap_or(api_version);
        return Err(decode_errors
            .into_iter()
            .map(|error| {
                let context = match error.kind {
                    DecodeErrorKind::UnknownField | DecodeErrorKind::DuplicateField => {
                        format!("{kind} in version \"{version}\" cannot be handled as a {kind}: strict decoding error")
                    }
                    DecodeErrorKind::WrongType => {
                        format!("{kind} in version \"{version}\" cannot be handled as a {kind}")
                    }
                };
                Problem {
                    document,
                    context: Some(context),
                    path: Some(format!("{prefix}{}", error.path)),
                    pos: Some(error.pos),
                    message: error.message,
                    hint: error.hint,
                }
            })
            .collect());
    }

    if kind != "List" {
        let issues = crate::validation::validate(api_version, kind, root);
        if !issues.is_empty() {
            let name = root
                .get("metadata")
                .and_then(|metadata| metadata.get("name"))
                .and_then(Node::as_str)
                .unwrap_or("");
            // kubectl: `The <Kind> "<name>" is invalid: <field>: <body>` (one cause per line).
            let context = format!("The {kind} \"{name}\" is invalid");
            return Err(issues
                .into_iter()
                .map(|issue| Problem {
                    document,
                    context: Some(context.clone()),
                    path: Some(format!("{prefix}{}", issue.path)),
                    pos: Some(issue.pos),
                    message: issue.to_string(),
                    hint: None,
                })
                .collect());
        }
    }

    if kind == "List" {
        let Some(Node {
            value: Value::Seq(items),
            ..
        }) = root.get("items")
        else {
            return Ok(Vec::new());
        };
        let mut manifests = Vec::new();
        let mut problems = Vec::new();
        for (index, item) in items.iter().enumerate() {
            match decode_object(document, item, &format!("{prefix}items[{index}]."), notices, live) {
                Ok(mut decoded) => manifests.append(&mut decoded),
                Err(mut found) => problems.append(&mut found),
            }
        }
        return if problems.is_empty() {
            Ok(manifests)
        } else {
            Err(problems)
        };
    }

    let input = root.to_json();
    let mut object = input.clone();
    let name = root
        .get("metadata")
        .and_then(|metadata| metadata.get("name"))
        .and_then(Node::as_str)
        .unwrap_or("");
    if let Some(live) = live.filter(|_| crate::apply::merges(api_version, kind)) {
        let namespace = root
            .get("metadata")
            .and_then(|metadata| metadata.get("namespace"))
            .and_then(Node::as_str)
            .unwrap_or(crate::sim::DEFAULT_NAMESPACE);
        crate::apply::client_side_apply(&input, &mut object, live(kind, namespace, name));
    }
    crate::defaults::apply_defaults(api_version, kind, &mut object);
    let mut note_ignored = |kept: serde_json::Value| {
        for path in ignored_paths(&input, &kept) {
            notices.push(Notice {
                document,
                object: format!("{kind}/{name}"),
                path: format!("{prefix}{path}"),
            });
        }
    };
    let decoded = match (api_version, kind) {
        ("apps/v1", "DaemonSet") => typed::<DaemonSet>(&object).map(|mut daemon_set| {
            note_ignored(serde_json::to_value(&daemon_set).unwrap_or_default());
            daemon_set.template_json = object["spec"]["template"].clone();
            Manifest::DaemonSet(Box::new(daemon_set))
        }),
        ("apps/v1", "ReplicaSet") => typed::<ReplicaSet>(&object).map(|mut replica_set| {
            note_ignored(serde_json::to_value(&replica_set).unwrap_or_default());
            replica_set.template_json = object["spec"]["template"].clone();
            Manifest::ReplicaSet(Box::new(replica_set))
        }),
        ("apps/v1", "Deployment") => typed::<Deployment>(&object).map(|mut deployment| {
            note_ignored(serde_json::to_value(&deployment).unwrap_or_default());
            deployment.template_json = object["spec"]["template"].clone();
            Manifest::Deployment(Box::new(deployment))
        }),
        ("v1", "ReplicationController") => typed::<ReplicationController>(&object).map(|controller| {
            note_ignored(serde_json::to_value(&controller).unwrap_or_default());
            Manifest::ReplicationController(Box::new(controller))
        }),
        ("batch/v1", "Job") => typed::<Job>(&object).map(|job| {
            note_ignored(serde_json::to_value(&job).unwrap_or_default());
            Manifest::Job(Box::new(job))
        }),
        ("batch/v1", "CronJob") => typed::<CronJob>(&object).map(|cron_job| {
            note_ignored(serde_json::to_value(&cron_job).unwrap_or_default());
            Manifest::CronJob(Box::new(cron_job))
        }),
        ("v1", "Pod") => typed::<Pod>(&object).map(|pod| {
            note_ignored(serde_json::to_value(&pod).unwrap_or_default());
            Manifest::Pod(Box::new(pod))
        }),
        ("v1", "Node") => typed::<NodeObject>(&object).map(|node| {
            note_ignored(serde_json::to_value(&node).unwrap_or_default());
            Manifest::Node(Box::new(node))
        }),
        ("v1", "Service") => typed::<Service>(&object).map(|service| {
            note_ignored(serde_json::to_value(&service).unwrap_or_default());
            Manifest::Service(Box::new(service))
        }),
        ("autoscaling/v2", "HorizontalPodAutoscaler") => {
            typed::<crate::api::HorizontalPodAutoscaler>(&object).map(|hpa| {
                note_ignored(serde_json::to_value(&hpa).unwrap_or_default());
                Manifest::HorizontalPodAutoscaler(Box::new(hpa))
            })
        }
        ("autoscaling/v1", "HorizontalPodAutoscaler") => {
            typed::<crate::api::HorizontalPodAutoscalerV1>(&object).map(|hpa| {
                note_ignored(serde_json::to_value(&hpa).unwrap_or_default());
                Manifest::HorizontalPodAutoscaler(Box::new(hpa.into_v2()))
            })
        }
        ("v1", "Namespace") => typed::<Namespace>(&object).map(|namespace| {
            note_ignored(serde_json::to_value(&namespace).unwrap_or_default());
            Manifest::Namespace(Box::new(namespace))
        }),
        ("v1", "ResourceQuota") => typed::<ResourceQuota>(&object).map(|quota| {
            note_ignored(serde_json::to_value(&quota).unwrap_or_default());
            Manifest::ResourceQuota(Box::new(quota))
        }),
        ("v1", "LimitRange") => typed::<LimitRange>(&object).map(|limit_range| {
            note_ignored(serde_json::to_value(&limit_range).unwrap_or_default());
            Manifest::LimitRange(Box::new(limit_range))
        }),
        _ => Ok(Manifest::NotSimulated {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
            name: root
                .get("metadata")
                .and_then(|metadata| metadata.get("name"))
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string(),
        }),
    };
    decoded
        .map(|manifest| vec![manifest])
        .map_err(|message| vec![problem(None, root.pos, message)])
}

/// The typed decode. The schema check has already accepted the shape, so an error here means
/// our types are stricter than Kubernetes' and is reported rather than hidden.
fn typed<T: DeserializeOwned>(object: &serde_json::Value) -> Result<T, String> {
    serde_json::from_value(object.clone()).map_err(|error| format!("cannot decode: {error}"))
}

/// The paths the input sets that the typed object does not keep: the outermost such field of
/// each subtree (`spec.template.spec.volumes`, not every field below it). `apiVersion`, `kind`
/// and `status` are not reported.
fn ignored_paths(input: &serde_json::Value, kept: &serde_json::Value) -> Vec<String> {
    fn walk(input: &serde_json::Value, kept: Option<&serde_json::Value>, path: &str, out: &mut Vec<String>) {
        use serde_json::Value;
        match (input, kept) {
            (_, None) => out.push(path.to_string()),
            (Value::Object(fields), Some(Value::Object(kept_fields))) => {
                for (key, value) in fields {
                    if value.is_null() {
                        continue;
                    }
                    let child = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    walk(value, kept_fields.get(key), &child, out);
                }
            }
            (Value::Array(items), Some(Value::Array(kept_items))) => {
                for (index, item) in items.iter().enumerate() {
                    walk(item, kept_items.get(index), &format!("{path}[{index}]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(input, Some(kept), "", &mut out);
    out.retain(|path| !matches!(path.as_str(), "apiVersion" | "kind" | "status") && !path.starts_with("status."));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<Problem> {
        parse_manifests(text).expect_err("invalid").problems
    }

    #[test]
    fn parses_the_myweb_daemonset() {
        let manifests = parse_manifests(crate::EXAMPLE_MYWEB_DS).expect("example parses");
        let [Manifest::DaemonSet(daemon_set)] = manifests.as_slice() else {
            panic!("expected one DaemonSet, got {manifests:?}");
        };
        assert_eq!(daemon_set.metadata.name, "myweb-ds");
        assert_eq!(daemon_set.spec.selector.match_expressions.len(), 2);
        assert_eq!(
            daemon_set.spec.template.spec.containers[0].ports[0].container_port,
            8080
        );
        assert_eq!(daemon_set.spec.template.spec.restart_policy, "Always");
    }

    #[test]
    fn skips_empty_documents() {
        let text = format!("---\n# nothing here\n---\n{}\n---\n", crate::EXAMPLE_MYWEB_DS);
        assert_eq!(parse_manifests(&text).expect("parses").len(), 1);
    }

    #[test]
    fn yaml_syntax_error_has_a_position() {
        let found = problems("apiVersion: apps/v1\nkind: [DaemonSet\n");
        assert_eq!(found.len(), 1);
        assert!(found[0].pos.is_some(), "{found:?}");
    }

    #[test]
    fn unknown_kind_uses_kubectl_wording() {
        let found = problems("apiVersion: v9\nkind: Widget\nmetadata: {name: w}\n");
        assert_eq!(found[0].message, "no matches for kind \"Widget\" in version \"v9\"");
        assert_eq!(found[0].pos, Some(Pos { line: 1, column: 13 }));
    }

    #[test]
    fn removed_api_versions_name_the_release_and_the_replacement() {
        let found = problems("apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c}\n");
        assert_eq!(
            found[0].message,
            "no matches for kind \"CronJob\" in version \"batch/v1beta1\": batch/v1beta1 CronJob was removed in Kubernetes 1.25; use batch/v1"
        );
    }

    #[test]
    fn missing_api_version_and_kind() {
        let found = problems("metadata: {name: x}\n");
        assert_eq!(found[0].message, "[apiVersion not set, kind not set]");
    }

    #[test]
    fn all_problems_of_all_documents_are_reported() {
        let text = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: a}\nspec:\n  slector: {}\n  templat: {}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers:\n  - name: c\n    imagee: nginx\n";
        let found = problems(text);
        let summary: Vec<(usize, &str, Option<&str>)> = found
            .iter()
            .map(|problem| {
                (
                    problem.document,
                    problem.path.as_deref().unwrap_or(""),
                    problem.hint.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (0, "spec.slector", Some("selector")),
                (0, "spec.templat", Some("template")),
                (1, "spec.containers[0].imagee", Some("image")),
            ]
        );
        assert_eq!(
            found[0].to_string(),
            "line 5, column 3: DaemonSet in version \"v1\" cannot be handled as a DaemonSet: strict decoding error: unknown field \"spec.slector\" (did you mean \"selector\"?)"
        );
    }

    #[test]
    fn ignored_fields_become_notices() {
        let parsed = parse_manifests_with_notices(include_str!("../seeds/fluentd-elasticsearch.yaml")).expect("valid");
        let paths: Vec<&str> = parsed.notices.iter().map(|notice| notice.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "spec.template.spec.containers[0].volumeMounts",
                "spec.template.spec.volumes",
            ]
        );
        assert_eq!(
            parsed.notices[1].to_string(),
            "DaemonSet/fluentd-elasticsearch: spec.template.spec.volumes is accepted but not simulated"
        );
    }

    #[test]
    fn json_manifests_are_read_too() {
        let json = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}"#;
        let manifests = parse_manifests(json).expect("JSON is YAML");
        assert!(matches!(&manifests[0], Manifest::Pod(pod) if pod.metadata.name == "j"));
        let error = parse_manifests(
            r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"}, "spec": {"containers": [{"name": "c", "imagee": "x"}]}}"#,
        )
        .unwrap_err();
        assert_eq!(error.problems[0].path.as_deref(), Some("spec.containers[0].imagee"));
    }

    #[test]
    fn list_items_are_checked_with_their_paths() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n  spec: {containers: [{name: c, image: x, imagee: y}]}\n";
        let found = problems(text);
        assert_eq!(found[0].path.as_deref(), Some("items[0].spec.containers[0].imagee"));
    }

    #[test]
    fn valid_objects_of_other_kinds_are_read() {
        let manifests = parse_manifests("apiVersion: v1\nkind: Endpoints\nmetadata: {name: pi}\n").expect("valid");
        assert_eq!(
            manifests,
            [Manifest::NotSimulated {
                api_version: "v1".to_string(),
                kind: "Endpoints".to_string(),
                name: "pi".to_string()
            }]
        );
    }

    /// A Job is read with the API server's defaults; the pod failure policy and the pod
    /// replacement policy are played (typed, no notice).
    #[test]
    fn jobs_are_read_with_defaults_and_notices() {
        let parsed = parse_manifests_with_notices("apiVersion: batch/v1\nkind: Job\nmetadata: {name: pi}\nspec:\n  podReplacementPolicy: Failed\n  podFailurePolicy:\n    rules: [{action: FailJob, onExitCodes: {operator: In, values: [42]}}, {action: Ignore, onPodConditions: [{type: DisruptionTarget}]}]\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: pi, image: perl}]\n").expect("valid");
        let [Manifest::Job(job)] = parsed.manifests.as_slice() else {
            panic!("expected one Job, got {:?}", parsed.manifests);
        };
        assert_eq!(
            (job.spec.completions, job.spec.parallelism, job.spec.backoff_limit),
            (Some(1), Some(1), Some(6))
        );
        let rules = &job.spec.pod_failure_policy.as_ref().expect("typed policy").rules;
        assert_eq!(rules.len(), 2);
        assert_eq!(
            rules[0].on_exit_codes.as_ref().map(|codes| codes.values.clone()),
            Some(vec![42])
        );
        // `status` of a condition pattern defaults to True (before validation).
        let patterns = rules[1].on_pod_conditions.as_ref().expect("patterns");
        assert_eq!(
            (patterns[0].condition_type.as_str(), patterns[0].status.as_str()),
            ("DisruptionTarget", "True")
        );
        let paths: Vec<&str> = parsed.notices.iter().map(|notice| notice.path.as_str()).collect();
        assert!(
            !paths.iter().any(|path| path.starts_with("spec.podFailurePolicy")),
            "{paths:?}"
        );
        assert!(paths.is_empty(), "{paths:?}");
        assert_eq!(job.spec.pod_replacement_policy.as_deref(), Some("Failed"));
    }
}
