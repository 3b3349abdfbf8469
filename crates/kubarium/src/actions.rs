//! kubectl-like actions (`delete node worker-3`, `label node n1 os=centos`, `drain n1
//! --ignore-daemonsets`, ...), parsed by one parser for scenario files and the playground's
//! command line, and performed on a simulation. Wherever kubectl has the verb, its syntax is the
//! one accepted.

use crate::api::Taint;
use crate::quantity::Quantity;
use crate::sim::{ActionError, Cascade, NodeConfig, Simulation, WorkloadKind, DEFAULT_NAMESPACE};
use crate::sort::StableSort;

mod autoscale;
mod create;
mod deployment;
mod query;
mod quota;

pub use autoscale::AutoscalingAction;
pub use query::{parse_query, Query};
pub use quota::PolicyAction;

/// The annotation `kubectl create job --from=cronjob/...` puts on the Job.
pub const INSTANTIATE_ANNOTATION: &str = "cronjob.kubernetes.io/instantiate";

/// The kinds whose pod template `set image` and `rollout` change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKind {
    DaemonSet,
    Deployment,
}

impl TemplateKind {
    /// The kind as kubectl prints it in `KIND/NAME`.
    pub fn name(self) -> &'static str {
        match self {
            TemplateKind::DaemonSet => "daemonset",
            TemplateKind::Deployment => "deployment",
        }
    }
}

/// One action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `apply -f -`: the manifests come with the action.
    Apply {
        manifests: String,
    },
    DeletePod {
        namespace: String,
        name: String,
    },
    DeleteDaemonSet {
        namespace: String,
        name: String,
        cascade: Cascade,
    },
    DeleteJob {
        namespace: String,
        name: String,
        cascade: Cascade,
    },
    DeleteCronJob {
        namespace: String,
        name: String,
        cascade: Cascade,
    },
    /// `delete rs|rc|deployment NAME`.
    DeleteWorkload {
        kind: WorkloadKind,
        namespace: String,
        name: String,
        cascade: Cascade,
    },
    /// `scale KIND/NAME --replicas=N` of a ReplicaSet, ReplicationController or Deployment.
    Scale {
        kind: WorkloadKind,
        namespace: String,
        name: String,
        replicas: i32,
    },
    /// `label pod NAME key=value ... key- [--overwrite]`.
    LabelPod {
        namespace: String,
        name: String,
        changes: Vec<(String, Option<String>)>,
        overwrite: bool,
    },
    /// `create job NAME --from=cronjob/CRONJOB`.
    CreateJobFromCronJob {
        namespace: String,
        name: String,
        cron_job: String,
    },
    DeleteNode {
        name: String,
    },
    /// `add node NAME [key=value ...] [--taint=key=value:Effect ...] [--cpu=4] [--memory=8Gi]
    /// [--pods=110]`: a Ready worker with these labels, taints and capacity (the default
    /// capacity where not given).
    AddNode {
        name: String,
        labels: Vec<(String, String)>,
        taints: Vec<Taint>,
        capacity: NodeCapacity,
    },
    /// `label node NAME key=value ... key- [--overwrite]`.
    LabelNode {
        name: String,
        changes: Vec<(String, Option<String>)>,
        overwrite: bool,
    },
    /// `taint node NAME key=value:Effect [--overwrite]` (or `key:Effect`; a trailing `-`
    /// removes it).
    TaintNode {
        name: String,
        taint: Taint,
        remove: bool,
        overwrite: bool,
    },
    Cordon {
        name: String,
    },
    Uncordon {
        name: String,
    },
    /// `drain NAME [--ignore-daemonsets] [--force]`.
    Drain {
        name: String,
        ignore_daemonsets: bool,
        force: bool,
    },
    FailNode {
        name: String,
    },
    /// `set image daemonset/NAME CONTAINER=IMAGE ...` (`*` for every container), or of a
    /// Deployment.
    SetImage {
        kind: TemplateKind,
        namespace: String,
        name: String,
        images: Vec<(String, String)>,
    },
    /// `patch KIND/NAME -p 'JSON'` (a merge patch) of a DaemonSet, Job or CronJob.
    Patch {
        namespace: String,
        /// `daemonset`, `job` or `cronjob`.
        kind: String,
        name: String,
        patch: String,
    },
    /// `rollout restart daemonset/NAME` (or deployment).
    RolloutRestart {
        kind: TemplateKind,
        namespace: String,
        name: String,
    },
    /// `rollout undo daemonset/NAME [--to-revision=N]` (0: the previous revision), or of a
    /// Deployment.
    RolloutUndo {
        kind: TemplateKind,
        namespace: String,
        name: String,
        to_revision: i64,
    },
    RecoverNode {
        name: String,
    },
    /// `delete service NAME` (or `svc`).
    DeleteService {
        namespace: String,
        name: String,
    },
    /// `rollout pause deployment/NAME` (`resume: false`) or `rollout resume deployment/NAME`.
    RolloutPause {
        namespace: String,
        name: String,
        resume: bool,
    },
    /// `autoscale`, `delete hpa` and `load` (`actions/autoscale.rs`).
    Autoscaling(AutoscalingAction),
    /// `create -f -`, `create deployment`, `create namespace` (`actions/create.rs`).
    Create(create::CreateAction),
    /// `delete resourcequota NAME`, `delete limitrange NAME`.
    Policy(PolicyAction),
}

/// The action as the command line that makes it (`kubectl` left out), for logs and the UI.
impl std::fmt::Display for Action {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let in_namespace = |namespace: &str| {
            if namespace == DEFAULT_NAMESPACE {
                String::new()
            } else {
                format!(" -n {namespace}")
            }
        };
        let orphan = |cascade: &Cascade| match cascade {
            Cascade::Orphan => " --cascade=orphan",
            Cascade::Background => "",
        };
        match self {
            Action::Apply { .. } => write!(formatter, "apply -f -"),
            Action::Autoscaling(action) => write!(formatter, "{action}"),
            Action::Create(action) => write!(formatter, "{action}"),
            Action::Policy(action) => write!(formatter, "{action}"),
            Action::DeletePod { namespace, name } => write!(formatter, "delete pod {name}{}", in_namespace(namespace)),
            Action::DeleteDaemonSet {
                namespace,
                name,
                cascade,
            } => write!(
                formatter,
                "delete daemonset {name}{}{}",
                in_namespace(namespace),
                orphan(cascade)
            ),
            Action::DeleteJob {
                namespace,
                name,
                cascade,
            } => write!(
                formatter,
                "delete job {name}{}{}",
                in_namespace(namespace),
                orphan(cascade)
            ),
            Action::DeleteCronJob {
                namespace,
                name,
                cascade,
            } => write!(
                formatter,
                "delete cronjob {name}{}{}",
                in_namespace(namespace),
                orphan(cascade)
            ),
            Action::DeleteWorkload {
                kind,
                namespace,
                name,
                cascade,
            } => write!(
                formatter,
                "delete {} {name}{}{}",
                kind.name(),
                in_namespace(namespace),
                orphan(cascade)
            ),
            Action::Scale {
                kind,
                namespace,
                name,
                replicas,
            } => write!(
                formatter,
                "scale {}/{name}{} --replicas={replicas}",
                kind.name(),
                in_namespace(namespace)
            ),
            Action::LabelPod {
                namespace,
                name,
                changes,
                overwrite,
            } => {
                write!(formatter, "label pod {name}{}", in_namespace(namespace))?;
                write_label_changes(formatter, changes)?;
                write_overwrite(formatter, *overwrite)
            }
            Action::CreateJobFromCronJob {
                namespace,
                name,
                cron_job,
            } => write!(
                formatter,
                "create job {name} --from=cronjob/{cron_job}{}",
                in_namespace(namespace)
            ),
            Action::DeleteNode { name } => write!(formatter, "delete node {name}"),
            Action::AddNode {
                name,
                labels,
                taints,
                capacity,
            } => {
                write!(formatter, "add node {name}")?;
                for (key, value) in labels {
                    write!(formatter, " {key}={value}")?;
                }
                for taint in taints {
                    match taint.value.as_str() {
                        "" => write!(formatter, " --taint={}:{}", taint.key, taint.effect)?,
                        value => write!(formatter, " --taint={}={value}:{}", taint.key, taint.effect)?,
                    }
                }
                if let Some(cpu) = &capacity.cpu {
                    write!(formatter, " --cpu={cpu}")?;
                }
                if let Some(memory) = &capacity.memory {
                    write!(formatter, " --memory={memory}")?;
                }
                if let Some(pods) = capacity.pods {
                    write!(formatter, " --pods={pods}")?;
                }
                Ok(())
            }
            Action::LabelNode {
                name,
                changes,
                overwrite,
            } => {
                write!(formatter, "label node {name}")?;
                write_label_changes(formatter, changes)?;
                write_overwrite(formatter, *overwrite)
            }
            Action::TaintNode {
                name,
                taint,
                remove,
                overwrite,
            } => {
                let value = if taint.value.is_empty() {
                    String::new()
                } else {
                    format!("={}", taint.value)
                };
                let minus = if *remove { "-" } else { "" };
                write!(
                    formatter,
                    "taint node {name} {}{value}:{}{minus}",
                    taint.key, taint.effect
                )?;
                write_overwrite(formatter, *overwrite)
            }
            Action::Cordon { name } => write!(formatter, "cordon {name}"),
            Action::Uncordon { name } => write!(formatter, "uncordon {name}"),
            Action::Drain {
                name,
                ignore_daemonsets,
                force,
            } => write!(
                formatter,
                "drain {name}{}{}",
                if *ignore_daemonsets { " --ignore-daemonsets" } else { "" },
                if *force { " --force" } else { "" }
            ),
            Action::FailNode { name } => write!(formatter, "fail node {name}"),
            Action::RecoverNode { name } => write!(formatter, "recover node {name}"),
            Action::DeleteService { namespace, name } => {
                write!(formatter, "delete service {name}{}", in_namespace(namespace))
            }
            Action::SetImage {
                kind,
                namespace,
                name,
                images,
            } => {
                write!(formatter, "set image {}/{name}{}", kind.name(), in_namespace(namespace))?;
                for (container, image) in images {
                    write!(formatter, " {container}={image}")?;
                }
                Ok(())
            }
            Action::RolloutRestart { kind, namespace, name } => {
                write!(
                    formatter,
                    "rollout restart {}/{name}{}",
                    kind.name(),
                    in_namespace(namespace)
                )
            }
            Action::RolloutPause {
                namespace,
                name,
                resume,
            } => write!(
                formatter,
                "rollout {} deployment/{name}{}",
                if *resume { "resume" } else { "pause" },
                in_namespace(namespace)
            ),
            Action::Patch {
                namespace,
                kind,
                name,
                patch,
            } => write!(formatter, "patch {kind}/{name}{} -p '{patch}'", in_namespace(namespace)),
            Action::RolloutUndo {
                kind,
                namespace,
                name,
                to_revision,
            } => {
                write!(
                    formatter,
                    "rollout undo {}/{name}{}",
                    kind.name(),
                    in_namespace(namespace)
                )?;
                if *to_revision != 0 {
                    write!(formatter, " --to-revision={to_revision}")?;
                }
                Ok(())
            }
        }
    }
}

