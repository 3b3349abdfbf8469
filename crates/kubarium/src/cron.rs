//! CronJob schedules as Kubernetes evaluates them: robfig/cron v3's standard parser, its
//! next-activation search, and the API server's messages for `spec.schedule` and `spec.timeZone`.
//!
//! Kubernetes vendors `github.com/robfig/cron/v3` v3.0.1. The API server validates
//! `spec.schedule` with `cron.ParseStandard` (`pkg/apis/batch/validation/validation.go`,
//! `validateScheduleFormat`), and the CronJob controller parses the same string with the same
//! function and walks activations with `Schedule.Next`
//! (`pkg/controller/cronjob/cronjob_controllerv2.go`, `syncCronJob`;
//! `pkg/controller/cronjob/utils.go`, `mostRecentScheduleTime`). This module is a line-by-line
//! port of the parts that matter:
//!
//! - [`parse_standard`] follows `parser.go` (`Parser.Parse`, `normalizeFields`, `getField`,
//!   `getRange`, `parseIntOrName`, `mustParseInt`, `getBits`, `parseDescriptor`) with the
//!   options `Minute | Hour | Dom | Month | Dow | Descriptor`, and returns the same error texts,
//!   including the ones Go's `strconv.Atoi` and `time.ParseDuration` produce.
//! - [`Schedule::next_after`] follows `spec.go` (`SpecSchedule.Next`, `dayMatches`) and
//!   `constantdelay.go` (`Every`, `ConstantDelaySchedule.Next`), including the five-year search
//!   limit and the way Go's `time.Date` resolves wall-clock times that a daylight-saving change
//!   skips or repeats.
//! - [`validate_schedule`], [`schedule_errors`] and [`validate_time_zone`] reproduce the API
//!   server's field errors.
//!
//! Time is counted in Unix seconds (UTC); a [`TimeZone`] supplies the offset in effect at an
//! instant, so zones whose offset changes (daylight saving) work through the same trait. The
//! calendar helpers ([`days_from_civil`], [`civil_from_days`]) use the proleptic Gregorian
//! calendar with no upper year limit, unlike the `cron` crate, which stops at 2100.
//!
//! The semantics differ from the `cron` crate and from Vixie cron in ways that matter for a
//! faithful simulation: there is no seconds field, day-of-week is 0-6 with 0 for Sunday (7 is
//! rejected), `?` is accepted in every field, `N/step` means `N-max/step`, and a day-of-month or
//! day-of-week field counts as "`*`" for the day-matching rule only when it starts with `*` or
//! `?` and its step is 1 (`*/2` is a restriction, so `*/2 ... 1` fires on odd days *or* Mondays).

use crate::gostr::go_quote;
use std::fmt;

/// The Unix time of Go's zero `time.Time` (January 1, year 1, 00:00:00 UTC), which robfig's
/// `SpecSchedule.Next` returns when it finds no activation.
pub const GO_ZERO_TIME_UNIX: i64 = -62_135_596_800;

/// The instants [`Schedule::next_after`] accepts, in seconds either side of the Unix epoch
/// (about three million years). Outside this range it returns `None` rather than overflow.
pub const SUPPORTED_UNIX_RANGE: i64 = 100_000_000_000_000;

/// A bound on the number of steps one search may take. robfig's search always ends within five
/// years; this cap only guards against a [`TimeZone`] whose offsets make wall-clock time run in
/// circles, so that a broken zone cannot hang the simulation.
const MAX_SEARCH_STEPS: u32 = 5_000_000;

/// The bit robfig sets on a field written as `*` or `?` (`spec.go`, `starBit`).
const STAR_BIT: u64 = 1 << 63;

const SECONDS_PER_MINUTE: i64 = 60;
const SECONDS_PER_HOUR: i64 = 3_600;
const SECONDS_PER_DAY: i64 = 86_400;
const NANOS_PER_SECOND: i64 = 1_000_000_000;

// ---------------------------------------------------------------------------------------------
// Time zones.
// ---------------------------------------------------------------------------------------------

/// A time zone: the offset from UTC in effect at each instant.
///
/// This is what robfig needs from Go's `*time.Location`: `Next` converts instants to wall-clock
/// fields with the offset in effect, and builds instants from wall-clock fields with
/// `time.Date`, which this module reproduces from `offset_at_utc` alone.
pub trait TimeZone {
    /// The offset from UTC, in seconds east of UTC, in effect at the given instant. It must
    /// answer for every instant, including ones far outside the zone's known changes, because
    /// `time.Date` probes instants that are off by up to the offset itself.
    fn offset_at_utc(&self, unix_seconds: i64) -> i32;
    /// The zone's name, such as `UTC` or `Europe/Paris`.
    fn name(&self) -> &str;
    /// The offset, when it is the same at every instant. `Schedule::next_after` then skips
    /// over seconds that cannot match instead of stepping through them (same result).
    fn fixed_offset(&self) -> Option<i32> {
        None
    }
}

/// Coordinated Universal Time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Utc;

impl TimeZone for Utc {
    fn offset_at_utc(&self, _unix_seconds: i64) -> i32 {
        0
    }

    fn name(&self) -> &str {
        "UTC"
    }

    fn fixed_offset(&self) -> Option<i32> {
        Some(0)
    }
}

/// A zone with a constant offset, in seconds east of UTC. Like Go's `time.FixedZone("", offset)`
/// it has no name, so [`TimeZone::name`] returns the empty string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FixedOffset(pub i32);

impl TimeZone for FixedOffset {
    fn offset_at_utc(&self, _unix_seconds: i64) -> i32 {
        self.0
    }

    fn name(&self) -> &str {
        ""
    }

