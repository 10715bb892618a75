//! What the aggregated views (`summary`, `markdown`, `html`) share: a [`Reporter`] that feeds
//! an [`Aggregate`] and renders it once at the end, and escaping of input-derived text for
//! each medium.

use std::io::{self, Write};

use enquiry_validator::{DataProfile, Finding, RecordOutcome, Summary};

use crate::aggregate::{Aggregate, Limits};
use crate::Reporter;

/// Renders a finished aggregate.
pub type Render = fn(&Aggregate, &ViewOptions, &mut dyn Write) -> io::Result<()>;

/// How an aggregated view looks.
#[derive(Debug, Clone, Copy, Default)]
pub struct ViewOptions {
    /// ANSI colours (the summary on a terminal without `NO_COLOR`).
    pub color: bool,
}

/// Feeds every finding to an [`Aggregate`] and renders it when the run finishes.
pub struct ViewReporter<'w> {
    out: Box<dyn Write + 'w>,
    aggregate: Aggregate,
    options: ViewOptions,
    render: Render,
    /// What the view writes, and flushes, once the first record is checked, long before the
    /// rest: a reader waiting for a first line gets it (and, by going away, can end the run);
    /// empty when the first line already depends on the findings.
    prologue: &'static str,
    /// Whether the prologue is written.
    started: bool,
}

impl<'w> ViewReporter<'w> {
    /// A reporter rendering with `render` to `out`.
    pub fn new(out: Box<dyn Write + 'w>, options: ViewOptions, render: Render) -> ViewReporter<'w> {
        ViewReporter {
            out,
            aggregate: Aggregate::new(Limits::default()),
            options,
            render,
            prologue: "",
            started: false,
        }
    }

    /// A reporter that writes `prologue` as soon as the first record is checked; `render` then
    /// writes what follows it.
    pub fn with_prologue(self, prologue: &'static str) -> ViewReporter<'w> {
        ViewReporter { prologue, ..self }
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            if !self.prologue.is_empty() {
                self.out.write_all(self.prologue.as_bytes())?;
                self.out.flush()?;
            }
        }
        Ok(())
    }
}

impl Reporter for ViewReporter<'_> {
    fn record(&mut self, outcome: &RecordOutcome) -> io::Result<()> {
        self.start()?;
        for finding in &outcome.findings {
            self.aggregate.add(finding);
        }
        Ok(())
    }

    fn unreadable(&mut self, _file: &str, _message: &str) -> io::Result<()> {
        self.start()
    }

    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.start()?;
        self.aggregate.add(finding);
        Ok(())
    }

    fn data_profile(&mut self, profile: &DataProfile) {
        self.aggregate.profile = Some(profile.clone());
    }

    fn finish(&mut self, summary: &Summary, failed: bool) -> io::Result<()> {
        self.start()?;
        self.aggregate.finish(summary, failed);
        (self.render)(&self.aggregate, &self.options, &mut self.out)?;
        self.out.flush()
    }
}

/// Text safe for a terminal: control characters (C0, C1, DEL) and bidirectional overrides are
/// written as `\u{..}` escapes, so input cannot move the cursor or recolour the screen.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        let bidi = matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if ch.is_control() || bidi {
            out.push_str(&format!("\\u{{{:x}}}", ch as u32));
        } else {
            out.push(ch);
        }
    }
    out
}

/// Text safe in HTML element content and quoted attribute values.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in printable(text).chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Text safe in a GitHub-flavoured Markdown table cell: HTML-escaped, and every character
/// Markdown or GitHub gives a meaning (emphasis, links, code, pipes, mentions, references)
/// written as a character reference, so input renders as the text it is.
pub fn markdown_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in html_escape(text).chars() {
        match ch {
            '|' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '\\' | '#' | '!' | '~' | '@' | ':' => {
                out.push_str(&format!("&#{};", ch as u32));
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_terminal_controls() {
        assert_eq!(
            printable("a\u{1b}[2Jb\u{9b}\u{202e}"),
            "a\\u{1b}[2Jb\\u{9b}\\u{202e}"
        );
    }

    #[test]
    fn html_escape_leaves_no_markup() {
        let escaped = html_escape("<script>alert(1)</script>\"><img onerror=x>'");
        assert!(!escaped.contains('<') && !escaped.contains('>') && !escaped.contains('"'));
        assert!(!escaped.contains('\''));
    }

    #[test]
    fn markdown_escape_neutralises_markup_and_mentions() {
        let escaped = markdown_escape("a|b `c` [x](http://e) @team <b>");
        for forbidden in ["|", "`", "[", "](", "@", "<", "http:"] {
            assert!(!escaped.contains(forbidden), "{forbidden} in {escaped}");
        }
    }
}
