//! Personal values never reach a report unless values are shown.
//!
//! Records carry personal members (every one the contract marks personal) holding values of
//! every JSON type, each value a unique token; they are laid out several ways (value on the
//! next line, CRLF, tabs, deep indents), wrapped in every input shape (NDJSON, one document, an
//! array, a list response, gzip), validated with one and two jobs and rendered in every
//! format. No token may appear in any output; with values shown, the tokens of the invalid
//! `ip` values do appear, which proves the check looks where the values would be.

use std::io::Write;

use enquiry_report::{reporter, Format, HumanOptions};
use enquiry_validator::{Config, Event, Validator};
use flate2::write::GzEncoder;
use proptest::prelude::*;

/// A personal value: its JSON text and the tokens that must not leak.
#[derive(Debug, Clone)]
enum Value {
    Text(u32),
    Number(u32),
    Strings(u32, u32),
    Object(u32),
    Nested(u32),
}

fn word(token: u32) -> String {
    // Letters only, so no token is a substring of a number, a position or a rule id.
    let letters: String = format!("{token:08x}")
        .chars()
        .map(|digit| char::from(b'g' + digit.to_digit(16).unwrap_or(0) as u8))
        .collect();
    format!("Pq{letters}")
}

fn number(token: u32) -> String {
    format!("{}", 900_000_000_000u64 + u64::from(token))
}

impl Value {
    fn tokens(&self) -> Vec<String> {
        match *self {
            Value::Text(t) | Value::Object(t) | Value::Nested(t) => vec![word(t)],
            Value::Number(t) => vec![number(t)],
            Value::Strings(a, b) => vec![word(a), word(b)],
        }
    }

    fn json(&self, layout: &Layout) -> String {
        let (nl, indent) = (layout.newline, layout.indent);
        match *self {
            Value::Text(t) => format!("\"{}\"", word(t)),
            Value::Number(t) => number(t),
            Value::Strings(a, b) => format!(
                "[{nl}{indent}{indent}\"{}\",{nl}{indent}{indent}\"{}\"{nl}{indent}]",
                word(a),
                word(b)
            ),
            Value::Object(t) => format!("{{{nl}{indent}{indent}\"k\":{nl}\"{}\"{nl}}}", word(t)),
            Value::Nested(t) => format!("[[{{\"status\": [\"{}\", 1]}}]]", word(t)),
        }
    }
}

/// How a record is printed.
#[derive(Debug, Clone)]
struct Layout {
    newline: &'static str,
    indent: &'static str,
    /// Between a member's colon and its value.
    before_value: &'static str,
}

const LAYOUTS: [Layout; 5] = [
    Layout {
        newline: "",
        indent: "",
        before_value: "",
    },
    Layout {
        newline: "\n",
        indent: "  ",
        before_value: "\n    ",
    },
    Layout {
        newline: "\r\n",
        indent: "\t",
        before_value: "\r\n\t",
    },
    Layout {
        newline: "\n",
        indent: "                                                            ",
        before_value: " ",
    },
    Layout {
        newline: "",
        indent: "\t",
        before_value: "\t",
    },
];

fn personal_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = enquiry_schema::fields::all_fields()
        .filter(|rule| rule.personal)
        .map(|rule| rule.key())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// One record: an invalid `ip` (so that a finding points at a personal value), the generated
/// personal members (a duplicate among them when asked), and defects after them.
fn record(members: &[(usize, Value)], duplicate: bool, ip: u32, layout: &Layout) -> String {
    let keys = personal_keys();
    let (nl, ind, pre) = (layout.newline, layout.indent, layout.before_value);
    let mut parts = vec![
        format!("\"_id\":{pre}\"e1\""),
        format!("\"createdAt\":{pre}\"2022-02-30T10:00:00Z\""),
        format!("\"ip\":{pre}\"{}\"", word(ip)),
    ];
    for (key, value) in members {
        parts.push(format!(
            "\"{}\":{pre}{}",
            keys[key % keys.len()],
            value.json(layout)
        ));
    }
    if duplicate {
        if let Some((key, value)) = members.first() {
            parts.push(format!(
                "\"{}\":{pre}{}",
                keys[key % keys.len()],
                value.json(layout)
            ));
        }
    }
    parts.push(format!("\"status\":{pre}\"Closed\""));
    parts.push(format!("\"labelIds\":{pre}[]"));
    let body: Vec<String> = parts
        .into_iter()
        .map(|part| format!("{ind}{part}"))
        .collect();
    format!("{{{nl}{}{nl}}}", body.join(&format!(",{nl}")))
}

