//! Lifecycle consistency between captured webhook events and captured records.
//!
//! # Bounded memory: a sort-merge join
//!
//! Both files are streamed once. Each event becomes a compact entry (its enquiry ID, line,
//! date, status and a fingerprint of status and date), each record another (ID, line,
//! status); the entries go to external sorters ([`spill`]) that keep at most a byte budget in
//! memory and write sorted runs to temporary files beyond it. The two sorted sequences are
//! then merged by enquiry ID: one enquiry at a time, its events in the order they were
//! received, then its records, with a few bytes of state, so no enquiry's history is held
//! whatever its length. Findings go through a third sorter and come out ordered by file (events,
//! then records) and line. Peak memory is therefore the budget (split between the three
//! sorters) plus one read buffer per run, for any number of records; the IDs are compared
//! exactly, never hashed.
//!
//! Member names come from the contract: the record's ID and status are the required text and
//! required enumerated members of [`enquiry_schema::fields::FIELDS`]; the event's status is
//! the same member name as the record's.

mod pick;
mod report;
mod spill;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use enquiry_schema::contracts::{CLOSED, HANDLING, OPENED};
use enquiry_schema::fields::{FieldKind, FIELDS};
use enquiry_schema::names::event;

pub use report::{ReconcileFormat, ReconcileReporter};
use spill::{get_str, get_u64, get_u64_or_end, put_str, put_u64, Sorted, Sorter, Spill, SpillDir};

/// The event's enquiry ID member (not a record member).
const EVENT_ID: &str = event::EID;
/// The event's date member (not a record member).
const EVENT_DATE: &str = event::DATE;

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

macro_rules! reconcile_codes {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal,
        summary: $summary:literal, why: $why:literal; )+) => {
        /// What kind of inconsistency a finding is. Each has a stable kebab-case id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum ReconcileCode {
            $( $(#[$doc])* $variant, )+
        }

        impl ReconcileCode {
            /// Every code, in documentation order.
            pub const ALL: &'static [ReconcileCode] = &[$(ReconcileCode::$variant),+];

            /// The id findings show (`event-without-record`).
            pub fn as_str(self) -> &'static str {
                match self { $( ReconcileCode::$variant => $id, )+ }
            }

            /// One line: what the check requires.
            pub fn summary(self) -> &'static str {
                match self { $( ReconcileCode::$variant => $summary, )+ }
            }

            /// Why the check exists.
            pub fn rationale(self) -> &'static str {
                match self { $( ReconcileCode::$variant => $why, )+ }
            }
        }

        /// Every code with its id, in documentation order.
        pub const RECONCILE_CODES: &[(ReconcileCode, &str)] = &[$((ReconcileCode::$variant, $id)),+];
    };
}

reconcile_codes! {
    /// Events for an enquiry that is not among the records.
    EventWithoutRecord = "event-without-record",
        summary: "Every enquiry that has events is among the captured records.",
        why: "Events for an unknown enquiry mean the records capture missed it (a range too narrow, a lost page) or the events belong to another app.";
    /// A record for which no event was received.
    RecordWithoutEvents = "record-without-events",
        summary: "Every captured record has at least one event.",
        why: "A record without events means webhook deliveries were lost or the subscription was off.";
    /// A record whose status is not the one its last event implies.
    StatusDisagrees = "status-disagrees",
        summary: "A closed or missed record's last event is Closed or Missed; a record under way was not closed.",
        why: "The record and the events tell different stories: an event was lost, or the record is stale.";
    /// An event dated before the event received before it, or a lifecycle not starting `Opened`.
    EventOutOfOrder = "event-out-of-order",
        summary: "An enquiry's events arrive in date order and start with Opened.",
        why: "Consumers that apply events in arrival order end in the wrong state when they do not.";
    /// The same event received again.
    DuplicateDelivery = "duplicate-delivery",
        summary: "No event (same enquiry, status and date) is received twice in a row.",
        why: "Deliveries are retried; a consumer that is not idempotent counts a repeated event twice.";
    /// A line that is not a JSON object with the members reconciliation needs.
    UnreadableLine = "unreadable-line",
        summary: "Every line is a JSON object with the string members reconciliation reads.",
        why: "A line that cannot be read cannot be reconciled; it is reported rather than skipped silently.";
}

