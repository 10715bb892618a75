//! Streaming aggregation of findings for the views people read (`summary`, `markdown`,
//! `html`).
//!
//! An [`Aggregate`] sees each finding once and keeps counts and a bounded sample, never the
//! findings themselves: per rule (the rules are a fixed set), per field (the pointer with array
//! indices replaced by `*`, at most [`Limits::fields`] distinct fields), per file (at most
//! [`Limits::files`]), the first [`Limits::first_findings`] findings with their masked excerpts,
//! and per rule the [`Limits::examples`] most frequent masked offending values among the first
//! [`Limits::example_candidates`] distinct ones. Whatever the input size, memory is bounded by
//! these limits; when one is reached the report says so ([`Aggregate::caps_hit`]).
//!
//! Offending values come from the validator's excerpt (its `span`), which is already masked
//! for personal members unless values are shown, so nothing here can unmask a value.

use std::collections::{BTreeMap, HashMap};

use enquiry_validator::{Code, DataProfile, Finding, Severity, Summary};
use serde::{Deserialize, Serialize};

use crate::{ContractCounts, ContractSummary};

/// The bounds of an [`Aggregate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Findings kept, in input order, with their excerpts.
    pub first_findings: usize,
    /// Distinct fields counted; findings of further fields are counted as "other fields".
    pub fields: usize,
    /// Distinct files counted.
    pub files: usize,
    /// Example values shown per rule.
    pub examples: usize,
    /// Distinct values tracked per rule to choose the examples from.
    pub example_candidates: usize,
    /// Characters kept of any input-derived text (field names, messages, excerpts).
    pub text_chars: usize,
    /// Characters kept of an example value.
    pub example_chars: usize,
    /// Distinct drift entries (rule, field, value) counted.
    pub drift: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            first_findings: 500,
            fields: 200,
            files: 200,
            examples: 5,
            example_candidates: 64,
            text_chars: 200,
            example_chars: 60,
            drift: 200,
        }
    }
}

/// A kept finding: what the views show of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptFinding {
    /// The file.
    pub file: String,
    /// 0-based record index.
    pub record: u64,
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
    /// The JSON Pointer.
    pub pointer: String,
    /// The rule.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// The message (masked by the validator).
    pub message: String,
    /// The likely fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// The masked source excerpt, when the finding has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

/// Counts of one rule or field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Findings of severity error.
    pub errors: u64,
    /// Findings of severity warning.
    pub warnings: u64,
}

impl Counts {
    /// Errors and warnings together.
    pub fn total(&self) -> u64 {
        self.errors + self.warnings
    }

    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
    }
}

/// Everything the views show, gathered in one pass with bounded memory.
#[derive(Debug, Clone, Default)]
pub struct Aggregate {
    limits: Limits,
    /// The run's counts, set by [`Aggregate::finish`].
    pub summary: Summary,
    /// Whether the run failed.
    pub failed: bool,
    /// Findings seen.
    pub findings: u64,
    /// Per rule.
    pub by_rule: BTreeMap<Code, Counts>,
    /// Per field (pointer without indices).
    pub by_field: BTreeMap<String, Counts>,
    /// Findings of fields beyond [`Limits::fields`].
    pub other_fields: Counts,
    /// Per file.
    pub by_file: BTreeMap<String, Counts>,
    /// Findings of files beyond [`Limits::files`].
    pub other_files: Counts,
    /// The first findings.
    pub first: Vec<KeptFinding>,
    /// Drift: per (rule, field, masked value) of [`DRIFT_RULES`], the count and the first
    /// location (`file:line:column`).
    pub drift: BTreeMap<(Code, String, String), (u64, String)>,
    /// Drift findings beyond [`Limits::drift`] distinct entries.
    pub other_drift: u64,
    /// The run's data profile, when it collected one: per contract, per day, per field.
    pub profile: Option<DataProfile>,
    /// Read from a saved JSON report (which has a data profile only if saved with one).
    pub saved: bool,
    /// A saved report's `summary.contracts` (absent from reports saved before it existed):
    /// names the contracts when the report has no data profile.
    pub saved_contracts: ContractSummary,
    examples: BTreeMap<Code, HashMap<String, u64>>,
    untracked_examples: BTreeMap<Code, u64>,
}

/// The rules whose findings describe drift of the data from the contract: members nobody
/// documented, values outside the documented sets, nulls, undocumented shapes.
pub const DRIFT_RULES: [Code; 5] = [
    Code::UnknownField,
    Code::Enum,
    Code::UnrecognisedValue,
    Code::NullValue,
    Code::UndocumentedShape,
];

