//! `kubectl create`, the imperative side: `create -f -` (the objects must not exist yet; no
//! last-applied record, unlike `apply`), `create deployment NAME --image=...` (kubectl's own
//! generator, `staging/src/k8s.io/kubectl/pkg/cmd/create/create_deployment.go`) and
//! `create namespace NAME`. (`create job --from=cronjob/NAME` is in `actions.rs`.)

use serde_json::json;

use super::Action;
use crate::manifest::{parse_manifests_with_notices, Manifest};
use crate::sim::{ActionError, Simulation, DEFAULT_NAMESPACE};
use crate::store::ObjectKey;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateAction {
    /// `create -f -`: the manifests come with the action.
    FromManifests { manifests: String },
    /// `create deployment NAME --image=IMAGE [--image=...] [--replicas=N] [--port=P]`.
    Deployment {
        namespace: String,
        name: String,
        images: Vec<String>,
        replicas: i32,
        port: Option<i32>,
    },
    /// `create namespace NAME`.
    Namespace { name: String },
}

impl std::fmt::Display for CreateAction {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CreateAction::FromManifests { .. } => write!(formatter, "create -f -"),
            CreateAction::Deployment {
                namespace,
                name,
                images,
                replicas,
                port,
            } => {
                write!(formatter, "create deployment {name}")?;
                if namespace != DEFAULT_NAMESPACE {
                    write!(formatter, " -n {namespace}")?;
                }
                for image in images {
                    write!(formatter, " --image={image}")?;
                }
                if *replicas != 1 {
                    write!(formatter, " --replicas={replicas}")?;
                }
                if let Some(port) = port {
                    write!(formatter, " --port={port}")?;
                }
                Ok(())
            }
            CreateAction::Namespace { name } => write!(formatter, "create namespace {name}"),
        }
    }
}

/// The parse of a `create` command, or None when the words are another command (`create job`).
pub(super) fn parse(
    args: &[&str],
    flags: &[String],
    namespace: &str,
    manifests: Option<&str>,
) -> Option<Result<Action, String>> {
    let action = match args {
        ["create", "-f", "-"] => manifests
            .map(|manifests| CreateAction::FromManifests {
                manifests: manifests.to_string(),
            })
            .ok_or_else(|| "create -f - needs the manifests (a `manifests:` block on the action)".to_string()),
        ["create", "deployment" | "deploy", rest @ ..] => parse_deployment(rest, flags, namespace),
        ["create", "namespace" | "ns", rest @ ..] => match rest {
            [name] => Ok(CreateAction::Namespace { name: name.to_string() }),
            _ => Err("exactly one NAME is required, got 0".to_string()),
        },
        _ => return None,
    };
    Some(action.map(Action::Create))
}

/// `CreateDeploymentOptions.Complete` and `Validate`: one name, at least one `--image`.
fn parse_deployment(rest: &[&str], flags: &[String], namespace: &str) -> Result<CreateAction, String> {
    let [name] = rest else {
        return Err(format!("exactly one NAME is required, got {}", rest.len()));
    };
    let images: Vec<String> = flags
        .iter()
        .filter_map(|flag| flag.strip_prefix("--image="))
        .map(str::to_string)
        .collect();
    if images.is_empty() {
        return Err("error: required flag(s) \"image\" not set".to_string());
    }
    let number = |flag: &str| -> Result<Option<i32>, String> {
        flags
            .iter()
            .find_map(|candidate| candidate.strip_prefix(flag))
            .map(|value| {
                value
                    .parse()
                    .map_err(|_| format!("invalid argument {value:?} for \"{}\" flag", flag.trim_end_matches('=')))
            })
            .transpose()
    };
    if let Some(unknown) = flags.iter().find(|flag| {
        !["--image=", "--replicas=", "--port="]
            .iter()
            .any(|known| flag.starts_with(known))
    }) {
        return Err(format!("unknown flag: {unknown}"));
    }
    Ok(CreateAction::Deployment {
        namespace: namespace.to_string(),
        name: name.to_string(),
        images,
        replicas: number("--replicas=")?.unwrap_or(1),
        port: number("--port=")?,
    })
}

/// A container's name from its image, as `buildPodSpec` makes it: the last path part without
/// its tag or digest; `_` and `.` become `-`, and then a random suffix keeps it unique
/// (`sanitizeAndUniquify`; the simulation's seeded generator stands for `utilrand`).
fn container_name(simulation: &mut Simulation, image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let name = last.split(':').next().unwrap_or(last);
    let name = name.split('@').next().unwrap_or(name);
    if name.contains(['_', '.']) {
        let sanitized = name.replace(['_', '.'], "-");
        simulation.rng.generate_name(&format!("{sanitized}-"))
    } else {
        name.to_string()
    }
}

