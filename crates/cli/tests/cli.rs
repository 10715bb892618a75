//! End-to-end tests of the `enquiry` binary.

use std::fs;
use std::path::Path;
use std::process::Output;

mod common;

use common::TempDir;
use enquiry_validator::Code;
use serde_json::Value;

/// A valid enquiry with no warning.
const VALID: &str =
    r#"{"_id": "6f1c2a", "createdAt": "2022-11-07T08:00:00.000Z", "status": "ongoing"}"#;
/// An enquiry with one error: `status` in the wrong case (column 70 on its line).
const BAD_STATUS: &str =
    r#"{"_id": "6f1c2b", "createdAt": "2022-11-07T08:00:00.000Z", "status": "Closed"}"#;
const BAD_STATUS_COLUMN: u64 = 70;
/// An enquiry with one warning: an undocumented member.
const WARNING_ONLY: &str = r#"{"_id": "6f1c2c", "createdAt": "2022-11-07T08:00:00.000Z", "status": "ongoing", "labelIds": ["a"]}"#;

/// Runs `enquiry` in `dir` (so that no stray ./enquiry.toml applies), without colours.
fn run_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    common::run_enquiry(dir, args, stdin.map(str::as_bytes))
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

fn json_report(dir: &Path, args: &[&str], stdin: Option<&str>) -> (i32, Value) {
    let mut all = vec!["validate", "--format", "json"];
    all.extend_from_slice(args);
    let output = run_in(dir, &all, stdin);
    let document = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("not JSON ({err}): {}\n{}", stdout(&output), stderr(&output)));
    (code(&output), document)
}

#[test]
fn valid_file_exits_0() {
    let dir = TempDir::new("valid");
    dir.write("ok.ndjson", &format!("{VALID}\n{VALID}\n"));
    let output = run_in(&dir.0, &["validate", "ok.ndjson"], None);
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), stderr(&output));
    assert_eq!(
        stdout(&output),
        "1 file, 2 records: 2 valid, 0 invalid; 0 errors, 0 warnings\n"
    );
}

#[test]
fn invalid_record_exits_1_with_location_snippet_and_help() {
    let dir = TempDir::new("invalid");
    dir.write("bad.ndjson", &format!("{VALID}\n{BAD_STATUS}\n"));
    let output = run_in(&dir.0, &["validate", "bad.ndjson"], None);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(&format!("bad.ndjson:2:{BAD_STATUS_COLUMN}: error[enum]: ")),
        "{text}"
    );
    assert!(text.contains(BAD_STATUS), "snippet missing: {text}");
    assert!(text.contains("^^^^^^^^"), "caret missing: {text}");
    assert!(text.contains("record 1, pointer /status"), "{text}");
    assert!(text.contains("help: did you mean `closed`?"), "{text}");
    assert!(
        text.ends_with("1 file, 2 records: 1 valid, 1 invalid; 1 error, 0 warnings\n"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "colour with NO_COLOR: {text}");
}

#[test]
fn stdin_is_read_without_a_path_and_with_dash() {
    let dir = TempDir::new("stdin");
    let input = format!("{VALID}\n{BAD_STATUS}\n");
    for args in [&["validate"][..], &["validate", "-"][..]] {
        let output = run_in(&dir.0, args, Some(&input));
        assert_eq!(code(&output), 1, "{}", stderr(&output));
        let text = stdout(&output);
        assert!(
            text.contains(&format!("-:2:{BAD_STATUS_COLUMN}: error[enum]")),
            "{text}"
        );
        assert!(text.contains(BAD_STATUS), "stdin snippet missing: {text}");
    }
    let output = run_in(&dir.0, &["validate", "-"], Some(VALID));
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), stderr(&output));
}

#[test]
fn missing_path_exits_2_and_the_others_are_still_validated() {
    let dir = TempDir::new("missing");
    dir.write("bad.json", BAD_STATUS);
    let (status, document) = json_report(&dir.0, &["no-such-file.json", "bad.json"], None);
    assert_eq!(status, 2);
    assert_eq!(document["summary"]["files"], 1);
    assert_eq!(document["findings"][0]["file"], "bad.json");
    let output = run_in(&dir.0, &["validate", "no-such-file.json", "bad.json"], None);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("no-such-file.json"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("error[enum]"));
}

