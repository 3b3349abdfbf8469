//! The autoscalers panel: each HPA as a box with its target, its replicas between min and max,
//! `kubectl get hpa`'s TARGETS, and a slider for the simulated CPU load of its target (it runs
//! `load KIND/NAME --cpu=N%`, so the change is logged, shared and replayed like a typed one).

use kubarium::view::AutoscalerView;
use leptos::prelude::*;

/// The slider's range: a percentage of each pod's CPU request.
const MAX_LOAD_PERCENT: i64 = 300;

#[component]
pub fn AutoscalerStrip(
    autoscalers: Signal<Vec<AutoscalerView>>,
    run: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <Show when=move || autoscalers.with(|list| !list.is_empty())>
            <section class="autoscalers" aria-label="Horizontal pod autoscalers">
                <For
                    each=move || autoscalers.get()
                    key=|hpa| (hpa.namespace.clone(), hpa.name.clone())
                    children=move |hpa| {
                        let key = (hpa.namespace.clone(), hpa.name.clone());
                        let current = Memo::new(move |_| {
                            autoscalers.with(|list| list.iter().find(|hpa| (hpa.namespace.clone(), hpa.name.clone()) == key).cloned())
                        });
                        view! { <AutoscalerBox hpa=current run=run/> }
                    }
                />
            </section>
        </Show>
    }
}

#[component]
fn AutoscalerBox(
    hpa: Memo<Option<AutoscalerView>>,
    run: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let field =
        move |read: fn(&AutoscalerView) -> String| move || hpa.with(|hpa| hpa.as_ref().map(read).unwrap_or_default());
    let replicas = move || {
        hpa.with(|hpa| {
            hpa.as_ref().map(|hpa| {
                let wanted = if hpa.desired_replicas != hpa.current_replicas {
                    format!(" → {}", hpa.desired_replicas)
                } else {
                    String::new()
                };
                format!(
                    "replicas {}{wanted} (min {}, max {})",
                    hpa.current_replicas, hpa.min_replicas, hpa.max_replicas
                )
            })
        })
    };
    let fill = move || {
        hpa.with(|hpa| {
            hpa.as_ref().map_or(0, |hpa| {
                (i64::from(hpa.current_replicas) * 100 / i64::from(hpa.max_replicas.max(1))).clamp(0, 100)
            })
        })
    };
    let percent = move || hpa.with(|hpa| hpa.as_ref().and_then(|hpa| hpa.load_percent).unwrap_or(0));
    let load_text = move || {
        hpa.with(
            |hpa| match hpa.as_ref().map(|hpa| (hpa.load.clone(), hpa.load_percent)) {
                Some((Some(load), Some(_))) => format!("load {load}"),
                // A load of another kind (`--total-cpu`, millicores per pod): the slider, which
                // sets a percentage of each pod's request, starts from none.
                Some((Some(load), None)) => format!("load {load} (the slider sets --cpu=N% instead)"),
                _ => "no load (0m)".to_string(),
            },
        )
    };
    let set_load = move |value: String| {
        let Some(target) = hpa.with_untracked(|hpa| hpa.as_ref().map(|hpa| hpa.target.clone())) else {
            return;
        };
        if let Ok(percent) = value.parse::<i64>() {
            run(format!("load {target} --cpu={percent}%"));
        }
    };
    view! {
        <div class="autoscaler" data-testid="autoscaler" data-hpa=field(|hpa| hpa.name.clone())>
            <header>
                <strong>{field(|hpa| format!("hpa/{}", hpa.name))}</strong>
                <span class="autoscaler-target">{field(|hpa| format!("→ {}", hpa.target))}</span>
            </header>
            <p class="autoscaler-targets" data-testid="autoscaler-targets">{field(|hpa| hpa.targets.clone())}</p>
            <div class="bar" title="replicas against maxReplicas">
                <span class="bar-label">"pods"</span>
                <span class="bar-track" role="meter" aria-label="replicas" aria-valuenow=fill aria-valuemin="0" aria-valuemax="100">
                    <span class="bar-fill" style=move || format!("width: {}%", fill())></span>
                </span>
                <span class="bar-detail" data-testid="autoscaler-replicas">{replicas}</span>
            </div>
            <label class="load-slider">
                <span>{load_text}</span>
                <input
                    type="range"
                    data-testid="load-slider"
                    min="0"
                    max=MAX_LOAD_PERCENT.to_string()
                    step="10"
                    aria-label="Simulated CPU load, percent of each pod's request"
                    prop:value=move || percent().to_string()
                    on:change=move |event| set_load(event_target_value(&event))
                />
            </label>
        </div>
    }
}
