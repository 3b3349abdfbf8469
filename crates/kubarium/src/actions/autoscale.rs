//! Autoscaling verbs: `kubectl autoscale` (`staging/src/k8s.io/kubectl/pkg/cmd/autoscale`),
//! `kubectl delete hpa`, and kubarium's own `load`, which sets the simulated CPU usage of a
//! workload's pods (there is no real program to load).

use crate::controller::podautoscaler::CpuLoad;
use crate::quantity::Quantity;
use crate::sim::{ActionError, Simulation, WorkloadKind, DEFAULT_NAMESPACE};

/// One autoscaling action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoscalingAction {
    /// `autoscale KIND/NAME [--min=N] --max=M [--cpu-percent=P] [--name=HPA]`.
    Autoscale {
        kind: WorkloadKind,
        namespace: String,
        name: String,
        hpa_name: String,
        min: Option<i32>,
        max: i32,
        cpu_percent: Option<i32>,
    },
    /// `delete hpa NAME`.
    Delete { namespace: String, name: String },
    /// `load KIND/NAME --cpu=300m` (per pod), `--cpu=80%` (of each pod's request) or
    /// `--total-cpu=1200m` (shared by the running pods).
    Load {
        kind: WorkloadKind,
        namespace: String,
        name: String,
        load: CpuLoad,
    },
}

impl std::fmt::Display for AutoscalingAction {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let in_namespace = |namespace: &str| {
            if namespace == DEFAULT_NAMESPACE {
                String::new()
            } else {
                format!(" -n {namespace}")
            }
        };
        match self {
            AutoscalingAction::Autoscale {
                kind,
                namespace,
                name,
                hpa_name,
                min,
                max,
                cpu_percent,
            } => {
                write!(formatter, "autoscale {}/{name}{}", kind.name(), in_namespace(namespace))?;
                if hpa_name != name {
                    write!(formatter, " --name={hpa_name}")?;
                }
                if let Some(min) = min {
                    write!(formatter, " --min={min}")?;
                }
                write!(formatter, " --max={max}")?;
                if let Some(percent) = cpu_percent {
                    write!(formatter, " --cpu={percent}%")?;
                }
                Ok(())
            }
            AutoscalingAction::Delete { namespace, name } => {
                write!(formatter, "delete hpa {name}{}", in_namespace(namespace))
            }
            AutoscalingAction::Load {
                kind,
                namespace,
                name,
                load,
            } => write!(
                formatter,
                "load {}/{name}{} {load}",
                kind.name(),
                in_namespace(namespace)
            ),
        }
    }
}

/// The value of `--flag=value`.
fn flag_value<'a>(flags: &'a [String], name: &str) -> Option<&'a str> {
    flags.iter().find_map(|flag| flag.strip_prefix(&format!("{name}=")))
}

fn int_flag(flags: &[String], name: &str) -> Result<Option<i32>, String> {
    flag_value(flags, name)
        .map(|value| {
            value
                .parse::<i32>()
                .map_err(|_| format!("invalid argument {value:?} for \"{name}\" flag"))
        })
        .transpose()
}

/// The workload a command names (`KIND/NAME` or `KIND NAME`).
fn workload<'a>(words: &[&'a str], verb: &str) -> Result<(WorkloadKind, &'a str), String> {
    let (kind, name) = match words {
        [target] if target.contains('/') => target.split_once('/').unwrap_or_default(),
        [kind, name] => (*kind, *name),
        _ => {
            return Err(format!(
                "{verb} needs one deployment, replicaset or replicationcontroller, like {verb} deployment/NAME"
            ))
        }
    };
    let kind = WorkloadKind::parse(kind)
        .ok_or_else(|| format!("kubarium {verb}s deployments, replicasets and replicationcontrollers, not {kind}"))?;
    if name.is_empty() {
        return Err(format!("{verb} needs a name"));
    }
    Ok((kind, name))
}