/// ` key=value` and ` key-` for each label change, as `kubectl label` takes them.
fn write_label_changes(
    formatter: &mut std::fmt::Formatter<'_>,
    changes: &[(String, Option<String>)],
) -> std::fmt::Result {
    for (key, value) in changes {
        match value {
            Some(value) => write!(formatter, " {key}={value}")?,
            None => write!(formatter, " {key}-")?,
        }
    }
    Ok(())
}

/// ` --overwrite`, when given.
fn write_overwrite(formatter: &mut std::fmt::Formatter<'_>, overwrite: bool) -> std::fmt::Result {
    if overwrite {
        formatter.write_str(" --overwrite")?;
    }
    Ok(())
}

/// The capacity an added node is given; `None` keeps the default (4 CPUs, 8Gi, 110 pods).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeCapacity {
    pub cpu: Option<Quantity>,
    pub memory: Option<Quantity>,
    pub pods: Option<u32>,
}

/// `kubectl taint`'s `key[=value]:Effect` (a trailing `-` is the caller's business).
fn parse_taint(spec: &str) -> Result<Taint, String> {
    let (key_value, effect) = spec
        .rsplit_once(':')
        .ok_or_else(|| format!("invalid taint spec: {spec}: expected key[=value]:Effect"))?;
    if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&effect) {
        return Err(format!("invalid taint effect: {effect}, unsupported taint effect"));
    }
    let (key, value) = key_value.split_once('=').unwrap_or((key_value, ""));
    if key.is_empty() {
        return Err(format!("invalid taint spec: {spec}: the key is empty"));
    }
    Ok(Taint {
        key: key.to_string(),
        value: value.to_string(),
        effect: effect.to_string(),
        time_added_ms: None,
    })
}

/// `add node`'s arguments: `key=value` labels, `--taint=...` (repeatable), `--cpu`, `--memory`
/// and `--pods`.
fn parse_add_node(name: &str, labels: &[&str], flags: &[String]) -> Result<Action, String> {
    if let Some(problem) = crate::validation::is_dns1123_subdomain(name).first() {
        return Err(format!("invalid node name {name:?}: {problem}"));
    }
    let labels = labels
        .iter()
        .map(|label| {
            label
                .split_once('=')
                .map(|(key, value)| (key.to_string(), value.to_string()))
                .ok_or_else(|| format!("invalid label {label:?}: expected key=value"))
        })
        .collect::<Result<_, _>>()?;
    let mut taints = Vec::new();
    let mut capacity = NodeCapacity::default();
    let quantity = |flag: &str, value: &str| {
        Quantity::parse(value)
            .ok()
            .filter(|quantity| !quantity.is_negative() && quantity.milli_value() > 0)
            .ok_or_else(|| format!("invalid {flag} {value:?}: expected a positive quantity like 4, 500m or 8Gi"))
    };
    for flag in flags {
        let (name, value) = flag.split_once('=').unwrap_or((flag.as_str(), ""));
        match name {
            "--taint" => taints.push(parse_taint(value)?),
            "--cpu" => capacity.cpu = Some(quantity("--cpu", value)?),
            "--memory" => capacity.memory = Some(quantity("--memory", value)?),
            "--pods" => {
                capacity.pods = Some(
                    value
                        .parse()
                        .ok()
                        .filter(|pods| *pods > 0)
                        .ok_or_else(|| format!("invalid --pods {value:?}: expected a positive number"))?,
                )
            }
            _ => {
                return Err(format!(
                    "unknown flag for add node: {name} (--taint, --cpu, --memory, --pods)"
                ))
            }
        }
    }
    Ok(Action::AddNode {
        name: name.to_string(),
        labels,
        taints,
        capacity,
    })
}

/// `kubectl label`'s `key=value` and `key-` arguments.
fn label_changes(changes: &[&str]) -> Result<Vec<(String, Option<String>)>, String> {
    changes
        .iter()
        .map(|change| match (change.split_once('='), change.strip_suffix('-')) {
            (Some((key, value)), _) => Ok((key.to_string(), Some(value.to_string()))),
            (None, Some(key)) => Ok((key.to_string(), None)),
            _ => Err(format!("invalid label spec: {change}")),
        })
        .collect()
}

/// Verbs kubectl has that need controllers kubarium does not simulate yet.
const NOT_YET: &[(&str, &str)] = &[
    (
        "patch",
        "`patch` does DaemonSets, Jobs and CronJobs so far: patch KIND/NAME -p '{\"spec\":{...}}'",
    ),
    (
        "set",
        "`set` does `image` of DaemonSets and Deployments and `cpu` (simulated load, like `set cpu deployment/NAME 80%`) so far; `set resources` and the other setters need more of the API",
    ),
    (
        "create",
        "`create` does `-f -`, `deployment`, `namespace` and `job --from=cronjob/NAME` so far; other objects come with `create -f -` or `apply -f -`",
    ),
    (
        "rollout",
        "`rollout` does `restart`, `undo`, `pause` and `resume` (and `status` as a report, not an action)",
    ),
    (
        "describe",
        "`describe` does pods so far, in the page by clicking a pod's chip",
    ),
    (
        "logs",
        "simulated containers print nothing: their run time and exit code come from the behaviour rules (docs/behaviour.md)",
    ),
    (
        "exec",
        "simulated containers run no processes to enter",
    ),
];

/// The verbs `parse_action` knows, for the message about one it does not.
const KNOWN_VERBS: &str = "apply, create, delete, scale, set, patch, label, taint, cordon, uncordon, drain, rollout, autoscale, add node, fail node, recover node, get, load";

