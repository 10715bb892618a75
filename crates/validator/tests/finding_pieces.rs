//! A chunk with more findings than a worker holds at once is checked in pieces: the events
//! are the same, in the same order, for every number of threads.

use enquiry_validator::{Config, Event, Validator};

/// Events of `input` validated with `jobs` threads.
fn events(input: &[u8], jobs: usize) -> Vec<Event> {
    let mut events = Vec::new();
    Validator::new(Config::default())
        .validate_stream(input, "many.ndjson", jobs, &mut |event| events.push(event))
        .expect("in-memory input");
    events
}

#[test]
fn a_chunk_dense_with_findings_gives_the_same_events_on_every_thread_count() {
    // 20,000 empty records (three findings each) between valid ones: many pieces per chunk.
    let good = r#"{"_id":"a","createdAt":"2022-11-07T00:00:00Z","status":"ongoing"}"#;
    let mut input = String::new();
    for index in 0..20_000 {
        input.push_str(if index % 1000 == 999 { good } else { "{}" });
        input.push('\n');
    }
    let one = events(input.as_bytes(), 1);
    assert_eq!(one.len(), 20_000);
    for (index, event) in one.iter().enumerate() {
        let Event::Record(outcome) = event else {
            panic!("event {index} is not a record: {event:?}")
        };
        assert_eq!(outcome.record, index as u64);
        assert_eq!(outcome.line, index as u64 + 1);
        let expected = if index % 1000 == 999 { 0 } else { 3 };
        assert_eq!(outcome.findings.len(), expected, "record {index}");
        assert!(outcome
            .findings
            .iter()
            .all(|finding| finding.line == index as u64 + 1 && finding.record == index as u64));
    }
    for jobs in [2, 3, 8] {
        assert!(events(input.as_bytes(), jobs) == one, "jobs {jobs}");
    }
    // Held in memory, the lines are checked where they are, in the same pieces.
    for jobs in [1, 2] {
        let mut in_memory = Vec::new();
        Validator::new(Config::default()).validate_bytes(
            input.as_bytes(),
            "many.ndjson",
            jobs,
            &mut |event| in_memory.push(event),
        );
        assert!(in_memory == one, "in memory, jobs {jobs}");
    }
}
