//! The report row of `cargo xtask bench` (also alone: `cargo xtask bench-report [--quick]`):
//! the HTML report of 1 GiB of NDJSON with 10% invalid records, with every core, and the CLI's
//! peak resident memory while producing it (goal: at most 128 MiB).
//!
//! The HTML view aggregates with bounded memory and collects the data profile (per contract,
//! per day, per field) on the workers, so its peak should not grow with the input; this row is
//! where that is measured (never in a timed test). `--quick` uses 64 MiB.

use std::fs;
use std::path::Path;

use crate::bench_common::{
    data_dir, fake_file, file_len, mib, quick_only, release_cli, rerun_optimised, run_with_peak,
    table_head, verdict,
};

/// The goal for the peak resident memory, in MiB.
const GOAL_MIB: f64 = 128.0;
/// The share of invalid records in the input.
const INVALID_RATE: &str = "10%";

/// `cargo xtask bench-report [--quick]`: builds the release CLI and prints the report rows.
pub fn run(args: &[&str]) -> Result<(), String> {
    let quick = quick_only(args, "bench-report")?;
    if let Some(outcome) = rerun_optimised("bench-report", args) {
        return outcome;
    }
    rows(&release_cli()?, &data_dir()?, quick)
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
    // Through `xtask peak-rss`, so that the figure is the CLI's own peak (see `bench`).
    let run = run_with_peak(&peak_path, enquiry, |command| {
        command
            .args(["validate", "--format", "html", "--jobs", &jobs.to_string()])
            .arg("--output")
            .arg(&html)
            .arg(&input);
    })?;
    let (status, elapsed) = (run.status, run.elapsed);
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
    let peak_mib = mib(run.peak_kib);
    let verdict = verdict(peak_mib <= GOAL_MIB);
    table_head(
        &["report measurement", "measured", "goal", "verdict"],
        &["verdict"],
    );
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
    fake_file(enquiry, count, 3, &["--invalid-rate", INVALID_RATE], out)
}
