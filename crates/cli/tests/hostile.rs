//! Hostile input: every case must end with exit 0 or 1 (2 only for what
//! cannot be read), a finding or a clear message, the rest of the input still checked, and a
//! peak resident memory under 160 MiB, read from the kernel (`wait4`), as `/usr/bin/time -v`
//! reports it. A watchdog kills a run that hangs, so a hang fails instead of stalling CI.
//!
//! The inputs are generated here, not checked in: some are hundreds of megabytes. They are
//! streamed to disk, never held in memory, because Linux carries a parent's peak memory into
//! its child's `ru_maxrss` across `exec`: keeping this test process small keeps the measurement
//! an honest upper bound of the CLI's own peak.

// Peak memory is read with `wait4` and unreadable entries are made with Unix permissions.
#![cfg(unix)]

mod common;

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{wait_with_peak, TempDir};
use serde::Deserialize;
use serde_json::Value;

/// The peak-memory bound for every hostile input.
const PEAK_LIMIT: u64 = 160 * 1024 * 1024;
/// Long enough for a debug build on a loaded 2-core machine; only a hang gets near it.
const WATCHDOG: Duration = Duration::from_secs(600);

const GOOD: &str = r#"{"_id":"6368a2f0c1d2e3f4a5b6c7d8","createdAt":"2022-11-07T00:00:00.000Z","status":"ongoing"}"#;

/// The parts of a JSON report these tests read (a `Value` of 200,000 findings would itself
/// take hundreds of MiB of this process's memory).
#[derive(Deserialize)]
struct Report {
    summary: Value,
    findings: Vec<FindingSummary>,
}

#[derive(Deserialize)]
struct FindingSummary {
    code: String,
    record: u64,
    message: String,
}

struct Run {
    code: i32,
    report: Report,
    stderr: String,
    peak: u64,
}

/// Runs `enquiry validate --format json ARGS` and measures it.
#[allow(clippy::zombie_processes)] // Reason: the child is reaped by `wait4`, which clippy cannot see.
fn validate(dir: &Path, args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_enquiry"))
        .arg("validate")
        .args(["--format", "json", "--no-config"])
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the enquiry binary starts");
    let pid = libc::pid_t::try_from(child.id()).expect("pid fits");
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = out.read_to_string(&mut text);
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let step = Duration::from_millis(100);
            let mut waited = Duration::ZERO;
            while !done.load(Ordering::Relaxed) && waited < WATCHDOG {
                std::thread::sleep(step);
                waited += step;
            }
            if !done.load(Ordering::Relaxed) {
                // SAFETY: signalling our own child, which has not been reaped yet.
                #[allow(unsafe_code)] // Reason: std cannot kill by pid while we block in wait4.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        })
    };
    let (status, peak) = wait_with_peak(pid);
    done.store(true, Ordering::Relaxed);
    watchdog.join().expect("watchdog thread");
    let stdout = reader.join().expect("stdout reader");
    let stderr = err_reader.join().expect("stderr reader");
    assert!(
        libc::WIFEXITED(status),
        "enquiry did not exit normally (killed by the watchdog or a signal); stderr: {stderr}"
    );
    let code = libc::WEXITSTATUS(status);
    let report: Report = serde_json::from_str(&stdout).unwrap_or_else(|err| {
        panic!(
            "the JSON report does not parse ({err}); stderr: {stderr}; stdout starts {:?}",
            &stdout[..stdout.len().min(300)]
        )
    });
    Run {
        code,
        report,
        stderr,
        peak,
    }
}

/// What a hostile case must produce.
struct Expect<'a> {
    exit: i32,
    codes: &'a [&'a str],
    records: Option<u64>,
    valid: Option<u64>,
}

/// Writes the input (streamed by `write`), validates it, and checks exit code, codes present,
/// counts and peak memory.
fn check(
    name: &str,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    expect: Expect<'_>,
) -> Run {
    let dir = TempDir::new(name);
    let path = dir.0.join(format!("{name}.ndjson"));
    {
        let mut file = BufWriter::new(File::create(&path).expect("create the input"));
        write(&mut file).expect("write the input");
        file.flush().expect("flush the input");
    }
    let run = validate(&dir.0, &[path.to_str().expect("utf-8 temp path")]);
    assert_eq!(
        run.code, expect.exit,
        "{name}: exit code; stderr: {}",
        run.stderr
    );
    let codes: Vec<&str> = run
        .report
        .findings
        .iter()
        .map(|finding| finding.code.as_str())
        .collect();
    for code in expect.codes {
        assert!(
            codes.contains(code),
            "{name}: expected a `{code}` finding, got {codes:?}"
        );
    }
    let summary = &run.report.summary;
    if let Some(records) = expect.records {
        assert_eq!(summary["records"], records, "{name}: records in {summary}");
    }
    if let Some(valid) = expect.valid {
        assert_eq!(
            summary["valid"], valid,
            "{name}: valid records in {summary}"
        );
    }
    assert!(
        run.peak < PEAK_LIMIT,
        "{name}: peak RSS {} MiB over the 160 MiB bound",
        run.peak >> 20
    );
    run
}

