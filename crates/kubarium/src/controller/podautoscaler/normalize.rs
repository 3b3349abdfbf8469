//! Normalizing a proposed replica count, as pure functions of the HPA's limits, the controller's
//! memory of recent recommendations and scale events, and the time
//! (`pkg/controller/podautoscaler/horizontal.go`: `stabilizeRecommendation`,
//! `normalizeDesiredReplicas`, `convertDesiredReplicasWithRules`, and for HPAs with a
//! `behavior`, `stabilizeRecommendationWithBehaviors`, `convertDesiredReplicasWithBehaviorRate`,
//! `calculateScaleUpLimitWithScalingRules`, `calculateScaleDownLimitWithBehaviors`,
//! `storeScaleEvent`).

use crate::api::{ScalingPolicy, ScalingRules};
use crate::time::{Millis, SECOND_MS};

/// `--horizontal-pod-autoscaler-downscale-stabilization` (5 minutes by default).
pub const DOWNSCALE_STABILIZATION_WINDOW_MS: Millis = 300 * SECOND_MS;

/// `timestampedRecommendation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recommendation {
    pub replicas: i32,
    pub at_ms: Millis,
}

/// `timestampedScaleEvent`: the replicas added (or removed) by one rescale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleEvent {
    pub change: i32,
    pub at_ms: Millis,
    pub outdated: bool,
}

/// What the controller remembers of one HPA between syncs (its maps keyed by the HPA).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    pub recommendations: Vec<Recommendation>,
    pub scale_up_events: Vec<ScaleEvent>,
    pub scale_down_events: Vec<ScaleEvent>,
}

/// The normalized count and the `AbleToScale` and `ScalingLimited` conditions it implies:
/// (reason, message) each, and whether the scaling was limited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub replicas: i32,
    pub able_to_scale: (&'static str, &'static str),
    pub limited: bool,
    pub scaling_limited: (&'static str, &'static str),
}

/// The bounds of one normalization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub min_replicas: i32,
    pub max_replicas: i32,
    pub current_replicas: i32,
}

const READY_FOR_NEW_SCALE: (&str, &str) = ("ReadyForNewScale", "recommended size matches current size");
const SCALE_DOWN_STABILIZED: (&str, &str) = (
    "ScaleDownStabilized",
    "recent recommendations were higher than current one, applying the highest recent recommendation",
);
const SCALE_UP_STABILIZED: (&str, &str) = (
    "ScaleUpStabilized",
    "recent recommendations were lower than current one, applying the lowest recent recommendation",
);
const SCALE_UP_LIMIT: (&str, &str) = (
    "ScaleUpLimit",
    "the desired replica count is increasing faster than the maximum scale rate",
);
const SCALE_DOWN_LIMIT: (&str, &str) = (
    "ScaleDownLimit",
    "the desired replica count is decreasing faster than the maximum scale rate",
);
const TOO_MANY_REPLICAS: (&str, &str) = (
    "TooManyReplicas",
    "the desired replica count is more than the maximum replica count",
);
const TOO_FEW_REPLICAS: (&str, &str) = (
    "TooFewReplicas",
    "the desired replica count is less than the minimum replica count",
);
const DESIRED_WITHIN_RANGE: (&str, &str) = ("DesiredWithinRange", "the desired count is within the acceptable range");

/// A window of whole seconds in milliseconds (negative windows count as none).
fn seconds_ms(seconds: i32) -> Millis {
    u64::try_from(seconds).unwrap_or(0) * SECOND_MS
}

/// `timestamp.After(now - window)`: the moment lies inside the window that ends now.
fn within_window(at_ms: Millis, window_ms: Millis, now: Millis) -> bool {
    at_ms + window_ms > now
}

/// `timestamp.Before(now - window)`: the moment fell out of the window that ends now.
fn before_window(at_ms: Millis, window_ms: Millis, now: Millis) -> bool {
    at_ms + window_ms < now
}

/// `recordInitialRecommendation`: the first sync remembers the current count.
pub fn record_initial_recommendation(memory: &mut Memory, current_replicas: i32, now: Millis) {
    if memory.recommendations.is_empty() {
        memory.recommendations.push(Recommendation {
            replicas: current_replicas,
            at_ms: now,
        });
    }
}

/// Records a recommendation, reusing the slot of one that fell out of every window.
fn record(memory: &mut Memory, old_slot: Option<usize>, replicas: i32, now: Millis) {
    let recommendation = Recommendation { replicas, at_ms: now };
    match old_slot {
        Some(index) => memory.recommendations[index] = recommendation,
        None => memory.recommendations.push(recommendation),
    }
}

/// `stabilizeRecommendation`: the highest recommendation of the last five minutes (the
/// downscale stabilization window), the new one included.
pub fn stabilize_recommendation(memory: &mut Memory, proposed: i32, now: Millis) -> i32 {
    let mut highest = proposed;
    let mut old_slot = None;
    for (index, recommendation) in memory.recommendations.iter().enumerate() {
        if before_window(recommendation.at_ms, DOWNSCALE_STABILIZATION_WINDOW_MS, now) {
            old_slot = Some(index);
        } else if recommendation.replicas > highest {
            highest = recommendation.replicas;
        }
    }
    record(memory, old_slot, proposed, now);
    highest
}

