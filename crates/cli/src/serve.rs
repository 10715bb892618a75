//! `enquiry serve`: the mock Open API (the `enquiry-mock` crate) as a command.
//!
//! The first line on standard output is the base URL (`http://127.0.0.1:PORT`), flushed at
//! once, so a test harness can start `enquiry serve --addr 127.0.0.1:0` and read where it
//! listens; everything else goes to standard error, with the token masked.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use enquiry_mock::{
    mask_token, parse_fault_rate, parse_instant, parse_rate_per_minute, printable, Config,
    InvalidRate, Latency, DEFAULT_SPAN_MILLIS, DEFAULT_TO_MILLIS,
};

/// `enquiry serve` flags.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  enquiry serve --addr 127.0.0.1:8080 --records 1000 --seed 7\n  enquiry serve --invalid-rate 0.05 --fault-rate 0.01"
)]
pub struct ServeArgs {
    /// Where to listen; port 0 picks a free one (printed as the first line on stdout).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// The application ID in the paths.
    #[arg(long, default_value = "mock-app")]
    app: String,
    /// The bearer token clients must send.
    #[arg(long, default_value = "mock-token")]
    token: String,
    /// The dataset's seed: the same seed and flags serve the same bytes on every run.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// How many records the dataset holds.
    #[arg(long, default_value_t = 1000)]
    records: u64,
    /// Records are created from this instant (RFC 3339) [default: 30 days before --to].
    #[arg(long, value_parser = parse_instant)]
    from: Option<i64>,
    /// ... up to this instant, excluded [default: 2026-01-01T00:00:00Z, fixed, not the clock].
    #[arg(long, value_parser = parse_instant)]
    to: Option<i64>,
    /// The share of served records with one labelled defect (0.05 or 5%).
    #[arg(long, value_parser = parse_invalid_rate)]
    invalid_rate: Option<InvalidRate>,
    /// Write the labelled invalid records served (a JSON array) to this file, kept current.
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// The tenant's labels (a Get Label List response) instead of generated ones.
    #[arg(long)]
    labels: Option<PathBuf>,
    /// Requests per token before 429 (N/min or N/s).
    #[arg(long, default_value = "500/min", value_parser = |text: &str| parse_rate_per_minute(text, 60))]
    rate_limit: u64,
    /// Extra latency: fixed:MS, uniform:MIN-MAX or lognormal:MEDIAN,P99.
    #[arg(long, value_parser = Latency::parse)]
    latency: Option<Latency>,
    /// The share of API requests that get a seeded fault (500, reset, truncated or slow body).
    #[arg(long, value_parser = parse_fault_rate)]
    fault_rate: Option<u32>,
    /// Subscribe this URL to enquiry events at start (challenge handshake first).
    #[arg(long)]
    webhook: Option<String>,
    /// Events per second the webhook sender posts at most (N/s or N/min).
    #[arg(long, default_value = "50/s", value_parser = |text: &str| parse_rate_per_minute(text, 1))]
    webhook_rate: u64,
    /// Append the request log here (NDJSON).
    #[arg(long)]
    log: Option<PathBuf>,
    /// The list response's member holding the records.
    #[arg(long, default_value = "enquiryDetails")]
    envelope_key: String,
}

fn parse_invalid_rate(text: &str) -> Result<InvalidRate, String> {
    InvalidRate::parse(text).map_err(|err| err.0)
}

impl ServeArgs {
    fn config(&self) -> Config {
        let to = self.to.unwrap_or(DEFAULT_TO_MILLIS);
        Config {
            addr: self.addr.clone(),
            app: self.app.clone(),
            token: self.token.clone(),
            seed: self.seed,
            records: self.records,
            from_millis: self.from.unwrap_or(to - DEFAULT_SPAN_MILLIS),
            to_millis: to,
            invalid: self.invalid_rate.unwrap_or_default(),
            labels_file: self.labels.clone(),
            rate_limit_per_minute: self.rate_limit,
            latency: self.latency.unwrap_or_default(),
            fault_ppm: self.fault_rate.unwrap_or(0),
            webhook: self.webhook.clone(),
            webhook_per_second: (self.webhook_rate / 60).max(1),
            log_file: self.log.clone(),
            manifest_file: self.manifest.clone(),
            envelope_key: self.envelope_key.clone(),
            ..Config::default()
        }
    }
}

/// Runs the server until SIGINT/SIGTERM: `0` after a clean drain, `2` when it cannot start.
pub fn run(args: &ServeArgs) -> u8 {
    let config = args.config();
    let summary = format!(
        "app {}, token {}, {} records, seed {}",
        printable(&config.app),
        mask_token(&config.token),
        config.records,
        config.seed
    );
    let ready = |url: &str| {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{url}");
        let _ = stdout.flush();
        crate::diag::error_line(&format!(
            "enquiry serve: listening on {url} ({summary}); Ctrl-C to stop"
        ));
    };
    match enquiry_mock::run_until_signal(config, ready) {
        Ok(()) => {
            crate::diag::error_line("enquiry serve: stopped");
            0
        }
        Err(err) => {
            crate::diag::error_line(&format!("enquiry serve: {}", printable(&err.to_string())));
            2
        }
    }
}
