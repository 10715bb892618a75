//! `cargo xtask test [STEP ...]`: every test of the project, from a fresh clone, with one command.
//!
//! The steps are a table, [`STEPS`]: formatting, lints, the Rust test suite, the generated-files
//! check, a bounded fuzz run, and the suites that need more than cargo (the Python wheel and
//! Spark, the mock server's conformance run). A step that needs a tool installs it itself (a
//! virtual environment under the target directory, Debian packages when run as root), so a
//! machine with only the Rust toolchain and Python runs everything. A step whose files are not
//! in the tree (say `python/`) is reported as absent, not skipped silently.
//!
//! Every step runs even when an earlier one failed, so one run shows every failure; each prints
//! its time, and the closing table lists them all. The exit status is non-zero when any failed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// One step of the test run.
struct Step {
    /// The name given on the command line to run only this step.
    name: &'static str,
    /// A file that must exist for the step to apply (relative to the workspace root).
    needs: Option<&'static str>,
    /// The program and its arguments; `{target}` is the cargo target directory.
    command: &'static [&'static str],
}

/// Every step, in order: system packages first (the browser test needs Chromium), then the
/// fast, most telling checks.
const STEPS: &[Step] = &[
    Step {
        name: "deps",
        needs: Some(".ci/deps.sh"),
        command: &["bash", ".ci/deps.sh"],
    },
    Step {
        name: "fmt",
        needs: None,
        command: &["cargo", "fmt", "--all", "--check"],
    },
    Step {
        name: "clippy",
        needs: None,
        command: &[
            "cargo",
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    },
    Step {
        name: "rust",
        needs: None,
        // Every failing test in one run, not only the first failing crate's.
        command: &["cargo", "test", "--workspace", "--locked", "--no-fail-fast"],
    },
    Step {
        name: "codegen",
        needs: None,
        command: &["cargo", "xtask", "codegen", "--check"],
    },
    Step {
        name: "fuzz",
        needs: Some("fuzz/run.sh"),
        command: &["bash", "fuzz/run.sh", "20"],
    },
    Step {
        name: "python",
        needs: Some("python/ci.sh"),
        command: &["bash", "python/ci.sh"],
    },
    Step {
        name: "conformance",
        needs: Some("crates/mock/tests/schemathesis.sh"),
        command: &["bash", ".ci/conformance.sh", "{target}"],
    },
];

/// Runs the steps named in `args` (every step when none is named).
pub fn run(args: &[&str]) -> Result<(), String> {
    let root = workspace_root();
    let target = target_dir(&root);
    for name in args {
        if !STEPS.iter().any(|step| step.name == *name) {
            let known: Vec<&str> = STEPS.iter().map(|step| step.name).collect();
            return Err(format!(
                "no test step `{name}`; the steps are: {}",
                known.join(", ")
            ));
        }
    }
    let chosen = STEPS
        .iter()
        .filter(|step| args.is_empty() || args.contains(&step.name));
    let mut results = Vec::new();
    for step in chosen {
        results.push((step.name, run_step(step, &root, &target)));
    }
    print_table(&results);
    let failed: Vec<&str> = results
        .iter()
        .filter(|(_, outcome)| matches!(outcome, Outcome::Failed(..)))
        .map(|(name, _)| *name)
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failed steps: {}", failed.join(", ")))
    }
}

/// What became of one step.
enum Outcome {
    Passed(f64),
    Failed(f64, String),
    Absent(&'static str),
}

fn run_step(step: &Step, root: &Path, target: &Path) -> Outcome {
    if let Some(needed) = step.needs {
        if !root.join(needed).exists() {
            println!("== {}: absent ({needed} is not in this tree)", step.name);
            return Outcome::Absent(needed);
        }
    }
    let target_text = target.display().to_string();
    let words: Vec<String> = step
        .command
        .iter()
        .map(|word| word.replace("{target}", &target_text))
        .collect();
    println!("== {}: {}", step.name, words.join(" "));
    let started = Instant::now();
    let status = Command::new(&words[0])
        .args(&words[1..])
        .current_dir(root)
        .status();
    let seconds = started.elapsed().as_secs_f64();
    let outcome = match status {
        Ok(status) if status.success() => Outcome::Passed(seconds),
        Ok(status) => Outcome::Failed(seconds, format!("exited with {status}")),
        Err(err) => Outcome::Failed(seconds, format!("could not start `{}`: {err}", words[0])),
    };
    match &outcome {
        Outcome::Passed(_) => println!("== {}: passed in {seconds:.0} s", step.name),
        Outcome::Failed(_, why) => println!("== {}: FAILED in {seconds:.0} s ({why})", step.name),
        Outcome::Absent(_) => {}
    }
    outcome
}

fn print_table(results: &[(&str, Outcome)]) {
    println!("\n| step | result | seconds |\n|---|---|---:|");
    for (name, outcome) in results {
        let (verdict, seconds) = match outcome {
            Outcome::Passed(seconds) => ("passed".to_owned(), format!("{seconds:.0}")),
            Outcome::Failed(seconds, why) => (format!("FAILED: {why}"), format!("{seconds:.0}")),
            Outcome::Absent(needed) => (format!("absent ({needed})"), "-".to_owned()),
        };
        println!("| {name} | {verdict} | {seconds} |");
    }
}

/// The workspace root: xtask's manifest directory's parent.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Cargo's target directory, as the steps' cargo commands will use it.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}
