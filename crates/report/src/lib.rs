//! Every report format of enquiry findings: one [`Reporter`] per format, fed as the validator
//! streams.
//!
//! Renderers see findings only, never the input: the source shown by `human` is the
//! [`Excerpt`](enquiry_validator::Excerpt) the validator attached to each finding, already cut
//! to a bounded window, with personal values masked and control characters escaped. So a
//! renderer cannot leak what the validator masked, and the command line, the Python module and
//! any later format share one implementation.
//!
//! `human`, `github` and `json` write each record's findings as they arrive (constant memory);
//! `junit` and `sarif` are single documents whose headers need totals, so they collect.
//!
//! Every report reaches its destination through a buffer ([`buffered`]): in chunks of about
//! [`WRITE_CHUNK`] bytes and one flush at the end, never a write or a flush per finding,
//! whatever writer the caller hands in.
//!
//! ```
//! use enquiry_report::{reporter, Format, HumanOptions};
//! use enquiry_validator::{Config, Event, Validator};
//!
//! let mut out = Vec::new();
//! {
//!     let mut report = reporter(Format::Github, Box::new(&mut out), false, HumanOptions::default());
//!     let summary = Validator::new(Config::default())
//!         .validate_stream(&b"{\"_id\":\"a\"}"[..], "a.json", 1, &mut |event| {
//!             if let Event::Record(outcome) = event {
//!                 report.record(&outcome).unwrap();
//!             }
//!         })
//!         .unwrap();
//!     report.finish(&summary, true).unwrap();
//! }
//! assert!(String::from_utf8(out).unwrap().starts_with("::error file=a.json,line=1,col=1,title=required::"));
//! ```

#![deny(missing_docs)]

pub mod aggregate;
mod baseline;
mod contract_summary;
mod github;
mod html;
mod human;
mod json;
mod junit;
mod markdown;
mod profile_view;
mod report_schema;
mod safe;
mod sarif;
mod saved;
mod summary;
mod tee;
pub mod view;

use std::io::{self, Write};

use std::str::FromStr;

use enquiry_schema::contract::RECORD;
use enquiry_validator::{DataProfile, Finding, RecordOutcome, Summary};

pub use baseline::{Baseline, BaselineState};
pub use contract_summary::{ContractSummary, ContractTotals, JsonReport, JsonSummary};
pub use github::{escape_data, escape_property, GithubReporter};
pub use human::{HumanOptions, HumanReporter};
pub use json::JsonReporter;
pub use junit::{xml_text, JunitReporter};
pub use report_schema::{json_report_schema, JSON_REPORT_VERSION};
pub use safe::terminal_safe;
pub use sarif::{file_uri as sarif_file_uri, SarifLog, SarifReporter, SarifRule};
pub use saved::read_json_report;
pub use tee::Tee;
pub use view::{ViewOptions, ViewReporter};

/// The report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Findings with source snippets and a summary line, for people.
    Human,
    /// One JSON document: `findings` then `summary`.
    Json,
    /// JUnit XML: a test suite per file, a test case per record.
    Junit,
    /// GitHub Actions workflow commands (`::error file=...`).
    Github,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// A terminal table: totals, findings per rule (with masked example values), field, file.
    Summary,
    /// The summary as GitHub-flavoured Markdown, under 1 MiB whatever the input.
    Markdown,
    /// One self-contained HTML page: charts, the first findings, each rule explained.
    Html,
}

impl Format {
    /// Every format, in the order the help lists them.
    pub const ALL: [Format; 8] = [
        Format::Human,
        Format::Json,
        Format::Junit,
        Format::Github,
        Format::Sarif,
        Format::Summary,
        Format::Markdown,
        Format::Html,
    ];

    /// The format's name, as `--format` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Github => "github",
            Format::Sarif => "sarif",
            Format::Summary => "summary",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Format, String> {
        Format::ALL
            .into_iter()
            .find(|format| format.name() == text)
            .ok_or_else(|| format!("unknown report format {text:?}"))
    }
}

