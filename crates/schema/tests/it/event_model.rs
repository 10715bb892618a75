//! The typed webhook models against their contract tables: the generated fixtures round-trip,
//! the models are lossless, members are typed as the tables say, and dates are read by the
//! validator's parser.

use std::path::PathBuf;

use enquiry_schema::contracts::{
    self, event, CHALLENGE_REQUEST, CHALLENGE_RESPONSE, DESTINATION_TYPES, EVENT, EVENT_CHANNELS,
    EVENT_TYPES,
};
use enquiry_schema::fields::{FieldRule, JsonType};
use enquiry_schema::rfc3339::parse_timestamp;
use enquiry_schema::{
    ChallengeRequest, ChallengeResponse, ChallengeResult, DestinationTypes, EnquiryEvent,
    EventChannel, EventDestinationType, EventStatus, EventType, ModelError, Nullable,
};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::model::object;
use crate::support::{with_member, without_member, wrong_value};

fn valid_events() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/events/valid.ndjson");
    let text = std::fs::read_to_string(&path).expect("the generated event fixtures exist");
    text.lines().map(str::to_owned).collect()
}

/// `value` through the model `T` and back, by value and by text; panics naming `value` when
/// it is refused.
fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> Value {
    let typed: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|err| panic!("refused {value}: {err}"));
    let back = serde_json::to_value(&typed).expect("a model always serialises");
    let from_text: T = serde_json::from_str(&value.to_string())
        .unwrap_or_else(|err| panic!("refused as text {value}: {err}"));
    assert_eq!(serde_json::to_value(&from_text).expect("serialises"), back);
    back
}

fn an_event() -> Value {
    json!({
        "status": "Opened", "serviceId": "svc-1", "displayCaseNumber": "23060469943",
        "eid": "647c7665227b73ec20f4e489", "type": "inquiry", "channel": "CINNOX",
        "channelOri": "LINE", "socialId": "U123", "date": "2023-06-04T11:32:53.151Z",
        "destination": "group-1", "destinationTypes": "STAFF"
    })
}

#[test]
fn every_valid_event_fixture_round_trips_into_typed_fields() {
    let lines = valid_events();
    assert!(lines.len() >= 10, "the fixture holds events");
    for line in &lines {
        let event = EnquiryEvent::from_slice(line.as_bytes())
            .unwrap_or_else(|err| panic!("refused {line}: {err}"));
        let original: Value = serde_json::from_str(line).expect("fixture lines are JSON");
        assert_eq!(serde_json::to_value(&event).expect("serialises"), original);
        assert_eq!(round_trip::<EnquiryEvent>(&original), original);
        assert!(event.extra.is_empty(), "undocumented in {line}");
        assert!(event.status.is_documented() && event.event_type.is_documented());
        assert!(event.date.parse().is_ok(), "the fixture's date is valid");
    }
}

#[test]
fn the_models_hold_the_tables_members_and_spellings() {
    fn keys(rules: &[FieldRule]) -> Vec<&str> {
        rules.iter().map(FieldRule::key).collect()
    }
    assert_eq!(EnquiryEvent::MEMBERS, keys(EVENT.fields));
    assert_eq!(ChallengeRequest::MEMBERS, keys(CHALLENGE_REQUEST.fields));
    assert_eq!(ChallengeResponse::MEMBERS, keys(CHALLENGE_RESPONSE.fields));
    let result = CHALLENGE_RESPONSE.field(contracts::handshake::RESULT);
    let result_rules = result
        .and_then(|rule| rule.kind.members())
        .expect("an object");
    assert_eq!(ChallengeResult::MEMBERS, keys(result_rules));
    assert_eq!(ChallengeResult::rules(), result_rules);
    assert_eq!(EnquiryEvent::rules(), EVENT.fields);

    assert_eq!(EventStatus::DOCUMENTED, EVENT.enum_values(event::STATUS));
    assert_eq!(EventType::DOCUMENTED, EVENT_TYPES);
    assert_eq!(EventChannel::DOCUMENTED, EVENT_CHANNELS);
    assert_eq!(EventDestinationType::DOCUMENTED, DESTINATION_TYPES);
    // Each variant is the spelling its name says (the table's order is not what ties them).
    assert_eq!(EventStatus::from_wire("Missed"), EventStatus::Missed);
    assert_eq!(EventChannel::Cinnox.as_str(), "CINNOX");
    assert_eq!(EventChannel::ThirdParty.as_str(), "THIRDPARTY");
    assert_eq!(EventChannel::Instagram.as_str(), "INSTAGRAM");
    assert_eq!(EventDestinationType::Ivr.as_str(), "IVR");
}

