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

/// (record, pointer, code, severity) of each manifest label; a label without a severity is an
/// error (the default profile's manifests, as they always were).
type Labelled = BTreeSet<(u64, String, String, String)>;

fn manifest_labels(path: &Path) -> Labelled {
    let labels: Value =
        serde_json::from_slice(&std::fs::read(path).expect("manifest")).expect("JSON");
    labelled(&labels)
}

/// The (record, pointer, code, severity) of each item of an array of manifest labels or of
/// report findings (findings always carry a severity; labels of errors may leave it out).
fn labelled(items: &Value) -> Labelled {
    items
        .as_array()
        .expect("an array")
        .iter()
        .map(|item| {
            (
                item["record"].as_u64().expect("record"),
                item["pointer"].as_str().expect("pointer").to_owned(),
                item["code"].as_str().expect("code").to_owned(),
                item["severity"].as_str().unwrap_or("error").to_owned(),
            )
        })
        .collect()
}

/// Generates 400 mutants with `fake_args` in `format`, validates them with `validate_args`,
/// and checks that the findings are exactly the manifest's labels; returns the labels.
fn mutants_match_their_manifest(
    dir: &Path,
    fake_args: &[&str],
    validate_args: &[&str],
    format: &str,
) -> Labelled {
    let name = format!("{}-{format}", fake_args.join("").replace('-', ""));
    let payload = dir.join(format!("mutants-{name}"));
    let manifest = dir.join(format!("manifest-{name}.json"));
    let mut args = vec!["fake", "--count", "400", "--seed", "5", "--invalid-only"];
    args.extend_from_slice(fake_args);
    let (manifest_arg, payload_arg) = (
        manifest.to_str().expect("utf-8"),
        payload.to_str().expect("utf-8"),
    );
    args.extend([
        "--format",
        format,
        "--manifest",
        manifest_arg,
        "--output",
        payload_arg,
    ]);
    let output = enquiry(dir, &args, None);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected = manifest_labels(&manifest);
    assert_eq!(expected.len(), 400, "{args:?}: one label per record");

    let mut args = vec!["validate", "--no-config", "--format", "json", payload_arg];
    args.extend_from_slice(validate_args);
    let (code, report) = json_report(dir, &args, None);
    let found = labelled(&report["findings"]);
    assert_eq!(
        found, expected,
        "{args:?} {format}: the validator finds exactly the labelled defects"
    );
    assert_eq!(
        report["findings"].as_array().map(Vec::len),
        Some(400),
        "and nothing else"
    );
    assert_eq!(code, 1, "every record has its defect");
    expected
}

#[test]
fn the_manifest_agrees_with_the_validator_one_for_one() {
    let dir = TempDir::new("fake-manifest");
    for format in ["ndjson", "json", "list-response"] {
        let labels = mutants_match_their_manifest(&dir.0, &[], &[], format);
        assert!(
            labels.iter().all(|label| label.3 == "error"),
            "the default catalogue is the default profile's errors"
        );
    }
}

/// The rules the default profile reports as warnings (`bom` aside: it belongs to a file, not
/// a record), and `canonical-timestamp`, which only the strict profile reports.
const WARNING_RULES: &[&str] = &[
    "status-consistency",
    "close-duration",
    "unknown-field",
    "null-value",
    "unrecognised-value",
    "undocumented-shape",
];

#[test]
fn warning_rules_are_labelled_with_the_severity_the_validator_reports() {
    let dir = TempDir::new("fake-manifest-warnings");
    let mut default_codes = BTreeSet::new();
    let mut strict_codes = BTreeSet::new();
    for format in ["ndjson", "json", "list-response"] {
        for label in mutants_match_their_manifest(&dir.0, &["--with-warnings"], &[], format) {
            let warning = WARNING_RULES.contains(&label.2.as_str());
            assert_eq!(
                label.3,
                if warning { "warning" } else { "error" },
                "{label:?}"
            );
            default_codes.insert(label.2);
        }
        let strict = ["--profile", "strict"];
        for label in mutants_match_their_manifest(&dir.0, &strict, &strict, format) {
            assert_eq!(label.3, "error", "the strict profile: {label:?}");
            strict_codes.insert(label.2);
        }
    }
    for rule in WARNING_RULES {
        assert!(
            default_codes.contains(*rule),
            "default: no {rule} in {default_codes:?}"
        );
    }
    // With the strict profile a `null` member is `required` (it requires every member).
    for rule in WARNING_RULES.iter().filter(|rule| **rule != "null-value") {
        assert!(
            strict_codes.contains(*rule),
            "strict: no {rule} in {strict_codes:?}"
        );
    }
    assert!(strict_codes.contains("canonical-timestamp"));
    assert!(
        !default_codes.contains("canonical-timestamp"),
        "the default profile allows it"
    );
}

