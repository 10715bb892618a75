//! The webhook contracts end to end: `enquiry fake --contract event`, `enquiry validate
//! --contract NAME|auto` on mixed streams, the contract named in the reports, and `enquiry
//! schema --contract`.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::TempDir;
use serde_json::Value;

fn run(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> (i32, Vec<u8>) {
    let output = common::run_enquiry(dir, args, stdin);
    (output.status.code().unwrap_or(-1), output.stdout)
}

/// `enquiry validate` of events on standard input, as a JSON report.
const VALIDATE_EVENTS: [&str; 7] = [
    "validate",
    "--no-config",
    "--contract",
    "event",
    "--format",
    "json",
    "-",
];

fn findings(report: &Value) -> BTreeSet<(u64, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            (
                finding["record"].as_u64().expect("record"),
                finding["pointer"].as_str().expect("pointer").to_owned(),
                finding["code"].as_str().expect("code").to_owned(),
            )
        })
        .collect()
}

#[test]
fn fake_events_validate_clean_and_invalid_ones_give_exactly_their_manifest() {
    let dir = TempDir::new("contracts-fake");
    let fake = [
        "fake",
        "--contract",
        "event",
        "--count",
        "3000",
        "--seed",
        "1",
    ];
    let (code, events) = run(&dir.0, &fake, None);
    assert_eq!(code, 0);
    let (again, same) = run(&dir.0, &fake, None);
    assert_eq!((again, &same), (0, &events), "same seed, same bytes");
    let (code, _) = run(
        &dir.0,
        &["validate", "--contract", "event", "-q", "-"],
        Some(&events),
    );
    assert_eq!(code, 0);
    let manifest = dir.0.join("manifest.json");
    let manifest_arg = manifest.to_str().expect("a UTF-8 path");
    let (code, invalid) = run(
        &dir.0,
        &[
            "fake",
            "--contract",
            "event",
            "--count",
            "3000",
            "--seed",
            "1",
            "--invalid-rate",
            "0.2",
            "--manifest",
            manifest_arg,
        ],
        None,
    );
    assert_eq!(code, 0);
    let labels: Value =
        serde_json::from_slice(&std::fs::read(&manifest).expect("manifest")).expect("json");
    let expected = findings(&serde_json::json!({ "findings": labels }));
    assert!(expected.len() > 300, "{}", expected.len());
    let codes: BTreeSet<&str> = expected.iter().map(|(_, _, code)| code.as_str()).collect();
    assert!(codes.len() >= 10, "{codes:?}");
    for contract in ["event", "auto"] {
        let (code, report) = run(
            &dir.0,
            &["validate", "--contract", contract, "--format", "json", "-"],
            Some(&invalid),
        );
        assert_eq!(code, 1);
        let report: Value = serde_json::from_slice(&report).expect("a JSON report");
        assert_eq!(findings(&report), expected, "--contract {contract}");
        assert!(report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["contract"] == "event"));
    }
}

