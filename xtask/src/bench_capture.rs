//! The capture row of `cargo xtask bench`: `enquiry fetch` throughput (records/s) against the
//! release `enquiry serve` on loopback, without and with validation, pages of 500.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

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
    println!();
    println!("| capture measurement | records/s | records |");
    println!("|---|---:|---:|");
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
    let _ = std::fs::remove_file(&out);
    result
}