/// `calculateScaleUpLimit`: at most double, or 4, whichever is more.
pub fn scale_up_limit(current_replicas: i32) -> i32 {
    (2 * i64::from(current_replicas)).max(4).min(i64::from(i32::MAX)) as i32
}

/// `convertDesiredReplicasWithRules`: min, max and the scale-up limit.
pub fn convert_desired_replicas_with_rules(bounds: Bounds, desired: i32) -> (i32, (&'static str, &'static str)) {
    let limit = scale_up_limit(bounds.current_replicas);
    let (maximum, reason) = if bounds.max_replicas > limit {
        (limit, SCALE_UP_LIMIT)
    } else {
        (bounds.max_replicas, TOO_MANY_REPLICAS)
    };
    if desired < bounds.min_replicas {
        (bounds.min_replicas, TOO_FEW_REPLICAS)
    } else if desired > maximum {
        (maximum, reason)
    } else {
        (desired, DESIRED_WITHIN_RANGE)
    }
}

/// `normalizeDesiredReplicas`, for HPAs without a `behavior` (every v1 HPA and
/// `kubectl autoscale`'s).
pub fn normalize(memory: &mut Memory, bounds: Bounds, proposed: i32, now: Millis) -> Normalized {
    let stabilized = stabilize_recommendation(memory, proposed, now);
    let able_to_scale = if stabilized != proposed {
        SCALE_DOWN_STABILIZED
    } else {
        READY_FOR_NEW_SCALE
    };
    let (replicas, scaling_limited) = convert_desired_replicas_with_rules(bounds, stabilized);
    Normalized {
        replicas,
        able_to_scale,
        limited: replicas != stabilized,
        scaling_limited,
    }
}

/// A `behavior` with the defaults filled in (`GenerateHPAScaleUpRules`,
/// `GenerateHPAScaleDownRules` in `pkg/apis/autoscaling/v2/defaults.go`, and
/// `maybeInitScaleDownStabilizationWindow` for the scale-down window).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub stabilization_window_seconds: i32,
    pub select_policy: String,
    pub policies: Vec<ScalingPolicy>,
}

impl Rules {
    fn filled(rules: Option<&ScalingRules>, window: i32, policies: Vec<ScalingPolicy>) -> Rules {
        let rules = rules.cloned().unwrap_or_default();
        Rules {
            stabilization_window_seconds: rules.stabilization_window_seconds.unwrap_or(window),
            select_policy: rules.select_policy.unwrap_or_else(|| "Max".to_string()),
            policies: rules.policies.unwrap_or(policies),
        }
    }

    /// Scale-up rules: no stabilization; 4 pods or 100% per 15 seconds, whichever is more.
    pub fn scale_up(rules: Option<&ScalingRules>) -> Rules {
        Rules::filled(rules, 0, vec![policy("Pods", 4, 15), policy("Percent", 100, 15)])
    }

    /// Scale-down rules: the controller's 300s window; 100% per 15 seconds.
    pub fn scale_down(rules: Option<&ScalingRules>) -> Rules {
        let window = i32::try_from(DOWNSCALE_STABILIZATION_WINDOW_MS / SECOND_MS).unwrap_or(300);
        Rules::filled(rules, window, vec![policy("Percent", 100, 15)])
    }

    fn longest_period_seconds(&self) -> i32 {
        self.policies
            .iter()
            .map(|policy| policy.period_seconds)
            .max()
            .unwrap_or(0)
    }
}

fn policy(policy_type: &str, value: i32, period_seconds: i32) -> ScalingPolicy {
    ScalingPolicy {
        policy_type: policy_type.to_string(),
        value,
        period_seconds,
    }
}

/// `stabilizeRecommendationWithBehaviors`: the recommendation kept between the lowest of the
/// scale-up window and the highest of the scale-down window.
pub fn stabilize_with_behaviors(
    memory: &mut Memory,
    up: &Rules,
    down: &Rules,
    bounds: Bounds,
    proposed: i32,
    now: Millis,
) -> (i32, (&'static str, &'static str)) {
    let (up_window, down_window) = (
        seconds_ms(up.stabilization_window_seconds),
        seconds_ms(down.stabilization_window_seconds),
    );
    let (mut up_recommendation, mut down_recommendation) = (proposed, proposed);
    let mut old_slot = None;
    for (index, recommendation) in memory.recommendations.iter().enumerate() {
        if within_window(recommendation.at_ms, up_window, now) {
            up_recommendation = up_recommendation.min(recommendation.replicas);
        }
        if within_window(recommendation.at_ms, down_window, now) {
            down_recommendation = down_recommendation.max(recommendation.replicas);
        }
        if before_window(recommendation.at_ms, up_window, now) && before_window(recommendation.at_ms, down_window, now)
        {
            old_slot = Some(index);
        }
    }
    let stabilized = bounds.current_replicas.max(up_recommendation).min(down_recommendation);
    record(memory, old_slot, proposed, now);
    let reason = if proposed >= bounds.current_replicas {
        SCALE_UP_STABILIZED
    } else {
        SCALE_DOWN_STABILIZED
    };
    (stabilized, reason)
}

