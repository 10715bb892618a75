//! `enquiry fetch` against the mock Open API (in process, loopback): it recovers exactly the
//! fault-free dataset through faults, a rate limit and latency; its findings are the server's
//! manifest; killed and resumed it writes the same bytes; bad input is one line and exit 2.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::TempDir;
use enquiry_mock::{Config, InvalidRate, Latency, MockServer};
use serde_json::Value;

const TOKEN: &str = "fetch-test-token-4711";
const FROM: &str = "2025-12-02T00:00:00Z";
const TO: &str = "2026-01-01T00:00:00Z";

fn fetch_command(base_url: &str, out: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_enquiry"));
    command
        .args(["fetch", "--base-url", base_url, "--app", "mock-app"])
        .args([
            "--token-env",
            "FETCH_TEST_TOKEN",
            "--from",
            FROM,
            "--to",
            TO,
        ])
        .arg("--out")
        .arg(out)
        .args(extra)
        .env("FETCH_TEST_TOKEN", TOKEN)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn fetch(base_url: &str, out: &Path, extra: &[&str]) -> Output {
    fetch_command(base_url, out, extra).output().unwrap()
}

fn config(records: u64) -> Config {
    Config {
        token: TOKEN.to_owned(),
        records,
        seed: 11,
        invalid: InvalidRate::PerMillion(200_000),
        ..Config::default()
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn fetch_through_faults_rate_limit_and_latency_recovers_the_dataset_and_its_manifest() {
    let dir = TempDir::new("fetch-faults");
    let clean = MockServer::start_blocking(config(600)).unwrap();
    let reference = dir.0.join("reference.ndjson");
    let output = fetch(
        clean.base_url(),
        &reference,
        &["--page-size", "20", "--no-validate"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let hostile = MockServer::start_blocking(Config {
        fault_ppm: 200_000,
        rate_limit_per_minute: 30,
        latency: Latency::LogNormal {
            median: 5.0,
            p99: 60.0,
        },
        ..config(600)
    })
    .unwrap();
    let out = dir.0.join("faulty.ndjson");
    let extra = [
        "--page-size",
        "20",
        "--format",
        "json",
        "--backoff-ms",
        "50",
        "--timeout",
        "5",
    ];
    let output = fetch(hostile.base_url(), &out, &extra);
    let log = stderr(&output);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{log}");
    assert!(log.contains("HTTP 429"), "the rate limit was met: {log}");
    assert!(log.contains("HTTP 500") || log.contains("connection") || log.contains("cut short"));
    assert!(!log.contains(TOKEN), "{log}");

    let fetched = std::fs::read(&out).unwrap();
    assert_eq!(
        fetched,
        std::fs::read(&reference).unwrap(),
        "same records, same bytes"
    );
    let lines: Vec<&[u8]> = fetched
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines.len(), 600);
    assert!(!dir.0.join("faulty.ndjson.checkpoint").exists());

    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut first_by_record: BTreeMap<u64, &Value> = BTreeMap::new();
    for finding in report["findings"].as_array().unwrap() {
        first_by_record
            .entry(finding["record"].as_u64().unwrap())
            .or_insert(finding);
    }
    let manifest = hostile.manifest();
    // The record's ID member, from the contract table (its first row).
    let id_key = enquiry_schema::fields::FIELDS[0].name;
    assert!(manifest.len() > 60, "{}", manifest.len());
    assert_eq!(first_by_record.len(), manifest.len());
    for ((record, finding), labelled) in first_by_record.iter().zip(&manifest) {
        assert_eq!(
            (
                finding["pointer"].as_str().unwrap(),
                finding["code"].as_str().unwrap()
            ),
            (labelled.pointer.as_str(), labelled.code.as_str()),
            "record {record}"
        );
        let line: Value = serde_json::from_slice(lines[*record as usize]).unwrap_or(Value::Null);
        if labelled.pointer != "/_id" && labelled.code != "not-an-object" {
            assert_eq!(line[id_key].as_str(), Some(labelled.id.as_str()));
        }
    }
    let errors = report["summary"]["errors"].as_u64().unwrap();
    assert_eq!(output.status.code(), Some(if errors > 0 { 1 } else { 0 }));
}

/// A small xorshift generator: the kill points, reproducible from the printed seed.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[cfg(unix)]
#[test]
fn fetch_killed_five_times_and_resumed_writes_the_same_bytes() {
    let dir = TempDir::new("fetch-kill");
    let server = MockServer::start_blocking(Config {
        latency: Latency::Fixed(25),
        ..config(1000)
    })
    .unwrap();
    // 100 pages of at least 25 ms: longer than the five kills' 100-400 ms together.
    let extra = ["--page-size", "10", "--no-validate"];
    let reference = dir.0.join("reference.ndjson.gz");
    let output = fetch(server.base_url(), &reference, &extra);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let mut seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("kill seed {seed}");
    let out = dir.0.join("resumed.ndjson.gz");
    let checkpoint = dir.0.join("resumed.ndjson.gz.checkpoint");
    let mut resumed = 0;
    for _ in 0..5 {
        let mut child = fetch_command(server.base_url(), &out, &extra)
            .spawn()
            .unwrap();
        let started = Instant::now();
        let wait = Duration::from_millis(100 + next(&mut seed) % 300);
        while started.elapsed() < wait && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap_or_default();
        let status = child.wait().unwrap();
        resumed += usize::from(status.code().is_none() && checkpoint.exists());
    }
    assert!(resumed >= 4, "the kills land mid-run: {resumed}");
    let output = fetch(server.base_url(), &out, &extra);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("resuming at offset"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&reference).unwrap()
    );
    assert!(!checkpoint.exists());
}

/// Asserts exit 2 and exactly one stderr line containing `expected`, no token, no panic.
fn assert_one_line_failure(output: &Output, expected: &str) {
    let log = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{log}");
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(
        log.starts_with("enquiry fetch: ") && log.contains(expected),
        "{log}"
    );
    assert!(!log.contains(TOKEN) && !log.contains("panicked"), "{log}");
}

/// A server that answers every request with an HTML page (a login portal, a proxy).
fn html_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let body = "<html><body>Sign in</body></html>";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}")
}

#[test]
fn bad_input_is_one_clear_line_and_exit_2() {
    let dir = TempDir::new("fetch-bad");
    let out = dir.0.join("out.ndjson");
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let no_retry = ["--max-retries", "0"];
    assert_one_line_failure(&fetch(&closed, &out, &no_retry), "cannot connect");

    let server = MockServer::start_blocking(Config {
        token: "another-token-9".to_owned(),
        ..config(10)
    })
    .unwrap();
    assert_one_line_failure(&fetch(server.base_url(), &out, &no_retry), "HTTP 401");

    let right_token = MockServer::start_blocking(config(10)).unwrap();
    let wrong_root = format!("{}/not-the-api", right_token.base_url());
    assert_one_line_failure(&fetch(&wrong_root, &out, &no_retry), "HTTP 404");
    assert_one_line_failure(
        &fetch(&html_server(), &out, &no_retry),
        "text/html, not JSON",
    );

    let unset = fetch_command(server.base_url(), &out, &[])
        .env_remove("FETCH_TEST_TOKEN")
        .output()
        .unwrap();
    assert_one_line_failure(&unset, "FETCH_TEST_TOKEN is not set");
}

/// A server whose result set grows by one record after the first page.
fn growing_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let read = stream.read(&mut request).unwrap_or(0);
            let head = String::from_utf8_lossy(&request[..read]).into_owned();
            let first = head.contains("offset=0&");
            let (total, items) = if first {
                (3, "{\"n\":1},{\"n\":2}")
            } else {
                (4, "{\"n\":3},{\"n\":4}")
            };
            let body = format!("{{\"code\":200,\"total\":{total},\"list\":[{items}]}}");
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}")
}

