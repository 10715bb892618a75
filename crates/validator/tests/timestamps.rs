//! One RFC 3339 parser: the typed model and the validator accept exactly the same timestamps,
//! and the timeline rule reads them with the same parser (leap seconds included).

use enquiry_schema::Timestamp;
use enquiry_validator::{Code, Config, Validator};
use proptest::prelude::*;

fn validator_accepts(text: &str) -> bool {
    let record = serde_json::json!({"_id": "e1", "createdAt": text, "status": "ongoing"});
    let outcome =
        Validator::new(Config::default()).validate_record(record.to_string().as_bytes(), "t.json");
    !outcome
        .findings
        .iter()
        .any(|finding| finding.code == Code::DateTime)
}

fn model_accepts(text: &str) -> bool {
    Timestamp(text.to_owned()).parse().is_ok()
}

#[test]
fn edge_cases_have_one_verdict() {
    let cases = [
        ("2022-11-07T08:00:00.000Z", true),
        ("2022-11-07t08:00:00z", true),
        ("2022-11-07 08:00:00Z", false),
        ("2016-12-31T23:59:60.500Z", true),
        // A leap second ends a UTC day: second 60 elsewhere is not a time.
        ("2024-01-01T12:00:60Z", false),
        ("2024-01-01T12:30:60.000Z", false),
        ("2016-12-31T15:59:60-08:00", true),
        ("2017-01-01T07:59:60+08:00", true),
        ("2016-12-31T23:59:60+01:00", false),
        ("2022-11-07T08:00:00+24:00", false),
        ("2022-11-07T08:00:00+23:59", true),
        ("2022-11-07T08:00:00.1234567890Z", true),
        ("0000-01-01T00:00:00Z", true),
        ("2022-02-29T00:00:00Z", false),
        ("2024-02-29T00:00:00Z", true),
        ("2022-11-07T24:00:00Z", false),
        ("2022-11-07T08:00:00", false),
        ("2022-11-07T08:00:00.Z", false),
        ("2022-11-07T08:00:00+0000", false),
    ];
    for (text, accepted) in cases {
        assert_eq!(validator_accepts(text), accepted, "validator on {text:?}");
        assert_eq!(model_accepts(text), accepted, "model on {text:?}");
    }
}

#[test]
fn a_leap_second_is_before_the_next_minute() {
    let record = br#"{"_id":"e1","createdAt":"2016-12-31T23:59:60.500Z","updatedAt":"2017-01-01T00:00:00Z","status":"ongoing"}"#;
    let outcome = Validator::new(Config::default()).validate_record(record, "t.json");
    assert!(
        outcome.findings.iter().all(|f| f.code != Code::Timeline),
        "{:?}",
        outcome.findings
    );
    let backwards = br#"{"_id":"e1","createdAt":"2017-01-01T00:00:00Z","updatedAt":"2016-12-31T23:59:60.500Z","status":"ongoing"}"#;
    let outcome = Validator::new(Config::default()).validate_record(backwards, "t.json");
    assert!(
        outcome.findings.iter().any(|f| f.code == Code::Timeline),
        "{:?}",
        outcome.findings
    );
}

fn two_digits(max: u32) -> impl Strategy<Value = String> {
    (0..=max).prop_map(|n| format!("{n:02}"))
}

/// Near-valid timestamps: every part drawn from valid values and the edge cases around them.
fn timestamp() -> impl Strategy<Value = String> {
    let year = prop_oneof![
        Just("0000".to_owned()),
        Just("1970".to_owned()),
        Just("2016".to_owned()),
        Just("2024".to_owned()),
        Just("9999".to_owned()),
        Just("22".to_owned()),
    ];
    let separator = prop_oneof![Just("T"), Just("t"), Just(" "), Just("_")];
    let fraction = prop_oneof![
        Just(String::new()),
        Just(".".to_owned()),
        (1usize..=10).prop_map(|digits| format!(".{}", "5".repeat(digits))),
    ];
    let zone = prop_oneof![
        Just("Z".to_owned()),
        Just("z".to_owned()),
        Just(String::new()),
        Just("+0000".to_owned()),
        (0u32..=25, 0u32..=60, any::<bool>())
            .prop_map(|(h, m, east)| format!("{}{h:02}:{m:02}", if east { '+' } else { '-' })),
    ];
    (
        year,
        two_digits(13),
        two_digits(32),
        separator,
        two_digits(25),
        two_digits(60),
        two_digits(61),
        fraction,
        zone,
    )
        .prop_map(|(y, mo, d, sep, h, mi, s, frac, zone)| {
            format!("{y}-{mo}-{d}{sep}{h}:{mi}:{s}{frac}{zone}")
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn model_and_validator_accept_the_same_timestamps(text in timestamp()) {
        prop_assert_eq!(model_accepts(&text), validator_accepts(&text), "{}", text);
    }
}
