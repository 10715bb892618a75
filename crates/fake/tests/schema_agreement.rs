//! Differential property test: generated edge-case values for every rule a JSON Schema can
//! express, checked by the validator and by the `jsonschema` crate (formats asserted) on the
//! generated default-profile schema; both must give the same verdict on every one.
//!
//! Values are assembled from parts chosen at the edges of each grammar (timestamps field by
//! field around every bound, leap seconds at every offset; URLs from schemes, separators,
//! userinfo, hosts, ports, paths and stray characters; IPv4/IPv6 spellings; ISO code shapes;
//! numbers in every JSON spelling; enum spellings; label lists; wrong types; missing members;
//! cut-off text) and put into a valid fake record. The verdict counts the validator's errors of
//! schema-expressible rules ([`Code::schema_expressible`]); text that is not JSON is rejected
//! by any schema validator, since it cannot be read.
//!
//! A second round does the same for the strict profile: the validator with `--profile strict`
//! against the generated strict schema, on a record with every documented member, with cases
//! for what only that profile checks (unknown members, `null`, `handledType` spellings, arrays
//! in `huntedStaffTargetHistory`, non-canonical timestamps, status and close members).
//!
//! The test also keeps the marking honest: every rule `enquiry rules` marks schema-checkable
//! must be reported, in agreement with a schema, by at least one generated case of its round,
//! and every rule the cases exercise that way must be marked.

mod agreement;

use std::collections::BTreeSet;

use agreement::{schema_rejects, validator_codes};
use enquiry_fake::{Generator, Options};
use enquiry_schema::json_schema::Profile;
use enquiry_validator::config::parse_label_list;
use enquiry_validator::Code;
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use serde_json::{json, Value};

/// One generated case: where the value goes and its JSON text (numbers keep their spelling).
#[derive(Debug, Clone)]
enum Case {
    /// `member` set to the JSON text.
    Member(&'static str, String),
    /// A required member removed.
    Missing(&'static str),
    /// An undocumented member added with this JSON text.
    Extra(&'static str, String),
    /// The whole record replaced by this JSON text.
    Whole(String),
    /// The record's text cut after this many bytes (never a complete object).
    Cut(usize),
}

fn quoted(text: String) -> String {
    serde_json::to_string(&text).expect("a string serialises")
}

fn two(range: std::ops::RangeInclusive<u32>) -> impl Strategy<Value = String> {
    range.prop_map(|value| format!("{value:02}"))
}

fn timestamp() -> impl Strategy<Value = String> {
    let year = prop::sample::select(vec!["0000", "1970", "2016", "2022", "2024", "9999", "22"]);
    let separator = prop::sample::select(vec!["T", "t", " "]);
    let fraction = prop::sample::select(vec!["", ".", ".5", ".123", ".123456789"]);
    let zone = prop_oneof![
        prop::sample::select(vec!["Z", "z", ""]).prop_map(str::to_owned),
        (
            prop::sample::select(vec!["+", "-"]),
            two(0..=24),
            two(0..=60)
        )
            .prop_map(|(sign, hour, minute)| format!("{sign}{hour}:{minute}")),
    ];
    (
        year,
        two(0..=13),
        two(0..=32),
        separator,
        two(0..=24),
        two(0..=60),
        prop_oneof![two(0..=61), Just("60".to_owned())],
        fraction,
        zone,
    )
        .prop_map(
            |(year, month, day, sep, hour, minute, second, fraction, zone)| {
                format!("{year}-{month}-{day}{sep}{hour}:{minute}:{second}{fraction}{zone}")
            },
        )
}

/// A leap second at the end of a UTC day, written at an offset (or a minute off it).
fn leap_second() -> impl Strategy<Value = String> {
    (
        -23i32..=23,
        prop::sample::select(vec![0, 30, 45]),
        -1i32..=1,
    )
        .prop_map(|(hours, minutes, shift)| {
            let offset = hours * 60 + if hours < 0 { -minutes } else { minutes };
            let local = (23 * 60 + 59 + offset + shift).rem_euclid(24 * 60);
            let sign = if offset < 0 { '-' } else { '+' };
            format!(
                "2016-12-31T{:02}:{:02}:60{sign}{:02}:{:02}",
                local / 60,
                local % 60,
                offset.abs() / 60,
                offset.abs() % 60
            )
        })
}

fn url() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec!["https", "http", "HTTPS", "ftp", "", "h"]);
    let separator = prop::sample::select(vec!["://", ":", ":/", ":///", "//"]);
    let userinfo = prop::sample::select(vec!["", "", "user@", "user:pw@", "@", "a b@"]);
    let host = prop::sample::select(vec![
        "example.com",
        "example.com",
        "",
        "[2001:db8::1]",
        "[2001:db8::1",
        "[v1.x]",
        "203.0.113.9",
        "exa mple.com",
        "b\u{fc}cher.example",
        "xn--bcher-kva.example",
        "ex%41mple.com",
    ]);
    let port = prop::sample::select(vec!["", "", ":", ":8443", ":80a"]);
    let path = prop::sample::select(vec![
        "", "/", "/room/1", "/a b", "/a%20b", "/%zz", "/a\tb", "/a|b",
    ]);
    let rest = prop::sample::select(vec!["", "?q=1", "#f", "#a#b", "?a=[1]"]);
    let trailing = prop::sample::select(vec!["", "", "\t", "\u{2028}", " ", "\n"]);
    (
        scheme, separator, userinfo, host, port, path, rest, trailing,
    )
        .prop_map(|(scheme, sep, user, host, port, path, rest, trailing)| {
            format!("{scheme}{sep}{user}{host}{port}{path}{rest}{trailing}")
        })
}

fn ip() -> impl Strategy<Value = String> {
    let octet = prop_oneof![
        (0u32..=256).prop_map(|value| value.to_string()),
        Just("01".to_owned()),
        Just("".to_owned()),
    ];
    let v4 = prop::collection::vec(octet, 3..=5).prop_map(|octets| octets.join("."));
    let v6 = prop::sample::select(vec![
        "2001:db8::1",
        "::",
        "::1",
        "::ffff:192.0.2.1",
        "2001:db8::g",
        "2001:db8:::1",
        "fe80::1%eth0",
        "2001:DB8::1",
        "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8:9",
        " 192.0.2.1",
        "localhost",
    ])
    .prop_map(str::to_owned);
    prop_oneof![v4, v6]
}

fn code_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec!['e', 'n', 'H', 'K', 'x', 'z', 'J']),
        0..=3,
    )
    .prop_map(|letters| letters.into_iter().collect())
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "0",
            "-0",
            "12.0",
            "1.2e1",
            "12.5",
            "-1",
            "1e300",
            "18446744073709551615",
            "-9223372036854775808",
            "\"12\"",
            "1E2",
            "0.0",
        ])
        .prop_map(str::to_owned),
        any::<i64>().prop_map(|value| value.to_string()),
    ]
}