/// The parse of an autoscaling command, or None when the words are some other command.
pub(super) fn parse(args: &[&str], flags: &[String], namespace: &str) -> Option<Result<AutoscalingAction, String>> {
    let namespace = namespace.to_string();
    match args {
        ["autoscale", rest @ ..] => Some(parse_autoscale(rest, flags, namespace)),
        ["load", rest @ ..] => Some(parse_load(rest, flags, namespace)),
        ["set", "cpu", rest @ ..] => Some(parse_set_cpu(rest, flags, namespace)),
        ["delete", "hpa" | "horizontalpodautoscaler" | "horizontalpodautoscalers", name] => {
            Some(Ok(AutoscalingAction::Delete {
                namespace,
                name: name.to_string(),
            }))
        }
        ["delete", target] => {
            let (kind, name) = target.split_once('/')?;
            matches!(kind, "hpa" | "horizontalpodautoscaler" | "horizontalpodautoscalers").then(|| {
                Ok(AutoscalingAction::Delete {
                    namespace,
                    name: name.to_string(),
                })
            })
        }
        _ => None,
    }
}

/// `kubectl autoscale`, with the checks of `AutoscaleOptions.Validate`.
fn parse_autoscale(rest: &[&str], flags: &[String], namespace: String) -> Result<AutoscalingAction, String> {
    let (kind, name) = workload(rest, "autoscale")?;
    // kubectl refuses a flag it does not know (cobra).
    if let Some(unknown) = flags.iter().find(|flag| {
        let name = flag.split_once('=').map_or(flag.as_str(), |(name, _)| name);
        !["--max", "--min", "--cpu-percent", "--cpu", "--name"].contains(&name)
    }) {
        let name = unknown.split_once('=').map_or(unknown.as_str(), |(name, _)| name);
        return Err(format!("unknown flag: {name}"));
    }
    // `--cpu=70%` targets an average utilization (kubectl 1.34's `parseResourceInput`);
    // `--cpu-percent=70`, deprecated since, the same. A quantity (`--cpu=500m`) would target an
    // average value, which the simulated HPA does not play.
    let cpu_percent = match (flag_value(flags, "--cpu"), int_flag(flags, "--cpu-percent")?) {
        (Some(value), _) => match value.strip_suffix('%').map(str::parse::<i32>) {
            Some(Ok(percent)) => Some(percent),
            Some(Err(_)) => return Err(format!("invalid argument {value:?} for \"--cpu\" flag")),
            None => {
                return Err(format!(
                "--cpu={value}: kubarium's HPA plays CPU utilization targets only; give a percentage, like --cpu=50%"
            ))
            }
        },
        (None, percent) => percent,
    };
    let max = int_flag(flags, "--max")?.unwrap_or(-1);
    let min = int_flag(flags, "--min")?;
    if max < 1 {
        return Err(format!("--max=MAXPODS is required and must be at least 1, max: {max}"));
    }
    if let Some(min) = min.filter(|min| max < *min) {
        return Err(format!(
            "--max=MAXPODS must be larger or equal to --min=MINPODS, max: {max}, min: {min}"
        ));
    }
    Ok(AutoscalingAction::Autoscale {
        kind,
        namespace,
        name: name.to_string(),
        hpa_name: flag_value(flags, "--name").unwrap_or(name).to_string(),
        // kubectl sets `minReplicas` only when `--min` is positive.
        min: min.filter(|min| *min > 0),
        max,
        // kubectl adds the CPU metric only for a positive target.
        cpu_percent: cpu_percent.filter(|percent| *percent > 0),
    })
}

/// `set cpu KIND/NAME 80%` (the scenario format's spelling) is `load KIND/NAME --cpu=80%`:
/// the value is a percentage of each pod's request or a per-pod quantity (`300m`).
fn parse_set_cpu(rest: &[&str], flags: &[String], namespace: String) -> Result<AutoscalingAction, String> {
    let usage = "set cpu needs a workload and a value, like set cpu deployment/NAME 80% (of each pod's request) or 300m (per pod)";
    let (target, value): (&[&str], &str) = match rest {
        [target, value] if target.contains('/') => (std::slice::from_ref(target), value),
        [_, _, value] => (&rest[..2], value),
        _ => return Err(usage.to_string()),
    };
    if !flags.is_empty() {
        return Err(format!("set cpu takes no flags: {}", flags.join(" ")));
    }
    parse_load(target, &[format!("--cpu={value}")], namespace)
}

