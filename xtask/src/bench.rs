//! `cargo xtask bench [--quick]`: the performance table (throughput ratios, memory), in one run.
//!
//! The data comes from the fake generator, through the release `enquiry fake` command (which
//! also gives the generator's own row). The first 200,000 records are measured in process, each
//! contender over the same in-memory lines, best of three runs (the `IgnoredAny` pass and the
//! validator, whose ratio is a target, best of five rounds that alternate the two):
//!
//! * `serde_json` into `IgnoredAny`: a bare syntax pass, the physical limit of a validator;
//! * `serde_json::Value` parsing;
//! * the `jsonschema` crate (parse into a `Value`, then validate against
//!   `schemas/enquiry.schema.json` with formats asserted);
//! * `enquiry-validator` on one thread.
//!
//! The whole file (1 GiB) is then validated end to end by the release CLI with `--jobs 1` and
//! with every core (two alternating rounds, the faster run of each), measuring wall time and,
//! with `wait4`, the child's peak resident memory; the JSON reports must be identical. Each target is printed as a ratio with PASS or SHORT.
//!
//! The same records are then validated as a JSON array, a list response, and NDJSON compressed
//! with gzip and zstd, each with `--jobs 1` and every core (`bench_shapes.rs`).
//!
//! Timing lives here, never in tests. `--quick` shrinks the data (20,000 records, 64 MiB) to
//! check that the benchmark runs; its figures are not the ones to publish. `--size MIB` sets
//! the size of the end-to-end files (default 1024 MiB, 64 with `--quick`).

use std::fs::{self, File};
use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use enquiry_validator::{Config, Validator};
use serde::de::IgnoredAny;
use serde_json::Value;

use crate::bench_common::{
    data_dir, fake, fake_file, file_len, human_bytes, mib, release_cli, rerun_optimised,
    run_with_peak, table_head, target, verdict,
};
use crate::codegen::workspace_root;

/// How much data to measure.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    /// Records measured in process.
    sample_records: usize,
    /// Bytes of NDJSON validated end to end by the CLI.
    big_bytes: u64,
}

const FULL: Sizes = Sizes {
    sample_records: 200_000,
    big_bytes: 1 << 30,
};
const QUICK: Sizes = Sizes {
    sample_records: 20_000,
    big_bytes: 64 << 20,
};

/// Runs the benchmark; `args` are the arguments after `bench`.
pub fn run(args: &[&str]) -> Result<(), String> {
    let usage = || "usage: cargo xtask bench [--quick] [--size MIB]".to_owned();
    let (quick, size) = match args {
        [] => (false, None),
        ["--quick"] => (true, None),
        ["--size", mib] | ["--quick", "--size", mib] | ["--size", mib, "--quick"] => {
            let mib: u64 = mib.parse().map_err(|_| usage())?;
            (args.contains(&"--quick"), Some(mib.max(1) << 20))
        }
        _ => return Err(usage()),
    };
    if let Some(outcome) = rerun_optimised("bench", args) {
        return outcome;
    }
    let mut sizes = if quick { QUICK } else { FULL };
    if let Some(bytes) = size {
        sizes.big_bytes = bytes;
    }
    Bench::prepare(sizes)?.run(quick)
}

pub(crate) struct Bench {
    root: PathBuf,
    enquiry: PathBuf,
    data_dir: PathBuf,
    sizes: Sizes,
}

/// One row of the throughput table.
struct Row {
    name: String,
    bytes: u64,
    records: u64,
    elapsed: Duration,
}

impl Row {
    fn mb_per_s(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64()
    }

    fn records_per_s(&self) -> f64 {
        self.records as f64 / self.elapsed.as_secs_f64()
    }
}

/// What one end-to-end CLI run gave.
pub(crate) struct CliRun {
    pub(crate) elapsed: Duration,
    pub(crate) peak_kib: u64,
    pub(crate) report: Vec<u8>,
}

impl Bench {
    fn prepare(sizes: Sizes) -> Result<Bench, String> {
        eprintln!("building the release CLI ...");
        let (root, enquiry, data_dir) = (workspace_root(), release_cli()?, data_dir()?);
        Ok(Bench {
            root,
            enquiry,
            data_dir,
            sizes,
        })
    }

