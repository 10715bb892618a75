//! ISO code tables: ISO 639-1 language codes and ISO 3166-1 alpha-2 country codes.
//!
//! The codes come from maintained crates (`isolang`, `celes`), copied into `generated/` by
//! `cargo xtask codegen` (so this crate does not link them, nor the proc-macros they need;
//! `--check` fails when the copy is stale); this module only turns them into bit sets for
//! allocation-free lookups on the validator's hot path.

use std::sync::OnceLock;

#[rustfmt::skip]
#[path = "generated/iso_codes.rs"]
mod generated;

/// A set of two-letter codes over one letter case, as 26 x 26 bits.
struct TwoLetterSet {
    rows: [u32; 26],
    sorted: Vec<&'static str>,
}

impl TwoLetterSet {
    fn new(codes: impl Iterator<Item = &'static str>, base: u8) -> TwoLetterSet {
        let mut rows = [0u32; 26];
        let mut sorted = Vec::new();
        for code in codes {
            let bytes = code.as_bytes();
            if bytes.len() == 2 && bytes.iter().all(|b| (base..base + 26).contains(b)) {
                rows[usize::from(bytes[0] - base)] |= 1 << (bytes[1] - base);
                sorted.push(code);
            }
        }
        sorted.sort_unstable();
        sorted.dedup();
        TwoLetterSet { rows, sorted }
    }

    fn contains(&self, code: &[u8], base: u8) -> bool {
        match code {
            [first, second]
                if (base..base + 26).contains(first) && (base..base + 26).contains(second) =>
            {
                self.rows[usize::from(first - base)] & (1 << (second - base)) != 0
            }
            _ => false,
        }
    }
}

fn languages() -> &'static TwoLetterSet {
    static SET: OnceLock<TwoLetterSet> = OnceLock::new();
    SET.get_or_init(|| TwoLetterSet::new(generated::LANGUAGE_CODES.iter().copied(), b'a'))
}

fn countries() -> &'static TwoLetterSet {
    static SET: OnceLock<TwoLetterSet> = OnceLock::new();
    SET.get_or_init(|| TwoLetterSet::new(generated::COUNTRY_CODES.iter().copied(), b'A'))
}

/// Whether `code` is an assigned ISO 639-1 code in lower case (`en`).
pub fn is_language_code(code: &[u8]) -> bool {
    languages().contains(code, b'a')
}

/// Whether `code` is an assigned ISO 3166-1 alpha-2 code in upper case (`HK`).
pub fn is_country_code(code: &[u8]) -> bool {
    countries().contains(code, b'A')
}

/// Every ISO 639-1 code, sorted.
pub fn language_codes() -> &'static [&'static str] {
    &languages().sorted
}

/// Every ISO 3166-1 alpha-2 code, sorted.
pub fn country_codes() -> &'static [&'static str] {
    &countries().sorted
}