/// `load KIND/NAME --cpu=300m | --cpu=80% | --total-cpu=1200m`.
fn parse_load(rest: &[&str], flags: &[String], namespace: String) -> Result<AutoscalingAction, String> {
    let (kind, name) = workload(rest, "load")?;
    let quantity = |value: &str| -> Result<i64, String> {
        let quantity = Quantity::parse(value).map_err(|error| format!("invalid CPU quantity {value:?}: {error}"))?;
        if quantity.is_negative() {
            return Err(format!("invalid CPU quantity {value:?}: must not be negative"));
        }
        Ok(quantity.milli_value())
    };
    let load = match (flag_value(flags, "--cpu"), flag_value(flags, "--total-cpu")) {
        (Some(value), None) => match value.strip_suffix('%') {
            Some(percent) => CpuLoad::PercentOfRequest {
                percent: percent
                    .parse::<i64>()
                    .ok()
                    .filter(|percent| *percent >= 0)
                    .ok_or_else(|| format!("invalid CPU percentage {value:?}"))?,
            },
            None => CpuLoad::PerPod { milli: quantity(value)? },
        },
        (None, Some(value)) => CpuLoad::Total { milli: quantity(value)? },
        _ => {
            return Err(
                "load needs one of --cpu=300m (per pod), --cpu=80% (of each pod's request) or --total-cpu=1200m (shared by the running pods)"
                    .to_string(),
            )
        }
    };
    Ok(AutoscalingAction::Load {
        kind,
        namespace,
        name: name.to_string(),
        load,
    })
}

impl Simulation {
    /// Performs an autoscaling action now.
    pub(super) fn perform_autoscaling(&mut self, action: &AutoscalingAction) -> Result<(), ActionError> {
        match action {
            AutoscalingAction::Autoscale {
                kind,
                namespace,
                name,
                hpa_name,
                min,
                max,
                cpu_percent,
            } => self.autoscale(*kind, namespace, name, hpa_name, *min, *max, *cpu_percent),
            AutoscalingAction::Delete { namespace, name } => self.delete_horizontal_pod_autoscaler(namespace, name),
            AutoscalingAction::Load {
                kind,
                namespace,
                name,
                load,
            } => self.set_cpu_load((namespace.clone(), *kind, name.clone()), *load),
        }
    }

