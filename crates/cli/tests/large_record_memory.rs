//! A large record is held once: a document of one object that fits in `--max-record-size` is
//! parsed where the reader buffered it, not from a copy. A 48 MiB record (one long string, so
//! that the parse's own nodes are few) peaks under one and a half times its size, read from
//! the kernel (`wait4`); held twice it would need more than twice its size.
//!
//! The record is written to a file a piece at a time and the report goes to a file, so this
//! test process stays small (Linux carries a parent's peak memory into its child's
//! `ru_maxrss` across `exec`).

// Peak memory is read with `wait4`.
#![cfg(unix)]

mod common;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::{Command, Stdio};

use common::{wait_with_peak, TempDir};

/// The record's size, about.
const RECORD: usize = 48 << 20;

/// Writes the record, pretty-printed (one document, not NDJSON): three members, then one
/// long string.
fn write_record(dir: &TempDir) {
    let file = File::create(dir.0.join("large.json")).expect("create the record");
    let mut out = BufWriter::new(file);
    out.write_all(b"{\n  \"_id\": \"a\",\n  \"createdAt\": \"2022-11-07T08:00:00Z\",\n  \"status\": \"closed\",\n  \"note\": \"")
        .unwrap();
    let piece = [b'x'; 1 << 16];
    for _ in 0..RECORD / piece.len() {
        out.write_all(&piece).unwrap();
    }
    out.write_all(b"\"\n}\n").unwrap();
    out.flush().unwrap();
}

#[test]
#[allow(clippy::zombie_processes)] // Reason: the child is reaped by `wait4`, which clippy cannot see.
fn a_large_record_is_held_once() {
    let dir = TempDir::new("large-record");
    write_record(&dir);
    let report = File::create(dir.0.join("report.json")).expect("create the report");
    let child = Command::new(env!("CARGO_BIN_EXE_enquiry"))
        .args([
            "validate",
            "--no-config",
            "--jobs",
            "1",
            "--max-record-size",
            "64MiB",
            "--format",
            "json",
            "large.json",
        ])
        .current_dir(&dir.0)
        .stdin(Stdio::null())
        .stdout(Stdio::from(report))
        .stderr(Stdio::null())
        .spawn()
        .expect("the enquiry binary starts");
    let pid = libc::pid_t::try_from(child.id()).expect("pid fits");
    let (status, peak) = wait_with_peak(pid);
    assert!(libc::WIFEXITED(status), "enquiry did not exit normally");
    let report = std::fs::read_to_string(dir.0.join("report.json")).expect("read the report");
    // The record was checked, not skipped as too large: valid (warnings only).
    assert_eq!(libc::WEXITSTATUS(status), 0, "{report}");
    assert!(report.contains("\"records\":1,\"valid\":1"), "{report}");
    assert!(
        peak < (RECORD + RECORD / 2) as u64,
        "peak RSS {} MiB for a {} MiB record: held more than once",
        peak >> 20,
        RECORD >> 20
    );
}
