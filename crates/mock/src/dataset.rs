//! The stable dataset: a sorted table of (creation time, tie-break, generator index), and the
//! records regenerated from it on demand.
//!
//! Only 24 bytes a record are held, so a million records take 24 MB and start in well under a
//! second: record `i` is drawn by `enquiry-fake` from `(seed, i)` whenever it is served, then
//! moved to its slot in the range: every canonical timestamp in it is shifted by the same
//! amount (so the timeline, durations and defects are kept), `_id` becomes the slot's ID (four
//! bytes of creation seconds, then eight of the tie-break, so ordering by `createdAt` then `_id`
//! is ordering the table), and the date part of `displayCaseNumber` follows `createdAt`. The
//! other object IDs keep the generator's creation seconds; nothing reads them.

use std::sync::Mutex;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use enquiry_fake::{Generator, InvalidRate, MutantKind, Options};
use enquiry_schema::names::label_list::{self, label_list as label_member};
use enquiry_schema::names::record as member;
use serde::Serialize;
use serde_json::{json, Value};

use crate::config::{Config, ConfigError};
use crate::rng::{mix, Domain};

/// One record's place in the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Slot {
    created: i64,
    tie: u64,
    index: u32,
}

/// A served invalid record: which record, where the defect is and which rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// The record's `_id` as a valid record would carry it.
    pub id: String,
    /// The RFC 6901 pointer of the defect, relative to the record.
    pub pointer: String,
    /// The validator's rule id.
    pub code: String,
}

/// The manifest's keys: the record's ID member (its name in the contract), the pointer and
/// the code.
const MANIFEST_POINTER: &str = "pointer";
const MANIFEST_CODE: &str = "code";

impl Serialize for ManifestEntry {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = serializer.serialize_struct("ManifestEntry", 3)?;
        state.serialize_field(member::ID, &self.id)?;
        state.serialize_field(MANIFEST_POINTER, &self.pointer)?;
        state.serialize_field(MANIFEST_CODE, &self.code)?;
        state.end()
    }
}

impl<'de> serde::Deserialize<'de> for ManifestEntry {
    /// Every key is a required string; other keys are ignored.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let mut members = serde_json::Map::<String, Value>::deserialize(deserializer)?;
        let mut take = |key: &'static str| match members.remove(key) {
            Some(Value::String(text)) => Ok(text),
            Some(_) => Err(D::Error::custom(format_args!("`{key}` is not a string"))),
            None => Err(D::Error::missing_field(key)),
        };
        Ok(ManifestEntry {
            id: take(member::ID)?,
            pointer: take(MANIFEST_POINTER)?,
            code: take(MANIFEST_CODE)?,
        })
    }
}

/// Mutant codes never planted in a list response: each makes the whole response body
/// unreadable to an ordinary JSON client (broken syntax, invalid UTF-8 or a lone surrogate,
/// nesting past parser limits), which would hide every other record of the page.
const WHOLE_BODY_DEFECTS: &[&str] = &["syntax", "too-deep", "encoding"];

/// Fixed names for generated labels, in order.
const LABEL_NAMES: &[&str] = &[
    "VIP",
    "Complaint",
    "Sales lead",
    "Refund",
    "Follow-up",
    "Feedback",
    "Urgent",
    "Spam",
];

/// Colour names of generated labels, in turn.
const COLOURS: &[&str] = &["red", "orange", "green", "blue", "purple"];

/// The dataset and the record of which invalid records went out.
pub struct Dataset {
    generator: Generator,
    seed: u64,
    invalid: InvalidRate,
    kinds: Vec<&'static MutantKind>,
    slots: Vec<Slot>,
    labels: Vec<Value>,
    served_invalid: Mutex<(Vec<ManifestEntry>, std::collections::HashSet<u32>)>,
    cache: Vec<Mutex<Cached>>,
}

/// How many rendered records the cache holds (direct-mapped by position): at most about
/// 16 MiB, whatever the dataset's size, so memory stays flat.
const CACHE_SLOTS: usize = 8192;

