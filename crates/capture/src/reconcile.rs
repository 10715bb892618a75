//! Lifecycle consistency between captured webhook events and captured records.
//!
//! Two passes in bounded memory. The events pass keeps one compact entry per enquiry (a 64-bit
//! hash of its `eid` as the key, and 32 bytes of state: the first event's line, the
//! latest date and its status, the previous event's fingerprint), finding events out of order
//! and repeated deliveries as it goes. The records pass streams the records, looks each `_id`
//! up and compares the record's status with its last event, marking the entry as matched.
//! What is left unmatched is the events with no record. Memory is proportional to the number
//! of distinct enquiries in the events, never to the size of either file; a collision of two
//! 64-bit hashes (about one in 10^6 for ten million enquiries) would merge two enquiries.
//!
//! Member names come from the contract: the record's ID and status are the required text and
//! required enumerated members of [`enquiry_schema::fields::FIELDS`]; the event's status is
//! the same member name as the record's.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use enquiry_schema::fields::{FieldKind, FIELDS};
use serde_json::Value;

/// The event's enquiry ID member (not a record member).
const EVENT_ID: &str = "eid";
/// The event's date member (not a record member).
const EVENT_DATE: &str = "date";
/// The event status that starts every lifecycle.
const OPENED: &str = "Opened";
/// The event status of an enquiry still under way (its record is ongoing or followed up).
const HANDLING: &str = "Handling";
/// The event status that closes a lifecycle.
const CLOSED: &str = "Closed";

/// Whether a record whose status implies the event status `expected` disagrees with its last
/// event `last`. A closed or missed record must end with that event; a record still under way
/// may not have been picked up yet (its last event `Opened`, or `Missed` before a follow-up)
/// but cannot have been closed.
fn disagrees(expected: Option<&str>, last: &str) -> bool {
    match expected {
        Some(HANDLING) => last == CLOSED,
        Some(expected) => expected != last,
        None => true,
    }
}

/// What kind of inconsistency a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReconcileCode {
    /// Events for an enquiry that is not among the records.
    EventWithoutRecord,
    /// A record for which no event was received.
    RecordWithoutEvents,
    /// A record whose status is not the one its last event implies.
    StatusDisagrees,
    /// An event dated before the event received before it, or a lifecycle not starting `Opened`.
    EventOutOfOrder,
    /// The same event received again.
    DuplicateDelivery,
    /// A line that is not a JSON object with the members reconciliation needs.
    UnreadableLine,
}

/// Every code with its id, in documentation order.
pub const RECONCILE_CODES: &[(ReconcileCode, &str)] = &[
    (ReconcileCode::EventWithoutRecord, "event-without-record"),
    (ReconcileCode::RecordWithoutEvents, "record-without-events"),
    (ReconcileCode::StatusDisagrees, "status-disagrees"),
    (ReconcileCode::EventOutOfOrder, "event-out-of-order"),
    (ReconcileCode::DuplicateDelivery, "duplicate-delivery"),
    (ReconcileCode::UnreadableLine, "unreadable-line"),
];

impl ReconcileCode {
    /// The id findings show (`event-without-record`).
    pub fn as_str(self) -> &'static str {
        RECONCILE_CODES
            .iter()
            .find(|(code, _)| *code == self)
            .map_or("unknown", |(_, id)| id)
    }
}

impl std::fmt::Display for ReconcileCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One inconsistency, located in the file it was found in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileFinding {
    /// The file's name as given.
    pub file: String,
    /// The 0-based index of the line's value among the file's non-blank lines.
    pub record: u64,
    /// The 1-based line.
    pub line: u64,
    /// The kind.
    pub code: ReconcileCode,
    /// One line, input-derived text escaped.
    pub message: String,
}

/// Counts of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconcileSummary {
    /// Events read.
    pub events: u64,
    /// Records read.
    pub records: u64,
    /// Distinct enquiries among the events.
    pub enquiries: u64,
    /// Findings reported.
    pub findings: u64,
}

/// The compact state of one enquiry's events.
#[derive(Debug, Clone, Copy)]
struct Lifecycle {
    last_date: i64,
    latest_date: i64,
    /// Lines beyond `u32::MAX` are shown as `u32::MAX` (only in event-without-record findings).
    first_line: u32,
    /// The low half of the previous event's hash: a false duplicate needs two consecutive
    /// events of one enquiry to collide in 32 bits.
    last_fingerprint: u32,
    latest_status: u8,
    matched: bool,
}