/// Writes `text` `times` times.
fn repeat(out: &mut dyn Write, text: &str, times: usize) -> io::Result<()> {
    (0..times).try_for_each(|_| out.write_all(text.as_bytes()))
}

/// Writes `byte` `count` times, a chunk at a time.
fn fill(out: &mut dyn Write, byte: u8, count: usize) -> io::Result<()> {
    let chunk = [byte; 64 * 1024];
    let mut left = count;
    while left > 0 {
        let step = left.min(chunk.len());
        out.write_all(&chunk[..step])?;
        left -= step;
    }
    Ok(())
}

fn nested(
    out: &mut dyn Write,
    open: &str,
    inner: &str,
    close: &str,
    depth: usize,
) -> io::Result<()> {
    repeat(out, open, depth)?;
    out.write_all(inner.as_bytes())?;
    repeat(out, close, depth)
}

/// A newline and the good record.
fn good_line(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{GOOD}")
}

const PARTY_PREFIX: &str =
    r#"{"_id":"a","createdAt":"2022-11-07T00:00:00.000Z","status":"ongoing","transferredParty":"#;

#[test]
fn nesting_a_million_deep_at_top_level() {
    let expect = || Expect {
        exit: 1,
        codes: &["too-deep"],
        records: Some(2),
        valid: Some(1),
    };
    check(
        "deep-arrays",
        |out| {
            nested(out, "[", "", "]", 1_000_000)?;
            good_line(out)
        },
        expect(),
    );
    check(
        "deep-objects",
        |out| {
            nested(out, r#"{"a":"#, "1", "}", 1_000_000)?;
            good_line(out)
        },
        expect(),
    );
}

#[test]
fn nesting_a_million_deep_inside_a_field() {
    let expect = || Expect {
        exit: 1,
        codes: &["too-deep"],
        records: Some(2),
        valid: Some(1),
    };
    check(
        "deep-in-field",
        |out| {
            out.write_all(PARTY_PREFIX.as_bytes())?;
            nested(out, "[", "", "]", 1_000_000)?;
            out.write_all(b"}")?;
            good_line(out)
        },
        expect(),
    );
    check(
        "deep-objects-in-field",
        |out| {
            out.write_all(PARTY_PREFIX.as_bytes())?;
            nested(out, r#"[{"a":"#, "1", "}]", 500_000)?;
            out.write_all(b"}")?;
            good_line(out)
        },
        expect(),
    );
}

#[test]
fn a_100_mb_string_is_a_record_too_large_and_the_next_line_is_checked() {
    check(
        "huge-string",
        |out| {
            out.write_all(br#"{"_id":""#)?;
            fill(out, b'a', 100 * 1000 * 1000)?;
            out.write_all(br#"","createdAt":"2022-11-07T00:00:00.000Z","status":"ongoing"}"#)?;
            good_line(out)
        },
        Expect {
            exit: 1,
            codes: &["record-too-large"],
            records: Some(2),
            valid: Some(1),
        },
    );
}

#[test]
fn a_240_mb_line_then_a_good_line() {
    check(
        "huge-line",
        |out| {
            out.write_all(PARTY_PREFIX.as_bytes())?;
            out.write_all(b"[")?;
            repeat(
                out,
                r#"{"to":"staff-1","at":"2022-11-07T00:00:00.000Z"},"#,
                240 * 1000 * 1000 / 48,
            )?;
            out.write_all(b"{}]}")?;
            good_line(out)
        },
        Expect {
            exit: 1,
            codes: &["record-too-large"],
            records: Some(2),
            valid: Some(1),
        },
    );
}

#[test]
fn text_defects_are_findings() {
    let expect = |codes: &'static [&'static str]| Expect {
        exit: 1,
        codes,
        records: Some(2),
        valid: Some(1),
    };
    check(
        "invalid-utf8",
        |out| {
            out.write_all(b"{\"_id\":\"caf\xE9\",\"createdAt\":\"2022-11-07T00:00:00.000Z\",\"status\":\"ongoing\"}")?;
            good_line(out)
        },
        expect(&["encoding"]),
    );
    check(
        "lone-surrogate",
        |out| {
            out.write_all(
                br#"{"_id":"\ud800","createdAt":"2022-11-07T00:00:00.000Z","status":"ongoing"}"#,
            )?;
            good_line(out)
        },
        expect(&["encoding"]),
    );
    check(
        "bom",
        |out| {
            out.write_all(b"\xEF\xBB\xBF")?;
            out.write_all(GOOD.as_bytes())
        },
        Expect {
            exit: 0,
            codes: &["bom"],
            records: Some(1),
            valid: Some(1),
        },
    );
    check(
        "nul-inside",
        |out| {
            out.write_all(b"{\"_id\":\"a\0b\",\"createdAt\":\"2022-11-07T00:00:00.000Z\",\"status\":\"ongoing\"}")?;
            good_line(out)
        },
        expect(&["syntax"]),
    );
    check(
        "nul-outside",
        |out| {
            out.write_all(b"\0\0\0")?;
            good_line(out)
        },
        expect(&["syntax"]),
    );
}

#[test]
fn extreme_numbers_are_findings_not_crashes() {
    const BASE: &str = r#"{"_id":"a","createdAt":"2022-11-07T00:00:00.000Z","status":"ongoing""#;
    check(
        "1e400",
        |out| write!(out, r#"{BASE},"duration":1e400}}"#),
        Expect {
            exit: 1,
            codes: &["integer"],
            records: Some(1),
            valid: Some(0),
        },
    );
    check(
        "negative-zero",
        |out| write!(out, r#"{BASE},"duration":-0}}"#),
        Expect {
            exit: 0,
            codes: &[],
            records: Some(1),
            valid: Some(1),
        },
    );
    check(
        "long-number",
        |out| {
            // A duration no integer type holds: an `integer` finding (out of range), and the
            // next line is still checked.
            write!(out, r#"{BASE},"duration":"#)?;
            fill(out, b'9', 100_000)?;
            out.write_all(b"}")?;
            good_line(out)
        },
        Expect {
            exit: 1,
            codes: &["integer"],
            records: Some(2),
            valid: Some(1),
        },
    );
    check(
        "long-number-unknown-member",
        |out| {
            write!(out, r#"{BASE},"vendorNumber":"#)?;
            fill(out, b'9', 100_000)?;
            out.write_all(b"}")
        },
        Expect {
            exit: 0,
            codes: &["unknown-field"],
            records: Some(1),
            valid: Some(1),
        },
    );
}

#[test]
fn empty_and_whitespace_only_inputs_are_a_warning() {
    let expect = || Expect {
        exit: 0,
        codes: &["empty-input"],
        records: Some(0),
        valid: Some(0),
    };
    check("empty", |_| Ok(()), expect());
    check(
        "whitespace",
        |out| out.write_all(b" \n\t\r\n  \n"),
        expect(),
    );
}

#[test]
fn an_object_with_200000_members() {
    let run = check(
        "wide-object",
        |out| {
            out.write_all(
                br#"{"_id":"a","createdAt":"2022-11-07T00:00:00.000Z","status":"ongoing""#,
            )?;
            (0..200_000).try_for_each(|member| write!(out, r#","extra{member}":{member}"#))?;
            out.write_all(b"}")?;
            good_line(out)
        },
        Expect {
            exit: 0,
            codes: &["unknown-field", "too-many-findings"],
            records: Some(2),
            valid: Some(2),
        },
    );
    // The first 1000 warnings are listed; one more counts the other 199,000 exactly.
    assert_eq!(
        run.report.summary["warnings"], 1001,
        "1000 unknown-field warnings listed and one too-many-findings"
    );
    let note = run
        .report
        .findings
        .iter()
        .find(|finding| finding.code == "too-many-findings")
        .expect("a too-many-findings finding");
    assert!(
        note.message.starts_with(
            "199000 more finding(s) in this record are not listed (0 error(s), 199000 warning(s))"
        ),
        "{}",
        note.message
    );
}

#[test]
fn an_array_mixing_records_with_other_values() {
    let run = check(
        "mixed-array",
        |out| write!(out, r#"[{GOOD}, 42, "text", null, [1], {GOOD}]"#),
        Expect {
            exit: 1,
            codes: &["not-an-object"],
            records: Some(6),
            valid: Some(2),
        },
    );
    let records: Vec<u64> = run
        .report
        .findings
        .iter()
        .filter(|finding| finding.code == "not-an-object")
        .map(|finding| finding.record)
        .collect();
    assert_eq!(records, [1, 2, 3, 4]);
}

#[test]
fn a_directory_with_unreadable_entries_still_validates_the_rest() {
    let dir = TempDir::new("unreadable");
    dir.write("good.ndjson", GOOD);
    dir.write("sub/also-good.json", GOOD);
    // Root can read any mode-000 file, so these are unreadable for everyone: a link to nowhere
    // and a link to itself (ELOOP), plus a directory link back up (a loop for a naive walk).
    std::os::unix::fs::symlink(dir.0.join("nowhere.json"), dir.0.join("dangling.json"))
        .expect("symlink");
    std::os::unix::fs::symlink(dir.0.join("self.ndjson"), dir.0.join("self.ndjson"))
        .expect("symlink");
    std::os::unix::fs::symlink(&dir.0, dir.0.join("sub/up")).expect("symlink");
    let run = validate(&dir.0, &[dir.0.to_str().expect("utf-8 temp path")]);
    assert_eq!(
        run.code, 2,
        "unreadable entries make exit 2; stderr: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("dangling.json"),
        "the unreadable file is named: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("self.ndjson"),
        "the link loop is named: {}",
        run.stderr
    );
    let summary = &run.report.summary;
    assert!(
        summary["records"].as_u64() >= Some(2),
        "the readable files are validated: {summary}"
    );
    assert_eq!(summary["errors"], 0, "{summary}");
    assert!(run.peak < PEAK_LIMIT);
}
