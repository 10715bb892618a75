//! The report row of `cargo xtask bench` (also alone: `cargo xtask bench-report [--quick]`):
//! the HTML report of 1 GiB of NDJSON with 10% invalid records, with every core, and the CLI's
//! peak resident memory while producing it (goal: at most 128 MiB).
//!
//! The HTML view aggregates with bounded memory and collects the data profile (per contract,
//! per day, per field) on the workers, so its peak should not grow with the input; this row is
//! where that is measured (never in a timed test). `--quick` uses 64 MiB.

use std::fs::{self, File};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::bench::{cargo, target_dir};
use crate::codegen::workspace_root;

/// The goal for the peak resident memory, in MiB.
const GOAL_MIB: f64 = 128.0;
/// The share of invalid records in the input.
const INVALID_RATE: &str = "10%";

/// `cargo xtask bench-report [--quick]`: builds the release CLI and prints the report rows.
pub fn run(args: &[&str]) -> Result<(), String> {
    let quick = match args {
        [] => false,
        ["--quick"] => true,
        _ => return Err("usage: cargo xtask bench-report [--quick]".to_owned()),
    };
    if cfg!(debug_assertions) {
        // Measure with an optimised xtask, like `bench`.
        let status = Command::new(cargo())
            .args(["run", "--release", "--locked", "--package", "xtask", "--"])
            .arg("bench-report")
            .args(args)
            .status()
            .map_err(|err| format!("cannot run cargo: {err}"))?;
        return if status.success() {
            Ok(())
        } else {
            Err("the release benchmark failed".into())
        };
    }
    let root = workspace_root();
    let status = Command::new(cargo())
        .args(["build", "--release", "--locked", "--package", "enquiry-cli"])
        .current_dir(&root)
        .status()
        .map_err(|err| format!("cannot run cargo: {err}"))?;
    if !status.success() {
        return Err("cargo build --release -p enquiry-cli failed".into());
    }
    let target = target_dir(&root);
    let enquiry = target
        .join("release")
        .join(format!("enquiry{}", std::env::consts::EXE_SUFFIX));
    let data_dir = target.join("xtask-bench");
    fs::create_dir_all(&data_dir)
        .map_err(|err| format!("cannot create {}: {err}", data_dir.display()))?;
    rows(&enquiry, &data_dir, quick)
}

/// Prints the report rows; `enquiry` is the release binary, `data_dir` a scratch directory.
pub fn rows(enquiry: &Path, data_dir: &Path, quick: bool) -> Result<(), String> {
    let bytes: u64 = if quick { 64 << 20 } else { 1 << 30 };
    let input = data_dir.join("report-input.ndjson");
    // Records of the fake generator are about 1.3 KB; size the file from a probe.
    let probe = data_dir.join("report-probe.ndjson");
    fake(enquiry, 1_000, &probe)?;
    let per_record = file_len(&probe)?.div_ceil(1_000).max(1);
    let records = bytes.div_ceil(per_record);
    eprintln!("generating {records} records ({INVALID_RATE} invalid) with `enquiry fake` ...");
    fake(enquiry, records, &input)?;
    let size = file_len(&input)?;
    let jobs = std::thread::available_parallelism().map_or(1, usize::from);
    let html = data_dir.join("report.html");
    let peak_path = data_dir.join("report-peak.txt");
    eprintln!("writing the HTML report of {size} bytes with --jobs {jobs} ...");
    let started = Instant::now();
    // Through `xtask peak-rss`, so that the figure is the CLI's own peak (see `bench`).
    let status = Command::new(std::env::current_exe().map_err(|err| err.to_string())?)
        .arg("peak-rss")
        .arg(&peak_path)
        .arg("--")
        .arg(enquiry)
        .args(["validate", "--format", "html", "--jobs", &jobs.to_string()])
        .arg("--output")
        .arg(&html)
        .arg(&input)
        .stdin(Stdio::null())
        .status()
        .map_err(|err| format!("cannot run {}: {err}", enquiry.display()))?;
    let elapsed = started.elapsed();
    let peak_kib: u64 = fs::read_to_string(&peak_path)
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .ok_or_else(|| format!("no peak memory in {}", peak_path.display()))?;
    // Exit 1: the input has invalid records.
    if status.code() != Some(1) {
        return Err(format!(
            "`enquiry validate --format html` exited with {status} on {INVALID_RATE} invalid fakes"
        ));
    }
    let page = fs::read_to_string(&html).map_err(|err| format!("{}: {err}", html.display()))?;
    if !page.contains(&format!("id=\"count-records\" data-count=\"{records}\"")) {
        return Err(format!("the HTML report does not count {records} records"));
    }
    let peak_mib = peak_kib as f64 / 1024.0;
    let verdict = if peak_mib <= GOAL_MIB {
        "PASS"
    } else {
        "SHORT"
    };
    println!();
    println!("| report measurement | measured | goal | verdict |");
    println!("|---|---:|---:|---|");
    println!(
        "| `enquiry validate --format html --jobs {jobs}`, {:.2} GB, {INVALID_RATE} invalid{}: peak resident memory | {peak_mib:.1} MiB | <= {GOAL_MIB} MiB | {verdict} |",
        size as f64 / 1e9,
        if quick { " (--quick)" } else { "" },
    );
    println!(
        "| same run: throughput, HTML size | {:.0} MB/s, {} KiB | - | - |",
        size as f64 / 1e6 / elapsed.as_secs_f64(),
        page.len() / 1024
    );
    for path in [&input, &probe, &html] {
        let _ = fs::remove_file(path);
    }
    Ok(())
}

fn fake(enquiry: &Path, count: u64, out: &Path) -> Result<(), String> {
    let file =
        File::create(out).map_err(|err| format!("cannot create {}: {err}", out.display()))?;
    let status = Command::new(enquiry)
        .args(["fake", "--count", &count.to_string(), "--seed", "3"])
        .args(["--invalid-rate", INVALID_RATE])
        .stdin(Stdio::null())
        .stdout(file)
        .status()
        .map_err(|err| format!("cannot run {}: {err}", enquiry.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`enquiry fake` failed ({status})"))
    }
}

fn file_len(path: &Path) -> Result<u64, String> {
    fs::metadata(path)
        .map(|meta| meta.len())
        .map_err(|err| format!("cannot stat {}: {err}", path.display()))
}
