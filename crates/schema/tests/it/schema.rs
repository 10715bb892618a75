//! The generated schemas: valid schemas of their draft, and the `jsonschema` crate with formats
//! asserted accepts and rejects what the contract says, in every profile and draft.

use enquiry_schema::json_schema::{
    enquiry_schema, label_list_schema, to_canonical_string, Draft, Profile,
};
use serde_json::{json, Value};

use crate::support::{full_record, minimal_record, with_member, without_member};

const PROFILES: [Profile; 2] = [Profile::Default, Profile::Strict];
const DRAFTS: [Draft; 2] = [Draft::Draft2020_12, Draft::Draft07];

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|err| panic!("the schema does not compile: {err}"))
}

#[test]
fn every_generated_schema_is_valid_against_its_meta_schema() {
    for profile in PROFILES {
        for draft in DRAFTS {
            let schema = enquiry_schema(profile, draft);
            let expected_meta = match draft {
                Draft::Draft2020_12 => "https://json-schema.org/draft/2020-12/schema",
                Draft::Draft07 => "http://json-schema.org/draft-07/schema#",
            };
            assert_eq!(schema["$schema"], expected_meta, "{profile:?} {draft:?}");
            if let Err(err) = jsonschema::meta::validate(&schema) {
                panic!(
                    "{profile:?} {draft:?} schema is not a valid schema: {err} at {}",
                    err.instance_path()
                );
            }
            validator(&schema);
        }
    }
    let labels = label_list_schema();
    assert_eq!(
        labels["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(jsonschema::meta::validate(&labels).is_ok());
}

#[test]
fn generation_is_deterministic_and_canonical() {
    for profile in PROFILES {
        for draft in DRAFTS {
            let first = to_canonical_string(&enquiry_schema(profile, draft));
            assert_eq!(first, to_canonical_string(&enquiry_schema(profile, draft)));
            assert!(first.ends_with("}\n") && !first.ends_with("\n\n"));
            assert!(!first.contains('\r') && !first.contains('\t'));
            assert_keys_sorted_with_two_space_indent(&first);
        }
    }
}

/// Reads the text line by line, independently of the writer: every member line is indented by
/// two spaces per level, and within one object the keys ascend.
fn assert_keys_sorted_with_two_space_indent(text: &str) {
    let mut last_key_at_depth: Vec<Option<String>> = vec![None];
    for line in text.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let depth = last_key_at_depth.len() - 1;
        if trimmed.starts_with('}') || trimmed.starts_with(']') {
            last_key_at_depth.pop();
            assert_eq!(indent, 2 * (depth - 1), "closing indent: {line:?}");
        } else {
            assert_eq!(indent, 2 * depth, "indent: {line:?}");
            if let Some(rest) = trimmed.strip_prefix('"') {
                if let Some((key, _)) = rest.split_once("\": ") {
                    let slot = last_key_at_depth.last_mut().unwrap();
                    if let Some(previous) = slot.as_deref() {
                        assert!(previous < key, "{previous:?} before {key:?}");
                    }
                    *slot = Some(key.to_owned());
                }
            }
        }
        if trimmed.ends_with('{') || trimmed.ends_with('[') {
            last_key_at_depth.push(None);
        }
    }
    assert_eq!(last_key_at_depth.len(), 1, "unbalanced");
}

#[test]
fn the_key_order_check_catches_unsorted_and_misindented_text() {
    let sorted = "{\n  \"a\": 1,\n  \"b\": {\n    \"x\": [\n      2\n    ]\n  }\n}\n";
    assert_keys_sorted_with_two_space_indent(sorted);
    for bad in ["{\n  \"b\": 1,\n  \"a\": 2\n}\n", "{\n    \"a\": 1\n}\n"] {
        let caught = std::panic::catch_unwind(|| assert_keys_sorted_with_two_space_indent(bad));
        assert!(caught.is_err(), "{bad:?} passed");
    }
}

#[test]
fn canonical_strings_sort_keys_at_every_level() {
    let value = json!({ "b": { "z": 1, "a": [ { "y": 2, "x": 3 } ] }, "a": true });
    assert_eq!(
        to_canonical_string(&value),
        "{\n  \"a\": true,\n  \"b\": {\n    \"a\": [\n      {\n        \"x\": 3,\n        \"y\": 2\n      }\n    ],\n    \"z\": 1\n  }\n}\n"
    );
}

#[test]
fn the_schemas_say_what_the_contract_says() {
    let default = enquiry_schema(Profile::Default, Draft::Draft2020_12);
    assert_eq!(default["required"], json!(["_id", "createdAt", "status"]));
    assert_eq!(default["additionalProperties"], json!(true));
    let properties = &default["properties"];
    assert_eq!(properties["duration"]["minimum"], json!(0));
    assert_eq!(properties["createdAt"]["format"], json!("date-time"));
    assert!(properties["createdAt"]["pattern"].is_string());
    assert_eq!(
        properties["ip"]["anyOf"],
        json!([{ "format": "ipv4" }, { "format": "ipv6" }])
    );
    assert_eq!(properties["inquiryDeepLink"]["format"], json!("uri"));
    assert!(
        !default.to_string().contains("\"format\":\"ip\""),
        "no non-standard `ip` format"
    );

    let strict = enquiry_schema(Profile::Strict, Draft::Draft2020_12);
    assert_eq!(strict["additionalProperties"], json!(false));
    // Every member is required, except the closed-only ones, which the `allOf` requires of a
    // closed enquiry (and forbids on any other): see `fields::CLOSED_ONLY`.
    let required: Vec<&str> = strict["required"]
        .as_array()
        .expect("required list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for name in strict["properties"].as_object().expect("properties").keys() {
        assert_eq!(
            required.contains(&name.as_str()),
            !enquiry_schema::fields::CLOSED_ONLY.contains(&name.as_str()),
            "strict required set and `{name}`"
        );
    }
    assert_eq!(
        strict["allOf"][0]["then"]["required"],
        json!(enquiry_schema::fields::CLOSED_ONLY)
    );
}

/// What a case expects from the default and the strict schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Both schemas accept.
    Valid,
    /// Both schemas reject.
    Invalid,
    /// The default schema accepts, the strict one rejects.
    StrictOnly,
}

