//! Data-driven tests of the validator: payload in, findings (code, pointer, line, column) out.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use enquiry_validator::{Code, Config, Event, Finding, Level, Profile, Severity, Validator};

/// A valid record on one line (default profile).
const VALID: &str = r#"{"_id":"e1","createdAt":"2022-11-07T00:00:00.000Z","status":"closed","closedAt":"2022-11-07T00:10:00.000Z","closeDuration":600000,"channel":"Weblink","ip":"192.0.2.1","language":"en","location":"HK","locationDetail":{"regionCode":"HK","city":"Hong Kong"},"inquiryDeepLink":"https://example.com/room/1","attachment":false,"duration":1000,"labelIDs":null,"handledType":"STAFF","handledPartyName":"Alex Example","transferredParty":[{"id":"s1"}]}"#;

/// A valid record with every documented member, canonical timestamps (strict profile).
const FULL: &str = r#"{"_id":"e1","uniqueKey":"u","createdAt":"2022-11-07T00:00:00.000Z","svcID":"s","inquiry":"i","tag":"t","visitor":"v","roomID":"r","initChannel":"IM","omniType":"CINNOX","ip":"2001:db8::1","language":"en","location":"HK","locationDetail":{"regionCode":"HK","subdivision":"Kowloon","city":"Hong Kong","province":"Hong Kong"},"platform":"web","status":"closed","displayCaseNumber":"1","channel":"Weblink","destinationID":"d","destinationName":"n","destinationType":"STAFF","destinationEndPoint":"STAFF","handledType":"STAFF","handledTarget":"h","handledPartyName":"Alex","huntedStaffTargetHistory":"h","type":"web","id":"c","maaiiDisplayName":"m","name":"n","inquiryType":"general","updatedAt":"2022-11-07T00:20:00.000Z","closedAt":"2022-11-07T00:10:00.000Z","inquiryGroup":"g","transferredParty":[],"pickedUpAt":"2022-11-07T00:01:00.000Z","missedAt":"2022-11-07T00:00:30.000Z","reopenedAt":"2022-11-07T00:05:00.000Z","handledPartyDepartmentID":"d","attachment":true,"staffFirstName":"A","staffLastName":"E","visitorFirstName":"S","visitorLastName":"S","inquiryDeepLink":"https://example.com/r","duration":1,"closeDuration":600000,"labelIDs":null}"#;

type Expected = (Code, String, u64, u64);

fn e(code: Code, pointer: &str, line: u64, column: u64) -> Expected {
    (code, pointer.to_owned(), line, column)
}

/// The 1-based column of the first occurrence of `needle` in the single-line `text`.
fn col(text: &str, needle: &str) -> u64 {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {text:?}"));
    text[..at].chars().count() as u64 + 1
}

/// `VALID` with `from` replaced by `to` (which must change something).
fn with(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "{from:?} not in VALID");
    VALID.replacen(from, to, 1)
}

fn findings(config: &Config, input: &[u8]) -> Vec<Finding> {
    Validator::new(config.clone())
        .validate_slice(input, "t.json")
        .findings
}

/// The one helper every table row goes through.
fn check(name: &str, config: &Config, input: &[u8], expected: &[Expected]) {
    let report = Validator::new(config.clone()).validate_slice(input, "t.json");
    let got: Vec<Expected> = report
        .findings
        .iter()
        .map(|f| (f.code, f.pointer.as_str().to_owned(), f.line, f.column))
        .collect();
    assert_eq!(got, expected, "case {name}: {report}");
    for finding in &report.findings {
        assert!(
            !finding.message.contains('\n'),
            "case {name}: message on one line: {finding}"
        );
        assert_eq!(finding.file.as_ref(), "t.json");
    }
    // Same result through the streaming API with several jobs.
    let mut streamed = Vec::new();
    let summary = Validator::new(config.clone())
        .validate_stream(input, "t.json", 3, &mut |event| match event {
            Event::Record(outcome) => streamed.extend(outcome.findings),
            Event::Input(finding) => streamed.push(*finding),
        })
        .expect("in-memory read");
    assert_eq!(streamed, report.findings, "case {name}: jobs 3");
    assert_eq!(summary, report.summary, "case {name}: jobs 3 summary");
}

fn default() -> Config {
    Config::default()
}

fn strict() -> Config {
    Config::with_profile(Profile::Strict)
}

fn level(code: Code, level: Level) -> Config {
    let mut config = Config::default();
    config.levels.insert(code, level);
    config
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("in memory");
    encoder.finish().expect("in memory")
}

