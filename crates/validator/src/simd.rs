//! The validator's one use of `std::arch`: finding where a string's plain run ends, sixteen
//! bytes per step.
//!
//! Almost every byte of a record is inside a string, and almost every string is plain ASCII
//! ended by its quote, so the parser's hottest loop is the search for the first quote,
//! backslash, control character or non-ASCII byte. With SSE2 (part of the x86-64 baseline, so
//! present on every CPU an x86-64 build runs on: the "detection" is the compile-time
//! `target_feature`) that is three compares and a mask per sixteen bytes; elsewhere, and for
//! the last bytes of the input, eight bytes at a time in a `u64` ([`plain_end_scalar`]). A
//! proptest holds the two forms to the same answer on any bytes from any start.

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

/// [`plain_end_scalar`] with SSE2.
///
/// The only `unsafe` of the validator. Invariant: this is compiled only where SSE2 is enabled
/// for the whole program (`target_feature = "sse2"`, the x86-64 baseline), so the intrinsics
/// can run on any CPU the program runs on; each load reads the 16 bytes of a slice that
/// `bytes.get(pos..pos + 16)` has just proved in bounds, unaligned loads allowed.
/// `tests::sse2_agrees_with_the_portable_form` checks it against [`plain_end_scalar`].
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[allow(
    unsafe_code,
    reason = "SSE2 intrinsics; sound by the invariant above, checked against the portable form"
)]
#[inline(always)]
pub(crate) fn plain_end(bytes: &[u8], mut pos: usize) -> usize {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    while let Some(chunk) = bytes.get(pos..pos + 16) {
        // SAFETY: see the invariant above: SSE2 is enabled, and `chunk` holds 16 bytes.
        let mask = unsafe {
            let lane = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let quote = _mm_cmpeq_epi8(lane, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(lane, _mm_set1_epi8(b'\\' as i8));
            // A signed compare: bytes from 0x80 are negative, so "below 0x20" is a control
            // character or a non-ASCII byte.
            let low = _mm_cmplt_epi8(lane, _mm_set1_epi8(0x20));
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), low))
        };
        if mask != 0 {
            return pos + mask.trailing_zeros() as usize;
        }
        pos += 16;
    }
    plain_end_scalar(bytes, pos)
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

    proptest! {
        /// Any bytes, any start (past the end too): the same offset as the portable form and
        /// as a byte-by-byte search.
        #[test]
        fn sse2_agrees_with_the_portable_form(
            bytes in proptest::collection::vec(
                prop_oneof![
                    8 => proptest::sample::select(b"abcXYZ019 -:.".to_vec()),
                    1 => proptest::sample::select(vec![b'"', b'\\', 0x00, 0x1F, 0x20, 0x7F, 0x80, 0xC3, 0xFF]),
                ],
                0..80,
            ),
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
    }
}