    fn fixed_offset(&self) -> Option<i32> {
        Some(self.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Civil calendar.
//
// The helpers below are exact for years of magnitude below 10^11, far beyond any date a
// simulation meets. Past that the arithmetic wraps instead of panicking.
// ---------------------------------------------------------------------------------------------

/// Whether the year is a leap year of the proleptic Gregorian calendar.
pub fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days in a month (1-12) of a year; 0 for a month outside 1-12.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a date of the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`). A month outside 1-12 is clamped into it; a day past the end of the month
/// counts on linearly, so January 32 is February 1, as in Go's `time.Date`.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    days_from_civil_linear(year, i64::from(month.clamp(1, 12)), i64::from(day))
}

/// [`days_from_civil`] with a signed day, so that day 0 is the last day of the previous month.
fn days_from_civil_linear(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year.wrapping_sub(1) } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era.wrapping_mul(146_097).wrapping_add(day_of_era).wrapping_sub(719_468)
}

/// The date (year, month 1-12, day 1-31) of a count of days since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days.wrapping_add(719_468);
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Both values are small by construction: the month is 1-12 and the day 1-31.
    (year, month as u32, day as u32)
}

/// The day of the week of a count of days since 1970-01-01, with 0 for Sunday as in Go's
/// `time.Weekday` (1970-01-01 was a Thursday).
pub fn weekday_from_days(days: i64) -> u32 {
    // The value is in 0..7 by construction.
    ((days.rem_euclid(7) + 4) % 7) as u32
}

/// The Unix time of a UTC date and time. The month is clamped to 1-12 as in [`days_from_civil`];
/// a day, hour, minute or second out of range counts on linearly, as in Go's `time.Date`.
pub fn unix_from_civil(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> i64 {
    days_from_civil(year, month, day)
        .wrapping_mul(SECONDS_PER_DAY)
        .wrapping_add(i64::from(hour) * SECONDS_PER_HOUR + i64::from(minute) * SECONDS_PER_MINUTE + i64::from(second))
}

/// A date and time of day with its day of the week, as read on a clock in some zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CivilTime {
    pub year: i64,
    /// The month, 1-12.
    pub month: u32,
    /// The day of the month, 1-31.
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// The day of the week, 0 for Sunday.
    pub weekday: u32,
}

/// The wall-clock reading of an instant in a zone (Go's `t.In(loc)` followed by `t.Date()`,
/// `t.Clock()` and `t.Weekday()`).
pub fn civil_in_zone(unix_seconds: i64, zone: &dyn TimeZone) -> CivilTime {
    civil_from_local(unix_seconds.wrapping_add(i64::from(zone.offset_at_utc(unix_seconds))))
}

/// The wall-clock reading of a count of local seconds since 1970-01-01T00:00:00.
fn civil_from_local(local_seconds: i64) -> CivilTime {
    let days = local_seconds.div_euclid(SECONDS_PER_DAY);
    let second_of_day = local_seconds.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    // The three values below are in range by construction (second_of_day < 86400).
    CivilTime {
        year,
        month,
        day,
        hour: (second_of_day / SECONDS_PER_HOUR) as u32,
        minute: (second_of_day % SECONDS_PER_HOUR / SECONDS_PER_MINUTE) as u32,
        second: (second_of_day % SECONDS_PER_MINUTE) as u32,
        weekday: weekday_from_days(days),
    }
}

/// Go's `time.Date(year, month, day, hour, min, sec, 0, loc)`: fields out of range carry into
/// the next larger field, and a wall-clock time the zone skips or repeats resolves the way Go
/// resolves it.
///
/// Go (`time.go`, `Date`) looks up the offset at the wall-clock time read as if it were UTC,
/// subtracts it, and if the result falls outside that offset's period, looks the offset up
/// again at the result. Both lookups together equal `offset(u - offset(u))`: inside the same
/// period the second lookup returns the first offset. So a skipped time moves by the size of
/// the gap (02:30 in a spring-forward gap from +1 to +2 becomes 03:30), and a repeated time
/// takes the offset in effect after the change when the zone is east of UTC.
fn go_date(zone: &dyn TimeZone, year: i64, month: i64, day: i64, hour: i64, minute: i64, second: i64) -> i64 {
    let month_index = month - 1;
    let year = year + month_index.div_euclid(12);
    let month = month_index.rem_euclid(12) + 1;
    let days = days_from_civil_linear(year, month, 1) + (day - 1);
    let wall = days * SECONDS_PER_DAY + hour * SECONDS_PER_HOUR + minute * SECONDS_PER_MINUTE + second;
    let first_guess = i64::from(zone.offset_at_utc(wall));
    let offset = i64::from(zone.offset_at_utc(wall - first_guess));
    wall - offset
}

/// Go's `t.AddDate(years, months, days)`: the wall-clock fields of `t` with the date moved, put
/// back through [`go_date`].
fn go_add_date(zone: &dyn TimeZone, unix_seconds: i64, months: i64, days: i64) -> i64 {
    let civil = civil_in_zone(unix_seconds, zone);
    go_date(
        zone,
        civil.year,
        i64::from(civil.month) + months,
        i64::from(civil.day) + days,
        i64::from(civil.hour),
        i64::from(civil.minute),
        i64::from(civil.second),
    )
}

// ---------------------------------------------------------------------------------------------
// Errors.
// ---------------------------------------------------------------------------------------------

/// Why a schedule does not parse. `Display` renders robfig's message word for word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleError {
    /// `empty spec string` (`Parser.Parse`).
    EmptySpec,
    /// A `TZ=` or `CRON_TZ=` prefix with no space after it. robfig v3.0.1 slices
    /// `spec[eq+1 : -1]` there and panics (robfig/cron issues #470 and #554, Kubernetes issue
    /// #134320); this port returns an error carrying the panic's text instead.
    TimeZoneWithoutFields,
    /// `provided bad location <name>: <reason>`, where the reason is `time.LoadLocation`'s.
    BadLocation { name: String, reason: String },
    /// `expected exactly 5 fields, found <n>: [<fields>]` (`normalizeFields`).
    FieldCount { fields: Vec<String> },
    /// `too many hyphens: <expr>` (`getRange`).
    TooManyHyphens(String),
    /// `too many slashes: <expr>` (`getRange`).
    TooManySlashes(String),
    /// `beginning of range (<start>) below minimum (<min>): <expr>` (`getRange`).
    BelowMinimum { start: u64, min: u64, expr: String },
    /// `end of range (<end>) above maximum (<max>): <expr>` (`getRange`).
    AboveMaximum { end: u64, max: u64, expr: String },
    /// `beginning of range (<start>) beyond end of range (<end>): <expr>` (`getRange`).
    BeyondEnd { start: u64, end: u64, expr: String },
    /// `step of range should be a positive number: <expr>` (`getRange`).
    ZeroStep(String),
    /// `failed to parse int from <expr>: <strconv error>` (`mustParseInt`).
    ParseInt { expr: String, reason: String },
    /// `negative number (<n>) not allowed: <expr>` (`mustParseInt`).
    Negative { number: i64, expr: String },
    /// `failed to parse duration <descriptor>: <time error>` (`parseDescriptor`).
    Duration { descriptor: String, reason: String },
    /// `unrecognized descriptor: <descriptor>` (`parseDescriptor`).
    UnrecognizedDescriptor(String),
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScheduleError::EmptySpec => formatter.write_str("empty spec string"),
            ScheduleError::TimeZoneWithoutFields => {
                formatter.write_str("runtime error: slice bounds out of range [:-1]")
            }
            ScheduleError::BadLocation { name, reason } => {
                write!(formatter, "provided bad location {name}: {reason}")
            }
            ScheduleError::FieldCount { fields } => write!(
                formatter,
                "expected exactly 5 fields, found {}: [{}]",
                fields.len(),
                fields.join(" ")
            ),
            ScheduleError::TooManyHyphens(expr) => write!(formatter, "too many hyphens: {expr}"),
            ScheduleError::TooManySlashes(expr) => write!(formatter, "too many slashes: {expr}"),
            ScheduleError::BelowMinimum { start, min, expr } => {
                write!(formatter, "beginning of range ({start}) below minimum ({min}): {expr}")
            }
            ScheduleError::AboveMaximum { end, max, expr } => {
                write!(formatter, "end of range ({end}) above maximum ({max}): {expr}")
            }
            ScheduleError::BeyondEnd { start, end, expr } => write!(
                formatter,
                "beginning of range ({start}) beyond end of range ({end}): {expr}"
            ),
            ScheduleError::ZeroStep(expr) => {
                write!(formatter, "step of range should be a positive number: {expr}")
            }
            ScheduleError::ParseInt { expr, reason } => {
                write!(formatter, "failed to parse int from {expr}: {reason}")
            }
            ScheduleError::Negative { number, expr } => {
                write!(formatter, "negative number ({number}) not allowed: {expr}")
            }
            ScheduleError::Duration { descriptor, reason } => {
                write!(formatter, "failed to parse duration {descriptor}: {reason}")
            }
            ScheduleError::UnrecognizedDescriptor(descriptor) => {
                write!(formatter, "unrecognized descriptor: {descriptor}")
            }
        }
    }
}

impl std::error::Error for ScheduleError {}

// ---------------------------------------------------------------------------------------------
// Schedules and parsing.
// ---------------------------------------------------------------------------------------------

/// A parsed CronJob schedule: robfig's `*SpecSchedule` or `ConstantDelaySchedule`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    kind: Kind,
    /// The zone named by a `TZ=`/`CRON_TZ=` prefix, if the spec had one.
    location: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A crontab spec or a predefined descriptor (`@daily` and the like).
    Spec(SpecBits),
    /// `@every <duration>`, rounded to whole seconds, at least one second.
    Every { delay_seconds: i64 },
}

/// robfig's `SpecSchedule`: one bit per allowed value, plus [`STAR_BIT`] when the field was
/// written as `*` or `?` with a step of at most 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SpecBits {
    second: u64,
    minute: u64,
    hour: u64,
    dom: u64,
    month: u64,
    dow: u64,
}

/// A field's range and names (`spec.go`, `bounds`).
#[derive(Debug, Clone, Copy)]
struct Bounds {
    min: u64,
    max: u64,
    names: &'static [(&'static str, u64)],
}

const SECONDS: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
};
const MINUTES: Bounds = Bounds {
    min: 0,
    max: 59,
    names: &[],
};
const HOURS: Bounds = Bounds {
    min: 0,
    max: 23,
    names: &[],
};
const DOM: Bounds = Bounds {
    min: 1,
    max: 31,
    names: &[],
};
const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ],
};
const DOW: Bounds = Bounds {
    min: 0,
    max: 6,
    names: &[
        ("sun", 0),
        ("mon", 1),
        ("tue", 2),
        ("wed", 3),
        ("thu", 4),
        ("fri", 5),
        ("sat", 6),
    ],
};

/// Parses a schedule as `cron.ParseStandard` does, knowing no time zone beyond the ones Go's
/// `time.LoadLocation` resolves without a database (`""`, `UTC` and `Local`). Use
/// [`parse_standard_with_zones`] to accept other `TZ=` names.
pub fn parse_standard(spec: &str) -> Result<Schedule, ScheduleError> {
    parse_standard_with_zones(spec, &builtin_zone_exists)
}

/// Whether the built-in zone list knows a name. It knows none: the names `time.LoadLocation`
/// resolves without a database are handled before it is asked.
pub fn builtin_zone_exists(_name: &str) -> bool {
    false
}

/// Parses a schedule as `cron.ParseStandard` does (`parser.go`, `Parser.Parse` with
/// `Minute | Hour | Dom | Month | Dow | Descriptor`). `zone_exists` answers whether the time
/// zone database has a name, for a `TZ=`/`CRON_TZ=` prefix.
pub fn parse_standard_with_zones(spec: &str, zone_exists: &dyn Fn(&str) -> bool) -> Result<Schedule, ScheduleError> {
    if spec.is_empty() {
        return Err(ScheduleError::EmptySpec);
    }

    // Extract the time zone, if present. robfig ends the name at the first ASCII space and
    // panics when there is none.
    let mut spec = spec;
    let mut location = None;
    if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
        let space = spec.find(' ').ok_or(ScheduleError::TimeZoneWithoutFields)?;
        let equals = spec.find('=').unwrap_or(0);
        // Both prefixes put the first '=' before any space, so this slice always exists.
        let name = spec
            .get(equals + 1..space)
            .ok_or(ScheduleError::TimeZoneWithoutFields)?;
        load_location(name, zone_exists).map_err(|reason| ScheduleError::BadLocation {
            name: name.to_string(),
            reason,
        })?;
        location = Some(name.to_string());
        spec = spec[space..].trim();
    }

    // Handle named schedules (descriptors).
    if spec.starts_with('@') {
        let kind = parse_descriptor(spec)?;
        return Ok(Schedule { kind, location });
    }

    // Split on whitespace (Go's `strings.Fields` and Rust's `split_whitespace` split on the same
    // Unicode White_Space characters).
    let fields: Vec<&str> = spec.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(ScheduleError::FieldCount {
            fields: fields.iter().map(|field| field.to_string()).collect(),
        });
    }

    // The standard parser has no seconds field; `normalizeFields` fills in the default "0".
    let bits = SpecBits {
        second: get_field("0", SECONDS)?,
        minute: get_field(fields[0], MINUTES)?,
        hour: get_field(fields[1], HOURS)?,
        dom: get_field(fields[2], DOM)?,
        month: get_field(fields[3], MONTHS)?,
        dow: get_field(fields[4], DOW)?,
    };
    Ok(Schedule {
        kind: Kind::Spec(bits),
        location,
    })
}

/// `getField`: the bits of a comma-separated list of ranges. Empty list items are skipped, as
/// `strings.FieldsFunc` skips them, so a field of only commas allows no value at all.
fn get_field(field: &str, bounds: Bounds) -> Result<u64, ScheduleError> {
    let mut bits = 0;
    for expr in field.split(',').filter(|expr| !expr.is_empty()) {
        bits |= get_range(expr, bounds)?;
    }
    Ok(bits)
}

/// `getRange`: the bits of `number | number "-" number [ "/" number ]`, `*` or `?`.
fn get_range(expr: &str, bounds: Bounds) -> Result<u64, ScheduleError> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_and_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single_digit = low_and_high.len() == 1;

    // A star ignores anything after a hyphen: robfig accepts `*-5` as `*`.
    let (start, mut end, mut extra) = if low_and_high[0] == "*" || low_and_high[0] == "?" {
        (bounds.min, bounds.max, STAR_BIT)
    } else {
        let start = parse_int_or_name(low_and_high[0], bounds.names)?;
        let end = match low_and_high.len() {
            1 => start,
            2 => parse_int_or_name(low_and_high[1], bounds.names)?,
            _ => return Err(ScheduleError::TooManyHyphens(expr.to_string())),
        };
        (start, end, 0)
    };

    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = must_parse_int(range_and_step[1])?;
            // Special handling: "N/step" means "N-max/step".
            if single_digit {
                end = bounds.max;
            }
            // A step above 1 makes `*` an ordinary restriction for `dayMatches`.
            if step > 1 {
                extra = 0;
            }
            step
        }
        _ => return Err(ScheduleError::TooManySlashes(expr.to_string())),
    };

    if start < bounds.min {
        return Err(ScheduleError::BelowMinimum {
            start,
            min: bounds.min,
            expr: expr.to_string(),
        });
    }
    if end > bounds.max {
        return Err(ScheduleError::AboveMaximum {
            end,
            max: bounds.max,
            expr: expr.to_string(),
        });
    }
    if start > end {
        return Err(ScheduleError::BeyondEnd {
            start,
            end,
            expr: expr.to_string(),
        });
    }
    if step == 0 {
        return Err(ScheduleError::ZeroStep(expr.to_string()));
    }
    Ok(get_bits(start, end, step) | extra)
}

/// `parseIntOrName`: a name of the field (case-insensitive, with Go's `strings.ToLower`) or an
/// integer.
fn parse_int_or_name(expr: &str, names: &[(&str, u64)]) -> Result<u64, ScheduleError> {
    if !names.is_empty() {
        let lower = go_to_lower(expr);
        if let Some((_, value)) = names.iter().find(|(name, _)| *name == lower) {
            return Ok(*value);
        }
    }
    must_parse_int(expr)
}

/// `mustParseInt`: a non-negative integer as `strconv.Atoi` reads it.
fn must_parse_int(expr: &str) -> Result<u64, ScheduleError> {
    let number = go_atoi(expr).map_err(|reason| ScheduleError::ParseInt {
        expr: expr.to_string(),
        reason,
    })?;
    u64::try_from(number).map_err(|_| ScheduleError::Negative {
        number,
        expr: expr.to_string(),
    })
}

/// `getBits`: the bits from `min` to `max` inclusive, every `step`. The callers have checked
/// that `max` is at most 59 and `step` at least 1.
fn get_bits(min: u64, max: u64, step: u64) -> u64 {
    if step == 1 {
        return !(u64::MAX << (max + 1)) & (u64::MAX << min);
    }
    let mut bits = 0;
    let mut value = min;
    while value <= max {
        bits |= 1 << value;
        value = match value.checked_add(step) {
            Some(next) => next,
            None => break,
        };
    }
    bits
}

/// `all`: every value of the field, plus the star bit.
fn all(bounds: Bounds) -> u64 {
    get_bits(bounds.min, bounds.max, 1) | STAR_BIT
}

/// `parseDescriptor`: the predefined schedules and `@every <duration>`. The match is exact:
/// `@Daily` or `@daily ` (with a trailing space) is unrecognized.
fn parse_descriptor(descriptor: &str) -> Result<Kind, ScheduleError> {
    let first = |bounds: Bounds| 1u64 << bounds.min;
    let spec = |minute, hour, dom, month, dow| {
        Kind::Spec(SpecBits {
            second: first(SECONDS),
            minute,
            hour,
            dom,
            month,
            dow,
        })
    };
    match descriptor {
        "@yearly" | "@annually" => return Ok(spec(first(MINUTES), first(HOURS), first(DOM), first(MONTHS), all(DOW))),
        "@monthly" => return Ok(spec(first(MINUTES), first(HOURS), first(DOM), all(MONTHS), all(DOW))),
        "@weekly" => return Ok(spec(first(MINUTES), first(HOURS), all(DOM), all(MONTHS), first(DOW))),
        "@daily" | "@midnight" => return Ok(spec(first(MINUTES), first(HOURS), all(DOM), all(MONTHS), all(DOW))),
        "@hourly" => return Ok(spec(first(MINUTES), all(HOURS), all(DOM), all(MONTHS), all(DOW))),
        _ => {}
    }
    if let Some(duration) = descriptor.strip_prefix("@every ") {
        let nanos = go_parse_duration(duration).map_err(|reason| ScheduleError::Duration {
            descriptor: descriptor.to_string(),
            reason,
        })?;
        // `Every` (constantdelay.go): delays under a second become one second, and the rest is
        // truncated to whole seconds. A negative or zero duration therefore means one second.
        let nanos = nanos.max(NANOS_PER_SECOND);
        return Ok(Kind::Every {
            delay_seconds: nanos / NANOS_PER_SECOND,
        });
    }
    Err(ScheduleError::UnrecognizedDescriptor(descriptor.to_string()))
}

/// Go's `time.LoadLocation` as far as it can be decided without the database: the error texts
/// are `time: invalid location name` and `unknown time zone <name>` (`time/zoneinfo.go`,
/// `LoadLocation`; `time/zoneinfo_read.go`, `loadLocation`).
pub fn load_location(name: &str, zone_exists: &dyn Fn(&str) -> bool) -> Result<(), String> {
    if name.is_empty() || name == "UTC" || name == "Local" {
        return Ok(());
    }
    if name.contains("..") || name.starts_with('/') || name.starts_with('\\') {
        return Err("time: invalid location name".to_string());
    }
    if zone_exists(name) {
        Ok(())
    } else {
        Err(format!("unknown time zone {name}"))
    }
}

// ---------------------------------------------------------------------------------------------
// Next activation.
// ---------------------------------------------------------------------------------------------

impl Schedule {
    /// The first activation strictly after the instant, as robfig's `Schedule.Next` computes it,
    /// or `None` where robfig returns the zero time (no activation within five years) or the
    /// instant is outside [`SUPPORTED_UNIX_RANGE`].
    ///
    /// A crontab spec is evaluated on the wall clock of `zone`. In Kubernetes that zone is
    /// `spec.timeZone` when it is set (the controller prefixes the schedule with `TZ=`; see
    /// `formatSchedule`), the zone of a `TZ=` prefix written in the schedule itself (see
    /// [`Schedule::location`]), and otherwise the kube-controller-manager's local zone, usually
    /// UTC. `@every` ignores the zone and adds its delay.
    pub fn next_after(&self, unix_seconds: i64, zone: &dyn TimeZone) -> Option<i64> {
        if !(-SUPPORTED_UNIX_RANGE..=SUPPORTED_UNIX_RANGE).contains(&unix_seconds) {
            return None;
        }
        match self.kind {
            // `ConstantDelaySchedule.Next`: the instant plus the delay, on a whole second.
            Kind::Every { delay_seconds } => Some(unix_seconds + delay_seconds),
            Kind::Spec(bits) => next_spec(&bits, unix_seconds, zone),
        }
    }

    /// [`Schedule::next_after`] with robfig's zero time ([`GO_ZERO_TIME_UNIX`]) for "none", for
    /// code that ports Kubernetes' arithmetic on `Next`'s result (`mostRecentScheduleTime`
    /// subtracts two results and treats a difference under a second as an invalid schedule).
    pub fn next_or_zero(&self, unix_seconds: i64, zone: &dyn TimeZone) -> i64 {
        self.next_after(unix_seconds, zone).unwrap_or(GO_ZERO_TIME_UNIX)
    }

    /// The zone named by a `TZ=` or `CRON_TZ=` prefix, if the spec had one. The API server
    /// rejects such prefixes on create, but an object created before the rule may keep one.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The delay of an `@every` schedule, in whole seconds.
    pub fn every_seconds(&self) -> Option<i64> {
        match self.kind {
            Kind::Every { delay_seconds } => Some(delay_seconds),
            Kind::Spec(_) => None,
        }
    }
}

impl SpecBits {
    /// Whether the spec matches second 0 of every minute: every value of the other fields
    /// (written as `*` or as full ranges), so any day matches whichever day rule applies.
    fn every_minute(&self) -> bool {
        let values = |bits: u64| bits & !STAR_BIT;
        values(self.second) == 1
            && values(self.minute) == values(all(MINUTES))
            && values(self.hour) == values(all(HOURS))
            && values(self.dom) == values(all(DOM))
            && values(self.month) == values(all(MONTHS))
            && values(self.dow) == values(all(DOW))
    }

    /// Whether no instant can match because a field allows no value at all (a field such as
    /// `,`). robfig would search five years and return the zero time; the answer is the same.
    fn never_fires(&self) -> bool {
        let values = |bits: u64| bits & !STAR_BIT;
        if values(self.second) == 0 || values(self.minute) == 0 || values(self.hour) == 0 || values(self.month) == 0 {
            return true;
        }
        let (dom, dow) = (values(self.dom), values(self.dow));
        if self.day_rule_is_and() {
            dom == 0 || dow == 0
        } else {
            dom == 0 && dow == 0
        }
    }

    /// Whether `dayMatches` requires both day fields (when either was written as `*` or `?`)
    /// rather than either of them.
    fn day_rule_is_and(&self) -> bool {
        self.dom & STAR_BIT != 0 || self.dow & STAR_BIT != 0
    }

    /// `dayMatches` (spec.go).
    fn day_matches(&self, civil: &CivilTime) -> bool {
        let dom_match = self.dom & (1 << civil.day) != 0;
        let dow_match = self.dow & (1 << civil.weekday) != 0;
        if self.day_rule_is_and() {
            dom_match && dow_match
        } else {
            dom_match || dow_match
        }
    }
}

/// Counts one step of the search; `None` once the cap is reached.
fn take_step(steps: &mut u32) -> Option<()> {
    take_steps(steps, 1)
}

/// Counts `count` steps of the search at once; `None` if the cap is reached on the way.
fn take_steps(steps: &mut u32, count: u32) -> Option<()> {
    *steps = steps.saturating_add(count);
    (*steps <= MAX_SEARCH_STEPS).then_some(())
}

/// The wall-clock hour, minute and second of an instant: the fields of [`civil_in_zone`]
/// without the calendar arithmetic the search's inner loops do not need.
fn wall_hour(t: i64, zone: &dyn TimeZone) -> u32 {
    (local_seconds(t, zone).rem_euclid(SECONDS_PER_DAY) / SECONDS_PER_HOUR) as u32
}

fn wall_minute(t: i64, zone: &dyn TimeZone) -> u32 {
    (local_seconds(t, zone).rem_euclid(SECONDS_PER_HOUR) / SECONDS_PER_MINUTE) as u32
}

fn wall_second(t: i64, zone: &dyn TimeZone) -> u32 {
    local_seconds(t, zone).rem_euclid(SECONDS_PER_MINUTE) as u32
}

/// The instant read on the zone's clock, as seconds since 1970-01-01T00:00:00 local time.
fn local_seconds(t: i64, zone: &dyn TimeZone) -> i64 {
    t.wrapping_add(i64::from(zone.offset_at_utc(t)))
}

/// How many one-second steps the seconds loop of [`next_spec`] takes from wall second
/// `second` (which does not match) on a clock that does not change its offset: up to the next
/// allowed second of the same minute, or to the next minute (60 - `second`), where it wraps.
fn seconds_to_next_allowed(allowed: u64, second: u32) -> u32 {
    (second + 1..60)
        .find(|candidate| allowed & (1 << candidate) != 0)
        .unwrap_or(60)
        - second
}

/// `SpecSchedule.Next` (spec.go), statement for statement. Each field is checked in turn; when
/// it does not match, the time is reset to the start of that unit (once) and the unit is
/// incremented until it matches, and a wrap-around of the unit restarts the checks from the
/// month, because the larger fields must be verified again.
fn next_spec(bits: &SpecBits, after: i64, zone: &dyn TimeZone) -> Option<i64> {
    // Every minute (`* * * * *`) on a fixed offset: the start of the next minute on the zone's
    // clock, which the search below reaches by checking each field of that minute.
    if let (true, Some(offset)) = (bits.every_minute(), zone.fixed_offset()) {
        let local = after + i64::from(offset);
        return Some((local.div_euclid(SECONDS_PER_MINUTE) + 1) * SECONDS_PER_MINUTE - i64::from(offset));
    }
    search_spec(bits, after, zone)
}

/// `SpecSchedule.Next`'s search, field by field.
fn search_spec(bits: &SpecBits, after: i64, zone: &dyn TimeZone) -> Option<i64> {
    if bits.never_fires() {
        return None;
    }
    let wall = |t: i64| civil_in_zone(t, zone);
    let mut steps = 0;

    // Start at the earliest possible time (the upcoming second).
    let mut t = after + 1;
    // This flag indicates whether a field has been incremented.
    let mut added = false;
    // If no time is found within five years, return zero.
    let year_limit = wall(t).year + 5;

    'wrap: loop {
        take_step(&mut steps)?;
        if wall(t).year > year_limit {
            return None;
        }

        // Find the first applicable month. If it's this month, then do nothing.
        loop {
            let civil = wall(t);
            if bits.month & (1 << civil.month) != 0 {
                break;
            }
            take_step(&mut steps)?;
            if !added {
                added = true;
                // Set the date at the beginning, since the current time is irrelevant.
                t = go_date(zone, civil.year, i64::from(civil.month), 1, 0, 0, 0);
            }
            t = go_add_date(zone, t, 1, 0);
            // Wrapped around.
            if wall(t).month == 1 {
                continue 'wrap;
            }
        }

        // Now get a day in that month. A day may start at 01:00 or at 23:00 of the previous
        // day when a zone moves its clocks at midnight; robfig notices that the hour is not 0
        // and moves back or forward to the nearer midnight.
        loop {
            let civil = wall(t);
            if bits.day_matches(&civil) {
                break;
            }
            take_step(&mut steps)?;
            if !added {
                added = true;
                t = go_date(zone, civil.year, i64::from(civil.month), i64::from(civil.day), 0, 0, 0);
            }
            t = go_add_date(zone, t, 0, 1);
            // Add an hour if it's 23, subtract an hour if it's 1 (and so on).
            let hour = i64::from(wall(t).hour);
            if hour != 0 {
                if hour > 12 {
                    t += (24 - hour) * SECONDS_PER_HOUR;
                } else {
                    t -= hour * SECONDS_PER_HOUR;
                }
            }
            if wall(t).day == 1 {
                continue 'wrap;
            }
        }

        loop {
            if bits.hour & (1 << wall_hour(t, zone)) != 0 {
                break;
            }
            let civil = wall(t);
            take_step(&mut steps)?;
            if !added {
                added = true;
                t = go_date(
                    zone,
                    civil.year,
                    i64::from(civil.month),
                    i64::from(civil.day),
                    i64::from(civil.hour),
                    0,
                    0,
                );
            }
            t += SECONDS_PER_HOUR;
            if wall_hour(t, zone) == 0 {
                continue 'wrap;
            }
        }

        loop {
            if bits.minute & (1 << wall_minute(t, zone)) != 0 {
                break;
            }
            take_step(&mut steps)?;
            if !added {
                added = true;
                // `t.Truncate(time.Minute)` rounds the absolute time, not the wall clock. Go's
                // zero time is a whole number of minutes from the Unix epoch, so this is the
                // same as rounding the Unix time.
                t -= t.rem_euclid(SECONDS_PER_MINUTE);
            }
            t += SECONDS_PER_MINUTE;
            if wall_minute(t, zone) == 0 {
                continue 'wrap;
            }
        }

        loop {
            let second = wall_second(t, zone);
            if bits.second & (1 << second) != 0 {
                break;
            }
            // `t.Truncate(time.Second)` changes nothing on whole seconds.
            added = true;
            if zone.fixed_offset().is_some() {
                // The steps of one second each that Go takes, at once: on a clock that keeps
                // its offset, the wall second goes up by one per step.
                let skip = seconds_to_next_allowed(bits.second, second);
                take_steps(&mut steps, skip)?;
                t += i64::from(skip);
            } else {
                take_step(&mut steps)?;
                t += 1;
            }
            if wall_second(t, zone) == 0 {
                continue 'wrap;
            }
        }

        return Some(t);
    }
}

// ---------------------------------------------------------------------------------------------
// Descriptions.
// ---------------------------------------------------------------------------------------------

/// The fields a description names, with their units and value names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Minute,
    Hour,
    DayOfMonth,
    Month,
    DayOfWeek,
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const WEEKDAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

impl Field {
    fn bounds(self) -> Bounds {
        match self {
            Field::Minute => MINUTES,
            Field::Hour => HOURS,
            Field::DayOfMonth => DOM,
            Field::Month => MONTHS,
            Field::DayOfWeek => DOW,
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Field::Minute => "minute",
            Field::Hour => "hour",
            Field::DayOfMonth => "day-of-month",
            Field::Month => "month",
            Field::DayOfWeek => "day-of-week",
        }
    }

    /// Whether values are written as names (months and weekdays) rather than numbers.
    fn named(self) -> bool {
        matches!(self, Field::Month | Field::DayOfWeek)
    }

    fn value(self, value: u64) -> String {
        let index = usize::try_from(value).unwrap_or(usize::MAX);
        match self {
            Field::Month => MONTH_NAMES
                .get(index.wrapping_sub(1))
                .map_or_else(|| value.to_string(), |name| (*name).to_string()),
            Field::DayOfWeek => WEEKDAY_NAMES
                .get(index)
                .map_or_else(|| value.to_string(), |name| (*name).to_string()),
            _ => value.to_string(),
        }
    }
}

/// How one field reads in a description.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Phrase {
    /// Every value of the field is allowed.
    All,
    /// No value is allowed (a field of only commas).
    Empty,
    /// A single value.
    Single(u64),
    /// Anything else, worded.
    Text(String),
}

/// "1st", "2nd", "3rd", "4th", "11th", "21st"...
fn ordinal(number: u64) -> String {
    let suffix = match (number % 10, number % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{number}{suffix}")
}

/// Joins items as English does: "a", "a and b", "a, b, and c".
fn join_english(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [first, second] => format!("{first} and {second}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

fn phrase(bits: u64, field: Field) -> Phrase {
    let bounds = field.bounds();
    let values: Vec<u64> = (bounds.min..=bounds.max)
        .filter(|value| bits & (1 << value) != 0)
        .collect();
    let full = (bounds.max - bounds.min + 1) as usize;
    match values.as_slice() {
        [] => return Phrase::Empty,
        [only] => return Phrase::Single(*only),
        _ if values.len() == full => return Phrase::All,
        _ => {}
    }
    let (first, last) = (values[0], values[values.len() - 1]);
    let step = values[1] - values[0];
    let regular = values.windows(2).all(|pair| pair[1] - pair[0] == step);
    if regular && values.len() >= 3 {
        if step == 1 {
            return Phrase::Text(format!(
                "every {} from {} through {}",
                field.unit(),
                field.value(first),
                field.value(last)
            ));
        }
        // A progression that runs as far as the field allows reads "every Nth": `5/15` in the
        // minutes is "every 15th minute from 5 through 59".
        let every = format!("every {} {}", ordinal(step), field.unit());
        let reaches_end = last + step > bounds.max;
        if first == bounds.min && reaches_end {
            return Phrase::Text(every);
        }
        let through = if reaches_end { bounds.max } else { last };
        return Phrase::Text(format!(
            "{every} from {} through {}",
            field.value(first),
            field.value(through)
        ));
    }
    // A list: runs of three or more values read "a through b".
    let mut items = Vec::new();
    let mut index = 0;
    while index < values.len() {
        let mut end = index;
        while end + 1 < values.len() && values[end + 1] == values[end] + 1 {
            end += 1;
        }
        if end - index >= 2 {
            items.push(format!(
                "{} through {}",
                field.value(values[index]),
                field.value(values[end])
            ));
        } else {
            for value in &values[index..=end] {
                items.push(field.value(*value));
            }
        }
        index = end + 1;
    }
    let list = join_english(&items);
    if field.named() {
        Phrase::Text(list)
    } else {
        Phrase::Text(format!("{} {list}", field.unit()))
    }
}

/// The words for a field that is not `All` or `Empty`.
fn phrase_text(phrase: &Phrase, field: Field) -> Option<String> {
    match phrase {
        Phrase::Single(value) if field.named() => Some(field.value(*value)),
        Phrase::Single(value) => Some(format!("{} {}", field.unit(), field.value(*value))),
        Phrase::Text(text) => Some(text.clone()),
        Phrase::All | Phrase::Empty => None,
    }
}

/// Go's `time.Duration.String` for a whole, positive number of seconds: `1s`, `1m30s`, `2h0m0s`.
fn go_duration_string(seconds: i64) -> String {
    let (hours, minutes, rest) = (seconds / 3_600, seconds % 3_600 / 60, seconds % 60);
    if seconds < 60 {
        format!("{rest}s")
    } else if seconds < 3_600 {
        format!("{minutes}m{rest}s")
    } else {
        format!("{hours}h{minutes}m{rest}s")
    }
}

impl Schedule {
    /// A plain-English description in the style of crontab.guru, such as "At 09:00 on Monday."
    /// or "At every 15th minute.". When both day fields are restricted, robfig fires on a day
    /// that matches either of them, and the description says "or".
    pub fn describe(&self) -> String {
        let body = match self.kind {
            Kind::Every { delay_seconds } => {
                format!("Every {}", go_duration_string(delay_seconds))
            }
            Kind::Spec(bits) if bits.never_fires() => "Never".to_string(),
            Kind::Spec(bits) => describe_spec(&bits),
        };
        match self.location.as_deref() {
            Some("") => format!("{body} in time zone UTC."),
            Some(name) => format!("{body} in time zone {name}."),
            None => format!("{body}."),
        }
    }
}

fn describe_spec(bits: &SpecBits) -> String {
    let minute = phrase(bits.minute, Field::Minute);
    let hour = phrase(bits.hour, Field::Hour);
    let mut text = match (&minute, &hour) {
        (Phrase::Single(minute), Phrase::Single(hour)) => format!("At {hour:02}:{minute:02}"),
        _ => {
            let minutes = phrase_text(&minute, Field::Minute).unwrap_or_else(|| "every minute".to_string());
            match phrase_text(&hour, Field::Hour) {
                Some(hours) => format!("At {minutes} past {hours}"),
                None => format!("At {minutes}"),
            }
        }
    };

    let dom = phrase(bits.dom, Field::DayOfMonth);
    let dow = phrase(bits.dow, Field::DayOfWeek);
    let dom_text = phrase_text(&dom, Field::DayOfMonth);
    let dow_text = phrase_text(&dow, Field::DayOfWeek);
    if bits.day_rule_is_and() {
        // One of the two fields is `*`, so at most one of them restricts the day.
        for restriction in [dom_text, dow_text].into_iter().flatten() {
            text.push_str(" on ");
            text.push_str(&restriction);
        }
    } else if dom != Phrase::All && dow != Phrase::All {
        // Either field matching is enough; a field allowing every value makes every day match.
        match (dom_text, dow_text) {
            (Some(dom), Some(dow)) => text.push_str(&format!(" on {dom} or on {dow}")),
            (Some(only), None) | (None, Some(only)) => text.push_str(&format!(" on {only}")),
            (None, None) => {}
        }
    }

    if let Some(months) = phrase_text(&phrase(bits.month, Field::Month), Field::Month) {
        text.push_str(" in ");
        text.push_str(&months);
    }
    text
}

// ---------------------------------------------------------------------------------------------
// API server validation.
// ---------------------------------------------------------------------------------------------

/// The message robfig gives for a schedule, as the API server checks it on create: `Ok` when
/// `cron.ParseStandard` accepts the schedule and it has no `TZ`, otherwise the detail kubectl
/// prints after `spec.schedule: Invalid value: "<schedule>": `, for example
/// `end of range (60) above maximum (59): 0-60` or
/// `cannot use TZ or CRON_TZ in schedule, use timeZone field instead`.
///
/// When both checks fail, the parse error comes first, as in `validateScheduleFormat`;
/// [`schedule_errors`] returns every error. An empty schedule never reaches the parser in the
/// API server (it is `Required value`); here it gives robfig's `empty spec string`.
pub fn validate_schedule(spec: &str) -> Result<(), String> {
    parse_standard(spec).map_err(|error| error.to_string())?;
    if spec.contains("TZ") {
        return Err(TZ_IN_SCHEDULE.to_string());
    }
    Ok(())
}

/// `validateScheduleFormat`'s rejection of a `TZ` prefix on create.
const TZ_IN_SCHEDULE: &str = "cannot use TZ or CRON_TZ in schedule, use timeZone field instead";
/// `validateScheduleFormat`'s rejection of a `TZ` prefix next to `spec.timeZone` on update.
const TZ_AND_TIME_ZONE: &str = "cannot use both timeZone field and TZ or CRON_TZ in schedule";

/// The field errors of `spec.schedule`, rendered as kubectl prints them
/// (`spec.schedule: Invalid value: "0-60 * * * *": end of range (60) above maximum (59): 0-60`).
///
/// This ports the schedule part of `validateCronJobSpec` and `validateScheduleFormat`
/// (`pkg/apis/batch/validation/validation.go`): an empty schedule is `Required value`; otherwise
/// a parse error and a `TZ` error can both be reported. `allow_tz_in_schedule` is true on an
/// update whose old schedule contained `TZ`; `time_zone_set` says whether `spec.timeZone` is set.
pub fn schedule_errors(
    spec: &str,
    allow_tz_in_schedule: bool,
    time_zone_set: bool,
    zone_exists: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    const FIELD: &str = "spec.schedule";
    if spec.is_empty() {
        return vec![format!("{FIELD}: Required value")];
    }
    let invalid = |detail: &str| format!("{FIELD}: Invalid value: {}: {detail}", go_quote(spec));
    let mut errors = Vec::new();
    if let Err(error) = parse_standard_with_zones(spec, zone_exists) {
        errors.push(invalid(&error.to_string()));
    }
    let has_tz = spec.contains("TZ");
    if allow_tz_in_schedule && has_tz && time_zone_set {
        errors.push(invalid(TZ_AND_TIME_ZONE));
    } else if !allow_tz_in_schedule && has_tz {
        errors.push(invalid(TZ_IN_SCHEDULE));
    }
    errors
}

/// The field errors of `spec.timeZone` (`validateTimeZone`), rendered as kubectl prints them,
/// for example `spec.timeZone: Invalid value: "Europe/Pariss": unknown time zone Europe/Pariss`.
pub fn validate_time_zone(time_zone: Option<&str>, zone_exists: &dyn Fn(&str) -> bool) -> Vec<String> {
    const FIELD: &str = "spec.timeZone";
    let Some(zone) = time_zone else {
        return Vec::new();
    };
    let invalid = |detail: &str| format!("{FIELD}: Invalid value: {}: {detail}", go_quote(zone));
    if zone.is_empty() {
        return vec![invalid("timeZone must be nil or non-empty string")];
    }
    // Each part must match `^[A-Za-z\.\-_0-9+]{1,14}$`, must not be `.` or `..` and must not start
    // with `-`.
    let part_is_valid = |part: &str| {
        (1..=14).contains(&part.len())
            && part
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b".-_+".contains(&byte))
            && part != "."
            && part != ".."
            && !part.starts_with('-')
    };
    if !zone.split('/').all(part_is_valid) {
        return vec![invalid(&format!("unknown time zone {zone}"))];
    }
    let mut errors = Vec::new();
    if zone.eq_ignore_ascii_case("Local") {
        errors.push(invalid(
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
        ));
    }
    if let Err(reason) = load_location(zone, zone_exists) {
        errors.push(invalid(&reason));
    }
    errors
}

/// Renders field errors as a `utilerrors.Aggregate` prints them
/// (`k8s.io/apimachinery/pkg/util/errors`): duplicates dropped, one error alone, several in
/// brackets separated by `, `. This is the text kubectl shows after
/// `The CronJob "<name>" is invalid: `.
pub fn aggregate_errors(errors: &[String]) -> Option<String> {
    let mut unique: Vec<&str> = Vec::new();
    for error in errors {
        if !unique.contains(&error.as_str()) {
            unique.push(error);
        }
    }
    match unique.as_slice() {
        [] => None,
        [only] => Some((*only).to_string()),
        many => Some(format!("[{}]", many.join(", "))),
    }
}

// ---------------------------------------------------------------------------------------------
// Go library behaviour the messages depend on.
// ---------------------------------------------------------------------------------------------

/// Go's `strings.ToLower` as far as name matching needs it: simple lowercase mapping per
/// character. Rust's full mapping turns `İ` (U+0130) into two characters where Go gives `i`.
fn go_to_lower(text: &str) -> String {
    text.chars()
        .map(|character| {
            if character == '\u{130}' {
                return 'i';
            }
            let mut lower = character.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(single), None) => single,
                _ => character,
            }
        })
        .collect()
}

/// Go's `strconv.Atoi` on a 64-bit platform, with its error text
/// (`strconv.Atoi: parsing "x": invalid syntax` or `...: value out of range`).
fn go_atoi(text: &str) -> Result<i64, String> {
    let syntax = || format!("strconv.Atoi: parsing {}: invalid syntax", go_quote(text));
    let range = || format!("strconv.Atoi: parsing {}: value out of range", go_quote(text));
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    if (1..19).contains(&bytes.len()) {
        // The fast path for small integers that fit an int.
        if digits.is_empty() {
            return Err(syntax());
        }
        let mut number: i64 = 0;
        for byte in digits {
            let digit = byte.wrapping_sub(b'0');
            if digit > 9 {
                return Err(syntax());
            }
            number = number * 10 + i64::from(digit);
        }
        return Ok(if negative { -number } else { number });
    }
    // The slow path: `ParseInt(s, 10, 0)` over `ParseUint`, which reports an overflow as soon
    // as it happens, before looking at the remaining characters.
    if digits.is_empty() {
        return Err(syntax());
    }
    let mut magnitude: u64 = 0;
    let mut overflowed = false;
    for byte in digits {
        if !byte.is_ascii_digit() {
            return Err(syntax());
        }
        match magnitude
            .checked_mul(10)
            .and_then(|value| value.checked_add(u64::from(byte - b'0')))
        {
            Some(value) => magnitude = value,
            None => {
                overflowed = true;
                break;
            }
        }
    }
    let cutoff = 1u64 << 63;
    if overflowed || (!negative && magnitude >= cutoff) || (negative && magnitude > cutoff) {
        return Err(range());
    }
    // The magnitude is at most 2^63 here; 2^63 only when negative, which wraps to i64::MIN.
    let value = magnitude as i64;
    Ok(if negative { value.wrapping_neg() } else { value })
}

/// Go's `time.ParseDuration` (`time/format.go`), in nanoseconds, with its error texts.
fn go_parse_duration(original: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", go_time_quote(original));
    const LIMIT: u64 = 1 << 63;
    let mut rest = original;
    let mut total: u64 = 0;
    let mut negative = false;

    // Consume [-+]?
    if let Some(sign @ (b'-' | b'+')) = rest.as_bytes().first().copied() {
        negative = sign == b'-';
        rest = &rest[1..];
    }
    // Special case: if all that is left is "0", this is zero.
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    while !rest.is_empty() {
        // The next character must be [0-9.].
        let first = rest.as_bytes()[0];
        if !(first == b'.' || first.is_ascii_digit()) {
            return Err(invalid());
        }
        // Consume [0-9]*.
        let before = rest.len();
        let (mut value, after) = go_leading_int(rest).ok_or_else(invalid)?;
        rest = after;
        let pre = before != rest.len();

        // Consume (\.[0-9]*)?.
        let mut post = false;
        let (mut fraction, mut scale) = (0u64, 1f64);
        if rest.as_bytes().first() == Some(&b'.') {
            rest = &rest[1..];
            let before = rest.len();
            let (digits, digits_scale, after) = go_leading_fraction(rest);
            (fraction, scale, rest) = (digits, digits_scale, after);
            post = before != rest.len();
        }
        if !pre && !post {
            // No digits (e.g. ".s" or "-.s").
            return Err(invalid());
        }

        // Consume the unit: everything up to the next '.' or digit.
        let unit_length = rest
            .bytes()
            .position(|byte| byte == b'.' || byte.is_ascii_digit())
            .unwrap_or(rest.len());
        if unit_length == 0 {
            return Err(format!("time: missing unit in duration {}", go_time_quote(original)));
        }
        let unit_name = &rest[..unit_length];
        rest = &rest[unit_length..];
        let unit: u64 = match unit_name {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    go_time_quote(unit_name),
                    go_time_quote(original)
                ))
            }
        };
        if value > LIMIT / unit {
            return Err(invalid());
        }
        value *= unit;
        if fraction > 0 {
            // Go computes the fraction in float64, to be nanosecond accurate for hours.
            value += (fraction as f64 * (unit as f64 / scale)) as u64;
            if value > LIMIT {
                return Err(invalid());
            }
        }
        // Go adds in uint64 and checks afterwards, so 2^63 + 2^63 wraps to 0 unnoticed.
        total = total.wrapping_add(value);
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if negative {
        return Ok((total as i64).wrapping_neg());
    }
    if total > LIMIT - 1 {
        return Err(invalid());
    }
    Ok(total as i64)
}

/// `leadingInt` (`time/format.go`): the leading `[0-9]*`, or `None` on overflow.
fn go_leading_int(text: &str) -> Option<(u64, &str)> {
    let mut value: u64 = 0;
    let mut length = 0;
    for byte in text.bytes() {
        if !byte.is_ascii_digit() {
            break;
        }
        if value > (1 << 63) / 10 {
            return None;
        }
        value = value * 10 + u64::from(byte - b'0');
        if value > 1 << 63 {
            return None;
        }
        length += 1;
    }
    Some((value, &text[length..]))
}

/// `leadingFraction` (`time/format.go`): the leading `[0-9]*` of a fraction, its scale, and the
/// rest. Digits past the precision of a uint64 are consumed and ignored.
fn go_leading_fraction(text: &str) -> (u64, f64, &str) {
    let mut value: u64 = 0;
    let mut scale = 1f64;
    let mut overflow = false;
    let mut length = 0;
    for byte in text.bytes() {
        if !byte.is_ascii_digit() {
            break;
        }
        length += 1;
        if overflow {
            continue;
        }
        if value > ((1u64 << 63) - 1) / 10 {
            overflow = true;
            continue;
        }
        let next = value * 10 + u64::from(byte - b'0');
        if next > 1 << 63 {
            overflow = true;
            continue;
        }
        value = next;
        scale *= 10.0;
    }
    (value, scale, &text[length..])
}

/// The private `quote` of Go's `time` package, used in `ParseDuration`'s errors: every byte of
/// a non-ASCII or control character (below space) becomes `\xNN`, and `"` and `\` get a
/// backslash.
fn go_time_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        if (character as u32) < 0x20 || !character.is_ascii() {
            let mut buffer = [0u8; 4];
            for byte in character.encode_utf8(&mut buffer).bytes() {
                quoted.push_str(&format!("\\x{byte:02x}"));
            }
        } else {
            if character == '"' || character == '\\' {
                quoted.push('\\');
            }
            quoted.push(character);
        }
    }
    quoted.push('"');
    quoted
}

// ---------------------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// The every-minute shortcut answers what the field-by-field search answers, for specs
    /// that mean every minute (and one that does not: seconds other than 0 come from
    /// `@every`, which never reaches the shortcut), on fixed offsets including odd ones.
    #[test]
    fn every_minute_shortcut_matches_the_search() {
        for (text, every_minute) in [
            ("* * * * *", true),
            ("0-59 0-23 1-31 1-12 0-6", true),
            ("* * * * 0-6", true),
            ("*/1 * ? * *", true),
            ("* * * * 1-5", false),
            ("*/2 * * * *", false),
            ("* * 1-30 * *", false),
        ] {
            let Kind::Spec(bits) = parse_standard(text).unwrap().kind else {
                panic!("{text} is a spec");
            };
            assert_eq!(bits.every_minute(), every_minute, "{text}");
            for offset in [0, 59, -25_200, 19_800, 50_400, -43_199] {
                let zone = FixedOffset(offset);
                let spread = (0..400_i64).map(|step| -4_000_000_000 + step * 21_600_017 + step % 7);
                // On, just before and just after a minute of UTC and of the zone's clock.
                let edges = [-61, -60, -59, -1, 0, 1, 59, 60, 61].map(|edge| edge - i64::from(offset));
                for after in spread.chain(edges).chain(edges.map(|edge| edge + i64::from(offset))) {
                    assert_eq!(
                        next_spec(&bits, after, &zone),
                        search_spec(&bits, after, &zone),
                        "{text} at offset {offset} after {after}"
                    );
                }
            }
        }
    }

