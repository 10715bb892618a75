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
    let (code, events) = run(
        &dir.0,
        &[
            "fake",
            "--contract",
            "event",
            "--count",
            "3000",
            "--seed",
            "1",
        ],
        None,
    );
    assert_eq!(code, 0);
    let (again, same) = run(
        &dir.0,
        &[
            "fake",
            "--contract",
            "event",
            "--count",
            "3000",
            "--seed",
            "1",
        ],
        None,
    );
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
