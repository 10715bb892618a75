//! The typed model against the field table: every field round-trips, the model is lossless,
//! and a wrongly typed member is refused with an error naming it.

use std::collections::BTreeSet;

use enquiry_schema::fields::{
    all_fields, top_level, FieldKind, FieldRule, FIELDS, LOCATION_DETAIL_FIELDS,
};
use enquiry_schema::{Enquiry, LocationDetail, Nullable, Status};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use crate::support::{full_record, minimal_record, top_level_keys, with_member, wrong_value};

fn round_trip(value: &Value) -> Value {
    let enquiry: Enquiry = serde_json::from_value(value.clone())
        .unwrap_or_else(|err| panic!("refused {value}: {err}"));
    serde_json::to_value(&enquiry).expect("an Enquiry always serialises")
}

#[test]
fn the_full_record_sets_every_documented_field() {
    let record = full_record();
    for rule in all_fields() {
        let pointer_target = record.pointer(rule.pointer);
        assert!(
            pointer_target.is_some_and(|value| !value.is_null()),
            "full_record() lacks `{}`",
            rule.name
        );
    }
    assert_eq!(
        record.as_object().map(Map::len),
        Some(FIELDS.len()),
        "no undocumented member"
    );
}

#[test]
fn every_field_round_trips_through_the_typed_model() {
    let record = full_record();
    let enquiry: Enquiry =
        serde_json::from_value(record.clone()).expect("the full record is well typed");
    // Every member landed in a typed field, none in the catch-all maps: the model's serde
    // names and the table's names agree.
    assert!(
        enquiry.extra.is_empty(),
        "members the model does not know: {:?}",
        enquiry.extra.keys()
    );
    let detail = enquiry
        .location_detail
        .as_ref()
        .and_then(Nullable::as_value)
        .expect("locationDetail is set");
    assert!(
        detail.extra.is_empty(),
        "locationDetail members the model does not know: {:?}",
        detail.extra
    );
    assert_eq!(serde_json::to_value(&enquiry).expect("serialises"), record);
    assert_eq!(enquiry.status, Status::Closed);
    assert!(enquiry.status.is_documented());

    // The same through JSON text, the way payloads arrive.
    let text = serde_json::to_string(&record).expect("serialises");
    let parsed: Enquiry = serde_json::from_str(&text).expect("parses");
    assert_eq!(parsed, enquiry);
}

#[test]
fn each_field_alone_round_trips_as_a_value_and_as_null() {
    let full = full_record();
    for rule in all_fields() {
        let value = full.pointer(rule.pointer).expect("set").clone();
        let alone = with_member(minimal_record(), rule.name, value);
        assert_eq!(round_trip(&alone), alone, "`{}` with a value", rule.name);
        if !rule.required {
            let null = with_member(minimal_record(), rule.name, Value::Null);
            assert_eq!(round_trip(&null), null, "`{}` as null", rule.name);
        }
    }
}

fn property_keys(schema: &schemars::Schema) -> BTreeSet<String> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default()
}

fn table_keys(rules: &[FieldRule]) -> BTreeSet<String> {
    rules.iter().map(|rule| rule.key().to_owned()).collect()
}

#[test]
fn the_derived_schemars_properties_are_the_table_keys() {
    let enquiry = schemars::schema_for!(Enquiry);
    assert_eq!(property_keys(&enquiry), table_keys(FIELDS));
    let detail = schemars::schema_for!(LocationDetail);
    assert_eq!(property_keys(&detail), table_keys(LOCATION_DETAIL_FIELDS));
    assert!(FIELDS
        .iter()
        .any(|rule| rule.kind == FieldKind::Object(LOCATION_DETAIL_FIELDS)));
}