/// Splits a command line into words, honouring single and double quotes.
fn words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    for character in line.chars() {
        match (quote, character) {
            (Some(open), close) if open == close => quote = None,
            (Some(_), other) => current.push(other),
            (None, '"' | '\'') => {
                quote = Some(character);
                in_word = true;
            }
            (None, space) if space.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            (None, other) => {
                current.push(other);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err(format!("unterminated quote in {line:?}"));
    }
    if in_word {
        words.push(current);
    }
    Ok(words)
}

/// Parses one action. `manifests` is the inline YAML of an `apply -f -`.
pub fn parse_action(line: &str, manifests: Option<&str>) -> Result<Action, String> {
    let mut words = words(line)?;
    if words.first().map(String::as_str) == Some("kubectl") {
        words.remove(0);
    }
    let mut namespace = DEFAULT_NAMESPACE.to_string();
    let mut flags = Vec::new();
    let mut args = Vec::new();
    let mut iter = words.into_iter();
    while let Some(word) = iter.next() {
        if word == "-n" || word == "--namespace" {
            namespace = iter.next().ok_or("flag needs an argument: 'n' in -n")?;
        } else if let Some(value) = word.strip_prefix("--namespace=") {
            namespace = value.to_string();
        } else if word.starts_with("--") {
            flags.push(word);
        } else {
            args.push(word);
        }
    }
    let has_flag = |name: &str| {
        flags
            .iter()
            .any(|flag| flag == name || flag.starts_with(&format!("{name}=")))
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if let Some(action) = autoscale::parse(&args, &flags, &namespace) {
        return action.map(Action::Autoscaling);
    }
    if let Some(action) = create::parse(&args, &flags, &namespace, manifests) {
        return action;
    }
    if let ["label", rest @ ..] = args.as_slice() {
        if let Some(action) = label_workload(rest, &namespace) {
            return action;
        }
    }
    if let Some(action) = quota::parse(&args, &namespace) {
        return action.map(Action::Policy);
    }
    let node_name = |rest: &[&str], verb: &str| -> Result<String, String> {
        match rest {
            [name] => Ok(name.to_string()),
            _ => Err(format!("{verb} needs exactly one node name")),
        }
    };
    match args.as_slice() {
        ["apply", "-f", "-"] => Ok(Action::Apply {
            manifests: manifests
                .ok_or("apply -f - needs the manifests (a `manifests:` block on the action)")?
                .to_string(),
        }),
        ["delete", "node" | "nodes" | "no", name] => Ok(Action::DeleteNode { name: name.to_string() }),
        ["delete", "pod" | "pods" | "po", name] => Ok(Action::DeletePod {
            namespace,
            name: name.to_string(),
        }),
        ["delete", "daemonset" | "daemonsets" | "ds", name] => Ok(Action::DeleteDaemonSet {
            namespace,
            name: name.to_string(),
            cascade: cascade(&flags)?,
        }),
        ["delete", "job" | "jobs", name] => Ok(Action::DeleteJob {
            namespace,
            name: name.to_string(),
            cascade: cascade(&flags)?,
        }),
        ["delete", "cronjob" | "cronjobs" | "cj", name] => Ok(Action::DeleteCronJob {
            namespace,
            name: name.to_string(),
            cascade: cascade(&flags)?,
        }),
        ["delete", "service" | "services" | "svc", name] => Ok(Action::DeleteService {
            namespace,
            name: name.to_string(),
        }),
        ["delete", target] if target.contains('/') => {
            let (kind, name) = target.split_once('/').unwrap_or_default();
            match kind {
                "node" | "nodes" | "no" => Ok(Action::DeleteNode { name: name.to_string() }),
                "pod" | "pods" | "po" => Ok(Action::DeletePod {
                    namespace,
                    name: name.to_string(),
                }),
                "daemonset" | "daemonsets" | "ds" | "daemonset.apps" => Ok(Action::DeleteDaemonSet {
                    namespace,
                    name: name.to_string(),
                    cascade: cascade(&flags)?,
                }),
                "job" | "jobs" | "job.batch" => Ok(Action::DeleteJob {
                    namespace,
                    name: name.to_string(),
                    cascade: cascade(&flags)?,
                }),
                "cronjob" | "cronjobs" | "cj" | "cronjob.batch" => Ok(Action::DeleteCronJob {
                    namespace,
                    name: name.to_string(),
                    cascade: cascade(&flags)?,
                }),
                "service" | "services" | "svc" => Ok(Action::DeleteService {
                    namespace,
                    name: name.to_string(),
                }),
                other if WorkloadKind::parse(other).is_some() => Ok(Action::DeleteWorkload {
                    kind: WorkloadKind::parse(other).unwrap_or(WorkloadKind::ReplicaSet),
                    namespace,
                    name: name.to_string(),
                    cascade: cascade(&flags)?,
                }),
                other => Err(format!(
                    "kubarium does not simulate {other} yet, so it cannot delete one"
                )),
            }
        }
        ["create", "job", rest @ ..] => {
            // `--from cronjob/x` (two words) leaves the value among the arguments.
            let from = match (flags.iter().find_map(|flag| flag.strip_prefix("--from=")), rest) {
                (Some(from), [_]) => from.to_string(),
                (None, [_, from]) if flags.iter().any(|flag| flag == "--from") => from.to_string(),
                (None, [_, ..]) if flags.iter().any(|flag| flag.starts_with("--image")) => {
                    return Err(
                        "kubarium creates Jobs only --from=cronjob/NAME; write a Job manifest and apply it for --image"
                            .to_string(),
                    )
                }
                (None, [_]) => return Err("either --image or --from must be specified".to_string()),
                _ => return Err("create job needs exactly one name: create job NAME --from=cronjob/NAME".to_string()),
            };
            let cron_job = match from.split_once('/') {
                Some(("cronjob" | "cronjobs" | "cj" | "cronjob.batch", cron_job)) => cron_job.to_string(),
                // kubectl looks the object up, then refuses any other type (`Run`).
                _ => {
                    return Err(format!(
                        "from must be an existing cronjob, as cronjob/NAME (got {from:?})"
                    ))
                }
            };
            Ok(Action::CreateJobFromCronJob {
                namespace,
                name: rest[0].to_string(),
                cron_job,
            })
        }
        ["add", "node", name, labels @ ..] => parse_add_node(name, labels, &flags),
        ["label", "node" | "nodes" | "no", name, changes @ ..] if !changes.is_empty() => Ok(Action::LabelNode {
            name: name.to_string(),
            changes: label_changes(changes)?,
            overwrite: has_flag("--overwrite"),
        }),
        ["label", "pod" | "pods" | "po", name, changes @ ..] if !changes.is_empty() => Ok(Action::LabelPod {
            namespace,
            name: name.to_string(),
            changes: label_changes(changes)?,
            overwrite: has_flag("--overwrite"),
        }),
        ["scale", rest @ ..] => parse_scale(rest, &flags, namespace),
        ["delete", kind, name] if WorkloadKind::parse(kind).is_some() => Ok(Action::DeleteWorkload {
            kind: WorkloadKind::parse(kind).unwrap_or(WorkloadKind::ReplicaSet),
            namespace,
            name: name.to_string(),
            cascade: cascade(&flags)?,
        }),
        ["taint", "node" | "nodes" | "no", name, spec] => {
            let (spec, remove) = match spec.strip_suffix('-') {
                Some(spec) => (spec, true),
                None => (*spec, false),
            };
            Ok(Action::TaintNode {
                name: name.to_string(),
                taint: parse_taint(spec)?,
                remove,
                overwrite: has_flag("--overwrite"),
            })
        }
        ["cordon", rest @ ..] => Ok(Action::Cordon {
            name: node_name(rest, "cordon")?,
        }),
        ["uncordon", rest @ ..] => Ok(Action::Uncordon {
            name: node_name(rest, "uncordon")?,
        }),
        ["drain", rest @ ..] => Ok(Action::Drain {
            name: node_name(rest, "drain")?,
            ignore_daemonsets: has_flag("--ignore-daemonsets"),
            force: has_flag("--force"),
        }),
        ["set", "image", rest @ ..] => {
            let (kind, name, images) = template_target(rest, "set image")?;
            if images.is_empty() {
                return Err("error: at least one image update is required".to_string());
            }
            let images = images
                .iter()
                .map(|pair| match pair.split_once('=') {
                    Some((container, image)) if !container.is_empty() && !image.is_empty() => {
                        Ok((container.to_string(), image.to_string()))
                    }
                    _ => Err(format!(
                        "error: invalid image update {pair:?}: expected CONTAINER=IMAGE"
                    )),
                })
                .collect::<Result<_, _>>()?;
            Ok(Action::SetImage {
                kind,
                namespace,
                name,
                images,
            })
        }
        ["patch", rest @ ..] => {
            let (kind, name, rest) = split_target(rest).ok_or("patch needs KIND/NAME and -p 'PATCH'")?;
            let kind = patchable_kind(kind).ok_or_else(|| {
                format!("kubarium patches daemonsets, deployments, jobs and cronjobs so far, not {kind}")
            })?;
            if let Some(kind) = flags.iter().find_map(|flag| flag.strip_prefix("--type=")) {
                if kind != "merge" && kind != "strategic" {
                    return Err(format!("--type={kind} is not simulated; use a merge patch"));
                }
            }
            let patch = match (rest, flags.iter().find_map(|flag| flag.strip_prefix("--patch="))) {
                (["-p", patch], _) => patch.to_string(),
                ([], Some(patch)) => patch.to_string(),
                _ => return Err("patch needs -p 'PATCH' (a JSON merge patch)".to_string()),
            };
            Ok(Action::Patch {
                namespace,
                kind: kind.to_string(),
                name: name.to_string(),
                patch,
            })
        }
        ["rollout", "restart", rest @ ..] => match template_target(rest, "rollout restart")? {
            (kind, name, []) => Ok(Action::RolloutRestart { kind, namespace, name }),
            _ => Err("rollout restart takes one daemonset or deployment".to_string()),
        },
        ["rollout", verb @ ("pause" | "resume"), rest @ ..] => match template_target(rest, &format!("rollout {verb}"))?
        {
            (TemplateKind::Deployment, name, []) => Ok(Action::RolloutPause {
                namespace,
                name,
                resume: *verb == "resume",
            }),
            (TemplateKind::DaemonSet, _, _) => {
                Err(format!("error: daemonsets.apps are not supported by rollout {verb}"))
            }
            _ => Err(format!("rollout {verb} takes one deployment")),
        },
        ["rollout", "undo", rest @ ..] => {
            let to_revision = match flags.iter().find_map(|flag| flag.strip_prefix("--to-revision=")) {
                None => 0,
                Some(value) => value
                    .parse::<i64>()
                    .map_err(|_| format!("invalid argument {value:?} for \"--to-revision\" flag"))?,
            };
            match template_target(rest, "rollout undo")? {
                (kind, name, []) => Ok(Action::RolloutUndo {
                    kind,
                    namespace,
                    name,
                    to_revision,
                }),
                _ => Err("rollout undo takes one daemonset or deployment".to_string()),
            }
        }
        ["fail", "node", name] => Ok(Action::FailNode { name: name.to_string() }),
        ["recover", "node", name] => Ok(Action::RecoverNode { name: name.to_string() }),
        [verb, ..] => match NOT_YET.iter().find(|(known, _)| known == verb) {
            Some((_, why)) => Err(format!("kubarium cannot do that `{verb}` yet: {why}")),
            None => Err(format!("unknown action {line:?}: kubarium plays {KNOWN_VERBS}")),
        },
        [] => Err("empty action".to_string()),
    }
}

/// The object a command names, as kubectl takes it (`KIND/NAME` or `KIND NAME`): kind, name and
/// the words after them.
fn split_target<'a, 'b>(words: &'b [&'a str]) -> Option<(&'a str, &'a str, &'b [&'a str])> {
    match words {
        [target, rest @ ..] if target.contains('/') => {
            let (kind, name) = target.split_once('/')?;
            Some((kind, name, rest))
        }
        [kind, name, rest @ ..] => Some((kind, name, rest)),
        _ => None,
    }
}

