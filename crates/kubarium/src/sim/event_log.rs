//! The event log: the events the API server still stores (an hour's worth, as `--event-ttl`),
//! a count and determinism hash over every event ever recorded, and, on request, the whole
//! trace for golden files and scenario checks. Events are hashed as they are dropped; the hash
//! of the whole log continues over the kept ones when asked for.
//!
//! kube-apiserver stores Events with a time to live (`--event-ttl`, default one hour;
//! `pkg/registry/core/event/storage/storage.go`, `TTLFunc`), so a long run keeps only the last
//! hour of them. Expired events are dropped in batches, when at least half of the kept ones
//! have expired, so recording stays amortised constant time and memory stays within about
//! twice an hour's events.

use std::cell::RefCell;
use std::sync::Arc;

use crate::fasthash::{FastMap, FastSet};
use crate::time::{Millis, SECOND_MS};
use crate::word::Word;

use super::EventRecord;
use crate::store::ObjectKey;

/// An event's words of small vocabularies: its type (`Normal` or `Warning`), reason,
/// namespace and reporting component (`daemonset-controller`, `default-scheduler`,
/// `kubelet`). Interned as one, like a `Word`: each distinct four is stored once per thread and
/// never freed (a bounded set, the code's reasons and sources by the namespaces), and an
/// event keeps one pointer to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventWords {
    pub event_type: Word,
    pub reason: Word,
    pub namespace: Word,
    pub source: Word,
}

