//! The typed model reads every well-typed record the validator checks: numbers of any size
//! kept as written, and the same nesting limit.

use enquiry_schema::{Enquiry, MAX_DEPTH};
use enquiry_validator::{Code, Config, Validator};

const HEAD: &str = r#"{"_id":"e1","createdAt":"2022-11-07T00:00:00.000Z","status":"ongoing","x":"#;

fn with_extra(value: &str) -> String {
    format!("{HEAD}{value}}}")
}

fn validator_codes(record: &str) -> Vec<Code> {
    Validator::new(Config::default())
        .validate_record(record.as_bytes(), "m.json")
        .findings
        .iter()
        .map(|finding| finding.code)
        .collect()
}

#[test]
fn numbers_of_any_size_are_kept_as_written() {
    let huge = "9".repeat(100_000);
    for number in ["1e400", "-1E+400", huge.as_str()] {
        let record = with_extra(number);
        assert_eq!(validator_codes(&record), vec![Code::UnknownField]);
        let enquiry = Enquiry::from_slice(record.as_bytes()).unwrap_or_else(|err| {
            panic!("model refused {}: {err}", &number[..number.len().min(20)])
        });
        let written = serde_json::to_value(&enquiry).unwrap();
        // The same number as written (serde_json spells an exponent `1e+400`), not an f64.
        let expected: serde_json::Value = serde_json::from_str(number).unwrap();
        assert_eq!(written["x"], expected);
        assert!(!written["x"].to_string().contains("inf") && written["x"].as_f64() != Some(0.0));
    }
    let record = with_extra(&huge);
    let enquiry = Enquiry::from_slice(record.as_bytes()).unwrap();
    let written = serde_json::to_string(&enquiry).unwrap();
    assert!(written.contains(&huge), "every digit is kept");
}

#[test]
fn model_and_validator_share_the_nesting_limit() {
    // The record object is one level; `x` adds the rest.
    for depth in [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1] {
        let inner = depth - 1;
        let record = with_extra(&format!("{}{}", "[".repeat(inner), "]".repeat(inner)));
        let too_deep = validator_codes(&record).contains(&Code::TooDeep);
        let model = Enquiry::from_slice(record.as_bytes());
        assert_eq!(too_deep, depth > MAX_DEPTH, "validator at depth {depth}");
        assert_eq!(
            model.is_err(),
            depth > MAX_DEPTH,
            "model at depth {depth}: {model:?}"
        );
    }
    let hostile = with_extra(&"[".repeat(1_000_000));
    assert!(Enquiry::from_slice(hostile.as_bytes()).is_err());
}