/// Receives the validator's events, file by file, and writes a report.
pub trait Reporter {
    /// One finding, of a record or of the input.
    fn finding(&mut self, finding: &Finding) -> io::Result<()>;
    /// A file (or `-`) is about to be validated.
    fn begin_file(&mut self, _file: &str) -> io::Result<()> {
        Ok(())
    }
    /// A record was checked: by default, each of its findings in turn.
    fn record(&mut self, outcome: &RecordOutcome) -> io::Result<()> {
        outcome
            .findings
            .iter()
            .try_for_each(|finding| self.finding(finding))
    }
    /// With a baseline, the states of the findings of the next `record` or `input` call, in
    /// order; formats that show baseline states (SARIF) keep them.
    fn baseline_states(&mut self, _states: &[BaselineState]) {}
    /// A defect of the input outside any record: by default, like any finding.
    fn input(&mut self, finding: &Finding) -> io::Result<()> {
        self.finding(finding)
    }
    /// An input that could not be read (`message` says why; it was also reported on standard
    /// error): by default nothing, formats that list their inputs record it.
    fn unreadable(&mut self, _file: &str, _message: &str) -> io::Result<()> {
        Ok(())
    }
    /// The run's data profile (records and findings per contract and per day, presence of
    /// every documented field), given before [`Reporter::finish`] when the run collected one:
    /// by default ignored; the aggregated views show it and `json` saves it.
    fn data_profile(&mut self, _profile: &DataProfile) {}
    /// The file is done.
    fn end_file(&mut self, _file: &str, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
    /// Everything is done; `failed` says whether the run fails (errors, or warnings with
    /// `--deny-warnings`).
    fn finish(&mut self, summary: &Summary, failed: bool) -> io::Result<()>;
}

/// The bytes a report gathers before it writes them to its destination.
pub const WRITE_CHUNK: usize = 8 * 1024;

/// `out` behind a buffer of [`WRITE_CHUNK`] bytes: a report written through it reaches `out`
/// in chunks of about that size, and is flushed when the report flushes (at its end).
pub fn buffered<'w>(out: Box<dyn Write + 'w>) -> Box<dyn Write + 'w> {
    Box::new(io::BufWriter::with_capacity(WRITE_CHUNK, out))
}

/// Builds the reporter of a format, writing to `out` through a buffer ([`buffered`]).
pub fn reporter<'w>(
    format: Format,
    out: Box<dyn Write + 'w>,
    quiet: bool,
    human: HumanOptions,
) -> Box<dyn Reporter + 'w> {
    let out = buffered(out);
    match format {
        Format::Human => Box::new(HumanReporter::new(out, HumanOptions { quiet, ..human })),
        Format::Json => Box::new(JsonReporter::new(out)),
        Format::Junit => Box::new(JunitReporter::new(out)),
        Format::Github => Box::new(GithubReporter::new(out, quiet)),
        Format::Sarif => Box::new(SarifReporter::new(out)),
        Format::Summary => Box::new(ViewReporter::new(out, view(human), summary::render)),
        Format::Markdown => Box::new(ViewReporter::new(out, view(human), markdown::render)),
        Format::Html => Box::new(
            ViewReporter::new(out, view(human), html::render_after_prologue)
                .with_prologue(html::PROLOGUE),
        ),
    }
}

/// Renders an aggregate (for example of a saved report) in one of the aggregated formats;
/// `None` for formats that list findings as they stream.
pub fn render_aggregate(
    format: Format,
    aggregate: &aggregate::Aggregate,
    options: &ViewOptions,
    out: &mut dyn Write,
) -> Option<io::Result<()>> {
    let render: view::Render = match format {
        Format::Summary => summary::render,
        Format::Markdown => markdown::render,
        Format::Html => html::render,
        _ => return None,
    };
    let mut out = io::BufWriter::with_capacity(WRITE_CHUNK, out);
    Some(render(aggregate, options, &mut out).and_then(|()| out.flush()))
}

fn view(human: HumanOptions) -> ViewOptions {
    ViewOptions { color: human.color }
}

/// The finding's message with its suggestion appended, unless the message already offers it.
pub fn message_with_suggestion(finding: &Finding) -> String {
    match suggestion_not_in_message(finding) {
        Some(suggestion) => format!("{} (did you mean `{suggestion}`?)", finding.message),
        None => finding.message.clone(),
    }
}

/// The suggestion, when the message does not already name it.
pub fn suggestion_not_in_message(finding: &Finding) -> Option<&str> {
    finding
        .suggestion
        .as_deref()
        .filter(|suggestion| !finding.message.contains(&format!("`{suggestion}`")))
}

