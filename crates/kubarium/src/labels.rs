//! Label selectors: `metav1.LabelSelector` and its matching rules.
//!
//! Semantics follow `k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go` (`LabelSelectorAsSelector`)
//! and `k8s.io/apimachinery/pkg/labels/selector.go` (`Requirement.Matches`): all requirements are
//! ANDed; an empty selector matches everything.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Labels of an object. A `BTreeMap` so that iteration order never depends on hashing.
pub type Labels = BTreeMap<String, String>;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: Labels,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSelectorRequirement {
    pub key: String,
    pub operator: SelectorOperator,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SelectorOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl LabelSelector {
    /// Whether `labels` satisfy every requirement of the selector.
    pub fn matches(&self, labels: &Labels) -> bool {
        let labels_match = self
            .match_labels
            .iter()
            .all(|(key, value)| labels.get(key) == Some(value));
        labels_match
            && self
                .match_expressions
                .iter()
                .all(|requirement| requirement.matches(labels))
    }
}

impl LabelSelectorRequirement {
    /// `Requirement.Matches` in `k8s.io/apimachinery/pkg/labels/selector.go`: `NotIn` also
    /// matches objects that do not have the key at all.
    pub fn matches(&self, labels: &Labels) -> bool {
        let value = labels.get(&self.key);
        match self.operator {
            SelectorOperator::In => value.is_some_and(|value| self.values.contains(value)),
            SelectorOperator::NotIn => value.is_none_or(|value| !self.values.contains(value)),
            SelectorOperator::Exists => value.is_some(),
            SelectorOperator::DoesNotExist => value.is_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    fn requirement(key: &str, operator: SelectorOperator, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.to_string(),
            operator,
            values: values.iter().map(|value| value.to_string()).collect(),
        }
    }

    struct Case {
        name: &'static str,
        selector: LabelSelector,
        labels: Labels,
        expect_match: bool,
    }

    #[test]
    fn selector_matching_table() {
        use SelectorOperator::*;
        let myweb = LabelSelector {
            match_labels: Labels::new(),
            match_expressions: vec![
                requirement("app", In, &["myweb"]),
                requirement("env", Exists, &[]),
            ],
        };
        let cases = [
            Case {
                name: "empty selector matches everything",
                selector: LabelSelector::default(),
                labels: labels(&[("any", "thing")]),
                expect_match: true,
            },
            Case {
                name: "matchLabels equal",
                selector: LabelSelector {
                    match_labels: labels(&[("type", "app")]),
                    match_expressions: vec![],
                },
                labels: labels(&[("type", "app"), ("extra", "x")]),
                expect_match: true,
            },
            Case {
                name: "matchLabels differing value",
                selector: LabelSelector {
                    match_labels: labels(&[("type", "app")]),
                    match_expressions: vec![],
                },
                labels: labels(&[("type", "db")]),
                expect_match: false,
            },
            Case {
                name: "In and Exists both hold",
                selector: myweb.clone(),
                labels: labels(&[("app", "myweb"), ("env", "dev")]),
                expect_match: true,
            },
            Case {
                name: "Exists fails without the key",
                selector: myweb.clone(),
                labels: labels(&[("app", "myweb")]),
                expect_match: false,
            },
            Case {
                name: "In fails on another value",
                selector: myweb,
                labels: labels(&[("app", "other"), ("env", "dev")]),
                expect_match: false,
            },
            Case {
                name: "NotIn matches a missing key",
                selector: LabelSelector {
                    match_labels: Labels::new(),
                    match_expressions: vec![requirement("env", NotIn, &["prod"])],
                },
                labels: Labels::new(),
                expect_match: true,
            },
            Case {
                name: "NotIn rejects a listed value",
                selector: LabelSelector {
                    match_labels: Labels::new(),
                    match_expressions: vec![requirement("env", NotIn, &["prod"])],
                },
                labels: labels(&[("env", "prod")]),
                expect_match: false,
            },
            Case {
                name: "DoesNotExist",
                selector: LabelSelector {
                    match_labels: Labels::new(),
                    match_expressions: vec![requirement("canary", DoesNotExist, &[])],
                },
                labels: labels(&[("canary", "true")]),
                expect_match: false,
            },
        ];
        for case in cases {
            assert_eq!(
                case.selector.matches(&case.labels),
                case.expect_match,
                "case: {}",
                case.name
            );
        }
    }
}
