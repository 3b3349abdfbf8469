//! The cluster view: nodes as cards holding their pods as chips, and the Pending lane.

use kubarium::{NodeView, PodView};
use leptos::prelude::*;

/// The pod whose `kubectl describe` is open (namespace, name); chips set it when clicked.
#[derive(Clone, Copy)]
pub struct Describe(pub RwSignal<Option<(String, String)>>);

/// A node re-renders when anything it shows changes; pods are keyed by uid and status inside.
pub fn node_key(node: &NodeView) -> String {
    let pods: Vec<String> = node
        .pods
        .iter()
        .map(|pod| format!("{}:{}", pod.uid, pod.status))
        .collect();
    format!(
        "{}|{}|{}|{:?}|{:?}|{:?}|{:?}|{}",
        node.name,
        node.ready,
        node.unschedulable,
        node.labels,
        node.taints,
        node.why_not,
        node.lifecycle,
        pods.join(",")
    )
}

/// A hue per owner, so the chips of one DaemonSet, Job or CronJob share a colour (the phase is
/// told by the icon and the border, not by colour).
pub fn owner_hue(owner: &str) -> u32 {
    if owner.is_empty() {
        return 215;
    }
    // FNV-1a, folded onto the colour wheel.
    let hash = owner.bytes().fold(0x811c_9dc5u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    hash % 360
}

/// `1500m of 4 CPU`-like figures as a percentage for the bars.
fn percent(used: i64, total: i64) -> i64 {
    if total <= 0 {
        0
    } else {
        (used.saturating_mul(100) / total).clamp(0, 100)
    }
}

fn gib(bytes: i64) -> String {
    format!("{:.1}Gi", bytes as f64 / (1024.0 * 1024.0 * 1024.0))
}

/// Labels worth showing on a card: those a user sets (the node's own kubernetes.io labels and
/// roles are left to the tooltip and the ROLES line).
fn user_labels(labels: &[String]) -> Vec<String> {
    labels
        .iter()
        .filter(|label| !label.starts_with("kubernetes.io/") && !label.starts_with("node-role.kubernetes.io/"))
        .cloned()
        .collect()
}

#[component]
pub fn NodeCard(node: NodeView, run: impl Fn(String) + Copy + Send + Sync + 'static) -> impl IntoView {
    let state = match (node.ready, node.unschedulable) {
        (true, false) => "Ready",
        (true, true) => "Ready,SchedulingDisabled",
        (false, false) => "NotReady",
        (false, true) => "NotReady,SchedulingDisabled",
    };
    let badge_class = if node.ready { "badge ready" } else { "badge notready" };
    let roles = if node.roles.is_empty() {
        "<none>".to_string()
    } else {
        node.roles.join(",")
    };
    let labels = user_labels(&node.labels);
    let all_labels = node.labels.join("\n");
    let cpu = percent(node.cpu_requested_milli, node.cpu_allocatable_milli);
    let memory = percent(node.memory_requested_bytes, node.memory_allocatable_bytes);
    let pods_used = node
        .pods
        .iter()
        .filter(|pod| pod.phase != "Succeeded" && pod.phase != "Failed")
        .count();
    let pods_percent = percent(pods_used as i64, node.pods_allocatable);
    let cordon_verb = if node.unschedulable { "uncordon" } else { "cordon" };
    let fail_verb = if node.ready { "fail node" } else { "recover node" };
    let fail_label = if node.ready { "Stop kubelet" } else { "Recover" };
    let cordon_command = format!("{cordon_verb} {}", node.name);
    let drain_command = format!("drain {} --ignore-daemonsets --force", node.name);
    let fail_command = format!("{fail_verb} {}", node.name);
    let delete_command = format!("delete node {}", node.name);
    view! {
        <article
            class=if node.unschedulable { "node-card cordoned" } else { "node-card" }
            data-testid="node-card"
            data-node=node.name.clone()
            aria-label=format!("node {}", node.name)
        >
            <header>
                <h2>{node.name.clone()}</h2>
                <span class=badge_class>{state}</span>
            </header>
            <p class="node-meta" title=all_labels>
                <span class="roles">{format!("roles: {roles}")}</span>
                {labels.into_iter().map(|label| view! { <span class="label">{label}</span> }).collect_view()}
            </p>
            {(!node.taints.is_empty()).then(|| view! {
                <p class="taints">
                    {node.taints.iter().map(|taint| view! { <span class="taint" title="taint">{format!("⚠ {taint}")}</span> }).collect_view()}
                </p>
            })}
            {(!node.lifecycle.is_empty()).then(|| view! {
                <ul class="lifecycle" data-testid="node-lifecycle" aria-label="node lifecycle">
                    {node.lifecycle.iter().map(|note| view! { <li>{format!("◷ {note}")}</li> }).collect_view()}
                </ul>
            })}
            <div class="bars">
                <Bar label="cpu" percent=cpu detail=format!("{}m / {}m", node.cpu_requested_milli, node.cpu_allocatable_milli)/>
                <Bar label="mem" percent=memory detail=format!("{} / {}", gib(node.memory_requested_bytes), gib(node.memory_allocatable_bytes))/>
                <Bar label="pods" percent=pods_percent detail=format!("{pods_used} / {}", node.pods_allocatable)/>
            </div>
            <ul class="pods">
                {node.pods.into_iter().map(|pod| view! { <PodChip pod=pod/> }).collect_view()}
            </ul>
            {(!node.why_not.is_empty()).then(|| view! {
                <details class="why-not" data-testid="why-not">
                    <summary>{format!("Why not here? ({})", node.why_not.len())}</summary>
                    <ul>{node.why_not.iter().map(|reason| view! { <li>{reason.clone()}</li> }).collect_view()}</ul>
                </details>
            })}
            <footer class="node-actions">
                <button on:click=move |_| run(cordon_command.clone())>{cordon_verb}</button>
                <button on:click=move |_| run(drain_command.clone())>"drain"</button>
                <button on:click=move |_| run(fail_command.clone())>{fail_label}</button>
                <button class="danger" on:click=move |_| run(delete_command.clone())>"delete"</button>
            </footer>
        </article>
    }
}

#[component]
fn Bar(label: &'static str, percent: i64, detail: String) -> impl IntoView {
    view! {
        <div class="bar" title=format!("{label} requested: {detail}")>
            <span class="bar-label">{label}</span>
            <span class="bar-track" role="meter" aria-label=format!("{label} requested") aria-valuenow=percent aria-valuemin="0" aria-valuemax="100">
                <span class="bar-fill" style=format!("width: {percent}%")></span>
            </span>
            <span class="bar-detail">{detail.clone()}</span>
        </div>
    }
}

#[component]
pub fn PodChip(pod: PodView) -> impl IntoView {
    let owner = pod.owner.clone().unwrap_or_default();
    let base_class = format!("pod-chip phase-{}", pod.status.to_lowercase());
    let highlight = use_context::<crate::services::Highlight>();
    let uid = pod.uid.clone();
    let describe = use_context::<Describe>();
    let target = (pod.namespace.clone(), pod.name.clone());
    let open = move || {
        if let Some(Describe(signal)) = describe {
            signal.set(Some(target.clone()));
        }
    };
    let open_on_key = open.clone();
    // Lit while the Service that selects it is hovered or focused.
    let class = move || match highlight {
        Some(crate::services::Highlight(signal)) if signal.with(|uids| uids.contains(&uid)) => {
            format!("{base_class} linked")
        }
        _ => base_class.clone(),
    };
    view! {
        <li
            class=class
            style=format!("--owner-hue: {}", owner_hue(&owner))
            data-testid="pod-chip"
            data-phase=pod.phase.clone()
            data-owner=owner.clone()
            title=format!("{} ({}) owned by {}", pod.name, pod.status, if owner.is_empty() { "nobody" } else { &owner })
            tabindex="0"
            role="button"
            aria-label=format!("pod {}, {}: describe", pod.name, pod.status)
            on:click=move |_| open()
            on:keydown=move |event| {
                if event.key() == "Enter" || event.key() == " " {
                    event.prevent_default();
                    open_on_key();
                }
            }
        >
            <span class="phase-icon" aria-hidden="true">{phase_icon(&pod.status)}</span>
            <span class="pod-name">{pod.name.clone()}</span>
            <span class="pod-status">{pod.status.clone()}</span>
        </li>
    }
}

/// Shape, not colour alone, tells the phase.
fn phase_icon(status: &str) -> &'static str {
    match status {
        "Running" => "●",
        "ContainerCreating" => "◌",
        "Succeeded" | "Completed" => "✓",
        "Failed" | "Error" | "CrashLoopBackOff" | "DeadlineExceeded" => "✕",
        "Terminating" => "◍",
        _ => "○",
    }
}

#[component]
pub fn PendingLane(shown: Signal<Vec<PodView>>) -> impl IntoView {
    view! {
        <Show when=move || !shown.get().is_empty()>
            <section class="pending-lane" aria-label="Pending pods">
                <h2>"Pending"</h2>
                <ul class="pods">{move || shown.get().into_iter().map(|pod| view! { <PodChip pod=pod/> }).collect_view()}</ul>
            </section>
        </Show>
    }
}
