//! Red-team regressions: hostile keys, file names and documents must not forge CI commands,
//! drive the terminal, break report formats or pass unnoticed.

use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

mod common;

use common::{run_enquiry, TempDir};

/// A key that tries to start runner commands on lines of their own.
const FORGING_KEY: &str = r#"x\n::add-mask::x\n::error file=a::forged"#;
/// Keys with an OSC 8 hyperlink, a clear-screen sequence and a window title.
const ESCAPE_KEYS: [&str; 3] = [
    r#"\u001b]8;;http://evil.example\u0007click\u001b]8;;\u0007"#,
    r#"\u001b[2J"#,
    r#"\u001b]0;title\u0007\u009b31m"#,
];

fn hostile_record() -> String {
    let mut record = String::from(
        r#"{"_id": "a", "createdAt": "2022-11-07T08:00:00.000Z", "status": "ongoing""#,
    );
    for key in std::iter::once(FORGING_KEY).chain(ESCAPE_KEYS) {
        record.push_str(&format!(r#", "{key}": {{"{key}": "Closed"}}"#));
    }
    record.push_str("}\n");
    record
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// No line that a runner or terminal would act on.
fn assert_inert(what: &str, output: &str) {
    for line in output.lines() {
        assert!(
            !line.trim_start().starts_with("::add-mask")
                && !line.trim_start().starts_with("::error file=a"),
            "{what}: a forged command line: {line:?}\n{output}"
        );
    }
    for ch in output.chars() {
        assert!(
            ch == '\n' || !ch.is_control(),
            "{what}: raw control {ch:?} in\n{output}"
        );
    }
}

fn validate_stdin(dir: &TempDir, format: &str, input: &str) -> Output {
    run_enquiry(
        &dir.0,
        &["validate", "--format", format, "-"],
        Some(input.as_bytes()),
    )
}

#[test]
fn hostile_keys_are_escaped_in_human_output() {
    let dir = TempDir::new("keys-human");
    let output = validate_stdin(&dir, "human", &hostile_record());
    let stdout = text(&output.stdout);
    assert!(stdout.contains("pointer /x\\u{a}::add-mask::x"), "{stdout}");
    assert_inert("human", &stdout);
    assert_inert("stderr", &text(&output.stderr));
}

#[test]
fn hostile_keys_are_escaped_in_github_output() {
    let dir = TempDir::new("keys-github");
    let output = validate_stdin(&dir, "github", &hostile_record());
    let stdout = text(&output.stdout);
    assert!(stdout.contains("\\u{1b}[2J"), "{stdout}");
    assert!(stdout.starts_with("::"), "{stdout}");
    assert_inert("github", &stdout);
}

#[cfg(unix)]
#[test]
fn a_file_name_with_a_line_break_is_escaped_on_stderr() {
    let dir = TempDir::new("dangling");
    let payloads = dir.0.join("payloads");
    std::fs::create_dir(&payloads).unwrap();
    let name = "a\n::error file=a::forged\u{1b}[2J.json";
    std::os::unix::fs::symlink(dir.0.join("missing"), payloads.join(name)).unwrap();
    let output = run_enquiry(&dir.0, &["validate", "payloads"], None);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("a\\u{a}::error file=a::forged\\u{1b}[2J.json"),
        "{stderr}"
    );
    assert_inert("stderr", &stderr);
}

#[test]
fn no_records_is_a_warning_that_deny_warnings_fails() {
    let dir = TempDir::new("no-records");
    std::fs::create_dir(dir.0.join("empty")).unwrap();
    let output = run_enquiry(&dir.0, &["validate", "empty"], None);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("1 warning"),
        "{}",
        text(&output.stdout)
    );
    let denied = run_enquiry(&dir.0, &["validate", "--deny-warnings", "empty"], None);
    assert_eq!(denied.status.code(), Some(1), "{}", text(&denied.stderr));
    for input in [
        "[]",
        "{\"list\": []}\n",
        "{\"error\": \"x\", \"retryAfter\": []}\n",
    ] {
        let args = ["validate", "--deny-warnings", "-"];
        let output = run_enquiry(&dir.0, &args, Some(input.as_bytes()));
        assert_eq!(
            output.status.code(),
            Some(1),
            "{input}: {}",
            text(&output.stdout)
        );
    }
}

/// Runs `enquiry` on `stdin` (none when empty: a usage error exits before reading it).
/// clap quotes a bad argument in its usage error: quoted raw, a value holding a line break
/// would print a runner command on a line of its own, and escape sequences would reach the
/// terminal.
#[test]
fn arguments_quoted_in_usage_errors_are_escaped() {
    let dir = TempDir::new("clap");
    let value = "x\n::add-mask::x\n::error file=a::forged\u{1b}[2J\u{7}";
    let flag = format!("--{value}");
    let cases: [&[&str]; 5] = [
        &["validate", "--format", value, "f.json"],
        &["validate", "--profile", value],
        &["validate", &flag],
        &[value],
        &["schema", "--draft", value],
    ];
    for args in cases {
        let output = run_enquiry(&dir.0, args, None);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        // (clap quotes a flag up to its `=`.)
        assert!(
            stderr.contains("x\\u{a}::add-mask::x\\u{a}::error file"),
            "{args:?}: {stderr}"
        );
        assert_inert(&format!("{args:?}"), &stderr);
        assert!(
            stderr.contains("For more information, try '--help'."),
            "{stderr}"
        );
    }
    // Help and version are the program's own text, on standard output, exit 0, as before.
    for args in [&["--version"][..], &["validate", "--help"]] {
        let output = run_enquiry(&dir.0, args, None);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(
            !output.stdout.is_empty() && output.stderr.is_empty(),
            "{args:?}"
        );
    }
}

fn exit_code(dir: &TempDir, args: &[&str], stdin: &str) -> (Option<i32>, String) {
    let stdin = (!stdin.is_empty()).then_some(stdin.as_bytes());
    let output = run_enquiry(&dir.0, args, stdin);
    (output.status.code(), text(&output.stderr))
}

#[test]
fn broken_pointer_escapes_are_usage_errors() {
    let dir = TempDir::new("pointer");
    for pointer in ["/a~2b", "/a~", "/~x"] {
        let (code, stderr) = exit_code(&dir, &["validate", "--pointer", pointer, "-"], "");
        assert_eq!(code, Some(2), "{pointer}: {stderr}");
        assert!(
            stderr.contains("`~` must be followed by `0` or `1`"),
            "{stderr}"
        );
    }
    let (code, stderr) = exit_code(
        &dir,
        &["validate", "--pointer", "/a~1b~0", "-"],
        r#"{"a/b~": []}"#,
    );
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn label_files_say_what_is_wrong_and_error_bodies_are_refused() {
    let dir = TempDir::new("labels");
    for (name, labels, expected) in [
        ("mixed.json", r#"["a", 1]"#, "item 1 of the list is 1"),
        (
            "401.json",
            r#"{"code":401,"labelList":[]}"#,
            "API error response (code 401)",
        ),
    ] {
        let path = dir.write(name, labels);
        let args = ["validate", "--labels", path.to_str().unwrap(), "-"];
        let (code, stderr) = exit_code(&dir, &args, "");
        assert_eq!(code, Some(2), "{name}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert!(!stderr.contains("i64"), "{name}: {stderr}");
    }
}

#[test]
fn side_files_are_read_with_a_size_cap() {
    let dir = TempDir::new("caps");
    let mut big = String::from("[");
    big.push_str(&"\"label\",".repeat(17 * 1024 * 1024 / 8));
    big.push_str("\"x\"]");
    let path = dir.write("labels.json", &big);
    let path = path.to_str().unwrap();
    for flag in ["--labels", "--channels", "--config"] {
        let (code, stderr) = exit_code(&dir, &["validate", flag, path, "-"], "");
        assert_eq!(code, Some(2), "{flag}");
        assert!(stderr.contains("larger than 16 MiB"), "{flag}: {stderr}");
    }
}

#[test]
fn max_record_size_takes_units() {
    let dir = TempDir::new("units");
    let (code, stderr) = exit_code(&dir, &["validate", "--max-record-size", "16MiB", "-"], "{}");
    assert_eq!(code, Some(1), "{stderr}");
    let record = format!(r#"{{"_id": "{}"}}"#, "x".repeat(2000));
    let (code, _) = exit_code(
        &dir,
        &[
            "validate",
            "--max-record-size",
            "1KiB",
            "--format",
            "json",
            "-",
        ],
        &record,
    );
    assert_eq!(code, Some(1));
    let output = run_enquiry(
        &dir.0,
        &[
            "validate",
            "--max-record-size",
            "1KiB",
            "--format",
            "json",
            "-",
        ],
        Some(record.as_bytes()),
    );
    assert!(text(&output.stdout).contains("record-too-large"));
}

#[test]
fn no_panic_with_an_unwritable_stderr_or_absurd_jobs() {
    let dir = TempDir::new("panics");
    let (code, stderr) = exit_code(&dir, &["validate", "--jobs", "1000000", "-"], "{}\n{}\n");
    assert_eq!(code, Some(1), "{stderr}");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_enquiry"))
        .args(["validate", "missing.json"])
        .current_dir(&dir.0)
        .stdout(Stdio::null())
        .stderr(full)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}

/// `enquiry validate --jobs 1 --format FORMAT -` in `dir`, standard input and output piped.
fn spawn_validate(dir: &TempDir, format: &str, stderr: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_enquiry"))
        .args(["validate", "--jobs", "1", "--format", format, "-"])
        .current_dir(&dir.0)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap()
}

/// Writes blocks of 1000 lines of `{}` to `stdin` on a thread until `blocks` are written
/// (`None`: without end) or the reader goes away.
fn feed(mut stdin: ChildStdin, blocks: Option<usize>) -> JoinHandle<()> {
    use std::io::Write;
    std::thread::spawn(move || {
        let block = "{}\n".repeat(1000);
        let mut written = 0;
        while blocks.is_none_or(|blocks| written < blocks) {
            if stdin.write_all(block.as_bytes()).is_err() {
                return;
            }
            written += 1;
        }
    })
}

/// Runs `validate` on 20000 lines of `{}`, reading one byte of the report and closing it.
fn closed_early(dir: &TempDir, format: &str) -> (Option<i32>, String) {
    use std::io::Read;
    let mut child = spawn_validate(dir, format, Stdio::piped());
    let feeder = feed(child.stdin.take().unwrap(), Some(20));
    let mut stdout = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    stdout.read_exact(&mut byte).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    (output.status.code(), text(&output.stderr))
}

#[test]
fn a_closed_output_ends_every_format_the_same_way() {
    let dir = TempDir::new("closed");
    for format in ["human", "json", "junit", "github", "sarif"] {
        let (code, stderr) = closed_early(&dir, format);
        assert_eq!(code, Some(1), "{format}: {stderr}");
        assert_eq!(stderr, "", "{format}");
    }
}

#[test]
fn an_endless_input_stops_being_read_once_the_output_is_closed() {
    use std::io::{BufRead, BufReader};
    let dir = TempDir::new("endless");
    let mut child = spawn_validate(&dir, "human", Stdio::null());
    // Writes until the reader goes away: without the fix this never ends.
    let feeder = feed(child.stdin.take().unwrap(), None);
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("required"), "{first}");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
    feeder.join().unwrap();
}

/// Waits for `child` to exit, for at most `limit`: a bound that turns a hang into a failure,
/// not a measurement. A child still running is killed.
fn wait_bounded(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// `yes '{}' | enquiry validate --format FORMAT - | head -1`: every format that can say
/// something before the input ends writes a first line at once (JUnit its XML declaration,
/// HTML its doctype, though their counts come at the end), and the run ends once that line is
/// read and the reader goes away, quietly, like the streaming formats.
#[cfg(unix)]
#[test]
fn an_endless_input_ends_once_the_first_line_is_read_in_every_format_that_has_one() {
    use std::io::{BufRead, BufReader, Read};
    const LIMIT: Duration = Duration::from_secs(60);
    let dir = TempDir::new("first-line");
    let first_lines = [
        ("human", "-:1:1: error[required]"),
        ("json", "{"),
        ("github", "::error file=-,"),
        ("sarif", "{"),
        ("junit", "<?xml version=\"1.0\""),
        ("html", "<!DOCTYPE html>"),
    ];
    for (format, start) in first_lines {
        let mut child = spawn_validate(&dir, format, Stdio::piped());
        // Writes until the reader goes away.
        let feeder = feed(child.stdin.take().unwrap(), None);
        // One line read, then the pipe closed, as `head -1` does; on a thread, so that a
        // format that writes nothing fails the test instead of hanging it.
        let stdout = child.stdout.take().unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut first = String::new();
            let _ = BufReader::new(stdout).read_line(&mut first);
            let _ = sender.send(first);
        });
        let Ok(first) = receiver.recv_timeout(LIMIT) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{format}: no first line while the input goes on");
        };
        assert!(first.starts_with(start), "{format}: {first:?}");
        let status = wait_bounded(&mut child, LIMIT);
        let status = status.unwrap_or_else(|| panic!("{format}: still reading after 60 s"));
        feeder.join().unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        assert_eq!(stderr, "", "{format}: quietly");
        // What was checked before the reader left decides: records of `{}` fail.
        assert!(matches!(status.code(), Some(0 | 1)), "{format}: {status:?}");
    }
}

/// JUnit's counts and the views' verdict are written when the input ends: a reader that goes
/// away unread before that still ends the run, through the kernel's word that the pipe has no
/// reader.
#[cfg(unix)]
#[test]
fn an_endless_input_stops_being_read_when_a_late_format_loses_its_reader() {
    let dir = TempDir::new("endless-junit");
    // Summary and Markdown open with the run's verdict: nothing can be written before the
    // input ends, so only a reader that goes away unread can end an endless run.
    for format in ["junit", "sarif", "summary", "markdown", "html"] {
        let mut child = spawn_validate(&dir, format, Stdio::piped());
        drop(child.stdout.take());
        // Writes until the reader goes away: without the fix this never ends.
        let feeder = feed(child.stdin.take().unwrap(), None);
        let output = child.wait_with_output().unwrap();
        feeder.join().unwrap();
        assert_eq!(output.stderr, b"", "{format}: quietly");
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{format}: {:?}",
            output.status
        );
    }
}

#[cfg(unix)]
#[test]
fn an_unreadable_input_fails_junit_and_is_a_sarif_notification() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("unreadable");
    let path = dir.write("locked.json", "{}");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    // As root permissions do not stop reads; this file opens and then fails to read.
    let unreadable = if std::fs::read(&path).is_ok() {
        "/proc/self/mem"
    } else {
        "locked.json"
    };
    // Also inputs that do not open at all: a missing path, a dangling link given by name and
    // one found in a directory.
    std::os::unix::fs::symlink("/nonexistent/target", dir.0.join("dangling.json")).unwrap();
    std::fs::create_dir(dir.0.join("sub")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/target", dir.0.join("sub/gone.ndjson")).unwrap();
    for name in [unreadable, "missing.json", "dangling.json", "sub"] {
        let junit = run_enquiry(&dir.0, &["validate", "--format", "junit", name], None);
        assert_eq!(junit.status.code(), Some(2), "{name}");
        let xml = text(&junit.stdout);
        assert!(xml.contains(r#"type="unreadable""#), "{name}: {xml}");
        assert!(xml.contains("errors=\"1\""), "{name}: {xml}");
        let sarif = run_enquiry(&dir.0, &["validate", "--format", "sarif", name], None);
        assert_eq!(sarif.status.code(), Some(2), "{name}");
        let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
        let invocation = &log["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false, "{name}: {log}");
        let notification = &invocation["toolExecutionNotifications"][0];
        let uri = &notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        let expected = if name == "sub" {
            "sub/gone.ndjson"
        } else {
            name
        };
        assert_eq!(uri, expected, "{log}");
    }
    // Written in one pass with other reports, each report still lists it.
    let both = run_enquiry(
        &dir.0,
        &[
            "validate",
            "--format",
            "junit",
            "--format",
            "sarif=out.sarif",
            "missing.json",
        ],
        None,
    );
    assert_eq!(both.status.code(), Some(2));
    assert!(
        text(&both.stdout).contains(r#"type="unreadable""#),
        "{}",
        text(&both.stdout)
    );
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.0.join("out.sarif")).unwrap()).unwrap();
    let notification = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert!(notification.is_object(), "{log}");
}
