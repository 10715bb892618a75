//! Every valid fake is a well-typed `Enquiry`, and the typed model writes it back byte for byte
//! (the generator follows the documented member order and `serde_json`'s escaping).

mod common;

use common::*;
use enquiry_fake::{Generator, Options};
use enquiry_schema::Enquiry;

#[test]
fn valid_fakes_round_trip_through_the_typed_model() {
    for seed in SEEDS {
        let generator = listed_generator(*seed);
        let input = ndjson(&generator, 1000);
        for line in input
            .split(|byte| *byte == b'\n')
            .filter(|line| !line.is_empty())
        {
            let enquiry: Enquiry = serde_json::from_slice(line)
                .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(line)));
            assert!(enquiry.status.is_documented());
            assert!(enquiry.extra.is_empty());
            let back = serde_json::to_value(&enquiry).unwrap();
            let original: serde_json::Value = serde_json::from_slice(line).unwrap();
            assert_eq!(back, original);
            let bytes = serde_json::to_vec(&enquiry).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&bytes),
                String::from_utf8_lossy(line)
            );
        }
    }
}

#[test]
fn json_array_output_holds_the_same_records() {
    let generator = Generator::new(Options {
        seed: 5,
        ..Options::default()
    })
    .unwrap();
    let mut array = Vec::new();
    generator.write_json_array(50, &mut array).unwrap();
    let records: Vec<Enquiry> = serde_json::from_slice(&array).unwrap();
    assert_eq!(records.len(), 50);
    let lines = ndjson(&generator, 50);
    let from_lines: Vec<Enquiry> = lines
        .split(|byte| *byte == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice(line).unwrap())
        .collect();
    assert_eq!(records, from_lines);
    let mut empty = Vec::new();
    generator.write_json_array(0, &mut empty).unwrap();
    assert_eq!(
        serde_json::from_slice::<Vec<Enquiry>>(&empty).unwrap(),
        Vec::<Enquiry>::new()
    );
}

/// Mutants whose defect is a value, not a JSON type: the typed model takes them (a consumer on
/// live data must not break) and writes them back unchanged. Mutants with a wrong type or a
/// missing required member are refused, with an error naming the member.
#[test]
fn well_typed_mutants_round_trip_and_ill_typed_ones_are_refused_by_name() {
    use enquiry_fake::CATALOGUE;
    use serde_json::Value;

    let (mut round_tripped, mut refused) = (0, 0);
    for seed in SEEDS {
        let generator = listed_generator(*seed);
        for kind in CATALOGUE {
            for index in 0..20 {
                let mutant = generator.mutant(index, kind);
                // Syntax, encoding and too-deep mutants are not JSON to serde_json at all.
                let Ok(value) = serde_json::from_slice::<Value>(&mutant.bytes) else {
                    continue;
                };
                let member = mutant
                    .label
                    .pointer
                    .trim_start_matches('/')
                    .split('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                match (kind.code, Enquiry::from_value(value.clone())) {
                    ("type" | "required" | "not-an-object", Ok(_)) => {
                        panic!("{}: the model took an ill-typed record: {value}", kind.id)
                    }
                    ("type" | "required", Err(err)) => {
                        assert!(
                            err.to_string().contains(&format!("`{member}")),
                            "{}: the error does not name `{member}`: {err}",
                            kind.id
                        );
                        refused += 1;
                    }
                    ("not-an-object", Err(_)) => refused += 1,
                    (_, Err(err)) => panic!("{}: a well-typed mutant was refused: {err}", kind.id),
                    (_, Ok(enquiry)) => {
                        let back = serde_json::to_value(&enquiry).unwrap();
                        assert_eq!(back, value, "{}: not lossless", kind.id);
                        round_tripped += 1;
                    }
                }
            }
        }
    }
    assert!(
        round_tripped > 1000 && refused > 100,
        "{round_tripped} / {refused}"
    );
}
