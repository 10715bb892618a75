//! `--format markdown`: the summary as GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY`
//! and pull-request comments.
//!
//! GitHub refuses a step summary over 1 MiB, so the document is bounded whatever the input:
//! the tables come from the bounded [`Aggregate`] and the list of findings stops at
//! [`BUDGET`] bytes, saying how many were left out. Input-derived text is escaped so that it
//! renders as the text it is (no markup, links, mentions or HTML).

use std::fmt::Write as _;
use std::io::{self, Write};

use enquiry_validator::profile::ContractProfile;

use crate::aggregate::{clip, Aggregate, Counts};
use crate::profile_view::{
    contract_rows, day_note, day_rows, field_row, is_dated, missing_profile_note, tally_cells,
    CONTRACT_COLUMNS, DAY_COLUMNS, FIELD_COLUMNS, NO_CONTRACT,
};
use crate::view::{markdown_escape, ViewOptions};
use crate::{summary_line_of, ContractCounts};

/// The most bytes written before the list of findings is cut (GitHub's limit is 1 MiB).
pub const BUDGET: usize = 900 * 1024;

/// Rows of the field and file tables.
const ROWS: usize = 30;
/// The most bytes of the data profile section (a saved report's profile may be anything).
const PROFILE_BUDGET: usize = 256 * 1024;
/// Characters shown of a name from the data profile.
const NAME_CHARS: usize = 120;

/// Writes the Markdown summary of `aggregate`.
pub fn render(
    aggregate: &Aggregate,
    _options: &ViewOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    out.write_all(document(aggregate).as_bytes())
}

/// The whole document.
pub fn document(aggregate: &Aggregate) -> String {
    let mut text = String::new();
    let (icon, verdict) = if aggregate.failed {
        (":x:", "failed")
    } else {
        (":white_check_mark:", "passed")
    };
    let _ = writeln!(text, "## {icon} enquiry validate: {verdict}\n");
    // Contract names may come from a saved report: escaped, so they render as the text they are.
    let mut contracts = ContractCounts::default();
    for (name, records) in aggregate.contracts().iter() {
        contracts.add(&markdown_escape(name), records);
    }
    let _ = writeln!(
        text,
        "{}\n",
        summary_line_of(&aggregate.summary, &contracts)
    );
    rules(&mut text, aggregate);
    let fields = aggregate.fields_ranked();
    counted(
        &mut text,
        "Findings by field",
        "Field",
        &fields,
        aggregate.other_fields,
    );
    let files = aggregate.files_ranked();
    counted(
        &mut text,
        "Findings by file",
        "File",
        &files,
        aggregate.other_files,
    );
    drift(&mut text, aggregate);
    profile(&mut text, aggregate);
    if let Some(note) = missing_profile_note(aggregate) {
        let _ = writeln!(text, "{}\n", markdown_escape(note));
    }
    findings(&mut text, aggregate);
    let caps = aggregate.caps_hit();
    if !caps.is_empty() {
        text.push_str("\n> [!NOTE]\n");
        for cap in caps {
            let _ = writeln!(text, "> {}.", markdown_escape(&cap));
        }
    }
    text
}

fn rules(text: &mut String, aggregate: &Aggregate) {
    let ranked = aggregate.rules_ranked();
    if ranked.is_empty() {
        return;
    }
    text.push_str("### Findings by rule\n\n| Rule | Errors | Warnings | Most frequent values | What it checks |\n|---|---:|---:|---|---|\n");
    for (code, counts) in ranked {
        let examples: Vec<String> = aggregate
            .examples(code)
            .into_iter()
            .map(|(value, count)| format!("<code>{}</code> ×{count}", markdown_escape(value)))
            .collect();
        let _ = writeln!(
            text,
            "| `{code}` | {} | {} | {} | {} |",
            counts.errors,
            counts.warnings,
            examples.join(", "),
            code.summary().replace('|', "\\|")
        );
    }
    text.push('\n');
}

fn counted(text: &mut String, title: &str, column: &str, rows: &[(&str, Counts)], other: Counts) {
    if rows.is_empty() {
        return;
    }
    let mut rest = other;
    for (_, counts) in rows.iter().skip(ROWS) {
        rest.errors += counts.errors;
        rest.warnings += counts.warnings;
    }
    let _ = writeln!(
        text,
        "### {title}\n\n| {column} | Errors | Warnings |\n|---|---:|---:|"
    );
    for (name, counts) in rows.iter().take(ROWS) {
        let _ = writeln!(
            text,
            "| <code>{}</code> | {} | {} |",
            markdown_escape(name),
            counts.errors,
            counts.warnings
        );
    }
    if rest.total() > 0 {
        let _ = writeln!(text, "| (others) | {} | {} |", rest.errors, rest.warnings);
    }
    text.push('\n');
}