#[test]
fn a_mixed_stream_is_checked_per_record_and_reports_name_the_contract() {
    let dir = TempDir::new("contracts-mixed");
    let record = r#"{"_id":"a","createdAt":"2022-11-07T00:00:00Z","status":"Closed"}"#;
    let event = r#"{"status":"Opened","serviceId":"s","displayCaseNumber":"1","eid":"e","type":"enquiry","date":"2022-11-07T00:00:00Z"}"#;
    let challenge = r#"{"challenge":7}"#;
    let stream = format!("{record}\n{event}\n{challenge}\n{record}\n");
    let (code, report) = run(
        &dir.0,
        &["validate", "--format", "json", "-"],
        Some(stream.as_bytes()),
    );
    assert_eq!(code, 1);
    let report: Value = serde_json::from_slice(&report).expect("a JSON report");
    let seen: Vec<(u64, &str, &str, Option<&str>)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["record"].as_u64().unwrap_or(0),
                f["pointer"].as_str().unwrap_or(""),
                f["code"].as_str().unwrap_or(""),
                f["contract"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (0, "/status", "enum", None),
            (1, "/type", "enum", Some("event")),
            (2, "/challenge", "type", Some("challenge-request")),
            (3, "/status", "enum", None),
        ]
    );
    // Forced to one contract, the event is a record with undocumented members.
    let (_, forced) = run(
        &dir.0,
        &["validate", "--contract", "record", "--format", "json", "-"],
        Some(stream.as_bytes()),
    );
    let forced: Value = serde_json::from_slice(&forced).expect("a JSON report");
    assert!(findings(&forced).contains(&(1, "/eid".to_owned(), "unknown-field".to_owned())));
    let (_, sarif) = run(
        &dir.0,
        &["validate", "--format", "sarif", "-"],
        Some(stream.as_bytes()),
    );
    let sarif: Value = serde_json::from_slice(&sarif).expect("SARIF");
    let contracts: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|result| result["properties"]["contract"].as_str())
        .collect();
    assert_eq!(
        contracts,
        vec!["record", "event", "challenge-request", "record"]
    );
    let (_, human) = run(&dir.0, &["validate", "-"], Some(stream.as_bytes()));
    assert!(String::from_utf8_lossy(&human).contains("record 1 (event), pointer /type"));
    let (code, _) = run(
        &dir.0,
        &["validate", "--contract", "events", "-"],
        Some(b"{}"),
    );
    assert_eq!(code, 2, "an unknown contract is a usage error");
}

#[test]
fn schema_prints_each_contract() {
    let dir = TempDir::new("contracts-schema");
    let (code, schema) = run(&dir.0, &["schema", "--contract", "event"], None);
    assert_eq!(code, 0);
    let schema: Value = serde_json::from_slice(&schema).expect("a schema");
    assert_eq!(
        schema["properties"]["type"]["enum"],
        serde_json::json!(["inquiry"])
    );
    let required: BTreeSet<&str> = schema["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        ["eid", "date", "type", "status"]
            .iter()
            .all(|name| required.contains(name)),
        "{required:?}"
    );
    let (_, response) = run(
        &dir.0,
        &["schema", "--contract", "challenge-response", "--strict"],
        None,
    );
    let response: Value = serde_json::from_slice(&response).expect("a schema");
    assert_eq!(response["properties"]["code"]["const"], 200);
    assert_eq!(
        response["properties"]["result"]["required"],
        serde_json::json!(["challenge"])
    );
    let (code, _) = run(&dir.0, &["schema", "--contract", "auto"], None);
    assert_eq!(code, 2);
}

/// `enquiry ARGS_A | enquiry ARGS_B` through a real pipe, in `dir`: the exit codes of both and
/// what the second printed.
fn pipe(dir: &Path, first: &[&str], second: &[&str]) -> (i32, i32, String) {
    use std::process::{Command, Stdio};
    let binary = env!("CARGO_BIN_EXE_enquiry");
    let mut producer = Command::new(binary)
        .args(first)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the producer starts");
    let stdout = producer.stdout.take().expect("a pipe");
    let consumer = Command::new(binary)
        .args(second)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::from(stdout))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("the consumer runs");
    let produced = producer.wait().expect("the producer ends");
    (
        produced.code().unwrap_or(-1),
        consumer.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&consumer.stdout).into_owned(),
    )
}

/// The findings of a JSON report (or the labels of a manifest) as (code, record, pointer),
/// sorted, duplicates kept: equal lists are the same findings, each as often.
fn finding_list(findings: &Value) -> Vec<(String, u64, String)> {
    let mut list: Vec<(String, u64, String)> = findings
        .as_array()
        .expect("an array of findings")
        .iter()
        .map(|finding| {
            (
                finding["code"].as_str().expect("code").to_owned(),
                finding["record"].as_u64().expect("record"),
                finding["pointer"].as_str().expect("pointer").to_owned(),
            )
        })
        .collect();
    list.sort();
    list
}

