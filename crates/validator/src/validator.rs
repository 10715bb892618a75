//! The public entry points, the per-unit pipeline (parse, select records, check, locate) and
//! the two drivers: NDJSON (chunked, optionally parallel) and document (streamed array or list
//! response, its items checked on worker threads when `jobs > 1`, see [`items`]).

mod items;

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, Read};
use std::sync::mpsc;
use std::sync::Arc;

use memchr::memchr2;

use enquiry_schema::scan::Scan;

use crate::code::{Code, Severity};
use crate::config::Config;
use crate::excerpt::{self, Excerpt, Masks};
use crate::finding::{Collected, Finding, Omitted, Pointer, RecordOutcome, Report, Summary};
use crate::gate::{self, WorkQueue};
use crate::input::{
    count_shown_chars, looks_like_ndjson, Chunker, Compression, ScanEnd, Source, Work, CHUNK_SIZE,
    READ_SIZE,
};
use crate::parse::{Kind, ParseError, ParseErrorKind, Tape, MAX_DEPTH};
use crate::profile::{DataProfile, Profiler};
use crate::rules::{Checker, Compiled, Pending, Scratch};
use crate::simd::prefetch;

/// The most chunk bytes handed to workers and not yet delivered: with huge lines (up to the
/// record size limit each) this, not the chunk count, bounds memory.
const MAX_IN_FLIGHT_BYTES: usize = 32 * 1024 * 1024;

/// The most findings a worker collects from one chunk before handing it back: the rest of the
/// chunk is checked when the consumer has taken these, so memory is bounded by the number of
/// chunks in flight whatever the number of findings (a chunk of `{}` lines holds millions).
const FINDINGS_PER_PIECE: usize = 2048;

/// Something the validator reports while streaming an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A record was checked (valid or not).
    Record(RecordOutcome),
    /// A defect of the input outside any record: empty input, a BOM, a syntax error that ends
    /// an array or object so that no further record can be found. Boxed: such events are
    /// rare, and every other one (a record's) would otherwise be as large as a finding.
    Input(Box<Finding>),
}

// Every record's event is moved from its worker to the consumer: a valid record's event must
// not carry the room of a whole finding (about 220 bytes, boxed above). Checked at compile time.
const _: () = assert!(size_of::<Event>() <= 64);

/// A configured validator; cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Validator {
    config: Config,
    compiled: Compiled,
    pointer: Option<Vec<String>>,
}

#[cfg(test)]
impl Validator {
    /// The same validator with the walk's on-sight acceptance off: every member gets its full
    /// check, the reference the fast paths are tested against.
    pub(crate) fn without_fast_paths(mut self) -> Validator {
        self.compiled.set_fast(false);
        self
    }
}

/// Where the records of a parsed unit are.
enum Selection {
    One(usize),
    Items(usize),
    Missing,
}

/// Line and column of a byte offset, advanced monotonically through a unit.
struct PosCursor {
    base_line: u64,
    base_col: u64,
    offset: usize,
    line: u64,
    col: u64,
}

impl PosCursor {
    fn new(line: u64, col: u64) -> PosCursor {
        PosCursor {
            base_line: line,
            base_col: col,
            offset: 0,
            line,
            col,
        }
    }

    fn at(&mut self, bytes: &[u8], offset: usize) -> (u64, u64) {
        let offset = offset.min(bytes.len());
        if offset < self.offset {
            *self = PosCursor::new(self.base_line, self.base_col);
        }
        let slice = &bytes[self.offset..offset];
        let after_cr = self.offset > 0 && bytes[self.offset - 1] == b'\r';
        match excerpt::line_breaks(slice, after_cr) {
            (breaks, Some(after)) => {
                self.line += breaks;
                self.col = 1 + count_shown_chars(&slice[after..]);
            }
            (_, None) => self.col += count_shown_chars(slice),
        }
        self.offset = offset;
        (self.line, self.col)
    }
}

/// Per-thread state: the tape and buffers reused from unit to unit.
#[derive(Default)]
struct Worker {
    tape: Tape,
    scratch: Scratch,
    pending: Collected,
    roots: Vec<usize>,
    /// An emptied event list handed back by the consumer, to avoid reallocating per chunk.
    spare_events: Vec<Event>,
    /// The data profile of the records checked here, when one is asked for.
    profiler: Option<Box<Profiler>>,
    /// The masked ranges of the current unit, computed once for all its findings.
    masks: Masks,
}

impl Worker {
    fn new(profile: bool) -> Worker {
        Worker {
            profiler: profile.then(|| Box::new(Profiler::new())),
            ..Worker::default()
        }
    }
}

/// Collects events and counts them.
struct Sink<'f> {
    on_event: &'f mut dyn FnMut(Event),
    summary: Summary,
    profile: Option<&'f mut DataProfile>,
}

impl Sink<'_> {
    /// Adds what a worker profiled (sums: the order of workers does not matter).
    fn absorb(&mut self, worker: Option<Box<Profiler>>) {
        if let (Some(profile), Some(profiler)) = (self.profile.as_deref_mut(), worker) {
            profile.merge(&profiler.finish());
        }
    }

    fn push(&mut self, event: Event) {
        let findings: &[Finding] = match &event {
            Event::Record(outcome) => {
                self.summary.records += 1;
                if outcome.is_valid() {
                    self.summary.valid += 1;
                } else {
                    self.summary.invalid += 1;
                }
                &outcome.findings
            }
            Event::Input(finding) => std::slice::from_ref(finding),
        };
        for finding in findings {
            match finding.severity {
                Severity::Error => self.summary.errors += 1,
                Severity::Warning => self.summary.warnings += 1,
            }
        }
        (self.on_event)(event);
    }
}

/// What the document driver does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

/// The state of the document driver.
struct Doc<'s, 'r, 'f> {
    source: &'s mut Source<'r>,
    sink: &'s mut Sink<'f>,
    file: Arc<str>,
    worker: Worker,
    events: Vec<Event>,
    capture: Vec<u8>,
    record: u64,
    record_line: u64,
    record_col: u64,
    size: u64,
    too_large: bool,
    /// Worker threads for the items of a large array (1: this thread checks them).
    jobs: usize,
}

/// Where an input comes from.
enum Input<'a, R> {
    Reader(R),
    Memory(&'a [u8]),
}

/// The bytes of an NDJSON chunk: a buffer the chunk was read into (recycled once it is
/// checked), or lines of an input held in memory, checked where they are.
enum Lines<'a> {
    Read(Vec<u8>),
    InMemory(&'a [u8]),
}

impl Lines<'_> {
    /// The buffer to read the next chunk into: this one, or a new one.
    fn into_buffer(self) -> Vec<u8> {
        match self {
            Lines::Read(buffer) => buffer,
            Lines::InMemory(_) => Vec::new(),
        }
    }
}

impl std::ops::Deref for Lines<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Lines::Read(buffer) => buffer,
            Lines::InMemory(lines) => lines,
        }
    }
}

/// The result of one NDJSON chunk, with record indices and lines relative to the chunk.
struct ChunkOut<'a> {
    events: Vec<Event>,
    lines: u64,
    records: u64,
    buffer: Lines<'a>,
    /// Where the chunk's unchecked lines start, when its findings filled a piece.
    resume: Option<usize>,
}

