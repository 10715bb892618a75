//! The typed, lossless enquiry model.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};

use crate::fields::{self, FieldKind, FieldRule};

/// A member that is documented as optional: `None` when absent, `Some(Nullable::Null)` when the
/// payload says `null`, `Some(Nullable::Value(v))` otherwise.
///
/// Absent and `null` are different on the wire and the model keeps them apart, so that a
/// payload survives a round trip unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Nullable<T> {
    /// The member is present with the JSON value `null`.
    Null,
    /// The member is present with a value.
    Value(T),
}

impl<T> Nullable<T> {
    /// The value, if it is not `null`.
    pub fn as_value(&self) -> Option<&T> {
        match self {
            Nullable::Null => None,
            Nullable::Value(value) => Some(value),
        }
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Null => serializer.serialize_none(),
            Nullable::Value(value) => value.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            None => Nullable::Null,
            Some(value) => Nullable::Value(value),
        })
    }
}

impl<T: JsonSchema> JsonSchema for Nullable<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Nullable_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        Option::<T>::json_schema(generator)
    }

    fn inline_schema() -> bool {
        true
    }
}

/// `deserialize_with` for `Option<Nullable<T>>` members: a present member is `Some`, even when
/// it is `null` (serde's own `Option` handling would turn `null` into "absent").
fn present<'de, D, T>(deserializer: D) -> Result<Option<Nullable<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Nullable::deserialize(deserializer).map(Some)
}

/// An RFC 3339 timestamp, kept as the exact text of the payload.
///
/// The model does not normalise timestamps (`+00:00` and `Z` are the same instant but not the
/// same JSON value); [`Timestamp::parse`] gives the instant when a caller needs it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Timestamp(pub String);

impl Timestamp {
    /// The text as it appeared in the payload.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The instant, if the text is an RFC 3339 date-time with a zone and a real calendar date,
    /// by the validator's own parser ([`crate::rfc3339`]): the model accepts exactly the
    /// timestamps the validator accepts. A leap second is read as the last millisecond of its
    /// minute.
    pub fn parse(&self) -> Result<chrono::DateTime<chrono::FixedOffset>, InvalidTimestamp> {
        let instant = self.instant().ok_or(InvalidTimestamp)?;
        let offset = chrono::FixedOffset::east_opt(i32::from(instant.offset_minutes) * 60)
            .ok_or(InvalidTimestamp)?;
        chrono::DateTime::from_timestamp_millis(instant.millis)
            .map(|utc| utc.with_timezone(&offset))
            .ok_or(InvalidTimestamp)
    }

    /// The parsed instant (milliseconds since the epoch, whether canonical, the offset).
    pub fn instant(&self) -> Option<crate::rfc3339::Instant> {
        crate::rfc3339::parse_timestamp(self.0.as_bytes(), &mut None)
    }
}

/// The text of a [`Timestamp`] is not an RFC 3339 date-time with a zone and a real calendar
/// date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidTimestamp;

impl fmt::Display for InvalidTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an RFC 3339 date-time with a zone and a real calendar date")
    }
}

impl std::error::Error for InvalidTimestamp {}

impl From<&str> for Timestamp {
    fn from(text: &str) -> Self {
        Timestamp(text.to_owned())
    }
}

/// `huntedStaffTargetHistory`: documented as a String but described as a list. The model takes
/// both shapes so that live data does not break; the validator flags the list shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum StaffTargetHistory {
    /// The documented shape: one string.
    Text(String),
    /// The undocumented shape seen in the wild: a list of staff IDs.
    List(Vec<String>),
}

/// Declares a string enum with its documented spellings and an `Unknown` variant that keeps any
/// other spelling, so that a vendor adding a value does not break consumers. A spelling is any
/// constant expression, so that a contract table's constants can be used instead of literals.
macro_rules! documented_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $text:expr, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
            /// A spelling the documentation does not list, kept as it was.
            Unknown(String),
        }

        impl $name {
            /// The documented spellings, in the documentation's order.
            pub const DOCUMENTED: &'static [&'static str] = &[$($text),+];

            /// The spelling on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Unknown(text) => text,
                }
            }

            /// The variant for a spelling; any undocumented spelling becomes `Unknown`.
            pub fn from_wire(text: &str) -> Self {
                // A spelling may be a table's constant, which a macro cannot turn into a pattern.
                $( if text == $text { return $name::$variant; } )+
                $name::Unknown(text.to_owned())
            }

            /// Whether this is one of the documented spellings.
            pub fn is_documented(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok($name::from_wire(&text))
            }
        }

        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({ "type": "string", "enum": $name::DOCUMENTED })
            }

            fn inline_schema() -> bool {
                true
            }
        }
    };
}

