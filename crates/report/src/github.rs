//! `--format github`: GitHub Actions workflow commands, one a finding, which GitHub shows as
//! annotations on the file, then a summary line.
//!
//! `::error file=F,line=L,col=C,title=CODE::message`. Escaping follows the runner's rules: in
//! the message `%`, `\r` and `\n` are percent-encoded; in properties `:` and `,` are too.

use std::io::{self, Write};

use enquiry_schema::contract::RECORD;
use enquiry_validator::{Finding, RecordOutcome, Severity, Summary};

use super::{message_with_suggestion, summary_line_of, terminal_safe, ContractCounts, Reporter};

/// The GitHub renderer.
pub struct GithubReporter<'w> {
    out: Box<dyn Write + 'w>,
    quiet: bool,
    /// Records per contract, named by the summary line when they are not all records.
    contracts: ContractCounts,
}

impl<'w> GithubReporter<'w> {
    /// A renderer writing to `out`; `quiet` leaves warnings out.
    pub fn new(out: Box<dyn Write + 'w>, quiet: bool) -> GithubReporter<'w> {
        GithubReporter {
            out,
            quiet,
            contracts: ContractCounts::default(),
        }
    }

    fn write_finding(&mut self, finding: &Finding) -> io::Result<()> {
        if self.quiet && finding.severity == Severity::Warning {
            return Ok(());
        }
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let pointer = finding.pointer.as_str();
        let mut message = format!("record {}", finding.record);
        // The contract is named when it is not the enquiry record, as in the human report.
        if finding.contract != RECORD.name {
            message.push_str(&format!(" ({})", finding.contract));
        }
        if !pointer.is_empty() {
            message.push_str(&format!(" at {pointer}"));
        }
        message.push_str(&format!(": {}", message_with_suggestion(finding)));
        writeln!(
            self.out,
            "::{command} file={},line={},col={},title={}::{}",
            escape_property(&finding.file),
            finding.line,
            finding.column,
            escape_property(finding.code.as_str()),
            escape_data(&message)
        )
    }
}

/// Escapes a workflow command's message: the runner's percent-encoding of `%`, CR and LF, then
/// every other control character as for a terminal (the runner shows the log in one).
pub fn escape_data(text: &str) -> String {
    let encoded = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    terminal_safe(&encoded).into_owned()
}

/// Escapes a workflow command's property value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

impl Reporter for GithubReporter<'_> {
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

    fn finish(&mut self, summary: &Summary, failed: bool) -> io::Result<()> {
        if !self.quiet || failed {
            writeln!(
                self.out,
                "enquiry: {}",
                summary_line_of(summary, &self.contracts)
            )?;
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::render;

    #[test]
    fn github_report() {
        let text = render(|out| Box::new(GithubReporter::new(Box::new(out), false)));
        insta::assert_snapshot!(text);
    }

    #[test]
    fn github_escaping() {
        assert_eq!(escape_data("50% a\r\nb: c,d"), "50%25 a%0D%0Ab: c,d");
        assert_eq!(escape_property("C:\\x,y%\n"), "C%3A\\x%2Cy%25%0A");
        assert_eq!(
            escape_data("\u{1b}]8;;http://x\u{7}link\u{1b}[2J"),
            "\\u{1b}]8;;http://x\\u{7}link\\u{1b}[2J"
        );
    }
}