/// The kinds `patch` (and so `label`) writes, by the names kubectl takes.
fn patchable_kind(kind: &str) -> Option<&'static str> {
    match kind {
        "daemonset" | "daemonsets" | "ds" | "daemonset.apps" => Some("daemonset"),
        "job" | "jobs" | "job.batch" => Some("job"),
        "cronjob" | "cronjobs" | "cj" | "cronjob.batch" => Some("cronjob"),
        "deployment" | "deployments" | "deploy" | "deployment.apps" => Some("deployment"),
        _ => None,
    }
}

/// `kubectl label deployment web tier=frontend old-`: the labels of a DaemonSet, Deployment,
/// Job or CronJob, written as the merge patch of its `metadata.labels` kubectl sends
/// (`LabelOptions.RunLabel`); None for other kinds (nodes and pods have their own verbs).
fn label_workload(rest: &[&str], namespace: &str) -> Option<Result<Action, String>> {
    let (kind, name, changes) = split_target(rest)?;
    let kind = patchable_kind(kind)?;
    if changes.is_empty() {
        return Some(Err("error: at least one label update is required".to_string()));
    }
    let changes = match label_changes(changes) {
        Ok(changes) => changes,
        Err(error) => return Some(Err(error)),
    };
    let labels: serde_json::Map<String, serde_json::Value> = changes
        .into_iter()
        .map(|(key, value)| (key, value.map_or(serde_json::Value::Null, serde_json::Value::String)))
        .collect();
    Some(Ok(Action::Patch {
        namespace: namespace.to_string(),
        kind: kind.to_string(),
        name: name.to_string(),
        patch: serde_json::json!({"metadata": {"labels": labels}}).to_string(),
    }))
}

/// The DaemonSet or Deployment a `set` or `rollout` command names (`KIND/NAME` or
/// `KIND NAME`), and the words after it.
fn template_target<'a, 'b>(rest: &'b [&'a str], verb: &str) -> Result<(TemplateKind, String, &'b [&'a str]), String> {
    let needs = || format!("{verb} needs a deployment or daemonset, like {verb} deployment/NAME");
    let (kind, name, rest) = split_target(rest).ok_or_else(needs)?;
    if name.is_empty() {
        return Err(needs());
    }
    match kind {
        "daemonset" | "daemonsets" | "ds" | "daemonset.apps" => Ok((TemplateKind::DaemonSet, name.to_string(), rest)),
        "deployment" | "deployments" | "deploy" | "deployment.apps" => {
            Ok((TemplateKind::Deployment, name.to_string(), rest))
        }
        "statefulset" | "statefulsets" | "sts" => Err(format!(
            "kubarium does not simulate {kind} yet; {verb} works on deployments and daemonsets"
        )),
        _ => Err(needs()),
    }
}

/// `kubectl scale KIND/NAME --replicas=N` (or `KIND NAME`, `--replicas N`).
fn parse_scale(rest: &[&str], flags: &[String], namespace: String) -> Result<Action, String> {
    let (kind, name, rest) = split_target(rest).ok_or("scale needs KIND/NAME and --replicas=N")?;
    let replicas = match (flags.iter().find_map(|flag| flag.strip_prefix("--replicas=")), rest) {
        (Some(value), []) => value,
        (None, [value]) if flags.iter().any(|flag| flag == "--replicas") => value,
        (None, []) => return Err("error: required flag(s) \"replicas\" not set".to_string()),
        _ => return Err("scale takes one object: scale KIND/NAME --replicas=N".to_string()),
    };
    let replicas = replicas
        .parse::<i32>()
        .map_err(|_| format!("invalid argument {replicas:?} for \"--replicas\" flag"))?;
    // `ScaleOptions.Validate`, before any request.
    if replicas < 0 {
        return Err(
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0".to_string(),
        );
    }
    let kind = match (WorkloadKind::parse(kind), kind) {
        (Some(kind), _) => kind,
        (None, "job" | "jobs" | "job.batch") => {
            return Err(
                "Jobs have no scale subresource; change spec.parallelism with patch job/NAME -p '{\"spec\":{\"parallelism\":N}}'"
                    .to_string(),
            )
        }
        (None, other) => return Err(format!("kubarium scales replicasets, replicationcontrollers and deployments, not {other}")),
    };
    Ok(Action::Scale {
        kind,
        namespace,
        name: name.to_string(),
        replicas,
    })
}

fn cascade(flags: &[String]) -> Result<Cascade, String> {
    match flags.iter().find_map(|flag| flag.strip_prefix("--cascade=")) {
        None | Some("background" | "true") => Ok(Cascade::Background),
        Some("orphan" | "false") => Ok(Cascade::Orphan),
        Some("foreground") => Err("--cascade=foreground is not simulated yet; use background or orphan".to_string()),
        Some(other) => Err(format!(
            "invalid --cascade value {other:?}: must be background, orphan or foreground"
        )),
    }
}

/// `kubectl label`'s `validateNoOverwrites`: without `--overwrite`, a label may not change to
/// another value (setting the value it has is allowed).
fn no_label_overwrites(
    labels: Option<&std::collections::BTreeMap<String, String>>,
    changes: &[(String, Option<String>)],
) -> Result<(), ActionError> {
    let Some(labels) = labels else { return Ok(()) };
    let clashes: Vec<String> = changes
        .iter()
        .filter_map(|(key, value)| {
            let current = labels.get(key)?;
            let value = value.as_ref()?;
            (current != value).then(|| format!("'{key}' already has a value ({current}), and --overwrite is false"))
        })
        .collect();
    match clashes.as_slice() {
        [] => Ok(()),
        [one] => Err(ActionError(one.clone())),
        several => Err(ActionError(format!("[{}]", several.join(", ")))),
    }
}

impl Action {
    /// Whether a refusal of this action can come after it changed the cluster: `drain` cordons
    /// the node first (`RunDrain`), and the cordon stays when it then refuses to evict.
    pub fn acts_before_refusing(&self) -> bool {
        matches!(self, Action::Drain { .. })
    }
}

