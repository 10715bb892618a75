//! The `fixtures/` producer: payloads from the fake generator with fixed seeds, each with the
//! findings the validator reports on it, checked in beside it.
//!
//! Because the expected findings are produced by running the validator, a change in the
//! validator's behaviour (a finding gained, lost, moved or reworded) or in the generator's output
//! shows up as a stale file in `cargo xtask codegen --check`, and so as a failing test, until the
//! change is reviewed and the files regenerated.
//!
//! Layout (see the generated `fixtures/README.md`):
//!
//! * `valid/`: a handful of valid records per status (JSON arrays) and per channel (NDJSON), one
//!   single-object file and one list response;
//! * `invalid/`: one NDJSON file per kind of defect in the mutant catalogue (so at least one per
//!   error rule), a single record each;
//! * `with-lists/`: the defects that need the tenant's label and channel lists, with the lists;
//! * `mixed.ndjson`: valid records and mutants interleaved;
//! * beside every payload `X`, `X.expected`: the validator's report on it as JSON, exactly as
//!   `enquiry validate --format json` writes it (`{"version": 1, "summary": ..., "findings": [...]}`). The extension keeps `enquiry validate fixtures/`
//!   from reading the reports as payloads.

use std::collections::BTreeSet;

use enquiry_fake::event_stream::EVENT_CATALOGUE;
use enquiry_fake::{Generator, InvalidRate, Options, CATALOGUE};
use enquiry_schema::contracts;
use enquiry_schema::json_schema::to_canonical_string;
use enquiry_schema::{Channel, Status};
use enquiry_validator::{Config, Validator};

use crate::generated_file::GeneratedFile;

/// The seed of every fixture; changing it regenerates them all.
const SEED: u64 = 20_221_107;
/// Valid records per status and per channel.
const PER_GROUP: u64 = 3;
/// Records whose events make `events/valid.ndjson` and `events/mixed.ndjson`.
const EVENT_RECORDS: u64 = 6;
/// Records of `dataset/`.
const DATASET_RECORDS: u64 = 12;
/// Records in `mixed.ndjson`, and the share of them that are mutants.
const MIXED_RECORDS: u64 = 40;
const MIXED_INVALID_PER_MILLION: u32 = 250_000;
/// Rules whose mutants need the tenant's lists configured in the validator.
const NEEDS_LISTS: &[&str] = &["label-unknown", "channel-unknown"];

/// Every file of `fixtures/`.
pub fn generate() -> Result<Vec<GeneratedFile>, String> {
    let mut out = Fixtures {
        files: Vec::new(),
        plain: Validator::new(Config::default()),
    };
    out.valid()?;
    out.invalid()?;
    out.with_lists()?;
    out.mixed()?;
    out.events()?;
    out.dataset()?;
    out.files
        .push(GeneratedFile::new("fixtures/README.md", readme()));
    Ok(out.files)
}

struct Fixtures {
    files: Vec<GeneratedFile>,
    plain: Validator,
}

fn generator(options: Options) -> Result<Generator, String> {
    Generator::new(Options {
        seed: SEED,
        ..options
    })
    .map_err(|err| err.to_string())
}

impl Fixtures {
    /// Adds a payload and, beside it, the report of `validator` on it.
    fn payload(&mut self, path: String, bytes: Vec<u8>, validator: &Validator) {
        // The JSON report as `enquiry validate --format json` writes it, version included.
        let report = enquiry_report::JsonReport::of_slice(validator, &bytes, &path).to_value();
        self.files.push(GeneratedFile::new(
            format!("{path}.expected"),
            to_canonical_string(&report),
        ));
        self.files.push(GeneratedFile::new(path, bytes));
    }

