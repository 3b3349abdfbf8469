//! The playground page: the examples gallery and the editor, time controls, a kubectl command
//! line, the cluster as node cards, and `kubectl get` tables. State changes go through
//! [`kubarium::session::Session`]; the components only show it.

use kubarium::session::Session;
use kubarium::share::{EmbedOptions, Theme};
use kubarium::time::{Millis, SECOND_MS};
use kubarium::Snapshot;
use leptos::prelude::*;

use crate::cluster::{NodeCard, PendingLane};
use crate::examples::GALLERY;
use crate::share::{ShareLinks, SharePanel};

/// Plain manifests play on this many worker nodes (scenarios bring their own).
const DEFAULT_NODES: usize = 3;
/// How far a fresh apply plays before it is shown, so an example opens settled.
const SETTLE_MS: Millis = 10 * SECOND_MS;
/// The longest real time one frame of play may cover: after a stall (a hidden tab, a slow
/// frame) play resumes where it was instead of leaping ahead.
const MAX_FRAME_MS: f64 = 100.0;
/// While playing, the tables and the timeline (big, and rebuilt whole) are laid out once per
/// this much real time, each in a frame of its own.
const SLOW_BEAT_MS: f64 = 1_000.0;
/// The speeds offered: simulated seconds per real second.
const SPEEDS: &[u64] = &[1, 10, 60, 600, 3600];
/// The kinds the tables offer, as `kubectl get` names them.
const TABLE_KINDS: &[&str] = &[
    "pods",
    "daemonsets",
    "jobs",
    "cronjobs",
    "nodes",
    "events",
    "controllerrevisions",
    "deployments",
    "hpa",
    "replicasets",
    "replicationcontrollers",
    "services",
    "endpoints",
    "endpointslices",
    "resourcequotas",
    "limitranges",
];

/// A `kubectl get` table shows at most this many rows; the rest are counted (the filter
/// narrows them). Thousands of rows rebuilt on every tick would stall the page.
const MAX_TABLE_ROWS: usize = 300;

/// From this speed on, pod chips neither animate in nor flash while playing.
const FAST_SPEED: u64 = 60;

/// While playing, a frame looks at no more than about this many pods of the nodes whose pods
/// changed; the other changed cards follow in the next frames (`Simulation::snapshot_within`).
/// A Job's wave of pods finishing and starting on most nodes within one frame would otherwise
/// miss the frame. Paused, every card is current.
const PODS_PER_FRAME: usize = 1_500;

