//! Masked excerpts: the source window around a finding, cut from the record's bytes with the
//! parser's positions.
//!
//! Reports end up in CI logs and terminals, so the excerpt is made safe where the positions are
//! known, here, and renderers never look at the input:
//!
//! * the value of every member whose key is a personal member of the contract (at any depth,
//!   duplicates included, whatever its JSON type, across line breaks) is replaced by `***`;
//!   a value the parser had not finished when the record broke off is masked to the end;
//! * for a record that is not JSON the window stops at the error: nothing unparsed is shown;
//! * control characters (C0, DEL, C1) and bidirectional overrides are shown escaped (`\u{1b}`),
//!   tabs as spaces;
//! * the window is at most [`WIDTH_BYTES`] bytes of one line (found by searching at most that
//!   far), so the cost of a finding does not depend on the length of its line.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use memchr::{memchr2, memrchr2};
use serde::Serialize;

use crate::parse::{Kind, Tape};

/// The most bytes of context kept left of the finding: a line that starts closer is shown
/// from its start.
pub const LEFT_BYTES: usize = 96;
/// The widest window, in bytes; at least [`MIN_RIGHT_BYTES`] are kept right of the finding.
pub const WIDTH_BYTES: usize = 144;
/// Bytes kept right of the finding even when the left context is long.
pub const MIN_RIGHT_BYTES: usize = 48;
/// Left context kept when the line starts further left than [`LEFT_BYTES`].
const CUT_LEFT_BYTES: usize = 40;
/// What a masked value is shown as.
pub const MASK: &str = "***";
/// Marks a window cut inside a line.
const CUT: &str = "...";

/// The source text around a finding, safe to print: personal values masked (unless the
/// validator shows values), control characters escaped, cut to a bounded window of one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excerpt {
    /// The text shown, one line; `...` where the window cuts a line.
    pub text: String,
    /// The byte range of the offending value within `text` (empty at the end of the text).
    /// The text is always from the finding's line.
    pub span: Range<usize>,
}

/// The keys whose values are personal: every personal member of the contract, by its key.
fn personal_keys() -> &'static [&'static str] {
    static KEYS: OnceLock<Vec<&'static str>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys: Vec<&'static str> = enquiry_schema::fields::all_fields()
            .filter(|rule| rule.personal)
            .map(|rule| rule.key())
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    })
}

/// Every documented member's key, sorted.
fn documented_keys() -> &'static [&'static str] {
    static KEYS: OnceLock<Vec<&'static str>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut keys: Vec<&'static str> = enquiry_schema::fields::all_fields()
            .map(|rule| rule.key())
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    })
}

/// Per key of [`documented_keys`], whether it is personal.
fn documented_personal() -> &'static [bool] {
    static PERSONAL: OnceLock<Vec<bool>> = OnceLock::new();
    PERSONAL.get_or_init(|| {
        documented_keys()
            .iter()
            .map(|key| personal_keys().contains(key))
            .collect()
    })
}

/// The line ends in `bytes`: LF, CRLF and a lone CR each end one line, as editors count them.
/// `after_cr` says the byte before `bytes` was a CR (a leading LF then completes a CRLF whose
/// CR was counted). Returns how many lines end, and the offset just past the last line-end
/// byte (where the column restarts), if any.
pub(crate) fn line_breaks(bytes: &[u8], after_cr: bool) -> (u64, Option<usize>) {
    let mut count = 0;
    let mut last = None;
    for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        let completes_crlf = bytes[at] == b'\n'
            && if at == 0 {
                after_cr
            } else {
                bytes[at - 1] == b'\r'
            };
        if !completes_crlf {
            count += 1;
        }
        last = Some(at + 1);
    }
    (count, last)
}

/// The most undocumented keys whose verdict a thread remembers.
const SEEN_KEYS: usize = 4096;

