//! API object types: the Kubernetes schema of the fields the simulation plays.
//!
//! Field names and JSON shapes follow `k8s.io/api`. Defaults follow `pkg/apis/*/v1/defaults.go`
//! where a field is defaulted. Every field of the real schema is accepted at the door
//! (`schema` checks it strictly); these types keep the ones the simulation uses, and serde
//! ignores the rest. Timestamps are simulated milliseconds since the start of the run.

mod apps;
mod autoscaling;
mod batch;
mod core;
mod quota;
mod service;
mod uid;

pub use apps::*;
pub use autoscaling::*;
pub use batch::*;
pub use core::*;
pub use quota::*;
pub use service::*;
pub use uid::Uid;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::labels::Labels;
use crate::time::Millis;
pub use crate::word::{Text, Word};

/// `metav1.ObjectMeta`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub generate_name: String,
    /// Namespaces are a bounded vocabulary: one interned `Word` per object.
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub namespace: Word,
    #[serde(default, skip_serializing_if = "Uid::is_empty")]
    pub uid: Uid,
    #[serde(default, skip_serializing_if = "ResourceVersion::is_empty")]
    pub resource_version: ResourceVersion,
    #[serde(default)]
    pub generation: u64,
    #[serde(default)]
    pub creation_timestamp_ms: Millis,
    /// Set when a graceful deletion began: the object is Terminating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp_ms: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_grace_period_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub labels: Labels,
    #[serde(default, skip_serializing_if = "Labels::is_empty")]
    pub annotations: Labels,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owner_references: Vec<OwnerReference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub finalizers: Vec<String>,
}

/// `metadata.resourceVersion`: the API server's are opaque strings; the simulation's count
/// writes, so they are kept as the number (8 bytes and no allocation, against a `String`'s 24
/// and its allocation). Any other text (read from a manifest) is kept as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ResourceVersion {
    /// Unset.
    #[default]
    Empty,
    /// A number, as `u64::to_string` writes it.
    Number(u64),
    /// Any other (non-empty) text.
    Text(Text),
}

impl ResourceVersion {
    pub fn is_empty(&self) -> bool {
        matches!(self, ResourceVersion::Empty)
    }
}

impl std::fmt::Display for ResourceVersion {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResourceVersion::Text(text) => formatter.write_str(text),
            ResourceVersion::Number(number) => write!(formatter, "{number}"),
            ResourceVersion::Empty => Ok(()),
        }
    }
}

impl From<&str> for ResourceVersion {
    fn from(text: &str) -> Self {
        match text.parse::<u64>() {
            Ok(number) if number.to_string() == text => ResourceVersion::Number(number),
            _ if text.is_empty() => ResourceVersion::Empty,
            _ => ResourceVersion::Text(Text::new(text)),
        }
    }
}

impl Serialize for ResourceVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ResourceVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(ResourceVersion::from(String::deserialize(deserializer)?.as_str()))
    }
}

/// `metav1.OwnerReference`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerReference {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub uid: Uid,
    #[serde(default)]
    pub controller: bool,
    #[serde(default)]
    pub block_owner_deletion: bool,
}

impl OwnerReference {
    /// `metav1.NewControllerRef`: a reference to the controlling owner, blocking its deletion
    /// in the foreground until the dependent is gone.
    pub fn controller(api_version: &str, kind: &str, owner: &ObjectMeta) -> Self {
        OwnerReference {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
            name: owner.name.clone(),
            uid: owner.uid.clone(),
            controller: true,
            block_owner_deletion: true,
        }
    }
}

impl ObjectMeta {
    /// The owner reference with `controller: true`, as `metav1.GetControllerOf` returns it.
    pub fn controller_of(&self) -> Option<&OwnerReference> {
        self.owner_references.iter().find(|owner| owner.controller)
    }

    pub fn is_terminating(&self) -> bool {
        self.deletion_timestamp_ms.is_some()
    }
}

