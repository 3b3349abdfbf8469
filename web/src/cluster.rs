//! The cluster view: nodes as cards holding their pods as chips, and the Pending lane.

use std::sync::Arc;

use kubarium::{NodeView, PodView};
use leptos::prelude::*;

use crate::chips::ChipList;

/// The pod whose `kubectl describe` is open (namespace, name); chips set it when clicked.
#[derive(Clone, Copy)]
pub struct Describe(pub RwSignal<Option<(String, String)>>);

/// Puts a command on the kubectl line for the user to finish (the card's "label…" and
/// "taint…" buttons), and focuses it.
#[derive(Clone, Copy)]
pub struct Prefill(pub WriteSignal<String>);

fn prefill(context: Option<Prefill>, command: String) {
    if let Some(Prefill(set_command)) = context {
        set_command.set(command);
    }
    if let Some(input) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id("command"))
        .and_then(|element| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(element).ok())
    {
        let _ = input.focus();
    }
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

/// What a card shows of its node apart from its pods and its usage: a card's face re-renders
/// only when one of these changes (a node's name, state, labels, taints, lifecycle notes or
/// reasons), not when a pod comes or goes (the bars follow `CardUsage`, the chips their pods).
#[derive(Clone, PartialEq)]
struct CardFace {
    node: NodeView,
}

fn card_face(node: &NodeView) -> CardFace {
    CardFace {
        node: NodeView {
            pods: Vec::new(),
            cpu_requested_milli: 0,
            memory_requested_bytes: 0,
            ..node.clone()
        },
    }
}

/// A card's bars: what the node's pods request against what it has, and the count of pods
/// that take a slot on it.
#[derive(Clone, Copy, PartialEq)]
struct CardUsage {
    cpu_requested_milli: i64,
    cpu_allocatable_milli: i64,
    memory_requested_bytes: i64,
    memory_allocatable_bytes: i64,
    pods_used: usize,
    pods_allocatable: i64,
}

fn card_usage(node: &NodeView) -> CardUsage {
    CardUsage {
        cpu_requested_milli: node.cpu_requested_milli,
        cpu_allocatable_milli: node.cpu_allocatable_milli,
        memory_requested_bytes: node.memory_requested_bytes,
        memory_allocatable_bytes: node.memory_allocatable_bytes,
        pods_used: node
            .pods
            .iter()
            .filter(|pod| pod.phase != "Succeeded" && pod.phase != "Failed")
            .count(),
        pods_allocatable: node.pods_allocatable,
    }
}

/// Each card's node view, by node name, and the names in order. A card follows its own
/// node's signal, which is set only when that node's view changed: a frame that changes the
/// pods of three nodes wakes three cards (one signal for the whole snapshot woke every card's
/// memo, which then looked its node up and compared it, on every frame).
#[derive(Clone, Copy)]
pub struct NodeViews {
    views: StoredValue<std::collections::HashMap<String, ArcRwSignal<Option<NodeView>>>>,
    names: RwSignal<Vec<String>>,
}

impl NodeViews {
    pub fn new() -> NodeViews {
        NodeViews {
            views: StoredValue::new(std::collections::HashMap::new()),
            names: RwSignal::new(Vec::new()),
        }
    }

    /// Shows the snapshot's nodes: sets the signal of each node whose view changed, and the
    /// names if a node came or went.
    pub fn follow(&self, nodes: &[NodeView]) {
        self.views.update_value(|views| {
            for node in nodes {
                match views.get(&node.name) {
                    Some(signal) => {
                        if signal.with_untracked(|shown| shown.as_ref() != Some(node)) {
                            signal.set(Some(node.clone()));
                        }
                    }
                    None => {
                        views.insert(node.name.clone(), ArcRwSignal::new(Some(node.clone())));
                    }
                }
            }
            if views.len() > nodes.len() {
                let live: std::collections::HashSet<&str> = nodes.iter().map(|node| node.name.as_str()).collect();
                views.retain(|name, _| live.contains(name.as_str()));
            }
        });
        let same_names = self.names.with_untracked(|names| {
            names.len() == nodes.len() && names.iter().zip(nodes).all(|(name, node)| *name == node.name)
        });
        if !same_names {
            self.names.set(nodes.iter().map(|node| node.name.clone()).collect());
        }
    }

