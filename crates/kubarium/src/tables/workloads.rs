//! `kubectl get` tables of the replicated workloads: ReplicaSets and ReplicationControllers
//! (`printReplicaSet`, `printReplicationController`) and Deployments (`printDeployment`), with
//! `-o wide`'s CONTAINERS, IMAGES and SELECTOR.

use super::{age, Table};
use crate::api::PodTemplateSpec;
use crate::labels::{LabelSelector, SelectorOperator};
use crate::sim::Simulation;
use crate::sort::StableSort;

/// `metav1.FormatLabelSelector`: the selector as kubectl prints it, requirements in key order
/// (`LabelSelectorAsSelector` sorts them), `<none>` when empty.
pub fn format_selector(selector: &LabelSelector) -> String {
    let mut parts: Vec<(String, String)> = selector
        .match_labels
        .iter()
        .map(|(key, value)| (key.clone(), format!("{key}={value}")))
        .collect();
    for requirement in &selector.match_expressions {
        let mut values = requirement.values.clone();
        values.stable_sort();
        let text = match requirement.operator {
            SelectorOperator::In => format!("{} in ({})", requirement.key, values.join(",")),
            SelectorOperator::NotIn => format!("{} notin ({})", requirement.key, values.join(",")),
            SelectorOperator::Exists => requirement.key.clone(),
            SelectorOperator::DoesNotExist => format!("!{}", requirement.key),
        };
        parts.push((requirement.key.clone(), text));
    }
    if parts.is_empty() {
        return "<none>".to_string();
    }
    parts.stable_sort_by(|first, second| first.0.cmp(&second.0));
    parts.into_iter().map(|(_, text)| text).collect::<Vec<_>>().join(",")
}

/// `-o wide`'s CONTAINERS and IMAGES: the template's container names and images.
pub(super) fn containers_and_images(template: &PodTemplateSpec) -> [String; 2] {
    let names: Vec<&str> = template
        .spec
        .containers
        .iter()
        .map(|container| container.name.as_str())
        .collect();
    let images: Vec<&str> = template
        .spec
        .containers
        .iter()
        .map(|container| container.image.as_str())
        .collect();
    [names.join(","), images.join(",")]
}

