//! Validates CINNOX enquiry payloads against the contract of `enquiry-schema`.
//!
//! Bytes in, findings out: every defect of every record, each with its file, record index,
//! 1-based line and column, JSON Pointer, rule [`Code`] and a one-line message.
#![deny(missing_docs)]

pub mod code;
pub mod config;
pub mod finding;
mod input;
mod parse;
mod rules;
mod validator;

pub use code::{Code, Level, Severity};
pub use config::{Config, ConfigError, ConfigFile};
pub use enquiry_schema::json_schema::Profile;
pub use finding::{Finding, Pointer, RecordOutcome, Report, Summary};
pub use validator::{Event, Validator};