impl std::fmt::Display for ReconcileCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One inconsistency, located in the file it was found in. Every finding is an error.
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
    /// One line; input-derived text escaped for terminals.
    pub message: String,
}

/// Receives a run's findings: first the counts, then each finding in order.
pub trait ReconcileSink {
    /// Called once, before the first finding, with the counts of the run (findings included).
    fn begin(&mut self, _summary: &ReconcileSummary) {}
    /// One finding.
    fn finding(&mut self, finding: ReconcileFinding);
}

impl<F: FnMut(ReconcileFinding)> ReconcileSink for F {
    fn finding(&mut self, finding: ReconcileFinding) {
        self(finding);
    }
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
    /// Temporary sorted runs written (0 when everything fitted the memory budget).
    pub spill_files: u64,
}

/// How much memory and where to spill.
#[derive(Debug, Clone)]
pub struct ReconcileOptions {
    /// The bytes of entries held in memory, all sorters together (beyond it they are spilled
    /// to sorted temporary files). Peak memory is about this plus a few MiB.
    pub memory_budget: usize,
    /// Where the temporary files go (removed at the end).
    pub temp_dir: PathBuf,
    /// The longest line read; a longer one is an `unreadable-line` finding, skipped unread.
    pub max_line: usize,
}

impl Default for ReconcileOptions {
    /// 48 MiB in the system's temporary directory; lines up to 16 MiB.
    fn default() -> ReconcileOptions {
        ReconcileOptions {
            memory_budget: 48 << 20,
            temp_dir: std::env::temp_dir(),
            max_line: 16 << 20,
        }
    }
}

/// Distinct status strings, numbered (at most 255; beyond, one shared slot).
#[derive(Default)]
struct Statuses(Vec<String>);

impl Statuses {
    const OTHER: u8 = u8::MAX;

    fn id(&mut self, status: &str) -> u8 {
        if let Some(at) = self.0.iter().position(|known| known == status) {
            return at as u8;
        }
        if self.0.len() < usize::from(Self::OTHER) {
            self.0.push(status.to_owned());
            return (self.0.len() - 1) as u8;
        }
        Self::OTHER
    }

    fn name(&self, id: u8) -> &str {
        self.0
            .get(usize::from(id))
            .map_or("(another status)", String::as_str)
    }
}

/// One event, as the join needs it. Ordered by enquiry, then arrival (line).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct EventEntry {
    id: String,
    line: u64,
    index: u64,
    date: i64,
    status: u8,
    fingerprint: u64,
}

impl Spill for EventEntry {
    fn size(&self) -> usize {
        self.id.len() + 16
    }
    fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        put_str(out, &self.id)?;
        for value in [self.line, self.index, self.date as u64, self.fingerprint] {
            put_u64(out, value)?;
        }
        out.write_all(&[self.status])
    }
    fn read(input: &mut dyn Read) -> io::Result<Option<EventEntry>> {
        let Some(id) = read_id(input)? else {
            return Ok(None);
        };
        let (line, index, date, fingerprint) = (
            get_u64(input)?,
            get_u64(input)?,
            get_u64(input)? as i64,
            get_u64(input)?,
        );
        Ok(Some(EventEntry {
            id,
            line,
            index,
            date,
            status: get_u8(input)?,
            fingerprint,
        }))
    }
}

impl EventEntry {
    fn at(&self) -> At {
        (self.index, self.line)
    }
}

/// One record, as the join needs it. Ordered by enquiry, then line.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct RecordEntry {
    id: String,
    line: u64,
    index: u64,
    status: u8,
}

impl Spill for RecordEntry {
    fn size(&self) -> usize {
        self.id.len() + 16
    }
    fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        put_str(out, &self.id)?;
        put_u64(out, self.line)?;
        put_u64(out, self.index)?;
        out.write_all(&[self.status])
    }
    fn read(input: &mut dyn Read) -> io::Result<Option<RecordEntry>> {
        let Some(id) = read_id(input)? else {
            return Ok(None);
        };
        let (line, index) = (get_u64(input)?, get_u64(input)?);
        Ok(Some(RecordEntry {
            id,
            line,
            index,
            status: get_u8(input)?,
        }))
    }
}

