//! The data profile observed while validating: per field states, per day counts and the same
//! result whatever the number of jobs and the input's layout.

use enquiry_validator::profile::{ContractProfile, DataProfile, FieldCounts};
use enquiry_validator::{Config, Validator};

fn profile_of(input: &[u8], jobs: usize) -> (DataProfile, u64) {
    let mut profile = DataProfile::new();
    let summary = Validator::new(Config::default())
        .validate_stream_profiled(input, "in", jobs, &mut |_| {}, &mut profile)
        .unwrap();
    (profile, summary.records)
}

fn field<'p>(contract: &'p ContractProfile, pointer: &str) -> &'p FieldCounts {
    contract
        .fields
        .iter()
        .find(|counts| counts.field == pointer)
        .unwrap()
}

const RECORDS: &str = concat!(
    r#"{"_id":"a","createdAt":"2022-11-07T23:30:00.000-01:00","status":"ongoing","locationDetail":{"city":"Taipei"}}"#,
    "\n",
    r#"{"_id":"b","createdAt":"2022-11-07T08:00:00.000Z","status":"Closed","locationDetail":null}"#,
    "\n",
    r#"{"_id":7,"createdAt":"2022-02-30T10:00:00Z","status":"ongoing","locationDetail":{"city":5}}"#,
    "\n",
    r#"{"_id":"d","status":"ongoing","createdAt":null}"#,
    "\n",
    r#"["not a record"]"#,
    "\n",
    r#"{"_id": "e""#,
    "\n",
);

#[test]
fn fields_are_present_null_absent_or_of_another_type() {
    let (profile, records) = profile_of(RECORDS.as_bytes(), 1);
    assert_eq!(records, 6);
    assert_eq!(profile.contracts.len(), 1);
    let contract = &profile.contracts[0];
    assert_eq!(contract.contract, "record");
    // The array and the broken line belong to no contract.
    assert_eq!(contract.totals.records, 4);
    let id = field(contract, "/_id");
    assert_eq!(
        (id.present, id.null, id.absent, id.wrong_type),
        (3, 0, 0, 1)
    );
    let detail = field(contract, "/locationDetail");
    assert_eq!((detail.present, detail.null, detail.absent), (2, 1, 1));
    let city = field(contract, "/locationDetail/city");
    assert_eq!((city.present, city.absent, city.wrong_type), (1, 2, 1));
    for counts in &contract.fields {
        assert_eq!(counts.records(), 4, "{}", counts.field);
    }
}

#[test]
fn records_count_on_the_utc_day_of_created_at_or_as_missing_or_invalid() {
    let (profile, _) = profile_of(RECORDS.as_bytes(), 1);
    let contract = &profile.contracts[0];
    let days: Vec<(String, u64)> = contract
        .dated()
        .map(|(day, tally)| (day, tally.records))
        .collect();
    // 23:30 at -01:00 is 00:30 UTC the next day.
    assert_eq!(
        days,
        [("2022-11-07".to_owned(), 1), ("2022-11-08".to_owned(), 1)]
    );
    let closed = contract
        .days
        .values()
        .find(|tally| tally.invalid == 1)
        .unwrap();
    assert_eq!(closed.errors, 1);
    assert_eq!(contract.missing_date.records, 1);
    assert_eq!(contract.invalid_date.records, 1);
    assert!(contract.invalid_date.errors >= 2);
    let all = contract.totals;
    let mut summed = contract.missing_date;
    summed.add(&contract.invalid_date);
    summed.add(&contract.earlier_days);
    contract.days.values().for_each(|tally| summed.add(tally));
    assert_eq!(summed, all);
}

#[test]
fn the_profile_does_not_depend_on_jobs_or_layout() {
    let mut ndjson = String::new();
    for index in 0..30_000u32 {
        let day = 1 + index % 28;
        let status = if index % 10 == 0 { "Closed" } else { "ongoing" };
        ndjson.push_str(&format!(
            "{{\"_id\":\"r{index}\",\"createdAt\":\"2022-{:02}-{day:02}T10:00:00.000Z\",\"status\":\"{status}\",\"ip\":null}}\n",
            1 + index % 12
        ));
    }
    let (one, _) = profile_of(ndjson.as_bytes(), 1);
    let (four, _) = profile_of(ndjson.as_bytes(), 4);
    assert_eq!(one, four);
    let array = format!("[{}]", ndjson.trim_end().replace('\n', ","));
    let (document, _) = profile_of(array.as_bytes(), 1);
    assert_eq!(one, document);
    assert_eq!(one.contracts[0].totals.invalid, 3000);
    assert_eq!(field(&one.contracts[0], "/ip").null, 30_000);
}

