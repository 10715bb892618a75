//! The lifecycle events of an enquiry: what the webhook would have pushed for a record.
//!
//! Pure functions from a record (as a JSON value) to its events, following the consistency
//! rules between the record and the event contracts:
//!
//! * events are ordered by `date` and start with `Opened` at `createdAt`;
//! * `missed` ends with `Missed` (at `missedAt`), `closed` with `Closed` (at `closedAt`);
//! * `Handling` stands for `ongoing`/`followed-up`: it is sent when someone picks the enquiry up
//!   (`pickedUpAt`) and when a closed enquiry was reopened (`reopenedAt`); a `followed-up`
//!   enquiry was missed first, so it has `Opened`, `Missed`, `Handling`; an `ongoing` enquiry
//!   nobody picked up yet has only `Opened`;
//! * `eid` is the record's `_id`, `displayCaseNumber` the record's, `serviceId` its `svcID`;
//! * the record channel maps to the event channel (`FACEBOOK`, `WHATSAPP`, `WECHAT`, `LINE`,
//!   `WOZTELL` to themselves, `Email` to `EMAIL`, `ThirdParty` to `THIRDPARTY`, `Weblink` and
//!   `VirtualNumber` to `CINNOX`; a tenant's own channel to `THIRDPARTY`);
//! * `channelOri` is `CINNOX` when the channel is `CINNOX` and `Channel` otherwise; `socialId`
//!   is the visitor's ID for the social origins (`FACEBOOK`, `LINE`, `WHATSAPP`, `WOZTELL`) and
//!   empty otherwise;
//! * `destination` is `destinationID`, `destinationTypes` is `destinationType`.
//!
//! Nothing here reads a clock or draws a random number: the same record gives the same events.

use enquiry_schema::contracts::{
    CHANNEL_MAPPING, CHANNEL_ORIGIN_OTHERWISE, CLOSED, EVENT_TYPES, HANDLING, HUB_CHANNEL, MISSED,
    OPENED, OTHER_CHANNEL, SOCIAL_ORIGINS,
};
use enquiry_schema::names::event;
use enquiry_schema::names::record::{self as member, status as record_status};
use serde::de::Error as _;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// One webhook event, with the members in the order they are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleEvent {
    /// `Opened`, `Handling`, `Closed` or `Missed`.
    pub status: String,
    /// The tenant's service account (the record's `svcID`).
    pub service_id: String,
    /// The record's case number.
    pub display_case_number: String,
    /// The record's `_id`.
    pub eid: String,
    /// Always `inquiry`.
    pub kind: String,
    /// The event channel (see the module documentation for the mapping).
    pub channel: String,
    /// `CINNOX` for the `CINNOX` channel, `Channel` otherwise.
    pub channel_origin: String,
    /// The visitor's social ID for social origins, otherwise empty.
    pub social_id: String,
    /// When it happened (the record's timestamp, as written there).
    pub date: String,
    /// The service group, chatbot or IVR the enquiry went to (`destinationID`).
    pub destination: String,
    /// The kind of destination (`destinationType`).
    pub destination_types: String,
}

impl LifecycleEvent {
    /// The members with their event keys (the contract's names), in the order they are sent.
    fn members(&self) -> [(&'static str, &String); 11] {
        [
            (event::STATUS, &self.status),
            (event::SERVICE_ID, &self.service_id),
            (event::DISPLAY_CASE_NUMBER, &self.display_case_number),
            (event::EID, &self.eid),
            (event::EVENT_TYPE, &self.kind),
            (event::CHANNEL, &self.channel),
            (event::CHANNEL_ORI, &self.channel_origin),
            (event::SOCIAL_ID, &self.social_id),
            (event::DATE, &self.date),
            (event::DESTINATION, &self.destination),
            (event::DESTINATION_TYPES, &self.destination_types),
        ]
    }
}

impl Serialize for LifecycleEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let members = self.members();
        let mut state = serializer.serialize_struct("LifecycleEvent", members.len())?;
        for (key, value) in members {
            state.serialize_field(key, value)?;
        }
        state.end()
    }
}

impl<'de> Deserialize<'de> for LifecycleEvent {
    /// Every member is a required string; other members are ignored.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut members = Map::<String, Value>::deserialize(deserializer)?;
        let mut take = |key: &'static str| match members.remove(key) {
            Some(Value::String(text)) => Ok(text),
            Some(_) => Err(D::Error::custom(format_args!("`{key}` is not a string"))),
            None => Err(D::Error::missing_field(key)),
        };
        Ok(LifecycleEvent {
            status: take(event::STATUS)?,
            service_id: take(event::SERVICE_ID)?,
            display_case_number: take(event::DISPLAY_CASE_NUMBER)?,
            eid: take(event::EID)?,
            kind: take(event::EVENT_TYPE)?,
            channel: take(event::CHANNEL)?,
            channel_origin: take(event::CHANNEL_ORI)?,
            social_id: take(event::SOCIAL_ID)?,
            date: take(event::DATE)?,
            destination: take(event::DESTINATION)?,
            destination_types: take(event::DESTINATION_TYPES)?,
        })
    }
}

/// The event channel of a record channel (`Email` -> `EMAIL`); a channel outside the
/// documented list (a tenant's own) is `THIRDPARTY`.
pub fn event_channel(record_channel: &str) -> &'static str {
    CHANNEL_MAPPING
        .iter()
        .find(|(from, _)| *from == record_channel)
        .map_or(OTHER_CHANNEL, |(_, to)| *to)
}

