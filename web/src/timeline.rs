//! The Job and CronJob timelines: one row per Job (grouped under its CronJob), its pods as bars
//! over simulated time in lanes, so one can see `parallelism` pods at a time, retries after
//! failures, and a CronJob's runs overlap (Allow), wait (Forbid) or replace each other
//! (Replace). The layout is the core's (`kubarium::view::timeline`).

use std::fmt::Write as _;

use kubarium::history::{CronDecision, PodSpan};
use kubarium::time::{as_stored, format_duration, Millis};
use kubarium::view::{bar_end, CronTimeline, JobTimeline, Timeline};
use leptos::prelude::*;

fn percent(at: Millis, timeline: &Timeline) -> f64 {
    let width = timeline.to_ms.saturating_sub(timeline.from_ms).max(1) as f64;
    (at.saturating_sub(timeline.from_ms) as f64 / width * 100.0).clamp(0.0, 100.0)
}

/// The bar's class: how the pod's life ended (or that it goes on).
fn bar_class(span: &PodSpan) -> &'static str {
    match (span.outcome, span.removed_ms) {
        (Some("Succeeded"), _) => "tl-bar succeeded",
        (Some(_), _) => "tl-bar failed",
        (None, Some(_)) => "tl-bar removed",
        (None, None) if span.running_ms.is_some() => "tl-bar running",
        (None, None) => "tl-bar pending",
    }
}

/// A time on the timeline, in whole seconds as kubectl shows them.
fn at(time: Millis) -> String {
    format_duration(as_stored(time))
}

fn bar_title(span: &PodSpan, now: Millis) -> String {
    let end = match (span.outcome, span.removed_ms, span.terminating_ms) {
        (Some(outcome), _, _) => format!("{outcome} at {}", at(bar_end(span, now))),
        (None, Some(removed), Some(terminating)) => {
            format!(
                "deleted at {} before finishing, gone at {}",
                at(terminating),
                at(removed)
            )
        }
        (None, Some(removed), None) => format!("deleted at {} before finishing", at(removed)),
        (None, None, Some(terminating)) => format!("terminating since {}", at(terminating)),
        (None, None, None) => "still running".to_string(),
    };
    let index = span
        .index
        .as_ref()
        .map(|index| format!(" (index {index})"))
        .unwrap_or_default();
    format!("{}{index}: created at {}, {end}", span.name, at(span.created_ms))
}

/// A Job's row shows at most this many lanes (pods alive at once); the rest are counted. A
/// Job of parallelism 1,000 would otherwise draw a thousand lanes on every refresh.
const MAX_LANES_SHOWN: usize = 12;

