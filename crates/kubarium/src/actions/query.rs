//! Commands that print something and change nothing, as kubectl prints them: `rollout status
//! KIND/NAME` (one check of `kubectl rollout status`, which would then wait) and `get
//! KIND[,KIND...] [-o wide]`. They are not actions: a scenario or a share link has nothing to
//! replay for them. `Session::query` answers them for the playground's command line.

use super::{words, TemplateKind};
use crate::sim::{Simulation, DEFAULT_NAMESPACE};

/// One read-only command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// `rollout status deployment/NAME` or `daemonset/NAME`.
    RolloutStatus {
        kind: TemplateKind,
        namespace: String,
        name: String,
    },
    /// `get KIND[,KIND...] [-o wide]`.
    Get { kinds: Vec<String>, wide: bool },
}

/// The parse of a read-only command, or None when the line is some other command (an action).
pub fn parse_query(line: &str) -> Option<Result<Query, String>> {
    let mut words = words(line).ok()?;
    if words.first().map(String::as_str) == Some("kubectl") {
        words.remove(0);
    }
    match words.first().map(String::as_str) {
        Some("get") => Some(parse_get(&words[1..])),
        Some("rollout") if words.get(1).map(String::as_str) == Some("status") => {
            Some(parse_rollout_status(&words[2..]))
        }
        _ => None,
    }
}

fn parse_get(rest: &[String]) -> Result<Query, String> {
    let mut kinds = Vec::new();
    let mut wide = false;
    let mut iter = rest.iter();
    while let Some(word) = iter.next() {
        let output = match word.as_str() {
            "-o" | "--output" => Some(iter.next().ok_or("flag needs an argument: 'o' in -o")?.as_str()),
            other => other
                .strip_prefix("-o=")
                .or_else(|| other.strip_prefix("--output="))
                .or_else(|| {
                    other
                        .strip_prefix("-o")
                        .filter(|value| !value.is_empty() && !other.starts_with("--"))
                }),
        };
        match output {
            Some("wide") => wide = true,
            Some(other) => return Err(format!("kubarium prints tables only (-o wide), not -o {other}")),
            None if word.starts_with('-') => return Err(format!("unknown flag: {word}")),
            None => kinds.extend(word.split(',').filter(|kind| !kind.is_empty()).map(str::to_string)),
        }
    }
    if kinds.is_empty() {
        return Err("You must specify the type of resource to get.".to_string());
    }
    Ok(Query::Get { kinds, wide })
}

fn parse_rollout_status(rest: &[String]) -> Result<Query, String> {
    let mut namespace = DEFAULT_NAMESPACE.to_string();
    let mut targets = Vec::new();
    let mut iter = rest.iter();
    while let Some(word) = iter.next() {
        if word == "-n" || word == "--namespace" {
            namespace = iter.next().ok_or("flag needs an argument: 'n' in -n")?.clone();
        } else if let Some(value) = word.strip_prefix("--namespace=") {
            namespace = value.to_string();
        } else {
            targets.push(word.as_str());
        }
    }
    let (kind, name) = match targets.as_slice() {
        [target] => target
            .split_once('/')
            .ok_or("rollout status needs KIND/NAME (deployment/web)")?,
        [kind, name] => (*kind, *name),
        _ => return Err("rollout status needs one deployment or daemonset".to_string()),
    };
    let kind = match kind {
        "deployment" | "deployments" | "deploy" => TemplateKind::Deployment,
        "daemonset" | "daemonsets" | "ds" => TemplateKind::DaemonSet,
        other => {
            return Err(format!(
                "no status viewer has been implemented for {other} (kubarium: deployments and daemonsets)"
            ))
        }
    };
    Ok(Query::RolloutStatus {
        kind,
        namespace,
        name: name.to_string(),
    })
}