pub(crate) use documented_enum;

documented_enum! {
    /// `status`: the state of the enquiry.
    Status {
        /// `ongoing`
        Ongoing = "ongoing",
        /// `followed-up`
        FollowedUp = "followed-up",
        /// `missed`
        Missed = "missed",
        /// `closed`
        Closed = "closed",
    }
}

documented_enum! {
    /// `initChannel`: how the enquiry started.
    InitChannel {
        /// `IM`: instant message.
        Im = "IM",
        /// `CALL`: a call.
        Call = "CALL",
    }
}

documented_enum! {
    /// `omniType`: the omni-channel type; the only documented value is `CINNOX`.
    OmniType {
        /// `CINNOX`
        Cinnox = "CINNOX",
    }
}

documented_enum! {
    /// `channel`: the type of channel. Tenants can have more channels than documented
    /// (the Get Channel Type List API); the validator takes such a list.
    Channel {
        /// `Weblink`
        Weblink = "Weblink",
        /// `VirtualNumber`
        VirtualNumber = "VirtualNumber",
        /// `Email`
        Email = "Email",
        /// `ThirdParty`
        ThirdParty = "ThirdParty",
        /// `FACEBOOK`
        Facebook = "FACEBOOK",
        /// `WHATSAPP`
        Whatsapp = "WHATSAPP",
        /// `WECHAT`
        Wechat = "WECHAT",
        /// `LINE`
        Line = "LINE",
        /// `WOZTELL`
        Woztell = "WOZTELL",
    }
}

documented_enum! {
    /// `destinationType`: the type of the destination.
    DestinationType {
        /// `PHONE`: PSTN.
        Phone = "PHONE",
        /// `STAFF`: the staff directory.
        Staff = "STAFF",
        /// `TRUNK`: a SIP trunk.
        Trunk = "TRUNK",
        /// `CHATBOT`: a chatbot.
        Chatbot = "CHATBOT",
    }
}

documented_enum! {
    /// `destinationEndPoint`: the end point assigned to handle the enquiry.
    DestinationEndPoint {
        /// `STAFF`
        Staff = "STAFF",
        /// `CHATBOT`
        Chatbot = "CHATBOT",
        /// `IVR`
        Ivr = "IVR",
    }
}

/// `locationDetail`: where the visitor is.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct LocationDetail {
    /// `locationDetail.regionCode`
    #[serde(
        rename = "regionCode",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub region_code: Option<Nullable<String>>,
    /// `locationDetail.subdivision`
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub subdivision: Option<Nullable<String>>,
    /// `locationDetail.city` (the seed's row with no name).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub city: Option<Nullable<String>>,
    /// `locationDetail.province` (the seed's `locationDetailprovince`).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub province: Option<Nullable<String>>,
    /// Members the documentation does not list, kept as they were.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// One CINNOX enquiry record. See the crate documentation for the lossless guarantee.
