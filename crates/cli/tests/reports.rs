//! The aggregated report formats through the command line: several reports from one pass,
//! `--output`, and the usage errors of report targets.

mod common;

use std::fs;

use common::{run_enquiry, TempDir};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/invalid");

#[test]
fn one_pass_writes_several_reports() {
    let dir = TempDir::new("several");
    let output = run_enquiry(
        &dir.0,
        &[
            "validate",
            FIXTURES,
            "--format",
            "summary",
            "--format",
            "json=report.json",
            "--format",
            "html=report.html",
            "--format",
            "markdown=summary.md",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let summary = String::from_utf8(output.stdout).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.0.join("report.json")).unwrap()).unwrap();
    let errors = json["summary"]["errors"].as_u64().unwrap();
    assert!(errors > 0);
    assert!(summary.contains(&format!("{errors} errors")), "{summary}");
    assert!(!summary.contains('\u{1b}'), "piped output is plain");
    let html = fs::read_to_string(dir.0.join("report.html")).unwrap();
    assert!(html.contains(&format!("id=\"count-errors\" data-count=\"{errors}\"")));
    let markdown = fs::read_to_string(dir.0.join("summary.md")).unwrap();
    assert!(markdown.starts_with("## :x: enquiry validate: failed"));
}

#[test]
fn output_takes_the_report_without_a_file() {
    let dir = TempDir::new("output");
    let output = run_enquiry(
        &dir.0,
        &[
            "validate", FIXTURES, "--format", "github", "--format", "html", "--output", "r.html",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8(output.stdout)
        .unwrap()
        .starts_with("::error "));
    assert!(fs::read_to_string(dir.0.join("r.html"))
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
}

#[test]
fn report_targets_usage_errors_exit_2() {
    let dir = TempDir::new("usage");
    for args in [
        &[
            "validate", FIXTURES, "--format", "summary", "--format", "html",
        ][..],
        &[
            "validate",
            FIXTURES,
            "--format",
            "html=a.html",
            "--output",
            "b.html",
        ][..],
        &["validate", FIXTURES, "--format", "pdf"][..],
        &["validate", FIXTURES, "--format", "html=no/such/dir/r.html"][..],
    ] {
        let output = run_enquiry(&dir.0, args, None);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!stderr.is_empty());
    }
}

#[test]
fn report_renders_a_saved_json_report() {
    let dir = TempDir::new("saved");
    let output = run_enquiry(
        &dir.0,
        &[
            "validate",
            FIXTURES,
            "--format",
            "json=report.json",
            "--format",
            "summary",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let live = String::from_utf8(output.stdout).unwrap();
    let rendered = run_enquiry(&dir.0, &["report", "report.json"], None);
    assert_eq!(rendered.status.code(), Some(0));
    let saved = String::from_utf8(rendered.stdout).unwrap();
    // The same verdict, totals and tables; only the example values (from excerpts) differ.
    assert_eq!(saved.lines().next(), live.lines().next());
    assert!(saved.contains("\nField "), "{saved}");
    let html = run_enquiry(
        &dir.0,
        &["report", "report.json", "--format", "html", "-o", "r.html"],
        None,
    );
    assert_eq!(html.status.code(), Some(0));
    assert!(fs::read_to_string(dir.0.join("r.html"))
        .unwrap()
        .contains("id=\"count-findings\""));
    for args in [
        &["report", "report.json", "--format", "sarif"][..],
        &["report", "missing.json"][..],
        &["report", "-"][..],
    ] {
        let stdin = (args[1] == "-").then_some(&b"[1,2]"[..]);
        let failed = run_enquiry(&dir.0, args, stdin);
        assert_eq!(failed.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8(failed.stderr)
            .unwrap()
            .starts_with("enquiry report: "));
    }
}

#[test]
fn baseline_findings_are_unchanged_and_do_not_fail() {
    let dir = TempDir::new("baseline");
    let saved = run_enquiry(
        &dir.0,
        &["validate", FIXTURES, "--format", "json", "-o", "base.json"],
        None,
    );
    assert_eq!(saved.status.code(), Some(1));
    let again = run_enquiry(
        &dir.0,
        &[
            "validate",
            FIXTURES,
            "--baseline",
            "base.json",
            "--format",
            "sarif=r.sarif",
        ],
        None,
    );
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.0.join("r.sarif")).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(results
        .iter()
        .all(|result| result["baselineState"] == "unchanged"));

    // A new defect beside the known ones fails the run and is the only `new` result.
    let new = dir.write("new.ndjson", "{\"_id\": \"n1\", \"status\": \"Closed\"}\n");
    let mixed = run_enquiry(
        &dir.0,
        &[
            "validate",
            FIXTURES,
            new.to_str().unwrap(),
            "--baseline",
            "base.json",
            "--format",
            "sarif",
        ],
        None,
    );
    assert_eq!(mixed.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&mixed.stdout).unwrap();
    let new_results: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|result| result["baselineState"] == "new")
        .collect();
    assert_eq!(new_results.len(), 2, "{new_results:#?}");
    assert!(String::from_utf8(mixed.stderr)
        .unwrap()
        .contains("2 new errors"));
    let bad = run_enquiry(
        &dir.0,
        &["validate", FIXTURES, "--baseline", "new.ndjson"],
        None,
    );
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn max_errors_tolerates_up_to_n_errors() {
    let dir = TempDir::new("max-errors");
    let saved = run_enquiry(
        &dir.0,
        &["validate", FIXTURES, "--format", "json", "-o", "r.json"],
        None,
    );
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.0.join("r.json")).unwrap()).unwrap();
    assert_eq!(saved.status.code(), Some(1));
    let errors = json["summary"]["errors"].as_u64().unwrap().to_string();
    let fewer = (json["summary"]["errors"].as_u64().unwrap() - 1).to_string();
    let at = run_enquiry(
        &dir.0,
        &["validate", FIXTURES, "-q", "--max-errors", &errors],
        None,
    );
    assert_eq!(at.status.code(), Some(0));
    let over = run_enquiry(
        &dir.0,
        &["validate", FIXTURES, "-q", "--max-errors", &fewer],
        None,
    );
    assert_eq!(over.status.code(), Some(1));
}