/// The input shapes, each holding the records.
fn shapes(records: &[String], compact: &[String]) -> Vec<(&'static str, Vec<u8>)> {
    let array = format!("[\n{}\n]\n", records.join(",\n"));
    let list = format!(
        "{{\"page\": 1, \"items\": [{}], \"total\": 2}}",
        records.join(", ")
    );
    let ndjson = format!("{}\n", compact.join("\n"));
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(array.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    vec![
        ("document", records[0].clone().into_bytes()),
        ("array", array.into_bytes()),
        ("list", list.into_bytes()),
        ("ndjson", ndjson.into_bytes()),
        ("gzip", gz),
    ]
}

fn render(input: &[u8], format: Format, jobs: usize, show_values: bool) -> String {
    let config = Config {
        show_values,
        ..Config::default()
    };
    let mut out = Vec::new();
    {
        let mut report = reporter(format, Box::new(&mut out), false, HumanOptions::default());
        let summary = Validator::new(config)
            .validate_stream(input, "in.json", jobs, &mut |event| match event {
                Event::Record(outcome) => report.record(&outcome).unwrap(),
                Event::Input(finding) => report.input(&finding).unwrap(),
            })
            .unwrap();
        report.finish(&summary, true).unwrap();
    }
    String::from_utf8(out).unwrap()
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u32>().prop_map(Value::Text),
        any::<u32>().prop_map(Value::Number),
        (any::<u32>(), any::<u32>()).prop_map(|(a, b)| Value::Strings(a, b)),
        any::<u32>().prop_map(Value::Object),
        any::<u32>().prop_map(Value::Nested),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn no_personal_value_in_any_report(
        members in prop::collection::vec((0usize..64, value()), 1..5),
        duplicate in any::<bool>(),
        ip in any::<u32>(),
        layout in 0usize..LAYOUTS.len(),
    ) {
        let layout = &LAYOUTS[layout];
        let records = vec![
            record(&members, duplicate, ip, layout),
            record(&members, false, ip ^ 1, &LAYOUTS[0]),
        ];
        let compact = vec![
            record(&members, duplicate, ip, &LAYOUTS[0]),
            record(&members, false, ip ^ 1, &LAYOUTS[4]),
        ];
        let mut tokens: Vec<String> = members.iter().flat_map(|(_, value)| value.tokens()).collect();
        tokens.push(word(ip));
        tokens.push(word(ip ^ 1));
        for (shape, input) in shapes(&records, &compact) {
            for format in Format::ALL {
                for jobs in [1, 2] {
                    let text = render(&input, format, jobs, false);
                    for token in &tokens {
                        prop_assert!(
                            !text.contains(token.as_str()),
                            "{} leaked in {} of {shape} with --jobs {jobs}:\n{text}",
                            token,
                            format.name()
                        );
                    }
                }
            }
            for format in [Format::Human, Format::Json] {
                let shown = render(&input, format, 1, true);
                prop_assert!(
                    shown.contains(&word(ip)),
                    "{shape}, {}: the ip is not shown with show_values:\n{shown}",
                    format.name()
                );
            }
        }
    }
}

/// Records that reach personal values by less direct ways, each with the token that must not
/// leak: an escaped key, an unquoted value the parser stops at, an object under a personal
/// key, misspelt personal keys (the did-you-mean points at a personal member).
const INDIRECT: [(&str, &str); 7] = [
    (r#""i\u0070": "PqEscapedKey""#, "PqEscapedKey"),
    // The parser stops at the second `.`: what it read, `203.0`, is masked.
    (r#""ip": 203.0.113.77"#, "203.0"),
    (r#""ip": {"address": "PqObjectValue"}"#, "PqObjectValue"),
    (r#""visitorLastname": "PqMisspeltLast""#, "PqMisspeltLast"),
    (
        r#""visitorFirstname": ["PqMisspeltFirst"]"#,
        "PqMisspeltFirst",
    ),
    (r#""IP": "PqUpperCaseIp""#, "PqUpperCaseIp"),
    (r#""handledpartyname": 4242424242"#, "4242424242"),
];

#[test]
fn indirect_personal_values_are_masked_in_every_format() {
    for (member, token) in INDIRECT {
        let line = format!(
            r#"{{"_id": "a", "createdAt": "2022-11-07T00:00:00Z", "status": "Closed", {member}}}"#
        );
        for input in [format!("{line}\n{line}\n"), format!("[{line}]")] {
            for format in Format::ALL {
                for jobs in [1, 2] {
                    let text = render(input.as_bytes(), format, jobs, false);
                    assert!(
                        !text.contains(token),
                        "{token} leaked in {} with --jobs {jobs}:\n{text}",
                        format.name()
                    );
                }
            }
            // The check looks where the value would be: shown on request.
            let shown = render(input.as_bytes(), Format::Human, 1, true);
            assert!(shown.contains(token), "{token} not shown:\n{shown}");
        }
    }
}

/// An NDJSON record whose line breaks after a personal key: the next line is a unit of its
/// own that no longer shows the key, and its values are masked all the same.
#[test]
fn a_record_broken_across_ndjson_lines_masks_the_rest() {
    let head = r#""_id": "x", "createdAt": "2024-01-01T00:00:00Z", "status": "ongoing""#;
    for rest in [
        r#""Alice Secretname", "ip": "203.0.113.77"}"#,
        r#"["Alice Secretname"], "ip": "203.0.113.77"}"#,
    ] {
        let input = format!("{{{head}}}\n{{{head}, \"visitorFirstName\":\n{rest}\n");
        for format in Format::ALL {
            for jobs in [1, 2] {
                let text = render(input.as_bytes(), format, jobs, false);
                assert!(
                    !text.contains("Secretname"),
                    "leaked in {} with --jobs {jobs}:\n{text}",
                    format.name()
                );
            }
        }
        let shown = render(input.as_bytes(), Format::Human, 1, true);
        assert!(shown.contains("Secretname"), "not shown:\n{shown}");
    }
}