#[test]
fn the_table_has_unique_names_and_matching_pointers() {
    let names: BTreeSet<&str> = all_fields().map(|rule| rule.name).collect();
    assert_eq!(names.len(), all_fields().count(), "a name is listed twice");
    for rule in all_fields() {
        assert_eq!(
            rule.pointer,
            format!("/{}", rule.name.replace('.', "/")),
            "pointer of `{}`",
            rule.name
        );
        assert!(
            !rule.description.is_empty(),
            "`{}` has no description",
            rule.name
        );
    }
    let required: Vec<&str> = FIELDS
        .iter()
        .filter(|rule| rule.required)
        .map(|rule| rule.name)
        .collect();
    assert_eq!(required, ["_id", "createdAt", "status"]);
    let nullable: Vec<&str> = all_fields()
        .filter(|rule| rule.nullable)
        .map(|rule| rule.name)
        .collect();
    assert_eq!(nullable, ["labelIDs"]);
    assert_eq!(
        top_level("labelIDs").map(|rule| rule.kind),
        Some(FieldKind::LabelIds)
    );
    assert!(top_level("labelIds").is_none(), "names are case-sensitive");
    assert_eq!(top_level_keys().first(), Some(&"_id"));
}

#[test]
fn a_wrongly_typed_member_is_refused_naming_it() {
    for rule in all_fields() {
        let bad = with_member(
            minimal_record(),
            rule.name,
            wrong_value(rule.kind.json_type()),
        );
        let err = serde_json::from_value::<Enquiry>(bad.clone())
            .expect_err(&format!("`{}` with a wrong type was accepted", rule.name));
        assert!(
            err.to_string().contains(&format!("`{}`", rule.name)),
            "the error for `{}` does not name it: {err}",
            rule.name
        );
        let model_err = Enquiry::from_value(bad).expect_err("refused");
        assert_eq!(model_err.field(), rule.name);
        assert!(model_err.to_string().contains(rule.name));
    }
}

#[test]
fn a_wrongly_typed_city_is_refused_by_its_dotted_name() {
    let bad = json!({
        "_id": "a", "createdAt": "2022-11-07T00:00:00.000Z", "status": "closed",
        "locationDetail": { "city": 42 }
    });
    let err = serde_json::from_value::<Enquiry>(bad.clone()).expect_err("refused");
    assert!(err.to_string().contains("locationDetail.city"), "{err}");
    let text_err = serde_json::from_str::<Enquiry>(&bad.to_string()).expect_err("refused");
    assert!(
        text_err.to_string().contains("locationDetail.city"),
        "{text_err}"
    );
}

#[test]
fn required_members_must_be_present_and_not_null() {
    for name in ["_id", "createdAt", "status"] {
        let missing = crate::support::without_member(minimal_record(), name);
        let err = Enquiry::from_value(missing).expect_err("missing is refused");
        assert_eq!(err.field(), name);
        let null = with_member(minimal_record(), name, Value::Null);
        let err = serde_json::from_value::<Enquiry>(null).expect_err("null is refused");
        assert!(err.to_string().contains(name), "{err}");
    }
    assert!(
        Enquiry::from_value(json!([1])).is_err(),
        "an array is not a record"
    );
}

#[test]
fn unknown_values_and_members_are_kept() {
    let value = json!({
        "_id": "a", "createdAt": "2022-11-07T00:00:00+08:00", "status": "escalated",
        "channel": "TELEGRAM", "initChannel": "im", "omniType": null,
        "huntedStaffTargetHistory": ["eid-1", "eid-2"],
        "locationDetail": { "city": "Taipei", "district": "Xinyi" },
        "labelIds": ["typo"], "nested": { "deep": [1, 2.5, -0.0, null] }
    });
    let enquiry = Enquiry::from_value(value.clone()).expect("well typed");
    assert_eq!(enquiry.status, Status::Unknown("escalated".into()));
    assert!(!enquiry.status.is_documented());
    assert_eq!(enquiry.omni_type, Some(Nullable::Null));
    assert!(enquiry.extra.contains_key("labelIds"));
    assert_eq!(serde_json::to_value(&enquiry).expect("serialises"), value);
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // Quarter steps print and parse back exactly.
        (-1_000_000i32..1_000_000).prop_map(|n| Value::from(f64::from(n) / 4.0)),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z_]{1,8}", inner, 0..4)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// Undocumented members for an object whose documented members are `rules`.