impl Simulation {
    pub(super) fn perform_create(&mut self, action: &CreateAction) -> Result<(), ActionError> {
        let text = match action {
            CreateAction::FromManifests { manifests } => manifests.clone(),
            CreateAction::Deployment {
                namespace,
                name,
                images,
                replicas,
                port,
            } => {
                let mut containers: Vec<serde_json::Value> = images
                    .iter()
                    .map(|image| json!({"name": container_name(self, image), "image": image}))
                    .collect();
                if let (Some(port), Some(first)) = (port, containers.first_mut()) {
                    first["ports"] = json!([{"containerPort": port}]);
                }
                json!({
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
                    "spec": {
                        "replicas": replicas,
                        "selector": {"matchLabels": {"app": name}},
                        "template": {
                            "metadata": {"labels": {"app": name}},
                            "spec": {"containers": containers},
                        },
                    },
                })
                .to_string()
            }
            CreateAction::Namespace { name } => {
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}).to_string()
            }
        };
        let parsed = parse_manifests_with_notices(&text).map_err(|error| ActionError(error.to_string()))?;
        // The API server refuses to create what exists (`AlreadyExists`); kubectl goes on with
        // the other objects, but kubarium creates all or none, as its apply does.
        let existing: Vec<String> = parsed
            .manifests
            .iter()
            .filter_map(|manifest| self.existing(manifest))
            .map(|(resource, name)| {
                format!("Error from server (AlreadyExists): error when creating \"STDIN\": {resource} \"{name}\" already exists")
            })
            .collect();
        if !existing.is_empty() {
            return Err(ActionError(existing.join("\n")));
        }
        self.update_objects(&text)
            .map(|_| ())
            .map_err(|error| ActionError(error.to_string()))
    }

    /// The resource and name of an object that already exists, as the API server names it.
    fn existing(&self, manifest: &Manifest) -> Option<(&'static str, String)> {
        type Lookup = fn(&Simulation, &str, &str) -> bool;
        let (resource, metadata, exists): (&'static str, &crate::api::ObjectMeta, Lookup) = match manifest {
            Manifest::Pod(object) => ("pods", &object.metadata, |at, namespace, name| {
                at.pod(namespace, name).is_some()
            }),
            Manifest::Deployment(object) => ("deployments.apps", &object.metadata, |at, namespace, name| {
                at.deployment(namespace, name).is_some()
            }),
            Manifest::DaemonSet(object) => ("daemonsets.apps", &object.metadata, |at, namespace, name| {
                at.daemon_set(namespace, name).is_some()
            }),
            Manifest::ReplicaSet(object) => ("replicasets.apps", &object.metadata, |at, namespace, name| {
                at.replica_set(namespace, name).is_some()
            }),
            Manifest::ReplicationController(object) => {
                ("replicationcontrollers", &object.metadata, |at, namespace, name| {
                    at.replication_controller(namespace, name).is_some()
                })
            }
            Manifest::Job(object) => ("jobs.batch", &object.metadata, |at, namespace, name| {
                at.job(namespace, name).is_some()
            }),
            Manifest::CronJob(object) => ("cronjobs.batch", &object.metadata, |at, namespace, name| {
                at.cron_job(namespace, name).is_some()
            }),
            Manifest::Service(object) => ("services", &object.metadata, |at, namespace, name| {
                at.service(namespace, name).is_some()
            }),
            Manifest::HorizontalPodAutoscaler(object) => (
                "horizontalpodautoscalers.autoscaling",
                &object.metadata,
                |at, namespace, name| at.horizontal_pod_autoscaler(namespace, name).is_some(),
            ),
            Manifest::ResourceQuota(object) => ("resourcequotas", &object.metadata, |at, namespace, name| {
                at.store.resource_quotas.contains_key(&ObjectKey::new(namespace, name))
            }),
            Manifest::LimitRange(object) => ("limitranges", &object.metadata, |at, namespace, name| {
                at.store.limit_ranges.contains_key(&ObjectKey::new(namespace, name))
            }),
            Manifest::Namespace(object) => ("namespaces", &object.metadata, |at, _, name| {
                at.store.namespaces.contains_key(name)
            }),
            Manifest::Node(object) => ("nodes", &object.metadata, |at, _, name| at.node(name).is_some()),
            Manifest::NotSimulated { .. } => return None,
        };
        let namespace = if metadata.namespace.is_empty() {
            DEFAULT_NAMESPACE
        } else {
            &metadata.namespace
        };
        exists(self, namespace, &metadata.name).then(|| (resource, metadata.name.clone()))
    }
}

