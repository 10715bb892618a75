//! The paging loop: request, classify, retry or store, checkpoint.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;

use crate::checkpoint::{Checkpoint, Identity, Progress};
use crate::output::Output;
use crate::page::{Page, PageError};
use crate::retry::Backoff;
use crate::{mask, masked_token};

/// What to fetch and how hard to try.
#[derive(Clone)]
pub struct FetchOptions {
    /// The API's root, e.g. `https://api.example.com` (no trailing path).
    pub base_url: String,
    /// The application ID.
    pub app: String,
    /// The bearer token (never logged: [`fmt::Debug`] masks it).
    pub token: String,
    /// `startAt`, RFC 3339.
    pub from: String,
    /// `endAt`, RFC 3339.
    pub to: String,
    /// The NDJSON output (`.gz`: gzip, `.zst`: zstd); the checkpoint is `OUT.checkpoint`.
    pub out: PathBuf,
    /// Records a request (the API allows at most 500).
    pub page_size: u64,
    /// Retries in a row before giving up.
    pub max_retries: u32,
    /// The longest a request (connect, answer and body) may take.
    pub timeout: Duration,
    /// The backoff's first delay.
    pub backoff_base: Duration,
    /// The backoff's largest exponential delay.
    pub backoff_cap: Duration,
}

impl fmt::Debug for FetchOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchOptions")
            .field("base_url", &self.base_url)
            .field("app", &self.app)
            .field("token", &masked_token(&self.token))
            .field("from", &self.from)
            .field("to", &self.to)
            .field("out", &self.out)
            .field("page_size", &self.page_size)
            .field("max_retries", &self.max_retries)
            .finish_non_exhaustive()
    }
}

impl FetchOptions {
    /// Options with the defaults: pages of 500, 8 retries, 30 s timeout, backoff 0.5 s to 30 s.
    pub fn new(base_url: &str, app: &str, token: &str, from: &str, to: &str) -> FetchOptions {
        FetchOptions {
            base_url: base_url.trim_end_matches('/').to_owned(),
            app: app.to_owned(),
            token: token.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
            out: PathBuf::from("enquiries.ndjson"),
            page_size: 500,
            max_retries: 8,
            timeout: Duration::from_secs(30),
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(30),
        }
    }
}

/// Why a fetch stopped: one line, token masked. The output and checkpoint are kept, so the
/// same command resumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError(pub String);

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FetchError {}

/// The result set's size changed between two pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotalMoved {
    /// The offset of the page that saw the new total.
    pub offset: u64,
    /// The total before.
    pub before: u64,
    /// The total after.
    pub after: u64,
}

/// What a completed fetch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchSummary {
    /// Records in the output (including those of earlier, interrupted runs).
    pub records: u64,
    /// Pages requested successfully by this run.
    pub pages: u64,
    /// Retries by this run.
    pub retries: u64,
    /// The offset this run resumed at, when it found a checkpoint.
    pub resumed_at: Option<u64>,
    /// Every change of `total` seen.
    pub moved: Vec<TotalMoved>,
}

/// One request's outcome.
enum Attempt {
    Page(Page),
    Retry {
        reason: String,
        retry_after: Option<Duration>,
    },
    Fatal(String),
}

/// What a running fetch tells its caller. Every method has a no-op default.
pub trait FetchObserver {
    /// One line per retry, resume and moved total (the token already masked).
    fn log(&mut self, _line: &str) {}
    /// The counts after each stored page (for a progress bar).
    fn progress(&mut self, _summary: &FetchSummary) {}
    /// NDJSON text of records now durably stored, uncompressed, in file order: on resume
    /// first the records of earlier runs, then each page as soon as it is stored. Everything
    /// passed here, concatenated, is the output file's (decompressed) content, so a validator
    /// fed from it reports what `validate OUT` would, while the fetch goes on.
    fn stored(&mut self, _ndjson: &[u8]) {}
}

/// An observer made of a log function only.
pub struct LogOnly<F: FnMut(&str)>(pub F);

impl<F: FnMut(&str)> FetchObserver for LogOnly<F> {
    fn log(&mut self, line: &str) {
        (self.0)(line);
    }
}