fn refusal<T: DeserializeOwned + std::fmt::Debug>(
    value: Value,
    from_value: fn(Value) -> Result<T, ModelError>,
) -> ModelError {
    let by_serde = serde_json::from_value::<T>(value.clone());
    let by_model = from_value(value).expect_err("refused");
    let err = by_serde.expect_err("refused by serde too");
    assert!(err.to_string().contains(by_model.field()), "{err}");
    by_model
}

#[test]
fn each_event_member_is_required_absent_null_or_typed_as_its_table_says() {
    for rule in EVENT.fields {
        let name = rule.name;
        let bad = with_member(an_event(), name, wrong_value(rule.kind.json_type()));
        assert_eq!(refusal(bad, EnquiryEvent::from_value).field(), name);
        let null = with_member(an_event(), name, Value::Null);
        let absent = without_member(an_event(), name);
        if rule.required {
            assert_eq!(refusal(null, EnquiryEvent::from_value).field(), name);
            assert_eq!(refusal(absent, EnquiryEvent::from_value).field(), name);
        } else {
            assert_eq!(round_trip::<EnquiryEvent>(&null), null, "`{name}` as null");
            assert_eq!(
                round_trip::<EnquiryEvent>(&absent),
                absent,
                "`{name}` absent"
            );
        }
    }
    let required: Vec<&str> = EVENT
        .fields
        .iter()
        .filter(|r| r.required)
        .map(|r| r.name)
        .collect();
    assert_eq!(
        required,
        [
            "status",
            "serviceId",
            "displayCaseNumber",
            "eid",
            "type",
            "date"
        ]
    );
}