fn label_ids() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(vec!["a", "b", ""]).prop_map(|text| quoted(text.to_owned())),
            Just("1".to_owned()),
        ],
        0..4,
    )
    .prop_map(|items| format!("[{}]", items.join(",")))
}

fn wrong_type() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["null", "1", "true", "[]", "{}", "\"\"", "[1]"])
        .prop_map(str::to_owned)
}

fn case() -> impl Strategy<Value = Case> {
    let timestamp_member =
        prop::sample::select(vec!["createdAt", "updatedAt", "closedAt", "pickedUpAt"]);
    let any_member = prop::sample::select(
        enquiry_schema::fields::all_fields()
            .filter(|rule| !rule.name.contains('.'))
            .map(|rule| rule.name)
            .collect::<Vec<_>>(),
    );
    prop_oneof![
        (timestamp_member.clone(), timestamp()).prop_map(|(m, t)| Case::Member(m, quoted(t))),
        (timestamp_member, leap_second()).prop_map(|(m, t)| Case::Member(m, quoted(t))),
        url().prop_map(|u| Case::Member("inquiryDeepLink", quoted(u))),
        ip().prop_map(|i| Case::Member("ip", quoted(i))),
        code_text().prop_map(|c| Case::Member("language", quoted(c))),
        code_text().prop_map(|c| Case::Member("location", quoted(c))),
        (
            prop::sample::select(vec!["duration", "closeDuration"]),
            number()
        )
            .prop_map(|(m, n)| Case::Member(m, n)),
        prop::sample::select(vec!["closed", "Closed", "escalated", "ongoing", "missed "])
            .prop_map(|s| Case::Member("status", quoted(s.to_owned()))),
        prop::sample::select(vec!["WOZTELL", "weblink", "TELEGRAM", "WEB"])
            .prop_map(|c| Case::Member("channel", quoted(c.to_owned()))),
        label_ids().prop_map(|l| Case::Member("labelIDs", l)),
        (any_member, wrong_type()).prop_map(|(m, v)| Case::Member(m, v)),
        prop::sample::select(vec!["_id", "createdAt", "status"]).prop_map(Case::Missing),
        // An array is a list of records, not a record: only scalars here.
        prop::sample::select(vec!["1", "\"record\"", "null", "true"])
            .prop_map(|text| Case::Whole(text.to_owned())),
        (1usize..400).prop_map(Case::Cut),
    ]
}

