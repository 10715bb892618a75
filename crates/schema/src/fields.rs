//! The field rules of the contract, as data.
//!
//! [`FIELDS`] lists every member of the documented record in the documentation's order, with
//! what the validator checks, what the JSON Schema says and what `enquiry explain` prints. Add a
//! member here and the model's type check, the schemas and the validator all see it; `cargo
//! xtask codegen` writes the typed model (`generated/record.rs`) and the member's constants
//! (`generated/names.rs`) from it, and `--check` fails until they are regenerated.

use serde_json::Value;

/// What a member holds, beyond its JSON type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Any string.
    Text,
    /// A string that is not empty.
    NonEmptyText,
    /// Exactly this integer (a result code).
    Exactly(u64),
    /// Any string; the listed values are the ones known, any other is worth a warning.
    RecognisedText(&'static [&'static str]),
    /// A string (documented), or a list of strings (seen, undocumented); when values are
    /// listed, they are the ones known, any other string is worth a warning.
    TextOrTextList(&'static [&'static str]),
    /// An RFC 3339 date-time with a zone.
    Timestamp,
    /// One of the documented spellings, exact case.
    Enum(&'static [&'static str]),
    /// One of the documented channels, or of the user's channel list when one is given.
    Channel(&'static [&'static str]),
    /// `true` or `false`.
    Boolean,
    /// An integer number of milliseconds, `>= 0`.
    Millis,
    /// An IPv4 or IPv6 address.
    IpAddress,
    /// An assigned ISO 639-1 code, lower case.
    LanguageCode,
    /// An assigned ISO 3166-1 alpha-2 code, upper case.
    CountryCode,
    /// An absolute `http` or `https` URL.
    HttpUrl,
    /// An array of non-empty, distinct label IDs.
    LabelIds,
    /// An array of objects whose members are not documented.
    ObjectList,
    /// An object with the listed members.
    Object(&'static [FieldRule]),
    /// An array whose every item is of the given kind (an object with documented members, a
    /// string, ...): items are checked as the member itself would be, at `/member/N`.
    ArrayOf(&'static FieldKind),
}

/// The JSON type a member must have (before any finer rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    /// A string.
    String,
    /// `true` or `false`.
    Boolean,
    /// A number.
    Number,
    /// An array whose items are strings.
    ArrayOfStrings,
    /// An array whose items are objects.
    ArrayOfObjects,
    /// An object.
    Object,
    /// A string or an array of strings.
    StringOrArrayOfStrings,
    /// An array (items of any type).
    Array,
}

impl JsonType {
    /// Whether `value` (not `null`) has this type, items included.
    pub fn admits(self, value: &Value) -> bool {
        match (self, value) {
            (JsonType::String | JsonType::StringOrArrayOfStrings, Value::String(_)) => true,
            (JsonType::Boolean, Value::Bool(_)) => true,
            (JsonType::Number, Value::Number(_)) => true,
            (JsonType::ArrayOfStrings | JsonType::StringOrArrayOfStrings, Value::Array(items)) => {
                items.iter().all(Value::is_string)
            }
            (JsonType::ArrayOfObjects, Value::Array(items)) => items.iter().all(Value::is_object),
            (JsonType::Object, Value::Object(_)) => true,
            (JsonType::Array, Value::Array(_)) => true,
            _ => false,
        }
    }

    /// The type as a message says it ("a string", "an array of strings").
    pub fn describe(self) -> &'static str {
        match self {
            JsonType::String => "a string",
            JsonType::Boolean => "a boolean",
            JsonType::Number => "a number",
            JsonType::ArrayOfStrings => "an array of strings",
            JsonType::ArrayOfObjects => "an array of objects",
            JsonType::Object => "an object",
            JsonType::StringOrArrayOfStrings => "a string",
            JsonType::Array => "an array",
        }
    }
}

impl FieldKind {
    /// The JSON type this kind requires.
    pub fn json_type(self) -> JsonType {
        match self {
            FieldKind::Text
            | FieldKind::NonEmptyText
            | FieldKind::RecognisedText(_)
            | FieldKind::Timestamp
            | FieldKind::Enum(_)
            | FieldKind::Channel(_)
            | FieldKind::IpAddress
            | FieldKind::LanguageCode
            | FieldKind::CountryCode
            | FieldKind::HttpUrl => JsonType::String,
            FieldKind::TextOrTextList(_) => JsonType::StringOrArrayOfStrings,
            FieldKind::Boolean => JsonType::Boolean,
            FieldKind::Millis | FieldKind::Exactly(_) => JsonType::Number,
            FieldKind::LabelIds => JsonType::ArrayOfStrings,
            FieldKind::ObjectList => JsonType::ArrayOfObjects,
            FieldKind::Object(_) => JsonType::Object,
            FieldKind::ArrayOf(item) => match item.json_type() {
                JsonType::String => JsonType::ArrayOfStrings,
                JsonType::Object => JsonType::ArrayOfObjects,
                _ => JsonType::Array,
            },
        }
    }

