//! `enquiry listen` fed by the mock's webhook sender (loopback): the handshake is answered,
//! every event is stored once and in order, 413 beyond `--max-body`, SIGTERM stops it cleanly,
//! and a listener killed mid-delivery has stored every event it acknowledged.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::TempDir;
use enquiry_fake::events::{lifecycle, LifecycleEvent};
use enquiry_mock::dataset::Dataset;
use enquiry_mock::{Config, MockServer};
use serde_json::Value;

/// Starts `enquiry listen`; returns the child and its base URL (its first stdout line).
fn start_listener(out: &Path, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_enquiry"))
        .args(["listen", "--addr", "127.0.0.1:0", "--out"])
        .arg(out)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.trim_end().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{first:?}");
    (child, url)
}

/// One HTTP/1.1 request over a fresh connection; the status code and the body.
fn request(url: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let addr = url.trim_start_matches("http://");
    let headers = "Content-Type: application/json\r\n";
    let response = common::http(addr, method, path, headers, body);
    let status = response
        .get(9..12)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    (status, body.to_owned())
}

fn config(records: u64, webhook: &str) -> Config {
    Config {
        records,
        seed: 21,
        webhook: Some(format!("{webhook}/hooks/enquiry")),
        webhook_per_second: 400,
        ..Config::default()
    }
}

/// Every event the mock sends for `config`, in sending order.
fn expected_events(config: &Config) -> Vec<LifecycleEvent> {
    let dataset = Dataset::new(config).unwrap();
    (0..dataset.len())
        .filter_map(|position| dataset.valid_record(position))
        .filter_map(|bytes| lifecycle(&serde_json::from_slice::<Value>(&bytes).unwrap()))
        .flatten()
        .collect()
}

fn delivered(server: &MockServer) -> u64 {
    let (_, body) = request(server.base_url(), "GET", "/_mock/health", "");
    let health: Value = serde_json::from_str(&body).unwrap();
    health["webhook"]["delivered"].as_u64().unwrap()
}

fn stored(out: &Path) -> Vec<LifecycleEvent> {
    let text = std::fs::read_to_string(out).unwrap();
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[cfg(unix)]
fn signal(child: &Child, signal: i32) {
    // SAFETY: `kill` sends a signal to a process id this test started; no memory is touched.
    #[allow(unsafe_code)] // Reason: the one way to send SIGTERM to a child with std only.
    let sent = unsafe { libc::kill(child.id() as i32, signal) };
    assert_eq!(sent, 0);
}

/// Stops the listener with SIGTERM: its exit code and its log.
#[cfg(unix)]
fn stop(mut child: Child) -> (Option<i32>, String) {
    signal(&child, libc::SIGTERM);
    let status = child.wait().unwrap();
    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    (status.code(), log)
}

/// Polls the mock until `enough` holds of its count of delivered events, failing with `what`
/// after `limit`.
fn wait_for_deliveries(
    server: &MockServer,
    limit: Duration,
    what: &str,
    enough: impl Fn(u64) -> bool,
) {
    let started = Instant::now();
    while !enough(delivered(server)) {
        assert!(started.elapsed() < limit, "{what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(unix)]
#[test]
fn listen_answers_the_handshake_and_stores_every_event_once() {
    let dir = TempDir::new("listen-all");
    let out = dir.0.join("events.ndjson");
    let (child, url) = start_listener(&out, &["--max-body", "4096"]);

    let (status, body) = request(&url, "POST", "/", r#"{"challenge":"abc\"1"}"#);
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        answer,
        serde_json::json!({"code": 200, "result": {"challenge": "abc\"1"}})
    );
    let oversize = format!("{{\"pad\":\"{}\"}}", "x".repeat(5000));
    assert_eq!(request(&url, "POST", "/", &oversize).0, 413);
    assert_eq!(request(&url, "POST", "/", "not json").0, 400);

    let config = config(25, &url);
    let expected = expected_events(&config);
    assert!(expected.len() > 40, "{}", expected.len());
    let server = MockServer::start_blocking(config).unwrap();
    let all = expected.len() as u64;
    wait_for_deliveries(&server, Duration::from_secs(60), "delivery stalled", |n| {
        n >= all
    });
    let (code, log) = stop(child);
    assert_eq!(code, Some(0), "{log}");
    assert!(
        log.contains(&format!("stored {} events", expected.len())),
        "{log}"
    );
    assert!(log.contains("answered 2 challenges"), "{log}");
    // The mock sends what the webhook documents: the event contract finds nothing.
    assert!(log.contains("(0 invalid)"), "{log}");
    assert_eq!(stored(&out), expected, "each event once, in order");
}

#[cfg(unix)]
#[test]
fn a_killed_listener_has_stored_every_event_it_acknowledged() {
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    eprintln!("kill seed {seed}");
    for round in 0..3u64 {
        let dir = TempDir::new("listen-kill");
        let out = dir.0.join("events.ndjson");
        let (mut child, url) = start_listener(&out, &[]);
        let config = config(200, &url);
        let expected = expected_events(&config);
        let server = MockServer::start_blocking(config).unwrap();
        let limit = Duration::from_secs(30);
        wait_for_deliveries(&server, limit, "delivery never started", |n| n > 0);
        std::thread::sleep(Duration::from_millis((seed + round * 97) % 400));
        signal(&child, libc::SIGKILL);
        child.wait().unwrap();
        // The event in flight at the kill fails at the sender; let that settle.
        std::thread::sleep(Duration::from_millis(300));
        let acknowledged = delivered(&server) as usize;
        let kept = stored(&out);
        assert!(
            acknowledged > 0 && acknowledged < expected.len(),
            "{acknowledged}"
        );
        assert!(
            kept.len() == acknowledged || kept.len() == acknowledged + 1,
            "stored {} of {acknowledged} acknowledged",
            kept.len()
        );
        assert_eq!(kept[..], expected[..kept.len()]);
    }
}

#[cfg(unix)]
#[test]
fn invalid_events_are_stored_and_reported_with_their_line() {
    let dir = TempDir::new("listen-invalid");
    let out = dir.0.join("events.ndjson");
    // An earlier run's event: new lines are numbered after it.
    std::fs::write(&out, "{\"earlier\":true}\n").unwrap();
    let (child, url) = start_listener(&out, &[]);
    let config = config(1, &url);
    let valid = serde_json::to_string(&expected_events(&config)[0]).unwrap();
    let hostile = "{\"status\":\"Opened\",\"eid\":\"\\u001b[2J::error::x\"}";
    for body in [valid.as_str(), hostile, valid.as_str()] {
        assert_eq!(request(&url, "POST", "/hooks/enquiry", body).0, 200);
    }
    let (code, log) = stop(child);
    assert_eq!(code, Some(0), "{log}");
    let stored_lines: Vec<String> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(stored_lines.len(), 4, "stored anyway");
    assert_eq!(stored_lines[2], hostile);
    let reported: Vec<&str> = log
        .lines()
        .filter(|line| line.contains("invalid event"))
        .collect();
    assert_eq!(reported.len(), 1, "{log}");
    // Checked by the event contract, as `validate --contract event` checks it.
    assert!(
        reported[0].contains("events.ndjson:3: 4 error(s): required at /serviceId")
            && reported[0].contains("and 1 more"),
        "{log}"
    );
    assert!(!log.contains('\u{1b}'), "{log}");
    assert!(
        log.contains("stored 3 events") && log.contains("(1 invalid)"),
        "{log}"
    );
}