/// A valid record of the strict profile: every documented member, canonical timestamps.
const FULL: &str = r#"{"_id":"e1","uniqueKey":"u","createdAt":"2022-11-07T00:00:00.000Z","svcID":"s","inquiry":"i","tag":"t","visitor":"v","roomID":"r","initChannel":"IM","omniType":"CINNOX","ip":"2001:db8::1","language":"en","location":"HK","locationDetail":{"regionCode":"HK","subdivision":"Kowloon","city":"Hong Kong","province":"Hong Kong"},"platform":"web","status":"closed","displayCaseNumber":"1","channel":"Weblink","destinationID":"d","destinationName":"n","destinationType":"STAFF","destinationEndPoint":"STAFF","handledType":"STAFF","handledTarget":"h","handledPartyName":"Alex","huntedStaffTargetHistory":"h","type":"web","id":"c","maaiiDisplayName":"m","name":"n","inquiryType":"general","updatedAt":"2022-11-07T00:20:00.000Z","closedAt":"2022-11-07T00:10:00.000Z","inquiryGroup":"g","transferredParty":[],"pickedUpAt":"2022-11-07T00:01:00.000Z","missedAt":"2022-11-07T00:00:30.000Z","reopenedAt":"2022-11-07T00:05:00.000Z","handledPartyDepartmentID":"d","attachment":true,"staffFirstName":"A","staffLastName":"E","visitorFirstName":"S","visitorLastName":"S","inquiryDeepLink":"https://example.com/r","duration":1,"closeDuration":600000,"labelIDs":null}"#;

/// Cases for what only the strict profile checks, on top of [`case`]'s.
fn strict_case() -> impl Strategy<Value = Case> {
    let text = |values: Vec<&'static str>| {
        prop::sample::select(values).prop_map(|value| quoted(value.to_owned()))
    };
    let canonical = prop::sample::select(vec![
        "2022-11-07T00:00:00.000Z",
        "2022-11-07T00:00:00Z",
        "2022-11-07T00:00:00.12Z",
        "2022-11-07T00:00:00.0000Z",
        "2022-11-07T00:00:00.000+00:00",
        "2022-11-07T00:00:00.000z",
        "2022-11-07t00:00:00.000Z",
    ]);
    prop_oneof![
        (
            prop::sample::select(vec!["zz", "labelIds", "visitorFirstname", "IP", "_ID"]),
            prop::sample::select(vec!["1", "null", "\"x\""])
        )
            .prop_map(|(member, value)| Case::Extra(member, value.to_owned())),
        text(vec!["STAFF", "PHONE", "TRUNK", "Phone Number", "staff", ""])
            .prop_map(|value| Case::Member("handledType", value)),
        prop::sample::select(vec!["\"h\"", "[\"s1\"]", "[]", "[1]"])
            .prop_map(|value| Case::Member("huntedStaffTargetHistory", value.to_owned())),
        (
            prop::sample::select(vec!["updatedAt", "closedAt", "pickedUpAt"]),
            canonical
        )
            .prop_map(|(member, value)| Case::Member(member, quoted(value.to_owned()))),
        text(vec!["ongoing", "missed", "escalated", "closed"])
            .prop_map(|value| Case::Member("status", value)),
        prop::sample::select(vec![
            "closedAt",
            "closeDuration",
            "visitor",
            "locationDetail"
        ])
        .prop_map(Case::Missing),
    ]
}

/// The record text of a case, from a valid record.
fn record_text(mut record: Value, case: &Case) -> Vec<u8> {
    match case {
        Case::Member(member, text) => {
            // A placeholder keeps the value's own spelling (`12.0`, `-0`, `1E2`).
            record[*member] = json!("\u{1}placeholder\u{1}");
            serde_json::to_string(&record)
                .expect("serialises")
                .replace("\"\\u0001placeholder\\u0001\"", text)
                .into_bytes()
        }
        Case::Missing(member) => {
            record.as_object_mut().map(|object| object.remove(*member));
            serde_json::to_vec(&record).expect("serialises")
        }
        Case::Extra(member, text) => {
            record[*member] = json!("\u{1}placeholder\u{1}");
            serde_json::to_string(&record)
                .expect("serialises")
                .replace("\"\\u0001placeholder\\u0001\"", text)
                .into_bytes()
        }
        Case::Whole(text) => text.clone().into_bytes(),
        Case::Cut(at) => {
            let text = serde_json::to_vec(&record).expect("serialises");
            text[..(*at).min(text.len() - 1)].to_vec()
        }
    }
}

