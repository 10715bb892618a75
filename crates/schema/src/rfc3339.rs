//! RFC 3339 date-times: the one parser of the contract's timestamps.
//!
//! The validator's `date-time` and `timeline` rules, the strict profile's canonical-form check,
//! the typed model's [`Timestamp::parse`](crate::Timestamp::parse) and the fake generator's
//! tests all call [`parse_timestamp`], so they accept exactly the same strings: the grammar of
//! [`RFC3339_PATTERN`](crate::json_schema::RFC3339_PATTERN) (`T` or `t`, `Z` or `z`, any number
//! of fraction digits, offsets up to `23:59`, second `60`, year `0000`; no space separator)
//! and a real calendar date. Second `60` is a leap second, which RFC 3339 places at the end of
//! a UTC day: it is accepted only where the time, moved to UTC by its offset, is `23:59`
//! (`23:59:60Z`, `07:59:60+08:00`), as JSON Schema's `date-time` format decides. No
//! allocation: it runs once per timestamp on the validator's hot path.

/// A parsed RFC 3339 timestamp: milliseconds since the epoch, and whether it is canonical.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant {
    /// Milliseconds since 1970-01-01T00:00:00Z. A leap second (`:60`) counts as the last
    /// millisecond of its minute, so that it orders after every earlier instant and before
    /// the next minute.
    pub millis: i64,
    /// Written `YYYY-MM-DDThh:mm:ss.sssZ` (what the strict profile requires).
    pub canonical: bool,
    /// The zone offset written, in minutes east of UTC.
    pub offset_minutes: i16,
}

/// The last calendar date checked and its day number: the timestamps of one record (and of
/// consecutive records) mostly share a date, so the calendar is computed once per date.
pub type DayCache = Option<((u32, u32, u32), i64)>;

/// Checks `text` against [`RFC3339_PATTERN`](crate::json_schema::RFC3339_PATTERN) by hand
/// (same grammar), then the calendar; `None` when it is not an RFC 3339 date-time with a zone
/// and a real calendar date.
pub fn parse_timestamp(text: &[u8], cache: &mut DayCache) -> Option<Instant> {
    if let Some(instant) = canonical_timestamp(text, cache) {
        return Some(instant);
    }
    general_timestamp(text, cache)
}

/// The canonical form, `0` standing for a digit.
const CANONICAL: &[u8; 24] = b"0000-00-00T00:00:00.000Z";

/// Of each 8-byte word of [`CANONICAL`]: which bytes are digits, which are the fixed
/// characters, and those characters in place.
const fn word_masks(word: usize) -> (u64, u64, u64) {
    let (mut digits, mut fixed, mut chars) = (0u64, 0u64, 0u64);
    let mut at = 0;
    while at < 8 {
        let byte = CANONICAL[word * 8 + at];
        if byte == b'0' {
            digits |= 0xFF << (8 * at);
        } else {
            fixed |= 0xFF << (8 * at);
            chars |= (byte as u64) << (8 * at);
        }
        at += 1;
    }
    (digits, fixed, chars)
}

const WORD_MASKS: [(u64, u64, u64); 3] = [word_masks(0), word_masks(1), word_masks(2)];

/// Whether the 8 bytes `word` (word `index` of a 24-byte text) have [`CANONICAL`]'s shape: its
/// characters where it has them, ASCII digits where it has `0`. A byte is a digit when its
/// high nibble is 3 and adding 6 keeps it so; no byte passing the first tests carries into the
/// next one when 6 is added to each.
#[inline(always)]
fn canonical_shape(word: u64, index: usize) -> bool {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const THREES: u64 = 0x3030_3030_3030_3030;
    const SIXES: u64 = 0x0606_0606_0606_0606;
    let (digits, fixed, chars) = WORD_MASKS[index];
    word & fixed == chars
        && word & digits & HIGH == THREES & digits
        && word.wrapping_add(SIXES) & digits & HIGH == THREES & digits
}

