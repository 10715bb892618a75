//! Every finding's JSON Pointer names the value it is about, at any depth and position: in
//! objects and arrays of thousands of children with a defect in each (where the search for a
//! pointer resumes from the last one), and from one record to the next.

use enquiry_validator::{Code, Config, Validator};
use serde_json::Value;

/// Members of the large object and items of the large array.
const MANY: usize = 3000;

/// A record with `MANY` numeric `ip` members (each a `type` error, all but the first a
/// duplicate) and a label list of `MANY` items, every other one empty.
fn large_record() -> String {
    let members: Vec<String> = (0..MANY).map(|i| format!("\"ip\":{i}")).collect();
    let labels: Vec<String> = (0..MANY)
        .map(|i| {
            if i % 2 == 0 {
                "\"\"".to_owned()
            } else {
                format!("\"l{i}\"")
            }
        })
        .collect();
    format!(
        "{{{},\"labelIDs\":[{}],\"locationDetail\":{{\"regionCode\":\"xx\",\"extra\":1}}}}",
        members.join(","),
        labels.join(",")
    )
}

/// Asserts that every finding of `ndjson` (other than missing members and the cap's count)
/// points at a value present in its record; returns the pointers of each code.
fn pointers(ndjson: &str) -> Vec<(Code, String)> {
    let config = Config {
        max_findings_per_record: 4 * MANY,
        ..Config::default()
    };
    let report = Validator::new(config).validate_slice(ndjson.as_bytes(), "t.ndjson");
    let records: Vec<Value> = ndjson
        .lines()
        .map(|line| serde_json::from_str(line).expect("test records parse"))
        .collect();
    for finding in &report.findings {
        if matches!(finding.code, Code::Required | Code::TooManyFindings) {
            continue;
        }
        let record = &records[finding.record as usize];
        assert!(
            record.pointer(finding.pointer.as_str()).is_some(),
            "{} points at nothing: {}",
            finding.code,
            finding.pointer
        );
    }
    report
        .findings
        .iter()
        .map(|finding| (finding.code, finding.pointer.as_str().to_owned()))
        .collect()
}

#[test]
fn findings_in_large_containers_point_at_their_own_child() {
    let small = r#"{"labelIDs":["",""],"locationDetail":{"regionCode":"yy"}}"#;
    let ndjson = format!("{}\n{small}\n{}\n", large_record(), large_record());
    let found = pointers(&ndjson);
    let empty_labels: Vec<&String> = found
        .iter()
        .filter(|(code, _)| *code == Code::LabelEmpty)
        .map(|(_, pointer)| pointer)
        .collect();
    let expected: Vec<String> = [0, 1]
        .into_iter()
        .flat_map(|record| {
            let large = (0..MANY).step_by(2).map(|i| format!("/labelIDs/{i}"));
            let small = (0..2).map(|i| format!("/labelIDs/{i}"));
            if record == 0 {
                large.chain(small).collect::<Vec<_>>()
            } else {
                large.collect()
            }
        })
        .collect();
    assert_eq!(
        empty_labels.len(),
        expected.len(),
        "one finding per empty label"
    );
    let wrong = empty_labels
        .iter()
        .zip(&expected)
        .find(|(found, expected)| **found != *expected);
    assert_eq!(wrong, None, "each at its own index");
    let country: Vec<&String> = found
        .iter()
        .filter(|(code, _)| *code == Code::Country)
        .map(|(_, pointer)| pointer)
        .collect();
    assert_eq!(country.len(), 3);
    assert!(country
        .iter()
        .all(|pointer| *pointer == "/locationDetail/regionCode"));
}

#[test]
fn a_pointer_search_behind_the_last_one_starts_over() {
    // The cross-member rules run after the walk: the `timeline` finding points behind the
    // label findings searched last.
    let record = r#"{"closedAt":"2022-01-01T00:00:00Z","labelIDs":["a",""],"createdAt":"2022-02-01T00:00:00Z"}"#;
    let found = pointers(&format!("{record}\n"));
    let label = found.iter().position(|(code, _)| *code == Code::LabelEmpty);
    let timeline = found.iter().position(|(code, _)| *code == Code::Timeline);
    assert_eq!(
        found[label.expect("a label-empty finding")].1,
        "/labelIDs/1"
    );
    assert_eq!(found[timeline.expect("a timeline finding")].1, "/closedAt");
}