/// Fetches the range into `options.out`, resuming from its checkpoint, telling `observer`
/// what happens.
pub fn fetch(
    options: &FetchOptions,
    observer: &mut dyn FetchObserver,
) -> Result<FetchSummary, FetchError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| FetchError(format!("cannot start the HTTP runtime: {err}")))?;
    runtime.block_on(fetch_async(options, observer))
}

async fn fetch_async(
    options: &FetchOptions,
    observer: &mut dyn FetchObserver,
) -> Result<FetchSummary, FetchError> {
    let client = reqwest::Client::builder()
        .timeout(options.timeout)
        .connect_timeout(options.timeout)
        .build()
        .map_err(|err| FetchError(format!("cannot build the HTTP client: {err}")))?;
    let (checkpoint, mut progress, mut output) = open(options)?;
    let mut summary = FetchSummary {
        records: progress.offset,
        resumed_at: (progress.offset > 0).then_some(progress.offset),
        ..FetchSummary::default()
    };
    if let Some(offset) = summary.resumed_at {
        observer.log(&format!(
            "resuming at offset {offset} from {}",
            checkpoint.path().display()
        ));
    }
    let out_error =
        |err: std::io::Error| FetchError(format!("cannot read {}: {err}", options.out.display()));
    output
        .replay(&mut |stored| observer.stored(stored))
        .map_err(out_error)?;
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos() as u64)
        ^ u64::from(std::process::id());
    let mut backoff = Backoff::new(options.backoff_base, options.backoff_cap, seed);
    loop {
        let page = page_with_retries(
            &client,
            options,
            progress.offset,
            &mut backoff,
            &mut summary,
            observer,
        )
        .await?;
        summary.pages += 1;
        note_total(&mut progress, page.total, &mut summary, observer);
        let records = page
            .records()
            .map_err(|err| FetchError(format!("{err:?}")))?;
        if records.is_empty() {
            break;
        }
        let fail = |err: std::io::Error| {
            FetchError(format!("cannot write {}: {err}", options.out.display()))
        };
        let lines = output.append(&records).map_err(fail)?;
        progress.offset += records.len() as u64;
        progress.bytes = output.len();
        summary.records = progress.offset;
        checkpoint.save(&progress).map_err(|err| {
            FetchError(format!(
                "cannot write {}: {err}",
                checkpoint.path().display()
            ))
        })?;
        observer.stored(&lines);
        observer.progress(&summary);
        if progress.offset >= page.total {
            break;
        }
    }
    checkpoint.remove().map_err(|err| {
        FetchError(format!(
            "cannot remove {}: {err}",
            checkpoint.path().display()
        ))
    })?;
    Ok(summary)
}

/// The checkpoint, the progress to start from and the output opened at that point.
fn open(options: &FetchOptions) -> Result<(Checkpoint, Progress, Output), FetchError> {
    let identity = Identity {
        base_url: options.base_url.clone(),
        app: options.app.clone(),
        from: options.from.clone(),
        to: options.to.clone(),
        page_size: options.page_size,
    };
    let checkpoint = Checkpoint::beside(&options.out);
    let shown = checkpoint.path().display();
    let saved = checkpoint
        .load()
        .map_err(|err| FetchError(format!("cannot read the checkpoint {shown}: {err}")))?;
    let progress = match saved {
        Some(saved) if saved.identity == identity => saved,
        Some(_) => {
            return Err(FetchError(format!(
                "the checkpoint {shown} belongs to a fetch with other parameters: remove it or choose another --out"
            )))
        }
        None => Progress { identity, offset: 0, bytes: 0, total: None },
    };
    let output = Output::open(&options.out, progress.bytes)
        .map_err(|err| FetchError(format!("cannot open {}: {err}", options.out.display())))?;
    Ok((checkpoint, progress, output))
}

fn note_total(
    progress: &mut Progress,
    total: u64,
    summary: &mut FetchSummary,
    observer: &mut dyn FetchObserver,
) {
    match progress.total {
        Some(before) if before != total => {
            observer.log(&format!(
                "warning: the result set changed during the fetch: total was {before}, is {total} at offset {}; records may be missing or repeated, fetch the range again",
                progress.offset
            ));
            summary.moved.push(TotalMoved {
                offset: progress.offset,
                before,
                after: total,
            });
        }
        _ => {}
    }
    progress.total = Some(total);
}

