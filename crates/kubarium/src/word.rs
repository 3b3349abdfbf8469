//! Interned words: the short strings of small vocabularies (condition types, statuses and
//! reasons, event types, reasons and sources, restart policies, scheduler names, namespaces,
//! the node a pod is bound to: a cluster's nodes are a bounded set), stored once
//! per thread and shared, so that a copy is one pointer and costs no allocation.
//!
//! A `Word` reads, compares, orders, hashes and serializes exactly as the string it holds; only
//! its size differs (8 bytes against a `String`'s 24 and its allocation). The words of a
//! vocabulary are never freed: what is interned must come from a bounded set (the code's own
//! words and the few a manifest names), never free text such as messages or generated names.
//! Free text that is usually empty (a condition's message) is a `Text`: one pointer, and an
//! allocation of its own only when set.

use std::borrow::Borrow;
use std::cell::{Cell, RefCell};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::fasthash::FastMap;

/// An interned string: one pointer to a `'static` string.
#[derive(Clone, Copy)]
pub struct Word(&'static &'static str);

thread_local! {
    /// The words interned so far, by their text. Only looked up, never iterated.
    static WORDS: RefCell<FastMap<&'static str, Word>> = RefCell::new(FastMap::default());

    /// The words last made from `'static` strings, by the string's address and length: the
    /// code's own words (condition types, statuses, event reasons) are looked up many times per
    /// pod, and a `'static` string never changes, so the same address and length is the same
    /// text and its word is found without hashing the text.
    static STATIC_WORDS: [Cell<(usize, usize, Word)>; STATIC_WORD_SLOTS] =
        const { [const { Cell::new((0, 0, Word::EMPTY)) }; STATIC_WORD_SLOTS] };
}

const STATIC_WORD_SLOT_BITS: u32 = 8;
const STATIC_WORD_SLOTS: usize = 1 << STATIC_WORD_SLOT_BITS;

impl Word {
    /// The empty word.
    pub const EMPTY: Word = Word(&"");

    /// The shared copy of `text`, interned on first use.
    pub fn new(text: &str) -> Word {
        if text.is_empty() {
            return Word::EMPTY;
        }
        WORDS.with(|words| {
            let mut words = words.borrow_mut();
            if let Some(word) = words.get(text) {
                return *word;
            }
            let text: &'static str = Box::leak(text.to_owned().into_boxed_str());
            let word = Word(Box::leak(Box::new(text)));
            words.insert(text, word);
            word
        })
    }

    /// A word of the code's own vocabulary (a `'static` string needs no copy of its text).
    pub fn from_static(text: &'static str) -> Word {
        if text.is_empty() {
            return Word::EMPTY;
        }
        let address = text.as_ptr() as usize;
        // Fibonacci hashing of the address: its top bits depend on all of it, so the code's
        // few hundred literals rarely share a slot (the shifted-xor index did: about ten
        // look-ups a CronJob run fell through to hashing the text).
        let slot = (address as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - STATIC_WORD_SLOT_BITS);
        let slot = slot as usize;
        STATIC_WORDS.with(|cache| {
            let (cached_address, cached_len, word) = cache[slot].get();
            if cached_address == address && cached_len == text.len() {
                return word;
            }
            let word = Word::intern_static(text);
            cache[slot].set((address, text.len(), word));
            word
        })
    }

    /// `from_static` without the cache: the interned word of `text`.
    fn intern_static(text: &'static str) -> Word {
        WORDS.with(|words| {
            let mut words = words.borrow_mut();
            if let Some(word) = words.get(text) {
                return *word;
            }
            let word = Word(Box::leak(Box::new(text)));
            words.insert(text, word);
            word
        })
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }

    /// A number that identifies the word: equal words have equal ids, different words
    /// different ones (every non-empty word has one interned slot). A cheap key for
    /// interning groups of words, without hashing their text.
    pub fn id(self) -> usize {
        if self.0.is_empty() {
            0
        } else {
            std::ptr::from_ref::<&'static str>(self.0) as usize
        }
    }
}

/// Slots of the small caches in front of the interners of word groups
/// (`api::ConditionWords`, `sim::EventWords`): each slot holds the group last interned for
/// the ids that map to it, so a repeated group is found without the interner's hash table.
pub(crate) const GROUP_CACHE_SLOTS: usize = 64;

