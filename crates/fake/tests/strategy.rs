//! The exported proptest strategies, checked against the validator.

mod common;

use common::*;
use enquiry_fake::{invalid_enquiry, valid_enquiry};
use enquiry_validator::{Config, Severity, Validator};
use proptest::prelude::*;

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