async fn page_with_retries(
    client: &reqwest::Client,
    options: &FetchOptions,
    offset: u64,
    backoff: &mut Backoff,
    summary: &mut FetchSummary,
    observer: &mut dyn FetchObserver,
) -> Result<Page, FetchError> {
    let mut retry = 0;
    loop {
        let (reason, retry_after) = match attempt(client, options, offset).await {
            Attempt::Page(page) => return Ok(page),
            Attempt::Fatal(message) => return Err(FetchError(mask(&message, &options.token))),
            Attempt::Retry {
                reason,
                retry_after,
            } => (reason, retry_after),
        };
        if retry >= options.max_retries {
            return Err(FetchError(mask(
                &format!("gave up at offset {offset} after {retry} retries: {reason}"),
                &options.token,
            )));
        }
        let delay = backoff.delay(retry, retry_after);
        retry += 1;
        summary.retries += 1;
        observer.log(&mask(
            &format!(
                "retry {retry}/{} at offset {offset} in {:.1}s: {reason}",
                options.max_retries,
                delay.as_secs_f64()
            ),
            &options.token,
        ));
        tokio::time::sleep(delay).await;
    }
}

fn endpoint(options: &FetchOptions) -> String {
    format!(
        "{}/v1/api/apps/{}/data/enquiry-detail",
        options.base_url, options.app
    )
}

async fn attempt(client: &reqwest::Client, options: &FetchOptions, offset: u64) -> Attempt {
    let url = endpoint(options);
    let request = client.get(&url).bearer_auth(&options.token).query(&[
        ("startAt", options.from.as_str()),
        ("endAt", options.to.as_str()),
        ("offset", &offset.to_string()),
        ("limit", &options.page_size.to_string()),
    ]);
    let response = match request.send().await {
        Ok(response) => response,
        Err(err) if err.is_builder() => {
            return Attempt::Fatal(format!("bad request URL {url}: {err}"))
        }
        Err(err) => return retry(transport_reason(&err)),
    };
    let status = response.status();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok()?.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = match response.bytes().await {
        Ok(body) => body,
        Err(err) => return retry(format!("body cut short: {}", transport_reason(&err))),
    };
    if let Some(outcome) = refused_status(status, &url, &body, retry_after) {
        return outcome;
    }
    if !content_type.is_empty() && !content_type.contains("json") {
        return Attempt::Fatal(format!(
            "{url} answered {content_type}, not JSON: is --base-url the Open API's root?"
        ));
    }
    match Page::parse(&body) {
        Ok(page) => Attempt::Page(page),
        Err(PageError::Malformed(why)) => retry(why),
        Err(PageError::RateLimited) => Attempt::Retry {
            reason: format!("rate limited (code {})", crate::page::TOO_MANY_CODE),
            retry_after,
        },
        Err(PageError::Refused(code, message)) => Attempt::Fatal(format!(
            "the API refused the request: code {code} {message}"
        )),
    }
}

fn retry(reason: String) -> Attempt {
    Attempt::Retry {
        reason,
        retry_after: None,
    }
}

/// The outcome for a non-2xx status, `None` for 2xx.
fn refused_status(
    status: StatusCode,
    url: &str,
    body: &[u8],
    retry_after: Option<Duration>,
) -> Option<Attempt> {
    if status.is_success() {
        return None;
    }
    let reason = format!("HTTP {}", status.as_u16());
    Some(match status.as_u16() {
        429 => Attempt::Retry {
            reason: format!("{reason} (rate limited)"),
            retry_after,
        },
        500..=599 => Attempt::Retry {
            reason,
            retry_after,
        },
        401 | 403 => Attempt::Fatal(format!(
            "{reason}: the API refused the token; check --token-env or --token-file and --app"
        )),
        404 => Attempt::Fatal(format!("{reason} for {url}: check --base-url and --app")),
        _ => Attempt::Fatal(format!("{reason} for {url}: {}", snippet(body))),
    })
}

/// The start of a body, for an error line.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut short: String = text.chars().take(200).collect();
    if short.len() < text.len() {
        short.push_str("...");
    }
    short
}

/// A transport error in words: the cause chain without the URL.
fn transport_reason(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "cannot connect"
    } else {
        "connection failed"
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    match causes.last() {
        Some(root) => format!("{kind}: {root}"),
        None => kind.to_owned(),
    }
}
