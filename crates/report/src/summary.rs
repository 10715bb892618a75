//! `--format summary`: a terminal table of the run — totals, findings per rule with the most
//! frequent (masked) offending values, per field and per file, and the limits reached.
//! Coloured only when asked (a terminal without `NO_COLOR`); input-derived text is made
//! printable so that it cannot drive the terminal.

use std::io::{self, Write};

use crate::aggregate::{Aggregate, Counts};
use crate::profile_view::{
    contract_rows, day_note, day_rows, field_row, is_dated, missing_profile_note, seen_fields,
    tally_cells,
};
use crate::summary_line_of;
use crate::view::{printable, ViewOptions};

/// Rows shown per table; the rest are summed in a last row.
const ROWS: usize = 20;
/// Fields shown in the field profile (a contract documents fewer).
const FIELD_ROWS: usize = 200;

struct Paint(bool);

impl Paint {
    fn code(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_owned()
        }
    }
}

/// Writes the summary of `aggregate`.
pub fn render(aggregate: &Aggregate, options: &ViewOptions, out: &mut dyn Write) -> io::Result<()> {
    let paint = Paint(options.color);
    let verdict = if aggregate.failed {
        paint.code("1;31", "FAILED")
    } else {
        paint.code("1;32", "PASSED")
    };
    writeln!(
        out,
        "{verdict}  {}",
        summary_line_of(&aggregate.summary, &aggregate.contracts())
    )?;
    let rules: Vec<(String, Counts, String)> = aggregate
        .rules_ranked()
        .into_iter()
        .map(|(code, counts)| {
            let examples: Vec<String> = aggregate
                .examples(code)
                .into_iter()
                .map(|(value, count)| format!("{} ×{count}", printable(value)))
                .collect();
            (code.as_str().to_owned(), counts, examples.join(", "))
        })
        .collect();
    table(out, &paint, "Rule", &rules, Counts::default())?;
    let fields = named(aggregate.fields_ranked());
    table(out, &paint, "Field", &fields, aggregate.other_fields)?;
    let files = named(aggregate.files_ranked());
    table(out, &paint, "File", &files, aggregate.other_files)?;
    drift(out, &paint, aggregate)?;
    profile(out, &paint, aggregate)?;
    if let Some(note) = missing_profile_note(aggregate) {
        writeln!(out, "\nnote: {note}")?;
    }
    for cap in aggregate.caps_hit() {
        writeln!(out, "\nnote: {cap}")?;
    }
    Ok(())
}

/// Undocumented members, unrecognised values and nulls: what drifted, how often, where first.
fn drift(out: &mut dyn Write, paint: &Paint, aggregate: &Aggregate) -> io::Result<()> {
    let entries = aggregate.drift_ranked();
    if entries.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n{}",
        paint.code("1", "Drift (rule, field, value: count, first seen)")
    )?;
    for (code, field, value, count, first) in entries.into_iter().take(ROWS) {
        writeln!(
            out,
            "{code}  {}  {}: {count}, {}",
            printable(field),
            printable(value),
            printable(first)
        )?;
    }
    Ok(())
}

/// Records per contract and per day of their date, and how records hold each field.
fn profile(out: &mut dyn Write, paint: &Paint, aggregate: &Aggregate) -> io::Result<()> {
    let tally = |name: String, t: &enquiry_validator::profile::Tally| {
        std::iter::once(name)
            .chain(tally_cells(t).iter().map(u64::to_string))
            .collect::<Vec<String>>()
    };
    // A saved report's profile may hold anything: every table stays bounded.
    let contracts: Vec<Vec<String>> = contract_rows(aggregate)
        .iter()
        .take(ROWS)
        .map(|row| {
            let name = row.name.unwrap_or("(no contract)").to_owned();
            std::iter::once(name).chain(row.cells()).collect()
        })
        .collect();
    let header = ["contract", "records", "invalid", "errors", "warnings"];
    columns(out, paint, "Records by contract", &header, &contracts)?;
    let Some(data) = &aggregate.profile else {
        return Ok(());
    };
    for contract in data.contracts.iter().take(ROWS) {
        let days: Vec<Vec<String>> = day_rows(contract, ROWS)
            .iter()
            .map(|row| tally(row.label.clone(), &row.tally))
            .collect();
        if is_dated(contract) {
            let title = format!(
                "Records of {} by day of {} (UTC)",
                contract.contract, contract.day_member
            );
            let header = ["day", "records", "invalid", "errors", "warnings"];
            columns(out, paint, &title, &header, &days)?;
            if !days.is_empty() {
                writeln!(out, "{}", day_note(contract))?;
            }
        }
        let (seen, unseen) = seen_fields(contract);
        let fields: Vec<Vec<String>> = seen
            .iter()
            .take(FIELD_ROWS)
            .map(|f| {
                let row = field_row(f);
                std::iter::once(row.field.to_owned())
                    .chain(row.shares.map(|share| share.percent))
                    .collect()
            })
            .collect();
        let title = format!("Field profile of {}", contract.contract);
        let header = ["field", "present", "null", "absent", "wrong type"];
        columns(out, paint, &title, &header, &fields)?;
        if unseen > 0 {
            writeln!(
                out,
                "{unseen} other documented fields are absent from every record."
            )?;
        }
    }
    Ok(())
}

