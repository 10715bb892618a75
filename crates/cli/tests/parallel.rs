//! Parallel validation end to end: for every input shape (JSON array, list response, NDJSON,
//! gzip and zstd forms), with defects spread through the file, `--jobs 1`, `2` and `4` write
//! byte-identical reports; `enquiry fake` writes zstd when its output ends in `.zst`.

mod common;

use std::io::Write;
use std::path::Path;

use common::TempDir;
use serde_json::Value;

const RECORDS: usize = 6000;

fn fake(dir: &Path, args: &[&str]) -> Vec<u8> {
    let output = common::run_enquiry(dir, args, None);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// A fake JSON array (one record a line) with a syntax error planted in every 997th record,
/// as the generator plants none in arrays.
fn array_with_syntax_errors(dir: &Path) -> Vec<u8> {
    let count = RECORDS.to_string();
    let args = [
        "fake",
        "--count",
        &count,
        "--seed",
        "3",
        "--invalid-rate",
        "0.3",
        "--format",
        "json",
    ];
    let mut array = fake(dir, &args);
    let mut line = 0;
    let mut at = 0;
    while at + 1 < array.len() {
        if array[at] == b'\n' {
            line += 1;
            if line % 997 == 5 {
                // The first `":` of the record becomes `" `: a missing colon.
                if let Some(colon) = array[at..].windows(2).position(|pair| pair == b"\":") {
                    array[at + colon + 1] = b' ';
                }
            }
        }
        at += 1;
    }
    array
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(bytes, 1).expect("writing to memory")
}

#[test]
fn every_jobs_count_writes_the_same_report_for_every_shape() {
    let dir = TempDir::new("parallel-shapes");
    let array = array_with_syntax_errors(&dir.0);
    let list = [
        b"{\"code\":0,\"data\":".as_slice(),
        &array,
        format!(",\"total\":{RECORDS}}}\n").as_bytes(),
    ]
    .concat();
    let ndjson = fake(
        &dir.0,
        &[
            "fake",
            "--count",
            &RECORDS.to_string(),
            "--seed",
            "3",
            "--invalid-rate",
            "0.3",
        ],
    );
    let files = [
        dir.write_bytes("array.json", &array),
        dir.write_bytes("list.json", &list),
        dir.write_bytes("records.ndjson", &ndjson),
        dir.write_bytes("array.json.gz", &gzip(&array)),
        dir.write_bytes("list.json.zst", &zstd(&list)),
        dir.write_bytes("records.ndjson.zst", &zstd(&ndjson)),
    ];
    for file in &files {
        let name = file
            .file_name()
            .and_then(|name| name.to_str())
            .expect("a name");
        // Under the list response's size, so that it is streamed rather than parsed whole.
        let base = [
            "validate",
            "--no-config",
            "--format",
            "json",
            "--max-record-size",
            "1MiB",
        ];
        let run = |jobs: &str| {
            let mut args = base.to_vec();
            args.extend(["--jobs", jobs, name]);
            common::run_enquiry(&dir.0, &args, None)
        };
        let one = run("1");
        assert_eq!(
            one.status.code(),
            Some(1),
            "{name}: {}",
            String::from_utf8_lossy(&one.stderr)
        );
        let report: Value = serde_json::from_slice(&one.stdout).expect("a JSON report");
        assert_eq!(report["summary"]["records"], RECORDS, "{name}");
        let invalid = report["summary"]["invalid"].as_u64().unwrap_or(0);
        assert!(invalid > RECORDS as u64 / 5, "{name}: {invalid} invalid");
        for jobs in ["2", "4"] {
            let many = run(jobs);
            assert_eq!(many.status.code(), Some(1), "{name} --jobs {jobs}");
            assert!(
                one.stdout == many.stdout,
                "{name}: --jobs {jobs} wrote another report"
            );
        }
    }
}

#[test]
fn fake_writes_zstd_when_the_output_ends_in_zst() {
    let dir = TempDir::new("fake-zst");
    let plain = fake(&dir.0, &["fake", "--count", "500", "--seed", "4"]);
    fake(
        &dir.0,
        &[
            "fake",
            "--count",
            "500",
            "--seed",
            "4",
            "--output",
            "out.ndjson.zst",
        ],
    );
    let compressed = std::fs::read(dir.0.join("out.ndjson.zst")).expect("the output file");
    assert!(
        compressed.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]),
        "zstd magic bytes"
    );
    assert!(compressed.len() < plain.len() / 2);
    let decoded = zstd::stream::decode_all(&compressed[..]).expect("a complete zstd stream");
    assert!(decoded == plain, "the same records as the plain output");
    let output = common::run_enquiry(
        &dir.0,
        &[
            "validate",
            "--no-config",
            "--format",
            "json",
            "out.ndjson.zst",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    assert_eq!(report["summary"]["records"], 500);
}
