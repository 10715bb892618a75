//! `enquiry reconcile` in bounded memory: a capture whose sort entries far exceed the memory
//! budget is reconciled correctly, spilling to temporary files, with a peak resident memory
//! read from the kernel (`wait4`).
//!
//! A test binary of its own: Linux carries a parent's peak memory into its child's
//! `ru_maxrss` across `exec`, so the process that starts the measured one must stay small
//! (the capture is streamed to disk, never held), and no other test may share it.

// Peak memory is read with `wait4`.
#![cfg(unix)]

mod common;

use std::path::Path;

use common::TempDir;
use serde_json::Value;

/// A synthetic capture of `enquiries` enquiries (three events each, minimal records), every
/// 1000th record without events; streamed to disk.
fn write_large_capture(dir: &Path, enquiries: u64) {
    use std::io::Write as _;
    let mut records =
        std::io::BufWriter::new(std::fs::File::create(dir.join("records.ndjson")).unwrap());
    let mut events =
        std::io::BufWriter::new(std::fs::File::create(dir.join("events.ndjson")).unwrap());
    // Interleaved as a webhook delivers: enquiries overlap in time.
    for at in 0..enquiries {
        let id = format!("6368a2f0c1d2e3f4{at:08x}");
        writeln!(
            records,
            r#"{{"_id":"{id}","createdAt":"2022-11-07T00:00:00.000Z","status":"closed"}}"#
        )
        .unwrap();
        if at % 1000 == 999 {
            continue;
        }
        for (status, minute) in [("Opened", 0), ("Handling", 1), ("Closed", 2)] {
            writeln!(
                events,
                r#"{{"status":"{status}","serviceId":"s","displayCaseNumber":"{at}","eid":"{id}","type":"inquiry","date":"2022-11-07T00:0{minute}:00.000Z"}}"#
            )
            .unwrap();
        }
    }
}

/// Runs `enquiry ARGS` in `dir` and returns its exit code, stdout and peak resident memory.
#[allow(clippy::zombie_processes)] // Reason: the child is reaped by `wait4`, which clippy cannot see.
fn run_measured(dir: &Path, args: &[&str]) -> (i32, String, u64) {
    use std::io::Read as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_enquiry"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        out.read_to_string(&mut text).unwrap();
        text
    });
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    #[allow(unsafe_code)] // Reason: std exposes no child's peak memory; wait4 is the kernel's.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own unreaped child; both pointers are to live locals.
    #[allow(unsafe_code)] // Reason: as above.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid);
    assert!(libc::WIFEXITED(status));
    let stdout = reader.join().unwrap();
    // ru_maxrss is in KiB on Linux.
    (
        libc::WEXITSTATUS(status),
        stdout,
        usage.ru_maxrss as u64 * 1024,
    )
}

/// 300,000 enquiries: about 90 MiB of sort entries (IDs, lines, dates), and about 40 MiB even
/// as one 32-byte state per enquiry in a hash map. With an 8 MiB budget the run must spill and
/// stay below either.
#[test]
fn reconcile_stays_within_its_memory_budget_on_a_large_capture() {
    const PEAK_LIMIT: u64 = 32 << 20;
    let dir = TempDir::new("reconcile-large");
    let enquiries = 300_000;
    write_large_capture(&dir.0, enquiries);
    let args = [
        "reconcile",
        "events.ndjson",
        "records.ndjson",
        "--format",
        "json",
        "--max-memory",
        "8MiB",
        "--temp-dir",
        ".",
    ];
    let (code, stdout, peak) = run_measured(&dir.0, &args);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["summary"]["records"], enquiries);
    assert_eq!(
        report["summary"]["events"],
        (enquiries - enquiries / 1000) * 3
    );
    assert!(report["summary"]["spill_files"].as_u64().unwrap() > 3);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len() as u64, enquiries / 1000);
    assert!(findings
        .iter()
        .all(|f| f["code"] == "record-without-events"));
    assert_eq!(findings[0]["line"], 1000);
    assert!(peak < PEAK_LIMIT, "peak resident memory {} MiB", peak >> 20);
}
