//! Error lines on standard error. They often name input (file names, keys), so each goes
//! through the report layer's escaping before it is printed; and a standard error that cannot
//! be written (`2>/dev/full`, a closed pipe) is not a reason to panic: the exit status still
//! says what happened.

use std::io::{self, Write};

use clap::error::{ContextValue, ErrorKind};
use enquiry_report::terminal_safe;

/// Prints one error line, escaped, ignoring a failure to write it.
pub(crate) fn error_line(message: &str) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "{}", terminal_safe(message));
}

/// Prints what clap has to say about the arguments. Help and version are the program's own
/// text, printed as clap prints them; a usage error quotes the arguments, which may come from
/// anywhere (a file name, a CI variable): the values it quotes are escaped, and then each of
/// its lines, so that no argument can start a line of its own, forge a CI command or drive
/// the terminal. Usage errors are therefore printed without colour.
pub(crate) fn clap_message(mut err: clap::Error) {
    let own_text = matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if own_text {
        let _ = err.print();
        return;
    }
    let quoted: Vec<_> = err
        .context()
        .filter_map(|(kind, value)| Some((kind, escaped(value)?)))
        .collect();
    for (kind, value) in quoted {
        err.insert(kind, value);
    }
    let text = err.render().to_string();
    let mut stderr = io::stderr().lock();
    for line in text.lines() {
        let _ = writeln!(stderr, "{}", inert_line(line));
    }
}

/// A context value with its text escaped; `None` for values without text, and for the usage
/// line, which is the program's own (several lines, maybe).
fn escaped(value: &ContextValue) -> Option<ContextValue> {
    let safe = |text: &str| terminal_safe(text).into_owned();
    match value {
        ContextValue::String(text) => Some(ContextValue::String(safe(text))),
        ContextValue::Strings(texts) => Some(ContextValue::Strings(
            texts.iter().map(|text| safe(text)).collect(),
        )),
        ContextValue::StyledStrs(texts) => Some(ContextValue::StyledStrs(
            texts
                .iter()
                .map(|text| safe(&text.to_string()).into())
                .collect(),
        )),
        _ => None,
    }
}

/// A line of a usage error, escaped, that a CI runner does not take for a command: a line
/// whose text starts with `::` (after the blanks the runner trims) gets its first colon
/// escaped. Only a value clap quotes from a parser's own message could start one.
fn inert_line(line: &str) -> String {
    let line = terminal_safe(line);
    let text = line.trim_start();
    if text.starts_with("::") {
        let blanks = &line[..line.len() - text.len()];
        format!("{blanks}\\u{{3a}}{}", &text[1..])
    } else {
        line.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_error_lines_cannot_be_commands() {
        assert_eq!(inert_line("  ::error::x"), "  \\u{3a}:error::x");
        assert_eq!(inert_line("error: a\u{1b}[2J"), "error: a\\u{1b}[2J");
        assert_eq!(inert_line("error: 'a::b'"), "error: 'a::b'");
    }
}
