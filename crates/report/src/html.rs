//! `--format html`: one self-contained page to attach to a ticket.
//!
//! Everything is inline: the style sheet and the script are compiled in (`assets/`), the
//! charts are SVG drawn here, and the page's `Content-Security-Policy` allows nothing but that
//! style sheet and that script, by their SHA-256 hashes: no request can leave the page. The
//! page is complete without JavaScript (the findings table is plain HTML); the script only adds
//! filtering and sorting. Every input-derived text goes through [`html_escape`], and values
//! are those of the validator's excerpts, masked unless values are shown.

use std::fmt::Write as _;
use std::io::{self, Write};

use enquiry_validator::Code;
use sha2::{Digest, Sha256};

use enquiry_validator::profile::{day_name, ContractProfile, Tally};

use crate::aggregate::{Aggregate, Counts};
use crate::profile_view::{
    contract_rows, day_note, day_rows, field_row, is_dated, missing_profile_note, tally_cells,
    CONTRACT_COLUMNS, DAY_COLUMNS, FIELD_COLUMNS, NO_CONTRACT,
};
use crate::summary_line_of;
use crate::view::{html_escape, ViewOptions};

/// The page's style sheet.
pub const CSS: &str = include_str!("../assets/report.css");
/// The page's script: filtering and sorting of the findings table.
pub const JS: &str = include_str!("../assets/report.js");

/// Bars per chart; the rest are summed in an "(others)" bar.
const BARS: usize = 15;
/// Characters of a chart label.
const LABEL_CHARS: usize = 36;

/// The page's first line, the same whatever the findings: `--format html` writes it at once.
pub const PROLOGUE: &str = "<!DOCTYPE html>\n";

/// Writes the HTML report of `aggregate`.
pub fn render(
    aggregate: &Aggregate,
    _options: &ViewOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    out.write_all(page(aggregate).as_bytes())
}

/// Writes the HTML report of `aggregate` after its [`PROLOGUE`], already written.
pub fn render_after_prologue(
    aggregate: &Aggregate,
    _options: &ViewOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let page = page(aggregate);
    out.write_all(&page.as_bytes()[PROLOGUE.len()..])
}

/// `'sha256-...'`, the CSP source of an inline element's exact text.
pub fn csp_hash(text: &str) -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(text.as_bytes())))
}

