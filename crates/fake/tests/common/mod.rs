//! Helpers shared by the integration tests.
#![allow(dead_code)]

use enquiry_fake::{Generator, Options, DEFAULT_LABEL_IDS};
use enquiry_schema::Channel;
use enquiry_validator::{Config, Finding, Validator};

/// The seeds the property tests sweep.
pub const SEEDS: &[u64] = &[0, 1, 7, 42, 0xdead_beef, u64::MAX];

pub fn label_list() -> Vec<String> {
    DEFAULT_LABEL_IDS
        .iter()
        .map(|id| (*id).to_owned())
        .collect()
}

pub fn channel_list() -> Vec<String> {
    let mut list: Vec<String> = Channel::DOCUMENTED
        .iter()
        .map(|name| (*name).to_owned())
        .collect();
    list.push("INSTAGRAM".to_owned());
    list
}

/// A generator whose every catalogue entry applies (label and channel lists given).
pub fn listed_generator(seed: u64) -> Generator {
    Generator::new(Options {
        seed,
        labels: Some(label_list()),
        channel_list: Some(channel_list()),
        ..Options::default()
    })
    .unwrap()
}

/// The validator's default profile.
pub fn default_validator() -> Validator {
    Validator::new(Config::default())
}

/// The default profile, configured with the lists of [`listed_generator`].
pub fn listed_validator() -> Validator {
    Validator::new(Config {
        labels: Some(label_list().into_iter().collect()),
        channels: Some(channel_list().into_iter().collect()),
        ..Config::default()
    })
}

pub fn describe(findings: &[Finding]) -> Vec<String> {
    findings.iter().map(ToString::to_string).collect()
}

pub fn ndjson(generator: &Generator, count: u64) -> Vec<u8> {
    let mut out = Vec::new();
    generator.write_ndjson(count, &mut out).unwrap();
    out
}