#[test]
fn profiles_survive_json_and_merge_like_one_run() {
    let (first, _) = profile_of(RECORDS.as_bytes(), 1);
    let text = serde_json::to_string(&first).unwrap();
    assert!(text.contains("\"day\":\"2022-11-08\""), "{text}");
    assert!(text.contains("\"wrongType\":1"), "{text}");
    let read: DataProfile = serde_json::from_str(&text).unwrap();
    assert_eq!(read, first);
    let mut twice = DataProfile::new();
    twice.merge(&first);
    twice.merge(&read);
    let (doubled, _) = profile_of(format!("{RECORDS}{RECORDS}").as_bytes(), 1);
    assert_eq!(twice, doubled);
}

#[test]
fn a_duplicate_member_counts_once_as_its_last_value() {
    let input = concat!(
        r#"{"_id":1,"_id":"a","ip":null,"ip":"192.0.2.1","ip":7}"#,
        "\n",
        r#"{"_id":"b","status":"ongoing"}"#,
        "\n",
    );
    let (profile, _) = profile_of(input.as_bytes(), 1);
    let contract = &profile.contracts[0];
    let id = field(contract, "/_id");
    assert_eq!(
        (id.present, id.null, id.absent, id.wrong_type),
        (2, 0, 0, 0)
    );
    let ip = field(contract, "/ip");
    assert_eq!(
        (ip.present, ip.null, ip.absent, ip.wrong_type),
        (0, 0, 1, 1)
    );
    for counts in &contract.fields {
        assert_eq!(counts.records(), 2, "{}", counts.field);
    }
}

#[test]
fn events_are_profiled_as_events_by_their_date_beside_records() {
    let event = |day: &str, status: &str| {
        format!(
            r#"{{"status":"{status}","serviceId":"s","displayCaseNumber":"1","eid":"e","type":"inquiry","date":"{day}T10:00:00.000Z"}}"#
        )
    };
    let input = format!(
        "{}\n{}\n{}\n{}\n{}\n",
        event("2023-06-04", "Opened"),
        r#"{"_id":"a","createdAt":"2022-11-07T08:00:00.000Z","status":"ongoing"}"#,
        event("2023-06-04", "Closed"),
        event("2023-06-05", "closed"),
        r#"{"challenge":"x"}"#,
    );
    for jobs in [1, 3] {
        // Detected per record, as `enquiry validate` does by default.
        let config = Config {
            contract: None,
            ..Config::default()
        };
        let mut profile = DataProfile::new();
        let summary = Validator::new(config)
            .validate_stream_profiled(input.as_bytes(), "in", jobs, &mut |_| {}, &mut profile)
            .unwrap();
        assert_eq!(summary.records, 5);
        let names: Vec<&str> = profile
            .contracts
            .iter()
            .map(|c| c.contract.as_str())
            .collect();
        assert_eq!(
            names,
            ["challenge-request", "event", "record"],
            "jobs {jobs}"
        );
        let events = &profile.contracts[1];
        assert_eq!(events.day_member, "/date");
        assert_eq!((events.totals.records, events.totals.invalid), (3, 1));
        let days: Vec<(String, u64)> = events
            .dated()
            .map(|(day, tally)| (day, tally.records))
            .collect();
        assert_eq!(
            days,
            [("2023-06-04".to_owned(), 2), ("2023-06-05".to_owned(), 1)]
        );
        let eid = field(events, "/eid");
        assert_eq!((eid.present, eid.absent), (3, 0));
        assert_eq!(field(events, "/channel").absent, 3);
        assert_eq!(profile.contracts[2].totals.records, 1);
        assert_eq!(profile.contracts[2].day_member, "/createdAt");
        assert_eq!(profile.contracts[0].day_member, "");
    }
}
