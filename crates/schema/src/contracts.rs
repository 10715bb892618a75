//! Every contract the project knows, as data: the enquiry record, the enquiry webhook event,
//! the webhook's challenge handshake and the Get Label List response.
//!
//! The event is documented by the vendor as a flat object; what the documentation leaves open
//! is resolved here (each resolution is in the member's [`FieldRule::resolution`]). The
//! lifecycle consistency between an enquiry's events and its record is the fake generator's
//! and reconcile's business, not a rule of one event.

pub use crate::contract::RECORD;
use crate::contract::{Contract, CrossRule, Origin};
use crate::fields::{field, nullable, required, resolved, FieldKind, FieldRule};
use crate::rule::Code;

use FieldKind as K;

/// The event status that opens every lifecycle.
pub const OPENED: &str = "Opened";
/// The event status of someone handling the enquiry (record `ongoing` or `followed-up`).
pub const HANDLING: &str = "Handling";
/// The event status that ends a closed enquiry's lifecycle.
pub const CLOSED: &str = "Closed";
/// The event status that ends a missed enquiry's lifecycle.
pub const MISSED: &str = "Missed";

/// The event statuses, exact case.
pub const EVENT_STATUSES: &[&str] = &[OPENED, HANDLING, CLOSED, MISSED];

/// Record channels and the event channel each maps to (a tenant's own channel maps to
/// [`OTHER_CHANNEL`]).
pub const CHANNEL_MAPPING: &[(&str, &str)] = &[
    ("FACEBOOK", "FACEBOOK"),
    ("WHATSAPP", "WHATSAPP"),
    ("WECHAT", "WECHAT"),
    ("LINE", "LINE"),
    ("WOZTELL", "WOZTELL"),
    ("Email", "EMAIL"),
    ("ThirdParty", "THIRDPARTY"),
    ("Weblink", "CINNOX"),
    ("VirtualNumber", "CINNOX"),
];

/// The event channel of a record channel outside the documented list.
pub const OTHER_CHANNEL: &str = "THIRDPARTY";

/// The event's channel spellings, as written once here for the table and every other user.
pub mod event_channel {
    /// `CINNOX`: the hub; the real origin is in `channelOri`.
    pub const CINNOX: &str = "CINNOX";
    /// `FACEBOOK`.
    pub const FACEBOOK: &str = "FACEBOOK";
    /// `LINE`.
    pub const LINE: &str = "LINE";
    /// `WECHAT`.
    pub const WECHAT: &str = "WECHAT";
    /// `WHATSAPP`.
    pub const WHATSAPP: &str = "WHATSAPP";
    /// `THIRDPARTY`.
    pub const THIRDPARTY: &str = "THIRDPARTY";
    /// `CHATBOT`.
    pub const CHATBOT: &str = "CHATBOT";
    /// `EMAIL`.
    pub const EMAIL: &str = "EMAIL";
    /// `WOZTELL`.
    pub const WOZTELL: &str = "WOZTELL";
    /// `INSTAGRAM`.
    pub const INSTAGRAM: &str = "INSTAGRAM";
}

/// The event channels, exact case.
pub const EVENT_CHANNELS: &[&str] = &[
    event_channel::CINNOX,
    event_channel::FACEBOOK,
    event_channel::LINE,
    event_channel::WECHAT,
    event_channel::WHATSAPP,
    event_channel::THIRDPARTY,
    event_channel::CHATBOT,
    event_channel::EMAIL,
    event_channel::WOZTELL,
    event_channel::INSTAGRAM,
];

/// The event channel whose real origin is in `channelOri`.
pub const HUB_CHANNEL: &str = event_channel::CINNOX;

/// `channelOri` of an event whose channel is not [`HUB_CHANNEL`].
pub const CHANNEL_ORIGIN_OTHERWISE: &str = "Channel";

/// The origins whose events carry a `socialId`.
pub const SOCIAL_ORIGINS: &[&str] = &["FACEBOOK", "LINE", "WHATSAPP", "WOZTELL", "INSTAGRAM"];

/// The `type` of an enquiry event.
pub const INQUIRY: &str = "inquiry";

/// The only `type` of an enquiry event.
pub const EVENT_TYPES: &[&str] = &[INQUIRY];

/// The recognised spellings of `destinationTypes`, as written once here for the table and
/// every other user.
pub mod destination_type {
    /// `PHONE`: PSTN.
    pub const PHONE: &str = "PHONE";
    /// `STAFF`: the staff directory.
    pub const STAFF: &str = "STAFF";
    /// `TRUNK`: a SIP trunk.
    pub const TRUNK: &str = "TRUNK";
    /// `CHATBOT`: a chatbot.
    pub const CHATBOT: &str = "CHATBOT";
    /// `IVR`: an interactive voice response.
    pub const IVR: &str = "IVR";
}

