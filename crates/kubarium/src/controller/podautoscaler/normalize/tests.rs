//! Normalization cases, after `horizontal_test.go` (`TestConvertDesiredReplicasWithRules`,
//! `TestNormalizeDesiredReplicasWithBehavior`, `TestScaleUpOneMetricEmpty`-style limits).

use super::*;

const NOW: Millis = 3_600 * SECOND_MS;

fn bounds(min_replicas: i32, max_replicas: i32, current_replicas: i32) -> Bounds {
    Bounds {
        min_replicas,
        max_replicas,
        current_replicas,
    }
}

#[test]
fn rules_without_behavior() {
    struct Case {
        name: &'static str,
        bounds: Bounds,
        desired: i32,
        expected: (i32, &'static str),
    }
    let cases = [
        Case {
            name: "at most double the current count",
            bounds: bounds(1, 20, 3),
            desired: 10,
            expected: (6, "ScaleUpLimit"),
        },
        Case {
            name: "at least 4 when doubling gives less",
            bounds: bounds(1, 20, 1),
            desired: 10,
            expected: (4, "ScaleUpLimit"),
        },
        Case {
            name: "the maximum when it is below the scale-up limit",
            bounds: bounds(1, 10, 8),
            desired: 12,
            expected: (10, "TooManyReplicas"),
        },
        Case {
            name: "the minimum",
            bounds: bounds(2, 10, 3),
            desired: 0,
            expected: (2, "TooFewReplicas"),
        },
        Case {
            name: "within range",
            bounds: bounds(2, 10, 3),
            desired: 5,
            expected: (5, "DesiredWithinRange"),
        },
    ];
    for case in cases {
        let (replicas, (reason, _)) = convert_desired_replicas_with_rules(case.bounds, case.desired);
        assert_eq!((replicas, reason), case.expected, "{}", case.name);
    }
}

#[test]
fn scale_down_waits_for_the_highest_recommendation_of_five_minutes() {
    let mut memory = Memory::default();
    record_initial_recommendation(&mut memory, 6, NOW - 400 * SECOND_MS);
    memory.recommendations.push(Recommendation {
        replicas: 10,
        at_ms: NOW - 200 * SECOND_MS,
    });
    let normalized = normalize(&mut memory, bounds(1, 20, 10), 3, NOW);
    assert_eq!(normalized.replicas, 10);
    assert_eq!(normalized.able_to_scale.0, "ScaleDownStabilized");
    // The 400s-old sample's slot took the new recommendation.
    assert_eq!(memory.recommendations.len(), 2);
    assert_eq!(
        memory.recommendations[0],
        Recommendation {
            replicas: 3,
            at_ms: NOW
        }
    );
    // A recommendation exactly 300s old still counts (`Before(cutoff)` is strict).
    let later = NOW + 100 * SECOND_MS;
    assert_eq!(normalize(&mut memory, bounds(1, 20, 10), 3, later).replicas, 10);
    let after_window = NOW + 300 * SECOND_MS + 1;
    assert_eq!(normalize(&mut memory, bounds(1, 20, 10), 3, after_window).replicas, 3);
}

#[test]
fn behavior_rates() {
    struct Case {
        name: &'static str,
        up: Option<ScalingRules>,
        down: Option<ScalingRules>,
        scale_up_events: Vec<ScaleEvent>,
        bounds: Bounds,
        desired: i32,
        expected: (i32, &'static str),
    }
    let rules = |select_policy: &str, policies: Vec<ScalingPolicy>| {
        Some(ScalingRules {
            stabilization_window_seconds: None,
            select_policy: Some(select_policy.to_string()),
            policies: Some(policies),
        })
    };
    let recent_event = |change| ScaleEvent {
        change,
        at_ms: NOW - 10 * SECOND_MS,
        outdated: false,
    };
    let cases = vec![
        Case {
            name: "default scale-up: the larger of +4 pods and +100% per 15s",
            up: None,
            down: None,
            scale_up_events: vec![],
            bounds: bounds(1, 100, 10),
            desired: 30,
            expected: (20, "ScaleUpLimit"),
        },
        Case {
            name: "an earlier scale-up in the period counts against the rate",
            up: None,
            down: None,
            scale_up_events: vec![recent_event(5)],
            bounds: bounds(1, 100, 10),
            desired: 30,
            expected: (10, "ScaleUpLimit"),
        },
        Case {
            name: "Min picks the smaller change",
            up: rules("Min", vec![policy("Pods", 4, 15), policy("Percent", 100, 15)]),
            down: None,
            scale_up_events: vec![],
            bounds: bounds(1, 100, 10),
            desired: 30,
            expected: (14, "ScaleUpLimit"),
        },
        Case {
            name: "Disabled scale-up keeps the count",
            up: rules("Disabled", vec![policy("Pods", 4, 15)]),
            down: None,
            scale_up_events: vec![],
            bounds: bounds(1, 100, 10),
            desired: 30,
            expected: (10, "ScaleUpLimit"),
        },
        Case {
            name: "default scale-down may remove everything down to the minimum",
            up: None,
            down: None,
            scale_up_events: vec![],
            bounds: bounds(1, 100, 10),
            desired: 2,
            expected: (2, "DesiredWithinRange"),
        },
        Case {
            name: "one pod a minute down",
            up: None,
            down: rules("Max", vec![policy("Pods", 1, 60)]),
            scale_up_events: vec![],
            bounds: bounds(1, 100, 10),
            desired: 2,
            expected: (9, "ScaleDownLimit"),
        },
    ];
    for case in cases {
        let memory = Memory {
            scale_up_events: case.scale_up_events,
            ..Memory::default()
        };
        let (up, down) = (Rules::scale_up(case.up.as_ref()), Rules::scale_down(case.down.as_ref()));
        let (replicas, (reason, _)) = convert_with_behavior_rate(&memory, &up, &down, case.bounds, case.desired, NOW);
        assert_eq!((replicas, reason), case.expected, "{}", case.name);
    }
}

#[test]
fn behavior_stabilization_windows() {
    let up = Rules::scale_up(Some(&ScalingRules {
        stabilization_window_seconds: Some(60),
        ..ScalingRules::default()
    }));
    let down = Rules::scale_down(None);
    assert_eq!(down.stabilization_window_seconds, 300);
    let mut memory = Memory::default();
    memory.recommendations.push(Recommendation {
        replicas: 4,
        at_ms: NOW - 30 * SECOND_MS,
    });
    // Scaling up from 4 to 8 waits: the lowest recommendation of the last minute is 4.
    let (stabilized, (reason, _)) = stabilize_with_behaviors(&mut memory, &up, &down, bounds(1, 20, 4), 8, NOW);
    assert_eq!((stabilized, reason), (4, "ScaleUpStabilized"));
    let later = NOW + 31 * SECOND_MS;
    let (stabilized, _) = stabilize_with_behaviors(&mut memory, &up, &down, bounds(1, 20, 4), 8, later);
    assert_eq!(stabilized, 8);
}

#[test]
fn scale_events_reuse_outdated_slots_and_none_without_behavior() {
    let (up, down) = (Rules::scale_up(None), Rules::scale_down(None));
    let mut memory = Memory::default();
    store_scale_event(&mut memory, None, 2, 4, NOW);
    assert!(memory.scale_up_events.is_empty());
    store_scale_event(&mut memory, Some((&up, &down)), 2, 4, NOW);
    store_scale_event(&mut memory, Some((&up, &down)), 4, 8, NOW + 10 * SECOND_MS);
    assert_eq!(memory.scale_up_events.len(), 2);
    // 20s later the first event is older than the longest policy period (15s): its slot is
    // reused.
    store_scale_event(&mut memory, Some((&up, &down)), 8, 9, NOW + 20 * SECOND_MS);
    assert_eq!(memory.scale_up_events.len(), 2);
    assert_eq!(memory.scale_up_events[0].change, 1);
    store_scale_event(&mut memory, Some((&up, &down)), 9, 3, NOW + 30 * SECOND_MS);
    assert_eq!(memory.scale_down_events[0].change, 6);
}