/// One round: `cases` generated cases, each put into the record `base` gives for the case's
/// index, checked by the validator of `profile` and by that profile's schema. Returns the rules
/// the validator reported (in agreement with the schema).
fn round(
    profile: Profile,
    strategy: impl Strategy<Value = Case>,
    base: impl Fn(u16) -> Value,
    cases: u32,
) -> BTreeSet<Code> {
    let schema = agreement::schema(profile);
    let validator = agreement::validator(profile);
    let covered = std::cell::RefCell::new(BTreeSet::new());
    let mut runner = TestRunner::new_with_rng(
        RunnerConfig {
            cases,
            failure_persistence: None,
            ..RunnerConfig::default()
        },
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let result = runner.run(&(any::<u16>(), strategy), |(index, case)| {
        let bytes = record_text(base(index), &case);
        let (codes, report) = validator_codes(&validator, profile, &bytes);
        let (theirs, their_report) = schema_rejects(&schema, &bytes);
        prop_assert_eq!(
            !codes.is_empty(),
            theirs,
            "{:?} validator and schema disagree on {:?}\nrecord: {}\nvalidator:\n{}\nschema:\n{}",
            profile,
            case,
            String::from_utf8_lossy(&bytes),
            report,
            their_report
        );
        covered.borrow_mut().extend(codes);
        Ok(())
    });
    if let Err(err) = result {
        panic!("{err}");
    }
    covered.into_inner()
}

/// The rules marked as checked by the schema of `profile`.
fn marked(profile: Profile) -> BTreeSet<Code> {
    Code::ALL
        .iter()
        .copied()
        .filter(|code| code.schema_checked(profile))
        .collect()
}

#[test]
fn validator_and_schema_agree_on_generated_edge_cases() {
    let generator = Generator::new(Options {
        seed: 11,
        ..Options::default()
    })
    .expect("options");
    let fake = |index: u16| {
        let mut buffer = Vec::new();
        generator.valid_record(u64::from(index), &mut buffer);
        serde_json::from_slice(&buffer).expect("a fake is JSON")
    };
    let covered = round(Profile::Default, case(), fake, 6000);
    assert_eq!(
        marked(Profile::Default),
        covered,
        "rules marked checked by the default schema (Code::schema_checked) and rules this test shows it checks differ: mark exactly the covered ones, or add cases"
    );
}

#[test]
fn strict_validator_and_strict_schema_agree_on_generated_edge_cases() {
    let full = |_| serde_json::from_str(FULL).expect("FULL is JSON");
    let covered = round(
        Profile::Strict,
        prop_oneof![case(), strict_case()],
        full,
        6000,
    );
    assert_eq!(
        marked(Profile::Strict),
        covered,
        "rules marked checked by the strict schema (Code::schema_checked) and rules this test shows it checks differ: mark exactly the covered ones, or add cases"
    );
}

/// The label-list schema takes what `--labels` takes (a response or a plain array) and refuses
/// what it refuses (an API error body, non-string IDs).
#[test]
fn the_label_list_schema_agrees_with_the_labels_option() {
    let schema = jsonschema::options()
        .should_validate_formats(true)
        .build(&enquiry_schema::json_schema::label_list_schema())
        .expect("the label-list schema compiles");
    let cases = [
        json!(["label-1", "label-2"]),
        json!([]),
        json!(["a", 1]),
        json!({ "code": 0, "labelList": [{ "id": "label-1" }] }),
        json!({ "labelList": [{ "id": "label-1", "name": "VIP" }] }),
        json!({ "code": 401, "labelList": [] }),
        json!({ "code": 0 }),
        json!({ "labelList": [{ "name": "no id" }] }),
        json!("label-1"),
    ];
    for case in cases {
        let bytes = serde_json::to_vec(&case).expect("serialises");
        assert_eq!(
            schema.is_valid(&case),
            parse_label_list(&bytes).is_ok(),
            "schema and --labels disagree on {case}"
        );
    }
}
