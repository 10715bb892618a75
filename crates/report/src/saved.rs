//! Reading a saved `--format json` report back into an [`Aggregate`], so that CI can
//! validate once and render the summary, Markdown and HTML views from the file.
//!
//! The findings array is read one element at a time (a serde sequence visitor feeding the
//! aggregate), so a report of millions of findings is read in bounded memory, like the
//! validation that wrote it. Saved findings have no excerpts: the views made from them show
//! none, and no example values.

use std::fmt;
use std::io::Read;

use enquiry_validator::Summary;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::aggregate::{Aggregate, KeptFinding, Limits};
use crate::report_schema::JSON_REPORT_VERSION;
use crate::ContractSummary;

/// The `summary` object of a saved report.
#[derive(Deserialize)]
struct SavedSummary {
    files: u64,
    records: u64,
    valid: u64,
    invalid: u64,
    errors: u64,
    warnings: u64,
    /// Absent from reports saved before it was added.
    #[serde(default)]
    contracts: ContractSummary,
}

struct Document<'a>(&'a mut Aggregate);
struct Findings<'a>(&'a mut Aggregate);

impl<'de> Visitor<'de> for Findings<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of findings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(finding) = seq.next_element::<KeptFinding>()? {
            self.0.add_kept(finding, None);
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Findings<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = Option<Summary>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an enquiry JSON report: {\"findings\": [...], \"summary\": {...}}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<Summary>, A::Error> {
        let mut summary = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "findings" => map.next_value_seed(Findings(self.0))?,
                "version" => {
                    let version: u64 = map.next_value()?;
                    if version > JSON_REPORT_VERSION {
                        return Err(serde::de::Error::custom(format!(
                            "report version {version} is newer than this enquiry reads ({JSON_REPORT_VERSION})"
                        )));
                    }
                }
                "dataProfile" => self.0.profile = Some(map.next_value()?),
                "summary" => {
                    let saved: SavedSummary = map.next_value()?;
                    self.0.saved_contracts = saved.contracts;
                    summary = Some(Summary {
                        files: saved.files,
                        records: saved.records,
                        valid: saved.valid,
                        invalid: saved.invalid,
                        errors: saved.errors,
                        warnings: saved.warnings,
                    });
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(summary)
    }
}

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = Option<Summary>;

    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Option<Summary>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

/// Reads a saved JSON report. The run counts as failed when it had errors.
pub fn read_json_report(reader: impl Read) -> Result<Aggregate, String> {
    let mut aggregate = Aggregate::new(Limits::default());
    let mut deserializer = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    let summary = Document(&mut aggregate)
        .deserialize(&mut deserializer)
        .map_err(|err| format!("not an enquiry JSON report: {err}"))?;
    deserializer
        .end()
        .map_err(|err| format!("not an enquiry JSON report: {err}"))?;
    let summary = summary.ok_or("not an enquiry JSON report: no `summary`")?;
    aggregate.saved = true;
    aggregate.finish(&summary, summary.errors > 0);
    Ok(aggregate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{render, render_with_profile};
    use crate::JsonReporter;

    #[test]
    fn a_saved_report_aggregates_like_the_run() {
        let json = render(|out| Box::new(JsonReporter::new(Box::new(out))));
        let saved = read_json_report(json.as_bytes()).unwrap();
        assert_eq!(saved.summary.errors, 6);
        assert_eq!(saved.findings, 8);
        assert!(saved.failed);
        assert_eq!(saved.by_field["/status"].total(), 3);
        assert_eq!(saved.first[1].suggestion.as_deref(), Some("closed"));
        assert!(saved.first.iter().all(|finding| finding.excerpt.is_none()));
    }

    #[test]
    fn a_saved_data_profile_matches_the_schema_and_reads_back() {
        let json = render_with_profile(|out| Box::new(JsonReporter::new(Box::new(out))));
        let document: serde_json::Value = serde_json::from_str(&json).unwrap();
        let schema = jsonschema::validator_for(&crate::json_report_schema()).unwrap();
        let errors: Vec<String> = schema
            .iter_errors(&document)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let contract = &document["dataProfile"]["contracts"][0];
        assert_eq!(contract["contract"], "record");
        // Four lines: three objects, one broken line in no contract.
        assert_eq!(contract["records"], 3);
        assert_eq!(contract["days"][0]["day"], "2022-11-07");
        assert_eq!(contract["invalidDate"]["records"], 1);
        assert_eq!(contract["missingDate"]["records"], 1);
        let saved = read_json_report(json.as_bytes()).unwrap();
        let profile = saved.profile.expect("the profile is read back");
        assert_eq!(
            serde_json::to_value(&profile).unwrap(),
            document["dataProfile"]
        );
        let without =
            read_json_report(render(|out| Box::new(JsonReporter::new(Box::new(out)))).as_bytes())
                .unwrap();
        assert!(without.profile.is_none());
        let mut page = Vec::new();
        let options = crate::ViewOptions::default();
        crate::render_aggregate(crate::Format::Html, &without, &options, &mut page)
            .unwrap()
            .unwrap();
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains("id=\"no-profile\""), "{page}");
        assert!(page.contains("--data-profile"));
    }

    #[test]
    fn saved_reports_name_their_contracts_with_or_without_the_summary_member() {
        let json = render(|out| Box::new(JsonReporter::new(Box::new(out))));
        let mut document: serde_json::Value = serde_json::from_str(&json).unwrap();
        document["summary"]["contracts"] = serde_json::json!({
            "event": {"records": 4, "valid": 4, "invalid": 0, "errors": 0, "warnings": 0}
        });
        let saved = read_json_report(document.to_string().as_bytes()).unwrap();
        assert_eq!(saved.contracts().label(4).as_deref(), Some("event"));
        let mut text = Vec::new();
        let options = crate::ViewOptions::default();
        crate::render_aggregate(crate::Format::Summary, &saved, &options, &mut text)
            .unwrap()
            .unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("records (event)"), "{text}");
        // A report saved before `summary.contracts` existed still renders, naming none.
        document["summary"]
            .as_object_mut()
            .unwrap()
            .remove("contracts");
        let older = read_json_report(document.to_string().as_bytes()).unwrap();
        assert_eq!(older.summary.errors, 6);
        assert!(older.saved_contracts.is_empty());
        assert_eq!(older.contracts().label(4), None);
        let mut text = Vec::new();
        crate::render_aggregate(crate::Format::Markdown, &older, &options, &mut text)
            .unwrap()
            .unwrap();
        assert!(String::from_utf8(text).unwrap().contains("6 errors"));
    }

    #[test]
    fn other_documents_are_clear_errors() {
        for text in [
            "",
            "[]",
            "{\"findings\": []}",
            "{\"findings\": [1], \"summary\": {}}",
            "{} x",
        ] {
            let err = read_json_report(text.as_bytes()).unwrap_err();
            assert!(
                err.starts_with("not an enquiry JSON report"),
                "{text}: {err}"
            );
        }
    }
}