#[test]
fn directories_are_searched_recursively_for_payload_files() {
    let dir = TempDir::new("directory");
    dir.write("data/a.ndjson", &format!("{VALID}\n"));
    dir.write("data/sub/b.json", &format!("[{VALID}, {BAD_STATUS}]"));
    dir.write("data/notes.txt", "not json at all");
    let (status, document) = json_report(&dir.0, &["data"], None);
    assert_eq!(status, 1);
    assert_eq!(document["summary"]["files"], 2);
    assert_eq!(document["summary"]["records"], 3);
    let findings = document["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    let file = findings[0]["file"].as_str().unwrap().replace('\\', "/");
    assert_eq!(file, "data/sub/b.json");
    assert_eq!(findings[0]["record"], 1);
}

#[test]
fn warnings_pass_unless_denied() {
    let dir = TempDir::new("warnings");
    dir.write("warn.ndjson", WARNING_ONLY);
    let output = run_in(&dir.0, &["validate", "warn.ndjson"], None);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(stdout(&output).contains("warning[unknown-field]"));
    let output = run_in(
        &dir.0,
        &["validate", "--deny-warnings", "warn.ndjson"],
        None,
    );
    assert_eq!(code(&output), 1, "{}", stdout(&output));
}

#[test]
fn config_file_and_flags_override_levels() {
    let dir = TempDir::new("config");
    dir.write("warn.ndjson", WARNING_ONLY);
    dir.write("enquiry.toml", "[rules]\nunknown-field = \"deny\"\n");
    let output = run_in(&dir.0, &["validate", "warn.ndjson"], None);
    assert_eq!(
        code(&output),
        1,
        "./enquiry.toml is read: {}",
        stdout(&output)
    );
    let output = run_in(&dir.0, &["validate", "--no-config", "warn.ndjson"], None);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    dir.write("lenient.toml", "[rules]\nunknown-field = \"allow\"\n");
    let (status, document) = json_report(
        &dir.0,
        &["--config", "lenient.toml", "--deny-warnings", "warn.ndjson"],
        None,
    );
    assert_eq!(status, 0);
    assert_eq!(document["summary"]["warnings"], 0);
    let output = run_in(
        &dir.0,
        &[
            "validate",
            "--config",
            "lenient.toml",
            "--profile",
            "strict",
            "warn.ndjson",
        ],
        None,
    );
    assert_eq!(
        code(&output),
        1,
        "strict requires every member: {}",
        stdout(&output)
    );
}

#[test]
fn bad_configuration_and_usage_errors_exit_2() {
    let dir = TempDir::new("usage");
    dir.write("ok.json", VALID);
    dir.write("broken.toml", "[rules]\nno-such-rule = \"deny\"\n");
    dir.write("labels.json", "{\"not\": \"a label list\"}");
    let cases: &[&[&str]] = &[
        &["validate", "--config", "broken.toml", "ok.json"],
        &["validate", "--config", "absent.toml", "ok.json"],
        &["validate", "--labels", "labels.json", "ok.json"],
        &["validate", "--channels", "absent.json", "ok.json"],
        &["validate", "--pointer", "data", "ok.json"],
        &["validate", "--jobs", "0", "ok.json"],
        &["validate", "--format", "xml", "ok.json"],
        &["explain", "no-such-rule"],
    ];
    for args in cases {
        let output = run_in(&dir.0, args, None);
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(!stderr(&output).is_empty(), "{args:?}");
    }
    let output = run_in(&dir.0, &["explain", "no-such-rule"], None);
    assert!(
        stderr(&output).contains("date-time"),
        "lists the rules: {}",
        stderr(&output)
    );
}

#[test]
fn pointer_labels_and_channels_apply() {
    let dir = TempDir::new("lists");
    let record = r#"{"_id": "6f1c2e", "createdAt": "2022-11-07T08:00:00.000Z", "status": "ongoing", "channel": "Weblink", "labelIDs": ["l1", "l9"]}"#;
    dir.write(
        "list.json",
        &format!(r#"{{"code": 0, "data": {{"total": 2, "list": [{VALID}, {record}]}}}}"#),
    );
    dir.write(
        "labels.json",
        r#"{"code": 0, "labelList": [{"id": "l1", "name": "VIP"}]}"#,
    );
    dir.write("channels.json", r#"["Email"]"#);
    let (status, document) = json_report(&dir.0, &["--pointer", "/data/list", "list.json"], None);
    assert_eq!(status, 0, "{document}");
    assert_eq!(document["summary"]["records"], 2);
    let (status, document) = json_report(
        &dir.0,
        &[
            "--pointer",
            "/data/list",
            "--labels",
            "labels.json",
            "--channels",
            "channels.json",
            "list.json",
        ],
        None,
    );
    assert_eq!(status, 1);
    let codes: Vec<(&str, &str)> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["code"].as_str().unwrap(),
                finding["pointer"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("channel-unknown", "/channel"),
            ("label-unknown", "/labelIDs/1")
        ]
    );
}

#[test]
fn quiet_prints_nothing_on_success_and_the_summary_on_failure() {
    let dir = TempDir::new("quiet");
    dir.write("ok.ndjson", VALID);
    dir.write("bad.ndjson", BAD_STATUS);
    let output = run_in(&dir.0, &["validate", "--quiet", "ok.ndjson"], None);
    assert_eq!((code(&output), stdout(&output).as_str()), (0, ""));
    let output = run_in(&dir.0, &["validate", "-q", "bad.ndjson"], None);
    assert_eq!(code(&output), 1);
    assert_eq!(
        stdout(&output),
        "1 file, 1 record: 0 valid, 1 invalid; 1 error, 0 warnings\n"
    );
}

#[test]
fn json_output_has_summary_and_findings_that_agree() {
    let dir = TempDir::new("json");
    dir.write(
        "mixed.ndjson",
        &format!("{VALID}\n{BAD_STATUS}\n{WARNING_ONLY}\n{BAD_STATUS}\n"),
    );
    let (status, document) = json_report(&dir.0, &["mixed.ndjson"], None);
    assert_eq!(status, 1);
    let summary = &document["summary"];
    for key in ["files", "records", "valid", "invalid", "errors", "warnings"] {
        assert!(summary[key].is_u64(), "summary.{key} missing: {summary}");
    }
    let findings = document["findings"].as_array().unwrap();
    let count = |severity: &str| {
        findings
            .iter()
            .filter(|finding| finding["severity"] == severity)
            .count() as u64
    };
    assert_eq!(summary["errors"].as_u64(), Some(count("error")));
    assert_eq!(summary["warnings"].as_u64(), Some(count("warning")));
    assert_eq!(
        (
            summary["records"].as_u64(),
            summary["valid"].as_u64(),
            summary["invalid"].as_u64()
        ),
        (Some(4), Some(2), Some(2))
    );
    let first = &findings[0];
    for key in [
        "file", "record", "line", "column", "pointer", "code", "severity", "message",
    ] {
        assert!(first.get(key).is_some(), "finding.{key} missing: {first}");
    }
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(2), Some(BAD_STATUS_COLUMN))
    );
    assert_eq!(first["suggestion"], "closed");
}

