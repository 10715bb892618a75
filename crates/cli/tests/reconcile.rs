//! `enquiry reconcile` on records and their lifecycle events as the mock serves and sends
//! them: consistent data is clean (plain and gzip); each kind of inconsistency, injected
//! alone, is found with its code and line.

mod common;

use std::path::Path;
use std::process::Output;

use common::{run_enquiry, TempDir};
use enquiry_fake::events::lifecycle;
use enquiry_mock::dataset::Dataset;
use enquiry_mock::Config;
use serde_json::Value;

/// Records (one line each) and, per record, its events' lines, in sending order.
fn dataset() -> (Vec<String>, Vec<Vec<String>>) {
    let dataset = Dataset::new(&Config {
        records: 60,
        seed: 5,
        ..Config::default()
    })
    .unwrap();
    let mut records = Vec::new();
    let mut events = Vec::new();
    for position in 0..dataset.len() {
        let bytes = dataset.valid_record(position).unwrap();
        let record: Value = serde_json::from_slice(&bytes).unwrap();
        let lines = lifecycle(&record).unwrap();
        events.push(
            lines
                .iter()
                .map(|e| serde_json::to_string(e).unwrap())
                .collect(),
        );
        records.push(String::from_utf8(bytes).unwrap());
    }
    (records, events)
}

fn ndjson(lines: impl IntoIterator<Item = String>) -> String {
    lines.into_iter().map(|line| line + "\n").collect()
}

fn reconcile(dir: &TempDir, records: &str, events: &str) -> (Output, Vec<Value>) {
    dir.write("records.ndjson", records);
    dir.write("events.ndjson", events);
    let args = [
        "reconcile",
        "events.ndjson",
        "records.ndjson",
        "--format",
        "json",
    ];
    let output = run_enquiry(&dir.0, &args, None);
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(&output.stdout)));
    let findings = report["findings"].as_array().unwrap().clone();
    (output, findings)
}

/// Asserts exit 1 and that every finding has `code`, in `file`, the first at `line`.
fn assert_found(found: &(Output, Vec<Value>), code: &str, file: &str, line: usize) {
    let (output, findings) = found;
    assert_eq!(output.status.code(), Some(1), "{findings:?}");
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|f| f["code"] == code && f["file"] == file),
        "{findings:?}"
    );
    assert_eq!(findings[0]["line"], line as u64, "{findings:?}");
}

fn gzip(path: &Path) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&std::fs::read(path).unwrap()).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn consistent_records_and_events_are_clean_also_gzipped() {
    let dir = TempDir::new("reconcile-clean");
    let (records, events) = dataset();
    let (output, findings) = reconcile(&dir, &ndjson(records), &ndjson(events.concat()));
    assert_eq!(output.status.code(), Some(0), "{findings:?}");
    assert!(findings.is_empty());
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["records"], 60);
    assert_eq!(report["summary"]["enquiries"], 60);

    dir.write_bytes("records.ndjson.gz", &gzip(&dir.0.join("records.ndjson")));
    let args = ["reconcile", "events.ndjson", "records.ndjson.gz"];
    let output = run_enquiry(&dir.0, &args, None);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("60 records: 0 findings"), "{text}");
}

/// The index of a record whose lifecycle has at least `events` events ending `status`.
fn pick(events: &[Vec<String>], count: usize, last: &str) -> usize {
    events
        .iter()
        .position(|lines| lines.len() >= count && lines.last().unwrap().contains(last))
        .unwrap_or_else(|| panic!("no lifecycle of {count} ending {last}"))
}

/// The 1-based line of event `at` of record `record` in the concatenated events.
fn event_line(events: &[Vec<String>], record: usize, at: usize) -> usize {
    events[..record].iter().map(Vec::len).sum::<usize>() + at + 1
}

