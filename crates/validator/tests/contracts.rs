//! The webhook event, the challenge handshake and the label list are contracts of the same
//! engine: valid fakes pass, and each documented violation gives its code at its path.

use enquiry_fake::events::lifecycle;
use enquiry_fake::{Generator, Options};
use enquiry_schema::contract::Contract;
use enquiry_schema::contracts::{self, CHALLENGE_REQUEST, CHALLENGE_RESPONSE, EVENT, LABEL_LIST};
use enquiry_validator::{Code, Config, Validator};
use serde_json::{json, Value};

/// (pointer, code) of every finding of `payload` checked against `contract`.
fn findings(contract: &'static Contract, payload: &Value) -> Vec<(String, Code)> {
    let config = Config {
        contract: Some(contract),
        ..Config::default()
    };
    let bytes = serde_json::to_vec(payload).expect("serialisable");
    Validator::new(config)
        .validate_slice(&bytes, "payload.json")
        .findings
        .iter()
        .map(|finding| (finding.pointer.as_str().to_owned(), finding.code))
        .collect()
}

/// A valid event, with `changes` applied (`null` removes a member).
fn event(changes: Value) -> Value {
    let mut event = json!({
        "status": "Opened", "serviceId": "svc-1", "displayCaseNumber": "20240101-1",
        "eid": "6368a2f0c1", "type": "inquiry", "channel": "LINE", "channelOri": "Channel",
        "socialId": "U-visitor", "date": "2024-01-01T00:00:00.000Z",
        "destination": "group-1", "destinationTypes": "STAFF"
    });
    merge(&mut event, changes);
    event
}

fn merge(target: &mut Value, changes: Value) {
    let (Some(target), Value::Object(changes)) = (target.as_object_mut(), changes) else {
        return;
    };
    for (key, value) in changes {
        if value.is_null() {
            target.remove(&key);
        } else {
            target.insert(key, value);
        }
    }
}

fn fake_events(seed: u64, records: u64) -> Vec<Value> {
    let generator = Generator::new(Options {
        seed,
        ..Options::default()
    })
    .expect("options");
    let mut events = Vec::new();
    for index in 0..records {
        let mut bytes = Vec::new();
        generator.valid_record(index, &mut bytes);
        let record: Value = serde_json::from_slice(&bytes).expect("a record");
        for event in lifecycle(&record).expect("a lifecycle") {
            events.push(serde_json::to_value(event).expect("an event"));
        }
    }
    events
}

#[test]
fn every_fake_event_is_a_valid_event() {
    let events = fake_events(3, 400);
    let statuses: std::collections::BTreeSet<&str> =
        events.iter().filter_map(|e| e["status"].as_str()).collect();
    assert_eq!(
        statuses.len(),
        contracts::EVENT_STATUSES.len(),
        "{statuses:?}"
    );
    for event in &events {
        assert_eq!(findings(&EVENT, event), vec![], "{event}");
    }
    assert_eq!(findings(&EVENT, &event(json!({}))), vec![]);
}

#[test]
fn each_documented_event_violation_has_its_code_and_path() {
    let cases = [
        (json!({"eid": null}), "/eid", Code::Required),
        (json!({"eid": ""}), "/eid", Code::NonEmpty),
        (json!({"serviceId": 7}), "/serviceId", Code::Type),
        (json!({"status": "opened"}), "/status", Code::Enum),
        (json!({"type": "enquiry"}), "/type", Code::Enum),
        (
            json!({"channel": "SMS", "socialId": ""}),
            "/channel",
            Code::Enum,
        ),
        (
            json!({"channelOri": "LINE"}),
            "/channelOri",
            Code::ChannelOrigin,
        ),
        (
            json!({"channel": "CINNOX", "channelOri": "TELEGRAM", "socialId": ""}),
            "/channelOri",
            Code::UnrecognisedValue,
        ),
        (json!({"channel": "EMAIL"}), "/socialId", Code::SocialId),
        (
            json!({"date": "2024-02-30T00:00:00Z"}),
            "/date",
            Code::DateTime,
        ),
        (
            json!({"destinationTypes": "ROBOT"}),
            "/destinationTypes",
            Code::UnrecognisedValue,
        ),
        (
            json!({"destinationTypes": ["STAFF"]}),
            "/destinationTypes",
            Code::UndocumentedShape,
        ),
        (json!({"eId": "x"}), "/eId", Code::UnknownField),
    ];
    for (changes, pointer, code) in cases {
        let payload = event(changes.clone());
        assert_eq!(
            findings(&EVENT, &payload),
            vec![(pointer.to_owned(), code)],
            "{changes}"
        );
    }
    // The origin of a CINNOX event is channelOri: a social one may carry a social ID.
    let hub = event(json!({"channel": "CINNOX", "channelOri": "FACEBOOK"}));
    assert_eq!(findings(&EVENT, &hub), vec![]);
    let config = Config {
        contract: Some(&EVENT),
        ..Config::default()
    };
    let twice = br#"{"status":"Opened","status":"Closed","serviceId":"s","displayCaseNumber":"1","eid":"e","type":"inquiry","date":"2024-01-01T00:00:00Z","destination":null}"#;
    let report = Validator::new(config).validate_slice(twice, "twice.json");
    let found: Vec<(&str, Code)> = report
        .findings
        .iter()
        .map(|finding| (finding.pointer.as_str(), finding.code))
        .collect();
    assert_eq!(
        found,
        vec![
            ("/status", Code::DuplicateKey),
            ("/destination", Code::NullValue)
        ]
    );
}