#[test]
fn twenty_thousand_fake_events_piped_to_validate_pass() {
    let dir = TempDir::new("contracts-volume");
    let fake = [
        "fake",
        "--contract",
        "event",
        "--count",
        "20000",
        "--seed",
        "1",
    ];
    let (produced, code, report) = pipe(&dir.0, &fake, &VALIDATE_EVENTS);
    assert_eq!((produced, code), (0, 0), "{report}");
    let report: Value = serde_json::from_str(&report).expect("a JSON report");
    assert_eq!(report["summary"]["records"], 20000);
    assert_eq!(report["summary"]["valid"], 20000);
    assert_eq!(report["summary"]["warnings"], 0);
    // Detected per record, they are events too: the human summary says so.
    let (_, code, human) = pipe(&dir.0, &fake, &["validate", "--no-config", "-"]);
    assert_eq!(code, 0, "{human}");
    assert_eq!(
        human,
        "1 file, 20000 records (event): 20000 valid, 0 invalid; 0 errors, 0 warnings\n"
    );
}

#[test]
fn invalid_fake_events_give_their_manifest_exactly_through_a_pipe() {
    let dir = TempDir::new("contracts-manifest");
    let manifest = dir.0.join("m.json");
    let manifest_arg = manifest.to_str().expect("a UTF-8 path");
    let fake = [
        "fake",
        "--contract",
        "event",
        "--count",
        "5000",
        "--seed",
        "7",
        "--invalid-rate",
        "0.2",
        "--manifest",
        manifest_arg,
    ];
    let (produced, code, report) = pipe(&dir.0, &fake, &VALIDATE_EVENTS);
    assert_eq!((produced, code), (0, 1));
    let report: Value = serde_json::from_str(&report).expect("a JSON report");
    let labels: Value =
        serde_json::from_slice(&std::fs::read(&manifest).expect("m.json")).expect("json");
    let expected = finding_list(&labels);
    assert!(expected.len() > 800, "{}", expected.len());
    assert_eq!(finding_list(&report["findings"]), expected);
    let summary = &report["summary"];
    let counted = summary["errors"].as_u64().expect("errors")
        + summary["warnings"].as_u64().expect("warnings");
    assert_eq!(counted, expected.len() as u64);
}

