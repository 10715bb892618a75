//! The parallel item walk gives exactly the events of the one-thread walk: for every shape,
//! with defects everywhere, whatever the batch and read-block boundaries cut through (strings
//! with escaped quotes and brackets, numbers, multi-byte characters).

use std::io::{self, Read, Write};

use proptest::prelude::*;

use crate::{Config, Event, Validator};

/// The record size limit of these tests: small, so that list responses are streamed (not
/// parsed whole) and some items are over it.
const LIMIT: usize = 400;

/// A reader that hands out its bytes in the given block sizes, cycling: read boundaries fall
/// wherever the sizes put them.
struct Blocks<'a> {
    bytes: &'a [u8],
    sizes: &'a [usize],
    next: usize,
}

impl Read for Blocks<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let size = self.sizes[self.next % self.sizes.len()].max(1);
        self.next += 1;
        let n = size.min(out.len()).min(self.bytes.len());
        out[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

fn events(input: &[u8], sizes: &[usize], jobs: usize, pointer: Option<&str>) -> Vec<Event> {
    let config = Config {
        max_record_size: LIMIT,
        pointer: pointer.map(str::to_owned),
        ..Config::default()
    };
    let reader = Blocks {
        bytes: input,
        sizes,
        next: 0,
    };
    let mut seen = Vec::new();
    let result = Validator::new(config).validate_stream(reader, "in.json", jobs, &mut |event| {
        seen.push(event);
    });
    assert!(result.is_ok(), "{result:?}");
    seen
}

/// One array item: records valid and not, with hard strings and numbers, and items the fast
/// path hands to the one-thread walk (scalars, strings, too large, too deep, broken).
fn item() -> impl Strategy<Value = String> {
    let record = |extra: &'static str| {
        format!(
            r#"{{"_id":"6368a2f0","createdAt":"2022-11-07T00:00:00.000Z","status":"ongoing"{extra}}}"#
        )
    };
    prop_oneof![
        4 => Just(record("")),
        2 => Just(record(r#","visitorName":"a\"]}[{\\\"\\","note":"名前 ünï ✓ 𝄞""#)),
        2 => Just(record(r#","status":5,"unknownMember":[1,{"x":"]"}]"#)),
        1 => Just(record(r#","createdAt":"2022-13-40","n":-12345678901234567890.125e-7"#)),
        1 => Just(record(",\n  \"closeDuration\" : 1e400 ,\n\t\"tags\": [ ]\n")),
        1 => Just(r#"{"_id":"x","status":"ongoing",}"#.to_owned()),
        1 => Just(r#"{"_id":"x" "status":"ongoing"}"#.to_owned()),
        1 => Just(format!(r#"{{"_id":"{}"}}"#, "y".repeat(LIMIT))),
        1 => Just(format!("{}{}", "[".repeat(140), "]".repeat(140))),
        1 => Just("42".to_owned()),
        1 => Just(r#""a string \" ] item""#.to_owned()),
        1 => Just("null".to_owned()),
        1 => Just("[]".to_owned()),
    ]
}

/// Whitespace and a separator between items.
fn separator() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just(","), Just(",\n"), Just(" ,\r\n  "), Just("\n,\t"),]
}

/// How the items are framed.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Array,
    ListResponse,
    Pointer,
    Ndjson,
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Array),
        Just(Shape::ListResponse),
        Just(Shape::Pointer),
        Just(Shape::Ndjson),
    ]
}

/// How the input ends.
fn ending() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        6 => Just(""),
        1 => Just("<cut>"),
        1 => Just(" x"),
        1 => Just(" [1]"),
    ]
}

fn build(shape: Shape, items: &[(String, &str)], ending: &str) -> (Vec<u8>, Option<&'static str>) {
    let mut text = String::new();
    let (open, close, pointer) = match shape {
        Shape::Array => ("[", "]", None),
        Shape::ListResponse => ("{\"code\":0,\"data\":[", "],\"total\":3}", None),
        Shape::Pointer => ("{\"page\":{\"items\":[", "]}}", Some("/page/items")),
        Shape::Ndjson => ("", "", None),
    };
    text.push_str(open);
    for (index, (item, separator)) in items.iter().enumerate() {
        if index > 0 {
            text.push_str(if matches!(shape, Shape::Ndjson) {
                "\n"
            } else {
                separator
            });
        }
        text.push_str(item);
    }
    if ending == "<cut>" {
        let mut cut = text.len() * 2 / 3;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    } else {
        text.push_str(close);
        text.push_str(ending);
    }
    (text.into_bytes(), pointer)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(bytes, 1).expect("writing to memory")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_jobs_count_gives_the_one_thread_events(
        shape in shape(),
        items in proptest::collection::vec((item(), separator()), 1..40),
        ending in ending(),
        sizes in proptest::collection::vec(1usize..700, 1..6),
        compression in 0u8..3,
        corrupt in proptest::option::weighted(0.2, 0.3f64..0.99),
    ) {
        let (mut input, pointer) = build(shape, &items, ending);
        let whole = [usize::MAX];
        let plain = events(&input, &whole, 1, pointer);
        if compression > 0 {
            input = if compression == 1 { gzip(&input) } else { zstd(&input) };
            if let Some(kept) = corrupt {
                input.truncate((input.len() as f64 * kept) as usize);
            }
        }
        let one = events(&input, &whole, 1, pointer);
        if compression == 0 || corrupt.is_none() {
            // Decompressed in blocks of whole lines (NDJSON chunks as they were decoded), the
            // text gives the events it gives read plain.
            prop_assert_eq!(&plain, &one);
        }
        prop_assert!(one.len() >= items.len().min(2) / 2, "{} events", one.len());
        for jobs in [2, 4] {
            let many = events(&input, &sizes, jobs, pointer);
            prop_assert_eq!(&one, &many, "jobs {}", jobs);
        }
        let one_in_blocks = events(&input, &sizes, 1, pointer);
        prop_assert_eq!(&one, &one_in_blocks);
    }
}

/// Every cut of a record with escaped quotes, brackets in strings, long numbers and
/// multi-byte characters into two reads gives the same events.
#[test]
fn a_read_boundary_anywhere_in_an_item_changes_nothing() {
    let record = r#"{"_id":"a\"]}\\","createdAt":"2022-11-07T00:00:00.000Z","status":"ongoing","n":-1234567.5e-3,"visitorName":"名前𝄞","status":7}"#;
    let input = format!("[{record},\n {record} ,{record}]");
    let one = events(input.as_bytes(), &[usize::MAX], 1, None);
    assert_eq!(one.len(), 3);
    assert!(one
        .iter()
        .any(|event| matches!(event, Event::Record(outcome) if !outcome.is_valid())));
    for cut in 1..input.len() {
        let sizes = [cut, usize::MAX];
        assert_eq!(
            one,
            events(input.as_bytes(), &sizes, 2, None),
            "cut at {cut}"
        );
    }
}

/// zstd input is told by its magic bytes and gives the events of the plain text; a cut-off
/// stream ends with one `syntax` finding naming zstd.
#[test]
fn zstd_input_is_detected_and_a_cut_stream_is_a_finding() {
    let record = r#"{"_id":"a","createdAt":"2022-11-07T00:00:00.000Z","status":"BAD"}"#;
    let text = format!("[{record},{record}]");
    let plain = events(text.as_bytes(), &[usize::MAX], 1, None);
    for jobs in [1, 2] {
        assert_eq!(plain, events(&zstd(text.as_bytes()), &[7], jobs, None));
    }
    let mut cut = zstd(text.repeat(50).as_bytes());
    cut.truncate(cut.len() / 2);
    let broken = events(&cut, &[usize::MAX], 2, None);
    let last = broken.last().expect("a finding");
    assert!(
        matches!(last, Event::Input(finding) if finding.message.contains("zstd stream is corrupt")),
        "{last:?}"
    );
}
