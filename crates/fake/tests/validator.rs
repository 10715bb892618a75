//! The fakes against the validator: valid records have no finding at all, and each mutant has
//! exactly its label's finding, as an error.

mod common;

use common::*;
use enquiry_fake::{Generator, InvalidRate, Label, Options, Profile, CATALOGUE};
use enquiry_schema::{Channel, Status};
use enquiry_validator::Config;
use enquiry_validator::Severity;

#[test]
fn valid_fakes_have_no_error_and_no_warning() {
    let validator = default_validator();
    for seed in SEEDS {
        let generator = Generator::new(Options {
            seed: *seed,
            ..Options::default()
        })
        .unwrap();
        let input = ndjson(&generator, 3000);
        let report = validator.validate_slice(&input, "fake.ndjson");
        assert_eq!(report.summary.records, 3000, "seed {seed}");
        assert!(
            report.findings.is_empty(),
            "seed {seed}: {:#?}",
            describe(&report.findings)
        );
    }
}

#[test]
fn valid_fakes_pass_with_label_and_channel_lists() {
    let validator = listed_validator();
    for seed in SEEDS {
        let input = ndjson(&listed_generator(*seed), 2000);
        let report = validator.validate_slice(&input, "fake.ndjson");
        assert_eq!(report.summary.records, 2000);
        assert!(
            report.findings.is_empty(),
            "seed {seed}: {:#?}",
            describe(&report.findings)
        );
    }
}

#[test]
fn filtered_fakes_are_valid() {
    let validator = default_validator();
    for status in Status::DOCUMENTED {
        for channel in Channel::DOCUMENTED {
            let generator = Generator::new(Options {
                seed: 3,
                statuses: vec![Status::from_wire(status)],
                channels: vec![Channel::from_wire(channel)],
                ..Options::default()
            })
            .unwrap();
            let report = validator.validate_slice(&ndjson(&generator, 60), "fake.ndjson");
            assert!(
                report.findings.is_empty(),
                "{status} {channel}: {:#?}",
                describe(&report.findings)
            );
        }
    }
}

#[test]
fn json_arrays_are_valid_too() {
    let generator = Generator::new(Options {
        seed: 11,
        ..Options::default()
    })
    .unwrap();
    let mut input = Vec::new();
    generator.write_json_array(500, &mut input).unwrap();
    let report = default_validator().validate_slice(&input, "fake.json");
    assert_eq!(report.summary.records, 500);
    assert!(
        report.findings.is_empty(),
        "{:#?}",
        describe(&report.findings)
    );
}

/// Every catalogue entry, on many records of several seeds: one finding, the label's.
#[test]
fn each_mutant_yields_exactly_its_label() {
    let validator = listed_validator();
    for seed in SEEDS {
        let generator = listed_generator(*seed);
        for kind in CATALOGUE {
            for index in 0..40 {
                let mutant = generator.mutant(index, kind);
                assert_eq!(mutant.label.record, index);
                assert_eq!(mutant.label.code, kind.code);
                let report = validator.validate_slice(&mutant.bytes, "mutant.json");
                let findings: Vec<(&str, &str, Severity)> = report
                    .findings
                    .iter()
                    .map(|finding| {
                        (
                            finding.pointer.as_str(),
                            finding.code.as_str(),
                            finding.severity,
                        )
                    })
                    .collect();
                assert_eq!(
                    findings,
                    [(mutant.label.pointer.as_str(), kind.code, Severity::Error)],
                    "seed {seed}, record {index}, kind {}: {}\n{:#?}",
                    kind.id,
                    String::from_utf8_lossy(&mutant.bytes),
                    describe(&report.findings)
                );
            }
        }
    }
}

/// Mutants that need no list are found by the plain default profile too.
#[test]
fn listless_mutants_need_no_configuration() {
    let validator = default_validator();
    let generator = Generator::new(Options {
        seed: 5,
        invalid: InvalidRate::Always,
        ..Options::default()
    })
    .unwrap();
    assert!(generator
        .mutant_kinds()
        .iter()
        .all(|kind| kind.code != "label-unknown" && kind.code != "channel-unknown"));
    for kind in generator.mutant_kinds() {
        for index in 0..20 {
            let mutant = generator.mutant(index, kind);
            let report = validator.validate_slice(&mutant.bytes, "mutant.json");
            assert_eq!(
                report.findings.len(),
                1,
                "{}: {:#?}",
                kind.id,
                describe(&report.findings)
            );
            assert_eq!(report.findings[0].pointer.as_str(), mutant.label.pointer);
            assert_eq!(report.findings[0].code.as_str(), mutant.label.code);
        }
    }
}

fn labels_of_findings(findings: &[enquiry_validator::Finding]) -> Vec<Label> {
    findings
        .iter()
        .map(|finding| Label {
            record: finding.record,
            pointer: finding.pointer.as_str().to_owned(),
            code: finding.code.as_str().to_owned(),
            severity: None,
        })
        .collect()
}

/// The manifest and the validator agree one for one on a mixed stream, in both framings.
#[test]
fn manifests_agree_with_the_validator() {
    let validator = listed_validator();
    for seed in SEEDS {
        for invalid in [InvalidRate::PerMillion(300_000), InvalidRate::Always] {
            let generator = Generator::new(Options {
                seed: *seed,
                invalid,
                labels: Some(label_list()),
                channel_list: Some(channel_list()),
                ..Options::default()
            })
            .unwrap();
            let mut lines = Vec::new();
            let line_labels = generator.write_ndjson(400, &mut lines).unwrap();
            let report = validator.validate_slice(&lines, "fake.ndjson");
            assert_eq!(report.summary.records, 400);
            assert_eq!(
                labels_of_findings(&report.findings),
                line_labels,
                "seed {seed} NDJSON"
            );
            assert!(report
                .findings
                .iter()
                .all(|finding| finding.severity == Severity::Error));
            assert_eq!(report.summary.invalid as usize, line_labels.len());

            let mut array = Vec::new();
            let array_labels = generator.write_json_array(400, &mut array).unwrap();
            assert!(array_labels
                .iter()
                .all(|label| label.code != "syntax" && label.code != "too-deep"));
            let report = validator.validate_slice(&array, "fake.json");
            assert_eq!(report.summary.records, 400);
            assert_eq!(
                labels_of_findings(&report.findings),
                array_labels,
                "seed {seed} array"
            );
        }
    }
}