    fn run(&self, quick: bool) -> Result<(), String> {
        // Size the big file from a small probe of the generator's output.
        let probe = self.data_dir.join("probe.ndjson");
        self.fake(1_000, 2, &probe)?;
        let probe_bytes = file_len(&probe)?;
        let big_records = self
            .sizes
            .big_bytes
            .div_ceil(probe_bytes.div_ceil(1_000))
            .max(1);

        let big = self.data_dir.join("big.ndjson");
        eprintln!("generating {big_records} records with `enquiry fake` ...");
        let started = Instant::now();
        self.fake(big_records, 1, &big)?;
        let fake_row = Row {
            name: "`enquiry fake` (NDJSON out, 1 thread)".into(),
            bytes: file_len(&big)?,
            records: big_records,
            elapsed: started.elapsed(),
        };

        let sample = read_lines(&big, self.sizes.sample_records)?;
        let sample_bytes: u64 = sample.iter().map(|line| line.len() as u64 + 1).sum();
        let sample_records = sample.len() as u64;
        let joined: Vec<u8> = sample
            .iter()
            .flat_map(|line| line.iter().copied().chain([b'\n']))
            .collect();

        eprintln!("measuring {sample_records} records in process ...");
        let row = |name: &str, elapsed| Row {
            name: name.into(),
            bytes: sample_bytes,
            records: sample_records,
            elapsed,
        };
        let value = row(
            "serde_json::Value parse",
            best_of(3, || {
                for line in &sample {
                    black_box(serde_json::from_slice::<Value>(line).is_ok());
                }
            }),
        );
        let schema_validator = self.schema_validator()?;
        let mut schema_valid = 0;
        let jsonschema = row(
            "`jsonschema` crate (parse + validate, formats on)",
            best_of(3, || {
                schema_valid = 0;
                for line in &sample {
                    if let Ok(instance) = serde_json::from_slice::<Value>(line) {
                        schema_valid += usize::from(schema_validator.is_valid(&instance));
                    }
                }
            }),
        );
        let validator = Validator::new(Config::default());
        let mut summary = None;
        // The pair the target compares, in alternating rounds: the machine's drift (frequency,
        // neighbours) then weighs on both sides of the ratio alike. The validator reads the
        // records in memory, as the `IgnoredAny` pass does.
        let [ignored_time, ours_time] = best_of_alternating(
            5,
            [
                &mut || {
                    for line in &sample {
                        black_box(serde_json::from_slice::<IgnoredAny>(line).is_ok());
                    }
                },
                &mut || {
                    summary = Some(validator.validate_bytes(&joined, "bench", 1, &mut |_| {}));
                },
            ],
        );
        let ignored = row("serde_json `IgnoredAny` (syntax only)", ignored_time);
        let ours = row(
            "enquiry-validator, 1 thread (`validate_bytes`: in memory)",
            ours_time,
        );
        // The same records through `Read`, copied into read buffers first: for comparison.
        let read = row(
            "enquiry-validator, 1 thread (`validate_stream`: through `Read`)",
            best_of(3, || {
                black_box(
                    validator
                        .validate_stream(&joined[..], "bench", 1, &mut |_| {})
                        .ok(),
                );
            }),
        );
        let summary = summary.expect("measured at least once");
        if summary.records != sample_records || summary.invalid != 0 {
            return Err(format!(
                "the validator saw {} records, {} invalid, in {sample_records} valid fakes",
                summary.records, summary.invalid
            ));
        }
        if schema_valid != sample.len() {
            return Err(format!(
                "the jsonschema crate rejected {} of {sample_records} valid fakes",
                sample.len() - schema_valid
            ));
        }

        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        eprintln!(
            "validating {} with the CLI, --jobs 1 and --jobs {cores} ...",
            human_bytes(fake_row.bytes)
        );
        let (one, all) = self.validate_cli_alternating(&big, cores)?;
        let identical = one.report == all.report;
        let cli_row = |jobs: usize, run: &CliRun| Row {
            name: format!("`enquiry validate --jobs {jobs}` (end to end)"),
            bytes: fake_row.bytes,
            records: big_records,
            elapsed: run.elapsed,
        };
        let cli_one = cli_row(1, &one);
        let cli_all = cli_row(cores, &all);
        let peak_mib = mib(one.peak_kib.max(all.peak_kib));

        println!("{}", machine(cores));
        println!(
            "data: {sample_records} records ({}) in process; {} NDJSON ({big_records} records) end to end{}",
            human_bytes(sample_bytes),
            human_bytes(fake_row.bytes),
            if quick { " (--quick: not for publication)" } else { "" }
        );
        table_head(&["measurement", "MB/s", "records/s"], &[]);
        for row in [
            &ignored,
            &value,
            &jsonschema,
            &ours,
            &read,
            &cli_one,
            &cli_all,
            &fake_row,
        ] {
            println!(
                "| {} | {:.0} | {:.0} |",
                row.name,
                row.mb_per_s(),
                row.records_per_s()
            );
        }
        table_head(&["target", "measured", "goal", "verdict"], &["verdict"]);
        let ratio = |a: &Row, b: &Row| a.mb_per_s() / b.mb_per_s();
        target(
            "validator, 1 thread / `IgnoredAny` pass",
            ratio(&ours, &ignored),
            0.8,
            "x",
        );
        target(
            "validator, 1 thread / `jsonschema` crate",
            ratio(&ours, &jsonschema),
            5.0,
            "x",
        );
        target(
            &format!("CLI `--jobs {cores}` / `--jobs 1`"),
            ratio(&cli_all, &cli_one),
            1.7,
            "x",
        );
        let memory_verdict = verdict(peak_mib <= 64.0);
        println!("| CLI peak resident memory | {peak_mib:.1} MiB | <= 64 MiB | {memory_verdict} |");
        target("`enquiry fake`", fake_row.mb_per_s(), 100.0, " MB/s");
        println!(
            "| findings identical for every `--jobs` | {} | identical | {} |",
            if identical { "yes" } else { "no" },
            verdict(identical)
        );
        let shapes_identical =
            crate::bench_shapes::rows(self, &big, big_records, cores, ours.mb_per_s())?;
        crate::bench_shapes::clean(&self.data_dir);
        let identical = identical && shapes_identical;
        crate::bench_mock::rows(&self.root, &self.enquiry, quick)?;
        crate::bench_capture::rows(&self.enquiry, quick)?;
        crate::bench_python::rows(&self.root, quick)?;
        crate::bench_report::rows(&self.enquiry, &self.data_dir, quick)?;
        if identical {
            Ok(())
        } else {
            Err("`--jobs 1` and `--jobs N` reported different findings".into())
        }
    }

