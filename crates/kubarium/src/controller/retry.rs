//! Rate-limited retries of a controller sync that failed (`AddRateLimited` and `Forget` on a
//! `client-go/util/workqueue` queue): the per-item exponential back-off of
//! `DefaultTypedControllerRateLimiter`, 5ms doubling to 1000s. Its overall token bucket (10 per
//! second, bursts of 100) is not played.

use crate::sim::{Simulation, Work};
use crate::time::{Millis, SECOND_MS};

/// `ItemExponentialFailureRateLimiter`'s base delay.
pub const BASE_DELAY_MS: Millis = 5;
/// Its maximum delay.
pub const MAX_DELAY_MS: Millis = 1000 * SECOND_MS;

/// The delay before the retry that follows `failures` earlier failures in a row:
/// `base * 2^failures`, capped.
pub fn backoff_ms(failures: u32) -> Millis {
    if failures >= 40 {
        return MAX_DELAY_MS;
    }
    BASE_DELAY_MS.saturating_mul(1 << failures).min(MAX_DELAY_MS)
}

/// `AddRateLimited`'s `When`: the delay for this failure, counted.
pub(crate) fn failed(simulation: &mut Simulation, work: Work) -> Millis {
    let failures = simulation.retry_failures.entry(work).or_insert(0);
    let delay = backoff_ms(*failures);
    *failures = failures.saturating_add(1);
    delay
}

/// `Forget`: a sync that succeeded starts the back-off over.
pub(crate) fn succeeded(simulation: &mut Simulation, work: &Work) {
    if !simulation.retry_failures.is_empty() {
        simulation.retry_failures.remove(work);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_five_milliseconds_to_a_thousand_seconds() {
        assert_eq!(backoff_ms(0), 5);
        assert_eq!(backoff_ms(1), 10);
        assert_eq!(backoff_ms(10), 5 * 1024);
        assert_eq!(backoff_ms(17), 655_360);
        assert_eq!(backoff_ms(18), MAX_DELAY_MS);
        assert_eq!(backoff_ms(u32::MAX), MAX_DELAY_MS);
    }
}
