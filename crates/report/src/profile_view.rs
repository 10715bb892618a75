//! What the views show of a run's data profile, whatever the medium: the rows of the
//! per-contract, per-day and per-field tables.

use enquiry_validator::profile::{ContractProfile, FieldCounts, Tally};

use crate::aggregate::Aggregate;

/// What the views say of a saved report that has no data profile.
pub const NO_PROFILE: &str = "This saved report has no data profile (records per contract and per day, field profile): write it with `enquiry validate --data-profile --format json` to keep one.";

/// [`NO_PROFILE`] when it applies to `aggregate`.
pub fn missing_profile_note(aggregate: &Aggregate) -> Option<&'static str> {
    (aggregate.saved && aggregate.profile.is_none()).then_some(NO_PROFILE)
}

/// The columns of the per-contract table.
pub const CONTRACT_COLUMNS: [&str; 5] = ["Contract", "Records", "Invalid", "Errors", "Warnings"];
/// The columns of the per-day table.
pub const DAY_COLUMNS: [&str; 5] = ["Day (UTC)", "Records", "Invalid", "Errors", "Warnings"];
/// The columns of the field profile.
pub const FIELD_COLUMNS: [&str; 5] = ["Field", "Present", "Null", "Absent", "Wrong type"];
/// What the per-contract table calls records in no contract.
pub const NO_CONTRACT: &str = "(not a JSON object: no contract)";

/// The counts of a per-contract or per-day row after its name: records, invalid records,
/// errors, warnings.
pub fn tally_cells(t: &Tally) -> [u64; 4] {
    [t.records, t.invalid, t.errors, t.warnings]
}

/// One share of a field-profile row.
pub struct Share {
    /// What it counts, as a class name: `present`, `null`, `absent`, `wrong`.
    pub class: &'static str,
    /// As text (`12.5%`, `-` without records).
    pub percent: String,
    /// As a width out of 100 (0 without records).
    pub width: f64,
}

/// How the records hold one documented field: present, null, absent, of another type.
pub struct FieldRow<'a> {
    /// The field's pointer.
    pub field: &'a str,
    /// The four shares, in the columns' order.
    pub shares: [Share; 4],
}

/// The field-profile row of `counts`.
pub fn field_row(counts: &FieldCounts) -> FieldRow<'_> {
    let all = counts.records();
    let share = |class, count: u64| Share {
        class,
        percent: percent(count, all),
        width: if all == 0 {
            0.0
        } else {
            100.0 * count as f64 / all as f64
        },
    };
    FieldRow {
        field: &counts.field,
        shares: [
            share("present", counts.present),
            share("null", counts.null),
            share("absent", counts.absent),
            share("wrong", counts.wrong_type),
        ],
    }
}

/// A row of the per-contract table; `None` as name for records in no contract.
pub struct ContractRow<'a> {
    /// The contract, or `None` for records that are not JSON objects.
    pub name: Option<&'a str>,
    /// Its counts (only `records` for records in no contract).
    pub tally: Tally,
}

impl ContractRow<'_> {
    /// Records, invalid records, errors and warnings as text; `-` for what is not known of
    /// records in no contract (their findings are in the run's totals, among the input's own).
    pub fn cells(&self) -> [String; 4] {
        let t = &self.tally;
        let known = |count: u64| match self.name {
            Some(_) => count.to_string(),
            None => "-".to_owned(),
        };
        [
            t.records.to_string(),
            known(t.invalid),
            known(t.errors),
            known(t.warnings),
        ]
    }
}

/// The per-contract rows, then records in no contract (syntax errors, records too large,
/// non-objects) when there are any. Empty without a profile.
pub fn contract_rows(aggregate: &Aggregate) -> Vec<ContractRow<'_>> {
    let Some(profile) = &aggregate.profile else {
        return Vec::new();
    };
    let mut rows: Vec<ContractRow<'_>> = profile
        .contracts
        .iter()
        .map(|contract| ContractRow {
            name: Some(&contract.contract),
            tally: contract.totals,
        })
        .collect();
    let outside = aggregate.summary.records.saturating_sub(profile.records());
    if outside > 0 {
        rows.push(ContractRow {
            name: None,
            tally: Tally {
                records: outside,
                ..Tally::default()
            },
        });
    }
    rows
}