impl RecordEntry {
    fn at(&self) -> At {
        (self.index, self.line)
    }
}

/// One byte of a spill file.
fn get_u8(input: &mut dyn Read) -> io::Result<u8> {
    let mut byte = [0u8];
    input.read_exact(&mut byte)?;
    Ok(byte[0])
}

/// A length-prefixed ID, `None` at the end of a run.
fn read_id(input: &mut dyn Read) -> io::Result<Option<String>> {
    let Some(len) = get_u64_or_end(input)? else {
        return Ok(None);
    };
    let len = usize::try_from(len).map_err(io::Error::other)?;
    let mut bytes = vec![0; len];
    input.read_exact(&mut bytes)?;
    String::from_utf8(bytes).map(Some).map_err(io::Error::other)
}

/// A finding waiting to be reported in file-and-line order.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct FindingEntry {
    /// 0: the events file, 1: the records file.
    file: u8,
    line: u64,
    index: u64,
    code: ReconcileCode,
    message: String,
}

impl Spill for FindingEntry {
    fn size(&self) -> usize {
        self.message.len() + 16
    }
    fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let code = ReconcileCode::ALL
            .iter()
            .position(|code| *code == self.code)
            .unwrap_or_default();
        out.write_all(&[self.file, code as u8])?;
        put_u64(out, self.line)?;
        put_u64(out, self.index)?;
        put_str(out, &self.message)
    }
    fn read(input: &mut dyn Read) -> io::Result<Option<FindingEntry>> {
        let mut head = [0u8; 2];
        match input.read(&mut head[..1])? {
            0 => return Ok(None),
            _ => input.read_exact(&mut head[1..])?,
        }
        let code = ReconcileCode::ALL
            .get(usize::from(head[1]))
            .copied()
            .ok_or_else(|| io::Error::other("a corrupt spill file"))?;
        Ok(Some(FindingEntry {
            file: head[0],
            line: get_u64(input)?,
            index: get_u64(input)?,
            code,
            message: get_str(input)?,
        }))
    }
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

/// Called with a line's value index, its 1-based line number and its bytes (`None` for a line
/// longer than the limit, which is skipped unread).
type EachLine<'a> = dyn FnMut(u64, u64, Option<&[u8]>) -> io::Result<()> + 'a;

/// Reads NDJSON, plain, gzip or zstd (detected from the first bytes), calling `each` for every
/// non-blank line. A line longer than `max_line` bytes is never buffered whole: its first
/// `max_line` bytes are read, the rest skipped.
fn for_each_line(path: &Path, max_line: usize, each: &mut EachLine<'_>) -> io::Result<()> {
    let named = |err: io::Error| io::Error::new(err.kind(), format!("{}: {err}", path.display()));
    let file = File::open(path).map_err(named)?;
    let mut reader = BufReader::with_capacity(256 * 1024, crate::decoded(file).map_err(named)?);
    let (mut line, mut index, mut buffer) = (0u64, 0u64, Vec::new());
    let limit = u64::try_from(max_line)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    loop {
        buffer.clear();
        let read = (&mut reader)
            .take(limit)
            .read_until(b'\n', &mut buffer)
            .map_err(named)?;
        if read == 0 {
            return Ok(());
        }
        line += 1;
        if buffer.len() > max_line && !buffer.ends_with(b"\n") {
            skip_line(&mut reader).map_err(named)?;
            each(index, line, None)?;
            index += 1;
            continue;
        }
        if buffer.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        each(index, line, Some(&buffer))?;
        index += 1;
    }
}

/// Consumes the rest of a line, its line break included, without keeping it.
fn skip_line(reader: &mut dyn BufRead) -> io::Result<()> {
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(());
        }
        match available.iter().position(|byte| *byte == b'\n') {
            Some(at) => {
                reader.consume(at + 1);
                return Ok(());
            }
            None => {
                let all = available.len();
                reader.consume(all);
            }
        }
    }
}

/// The finding message of a line over the length limit.
fn too_long(max_line: usize) -> String {
    format!("a line longer than {max_line} bytes; not read")
}

fn millis(date: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(date).map_or(i64::MIN, |at| at.timestamp_millis())
}

/// Input-derived text made safe for one line of a terminal or log.
fn escaped(text: &str) -> String {
    enquiry_report::terminal_safe(text).into_owned()
}

