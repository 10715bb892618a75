//! The rules, one [`Code`] each: stable kebab-case ids, default severities and explanations.
//!
//! Every contract's findings carry one of these codes; the contract tables
//! ([`crate::contract`]) name them for their cross-member rules, so the enum lives with the
//! tables and the validator re-exports it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::json_schema::Profile;

/// How a finding counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Does not fail the record (unless `--deny-warnings`).
    Warning,
    /// Fails the record.
    Error,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule's findings become: the `allow` / `warn` / `deny` of `enquiry.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The rule is off.
    Allow,
    /// Findings are warnings.
    Warn,
    /// Findings are errors.
    Deny,
}

impl Level {
    /// The severity of a finding at this level, `None` when the rule is off.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Allow => None,
            Level::Warn => Some(Severity::Warning),
            Level::Deny => Some(Severity::Error),
        }
    }
}

/// Rules the strict-profile schema checks and the default one does not (there they are
/// warnings or off): closed objects, enumerated `handledType`, string-only
/// `huntedStaffTargetHistory`, canonical timestamps, `closedAt` exactly on closed enquiries.
const STRICT_SCHEMA_ONLY: &[Code] = &[
    Code::CanonicalTimestamp,
    Code::UnknownField,
    Code::UnrecognisedValue,
    Code::UndocumentedShape,
    Code::StatusConsistency,
];

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $text:literal, $level:ident, $schema:literal,
        summary: $summary:literal, why: $why:literal, example: $example:literal; )+) => {
        /// A rule of the contract. Each finding carries one; the kebab-case id is stable.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$doc])* $variant, )+
        }

        impl Code {
            /// Every rule, in the order `enquiry rules` lists them.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The stable kebab-case id (`date-time`).
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $text, )+ }
            }

            /// The level in the default profile.
            pub fn default_level(self) -> Level {
                match self { $( Code::$variant => Level::$level, )+ }
            }

            /// Whether a generated JSON Schema checks the rule (the default-profile one, or for
            /// rules of the strict profile only, the strict one): see [`Code::schema_checked`].
            pub fn schema_expressible(self) -> bool {
                self.schema_checked(Profile::Default) || self.schema_checked(Profile::Strict)
            }

            /// Whether the JSON Schema generated for `profile` checks the rule: marked only
            /// where the differential test (`schema_agreement` in enquiry-fake, one round per
            /// profile) shows that schema and the validator in that profile agree on
            /// generated edge cases. `encoding` (invalid text never reaches a schema) is not.
            pub fn schema_checked(self, profile: Profile) -> bool {
                let default = match self { $( Code::$variant => $schema, )+ };
                default || (profile == Profile::Strict && STRICT_SCHEMA_ONLY.contains(&self))
            }

            /// One line: what the rule checks.
            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )+ }
            }

            /// Why the rule exists.
            pub fn rationale(self) -> &'static str {
                match self { $( Code::$variant => $why, )+ }
            }

            /// A payload that breaks the rule, as `enquiry validate` reads it; a trailing
            /// `(with FLAGS)` names the flags the rule needs (`--labels labels.json`: a list
            /// without that label). The docs test validates every example.
            pub fn example(self) -> &'static str {
                match self { $( Code::$variant => $example, )+ }
            }
        }
    };
}

