//! The Job and CronJob timelines: each Job's pods as bars over simulated time, stacked in as
//! few lanes as their overlaps need, so the number of lanes in use at any instant is the number
//! of pods alive then (at most `parallelism` while the Job runs). A CronJob's row marks what its
//! controller decided at each scheduled time (kept by `history.rs`): a Job started, a run held
//! back (Forbid), a missed start (startingDeadlineSeconds), and which Jobs a Replace deleted.

use serde::Serialize;

use crate::history::{CronDecision, CronRecord, JobEnd, PodSpan};
use crate::sim::Simulation;
use crate::time::Millis;

/// Every Job seen so far, from the first pod's creation to now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timeline {
    pub from_ms: Millis,
    pub to_ms: Millis,
    pub jobs: Vec<JobTimeline>,
    /// The CronJobs whose controller acted in the window, with its decisions.
    pub cron_jobs: Vec<CronTimeline>,
}

/// What a CronJob's controller did at its scheduled times, read from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CronTimeline {
    pub namespace: String,
    pub name: String,
    pub marks: Vec<CronMark>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CronMark {
    pub at_ms: Millis,
    pub kind: CronDecision,
    /// The Job started or replaced.
    pub job: Option<String>,
}

/// One Job's pods, in lanes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobTimeline {
    pub namespace: String,
    pub job: String,
    pub cron_job: Option<String>,
    /// Each lane holds pods that never overlap; a pod's bar runs from its creation to when it
    /// finished or was removed (or now, if neither).
    pub lanes: Vec<Vec<PodSpan>>,
    /// The Job's terminal condition, once it has one.
    pub end: Option<JobEnd>,
    /// When the Job passes (or passed) its `activeDeadlineSeconds`, if it has one.
    pub deadline_ms: Option<Millis>,
    /// When the finished Job was deleted (its TTL, its CronJob's history limit, by hand).
    pub deleted_ms: Option<Millis>,
}

/// Where a pod's bar ends: when it finished or left the API, whichever came first, or `now`.
pub fn bar_end(span: &PodSpan, now: Millis) -> Millis {
    match (span.finished_ms, span.removed_ms) {
        (Some(finished), Some(removed)) => finished.min(removed),
        (Some(end), None) | (None, Some(end)) => end,
        (None, None) => now,
    }
}

/// Lays out the kept pod lives of `simulation` (see `history.rs`) by Job, in the order the
/// Jobs' first pods were created, each with how it ended and its deadline.
pub fn timeline(simulation: &Simulation) -> Timeline {
    let mut timeline = layout(simulation.history().spans(), simulation.now());
    add_ends(&mut timeline, simulation);
    timeline.cron_jobs = cron_marks(simulation.history().cron_records());
    if let Some(first) = timeline
        .cron_jobs
        .iter()
        .filter_map(|cron| cron.marks.first())
        .map(|mark| mark.at_ms)
        .min()
    {
        timeline.from_ms = timeline.from_ms.min(first);
    }
    timeline
}

/// Each Job's end and deadline: a running Job's deadline from the Job itself; a finished
/// Job's end (the last kept for its name) and deadline as they were when it finished (the Job
/// may be gone since).
fn add_ends(timeline: &mut Timeline, simulation: &Simulation) {
    let ends: crate::fasthash::FastMap<(&str, &str), &crate::history::JobEndRecord> = simulation
        .history()
        .job_ends()
        .map(|record| ((record.key.namespace.as_str(), record.key.name.as_str()), record))
        .collect();
    for job in &mut timeline.jobs {
        let live = crate::store::KeyRef(&job.namespace, &job.job).get(&simulation.store.jobs);
        if let Some(live) = live.filter(|live| !live.status.is_finished()) {
            job.deadline_ms = crate::controller::job::deadline(live);
        } else if let Some(record) = ends.get(&(job.namespace.as_str(), job.job.as_str())) {
            job.end = Some(record.end);
            job.deadline_ms = record.deadline_ms;
            job.deleted_ms = record.deleted_ms;
        }
    }
}