#[test]
fn a_fake_dataset_validates_clean_records_and_events() {
    let dir = TempDir::new("contracts-dataset");
    let (code, _) = run(
        &dir.0,
        &["fake", "--dataset", "d", "--count", "500", "--seed", "3"],
        None,
    );
    assert_eq!(code, 0);
    let events = std::fs::read_to_string(dir.0.join("d/events.ndjson")).expect("events");
    let count = events.lines().count();
    assert!(count >= 500, "{count} events for 500 records");
    let (code, report) = run(
        &dir.0,
        &[
            "validate",
            "--no-config",
            "--contract",
            "event",
            "--format",
            "json",
            "d/events.ndjson",
        ],
        None,
    );
    let report: Value = serde_json::from_slice(&report).expect("a JSON report");
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["summary"]["records"], count as u64);
    let (code, report) = run(
        &dir.0,
        &[
            "validate",
            "--no-config",
            "--format",
            "json",
            "d/records.ndjson",
        ],
        None,
    );
    let report: Value = serde_json::from_slice(&report).expect("a JSON report");
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["summary"]["records"], 500);
    // Both files at once, detected per record: the summary counts each contract.
    let (code, human) = run(
        &dir.0,
        &[
            "validate",
            "--no-config",
            "d/events.ndjson",
            "d/records.ndjson",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert_eq!(
        String::from_utf8_lossy(&human),
        format!(
            "2 files, {} records ({count} event, 500 record): {} valid, 0 invalid; 0 errors, 0 warnings\n",
            count + 500,
            count + 500
        )
    );
}

/// A file of 50 fake events, a fifth of them invalid, in a fresh directory; `report(format)`
/// validates it (exit 1: it has errors) and returns the report; with the JSON report's
/// invalid records, errors and warnings.
fn events_file(name: &str) -> (TempDir, impl Fn(&str) -> String, [u64; 3]) {
    let dir = TempDir::new(name);
    let (code, events) = run(
        &dir.0,
        &[
            "fake",
            "--contract",
            "event",
            "--count",
            "50",
            "--seed",
            "2",
            "--invalid-rate",
            "0.2",
        ],
        None,
    );
    assert_eq!(code, 0);
    dir.write_bytes("events.ndjson", &events);
    let path = dir.0.clone();
    let report = move |format: &str| -> String {
        let args = [
            "validate",
            "--no-config",
            "--format",
            format,
            "events.ndjson",
        ];
        let (code, out) = run(&path, &args, None);
        assert_eq!(code, 1, "{format}");
        String::from_utf8(out).expect("UTF-8")
    };
    let json: Value = serde_json::from_str(&report("json")).expect("JSON");
    let count = |key: &str| json["summary"][key].as_u64().expect("a count");
    let counts = [count("invalid"), count("errors"), count("warnings")];
    assert!(counts[0] > 0);
    assert!(json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .all(|finding| finding["contract"] == "event"));
    (dir, report, counts)
}

/// The summary line's start for the 50 events with `invalid` invalid ones.
fn events_summary(invalid: u64) -> String {
    format!(
        "1 file, 50 records (event): {} valid, {invalid} invalid",
        50 - invalid
    )
}

#[test]
fn the_listing_formats_name_the_contract_of_an_events_file() {
    let (_dir, report, [invalid, errors, warnings]) = events_file("contracts-listing");
    let junit = report("junit");
    assert!(
        junit.contains(
            "<testsuite name=\"events.ndjson (event)\" tests=\"50\" skipped=\"0\" failures=\""
        ),
        "{junit}"
    );
    assert!(junit.contains("<property name=\"contract\" value=\"event\"/>"));
    assert_eq!(junit.matches("<testsuite ").count(), 1);
    assert_eq!(junit.matches("<testcase ").count(), 50);

    let github = report("github");
    let annotations: Vec<&str> = github.lines().filter(|l| l.starts_with("::")).collect();
    assert!(!annotations.is_empty());
    for annotation in &annotations {
        let message = annotation.split_once("::record ").expect("a record").1;
        let (_, after) = message.split_once(' ').expect("the record's number");
        assert!(after.starts_with("(event)"), "{annotation}");
    }
    let last = github.lines().last().expect("a summary");
    assert!(
        last.starts_with(&format!("enquiry: {}", events_summary(invalid))),
        "{last}"
    );
    assert!(
        last.ends_with(&format!("; {errors} errors, {warnings} warnings")),
        "{last}"
    );

    let sarif: Value = serde_json::from_str(&report("sarif")).expect("SARIF");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len() as u64, errors + warnings);
    assert!(results
        .iter()
        .all(|result| result["properties"]["contract"] == "event"));
}

#[test]
fn human_and_the_views_name_the_contract_of_an_events_file() {
    let (_dir, report, [invalid, _, _]) = events_file("contracts-views");
    let human = report("human");
    assert!(human.contains(&events_summary(invalid)), "{human}");
    let markdown = report("markdown");
    assert!(markdown.contains(&events_summary(invalid)), "{markdown}");
    assert!(
        markdown.contains("| <code>event</code> | 50 |"),
        "{markdown}"
    );
    let view = report("summary");
    assert!(view
        .lines()
        .next()
        .expect("a line")
        .contains(&events_summary(invalid)));
    let html = report("html");
    assert!(html.contains(&format!("<p>{}", events_summary(invalid))));
}