/// One cache slot: the record at `position`, rendered, with its manifest entry.
struct Cached {
    position: usize,
    bytes: Vec<u8>,
    entry: Option<ManifestEntry>,
}

/// One page of records.
pub struct Page {
    /// Records in the range.
    pub total: u64,
    /// The page's records, each one JSON text (not always valid: a mutant may be the point).
    pub body: Vec<u8>,
}

impl Dataset {
    /// Builds the table for `config` (and reads `--labels`).
    pub fn new(config: &Config) -> Result<Dataset, ConfigError> {
        let label_objects = match &config.labels_file {
            Some(path) => Some(read_labels(path)?),
            None => None,
        };
        let label_ids = label_objects.as_ref().map(|labels| {
            labels
                .iter()
                .filter_map(|label| {
                    label
                        .get(label_member::ID)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .collect::<Vec<_>>()
        });
        let generator = Generator::new(Options {
            seed: config.seed,
            labels: label_ids,
            ..Options::default()
        })
        .map_err(|err| ConfigError(err.0))?;
        let labels = label_objects.unwrap_or_else(|| generated_labels(generator.label_ids()));
        let kinds = generator
            .mutant_kinds()
            .iter()
            .copied()
            .filter(|kind| !WHOLE_BODY_DEFECTS.contains(&kind.code))
            .collect();
        Ok(Dataset {
            seed: config.seed,
            invalid: config.invalid,
            kinds,
            slots: build_slots(config),
            labels,
            generator,
            served_invalid: Mutex::new(Default::default()),
            cache: (0..CACHE_SLOTS)
                .map(|_| {
                    Mutex::new(Cached {
                        position: usize::MAX,
                        bytes: Vec::new(),
                        entry: None,
                    })
                })
                .collect(),
        })
    }

    /// How many records the dataset holds.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the dataset is empty.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The labels, as the label list serves them.
    pub fn labels(&self) -> &[Value] {
        &self.labels
    }

    /// The positions `[first, last)` of the records created in `[start, end)` (milliseconds,
    /// rounded up by the caller so that `createdAt >= start` holds exactly).
    pub fn range(&self, start: i64, end: i64) -> (usize, usize) {
        let first = self.slots.partition_point(|slot| slot.created < start);
        let last = self.slots.partition_point(|slot| slot.created < end);
        (first, last.max(first))
    }

    /// Writes the records at positions `[from, to)` as a JSON array's elements (comma
    /// separated), noting served invalid records in the manifest; `true` when one was new.
    /// Recently rendered records come from a small cache; a record is the same either way.
    pub fn write_records(&self, from: usize, to: usize, out: &mut Vec<u8>) -> bool {
        let mut scratch = Vec::with_capacity(2048);
        let mut noted = false;
        for (at, position) in (from..to.min(self.slots.len())).enumerate() {
            if at > 0 {
                out.push(b',');
            }
            let Ok(mut cached) = self.cache[position % CACHE_SLOTS].lock() else {
                if let Some(entry) = self.write_record(position, out, &mut scratch) {
                    noted |= self.note_served(self.slots[position].index, entry);
                }
                continue;
            };
            if cached.position != position {
                let mut bytes = std::mem::take(&mut cached.bytes);
                bytes.clear();
                cached.entry = self.write_record(position, &mut bytes, &mut scratch);
                cached.bytes = bytes;
                cached.position = position;
            }
            out.extend_from_slice(&cached.bytes);
            if let Some(entry) = &cached.entry {
                noted |= self.note_served(self.slots[position].index, entry.clone());
            }
        }
        noted
    }

    /// The record at dataset position `position` (valid form, for events), as JSON text.
    pub fn valid_record(&self, position: usize) -> Option<Vec<u8>> {
        let slot = *self.slots.get(position)?;
        let mut twin = Vec::with_capacity(2048);
        self.generator
            .valid_record(u64::from(slot.index), &mut twin);
        let moves = Moves::new(&slot, &twin)?;
        let mut out = Vec::with_capacity(twin.len());
        moves.apply(&twin, &mut out);
        Some(out)
    }

    /// The invalid records served so far, in the order they were first served.
    pub fn manifest(&self) -> Vec<ManifestEntry> {
        self.served_invalid
            .lock()
            .map(|guard| guard.0.clone())
            .unwrap_or_default()
    }

    fn note_served(&self, index: u32, entry: ManifestEntry) -> bool {
        let Ok(mut guard) = self.served_invalid.lock() else {
            return false;
        };
        let new = guard.1.insert(index);
        if new {
            guard.0.push(entry);
        }
        new
    }

    /// Appends one record; returns its manifest entry when it is a mutant.
    fn write_record(
        &self,
        position: usize,
        out: &mut Vec<u8>,
        twin: &mut Vec<u8>,
    ) -> Option<ManifestEntry> {
        let slot = self.slots[position];
        let index = u64::from(slot.index);
        twin.clear();
        self.generator.valid_record(index, twin);
        let Some(moves) = Moves::new(&slot, twin) else {
            out.extend_from_slice(twin);
            return None;
        };
        match self.mutant_kind(index) {
            None => {
                moves.apply(twin, out);
                None
            }
            Some(kind) => {
                let mutant = self.generator.mutant(index, kind);
                moves.apply(&mutant.bytes, out);
                Some(ManifestEntry {
                    id: String::from_utf8_lossy(&moves.new_id).into_owned(),
                    pointer: mutant.label.pointer,
                    code: mutant.label.code,
                })
            }
        }
    }

    fn mutant_kind(&self, index: u64) -> Option<&'static MutantKind> {
        if self.kinds.is_empty() {
            return None;
        }
        let chosen = match self.invalid {
            InvalidRate::Never => false,
            InvalidRate::Always => true,
            InvalidRate::PerMillion(ppm) => {
                mix(self.seed, index, Domain::Invalid) % 1_000_000 < u64::from(ppm)
            }
        };
        let pick = mix(self.seed, index, Domain::MutantKind) % self.kinds.len() as u64;
        chosen.then(|| self.kinds[pick as usize])
    }
}

/// Draws every record's creation time and tie-break, and sorts.
fn build_slots(config: &Config) -> Vec<Slot> {
    let span = (config.to_millis - config.from_millis).max(1) as u64;
    let mut slots: Vec<Slot> = (0..config.records.min(u64::from(u32::MAX)))
        .map(|index| Slot {
            created: config.from_millis + (mix(config.seed, index, Domain::Created) % span) as i64,
            tie: mix(config.seed, index, Domain::Tie),
            index: index as u32,
        })
        .collect();
    slots.sort_unstable();
    slots
}

/// Reads a Get Label List response (`{"labelList": [...]}`) or a bare array of labels.
fn read_labels(path: &std::path::Path) -> Result<Vec<Value>, ConfigError> {
    let bad =
        |why: String| ConfigError(format!("cannot read labels from {}: {why}", path.display()));
    let bytes = std::fs::read(path).map_err(|err| bad(err.to_string()))?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|err| bad(err.to_string()))?;
    let list = match value {
        Value::Array(items) => items,
        Value::Object(mut members) => match members.remove(label_list::LABEL_LIST) {
            Some(Value::Array(items)) => items,
            _ => return Err(bad("expected a `labelList` array".to_owned())),
        },
        _ => return Err(bad("expected a label list".to_owned())),
    };
    if list.iter().any(|label| {
        label
            .get(label_member::ID)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    }) {
        return Err(bad("every label needs a non-empty string `id`".to_owned()));
    }
    Ok(list)
}

