//! Findings, their locations, and per-file summaries.

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::code::{Code, Severity};
use crate::excerpt::Excerpt;

/// An RFC 6901 JSON Pointer, relative to the record (`/locationDetail/city`; `""` is the
/// record itself).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pointer(String);

impl Pointer {
    /// The record itself.
    pub fn root() -> Pointer {
        Pointer(String::new())
    }

    /// This pointer with one more reference token, escaped (`~` as `~0`, `/` as `~1`).
    pub fn child(&self, token: &str) -> Pointer {
        let mut text = String::with_capacity(self.0.len() + 1 + token.len());
        text.push_str(&self.0);
        text.push('/');
        for ch in token.chars() {
            match ch {
                '~' => text.push_str("~0"),
                '/' => text.push_str("~1"),
                other => text.push(other),
            }
        }
        Pointer(text)
    }

    /// This pointer with an array index appended.
    pub fn index(&self, index: usize) -> Pointer {
        Pointer(format!("{}/{index}", self.0))
    }

    /// A pointer from its text, which must be empty or start with `/`, with every `~`
    /// escaping `0` or `1` (RFC 6901).
    pub fn parse(text: &str) -> Option<Pointer> {
        let escapes_valid = text
            .split('~')
            .skip(1)
            .all(|after| after.starts_with(['0', '1']));
        (escapes_valid && (text.is_empty() || text.starts_with('/')))
            .then(|| Pointer(text.to_owned()))
    }

    /// The unescaped reference tokens.
    pub fn tokens(&self) -> impl Iterator<Item = String> + '_ {
        self.0
            .split('/')
            .skip(1)
            .map(|token| token.replace("~1", "/").replace("~0", "~"))
    }

    /// The pointer's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Pointer {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// One defect: what, where and how bad.
///
/// Positions are 1-based and point at the offending value; for a missing member, at the
/// record's opening `{`. Columns count Unicode scalar values (characters), not bytes. In NDJSON
/// the line is the file's line. Values of personal members are masked in `message` unless the
/// validator was configured to show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The file, as the caller named it (`-` for standard input).
    pub file: Arc<str>,
    /// The 0-based index of the record in the file (for a defect of the file itself, the index
    /// the next record would have had).
    pub record: u64,
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
    /// Where in the record (RFC 6901); a missing member at its own pointer (`/createdAt`).
    pub pointer: Pointer,
    /// The rule.
    pub code: Code,
    /// Error or warning, after profile and configuration.
    pub severity: Severity,
    /// One line, naming what was expected.
    pub message: String,
    /// What the rule expected, where it is short enough to state (`one of: ongoing, ...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// A likely fix (`closed`, `labelIDs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// The source around the offending value, made safe to print by the validator (personal
    /// values masked unless shown, controls escaped, a bounded window of one line); `None`
    /// for defects of the input outside any record and for records too large to buffer.
    /// Not part of the JSON report: renderers that show source use it.
    #[serde(skip)]
    pub excerpt: Option<Excerpt>,
    /// The contract of the finding's record (`record`, `event`, ...); written in the JSON
    /// report only when it is not the enquiry record, so record reports read as before.
    #[serde(skip_serializing_if = "is_record")]
    pub contract: &'static str,
}

fn is_record(contract: &&'static str) -> bool {
    *contract == enquiry_schema::contract::RECORD.name
}

impl Finding {
    /// Where in the record (jsonschema-rs calls this the instance path).
    pub fn instance_path(&self) -> &Pointer {
        &self.pointer
    }

    /// The rule.
    pub fn kind(&self) -> Code {
        self.code
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {} [{}] record {} at {:?}: {}",
            self.file,
            self.line,
            self.column,
            self.severity,
            self.code,
            self.record,
            self.pointer.as_str(),
            self.message
        )?;
        if let Some(suggestion) = &self.suggestion {
            write!(f, " (did you mean {suggestion:?}?)")?;
        }
        Ok(())
    }
}

/// Counts over one or more files, as the JSON report's `summary` has them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Files read.
    pub files: u64,
    /// Records seen.
    pub records: u64,
    /// Records with no error.
    pub valid: u64,
    /// Records with at least one error.
    pub invalid: u64,
    /// Findings of severity error (file-level ones included).
    pub errors: u64,
    /// Findings of severity warning.
    pub warnings: u64,
}

impl Summary {
    /// Adds another summary's counts to this one.
    pub fn add(&mut self, other: &Summary) {
        self.files += other.files;
        self.records += other.records;
        self.valid += other.valid;
        self.invalid += other.invalid;
        self.errors += other.errors;
        self.warnings += other.warnings;
    }
}

/// The outcome of one record, as a streaming consumer receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordOutcome {
    /// The record's 0-based index in its file.
    pub record: u64,
    /// The 1-based line of the record's first byte.
    pub line: u64,
    /// The record's findings, in the order of their position in the record.
    pub findings: Vec<Finding>,
    /// The contract the record was checked against (given, or detected from its members);
    /// `None` for a unit in no contract: not JSON, too large to parse, or not an object (as
    /// the data profile counts them). Reports name it, also for records without findings.
    pub contract: Option<&'static str>,
}

