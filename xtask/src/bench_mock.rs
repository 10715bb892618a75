//! The mock server's rows of `cargo xtask bench`: requests/s and p50/p99 latency of
//! `enquiry-detail` pages (limit 50 and 500) from the release `enquiry serve`, the same request
//! against Prism (`prism mock schemas/openapi.json`) when it is installed, and the server's
//! resident memory before and after a long run of requests.
//!
//! The load client is a small tokio program: a few keep-alive HTTP/1.1 connections on loopback,
//! each sending the next request when the previous response is complete (a closed loop), with
//! every latency recorded. Prism is found through `PRISM` (a path), `node_modules/.bin/prism` in
//! the workspace, or `prism` on `PATH`; without it its row says so.

use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::bench_common::{quick_only, release_cli, rerun_optimised};

const TOKEN: &str = "bench-token";
const APP: &str = "bench-app";
const RANGE: &str = "startAt=2025-12-02T00:00:00Z&endAt=2026-01-01T00:00:00Z";
/// Concurrent connections of the load client.
const CONNECTIONS: usize = 4;

/// How much load.
struct Load {
    records: u64,
    requests_50: usize,
    requests_500: usize,
    memory_requests: usize,
}

const FULL: Load = Load {
    records: 100_000,
    requests_50: 20_000,
    requests_500: 4_000,
    memory_requests: 100_000,
};
const QUICK: Load = Load {
    records: 10_000,
    requests_50: 2_000,
    requests_500: 400,
    memory_requests: 10_000,
};

/// What one load run measured.
struct Measured {
    requests: usize,
    failures: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    bytes: u64,
}

impl Measured {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, share: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let at = ((self.latencies.len() - 1) as f64 * share).round() as usize;
        self.latencies[at]
    }

    fn row(&self, name: &str) {
        println!(
            "| {name} | {:.0} | {:.2} ms | {:.2} ms | {:.1} | {} |",
            self.per_second(),
            self.percentile(0.50).as_secs_f64() * 1e3,
            self.percentile(0.99).as_secs_f64() * 1e3,
            self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64(),
            self.failures
        );
    }
}

/// `cargo xtask bench-mock [--quick]`: only the mock rows (re-run in release, like `bench`).
pub fn run(args: &[&str]) -> Result<(), String> {
    let quick = quick_only(args, "bench-mock")?;
    if let Some(outcome) = rerun_optimised("bench-mock", args) {
        return outcome;
    }
    rows(&crate::codegen::workspace_root(), &release_cli()?, quick)
}