#[test]
fn each_injected_inconsistency_is_found_with_its_code() {
    let dir = TempDir::new("reconcile-defects");
    let (records, events) = dataset();
    let all_records = ndjson(records.clone());

    let mut orphan = events.concat();
    orphan.push(events[0][0].replace(r#""eid":""#, r#""eid":"x-"#));
    let found = reconcile(&dir, &all_records, &ndjson(orphan.clone()));
    assert_found(
        &found,
        "event-without-record",
        "events.ndjson",
        orphan.len(),
    );

    let mut silent = events.clone();
    silent[7].clear();
    let found = reconcile(&dir, &all_records, &ndjson(silent.concat()));
    assert_found(&found, "record-without-events", "records.ndjson", 8);

    let closed = pick(&events, 3, "\"Closed\"");
    let mut cut = events.clone();
    cut[closed].pop();
    let found = reconcile(&dir, &all_records, &ndjson(cut.concat()));
    assert_found(&found, "status-disagrees", "records.ndjson", closed + 1);
    assert!(found.1[0]["message"]
        .as_str()
        .unwrap()
        .contains("expected Closed"));

    let mut swapped = events.clone();
    swapped[closed].swap(1, 2);
    let found = reconcile(&dir, &all_records, &ndjson(swapped.concat()));
    assert_found(
        &found,
        "event-out-of-order",
        "events.ndjson",
        event_line(&events, closed, 2),
    );

    let mut twice = events.clone();
    let again = twice[closed][1].clone();
    twice[closed].insert(2, again);
    let found = reconcile(&dir, &all_records, &ndjson(twice.concat()));
    assert_found(
        &found,
        "duplicate-delivery",
        "events.ndjson",
        event_line(&events, closed, 2),
    );

    let mut broken = events.concat();
    broken.insert(0, "{not json".to_owned());
    let found = reconcile(&dir, &all_records, &ndjson(broken));
    assert_found(&found, "unreadable-line", "events.ndjson", 1);

    let missing = run_enquiry(
        &dir.0,
        &["reconcile", "nope.ndjson", "records.ndjson"],
        None,
    );
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&missing.stderr).lines().count(), 1);
}

/// Records and events with one of each inconsistency injected.
fn defective() -> (String, String) {
    let (records, events) = dataset();
    let mut events = events;
    let closed = pick(&events, 3, "\"Closed\"");
    events[closed].swap(1, 2);
    events[3].clear();
    let again = events[10][0].clone();
    events[10].insert(1, again);
    let mut lines = events.concat();
    lines.push(events[0][0].replace(r#""eid":""#, r#""eid":"x-"#));
    lines.insert(5, "[1, 2]".to_owned());
    (ndjson(records), ndjson(lines))
}

#[test]
fn a_tiny_memory_budget_spills_to_disk_and_finds_exactly_the_same() {
    let dir = TempDir::new("reconcile-spill");
    let (records, events) = defective();
    let (output, in_memory) = reconcile(&dir, &records, &events);
    assert_eq!(output.status.code(), Some(1));
    let codes: std::collections::BTreeSet<&str> = in_memory
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 5, "{in_memory:?}");
    let args = [
        "reconcile",
        "events.ndjson",
        "records.ndjson",
        "--format",
        "json",
        "--max-memory",
        "2KiB",
        "--temp-dir",
        ".",
    ];
    let output = run_enquiry(&dir.0, &args, None);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        report["summary"]["spill_files"].as_u64().unwrap() > 3,
        "{}",
        report["summary"]
    );
    assert_eq!(report["findings"].as_array().unwrap(), &in_memory);
    let lines: Vec<u64> = in_memory
        .iter()
        .map(|f| {
            f["line"].as_u64().unwrap()
                + if f["file"] == "events.ndjson" {
                    0
                } else {
                    1 << 32
                }
        })
        .collect();
    assert!(
        lines.windows(2).all(|pair| pair[0] <= pair[1]),
        "ordered by file and line"
    );
    let left: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        left.iter().all(|name| name.ends_with(".ndjson")),
        "temporary files removed: {left:?}"
    );
}

