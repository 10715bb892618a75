//! Determinism and coherence of the generated records, checked on the JSON they hold.

mod common;

use std::collections::BTreeSet;
use std::net::IpAddr;

use common::*;
use enquiry_fake::{Generator, InvalidRate, Options, FIRST_NAMES, LAST_NAMES};
use enquiry_schema::{codes, Channel, Status};
use serde_json::Value;

fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes
        .split(|byte| *byte == b'\n')
        .filter(|line| !line.is_empty())
        .collect()
}

fn records(generator: &Generator, count: u64) -> Vec<Value> {
    let bytes = ndjson(generator, count);
    lines(&bytes)
        .into_iter()
        .map(|line| serde_json::from_slice(line).unwrap())
        .collect()
}

fn generator(seed: u64) -> Generator {
    Generator::new(Options {
        seed,
        ..Options::default()
    })
    .unwrap()
}

#[test]
fn record_n_does_not_depend_on_the_count() {
    for invalid in [
        InvalidRate::Never,
        InvalidRate::PerMillion(250_000),
        InvalidRate::Always,
    ] {
        let generator = Generator::new(Options {
            seed: 7,
            invalid,
            ..Options::default()
        })
        .unwrap();
        let short = ndjson(&generator, 10);
        let long = ndjson(&generator, 60);
        assert!(long.starts_with(&short));
        let mut single = Vec::new();
        generator.record(9, &mut single);
        assert_eq!(lines(&short)[9], single.as_slice());
    }
}

#[test]
fn same_seed_same_bytes_other_seed_other_records() {
    assert_eq!(ndjson(&generator(42), 200), ndjson(&generator(42), 200));
    let a = ndjson(&generator(42), 200);
    let b = ndjson(&generator(43), 200);
    for (left, right) in lines(&a).iter().zip(lines(&b)) {
        assert_ne!(*left, right);
    }
    // Two records of one seed differ too.
    assert_ne!(lines(&a)[0], lines(&a)[1]);
}

#[test]
fn a_mutant_is_its_valid_twin_with_one_change() {
    let valid = generator(5);
    let broken = Generator::new(Options {
        seed: 5,
        invalid: InvalidRate::PerMillion(500_000),
        ..Options::default()
    })
    .unwrap();
    let mut mutants = 0;
    for index in 0..200 {
        let mut twin = Vec::new();
        valid.record(index, &mut twin);
        let mut out = Vec::new();
        match broken.record(index, &mut out) {
            None => assert_eq!(out, twin),
            Some(label) => {
                mutants += 1;
                assert_ne!(out, twin);
                assert_eq!(label.record, index);
                // Most kinds keep the record parseable; compare everything but the labelled member.
                if let (Ok(Value::Object(mut got)), Ok(Value::Object(mut want))) = (
                    serde_json::from_slice::<Value>(&out),
                    serde_json::from_slice::<Value>(&twin),
                ) {
                    let top = label.pointer.split('/').nth(1).unwrap_or("").to_owned();
                    got.remove(&top);
                    want.remove(&top);
                    if label.code != "duplicate-key" {
                        assert_eq!(got, want, "{label:?}");
                    }
                }
            }
        }
    }
    assert!((60..=140).contains(&mutants), "{mutants}");
}

#[test]
fn the_invalid_rate_is_respected() {
    let generator = Generator::new(Options {
        seed: 1,
        invalid: InvalidRate::PerMillion(100_000),
        ..Options::default()
    })
    .unwrap();
    let labels = generator.write_ndjson(5000, std::io::sink()).unwrap();
    assert!((350..=650).contains(&labels.len()), "{}", labels.len());
    assert!(labels
        .windows(2)
        .all(|pair| pair[0].record < pair[1].record));
    let kinds: BTreeSet<&str> = labels.iter().map(|label| label.code.as_str()).collect();
    assert!(kinds.len() >= 18, "{kinds:?}");
}

#[test]
fn every_status_channel_and_route_appears() {
    let records = records(&generator(1), 3000);
    let seen = |key: &str| -> BTreeSet<String> {
        records
            .iter()
            .filter_map(|record| record.get(key)?.as_str().map(str::to_owned))
            .collect()
    };
    let set = |items: &[&str]| -> BTreeSet<String> {
        items.iter().map(|item| (*item).to_owned()).collect()
    };
    assert_eq!(seen("status"), set(Status::DOCUMENTED));
    assert_eq!(seen("channel"), set(Channel::DOCUMENTED));
    assert_eq!(seen("initChannel"), set(&["IM", "CALL"]));
    assert_eq!(seen("omniType"), set(&["CINNOX"]));
    assert_eq!(
        seen("destinationType"),
        set(&["PHONE", "STAFF", "TRUNK", "CHATBOT"])
    );
    assert_eq!(
        seen("destinationEndPoint"),
        set(&["STAFF", "CHATBOT", "IVR"])
    );
    assert_eq!(seen("handledType"), set(&["PHONE", "TRUNK", "STAFF"]));
    for key in [
        "ip",
        "reopenedAt",
        "transferredParty",
        "inquiryGroup",
        "tag",
        "name",
    ] {
        assert!(
            records.iter().any(|record| record.get(key).is_some()),
            "{key} never appears"
        );
    }
    assert!(records.iter().any(|record| record["labelIDs"].is_null()));
    assert!(records.iter().any(|record| record["labelIDs"].is_array()));
    let ips: Vec<&str> = records
        .iter()
        .filter_map(|record| record.get("ip")?.as_str())
        .collect();
    assert!(ips.iter().any(|ip| ip.contains(':')) && ips.iter().any(|ip| ip.contains('.')));
}