/// Runs `enquiry` on a pseudo-terminal (util-linux `script`) in `dir`, with `NO_COLOR` as
/// given; returns what the terminal showed.
#[cfg(unix)]
fn on_terminal(dir: &std::path::Path, args: &str, no_color: Option<&str>) -> String {
    assert!(
        std::path::Path::new("/usr/bin/script").exists(),
        "/usr/bin/script (util-linux, Debian bsdutils) is needed to run enquiry on a terminal"
    );
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_enquiry"));
    let mut script = std::process::Command::new("/usr/bin/script");
    script
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir)
        .env_remove("NO_COLOR");
    if let Some(value) = no_color {
        script.env("NO_COLOR", value);
    }
    String::from_utf8_lossy(&script.output().unwrap().stdout).into_owned()
}

#[cfg(unix)]
#[test]
fn summary_is_coloured_on_a_terminal_only() {
    let dir = TempDir::new("terminal");
    let args = format!("validate {FIXTURES} --format summary --format summary=s.txt");
    let shown = on_terminal(&dir.0, &args, None);
    assert!(shown.contains("\u{1b}[1;31mFAILED"), "{shown}");
    let file = fs::read_to_string(dir.0.join("s.txt")).unwrap();
    assert!(
        file.starts_with("FAILED  ") && !file.contains('\u{1b}'),
        "{file}"
    );
    let plain = on_terminal(&dir.0, &args, Some("1"));
    assert!(
        plain.contains("FAILED  ") && !plain.contains('\u{1b}'),
        "{plain}"
    );
}

/// The part of a Markdown summary from `### Records by contract` to the field profile's end.
fn profile_section(markdown: &str) -> &str {
    let start = markdown
        .find("### Records by contract")
        .expect("a contract table");
    let end = start
        + markdown[start..]
            .find("</details>")
            .expect("a field profile");
    &markdown[start..end]
}

#[test]
fn the_data_profile_is_saved_with_data_profile_and_rendered_from_the_saved_report() {
    let dir = TempDir::new("profile");
    let mut ndjson = String::new();
    // Over 2 MiB: several chunks, so that --jobs 2 profiles on two workers.
    for index in 0..40_000 {
        let created = match index % 50 {
            0 => String::new(),
            1 => ",\"createdAt\":\"soon\"".to_owned(),
            n => format!(",\"createdAt\":\"2022-11-{:02}T10:00:00.000Z\"", 1 + n % 9),
        };
        let status = if index % 7 == 0 { "Closed" } else { "ongoing" };
        ndjson.push_str(&format!(
            "{{\"_id\":\"r{index}\"{created},\"status\":\"{status}\",\"tag\":null}}\n"
        ));
    }
    ndjson.push_str("{broken\n");
    dir.write("day.ndjson", &ndjson);
    let mut saved = Vec::new();
    for jobs in ["1", "2"] {
        let json = format!("report-{jobs}.json");
        let output = run_enquiry(
            &dir.0,
            &[
                "validate",
                "day.ndjson",
                "--jobs",
                jobs,
                "--data-profile",
                "--format",
                &format!("json={json}"),
                "--format",
                "markdown=direct.md",
            ],
            None,
        );
        assert_eq!(output.status.code(), Some(1));
        let report: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.0.join(&json)).unwrap()).unwrap();
        saved.push(report["dataProfile"].clone());
    }
    assert_eq!(saved[0], saved[1], "the profile depends on --jobs");
    let contract = &saved[0]["contracts"][0];
    assert_eq!(contract["records"], 40_000);
    assert_eq!(contract["missingDate"]["records"], 800);
    assert_eq!(contract["invalidDate"]["records"], 800);
    assert_eq!(contract["days"].as_array().unwrap().len(), 9);
    let tag = contract["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|field| field["field"] == "/tag")
        .unwrap();
    assert_eq!(tag["null"], 40_000);

    let output = run_enquiry(
        &dir.0,
        &["report", "report-1.json", "--format", "markdown"],
        None,
    );
    assert_eq!(output.status.code(), Some(0));
    let from_saved = String::from_utf8(output.stdout).unwrap();
    let direct = fs::read_to_string(dir.0.join("direct.md")).unwrap();
    assert_eq!(profile_section(&from_saved), profile_section(&direct));
    assert!(
        direct.contains("| (not a JSON object: no contract) | 1 |"),
        "{direct}"
    );
    assert!(direct.contains("| 2022-11-09 | "), "{direct}");

    // A report with a profile is still a baseline: every finding is unchanged.
    let output = run_enquiry(
        &dir.0,
        &[
            "validate",
            "day.ndjson",
            "--baseline",
            "report-1.json",
            "-q",
        ],
        None,
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // Without --data-profile (and no view in the pass) the JSON report is unchanged.
    let output = run_enquiry(
        &dir.0,
        &["validate", "day.ndjson", "--format", "json=plain.json"],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let plain: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.0.join("plain.json")).unwrap()).unwrap();
    assert!(plain.get("dataProfile").is_none());
}