impl RecordOutcome {
    /// Whether the record has no error.
    pub fn is_valid(&self) -> bool {
        self.findings
            .iter()
            .all(|finding| finding.severity != Severity::Error)
    }
}

/// Everything found in some input: the summary and every finding, in input order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The counts.
    pub summary: Summary,
    /// Every finding.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether no finding is an error.
    pub fn is_valid(&self) -> bool {
        self.summary.errors == 0
    }

    /// The findings of one rule.
    pub fn with_code(&self, code: Code) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(move |finding| finding.code == code)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.findings {
            writeln!(f, "{finding}")?;
        }
        let Summary {
            files,
            records,
            valid,
            invalid,
            errors,
            warnings,
        } = self.summary;
        write!(
            f,
            "{files} file(s), {records} record(s): {valid} valid, {invalid} invalid; {errors} error(s), {warnings} warning(s)"
        )
    }
}

/// The findings of one record as the rules produce them, of which at most `cap` are kept: those
/// first in the record (smallest offset; at one offset, in the order produced). The others are
/// only counted, so that one record with millions of defects holds a bounded amount of memory;
/// the count becomes one `too-many-findings` finding, so nothing disappears unannounced.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    cap: usize,
    kept: Vec<crate::rules::Pending>,
    /// The first of the findings not kept (where the summary finding points).
    first_omitted: Option<crate::rules::Pending>,
    omitted_errors: u64,
    omitted_warnings: u64,
}

impl Collected {
    /// Empties the collection for the next record, keeping its allocation, to keep at most
    /// `cap` findings (at least one).
    pub(crate) fn reset(&mut self, cap: usize) {
        self.cap = cap.max(1);
        self.kept.clear();
        self.first_omitted = None;
        self.omitted_errors = 0;
        self.omitted_warnings = 0;
    }

    /// Whether nothing was produced.
    pub(crate) fn is_empty(&self) -> bool {
        self.kept.is_empty() && self.first_omitted.is_none()
    }

    /// Adds a finding; past twice the cap, the later half (by position) is counted and dropped,
    /// so the kept list never holds more than `2 * cap` findings.
    pub(crate) fn push(&mut self, pending: crate::rules::Pending) {
        self.kept.push(pending);
        if self.kept.len() >= self.cap.saturating_mul(2) {
            self.trim();
        }
    }

    /// Sorts by position (stable) and drops, counting them, the findings past the cap.
    fn trim(&mut self) {
        self.kept.sort_by_key(|pending| pending.offset);
        if self.kept.len() <= self.cap {
            return;
        }
        let mut dropped = self.kept.drain(self.cap..);
        if let Some(first) = dropped.next() {
            // Every finding kept so far sits at or before the ones dropped now, and the ones
            // dropped earlier sit at or after everything kept then: the first omitted finding
            // is the earlier of the two candidates (ties go to the one produced first).
            let earlier = match &self.first_omitted {
                Some(previous) => previous.offset <= first.offset,
                None => false,
            };
            count(&first, &mut self.omitted_errors, &mut self.omitted_warnings);
            if !earlier {
                self.first_omitted = Some(first);
            }
        }
        for pending in dropped {
            count(
                &pending,
                &mut self.omitted_errors,
                &mut self.omitted_warnings,
            );
        }
    }

    /// The kept findings in position order, and what was left out (if anything); the
    /// collection is left empty.
    pub(crate) fn finish(
        &mut self,
    ) -> (std::vec::Drain<'_, crate::rules::Pending>, Option<Omitted>) {
        self.trim();
        let omitted = self.first_omitted.take().map(|first| Omitted {
            first,
            errors: std::mem::take(&mut self.omitted_errors),
            warnings: std::mem::take(&mut self.omitted_warnings),
            listed: self.kept.len(),
        });
        (self.kept.drain(..), omitted)
    }
}

/// Counts one dropped finding by severity.
fn count(pending: &crate::rules::Pending, errors: &mut u64, warnings: &mut u64) {
    match pending.severity {
        Severity::Error => *errors += 1,
        Severity::Warning => *warnings += 1,
    }
}

/// The findings of a record that were counted but not kept.
#[derive(Debug)]
pub(crate) struct Omitted {
    /// The first of them, by position.
    pub first: crate::rules::Pending,
    /// How many are errors.
    pub errors: u64,
    /// How many are warnings.
    pub warnings: u64,
    /// How many findings of the record are listed.
    pub listed: usize,
}

impl Omitted {
    /// The summary finding's severity: that of the most severe finding it stands for, so that
    /// a record's validity and the exit code do not depend on which findings are listed.
    pub(crate) fn severity(&self) -> Severity {
        if self.errors > 0 {
            Severity::Error
        } else {
            Severity::Warning
        }
    }

    /// The summary finding's message, with the exact counts.
    pub(crate) fn message(&self) -> String {
        let total = self.errors + self.warnings;
        format!(
            "{total} more finding(s) in this record are not listed ({} error(s), {} warning(s)), from here on; only the first {} are kept (--max-findings-per-record)",
            self.errors, self.warnings, self.listed
        )
    }
}