/// The cache slot of a group of word ids (Fibonacci hashing over the ids).
pub(crate) fn group_cache_slot(ids: &[usize]) -> usize {
    let mut hash = 0_u64;
    for &id in ids {
        hash = (hash ^ id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    (hash >> (64 - GROUP_CACHE_SLOTS.trailing_zeros())) as usize
}

impl Default for Word {
    fn default() -> Self {
        Word::EMPTY
    }
}

impl Deref for Word {
    type Target = str;

    fn deref(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for Word {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl Borrow<str> for Word {
    fn borrow(&self) -> &str {
        self.0
    }
}

impl From<&str> for Word {
    fn from(text: &str) -> Self {
        Word::new(text)
    }
}

impl From<String> for Word {
    fn from(text: String) -> Self {
        Word::new(&text)
    }
}

impl From<&String> for Word {
    fn from(text: &String) -> Self {
        Word::new(text)
    }
}

impl From<Word> for String {
    fn from(word: Word) -> Self {
        word.0.to_string()
    }
}

impl PartialEq for Word {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0) || self.0 == other.0
    }
}

impl Eq for Word {}

impl PartialEq<str> for Word {
    fn eq(&self, other: &str) -> bool {
        *self.0 == other
    }
}

impl PartialEq<&str> for Word {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<String> for Word {
    fn eq(&self, other: &String) -> bool {
        *self.0 == other.as_str()
    }
}

impl PartialEq<Word> for str {
    fn eq(&self, other: &Word) -> bool {
        self == *other.0
    }
}

impl PartialEq<Word> for &str {
    fn eq(&self, other: &Word) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Word> for String {
    fn eq(&self, other: &Word) -> bool {
        self.as_str() == *other.0
    }
}

impl PartialOrd for Word {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Word {
    fn cmp(&self, other: &Self) -> Ordering {
        if std::ptr::eq(self.0, other.0) {
            return Ordering::Equal;
        }
        self.0.cmp(other.0)
    }
}

impl Hash for Word {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl fmt::Debug for Word {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, formatter)
    }
}

impl fmt::Display for Word {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, formatter)
    }
}

impl Serialize for Word {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Word {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Word::new(&text))
    }
}

/// Free text that is usually empty (a condition's message): one pointer, and no allocation
/// when empty. Reads, compares and serializes as the string it holds.
///
/// The box around the `String` is the point: it makes the empty case one null pointer (8
/// bytes) where a `String` is 24 and a `Box<str>` 16; the set case pays a second allocation.
#[allow(clippy::box_collection)]
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Text(Option<Box<String>>);

impl Text {
    pub fn new(text: &str) -> Text {
        if text.is_empty() {
            Text(None)
        } else {
            Text(Some(Box::new(text.to_owned())))
        }
    }

    pub fn as_str(&self) -> &str {
        self.0.as_deref().map_or("", String::as_str)
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Text::new(text)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        if text.is_empty() {
            Text(None)
        } else {
            Text(Some(Box::new(text)))
        }
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), formatter)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), formatter)
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Text::from(String::deserialize(deserializer)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Equal words have one id however they were made; different words different ids.
    #[test]
    fn a_word_id_identifies_its_text() {
        let owned = String::from("Scheduled");
        assert_eq!(Word::new(&owned).id(), Word::from_static("Scheduled").id());
        assert_ne!(Word::new("Scheduled").id(), Word::new("Started").id());
        assert_eq!(Word::new("").id(), Word::EMPTY.id());
        assert_ne!(Word::EMPTY.id(), Word::new("Started").id());
    }

    /// The cache by address gives the interned word of the text, also for texts that share a
    /// slot or an address (a prefix of another `'static` string).
    #[test]
    fn static_words_are_the_interned_words() {
        let texts: Vec<&'static str> = (0..300)
            .map(|n| &*Box::leak(format!("word-{n}").into_boxed_str()))
            .collect();
        for _ in 0..2 {
            for text in &texts {
                let word = Word::from_static(text);
                assert!(std::ptr::eq(word.0, Word::new(text).0));
                assert_eq!(word.as_str(), *text);
            }
        }
        let whole: &'static str = "Ready-and-more";
        assert_eq!(Word::from_static(whole).as_str(), whole);
        assert_eq!(Word::from_static(&whole[..5]).as_str(), "Ready");
        assert_eq!(Word::from_static(whole).as_str(), whole);
    }

    #[test]
    fn a_word_is_its_text() {
        let ready = Word::new("Ready");
        assert_eq!(ready, "Ready");
        assert_eq!(&*ready, "Ready");
        assert_eq!(ready, Word::from_static("Ready"));
        assert!(
            std::ptr::eq(ready.0, Word::new(&String::from("Ready")).0),
            "interned once"
        );
        assert_eq!(Word::new("").len(), 0);
        assert_eq!(Word::default(), Word::EMPTY);
        assert_eq!(Word::new("a").cmp(&Word::new("b")), Ordering::Less);
        assert_eq!(format!("{ready} {ready:?}"), "Ready \"Ready\"");
        assert_eq!(serde_json::to_string(&ready).unwrap(), "\"Ready\"");
        let read: Word = serde_json::from_str("\"Ready\"").unwrap();
        assert_eq!(read, ready);
        assert_eq!(std::mem::size_of::<Word>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn a_text_is_its_string() {
        let empty = Text::new("");
        assert_eq!(empty, Text::default());
        assert_eq!(&*empty, "");
        let text = Text::from("containers with unready status: [app]".to_string());
        assert_eq!(text, "containers with unready status: [app]");
        assert_eq!(text.len(), 37);
        assert_eq!(
            serde_json::to_string(&text).unwrap(),
            "\"containers with unready status: [app]\""
        );
        let read: Text = serde_json::from_str("\"\"").unwrap();
        assert_eq!(read, empty);
        assert_eq!(format!("{text:?}"), format!("{:?}", text.as_str()));
        assert_eq!(std::mem::size_of::<Text>(), std::mem::size_of::<usize>());
    }
}