/// Whether the value under `key` is masked: the key of a personal member, or an undocumented
/// key whose did-you-mean suggestion is one (`visitorLastname`, `IP`): a misspelt member
/// holds the same personal data.
fn is_personal_key(key: &[u8]) -> bool {
    let personal = personal_keys();
    let documented = documented_keys();
    // Most keys are documented: one binary search over them decides those.
    if let Ok(index) = documented.binary_search_by(|candidate| candidate.as_bytes().cmp(key)) {
        return documented_personal()[index];
    }
    let Ok(key) = std::str::from_utf8(key) else {
        return false;
    };
    thread_local! {
        /// Verdicts on undocumented keys seen by this thread: the same few recur from record
        /// to record, and the similarity measure is the costly part.
        static SEEN: RefCell<HashMap<Box<str>, bool>> = RefCell::new(HashMap::new());
    }
    if let Some(verdict) = SEEN.with(|seen| seen.borrow().get(key).copied()) {
        return verdict;
    }
    // Most undocumented keys are near no personal key: a check against the few personal keys
    // first spares the comparison with every documented one.
    let verdict = crate::rules::closest(personal.iter().copied(), key).is_some()
        && crate::rules::closest(documented.iter().copied(), key)
            .is_some_and(|suggestion| personal.contains(&suggestion));
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        // Hostile input can hold millions of distinct keys: remember a bounded number.
        if seen.len() < SEEN_KEYS {
            seen.insert(key.into(), verdict);
        }
    });
    verdict
}

/// The masked byte ranges of one parsed (or partly parsed) unit, sorted and disjoint.
#[derive(Debug, Default)]
pub(crate) struct Masks {
    ranges: Vec<Range<usize>>,
}

impl Masks {
    /// The value spans of personal members (and of keys that look like one, see
    /// [`is_personal_key`]) on `tape`. The tape is in document order (a key
    /// is followed by its value); a container the parse did not close has no end yet and is
    /// masked to the end, as is the value of a key that was the last thing parsed.
    #[cfg(test)]
    pub fn of(tape: &Tape, bytes: &[u8]) -> Masks {
        let mut masks = Masks::default();
        masks.fill(tape, bytes);
        masks
    }

    /// Like [`Masks::of`], into this value's storage (reused from record to record).
    pub fn fill(&mut self, tape: &Tape, bytes: &[u8]) {
        self.fill_with(tape, bytes, false);
    }

    /// Like [`Masks::fill`] for a unit that did not parse: it may be the rest of a record
    /// whose line broke after a personal key (`"visitorFirstName":` then `"Alice", ...` on the
    /// next line of NDJSON), so every scalar that is not a member's value (a top-level one, an
    /// array item) is masked too.
    pub fn fill_broken(&mut self, tape: &Tape, bytes: &[u8]) {
        self.fill_with(tape, bytes, true);
    }