impl Validator {
    /// A validator with this configuration.
    pub fn new(config: Config) -> Validator {
        let compiled = Compiled::new(&config);
        let pointer = config
            .pointer
            .as_deref()
            .and_then(Pointer::parse)
            .map(|pointer| pointer.tokens().collect());
        Validator {
            config,
            compiled,
            pointer,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Validates an input held in memory (any shape, gzip included).
    pub fn validate_slice(&self, bytes: &[u8], file: &str) -> Report {
        let mut findings = Vec::new();
        let summary = self.validate_bytes(bytes, file, 1, &mut |event| match event {
            Event::Record(outcome) => findings.extend(outcome.findings),
            Event::Input(finding) => findings.push(*finding),
        });
        Report { summary, findings }
    }

    /// [`Validator::validate_stream`] for an input held in memory (any shape, compressed
    /// included), with the same events. Its NDJSON lines are checked where they are, not
    /// copied into read buffers first.
    ///
    /// ```
    /// use enquiry_validator::{Config, Validator};
    ///
    /// let ndjson = b"{\"_id\":\"a\",\"createdAt\":\"2022-11-07T00:00:00Z\",\"status\":\"ongoing\"}\n{}\n";
    /// let validator = Validator::new(Config::default());
    /// let summary = validator.validate_bytes(ndjson, "dump.ndjson", 1, &mut |_| {});
    /// assert_eq!((summary.records, summary.invalid), (2, 1));
    /// ```
    pub fn validate_bytes(
        &self,
        bytes: &[u8],
        file: &str,
        jobs: usize,
        on_event: &mut dyn FnMut(Event),
    ) -> Summary {
        // Reading from memory cannot fail; corrupt compression becomes a finding.
        self.stream(Input::<&[u8]>::Memory(bytes), file, jobs, on_event, None)
            .unwrap_or_default()
    }

    /// Checks one record given as JSON text, as an API handler or a unit test holds it (no
    /// shape detection: the text is the record).
    ///
    /// ```
    /// use enquiry_validator::{Code, Config, Validator};
    ///
    /// let validator = Validator::new(Config::default());
    /// let outcome = validator.validate_record(br#"{"_id":"a","status":"ongoing"}"#, "handler");
    /// assert!(!outcome.is_valid());
    /// assert_eq!(outcome.findings[0].code, Code::Required);
    /// assert_eq!(outcome.findings[0].pointer.as_str(), "/createdAt");
    /// ```
    pub fn validate_record(&self, json: &[u8], file: &str) -> RecordOutcome {
        let file: Arc<str> = Arc::from(file);
        if json.len() > self.record_limit() {
            return self.too_large_outcome(&file, 0, 1, 1, json.len() as u64);
        }
        let mut worker = Worker::default();
        let mut events = Vec::new();
        let mut record = 0;
        self.process_unit(
            &mut worker,
            &file,
            json,
            1,
            1,
            false,
            &mut record,
            &mut events,
        );
        events
            .into_iter()
            .find_map(|event| match event {
                Event::Record(outcome) => Some(outcome),
                Event::Input(_) => None,
            })
            .unwrap_or(RecordOutcome {
                record: 0,
                line: 1,
                findings: Vec::new(),
                contract: None,
            })
    }

    /// Validates an input read from `reader`, collecting every finding.
    pub fn validate_reader<R: Read + Send>(&self, reader: R, file: &str) -> io::Result<Report> {
        let mut findings = Vec::new();
        let summary = self.validate_stream(reader, file, 1, &mut |event| match event {
            Event::Record(outcome) => findings.extend(outcome.findings),
            Event::Input(finding) => findings.push(*finding),
        })?;
        Ok(Report { summary, findings })
    }

    /// Validates an input read from `reader`, delivering events in input order. With
    /// `jobs > 1`, NDJSON is validated in chunks on that many threads; the events are the same
    /// as with one.
    pub fn validate_stream<R: Read + Send>(
        &self,
        reader: R,
        file: &str,
        jobs: usize,
        on_event: &mut dyn FnMut(Event),
    ) -> io::Result<Summary> {
        self.stream(Input::Reader(reader), file, jobs, on_event, None)
    }

    /// [`Validator::validate_stream`], adding the input's [data profile](crate::profile) to
    /// `profile`: records and findings per contract and per day, and the presence of every
    /// documented field. Observed on the parse the rules read; the same for any `jobs`.
    pub fn validate_stream_profiled<R: Read + Send>(
        &self,
        reader: R,
        file: &str,
        jobs: usize,
        on_event: &mut dyn FnMut(Event),
        profile: &mut DataProfile,
    ) -> io::Result<Summary> {
        self.stream(Input::Reader(reader), file, jobs, on_event, Some(profile))
    }

    fn stream<R: Read + Send>(
        &self,
        input: Input<'_, R>,
        file: &str,
        jobs: usize,
        on_event: &mut dyn FnMut(Event),
        profile: Option<&mut DataProfile>,
    ) -> io::Result<Summary> {
        let file: Arc<str> = Arc::from(file);
        let mut sink = Sink {
            on_event,
            summary: Summary {
                files: 1,
                ..Summary::default()
            },
            profile,
        };
        std::thread::scope(|scope| {
            // Decompression gets a thread of its own, so that validation, even on one thread,
            // does not wait for it.
            let mut source = match input {
                Input::Reader(reader) => Source::new(reader, Some(scope))?,
                Input::Memory(bytes) => Source::in_memory(bytes, Some(scope))?,
            };
            let compression = source.compression();
            match self.run(&mut source, &file, jobs, &mut sink) {
                Ok(()) => Ok(sink.summary),
                Err(err)
                    if compression != Compression::None
                        && matches!(
                            err.kind(),
                            io::ErrorKind::InvalidData
                                | io::ErrorKind::InvalidInput
                                | io::ErrorKind::UnexpectedEof
                                | io::ErrorKind::Other
                        ) =>
                {
                    let (line, column) = (source.line, source.col());
                    let record = sink.summary.records;
                    let name = compression.name();
                    if let Some(finding) = self.input_finding(
                        &file,
                        record,
                        line,
                        column,
                        Code::Syntax,
                        format!(
                            "the {name} stream is corrupt ({err}); expected a complete {name} file"
                        ),
                    ) {
                        sink.push(Event::Input(Box::new(finding)));
                    }
                    Ok(sink.summary)
                }
                Err(err) => Err(err),
            }
        })
    }

    /// Checks whole NDJSON lines that continue a stream whose earlier lines were checked
    /// before: `lines` starts at a line boundary, its first line is line `first_line`
    /// (1-based) of the file and its first record is record `first_record`. The events are
    /// those [`Validator::validate_stream`] gives for these lines of the whole NDJSON file,
    /// so a producer that writes its output a piece at a time (a capture, page by page) can
    /// report each piece's findings as it arrives, exactly as for the finished file. Returns
    /// the counts of this piece (`files` is 0: add them up).
    ///
    /// ```
    /// use enquiry_validator::{Config, Event, Validator};
    ///
    /// let validator = Validator::new(Config::default());
    /// let mut lines = Vec::new();
    /// let page = b"{\"_id\":\"a\"}\n";
    /// let summary = validator.validate_lines(page, "out.ndjson", 7, 8, &mut |event| {
    ///     if let Event::Record(outcome) = event {
    ///         lines.push((outcome.record, outcome.line, outcome.findings[0].line));
    ///     }
    /// });
    /// assert_eq!((summary.records, summary.invalid), (1, 1));
    /// assert_eq!(lines, [(7, 8, 8)]);
    /// ```
    pub fn validate_lines(
        &self,
        lines: &[u8],
        file: &str,
        first_record: u64,
        first_line: u64,
        on_event: &mut dyn FnMut(Event),
    ) -> Summary {
        let file: Arc<str> = Arc::from(file);
        let mut sink = Sink {
            on_event,
            summary: Summary::default(),
            profile: None,
        };
        let mut worker = Worker::default();
        let out = self.process_lines(&mut worker, &file, Lines::InMemory(lines), 0, 1);
        for mut event in out.events {
            match &mut event {
                Event::Record(outcome) => {
                    outcome.record += first_record;
                    outcome.line += first_line;
                    for finding in &mut outcome.findings {
                        finding.record += first_record;
                        finding.line += first_line;
                    }
                }
                Event::Input(finding) => {
                    finding.record += first_record;
                    finding.line += first_line;
                }
            }
            sink.push(event);
        }
        sink.summary
    }

    fn run(
        &self,
        source: &mut Source<'_>,
        file: &Arc<str>,
        jobs: usize,
        sink: &mut Sink<'_>,
    ) -> io::Result<()> {
        if let Some((encoding, family)) = wide_encoding(source)? {
            let message = format!("the input is {encoding} text; expected UTF-8 (RFC 8259): convert it, e.g. with `iconv -f {family} -t UTF-8`");
            if let Some(finding) = self.input_finding(file, 0, 1, 1, Code::Encoding, message) {
                sink.push(Event::Input(Box::new(finding)));
            }
            return Ok(());
        }
        if source.skip_bom()? {
            if let Some(finding) = self.input_finding(file, 0, 1, 1, Code::Bom, "the input starts with a UTF-8 byte order mark; expected JSON text without one (RFC 8259)".to_owned()) {
                sink.push(Event::Input(Box::new(finding)));
            }
        }
        source.skip_ws()?;
        let Some(first) = source.peek()? else {
            if let Some(finding) = self.input_finding(
                file,
                0,
                source.line,
                source.col(),
                Code::EmptyInput,
                "the input is empty or only whitespace; expected at least one record".to_owned(),
            ) {
                sink.push(Event::Input(Box::new(finding)));
            }
            return Ok(());
        };
        let ndjson = match first {
            b'[' => false,
            b'{' => looks_like_ndjson(source.peek_line(self.record_limit())?),
            _ => true,
        };
        if ndjson {
            self.run_ndjson(source, file, jobs, sink)
        } else {
            let mut doc = Doc {
                worker: Worker::new(sink.profile.is_some()),
                source,
                sink,
                file: file.clone(),
                events: Vec::new(),
                capture: Vec::new(),
                record: 0,
                record_line: 1,
                record_col: 1,
                size: 0,
                too_large: false,
                jobs,
            };
            let result = self.run_document(&mut doc);
            doc.sink.absorb(doc.worker.profiler.take());
            result
        }
    }

    fn record_limit(&self) -> usize {
        // Offsets on the tape are 32-bit.
        self.config.max_record_size.min(u32::MAX as usize - 1)
    }

    fn input_finding(
        &self,
        file: &Arc<str>,
        record: u64,
        line: u64,
        column: u64,
        code: Code,
        message: String,
    ) -> Option<Finding> {
        let severity = self.compiled.severity(code)?;
        Some(Finding {
            file: file.clone(),
            record,
            line,
            column,
            pointer: Pointer::root(),
            code,
            severity,
            message,
            expected: None,
            suggestion: None,
            excerpt: None,
            contract: self.compiled.default_contract(),
        })
    }

    fn too_large_outcome(
        &self,
        file: &Arc<str>,
        record: u64,
        line: u64,
        column: u64,
        size: u64,
    ) -> RecordOutcome {
        let findings = self
            .input_finding(file, record, line, column, Code::RecordTooLarge, format!("record is {size} bytes; expected at most {} bytes (--max-record-size); it was skipped", self.config.max_record_size))
            .into_iter()
            .collect();
        RecordOutcome {
            record,
            line,
            findings,
            contract: None,
        }
    }

    /// The outcome of a unit that is not JSON (a syntax error, or nested too deep): one
    /// finding at the error, its excerpt ending there.
    #[allow(
        clippy::too_many_arguments,
        reason = "the unit and where it is: bundling them would only rename the arguments"
    )]
    fn broken_unit(
        &self,
        tape: &Tape,
        err: ParseError,
        file: &Arc<str>,
        bytes: &[u8],
        line: u64,
        col: u64,
        record: u64,
    ) -> RecordOutcome {
        let (err_line, err_col) = PosCursor::new(line, col).at(bytes, err.offset);
        // Nothing past the error is shown: it was never parsed, so it cannot be masked.
        let mut masks = Masks::none();
        if !self.config.show_values {
            masks.fill_broken(tape, bytes);
        }
        let excerpt = excerpt::cut(bytes, err.offset, err.offset, err.offset, &masks);
        let mut pointer = Pointer::root();
        for token in &err.path {
            pointer = pointer.child(token);
        }
        let (code, message) = match err.kind {
            ParseErrorKind::Syntax(what) => (Code::Syntax, format!("invalid JSON: {what}")),
            ParseErrorKind::TooDeep => (Code::TooDeep, format!("arrays and objects nest deeper than {MAX_DEPTH} levels; expected at most {MAX_DEPTH} (the rest of the record is not checked)")),
        };
        let findings = self
            .compiled
            .severity(code)
            .map(|severity| Finding {
                file: file.clone(),
                record,
                line: err_line,
                column: err_col,
                pointer,
                code,
                severity,
                message,
                expected: None,
                suggestion: None,
                excerpt: Some(excerpt),
                contract: self.compiled.default_contract(),
            })
            .into_iter()
            .collect();
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(0);
        let (start_line, _) = PosCursor::new(line, col).at(bytes, start);
        RecordOutcome {
            record,
            line: start_line,
            findings,
            contract: None,
        }
    }

