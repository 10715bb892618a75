//! Differential test: the validator and the published JSON Schema (through the `jsonschema`
//! crate, formats asserted) must give the same verdict on every record, for every rule a schema
//! can express.
//!
//! The records are valid fakes with one documented member replaced by a value from a pool of
//! edge cases (near-miss dates, odd IP spellings, code-table boundaries, numbers in every JSON
//! spelling, wrong types), plus every mutant of the catalogue. The validator's verdict counts
//! only findings of schema-expressible rules ([`Code::schema_expressible`]); anything else
//! (timeline, duplicate keys ...) is outside what the schema can say. A disagreement fails with
//! the record and both reports.

mod agreement;

use agreement::{schema_verdict, validator_codes};
use enquiry_fake::{Generator, Options, CATALOGUE};
use enquiry_schema::json_schema::Profile;
use enquiry_validator::Validator;
use serde_json::{json, Value};

/// Values to try in each kind of member; every one goes into every member of its group.
fn pool(member: &str) -> Vec<Value> {
    let common = vec![
        json!(null),
        json!(1),
        json!(true),
        json!([]),
        json!({}),
        json!(""),
    ];
    let specific: Vec<Value> = match member {
        "createdAt" | "updatedAt" | "closedAt" | "pickedUpAt" | "missedAt" | "reopenedAt" => vec![
            json!("2022-11-07T00:00:00Z"),
            json!("2022-11-07T00:00:00.123456789+08:00"),
            json!("2022-11-07t00:00:00z"),
            json!("2022-11-07 00:00:00Z"),
            json!("2022-11-07T00:00:00"),
            json!("2022-02-29T00:00:00Z"),
            json!("2024-02-29T00:00:00Z"),
            json!("2022-02-30T00:00:00Z"),
            json!("2022-04-31T00:00:00Z"),
            json!("2022-11-07T24:00:00Z"),
            json!("2022-11-07T25:00:00Z"),
            json!("2022-11-07T23:60:00Z"),
            json!("2022-11-07T00:00:00+24:00"),
            json!("2022-11-07T00:00:00.Z"),
            json!("2022-13-07T00:00:00Z"),
            json!("0000-01-01T00:00:00Z"),
            json!("22-11-07T00:00:00Z"),
            json!("2022-11-07"),
            json!(1_667_779_200_000_u64),
        ],
        "ip" => vec![
            json!("192.0.2.1"),
            json!("2001:db8::1"),
            json!("::"),
            json!("::ffff:192.0.2.1"),
            json!("256.0.0.1"),
            json!("192.0.2"),
            json!("192.0.2.01"),
            json!("2001:db8::g"),
            json!("fe80::1%eth0"),
            json!("localhost"),
            json!(" 192.0.2.1"),
        ],
        "language" => vec![
            json!("en"),
            json!("zh"),
            json!("EN"),
            json!("eng"),
            json!("xx"),
            json!("e"),
        ],
        "location" | "locationDetail.regionCode" => {
            vec![
                json!("HK"),
                json!("VE"),
                json!("hk"),
                json!("HKG"),
                json!("XX"),
                json!("UK"),
            ]
        }
        "inquiryDeepLink" => vec![
            json!("https://example.com/room/1"),
            json!("http://example.com"),
            json!("HTTPS://EXAMPLE.COM/x"),
            json!("https://example.com:8443/a?b=c#d"),
            json!("ftp://example.com/"),
            json!("/room/1"),
            json!("example.com/room"),
            json!("https://"),
            json!("https://exa mple.com/"),
            json!("https://b\u{fc}cher.example/"),
            json!("https://example.com/a b"),
            json!("http://[2001:db8::1]:8080/a"),
            json!("https://example.com/%zz"),
            json!("https:example.com"),
            json!("https:/example.com"),
            json!("http:///example.com"),
            json!("https://example.com/\t"),
            json!("https://example.com/\u{2028}"),
            json!("https://example.com/a b/c"),
            json!("https://user@/room"),
            json!("https://:8443/room"),
            json!("https://example.com:/"),
        ],
        "duration" | "closeDuration" => vec![
            json!(0),
            json!(-0.0),
            json!(12.0),
            json!(1.2e1),
            json!(12.5),
            json!(-1),
            json!(1e300),
            json!(u64::MAX),
            json!(i64::MIN),
            json!("12"),
        ],
        "status" => vec![json!("closed"), json!("Closed"), json!("escalated")],
        "channel" => vec![json!("WOZTELL"), json!("weblink"), json!("TELEGRAM")],
        "labelIDs" => vec![
            json!(["a", "b"]),
            json!(["a", "a"]),
            json!([""]),
            json!([1]),
            json!("a"),
        ],
        "transferredParty" => vec![json!([{ "id": "s1" }]), json!([1]), json!([[]])],
        "huntedStaffTargetHistory" => vec![json!(["s1", "s2"]), json!([1]), json!("s1")],
        "attachment" => vec![json!(false), json!("true"), json!(0)],
        "locationDetail" => vec![
            json!({ "city": "x" }),
            json!({ "city": 1 }),
            json!({ "zz": 1 }),
        ],
        _ => vec![json!("text"), json!("\u{0}"), json!("😀")],
    };
    common.into_iter().chain(specific).collect()
}

