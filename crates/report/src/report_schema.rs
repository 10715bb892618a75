//! The JSON Schema of the `--format json` report (`schemas/report.schema.json`, written by
//! `cargo xtask codegen`): what `enquiry report`, baselines and other tools may rely on.
//! Rule ids are listed from the validator's rule table, so the schema follows the rules.

use enquiry_schema::contracts;
use enquiry_validator::Code;
use serde_json::{json, Value};

/// The version of the JSON report's layout; raised when a key changes meaning or goes away.
/// Adding an optional key (`dataProfile`, `summary.contracts`) keeps it: readers of version 1
/// ignore keys they do not know, and a higher version would make older `enquiry report`s refuse
/// a report they can read.
pub const JSON_REPORT_VERSION: u64 = 1;

fn counter(description: &str) -> Value {
    json!({"type": "integer", "minimum": 0, "description": description})
}

/// The JSON Schema (draft 2020-12) of the `--format json` report.
pub fn json_report_schema() -> Value {
    let codes: Vec<&str> = Code::ALL.iter().map(|code| code.as_str()).collect();
    let contracts: Vec<&str> = contracts::ALL
        .iter()
        .map(|contract| contract.name)
        .collect();
    let finding = json!({
        "type": "object",
        "required": ["file", "record", "line", "column", "pointer", "code", "severity", "message"],
        "additionalProperties": false,
        "properties": {
            "file": {"type": "string", "description": "The file, as named on the command line (`-` for standard input)."},
            "record": counter("The 0-based index of the record in the file."),
            "line": {"type": "integer", "minimum": 1, "description": "1-based line."},
            "column": {"type": "integer", "minimum": 1, "description": "1-based column, in characters."},
            "pointer": {"type": "string", "description": "RFC 6901 JSON Pointer into the record."},
            "code": {"enum": codes, "description": "The rule (see `enquiry explain`)."},
            "severity": {"enum": ["error", "warning"]},
            "message": {"type": "string", "description": "One line; personal values masked unless --show-values."},
            "expected": {"type": "string"},
            "suggestion": {"type": "string"},
            "contract": {"enum": contracts, "description": "The contract of the finding's record, when it is not the enquiry record (`record`): absent on findings of enquiry records."}
        }
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://enquiry-contract.invalid/report.schema.json",
        "title": "enquiry validate --format json report",
        "type": "object",
        "required": ["version", "findings", "summary"],
        "additionalProperties": false,
        "properties": {
            "version": {"const": JSON_REPORT_VERSION},
            "findings": {"type": "array", "items": finding},
            "summary": {
                "type": "object",
                "required": ["files", "records", "valid", "invalid", "errors", "warnings"],
                "additionalProperties": false,
                "properties": {
                    "files": counter("Files read."),
                    "records": counter("Records seen."),
                    "valid": counter("Records with no error."),
                    "invalid": counter("Records with at least one error."),
                    "errors": counter("Findings of severity error."),
                    "warnings": counter("Findings of severity warning."),
                    "contracts": contract_summary_schema(&contracts)
                }
            },
            "dataProfile": data_profile_schema()
        }
    })
}

/// `summary.contracts`: each contract's counts, by name. Optional, so that reports written
/// before it was added still match.
fn contract_summary_schema(contracts: &[&str]) -> Value {
    json!({
        "type": "object",
        "description": "Per contract checked (by name), its records' counts: a report names its contracts even without findings. Units in no contract (not JSON, too large) and defects of the input outside any record count in the summary only.",
        "propertyNames": {"enum": contracts},
        "additionalProperties": {
            "type": "object",
            "required": ["records", "valid", "invalid", "errors", "warnings"],
            "additionalProperties": false,
            "properties": {
                "records": counter("Records checked against the contract."),
                "valid": counter("Those with no error."),
                "invalid": counter("Those with at least one error."),
                "errors": counter("Their findings of severity error."),
                "warnings": counter("Their findings of severity warning.")
            }
        }
    })
}

/// Records, invalid records, errors and warnings of a contract, a day or a date bucket.
fn tally(extra: &[(&str, Value)], description: &str) -> Value {
    let mut properties = json!({
        "records": counter("Records."),
        "invalid": counter("Records with at least one error."),
        "errors": counter("Findings of severity error."),
        "warnings": counter("Findings of severity warning.")
    });
    let mut required = vec!["records", "invalid", "errors", "warnings"];
    for (name, schema) in extra {
        properties[*name] = schema.clone();
        required.push(name);
    }
    json!({
        "type": "object",
        "description": description,
        "required": required,
        "additionalProperties": false,
        "properties": properties
    })
}

/// `dataProfile`: present when the run collected one (`--data-profile`, or a summary,
/// markdown or html report in the same pass).
fn data_profile_schema() -> Value {
    let day = tally(
        &[(
            "day",
            json!({"type": "string", "pattern": "^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}$"}),
        )],
        "Records whose date member falls on this UTC day.",
    );
    let field = json!({
        "type": "object",
        "required": ["field", "present", "null", "absent", "wrongType"],
        "additionalProperties": false,
        "properties": {
            "field": {"type": "string", "description": "The documented field's JSON Pointer."},
            "present": counter("Records where it is present, not null, of its documented JSON type."),
            "null": counter("Records where it is null."),
            "absent": counter("Records where it (or its parent object) is absent."),
            "wrongType": counter("Records where it has another JSON type.")
        }
    });
    let contract = tally(
        &[
            (
                "contract",
                json!({"type": "string", "description": "The contract's name."}),
            ),
            (
                "dayMember",
                json!({"type": "string", "description": "The JSON Pointer of the member records are dated by."}),
            ),
            (
                "days",
                json!({"type": "array", "items": day, "description": "The latest days, oldest first."}),
            ),
            (
                "earlierDays",
                tally(&[], "Days older than the ones listed, summed."),
            ),
            (
                "missingDate",
                tally(&[], "Records whose date member is absent or null."),
            ),
            (
                "invalidDate",
                tally(
                    &[],
                    "Records whose date member is not an RFC 3339 date-time.",
                ),
            ),
            (
                "fields",
                json!({"type": "array", "items": field, "description": "Every documented field, in the documentation's order."}),
            ),
        ],
        "The records of one contract (records that are not JSON objects belong to none).",
    );
    json!({
        "type": "object",
        "required": ["maxDays", "contracts"],
        "additionalProperties": false,
        "properties": {
            "maxDays": counter("The most days listed per contract."),
            "contracts": {"type": "array", "items": contract}
        }
    })
}