    /// The node names, in the snapshot's order.
    pub fn names(&self) -> Signal<Vec<String>> {
        self.names.into()
    }

    /// The view of the node `name` (`None` once it is gone).
    pub fn of(&self, name: &str) -> Signal<Option<NodeView>> {
        let signal = self
            .views
            .try_update_value(|views| {
                views
                    .entry(name.to_string())
                    .or_insert_with(|| ArcRwSignal::new(None))
                    .clone()
            })
            .unwrap_or_else(|| ArcRwSignal::new(None));
        signal.into()
    }
}

/// A node as a card. The card stays mounted while its node exists: its face re-renders when
/// the node changes, its bars when its usage does, and its chips are patched in place
/// (`ChipList`).
#[component]
pub fn NodeCard(node: Signal<Option<NodeView>>, run: impl Fn(String) + Copy + Send + Sync + 'static) -> impl IntoView {
    let face = Memo::new(move |_| node.with(|node| node.as_ref().map(card_face)));
    let usage = Memo::new(move |_| node.with(|node| node.as_ref().map(card_usage)));
    let pods =
        Signal::derive(move || node.with(|node| node.as_ref().map(|node| node.pods.clone()).unwrap_or_default()));
    let prefill_context = use_context::<Prefill>();
    let top = move || face.get().map(card_top);
    let bottom = move || face.get().map(|face| card_bottom(&face.node, run, prefill_context));
    let name = move || face.with(|face| face.as_ref().map(|face| face.node.name.clone()).unwrap_or_default());
    let cordoned = move || face.with(|face| face.as_ref().is_some_and(|face| face.node.unschedulable));
    view! {
        <article
            class="node-card"
            class:cordoned=cordoned
            data-testid="node-card"
            data-node=name
            aria-label=move || format!("node {}", name())
        >
            {top}
            <div class="bars">{move || usage.get().map(card_bars)}</div>
            <ChipList pods=pods/>
            {bottom}
        </article>
    }
}

/// The card's bars for CPU, memory and pods.
fn card_bars(usage: CardUsage) -> impl IntoView {
    let cpu = percent(usage.cpu_requested_milli, usage.cpu_allocatable_milli);
    let memory = percent(usage.memory_requested_bytes, usage.memory_allocatable_bytes);
    let pods_percent = percent(usage.pods_used as i64, usage.pods_allocatable);
    view! {
        <Bar label="cpu" percent=cpu detail=format!("{}m / {}m", usage.cpu_requested_milli, usage.cpu_allocatable_milli)/>
        <Bar label="mem" percent=memory detail=format!("{} / {}", gib(usage.memory_requested_bytes), gib(usage.memory_allocatable_bytes))/>
        <Bar label="pods" percent=pods_percent detail=format!("{} / {}", usage.pods_used, usage.pods_allocatable)/>
    }
}

/// The card above its bars and pods: name, state, roles, labels, taints and lifecycle notes.
fn card_top(face: CardFace) -> impl IntoView {
    let node = face.node;
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
    view! {
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
    }
}