/// The recognised `destinationTypes`.
pub const DESTINATION_TYPES: &[&str] = &[
    destination_type::PHONE,
    destination_type::STAFF,
    destination_type::TRUNK,
    destination_type::CHATBOT,
    destination_type::IVR,
];

/// The event's member names, as written once here for the table and every other user.
pub mod event {
    /// `status`.
    pub const STATUS: &str = "status";
    /// `serviceId`.
    pub const SERVICE_ID: &str = "serviceId";
    /// `displayCaseNumber`.
    pub const DISPLAY_CASE_NUMBER: &str = "displayCaseNumber";
    /// `eid`.
    pub const EID: &str = "eid";
    /// `type`.
    pub const TYPE: &str = "type";
    /// `channel`.
    pub const CHANNEL: &str = "channel";
    /// `channelOri`.
    pub const CHANNEL_ORI: &str = "channelOri";
    /// `socialId`.
    pub const SOCIAL_ID: &str = "socialId";
    /// `date`.
    pub const DATE: &str = "date";
    /// `destination`.
    pub const DESTINATION: &str = "destination";
    /// `destinationTypes`.
    pub const DESTINATION_TYPES_MEMBER: &str = "destinationTypes";
}

/// The members of an enquiry webhook event, in the documentation's order.
#[rustfmt::skip] // A table reads better with one row per member than as rustfmt lays it out.
pub static EVENT_FIELDS: &[FieldRule] = &[
    required(field(event::STATUS, "/status", K::Enum(EVENT_STATUSES),
        "The status of the enquiry: \"Opened\", \"Handling\", \"Closed\" or \"Missed\".")),
    required(field(event::SERVICE_ID, "/serviceId", K::NonEmptyText, "The service account ID.")),
    required(field(event::DISPLAY_CASE_NUMBER, "/displayCaseNumber", K::NonEmptyText,
        "The display enquiry ID in the CINNOX Dashboard.")),
    required(resolved(field(event::EID, "/eid", K::NonEmptyText, "The enquiry ID."),
        "it is the enquiry record's _id.")),
    required(field(event::TYPE, "/type", K::Enum(EVENT_TYPES), "The event type: \"inquiry\".")),
    field(event::CHANNEL, "/channel", K::Enum(EVENT_CHANNELS), "The channel of the enquiry."),
    resolved(field(event::CHANNEL_ORI, "/channelOri", K::Text, "The origin of the channel."),
        "the documented list is cut off: when channel is CINNOX, one of the channels (another value is a warning); otherwise exactly \"Channel\"."),
    resolved(field(event::SOCIAL_ID, "/socialId", K::Text, "The social ID of the visitor."),
        "empty unless the origin is FACEBOOK, LINE, WHATSAPP, WOZTELL or INSTAGRAM."),
    required(field(event::DATE, "/date", K::Timestamp,
        "When the event happened, RFC 3339, e.g. 2022-11-07T00:00:00.000Z.")),
    field(event::DESTINATION, "/destination", K::Text,
        "The service group, chatbot or IVR the enquiry went to."),
    resolved(field(event::DESTINATION_TYPES_MEMBER, "/destinationTypes", K::TextOrTextList(DESTINATION_TYPES),
        "The type of the destination."),
        "documented as a string with a cut-off list: PHONE, STAFF, TRUNK, CHATBOT and IVR are recognised, another value is a warning; an array of strings is a warning."),
];

/// The enquiry webhook event.
pub const EVENT: Contract = Contract {
    name: "event",
    schema_stem: "enquiry-event",
    noun: "enquiry event",
    fields: EVENT_FIELDS,
    cross: &[
        CrossRule::ValueWhen {
            member: event::CHANNEL_ORI,
            when: event::CHANNEL,
            equals: HUB_CHANNEL,
            recognised: EVENT_CHANNELS,
            otherwise: CHANNEL_ORIGIN_OTHERWISE,
            code: Code::ChannelOrigin,
        },
        CrossRule::EmptyUnless {
            member: event::SOCIAL_ID,
            origin: Origin {
                channel: event::CHANNEL,
                hub: HUB_CHANNEL,
                origin: event::CHANNEL_ORI,
            },
            allowed: SOCIAL_ORIGINS,
            code: Code::SocialId,
        },
    ],
    strict_when: &[],
    detect: &[event::EID, event::DATE, event::TYPE],
};

/// The handshake's member names, as written once here for the tables and every other user.
pub mod handshake {
    /// `challenge`: the string to echo (in the request, and in the response's `result`).
    pub const CHALLENGE: &str = "challenge";
    /// `code`: the response's result code.
    pub const CODE: &str = "code";
    /// `result`: the response's echo.
    pub const RESULT: &str = "result";
}

