//! `enquiry fetch`: capture a time range from the Open API, then check it as `validate` does.
//!
//! The capture itself is `enquiry_capture::fetch`; what lives here is reading the token (from
//! an environment variable or a file, never from argv) and running the `validate` command,
//! with the report options given, on a thread that reads each page as soon as it is stored
//! (through a bounded pipe), so findings stream while the download goes on and findings,
//! formats and exit codes are exactly those of `enquiry validate OUT`. After a resume the
//! records of the earlier runs are fed first, so record indices and lines are the file's.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use enquiry_capture::{
    fetch, mask, FetchOptions, FetchSummary, ReconcileFormat, ReconcileOptions, ReconcileReporter,
};
use enquiry_validator::{Event, Summary, Validator};

use crate::validate::ValidateArgs;

/// The examples at the end of `fetch -h` and `fetch --help`.
macro_rules! fetch_examples {
    () => {
        "Examples:
  enquiry fetch --base-url http://127.0.0.1:8080 --app mock-app --token-env CINNOX_TOKEN \\
      --from 2022-11-01T00:00:00Z --to 2022-11-08T00:00:00Z --out week.ndjson"
    };
}

const AFTER_HELP: &str = concat!(
    fetch_examples!(),
    "\n\n",
    "\
The token is read from --token-env VAR or --token-file FILE, never from the command line, and is
masked in every line printed. A checkpoint OUT.checkpoint is kept beside the output while the
run is under way: run the same command again after an interruption and it resumes where the last
stored page ended, with no record lost or repeated.

Exit codes:
  0  fetched, and no error found (warnings allowed unless --deny-warnings)
  1  fetched, and at least one error found; or the result set changed during the fetch
  2  usage error, or the fetch could not complete (the message says why; rerun to resume)"
);