/// A row of the per-day table.
pub struct DayRow {
    /// `YYYY-MM-DD`, or a bucket in parentheses.
    pub label: String,
    /// The records of the day and their findings.
    pub tally: Tally,
    /// Whether the row is a day (not a bucket).
    pub is_day: bool,
}

/// The latest `latest` days, oldest first, then the buckets that are not empty: earlier days
/// (those older than the days shown), records with no date, records with an invalid date.
pub fn day_rows(contract: &ContractProfile, latest: usize) -> Vec<DayRow> {
    let skip = contract.days.len().saturating_sub(latest);
    let mut earlier = contract.earlier_days;
    contract
        .days
        .values()
        .take(skip)
        .for_each(|tally| earlier.add(tally));
    let mut rows: Vec<DayRow> = contract
        .dated()
        .skip(skip)
        .map(|(label, tally)| DayRow {
            label,
            tally: *tally,
            is_day: true,
        })
        .collect();
    for (label, tally) in [
        ("(earlier days)", earlier),
        ("(no date)", contract.missing_date),
        ("(invalid date)", contract.invalid_date),
    ] {
        if tally.records > 0 {
            rows.insert(
                if label == "(earlier days)" {
                    0
                } else {
                    rows.len()
                },
                DayRow {
                    label: label.to_owned(),
                    tally,
                    is_day: false,
                },
            );
        }
    }
    rows
}

/// `part` of `whole` as a percentage with one decimal (`12.5%`); `-` when `whole` is 0.
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".to_owned()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// Fields some record has (present, `null` or of another type), in the documentation's
/// order, and how many documented fields no record has.
pub fn seen_fields(contract: &ContractProfile) -> (Vec<&FieldCounts>, usize) {
    let (seen, unseen): (Vec<&FieldCounts>, Vec<&FieldCounts>) = contract
        .fields
        .iter()
        .partition(|counts| counts.absent < counts.records());
    (seen, unseen.len())
}

/// Whether the contract's records are dated (the handshake bodies have no date member): the
/// views show records by day only for those.
pub fn is_dated(contract: &ContractProfile) -> bool {
    !contract.day_member.is_empty()
}

/// The sentence under the day table: what the days are and what the buckets mean.
pub fn day_note(contract: &ContractProfile) -> String {
    format!(
        "Days are UTC days of {}; records without it (or with null) have no date; records where it is not an RFC 3339 date-time have an invalid date; at most {} days are listed, older ones are summed as earlier days.",
        contract.day_member,
        enquiry_validator::profile::MAX_DAYS
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use enquiry_validator::profile::DataProfile;
    use enquiry_validator::{Config, Validator};

    fn contract(input: &str) -> ContractProfile {
        let mut profile = DataProfile::new();
        Validator::new(Config::default())
            .validate_stream_profiled(input.as_bytes(), "in", 1, &mut |_| {}, &mut profile)
            .unwrap();
        profile.contracts.remove(0)
    }

    #[test]
    fn day_rows_show_the_latest_days_then_the_buckets() {
        let mut input = String::new();
        for day in 1..=5 {
            input.push_str(&format!(
                "{{\"_id\":\"a\",\"createdAt\":\"2022-11-0{day}T10:00:00Z\",\"status\":\"ongoing\"}}\n"
            ));
        }
        input.push_str("{\"_id\":\"b\",\"status\":\"ongoing\"}\n");
        input.push_str("{\"_id\":\"c\",\"createdAt\":\"yesterday\",\"status\":\"ongoing\"}\n");
        let rows = day_rows(&contract(&input), 2);
        let labels: Vec<(&str, u64)> = rows
            .iter()
            .map(|row| (row.label.as_str(), row.tally.records))
            .collect();
        assert_eq!(
            labels,
            [
                ("(earlier days)", 3),
                ("2022-11-04", 1),
                ("2022-11-05", 1),
                ("(no date)", 1),
                ("(invalid date)", 1)
            ]
        );
        assert_eq!(percent(1, 8), "12.5%");
        assert_eq!(percent(0, 0), "-");
    }
}