/// A table: the first column left-aligned, the others right-aligned.
fn columns(
    out: &mut dyn Write,
    paint: &Paint,
    title: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|column| {
            rows.iter()
                .map(|row| row[column].chars().count())
                .chain([header[column].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| -> String {
        let mut text = String::new();
        for (column, cell) in cells.into_iter().enumerate() {
            let width = widths[column];
            // Names may come from a saved report: nothing in them may drive the terminal.
            let cell = printable(cell);
            if column == 0 {
                text.push_str(&format!("{cell:<width$}"));
            } else {
                text.push_str(&format!("  {cell:>width$}"));
            }
        }
        text
    };
    writeln!(out, "\n{}", paint.code("1", &printable(title)))?;
    writeln!(out, "{}", line(header.to_vec()))?;
    for row in rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

fn named(items: Vec<(&str, Counts)>) -> Vec<(String, Counts, String)> {
    items
        .into_iter()
        .map(|(name, counts)| (printable(name), counts, String::new()))
        .collect()
}

fn table(
    out: &mut dyn Write,
    paint: &Paint,
    title: &str,
    rows: &[(String, Counts, String)],
    other: Counts,
) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut shown: Vec<(String, Counts, String)> = rows.iter().take(ROWS).cloned().collect();
    let mut rest = other;
    for (_, counts, _) in rows.iter().skip(ROWS) {
        rest.errors += counts.errors;
        rest.warnings += counts.warnings;
    }
    if rest.total() > 0 {
        shown.push(("(others)".to_owned(), rest, String::new()));
    }
    let width = shown
        .iter()
        .map(|(name, _, _)| name.chars().count())
        .chain([title.len()])
        .max()
        .unwrap_or(0)
        .min(60);
    let with_examples = shown.iter().any(|(_, _, examples)| !examples.is_empty());
    let header = format!(
        "{title:<width$}  {:>8}  {:>8}{}",
        "errors",
        "warnings",
        if with_examples { "  examples" } else { "" }
    );
    writeln!(out, "\n{}", paint.code("1", header.trim_end()))?;
    for (name, counts, examples) in &shown {
        let errors = format!("{:>8}", counts.errors);
        let errors = if counts.errors > 0 {
            paint.code("31", &errors)
        } else {
            errors
        };
        let warnings = format!("{:>8}", counts.warnings);
        let warnings = if counts.warnings > 0 {
            paint.code("33", &warnings)
        } else {
            warnings
        };
        let line = format!("{name:<width$}  {errors}  {warnings}  {examples}");
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::fixture::render_with_profile as render;
    use crate::view::{ViewOptions, ViewReporter};

    #[test]
    fn summary_report() {
        let text = render(|out| {
            Box::new(ViewReporter::new(
                Box::new(out),
                ViewOptions::default(),
                super::render,
            ))
        });
        assert!(!text.contains('\u{1b}'));
        assert!(!text.contains("203.0.113.9"), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn summary_report_in_colour_uses_ansi_codes() {
        let options = ViewOptions { color: true };
        let text = render(|out| Box::new(ViewReporter::new(Box::new(out), options, super::render)));
        assert!(text.contains("\u{1b}[1;31mFAILED"), "{text}");
    }
}