/// A change to the full (strict-valid) record.
enum Edit {
    Set(&'static str, Value),
    Remove(&'static str),
    Replace(fn() -> Value),
}

/// One row of the table: a name, an edit of the full record and what each profile says.
struct Case {
    name: &'static str,
    edit: Edit,
    expect: Expect,
}

fn set(name: &'static str, member: &'static str, value: Value, expect: Expect) -> Case {
    Case {
        name,
        edit: Edit::Set(member, value),
        expect,
    }
}

fn cases() -> Vec<Case> {
    use Expect::{Invalid, StrictOnly, Valid};
    vec![
        Case {
            name: "full record",
            edit: Edit::Replace(full_record),
            expect: Valid,
        },
        Case {
            name: "minimal record",
            edit: Edit::Replace(minimal_record),
            expect: StrictOnly,
        },
        // Enums, exact case.
        set("wrong enum case", "status", json!("Closed"), Invalid),
        set("unknown status", "status", json!("escalated"), Invalid),
        set(
            "initChannel lower case",
            "initChannel",
            json!("im"),
            Invalid,
        ),
        set(
            "undocumented channel",
            "channel",
            json!("TELEGRAM"),
            Invalid,
        ),
        set(
            "destinationType spelling",
            "destinationType",
            json!("SIP"),
            Invalid,
        ),
        set(
            "destinationEndPoint spelling",
            "destinationEndPoint",
            json!("BOT"),
            Invalid,
        ),
        set("omniType spelling", "omniType", json!("cinnox"), Invalid),
        // Timestamps.
        set(
            "offset timestamp",
            "createdAt",
            json!("2022-11-07T08:00:00+08:00"),
            StrictOnly,
        ),
        set(
            "no fraction",
            "createdAt",
            json!("2022-11-07T00:00:00Z"),
            StrictOnly,
        ),
        set(
            "micro seconds",
            "updatedAt",
            json!("2022-11-07T00:20:00.000000Z"),
            StrictOnly,
        ),
        set(
            "leap day",
            "updatedAt",
            json!("2024-02-29T00:00:00.000Z"),
            Valid,
        ),
        set(
            "Feb 30",
            "createdAt",
            json!("2023-02-30T00:00:00.000Z"),
            Invalid,
        ),
        set(
            "Feb 29 of a common year",
            "closedAt",
            json!("2023-02-29T00:00:00.000Z"),
            Invalid,
        ),
        set(
            "hour 25",
            "createdAt",
            json!("2022-11-07T25:00:00.000Z"),
            Invalid,
        ),
        set(
            "minute 60",
            "pickedUpAt",
            json!("2022-11-07T00:60:00.000Z"),
            Invalid,
        ),
        set(
            "missing zone",
            "createdAt",
            json!("2022-11-07T00:00:00.000"),
            Invalid,
        ),
        set("date only", "missedAt", json!("2022-11-07"), Invalid),
        set(
            "space separator",
            "reopenedAt",
            json!("2022-11-07 00:16:00.000Z"),
            Invalid,
        ),
        set(
            "epoch number",
            "createdAt",
            json!(1_667_779_200_000_u64),
            Invalid,
        ),
        // Addresses, codes, links.
        set("IPv6", "ip", json!("2001:db8::1"), Valid),
        set("bad IPv4", "ip", json!("192.0.2.256"), Invalid),
        set("ip localhost", "ip", json!("localhost"), Invalid),
        set("ip with port", "ip", json!("192.0.2.1:80"), Invalid),
        set("3-letter country", "location", json!("HKG"), Invalid),
        set("lower-case country", "location", json!("hk"), Invalid),
        set(
            "3-letter region code",
            "locationDetail",
            json!({ "regionCode": "HKG" }),
            Invalid,
        ),
        set("unassigned country", "location", json!("XX"), Invalid),
        set("uppercase language", "language", json!("EN"), Invalid),
        set("unassigned language", "language", json!("xx"), Invalid),
        set("ISO 639-3 language", "language", json!("eng"), Invalid),
        set(
            "relative deep link",
            "inquiryDeepLink",
            json!("/enquiries/1"),
            Invalid,
        ),
        set(
            "ftp deep link",
            "inquiryDeepLink",
            json!("ftp://example.com/1"),
            Invalid,
        ),
        set(
            "http deep link",
            "inquiryDeepLink",
            json!("http://example.com/e?id=1#top"),
            Valid,
        ),
        // Durations.
        set("zero duration", "duration", json!(0), Valid),
        set("negative duration", "duration", json!(-1), Invalid),
        set("fractional duration", "closeDuration", json!(1.5), Invalid),
        set("duration as text", "duration", json!("900000"), Invalid),
        // Labels.
        set("labelIDs null", "labelIDs", Value::Null, Valid),
        set("labelIDs empty", "labelIDs", json!([]), Valid),
        set(
            "labelIDs as a string",
            "labelIDs",
            json!("label-1"),
            Invalid,
        ),
        set(
            "duplicate labelIDs",
            "labelIDs",
            json!(["label-1", "label-1"]),
            Invalid,
        ),
        set("empty label", "labelIDs", json!([""]), Invalid),
        set("numeric label", "labelIDs", json!([1]), Invalid),
        // Wrong types and shapes.
        set("wrong type", "attachment", json!("false"), Invalid),
        set("id as a number", "_id", json!(42), Invalid),
        set(
            "locationDetail as a string",
            "locationDetail",
            json!("HK"),
            Invalid,
        ),
        set(
            "city as a number",
            "locationDetail",
            json!({ "city": 1 }),
            Invalid,
        ),
        set(
            "transferredParty of strings",
            "transferredParty",
            json!(["dest"]),
            Invalid,
        ),
        set(
            "hunted list",
            "huntedStaffTargetHistory",
            json!(["eid-1", "eid-2"]),
            StrictOnly,
        ),
        set(
            "unrecognised handledType",
            "handledType",
            json!("Phone Number"),
            StrictOnly,
        ),
        // Presence, null, unknown members.
        Case {
            name: "missing _id",
            edit: Edit::Remove("_id"),
            expect: Invalid,
        },
        Case {
            name: "missing createdAt",
            edit: Edit::Remove("createdAt"),
            expect: Invalid,
        },
        Case {
            name: "missing status",
            edit: Edit::Remove("status"),
            expect: Invalid,
        },
        Case {
            name: "missing optional",
            edit: Edit::Remove("platform"),
            expect: StrictOnly,
        },
        Case {
            name: "missing city",
            edit: Edit::Remove("locationDetail.city"),
            expect: StrictOnly,
        },
        set("null required", "status", Value::Null, Invalid),
        set("null optional", "platform", Value::Null, StrictOnly),
        set("null enum", "channel", Value::Null, StrictOnly),
        set("null ip", "ip", Value::Null, StrictOnly),
        set("unknown member", "labelIds", json!(["label-1"]), StrictOnly),
        set(
            "unknown nested member",
            "locationDetail.district",
            json!("Xinyi"),
            StrictOnly,
        ),
        // closedAt and closeDuration: required of a closed enquiry only (fields::CLOSED_ONLY).
        Case {
            name: "closed without closedAt",
            edit: Edit::Remove("closedAt"),
            expect: StrictOnly,
        },
        Case {
            name: "closed without closeDuration",
            edit: Edit::Remove("closeDuration"),
            expect: StrictOnly,
        },
        Case {
            name: "ongoing without closedAt and closeDuration",
            edit: Edit::Replace(ongoing_record),
            expect: Valid,
        },
        Case {
            name: "ongoing with closedAt",
            edit: Edit::Replace(ongoing_with_closed_at),
            expect: StrictOnly,
        },
    ]
}

/// The full record, ongoing: no closedAt, no closeDuration.
fn ongoing_record() -> Value {
    let mut record = full_record();
    record["status"] = json!("ongoing");
    if let Some(members) = record.as_object_mut() {
        members.remove("closedAt");
        members.remove("closeDuration");
    }
    record
}

/// An ongoing record that still has a closedAt.
fn ongoing_with_closed_at() -> Value {
    let mut record = ongoing_record();
    record["closedAt"] = full_record()["closedAt"].clone();
    record
}

fn apply(edit: &Edit) -> Value {
    match edit {
        Edit::Set(member, value) => with_member(full_record(), member, value.clone()),
        Edit::Remove(member) => without_member(full_record(), member),
        Edit::Replace(make) => make(),
    }
}

/// Runs every case against every schema and reports all mismatches at once.
fn check(cases: &[Case]) {
    let mut failures = Vec::new();
    for profile in PROFILES {
        for draft in DRAFTS {
            let validator = validator(&enquiry_schema(profile, draft));
            for case in cases {
                let instance = apply(&case.edit);
                let expected = match (case.expect, profile) {
                    (Expect::Valid, _) | (Expect::StrictOnly, Profile::Default) => true,
                    (Expect::Invalid, _) | (Expect::StrictOnly, Profile::Strict) => false,
                };
                let errors: Vec<String> = validator
                    .iter_errors(&instance)
                    .map(|err| err.to_string())
                    .collect();
                if errors.is_empty() != expected {
                    failures.push(format!(
                        "{}: {profile:?} {draft:?} expected {} but got {errors:?}",
                        case.name,
                        if expected { "valid" } else { "invalid" },
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_schemas_accept_and_reject_what_the_contract_says() {
    check(&cases());
}

#[test]
fn the_label_list_schema_accepts_a_label_list_response() {
    let validator = validator(&label_list_schema());
    let good = json!({
        "code": 0,
        "labelList": [{
            "id": "label-1", "name": "VIP", "colorName": "red", "createdBy": "eid-1",
            "updatedBy": "eid-1", "createdAt": "2022-11-07T00:00:00.000Z",
            "updatedAt": "2022-11-07T00:00:00.000Z"
        }]
    });
    assert!(validator.is_valid(&good));
    assert!(
        !validator.is_valid(&json!({ "code": 0 })),
        "labelList is required"
    );
    assert!(
        !validator.is_valid(&json!({ "labelList": [{ "name": "no id" }] })),
        "id is required"
    );
}

/// The schema for what a file holds: one record, an array of records, or a list response.
fn schema_for_file(text: &str, draft: Draft) -> Value {
    use enquiry_schema::json_schema::{collection_schema, Collection};
    let record = enquiry_schema(Profile::Default, draft);
    let value: Value = serde_json::from_str(text).expect("a JSON document");
    let collection = match &value {
        Value::Array(_) => Collection::Array,
        // A record has array members too (`labelIDs`); a list response has no `_id`.
        Value::Object(members) if !members.contains_key("_id") => Collection::ListResponse,
        _ => return record,
    };
    collection_schema(
        &record,
        collection,
        &collection.file_name("enquiry.schema.json"),
    )
}

#[test]
fn every_valid_fixture_passes_the_schema_of_what_its_file_holds() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/valid");
    let mut checked = 0;
    for entry in std::fs::read_dir(&root).expect("fixtures/valid") {
        let path = entry.expect("an entry").path();
        let text = std::fs::read_to_string(&path).expect("utf-8");
        let documents: Vec<&str> = match path.extension().and_then(|e| e.to_str()) {
            Some("ndjson") => text.lines().filter(|l| !l.trim().is_empty()).collect(),
            Some("json") => vec![text.as_str()],
            _ => continue,
        };
        for draft in DRAFTS {
            for document in &documents {
                let schema = schema_for_file(document, draft);
                assert!(jsonschema::meta::validate(&schema).is_ok(), "{path:?}");
                let instance: Value = serde_json::from_str(document).unwrap();
                let errors: Vec<String> = validator(&schema)
                    .iter_errors(&instance)
                    .map(|e| format!("{} at {}", e, e.instance_path()))
                    .collect();
                assert!(errors.is_empty(), "{path:?} {draft:?}: {errors:?}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 30, "only {checked} documents checked");
}

/// The event fixtures: each event passes the event schema, and the file's events as one array
/// (how a capture of webhook deliveries is saved) pass the event array schema, in both drafts;
/// an array holding one invalid event fails it at that event.
#[test]
fn every_valid_event_fixture_passes_the_event_schema_and_its_array_schema() {
    use enquiry_schema::contracts::EVENT;
    use enquiry_schema::json_schema::{collection_schema, contract_schema, Collection};
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/events/valid.ndjson");
    let text = std::fs::read_to_string(&path).expect("fixtures/events/valid.ndjson");
    let events: Vec<Value> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).expect("an event"))
        .collect();
    assert!(events.len() >= 10, "only {} events", events.len());
    for draft in DRAFTS {
        for profile in PROFILES {
            let event = contract_schema(&EVENT, profile, draft);
            let file = Collection::Array.file_name("enquiry-event.schema.json");
            let array = collection_schema(&event, Collection::Array, &file);
            assert!(jsonschema::meta::validate(&array).is_ok(), "{draft:?}");
            let one = validator(&event);
            if profile == Profile::Default {
                for instance in &events {
                    let errors: Vec<String> =
                        one.iter_errors(instance).map(|e| e.to_string()).collect();
                    assert!(errors.is_empty(), "{draft:?}: {instance} {errors:?}");
                }
            }
            let many = validator(&array);
            let all = Value::Array(events.clone());
            if profile == Profile::Default {
                let errors: Vec<String> = many
                    .iter_errors(&all)
                    .map(|e| format!("{e} at {}", e.instance_path()))
                    .collect();
                assert!(errors.is_empty(), "{draft:?}: {errors:?}");
            }
            let mut broken = events.clone();
            broken[3]["status"] = json!("opened");
            let paths: Vec<String> = many
                .iter_errors(&Value::Array(broken))
                .map(|e| e.instance_path().to_string())
                .collect();
            assert!(
                paths.contains(&"/3/status".to_owned()),
                "{draft:?} {profile:?}: {paths:?}"
            );
            assert!(
                !many.is_valid(&json!({ "events": [] })),
                "an array, not an object"
            );
        }
    }
}

#[test]
fn a_collection_schema_points_into_the_bad_record() {
    use enquiry_schema::json_schema::{collection_schema, Collection};
    for draft in DRAFTS {
        let record = enquiry_schema(Profile::Default, draft);
        let good = minimal_record();
        let bad = with_member(minimal_record(), "status", json!("BAD"));
        let array = collection_schema(&record, Collection::Array, "a.schema.json");
        let list = collection_schema(&record, Collection::ListResponse, "l.schema.json");
        let paths = |schema: &Value, instance: Value| -> Vec<String> {
            validator(schema)
                .iter_errors(&instance)
                .map(|e| e.instance_path().to_string())
                .collect()
        };
        assert_eq!(
            paths(&array, json!([good, bad])),
            ["/1/status"],
            "{draft:?}"
        );
        let page = json!({"code": 200, "total": 2, "enquiryDetails": [good, bad]});
        assert_eq!(
            paths(&list, page),
            ["/enquiryDetails/1/status"],
            "{draft:?}"
        );
        assert!(!paths(&list, json!({"enquiryDetails": [good], "total": -1})).is_empty());
        assert!(paths(&array, json!([good.clone(), good])).is_empty());
    }
}
