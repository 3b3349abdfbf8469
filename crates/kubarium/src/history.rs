//! The lives of Job pods, kept after the pods are gone, for the Job and CronJob timelines: when
//! each pod was created, ran, finished and was removed. A real cluster keeps none of this (a
//! deleted pod is gone); the playground keeps it so a learner can *see* a Job run its
//! completions `parallelism` at a time, or a CronJob's runs overlap (Allow), wait (Forbid) or
//! replace each other (Replace). It also keeps what each CronJob's controller decided at its
//! scheduled times (a Job started, a run held back, a start missed, a Job replaced), which its
//! events say only for their hour (`--event-ttl`), and how each Job ended (its terminal
//! condition and its deadline), which outlives a Job deleted by its TTL or its CronJob's history
//! limit. It is an observer only: nothing in the simulation reads it.

use std::collections::VecDeque;

use serde::Serialize;

use crate::api::PodPhase;
use crate::fasthash::FastMap;
use crate::store::ObjectKey;
use crate::time::Millis;
use crate::word::Word;
use crate::Simulation;

/// At most this many pod lives are kept, the oldest dropped first: the timeline is for looking
/// at, and a 100,000-completion benchmark must not grow without bound.
pub const MAX_SPANS: usize = 5_000;

/// One Job pod's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSpan {
    pub uid: crate::api::Uid,
    pub name: String,
    pub namespace: String,
    pub job: String,
    /// The CronJob that made the Job, if one did.
    pub cron_job: Option<String>,
    /// The completion index of an Indexed Job's pod.
    pub index: Option<String>,
    pub created_ms: Millis,
    /// When the pod was first seen Running.
    pub running_ms: Option<Millis>,
    /// When it reached Succeeded or Failed.
    pub finished_ms: Option<Millis>,
    /// `Succeeded` or `Failed` once finished.
    pub outcome: Option<&'static str>,
    /// When its deletion was asked for, while it still ran: its grace period began (the pod
    /// stays, Terminating, until its containers stop).
    pub terminating_ms: Option<Millis>,
    /// When it was removed from the API (deleted, replaced, collected).
    pub removed_ms: Option<Millis>,
}

/// At most this many CronJob decisions are kept, the oldest dropped first.
pub const MAX_CRON_MARKS: usize = 5_000;

/// What a CronJob's controller decided at one of its scheduled times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CronDecision {
    /// A Job started for this scheduled time (`SuccessfulCreate`).
    Started,
    /// Forbid held the run back while a Job was active (`JobAlreadyActive`).
    HeldBack,
    /// Too late to start (`MissSchedule`, startingDeadlineSeconds).
    Missed,
    /// Replace deleted this active Job to start the new one.
    Replaced,
}

impl CronDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            CronDecision::Started => "started",
            CronDecision::HeldBack => "held back",
            CronDecision::Missed => "missed",
            CronDecision::Replaced => "replaced",
        }
    }
}

/// How a Job ended: its terminal condition (`Complete` or `Failed`) with the condition's
/// reason, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobEnd {
    pub at_ms: Millis,
    pub condition: &'static str,
    pub reason: Word,
}

/// A finished Job's end, with its deadline (`status.startTime + activeDeadlineSeconds`) when
/// it had one, and when the Job was deleted (its TTL, its CronJob's history limit, by hand).
#[derive(Debug, Clone)]
pub struct JobEndRecord {
    pub key: ObjectKey,
    pub end: JobEnd,
    pub deadline_ms: Option<Millis>,
    pub deleted_ms: Option<Millis>,
}

/// One CronJob decision, with the Job it concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CronRecord {
    pub at_ms: Millis,
    pub namespace: String,
    pub cron_job: String,
    pub decision: CronDecision,
    pub job: Option<String>,
}

/// The kept pod lives, by uid, with their order of creation. The map is only looked up (every
/// Job pod's status change looks its span up); `order` gives the order.
#[derive(Debug, Default)]
pub struct History {
    spans: FastMap<crate::api::Uid, PodSpan>,
    order: VecDeque<crate::api::Uid>,
    cron: VecDeque<CronRecord>,
    job_ends: VecDeque<JobEndRecord>,
}

