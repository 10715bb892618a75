//! Baselines: a saved `--format json` report whose findings are accepted. A finding of the
//! current run that the baseline also has (same file, JSON Pointer, rule and message) is
//! [`BaselineState::Unchanged`]; each baseline finding matches at most one current finding, so
//! a second identical defect is new. Record indices are not compared, so that records
//! inserted before a known defect do not make it new.

use std::collections::HashMap;
use std::io::Read;

use enquiry_validator::{Code, Finding};
use serde::Deserialize;

use crate::aggregate::KeptFinding;

/// Whether a finding was already in the baseline (SARIF's `baselineState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselineState {
    /// Not in the baseline.
    New,
    /// In the baseline.
    Unchanged,
}

impl BaselineState {
    /// SARIF's spelling: `new` or `unchanged`.
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        }
    }
}

type Key = (String, String, Code, String);

/// The accepted findings, counted by what identifies them.
#[derive(Debug, Default)]
pub struct Baseline {
    known: HashMap<Key, u64>,
}

#[derive(Deserialize)]
struct SavedFindings {
    findings: Vec<KeptFinding>,
}

impl Baseline {
    /// Reads a saved JSON report.
    pub fn read(reader: impl Read) -> Result<Baseline, String> {
        let saved: SavedFindings = serde_json::from_reader(std::io::BufReader::new(reader))
            .map_err(|err| format!("not an enquiry JSON report: {err}"))?;
        let mut baseline = Baseline::default();
        for finding in saved.findings {
            let key = (finding.file, finding.pointer, finding.code, finding.message);
            *baseline.known.entry(key).or_default() += 1;
        }
        Ok(baseline)
    }

    /// Classifies a finding of the current run, using up the baseline finding it matches.
    pub fn classify(&mut self, finding: &Finding) -> BaselineState {
        let key = (
            finding.file.to_string(),
            finding.pointer.as_str().to_owned(),
            finding.code,
            finding.message.clone(),
        );
        match self.known.get_mut(&key) {
            Some(count) if *count > 0 => {
                *count -= 1;
                BaselineState::Unchanged
            }
            _ => BaselineState::New,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{render, FILE, SOURCE};
    use crate::JsonReporter;
    use enquiry_validator::{Config, Validator};

    #[test]
    fn findings_of_the_baseline_are_unchanged_once_each() {
        let json = render(|out| Box::new(JsonReporter::new(Box::new(out))));
        let mut baseline = Baseline::read(json.as_bytes()).unwrap();
        let report = Validator::new(Config::default()).validate_slice(SOURCE.as_bytes(), FILE);
        for finding in &report.findings {
            assert_eq!(
                baseline.classify(finding),
                BaselineState::Unchanged,
                "{finding}"
            );
        }
        assert_eq!(baseline.classify(&report.findings[0]), BaselineState::New);
        let other =
            Validator::new(Config::default()).validate_slice(SOURCE.as_bytes(), "other.ndjson");
        assert_eq!(baseline.classify(&other.findings[0]), BaselineState::New);
        assert!(Baseline::read(&b"[]"[..])
            .unwrap_err()
            .starts_with("not an enquiry JSON report"));
    }
}
