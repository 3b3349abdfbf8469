//! The Job controller's pure decisions about failed and succeeded pods: the pod failure policy
//! (`pkg/controller/job/pod_failure_policy.go`), the compressed index intervals
//! (`orderedIntervals` in `pkg/controller/job/indexed_job_utils.go`) and the success policy
//! (`pkg/controller/job/success_policy.go`).

use std::collections::BTreeSet;

use crate::api::{ContainerState, ContainerStatus, Pod, PodFailurePolicy, PodFailurePolicyOnExitCodes, SuccessPolicy};

/// The action of the pod failure policy rule a failed pod matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailurePolicyAction {
    FailJob,
    FailIndex,
    Ignore,
    Count,
}

/// What `matchPodFailurePolicy` says about a failed pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailurePolicyMatch {
    /// Set when a `FailJob` rule matched: the message of the Job's `PodFailurePolicy` failure.
    pub fail_job_message: Option<String>,
    /// Whether the failure counts against `backoffLimit` (and `backoffLimitPerIndex`): not
    /// when an `Ignore` rule matched.
    pub count_failed: bool,
    pub action: Option<FailurePolicyAction>,
}

impl FailurePolicyMatch {
    const NO_MATCH: FailurePolicyMatch = FailurePolicyMatch {
        fail_job_message: None,
        count_failed: true,
        action: None,
    };
}

/// `matchPodFailurePolicy`: the first rule, in order, whose requirement the failed pod meets
/// and whose action is known decides. A rule with an unknown action is skipped, as Go's
/// `switch` without a matching case falls out of it.
pub fn match_pod_failure_policy(policy: Option<&PodFailurePolicy>, pod: &Pod) -> FailurePolicyMatch {
    let Some(policy) = policy else {
        return FailurePolicyMatch::NO_MATCH;
    };
    for (index, rule) in policy.rules.iter().enumerate() {
        let matched: Option<String> = if let Some(requirement) = &rule.on_exit_codes {
            matching_container(&pod.status.container_statuses, requirement).map(|(name, exit_code)| {
                format!(
                    "Container {name} for pod {}/{} failed with exit code {exit_code} matching {} rule at index {index}",
                    pod.metadata.namespace, pod.metadata.name, rule.action
                )
            })
        } else if let Some(patterns) = &rule.on_pod_conditions {
            // `matchOnPodConditions`: the pod's conditions in order, each against every pattern.
            pod.status
                .conditions
                .iter()
                .find(|condition| {
                    patterns.iter().any(|pattern| {
                        condition.condition_type == pattern.condition_type && condition.status == pattern.status
                    })
                })
                .map(|condition| {
                    format!(
                        "Pod {}/{} has condition {} matching {} rule at index {index}",
                        pod.metadata.namespace, pod.metadata.name, condition.condition_type, rule.action
                    )
                })
        } else {
            None
        };
        let Some(message) = matched else {
            continue;
        };
        let decided = match rule.action.as_str() {
            "Ignore" => FailurePolicyMatch {
                fail_job_message: None,
                count_failed: false,
                action: Some(FailurePolicyAction::Ignore),
            },
            "FailIndex" => FailurePolicyMatch {
                fail_job_message: None,
                count_failed: true,
                action: Some(FailurePolicyAction::FailIndex),
            },
            "Count" => FailurePolicyMatch {
                fail_job_message: None,
                count_failed: true,
                action: Some(FailurePolicyAction::Count),
            },
            "FailJob" => FailurePolicyMatch {
                fail_job_message: Some(message),
                count_failed: true,
                action: Some(FailurePolicyAction::FailJob),
            },
            _ => continue,
        };
        return decided;
    }
    FailurePolicyMatch::NO_MATCH
}