    /// Parses one unit, finds its records, checks them and appends their outcomes. Returns
    /// false when the unit is not JSON (a syntax error or too deep).
    #[allow(clippy::too_many_arguments)]
    fn process_unit(
        &self,
        worker: &mut Worker,
        file: &Arc<str>,
        bytes: &[u8],
        line: u64,
        col: u64,
        select: bool,
        record: &mut u64,
        out: &mut Vec<Event>,
    ) -> bool {
        let mut cursor = PosCursor::new(line, col);
        if let Err(err) = worker.tape.parse(bytes) {
            let outcome = self.broken_unit(&worker.tape, err, file, bytes, line, col, *record);
            out.push(Event::Record(outcome));
            *record += 1;
            return false;
        }
        let tape = &worker.tape;
        let (selection, note) = if !select {
            (Selection::One(0), None)
        } else if let Some(tokens) = &self.pointer {
            (self.follow_pointer(tape, bytes, tokens), None)
        } else {
            list_selection(tape, bytes, &self.compiled)
        };
        if let Some(note) = note {
            let (line, column) = cursor.at(bytes, note.offset);
            if let Some(finding) =
                self.input_finding(file, *record, line, column, note.code, note.message)
            {
                out.push(Event::Input(Box::new(finding)));
            }
        }
        let mut roots = std::mem::take(&mut worker.roots);
        roots.clear();
        match selection {
            Selection::One(root) => roots.push(root),
            Selection::Items(array) => {
                roots.extend(tape.items(array));
                if roots.is_empty() {
                    let (line, column) = cursor.at(bytes, tape.nodes[array].start as usize);
                    let message = EMPTY_LIST.to_owned();
                    if let Some(finding) =
                        self.input_finding(file, *record, line, column, Code::EmptyInput, message)
                    {
                        out.push(Event::Input(Box::new(finding)));
                    }
                }
            }
            Selection::Missing => {
                let pointer = self.config.pointer.clone().unwrap_or_default();
                let (line, column) = cursor.at(bytes, 0);
                if let Some(finding) = self.input_finding(file, *record, line, column, Code::NotAnObject, format!("no array of records at --pointer {pointer:?}; expected an array (or one record object) there")) {
                    out.push(Event::Input(Box::new(finding)));
                }
            }
        }
        let mut masked = false;
        for &root in &roots {
            worker.pending.reset(self.config.max_findings_per_record);
            let mut checker = Checker {
                cfg: &self.compiled,
                tape: &worker.tape,
                bytes,
                out: &mut worker.pending,
                scratch: &mut worker.scratch,
                names: &[],
            };
            checker.check_record(root);
            let contract = checker.contract_name();
            let node = worker.tape.nodes.get(root);
            let is_object = node.is_some_and(|node| node.kind == Kind::Object);
            let start = node.map_or(0, |node| node.start as usize);
            let (record_line, _) = cursor.at(bytes, start);
            let mut findings = Vec::new();
            if !worker.pending.is_empty() {
                if !masked {
                    self.fill_masks(&mut worker.masks, &worker.tape, bytes);
                    masked = true;
                }
                let masks = &worker.masks;
                let (kept, omitted) = worker.pending.finish();
                findings.reserve(kept.len() + usize::from(omitted.is_some()));
                // Findings at one place (the `required` ones at the record's brace) share one
                // excerpt: it is cut once.
                let mut last: Option<(usize, usize, Excerpt)> = None;
                let mut located = |pending: Pending, cursor: &mut PosCursor| {
                    let at = pending.offset as usize;
                    let (line, column) = cursor.at(bytes, at);
                    let caret_end = excerpt::caret_end(&worker.tape, at);
                    let excerpt = match &last {
                        Some((last_at, last_end, excerpt))
                            if (*last_at, *last_end) == (at, caret_end) =>
                        {
                            excerpt.clone()
                        }
                        _ => {
                            let excerpt = excerpt::cut(bytes, at, caret_end, bytes.len(), masks);
                            last = Some((at, caret_end, excerpt.clone()));
                            excerpt
                        }
                    };
                    Finding {
                        file: file.clone(),
                        record: *record,
                        line,
                        column,
                        pointer: pending.pointer,
                        code: pending.code,
                        severity: pending.severity,
                        message: pending.message,
                        expected: pending.expected,
                        suggestion: pending.suggestion,
                        excerpt: Some(excerpt),
                        contract,
                    }
                };
                findings.extend(kept.map(|pending| located(pending, &mut cursor)));
                if let Some(omitted) = omitted.and_then(|omitted| self.omitted(omitted)) {
                    findings.push(located(omitted, &mut cursor));
                }
            }
            if let Some(profiler) = worker.profiler.as_mut() {
                profiler.observe(&worker.tape, bytes, root, &findings, contract);
            }
            out.push(Event::Record(RecordOutcome {
                record: *record,
                line: record_line,
                findings,
                contract: is_object.then_some(contract),
            }));
            *record += 1;
        }
        worker.roots = roots;
        true
    }