/// Checks that `xml` is well-formed enough: every tag closed in order, one root.
fn assert_well_formed_xml(xml: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = xml.trim();
    let mut roots = 0;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("unterminated tag") + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "mismatched closing tag"
            );
            continue;
        }
        if stack.is_empty() {
            roots += 1;
        }
        let name = tag
            .split_whitespace()
            .next()
            .unwrap()
            .trim_end_matches('/')
            .to_owned();
        if !tag.ends_with('/') {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert_eq!(roots, 1);
}

#[test]
fn junit_output_is_well_formed_with_a_case_per_record() {
    let dir = TempDir::new("junit");
    dir.write("a.ndjson", &format!("{VALID}\n{BAD_STATUS}\n{VALID}\n"));
    let output = run_in(&dir.0, &["validate", "--format", "junit", "a.ndjson"], None);
    assert_eq!(code(&output), 1);
    let xml = stdout(&output);
    assert_well_formed_xml(&xml);
    assert_eq!(xml.matches("<testsuite ").count(), 1);
    assert_eq!(xml.matches("<testcase ").count(), 3);
    assert_eq!(xml.matches("<failure ").count(), 1);
    assert!(xml.contains(r#"name="record 1 (line 2)""#), "{xml}");
}

#[test]
fn sarif_output_is_2_1_0_with_rules() {
    let dir = TempDir::new("sarif");
    dir.write("a.ndjson", &format!("{VALID}\n{BAD_STATUS}\n"));
    let output = run_in(&dir.0, &["validate", "--format", "sarif", "a.ndjson"], None);
    assert_eq!(code(&output), 1);
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "enquiry");
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        Code::ALL.len()
    );
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "enum");
    assert_eq!(result["level"], "error");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "a.ndjson");
    assert_eq!(location["region"]["startLine"], 2);
    assert_eq!(location["region"]["startColumn"], BAD_STATUS_COLUMN);
    assert_eq!(result["properties"]["pointer"], "/status");
    assert_eq!(result["properties"]["record"], 1);
}