///
/// Member names on the wire are exactly the documented ones; the Rust names say what a member
/// is where the wire name is ambiguous (`_id` is [`Enquiry::id`], the channel's `id` is
/// [`Enquiry::channel_id`], `type` is [`Enquiry::channel_type`], `name` is
/// [`Enquiry::third_party_display_name`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(remote = "Self")]
#[schemars(rename = "Enquiry")]
pub struct Enquiry {
    /// `_id`
    #[serde(rename = "_id")]
    pub id: String,
    /// `uniqueKey`
    #[serde(
        rename = "uniqueKey",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub unique_key: Option<Nullable<String>>,
    /// `createdAt`
    #[serde(rename = "createdAt")]
    pub created_at: Timestamp,
    /// `svcID`
    #[serde(
        rename = "svcID",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub svc_id: Option<Nullable<String>>,
    /// `inquiry`
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub inquiry: Option<Nullable<String>>,
    /// `tag`
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub tag: Option<Nullable<String>>,
    /// `visitor`
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub visitor: Option<Nullable<String>>,
    /// `roomID`
    #[serde(
        rename = "roomID",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub room_id: Option<Nullable<String>>,
    /// `initChannel`
    #[serde(
        rename = "initChannel",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub init_channel: Option<Nullable<InitChannel>>,
    /// `omniType`
    #[serde(
        rename = "omniType",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub omni_type: Option<Nullable<OmniType>>,
    /// `ip` (personal data)
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub ip: Option<Nullable<String>>,
    /// `language`
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub language: Option<Nullable<String>>,
    /// `location`
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub location: Option<Nullable<String>>,
    /// `locationDetail`
    #[serde(
        rename = "locationDetail",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub location_detail: Option<Nullable<LocationDetail>>,
    /// `platform`
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub platform: Option<Nullable<String>>,
    /// `status`
    pub status: Status,
    /// `displayCaseNumber`
    #[serde(
        rename = "displayCaseNumber",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub display_case_number: Option<Nullable<String>>,
    /// `channel`
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub channel: Option<Nullable<Channel>>,
    /// `destinationID`
    #[serde(
        rename = "destinationID",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_id: Option<Nullable<String>>,
    /// `destinationName`
    #[serde(
        rename = "destinationName",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_name: Option<Nullable<String>>,
    /// `destinationType`
    #[serde(
        rename = "destinationType",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_type: Option<Nullable<DestinationType>>,
    /// `destinationEndPoint`
    #[serde(
        rename = "destinationEndPoint",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_end_point: Option<Nullable<DestinationEndPoint>>,
    /// `handledType`
    #[serde(
        rename = "handledType",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub handled_type: Option<Nullable<String>>,
    /// `handledTarget` (personal data: may be a phone number)
    #[serde(
        rename = "handledTarget",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub handled_target: Option<Nullable<String>>,
    /// `handledPartyName` (personal data)
    #[serde(
        rename = "handledPartyName",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub handled_party_name: Option<Nullable<String>>,
    /// `huntedStaffTargetHistory`
    #[serde(
        rename = "huntedStaffTargetHistory",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub hunted_staff_target_history: Option<Nullable<StaffTargetHistory>>,
    /// `type`: the channel sub-type.
    #[serde(
        rename = "type",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub channel_type: Option<Nullable<String>>,
    /// `id`: the channel ID.
    #[serde(
        rename = "id",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub channel_id: Option<Nullable<String>>,
    /// `maaiiDisplayName`: the channel display name.
    #[serde(
        rename = "maaiiDisplayName",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub maaii_display_name: Option<Nullable<String>>,
    /// `name`: the third-party display name (personal data).
    #[serde(
        rename = "name",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub third_party_display_name: Option<Nullable<String>>,
    /// `inquiryType`
    #[serde(
        rename = "inquiryType",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub inquiry_type: Option<Nullable<String>>,
    /// `updatedAt`
    #[serde(
        rename = "updatedAt",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_at: Option<Nullable<Timestamp>>,
    /// `closedAt`
    #[serde(
        rename = "closedAt",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub closed_at: Option<Nullable<Timestamp>>,
    /// `inquiryGroup`
    #[serde(
        rename = "inquiryGroup",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub inquiry_group: Option<Nullable<String>>,
    /// `transferredParty`: objects whose members the documentation does not list.
    #[serde(
        rename = "transferredParty",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub transferred_party: Option<Nullable<Vec<Map<String, Value>>>>,
    /// `pickedUpAt`
    #[serde(
        rename = "pickedUpAt",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub picked_up_at: Option<Nullable<Timestamp>>,
    /// `missedAt`
    #[serde(
        rename = "missedAt",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub missed_at: Option<Nullable<Timestamp>>,
    /// `reopenedAt`
    #[serde(
        rename = "reopenedAt",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub reopened_at: Option<Nullable<Timestamp>>,
    /// `handledPartyDepartmentID`
    #[serde(
        rename = "handledPartyDepartmentID",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub handled_party_department_id: Option<Nullable<String>>,
    /// `attachment`
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub attachment: Option<Nullable<bool>>,
    /// `staffFirstName` (personal data)
    #[serde(
        rename = "staffFirstName",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub staff_first_name: Option<Nullable<String>>,
    /// `staffLastName` (personal data)
    #[serde(
        rename = "staffLastName",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub staff_last_name: Option<Nullable<String>>,
    /// `visitorFirstName` (personal data)
    #[serde(
        rename = "visitorFirstName",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub visitor_first_name: Option<Nullable<String>>,
    /// `visitorLastName` (personal data)
    #[serde(
        rename = "visitorLastName",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub visitor_last_name: Option<Nullable<String>>,
    /// `inquiryDeepLink` (personal data: it identifies a conversation)
    #[serde(
        rename = "inquiryDeepLink",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub inquiry_deep_link: Option<Nullable<String>>,
    /// `duration` in milliseconds, kept as the exact JSON number.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub duration: Option<Nullable<Number>>,
    /// `closeDuration` in milliseconds, kept as the exact JSON number.
    #[serde(
        rename = "closeDuration",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub close_duration: Option<Nullable<Number>>,
    /// `labelIDs`: `null` when no label was applied.
    #[serde(
        rename = "labelIDs",
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub label_ids: Option<Nullable<Vec<String>>>,
    /// Members the documentation does not list, kept as they were.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl Serialize for Enquiry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Enquiry::serialize(self, serializer)
    }
}

