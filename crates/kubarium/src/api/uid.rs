//! `metadata.uid` and `ownerReferences[].uid`: a UUID kept as its 16 bytes.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Text;

/// A uid. The API server's are UUIDs (`k8s.io/apimachinery/pkg/util/uuid`), and so are the
/// simulation's, so a canonical one (lowercase `8-4-4-4-12` hex) is kept as its 16 bytes: no
/// allocation, against a `String`'s 36-byte one. Any other text (read from a manifest) is kept
/// as it is. It reads, compares, orders, displays and serializes exactly as the string it
/// stands for; equal uids are equal values (the canonical form is never kept as text), so
/// hashing the value hashes consistently with equality.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub enum Uid {
    /// Unset.
    #[default]
    Empty,
    /// A canonical UUID.
    Uuid([u8; 16]),
    /// Any other (non-empty) text.
    Text(Text),
}

/// The length of a UUID's text: 32 hex digits and 4 dashes.
const UUID_LEN: usize = 36;

/// Where a UUID's text has its dashes.
const DASHES: [usize; 4] = [8, 13, 18, 23];

impl Uid {
    pub fn is_empty(&self) -> bool {
        matches!(self, Uid::Empty)
    }

    /// The uid `<prefix><number as lowercase hex, at least 12 digits>`, where `prefix` is the
    /// first ten bytes of a UUID: the simulation's serial uids, written without text when
    /// the number fits the last six bytes.
    pub fn serial(prefix: [u8; 10], number: u64) -> Uid {
        if number >> 48 == 0 {
            let mut bytes = [0; 16];
            bytes[..10].copy_from_slice(&prefix);
            bytes[10..].copy_from_slice(&number.to_be_bytes()[2..]);
            return Uid::Uuid(bytes);
        }
        let mut bytes = [0; 16];
        bytes[..10].copy_from_slice(&prefix);
        let prefix = &uuid_text(&bytes)[..=DASHES[3]];
        Uid::from(format!("{prefix}{number:x}").as_str())
    }

    /// The uid's text (as `to_string`, without the formatter).
    pub fn to_text(&self) -> String {
        self.with_str(str::to_owned)
    }

    /// Calls `read` with the uid's text.
    fn with_str<R>(&self, read: impl FnOnce(&str) -> R) -> R {
        match self {
            Uid::Empty => read(""),
            Uid::Uuid(bytes) => read(&uuid_text(bytes)),
            Uid::Text(text) => read(text),
        }
    }
}

/// The canonical text of a UUID, written on the stack.
fn uuid_text(bytes: &[u8; 16]) -> UuidText {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = [b'-'; UUID_LEN];
    let mut position = 0;
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            position += 1;
        }
        text[position] = DIGITS[usize::from(byte >> 4)];
        text[position + 1] = DIGITS[usize::from(byte & 0xf)];
        position += 2;
    }
    UuidText(text)
}

/// A UUID's text: ASCII hex digits and dashes.
struct UuidText([u8; UUID_LEN]);

impl std::ops::Deref for UuidText {
    type Target = str;

    fn deref(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// The bytes of a canonical UUID text, `None` for any other text.
fn parse_uuid(text: &str) -> Option<[u8; 16]> {
    let text = text.as_bytes();
    if text.len() != UUID_LEN || DASHES.iter().any(|&dash| text[dash] != b'-') {
        return None;
    }
    let mut digits = text
        .iter()
        .enumerate()
        .filter(|(index, _)| !DASHES.contains(index))
        .map(|(_, &digit)| match digit {
            b'0'..=b'9' => Some(digit - b'0'),
            b'a'..=b'f' => Some(digit - b'a' + 10),
            _ => None,
        });
    let mut bytes = [0; 16];
    for byte in &mut bytes {
        *byte = (digits.next()?? << 4) | digits.next()??;
    }
    Some(bytes)
}

impl From<&str> for Uid {
    fn from(text: &str) -> Self {
        match parse_uuid(text) {
            Some(bytes) => Uid::Uuid(bytes),
            None if text.is_empty() => Uid::Empty,
            None => Uid::Text(Text::new(text)),
        }
    }
}

impl From<&String> for Uid {
    fn from(text: &String) -> Self {
        Uid::from(text.as_str())
    }
}

impl From<String> for Uid {
    fn from(text: String) -> Self {
        Uid::from(text.as_str())
    }
}

impl Ord for Uid {
    /// The order of the texts: for two UUIDs, the order of their bytes (lowercase hex digits
    /// sort as the nibbles they stand for, and the dashes stand at the same places).
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Uid::Uuid(mine), Uid::Uuid(theirs)) => mine.cmp(theirs),
            _ => self.with_str(|mine| other.with_str(|theirs| mine.cmp(theirs))),
        }
    }
}