    /// The documented members of the objects this kind holds: an object's, or an array of
    /// objects' items'.
    pub fn members(self) -> Option<&'static [FieldRule]> {
        match self {
            FieldKind::Object(children) => Some(children),
            FieldKind::ArrayOf(item) => item.members(),
            _ => None,
        }
    }
}

/// One member of the record and its rules in the default profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRule {
    /// The documented name, dotted for nested members (`locationDetail.city`).
    pub name: &'static str,
    /// The RFC 6901 pointer of the member, relative to the record (`/locationDetail/city`).
    pub pointer: &'static str,
    /// What the member holds.
    pub kind: FieldKind,
    /// Required in the default profile (present and not `null`).
    pub required: bool,
    /// Documented as nullable: `null` is a normal value, not worth a warning.
    pub nullable: bool,
    /// Personal data: reports mask its value unless asked to show values.
    pub personal: bool,
    /// The vendor's description, as documented.
    pub description: &'static str,
    /// How this project resolved a defect of the documentation, if the member had one.
    pub resolution: Option<&'static str>,
}

impl FieldRule {
    /// The member's key inside its parent object (`city` for `locationDetail.city`).
    pub fn key(&self) -> &'static str {
        self.name.rsplit('.').next().unwrap_or(self.name)
    }

    /// The description with the resolution appended, as the JSON Schema shows it.
    pub fn full_description(&self) -> String {
        match self.resolution {
            Some(resolution) => format!("{} [Contract note: {}]", self.description, resolution),
            None => self.description.to_owned(),
        }
    }
}

/// Looks a top-level member up by its documented key.
pub fn top_level(key: &str) -> Option<&'static FieldRule> {
    FIELDS.iter().find(|rule| rule.name == key)
}

/// Every documented field, nested ones included (depth first), in the documentation's order.
pub fn all_fields() -> impl Iterator<Item = &'static FieldRule> {
    fields_of(FIELDS).into_iter()
}