/// The fast path of [`parse_timestamp`] for the canonical `YYYY-MM-DDThh:mm:ss.sssZ` (what
/// producers write): the shape checked a word at a time, fields read at fixed offsets.
/// `None` means "not handled here", and the general path decides (and agrees on every input
/// this accepts: same fields, same range checks, same calendar).
#[inline]
fn canonical_timestamp(text: &[u8], cache: &mut DayCache) -> Option<Instant> {
    let text: &[u8; 24] = text.try_into().ok()?;
    let word = |index: usize| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&text[index * 8..index * 8 + 8]);
        u64::from_le_bytes(bytes)
    };
    if !(canonical_shape(word(0), 0) && canonical_shape(word(1), 1) && canonical_shape(word(2), 2))
    {
        return None;
    }
    // Each digit's value is its low nibble; byte `at` of `pairs` is the number the digits at
    // `at` and `at + 1` write (at most 15 * 10 + 15: no byte carries into the next).
    let pairs = |word: u64| {
        let nibbles = word & 0x0F0F_0F0F_0F0F_0F0F;
        nibbles * 10 + (nibbles >> 8)
    };
    let byte = |word: u64, at: u32| ((word >> (8 * at)) & 0xFF) as u32;
    let (date, time, seconds) = (pairs(word(0)), pairs(word(1)), pairs(word(2)));
    let year = byte(date, 0) * 100 + byte(date, 2);
    let month = byte(date, 5);
    let day = byte(time, 0);
    let hour = byte(time, 3);
    let minute = byte(time, 6);
    let second = byte(seconds, 1);
    let millis = byte(seconds, 4) * 10 + u32::from(text[22] & 0x0F);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
        || (second == 60 && (hour, minute) != (23, 59))
    {
        return None;
    }
    let days = day_number(year, month, day, cache)?;
    Some(Instant {
        millis: epoch_millis(days, hour * 3600 + minute * 60, second, millis, 0),
        canonical: true,
        offset_minutes: 0,
    })
}

/// Whether local `hour:minute` at `offset_minutes` east of UTC is 23:59 UTC, the only minute
/// a leap second can end.
fn is_last_utc_minute(hour: u32, minute: u32, offset_minutes: i64) -> bool {
    (i64::from(hour * 60 + minute) - offset_minutes).rem_euclid(24 * 60) == 24 * 60 - 1
}

/// Milliseconds since the epoch of a local time with a zone offset. A leap second (`:60`, any
/// fraction) is the last millisecond of its minute: after `:59.999` at the latest, before the
/// next minute's `:00`, so timeline comparisons across it stay true.
#[inline]
fn epoch_millis(
    days: i64,
    minute_seconds: u32,
    second: u32,
    millis: u32,
    offset_minutes: i64,
) -> i64 {
    let (second, millis) = if second == 60 {
        (59, 999)
    } else {
        (second, millis)
    };
    let seconds = days * 86_400 + i64::from(minute_seconds + second) - offset_minutes * 60;
    seconds * 1000 + i64::from(millis)
}

/// Days from 1970-01-01 to a valid calendar date, or `None`; remembers the last date asked.
/// The remembered date inline (the usual case), the calendar out of line.
#[inline(always)]
fn day_number(year: u32, month: u32, day: u32, cache: &mut DayCache) -> Option<i64> {
    match *cache {
        Some((known, days)) if known == (year, month, day) => Some(days),
        _ => new_day_number(year, month, day, cache),
    }
}

