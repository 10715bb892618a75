//! The request log: a bounded ring of what the API was asked and answered, optionally mirrored
//! to a file as NDJSON. The token never appears in it.

use std::collections::VecDeque;
use std::fs::File;
use std::io::Write;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// One API request as `/_mock/requests` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedRequest {
    /// 0-based position in the log, over the server's life.
    pub sequence: u64,
    /// `GET`, `PATCH`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string (`""` when none).
    pub query: String,
    /// The status the server answered (for a `reset` fault, the one it never sent).
    pub status: u16,
    /// From the request reaching the log layer to the response headers, in milliseconds.
    #[serde(rename = "latencyMs")]
    pub latency_ms: f64,
    /// The injected fault, if any (`500`, `reset`, `truncate`, `slow`).
    pub fault: Option<String>,
    /// `Bearer ***` for the right token, `wrong`, or `missing`.
    pub authorization: String,
}

/// The log. Keeps the newest `capacity` entries, so memory stays flat however long it runs.
pub(crate) struct RequestLog {
    capacity: usize,
    state: Mutex<(u64, VecDeque<LoggedRequest>)>,
    file: Option<Mutex<File>>,
}

impl RequestLog {
    pub(crate) fn new(capacity: usize, file: Option<File>) -> RequestLog {
        RequestLog {
            capacity: capacity.max(1),
            state: Mutex::new((0, VecDeque::new())),
            file: file.map(Mutex::new),
        }
    }

    pub(crate) fn push(&self, mut entry: LoggedRequest) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        entry.sequence = state.0;
        state.0 += 1;
        if let Some(file) = &self.file {
            if let (Ok(mut file), Ok(line)) = (file.lock(), serde_json::to_string(&entry)) {
                let _ = writeln!(file, "{line}");
            }
        }
        if state.1.len() == self.capacity {
            state.1.pop_front();
        }
        state.1.push_back(entry);
    }

    pub(crate) fn entries(&self) -> Vec<LoggedRequest> {
        self.state
            .lock()
            .map(|state| state.1.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub(crate) fn total(&self) -> u64 {
        self.state.lock().map(|state| state.0).unwrap_or(0)
    }
}
