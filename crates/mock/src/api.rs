//! The endpoints: routing by (method, path), strict query parsing, and the response bodies.
//!
//! Every answer is a pure function of the dataset and the request, except the control
//! endpoints under `/_mock/` (they report what happened) and the subscription (it talks to the
//! subscriber). Bad input of any kind gets a documented 400 body; nothing here panics.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::DateTime;
use enquiry_schema::names::label_list;
use serde_json::{json, Value};

use crate::server::Shared;

/// The vendor's result code of every 400 answer.
pub const BAD_REQUEST_CODE: u32 = 6451000;
/// The vendor's result code of a 404 answer.
pub const NOT_FOUND_CODE: u32 = 6450001;
/// The vendor's result code of a 429 answer.
pub const TOO_MANY_CODE: u32 = 6451010;
/// The vendor's result code of a 500 answer.
pub const SERVER_ERROR_CODE: u32 = 6451001;

/// The documented 400 messages, in the order the checks run.
pub const BAD_REQUEST_MESSAGES: &[&str] = &[
    MISSING_RANGE,
    END_BEFORE_START,
    NEGATIVE_OFFSET,
    NEGATIVE_LIMIT,
    EXCEED_LIMIT,
    BAD_QUERY,
];
/// `startAt` or `endAt` is absent (or empty).
pub const MISSING_RANGE: &str = "missing one of startAt, endAt";
/// `endAt` is before `startAt`.
pub const END_BEFORE_START: &str = "endAt is prior to startAt";
/// `offset` is below zero.
pub const NEGATIVE_OFFSET: &str = "negative offset";
/// `limit` is below zero.
pub const NEGATIVE_LIMIT: &str = "negative limit";
/// `limit` is above [`MAX_LIMIT`].
pub const EXCEED_LIMIT: &str = "exceed maximum limit 500";
/// Anything else wrong with the query or body: an unknown or repeated parameter, a value that
/// is not a number or not an RFC 3339 date-time, bad percent-encoding, a malformed body.
pub const BAD_QUERY: &str = "Bad query";
/// The subscriber did not answer the challenge handshake correctly.
pub const VERIFICATION_FAILED: &str = "url verification failed";
/// The message of a 500 answer.
pub const SERVER_ERROR_MESSAGE: &str = "Bad response from the service";
/// The message of a 429 answer.
pub const TOO_MANY_MESSAGE: &str = "Too many requests";
/// The message of a 401 answer.
pub const UNAUTHORIZED_MESSAGE: &str = "Unauthorized";

/// The page size when `limit` is absent or 0.
pub const DEFAULT_LIMIT: u64 = 50;
/// The largest page.
pub const MAX_LIMIT: u64 = 500;

/// A JSON response with `body`.
pub(crate) fn json_bytes(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The vendor's error body `{"code": C, "message": M}`.
pub(crate) fn error(status: StatusCode, code: u32, message: &str) -> Response {
    let body = json!({"code": code, "message": message});
    json_bytes(status, body.to_string().into_bytes())
}

/// 400 with one of the documented messages.
pub(crate) fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, BAD_REQUEST_CODE, message)
}

/// 404 `method not found, method: M url: U` (the request target as received).
pub(crate) fn not_found(method: &Method, target: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        NOT_FOUND_CODE,
        &format!("method not found, method: {method} url: {target}"),
    )
}

/// 401 for a missing or wrong token.
pub(crate) fn unauthorized() -> Response {
    let mut response = error(StatusCode::UNAUTHORIZED, 401, UNAUTHORIZED_MESSAGE);
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// 429 with `Retry-After` in whole seconds.
pub(crate) fn too_many(retry_after_seconds: u64) -> Response {
    let mut response = error(
        StatusCode::TOO_MANY_REQUESTS,
        TOO_MANY_CODE,
        TOO_MANY_MESSAGE,
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
    response
}

/// 500 `6451001`.
pub(crate) fn server_error() -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        SERVER_ERROR_CODE,
        SERVER_ERROR_MESSAGE,
    )
}

/// The request target as received (path and query), for the 404 message.
pub(crate) fn target(request: &Request) -> String {
    request.uri().path_and_query().map_or_else(
        || request.uri().path().to_owned(),
        |pq| pq.as_str().to_owned(),
    )
}

/// What a request path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    EnquiryDetail,
    Labels,
    Subscription,
    OpenApi,
    MockRequests,
    MockManifest,
    MockHealth,
}

