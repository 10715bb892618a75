//! Fake webhook events: the lifecycle events of the generator's records, one after another,
//! valid or carrying exactly one labelled defect each.
//!
//! Event `n` of the stream is the same whatever the count. Members are written in the order of
//! the event contract's table, from an ordered list (never through a map whose ordering could
//! depend on a feature of `serde_json`), so the same seed gives the same bytes everywhere.

use std::io::{self, Write};

use enquiry_schema::contracts::{
    event, CHANNEL_ORIGIN_OTHERWISE, DESTINATION_TYPES, EVENT_CHANNELS, EVENT_FIELDS, HUB_CHANNEL,
    SOCIAL_ORIGINS,
};
use enquiry_schema::rule::Code;
use serde_json::Value;

use crate::events::{lifecycle, LifecycleEvent};
use crate::rng::Rand;
use crate::{Generator, InvalidRate, Label, Profile};

/// The domain of an event's "is it a mutant, and which" stream.
const DOMAIN_EVENT_MUTATION: &[u8; 16] = b"enquiry-fake/evm";

/// An event as an ordered list of members.
type Members = Vec<(&'static str, Value)>;

/// One kind of defect planted in an event: the member it is found at and its rule.
pub struct EventMutant {
    /// A stable id (`event-status-case`).
    pub id: &'static str,
    /// The rule the validator reports.
    pub code: Code,
    /// The top-level member the finding points at.
    pub member: &'static str,
    apply: fn(&mut Members),
}

fn set(members: &mut Members, key: &'static str, value: Value) {
    match members.iter_mut().find(|(name, _)| *name == key) {
        Some(slot) => slot.1 = value,
        None => members.push((key, value)),
    }
}

fn remove(members: &mut Members, key: &str) {
    members.retain(|(name, _)| *name != key);
}

fn text(value: &str) -> Value {
    Value::String(value.to_owned())
}

/// A near miss of a documented member, as a producer would misspell it.
const UNKNOWN_MEMBER: &str = "eId";

/// A channel that is not the hub and not social: a social ID is out of place there.
fn plain_channel() -> &'static str {
    EVENT_CHANNELS
        .iter()
        .copied()
        .find(|channel| *channel != HUB_CHANNEL && !SOCIAL_ORIGINS.contains(channel))
        .unwrap_or(HUB_CHANNEL)
}

/// A social channel that is not the hub.
fn social_channel() -> &'static str {
    SOCIAL_ORIGINS[1]
}