#[test]
fn unknown_spellings_the_array_shape_and_extra_members_are_kept() {
    let mut value = an_event();
    value["status"] = json!("Escalated");
    value["type"] = json!("call");
    value["channel"] = json!("TELEGRAM");
    value["socialId"] = Value::Null;
    value["destinationTypes"] = json!(["STAFF", "ROBOT"]);
    value["vendorAddedThis"] =
        serde_json::from_str(r#"{ "deep": [1, 2.50, 1e400, null] }"#).expect("JSON");
    let event = EnquiryEvent::from_value(value.clone()).expect("well typed");
    assert_eq!(event.status, EventStatus::Unknown("Escalated".into()));
    assert_eq!(event.event_type, EventType::Unknown("call".into()));
    assert_eq!(
        event.channel,
        Some(Nullable::Value(EventChannel::Unknown("TELEGRAM".into())))
    );
    assert_eq!(event.social_id, Some(Nullable::Null));
    let list = vec![
        EventDestinationType::Staff,
        EventDestinationType::Unknown("ROBOT".into()),
    ];
    assert_eq!(
        event.destination_types,
        Some(Nullable::Value(DestinationTypes::List(list)))
    );
    assert!(event.extra.contains_key("vendorAddedThis"));
    assert_eq!(serde_json::to_value(&event).expect("serialises"), value);
    let text = serde_json::to_string(&event).expect("serialises");
    // Numbers as written, not as an f64 (which has no 1e400 and writes 2.50 as 2.5).
    assert!(text.contains("2.50") && text.contains("e+400"), "{text}");
}

#[test]
fn the_handshake_round_trips_and_the_answer_echoes_the_challenge() {
    let request = json!({ "challenge": "c-42", "extra": true });
    assert_eq!(round_trip::<ChallengeRequest>(&request), request);
    let request = ChallengeRequest::from_value(request).expect("well typed");
    let answer = serde_json::to_value(ChallengeResponse::answering(&request)).expect("serialises");
    assert_eq!(
        answer,
        json!({ "code": 200, "result": { "challenge": "c-42" } })
    );
    let odd = json!({ "code": 200.0, "result": { "challenge": "c", "more": 1 }, "x": [] });
    assert_eq!(round_trip::<ChallengeResponse>(&odd), odd);
    let bad = json!({ "code": 200, "result": { "challenge": 42 } });
    let err = refusal(bad, ChallengeResponse::from_value);
    assert_eq!(err.field(), "result.challenge");
    assert!(ChallengeRequest::from_value(json!(["c"])).is_err());
}

#[test]
fn text_nested_deeper_than_the_limit_is_refused_before_parsing() {
    let event = an_event().to_string();
    let rest = &event[1..];
    let deep = format!("{{\"x\":{}1{},{rest}", "[".repeat(200), "]".repeat(200));
    let err = EnquiryEvent::from_slice(deep.as_bytes()).expect_err("too deep");
    assert!(err.to_string().contains("deeper than 128"), "{err}");
    let shallow = format!("{{\"x\":[[[1]]],{rest}");
    assert!(EnquiryEvent::from_slice(shallow.as_bytes()).is_ok());
}

/// Dates the validator's parser accepts and refuses, with the instant when accepted.
const DATES: &[(&str, Option<&str>)] = &[
    ("2023-06-04T11:32:53.151Z", Some("2023-06-04T11:32:53.151Z")),
    (
        "2023-06-04T19:32:53.151+08:00",
        Some("2023-06-04T11:32:53.151Z"),
    ),
    ("2023-06-04t11:32:53.151z", Some("2023-06-04T11:32:53.151Z")),
    (
        "2023-06-04T11:32:53.1519999Z",
        Some("2023-06-04T11:32:53.151Z"),
    ),
    ("2016-12-31T23:59:60Z", Some("2016-12-31T23:59:59.999Z")),
    ("2024-02-29T00:00:00-00:30", Some("2024-02-29T00:30:00Z")),
    ("2023-02-29T00:00:00Z", None),
    ("2023-06-04 11:32:53Z", None),
    ("2023-06-04T11:32:53", None),
    ("2023-06-04T11:32:60Z", None),
    ("", None),
];

#[test]
fn dates_are_kept_as_written_and_read_as_the_validator_reads_them() {
    for (date, instant) in DATES {
        let value = with_member(an_event(), event::DATE, json!(date));
        let event = EnquiryEvent::from_value(value.clone()).expect("any string is kept");
        assert_eq!(serde_json::to_value(&event).expect("serialises"), value);
        assert_eq!(event.date.as_str(), *date);
        let by_validator = parse_timestamp(date.as_bytes(), &mut None);
        assert_eq!(event.date.instant(), by_validator, "{date}");
        let expected = instant.map(|text| {
            chrono::DateTime::parse_from_rfc3339(text)
                .expect("the oracle parses")
                .timestamp_millis()
        });
        let parsed = event.date.parse().ok().map(|at| at.timestamp_millis());
        assert_eq!(parsed, expected, "{date}");
    }
}

/// An RFC 3339 date-time built from its parts (a real calendar date, any offset up to 23:59).
fn rfc3339_date() -> impl Strategy<Value = (String, i64)> {
    let day = (1i32..=9999, 1u32..=366).prop_filter_map("a real day", |(year, ordinal)| {
        chrono::NaiveDate::from_yo_opt(year, ordinal)
    });
    (day, 0u32..86_400, 0u32..1000, -1439i32..=1439).prop_map(|(day, secs, millis, offset)| {
        let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs, millis * 1_000_000)
            .expect("in range");
        let zone = chrono::FixedOffset::east_opt(offset * 60).expect("in range");
        let local = day.and_time(time);
        let at = local
            .and_local_timezone(zone)
            .single()
            .expect("fixed offsets are unambiguous");
        (
            at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            at.timestamp_millis(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_event_model_is_lossless(value in object(EVENT.fields)) {
        let event = EnquiryEvent::from_value(value.clone())
            .map_err(|err| TestCaseError::fail(format!("refused {value}: {err}")))?;
        prop_assert_eq!(serde_json::to_value(&event).expect("serialises"), value.clone());
        prop_assert_eq!(round_trip::<EnquiryEvent>(&value), value);
    }

    #[test]
    fn the_handshake_models_are_lossless(
        request in object(CHALLENGE_REQUEST.fields),
        response in object(CHALLENGE_RESPONSE.fields),
    ) {
        prop_assert_eq!(round_trip::<ChallengeRequest>(&request), request);
        prop_assert_eq!(round_trip::<ChallengeResponse>(&response), response);
    }

    #[test]
    fn every_rfc3339_date_is_read_at_its_instant((date, millis) in rfc3339_date()) {
        let value = with_member(an_event(), event::DATE, json!(date));
        let event = EnquiryEvent::from_value(value).expect("well typed");
        prop_assert_eq!(event.date.parse().map(|at| at.timestamp_millis()), Ok(millis));
    }
}

#[test]
fn a_wrong_type_is_described_as_the_table_describes_it() {
    let bad = with_member(an_event(), event::DESTINATION_TYPES_MEMBER, json!([1]));
    let err = EnquiryEvent::from_value(bad).expect_err("an array of numbers is refused");
    assert!(
        err.to_string()
            .contains(JsonType::StringOrArrayOfStrings.describe()),
        "{err}"
    );
}