#[test]
fn filters_restrict_status_and_channel() {
    let generator = Generator::new(Options {
        seed: 2,
        statuses: vec![Status::Missed, Status::Closed],
        channels: vec![Channel::Whatsapp],
        ..Options::default()
    })
    .unwrap();
    for record in records(&generator, 300) {
        assert!(matches!(
            record["status"].as_str(),
            Some("missed" | "closed")
        ));
        assert_eq!(record["channel"], "WHATSAPP");
    }
    let listed = Generator::new(Options {
        seed: 2,
        channel_list: Some(vec!["INSTAGRAM".to_owned(), "Weblink".to_owned()]),
        ..Options::default()
    })
    .unwrap();
    let channels: BTreeSet<String> = records(&listed, 300)
        .iter()
        .map(|record| record["channel"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        channels,
        ["INSTAGRAM", "Weblink"]
            .map(str::to_owned)
            .into_iter()
            .collect()
    );
}

/// Milliseconds since the epoch of a canonical timestamp, checking its shape on the way.
fn millis(text: &str) -> i64 {
    let bytes = text.as_bytes();
    assert_eq!(bytes.len(), 24, "{text}");
    for (at, byte) in bytes.iter().enumerate() {
        match at {
            4 | 7 => assert_eq!(*byte, b'-', "{text}"),
            10 => assert_eq!(*byte, b'T', "{text}"),
            13 | 16 => assert_eq!(*byte, b':', "{text}"),
            19 => assert_eq!(*byte, b'.', "{text}"),
            23 => assert_eq!(*byte, b'Z', "{text}"),
            _ => assert!(byte.is_ascii_digit(), "{text}"),
        }
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<i64>().unwrap();
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    assert!(
        (1..=12).contains(&month) && (1..=31).contains(&day),
        "{text}"
    );
    // Days from civil (H. Hinnant), independent of the generator's own code path.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    ((days * 24 + number(11..13)) * 60 + number(14..16)) * 60_000
        + number(17..19) * 1000
        + number(20..23)
}

const STAFF_MEMBERS: &[&str] = &[
    "handledPartyName",
    "staffFirstName",
    "staffLastName",
    "handledPartyDepartmentID",
];

fn check_coherence(record: &Value, labels: &[String]) {
    let object = record.as_object().unwrap();
    let time = |key: &str| object.get(key).map(|value| millis(value.as_str().unwrap()));
    let number = |key: &str| object.get(key).map(|value| value.as_i64().unwrap());
    let text = |key: &str| object.get(key).and_then(Value::as_str);
    let status = text("status").unwrap();
    let created = time("createdAt").unwrap();
    let updated = time("updatedAt").unwrap();
    let (picked, missed, reopened, closed) = (
        time("pickedUpAt"),
        time("missedAt"),
        time("reopenedAt"),
        time("closedAt"),
    );
    for later in [picked, missed, reopened, closed].into_iter().flatten() {
        assert!(created <= later && later <= updated, "{record}");
    }
    if let (Some(picked), Some(closed)) = (picked, closed) {
        assert!(picked <= closed);
    }
    if let (Some(missed), Some(picked)) = (missed, picked) {
        assert!(missed <= picked);
    }
    if let Some(reopened) = reopened {
        assert!(picked.unwrap_or(created) <= reopened && reopened <= closed.unwrap());
    }
    assert_eq!(
        number("closeDuration"),
        closed.map(|closed| closed - created),
        "{record}"
    );
    assert_eq!(
        number("duration"),
        picked.map(|picked| closed.unwrap_or(updated) - picked),
        "{record}"
    );
    match status {
        "closed" => assert!(closed.is_some() && missed.is_none()),
        "missed" => {
            assert!(missed.is_some() && picked.is_none() && closed.is_none());
            assert!(!object.contains_key("handledType") && !object.contains_key("handledTarget"));
        }
        "followed-up" => assert!(missed.is_some() && picked.is_some() && closed.is_none()),
        "ongoing" => assert!(missed.is_none() && closed.is_none()),
        other => panic!("status {other}"),
    }
    assert_eq!(
        picked.is_some(),
        object.contains_key("handledType"),
        "{record}"
    );
    let handled = text("handledType");
    for member in STAFF_MEMBERS {
        assert_eq!(
            object.contains_key(*member),
            handled == Some("STAFF"),
            "{member}: {record}"
        );
    }
    if handled == Some("STAFF") {
        let (first, last) = (
            text("staffFirstName").unwrap(),
            text("staffLastName").unwrap(),
        );
        assert!(FIRST_NAMES.contains(&first) && LAST_NAMES.contains(&last));
        assert_eq!(text("handledPartyName").unwrap(), format!("{first} {last}"));
    }
    if let Some("PHONE" | "TRUNK") = handled {
        assert!(text("handledTarget").unwrap().starts_with("+1202555"));
    }

    // Channel, start and route.
    let channel = text("channel").unwrap();
    let init = text("initChannel").unwrap();
    match channel {
        "VirtualNumber" => assert_eq!(init, "CALL"),
        "Weblink" => {}
        _ => assert_eq!(init, "IM"),
    }
    let route = (
        text("destinationType").unwrap(),
        text("destinationEndPoint").unwrap(),
    );
    let routes: &[(&str, &str)] = if init == "CALL" {
        &[
            ("STAFF", "IVR"),
            ("STAFF", "STAFF"),
            ("PHONE", "IVR"),
            ("TRUNK", "IVR"),
        ]
    } else {
        &[
            ("STAFF", "STAFF"),
            ("CHATBOT", "STAFF"),
            ("CHATBOT", "CHATBOT"),
        ]
    };
    assert!(routes.contains(&route), "{route:?} for {init}");
    match handled {
        Some("PHONE") => assert_eq!(route.0, "PHONE"),
        Some("TRUNK") => assert_eq!(route.0, "TRUNK"),
        Some("STAFF") => assert_ne!(route.1, "CHATBOT"),
        _ => {}
    }
    assert_eq!(object.contains_key("ip"), channel == "Weblink");

    // Safe values.
    if let Some(ip) = text("ip") {
        match ip.parse::<IpAddr>().unwrap() {
            IpAddr::V4(v4) => {
                let [a, b, c, _] = v4.octets();
                assert!(
                    matches!((a, b, c), (192, 0, 2) | (198, 51, 100) | (203, 0, 113)),
                    "{ip}"
                );
            }
            IpAddr::V6(v6) => assert_eq!(&v6.segments()[..2], &[0x2001, 0xdb8], "{ip}"),
        }
    }
    assert!(text("inquiryDeepLink")
        .unwrap()
        .starts_with("https://example.com/"));
    assert!(FIRST_NAMES.contains(&text("visitorFirstName").unwrap()));
    assert!(LAST_NAMES.contains(&text("visitorLastName").unwrap()));
    for key in [
        "_id",
        "inquiry",
        "roomID",
        "visitor",
        "uniqueKey",
        "svcID",
        "destinationID",
        "id",
    ] {
        let id = text(key).unwrap();
        assert!(
            id.len() == 24
                && id
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{key}: {id}"
        );
    }
    let id_seconds = i64::from_str_radix(&text("_id").unwrap()[..8], 16).unwrap();
    assert_eq!(id_seconds, created.div_euclid(1000));
    assert!(text("displayCaseNumber")
        .unwrap()
        .bytes()
        .all(|b| b.is_ascii_digit()));

    // Codes.
    let location = text("location").unwrap();
    assert!(codes::is_country_code(location.as_bytes()));
    assert!(codes::is_language_code(
        text("language").unwrap().as_bytes()
    ));
    assert_eq!(record["locationDetail"]["regionCode"], location);

    // Only labelIDs is ever null; label IDs come from the list, distinct.
    for (key, value) in object {
        assert!(!value.is_null() || key == "labelIDs", "{key} is null");
    }
    if let Some(ids) = record["labelIDs"].as_array() {
        let ids: Vec<&str> = ids.iter().map(|id| id.as_str().unwrap()).collect();
        assert!(!ids.is_empty() && ids.iter().all(|id| labels.iter().any(|label| label == id)));
        assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len());
    }
    assert!(object
        .get("huntedStaffTargetHistory")
        .is_none_or(Value::is_string));
}

#[test]
fn records_are_coherent() {
    for seed in SEEDS {
        let generator = generator(*seed);
        for record in records(&generator, 2000) {
            check_coherence(&record, generator.label_ids());
        }
    }
}

#[test]
fn given_labels_are_used() {
    let labels = vec![
        "sales-lead".to_owned(),
        "vip".to_owned(),
        "vip".to_owned(),
        String::new(),
    ];
    let generator = Generator::new(Options {
        seed: 4,
        labels: Some(labels),
        ..Options::default()
    })
    .unwrap();
    assert_eq!(generator.label_ids(), ["sales-lead", "vip"]);
    let used: BTreeSet<String> = records(&generator, 300)
        .iter()
        .filter_map(|record| record["labelIDs"].as_array().cloned())
        .flatten()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        used,
        ["sales-lead", "vip"]
            .map(str::to_owned)
            .into_iter()
            .collect()
    );
    let none = Generator::new(Options {
        seed: 4,
        labels: Some(Vec::new()),
        ..Options::default()
    })
    .unwrap();
    assert!(records(&none, 100)
        .iter()
        .all(|record| record["labelIDs"].is_null()));
}
