//! Simulated time: integer milliseconds since the simulation's start instant.

/// A point in simulated time, in milliseconds since the start of the simulation.
pub type Millis = u64;

/// One simulated second, in milliseconds.
pub const SECOND_MS: Millis = 1_000;

/// The default start instant: 2026-01-01T00:00:00Z as seconds since the Unix epoch. A fixed
/// date, never "now", so that runs are reproducible.
pub const DEFAULT_START_UNIX_SECONDS: i64 = 1_767_225_600;

/// A timestamp as the API server keeps it: `metav1.Time` holds whole seconds (its JSON is
/// RFC 3339 without fractions, and `ProtoTime` drops the nanoseconds), so what kubectl
/// subtracts from the clock to print an age is the instant rounded down to its second. A pod
/// created at 1m0.1s reads `20s` old at 1m20s, not `19s`.
pub fn as_stored(at_ms: Millis) -> Millis {
    at_ms - at_ms % SECOND_MS
}

/// Formats a simulated duration the way kubectl prints ages (`45s`, `3m12s`, `2h5m`, `4d3h`),
/// following `k8s.io/apimachinery/pkg/util/duration.HumanDuration` for the common ranges.
pub fn human_duration(duration_ms: Millis) -> String {
    let seconds = duration_ms / SECOND_MS;
    let minutes = seconds / 60;
    let hours = minutes / 60;
    let days = hours / 24;
    if seconds < 60 * 2 {
        format!("{seconds}s")
    } else if minutes < 10 {
        let rest = seconds % 60;
        if rest == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{rest}s")
        }
    } else if hours < 3 {
        format!("{minutes}m")
    } else if hours < 8 {
        let rest = minutes % 60;
        if rest == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{rest}m")
        }
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        let rest = hours % 24;
        if rest == 0 {
            format!("{days}d")
        } else {
            format!("{days}d{rest}h")
        }
    } else {
        format!("{days}d")
    }
}

/// Parses a Go-style duration (`90s`, `10m`, `1h30m`, `1.5s`, `250ms`) plus days (`2d`).
pub fn parse_duration(text: &str) -> Result<Millis, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("invalid duration \"\"".to_string());
    }
    if trimmed == "0" {
        return Ok(0);
    }
    let invalid = || format!("invalid duration \"{text}\"");
    let mut total: f64 = 0.0;
    let mut rest = trimmed;
    while !rest.is_empty() {
        let number_end = rest
            .find(|character: char| !(character.is_ascii_digit() || character == '.'))
            .ok_or_else(|| format!("missing unit in duration \"{text}\""))?;
        if number_end == 0 {
            return Err(invalid());
        }
        let number: f64 = rest[..number_end].parse().map_err(|_| invalid())?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|character: char| character.is_ascii_digit() || character == '.')
            .unwrap_or(rest.len());
        let unit_ms = match &rest[..unit_end] {
            "ms" => 1.0,
            "s" => 1_000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            unit => return Err(format!("unknown unit \"{unit}\" in duration \"{text}\"")),
        };
        total += number * unit_ms;
        rest = &rest[unit_end..];
    }
    if !total.is_finite() || total > 1e15 {
        return Err(invalid());
    }
    Ok(total.round() as Millis)
}

/// Formats simulated milliseconds as a Go-style duration (`1m30s`, `250ms`).
pub fn format_duration(duration_ms: Millis) -> String {
    if duration_ms == 0 {
        return "0s".to_string();
    }
    if duration_ms < SECOND_MS {
        return format!("{duration_ms}ms");
    }
    let mut out = String::new();
    let (days, rest) = (duration_ms / 86_400_000, duration_ms % 86_400_000);
    let (hours, rest) = (rest / 3_600_000, rest % 3_600_000);
    let (minutes, rest) = (rest / 60_000, rest % 60_000);
    for (value, unit) in [(days, "d"), (hours, "h"), (minutes, "m")] {
        if value > 0 {
            out.push_str(&format!("{value}{unit}"));
        }
    }
    if rest > 0 {
        if rest % SECOND_MS == 0 {
            out.push_str(&format!("{}s", rest / SECOND_MS));
        } else {
            let fraction = format!("{:03}", rest % SECOND_MS);
            out.push_str(&format!("{}.{}s", rest / SECOND_MS, fraction.trim_end_matches('0')));
        }
    }
    out
}

