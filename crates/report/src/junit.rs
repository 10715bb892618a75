//! `--format junit`: JUnit XML, via `quick-junit`.
//!
//! A test suite per file, a test case per record (`record 12 (line 13)`, class name the file);
//! a record with errors fails, with the first error as the failure's message and type and every
//! error, one a line, as its text (JUnit allows one failure element per test case). Warnings go
//! to the test case's `system-out`. Findings outside any record (a syntax error that ends an
//! array, an empty input) are a test case of their own, `input`.

use std::io::{self, Write};

use enquiry_validator::{Finding, RecordOutcome, Severity, Summary};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::{message_with_suggestion, terminal_safe, Reporter};

/// The JUnit renderer (collects, writes at the end).
pub struct JunitReporter<'w> {
    out: Box<dyn Write + 'w>,
    report: Report,
    suite: Option<TestSuite>,
    file_level: Vec<Finding>,
}

impl<'w> JunitReporter<'w> {
    /// A renderer writing to `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> JunitReporter<'w> {
        JunitReporter {
            out,
            report: Report::new("enquiry"),
            suite: None,
            file_level: Vec::new(),
        }
    }

    fn case(name: String, file: &str, findings: &[Finding]) -> TestCase {
        let errors: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        let status = match errors.first() {
            None => TestCaseStatus::success(),
            Some(first) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                let message = if errors.len() == 1 {
                    xml_safe(&first.message)
                } else {
                    format!(
                        "{} errors; first: {}",
                        errors.len(),
                        xml_safe(&first.message)
                    )
                };
                status.set_message(message).set_type(first.code.as_str());
                let text: Vec<String> = errors.iter().map(|finding| describe(finding)).collect();
                status.set_description(text.join("\n"));
                status
            }
        };
        let mut case = TestCase::new(name, status);
        case.set_classname(file);
        let warnings: Vec<String> = findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .map(describe)
            .collect();
        if !warnings.is_empty() {
            case.set_system_out(warnings.join("\n"));
        }
        case
    }
}

/// `file:line:column: error[code] at /pointer: message (did you mean ...)`.
fn describe(finding: &Finding) -> String {
    let mut text = format!(
        "{}:{}:{}: {}[{}]",
        finding.file, finding.line, finding.column, finding.severity, finding.code
    );
    if !finding.pointer.as_str().is_empty() {
        text.push_str(&format!(" at {}", finding.pointer));
    }
    text.push_str(&format!(": {}", message_with_suggestion(finding)));
    xml_safe(&text)
}

/// Text XML 1.0 can carry whatever the input held: control characters escaped as for a
/// terminal (XML 1.0 forbids most of them, even as character references), and the two
/// non-characters it also forbids, U+FFFE and U+FFFF, escaped the same way.
fn xml_safe(text: &str) -> String {
    terminal_safe(text)
        .replace('\u{fffe}', "\\u{fffe}")
        .replace('\u{ffff}', "\\u{ffff}")
}

impl Reporter for JunitReporter<'_> {
    fn begin_file(&mut self, file: &str) -> io::Result<()> {
        self.suite = Some(TestSuite::new(xml_safe(file)));
        self.file_level.clear();
        Ok(())
    }

    fn record(&mut self, outcome: &RecordOutcome) -> io::Result<()> {
        if let Some(suite) = self.suite.as_mut() {
            let name = format!("record {} (line {})", outcome.record, outcome.line);
            let file = suite.name.as_str().to_owned();
            suite.add_test_case(Self::case(name, &file, &outcome.findings));
        }
        Ok(())
    }

    /// An unreadable input is a suite of its own with one failing case, so the run cannot
    /// look green.
    fn unreadable(&mut self, file: &str, message: &str) -> io::Result<()> {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status
            .set_message(xml_safe(&format!("cannot read the input: {message}")))
            .set_type("unreadable");
        let mut case = TestCase::new("input", status);
        case.set_classname(xml_safe(file));
        let mut suite = TestSuite::new(xml_safe(file));
        suite.add_test_case(case);
        self.report.add_test_suite(suite);
        Ok(())
    }

    /// Findings outside a record; those of records arrive whole, through `record`.
    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.file_level.push(finding.clone());
        Ok(())
    }

    fn end_file(&mut self, _file: &str, _summary: &Summary) -> io::Result<()> {
        if let Some(mut suite) = self.suite.take() {
            if !self.file_level.is_empty() {
                let file = suite.name.as_str().to_owned();
                suite.add_test_case(Self::case("input".to_owned(), &file, &self.file_level));
                self.file_level.clear();
            }
            self.report.add_test_suite(suite);
        }
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary, _failed: bool) -> io::Result<()> {
        self.report
            .serialize(&mut self.out)
            .map_err(io::Error::other)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::render;

    #[test]
    fn junit_report() {
        let text = render(|out| Box::new(JunitReporter::new(Box::new(out))));
        insta::assert_snapshot!(text);
        assert!(text.starts_with("<?xml"));
        assert_eq!(text.matches("<testcase ").count(), 4);
        assert_eq!(text.matches("<failure ").count(), 3);
    }
}
