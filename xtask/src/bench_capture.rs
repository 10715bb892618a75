//! The capture rows of `cargo xtask bench`: `enquiry fetch` throughput (records/s) against the
//! release `enquiry serve` on loopback, without and with validation, pages of 500; and
//! `enquiry reconcile` wall time, throughput and peak resident memory on a capture of 10
//! million events (300,000 with `--quick`) and their records, written by `enquiry fake
//! --dataset`, under its default memory budget (also alone: `cargo xtask bench-reconcile`).

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::bench_common::{
    data_dir, fake, file_len, human_bytes, mib, quick_only, release_cli, rerun_optimised,
    run_with_peak, table_head,
};

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
    result.and_then(|()| reconcile_row(enquiry, if quick { QUICK_EVENTS } else { EVENTS }))
}

/// How many events the reconcile row reconciles (with `--quick`: [`QUICK_EVENTS`]).
pub const EVENTS: u64 = 10_000_000;
/// The events of the reconcile row with `--quick`.
pub const QUICK_EVENTS: u64 = 300_000;

/// `cargo xtask bench-reconcile [--quick]`: only the reconcile row (re-run in release).
pub fn run(args: &[&str]) -> Result<(), String> {
    let quick = quick_only(args, "bench-reconcile")?;
    if let Some(outcome) = rerun_optimised("bench-reconcile", args) {
        return outcome;
    }
    reconcile_row(&release_cli()?, if quick { QUICK_EVENTS } else { EVENTS })
}

/// Writes `enquiry fake --dataset DIR --count COUNT`; the records and events it wrote.
fn dataset(enquiry: &Path, count: u64, dir: &Path) -> Result<(u64, u64), String> {
    let _ = fs::remove_dir_all(dir);
    let dir_text = dir.to_str().ok_or("a non-UTF-8 data directory")?;
    fake(enquiry, count, 5, &["--dataset", dir_text], Stdio::null())?;
    let path = dir.join("dataset.json");
    let text = fs::read_to_string(&path).map_err(|err| format!("{}: {err}", path.display()))?;
    let description: serde_json::Value =
        serde_json::from_str(&text).map_err(|err| format!("{}: {err}", path.display()))?;
    let count = |key: &str| {
        description[key]
            .as_u64()
            .ok_or(format!("no {key} in {text}"))
    };
    Ok((count("records")?, count("events")?))
}

/// The reconcile row: `enquiry reconcile` on a consistent capture from `enquiry fake --dataset`
/// of about `events` events (the record count sized from a probe), under the default memory
/// budget: wall time, events/s and peak resident memory (through `xtask peak-rss`).
fn reconcile_row(enquiry: &Path, events: u64) -> Result<(), String> {
    let root = data_dir()?;
    let (probe_records, probe_events) = dataset(enquiry, 1_000, &root.join("reconcile-probe"))?;
    let count = (events * probe_records).div_ceil(probe_events.max(1));
    let dir = root.join("reconcile");
    eprintln!("generating {count} records and their events with `enquiry fake --dataset` ...");
    let (records, events) = dataset(enquiry, count, &dir)?;
    let bytes = file_len(&dir.join("events.ndjson"))? + file_len(&dir.join("records.ndjson"))?;
    let peak_path = dir.join("peak.txt");
    let run = run_with_peak(&peak_path, enquiry, |command| {
        command
            .args(["reconcile", "events.ndjson", "records.ndjson"])
            .args(["--format", "json", "--temp-dir", "."])
            .current_dir(&dir)
            .stdout(Stdio::null());
    })?;
    for dir in [&dir, &root.join("reconcile-probe")] {
        let _ = fs::remove_dir_all(dir);
    }
    // The dataset is consistent by construction: any finding is a failure.
    if run.status.code() != Some(0) {
        return Err(format!("enquiry reconcile exited with {}", run.status));
    }
    let seconds = run.elapsed.as_secs_f64();
    table_head(
        &[
            "reconcile measurement",
            "events",
            "records",
            "input",
            "wall time",
            "events/s",
            "peak resident memory",
        ],
        &[],
    );
    println!(
        "| `enquiry reconcile events.ndjson records.ndjson` (default --max-memory 48MiB) | {events} | {records} | {} | {seconds:.1} s | {:.0} | {:.1} MiB |",
        human_bytes(bytes),
        events as f64 / seconds,
        mib(run.peak_kib)
    );
    Ok(())
}
