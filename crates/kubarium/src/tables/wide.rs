//! `kubectl get KIND -o wide`: the extra columns `pkg/printers/internalversion/printers.go`
//! adds when `options.Wide` (`printPod`, `printNode`, `printDaemonSet`, `printJob`,
//! `printCronJob`, `printService`; the replicated workloads' are in `workloads.rs`).

use super::workloads::containers_and_images;
use super::{format_selector, Table};
use crate::labels::LabelSelector;
use crate::sim::Simulation;

/// The table for a kind as kubectl prints it, with `-o wide`'s columns when `wide`. Kinds
/// without wide columns here print the same table either way.
pub fn get_as(simulation: &Simulation, kind: &str, wide: bool) -> Result<Table, String> {
    if !wide {
        return super::get(simulation, kind);
    }
    // The narrow table only where the wide one adds columns to it (`get` keeps the kind as
    // typed, for its error).
    let plain = || super::get(simulation, kind);
    Ok(match canonical(kind) {
        "pods" => super::pods(simulation),
        "replicasets" => super::replica_sets(simulation, true),
        "replicationcontrollers" => super::replication_controllers(simulation, true),
        "deployments" => super::deployments(simulation, true),
        "nodes" => widen(plain()?, &NODE_COLUMNS, node_cells(simulation)),
        "daemonsets" => widen(plain()?, &WORKLOAD_COLUMNS, daemon_set_cells(simulation)),
        "jobs" => widen(plain()?, &WORKLOAD_COLUMNS, job_cells(simulation)),
        "cronjobs" => widen(plain()?, &WORKLOAD_COLUMNS, cron_job_cells(simulation)),
        "services" => widen(plain()?, &["SELECTOR"], service_cells(simulation)),
        _ => plain()?,
    })
}

/// `get_as`'s first `limit` rows, and how many rows the whole table has: a page shows a few
/// hundred rows of a big table (the pods table is built only that far, so a cluster of
/// thousands of pods costs a few hundred rows a beat, not all of them).
pub fn get_first(simulation: &Simulation, kind: &str, wide: bool, limit: usize) -> Result<(Table, usize), String> {
    if canonical(kind) == "pods" {
        let table = super::pods_of(simulation, simulation.pods().take(limit));
        let table = if wide { table } else { narrow(table, POD_COLUMNS) };
        return Ok((table, simulation.store.pod_count()));
    }
    let mut table = get_as(simulation, kind, wide)?;
    let total = table.rows.len();
    table.rows.truncate(limit);
    Ok((table, total))
}

const NODE_COLUMNS: [&str; 5] = [
    "INTERNAL-IP",
    "EXTERNAL-IP",
    "OS-IMAGE",
    "KERNEL-VERSION",
    "CONTAINER-RUNTIME",
];

const WORKLOAD_COLUMNS: [&str; 3] = ["CONTAINERS", "IMAGES", "SELECTOR"];

/// The plural name of a kind typed as its singular or short name (of the kinds with wide
/// columns, and those `get_output` and `deprecation_warning` tell apart).
pub(super) fn canonical(kind: &str) -> &str {
    match kind {
        "pod" | "po" => "pods",
        "node" | "no" => "nodes",
        "namespace" | "ns" => "namespaces",
        "ep" => "endpoints",
        "daemonset" | "ds" => "daemonsets",
        "job" => "jobs",
        "cronjob" | "cj" => "cronjobs",
        "replicaset" | "rs" => "replicasets",
        "replicationcontroller" | "rc" => "replicationcontrollers",
        "deployment" | "deploy" => "deployments",
        "service" | "svc" => "services",
        other => other,
    }
}

/// `kubectl get pods` without `-o wide`: the pods table's first columns (NAME, READY, STATUS,
/// RESTARTS, AGE).
pub(super) const POD_COLUMNS: usize = 5;

/// The table's first `columns` columns.
pub(super) fn narrow(mut table: Table, columns: usize) -> Table {
    table.headers.truncate(columns);
    for row in &mut table.rows {
        row.truncate(columns);
    }
    table
}

