//! The portable random source: ChaCha8 keyed per record, and integer-only helpers.
//!
//! Nothing here uses floating point or platform-sized integers in a way that could change a
//! drawn value between platforms: every helper is defined on `u32`/`u64` arithmetic.

use rand_chacha::rand_core::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The domain of a record's content stream.
pub(crate) const DOMAIN_RECORD: &[u8; 16] = b"enquiry-fake/rec";
/// The domain of a record's "is it a mutant, and which" stream.
pub(crate) const DOMAIN_MUTATION: &[u8; 16] = b"enquiry-fake/mut";
/// The domain of what the strict profile adds to a record (so the default one is unchanged).
pub(crate) const DOMAIN_STRICT: &[u8; 16] = b"enquiry-fake/str";

/// A ChaCha8 stream keyed by `(seed, index, domain)`.
///
/// The 32-byte ChaCha key is `seed` (8 bytes, little endian), `index` (8 bytes, little endian)
/// and a 16-byte domain tag, so that record `index` of `seed` draws the same values whatever
/// the record count, and the mutation decisions never disturb a record's content.
pub(crate) struct Rand {
    rng: ChaCha8Rng,
}

impl Rand {
    pub(crate) fn new(seed: u64, index: u64, domain: &[u8; 16]) -> Rand {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8..16].copy_from_slice(&index.to_le_bytes());
        key[16..].copy_from_slice(domain);
        Rand {
            rng: ChaCha8Rng::from_seed(key),
        }
    }

    pub(crate) fn u32(&mut self) -> u32 {
        self.rng.next_u32()
    }

    pub(crate) fn u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// Uniform in `0..n` (`n > 0`), without modulo bias (Lemire's multiply-and-reject).
    pub(crate) fn below(&mut self, n: u32) -> u32 {
        debug_assert!(n > 0);
        let threshold = n.wrapping_neg() % n;
        loop {
            let product = u64::from(self.u32()) * u64::from(n);
            if (product as u32) >= threshold {
                return (product >> 32) as u32;
            }
        }
    }

    /// Uniform in `0..n` for 64-bit bounds (`n > 0`).
    pub(crate) fn below64(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let zone = u64::MAX - (u64::MAX - n + 1) % n;
        loop {
            let value = self.u64();
            if value <= zone {
                return value % n;
            }
        }
    }

    /// Uniform in `low..=high`.
    pub(crate) fn range(&mut self, low: u64, high: u64) -> u64 {
        debug_assert!(low <= high);
        if high - low == u64::MAX {
            return self.u64();
        }
        low + self.below64(high - low + 1)
    }

    /// An index into a slice of length `len` (`len > 0`).
    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(u32::try_from(len).unwrap_or(u32::MAX)) as usize
    }

    /// One item of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// `true` with probability `percent`/100.
    pub(crate) fn percent(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }

    /// `true` with probability `ppm`/1 000 000.
    pub(crate) fn ppm(&mut self, ppm: u32) -> bool {
        self.below(1_000_000) < ppm
    }

    /// An index drawn by integer weights (not all zero).
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut draw = self.below(total);
        for (index, weight) in weights.iter().enumerate() {
            if draw < *weight {
                return index;
            }
            draw -= weight;
        }
        weights.len() - 1
    }

    /// Twelve random bytes: the body of a MongoDB-style object ID.
    pub(crate) fn bytes12(&mut self) -> [u8; 12] {
        let mut out = [0u8; 12];
        self.rng.fill_bytes(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rand = Rand::new(1, 2, DOMAIN_RECORD);
        let mut seen = [false; 7];
        for _ in 0..1000 {
            let value = rand.below(7) as usize;
            seen[value] = true;
        }
        assert!(seen.iter().all(|seen| *seen));
        for _ in 0..1000 {
            let value = rand.range(5, 9);
            assert!((5..=9).contains(&value));
        }
        assert_eq!(rand.range(3, 3), 3);
    }

    #[test]
    fn streams_are_keyed_by_seed_index_and_domain() {
        let a = Rand::new(1, 2, DOMAIN_RECORD).u64();
        assert_eq!(a, Rand::new(1, 2, DOMAIN_RECORD).u64());
        assert_ne!(a, Rand::new(1, 3, DOMAIN_RECORD).u64());
        assert_ne!(a, Rand::new(2, 2, DOMAIN_RECORD).u64());
        assert_ne!(a, Rand::new(1, 2, DOMAIN_MUTATION).u64());
    }

    #[test]
    fn weighted_respects_zero_weights() {
        let mut rand = Rand::new(9, 9, DOMAIN_RECORD);
        for _ in 0..500 {
            assert_ne!(rand.weighted(&[3, 0, 5]), 1);
        }
    }
}
