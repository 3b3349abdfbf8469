//! Rate-limited retries of a controller sync that failed (`AddRateLimited` and `Forget` on a
//! `client-go/util/workqueue` queue): an `ItemExponentialFailureRateLimiter` per item, as in
//! `DefaultTypedControllerRateLimiter` (5ms doubling to 1000s; its overall token bucket of 10
//! per second in bursts of 100 is not played) or the Job controller's own (1s to 1 minute).

use crate::sim::{Simulation, Work};
use crate::time::{Millis, SECOND_MS};

/// An `ItemExponentialFailureRateLimiter`: `base * 2^failures`, capped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base_ms: Millis,
    pub max_ms: Millis,
}

/// `DefaultTypedControllerRateLimiter`'s per-item part (the ReplicaSet controller's queue).
pub const CONTROLLER: Backoff = Backoff {
    base_ms: 5,
    max_ms: 1000 * SECOND_MS,
};

/// The Job controller's queue (`DefaultJobApiBackOff`, `MaxJobApiBackOff` in
/// `pkg/controller/job/job_controller.go`).
pub const JOB_API: Backoff = Backoff {
    base_ms: SECOND_MS,
    max_ms: 60 * SECOND_MS,
};

impl Backoff {
    /// The delay before the retry that follows `failures` earlier failures in a row.
    pub fn delay_ms(self, failures: u32) -> Millis {
        if failures >= 40 {
            return self.max_ms;
        }
        self.base_ms.saturating_mul(1 << failures).min(self.max_ms)
    }
}

/// `AddRateLimited`'s `When`: the delay for this failure, counted.
pub(crate) fn failed(simulation: &mut Simulation, work: Work, backoff: Backoff) -> Millis {
    let failures = simulation.retry_failures.entry(work).or_insert(0);
    let delay = backoff.delay_ms(*failures);
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
    fn backoff_doubles_up_to_its_cap() {
        assert_eq!(CONTROLLER.delay_ms(0), 5);
        assert_eq!(CONTROLLER.delay_ms(1), 10);
        assert_eq!(CONTROLLER.delay_ms(10), 5 * 1024);
        assert_eq!(CONTROLLER.delay_ms(17), 655_360);
        assert_eq!(CONTROLLER.delay_ms(18), 1000 * SECOND_MS);
        assert_eq!(CONTROLLER.delay_ms(u32::MAX), 1000 * SECOND_MS);
        assert_eq!(JOB_API.delay_ms(0), SECOND_MS);
        assert_eq!(JOB_API.delay_ms(5), 32 * SECOND_MS);
        assert_eq!(JOB_API.delay_ms(6), 60 * SECOND_MS);
    }
}
