//! The CINNOX contact-centre **enquiry** record, as Rust types and as data.
//!
//! This crate is the single source of truth of the enquiry contract. Everything else in the
//! workspace (the validator, the fake generator, the generated JSON Schemas, the CLI's `explain`)
//! reads what it needs from here, so that a field name, an enum spelling or a description exists
//! exactly once.
//!
//! It holds these things and does no I/O:
//!
//! * [`Enquiry`] and [`LocationDetail`]: a **lossless** typed model. Every well-typed JSON object
//!   (every documented member either absent, `null`, or of its documented JSON type, and the
//!   required members present) deserialises into an [`Enquiry`] and serialises back to an equal
//!   JSON value: unknown enum spellings are kept in an `Unknown(String)` variant, unknown members
//!   are kept in [`Enquiry::extra`], absent and `null` are told apart ([`Nullable`]), timestamps
//!   keep their exact text ([`Timestamp`]) and numbers keep their exact JSON representation.
//!   A member of the wrong JSON type is refused with a [`ModelError`] naming it.
//! * [`EnquiryEvent`], [`ChallengeRequest`] and [`ChallengeResponse`]: the same lossless
//!   guarantee for the webhook contracts of [`contracts`]. The event's `status`, `type`,
//!   `channel` and `destinationTypes` values are enums with an `Unknown(String)` variant,
//!   `destinationTypes` keeps its shape (a string, or the undocumented array), `date` is a
//!   [`Timestamp`] read by the validator's own parser ([`rfc3339`]). These models spell no member
//!   name: they are generated from the constants the contract tables are written with, and each
//!   payload's member types are checked against the table before it is read.
//! * [`names`]: one constant per documented member key and enum spelling of every contract,
//!   generated from the tables, for code that writes or reads a member by name.
//! * [`fields::FIELDS`]: the field rules of the contract as a table (name, JSON Pointer, kind,
//!   required-ness, nullability, personal data, the documented description and how the seed's
//!   defects were resolved).
//! * [`codes`]: the ISO 639-1 and ISO 3166-1 alpha-2 tables, taken from maintained crates
//!   (`isolang`, `celes`), never typed by hand.
//! * [`json_schema`]: JSON Schema generation (draft 2020-12 and draft-07, default and strict
//!   profile) with `schemars`, driven by the same table.
//! * [`scan`]: the one structural scanner of JSON text (strings, escapes and brackets, no
//!   parsing), shared by the model's depth check and the validator's record boundaries.
//!
//! # The documented format and its defects
//!
//! The vendor's table has defects; this crate resolves them as follows, and every resolution is
//! repeated in the affected field's [`fields::FieldRule::resolution`] and in the schema's
//! `description`:
//!
//! | seed text | resolution |
//! |---|---|
//! | a row with no name, "The city where the enquiry comes from" | `locationDetail.city` |
//! | `locationDetailprovince` | `locationDetail.province` |
//! | `type`, `id`, `maaiiDisplayName`, `name` listed without a parent | top-level strings |
//! | `inquiryType`: "It can be" (list cut off) | free string |
//! | `handledType`: "Phone Number, SIP Trunk or Staff" | free string; `PHONE`, `TRUNK`, `STAFF` recognised |
//! | `huntedStaffTargetHistory`: String described as a list | string; an array of strings is accepted by the model and flagged by the validator |
//! | `transferredParty`: Array(object), members undocumented | array of objects with open members |
//! | `destinationID`: "The IP of the destination" | free string (an identifier, not an IP) |
//!
//! One contradiction in the contract itself is resolved too: the strict profile requires every
//! documented member, but `closedAt` on an enquiry that is not closed is a defect. In the strict
//! profile `closedAt` and `closeDuration` are therefore required exactly when `status` is
//! `closed` ([`fields::CLOSED_ONLY`]).
//!
//! # Example
//!
//! ```
//! use enquiry_schema::{Enquiry, Status};
//!
//! let json = r#"{"_id":"6368a2f0c1","createdAt":"2022-11-07T00:00:00.000Z","status":"closed",
//!               "channel":"Weblink","vendorAddedThis":42}"#;
//! let enquiry: Enquiry = serde_json::from_str(json).unwrap();
//! assert_eq!(enquiry.status, Status::Closed);
//! assert!(enquiry.extra.contains_key("vendorAddedThis"));
//! // Lossless: serialising gives back an equal JSON value.
//! let back = serde_json::to_value(&enquiry).unwrap();
//! assert_eq!(back, serde_json::from_str::<serde_json::Value>(json).unwrap());
//! ```
#![deny(missing_docs)]

pub mod codes;
pub mod contract;
pub mod contracts;
pub mod fields;
pub mod json_schema;
mod model;
#[rustfmt::skip]
#[path = "generated/names.rs"]
pub mod names;
pub mod rfc3339;
pub mod rule;
pub mod scan;
mod webhook;

pub use model::{
    Channel, DestinationEndPoint, DestinationType, Enquiry, InitChannel, InvalidTimestamp,
    LocationDetail, ModelError, Nullable, OmniType, StaffTargetHistory, Status, Timestamp,
    MAX_DEPTH,
};
pub use webhook::{
    ChallengeRequest, ChallengeResponse, ChallengeResult, DestinationTypes, EnquiryEvent,
    EventChannel, EventDestinationType, EventStatus, EventType,
};