/// The page's Content-Security-Policy.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src {}; script-src {}; img-src 'none'; base-uri 'none'; form-action 'none'",
        csp_hash(CSS),
        csp_hash(JS)
    )
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let word = chunk.iter().enumerate().fold(0u32, |acc, (i, byte)| {
            acc | u32::from(*byte) << (16 - 8 * i)
        });
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(word >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The whole page.
pub fn page(aggregate: &Aggregate) -> String {
    let mut html = String::new();
    let (class, verdict) = if aggregate.failed {
        ("failed", "failed")
    } else {
        ("passed", "passed")
    };
    html.push_str(PROLOGUE);
    let _ = write!(
        html,
        "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>enquiry validate: {verdict}</title>\n<style>{CSS}</style>\n</head>\n<body>\n\
         <h1>enquiry validate: <span class=\"{class}\" id=\"verdict\">{verdict}</span></h1>\n<p>{}</p>\n",
        content_security_policy(),
        html_escape(&summary_line_of(&aggregate.summary, &aggregate.contracts()))
    );
    totals(&mut html, aggregate);
    charts(&mut html, aggregate);
    profile(&mut html, aggregate);
    if let Some(note) = missing_profile_note(aggregate) {
        let _ = writeln!(
            html,
            "<p class=\"note\" id=\"no-profile\">{}</p>",
            html_escape(note)
        );
    }
    drift(&mut html, aggregate);
    findings(&mut html, aggregate);
    rules(&mut html, aggregate);
    let caps = aggregate.caps_hit();
    if !caps.is_empty() {
        html.push_str("<h2>Limits reached</h2>\n<ul id=\"caps\">\n");
        for cap in caps {
            let _ = writeln!(html, "<li>{}</li>", html_escape(&cap));
        }
        html.push_str("</ul>\n");
    }
    let _ = write!(html, "<script>{JS}</script>\n</body>\n</html>\n");
    html
}

fn totals(html: &mut String, aggregate: &Aggregate) {
    let summary = &aggregate.summary;
    html.push_str("<dl class=\"totals\">\n");
    for (id, label, count) in [
        ("files", "Files", summary.files),
        ("records", "Records", summary.records),
        ("valid", "Valid", summary.valid),
        ("invalid", "Invalid", summary.invalid),
        ("errors", "Errors", summary.errors),
        ("warnings", "Warnings", summary.warnings),
        ("findings", "Findings", aggregate.findings),
    ] {
        let _ = writeln!(
            html,
            "<div><dt>{label}</dt><dd id=\"count-{id}\" data-count=\"{count}\">{count}</dd></div>"
        );
    }
    html.push_str("</dl>\n");
}

/// Findings by rule, by field, by day (per contract) and by file.
fn charts(html: &mut String, aggregate: &Aggregate) {
    let rules: Vec<(String, Counts)> = aggregate
        .rules_ranked()
        .into_iter()
        .map(|(code, counts)| (code.as_str().to_owned(), counts))
        .collect();
    let owned = |rows: Vec<(&str, Counts)>| -> Vec<(String, Counts)> {
        rows.into_iter()
            .map(|(name, counts)| (name.to_owned(), counts))
            .collect()
    };
    for (id, title, rows, other) in [
        ("chart-rule", "Findings by rule", rules, Counts::default()),
        (
            "chart-field",
            "Findings by field",
            owned(aggregate.fields_ranked()),
            aggregate.other_fields,
        ),
    ] {
        chart(html, id, title, &rows, other);
    }
    for (index, contract) in aggregate
        .profile
        .iter()
        .flat_map(|p| &p.contracts)
        .enumerate()
    {
        day_chart(html, contract, index);
    }
    let files = owned(aggregate.files_ranked());
    chart(
        html,
        "chart-file",
        "Findings by file",
        &files,
        aggregate.other_files,
    );
}

fn chart(html: &mut String, id: &str, title: &str, rows: &[(String, Counts)], other: Counts) {
    if !rows.is_empty() {
        let _ = writeln!(html, "<h2>{title}</h2>");
        html.push_str(&bar_chart(id, title, rows, other));
    }
}

/// The end of `text` in at most `chars` characters, marking the cut with `…`: the end of a
/// path or pointer says more than its start.
fn clip_left(text: &str, chars: usize) -> String {
    let count = text.chars().count();
    if count <= chars {
        return text.to_owned();
    }
    let tail: String = text.chars().skip(count - chars).collect();
    format!("…{tail}")
}

/// A horizontal bar chart: errors then warnings per row, with the counts written out.
fn bar_chart(id: &str, title: &str, rows: &[(String, Counts)], other: Counts) -> String {
    let mut shown: Vec<(String, Counts)> = rows.iter().take(BARS).cloned().collect();
    let mut rest = other;
    for (_, counts) in rows.iter().skip(BARS) {
        rest.errors += counts.errors;
        rest.warnings += counts.warnings;
    }
    if rest.total() > 0 {
        shown.push(("(others)".to_owned(), rest));
    }
    let title = html_escape(title);
    let max = shown
        .iter()
        .map(|(_, counts)| counts.total())
        .max()
        .unwrap_or(1)
        .max(1);
    let (label_width, bar_width, row_height) = (280.0, 400.0, 22.0);
    let height = row_height * shown.len() as f64 + 4.0;
    let mut svg = format!(
        "<svg class=\"chart\" id=\"{id}\" role=\"img\" aria-label=\"{title}\" viewBox=\"0 0 {} {height}\" xmlns=\"http://www.w3.org/2000/svg\">\n",
        label_width + bar_width + 120.0
    );
    for (index, (name, counts)) in shown.iter().enumerate() {
        let y = row_height * index as f64 + 2.0;
        let errors = bar_width * counts.errors as f64 / max as f64;
        let warnings = bar_width * counts.warnings as f64 / max as f64;
        let _ = writeln!(
            svg,
            "<g><title>{name}: {e} errors, {w} warnings</title>\
             <text x=\"{tx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect class=\"err\" x=\"{label_width}\" y=\"{y}\" width=\"{errors:.1}\" height=\"16\"/>\
             <rect class=\"warn\" x=\"{wx:.1}\" y=\"{y}\" width=\"{warnings:.1}\" height=\"16\"/>\
             <text x=\"{cx:.1}\" y=\"{ty}\">{total}</text></g>",
            name = html_escape(name),
            e = counts.errors,
            w = counts.warnings,
            tx = label_width - 8.0,
            ty = y + 13.0,
            label = html_escape(&clip_left(name, LABEL_CHARS)),
            wx = label_width + errors,
            cx = label_width + errors + warnings + 6.0,
            total = counts.total(),
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn drift(html: &mut String, aggregate: &Aggregate) {
    let entries = aggregate.drift_ranked();
    if entries.is_empty() {
        return;
    }
    html.push_str("<h2>Drift: undocumented members, unrecognised values, nulls</h2>\n<table id=\"drift\"><thead><tr><th>Rule</th><th>Field</th><th>Value</th><th>Count</th><th>First seen</th></tr></thead>\n<tbody>\n");
    for (code, field, value, count, first) in entries {
        let _ = writeln!(
            html,
            "<tr><td><a href=\"#rule-{code}\">{code}</a></td><td><code>{}</code></td><td><code>{}</code></td><td class=\"num\">{count}</td><td>{}</td></tr>",
            html_escape(field),
            html_escape(value),
            html_escape(first)
        );
    }
    html.push_str("</tbody></table>\n");
}

fn number_cells(t: &Tally) -> String {
    tally_cells(t)
        .map(|count| format!("<td class=\"num\">{count}</td>"))
        .concat()
}

/// A table's head row.
fn head(columns: &[&str]) -> String {
    let cells: String = columns
        .iter()
        .map(|name| format!("<th>{name}</th>"))
        .collect();
    format!("<thead><tr>{cells}</tr></thead>")
}

/// Records per contract, findings per day (chart and table) and the field profile.
fn profile(html: &mut String, aggregate: &Aggregate) {
    let contracts = contract_rows(aggregate);
    if contracts.is_empty() {
        return;
    }
    let _ = writeln!(
        html,
        "<h2>Records by contract</h2>\n<table id=\"contracts\">{}\n<tbody>",
        head(&CONTRACT_COLUMNS)
    );
    for (index, row) in contracts.iter().enumerate() {
        let name = match row.name {
            Some(name) => format!("<code>{}</code>", html_escape(name)),
            None => NO_CONTRACT.to_owned(),
        };
        let [records, invalid, errors, warnings] = row.cells();
        let _ = writeln!(
            html,
            "<tr><td>{name}</td><td class=\"num\" id=\"contract-{index}-records\" data-count=\"{records}\">{records}</td>\
             <td class=\"num\">{invalid}</td><td class=\"num\">{errors}</td><td class=\"num\">{warnings}</td></tr>"
        );
    }
    html.push_str("</tbody></table>\n");
    for (index, contract) in aggregate
        .profile
        .iter()
        .flat_map(|p| &p.contracts)
        .enumerate()
    {
        days(html, contract, index);
        fields(html, contract, index);
    }
}

/// Findings per day of the contract's date member, as columns on a time axis (errors, then
/// warnings stacked; each column's title has the day's counts), and what is not on the axis:
/// days older than those listed, records with no date or an invalid one.
fn day_chart(html: &mut String, contract: &ContractProfile, index: usize) {
    let (Some(first), Some(last)) = (contract.days.keys().next(), contract.days.keys().last())
    else {
        return;
    };
    let _ = writeln!(
        html,
        "<h2>Findings of <code>{}</code> by day of <code>{}</code></h2>",
        html_escape(&contract.contract),
        html_escape(&contract.day_member)
    );
    let (width, height, left, bottom) = (860.0, 150.0, 50.0, 22.0);
    let span = (last - first + 1) as f64;
    let column = (width / span).max(1.0);
    let max = contract
        .days
        .values()
        .map(Tally::findings)
        .max()
        .unwrap_or(0)
        .max(1);
    let _ = writeln!(
        html,
        "<svg class=\"chart days\" id=\"chart-day-{index}\" role=\"img\" aria-label=\"Findings by day\" viewBox=\"0 0 {} {}\" xmlns=\"http://www.w3.org/2000/svg\">\n\
         <line class=\"axis\" x1=\"{left}\" y1=\"{height}\" x2=\"{}\" y2=\"{height}\"/>\
         <text x=\"{}\" y=\"12\" text-anchor=\"end\">{max}</text><text x=\"{}\" y=\"{height}\" text-anchor=\"end\">0</text>\
         <text x=\"{left}\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        left + width + 10.0,
        height + bottom,
        left + width,
        left - 6.0,
        left - 6.0,
        height + 16.0,
        day_name(*first),
        left + width,
        height + 16.0,
        day_name(*last),
    );
    for (day, tally) in &contract.days {
        let x = left + (day - first) as f64 * width / span;
        let errors = height * tally.errors as f64 / max as f64;
        let warnings = height * tally.warnings as f64 / max as f64;
        let _ = writeln!(
            html,
            "<g><title>{}: {} records, {} invalid, {} errors, {} warnings</title>\
             <rect class=\"day\" x=\"{x:.1}\" y=\"0\" width=\"{column:.2}\" height=\"{height}\"/>\
             <rect class=\"err\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{column:.2}\" height=\"{errors:.1}\"/>\
             <rect class=\"warn\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{column:.2}\" height=\"{warnings:.1}\"/></g>",
            day_name(*day),
            tally.records,
            tally.invalid,
            tally.errors,
            tally.warnings,
            height - errors,
            height - errors - warnings,
        );
    }
    html.push_str("</svg>\n");
    let off_axis: Vec<String> = day_rows(contract, contract.days.len())
        .into_iter()
        .filter(|row| !row.is_day)
        .map(|row| {
            format!(
                "{}: {} records, {} findings",
                html_escape(&row.label),
                row.tally.records,
                row.tally.findings()
            )
        })
        .collect();
    if !off_axis.is_empty() {
        let _ = writeln!(
            html,
            "<p class=\"note\">Not on the axis: {}.</p>",
            off_axis.join("; ")
        );
    }
}

/// Records and findings of every day listed in the profile (collapsed).
fn days(html: &mut String, contract: &ContractProfile, index: usize) {
    if !is_dated(contract) {
        return;
    }
    let _ = writeln!(
        html,
        "<h2>Records of <code>{1}</code> by day of <code>{2}</code></h2>\n<p class=\"note\">{0}</p>\n<details><summary>Records and findings per day</summary>\n<table id=\"days-{index}\">{3}\n<tbody>",
        html_escape(&day_note(contract)),
        html_escape(&contract.contract),
        html_escape(&contract.day_member),
        head(&DAY_COLUMNS)
    );
    for row in day_rows(contract, contract.days.len()) {
        let cell = if row.is_day { "td" } else { "th" };
        let _ = writeln!(
            html,
            "<tr><{cell}>{}</{cell}>{}</tr>",
            html_escape(&row.label),
            number_cells(&row.tally)
        );
    }
    html.push_str("</tbody></table></details>\n");
}

/// Every documented field: the share of records where it is present, null, absent or of
/// another type, as numbers and as one stacked bar.
fn fields(html: &mut String, contract: &ContractProfile, index: usize) {
    let _ = writeln!(
        html,
        "<h2>Field profile of {}</h2>\n<p class=\"note\">How the records hold each documented field: present (with its documented JSON type), null, absent (or its parent object absent), or of another type.</p>\n<table id=\"fields-{index}\" class=\"profile\">{}\n<tbody>",
        html_escape(&contract.contract),
        head(&[&FIELD_COLUMNS[..], &["Share"]].concat())
    );
    for counts in &contract.fields {
        let row = field_row(counts);
        let mut bar = String::from("<svg class=\"share\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" xmlns=\"http://www.w3.org/2000/svg\">");
        let mut x = 0.0;
        for share in &row.shares {
            let _ = write!(
                bar,
                "<rect class=\"{}\" x=\"{x:.2}\" y=\"0\" width=\"{:.2}\" height=\"10\"/>",
                share.class, share.width
            );
            x += share.width;
        }
        bar.push_str("</svg>");
        let cells: String = row
            .shares
            .iter()
            .map(|share| format!("<td class=\"num\">{}</td>", share.percent))
            .collect();
        let _ = writeln!(
            html,
            "<tr><td><code>{}</code></td>{cells}<td>{bar}</td></tr>",
            html_escape(row.field)
        );
    }
    html.push_str("</tbody></table>\n");
}

fn findings(html: &mut String, aggregate: &Aggregate) {
    if aggregate.first.is_empty() {
        return;
    }
    let _ = writeln!(
        html,
        "<h2>First findings</h2>\n<p class=\"note\">{} of {} findings listed.</p>\n\
         <div class=\"controls\"><label>Filter <input id=\"filter\" type=\"search\"></label>\
         <label>Severity <select id=\"severity\"><option value=\"\">all</option>\
         <option value=\"error\">errors</option><option value=\"warning\">warnings</option></select></label>\
         <span><span id=\"shown\">{0}</span> shown</span></div>\n\
         <table id=\"findings-table\"><thead><tr><th>File</th><th data-numeric>Line</th>\
         <th data-numeric>Record</th><th>Severity</th><th>Rule</th><th>Pointer</th><th>Message</th>\
         <th>Excerpt</th></tr></thead>\n<tbody>",
        aggregate.first.len(),
        aggregate.findings
    );
    for finding in &aggregate.first {
        let _ = writeln!(
            html,
            "<tr class=\"{severity}\"><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"sev\">{severity}</td><td><a href=\"#rule-{code}\">{code}</a></td>\
             <td><code>{}</code></td><td>{}</td><td><code>{}</code></td></tr>",
            html_escape(&finding.file),
            finding.line,
            finding.record,
            html_escape(&finding.pointer),
            html_escape(&finding.message),
            html_escape(finding.excerpt.as_deref().unwrap_or("")),
            severity = finding.severity,
            code = finding.code,
        );
    }
    html.push_str("</tbody></table>\n");
}

fn rules(html: &mut String, aggregate: &Aggregate) {
    let ranked = aggregate.rules_ranked();
    if ranked.is_empty() {
        return;
    }
    html.push_str("<h2>Rules</h2>\n");
    for (code, counts) in ranked {
        explain(html, aggregate, code, counts);
    }
}

fn explain(html: &mut String, aggregate: &Aggregate, code: Code, counts: Counts) {
    let examples: Vec<String> = aggregate
        .examples(code)
        .into_iter()
        .map(|(value, count)| format!("<code>{}</code> ×{count}", html_escape(value)))
        .collect();
    let _ = writeln!(
        html,
        "<article class=\"rule\" id=\"rule-{code}\"><h3>{code}</h3>\
         <p><span class=\"count\" data-count=\"{}\">{}</span> errors, {} warnings.</p>\
         <p>{}</p><p>{}</p><pre>{}</pre>{}</article>",
        counts.errors,
        counts.errors,
        counts.warnings,
        html_escape(code.summary()),
        html_escape(code.rationale()),
        html_escape(code.example()),
        if examples.is_empty() {
            String::new()
        } else {
            format!("<p>Most frequent values: {}</p>", examples.join(", "))
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::render_with_profile as render;
    use crate::view::ViewReporter;

    fn report() -> String {
        render(|out| {
            Box::new(ViewReporter::new(
                Box::new(out),
                ViewOptions::default(),
                super::render,
            ))
        })
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), encoded);
        }
    }

    #[test]
    fn chart_labels_keep_the_end_of_long_names() {
        assert_eq!(
            clip_left("captures/2022/day-01.ndjson", 13),
            "…day-01.ndjson"
        );
        assert_eq!(clip_left("short", 12), "short");
    }

    #[test]
    fn html_report_is_self_contained() {
        let page = report();
        assert!(page.contains(&content_security_policy()));
        assert!(page.contains(&format!("<style>{CSS}</style>")));
        assert!(page.contains(&format!("<script>{JS}</script>")));
        for attribute in ["src=", "href=\"http", "href=\"//", "url(", "@import"] {
            assert!(!page.contains(attribute), "{attribute}");
        }
        assert!(page.contains("id=\"count-errors\" data-count=\"6\""));
        assert!(page.contains("<a href=\"#rule-enum\">enum</a>"));
        assert!(page.contains("id=\"rule-enum\""));
        assert!(page.contains("id=\"contract-0-records\" data-count=\"3\""));
        assert!(page.contains("id=\"contract-1-records\" data-count=\"1\""));
        assert!(page.contains("id=\"chart-day-0\""));
        assert!(page.contains("<td><code>/locationDetail/city</code></td>"));
        assert!(!page.contains("203.0.113.9"));
    }
}