#[test]
fn field_rules() {
    let d = default();
    let mut cases: Vec<(&str, Config, String, Vec<Expected>)> = Vec::new();
    let mut case = |name: &'static str, config: &Config, input: String, expected: Vec<Expected>| {
        cases.push((name, config.clone(), input, expected));
    };
    case("valid", &d, VALID.to_owned(), vec![]);
    let p = with(r#""closed""#, r#""Closed""#);
    case(
        "enum status",
        &d,
        p.clone(),
        vec![e(Code::Enum, "/status", 1, col(&p, "\"Closed\""))],
    );
    let p = with("2022-11-07T00:00:00.000Z", "2022-02-30T00:00:00Z");
    case(
        "feb 30",
        &d,
        p.clone(),
        vec![e(Code::DateTime, "/createdAt", 1, col(&p, "\"2022-02-30"))],
    );
    let p = with("2022-11-07T00:10:00.000Z", "2022-11-07T25:10:00.000Z");
    case(
        "hour 25",
        &d,
        p.clone(),
        vec![e(
            Code::DateTime,
            "/closedAt",
            1,
            col(&p, "\"2022-11-07T25"),
        )],
    );
    let p = with("2022-11-07T00:00:00.000Z", "2022-11-07T00:00:00");
    case(
        "no zone",
        &d,
        p.clone(),
        vec![e(
            Code::DateTime,
            "/createdAt",
            1,
            col(&p, "\"2022-11-07T00:00:00\""),
        )],
    );
    let p = with("2022-11-07T00:10:00.000Z", "2022-11-07t08:10:00.5+08:00");
    case("lower t and offset are RFC 3339", &d, p, vec![]);
    let p = with(r#""2022-11-07T00:00:00.000Z""#, "1667779200000");
    case(
        "createdAt number",
        &d,
        p.clone(),
        vec![e(Code::Type, "/createdAt", 1, col(&p, "1667779200000"))],
    );
    let p = with(r#""createdAt":"2022-11-07T00:00:00.000Z","#, "");
    case(
        "missing createdAt",
        &d,
        p,
        vec![e(Code::Required, "/createdAt", 1, 1)],
    );
    let p = with(r#""closed""#, "null");
    case(
        "null status",
        &d,
        p.clone(),
        vec![e(Code::Required, "/status", 1, col(&p, "null"))],
    );
    let p = with(
        r#""channel":"Weblink""#,
        r#""channel":"weblink","initChannel":"im","omniType":"X","destinationType":"PSTN","destinationEndPoint":"BOT""#,
    );
    case(
        "enums",
        &d,
        p.clone(),
        vec![
            e(Code::Enum, "/channel", 1, col(&p, "\"weblink\"")),
            e(Code::Enum, "/initChannel", 1, col(&p, "\"im\"")),
            e(Code::Enum, "/omniType", 1, col(&p, "\"X\"")),
            e(Code::Enum, "/destinationType", 1, col(&p, "\"PSTN\"")),
            e(Code::Enum, "/destinationEndPoint", 1, col(&p, "\"BOT\"")),
        ],
    );
    let p = with("192.0.2.1", "256.1.1.1");
    case(
        "ip",
        &d,
        p.clone(),
        vec![e(Code::Ip, "/ip", 1, col(&p, "\"256"))],
    );
    case("ipv6", &d, with("192.0.2.1", "2001:db8::1"), vec![]);
    let p = with(r#""en""#, r#""eng""#)
        .replacen(r#""location":"HK""#, r#""location":"hk""#, 1)
        .replacen(r#"{"regionCode":"HK""#, r#"{"regionCode":"XX""#, 1);
    case(
        "iso codes",
        &d,
        p.clone(),
        vec![
            e(Code::Language, "/language", 1, col(&p, "\"eng\"")),
            e(Code::Country, "/location", 1, col(&p, "\"hk\"")),
            e(
                Code::Country,
                "/locationDetail/regionCode",
                1,
                col(&p, "\"XX\""),
            ),
        ],
    );
    let p = with(
        r#""city":"Hong Kong"}"#,
        r#""city":"Hong Kong","town":"x","city":"y"}"#,
    );
    case(
        "locationDetail members",
        &d,
        p.clone(),
        vec![
            e(
                Code::UnknownField,
                "/locationDetail/town",
                1,
                col(&p, "\"town\""),
            ),
            e(
                Code::DuplicateKey,
                "/locationDetail/city",
                1,
                col(&p, "\"city\":\"y\""),
            ),
        ],
    );
    let p = with(r#"{"regionCode":"HK","city":"Hong Kong"}"#, "[]");
    case(
        "locationDetail type",
        &d,
        p.clone(),
        vec![e(Code::Type, "/locationDetail", 1, col(&p, "[]"))],
    );
    let p = with("https://example.com/room/1", "/room/1");
    case(
        "url relative",
        &d,
        p.clone(),
        vec![e(Code::Url, "/inquiryDeepLink", 1, col(&p, "\"/room/1\""))],
    );
    let p = with("https://example.com/room/1", "ftp://example.com/x");
    case(
        "url scheme",
        &d,
        p.clone(),
        vec![e(Code::Url, "/inquiryDeepLink", 1, col(&p, "\"ftp"))],
    );
    case(
        "url with port and query",
        &d,
        with(
            "https://example.com/room/1",
            "HTTPS://Example.com:8443/r?a=%20b#f",
        ),
        vec![],
    );
    let p = with("false", r#""false""#);
    case(
        "boolean",
        &d,
        p.clone(),
        vec![e(Code::Type, "/attachment", 1, col(&p, "\"false\""))],
    );
    let p = with(":1000", ":12.5");
    case(
        "fraction",
        &d,
        p.clone(),
        vec![e(Code::Integer, "/duration", 1, col(&p, "12.5"))],
    );
    case("12.0 is an integer", &d, with(":1000", ":12.0"), vec![]);
    case("1.2e1 is an integer", &d, with(":1000", ":1.2e1"), vec![]);
    case("-0 is zero", &d, with(":1000", ":-0"), vec![]);
    let p = with(":1000", ":-1");
    case(
        "negative",
        &d,
        p.clone(),
        vec![e(Code::Minimum, "/duration", 1, col(&p, ":-1") + 1)],
    );
    let p = with(":1000", ":1e400");
    case(
        "1e400",
        &d,
        p.clone(),
        vec![e(Code::Integer, "/duration", 1, col(&p, "1e400"))],
    );
    let huge = "9".repeat(100_000);
    let p = with(":1000", &format!(":{huge}"));
    case(
        "100k digits",
        &d,
        p.clone(),
        vec![e(Code::Integer, "/duration", 1, col(&p, "999"))],
    );
    let p = with(":1000", r#":"1000""#);
    case(
        "duration string",
        &d,
        p.clone(),
        vec![e(Code::Type, "/duration", 1, col(&p, "\"1000\""))],
    );
    let p = with(r#""labelIDs":null"#, r#""labelIDs":"a""#);
    case(
        "labels type",
        &d,
        p.clone(),
        vec![e(Code::Type, "/labelIDs", 1, col(&p, "\"a\","))],
    );
    let p = with(r#""labelIDs":null"#, r#""labelIDs":["",1,"a","a"]"#);
    case(
        "labels items",
        &d,
        p.clone(),
        vec![
            e(Code::LabelEmpty, "/labelIDs/0", 1, col(&p, "\"\",1")),
            e(Code::Type, "/labelIDs/1", 1, col(&p, "1,\"a\"")),
            e(Code::LabelDuplicate, "/labelIDs/3", 1, col(&p, "\"a\"]")),
        ],
    );
    let mut labels = default();
    labels.labels = Some(BTreeSet::from(["a".to_owned()]));
    let p = with(r#""labelIDs":null"#, r#""labelIDs":["a","b"]"#);
    case(
        "label list",
        &labels,
        p.clone(),
        vec![e(Code::LabelUnknown, "/labelIDs/1", 1, col(&p, "\"b\""))],
    );
    let p = with(r#"[{"id":"s1"}]"#, r#"[{"id":"s1"},1]"#);
    case(
        "transferredParty item",
        &d,
        p.clone(),
        vec![e(Code::Type, "/transferredParty/1", 1, col(&p, "1]"))],
    );
    let p = with(r#"[{"id":"s1"}]"#, r#"[{"id":"s1","id":"s2"}]"#);
    case(
        "transferredParty duplicate",
        &d,
        p.clone(),
        vec![e(
            Code::DuplicateKey,
            "/transferredParty/0/id",
            1,
            col(&p, "\"id\":\"s2\""),
        )],
    );
    let p = with(r#"[{"id":"s1"}]"#, r#"{}"#);
    case(
        "transferredParty type",
        &d,
        p.clone(),
        vec![e(Code::Type, "/transferredParty", 1, col(&p, "{}}"))],
    );
    let p = with(
        r#""handledType":"STAFF""#,
        r#""handledType":"Staff","huntedStaffTargetHistory":["a","b"]"#,
    );
    case(
        "recognised values and shapes",
        &d,
        p.clone(),
        vec![
            e(
                Code::UnrecognisedValue,
                "/handledType",
                1,
                col(&p, "\"Staff\""),
            ),
            e(
                Code::UndocumentedShape,
                "/huntedStaffTargetHistory",
                1,
                col(&p, "[\"a\""),
            ),
        ],
    );
    let p = with(
        r#""handledType":"STAFF""#,
        r#""huntedStaffTargetHistory":["a",2]"#,
    );
    case(
        "hunted item type",
        &d,
        p.clone(),
        vec![e(
            Code::Type,
            "/huntedStaffTargetHistory/1",
            1,
            col(&p, "2]"),
        )],
    );
    let p = with(r#""handledType":"STAFF""#, r#""platform":null"#);
    case(
        "null optional",
        &d,
        p.clone(),
        vec![e(
            Code::NullValue,
            "/platform",
            1,
            col(&p, "null,\"handled"),
        )],
    );
    let p = with(r#""labelIDs":null"#, r#""labelIds":["a"]"#);
    case(
        "unknown field",
        &d,
        p.clone(),
        vec![e(
            Code::UnknownField,
            "/labelIds",
            1,
            col(&p, "\"labelIds\""),
        )],
    );
    let p = with(r#""handledType":"STAFF""#, r#""a/b~c":1"#);
    case(
        "pointer escaping",
        &d,
        p.clone(),
        vec![e(Code::UnknownField, "/a~1b~0c", 1, col(&p, "\"a/b"))],
    );
    let p = with(
        r#""handledType":"STAFF""#,
        r#""updatedAt":"2022-11-06T00:00:00Z""#,
    );
    case(
        "timeline",
        &d,
        p.clone(),
        vec![e(Code::Timeline, "/updatedAt", 1, col(&p, "\"2022-11-06"))],
    );
    let p = with(r#""status":"closed""#, r#""status":"ongoing""#);
    case(
        "closedAt on ongoing",
        &d,
        p.clone(),
        vec![e(
            Code::StatusConsistency,
            "/closedAt",
            1,
            col(&p, "\"2022-11-07T00:10"),
        )],
    );
    let p = with(
        r#""closedAt":"2022-11-07T00:10:00.000Z","closeDuration":600000,"#,
        "",
    );
    case(
        "closed without closedAt",
        &d,
        p.clone(),
        vec![e(
            Code::StatusConsistency,
            "/status",
            1,
            col(&p, "\"closed\""),
        )],
    );
    let p = with(
        r#""status":"closed","closedAt":"2022-11-07T00:10:00.000Z","closeDuration":600000,"#,
        r#""status":"missed","#,
    );
    case(
        "missed without missedAt",
        &d,
        p.clone(),
        vec![e(
            Code::StatusConsistency,
            "/status",
            1,
            col(&p, "\"missed\""),
        )],
    );
    let p = with("600000", "5");
    case(
        "close duration",
        &d,
        p.clone(),
        vec![e(Code::CloseDuration, "/closeDuration", 1, col(&p, "5,"))],
    );
    case(
        "close duration within 1 s",
        &d,
        with("600000", "600999"),
        vec![],
    );
    let p = with(
        r#""status":"closed","#,
        r#""status":"closed","status":"closed","#,
    );
    case(
        "duplicate key",
        &d,
        p.clone(),
        vec![e(
            Code::DuplicateKey,
            "/status",
            1,
            col(&p, "\"status\":\"closed\",\"closedAt"),
        )],
    );
    let p = with(r#""_id":"e1""#, "\"_id\":\"\\ud800\"");
    case(
        "lone surrogate",
        &d,
        p.clone(),
        vec![e(Code::Encoding, "/_id", 1, col(&p, "\"\\ud800"))],
    );
    case(
        "surrogate pair",
        &d,
        with(r#""_id":"e1""#, "\"_id\":\"\\ud83d\\ude00\""),
        vec![],
    );
    // Channel lists.
    let mut channels = default();
    channels.channels = Some(BTreeSet::from([
        "Weblink".to_owned(),
        "TELEGRAM".to_owned(),
    ]));
    case(
        "channel in list",
        &channels,
        with("Weblink", "TELEGRAM"),
        vec![],
    );
    let p = with("Weblink", "Email");
    case(
        "channel not in list",
        &channels,
        p.clone(),
        vec![e(Code::ChannelUnknown, "/channel", 1, col(&p, "\"Email\""))],
    );
    // Several defects in one record: all of them, in position order.
    let p = with(
        r#""_id":"e1","createdAt":"2022-11-07T00:00:00.000Z","status":"closed""#,
        r#""_id":1,"status":"Closed","x":1"#,
    )
    .replacen("192.0.2.1", "x", 1);
    case(
        "several defects",
        &d,
        p.clone(),
        vec![
            e(Code::Required, "/createdAt", 1, 1),
            e(Code::Type, "/_id", 1, col(&p, "1,")),
            e(Code::Enum, "/status", 1, col(&p, "\"Closed\"")),
            e(Code::UnknownField, "/x", 1, col(&p, "\"x\":1")),
            e(Code::Ip, "/ip", 1, col(&p, "\"x\",")),
        ],
    );
    // Configuration.
    case(
        "allow",
        &level(Code::UnknownField, Level::Allow),
        with(r#""labelIDs":null"#, r#""labelIds":null"#),
        vec![],
    );
    let mut required = default();
    required.required = Some(BTreeSet::from([
        "_id".to_owned(),
        "platform".to_owned(),
        "locationDetail.province".to_owned(),
    ]));
    let p = with(r#""createdAt":"2022-11-07T00:00:00.000Z","#, "");
    case(
        "required set",
        &required,
        p,
        // Documentation order: locationDetail comes before platform.
        vec![
            e(Code::Required, "/locationDetail/province", 1, 1),
            e(Code::Required, "/platform", 1, 1),
        ],
    );
    case("strict full", &strict(), FULL.to_owned(), vec![]);
    let p = FULL
        .replacen(r#""platform":"web""#, r#""platform":null"#, 1)
        .replacen("2022-11-07T00:20:00.000Z", "2022-11-07T00:20:00Z", 1);
    case(
        "strict null and canonical",
        &strict(),
        p.clone(),
        vec![
            e(Code::Required, "/platform", 1, col(&p, "null")),
            e(
                Code::CanonicalTimestamp,
                "/updatedAt",
                1,
                col(&p, "\"2022-11-07T00:20:00Z\""),
            ),
        ],
    );
    let p = FULL
        .replacen(r#""svcID":"s","#, "", 1)
        .replacen(r#""subdivision":"Kowloon","#, "", 1);
    case(
        "strict required",
        &strict(),
        p,
        vec![
            e(Code::Required, "/svcID", 1, 1),
            e(Code::Required, "/locationDetail/subdivision", 1, 1),
        ],
    );

    // closedAt and closeDuration: required of a closed enquiry only (fields::CLOSED_ONLY).
    let p = FULL
        .replacen(r#""closedAt":"2022-11-07T00:10:00.000Z","#, "", 1)
        .replacen(r#""closeDuration":600000,"#, "", 1);
    case(
        "strict closed without closedAt and closeDuration",
        &strict(),
        p.clone(),
        vec![
            e(Code::Required, "/closedAt", 1, 1),
            e(Code::Required, "/closeDuration", 1, 1),
            e(Code::StatusConsistency, "/status", 1, col(&p, "\"closed\"")),
        ],
    );
    let ongoing = p.replacen(r#""status":"closed""#, r#""status":"ongoing""#, 1);
    case(
        "strict ongoing needs no closedAt",
        &strict(),
        ongoing.clone(),
        vec![],
    );
    let p = ongoing.replacen(
        r#""inquiryGroup":"g","#,
        r#""inquiryGroup":"g","closedAt":"2022-11-07T00:10:00.000Z","#,
        1,
    );
    case(
        "strict ongoing with closedAt",
        &strict(),
        p.clone(),
        vec![e(
            Code::StatusConsistency,
            "/closedAt",
            1,
            col(&p, "\"2022-11-07T00:10:00.000Z\""),
        )],
    );

    for (name, config, input, expected) in &cases {
        check(name, config, input.as_bytes(), expected);
    }
}

#[test]
fn messages_severities_and_masking() {
    let p = with(r#""closed""#, r#""Closed""#);
    let found = findings(&default(), p.as_bytes());
    assert_eq!(found[0].suggestion.as_deref(), Some("closed"));
    assert!(
        found[0]
            .message
            .contains("expected one of: ongoing, followed-up, missed, closed"),
        "{}",
        found[0].message
    );
    assert_eq!(found[0].severity, Severity::Error);

    let p = with(r#""labelIDs":null"#, r#""labelIds":null"#);
    let found = findings(&default(), p.as_bytes());
    assert_eq!(found[0].suggestion.as_deref(), Some("labelIDs"));
    assert_eq!(found[0].severity, Severity::Warning);
    let found = findings(&strict(), p.as_bytes());
    assert!(found
        .iter()
        .any(|f| f.code == Code::UnknownField && f.severity == Severity::Error));
    let found = findings(&level(Code::UnknownField, Level::Deny), p.as_bytes());
    assert_eq!(found[0].severity, Severity::Error);

    let p = with("192.0.2.1", "10.0.0.999");
    let masked = findings(&default(), p.as_bytes());
    assert!(
        masked[0].message.contains("<masked>") && !masked[0].message.contains("10.0.0.999"),
        "{}",
        masked[0].message
    );
    let mut show = default();
    show.show_values = true;
    let shown = findings(&show, p.as_bytes());
    assert!(
        shown[0].message.contains("10.0.0.999"),
        "{}",
        shown[0].message
    );
}

#[test]
fn input_shapes() {
    let d = default();
    let bad = with(r#""closed""#, r#""Closed""#);
    let bad_col = col(&bad, "\"Closed\"");
    // Pretty array: records on their own lines, positions in the file.
    let array = format!("[\n  {VALID},\n  {bad}\n]\n");
    check(
        "array",
        &d,
        array.as_bytes(),
        &[e(Code::Enum, "/status", 3, bad_col + 2)],
    );
    // NDJSON with blank lines and a broken line in the middle.
    let ndjson = format!("{VALID}\n\n{bad}\n{{\"_id\": \n\n{bad}\n");
    check(
        "ndjson",
        &d,
        ndjson.as_bytes(),
        &[
            e(Code::Enum, "/status", 3, bad_col),
            e(Code::Syntax, "/_id", 4, 9),
            e(Code::Enum, "/status", 6, bad_col),
        ],
    );
    check(
        "ndjson crlf",
        &d,
        format!("{VALID}\r\n{bad}\r\n").as_bytes(),
        &[e(Code::Enum, "/status", 2, bad_col)],
    );
    let report = Validator::new(d.clone()).validate_slice(ndjson.as_bytes(), "t");
    assert_eq!(
        (
            report.summary.records,
            report.summary.valid,
            report.summary.invalid
        ),
        (4, 1, 3)
    );
    // A list response, pretty and minified, and NDJSON of list responses.
    let list = format!(
        "{{\n  \"code\": 0,\n  \"data\": [\n    {VALID},\n    {bad}\n  ],\n  \"next\": null\n}}\n"
    );
    check(
        "list response",
        &d,
        list.as_bytes(),
        &[e(Code::Enum, "/status", 5, bad_col + 4)],
    );
    let list = format!("{{\"code\":0,\"data\":[{VALID},{bad}]}}");
    let offset = col(&list, &bad) - 1;
    check(
        "list response one line",
        &d,
        list.as_bytes(),
        &[e(Code::Enum, "/status", 1, bad_col + offset)],
    );
    // Pretty-printed by page, one record a line: a document, not NDJSON with broken lines.
    let list = format!("{{\"code\": 0, \"total\": 2, \"list\": [\n{VALID},\n{bad}\n]}}\n");
    check(
        "list response one record a line",
        &d,
        list.as_bytes(),
        &[e(Code::Enum, "/status", 3, bad_col)],
    );
    let pages = format!("{{\"data\":[{bad}]}}\n{{\"data\":[{bad}]}}\n");
    let offset = col(&pages, &bad) - 1;
    check(
        "ndjson of pages",
        &d,
        pages.as_bytes(),
        &[
            e(Code::Enum, "/status", 1, bad_col + offset),
            e(Code::Enum, "/status", 2, bad_col + offset),
        ],
    );
    let report = Validator::new(d.clone()).validate_slice(list.as_bytes(), "t");
    assert_eq!(report.summary.records, 2);
    // --pointer, in a pretty document and on one line.
    let mut pointed = default();
    pointed.pointer = Some("/result/items".to_owned());
    let doc = format!("{{\n\"result\": {{\"count\": [1], \"items\": [\n{bad}\n]}}}}\n");
    check(
        "pointer",
        &pointed,
        doc.as_bytes(),
        &[e(Code::Enum, "/status", 3, bad_col)],
    );
    let line = format!("{{\"result\":{{\"count\":[1],\"items\":[{bad}]}}}}");
    let offset = col(&line, &bad) - 1;
    check(
        "pointer one line",
        &pointed,
        line.as_bytes(),
        &[e(Code::Enum, "/status", 1, bad_col + offset)],
    );
    check(
        "pointer missing",
        &pointed,
        b"{\n\"result\": {}\n}\n",
        &[e(Code::NotAnObject, "", 2, 12)],
    );
    check(
        "pointer missing one line",
        &pointed,
        b"{\"result\": {}}",
        &[e(Code::NotAnObject, "", 1, 1)],
    );
    // gzip, BOM, empty input.
    check(
        "gzip",
        &d,
        &gzip(ndjson.as_bytes()),
        &[
            e(Code::Enum, "/status", 3, bad_col),
            e(Code::Syntax, "/_id", 4, 9),
            e(Code::Enum, "/status", 6, bad_col),
        ],
    );
    check(
        "gzip corrupt",
        &d,
        &gzip(ndjson.as_bytes())[..40],
        &[e(Code::Syntax, "", 1, 1)],
    );
    let bom = format!("\u{feff}{bad}");
    check(
        "bom",
        &d,
        bom.as_bytes(),
        &[e(Code::Bom, "", 1, 1), e(Code::Enum, "/status", 1, bad_col)],
    );
    check("empty", &d, b"", &[e(Code::EmptyInput, "", 1, 1)]);
    check(
        "whitespace only",
        &d,
        b" \n\t\n",
        &[e(Code::EmptyInput, "", 3, 1)],
    );
    check(
        "bom only",
        &d,
        b"\xEF\xBB\xBF",
        &[e(Code::Bom, "", 1, 1), e(Code::EmptyInput, "", 1, 1)],
    );
    check("empty array", &d, b"[]", &[e(Code::EmptyInput, "", 1, 2)]);
    // Not objects where records belong.
    let mixed = format!("[1, \"a\", null, {VALID}, []]");
    check(
        "mixed array",
        &d,
        mixed.as_bytes(),
        &[
            e(Code::NotAnObject, "", 1, 2),
            e(Code::NotAnObject, "", 1, 5),
            e(Code::NotAnObject, "", 1, 10),
            e(Code::NotAnObject, "", 1, col(&mixed, "[]]")),
        ],
    );
    check("scalar", &d, b"42\n", &[e(Code::NotAnObject, "", 1, 1)]);
    // Syntax errors.
    let broken = format!("[\n{VALID},\n{{\"_id\" 1}},\n{bad}\n]");
    // The scanner delimits the broken record, so the records after it are still checked.
    check(
        "array goes on after a broken record",
        &d,
        broken.as_bytes(),
        &[
            e(Code::Syntax, "/_id", 3, 8),
            e(Code::Enum, "/status", 4, 61),
        ],
    );
    check(
        "array truncated",
        &d,
        format!("[{VALID},").as_bytes(),
        &[e(Code::Syntax, "", 1, VALID.len() as u64 + 3)],
    );
    check(
        "array bad separator",
        &d,
        format!("[{VALID} {VALID}]").as_bytes(),
        &[e(Code::Syntax, "", 1, VALID.len() as u64 + 3)],
    );
    check(
        "trailing garbage on a line",
        &d,
        format!("{VALID} x\n{VALID}\n").as_bytes(),
        &[e(Code::Syntax, "", 1, VALID.len() as u64 + 2)],
    );
    check(
        "broken member name",
        &d,
        b"{\"_id\":\"a\", broken}",
        &[e(Code::Syntax, "", 1, 13)],
    );
    let escaped = with(r#""status":"closed""#, r#""st\u0061tus":"Clos\u0065d""#);
    check(
        "escaped names and values",
        &d,
        escaped.as_bytes(),
        &[e(Code::Enum, "/status", 1, col(&escaped, "\"Clos"))],
    );
    check(
        "pretty object",
        &d,
        b"{\n  \"_id\": \"a\",\n  \"status\": \"closed\"\n}\n",
        &[
            e(Code::Required, "/createdAt", 1, 1),
            e(Code::StatusConsistency, "/status", 3, 13),
        ],
    );
}

#[test]
fn hostile_inputs_do_not_panic() {
    let d = default();
    // Found by the fuzzer: after a broken record, a stray `]` once made the document walk loop
    // in place, emitting syntax findings until memory ran out. Each stray byte is now consumed.
    for input in [
        &b"{\"_i:96d\"\n\"\n\n\nople Co. o\0\0 on LINE\",\"3\"/\"f6\"]}\n"[..],
        b"[{\"a\" 1}, ] ] ] :",
        b"{} ] } , :",
    ] {
        let report = Validator::new(d.clone()).validate_slice(input, "t.json");
        assert!(
            report.summary.records <= input.len() as u64 && !report.findings.is_empty(),
            "{:?}: {report}",
            String::from_utf8_lossy(input)
        );
    }
    let depth = 1_000_000;
    let deep_array = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let found = findings(&d, deep_array.as_bytes());
    assert_eq!(
        found.iter().map(|f| f.code).collect::<Vec<_>>(),
        vec![Code::TooDeep]
    );
    let deep_object = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    let found = findings(&d, deep_object.as_bytes());
    assert_eq!(
        found.iter().map(|f| f.code).collect::<Vec<_>>(),
        vec![Code::TooDeep]
    );
    let deep_field = format!(
        "{{\"transferredParty\":{}{}}}\n{VALID}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let found = findings(&d, deep_field.as_bytes());
    assert_eq!(
        found.iter().map(|f| (f.code, f.line)).collect::<Vec<_>>(),
        vec![(Code::TooDeep, 1)]
    );
    let unclosed = "[".repeat(depth);
    assert!(!findings(&d, unclosed.as_bytes()).is_empty());
    let unclosed = "{\"a\":".repeat(depth);
    assert!(!findings(&d, unclosed.as_bytes()).is_empty());

    let invalid_utf8 = [
        &b"{\"_id\":\"a\xFF\xFEb\",\"createdAt\":\"2022-11-07T00:00:00Z\",\"status\":\"ongoing\"}"
            [..],
    ]
    .concat();
    check(
        "invalid utf-8 in a string",
        &d,
        &invalid_utf8,
        &[e(Code::Encoding, "/_id", 1, 8)],
    );
    check(
        "invalid utf-8 outside",
        &d,
        b"{\"_id\":\xFF}",
        &[e(Code::Syntax, "/_id", 1, 8)],
    );
    check(
        "nul in a string",
        &d,
        b"{\"_id\":\"a\x00b\"}",
        &[e(Code::Syntax, "/_id", 1, 10)],
    );
    check(
        "nul outside",
        &d,
        b"{\"_id\":\"a\"\x00}",
        &[e(Code::Syntax, "/_id", 1, 11)],
    );
    check("nul alone", &d, b"\x00", &[e(Code::Syntax, "", 1, 1)]);

    // 200,000 members.
    let mut wide = String::from(
        "{\"_id\":\"a\",\"createdAt\":\"2022-11-07T00:00:00Z\",\"status\":\"ongoing\"",
    );
    for index in 0..200_000 {
        wide.push_str(&format!(",\"k{index}\":{index}"));
    }
    wide.push_str(",\"k7\":1}");
    let found = findings(&level(Code::UnknownField, Level::Allow), wide.as_bytes());
    assert_eq!(
        found
            .iter()
            .map(|f| (f.code, f.pointer.as_str()))
            .collect::<Vec<_>>(),
        vec![(Code::DuplicateKey, "/k7")]
    );

    // A record over the limit, then a good one: in NDJSON (short and longer than a chunk) and
    // in an array.
    let mut small = default();
    small.max_record_size = 1000;
    let big = with(
        r#""handledType":"STAFF""#,
        &format!("\"handledType\":\"{}\"", "x".repeat(5000)),
    );
    let bad = with(r#""closed""#, r#""Closed""#);
    let bad_col = col(&bad, "\"Closed\"");
    check(
        "too large line",
        &small,
        format!("{big}\n{bad}\n").as_bytes(),
        &[
            e(Code::RecordTooLarge, "", 1, 1),
            e(Code::Enum, "/status", 2, bad_col),
        ],
    );
    let mut limit = default();
    limit.max_record_size = 10_000;
    let huge = with(
        r#""handledType":"STAFF""#,
        &format!("\"handledType\":\"{}\"", "x".repeat(3 << 20)),
    );
    check(
        "too large line beyond a chunk",
        &limit,
        format!("{bad}\n{huge}\n{bad}\n").as_bytes(),
        &[
            e(Code::Enum, "/status", 1, bad_col),
            e(Code::RecordTooLarge, "", 2, 1),
            e(Code::Enum, "/status", 3, bad_col),
        ],
    );
    check(
        "too large item",
        &small,
        format!("[{big},\n{bad}]").as_bytes(),
        &[
            e(Code::RecordTooLarge, "", 1, 2),
            e(Code::Enum, "/status", 2, bad_col),
        ],
    );
    // A 20 MiB string (over the default 16 MiB limit) on one line, then a good line.
    let long = with(
        r#""handledType":"STAFF""#,
        &format!("\"handledType\":\"{}\"", "y".repeat(20 << 20)),
    );
    check(
        "20 MiB string",
        &d,
        format!("{long}\n{bad}\n").as_bytes(),
        &[
            e(Code::RecordTooLarge, "", 1, 1),
            e(Code::Enum, "/status", 2, bad_col),
        ],
    );
    check(
        "20 MiB string in an array",
        &d,
        format!("[{long},\n{bad}]").as_bytes(),
        &[
            e(Code::RecordTooLarge, "", 1, 2),
            e(Code::Enum, "/status", 2, bad_col),
        ],
    );
    let report = Validator::new(small).validate_slice(format!("{big}\n{VALID}\n").as_bytes(), "t");
    assert_eq!(
        (
            report.summary.records,
            report.summary.valid,
            report.summary.invalid
        ),
        (2, 1, 1)
    );
}

/// Builds `count` NDJSON records, every 97th with a defect.
fn generated(count: usize) -> String {
    let mut out = String::new();
    for index in 0..count {
        let line = match index % 97 {
            13 => with(r#""closed""#, r#""Closed""#),
            41 => format!("{{\"_id\": \"{index}\", broken"),
            77 => with("192.0.2.1", &format!("192.0.2.{index}")),
            _ => with(r#""_id":"e1""#, &format!("\"_id\":\"e{index}\"")),
        };
        out.push_str(&line);
        out.push('\n');
        if index % 500 == 0 {
            out.push('\n');
        }
    }
    out
}

#[test]
fn jobs_give_identical_events() {
    let data = generated(12_000);
    assert!(data.len() > 5 << 20, "spans several chunks");
    let validator = Validator::new(default());
    let run = |jobs: usize| {
        let mut events = Vec::new();
        let summary = validator
            .validate_stream(data.as_bytes(), "gen.ndjson", jobs, &mut |event| {
                events.push(event)
            })
            .expect("in memory");
        (summary, events)
    };
    let (one, events_one) = run(1);
    let (four, events_four) = run(4);
    assert_eq!(one, four);
    assert_eq!(events_one, events_four);
    assert_eq!(one.records, 12_000);
    assert!(one.invalid > 200 && one.invalid < 400, "{one:?}");
    // Records come in order with their file lines.
    let lines: Vec<u64> = events_one
        .iter()
        .filter_map(|event| match event {
            Event::Record(outcome) => Some(outcome.line),
            Event::Input(_) => None,
        })
        .collect();
    assert!(lines.windows(2).all(|pair| pair[0] < pair[1]));
    let report = validator.validate_slice(&gzip(data.as_bytes()), "gen.ndjson.gz");
    assert_eq!(report.summary, one);
    // Held in memory (checked where it is, in several pieces), the same events.
    for jobs in [1, 4] {
        let mut events = Vec::new();
        let summary = validator.validate_bytes(data.as_bytes(), "gen.ndjson", jobs, &mut |event| {
            events.push(event)
        });
        assert_eq!(
            (summary, &events),
            (one, &events_one),
            "in memory, jobs {jobs}"
        );
    }
}

/// Lines over the record size limit, blank lines, CRLF and lone CRs, a BOM and a last line
/// without its LF: an input held in memory gives the events of the same input read.
#[test]
fn in_memory_lines_give_the_events_of_read_lines() {
    let mut config = default();
    config.max_record_size = 800;
    let big = with(
        r#""_id":"e1""#,
        &format!("\"_id\":\"{}\"", "x".repeat(1000)),
    );
    let inputs = [
        format!("\u{feff}{VALID}\n{big}\n\n  \n{VALID}\r\n{{}}\r{VALID}"),
        format!("{big}\r\n{VALID}\n{{\"_id\": 1,\n{VALID}\n"),
        format!(" \t{VALID} \t\n[{VALID},{{}}]\n{{\"items\":[{VALID}]}}\n"),
    ];
    let validator = Validator::new(config);
    for (index, input) in inputs.iter().enumerate() {
        let mut read = Vec::new();
        let read_summary = validator
            .validate_stream(input.as_bytes(), "t.ndjson", 1, &mut |event| {
                read.push(event)
            })
            .expect("in memory");
        assert!(read_summary.records >= 3, "input {index}: {read_summary:?}");
        for jobs in [1, 2] {
            let mut in_memory = Vec::new();
            let summary =
                validator.validate_bytes(input.as_bytes(), "t.ndjson", jobs, &mut |event| {
                    in_memory.push(event)
                });
            assert_eq!(
                (summary, &in_memory),
                (read_summary, &read),
                "input {index}, jobs {jobs}"
            );
        }
    }
}

#[test]
fn one_record_api() {
    let validator = Validator::new(default());
    assert!(validator
        .validate_record(VALID.as_bytes(), "r")
        .findings
        .is_empty());
    let bad = with(r#""closed""#, r#""Closed""#);
    let outcome = validator.validate_record(bad.as_bytes(), "r");
    assert_eq!(outcome.findings.len(), 1);
    assert_eq!(outcome.findings[0].column, col(&bad, "\"Closed\""));
    assert_eq!(
        validator.validate_record(b"[1]", "r").findings[0].code,
        Code::NotAnObject
    );
    assert_eq!(
        validator.validate_record(b"", "r").findings[0].code,
        Code::Syntax
    );
}

#[test]
fn config_file_levels() {
    let file = enquiry_validator::ConfigFile::parse(
        "profile = \"strict\"\n[rules]\nunknown-field = \"allow\"\n",
    )
    .expect("valid toml");
    let mut config = Config::default();
    config.apply(&file);
    let found = findings(&config, FULL.replacen("{", "{\"x\":1,", 1).as_bytes());
    assert!(found.is_empty(), "{found:?}");
    let mut levels = BTreeMap::new();
    levels.insert(Code::NullValue, Level::Deny);
    let config = Config {
        levels,
        ..Config::default()
    };
    let found = findings(
        &config,
        with(r#""handledType":"STAFF""#, r#""platform":null"#).as_bytes(),
    );
    assert_eq!(found[0].severity, Severity::Error);
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let report = Validator::new(Config::default()).validate_slice(&bytes, "fuzz");
            prop_assert_eq!(report.summary.files, 1);
        }

        #[test]
        fn mutated_payloads_never_panic(
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
            jobs in 1usize..3,
        ) {
            let mut bytes = format!("{VALID}\n{FULL}\n[{VALID}]\n").into_bytes();
            for (at, byte) in &edits {
                let index = at.index(bytes.len());
                bytes[index] = *byte;
            }
            let keep = cut.index(bytes.len() + 1);
            let bytes = &bytes[..keep.max(bytes.len() / 2)];
            let validator = Validator::new(Config::with_profile(Profile::Strict));
            let single = validator.validate_slice(bytes, "fuzz");
            let mut streamed = Vec::new();
            validator.validate_stream(bytes, "fuzz", jobs, &mut |event| match event {
                Event::Record(outcome) => streamed.extend(outcome.findings),
                Event::Input(finding) => streamed.push(*finding),
            }).expect("in memory");
            prop_assert_eq!(single.findings, streamed);
        }
    }
}
