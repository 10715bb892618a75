//! `--format human`: each finding as `file:line:column: severity[code]: message`, a source
//! snippet with a caret under the offending value, the record and pointer, a help line with the
//! suggestion, and a summary line at the end.

use std::io::{self, Write};

use annotate_snippets::renderer::{AnsiColor, Effects, Style};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use enquiry_schema::contract::RECORD;
use enquiry_validator::{Finding, RecordOutcome, Severity, Summary};

use crate::{suggestion_not_in_message, summary_line_of, terminal_safe, ContractCounts, Reporter};

/// How the human report looks.
#[derive(Debug, Clone, Copy, Default)]
pub struct HumanOptions {
    /// ANSI colours (a terminal without `NO_COLOR`).
    pub color: bool,
    /// Only the summary line, and nothing when the run passes.
    pub quiet: bool,
    /// Kept for callers that set it: whether values are shown is the validator's
    /// configuration, applied to the excerpts it hands over.
    pub show_values: bool,
}

/// The human renderer.
pub struct HumanReporter<'w> {
    out: Box<dyn Write + 'w>,
    options: HumanOptions,
    renderer: Renderer,
    /// Records per contract, named by the summary line when they are not all records.
    contracts: ContractCounts,
}

impl<'w> HumanReporter<'w> {
    /// A renderer writing to `out`.
    pub fn new(out: Box<dyn Write + 'w>, options: HumanOptions) -> HumanReporter<'w> {
        let renderer = if options.color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        HumanReporter {
            out,
            options,
            renderer,
            contracts: ContractCounts::default(),
        }
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.options.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    }

    fn write_finding(&mut self, finding: &Finding) -> io::Result<()> {
        if self.options.quiet {
            return Ok(());
        }
        let (level, severity_style) = match finding.severity {
            Severity::Error => (
                Level::ERROR,
                AnsiColor::BrightRed.on_default().effects(Effects::BOLD),
            ),
            Severity::Warning => (
                Level::WARNING,
                AnsiColor::Yellow.on_default().effects(Effects::BOLD),
            ),
        };
        let bold = Style::new().effects(Effects::BOLD);
        let location = format!(
            "{}:{}:{}:",
            terminal_safe(&finding.file),
            finding.line,
            finding.column
        );
        let severity = format!("{}[{}]", finding.severity, finding.code);
        writeln!(
            self.out,
            "{} {}: {}",
            self.paint(bold, &location),
            self.paint(severity_style, &severity),
            self.paint(bold, &terminal_safe(&finding.message))
        )?;
        let snippet = finding.excerpt.as_ref();
        let pointer = if finding.pointer.as_str().is_empty() {
            "the record itself".to_owned()
        } else {
            format!("pointer {}", terminal_safe(finding.pointer.as_str()))
        };
        // The contract is named when it is not the enquiry record (a detected event ...).
        let contract = match finding.contract {
            name if name == RECORD.name => String::new(),
            other => format!(" ({other})"),
        };
        let note = format!("record {}{contract}, {pointer}", finding.record);
        let help = suggestion_not_in_message(finding)
            .map(|suggestion| format!("did you mean `{}`?", terminal_safe(suggestion)));
        let mut group = Group::with_level(level);
        if let Some(excerpt) = snippet {
            let line_start = usize::try_from(finding.line).unwrap_or(usize::MAX);
            let mut annotation = AnnotationKind::Primary.span(excerpt.span.clone());
            // The label repeats what was expected, unless the message already says it.
            if let Some(expected) = finding
                .expected
                .as_ref()
                .filter(|expected| !finding.message.contains(expected.as_str()))
            {
                annotation = annotation.label(format!("expected {}", terminal_safe(expected)));
            }
            group = group.element(
                Snippet::source(excerpt.text.as_str())
                    .line_start(line_start)
                    .annotation(annotation),
            );
        }
        group = group.element(Level::NOTE.message(note.as_str()));
        if let Some(help) = &help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        let rendered = self.renderer.render(&[group]);
        writeln!(self.out, "{rendered}")?;
        writeln!(self.out)
    }
}

impl Reporter for HumanReporter<'_> {
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
        if self.options.quiet && !failed {
            return self.out.flush();
        }
        let style = if failed {
            AnsiColor::BrightRed.on_default().effects(Effects::BOLD)
        } else {
            AnsiColor::Green.on_default().effects(Effects::BOLD)
        };
        let line = self.paint(style, &summary_line_of(summary, &self.contracts));
        writeln!(self.out, "{line}")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{render, render_with};
    use enquiry_validator::Config;

    #[test]
    fn human_report() {
        let text =
            render(|out| Box::new(HumanReporter::new(Box::new(out), HumanOptions::default())));
        insta::assert_snapshot!(text);
    }

    #[test]
    fn human_report_quiet_prints_only_the_summary() {
        let options = HumanOptions {
            quiet: true,
            ..HumanOptions::default()
        };
        let text = render(|out| Box::new(HumanReporter::new(Box::new(out), options)));
        assert_eq!(
            text,
            "1 file, 4 records: 1 valid, 3 invalid; 6 errors, 2 warnings\n"
        );
    }

    #[test]
    fn human_report_in_colour_uses_ansi_codes() {
        let options = HumanOptions {
            color: true,
            ..HumanOptions::default()
        };
        let text = render(|out| Box::new(HumanReporter::new(Box::new(out), options)));
        assert!(text.contains("\u{1b}["));
    }

    #[test]
    fn human_report_masks_personal_values_in_snippets() {
        let text =
            render(|out| Box::new(HumanReporter::new(Box::new(out), HumanOptions::default())));
        assert!(!text.contains("203.0.113.9"), "{text}");
        assert!(!text.contains("Chan"), "{text}");
        let config = Config {
            show_values: true,
            ..Config::default()
        };
        let shown = render_with(config, |out| {
            Box::new(HumanReporter::new(Box::new(out), HumanOptions::default()))
        });
        assert!(shown.contains("203.0.113.9"), "{shown}");
        assert!(shown.contains("Chan"), "{shown}");
    }
}
