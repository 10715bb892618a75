//! The exported proptest strategies, records and events, checked against the validator.

mod common;

use std::collections::BTreeSet;

use common::*;
use enquiry_fake::event_stream::EVENT_CATALOGUE;
use enquiry_fake::{invalid_enquiry, invalid_event, valid_enquiry, valid_event};
use enquiry_schema::contracts::{self, event, EVENT_CHANNELS, EVENT_STATUSES, HUB_CHANNEL};
use enquiry_schema::EnquiryEvent;
use enquiry_validator::{Config, Severity, Validator};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::Value;

fn strategy_validator() -> Validator {
    Validator::new(Config {
        labels: Some(label_list().into_iter().collect()),
        channels: Some(
            enquiry_schema::Channel::DOCUMENTED
                .iter()
                .map(|name| (*name).to_owned())
                .collect(),
        ),
        ..Config::default()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn valid_enquiries_have_no_finding(json in valid_enquiry()) {
        let report = default_validator().validate_slice(json.as_bytes(), "valid.json");
        prop_assert!(report.findings.is_empty(), "{:?}", describe(&report.findings));
        prop_assert!(serde_json::from_str::<enquiry_schema::Enquiry>(&json).is_ok());
    }

    #[test]
    fn invalid_enquiries_have_exactly_their_label(mutant in invalid_enquiry()) {
        let report = strategy_validator().validate_slice(&mutant.bytes, "mutant.json");
        prop_assert_eq!(report.findings.len(), 1, "{}: {:?}", mutant.kind, describe(&report.findings));
        let finding = &report.findings[0];
        prop_assert_eq!(finding.pointer.as_str(), mutant.label.pointer.as_str());
        prop_assert_eq!(finding.code.as_str(), mutant.label.code.as_str());
        prop_assert_eq!(finding.severity, Severity::Error);
    }
}

/// Events are checked as events, as `enquiry validate --contract event` does.
fn event_validator() -> Validator {
    Validator::new(Config {
        contract: Some(&contracts::EVENT),
        ..Config::default()
    })
}

/// The contract detected per record, as `--contract auto` does.
fn detecting_validator() -> Validator {
    Validator::new(Config {
        contract: None,
        ..Config::default()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn valid_events_have_no_finding_as_events_or_detected(json in valid_event()) {
        let report = event_validator().validate_slice(json.as_bytes(), "event.json");
        prop_assert!(report.findings.is_empty(), "{json}: {:?}", describe(&report.findings));
        let outcome = detecting_validator().validate_record(json.as_bytes(), "event.json");
        prop_assert_eq!(outcome.contract, Some(contracts::EVENT.name));
        prop_assert!(outcome.findings.is_empty(), "{:?}", describe(&outcome.findings));
        prop_assert!(EnquiryEvent::from_slice(json.as_bytes()).is_ok());
    }

    #[test]
    fn invalid_events_have_exactly_their_label(mutant in invalid_event()) {
        let report = event_validator().validate_slice(&mutant.bytes, "mutant.json");
        prop_assert_eq!(report.findings.len(), 1, "{}: {:?}", mutant.kind, describe(&report.findings));
        let finding = &report.findings[0];
        prop_assert_eq!(finding.record, mutant.label.record);
        prop_assert_eq!(finding.pointer.as_str(), mutant.label.pointer.as_str());
        prop_assert_eq!(finding.code.as_str(), mutant.label.code.as_str());
        prop_assert_eq!(Some(finding.severity.as_str()), mutant.label.severity.as_deref());
        prop_assert_eq!(finding.contract, contracts::EVENT.name);
    }
}

/// What `strategy` draws in `cases` cases of a deterministic runner.
fn draws<S: Strategy>(strategy: S, cases: usize) -> Vec<S::Value> {
    let mut runner = TestRunner::deterministic();
    (0..cases)
        .map(|_| match strategy.new_tree(&mut runner) {
            Ok(tree) => tree.current(),
            Err(reason) => panic!("the strategy rejected every draw: {reason}"),
        })
        .collect()
}

#[test]
fn the_event_strategies_cover_every_status_channel_origin_and_defect() {
    let events: Vec<Value> = draws(valid_event(), 600)
        .iter()
        .map(|json| serde_json::from_str(json).expect("JSON"))
        .collect();
    let seen = |member: &str| -> BTreeSet<String> {
        events
            .iter()
            .filter_map(|event| event[member].as_str().map(str::to_owned))
            .collect()
    };
    let all = |values: &[&str]| -> BTreeSet<String> {
        values.iter().map(|value| (*value).to_owned()).collect()
    };
    assert_eq!(seen(event::STATUS), all(EVENT_STATUSES));
    assert_eq!(seen(event::CHANNEL), all(EVENT_CHANNELS));
    let hub_origins: BTreeSet<String> = events
        .iter()
        .filter(|event| event[event::CHANNEL] == HUB_CHANNEL)
        .filter_map(|event| event[event::CHANNEL_ORI].as_str().map(str::to_owned))
        .collect();
    assert_eq!(hub_origins, all(EVENT_CHANNELS));
    // Social IDs appear, and are left empty, both.
    let social = seen(event::SOCIAL_ID);
    assert!(social.contains("") && social.len() > 1);

    let kinds: BTreeSet<&str> = draws(invalid_event(), 600)
        .iter()
        .map(|mutant| mutant.kind)
        .collect();
    let catalogue: BTreeSet<&str> = EVENT_CATALOGUE.iter().map(|mutant| mutant.id).collect();
    assert_eq!(kinds, catalogue);
}
