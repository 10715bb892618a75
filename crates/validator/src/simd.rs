//! The validator's uses of `std::arch` (its only `unsafe`): finding where a string's plain run
//! ends, sixteen bytes per step, and asking for input bytes ahead of their use.
//!
//! Almost every byte of a record is inside a string, and almost every string is plain ASCII
//! ended by its quote, so the parser's hottest loop is the search for the first quote,
//! backslash, control character or non-ASCII byte. With SSE2 (part of the x86-64 baseline, so
//! present on every CPU an x86-64 build runs on: the "detection" is the compile-time
//! `target_feature`) that is three compares and a mask per sixteen bytes; elsewhere, and for
//! the last bytes of the input, eight bytes at a time in a `u64` ([`plain_end_scalar`]). A
//! proptest holds the two forms to the same answer on any bytes from any start. The parser
//! asks through [`Specials`], which keeps the mask of 64 bytes for the strings that follow;
//! another proptest holds it to the search from scratch. [`prefetch`], the NDJSON loop's
//! request for the lines ahead, is the other use.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// A mask whose lowest set byte marks the first byte of `word` that ends the plain run:
/// a quote, a backslash, a control character or a non-ASCII byte.
#[inline]
pub(crate) fn special_mask(word: u64) -> u64 {
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let has_quote = quote.wrapping_sub(ONES) & !quote;
    let has_backslash = backslash.wrapping_sub(ONES) & !backslash;
    let has_control = word.wrapping_sub(ONES * 0x20) & !word;
    (has_quote | has_backslash | has_control | word) & HIGHS
}

/// Whether `byte` ends a plain run.
#[inline(always)]
fn is_special(byte: u8) -> bool {
    matches!(byte, b'"' | b'\\' | 0x00..=0x1F | 0x80..=0xFF)
}

/// The offset of the first byte at or after `pos` that ends a plain run (see
/// [`special_mask`]), or `bytes.len()`: the portable form.
#[inline(always)]
pub(crate) fn plain_end_scalar(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(chunk) = bytes.get(pos..pos + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let mask = special_mask(u64::from_le_bytes(word));
        if mask != 0 {
            return pos + (mask.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while let Some(&byte) = bytes.get(pos) {
        if is_special(byte) {
            break;
        }
        pos += 1;
    }
    pos
}

/// Bit `n` set: byte `n` of the 16 ends a plain run (see [`special_mask`]).
///
/// The only `unsafe` reads of the validator. Invariant: this is compiled only where SSE2 is
/// enabled for the whole program (`target_feature = "sse2"`, the x86-64 baseline), so the
/// intrinsics can run on any CPU the program runs on; the load reads the 16 bytes of `lane`, a
/// reference to exactly 16 bytes, unaligned loads allowed. `tests::sse2_agrees_with_the_portable_form`
/// checks [`plain_end`] against [`plain_end_scalar`] through it.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[allow(
    unsafe_code,
    reason = "SSE2 intrinsics; sound by the invariant above, checked against the portable form"
)]
#[inline(always)]
fn lane_mask(lane: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    // SAFETY: see the invariant above: SSE2 is enabled, and `lane` holds 16 bytes.
    let mask = unsafe {
        let lane = _mm_loadu_si128(lane.as_ptr().cast::<__m128i>());
        let quote = _mm_cmpeq_epi8(lane, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(lane, _mm_set1_epi8(b'\\' as i8));
        // A signed compare: bytes from 0x80 are negative, so "below 0x20" is a control
        // character or a non-ASCII byte.
        let low = _mm_cmplt_epi8(lane, _mm_set1_epi8(0x20));
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), low))
    };
    mask as u32
}

/// [`plain_end_scalar`] with SSE2, 16 bytes per step ([`lane_mask`]).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
pub(crate) fn plain_end(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(lane) = bytes
        .get(pos..pos + 16)
        .and_then(|lane| <&[u8; 16]>::try_from(lane).ok())
    {
        let mask = lane_mask(lane);
        if mask != 0 {
            return pos + mask.trailing_zeros() as usize;
        }
        pos += 16;
    }
    plain_end_scalar(bytes, pos)
}

/// The specials of one 64-byte block of the input, kept between strings: the parser asks
/// where the plain run from `pos` ends once per string, and the strings of a record sit a few
/// bytes apart, so most answers come from the block already computed. That takes the vector
/// compares off the chain from one string's end to the next (a shift and a count instead of a
/// load, compares and a mask per string).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Specials {
    /// The offset of the block's first byte, or [`Specials::NONE`].
    base: usize,
    /// Bit `n` set: byte `base + n` ends a plain run (see [`special_mask`]).
    mask: u64,
}

