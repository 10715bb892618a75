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
//! byte; inside a container, 64-byte blocks are classified at once (SSE2, or AVX2 where the
//! CPU has it). Brackets of both kinds count together (`{]` closes), as a structural pass that must
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

/// The bytes [`Scan::block`] classifies at once: one bit of a `u64` mask each.
const BLOCK: usize = 64;

/// Where the quotes, backslashes and brackets of a block are: bit `i` for byte `i`.
#[derive(Debug, Default, PartialEq, Eq)]
struct Masks {
    quote: u64,
    backslash: u64,
    open: u64,
    close: u64,
}

impl Masks {
    /// Sixteen bytes per compare with SSE2, which every x86-64 CPU has.
    ///
    /// Invariant: this is compiled only where SSE2 is enabled for the whole program
    /// (`target_feature = "sse2"`, the x86-64 baseline), so the intrinsics can run on any CPU
    /// the program runs on; the one load reads 16 bytes from a chunk `chunks_exact(16)`
    /// guarantees is 16 bytes long, unaligned loads allowed.
    /// `tests::sse2_masks_match_the_portable_masks` checks it against [`Masks::of_bytes`].
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[allow(
        unsafe_code,
        reason = "SSE2 intrinsics; sound by the invariant above, checked against the portable form"
    )]
    #[inline]
    fn of(block: &[u8]) -> Masks {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        let mut masks = Masks::default();
        for (index, chunk) in block.chunks_exact(16).take(BLOCK / 16).enumerate() {
            // SAFETY: see the invariant above: SSE2 is enabled, and `chunk` holds 16 bytes.
            let [quote, backslash, open, close] = unsafe {
                let lane = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
                // `[` and `{` differ in the 0x20 bit only, as do `]` and `}`.
                let folded = _mm_or_si128(lane, _mm_set1_epi8(0x20));
                let class = |lane, byte: u8| {
                    let hits = _mm_cmpeq_epi8(lane, _mm_set1_epi8(byte as i8));
                    u64::from(_mm_movemask_epi8(hits) as u16)
                };
                [
                    class(lane, b'"'),
                    class(lane, b'\\'),
                    class(folded, b'{'),
                    class(folded, b'}'),
                ]
            };
            let shift = index * 16;
            masks.quote |= quote << shift;
            masks.backslash |= backslash << shift;
            masks.open |= open << shift;
            masks.close |= close << shift;
        }
        masks
    }

    /// Thirty-two bytes per compare with AVX2 (see [`Scan::run_avx2`]).
    ///
    /// Invariant: AVX2 is enabled here, so this runs only where the CPU has it (callers
    /// outside AVX2 code must check first); each load reads 32 bytes from a chunk
    /// `chunks_exact(32)` guarantees is 32 bytes long, unaligned loads allowed.
    /// `tests::avx2_masks_match_the_portable_masks` checks it against [`Masks::of_bytes`].
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    #[allow(
        unsafe_code,
        reason = "AVX2 loads; sound by the invariant above, checked against the portable form"
    )]
    fn of_avx2(block: &[u8]) -> Masks {
        use std::arch::x86_64::{
            __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
            _mm256_set1_epi8,
        };
        let mut masks = Masks::default();
        for (index, chunk) in block.chunks_exact(32).take(BLOCK / 32).enumerate() {
            // SAFETY: see the invariant above: `chunk` holds 32 bytes.
            let lane = unsafe { _mm256_loadu_si256(chunk.as_ptr().cast::<__m256i>()) };
            // `[` and `{` differ in the 0x20 bit only, as do `]` and `}`.
            let folded = _mm256_or_si256(lane, _mm256_set1_epi8(0x20));
            let hits = |lane, byte: u8| {
                let equal = _mm256_cmpeq_epi8(lane, _mm256_set1_epi8(byte as i8));
                u64::from(_mm256_movemask_epi8(equal) as u32)
            };
            let shift = index * 32;
            masks.quote |= hits(lane, b'"') << shift;
            masks.backslash |= hits(lane, b'\\') << shift;
            masks.open |= hits(folded, b'{') << shift;
            masks.close |= hits(folded, b'}') << shift;
        }
        masks
    }

    /// Elsewhere, the portable form.
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    #[inline]
    fn of(block: &[u8]) -> Masks {
        Masks::of_bytes(block)
    }

    /// The portable form: one byte at a time.
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(dead_code, reason = "the reference of the SSE2 form's test")
    )]
    fn of_bytes(block: &[u8]) -> Masks {
        let mut masks = Masks::default();
        for (index, &byte) in block.iter().enumerate().take(BLOCK) {
            masks.quote |= u64::from(byte == b'"') << index;
            masks.backslash |= u64::from(byte == b'\\') << index;
            masks.open |= u64::from(byte | 0x20 == b'{') << index;
            masks.close |= u64::from(byte | 0x20 == b'}') << index;
        }
        masks
    }
}

