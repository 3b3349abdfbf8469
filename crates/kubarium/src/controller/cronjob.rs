//! The CronJob controller (`pkg/controller/cronjob/cronjob_controllerv2.go` and `utils.go`).
//!
//! `sync` follows `syncCronJob`: reconcile `status.active` with the Jobs it owns (finished ones
//! leave it, with `SawCompletedJob`), prune finished Jobs beyond the history limits
//! (`cleanupFinishedJobs`), then find the most recent unmet schedule time
//! (`mostRecentScheduleTime`), honour `startingDeadlineSeconds`, `suspend` and the concurrency
//! policy, create the Job named after the scheduled minute, and look again 100ms after the next
//! schedule time (`nextScheduleTimeDuration`). Schedules are robfig/cron v3's standard parser
//! (`crate::cron`), evaluated on the clock of `spec.timeZone` (UTC when it is not set).

use crate::api::{CronJob, Job, ObjectMeta, OwnerReference};
use crate::cron::{self, Schedule, TimeZone, Utc};
use crate::fasthash::FastMap;
use crate::history::{CronDecision, CronRecord};
use crate::sim::{Cascade, ObjectKey, Simulation};
use crate::sort::StableSort;
use crate::time::{Millis, SECOND_MS};

const SOURCE: &str = "cronjob-controller";
/// `nextScheduleDelta`: the controller wakes 100ms after a schedule time.
const NEXT_SCHEDULE_DELTA_MS: Millis = 100;
pub const SCHEDULED_TIMESTAMP: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";
/// More missed start times than this get the `TooManyMissedTimes` warning.
const MANY_MISSED: u64 = 100;

/// Parsed schedules by their text, so that a sync does not parse its CronJob's schedule again
/// (the real controller parses it on every sync too; the result depends on the text alone).
/// Only looked up, never iterated.
#[derive(Debug, Default)]
pub struct Schedules {
    parsed: FastMap<String, Option<ParsedSchedule>>,
}

/// More distinct schedule texts than this and the cache starts over.
const MAX_CACHED_SCHEDULES: usize = 256;

impl Schedules {
    /// `cron.ParseStandard(schedule)`, if it parses.
    fn parse(&mut self, text: &str) -> Option<&mut ParsedSchedule> {
        if !self.parsed.contains_key(text) {
            if self.parsed.len() >= MAX_CACHED_SCHEDULES {
                self.parsed.clear();
            }
            let parsed = cron::parse_standard(text).ok().map(ParsedSchedule::new);
            self.parsed.insert(text.to_string(), parsed);
        }
        self.parsed.get_mut(text)?.as_mut()
    }
}

/// A parsed schedule with the last `Next` it computed on a fixed-offset zone.
#[derive(Debug)]
pub struct ParsedSchedule {
    schedule: Schedule,
    known: Option<KnownNext>,
}

/// `next_after(from) == next` on a zone of this offset. A crontab spec's next time after any
/// instant in `[from, next)` is then `next` as well: the search returns the first matching
/// second after its start, and none matches in `(from, next)`. A CronJob asks for nearly the
/// same instants on each of its syncs (the last schedule time, now), so most answers are known.
#[derive(Debug, Clone, Copy)]
struct KnownNext {
    offset: i32,
    from: i64,
    next: i64,
}

impl ParsedSchedule {
    pub fn new(schedule: Schedule) -> ParsedSchedule {
        ParsedSchedule { schedule, known: None }
    }

    /// [`Schedule::next_after`], answered from the last result when that decides it.
    pub fn next_after(&mut self, after: i64, zone: &dyn TimeZone) -> Option<i64> {
        // Only a crontab spec on a fixed offset: `@every` adds its delay to any instant, and a
        // zone with transitions makes robfig's search depend on where it starts.
        let offset = zone.fixed_offset().filter(|_| self.schedule.every_seconds().is_none());
        let Some(offset) = offset else {
            return self.schedule.next_after(after, zone);
        };
        if let Some(known) = self.known {
            if known.offset == offset && known.from <= after && after < known.next {
                return Some(known.next);
            }
        }
        let next = self.schedule.next_after(after, zone)?;
        self.known = Some(KnownNext {
            offset,
            from: after,
            next,
        });
        Some(next)
    }
}

