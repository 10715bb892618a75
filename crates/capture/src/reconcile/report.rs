//! Reconciliation findings in every report format: `human`, `json`, `github`, `junit`,
//! `sarif`.
//!
//! Reconciliation has codes of its own ([`ReconcileCode`]), not the validator's rules, so it
//! has renderers of its own; they escape through the report crate's functions
//! ([`enquiry_report::terminal_safe`] and the GitHub workflow-command escapes), so a hostile
//! ID or file name cannot inject terminal escapes, workflow commands, XML or break SARIF.
//! Every format streams: findings arrive ordered and after the counts
//! ([`ReconcileSink::begin`]), so even JUnit and SARIF documents are written as they go and
//! memory stays bounded for any number of findings.

use std::io::{self, Write};
use std::str::FromStr;

use enquiry_report::{
    buffered, escape_data, escape_property, sarif_file_uri, terminal_safe, xml_text, SarifLog,
    SarifRule,
};
use serde_json::json;

use super::{ReconcileCode, ReconcileFinding, ReconcileSink, ReconcileSummary};

/// The report formats of `enquiry reconcile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReconcileFormat {
    /// `file:line: error[code]: message` lines and a summary line.
    Human,
    /// One document: `findings`, then `summary`.
    Json,
    /// GitHub Actions workflow commands.
    Github,
    /// JUnit XML: a failing test case per finding (one passing case when there is none).
    Junit,
    /// SARIF 2.1.0 with every reconciliation check as a rule.
    Sarif,
}

impl ReconcileFormat {
    /// Every format, as `--format` lists them.
    pub const ALL: [ReconcileFormat; 5] = [
        ReconcileFormat::Human,
        ReconcileFormat::Json,
        ReconcileFormat::Github,
        ReconcileFormat::Junit,
        ReconcileFormat::Sarif,
    ];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            ReconcileFormat::Human => "human",
            ReconcileFormat::Json => "json",
            ReconcileFormat::Github => "github",
            ReconcileFormat::Junit => "junit",
            ReconcileFormat::Sarif => "sarif",
        }
    }
}

impl FromStr for ReconcileFormat {
    type Err = String;

    fn from_str(text: &str) -> Result<ReconcileFormat, String> {
        ReconcileFormat::ALL
            .into_iter()
            .find(|format| format.name() == text)
            .ok_or_else(|| format!("unknown report format {text:?}"))
    }
}

/// Writes one report as findings arrive, through a buffer (chunks of about
/// [`enquiry_report::WRITE_CHUNK`] bytes, one flush at the end); keeps the first write error
/// for [`finish`].
///
/// [`finish`]: ReconcileReporter::finish
pub struct ReconcileReporter<'w> {
    format: ReconcileFormat,
    out: Output<'w>,
    written: u64,
    error: Option<io::Error>,
}

