//! The webhook receiver: challenge handshake, events appended to NDJSON, acknowledged only
//! once durable.
//!
//! Each event body goes to one writer thread with a one-shot reply channel. The writer takes
//! every event waiting (up to a batch), appends them, `fsync`s once and only then replies to
//! all of them (with each event's line in the file); the handler answers 2xx after that reply.
//! So an acknowledged event is on disk, and a crash between receipt and acknowledgement loses
//! only events the sender will retry.
//!
//! Every event is checked by [`ListenOptions::check`] before it is stored; an invalid event is
//! stored all the same (the capture is the evidence) and reported with its line in the file.
//! The check is a plain function so that a full validator of the event contract plugs in
//! without touching the receiver; [`documented_shape`] is the default.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use enquiry_schema::names::challenge_response;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::oneshot;

/// The most events one fsync covers.
const BATCH: usize = 256;

/// Checks one event body (well-formed JSON, not a handshake): `Ok` or why it is invalid (one
/// line, already safe to print).
pub type EventCheck = Arc<dyn Fn(&[u8]) -> Result<(), String> + Send + Sync>;

/// The default [`EventCheck`]: the documented members with their types (`status`, `eid`,
/// `date`, ... as the fake generator's event model reads them).
pub fn documented_shape() -> EventCheck {
    Arc::new(|body: &[u8]| {
        serde_json::from_slice::<enquiry_fake::events::LifecycleEvent>(body)
            .map(|_| ())
            .map_err(|err| {
                let why = enquiry_report::terminal_safe(&err.to_string()).into_owned();
                format!("not the documented event shape: {why}")
            })
    })
}

/// Where to listen, where to store, how to check.
#[derive(Clone)]
pub struct ListenOptions {
    /// `host:port` (`127.0.0.1:0` picks a free port).
    pub addr: String,
    /// The NDJSON file events are appended to.
    pub out: PathBuf,
    /// The largest body accepted; a larger one gets 413.
    pub max_body: usize,
    /// The check of each event (stored whatever it says).
    pub check: EventCheck,
}

impl std::fmt::Debug for ListenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenOptions")
            .field("addr", &self.addr)
            .field("out", &self.out)
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

/// What a receiver did before it stopped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListenSummary {
    /// Events stored (and acknowledged).
    pub stored: u64,
    /// Of those, events the check found invalid (stored anyway, each reported).
    pub invalid: u64,
    /// Challenge handshakes answered.
    pub challenges: u64,
}

/// A handshake request: exactly `{"challenge": "..."}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Challenge {
    challenge: String,
}

/// A line to append, and where to send the 1-based line it was stored at.
type Job = (Vec<u8>, oneshot::Sender<io::Result<u64>>);

struct Receiver {
    jobs: mpsc::Sender<Job>,
    max_body: usize,
    check: EventCheck,
    out: String,
    stored: AtomicU64,
    invalid: AtomicU64,
    challenges: AtomicU64,
    log: Box<dyn Fn(&str) + Send + Sync>,
}

/// Listens until `stop` resolves, calling `ready` with the bound URL first; drains in-flight
/// requests and the writer before returning.
pub async fn listen(
    options: &ListenOptions,
    ready: impl FnOnce(&str),
    stop: impl std::future::Future<Output = ()> + Send + 'static,
    log: Box<dyn Fn(&str) + Send + Sync>,
) -> io::Result<ListenSummary> {
    let file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(&options.out)?;
    let lines = count_lines(&file)?;
    let listener = tokio::net::TcpListener::bind(options.addr.as_str()).await?;
    let (jobs, queue) = mpsc::channel::<Job>();
    let writer = std::thread::spawn(move || write_batches(file, lines, queue));
    let receiver = Arc::new(Receiver {
        jobs,
        max_body: options.max_body,
        check: options.check.clone(),
        out: enquiry_report::terminal_safe(&options.out.display().to_string()).into_owned(),
        stored: AtomicU64::new(0),
        invalid: AtomicU64::new(0),
        challenges: AtomicU64::new(0),
        log,
    });
    ready(&format!("http://{}", listener.local_addr()?));
    let router = axum::Router::new()
        .fallback(receive)
        .with_state(receiver.clone());
    axum::serve(listener, router)
        .with_graceful_shutdown(stop)
        .await?;
    let summary = ListenSummary {
        stored: receiver.stored.load(Ordering::SeqCst),
        invalid: receiver.invalid.load(Ordering::SeqCst),
        challenges: receiver.challenges.load(Ordering::SeqCst),
    };
    drop(receiver);
    let _ = writer.join();
    Ok(summary)
}

