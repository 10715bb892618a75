//! Validates CINNOX enquiry payloads against the contract of `enquiry-schema`.
//!
//! Bytes in, findings out: every defect of every record, each with its file, record index,
//! 1-based line and column, JSON Pointer, rule [`Code`] and a one-line message. The rules are
//! the contract's field rules, read from [`enquiry_schema::fields::FIELDS`].
//!
//! # A contract test in three lines
//!
//! ```
//! use enquiry_validator::{Config, Validator};
//!
//! let payload = br#"{"_id":"e1","createdAt":"2022-11-07T00:00:00.000Z","status":"ongoing"}"#;
//! let report = Validator::new(Config::default()).validate_slice(payload, "payload.json");
//! assert!(report.is_valid(), "{report}");
//! ```
//!
//! Every defect is reported, located, with a suggestion where one fits:
//!
//! ```
//! use enquiry_validator::{Code, Config, Validator};
//!
//! let payload = br#"{"_id":"e1","createdAt":"2022-11-07T00:00:00Z","status":"Closed","labelIds":[]}"#;
//! let report = Validator::new(Config::default()).validate_slice(payload, "payload.json");
//! let status = report.with_code(Code::Enum).next().unwrap();
//! assert_eq!((status.pointer.as_str(), status.line, status.column), ("/status", 1, 57));
//! assert_eq!(status.suggestion.as_deref(), Some("closed"));
//! let unknown = report.with_code(Code::UnknownField).next().unwrap();
//! assert_eq!(unknown.suggestion.as_deref(), Some("labelIDs"));
//! ```
//!
//! One record held in memory (an API handler's body) is checked with
//! [`Validator::validate_record`]. Record by record, in input order, from any reader (files,
//! stdin, gzip):
//!
//! ```
//! use enquiry_validator::{Config, Event, Validator};
//!
//! let ndjson = "{\"_id\":\"a\",\"createdAt\":\"2022-11-07T00:00:00Z\",\"status\":\"ongoing\"}\n{\"_id\":\"b\"}\n";
//! let mut invalid = Vec::new();
//! let summary = Validator::new(Config::default())
//!     .validate_stream(ndjson.as_bytes(), "dump.ndjson", 2, &mut |event| {
//!         if let Event::Record(outcome) = event {
//!             if !outcome.is_valid() {
//!                 invalid.push(outcome.record);
//!             }
//!         }
//!     })
//!     .unwrap();
//! assert_eq!((summary.records, summary.invalid, invalid), (2, 1, vec![1]));
//! ```
//!
//! # Inputs
//!
//! The shape is detected from the content, never from the file name:
//!
//! * gzip (magic bytes `1f 8b`) is decompressed on the fly; positions refer to the text.
//! * A UTF-8 byte order mark is skipped with a `bom` warning (RFC 8259 forbids emitting one,
//!   most parsers accept it); an empty or whitespace-only input is an `empty-input` warning
//!   (an empty capture usually means the capture failed). Both are [`Event::Input`] findings.
//! * Input starting with `{` whose first line holds a complete value (or whose broken first line
//!   is followed by a line starting with `{`) is **NDJSON**: one unit a line, blank lines
//!   skipped, a broken line is a `syntax` finding and the next line is still checked.
//! * Otherwise it is a **document**: a top-level array of records; one object; a **list
//!   response** (an object none of whose members before its first array member is a documented
//!   enquiry member: the items of that array are the records); or, with [`Config::pointer`],
//!   the array (or object) at that RFC 6901 pointer. An NDJSON line may itself be a list
//!   response or an array (pages captured one per line).
//! * A non-object where a record belongs is `not-an-object`.
//!
//! # Design
//!
//! * **Input** (`input` module): fixed-size reads (256 KiB) into one reused buffer. NDJSON is
//!   cut into chunks of about 2 MiB at line boundaries and read straight into the chunk buffer.
//!   Documents go through a structural scanner that only counts brackets and skips strings
//!   (with `memchr`), copying one record at a time out of an array or list response of any
//!   size. A record larger than [`Config::max_record_size`] is not buffered: the scanner keeps
//!   counting to its end and reports `record-too-large`, and the next record is checked.
//!   Peak memory is therefore a few chunks plus one record per thread, whatever the input size.
//! * **Parsing** (`parse` module): a hand-written, iterative RFC 8259 parser writes a flat tape
//!   of nodes (kind, byte span, subtree end) reused across records. Strings are scanned eight
//!   to sixteen bytes at a time (SWAR) and copied only when they hold escapes. UTF-8 is
//!   validated in strings (`encoding`, also for lone surrogate escapes); nesting beyond 128
//!   levels stops the record with `too-deep`; no recursion anywhere, so 10^6 brackets are
//!   harmless.
//! * **Rules** (`rules` module): members are looked up in a table indexed by key length and
//!   first byte built once from the field table, then checked by their `FieldKind`. Duplicate
//!   members are caught by the same lookup (and by a hash-and-sort pass for undocumented
//!   objects, so a 200,000-member object costs n log n). Timestamps are read by
//!   `enquiry_schema::rfc3339`, the one parser the typed model uses too, without allocating.
//!   Numbers follow JSON Schema: `12.0` and `1.2e1` are integers, `-0` is zero, `1e400` is
//!   refused as not a 64-bit integer.
//! * **Findings** carry byte offsets until the end of a record; only then, and only if there
//!   are any, are lines and columns computed (columns count characters). Findings are sorted
//!   by position; a missing member is reported at its own pointer with the position of the
//!   record's `{`, in documentation order. Values of personal members are masked unless
//!   [`Config::show_values`].
//! * **Parallelism**: with `jobs > 1`, NDJSON chunks are validated on scoped worker threads
//!   and re-ordered, with record indices and lines rebased, so that the events are identical
//!   to `jobs = 1`. Documents are validated on the calling thread.
//! * **Data profile** (`profile` module, opt-in with [`Validator::validate_stream_profiled`]):
//!   each worker observes the records it checked on the same tape (records and findings per
//!   contract and per day, presence of every documented field); the workers' sums merge into
//!   one result, the same for any number of jobs.
//!
//! # Seed defects
//!
//! The vendor's field table has defects; `enquiry-schema` resolves them (see its crate docs):
//! the nameless row is `locationDetail.city`, `locationDetailprovince` is
//! `locationDetail.province`, `handledType` is free text with `PHONE`/`TRUNK`/`STAFF`
//! recognised (`unrecognised-value` otherwise), `huntedStaffTargetHistory` is a string and an
//! array of strings is `undocumented-shape`, `transferredParty` is an array of open objects.
#![deny(missing_docs)]

pub mod code;
pub mod config;
pub mod excerpt;
pub mod finding;
mod gate;
mod input;
mod ordered;
mod parse;
pub mod profile;
mod rules;
mod simd;
mod uri;
mod validator;

pub use code::{did_you_mean, Code, Level, Severity};
pub use config::{Config, ConfigError, ConfigFile};
pub use enquiry_schema::json_schema::Profile;
pub use excerpt::Excerpt;
pub use finding::{Finding, Pointer, RecordOutcome, Report, Summary};
pub use profile::DataProfile;
pub use validator::{Event, Validator};
