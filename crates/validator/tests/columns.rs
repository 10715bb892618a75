//! Columns count what the excerpt shows: each invalid UTF-8 sequence (a stray continuation
//! byte included) is one U+FFFD, one column.

use enquiry_validator::{Code, Config, Validator};

#[test]
fn stray_continuation_bytes_count_in_columns() {
    let mut line = br#"{"_id": "a"#.to_vec();
    line.extend_from_slice(&[0x80, 0x81, 0xBF, b'x', 0xE2, 0x82, 0xAC, 0xC3]);
    line.extend_from_slice(br#"", "createdAt": "2022-11-07T08:00:00Z", "status": "BAD"}"#);
    line.push(b'\n');
    let report = Validator::new(Config::default()).validate_slice(&line, "c.ndjson");
    let finding = report
        .findings
        .iter()
        .find(|finding| finding.code == Code::Enum)
        .expect("an enum finding");
    let at = line.windows(5).position(|w| w == b"\"BAD\"").unwrap();
    let shown = String::from_utf8_lossy(&line[..at]).chars().count() as u64;
    assert_eq!(finding.column, shown + 1);
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let units = bom
        .then_some(0xFEFF_u16)
        .into_iter()
        .chain(text.encode_utf16());
    units
        .flat_map(|unit| {
            if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            }
        })
        .collect()
}

#[test]
fn utf16_input_is_named_as_such() {
    let record = r#"{"_id": "a", "status": "ongoing"}"#;
    for (big_endian, bom, name) in [
        (
            false,
            true,
            "UTF-16 (little-endian, with a byte order mark)",
        ),
        (true, true, "UTF-16 (big-endian, with a byte order mark)"),
        (false, false, "UTF-16 (little-endian)"),
        (true, false, "UTF-16 (big-endian)"),
    ] {
        let bytes = utf16(record, big_endian, bom);
        let report = Validator::new(Config::default()).validate_slice(&bytes, "u.json");
        assert_eq!(report.findings.len(), 1, "{name}: {report}");
        assert_eq!(report.findings[0].code, Code::Encoding, "{name}");
        assert!(report.findings[0].message.contains(name), "{report}");
    }
}

fn utf32(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let chars = bom.then_some('\u{feff}').into_iter().chain(text.chars());
    chars
        .flat_map(|ch| {
            if big_endian {
                u32::from(ch).to_be_bytes()
            } else {
                u32::from(ch).to_le_bytes()
            }
        })
        .collect()
}

/// UTF-32 is named as UTF-32 (its little-endian byte order mark starts like UTF-16's), with
/// the `iconv` command that converts it.
#[test]
fn utf32_input_is_named_as_such() {
    let record = r#"{"_id": "a", "status": "ongoing"}"#;
    for (big_endian, bom, name) in [
        (
            false,
            true,
            "UTF-32 (little-endian, with a byte order mark)",
        ),
        (true, true, "UTF-32 (big-endian, with a byte order mark)"),
        (false, false, "UTF-32 (little-endian)"),
        (true, false, "UTF-32 (big-endian)"),
    ] {
        let bytes = utf32(record, big_endian, bom);
        let report = Validator::new(Config::default()).validate_slice(&bytes, "u.json");
        assert_eq!(report.findings.len(), 1, "{name}: {report}");
        assert_eq!(report.findings[0].code, Code::Encoding, "{name}");
        let message = &report.findings[0].message;
        assert!(
            message.contains(&format!("input is {name} text")),
            "{report}"
        );
        assert!(message.contains("iconv -f UTF-32 -t UTF-8"), "{report}");
    }
}

/// Line, column and excerpt of the `date-time` finding in `input`.
fn date_time_position(input: &[u8], jobs: usize) -> (u64, u64, String) {
    let mut found = None;
    Validator::new(Config::default())
        .validate_stream(input, "in.json", jobs, &mut |event| {
            if let enquiry_validator::Event::Record(outcome) = event {
                for finding in outcome.findings {
                    if finding.code == Code::DateTime && found.is_none() {
                        let excerpt = finding.excerpt.map(|e| e.text).unwrap_or_default();
                        found = Some((finding.line, finding.column, excerpt));
                    }
                }
            }
        })
        .expect("in-memory input");
    found.expect("a date-time finding")
}

/// A lone CR ends a line as LF and CRLF do (old Mac files, some exports): lines and columns
/// count it, and the excerpt is the one line.
#[test]
fn lone_cr_line_ends_count_as_lines() {
    for jobs in [1, 2] {
        for newline in ["\n", "\r\n", "\r"] {
            // A pretty-printed document.
            let document = [
                "{",
                r#"  "_id": "a","#,
                r#"  "createdAt": "x","#,
                r#"  "status": "ongoing""#,
                "}",
            ]
            .join(newline);
            assert_eq!(
                date_time_position(document.as_bytes(), jobs),
                (3, 16, r#"  "createdAt": "x","#.to_owned()),
                "document with {newline:?} line ends"
            );
        }
        // NDJSON (LF-separated) with a lone CR inside a record: the next record's line counts it.
        let ndjson = concat!(
            "{\"_id\": \"a\",\r\"createdAt\": \"2022-11-07T00:00:00Z\", \"status\": \"ongoing\"}\n",
            "{\"_id\": \"b\", \"createdAt\": \"x\", \"status\": \"ongoing\"}\n",
        );
        let (line, column, excerpt) = date_time_position(ndjson.as_bytes(), jobs);
        assert_eq!((line, column), (3, 27), "ndjson with --jobs {jobs}");
        assert!(excerpt.starts_with(r#"{"_id": "b""#), "{excerpt}");
    }
}