/// Label objects for generated IDs, with fixed names and dates.
fn generated_labels(ids: &[String]) -> Vec<Value> {
    ids.iter()
        .enumerate()
        .map(|(at, id)| {
            let name = LABEL_NAMES
                .get(at)
                .map_or_else(|| format!("Label {}", at + 1), |name| (*name).to_owned());
            json!({
                (label_member::ID): id,
                (label_member::NAME): name,
                (label_member::COLOR_NAME): COLOURS[at % COLOURS.len()],
                (label_member::CREATED_BY): "Ada Example",
                (label_member::UPDATED_BY): "Ada Example",
                (label_member::CREATED_AT): "2024-01-15T09:00:00.000Z",
                (label_member::UPDATED_AT): "2024-06-01T12:30:00.000Z",
            })
        })
        .collect()
}

/// How a generated record moves to its slot.
struct Moves {
    delta: i64,
    old_id: Vec<u8>,
    new_id: Vec<u8>,
    old_case: Vec<u8>,
    new_case: Vec<u8>,
}

const ID_KEY: &[u8] = b"\"_id\":\"";
const CREATED_KEY: &[u8] = b"\"createdAt\":\"";
const CASE_KEY: &[u8] = b"\"displayCaseNumber\":\"";

impl Moves {
    /// Reads the generated `createdAt`, `_id` and case-number date from a valid record.
    fn new(slot: &Slot, twin: &[u8]) -> Option<Moves> {
        let created = value_after(twin, CREATED_KEY, 24)?;
        let old_created = parse_canonical(created)?;
        let old_id = value_after(twin, ID_KEY, 24)?.to_vec();
        let mut old_case = CASE_KEY.to_vec();
        old_case.extend_from_slice(value_after(twin, CASE_KEY, 6)?);
        let seconds = (slot.created.div_euclid(1000)).clamp(0, i64::from(u32::MAX)) as u32;
        let new_id = format!("{seconds:08x}{:016x}", slot.tie).into_bytes();
        let date = DateTime::<Utc>::from_timestamp_millis(slot.created)?;
        let mut new_case = CASE_KEY.to_vec();
        new_case.extend_from_slice(date.format("%y%m%d").to_string().as_bytes());
        Some(Moves {
            delta: slot.created - old_created,
            old_id,
            new_id,
            old_case,
            new_case,
        })
    }

