//! `--format json`: one document, `{"version": 1, "findings": [...], "summary": {...}}`,
//! described by [`json_report_schema`](crate::json_report_schema).
//!
//! Findings are written as they arrive, one a line, and the summary after them, so that memory
//! stays constant however many findings there are. The key names (`summary`: `files`,
//! `records`, `valid`, `invalid`, `errors`, `warnings`; each finding: `file`, `record`, `line`,
//! `column`, `pointer`, `code`, `severity`, `message`, and `expected`/`suggestion` when there is
//! one) are a public interface. `summary.contracts` counts each contract's records (see
//! [`ContractSummary`]), so that a report names its contracts even without findings.
//!
//! When the run collected a data profile (see [`Reporter::data_profile`]), it follows the
//! summary as `dataProfile`: per contract its counts, per day of its date member and per
//! documented field, so that `enquiry report` can show them from the saved file.

use std::io::{self, Write};

use enquiry_validator::{DataProfile, Finding, RecordOutcome, Summary};

use super::Reporter;
use crate::report_schema::JSON_REPORT_VERSION;
use crate::{ContractSummary, JsonSummary};

/// The JSON renderer.
pub struct JsonReporter<'w> {
    out: Box<dyn Write + 'w>,
    started: bool,
    first: bool,
    profile: Option<DataProfile>,
    contracts: ContractSummary,
}

impl<'w> JsonReporter<'w> {
    /// A renderer writing to `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> JsonReporter<'w> {
        JsonReporter {
            out,
            started: false,
            first: true,
            profile: None,
            contracts: ContractSummary::default(),
        }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            write!(
                self.out,
                "{{\n  \"version\": {JSON_REPORT_VERSION},\n  \"findings\": ["
            )?;
        }
        Ok(())
    }

    fn write_finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.start()?;
        self.out
            .write_all(if self.first { b"\n    " } else { b",\n    " })?;
        self.first = false;
        serde_json::to_writer(&mut self.out, finding).map_err(io::Error::other)
    }
}

impl Reporter for JsonReporter<'_> {
    fn begin_file(&mut self, _file: &str) -> io::Result<()> {
        self.start()
    }

    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.write_finding(finding)
    }

    fn record(&mut self, outcome: &RecordOutcome) -> io::Result<()> {
        self.contracts.count(outcome);
        outcome
            .findings
            .iter()
            .try_for_each(|finding| self.write_finding(finding))
    }

    fn data_profile(&mut self, profile: &DataProfile) {
        self.profile = Some(profile.clone());
    }

    fn finish(&mut self, summary: &Summary, _failed: bool) -> io::Result<()> {
        self.start()?;
        self.out.write_all(if self.first {
            b"],\n  \"summary\": "
        } else {
            b"\n  ],\n  \"summary\": "
        })?;
        let summary = JsonSummary {
            counts: summary,
            contracts: &self.contracts,
        };
        serde_json::to_writer(&mut self.out, &summary).map_err(io::Error::other)?;
        if let Some(profile) = &self.profile {
            self.out.write_all(b",\n  \"dataProfile\": ")?;
            serde_json::to_writer(&mut self.out, profile).map_err(io::Error::other)?;
        }
        self.out.write_all(b"\n}\n")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::render;
    use crate::json_report_schema;

    #[test]
    fn json_report() {
        let text = render(|out| Box::new(JsonReporter::new(Box::new(out))));
        insta::assert_snapshot!(text);
        let document: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(document["summary"]["errors"], 6);
        assert_eq!(document["summary"]["valid"], 1);
        // The broken line is in no contract: the record contract has the three others.
        assert_eq!(
            document["summary"]["contracts"],
            serde_json::json!({"record": {"records": 3, "valid": 1, "invalid": 2, "errors": 5, "warnings": 2}})
        );
        let findings = document["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 8);
        assert_eq!(findings[1]["suggestion"], "closed");
        assert_eq!(findings[1]["pointer"], "/status");
        assert!(findings[2].get("expected").is_none());
        assert_eq!(document["version"], JSON_REPORT_VERSION);
        let schema = jsonschema::validator_for(&json_report_schema()).unwrap();
        let errors: Vec<String> = schema
            .iter_errors(&document)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let mut broken = document.clone();
        broken["findings"][0]["code"] = "no-such-rule".into();
        assert!(!schema.is_valid(&broken));
        let mut foreign = document.clone();
        foreign["summary"]["contracts"]["no-such-contract"] =
            document["summary"]["contracts"]["record"].clone();
        assert!(!schema.is_valid(&foreign));
        // A report written before `summary.contracts` existed is still a version 1 report.
        let mut older = document.clone();
        older["summary"]
            .as_object_mut()
            .unwrap()
            .remove("contracts");
        assert!(schema.is_valid(&older));
    }

    #[test]
    fn a_clean_report_names_its_contract() {
        let events = concat!(
            r#"{"eid":"e","date":"2022-11-07T00:00:00Z","type":"inquiry","status":"Opened","serviceId":"s","displayCaseNumber":"1"}"#,
            "\n",
            r#"{"eid":"e","date":"2022-11-07T01:00:00Z","type":"inquiry","status":"Closed","serviceId":"s","displayCaseNumber":"1"}"#,
            "\n"
        );
        let mut out = Vec::new();
        {
            let mut reporter = JsonReporter::new(Box::new(&mut out));
            let validator = enquiry_validator::Validator::new(enquiry_validator::Config {
                contract: None,
                ..enquiry_validator::Config::default()
            });
            let summary = validator
                .validate_stream(events.as_bytes(), "events.ndjson", 1, &mut |event| {
                    if let enquiry_validator::Event::Record(outcome) = event {
                        reporter.record(&outcome).unwrap();
                    }
                })
                .unwrap();
            reporter.finish(&summary, false).unwrap();
        }
        let document: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(document["findings"], serde_json::json!([]));
        assert_eq!(
            document["summary"]["contracts"],
            serde_json::json!({"event": {"records": 2, "valid": 2, "invalid": 0, "errors": 0, "warnings": 0}})
        );
        let schema = jsonschema::validator_for(&json_report_schema()).unwrap();
        assert!(schema.is_valid(&document));
    }

    #[test]
    fn json_report_without_findings_is_valid_json() {
        let mut out = Vec::new();
        {
            let mut reporter = JsonReporter::new(Box::new(&mut out));
            reporter.finish(&Summary::default(), false).unwrap();
        }
        let document: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(document["findings"], serde_json::json!([]));
        assert_eq!(document["summary"]["files"], 0);
        assert_eq!(document["summary"]["contracts"], serde_json::json!({}));
    }
}