    /// The `too-many-findings` finding that stands for a record's findings past the cap, at
    /// the first of them; `None` when the rule is off.
    fn omitted(&self, omitted: Omitted) -> Option<Pending> {
        self.compiled.severity(Code::TooManyFindings)?;
        Some(Pending {
            offset: omitted.first.offset,
            code: Code::TooManyFindings,
            severity: omitted.severity(),
            pointer: omitted.first.pointer.clone(),
            message: omitted.message(),
            expected: None,
            suggestion: None,
        })
    }

    /// What excerpts of a parsed unit mask: personal values, unless the values are shown.
    /// Into storage reused from unit to unit.
    fn fill_masks(&self, masks: &mut Masks, tape: &Tape, bytes: &[u8]) {
        if self.config.show_values {
            masks.clear();
        } else {
            masks.fill(tape, bytes);
        }
    }

    fn follow_pointer(&self, tape: &Tape, bytes: &[u8], tokens: &[String]) -> Selection {
        let mut at = 0usize;
        for token in tokens {
            let Some(node) = tape.nodes.get(at) else {
                return Selection::Missing;
            };
            let next = match node.kind {
                Kind::Object => tape
                    .members(at)
                    .filter(|&(key, _)| {
                        tape.nodes
                            .get(key)
                            .is_some_and(|key| tape.text(bytes, key) == token.as_bytes())
                    })
                    .map(|(_, value)| value)
                    // The first occurrence, as the streaming document walk takes it.
                    .next(),
                Kind::Array => token
                    .parse::<usize>()
                    .ok()
                    .and_then(|index| tape.items(at).nth(index)),
                _ => None,
            };
            match next {
                Some(next) => at = next,
                None => return Selection::Missing,
            }
        }
        match tape.nodes.get(at).map(|node| node.kind) {
            Some(Kind::Array) => Selection::Items(at),
            Some(Kind::Object) => Selection::One(at),
            _ => Selection::Missing,
        }
    }

    // ---------------------------------------------------------------- NDJSON