impl<'de> Deserialize<'de> for Enquiry {
    /// Checks every documented member's JSON type against [`fields::FIELDS`] first, so that a
    /// wrongly typed member is refused with an error naming it, then deserialises.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let members = Map::<String, Value>::deserialize(deserializer)?;
        check_member_types(&members, fields::FIELDS, "").map_err(D::Error::custom)?;
        Enquiry::deserialize(Value::Object(members)).map_err(D::Error::custom)
    }
}

/// The deepest nesting of arrays and objects a record may have, the record object included:
/// the validator's limit too, so the model reads every record the validator checks.
pub const MAX_DEPTH: usize = 128;

impl Enquiry {
    /// The record from JSON text: every record the validator can check (well typed) is read,
    /// numbers of any size kept as written (`1e400`, a 100,000-digit integer), nesting up to
    /// [`MAX_DEPTH`] levels. `serde_json::from_slice::<Enquiry>` works too, but stops at
    /// serde_json's own nesting limit (127 levels).
    pub fn from_slice(bytes: &[u8]) -> Result<Enquiry, ModelError> {
        Enquiry::from_value(read_value(bytes)?)
    }

    /// The record from a JSON value, or the first member that is missing or wrongly typed.
    pub fn from_value(value: Value) -> Result<Enquiry, ModelError> {
        let Value::Object(members) = value else {
            return Err(ModelError::not_an_object(&value));
        };
        check_member_types(&members, fields::FIELDS, "")?;
        Enquiry::deserialize(Value::Object(members)).map_err(|err| ModelError {
            field: String::new(),
            message: err.to_string(),
        })
    }
}

/// One JSON value from text: numbers of any size kept as written, nesting up to [`MAX_DEPTH`]
/// levels, deeper text refused before parsing.
pub(crate) fn read_value(bytes: &[u8]) -> Result<Value, ModelError> {
    if crate::scan::nesting_exceeds(bytes, MAX_DEPTH as u64) {
        return Err(ModelError::new(
            "",
            format!("arrays and objects nest deeper than {MAX_DEPTH} levels"),
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    // Depth is bounded above, so the parser's own recursion limit can go.
    deserializer.disable_recursion_limit();
    Value::deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|err| ModelError::new("", err.to_string()))
}

/// Why a JSON value is not a well-typed enquiry (or webhook payload): the member it concerns
/// and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError {
    field: String,
    message: String,
}

impl ModelError {
    /// The documented member name (`createdAt`, `locationDetail.city`); empty for the record.
    pub fn field(&self) -> &str {
        &self.field
    }

    pub(crate) fn new(field: &str, message: String) -> ModelError {
        ModelError {
            field: field.to_owned(),
            message,
        }
    }

    pub(crate) fn not_an_object(value: &Value) -> ModelError {
        ModelError {
            field: String::new(),
            message: format!("expected an object, found {}", json_type_name(value)),
        }
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "member `{}`: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for ModelError {}

/// The JSON type name of a value, as used in messages ("a string", "null").
pub(crate) fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks every member of `rules` in `members`: required ones present and not `null`, present
/// ones of their documented JSON type, nested objects at any depth.
pub(crate) fn check_member_types(
    members: &Map<String, Value>,
    rules: &'static [FieldRule],
    prefix: &str,
) -> Result<(), ModelError> {
    for rule in rules {
        let key = rule.key();
        match members.get(key) {
            None if rule.required => {
                return Err(ModelError {
                    field: format!("{prefix}{key}"),
                    message: "required member is missing".to_owned(),
                })
            }
            None => {}
            Some(Value::Null) if rule.required => {
                return Err(ModelError {
                    field: format!("{prefix}{key}"),
                    message: format!("expected {}, found null", rule.kind.json_type().describe()),
                })
            }
            Some(Value::Null) => {}
            Some(value) => {
                if !rule.kind.json_type().admits(value) {
                    return Err(ModelError {
                        field: format!("{prefix}{key}"),
                        message: format!(
                            "expected {}, found {}",
                            rule.kind.json_type().describe(),
                            json_type_name(value)
                        ),
                    });
                }
                if let (FieldKind::Object(children), Value::Object(inner)) = (&rule.kind, value) {
                    check_member_types(inner, children, &format!("{prefix}{key}."))?;
                }
            }
        }
    }
    Ok(())
}