/// What `mostRecentScheduleTime` found, in unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MostRecent {
    pub earliest: i64,
    /// The most recent schedule time in `(earliest, now]`, if any.
    pub most_recent: Option<i64>,
    /// How many schedule times fell in `(earliest, now]`.
    pub missed: u64,
    /// No schedule time follows `earliest` (robfig's `Next` returns the zero time: none within
    /// five years, like `0 0 30 2 *`); `mostRecentScheduleTime` then fails with "time
    /// difference between two schedules is less than 1 second".
    pub never_fires: bool,
}

/// `mostRecentScheduleTime`: the schedule times after the last one used (or the CronJob's
/// creation, or `now - startingDeadlineSeconds` if later) and up to `now`.
pub fn most_recent_schedule_time(
    schedule: &mut ParsedSchedule,
    earliest: i64,
    now: i64,
    starting_deadline_seconds: Option<i64>,
    zone: &dyn TimeZone,
) -> MostRecent {
    let earliest = match starting_deadline_seconds {
        Some(deadline) => earliest.max(now - deadline),
        None => earliest,
    };
    let mut missed = 0;
    let mut most_recent = None;
    let mut cursor = earliest;
    let mut never_fires = true;
    // Each step is one schedule time; a year of every-minute times is 525,600 steps, reached
    // only when the controller was away that long.
    while let Some(next) = schedule.next_after(cursor, zone) {
        never_fires = false;
        if next > now {
            break;
        }
        missed += 1;
        most_recent = Some(next);
        cursor = next;
    }
    MostRecent {
        earliest,
        most_recent,
        missed,
        never_fires,
    }
}

/// `getJobName`: the CronJob's name and the scheduled time in minutes since the epoch.
pub fn job_name(cron_job_name: &str, scheduled_unix: i64) -> String {
    let minutes = scheduled_unix.div_euclid(60);
    let mut digits = [0u8; 20];
    let digits = crate::time::decimal_digits(minutes.unsigned_abs(), &mut digits);
    let mut name = String::with_capacity(cron_job_name.len() + 2 + digits.len());
    name.push_str(cron_job_name);
    name.push('-');
    if minutes < 0 {
        name.push('-');
    }
    // ASCII digits.
    name.push_str(std::str::from_utf8(digits).unwrap_or_default());
    name
}

/// Go's `time.RFC3339` of the instant on the zone's clock (`2026-03-29T03:00:00+02:00`, `Z` for
/// offset zero), as `getJobFromTemplate2` writes the scheduled-timestamp annotation.
fn rfc3339(unix: i64, zone: &dyn TimeZone) -> String {
    crate::time::format_rfc3339(unix, zone.offset_at_utc(unix))
}

/// Go's `time.RFC1123Z`, as the `MissSchedule` event prints the time.
fn rfc1123z(unix: i64) -> String {
    let civil = cron::civil_in_zone(unix, &Utc);
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
        DAYS[civil.weekday as usize % 7],
        civil.day,
        MONTHS[(civil.month as usize + 11) % 12],
        civil.year,
        civil.hour,
        civil.minute,
        civil.second
    )
}

/// `cronjob/NAME`, the object of the controller's events, written when the event is recorded.
fn object(key: &ObjectKey) -> crate::sim::EventPieces<'_, 3> {
    crate::sim::EventPieces(["cronjob", "/", &key.name])
}

/// What the sync needs to know of a Job it owns: its store key (shared, not copied) stands for
/// its name.
struct OwnedJob {
    key: ObjectKey,
    creation_ms: Millis,
    start_time_ms: Option<Millis>,
    completion_time_ms: Option<Millis>,
    /// `Complete` or `Failed` once finished (`getFinishedStatus`).
    finished: Option<&'static str>,
}

impl OwnedJob {
    fn of(key: &ObjectKey, job: &Job) -> OwnedJob {
        let finished = if job.status.has_condition("Complete") {
            Some("Complete")
        } else if job.status.has_condition("Failed") {
            Some("Failed")
        } else {
            None
        };
        OwnedJob {
            key: key.clone(),
            creation_ms: job.metadata.creation_timestamp_ms,
            start_time_ms: job.status.start_time_ms,
            completion_time_ms: job.status.completion_time_ms,
            finished,
        }
    }
}

