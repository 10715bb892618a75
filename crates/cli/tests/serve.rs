//! `enquiry serve` as a harness starts it: the first stdout line is the base URL, the server
//! answers there, logs go to stderr with the token masked, SIGTERM drains and exits 0, and bad
//! flags are one clear line with exit 2.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

const TOKEN: &str = "cli-test-token-123";

fn get(addr: &str, path: &str) -> String {
    common::http(
        addr,
        "GET",
        path,
        &format!("Authorization: Bearer {TOKEN}\r\n"),
        "",
    )
}

#[cfg(unix)]
#[test]
fn serve_prints_its_url_first_answers_and_stops_cleanly_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_enquiry"))
        .args(["serve", "--addr", "127.0.0.1:0", "--token", TOKEN])
        .args(["--seed", "4", "--records", "25", "--invalid-rate", "0.5"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first.strip_suffix('\n').unwrap();
    let addr = url
        .strip_prefix("http://127.0.0.1:")
        .map(|port| format!("127.0.0.1:{port}"));
    let addr = addr.unwrap_or_else(|| panic!("first line {first:?}"));
    assert!(addr[10..].parse::<u16>().is_ok(), "{first:?}");

    let page = get(
        &addr,
        "/v1/api/apps/mock-app/data/enquiry-detail?startAt=2025-12-02T00:00:00Z&endAt=2026-01-01T00:00:00Z",
    );
    assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
    assert!(page.contains(r#""total":25"#));
    let manifest = get(&addr, "/_mock/manifest");
    let body = &manifest[manifest.find("\r\n\r\n").unwrap() + 4..];
    let entries: serde_json::Value = serde_json::from_str(body).unwrap();
    assert!(
        !entries.as_array().unwrap().is_empty(),
        "half the records are invalid"
    );
    let log = get(&addr, "/_mock/requests");
    assert!(log.contains(r#""status":200"#) && !log.contains(TOKEN));

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0));
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "stdout holds only the URL");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains(url) && stderr.contains("***23"), "{stderr}");
    assert!(!stderr.contains(TOKEN), "{stderr}");
}

#[test]
fn bad_flags_are_one_clear_line_and_exit_2() {
    let cases: &[&[&str]] = &[
        &["--latency", "weird:1"],
        &[
            "--from",
            "2026-01-01T00:00:00Z",
            "--to",
            "2025-01-01T00:00:00Z",
        ],
        &["--addr", "256.0.0.1:0"],
        &["--fault-rate", "2"],
    ];
    for args in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_enquiry"))
            .arg("serve")
            .args(*args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