    fn fake(&self, count: u64, seed: u64, out: &Path) -> Result<(), String> {
        fake_file(&self.enquiry, count, seed, &[], out)
    }

    /// `enquiry fake` with `args` and then `out` appended (`--output FILE`).
    pub(crate) fn fake_to(
        &self,
        count: u64,
        seed: u64,
        args: &[&str],
        out: &Path,
    ) -> Result<(), String> {
        let mut args: Vec<&str> = args.to_vec();
        let out = out.to_str().ok_or("a non-UTF-8 data directory")?;
        args.push(out);
        fake(&self.enquiry, count, seed, &args, Stdio::null())
    }

    fn schema_validator(&self) -> Result<jsonschema::Validator, String> {
        let path = self.root.join("schemas/enquiry.schema.json");
        let text = fs::read_to_string(&path)
            .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        let schema: Value =
            serde_json::from_str(&text).map_err(|err| format!("{}: {err}", path.display()))?;
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|err| format!("{}: {err}", path.display()))
    }

    /// `--jobs 1` and `--jobs cores` on `input`, in two alternating rounds: each the faster of
    /// its two runs (the higher peak memory), so that one disturbed run does not decide a ratio.
    pub(crate) fn validate_cli_alternating(
        &self,
        input: &Path,
        cores: usize,
    ) -> Result<(CliRun, CliRun), String> {
        let mut best: [Option<CliRun>; 2] = [None, None];
        for _ in 0..2 {
            for (jobs, best) in [1, cores].into_iter().zip(&mut best) {
                let run = self.validate_cli(input, jobs)?;
                *best = Some(match best.take() {
                    None => run,
                    Some(kept) if kept.report != run.report => {
                        return Err(format!(
                            "two runs of `--jobs {jobs}` reported different findings"
                        ));
                    }
                    Some(kept) => CliRun {
                        elapsed: kept.elapsed.min(run.elapsed),
                        peak_kib: kept.peak_kib.max(run.peak_kib),
                        report: kept.report,
                    },
                });
            }
        }
        let [Some(one), Some(all)] = best else {
            return Err("no run measured".into());
        };
        Ok((one, all))
    }

    fn validate_cli(&self, input: &Path, jobs: usize) -> Result<CliRun, String> {
        let stem = input
            .file_name()
            .map(|name| name.to_string_lossy().replace('.', "-"))
            .unwrap_or_default();
        let report_path = self
            .data_dir
            .join(format!("report-{stem}-jobs-{jobs}.json"));
        let report = File::create(&report_path)
            .map_err(|err| format!("cannot create {}: {err}", report_path.display()))?;
        let peak_path = self.data_dir.join(format!("peak-{stem}-jobs-{jobs}.txt"));
        let run = run_with_peak(&peak_path, &self.enquiry, |command| {
            command
                .args(["validate", "--format", "json", "--jobs", &jobs.to_string()])
                .arg(input)
                .stdout(report);
        })?;
        let code = run.status.code().unwrap_or(-1);
        if code != 0 {
            return Err(format!(
                "`enquiry validate --jobs {jobs}` exited with {code} on valid fakes"
            ));
        }
        let report = fs::read(&report_path)
            .map_err(|err| format!("cannot read {}: {err}", report_path.display()))?;
        Ok(CliRun {
            elapsed: run.elapsed,
            peak_kib: run.peak_kib,
            report,
        })
    }
}