/// What a sync reads of its CronJob's metadata and spec, copied once: not the job template,
/// which is read only when a Job is created (copying the whole CronJob on each of its three
/// syncs per run was a fifth of the sync's cost), nor the name, which is the key's.
struct Settings {
    namespace: crate::word::Word,
    uid: crate::api::Uid,
    creation_ms: Millis,
    time_zone: Option<String>,
    starting_deadline_seconds: Option<i64>,
    /// `Allow`, `Forbid` or `Replace` (`Allow` when not set; validation admits no other).
    concurrency_policy: &'static str,
    suspend: Option<bool>,
    successful_jobs_history_limit: Option<i32>,
    failed_jobs_history_limit: Option<i32>,
}

impl Settings {
    fn of(cron_job: &CronJob) -> Settings {
        let spec = &cron_job.spec;
        Settings {
            namespace: cron_job.metadata.namespace,
            uid: cron_job.metadata.uid.clone(),
            creation_ms: cron_job.metadata.creation_timestamp_ms,
            time_zone: spec.time_zone.clone(),
            starting_deadline_seconds: spec.starting_deadline_seconds,
            concurrency_policy: match spec.concurrency_policy.as_deref() {
                Some("Forbid") => "Forbid",
                Some("Replace") => "Replace",
                _ => "Allow",
            },
            suspend: spec.suspend,
            successful_jobs_history_limit: spec.successful_jobs_history_limit,
            failed_jobs_history_limit: spec.failed_jobs_history_limit,
        }
    }
}

/// `getJobFromTemplate2`: the Job for one scheduled time, from the CronJob's template, owned
/// by the CronJob, with the scheduled-timestamp annotation.
fn job_from_template(cron_job: &CronJob, name: String, scheduled_timestamp: String) -> Job {
    let template = &cron_job.spec.job_template;
    let mut annotations = template.metadata.annotations.clone();
    annotations.insert(SCHEDULED_TIMESTAMP.to_string(), scheduled_timestamp);
    Job {
        metadata: ObjectMeta {
            name,
            namespace: cron_job.metadata.namespace,
            labels: template.metadata.labels.clone(),
            annotations,
            owner_references: vec![OwnerReference::controller("batch/v1", "CronJob", &cron_job.metadata)],
            ..ObjectMeta::default()
        },
        spec: template.spec.clone(),
        status: Default::default(),
        tracking: Default::default(),
    }
}

/// The zone a CronJob's schedule runs in: UTC without `spec.timeZone`, else the database's
/// zone of that name, if it has one.
fn zone_of(time_zone: Option<&str>) -> Option<Box<dyn TimeZone>> {
    match time_zone {
        None => Some(Box::new(Utc)),
        Some(name) => crate::tz::zone(name).map(|zone| Box::new(zone) as Box<dyn TimeZone>),
    }
}

/// `updateCronJob` (`cronjob_controllerv2.go`): after a change of `spec.schedule` or
/// `spec.timeZone`, the next sync comes `nextScheduleTimeDuration` later, at the new schedule's
/// first time after now plus 100ms, so a time of the new schedule that has already passed
/// starts no Job. A schedule that never comes, or a zone the database lacks, syncs at once (Go's
/// zero time lies in the past), and that sync reports it. The delay from now.
pub fn delay_after_schedule_change(simulation: &mut Simulation, key: &ObjectKey) -> Millis {
    let start_unix = simulation.start_unix_seconds();
    let now_ms = simulation.now();
    let Some(cron_job) = simulation.store.cron_jobs.get(key) else {
        return 0;
    };
    let Some(zone) = zone_of(cron_job.spec.time_zone.as_deref()) else {
        return 0;
    };
    let Some(schedule) = simulation.cron_schedules.parse(&cron_job.spec.schedule) else {
        return 0;
    };
    let now = start_unix + (now_ms / SECOND_MS) as i64;
    match schedule.next_after(now, zone.as_ref()) {
        Some(next) => {
            ((next - start_unix).max(0) as Millis * SECOND_MS + NEXT_SCHEDULE_DELTA_MS).saturating_sub(now_ms)
        }
        None => 0,
    }
}

