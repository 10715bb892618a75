//! End-to-end tests of `enquiry fake`, the way another project uses it: generate, validate,
//! compare the manifest with the validator's findings.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

use common::TempDir;
use serde_json::Value;

fn enquiry(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    common::run_enquiry(dir, args, stdin)
}

fn json_report(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> (i32, Value) {
    let output = enquiry(dir, args, stdin);
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "report does not parse: {err}; stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap_or(-1), report)
}

#[test]
fn fakes_are_deterministic_and_valid() {
    let dir = TempDir::new("fake-valid");
    let first = enquiry(&dir.0, &["fake", "--count", "2000", "--seed", "1"], None);
    let second = enquiry(&dir.0, &["fake", "--count", "2000", "--seed", "1"], None);
    assert!(first.status.success());
    assert_eq!(
        first.stdout, second.stdout,
        "same seed and flags, same bytes"
    );
    let other = enquiry(&dir.0, &["fake", "--count", "2000", "--seed", "2"], None);
    assert_ne!(first.stdout, other.stdout, "another seed, other records");
    // Record N does not depend on --count.
    let shorter = enquiry(&dir.0, &["fake", "--count", "10", "--seed", "1"], None);
    assert!(first.stdout.starts_with(&shorter.stdout));

    let (code, report) = json_report(
        &dir.0,
        &["validate", "--no-config", "--format", "json", "-"],
        Some(&first.stdout),
    );
    assert_eq!(code, 0, "{}", report["summary"]);
    assert_eq!(report["summary"]["records"], 2000);
    assert_eq!(report["summary"]["valid"], 2000);
    assert_eq!(
        report["summary"]["warnings"], 0,
        "fakes carry no warning either"
    );

    let array = enquiry(
        &dir.0,
        &["fake", "--count", "50", "--seed", "1", "--format", "json"],
        None,
    );
    let records: Vec<Value> = serde_json::from_slice(&array.stdout).expect("a JSON array");
    let lines: Vec<Value> =
        ndjson_records(&enquiry(&dir.0, &["fake", "--count", "50", "--seed", "1"], None).stdout);
    assert_eq!(
        records, lines,
        "the JSON array holds the same records as the NDJSON"
    );

    let args = [
        "fake",
        "--count",
        "50",
        "--seed",
        "1",
        "--format",
        "list-response",
    ];
    let page: Value = serde_json::from_slice(&enquiry(&dir.0, &args, None).stdout).unwrap();
    assert_eq!(
        page["enquiryDetails"].as_array(),
        Some(&lines),
        "and so does the list response"
    );
    assert_eq!(
        (&page["total"], &page["offset"], &page["code"]),
        (&50.into(), &0.into(), &200.into())
    );
    let (code, report) = json_report(
        &dir.0,
        &["validate", "--no-config", "--format", "json", "-"],
        Some(serde_json::to_string(&page).unwrap().as_bytes()),
    );
    assert_eq!(
        (code, &report["summary"]["valid"]),
        (0, &50.into()),
        "{}",
        report["summary"]
    );
}

fn ndjson_records(bytes: &[u8]) -> Vec<Value> {
    bytes
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).expect("a JSON line"))
        .collect()
}

#[test]
fn the_manifest_agrees_with_the_validator_one_for_one() {
    let dir = TempDir::new("fake-manifest");
    for format in ["ndjson", "json", "list-response"] {
        let payload = dir.0.join(format!("mutants.{format}"));
        let manifest = dir.0.join(format!("manifest-{format}.json"));
        let output = enquiry(
            &dir.0,
            &[
                "fake",
                "--count",
                "400",
                "--seed",
                "5",
                "--invalid-only",
                "--format",
                format,
                "--manifest",
                manifest.to_str().expect("utf-8"),
                "--output",
                payload.to_str().expect("utf-8"),
            ],
            None,
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let labels: Value =
            serde_json::from_slice(&std::fs::read(&manifest).expect("manifest")).expect("JSON");
        let expected: BTreeSet<(u64, String, String)> = labels
            .as_array()
            .expect("an array")
            .iter()
            .map(|label| {
                (
                    label["record"].as_u64().expect("record"),
                    label["pointer"].as_str().expect("pointer").to_owned(),
                    label["code"].as_str().expect("code").to_owned(),
                )
            })
            .collect();
        assert_eq!(expected.len(), 400, "one label per record");

        let (code, report) = json_report(
            &dir.0,
            &[
                "validate",
                "--no-config",
                "--format",
                "json",
                payload.to_str().expect("utf-8"),
            ],
            None,
        );
        assert_eq!(code, 1);
        let found: BTreeSet<(u64, String, String)> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|finding| {
                assert_eq!(finding["severity"], "error", "{finding}");
                (
                    finding["record"].as_u64().expect("record"),
                    finding["pointer"].as_str().expect("pointer").to_owned(),
                    finding["code"].as_str().expect("code").to_owned(),
                )
            })
            .collect();
        assert_eq!(
            found, expected,
            "{format}: the validator finds exactly the labelled defects"
        );
        assert_eq!(
            report["findings"].as_array().map(Vec::len),
            Some(400),
            "and nothing else"
        );
    }
}

#[test]
fn bad_flag_values_exit_2() {
    let dir = TempDir::new("fake-usage");
    for args in [
        &["fake", "--invalid-rate", "2"][..],
        &["fake", "--status", "Closed"],
        &["fake", "--invalid-rate", "0.1", "--invalid-only"],
        &["fake", "--labels", "no-such-file.json"],
    ] {
        let output = enquiry(&dir.0, args, None);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!output.stderr.is_empty(), "{args:?} says why");
    }
}
