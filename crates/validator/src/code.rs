//! The rules, one [`Code`] each. The enum lives with the contract tables in
//! [`enquiry_schema::rule`]; it is re-exported here so users of the validator need only it.

pub use enquiry_schema::rule::{did_you_mean, Code, Level, Severity, UnknownCode};