#[cfg(test)]
mod tests {
    use crate::actions::parse_action;
    use crate::time::SECOND_MS;
    use crate::Simulation;

    #[test]
    fn parses_and_prints_create_commands() {
        for (line, printed) in [
            (
                "kubectl create deployment web --image=nginx:1.25 --replicas=3 --port=80",
                "create deployment web --image=nginx:1.25 --replicas=3 --port=80",
            ),
            (
                "create deploy api -n shop --image=registry.example/team/api@sha256:abc --image=redis",
                "create deployment api -n shop --image=registry.example/team/api@sha256:abc --image=redis",
            ),
            ("create ns shop", "create namespace shop"),
        ] {
            let action = parse_action(line, None).expect(line);
            assert_eq!(action.to_string(), printed, "{line}");
            assert_eq!(parse_action(&action.to_string(), None), Ok(action));
        }
        for (line, error) in [
            ("create deployment web", "required flag(s) \"image\" not set"),
            ("create deployment --image=nginx", "exactly one NAME is required, got 0"),
            (
                "create deployment web --image=nginx --replicas=many",
                "invalid argument \"many\" for \"--replicas\" flag",
            ),
            (
                "create deployment web --image=nginx --dry-run=client",
                "unknown flag: --dry-run=client",
            ),
            ("create -f -", "needs the manifests"),
        ] {
            let problem = parse_action(line, None).unwrap_err();
            assert!(problem.contains(error), "{line}: {problem}");
        }
    }

    /// `kubectl label` on a workload patches its labels (and `-` removes one).
    #[test]
    fn label_a_deployment() {
        let mut simulation = Simulation::new(&crate::ClusterConfig::with_nodes("node", 1));
        simulation
            .perform(&parse_action("create deployment web --image=nginx", None).unwrap())
            .expect("creates");
        simulation
            .perform(&parse_action("label deployment web tier=frontend", None).unwrap())
            .expect("labels");
        let labels = |simulation: &Simulation| {
            simulation
                .deployment("default", "web")
                .expect("exists")
                .metadata
                .labels
                .clone()
        };
        assert_eq!(labels(&simulation).get("tier").map(String::as_str), Some("frontend"));
        simulation
            .perform(&parse_action("label deploy/web tier- app=web", None).unwrap())
            .expect("labels");
        assert_eq!(labels(&simulation).get("tier"), None);
        assert!(parse_action("label deployment web", None)
            .unwrap_err()
            .contains("at least one label update"));
    }

    /// `kubectl create deployment` makes what kubectl's generator makes, and runs; a second
    /// create of the same name is refused with the API server's AlreadyExists.
    #[test]
    fn create_deployment_makes_kubectls_deployment_and_refuses_a_second() {
        let mut simulation = Simulation::new(&crate::ClusterConfig::with_nodes("node", 2));
        let create = parse_action(
            "create deployment web --image=nginx:1.25 --image=my_org/side.car:2 --replicas=2 --port=80",
            None,
        )
        .unwrap();
        simulation.perform(&create).expect("creates");
        simulation.run_until(20 * SECOND_MS).expect("runs");
        let deployment = simulation.deployment("default", "web").expect("exists");
        assert_eq!(deployment.metadata.labels.get("app").map(String::as_str), Some("web"));
        assert_eq!(deployment.spec.replicas, 2);
        let containers = &deployment.spec.template.spec.containers;
        assert_eq!(containers[0].name, "nginx");
        assert!(
            containers[1].name.starts_with("side-car-") && containers[1].name.len() == "side-car-".len() + 5,
            "{}",
            containers[1].name
        );
        assert!(
            !deployment.metadata.annotations.contains_key(crate::apply::LAST_APPLIED),
            "create records no last-applied"
        );
        let running = simulation
            .pods()
            .filter(|pod| pod.status.phase == crate::api::PodPhase::Running)
            .count();
        assert_eq!(running, 2);
        let error = simulation.perform(&create).unwrap_err();
        assert_eq!(
            error.0,
            "Error from server (AlreadyExists): error when creating \"STDIN\": deployments.apps \"web\" already exists"
        );
        simulation
            .perform(&parse_action("create namespace shop", None).unwrap())
            .expect("creates");
        assert!(simulation
            .perform(&parse_action("create ns shop", None).unwrap())
            .unwrap_err()
            .0
            .contains("namespaces \"shop\" already exists"));
    }
}