/// Where a report goes: text written as it is, or the workspace's SARIF log writer.
enum Output<'w> {
    Text(Box<dyn Write + 'w>),
    Sarif(SarifLog<'w>),
}

impl<'w> ReconcileReporter<'w> {
    /// A reporter of `format` writing to `out`.
    pub fn new(format: ReconcileFormat, out: Box<dyn Write + 'w>) -> ReconcileReporter<'w> {
        let out = buffered(out);
        let out = match format {
            ReconcileFormat::Sarif => Output::Sarif(SarifLog::new(out)),
            _ => Output::Text(out),
        };
        ReconcileReporter {
            format,
            out,
            written: 0,
            error: None,
        }
    }

    fn write(&mut self, text: &str) {
        self.attempt(|out| match out {
            Output::Text(out) => out.write_all(text.as_bytes()),
            Output::Sarif(_) => Ok(()),
        });
    }

    /// Runs `step` on the output unless an earlier write failed; keeps the first error.
    fn attempt(&mut self, step: impl FnOnce(&mut Output<'w>) -> io::Result<()>) {
        if self.error.is_none() {
            if let Err(err) = step(&mut self.out) {
                self.error = Some(err);
            }
        }
    }

    /// Closes the document with the counts and flushes; the first write error, if any.
    pub fn finish(mut self, summary: &ReconcileSummary) -> io::Result<()> {
        let closing = match self.format {
            ReconcileFormat::Human => format!("reconcile: {}\n", summary_line(summary)),
            ReconcileFormat::Json => format!(
                "{}],\n  \"summary\": {}\n}}\n",
                if self.written > 0 { "\n  " } else { "" },
                json!({"events": summary.events, "records": summary.records,
                    "enquiries": summary.enquiries, "errors": summary.findings,
                    "spill_files": summary.spill_files})
            ),
            ReconcileFormat::Github => format!("enquiry reconcile: {}\n", summary_line(summary)),
            ReconcileFormat::Junit => {
                let passing = if summary.findings == 0 {
                    "    <testcase name=\"lifecycle consistency\" classname=\"enquiry reconcile\"/>\n"
                } else {
                    ""
                };
                format!("{passing}  </testsuite>\n</testsuites>\n")
            }
            ReconcileFormat::Sarif => String::new(),
        };
        self.write(&closing);
        self.attempt(|out| match out {
            Output::Text(out) => out.flush(),
            Output::Sarif(log) => {
                log.start(TOOL, sarif_rules(), false)?;
                log.finish(Some(json!([{"executionSuccessful": true}])))
            }
        });
        self.error.take().map_or(Ok(()), Err)
    }
}

impl ReconcileSink for ReconcileReporter<'_> {
    fn begin(&mut self, summary: &ReconcileSummary) {
        let opening = match self.format {
            ReconcileFormat::Human | ReconcileFormat::Github => String::new(),
            ReconcileFormat::Json => "{\n  \"findings\": [".to_owned(),
            ReconcileFormat::Junit => junit_opening(summary),
            ReconcileFormat::Sarif => String::new(),
        };
        self.write(&opening);
        self.attempt(|out| match out {
            Output::Sarif(log) => log.start(TOOL, sarif_rules(), false),
            Output::Text(_) => Ok(()),
        });
    }

    fn finding(&mut self, finding: ReconcileFinding) {
        let text = match self.format {
            ReconcileFormat::Human => format!(
                "{}:{}: error[{}]: {}\n",
                terminal_safe(&finding.file),
                finding.line,
                finding.code,
                terminal_safe(&finding.message)
            ),
            ReconcileFormat::Json => format!(
                "{}\n    {}",
                if self.written == 0 { "" } else { "," },
                json!({
                    "file": finding.file, "record": finding.record, "line": finding.line,
                    "column": 1, "pointer": "", "code": finding.code.as_str(),
                    "severity": "error", "message": finding.message,
                })
            ),
            ReconcileFormat::Github => format!(
                "::error file={},line={},title={}::{}\n",
                escape_property(&finding.file),
                finding.line,
                escape_property(finding.code.as_str()),
                escape_data(&finding.message)
            ),
            ReconcileFormat::Junit => junit_case(&finding),
            ReconcileFormat::Sarif => {
                let result = sarif_result(&finding);
                self.attempt(|out| match out {
                    Output::Sarif(log) => log.result(&result),
                    Output::Text(_) => Ok(()),
                });
                String::new()
            }
        };
        self.written += 1;
        self.write(&text);
    }
}

fn summary_line(summary: &ReconcileSummary) -> String {
    format!(
        "{} events of {} enquiries, {} records: {} finding{}",
        summary.events,
        summary.enquiries,
        summary.records,
        summary.findings,
        if summary.findings == 1 { "" } else { "s" }
    )
}

fn junit_opening(summary: &ReconcileSummary) -> String {
    let tests = summary.findings.max(1);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"enquiry reconcile\" tests=\"{tests}\" failures=\"{f}\" errors=\"0\">\n  <testsuite name=\"enquiry reconcile\" tests=\"{tests}\" failures=\"{f}\" errors=\"0\" skipped=\"0\">\n",
        f = summary.findings
    )
}

fn junit_case(finding: &ReconcileFinding) -> String {
    let file = xml_text(&finding.file);
    let message = xml_text(&finding.message);
    format!(
        "    <testcase name=\"{file}:{line} {code}\" classname=\"{file}\">\n      <failure message=\"{message}\" type=\"{code}\">{file}:{line}: error[{code}]: {message}</failure>\n    </testcase>\n",
        line = finding.line,
        code = finding.code
    )
}

/// The SARIF tool's name.
const TOOL: &str = "enquiry reconcile";

/// Every check as a SARIF rule.
fn sarif_rules() -> Vec<SarifRule<'static>> {
    ReconcileCode::ALL
        .iter()
        .map(|code| SarifRule {
            id: code.as_str(),
            summary: code.summary(),
            rationale: code.rationale(),
            help: format!("{} {}", code.summary(), code.rationale()),
            enabled: true,
            level: "error",
            properties: None,
        })
        .collect()
}