/// `metav1.Condition`-like status conditions (`v1.PodCondition`, `v1.NodeCondition`, ...).
/// Types, statuses and reasons come from small vocabularies, so the three are one interned
/// `ConditionWords`, read through `Deref` (`condition.status`), and the message is usually
/// empty: a condition is 24 bytes (a running pod has five). It reads and serializes exactly as
/// the five fields it stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ConditionFields", into = "ConditionFields")]
pub struct Condition {
    words: &'static ConditionWords,
    pub message: Text,
    pub last_transition_time_ms: Millis,
}

/// A condition's words: its type, status (`True`, `False` or `Unknown`) and reason.
/// Interned as one, like a `Word`: each distinct three is stored once per thread and never
/// freed (a bounded set: the code's types and reasons, and the few a manifest names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConditionWords {
    pub condition_type: Word,
    pub status: Word,
    pub reason: Word,
}

thread_local! {
    /// The threes interned so far, by their words' ids. Only looked up, never iterated.
    static CONDITION_WORDS: std::cell::RefCell<crate::fasthash::FastMap<[usize; 3], &'static ConditionWords>> =
        std::cell::RefCell::new(crate::fasthash::FastMap::default());

    /// The threes interned last, by slot (`word::group_cache_slot`).
    static RECENT_CONDITION_WORDS: [std::cell::Cell<Option<&'static ConditionWords>>; crate::word::GROUP_CACHE_SLOTS] =
        const { [const { std::cell::Cell::new(None) }; crate::word::GROUP_CACHE_SLOTS] };
}

impl ConditionWords {
    fn ids(&self) -> [usize; 3] {
        [self.condition_type.id(), self.status.id(), self.reason.id()]
    }

    /// The shared copy of `words`, interned on first use (a pod's status changes intern a
    /// few threes many times over: most are found in the small cache).
    fn intern(words: ConditionWords) -> &'static ConditionWords {
        let ids = words.ids();
        let slot = crate::word::group_cache_slot(&ids);
        RECENT_CONDITION_WORDS.with(|recent| {
            if let Some(cached) = recent[slot].get().filter(|cached| cached.ids() == ids) {
                return cached;
            }
            let interned = CONDITION_WORDS.with(|interned| {
                *interned
                    .borrow_mut()
                    .entry(ids)
                    .or_insert_with(|| Box::leak(Box::new(words)))
            });
            recent[slot].set(Some(interned));
            interned
        })
    }
}

impl std::ops::Deref for Condition {
    type Target = ConditionWords;

    fn deref(&self) -> &ConditionWords {
        self.words
    }
}

impl Condition {
    pub fn new(words: ConditionWords, message: Text, last_transition_time_ms: Millis) -> Condition {
        Condition {
            words: ConditionWords::intern(words),
            message,
            last_transition_time_ms,
        }
    }

    pub fn set_status(&mut self, status: Word) {
        self.words = ConditionWords::intern(ConditionWords { status, ..*self.words });
    }

    pub fn set_reason(&mut self, reason: Word) {
        self.words = ConditionWords::intern(ConditionWords { reason, ..*self.words });
    }
}

/// A condition's serialized form, field by field.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConditionFields {
    #[serde(rename = "type")]
    condition_type: Word,
    status: Word,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    reason: Word,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    message: Text,
    #[serde(default)]
    last_transition_time_ms: Millis,
}

impl From<ConditionFields> for Condition {
    fn from(fields: ConditionFields) -> Condition {
        let words = ConditionWords {
            condition_type: fields.condition_type,
            status: fields.status,
            reason: fields.reason,
        };
        Condition::new(words, fields.message, fields.last_transition_time_ms)
    }
}

impl From<Condition> for ConditionFields {
    fn from(condition: Condition) -> ConditionFields {
        ConditionFields {
            condition_type: condition.condition_type,
            status: condition.status,
            reason: condition.reason,
            message: condition.message,
            last_transition_time_ms: condition.last_transition_time_ms,
        }
    }
}

/// The word of a reason given as a `'static` string or an owned one.
fn reason_word(reason: Cow<'static, str>) -> Word {
    match reason {
        Cow::Borrowed(text) => Word::from_static(text),
        Cow::Owned(text) => Word::new(&text),
    }
}