/// A stable 64-bit fingerprint (FNV-1a) of an event's status and date text.
fn fingerprint(status: &str, date: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in status.bytes().chain([0]).chain(date.bytes()) {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Everything one run collects.
struct Run<'d> {
    events_file: String,
    records_file: String,
    findings: Sorter<'d, FindingEntry>,
    event_statuses: Statuses,
    record_statuses: Statuses,
    summary: ReconcileSummary,
    max_line: usize,
}

/// Where a line is: its value index among the file's non-blank lines and its 1-based number.
type At = (u64, u64);

impl Run<'_> {
    fn find(&mut self, file: u8, at: At, code: ReconcileCode, message: String) -> io::Result<()> {
        let (index, line) = at;
        self.summary.findings += 1;
        self.findings.push(FindingEntry {
            file,
            line,
            index,
            code,
            message,
        })
    }
}

const EVENTS: u8 = 0;
const RECORDS: u8 = 1;

/// Checks `events` against `records` in bounded memory, handing `sink` the counts and then
/// each inconsistency, ordered by file (events first) and line. An error is an input (or
/// temporary file) that cannot be read or written.
pub fn reconcile(
    events: &Path,
    records: &Path,
    options: &ReconcileOptions,
    sink: &mut dyn ReconcileSink,
) -> io::Result<ReconcileSummary> {
    let dir = SpillDir::new(&options.temp_dir).map_err(|err| {
        let shown = options.temp_dir.display();
        io::Error::new(
            err.kind(),
            format!("cannot create a temporary directory in {shown}: {err}"),
        )
    })?;
    let share = options.memory_budget / 3;
    let mut run = Run {
        events_file: events.display().to_string(),
        records_file: records.display().to_string(),
        findings: Sorter::new(&dir, share),
        event_statuses: Statuses::default(),
        record_statuses: Statuses::default(),
        summary: ReconcileSummary::default(),
        max_line: options.max_line,
    };
    let event_entries = read_events(events, &mut run, Sorter::new(&dir, share))?;
    let record_entries = read_records(records, &mut run, Sorter::new(&dir, share))?;
    join(&mut run, event_entries, record_entries)?;
    let Run {
        events_file,
        records_file,
        findings,
        mut summary,
        ..
    } = run;
    let mut sorted = findings.sorted()?;
    summary.spill_files = dir.runs_written();
    sink.begin(&summary);
    while let Some(entry) = sorted.next_item()? {
        sink.finding(ReconcileFinding {
            file: if entry.file == EVENTS {
                &events_file
            } else {
                &records_file
            }
            .clone(),
            record: entry.index,
            line: entry.line,
            code: entry.code,
            message: entry.message,
        });
    }
    Ok(summary)
}

/// Makes a line's entry, `None` when the line lacks what the entry needs.
type MakeEntry<'a, 'd, E> = dyn FnMut(&mut Run<'d>, At, &[u8]) -> Option<E> + 'a;

/// One pass over an input: each line counted, each readable one made an entry by `entry`; a
/// line over the length limit, or one `entry` cannot read, is an `unreadable-line` finding.
fn read_entries<'d, E: Spill>(
    path: &Path,
    run: &mut Run<'d>,
    file: u8,
    mut entries: Sorter<'d, E>,
    unreadable: &str,
    entry: &mut MakeEntry<'_, 'd, E>,
) -> io::Result<Sorted<E>> {
    let max_line = run.max_line;
    for_each_line(path, max_line, &mut |index, line, bytes| {
        let summary = &mut run.summary;
        *if file == EVENTS {
            &mut summary.events
        } else {
            &mut summary.records
        } += 1;
        let at = (index, line);
        let message = match bytes.map(|bytes| entry(run, at, bytes)) {
            Some(Some(made)) => return entries.push(made),
            Some(None) => unreadable.to_owned(),
            None => too_long(max_line),
        };
        run.find(file, at, ReconcileCode::UnreadableLine, message)
    })?;
    entries.sorted()
}

