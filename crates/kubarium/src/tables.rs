//! `kubectl get` tables: the columns kubectl prints for each kind (`pkg/printers/internalversion`
//! `printPod`, `printNode`, `printDaemonSet`, ...), built from a simulation for the CLI and the UI.

use crate::api::{ContainerState, Job, Node};
use crate::sim::Simulation;
use crate::time::{as_stored, human_duration, Millis};
use crate::view::pod_status_column;

pub(crate) mod autoscaling;
pub use autoscaling::{format_metrics, horizontal_pod_autoscalers};
mod services;
pub use services::{endpoint_slices, endpoints, external_ip, port_string, services};
mod quota;
mod wide;
mod workloads;
pub use quota::{limit_ranges, resource_quotas};
pub use wide::{get_as, get_first};
pub use workloads::{
    daemon_set_rollout_status, deployments, format_selector, replica_sets, replication_controllers, rollout_status,
};

/// The Kubernetes version nodes report (the schema's version).
pub const KUBELET_VERSION: &str = "v1.37.0";

/// A table: headers and rows of cells.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Left-aligned columns separated by three spaces, as kubectl's tab writer prints them.
    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|header| header.len()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let mut push_row = |cells: Vec<&str>| {
            let line: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            out.push_str(line.join("   ").trim_end());
            out.push('\n');
        };
        push_row(self.headers.clone());
        for row in &self.rows {
            push_row(row.iter().map(String::as_str).collect());
        }
        out
    }
}

/// The API server's deprecation warning for a kind, which kubectl prints (on standard error)
/// before the table: v1 Endpoints since 1.33.
pub fn deprecation_warning(kind: &str) -> Option<&'static str> {
    (wide::canonical(kind) == "endpoints")
        .then_some("Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice")
}

/// What `kubectl get KIND` prints: the table, or kubectl's line for no objects (`No resources
/// found in default namespace.`, without the namespace for nodes and namespaces).
pub fn get_output(table: &Table, kind: &str) -> String {
    if !table.rows.is_empty() {
        return table.render();
    }
    match wide::canonical(kind) {
        "nodes" | "namespaces" => "No resources found\n".to_string(),
        _ => "No resources found in default namespace.\n".to_string(),
    }
}

/// `translateTimestampSince`: how long ago `since` was, from the stored (whole-second)
/// timestamp.
fn age(simulation: &Simulation, since: Millis) -> String {
    human_duration(simulation.now().saturating_sub(as_stored(since)))
}

/// The table for a kind as `kubectl get KIND` prints it (plural, singular or short name);
/// `get_as` adds `-o wide`'s columns.
pub fn get(simulation: &Simulation, kind: &str) -> Result<Table, String> {
    match kind {
        "pods" | "pod" | "po" => Ok(wide::narrow(pods(simulation), wide::POD_COLUMNS)),
        "nodes" | "node" | "no" => Ok(nodes(simulation)),
        "daemonsets" | "daemonset" | "ds" => Ok(daemon_sets(simulation)),
        "jobs" | "job" => Ok(jobs(simulation)),
        "controllerrevisions" | "controllerrevision" => Ok(controller_revisions(simulation)),
        "cronjobs" | "cronjob" | "cj" => Ok(cron_jobs(simulation)),
        "replicasets" | "replicaset" | "rs" => Ok(replica_sets(simulation, false)),
        "replicationcontrollers" | "replicationcontroller" | "rc" => Ok(replication_controllers(simulation, false)),
        "deployments" | "deployment" | "deploy" => Ok(deployments(simulation, false)),
        "namespaces" | "namespace" | "ns" => Ok(namespaces(simulation)),
        "events" | "event" | "ev" => Ok(events(simulation)),
        "services" | "service" | "svc" => Ok(services(simulation)),
        "endpoints" | "ep" => Ok(endpoints(simulation)),
        "endpointslices" | "endpointslice" => Ok(endpoint_slices(simulation)),
        "resourcequotas" | "resourcequota" | "quota" => Ok(resource_quotas(simulation)),
        "limitranges" | "limitrange" | "limits" => Ok(limit_ranges(simulation)),
        "horizontalpodautoscalers" | "horizontalpodautoscaler" | "hpa" => Ok(horizontal_pod_autoscalers(simulation)),
        other => Err(format!("the server doesn't have a resource type \"{other}\" (kubarium knows pods, nodes, daemonsets, controllerrevisions, jobs, cronjobs, replicasets, replicationcontrollers, deployments, namespaces, events, services, endpoints, endpointslices, resourcequotas, limitranges, horizontalpodautoscalers)")),
    }
}