    /// Copies `record`, replacing the old ID and case date and shifting every canonical
    /// timestamp by `delta` (text that is not a real instant, as a mutant's, is kept). Every
    /// value touched starts right after a quote, so only those positions are examined.
    fn apply(&self, record: &[u8], out: &mut Vec<u8>) {
        let mut copied = 0;
        let mut at = 0;
        while let Some(found) = memchr::memchr(b'"', &record[at..]) {
            let quote = at + found;
            let value = quote + 1;
            let rest = &record[value..];
            let (skip, replacement): (usize, Replacement) = if rest.starts_with(&self.old_id) {
                (self.old_id.len(), Replacement::Id)
            } else if record[quote..].starts_with(&self.old_case) {
                (self.old_case.len() - 1, Replacement::Case)
            } else if let Some(millis) = rest.get(..24).and_then(parse_canonical) {
                (24, Replacement::Instant(millis + self.delta))
            } else {
                at = value;
                continue;
            };
            out.extend_from_slice(&record[copied..value]);
            match replacement {
                Replacement::Id => out.extend_from_slice(&self.new_id),
                Replacement::Case => out.extend_from_slice(&self.new_case[1..]),
                Replacement::Instant(millis) => push_canonical(out, millis),
            }
            copied = value + skip;
            at = copied;
        }
        out.extend_from_slice(&record[copied..]);
    }
}

/// What replaces a value in [`Moves::apply`].
enum Replacement {
    Id,
    Case,
    Instant(i64),
}

/// The `len` bytes after the first `key` in `record`.
fn value_after<'a>(record: &'a [u8], key: &[u8], len: usize) -> Option<&'a [u8]> {
    let start = memchr::memmem::find(record, key)? + key.len();
    record.get(start..start + len)
}