/// Seconds since the Unix epoch as Go's `time.RFC3339` on a clock `offset_seconds` east of UTC
/// (`2026-01-05T18:00:00+09:00`, `Z` for offset zero).
pub fn format_rfc3339(unix_seconds: i64, offset_seconds: i32) -> String {
    let civil = crate::cron::civil_in_zone(unix_seconds, &crate::cron::FixedOffset(offset_seconds));
    // Years 0 to 9999 and offsets under 100 hours (all but a far past or future, and zones
    // no database has) are written digit by digit: the formatting machinery cost more than
    // the calendar arithmetic. The same text either way.
    let two_digit_hours = offset_seconds.unsigned_abs() < 100 * 3_600;
    if let (Ok(year @ 0..=9_999), true) = (u32::try_from(civil.year), two_digit_hours) {
        // `YYYY-MM-DDTHH:MM:SS` and `Z` or `±HH:MM`, two digits at a time into a buffer.
        let mut bytes = *b"0000-00-00T00:00:00+00:00";
        let mut two_digits = |at: usize, value: u32| {
            bytes[at] = b'0' + (value / 10 % 10) as u8;
            bytes[at + 1] = b'0' + (value % 10) as u8;
        };
        two_digits(0, year / 100);
        two_digits(2, year % 100);
        two_digits(5, civil.month);
        two_digits(8, civil.day);
        two_digits(11, civil.hour);
        two_digits(14, civil.minute);
        two_digits(17, civil.second);
        let len = if offset_seconds == 0 {
            bytes[19] = b'Z';
            20
        } else {
            let minutes = offset_seconds.unsigned_abs() / 60;
            two_digits(20, minutes / 60);
            two_digits(23, minutes % 60);
            bytes[19] = if offset_seconds < 0 { b'-' } else { b'+' };
            25
        };
        // ASCII throughout.
        return String::from_utf8_lossy(&bytes[..len]).into_owned();
    }
    format_rfc3339_with_fmt(&civil, offset_seconds)
}

/// [`format_rfc3339`] through `format!`, for any year.
fn format_rfc3339_with_fmt(civil: &crate::cron::CivilTime, offset_seconds: i32) -> String {
    let zone = if offset_seconds == 0 {
        "Z".to_string()
    } else {
        let sign = if offset_seconds < 0 { '-' } else { '+' };
        let minutes = offset_seconds.unsigned_abs() / 60;
        format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{zone}",
        civil.year, civil.month, civil.day, civil.hour, civil.minute, civil.second
    )
}