/// Cuts input-derived text to `chars` characters, marking the cut with `…`.
pub fn clip(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The pointer with array indices replaced by `*` (`/transferredParty/3/id` becomes
/// `/transferredParty/*/id`); `(record)` for the record itself.
pub fn field_of(pointer: &str) -> String {
    if pointer.is_empty() {
        return "(record)".to_owned();
    }
    pointer
        .split('/')
        .map(|token| {
            if !token.is_empty() && token.bytes().all(|byte| byte.is_ascii_digit()) {
                "*"
            } else {
                token
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn bump<K: Ord>(
    map: &mut BTreeMap<K, Counts>,
    key: K,
    cap: usize,
    other: &mut Counts,
    s: Severity,
) {
    if let Some(counts) = map.get_mut(&key) {
        counts.add(s);
    } else if map.len() < cap {
        map.entry(key).or_default().add(s);
    } else {
        other.add(s);
    }
}

impl Aggregate {
    /// An empty aggregate with these limits.
    pub fn new(limits: Limits) -> Aggregate {
        Aggregate {
            limits,
            ..Aggregate::default()
        }
    }

    /// The limits.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Counts one finding.
    pub fn add(&mut self, finding: &Finding) {
        let excerpt = finding.excerpt.as_ref();
        let value = excerpt.and_then(|excerpt| excerpt.text.get(excerpt.span.clone()));
        let kept = KeptFinding {
            file: finding.file.to_string(),
            record: finding.record,
            line: finding.line,
            column: finding.column,
            pointer: finding.pointer.as_str().to_owned(),
            code: finding.code,
            severity: finding.severity,
            message: finding.message.clone(),
            suggestion: finding.suggestion.clone(),
            excerpt: excerpt.map(|excerpt| excerpt.text.clone()),
        };
        self.add_kept(kept, value.filter(|value| !value.is_empty()));
    }

    /// Counts one finding as a saved report has it, with its offending value if known.
    pub fn add_kept(&mut self, mut kept: KeptFinding, value: Option<&str>) {
        let chars = self.limits.text_chars;
        let severity = kept.severity;
        self.findings += 1;
        self.by_rule.entry(kept.code).or_default().add(severity);
        let field = clip(&field_of(&kept.pointer), chars);
        bump(
            &mut self.by_field,
            field,
            self.limits.fields,
            &mut self.other_fields,
            severity,
        );
        let file = clip(&kept.file, chars);
        bump(
            &mut self.by_file,
            file,
            self.limits.files,
            &mut self.other_files,
            severity,
        );
        // A missing member's excerpt points at the record's `{`: not a value.
        if let Some(value) = value.filter(|_| kept.code != Code::Required) {
            self.add_example(kept.code, clip(value, self.limits.example_chars));
        }
        if DRIFT_RULES.contains(&kept.code) {
            self.add_drift(&kept, value);
        }
        if self.first.len() < self.limits.first_findings {
            kept.file = clip(&kept.file, chars);
            kept.pointer = clip(&kept.pointer, chars);
            kept.message = clip(&kept.message, chars * 2);
            kept.suggestion = kept.suggestion.map(|text| clip(&text, chars));
            kept.excerpt = kept.excerpt.map(|text| clip(&text, chars));
            self.first.push(kept);
        }
    }

    fn add_drift(&mut self, kept: &KeptFinding, value: Option<&str>) {
        let chars = self.limits.example_chars;
        let key = (
            kept.code,
            clip(&field_of(&kept.pointer), self.limits.text_chars),
            value.map(|value| clip(value, chars)).unwrap_or_default(),
        );
        if let Some((count, _)) = self.drift.get_mut(&key) {
            *count += 1;
        } else if self.drift.len() < self.limits.drift {
            let first = format!(
                "{}:{}:{}",
                clip(&kept.file, self.limits.text_chars),
                kept.line,
                kept.column
            );
            self.drift.insert(key, (1, first));
        } else {
            self.other_drift += 1;
        }
    }

    /// Drift entries by descending count: rule, field, value, count, first location.
    pub fn drift_ranked(&self) -> Vec<(Code, &str, &str, u64, &str)> {
        let mut entries: Vec<(Code, &str, &str, u64, &str)> = self
            .drift
            .iter()
            .map(|((code, field, value), (count, first))| {
                (
                    *code,
                    field.as_str(),
                    value.as_str(),
                    *count,
                    first.as_str(),
                )
            })
            .collect();
        entries.sort_by(|a, b| b.3.cmp(&a.3).then((a.0, a.1, a.2).cmp(&(b.0, b.1, b.2))));
        entries
    }

    fn add_example(&mut self, code: Code, value: String) {
        let values = self.examples.entry(code).or_default();
        if let Some(count) = values.get_mut(&value) {
            *count += 1;
        } else if values.len() < self.limits.example_candidates {
            values.insert(value, 1);
        } else {
            *self.untracked_examples.entry(code).or_default() += 1;
        }
    }

    /// Records per contract, from the data profile, or without one from a saved report's
    /// `summary.contracts`; names clipped (a saved report may hold anything).
    pub fn contracts(&self) -> ContractCounts {
        let mut counts = ContractCounts::default();
        match &self.profile {
            Some(profile) => {
                for contract in &profile.contracts {
                    counts.add(&clip(&contract.contract, 120), contract.totals.records);
                }
            }
            None => {
                for (name, totals) in self.saved_contracts.iter() {
                    counts.add(&clip(name, 120), totals.records);
                }
            }
        }
        counts
    }

    /// Records the run's counts.
    pub fn finish(&mut self, summary: &Summary, failed: bool) {
        self.summary = *summary;
        self.failed = failed;
    }

    /// The most frequent example values of a rule, most frequent first (ties by value).
    pub fn examples(&self, code: Code) -> Vec<(&str, u64)> {
        let mut values: Vec<(&str, u64)> = self
            .examples
            .get(&code)
            .map(|values| values.iter().map(|(k, v)| (k.as_str(), *v)).collect())
            .unwrap_or_default();
        values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        values.truncate(self.limits.examples);
        values
    }

    /// Rules by descending count (ties by rule id).
    pub fn rules_ranked(&self) -> Vec<(Code, Counts)> {
        ranked(self.by_rule.iter().map(|(code, counts)| (*code, *counts)))
    }

    /// Fields by descending count (ties by name).
    pub fn fields_ranked(&self) -> Vec<(&str, Counts)> {
        ranked(self.by_field.iter().map(|(f, c)| (f.as_str(), *c)))
    }

    /// Files by descending count (ties by name).
    pub fn files_ranked(&self) -> Vec<(&str, Counts)> {
        ranked(self.by_file.iter().map(|(f, c)| (f.as_str(), *c)))
    }

    /// The limits that were reached, as sentences for the report.
    pub fn caps_hit(&self) -> Vec<String> {
        let mut caps = Vec::new();
        if self.findings > self.first.len() as u64 {
            caps.push(format!(
                "only the first {} of {} findings are listed",
                self.first.len(),
                self.findings
            ));
        }
        if self.other_fields.total() > 0 {
            caps.push(format!(
                "{} findings in fields beyond the first {} distinct fields are counted as other fields",
                self.other_fields.total(),
                self.limits.fields
            ));
        }
        if self.other_files.total() > 0 {
            caps.push(format!(
                "{} findings in files beyond the first {} files are counted as other files",
                self.other_files.total(),
                self.limits.files
            ));
        }
        if self.other_drift > 0 {
            caps.push(format!(
                "{} drift findings beyond the first {} distinct (rule, field, value) entries are not itemised",
                self.other_drift, self.limits.drift
            ));
        }
        let untracked: u64 = self.untracked_examples.values().sum();
        if untracked > 0 {
            caps.push(format!(
                "example values are chosen among the first {} distinct values per rule ({untracked} later values not tracked)",
                self.limits.example_candidates
            ));
        }
        caps
    }
}

fn ranked<K: Ord>(items: impl Iterator<Item = (K, Counts)>) -> Vec<(K, Counts)> {
    let mut items: Vec<(K, Counts)> = items.collect();
    items.sort_by(|a, b| b.1.total().cmp(&a.1.total()).then(a.0.cmp(&b.0)));
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{FILE, SOURCE};
    use enquiry_validator::{Config, Validator};

    fn aggregate(limits: Limits) -> Aggregate {
        let report = Validator::new(Config::default()).validate_slice(SOURCE.as_bytes(), FILE);
        let mut aggregate = Aggregate::new(limits);
        report
            .findings
            .iter()
            .for_each(|finding| aggregate.add(finding));
        aggregate.finish(&report.summary, !report.is_valid());
        aggregate
    }

    #[test]
    fn counts_per_rule_field_and_drift_with_first_location() {
        let aggregate = aggregate(Limits::default());
        assert_eq!(aggregate.by_rule[&Code::Enum].errors, 1);
        assert_eq!(aggregate.by_field["/status"].total(), 3);
        let drift = aggregate.drift_ranked();
        assert!(
            drift.contains(&(
                Code::Enum,
                "/status",
                "\"Closed\"",
                1,
                "captures/day 1.ndjson:2:62"
            )),
            "{drift:?}"
        );
        assert!(drift
            .iter()
            .any(|entry| entry.0 == Code::UnknownField && entry.1 == "/labelIds"));
        assert!(aggregate.caps_hit().is_empty());
    }

    #[test]
    fn limits_bound_memory_and_are_reported() {
        let limits = Limits {
            first_findings: 2,
            fields: 1,
            files: 1,
            drift: 1,
            ..Limits::default()
        };
        let aggregate = aggregate(limits);
        assert_eq!(
            (
                aggregate.first.len(),
                aggregate.by_field.len(),
                aggregate.drift.len()
            ),
            (2, 1, 1)
        );
        assert_eq!(
            aggregate.other_fields.total()
                + aggregate.by_field.values().map(Counts::total).sum::<u64>(),
            8
        );
        let caps = aggregate.caps_hit().join("\n");
        for expected in [
            "first 2 of 8 findings",
            "beyond the first 1 distinct fields",
            "drift findings beyond",
        ] {
            assert!(caps.contains(expected), "{expected}: {caps}");
        }
    }

    #[test]
    fn fields_drop_array_indices() {
        assert_eq!(
            field_of("/transferredParty/3/route/0"),
            "/transferredParty/*/route/*"
        );
        assert_eq!(field_of(""), "(record)");
        assert_eq!(clip("abcdef", 3), "abc…");
    }
}
