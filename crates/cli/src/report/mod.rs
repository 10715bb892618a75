//! Report renderers: one [`Reporter`] per `--format`, fed as the validator streams.
//!
//! `human`, `github` and `json` write each record's findings as they arrive (constant memory);
//! `junit` and `sarif` are single documents whose headers need totals, so they collect.

mod github;
mod human;
mod json;
mod junit;
mod sarif;

use std::io::{self, Write};

use clap::ValueEnum;
use enquiry_validator::{Finding, RecordOutcome, Summary};

use crate::source::SourceLines;

pub use github::GithubReporter;
pub use human::{HumanOptions, HumanReporter};
pub use json::JsonReporter;
pub use junit::JunitReporter;
pub use sarif::SarifReporter;

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
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
}

/// Receives the validator's events, file by file, and writes a report.
pub trait Reporter {
    /// One finding, of a record or of the input; `source` gives its lines for snippets.
    fn finding(&mut self, finding: &Finding, source: &mut dyn SourceLines) -> io::Result<()>;
    /// A file (or `-`) is about to be validated.
    fn begin_file(&mut self, _file: &str) -> io::Result<()> {
        Ok(())
    }
    /// A record was checked: by default, each of its findings in turn.
    fn record(&mut self, outcome: &RecordOutcome, source: &mut dyn SourceLines) -> io::Result<()> {
        outcome
            .findings
            .iter()
            .try_for_each(|finding| self.finding(finding, source))
    }
    /// A defect of the input outside any record: by default, like any finding.
    fn input(&mut self, finding: &Finding, source: &mut dyn SourceLines) -> io::Result<()> {
        self.finding(finding, source)
    }
    /// The file is done.
    fn end_file(&mut self, _file: &str, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
    /// Everything is done; `failed` says whether the run fails (errors, or warnings with
    /// `--deny-warnings`).
    fn finish(&mut self, summary: &Summary, failed: bool) -> io::Result<()>;
}

/// Whether the renderer needs source lines (only `human` shows snippets).
pub fn wants_source(format: Format, quiet: bool) -> bool {
    format == Format::Human && !quiet
}

/// Builds the reporter of a format, writing to `out`.
pub fn reporter<'w>(
    format: Format,
    out: Box<dyn Write + 'w>,
    quiet: bool,
    human: HumanOptions,
) -> Box<dyn Reporter + 'w> {
    match format {
        Format::Human => Box::new(HumanReporter::new(out, HumanOptions { quiet, ..human })),
        Format::Json => Box::new(JsonReporter::new(out)),
        Format::Junit => Box::new(JunitReporter::new(out)),
        Format::Github => Box::new(GithubReporter::new(out, quiet)),
        Format::Sarif => Box::new(SarifReporter::new(out)),
    }
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

/// `2 files, 3000 records: 2997 valid, 3 invalid; 3 errors, 1 warning`.
pub fn summary_line(summary: &Summary) -> String {
    format!(
        "{}, {}: {} valid, {} invalid; {}, {}",
        plural(summary.files, "file", "files"),
        plural(summary.records, "record", "records"),
        summary.valid,
        summary.invalid,
        plural(summary.errors, "error", "errors"),
        plural(summary.warnings, "warning", "warnings"),
    )
}

#[cfg(test)]
pub(crate) mod fixture {
    //! A fixed set of findings every renderer's snapshot is built from.

    use std::sync::Arc;

    use enquiry_validator::{Code, Finding, Pointer, RecordOutcome, Severity, Summary};

    use super::Reporter;
    use crate::source::TextSource;

    /// The source the findings point into.
    pub const SOURCE: &str = concat!(
        r#"{"_id": "a1", "createdAt": "2022-11-07T08:00:00.000Z", "status": "closed", "closedAt": "2022-11-07T09:00:00.000Z"}"#,
        "\n",
        r#"{"_id": "a2", "createdAt": "2022-02-30T10:00:00Z", "status": "Closed", "ip": "203.0.113.9", "labelIds": ["x"]}"#,
        "\n",
        r#"{"_id": "a3", "status": "missed", "duration": -5}"#,
        "\n",
        r#"{"_id": "a4", "createdAt": "2022-11-07T08:00:00.000Z", "status": "ongoing""#,
        "\n",
    );

