//! The Job and CronJob timelines: one row per Job (grouped under its CronJob), its pods as bars
//! over simulated time in lanes, so one can see `parallelism` pods at a time, retries after
//! failures, and a CronJob's runs overlap (Allow), wait (Forbid) or replace each other
//! (Replace). The layout is the core's (`kubarium::view::timeline`).

use kubarium::history::PodSpan;
use kubarium::time::{format_duration, Millis};
use kubarium::view::{bar_end, Timeline};
use leptos::prelude::*;

fn percent(at: Millis, timeline: &Timeline) -> f64 {
    let width = timeline.to_ms.saturating_sub(timeline.from_ms).max(1) as f64;
    (at.saturating_sub(timeline.from_ms) as f64 / width * 100.0).clamp(0.0, 100.0)
}

/// The bar's class: how the pod's life ended (or that it goes on).
fn bar_class(span: &PodSpan) -> &'static str {
    match (span.outcome.as_deref(), span.removed_ms) {
        (Some("Succeeded"), _) => "tl-bar succeeded",
        (Some(_), _) => "tl-bar failed",
        (None, Some(_)) => "tl-bar removed",
        (None, None) if span.running_ms.is_some() => "tl-bar running",
        (None, None) => "tl-bar pending",
    }
}

fn bar_title(span: &PodSpan, now: Millis) -> String {
    let end = match (span.outcome.as_deref(), span.removed_ms) {
        (Some(outcome), _) => format!("{outcome} at {}", format_duration(bar_end(span, now))),
        (None, Some(removed)) => format!("deleted at {} before finishing", format_duration(removed)),
        (None, None) => "still running".to_string(),
    };
    let index = span
        .index
        .as_ref()
        .map(|index| format!(" (index {index})"))
        .unwrap_or_default();
    format!(
        "{}{index}: created at {}, {end}",
        span.name,
        format_duration(span.created_ms)
    )
}

#[component]
pub fn TimelinePanel(timeline: Signal<Option<Timeline>>) -> impl IntoView {
    view! {
        {move || timeline.get().filter(|timeline| !timeline.jobs.is_empty()).map(|timeline| {
            let rows = timeline.jobs.iter().map(|job| {
                let label = format!("job/{}", job.job);
                let title = match &job.cron_job {
                    Some(cron_job) => format!("job/{} (made by cronjob/{cron_job})", job.job),
                    None => label.clone(),
                };
                let lanes = job.lanes.iter().map(|lane| {
                    let bars = lane.iter().map(|span| {
                        let left = percent(span.created_ms, &timeline);
                        let right = percent(bar_end(span, timeline.to_ms), &timeline);
                        let width = (right - left).max(0.4);
                        view! {
                            <span
                                class=bar_class(span)
                                data-testid="timeline-bar"
                                style=format!("left: {left:.3}%; width: {width:.3}%")
                                title=bar_title(span, timeline.to_ms)
                            ></span>
                        }
                    }).collect_view();
                    view! { <div class="lane">{bars}</div> }
                }).collect_view();
                view! {
                    <div class="timeline-row" data-testid="timeline-row" data-job=job.job.clone() data-lanes=job.lanes.len()>
                        <span class="timeline-label" title=title>{label}</span>
                        <div class="lanes">{lanes}</div>
                    </div>
                }
            }).collect_view();
            view! {
                <section class="timeline" aria-label="Job timeline" data-testid="timeline">
                    <h2>"Jobs over time"</h2>
                    <div class="timeline-axis">
                        <span>{format_duration(timeline.from_ms)}</span>
                        <span class="timeline-legend">
                            <span class="tl-bar running"></span>"running "
                            <span class="tl-bar succeeded"></span>"succeeded "
                            <span class="tl-bar failed"></span>"failed "
                            <span class="tl-bar removed"></span>"deleted before finishing"
                        </span>
                        <span>{format!("now: {}", format_duration(timeline.to_ms))}</span>
                    </div>
                    {rows}
                </section>
            }
        })}
    }
}