#[test]
fn record_reports_read_as_before_and_a_mixed_file_counts_each_contract() {
    let dir = TempDir::new("contracts-junit-mixed");
    let record = r#"{"_id":"a","createdAt":"2022-11-07T00:00:00Z","status":"closed","closedAt":"2022-11-07T01:00:00Z"}"#;
    let event = r#"{"status":"Opened","serviceId":"s","displayCaseNumber":"1","eid":"e","type":"inquiry","date":"2022-11-07T00:00:00Z"}"#;
    let response = r#"{"code":200,"result":{"challenge":"x"}}"#;
    dir.write("records.ndjson", &format!("{record}\n{record}\n"));
    dir.write(
        "mixed.ndjson",
        &format!("{record}\n{event}\n{response}\n{event}\n"),
    );
    let (code, junit) = run(
        &dir.0,
        &[
            "validate",
            "--no-config",
            "--format",
            "junit",
            "records.ndjson",
            "mixed.ndjson",
        ],
        None,
    );
    assert_eq!(code, 0);
    let junit = String::from_utf8(junit).expect("UTF-8");
    assert!(
        junit.contains("<testsuite name=\"records.ndjson\" tests=\"2\""),
        "{junit}"
    );
    assert!(junit.contains("<property name=\"contract\" value=\"record\"/>"));
    assert!(
        junit.contains(
            "<testsuite name=\"mixed.ndjson (1 challenge-response, 2 event, 1 record)\" tests=\"4\""
        ),
        "{junit}"
    );
    assert!(
        junit.contains("<property name=\"contract\" value=\"challenge-response, event, record\"/>")
    );
    let (code, human) = run(&dir.0, &["validate", "--no-config", "records.ndjson"], None);
    assert_eq!(code, 0);
    assert_eq!(
        String::from_utf8_lossy(&human),
        "1 file, 2 records: 2 valid, 0 invalid; 0 errors, 0 warnings\n"
    );
    let (_, github) = run(
        &dir.0,
        &[
            "validate",
            "--no-config",
            "--format",
            "github",
            "mixed.ndjson",
        ],
        None,
    );
    assert_eq!(
        String::from_utf8_lossy(&github),
        "enquiry: 1 file, 4 records (1 challenge-response, 2 event, 1 record): 4 valid, 0 invalid; 0 errors, 0 warnings\n"
    );
}

#[test]
fn the_views_count_days_only_for_contracts_with_a_date() {
    let dir = TempDir::new("contracts-views-days");
    let record = r#"{"_id":"a","createdAt":"2022-11-07T00:00:00Z","status":"closed","closedAt":"2022-11-07T01:00:00Z"}"#;
    let event = r#"{"status":"Opened","serviceId":"s","displayCaseNumber":"1","eid":"e","type":"inquiry","date":"2022-11-07T00:00:00Z"}"#;
    let response = r#"{"code":200,"result":{"challenge":"x"}}"#;
    dir.write(
        "mixed.ndjson",
        &format!("{record}\n{event}\n{response}\n{event}\n"),
    );
    // The views profile each contract; the handshake bodies have no date to count days by.
    let (_, markdown) = run(
        &dir.0,
        &[
            "validate",
            "--no-config",
            "--format",
            "markdown",
            "mixed.ndjson",
        ],
        None,
    );
    let markdown = String::from_utf8(markdown).expect("UTF-8");
    assert!(markdown.contains("### Records of <code>event</code> by day of <code>/date</code>"));
    assert!(markdown.contains("Field profile of <code>challenge-response</code>"));
    assert!(!markdown.contains("### Records of <code>challenge-response</code> by day"));
}

/// The text of line `line` (1-based) of `text` from code point `column` (1-based) on.
fn text_at(text: &str, line: u64, column: u64) -> String {
    let line = text.lines().nth(line as usize - 1).unwrap_or_default();
    line.chars().skip(column as usize - 1).collect()
}