    /// A zone with one change of offset, for daylight-saving tests.
    #[derive(Debug)]
    struct OneChangeZone {
        name: &'static str,
        change_at: i64,
        before: i32,
        after: i32,
    }

    impl TimeZone for OneChangeZone {
        fn offset_at_utc(&self, unix_seconds: i64) -> i32 {
            if unix_seconds < self.change_at {
                self.before
            } else {
                self.after
            }
        }

        fn name(&self) -> &str {
            self.name
        }
    }

    /// A zone whose offset grows by an hour every hour: wall-clock time that never settles.
    #[derive(Debug)]
    struct RunawayZone;

    impl TimeZone for RunawayZone {
        fn offset_at_utc(&self, unix_seconds: i64) -> i32 {
            (unix_seconds.rem_euclid(1 << 20) as i32).wrapping_mul(3_600)
        }

        fn name(&self) -> &str {
            "Runaway"
        }
    }

    const HOUR: i32 = 3_600;

    /// Central Europe in 2024: +1 until 2024-03-31T01:00Z, then +2.
    fn spring_forward() -> OneChangeZone {
        OneChangeZone {
            name: "Test/SpringForward",
            change_at: utc(2024, 3, 31, 1, 0, 0),
            before: HOUR,
            after: 2 * HOUR,
        }
    }