fn extra_members(rules: &'static [FieldRule]) -> impl Strategy<Value = Vec<(String, Value)>> {
    prop::collection::vec(
        ("[a-zA-Z_][a-zA-Z0-9_]{0,11}", any_json())
            .prop_filter("documented names are not extra", move |(key, _)| {
                rules.iter().all(|rule| rule.key() != key)
            }),
        0..4,
    )
}

/// A string that is either one of `known` (when there are any) or anything at all (an unknown
/// spelling).
fn known_or_any(known: &'static [&'static str]) -> BoxedStrategy<Value> {
    if known.is_empty() {
        return any::<String>().prop_map(Value::from).boxed();
    }
    prop_oneof![
        prop::sample::select(known).prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ]
    .boxed()
}

/// A well-typed value for a member (any content its JSON type allows; a documented value or an
/// unknown one where values are listed).
fn well_typed(rule: &'static FieldRule) -> BoxedStrategy<Value> {
    match rule.kind {
        FieldKind::Enum(known) | FieldKind::Channel(known) | FieldKind::RecognisedText(known) => {
            known_or_any(known)
        }
        FieldKind::Text
        | FieldKind::Timestamp
        | FieldKind::IpAddress
        | FieldKind::LanguageCode
        | FieldKind::CountryCode
        | FieldKind::HttpUrl => any::<String>().prop_map(Value::from).boxed(),
        FieldKind::TextOrTextList(known) => prop_oneof![
            known_or_any(known),
            prop::collection::vec(known_or_any(known), 0..3).prop_map(Value::from),
        ]
        .boxed(),
        FieldKind::NonEmptyText => ".+".prop_map(Value::from).boxed(),
        FieldKind::Boolean => any::<bool>().prop_map(Value::from).boxed(),
        FieldKind::Millis | FieldKind::Exactly(_) => prop_oneof![
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            (-1_000i32..1_000).prop_map(|n| Value::from(f64::from(n) / 4.0)),
        ]
        .boxed(),
        FieldKind::LabelIds => prop::collection::vec(any::<String>(), 0..4)
            .prop_map(Value::from)
            .boxed(),
        FieldKind::ObjectList => prop::collection::vec(
            prop::collection::btree_map("[a-zA-Z]{1,6}", any_json(), 0..3)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
            0..3,
        )
        .prop_map(Value::from)
        .boxed(),
        FieldKind::Object(children) => object(children).boxed(),
        FieldKind::ArrayOf(_) => unreachable!("no modelled contract has a member of this kind"),
    }
}

/// An object over `rules`: each member absent, `null` (when optional) or well typed, plus
/// undocumented members.
pub(crate) fn object(rules: &'static [FieldRule]) -> impl Strategy<Value = Value> {
    let members: Vec<BoxedStrategy<Option<(String, Value)>>> = rules
        .iter()
        .map(|rule| {
            let key = rule.key().to_owned();
            let value = well_typed(rule);
            if rule.required {
                value
                    .prop_map(move |value| Some((key.clone(), value)))
                    .boxed()
            } else {
                let null_key = key.clone();
                prop_oneof![
                    Just(None),
                    Just(Some((null_key, Value::Null))),
                    value.prop_map(move |value| Some((key.clone(), value))),
                ]
                .boxed()
            }
        })
        .collect();
    (members, extra_members(rules)).prop_map(|(members, extra)| {
        let mut object: Map<String, Value> = members.into_iter().flatten().collect();
        object.extend(extra);
        Value::Object(object)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_model_is_lossless(record in object(FIELDS)) {
        let enquiry: Enquiry = serde_json::from_value(record.clone())
            .map_err(|err| TestCaseError::fail(format!("refused: {err}")))?;
        prop_assert_eq!(serde_json::to_value(&enquiry).expect("serialises"), record.clone());

        let from_text: Enquiry = serde_json::from_str(&record.to_string())
            .map_err(|err| TestCaseError::fail(format!("refused as text: {err}")))?;
        prop_assert_eq!(serde_json::to_value(&from_text).expect("serialises"), record);
    }
}
