//! `--format sarif`: SARIF 2.1.0, via `serde-sarif`, for code-scanning dashboards, streamed.
//!
//! One run; the tool driver `enquiry` lists every rule of [`Code::ALL`] as a
//! `reportingDescriptor` (id, short description, full description = rationale, help with an
//! example, default level), so that viewers can explain a result without this tool. Each
//! finding is a result with its rule, level, message, a physical location (file, line, column;
//! columns count Unicode code points) and a logical location naming the record and JSON
//! Pointer, repeated in the result's `properties` (`record`, `pointer`).
//!
//! The log is written as the findings arrive: the tool and the run's header first, then each
//! result as soon as it is known, and the `invocations` (inputs that could not be read) and the
//! run's `properties` after the results (JSON objects are unordered). Memory does not grow with
//! the number of results. The run's properties hold `contracts`, each contract's counts as the
//! JSON report's `summary.contracts`, so a log names its contracts even without results.
//!
//! [`SarifLog`] is that streamed document without the validator's findings in it: `enquiry
//! reconcile` writes its own rules and results through it, so the workspace has one SARIF
//! writer.

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, Write};

use enquiry_validator::{Code, Finding, Level, Severity, Summary};
use serde_json::json;
use serde_sarif::sarif;

use super::{message_with_suggestion, BaselineState, ContractSummary, Reporter};
use enquiry_validator::RecordOutcome;

/// The most tool execution notifications kept; later unreadable inputs are counted in one
/// last notification.
const MAX_NOTIFICATIONS: usize = 1000;

/// Where the streamed document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Nothing written yet.
    Start,
    /// Inside `results`, with this many written.
    Results(u64),
    /// The document is complete.
    Done,
}

/// One rule of a tool, as SARIF's `reportingDescriptor` states it.
#[derive(Debug, Clone)]
pub struct SarifRule<'a> {
    /// The stable id results refer to.
    pub id: &'a str,
    /// One line: what the rule requires.
    pub summary: &'a str,
    /// Why the rule exists.
    pub rationale: &'a str,
    /// The help text.
    pub help: String,
    /// Whether the rule is on by default.
    pub enabled: bool,
    /// The default level (`error`, `warning`).
    pub level: &'a str,
    /// Extra properties, if any.
    pub properties: Option<BTreeMap<String, serde_json::Value>>,
}

impl SarifRule<'_> {
    fn descriptor(self) -> sarif::ReportingDescriptor {
        let text = |text: String| {
            sarif::MultiformatMessageString::builder()
                .text(text)
                .build()
        };
        let descriptor = sarif::ReportingDescriptor::builder()
            .id(self.id)
            .name(self.id)
            .short_description(text(self.summary.to_owned()))
            .full_description(text(self.rationale.to_owned()))
            .help(text(self.help))
            .default_configuration(
                sarif::ReportingConfiguration::builder()
                    .enabled(self.enabled)
                    .level(json!(self.level))
                    .build(),
            );
        match self.properties {
            Some(properties) => descriptor
                .properties(
                    sarif::PropertyBag::builder()
                        .additional_properties(properties)
                        .build(),
                )
                .build(),
            None => descriptor.build(),
        }
    }
}

/// A SARIF 2.1.0 log of one run, streamed: [`start`](SarifLog::start) writes the tool and
/// opens `results`, [`result`](SarifLog::result) writes one result as it comes,
/// [`finish`](SarifLog::finish) closes `results`, adds the invocations and flushes. Memory
/// does not grow with the number of results.
pub struct SarifLog<'w> {
    out: Box<dyn Write + 'w>,
    stage: Stage,
}