/// The decimal digits of `value` (ASCII, no leading zeros but a lone `0`), written into the
/// end of `buffer` without the formatter.
/// Two digits at a time (the event log's hash writes every event's time this way).
pub(crate) fn decimal_digits(value: u64, buffer: &mut [u8; 20]) -> &[u8] {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut start = buffer.len();
    let mut rest = value;
    while rest >= 100 {
        let pair = (rest % 100) as usize * 2;
        rest /= 100;
        start -= 2;
        buffer[start..start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if rest >= 10 {
        let pair = rest as usize * 2;
        start -= 2;
        buffer[start..start + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        start -= 1;
        buffer[start] = b'0' + rest as u8;
    }
    &buffer[start..]
}

/// `{value:0width$}` for a non-negative integer: at least `width` digits, zeros in front.
pub(crate) fn push_zero_padded(text: &mut String, value: u64, width: usize) {
    let mut buffer = [0u8; 20];
    let digits = decimal_digits(value, &mut buffer);
    for _ in digits.len()..width {
        text.push('0');
    }
    for &digit in digits {
        text.push(char::from(digit));
    }
}

/// Parses an RFC 3339 time (`2026-01-01T00:00:00Z`, `2026-01-01T09:00:00+09:00`) to seconds
/// since the Unix epoch. Fractions of a second are dropped.
pub fn parse_rfc3339(text: &str) -> Result<i64, String> {
    let invalid = || format!("invalid RFC 3339 time {text:?} (like \"2026-01-01T00:00:00Z\")");
    let bytes = text.as_bytes();
    if bytes.len() < 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't')
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return Err(invalid());
    }
    let number = |range: std::ops::Range<usize>| {
        text.get(range)
            .and_then(|part| part.parse::<i64>().ok())
            .ok_or_else(invalid)
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > i64::from(crate::cron::days_in_month(year, month as u32))
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(invalid());
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(invalid());
        }
        rest = &fraction[digits..];
    }
    let offset_seconds = match rest {
        "Z" | "z" => 0,
        _ => {
            let (sign, offset) = match rest.as_bytes().first() {
                Some(b'+') => (1, &rest[1..]),
                Some(b'-') => (-1, &rest[1..]),
                _ => return Err(invalid()),
            };
            let (hours, minutes) = offset.split_once(':').ok_or_else(invalid)?;
            let (hours, minutes): (i64, i64) = (
                hours.parse().map_err(|_| invalid())?,
                minutes.parse().map_err(|_| invalid())?,
            );
            if hours > 23 || minutes > 59 || offset.len() != 5 {
                return Err(invalid());
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let days = crate::cron::days_from_civil(year, month as u32, day as u32);
    Ok(days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_like_go_plus_days() {
        let cases: &[(&str, Millis)] = &[
            ("90s", 90_000),
            ("10m", 600_000),
            ("1h30m", 5_400_000),
            ("1.5s", 1_500),
            ("1m0.25s", 60_250),
            ("250ms", 250),
            ("2d", 172_800_000),
            ("0", 0),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_duration(text), Ok(*expected), "{text}");
            if *expected > 0 {
                assert_eq!(
                    parse_duration(&format_duration(*expected)),
                    Ok(*expected),
                    "round trip of {text}"
                );
            }
        }
        for bad in ["", "10", "s", "5x", "1..5s", "-5s"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} is rejected");
        }
    }

    /// Two digits at a time give `to_string`'s text: odd and even lengths, zeros inside,
    /// the powers of ten and their neighbours, and the largest value.
    #[test]
    fn decimal_digits_match_to_string() {
        let mut values = vec![0, 5, 9, 42, 99, 100_200_300, 31_536_000_000, u64::MAX];
        let mut power = 1_u64;
        while let Some(next) = power.checked_mul(10) {
            values.extend([power - 1, power, power + 1, next - 1]);
            power = next;
        }
        for value in values {
            let mut buffer = [0u8; 20];
            assert_eq!(
                decimal_digits(value, &mut buffer),
                value.to_string().as_bytes(),
                "{value}"
            );
        }
    }

    /// The digit-by-digit writing gives `format!`'s text, across years, days and offsets.
    #[test]
    fn rfc3339_digits_match_the_formatter() {
        for offset in [0, 19_800, -12_600, 50_400, -43_200, 59, 359_999, -360_000, i32::MIN] {
            for step in 0..2_000_i64 {
                // About six years a step, from before year 0 to past 9999.
                let unix = -62_300_000_000 + step * 190_000_007;
                let civil = crate::cron::civil_in_zone(unix, &crate::cron::FixedOffset(offset));
                assert_eq!(
                    format_rfc3339(unix, offset),
                    format_rfc3339_with_fmt(&civil, offset),
                    "{unix} {offset}"
                );
            }
        }
    }

    #[test]
    fn rfc3339_times() {
        assert_eq!(format_rfc3339(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(1_767_225_600 + 3_723, 0), "2026-01-01T01:02:03Z");
        assert_eq!(format_rfc3339(1_767_225_600, 9 * 3600), "2026-01-01T09:00:00+09:00");
        assert_eq!(
            format_rfc3339(1_767_225_600, -(3 * 3600 + 1800)),
            "2025-12-31T20:30:00-03:30"
        );
        assert_eq!(parse_rfc3339(&format_rfc3339(1_800_000_000, 0)), Ok(1_800_000_000));
        assert_eq!(parse_rfc3339(&format_rfc3339(1_800_000_000, 19_800)), Ok(1_800_000_000));
        assert_eq!(parse_rfc3339("2026-01-01T00:00:00Z"), Ok(DEFAULT_START_UNIX_SECONDS));
        assert_eq!(
            parse_rfc3339("2026-01-01T09:00:00+09:00"),
            Ok(DEFAULT_START_UNIX_SECONDS)
        );
        assert_eq!(parse_rfc3339("1970-01-01T00:00:01.5Z"), Ok(1));
        for bad in [
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-01-01 00:00:00",
            "yesterday",
            "2026-01-01T00:00:00+9",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn human_duration_matches_kubectl_ranges() {
        let cases: &[(Millis, &str)] = &[
            (0, "0s"),
            (12_000, "12s"),
            (119_000, "119s"),
            (120_000, "2m"),
            (192_000, "3m12s"),
            (600_000, "10m"),
            (3 * 3_600_000 + 5 * 60_000, "3h5m"),
            (9 * 3_600_000, "9h"),
            (50 * 3_600_000, "2d2h"),
            (9 * 24 * 3_600_000, "9d"),
        ];
        for (duration_ms, expected) in cases {
            assert_eq!(human_duration(*duration_ms), *expected, "for {duration_ms} ms");
        }
    }
}