    /// Central Europe in 2024: +2 until 2024-10-27T01:00Z, then +1.
    fn fall_back() -> OneChangeZone {
        OneChangeZone {
            name: "Test/FallBack",
            change_at: utc(2024, 10, 27, 1, 0, 0),
            before: 2 * HOUR,
            after: HOUR,
        }
    }

    /// São Paulo in 2018: -3 until 2018-11-04T03:00Z, then -2, so local midnight of
    /// November 4 does not exist.
    fn midnight_gap() -> OneChangeZone {
        OneChangeZone {
            name: "Test/MidnightGap",
            change_at: utc(2018, 11, 4, 3, 0, 0),
            before: -3 * HOUR,
            after: -2 * HOUR,
        }
    }

    fn utc(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> i64 {
        unix_from_civil(year, month, day, hour, minute, second)
    }

    /// An instant given as a wall-clock reading plus the offset in effect then.
    fn local(year: i64, month: u32, day: u32, hour: u32, minute: u32, offset: i32) -> i64 {
        utc(year, month, day, hour, minute, 0) - i64::from(offset)
    }

    fn iso(unix_seconds: i64) -> String {
        crate::time::format_rfc3339(unix_seconds, 0)
    }

    fn parse(spec: &str) -> Schedule {
        match parse_standard(spec) {
            Ok(schedule) => schedule,
            Err(error) => panic!("{spec:?} should parse: {error}"),
        }
    }

    fn bits(spec: &str) -> SpecBits {
        match parse(spec).kind {
            Kind::Spec(bits) => bits,
            Kind::Every { .. } => panic!("{spec:?} is not a crontab spec"),
        }
    }

    /// The values of a field, without the star bit.
    fn values(field_bits: u64) -> Vec<u64> {
        (0..63).filter(|value| field_bits & (1 << value) != 0).collect()
    }

    /// The activations after `start`, `count` of them (fewer if the schedule stops).
    fn sequence(schedule: &Schedule, start: i64, count: usize, zone: &dyn TimeZone) -> Vec<i64> {
        let mut out = Vec::new();
        let mut t = start;
        while out.len() < count {
            match schedule.next_after(t, zone) {
                Some(next) => {
                    out.push(next);
                    t = next;
                }
                None => break,
            }
        }
        out
    }

    #[test]
    fn civil_round_trips_over_a_wide_range() {
        // Every day from year -1000 to 3000 in steps, plus far-future dates beyond 2100.
        let mut days = days_from_civil(-1000, 1, 1);
        let end = days_from_civil(3000, 1, 1);
        while days < end {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
            assert!(day >= 1 && day <= days_in_month(year, month));
            days += 37;
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(unix_from_civil(2026, 1, 1, 0, 0, 0), 1_767_225_600);
        assert_eq!(unix_from_civil(1, 1, 1, 0, 0, 0), GO_ZERO_TIME_UNIX);
        assert_eq!(civil_from_days(days_from_civil(2400, 2, 29)), (2400, 2, 29));
        assert_eq!(civil_from_days(days_from_civil(2100, 2, 29)), (2100, 3, 1));
        assert_eq!(civil_from_days(days_from_civil(1_000_000, 12, 31)), (1_000_000, 12, 31));
        // 2024-06-02 was a Sunday, 1970-01-01 a Thursday, 2101-01-01 a Saturday.
        assert_eq!(weekday_from_days(days_from_civil(2024, 6, 2)), 0);
        assert_eq!(weekday_from_days(0), 4);
        assert_eq!(weekday_from_days(days_from_civil(2101, 1, 1)), 6);
        assert!(is_leap_year(2000) && is_leap_year(2400) && !is_leap_year(2100));
    }

    #[test]
    fn parses_what_robfig_accepts() {
        struct Case {
            spec: &'static str,
            minute: &'static [u64],
            hour: &'static [u64],
            dom: &'static [u64],
            month: &'static [u64],
            dow: &'static [u64],
            dom_star: bool,
            dow_star: bool,
        }
        const ALL_MIN: &[u64] = &[
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
            29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55,
            56, 57, 58, 59,
        ];
        const ALL_HOUR: &[u64] = &[
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
        ];
        const ALL_DOM: &[u64] = &[
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
            30, 31,
        ];
        const ALL_MONTH: &[u64] = &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        const ALL_DOW: &[u64] = &[0, 1, 2, 3, 4, 5, 6];
        let cases = [
            Case {
                spec: "* * * * *",
                minute: ALL_MIN,
                hour: ALL_HOUR,
                dom: ALL_DOM,
                month: ALL_MONTH,
                dow: ALL_DOW,
                dom_star: true,
                dow_star: true,
            },
            Case {
                spec: "? ? ? ? ?",
                minute: ALL_MIN,
                hour: ALL_HOUR,
                dom: ALL_DOM,
                month: ALL_MONTH,
                dow: ALL_DOW,
                dom_star: true,
                dow_star: true,
            },
            Case {
                spec: "*/15 * * * *",
                minute: &[0, 15, 30, 45],
                hour: ALL_HOUR,
                dom: ALL_DOM,
                month: ALL_MONTH,
                dow: ALL_DOW,
                dom_star: true,
                dow_star: true,
            },
            Case {
                spec: "5/15 * * * *",
                minute: &[5, 20, 35, 50],
                hour: ALL_HOUR,
                dom: ALL_DOM,
                month: ALL_MONTH,
                dow: ALL_DOW,
                dom_star: true,
                dow_star: true,
            },
            Case {
                spec: "0 9-17/4 * * 1-5",
                minute: &[0],
                hour: &[9, 13, 17],
                dom: ALL_DOM,
                month: ALL_MONTH,
                dow: &[1, 2, 3, 4, 5],
                dom_star: true,
                dow_star: false,
            },
            Case {
                spec: "0 0 1,15 * *",
                minute: &[0],
                hour: &[0],
                dom: &[1, 15],
                month: ALL_MONTH,
                dow: ALL_DOW,
                dom_star: false,
                dow_star: true,
            },
            Case {
                spec: "0 0 * JAN-mar *",
                minute: &[0],
                hour: &[0],
                dom: ALL_DOM,
                month: &[1, 2, 3],
                dow: ALL_DOW,
                dom_star: true,
                dow_star: true,
            },
            Case {
                spec: "0 0 * * sun,SAT",
                minute: &[0],
                hour: &[0],
                dom: ALL_DOM,
                month: ALL_MONTH,
                dow: &[0, 6],
                dom_star: true,
                dow_star: false,
            },
            // A star ignores what follows a hyphen.
            Case {
                spec: "*-5 * * * *",
                minute: ALL_MIN,
                hour: ALL_HOUR,
                dom: ALL_DOM,
                month: ALL_MONTH,
                dow: ALL_DOW,
                dom_star: true,
                dow_star: true,
            },
            // strconv.Atoi accepts a plus sign.
            Case {
                spec: "+5 * * * *",
                minute: &[5],
                hour: ALL_HOUR,
                dom: ALL_DOM,
                month: ALL_MONTH,
                dow: ALL_DOW,
                dom_star: true,
                dow_star: true,
            },
            // A step larger than the range keeps only the first value.
            Case {
                spec: "*/61 * * * *",
                minute: &[0],
                hour: ALL_HOUR,
                dom: ALL_DOM,
                month: ALL_MONTH,
                dow: ALL_DOW,
                dom_star: true,
                dow_star: true,
            },
            // `*/1` keeps the star bit; `*/2` drops it.
            Case {
                spec: "0 0 */2 * */1",
                minute: &[0],
                hour: &[0],
                dom: &[1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31],
                month: ALL_MONTH,
                dow: ALL_DOW,
                dom_star: false,
                dow_star: true,
            },
            // A field of commas only allows nothing, and empty list items are skipped.
            Case {
                spec: ", 1,,2 * * *",
                minute: &[],
                hour: &[1, 2],
                dom: ALL_DOM,
                month: ALL_MONTH,
                dow: ALL_DOW,
                dom_star: true,
                dow_star: true,
            },
            // Go's simple lowercase maps U+0130 to "i", so "FRİ" names Friday.
            Case {
                spec: "0 0 * * FR\u{130}",
                minute: &[0],
                hour: &[0],
                dom: ALL_DOM,
                month: ALL_MONTH,
                dow: &[5],
                dom_star: true,
                dow_star: false,
            },
            Case {
                spec: " 0\t0 \u{a0}1 1 *\n",
                minute: &[0],
                hour: &[0],
                dom: &[1],
                month: &[1],
                dow: ALL_DOW,
                dom_star: false,
                dow_star: true,
            },
            Case {
                spec: "@yearly",
                minute: &[0],
                hour: &[0],
                dom: &[1],
                month: &[1],
                dow: ALL_DOW,
                dom_star: false,
                dow_star: true,
            },
            Case {
                spec: "@annually",
                minute: &[0],
                hour: &[0],
                dom: &[1],
                month: &[1],
                dow: ALL_DOW,
                dom_star: false,
                dow_star: true,
            },
            Case {
                spec: "@monthly",
                minute: &[0],
                hour: &[0],
                dom: &[1],
                month: ALL_MONTH,
                dow: ALL_DOW,
                dom_star: false,
                dow_star: true,
            },
            Case {
                spec: "@weekly",
                minute: &[0],
                hour: &[0],
                dom: ALL_DOM,
                month: ALL_MONTH,
                dow: &[0],
                dom_star: true,
                dow_star: false,
            },
            Case {
                spec: "@daily",
                minute: &[0],
                hour: &[0],
                dom: ALL_DOM,
                month: ALL_MONTH,
                dow: ALL_DOW,
                dom_star: true,
                dow_star: true,
            },
            Case {
                spec: "@midnight",
                minute: &[0],
                hour: &[0],
                dom: ALL_DOM,
                month: ALL_MONTH,
                dow: ALL_DOW,
                dom_star: true,
                dow_star: true,
            },
            Case {
                spec: "@hourly",
                minute: &[0],
                hour: ALL_HOUR,
                dom: ALL_DOM,
                month: ALL_MONTH,
                dow: ALL_DOW,
                dom_star: true,
                dow_star: true,
            },
            Case {
                spec: "TZ=UTC 30 2 * * *",
                minute: &[30],
                hour: &[2],
                dom: ALL_DOM,
                month: ALL_MONTH,
                dow: ALL_DOW,
                dom_star: true,
                dow_star: true,
            },
        ];
        for case in &cases {
            let parsed = bits(case.spec);
            assert_eq!(values(parsed.second), [0], "{:?} seconds", case.spec);
            assert_eq!(
                values(parsed.minute & !STAR_BIT),
                case.minute,
                "{:?} minutes",
                case.spec
            );
            assert_eq!(values(parsed.hour & !STAR_BIT), case.hour, "{:?} hours", case.spec);
            assert_eq!(
                values(parsed.dom & !STAR_BIT),
                case.dom,
                "{:?} days of month",
                case.spec
            );
            assert_eq!(values(parsed.month & !STAR_BIT), case.month, "{:?} months", case.spec);
            assert_eq!(values(parsed.dow & !STAR_BIT), case.dow, "{:?} days of week", case.spec);
            assert_eq!(parsed.dom & STAR_BIT != 0, case.dom_star, "{:?} dom star", case.spec);
            assert_eq!(parsed.dow & STAR_BIT != 0, case.dow_star, "{:?} dow star", case.spec);
        }
        assert_eq!(parse("TZ=UTC 30 2 * * *").location(), Some("UTC"));
        assert_eq!(parse("CRON_TZ= @daily").location(), Some(""));
        assert_eq!(parse("0 0 * * *").location(), None);
    }

    #[test]
    fn every_rounds_like_constant_delay_schedule() {
        struct Case {
            spec: &'static str,
            seconds: i64,
        }
        let cases = [
            Case {
                spec: "@every 90s",
                seconds: 90,
            },
            Case {
                spec: "@every 1h30m",
                seconds: 5_400,
            },
            Case {
                spec: "@every 1.5h",
                seconds: 5_400,
            },
            Case {
                spec: "@every 1.9s",
                seconds: 1,
            },
            Case {
                spec: "@every 500ms",
                seconds: 1,
            },
            Case {
                spec: "@every 0",
                seconds: 1,
            },
            Case {
                spec: "@every -1h",
                seconds: 1,
            },
            Case {
                spec: "@every +2m",
                seconds: 120,
            },
            Case {
                spec: "@every 2562047h",
                seconds: 9_223_369_200,
            },
            Case {
                spec: "@every 1\u{b5}s",
                seconds: 1,
            },
            // Go adds the two halves in uint64 and the sum wraps to zero unnoticed.
            Case {
                spec: "@every 9223372036854775808ns9223372036854775808ns",
                seconds: 1,
            },
            Case {
                spec: "TZ=UTC @every 1m",
                seconds: 60,
            },
        ];
        for case in &cases {
            assert_eq!(parse(case.spec).every_seconds(), Some(case.seconds), "{:?}", case.spec);
        }
    }

    #[test]
    fn rejects_with_robfig_messages() {
        struct Case {
            spec: &'static str,
            message: &'static str,
        }
        let cases = [
            Case { spec: "", message: "empty spec string" },
            Case { spec: "   ", message: "expected exactly 5 fields, found 0: []" },
            Case { spec: "* * * *", message: "expected exactly 5 fields, found 4: [* * * *]" },
            Case { spec: "0 * * * * *", message: "expected exactly 5 fields, found 6: [0 * * * * *]" },
            Case { spec: " @daily", message: "expected exactly 5 fields, found 1: [@daily]" },
            Case { spec: "60 * * * *", message: "end of range (60) above maximum (59): 60" },
            Case { spec: "0-60 * * * *", message: "end of range (60) above maximum (59): 0-60" },
            Case { spec: "* 24 * * *", message: "end of range (24) above maximum (23): 24" },
            Case { spec: "* * 0 * *", message: "beginning of range (0) below minimum (1): 0" },
            Case { spec: "* * 32 * *", message: "end of range (32) above maximum (31): 32" },
            Case { spec: "* * * 0 *", message: "beginning of range (0) below minimum (1): 0" },
            Case { spec: "* * * 13 *", message: "end of range (13) above maximum (12): 13" },
            Case { spec: "* * * * 7", message: "end of range (7) above maximum (6): 7" },
            Case { spec: "* * * * 0-7", message: "end of range (7) above maximum (6): 0-7" },
            Case { spec: "5-1 * * * *", message: "beginning of range (5) beyond end of range (1): 5-1" },
            Case { spec: "* * * * MON-SUN", message: "beginning of range (1) beyond end of range (0): MON-SUN" },
            Case { spec: "1-2-3 * * * *", message: "too many hyphens: 1-2-3" },
            Case { spec: "*/2/3 * * * *", message: "too many slashes: */2/3" },
            Case { spec: "*/0 * * * *", message: "step of range should be a positive number: */0" },
            Case { spec: "5/0 * * * *", message: "step of range should be a positive number: 5/0" },
            Case { spec: "*/-1 * * * *", message: "negative number (-1) not allowed: -1" },
            Case { spec: "x * * * *", message: "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax" },
            Case { spec: "/5 * * * *", message: "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax" },
            Case { spec: "1,x * * * *", message: "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax" },
            Case { spec: "* * * JANUARY *", message: "failed to parse int from JANUARY: strconv.Atoi: parsing \"JANUARY\": invalid syntax" },
            Case { spec: "mon * * * *", message: "failed to parse int from mon: strconv.Atoi: parsing \"mon\": invalid syntax" },
            Case { spec: "*/1.5 * * * *", message: "failed to parse int from 1.5: strconv.Atoi: parsing \"1.5\": invalid syntax" },
            Case { spec: "\u{1}\u{e9} * * * *", message: "failed to parse int from \u{1}\u{e9}: strconv.Atoi: parsing \"\\x01\u{e9}\": invalid syntax" },
            Case { spec: "99999999999999999999 * * * *", message: "failed to parse int from 99999999999999999999: strconv.Atoi: parsing \"99999999999999999999\": value out of range" },
            Case { spec: "*/-9223372036854775808 * * * *", message: "negative number (-9223372036854775808) not allowed: -9223372036854775808" },
            Case { spec: "9223372036854775807 * * * *", message: "end of range (9223372036854775807) above maximum (59): 9223372036854775807" },
            Case { spec: "@foo", message: "unrecognized descriptor: @foo" },
            Case { spec: "@Daily", message: "unrecognized descriptor: @Daily" },
            Case { spec: "@daily ", message: "unrecognized descriptor: @daily " },
            Case { spec: "@every", message: "unrecognized descriptor: @every" },
            Case { spec: "@every ", message: "failed to parse duration @every : time: invalid duration \"\"" },
            Case { spec: "@every 10", message: "failed to parse duration @every 10: time: missing unit in duration \"10\"" },
            Case { spec: "@every 1x", message: "failed to parse duration @every 1x: time: unknown unit \"x\" in duration \"1x\"" },
            Case { spec: "@every 1d", message: "failed to parse duration @every 1d: time: unknown unit \"d\" in duration \"1d\"" },
            Case { spec: "@every  1h", message: "failed to parse duration @every  1h: time: invalid duration \" 1h\"" },
            Case { spec: "@every .s", message: "failed to parse duration @every .s: time: invalid duration \".s\"" },
            Case { spec: "@every 5\u{b5}x", message: "failed to parse duration @every 5\u{b5}x: time: unknown unit \"\\xc2\\xb5x\" in duration \"5\\xc2\\xb5x\"" },
            Case { spec: "@every 9223372036854775808ns", message: "failed to parse duration @every 9223372036854775808ns: time: invalid duration \"9223372036854775808ns\"" },
            Case { spec: "TZ=Foo/Bar * * * * *", message: "provided bad location Foo/Bar: unknown time zone Foo/Bar" },
            Case { spec: "CRON_TZ=../etc * * * * *", message: "provided bad location ../etc: time: invalid location name" },
            Case { spec: "TZ=UTC", message: "runtime error: slice bounds out of range [:-1]" },
            Case { spec: "TZ=UTC\t* * * * *", message: "provided bad location UTC\t*: unknown time zone UTC\t*" },
            Case { spec: "TZ=UTC ", message: "expected exactly 5 fields, found 0: []" },
        ];
        for case in &cases {
            match parse_standard(case.spec) {
                Ok(_) => panic!("{:?} should not parse", case.spec),
                Err(error) => assert_eq!(error.to_string(), case.message, "{:?}", case.spec),
            }
        }
    }

    #[test]
    fn accepts_time_zone_prefixes_the_database_knows() {
        let known = |name: &str| name == "Europe/Paris";
        let schedule = parse_standard_with_zones("TZ=Europe/Paris 0 3 * * *", &known);
        assert_eq!(
            schedule.map(|schedule| schedule.location().map(str::to_string)),
            Ok(Some("Europe/Paris".to_string()))
        );
        assert!(parse_standard_with_zones("TZ=Europe/Rome 0 3 * * *", &known).is_err());
    }

    #[test]
    fn next_after_follows_spec_schedule_next() {
        struct Case {
            spec: &'static str,
            start: i64,
            expected: &'static [&'static str],
        }
        let cases = [
            Case {
                spec: "*/15 * * * *",
                start: utc(2024, 1, 1, 0, 0, 0),
                expected: &[
                    "2024-01-01T00:15:00Z",
                    "2024-01-01T00:30:00Z",
                    "2024-01-01T00:45:00Z",
                    "2024-01-01T01:00:00Z",
                ],
            },
            Case {
                spec: "* * * * *",
                start: utc(2024, 1, 1, 12, 0, 30),
                expected: &["2024-01-01T12:01:00Z", "2024-01-01T12:02:00Z"],
            },
            // Saturday June 1, 2024: the next Mondays, never the Sunday in between.
            Case {
                spec: "0 9 * * 1",
                start: utc(2024, 6, 1, 12, 0, 0),
                expected: &["2024-06-03T09:00:00Z", "2024-06-10T09:00:00Z", "2024-06-17T09:00:00Z"],
            },
            Case {
                spec: "0 0 31 * *",
                start: utc(2024, 1, 31, 0, 0, 0),
                expected: &[
                    "2024-03-31T00:00:00Z",
                    "2024-05-31T00:00:00Z",
                    "2024-07-31T00:00:00Z",
                    "2024-08-31T00:00:00Z",
                    "2024-10-31T00:00:00Z",
                    "2024-12-31T00:00:00Z",
                    "2025-01-31T00:00:00Z",
                ],
            },
            Case {
                spec: "0 0 29 2 *",
                start: utc(2023, 1, 1, 0, 0, 0),
                expected: &["2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"],
            },
            // 2100 is not a leap year; starting in 2099 the limit is 2104, which has a February 29.
            Case {
                spec: "0 0 29 2 *",
                start: utc(2099, 1, 1, 0, 0, 0),
                expected: &["2104-02-29T00:00:00Z"],
            },
            Case {
                spec: "0 0 1 1 *",
                start: utc(2099, 6, 1, 0, 0, 0),
                expected: &["2100-01-01T00:00:00Z", "2101-01-01T00:00:00Z", "2102-01-01T00:00:00Z"],
            },
            Case {
                spec: "0 0 29 2 *",
                start: utc(2399, 3, 1, 0, 0, 0),
                expected: &["2400-02-29T00:00:00Z"],
            },
            Case {
                spec: "0 0 1 1 *",
                start: utc(2399, 12, 31, 23, 59, 59),
                expected: &["2400-01-01T00:00:00Z", "2401-01-01T00:00:00Z"],
            },
            Case {
                spec: "0 0 1 1 *",
                start: utc(9999, 12, 31, 0, 0, 0),
                expected: &["10000-01-01T00:00:00Z"],
            },
            // Both day fields restricted: the 1st of a month or any Monday. January 1, 2024 was
            // a Monday and February 1 a Thursday.
            Case {
                spec: "0 0 1 * MON",
                start: utc(2024, 1, 1, 0, 0, 0),
                expected: &[
                    "2024-01-08T00:00:00Z",
                    "2024-01-15T00:00:00Z",
                    "2024-01-22T00:00:00Z",
                    "2024-01-29T00:00:00Z",
                    "2024-02-01T00:00:00Z",
                    "2024-02-05T00:00:00Z",
                ],
            },
            // `*/2` is not a star: odd days or Mondays (January 2, 2024 was a Tuesday).
            Case {
                spec: "0 0 */2 * 1",
                start: utc(2024, 1, 1, 0, 0, 0),
                expected: &[
                    "2024-01-03T00:00:00Z",
                    "2024-01-05T00:00:00Z",
                    "2024-01-07T00:00:00Z",
                    "2024-01-08T00:00:00Z",
                    "2024-01-09T00:00:00Z",
                ],
            },
            // `?` in the day of month is a star: only Mondays.
            Case {
                spec: "0 0 ? * 1",
                start: utc(2024, 1, 1, 0, 0, 0),
                expected: &["2024-01-08T00:00:00Z", "2024-01-15T00:00:00Z"],
            },
            Case {
                spec: "@hourly",
                start: utc(2024, 1, 1, 10, 30, 0),
                expected: &["2024-01-01T11:00:00Z", "2024-01-01T12:00:00Z"],
            },
            Case {
                spec: "@weekly",
                start: utc(2024, 1, 1, 0, 0, 0),
                expected: &["2024-01-07T00:00:00Z", "2024-01-14T00:00:00Z"],
            },
            Case {
                spec: "@every 90s",
                start: utc(2024, 1, 1, 0, 0, 0),
                expected: &["2024-01-01T00:01:30Z", "2024-01-01T00:03:00Z", "2024-01-01T00:04:30Z"],
            },
            // Go's zero time is a valid start, as in Kubernetes' arithmetic on `Next`.
            Case {
                spec: "0 0 29 2 *",
                start: GO_ZERO_TIME_UNIX,
                expected: &["0004-02-29T00:00:00Z", "0008-02-29T00:00:00Z"],
            },
        ];
        for case in &cases {
            let schedule = parse(case.spec);
            let got: Vec<String> = sequence(&schedule, case.start, case.expected.len(), &Utc)
                .into_iter()
                .map(iso)
                .collect();
            assert_eq!(got, case.expected, "{:?} after {}", case.spec, iso(case.start));
        }
    }

    #[test]
    fn never_and_too_far_give_none() {
        struct Case {
            spec: &'static str,
            start: i64,
        }
        let cases = [
            Case {
                spec: "0 0 30 2 *",
                start: utc(2024, 1, 1, 0, 0, 0),
            },
            Case {
                spec: "59 23 31 2 *",
                start: utc(2024, 1, 1, 0, 0, 0),
            },
            Case {
                spec: "0 0 31 4,6,9,11 *",
                start: utc(2024, 1, 1, 0, 0, 0),
            },
            Case {
                spec: ", * * * *",
                start: utc(2024, 1, 1, 0, 0, 0),
            },
            Case {
                spec: "0 0 , * ,",
                start: utc(2024, 1, 1, 0, 0, 0),
            },
            // From March 2096 the next February 29 is in 2104, past robfig's five-year limit.
            Case {
                spec: "0 0 29 2 *",
                start: utc(2096, 3, 1, 0, 0, 0),
            },
            Case {
                spec: "* * * * *",
                start: SUPPORTED_UNIX_RANGE + 1,
            },
            Case {
                spec: "@every 1s",
                start: i64::MAX,
            },
            Case {
                spec: "* * * * *",
                start: i64::MIN,
            },
        ];
        for case in &cases {
            let schedule = parse(case.spec);
            assert_eq!(schedule.next_after(case.start, &Utc), None, "{:?}", case.spec);
            assert_eq!(schedule.next_or_zero(case.start, &Utc), GO_ZERO_TIME_UNIX);
        }
        // A schedule whose days come from the day-of-week alone still fires when the day of
        // month allows nothing (the fields are ORed).
        let monday = parse("0 0 , * 1").next_after(utc(2024, 1, 2, 0, 0, 0), &Utc);
        assert_eq!(monday.map(iso), Some("2024-01-08T00:00:00Z".to_string()));
    }

    #[test]
    fn fixed_offsets_shift_the_wall_clock() {
        let india = FixedOffset(5 * HOUR + 30 * 60);
        let schedule = parse("0 0 * * *");
        let got: Vec<String> = sequence(&schedule, utc(2024, 1, 1, 0, 0, 0), 2, &india)
            .into_iter()
            .map(iso)
            .collect();
        assert_eq!(got, ["2024-01-01T18:30:00Z", "2024-01-02T18:30:00Z"]);
        // An offset that is not a whole number of minutes: Go truncates the absolute time to the
        // minute, which leaves the wall clock at :21 seconds, so the search runs on to the next
        // whole wall-clock minute.
        let odd = FixedOffset(561);
        let next = parse("* * * * *").next_after(utc(2024, 1, 1, 0, 0, 0), &odd);
        assert_eq!(next.map(|t| civil_in_zone(t, &odd).second), Some(0));
    }

    /// A fixed zone that does not say so, so the search steps second by second as Go does.
    struct Stepping<Zone>(Zone);

    impl<Zone: TimeZone> TimeZone for Stepping<Zone> {
        fn offset_at_utc(&self, unix_seconds: i64) -> i32 {
            self.0.offset_at_utc(unix_seconds)
        }

        fn name(&self) -> &str {
            self.0.name()
        }
    }

    /// Skipping the seconds that cannot match finds the same times as stepping through them.
    #[test]
    fn skipping_seconds_on_fixed_zones_finds_what_stepping_finds() {
        let specs = [
            "* * * * *",
            "*/7 * * * *",
            "0 * * * *",
            "30 2 * * 1-5",
            "0 0 29 2 *",
            "@every 90s",
            "@hourly",
            "59 23 31 12 *",
        ];
        let starts = [
            utc(2024, 1, 1, 0, 0, 0),
            utc(2024, 2, 28, 23, 59, 59),
            utc(2024, 12, 31, 23, 58, 1),
            utc(2026, 6, 15, 12, 34, 56) + 1,
        ];
        for spec in specs {
            let schedule = parse(spec);
            for start in starts {
                for offset in [0, 561, -561, 5 * HOUR + 30 * 60, -(9 * HOUR + 59)] {
                    let mut skipping = start;
                    let mut stepping = start;
                    for _ in 0..5 {
                        let (skipped, stepped) = (
                            schedule.next_after(skipping, &FixedOffset(offset)),
                            schedule.next_after(stepping, &Stepping(FixedOffset(offset))),
                        );
                        assert_eq!(skipped, stepped, "{spec} from {start} at offset {offset}");
                        let Some(next) = skipped else { break };
                        (skipping, stepping) = (next, next);
                    }
                }
                assert_eq!(
                    schedule.next_after(start, &Utc),
                    schedule.next_after(start, &Stepping(Utc))
                );
            }
        }
    }

    #[test]
    fn seconds_to_the_next_allowed_second() {
        struct Case {
            allowed: u64,
            second: u32,
            steps: u32,
        }
        let only_zero = 1;
        let zero_and_thirty = 1 | 1 << 30;
        let cases = [
            Case {
                allowed: only_zero,
                second: 1,
                steps: 59,
            },
            Case {
                allowed: only_zero,
                second: 59,
                steps: 1,
            },
            Case {
                allowed: zero_and_thirty,
                second: 1,
                steps: 29,
            },
            Case {
                allowed: zero_and_thirty,
                second: 29,
                steps: 1,
            },
            Case {
                allowed: zero_and_thirty,
                second: 31,
                steps: 29,
            },
        ];
        for case in cases {
            assert_eq!(seconds_to_next_allowed(case.allowed, case.second), case.steps);
        }
    }

    #[test]
    fn spring_forward_skips_the_missing_hour() {
        let zone = spring_forward();
        // 02:30 does not exist on March 31: robfig steps from 01:00 to 03:00 and skips that day.
        let got: Vec<String> = sequence(&parse("30 2 * * *"), local(2024, 3, 30, 2, 30, HOUR), 2, &zone)
            .into_iter()
            .map(iso)
            .collect();
        assert_eq!(got, ["2024-04-01T00:30:00Z", "2024-04-02T00:30:00Z"]);
        // An hourly schedule fires every real hour across the change: 01:00 local (+1) is
        // followed by 03:00 local (+2).
        let got: Vec<String> = sequence(&parse("0 * * * *"), utc(2024, 3, 30, 23, 0, 0), 3, &zone)
            .into_iter()
            .map(iso)
            .collect();
        assert_eq!(
            got,
            ["2024-03-31T00:00:00Z", "2024-03-31T01:00:00Z", "2024-03-31T02:00:00Z"]
        );
        // `time.Date` moves a skipped wall-clock time forward by the gap: 02:30 becomes 03:30 (+2).
        assert_eq!(
            go_date(&zone, 2024, 3, 31, 2, 30, 0),
            local(2024, 3, 31, 3, 30, 2 * HOUR)
        );
    }

    #[test]
    fn fall_back_fires_twice_in_the_repeated_hour() {
        let zone = fall_back();
        // 02:30 happens twice on October 27: at +2 (00:30Z) and at +1 (01:30Z). robfig fires at
        // both, because its minute loop wraps into the repeated hour.
        let got: Vec<String> = sequence(&parse("30 2 * * *"), utc(2024, 10, 26, 12, 0, 0), 3, &zone)
            .into_iter()
            .map(iso)
            .collect();
        assert_eq!(
            got,
            ["2024-10-27T00:30:00Z", "2024-10-27T01:30:00Z", "2024-10-28T01:30:00Z"]
        );
        // A daily midnight job is unaffected.
        let got: Vec<String> = sequence(&parse("@daily"), utc(2024, 10, 26, 12, 0, 0), 2, &zone)
            .into_iter()
            .map(iso)
            .collect();
        assert_eq!(got, ["2024-10-26T22:00:00Z", "2024-10-27T23:00:00Z"]);
    }

    #[test]
    fn midnight_gap_follows_robfigs_hour_correction() {
        let zone = midnight_gap();
        // Midnight of November 4 does not exist, so a daily midnight job skips that day.
        let got: Vec<String> = sequence(&parse("0 0 * * *"), local(2018, 11, 3, 12, 0, -3 * HOUR), 2, &zone)
            .into_iter()
            .map(iso)
            .collect();
        assert_eq!(got, ["2018-11-05T02:00:00Z", "2018-11-06T02:00:00Z"]);
        // The day loop lands on 23:00 of November 3 (Go's `time.Date` resolves the missing
        // midnight backwards in a zone west of UTC), adds an hour to reach 01:00 of November 4,
        // and so never sees midnight that day: the first match is a year later.
        let next = parse("0 0 4 11 *").next_after(local(2018, 10, 31, 12, 0, -3 * HOUR), &zone);
        assert_eq!(next.map(iso), Some("2019-11-04T02:00:00Z".to_string()));
        let next = parse("0 12 5 11 *").next_after(local(2018, 10, 31, 12, 0, -3 * HOUR), &zone);
        assert_eq!(next.map(iso), Some("2018-11-05T14:00:00Z".to_string()));
        assert_eq!(
            go_date(&zone, 2018, 11, 4, 0, 0, 0),
            local(2018, 11, 3, 23, 0, -3 * HOUR)
        );
    }

    /// A zone given by its offset before the first change and a list of changes.
    #[derive(Debug)]
    struct TableZone {
        initial: i32,
        changes: Vec<(i64, i32)>,
    }

    impl TimeZone for TableZone {
        fn offset_at_utc(&self, unix_seconds: i64) -> i32 {
            self.changes
                .iter()
                .rev()
                .find(|(change_at, _)| unix_seconds >= *change_at)
                .map_or(self.initial, |(_, offset)| *offset)
        }

        fn name(&self) -> &str {
            "Test/Table"
        }
    }

    /// America/New_York from late 2011 to late 2013.
    fn new_york() -> TableZone {
        TableZone {
            initial: -5 * HOUR,
            changes: vec![
                (utc(2012, 3, 11, 7, 0, 0), -4 * HOUR),
                (utc(2012, 11, 4, 6, 0, 0), -5 * HOUR),
                (utc(2013, 3, 10, 7, 0, 0), -4 * HOUR),
                (utc(2013, 11, 3, 6, 0, 0), -5 * HOUR),
            ],
        }
    }

    /// America/Sao_Paulo from late 2017 to early 2019, when its clocks moved at midnight.
    fn sao_paulo() -> TableZone {
        TableZone {
            initial: -3 * HOUR,
            changes: vec![
                (utc(2017, 10, 15, 3, 0, 0), -2 * HOUR),
                (utc(2018, 2, 18, 2, 0, 0), -3 * HOUR),
                (utc(2018, 11, 4, 3, 0, 0), -2 * HOUR),
                (utc(2019, 2, 17, 2, 0, 0), -3 * HOUR),
            ],
        }
    }

    /// The `TestNext` and `TestNextWithTz` cases of robfig/cron v3's `spec_test.go` that the
    /// standard parser can express (the seconds field dropped), with hand-written zones in place
    /// of the time zone database. An expectation of `None` is robfig's zero time.
    #[test]
    fn robfig_spec_test_cases() {
        struct Case {
            zone: &'static str,
            start: (i64, u32, u32, u32, u32, u32, i32),
            spec: &'static str,
            expected: Option<(i64, u32, u32, u32, u32, i32)>,
        }
        let at = |(year, month, day, hour, minute, second, offset): (i64, u32, u32, u32, u32, u32, i32)| {
            utc(year, month, day, hour, minute, second) - i64::from(offset) * 3_600
        };
        let cases = [
            // Simple cases and wrap-arounds.
            Case {
                zone: "UTC",
                start: (2012, 7, 9, 14, 45, 0, 0),
                spec: "0/15 * * * *",
                expected: Some((2012, 7, 9, 15, 0, 0)),
            },
            Case {
                zone: "UTC",
                start: (2012, 7, 9, 14, 59, 59, 0),
                spec: "0/15 * * * *",
                expected: Some((2012, 7, 9, 15, 0, 0)),
            },
            Case {
                zone: "UTC",
                start: (2012, 7, 9, 15, 45, 0, 0),
                spec: "20-35/15 * * * *",
                expected: Some((2012, 7, 9, 16, 20, 0)),
            },
            Case {
                zone: "UTC",
                start: (2012, 7, 9, 23, 46, 0, 0),
                spec: "*/15 * * * *",
                expected: Some((2012, 7, 10, 0, 0, 0)),
            },
            Case {
                zone: "UTC",
                start: (2012, 7, 9, 23, 45, 0, 0),
                spec: "20-35/15 * * * *",
                expected: Some((2012, 7, 10, 0, 20, 0)),
            },
            Case {
                zone: "UTC",
                start: (2012, 7, 9, 23, 35, 0, 0),
                spec: "0 0 9 Apr-Oct ?",
                expected: Some((2012, 8, 9, 0, 0, 0)),
            },
            // `*/5` is a restriction in v3, so August 1 (a Wednesday, day 1) matches.
            Case {
                zone: "UTC",
                start: (2012, 7, 9, 23, 35, 0, 0),
                spec: "0 0 */5 Apr,Aug,Oct Mon",
                expected: Some((2012, 8, 1, 0, 0, 0)),
            },
            Case {
                zone: "UTC",
                start: (2012, 7, 9, 23, 35, 0, 0),
                spec: "0 0 */5 Oct Mon",
                expected: Some((2012, 10, 1, 0, 0, 0)),
            },
            Case {
                zone: "UTC",
                start: (2012, 7, 9, 23, 35, 0, 0),
                spec: "0 0 * Feb Mon",
                expected: Some((2013, 2, 4, 0, 0, 0)),
            },
            Case {
                zone: "UTC",
                start: (2012, 7, 9, 23, 35, 0, 0),
                spec: "0 0 * Feb Mon/2",
                expected: Some((2013, 2, 1, 0, 0, 0)),
            },
            Case {
                zone: "UTC",
                start: (2012, 12, 31, 23, 59, 45, 0),
                spec: "* * * * *",
                expected: Some((2013, 1, 1, 0, 0, 0)),
            },
            Case {
                zone: "UTC",
                start: (2012, 7, 9, 23, 35, 0, 0),
                spec: "0 0 29 Feb ?",
                expected: Some((2016, 2, 29, 0, 0, 0)),
            },
            // Daylight saving time 2am EST (-5) -> 3am EDT (-4).
            Case {
                zone: "NY",
                start: (2012, 3, 11, 0, 0, 0, -5),
                spec: "30 2 11 Mar ?",
                expected: Some((2013, 3, 11, 2, 30, -4)),
            },
            Case {
                zone: "NY",
                start: (2012, 3, 11, 0, 0, 0, -5),
                spec: "0 * * * ?",
                expected: Some((2012, 3, 11, 1, 0, -5)),
            },
            Case {
                zone: "NY",
                start: (2012, 3, 11, 1, 0, 0, -5),
                spec: "0 * * * ?",
                expected: Some((2012, 3, 11, 3, 0, -4)),
            },
            Case {
                zone: "NY",
                start: (2012, 3, 11, 3, 0, 0, -4),
                spec: "0 * * * ?",
                expected: Some((2012, 3, 11, 4, 0, -4)),
            },
            Case {
                zone: "NY",
                start: (2012, 3, 11, 4, 0, 0, -4),
                spec: "0 * * * ?",
                expected: Some((2012, 3, 11, 5, 0, -4)),
            },
            Case {
                zone: "NY",
                start: (2012, 3, 11, 0, 0, 0, -5),
                spec: "0 1 * * ?",
                expected: Some((2012, 3, 11, 1, 0, -5)),
            },
            Case {
                zone: "NY",
                start: (2012, 3, 11, 1, 0, 0, -5),
                spec: "0 1 * * ?",
                expected: Some((2012, 3, 12, 1, 0, -4)),
            },
            // The 2am nightly job is skipped.
            Case {
                zone: "NY",
                start: (2012, 3, 11, 0, 0, 0, -5),
                spec: "0 2 * * ?",
                expected: Some((2012, 3, 12, 2, 0, -4)),
            },
            // Daylight saving time 2am EDT (-4) -> 1am EST (-5).
            Case {
                zone: "NY",
                start: (2012, 11, 4, 0, 0, 0, -4),
                spec: "30 2 04 Nov ?",
                expected: Some((2012, 11, 4, 2, 30, -5)),
            },
            Case {
                zone: "NY",
                start: (2012, 11, 4, 1, 45, 0, -4),
                spec: "30 1 04 Nov ?",
                expected: Some((2012, 11, 4, 1, 30, -5)),
            },
            Case {
                zone: "NY",
                start: (2012, 11, 4, 0, 0, 0, -4),
                spec: "0 * * * ?",
                expected: Some((2012, 11, 4, 1, 0, -4)),
            },
            Case {
                zone: "NY",
                start: (2012, 11, 4, 1, 0, 0, -4),
                spec: "0 * * * ?",
                expected: Some((2012, 11, 4, 1, 0, -5)),
            },
            Case {
                zone: "NY",
                start: (2012, 11, 4, 1, 0, 0, -5),
                spec: "0 * * * ?",
                expected: Some((2012, 11, 4, 2, 0, -5)),
            },
            // The 1am nightly job runs twice.
            Case {
                zone: "NY",
                start: (2012, 11, 4, 0, 0, 0, -4),
                spec: "0 1 * * ?",
                expected: Some((2012, 11, 4, 1, 0, -4)),
            },
            Case {
                zone: "NY",
                start: (2012, 11, 4, 1, 0, 0, -4),
                spec: "0 1 * * ?",
                expected: Some((2012, 11, 4, 1, 0, -5)),
            },
            Case {
                zone: "NY",
                start: (2012, 11, 4, 1, 0, 0, -5),
                spec: "0 1 * * ?",
                expected: Some((2012, 11, 5, 1, 0, -5)),
            },
            Case {
                zone: "NY",
                start: (2012, 11, 4, 0, 0, 0, -4),
                spec: "0 2 * * ?",
                expected: Some((2012, 11, 4, 2, 0, -5)),
            },
            Case {
                zone: "NY",
                start: (2012, 11, 4, 2, 0, 0, -5),
                spec: "0 2 * * ?",
                expected: Some((2012, 11, 5, 2, 0, -5)),
            },
            Case {
                zone: "NY",
                start: (2012, 11, 4, 0, 0, 0, -4),
                spec: "0 3 * * ?",
                expected: Some((2012, 11, 4, 3, 0, -5)),
            },
            Case {
                zone: "NY",
                start: (2012, 11, 4, 3, 0, 0, -5),
                spec: "0 3 * * ?",
                expected: Some((2012, 11, 5, 3, 0, -5)),
            },
            // Unsatisfiable.
            Case {
                zone: "UTC",
                start: (2012, 7, 9, 23, 35, 0, 0),
                spec: "0 0 30 Feb ?",
                expected: None,
            },
            Case {
                zone: "UTC",
                start: (2012, 7, 9, 23, 35, 0, 0),
                spec: "0 0 31 Apr ?",
                expected: None,
            },
            // A monthly job.
            Case {
                zone: "NY",
                start: (2012, 11, 4, 0, 0, 0, -4),
                spec: "0 3 3 * ?",
                expected: Some((2012, 12, 3, 3, 0, -5)),
            },
            // DST making midnight invalid (robfig/cron issue #157).
            Case {
                zone: "SP",
                start: (2018, 10, 17, 5, 0, 0, -4),
                spec: "0 9 10 * ?",
                expected: Some((2018, 11, 10, 6, 0, -5)),
            },
            Case {
                zone: "SP",
                start: (2018, 2, 14, 5, 0, 0, -5),
                spec: "0 9 22 * ?",
                expected: Some((2018, 2, 22, 7, 0, -5)),
            },
            // `TestNextWithTz`: a fixed +05:30 offset.
            Case {
                zone: "IST",
                start: (2016, 1, 3, 13, 9, 3, 0),
                spec: "14 14 * * *",
                expected: Some((2016, 1, 3, 14, 14, 0)),
            },
            Case {
                zone: "IST",
                start: (2016, 1, 3, 4, 9, 3, 0),
                spec: "14 14 * * ?",
                expected: Some((2016, 1, 3, 14, 14, 0)),
            },
            Case {
                zone: "IST",
                start: (2016, 1, 3, 14, 0, 0, 0),
                spec: "14 14 * * ?",
                expected: Some((2016, 1, 3, 14, 14, 0)),
            },
        ];
        let (new_york, sao_paulo, india) = (new_york(), sao_paulo(), FixedOffset(5 * HOUR + 30 * 60));
        for case in &cases {
            let zone: &dyn TimeZone = match case.zone {
                "NY" => &new_york,
                "SP" => &sao_paulo,
                "IST" => &india,
                _ => &Utc,
            };
            // The IST cases give wall-clock times in +05:30.
            let ist = i64::from(case.zone == "IST") * 19_800;
            let start = at(case.start) - ist;
            let expected = case
                .expected
                .map(|(year, month, day, hour, minute, offset)| at((year, month, day, hour, minute, 0, offset)) - ist);
            let got = parse(case.spec).next_after(start, zone);
            assert_eq!(got.map(iso), expected.map(iso), "{:?} after {}", case.spec, iso(start));
        }
    }

    #[test]
    fn civil_helpers_do_not_panic_at_the_extremes() {
        for days in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX - 1, i64::MAX] {
            let (year, month, day) = civil_from_days(days);
            let _ = days_from_civil(year, month, day);
            let _ = weekday_from_days(days);
            let _ = civil_in_zone(days, &FixedOffset(i32::MAX));
            let _ = civil_in_zone(days, &FixedOffset(i32::MIN));
        }
        for year in [i64::MIN, i64::MAX] {
            let _ = unix_from_civil(year, 12, u32::MAX, u32::MAX, u32::MAX, u32::MAX);
        }
    }

