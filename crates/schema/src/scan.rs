//! The one structural scanner of JSON text: it follows strings (escapes included) and counts
//! brackets, and nothing else, so it can say where a value ends, how deep text nests, or
//! whether a line holds a whole value without parsing.
//!
//! Every scan of the workspace that needs positions of structure goes through [`Scan`]: the
//! model's nesting check before deserialising, the validator's shape detection, its record
//! scanner for streamed documents and the boundary pass that cuts a huge array into chunks for
//! parallel validation. One state machine means those readers cannot disagree on where a
//! record ends (a `]` inside a string, an escaped quote, a backslash at the end of a block).
//!
//! The state is three small fields, so a scan can stop at the end of any block of bytes and go
//! on with the next one: memory does not grow with the value scanned. Strings are skipped with
//! `memchr` (a vectorised search for `"` and `\`); outside strings a table classifies each
//! byte. Brackets of both kinds count together (`{]` closes), as a structural pass that must
//! not fail on broken text has to: the parser that runs on the delimited value reports the
//! mismatch.

/// The state of a structural scan: nesting depth and whether inside a string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scan {
    /// Open brackets not yet closed.
    pub depth: u64,
    /// Inside a string (after its opening quote).
    pub in_string: bool,
    /// Inside a string, right after a backslash.
    pub escape: bool,
}

/// Where a call to [`Scan::run`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The value closed: the byte before this offset is the closing bracket that brought the
    /// depth back to zero (a stray closing bracket at depth zero counts), or the quote that
    /// ended a string begun at depth zero.
    Closed(usize),
    /// Opening the bracket before this offset made the depth exceed the limit.
    TooDeep(usize),
    /// The bytes ended with the value still open; feed the next block to the same state.
    More,
}

/// What a byte means outside strings.
const OTHER: u8 = 0;
const QUOTE: u8 = 1;
const OPEN: u8 = 2;
const CLOSE: u8 = 3;

/// The class of every byte outside strings.
static CLASS: [u8; 256] = {
    let mut table = [OTHER; 256];
    table[b'"' as usize] = QUOTE;
    table[b'{' as usize] = OPEN;
    table[b'[' as usize] = OPEN;
    table[b'}' as usize] = CLOSE;
    table[b']' as usize] = CLOSE;
    table
};

impl Scan {
    /// The state inside a container whose `depth` opening brackets were already read.
    pub fn inside(depth: u64) -> Scan {
        Scan {
            depth,
            ..Scan::default()
        }
    }

    /// Scans `bytes` from this state until the value closes, the depth exceeds `max_depth`,
    /// or the bytes end.
    pub fn run(&mut self, bytes: &[u8], max_depth: u64) -> Step {
        let mut at = 0;
        while at < bytes.len() {
            if self.in_string {
                match self.skip_string(&bytes[at..]) {
                    Some(used) => {
                        at += used;
                        if !self.in_string && self.depth == 0 {
                            return Step::Closed(at);
                        }
                    }
                    None => return Step::More,
                }
                continue;
            }
            let byte = bytes[at];
            at += 1;
            match CLASS[byte as usize] {
                QUOTE => self.in_string = true,
                OPEN => {
                    self.depth += 1;
                    if self.depth > max_depth {
                        return Step::TooDeep(at);
                    }
                }
                CLOSE => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        return Step::Closed(at);
                    }
                }
                _ => {}
            }
        }
        Step::More
    }

    /// Inside a string: consumes up to and including the next unescaped quote (leaving the
    /// string) and returns how many bytes that took, or `None` when `bytes` end first (the
    /// state then records a trailing backslash).
    #[inline]
    fn skip_string(&mut self, bytes: &[u8]) -> Option<usize> {
        let mut at = 0;
        loop {
            if self.escape {
                if at == bytes.len() {
                    return None;
                }
                self.escape = false;
                at += 1;
            }
            let found = memchr::memchr2(b'"', b'\\', &bytes[at..])?;
            at += found + 1;
            if bytes[at - 1] == b'"' {
                self.in_string = false;
                return Some(at);
            }
            self.escape = true;
        }
    }
}