#[test]
fn github_output_is_workflow_commands() {
    let dir = TempDir::new("github");
    dir.write("a,b.ndjson", &format!("{BAD_STATUS}\n{WARNING_ONLY}\n"));
    let output = run_in(
        &dir.0,
        &["validate", "--format", "github", "a,b.ndjson"],
        None,
    );
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with(&format!("::error file=a%2Cb.ndjson,line=1,col={BAD_STATUS_COLUMN},title=enum::record 0 at /status: ")), "{text}");
    assert!(
        lines[1].starts_with("::warning file=a%2Cb.ndjson,line=2,col="),
        "{text}"
    );
    assert!(lines[1].contains("title=unknown-field::"), "{text}");
    assert_eq!(
        lines[2],
        "enquiry: 1 file, 2 records: 1 valid, 1 invalid; 1 error, 1 warning"
    );
}

#[test]
fn thousands_of_records_with_three_bad_ones() {
    let dir = TempDir::new("capture");
    let bad_lines = [7u64, 1500, 2999];
    let mut text = String::new();
    for line in 1..=3000u64 {
        let status = if bad_lines.contains(&line) {
            "Closed"
        } else {
            "closed"
        };
        text.push_str(&format!(
            r#"{{"_id": "{line:06x}", "createdAt": "2022-11-07T08:00:00.000Z", "status": "{status}", "closedAt": "2022-11-07T08:30:00.000Z", "closeDuration": 1800000, "channel": "Weblink", "labelIDs": null}}"#
        ));
        text.push('\n');
    }
    dir.write("capture.ndjson", &text);
    for jobs in ["1", "2"] {
        let (status, document) = json_report(&dir.0, &["--jobs", jobs, "capture.ndjson"], None);
        assert_eq!(status, 1);
        assert_eq!(document["summary"]["records"], 3000);
        assert_eq!(document["summary"]["invalid"], 3);
        assert_eq!(document["summary"]["warnings"], 0);
        let found: Vec<(u64, u64, String)> = document["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| {
                (
                    finding["record"].as_u64().unwrap(),
                    finding["line"].as_u64().unwrap(),
                    finding["pointer"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let expected: Vec<(u64, u64, String)> = bad_lines
            .iter()
            .map(|&line| (line - 1, line, "/status".to_owned()))
            .collect();
        assert_eq!(found, expected, "jobs {jobs}");
    }
    let output = run_in(&dir.0, &["validate", "capture.ndjson"], None);
    let human = stdout(&output);
    assert!(human.contains("capture.ndjson:2999:"), "{human}");
    assert_eq!(human.matches("error[enum]").count(), 3);
    let output = run_in(&dir.0, &["validate", "--jobs", "2", "-"], Some(&text));
    let human = stdout(&output);
    assert_eq!(code(&output), 1);
    for line in bad_lines {
        assert!(human.contains(&format!("-:{line}:")), "{human}");
    }
    assert_eq!(
        human.matches(r#""status": "Closed""#).count(),
        3,
        "a snippet for each: {human}"
    );
}

#[test]
fn help_snapshots() {
    let dir = TempDir::new("help");
    let output = run_in(&dir.0, &["--help"], None);
    assert_eq!(code(&output), 0);
    insta::assert_snapshot!("enquiry_help", stdout(&output));
    let output = run_in(&dir.0, &["validate", "--help"], None);
    assert_eq!(code(&output), 0);
    insta::assert_snapshot!("enquiry_validate_help", stdout(&output));
}

#[test]
fn explain_and_rules() {
    let dir = TempDir::new("explain");
    let output = run_in(&dir.0, &["explain", "enum"], None);
    assert_eq!(code(&output), 0);
    insta::assert_snapshot!("enquiry_explain_enum", stdout(&output));
    let output = run_in(&dir.0, &["rules"], None);
    assert_eq!(code(&output), 0);
    let text = stdout(&output);
    for code in Code::ALL {
        assert!(
            text.lines().any(|line| line.starts_with(code.as_str())),
            "{code} missing"
        );
    }
    insta::assert_snapshot!("enquiry_rules", text);
}

#[test]
fn schema_is_printed_for_both_drafts_and_profiles() {
    let dir = TempDir::new("schema");
    let output = run_in(&dir.0, &["schema"], None);
    assert_eq!(code(&output), 0);
    let schema: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas/enquiry.schema.json");
    let checked_in = fs::read_to_string(&repo)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", repo.display()));
    assert_eq!(
        stdout(&output),
        checked_in,
        "`enquiry schema` differs from schemas/enquiry.schema.json"
    );
    let output = run_in(&dir.0, &["schema", "--strict", "--draft", "07"], None);
    assert_eq!(code(&output), 0);
    let strict: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(strict["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(strict["additionalProperties"], false);
}

#[test]
fn completions_for_bash() {
    let dir = TempDir::new("completions");
    let output = run_in(&dir.0, &["completions", "bash"], None);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains("enquiry"));
    assert!(stdout(&output).contains("validate"));
}