/// Every event defect, one rule of the event contract each (warnings included).
pub static EVENT_CATALOGUE: &[EventMutant] = &[
    EventMutant {
        id: "event-missing-eid",
        code: Code::Required,
        member: event::EID,
        apply: |m| remove(m, event::EID),
    },
    EventMutant {
        id: "event-missing-date",
        code: Code::Required,
        member: event::DATE,
        apply: |m| remove(m, event::DATE),
    },
    EventMutant {
        id: "event-empty-eid",
        code: Code::NonEmpty,
        member: event::EID,
        apply: |m| set(m, event::EID, text("")),
    },
    EventMutant {
        id: "event-status-case",
        code: Code::Enum,
        member: event::STATUS,
        apply: |m| {
            let lower = m
                .iter()
                .find(|(name, _)| *name == event::STATUS)
                .and_then(|(_, value)| value.as_str())
                .unwrap_or("")
                .to_lowercase();
            set(m, event::STATUS, Value::String(lower));
        },
    },
    EventMutant {
        id: "event-type",
        code: Code::Enum,
        member: event::TYPE,
        apply: |m| set(m, event::TYPE, text("enquiry")),
    },
    EventMutant {
        id: "event-channel",
        code: Code::Enum,
        member: event::CHANNEL,
        apply: |m| {
            set(m, event::CHANNEL, text("SMS"));
            set(m, event::CHANNEL_ORI, text(CHANNEL_ORIGIN_OTHERWISE));
            set(m, event::SOCIAL_ID, text(""));
        },
    },
    EventMutant {
        id: "event-channel-origin",
        code: Code::ChannelOrigin,
        member: event::CHANNEL_ORI,
        apply: |m| {
            set(m, event::CHANNEL, text(social_channel()));
            set(m, event::CHANNEL_ORI, text(social_channel()));
        },
    },
    EventMutant {
        id: "event-channel-origin-unrecognised",
        code: Code::UnrecognisedValue,
        member: event::CHANNEL_ORI,
        apply: |m| {
            set(m, event::CHANNEL, text(HUB_CHANNEL));
            set(m, event::CHANNEL_ORI, text("TELEGRAM"));
            set(m, event::SOCIAL_ID, text(""));
        },
    },
    EventMutant {
        id: "event-social-id",
        code: Code::SocialId,
        member: event::SOCIAL_ID,
        apply: |m| {
            set(m, event::CHANNEL, text(plain_channel()));
            set(m, event::CHANNEL_ORI, text(CHANNEL_ORIGIN_OTHERWISE));
            set(m, event::SOCIAL_ID, text("U-fictional"));
        },
    },
    EventMutant {
        id: "event-date",
        code: Code::DateTime,
        member: event::DATE,
        apply: |m| set(m, event::DATE, text("2024-02-30T00:00:00.000Z")),
    },
    EventMutant {
        id: "event-service-type",
        code: Code::Type,
        member: event::SERVICE_ID,
        apply: |m| set(m, event::SERVICE_ID, Value::from(7)),
    },
    EventMutant {
        id: "event-unknown-member",
        code: Code::UnknownField,
        member: UNKNOWN_MEMBER,
        apply: |m| set(m, UNKNOWN_MEMBER, text("e")),
    },
    EventMutant {
        id: "event-destination-types",
        code: Code::UnrecognisedValue,
        member: event::DESTINATION_TYPES_MEMBER,
        apply: |m| set(m, event::DESTINATION_TYPES_MEMBER, text("ROBOT")),
    },
    EventMutant {
        id: "event-destination-types-array",
        code: Code::UndocumentedShape,
        member: event::DESTINATION_TYPES_MEMBER,
        apply: |m| {
            set(
                m,
                event::DESTINATION_TYPES_MEMBER,
                Value::from(vec![text(DESTINATION_TYPES[1])]),
            )
        },
    },
    EventMutant {
        id: "event-null-destination",
        code: Code::NullValue,
        member: event::DESTINATION,
        apply: |m| set(m, event::DESTINATION, Value::Null),
    },
];

/// The members of `event` in the contract table's order.
fn members(event: &LifecycleEvent) -> Members {
    let value = serde_json::to_value(event).unwrap_or(Value::Null);
    EVENT_FIELDS
        .iter()
        .filter_map(|rule| Some((rule.key(), value.get(rule.key())?.clone())))
        .collect()
}

/// Appends the members as one JSON object.
fn render(members: &Members, out: &mut Vec<u8>) {
    out.push(b'{');
    for (index, (key, value)) in members.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        // Serialising a string or a plain value into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, key);
        out.push(b':');
        let _ = serde_json::to_writer(&mut *out, value);
    }
    out.push(b'}');
}

impl Generator {
    /// The lifecycle events of record `record` as JSON texts, in order (none for a record
    /// without the identity an event needs).
    pub fn events_of(&self, record: u64) -> Vec<Vec<u8>> {
        let mut bytes = Vec::new();
        self.lifecycle_record(record, &mut bytes);
        let parsed: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        lifecycle(&parsed)
            .unwrap_or_default()
            .iter()
            .map(|event| {
                let mut out = Vec::new();
                render(&members(event), &mut out);
                out
            })
            .collect()
    }

    /// Event `event` (modulo their number) of record `record`'s lifecycle, restated with
    /// `status` on `channel`, and `channelOri` and `socialId` made consistent with them:
    /// `origin` is the origin when `channel` is the hub (otherwise `Channel`), and the social
    /// ID is set exactly when the effective origin is social. A valid event of any documented
    /// status and channel, which a record's lifecycle alone does not give (no record channel
    /// maps to `CHATBOT` or `INSTAGRAM`). `None` for a record without events.
    pub fn event_as(
        &self,
        record: u64,
        event: usize,
        status: &'static str,
        channel: &'static str,
        origin: &'static str,
    ) -> Option<Vec<u8>> {
        let mut bytes = Vec::new();
        self.lifecycle_record(record, &mut bytes);
        let parsed: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let events = lifecycle(&parsed)?;
        let chosen = events.get(event % events.len().max(1))?;
        let mut event_members = members(chosen);
        set(&mut event_members, event::STATUS, text(status));
        set(&mut event_members, event::CHANNEL, text(channel));
        let origin = if channel == HUB_CHANNEL {
            origin
        } else {
            channel
        };
        let channel_ori = if channel == HUB_CHANNEL {
            origin
        } else {
            CHANNEL_ORIGIN_OTHERWISE
        };
        set(&mut event_members, event::CHANNEL_ORI, text(channel_ori));
        let social = if SOCIAL_ORIGINS.contains(&origin) {
            format!("social-{}", chosen.eid)
        } else {
            String::new()
        };
        set(&mut event_members, event::SOCIAL_ID, Value::String(social));
        let mut out = Vec::new();
        render(&event_members, &mut out);
        Some(out)
    }