/// `enquiry fetch` arguments.
#[derive(clap::Args, Debug)]
#[command(after_help = fetch_examples!(), after_long_help = AFTER_HELP)]
#[command(group(clap::ArgGroup::new("token").required(true).args(["token_env", "token_file"])))]
pub struct FetchArgs {
    /// The API's root URL (https://..., or http://127.0.0.1:PORT for `enquiry serve`).
    #[arg(long, value_name = "URL")]
    base_url: String,
    /// The application ID.
    #[arg(long, value_name = "APPID")]
    app: String,
    /// The environment variable holding the bearer token.
    #[arg(long, value_name = "VAR")]
    token_env: Option<String>,
    /// A file holding the bearer token (surrounding whitespace ignored).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// The range's start (RFC 3339, inclusive).
    #[arg(long, value_name = "T")]
    from: String,
    /// The range's end (RFC 3339, exclusive).
    #[arg(long, value_name = "T")]
    to: String,
    /// The NDJSON output; a name ending in .gz is written gzip-compressed, .zst
    /// zstd-compressed (one member or frame a page).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Records a request.
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=500))]
    page_size: u64,
    /// Retries in a row before giving up.
    #[arg(long, value_name = "N", default_value_t = 8)]
    max_retries: u32,
    /// The longest one request may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
    /// The first retry's delay bound in milliseconds (doubling, at most 30 s, with jitter).
    #[arg(long, value_name = "MS", default_value_t = 500)]
    backoff_ms: u64,
    /// Do not check the records.
    #[arg(long)]
    no_validate: bool,
    /// The report format, or FORMAT=FILE, as `validate` takes it (human, json, junit, github,
    /// sarif, summary, markdown, html); repeat for several reports [default: human].
    #[arg(long, value_name = "FORMAT[=FILE]")]
    format: Vec<String>,
    /// Write the (last) report that has no `=FILE` to FILE (as `validate`).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// The validation profile (as `validate`).
    #[arg(long, value_name = "PROFILE", value_parser = ["default", "strict"])]
    profile: Option<String>,
    /// An enquiry.toml to read (as `validate`).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The tenant's labels (as `validate`).
    #[arg(long, value_name = "FILE")]
    labels: Option<PathBuf>,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Print only the report's summary, and nothing when the run passes.
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// Runs `enquiry fetch`.
pub fn run(args: &FetchArgs) -> u8 {
    let token = match read_token(args) {
        Ok(token) => token,
        Err(message) => {
            crate::diag::error_line(&format!("enquiry fetch: {message}"));
            return 2;
        }
    };
    let validation = if args.no_validate {
        Validation::Off
    } else {
        match validate_args(args) {
            Ok(validate) => Validation::Pending(Box::new(validate)),
            Err(message) => {
                crate::diag::error_line(&format!("enquiry fetch: {}", mask(&message, &token)));
                return 2;
            }
        }
    };
    let mut options = FetchOptions::new(&args.base_url, &args.app, &token, &args.from, &args.to);
    options.out = args.out.clone();
    options.page_size = args.page_size;
    options.max_retries = args.max_retries;
    options.timeout = Duration::from_secs(args.timeout);
    options.backoff_base = Duration::from_millis(args.backoff_ms);
    let mut ui = FetchUi {
        bar: progress_bar(args.quiet, !args.no_validate),
        started: std::time::Instant::now(),
        out: args.out.clone(),
        validation,
    };
    let result = fetch(&options, &mut ui);
    if let Some(bar) = &ui.bar {
        bar.finish_and_clear();
    }
    let summary = match result {
        Ok(summary) => summary,
        Err(err) => {
            // The report covers the records stored before the stop; exit 2 says it stopped.
            ui.validation.finish(&args.out, false);
            crate::diag::error_line(&format!("enquiry fetch: {}", mask(&err.0, &token)));
            return 2;
        }
    };
    if !args.quiet {
        crate::diag::error_line(&format!(
            "enquiry fetch: {} records in {} ({} pages, {} retries this run)",
            summary.records,
            mask(&args.out.display().to_string(), &token),
            summary.pages,
            summary.retries
        ));
    }
    let validated = ui.validation.finish(&args.out, true);
    if validated == 0 && !summary.moved.is_empty() {
        1
    } else {
        validated
    }
}

/// Pages waiting for the validator before the fetch waits for it (bounded memory).
const PAGES_IN_FLIGHT: usize = 4;

/// The `validate` run fed with the pages of this fetch.
enum Validation {
    /// `--no-validate`.
    Off,
    /// Not started yet: it starts with the first stored records, so a fetch refused at its
    /// first request prints no report.
    Pending(Box<ValidateArgs>),
    /// Checking the pages on a thread of its own.
    Running {
        pages: SyncSender<Vec<u8>>,
        run: std::thread::JoinHandle<u8>,
    },
}

impl Validation {
    /// Starts the `validate` run, which checks the pages sent in place of reading `out`.
    fn start(&mut self, out: &Path) {
        if !matches!(self, Validation::Pending(_)) {
            return;
        }
        let Validation::Pending(validate) = std::mem::replace(self, Validation::Off) else {
            return;
        };
        let (pages, received) = sync_channel(PAGES_IN_FLIGHT);
        let out = out.to_owned();
        let run = std::thread::spawn(move || {
            let mut received = Some(received);
            crate::validate::run_with(&validate, &mut |path| {
                let received = received.take().filter(|_| path == out)?;
                Some(Box::new(
                    move |validator: &Validator, name: &str, on_event: &mut dyn FnMut(Event)| {
                        Ok(validate_pages(validator, name, &received, on_event))
                    },
                ) as crate::validate::Driver)
            })
        });
        *self = Validation::Running { pages, run };
    }

    fn send(&mut self, out: &Path, ndjson: &[u8]) {
        self.start(out);
        if let Validation::Running { pages, .. } = self {
            // An error: the run stopped reading (standard output closed); nothing to do.
            let _ = pages.send(ndjson.to_vec());
        }
    }

