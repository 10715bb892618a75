//! A faithful mock of the CINNOX Open API's enquiry endpoints, for contract-testing clients.
//!
//! `enquiry serve` runs it from the command line; a team's own tests start it in process with
//! [`MockServer`], the way `wiremock` is used. What it serves:
//!
//! * `GET /v1/api/apps/{appID}/data/enquiry-detail?startAt=&endAt=&offset=&limit=`: records with
//!   `createdAt` in `[startAt, endAt)`, ordered by `createdAt` then `_id`, paged (limit 50 by
//!   default, at most 500), in `{"code":200,"total":N,"offset":O,"limit":L,"enquiryDetails":[...]}`;
//! * `GET /v1/api/apps/{appID}/labels?offset=&limit=&id=&name=`: `{"code":200,"labelList":[...]}`;
//! * `PATCH /v1/api/apps/{appID}/inquiry-event-sub` `{enabled, url}`: the challenge handshake, then
//!   every enquiry's lifecycle events POSTed to `url` in order, with retries;
//! * `GET /openapi.json`, `/_mock/requests`, `/_mock/manifest`, `/_mock/health` (no token needed).
//!
//! Errors are the vendor's bodies: 400 `6451000` with one of the documented messages (anything
//! malformed in a query, an unknown or repeated parameter included, is `Bad query`; nothing is
//! ever a 500 unless injected), 401, 404 `6450001 method not found, method: M url: U`, 429
//! `6451010` with `Retry-After` (a token bucket per bearer token).
//!
//! # Design
//!
//! * **The dataset is a table, not records** ([`dataset`]): for each record, its creation time
//!   in `[from, to)` and a tie-break, both drawn from `(seed, index)`, sorted: 24 bytes a
//!   record. A page regenerates its records with `enquiry-fake` and moves each to its slot
//!   (timestamps shifted together, `_id` rebuilt from the slot). So a million records start in
//!   about a second in about 24 MB, and the same request gives the same bytes on every run.
//!   The default range is the 30 days before 2026-01-01T00:00:00Z, not before "now": a range
//!   that moved with the clock would change the bytes from one day to the next.
//! * **Misbehaviour is tower layers** ([`layers`]), outermost first: request log, auth, rate
//!   limit, chaos (`Prefer: code=|fault=|latency=`, seeded faults and latency keyed by the
//!   request's sequence number, so a run is reproducible when its requests arrive in order).
//!   The endpoints behind them are pure functions of (dataset, request).
//! * **Faults are real transport faults**: each connection's socket is wrapped so the chaos
//!   layer can reset it (linger 0, an RST before any response byte); a truncated body announces
//!   its full `Content-Length` and stops halfway; a slow body trickles in pieces.
//! * **Invalid records** (`invalid` rate) are `enquiry-fake` mutants, each carrying one labelled
//!   defect; the mutants that would make a whole page unreadable (broken syntax, invalid UTF-8,
//!   nesting too deep) are not used. Each one served is noted in the manifest.
//!
//! # Example: testing a small client
//!
//! ```
//! use enquiry_mock::{Config, MockServer};
//!
//! /// The client under test: fetches every record of a range, page by page.
//! async fn fetch_all(base: &str, app: &str, token: &str) -> Result<Vec<serde_json::Value>, String> {
//!     let client = reqwest::Client::new();
//!     let mut records = Vec::new();
//!     loop {
//!         let page: serde_json::Value = client
//!             .get(format!("{base}/v1/api/apps/{app}/data/enquiry-detail"))
//!             .bearer_auth(token)
//!             .query(&[
//!                 ("startAt", "2025-12-02T00:00:00Z"),
//!                 ("endAt", "2026-01-01T00:00:00Z"),
//!                 ("limit", "100"),
//!                 ("offset", &records.len().to_string()),
//!             ])
//!             .send()
//!             .await
//!             .map_err(|err| err.to_string())?
//!             .json()
//!             .await
//!             .map_err(|err| err.to_string())?;
//!         let batch = page["enquiryDetails"].as_array().cloned().unwrap_or_default();
//!         if batch.is_empty() {
//!             return Ok(records);
//!         }
//!         records.extend(batch);
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = MockServer::start(Config { records: 250, seed: 7, ..Config::default() })
//!     .await
//!     .unwrap();
//! let records = fetch_all(server.base_url(), server.app(), server.token()).await.unwrap();
//! assert_eq!(records.len(), 250);
//! // Every request the client made is in the log, with its status; the token is masked.
//! let log = server.requests();
//! assert_eq!(log.len(), 4);
//! assert!(log.iter().all(|entry| entry.status == 200 && entry.authorization == "Bearer ***"));
//! # }
//! ```

#![deny(missing_docs)]

pub mod api;
mod config;
pub mod dataset;
pub mod layers;
mod log;
pub mod openapi;
mod rng;
mod server;
mod webhook;

pub use config::{
    parse_fault_rate, parse_instant, parse_rate_per_minute, Config, ConfigError, Latency,
    DEFAULT_SPAN_MILLIS, DEFAULT_TO_MILLIS,
};
pub use dataset::ManifestEntry;
pub use enquiry_fake::InvalidRate;
pub use log::LoggedRequest;
pub use server::{run_until_signal, MockServer, StartError};

/// Text safe to print on a terminal or in a CI log: control characters escaped.
pub fn printable(text: &str) -> String {
    text.chars().flat_map(char::escape_debug).collect()
}

/// The token as logs show it: never more than its last two characters.
pub fn mask_token(token: &str) -> String {
    let tail: String = token
        .chars()
        .rev()
        .take(if token.chars().count() > 8 { 2 } else { 0 })
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("***{}", printable(&tail))
}
