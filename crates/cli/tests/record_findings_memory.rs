//! Memory does not follow the number of findings of one record: a single 3.5 MB record with
//! 300,000 `ip` members (each a number, all but the first a duplicate: 600,002 findings) is
//! validated in every report format, on one and on two threads, with a peak resident memory
//! under 64 MiB, read from the kernel (`wait4`). The findings past the cap are not dropped
//! unannounced: one `too-many-findings` finding, an error since errors are among them, counts
//! them exactly, and every format that lists findings shows its message.
//!
//! The record is written to a file and the report goes to a file, so this test process stays
//! small (Linux carries a parent's peak memory into its child's `ru_maxrss` across `exec`).

// Peak memory is read with `wait4`.
#![cfg(unix)]

mod common;

use std::fs::{self, File};
use std::process::{Command, Stdio};

use common::{wait_with_peak, TempDir};

/// The bound of SPEC section 7, for any input and any number of findings.
const PEAK_LIMIT: u64 = 64 * 1024 * 1024;
/// Members of the one record.
const MEMBERS: usize = 300_000;
/// Findings listed per record by default.
const LISTED: usize = 1000;

/// The record: `ip` is a string, so every member is a `type` error, and every member after the
/// first a `duplicate-key` error; `_id`, `createdAt` and `status` are `required` errors.
fn record() -> String {
    let mut text = String::with_capacity(MEMBERS * 12);
    text.push('{');
    for i in 0..MEMBERS {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!("\"ip\":{i}"));
    }
    text.push_str("}\n");
    text
}

/// Validates the record in `format` on `jobs` threads; returns the peak memory, the exit code
/// and the report.
#[allow(clippy::zombie_processes)] // Reason: the child is reaped by `wait4`, which clippy cannot see.
fn validate(dir: &TempDir, format: &str, jobs: &str) -> (u64, i32, String) {
    let report_path = dir.0.join(format!("report-{format}-{jobs}"));
    let report = File::create(&report_path).expect("create the report file");
    let child = Command::new(env!("CARGO_BIN_EXE_enquiry"))
        .args([
            "validate",
            "--no-config",
            "--jobs",
            jobs,
            "--format",
            format,
            "huge.json",
        ])
        .current_dir(&dir.0)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::from(report))
        .stderr(Stdio::null())
        .spawn()
        .expect("the enquiry binary starts");
    let pid = libc::pid_t::try_from(child.id()).expect("pid fits");
    let (status, peak) = wait_with_peak(pid);
    assert!(
        libc::WIFEXITED(status),
        "{format}: enquiry did not exit normally"
    );
    let text = fs::read_to_string(&report_path).expect("read the report");
    fs::remove_file(&report_path).expect("remove the report");
    (peak, libc::WEXITSTATUS(status), text)
}

/// Runs every format in `formats` on one and two threads and checks the bound, the exit code,
/// and that the report passes `shows_the_rest`.
fn check(formats: &[&str], shows_the_rest: impl Fn(&str) -> bool) {
    let dir = TempDir::new("record-findings");
    dir.write("huge.json", &record());
    for format in formats {
        for jobs in ["1", "2"] {
            let (peak, code, report) = validate(&dir, format, jobs);
            let tail = &report[report.len().saturating_sub(500)..];
            assert_eq!(
                code, 1,
                "{format} --jobs {jobs}: exit code; report ends {tail:?}"
            );
            assert!(
                shows_the_rest(&report),
                "{format} --jobs {jobs}: the findings not listed are not stated; ends {tail:?}"
            );
            assert!(
                peak < PEAK_LIMIT,
                "{format} --jobs {jobs}: peak RSS {} MiB over the 64 MiB bound for one record",
                peak >> 20
            );
        }
    }
}

/// The message of the summary finding: every finding but the listed ones, all errors.
fn omitted_message() -> String {
    let findings = MEMBERS + (MEMBERS - 1) + 3;
    let omitted = findings - LISTED;
    format!("{omitted} more finding(s) in this record are not listed ({omitted} error(s), 0 warning(s))")
}

#[test]
fn one_record_with_600000_findings_in_every_listing_format() {
    let message = omitted_message();
    check(&["json", "sarif", "junit", "human", "github"], |report| {
        report.contains("too-many-findings") && report.contains(&message)
    });
}

#[test]
fn one_record_with_600000_findings_in_the_json_report_lists_the_cap() {
    let dir = TempDir::new("record-findings-json");
    dir.write("huge.json", &record());
    let (_, _, report) = validate(&dir, "json", "2");
    let json: serde_json::Value = serde_json::from_str(&report).expect("the report is JSON");
    let findings = json["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), LISTED + 1);
    let last = &findings[LISTED];
    assert_eq!(last["code"], "too-many-findings");
    assert_eq!(last["severity"], "error");
    // The first finding not listed: in position order, the listed ones all come before it.
    assert_eq!(last["pointer"], "/ip");
    let listed_before = findings[..LISTED]
        .iter()
        .all(|finding| finding["column"].as_u64() <= last["column"].as_u64());
    assert!(
        listed_before,
        "the listed findings are the first by position"
    );
}

#[test]
fn one_record_with_600000_findings_in_the_aggregated_views() {
    check(&["summary", "markdown", "html"], |report| {
        report.contains("too-many-findings")
    });
}
