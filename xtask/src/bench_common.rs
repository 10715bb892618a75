//! What every bench command shares: re-running itself optimised, building the release CLI,
//! running the CLI with its peak resident memory measured, generating data with `enquiry fake`,
//! and printing the Markdown tables.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::codegen::workspace_root;

pub(crate) fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

pub(crate) fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

/// In a build without optimisation (the `cargo xtask` alias), runs `xtask COMMAND ARGS` again
/// optimised and gives its outcome; in an optimised build, `None`: measure here.
pub(crate) fn rerun_optimised(command: &str, args: &[&str]) -> Option<Result<(), String>> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let status = Command::new(cargo())
        .args(["run", "--release", "--locked", "--package", "xtask", "--"])
        .arg(command)
        .args(args)
        .status();
    Some(match status {
        Err(err) => Err(format!("cannot run cargo: {err}")),
        Ok(status) if status.success() => Ok(()),
        Ok(_) => Err("the release benchmark failed".into()),
    })
}

/// The arguments of a bench command that takes only `--quick`: whether it was given.
pub(crate) fn quick_only(args: &[&str], command: &str) -> Result<bool, String> {
    match args {
        [] => Ok(false),
        ["--quick"] => Ok(true),
        _ => Err(format!("usage: cargo xtask {command} [--quick]")),
    }
}

/// Builds the release CLI and gives the path of its binary.
pub(crate) fn release_cli() -> Result<PathBuf, String> {
    let root = workspace_root();
    let status = Command::new(cargo())
        .args(["build", "--release", "--locked", "--package", "enquiry-cli"])
        .current_dir(&root)
        .status()
        .map_err(|err| format!("cannot run cargo: {err}"))?;
    if !status.success() {
        return Err("cargo build --release -p enquiry-cli failed".into());
    }
    Ok(target_dir(&root)
        .join("release")
        .join(format!("enquiry{}", std::env::consts::EXE_SUFFIX)))
}

/// The scratch directory of the benchmarks' data, created.
pub(crate) fn data_dir() -> Result<PathBuf, String> {
    let dir = target_dir(&workspace_root()).join("xtask-bench");
    fs::create_dir_all(&dir).map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    Ok(dir)
}

/// What one measured run of a program gave.
pub(crate) struct Measured {
    pub(crate) status: ExitStatus,
    pub(crate) elapsed: Duration,
    pub(crate) peak_kib: u64,
}

/// Runs `program` (arguments and streams set by `configure`) through `xtask peak-rss`, which
/// writes its peak resident memory to `peak_path`: not directly, because Linux carries a
/// parent's peak memory into its child's `ru_maxrss` across `exec`, and a bench process may
/// hold much more than the program it measures.
pub(crate) fn run_with_peak(
    peak_path: &Path,
    program: &Path,
    configure: impl FnOnce(&mut Command),
) -> Result<Measured, String> {
    let mut command = Command::new(std::env::current_exe().map_err(|err| err.to_string())?);
    command
        .arg("peak-rss")
        .arg(peak_path)
        .arg("--")
        .arg(program)
        .stdin(Stdio::null());
    configure(&mut command);
    let started = Instant::now();
    let status = command
        .status()
        .map_err(|err| format!("cannot run {}: {err}", program.display()))?;
    let elapsed = started.elapsed();
    let peak_kib = fs::read_to_string(peak_path)
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .ok_or_else(|| format!("no peak memory in {}", peak_path.display()))?;
    Ok(Measured {
        status,
        elapsed,
        peak_kib,
    })
}

/// `enquiry fake --count COUNT --seed SEED ARGS`, its standard output to `stdout`.
pub(crate) fn fake(
    enquiry: &Path,
    count: u64,
    seed: u64,
    args: &[&str],
    stdout: Stdio,
) -> Result<(), String> {
    let status = Command::new(enquiry)
        .args(["fake", "--count", &count.to_string()])
        .args(["--seed", &seed.to_string()])
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .status()
        .map_err(|err| format!("cannot run {}: {err}", enquiry.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`enquiry fake` failed ({status})"))
    }
}

/// `enquiry fake` as [`fake`] does, into the file `out`.
pub(crate) fn fake_file(
    enquiry: &Path,
    count: u64,
    seed: u64,
    args: &[&str],
    out: &Path,
) -> Result<(), String> {
    let file =
        File::create(out).map_err(|err| format!("cannot create {}: {err}", out.display()))?;
    fake(enquiry, count, seed, args, Stdio::from(file))
}

pub(crate) fn file_len(path: &Path) -> Result<u64, String> {
    fs::metadata(path)
        .map(|meta| meta.len())
        .map_err(|err| format!("cannot stat {}: {err}", path.display()))
}

pub(crate) fn human_bytes(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.2} GiB", bytes as f64 / f64::from(1u32 << 30))
    } else {
        format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
    }
}

pub(crate) fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The verdict column.
pub(crate) fn verdict(pass: bool) -> &'static str {
    if pass {
        "PASS"
    } else {
        "SHORT"
    }
}

/// A target row: `measured` against a goal it must reach.
pub(crate) fn target(name: &str, measured: f64, goal: f64, unit: &str) {
    let verdict = verdict(measured >= goal);
    println!("| {name} | {measured:.2}{unit} | >= {goal}{unit} | {verdict} |");
}

/// Starts a Markdown table after a blank line: the first column left-aligned, the others
/// right-aligned except those named in `left`.
pub(crate) fn table_head(columns: &[&str], left: &[&str]) {
    let rule: String = columns
        .iter()
        .enumerate()
        .map(|(at, name)| {
            if at == 0 || left.contains(name) {
                "---|"
            } else {
                "---:|"
            }
        })
        .collect();
    println!();
    println!("| {} |", columns.join(" | "));
    println!("|{rule}");
}