impl Simulation {
    /// Performs an action now. `Apply` problems come back as the apply's message.
    pub fn perform(&mut self, action: &Action) -> Result<(), ActionError> {
        match action {
            Action::Apply { manifests } => self
                .apply(manifests)
                .map(|_| ())
                .map_err(|error| ActionError(error.to_string())),
            Action::DeletePod { namespace, name } => self.delete_pod(namespace, name),
            Action::Autoscaling(action) => self.perform_autoscaling(action),
            Action::Create(action) => self.perform_create(action),
            Action::Policy(action) => self.perform_policy(action),
            Action::DeleteDaemonSet {
                namespace,
                name,
                cascade,
            } => self.delete_daemon_set(namespace, name, *cascade),
            Action::DeleteJob {
                namespace,
                name,
                cascade,
            } => self.delete_job(namespace, name, *cascade),
            Action::DeleteCronJob {
                namespace,
                name,
                cascade,
            } => self.delete_cron_job(namespace, name, *cascade),
            Action::CreateJobFromCronJob {
                namespace,
                name,
                cron_job,
            } => self.create_job_from_cron_job(namespace, name, cron_job),
            Action::DeleteWorkload {
                kind,
                namespace,
                name,
                cascade,
            } => self.delete_workload(*kind, namespace, name, *cascade),
            Action::Scale {
                kind,
                namespace,
                name,
                replicas,
            } => self.scale(*kind, namespace, name, *replicas),
            Action::LabelPod {
                namespace,
                name,
                changes,
                overwrite,
            } => {
                if !overwrite {
                    no_label_overwrites(self.pod(namespace, name).map(|pod| &pod.metadata.labels), changes)?;
                }
                self.label_pod(namespace, name, changes)
            }
            Action::DeleteNode { name } => self.delete_node(name),
            Action::AddNode {
                name,
                labels,
                taints,
                capacity,
            } => {
                if self.node(name).is_some() {
                    return Err(ActionError(format!("nodes \"{name}\" already exists")));
                }
                let mut config = NodeConfig::worker(name);
                config.labels = labels.iter().cloned().collect();
                config.taints = taints.clone();
                if let Some(cpu) = &capacity.cpu {
                    config.cpu = *cpu;
                }
                if let Some(memory) = &capacity.memory {
                    config.memory = *memory;
                }
                if let Some(pods) = capacity.pods {
                    config.max_pods = pods;
                }
                self.add_node(config);
                Ok(())
            }
            Action::LabelNode {
                name,
                changes,
                overwrite,
            } => {
                if !overwrite {
                    no_label_overwrites(self.node(name).map(|node| &node.metadata.labels), changes)?;
                }
                for (key, value) in changes {
                    self.label_node(name, key, value.as_deref())?;
                }
                Ok(())
            }
            Action::TaintNode {
                name,
                taint,
                remove,
                overwrite,
            } => {
                // `validateNoTaintOverwrites`: a taint of the same key and effect is replaced
                // only with `--overwrite`.
                let clash = self.node(name).is_some_and(|node| {
                    node.spec
                        .taints
                        .iter()
                        .any(|existing| existing.key == taint.key && existing.effect == taint.effect)
                });
                if clash && !remove && !overwrite {
                    return Err(ActionError(format!(
                        "node {name} already has {} taint(s) with same effect(s) and --overwrite is false",
                        taint.key
                    )));
                }
                self.taint_node(name, taint.clone(), *remove)
            }
            Action::Cordon { name } => self.set_unschedulable(name, true),
            Action::Uncordon { name } => self.set_unschedulable(name, false),
            Action::Drain {
                name,
                ignore_daemonsets,
                force,
            } => self.drain(name, *ignore_daemonsets, *force),
            Action::FailNode { name } => self.fail_node(name),
            Action::RecoverNode { name } => self.recover_node(name),
            Action::DeleteService { namespace, name } => self.delete_service(namespace, name),
            Action::SetImage {
                kind: TemplateKind::Deployment,
                namespace,
                name,
                images,
            } => self.change_deployment_template(namespace, name, |template| set_images(template, images)),
            Action::SetImage {
                kind: TemplateKind::DaemonSet,
                namespace,
                name,
                images,
            } => self.change_daemon_set_template(namespace, name, |template, _| set_images(template, images)),
            Action::RolloutRestart {
                kind: TemplateKind::Deployment,
                namespace,
                name,
            } => self.restart_deployment(namespace, name),
            Action::RolloutRestart {
                kind: TemplateKind::DaemonSet,
                namespace,
                name,
            } => {
                // `kubectl rollout restart` stamps the template (`defaultObjectRestarter`).
                self.change_daemon_set_template(namespace, name, stamp_restarted_at)
            }
            Action::RolloutUndo {
                kind: TemplateKind::DaemonSet,
                namespace,
                name,
                to_revision,
            } => self.roll_back_daemon_set(namespace, name, *to_revision),
            Action::RolloutUndo {
                kind: TemplateKind::Deployment,
                namespace,
                name,
                to_revision,
            } => self.roll_back_deployment(namespace, name, *to_revision),
            Action::RolloutPause {
                namespace,
                name,
                resume,
            } => self.pause_deployment(namespace, name, !resume),
            Action::Patch {
                namespace,
                kind,
                name,
                patch,
            } => self.patch_object(namespace, kind, name, patch),
        }
    }

    /// Changes a DaemonSet's pod template as `kubectl set image` or `rollout restart` patch it,
    /// then stores it through the API server's update path.
    fn change_daemon_set_template(
        &mut self,
        namespace: &str,
        name: &str,
        change: impl FnOnce(&mut serde_json::Value, String) -> Result<(), ActionError>,
    ) -> Result<(), ActionError> {
        let Some(existing) = self.daemon_set(namespace, name) else {
            return Err(ActionError(format!("daemonsets.apps \"{name}\" not found")));
        };
        let mut updated = existing.clone();
        let now = crate::time::format_rfc3339(
            self.start_unix_seconds()
                .saturating_add(i64::try_from(self.now() / crate::time::SECOND_MS).unwrap_or(i64::MAX)),
            0,
        );
        change(&mut updated.template_json, now)?;
        updated.spec.template = serde_json::from_value(updated.template_json.clone())
            .map_err(|error| ActionError(format!("the changed template cannot be decoded: {error}")))?;
        self.apply_daemon_set(updated);
        Ok(())
    }

