//! Memory does not follow the number of findings: a million findings (350,000 `{}` lines on
//! standard input, three missing members each) are validated on two threads in every report
//! format with a peak resident memory under 64 MiB, read from the kernel (`wait4`).
//!
//! The input is written to the child's standard input by a thread and its report goes to a
//! file, so this test process stays small: Linux carries a parent's peak memory into its
//! child's `ru_maxrss` across `exec`, and a small parent keeps the measurement honest. Each
//! report is checked for being complete (its last part, which carries or closes the totals).

// Peak memory is read with `wait4`.
#![cfg(unix)]

mod common;

use std::fs::{self, File};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::process::{Command, Stdio};

use common::{wait_with_peak, TempDir};

/// The bound of SPEC section 7, for any input and any number of findings.
const PEAK_LIMIT: u64 = 64 * 1024 * 1024;
/// Empty records on the input: three `required` findings each.
const RECORDS: usize = 350_000;

/// Validates the records in `format` and returns the peak memory, the exit code, and the
/// report's first and last kilobytes.
#[allow(clippy::zombie_processes)] // Reason: the child is reaped by `wait4`, which clippy cannot see.
fn validate(format: &str) -> (u64, i32, String, String) {
    let dir = TempDir::new(&format!("findings-{format}"));
    let report_path = dir.0.join("report");
    let report = File::create(&report_path).expect("create the report file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_enquiry"))
        .args([
            "validate",
            "--no-config",
            "--jobs",
            "2",
            "--format",
            format,
            "-",
        ])
        .current_dir(&dir.0)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::from(report))
        .stderr(Stdio::null())
        .spawn()
        .expect("the enquiry binary starts");
    let pid = libc::pid_t::try_from(child.id()).expect("pid fits");
    let stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || {
        let mut stdin = BufWriter::new(stdin);
        for _ in 0..RECORDS {
            stdin.write_all(b"{}\n")?;
        }
        stdin.flush()
    });
    let (status, peak) = wait_with_peak(pid);
    writer
        .join()
        .expect("writer thread")
        .expect("the whole input is read");
    assert!(
        libc::WIFEXITED(status),
        "{format}: enquiry did not exit normally"
    );
    let mut file = File::open(&report_path).expect("open the report");
    let size = file.metadata().expect("report metadata").len();
    let mut head = vec![0; 1024.min(size as usize)];
    file.read_exact(&mut head).expect("read the head");
    let tail_len = 1024.min(size);
    file.seek(SeekFrom::End(-(tail_len as i64)))
        .expect("seek the tail");
    let mut tail = String::new();
    file.read_to_string(&mut tail).expect("read the tail");
    drop(file);
    fs::remove_file(&report_path).expect("remove the report");
    (
        peak,
        libc::WEXITSTATUS(status),
        String::from_utf8_lossy(&head).into_owned(),
        tail,
    )
}

fn check(format: &str, complete: impl Fn(&str, &str) -> bool) {
    let (peak, code, head, tail) = validate(format);
    assert_eq!(code, 1, "{format}: exit code; report ends {tail:?}");
    assert!(
        complete(&head, &tail),
        "{format}: the report is not complete: starts {head:?}, ends {tail:?}"
    );
    assert!(
        peak < PEAK_LIMIT,
        "{format}: peak RSS {} MiB over the 64 MiB bound for a million findings",
        peak >> 20
    );
}

const SUMMARY: &str = "350000 records: 0 valid, 350000 invalid; 1050000 errors";

#[test]
fn a_million_findings_in_json() {
    check("json", |_, tail| {
        tail.contains(r#""records":350000,"valid":0,"invalid":350000,"errors":1050000"#)
    });
}

#[test]
fn a_million_findings_in_sarif() {
    check("sarif", |head, tail| {
        // The last result, then the run's counts per contract, written after the results.
        head.contains(r#""version": "2.1.0""#)
            && tail.contains(r#""name": "record 349999""#)
            && tail.contains(r#""invalid": 350000,"#)
            && tail.contains(r#""records": 350000,"#)
            && tail.ends_with("\n  ]\n}\n")
    });
}

#[test]
fn a_million_findings_in_junit() {
    check("junit", |head, tail| {
        head.contains(r#"<testsuites name="enquiry" tests="350000" skipped="0" failures="350000" errors="0">"#)
            && tail.contains(r#"<testcase name="record 349999 (line 350000)""#)
            && tail.ends_with("</testsuites>\n")
    });
}

#[test]
fn a_million_findings_in_human() {
    check("human", |_, tail| tail.contains(SUMMARY));
}

#[test]
fn a_million_findings_in_github() {
    check("github", |_, tail| tail.contains(SUMMARY));
}

#[test]
fn a_million_findings_in_the_aggregated_views() {
    for format in ["summary", "markdown"] {
        check(format, |head, _| head.contains(SUMMARY));
    }
    check("html", |_, tail| tail.trim_end().ends_with("</html>"));
}

/// Without a writable temporary directory, JUnit keeps its spills in memory only up to a cap:
/// a small report is still complete, a large one fails with an error naming `TMPDIR`, and
/// memory stays under the bound either way.
#[test]
#[allow(clippy::zombie_processes)] // Reason: the child is reaped by `wait4`, which clippy cannot see.
fn junit_without_a_temporary_directory_is_bounded() {
    let dir = TempDir::new("junit-no-tmpdir");
    for (records, code) in [(2_000, 1), (RECORDS, 2)] {
        let input = dir.0.join(format!("empty-{records}.ndjson"));
        fs::write(&input, "{}\n".repeat(records)).expect("write the input");
        let report_path = dir.0.join("report.xml");
        let stderr_path = dir.0.join("stderr");
        let child = Command::new(env!("CARGO_BIN_EXE_enquiry"))
            .args(["validate", "--no-config", "--format", "junit"])
            .arg(&input)
            .env("TMPDIR", dir.0.join("no-such-directory"))
            .stdout(Stdio::from(
                File::create(&report_path).expect("report file"),
            ))
            .stderr(Stdio::from(
                File::create(&stderr_path).expect("stderr file"),
            ))
            .spawn()
            .expect("the enquiry binary starts");
        let pid = libc::pid_t::try_from(child.id()).expect("pid fits");
        let (status, peak) = wait_with_peak(pid);
        let stderr = fs::read_to_string(&stderr_path).expect("stderr");
        assert_eq!(libc::WEXITSTATUS(status), code, "{records}: {stderr}");
        assert!(peak < PEAK_LIMIT, "{records} records: peak {peak} bytes");
        let report = fs::read_to_string(&report_path).expect("report");
        if code == 1 {
            assert!(report.trim_end().ends_with("</testsuites>"), "complete");
            assert!(report.contains(&format!("tests=\"{records}\"")));
        } else {
            assert!(stderr.contains("TMPDIR"), "{stderr}");
        }
    }
}