fn plural(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// How many records of each contract a run checked, by contract name, as a report counts
/// them from the outcomes it receives (or reads them from a data profile): the records of a
/// [`ContractSummary`], which keeps the other totals too.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractCounts(ContractSummary);

impl ContractCounts {
    /// Counts `records` more records of `contract`.
    pub fn add(&mut self, contract: &str, records: u64) {
        let totals = ContractTotals {
            records,
            ..ContractTotals::default()
        };
        self.0.add(contract, &totals);
    }

    /// Counts the record of `outcome`, when it is in a contract.
    pub fn count(&mut self, outcome: &RecordOutcome) {
        self.0.count(outcome);
    }

    /// The contracts counted, by name, with their records.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.0.iter().map(|(name, totals)| (name, totals.records))
    }

    /// What reports add after the records they count: `None` when every record counted is an
    /// enquiry record (record reports read as before); the contract's name when one contract
    /// holds all `records` (`event`); else the records of each (`2 event, 3 record`).
    pub fn label(&self, records: u64) -> Option<String> {
        let all: Vec<(&str, u64)> = self.iter().collect();
        match all.as_slice() {
            [] => None,
            [(name, _)] if *name == RECORD.name => None,
            [(name, count)] if *count == records => Some(terminal_safe(name).into_owned()),
            all => Some(
                all.iter()
                    .map(|(name, count)| format!("{count} {}", terminal_safe(name)))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        }
    }
}

impl From<ContractSummary> for ContractCounts {
    fn from(summary: ContractSummary) -> ContractCounts {
        ContractCounts(summary)
    }
}

/// `2 files, 3000 records: 2997 valid, 3 invalid; 3 errors, 1 warning`.
pub fn summary_line(summary: &Summary) -> String {
    summary_line_of(summary, &ContractCounts::default())
}

/// [`summary_line`] naming the contracts of the records when they are not all enquiry
/// records: `1 file, 3 records (event): 3 valid, ...`.
pub fn summary_line_of(summary: &Summary, contracts: &ContractCounts) -> String {
    let mut records = plural(summary.records, "record", "records");
    if let Some(label) = contracts.label(summary.records) {
        records.push_str(&format!(" ({label})"));
    }
    format!(
        "{}, {records}: {} valid, {} invalid; {}, {}",
        plural(summary.files, "file", "files"),
        summary.valid,
        summary.invalid,
        plural(summary.errors, "error", "errors"),
        plural(summary.warnings, "warning", "warnings"),
    )
}

#[cfg(test)]
pub(crate) mod fixture {
    //! Real validator output every renderer's snapshot is built from.

    use enquiry_validator::{Config, DataProfile, Event, Validator};

    use super::Reporter;

    /// The file name the findings carry (with a space: renderers must quote or escape it).
    pub const FILE: &str = "captures/day 1.ndjson";

    /// The input: one valid record, three with findings (a personal value among them), one
    /// line that is not JSON.
    pub const SOURCE: &str = concat!(
        r#"{"_id": "a1", "createdAt": "2022-11-07T08:00:00.000Z", "status": "closed", "closedAt": "2022-11-07T09:00:00.000Z"}"#,
        "\n",
        r#"{"_id": "a2", "createdAt": "2022-02-30T10:00:00Z", "status": "Closed", "ip": "203.0.113.9", "labelIds": ["x"]}"#,
        "\n",
        r#"{"_id": "a3", "status": "missed", "duration": -5, "visitorLastName": ["Chan"]}"#,
        "\n",
        r#"{"_id": "a4", "createdAt": "2022-11-07T08:00:00.000Z", "status": "ongoing""#,
        "\n",
    );

    /// Validates [`SOURCE`] with `config` and feeds every event to a reporter; returns what
    /// it wrote.
    pub fn render_with(
        config: Config,
        make: impl FnOnce(&mut Vec<u8>) -> Box<dyn Reporter + '_>,
    ) -> String {
        render_profiled(config, false, make)
    }

    /// [`render_with`], giving the reporter the data profile when `profile`.
    pub fn render_profiled(
        config: Config,
        profile: bool,
        make: impl FnOnce(&mut Vec<u8>) -> Box<dyn Reporter + '_>,
    ) -> String {
        let mut out = Vec::new();
        {
            let mut reporter = make(&mut out);
            reporter.begin_file(FILE).unwrap();
            let mut data = DataProfile::new();
            let summary = Validator::new(config)
                .validate_stream_profiled(
                    SOURCE.as_bytes(),
                    FILE,
                    1,
                    &mut |event| match event {
                        Event::Record(outcome) => reporter.record(&outcome).unwrap(),
                        Event::Input(finding) => reporter.input(&finding).unwrap(),
                    },
                    &mut data,
                )
                .unwrap();
            reporter.end_file(FILE, &summary).unwrap();
            if profile {
                reporter.data_profile(&data);
            }
            reporter.finish(&summary, summary.errors > 0).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    /// [`render`] with the data profile.
    pub fn render_with_profile(
        make: impl FnOnce(&mut Vec<u8>) -> Box<dyn Reporter + '_>,
    ) -> String {
        render_profiled(Config::default(), true, make)
    }

    /// [`render_with`] the default configuration.
    pub fn render(make: impl FnOnce(&mut Vec<u8>) -> Box<dyn Reporter + '_>) -> String {
        render_with(Config::default(), make)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use enquiry_validator::{Config, DataProfile, Event, Validator};

    use super::*;

    /// What reached a report's destination.
    #[derive(Debug, Default)]
    struct Calls {
        writes: usize,
        flushes: usize,
        bytes: usize,
    }

    /// A destination that counts the calls it receives.
    struct Counting<'a>(&'a RefCell<Calls>);

    impl Write for Counting<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let mut calls = self.0.borrow_mut();
            calls.writes += 1;
            calls.bytes += buf.len();
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            self.0.borrow_mut().flushes += 1;
            Ok(())
        }
    }

    /// Every format writing the fixture repeated into a counting destination.
    fn calls(format: Format, copies: usize) -> Calls {
        let source = fixture::SOURCE.repeat(copies);
        let calls = RefCell::new(Calls::default());
        {
            let out = Box::new(Counting(&calls));
            let mut reporter = reporter(format, out, false, HumanOptions::default());
            reporter.begin_file(fixture::FILE).unwrap();
            let mut data = DataProfile::new();
            let summary = Validator::new(Config::default())
                .validate_stream_profiled(
                    source.as_bytes(),
                    fixture::FILE,
                    1,
                    &mut |event| match event {
                        Event::Record(outcome) => reporter.record(&outcome).unwrap(),
                        Event::Input(finding) => reporter.input(&finding).unwrap(),
                    },
                    &mut data,
                )
                .unwrap();
            reporter.end_file(fixture::FILE, &summary).unwrap();
            reporter.data_profile(&data);
            reporter.finish(&summary, true).unwrap();
        }
        calls.into_inner()
    }

    #[test]
    fn every_format_writes_in_chunks_and_flushes_once_at_the_end() {
        for format in Format::ALL {
            let calls = calls(format, 300);
            assert!(calls.bytes > 0, "{format:?}");
            // A buffer of WRITE_CHUNK passes on at least half of it a write (a write that does
            // not fit sends what is buffered first), or one large write whole.
            let most = calls.bytes / (WRITE_CHUNK / 2) + 2;
            assert!(
                calls.writes <= most,
                "{format:?}: {} writes for {} bytes",
                calls.writes,
                calls.bytes
            );
            // JUnit and HTML also flush their first line, written before any finding.
            let early = usize::from(matches!(format, Format::Junit | Format::Html));
            assert_eq!(calls.flushes, 1 + early, "{format:?}");
        }
        // The streaming formats write far more than a chunk here: the bound above is not met
        // by writing per finding.
        for format in [Format::Human, Format::Json, Format::Github, Format::Sarif] {
            assert!(calls(format, 300).bytes > 20 * WRITE_CHUNK, "{format:?}");
        }
    }

    #[test]
    fn contracts_are_named_unless_every_record_is_an_enquiry_record() {
        let summary = Summary {
            files: 1,
            records: 4,
            valid: 4,
            ..Summary::default()
        };
        let mut counts = ContractCounts::default();
        assert_eq!(summary_line_of(&summary, &counts), summary_line(&summary));
        counts.add("record", 4);
        assert_eq!(summary_line_of(&summary, &counts), summary_line(&summary));
        let mut events = ContractCounts::default();
        events.add("event", 4);
        assert_eq!(
            summary_line_of(&summary, &events),
            "1 file, 4 records (event): 4 valid, 0 invalid; 0 errors, 0 warnings"
        );
        // A record in no contract (not JSON): the count says which are events.
        events.add("event", 0);
        let five = Summary {
            records: 5,
            ..summary
        };
        assert_eq!(events.label(5).as_deref(), Some("4 event"));
        assert!(summary_line_of(&five, &events).starts_with("1 file, 5 records (4 event): "));
        counts.add("challenge-request", 1);
        // Names from a saved report may be anything: escaped for a terminal, sorted by name.
        counts.add("\u{1b}[2J", 1);
        assert_eq!(
            counts.label(6).as_deref(),
            Some("1 \\u{1b}[2J, 1 challenge-request, 4 record")
        );
    }

    #[test]
    fn summary_line_counts_in_words() {
        let summary = Summary {
            files: 1,
            records: 3000,
            valid: 2997,
            invalid: 3,
            errors: 3,
            warnings: 1,
        };
        assert_eq!(
            summary_line(&summary),
            "1 file, 3000 records: 2997 valid, 3 invalid; 3 errors, 1 warning"
        );
    }
}