/// Prints the mock rows; `enquiry` is the release binary.
pub fn rows(root: &Path, enquiry: &Path, quick: bool) -> Result<(), String> {
    let load = if quick { QUICK } else { FULL };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| err.to_string())?;
    let mut server = Server::start(enquiry, load.records)?;
    let path = |limit: usize| {
        format!("/v1/api/apps/{APP}/data/enquiry-detail?{RANGE}&limit={limit}&offset=1000")
    };
    println!();
    println!(
        "mock server: `enquiry serve --records {}`, {CONNECTIONS} keep-alive connections{}",
        load.records,
        if quick {
            " (--quick: not for publication)"
        } else {
            ""
        }
    );
    println!();
    println!("| mock measurement | requests/s | p50 | p99 | MB/s | failures |");
    println!("|---|---:|---:|---:|---:|---:|");
    runtime.block_on(hammer(server.port, &path(50), 200))?;
    let ours_50 = runtime.block_on(hammer(server.port, &path(50), load.requests_50))?;
    ours_50.row("`enquiry serve`, limit=50");
    let ours_500 = runtime.block_on(hammer(server.port, &path(500), load.requests_500))?;
    ours_500.row("`enquiry serve`, limit=500");
    let walk: Vec<String> = (0..load.records as usize)
        .step_by(50)
        .map(|offset| {
            format!("/v1/api/apps/{APP}/data/enquiry-detail?{RANGE}&limit=50&offset={offset}")
        })
        .collect();
    let walking = runtime.block_on(hammer_paths(server.port, walk.clone(), load.requests_50))?;
    walking.row("`enquiry serve`, limit=50, pages walking the whole dataset (cache misses)");
    // Memory once the record cache is warm, then after many more requests of both kinds.
    let rss_before = server.rss_kib();
    let prism = match find_prism(root) {
        Some(prism) => {
            let mut child = Prism::start(&prism, root)?;
            let measured = runtime.block_on(async {
                hammer(child.port, &path(50), 50).await?;
                hammer(child.port, &path(50), load.requests_50 / 10).await
            });
            child.stop();
            let measured = measured?;
            measured.row("Prism `prism mock`, limit=50 (random data, no paging)");
            Some(measured)
        }
        None => {
            println!("| Prism | not installed (`npm i @stoplight/prism-cli`) | | | | |");
            None
        }
    };
    runtime.block_on(hammer(server.port, &path(50), load.memory_requests / 2))?;
    runtime.block_on(hammer_paths(server.port, walk, load.memory_requests / 2))?;
    let rss_after = server.rss_kib();
    server.stop();
    println!();
    println!("| mock target | measured | goal | verdict |");
    println!("|---|---:|---:|---|");
    if let Some(prism) = prism {
        let ratio = ours_50.per_second() / prism.per_second();
        let verdict = if ratio >= 10.0 { "PASS" } else { "SHORT" };
        println!(
            "| `enquiry serve` / Prism requests/s, limit=50 | {ratio:.1}x | >= 10x | {verdict} |"
        );
    }
    let p99 = ours_50.percentile(0.99).as_secs_f64() * 1e3;
    println!(
        "| p99 latency, limit=50 | {p99:.2} ms | < 5 ms | {} |",
        if p99 < 5.0 { "PASS" } else { "SHORT" }
    );
    let growth = rss_after.saturating_sub(rss_before) as f64 / 1024.0;
    println!(
        "| resident memory over {} more requests | {:.1} -> {:.1} MiB (+{growth:.1}) | flat (< +8 MiB) | {} |",
        load.memory_requests,
        rss_before as f64 / 1024.0,
        rss_after as f64 / 1024.0,
        if growth < 8.0 { "PASS" } else { "SHORT" }
    );
    Ok(())
}

/// The `enquiry serve` child.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(enquiry: &Path, records: u64) -> Result<Server, String> {
        let mut child = Command::new(enquiry)
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--app",
                APP,
                "--token",
                TOKEN,
            ])
            .args([
                "--records",
                &records.to_string(),
                "--rate-limit",
                "1000000000/min",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|err| format!("cannot run {}: {err}", enquiry.display()))?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line);
        }
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .ok_or_else(|| format!("enquiry serve printed {line:?}, not its address"))?;
        Ok(Server { child, port })
    }

    /// The server's resident set size (Linux; 0 elsewhere).
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()));
        status
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|line| line.starts_with("VmRSS:"))
                    .and_then(|line| line.split_whitespace().nth(1))
                    .and_then(|kib| kib.parse().ok())
            })
            .unwrap_or(0)
    }

    fn stop(&mut self) {
        #[cfg(unix)]
        {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
        }
        let _ = self.child.wait();
    }
}

fn find_prism(root: &Path) -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("PRISM").map(PathBuf::from),
        Some(root.join("node_modules/.bin/prism")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|path| path.is_file())
        .or_else(|| {
            Command::new("prism")
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .ok()
                .filter(|status| status.success())
                .map(|_| PathBuf::from("prism"))
        })
}

/// A `prism mock` child on a free loopback port.
struct Prism {
    child: Child,
    port: u16,
}