    fn valid(&mut self) -> Result<(), String> {
        let plain = self.plain.clone();
        for status in Status::DOCUMENTED {
            let generator = generator(Options {
                statuses: vec![Status::from_wire(status)],
                ..Options::default()
            })?;
            let mut bytes = Vec::new();
            generator
                .write_json_array(PER_GROUP, &mut bytes)
                .map_err(|err| err.to_string())?;
            self.payload(
                format!("fixtures/valid/status-{status}.json"),
                bytes,
                &plain,
            );
        }
        for channel in Channel::DOCUMENTED {
            let generator = generator(Options {
                channels: vec![Channel::from_wire(channel)],
                ..Options::default()
            })?;
            let mut bytes = Vec::new();
            generator
                .write_ndjson(PER_GROUP, &mut bytes)
                .map_err(|err| err.to_string())?;
            self.payload(
                format!("fixtures/valid/channel-{channel}.ndjson"),
                bytes,
                &plain,
            );
        }

        let generator = generator(Options::default())?;
        let mut one = Vec::new();
        generator.valid_record(0, &mut one);
        one.push(b'\n');
        self.payload("fixtures/valid/one-object.json".into(), one, &plain);

        // A list response as the Open API returns it: the records in the only array member.
        let mut list = b"{\"code\": 0, \"total\": 2, \"list\": [\n".to_vec();
        for index in 1..=2 {
            generator.valid_record(index, &mut list);
            list.extend_from_slice(if index == 1 { b",\n" } else { b"\n]}\n" });
        }
        self.payload("fixtures/valid/list-response.json".into(), list, &plain);
        Ok(())
    }

    fn invalid(&mut self) -> Result<(), String> {
        let plain = self.plain.clone();
        let generator = generator(Options::default())?;
        for (index, kind) in CATALOGUE.iter().enumerate() {
            if NEEDS_LISTS.contains(&kind.code) {
                continue;
            }
            let mut bytes = generator.mutant(index as u64, kind).bytes;
            bytes.push(b'\n');
            self.payload(
                format!("fixtures/invalid/{}.ndjson", kind.id),
                bytes,
                &plain,
            );
        }
        Ok(())
    }

    fn with_lists(&mut self) -> Result<(), String> {
        let channels: Vec<String> = Channel::DOCUMENTED
            .iter()
            .map(|name| (*name).to_owned())
            .collect();
        let generator = generator(Options {
            labels: Some(
                enquiry_fake::DEFAULT_LABEL_IDS
                    .iter()
                    .map(|id| (*id).to_owned())
                    .collect(),
            ),
            channel_list: Some(channels.clone()),
            ..Options::default()
        })?;
        let labels: BTreeSet<String> = generator.label_ids().iter().cloned().collect();
        let validator = Validator::new(Config {
            labels: Some(labels.clone()),
            channels: Some(channels.iter().cloned().collect()),
            ..Config::default()
        });
        for (index, kind) in CATALOGUE.iter().enumerate() {
            if !NEEDS_LISTS.contains(&kind.code) {
                continue;
            }
            let mut bytes = generator.mutant(index as u64, kind).bytes;
            bytes.push(b'\n');
            self.payload(
                format!("fixtures/with-lists/{}.ndjson", kind.id),
                bytes,
                &validator,
            );
        }
        let labels: Vec<&String> = labels.iter().collect();
        self.files.push(GeneratedFile::new(
            "fixtures/with-lists/labels.list",
            to_canonical_string(&serde_json::json!(labels)),
        ));
        self.files.push(GeneratedFile::new(
            "fixtures/with-lists/channels.list",
            to_canonical_string(&serde_json::json!(channels)),
        ));
        Ok(())
    }

    fn mixed(&mut self) -> Result<(), String> {
        let plain = self.plain.clone();
        let generator = generator(Options {
            invalid: InvalidRate::PerMillion(MIXED_INVALID_PER_MILLION),
            ..Options::default()
        })?;
        let mut bytes = Vec::new();
        generator
            .write_ndjson(MIXED_RECORDS, &mut bytes)
            .map_err(|err| err.to_string())?;
        self.payload("fixtures/mixed.ndjson".into(), bytes, &plain);
        Ok(())
    }
}

