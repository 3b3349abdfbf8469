//! `kubectl describe pod`: the pod's fields that matter to a learner, laid out as kubectl's
//! `PodDescriber` writes them (`staging/src/k8s.io/kubectl/pkg/describe/describe.go`,
//! `describePod`, `describeContainers`, `DescribeEvents`), with the pod's events at the end.
//! Fields the simulation does not have (priority classes, volumes, QoS) are left out.

use std::fmt::Write as _;

use crate::api::{ContainerState, Pod};
use crate::sim::Simulation;
use crate::sort::StableSort;
use crate::time::{format_rfc3339, human_duration, Millis, SECOND_MS};

/// `kubectl describe pod NAME -n NAMESPACE`, or kubectl's error when there is no such pod.
pub fn pod(simulation: &Simulation, namespace: &str, name: &str) -> Result<String, String> {
    let pod = simulation
        .pod(namespace, name)
        .ok_or_else(|| format!("Error from server (NotFound): pods \"{name}\" not found"))?;
    let mut out = String::new();
    describe_pod(&mut out, simulation, pod);
    Ok(out)
}

/// An instant as kubectl prints it in describe output (RFC 1123 in the reader's zone; here UTC).
fn instant(simulation: &Simulation, at_ms: Millis) -> String {
    let unix = simulation.start_unix_seconds() + (at_ms / SECOND_MS) as i64;
    format_rfc3339(unix, 0)
}

fn map_lines(out: &mut String, title: &str, entries: impl Iterator<Item = String>) {
    let entries: Vec<String> = entries.collect();
    if entries.is_empty() {
        let _ = writeln!(out, "{title:<18}<none>");
        return;
    }
    for (index, entry) in entries.iter().enumerate() {
        let label = if index == 0 { title } else { "" };
        let _ = writeln!(out, "{label:<18}{entry}");
    }
}