/// Sets a condition, keeping its transition time when the status does not change.
pub fn set_condition(
    conditions: &mut Vec<Condition>,
    now: Millis,
    condition_type: &'static str,
    status: &'static str,
    reason: impl Into<Cow<'static, str>>,
    message: &str,
) {
    let reason = reason.into();
    // Words of the code's vocabulary: compared by pointer when equal, as they mostly are.
    let condition_type = Word::from_static(condition_type);
    let status = Word::from_static(status);
    match conditions
        .iter_mut()
        .find(|condition| condition.condition_type == condition_type)
    {
        Some(condition) => {
            if condition.status != status {
                condition.last_transition_time_ms = now;
                condition.set_status(status);
            }
            let reason = reason_word(reason);
            if condition.reason != reason {
                condition.set_reason(reason);
            }
            if *condition.message != *message {
                condition.message = message.into();
            }
        }
        None => {
            let words = ConditionWords {
                condition_type,
                status,
                reason: reason_word(reason),
            };
            conditions.push(Condition::new(words, message.into(), now));
        }
    }
}

/// The status of a condition, if present.
pub fn condition_status<'a>(conditions: &'a [Condition], condition_type: &str) -> Option<&'a str> {
    conditions
        .iter()
        .find(|condition| condition.condition_type == condition_type)
        .map(|condition| &*condition.status)
}

/// `intstr.IntOrString`: a count or a percentage such as `"25%"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrString {
    Int(i64),
    String(String),
}

impl IntOrString {
    /// `intstrutil.GetScaledValueFromIntOrPercent`: a count as is, a percentage of `total`
    /// rounded up or down. Validation has already refused anything else; a malformed value
    /// counts as 0.
    pub fn scaled_value(&self, total: i64, round_up: bool) -> i64 {
        match self {
            IntOrString::Int(value) => *value,
            IntOrString::String(text) => {
                let Some(percent) = text.strip_suffix('%').and_then(|digits| digits.parse::<i64>().ok()) else {
                    return 0;
                };
                let scaled = percent.saturating_mul(total);
                if round_up {
                    scaled.div_euclid(100) + i64::from(scaled.rem_euclid(100) != 0)
                } else {
                    scaled.div_euclid(100)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Interning gives one shared copy per distinct three, whether the small cache in front
    /// holds it or another three took its slot (200 threes over 64 slots).
    #[test]
    fn condition_words_intern_to_one_copy_each() {
        let three = |index: usize| ConditionWords {
            condition_type: Word::new(&format!("Type{}", index % 20)),
            status: Word::from_static(["True", "False"][index % 2]),
            reason: Word::new(&format!("Reason{index}")),
        };
        let first: Vec<&'static ConditionWords> = (0..200).map(|index| ConditionWords::intern(three(index))).collect();
        for round in 0..2 {
            for index in (0..200).rev() {
                let again = ConditionWords::intern(three(index));
                assert!(std::ptr::eq(again, first[index]), "round {round}, three {index}");
                assert_eq!(*again, three(index));
            }
        }
    }

    /// A resourceVersion reads and writes back the very text it was given.
    #[test]
    fn resource_versions_round_trip_as_text() {
        for (text, kept) in [
            ("", ResourceVersion::Empty),
            ("42", ResourceVersion::Number(42)),
            ("0", ResourceVersion::Number(0)),
            ("042", ResourceVersion::Text(Text::new("042"))),
            ("abc", ResourceVersion::Text(Text::new("abc"))),
            (
                "18446744073709551616",
                ResourceVersion::Text(Text::new("18446744073709551616")),
            ),
        ] {
            let read: ResourceVersion = serde_json::from_value(serde_json::json!(text)).unwrap();
            assert_eq!(read, kept, "{text}");
            assert_eq!(read.to_string(), text);
            assert_eq!(read.is_empty(), text.is_empty());
            assert_eq!(serde_json::to_value(&read).unwrap(), serde_json::json!(text));
        }
        assert_eq!(std::mem::size_of::<ResourceVersion>(), 16);
    }

    /// Every object carries one: its size is memory per pod. A `String` uid and namespace made
    /// it 256 bytes and two allocations (the uid's 36 bytes, the namespace's).
    #[test]
    fn object_meta_size() {
        assert_eq!(std::mem::size_of::<ObjectMeta>(), 240);
    }
}
