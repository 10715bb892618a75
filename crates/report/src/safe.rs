//! The one escaping function for input-derived text printed to people: terminals and CI logs
//! act on control characters, so keys, pointers, file names and messages go through
//! [`terminal_safe`] before any renderer or error message prints them.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a character must not reach a terminal or CI log raw: C0 controls (line breaks
/// included, so input cannot start a line of its own), DEL, C1 controls, bidirectional
/// overrides and isolates, and the Unicode line and paragraph separators.
fn is_unsafe(ch: char) -> bool {
    ch.is_control()
        || matches!(
            ch,
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

/// `text` with every unsafe character shown as a Rust escape (`\u{1b}`), unchanged (and not
/// copied) when it has none.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        if is_unsafe(ch) {
            let _ = write!(safe, "\\u{{{:x}}}", u32::from(ch));
        } else {
            safe.push(ch);
        }
    }
    Cow::Owned(safe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_line_breaks_and_overrides_are_escaped() {
        assert_eq!(
            terminal_safe("a\n::add-mask::x\r\u{1b}]8;;http://x\u{7}\u{9b}2J\u{202e}\u{2028}"),
            "a\\u{a}::add-mask::x\\u{d}\\u{1b}]8;;http://x\\u{7}\\u{9b}2J\\u{202e}\\u{2028}"
        );
        assert!(matches!(
            terminal_safe("plain: ü"),
            Cow::Borrowed("plain: ü")
        ));
    }
}