/// The card below its pods: why pods are not here, and the node's actions.
fn card_bottom(
    node: &NodeView,
    run: impl Fn(String) + Copy + Send + Sync + 'static,
    prefill_context: Option<Prefill>,
) -> impl IntoView {
    let cordon_verb = if node.unschedulable { "uncordon" } else { "cordon" };
    let fail_verb = if node.ready { "fail node" } else { "recover node" };
    let fail_label = if node.ready { "Stop kubelet" } else { "Recover" };
    let cordon_command = format!("{cordon_verb} {}", node.name);
    let drain_command = format!("drain {} --ignore-daemonsets --force", node.name);
    let fail_command = format!("{fail_verb} {}", node.name);
    let delete_command = format!("delete node {}", node.name);
    let label_command = format!("label node {} ", node.name);
    let taint_command = format!("taint node {} key=value:NoSchedule", node.name);
    let prefill = move |command: String| prefill(prefill_context, command);
    view! {
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
            <button on:click=move |_| prefill(label_command.clone()) title="Write a label command on the kubectl line">"label…"</button>
            <button on:click=move |_| prefill(taint_command.clone()) title="Write a taint command on the kubectl line">"taint…"</button>
            <button class="danger" on:click=move |_| run(delete_command.clone())>"delete"</button>
        </footer>
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

/// Opens `kubectl describe` of a chip's pod on a click, or on Enter or Space while the chip has
/// the focus: one pair of listeners for the whole page rather than a pair per chip (a frame of
/// play at 60x can build dozens of chips).
pub fn describe_chips_on_click(describe: Describe) {
    fn chip_of(target: Option<web_sys::EventTarget>) -> Option<(String, String)> {
        let element = wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(target?).ok()?;
        let chip = element.closest("[data-testid=pod-chip]").ok()??;
        Some((chip.get_attribute("data-namespace")?, chip.get_attribute("data-name")?))
    }
    let Describe(signal) = describe;
    let _ = window_event_listener(leptos::ev::click, move |event| {
        if let Some(pod) = chip_of(event.target()) {
            signal.set(Some(pod));
        }
    });
    let _ = window_event_listener(leptos::ev::keydown, move |event| {
        if event.key() != "Enter" && event.key() != " " {
            return;
        }
        let on_chip = event
            .target()
            .and_then(|target| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(target).ok())
            .is_some_and(|element| element.get_attribute("data-testid").as_deref() == Some("pod-chip"));
        if let (true, Some(pod)) = (on_chip, chip_of(event.target())) {
            event.prevent_default();
            signal.set(Some(pod));
        }
    });
}

#[component]
pub fn PendingLane(shown: Signal<Vec<Arc<PodView>>>) -> impl IntoView {
    view! {
        <Show when=move || !shown.with(Vec::is_empty)>
            <section class="pending-lane" aria-label="Pending pods">
                <h2>"Pending"</h2>
                <ChipList pods=shown/>
            </section>
        </Show>
    }
}

/// The `add node` command for the form's fields: labels and taints separated by spaces or
/// commas, capacity left out where empty (the default 4 CPUs, 8Gi, 110 pods).
fn add_node_command(name: &str, labels: &str, taints: &str, cpu: &str, memory: &str, pods: &str) -> String {
    let words = |text: &str| {
        text.split([' ', ','])
            .filter(|word| !word.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let mut command = format!("add node {}", name.trim());
    for label in words(labels) {
        command.push(' ');
        command.push_str(&label);
    }
    for taint in words(taints) {
        command.push_str(&format!(" --taint={taint}"));
    }
    for (flag, value) in [("cpu", cpu), ("memory", memory), ("pods", pods)] {
        if !value.trim().is_empty() {
            command.push_str(&format!(" --{flag}={}", value.trim()));
        }
    }
    command
}

/// "Add a node": name, labels, taints and capacity, run as the `add node` command (so it is
/// checked, logged and shared like a typed one).
#[component]
pub fn AddNodeForm(run: impl Fn(String) + Copy + Send + Sync + 'static) -> impl IntoView {
    let fields: [RwSignal<String>; 6] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let [name, labels, taints, cpu, memory, pods] = fields;
    let input =
        move |signal: RwSignal<String>, testid: &'static str, label: &'static str, placeholder: &'static str| {
            view! {
                <label>
                    {label}
                    <input
                        data-testid=testid
                        placeholder=placeholder
                        prop:value=move || signal.get()
                        on:input=move |event| signal.set(event_target_value(&event))
                    />
                </label>
            }
        };
    view! {
        <details class="add-node" data-testid="add-node">
            <summary>"+ Add a node"</summary>
            <form on:submit=move |event| {
                event.prevent_default();
                run(add_node_command(&name.get_untracked(), &labels.get_untracked(), &taints.get_untracked(),
                    &cpu.get_untracked(), &memory.get_untracked(), &pods.get_untracked()));
            }>
                {input(name, "add-node-name", "name", "node-4")}
                {input(labels, "add-node-labels", "labels", "os=centos disk=ssd")}
                {input(taints, "add-node-taints", "taints", "gpu=true:NoSchedule")}
                {input(cpu, "add-node-cpu", "cpu", "4")}
                {input(memory, "add-node-memory", "memory", "8Gi")}
                {input(pods, "add-node-pods", "pods", "110")}
                <button type="submit" data-testid="add-node-submit">"Add"</button>
                <code class="add-node-preview">{move || format!("$ {}", add_node_command(&name.get(), &labels.get(), &taints.get(), &cpu.get(), &memory.get(), &pods.get()))}</code>
            </form>
        </details>
    }
}