    /// `kubectl patch KIND/NAME -p PATCH` with a JSON merge patch (RFC 7386; for the fields a
    /// user patches on these kinds, `suspend`, `parallelism` and the like, kubectl's default
    /// strategic merge patch does the same). The patched object goes through the API server's
    /// whole update path: strict decoding, validation, defaults and the immutability checks.
    fn patch_object(&mut self, namespace: &str, kind: &str, name: &str, patch_text: &str) -> Result<(), ActionError> {
        let patch: serde_json::Value = serde_json::from_str(patch_text)
            .map_err(|error| ActionError(format!("error: unable to parse \"{patch_text}\": {error}")))?;
        let (api_version, kind_name, metadata, spec) = match kind {
            "daemonset" => {
                let daemon_set = self
                    .daemon_set(namespace, name)
                    .ok_or_else(|| ActionError(format!("daemonsets.apps \"{name}\" not found")))?;
                let mut spec = crate::apply::manifest_json(&daemon_set.spec);
                spec["template"] = daemon_set.template_json.clone();
                ("apps/v1", "DaemonSet", &daemon_set.metadata, spec)
            }
            "job" => {
                let job = self
                    .job(namespace, name)
                    .ok_or_else(|| ActionError(format!("jobs.batch \"{name}\" not found")))?;
                ("batch/v1", "Job", &job.metadata, crate::apply::manifest_json(&job.spec))
            }
            "deployment" => {
                let deployment = self
                    .deployment(namespace, name)
                    .ok_or_else(|| ActionError(format!("deployments.apps \"{name}\" not found")))?;
                let mut spec = crate::apply::manifest_json(&deployment.spec);
                spec["template"] = deployment.template_json.clone();
                ("apps/v1", "Deployment", &deployment.metadata, spec)
            }
            _ => {
                let cron_job = self
                    .cron_job(namespace, name)
                    .ok_or_else(|| ActionError(format!("cronjobs.batch \"{name}\" not found")))?;
                (
                    "batch/v1",
                    "CronJob",
                    &cron_job.metadata,
                    crate::apply::manifest_json(&cron_job.spec),
                )
            }
        };
        let mut object = serde_json::json!({
            "apiVersion": api_version,
            "kind": kind_name,
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": metadata.labels,
                "annotations": metadata.annotations,
            },
            "spec": spec,
        });
        merge_patch(&mut object, &patch);
        self.update_objects(&object.to_string())
            .map(|_| ())
            .map_err(|error| ActionError(error.to_string()))
    }

    /// `kubectl rollout undo daemonset/NAME` (`DaemonSetRollbacker.Rollback` in
    /// `staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollback.go`): the template of the
    /// chosen ControllerRevision (by default the one before the newest) is patched back.
    fn roll_back_daemon_set(&mut self, namespace: &str, name: &str, to_revision: i64) -> Result<(), ActionError> {
        if to_revision < 0 {
            return Err(ActionError(format!(
                "unable to find specified revision {to_revision} in history"
            )));
        }
        let Some(daemon_set) = self.daemon_set(namespace, name) else {
            return Err(ActionError(format!("daemonsets.apps \"{name}\" not found")));
        };
        let uid = daemon_set.metadata.uid.clone();
        let mut history: Vec<&crate::api::ControllerRevision> = self
            .controller_revisions()
            .filter(|revision| revision.metadata.namespace == namespace)
            .filter(|revision| revision.metadata.controller_of().is_some_and(|owner| owner.uid == uid))
            .collect();
        history.stable_sort_by_key(|revision| revision.revision);
        if to_revision == 0 && history.len() <= 1 {
            return Err(ActionError("no last revision to roll back to".to_string()));
        }
        let chosen = if to_revision == 0 {
            history.get(history.len() - 2).copied()
        } else {
            history
                .iter()
                .copied()
                .find(|revision| revision.revision == to_revision)
        };
        let Some(chosen) = chosen else {
            return Err(ActionError(format!(
                "unable to find specified revision {to_revision} in history"
            )));
        };
        let mut template = chosen.data["spec"]["template"].clone();
        if let serde_json::Value::Object(fields) = &mut template {
            fields.remove("$patch");
        }
        if template == daemon_set.template_json {
            // kubectl says "skipped rollback (current template already matches revision N)".
            return Ok(());
        }
        self.change_daemon_set_template(namespace, name, |current, _| {
            *current = template;
            Ok(())
        })
    }

    /// `kubectl create job NAME --from=cronjob/CRONJOB` (`createJobFromCronJob` in
    /// `staging/src/k8s.io/kubectl/pkg/cmd/create/create_job.go`): the CronJob's jobTemplate,
    /// its labels, its annotations plus `cronjob.kubernetes.io/instantiate: manual`, and an
    /// owner reference with `controller: true` but without `blockOwnerDeletion`. The CronJob
    /// controller sees it when it is created (`addJob` enqueues the controller of a new Job).
    fn create_job_from_cron_job(&mut self, namespace: &str, name: &str, cron_job: &str) -> Result<(), ActionError> {
        let Some(owner) = self.cron_job(namespace, cron_job) else {
            return Err(ActionError(format!("cronjobs.batch \"{cron_job}\" not found")));
        };
        let name_errors = crate::validation::is_dns1123_subdomain(name);
        if !name_errors.is_empty() {
            return Err(ActionError(format!(
                "failed to create job: Job.batch \"{name}\" is invalid: metadata.name: Invalid value: \"{name}\": {}",
                name_errors.join(", ")
            )));
        }
        let template = &owner.spec.job_template;
        let mut annotations = std::collections::BTreeMap::new();
        annotations.insert(INSTANTIATE_ANNOTATION.to_string(), "manual".to_string());
        annotations.extend(template.metadata.annotations.clone());
        let job = crate::api::Job {
            metadata: crate::api::ObjectMeta {
                name: name.to_string(),
                namespace: namespace.into(),
                labels: template.metadata.labels.clone(),
                annotations,
                owner_references: vec![crate::api::OwnerReference {
                    block_owner_deletion: false,
                    ..crate::api::OwnerReference::controller("batch/v1", "CronJob", &owner.metadata)
                }],
                ..crate::api::ObjectMeta::default()
            },
            spec: template.spec.clone(),
            ..crate::api::Job::default()
        };
        match self.create_job(job) {
            Ok(()) => {}
            Err(crate::sim::CreateJobError::AlreadyExists) => {
                return Err(ActionError(format!(
                    "failed to create job: jobs.batch \"{name}\" already exists"
                )))
            }
            Err(crate::sim::CreateJobError::Forbidden(message)) => {
                return Err(ActionError(format!("failed to create job: {message}")))
            }
        }
        self.enqueue_now(crate::sim::Work::SyncCronJob(crate::store::ObjectKey::new(
            namespace, cron_job,
        )));
        Ok(())
    }

    /// `kubectl drain`: cordon, then evict the node's pods, refusing as kubectl does when
    /// DaemonSet pods or pods without a controller are there and the flag to allow it is missing.
    /// Mirror pods are left alone; DaemonSet pods stay (their controller would put them back).
    fn drain(&mut self, name: &str, ignore_daemonsets: bool, force: bool) -> Result<(), ActionError> {
        if self.node(name).is_none() {
            return Err(ActionError(format!("nodes \"{name}\" not found")));
        }
        let pods: Vec<(String, String, Option<String>, bool)> = self
            .pods()
            .filter(|pod| pod.spec.node_name == name && !pod.status.phase.is_terminal())
            .map(|pod| {
                (
                    pod.metadata.namespace.to_string(),
                    pod.metadata.name.clone(),
                    pod.metadata.controller_of().map(|owner| owner.kind.clone()),
                    pod.is_mirror(),
                )
            })
            .collect();
        let daemon: Vec<String> = pods
            .iter()
            .filter(|(_, _, owner, _)| owner.as_deref() == Some("DaemonSet"))
            .map(|(namespace, pod, _, _)| format!("{namespace}/{pod}"))
            .collect();
        let unmanaged: Vec<String> = pods
            .iter()
            .filter(|(_, _, owner, mirror)| owner.is_none() && !mirror)
            .map(|(namespace, pod, _, _)| format!("{namespace}/{pod}"))
            .collect();
        let mut refusals = Vec::new();
        if !unmanaged.is_empty() && !force {
            refusals.push(format!(
                "cannot delete Pods that declare no controller (use --force to override): {}",
                unmanaged.join(", ")
            ));
        }
        if !daemon.is_empty() && !ignore_daemonsets {
            refusals.push(format!(
                "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {}",
                daemon.join(", ")
            ));
        }
        self.set_unschedulable(name, true)?;
        if !refusals.is_empty() {
            // `utilerrors.NewAggregate`: one error as it is, several in brackets.
            let errors = match refusals.as_slice() {
                [one] => one.clone(),
                several => format!("[{}]", several.join(", ")),
            };
            return Err(ActionError(format!(
                "unable to drain node \"{name}\" due to error: {errors}, continuing command..."
            )));
        }
        for (namespace, pod, owner, mirror) in pods {
            if mirror || owner.as_deref() == Some("DaemonSet") {
                continue;
            }
            // kubectl drain evicts through the Eviction API, which marks the pod first
            // (`addConditionAndDeletePod` in `pkg/registry/core/pod/storage/eviction.go`).
            let key = crate::sim::ObjectKey::new(&namespace, &pod);
            self.mark_disruption_target(&key, "EvictionByEvictionAPI", "Eviction API: evicting");
            self.delete_pod(&namespace, &pod)?;
        }
        Ok(())
    }
}

/// `kubectl rollout restart`'s stamp on a pod template (`defaultObjectRestarter`).
fn stamp_restarted_at(template: &mut serde_json::Value, now: String) -> Result<(), ActionError> {
    let serde_json::Value::Object(template) = template else {
        return Err(ActionError("the object has no pod template".to_string()));
    };
    let metadata = ensure_object(template, "metadata");
    let annotations = ensure_object(metadata, "annotations");
    annotations.insert(
        "kubectl.kubernetes.io/restartedAt".to_string(),
        serde_json::Value::String(now),
    );
    Ok(())
}

/// RFC 7386 JSON merge patch: objects merge key by key, `null` removes, anything else replaces.
fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    let serde_json::Value::Object(patch_fields) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = serde_json::Value::Object(serde_json::Map::new());
    }
    let serde_json::Value::Object(target_fields) = target else {
        return;
    };
    for (key, value) in patch_fields {
        if value.is_null() {
            target_fields.remove(key);
        } else {
            merge_patch(
                target_fields.entry(key.clone()).or_insert(serde_json::Value::Null),
                value,
            );
        }
    }
}

/// The object under `key`, made if missing (or replaced if it is not an object).
fn ensure_object<'a>(
    fields: &'a mut serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> &'a mut serde_json::Map<String, serde_json::Value> {
    let child = fields
        .entry(key.to_string())
        .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
    if !child.is_object() {
        *child = serde_json::Value::Object(serde_json::Map::new());
    }
    match child {
        serde_json::Value::Object(child) => child,
        _ => unreachable!("made an object above"),
    }
}