#[test]
fn a_result_set_that_moves_during_the_fetch_is_reported() {
    let dir = TempDir::new("fetch-moved");
    let out = dir.0.join("out.ndjson");
    let output = fetch(
        &growing_server(),
        &out,
        &["--page-size", "2", "--no-validate"],
    );
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{log}");
    assert!(log.contains("total was 3, is 4 at offset 2"), "{log}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written, "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n");
}

/// The `validate --format json` report of a file, as `fetch` must equal it.
fn validate_report(path: &Path) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_enquiry"))
        .args(["validate", "--no-config", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

#[cfg(unix)]
#[test]
fn a_zstd_fetch_killed_and_resumed_decompresses_to_the_plain_fetch_and_reports_the_same_findings() {
    let dir = TempDir::new("fetch-zstd");
    let server = MockServer::start_blocking(Config {
        latency: Latency::Fixed(25),
        ..config(400)
    })
    .unwrap();
    let plain = dir.0.join("plain.ndjson");
    let output = fetch(
        server.base_url(),
        &plain,
        &["--page-size", "10", "--no-validate"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let out = dir.0.join("captured.ndjson.zst");
    let checkpoint = dir.0.join("captured.ndjson.zst.checkpoint");
    let extra = ["--page-size", "10", "--format", "json"];
    let mut child = fetch_command(server.base_url(), &out, &extra)
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !checkpoint.exists() && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(150));
    child.kill().unwrap();
    assert_eq!(child.wait().unwrap().code(), None, "killed mid-run");
    assert!(checkpoint.exists());

    let output = fetch(server.base_url(), &out, &extra);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("resuming at offset"),
        "{}",
        stderr(&output)
    );
    let compressed = std::fs::read(&out).unwrap();
    assert_eq!(&compressed[..4], &[0x28, 0xb5, 0x2f, 0xfd], "a zstd frame");
    let decompressed = zstd::stream::decode_all(&compressed[..]).unwrap();
    assert_eq!(decompressed, std::fs::read(&plain).unwrap());

    // The report covers the whole file, earlier run included, exactly as `validate` sees it
    // (the file name aside).
    let mut report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut expected = validate_report(&plain);
    for report in [&mut report, &mut expected] {
        for finding in report["findings"].as_array_mut().unwrap() {
            finding["file"] = Value::Null;
        }
    }
    assert!(expected["summary"]["errors"].as_u64().unwrap() > 20);
    assert_eq!(report, expected);
}

#[test]
fn findings_stream_while_the_fetch_is_still_downloading() {
    let dir = TempDir::new("fetch-stream");
    let server = MockServer::start_blocking(Config {
        latency: Latency::Fixed(100),
        ..config(1000)
    })
    .unwrap();
    let out = dir.0.join("out.ndjson");
    let checkpoint = dir.0.join("out.ndjson.checkpoint");
    let mut child = fetch_command(
        server.base_url(),
        &out,
        &["--page-size", "20", "--format", "json"],
    )
    .spawn()
    .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    stdout.read_exact(&mut first).unwrap();
    // 50 pages of at least 100 ms: the report has started long before the last page.
    let still_fetching = checkpoint.exists() && child.try_wait().unwrap().is_none();
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    let status = child.wait().unwrap();
    assert!(
        still_fetching,
        "the first findings were written while pages were still coming"
    );
    assert_eq!(status.code(), Some(1));
    assert!(!checkpoint.exists());
    let mut report = first.to_vec();
    report.extend(rest);
    let report: Value = serde_json::from_slice(&report).unwrap();
    assert_eq!(report["summary"]["records"], 1000);
    assert_eq!(report["findings"], validate_report(&out)["findings"]);
}

#[test]
fn report_options_are_validate_s_and_their_errors_stop_the_fetch_before_any_request() {
    let dir = TempDir::new("fetch-report-options");
    let server = MockServer::start_blocking(config(60)).unwrap();
    let out = dir.0.join("out.ndjson");
    let missing = dir.0.join("no-labels.json");
    let refused = fetch(
        server.base_url(),
        &out,
        &["--labels", missing.to_str().unwrap()],
    );
    assert_one_line_failure(&refused, "no-labels.json");
    let refused = fetch(server.base_url(), &out, &["--format", "yaml"]);
    assert_one_line_failure(&refused, "yaml");
    assert!(!out.exists(), "nothing was fetched");
    assert!(server.requests().is_empty(), "no request was made");

    let sarif = dir.0.join("report.sarif");
    let target = format!("sarif={}", sarif.display());
    let output = fetch(
        server.base_url(),
        &out,
        &[
            "--format",
            &target,
            "--format",
            "github",
            "--page-size",
            "7",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let github = String::from_utf8(output.stdout).unwrap();
    let annotations = github.matches("::error file=").count();
    assert!(annotations > 5, "{github}");
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(
        log["runs"][0]["results"].as_array().unwrap().len(),
        annotations
    );
}
