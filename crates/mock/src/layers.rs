//! The tower layers around the endpoints, outermost first: the request log, auth, the rate
//! limit, and chaos (`Prefer`, seeded faults, latency). The control endpoints (`/_mock/*`,
//! `/openapi.json`) skip all four: they are the test's window into the mock, not the API.

use std::collections::HashMap;
use std::io;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http_body_util::BodyExt;

use crate::api::{self, control_endpoint};
use crate::log::LoggedRequest;
use crate::rng::{mix, unit, Domain};
use crate::server::{ConnectionKill, Shared};

/// A fault the chaos layer injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 500 with the vendor's `6451001` body.
    ServerError,
    /// The connection is reset before any byte of the response.
    Reset,
    /// The headers announce the whole body; half of it is sent, then the connection closes.
    Truncate,
    /// The body arrives in [`SLOW_CHUNKS`] pieces, [`SLOW_CHUNK_DELAY`] apart.
    Slow,
}

/// Fault kinds, with the names `Prefer: fault=...` and the request log use.
pub const FAULTS: &[(&str, Fault)] = &[
    ("500", Fault::ServerError),
    ("reset", Fault::Reset),
    ("truncate", Fault::Truncate),
    ("slow", Fault::Slow),
];

/// How many pieces a slow body comes in.
pub const SLOW_CHUNKS: usize = 8;
/// The pause before each piece of a slow body.
pub const SLOW_CHUNK_DELAY: Duration = Duration::from_millis(150);
/// How long a truncated body waits, after its first half, before the connection closes.
const TRUNCATE_PAUSE: Duration = Duration::from_millis(50);
/// The longest `Prefer: latency=` honoured.
const MAX_PREFERRED_LATENCY_MS: u64 = 60_000;

impl Fault {
    /// The fault's name (`reset`).
    pub fn name(self) -> &'static str {
        FAULTS
            .iter()
            .find(|(_, fault)| *fault == self)
            .map_or("", |(name, _)| name)
    }
}

/// Marks a response that carries an injected fault, for the request log.
#[derive(Debug, Clone, Copy)]
struct Injected(Fault);

fn is_control(request: &Request) -> bool {
    control_endpoint(request.uri().path()).is_some()
}

/// Records every API request: method, path, query, status, latency, fault, masked token.
pub(crate) async fn request_log(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    if is_control(&request) {
        return next.run(request).await;
    }
    let started = Instant::now();
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or("").to_owned();
    let authorization = mask_authorization(request.headers(), &shared.config.token);
    let response = next.run(request).await;
    let fault = response
        .extensions()
        .get::<Injected>()
        .map(|injected| injected.0.name().to_owned());
    shared.log.push(LoggedRequest {
        sequence: 0,
        method,
        path,
        query,
        status: response.status().as_u16(),
        latency_ms: (started.elapsed().as_micros() as f64 / 1000.0),
        fault,
        authorization,
    });
    response
}

/// The `Authorization` header as the log shows it: never the token itself.
fn mask_authorization(headers: &HeaderMap, token: &str) -> String {
    match headers
        .get(header::AUTHORIZATION)
        .map(|value| value.as_bytes())
    {
        None => "missing".to_owned(),
        Some(value) if value.strip_prefix(b"Bearer ") == Some(token.as_bytes()) => {
            "Bearer ***".to_owned()
        }
        Some(_) => "wrong".to_owned(),
    }
}

/// 401 unless the request carries `Authorization: Bearer <token>`.
pub(crate) async fn auth(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    if is_control(&request) {
        return next.run(request).await;
    }
    let expected = shared.config.token.as_bytes();
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.as_bytes().strip_prefix(b"Bearer "));
    if given != Some(expected) {
        return api::unauthorized();
    }
    next.run(request).await
}

/// A token bucket per bearer token: `capacity` requests, refilled at `capacity` per minute.
pub(crate) struct RateLimiter {
    per_minute: f64,
    buckets: Mutex<HashMap<Vec<u8>, (f64, Instant)>>,
}