fn sarif_result(finding: &ReconcileFinding) -> serde_json::Value {
    let rule_index = ReconcileCode::ALL
        .iter()
        .position(|code| *code == finding.code)
        .unwrap_or_default();
    json!({
        "ruleId": finding.code.as_str(),
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": finding.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": sarif_file_uri(&finding.file)},
                "region": {"startLine": finding.line.max(1)},
            },
            "logicalLocations": [{"name": format!("record {}", finding.record), "kind": "element"}],
        }],
        "properties": {"record": finding.record},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(format: ReconcileFormat, findings: &[ReconcileFinding]) -> String {
        let mut out = Vec::new();
        let summary = ReconcileSummary {
            events: 9,
            records: 3,
            enquiries: 3,
            findings: findings.len() as u64,
            spill_files: 0,
        };
        let mut reporter = ReconcileReporter::new(format, Box::new(&mut out));
        reporter.begin(&summary);
        for finding in findings {
            reporter.finding(finding.clone());
        }
        reporter.finish(&summary).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Findings whose file names and messages carry markup, workflow commands and escapes.
    fn hostile() -> Vec<ReconcileFinding> {
        vec![
            ReconcileFinding {
                file: "ev<1>&\"x\".ndjson".into(),
                record: 0,
                line: 1,
                code: ReconcileCode::EventOutOfOrder,
                message: "the first event of a\n::error::x]]>\u{1b}[2J\u{ffff} is Closed".into(),
            },
            ReconcileFinding {
                file: "rec, 50%: x.ndjson".into(),
                record: 4,
                line: 5,
                code: ReconcileCode::RecordWithoutEvents,
                message: "no event was received for r'5".into(),
            },
        ]
    }

    /// Writes, flushes and bytes that reached a destination.
    struct Tally<'a>(&'a std::cell::Cell<(usize, usize, usize)>);

    impl Write for Tally<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let (writes, flushes, bytes) = self.0.get();
            self.0.set((writes + 1, flushes, bytes + buf.len()));
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            let (writes, flushes, bytes) = self.0.get();
            self.0.set((writes, flushes + 1, bytes));
            Ok(())
        }
    }

    #[test]
    fn every_format_writes_in_chunks_and_flushes_once_at_the_end() {
        let findings: Vec<ReconcileFinding> = hostile().into_iter().cycle().take(2000).collect();
        let summary = ReconcileSummary {
            findings: findings.len() as u64,
            ..ReconcileSummary::default()
        };
        for format in ReconcileFormat::ALL {
            let calls = std::cell::Cell::new((0, 0, 0));
            let mut reporter = ReconcileReporter::new(format, Box::new(Tally(&calls)));
            reporter.begin(&summary);
            for finding in &findings {
                reporter.finding(finding.clone());
            }
            reporter.finish(&summary).unwrap();
            let (writes, flushes, bytes) = calls.get();
            let chunk = enquiry_report::WRITE_CHUNK;
            assert!(bytes > 10 * chunk, "{format:?}: {bytes} bytes");
            assert!(
                writes <= bytes / (chunk / 2) + 2,
                "{format:?}: {writes} writes for {bytes} bytes"
            );
            assert_eq!(flushes, 1, "{format:?}");
        }
    }

    #[test]
    fn every_format_is_well_formed_with_and_without_findings() {
        for findings in [Vec::new(), hostile()] {
            let json: serde_json::Value =
                serde_json::from_str(&render(ReconcileFormat::Json, &findings)).unwrap();
            assert_eq!(json["findings"].as_array().unwrap().len(), findings.len());
            assert_eq!(json["summary"]["errors"], findings.len());
            let sarif: serde_json::Value =
                serde_json::from_str(&render(ReconcileFormat::Sarif, &findings)).unwrap();
            let results = sarif["runs"][0]["results"].as_array().unwrap();
            assert_eq!(results.len(), findings.len());
            let xml = render(ReconcileFormat::Junit, &findings);
            let mut reader = quick_xml::Reader::from_str(&xml);
            let (mut failures, mut cases) = (0, 0);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Start(tag))
                        if tag.name().as_ref() == b"failure" =>
                    {
                        failures += 1
                    }
                    Ok(
                        quick_xml::events::Event::Start(tag) | quick_xml::events::Event::Empty(tag),
                    ) if tag.name().as_ref() == b"testcase" => cases += 1,
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(err) => panic!("not XML: {err}\n{xml}"),
                }
            }
            assert_eq!(
                (failures, cases),
                (findings.len(), findings.len().max(1)),
                "{xml}"
            );
        }
    }

    #[test]
    fn hostile_text_cannot_start_a_line_a_command_or_an_escape() {
        let findings = hostile();
        for format in ReconcileFormat::ALL {
            let text = render(format, &findings);
            assert!(!text.contains('\u{1b}'), "{format:?}: {text}");
            assert!(!text.contains("\n::error::x"), "{format:?}: {text}");
        }
        let github = render(ReconcileFormat::Github, &findings);
        assert!(
            github.contains(
                "::error file=rec%2C 50%25%3A x.ndjson,line=5,title=record-without-events::"
            ),
            "{github}"
        );
        let human = render(ReconcileFormat::Human, &findings);
        assert_eq!(human.lines().count(), 3, "{human}");
        let xml = render(ReconcileFormat::Junit, &findings);
        assert!(
            xml.contains("ev&lt;1&gt;&amp;&quot;x&quot;.ndjson"),
            "{xml}"
        );
        assert!(!xml.contains("]]>"), "{xml}");
    }

    #[test]
    fn sarif_validates_against_the_sarif_2_1_0_schema() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../report/tests/data/sarif-schema-2.1.0.json"
        );
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let validator = jsonschema::draft4::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles");
        for findings in [Vec::new(), hostile()] {
            let sarif: serde_json::Value =
                serde_json::from_str(&render(ReconcileFormat::Sarif, &findings)).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&sarif)
                .map(|err| format!("{} at {}", err, err.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{errors:#?}");
            let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
                .as_array()
                .unwrap();
            assert_eq!(rules.len(), ReconcileCode::ALL.len());
            for result in sarif["runs"][0]["results"].as_array().unwrap() {
                let index = result["ruleIndex"].as_u64().unwrap() as usize;
                assert_eq!(rules[index]["id"], result["ruleId"]);
            }
        }
    }
}