impl PartialOrd for Uid {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<str> for Uid {
    fn eq(&self, other: &str) -> bool {
        match self {
            Uid::Empty => other.is_empty(),
            Uid::Uuid(bytes) => parse_uuid(other).is_some_and(|theirs| theirs == *bytes),
            Uid::Text(text) => text.as_str() == other,
        }
    }
}

impl PartialEq<&str> for Uid {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl PartialEq<String> for Uid {
    fn eq(&self, other: &String) -> bool {
        *self == *other.as_str()
    }
}

impl PartialEq<Uid> for str {
    fn eq(&self, other: &Uid) -> bool {
        *other == *self
    }
}

impl PartialEq<Uid> for String {
    fn eq(&self, other: &Uid) -> bool {
        *other == *self.as_str()
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_str(|text| formatter.write_str(text))
    }
}

impl fmt::Debug for Uid {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_str(|text| fmt::Debug::fmt(text, formatter))
    }
}

impl Serialize for Uid {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.with_str(|text| serializer.serialize_str(text))
    }
}

impl<'de> Deserialize<'de> for Uid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Uid::from(&*text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A uid reads and writes back the very text it was given, and keeps UUIDs as bytes.
    #[test]
    fn uids_round_trip_as_text() {
        let uuid = "0123abcd-ef45-4000-8000-00000000002a";
        for (text, bytes) in [
            ("", false),
            (uuid, true),
            ("00000000-0000-0000-0000-000000000000", true),
            ("ffffffff-ffff-ffff-ffff-ffffffffffff", true),
            ("0123ABCD-ef45-4000-8000-00000000002a", false),
            ("0123abcd-ef45-4000-8000-00000000002", false),
            ("0123abcd-ef45-4000-8000-00000000002ab", false),
            ("0123abcdef-45-4000-8000-00000000002a", false),
            ("0123abcd-ef45-4000-8000-00000000002g", false),
            ("service-uid", false),
            ("é23abcd-ef45-4000-8000-00000000002a", false),
        ] {
            let read: Uid = serde_json::from_value(serde_json::json!(text)).unwrap();
            assert_eq!(matches!(read, Uid::Uuid(_)), bytes, "{text}");
            assert_eq!(read.to_string(), text);
            assert_eq!(read.to_text(), text);
            assert_eq!(format!("{read:?}"), format!("{text:?}"));
            assert_eq!(read, *text);
            assert_eq!(read, Uid::from(text));
            assert_eq!(read.is_empty(), text.is_empty());
            assert_eq!(serde_json::to_value(&read).unwrap(), serde_json::json!(text));
        }
        assert_ne!(Uid::from(uuid), "0123abcd-ef45-4000-8000-00000000002b");
        assert_ne!(Uid::from(uuid), "");
        assert_eq!(std::mem::size_of::<Uid>(), 24);
    }

    /// Uids order as their texts, whichever way each is kept.
    #[test]
    fn uids_order_as_their_texts() {
        let texts = [
            "",
            "0",
            "00000000-0000-4000-8000-00000000000a",
            "00000000-0000-4000-8000-00000000000A",
            "00000000-0000-4000-8000-000000000010",
            "00000000-0000-4000-8000-1000000000000",
            "9",
            "a0000000-0000-4000-8000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
            "uid-1",
        ];
        for first in texts {
            for second in texts {
                assert_eq!(
                    Uid::from(first).cmp(&Uid::from(second)),
                    first.cmp(second),
                    "{first} {second}"
                );
            }
        }
    }

    /// Serial uids read as `format!` writes them, past six bytes too.
    #[test]
    fn serial_uids_are_their_formatted_text() {
        let prefix = [0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0];
        for number in [0, 1, 42, 0xffff_ffff_ffff, 1 << 48, u64::MAX] {
            let uid = Uid::serial(prefix, number);
            assert_eq!(uid.to_string(), format!("00000000-0000-4000-8000-{number:012x}"));
            assert_eq!(matches!(uid, Uid::Uuid(_)), number >> 48 == 0);
        }
    }
}