/// Endpoints of the application, by the path after `/v1/api/apps/{appID}/`.
const APP_ENDPOINTS: &[(&str, Method, Endpoint)] = &[
    ("data/enquiry-detail", Method::GET, Endpoint::EnquiryDetail),
    ("labels", Method::GET, Endpoint::Labels),
    ("inquiry-event-sub", Method::PATCH, Endpoint::Subscription),
];

/// Endpoints at fixed paths (no token needed: they belong to the mock, not the vendor).
const CONTROL_ENDPOINTS: &[(&str, Endpoint)] = &[
    ("/openapi.json", Endpoint::OpenApi),
    ("/_mock/requests", Endpoint::MockRequests),
    ("/_mock/manifest", Endpoint::MockManifest),
    ("/_mock/health", Endpoint::MockHealth),
];

/// The control endpoint at `path`, if any (any method: they answer GET and HEAD only).
pub(crate) fn control_endpoint(path: &str) -> Option<Endpoint> {
    CONTROL_ENDPOINTS
        .iter()
        .find(|(at, _)| *at == path)
        .map(|(_, endpoint)| *endpoint)
}

/// The application endpoint for `method` and `path` of application `app`.
pub(crate) fn app_endpoint(app: &str, method: &Method, path: &str) -> Option<Endpoint> {
    let rest = path.strip_prefix("/v1/api/apps/")?.strip_prefix(app)?;
    let rest = rest.strip_prefix('/')?;
    APP_ENDPOINTS
        .iter()
        .find(|(at, expected, _)| *at == rest && expected == method)
        .map(|(_, _, endpoint)| *endpoint)
}

/// The one handler: dispatches by endpoint.
pub(crate) async fn dispatch(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let endpoint = control_endpoint(&path)
        .filter(|_| method == Method::GET || method == Method::HEAD)
        .or_else(|| app_endpoint(&shared.config.app, &method, &path));
    let Some(endpoint) = endpoint else {
        return not_found(&method, &target(&request));
    };
    let query = query.as_deref();
    match endpoint {
        Endpoint::EnquiryDetail => enquiry_detail(&shared, query),
        Endpoint::Labels => labels(&shared, query),
        Endpoint::Subscription => {
            let body = axum::body::to_bytes(request.into_body(), 64 * 1024).await;
            match body {
                Ok(body) => crate::webhook::subscribe(&shared, &body).await,
                Err(_) => bad_request(BAD_QUERY),
            }
        }
        Endpoint::OpenApi => json_bytes(StatusCode::OK, shared.openapi.clone()),
        Endpoint::MockRequests => axum::Json(shared.log.entries()).into_response(),
        Endpoint::MockManifest => axum::Json(shared.dataset.manifest()).into_response(),
        Endpoint::MockHealth => axum::Json(shared.health()).into_response(),
    }
}

/// A query string as (name, value) pairs, percent-decoded; `None` when the encoding is bad.
/// `+` is kept as `+` (not a space), so an unencoded `+08:00` offset means what it says.
pub(crate) fn parse_query(query: Option<&str>) -> Option<Vec<(String, String)>> {
    let Some(query) = query.filter(|query| !query.is_empty()) else {
        return Some(Vec::new());
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((percent_decode(name)?, percent_decode(value)?))
        })
        .collect()
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = std::str::from_utf8(bytes.get(at + 1..at + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Why a query was refused: one of the documented 400 messages.
type Rejection = &'static str;

/// The query parameters of one endpoint, each at most once, none unknown.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(query: Option<&str>, allowed: &[&str]) -> Result<Params, Rejection> {
        let pairs = parse_query(query).ok_or(BAD_QUERY)?;
        for (at, (name, _)) in pairs.iter().enumerate() {
            let repeated = pairs[..at].iter().any(|(other, _)| other == name);
            if repeated || !allowed.contains(&name.as_str()) {
                return Err(BAD_QUERY);
            }
        }
        Ok(Params(pairs))
    }

    /// The value of `name`, `None` when absent or empty.
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    }

    /// `offset` and `limit`, checked in the vendor's order.
    fn paging(&self) -> Result<(u64, u64), Rejection> {
        let offset = match self.get("offset") {
            None => 0,
            Some(text) => match parse_integer(text)? {
                value if value < 0 => return Err(NEGATIVE_OFFSET),
                value => value as u64,
            },
        };
        let limit = match self.get("limit") {
            None => DEFAULT_LIMIT,
            Some(text) => match parse_integer(text)? {
                value if value < 0 => return Err(NEGATIVE_LIMIT),
                0 => DEFAULT_LIMIT,
                value if value as u64 > MAX_LIMIT => return Err(EXCEED_LIMIT),
                value => value as u64,
            },
        };
        Ok((offset, limit))
    }
}

