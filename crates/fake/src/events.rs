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
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One webhook event, with the members in the order they are sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifecycleEvent {
    /// `Opened`, `Handling`, `Closed` or `Missed`.
    pub status: String,
    /// The tenant's service account (the record's `svcID`).
    #[serde(rename = "serviceId")]
    pub service_id: String,
    /// The record's case number.
    #[serde(rename = "displayCaseNumber")]
    pub display_case_number: String,
    /// The record's `_id`.
    pub eid: String,
    /// Always `inquiry`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The event channel (see the module documentation for the mapping).
    pub channel: String,
    /// `CINNOX` for the `CINNOX` channel, `Channel` otherwise.
    #[serde(rename = "channelOri")]
    pub channel_origin: String,
    /// The visitor's social ID for social origins, otherwise empty.
    #[serde(rename = "socialId")]
    pub social_id: String,
    /// When it happened (the record's timestamp, as written there).
    pub date: String,
    /// The service group, chatbot or IVR the enquiry went to (`destinationID`).
    pub destination: String,
    /// The kind of destination (`destinationType`).
    #[serde(rename = "destinationTypes")]
    pub destination_types: String,
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
        "closed" => Some(CLOSED),
        "missed" => Some(MISSED),
        "ongoing" | "followed-up" => Some(HANDLING),
        _ => None,
    }
}

/// The lifecycle events of `record`, ordered by date; `None` when the record lacks what an
/// event needs (`_id`, `createdAt`, `status`, `displayCaseNumber` as strings), as a mutant can.
pub fn lifecycle(record: &Value) -> Option<Vec<LifecycleEvent>> {
    let text = |member: &str| record.get(member).and_then(Value::as_str);
    let status = text("status")?;
    let created = text("createdAt")?;
    let mut steps: Vec<(&'static str, &str)> = vec![(OPENED, created)];
    let mut push = |event: &'static str, member: &str| {
        if let Some(at) = text(member) {
            steps.push((event, at));
        }
    };
    match status {
        "missed" => push(MISSED, "missedAt"),
        "followed-up" => {
            push(MISSED, "missedAt");
            push(HANDLING, "pickedUpAt");
        }
        "closed" => {
            push(HANDLING, "pickedUpAt");
            push(HANDLING, "reopenedAt");
            push(CLOSED, "closedAt");
        }
        _ => push(HANDLING, "pickedUpAt"),
    }
    // Canonical timestamps sort as text; a stable sort keeps the lifecycle order on ties.
    steps.sort_by(|a, b| a.1.cmp(b.1));
    let channel = event_channel(text("channel").unwrap_or(""));
    let template = LifecycleEvent {
        status: String::new(),
        service_id: text("svcID").unwrap_or("").to_owned(),
        display_case_number: text("displayCaseNumber")?.to_owned(),
        eid: text("_id")?.to_owned(),
        kind: EVENT_TYPES[0].to_owned(),
        channel: channel.to_owned(),
        channel_origin: if channel == HUB_CHANNEL {
            HUB_CHANNEL
        } else {
            CHANNEL_ORIGIN_OTHERWISE
        }
        .to_owned(),
        social_id: if SOCIAL_ORIGINS.contains(&channel) {
            text("visitor").unwrap_or("").to_owned()
        } else {
            String::new()
        },
        date: String::new(),
        destination: text("destinationID").unwrap_or("").to_owned(),
        destination_types: text("destinationType").unwrap_or("").to_owned(),
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