codes! {
    /// The input is not well-formed JSON.
    Syntax = "syntax", Deny, true,
        summary: "The input is well-formed JSON (RFC 8259).",
        why: "A payload that does not parse cannot be checked further; in NDJSON the other lines still are.",
        example: r#"{"_id": "a", "status": "closed""#;
    /// A string is not valid UTF-8.
    Encoding = "encoding", Deny, false,
        summary: "Text is valid UTF-8 and escapes are valid Unicode (no lone surrogates).",
        why: "RFC 8259 requires UTF-8; parsers disagree on how to repair invalid text.",
        example: r#"{"_id": "\ud800"}"#;
    /// A UTF-8 byte order mark starts the input.
    Bom = "bom", Warn, false,
        summary: "The input does not start with a UTF-8 byte order mark.",
        why: "RFC 8259 forbids emitting a BOM; it is skipped and the content checked, but some parsers reject it.",
        example: "\u{feff}{\"_id\": \"a\"}";
    /// The input holds no record at all.
    EmptyInput = "empty-input", Warn, false,
        summary: "The input holds at least one record.",
        why: "An empty or whitespace-only capture usually means the capture failed.",
        example: "";
    /// Nesting deeper than the limit.
    TooDeep = "too-deep", Deny, false,
        summary: "Arrays and objects nest at most 128 levels deep.",
        why: "No record or event nests deeply; unbounded nesting is how hostile input exhausts a parser's stack.",
        example: r#"{"transferredParty": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#;
    /// A record larger than `--max-record-size`.
    RecordTooLarge = "record-too-large", Deny, false,
        summary: "A record is at most --max-record-size bytes (16 MiB by default).",
        why: "A real enquiry record or event is a few kilobytes; the limit keeps memory bounded on hostile input.",
        example: r#"{"_id": "a record longer than 32 bytes"} (with --max-record-size 32)"#;
    /// A record has more findings than `--max-findings-per-record`; the rest are counted here.
    TooManyFindings = "too-many-findings", Warn, false,
        summary: "A record lists at most --max-findings-per-record findings (1000 by default), the first by position; one finding counts the rest.",
        why: "A hostile record can hold millions of defects; listing them all would exhaust memory, and dropping them unannounced would hide them. Its severity is that of the most severe finding it counts.",
        example: r#"{"_id": 1, "status": 2, "channel": 3} (with --max-findings-per-record 1)"#;
    /// A record (or the input's top level) is not a JSON object.
    NotAnObject = "not-an-object", Deny, true,
        summary: "Each record is a JSON object.",
        why: "A record, an event and a handshake body are objects; a number, string, array or null where one belongs is a producer bug.",
        example: r#"[{"_id": "a", ...}, 42]"#;
    /// The same member twice in one object.
    DuplicateKey = "duplicate-key", Deny, false,
        summary: "No object has the same member twice.",
        why: "Parsers disagree on which value wins (first, last, error); a JSON Schema validator never sees the duplicate.",
        example: r#"{"status": "closed", "status": "ongoing"}"#;
    /// A required member is missing or `null`.
    Required = "required", Deny, true,
        summary: "Required members are present and not null: a record's _id, createdAt and status; an event's status, serviceId, displayCaseNumber, eid, type and date; every member in the strict profile.",
        why: "Consumers key and order enquiries and their events by these members.",
        example: r#"{"_id": "a", "status": "closed"}"#;
    /// A member has the wrong JSON type.
    Type = "type", Deny, true,
        summary: "Each documented member has its documented JSON type.",
        why: "A number where a string is documented breaks typed consumers.",
        example: r#"{"attachment": "true"}"#;
    /// A value is not one of the documented spellings.
    Enum = "enum", Deny, true,
        summary: "Enumerated members use a documented spelling, exact case.",
        why: "Consumers switch on these values, and the contracts spell them differently: a record's status is \"closed\", an event's \"Closed\".",
        example: r#"{"status": "Closed"}"#;
    /// A channel not in the user's channel list.
    ChannelUnknown = "channel-unknown", Deny, false,
        summary: "With --channels, `channel` is one of the tenant's channels.",
        why: "Tenants have their own channel list (Get Channel Type List); a channel outside it is a misrouted enquiry.",
        example: r#"{"channel": "FACEBOOK"} (with --channels channels.json)"#;
    /// A label not in the user's label list.
    LabelUnknown = "label-unknown", Deny, false,
        summary: "With --labels, each of `labelIDs` is one of the tenant's labels.",
        why: "Labels come from the tenant's Get Label List; an unknown ID is a stale or foreign label.",
        example: r#"{"labelIDs": ["no-such-label"]} (with --labels labels.json)"#;
    /// A timestamp that is not RFC 3339 with a zone, or not a real date.
    DateTime = "date-time", Deny, true,
        summary: "Timestamps are RFC 3339 date-times with a zone and a real calendar date.",
        why: "A timestamp without a zone is ambiguous; Feb 30 or hour 25 cannot be stored.",
        example: r#"{"createdAt": "2022-02-30T10:00:00Z"}"#;
    /// A timestamp that is valid but not canonical (strict profile).
    CanonicalTimestamp = "canonical-timestamp", Allow, false,
        summary: "In the strict profile, timestamps are UTC (`Z`) with milliseconds.",
        why: "One spelling per instant makes payloads comparable byte for byte.",
        example: r#"{"createdAt": "2022-11-07T08:00:00+08:00"} (with --profile strict)"#;
    /// `ip` is not an IPv4 or IPv6 address.
    Ip = "ip", Deny, true,
        summary: "`ip` is an IPv4 or IPv6 address.",
        why: "Geo and fraud tooling parse it.",
        example: r#"{"ip": "256.1.1.1"}"#;
    /// `language` is not an ISO 639-1 code.
    Language = "language", Deny, true,
        summary: "`language` is an assigned ISO 639-1 code in lower case.",
        why: "Routing and reporting group by language code.",
        example: r#"{"language": "eng"}"#;
    /// `location` or `locationDetail.regionCode` is not an ISO 3166-1 alpha-2 code.
    Country = "country", Deny, true,
        summary: "`location` and `locationDetail.regionCode` are assigned ISO 3166-1 alpha-2 codes in upper case.",
        why: "Reporting groups by country code.",
        example: r#"{"location": "HKG"}"#;
    /// `inquiryDeepLink` is not an absolute http(s) URL.
    Url = "url", Deny, true,
        summary: "`inquiryDeepLink` is an absolute http or https URL.",
        why: "Staff open it from dashboards and CRMs.",
        example: r#"{"inquiryDeepLink": "/room/123"}"#;
    /// A duration is not an integer.
    Integer = "integer", Deny, true,
        summary: "`duration` and `closeDuration` are integers (milliseconds), at most 2^53 - 1.",
        why: "Milliseconds are whole numbers; a fraction means a unit mix-up, and beyond 2^53 - 1 parsers (JavaScript's among them) silently round.",
        example: r#"{"duration": 12.5}"#;
    /// A duration is negative.
    Minimum = "minimum", Deny, true,
        summary: "`duration` and `closeDuration` are >= 0.",
        why: "A negative duration means clocks or fields are swapped.",
        example: r#"{"closeDuration": -1}"#;
    /// An empty label ID.
    LabelEmpty = "label-empty", Deny, true,
        summary: "Each of `labelIDs` is a non-empty string.",
        why: "An empty ID matches no label.",
        example: r#"{"labelIDs": [""]}"#;
    /// The same label ID twice.
    LabelDuplicate = "label-duplicate", Deny, true,
        summary: "`labelIDs` are distinct.",
        why: "A label is applied once; a repeat means a merge bug.",
        example: r#"{"labelIDs": ["a", "a"]}"#;
    /// A timestamp before `createdAt`.
    Timeline = "timeline", Deny, false,
        summary: "A record's updatedAt, pickedUpAt, missedAt, closedAt and reopenedAt are not before its createdAt.",
        why: "An enquiry cannot be picked up, missed or closed before it exists.",
        example: r#"{"createdAt": "2022-11-07T10:00:00Z", "closedAt": "2022-11-07T09:00:00Z"}"#;
    /// Status and its timestamps disagree.
    StatusConsistency = "status-consistency", Warn, false,
        summary: "A record's status and timestamps agree: closed has closedAt, missed has missedAt, only closed has closedAt.",
        why: "Dashboards compute handling times from these members.",
        example: r#"{"_id": "a", "createdAt": "2022-11-07T00:00:00Z", "status": "closed"}"#;
    /// `closeDuration` disagrees with `closedAt - createdAt`.
    CloseDuration = "close-duration", Warn, false,
        summary: "A record's closeDuration equals closedAt - createdAt within 1 s.",
        why: "Two sources of one number must agree, or reports differ by which they read.",
        example: r#"{"status": "closed", "createdAt": "2022-11-07T00:00:00Z", "closedAt": "2022-11-07T00:01:00Z", "closeDuration": 5}"#;
    /// A member the documentation does not list.
    UnknownField = "unknown-field", Warn, false,
        summary: "Every member is documented (with a did-you-mean for near misses).",
        why: "A misspelt member (`labelIds` in a record, `eId` in an event) is silently ignored by consumers.",
        example: r#"{"_id": "a", "labelIds": ["a"]}"#;
    /// `null` on a member not documented as nullable.
    NullValue = "null-value", Warn, false,
        summary: "Optional members are absent rather than null, unless documented as nullable (a record's labelIDs; no event member).",
        why: "Consumers that test for presence treat null as a value.",
        example: r#"{"closedAt": null}"#;
    /// A value outside the recognised set of a free-text member.
    UnrecognisedValue = "unrecognised-value", Warn, false,
        summary: "Members with a recognised set of values use one of them: a record's `handledType` (PHONE, TRUNK, STAFF); an event's `destinationTypes` (PHONE, STAFF, TRUNK, CHATBOT, IVR) and, when its channel is CINNOX, `channelOri` (one of the event channels).",
        why: "The documentation names these values without spelling them, or cuts their list off; other values are likely new or wrong.",
        example: r#"{"handledType": "Phone Number"}"#;
    /// A shape the documentation does not give.
    UndocumentedShape = "undocumented-shape", Warn, false,
        summary: "Members documented as strings are strings, not arrays: a record's `huntedStaffTargetHistory`, an event's `destinationTypes`.",
        why: "Both are typed String but read as lists (described as one, or named in the plural); the array shape is seen in the wild and worth knowing about.",
        example: r#"{"huntedStaffTargetHistory": ["staff-1", "staff-2"]}"#;
    /// A member documented as a non-empty string is empty.
    NonEmpty = "non-empty", Deny, false,
        summary: "Members documented as non-empty strings (an event's eid, serviceId, displayCaseNumber) are not empty.",
        why: "An empty identifier matches no enquiry; consumers join events to records by it.",
        example: r#"{"eid": "", "date": "2022-11-07T00:00:00Z", "type": "inquiry", "status": "Opened", "serviceId": "s", "displayCaseNumber": "1"} (with --contract event)"#;
    /// An event's `channelOri` disagrees with its `channel`.
    ChannelOrigin = "channel-origin", Deny, false,
        summary: "An event's channelOri is exactly `Channel` unless its channel is CINNOX.",
        why: "Only the CINNOX channel carries the real origin in channelOri; any other value elsewhere is a producer bug.",
        example: r#"{"eid": "e", "date": "2022-11-07T00:00:00Z", "type": "inquiry", "status": "Opened", "serviceId": "s", "displayCaseNumber": "1", "channel": "LINE", "channelOri": "LINE"} (with --contract event)"#;
    /// An event carries a social ID for an origin that has none.
    SocialId = "social-id", Warn, false,
        summary: "An event's socialId is empty unless its origin is FACEBOOK, LINE, WHATSAPP, WOZTELL or INSTAGRAM.",
        why: "Only social origins identify the visitor by a social ID; one elsewhere is misplaced data.",
        example: r#"{"eid": "e", "date": "2022-11-07T00:00:00Z", "type": "inquiry", "status": "Opened", "serviceId": "s", "displayCaseNumber": "1", "channel": "EMAIL", "channelOri": "Channel", "socialId": "u-1"} (with --contract event)"#;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown rule id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode(pub String);

impl fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown rule `{}` (see `enquiry rules`)", self.0)
    }
}