    fn process_chunk<'r>(
        &self,
        worker: &mut Worker,
        file: &Arc<str>,
        work: Work<'r>,
        first_col: u64,
    ) -> ChunkOut<'r> {
        match work {
            Work::TooLarge(size) => {
                let mut events = std::mem::take(&mut worker.spare_events);
                events.clear();
                events.push(Event::Record(
                    self.too_large_outcome(file, 0, 0, first_col, size),
                ));
                ChunkOut {
                    events,
                    lines: 1,
                    records: 1,
                    buffer: Lines::Read(Vec::new()),
                    resume: None,
                }
            }
            Work::Lines(buffer) => {
                self.process_lines(worker, file, Lines::Read(buffer), 0, first_col)
            }
            Work::InMemory(lines) => {
                self.process_lines(worker, file, Lines::InMemory(lines), 0, first_col)
            }
        }
    }

    /// Checks the lines of `buffer` from `start` until its end or until the findings fill a
    /// piece ([`FINDINGS_PER_PIECE`]); lines and records are counted from `start`.
    fn process_lines<'a>(
        &self,
        worker: &mut Worker,
        file: &Arc<str>,
        buffer: Lines<'a>,
        start: usize,
        first_col: u64,
    ) -> ChunkOut<'a> {
        let mut events = std::mem::take(&mut worker.spare_events);
        events.clear();
        let mut findings = 0usize;
        let mut record = 0u64;
        let mut line = 0u64;
        let mut pos = start;
        let limit = self.record_limit();
        while pos < buffer.len() {
            if findings >= FINDINGS_PER_PIECE {
                return ChunkOut {
                    events,
                    lines: line,
                    records: record,
                    buffer,
                    resume: Some(pos),
                };
            }
            // The line's end and its lone CRs (each ends a line too) in one pass.
            let (end, lone_crs) = line_end(&buffer, pos);
            let text = &buffer[pos..end];
            // The bytes as far ahead as this line is long: the lines that follow are in the
            // cache when the line-end search reaches them (one request per 64-byte line).
            prefetch(&buffer, pos + PREFETCH_AHEAD..end + 1 + PREFETCH_AHEAD);
            let col = if line == 0 { first_col } else { 1 };
            let before = events.len();
            if !text.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
                if text.len() > limit {
                    events.push(Event::Record(self.too_large_outcome(
                        file,
                        record,
                        line,
                        col,
                        text.len() as u64,
                    )));
                    record += 1;
                } else {
                    self.process_unit(
                        worker,
                        file,
                        text,
                        line,
                        col,
                        true,
                        &mut record,
                        &mut events,
                    );
                }
            }
            findings += events[before..].iter().map(event_findings).sum::<usize>();
            // A lone CR inside the line ends a line too; a CR before the LF is its CRLF.
            line += lone_crs;
            if end < buffer.len() {
                line += u64::from(!text.ends_with(b"\r"));
            }
            pos = end + 1;
        }
        ChunkOut {
            events,
            lines: line,
            records: record,
            buffer,
            resume: None,
        }
    }

    fn run_ndjson<'r>(
        &self,
        source: &mut Source<'r>,
        file: &Arc<str>,
        jobs: usize,
        sink: &mut Sink<'_>,
    ) -> io::Result<()> {
        // One job checks each chunk right after reading it: a chunk that stays in the cache
        // is read from there. Workers get larger ones, fewer hand-overs.
        let chunk = if jobs <= 1 { READ_SIZE } else { CHUNK_SIZE };
        let mut chunker = Chunker::new(self.record_limit(), chunk);
        let mut base_line = source.line;
        let mut base_record = 0u64;
        let first_col = source.col();
        // Checks the rest of a chunk whose findings filled a piece, here, once the earlier
        // pieces are delivered.
        let mut resume_worker = Worker::default();
        let profile = sink.profile.is_some();
        let mut deliver = |mut out: ChunkOut<'r>, sink: &mut Sink<'_>| loop {
            let mut events = out.events;
            for mut event in events.drain(..) {
                match &mut event {
                    Event::Record(outcome) => {
                        outcome.record += base_record;
                        outcome.line += base_line;
                        for finding in &mut outcome.findings {
                            finding.record += base_record;
                            finding.line += base_line;
                        }
                    }
                    Event::Input(finding) => {
                        finding.record += base_record;
                        finding.line += base_line;
                    }
                }
                sink.push(event);
            }
            base_line += out.lines;
            base_record += out.records;
            match out.resume {
                Some(start) => {
                    resume_worker.spare_events = events;
                    // The resumed records are profiled too, and added at once (sums).
                    resume_worker.profiler = profile.then(|| Box::new(Profiler::new()));
                    out = self.process_lines(&mut resume_worker, file, out.buffer, start, 1);
                    sink.absorb(resume_worker.profiler.take());
                }
                None => return (out.buffer.into_buffer(), events),
            }
        };
        if jobs <= 1 {
            let mut worker = Worker::new(profile);
            let mut buffer = Vec::new();
            let mut seq = 0u64;
            loop {
                let col = if seq == 0 { first_col } else { 1 };
                // An input held in memory is checked where it is, not copied chunk by chunk.
                let out = match source.borrow_lines(chunk) {
                    Some(lines) => {
                        self.process_lines(&mut worker, file, Lines::InMemory(lines), 0, col)
                    }
                    None => match chunker.next(source, buffer)? {
                        Some(work) => self.process_chunk(&mut worker, file, work, col),
                        None => break,
                    },
                };
                (buffer, worker.spare_events) = deliver(out, sink);
                seq += 1;
            }
            sink.absorb(worker.profiler);
            return Ok(());
        }
        // Beside a decoding thread, the workers after the first wait for a queue (see `gate`).
        let depth = if source.decodes_ahead() {
            gate::DEPTH
        } else {
            0
        };
        let queue = WorkQueue::<(u64, Work<'r>)>::new(jobs, depth);
        let (result_tx, result_rx) = mpsc::channel::<(u64, ChunkOut<'r>)>();
        let max_in_flight = (jobs * 2 + 2) as u64;
        std::thread::scope(|scope| {
            let mut workers = Vec::with_capacity(jobs);
            for index in 0..jobs {
                let queue = &queue;
                let result_tx = result_tx.clone();
                workers.push(scope.spawn(move || {
                    let mut worker = Worker::new(profile);
                    while let Some((seq, work)) = queue.take(index) {
                        let col = if seq == 0 { first_col } else { 1 };
                        let out = self.process_chunk(&mut worker, file, work, col);
                        if result_tx.send((seq, out)).is_err() {
                            break;
                        }
                    }
                    worker.profiler
                }));
            }
            drop(result_tx);
            let mut ready: BTreeMap<u64, ChunkOut<'r>> = BTreeMap::new();
            let mut pool: Vec<Vec<u8>> = Vec::new();
            let mut sent = 0u64;
            let mut emitted = 0u64;
            // Bytes of the chunks sent and not yet delivered, oldest first.
            let mut sizes: VecDeque<usize> = VecDeque::new();
            let mut flush = |ready: &mut BTreeMap<u64, ChunkOut<'r>>,
                             emitted: &mut u64,
                             pool: &mut Vec<Vec<u8>>,
                             sizes: &mut VecDeque<usize>,
                             sink: &mut Sink<'_>| {
                while let Some(out) = ready.remove(emitted) {
                    let (buffer, _) = deliver(out, sink);
                    // Keep ordinary chunk buffers; let the rare huge-line ones go.
                    if buffer.capacity() > 0
                        && buffer.capacity() <= 2 * CHUNK_SIZE
                        && pool.len() < jobs * 2
                    {
                        pool.push(buffer);
                    }
                    sizes.pop_front();
                    *emitted += 1;
                }
            };
            let mut failure = None;
            // However this loop ends, a panic too, the workers must end.
            let ending = queue.end_on_drop();
            loop {
                while sent > emitted
                    && (sent - emitted >= max_in_flight
                        || sizes.iter().sum::<usize>() >= MAX_IN_FLIGHT_BYTES)
                {
                    match result_rx.recv() {
                        Ok((seq, out)) => {
                            ready.insert(seq, out);
                            flush(&mut ready, &mut emitted, &mut pool, &mut sizes, sink);
                        }
                        Err(_) => break,
                    }
                }
                while let Ok((seq, out)) = result_rx.try_recv() {
                    ready.insert(seq, out);
                }
                flush(&mut ready, &mut emitted, &mut pool, &mut sizes, sink);
                // An input held in memory goes to the workers where it lies, not copied.
                let next = match source.borrow_lines(CHUNK_SIZE) {
                    Some(lines) => Ok(Some(Work::InMemory(lines))),
                    None => chunker.next(source, pool.pop().unwrap_or_default()),
                };
                match next {
                    Ok(Some(work)) => {
                        sizes.push_back(match &work {
                            Work::Lines(lines) => lines.capacity(),
                            Work::InMemory(lines) => lines.len(),
                            Work::TooLarge(_) => 0,
                        });
                        if !queue.put((sent, work)) {
                            break;
                        }
                        sent += 1;
                    }
                    Ok(None) => break,
                    Err(err) => {
                        failure = Some(err);
                        break;
                    }
                }
            }
            drop(ending);
            while emitted < sent {
                match result_rx.recv() {
                    Ok((seq, out)) => {
                        ready.insert(seq, out);
                        flush(&mut ready, &mut emitted, &mut pool, &mut sizes, sink);
                    }
                    Err(_) => break,
                }
            }
            for worker in workers {
                if let Ok(profiler) = worker.join() {
                    sink.absorb(profiler);
                }
            }
            match failure {
                Some(err) => Err(err),
                None => Ok(()),
            }
        })
    }

    // ---------------------------------------------------------------- documents

    fn run_document(&self, doc: &mut Doc<'_, '_, '_>) -> io::Result<()> {
        loop {
            doc.source.skip_ws()?;
            let Some(first) = doc.source.peek()? else {
                return Ok(());
            };
            let flow = if let Some(tokens) = &self.pointer {
                self.doc_pointer(doc, tokens)?
            } else {
                match first {
                    b'[' => self.doc_array(doc)?,
                    b'{' => self.doc_whole_object(doc)?,
                    _ => {
                        doc.begin_record();
                        self.doc_finish(doc, Scan::default())?
                    }
                }
            };
            if flow == Flow::Stop {
                return Ok(());
            }
        }
    }

    fn doc_input(&self, doc: &mut Doc<'_, '_, '_>, code: Code, message: String) {
        if let Some(finding) = self.input_finding(
            &doc.file,
            doc.record,
            doc.source.line,
            doc.source.col(),
            code,
            message,
        ) {
            doc.sink.push(Event::Input(Box::new(finding)));
        }
    }

    /// Scans the rest of a record object whose opening `{` was consumed, then checks it.
    fn doc_finish_object(&self, doc: &mut Doc<'_, '_, '_>) -> io::Result<Flow> {
        let inside_object = Scan::inside(1);
        self.doc_finish(doc, inside_object)
    }

    /// Scans the rest of the current record from `state`, then checks it.
    fn doc_finish(&self, doc: &mut Doc<'_, '_, '_>, state: Scan) -> io::Result<Flow> {
        let ended = doc.scan(state, true, self.record_limit())?;
        self.doc_emit(doc, ended)
    }

    fn doc_emit(&self, doc: &mut Doc<'_, '_, '_>, ended: bool) -> io::Result<Flow> {
        if doc.too_large {
            let outcome = self.too_large_outcome(
                &doc.file,
                doc.record,
                doc.record_line,
                doc.record_col,
                doc.size,
            );
            doc.record += 1;
            doc.sink.push(Event::Record(outcome));
            if !ended {
                self.doc_input(
                    doc,
                    Code::Syntax,
                    "invalid JSON: unexpected end of input inside a record".to_owned(),
                );
                return Ok(Flow::Stop);
            }
            return Ok(Flow::Continue);
        }
        // The scanner delimited this record by balanced brackets and quotes, so even when the
        // record itself is broken (a syntax error inside it, too deep, bad text) the next
        // record starts where the scanner says: go on, so that nothing after it goes unchecked.
        // Only a record cut off by the end of the input stops the document.
        self.process_captured(doc, false);
        // `doc.size` is never 0 here (the scanner always takes a byte); stopping if it were
        // keeps this walk from ever spinning in place.
        Ok(if ended && doc.size > 0 {
            Flow::Continue
        } else {
            Flow::Stop
        })
    }

    /// A top-level (or pointed-to) array: each item is a record.
    fn doc_array(&self, doc: &mut Doc<'_, '_, '_>) -> io::Result<Flow> {
        doc.source.consume(1);
        doc.source.skip_ws()?;
        if doc.source.peek()? == Some(b']') {
            self.doc_input(doc, Code::EmptyInput, EMPTY_LIST.to_owned());
            doc.source.consume(1);
            return Ok(Flow::Continue);
        }
        if doc.jobs > 1 {
            return self.doc_items_parallel(doc);
        }
        loop {
            if self.doc_item(doc)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
            if let Some(flow) = self.doc_after_item(doc)? {
                return Ok(flow);
            }
        }
    }

    /// One array item, scanned and checked on this thread.
    fn doc_item(&self, doc: &mut Doc<'_, '_, '_>) -> io::Result<Flow> {
        doc.source.skip_ws()?;
        if doc.source.peek()?.is_none() {
            self.doc_input(
                doc,
                Code::Syntax,
                "invalid JSON: unexpected end of input in an array; expected a value".to_owned(),
            );
            return Ok(Flow::Stop);
        }
        doc.begin_record();
        self.doc_finish(doc, Scan::default())
    }

    /// What follows an array item: `None` after a `,` (another item comes), else how the
    /// array ended.
    fn doc_after_item(&self, doc: &mut Doc<'_, '_, '_>) -> io::Result<Option<Flow>> {
        doc.source.skip_ws()?;
        let message = match doc.source.peek()? {
            Some(b',') => {
                doc.source.consume(1);
                return Ok(None);
            }
            Some(b']') => {
                doc.source.consume(1);
                return Ok(Some(Flow::Continue));
            }
            Some(_) => "invalid JSON: expected `,` or `]` after an array item",
            None => "invalid JSON: unexpected end of input in an array; expected `,` or `]`",
        };
        self.doc_input(doc, Code::Syntax, message.to_owned());
        Ok(Some(Flow::Stop))
    }

    /// A top-level object that fits in `--max-record-size` is parsed whole, so that whether it
    /// is a record or a list response does not depend on the order of its members; a larger
    /// one (a huge list response) is walked as a stream.
    /// Validates the unit captured in `doc` and passes its events on; `select` as for
    /// [`Validator::process_unit`] (find the records in a whole document object, or take an
    /// element the scanner delimited as one record).
    fn process_captured(&self, doc: &mut Doc<'_, '_, '_>, select: bool) {
        let capture = std::mem::take(&mut doc.capture);
        self.process_unit(
            &mut doc.worker,
            &doc.file,
            &capture,
            doc.record_line,
            doc.record_col,
            select,
            &mut doc.record,
            &mut doc.events,
        );
        doc.capture = capture;
        for event in doc.events.drain(..) {
            doc.sink.push(event);
        }
    }

    fn doc_whole_object(&self, doc: &mut Doc<'_, '_, '_>) -> io::Result<Flow> {
        let limit = self.record_limit();
        let Some(len) = doc.source.buffered_value_len(limit)? else {
            return self.doc_object(doc);
        };
        doc.begin_record();
        // The object is whole in the source's buffer: it is checked there rather than copied
        // into the capture, so a large record is held once, not twice.
        let bytes = &doc.source.available()[..len];
        self.process_unit(
            &mut doc.worker,
            &doc.file,
            bytes,
            doc.record_line,
            doc.record_col,
            true,
            &mut doc.record,
            &mut doc.events,
        );
        doc.size = len as u64;
        doc.source.consume(len);
        for event in doc.events.drain(..) {
            doc.sink.push(event);
        }
        Ok(Flow::Continue)
    }

    /// A top-level object: a record, or a list response whose first array member holds the
    /// records (when no documented member comes before that array).
    fn doc_object(&self, doc: &mut Doc<'_, '_, '_>) -> io::Result<Flow> {
        let limit = self.record_limit();
        doc.begin_record();
        doc.take(1, limit);
        loop {
            doc.skip_ws_captured(limit)?;
            match doc.source.peek()? {
                Some(b'"') => {
                    let key_start = doc.capture.len();
                    if !doc.scan(Scan::default(), true, limit)? {
                        return self.doc_emit(doc, false);
                    }
                    let documented = doc.too_large
                        || doc.capture.get(key_start..).is_some_and(|raw| {
                            key_matches(raw, |key| self.compiled.documents(key))
                        });
                    doc.skip_ws_captured(limit)?;
                    if doc.source.peek()? != Some(b':') {
                        return self.doc_finish_object(doc);
                    }
                    doc.take(1, limit);
                    doc.skip_ws_captured(limit)?;
                    if documented {
                        return self.doc_finish_object(doc);
                    }
                    if doc.source.peek()? == Some(b'[') {
                        doc.capture.clear();
                        if self.doc_array(doc)? == Flow::Stop {
                            return Ok(Flow::Stop);
                        }
                        return self.doc_close(doc, 1);
                    }
                    if !doc.scan(Scan::default(), true, limit)? {
                        return self.doc_emit(doc, false);
                    }
                    doc.skip_ws_captured(limit)?;
                    match doc.source.peek()? {
                        Some(b',') => doc.take(1, limit),
                        Some(b'}') => {
                            doc.take(1, limit);
                            return self.doc_emit(doc, true);
                        }
                        _ => return self.doc_finish_object(doc),
                    }
                }
                Some(b'}') => {
                    doc.take(1, limit);
                    return self.doc_emit(doc, true);
                }
                _ => return self.doc_finish_object(doc),
            }
        }
    }

    /// Skips to the end of `depth` enclosing containers.
    fn doc_close(&self, doc: &mut Doc<'_, '_, '_>, depth: u64) -> io::Result<Flow> {
        if depth == 0 {
            return Ok(Flow::Continue);
        }
        let mut ignored = false;
        match doc
            .source
            .scan_value(Scan::inside(depth), None, 0, &mut ignored)?
        {
            ScanEnd::Done { .. } => Ok(Flow::Continue),
            ScanEnd::Eof { .. } => {
                self.doc_input(
                    doc,
                    Code::Syntax,
                    "invalid JSON: unexpected end of input; expected the document to be closed"
                        .to_owned(),
                );
                Ok(Flow::Stop)
            }
        }
    }

    /// `--pointer`: walks to the pointed-to array, streaming, and checks its items.
    fn doc_pointer(&self, doc: &mut Doc<'_, '_, '_>, tokens: &[String]) -> io::Result<Flow> {
        let mut opened = 0u64;
        let mut key = Vec::new();
        for token in tokens {
            doc.source.skip_ws()?;
            let found = match doc.source.peek()? {
                Some(b'{') => {
                    doc.source.consume(1);
                    opened += 1;
                    self.doc_find_member(doc, token, &mut key)?
                }
                Some(b'[') => {
                    doc.source.consume(1);
                    opened += 1;
                    match token.parse::<u64>() {
                        Ok(index) => self.doc_find_item(doc, index)?,
                        Err(_) => false,
                    }
                }
                _ => false,
            };
            if !found {
                return Ok(self.doc_missing_pointer(doc));
            }
        }
        doc.source.skip_ws()?;
        let flow = match doc.source.peek()? {
            Some(b'[') => self.doc_array(doc)?,
            Some(b'{') => {
                doc.begin_record();
                self.doc_finish(doc, Scan::default())?
            }
            _ => return Ok(self.doc_missing_pointer(doc)),
        };
        if flow == Flow::Stop {
            return Ok(Flow::Stop);
        }
        self.doc_close(doc, opened)
    }

    fn doc_missing_pointer(&self, doc: &mut Doc<'_, '_, '_>) -> Flow {
        let pointer = self.config.pointer.clone().unwrap_or_default();
        self.doc_input(doc, Code::NotAnObject, format!("no array of records at --pointer {pointer:?}; expected an array (or one record object) there"));
        Flow::Stop
    }

    fn doc_find_member(
        &self,
        doc: &mut Doc<'_, '_, '_>,
        token: &str,
        key: &mut Vec<u8>,
    ) -> io::Result<bool> {
        let mut ignored = false;
        loop {
            doc.source.skip_ws()?;
            if doc.source.peek()? != Some(b'"') {
                return Ok(false);
            }
            key.clear();
            if !matches!(
                doc.source
                    .scan_value(Scan::default(), Some(key), 1 << 20, &mut ignored)?,
                ScanEnd::Done { .. }
            ) {
                return Ok(false);
            }
            doc.source.skip_ws()?;
            if doc.source.peek()? != Some(b':') {
                return Ok(false);
            }
            doc.source.consume(1);
            doc.source.skip_ws()?;
            if key_matches(key, |key| key == token.as_bytes()) {
                return Ok(true);
            }
            if !Self::skip_value_and_comma(doc)? {
                return Ok(false);
            }
        }
    }

    /// Skips one value and the comma after it; false when either is not there.
    fn skip_value_and_comma(doc: &mut Doc<'_, '_, '_>) -> io::Result<bool> {
        let mut ignored = false;
        let end = doc
            .source
            .scan_value(Scan::default(), None, 0, &mut ignored)?;
        if !matches!(end, ScanEnd::Done { .. }) {
            return Ok(false);
        }
        doc.source.skip_ws()?;
        if doc.source.peek()? != Some(b',') {
            return Ok(false);
        }
        doc.source.consume(1);
        Ok(true)
    }

    fn doc_find_item(&self, doc: &mut Doc<'_, '_, '_>, index: u64) -> io::Result<bool> {
        for _ in 0..index {
            doc.source.skip_ws()?;
            if matches!(doc.source.peek()?, None | Some(b']')) {
                return Ok(false);
            }
            if !Self::skip_value_and_comma(doc)? {
                return Ok(false);
            }
        }
        doc.source.skip_ws()?;
        Ok(!matches!(doc.source.peek()?, None | Some(b']')))
    }
}