fn hash_of(parts: &[&str]) -> u64 {
    let mut hasher = DefaultHasher::new();
    parts.hash(&mut hasher);
    hasher.finish()
}

/// The record's ID and status member names, from the contract table.
fn record_keys() -> (&'static str, &'static str) {
    let find = |wanted: fn(&FieldKind) -> bool| {
        FIELDS
            .iter()
            .find(|rule| rule.required && wanted(&rule.kind))
            .map_or("", |rule| rule.name)
    };
    (
        find(|kind| matches!(kind, FieldKind::Text)),
        find(|kind| matches!(kind, FieldKind::Enum(_))),
    )
}

/// Reads NDJSON, plain or gzip (detected from the first bytes), calling `each` with the value
/// index, the 1-based line and the parsed line (`None` when it is not JSON).
fn for_each_line(path: &Path, each: &mut dyn FnMut(u64, u64, Option<Value>)) -> io::Result<()> {
    let mut file = BufReader::with_capacity(256 * 1024, File::open(path)?);
    let gzip = file.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let reader: Box<dyn Read> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut reader = BufReader::with_capacity(256 * 1024, reader);
    let (mut line, mut index, mut buffer) = (0u64, 0u64, Vec::new());
    loop {
        buffer.clear();
        if reader.read_until(b'\n', &mut buffer)? == 0 {
            return Ok(());
        }
        line += 1;
        if buffer.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        each(index, line, serde_json::from_slice(&buffer).ok());
        index += 1;
    }
}

fn text<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    value.get(key).and_then(Value::as_str)
}

fn millis(date: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(date).map_or(i64::MIN, |at| at.timestamp_millis())
}

fn escaped(text: &str) -> String {
    crate::mask(text, "")
}

/// Checks `events` against `records`, calling `on_finding` for each inconsistency as it is
/// found (events' order and duplicates first, then each record, then the events with no
/// record, by line).
pub fn reconcile(
    events: &Path,
    records: &Path,
    on_finding: &mut dyn FnMut(ReconcileFinding),
) -> io::Result<ReconcileSummary> {
    let mut summary = ReconcileSummary::default();
    let mut report = |file: &Path, record: u64, line: u64, code, message: String| {
        on_finding(ReconcileFinding {
            file: file.display().to_string(),
            record,
            line,
            code,
            message,
        });
    };
    let (_, status_key) = record_keys();
    let mut lifecycles: HashMap<u64, Lifecycle> = HashMap::new();
    let mut statuses: Vec<String> = Vec::new();
    let mut events_read = 0;
    for_each_line(events, &mut |index, line, value| {
        events_read += 1;
        let fields = value.as_ref().and_then(|value| {
            Some((
                text(value, EVENT_ID)?,
                text(value, status_key)?,
                text(value, EVENT_DATE)?,
            ))
        });
        let Some((eid, status, date)) = fields else {
            let message = "not an event with eid, status and date strings".to_owned();
            report(events, index, line, ReconcileCode::UnreadableLine, message);
            return;
        };
        let status_id = match statuses.iter().position(|known| known == status) {
            Some(at) => at as u8,
            // Beyond 255 distinct statuses (none is documented), the last slot is shared.
            None if statuses.len() < usize::from(u8::MAX) => {
                statuses.push(status.to_owned());
                (statuses.len() - 1) as u8
            }
            None => u8::MAX - 1,
        };
        let at = millis(date);
        let fingerprint = hash_of(&[status, date]) as u32;
        let key = hash_of(&[eid]);
        let Some(state) = lifecycles.get_mut(&key) else {
            if status != OPENED {
                let message = format!(
                    "the first event of {} is {}, not {OPENED}",
                    escaped(eid),
                    escaped(status)
                );
                report(events, index, line, ReconcileCode::EventOutOfOrder, message);
            }
            lifecycles.insert(
                key,
                Lifecycle {
                    first_line: u32::try_from(line).unwrap_or(u32::MAX),
                    last_date: at,
                    latest_date: at,
                    latest_status: status_id,
                    last_fingerprint: fingerprint,
                    matched: false,
                },
            );
            return;
        };
        if fingerprint == state.last_fingerprint {
            let message = format!(
                "{} {} at {} received again",
                escaped(eid),
                escaped(status),
                escaped(date)
            );
            report(
                events,
                index,
                line,
                ReconcileCode::DuplicateDelivery,
                message,
            );
            return;
        }
        if at < state.last_date {
            let message = format!(
                "{} {} at {} arrived after a later event",
                escaped(eid),
                escaped(status),
                escaped(date)
            );
            report(events, index, line, ReconcileCode::EventOutOfOrder, message);
        }
        if at >= state.latest_date {
            state.latest_date = at;
            state.latest_status = status_id;
        }
        state.last_date = at;
        state.last_fingerprint = fingerprint;
    })?;
    summary.events = events_read;
    summary.enquiries = lifecycles.len() as u64;
    summary.records = check_records(records, &mut lifecycles, &statuses, &mut report)?;
    let mut orphans: Vec<u64> = lifecycles
        .values()
        .filter(|state| !state.matched)
        .map(|state| u64::from(state.first_line))
        .collect();
    orphans.sort_unstable();
    for (at, line) in orphans.into_iter().enumerate() {
        let message = "events for an enquiry that is not among the records".to_owned();
        report(
            events,
            at as u64,
            line,
            ReconcileCode::EventWithoutRecord,
            message,
        );
    }
    Ok(summary)
}