fn drift(text: &mut String, aggregate: &Aggregate) {
    let entries = aggregate.drift_ranked();
    if entries.is_empty() {
        return;
    }
    text.push_str("### Drift: undocumented members, unrecognised values, nulls\n\n| Rule | Field | Value | Count | First seen |\n|---|---|---|---:|---|\n");
    for (code, field, value, count, first) in entries.into_iter().take(ROWS) {
        let _ = writeln!(
            text,
            "| `{code}` | <code>{}</code> | <code>{}</code> | {count} | {} |",
            markdown_escape(field),
            markdown_escape(value),
            markdown_escape(first)
        );
    }
    text.push('\n');
}

/// A table row: `cells` between bars.
fn row(text: &mut String, cells: &[String]) {
    let _ = writeln!(text, "| {} |", cells.join(" | "));
}

/// A table's head: the column names, the first left-aligned and the others right-aligned.
fn head(columns: &[&str]) -> String {
    format!(
        "| {} |\n|---|{}",
        columns.join(" | "),
        "---:|".repeat(columns.len().saturating_sub(1))
    )
}

/// Records per contract and per day, and the field profile (collapsed: it lists every
/// documented field). A saved report may hold anything, so names are clipped and the section
/// stops at [`PROFILE_BUDGET`] bytes, saying so.
fn profile(text: &mut String, aggregate: &Aggregate) {
    let contracts = contract_rows(aggregate);
    if contracts.is_empty() {
        return;
    }
    let start = text.len();
    let _ = writeln!(
        text,
        "### Records by contract\n\n{}",
        head(&CONTRACT_COLUMNS)
    );
    for contract in contracts.iter().take(ROWS) {
        let name = match contract.name {
            Some(name) => format!("<code>{}</code>", escape_clipped(name)),
            None => NO_CONTRACT.to_owned(),
        };
        row(text, &[[name].as_slice(), &contract.cells()].concat());
    }
    text.push('\n');
    let contracts = aggregate.profile.iter().flat_map(|p| &p.contracts);
    for contract in contracts.take(ROWS) {
        if !contract_profile(text, contract, start) {
            text.push_str("\nThe rest of the data profile is left out, to keep this summary under GitHub's 1 MiB limit.\n\n");
            return;
        }
    }
}

/// The day table and field profile of one contract; false when the budget ran out.
fn contract_profile(text: &mut String, contract: &ContractProfile, start: usize) -> bool {
    let over = |text: &String| text.len() - start > PROFILE_BUDGET;
    let name = escape_clipped(&contract.contract);
    let member = escape_clipped(&contract.day_member);
    if is_dated(contract) {
        let _ = writeln!(
            text,
            "### Records of <code>{name}</code> by day of <code>{member}</code>\n\n{}",
            head(&DAY_COLUMNS)
        );
        for day in day_rows(contract, ROWS) {
            if over(text) {
                return false;
            }
            let counts = tally_cells(&day.tally).map(|count| count.to_string());
            row(
                text,
                &[[escape_clipped(&day.label)].as_slice(), &counts].concat(),
            );
        }
        let note = markdown_escape(&clip(&day_note(contract), 400));
        let _ = writeln!(text, "\n{note}\n");
    }
    let _ = writeln!(
        text,
        "<details><summary>Field profile of <code>{name}</code>: presence, null, absence and type of every documented field</summary>\n\n{}",
        head(&FIELD_COLUMNS)
    );
    for f in &contract.fields {
        if over(text) {
            text.push_str("\n</details>\n");
            return false;
        }
        let field = field_row(f);
        let name = format!("<code>{}</code>", escape_clipped(field.field));
        let shares = field.shares.map(|share| share.percent);
        row(text, &[[name].as_slice(), &shares].concat());
    }
    text.push_str("\n</details>\n\n");
    true
}

/// A name of the profile, clipped and escaped.
fn escape_clipped(name: &str) -> String {
    markdown_escape(&clip(name, NAME_CHARS))
}