impl std::error::Error for UnknownCode {}

impl FromStr for Code {
    type Err = UnknownCode;

    fn from_str(text: &str) -> Result<Code, UnknownCode> {
        Code::ALL
            .iter()
            .copied()
            .find(|code| code.as_str() == text)
            .ok_or_else(|| UnknownCode(text.to_owned()))
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Code, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The candidate closest to `text`, for a "did you mean" hint: the same word in another case,
/// or a near spelling (Jaro-Winkler above 0.9, lengths at most 3 apart).
pub fn did_you_mean<'a>(
    candidates: impl IntoIterator<Item = &'a str>,
    text: &str,
) -> Option<&'a str> {
    if text.len() > 48 {
        return None;
    }
    let mut best: Option<(&str, f64)> = None;
    for candidate in candidates {
        if candidate.eq_ignore_ascii_case(text) {
            return Some(candidate);
        }
        if candidate.len().abs_diff(text.len()) > 3 {
            continue;
        }
        let score =
            strsim::jaro_winkler(&candidate.to_ascii_lowercase(), &text.to_ascii_lowercase());
        if score > 0.9 && best.is_none_or(|(_, best_score)| score > best_score) {
            best = Some((candidate, score));
        }
    }
    best.map(|(candidate, _)| candidate)
}

impl Code {
    /// The rule whose id is closest to `text` (`dat-time` -> `date-time`), if one is close.
    pub fn closest(text: &str) -> Option<Code> {
        let id = did_you_mean(Code::ALL.iter().map(|code| code.as_str()), text)?;
        Code::ALL.iter().copied().find(|code| code.as_str() == id)
    }
}
