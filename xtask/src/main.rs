//! Project automation, run as `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! * `cargo xtask codegen` writes every generated, checked-in file (`schemas/`, `fixtures/`,
//!   the example report and its screenshot in `docs/report/`).
//! * `cargo xtask codegen --check` writes nothing and fails, naming each stale file and the
//!   command to run, when a generated file is out of date, missing, or no longer generated.
//! * `cargo xtask bench [--quick]` prints the performance table (see `bench.rs`).
//! * `cargo xtask test [STEP ...]` runs every test of the project, installing what the
//!   non-Rust suites need (see `test.rs`); `.ci/run` is this command.
//!
//! The xtask pattern (see rust-analyzer's `xtask`): automation is Rust code in the workspace,
//! built with the same toolchain, so it needs nothing installed by hand.

mod bench;
mod bench_capture;
mod bench_common;
mod bench_mock;
mod bench_python;
mod bench_report;
mod bench_shapes;
mod codegen;
mod contract_code;
mod fixtures;
mod generated_file;
mod report_screenshot;
mod test;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  codegen [--check]   write the generated files (schemas/); with --check, write nothing and
                      fail if any of them is stale
  bench [--quick] [--size MIB]  measure throughput and memory against the performance targets
                      (builds the release CLI; --quick uses small data to check the run)
  bench-mock [--quick]  only the mock server's rows (requests/s, p50/p99, memory, Prism)
  bench-report [--quick]  only the report row: the HTML report of 1 GiB with 10% invalid
                      records, peak resident memory (goal <= 128 MiB)
  bench-reconcile [--quick]  only the reconcile row: 10 million events and their records
                      from `enquiry fake --dataset`, wall time and peak resident memory
  test [STEP ...]     run every test (deps, fmt, clippy, rust, codegen, fuzz, python, conformance),
                      or only the named steps; installs what the non-Rust suites need
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen::run(codegen::Mode::Write),
        ["codegen", "--check"] => codegen::run(codegen::Mode::Check),
        ["bench", rest @ ..] => bench::run(rest),
        ["bench-mock", rest @ ..] => bench_mock::run(rest),
        ["bench-report", rest @ ..] => bench_report::run(rest),
        ["bench-reconcile", rest @ ..] => bench_capture::run(rest),
        ["test", rest @ ..] => test::run(rest),
        // Internal, used by `bench`: see `bench::peak_rss_main`.
        ["peak-rss", rest @ ..] => {
            return match bench::peak_rss_main(rest) {
                Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                }
            };
        }
        ["help" | "--help" | "-h"] => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