thread_local! {
    /// The fours interned so far, by their words' ids. Only looked up, never iterated.
    static EVENT_WORDS: RefCell<FastMap<[usize; 4], &'static EventWords>> = RefCell::new(FastMap::default());

    /// The fours interned last, by slot (`word::group_cache_slot`).
    static RECENT_EVENT_WORDS: [std::cell::Cell<Option<&'static EventWords>>; crate::word::GROUP_CACHE_SLOTS] =
        const { [const { std::cell::Cell::new(None) }; crate::word::GROUP_CACHE_SLOTS] };
}

impl EventWords {
    fn ids(&self) -> [usize; 4] {
        [
            self.event_type.id(),
            self.reason.id(),
            self.namespace.id(),
            self.source.id(),
        ]
    }

    /// The shared copy of `words`, interned on first use (every event interns its four:
    /// most are found in the small cache).
    pub(crate) fn intern(words: EventWords) -> &'static EventWords {
        let ids = words.ids();
        let slot = crate::word::group_cache_slot(&ids);
        RECENT_EVENT_WORDS.with(|recent| {
            if let Some(cached) = recent[slot].get().filter(|cached| cached.ids() == ids) {
                return cached;
            }
            let interned = EVENT_WORDS.with(|interned| {
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

/// An event's involved object. A pod's events share the pod's key (one pointer, no text
/// of their own: a pod has about five events, and the kubelet's and scheduler's are most of
/// a big run's); any other object's `kind/name` is interned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Involved {
    /// `pod/NAME`.
    Pod(ObjectKey),
    /// `kind/name` as kubectl prints it.
    Text(Arc<str>),
}

/// An event's message. The scheduler's `Scheduled` message names the pod and its node, so it
/// is different for every pod: it is kept as the node's `Word` and written from the pod's key
/// when read (`EventRecord::write_message`), rather than as a string per pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EventMessage {
    Text(Arc<str>),
    /// `Successfully assigned NAMESPACE/NAME to NODE`, of an event whose object is a pod.
    AssignedTo(Word),
}

/// kube-apiserver's `--event-ttl` default: one hour.
pub const EVENT_TTL_MS: Millis = 3_600 * SECOND_MS;

/// Dropping fewer expired events than this at once is not worth the copy.
const MIN_DROP: usize = 1_024;

/// Where the log hash starts (FNV-1a's offset basis, kept from the hash's first version).
const LOG_HASH_START: u64 = 0xcbf2_9ce4_8422_2325;
/// The log hash's multiplier (2^64 over the golden ratio, odd).
const LOG_HASH_MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

/// The log hash over one line, eight bytes at a time: the line's bytes are gathered into
/// little-endian words, each mixed into the state with a multiply and a shift (a serial chain
/// of one multiply per eight bytes, where FNV-1a's had one per byte: that chain alone took
/// half a second of the CronJob year's 4.7 million events). The pieces a line is written in do
/// not matter, only its bytes.
struct LineHasher {
    state: u64,
    word: u64,
    filled: u32,
}

impl LineHasher {
    fn mix(&mut self, word: u64) {
        let mixed = (self.state ^ word).wrapping_mul(LOG_HASH_MULTIPLIER);
        self.state = mixed ^ (mixed >> 29);
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut bytes = bytes;
        // First the word begun by earlier pieces.
        if self.filled > 0 {
            let (head, rest) = bytes.split_at((8 - self.filled as usize).min(bytes.len()));
            self.gather(head);
            if self.filled < 8 {
                return;
            }
            let word = std::mem::take(&mut self.word);
            self.filled = 0;
            self.mix(word);
            bytes = rest;
        }
        let (words, rest) = bytes.as_chunks::<8>();
        for word in words {
            self.mix(u64::from_le_bytes(*word));
        }
        self.gather(rest);
    }

    /// Adds `bytes` (no more than the word has room for) to the word being gathered.
    fn gather(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.word |= u64::from(byte) << (8 * self.filled);
            self.filled += 1;
        }
    }

    /// The state after the line: its last partial word mixed in with its length.
    fn finish(mut self) -> u64 {
        let last = self.word ^ (u64::from(self.filled) << 59);
        self.mix(last);
        self.state
    }
}

/// Writes the event's canonical log line (`time type reason namespace/object source
/// message`, without a newline) as pieces into `sink`, without building it: the one layout
/// the log hash and [`LogLine`] both read.
fn write_log_line(event: &EventRecord, sink: &mut impl FnMut(&str)) {
    let mut buffer = [0u8; 20];
    let digits = crate::time::decimal_digits(event.time_ms, &mut buffer);
    // Decimal digits are ASCII.
    sink(std::str::from_utf8(digits).unwrap_or_default());
    for text in [event.event_type.as_str(), event.reason.as_str(), &*event.namespace] {
        sink(" ");
        sink(text);
    }
    sink("/");
    event.write_object(&mut *sink);
    sink(" ");
    sink(event.source.as_str());
    sink(" ");
    event.write_message(&mut *sink);
}

/// The log hash of the event's log line and a newline, continuing from `hash` (this runs for
/// every event recorded).
fn hash_log_line(hash: &mut u64, event: &EventRecord) {
    let mut line = LineHasher {
        state: *hash,
        word: 0,
        filled: 0,
    };
    write_log_line(event, &mut |piece| line.write(piece.as_bytes()));
    line.write(b"\n");
    *hash = line.finish();
}

/// The stored events and what is known of all of them.
#[derive(Debug)]
pub(crate) struct EventLog {
    /// In recording order, which is time order. Starts with expired events not dropped yet
    /// (all of them when the whole trace is kept).
    records: Vec<EventRecord>,
    /// How many of the first records are known to have expired (a cursor that only moves
    /// forward, so recording does not search the log).
    expired: usize,
    /// Whether expired events are kept, for `Simulation::event_trace`.
    keep_trace: bool,
    /// Events recorded since the start, expired ones included.
    recorded: usize,
    /// The log hash over the canonical log lines of the events dropped so far.
    dropped_hash: u64,
    /// Shared copies of the strings events repeat (object names, messages). Only
    /// looked up, never iterated, so its order cannot leak; strings only expired events used
    /// are dropped with them.
    interned: FastSet<Arc<str>>,
}

impl Default for EventLog {
    fn default() -> Self {
        EventLog {
            records: Vec::new(),
            expired: 0,
            keep_trace: false,
            recorded: 0,
            dropped_hash: LOG_HASH_START,
            interned: FastSet::default(),
        }
    }
}

impl EventLog {
    /// Records `event`, first dropping expired events when enough have expired.
    pub(crate) fn record(&mut self, event: EventRecord) {
        self.recorded += 1;
        if !self.keep_trace {
            self.drop_expired(event.time_ms);
        }
        self.records.push(event);
    }

    /// The events the API server still stores at `now`: those recorded in the last hour.
    pub(crate) fn stored(&self, now: Millis) -> &[EventRecord] {
        &self.records[self.expired_count(now)..]
    }

    /// Every event since the start, if the trace is kept.
    pub(crate) fn trace(&self) -> Option<&[EventRecord]> {
        self.keep_trace.then_some(&self.records[..])
    }

    /// Keeps every event from now on (and the expired ones not dropped yet).
    pub(crate) fn keep_trace(&mut self) {
        self.keep_trace = true;
    }

    pub(crate) fn recorded(&self) -> usize {
        self.recorded
    }

    /// The log hash over the canonical log line of every event recorded since the start.
    pub(crate) fn hash(&self) -> u64 {
        let mut hash = self.dropped_hash;
        for event in &self.records {
            hash_log_line(&mut hash, event);
        }
        hash
    }

    /// The shared copy of `text`.
    pub(crate) fn intern(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.interned.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        self.interned.insert(shared.clone());
        shared
    }

    /// How many leading records have expired at `now`.
    fn expired_count(&self, now: Millis) -> usize {
        let known = self.expired.min(self.records.len());
        known + self.records[known..].partition_point(|event| event.time_ms.saturating_add(EVENT_TTL_MS) <= now)
    }

    /// Drops the expired records once they are at least half of the kept ones, and the
    /// interned strings nothing else uses any more.
    fn drop_expired(&mut self, now: Millis) {
        while self
            .records
            .get(self.expired)
            .is_some_and(|event| event.time_ms.saturating_add(EVENT_TTL_MS) <= now)
        {
            self.expired += 1;
        }
        if self.expired < MIN_DROP || self.expired * 2 < self.records.len() {
            return;
        }
        for event in self.records.drain(..self.expired) {
            hash_log_line(&mut self.dropped_hash, &event);
        }
        self.expired = 0;
        self.interned.retain(|text| Arc::strong_count(text) > 1);
    }
}

/// An event's canonical log line (`EventRecord::to_log_line`), written without allocating.
pub(crate) struct LogLine<'a>(pub(crate) &'a EventRecord);

impl std::fmt::Display for LogLine<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut result = Ok(());
        write_log_line(self.0, &mut |piece| {
            result = result.and_then(|()| formatter.write_str(piece))
        });
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Interning gives one shared copy per distinct four, whether the small cache in front
    /// holds it or another four took its slot (200 fours over 64 slots).
    #[test]
    fn event_words_intern_to_one_copy_each() {
        let four = |index: usize| EventWords {
            event_type: Word::from_static(["Normal", "Warning"][index % 2]),
            reason: Word::new(&format!("Reason{}", index % 30)),
            namespace: Word::new(&format!("team-{index}")),
            source: Word::from_static("kubelet"),
        };
        let first: Vec<&'static EventWords> = (0..200).map(|index| EventWords::intern(four(index))).collect();
        for round in 0..2 {
            for index in (0..200).rev() {
                let again = EventWords::intern(four(index));
                assert!(std::ptr::eq(again, first[index]), "round {round}, four {index}");
                assert_eq!(*again, four(index));
            }
        }
    }

    fn event(time_ms: Millis, message: &str, log: &mut EventLog) -> EventRecord {
        let words = EventWords {
            event_type: Word::from_static("Normal"),
            reason: Word::from_static("Test"),
            namespace: Word::new("default"),
            source: Word::from_static("kubelet"),
        };
        EventRecord::new(
            time_ms,
            words,
            Involved::Text(log.intern("pod/a")),
            EventMessage::Text(log.intern(message)),
        )
    }

    /// The log hash, written plainly: per line (with its newline), each whole eight bytes as a
    /// little-endian word, then the rest of the line padded with zeros, with its length.
    fn hash_of_lines(lines: &[String]) -> u64 {
        let mix = |state: u64, word: u64| {
            let mixed = (state ^ word).wrapping_mul(LOG_HASH_MULTIPLIER);
            mixed ^ (mixed >> 29)
        };
        let mut hash = LOG_HASH_START;
        for line in lines {
            let bytes: Vec<u8> = line.bytes().chain(std::iter::once(b'\n')).collect();
            let words = bytes.chunks_exact(8);
            let rest = words.remainder();
            for word in words {
                hash = mix(hash, u64::from_le_bytes(word.try_into().expect("eight bytes")));
            }
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            hash = mix(hash, u64::from_le_bytes(last) ^ ((rest.len() as u64) << 59));
        }
        hash
    }

    #[test]
    fn a_line_hashes_the_same_whatever_pieces_it_is_written_in() {
        let text = "12 Normal Scheduled default/pod/web-1 default-scheduler Successfully assigned";
        let whole = {
            let mut line = LineHasher {
                state: LOG_HASH_START,
                word: 0,
                filled: 0,
            };
            line.write(text.as_bytes());
            line.write(b"\n");
            line.finish()
        };
        for cut in [1, 3, 7, 8, 9, 15, 16, 40] {
            let mut line = LineHasher {
                state: LOG_HASH_START,
                word: 0,
                filled: 0,
            };
            let (first, second) = text.as_bytes().split_at(cut);
            line.write(first);
            line.write(&[]);
            line.write(second);
            line.write(b"\n");
            assert_eq!(line.finish(), whole, "cut at {cut}");
        }
        assert_eq!(whole, hash_of_lines(&[text.to_string()]));
        assert_ne!(whole, hash_of_lines(&[format!("{text}.")]));
    }

    #[test]
    fn events_expire_after_an_hour_but_the_count_and_hash_cover_all() {
        let mut log = EventLog::default();
        let mut lines = Vec::new();
        // One event a second for three hours, each with its own message.
        for second in 0..3 * 3_600 {
            let record = event(second * SECOND_MS, &format!("message {second}"), &mut log);
            lines.push(record.to_log_line());
            log.record(record);
        }
        let now = 3 * 3_600 * SECOND_MS;
        let stored = log.stored(now);
        // Those of the last hour: 2:00:00 has expired at 3:00:00, 2:00:01 has not.
        assert_eq!(stored.len(), 3_599);
        assert_eq!(stored[0].time_ms, (2 * 3_600 + 1) * SECOND_MS);
        assert_eq!(log.recorded(), 3 * 3_600);
        assert_eq!(log.hash(), hash_of_lines(&lines));
        assert!(log.trace().is_none());
        // Dropped in batches: never more than about twice an hour's events kept.
        assert!(log.records.len() <= 2 * 3_600 + 1);
        // Messages only dropped events used are no longer interned (the object is the one
        // shared string; namespaces are `Word`s).
        assert_eq!(log.interned.len(), log.records.len() + 1);
    }

    #[test]
    fn a_kept_trace_holds_every_event() {
        let mut log = EventLog::default();
        log.keep_trace();
        for second in 0..2 * 3_600 {
            let record = event(second * SECOND_MS, "same", &mut log);
            log.record(record);
        }
        assert_eq!(log.trace().map(<[EventRecord]>::len), Some(2 * 3_600));
        assert_eq!(log.stored(2 * 3_600 * SECOND_MS).len(), 3_599);
    }

    #[test]
    fn the_hash_is_over_the_log_lines() {
        let mut log = EventLog::default();
        let mut lines = Vec::new();
        for time_ms in [0, 7, 10, 99, 1_000, 123_456, 31_536_000_000, u64::MAX] {
            let record = event(time_ms, "a message", &mut log);
            lines.push(record.to_log_line());
            log.record(record);
        }
        assert_eq!(log.hash(), hash_of_lines(&lines));
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_record_is_48_bytes() {
        // `Involved` and `EventMessage` fit in a fat pointer's 16 bytes each.
        assert_eq!(std::mem::size_of::<Involved>(), 16);
        assert_eq!(std::mem::size_of::<EventMessage>(), 16);
        assert_eq!(std::mem::size_of::<EventRecord>(), 48);
    }

    #[test]
    fn a_pod_event_reads_and_hashes_as_its_text() {
        let key = ObjectKey::new("team", "web-1");
        let words = EventWords {
            event_type: Word::from_static("Normal"),
            reason: Word::from_static("Scheduled"),
            namespace: key.namespace,
            source: Word::from_static("default-scheduler"),
        };
        let shared = EventRecord::new(
            7,
            words,
            Involved::Pod(key.clone()),
            EventMessage::AssignedTo(Word::new("node-2")),
        );
        let mut log = EventLog::default();
        let text = EventRecord::new(
            7,
            words,
            Involved::Text(log.intern("pod/web-1")),
            EventMessage::Text(log.intern("Successfully assigned team/web-1 to node-2")),
        );
        assert_eq!(shared.object(), "pod/web-1");
        assert_eq!(shared.message(), "Successfully assigned team/web-1 to node-2");
        assert_eq!(shared.to_log_line(), text.to_log_line());
        assert_eq!(
            shared.to_log_line(),
            "7 Normal Scheduled team/pod/web-1 default-scheduler Successfully assigned team/web-1 to node-2"
        );
        let mut by_shared = LOG_HASH_START;
        hash_log_line(&mut by_shared, &shared);
        assert_eq!(by_shared, hash_of_lines(&[text.to_log_line()]));
    }

    #[test]
    fn an_event_is_stored_until_exactly_an_hour_later() {
        let mut log = EventLog::default();
        let record = event(5, "once", &mut log);
        log.record(record);
        assert_eq!(log.stored(5 + EVENT_TTL_MS - 1).len(), 1);
        assert_eq!(log.stored(5 + EVENT_TTL_MS).len(), 0);
    }
}