impl Default for Specials {
    fn default() -> Specials {
        Specials {
            base: Specials::NONE,
            mask: 0,
        }
    }
}

impl Specials {
    /// No block: an offset whose distance from any offset of an input is at least 64.
    const NONE: usize = usize::MAX / 2;

    /// [`plain_end`] of `bytes` from `pos`, through the kept block of the same `bytes` (a new
    /// input needs [`Specials::default`]).
    #[inline(always)]
    pub(crate) fn plain_end(&mut self, bytes: &[u8], mut pos: usize) -> usize {
        loop {
            let offset = pos.wrapping_sub(self.base);
            if offset < 64 {
                let rest = self.mask >> offset;
                if rest != 0 {
                    return pos + rest.trailing_zeros() as usize;
                }
                pos = self.base + 64;
            }
            let Some(block) = bytes.get(pos..pos + 64) else {
                return plain_end(bytes, pos);
            };
            self.base = pos;
            self.mask = block_mask(block);
        }
    }
}

/// Bit `n` set: byte `n` of the 64 ends a plain run (see [`special_mask`]).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn block_mask(block: &[u8]) -> u64 {
    let mut mask = 0u64;
    for (index, lane) in block.chunks_exact(16).enumerate() {
        if let Ok(lane) = <&[u8; 16]>::try_from(lane) {
            mask |= u64::from(lane_mask(lane)) << (16 * index);
        }
    }
    mask
}

/// Asks for the cache lines of `bytes` in `range` ahead of their use, one request per 64
/// bytes (none past the end). Reading a file held in memory is a stream the hardware does
/// not always see coming (a new page stops its prefetcher), and the first pass over each
/// line, the search for its end, waited on memory.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[allow(
    unsafe_code,
    reason = "a prefetch reads no value and never faults; its addresses are of bytes in bounds"
)]
#[inline(always)]
pub(crate) fn prefetch(bytes: &[u8], range: std::ops::Range<usize>) {
    use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
    let Some(ahead) = bytes.get(range.start..range.end.min(bytes.len())) else {
        return;
    };
    for line in ahead.chunks(64) {
        // SAFETY: SSE (which SSE2 implies) is enabled for the whole program; the address is
        // of a byte of `bytes`, and a prefetch reads nothing the program sees.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(line.as_ptr().cast()) }
    }
}

/// Elsewhere, no prefetch.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
pub(crate) fn prefetch(_bytes: &[u8], _range: std::ops::Range<usize>) {}

/// Elsewhere, the portable form.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
fn block_mask(block: &[u8]) -> u64 {
    block
        .iter()
        .enumerate()
        .filter(|(_, &byte)| is_special(byte))
        .fold(0, |mask, (index, _)| mask | 1 << index)
}

/// Elsewhere, the portable form.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(always)]
pub(crate) fn plain_end(bytes: &[u8], pos: usize) -> usize {
    plain_end_scalar(bytes, pos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Mostly plain text, with every kind of byte that ends a plain run, and some that do not.
    fn text_bytes(max_len: usize) -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![
                8 => proptest::sample::select(b"abcXYZ019 -:.".to_vec()),
                1 => proptest::sample::select(vec![b'"', b'\\', 0x00, 0x1F, 0x20, 0x7F, 0x80, 0xC3, 0xFF]),
            ],
            0..max_len,
        )
    }

    proptest! {
        /// Any bytes, any start (past the end too): the same offset as the portable form and
        /// as a byte-by-byte search.
        #[test]
        fn sse2_agrees_with_the_portable_form(
            bytes in text_bytes(80),
            start in 0usize..90,
        ) {
            let naive = bytes
                .iter()
                .skip(start)
                .position(|&byte| is_special(byte))
                .map_or(bytes.len().max(start), |at| start + at);
            prop_assert_eq!(plain_end_scalar(&bytes, start), naive);
            prop_assert_eq!(plain_end(&bytes, start), naive);
        }

        /// Any bytes, any series of starts (forwards, backwards, past the end, as a parse and
        /// beyond it asks): the kept block answers as the search from scratch does.
        #[test]
        fn kept_blocks_agree_with_the_search(
            bytes in text_bytes(300),
            starts in proptest::collection::vec(0usize..320, 1..40),
            sorted in any::<bool>(),
        ) {
            let mut starts = starts;
            if sorted {
                starts.sort_unstable();
            }
            let mut specials = Specials::default();
            for start in starts {
                prop_assert_eq!(specials.plain_end(&bytes, start), plain_end(&bytes, start));
            }
        }
    }
}
