//! The fakes against the generated JSON Schema (default profile, draft 2020-12), validated by the
//! `jsonschema` crate with format assertion on.

mod common;

use std::str::FromStr;

use common::*;
use enquiry_fake::{Generator, Options, CATALOGUE};
use enquiry_schema::json_schema::{enquiry_schema, Draft, Profile};
use enquiry_schema::Channel;
use enquiry_validator::Code;

fn schema_validator() -> jsonschema::Validator {
    let schema = enquiry_schema(Profile::Default, Draft::Draft2020_12);
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

#[test]
fn the_schema_accepts_every_valid_fake() {
    let validator = schema_validator();
    for seed in SEEDS {
        let generator = Generator::new(Options {
            seed: *seed,
            ..Options::default()
        })
        .unwrap();
        let input = ndjson(&generator, 1000);
        for (index, line) in input
            .split(|byte| *byte == b'\n')
            .filter(|line| !line.is_empty())
            .enumerate()
        {
            let value: serde_json::Value = serde_json::from_slice(line).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|error| error.to_string())
                .collect();
            assert!(
                errors.is_empty(),
                "seed {seed}, record {index}: {errors:?}\n{value}"
            );
        }
    }
}

/// Schema-expressible rules are rejected (by the schema, or by JSON parsing for `syntax` and
/// `encoding`); the others are accepted, unless the text is beyond what `serde_json` parses
/// (`too-deep` exceeds its recursion limit) or a duplicate member collapses into a valid one.
#[test]
fn the_schema_agrees_with_the_labels_of_mutants() {
    let validator = schema_validator();
    let mut rejected_by_schema = 0;
    for seed in SEEDS {
        // Documented channels only (the schema knows no tenant list), and not all of them, so
        // that `channel-unknown` uses a documented channel the tenant lacks.
        let generator = Generator::new(Options {
            seed: *seed,
            labels: Some(label_list()),
            channel_list: Some(
                Channel::DOCUMENTED[..7]
                    .iter()
                    .map(|name| (*name).to_owned())
                    .collect(),
            ),
            ..Options::default()
        })
        .unwrap();
        for kind in CATALOGUE {
            let code = Code::from_str(kind.code).unwrap();
            for index in 0..25 {
                let mutant = generator.mutant(index, kind);
                let parsed = serde_json::from_slice::<serde_json::Value>(&mutant.bytes);
                match (code.schema_expressible(), parsed) {
                    (true, Err(_)) => {
                        assert!(
                            matches!(code, Code::Syntax | Code::Encoding),
                            "{}: only syntax and encoding mutants may fail to parse",
                            kind.id
                        );
                    }
                    (true, Ok(value)) => {
                        assert!(
                            !validator.is_valid(&value),
                            "the schema accepts a {} mutant ({}): {value}",
                            kind.id,
                            mutant.label.pointer
                        );
                        rejected_by_schema += 1;
                    }
                    (false, Err(err)) => {
                        // Invalid text never reaches a schema: not marked schema-checkable.
                        assert!(
                            matches!(code, Code::TooDeep | Code::Encoding),
                            "{}: {err}",
                            kind.id
                        );
                    }
                    (false, Ok(value)) => {
                        let errors: Vec<String> = validator
                            .iter_errors(&value)
                            .map(|error| error.to_string())
                            .collect();
                        assert!(
                            errors.is_empty(),
                            "{} is not schema-expressible but: {errors:?}",
                            kind.id
                        );
                    }
                }
            }
        }
    }
    assert!(rejected_by_schema > 1000);
}

#[test]
fn every_error_rule_has_a_mutant() {
    // Rules the catalogue leaves out on purpose: `canonical-timestamp` (strict profile only) and
    // `record-too-large` (a 16 MiB record); every other error rule of the default profile has
    // a kind, of the record's catalogue or (for the event's own rules) of the event's.
    for code in Code::ALL {
        let error = code.default_level() == enquiry_validator::Level::Deny;
        let covered = CATALOGUE.iter().any(|kind| kind.code == code.as_str())
            || enquiry_fake::event_stream::EVENT_CATALOGUE
                .iter()
                .any(|mutant| mutant.code == *code);
        if error && *code != Code::RecordTooLarge {
            assert!(covered, "no mutant for {code}");
        }
    }
    for kind in CATALOGUE {
        assert!(
            Code::from_str(kind.code).is_ok(),
            "{} is not a validator code",
            kind.code
        );
    }
}