/// `kubectl get controllerrevisions` (`printControllerRevision`): the controller as
/// `daemonset.apps/NAME`.
pub fn controller_revisions(simulation: &Simulation) -> Table {
    let rows = simulation
        .controller_revisions()
        .map(|revision| {
            let controller = revision.metadata.controller_of().map_or_else(
                || "<none>".to_string(),
                |owner| format!("{}.apps/{}", owner.kind.to_lowercase(), owner.name),
            );
            vec![
                revision.metadata.name.clone(),
                controller,
                revision.revision.to_string(),
                age(simulation, revision.metadata.creation_timestamp_ms),
            ]
        })
        .collect();
    Table {
        headers: vec!["NAME", "CONTROLLER", "REVISION", "AGE"],
        rows,
    }
}

/// `kubectl get pods -o wide`.
pub fn pods(simulation: &Simulation) -> Table {
    pods_of(simulation, simulation.pods())
}

/// The `pods` table of the given pods only, in their order.
fn pods_of<'a>(simulation: &Simulation, pods: impl Iterator<Item = &'a crate::api::Pod>) -> Table {
    let rows = pods
        .map(|pod| {
            let ready = pod
                .status
                .container_statuses
                .iter()
                .filter(|status| status.ready)
                .count();
            let restarts: u32 = pod
                .status
                .container_statuses
                .iter()
                .map(|status| status.restart_count)
                .sum();
            // `printPod` adds when the last restart happened: "3 (2m ago)".
            let last_restart = pod
                .status
                .container_statuses
                .iter()
                .filter_map(|status| match status.last_state.as_deref() {
                    Some(ContainerState::Terminated { finished_at_ms, .. }) => Some(*finished_at_ms),
                    _ => None,
                })
                .max();
            let restarts = match last_restart {
                Some(finished) if restarts > 0 => format!("{restarts} ({} ago)", age(simulation, finished)),
                _ => restarts.to_string(),
            };
            let or_none = |text: &str| {
                if text.is_empty() {
                    "<none>".to_string()
                } else {
                    text.to_string()
                }
            };
            vec![
                pod.metadata.name.clone(),
                format!("{ready}/{}", pod.spec.containers.len()),
                pod_status_column(pod),
                restarts,
                age(simulation, pod.metadata.creation_timestamp_ms),
                or_none(&pod.status.pod_ip),
                or_none(&pod.spec.node_name),
                "<none>".to_string(),
                "<none>".to_string(),
            ]
        })
        .collect();
    Table {
        headers: vec![
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "NOMINATED NODE",
            "READINESS GATES",
        ],
        rows,
    }
}

/// `printNode`'s STATUS: the Ready condition, then `SchedulingDisabled` when cordoned.
fn node_status(node: &Node) -> String {
    let ready = match crate::api::condition_status(&node.status.conditions, "Ready") {
        Some("True") => "Ready",
        Some(_) => "NotReady",
        None => "Unknown",
    };
    if node.spec.unschedulable {
        format!("{ready},SchedulingDisabled")
    } else {
        ready.to_string()
    }
}

/// `printNode`'s ROLES: the `node-role.kubernetes.io/<role>` labels.
fn node_roles(node: &Node) -> String {
    let roles: Vec<&str> = node
        .metadata
        .labels
        .keys()
        .filter_map(|key| key.strip_prefix("node-role.kubernetes.io/"))
        .filter(|role| !role.is_empty())
        .collect();
    if roles.is_empty() {
        "<none>".to_string()
    } else {
        roles.join(",")
    }
}