/// `getMatchingContainerFromList`: the first terminated container (of the name, if the
/// requirement names one) whose non-zero exit code meets the operator. Exit code 0 never
/// matches, even under `NotIn`.
fn matching_container(
    statuses: &[ContainerStatus],
    requirement: &PodFailurePolicyOnExitCodes,
) -> Option<(String, i32)> {
    statuses.iter().find_map(|status| {
        let ContainerState::Terminated { exit_code, .. } = status.state else {
            return None;
        };
        let named = requirement
            .container_name
            .as_ref()
            .is_none_or(|name| *name == status.name);
        let listed = requirement.values.contains(&exit_code);
        let operator_matches = match requirement.operator.as_str() {
            "In" => listed,
            "NotIn" => !listed,
            _ => false,
        };
        (named && exit_code != 0 && operator_matches).then(|| (status.name.to_string(), exit_code))
    })
}

/// `orderedIntervals.String()`: consecutive indexes as intervals, `first-last` when three or
/// more long, and a two-long interval written as two numbers: `{0,1,2,4,6,7}` is `0-2,4,6,7`.
pub fn format_indexes(indexes: &BTreeSet<i32>) -> String {
    let mut intervals: Vec<(i32, i32)> = Vec::new();
    for &index in indexes {
        match intervals.last_mut() {
            Some((_, last)) if *last + 1 == index => *last = index,
            _ => intervals.push((index, index)),
        }
    }
    let mut text = String::new();
    for (first, last) in intervals {
        if !text.is_empty() {
            text.push(',');
        }
        text.push_str(&first.to_string());
        if last > first {
            text.push(if last == first + 1 { ',' } else { '-' });
            text.push_str(&last.to_string());
        }
    }
    text
}

/// `parseIndexesFromString`: the indexes below `completions` of `1,3-5`-style text. An interval
/// that does not parse is skipped; the first one starting at or past `completions` ends the
/// list; a last index past the end is cut to `completions - 1`.
pub fn parse_indexes(text: &str, completions: i32) -> BTreeSet<i32> {
    let mut indexes = BTreeSet::new();
    if text.is_empty() {
        return indexes;
    }
    for interval in text.split(',') {
        let mut limits = interval.split('-');
        let Some(Ok(first)) = limits.next().map(str::parse::<i32>) else {
            continue;
        };
        if first >= completions {
            break;
        }
        let last = match limits.next() {
            Some(last) => match last.parse::<i32>() {
                Ok(last) => last.min(completions - 1),
                Err(_) => continue,
            },
            None => first,
        };
        indexes.extend(first.max(0)..=last);
    }
    indexes
}