    fn fill_with(&mut self, tape: &Tape, bytes: &[u8], broken: bool) {
        let merged = &mut self.ranges;
        merged.clear();
        for (index, node) in tape.nodes.iter().enumerate() {
            let range = if node.kind == Kind::Key {
                if !is_personal_key(tape.text(bytes, node)) {
                    continue;
                }
                match tape.nodes.get(index + 1) {
                    Some(value) if value.end > value.start => {
                        value.start as usize..value.end as usize
                    }
                    Some(value) => value.start as usize..usize::MAX,
                    None => node.end as usize..usize::MAX,
                }
            } else if broken && is_loose_scalar(tape, index) {
                node.start as usize..(node.end as usize).max(node.start as usize + 1)
            } else {
                continue;
            };
            // Document order sorts by start; a personal member inside another's value is
            // merged into it.
            match merged.last_mut() {
                Some(last) if range.start < last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
    }

    /// No masking (`show_values`).
    pub fn none() -> Masks {
        Masks::default()
    }

    /// Empties the masks (`show_values`), keeping the storage.
    pub fn clear(&mut self) {
        self.ranges.clear();
    }

    /// The masked range holding `pos`, if any.
    fn at(&self, pos: usize) -> Option<&Range<usize>> {
        let index = self.ranges.partition_point(|range| range.end <= pos);
        self.ranges.get(index).filter(|range| range.start <= pos)
    }

    /// The start of the first masked range after `pos`, or `usize::MAX`.
    fn next_start(&self, pos: usize) -> usize {
        let index = self.ranges.partition_point(|range| range.start <= pos);
        self.ranges
            .get(index)
            .map_or(usize::MAX, |range| range.start)
    }
}

/// Whether the node at `index` is a scalar that is not a member's value (a member's value
/// follows its key on the tape).
fn is_loose_scalar(tape: &Tape, index: usize) -> bool {
    let scalar = tape
        .nodes
        .get(index)
        .is_some_and(|node| !matches!(node.kind, Kind::Object | Kind::Array | Kind::Key));
    let after_key = index
        .checked_sub(1)
        .and_then(|previous| tape.nodes.get(previous))
        .is_some_and(|previous| previous.kind == Kind::Key);
    scalar && !after_key
}

/// The end of the caret for a finding at `at`: the whole value when a node starts there (an
/// object only by its `{`: a missing member points at the record's brace), else one byte.
pub(crate) fn caret_end(tape: &Tape, at: usize) -> usize {
    let index = tape
        .nodes
        .partition_point(|node| (node.start as usize) < at);
    match tape.nodes.get(index) {
        Some(node) if node.start as usize == at && node.end > node.start => match node.kind {
            Kind::Object => at + 1,
            _ => node.end as usize,
        },
        _ => at + 1,
    }
}

fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// Cuts the excerpt of a finding at byte `at` of `bytes` (the unit the parser saw), with the
/// caret up to `caret_end`. Nothing at or after `limit` is shown (the end of what was parsed).
pub(crate) fn cut(
    bytes: &[u8],
    at: usize,
    caret_end: usize,
    limit: usize,
    masks: &Masks,
) -> Excerpt {
    let limit = limit.min(bytes.len());
    let at = at.min(limit);
    let low = at.saturating_sub(LEFT_BYTES);
    let mut start = match memrchr2(b'\n', b'\r', &bytes[low..at]) {
        Some(nl) => low + nl + 1,
        None if low == 0 => 0,
        None => at - CUT_LEFT_BYTES,
    };
    while start < at && is_continuation(bytes[start]) {
        start += 1;
    }
    let right = WIDTH_BYTES.saturating_sub(at - start).max(MIN_RIGHT_BYTES);
    let high = at.saturating_add(right).min(limit);
    let mut end = memchr2(b'\n', b'\r', &bytes[at..high]).map_or(high, |nl| at + nl);
    while end > at && end < limit && is_continuation(bytes[end]) {
        end -= 1;
    }
    let caret_end = caret_end.clamp(at, end);
    // The window, the cut marks and a few masks or escapes: one allocation, as a rule.
    let mut text = String::with_capacity(end - start + 2 * CUT.len() + 16);
    if start > 0 && !matches!(bytes[start - 1], b'\n' | b'\r') {
        text.push_str(CUT);
    }
    let mut span = 0..0;
    let mut pos = start;
    loop {
        if pos == at {
            span.start = text.len();
        }
        if pos == caret_end {
            span.end = text.len();
        }
        if pos >= end {
            break;
        }
        if let Some(mask) = masks.at(pos) {
            let next = mask.end.min(end);
            if (pos..next).contains(&at) {
                span.start = text.len();
            }
            text.push_str(MASK);
            if caret_end > pos && caret_end < next {
                span.end = text.len();
            }
            pos = next;
            continue;
        }
        let mut next = masks.next_start(pos).min(end);
        for mark in [at, caret_end] {
            if mark > pos && mark < next {
                next = mark;
            }
        }
        push_safe(&mut text, &bytes[pos..next]);
        pos = next;
    }
    if end < limit && !matches!(bytes[end], b'\n' | b'\r') {
        text.push_str(CUT);
    }
    span.end = span.end.max(span.start);
    Excerpt { text, span }
}

/// Appends `bytes` as text that cannot drive a terminal: invalid UTF-8 as U+FFFD, tabs as
/// spaces, other control characters and bidirectional overrides escaped.
fn push_safe(text: &mut String, bytes: &[u8]) {
    // Printable ASCII (the usual case) is copied as it is.
    if bytes.iter().all(|byte| (b' '..=b'~').contains(byte)) {
        text.push_str(std::str::from_utf8(bytes).unwrap_or_default());
        return;
    }
    for ch in String::from_utf8_lossy(bytes).chars() {
        match ch {
            '\t' => text.push(' '),
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                text.push_str(&format!("\\u{{{:x}}}", u32::from(ch)));
            }
            ch if ch.is_control() => text.push_str(&format!("\\u{{{:x}}}", u32::from(ch))),
            ch => text.push(ch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excerpt_of(json: &str, at_text: &str) -> Excerpt {
        let mut tape = Tape::default();
        tape.parse(json.as_bytes()).unwrap();
        let at = json.find(at_text).unwrap();
        let masks = Masks::of(&tape, json.as_bytes());
        cut(
            json.as_bytes(),
            at,
            caret_end(&tape, at),
            json.len(),
            &masks,
        )
    }

    #[test]
    fn personal_values_of_any_type_are_masked_across_lines() {
        let json =
            "{\"ip\":\n  [\"203.0.113.9\",\n 7],\n\"handledTarget\": 85291234567, \"status\": 1}";
        let excerpt = excerpt_of(json, "1}");
        assert!(!excerpt.text.contains("8529"), "{excerpt:?}");
        let excerpt = excerpt_of(json, "7]");
        assert_eq!(excerpt.text, "***,");
        let excerpt = excerpt_of(json, "\"203");
        assert_eq!(excerpt.text, "  ***");
        assert_eq!(&excerpt.text[excerpt.span.clone()], "***");
    }

    #[test]
    fn caret_covers_the_value_and_controls_are_escaped() {
        // C1 controls are legal unescaped in JSON strings; CSI (U+009B) drives terminals.
        let json = "{\"status\": \"Cl\u{9b}2J\", \"x\": 1}";
        let excerpt = excerpt_of(json, "\"Cl");
        assert_eq!(excerpt.text, "{\"status\": \"Cl\\u{9b}2J\", \"x\": 1}");
        assert_eq!(&excerpt.text[excerpt.span.clone()], "\"Cl\\u{9b}2J\"");
    }

    #[test]
    fn window_is_bounded_on_a_long_line() {
        let members: String = (0..10_000).map(|i| format!("\"m{i}\": {i}, ")).collect();
        let json = format!("{{{members}\"end\": true}}");
        let excerpt = excerpt_of(&json, "\"m5000\"");
        assert!(excerpt.text.starts_with("...") && excerpt.text.ends_with("..."));
        assert!(excerpt.text.len() <= WIDTH_BYTES + 6, "{excerpt:?}");
        assert_eq!(&excerpt.text[excerpt.span.clone()], "\"m5000\"");
    }

    #[test]
    fn the_rest_of_a_broken_record_masks_its_loose_values() {
        // NDJSON's second line of a record broken after `"visitorFirstName":`.
        for (json, shown) in [
            ("\"Alice Chan\", \"ip\": \"203.0.113.9\"}", "***"),
            ("[\"Alice Chan\", 7], \"city\": \"x\"}", "[***, ***]"),
        ] {
            let mut tape = Tape::default();
            let err = tape.parse(json.as_bytes()).unwrap_err();
            let mut masks = Masks::default();
            masks.fill_broken(&tape, json.as_bytes());
            let excerpt = cut(json.as_bytes(), err.offset, err.offset, err.offset, &masks);
            assert_eq!(excerpt.text, shown);
            let mut plain = Masks::default();
            plain.fill(&tape, json.as_bytes());
            let leaked = cut(json.as_bytes(), err.offset, err.offset, err.offset, &plain);
            assert!(
                leaked.text.contains("Alice"),
                "{leaked:?}: the case shows the leak"
            );
        }
    }

    #[test]
    fn broken_record_shows_nothing_past_the_error() {
        let json = "{\"ip\": \"203.0.113.9\" \"name\": \"Chan\"}";
        let mut tape = Tape::default();
        let err = tape.parse(json.as_bytes()).unwrap_err();
        let masks = Masks::of(&tape, json.as_bytes());
        let excerpt = cut(json.as_bytes(), err.offset, err.offset, err.offset, &masks);
        assert_eq!(excerpt.text, "{\"ip\": *** ");
        assert_eq!(excerpt.span, 11..11);
    }
}
