//! The capture rows of `cargo xtask bench`: `enquiry fetch` throughput (records/s) against the
//! release `enquiry serve` on loopback, without and with validation, pages of 500; and
//! `enquiry reconcile` throughput and peak resident memory on a synthetic capture of 10
//! million enquiries (300,000 with `--quick`) under its default memory budget.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::bench_common::{mib, run_with_peak, table_head};

const TOKEN: &str = "bench-capture-token";

/// Prints the fetch rows; `enquiry` is the release binary.
pub fn rows(enquiry: &Path, quick: bool) -> Result<(), String> {
    let records: u64 = if quick { 20_000 } else { 200_000 };
    let mut server = Command::new(enquiry)
        .args(["serve", "--addr", "127.0.0.1:0", "--token", TOKEN])
        .args([
            "--records",
            &records.to_string(),
            "--rate-limit",
            "1000000/min",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|err| format!("cannot start enquiry serve: {err}"))?;
    let mut url = String::new();
    let stdout = server.stdout.take().ok_or("no stdout")?;
    BufReader::new(stdout)
        .read_line(&mut url)
        .map_err(|err| err.to_string())?;
    let out = std::env::temp_dir().join(format!("bench-capture-{}.ndjson", std::process::id()));
    table_head(&["capture measurement", "records/s", "records"], &[]);
    let mut result = Ok(());
    for (name, validate) in [
        ("`enquiry fetch --no-validate`", false),
        ("`enquiry fetch` (validating)", true),
    ] {
        let started = Instant::now();
        let mut fetch = Command::new(enquiry);
        fetch
            .args(["fetch", "--base-url", url.trim(), "--app", "mock-app"])
            .args([
                "--token-env",
                "BENCH_CAPTURE_TOKEN",
                "--from",
                "2025-12-02T00:00:00Z",
            ])
            .args([
                "--to",
                "2026-01-01T00:00:00Z",
                "--quiet",
                "--format",
                "json",
            ])
            .arg("--out")
            .arg(&out)
            .env("BENCH_CAPTURE_TOKEN", TOKEN)
            .stdout(Stdio::null());
        if !validate {
            fetch.arg("--no-validate");
        }
        let status = fetch.status().map_err(|err| err.to_string())?;
        let seconds = started.elapsed().as_secs_f64();
        if status.code().is_some_and(|code| code <= 1) {
            println!("| {name} | {:.0} | {records} |", records as f64 / seconds);
        } else {
            result = Err(format!("{name} failed: {status}"));
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    let _ = fs::remove_file(&out);
    result.and_then(|()| reconcile_row(enquiry, if quick { 300_000 } else { 10_000_000 }))
}

/// Writes `enquiries` minimal records and, for all but every 1000th, three lifecycle events,
/// interleaved as deliveries arrive.
fn write_capture(dir: &Path, enquiries: u64) -> std::io::Result<()> {
    let mut records = BufWriter::new(File::create(dir.join("records.ndjson"))?);
    let mut events = BufWriter::new(File::create(dir.join("events.ndjson"))?);
    for at in 0..enquiries {
        let id = format!("6368a2f0{at:016x}");
        writeln!(
            records,
            r#"{{"_id":"{id}","createdAt":"2022-11-07T00:00:00.000Z","status":"closed"}}"#
        )?;
        if at % 1000 == 999 {
            continue;
        }
        for (status, minute) in [("Opened", 0), ("Handling", 1), ("Closed", 2)] {
            writeln!(
                events,
                r#"{{"status":"{status}","eid":"{id}","type":"inquiry","date":"2022-11-07T00:0{minute}:00.000Z"}}"#
            )?;
        }
    }
    records.flush()?;
    events.flush()
}

/// The reconcile row: records/s and peak resident memory, through `xtask peak-rss`.
fn reconcile_row(enquiry: &Path, enquiries: u64) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("bench-reconcile-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|err| err.to_string())?;
    write_capture(&dir, enquiries).map_err(|err| format!("cannot write the capture: {err}"))?;
    let peak_path = dir.join("peak.txt");
    let run = run_with_peak(&peak_path, enquiry, |command| {
        command
            .args(["reconcile", "events.ndjson", "records.ndjson"])
            .args(["--format", "json", "--temp-dir", "."])
            .current_dir(&dir)
            .stdout(Stdio::null());
    })?;
    let _ = fs::remove_dir_all(&dir);
    // Every 1000th record has no events: exit 1 is the expected outcome.
    if run.status.code() != Some(1) {
        return Err(format!("enquiry reconcile exited with {}", run.status));
    }
    table_head(
        &[
            "reconcile measurement",
            "records/s",
            "records",
            "peak resident memory",
        ],
        &[],
    );
    println!(
        "| `enquiry reconcile` (default --max-memory 48MiB) | {:.0} | {enquiries} | {:.1} MiB |",
        enquiries as f64 / run.elapsed.as_secs_f64(),
        mib(run.peak_kib)
    );
    Ok(())
}
