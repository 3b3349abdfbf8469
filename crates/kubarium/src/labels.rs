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

/// A parsed label selector in kubectl's string form (`app=web,env!=prod,tier in (a,b),!canary`),
/// as `k8s.io/apimachinery/pkg/labels/selector.go` `Parse` reads it. Its requirements are ANDed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    pub requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

/// `selection.Operator`, the operators the string form allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

impl Requirement {
    /// `Requirement.Matches`.
    pub fn matches(&self, labels: &Labels) -> bool {
        let value = labels.get(&self.key);
        let listed = |value: &String| self.values.contains(value);
        match self.operator {
            Operator::Equals | Operator::In => value.is_some_and(listed),
            Operator::NotEquals | Operator::NotIn => value.is_none_or(|value| !listed(value)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::GreaterThan | Operator::LessThan => {
                let (Some(actual), Some(bound)) = (
                    value.and_then(|value| value.parse::<i64>().ok()),
                    self.values.first().and_then(|bound| bound.parse::<i64>().ok()),
                ) else {
                    return false;
                };
                if self.operator == Operator::GreaterThan {
                    actual > bound
                } else {
                    actual < bound
                }
            }
        }
    }
}

impl Selector {
    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements.iter().all(|requirement| requirement.matches(labels))
    }

    /// Parses the string form. An empty string selects everything.
    pub fn parse(text: &str) -> Result<Selector, String> {
        let mut requirements = Vec::new();
        for part in split_top_level(text)? {
            let part = part.trim();
            if part.is_empty() {
                if text.trim().is_empty() {
                    continue;
                }
                return Err(format!(
                    "found '', expected: !, identifier, or 'end of string' in \"{text}\""
                ));
            }
            requirements.push(parse_requirement(part)?);
        }
        Ok(Selector { requirements })
    }
}

impl From<&LabelSelector> for Selector {
    /// `LabelSelectorAsSelector`: matchLabels become `=` requirements, then the expressions.
    fn from(selector: &LabelSelector) -> Self {
        let mut requirements: Vec<Requirement> = selector
            .match_labels
            .iter()
            .map(|(key, value)| Requirement {
                key: key.clone(),
                operator: Operator::Equals,
                values: vec![value.clone()],
            })
            .collect();
        requirements.extend(selector.match_expressions.iter().map(|expression| Requirement {
            key: expression.key.clone(),
            operator: match expression.operator {
                SelectorOperator::In => Operator::In,
                SelectorOperator::NotIn => Operator::NotIn,
                SelectorOperator::Exists => Operator::Exists,
                SelectorOperator::DoesNotExist => Operator::DoesNotExist,
            },
            values: expression.values.clone(),
        }));
        Selector { requirements }
    }
}

/// Splits at commas that are not inside a `( ... )` value set.
fn split_top_level(text: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let mut depth = 0_i32;
    let mut start = 0;
    for (index, character) in text.char_indices() {
        match character {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Err(format!("unexpected ')' in \"{text}\""));
                }
            }
            ',' if depth == 0 => {
                parts.push(&text[start..index]);
                start = index + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(format!("found 'end of string', expected: ')' in \"{text}\""));
    }
    parts.push(&text[start..]);
    Ok(parts)
}

fn parse_requirement(part: &str) -> Result<Requirement, String> {
    let requirement = |key: &str, operator, values: Vec<String>| Requirement {
        key: key.trim().to_string(),
        operator,
        values,
    };
    if let Some(key) = part.strip_prefix('!') {
        return check_key(requirement(key, Operator::DoesNotExist, Vec::new()));
    }
    for (symbol, operator) in [
        ("!=", Operator::NotEquals),
        ("==", Operator::Equals),
        ("=", Operator::Equals),
        (">", Operator::GreaterThan),
        ("<", Operator::LessThan),
    ] {
        if let Some((key, value)) = part.split_once(symbol) {
            let value = value.trim();
            if matches!(operator, Operator::GreaterThan | Operator::LessThan) && value.parse::<i64>().is_err() {
                return Err(format!(
                    "for 'Gt', 'Lt' operators, the value must be an integer: \"{value}\""
                ));
            }
            return check_key(requirement(key, operator, vec![value.to_string()]));
        }
    }
    let words: Vec<&str> = part.splitn(2, char::is_whitespace).collect();
    if let [key, rest] = words.as_slice() {
        let rest = rest.trim_start();
        let (operator, set) = if let Some(set) = rest.strip_prefix("notin") {
            (Operator::NotIn, set)
        } else if let Some(set) = rest.strip_prefix("in") {
            (Operator::In, set)
        } else {
            return Err(format!("found '{rest}', expected: in, notin, =, ==, !=, gt, lt"));
        };
        let set = set.trim();
        let inner = set
            .strip_prefix('(')
            .and_then(|set| set.strip_suffix(')'))
            .ok_or_else(|| format!("found '{set}', expected: '('"))?;
        let values: Vec<String> = inner
            .split(',')
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty())
            .collect();
        if values.is_empty() {
            return Err("for 'in', 'notin' operators, values set can't be empty".to_string());
        }
        return check_key(requirement(key, operator, values));
    }
    check_key(requirement(part, Operator::Exists, Vec::new()))
}

fn check_key(requirement: Requirement) -> Result<Requirement, String> {
    let valid = !requirement.key.is_empty()
        && requirement
            .key
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || matches!(character, '-' | '_' | '.' | '/'));
    if valid {
        Ok(requirement)
    } else {
        Err(format!("invalid label key \"{}\"", requirement.key))
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
    fn string_selectors_parse_and_match() {
        let web_dev = labels(&[("app", "web"), ("env", "dev"), ("tier", "a"), ("size", "5")]);
        let cases: &[(&str, bool)] = &[
            ("", true),
            ("app=web", true),
            ("app==web", true),
            ("app!=web", false),
            ("env!=prod", true),
            ("app=web,env!=prod,tier in (a,b)", true),
            ("tier in (b, c)", false),
            ("tier notin (b,c)", true),
            ("canary notin (true)", true),
            ("app", true),
            ("!app", false),
            ("!canary", true),
            ("size>3", true),
            ("size<3", false),
        ];
        for (text, expected) in cases {
            let selector = Selector::parse(text).unwrap_or_else(|error| panic!("{text}: {error}"));
            assert_eq!(selector.matches(&web_dev), *expected, "selector {text:?}");
        }
        for bad in ["tier in ()", "tier in (a", "app=web,", "a b c", "size>x", "bad key=1"] {
            assert!(Selector::parse(bad).is_err(), "{bad:?} is rejected");
        }
    }

    #[test]
    fn label_selector_converts_to_the_same_requirements() {
        let selector = LabelSelector {
            match_labels: labels(&[("app", "web")]),
            match_expressions: vec![requirement("env", SelectorOperator::NotIn, &["prod"])],
        };
        let parsed = Selector::parse("app=web,env notin (prod)").expect("parses");
        assert_eq!(Selector::from(&selector), parsed);
    }

    #[test]
    fn selector_matching_table() {
        use SelectorOperator::*;
        let myweb = LabelSelector {
            match_labels: Labels::new(),
            match_expressions: vec![requirement("app", In, &["myweb"]), requirement("env", Exists, &[])],
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
