//! Integration tests of the enquiry-schema crate, in one test binary (one link, not five).
//!
//! * `seed`: the vendor's table (a verbatim copy in `data/seed-table.txt`) against the field table
//!   and the generated schemas.
//! * `model`: the typed model against the field table: round trips, the lossless property,
//!   wrongly typed members refused by name.
//! * `schema`: the generated schemas are valid schemas, and the `jsonschema` crate (formats
//!   asserted) accepts and rejects what the contract says.
//! * `codes`: the ISO tables.
//! * `event_model`: the webhook models against their tables: fixtures and generated payloads
//!   round-trip, dates are read by the validator's parser.

mod codes;
mod event_model;
mod model;
mod schema;
mod seed;
mod support;