#[test]
fn every_event_rule_has_a_fixture_whose_finding_points_at_the_defect() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    for mutant in enquiry_fake::event_stream::EVENT_CATALOGUE {
        let relative = format!("fixtures/events/invalid/{}.ndjson", mutant.id);
        let (code, stdout) = run(
            Path::new(root),
            &["validate", "--no-config", "--format", "json", &relative],
            None,
        );
        let report: Value = serde_json::from_slice(&stdout).expect("a JSON report");
        let findings = report["findings"].as_array().expect("findings");
        assert_eq!(findings.len(), 1, "{relative}: one defect, one finding");
        let finding = &findings[0];
        assert_eq!(finding["code"], mutant.code.as_str(), "{relative}");
        assert_eq!(finding["contract"], "event", "{relative}");
        let pointer = finding["pointer"].as_str().expect("pointer");
        assert_eq!(pointer, format!("/{}", mutant.member), "{relative}");
        let expected = finding["severity"] == "error";
        assert_eq!(code, i32::from(expected), "{relative}: exit code");
        // The line and column point at the defect in the file: the value, the key of an
        // unknown member, the record's brace for a missing one.
        let text = std::fs::read_to_string(format!("{root}/{relative}")).expect("fixture");
        let event: Value = serde_json::from_str(text.trim()).expect("the fixture parses");
        let at = text_at(
            &text,
            finding["line"].as_u64().expect("line"),
            finding["column"].as_u64().expect("column"),
        );
        let shown = match (mutant.code.as_str(), event.pointer(pointer)) {
            ("required", _) | (_, None) => "{".to_owned(),
            ("unknown-field", _) => format!("\"{}\"", mutant.member),
            (_, Some(value)) => value.to_string(),
        };
        assert!(at.starts_with(&shown), "{relative}: `{shown}` at {finding}");
    }
}

#[test]
fn a_clean_events_file_is_named_in_the_json_and_sarif_summaries_and_after_saving() {
    let dir = TempDir::new("contracts-clean-summary");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/events/valid.ndjson");
    let events = std::fs::read(fixture).expect("the valid events fixture");
    dir.write_bytes("a.ndjson", &events);
    dir.write_bytes("b.ndjson", &events);
    let records = events.iter().filter(|byte| **byte == b'\n').count() as u64;
    let clean = serde_json::json!({
        "event": {"records": 2 * records, "valid": 2 * records, "invalid": 0, "errors": 0, "warnings": 0}
    });
    for jobs in ["1", "2"] {
        let args = [
            "validate",
            "--no-config",
            "--jobs",
            jobs,
            "--format",
            "json",
            "a.ndjson",
            "b.ndjson",
        ];
        let (code, out) = run(&dir.0, &args, None);
        assert_eq!(code, 0);
        let report: Value = serde_json::from_slice(&out).expect("JSON");
        assert_eq!(report["findings"], serde_json::json!([]));
        assert_eq!(report["summary"]["contracts"], clean, "--jobs {jobs}");
        assert_eq!(report["version"], 1);
    }
    let args = [
        "validate",
        "--no-config",
        "--format",
        "sarif",
        "a.ndjson",
        "b.ndjson",
    ];
    let (code, sarif) = run(&dir.0, &args, None);
    assert_eq!(code, 0);
    let sarif: Value = serde_json::from_slice(&sarif).expect("SARIF");
    assert_eq!(sarif["runs"][0]["properties"]["contracts"], clean);

    // Saved and rendered: the summary line names the contract, from `summary.contracts`.
    let args = [
        "validate",
        "--no-config",
        "--format",
        "json",
        "-o",
        "saved.json",
        "a.ndjson",
    ];
    assert_eq!(run(&dir.0, &args, None).0, 0);
    let (code, view) = run(&dir.0, &["report", "saved.json"], None);
    assert_eq!(code, 0);
    let view = String::from_utf8(view).expect("UTF-8");
    assert!(
        view.contains(&format!(
            "1 file, {records} records (event): {records} valid"
        )),
        "{view}"
    );
    // A report saved before the member existed renders too, without naming the contract.
    let mut older: Value =
        serde_json::from_slice(&std::fs::read(dir.0.join("saved.json")).expect("saved"))
            .expect("JSON");
    older["summary"]
        .as_object_mut()
        .expect("a summary")
        .remove("contracts");
    dir.write("older.json", &older.to_string());
    let (code, view) = run(
        &dir.0,
        &["report", "older.json", "--format", "markdown"],
        None,
    );
    assert_eq!(code, 0);
    let view = String::from_utf8(view).expect("UTF-8");
    assert!(
        view.contains(&format!("1 file, {records} records: {records} valid")),
        "{view}"
    );
}