impl RateLimiter {
    pub(crate) fn new(per_minute: u64) -> RateLimiter {
        RateLimiter {
            per_minute: per_minute as f64,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` to go on, or the whole seconds until a request would be allowed.
    fn take(&self, key: &[u8]) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        let (tokens, last) = buckets
            .entry(key.to_vec())
            .or_insert((self.per_minute, now));
        let per_second = self.per_minute / 60.0;
        *tokens =
            (*tokens + now.duration_since(*last).as_secs_f64() * per_second).min(self.per_minute);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

/// 429 `6451010` with `Retry-After` past the rate limit, per token.
pub(crate) async fn rate_limit(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    if is_control(&request) {
        return next.run(request).await;
    }
    let key = request
        .headers()
        .get(header::AUTHORIZATION)
        .map(|value| value.as_bytes().to_vec())
        .unwrap_or_default();
    match shared.limiter.take(&key) {
        Ok(()) => next.run(request).await,
        Err(seconds) => api::too_many(seconds),
    }
}

/// What a `Prefer` header asks for.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Prefer {
    code: Option<u16>,
    fault: Option<Fault>,
    latency_ms: Option<u64>,
}

impl Prefer {
    /// Reads `code=N`, `fault=NAME` and `latency=MS`, separated by commas or semicolons;
    /// anything else is ignored, as preferences may be.
    pub(crate) fn parse(headers: &HeaderMap) -> Prefer {
        let mut prefer = Prefer::default();
        for value in headers.get_all("prefer") {
            let Ok(text) = value.to_str() else { continue };
            for item in text.split([',', ';']) {
                let Some((key, value)) = item.trim().split_once('=') else {
                    continue;
                };
                let value = value.trim().trim_matches('"');
                match key.trim() {
                    "code" => prefer.code = value.parse().ok(),
                    "fault" => {
                        prefer.fault = FAULTS
                            .iter()
                            .find(|(name, _)| *name == value)
                            .map(|(_, fault)| *fault)
                    }
                    "latency" => {
                        prefer.latency_ms = value
                            .parse()
                            .ok()
                            .map(|ms: u64| ms.min(MAX_PREFERRED_LATENCY_MS))
                    }
                    _ => {}
                }
            }
        }
        prefer
    }
}

/// The response a `Prefer: code=N` forces, for the codes the API documents.
fn forced(code: u16) -> Option<Response> {
    Some(match code {
        400 => api::bad_request(api::BAD_QUERY),
        401 => api::unauthorized(),
        404 => api::error(
            StatusCode::NOT_FOUND,
            api::NOT_FOUND_CODE,
            "method not found",
        ),
        429 => api::too_many(60),
        500 => api::server_error(),
        _ => return None,
    })
}

/// `Prefer`, then the seeded fault and latency of this request's sequence number.
pub(crate) async fn chaos(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    if is_control(&request) {
        return next.run(request).await;
    }
    let prefer = Prefer::parse(request.headers());
    let sequence = shared.sequence.fetch_add(1, Ordering::Relaxed);
    let seed = shared.config.seed;
    let seeded_fault = || {
        let hit =
            mix(seed, sequence, Domain::Fault) % 1_000_000 < u64::from(shared.config.fault_ppm);
        let kind = mix(seed, sequence, Domain::FaultKind) % FAULTS.len() as u64;
        hit.then(|| FAULTS[kind as usize].1)
    };
    let fault = prefer.fault.or_else(seeded_fault);
    let delay = match prefer.latency_ms {
        Some(ms) => Duration::from_millis(ms),
        None => shared.config.latency.sample(
            unit(seed, sequence, Domain::Latency),
            unit(seed, sequence, Domain::Latency2),
        ),
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(response) = prefer.code.and_then(forced) {
        return response;
    }
    let Some(fault) = fault else {
        return next.run(request).await;
    };
    let kill = request.extensions().get::<ConnectionKill>().cloned();
    let mut response = match fault {
        Fault::ServerError => api::server_error(),
        Fault::Reset => {
            if let Some(kill) = kill {
                kill.0.store(true, Ordering::SeqCst);
            }
            failing_body(StatusCode::INTERNAL_SERVER_ERROR)
        }
        Fault::Truncate => truncate(next.run(request).await).await,
        Fault::Slow => slow(next.run(request).await).await,
    };
    response.extensions_mut().insert(Injected(fault));
    response
}

fn broken() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "injected fault")
}

/// A response whose body fails at once (the connection is being reset).
fn failing_body(status: StatusCode) -> Response {
    let stream = futures_util::stream::once(async { Err::<Bytes, io::Error>(broken()) });
    let mut response = Response::new(Body::from_stream(stream));
    *response.status_mut() = status;
    response
}

async fn collect(response: Response) -> (axum::http::response::Parts, Bytes) {
    let (parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    (parts, bytes)
}

/// Announces the whole body, sends half of it, then fails (the connection closes).
async fn truncate(response: Response) -> Response {
    let (mut parts, bytes) = collect(response).await;
    parts
        .headers
        .insert(header::CONTENT_LENGTH, bytes.len().into());
    let half = bytes.slice(..bytes.len() / 2);
    // The pause lets the first half leave before the failure closes the connection.
    let stream = futures_util::stream::unfold(Some(half), |state| async move {
        match state {
            Some(half) => Some((Ok(half), None)),
            None => {
                tokio::time::sleep(TRUNCATE_PAUSE).await;
                Some((Err(broken()), None))
            }
        }
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

/// The same body, in pieces with pauses between them.
async fn slow(response: Response) -> Response {
    let (mut parts, bytes) = collect(response).await;
    parts
        .headers
        .insert(header::CONTENT_LENGTH, bytes.len().into());
    let piece = bytes.len().div_ceil(SLOW_CHUNKS).max(1);
    let stream = futures_util::stream::unfold(bytes, move |rest| async move {
        if rest.is_empty() {
            return None;
        }
        tokio::time::sleep(SLOW_CHUNK_DELAY).await;
        let mut rest = rest;
        let chunk = rest.split_to(piece.min(rest.len()));
        Some((Ok::<Bytes, io::Error>(chunk), rest))
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn prefer_headers_parse() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "prefer",
            HeaderValue::from_static("code=429, latency=20; fault=reset"),
        );
        assert_eq!(
            Prefer::parse(&headers),
            Prefer {
                code: Some(429),
                fault: Some(Fault::Reset),
                latency_ms: Some(20)
            }
        );
        headers.insert(
            "prefer",
            HeaderValue::from_static("fault=nope, latency=999999999"),
        );
        let prefer = Prefer::parse(&headers);
        assert_eq!(prefer.fault, None);
        assert_eq!(prefer.latency_ms, Some(MAX_PREFERRED_LATENCY_MS));
    }

    #[test]
    fn the_bucket_empties_and_names_the_wait() {
        let limiter = RateLimiter::new(3);
        for _ in 0..3 {
            assert_eq!(limiter.take(b"a"), Ok(()));
        }
        let wait = limiter.take(b"a").unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        assert_eq!(limiter.take(b"b"), Ok(()));
    }
}
