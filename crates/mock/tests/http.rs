//! The mock API through a real HTTP client (reqwest) against servers started here, on
//! loopback, with bounded request counts.

use std::collections::HashSet;
use std::time::Duration;

use enquiry_mock::{Config, MockServer};
use serde_json::Value;

const START: &str = "2025-12-02T00:00:00Z";
const END: &str = "2026-01-01T00:00:00Z";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn server(config: Config) -> MockServer {
    MockServer::start(config).await.unwrap()
}

/// GETs `path_and_query` under the app with the server's token; (status, body text).
async fn get(server: &MockServer, path_and_query: &str) -> (u16, String) {
    let url = format!(
        "{}/v1/api/apps/{}/{path_and_query}",
        server.base_url(),
        server.app()
    );
    let response = client()
        .get(url)
        .bearer_auth(server.token())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

fn detail(query: &str) -> String {
    format!("data/enquiry-detail?{query}")
}

fn range(extra: &str) -> String {
    detail(&format!("startAt={START}&endAt={END}{extra}"))
}

#[tokio::test]
async fn every_error_path_answers_with_the_documented_body() {
    let server = server(Config::default()).await;
    let bad = |message: &str| format!(r#"{{"code":6451000,"message":"{message}"}}"#);
    let cases: Vec<(String, u16, String)> = vec![
        (detail(""), 400, bad("missing one of startAt, endAt")),
        (
            detail(&format!("startAt={START}")),
            400,
            bad("missing one of startAt, endAt"),
        ),
        (
            detail(&format!("endAt={END}&startAt=")),
            400,
            bad("missing one of startAt, endAt"),
        ),
        (
            detail(&format!("startAt={END}&endAt={START}")),
            400,
            bad("endAt is prior to startAt"),
        ),
        (range("&offset=-1"), 400, bad("negative offset")),
        (range("&limit=-5"), 400, bad("negative limit")),
        (range("&limit=501"), 400, bad("exceed maximum limit 500")),
        (range("&offset=abc"), 400, bad("Bad query")),
        (range("&offset=1.5"), 400, bad("Bad query")),
        (
            range("&limit=99999999999999999999999"),
            400,
            bad("Bad query"),
        ),
        (range("&colour=red"), 400, bad("Bad query")),
        (range("&limit=5&limit=6"), 400, bad("Bad query")),
        (range("&offset=%zz"), 400, bad("Bad query")),
        (
            detail(&format!("startAt=2025-13-01T00:00:00Z&endAt={END}")),
            400,
            bad("Bad query"),
        ),
        (
            detail(&format!("startAt=2025-12-01&endAt={END}")),
            400,
            bad("Bad query"),
        ),
        (
            detail(&format!("startAt={START}&endAt=2026-02-30T00:00:00Z")),
            400,
            bad("Bad query"),
        ),
        ("labels?offset=-2".to_owned(), 400, bad("negative offset")),
        ("labels?limit=x".to_owned(), 400, bad("Bad query")),
        ("labels?startAt=1".to_owned(), 400, bad("Bad query")),
        (
            "data/enquiry?x=1".to_owned(),
            404,
            format!(
                r#"{{"code":6450001,"message":"method not found, method: GET url: /v1/api/apps/{}/data/enquiry?x=1"}}"#,
                server.app()
            ),
        ),
    ];
    for (path, status, body) in cases {
        assert_eq!(get(&server, &path).await, (status, body), "{path}");
    }
    // Another application, another method, no token, a wrong token.
    let other = format!("{}/v1/api/apps/other/labels", server.base_url());
    let response = client()
        .get(&other)
        .bearer_auth(server.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let labels = format!("{}/v1/api/apps/{}/labels", server.base_url(), server.app());
    let response = client()
        .post(&labels)
        .bearer_auth(server.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("method: POST url: /v1/api/apps/"));
    for token in [None, Some("wrong")] {
        let mut request = client().get(&labels);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        assert_eq!(
            response.text().await.unwrap(),
            r#"{"code":401,"message":"Unauthorized"}"#
        );
    }
    let log = server.requests();
    assert_eq!(log.len(), 24);
    assert!(log.iter().all(|entry| entry.status != 500));
    let shown: Vec<&str> = log
        .iter()
        .map(|entry| entry.authorization.as_str())
        .collect();
    assert_eq!(
        &shown[20..],
        ["Bearer ***", "Bearer ***", "missing", "wrong"]
    );
    let text = serde_json::to_string(&log).unwrap();
    assert!(!text.contains(server.token()));
}

/// Pages through `[START, END)` with `limit`, returning every record.
async fn page_all(server: &MockServer, limit: usize) -> Vec<Value> {
    let mut records = Vec::new();
    loop {
        let (status, body) = get(
            server,
            &range(&format!("&limit={limit}&offset={}", records.len())),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let page: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(page["offset"], records.len());
        assert_eq!(page["limit"], limit);
        let batch = page["enquiryDetails"].as_array().unwrap().clone();
        if batch.is_empty() {
            assert_eq!(page["total"], records.len());
            return records;
        }
        assert!(batch.len() <= limit);
        records.extend(batch);
    }
}

#[tokio::test]
async fn paging_a_range_gives_the_whole_dataset_once_in_order() {
    let server = server(Config {
        records: 1234,
        seed: 5,
        ..Config::default()
    })
    .await;
    let all = page_all(&server, 500).await;
    assert_eq!(all.len(), 1234);
    let key = |record: &Value| {
        (
            record["createdAt"].as_str().unwrap().to_owned(),
            record["_id"].as_str().unwrap().to_owned(),
        )
    };
    assert!(
        all.windows(2).all(|pair| key(&pair[0]) < key(&pair[1])),
        "ordered, no duplicate"
    );
    let ids: HashSet<&str> = all
        .iter()
        .map(|record| record["_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 1234);
    assert!(all.iter().all(|record| {
        let created = record["createdAt"].as_str().unwrap();
        ("2025-12-02".."2026-01-01").contains(&created)
    }));
    // Other page sizes see the same sequence.
    assert_eq!(page_all(&server, 37).await, all);
    // Two half-open halves are the whole, with no gap and no overlap at the boundary.
    let middle = all[617]["createdAt"].as_str().unwrap();
    let (_, first) = get(
        &server,
        &detail(&format!(
            "startAt={START}&endAt={middle}&limit=500&offset=500"
        )),
    )
    .await;
    let (_, second) = get(
        &server,
        &detail(&format!("startAt={middle}&endAt={END}&limit=1")),
    )
    .await;
    let first: Value = serde_json::from_str(&first).unwrap();
    let second: Value = serde_json::from_str(&second).unwrap();
    assert_eq!(first["total"], 617);
    assert_eq!(second["total"], 1234 - 617);
    assert_eq!(second["enquiryDetails"][0], all[617]);
    // Past the end: an empty page with the right total.
    let (_, beyond) = get(&server, &range("&offset=5000")).await;
    assert_eq!(
        beyond,
        r#"{"code":200,"total":1234,"offset":5000,"limit":50,"enquiryDetails":[]}"#
    );
}

#[tokio::test]
async fn the_same_seed_serves_the_same_bytes_and_another_seed_does_not() {
    let config = || Config {
        records: 300,
        seed: 42,
        ..Config::default()
    };
    let (a, b) = (server(config()).await, server(config()).await);
    let c = server(Config {
        seed: 43,
        ..config()
    })
    .await;
    for query in [
        range("&limit=500"),
        range("&offset=100&limit=7"),
        "labels".to_owned(),
    ] {
        let (status, from_a) = get(&a, &query).await;
        assert_eq!(status, 200);
        assert_eq!(get(&b, &query).await.1, from_a, "{query}");
        assert_eq!(get(&a, &query).await.1, from_a, "repeatable: {query}");
    }
    assert_ne!(get(&c, &range("")).await.1, get(&a, &range("")).await.1);
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let server = server(Config {
        rate_limit_per_minute: 5,
        ..Config::default()
    })
    .await;
    for _ in 0..5 {
        assert_eq!(get(&server, "labels").await.0, 200);
    }
    let url = format!("{}/v1/api/apps/{}/labels", server.base_url(), server.app());
    let response = client()
        .get(&url)
        .bearer_auth(server.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=12).contains(&retry), "{retry}");
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"code":6451010,"message":"Too many requests"}"#
    );
    // The control endpoints are not rate limited.
    let health = client()
        .get(format!("{}/_mock/health", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

async fn preferred(server: &MockServer, prefer: &str) -> Result<(u16, String), reqwest::Error> {
    let url = format!(
        "{}/v1/api/apps/{}/{}",
        server.base_url(),
        server.app(),
        range("")
    );
    let response = client()
        .get(url)
        .bearer_auth(server.token())
        .header("Prefer", prefer)
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.text().await?))
}

#[tokio::test]
async fn every_fault_kind_reaches_the_client() {
    let server = server(Config {
        records: 200,
        ..Config::default()
    })
    .await;
    let normal = get(&server, &range("")).await;
    assert_eq!(
        preferred(&server, "fault=500").await.unwrap(),
        (
            500,
            r#"{"code":6451001,"message":"Bad response from the service"}"#.to_owned()
        )
    );
    let reset = preferred(&server, "fault=reset").await.unwrap_err();
    assert!(!reset.is_status(), "{reset:?}");
    let truncated = preferred(&server, "fault=truncate").await.unwrap_err();
    assert!(
        truncated.is_body() || truncated.is_decode(),
        "{truncated:?}"
    );
    assert_eq!(preferred(&server, "fault=slow").await.unwrap(), normal);
    assert_eq!(preferred(&server, "code=429").await.unwrap().0, 429);
    assert_eq!(preferred(&server, "code=400").await.unwrap().0, 400);
    assert_eq!(preferred(&server, "latency=150").await.unwrap(), normal);
    let log = server.requests();
    let faults: Vec<Option<&str>> = log.iter().map(|entry| entry.fault.as_deref()).collect();
    assert_eq!(
        faults,
        [
            None,
            Some("500"),
            Some("reset"),
            Some("truncate"),
            Some("slow"),
            None,
            None,
            None
        ]
    );
    assert!(log[7].latency_ms >= 150.0, "{}", log[7].latency_ms);
    // The server is still healthy after every fault.
    assert_eq!(get(&server, &range("")).await, normal);
}

#[tokio::test]
async fn seeded_faults_are_reproducible() {
    let config = || Config {
        records: 50,
        seed: 9,
        fault_ppm: 500_000,
        ..Config::default()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let server = server(config()).await;
        let mut outcomes = Vec::new();
        for _ in 0..24 {
            let outcome = match preferred(&server, "none").await {
                Ok((status, _)) => status.to_string(),
                Err(err) if err.is_body() || err.is_decode() => "body".to_owned(),
                Err(_) => "transport".to_owned(),
            };
            outcomes.push(outcome);
        }
        let faults: Vec<Option<String>> = server
            .requests()
            .into_iter()
            .map(|entry| entry.fault)
            .collect();
        runs.push((outcomes, faults));
    }
    assert_eq!(runs[0], runs[1]);
    let faults = &runs[0].1;
    assert!(faults.iter().any(Option::is_none));
    for kind in ["500", "reset", "truncate", "slow"] {
        assert!(
            faults.iter().any(|fault| fault.as_deref() == Some(kind)),
            "{kind} in {faults:?}"
        );
    }
}

#[tokio::test]
async fn labels_filter_by_id_and_name_and_page() {
    let dir = std::env::temp_dir().join(format!("mock-labels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("labels.json");
    let labels = serde_json::json!({"code": 200, "labelList": [
        {"id": "l-1", "name": "VIP customer"}, {"id": "l-2", "name": "Refund"},
        {"id": "l-3", "name": "vip lead"}, {"id": "l-4", "name": "Spam"}
    ]});
    std::fs::write(&file, labels.to_string()).unwrap();
    let server = server(Config {
        labels_file: Some(file),
        records: 300,
        ..Config::default()
    })
    .await;
    let ids = |body: String| -> Vec<String> {
        let list: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(list["code"], 200);
        list["labelList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids(get(&server, "labels").await.1),
        ["l-1", "l-2", "l-3", "l-4"]
    );
    assert_eq!(ids(get(&server, "labels?id=l-2").await.1), ["l-2"]);
    assert_eq!(ids(get(&server, "labels?name=VIP").await.1), ["l-1", "l-3"]);
    assert_eq!(
        ids(get(&server, "labels?offset=1&limit=2").await.1),
        ["l-2", "l-3"]
    );
    assert_eq!(
        ids(get(&server, "labels?id=nope").await.1),
        Vec::<String>::new()
    );
    // The records draw their labelIDs from that list.
    let (_, page) = get(&server, &range("&limit=500")).await;
    let page: Value = serde_json::from_str(&page).unwrap();
    let used: HashSet<String> = page["enquiryDetails"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|record| record["labelIDs"].as_array())
        .flatten()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    assert!(
        !used.is_empty() && used.iter().all(|id| id.starts_with("l-")),
        "{used:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn envelope_key_latency_and_log_file_follow_the_configuration() {
    let log_file = std::env::temp_dir().join(format!("mock-log-{}.ndjson", std::process::id()));
    let server = server(Config {
        records: 20,
        envelope_key: "items".to_owned(),
        latency: enquiry_mock::Latency::Fixed(120),
        log_file: Some(log_file.clone()),
        ..Config::default()
    })
    .await;
    let (status, body) = get(&server, &range("&limit=3")).await;
    assert_eq!(status, 200);
    let page: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    assert!(page.get("enquiryDetails").is_none());
    let log = server.requests();
    assert!(log[0].latency_ms >= 120.0, "{}", log[0].latency_ms);
    let written = std::fs::read_to_string(&log_file).unwrap();
    let line: enquiry_mock::LoggedRequest =
        serde_json::from_str(written.lines().next().unwrap()).unwrap();
    assert_eq!(line, log[0]);
    assert!(!written.contains(server.token()));
    let _ = std::fs::remove_file(log_file);
}