/// A Job's row: its pods as bars in lanes. `replaced` marks a Job a Replace deleted.
fn job_row(job: &JobTimeline, timeline: &Timeline, replaced: bool) -> impl IntoView {
    let label = format!("job/{}", job.job);
    let title = match &job.cron_job {
        Some(cron_job) => format!("job/{} (made by cronjob/{cron_job})", job.job),
        None => label.clone(),
    };
    let hidden_lanes = job.lanes.len().saturating_sub(MAX_LANES_SHOWN);
    // The lanes' bars as one HTML string: a Job's row can hold hundreds of bars, laid out
    // again on every beat while playing, and the browser parses them in one go where an
    // element per bar built from wasm costs a call across the boundary per attribute.
    let mut lanes = String::new();
    for lane in job.lanes.iter().take(MAX_LANES_SHOWN) {
        lanes.push_str("<div class=\"lane\">");
        for span in lane {
            let left = percent(span.created_ms, timeline);
            let right = percent(bar_end(span, timeline.to_ms), timeline);
            let width = (right - left).max(0.4);
            let _ = write!(
                lanes,
                "<span class=\"{}\" data-testid=\"timeline-bar\" style=\"left: {left:.3}%; width: {width:.3}%\" title=\"",
                bar_class(span)
            );
            kubarium::html::push_escaped(&mut lanes, &bar_title(span, timeline.to_ms));
            lanes.push_str("\"></span>");
            // The grace period after a deletion (a Replace, a deadline): the pod still runs,
            // Terminating, until its containers stop.
            if let Some(terminating) = span
                .terminating_ms
                .filter(|terminating| *terminating < bar_end(span, timeline.to_ms))
            {
                let from = percent(terminating, timeline);
                let _ = write!(
                    lanes,
                    "<span class=\"tl-terminating\" data-testid=\"timeline-terminating\" style=\"left: {from:.3}%; width: {:.3}%\" title=\"terminating from {} (its grace period)\"></span>",
                    (right - from).max(0.2),
                    at(terminating)
                );
            }
        }
        lanes.push_str("</div>");
    }
    if let Some(deadline) = job.deadline_ms.filter(|deadline| *deadline <= timeline.to_ms) {
        let _ = write!(
            lanes,
            "<span class=\"tl-deadline\" data-testid=\"timeline-deadline\" style=\"left: {:.3}%\" title=\"activeDeadlineSeconds: the Job's deadline, at {}\"></span>",
            percent(deadline, timeline),
            at(deadline)
        );
    }
    if hidden_lanes > 0 {
        let _ = write!(
            lanes,
            "<span class=\"more-lanes\">… {hidden_lanes} more lanes (pods alive at the same time)</span>"
        );
    }
    let class = match (job.cron_job.is_some(), replaced) {
        (true, true) => "timeline-row of-cron replaced",
        (true, false) => "timeline-row of-cron",
        (false, _) => "timeline-row",
    };
    // How the Job ended, under its name: a learner sees `Failed: DeadlineExceeded` where the
    // bars stop, without opening `describe`.
    // Its deletion (TTL, history limit) follows; a running Job with a deadline says when it
    // comes.
    let deleted = job
        .deleted_ms
        .map(|deleted| format!(", deleted at {}", at(deleted)))
        .unwrap_or_default();
    let end = match (job.end, job.deadline_ms) {
        (Some(end), _) if end.condition == "Complete" => {
            Some(("job-end complete", format!("Complete at {}{deleted}", at(end.at_ms))))
        }
        (Some(end), _) => Some((
            "job-end failed",
            format!("Failed: {} at {}{deleted}", end.reason, at(end.at_ms)),
        )),
        (None, Some(deadline)) if deadline > timeline.to_ms => {
            Some(("job-end upcoming", format!("deadline at {}", at(deadline))))
        }
        (None, _) => None,
    }
    .map(|(class, text)| view! { <span class=class data-testid="job-end">{text}</span> });
    view! {
        <div
            class=class
            data-testid="timeline-row"
            data-job=job.job.clone()
            data-lanes=job.lanes.len()
            data-replaced=replaced.to_string()
            data-condition=job.end.map(|end| end.condition)
            data-reason=job.end.map(|end| end.reason.as_str())
        >
            <span class="timeline-label" title=if replaced { format!("{title}, deleted by Replace while it ran") } else { title }>
                <span class="job-name">{replaced.then_some("✂ ")}{label}</span>
                {end}
            </span>
            <div class="lanes" inner_html=lanes></div>
        </div>
    }
}

fn mark_symbol(kind: CronDecision) -> &'static str {
    match kind {
        CronDecision::Started => "▲",
        CronDecision::HeldBack => "⊘",
        CronDecision::Missed => "✕",
        CronDecision::Replaced => "✂",
    }
}

/// A CronJob's row: a mark at each scheduled time its controller acted on, saying what it did.
fn cron_row(cron: &CronTimeline, timeline: &Timeline, on_compare: Option<Callback<(String, String)>>) -> impl IntoView {
    let count = |kind: CronDecision| cron.marks.iter().filter(|mark| mark.kind == kind).count();
    // As one HTML string, like a Job's bars: a CronJob keeps up to 5,000 marks.
    let mut marks = String::new();
    for mark in &cron.marks {
        let title = match &mark.job {
            Some(job) => format!("{}: {} job/{job}", at(mark.at_ms), mark.kind.as_str()),
            None => format!("{}: run {}", at(mark.at_ms), mark.kind.as_str()),
        };
        let _ = write!(
            marks,
            "<span class=\"cron-mark {}\" style=\"left: {:.3}%\" title=\"",
            mark.kind.as_str().replace(' ', "-"),
            percent(mark.at_ms, timeline)
        );
        kubarium::html::push_escaped(&mut marks, &title);
        let _ = write!(marks, "\">{}</span>", mark_symbol(mark.kind));
    }
    let (namespace, name) = (cron.namespace.clone(), cron.name.clone());
    view! {
        <div
            class="timeline-row cron-row"
            data-testid="cron-row"
            data-cronjob=cron.name.clone()
            data-started=count(CronDecision::Started)
            data-held=count(CronDecision::HeldBack)
            data-replaced=count(CronDecision::Replaced)
        >
            <span class="timeline-label">
                {format!("cronjob/{}", cron.name)}
                {on_compare.map(|on_compare| view! {
                    <button
                        class="compare-button"
                        data-testid="compare"
                        title="Play this run again under Allow, Forbid and Replace, side by side"
                        on:click=move |_| on_compare.run((namespace.clone(), name.clone()))
                    >"compare policies"</button>
                })}
            </span>
            <div class="cron-marks" inner_html=marks></div>
        </div>
    }
}

