//! The vendor's table against the field table and the generated schemas.
//!
//! `data/seed-table.txt` is a verbatim copy of the documentation, defects included; this module
//! parses it the way a reader would and applies the contract's resolutions to the two
//! rows whose names are broken.

use enquiry_schema::fields::{all_fields, FieldKind, FieldRule, JsonType};
use enquiry_schema::json_schema::{enquiry_schema, Draft, Profile};
use serde_json::Value;

const SEED: &str = include_str!("data/seed-table.txt");

/// One row of the vendor's table, its name resolved.
#[derive(Debug)]
struct SeedRow {
    name: String,
    json_type: String,
    description: String,
}

/// The rows of the table. A line can hold two rows (the seed lost a line break before the row
/// with no name), so every line is read as a run of `name | type | description |` triples.
fn seed_rows() -> Vec<SeedRow> {
    let mut rows = Vec::new();
    for line in SEED.lines() {
        if !line.contains('|') || line.starts_with("Parameter |") {
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        for triple in cells.chunks(3) {
            let [name, json_type, description] = triple else {
                continue;
            };
            let name = match (*name, *description) {
                ("", "The city where the enquiry comes from.") => "locationDetail.city",
                ("locationDetailprovince", _) => "locationDetail.province",
                (name, _) => name,
            };
            rows.push(SeedRow {
                name: name.to_owned(),
                json_type: (*json_type).to_owned(),
                description: (*description).to_owned(),
            });
        }
    }
    rows
}

fn rule(name: &str) -> Option<&'static FieldRule> {
    all_fields().find(|rule| rule.name == name)
}

#[test]
fn the_seed_parses_into_every_documented_row() {
    let rows = seed_rows();
    assert_eq!(
        rows.len(),
        51,
        "rows: {:#?}",
        rows.iter().map(|r| &r.name).collect::<Vec<_>>()
    );
    for row in &rows {
        assert!(!row.name.is_empty(), "a row kept no name: {row:?}");
        assert!(
            !row.description.is_empty(),
            "a row has no description: {row:?}"
        );
    }
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert!(names.contains(&"locationDetail.city"));
    assert!(names.contains(&"locationDetail.province"));
    assert!(!names.contains(&"locationDetailprovince"));
}

#[test]
fn every_seed_row_is_in_the_field_table_with_its_description_and_type() {
    for row in seed_rows() {
        let rule = rule(&row.name)
            .unwrap_or_else(|| panic!("seed field `{}` is missing from FIELDS", row.name));
        assert_eq!(
            rule.description, row.description,
            "description of `{}`",
            row.name
        );
        let json_type = rule.kind.json_type();
        let agrees = match row.json_type.as_str() {
            "String" => matches!(
                json_type,
                JsonType::String | JsonType::StringOrArrayOfStrings
            ),
            "Boolean" => json_type == JsonType::Boolean,
            "Number" => json_type == JsonType::Number,
            "Array(object)" => json_type == JsonType::ArrayOfObjects,
            "Array of strings" => json_type == JsonType::ArrayOfStrings,
            other => panic!("unexpected seed type `{other}` for `{}`", row.name),
        };
        assert!(
            agrees,
            "`{}`: seed type {} but the table says {json_type:?}",
            row.name, row.json_type
        );
    }
}

#[test]
fn the_field_table_has_nothing_the_seed_lacks() {
    let rows = seed_rows();
    for rule in all_fields() {
        if matches!(rule.kind, FieldKind::Object(_)) {
            // `locationDetail` itself is implied by its dotted members.
            assert!(rows
                .iter()
                .any(|row| row.name.starts_with(&format!("{}.", rule.name))));
            continue;
        }
        assert!(
            rows.iter().any(|row| row.name == rule.name),
            "`{}` is in FIELDS but not in the seed",
            rule.name
        );
    }
}

#[test]
fn resolved_rows_say_how_they_were_resolved() {
    for name in [
        "locationDetail.city",
        "locationDetail.province",
        "type",
        "id",
        "maaiiDisplayName",
        "name",
        "inquiryType",
        "handledType",
        "huntedStaffTargetHistory",
        "transferredParty",
        "destinationID",
    ] {
        let rule = rule(name).expect("documented");
        let resolution = rule
            .resolution
            .unwrap_or_else(|| panic!("`{name}` has no resolution"));
        assert!(!resolution.is_empty());
        assert!(rule.full_description().contains(resolution));
    }
}

/// The property schema of a dotted name in a generated schema.
fn property<'a>(schema: &'a Value, name: &str) -> Option<&'a Value> {
    name.split('.')
        .try_fold(schema, |parent, key| parent.get("properties")?.get(key))
}

#[test]
fn every_seed_row_is_in_every_schema_with_the_seed_description() {
    for profile in [Profile::Default, Profile::Strict] {
        for draft in [Draft::Draft2020_12, Draft::Draft07] {
            let schema = enquiry_schema(profile, draft);
            for row in seed_rows() {
                let property = property(&schema, &row.name).unwrap_or_else(|| {
                    panic!(
                        "`{}` missing from the {profile:?} {draft:?} schema",
                        row.name
                    )
                });
                let description = property["description"].as_str().unwrap_or_default();
                assert!(
                    description.starts_with(&row.description),
                    "`{}`: {description}",
                    row.name
                );
                assert_eq!(
                    description,
                    rule(&row.name).expect("documented").full_description()
                );
            }
        }
    }
}