/// The CronJobs' decisions (as `history.rs` keeps them, in time order), grouped by CronJob in
/// the order they first acted.
pub fn cron_marks<'a>(records: impl Iterator<Item = &'a CronRecord>) -> Vec<CronTimeline> {
    let mut cron_jobs: Vec<CronTimeline> = Vec::new();
    for record in records {
        let position = cron_jobs
            .iter()
            .position(|cron| cron.namespace == record.namespace && cron.name == record.cron_job);
        let cron = match position {
            Some(position) => &mut cron_jobs[position],
            None => {
                cron_jobs.push(CronTimeline {
                    namespace: record.namespace.clone(),
                    name: record.cron_job.clone(),
                    marks: Vec::new(),
                });
                let last = cron_jobs.len() - 1;
                &mut cron_jobs[last]
            }
        };
        cron.marks.push(CronMark {
            at_ms: record.at_ms,
            kind: record.decision,
            job: record.job.clone(),
        });
    }
    cron_jobs
}

/// The pure layout: spans (in creation order) grouped by Job, each placed in the first lane
/// whose last bar has ended by the time it starts.
pub fn layout<'a>(spans: impl Iterator<Item = &'a PodSpan>, now: Millis) -> Timeline {
    let mut jobs: Vec<JobTimeline> = Vec::new();
    let mut from_ms = now;
    for span in spans {
        from_ms = from_ms.min(span.created_ms);
        let position = jobs
            .iter()
            .position(|job| job.namespace == span.namespace && job.job == span.job && job.cron_job == span.cron_job);
        let job = match position {
            Some(position) => &mut jobs[position],
            None => {
                jobs.push(JobTimeline {
                    namespace: span.namespace.clone(),
                    job: span.job.clone(),
                    cron_job: span.cron_job.clone(),
                    lanes: Vec::new(),
                    end: None,
                    deadline_ms: None,
                    deleted_ms: None,
                });
                let last = jobs.len() - 1;
                &mut jobs[last]
            }
        };
        let free = job
            .lanes
            .iter()
            .position(|lane| lane.last().is_none_or(|last| bar_end(last, now) <= span.created_ms));
        match free {
            Some(lane) => job.lanes[lane].push(span.clone()),
            None => job.lanes.push(vec![span.clone()]),
        }
    }
    Timeline {
        from_ms,
        to_ms: now,
        jobs,
        cron_jobs: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SECOND_MS;

    fn span(name: &str, job: &str, created_s: u64, finished_s: Option<u64>, removed_s: Option<u64>) -> PodSpan {
        PodSpan {
            uid: crate::api::Uid::from(name),
            name: name.to_string(),
            namespace: "default".to_string(),
            job: job.to_string(),
            cron_job: None,
            index: None,
            created_ms: created_s * SECOND_MS,
            running_ms: Some(created_s * SECOND_MS + 500),
            finished_ms: finished_s.map(|s| s * SECOND_MS),
            outcome: finished_s.map(|_| "Succeeded"),
            terminating_ms: None,
            removed_ms: removed_s.map(|s| s * SECOND_MS),
        }
    }

    #[test]
    fn pods_that_overlap_take_separate_lanes_and_later_pods_reuse_them() {
        let spans = [
            span("a", "job-1", 0, Some(10), None),
            span("b", "job-1", 0, Some(12), None),
            span("other", "job-2", 1, None, None),
            span("c", "job-1", 10, Some(20), None),
            span("d", "job-1", 12, None, Some(15)),
            span("e", "job-1", 13, None, None),
        ];
        let timeline = layout(spans.iter(), 30 * SECOND_MS);
        assert_eq!((timeline.from_ms, timeline.to_ms), (0, 30 * SECOND_MS));
        let lanes: Vec<Vec<&str>> = timeline.jobs[0]
            .lanes
            .iter()
            .map(|lane| lane.iter().map(|span| span.name.as_str()).collect())
            .collect();
        assert_eq!(lanes, [vec!["a", "c"], vec!["b", "d"], vec!["e"]]);
        assert_eq!(timeline.jobs[1].job, "job-2");
        assert_eq!(bar_end(&spans[2], 30 * SECOND_MS), 30 * SECOND_MS);
    }

    fn marks(timeline: &Timeline) -> Vec<(u64, &'static str)> {
        timeline
            .cron_jobs
            .iter()
            .flat_map(|cron| &cron.marks)
            .map(|mark| (mark.at_ms / SECOND_MS, mark.kind.as_str()))
            .collect()
    }

    /// sleep-cj (every minute, each run 80 s) under each policy, from the controller's events:
    /// Allow starts a Job every minute; Forbid holds back the runs that come while one is
    /// active and starts the missed one when its Job completes (a second after its pod, at
    /// 2m22s); Replace deletes the running Job.
    #[test]
    fn a_cron_jobs_row_marks_started_held_back_and_replaced_runs() {
        let text = include_str!("../../../../tests/scenarios/sleep-cj-allow.yaml");
        let session = crate::session::Session::load(text, 3)
            .and_then(|mut session| session.advance_to(200 * SECOND_MS).map(|()| session))
            .expect("plays");
        let compared = session
            .compare_concurrency_policies("default", "sleep-cj")
            .expect("compares");
        let policies: Vec<&str> = compared.iter().map(|(policy, _)| *policy).collect();
        assert_eq!(policies, ["Allow", "Forbid", "Replace"]);
        assert_eq!(
            marks(&compared[0].1),
            [(60, "started"), (120, "started"), (180, "started")]
        );
        assert_eq!(
            marks(&compared[1].1),
            [
                (60, "started"),
                (120, "held back"),
                (142, "started"),
                (180, "held back")
            ]
        );
        assert_eq!(
            marks(&compared[2].1),
            [
                (60, "started"),
                (120, "replaced"),
                (120, "started"),
                (180, "replaced"),
                (180, "started")
            ]
        );
        // The compared Allow run is the session's own run.
        assert_eq!(compared[0].1, timeline(&session.simulation));
        // The controller acts 100ms after each scheduled time (`nextScheduleTimeDuration`).
        assert_eq!(compared[0].1.from_ms, 60_100);
    }

    /// job-1 (completions 6, parallelism 2, deadline 30s): the recorded lives never need more
    /// than two lanes, and the Job's pods are all there after they are gone.
    #[test]
    fn a_jobs_timeline_never_needs_more_lanes_than_its_parallelism() {
        let text = include_str!("../../../../tests/scenarios/job-1.yaml");
        let mut session = crate::session::Session::load(text, 3).expect("loads");
        session.advance_to(120 * SECOND_MS).expect("plays");
        let timeline = timeline(&session.simulation);
        let job = timeline.jobs.iter().find(|job| job.job == "job-1").expect("job-1 seen");
        assert_eq!(job.lanes.len(), 2, "{:#?}", job.lanes);
        let pods: usize = job.lanes.iter().map(Vec::len).sum();
        assert!(pods >= 4, "{pods} pods");
        let succeeded = job
            .lanes
            .iter()
            .flatten()
            .filter(|span| span.outcome == Some("Succeeded"))
            .count();
        assert_eq!(succeeded, 4, "four completions before the 30s deadline");
    }

    fn job_row<'a>(timeline: &'a Timeline, name: &str) -> &'a JobTimeline {
        timeline.jobs.iter().find(|job| job.job == name).expect("the Job's row")
    }

    /// job-1's deadline is on its row while it runs (from the Job), and after it failed with
    /// DeadlineExceeded (from the history).
    #[test]
    fn a_jobs_row_has_its_deadline_and_then_its_end() {
        let text = include_str!("../../../../tests/scenarios/job-1.yaml");
        let mut session = crate::session::Session::load(text, 3).expect("loads");
        session.advance_to(20 * SECOND_MS).expect("plays");
        let running = timeline(&session.simulation);
        let job = job_row(&running, "job-1");
        assert_eq!((job.deadline_ms, job.end), (Some(30 * SECOND_MS), None));

        session.advance_to(120 * SECOND_MS).expect("plays");
        let finished = timeline(&session.simulation);
        let job = job_row(&finished, "job-1");
        assert_eq!(job.deadline_ms, Some(30 * SECOND_MS));
        let end = job.end.expect("job-1 ended");
        assert_eq!((end.condition, end.reason.as_str()), ("Failed", "DeadlineExceeded"));
        assert!(end.at_ms >= 30 * SECOND_MS && end.at_ms < 120 * SECOND_MS, "{end:?}");
    }

    /// mypi's end stays on its row after its TTL deleted the Job.
    #[test]
    fn a_jobs_end_outlives_the_job() {
        let text = include_str!("../../../../tests/scenarios/mypi.yaml");
        let mut session = crate::session::Session::load(text, 3).expect("loads");
        session.advance_to(10 * 60 * SECOND_MS).expect("plays");
        assert!(session.simulation.store.jobs.is_empty(), "the TTL deleted mypi");
        let timeline = timeline(&session.simulation);
        let job = job_row(&timeline, "mypi");
        let end = job.end.expect("mypi ended");
        assert_eq!((end.condition, job.deadline_ms), ("Complete", None));
        // ttlSecondsAfterFinished: 10, from the completion.
        assert_eq!(job.deleted_ms, Some(end.at_ms + 10 * SECOND_MS));
    }
}