/// Every rule of `rules` and of the objects they hold, at any depth, depth first.
pub fn fields_of(rules: &'static [FieldRule]) -> Vec<&'static FieldRule> {
    let mut out = Vec::new();
    let mut stack: Vec<std::slice::Iter<'static, FieldRule>> = vec![rules.iter()];
    while let Some(level) = stack.last_mut() {
        match level.next() {
            Some(rule) => {
                out.push(rule);
                if let Some(children) = rule.kind.members() {
                    stack.push(children.iter());
                }
            }
            None => {
                stack.pop();
            }
        }
    }
    out
}

/// The values `handledType` is known to take (the documentation gives no spelling).
pub const HANDLED_TYPES: &[&str] = &["PHONE", "TRUNK", "STAFF"];

/// A member with no flags set (optional, not nullable, not personal, no resolution).
pub const fn field(
    name: &'static str,
    pointer: &'static str,
    kind: FieldKind,
    description: &'static str,
) -> FieldRule {
    FieldRule {
        name,
        pointer,
        kind,
        required: false,
        nullable: false,
        personal: false,
        description,
        resolution: None,
    }
}

/// The member, required.
pub const fn required(rule: FieldRule) -> FieldRule {
    FieldRule {
        required: true,
        ..rule
    }
}

/// The member, documented as nullable (`null` is a value, not a defect).
pub const fn nullable(rule: FieldRule) -> FieldRule {
    FieldRule {
        nullable: true,
        ..rule
    }
}

/// The member, personal data.
pub const fn personal(rule: FieldRule) -> FieldRule {
    FieldRule {
        personal: true,
        ..rule
    }
}

/// The member, with the resolution of a documentation defect.
pub const fn resolved(rule: FieldRule, resolution: &'static str) -> FieldRule {
    FieldRule {
        resolution: Some(resolution),
        ..rule
    }
}

use FieldKind as K;

/// The members of `locationDetail`.
#[rustfmt::skip] // A table reads better with one row per member than as rustfmt lays it out.
pub static LOCATION_DETAIL_FIELDS: &[FieldRule] = &[
    field("locationDetail.regionCode", "/locationDetail/regionCode", K::CountryCode,
        "The region code of the location of the visitor."),
    field("locationDetail.subdivision", "/locationDetail/subdivision", K::Text,
        "The subdivision of the country."),
    resolved(field("locationDetail.city", "/locationDetail/city", K::Text,
        "The city where the enquiry comes from."),
        "the documentation lists this row with no name; it is locationDetail.city."),
    resolved(field("locationDetail.province", "/locationDetail/province", K::Text,
        "The province where the enquiry comes from."),
        "documented as `locationDetailprovince`; it is locationDetail.province."),
];

/// Every top-level member of the record, in the documentation's order.
#[rustfmt::skip] // As above: one row per member.
pub static FIELDS: &[FieldRule] = &[
    required(field("_id", "/_id", K::Text, "The unique ID of the enquiry.")),
    field("uniqueKey", "/uniqueKey", K::Text, "You can skip this parameter (it is for internal use)"),
    required(field("createdAt", "/createdAt", K::Timestamp,
        "The date and time of the enquiry record creation. The value must be in RFC3339 format, e.g. 2022-11-07T00:00:00.000Z.")),
    field("svcID", "/svcID", K::Text, "The service account ID of the enquiry."),
    field("inquiry", "/inquiry", K::Text, "The enquiry ID."),
    field("tag", "/tag", K::Text, "The ID of the tag."),
    field("visitor", "/visitor", K::Text, "The ID of the visitor."),
    field("roomID", "/roomID", K::Text, "The room ID of the enquiry."),
    field("initChannel", "/initChannel", K::Enum(&["IM", "CALL"]),
        "The channel type of the enquiry. It can be \"IM\" (Instant Message) or \"CALL\"."),
    field("omniType", "/omniType", K::Enum(&["CINNOX"]),
        "The Omni-Channel Type of the enquiry. It must be \"CINNOX\"."),
    personal(field("ip", "/ip", K::IpAddress, "The IP address of the visitor.")),
    field("language", "/language", K::LanguageCode,
        "The language of the enquiry. The result shown is the list in the following format: (ISO 639-1 Language Codes):(Language) Example: en (Language code of English in ISO 639-1): English (Language)"),
    field("location", "/location", K::CountryCode,
        "The location of the visitor. The result shown is the list in the following format: (Country represented by Two-letter country code based on ISO 3166-2) Example: VE. Country=Venezuela."),
    field("locationDetail", "/locationDetail", K::Object(LOCATION_DETAIL_FIELDS),
        "The location of the visitor in detail."),
    field("platform", "/platform", K::Text, "The platform that visitors use for enquiry"),
    required(field("status", "/status", K::Enum(&["ongoing", "followed-up", "missed", "closed"]),
        "The status of the enquiry. It can be \"ongoing\", \"followed-up\", \"missed\", or \"closed\".")),
    field("displayCaseNumber", "/displayCaseNumber", K::Text,
        "The display enquiry ID in the CINNOX Dashboard."),
    field("channel", "/channel", K::Channel(&["Weblink", "VirtualNumber", "Email", "ThirdParty", "FACEBOOK", "WHATSAPP", "WECHAT", "LINE", "WOZTELL"]),
        "The type of channel of the enquiry. It can be \"Weblink\", \"VirtualNumber\", \"Email\", \"ThirdParty\", \"FACEBOOK\", \"WHATSAPP\", \"WECHAT\", \"LINE\" or \"WOZTELL\"."),
    resolved(field("destinationID", "/destinationID", K::Text, "The IP of the destination."),
        "described as an IP but it is an identifier: any string."),
    field("destinationName", "/destinationName", K::Text,
        "The name of the destination (Service Group)."),
    field("destinationType", "/destinationType", K::Enum(&["PHONE", "STAFF", "TRUNK", "CHATBOT"]),
        "The type of the destinations. It can be \"PHONE\" (PSTN), \"STAFF\" (Staff Directory), \"TRUNK\" (SIP Truck) or \"CHATBOT\" (Chatbot)."),
    field("destinationEndPoint", "/destinationEndPoint", K::Enum(&["STAFF", "CHATBOT", "IVR"]),
        "The destination endpoint is assigned to handle the enquiry. It can be \"STAFF\"(Staff), \"CHATBOT\"(Chatbot) or \"IVR\" (IVR)."),
    resolved(field("handledType", "/handledType", K::RecognisedText(HANDLED_TYPES),
        "It can be a Phone Number, SIP Trunk or Staff"),
        "no spelling is documented: any string; PHONE, TRUNK and STAFF are recognised, another value is a warning."),
    personal(field("handledTarget", "/handledTarget", K::Text,
        "The enquiry owner is represented as a Staff's EID or the phone number.")),
    personal(field("handledPartyName", "/handledPartyName", K::Text, "Staff (agent) name")),
    resolved(field("huntedStaffTargetHistory", "/huntedStaffTargetHistory", K::TextOrTextList(&[]),
        "List of Staff who could pick up this enquiry"),
        "typed String but described as a list: a string; an array of strings is a warning."),
    resolved(field("type", "/type", K::Text, "Channel sub-type"),
        "listed without a parent: a top-level string."),
    resolved(field("id", "/id", K::Text, "Channel ID"),
        "listed without a parent: a top-level string."),
    resolved(field("maaiiDisplayName", "/maaiiDisplayName", K::Text, "Channel display name"),
        "listed without a parent: a top-level string."),
    personal(resolved(field("name", "/name", K::Text, "Third-party display name"),
        "listed without a parent: a top-level string.")),
    resolved(field("inquiryType", "/inquiryType", K::Text, "The enquiry type. It can be"),
        "the documented list of values is cut off: any string."),
    field("updatedAt", "/updatedAt", K::Timestamp, "Enquiry updated time"),
    field("closedAt", "/closedAt", K::Timestamp, "Enquiry close time"),
    field("inquiryGroup", "/inquiryGroup", K::Text, "Collapsed enquiries"),
    resolved(field("transferredParty", "/transferredParty", K::ObjectList,
        "Destination info that enquiry transferred to"),
        "the objects' members are not documented: any members."),
    field("pickedUpAt", "/pickedUpAt", K::Timestamp, "Enquiry picked-up time"),
    field("missedAt", "/missedAt", K::Timestamp, "Enquiry missed time"),
    field("reopenedAt", "/reopenedAt", K::Timestamp, "Enquiry reopened time"),
    field("handledPartyDepartmentID", "/handledPartyDepartmentID", K::Text,
        "Department id of the staff"),
    field("attachment", "/attachment", K::Boolean,
        "True = There is an attachment in the enquiry chat room. False = There is no attachment in the enquiry chat room. The attachment refers to the Chat History for the conversation in the enquiry chat room."),
    personal(field("staffFirstName", "/staffFirstName", K::Text,
        "The first name of the staff handling the enquiry.")),
    personal(field("staffLastName", "/staffLastName", K::Text,
        "The last name of the staff handling the enquiry.")),
    personal(field("visitorFirstName", "/visitorFirstName", K::Text,
        "The first name of the enquiry's visitor.")),
    personal(field("visitorLastName", "/visitorLastName", K::Text,
        "The last name of the enquiry's visitor.")),
    personal(field("inquiryDeepLink", "/inquiryDeepLink", K::HttpUrl,
        "The link redirects the staff to the enquiry's chat room.")),
    field("duration", "/duration", K::Millis,
        "The duration in milliseconds for an enquiry which is being handled."),
    field("closeDuration", "/closeDuration", K::Millis,
        "The duration is in milliseconds for a closed enquiry."),
    FieldRule {
        nullable: true,
        ..field("labelIDs", "/labelIDs", K::LabelIds,
            "The ID of the label used for the enquiry. The value = null when no label was applied to the enquiry. The value = Label ID when a label is applied to the enquiry.")
    },
];

/// Members the strict profile requires only of a `closed` enquiry (and forbids, through the
/// status-consistency rule, on any other).
///
/// The contract says the strict profile "requires every documented field" and also that
/// `closedAt` on a non-closed enquiry is a status-consistency defect, an error in the strict
/// profile; read literally, no ongoing, followed-up or missed enquiry could pass. The closest
/// honest reading: every documented member is required, except these two, which are required
/// exactly when `status` is `closed`.
pub const CLOSED_ONLY: &[&str] = &["closedAt", "closeDuration"];

/// The largest duration, in milliseconds: 2^53 - 1, the largest integer every JSON parser
/// holds exactly (RFC 7493, I-JSON); a JavaScript consumer would silently round a larger one.
/// About 285,000 years, so no real duration comes near it.
pub const MAX_MILLIS: u64 = 9_007_199_254_740_991;

/// The timestamps that must not be before `createdAt` (the `timeline` rule).
pub const AFTER_CREATION: &[&str] = &[
    "updatedAt",
    "pickedUpAt",
    "missedAt",
    "closedAt",
    "reopenedAt",
];