impl History {
    /// The kept CronJob decisions, in time order.
    pub fn cron_records(&self) -> impl Iterator<Item = &CronRecord> {
        self.cron.iter()
    }

    pub(crate) fn record_cron(&mut self, record: CronRecord) {
        push_capped(&mut self.cron, record, MAX_CRON_MARKS);
    }

    /// How the Jobs ended, in the order they did (the last `MAX_SPANS`).
    pub fn job_ends(&self) -> impl Iterator<Item = &JobEndRecord> {
        self.job_ends.iter()
    }

    pub(crate) fn record_job_end(&mut self, record: JobEndRecord) {
        push_capped(&mut self.job_ends, record, MAX_SPANS);
    }

    /// A finished Job was deleted: its record says when. The Jobs deleted are mostly recent
    /// ones, so the search starts from the newest.
    pub(crate) fn record_job_deleted(&mut self, key: &ObjectKey, now: Millis) {
        if let Some(record) = self.job_ends.iter_mut().rev().find(|record| record.key == *key) {
            record.deleted_ms.get_or_insert(now);
        }
    }

    /// The kept lives, in creation order.
    pub fn spans(&self) -> impl Iterator<Item = &PodSpan> {
        self.order.iter().filter_map(|uid| self.spans.get(uid))
    }

    fn insert(&mut self, span: PodSpan) {
        if self.order.len() >= MAX_SPANS {
            if let Some(oldest) = self.order.pop_front() {
                self.spans.remove(&oldest);
            }
        }
        self.order.push_back(span.uid.clone());
        self.spans.insert(span.uid.clone(), span);
    }
}

/// Keeps `item` as the newest of at most `cap`, the oldest dropped first.
fn push_capped<T>(queue: &mut VecDeque<T>, item: T, cap: usize) {
    if queue.len() >= cap {
        queue.pop_front();
    }
    queue.push_back(item);
}

/// A Job pod was created or its status changed: note what is new about it.
pub(crate) fn observe(simulation: &mut Simulation, key: &ObjectKey) {
    let Some(pod) = simulation.store.pod(key) else { return };
    let Some(job) = pod.metadata.controller_of().filter(|owner| owner.kind == "Job") else {
        return;
    };
    let now = simulation.now();
    let phase = pod.status.phase;
    if let Some(span) = simulation.history.spans.get_mut(&pod.metadata.uid) {
        if phase == PodPhase::Running && span.running_ms.is_none() {
            span.running_ms = Some(now);
        }
        if phase.is_terminal() && span.finished_ms.is_none() {
            span.finished_ms = Some(now);
            span.outcome = Some(phase.as_str());
        }
        if pod.metadata.is_terminating() && !phase.is_terminal() && span.terminating_ms.is_none() {
            span.terminating_ms = Some(now);
        }
        return;
    }
    let cron_job = crate::store::KeyRef(&key.namespace, &job.name)
        .get(&simulation.store.jobs)
        .and_then(|job| job.metadata.controller_of())
        .filter(|owner| owner.kind == "CronJob")
        .map(|owner| owner.name.clone());
    let span = PodSpan {
        uid: pod.metadata.uid.clone(),
        name: pod.metadata.name.clone(),
        namespace: key.namespace.as_str().to_owned(),
        job: job.name.clone(),
        cron_job,
        index: pod
            .metadata
            .annotations
            .get(crate::controller::job::COMPLETION_INDEX)
            .cloned(),
        created_ms: now,
        running_ms: (phase == PodPhase::Running).then_some(now),
        finished_ms: phase.is_terminal().then_some(now),
        outcome: phase.is_terminal().then(|| phase.as_str()),
        terminating_ms: (pod.metadata.is_terminating() && !phase.is_terminal()).then_some(now),
        removed_ms: None,
    };
    simulation.history.insert(span);
}

/// A pod left the API.
pub(crate) fn removed(simulation: &mut Simulation, uid: &crate::api::Uid) {
    let now = simulation.now();
    if let Some(span) = simulation.history.spans.get_mut(uid) {
        span.removed_ms.get_or_insert(now);
    }
}