/// Sets a documented member (dotted for nested ones) in a record.
fn set(record: &mut Value, member: &str, value: Value) {
    match member.split_once('.') {
        Some((parent, child)) => {
            if !record[parent].is_object() {
                record[parent] = json!({});
            }
            record[parent][child] = value;
        }
        None => record[member] = value,
    }
}

fn compare(
    validator: &Validator,
    schema: &jsonschema::Validator,
    bytes: &[u8],
    what: &str,
) -> bool {
    let Ok(value) = serde_json::from_slice::<Value>(bytes) else {
        // Not JSON to serde_json (a syntax or encoding defect): the schema never sees it.
        return true;
    };
    let (codes, our_report) = validator_codes(validator, Profile::Default, bytes);
    let ours = !codes.is_empty();
    let (theirs, their_report) = schema_verdict(schema, &value);
    assert_eq!(
        ours,
        theirs,
        "validator and schema disagree on {what}\nrecord: {}\nvalidator:\n{our_report}\nschema:\n{their_report}",
        String::from_utf8_lossy(bytes)
    );
    ours
}

#[test]
fn validator_and_schema_agree_on_perturbed_fakes_and_mutants() {
    let schema = agreement::schema(Profile::Default);
    let validator = agreement::validator(Profile::Default);
    let generator = Generator::new(Options {
        seed: 99,
        ..Options::default()
    })
    .expect("options");
    let members: Vec<&str> = enquiry_schema::fields::all_fields()
        .map(|rule| rule.name)
        .collect();

    let (mut compared, mut rejected) = (0u32, 0u32);
    let mut buffer = Vec::new();
    for (index, member) in members.iter().enumerate() {
        for (offset, value) in pool(member).into_iter().enumerate() {
            buffer.clear();
            generator.valid_record((index * 64 + offset) as u64, &mut buffer);
            let mut record: Value = serde_json::from_slice(&buffer).expect("a fake is JSON");
            set(&mut record, member, value.clone());
            let bytes = serde_json::to_vec(&record).expect("serialises");
            rejected += u32::from(compare(
                &validator,
                &schema,
                &bytes,
                &format!("`{member}` = {value}"),
            ));
            compared += 1;
        }
    }
    for kind in CATALOGUE {
        for index in 0..20 {
            let mutant = generator.mutant(index, kind);
            compare(
                &validator,
                &schema,
                &mutant.bytes,
                &format!("mutant {}", kind.id),
            );
            compared += 1;
        }
    }
    // The pools hold mostly defects: make sure the test is not vacuous.
    assert!(compared > 1000, "{compared} records compared");
    assert!(rejected > 300, "only {rejected} records rejected");
}