    /// Ends the input and waits for the report; its exit code (0 when off). A fetch that
    /// stored nothing is validated only if it `completed` (an empty range: an empty input).
    fn finish(self, out: &Path, completed: bool) -> u8 {
        let mut this = self;
        if completed {
            this.start(out);
        }
        match this {
            Validation::Running { pages, run } => {
                drop(pages);
                run.join().unwrap_or(2)
            }
            Validation::Off | Validation::Pending(_) => 0,
        }
    }
}

/// Checks the NDJSON text received, a piece of whole lines at a time, as the file it is
/// written to would be checked; until the sender is dropped.
fn validate_pages(
    validator: &Validator,
    name: &str,
    received: &Receiver<Vec<u8>>,
    on_event: &mut dyn FnMut(Event),
) -> Summary {
    let mut summary = Summary {
        files: 1,
        ..Summary::default()
    };
    let (mut carry, mut line, mut any) = (Vec::new(), 1u64, false);
    let mut check = |lines: &[u8], line: &mut u64, summary: &mut Summary| {
        let piece = validator.validate_lines(lines, name, summary.records, *line, on_event);
        summary.add(&piece);
        *line += line_breaks(lines);
    };
    for chunk in received {
        any = true;
        // Replayed text comes in chunks cut anywhere; pages end with a line break.
        carry.extend_from_slice(&chunk);
        if let Some(end) = carry.iter().rposition(|byte| *byte == b'\n') {
            let rest = carry.split_off(end + 1);
            check(&carry, &mut line, &mut summary);
            carry = rest;
        }
    }
    if !carry.is_empty() {
        check(&carry, &mut line, &mut summary);
    }
    if !any {
        // An empty range: what `validate` says of an empty file.
        let mut on_event = on_event;
        return validator
            .validate_stream(&b""[..], name, 1, &mut on_event)
            .unwrap_or(summary);
    }
    summary
}

/// The line breaks in `bytes`.
fn line_breaks(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|byte| **byte == b'\n').count() as u64
}

/// The terminal side of a fetch: log lines, the progress bar, the validation of each page.
struct FetchUi {
    bar: Option<indicatif::ProgressBar>,
    started: std::time::Instant,
    out: PathBuf,
    validation: Validation,
}

impl enquiry_capture::FetchObserver for FetchUi {
    fn log(&mut self, line: &str) {
        let line = format!("enquiry fetch: {line}");
        match &self.bar {
            Some(bar) => bar.suspend(|| crate::diag::error_line(&line)),
            None => crate::diag::error_line(&line),
        }
    }

    fn progress(&mut self, summary: &FetchSummary) {
        if let Some(bar) = &self.bar {
            let rate = summary.records as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!(
                "{} records, {} pages, {} retries, {rate:.0} records/s",
                summary.records, summary.pages, summary.retries
            ));
        }
    }

    fn stored(&mut self, ndjson: &[u8]) {
        self.validation.send(&self.out, ndjson);
    }
}

/// `validate OUT` with this run's report options, as `validate` parses them.
#[derive(clap::Parser, Debug)]
#[command(name = "enquiry validate")]
struct AsValidate {
    #[command(flatten)]
    validate: ValidateArgs,
}

/// The `validate` arguments of this run, checked as `validate` would before reading.
fn validate_args(args: &FetchArgs) -> Result<ValidateArgs, String> {
    use clap::Parser as _;
    let parsed = AsValidate::try_parse_from(validate_argv(args))
        .map_err(|err| err.to_string().lines().next().unwrap_or("").to_owned())?;
    match crate::validate::usage_error(&parsed.validate) {
        Some(message) => Err(message),
        None => Ok(parsed.validate),
    }
}