fn findings(text: &mut String, aggregate: &Aggregate) {
    if aggregate.first.is_empty() {
        return;
    }
    let _ = writeln!(
        text,
        "<details><summary>First {} findings</summary>\n\n| Location | Rule | Pointer | Message | Excerpt |\n|---|---|---|---|---|",
        aggregate.first.len()
    );
    let mut listed = 0;
    for finding in &aggregate.first {
        if text.len() > BUDGET {
            break;
        }
        let excerpt = finding
            .excerpt
            .as_deref()
            .map(|excerpt| format!("<code>{}</code>", markdown_escape(excerpt)))
            .unwrap_or_default();
        let _ = writeln!(
            text,
            "| {}&#58;{}&#58;{} | `{}` {} | <code>{}</code> | {} | {excerpt} |",
            markdown_escape(&finding.file),
            finding.line,
            finding.column,
            finding.code,
            finding.severity,
            markdown_escape(&finding.pointer),
            markdown_escape(&finding.message),
        );
        listed += 1;
    }
    if listed < aggregate.first.len() {
        let _ = writeln!(
            text,
            "\n{} more findings are not listed, to keep this summary under GitHub's 1 MiB limit.",
            aggregate.first.len() - listed
        );
    }
    text.push_str("\n</details>\n");
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use enquiry_validator::{Code, Excerpt, Finding, Pointer, Severity, Summary};

    use super::*;
    use crate::aggregate::Limits;
    use crate::fixture::render_with_profile as render;
    use crate::view::ViewReporter;

    #[test]
    fn markdown_report() {
        let text = render(|out| {
            Box::new(ViewReporter::new(
                Box::new(out),
                ViewOptions::default(),
                super::render,
            ))
        });
        assert!(!text.contains("203.0.113.9"), "{text}");
        insta::assert_snapshot!(text);
    }

    fn hostile_finding(index: u64) -> Finding {
        let key = format!(
            "<script>alert({index})</script>|`@team`[x](http://e){}",
            "x".repeat(300)
        );
        Finding {
            file: Arc::from("a.ndjson"),
            record: index,
            line: index + 1,
            column: 1,
            pointer: Pointer::root().child(&key),
            code: Code::UnknownField,
            severity: Severity::Warning,
            message: format!("unknown member `{key}`"),
            expected: None,
            suggestion: None,
            excerpt: Some(Excerpt {
                text: format!("{{\"{key}\": 1}}"),
                span: 0..20,
            }),
            contract: "record",
        }
    }

    #[test]
    fn a_hostile_data_profile_keeps_the_markdown_under_a_mebibyte() {
        use enquiry_validator::profile::{ContractProfile, DataProfile, FieldCounts};

        let long = "<script>|`x`".repeat(500);
        let contract = ContractProfile {
            contract: long.clone(),
            day_member: long.clone(),
            fields: (0..10_000)
                .map(|index| FieldCounts {
                    field: format!("{long}{index}"),
                    present: 1,
                    ..FieldCounts::default()
                })
                .collect(),
            ..ContractProfile::default()
        };
        let mut aggregate = Aggregate::new(Limits::default());
        for index in 0..1_000 {
            aggregate.add(&hostile_finding(index));
        }
        aggregate.profile = Some(DataProfile {
            max_days: 1000,
            contracts: vec![contract; 100],
        });
        aggregate.finish(&Summary::default(), false);
        let text = document(&aggregate);
        assert!(text.len() < 1024 * 1024, "{} bytes", text.len());
        assert!(text.contains("The rest of the data profile is left out"));
        assert!(!text.contains("<script>"));
    }

    #[test]
    fn markdown_stays_under_a_mebibyte_for_a_million_findings() {
        let mut aggregate = Aggregate::new(Limits::default());
        for index in 0..1_000_000 {
            aggregate.add(&hostile_finding(index));
        }
        let summary = Summary {
            files: 1,
            records: 1_000_000,
            valid: 0,
            invalid: 0,
            errors: 0,
            warnings: 1_000_000,
        };
        aggregate.finish(&summary, false);
        let text = document(&aggregate);
        assert!(text.len() < 1024 * 1024, "{} bytes", text.len());
        assert!(text.contains("1000000 warnings"));
        assert!(text.contains("only the first 500 of 1000000 findings are listed"));
        assert!(
            !text.contains("<script>") && !text.contains("](http"),
            "input markup survived"
        );
    }
}