/// The headers, with `-o wide`'s three more when `wide`.
fn headers(base: &[&'static str], wide: bool) -> Vec<&'static str> {
    let mut headers = base.to_vec();
    if wide {
        headers.extend(["CONTAINERS", "IMAGES", "SELECTOR"]);
    }
    headers
}

/// `kubectl get replicasets [-o wide]`: DESIRED is `spec.replicas`, CURRENT and READY the
/// status counts.
pub fn replica_sets(simulation: &Simulation, wide: bool) -> Table {
    let rows = simulation
        .replica_sets()
        .map(|replica_set| {
            let mut row = vec![
                replica_set.metadata.name.clone(),
                replica_set.spec.replicas.to_string(),
                replica_set.status.replicas.to_string(),
                replica_set.status.ready_replicas.to_string(),
                age(simulation, replica_set.metadata.creation_timestamp_ms),
            ];
            if wide {
                row.extend(containers_and_images(&replica_set.spec.template));
                row.push(format_selector(&replica_set.spec.selector));
            }
            row
        })
        .collect();
    Table {
        headers: headers(&["NAME", "DESIRED", "CURRENT", "READY", "AGE"], wide),
        rows,
    }
}

/// `kubectl get replicationcontrollers [-o wide]`: as ReplicaSets, with the map selector.
pub fn replication_controllers(simulation: &Simulation, wide: bool) -> Table {
    let rows = simulation
        .replication_controllers()
        .map(|controller| {
            let mut row = vec![
                controller.metadata.name.clone(),
                controller.spec.replicas.to_string(),
                controller.status.replicas.to_string(),
                controller.status.ready_replicas.to_string(),
                age(simulation, controller.metadata.creation_timestamp_ms),
            ];
            if wide {
                row.extend(containers_and_images(
                    &controller.spec.template.clone().unwrap_or_default(),
                ));
                row.push(format_selector(&LabelSelector {
                    match_labels: controller.spec.selector.clone(),
                    match_expressions: Vec::new(),
                }));
            }
            row
        })
        .collect();
    Table {
        headers: headers(&["NAME", "DESIRED", "CURRENT", "READY", "AGE"], wide),
        rows,
    }
}

/// `kubectl get deployments [-o wide]`: READY is ready over desired replicas.
pub fn deployments(simulation: &Simulation, wide: bool) -> Table {
    let rows = simulation
        .deployments()
        .map(|deployment| {
            let status = &deployment.status;
            let mut row = vec![
                deployment.metadata.name.clone(),
                format!("{}/{}", status.ready_replicas, deployment.spec.replicas),
                status.updated_replicas.to_string(),
                status.available_replicas.to_string(),
                age(simulation, deployment.metadata.creation_timestamp_ms),
            ];
            if wide {
                row.extend(containers_and_images(&deployment.spec.template));
                row.push(format_selector(&deployment.spec.selector));
            }
            row
        })
        .collect();
    Table {
        headers: headers(&["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], wide),
        rows,
    }
}

/// `kubectl rollout status deployment/NAME`, one check of it (`DeploymentStatusViewer.Status` in
/// `staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go`): the line kubectl
/// prints now, or its error once the progress deadline was exceeded.
pub fn rollout_status(simulation: &Simulation, namespace: &str, name: &str) -> Result<String, String> {
    let deployment = simulation
        .deployment(namespace, name)
        .ok_or_else(|| format!("deployments.apps \"{name}\" not found"))?;
    let status = &deployment.status;
    if deployment.metadata.generation > status.observed_generation {
        return Ok("Waiting for deployment spec update to be observed...".to_string());
    }
    let timed_out = status.conditions.iter().any(|condition| {
        condition.condition_type == "Progressing" && condition.reason == crate::controller::deployment::TIMED_OUT_REASON
    });
    if timed_out {
        return Err(format!("error: deployment \"{name}\" exceeded its progress deadline"));
    }
    let replicas = deployment.spec.replicas;
    Ok(if status.updated_replicas < replicas {
        format!(
            "Waiting for deployment \"{name}\" rollout to finish: {} out of {replicas} new replicas have been updated...",
            status.updated_replicas
        )
    } else if status.replicas > status.updated_replicas {
        format!(
            "Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...",
            status.replicas - status.updated_replicas
        )
    } else if status.available_replicas < status.updated_replicas {
        format!(
            "Waiting for deployment \"{name}\" rollout to finish: {} of {} updated replicas are available...",
            status.available_replicas, status.updated_replicas
        )
    } else {
        format!("deployment \"{name}\" successfully rolled out")
    })
}

/// `kubectl rollout status daemonset/NAME`, one check of it (`DaemonSetStatusViewer.Status` in
/// `staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go`).
pub fn daemon_set_rollout_status(simulation: &Simulation, namespace: &str, name: &str) -> Result<String, String> {
    let daemon_set = simulation
        .daemon_set(namespace, name)
        .ok_or_else(|| format!("daemonsets.apps \"{name}\" not found"))?;
    if !daemon_set.is_rolling_update() {
        return Err("error: rollout status is only available for RollingUpdate strategy type".to_string());
    }
    let status = &daemon_set.status;
    if daemon_set.metadata.generation > status.observed_generation {
        return Ok("Waiting for daemon set spec update to be observed...".to_string());
    }
    let desired = status.desired_number_scheduled;
    Ok(if status.updated_number_scheduled < desired {
        format!(
            "Waiting for daemon set \"{name}\" rollout to finish: {} out of {desired} new pods have been updated...",
            status.updated_number_scheduled
        )
    } else if status.number_available < desired {
        format!(
            "Waiting for daemon set \"{name}\" rollout to finish: {} of {desired} updated pods are available...",
            status.number_available
        )
    } else {
        format!("daemon set \"{name}\" successfully rolled out")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::LabelSelectorRequirement;
    use crate::sim::ClusterConfig;

    #[test]
    fn workload_tables_have_kubectls_columns() {
        let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", 2));
        simulation
            .apply("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: 'nginx:1'}]\n")
            .expect("applies");
        simulation
            .apply(include_str!("../../seeds/myapp-rc.yaml"))
            .expect("applies");
        simulation.run_until(10_000).expect("runs");
        assert_eq!(
            deployments(&simulation, false).render(),
            "NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    2/2     2            2           10s\n"
        );
        let hash = simulation.replica_sets().next().expect("one").metadata.labels["pod-template-hash"].clone();
        let wide = replica_sets(&simulation, true);
        assert_eq!(
            wide.headers,
            [
                "NAME",
                "DESIRED",
                "CURRENT",
                "READY",
                "AGE",
                "CONTAINERS",
                "IMAGES",
                "SELECTOR"
            ]
        );
        assert_eq!(
            wide.rows,
            [[
                format!("web-{hash}"),
                "2".to_string(),
                "2".to_string(),
                "2".to_string(),
                "10s".to_string(),
                "web".to_string(),
                "nginx:1".to_string(),
                format!("app=web,pod-template-hash={hash}"),
            ]]
        );
        assert_eq!(
            replication_controllers(&simulation, false).render(),
            "NAME       DESIRED   CURRENT   READY   AGE\nmyapp-rc   3         3         3       10s\n"
        );
        assert_eq!(
            replication_controllers(&simulation, true).rows[0][7],
            "app=myapp,type=front-end"
        );
        assert_eq!(
            super::super::get(&simulation, "deploy").expect("known"),
            deployments(&simulation, false)
        );
        assert_eq!(
            rollout_status(&simulation, "default", "nope"),
            Err("deployments.apps \"nope\" not found".to_string())
        );
    }

    #[test]
    fn selectors_print_as_kubectl_prints_them() {
        let requirement = |key: &str, operator, values: &[&str]| LabelSelectorRequirement {
            key: key.to_string(),
            operator,
            values: values.iter().map(|value| value.to_string()).collect(),
        };
        let selector = LabelSelector {
            match_labels: [("env".to_string(), "prod".to_string())].into_iter().collect(),
            match_expressions: vec![
                requirement("tier", SelectorOperator::In, &["web", "api"]),
                requirement("canary", SelectorOperator::DoesNotExist, &[]),
                requirement("zone", SelectorOperator::NotIn, &["b"]),
                requirement("gpu", SelectorOperator::Exists, &[]),
            ],
        };
        assert_eq!(
            format_selector(&selector),
            "!canary,env=prod,gpu,tier in (api,web),zone notin (b)"
        );
        assert_eq!(format_selector(&LabelSelector::default()), "<none>");
    }
}