/// Applies `test` to the text of a raw JSON string (quotes included), unescaping if needed.
/// How many findings an event carries.
fn event_findings(event: &Event) -> usize {
    match event {
        Event::Record(outcome) => outcome.findings.len(),
        Event::Input(_) => 1,
    }
}

fn key_matches(raw: &[u8], test: impl Fn(&[u8]) -> bool) -> bool {
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or(&[]);
    if !inner.contains(&b'\\') {
        return test(inner);
    }
    serde_json::from_slice::<String>(raw).is_ok_and(|text| test(text.as_bytes()))
}

/// The name of the UTF-16 or UTF-32 encoding the input starts with (a byte order mark, or
/// JSON text whose first character has zero bytes beside it), if it does, with the name
/// `iconv` knows its family by. UTF-32 first: its little-endian mark starts like UTF-16's.
fn wide_encoding(source: &mut Source<'_>) -> io::Result<Option<(&'static str, &'static str)>> {
    while source.available().len() < 4 && source.fill()? {}
    const UTF16: &str = "UTF-16";
    const UTF32: &str = "UTF-32";
    Ok(match source.available() {
        [0xFF, 0xFE, 0, 0, ..] => Some(("UTF-32 (little-endian, with a byte order mark)", UTF32)),
        [0, 0, 0xFE, 0xFF, ..] => Some(("UTF-32 (big-endian, with a byte order mark)", UTF32)),
        [b'{' | b'[', 0, 0, 0, ..] => Some(("UTF-32 (little-endian)", UTF32)),
        [0, 0, 0, b'{' | b'[', ..] => Some(("UTF-32 (big-endian)", UTF32)),
        [0xFF, 0xFE, ..] => Some(("UTF-16 (little-endian, with a byte order mark)", UTF16)),
        [0xFE, 0xFF, ..] => Some(("UTF-16 (big-endian, with a byte order mark)", UTF16)),
        [b'{' | b'[', 0, b, 0, ..] if *b != 0 => Some(("UTF-16 (little-endian)", UTF16)),
        [0, b'{' | b'[', 0, b, ..] if *b != 0 => Some(("UTF-16 (big-endian)", UTF16)),
        _ => None,
    })
}