    #[test]
    fn a_runaway_zone_cannot_hang_the_search() {
        for spec in ["0 0 29 2 *", "* * * * *", "0 12 * * 1"] {
            // The answer does not matter; the call must return.
            let _ = parse(spec).next_after(0, &RunawayZone);
        }
    }

    #[test]
    fn describes_like_crontab_guru() {
        struct Case {
            spec: &'static str,
            description: &'static str,
        }
        let cases = [
            Case {
                spec: "* * * * *",
                description: "At every minute.",
            },
            Case {
                spec: "*/15 * * * *",
                description: "At every 15th minute.",
            },
            Case {
                spec: "5/15 * * * *",
                description: "At every 15th minute from 5 through 59.",
            },
            Case {
                spec: "0 * * * *",
                description: "At minute 0.",
            },
            Case {
                spec: "0 9 * * 1",
                description: "At 09:00 on Monday.",
            },
            Case {
                spec: "0 0 1 * MON",
                description: "At 00:00 on day-of-month 1 or on Monday.",
            },
            Case {
                spec: "0 22 * * 1-5",
                description: "At 22:00 on every day-of-week from Monday through Friday.",
            },
            Case {
                spec: "23 0-20/2 * * *",
                description: "At minute 23 past every 2nd hour from 0 through 20.",
            },
            Case {
                spec: "0 0,12 1 */2 *",
                description: "At minute 0 past hour 0 and 12 on day-of-month 1 in every 2nd month.",
            },
            Case {
                spec: "0 0 29 2 *",
                description: "At 00:00 on day-of-month 29 in February.",
            },
            Case {
                spec: "* 9-17 * * *",
                description: "At every minute past every hour from 9 through 17.",
            },
            Case {
                spec: "0 0 */2 * 1",
                description: "At 00:00 on every 2nd day-of-month or on Monday.",
            },
            Case {
                spec: "1-5,10 * * * *",
                description: "At minute 1 through 5 and 10.",
            },
            Case {
                spec: "0 0 * * 0,6",
                description: "At 00:00 on Sunday and Saturday.",
            },
            Case {
                spec: "0 0 1-31 * 1",
                description: "At 00:00.",
            },
            Case {
                spec: "@weekly",
                description: "At 00:00 on Sunday.",
            },
            Case {
                spec: "@yearly",
                description: "At 00:00 on day-of-month 1 in January.",
            },
            Case {
                spec: "@every 90s",
                description: "Every 1m30s.",
            },
            Case {
                spec: "@every 2h",
                description: "Every 2h0m0s.",
            },
            Case {
                spec: ", * * * *",
                description: "Never.",
            },
            Case {
                spec: "TZ=UTC 0 3 * * *",
                description: "At 03:00 in time zone UTC.",
            },
        ];
        for case in &cases {
            assert_eq!(parse(case.spec).describe(), case.description, "{:?}", case.spec);
        }
    }