/// Bit `i` of the result is the parity of bits `0..=i` of `bits`.
#[inline]
fn prefix_xor(mut bits: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        bits ^= bits << shift;
    }
    bits
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
    ///
    /// Inside a container, 64-byte blocks without a backslash are classified a whole block
    /// at a time ([`Scan::block`]); anything else (a block with a backslash, the last bytes, a
    /// value at depth zero) goes byte by byte, with strings skipped by `memchr`.
    pub fn run(&mut self, bytes: &[u8], max_depth: u64) -> Step {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            #[allow(
                unsafe_code,
                reason = "an AVX2 function, called only where the CPU has AVX2 (checked above)"
            )]
            // SAFETY: the CPU has AVX2, the one requirement of `run_avx2`.
            return unsafe { self.run_avx2(bytes, max_depth) };
        }
        self.run_blocks(bytes, max_depth, Masks::of)
    }

    /// [`Scan::run`] with the masks taken thirty-two bytes a compare: half the compares of
    /// SSE2, on the CPUs that have AVX2 (most x86-64 CPUs since 2013).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn run_avx2(&mut self, bytes: &[u8], max_depth: u64) -> Step {
        self.run_blocks(bytes, max_depth, |block| Masks::of_avx2(block))
    }

    /// [`Scan::run`] with `masks` classifying the 64-byte blocks.
    #[inline(always)]
    fn run_blocks(&mut self, bytes: &[u8], max_depth: u64, masks: impl Fn(&[u8]) -> Masks) -> Step {
        let mut at = 0;
        while let Some(block) = bytes.get(at..at + BLOCK) {
            let fast = if self.depth > 0 && !self.escape {
                self.block(masks(block), max_depth)
            } else {
                None
            };
            let step = match fast {
                Some(step) => step,
                None => self.run_bytes(block, max_depth),
            };
            match step {
                Step::More => at += BLOCK,
                Step::Closed(end) => return Step::Closed(at + end),
                Step::TooDeep(end) => return Step::TooDeep(at + end),
            }
        }
        match self.run_bytes(&bytes[at..], max_depth) {
            Step::More => Step::More,
            Step::Closed(end) => Step::Closed(at + end),
            Step::TooDeep(end) => Step::TooDeep(at + end),
        }
    }

    /// One block of [`BLOCK`] bytes inside a container (`depth > 0`, no pending escape), when
    /// it holds no backslash (`None` otherwise, state untouched): where each byte is inside a
    /// string follows from the parity of the quotes before it, and only brackets outside
    /// strings are visited. Bit `i` of each mask stands for `block[i]`.
    #[inline(always)]
    fn block(&mut self, masks: Masks, max_depth: u64) -> Option<Step> {
        if masks.backslash != 0 {
            return None;
        }
        // Bit i: inside a string after byte i (for a bracket: inside a string at all).
        let carried = if self.in_string { !0 } else { 0 };
        let inside = prefix_xor(masks.quote) ^ carried;
        let mut brackets = (masks.open | masks.close) & !inside;
        while brackets != 0 {
            let bit = brackets.trailing_zeros() as usize;
            brackets &= brackets - 1;
            self.in_string = false;
            if masks.open >> bit & 1 == 1 {
                self.depth += 1;
                if self.depth > max_depth {
                    return Some(Step::TooDeep(bit + 1));
                }
            } else {
                self.depth -= 1;
                if self.depth == 0 {
                    return Some(Step::Closed(bit + 1));
                }
            }
        }
        self.in_string = inside >> 63 == 1;
        Some(Step::More)
    }

    /// [`Scan::run`] byte by byte (strings skipped with `memchr`): the reference behaviour.
    fn run_bytes(&mut self, bytes: &[u8], max_depth: u64) -> Step {
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

    /// Text in which whole blocks hold no backslash, so that the block path runs: records
    /// with strings, brackets inside strings, and now and then an escape.
    fn record_text() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            4 => Just(&br#""key":"value with ] and } inside","#[..]),
            3 => Just(&br#""n":12345,"list":[1,2,{"a":"["}],"#[..]),
            2 => Just(&b"{"[..]),
            2 => Just(&b"}"[..]),
            1 => Just(&b"["[..]),
            1 => Just(&b"]"[..]),
            1 => Just(&br#""esc\"aped\\","#[..]),
            1 => Just(&b"\""[..]),
            1 => Just("\\u00e9 名前 ".as_bytes()),
        ];
        proptest::collection::vec(piece, 0..120).prop_map(|pieces| pieces.concat())
    }

    /// 64 bytes, mostly the ones the masks look for and their 0x20-bit neighbours.
    fn block_bytes() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                Just(b'"'),
                Just(b'\\'),
                Just(b'{'),
                Just(b'}'),
                Just(b'['),
                Just(b']'),
                Just(b'{' ^ 0x20),
                Just(b'}' ^ 0x20),
                any::<u8>()
            ],
            BLOCK,
        )
    }

    proptest! {
        /// The SSE2 masks are the portable ones, for any 64 bytes.
        #[test]
        fn sse2_masks_match_the_portable_masks(
            block in block_bytes(),
        ) {
            prop_assert_eq!(Masks::of(&block), Masks::of_bytes(&block));
        }

        /// The AVX2 masks are the portable ones, for any 64 bytes (where the CPU has AVX2).
        #[test]
        #[cfg(target_arch = "x86_64")]
        fn avx2_masks_match_the_portable_masks(
            block in block_bytes(),
        ) {
            if std::arch::is_x86_feature_detected!("avx2") {
                #[allow(unsafe_code, reason = "an AVX2 function, called where the CPU has AVX2")]
                // SAFETY: checked just above.
                let masks = unsafe { Masks::of_avx2(&block) };
                prop_assert_eq!(masks, Masks::of_bytes(&block));
            }
        }

        /// On record-like text long enough for whole blocks, the block scan agrees with the
        /// byte-by-byte one from any starting state and any cut.
        #[test]
        fn blocks_match_the_byte_by_byte_scan(
            text in record_text(),
            cut in 0usize..4000,
            start in any::<(u8, bool)>(),
            max_depth in 1u64..40,
        ) {
            let cut = cut.min(text.len());
            let initial = Scan { depth: u64::from(start.0 % 6), in_string: start.1, escape: false };
            let (mut fast, mut slow) = (initial, initial);
            for block in [&text[..cut], &text[cut..]] {
                let (a, b) = (fast.run(block, max_depth), scalar_run(&mut slow, block, max_depth));
                prop_assert_eq!(a, b);
                prop_assert_eq!(fast, slow);
                if a != Step::More {
                    break;
                }
            }
        }

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