type Report<'a> = dyn FnMut(&Path, u64, u64, ReconcileCode, String) + 'a;

/// The records pass: each record against its lifecycle. Returns the records read.
fn check_records(
    records: &Path,
    lifecycles: &mut HashMap<u64, Lifecycle>,
    statuses: &[String],
    report: &mut Report<'_>,
) -> io::Result<u64> {
    let (id_key, status_key) = record_keys();
    let mut read = 0;
    for_each_line(records, &mut |index, line, value| {
        read += 1;
        let fields = value
            .as_ref()
            .and_then(|value| Some((text(value, id_key)?, text(value, status_key)?)));
        let Some((id, status)) = fields else {
            let message = "not a record with string ID and status".to_owned();
            report(records, index, line, ReconcileCode::UnreadableLine, message);
            return;
        };
        let Some(state) = lifecycles.get_mut(&hash_of(&[id])) else {
            let message = format!("no event was received for {}", escaped(id));
            report(
                records,
                index,
                line,
                ReconcileCode::RecordWithoutEvents,
                message,
            );
            return;
        };
        state.matched = true;
        let last = statuses
            .get(state.latest_status as usize)
            .map_or("", String::as_str);
        let expected = enquiry_fake::events::final_status(status);
        if disagrees(expected, last) {
            let message = format!(
                "{} is {} but its last event is {} (expected {})",
                escaped(id),
                escaped(status),
                escaped(last),
                expected.unwrap_or("none")
            );
            report(
                records,
                index,
                line,
                ReconcileCode::StatusDisagrees,
                message,
            );
        }
    })?;
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_statuses_must_match_and_open_ones_must_not_be_closed() {
        assert!(!disagrees(Some(CLOSED), CLOSED));
        assert!(disagrees(Some(CLOSED), HANDLING));
        assert!(disagrees(Some("Missed"), CLOSED));
        for last in [OPENED, HANDLING, "Missed"] {
            assert!(!disagrees(Some(HANDLING), last), "{last}");
        }
        assert!(disagrees(Some(HANDLING), CLOSED));
        assert!(disagrees(None, OPENED));
    }

    #[test]
    fn record_keys_come_from_the_contract_table() {
        let (id, status) = record_keys();
        assert_eq!(
            enquiry_schema::fields::top_level(id).map(|rule| rule.pointer.len()),
            Some(id.len() + 1)
        );
        assert!(matches!(
            enquiry_schema::fields::top_level(status).map(|rule| rule.kind),
            Some(FieldKind::Enum(_))
        ));
        assert_ne!(id, status);
        let codes: std::collections::BTreeSet<&str> = RECONCILE_CODES
            .iter()
            .map(|(code, _)| code.as_str())
            .collect();
        assert_eq!(codes.len(), RECONCILE_CODES.len());
    }
}