    #[test]
    fn validation_messages_match_the_api_server() {
        assert_eq!(validate_schedule("*/5 * * * *"), Ok(()));
        assert_eq!(validate_schedule("@every 1h"), Ok(()));
        assert_eq!(
            validate_schedule("0-60 * * * *"),
            Err("end of range (60) above maximum (59): 0-60".to_string())
        );
        assert_eq!(
            validate_schedule("CRON_TZ=UTC * * * * *"),
            Err("cannot use TZ or CRON_TZ in schedule, use timeZone field instead".to_string())
        );

        struct Case {
            spec: &'static str,
            allow_tz: bool,
            time_zone_set: bool,
            errors: &'static [&'static str],
        }
        let cases = [
            Case { spec: "*/5 * * * *", allow_tz: false, time_zone_set: false, errors: &[] },
            Case { spec: "", allow_tz: false, time_zone_set: false, errors: &["spec.schedule: Required value"] },
            Case {
                spec: "61 * * * *",
                allow_tz: false,
                time_zone_set: false,
                errors: &["spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61"],
            },
            Case {
                spec: "CRON_TZ=UTC * * * * *",
                allow_tz: false,
                time_zone_set: false,
                errors: &["spec.schedule: Invalid value: \"CRON_TZ=UTC * * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead"],
            },
            Case {
                spec: "TZ=Foo * * * * *",
                allow_tz: false,
                time_zone_set: false,
                errors: &[
                    "spec.schedule: Invalid value: \"TZ=Foo * * * * *\": provided bad location Foo: unknown time zone Foo",
                    "spec.schedule: Invalid value: \"TZ=Foo * * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
                ],
            },
            Case { spec: "TZ=UTC 0 * * * *", allow_tz: true, time_zone_set: false, errors: &[] },
            Case {
                spec: "TZ=UTC 0 * * * *",
                allow_tz: true,
                time_zone_set: true,
                errors: &["spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use both timeZone field and TZ or CRON_TZ in schedule"],
            },
            Case {
                spec: "0\t0 * *\n",
                allow_tz: false,
                time_zone_set: false,
                errors: &["spec.schedule: Invalid value: \"0\\t0 * *\\n\": expected exactly 5 fields, found 4: [0 0 * *]"],
            },
            Case {
                spec: "0 0 *\u{a0}* *\u{7f}",
                allow_tz: false,
                time_zone_set: false,
                errors: &["spec.schedule: Invalid value: \"0 0 *\\u00a0* *\\x7f\": failed to parse int from *\u{7f}: strconv.Atoi: parsing \"*\\x7f\": invalid syntax"],
            },
        ];
        for case in &cases {
            let errors = schedule_errors(case.spec, case.allow_tz, case.time_zone_set, &builtin_zone_exists);
            assert_eq!(errors, case.errors, "{:?}", case.spec);
        }
        let both = schedule_errors("TZ=Foo * * * * *", false, false, &builtin_zone_exists);
        assert_eq!(
            aggregate_errors(&both).as_deref(),
            Some("[spec.schedule: Invalid value: \"TZ=Foo * * * * *\": provided bad location Foo: unknown time zone Foo, spec.schedule: Invalid value: \"TZ=Foo * * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead]")
        );
        assert_eq!(aggregate_errors(&[]), None);
    }

    #[test]
    fn time_zone_messages_match_the_api_server() {
        let known = |name: &str| name == "Europe/Paris" || name == "America/Argentina/Buenos_Aires";
        struct Case {
            zone: Option<&'static str>,
            errors: &'static [&'static str],
        }
        let cases = [
            Case { zone: None, errors: &[] },
            Case { zone: Some("UTC"), errors: &[] },
            Case { zone: Some("Europe/Paris"), errors: &[] },
            Case { zone: Some("America/Argentina/Buenos_Aires"), errors: &[] },
            Case { zone: Some(""), errors: &["spec.timeZone: Invalid value: \"\": timeZone must be nil or non-empty string"] },
            Case { zone: Some("Europe/Pariss"), errors: &["spec.timeZone: Invalid value: \"Europe/Pariss\": unknown time zone Europe/Pariss"] },
            Case { zone: Some("Etc/../UTC"), errors: &["spec.timeZone: Invalid value: \"Etc/../UTC\": unknown time zone Etc/../UTC"] },
            Case { zone: Some("Europe/"), errors: &["spec.timeZone: Invalid value: \"Europe/\": unknown time zone Europe/"] },
            Case { zone: Some("America/Very_Long_Name_Here"), errors: &["spec.timeZone: Invalid value: \"America/Very_Long_Name_Here\": unknown time zone America/Very_Long_Name_Here"] },
            Case { zone: Some("Local"), errors: &["spec.timeZone: Invalid value: \"Local\": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"] },
            Case {
                zone: Some("local"),
                errors: &[
                    "spec.timeZone: Invalid value: \"local\": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
                    "spec.timeZone: Invalid value: \"local\": unknown time zone local",
                ],
            },
        ];
        for case in &cases {
            assert_eq!(validate_time_zone(case.zone, &known), case.errors, "{:?}", case.zone);
        }
    }

    #[test]
    fn malformed_input_never_panics() {
        let handpicked = [
            "",
            " ",
            "\t\n",
            "*",
            "-",
            "/",
            ",",
            "@",
            "@@",
            "@every",
            "@every -",
            "@every .",
            "@every 1..5s",
            "@every 1h.",
            "@every \u{b5}s",
            "@every 99999999999999999999h",
            "@every 1.99999999999999999999999999h",
            "TZ=",
            "TZ= ",
            "CRON_TZ=",
            "TZ==",
            "TZ=TZ=TZ=",
            "TZ=\u{e9} * * * * *",
            "- - - - -",
            "/ / / / /",
            "*/ * * * *",
            "*/* * * * *",
            "*-* * * * *",
            "--- * * * *",
            "1-/2 * * * *",
            "-1 * * * *",
            "1- * * * *",
            "18446744073709551616 * * * *",
            "-18446744073709551616 * * * *",
            "*/9223372036854775807 * * * *",
            "0-59/9223372036854775807 * * * *",
            "\u{0} \u{0} \u{0} \u{0} \u{0}",
            "\u{10ffff} * * * *",
            "\u{130} * * * *",
            "\u{fffd}\u{fffd} * * * *",
            "MON-FRI * * * *",
            "* * * * mon-fri/0",
            "* * * * 6-",
            "* * * * -6",
            ", , , , ,",
            "1,2,3,,,, * * * *",
        ];
        for spec in handpicked {
            exercise(spec);
        }
        // Deterministic pseudo-random strings over an alphabet of meaningful characters.
        let alphabet: Vec<char> = "0123456789*?-/,@ \tTZ=CRON_UTCmonjanSUNevryhs.+\u{a0}\u{e9}\u{130}\u{b5}x"
            .chars()
            .collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let length = (state >> 59) as usize + 1;
            let mut spec = String::new();
            for _ in 0..length {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                spec.push(alphabet[(state >> 33) as usize % alphabet.len()]);
            }
            exercise(&spec);
            // Also as single fields of an otherwise valid schedule.
            exercise(&format!("{spec} * * * *"));
            exercise(&format!("0 0 {spec} * {spec}"));
            exercise(&format!("@every {spec}"));
        }
    }

    /// Parses, validates, describes and searches once; only a panic fails.
    fn exercise(spec: &str) {
        let _ = validate_schedule(spec);
        let _ = schedule_errors(spec, false, true, &builtin_zone_exists);
        let _ = validate_time_zone(Some(spec), &builtin_zone_exists);
        if let Ok(schedule) = parse_standard(spec) {
            let _ = schedule.describe();
            let _ = schedule.next_after(utc(2024, 2, 29, 23, 59, 59), &Utc);
            let _ = schedule.next_after(utc(2024, 10, 27, 0, 30, 0), &fall_back());
        }
    }
}