/// The message of a list (an array, a list response) that holds no records.
const EMPTY_LIST: &str =
    "the list holds no records; expected at least one (is this an API error body?)";

/// A shape defect detection noticed in a unit: reported as an input finding at `offset`.
struct ShapeNote {
    code: Code,
    offset: usize,
    message: String,
}

/// How far ahead of the line being checked its bytes are asked into the cache: two records
/// or so, far enough for memory to answer in time, near enough to stay in the cache.
const PREFETCH_AHEAD: usize = 2048;

/// The end of the line starting at `pos` (its LF, or the end of `buffer`) and how many CRs
/// it holds, found in one pass.
fn line_end(buffer: &[u8], pos: usize) -> (usize, u64) {
    let mut crs = 0;
    let mut from = pos;
    while let Some(at) = buffer
        .get(from..)
        .and_then(|rest| memchr2(b'\n', b'\r', rest))
    {
        if buffer[from + at] == b'\n' {
            return (from + at, crs);
        }
        crs += 1;
        from += at + 1;
    }
    (buffer.len(), crs)
}

/// The records of a parsed NDJSON line: the line itself, the items of a top-level array, or
/// the array of a list response.
fn list_selection(
    tape: &Tape,
    bytes: &[u8],
    compiled: &Compiled,
) -> (Selection, Option<ShapeNote>) {
    match tape.nodes.first().map(|node| node.kind) {
        Some(Kind::Array) => (Selection::Items(0), None),
        Some(Kind::Object) => object_selection(tape, bytes, compiled),
        _ => (Selection::One(0), None),
    }
}