/// The handshake's challenge, POSTed by the platform to a new subscription's URL.
pub static CHALLENGE_REQUEST_FIELDS: &[FieldRule] = &[required(field(
    handshake::CHALLENGE,
    "/challenge",
    K::Text,
    "The string the receiver must echo.",
))];

/// The challenge request.
pub const CHALLENGE_REQUEST: Contract = Contract {
    name: "challenge-request",
    schema_stem: "challenge-request",
    noun: "challenge request",
    fields: CHALLENGE_REQUEST_FIELDS,
    cross: &[],
    strict_when: &[],
    detect: &[handshake::CHALLENGE],
};

/// The members of the challenge response's `result`.
pub static CHALLENGE_RESULT_FIELDS: &[FieldRule] = &[required(field(
    "result.challenge",
    "/result/challenge",
    K::Text,
    "The challenge, echoed.",
))];

/// The receiver's answer to the challenge.
#[rustfmt::skip]
pub static CHALLENGE_RESPONSE_FIELDS: &[FieldRule] = &[
    required(field(handshake::CODE, "/code", K::Exactly(200), "The result code: 200.")),
    required(field(handshake::RESULT, "/result", K::Object(CHALLENGE_RESULT_FIELDS), "The echo.")),
];

/// The challenge response.
pub const CHALLENGE_RESPONSE: Contract = Contract {
    name: "challenge-response",
    schema_stem: "challenge-response",
    noun: "challenge response",
    fields: CHALLENGE_RESPONSE_FIELDS,
    cross: &[],
    strict_when: &[],
    detect: &[handshake::RESULT],
};

/// One label of the Get Label List response.
#[rustfmt::skip]
static LABEL_FIELDS: &[FieldRule] = &[
    required(field("labelList.id", "/labelList/*/id", K::Text,
        "The label ID, as used in an enquiry's `labelIDs`.")),
    nullable(field("labelList.name", "/labelList/*/name", K::Text, "The label's display name.")),
    nullable(field("labelList.colorName", "/labelList/*/colorName", K::Text,
        "The label's colour name.")),
    nullable(field("labelList.createdAt", "/labelList/*/createdAt", K::Timestamp,
        "When the label was created (RFC 3339).")),
    nullable(field("labelList.createdBy", "/labelList/*/createdBy", K::Text,
        "Who created the label.")),
    nullable(field("labelList.updatedAt", "/labelList/*/updatedAt", K::Timestamp,
        "When the label was last updated (RFC 3339).")),
    nullable(field("labelList.updatedBy", "/labelList/*/updatedBy", K::Text,
        "Who last updated the label.")),
];

/// The Get Label List response.
#[rustfmt::skip]
pub static LABEL_LIST_FIELDS: &[FieldRule] = &[
    nullable(field("code", "/code", K::Exactly(0), "The API's result code: 0.")),
    required(field("labelList", "/labelList", K::ArrayOf(&K::Object(LABEL_FIELDS)),
        "The tenant's labels.")),
];

/// The label list.
pub const LABEL_LIST: Contract = Contract {
    name: "label-list",
    schema_stem: "label-list",
    noun: "label list",
    fields: LABEL_LIST_FIELDS,
    cross: &[],
    strict_when: &[],
    detect: &["labelList"],
};

/// The Rust name of a member whose key does not make one (a keyword, a leading underscore) or
/// does not say what the member is: (contract, member's dotted name, Rust name). The generated
/// code (`cargo xtask codegen`) names the model's field and the member's constants with it;
/// every other member's Rust name is its key in snake case.
pub static RUST_FIELD_NAMES: &[(&str, &str, &str)] = &[
    ("record", "_id", "id"),
    ("record", "type", "channel_type"),
    ("record", "id", "channel_id"),
    ("record", "name", "third_party_display_name"),
    ("event", event::TYPE, "event_type"),
];

/// The Rust type of a member whose type is not generated from its kind (a shape of several
/// JSON types, written by hand in the model): (contract, member's dotted name, type).
pub static RUST_TYPE_NAMES: &[(&str, &str, &str)] =
    &[("record", "huntedStaffTargetHistory", "StaffTargetHistory")];

/// Every contract, the record first.
pub static ALL: &[&Contract] = &[
    &RECORD,
    &EVENT,
    &CHALLENGE_REQUEST,
    &CHALLENGE_RESPONSE,
    &LABEL_LIST,
];

/// The contract called `name` (`record`, `event`, ...).
pub fn by_name(name: &str) -> Option<&'static Contract> {
    ALL.iter().copied().find(|contract| contract.name == name)
}