/// Whether the arrays and objects of the JSON text `bytes` nest deeper than `limit` (strings
/// skipped; the text need not be valid JSON).
pub fn nesting_exceeds(bytes: &[u8], limit: u64) -> bool {
    let mut scan = Scan::default();
    let mut rest = bytes;
    loop {
        match scan.run(rest, limit) {
            Step::Closed(at) => rest = &rest[at..],
            Step::TooDeep(_) => return true,
            Step::More => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The scan byte by byte, as the specification of [`Scan::run`].
    fn scalar_run(scan: &mut Scan, bytes: &[u8], max_depth: u64) -> Step {
        for (index, &byte) in bytes.iter().enumerate() {
            if scan.in_string {
                match byte {
                    _ if scan.escape => scan.escape = false,
                    b'\\' => scan.escape = true,
                    b'"' => {
                        scan.in_string = false;
                        if scan.depth == 0 {
                            return Step::Closed(index + 1);
                        }
                    }
                    _ => {}
                }
                continue;
            }
            match byte {
                b'"' => scan.in_string = true,
                b'{' | b'[' => {
                    scan.depth += 1;
                    if scan.depth > max_depth {
                        return Step::TooDeep(index + 1);
                    }
                }
                b'}' | b']' => {
                    scan.depth = scan.depth.saturating_sub(1);
                    if scan.depth == 0 {
                        return Step::Closed(index + 1);
                    }
                }
                _ => {}
            }
        }
        Step::More
    }

    #[test]
    fn strings_hide_brackets_and_escaped_quotes() {
        let text = br#"{"a":"}]\"{[","b":["\\"]} tail"#;
        assert_eq!(Scan::default().run(text, 128), Step::Closed(25));
        assert_eq!(&text[..25], br#"{"a":"}]\"{[","b":["\\"]}"#);
    }

    #[test]
    fn a_string_at_depth_zero_closes_at_its_quote() {
        assert_eq!(Scan::default().run(br#""a\"b" x"#, 128), Step::Closed(6));
    }

    #[test]
    fn a_backslash_at_the_end_of_a_block_escapes_the_next_block() {
        let mut scan = Scan::default();
        assert_eq!(scan.run(br#"{"a\"#, 128), Step::More);
        assert!(scan.escape && scan.in_string);
        assert_eq!(scan.run(br#""}"}"#, 128), Step::Closed(4));
    }

    #[test]
    fn depth_beyond_the_limit_stops_the_scan() {
        assert_eq!(Scan::default().run(b"[[[1]]]", 2), Step::TooDeep(3));
        assert!(nesting_exceeds(b"[[[1]]]", 2));
        assert!(!nesting_exceeds(b"[[1]] [[2]] \"[[[[\"", 2));
        assert!(nesting_exceeds(b"[[1]] [[[2]]]", 2));
    }

    proptest! {
        /// The vectorised scan agrees with the byte-by-byte one on any text cut into any two
        /// blocks.
        #[test]
        fn run_matches_the_byte_by_byte_scan(
            text in proptest::collection::vec(
                prop_oneof![
                    Just(b'"'), Just(b'\\'), Just(b'{'), Just(b'}'), Just(b'['), Just(b']'),
                    Just(b'a'), Just(b','), any::<u8>()
                ],
                0..200,
            ),
            cut in 0usize..200,
            start in any::<(u8, bool, bool)>(),
            max_depth in 1u64..8,
        ) {
            let cut = cut.min(text.len());
            let initial = Scan {
                depth: u64::from(start.0 % 4),
                in_string: start.1,
                escape: start.1 && start.2,
            };
            let (mut fast, mut slow) = (initial, initial);
            let mut offset = 0;
            for block in [&text[..cut], &text[cut..]] {
                let (a, b) = (fast.run(block, max_depth), scalar_run(&mut slow, block, max_depth));
                prop_assert_eq!(a, b, "at block offset {}", offset);
                prop_assert_eq!(fast, slow);
                if a != Step::More {
                    break;
                }
                offset += block.len();
            }
        }
    }
}