#[test]
fn every_report_format_carries_the_findings() {
    let dir = TempDir::new("reconcile-formats");
    let (records, events) = defective();
    let (_, findings) = reconcile(&dir, &records, &events);
    let count = findings.len();
    let report = |format: &str| {
        let args = [
            "reconcile",
            "events.ndjson",
            "records.ndjson",
            "--format",
            format,
        ];
        let output = run_enquiry(&dir.0, &args, None);
        assert_eq!(output.status.code(), Some(1), "{format}");
        String::from_utf8(output.stdout).unwrap()
    };
    let sarif: Value = serde_json::from_str(&report("sarif")).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), count);
    for (result, finding) in results.iter().zip(&findings) {
        assert_eq!(result["ruleId"], finding["code"]);
        assert_eq!(
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            finding["line"]
        );
    }
    let junit = report("junit");
    assert_eq!(junit.matches("<failure ").count(), count, "{junit}");
    assert!(junit.contains(&format!("failures=\"{count}\"")), "{junit}");
    let github = report("github");
    assert_eq!(github.matches("::error file=").count(), count, "{github}");
    let human = report("human");
    assert_eq!(human.matches(": error[").count(), count, "{human}");
    assert!(human.contains(&format!("{count} findings")), "{human}");
}

#[test]
fn a_fake_dataset_reconciles_clean_validates_and_repeats_byte_for_byte() {
    let dir = TempDir::new("reconcile-fake-dataset");
    let make = |name: &str| {
        let args = ["fake", "--dataset", name, "--count", "400", "--seed", "9"];
        let output = run_enquiry(&dir.0, &args, None);
        assert_eq!(output.status.code(), Some(0), "{output:?}");
    };
    make("a");
    make("b");
    for file in ["records.ndjson", "events.ndjson", "dataset.json"] {
        let first = std::fs::read(dir.0.join("a").join(file)).unwrap();
        assert_eq!(
            first,
            std::fs::read(dir.0.join("b").join(file)).unwrap(),
            "{file}"
        );
    }
    let description: Value =
        serde_json::from_slice(&std::fs::read(dir.0.join("a/dataset.json")).unwrap()).unwrap();
    assert_eq!(description["records"], 400);
    let events = std::fs::read_to_string(dir.0.join("a/events.ndjson")).unwrap();
    assert_eq!(description["events"], events.lines().count() as u64);

    let args = [
        "reconcile",
        "a/events.ndjson",
        "a/records.ndjson",
        "--format",
        "json",
    ];
    let output = run_enquiry(&dir.0, &args, None);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_eq!(report["summary"]["records"], 400);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);

    let output = run_enquiry(
        &dir.0,
        &["validate", "--no-config", "a/records.ndjson"],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
}

#[test]
fn a_dataset_refuses_flags_that_would_make_it_inconsistent() {
    let dir = TempDir::new("reconcile-fake-dataset-flags");
    let args = ["fake", "--dataset", "d", "--invalid-rate", "0.1"];
    let output = run_enquiry(&dir.0, &args, None);
    assert_eq!(output.status.code(), Some(2));
    assert!(!dir.0.join("d").exists());
}

#[test]
fn the_bundled_dataset_is_what_fake_writes_and_reconciles_clean() {
    let dir = TempDir::new("reconcile-bundled-dataset");
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/dataset");
    let records = format!("{root}/records.ndjson");
    let events = format!("{root}/events.ndjson");
    let args = [
        "fake",
        "--dataset",
        "d",
        "--count",
        "12",
        "--seed",
        "20221107",
    ];
    assert_eq!(run_enquiry(&dir.0, &args, None).status.code(), Some(0));
    for (bundled, written) in [(&records, "d/records.ndjson"), (&events, "d/events.ndjson")] {
        assert_eq!(
            std::fs::read(bundled).unwrap(),
            std::fs::read(dir.0.join(written)).unwrap(),
            "{bundled}: regenerate with `cargo xtask codegen`"
        );
    }
    let args = ["reconcile", &events, &records, "--format", "json"];
    let output = run_enquiry(&dir.0, &args, None);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_eq!(report["summary"]["records"], 12);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);
    let output = run_enquiry(&dir.0, &["validate", "--no-config", &events], None);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
}
