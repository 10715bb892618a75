//! Red-team regressions: hostile keys, file names and documents must not forge CI commands,
//! drive the terminal, break report formats or pass unnoticed.

use std::process::Output;

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