/// A decimal integer (optional `-`), or `Bad query`.
fn parse_integer(text: &str) -> Result<i64, Rejection> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BAD_QUERY);
    }
    text.parse().map_err(|_| BAD_QUERY)
}

/// An RFC 3339 instant as milliseconds, rounded up (so `createdAt >= instant` compares
/// exactly at millisecond precision), or `Bad query`.
fn parse_bound(text: &str) -> Result<i64, Rejection> {
    let at = DateTime::parse_from_rfc3339(text).map_err(|_| BAD_QUERY)?;
    let millis = at.timestamp_millis();
    Ok(if at.timestamp_subsec_nanos() % 1_000_000 == 0 {
        millis
    } else {
        millis + 1
    })
}

fn enquiry_detail(shared: &Shared, query: Option<&str>) -> Response {
    let page = || -> Result<Response, Rejection> {
        let params = Params::parse(query, &["startAt", "endAt", "offset", "limit"])?;
        let (Some(start), Some(end)) = (params.get("startAt"), params.get("endAt")) else {
            return Err(MISSING_RANGE);
        };
        let (start, end) = (parse_bound(start)?, parse_bound(end)?);
        if end < start {
            return Err(END_BEFORE_START);
        }
        let (offset, limit) = params.paging()?;
        let (first, last) = shared.dataset.range(start, end);
        let total = (last - first) as u64;
        let from = first.saturating_add(offset.min(total) as usize);
        let to = from.saturating_add(limit as usize).min(last);
        let mut body = Vec::with_capacity(96 + (to - from) * 1800);
        body.extend_from_slice(
            format!(
                "{{\"code\":200,\"total\":{total},\"offset\":{offset},\"limit\":{limit},{}:[",
                shared.envelope_key_json
            )
            .as_bytes(),
        );
        if shared.dataset.write_records(from, to, &mut body) {
            shared.write_manifest_file();
        }
        body.extend_from_slice(b"]}");
        Ok(json_bytes(StatusCode::OK, body))
    };
    page().unwrap_or_else(bad_request)
}

fn labels(shared: &Shared, query: Option<&str>) -> Response {
    let page = || -> Result<Response, Rejection> {
        let params = Params::parse(query, &["offset", "limit", "id", "name"])?;
        let (offset, limit) = params.paging()?;
        let id = params.get("id");
        let name = params.get("name").map(str::to_lowercase);
        let matches = |label: &&Value| {
            let text = |member: &str| label.get(member).and_then(Value::as_str);
            id.is_none_or(|id| text("id") == Some(id))
                && name.as_deref().is_none_or(|wanted| {
                    text("name").is_some_and(|name| name.to_lowercase().contains(wanted))
                })
        };
        let list: Vec<&Value> = shared
            .dataset
            .labels()
            .iter()
            .filter(matches)
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(limit as usize)
            .collect();
        let body = json!({"code": 200, (label_list::LABEL_LIST): list});
        Ok(json_bytes(StatusCode::OK, body.to_string().into_bytes()))
    };
    page().unwrap_or_else(bad_request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_decode_strictly() {
        assert_eq!(
            parse_query(Some("a=1&b=%2B08%3A00&c=+x")),
            Some(vec![
                ("a".into(), "1".into()),
                ("b".into(), "+08:00".into()),
                ("c".into(), "+x".into())
            ])
        );
        assert_eq!(parse_query(Some("a=%zz")), None);
        assert_eq!(parse_query(Some("a=%ff")), None);
        assert_eq!(parse_query(None), Some(vec![]));
    }

    #[test]
    fn paths_route_only_for_the_configured_app() {
        let get = Method::GET;
        assert_eq!(
            app_endpoint("app", &get, "/v1/api/apps/app/data/enquiry-detail"),
            Some(Endpoint::EnquiryDetail)
        );
        assert_eq!(app_endpoint("app", &get, "/v1/api/apps/other/labels"), None);
        assert_eq!(app_endpoint("app", &get, "/v1/api/apps/appx/labels"), None);
        assert_eq!(
            app_endpoint("app", &Method::POST, "/v1/api/apps/app/labels"),
            None
        );
        assert_eq!(
            control_endpoint("/_mock/health"),
            Some(Endpoint::MockHealth)
        );
    }
}