impl<'w> SarifLog<'w> {
    /// A log writing to `out`; nothing is written before [`start`](SarifLog::start).
    pub fn new(out: Box<dyn Write + 'w>) -> SarifLog<'w> {
        SarifLog {
            out,
            stage: Stage::Start,
        }
    }

    /// Whether the header is written.
    pub fn started(&self) -> bool {
        self.stage != Stage::Start
    }

    /// Writes the log's header once: the tool `name` with its `rules`, and the run's
    /// `columnKind` when its results have columns (counted in Unicode code points).
    pub fn start(
        &mut self,
        name: &str,
        rules: Vec<SarifRule<'_>>,
        columns: bool,
    ) -> io::Result<()> {
        if self.started() {
            return Ok(());
        }
        let driver = sarif::ToolComponent::builder()
            .name(name)
            .version(env!("CARGO_PKG_VERSION"))
            .semantic_version(env!("CARGO_PKG_VERSION"))
            .information_uri(env!("CARGO_PKG_REPOSITORY"))
            .rules(
                rules
                    .into_iter()
                    .map(SarifRule::descriptor)
                    .collect::<Vec<_>>(),
            )
            .build();
        let tool = indented(&sarif::Tool::from(driver), 6)?;
        let column_kind = if columns {
            ",\n      \"columnKind\": \"unicodeCodePoints\""
        } else {
            ""
        };
        write!(
            self.out,
            "{{\n  \"$schema\": {},\n  \"version\": \"2.1.0\",\n  \"runs\": [\n    {{\n      \"tool\": {tool}{column_kind},\n      \"results\": [",
            json!(sarif::SCHEMA_URL)
        )?;
        self.stage = Stage::Results(0);
        Ok(())
    }

    /// Writes one result (a SARIF `result` object); the header must be written.
    pub fn result(&mut self, result: &impl serde::Serialize) -> io::Result<()> {
        let Stage::Results(written) = self.stage else {
            return Err(io::Error::other("a SARIF result outside the results"));
        };
        let text = indented(result, 8)?;
        let separator = if written == 0 { "\n" } else { ",\n" };
        write!(self.out, "{separator}        {text}")?;
        self.stage = Stage::Results(written + 1);
        Ok(())
    }

    /// Closes `results`, writes `invocations` (a SARIF array) when given, ends the document
    /// and flushes; once.
    pub fn finish(&mut self, invocations: Option<serde_json::Value>) -> io::Result<()> {
        self.finish_run(invocations, None)
    }

    /// [`finish`](SarifLog::finish), also writing the run's `properties` (a SARIF property
    /// bag) when given.
    pub fn finish_run(
        &mut self,
        invocations: Option<serde_json::Value>,
        properties: Option<serde_json::Value>,
    ) -> io::Result<()> {
        let closing = match self.stage {
            Stage::Done => return Ok(()),
            Stage::Start => return Err(io::Error::other("a SARIF log finished before its start")),
            Stage::Results(0) => "]",
            Stage::Results(_) => "\n      ]",
        };
        self.out.write_all(closing.as_bytes())?;
        if let Some(invocations) = invocations {
            write!(
                self.out,
                ",\n      \"invocations\": {}",
                indented(&invocations, 6)?
            )?;
        }
        if let Some(properties) = properties {
            write!(
                self.out,
                ",\n      \"properties\": {}",
                indented(&properties, 6)?
            )?;
        }
        self.out.write_all(b"\n    }\n  ]\n}\n")?;
        self.stage = Stage::Done;
        self.out.flush()
    }
}

/// The SARIF renderer (streams each result).
pub struct SarifReporter<'w> {
    log: SarifLog<'w>,
    /// Baseline states announced for the findings still to come.
    pending: VecDeque<BaselineState>,
    /// Tool execution notifications: inputs that could not be read.
    notifications: Vec<serde_json::Value>,
    /// Unreadable inputs beyond [`MAX_NOTIFICATIONS`].
    more_unreadable: u64,
    /// Each contract's counts, for the run's properties.
    contracts: ContractSummary,
}

impl<'w> SarifReporter<'w> {
    /// A renderer writing to `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> SarifReporter<'w> {
        SarifReporter {
            log: SarifLog::new(out),
            pending: VecDeque::new(),
            notifications: Vec::new(),
            more_unreadable: 0,
            contracts: ContractSummary::default(),
        }
    }

    /// Writes the log's header, up to the opening of `results`, once.
    fn start(&mut self) -> io::Result<()> {
        self.log.start("enquiry", rules(), true)
    }

    fn write_result(&mut self, finding: &Finding) -> io::Result<()> {
        self.start()?;
        let result = self.result(finding);
        self.log.result(&result)
    }

    fn result(&mut self, finding: &Finding) -> sarif::Result {
        let rule_index = Code::ALL
            .iter()
            .position(|code| *code == finding.code)
            .unwrap_or_default();
        let text = message_with_suggestion(finding);
        let region = sarif::Region::builder()
            .start_line(to_i64(finding.line))
            .start_column(to_i64(finding.column))
            .build();
        let physical = sarif::PhysicalLocation::builder()
            .artifact_location(
                sarif::ArtifactLocation::builder()
                    .uri(file_uri(&finding.file))
                    .build(),
            )
            .region(region)
            .build();
        let logical = sarif::LogicalLocation::builder()
            .name(format!("record {}", finding.record))
            .fully_qualified_name(format!("record[{}]{}", finding.record, finding.pointer))
            .kind("element")
            .build();
        let location = sarif::Location::builder()
            .physical_location(physical)
            .logical_locations(vec![logical])
            .build();
        let mut properties = BTreeMap::new();
        properties.insert("record".to_owned(), json!(finding.record));
        properties.insert("pointer".to_owned(), json!(finding.pointer.as_str()));
        properties.insert("contract".to_owned(), json!(finding.contract));
        if let Some(expected) = &finding.expected {
            properties.insert("expected".to_owned(), json!(expected));
        }
        if let Some(suggestion) = &finding.suggestion {
            properties.insert("suggestion".to_owned(), json!(suggestion));
        }
        let level = match finding.severity {
            Severity::Error => sarif::ResultLevel::Error,
            Severity::Warning => sarif::ResultLevel::Warning,
        };
        let mut result = sarif::Result::builder()
            .rule_id(finding.code.as_str())
            .rule_index(to_i64(rule_index as u64))
            .level(level)
            .message(sarif::Message::builder().text(text).build())
            .locations(vec![location])
            .properties(
                sarif::PropertyBag::builder()
                    .additional_properties(properties)
                    .build(),
            )
            .build();
        result.baseline_state = self.pending.pop_front().map(|state| json!(state.as_str()));
        result
    }
}

