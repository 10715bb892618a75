//! proptest strategies for other crates' tests: enquiry records and webhook events, valid or
//! with one labelled defect.
//!
//! Each draws a seed and a record index, so shrinking moves towards small seeds and indices;
//! the records and events themselves come from [`Generator`] with default options.

use enquiry_schema::contracts::{EVENT_CHANNELS, EVENT_STATUSES};
use proptest::prelude::*;

use crate::event_stream::EVENT_CATALOGUE;
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

/// A valid webhook event's JSON text (one line): no error and no warning when validated as an
/// `event` (or with the contract detected). Every documented status and channel is drawn,
/// and on the hub channel every origin; the other members come from a fake record's
/// lifecycle (any of its events), so `eid`, `displayCaseNumber` and `date` are a record's.
///
/// ```
/// use proptest::prelude::*;
/// proptest!(|(json in enquiry_fake::valid_event())| {
///     let value: serde_json::Value = serde_json::from_str(&json).unwrap();
///     prop_assert!(value.get("eid").is_some());
/// });
/// ```
pub fn valid_event() -> impl Strategy<Value = String> {
    (
        any::<u64>(),
        0u64..1_000_000,
        0usize..8,
        prop::sample::select(EVENT_STATUSES),
        prop::sample::select(EVENT_CHANNELS),
        prop::sample::select(EVENT_CHANNELS),
    )
        .prop_filter_map(
            "every valid record has events",
            |(seed, record, event, status, channel, origin)| {
                let bytes = generator(seed, false, false)
                    .event_as(record, event, status, channel, origin)?;
                String::from_utf8(bytes).ok()
            },
        )
}

/// An event mutant: a valid event with exactly one defect of the event catalogue (errors and
/// warnings alike: the label's `severity` says which), and its label (`record` 0, the event
/// being the only one). Validate it as an `event` with the default configuration.
pub fn invalid_event() -> impl Strategy<Value = Mutant> {
    (any::<u64>(), 0u64..1_000_000, 0..EVENT_CATALOGUE.len()).prop_filter_map(
        "every valid record has events",
        |(seed, record, kind)| {
            let mutant = &EVENT_CATALOGUE[kind];
            // With warnings on, labels state their severity; the events are the same.
            let generator = Generator::new(Options {
                seed,
                warnings: true,
                ..Options::default()
            })
            .ok()?;
            let (bytes, label) = generator.event_mutant_of(record, mutant)?;
            Some(Mutant {
                bytes,
                label,
                kind: mutant.id,
            })
        },
    )
}
