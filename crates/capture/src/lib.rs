//! Capture CINNOX enquiry data from the Open API, contract-aware and resumable.
//!
//! [`fetch()`] pages `enquiry-detail` for one time range and appends every record, byte for byte
//! as the API sent it, as one NDJSON line of an output file (gzip when the name ends in `.gz`,
//! zstd when it ends in `.zst`). [`FetchObserver::stored`] hands each stored page's text to the
//! caller as soon as it is durable: the `enquiry fetch` command validates it there, page by
//! page, while the next page downloads.
//!
//! # Design
//!
//! * **One page at a time, in order.** A page is requested at the offset after the last stored
//!   record; only a complete, well-formed page is stored. The records of a page are kept as
//!   the raw JSON text of the array items ([`serde_json::value::RawValue`]), so no number,
//!   escape or member order is rewritten. Insignificant line breaks inside a record (a
//!   pretty-printed response) become spaces, the one change needed to keep a record on a line;
//!   a JSON string cannot hold a raw line break, so no value changes.
//! * **Retries are classified, bounded and logged.** A 429 (or a body with code `6451010`)
//!   waits at least its `Retry-After`; 5xx, connection resets, timeouts, bodies cut short and
//!   malformed bodies are retried with exponential backoff and jitter, at most `max_retries`
//!   times in a row. Answers that no retry can fix (401/403, 404, other 4xx, a body that is not
//!   JSON such as an HTML page) stop the run at once with one line that says what to check.
//!   Every log line passes through [`mask`], so the token never appears in one.
//! * **Crash safety by checkpoint.** After each page the output is appended and `fsync`ed, then
//!   the checkpoint (`OUT.checkpoint`: the fetch's parameters, the next offset and the bytes
//!   written) is written to a temporary file, `fsync`ed and renamed over the old one. A run
//!   that finds a checkpoint for the same parameters truncates the output to the recorded
//!   length (dropping a page written after the last checkpoint) and continues at the recorded
//!   offset: no record is lost or stored twice. Compressed, each page is one gzip member or
//!   zstd frame, so a resumed file is byte-identical to an uninterrupted one. A resumed run
//!   first hands the records of the earlier runs to [`FetchObserver::stored`] (decompressed),
//!   so the caller sees the whole file. The checkpoint is removed when the range is complete.
//! * **A moving result set is reported.** The `total` of every page is compared with the first
//!   page's; a change means records were added or removed under the run (offset paging can
//!   then skip or repeat records), and each change is logged and returned in [`FetchSummary`].
//!
//! [`reconcile()`] checks captured events against captured records (the lifecycle rules of
//! the webhook contract): events with no record, records with no events, a record status that
//! disagrees with the last event, events out of order, repeated deliveries. It is a sort-merge
//! join by enquiry ID in bounded memory: compact entries of both files are sorted externally
//! (in memory up to [`ReconcileOptions::memory_budget`], in temporary files beyond it), then
//! merged one enquiry at a time, so ten million records take no more memory than ten
//! thousand. Its findings have their own codes ([`ReconcileCode`]) and their own renderers
//! ([`ReconcileReporter`]: human, json, github, junit, sarif), built on the report crate's
//! escaping functions.
//!
//! [`listen()`] is the webhook receiver behind `enquiry listen`: it answers the challenge
//! handshake (`{"challenge": C}` gets `{"code": 200, "result": {"challenge": C}}`) and appends
//! every other JSON body to an NDJSON file, one line each, acknowledging (2xx) only after the
//! batch it belongs to is `fsync`ed. Each event is checked by a pluggable [`EventCheck`]
//! (by default [`documented_shape`]: the documented members and their types); invalid events
//! are stored too, counted and reported with their line; bodies that are not JSON get 400,
//! larger ones than the limit 413.

#![deny(missing_docs)]

mod checkpoint;
mod fetch;
mod listen;
mod output;
mod page;
mod reconcile;
mod retry;

pub use fetch::{
    fetch, FetchError, FetchObserver, FetchOptions, FetchSummary, LogOnly, TotalMoved,
};
pub use listen::{documented_shape, listen, EventCheck, ListenOptions, ListenSummary};
pub use output::{decoded, Compression};
pub use reconcile::{
    reconcile, ReconcileCode, ReconcileFinding, ReconcileFormat, ReconcileOptions,
    ReconcileReporter, ReconcileSink, ReconcileSummary, RECONCILE_CODES,
};
pub use retry::Backoff;

/// `text` with every occurrence of `token` masked as `***` plus its last two characters (none
/// for a token of eight characters or fewer), and control characters escaped, so the line is
/// safe for a terminal or a CI log.
pub fn mask(text: &str, token: &str) -> String {
    let masked = if token.is_empty() {
        text.to_owned()
    } else {
        text.replace(token, &masked_token(token))
    };
    masked.chars().flat_map(char::escape_debug).collect()
}

/// The token as logs show it.
pub fn masked_token(token: &str) -> String {
    let count = token.chars().count();
    let tail: String = if count > 8 {
        token.chars().skip(count - 2).collect()
    } else {
        String::new()
    };
    format!("***{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_masked_and_controls_escaped() {
        let token = "secret-token-12";
        assert_eq!(
            mask("Bearer secret-token-12 \u{1b}[31m", token),
            "Bearer ***12 \\u{1b}[31m"
        );
        assert_eq!(masked_token("short"), "***");
        assert_eq!(mask("nothing here", ""), "nothing here");
    }
}