    /// The first event of record `record` with the defect of `mutant`, and its label (as
    /// event 0 of its stream).
    pub fn event_mutant_of(&self, record: u64, mutant: &EventMutant) -> Option<(Vec<u8>, Label)> {
        let mut bytes = Vec::new();
        self.lifecycle_record(record, &mut bytes);
        let parsed: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let first = lifecycle(&parsed)?.into_iter().next()?;
        let mut event_members = members(&first);
        (mutant.apply)(&mut event_members);
        let mut out = Vec::new();
        render(&event_members, &mut out);
        let label = Label {
            record: 0,
            pointer: format!("/{}", mutant.member),
            code: self.event_code(mutant.code).as_str().to_owned(),
            severity: self.severity(mutant.code.as_str()),
        };
        Some((out, label))
    }

    /// The rule the validator reports for a defect of `code` with the options' profile: the
    /// strict profile requires every member, so a `null` one is `required` there.
    fn event_code(&self, code: Code) -> Code {
        match (self.options.profile, code) {
            (Profile::Strict, Code::NullValue) => Code::Required,
            _ => code,
        }
    }

    /// The mutant of event `index`, if the options make it one.
    fn event_mutant(&self, index: u64) -> Option<&'static EventMutant> {
        let mut rand = Rand::new(self.options.seed, index, DOMAIN_EVENT_MUTATION);
        let mutant = match self.options.invalid {
            InvalidRate::Never => false,
            InvalidRate::Always => true,
            InvalidRate::PerMillion(ppm) => rand.ppm(ppm),
        };
        mutant.then(|| &EVENT_CATALOGUE[rand.index(EVENT_CATALOGUE.len())])
    }

    /// Writes events `0..count` (the lifecycle events of records 0, 1, ...) as NDJSON, or as
    /// one JSON array when `array`, calling `on_label` for every mutant in order.
    pub fn write_events_with<W: Write>(
        &self,
        count: u64,
        mut writer: W,
        array: bool,
        mut on_label: impl FnMut(Label),
    ) -> io::Result<()> {
        let mut buffer = Vec::with_capacity(1 << 16);
        let mut record = Vec::with_capacity(4096);
        let mut written = 0u64;
        let mut record_index = 0u64;
        if array {
            buffer.push(b'[');
        }
        while written < count {
            record.clear();
            self.lifecycle_record(record_index, &mut record);
            record_index += 1;
            let parsed: Value = serde_json::from_slice(&record).unwrap_or(Value::Null);
            for event in lifecycle(&parsed).unwrap_or_default() {
                if written == count {
                    break;
                }
                let mut event_members = members(&event);
                if let Some(mutant) = self.event_mutant(written) {
                    (mutant.apply)(&mut event_members);
                    on_label(Label {
                        record: written,
                        pointer: format!("/{}", mutant.member),
                        code: self.event_code(mutant.code).as_str().to_owned(),
                        severity: self.severity(mutant.code.as_str()),
                    });
                }
                if array {
                    buffer.extend_from_slice(if written == 0 { b"\n" } else { b",\n" });
                }
                render(&event_members, &mut buffer);
                if !array {
                    buffer.push(b'\n');
                }
                written += 1;
                if buffer.len() >= 1 << 16 {
                    writer.write_all(&buffer)?;
                    buffer.clear();
                }
            }
        }
        if array {
            buffer.extend_from_slice(b"\n]\n");
        }
        writer.write_all(&buffer)?;
        writer.flush()
    }
}