    /// `kubectl autoscale`: reads the target (it must exist), then creates the
    /// `autoscaling/v2` HPA kubectl builds (`createHorizontalPodAutoscalerV2`), through the
    /// API server's create path.
    #[allow(clippy::too_many_arguments)]
    fn autoscale(
        &mut self,
        kind: WorkloadKind,
        namespace: &str,
        name: &str,
        hpa_name: &str,
        min: Option<i32>,
        max: i32,
        cpu_percent: Option<i32>,
    ) -> Result<(), ActionError> {
        let key = crate::sim::ObjectKey::new(namespace, name);
        let exists = match kind {
            WorkloadKind::Deployment => self.store.deployments.contains_key(&key),
            WorkloadKind::ReplicaSet => self.store.replica_sets.contains_key(&key),
            WorkloadKind::ReplicationController => self.store.replication_controllers.contains_key(&key),
        };
        if !exists {
            return Err(ActionError(format!("{} \"{name}\" not found", kind.resource())));
        }
        if self.horizontal_pod_autoscaler(namespace, hpa_name).is_some() {
            return Err(ActionError(format!(
                "horizontalpodautoscalers.autoscaling \"{hpa_name}\" already exists"
            )));
        }
        let api_version = match kind {
            WorkloadKind::ReplicationController => "v1",
            WorkloadKind::Deployment | WorkloadKind::ReplicaSet => "apps/v1",
        };
        let mut spec = serde_json::json!({
            "scaleTargetRef": {"apiVersion": api_version, "kind": kind.kind(), "name": name},
            "maxReplicas": max,
        });
        if let Some(min) = min {
            spec["minReplicas"] = min.into();
        }
        if let Some(percent) = cpu_percent {
            spec["metrics"] = serde_json::json!([{
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": percent}},
            }]);
        }
        let object = serde_json::json!({
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": hpa_name, "namespace": namespace},
            "spec": spec,
        });
        self.update_objects(&object.to_string())
            .map(|_| ())
            .map_err(|error| ActionError(error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_and_prints_autoscaling_commands() {
        struct Case {
            line: &'static str,
            printed: &'static str,
        }
        let cases = [
            Case {
                line: "kubectl autoscale deployment web --min=2 --max=10 --cpu-percent=50",
                printed: "autoscale deployment/web --min=2 --max=10 --cpu=50%",
            },
            Case {
                line: "kubectl autoscale deployment web --max=10 --cpu=70%",
                printed: "autoscale deployment/web --max=10 --cpu=70%",
            },
            Case {
                line: "autoscale rs/front --max=4 --name=front-hpa -n shop",
                printed: "autoscale replicaset/front -n shop --name=front-hpa --max=4",
            },
            Case {
                line: "load deploy/web --cpu=300m",
                printed: "load deployment/web --cpu=300m",
            },
            Case {
                line: "load deployment/web --cpu=80%",
                printed: "load deployment/web --cpu=80%",
            },
            Case {
                line: "set cpu deployment/web 80%",
                printed: "load deployment/web --cpu=80%",
            },
            Case {
                line: "set cpu deploy web 250m",
                printed: "load deployment/web --cpu=250m",
            },
            Case {
                line: "load rc/old --total-cpu=1.5",
                printed: "load replicationcontroller/old --total-cpu=1500m",
            },
            Case {
                line: "delete hpa/web",
                printed: "delete hpa web",
            },
        ];
        for case in cases {
            let action = crate::actions::parse_action(case.line, None).expect(case.line);
            assert_eq!(action.to_string(), case.printed, "{}", case.line);
            assert_eq!(crate::actions::parse_action(&action.to_string(), None), Ok(action));
        }
    }

    #[test]
    fn refuses_what_kubectl_refuses() {
        struct Case {
            line: &'static str,
            error: &'static str,
        }
        let cases = [
            Case {
                line: "autoscale deployment/web --min=2",
                error: "--max=MAXPODS is required and must be at least 1, max: -1",
            },
            Case {
                line: "autoscale deployment/web --min=5 --max=3",
                error: "--max=MAXPODS must be larger or equal to --min=MINPODS, max: 3, min: 5",
            },
            Case {
                line: "autoscale statefulset/db --max=3",
                error: "not statefulset",
            },
            Case {
                line: "load deployment/web",
                error: "load needs one of",
            },
            Case {
                line: "set cpu deployment/web",
                error: "set cpu needs a workload and a value",
            },
            Case {
                line: "set cpu deployment/web 80% --total-cpu=1",
                error: "set cpu takes no flags",
            },
            Case {
                line: "set cpu deployment/web lots",
                error: "invalid CPU quantity",
            },
            Case {
                line: "load deployment/web --cpu=-1",
                error: "must not be negative",
            },
            Case {
                line: "autoscale deployment/web --max=3 --bogus=1",
                error: "unknown flag: --bogus",
            },
            Case {
                line: "autoscale deployment/web --max=3 --cpu=500m",
                error: "plays CPU utilization targets only",
            },
        ];
        for case in cases {
            let error = crate::actions::parse_action(case.line, None).unwrap_err();
            assert!(error.contains(case.error), "{}: {error}", case.line);
        }
    }
}