/// `xtask peak-rss FILE -- COMMAND ARGS...`: runs COMMAND (standard streams inherited), writes
/// its peak resident set size in KiB to FILE and exits with its exit code. The bench runs the
/// CLI through this small process so that the measurement is the CLI's own (see `validate_cli`).
pub fn peak_rss_main(args: &[&str]) -> Result<i32, String> {
    let [file, "--", program, rest @ ..] = args else {
        return Err("usage: xtask peak-rss FILE -- COMMAND [ARGS...]".to_owned());
    };
    let child = Command::new(program)
        .args(rest)
        .spawn()
        .map_err(|err| format!("cannot run {program}: {err}"))?;
    let (code, peak_kib) = wait_with_peak_memory(child)?;
    fs::write(file, peak_kib.to_string()).map_err(|err| format!("{file}: {err}"))?;
    Ok(code)
}

/// Waits for `child` and returns its exit code and peak resident set size in KiB.
#[cfg(unix)]
fn wait_with_peak_memory(child: std::process::Child) -> Result<(i32, u64), String> {
    let pid = libc::pid_t::try_from(child.id()).map_err(|err| err.to_string())?;
    let mut status: libc::c_int = 0;
    loop {
        // SAFETY: `rusage` is plain old data, valid when zeroed.
        #[allow(unsafe_code)] // Reason: the only way to read one child's peak memory (`wait4`).
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `pid` is our own child, not yet waited for (std's `Child` is dropped without
        // waiting); `status` and `usage` are valid, exclusive pointers for the call.
        #[allow(unsafe_code)] // Reason: as above.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == pid {
            let code = if libc::WIFEXITED(status) {
                libc::WEXITSTATUS(status)
            } else {
                -1
            };
            // Linux reports `ru_maxrss` in KiB.
            return Ok((code, u64::try_from(usage.ru_maxrss).unwrap_or(0)));
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(format!("wait4 failed: {err}"));
        }
    }
}

#[cfg(not(unix))]
fn wait_with_peak_memory(mut child: std::process::Child) -> Result<(i32, u64), String> {
    let status = child.wait().map_err(|err| err.to_string())?;
    Ok((status.code().unwrap_or(-1), 0))
}

/// The shortest of `rounds` timings of each of `works`, run in turn round after round.
fn best_of_alternating<const N: usize>(
    rounds: usize,
    mut works: [&mut dyn FnMut(); N],
) -> [Duration; N] {
    let mut best = [Duration::MAX; N];
    for _ in 0..rounds {
        for (work, best) in works.iter_mut().zip(&mut best) {
            let started = Instant::now();
            work();
            *best = (*best).min(started.elapsed());
        }
    }
    best
}

/// The shortest of `runs` timings of `work`.
fn best_of(runs: usize, mut work: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn read_lines(path: &Path, limit: usize) -> Result<Vec<Vec<u8>>, String> {
    let file = File::open(path).map_err(|err| format!("cannot open {}: {err}", path.display()))?;
    let mut lines = Vec::with_capacity(limit);
    for line in BufReader::new(file).split(b'\n').take(limit) {
        let line = line.map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        if !line.is_empty() {
            lines.push(line);
        }
    }
    Ok(lines)
}

/// The machine the figures come from: CPU model, core count, OS, compiler.
fn machine(cores: usize) -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|name| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    format!(
        "machine: {cpu}, {cores} CPU(s), {} {}, {}",
        std::env::consts::OS,
        std::env::consts::ARCH,
        rustc.trim()
    )
}
