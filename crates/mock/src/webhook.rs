//! The event subscription: the challenge handshake against the subscriber's URL, then every
//! enquiry's lifecycle events POSTed there, one enquiry after another in dataset order.
//!
//! Delivery is one sequential task per subscription, so one enquiry's events can never
//! overtake each other. A failed POST (no 2xx) is retried with exponential backoff; when the
//! retries run out the rest of that enquiry's events are skipped (sending them would deliver
//! them out of order) and counted as failed. A new PATCH or shutdown stops the old task.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::Response;
use enquiry_fake::events::{lifecycle, LifecycleEvent};
use enquiry_schema::names::{challenge_request, challenge_response};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{bad_request, json_bytes, BAD_QUERY, VERIFICATION_FAILED};
use crate::dataset::push_canonical;
use crate::rng::{mix, Domain};
use crate::server::Shared;

/// How many times one event is tried.
const MAX_ATTEMPTS: u32 = 6;
/// The first retry's wait; each retry doubles it, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(3);
/// The handshake's and each POST's time limit.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// The current subscription and its delivery counters.
#[derive(Debug, Default)]
pub(crate) struct Subscription {
    generation: u64,
    url: Option<String>,
    enabled: bool,
    delivered: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
}

impl Subscription {
    pub(crate) fn report(&self) -> Value {
        json!({
            "enabled": self.enabled,
            "url": self.url,
            "delivered": self.delivered.load(Ordering::Relaxed),
            "failed": self.failed.load(Ordering::Relaxed),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubscriptionRequest {
    enabled: bool,
    url: String,
}

/// `PATCH inquiry-event-sub`: validates the body, runs the handshake when enabling, and
/// answers `{enabled, url, updatedAt}`.
pub(crate) async fn subscribe(shared: &Arc<Shared>, body: &[u8]) -> Response {
    let Ok(request) = serde_json::from_slice::<SubscriptionRequest>(body) else {
        return bad_request(BAD_QUERY);
    };
    match activate(shared.clone(), &request.url, request.enabled).await {
        Ok(()) => {
            let mut updated = Vec::new();
            push_canonical(&mut updated, shared.config.to_millis);
            let body = json!({
                "enabled": request.enabled,
                "url": request.url,
                "updatedAt": String::from_utf8_lossy(&updated),
            });
            json_bytes(StatusCode::OK, body.to_string().into_bytes())
        }
        Err(message) => bad_request(message),
    }
}

/// Subscribes `--webhook URL` when the server starts; a failure is reported on stderr.
pub(crate) fn subscribe_at_start(shared: Arc<Shared>, url: String) {
    tokio::spawn(async move {
        if let Err(message) = activate(shared, &url, true).await {
            eprintln!(
                "enquiry serve: webhook {}: {message}",
                crate::printable(&url)
            );
        }
    });
}

/// Replaces the subscription; when enabling, after a successful handshake, starts delivery.
async fn activate(shared: Arc<Shared>, url: &str, enabled: bool) -> Result<(), &'static str> {
    let parsed = reqwest::Url::parse(url).map_err(|_| BAD_QUERY)?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(BAD_QUERY);
    }
    let client = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|_| VERIFICATION_FAILED)?;
    let generation = {
        let Ok(mut subscription) = shared.subscription.lock() else {
            return Err(VERIFICATION_FAILED);
        };
        subscription.generation += 1;
        subscription.generation
    };
    if enabled {
        let challenge = format!(
            "{:016x}",
            mix(shared.config.seed, generation, Domain::Challenge)
        );
        if !handshake(&client, parsed.clone(), &challenge).await {
            return Err(VERIFICATION_FAILED);
        }
    }
    let Ok(mut subscription) = shared.subscription.lock() else {
        return Err(VERIFICATION_FAILED);
    };
    if subscription.generation != generation {
        // A newer PATCH overtook this one; it decides.
        return Ok(());
    }
    subscription.url = Some(url.to_owned());
    subscription.enabled = enabled;
    subscription.delivered = Arc::new(AtomicU64::new(0));
    subscription.failed = Arc::new(AtomicU64::new(0));
    if enabled {
        let counters = (subscription.delivered.clone(), subscription.failed.clone());
        tokio::spawn(deliver(
            shared.clone(),
            client,
            parsed,
            generation,
            counters,
        ));
    }
    Ok(())
}

/// POSTs `{"challenge": C}` and expects `200 {"code": 200, "result": {"challenge": C}}`.
async fn handshake(client: &reqwest::Client, url: reqwest::Url, challenge: &str) -> bool {
    let Ok(response) = client
        .post(url)
        .json(&json!({ (challenge_request::CHALLENGE): challenge }))
        .send()
        .await
    else {
        return false;
    };
    if response.status() != StatusCode::OK {
        return false;
    }
    let Ok(body) = response.json::<Value>().await else {
        return false;
    };
    body["code"] == 200
        && body[challenge_response::RESULT][challenge_response::result::CHALLENGE] == challenge
}

fn still_current(shared: &Shared, generation: u64) -> bool {
    !*shared.shutdown.borrow()
        && shared
            .subscription
            .lock()
            .map(|subscription| subscription.generation == generation)
            .unwrap_or(false)
}

/// Sends every enquiry's events, in dataset order, at most `--webhook-rate` a second.
async fn deliver(
    shared: Arc<Shared>,
    client: reqwest::Client,
    url: reqwest::Url,
    generation: u64,
    (delivered, failed): (Arc<AtomicU64>, Arc<AtomicU64>),
) {
    let pause = Duration::from_secs_f64(1.0 / shared.config.webhook_per_second as f64);
    for position in 0..shared.dataset.len() {
        let events = shared
            .dataset
            .valid_record(position)
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
            .and_then(|record| lifecycle(&record))
            .unwrap_or_default();
        for event in events {
            if !still_current(&shared, generation) {
                return;
            }
            tokio::time::sleep(pause).await;
            if post_with_retries(&shared, &client, &url, &event, generation).await {
                delivered.fetch_add(1, Ordering::Relaxed);
            } else {
                failed.fetch_add(1, Ordering::Relaxed);
                break;
            }
        }
    }
}

async fn post_with_retries(
    shared: &Shared,
    client: &reqwest::Client,
    url: &reqwest::Url,
    event: &LifecycleEvent,
    generation: u64,
) -> bool {
    let mut backoff = FIRST_BACKOFF;
    for attempt in 0..MAX_ATTEMPTS {
        if attempt > 0 {
            if !still_current(shared, generation) {
                return false;
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
        let sent = client.post(url.clone()).json(event).send().await;
        if sent.is_ok_and(|response| response.status().is_success()) {
            return true;
        }
    }
    false
}
