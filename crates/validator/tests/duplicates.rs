//! One duplicate-key semantics for every input shape: with `--pointer`, the first occurrence
//! of a duplicated member is followed; inside a record, the `duplicate-key` finding points at
//! the second occurrence. NDJSON lines, arrays and documents behave alike.

use enquiry_validator::{Code, Config, Validator};

const FIRST: &str = r#"[{"_id":"a","createdAt":"2022-11-07T00:00:00Z","status":"ongoing"}]"#;
const SECOND: &str = r#"[{"_id":"b"},{"_id":"c"}]"#;

fn records_at_pointer(input: &str) -> (u64, u64) {
    let config = Config {
        pointer: Some("/items".to_owned()),
        ..Config::default()
    };
    let report = Validator::new(config).validate_slice(input.as_bytes(), "p.json");
    (report.summary.records, report.summary.invalid)
}

#[test]
fn pointer_follows_the_first_occurrence_in_every_shape() {
    let page = format!(r#"{{"items":{FIRST},"items":{SECOND}}}"#);
    // One line (NDJSON), then the same document pretty-printed (the streaming document walk).
    let ndjson = format!("{page}\n{page}\n");
    let document = format!("{{\n  \"items\": {FIRST},\n  \"items\": {SECOND}\n}}\n");
    assert_eq!(records_at_pointer(&ndjson), (2, 0));
    assert_eq!(records_at_pointer(&document), (1, 0));
}

#[test]
fn duplicate_key_finding_points_at_the_second_occurrence_in_every_shape() {
    let record =
        r#"{"_id":"a","createdAt":"2022-11-07T00:00:00Z","status":"ongoing","status":"closed"}"#;
    let shapes = [
        format!("{record}\n"),
        format!("[\n{record}\n]"),
        format!("{{\"items\": [{record}]}}"),
        record.to_owned(),
    ];
    for input in shapes {
        let report = Validator::new(Config::default()).validate_slice(input.as_bytes(), "d.json");
        let duplicate = report
            .with_code(Code::DuplicateKey)
            .next()
            .unwrap_or_else(|| panic!("no duplicate-key in {input}: {report}"));
        assert_eq!(duplicate.pointer.as_str(), "/status", "{input}");
        let line = input.lines().nth(duplicate.line as usize - 1).unwrap();
        let at: String = line.chars().skip(duplicate.column as usize - 1).collect();
        assert!(
            at.starts_with(r#""status":"closed""#),
            "{input}: {duplicate}"
        );
    }
}
