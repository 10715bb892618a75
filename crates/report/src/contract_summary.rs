//! Per-contract counts of a run: the JSON report's `summary.contracts`, so that a report names
//! the contracts it checked even when none of their records has a finding (findings name
//! their contract, a clean run has no finding to do it).
//!
//! Counted from the records' outcomes, as the validator counts the run's summary from them:
//! for each contract its records, valid and invalid records, errors and warnings. Units in no
//! contract (a line that is not JSON, a record too large to parse) and defects of the input
//! outside any record are in the run's summary only, so the contracts' counts add up to at
//! most the summary's.
//!
//! [`JsonReport`] is a whole JSON report held in memory, for callers that validate a slice and
//! want the document `enquiry validate --format json` writes (the fixtures' `.expected` files,
//! the Python module's `Report.to_json()`).

use std::fmt;

use enquiry_validator::{Event, Finding, RecordOutcome, Severity, Summary, Validator};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::report_schema::JSON_REPORT_VERSION;
use crate::ContractCounts;

/// The most contract names kept when reading a saved report (the project has five).
const MAX_READ: usize = 64;

/// The counts of one contract's records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractTotals {
    /// Records checked against the contract.
    pub records: u64,
    /// Those with no error.
    pub valid: u64,
    /// Those with at least one error.
    pub invalid: u64,
    /// Their findings of severity error.
    pub errors: u64,
    /// Their findings of severity warning.
    pub warnings: u64,
}

impl ContractTotals {
    fn add(&mut self, other: &ContractTotals) {
        self.records += other.records;
        self.valid += other.valid;
        self.invalid += other.invalid;
        self.errors += other.errors;
        self.warnings += other.warnings;
    }
}

/// [`ContractTotals`] by contract name, sorted by name; serialised as a JSON object keyed by
/// the name (`{"event": {"records": 3, ...}}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractSummary(Vec<(String, ContractTotals)>);

impl ContractSummary {
    /// Counts the record of `outcome`, when it is in a contract.
    pub fn count(&mut self, outcome: &RecordOutcome) {
        let Some(contract) = outcome.contract else {
            return;
        };
        let errors = outcome
            .findings
            .iter()
            .filter(|finding| finding.severity == Severity::Error)
            .count() as u64;
        let valid = u64::from(errors == 0);
        self.add(
            contract,
            &ContractTotals {
                records: 1,
                valid,
                invalid: 1 - valid,
                errors,
                warnings: outcome.findings.len() as u64 - errors,
            },
        );
    }

    /// Adds `totals` to those of `contract`.
    pub fn add(&mut self, contract: &str, totals: &ContractTotals) {
        // One or two contracts in practice: a scan beats a map's allocation per lookup.
        match self.0.iter_mut().find(|(name, _)| name == contract) {
            Some((_, own)) => own.add(totals),
            None => {
                self.0.push((contract.to_owned(), *totals));
                self.0.sort_by(|a, b| a.0.cmp(&b.0));
            }
        }
    }

    /// The totals of `contract`, if it had records.
    pub fn get(&self, contract: &str) -> Option<&ContractTotals> {
        self.0
            .iter()
            .find(|(name, _)| name == contract)
            .map(|(_, totals)| totals)
    }

    /// The contracts, by name, with their totals.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContractTotals)> {
        self.0.iter().map(|(name, totals)| (name.as_str(), totals))
    }

    /// Whether no record in a contract was counted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The records of each contract, as the summary lines name them.
    pub fn counts(&self) -> ContractCounts {
        ContractCounts::from(self.clone())
    }
}

impl Serialize for ContractSummary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, totals) in &self.0 {
            map.serialize_entry(name, totals)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for ContractSummary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ContractSummary, D::Error> {
        struct Entries;

        impl<'de> Visitor<'de> for Entries {
            type Value = ContractSummary;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of counts by contract name")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ContractSummary, A::Error> {
                let mut summary = ContractSummary::default();
                while let Some((name, totals)) = map.next_entry::<String, ContractTotals>()? {
                    // A saved report is input: past a bound, further names are not kept, so
                    // a hostile one cannot make reading it quadratic.
                    if summary.0.len() < MAX_READ || summary.get(&name).is_some() {
                        summary.add(&name, &totals);
                    }
                }
                Ok(summary)
            }
        }

        deserializer.deserialize_map(Entries)
    }
}

/// The JSON report's `summary`: the run's counts and, as `contracts`, each contract's.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct JsonSummary<'a> {
    /// The run's counts.
    #[serde(flatten)]
    pub counts: &'a Summary,
    /// Each contract's counts.
    pub contracts: &'a ContractSummary,
}