#[inline(never)]
fn new_day_number(year: u32, month: u32, day: u32, cache: &mut DayCache) -> Option<i64> {
    let days = civil_days(year, month, day)?;
    *cache = Some(((year, month, day), days));
    Some(days)
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar, or `None` when there
/// is no such date (month 13, 30 February, 29 February of a common year). Arithmetic only
/// (the days-from-civil algorithm), so a timestamp costs no calendar library call; a test holds
/// it to chrono's calendar.
#[inline]
fn civil_days(year: u32, month: u32, day: u32) -> Option<i64> {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let length = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if day == 0 || day > length {
        return None;
    }
    // Years counted from March, so the leap day ends the year; eras of 400 years.
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (i64::from(month) + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

/// [`parse_timestamp`] for any input.
fn general_timestamp(text: &[u8], cache: &mut DayCache) -> Option<Instant> {
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        let mut value = 0u32;
        for &byte in part {
            if !byte.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(byte - b'0');
        }
        Some(value)
    };
    let year = digits(0..4)?;
    let month = digits(5..7)?;
    let day = digits(8..10)?;
    let hour = digits(11..13)?;
    let minute = digits(14..16)?;
    let second = digits(17..19)?;
    if text.get(4) != Some(&b'-')
        || text.get(7) != Some(&b'-')
        || !matches!(text.get(10), Some(b'T' | b't'))
        || text.get(13) != Some(&b':')
        || text.get(16) != Some(&b':')
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut pos = 19;
    let mut millis_part = 0u32;
    let mut fraction_digits = 0usize;
    if text.get(pos) == Some(&b'.') {
        pos += 1;
        let start = pos;
        while text.get(pos).is_some_and(u8::is_ascii_digit) {
            if pos - start < 3 {
                millis_part = millis_part * 10 + u32::from(text[pos] - b'0');
            }
            pos += 1;
        }
        fraction_digits = pos - start;
        if fraction_digits == 0 {
            return None;
        }
        for _ in fraction_digits..3 {
            millis_part *= 10;
        }
    }
    let offset_minutes: i64 = match text.get(pos) {
        Some(b'Z' | b'z') if pos + 1 == text.len() => 0,
        Some(sign @ (b'+' | b'-')) if pos + 6 == text.len() => {
            let offset_hour = digits(pos + 1..pos + 3)?;
            let offset_minute = digits(pos + 4..pos + 6)?;
            if text.get(pos + 3) != Some(&b':') || offset_hour > 23 || offset_minute > 59 {
                return None;
            }
            let minutes = i64::from(offset_hour * 60 + offset_minute);
            if *sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    if second == 60 && !is_last_utc_minute(hour, minute, offset_minutes) {
        return None;
    }
    let days = day_number(year, month, day, cache)?;
    let millis = epoch_millis(
        days,
        hour * 3600 + minute * 60,
        second,
        millis_part,
        offset_minutes,
    );
    let canonical =
        text.get(10) == Some(&b'T') && fraction_digits == 3 && text.last() == Some(&b'Z');
    Some(Instant {
        millis,
        canonical,
        offset_minutes: offset_minutes as i16,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, NaiveDate};
    use proptest::prelude::*;

    proptest! {
        /// The word-at-a-time fast path accepts only what the general path accepts, with the
        /// same instant: canonical texts with any byte replaced (digits, the fixed
        /// characters, bytes that would carry into a neighbour when 6 is added).
        #[test]
        fn canonical_path_agrees_with_the_general_path(
            year in 0u32..10_000,
            month in 0u32..14,
            day in 0u32..33,
            hour in 0u32..25,
            minute in 0u32..61,
            second in 0u32..62,
            millis in 0u32..1000,
            edits in proptest::collection::vec(
                (0usize..24, prop_oneof![
                    proptest::sample::select(b"0123456789:-.TtZz/+ \x2f\x3a\xfa\xff\x00".to_vec()),
                    any::<u8>(),
                ]),
                0..3,
            ),
        ) {
            let mut text = format!(
                "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{millis:03}Z"
            )
            .into_bytes();
            for (at, byte) in edits {
                text[at] = byte;
            }
            let fast = canonical_timestamp(&text, &mut None);
            if let Some(instant) = fast {
                prop_assert_eq!(Some(instant), general_timestamp(&text, &mut None));
            }
            let by_general = general_timestamp(&text, &mut None);
            let canonical = by_general.is_some_and(|instant| instant.canonical);
            prop_assert_eq!(fast.is_some(), canonical);
        }
    }

    /// Every byte value in every position of a canonical timestamp: the fast path takes the
    /// text exactly when the byte keeps it canonical.
    #[test]
    fn canonical_path_rejects_every_other_byte() {
        let base = *b"2022-11-07T13:45:59.123Z";
        for at in 0..24 {
            for byte in 0..=255u8 {
                let mut text = base;
                text[at] = byte;
                let fast = canonical_timestamp(&text, &mut None);
                let general =
                    general_timestamp(&text, &mut None).filter(|instant| instant.canonical);
                assert_eq!(fast, general, "{:?}", String::from_utf8_lossy(&text));
            }
        }
    }

    /// Every day (and every impossible day 29 to 32) of every month of four centuries around
    /// the leap rules' edges, and of years 0 and 9999: the same answer as chrono's calendar.
    #[test]
    fn civil_days_is_the_gregorian_calendar() {
        let years = (0..=2).chain(1596..=2404).chain(9997..=9999);
        for year in years {
            for month in 0..=13 {
                for day in 0..=32 {
                    let chrono = i32::try_from(year)
                        .ok()
                        .and_then(|year| NaiveDate::from_ymd_opt(year, month, day))
                        .map(|date| i64::from(date.num_days_from_ce()) - 719_163);
                    assert_eq!(civil_days(year, month, day), chrono, "{year}-{month}-{day}");
                }
            }
        }
    }
}