fn describe_pod(out: &mut String, simulation: &Simulation, pod: &Pod) {
    let meta = &pod.metadata;
    let _ = writeln!(out, "{:<18}{}", "Name:", meta.name);
    let _ = writeln!(out, "{:<18}{}", "Namespace:", meta.namespace);
    let node = if pod.spec.node_name.is_empty() {
        "<none>"
    } else {
        &pod.spec.node_name
    };
    let _ = writeln!(out, "{:<18}{node}", "Node:");
    if let Some(start) = pod.status.start_time_ms {
        let _ = writeln!(out, "{:<18}{}", "Start Time:", instant(simulation, start));
    }
    map_lines(
        out,
        "Labels:",
        meta.labels.iter().map(|(key, value)| format!("{key}={value}")),
    );
    map_lines(
        out,
        "Annotations:",
        meta.annotations.iter().map(|(key, value)| format!("{key}: {value}")),
    );
    let status = if meta.is_terminating() && !pod.status.phase.is_terminal() {
        format!(
            "Terminating (lasts {})",
            human_duration(
                simulation
                    .now()
                    .saturating_sub(crate::time::as_stored(meta.deletion_timestamp_ms.unwrap_or_default()))
            )
        )
    } else {
        pod.status.phase.as_str().to_string()
    };
    let _ = writeln!(out, "{:<18}{status}", "Status:");
    if !pod.status.reason.is_empty() {
        let _ = writeln!(out, "{:<18}{}", "Reason:", pod.status.reason);
    }
    if !pod.status.message.is_empty() {
        let _ = writeln!(out, "{:<18}{}", "Message:", pod.status.message);
    }
    let ip = if pod.status.pod_ip.is_empty() {
        ""
    } else {
        &pod.status.pod_ip
    };
    let _ = writeln!(out, "{:<18}{ip}", "IP:");
    if let Some(owner) = meta.controller_of() {
        let _ = writeln!(out, "{:<18}{}/{}", "Controlled By:", owner.kind, owner.name);
    }
    let _ = writeln!(out, "Containers:");
    for container in pod.spec.containers.iter() {
        let _ = writeln!(out, "  {}:", container.name);
        let _ = writeln!(out, "    {:<16}{}", "Image:", container.image);
        for port in &container.ports {
            let _ = writeln!(out, "    {:<16}{}/{}", "Port:", port.container_port, port.protocol);
        }
        let status = pod
            .status
            .container_statuses
            .iter()
            .find(|status| status.name == container.name);
        match status.map(|status| &status.state) {
            Some(state) => describe_state(out, simulation, "State:", state),
            None => {
                let _ = writeln!(out, "    {:<16}Waiting", "State:");
            }
        }
        if let Some(last) = status.and_then(|status| status.last_state.as_ref()) {
            describe_state(out, simulation, "Last State:", last);
        }
        let ready = status.is_some_and(|status| status.ready);
        let _ = writeln!(out, "    {:<16}{}", "Ready:", if ready { "True" } else { "False" });
        let _ = writeln!(
            out,
            "    {:<16}{}",
            "Restart Count:",
            status.map_or(0, |status| status.restart_count)
        );
        for (title, list) in [
            ("Limits:", &container.resources.limits),
            ("Requests:", &container.resources.requests),
        ] {
            if !list.is_empty() {
                let _ = writeln!(out, "    {title}");
                for (resource, quantity) in list {
                    // As kubectl prints a quantity: sizes with their suffix (`200Mi`).
                    let shown = crate::admission::format_quantity(resource, *quantity);
                    let _ = writeln!(out, "      {:<14}{shown}", format!("{resource}:"));
                }
            }
        }
    }
    if !pod.status.conditions.is_empty() {
        let _ = writeln!(out, "Conditions:");
        let _ = writeln!(out, "  {:<28}Status", "Type");
        for condition in &pod.status.conditions {
            let _ = writeln!(out, "  {:<28}{}", condition.condition_type, condition.status);
        }
    }
    map_lines(
        out,
        "Node-Selectors:",
        pod.spec
            .node_selector
            .iter()
            .map(|(key, value)| format!("{key}={value}")),
    );
    // `printTolerationsMultilineWithIndent`: sorted by key, `key[=value][:Effect][ op=Exists][
    // for Ns]`.
    let mut tolerations: Vec<&crate::api::Toleration> = pod.spec.tolerations.iter().collect();
    tolerations.stable_sort_by(|left, right| left.key.cmp(&right.key));
    map_lines(
        out,
        "Tolerations:",
        tolerations.into_iter().map(|toleration| {
            let mut text = toleration.key.to_string();
            if !toleration.value.is_empty() {
                text = format!("{text}={}", toleration.value);
            }
            if !toleration.effect.is_empty() {
                text = format!("{text}:{}", toleration.effect);
            }
            if toleration.operator == "Exists" && toleration.value.is_empty() {
                text.push_str(if text.is_empty() { "op=Exists" } else { " op=Exists" });
            }
            if let Some(seconds) = toleration.toleration_seconds {
                text = format!("{text} for {seconds}s");
            }
            text
        }),
    );
    describe_events(out, simulation, &meta.namespace, &format!("pod/{}", meta.name));
}

fn describe_state(out: &mut String, simulation: &Simulation, title: &str, state: &ContainerState) {
    match state {
        // `describeContainerState`: a waiting container's reason only (its message is in the
        // pod's status, `kubectl get pod -o yaml`).
        ContainerState::Waiting { reason, .. } => {
            let _ = writeln!(out, "    {title:<16}Waiting");
            if !reason.is_empty() {
                let _ = writeln!(out, "      {:<14}{reason}", "Reason:");
            }
        }
        ContainerState::Running { started_at_ms } => {
            let _ = writeln!(out, "    {title:<16}Running");
            let _ = writeln!(out, "      {:<14}{}", "Started:", instant(simulation, *started_at_ms));
        }
        ContainerState::Terminated {
            exit_code,
            reason,
            started_at_ms,
            finished_at_ms,
        } => {
            let _ = writeln!(out, "    {title:<16}Terminated");
            let _ = writeln!(out, "      {:<14}{reason}", "Reason:");
            let _ = writeln!(out, "      {:<14}{exit_code}", "Exit Code:");
            let _ = writeln!(out, "      {:<14}{}", "Started:", instant(simulation, *started_at_ms));
            let _ = writeln!(out, "      {:<14}{}", "Finished:", instant(simulation, *finished_at_ms));
        }
    }
}

