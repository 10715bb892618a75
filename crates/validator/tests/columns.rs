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