#[test]
fn strict_fakes_pass_the_strict_profile_with_deny_warnings() {
    let dir = TempDir::new("fake-strict");
    let runs: &[(&str, &str, &[&str])] = &[
        ("1", "2000", &["--format", "ndjson"]),
        ("2", "1500", &["--format", "json"]),
        ("3", "1000", &["--format", "list-response"]),
        ("4", "400", &["--status", "closed"]),
        ("5", "400", &["--status", "missed,followed-up"]),
        ("6", "300", &["--channel", "VirtualNumber"]),
    ];
    let mut total = 0;
    for (seed, count, extra) in runs {
        let mut args = vec![
            "fake",
            "--profile",
            "strict",
            "--seed",
            seed,
            "--count",
            count,
        ];
        args.extend_from_slice(extra);
        let first = enquiry(&dir.0, &args, None);
        assert!(first.status.success(), "{args:?}");
        assert_eq!(
            first.stdout,
            enquiry(&dir.0, &args, None).stdout,
            "{args:?}: same bytes"
        );
        let validate = [
            "validate",
            "--no-config",
            "--profile",
            "strict",
            "--deny-warnings",
            "--format",
            "json",
            "-",
        ];
        let (code, report) = json_report(&dir.0, &validate, Some(&first.stdout));
        let summary = &report["summary"];
        assert_eq!(code, 0, "{args:?}: {summary} {}", report["findings"]);
        assert_eq!(
            summary["records"].as_u64(),
            Some(count.parse().expect("count"))
        );
        assert_eq!(summary["valid"], summary["records"], "{args:?}");
        assert_eq!(
            (&summary["errors"], &summary["warnings"]),
            (&0.into(), &0.into())
        );
        total += summary["records"].as_u64().expect("records");
    }
    assert!(total >= 5000, "{total}");

    // Record N does not depend on --count, and strict records are not the default ones.
    let strict = |count: &str| {
        let args = [
            "fake",
            "--profile",
            "strict",
            "--seed",
            "1",
            "--count",
            count,
        ];
        enquiry(&dir.0, &args, None)
    };
    let (strict, longer) = (strict("10"), strict("20"));
    assert!(longer.stdout.starts_with(&strict.stdout));
    let default = enquiry(&dir.0, &["fake", "--seed", "1", "--count", "10"], None);
    assert_ne!(strict.stdout, default.stdout);
    // Without --profile strict, the same records fail the strict profile (missing members).
    let (code, _) = json_report(
        &dir.0,
        &[
            "validate",
            "--no-config",
            "--profile",
            "strict",
            "--format",
            "json",
            "-",
        ],
        Some(&default.stdout),
    );
    assert_eq!(code, 1);
}

#[test]
fn strict_events_are_the_default_ones_and_pass_the_strict_profile() {
    let dir = TempDir::new("fake-strict-events");
    let args = [
        "fake",
        "--contract",
        "event",
        "--count",
        "400",
        "--seed",
        "3",
    ];
    let default = enquiry(&dir.0, &args, None);
    let mut strict_args = args.to_vec();
    strict_args.extend(["--profile", "strict"]);
    let strict = enquiry(&dir.0, &strict_args, None);
    assert!(strict.status.success());
    assert_eq!(
        default.stdout, strict.stdout,
        "events have no strict-only member"
    );
    let validate = [
        "validate",
        "--no-config",
        "--contract",
        "event",
        "--profile",
        "strict",
        "--deny-warnings",
        "-q",
        "-",
    ];
    assert_eq!(
        enquiry(&dir.0, &validate, Some(&strict.stdout))
            .status
            .code(),
        Some(0)
    );
}

/// FNV-1a, 64 bits: enough to pin bytes without a golden file or a hashing dependency.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn the_default_profile_writes_what_it_always_wrote() {
    // Hashes of the output of the `enquiry` built before `--profile` existed.
    let dir = TempDir::new("fake-default-golden");
    let cases: &[(&[&str], u64)] = &[
        (&["--format", "ndjson"], 0xaf6f_e7f3_6f17_0e8e),
        (
            &["--format", "json", "--profile", "default"],
            0xd5a0_2257_9855_cb76,
        ),
        (&["--format", "list-response"], 0x7687_5baa_69a9_d742),
    ];
    for (extra, hash) in cases {
        let mut args = vec!["fake", "--count", "50", "--seed", "7"];
        args.extend_from_slice(extra);
        let output = enquiry(&dir.0, &args, None);
        assert_eq!(fnv1a(&output.stdout), *hash, "{args:?}");
    }
    let manifest = dir.0.join("manifest.json");
    let args = [
        "fake",
        "--count",
        "50",
        "--seed",
        "7",
        "--invalid-rate",
        "0.3",
        "--manifest",
        manifest.to_str().expect("utf-8"),
    ];
    let output = enquiry(&dir.0, &args, None);
    assert_eq!(fnv1a(&output.stdout), 0x5790_74a6_8981_5b7e, "mutants");
    let manifest = std::fs::read(&manifest).expect("manifest");
    assert_eq!(fnv1a(&manifest), 0xdf8e_811c_2cc0_7b44, "their manifest");
    let events = [
        "fake",
        "--contract",
        "event",
        "--count",
        "20",
        "--seed",
        "7",
        "--invalid-rate",
        "0.3",
    ];
    assert_eq!(
        fnv1a(&enquiry(&dir.0, &events, None).stdout),
        0xd2c7_e7fc_c36c_dd96,
        "events"
    );
}

#[test]
fn bad_flag_values_exit_2() {
    let dir = TempDir::new("fake-usage");
    for args in [
        &["fake", "--invalid-rate", "2"][..],
        &["fake", "--status", "Closed"],
        &["fake", "--invalid-rate", "0.1", "--invalid-only"],
        &["fake", "--labels", "no-such-file.json"],
        &["fake", "--profile", "lenient"],
        &["fake", "--profile", "strict", "--dataset", "out"],
        &["fake", "--contract", "event", "--with-warnings"],
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
