//! proptest strategies for other crates' tests.
//!
//! Both draw a seed and a record index, so shrinking moves towards small seeds and indices;
//! the records themselves come from [`Generator`] with default options.

use proptest::prelude::*;

use crate::{Generator, Mutant, Options, CATALOGUE};

fn generator(seed: u64, labels: bool, channels: bool) -> Generator {
    let options = Options {
        seed,
        labels: labels.then(|| {
            crate::DEFAULT_LABEL_IDS
                .iter()
                .map(|id| (*id).to_owned())
                .collect()
        }),
        channel_list: channels.then(|| {
            enquiry_schema::Channel::DOCUMENTED
                .iter()
                .map(|name| (*name).to_owned())
                .collect()
        }),
        ..Options::default()
    };
    match Generator::new(options) {
        Ok(generator) => generator,
        Err(err) => unreachable!("default options are valid: {err}"),
    }
}

/// A valid enquiry's JSON text (one line): no error and no warning in the validator's default
/// profile.
///
/// ```
/// use proptest::prelude::*;
/// proptest!(|(json in enquiry_fake::valid_enquiry())| {
///     let value: serde_json::Value = serde_json::from_str(&json).unwrap();
///     prop_assert!(value.get("createdAt").is_some());
/// });
/// ```
pub fn valid_enquiry() -> impl Strategy<Value = String> {
    (any::<u64>(), 0u64..1_000_000).prop_map(|(seed, index)| {
        let mut out = Vec::with_capacity(2048);
        generator(seed, false, false).valid_record(index, &mut out);
        String::from_utf8(out).unwrap_or_default()
    })
}

/// A mutant: a valid enquiry with exactly one defect of [`CATALOGUE`], and its label (whose
/// `record` is the drawn index).
///
/// Kinds that need a configured validator (`label-unknown`, `channel-unknown`) are included;
/// configure the validator with [`crate::DEFAULT_LABEL_IDS`] as the label list and the
/// documented channels as the channel list (neither changes how valid records validate).
pub fn invalid_enquiry() -> impl Strategy<Value = Mutant> {
    (any::<u64>(), 0u64..1_000_000, 0..CATALOGUE.len())
        .prop_map(|(seed, index, kind)| generator(seed, true, true).mutant(index, &CATALOGUE[kind]))
}