/// The lines already in the file (events of earlier runs), so new ones are reported at
/// their real line.
fn count_lines(file: &File) -> io::Result<u64> {
    let mut reader = io::BufReader::with_capacity(256 * 1024, file);
    let mut lines = 0;
    loop {
        let buffer = io::BufRead::fill_buf(&mut reader)?;
        if buffer.is_empty() {
            return Ok(lines);
        }
        lines += buffer.iter().filter(|byte| **byte == b'\n').count() as u64;
        let read = buffer.len();
        io::BufRead::consume(&mut reader, read);
    }
}

/// The writer thread: batches of lines, one fsync each, then the replies.
fn write_batches(mut file: File, mut lines_before: u64, queue: mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut lines = Vec::new();
        for (line, _) in &batch {
            lines.extend_from_slice(line);
        }
        let result = file.write_all(&lines).and_then(|()| file.sync_data());
        for (_, reply) in batch {
            let _ = reply.send(match &result {
                Ok(()) => {
                    lines_before += 1;
                    Ok(lines_before)
                }
                Err(err) => Err(io::Error::new(err.kind(), err.to_string())),
            });
        }
    }
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

async fn receive(State(receiver): State<Arc<Receiver>>, request: Request) -> Response {
    let too_large = || answer(StatusCode::PAYLOAD_TOO_LARGE, json!({"code": 413}));
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<usize>().ok());
    if announced.is_some_and(|length| length > receiver.max_body) {
        return too_large();
    }
    let body: Bytes = match axum::body::to_bytes(request.into_body(), receiver.max_body).await {
        Ok(body) => body,
        Err(_) => return too_large(),
    };
    if let Ok(challenge) = serde_json::from_slice::<Challenge>(&body) {
        receiver.challenges.fetch_add(1, Ordering::SeqCst);
        let result = json!({(challenge_response::result::CHALLENGE): challenge.challenge});
        return answer(StatusCode::OK, json!({"code": 200, "result": result}));
    }
    if serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err() {
        (receiver.log)("refused a body that is not JSON (400)");
        return answer(StatusCode::BAD_REQUEST, json!({"code": 400}));
    }
    let verdict = (receiver.check)(&body);
    store(&receiver, &body, verdict).await
}

async fn store(receiver: &Receiver, body: &[u8], verdict: Result<(), String>) -> Response {
    let mut line: Vec<u8> = body
        .iter()
        .map(|byte| match byte {
            b'\n' | b'\r' => b' ',
            other => *other,
        })
        .collect();
    line.push(b'\n');
    let (reply, stored) = oneshot::channel();
    if receiver.jobs.send((line, reply)).is_err() {
        return answer(StatusCode::SERVICE_UNAVAILABLE, json!({"code": 503}));
    }
    match stored.await {
        Ok(Ok(line)) => {
            receiver.stored.fetch_add(1, Ordering::SeqCst);
            if let Err(why) = verdict {
                receiver.invalid.fetch_add(1, Ordering::SeqCst);
                (receiver.log)(&format!(
                    "invalid event stored at {}:{line}: {why}",
                    receiver.out
                ));
            }
            answer(StatusCode::OK, json!({"code": 200}))
        }
        _ => {
            (receiver.log)("cannot store an event (500): the sender will retry");
            answer(StatusCode::INTERNAL_SERVER_ERROR, json!({"code": 500}))
        }
    }
}