/// The events pass: one entry per readable event.
fn read_events<'d>(
    path: &Path,
    run: &mut Run<'d>,
    entries: Sorter<'d, EventEntry>,
) -> io::Result<Sorted<EventEntry>> {
    let (_, status_key) = record_keys();
    let unreadable = "not an event with eid, status and date strings";
    read_entries(
        path,
        run,
        EVENTS,
        entries,
        unreadable,
        &mut |run, (index, line), bytes| {
            let [Some(id), Some(status), Some(date)] =
                pick::strings(bytes, [EVENT_ID, status_key, EVENT_DATE])?
            else {
                return None;
            };
            Some(EventEntry {
                id: id.into_owned(),
                line,
                index,
                date: millis(&date),
                status: run.event_statuses.id(&status),
                fingerprint: fingerprint(&status, &date),
            })
        },
    )
}

/// The records pass: one entry per readable record.
fn read_records<'d>(
    path: &Path,
    run: &mut Run<'d>,
    entries: Sorter<'d, RecordEntry>,
) -> io::Result<Sorted<RecordEntry>> {
    let (id_key, status_key) = record_keys();
    let unreadable = "not a record with string ID and status";
    read_entries(
        path,
        run,
        RECORDS,
        entries,
        unreadable,
        &mut |run, (index, line), bytes| {
            let [Some(id), Some(status)] = pick::strings(bytes, [id_key, status_key])? else {
                return None;
            };
            Some(RecordEntry {
                id: id.into_owned(),
                line,
                index,
                status: run.record_statuses.id(&status),
            })
        },
    )
}

/// What the join keeps of one enquiry's events: a few bytes, whatever their number.
struct Lifecycle {
    first_line: u64,
    first_index: u64,
    previous_date: i64,
    previous_fingerprint: u64,
    latest_date: i64,
    latest_status: u8,
}

/// Merges the sorted events and records, one enquiry at a time.
fn join(
    run: &mut Run<'_>,
    mut events: Sorted<EventEntry>,
    mut records: Sorted<RecordEntry>,
) -> io::Result<()> {
    let mut event = events.next_item()?;
    let mut record = records.next_item()?;
    loop {
        let id = match (&event, &record) {
            (None, None) => return Ok(()),
            (Some(e), Some(r)) => e.id.as_str().min(r.id.as_str()).to_owned(),
            (Some(e), None) => e.id.clone(),
            (None, Some(r)) => r.id.clone(),
        };
        let mut lifecycle: Option<Lifecycle> = None;
        while let Some(current) = event.take_if(|e| e.id == id) {
            lifecycle = Some(next_event(run, lifecycle, &current)?);
            event = events.next_item()?;
        }
        let mut matched = false;
        while let Some(current) = record.take_if(|r| r.id == id) {
            matched = true;
            check_record(run, lifecycle.as_ref(), &current)?;
            record = records.next_item()?;
        }
        if let (Some(lifecycle), false) = (&lifecycle, matched) {
            let message = format!("events for {} but no record with this ID", escaped(&id));
            let at = (lifecycle.first_index, lifecycle.first_line);
            run.find(EVENTS, at, ReconcileCode::EventWithoutRecord, message)?;
        }
        run.summary.enquiries += u64::from(lifecycle.is_some());
    }
}

/// One more event of an enquiry, in arrival order: order and duplicate checks.
fn next_event(
    run: &mut Run<'_>,
    lifecycle: Option<Lifecycle>,
    event: &EventEntry,
) -> io::Result<Lifecycle> {
    let status = run.event_statuses.name(event.status).to_owned();
    let Some(mut state) = lifecycle else {
        if status != OPENED {
            let message = format!(
                "the first event of {} is {}, not {OPENED}",
                escaped(&event.id),
                escaped(&status)
            );
            run.find(EVENTS, event.at(), ReconcileCode::EventOutOfOrder, message)?;
        }
        return Ok(Lifecycle {
            first_line: event.line,
            first_index: event.index,
            previous_date: event.date,
            previous_fingerprint: event.fingerprint,
            latest_date: event.date,
            latest_status: event.status,
        });
    };
    if event.fingerprint == state.previous_fingerprint {
        let message = format!("{} {} received again", escaped(&event.id), escaped(&status));
        run.find(
            EVENTS,
            event.at(),
            ReconcileCode::DuplicateDelivery,
            message,
        )?;
        return Ok(state);
    }
    if event.date < state.previous_date {
        let message = format!(
            "{} {} arrived after a later event",
            escaped(&event.id),
            escaped(&status)
        );
        run.find(EVENTS, event.at(), ReconcileCode::EventOutOfOrder, message)?;
    }
    if event.date >= state.latest_date {
        state.latest_date = event.date;
        state.latest_status = event.status;
    }
    state.previous_date = event.date;
    state.previous_fingerprint = event.fingerprint;
    Ok(state)
}

