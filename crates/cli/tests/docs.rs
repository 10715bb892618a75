//! The documentation is executable.
//!
//! * Every rule's example (`enquiry explain CODE`, `Code::example`) produces that rule's
//!   finding when validated as it stands. An example may end with `(with FLAGS)`: the flags
//!   the rule needs, passed to `enquiry validate`; `labels.json` is a label list holding only
//!   `vip`, `channels.json` a channel list holding only `WHATSAPP`.
//! * Every README block fenced as `console` is a session: a line starting with `$ ` is a
//!   command (a line ending with `\` continues it), the lines up to the next command are its
//!   expected output, standard output and standard error together. The commands of a block run
//!   with `sh` in one fresh directory, `enquiry` being the binary under test, and their output
//!   must match exactly; a command shown without output is run for its effect and its output
//!   is not compared. Blocks fenced otherwise (`sh`, `text`) are not run.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{run_enquiry, TempDir};
use enquiry_validator::Code;

/// An example's payload and the flags it needs.
fn split_example(example: &str) -> (&str, Vec<&str>) {
    match example.rsplit_once(" (with ") {
        Some((payload, flags)) if flags.ends_with(')') => (
            payload,
            flags.trim_end_matches(')').split_whitespace().collect(),
        ),
        _ => (example, Vec::new()),
    }
}

#[test]
fn every_explain_example_produces_its_rule() {
    let dir = TempDir::new("explain-examples");
    dir.write("labels.json", r#"["vip"]"#);
    dir.write("channels.json", r#"["WHATSAPP"]"#);
    let mut failures = Vec::new();
    for code in Code::ALL {
        let explained = run_enquiry(&dir.0, &["explain", code.as_str()], None);
        let explanation = String::from_utf8_lossy(&explained.stdout);
        assert!(
            explanation.contains(code.example()),
            "`enquiry explain {code}` does not show its example"
        );
        let (payload, flags) = split_example(code.example());
        let mut args = vec!["validate", "--no-config", "--format", "json"];
        args.extend(&flags);
        args.push("-");
        let output = run_enquiry(&dir.0, &args, Some(payload.as_bytes()));
        let report: serde_json::Value = match serde_json::from_slice(&output.stdout) {
            Ok(report) => report,
            Err(err) => {
                failures.push(format!(
                    "{code}: no JSON report ({err}): {}",
                    String::from_utf8_lossy(&output.stderr)
                ));
                continue;
            }
        };
        let codes: Vec<&str> = report["findings"]
            .as_array()
            .map(|findings| findings.iter().filter_map(|f| f["code"].as_str()).collect())
            .unwrap_or_default();
        if !codes.contains(&code.as_str()) {
            failures.push(format!("{code}: {payload} {flags:?} gives {codes:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "examples that do not produce their rule:\n{}",
        failures.join("\n")
    );
}

/// One `$ command` of a console block and the output expected from it.
#[derive(Debug)]
struct Step {
    command: String,
    expected: String,
}

/// The console blocks of a Markdown text, each as its steps, with the line it starts on.
fn console_blocks(markdown: &str) -> Vec<(usize, Vec<Step>)> {
    let mut blocks = Vec::new();
    let mut lines = markdown.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        if line.trim_end() != "```console" {
            continue;
        }
        let mut steps: Vec<Step> = Vec::new();
        let mut continued = false;
        for (_, line) in lines.by_ref() {
            if line.starts_with("```") {
                break;
            }
            if continued {
                let step = steps.last_mut().expect("a command continues");
                step.command.push('\n');
                step.command.push_str(line);
                continued = line.ends_with('\\');
            } else if let Some(command) = line.strip_prefix("$ ") {
                steps.push(Step {
                    command: command.to_owned(),
                    expected: String::new(),
                });
                continued = command.ends_with('\\');
            } else if let Some(step) = steps.last_mut() {
                step.expected.push_str(line);
                step.expected.push('\n');
            }
        }
        blocks.push((number + 1, steps));
    }
    blocks
}

/// Runs a command with `sh` in `dir`, `enquiry` on the PATH; standard output and error together.
fn shell(dir: &Path, command: &str) -> String {
    let binary = Path::new(env!("CARGO_BIN_EXE_enquiry"));
    let path = match std::env::var_os("PATH") {
        Some(path) => {
            let mut dirs = vec![binary
                .parent()
                .expect("the binary's directory")
                .to_path_buf()];
            dirs.extend(std::env::split_paths(&path));
            std::env::join_paths(dirs).expect("a PATH")
        }
        None => binary
            .parent()
            .expect("the binary's directory")
            .as_os_str()
            .to_owned(),
    };
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("{command} 2>&1"))
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .stdin(Stdio::null())
        .output()
        .expect("sh runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn readme_console_blocks_print_what_they_show() {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let markdown = std::fs::read_to_string(&readme).expect("the README");
    let blocks = console_blocks(&markdown);
    assert!(!blocks.is_empty(), "the README has no console block to run");
    for (line, steps) in blocks {
        let dir = TempDir::new(&format!("readme-{line}"));
        for step in steps {
            let output = shell(&dir.0, &step.command);
            if step.expected.is_empty() {
                continue;
            }
            assert_eq!(
                output, step.expected,
                "README.md block at line {line}: `{}` printed something else",
                step.command
            );
        }
    }
}

#[test]
fn console_blocks_are_read_as_documented() {
    let markdown = "text\n```console\n$ echo a \\\n  b\na b\n$ true\n```\n```sh\n$ false\n```\n";
    let blocks = console_blocks(markdown);
    assert_eq!(blocks.len(), 1);
    let steps = &blocks[0].1;
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].command, "echo a \\\n  b");
    assert_eq!(steps[0].expected, "a b\n");
    assert_eq!(steps[1].expected, "");
}
