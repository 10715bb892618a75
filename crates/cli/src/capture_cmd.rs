//! `enquiry fetch`: capture a time range from the Open API, then check it as `validate` does.
//!
//! The capture itself is `enquiry_capture::fetch`; what lives here is reading the token (from
//! an environment variable or a file, never from argv) and handing the finished file to the
//! `validate` command with the report options given, so findings, formats and exit codes are
//! exactly those of `enquiry validate OUT`. The whole file is checked, also after a resumed
//! run, so the record indices and lines of the findings are those of the file.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use enquiry_capture::{fetch, mask, FetchOptions};

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
    /// The NDJSON output; a name ending in .gz is written gzip-compressed.
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
    /// The report format (as `validate`).
    #[arg(long, value_name = "FORMAT", default_value = "human",
          value_parser = ["human", "json", "junit", "github", "sarif"])]
    format: String,
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
    let mut options = FetchOptions::new(&args.base_url, &args.app, &token, &args.from, &args.to);
    options.out = args.out.clone();
    options.page_size = args.page_size;
    options.max_retries = args.max_retries;
    options.timeout = Duration::from_secs(args.timeout);
    options.backoff_base = Duration::from_millis(args.backoff_ms);
    let bar = progress_bar(args.quiet);
    let mut log = |line: &str| match &bar {
        Some(bar) => bar.suspend(|| crate::diag::error_line(&format!("enquiry fetch: {line}"))),
        None => crate::diag::error_line(&format!("enquiry fetch: {line}")),
    };
    let started = std::time::Instant::now();
    let mut on_page = |summary: &enquiry_capture::FetchSummary| {
        if let Some(bar) = &bar {
            let rate = summary.records as f64 / started.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!(
                "{} records, {} pages, {} retries, {rate:.0} records/s",
                summary.records, summary.pages, summary.retries
            ));
        }
    };
    let result = fetch(&options, &mut log, &mut on_page);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = match result {
        Ok(summary) => summary,
        Err(err) => {
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
    let validated = if args.no_validate {
        0
    } else {
        crate::run(validate_argv(args))
    };
    if validated == 0 && !summary.moved.is_empty() {
        1
    } else {
        validated
    }
}

/// A spinner with the counts on a terminal; none when quiet, in CI or when stderr is a pipe.
fn progress_bar(quiet: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal as _;
    let ci = std::env::var_os("CI").is_some_and(|value| !value.is_empty());
    if quiet || ci || !std::io::stderr().is_terminal() {
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

/// `enquiry validate OUT` with the report options of this run.
fn validate_argv(args: &FetchArgs) -> Vec<OsString> {
    let mut argv: Vec<OsString> = vec!["enquiry".into(), "validate".into()];
    argv.push(args.out.clone().into_os_string());
    argv.extend(["--format".into(), OsString::from(&args.format)]);
    let paths = [("--config", &args.config), ("--labels", &args.labels)];
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
                "enquiry listen: stored {} events in {} ({} without the documented shape), answered {} challenges",
                summary.stored,
                mask(&args.out.display().to_string(), ""),
                summary.unexpected_shape,
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
    /// The captured events (NDJSON, plain or gzip), as `enquiry listen` stores them.
    events: PathBuf,
    /// The captured records (NDJSON, plain or gzip), as `enquiry fetch` writes them.
    records: PathBuf,
    /// The report format.
    #[arg(long, value_name = "FORMAT", default_value = "human",
          value_parser = ["human", "json", "github"])]
    format: String,
}

/// Runs `enquiry reconcile`: exit 0 consistent, 1 findings, 2 unreadable input.
pub fn run_reconcile(args: &ReconcileArgs) -> u8 {
    use std::io::Write as _;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let json = args.format == "json";
    let mut written = 0u64;
    let mut output_error = None;
    if json {
        let _ = out.write_all(b"{\n  \"findings\": [");
    }
    let mut on_finding = |finding: enquiry_capture::ReconcileFinding| {
        let line = render_finding(&args.format, &finding, written == 0);
        written += 1;
        if let Err(err) = out.write_all(line.as_bytes()) {
            output_error.get_or_insert(err);
        }
    };
    let result = enquiry_capture::reconcile(&args.events, &args.records, &mut on_finding);
    let summary = match result {
        Ok(summary) => summary,
        Err(err) => {
            let _ = out.flush();
            crate::diag::error_line(&format!("enquiry reconcile: cannot read the input: {err}"));
            return 2;
        }
    };
    let closing = match args.format.as_str() {
        "json" => format!(
            "{}],\n  \"summary\": {}\n}}\n",
            if written > 0 { "\n  " } else { "" },
            serde_json::json!({"events": summary.events, "records": summary.records,
                "enquiries": summary.enquiries, "errors": written})
        ),
        _ => format!(
            "reconcile: {} events of {} enquiries, {} records: {written} finding{}\n",
            summary.events,
            summary.enquiries,
            summary.records,
            if written == 1 { "" } else { "s" }
        ),
    };
    let flushed = out.write_all(closing.as_bytes()).and_then(|()| out.flush());
    if let Some(err) = output_error.or(flushed.err()) {
        if err.kind() != std::io::ErrorKind::BrokenPipe {
            crate::diag::error_line(&format!(
                "enquiry reconcile: cannot write the report: {err}"
            ));
            return 2;
        }
    }
    u8::from(written > 0)
}

/// One finding in `format`; the text fields are already escaped by the library.
fn render_finding(
    format: &str,
    finding: &enquiry_capture::ReconcileFinding,
    first: bool,
) -> String {
    let file = mask(&finding.file, "");
    match format {
        "json" => {
            let value = serde_json::json!({
                "file": finding.file, "record": finding.record, "line": finding.line,
                "column": 1, "pointer": "", "code": finding.code.as_str(),
                "severity": "error", "message": finding.message,
            });
            format!("{}\n    {value}", if first { "" } else { "," })
        }
        "github" => {
            // Workflow-command values: `%`, CR, LF and (in properties) `:` and `,` escaped.
            let escape = |text: &str| {
                text.replace('%', "%25")
                    .replace('\r', "%0D")
                    .replace('\n', "%0A")
            };
            let property = |text: &str| escape(text).replace(':', "%3A").replace(',', "%2C");
            format!(
                "::error file={},line={},title={}::{}\n",
                property(&file),
                finding.line,
                finding.code,
                escape(&finding.message)
            )
        }
        _ => format!(
            "{file}:{}: error[{}]: {}\n",
            finding.line, finding.code, finding.message
        ),
    }
}
