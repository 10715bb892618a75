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
