//! The server: shared state, the accept loop (hyper, one task per connection, graceful
//! shutdown), and [`MockServer`], the handle a test holds.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::middleware::from_fn_with_state;
use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use crate::config::{Config, ConfigError};
use crate::dataset::{Dataset, ManifestEntry};
use crate::layers::{self, RateLimiter};
use crate::log::{LoggedRequest, RequestLog};
use crate::webhook::Subscription;

/// How long shutdown waits for in-flight requests.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything the handlers and layers share.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) dataset: Dataset,
    pub(crate) log: RequestLog,
    pub(crate) limiter: RateLimiter,
    pub(crate) sequence: AtomicU64,
    pub(crate) openapi: Vec<u8>,
    pub(crate) envelope_key_json: String,
    pub(crate) subscription: Mutex<Subscription>,
    pub(crate) shutdown: watch::Receiver<bool>,
}

impl Shared {
    pub(crate) fn health(&self) -> serde_json::Value {
        let subscription = self
            .subscription
            .lock()
            .map(|subscription| subscription.report())
            .unwrap_or_default();
        json!({
            "status": "ok",
            "records": self.dataset.len(),
            "requests": self.log.total(),
            "webhook": subscription,
        })
    }

    /// Keeps `--manifest FILE` up to date (called after a page that served invalid records).
    pub(crate) fn write_manifest_file(&self) {
        if let Some(path) = &self.config.manifest_file {
            if let Ok(text) = serde_json::to_string_pretty(&self.dataset.manifest()) {
                let _ = std::fs::write(path, text + "\n");
            }
        }
    }
}

/// Set by the chaos layer to reset the connection a request came on.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionKill(pub(crate) Arc<AtomicBool>);

/// A TCP stream that, once killed, fails every write and closes with a reset (linger 0).
struct KillableStream {
    inner: TcpStream,
    kill: Arc<AtomicBool>,
}