/// `value` as pretty JSON, its lines after the first indented by `spaces` (JSON strings hold
/// no raw line breaks, so only the layout changes).
fn indented(value: &impl serde::Serialize, spaces: usize) -> io::Result<String> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    Ok(text.replace('\n', &format!("\n{}", " ".repeat(spaces))))
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A relative URI reference for a path as the user named it (`-`, standard input, stays `-`
/// as in every other format).
pub fn file_uri(file: &str) -> String {
    let mut uri = String::with_capacity(file.len());
    for byte in file.replace('\\', "/").bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// The rule metadata of every code.
fn rules() -> Vec<SarifRule<'static>> {
    Code::ALL
        .iter()
        .map(|code| {
            let (enabled, level) = match code.default_level() {
                Level::Allow => (false, "error"),
                Level::Warn => (true, "warning"),
                Level::Deny => (true, "error"),
            };
            SarifRule {
                id: code.as_str(),
                summary: code.summary(),
                rationale: code.rationale(),
                help: format!(
                    "{} Example of a violation: {} (see `enquiry explain {}`)",
                    code.summary(),
                    code.example(),
                    code.as_str()
                ),
                enabled,
                level,
                properties: Some(BTreeMap::from([(
                    "schemaExpressible".to_owned(),
                    json!(code.schema_expressible()),
                )])),
            }
        })
        .collect()
}

impl Reporter for SarifReporter<'_> {
    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.write_result(finding)
    }

    fn record(&mut self, outcome: &RecordOutcome) -> io::Result<()> {
        self.contracts.count(outcome);
        outcome
            .findings
            .iter()
            .try_for_each(|finding| self.write_result(finding))
    }

    fn baseline_states(&mut self, states: &[BaselineState]) {
        self.pending.clear();
        self.pending.extend(states);
    }

    fn unreadable(&mut self, file: &str, message: &str) -> io::Result<()> {
        if self.notifications.len() >= MAX_NOTIFICATIONS {
            self.more_unreadable += 1;
            return Ok(());
        }
        self.notifications.push(json!({
            "level": "error",
            "message": {"text": format!("cannot read the input: {message}")},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": file_uri(file)}}}],
        }));
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary, _failed: bool) -> io::Result<()> {
        self.start()?;
        if self.more_unreadable > 0 {
            self.notifications.push(json!({
                "level": "error",
                "message": {"text": format!("{} more inputs could not be read", self.more_unreadable)},
            }));
            self.more_unreadable = 0;
        }
        // An input the run could not read makes the run unsuccessful, whatever the results.
        let invocations = (!self.notifications.is_empty()).then(|| {
            json!([{
                "executionSuccessful": false,
                "toolExecutionNotifications": std::mem::take(&mut self.notifications),
            }])
        });
        let properties = json!({"contracts": self.contracts});
        self.log.finish_run(invocations, Some(properties))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::render;

    #[test]
    fn sarif_report() {
        let text = render(|out| Box::new(SarifReporter::new(Box::new(out))));
        insta::assert_snapshot!(text);
        let log: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "enquiry");
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().unwrap().len(),
            Code::ALL.len()
        );
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 8);
        let status = &results[1];
        assert_eq!(status["ruleId"], "enum");
        assert_eq!(
            run["tool"]["driver"]["rules"][status["ruleIndex"].as_u64().unwrap() as usize]["id"],
            "enum"
        );
        assert_eq!(
            status["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "captures/day%201.ndjson"
        );
        assert_eq!(
            status["locations"][0]["physicalLocation"]["region"]["startColumn"],
            62
        );
        assert_eq!(status["properties"]["pointer"], "/status");
        // Three records of the fixture are in the record contract, the broken line in none.
        let record = &run["properties"]["contracts"]["record"];
        assert_eq!(record["records"], 3);
        assert_eq!(record["invalid"], 2);
        assert_eq!(record["errors"], 5);
    }

    #[test]
    fn sarif_names_the_contract_of_a_run_without_results() {
        let event = br#"{"eid":"e","date":"2022-11-07T00:00:00Z","type":"inquiry","status":"Opened","serviceId":"s","displayCaseNumber":"1"}"#;
        let mut out = Vec::new();
        {
            let mut reporter = SarifReporter::new(Box::new(&mut out));
            let validator = enquiry_validator::Validator::new(enquiry_validator::Config {
                contract: None,
                ..enquiry_validator::Config::default()
            });
            let summary = validator
                .validate_stream(&event[..], "events.json", 1, &mut |event| {
                    if let enquiry_validator::Event::Record(outcome) = event {
                        reporter.record(&outcome).unwrap();
                    }
                })
                .unwrap();
            reporter.finish(&summary, false).unwrap();
        }
        let log: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let run = &log["runs"][0];
        assert_eq!(run["results"], json!([]));
        assert_eq!(
            run["properties"]["contracts"],
            json!({"event": {"records": 1, "valid": 1, "invalid": 0, "errors": 0, "warnings": 0}})
        );
    }
}