/// Where the editor's text and the last text that applied are kept across reloads.
const EDITOR_KEY: &str = "kubarium.editor";
const APPLIED_KEY: &str = "kubarium.applied";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn load_saved(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn save(key: &str, text: &str) {
    if let Some(storage) = storage() {
        // A full or disabled storage only means the text is not kept; the page goes on.
        let _ = storage.set_item(key, text);
    }
}

/// Everything the page shows of the session, refreshed after every change.
#[derive(Clone, Default, PartialEq)]
struct View {
    snapshot: Option<Snapshot>,
    description: String,
    upcoming: Vec<(Millis, String)>,
    performed: Vec<(Millis, String, Option<String>)>,
    /// The furthest time played so far (the end of the rewind scrubber).
    recorded_until_ms: Millis,
    autoscalers: Vec<kubarium::view::AutoscalerView>,
}

/// Calls `frame` with the time (`performance.now()`, in ms) on every animation frame, as long
/// as `go_on` says so before it.
fn on_frames_while(go_on: impl Fn() -> bool + Copy + 'static, frame: impl Fn(f64) + Copy + 'static) {
    request_animation_frame(move || {
        if !go_on() {
            return;
        }
        let now_ms = web_sys::window()
            .and_then(|window| window.performance())
            .map_or(0.0, |performance| performance.now());
        frame(now_ms);
        on_frames_while(go_on, frame);
    });
}

fn view_of(session: &Session, pod_views: &mut kubarium::PodViewCache, pods_budget: usize) -> View {
    View {
        snapshot: Some(session.simulation.snapshot_within(pod_views, pods_budget)),
        description: session.description.clone(),
        upcoming: session
            .upcoming()
            .map(|(at, command)| (at, command.to_string()))
            .collect(),
        performed: session.performed.clone(),
        recorded_until_ms: session.recorded_until(),
        autoscalers: kubarium::view::autoscalers(&session.simulation),
    }
}

/// Marks the page for the theme and the embed layout (CSS reads `data-theme`, `data-embed`).
fn mark_document(options: &EmbedOptions) {
    let Some(root) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
    else {
        return;
    };
    if options.theme != Theme::Auto {
        let _ = root.set_attribute("data-theme", options.theme.as_str());
    }
    if options.embed {
        let _ = root.set_attribute("data-embed", "");
    }
}

#[component]
pub fn App() -> impl IntoView {
    let address = crate::share::address();
    let options = EmbedOptions::from_query(&address.query);
    mark_document(&options);
    let embedded = options.embed;
    let panels = options.panels;
    // An embed never reads or writes the playground's saved work.
    let persist = !embedded;
    let save = move |key: &str, text: &str| {
        if persist {
            save(key, text);
        }
    };
    let load_saved = move |key: &str| if persist { load_saved(key) } else { None };
    // A share link wins over saved work (it is opened below); a damaged one shows why, over
    // an empty playground.
    let opened_link = !address.fragment.is_empty();
    // Work is never lost: a reload brings back the editor as it was.
    let initial_text = if opened_link {
        String::new()
    } else {
        load_saved(EDITOR_KEY).unwrap_or_else(|| GALLERY[0].scenario.to_string())
    };
    let initial_example = GALLERY
        .iter()
        .find(|example| example.scenario == initial_text)
        .map_or(String::new(), |example| example.id.to_string());
    let (manifest_text, set_manifest_text) = signal(initial_text);
    let (example, set_example) = signal(initial_example);
    let (error, set_error) = signal(None::<String>);
    let (notices, set_notices) = signal(Vec::<String>::new());
    let (command_result, set_command_result) = signal(None::<Result<String, String>>);
    let (query_output, set_query_output) = signal(None::<(String, Result<String, String>)>);
    let (shown, set_shown) = signal(View::default());
    let (playing, set_playing) = signal(options.autoplay);
    let (speed, set_speed) = signal(options.speed.unwrap_or(60));
    let (share_links, set_share_links) = signal(None::<Result<ShareLinks, String>>);
    let option_problems = options.problems.clone();
    let (table_kind, set_table_kind) = signal("pods".to_string());
    // Rows of the table kept only if a cell contains this text (`kubectl get ... | grep`).
    let (table_filter, set_table_filter) = signal(String::new());
    let (wide, set_wide) = signal(false);
    let session = StoredValue::new(None::<Session>);
    provide_context(crate::services::Highlight(RwSignal::new(Vec::new())));
    let described = RwSignal::new(None::<(String, String)>);
    provide_context(crate::cluster::Describe(described));
    crate::cluster::describe_chips_on_click(crate::cluster::Describe(described));
    // A chip's `describe` opens at the top of the cluster view: bring it into sight if it
    // opened out of it (a chip low on the page, or on a phone).
    Effect::new(move |previous: Option<Option<(String, String)>>| {
        let now = described.get();
        if now.is_some() && previous.as_ref() != Some(&now) {
            request_animation_frame(reveal_describe_panel);
        }
        now
    });
    let describe_text = move || {
        let (namespace, name) = described.get()?;
        shown.track();
        let mut text = None;
        session.with_value(|current| {
            if let Some(current) = current {
                text =
                    Some(kubarium::describe::pod(&current.simulation, &namespace, &name).unwrap_or_else(|error| error));
            }
        });
        text.map(|text| (name, text))
    };

    // The pod views of the last snapshot: a pod that did not change keeps its view (and its
    // chip compares equal at once).
    let pod_views = StoredValue::new(kubarium::PodViewCache::default());
    let node_views = crate::cluster::NodeViews::new();
    // The pods a snapshot may look at: `PODS_PER_FRAME` within a frame of play, else all.
    let pods_budget = StoredValue::new(usize::MAX);
    // Whether the last snapshot left some cards behind the store (see `PODS_PER_FRAME`).
    let cards_behind = StoredValue::new(false);
    let refresh = move || {
        session.with_value(|current| {
            if let Some(current) = current {
                let budget = pods_budget.get_value();
                let view = pod_views
                    .try_update_value(|pod_views| {
                        let view = view_of(current, pod_views, budget);
                        cards_behind.set_value(pod_views.stale_nodes() > 0);
                        view
                    })
                    .unwrap_or_else(|| view_of(current, &mut Default::default(), usize::MAX));
                if let Some(snapshot) = &view.snapshot {
                    node_views.follow(&snapshot.nodes);
                }
                set_shown.set(view);
            }
        });
    };
    // The last apply's problems at their lines, with the text's line count then: the editor
    // shows them while the text keeps that many lines (after a line is added or removed they
    // would point at the wrong lines; the message under the editor stays).
    let error_marks = RwSignal::new((0_usize, Vec::<crate::editor::Mark>::new()));
    let failed_applies = RwSignal::new(0_u64);
    let shown_marks = Memo::new(move |_| {
        error_marks.with(|(line_count, marks)| {
            if manifest_text.with(|text| crate::editor::line_count(text)) == *line_count {
                marks.clone()
            } else {
                Vec::new()
            }
        })
    });
    let load_marked = |text: &str| {
        Session::load_checked(text, DEFAULT_NODES)
            .map_err(|error| {
                let marks = error.marks().into_iter().map(|(pos, text)| (pos.line, text)).collect();
                (error.to_string(), marks)
            })
            .and_then(|mut loaded| {
                loaded.advance_to(SETTLE_MS).map_err(|message| (message, Vec::new()))?;
                Ok(loaded)
            })
    };
    let load = move |text: &str| load_marked(text).map_err(|(message, _)| message);
    let apply_now = move || match load_marked(&manifest_text.get_untracked()) {
        Ok(loaded) => {
            crate::share::forget_link_in_address_bar();
            save(APPLIED_KEY, &manifest_text.get_untracked());
            set_notices.set(loaded.notices.clone());
            session.set_value(Some(loaded));
            set_error.set(None);
            error_marks.set((0, Vec::new()));
            set_command_result.set(None);
            refresh();
        }
        // A bad manifest never wipes the last good cluster: only the message changes.
        Err((message, marks)) => {
            set_error.set(Some(message));
            error_marks.set((
                manifest_text.with_untracked(|text| crate::editor::line_count(text)),
                marks,
            ));
            failed_applies.update(|count| *count += 1);
        }
    };
    // A text that names a time zone waits for the time zone database (fetched once); `after`
    // runs once the text is applied (or failed to).
    let apply_then = move |after: Box<dyn FnOnce()>| {
        crate::tzdata::then(crate::tzdata::needed(&manifest_text.get_untracked()), move |ready| {
            match ready {
                Ok(()) => apply_now(),
                Err(message) => set_error.set(Some(message)),
            }
            after();
        });
    };
    let apply = move || apply_then(Box::new(|| ()));
    // Changes the session and shows the result (nothing happens before the first apply).
    let change = move |change: &dyn Fn(&mut Session) -> Result<(), String>| {
        let mut outcome = Ok(());
        session.update_value(|current| {
            if let Some(current) = current {
                outcome = change(current);
            }
        });
        refresh();
        outcome
    };
    // Moves time; a failure (the step limit) stops play and shows why.
    let play = move |move_time: &dyn Fn(&mut Session) -> Result<(), String>| {
        if let Err(message) = change(move_time) {
            set_error.set(Some(message));
            set_playing.set(false);
        }
    };
    let advance = move |by_ms: Millis| {
        play(&|current| {
            let target = current.simulation.now() + by_ms;
            current.advance_to(target)
        });
    };
    let step = move || play(&|current| current.step_to_next());
    // Plays the run again under each concurrencyPolicy of a CronJob, up to now.
    type Compared = (String, Result<Vec<(&'static str, kubarium::view::Timeline)>, String>);
    let compared = RwSignal::new(None::<Compared>);
    let compare = move |(namespace, cron_job): (String, String)| {
        set_playing.set(false);
        session.with_value(|current| {
            if let Some(current) = current {
                let outcome = current.compare_concurrency_policies(&namespace, &cron_job);
                compared.set(Some((cron_job, outcome)));
            }
        });
    };
    // Shows an earlier (or later, up to the furthest played) moment of the run.
    let rewind = move |to_ms: Millis| {
        set_playing.set(false);
        play(&|current| current.rewind_to(to_ms));
    };
    // "Go to" a time: back within the run so far, or forward, playing on.
    let jump = move |to_ms: Millis| {
        set_playing.set(false);
        play(&|current| {
            if to_ms <= current.recorded_until() {
                current.rewind_to(to_ms)
            } else {
                current.advance_to(to_ms)
            }
        });
    };
    let run_command = move |line: String| {
        let line = line.trim().to_string();
        if line.is_empty() {
            return;
        }
        // Read-only commands (`get pods -o wide`, `rollout status deployment/web`) answer with
        // kubectl's output and change nothing.
        let mut answer = None;
        session.with_value(|current| answer = current.as_ref().and_then(|current| current.query(&line)));
        if let Some(answer) = answer {
            set_command_result.set(None);
            set_query_output.set(Some((line, answer)));
            return;
        }
        set_query_output.set(None);
        crate::tzdata::then(crate::tzdata::needed(&line), move |ready| {
            let outcome = ready.and_then(|()| change(&|current| current.run_command(&line)));
            set_command_result.set(Some(outcome.map(|()| line)));
        });
    };
    let load_example = move |id: String| {
        if let Some(found) = GALLERY.iter().find(|example| example.id == id) {
            set_manifest_text.set(found.scenario.to_string());
            save(EDITOR_KEY, found.scenario);
            set_example.set(id);
            set_playing.set(false);
            apply();
        }
    };
    // Opens a share link (at start, or when the address bar's fragment changes).
    let open_link_now = move |fragment: &str| match Session::restore(fragment) {
        Ok(restored) => {
            set_manifest_text.set(restored.text.clone());
            set_example.set(String::new());
            set_notices.set(restored.notices.clone());
            session.set_value(Some(restored));
            set_error.set(None);
            error_marks.set((0, Vec::new()));
            refresh();
        }
        Err(message) => set_error.set(Some(format!("This share link could not be opened: {message}"))),
    };
    let open_link_then = move |fragment: &str, after: Box<dyn FnOnce()>| {
        let needed =
            kubarium::share::decode_fragment(fragment).is_ok_and(|state| crate::tzdata::needed(&state.scenario));
        let fragment = fragment.to_string();
        crate::tzdata::then(needed, move |ready| {
            match ready {
                Ok(()) => open_link_now(&fragment),
                Err(message) => set_error.set(Some(format!("This share link could not be opened: {message}"))),
            }
            after();
        });
    };
    let open_link = move |fragment: &str| open_link_then(fragment, Box::new(|| ()));
    // An embed's start time applies once the first scenario is loaded.
    let start_ms = options.start_ms;
    let start: Box<dyn FnOnce()> = Box::new(move || {
        if let Some(start) = start_ms {
            play(&|current| current.advance_to(start.max(current.simulation.now())));
        }
    });
    if opened_link {
        open_link_then(&address.fragment, start);
    } else {
        apply_then(start);
    }
    let _ = window_event_listener(leptos::ev::hashchange, move |_| {
        let fragment = crate::share::address().fragment;
        if fragment.starts_with("s=") {
            open_link(&fragment);
        }
    });
    // Keyboard: Space plays or pauses, → goes to the next event, unless typing or on a control
    // (a pod chip is one: Space there opens its pod).
    let _ = window_event_listener(leptos::ev::keydown, move |event| {
        let on_control = event
            .target()
            .and_then(|target| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(target).ok())
            .is_some_and(|element| {
                matches!(
                    element.tag_name().as_str(),
                    "INPUT" | "TEXTAREA" | "SELECT" | "BUTTON" | "A" | "SUMMARY"
                ) || element.get_attribute("role").as_deref() == Some("button")
            });
        if on_control || event.ctrl_key() || event.meta_key() || event.alt_key() {
            return;
        }
        match event.key().as_str() {
            " " => {
                event.prevent_default();
                set_playing.update(|playing| *playing = !*playing);
            }
            "ArrowRight" => {
                event.prevent_default();
                step();
            }
            _ => {}
        }
    });
    if embedded {
        // The embedding page sizes its frame to the content, whenever the content's height
        // changes (cards appear, panels open, off-screen cards get laid out).
        crate::share::post_size_on_resize();
    }
    let open_share = move || {
        let base = crate::share::address().base;
        let mut links = Err("Apply something first: there is nothing to share yet.".to_string());
        session.with_value(|current| {
            if let Some(current) = current {
                links = current
                    .shared_state()
                    .map(|state| crate::share::share_links(&base, &state));
            }
        });
        set_share_links.set(Some(links));
    };
    let open_file = move |event: leptos::ev::Event| {
        let Some(input) = event
            .target()
            .and_then(|target| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(target).ok())
        else {
            return;
        };
        leptos::task::spawn_local(async move {
            match crate::share::read_chosen_file(input).await {
                Ok(text) => {
                    save(EDITOR_KEY, &text);
                    set_example.set(String::new());
                    set_manifest_text.set(text);
                    apply();
                }
                Err(message) => set_error.set(Some(message)),
            }
        });
    };
    // If the restored editor text does not apply, the cluster comes from the last text that did.
    if !opened_link && session.with_value(Option::is_none) {
        if let Some(Ok(loaded)) = load_saved(APPLIED_KEY).map(|text| load(&text)) {
            session.set_value(Some(loaded));
            refresh();
        }
    }

    // One frame loop drives play, from play to pause (a paused page asks for no frames). Each
    // animation frame moves the simulation on by the real time since the last frame times the
    // speed, so each frame holds a frame's worth of changes (a 100 ms tick held six frames' worth in one frame, which
    // then missed its deadline; docs/PERFORMANCE.md, "Frame times").
    // The tables and the timeline follow slower beats, half a beat apart, so that the two
    // biggest re-renders never share a frame; paused, they follow every change.
    let (slow_beat, set_slow_beat) = signal(0_u64);
    let (tables_beat, set_tables_beat) = signal(0_u64);
    let last_frame_ms = StoredValue::new(None::<f64>);
    let simulated_carry_ms = StoredValue::new(0.0_f64);
    let since_beat_ms = StoredValue::new(0.0_f64);
    let frame = move |now_ms: f64| {
        let previous_ms = last_frame_ms.get_value();
        last_frame_ms.set_value(Some(now_ms));
        let Some(previous_ms) = previous_ms else {
            return;
        };
        let real_ms = (now_ms - previous_ms).clamp(0.0, MAX_FRAME_MS);
        let speed = speed.get_untracked();
        // Time moves in whole grains, so the clock reads `t = 5m3s` (at 60x and faster, where a
        // frame covers a second or more) or `t = 5.1s`, not a new millisecond on every frame.
        let grain_ms = if speed >= 60 { SECOND_MS } else { SECOND_MS / 10 } as f64;
        let simulated_ms = real_ms * speed as f64 + simulated_carry_ms.get_value();
        let whole_ms = (simulated_ms / grain_ms).floor() * grain_ms;
        simulated_carry_ms.set_value(simulated_ms - whole_ms);
        pods_budget.set_value(PODS_PER_FRAME);
        if whole_ms >= 1.0 {
            advance(whole_ms as Millis);
        } else if cards_behind.get_value() {
            refresh();
        }
        pods_budget.set_value(usize::MAX);
        let before = since_beat_ms.get_value();
        let after = before + real_ms;
        if after >= SLOW_BEAT_MS {
            since_beat_ms.set_value(after - SLOW_BEAT_MS);
            set_slow_beat.update(|beat| *beat += 1);
        } else {
            since_beat_ms.set_value(after);
            if before < SLOW_BEAT_MS / 2.0 && after >= SLOW_BEAT_MS / 2.0 {
                set_tables_beat.update(|beat| *beat += 1);
            }
        }
    };
    // Each play starts a loop of its own; a loop ends at pause, or when a later play started
    // another (pause and play within one frame).
    let frame_loop = StoredValue::new(0_u64);
    Effect::new(move |_| {
        if !playing.get() {
            // Paused, every card shows its node as it is.
            if cards_behind.get_value() {
                refresh();
            }
        } else {
            let number = frame_loop.get_value() + 1;
            frame_loop.set_value(number);
            last_frame_ms.set_value(None);
            on_frames_while(
                move || frame_loop.get_value() == number && playing.get_untracked(),
                frame,
            );
        }
    });
    let follow = move || {
        if playing.get() {
            slow_beat.track();
        } else {
            shown.track();
        }
    };
    let follow_tables = move || {
        if playing.get() {
            tables_beat.track();
        } else {
            shown.track();
        }
    };
    // The Job timelines, when any Job pod was ever seen: laid out on the slow beat only.
    let slow_timeline = Memo::new(move |_| {
        follow();
        let mut timeline = None;
        session.with_value(|current| {
            timeline = current
                .as_ref()
                .filter(|current| current.simulation.history().spans().next().is_some())
                .map(|current| kubarium::view::timeline(&current.simulation));
        });
        timeline
    });

    let clock = move || {
        shown.with(|shown| {
            shown
                .snapshot
                .as_ref()
                .map(|snapshot| format!("t = {}", kubarium::time::format_duration(snapshot.time_ms)))
                .unwrap_or_default()
        })
    };
    let watch = move || {
        let id = example.get();
        GALLERY
            .iter()
            .find(|candidate| candidate.id == id)
            .map(|found| found.watch)
            .unwrap_or_default()
    };
    let table = move || {
        let kind = table_kind.get();
        follow_tables();
        let filter = table_filter.get();
        let filter = filter.trim();
        let wide = wide.get();
        // The rows shown and how many the table has. Unfiltered, only the rows shown are
        // built (a pods table of thousands of rows, every beat, would stall the page).
        let mut rendered = Err(String::new());
        session.with_value(|current| {
            let Some(current) = current else { return };
            rendered = if filter.is_empty() {
                kubarium::tables::get_first(&current.simulation, &kind, wide, MAX_TABLE_ROWS)
            } else {
                kubarium::tables::get_as(&current.simulation, &kind, wide).map(|mut table| {
                    table.rows.retain(|row| row.iter().any(|cell| cell.contains(filter)));
                    let total = table.rows.len();
                    (table, total)
                })
            };
        });
        rendered
    };
    let (command_text, set_command_text) = signal(String::new());
    // The cards are keyed by node name; each card follows its own node (see NodeViews).
    let node_names = node_views.names();
    provide_context(crate::cluster::Prefill(set_command_text));

    let full_playground = move |event: leptos::ev::MouseEvent| {
        // The link is made when followed, so it holds the state of that moment.
        let mut href = crate::share::address().base;
        session.with_value(|current| {
            if let Some(state) = current.as_ref().and_then(|current| current.shared_state().ok()) {
                href = format!("{href}#{}", kubarium::share::encode_fragment(&state));
            }
        });
        if let Some(anchor) = event
            .current_target()
            .and_then(|target| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(target).ok())
        {
            let _ = anchor.set_attribute("href", &href);
        }
    };

    view! {
        {(!embedded).then(|| view! {
            <header class="top">
                <h1>"kubarium"</h1>
                <p class="tagline">"A Kubernetes control plane, simulated in your browser."</p>
            </header>
        })}
        {embedded.then(|| view! {
            <header class="embed-bar">
                <strong>"kubarium"</strong>
                <a href="./" target="_blank" rel="noopener" data-testid="open-full" on:click=full_playground>"Open in the full playground ↗"</a>
            </header>
        })}
        {(!option_problems.is_empty()).then(|| view! {
            <ul class="notices" data-testid="option-problems">
                {option_problems.iter().map(|problem| view! { <li>{problem.clone()}</li> }).collect_view()}
            </ul>
        })}
        <p class="notice" role="note">
            "Simulated: Pods, Nodes, Namespaces, DaemonSets, Jobs, CronJobs, Deployments, ReplicaSets, ReplicationControllers, Services (with Endpoints and EndpointSlices), HorizontalPodAutoscalers (CPU, with a simulated load: load deployment/NAME --cpu=300m), ResourceQuotas and LimitRanges. "
            "Every manifest is checked field by field as kubectl apply checks it. What differs from a real cluster is listed in docs/differences.md."
        </p>
        <main class=if panels.editor { "layout" } else { "layout no-editor" }>
            <Show when=move || panels.editor>
            <section class="editor" aria-label="Manifest editor">
                <label for="example">"Example"</label>
                <select
                    id="example"
                    data-testid="example-picker"
                    on:change=move |event| load_example(event_target_value(&event))
                    prop:value=move || example.get()
                >
                    <option value="" disabled=true>"(your own text)"</option>
                    {GALLERY
                        .iter()
                        .map(|example| view! { <option value=example.id>{example.title}</option> })
                        .collect_view()}
                </select>
                <Show when=move || !watch().is_empty()>
                    <p class="watch" data-testid="watch">{watch}</p>
                </Show>
                <label for="manifest">"Scenario or manifests (YAML)"</label>
                <crate::editor::ManifestEditor
                    text=manifest_text.into()
                    marks=shown_marks.into()
                    reveal=failed_applies.into()
                    on_input=move |text: String| {
                        save(EDITOR_KEY, &text);
                        // The page no longer shows what a share link held: a reload keeps the edit.
                        crate::share::forget_link_in_address_bar();
                        // Once edited, the text is the user's own, not the example's.
                        let id = example.get_untracked();
                        if GALLERY.iter().any(|found| found.id == id && found.scenario != text) {
                            set_example.set(String::new());
                        }
                        set_manifest_text.set(text);
                    }
                    on_apply=move |()| apply()
                />
                <div class="editor-actions">
                    <button data-testid="apply" on:click=move |_| apply() title="Ctrl+Enter">"Apply"</button>
                    <label class="button open-file">
                        "Open file…"
                        <input type="file" data-testid="open-file" accept=".yaml,.yml,.json,text/yaml,application/json" on:change=open_file />
                    </label>
                    <span class="hint" id="editor-keys">"Ctrl+Enter applies; Tab indents (Esc, then Tab, leaves the editor). A scenario file brings its nodes and actions."</span>
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
            </Show>
            // Playing at 60x and faster, dozens of chips change every frame: their flashes
            // (a box-shadow, painted on every frame) would cost more than the frame has, and
            // at that pace they tell nothing (docs/PERFORMANCE.md, "Frame times").
            <section
                class="cluster"
                aria-label="Cluster"
                data-fast=move || (playing.get() && speed.get() >= FAST_SPEED).then_some("")
            >
                <div class="clock" role="toolbar" aria-label="Time">
                    <span data-testid="clock" aria-live="off">{clock}</span>
                    <button
                        data-testid="play"
                        title="Play or pause (Space)"
                        aria-pressed=move || playing.get().to_string()
                        on:click=move |_| set_playing.update(|playing| *playing = !*playing)
                    >
                        {move || if playing.get() { "❚❚ Pause" } else { "▶ Play" }}
                    </button>
                    <label class="speed" title="Playing fast, a burst of pod changes can leave some cards a few frames behind the clock; pause to see every card as it is">
                        "speed "
                        <select
                            data-testid="speed"
                            on:change=move |event| {
                                if let Ok(value) = event_target_value(&event).parse() {
                                    set_speed.set(value);
                                }
                            }
                            prop:value=move || speed.get().to_string()
                        >
                            {SPEEDS
                                .iter()
                                .map(|speed| view! { <option value=speed.to_string()>{format!("{speed}×")}</option> })
                                .collect_view()}
                        </select>
                    </label>
                    <button data-testid="step" on:click=move |_| step() title="Go to the next thing that happens (→)">"Next event ›"</button>
                    <button data-testid="advance-1s" on:click=move |_| advance(SECOND_MS)>"+1s"</button>
                    <button data-testid="advance-1m" on:click=move |_| advance(60 * SECOND_MS)>"+1m"</button>
                    <button data-testid="share" class="share-button" on:click=move |_| open_share()>"Share…"</button>
                </div>
                <Scrubber shown=shown rewind=rewind jump=jump/>
                {move || share_links.get().map(|links| view! { <SharePanel links=links on_close=move || set_share_links.set(None)/> })}
                // Without the editor, errors (a damaged link) still show.
                <Show when=move || !panels.editor && error.get().is_some()>
                    <p class="error" role="alert" data-testid="error">{move || error.get().unwrap_or_default()}</p>
                </Show>
                <p class="description">{move || shown.with(|shown| shown.description.clone())}</p>
                <Show when=move || panels.command>
                <form
                    class="command"
                    on:submit=move |event| {
                        event.prevent_default();
                        run_command(command_text.get_untracked());
                        set_command_text.set(String::new());
                    }
                >
                    <label for="command">"kubectl"</label>
                    <input
                        id="command"
                        data-testid="command"
                        placeholder="cordon node-2 · add node node-4 os=centos · set image ds/myweb-ds myweb=nginx"
                        prop:value=move || command_text.get()
                        on:input=move |event| set_command_text.set(event_target_value(&event))
                    />
                    <button type="submit">"Run"</button>
                </form>
                {move || query_output.get().map(|(line, answer)| {
                    let (class, text) = match answer {
                        Ok(output) => ("query-output", format!("$ kubectl {}\n{output}", without_kubectl(&line))),
                        Err(message) => ("query-output command-error", format!("$ kubectl {}\n{message}", without_kubectl(&line))),
                    };
                    view! {
                        <div class="query">
                            <pre class=class data-testid="query-output">{text}</pre>
                            <button on:click=move |_| set_query_output.set(None) aria-label="Close">"×"</button>
                        </div>
                    }
                })}
                {move || command_result.get().map(|result| match result {
                    Ok(line) => view! { <p class="command-ok" data-testid="command-result">{format!("✓ {line}")}</p> }.into_any(),
                    Err(message) => view! { <p class="command-error" role="alert" data-testid="command-result">{message}</p> }.into_any(),
                })}
                </Show>
                <Show when=move || panels.log>
                    <ActionLog shown=shown/>
                </Show>
                {move || describe_text().map(|(name, text)| view! {
                    <aside class="describe-panel" data-testid="describe" role="dialog" aria-label=format!("kubectl describe pod {name}")>
                        <header>
                            <code>{format!("$ kubectl describe pod {name}")}</code>
                            <button on:click=move |_| described.set(None) aria-label="Close">"×"</button>
                        </header>
                        <pre>{text}</pre>
                    </aside>
                })}
                <crate::services::ServiceStrip shown=Signal::derive(move || shown.with(|shown| shown.snapshot.as_ref().map(|s| s.services.clone()).unwrap_or_default()))/>
                <crate::autoscaling::AutoscalerStrip
                    autoscalers=Signal::derive(move || shown.with(|shown| shown.autoscalers.clone()))
                    run=run_command
                />
                <crate::cluster::AddNodeForm run=run_command/>
                <div class="nodes">
                    <For
                        each=move || node_names.get()
                        key=|name| name.clone()
                        children=move |name| view! { <NodeCard node=node_views.of(&name) run=run_command/> }
                    />
                </div>
                {move || compared.get().map(|(cron_job, outcome)| match outcome {
                    Ok(results) => view! {
                        <crate::timeline::CompareView cron_job=cron_job results=results on_close=move || compared.set(None)/>
                    }.into_any(),
                    Err(message) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
                })}
                <crate::timeline::TimelinePanel
                    timeline=Signal::derive(move || slow_timeline.get())
                    on_compare=compare
                />
                <PendingLane shown=Signal::derive(move || shown.with(|shown| shown.snapshot.as_ref().map(|s| s.unscheduled.clone()).unwrap_or_default()))/>
                <Show when=move || panels.tables>
                <section class="tables" aria-label="kubectl get">
                    <div class="tabs" role="tablist">
                        {TABLE_KINDS
                            .iter()
                            .map(|kind| {
                                let kind = kind.to_string();
                                let selected = kind.clone();
                                view! {
                                    <button
                                        role="tab"
                                        aria-selected=move || (table_kind.get() == selected).to_string()
                                        on:click=move |_| set_table_kind.set(kind.clone())
                                    >
                                        {kind.clone()}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                    <div class="table-command">
                        <span>{move || {
                            let filter = table_filter.get();
                            match filter.trim() {
                                "" => format!("$ kubectl get {}{}", table_kind.get(), if wide.get() { " -o wide" } else { "" }),
                                filter => format!("$ kubectl get {}{} | grep {filter}", table_kind.get(), if wide.get() { " -o wide" } else { "" }),
                            }
                        }}</span>
                        <label class="wide-toggle">
                            <input type="checkbox" data-testid="wide" prop:checked=move || wide.get() on:change=move |event| set_wide.set(event_target_checked(&event))/>
                            " -o wide"
                        </label>
                        <input
                            data-testid="table-filter"
                            type="search"
                            placeholder="filter rows: pod/web, FailedScheduling, node-2…"
                            aria-label="Keep the rows that contain this text"
                            prop:value=move || table_filter.get()
                            on:input=move |event| set_table_filter.set(event_target_value(&event))
                        />
                    </div>
                    {move || match table() {
                        Ok((table, _)) if table.rows.is_empty() && !table_filter.get().trim().is_empty() => view! { <p class="empty">"No rows contain that text."</p> }.into_any(),
                        Ok((table, _)) if table.rows.is_empty() => view! { <p class="empty">"No resources found in default namespace."</p> }.into_any(),
                        Ok((table, total)) => {
                            let hidden = total.saturating_sub(MAX_TABLE_ROWS);
                            view! {
                                <div class="table-scroll">
                                    <table data-testid="kubectl-table">
                                        <thead><tr>{table.headers.iter().map(|header| view! { <th>{*header}</th> }).collect_view()}</tr></thead>
                                        // One parse by the browser rather than an element per cell.
                                        <tbody inner_html=kubarium::html::table_rows(&table, MAX_TABLE_ROWS)></tbody>
                                    </table>
                                    {(hidden > 0).then(|| view! {
                                        <p class="empty" data-testid="hidden-rows">{format!("… and {hidden} more rows; type in the filter to find one.")}</p>
                                    })}
                                </div>
                            }
                        }.into_any(),
                        Err(message) => view! { <p class="empty">{message}</p> }.into_any(),
                    }}
                </section>
                </Show>
            </section>
        </main>
    }
}

/// The rewind scrubber: the whole run so far, from 0 to the furthest time played. Dragging it
/// shows the cluster as it was then (replayed exactly: the simulation is deterministic).
#[component]
fn Scrubber(
    shown: ReadSignal<View>,
    rewind: impl Fn(Millis) + Copy + Send + Sync + 'static,
    jump: impl Fn(Millis) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let (jump_text, set_jump_text) = signal(String::new());
    let (jump_error, set_jump_error) = signal(None::<String>);
    let now = move || shown.with(|shown| shown.snapshot.as_ref().map_or(0, |snapshot| snapshot.time_ms));
    let end = move || shown.with(|shown| shown.recorded_until_ms);
    let rewound = move || now() < end();
    let format = kubarium::time::format_duration;
    view! {
        <div class="scrubber" class:rewound=rewound>
            <input
                type="range"
                data-testid="scrubber"
                aria-label="Time in the run so far"
                min="0"
                step="100"
                prop:max=move || end().to_string()
                prop:value=move || now().to_string()
                aria-valuetext=move || format!("{} of {}", format(now()), format(end()))
                on:input=move |event| {
                    if let Ok(to_ms) = event_target_value(&event).parse::<Millis>() {
                        rewind(to_ms);
                    }
                }
            />
            <span class="scrubber-times" data-testid="scrubber-times">{move || format!("{} / {}", format(now()), format(end()))}</span>
            <form
                class="jump"
                on:submit=move |event| {
                    event.prevent_default();
                    match kubarium::time::parse_duration(jump_text.get_untracked().trim()) {
                        Ok(to_ms) => {
                            set_jump_error.set(None);
                            jump(to_ms);
                        }
                        Err(problem) => set_jump_error.set(Some(problem)),
                    }
                }
            >
                <label>
                    "go to "
                    <input
                        data-testid="jump"
                        size="6"
                        placeholder="5m"
                        title="A simulated time like 90s, 5m or 1h30m: back in the run so far, or forward"
                        prop:value=move || jump_text.get()
                        on:input=move |event| set_jump_text.set(event_target_value(&event))
                    />
                </label>
            </form>
            {move || jump_error.get().map(|problem| view! { <span class="command-error" role="alert">{problem}</span> })}
            <Show when=rewound>
                <span class="rewound-note" data-testid="rewound" role="status">
                    "Rewound: this is the cluster as it was then. ▶ Play replays what came next; a command typed now starts a new future."
                </span>
            </Show>
        </div>
    }
}

/// The scenario's actions: done (with kubectl's refusal, if any) and still to come.
#[component]
fn ActionLog(shown: ReadSignal<View>) -> impl IntoView {
    let entries = move || {
        shown.with(|shown| {
            let done = shown.performed.iter().map(|(at, command, refused)| {
                let class = if refused.is_some() { "refused" } else { "done" };
                let text = match refused {
                    Some(why) => format!("{}  {command}: {why}", kubarium::time::format_duration(*at)),
                    None => format!("{}  {command}", kubarium::time::format_duration(*at)),
                };
                (class, text)
            });
            let upcoming = shown.upcoming.iter().map(|(at, command)| {
                (
                    "upcoming",
                    format!("{}  {command}", kubarium::time::format_duration(*at)),
                )
            });
            done.chain(upcoming).collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || !entries().is_empty()>
            <ol class="action-log" aria-label="Actions" data-testid="action-log">
                {move || entries().into_iter().map(|(class, text)| view! { <li class=class>{text}</li> }).collect_view()}
            </ol>
        </Show>
    }
}

/// Scrolls the describe panel into view when it is not in sight.
fn reveal_describe_panel() {
    let Some(panel) = document().query_selector("[data-testid=describe]").ok().flatten() else {
        return;
    };
    let top = panel.get_bounding_client_rect().top();
    let height = window()
        .inner_height()
        .ok()
        .and_then(|height| height.as_f64())
        .unwrap_or(0.0);
    if top < 0.0 || top > height * 0.8 {
        panel.scroll_into_view_with_bool(true);
    }
}

/// A typed command without its leading `kubectl`, which the echo adds back.
fn without_kubectl(line: &str) -> &str {
    let line = line.trim_start();
    line.strip_prefix("kubectl ").map_or(line, str::trim_start)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_echo_says_kubectl_once() {
        assert_eq!(super::without_kubectl("kubectl get pods -o wide"), "get pods -o wide");
        assert_eq!(super::without_kubectl("  kubectl   get pods"), "get pods");
        assert_eq!(super::without_kubectl("get pods"), "get pods");
        assert_eq!(super::without_kubectl("kubectlx get"), "kubectlx get");
    }
}
