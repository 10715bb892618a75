//! What the mock serves obeys the contracts: records validate with `enquiry-validator` (the
//! labelled invalid ones exactly as labelled), responses match the OpenAPI document, webhook
//! events follow the lifecycle rules, and the blocking form works without async.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use enquiry_fake::events::final_status;
use enquiry_mock::{Config, InvalidRate, ManifestEntry, MockServer};
use enquiry_validator::{Config as ValidatorConfig, Validator};
use serde_json::{json, Value};

const RANGE: &str = "startAt=2025-12-02T00:00:00Z&endAt=2026-01-01T00:00:00Z";

async fn page(server: &MockServer, query: &str) -> Vec<u8> {
    let response = reqwest::Client::new()
        .get(format!("{}?{query}", server.enquiry_detail_url()))
        .bearer_auth(server.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.bytes().await.unwrap().to_vec()
}

/// Every page of the range as raw bodies.
async fn all_pages(server: &MockServer, total: usize) -> Vec<Vec<u8>> {
    let mut pages = Vec::new();
    for offset in (0..total).step_by(500) {
        pages.push(page(server, &format!("{RANGE}&limit=500&offset={offset}")).await);
    }
    pages
}

#[tokio::test]
async fn every_valid_record_served_validates_clean() {
    let server = MockServer::start(Config {
        records: 1500,
        seed: 21,
        ..Config::default()
    })
    .await
    .unwrap();
    let validator = Validator::new(ValidatorConfig::default());
    let mut records = 0;
    for body in all_pages(&server, 1500).await {
        let report = validator.validate_slice(&body, "page");
        assert_eq!(report.findings, vec![], "no error, no warning");
        records += report.summary.records;
    }
    assert_eq!(records, 1500);
    assert!(server.manifest().is_empty());
}

#[tokio::test]
async fn invalid_records_have_exactly_the_findings_of_the_manifest() {
    let manifest_file =
        std::env::temp_dir().join(format!("mock-manifest-{}.json", std::process::id()));
    let config = Config {
        records: 1200,
        seed: 8,
        invalid: InvalidRate::PerMillion(300_000),
        manifest_file: Some(manifest_file.clone()),
        ..Config::default()
    };
    let server = MockServer::start(config).await.unwrap();
    let validator = Validator::new(ValidatorConfig::default());
    let mut found: Vec<ManifestEntry> = Vec::new();
    let mut valid = 0;
    for body in all_pages(&server, 1200).await {
        let list: Value = serde_json::from_slice(&body).unwrap();
        let records = list["enquiryDetails"].as_array().unwrap();
        let report = validator.validate_slice(&body, "page");
        let mut by_record: BTreeMap<u64, Vec<_>> = BTreeMap::new();
        for finding in &report.findings {
            by_record.entry(finding.record).or_default().push(finding);
        }
        valid += records.len() - by_record.len();
        for (record, findings) in by_record {
            assert_eq!(findings.len(), 1, "one labelled defect: {findings:?}");
            // The `_id` a client sees, or (when the defect hides it) the slot's, from the manifest.
            let id = records[record as usize]["_id"].as_str().map(str::to_owned);
            found.push(ManifestEntry {
                id: id.unwrap_or_default(),
                pointer: findings[0].pointer.as_str().to_owned(),
                code: findings[0].code.to_string(),
            });
        }
    }
    let manifest = server.manifest();
    assert!((250..450).contains(&manifest.len()), "{}", manifest.len());
    assert_eq!(valid + manifest.len(), 1200);
    assert_eq!(found.len(), manifest.len());
    for (seen, labelled) in found.iter().zip(&manifest) {
        assert_eq!(
            (&seen.pointer, &seen.code),
            (&labelled.pointer, &labelled.code)
        );
        if !seen.id.is_empty() && labelled.pointer != "/_id" && labelled.code != "not-an-object" {
            assert_eq!(seen.id, labelled.id);
        }
    }
    let codes: std::collections::BTreeSet<&str> =
        manifest.iter().map(|entry| entry.code.as_str()).collect();
    assert!(codes.len() >= 10, "{codes:?}");
    assert!(
        !codes.contains("syntax") && !codes.contains("encoding") && !codes.contains("too-deep")
    );
    // `--manifest FILE` holds the same list; `/_mock/manifest` too.
    let written: Vec<ManifestEntry> =
        serde_json::from_slice(&std::fs::read(&manifest_file).unwrap()).unwrap();
    assert_eq!(written, manifest);
    let served: Vec<ManifestEntry> = reqwest::get(format!("{}/_mock/manifest", server.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served, manifest);
    let _ = std::fs::remove_file(manifest_file);
}

#[tokio::test]
async fn responses_conform_to_the_openapi_document_which_is_checked_in() {
    let server = MockServer::start(Config {
        records: 300,
        ..Config::default()
    })
    .await
    .unwrap();
    let served: Value = reqwest::get(format!("{}/openapi.json", server.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let checked_in = include_str!("../../../schemas/openapi.json");
    assert_eq!(
        checked_in,
        enquiry_mock::openapi::document_text(),
        "run `cargo xtask codegen`"
    );
    assert_eq!(served, enquiry_mock::openapi::document());
    // Each body against its component schema, with the document's components resolvable.
    let schema_for = |name: &str| {
        let mut schema = json!({"$ref": format!("#/components/schemas/{name}")});
        schema["components"] = served["components"].clone();
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap()
    };
    let list = schema_for("EnquiryList");
    for query in [
        format!("{RANGE}&limit=500"),
        format!("{RANGE}&offset=250&limit=100"),
    ] {
        let body: Value = serde_json::from_slice(&page(&server, &query).await).unwrap();
        let errors: Vec<String> = list.iter_errors(&body).map(|err| err.to_string()).collect();
        assert_eq!(errors, Vec::<String>::new());
    }
    let error = schema_for("Error");
    let bad = reqwest::Client::new()
        .get(format!("{}?limit=-1", server.enquiry_detail_url()))
        .bearer_auth(server.token())
        .send()
        .await
        .unwrap();
    assert!(error.is_valid(&bad.json::<Value>().await.unwrap()));
    let labels: Value = reqwest::Client::new()
        .get(format!(
            "{}/v1/api/apps/{}/labels",
            server.base_url(),
            server.app()
        ))
        .bearer_auth(server.token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(schema_for("LabelList").is_valid(&labels));
    assert_eq!(labels["labelList"].as_array().unwrap().len(), 6);
}

/// What the test's webhook receiver saw.
#[derive(Default)]
struct Received {
    challenges: Vec<String>,
    events: Vec<Value>,
    posts: usize,
}

/// A receiver that answers the handshake and fails every fifth event POST once.
async fn receive(
    State(seen): State<Arc<Mutex<Received>>>,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let mut seen = seen.lock().unwrap();
    if let Some(challenge) = body.get("challenge").and_then(Value::as_str) {
        seen.challenges.push(challenge.to_owned());
        return (
            StatusCode::OK,
            Json(json!({"code": 200, "result": {"challenge": challenge}})),
        );
    }
    seen.posts += 1;
    if seen.posts % 5 == 0 {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(json!({})));
    }
    seen.events.push(body);
    (StatusCode::OK, Json(json!({"code": 200})))
}

async fn start_receiver(seen: Arc<Mutex<Received>>, answer_challenge: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = if answer_challenge {
        axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(seen)
    } else {
        axum::Router::new().route("/hook", axum::routing::post(|| async { "no" }))
    };
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/hook")
}

async fn patch(server: &MockServer, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .patch(format!(
            "{}/v1/api/apps/{}/inquiry-event-sub",
            server.base_url(),
            server.app()
        ))
        .bearer_auth(server.token())
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Checks the lifecycle rules between records and their events, by `eid`.
fn check_lifecycles(records: &[Value], events: &[Value]) {
    let mut by_enquiry: BTreeMap<&str, Vec<&Value>> = BTreeMap::new();
    for event in events {
        by_enquiry
            .entry(event["eid"].as_str().unwrap())
            .or_default()
            .push(event);
    }
    let statuses = ["Opened", "Handling", "Closed", "Missed"];
    for record in records {
        let Some(events) = by_enquiry.get(record["_id"].as_str().unwrap()) else {
            continue;
        };
        assert_eq!(events[0]["status"], "Opened");
        assert_eq!(events[0]["date"], record["createdAt"]);
        assert!(events
            .windows(2)
            .all(|pair| pair[0]["date"].as_str() <= pair[1]["date"].as_str()));
        for event in events {
            assert!(statuses.contains(&event["status"].as_str().unwrap()));
            assert_eq!(event["type"], "inquiry");
            assert_eq!(event["displayCaseNumber"], record["displayCaseNumber"]);
            assert_eq!(event["serviceId"], record["svcID"]);
            let channel = event["channel"].as_str().unwrap();
            let expected_origin = if channel == "CINNOX" {
                "CINNOX"
            } else {
                "Channel"
            };
            assert_eq!(event["channelOri"], expected_origin);
            let social =
                ["FACEBOOK", "LINE", "WHATSAPP", "WOZTELL", "INSTAGRAM"].contains(&channel);
            assert_eq!(event["socialId"].as_str().unwrap().is_empty(), !social);
            assert!(chrono::DateTime::parse_from_rfc3339(event["date"].as_str().unwrap()).is_ok());
        }
        let status = record["status"].as_str().unwrap();
        let last = events[events.len() - 1]["status"].as_str().unwrap();
        if matches!(status, "closed" | "missed") {
            assert_eq!(Some(last), final_status(status));
        }
    }
}

#[tokio::test]
async fn the_subscription_handshakes_then_delivers_ordered_events_with_retries() {
    let config = Config {
        records: 40,
        seed: 3,
        webhook_per_second: 1000,
        ..Config::default()
    };
    let server = MockServer::start(config).await.unwrap();
    // A URL that does not answer the challenge is refused.
    let deaf = start_receiver(Arc::default(), false).await;
    let (status, body) = patch(&server, json!({"enabled": true, "url": deaf})).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"code": 6451000, "message": "url verification failed"})
        )
    );
    assert_eq!(patch(&server, json!({"enabled": true})).await.0, 400);
    assert_eq!(
        patch(&server, json!({"enabled": true, "url": "ftp://x"}))
            .await
            .0,
        400
    );

    let seen: Arc<Mutex<Received>> = Arc::default();
    let url = start_receiver(seen.clone(), true).await;
    let (status, body) = patch(&server, json!({"enabled": true, "url": url})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"enabled": true, "url": url, "updatedAt": "2026-01-01T00:00:00.000Z"})
    );
    assert_eq!(seen.lock().unwrap().challenges.len(), 1);

    let records: Value =
        serde_json::from_slice(&page(&server, &format!("{RANGE}&limit=500")).await).unwrap();
    let records = records["enquiryDetails"].as_array().unwrap().clone();
    let expected: usize = records
        .iter()
        .map(|record| enquiry_fake::events::lifecycle(record).unwrap().len())
        .sum();
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.lock().unwrap().events.len() < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let events = seen.lock().unwrap().events.clone();
    assert_eq!(
        events.len(),
        expected,
        "every event, each once, despite failed POSTs"
    );
    check_lifecycles(&records, &events);
    let every_enquiry: std::collections::BTreeSet<&str> =
        events.iter().map(|e| e["eid"].as_str().unwrap()).collect();
    assert_eq!(every_enquiry.len(), 40);
    // Disabling stops delivery and needs no handshake.
    let (status, body) = patch(&server, json!({"enabled": false, "url": url})).await;
    assert_eq!((status, body["enabled"].clone()), (200, json!(false)));
    assert_eq!(seen.lock().unwrap().challenges.len(), 1);
}

/// One HTTP/1.1 GET over a plain socket (the blocking form needs no async client).
fn blocking_get(base: &str, path: &str, token: &str) -> String {
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn the_blocking_form_serves_and_stops_on_drop() {
    let server = MockServer::start_blocking(Config {
        records: 10,
        ..Config::default()
    })
    .unwrap();
    let base = server.base_url().to_owned();
    let path = format!("/v1/api/apps/{}/data/enquiry-detail?{RANGE}", server.app());
    let response = blocking_get(&base, &path, server.token());
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.contains(r#""total":10"#));
    assert_eq!(server.requests().len(), 1);
    drop(server);
    let addr = base.trim_start_matches("http://");
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "stopped on drop"
    );
}