/// `syncCronJob`. Returns when to look again.
pub fn sync(simulation: &mut Simulation, key: &ObjectKey) -> Option<Millis> {
    let start_unix = simulation.start_unix_seconds();
    let now_ms = simulation.now();
    let to_unix = |ms: Millis| start_unix + (ms / SECOND_MS) as i64;
    let to_ms = |unix: i64| (unix - start_unix).max(0) as Millis * SECOND_MS;
    let now = to_unix(now_ms);
    let stored = simulation.store.cron_jobs.get_mut(key)?;
    let settings = Settings::of(stored);
    // Taken, not copied: the sync writes it back at its end and nothing reads it meanwhile.
    // No early return (`return`, `?`) may come between here and that write-back, or the stored
    // status would be left empty.
    let mut status = std::mem::take(&mut stored.status);
    let namespace = settings.namespace;

    // The Jobs it owns (`getJobsToBeReconciled`), oldest first, as the few facts the sync
    // needs: copying whole Jobs (templates and all) on every sync was most of its cost.
    let mut owned: Vec<OwnedJob> = simulation
        .store
        .jobs
        .iter()
        .filter(|(_, job)| {
            job.metadata.namespace == namespace
                && job
                    .metadata
                    .controller_of()
                    .is_some_and(|owner| owner.uid == settings.uid)
        })
        .map(|(key, job)| OwnedJob::of(key, job))
        .collect();
    owned.stable_sort_by(|left, right| (left.creation_ms, &left.key.name).cmp(&(right.creation_ms, &right.key.name)));

    // `cleanupFinishedJobs`, before `syncCronJob` looks at the Jobs: the oldest finished Jobs
    // beyond each history limit go, each with its event, and leave `status.active`
    // (`deleteJob`), so a Job pruned as soon as it finished gets no `SawCompletedJob`.
    let mut to_delete: Vec<ObjectKey> = Vec::new();
    for (condition, limit) in [
        ("Complete", settings.successful_jobs_history_limit),
        ("Failed", settings.failed_jobs_history_limit),
    ] {
        let Some(limit) = limit else { continue };
        // Within the limit (most syncs): nothing to list and sort.
        let count = owned.iter().filter(|job| job.finished == Some(condition)).count();
        if count <= limit.max(0) as usize {
            continue;
        }
        let mut finished: Vec<&OwnedJob> = owned.iter().filter(|job| job.finished == Some(condition)).collect();
        // `byJobStartTime`: by start time, those never started last, then by name.
        finished.stable_sort_by(|left, right| {
            (left.start_time_ms.is_none(), left.start_time_ms, &left.key.name).cmp(&(
                right.start_time_ms.is_none(),
                right.start_time_ms,
                &right.key.name,
            ))
        });
        let excess = finished.len().saturating_sub(limit.max(0) as usize);
        to_delete.extend(finished.iter().take(excess).map(|job| job.key.clone()));
    }
    for pruned in &to_delete {
        if simulation
            .delete_job(&namespace, &pruned.name, Cascade::Background)
            .is_ok()
        {
            status.active.retain(|name| name != &pruned.name);
            simulation.record_event(
                "Normal",
                "SuccessfulDelete",
                object(key),
                &namespace,
                crate::sim::EventPieces(["Deleted job ", &pruned.name]),
                SOURCE,
            );
        }
    }

    // Parsed (or found parsed) after the cleanup, whose deletions need the whole simulation.
    let mut schedule = match simulation.store.cron_jobs.get(key) {
        Some(cron_job) => simulation.cron_schedules.parse(&cron_job.spec.schedule),
        None => None,
    };

    // `syncCronJob`'s reconciliation of `status.active`.
    let mut events: Vec<(&'static str, &'static str, String)> = Vec::new();
    for job in &owned {
        let listed = status.active.contains(&job.key.name);
        let finished = job.finished.is_some();
        if let (true, Some(condition)) = (listed, job.finished) {
            // `Saw completed job: NAME, condition: CONDITION`, without the formatter (once a run).
            let mut message = String::with_capacity(64);
            for piece in ["Saw completed job: ", &job.key.name, ", condition: ", condition] {
                message.push_str(piece);
            }
            events.push(("Normal", "SawCompletedJob", message));
            status.active.retain(|name| name != &job.key.name);
        } else if !listed && !finished {
            // An unfinished Job it controls but never listed (one made by `kubectl create job
            // --from=cronjob/...`) is reported on every sync and not adopted: it does not count
            // as active for `Forbid` or `Replace`.
            events.push((
                "Warning",
                "UnexpectedJob",
                format!(
                    "Saw a job that the controller did not create or forgot: {}",
                    job.key.name
                ),
            ));
        }
        // `else if IsJobSucceeded`: a Job just seen finishing sets `lastSuccessfulTime` on the
        // next sync, one pruned or never listed on this one.
        if job.finished == Some("Complete") && !listed {
            if let Some(completed) = job.completion_time_ms {
                if status.last_successful_time_ms.is_none_or(|last| last < completed) {
                    status.last_successful_time_ms = Some(completed);
                }
            }
        }
    }
    let missing: Vec<String> = status
        .active
        .iter()
        .filter(|name| !owned.iter().any(|job| &&job.key.name == name))
        .cloned()
        .collect();
    for name in missing {
        events.push(("Normal", "MissingJob", format!("Active job went missing: {name}")));
        status.active.retain(|active| active != &name);
    }

    let mut created: Option<(String, i64, String)> = None;
    let mut replace: Vec<String> = Vec::new();
    let mut requeue = None;
    let mut failed = false;
    // `syncCronJob` checks `spec.timeZone` with `time.LoadLocation` before anything else that
    // schedules, and stops there (without a requeue) when the zone is unknown.
    let zone = zone_of(settings.time_zone.as_deref());
    if let (None, Some(name)) = (&zone, settings.time_zone.as_deref()) {
        let reason = cron::load_location(name, &crate::tz::zone_exists)
            .err()
            .unwrap_or_else(|| format!("unknown time zone {name}"));
        events.push((
            "Warning",
            "UnknownTimeZone",
            format!("invalid timeZone: {}: {reason}", crate::gostr::go_quote(name)),
        ));
    }
    if let (Some(schedule), Some(zone)) = (&mut schedule, &zone) {
        let zone: &dyn TimeZone = zone.as_ref();
        let suspended = settings.suspend == Some(true);
        let earliest = to_unix(status.last_schedule_time_ms.unwrap_or(settings.creation_ms));
        if !suspended {
            let found = most_recent_schedule_time(schedule, earliest, now, settings.starting_deadline_seconds, zone);
            if found.never_fires {
                // `syncCronJob`: the error of `nextScheduleTime` as a warning, and no requeue
                // until the spec changes.
                let text = simulation
                    .store
                    .cron_jobs
                    .get(key)
                    .map(|cron_job| cron_job.spec.schedule.as_str());
                events.push((
                    "Warning",
                    "InvalidSchedule",
                    format!(
                        "invalid schedule: {} : time difference between two schedules is less than 1 second",
                        text.unwrap_or_default()
                    ),
                ));
            }
            if found.missed > MANY_MISSED {
                events.push((
                    "Warning",
                    "TooManyMissedTimes",
                    "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew"
                        .to_string(),
                ));
            }
            if let Some(scheduled) = found.most_recent {
                let too_late = settings
                    .starting_deadline_seconds
                    .is_some_and(|deadline| scheduled + deadline < now);
                let name = job_name(&key.name, scheduled);
                let policy = settings.concurrency_policy;
                if too_late {
                    events.push((
                        "Warning",
                        "MissSchedule",
                        format!("Missed scheduled time to start a job: {}", rfc1123z(scheduled)),
                    ));
                } else if status.active.contains(&name) || status.last_schedule_time_ms == Some(to_ms(scheduled)) {
                    // Already started for this time.
                } else if policy == "Forbid" && !status.active.is_empty() {
                    events.push((
                        "Normal",
                        "JobAlreadyActive",
                        "Not starting job because prior execution is running and concurrency policy is Forbid"
                            .to_string(),
                    ));
                } else {
                    if policy == "Replace" {
                        replace = std::mem::take(&mut status.active);
                    }
                    created = Some((name, scheduled, rfc3339(scheduled, zone)));
                }
            }
        }
        // `nextScheduleTimeDuration`: the schedule time after the most recent one (or after the
        // earliest, if none has come), plus 100ms. Both are the first schedule time after now.
        // A suspended CronJob is not requeued.
        if !suspended {
            if let Some(next) = schedule.next_after(now, zone) {
                requeue = Some((to_ms(next) + NEXT_SCHEDULE_DELTA_MS).saturating_sub(now_ms).max(1));
            }
        }
    }

    for (event_type, reason, message) in events {
        let decision = match reason {
            "JobAlreadyActive" => Some(CronDecision::HeldBack),
            "MissSchedule" => Some(CronDecision::Missed),
            _ => None,
        };
        if let Some(decision) = decision {
            simulation.history.record_cron(CronRecord {
                at_ms: simulation.now(),
                namespace: namespace.as_str().to_owned(),
                cron_job: key.name.clone(),
                decision,
                job: None,
            });
        }
        simulation.record_event(event_type, reason, object(key), &namespace, message, SOURCE);
    }
    for name in &replace {
        simulation.history.record_cron(CronRecord {
            at_ms: simulation.now(),
            namespace: namespace.as_str().to_owned(),
            cron_job: key.name.clone(),
            decision: CronDecision::Replaced,
            job: Some(name.clone()),
        });
    }
    for name in replace.iter().map(String::as_str) {
        if simulation.delete_job(&namespace, name, Cascade::Background).is_ok() {
            simulation.record_event(
                "Normal",
                "SuccessfulDelete",
                object(key),
                &namespace,
                crate::sim::EventPieces(["Deleted job ", name]),
                SOURCE,
            );
        }
    }
    let job = created.and_then(|(name, scheduled, scheduled_timestamp)| {
        let stored = simulation.store.cron_jobs.get(key)?;
        Some((
            job_from_template(stored, name.clone(), scheduled_timestamp),
            name,
            scheduled,
        ))
    });
    if let Some((job, name, scheduled)) = job {
        match simulation.create_job(job) {
            Ok(()) => {
                simulation.history.record_cron(CronRecord {
                    at_ms: simulation.now(),
                    namespace: namespace.as_str().to_owned(),
                    cron_job: key.name.clone(),
                    decision: CronDecision::Started,
                    job: Some(name.clone()),
                });
                simulation.record_event(
                    "Normal",
                    "SuccessfulCreate",
                    object(key),
                    &namespace,
                    crate::sim::EventPieces(["Created job ", &name]),
                    SOURCE,
                );
                status.active.push(name);
                status.last_schedule_time_ms = Some(to_ms(scheduled));
            }
            Err(crate::sim::CreateJobError::AlreadyExists) => {}
            // `syncCronJob`'s default error handling: a `FailedCreate` event, and the sync
            // fails, so the queue retries it with its rate limiter (no requeue-after).
            Err(crate::sim::CreateJobError::Forbidden(message)) => {
                simulation.record_event(
                    "Warning",
                    "FailedCreate",
                    object(key),
                    &namespace,
                    format!("Error creating job: {message}"),
                    SOURCE,
                );
                let work = crate::sim::Work::SyncCronJob(key.clone());
                requeue = Some(super::retry::failed(simulation, work, super::retry::CONTROLLER));
                failed = true;
            }
        }
    }
    if !failed {
        super::retry::succeeded(simulation, &crate::sim::Work::SyncCronJob(key.clone()));
    }
    // The write-back of the status taken at the start (no early return before this).
    if let Some(stored) = simulation.store.cron_jobs.get_mut(key) {
        if stored.metadata.uid == settings.uid {
            stored.status = status;
        }
    }
    requeue
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

    /// `syncCronJob`'s `else if IsJobSucceeded`: the sync that sees a listed Job finished takes
    /// it off `status.active` (SawCompletedJob); `lastSuccessfulTime` comes with the next sync.
    #[test]
    fn last_successful_time_is_set_by_the_sync_after_the_job_was_seen_finished() {
        let text = include_str!("../../../../tests/scenarios/sleep-cj-allow.yaml");
        let mut session = crate::session::Session::load(text, 3).expect("loads");
        let status = |session: &crate::session::Session| {
            let cron_job = session.simulation.cron_job("default", "sleep-cj").expect("sleep-cj");
            (cron_job.status.active.clone(), cron_job.status.last_successful_time_ms)
        };
        // The first run (created at 1m0.1s, its pod running 80s after a 1s pull) completes at
        // 2m22.1s, the Job controller's sync a second after its pod finished.
        session.advance_to(150_000).expect("plays");
        let (active, last_successful) = status(&session);
        assert!(!active.contains(&"sleep-cj-29453761".to_string()), "{active:?}");
        assert_eq!(last_successful, None);
        session.advance_to(181_000).expect("plays");
        assert_eq!(status(&session).1, Some(142_100));
    }

    /// `TestMostRecentScheduleTime`'s intent: none yet, one, several, and the starting deadline
    /// cutting the window.
    #[test]
    fn most_recent_schedule_times() {
        let every_minute = &mut ParsedSchedule::new(cron::parse_standard("* * * * *").unwrap());
        let found = most_recent_schedule_time(every_minute, T0, T0 + 30, None, &Utc);
        assert_eq!((found.most_recent, found.missed), (None, 0));
        let found = most_recent_schedule_time(every_minute, T0, T0 + 60, None, &Utc);
        assert_eq!((found.most_recent, found.missed), (Some(T0 + 60), 1));
        let found = most_recent_schedule_time(every_minute, T0, T0 + 10 * 60 + 5, None, &Utc);
        assert_eq!((found.most_recent, found.missed), (Some(T0 + 600), 10));
        let found = most_recent_schedule_time(every_minute, T0, T0 + 10 * 60 + 5, Some(150), &Utc);
        assert_eq!((found.most_recent, found.missed), (Some(T0 + 600), 3));
        let found = most_recent_schedule_time(every_minute, T0, T0 + 200 * 60, None, &Utc);
        assert!(found.missed > MANY_MISSED);
    }

    /// The remembered `Next` answers what a fresh search answers, whatever the order of the
    /// instants asked about: forwards, repeated, backwards, across zones and for `@every`.
    #[test]
    fn known_next_times_match_a_fresh_search() {
        let paris = crate::tz::zone("Europe/Paris").unwrap();
        let plus_five_thirty = cron::FixedOffset(19_800);
        let minus_seven = cron::FixedOffset(-25_200);
        let zones: [&dyn TimeZone; 4] = [&Utc, &paris, &plus_five_thirty, &minus_seven];
        for text in [
            "* * * * *",
            "*/7 3-5 * * 1",
            "30 2 29 2 *",
            "0 0 1 * *",
            "@every 90s",
            "@hourly",
        ] {
            let schedule = cron::parse_standard(text).unwrap();
            for zone in zones {
                let mut remembered = ParsedSchedule::new(schedule.clone());
                let mut at = T0 - 3_600;
                for step in 0..3_000_i64 {
                    // Mostly forwards by uneven steps, now and then back or in place.
                    at += match step % 11 {
                        0 => -4_000,
                        5 => 0,
                        _ => (step * 7_919) % 5_000,
                    };
                    assert_eq!(
                        remembered.next_after(at, zone),
                        schedule.next_after(at, zone),
                        "{text} in {} after {at}",
                        zone.name()
                    );
                }
            }
        }
    }

    #[test]
    fn job_names_and_timestamps() {
        assert_eq!(job_name("sleep-cj", T0 + 60), format!("sleep-cj-{}", (T0 + 60) / 60));
        // The digits written without the formatter: the same text as before, around zero too.
        for unix in [0, 59, 60, -1, -60, -61, -3_600_000_000] {
            assert_eq!(job_name("cj", unix), format!("cj-{}", unix.div_euclid(60)), "{unix}");
        }
        assert_eq!(rfc3339(T0 + 61, &Utc), "2026-01-01T00:01:01Z");
        let paris = crate::tz::zone("Europe/Paris").unwrap();
        assert_eq!(rfc3339(T0 + 61, &paris), "2026-01-01T01:01:01+01:00");
        let new_york = crate::tz::zone("America/New_York").unwrap();
        assert_eq!(rfc3339(T0, &new_york), "2025-12-31T19:00:00-05:00");
        assert_eq!(rfc1123z(T0), "Thu, 01 Jan 2026 00:00:00 +0000");
    }
}