/// `kubectl get nodes`.
pub fn nodes(simulation: &Simulation) -> Table {
    let rows = simulation
        .nodes()
        .map(|node| {
            vec![
                node.metadata.name.clone(),
                node_status(node),
                node_roles(node),
                age(simulation, node.metadata.creation_timestamp_ms),
                KUBELET_VERSION.to_string(),
            ]
        })
        .collect();
    Table {
        headers: vec!["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
        rows,
    }
}

/// `kubectl get daemonsets`.
pub fn daemon_sets(simulation: &Simulation) -> Table {
    let rows = simulation
        .daemon_sets()
        .map(|daemon_set| {
            let status = &daemon_set.status;
            let selector: Vec<String> = daemon_set
                .spec
                .template
                .spec
                .node_selector
                .iter()
                .map(|(key, value)| format!("{key}={value}"))
                .collect();
            vec![
                daemon_set.metadata.name.clone(),
                status.desired_number_scheduled.to_string(),
                status.current_number_scheduled.to_string(),
                status.number_ready.to_string(),
                status.updated_number_scheduled.to_string(),
                status.number_available.to_string(),
                if selector.is_empty() {
                    "<none>".to_string()
                } else {
                    selector.join(",")
                },
                age(simulation, daemon_set.metadata.creation_timestamp_ms),
            ]
        })
        .collect();
    Table {
        headers: vec![
            "NAME",
            "DESIRED",
            "CURRENT",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "NODE SELECTOR",
            "AGE",
        ],
        rows,
    }
}

/// `printJob`'s STATUS column (`pkg/printers/internalversion/printers.go`): the finished
/// condition first, then Terminating, Suspended, the terminal targets, else Running.
pub fn job_status_column(job: &Job) -> &'static str {
    let status = &job.status;
    if status.has_condition("Complete") {
        "Complete"
    } else if status.has_condition("Failed") {
        "Failed"
    } else if job.metadata.is_terminating() {
        "Terminating"
    } else if status.has_condition("Suspended") {
        "Suspended"
    } else if status.has_condition("FailureTarget") {
        "FailureTarget"
    } else if status.has_condition("SuccessCriteriaMet") {
        "SuccessCriteriaMet"
    } else {
        "Running"
    }
}

/// `kubectl get jobs` (`printJob` in `pkg/printers/internalversion/printers.go`).
pub fn jobs(simulation: &Simulation) -> Table {
    let rows = simulation
        .jobs()
        .map(|job| {
            let status = &job.status;
            let state = job_status_column(job);
            let completions = match (job.spec.completions, job.spec.parallelism) {
                (Some(completions), _) => format!("{}/{completions}", status.succeeded),
                (None, Some(parallelism)) if parallelism > 1 => format!("{}/1 of {parallelism}", status.succeeded),
                (None, _) => format!("{}/1", status.succeeded),
            };
            let duration = match (status.start_time_ms, status.completion_time_ms) {
                (None, _) => String::new(),
                (Some(start), None) => age(simulation, start),
                (Some(start), Some(end)) => human_duration(as_stored(end).saturating_sub(as_stored(start))),
            };
            vec![
                job.metadata.name.clone(),
                state.to_string(),
                completions,
                duration,
                age(simulation, job.metadata.creation_timestamp_ms),
            ]
        })
        .collect();
    Table {
        headers: vec!["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"],
        rows,
    }
}

/// `kubectl get cronjobs` (`printCronJob` in `pkg/printers/internalversion/printers.go`):
/// `<none>` for no time zone and no schedule yet, `printBoolPtr` for SUSPEND, the number of
/// active Jobs, and LAST SCHEDULE as the time since it.
pub fn cron_jobs(simulation: &Simulation) -> Table {
    let rows = simulation
        .cron_jobs()
        .map(|cron_job| {
            let suspend = match cron_job.spec.suspend {
                Some(true) => "True",
                Some(false) => "False",
                None => "<unset>",
            };
            vec![
                cron_job.metadata.name.clone(),
                cron_job.spec.schedule.clone(),
                cron_job.spec.time_zone.clone().unwrap_or_else(|| "<none>".to_string()),
                suspend.to_string(),
                cron_job.status.active.len().to_string(),
                cron_job
                    .status
                    .last_schedule_time_ms
                    .map_or_else(|| "<none>".to_string(), |last| age(simulation, last)),
                age(simulation, cron_job.metadata.creation_timestamp_ms),
            ]
        })
        .collect();
    Table {
        headers: vec![
            "NAME",
            "SCHEDULE",
            "TIMEZONE",
            "SUSPEND",
            "ACTIVE",
            "LAST SCHEDULE",
            "AGE",
        ],
        rows,
    }
}

/// `kubectl get namespaces`.
pub fn namespaces(simulation: &Simulation) -> Table {
    let rows = simulation
        .namespaces()
        .map(|namespace| {
            vec![
                namespace.metadata.name.clone(),
                namespace.phase.clone(),
                age(simulation, namespace.metadata.creation_timestamp_ms),
            ]
        })
        .collect();
    Table {
        headers: vec!["NAME", "STATUS", "AGE"],
        rows,
    }
}

/// When an event was last seen, with its repeats (`100s (x3 over 11m)`), as `kubectl get
/// events` and `kubectl describe` print it.
pub fn last_seen(simulation: &Simulation, event: &crate::view::EventObject) -> String {
    let last_seen = age(simulation, event.last_timestamp_ms);
    if event.count > 1 {
        format!(
            "{last_seen} (x{} over {})",
            event.count,
            age(simulation, event.first_timestamp_ms)
        )
    } else {
        last_seen
    }
}

