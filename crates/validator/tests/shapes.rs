//! The engine is generic over the contract table: a contract that exists only in this test,
//! with two nested objects (one two levels deep), an array of objects and an array of strings,
//! is checked by the same walk as the record, with exact instance paths.

use enquiry_schema::contract::Contract;
use enquiry_schema::fields::{field, required, FieldKind, FieldRule};
use enquiry_validator::{Code, Config, Profile, Validator};

use FieldKind as K;

static C_LEVEL: &[FieldRule] = &[
    required(field(
        "a.b.c",
        "/a/b/c",
        K::Enum(&["x", "y"]),
        "two levels deep",
    )),
    field(
        "a.b.when",
        "/a/b/when",
        K::Timestamp,
        "a timestamp, two levels deep",
    ),
];

static A_LEVEL: &[FieldRule] = &[field("a.b", "/a/b", K::Object(C_LEVEL), "one level deep")];

static D_LEVEL: &[FieldRule] = &[required(field("d.n", "/d/n", K::Millis, "a duration"))];

static ITEM: &[FieldRule] = &[
    required(field("items.x", "/items/*/x", K::Boolean, "a flag")),
    field("items.y", "/items/*/y", K::Text, "free text"),
];

static TOP: &[FieldRule] = &[
    required(field("id", "/id", K::Text, "the identifier")),
    field("a", "/a", K::Object(A_LEVEL), "the first nested object"),
    field("d", "/d", K::Object(D_LEVEL), "the second nested object"),
    field(
        "items",
        "/items",
        K::ArrayOf(&K::Object(ITEM)),
        "an array of objects",
    ),
    field("tags", "/tags", K::ArrayOf(&K::Text), "an array of strings"),
];

static SHAPES: Contract = Contract {
    name: "shapes",
    schema_stem: "shapes",
    noun: "shape",
    fields: TOP,
    cross: &[],
    strict_when: &[],
    detect: &[],
};

/// (pointer, code) of every finding, in report order.
fn findings(profile: Profile, payload: &str) -> Vec<(String, Code)> {
    let config = Config {
        contract: Some(&SHAPES),
        ..Config::with_profile(profile)
    };
    let report = Validator::new(config).validate_slice(payload.as_bytes(), "shapes.json");
    report
        .findings
        .iter()
        .map(|finding| (finding.pointer.as_str().to_owned(), finding.code))
        .collect()
}

fn check(payload: &str) -> Vec<(String, Code)> {
    findings(Profile::Default, payload)
}

fn one(pointer: &str, code: Code) -> Vec<(String, Code)> {
    vec![(pointer.to_owned(), code)]
}

#[test]
fn a_valid_record_of_every_shape_has_no_findings() {
    let payload = r#"{"id":"1","a":{"b":{"c":"x","when":"2024-01-01T00:00:00Z"}},"d":{"n":5},
        "items":[{"x":true},{"x":false,"y":"ok"}],"tags":["p","q"]}"#;
    assert_eq!(check(&payload.replace('\n', "")), vec![]);
}

#[test]
fn values_two_levels_deep_and_in_array_items_have_exact_paths() {
    assert_eq!(
        check(r#"{"id":"1","a":{"b":{"c":"z"}}}"#),
        one("/a/b/c", Code::Enum)
    );
    assert_eq!(
        check(r#"{"id":"1","a":{"b":{"c":"x","when":"2024-02-30T00:00:00Z"}}}"#),
        one("/a/b/when", Code::DateTime)
    );
    assert_eq!(
        check(r#"{"id":"1","items":[{"x":true},{"x":"no"}]}"#),
        one("/items/1/x", Code::Type)
    );
    assert_eq!(
        check(r#"{"id":"1","d":{"n":-1}}"#),
        one("/d/n", Code::Minimum)
    );
}

#[test]
fn required_members_of_nested_objects_are_missing_at_their_own_paths() {
    assert_eq!(
        check(r#"{"id":"1","a":{"b":{}}}"#),
        one("/a/b/c", Code::Required)
    );
    assert_eq!(
        check(r#"{"id":"1","items":[{"x":true},{"y":"no x"}]}"#),
        one("/items/1/x", Code::Required)
    );
    // All at the record's start, in documentation order: the record's own, then each
    // object member's.
    assert_eq!(
        check(r#"{"a":{"b":{}},"d":{}}"#),
        vec![
            ("/id".to_owned(), Code::Required),
            ("/a/b/c".to_owned(), Code::Required),
            ("/d/n".to_owned(), Code::Required),
        ]
    );
}

#[test]
fn wrong_types_of_objects_arrays_and_items() {
    assert_eq!(
        check(r#"{"id":"1","a":[],"d":"s","items":{},"tags":[1,"ok",null]}"#),
        vec![
            ("/a".to_owned(), Code::Type),
            ("/d".to_owned(), Code::Type),
            ("/items".to_owned(), Code::Type),
            ("/tags/0".to_owned(), Code::Type),
            ("/tags/2".to_owned(), Code::Type),
        ]
    );
    assert_eq!(
        check(r#"{"id":"1","a":{"b":"flat"},"items":[{"x":true},7]}"#),
        vec![
            ("/a/b".to_owned(), Code::Type),
            ("/items/1".to_owned(), Code::Type),
        ]
    );
}

#[test]
fn unknown_and_duplicate_members_inside_nested_objects() {
    let found = check(r#"{"id":"1","a":{"b":{"c":"x","cx":1}},"items":[{"x":true,"z":0}]}"#);
    assert_eq!(
        found,
        vec![
            ("/a/b/cx".to_owned(), Code::UnknownField),
            ("/items/0/z".to_owned(), Code::UnknownField),
        ]
    );
    assert_eq!(
        check(r#"{"id":"1","d":{"n":1,"n":2}}"#),
        one("/d/n", Code::DuplicateKey)
    );
}

#[test]
fn the_strict_profile_requires_every_member_at_every_depth() {
    let found = findings(Profile::Strict, r#"{"id":"1","a":{"b":{"c":"x"}}}"#);
    assert_eq!(
        found,
        vec![
            ("/a/b/when".to_owned(), Code::Required),
            ("/d".to_owned(), Code::Required),
            ("/items".to_owned(), Code::Required),
            ("/tags".to_owned(), Code::Required),
        ]
    );
}
