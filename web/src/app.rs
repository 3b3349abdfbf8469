//! The foundation slice's page: an editor, Apply, a clock, and the cluster as node cards.

use kubarium::time::{Millis, SECOND_MS};
use kubarium::{ClusterConfig, NodeView, PodView, Simulation, Snapshot};
use leptos::prelude::*;

/// The slice's cluster: three worker nodes.
const NODE_COUNT: usize = 3;
/// How far a fresh apply plays before it is shown, so the default example opens settled.
const SETTLE_MS: Millis = 10 * SECOND_MS;

/// Builds a cluster, applies `text` and plays it to `SETTLE_MS`. Returns the simulation and the
/// notices about fields that are accepted but not simulated.
fn simulate(text: &str) -> Result<(Simulation, Vec<String>), String> {
    let mut simulation = Simulation::new(&ClusterConfig::with_nodes("node", NODE_COUNT));
    let applied = simulation.apply(text).map_err(|error| error.to_string())?;
    simulation.run_until(SETTLE_MS).map_err(|error| error.to_string())?;
    Ok((simulation, applied.notices.iter().map(ToString::to_string).collect()))
}

#[component]
pub fn App() -> impl IntoView {
    let (manifest_text, set_manifest_text) = signal(kubarium::EXAMPLE_MYWEB_DS.to_string());
    let (error, set_error) = signal(None::<String>);
    let simulation = StoredValue::new(None::<Simulation>);
    let (snapshot, set_snapshot) = signal(None::<Snapshot>);

    let (notices, set_notices) = signal(Vec::<String>::new());
    let apply = move || match simulate(&manifest_text.get_untracked()) {
        Ok((applied, applied_notices)) => {
            set_snapshot.set(Some(applied.snapshot()));
            simulation.set_value(Some(applied));
            set_error.set(None);
            set_notices.set(applied_notices);
        }
        // A bad manifest never wipes the last good cluster: only the message changes.
        Err(message) => set_error.set(Some(message)),
    };
    let advance = move |by_ms: Millis| {
        simulation.update_value(|current| {
            if let Some(current) = current {
                match current.run_until(current.now() + by_ms) {
                    Ok(_) => set_snapshot.set(Some(current.snapshot())),
                    Err(limit) => set_error.set(Some(limit.to_string())),
                }
            }
        });
    };
    apply();

    view! {
        <header class="top">
            <h1>"kubarium"</h1>
            <p class="tagline">"A Kubernetes control plane, simulated in your browser."</p>
        </header>
        <p class="notice" role="note">
            "Early preview: three fixed Ready nodes; Pods, Namespaces, DaemonSets, Jobs and CronJobs (with IANA time zones) are simulated so far. "
            "Every kind is checked field by field as kubectl apply checks it; the others are not played yet."
        </p>
        <main class="layout">
            <section class="editor" aria-label="Manifest editor">
                <label for="manifest">"Manifest (YAML)"</label>
                <textarea
                    id="manifest"
                    data-testid="manifest-editor"
                    spellcheck="false"
                    prop:value=move || manifest_text.get()
                    on:input=move |event| set_manifest_text.set(event_target_value(&event))
                ></textarea>
                <div class="editor-actions">
                    <button data-testid="apply" on:click=move |_| apply()>"Apply"</button>
                </div>
                <Show when=move || !notices.get().is_empty()>
                    <ul class="notices" data-testid="notices">
                        {move || notices.get().into_iter().map(|notice| view! { <li>{notice}</li> }).collect_view()}
                    </ul>
                </Show>
                <Show when=move || error.get().is_some()>
                    <p class="error" role="alert" data-testid="error">{move || error.get().unwrap_or_default()}</p>
                </Show>
            </section>
            <section class="cluster" aria-label="Cluster">
                <div class="clock">
                    <span data-testid="clock">
                        {move || snapshot.with(|snapshot| snapshot.as_ref().map(|s| format_clock(s.time_ms)).unwrap_or_default())}
                    </span>
                    <button data-testid="advance-1s" on:click=move |_| advance(SECOND_MS)>"+1s"</button>
                    <button data-testid="advance-1m" on:click=move |_| advance(60 * SECOND_MS)>"+1m"</button>
                </div>
                <div class="nodes">
                    <For
                        each=move || snapshot.with(|snapshot| snapshot.as_ref().map(|s| s.nodes.clone()).unwrap_or_default())
                        key=|node| node_key(node)
                        children=move |node| view! { <NodeCard node=node/> }
                    />
                </div>
                <PendingLane snapshot=snapshot/>
            </section>
        </main>
    }
}

/// A node re-renders when its pods or readiness change; pods are keyed by uid and status inside.
fn node_key(node: &NodeView) -> String {
    let pods: Vec<String> = node
        .pods
        .iter()
        .map(|pod| format!("{}:{}", pod.uid, pod.status))
        .collect();
    format!("{}|{}|{}", node.name, node.ready, pods.join(","))
}

fn format_clock(time_ms: Millis) -> String {
    format!("t = {}", kubarium::time::human_duration(time_ms))
}

#[component]
fn NodeCard(node: NodeView) -> impl IntoView {
    let ready = if node.ready { "Ready" } else { "NotReady" };
    let pod_count = node.pods.len();
    view! {
        <article class="node-card" data-testid="node-card" data-node=node.name.clone() aria-label=format!("node {}", node.name)>
            <header>
                <h2>{node.name.clone()}</h2>
                <span class=format!("badge {}", ready.to_lowercase())>{ready}</span>
            </header>
            <p class="pod-count">{format!("{pod_count} pod(s)")}</p>
            <ul class="pods">
                {node.pods.into_iter().map(|pod| view! { <PodChip pod=pod/> }).collect_view()}
            </ul>
        </article>
    }
}

#[component]
fn PodChip(pod: PodView) -> impl IntoView {
    let owner = pod.owner.clone().unwrap_or_default();
    view! {
        <li
            class=format!("pod-chip phase-{}", pod.status.to_lowercase())
            data-testid="pod-chip"
            data-phase=pod.phase.clone()
            data-owner=owner.clone()
            title=format!("{} ({}) owned by {}", pod.name, pod.status, if owner.is_empty() { "nobody" } else { &owner })
            tabindex="0"
            aria-label=format!("pod {}, {}", pod.name, pod.status)
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
        "Failed" | "Error" | "CrashLoopBackOff" => "✕",
        "Terminating" => "◍",
        _ => "○",
    }
}

#[component]
fn PendingLane(snapshot: ReadSignal<Option<Snapshot>>) -> impl IntoView {
    let pending =
        move || snapshot.with(|snapshot| snapshot.as_ref().map(|s| s.unscheduled.clone()).unwrap_or_default());
    view! {
        <Show when=move || !pending().is_empty()>
            <section class="pending-lane" aria-label="Pending pods">
                <h2>"Pending"</h2>
                <ul class="pods">{move || pending().into_iter().map(|pod| view! { <PodChip pod=pod/> }).collect_view()}</ul>
            </section>
        </Show>
    }
}