impl KillableStream {
    fn killed(&self) -> Option<io::Error> {
        if !self.kill.load(Ordering::SeqCst) {
            return None;
        }
        let _ = self.inner.set_zero_linger();
        Some(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "injected reset",
        ))
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(err) = self.killed() {
            return Poll::Ready(Err(err));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(err) = self.killed() {
            return Poll::Ready(Err(err));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The router: one dispatching handler inside the four layers.
fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .fallback(crate::api::dispatch)
        .layer(from_fn_with_state(shared.clone(), layers::chaos))
        .layer(from_fn_with_state(shared.clone(), layers::rate_limit))
        .layer(from_fn_with_state(shared.clone(), layers::auth))
        .layer(from_fn_with_state(shared.clone(), layers::request_log))
        .with_state(shared)
}

/// Why a server did not start.
#[derive(Debug)]
pub enum StartError {
    /// A flag or configuration value was refused.
    Config(ConfigError),
    /// The address could not be bound, or a file not opened.
    Io(io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Config(err) => write!(f, "{err}"),
            StartError::Io(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for StartError {}

impl From<ConfigError> for StartError {
    fn from(err: ConfigError) -> StartError {
        StartError::Config(err)
    }
}

impl From<io::Error> for StartError {
    fn from(err: io::Error) -> StartError {
        StartError::Io(err)
    }
}

/// Builds the shared state for `config` (dataset, log file, OpenAPI text).
fn build(config: Config, shutdown: watch::Receiver<bool>) -> Result<Shared, StartError> {
    config.check()?;
    let dataset = Dataset::new(&config)?;
    let file = match &config.log_file {
        Some(path) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?,
        ),
        None => None,
    };
    Ok(Shared {
        log: RequestLog::new(config.request_log_capacity, file),
        limiter: RateLimiter::new(config.rate_limit_per_minute),
        sequence: AtomicU64::new(0),
        openapi: crate::openapi::document_text().into_bytes(),
        envelope_key_json: serde_json::to_string(&config.envelope_key).unwrap_or_default(),
        subscription: Mutex::new(Subscription::default()),
        dataset,
        config,
        shutdown,
    })
}

/// Accepts connections until `shutdown` turns true, then drains in-flight requests.
async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let router = router(shared.clone());
    let graceful = GracefulShutdown::new();
    let mut shutdown = shared.shutdown.clone();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        let Ok((stream, _)) = accepted else { continue };
        let _ = stream.set_nodelay(true);
        let kill = Arc::new(AtomicBool::new(false));
        let io = TokioIo::new(KillableStream {
            inner: stream,
            kill: kill.clone(),
        });
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
            request
                .extensions_mut()
                .insert(ConnectionKill(kill.clone()));
            router.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .serve_connection(io, service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
}

/// A running mock server. Dropping it stops the server.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let server = enquiry_mock::MockServer::start(enquiry_mock::Config::default()).await.unwrap();
/// assert!(server.base_url().starts_with("http://127.0.0.1:"));
/// # }
/// ```
pub struct MockServer {
    base_url: String,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl MockServer {
    /// Builds the dataset, binds `config.addr` and serves on the current tokio runtime.
    pub async fn start(config: Config) -> Result<MockServer, StartError> {
        let (stop, shutdown) = watch::channel(false);
        let shared = Arc::new(build(config, shutdown)?);
        let listener = TcpListener::bind(shared.config.addr.as_str()).await?;
        let addr: SocketAddr = listener.local_addr()?;
        if let Some(url) = shared.config.webhook.clone() {
            crate::webhook::subscribe_at_start(shared.clone(), url);
        }
        let task = tokio::spawn(serve(listener, shared.clone()));
        Ok(MockServer {
            base_url: format!("http://{addr}"),
            shared,
            stop,
            task: Some(task),
            runtime: None,
        })
    }

    /// [`MockServer::start`] on a runtime of its own (two worker threads), for tests and
    /// programs that are not async.
    pub fn start_blocking(config: Config) -> Result<MockServer, StartError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let mut server = runtime.block_on(MockServer::start(config))?;
        server.runtime = Some(runtime);
        Ok(server)
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bearer token clients must send.
    pub fn token(&self) -> &str {
        &self.shared.config.token
    }

    /// The application ID in the paths.
    pub fn app(&self) -> &str {
        &self.shared.config.app
    }

    /// The URL of the enquiry-detail endpoint (without a query).
    pub fn enquiry_detail_url(&self) -> String {
        format!(
            "{}/v1/api/apps/{}/data/enquiry-detail",
            self.base_url,
            self.app()
        )
    }

    /// The requests the API has received (the newest, up to the log's capacity).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.log.entries()
    }

    /// The invalid records served so far (with `invalid` set in the configuration).
    pub fn manifest(&self) -> Vec<ManifestEntry> {
        self.shared.dataset.manifest()
    }

    /// Stops accepting, drains in-flight requests (at most ten seconds) and waits for the end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(runtime) = self.runtime.take() {
            if let Some(task) = self.task.take() {
                let _ = runtime.block_on(async { tokio::time::timeout(DRAIN_TIMEOUT, task).await });
            }
            runtime.shutdown_background();
        }
    }
}

/// Runs a server for `config` until SIGINT or SIGTERM, calling `ready` with the base URL once
/// it listens. In-flight requests are drained before it returns.
pub fn run_until_signal(config: Config, ready: impl FnOnce(&str)) -> Result<(), StartError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let server = MockServer::start(config).await?;
        ready(server.base_url());
        wait_for_signal().await?;
        server.shutdown().await;
        Ok(())
    })
}

#[cfg(unix)]
async fn wait_for_signal() -> io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = interrupt.recv() => {}
        _ = terminate.recv() => {}
    }
    Ok(())
}

#[cfg(not(unix))]
async fn wait_for_signal() -> io::Result<()> {
    tokio::signal::ctrl_c().await
}