    fn finding(
        record: u64,
        line: u64,
        column: u64,
        pointer: &str,
        code: Code,
        severity: Severity,
        message: &str,
    ) -> Finding {
        Finding {
            file: Arc::from("captures/day 1.ndjson"),
            record,
            line,
            column,
            pointer: Pointer::parse(pointer).unwrap(),
            code,
            severity,
            message: message.to_owned(),
            expected: None,
            suggestion: None,
        }
    }

    /// The records: one valid, three with findings, then a file-level syntax error.
    pub fn outcomes() -> (Vec<RecordOutcome>, Vec<Finding>, Summary) {
        let mut date = finding(
            1,
            2,
            28,
            "/createdAt",
            Code::DateTime,
            Severity::Error,
            "createdAt: \"2022-02-30T10:00:00Z\" is not a real calendar date",
        );
        date.expected = Some("an RFC 3339 date-time with a zone".to_owned());
        let mut status = finding(
            1,
            2,
            62,
            "/status",
            Code::Enum,
            Severity::Error,
            "status: \"Closed\" is not one of ongoing, followed-up, missed, closed",
        );
        status.expected = Some("one of: ongoing, followed-up, missed, closed".to_owned());
        status.suggestion = Some("closed".to_owned());
        let mut unknown = finding(
            1,
            2,
            93,
            "/labelIds",
            Code::UnknownField,
            Severity::Warning,
            "member \"labelIds\" is not documented; did you mean `labelIDs`?",
        );
        unknown.suggestion = Some("labelIDs".to_owned());
        let missing = finding(
            2,
            3,
            1,
            "/createdAt",
            Code::Required,
            Severity::Error,
            "createdAt: required member is missing",
        );
        let mut duration = finding(
            2,
            3,
            47,
            "/duration",
            Code::Minimum,
            Severity::Error,
            "duration: -5 is negative, expected >= 0",
        );
        duration.expected = Some(">= 0".to_owned());
        let consistency = finding(
            2,
            3,
            1,
            "/missedAt",
            Code::StatusConsistency,
            Severity::Warning,
            "status is missed but missedAt is missing",
        );
        let syntax = finding(
            3,
            4,
            75,
            "",
            Code::Syntax,
            Severity::Error,
            "unexpected end of line, expected `,` or `}`",
        );
        let outcomes = vec![
            RecordOutcome {
                record: 0,
                line: 1,
                findings: vec![],
            },
            RecordOutcome {
                record: 1,
                line: 2,
                findings: vec![date, status, unknown],
            },
            RecordOutcome {
                record: 2,
                line: 3,
                findings: vec![missing, consistency, duration],
            },
        ];
        let summary = Summary {
            files: 1,
            records: 3,
            valid: 1,
            invalid: 2,
            errors: 5,
            warnings: 2,
        };
        (outcomes, vec![syntax], summary)
    }

    /// Feeds the fixture to a reporter and returns what it wrote.
    pub fn render(make: impl FnOnce(&mut Vec<u8>) -> Box<dyn Reporter + '_>) -> String {
        let (outcomes, inputs, summary) = outcomes();
        let mut out = Vec::new();
        {
            let mut reporter = make(&mut out);
            let mut source = TextSource::new(SOURCE);
            reporter.begin_file("captures/day 1.ndjson").unwrap();
            for outcome in &outcomes {
                reporter.record(outcome, &mut source).unwrap();
            }
            for finding in &inputs {
                reporter.input(finding, &mut source).unwrap();
            }
            reporter
                .end_file("captures/day 1.ndjson", &summary)
                .unwrap();
            reporter.finish(&summary, true).unwrap();
        }
        String::from_utf8(out).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
