//! PLACEHOLDER API: the engine helper replaces the bodies; signatures are the contract.
#![allow(clippy::unimplemented, unused_variables, missing_docs)]

use std::io::{self, Read};

use crate::config::Config;
use crate::finding::{Finding, RecordOutcome, Report, Summary};

/// Something the validator reports while streaming an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A record was checked (valid or not).
    Record(RecordOutcome),
    /// A defect of the input outside any record: empty input, a BOM, a syntax error that ends
    /// an array or object so that no further record can be found.
    Input(Finding),
}

/// A configured validator; cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Validator {
    config: Config,
}

impl Validator {
    pub fn new(config: Config) -> Validator {
        Validator { config }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn validate_slice(&self, bytes: &[u8], file: &str) -> Report {
        unimplemented!()
    }

    pub fn validate_reader<R: Read + Send>(&self, reader: R, file: &str) -> io::Result<Report> {
        unimplemented!()
    }

    pub fn validate_stream<R: Read + Send>(
        &self,
        reader: R,
        file: &str,
        jobs: usize,
        on_event: &mut dyn FnMut(Event),
    ) -> io::Result<Summary> {
        unimplemented!()
    }
}