/// A record against its enquiry's events.
fn check_record(
    run: &mut Run<'_>,
    lifecycle: Option<&Lifecycle>,
    record: &RecordEntry,
) -> io::Result<()> {
    let Some(lifecycle) = lifecycle else {
        let message = format!("no event was received for {}", escaped(&record.id));
        return run.find(
            RECORDS,
            record.at(),
            ReconcileCode::RecordWithoutEvents,
            message,
        );
    };
    let status = run.record_statuses.name(record.status);
    let last = run.event_statuses.name(lifecycle.latest_status);
    let expected = enquiry_fake::events::final_status(status);
    if !disagrees(expected, last) {
        return Ok(());
    }
    let message = format!(
        "{} is {} but its last event is {} (expected {})",
        escaped(&record.id),
        escaped(status),
        escaped(last),
        expected.unwrap_or("none")
    );
    run.find(
        RECORDS,
        record.at(),
        ReconcileCode::StatusDisagrees,
        message,
    )
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
        let codes: std::collections::BTreeSet<&str> = ReconcileCode::ALL
            .iter()
            .map(|code| code.as_str())
            .collect();
        assert_eq!(codes.len(), ReconcileCode::ALL.len());
        assert!(RECONCILE_CODES
            .iter()
            .all(|(code, id)| code.as_str() == *id));
    }

    #[test]
    fn a_line_over_the_limit_is_one_finding_and_the_next_line_is_read() {
        let dir = std::env::temp_dir().join(format!("reconcile-long-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let event = r#"{"eid":"a","status":"Opened","date":"2022-11-07T00:00:00Z"}"#;
        let long = format!("{{\"eid\":\"{}\"}}", "x".repeat(5000));
        std::fs::write(dir.join("events.ndjson"), format!("{long}\n{event}\n")).unwrap();
        std::fs::write(dir.join("records.ndjson"), format!("{long}\n")).unwrap();
        let options = ReconcileOptions {
            max_line: 1000,
            temp_dir: dir.clone(),
            ..ReconcileOptions::default()
        };
        let mut findings = Vec::new();
        let summary = reconcile(
            &dir.join("events.ndjson"),
            &dir.join("records.ndjson"),
            &options,
            &mut |finding: ReconcileFinding| {
                findings.push((finding.line, finding.code, finding.message))
            },
        )
        .unwrap();
        assert_eq!(
            (summary.events, summary.records, summary.enquiries),
            (2, 1, 1)
        );
        let unreadable = (1, ReconcileCode::UnreadableLine, too_long(1000));
        assert_eq!(findings[0], unreadable);
        assert_eq!(findings[1].1, ReconcileCode::EventWithoutRecord);
        assert_eq!(findings[2], unreadable);
        assert_eq!(findings.len(), 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn entries_round_trip_through_a_spill_file() {
        let event = EventEntry {
            id: "é-1".into(),
            line: 3,
            index: 2,
            date: -5,
            status: 4,
            fingerprint: u64::MAX,
        };
        let record = RecordEntry {
            id: "r".into(),
            line: 9,
            index: 8,
            status: 1,
        };
        let finding = FindingEntry {
            file: RECORDS,
            line: 7,
            index: 6,
            code: ReconcileCode::UnreadableLine,
            message: "m".into(),
        };
        let mut bytes = Vec::new();
        event.write(&mut bytes).unwrap();
        record.write(&mut bytes).unwrap();
        finding.write(&mut bytes).unwrap();
        let mut input = &bytes[..];
        assert_eq!(EventEntry::read(&mut input).unwrap(), Some(event));
        assert_eq!(RecordEntry::read(&mut input).unwrap(), Some(record));
        assert_eq!(FindingEntry::read(&mut input).unwrap(), Some(finding));
        assert_eq!(FindingEntry::read(&mut input).unwrap(), None);
    }
}
