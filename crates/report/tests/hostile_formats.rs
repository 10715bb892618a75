//! Every structured format stays valid whatever the input holds: JUnit is well-formed XML 1.0
//! and SARIF validates against the OASIS SARIF 2.1.0 schema, with hostile file names and keys
//! (characters XML forbids, controls, line breaks, terminal escapes).

use enquiry_report::{reporter, Format, HumanOptions};
use enquiry_validator::{Config, Event, Validator};
use serde_json::Value;

/// A file name no format may pass through raw.
const FILE: &str = "caps/day\u{fffe}1\u{ffff}\u{1b}[2J\n\u{0}, x: y%.ndjson";

/// Records whose keys hold characters XML 1.0 forbids, controls and non-ASCII text before
/// the offending values; a line that is not JSON; a value that is not a record.
const SOURCE: &str = concat!(
    r#"{"_id": "é€😀", "\uffff": 1, "\ufffe\u0000\u0007\u001b]8;;x\u0007": {"a": 2}, "status": "Closed", "createdAt": "2022-02-30T10:00:00Z"}"#,
    "\n",
    "{\"_id\": \"b\", \"k\u{fffe}\u{ffff}\u{85}\": [], \"status\": \"x\u{fffe}\"}\n",
    "{\"_id\": \"c\", \"\u{fffe}\": \n",
    "[1]\n",
);

fn render(format: Format) -> String {
    let mut out = Vec::new();
    {
        let mut report = reporter(format, Box::new(&mut out), false, HumanOptions::default());
        report.begin_file(FILE).unwrap();
        let summary = Validator::new(Config::default())
            .validate_stream(SOURCE.as_bytes(), FILE, 1, &mut |event| match event {
                Event::Record(outcome) => report.record(&outcome).unwrap(),
                Event::Input(finding) => report.input(&finding).unwrap(),
            })
            .unwrap();
        assert!(summary.errors > 3, "{summary:?}");
        report.end_file(FILE, &summary).unwrap();
        report.finish(&summary, true).unwrap();
    }
    String::from_utf8(out).unwrap()
}

/// XML 1.0's `Char` production.
fn is_xml_char(ch: char) -> bool {
    matches!(ch, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

#[test]
fn junit_is_well_formed_xml_whatever_the_input() {
    let xml = render(Format::Junit);
    let forbidden: Vec<char> = xml.chars().filter(|ch| !is_xml_char(*ch)).collect();
    assert!(
        forbidden.is_empty(),
        "characters XML 1.0 forbids: {forbidden:?}\n{xml}"
    );
    assert!(
        !xml.contains("&#"),
        "character references may name forbidden characters\n{xml}"
    );
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut depth = 0_i32;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(err) => panic!("not XML: {err}\n{xml}"),
        }
    }
    assert_eq!(depth, 0, "{xml}");
    assert!(
        xml.contains("day\\u{fffe}1\\u{ffff}\\u{1b}[2J\\u{a}\\u{0}"),
        "{xml}"
    );
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema_whatever_the_input() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sarif-schema-2.1.0.json"
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let sarif: Value = serde_json::from_str(&render(Format::Sarif)).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|err| format!("{} at {}", err, err.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &sarif["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    // The `status` of the first record starts at code point 82 of its line (its byte offset
    // is larger: the line holds multi-byte characters before it).
    let columns: Vec<&Value> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|result| result["ruleId"] == "enum")
        .map(|result| &result["locations"][0]["physicalLocation"]["region"]["startColumn"])
        .collect();
    let line = SOURCE.lines().next().unwrap();
    let byte = line.find(r#""Closed""#).unwrap();
    assert_eq!(columns[0], &Value::from(line[..byte].chars().count() + 1));
}

/// The reports of a file of events (one with an error) and a record, validated with the
/// contract detected per record, under a file name made of XML markup.
fn render_mixed(format: Format, file: &str) -> String {
    let event = |status: &str| {
        format!(
            r#"{{"status":"{status}","serviceId":"s","displayCaseNumber":"1","eid":"e","type":"inquiry","date":"2023-06-04T10:00:00.000Z"}}"#
        )
    };
    let record = r#"{"_id":"a","createdAt":"2022-11-07T08:00:00.000Z","status":"ongoing"}"#;
    let source = format!("{}\n{}\n{record}\n", event("Opened"), event("opened"));
    let config = Config {
        contract: None,
        ..Config::default()
    };
    let mut out = Vec::new();
    {
        let mut report = reporter(format, Box::new(&mut out), false, HumanOptions::default());
        report.begin_file(file).unwrap();
        let summary = Validator::new(config)
            .validate_stream(source.as_bytes(), file, 1, &mut |event| match event {
                Event::Record(outcome) => report.record(&outcome).unwrap(),
                Event::Input(finding) => report.input(&finding).unwrap(),
            })
            .unwrap();
        assert_eq!((summary.records, summary.errors), (3, 1), "{summary:?}");
        report.end_file(file, &summary).unwrap();
        report.finish(&summary, true).unwrap();
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn junit_names_the_contracts_of_a_file_in_its_suite_name_and_a_property() {
    let file = "a<b>&\"c\"'.ndjson";
    let xml = render_mixed(Format::Junit, file);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut suites = Vec::new();
    let mut properties = Vec::new();
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(tag) | quick_xml::events::Event::Empty(tag)) => {
                let attribute = |name: &[u8]| {
                    tag.try_get_attribute(name).unwrap().map(|a| {
                        a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                            .unwrap()
                            .into_owned()
                    })
                };
                match tag.name().as_ref() {
                    b"testsuite" => suites.push(attribute(b"name").unwrap()),
                    b"property" => {
                        properties.push((attribute(b"name").unwrap(), attribute(b"value").unwrap()))
                    }
                    _ => {}
                }
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(err) => panic!("not XML: {err}\n{xml}"),
        }
    }
    assert_eq!(suites, [format!("{file} (2 event, 1 record)")], "{xml}");
    assert_eq!(
        properties,
        [("contract".to_owned(), "event, record".to_owned())]
    );
}

#[test]
fn github_and_human_name_the_contract_of_each_finding_and_in_the_summary() {
    let github = render_mixed(Format::Github, "events.ndjson");
    assert_eq!(
        github,
        "::error file=events.ndjson,line=2,col=11,title=enum::record 1 (event) at /status: `status` is \"opened\"; expected one of: Opened, Handling, Closed, Missed (did you mean `Opened`?)\n\
         enquiry: 1 file, 3 records (2 event, 1 record): 2 valid, 1 invalid; 1 error, 0 warnings\n"
    );
    let human = render_mixed(Format::Human, "events.ndjson");
    assert!(
        human.contains("record 1 (event), pointer /status"),
        "{human}"
    );
    assert!(
        human.ends_with(
            "1 file, 3 records (2 event, 1 record): 2 valid, 1 invalid; 1 error, 0 warnings\n"
        ),
        "{human}"
    );
}

#[test]
fn a_json_report_of_events_validates_against_the_report_schema() {
    let report: Value = serde_json::from_str(&render_mixed(Format::Json, "events.ndjson")).unwrap();
    assert_eq!(report["findings"][0]["contract"], "event");
    let schema = enquiry_report::json_report_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|err| format!("{} at {}", err, err.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut unknown = report.clone();
    unknown["findings"][0]["contract"] = "webhook".into();
    assert!(
        !validator.is_valid(&unknown),
        "only the contracts of the table"
    );
}
