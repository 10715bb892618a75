//! What a new user meets: hints for misspelt rule ids and channels, examples in every
//! subcommand's help, rule ids in shell completions, a notice when standard input is a
//! terminal, `-` for standard input in SARIF too, `allow` where the configuration says so.

mod common;

use common::{run_enquiry, TempDir};
use enquiry_validator::Code;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_misspelt_rule_in_explain_gets_a_hint() {
    let dir = TempDir::new("explain-hint");
    let output = run_enquiry(&dir.0, &["explain", "dat-time"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("did you mean `date-time`?"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn a_misspelt_rule_in_the_configuration_gets_a_hint() {
    let dir = TempDir::new("config-hint");
    dir.write("enquiry.toml", "[rules]\nunknown-feild = \"allow\"\n");
    let output = run_enquiry(&dir.0, &["validate", "-"], Some(b"{}"));
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("unknown rule `unknown-feild`; did you mean `unknown-field`?"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "one clear line: {stderr}");
}

#[test]
fn a_misspelt_channel_in_fake_gets_a_hint() {
    let dir = TempDir::new("channel-hint");
    let output = run_enquiry(
        &dir.0,
        &["fake", "--count", "1", "--channel", "whatsap"],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("did you mean `WHATSAPP`?"),
        "{}",
        text(&output.stderr)
    );
}

/// Every subcommand's `--help`, golden, and each with examples.
#[test]
fn every_subcommand_help_has_examples() {
    let dir = TempDir::new("help-examples");
    let subcommands = [
        "validate",
        "report",
        "explain",
        "rules",
        "schema",
        "fake",
        "serve",
        "fetch",
        "listen",
        "reconcile",
        "completions",
    ];
    for subcommand in subcommands {
        for flag in ["-h", "--help"] {
            let output = run_enquiry(&dir.0, &[subcommand, flag], None);
            assert_eq!(output.status.code(), Some(0), "{subcommand} {flag}");
            let help = text(&output.stdout);
            assert!(
                help.contains("\nExamples:\n  "),
                "{subcommand} {flag} has no examples:\n{help}"
            );
            if flag == "--help" {
                insta::assert_snapshot!(format!("help_{subcommand}"), help);
            }
        }
    }
}

/// The part of a completion script that completes `enquiry explain`'s argument.
fn explain_part<'s>(shell: &str, script: &'s str) -> Vec<&'s str> {
    let (start, end) = match shell {
        "bash" => ("enquiry__subcmd__explain)", ";;"),
        "zsh" => ("(explain)", ";;"),
        "elvish" => ("&'enquiry;explain'= {", "}"),
        "powershell" => ("'enquiry;explain' {", "break"),
        _ => {
            let condition = "-n \"__fish_enquiry_using_subcommand explain\"";
            return script
                .lines()
                .filter(|line| line.contains(condition))
                .collect();
        }
    };
    script
        .lines()
        .skip_while(|line| !line.trim_start().starts_with(start))
        .take_while(|line| line.trim() != end)
        .collect()
}

#[test]
fn shell_completions_offer_rule_ids() {
    let dir = TempDir::new("completions");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = run_enquiry(&dir.0, &["completions", shell], None);
        assert_eq!(output.status.code(), Some(0));
        let script = text(&output.stdout);
        let part = explain_part(shell, &script);
        assert!(!part.is_empty(), "{shell}: no explain part in\n{script}");
        // Each id a candidate of its own: a word, not part of a longer id.
        let words: Vec<&str> = part
            .iter()
            .flat_map(|line| line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')))
            .collect();
        for code in Code::ALL {
            assert!(
                words.contains(&code.as_str()),
                "{shell} completion of `explain` lacks `{code}`:\n{}",
                part.join("\n")
            );
        }
    }
}

#[test]
fn rules_say_allow_as_the_configuration_does() {
    let dir = TempDir::new("rules-allow");
    let output = run_enquiry(&dir.0, &["rules"], None);
    let table = text(&output.stdout);
    let line = table
        .lines()
        .find(|line| line.starts_with("canonical-timestamp "))
        .expect("a canonical-timestamp line");
    assert!(line.contains(" allow "), "{line}");
    assert!(!table.contains(" off "), "{table}");
}

#[test]
fn sarif_names_standard_input_dash_as_every_format_does() {
    let dir = TempDir::new("sarif-stdin");
    let output = run_enquiry(
        &dir.0,
        &["validate", "--format", "sarif", "-"],
        Some(b"{\"_id\":\"a\"}\n"),
    );
    assert_eq!(output.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "-");
}

/// On a terminal, `validate` with no path says it reads standard input; in a pipe it does not.
#[cfg(target_os = "linux")]
#[test]
fn reading_a_terminal_is_announced() {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::process::{Command, Stdio};

    let (mut leader, mut follower) = (-1, -1);
    // SAFETY: openpty writes two descriptors into the locals; the other arguments may be null.
    #[allow(unsafe_code)] // Reason: std opens no pseudo-terminal; openpty is the system's.
    let status = unsafe {
        libc::openpty(
            &mut leader,
            &mut follower,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(status, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened and are owned here only.
    #[allow(unsafe_code)] // Reason: as above.
    let (leader, follower) =
        unsafe { (OwnedFd::from_raw_fd(leader), OwnedFd::from_raw_fd(follower)) };
    let dir = TempDir::new("tty");
    let child = Command::new(env!("CARGO_BIN_EXE_enquiry"))
        .args(["validate", "--no-config"])
        .current_dir(&dir.0)
        .stdin(Stdio::from(follower))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the enquiry binary starts");
    // End of input on a terminal is Ctrl-D at the start of a line; each one ends one read,
    // so it is typed until the command is done (at most 100 times).
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let typist = {
        let done = std::sync::Arc::clone(&done);
        let mut terminal = std::fs::File::from(leader);
        std::thread::spawn(move || {
            for _ in 0..100 {
                if done.load(std::sync::atomic::Ordering::Relaxed)
                    || std::io::Write::write_all(&mut terminal, b"\x04").is_err()
                {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        })
    };
    let output = child.wait_with_output().expect("enquiry finishes");
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    typist.join().expect("typist thread");
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("reading records from standard input (the terminal)"),
        "{stderr}"
    );
    let piped = run_enquiry(&dir.0, &["validate", "--no-config"], Some(b"{}"));
    assert!(!text(&piped.stderr).contains("reading records"));
}
