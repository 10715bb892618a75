//! `Validator::validate_lines`: an NDJSON file checked a piece at a time, cut at any line
//! boundary, gives exactly the events of checking the whole file at once.

use enquiry_validator::{Config, Event, Summary, Validator};

/// NDJSON with every kind of line: valid and invalid records, a blank line, a broken line, a
/// non-object, an array of records, a list response, and a line over the record size limit.
fn file() -> String {
    [
        r#"{"_id":"a","createdAt":"2022-11-07T00:00:00.000Z","status":"ongoing"}"#,
        r#"{"_id":"b","createdAt":"2022-02-30T00:00:00Z","status":"Closed"}"#,
        "",
        r#"{"_id":"c", "status": "#,
        r#""just a string""#,
        r#"[{"_id":"d"}, {"_id":"e","status":"closed"}]"#,
        r#"{"code":200,"list":[{"_id":"f"},{"_id":"g","createdAt":"x"}]}"#,
        &format!(r#"{{"_id":"h","pad":"{}"}}"#, "x".repeat(300)),
        r#"{"_id":"i","createdAt":"2022-11-07T00:00:00.000Z","status":"missed","ip":"999.1.1.1"}"#,
    ]
    .iter()
    .map(|line| format!("{line}\n"))
    .collect()
}

fn validator() -> Validator {
    Validator::new(Config {
        max_record_size: 200,
        ..Config::default()
    })
}

#[test]
fn pieces_cut_at_any_line_boundary_give_the_whole_file_s_events() {
    let text = file();
    let validator = validator();
    let mut whole = Vec::new();
    let summary = validator
        .validate_stream(text.as_bytes(), "f.ndjson", 1, &mut |event| {
            whole.push(event)
        })
        .unwrap();
    assert!(summary.records >= 10 && summary.invalid >= 6, "{summary:?}");
    let boundaries: Vec<usize> = text.match_indices('\n').map(|(at, _)| at + 1).collect();
    for (i, &first_cut) in boundaries.iter().enumerate() {
        for &second_cut in &boundaries[i..] {
            let pieces = [
                &text[..first_cut],
                &text[first_cut..second_cut],
                &text[second_cut..],
            ];
            let mut events: Vec<Event> = Vec::new();
            let mut total = Summary {
                files: 1,
                ..Summary::default()
            };
            let mut line = 1;
            for piece in pieces {
                let counts = validator.validate_lines(
                    piece.as_bytes(),
                    "f.ndjson",
                    total.records,
                    line,
                    &mut |event| events.push(event),
                );
                total.add(&counts);
                line += piece.matches('\n').count() as u64;
            }
            assert_eq!(events, whole, "cut at bytes {first_cut} and {second_cut}");
            assert_eq!(total, summary);
        }
    }
}
