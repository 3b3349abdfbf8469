//! Simulated time: integer milliseconds since the simulation's start instant.

/// A point in simulated time, in milliseconds since the start of the simulation.
pub type Millis = u64;

/// One simulated second, in milliseconds.
pub const SECOND_MS: Millis = 1_000;

/// The default start instant: 2026-01-01T00:00:00Z as seconds since the Unix epoch. A fixed
/// date, never "now", so that runs are reproducible.
pub const DEFAULT_START_UNIX_SECONDS: i64 = 1_767_225_600;

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

#[cfg(test)]
mod tests {
    use super::*;

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
            assert_eq!(
                human_duration(*duration_ms),
                *expected,
                "for {duration_ms} ms"
            );
        }
    }
}