/// The table with more columns, one list of cells per row in the table's order.
fn widen(mut table: Table, headers: &[&'static str], cells: Vec<Vec<String>>) -> Table {
    table.headers.extend_from_slice(headers);
    for (row, extra) in table.rows.iter_mut().zip(cells) {
        row.extend(extra);
    }
    table
}

/// `printNode`: the internal IP, no external IP, and `<unknown>` for the node info a
/// simulated kubelet does not report (OS image, kernel, container runtime).
fn node_cells(simulation: &Simulation) -> Vec<Vec<String>> {
    simulation
        .nodes()
        .map(|node| {
            let internal = if node.status.internal_ip.is_empty() {
                "<none>".to_string()
            } else {
                node.status.internal_ip.clone()
            };
            vec![
                internal,
                "<none>".to_string(),
                "<unknown>".to_string(),
                "<unknown>".to_string(),
                "<unknown>".to_string(),
            ]
        })
        .collect()
}

fn workload_cells(template: &crate::api::PodTemplateSpec, selector: Option<&LabelSelector>) -> Vec<String> {
    let [names, images] = containers_and_images(template);
    let selector = selector.map_or_else(|| "<none>".to_string(), format_selector);
    vec![names, images, selector]
}

fn daemon_set_cells(simulation: &Simulation) -> Vec<Vec<String>> {
    simulation
        .daemon_sets()
        .map(|daemon_set| workload_cells(&daemon_set.spec.template, Some(&daemon_set.spec.selector)))
        .collect()
}

fn job_cells(simulation: &Simulation) -> Vec<Vec<String>> {
    simulation
        .jobs()
        .map(|job| workload_cells(&job.spec.template, job.spec.selector.as_ref()))
        .collect()
}

fn cron_job_cells(simulation: &Simulation) -> Vec<Vec<String>> {
    simulation
        .cron_jobs()
        .map(|cron_job| {
            let spec = &cron_job.spec.job_template.spec;
            workload_cells(&spec.template, spec.selector.as_ref())
        })
        .collect()
}

/// `printService`: `labels.FormatLabels` of the selector, `<none>` when empty.
fn service_cells(simulation: &Simulation) -> Vec<Vec<String>> {
    simulation
        .services()
        .map(|service| {
            let selector = service.spec.selector.as_ref().filter(|labels| !labels.is_empty());
            let text = selector.map_or_else(
                || "<none>".to_string(),
                |labels| {
                    labels
                        .iter()
                        .map(|(key, value)| format!("{key}={value}"))
                        .collect::<Vec<_>>()
                        .join(",")
                },
            );
            vec![text]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ClusterConfig;

    /// The first rows are the whole table's first rows, for every kind and width, and the
    /// count is the whole table's.
    #[test]
    fn first_rows_are_the_tables_first_rows() {
        let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", 3));
        simulation
            .apply("apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: web}\nspec:\n  replicas: 7\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: nginx}]\n")
            .expect("applies");
        simulation.run_until(5_000).expect("runs");
        for kind in ["pods", "po", "nodes", "events", "replicasets"] {
            for wide in [false, true] {
                let whole = get_as(&simulation, kind, wide).expect("known kind");
                for limit in [0, 2, 100] {
                    let (first, total) = get_first(&simulation, kind, wide, limit).expect("known kind");
                    assert_eq!(total, whole.rows.len(), "{kind} wide={wide}");
                    assert_eq!(first.headers, whole.headers, "{kind} wide={wide}");
                    assert_eq!(
                        first.rows,
                        whole.rows[..limit.min(total)],
                        "{kind} wide={wide} limit {limit}"
                    );
                }
            }
        }
        assert!(get_first(&simulation, "pods", false, 2).expect("pods").1 >= 7);
        assert!(get_first(&simulation, "widgets", false, 2).is_err());
    }

    #[test]
    fn wide_tables_have_kubectls_extra_columns() {
        let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", 1));
        simulation
            .apply("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec:\n      containers: [{name: a, image: 'fluentd:1'}, {name: b, image: busybox}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {tier: front, app: web}\n  ports: [{port: 80}]\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: pi}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: pi, image: perl}]\n")
            .expect("applies");
        simulation.run_until(5_000).expect("runs");
        struct Case {
            kind: &'static str,
            wide: bool,
            headers: &'static [&'static str],
            /// The last cells of the first row.
            last: &'static [&'static str],
        }
        let cases = [
            Case {
                kind: "po",
                wide: false,
                headers: &["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
                last: &["0", "5s"],
            },
            Case {
                kind: "pods",
                wide: true,
                headers: &[
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
                last: &["node-1", "<none>", "<none>"],
            },
            Case {
                kind: "nodes",
                wide: true,
                headers: &[
                    "NAME",
                    "STATUS",
                    "ROLES",
                    "AGE",
                    "VERSION",
                    "INTERNAL-IP",
                    "EXTERNAL-IP",
                    "OS-IMAGE",
                    "KERNEL-VERSION",
                    "CONTAINER-RUNTIME",
                ],
                last: &["<none>", "<unknown>", "<unknown>", "<unknown>"],
            },
            Case {
                kind: "ds",
                wide: true,
                headers: &[
                    "NAME",
                    "DESIRED",
                    "CURRENT",
                    "READY",
                    "UP-TO-DATE",
                    "AVAILABLE",
                    "NODE SELECTOR",
                    "AGE",
                    "CONTAINERS",
                    "IMAGES",
                    "SELECTOR",
                ],
                last: &["a,b", "fluentd:1,busybox", "app=agent"],
            },
            Case {
                kind: "svc",
                wide: true,
                headers: &[
                    "NAME",
                    "TYPE",
                    "CLUSTER-IP",
                    "EXTERNAL-IP",
                    "PORT(S)",
                    "AGE",
                    "SELECTOR",
                ],
                // The `kubernetes` Service comes first: it has no selector.
                last: &["<none>"],
            },
            Case {
                kind: "jobs",
                wide: true,
                headers: &[
                    "NAME",
                    "STATUS",
                    "COMPLETIONS",
                    "DURATION",
                    "AGE",
                    "CONTAINERS",
                    "IMAGES",
                    "SELECTOR",
                ],
                // The selector is the generated one (checked below).
                last: &[],
            },
            Case {
                kind: "hpa",
                wide: true,
                headers: &["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"],
                last: &[],
            },
        ];
        for case in cases {
            let table = get_as(&simulation, case.kind, case.wide).expect(case.kind);
            assert_eq!(table.headers, case.headers, "{}", case.kind);
            if let Some(row) = table.rows.first() {
                assert_eq!(row.len(), case.headers.len(), "{}", case.kind);
                assert!(
                    row.ends_with(&case.last.iter().map(|cell| cell.to_string()).collect::<Vec<_>>()),
                    "{}: {row:?}",
                    case.kind
                );
            }
        }
        let services = get_as(&simulation, "services", true).expect("known");
        assert_eq!(services.rows[1].last().map(String::as_str), Some("app=web,tier=front"));
        let jobs = get_as(&simulation, "jobs", true).expect("known");
        assert_eq!(jobs.rows[0][5..7], ["pi".to_string(), "perl".to_string()]);
        assert!(
            jobs.rows[0][7].starts_with("batch.kubernetes.io/controller-uid="),
            "{:?}",
            jobs.rows[0]
        );
        assert!(get_as(&simulation, "widgets", true).is_err());
    }
}