impl Fixtures {
    /// `events/`: valid events, one file per event defect, and a stream of records, their
    /// events and a handshake mixed, whose contracts are detected per record.
    fn events(&mut self) -> Result<(), String> {
        let generator = generator(Options::default())?;
        let event_only = Validator::new(Config {
            contract: Some(&contracts::EVENT),
            ..Config::default()
        });
        let mut valid = Vec::new();
        for record in 0..EVENT_RECORDS {
            for event in generator.events_of(record) {
                valid.extend_from_slice(&event);
                valid.push(b'\n');
            }
        }
        self.payload("fixtures/events/valid.ndjson".into(), valid, &event_only);
        for (index, mutant) in EVENT_CATALOGUE.iter().enumerate() {
            let (mut bytes, _) = generator
                .event_mutant_of(index as u64, mutant)
                .ok_or_else(|| format!("record {index} has no events"))?;
            bytes.push(b'\n');
            self.payload(
                format!("fixtures/events/invalid/{}.ndjson", mutant.id),
                bytes,
                &event_only,
            );
        }
        let detected = Validator::new(Config {
            contract: None,
            ..Config::default()
        });
        let mut mixed = Vec::new();
        for record in 0..EVENT_RECORDS {
            generator.valid_record(record, &mut mixed);
            mixed.push(b'\n');
            for event in generator.events_of(record) {
                mixed.extend_from_slice(&event);
                mixed.push(b'\n');
            }
        }
        mixed.extend_from_slice(b"{\"challenge\":\"c-20221107\"}\n");
        mixed.extend_from_slice(b"{\"code\":200,\"result\":{\"challenge\":\"c-20221107\"}}\n");
        self.payload("fixtures/events/mixed.ndjson".into(), mixed, &detected);
        Ok(())
    }
}

impl Fixtures {
    /// `dataset/`: valid records and, for each, its lifecycle events, consistent by the
    /// contracts' mapping, as `enquiry fake --dataset` writes them: `enquiry reconcile` finds
    /// nothing in them.
    fn dataset(&mut self) -> Result<(), String> {
        let generator = generator(Options::default())?;
        let (mut records, mut events) = (Vec::new(), Vec::new());
        enquiry_fake::dataset::write_dataset(
            &generator,
            DATASET_RECORDS,
            &mut records,
            &mut events,
        )
        .map_err(|err| err.to_string())?;
        let event_only = Validator::new(Config {
            contract: Some(&contracts::EVENT),
            ..Config::default()
        });
        self.payload("fixtures/dataset/events.ndjson".into(), events, &event_only);
        let plain = self.plain.clone();
        self.payload("fixtures/dataset/records.ndjson".into(), records, &plain);
        Ok(())
    }
}

fn readme() -> String {
    format!(
        "# fixtures\n\
\n\
Generated by `cargo xtask codegen` from the fake generator (seed {SEED}); do not edit.\n\
`cargo xtask codegen --check` (and so CI) fails when any file here is stale.\n\
\n\
| path | what |\n\
|---|---|\n\
| `valid/status-*.json` | {PER_GROUP} valid records of one status, as a JSON array |\n\
| `valid/channel-*.ndjson` | {PER_GROUP} valid records of one channel, as NDJSON |\n\
| `valid/one-object.json` | a single enquiry object |\n\
| `valid/list-response.json` | a list response: the records in the object's only array member |\n\
| `invalid/*.ndjson` | one record with exactly one defect, one file per kind of defect of the mutant catalogue (so at least one per error rule); the file name is the kind |\n\
| `with-lists/*.ndjson` | defects that need the tenant's lists: validate with `--labels fixtures/with-lists/labels.list --channels fixtures/with-lists/channels.list` |\n\
| `mixed.ndjson` | {MIXED_RECORDS} records, about a quarter of them with one defect each |\n\
| `events/valid.ndjson` | the webhook events of {EVENT_RECORDS} records (checked with `--contract event`) |\n\
| `events/invalid/*.ndjson` | one event with exactly one defect, one file per kind of event defect; the file name is the kind |\n\
| `events/mixed.ndjson` | records, their events and a challenge handshake interleaved: each line's contract is detected from its members |\n\
| `dataset/records.ndjson`, `dataset/events.ndjson` | {DATASET_RECORDS} valid records and their lifecycle events, consistent with them (`enquiry reconcile fixtures/dataset/events.ndjson fixtures/dataset/records.ndjson` finds nothing) |\n\
| `*.expected` | beside every payload: the validator's report on it as `enquiry validate --format json` writes it (`{{\"version\": 1, \"summary\": ..., \"findings\": [...]}}`), as produced by `enquiry-validator`; the `file` of each finding is the payload's path from the repository root |\n\
\n\
The `.expected` and `.list` extensions keep `enquiry validate fixtures/` from reading them as payloads.\n"
    )
}