/// `kubectl set image` on a pod template: each `CONTAINER=IMAGE` (or `*=IMAGE`) changes the
/// containers and init containers of that name; a name that matches none is an error.
fn set_images(template: &mut serde_json::Value, images: &[(String, String)]) -> Result<(), ActionError> {
    for (container_name, image) in images {
        let mut found = false;
        for list in ["initContainers", "containers"] {
            let Some(serde_json::Value::Array(containers)) = template.pointer_mut(&format!("/spec/{list}")) else {
                continue;
            };
            for container in containers {
                if container_name == "*"
                    || container.get("name").and_then(serde_json::Value::as_str) == Some(container_name)
                {
                    container["image"] = serde_json::Value::String(image.clone());
                    found = true;
                }
            }
        }
        if !found {
            return Err(ActionError(format!(
                "error: unable to find container named \"{container_name}\""
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_print_as_the_command_that_parses_back_to_them() {
        for line in [
            "delete pod web -n kube-system",
            "delete daemonset agent --cascade=orphan",
            "delete job pi",
            "delete cronjob sleep-cj --cascade=orphan",
            "create job manual-1 --from=cronjob/sleep-cj",
            "delete node n3",
            "add node n4 os=centos gpu=true",
            "label node n1 os=centos disk-",
            "taint node n1 dedicated=x:NoSchedule",
            "taint node n1 dedicated:NoExecute-",
            "cordon n1",
            "uncordon n1",
            "drain n1 --ignore-daemonsets --force",
            "fail node n2",
            "recover node n2",
            "set image daemonset/agent agent=agent:2 sidecar=s:1",
            "rollout restart daemonset/agent",
            "patch cronjob/sleep-cj -p '{\"spec\":{\"suspend\":true}}'",
            "rollout undo daemonset/agent --to-revision=3",
            "delete service web -n shop",
            "set image deployment/web web=nginx:2",
            "rollout restart deployment/web -n team",
            "rollout undo deployment/web",
            "rollout pause deployment/web",
            "rollout resume deployment/web",
            "delete replicaset web --cascade=orphan",
            "delete deployment web -n team",
            "delete replicationcontroller myapp-rc",
            "scale deployment/web --replicas=5",
            "scale replicaset/web -n team --replicas=0",
            "label pod web-x7k2p app=debug tier-",
        ] {
            let action = parse_action(line, None).expect(line);
            assert_eq!(action.to_string(), line);
            assert_eq!(parse_action(&action.to_string(), None), Ok(action));
        }
    }

    #[test]
    fn patch_goes_through_the_api_servers_update_path() {
        let mut simulation = Simulation::new(&crate::sim::ClusterConfig::with_nodes("node", 2));
        simulation
            .apply("apiVersion: batch/v1\nkind: Job\nmetadata: {name: pi}\nspec:\n  completions: 4\n  parallelism: 1\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: pi, image: perl}]\n")
            .expect("applies");
        let patch = |line: &str| parse_action(line, None).expect(line);
        let mut simulation_perform = |line: &str| simulation.perform(&patch(line)).map_err(|error| error.0);
        assert_eq!(
            simulation_perform("patch job/pi -p '{\"spec\":{\"parallelism\":2}}'"),
            Ok(())
        );
        let refused = simulation_perform("patch job pi -p '{\"spec\":{\"completions\":9}}'").unwrap_err();
        assert!(
            refused.contains("spec.completions") && refused.contains("immutable"),
            "{refused}"
        );
        let invalid = simulation_perform("patch job/pi -p '{\"spec\":{\"parallelism\":-1}}'").unwrap_err();
        assert!(invalid.contains("spec.parallelism"), "{invalid}");
        assert!(simulation_perform("patch job/pi -p '{oops'")
            .unwrap_err()
            .contains("unable to parse"));
        assert_eq!(
            simulation.job("default", "pi").and_then(|job| job.spec.parallelism),
            Some(2)
        );
        assert!(parse_action("patch statefulset/web -p '{}'", None)
            .unwrap_err()
            .contains("not statefulset"));
        assert!(parse_action("patch job/pi --type=json -p '[]'", None)
            .unwrap_err()
            .contains("--type=json"));
    }

    #[test]
    fn parses_kubectl_syntax() {
        let cases: &[(&str, Action)] = &[
            (
                "delete node worker-3",
                Action::DeleteNode {
                    name: "worker-3".into(),
                },
            ),
            (
                "kubectl delete no/worker-3",
                Action::DeleteNode {
                    name: "worker-3".into(),
                },
            ),
            (
                "delete pod web -n team",
                Action::DeletePod {
                    namespace: "team".into(),
                    name: "web".into(),
                },
            ),
            (
                "delete ds/myweb-ds --cascade=orphan",
                Action::DeleteDaemonSet {
                    namespace: "default".into(),
                    name: "myweb-ds".into(),
                    cascade: Cascade::Orphan,
                },
            ),
            (
                "kubectl delete job.batch/pi",
                Action::DeleteJob {
                    namespace: "default".into(),
                    name: "pi".into(),
                    cascade: Cascade::Background,
                },
            ),
            (
                "kubectl delete cj sleep-cj --cascade=orphan",
                Action::DeleteCronJob {
                    namespace: "default".into(),
                    name: "sleep-cj".into(),
                    cascade: Cascade::Orphan,
                },
            ),
            (
                "delete cronjob.batch/sleep-cj -n team",
                Action::DeleteCronJob {
                    namespace: "team".into(),
                    name: "sleep-cj".into(),
                    cascade: Cascade::Background,
                },
            ),
            (
                "kubectl delete svc/web",
                Action::DeleteService {
                    namespace: "default".into(),
                    name: "web".into(),
                },
            ),
            (
                "add node n4 os=centos disk=ssd",
                Action::AddNode {
                    name: "n4".into(),
                    labels: vec![("os".into(), "centos".into()), ("disk".into(), "ssd".into())],
                    taints: Vec::new(),
                    capacity: NodeCapacity::default(),
                },
            ),
            (
                "add node gpu-1 gpu=true --taint=gpu=true:NoSchedule --taint=spot:PreferNoSchedule --cpu=16 --memory=64Gi --pods=30",
                Action::AddNode {
                    name: "gpu-1".into(),
                    labels: vec![("gpu".into(), "true".into())],
                    taints: vec![
                        parse_taint("gpu=true:NoSchedule").expect("valid"),
                        parse_taint("spot:PreferNoSchedule").expect("valid"),
                    ],
                    capacity: NodeCapacity {
                        cpu: Some(Quantity::parse("16").expect("valid")),
                        memory: Some(Quantity::parse("64Gi").expect("valid")),
                        pods: Some(30),
                    },
                },
            ),
            (
                "label node n1 os=centos gpu-",
                Action::LabelNode {
                    name: "n1".into(),
                    changes: vec![("os".into(), Some("centos".into())), ("gpu".into(), None)],
                    overwrite: false,
                },
            ),
            (
                "taint node n1 dedicated=db:NoSchedule --overwrite",
                Action::TaintNode {
                    name: "n1".into(),
                    taint: Taint {
                        key: "dedicated".into(),
                        value: "db".into(),
                        effect: "NoSchedule".into(),
                        time_added_ms: None,
                    },
                    remove: false,
                    overwrite: true,
                },
            ),
            (
                "taint node n1 node-role.kubernetes.io/control-plane:NoSchedule-",
                Action::TaintNode {
                    name: "n1".into(),
                    taint: Taint {
                        key: "node-role.kubernetes.io/control-plane".into(),
                        value: String::new(),
                        effect: "NoSchedule".into(),
                        time_added_ms: None,
                    },
                    remove: true,
                    overwrite: false,
                },
            ),
            (
                "kubectl create job manual-1 --from=cronjob/sleep-cj",
                Action::CreateJobFromCronJob {
                    namespace: "default".into(),
                    name: "manual-1".into(),
                    cron_job: "sleep-cj".into(),
                },
            ),
            (
                "create job manual-2 --from cj/sleep-cj -n team",
                Action::CreateJobFromCronJob {
                    namespace: "team".into(),
                    name: "manual-2".into(),
                    cron_job: "sleep-cj".into(),
                },
            ),
            ("cordon n1", Action::Cordon { name: "n1".into() }),
            (
                "drain n1 --ignore-daemonsets --force",
                Action::Drain {
                    name: "n1".into(),
                    ignore_daemonsets: true,
                    force: true,
                },
            ),
            ("fail node n1", Action::FailNode { name: "n1".into() }),
            ("recover node n1", Action::RecoverNode { name: "n1".into() }),
        ];
        for (line, expected) in cases {
            assert_eq!(parse_action(line, None).as_ref(), Ok(expected), "{line}");
        }
    }

    #[test]
    fn refuses_what_it_cannot_do_with_a_reason() {
        assert!(parse_action("set resources deployment/web --limits=cpu=200m", None)
            .unwrap_err()
            .starts_with("kubarium cannot do that `set` yet: `set` does `image`"));
        assert!(parse_action("kubectl describe job job-1", None)
            .unwrap_err()
            .contains("`describe` does pods so far"));
        assert!(parse_action("scale job/pi --replicas=3", None)
            .unwrap_err()
            .contains("no scale subresource"));
        assert!(parse_action("scale statefulset/db --replicas=3", None)
            .unwrap_err()
            .contains("not statefulset"));
        assert_eq!(
            parse_action("scale rs/web --replicas=many", None),
            Err("invalid argument \"many\" for \"--replicas\" flag".to_string())
        );
        assert!(parse_action("apply -f -", None)
            .unwrap_err()
            .contains("needs the manifests"));
        assert!(parse_action("taint node n1 a=b:Sometimes", None)
            .unwrap_err()
            .contains("invalid taint effect"));
        assert_eq!(
            parse_action("create job x", None).unwrap_err(),
            "either --image or --from must be specified"
        );
        assert!(parse_action("create job x --from=job/y", None)
            .unwrap_err()
            .starts_with("from must be an existing cronjob"));
        assert!(parse_action("create secret generic token", None)
            .unwrap_err()
            .contains("`create` does `-f -`, `deployment`, `namespace`"));
        assert!(parse_action("frobnicate", None)
            .unwrap_err()
            .starts_with("unknown action \"frobnicate\": kubarium plays apply, create,"));
        assert!(parse_action("label node n1 'unterminated", None)
            .unwrap_err()
            .contains("unterminated quote"));
    }

    /// `add node` with taints and capacity: the DaemonSet skips the tainted node (its pods do
    /// not tolerate the taint) and the node reports the capacity asked for.
    #[test]
    fn an_added_node_has_its_taints_and_capacity() {
        let mut simulation = Simulation::new(&crate::ClusterConfig::with_nodes("node", 1));
        simulation.apply(crate::EXAMPLE_MYWEB_DS).unwrap();
        let action = parse_action(
            "add node big-1 --taint=dedicated=db:NoSchedule --cpu=16 --memory=64Gi --pods=30",
            None,
        )
        .unwrap();
        simulation.perform(&action).unwrap();
        simulation
            .perform(&parse_action("add node plain-1", None).unwrap())
            .unwrap();
        simulation.run_until(10_000).unwrap();
        let node = simulation.node("big-1").expect("added");
        assert_eq!(node.spec.taints.len(), 1);
        assert_eq!(node.spec.taints[0].key, "dedicated");
        let allocatable = |name: &str| node.status.allocatable.get(name).map(ToString::to_string);
        assert_eq!(allocatable("cpu").as_deref(), Some("16"));
        assert_eq!(allocatable("memory").as_deref(), Some("68719476736"), "64Gi in bytes");
        assert_eq!(allocatable("pods").as_deref(), Some("30"));
        let nodes_with_daemon_pods: std::collections::BTreeSet<String> =
            simulation.pods().map(|pod| pod.spec.node_name.to_string()).collect();
        assert_eq!(
            nodes_with_daemon_pods,
            ["node-1".to_string(), "plain-1".to_string()].into()
        );
        for (line, problem) in [
            ("add node Bad_Name", "invalid node name"),
            ("add node n --taint=x:Sometimes", "unsupported taint effect"),
            ("add node n --cpu=lots", "invalid --cpu"),
            ("add node n --pods=0", "invalid --pods"),
            ("add node n --disk=1Ti", "unknown flag for add node"),
        ] {
            let error = parse_action(line, None).unwrap_err();
            assert!(error.contains(problem), "{line}: {error}");
        }
    }

    #[test]
    fn drain_refuses_like_kubectl_then_evicts_with_flags() {
        let mut simulation = Simulation::new(&crate::ClusterConfig::with_nodes("node", 2));
        simulation.apply(crate::EXAMPLE_MYWEB_DS).unwrap();
        simulation
            .apply("apiVersion: v1\nkind: Pod\nmetadata: {name: bare}\nspec: {nodeName: node-1, containers: [{name: c, image: nginx}]}\n")
            .unwrap();
        simulation.run_until(10_000).unwrap();
        let error = simulation
            .perform(&parse_action("drain node-1", None).unwrap())
            .unwrap_err();
        assert!(
            error
                .0
                .contains("cannot delete Pods that declare no controller (use --force to override): default/bare"),
            "{error}"
        );
        assert!(
            error
                .0
                .contains("cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"),
            "{error}"
        );
        assert!(
            simulation.node("node-1").unwrap().spec.unschedulable,
            "kubectl cordons before it refuses"
        );
        simulation
            .perform(&parse_action("drain node-1 --ignore-daemonsets --force", None).unwrap())
            .unwrap();
        simulation.run_until(20_000).unwrap();
        let on_node: Vec<&str> = simulation
            .pods()
            .filter(|pod| pod.spec.node_name == "node-1")
            .map(|pod| pod.metadata.name.as_str())
            .collect();
        assert_eq!(on_node.len(), 1, "only the daemon pod stays: {on_node:?}");
        assert!(on_node[0].starts_with("myweb-ds-"));
        // The second drain found the node cordoned already: no second kubelet event.
        let cordoned = simulation
            .events()
            .iter()
            .filter(|event| event.reason == "NodeNotSchedulable")
            .count();
        assert_eq!(cordoned, 1);
    }

    /// `kubectl label` and `kubectl taint` change an existing label or taint only with
    /// `--overwrite` (`validateNoOverwrites`, `validateNoTaintOverwrites`).
    #[test]
    fn label_and_taint_refuse_to_overwrite_without_the_flag() {
        let mut simulation = Simulation::new(&crate::ClusterConfig::with_nodes("node", 1));
        let mut run = |line: &str| {
            simulation
                .perform(&parse_action(line, None).unwrap())
                .map_err(|error| error.0)
        };
        run("label node node-1 os=ubuntu").unwrap();
        assert_eq!(
            run("label node node-1 os=centos"),
            Err("'os' already has a value (ubuntu), and --overwrite is false".to_string())
        );
        run("label node node-1 os=ubuntu").expect("the same value is no overwrite");
        run("label node node-1 os=centos --overwrite").unwrap();
        run("label node node-1 os-").expect("removing needs no flag");
        run("taint node node-1 dedicated=db:NoSchedule").unwrap();
        assert_eq!(
            run("taint node node-1 dedicated=web:NoSchedule"),
            Err("node node-1 already has dedicated taint(s) with same effect(s) and --overwrite is false".to_string())
        );
        run("taint node node-1 dedicated=web:NoExecute").expect("another effect is another taint");
        run("taint node node-1 dedicated=web:NoSchedule --overwrite").unwrap();
        let taints: Vec<(String, String)> = simulation
            .node("node-1")
            .unwrap()
            .spec
            .taints
            .iter()
            .map(|taint| (taint.value.clone(), taint.effect.clone()))
            .collect();
        assert_eq!(
            taints,
            [
                ("web".to_string(), "NoExecute".to_string()),
                ("web".to_string(), "NoSchedule".to_string())
            ]
        );
    }

    #[test]
    fn create_job_from_cron_job_copies_the_template_as_kubectl_does() {
        let mut simulation = Simulation::new(&crate::ClusterConfig::with_nodes("node", 1));
        simulation
            .apply("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj}\nspec:\n  schedule: \"0 0 1 1 *\"\n  jobTemplate:\n    metadata: {labels: {team: a}, annotations: {note: x}}\n    spec:\n      template:\n        spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}\n")
            .unwrap();
        simulation
            .perform(&parse_action("create job by-hand --from=cronjob/cj", None).unwrap())
            .unwrap();
        let cron_job_uid = simulation.cron_job("default", "cj").unwrap().metadata.uid.clone();
        let job = simulation.job("default", "by-hand").unwrap();
        assert_eq!(
            job.metadata.annotations.get(INSTANTIATE_ANNOTATION).map(String::as_str),
            Some("manual")
        );
        assert_eq!(job.metadata.annotations.get("note").map(String::as_str), Some("x"));
        assert_eq!(job.metadata.labels.get("team").map(String::as_str), Some("a"));
        let owner = job.metadata.controller_of().unwrap();
        assert_eq!(
            (
                owner.kind.as_str(),
                owner.name.as_str(),
                owner.uid.to_string().as_str(),
                owner.block_owner_deletion
            ),
            ("CronJob", "cj", cron_job_uid.to_string().as_str(), false)
        );
        let again = simulation.perform(&parse_action("create job by-hand --from=cronjob/cj", None).unwrap());
        assert_eq!(
            again.unwrap_err().0,
            "failed to create job: jobs.batch \"by-hand\" already exists"
        );
        let missing = simulation.perform(&parse_action("create job other --from=cronjob/nope", None).unwrap());
        assert_eq!(missing.unwrap_err().0, "cronjobs.batch \"nope\" not found");
        let invalid = simulation.perform(&parse_action("create job Bad_Name --from=cronjob/cj", None).unwrap());
        assert!(invalid
            .unwrap_err()
            .0
            .contains("metadata.name: Invalid value: \"Bad_Name\""));
    }
}
