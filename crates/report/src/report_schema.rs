//! The JSON Schema of the `--format json` report (`schemas/report.schema.json`, written by
//! `cargo xtask codegen`): what `enquiry report`, baselines and other tools may rely on.
//! Rule ids are listed from the validator's rule table, so the schema follows the rules.

use enquiry_validator::Code;
use serde_json::{json, Value};

/// The version of the JSON report's layout; raised when a key changes meaning or goes away.
pub const JSON_REPORT_VERSION: u64 = 1;

fn counter(description: &str) -> Value {
    json!({"type": "integer", "minimum": 0, "description": description})
}

/// The JSON Schema (draft 2020-12) of the `--format json` report.
pub fn json_report_schema() -> Value {
    let codes: Vec<&str> = Code::ALL.iter().map(|code| code.as_str()).collect();
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
            "suggestion": {"type": "string"}
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
                    "warnings": counter("Findings of severity warning.")
                }
            }
        }
    })
}