/// An object is a record when any member is documented, wherever it stands; otherwise it is
/// a list response when its array members all have one name (a repeated name is a
/// `duplicate-key` defect, and the last one is checked, as JSON readers in browsers and
/// Python do); an object with differently named arrays is a record (with its findings).
fn object_selection(
    tape: &Tape,
    bytes: &[u8],
    compiled: &Compiled,
) -> (Selection, Option<ShapeNote>) {
    let mut arrays: Vec<(usize, usize)> = Vec::new();
    for (key, value) in tape.members(0) {
        let Some(key_node) = tape.nodes.get(key) else {
            break;
        };
        if compiled.documents(tape.text(bytes, key_node)) {
            return (Selection::One(0), None);
        }
        if tape
            .nodes
            .get(value)
            .is_some_and(|node| node.kind == Kind::Array)
        {
            arrays.push((key, value));
        }
    }
    let Some(&(last_key, last_value)) = arrays.last() else {
        return (Selection::One(0), None);
    };
    let name = |key: usize| tape.text(bytes, &tape.nodes[key]);
    if arrays.iter().any(|&(key, _)| name(key) != name(last_key)) {
        return (Selection::One(0), None);
    }
    let note = (arrays.len() > 1).then(|| ShapeNote {
        code: Code::DuplicateKey,
        offset: tape.nodes[last_key].start as usize,
        message: format!(
            "the list member `{}` appears {} times; expected it once (readers disagree on which counts; the last one is checked)",
            String::from_utf8_lossy(name(last_key)),
            arrays.len()
        ),
    });
    (Selection::Items(last_value), note)
}

impl Doc<'_, '_, '_> {
    fn begin_record(&mut self) {
        self.capture.clear();
        self.record_line = self.source.line;
        self.record_col = self.source.col();
        self.size = 0;
        self.too_large = false;
    }

    /// Consumes `n` buffered bytes into the capture.
    fn take(&mut self, n: usize, limit: usize) {
        let n = n.min(self.source.available().len());
        self.size += n as u64;
        if !self.too_large {
            if self.capture.len() + n <= limit {
                self.capture
                    .extend_from_slice(&self.source.available()[..n]);
            } else {
                self.too_large = true;
                self.capture = Vec::new();
            }
        }
        self.source.consume(n);
    }

    fn skip_ws_captured(&mut self, limit: usize) -> io::Result<()> {
        loop {
            if self.source.peek()?.is_none() {
                return Ok(());
            }
            let (ws, all) = self.source.leading_ws();
            self.take(ws, limit);
            if !all {
                return Ok(());
            }
        }
    }

    /// Scans a value into the capture; false when the input ended inside it.
    fn scan(&mut self, state: Scan, capture: bool, limit: usize) -> io::Result<bool> {
        let mut too_large = self.too_large;
        let target = if capture && !too_large {
            Some(&mut self.capture)
        } else {
            None
        };
        let end = self
            .source
            .scan_value(state, target, limit, &mut too_large)?;
        let (done, size) = match end {
            ScanEnd::Done { size } => (true, size),
            ScanEnd::Eof { size } => (false, size),
        };
        self.size += size;
        self.too_large = too_large;
        Ok(done)
    }
}