/// `kubectl get events`: repeats counted into one row (`100s (x3 over 11m)`).
pub fn events(simulation: &Simulation) -> Table {
    let rows = simulation
        .event_objects()
        .into_iter()
        .map(|event| {
            vec![
                last_seen(simulation, &event),
                event.event_type.to_string(),
                event.reason.to_string(),
                event.object,
                event.message,
            ]
        })
        .collect();
    Table {
        headers: vec!["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{ClusterConfig, NodeConfig};

    #[test]
    fn tables_have_kubectls_columns() {
        let mut config = ClusterConfig::with_nodes("node", 2);
        let mut control_plane = NodeConfig::worker("cp1");
        control_plane
            .labels
            .insert("node-role.kubernetes.io/control-plane".to_string(), String::new());
        config.nodes.insert(0, control_plane);
        let mut simulation = Simulation::new(&config);
        simulation.apply(include_str!("../seeds/daemonset-1.yaml")).unwrap();
        simulation.label_node("node-1", "os", Some("centos")).unwrap();
        simulation.set_unschedulable("node-2", true).unwrap();
        simulation.run_until(90_000).unwrap();
        assert_eq!(
            nodes(&simulation).render(),
            "NAME     STATUS                     ROLES           AGE   VERSION\n\
             cp1      Ready                      control-plane   90s   v1.37.0\n\
             node-1   Ready                      <none>          90s   v1.37.0\n\
             node-2   Ready,SchedulingDisabled   <none>          90s   v1.37.0\n"
        );
        assert_eq!(
            daemon_sets(&simulation).render(),
            "NAME          DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE\n\
             daemonset-1   1         1         1       1            1           os=centos       90s\n"
        );
        let pods = pods(&simulation);
        assert_eq!(pods.headers.len(), 9);
        assert_eq!(&pods.rows[0][1..4], ["1/1", "Running", "0"]);
        assert!(get(&simulation, "statefulsets")
            .unwrap_err()
            .contains("doesn't have a resource type"));
    }

    /// A Job its CronJob created at 5m0.1s reads 20s old, 20s running, at 5m20s: kubectl
    /// subtracts the stored whole-second timestamps.
    #[test]
    fn ages_and_durations_count_from_whole_seconds() {
        let text = include_str!("../../../tests/scenarios/sleep-cj-allow.yaml");
        let mut session = crate::session::Session::load(text, 3).expect("loads");
        session.advance_to(5 * 60_000 + 20_000).expect("plays");
        let simulation = &session.simulation;
        let jobs = jobs(simulation);
        let newest = jobs.rows.last().expect("a Job");
        assert_eq!(
            [&newest[0], &newest[1], &newest[3], &newest[4]],
            ["sleep-cj-29453765", "Running", "20s", "20s"]
        );
        let created = crate::store::KeyRef("default", "sleep-cj-29453765")
            .get(&simulation.store.jobs)
            .expect("the Job")
            .metadata
            .creation_timestamp_ms;
        assert_eq!(created % 1_000, 100, "created 100ms after the scheduled minute");
    }

    #[test]
    fn cron_jobs_table_is_printcronjobs() {
        let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", 1));
        let cron_job = |name: &str, schedule: &str, extra: &str| {
            format!("apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: {name}}}\nspec:\n  schedule: \"{schedule}\"\n{extra}  jobTemplate:\n    spec:\n      template:\n        spec: {{restartPolicy: Never, containers: [{{name: c, image: busybox, command: [sleep, \"300\"]}}]}}\n")
        };
        simulation.apply(&cron_job("every-minute", "* * * * *", "")).unwrap();
        simulation.run_until(60_000).unwrap();
        simulation
            .apply(&cron_job(
                "nightly",
                "0 3 * * *",
                "  timeZone: Etc/UTC\n  suspend: true\n",
            ))
            .unwrap();
        simulation.run_until(150_000).unwrap();
        assert_eq!(
            cron_jobs(&simulation).render(),
            "NAME           SCHEDULE    TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE\n\
             every-minute   * * * * *   <none>     False     2        30s             2m30s\n\
             nightly        0 3 * * *   Etc/UTC    True      0        <none>          90s\n"
        );
        assert_eq!(get(&simulation, "cj").unwrap(), cron_jobs(&simulation));
    }
}
