//! Input detection cannot be steered by member order, by an empty list or by a broken first
//! line: an object with documented members is a record, a list with no records is a warning,
//! a duplicated list member is a `duplicate-key` finding, and one broken NDJSON line does not
//! turn the rest of the stream into one document.

use enquiry_validator::{Code, Config, Report, Validator};

const GOOD: &str = r#"{"_id":"a","createdAt":"2022-11-07T00:00:00Z","status":"ongoing"}"#;
const BAD: &str = r#"{"_id":"b","createdAt":"2022-11-07T00:00:00Z","status":"BAD"}"#;

fn validate(input: &str) -> Report {
    Validator::new(Config::default()).validate_slice(input.as_bytes(), "in.json")
}

fn codes(report: &Report) -> Vec<Code> {
    report.findings.iter().map(|finding| finding.code).collect()
}

#[test]
fn an_object_with_documented_members_is_a_record_whatever_comes_first() {
    let record = r#"{"tags":[],"_id":"x","createdAt":"not a date","status":"BAD"}"#;
    let report = validate(&format!("{record}\n"));
    assert_eq!(report.summary.records, 1, "{:?}", codes(&report));
    assert!(codes(&report).contains(&Code::Enum), "{:?}", codes(&report));
    assert!(!report.is_valid());
}

#[test]
fn an_api_error_body_does_not_pass_silently() {
    let report = validate("{\"error\":\"rate limited\",\"retryAfter\":[]}\n");
    assert!(
        report.summary.errors + report.summary.warnings > 0,
        "{:?}",
        report.summary
    );
}

#[test]
fn a_list_with_no_records_is_a_warning() {
    for input in [
        "[]",
        "[]\n",
        "{\"list\": []}\n",
        "{\n  \"list\": [\n  ]\n}\n",
    ] {
        let report = validate(input);
        assert_eq!(report.summary.records, 0, "{input:?}");
        assert_eq!(
            report.summary.warnings,
            1,
            "{input:?}: {:?}",
            codes(&report)
        );
        assert_eq!(codes(&report), [Code::EmptyInput], "{input:?}");
    }
}

#[test]
fn a_duplicated_list_member_is_a_finding_and_the_last_one_is_checked() {
    let report = validate(&format!("{{\"list\":[{GOOD}],\"list\":[{BAD}]}}\n"));
    let found = codes(&report);
    assert!(found.contains(&Code::DuplicateKey), "{found:?}");
    assert!(found.contains(&Code::Enum), "{found:?}");
}

#[test]
fn an_ndjson_stream_whose_first_line_is_broken_is_read_line_by_line() {
    for cut in [",", ":", "{", "["] {
        let mut input = format!("{{\"_id\":\"a\"{cut}\n");
        for index in 0..1000 {
            input.push_str(if index % 2 == 0 { GOOD } else { BAD });
            input.push('\n');
        }
        let report = validate(&input);
        assert_eq!(report.summary.records, 1001, "cut after {cut:?}");
        assert_eq!(report.summary.invalid, 501, "cut after {cut:?}");
    }
}

#[test]
fn pretty_printed_documents_are_still_documents() {
    let list = format!("{{\"list\": [\n  {GOOD},\n  {BAD}\n]}}\n");
    assert_eq!(validate(&list).summary.records, 2);
    let one = format!("{{\"list\": [\n  {BAD}\n]}}\n");
    assert_eq!(validate(&one).summary.records, 1);
    let record = "{\n  \"_id\": \"a\",\n  \"status\": \"ongoing\"\n}\n";
    assert_eq!(validate(record).summary.records, 1);
}

#[test]
fn a_pretty_printed_record_is_a_record_whatever_comes_first() {
    let record = "{\n  \"tags\": [],\n  \"_id\": \"x\",\n  \"createdAt\": \"not a date\",\n  \"status\": \"BAD\"\n}\n";
    let report = validate(record);
    assert_eq!(report.summary.records, 1, "{:?}", codes(&report));
    assert!(codes(&report).contains(&Code::Enum), "{:?}", codes(&report));
    let list = format!("{{\n  \"list\": [{GOOD}],\n  \"list\": [{BAD}, {GOOD}]\n}}\n");
    let report = validate(&list);
    assert_eq!(report.summary.records, 2, "{:?}", codes(&report));
    assert!(codes(&report).contains(&Code::DuplicateKey));
}
