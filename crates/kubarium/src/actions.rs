//! kubectl-like actions (`delete node worker-3`, `label node n1 os=centos`, `drain n1
//! --ignore-daemonsets`, ...), parsed by one parser for scenario files and the playground's
//! command line, and performed on a simulation. Wherever kubectl has the verb, its syntax is the
//! one accepted.

use crate::api::Taint;
use crate::sim::{ActionError, Cascade, NodeConfig, Simulation, DEFAULT_NAMESPACE};

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
    DeleteNode {
        name: String,
    },
    /// `add node NAME [key=value ...]`: a worker with the default capacity and these labels.
    AddNode {
        name: String,
        labels: Vec<(String, String)>,
    },
    /// `label node NAME key=value ... key-`.
    LabelNode {
        name: String,
        changes: Vec<(String, Option<String>)>,
    },
    /// `taint node NAME key=value:Effect` (or `key:Effect`; a trailing `-` removes it).
    TaintNode {
        name: String,
        taint: Taint,
        remove: bool,
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
    RecoverNode {
        name: String,
    },
}

/// Verbs kubectl has that need controllers kubarium does not simulate yet.
const NOT_YET: &[(&str, &str)] = &[
    ("scale", "scaling needs the ReplicaSet, Deployment and Job controllers"),
    ("patch", "patching needs the Job and CronJob controllers"),
    (
        "set",
        "`set image` and `set cpu` need the Deployment and HPA controllers",
    ),
    ("create", "`create job --from=cronjob/...` needs the CronJob controller"),
    ("autoscale", "autoscaling needs the HPA controller"),
    ("rollout", "rollouts need the Deployment controller"),
];

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
                other => Err(format!(
                    "kubarium does not simulate {other} yet, so it cannot delete one"
                )),
            }
        }
        ["add", "node", name, labels @ ..] => Ok(Action::AddNode {
            name: name.to_string(),
            labels: labels
                .iter()
                .map(|label| {
                    label
                        .split_once('=')
                        .map(|(key, value)| (key.to_string(), value.to_string()))
                        .ok_or_else(|| format!("invalid label {label:?}: expected key=value"))
                })
                .collect::<Result<_, _>>()?,
        }),
        ["label", "node" | "nodes" | "no", name, changes @ ..] if !changes.is_empty() => Ok(Action::LabelNode {
            name: name.to_string(),
            changes: changes
                .iter()
                .map(|change| match (change.split_once('='), change.strip_suffix('-')) {
                    (Some((key, value)), _) => Ok((key.to_string(), Some(value.to_string()))),
                    (None, Some(key)) => Ok((key.to_string(), None)),
                    _ => Err(format!("invalid label spec: {change}")),
                })
                .collect::<Result<_, _>>()?,
        }),
        ["taint", "node" | "nodes" | "no", name, spec] => {
            let (spec, remove) = match spec.strip_suffix('-') {
                Some(spec) => (spec, true),
                None => (*spec, false),
            };
            let (key_value, effect) = spec
                .rsplit_once(':')
                .ok_or_else(|| format!("invalid taint spec: {spec}: expected key[=value]:Effect"))?;
            if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&effect) {
                return Err(format!("invalid taint effect: {effect}, unsupported taint effect"));
            }
            let (key, value) = key_value.split_once('=').unwrap_or((key_value, ""));
            Ok(Action::TaintNode {
                name: name.to_string(),
                taint: Taint {
                    key: key.to_string(),
                    value: value.to_string(),
                    effect: effect.to_string(),
                    time_added_ms: None,
                },
                remove,
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
        ["fail", "node", name] => Ok(Action::FailNode { name: name.to_string() }),
        ["recover", "node", name] => Ok(Action::RecoverNode { name: name.to_string() }),
        [verb, ..] => match NOT_YET.iter().find(|(known, _)| known == verb) {
            Some((_, why)) => Err(format!(
                "kubarium cannot `{verb}` yet: {why}, which are not simulated yet"
            )),
            None => Err(format!("unknown action {line:?}")),
        },
        [] => Err("empty action".to_string()),
    }
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

impl Simulation {
    /// Performs an action now. `Apply` problems come back as the apply's message.
    pub fn perform(&mut self, action: &Action) -> Result<(), ActionError> {
        match action {
            Action::Apply { manifests } => self
                .apply(manifests)
                .map(|_| ())
                .map_err(|error| ActionError(error.to_string())),
            Action::DeletePod { namespace, name } => self.delete_pod(namespace, name),
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
            Action::DeleteNode { name } => self.delete_node(name),
            Action::AddNode { name, labels } => {
                if self.node(name).is_some() {
                    return Err(ActionError(format!("nodes \"{name}\" already exists")));
                }
                let mut config = NodeConfig::worker(name);
                config.labels = labels.iter().cloned().collect();
                self.add_node(config);
                Ok(())
            }
            Action::LabelNode { name, changes } => {
                for (key, value) in changes {
                    self.label_node(name, key, value.as_deref())?;
                }
                Ok(())
            }
            Action::TaintNode { name, taint, remove } => self.taint_node(name, taint.clone(), *remove),
            Action::Cordon { name } => self.set_unschedulable(name, true),
            Action::Uncordon { name } => self.set_unschedulable(name, false),
            Action::Drain {
                name,
                ignore_daemonsets,
                force,
            } => self.drain(name, *ignore_daemonsets, *force),
            Action::FailNode { name } => self.fail_node(name),
            Action::RecoverNode { name } => self.recover_node(name),
        }
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
                    pod.metadata.namespace.clone(),
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
            return Err(ActionError(format!(
                "unable to drain node \"{name}\" due to error: [{}], continuing command...",
                refusals.join(", ")
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

#[cfg(test)]
mod tests {
    use super::*;

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
                "add node n4 os=centos disk=ssd",
                Action::AddNode {
                    name: "n4".into(),
                    labels: vec![("os".into(), "centos".into()), ("disk".into(), "ssd".into())],
                },
            ),
            (
                "label node n1 os=centos gpu-",
                Action::LabelNode {
                    name: "n1".into(),
                    changes: vec![("os".into(), Some("centos".into())), ("gpu".into(), None)],
                },
            ),
            (
                "taint node n1 dedicated=db:NoSchedule",
                Action::TaintNode {
                    name: "n1".into(),
                    taint: Taint {
                        key: "dedicated".into(),
                        value: "db".into(),
                        effect: "NoSchedule".into(),
                        time_added_ms: None,
                    },
                    remove: false,
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
        assert!(parse_action("scale deployment/web --replicas=3", None)
            .unwrap_err()
            .contains("not simulated yet"));
        assert!(parse_action("apply -f -", None)
            .unwrap_err()
            .contains("needs the manifests"));
        assert!(parse_action("taint node n1 a=b:Sometimes", None)
            .unwrap_err()
            .contains("invalid taint effect"));
        assert!(parse_action("frobnicate", None)
            .unwrap_err()
            .starts_with("unknown action"));
        assert!(parse_action("label node n1 'unterminated", None)
            .unwrap_err()
            .contains("unterminated quote"));
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
    }
}