/// The `Events:` table of describe output: `Type Reason Age From Message`, with
/// `(x3 over 2m)` for repeats, oldest first.
fn describe_events(out: &mut String, simulation: &Simulation, namespace: &str, object: &str) {
    let events: Vec<_> = simulation
        .event_objects()
        .into_iter()
        .filter(|event| event.namespace == namespace && event.object == object)
        .collect();
    if events.is_empty() {
        let _ = writeln!(out, "Events:           <none>");
        return;
    }
    let rows: Vec<[String; 5]> = events
        .iter()
        .map(|event| {
            [
                event.event_type.to_string(),
                event.reason.to_string(),
                crate::tables::last_seen(simulation, event),
                event.source.to_string(),
                event.message.clone(),
            ]
        })
        .collect();
    let headers = ["Type", "Reason", "Age", "From", "Message"];
    let widths: Vec<usize> = (0..4)
        .map(|column| {
            rows.iter()
                .map(|row| row[column].len())
                .chain([headers[column].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let _ = writeln!(out, "Events:");
    let line = |cells: [&str; 5]| {
        format!(
            "  {:<w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        )
    };
    let _ = writeln!(out, "{}", line(headers));
    let _ = writeln!(out, "{}", line(["----", "------", "----", "----", "-------"]));
    for row in &rows {
        let _ = writeln!(
            out,
            "{}",
            line([&row[0], &row[1], &row[2], &row[3], &row[4]]).trim_end()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ClusterConfig;

    #[test]
    fn a_running_pod_is_described_with_its_events() {
        let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", 2));
        simulation
            .apply("apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\nspec:\n  containers:\n  - name: web\n    image: nginx\n    ports: [{containerPort: 80}]\n    resources: {requests: {cpu: 100m, memory: 200Mi}}\n")
            .expect("valid");
        simulation.run_until(30 * SECOND_MS).expect("runs");
        let text = pod(&simulation, "default", "web").expect("exists");
        for expected in [
            "Name:             web\n",
            "Namespace:        default\n",
            "Labels:           app=web\n",
            "Annotations:      <none>\n",
            "Status:           Running\n",
            "  web:\n    Image:          nginx\n",
            "    Port:           80/TCP\n",
            "    State:          Running\n",
            "    Ready:          True\n",
            "    Restart Count:  0\n",
            "    Requests:\n      cpu:          100m\n      memory:       200Mi\n",
            "  Ready                       True\n",
            "Events:\n  Type    Reason     Age",
            "Normal  Scheduled",
            "default-scheduler  Successfully assigned default/web to node-",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
        // The kubelet's conditions first, PodScheduled last (`generateAPIPodStatus`).
        let conditions: Vec<&str> = text
            .lines()
            .skip_while(|line| !line.starts_with("Conditions:"))
            .skip(2)
            .take(5)
            .filter_map(|line| line.split_whitespace().next())
            .collect();
        assert_eq!(
            conditions,
            [
                "PodReadyToStartContainers",
                "Initialized",
                "Ready",
                "ContainersReady",
                "PodScheduled"
            ],
            "{text}"
        );
        assert!(
            text.contains(
                "Tolerations:      node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n                  \
                 node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n"
            ),
            "{text}"
        );
        assert_eq!(
            pod(&simulation, "default", "nope"),
            Err("Error from server (NotFound): pods \"nope\" not found".to_string())
        );
    }
}