/// The event status a record's status ends its lifecycle with, when it ends in one
/// (`closed` -> `Closed`, `missed` -> `Missed`, `ongoing`/`followed-up` -> `Handling`).
pub fn final_status(record_status: &str) -> Option<&'static str> {
    match record_status {
        record_status::CLOSED => Some(CLOSED),
        record_status::MISSED => Some(MISSED),
        record_status::ONGOING | record_status::FOLLOWED_UP => Some(HANDLING),
        _ => None,
    }
}

/// The lifecycle events of `record`, ordered by date; `None` when the record lacks what an
/// event needs (`_id`, `createdAt`, `status`, `displayCaseNumber` as strings), as a mutant can.
pub fn lifecycle(record: &Value) -> Option<Vec<LifecycleEvent>> {
    let text = |member: &str| record.get(member).and_then(Value::as_str);
    let status = text(member::STATUS)?;
    let created = text(member::CREATED_AT)?;
    let mut steps: Vec<(&'static str, &str)> = vec![(OPENED, created)];
    let mut push = |event: &'static str, member: &str| {
        if let Some(at) = text(member) {
            steps.push((event, at));
        }
    };
    match status {
        record_status::MISSED => push(MISSED, member::MISSED_AT),
        record_status::FOLLOWED_UP => {
            push(MISSED, member::MISSED_AT);
            push(HANDLING, member::PICKED_UP_AT);
        }
        record_status::CLOSED => {
            push(HANDLING, member::PICKED_UP_AT);
            push(HANDLING, member::REOPENED_AT);
            push(CLOSED, member::CLOSED_AT);
        }
        _ => push(HANDLING, member::PICKED_UP_AT),
    }
    // Canonical timestamps sort as text; a stable sort keeps the lifecycle order on ties.
    steps.sort_by(|a, b| a.1.cmp(b.1));
    let channel = event_channel(text(member::CHANNEL).unwrap_or(""));
    let template = LifecycleEvent {
        status: String::new(),
        service_id: text(member::SVC_ID).unwrap_or("").to_owned(),
        display_case_number: text(member::DISPLAY_CASE_NUMBER)?.to_owned(),
        eid: text(member::ID)?.to_owned(),
        kind: EVENT_TYPES[0].to_owned(),
        channel: channel.to_owned(),
        channel_origin: if channel == HUB_CHANNEL {
            HUB_CHANNEL
        } else {
            CHANNEL_ORIGIN_OTHERWISE
        }
        .to_owned(),
        social_id: if SOCIAL_ORIGINS.contains(&channel) {
            text(member::VISITOR).unwrap_or("").to_owned()
        } else {
            String::new()
        },
        date: String::new(),
        destination: text(member::DESTINATION_ID).unwrap_or("").to_owned(),
        destination_types: text(member::DESTINATION_TYPE).unwrap_or("").to_owned(),
    };
    Some(
        steps
            .into_iter()
            .map(|(event, at)| LifecycleEvent {
                status: event.to_owned(),
                date: at.to_owned(),
                ..template.clone()
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Generator, Options};

    #[test]
    fn every_generated_record_has_a_consistent_lifecycle() {
        let generator = Generator::new(Options {
            seed: 11,
            ..Options::default()
        })
        .unwrap();
        for index in 0..400 {
            let mut bytes = Vec::new();
            generator.valid_record(index, &mut bytes);
            let record: Value = serde_json::from_slice(&bytes).unwrap();
            let events = lifecycle(&record).unwrap();
            assert_eq!(events[0].status, "Opened");
            assert_eq!(events[0].date, record["createdAt"]);
            assert!(events.windows(2).all(|pair| pair[0].date <= pair[1].date));
            let last = &events[events.len() - 1];
            match record["status"].as_str().unwrap() {
                "closed" => assert_eq!(last.status, "Closed"),
                "missed" => assert_eq!(last.status, "Missed"),
                "followed-up" => assert_eq!(last.status, "Handling"),
                _ => assert!(matches!(last.status.as_str(), "Opened" | "Handling")),
            }
            for event in &events {
                assert_eq!(event.eid, record["_id"]);
                assert_eq!(event.display_case_number, record["displayCaseNumber"]);
                assert_eq!(event.kind, "inquiry");
                assert!(!event.service_id.is_empty());
                let social = SOCIAL_ORIGINS.contains(&event.channel.as_str());
                assert_eq!(event.social_id.is_empty(), !social);
                assert_eq!(event.channel_origin == "CINNOX", event.channel == "CINNOX");
            }
        }
    }

    #[test]
    fn channels_map_as_documented() {
        assert_eq!(event_channel("Email"), "EMAIL");
        assert_eq!(event_channel("Weblink"), "CINNOX");
        assert_eq!(event_channel("VirtualNumber"), "CINNOX");
        assert_eq!(event_channel("ThirdParty"), "THIRDPARTY");
        assert_eq!(event_channel("LINE"), "LINE");
        assert_eq!(event_channel("TELEGRAM"), "THIRDPARTY");
        assert_eq!(final_status("followed-up"), Some("Handling"));
        assert_eq!(final_status("Closed"), None);
    }

    #[test]
    fn records_without_identity_have_no_events() {
        let record =
            serde_json::json!({"status": "closed", "createdAt": "2025-01-01T00:00:00.000Z"});
        assert_eq!(lifecycle(&record), None);
    }
}
