//! The rules' texts (`enquiry rules`, `enquiry explain`, SARIF rule metadata) fit every
//! contract a rule applies to: a rule an event can break does not describe itself by the
//! enquiry record's members alone; a text that names a member only records have also names
//! one of the event's, or says what holds for events.
//!
//! Which rules an event can break is what the event catalogue plants (one defect per event
//! rule, warnings included): each is checked to give its code when validated as an event.

use std::collections::BTreeSet;

use enquiry_fake::event_stream::EVENT_CATALOGUE;
use enquiry_fake::{Generator, Options};
use enquiry_schema::contract::Contract;
use enquiry_schema::contracts::{EVENT, RECORD};
use enquiry_schema::fields::fields_of;
use enquiry_validator::{Code, Config, Validator};

/// Member names that are also everyday words in these texts ("the documented JSON type", "a
/// date"): finding them says nothing about which contract a text describes.
const WORDS: &[&str] = &[
    "type",
    "date",
    "destination",
    "language",
    "location",
    "duration",
    "visitor",
];

fn keys(contract: &Contract) -> BTreeSet<&'static str> {
    fields_of(contract.fields)
        .into_iter()
        .map(|rule| rule.key())
        .filter(|key| !WORDS.contains(key))
        .collect()
}

/// The members of `of` that are not members of `other`.
fn only(of: &Contract, other: &Contract) -> BTreeSet<&'static str> {
    keys(of).difference(&keys(other)).copied().collect()
}

/// The names of `names` that `text` holds as whole words (a name inside a longer identifier,
/// `destination` in `destinationTypes`, does not count).
fn named(text: &str, names: &BTreeSet<&'static str>) -> BTreeSet<&'static str> {
    let words: BTreeSet<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    names
        .iter()
        .copied()
        .filter(|name| words.contains(name))
        .collect()
}

/// The rules an event can break: each catalogue defect, validated as an event.
fn event_rules() -> BTreeSet<Code> {
    let generator = Generator::new(Options::default()).expect("default options");
    let validator = Validator::new(Config {
        contract: Some(&EVENT),
        ..Config::default()
    });
    EVENT_CATALOGUE
        .iter()
        .enumerate()
        .map(|(index, mutant)| {
            let (bytes, _) = generator
                .event_mutant_of(index as u64, mutant)
                .expect("a record with events");
            let report = validator.validate_slice(&bytes, "event.json");
            assert_eq!(report.findings.len(), 1, "{}", mutant.id);
            assert_eq!(report.findings[0].code, mutant.code, "{}", mutant.id);
            mutant.code
        })
        .collect()
}

#[test]
fn rules_that_events_break_do_not_describe_only_record_members() {
    let record_only = only(&RECORD, &EVENT);
    let event_only = only(&EVENT, &RECORD);
    // How a text speaks of events without naming a member.
    let event_word = BTreeSet::from(["event"]);
    let rules = event_rules();
    assert!(rules.contains(&Code::UnrecognisedValue) && rules.contains(&Code::Required));
    let mut wrong = Vec::new();
    for code in rules {
        for (part, text) in [("summary", code.summary()), ("why", code.rationale())] {
            let records = named(text, &record_only);
            let events =
                !named(text, &event_only).is_empty() || !named(text, &event_word).is_empty();
            if !records.is_empty() && !events {
                wrong.push(format!(
                    "{code} ({part}) names {records:?} and no event member"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_check_finds_a_text_written_for_records_only() {
    let record_only = only(&RECORD, &EVENT);
    let event_only = only(&EVENT, &RECORD);
    let old = "`handledType` is PHONE, TRUNK or STAFF.";
    assert_eq!(named(old, &record_only), BTreeSet::from(["handledType"]));
    assert!(named(old, &event_only).is_empty());
    assert!(named(old, &BTreeSet::from(["event"])).is_empty());
    assert!(named(Code::UnrecognisedValue.summary(), &event_only).contains("destinationTypes"));
    assert!(
        named(
            "the documented JSON type of a destinationTypes",
            &event_only
        )
        .len()
            == 1
    );
}