/// A JSON report held in memory: what `enquiry validate --format json` writes for one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonReport {
    /// The run's counts.
    pub summary: Summary,
    /// Each contract's counts.
    pub contracts: ContractSummary,
    /// Every finding, in input order.
    pub findings: Vec<Finding>,
}

impl JsonReport {
    /// Adds an event's findings and counts its record; the run's counts are the validator's
    /// (set [`JsonReport::summary`] from what it returns).
    pub fn add(&mut self, event: Event) {
        match event {
            Event::Record(outcome) => {
                self.contracts.count(&outcome);
                self.findings.extend(outcome.findings);
            }
            Event::Input(finding) => self.findings.push(*finding),
        }
    }

    /// The report of `validator` on `bytes`, named `file` (one thread; reading from a slice
    /// cannot fail: corrupt gzip is a finding).
    pub fn of_slice(validator: &Validator, bytes: &[u8], file: &str) -> JsonReport {
        let mut report = JsonReport::default();
        let summary = validator
            .validate_stream(bytes, file, 1, &mut |event| report.add(event))
            .unwrap_or_default();
        report.summary = summary;
        report
    }

    /// The summary as the report writes it.
    pub fn json_summary(&self) -> JsonSummary<'_> {
        JsonSummary {
            counts: &self.summary,
            contracts: &self.contracts,
        }
    }

    /// The whole document: `{"version", "findings", "summary"}`.
    pub fn to_value(&self) -> serde_json::Value {
        // Findings and summaries hold only strings and integers: serialising cannot fail.
        serde_json::json!({
            "version": JSON_REPORT_VERSION,
            "findings": self.findings,
            "summary": self.json_summary(),
        })
    }
}

#[cfg(test)]
mod tests {
    use enquiry_validator::Config;

    use super::*;
    use crate::fixture::{FILE, SOURCE};

    #[test]
    fn contracts_count_their_records_and_add_up_to_at_most_the_summary() {
        let events = concat!(
            r#"{"eid":"e","date":"2022-11-07T00:00:00Z","type":"inquiry","status":"Opened","serviceId":"s","displayCaseNumber":"1"}"#,
            "\n",
            r#"{"eid":"","date":"2022-11-07T00:00:00Z","type":"inquiry","status":"Opened","serviceId":"s","displayCaseNumber":"1","extra":1}"#,
            "\n"
        );
        let input = format!("{SOURCE}{events}");
        // Each record's contract detected from its members, as `--contract auto` does.
        let validator = Validator::new(Config {
            contract: None,
            ..Config::default()
        });
        let report = JsonReport::of_slice(&validator, input.as_bytes(), FILE);
        let record = report.contracts.get("record").unwrap();
        let event = report.contracts.get("event").unwrap();
        // The fixture: one valid record, two invalid ones, one line that is not JSON (in no
        // contract); its findings are 6 errors and 2 warnings, the syntax error among them.
        assert_eq!(
            *record,
            ContractTotals {
                records: 3,
                valid: 1,
                invalid: 2,
                errors: 5,
                warnings: 2,
            }
        );
        assert_eq!(
            *event,
            ContractTotals {
                records: 2,
                valid: 1,
                invalid: 1,
                errors: 1,
                warnings: 1,
            }
        );
        let summed =
            report
                .contracts
                .iter()
                .fold(ContractTotals::default(), |mut sum, (_, totals)| {
                    sum.add(totals);
                    sum
                });
        assert_eq!(report.summary.records, summed.records + 1);
        assert_eq!(report.summary.errors, summed.errors + 1);
        assert_eq!(report.summary.warnings, summed.warnings);
        let value = report.to_value();
        assert_eq!(value["summary"]["records"], 6);
        assert_eq!(value["summary"]["contracts"]["event"]["invalid"], 1);
        let names: Vec<&String> = value["summary"]["contracts"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(names, ["event", "record"]);
    }

    #[test]
    fn a_contract_summary_reads_back_what_it_wrote() {
        let mut summary = ContractSummary::default();
        let totals = ContractTotals {
            records: 4,
            valid: 3,
            invalid: 1,
            errors: 2,
            warnings: 5,
        };
        summary.add("event", &totals);
        summary.add("challenge-request", &totals);
        summary.add("event", &totals);
        let text = serde_json::to_string(&summary).unwrap();
        assert!(
            text.starts_with(r#"{"challenge-request":{"records":4,"#),
            "{text}"
        );
        let back: ContractSummary = serde_json::from_str(&text).unwrap();
        assert_eq!(back, summary);
        assert_eq!(back.get("event").unwrap().records, 8);
        assert_eq!(
            back.counts().label(12).as_deref(),
            Some("4 challenge-request, 8 event")
        );
        assert!(serde_json::from_str::<ContractSummary>(r#"{"event": {"records": -1}}"#).is_err());
    }
}