/// Milliseconds of a canonical `YYYY-MM-DDTHH:MM:SS.mmmZ` timestamp that names a real instant.
pub(crate) fn parse_canonical(text: &[u8]) -> Option<i64> {
    const SHAPE: &[u8; 24] = b"dddd-dd-ddTdd:dd:dd.dddZ";
    if text.len() != 24 || !text[0].is_ascii_digit() {
        return None;
    }
    let shaped = SHAPE.iter().zip(text).all(|(shape, byte)| match shape {
        b'd' => byte.is_ascii_digit(),
        other => other == byte,
    });
    if !shaped {
        return None;
    }
    let number = |from: usize, to: usize| {
        text[from..to]
            .iter()
            .fold(0u32, |acc, digit| acc * 10 + u32::from(digit - b'0'))
    };
    let date = NaiveDate::from_ymd_opt(number(0, 4) as i32, number(5, 7), number(8, 10))?;
    let time = date.and_hms_milli_opt(
        number(11, 13),
        number(14, 16),
        number(17, 19),
        number(20, 23),
    )?;
    Some(time.and_utc().timestamp_millis())
}

/// Writes the canonical text of an instant (`1970-01-01T00:00:00.000Z` if out of range).
pub(crate) fn push_canonical(out: &mut Vec<u8>, millis: i64) {
    let at = DateTime::<Utc>::from_timestamp_millis(millis).unwrap_or_default();
    let fields = [
        (at.year().clamp(0, 9999) as u32, 4, b'-'),
        (at.month(), 2, b'-'),
        (at.day(), 2, b'T'),
        (at.hour(), 2, b':'),
        (at.minute(), 2, b':'),
        (at.second(), 2, b'.'),
        (at.timestamp_subsec_millis(), 3, b'Z'),
    ];
    for (value, width, separator) in fields {
        let mut digits = [b'0'; 4];
        let mut rest = value;
        for slot in digits[..width].iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        out.extend_from_slice(&digits[..width]);
        out.push(separator);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_timestamps_round_trip_and_bad_ones_are_refused() {
        let text = b"2025-12-31T23:59:59.999Z";
        let millis = parse_canonical(text).unwrap();
        let mut out = Vec::new();
        push_canonical(&mut out, millis);
        assert_eq!(out, text);
        for bad in [
            &b"2025-02-30T00:00:00.000Z"[..],
            b"2025-01-01T25:00:00.000Z",
            b"2025-01-01T00:00:00.000+",
            b"2025-01-01 00:00:00.000Z",
        ] {
            assert_eq!(parse_canonical(bad), None);
        }
    }

    #[test]
    fn the_table_is_sorted_and_inside_the_range() {
        let config = Config {
            records: 500,
            seed: 3,
            ..Config::default()
        };
        let dataset = Dataset::new(&config).unwrap();
        assert_eq!(dataset.len(), 500);
        assert!(dataset.slots.windows(2).all(|pair| pair[0] <= pair[1]));
        assert!(dataset
            .slots
            .iter()
            .all(|slot| (config.from_millis..config.to_millis).contains(&slot.created)));
        assert_eq!(dataset.range(i64::MIN, i64::MAX), (0, 500));
    }

    #[test]
    fn cached_and_fresh_records_are_the_same_bytes() {
        let config = Config {
            records: CACHE_SLOTS as u64 + 10,
            seed: 4,
            invalid: InvalidRate::PerMillion(500_000),
            ..Config::default()
        };
        let dataset = Dataset::new(&config).unwrap();
        let render = |from: usize, to: usize| {
            let mut out = Vec::new();
            dataset.write_records(from, to, &mut out);
            out
        };
        let fresh = render(0, 20);
        assert_eq!(render(0, 20), fresh, "from the cache");
        // Positions 0.. and CACHE_SLOTS.. share slots: evicted, then rendered again.
        let other = render(CACHE_SLOTS, CACHE_SLOTS + 10);
        assert_ne!(other, fresh);
        assert_eq!(render(0, 20), fresh);
        let mut scratch = Vec::new();
        let mut direct = Vec::new();
        for position in 0..20 {
            if position > 0 {
                direct.push(b',');
            }
            dataset.write_record(position, &mut direct, &mut scratch);
        }
        assert_eq!(direct, fresh);
        let manifest = dataset.manifest();
        let ids: std::collections::HashSet<&str> =
            manifest.iter().map(|entry| entry.id.as_str()).collect();
        assert_eq!(ids.len(), manifest.len(), "each invalid record noted once");
    }
}