/// `matchSuccessPolicy`: the first rule met gives the `SuccessCriteriaMet` message. A rule
/// with `succeededIndexes` is met when all of them succeeded, or, with `succeededCount`, that
/// many of them (`matchSucceededIndexesRule`); a rule with only `succeededCount` when that many
/// indexes succeeded. Rules whose indexes do not parse to any index are skipped.
pub fn match_success_policy(
    policy: Option<&SuccessPolicy>,
    completions: i32,
    succeeded: &BTreeSet<i32>,
) -> Option<String> {
    let policy = policy?;
    if succeeded.is_empty() {
        return None;
    }
    for (index, rule) in policy.rules.iter().enumerate() {
        let met = if let Some(text) = &rule.succeeded_indexes {
            let required = parse_indexes(text, completions);
            if required.is_empty() {
                continue;
            }
            let contained = required.intersection(succeeded).count();
            contained == required.len()
                || rule
                    .succeeded_count
                    .is_some_and(|count| contained >= count.max(0) as usize)
        } else {
            rule.succeeded_count
                .is_some_and(|count| succeeded.len() >= count.max(0) as usize)
        };
        if met {
            return Some(format!("Matched rules at index {index}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{
        set_condition, ObjectMeta, PodFailurePolicyOnPodConditionsPattern, PodFailurePolicyRule, PodStatus,
        SuccessPolicyRule,
    };

    fn exit_codes(action: &str, operator: &str, values: &[i32], container_name: Option<&str>) -> PodFailurePolicyRule {
        PodFailurePolicyRule {
            action: action.to_string(),
            on_exit_codes: Some(PodFailurePolicyOnExitCodes {
                container_name: container_name.map(str::to_string),
                operator: operator.to_string(),
                values: values.to_vec(),
            }),
            on_pod_conditions: None,
        }
    }

    fn on_condition(action: &str, condition_type: &str, status: &str) -> PodFailurePolicyRule {
        PodFailurePolicyRule {
            action: action.to_string(),
            on_exit_codes: None,
            on_pod_conditions: Some(vec![PodFailurePolicyOnPodConditionsPattern {
                condition_type: condition_type.to_string(),
                status: status.to_string(),
            }]),
        }
    }

    fn terminated(name: &str, exit_code: i32) -> ContainerStatus {
        ContainerStatus {
            name: name.into(),
            state: ContainerState::Terminated {
                exit_code,
                reason: "Error".to_string(),
                started_at_ms: 0,
                finished_at_ms: 0,
            },
            ..ContainerStatus::default()
        }
    }

    fn failed_pod(containers: Vec<ContainerStatus>, conditions: &[(&'static str, &'static str)]) -> Pod {
        let mut pod = Pod {
            metadata: ObjectMeta {
                namespace: "default".into(),
                name: "mypod".to_string(),
                ..ObjectMeta::default()
            },
            status: PodStatus {
                phase: crate::api::PodPhase::Failed,
                container_statuses: containers,
                ..PodStatus::default()
            },
            ..Pod::default()
        };
        for (condition_type, status) in conditions {
            set_condition(&mut pod.status.conditions, 0, condition_type, status, "", "");
        }
        pod
    }

    /// The intent of `TestMatchPodFailurePolicy` (`pod_failure_policy_test.go`).
    #[test]
    fn pods_match_the_failure_policy_rules_in_order() {
        struct Case {
            name: &'static str,
            // Object spec.
            rules: Vec<PodFailurePolicyRule>,
            // World.
            pod: Pod,
            // Expect.
            action: Option<FailurePolicyAction>,
            count_failed: bool,
            message: Option<&'static str>,
        }
        let cases = vec![
            Case {
                name: "unknown action is skipped, the next rule decides",
                rules: vec![
                    exit_codes("UnknownAction", "In", &[1, 2], None),
                    exit_codes("FailJob", "In", &[2, 3], None),
                ],
                pod: failed_pod(vec![terminated("main-container", 2)], &[]),
                action: Some(FailurePolicyAction::FailJob),
                count_failed: true,
                message: Some(
                    "Container main-container for pod default/mypod failed with exit code 2 matching FailJob rule at index 1",
                ),
            },
            Case {
                name: "ignore by exit code",
                rules: vec![exit_codes("Ignore", "In", &[1, 2, 3], None)],
                pod: failed_pod(vec![terminated("main", 2)], &[]),
                action: Some(FailurePolicyAction::Ignore),
                count_failed: false,
                message: None,
            },
            Case {
                name: "NotIn matches a code not listed",
                rules: vec![exit_codes("Count", "NotIn", &[1, 2, 3], None)],
                pod: failed_pod(vec![terminated("main", 42)], &[]),
                action: Some(FailurePolicyAction::Count),
                count_failed: true,
                message: None,
            },
            Case {
                name: "exit code 0 never matches, even NotIn",
                rules: vec![exit_codes("FailJob", "NotIn", &[1], None)],
                pod: failed_pod(vec![terminated("main", 0)], &[]),
                action: None,
                count_failed: true,
                message: None,
            },
            Case {
                name: "the container name must match",
                rules: vec![exit_codes("FailJob", "In", &[42], Some("sidecar"))],
                pod: failed_pod(vec![terminated("main", 42)], &[]),
                action: None,
                count_failed: true,
                message: None,
            },
            Case {
                name: "the named container is found after another",
                rules: vec![exit_codes("FailJob", "In", &[42], Some("sidecar"))],
                pod: failed_pod(vec![terminated("main", 1), terminated("sidecar", 42)], &[]),
                action: Some(FailurePolicyAction::FailJob),
                count_failed: true,
                message: Some(
                    "Container sidecar for pod default/mypod failed with exit code 42 matching FailJob rule at index 0",
                ),
            },
            Case {
                name: "a running container has no exit code",
                rules: vec![exit_codes("FailJob", "NotIn", &[0], None)],
                pod: failed_pod(
                    vec![ContainerStatus {
                        name: "main".into(),
                        state: ContainerState::Running { started_at_ms: 0 },
                        ..ContainerStatus::default()
                    }],
                    &[],
                ),
                action: None,
                count_failed: true,
                message: None,
            },
            Case {
                name: "DisruptionTarget ignored",
                rules: vec![on_condition("Ignore", "DisruptionTarget", "True")],
                pod: failed_pod(vec![terminated("main", 137)], &[("DisruptionTarget", "True")]),
                action: Some(FailurePolicyAction::Ignore),
                count_failed: false,
                message: None,
            },
            Case {
                name: "condition status must match",
                rules: vec![on_condition("Ignore", "DisruptionTarget", "True")],
                pod: failed_pod(vec![terminated("main", 137)], &[("DisruptionTarget", "False")]),
                action: None,
                count_failed: true,
                message: None,
            },
            Case {
                name: "FailJob on a condition",
                rules: vec![on_condition("FailJob", "DisruptionTarget", "True")],
                pod: failed_pod(vec![], &[("Ready", "False"), ("DisruptionTarget", "True")]),
                action: Some(FailurePolicyAction::FailJob),
                count_failed: true,
                message: Some("Pod default/mypod has condition DisruptionTarget matching FailJob rule at index 0"),
            },
            Case {
                name: "the first matching rule wins",
                rules: vec![
                    on_condition("Ignore", "DisruptionTarget", "True"),
                    exit_codes("FailJob", "In", &[137], None),
                ],
                pod: failed_pod(vec![terminated("main", 137)], &[("DisruptionTarget", "True")]),
                action: Some(FailurePolicyAction::Ignore),
                count_failed: false,
                message: None,
            },
            Case {
                name: "FailIndex counts the failure",
                rules: vec![exit_codes("FailIndex", "In", &[42], None)],
                pod: failed_pod(vec![terminated("main", 42)], &[]),
                action: Some(FailurePolicyAction::FailIndex),
                count_failed: true,
                message: None,
            },
            Case {
                name: "no rule matches",
                rules: vec![exit_codes("FailJob", "In", &[42], None)],
                pod: failed_pod(vec![terminated("main", 1)], &[]),
                action: None,
                count_failed: true,
                message: None,
            },
        ];
        for case in cases {
            let policy = PodFailurePolicy { rules: case.rules };
            let got = match_pod_failure_policy(Some(&policy), &case.pod);
            assert_eq!(got.action, case.action, "{}", case.name);
            assert_eq!(got.count_failed, case.count_failed, "{}", case.name);
            assert_eq!(got.fail_job_message.as_deref(), case.message, "{}", case.name);
        }
        let no_policy = match_pod_failure_policy(None, &failed_pod(vec![terminated("main", 1)], &[]));
        assert_eq!(no_policy, FailurePolicyMatch::NO_MATCH);
    }

    /// `orderedIntervals.String()` and `parseIndexesFromString`, as in `indexed_job_utils_test.go`.
    #[test]
    fn indexes_compress_to_intervals_and_back() {
        struct Case {
            name: &'static str,
            indexes: &'static [i32],
            text: &'static str,
        }
        let cases = [
            Case {
                name: "empty",
                indexes: &[],
                text: "",
            },
            Case {
                name: "one",
                indexes: &[3],
                text: "3",
            },
            Case {
                name: "two consecutive are not an interval",
                indexes: &[0, 1],
                text: "0,1",
            },
            Case {
                name: "three consecutive are",
                indexes: &[0, 1, 2],
                text: "0-2",
            },
            Case {
                name: "mixed",
                indexes: &[0, 1, 2, 4, 6, 7, 9, 10, 11, 12],
                text: "0-2,4,6,7,9-12",
            },
        ];
        for case in cases {
            let indexes: BTreeSet<i32> = case.indexes.iter().copied().collect();
            assert_eq!(format_indexes(&indexes), case.text, "{}", case.name);
            assert_eq!(parse_indexes(case.text, 100), indexes, "{}", case.name);
        }
        // Parsing cuts at completions and skips what does not parse.
        let set = |indexes: &[i32]| indexes.iter().copied().collect::<BTreeSet<i32>>();
        assert_eq!(parse_indexes("1,3-5,7", 5), set(&[1, 3, 4]));
        assert_eq!(parse_indexes("x,2,a-b,4", 10), set(&[2, 4]));
        assert_eq!(parse_indexes("0-2,8-9", 5), set(&[0, 1, 2]));
    }

    /// The intent of `TestMatchSuccessPolicy` (`success_policy_test.go`).
    #[test]
    fn success_policy_rules_are_met_in_order() {
        struct Case {
            name: &'static str,
            // Object spec.
            rules: Vec<(Option<&'static str>, Option<i32>)>,
            completions: i32,
            // World.
            succeeded: &'static [i32],
            // Expect.
            message: Option<&'static str>,
        }
        let cases = vec![
            Case {
                name: "no succeeded index",
                rules: vec![(None, Some(0))],
                completions: 5,
                succeeded: &[],
                message: None,
            },
            Case {
                name: "succeededIndexes all succeeded",
                rules: vec![(Some("0-2"), None)],
                completions: 5,
                succeeded: &[0, 1, 2, 4],
                message: Some("Matched rules at index 0"),
            },
            Case {
                name: "succeededIndexes not all succeeded",
                rules: vec![(Some("0-2"), None)],
                completions: 5,
                succeeded: &[0, 2, 3, 4],
                message: None,
            },
            Case {
                name: "succeededIndexes with succeededCount",
                rules: vec![(Some("0-2"), Some(2))],
                completions: 5,
                succeeded: &[0, 2],
                message: Some("Matched rules at index 0"),
            },
            Case {
                name: "succeededCount alone",
                rules: vec![(None, Some(3))],
                completions: 5,
                succeeded: &[1, 3],
                message: None,
            },
            Case {
                name: "the second rule is met",
                rules: vec![(Some("3"), None), (None, Some(2))],
                completions: 5,
                succeeded: &[1, 4],
                message: Some("Matched rules at index 1"),
            },
            Case {
                name: "indexes past completions are cut",
                rules: vec![(Some("3-9"), None)],
                completions: 5,
                succeeded: &[3, 4],
                message: Some("Matched rules at index 0"),
            },
            Case {
                name: "a rule whose indexes are all out of range is skipped",
                rules: vec![(Some("7-9"), None), (None, Some(1))],
                completions: 5,
                succeeded: &[0],
                message: Some("Matched rules at index 1"),
            },
        ];
        for case in cases {
            let policy = SuccessPolicy {
                rules: case
                    .rules
                    .iter()
                    .map(|(indexes, count)| SuccessPolicyRule {
                        succeeded_indexes: indexes.map(str::to_string),
                        succeeded_count: *count,
                    })
                    .collect(),
            };
            let succeeded: BTreeSet<i32> = case.succeeded.iter().copied().collect();
            assert_eq!(
                match_success_policy(Some(&policy), case.completions, &succeeded).as_deref(),
                case.message,
                "{}",
                case.name
            );
        }
    }
}
