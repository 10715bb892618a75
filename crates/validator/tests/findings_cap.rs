//! The findings listed per record are capped: the first by position are kept, whatever order
//! the rules produce them in, and one `too-many-findings` finding counts the rest exactly.

use enquiry_validator::{Code, Config, Severity, Validator};

fn validate(json: &str, cap: usize) -> Vec<enquiry_validator::Finding> {
    let validator = Validator::new(Config {
        max_findings_per_record: cap,
        ..Config::default()
    });
    validator
        .validate_record(json.as_bytes(), "t.json")
        .findings
}

#[test]
fn the_first_findings_by_position_are_kept_and_the_rest_counted() {
    // `required` findings sit at the record's `{` and are produced after the members' ones.
    let json = r#"{"ip": 1, "ip": 2, "handledType": "x", "zz": 1}"#;
    let all = validate(json, 1000);
    assert!(all
        .iter()
        .all(|finding| finding.code != Code::TooManyFindings));
    for cap in 1..all.len() {
        let capped = validate(json, cap);
        assert_eq!(capped.len(), cap + 1, "cap {cap}");
        assert_eq!(
            &capped[..cap],
            &all[..cap],
            "cap {cap}: the first by position"
        );
        let note = &capped[cap];
        assert_eq!(note.code, Code::TooManyFindings);
        assert_eq!((note.line, note.column), (all[cap].line, all[cap].column));
        assert_eq!(note.pointer, all[cap].pointer);
        let rest = &all[cap..];
        let errors = rest
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let warnings = rest.len() - errors;
        assert!(
            note.message.starts_with(&format!(
                "{} more finding(s) in this record are not listed ({errors} error(s), {warnings} warning(s))",
                rest.len()
            )),
            "cap {cap}: {}",
            note.message
        );
        let severity = if errors > 0 {
            Severity::Error
        } else {
            Severity::Warning
        };
        assert_eq!(note.severity, severity, "cap {cap}");
    }
}

#[test]
fn many_findings_keep_the_first_and_count_every_other() {
    let members: Vec<String> = (0..5000).map(|i| format!("\"u{i}\": 1")).collect();
    let json = format!("{{{}}}", members.join(", "));
    let findings = validate(&json, 10);
    assert_eq!(findings.len(), 11);
    // Three `required` errors at the `{`, then the first unknown members in order.
    assert_eq!(findings[3].pointer.as_str(), "/u0");
    assert_eq!(findings[9].pointer.as_str(), "/u6");
    assert_eq!(findings[10].pointer.as_str(), "/u7");
    assert!(findings[10].message.starts_with(
        "4993 more finding(s) in this record are not listed (0 error(s), 4993 warning(s))"
    ));
    // Warnings only past the cap: the record's validity comes from the listed errors.
    assert_eq!(findings[10].severity, Severity::Warning);
}

#[test]
fn the_summary_finding_is_off_when_its_rule_is() {
    let mut config = Config {
        max_findings_per_record: 1,
        ..Config::default()
    };
    config
        .levels
        .insert(Code::TooManyFindings, enquiry_validator::Level::Allow);
    let findings = Validator::new(config)
        .validate_record(br#"{"a": 1, "b": 2}"#, "t.json")
        .findings;
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code, Code::Required);
}