#[cfg(test)]
mod tests {
    //! The schema and the validator agree on every fixture record. A record
    //! the validator rejects for a rule a JSON Schema can express is rejected by the `jsonschema`
    //! crate (formats asserted) on the generated schema of the same profile, and a record the
    //! validator accepts is accepted.

    use enquiry_schema::contract::Contract;
    use enquiry_schema::json_schema::{contract_schema, Draft, Profile};
    use enquiry_validator::Severity;
    use serde_json::Value;

    use super::*;

    /// The records of a payload file, each as its own JSON text.
    fn records(path: &str, bytes: &[u8]) -> Vec<Vec<u8>> {
        if path.ends_with(".ndjson") {
            return bytes
                .split(|byte| *byte == b'\n')
                .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
                .map(<[u8]>::to_vec)
                .collect();
        }
        let value: Value = serde_json::from_slice(bytes).expect("JSON fixtures parse");
        let items = match value {
            Value::Array(items) => items,
            Value::Object(members) if members.contains_key("list") => members["list"]
                .as_array()
                .expect("the list is an array")
                .clone(),
            record => vec![record],
        };
        items
            .iter()
            .map(|item| item.to_string().into_bytes())
            .collect()
    }

    #[test]
    fn the_schema_and_the_validator_agree_on_every_fixture_record() {
        let files = generate().expect("fixtures generate");
        let mut disagreements = Vec::new();
        let mut compared = 0;
        // Each contract's schema on the fixtures of that contract (the mixed stream of several
        // contracts has no one schema).
        let of_contract = |contract: &Contract, path: &str| match contract.name {
            "event" => {
                (path.starts_with("fixtures/events/") && !path.ends_with("mixed.ndjson"))
                    || path == "fixtures/dataset/events.ndjson"
            }
            _ => !path.starts_with("fixtures/events/") && path != "fixtures/dataset/events.ndjson",
        };
        let checked: [&'static Contract; 2] = [&contracts::RECORD, &contracts::EVENT];
        for (contract, profile) in checked
            .iter()
            .flat_map(|contract| [(*contract, Profile::Default), (*contract, Profile::Strict)])
        {
            let schema = jsonschema::options()
                .should_validate_formats(true)
                .build(&contract_schema(contract, profile, Draft::Draft2020_12))
                .expect("the schema compiles");
            let validator = Validator::new(Config {
                contract: Some(contract),
                ..Config::with_profile(profile)
            });
            for file in &files {
                if file.path.ends_with(".expected")
                    || file.path.ends_with(".list")
                    || file.path.ends_with(".md")
                    || !of_contract(contract, &file.path)
                {
                    continue;
                }
                for (index, record) in records(&file.path, &file.contents).iter().enumerate() {
                    // Bytes that are not JSON (syntax, encoding) have no schema verdict.
                    let Ok(instance) = serde_json::from_slice::<Value>(record) else {
                        continue;
                    };
                    let report = validator.validate_slice(record, &file.path);
                    let expressible_errors: Vec<String> = report
                        .findings
                        .iter()
                        .filter(|f| f.severity == Severity::Error && f.code.schema_expressible())
                        .map(ToString::to_string)
                        .collect();
                    let validator_accepts = report.is_valid();
                    let schema_errors: Vec<String> = schema
                        .iter_errors(&instance)
                        .map(|err| format!("{} at {}", err, err.instance_path()))
                        .collect();
                    compared += 1;
                    let disagree = (!expressible_errors.is_empty() && schema_errors.is_empty())
                        || (validator_accepts && !schema_errors.is_empty());
                    if disagree {
                        disagreements.push(format!(
                            "{} record {index} ({profile:?}): validator {:?}; schema {:?}",
                            file.path,
                            if validator_accepts {
                                vec!["accepts".to_owned()]
                            } else {
                                expressible_errors
                            },
                            schema_errors
                        ));
                    }
                }
            }
        }
        assert!(compared > 100, "only {compared} records compared");
        assert!(
            disagreements.is_empty(),
            "{} disagreements:\n{}",
            disagreements.len(),
            disagreements.join("\n")
        );
    }
}
