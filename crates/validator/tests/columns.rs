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