#[test]
fn the_handshake_and_the_label_list_are_checked_at_any_depth() {
    let challenge = json!({"challenge": "c-1"});
    assert_eq!(findings(&CHALLENGE_REQUEST, &challenge), vec![]);
    assert_eq!(
        findings(&CHALLENGE_REQUEST, &json!({"challenge": 5})),
        vec![("/challenge".to_owned(), Code::Type)]
    );
    let answer = json!({"code": 200, "result": {"challenge": "c-1"}});
    assert_eq!(findings(&CHALLENGE_RESPONSE, &answer), vec![]);
    assert_eq!(
        findings(
            &CHALLENGE_RESPONSE,
            &json!({"code": 201, "result": {"challenge": "c"}})
        ),
        vec![("/code".to_owned(), Code::Enum)]
    );
    assert_eq!(
        findings(&CHALLENGE_RESPONSE, &json!({"code": 200, "result": {}})),
        vec![("/result/challenge".to_owned(), Code::Required)]
    );
    let labels = json!({"code": 0, "labelList": [{"id": "a", "name": "VIP", "colorName": null}]});
    assert_eq!(findings(&LABEL_LIST, &labels), vec![]);
    assert_eq!(
        findings(
            &LABEL_LIST,
            &json!({"code": 1, "labelList": [{"id": "a"}, {"name": "no id"}, {"id": "c", "createdAt": "yesterday"}]})
        ),
        // A missing member is reported at the record's opening brace, so first.
        vec![
            ("/labelList/1/id".to_owned(), Code::Required),
            ("/code".to_owned(), Code::Enum),
            ("/labelList/2/createdAt".to_owned(), Code::DateTime),
        ]
    );
}

#[test]
fn contracts_are_found_by_name_and_records_are_detected_per_record() {
    for contract in contracts::ALL {
        assert_eq!(contracts::by_name(contract.name), Some(*contract));
    }
    assert_eq!(contracts::by_name("events"), None);
    // Detected per record: an event among records is checked as an event.
    let record = r#"{"_id":"a","createdAt":"2022-11-07T00:00:00Z","status":"ongoing"}"#;
    let bad_event = serde_json::to_string(&event(json!({"type": "enquiry"}))).unwrap();
    let stream = format!("{record}\n{bad_event}\n{record}\n");
    let config = Config {
        contract: None,
        ..Config::default()
    };
    let report = Validator::new(config).validate_slice(stream.as_bytes(), "mixed.ndjson");
    let found: Vec<(u64, &str, Code)> = report
        .findings
        .iter()
        .map(|finding| (finding.record, finding.pointer.as_str(), finding.code))
        .collect();
    assert_eq!(found, vec![(1, "/type", Code::Enum)]);
    // Identifying members written with escapes count as they read: `\u0065\u0069d` is `eid`,
    // `\u0064\u0061te` is `date` (a key's length is its text's, not its spelling's).
    let escaped = bad_event
        .replacen("\"eid\"", "\"\\u0065\\u0069d\"", 1)
        .replacen("\"date\"", "\"\\u0064\\u0061te\"", 1);
    assert_ne!(escaped, bad_event);
    let report = Validator::new(Config {
        contract: None,
        ..Config::default()
    })
    .validate_slice(escaped.as_bytes(), "escaped.ndjson");
    let found: Vec<(&str, Code)> = report
        .findings
        .iter()
        .map(|finding| (finding.pointer.as_str(), finding.code))
        .collect();
    assert_eq!(found, vec![("/type", Code::Enum)]);
}