/// Every row of a timeline: each CronJob with its Jobs under it, then the other Jobs. With
/// `only`, just that CronJob's rows.
fn rows(timeline: &Timeline, only: Option<&str>, on_compare: Option<Callback<(String, String)>>) -> impl IntoView {
    let replaced = |job: &JobTimeline| {
        timeline
            .cron_jobs
            .iter()
            .flat_map(|cron| &cron.marks)
            .any(|mark| mark.kind == CronDecision::Replaced && mark.job.as_deref() == Some(job.job.as_str()))
    };
    let mut views = Vec::new();
    for cron in timeline
        .cron_jobs
        .iter()
        .filter(|cron| only.is_none_or(|only| only == cron.name))
    {
        views.push(cron_row(cron, timeline, on_compare).into_any());
        for job in timeline
            .jobs
            .iter()
            .filter(|job| job.cron_job.as_deref() == Some(cron.name.as_str()))
        {
            views.push(job_row(job, timeline, replaced(job)).into_any());
        }
    }
    let listed = |job: &JobTimeline| {
        job.cron_job
            .as_deref()
            .is_some_and(|name| timeline.cron_jobs.iter().any(|cron| cron.name == name))
    };
    if only.is_none() {
        for job in timeline.jobs.iter().filter(|job| !listed(job)) {
            views.push(job_row(job, timeline, false).into_any());
        }
    }
    views
}

/// Whether a deadline line is drawn on any of `timeline`'s rows (for the legend).
fn shows_deadline(timeline: &Timeline) -> bool {
    timeline
        .jobs
        .iter()
        .any(|job| job.deadline_ms.is_some_and(|deadline| deadline <= timeline.to_ms))
}

/// The time axis over the rows, with the legend (the CronJob marks' and the deadline's too,
/// when there are any).
fn axis(from_ms: Millis, to_ms: Millis, cron_legend: bool, deadline_legend: bool) -> impl IntoView {
    view! {
        <div class="timeline-axis">
            <span>{at(from_ms)}</span>
            <span class="timeline-legend">
                <span class="tl-bar running"></span>"running "
                <span class="tl-bar succeeded"></span>"succeeded "
                <span class="tl-bar failed"></span>"failed "
                <span class="tl-bar removed"></span>"deleted before finishing "
                <span class="tl-terminating legend"></span>"terminating"
                {deadline_legend.then(|| view! { <span class="tl-deadline legend"></span>" deadline" })}
                {cron_legend.then(|| view! {
                    <span class="cron-legend">"▲ started ⊘ held back (Forbid) ✂ replaced ✕ missed"</span>
                })}
            </span>
            <span>{format!("now: {}", format_duration(to_ms))}</span>
        </div>
    }
}

#[component]
pub fn TimelinePanel(
    timeline: Signal<Option<Timeline>>,
    #[prop(into)] on_compare: Callback<(String, String)>,
) -> impl IntoView {
    view! {
        {move || timeline.get().filter(|timeline| !timeline.jobs.is_empty() || !timeline.cron_jobs.is_empty()).map(|timeline| {
            view! {
                <section class="timeline" aria-label="Job timeline" data-testid="timeline">
                    <h2>"Jobs over time"</h2>
                    {axis(timeline.from_ms, timeline.to_ms, !timeline.cron_jobs.is_empty(), shows_deadline(&timeline))}
                    {rows(&timeline, None, Some(on_compare))}
                </section>
            }
        })}
    }
}

/// The same CronJob under Allow, Forbid and Replace, one above the other on one time axis.
#[component]
pub fn CompareView(
    cron_job: String,
    results: Vec<(&'static str, Timeline)>,
    on_close: impl Fn() + 'static,
) -> impl IntoView {
    let from_ms = results.iter().map(|(_, timeline)| timeline.from_ms).min().unwrap_or(0);
    let to_ms = results.iter().map(|(_, timeline)| timeline.to_ms).max().unwrap_or(0);
    let deadline_legend = results.iter().any(|(_, timeline)| shows_deadline(timeline));
    let sections = results
        .into_iter()
        .map(|(policy, mut timeline)| {
            timeline.from_ms = from_ms;
            timeline.to_ms = to_ms;
            view! {
                <div class="compare-policy" data-testid="compare-policy" data-policy=policy>
                    <h3>{format!("concurrencyPolicy: {policy}")}</h3>
                    {rows(&timeline, Some(&cron_job), None)}
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="timeline compare" aria-label="Concurrency policies compared" data-testid="compare-view">
            <header class="compare-header">
                <h2>{format!("cronjob/{cron_job}: the same run under each concurrencyPolicy, up to {}", format_duration(to_ms))}</h2>
                <button on:click=move |_| on_close() aria-label="Close">"×"</button>
            </header>
            {axis(from_ms, to_ms, true, deadline_legend)}
            {sections}
        </section>
    }
}