/// A spinner with the counts on a terminal; none when quiet, in CI or when stderr is a pipe,
/// and none when findings stream to the same terminal as the pages are validated (report
/// lines written while the spinner redraws would be torn; the findings show the progress).
fn progress_bar(quiet: bool, validating: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal as _;
    let ci = std::env::var_os("CI").is_some_and(|value| !value.is_empty());
    let report_on_terminal = validating && std::io::stdout().is_terminal();
    if quiet || ci || report_on_terminal || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message("connecting");
    bar.enable_steady_tick(Duration::from_millis(120));
    Some(bar)
}

/// The token, from the variable or the file named; never empty.
fn read_token(args: &FetchArgs) -> Result<String, String> {
    let token = match (&args.token_env, &args.token_file) {
        (Some(var), _) => std::env::var(var)
            .map_err(|_| format!("the environment variable {var} is not set (or not UTF-8)"))?,
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|err| format!("cannot read the token file {}: {err}", path.display()))?,
        (None, None) => return Err("give --token-env VAR or --token-file FILE".to_owned()),
    };
    let token = token.trim().to_owned();
    if token.is_empty() {
        return Err("the token is empty".to_owned());
    }
    Ok(token)
}

/// `enquiry validate OUT` with the report options of this run (program name first).
fn validate_argv(args: &FetchArgs) -> Vec<OsString> {
    let mut argv: Vec<OsString> = vec!["enquiry validate".into()];
    argv.push(args.out.clone().into_os_string());
    for format in &args.format {
        argv.extend(["--format".into(), OsString::from(format)]);
    }
    let paths = [
        ("--config", &args.config),
        ("--labels", &args.labels),
        ("--output", &args.output),
    ];
    for (flag, value) in paths {
        if let Some(path) = value {
            argv.extend([flag.into(), path.clone().into_os_string()]);
        }
    }
    if let Some(profile) = &args.profile {
        argv.extend(["--profile".into(), OsString::from(profile)]);
    }
    let switches = [
        ("--deny-warnings", args.deny_warnings),
        ("--quiet", args.quiet),
    ];
    argv.extend(
        switches
            .iter()
            .filter(|(_, on)| *on)
            .map(|(flag, _)| (*flag).into()),
    );
    argv
}

/// `enquiry listen` arguments.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  enquiry listen --addr 127.0.0.1:9000 --out events.ndjson\n  enquiry listen --addr 0.0.0.0:9000 --out events.ndjson --max-body 1048576"
)]
pub struct ListenArgs {
    /// Where to listen (`127.0.0.1:0` picks a free port; the URL is the first stdout line).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:0")]
    addr: String,
    /// The NDJSON file events are appended to.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// The largest event body accepted, in bytes; a larger one gets 413.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    max_body: usize,
}

/// Runs `enquiry listen` until SIGINT or SIGTERM.
pub fn run_listen(args: &ListenArgs) -> u8 {
    let options = enquiry_capture::ListenOptions {
        addr: args.addr.clone(),
        out: args.out.clone(),
        max_body: args.max_body,
        check: event_contract_check(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            crate::diag::error_line(&format!("enquiry listen: cannot start: {err}"));
            return 2;
        }
    };
    let ready = |url: &str| {
        println!("{url}");
        let _ = std::io::Write::flush(&mut std::io::stdout());
    };
    let log = Box::new(|line: &str| {
        crate::diag::error_line(&format!("enquiry listen: {}", mask(line, "")))
    });
    let result = runtime.block_on(enquiry_capture::listen(&options, ready, stop_signal(), log));
    match result {
        Ok(summary) => {
            crate::diag::error_line(&format!(
                "enquiry listen: stored {} events in {} ({} invalid), answered {} challenges",
                summary.stored,
                mask(&args.out.display().to_string(), ""),
                summary.invalid,
                summary.challenges
            ));
            0
        }
        Err(err) => {
            crate::diag::error_line(&format!("enquiry listen: {}: {err}", mask(&args.addr, "")));
            2
        }
    }
}

/// How many of an invalid event's errors its log line names (the rest are counted).
const ERRORS_NAMED: usize = 3;