/// A stream whose first record is a mutant of each kind is still read as NDJSON.
#[test]
fn a_mutant_first_in_the_stream_is_still_one_finding() {
    let validator = listed_validator();
    let generator = listed_generator(9);
    for kind in CATALOGUE {
        let mut input = Vec::new();
        let first = generator.mutant(0, kind);
        input.extend_from_slice(&first.bytes);
        input.push(b'\n');
        generator.valid_record(1, &mut input);
        input.push(b'\n');
        let last = generator.mutant(2, kind);
        input.extend_from_slice(&last.bytes);
        input.push(b'\n');
        let report = validator.validate_slice(&input, "fake.ndjson");
        assert_eq!(report.summary.records, 3, "{}", kind.id);
        assert_eq!(
            labels_of_findings(&report.findings),
            [first.label, last.label],
            "{}",
            kind.id
        );
    }
}

/// With a tenant list that lacks some documented channels, `channel-unknown` uses one of them,
/// and every other kind still yields only its label.
#[test]
fn mutants_with_a_partial_channel_list() {
    let list: Vec<String> = Channel::DOCUMENTED[..5]
        .iter()
        .map(|name| (*name).to_owned())
        .collect();
    let validator = enquiry_validator::Validator::new(Config {
        labels: Some(label_list().into_iter().collect()),
        channels: Some(list.iter().cloned().collect()),
        ..Config::default()
    });
    let generator = Generator::new(Options {
        seed: 13,
        labels: Some(label_list()),
        channel_list: Some(list.clone()),
        ..Options::default()
    })
    .unwrap();
    for kind in CATALOGUE {
        for index in 0..20 {
            let mutant = generator.mutant(index, kind);
            let report = validator.validate_slice(&mutant.bytes, "mutant.json");
            // A lone record is record 0 of its input.
            let expected = Label {
                record: 0,
                ..mutant.label.clone()
            };
            assert_eq!(
                labels_of_findings(&report.findings),
                [expected],
                "{}",
                kind.id
            );
            if kind.code == "channel-unknown" {
                let value: serde_json::Value = serde_json::from_slice(&mutant.bytes).unwrap();
                let channel = value["channel"].as_str().unwrap();
                assert!(Channel::DOCUMENTED[5..].contains(&channel), "{channel}");
            }
        }
    }
}

/// The generator and the validator of one profile, with the tenant's lists.
fn profile_pair(
    profile: Profile,
    seed: u64,
    warnings: bool,
) -> (Generator, enquiry_validator::Validator) {
    let generator = Generator::new(Options {
        seed,
        labels: Some(label_list()),
        channel_list: Some(channel_list()),
        profile,
        warnings,
        ..Options::default()
    })
    .unwrap();
    let validator = enquiry_validator::Validator::new(Config {
        labels: Some(label_list().into_iter().collect()),
        channels: Some(channel_list().into_iter().collect()),
        ..Config::with_profile(profile)
    });
    (generator, validator)
}

/// Strict fakes pass the strict profile with no finding at all (so `--deny-warnings` too).
#[test]
fn strict_fakes_have_every_member_the_strict_profile_requires() {
    for seed in SEEDS {
        let (generator, validator) = profile_pair(Profile::Strict, *seed, false);
        let report = validator.validate_slice(&ndjson(&generator, 2000), "strict.ndjson");
        assert_eq!(report.summary.records, 2000);
        assert!(
            report.findings.is_empty(),
            "seed {seed}: {:#?}",
            describe(&report.findings)
        );
    }
}

/// Every kind a generator plants, for each profile (and the default one with warnings): one
/// finding, the label's, at the label's severity.
#[test]
fn each_mutant_of_each_profile_yields_exactly_its_label() {
    for (profile, warnings) in [(Profile::Strict, false), (Profile::Default, true)] {
        for seed in &SEEDS[..3] {
            let (generator, validator) = profile_pair(profile, *seed, warnings);
            let codes: Vec<&str> = generator
                .mutant_kinds()
                .iter()
                .map(|kind| kind.code)
                .collect();
            let expected_extra = if profile == Profile::Strict {
                "canonical-timestamp"
            } else {
                "null-value"
            };
            assert!(codes.contains(&expected_extra) && codes.contains(&"status-consistency"));
            for kind in generator.mutant_kinds() {
                for index in 0..30 {
                    let mutant = generator.mutant(index, kind);
                    let report = validator.validate_slice(&mutant.bytes, "mutant.json");
                    let findings: Vec<(&str, &str, &str)> = report
                        .findings
                        .iter()
                        .map(|f| (f.pointer.as_str(), f.code.as_str(), f.severity.as_str()))
                        .collect();
                    let label = &mutant.label;
                    let severity = label.severity.as_deref().expect("a severity");
                    assert_eq!(
                        findings,
                        [(label.pointer.as_str(), kind.code, severity)],
                        "{profile:?}, seed {seed}, record {index}, kind {}: {}\n{:#?}",
                        kind.id,
                        String::from_utf8_lossy(&mutant.bytes),
                        describe(&report.findings)
                    );
                }
            }
        }
    }
}