impl Query {
    /// What kubectl prints for it now, or its error.
    pub fn answer(&self, simulation: &Simulation) -> Result<String, String> {
        match self {
            Query::RolloutStatus { kind, namespace, name } => match kind {
                TemplateKind::Deployment => crate::tables::rollout_status(simulation, namespace, name),
                TemplateKind::DaemonSet => crate::tables::daemon_set_rollout_status(simulation, namespace, name),
            },
            Query::Get { kinds, wide } => {
                let mut out = String::new();
                for (index, kind) in kinds.iter().enumerate() {
                    if index > 0 {
                        out.push('\n');
                    }
                    let table = crate::tables::get_as(simulation, kind, *wide)?;
                    if let Some(warning) = crate::tables::deprecation_warning(kind) {
                        out.push_str(warning);
                        out.push('\n');
                    }
                    out.push_str(&crate::tables::get_output(&table, kind));
                }
                Ok(out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ClusterConfig;

    #[test]
    fn parses_read_only_commands_and_leaves_actions_alone() {
        struct Case {
            line: &'static str,
            parsed: Option<Result<Query, String>>,
        }
        let rollout = |kind, namespace: &str, name: &str| {
            Some(Ok(Query::RolloutStatus {
                kind,
                namespace: namespace.to_string(),
                name: name.to_string(),
            }))
        };
        let get = |kinds: &[&str], wide| {
            Some(Ok(Query::Get {
                kinds: kinds.iter().map(|kind| kind.to_string()).collect(),
                wide,
            }))
        };
        let cases = [
            Case {
                line: "kubectl rollout status deployment/web",
                parsed: rollout(TemplateKind::Deployment, "default", "web"),
            },
            Case {
                line: "rollout status ds agent -n kube-system",
                parsed: rollout(TemplateKind::DaemonSet, "kube-system", "agent"),
            },
            Case {
                line: "rollout status statefulset/db",
                parsed: Some(Err(
                    "no status viewer has been implemented for statefulset (kubarium: deployments and daemonsets)"
                        .to_string(),
                )),
            },
            Case {
                line: "kubectl get pods -o wide",
                parsed: get(&["pods"], true),
            },
            Case {
                line: "get deploy,rs --output=wide",
                parsed: get(&["deploy", "rs"], true),
            },
            Case {
                line: "get nodes",
                parsed: get(&["nodes"], false),
            },
            Case {
                line: "get pods -o yaml",
                parsed: Some(Err("kubarium prints tables only (-o wide), not -o yaml".to_string())),
            },
            Case {
                line: "kubectl rollout undo deployment/web",
                parsed: None,
            },
            Case {
                line: "delete pod web",
                parsed: None,
            },
        ];
        for case in cases {
            assert_eq!(parse_query(case.line), case.parsed, "{}", case.line);
        }
    }

    #[test]
    fn answers_with_kubectls_output() {
        let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", 2));
        simulation
            .apply("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec:\n      containers: [{name: a, image: fluentd}]\n")
            .expect("applies");
        let answer =
            |simulation: &Simulation, line: &str| parse_query(line).expect(line).expect(line).answer(simulation);
        simulation.run_until(100).expect("runs");
        assert_eq!(
            answer(&simulation, "rollout status ds/agent"),
            Ok("Waiting for daemon set \"agent\" rollout to finish: 0 of 2 updated pods are available...".to_string())
        );
        simulation.run_until(10_000).expect("runs");
        assert_eq!(
            answer(&simulation, "rollout status daemonset/agent"),
            Ok("daemon set \"agent\" successfully rolled out".to_string())
        );
        assert_eq!(
            answer(&simulation, "rollout status deployment/agent"),
            Err("deployments.apps \"agent\" not found".to_string())
        );
        let tables = answer(&simulation, "get ds,nodes -o wide").expect("known kinds");
        assert!(tables.starts_with("NAME    DESIRED"), "{tables}");
        assert!(tables.contains("\n\nNAME     STATUS"), "{tables}");
        assert!(tables.contains("INTERNAL-IP"), "{tables}");
        // Nothing of a kind: kubectl's line instead of a bare header.
        assert!(answer(&simulation, "get ep").expect("a known kind").starts_with(
            "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\nNAME "
        ));
        let none = answer(&simulation, "get jobs,namespaces,cronjobs").expect("known kinds");
        assert!(
            none.starts_with("No resources found in default namespace.\n\nNAME "),
            "{none}"
        );
        assert!(
            none.ends_with("Active   10s\n\nNo resources found in default namespace.\n"),
            "{none}"
        );
    }
}

#[cfg(test)]
mod session_tests {
    use crate::session::Session;
    use crate::sim::{ClusterConfig, Simulation};

    #[test]
    fn the_session_answers_queries_and_leaves_actions_to_run_command() {
        let session = Session::new(Simulation::new(&ClusterConfig::with_nodes("node", 1)));
        let nodes = session.query("kubectl get nodes").expect("a query").expect("known");
        assert!(
            nodes.starts_with("NAME     STATUS   ROLES    AGE   VERSION\nnode-1   Ready"),
            "{nodes}"
        );
        assert_eq!(session.query("kubectl cordon node-1"), None);
        assert_eq!(
            session.query("get widgets"),
            Some(Err("the server doesn't have a resource type \"widgets\" (kubarium knows pods, nodes, daemonsets, controllerrevisions, jobs, cronjobs, replicasets, replicationcontrollers, deployments, namespaces, events, services, endpoints, endpointslices, resourcequotas, limitranges, horizontalpodautoscalers)".to_string()))
        );
    }
}
