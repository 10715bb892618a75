//! Calendar arithmetic and canonical RFC 3339 formatting, without floating point or a clock.

/// Milliseconds since 1970-01-01T00:00:00Z.
pub(crate) type Millis = i64;

pub(crate) const SECOND: Millis = 1_000;
pub(crate) const MINUTE: Millis = 60 * SECOND;
pub(crate) const HOUR: Millis = 60 * MINUTE;
pub(crate) const DAY: Millis = 24 * HOUR;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
#[cfg(test)]
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The broken-down UTC time of an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    pub(crate) year: i64,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
    pub(crate) milli: u32,
}

impl Civil {
    pub(crate) fn of(millis: Millis) -> Civil {
        let days = millis.div_euclid(DAY);
        let rest = millis.rem_euclid(DAY);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: (rest / HOUR) as u32,
            minute: (rest % HOUR / MINUTE) as u32,
            second: (rest % MINUTE / SECOND) as u32,
            milli: (rest % SECOND) as u32,
        }
    }
}

fn push_digits(out: &mut Vec<u8>, value: u32, width: usize) {
    let mut digits = [b'0'; 10];
    let mut value = value;
    for slot in digits[..width].iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    out.extend_from_slice(&digits[..width]);
}

/// Writes `YYYY-MM-DDTHH:MM:SS.mmmZ` (years 0000 to 9999).
pub(crate) fn push_timestamp(out: &mut Vec<u8>, millis: Millis) {
    let civil = Civil::of(millis);
    push_civil(out, &civil, true);
}

/// Writes a broken-down time, with or without the `Z` (mutants use the fields freely).
pub(crate) fn push_civil(out: &mut Vec<u8>, civil: &Civil, zone: bool) {
    push_digits(out, civil.year.clamp(0, 9999) as u32, 4);
    out.push(b'-');
    push_digits(out, civil.month, 2);
    out.push(b'-');
    push_digits(out, civil.day, 2);
    out.push(b'T');
    push_digits(out, civil.hour, 2);
    out.push(b':');
    push_digits(out, civil.minute, 2);
    out.push(b':');
    push_digits(out, civil.second, 2);
    out.push(b'.');
    push_digits(out, civil.milli, 3);
    if zone {
        out.push(b'Z');
    }
}

/// The canonical text of an instant.
#[cfg(test)]
pub(crate) fn timestamp(millis: Millis) -> String {
    let mut out = Vec::with_capacity(24);
    push_timestamp(&mut out, millis);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(timestamp(1_667_779_200_000), "2022-11-07T00:00:00.000Z");
        assert_eq!(
            timestamp(951_782_400_000 + 12 * HOUR + 345),
            "2000-02-29T12:00:00.345Z"
        );
        assert_eq!(timestamp(1_767_225_599_999), "2025-12-31T23:59:59.999Z");
    }

    #[test]
    fn civil_round_trip() {
        for days in (-800_000..800_000).step_by(997) {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
        }
    }
}