/// `getReplicasChangePerPeriod`: the replicas changed by events within the last period.
fn change_in_period(period_seconds: i32, events: &[ScaleEvent], now: Millis) -> i32 {
    events
        .iter()
        .filter(|event| within_window(event.at_ms, seconds_ms(period_seconds), now))
        .map(|event| event.change)
        .sum()
}

/// `calculateScaleUpLimitWithScalingRules` (`up`) or `calculateScaleDownLimitWithBehaviors`
/// (`!up`): the furthest the policies let the count move from where each period started.
pub fn rate_limit(memory: &Memory, current_replicas: i32, rules: &Rules, up: bool, now: Millis) -> i32 {
    if rules.select_policy == "Disabled" {
        return current_replicas;
    }
    // For scaling up `Min` picks the smallest proposal; for scaling down the largest.
    let pick_smallest = (rules.select_policy == "Min") == up;
    let mut result: Option<i64> = None;
    for policy in &rules.policies {
        let added = change_in_period(policy.period_seconds, &memory.scale_up_events, now);
        let deleted = change_in_period(policy.period_seconds, &memory.scale_down_events, now);
        let start = f64::from(current_replicas - added + deleted);
        let fraction = f64::from(policy.value) / 100.0;
        let proposed = match (policy.policy_type.as_str(), up) {
            ("Pods", true) => start as i64 + i64::from(policy.value),
            ("Pods", false) => start as i64 - i64::from(policy.value),
            // Rounded up so that a scale-up always adds at least one pod.
            (_, true) => (start * (1.0 + fraction)).ceil() as i64,
            (_, false) => (start * (1.0 - fraction)) as i64,
        };
        result = Some(match result {
            None => proposed,
            Some(previous) if pick_smallest => previous.min(proposed),
            Some(previous) => previous.max(proposed),
        });
    }
    let fallback = if pick_smallest {
        i64::from(i32::MAX)
    } else {
        i64::from(i32::MIN)
    };
    result
        .unwrap_or(fallback)
        .clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// `convertDesiredReplicasWithBehaviorRate`: min, max and the policies' rates.
pub fn convert_with_behavior_rate(
    memory: &Memory,
    up: &Rules,
    down: &Rules,
    bounds: Bounds,
    desired: i32,
    now: Millis,
) -> (i32, (&'static str, &'static str)) {
    let current = bounds.current_replicas;
    if desired > current {
        let limit = rate_limit(memory, current, up, true, now).max(current);
        let (maximum, reason) = if bounds.max_replicas > limit {
            (limit, SCALE_UP_LIMIT)
        } else {
            (bounds.max_replicas, TOO_MANY_REPLICAS)
        };
        if desired > maximum {
            return (maximum, reason);
        }
    } else if desired < current {
        let limit = rate_limit(memory, current, down, false, now).min(current);
        let (minimum, reason) = if bounds.min_replicas < limit {
            (limit, SCALE_DOWN_LIMIT)
        } else {
            (bounds.min_replicas, TOO_FEW_REPLICAS)
        };
        if desired < minimum {
            return (minimum, reason);
        }
    }
    (desired, DESIRED_WITHIN_RANGE)
}

/// `normalizeDesiredReplicasWithBehaviors`.
pub fn normalize_with_behaviors(
    memory: &mut Memory,
    up: &Rules,
    down: &Rules,
    bounds: Bounds,
    proposed: i32,
    now: Millis,
) -> Normalized {
    let (stabilized, reason) = stabilize_with_behaviors(memory, up, down, bounds, proposed, now);
    let able_to_scale = if stabilized != proposed {
        reason
    } else {
        READY_FOR_NEW_SCALE
    };
    let (replicas, scaling_limited) = convert_with_behavior_rate(memory, up, down, bounds, stabilized, now);
    Normalized {
        replicas,
        able_to_scale,
        limited: replicas != stabilized,
        scaling_limited,
    }
}

/// `storeScaleEvent`: remembers a rescale for the rate policies, reusing the slot of an event
/// older than the direction's longest policy period. HPAs without a behavior keep none.
pub fn store_scale_event(memory: &mut Memory, rules: Option<(&Rules, &Rules)>, previous: i32, new: i32, now: Millis) {
    let Some((up, down)) = rules else { return };
    let (events, longest, change) = if new > previous {
        (&mut memory.scale_up_events, up.longest_period_seconds(), new - previous)
    } else {
        (
            &mut memory.scale_down_events,
            down.longest_period_seconds(),
            previous - new,
        )
    };
    let mut old_slot = None;
    for (index, event) in events.iter_mut().enumerate() {
        if before_window(event.at_ms, seconds_ms(longest), now) {
            event.outdated = true;
        }
        if event.outdated {
            old_slot = Some(index);
        }
    }
    let event = ScaleEvent {
        change,
        at_ms: now,
        outdated: false,
    };
    match old_slot {
        Some(index) => events[index] = event,
        None => events.push(event),
    }
}

#[cfg(test)]
mod tests;