impl Prism {
    fn start(prism: &Path, root: &Path) -> Result<Prism, String> {
        let port = StdListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|err| err.to_string())?
            .port();
        let child = Command::new(prism)
            .args([
                "mock",
                "schemas/openapi.json",
                "--host",
                "127.0.0.1",
                "--port",
            ])
            .arg(port.to_string())
            .current_dir(root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|err| format!("cannot run {}: {err}", prism.display()))?;
        let mut prism = Prism { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                prism.stop();
                return Err("prism did not listen within 60 s".into());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(prism)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `requests` GETs of `path` over [`CONNECTIONS`] connections; measures each.
async fn hammer(port: u16, path: &str, requests: usize) -> Result<Measured, String> {
    hammer_paths(port, vec![path.to_owned()], requests).await
}

/// Sends `requests` GETs over [`CONNECTIONS`] connections, cycling through `paths`.
async fn hammer_paths(port: u16, paths: Vec<String>, requests: usize) -> Result<Measured, String> {
    let started = Instant::now();
    let texts: Vec<String> = paths
        .iter()
        .map(|path| {
            format!(
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
            )
        })
        .collect();
    let texts = std::sync::Arc::new(texts);
    let mut tasks = Vec::new();
    for connection in 0..CONNECTIONS {
        let share = requests / CONNECTIONS + usize::from(connection < requests % CONNECTIONS);
        let texts = texts.clone();
        tasks.push(tokio::spawn(async move {
            client(port, texts, connection, share).await
        }));
    }
    let mut measured = Measured {
        requests,
        failures: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::with_capacity(requests),
        bytes: 0,
    };
    for task in tasks {
        let (latencies, bytes, failures) = task.await.map_err(|err| err.to_string())??;
        measured.latencies.extend(latencies);
        measured.bytes += bytes;
        measured.failures += failures;
    }
    measured.elapsed = started.elapsed();
    measured.latencies.sort_unstable();
    Ok(measured)
}

type ClientResult = Result<(Vec<Duration>, u64, usize), String>;

/// One keep-alive connection sending `count` requests in a closed loop, request `k` being
/// `requests[(first + k * CONNECTIONS) % len]`.
async fn client(
    port: u16,
    requests: std::sync::Arc<Vec<String>>,
    first: usize,
    count: usize,
) -> ClientResult {
    let connect = || async {
        TcpStream::connect(("127.0.0.1", port))
            .await
            .map(|stream| {
                let _ = stream.set_nodelay(true);
                BufReader::new(stream)
            })
            .map_err(|err| format!("cannot connect to 127.0.0.1:{port}: {err}"))
    };
    let mut stream = connect().await?;
    let mut latencies = Vec::with_capacity(count);
    let (mut bytes, mut failures) = (0, 0);
    for k in 0..count {
        let request = &requests[(first + k * CONNECTIONS) % requests.len()];
        let started = Instant::now();
        match exchange(&mut stream, request.as_bytes()).await {
            Ok((status, len)) => {
                latencies.push(started.elapsed());
                bytes += len;
                failures += usize::from(status != 200);
            }
            Err(_) => {
                failures += 1;
                stream = connect().await?;
            }
        }
    }
    Ok((latencies, bytes, failures))
}

/// Writes one request and reads its response (Content-Length or chunked); (status, body bytes).
async fn exchange(
    stream: &mut BufReader<TcpStream>,
    request: &[u8],
) -> std::io::Result<(u16, u64)> {
    stream.get_mut().write_all(request).await?;
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (mut length, mut chunked) = (0u64, false);
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let header = line.trim_end().to_ascii_lowercase();
        if header.is_empty() {
            break;
        }
        if let Some(value) = header.strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        chunked |= header.starts_with("transfer-encoding:") && header.contains("chunked");
    }
    if !chunked {
        discard(stream, length).await?;
        return Ok((status, length));
    }
    let mut total = 0;
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        let size = u64::from_str_radix(line.trim(), 16).unwrap_or(0);
        discard(stream, size + 2).await?;
        total += size;
        if size == 0 {
            return Ok((status, total));
        }
    }
}

async fn discard(stream: &mut BufReader<TcpStream>, mut count: u64) -> std::io::Result<()> {
    let mut buffer = [0u8; 16 * 1024];
    while count > 0 {
        let want = buffer
            .len()
            .min(usize::try_from(count).unwrap_or(usize::MAX));
        let read = stream.read(&mut buffer[..want]).await?;
        if read == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        count -= read as u64;
    }
    Ok(())
}