/// `listen`'s check: the event contract's validator, as `validate --contract event` runs it.
/// An event with errors is invalid; its log line names the first errors (rule, pointer,
/// message: values in messages are masked as in every report) and counts the rest.
fn event_contract_check() -> enquiry_capture::EventCheck {
    let config = enquiry_validator::Config {
        contract: Some(&enquiry_schema::contracts::EVENT),
        ..enquiry_validator::Config::default()
    };
    let validator = Validator::new(config);
    std::sync::Arc::new(move |body: &[u8]| {
        let outcome = validator.validate_record(body, "event");
        let errors: Vec<_> = outcome
            .findings
            .iter()
            .filter(|finding| finding.severity == enquiry_validator::Severity::Error)
            .collect();
        if errors.is_empty() {
            return Ok(());
        }
        let mut named: Vec<String> = errors
            .iter()
            .take(ERRORS_NAMED)
            .map(|finding| {
                let pointer = finding.pointer.as_str();
                let at = if pointer.is_empty() {
                    "(event)"
                } else {
                    pointer
                };
                format!("{} at {at}: {}", finding.code.as_str(), finding.message)
            })
            .collect();
        if errors.len() > ERRORS_NAMED {
            named.push(format!("and {} more", errors.len() - ERRORS_NAMED));
        }
        let why = format!("{} error(s): {}", errors.len(), named.join("; "));
        Err(enquiry_report::terminal_safe(&why).into_owned())
    })
}

/// Resolves on SIGINT or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let (Ok(mut interrupt), Ok(mut terminate)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// `enquiry reconcile` arguments.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  enquiry reconcile events.ndjson week.ndjson\n  enquiry reconcile events.ndjson.gz week.ndjson.gz --format json"
)]
pub struct ReconcileArgs {
    /// The captured events (NDJSON, plain, gzip or zstd), as `enquiry listen` stores them.
    events: PathBuf,
    /// The captured records (NDJSON, plain, gzip or zstd), as `enquiry fetch` writes them.
    records: PathBuf,
    /// The report format.
    #[arg(long, value_name = "FORMAT", default_value = "human",
          value_parser = ["human", "json", "github", "junit", "sarif"])]
    format: String,
    /// The memory for sorting (entries beyond it are sorted in temporary files).
    #[arg(long, value_name = "BYTES", default_value = "48MiB", value_parser = crate::guard::parse_size)]
    max_memory: usize,
    /// Where the temporary files go [default: the system's temporary directory].
    #[arg(long, value_name = "DIR")]
    temp_dir: Option<PathBuf>,
}

/// Runs `enquiry reconcile`: exit 0 consistent, 1 findings, 2 unreadable input.
pub fn run_reconcile(args: &ReconcileArgs) -> u8 {
    let format: ReconcileFormat = match args.format.parse() {
        Ok(format) => format,
        Err(message) => {
            crate::diag::error_line(&format!("enquiry reconcile: {message}"));
            return 2;
        }
    };
    let options = ReconcileOptions {
        memory_budget: args.max_memory,
        temp_dir: args.temp_dir.clone().unwrap_or_else(std::env::temp_dir),
        ..ReconcileOptions::default()
    };
    let stdout = std::io::stdout();
    let out = std::io::BufWriter::new(stdout.lock());
    let mut reporter = ReconcileReporter::new(format, Box::new(out));
    let summary =
        match enquiry_capture::reconcile(&args.events, &args.records, &options, &mut reporter) {
            Ok(summary) => summary,
            Err(err) => {
                crate::diag::error_line(&format!("enquiry reconcile: {err}"));
                return 2;
            }
        };
    if let Err(err) = reporter.finish(&summary) {
        if err.kind() != std::io::ErrorKind::BrokenPipe {
            crate::diag::error_line(&format!(
                "enquiry reconcile: cannot write the report: {err}"
            ));
            return 2;
        }
    }
    u8::from(summary.findings > 0)
}
