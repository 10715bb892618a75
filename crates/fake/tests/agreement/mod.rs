//! What the differential tests (`schema_agreement`, `differential`) share: the generated schema
//! of a profile compiled with formats asserted, and the two verdicts they compare.
#![allow(dead_code)] // Reason: each test binary uses a different subset of these helpers.

use std::collections::BTreeSet;

use enquiry_schema::json_schema::{enquiry_schema, Draft, Profile};
use enquiry_validator::{Code, Config, Severity, Validator};
use serde_json::Value;

/// The generated schema of `profile` (draft 2020-12), formats asserted.
pub fn schema(profile: Profile) -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(&enquiry_schema(profile, Draft::Draft2020_12))
        .expect("the generated schema compiles")
}

/// The validator of `profile`, everything else at its default.
pub fn validator(profile: Profile) -> Validator {
    Validator::new(Config::with_profile(profile))
}

/// The errors the validator reports on `bytes` of rules the schema of `profile` checks
/// ([`Code::schema_checked`]), and its report.
pub fn validator_codes(
    validator: &Validator,
    profile: Profile,
    bytes: &[u8],
) -> (BTreeSet<Code>, String) {
    let report = validator.validate_slice(bytes, "record");
    let codes = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.code.schema_checked(profile))
        .map(|f| f.code)
        .collect();
    (codes, report.to_string())
}

/// Whether the schema rejects `value`, and why.
pub fn schema_verdict(schema: &jsonschema::Validator, value: &Value) -> (bool, String) {
    let errors: Vec<String> = schema
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    (!errors.is_empty(), errors.join("\n"))
}

/// Whether the schema rejects `bytes`: text that is not JSON cannot pass any schema.
pub fn schema_rejects(schema: &jsonschema::Validator, bytes: &[u8]) -> (bool, String) {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => schema_verdict(schema, &value),
        Err(err) => (true, format!("not JSON: {err}")),
    }
}
