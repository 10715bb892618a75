//! The mutant catalogue: one labelled defect per error rule of the validator.
//!
//! A mutant is a valid record (emitted into a member tree instead of bytes) with exactly one
//! change. Each mutation is chosen so that it breaks its own rule and no other: timestamps that
//! feed the status-consistency and close-duration checks (`closedAt`, and `closeDuration`) are
//! never the target of a timestamp mutation, a status is only mis-spelt on records whose
//! consistency does not depend on it, and so on. The tests check every kind against the
//! validator: exactly one finding, the labelled one, as an error.

use enquiry_schema::contract::{CrossRule, RECORD};
use enquiry_schema::fields::{FieldKind, FIELDS};
use enquiry_schema::names::record::{self as member, location_detail};
use enquiry_schema::{Channel, Status};

use crate::record::{self, push_hex, push_str, push_u64, Plan, Pools, Sink};
use crate::rng::Rand;
use crate::time::{self, Civil, HOUR, SECOND};

/// One entry of the mutant catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MutantKind {
    /// A stable id for the kind of defect (`date-time-missing-zone`).
    pub id: &'static str,
    /// The validator's rule id the defect breaks (`date-time`).
    pub code: &'static str,
    /// What the mutation does.
    pub description: &'static str,
    pub(crate) needs: Needs,
    pub(crate) mutation: Mutation,
}

/// What a kind needs to be applicable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Needs {
    Nothing,
    /// Ends the validator's reading of a JSON array, so only used in NDJSON streams.
    LineFraming,
    /// A label list configured in the validator.
    LabelList,
    /// A channel list configured in the validator.
    ChannelList,
    /// The strict profile: the default one does not report the rule.
    Strict,
    /// The default profile: the strict one reports the defect under another rule.
    DefaultProfile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mutation {
    SyntaxPythonLiteral,
    EncodingLatin1,
    EncodingLoneSurrogate,
    NotAnObject,
    DuplicateKey,
    RequiredMissing,
    RequiredNull,
    WrongType,
    EnumCase,
    EnumUnknown,
    DateFormat,
    DateImpossible,
    DateHour25,
    DateNoZone,
    Ip,
    Language,
    Country,
    Url,
    Fraction,
    Negative,
    LabelEmpty,
    LabelDuplicate,
    Timeline,
    ChannelUnknown,
    LabelUnknown,
    TooDeep,
    StatusConsistency,
    CloseDuration,
    UnknownField,
    NullValue,
    UnrecognisedValue,
    UndocumentedShape,
    CanonicalTimestamp,
}

const fn kind(
    id: &'static str,
    code: &'static str,
    description: &'static str,
    needs: Needs,
    mutation: Mutation,
) -> MutantKind {
    MutantKind {
        id,
        code,
        description,
        needs,
        mutation,
    }
}

use Mutation as M;
use Needs as N;

/// Every kind of defect the generator plants, with the validator rule each breaks.
pub static CATALOGUE: &[MutantKind] = &[
    kind("syntax-python-literal", "syntax", "`attachment` written as the Python literal `True` (NDJSON only: a syntax error ends a JSON array)", N::LineFraming, M::SyntaxPythonLiteral),
    kind("encoding-latin1", "encoding", "`visitorLastName` ends in a Latin-1 byte (0xE9), not UTF-8", N::Nothing, M::EncodingLatin1),
    kind("encoding-lone-surrogate", "encoding", "`visitorFirstName` ends in a lone surrogate escape `\\ud83d` (a cut emoji)", N::Nothing, M::EncodingLoneSurrogate),
    kind("not-an-object", "not-an-object", "the record is double-encoded: a JSON string holding the object's text", N::Nothing, M::NotAnObject),
    kind("duplicate-key", "duplicate-key", "`status` appears twice (same value)", N::Nothing, M::DuplicateKey),
    kind("required-missing", "required", "`_id`, `createdAt` or `status` is removed", N::Nothing, M::RequiredMissing),
    kind("required-null", "required", "`_id`, `createdAt` or `status` is `null`", N::Nothing, M::RequiredNull),
    kind("type", "type", "a member of the wrong JSON type (`attachment: \"true\"`, `duration: \"1234\"`, `createdAt` as epoch milliseconds, `labelIDs` as a string, ...)", N::Nothing, M::WrongType),
    kind("enum-wrong-case", "enum", "an enumerated value in the wrong case (`Ongoing`, `im`, `Cinnox`, `whatsapp`)", N::Nothing, M::EnumCase),
    kind("enum-unknown-value", "enum", "an enumerated member with an undocumented value (`VIDEO`, `SMS`, `QUEUE`, `pending`)", N::Nothing, M::EnumUnknown),
    kind("date-time-format", "date-time", "a timestamp as `YYYY/MM/DD HH:MM:SS`", N::Nothing, M::DateFormat),
    kind("date-time-impossible-date", "date-time", "a timestamp on February 30", N::Nothing, M::DateImpossible),
    kind("date-time-hour-25", "date-time", "a timestamp at hour 25", N::Nothing, M::DateHour25),
    kind("date-time-missing-zone", "date-time", "a timestamp without `Z` or offset", N::Nothing, M::DateNoZone),
    kind("ip", "ip", "`ip` is not an address (`192.0.2.256`, `198.51.100.7:8080`, `2001:db8::g1`, `203.0.113`)", N::Nothing, M::Ip),
    kind("language", "language", "`language` is not an ISO 639-1 code (`eng`, `EN`, `en-US`)", N::Nothing, M::Language),
    kind("country", "country", "`location` or `locationDetail.regionCode` is not an ISO 3166-1 alpha-2 code (`HKG`, `hk`, `UK`)", N::Nothing, M::Country),
    kind("url", "url", "`inquiryDeepLink` is relative, lacks a scheme or uses `ftp`", N::Nothing, M::Url),
    kind("integer", "integer", "`duration` or `closeDuration` has a fraction (`.5`)", N::Nothing, M::Fraction),
    kind("minimum", "minimum", "`duration` is negative", N::Nothing, M::Negative),
    kind("label-empty", "label-empty", "`labelIDs` holds an empty string", N::Nothing, M::LabelEmpty),
    kind("label-duplicate", "label-duplicate", "`labelIDs` holds the same ID twice", N::Nothing, M::LabelDuplicate),
    kind("timeline", "timeline", "`updatedAt`, `pickedUpAt`, `missedAt` or `reopenedAt` before `createdAt`", N::Nothing, M::Timeline),
    kind("channel-unknown", "channel-unknown", "`channel` outside the configured channel list (a documented channel the list lacks, when there is one)", N::ChannelList, M::ChannelUnknown),
    kind("label-unknown", "label-unknown", "a label ID outside the configured label list", N::LabelList, M::LabelUnknown),
    kind("too-deep", "too-deep", "arrays nested 130 deep inside `transferredParty` (NDJSON only: the validator stops reading a JSON array there)", N::LineFraming, M::TooDeep),
];

/// The defects of the rules the default profile reports as warnings (and the strict profile as
/// errors), with `canonical-timestamp`, which only the strict profile reports. Generators plant
/// them with [`crate::Profile::Strict`] or [`crate::Options::warnings`]. `null-value` is the
/// default profile's only: the strict profile requires the member, so it reports `required`.
/// The `bom` warning is left out: a byte order mark belongs to a file, not to a record.
#[rustfmt::skip] // As above: one row per kind.
pub static WARNING_CATALOGUE: &[MutantKind] = &[
    kind("status-consistency", "status-consistency", "`closedAt` on an enquiry that is not closed (added, or the status of a closed one changed)", N::Nothing, M::StatusConsistency),
    kind("close-duration", "close-duration", "`closeDuration` more than a second off `closedAt - createdAt` (a record that is not closed is closed first)", N::Nothing, M::CloseDuration),
    kind("unknown-field", "unknown-field", "an undocumented member (`labelIds`, `priority`)", N::Nothing, M::UnknownField),
    kind("null-value", "null-value", "an optional string member is `null` (default profile only)", N::DefaultProfile, M::NullValue),
    kind("unrecognised-value", "unrecognised-value", "`handledType` is a value the contract does not recognise (`AGENT`)", N::Nothing, M::UnrecognisedValue),
    kind("undocumented-shape", "undocumented-shape", "`huntedStaffTargetHistory` is an array of strings", N::Nothing, M::UndocumentedShape),
    kind("canonical-timestamp", "canonical-timestamp", "a timestamp with a `+hh:mm` offset instead of `Z` (same instant; strict profile only)", N::Strict, M::CanonicalTimestamp),
];

/// The nesting depth of the `too-deep` mutant's arrays.
pub(crate) const TOO_DEEP_ARRAYS: usize = 130;

/// A member's value: JSON text, or an object's members.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Raw(Vec<u8>),
    Object(Vec<Member>),
}

/// One member of a record under mutation.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    key: &'static str,
    node: Node,
}

/// A sink that keeps the members, so that a mutation can change one.
#[derive(Debug, Default)]
pub(crate) struct TreeSink {
    stack: Vec<(&'static str, Vec<Member>)>,
    members: Vec<Member>,
}

impl TreeSink {
    fn current(&mut self) -> &mut Vec<Member> {
        match self.stack.last_mut() {
            Some((_, members)) => members,
            None => &mut self.members,
        }
    }
}

impl Sink for TreeSink {
    fn value(&mut self, key: &'static str) -> &mut Vec<u8> {
        let members = self.current();
        members.push(Member {
            key,
            node: Node::Raw(Vec::new()),
        });
        match members.last_mut() {
            Some(Member {
                node: Node::Raw(bytes),
                ..
            }) => bytes,
            _ => unreachable!("a raw member was just pushed"),
        }
    }

    fn begin_object(&mut self, key: &'static str) {
        self.stack.push((key, Vec::new()));
    }

    fn end_object(&mut self) {
        if let Some((key, members)) = self.stack.pop() {
            self.current().push(Member {
                key,
                node: Node::Object(members),
            });
        }
    }
}

fn render(members: &[Member], out: &mut Vec<u8>) {
    out.push(b'{');
    for (at, member) in members.iter().enumerate() {
        if at > 0 {
            out.push(b',');
        }
        push_str(out, member.key);
        out.push(b':');
        match &member.node {
            Node::Raw(bytes) => out.extend_from_slice(bytes),
            Node::Object(inner) => render(inner, out),
        }
    }
    out.push(b'}');
}

fn doc_order(key: &str) -> usize {
    FIELDS
        .iter()
        .position(|rule| rule.name == key)
        .unwrap_or(usize::MAX)
}

/// The record's members, for one mutation.
struct Record {
    members: Vec<Member>,
}

impl Record {
    fn raw(&self, key: &str) -> Option<&[u8]> {
        self.members
            .iter()
            .find(|member| member.key == key)
            .and_then(|member| match &member.node {
                Node::Raw(bytes) => Some(bytes.as_slice()),
                Node::Object(_) => None,
            })
    }

    /// The string value of a member written by the generator (no escapes in it).
    fn text(&self, key: &str) -> Option<String> {
        self.raw(key)
            .and_then(|raw| serde_json::from_slice::<String>(raw).ok())
    }

    /// Sets a member's JSON text, inserting it at its documented position when absent.
    fn set(&mut self, key: &'static str, value: Vec<u8>) {
        if let Some(member) = self.members.iter_mut().find(|member| member.key == key) {
            member.node = Node::Raw(value);
            return;
        }
        let order = doc_order(key);
        let at = self
            .members
            .iter()
            .position(|member| doc_order(member.key) > order)
            .unwrap_or(self.members.len());
        self.members.insert(
            at,
            Member {
                key,
                node: Node::Raw(value),
            },
        );
    }

    fn remove(&mut self, key: &str) {
        self.members.retain(|member| member.key != key);
    }

    fn set_nested(&mut self, key: &str, inner_key: &'static str, value: Vec<u8>) {
        let Some(Member {
            node: Node::Object(inner),
            ..
        }) = self.members.iter_mut().find(|member| member.key == key)
        else {
            return;
        };
        match inner.iter_mut().find(|item| item.key == inner_key) {
            Some(item) => item.node = Node::Raw(value),
            None => inner.insert(
                0,
                Member {
                    key: inner_key,
                    node: Node::Raw(value),
                },
            ),
        }
    }

    /// The label IDs currently in `labelIDs` (empty when `null`).
    fn labels(&self) -> Vec<String> {
        self.raw(member::LABEL_IDS)
            .and_then(|raw| serde_json::from_slice::<Option<Vec<String>>>(raw).ok())
            .flatten()
            .unwrap_or_default()
    }
}

fn json_string(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 2);
    push_str(&mut out, text);
    out
}

fn json_labels(labels: &[String]) -> Vec<u8> {
    let mut out = vec![b'['];
    for (at, label) in labels.iter().enumerate() {
        if at > 0 {
            out.push(b',');
        }
        push_str(&mut out, label);
    }
    out.push(b']');
    out
}

fn civil_string(civil: &Civil, zone: bool) -> Vec<u8> {
    let mut out = vec![b'"'];
    time::push_civil(&mut out, civil, zone);
    out.push(b'"');
    out
}

/// The timestamps a date-time mutation may break: never `closedAt`, which the status and
/// close-duration checks read.
/// Reads one timestamp of a plan.
type TimestampOf = fn(&Plan) -> Option<i64>;

const MUTABLE_TIMESTAMPS: &[(&str, TimestampOf)] = &[
    (member::CREATED_AT, |plan| Some(plan.created)),
    (member::UPDATED_AT, |plan| Some(plan.updated)),
    (member::PICKED_UP_AT, |plan| plan.picked),
    (member::MISSED_AT, |plan| plan.missed),
    (member::REOPENED_AT, |plan| plan.reopened),
];

/// Context a mutation needs besides the record.
pub(crate) struct Context<'a> {
    pub(crate) pools: &'a Pools,
    pub(crate) channel_list: Option<&'a [String]>,
    pub(crate) label_list: Option<&'a [String]>,
}

/// Writes `plan` with the mutation of `kind` into `out` and returns the label's pointer.
pub(crate) fn write_mutant(
    kind: &MutantKind,
    plan: &Plan,
    context: &Context<'_>,
    rand: &mut Rand,
    out: &mut Vec<u8>,
) -> String {
    let mut sink = TreeSink::default();
    record::emit(plan, context.pools, &mut sink);
    let mut record = Record {
        members: sink.members,
    };
    let pointer = mutate(kind.mutation, &mut record, plan, context, rand);
    match kind.mutation {
        Mutation::NotAnObject => {
            let mut text = Vec::new();
            render(&record.members, &mut text);
            let text = String::from_utf8(text).unwrap_or_default();
            push_str(out, &text);
        }
        _ => render(&record.members, out),
    }
    pointer
}

fn pointer_of(key: &str) -> String {
    format!("/{key}")
}

/// The mutation's piece: each one changes `record` (drawing from `rand` in a fixed order, so
/// output stays byte-identical for a seed) and returns the pointer the validator reports.
type Apply = fn(Mutation, &mut Record, &Plan, &Context<'_>, &mut Rand) -> String;

fn mutate(
    mutation: Mutation,
    record: &mut Record,
    plan: &Plan,
    context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let apply: Apply = match mutation {
        M::SyntaxPythonLiteral => mutate_syntax_python_literal,
        M::EncodingLatin1 => mutate_encoding_latin1,
        M::EncodingLoneSurrogate => mutate_encoding_lone_surrogate,
        M::NotAnObject => mutate_not_an_object,
        M::DuplicateKey => mutate_duplicate_key,
        M::RequiredMissing => mutate_required_missing,
        M::RequiredNull => mutate_required_null,
        M::WrongType => mutate_wrong_type,
        M::EnumCase => mutate_enum_case,
        M::EnumUnknown => mutate_enum_unknown,
        M::DateFormat | M::DateImpossible | M::DateHour25 | M::DateNoZone => mutate_date,
        M::Ip => mutate_ip,
        M::Language => mutate_language,
        M::Country => mutate_country,
        M::Url => mutate_url,
        M::Fraction => mutate_fraction,
        M::Negative => mutate_negative,
        M::LabelEmpty => mutate_label_empty,
        M::LabelDuplicate => mutate_label_duplicate,
        M::Timeline => mutate_timeline,
        M::ChannelUnknown => mutate_channel_unknown,
        M::LabelUnknown => mutate_label_unknown,
        M::TooDeep => mutate_too_deep,
        M::StatusConsistency => mutate_status_consistency,
        M::CloseDuration => mutate_close_duration,
        M::UnknownField | M::NullValue | M::UnrecognisedValue | M::UndocumentedShape => {
            mutate_member_shape
        }
        M::CanonicalTimestamp => mutate_canonical_timestamp,
    };
    apply(mutation, record, plan, context, rand)
}

fn mutate_syntax_python_literal(
    _mutation: Mutation,
    record: &mut Record,
    _plan: &Plan,
    _context: &Context<'_>,
    _rand: &mut Rand,
) -> String {
    record.set(member::ATTACHMENT, b"True".to_vec());
    pointer_of(member::ATTACHMENT)
}

fn mutate_encoding_latin1(
    _mutation: Mutation,
    record: &mut Record,
    _plan: &Plan,
    _context: &Context<'_>,
    _rand: &mut Rand,
) -> String {
    let name = record
        .text(member::VISITOR_LAST_NAME)
        .unwrap_or_else(|| "Example".to_owned());
    let mut value = vec![b'"'];
    value.extend_from_slice(&name.as_bytes()[..name.len() - 1]);
    value.extend_from_slice(b"\xe9\"");
    record.set(member::VISITOR_LAST_NAME, value);
    pointer_of(member::VISITOR_LAST_NAME)
}

fn mutate_encoding_lone_surrogate(
    _mutation: Mutation,
    record: &mut Record,
    _plan: &Plan,
    _context: &Context<'_>,
    _rand: &mut Rand,
) -> String {
    let name = record
        .text(member::VISITOR_FIRST_NAME)
        .unwrap_or_else(|| "Ada".to_owned());
    let mut value = json_string(&name);
    value.pop();
    value.extend_from_slice(b"\\ud83d\"");
    record.set(member::VISITOR_FIRST_NAME, value);
    pointer_of(member::VISITOR_FIRST_NAME)
}

fn mutate_not_an_object(
    _mutation: Mutation,
    _record: &mut Record,
    _plan: &Plan,
    _context: &Context<'_>,
    _rand: &mut Rand,
) -> String {
    String::new()
}

fn mutate_duplicate_key(
    _mutation: Mutation,
    record: &mut Record,
    _plan: &Plan,
    _context: &Context<'_>,
    _rand: &mut Rand,
) -> String {
    let at = record
        .members
        .iter()
        .position(|entry| entry.key == member::STATUS)
        .unwrap_or(0);
    let copy = record.members[at].clone();
    record.members.insert(at + 1, copy);
    pointer_of(member::STATUS)
}

fn mutate_required_missing(
    _mutation: Mutation,
    record: &mut Record,
    _plan: &Plan,
    _context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let key = *rand.pick(&[member::ID, member::CREATED_AT, member::STATUS]);
    record.remove(key);
    pointer_of(key)
}

fn mutate_required_null(
    _mutation: Mutation,
    record: &mut Record,
    _plan: &Plan,
    _context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let key = *rand.pick(&[member::ID, member::CREATED_AT, member::STATUS]);
    record.set(key, b"null".to_vec());
    pointer_of(key)
}

fn mutate_wrong_type(
    _mutation: Mutation,
    record: &mut Record,
    plan: &Plan,
    _context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let choice = rand.below(7);
    let (key, value): (&'static str, Vec<u8>) = match choice {
        0 => (
            member::ATTACHMENT,
            json_string(if rand.percent(50) { "true" } else { "false" }),
        ),
        1 => {
            let mut digits = Vec::new();
            push_u64(&mut digits, plan.duration().unwrap_or(1234) as u64);
            (
                member::DURATION,
                json_string(&String::from_utf8(digits).unwrap_or_default()),
            )
        }
        2 => {
            let mut digits = Vec::new();
            push_u64(&mut digits, plan.created as u64);
            (member::CREATED_AT, digits)
        }
        3 => (
            member::LABEL_IDS,
            json_string(
                record
                    .labels()
                    .first()
                    .map_or("63f0a1b2c3d4e5f601a2b3c4", String::as_str),
            ),
        ),
        4 => (
            member::LOCATION_DETAIL,
            json_string(
                &record
                    .text(member::LOCATION)
                    .unwrap_or_else(|| "HK".to_owned()),
            ),
        ),
        5 => (
            member::TRANSFERRED_PARTY,
            b"{\"destinationType\":\"STAFF\"}".to_vec(),
        ),
        _ => (member::ID, {
            let mut digits = Vec::new();
            push_u64(&mut digits, u64::from(rand.u32()));
            digits
        }),
    };
    record.set(key, value);
    pointer_of(key)
}

fn mutate_enum_case(
    _mutation: Mutation,
    record: &mut Record,
    plan: &Plan,
    context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let mut candidates: Vec<&'static str> = vec![
        member::INIT_CHANNEL,
        member::OMNI_TYPE,
        member::DESTINATION_TYPE,
        member::DESTINATION_END_POINT,
    ];
    if plan.status != Status::Closed {
        candidates.push(member::STATUS);
    }
    if context.channel_list.is_none() {
        candidates.push(member::CHANNEL);
    }
    let key = *rand.pick(&candidates);
    let value = record.text(key).unwrap_or_default();
    let changed = if key == member::STATUS
        || key == member::CHANNEL && value.chars().any(|c| c.is_ascii_lowercase())
    {
        // `ongoing` -> `Ongoing`, `Weblink` -> `WEBLINK`.
        if key == member::STATUS {
            let mut chars = value.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        } else {
            value.to_ascii_uppercase()
        }
    } else if key == member::OMNI_TYPE {
        "Cinnox".to_owned()
    } else {
        value.to_ascii_lowercase()
    };
    record.set(key, json_string(&changed));
    pointer_of(key)
}

fn mutate_enum_unknown(
    _mutation: Mutation,
    record: &mut Record,
    plan: &Plan,
    _context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let mut candidates: Vec<(&'static str, &'static str)> = vec![
        (member::INIT_CHANNEL, "VIDEO"),
        (member::OMNI_TYPE, "MAAII"),
        (member::DESTINATION_TYPE, "SMS"),
        (member::DESTINATION_END_POINT, "QUEUE"),
    ];
    if plan.status != Status::Closed {
        candidates.push((member::STATUS, "pending"));
    }
    let (key, value) = *rand.pick(&candidates);
    record.set(key, json_string(value));
    pointer_of(key)
}

/// One of the record's timestamps that the plan sets, with its instant.
fn pick_timestamp(plan: &Plan, rand: &mut Rand) -> (&'static str, i64) {
    let present: Vec<(&'static str, i64)> = MUTABLE_TIMESTAMPS
        .iter()
        .filter_map(|(key, get)| get(plan).map(|at| (*key, at)))
        .collect();
    *rand.pick(&present)
}

fn mutate_date(
    mutation: Mutation,
    record: &mut Record,
    plan: &Plan,
    _context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let (key, at) = pick_timestamp(plan, rand);
    let mut civil = Civil::of(at);
    let value = match mutation {
        M::DateFormat => format!(
            "\"{:04}/{:02}/{:02} {:02}:{:02}:{:02}\"",
            civil.year, civil.month, civil.day, civil.hour, civil.minute, civil.second
        )
        .into_bytes(),
        M::DateImpossible => {
            civil.month = 2;
            civil.day = 30;
            civil_string(&civil, true)
        }
        M::DateHour25 => {
            civil.hour = 25;
            civil_string(&civil, true)
        }
        _ => civil_string(&civil, false),
    };
    record.set(key, value);
    pointer_of(key)
}

fn mutate_ip(
    _mutation: Mutation,
    record: &mut Record,
    _plan: &Plan,
    _context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let value = match rand.below(4) {
        0 => format!("192.0.2.{}", 256 + rand.below(700)),
        1 => format!(
            "198.51.100.{}:{}",
            1 + rand.below(254),
            1024 + rand.below(60000)
        ),
        2 => format!("2001:db8::g{}", rand.below(10)),
        _ => format!("203.0.{}", 113),
    };
    record.set(member::IP, json_string(&value));
    pointer_of(member::IP)
}

fn mutate_language(
    _mutation: Mutation,
    record: &mut Record,
    _plan: &Plan,
    _context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let value = *rand.pick(&["eng", "EN", "en-US", "english", "zh_HK"]);
    record.set(member::LANGUAGE, json_string(value));
    pointer_of(member::LANGUAGE)
}

fn mutate_country(
    _mutation: Mutation,
    record: &mut Record,
    _plan: &Plan,
    _context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let country = record
        .text(member::LOCATION)
        .unwrap_or_else(|| "HK".to_owned());
    let value = match rand.below(3) {
        0 => format!("{country}X"),
        1 => country.to_ascii_lowercase(),
        _ => "UK".to_owned(),
    };
    if rand.percent(50) {
        record.set(member::LOCATION, json_string(&value));
        pointer_of(member::LOCATION)
    } else {
        record.set_nested(
            member::LOCATION_DETAIL,
            location_detail::REGION_CODE,
            json_string(&value),
        );
        "/locationDetail/regionCode".to_owned()
    }
}

fn mutate_url(
    _mutation: Mutation,
    record: &mut Record,
    _plan: &Plan,
    _context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let link = record.text(member::INQUIRY_DEEP_LINK).unwrap_or_default();
    let path = link.strip_prefix("https://").unwrap_or(&link).to_owned();
    let value = match rand.below(3) {
        0 => path.strip_prefix("example.com").unwrap_or(&path).to_owned(),
        1 => path,
        _ => format!("ftp://{path}"),
    };
    record.set(member::INQUIRY_DEEP_LINK, json_string(&value));
    pointer_of(member::INQUIRY_DEEP_LINK)
}

fn mutate_fraction(
    _mutation: Mutation,
    record: &mut Record,
    plan: &Plan,
    _context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let (key, value) = match (plan.close_duration(), plan.duration()) {
        (Some(close), _) if rand.percent(50) => (member::CLOSE_DURATION, close),
        (_, Some(duration)) => (member::DURATION, duration),
        (Some(close), None) => (member::CLOSE_DURATION, close),
        (None, None) => (member::DURATION, 1000 + i64::from(rand.below(60_000))),
    };
    let mut text = Vec::new();
    push_u64(&mut text, value as u64);
    text.extend_from_slice(b".5");
    record.set(key, text);
    pointer_of(key)
}

fn mutate_negative(
    _mutation: Mutation,
    record: &mut Record,
    plan: &Plan,
    _context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let value = plan
        .duration()
        .unwrap_or(1000 + i64::from(rand.below(60_000)))
        .max(1);
    let mut text = vec![b'-'];
    push_u64(&mut text, value as u64);
    record.set(member::DURATION, text);
    pointer_of(member::DURATION)
}

fn mutate_label_empty(
    _mutation: Mutation,
    record: &mut Record,
    _plan: &Plan,
    _context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let mut labels = record.labels();
    let at = rand.index(labels.len() + 1);
    labels.insert(at, String::new());
    record.set(member::LABEL_IDS, json_labels(&labels));
    format!("/labelIDs/{at}")
}

fn mutate_label_duplicate(
    _mutation: Mutation,
    record: &mut Record,
    _plan: &Plan,
    context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let mut labels = record.labels();
    if labels.is_empty() {
        labels.push(
            context
                .pools
                .labels
                .first()
                .cloned()
                .unwrap_or_else(|| "63f0a1b2c3d4e5f601a2b3c4".to_owned()),
        );
    }
    let copy = labels[rand.index(labels.len())].clone();
    labels.push(copy);
    record.set(member::LABEL_IDS, json_labels(&labels));
    format!("/labelIDs/{}", labels.len() - 1)
}

fn mutate_timeline(
    _mutation: Mutation,
    record: &mut Record,
    plan: &Plan,
    _context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let present: Vec<&'static str> = MUTABLE_TIMESTAMPS[1..]
        .iter()
        .filter(|(_, get)| get(plan).is_some())
        .map(|(key, _)| *key)
        .collect();
    let key = *rand.pick(&present);
    let before = plan.created - SECOND - rand.range(0, (HOUR - SECOND) as u64) as i64;
    let mut value = vec![b'"'];
    time::push_timestamp(&mut value, before);
    value.push(b'"');
    record.set(key, value);
    pointer_of(key)
}

fn mutate_channel_unknown(
    _mutation: Mutation,
    record: &mut Record,
    _plan: &Plan,
    context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    // A documented channel the tenant does not have, when there is one (the documented
    // schema then accepts the record, as it cannot know the tenant's list); otherwise a
    // made-up one.
    let list = context.channel_list.unwrap_or(&[]);
    let missing: Vec<&str> = Channel::DOCUMENTED
        .iter()
        .copied()
        .filter(|name| !list.iter().any(|listed| listed == name))
        .collect();
    let mut name = if missing.is_empty() {
        "TELEGRAM".to_owned()
    } else {
        (*rand.pick(&missing)).to_owned()
    };
    while list.contains(&name) {
        name.push('X');
    }
    record.set(member::CHANNEL, json_string(&name));
    pointer_of(member::CHANNEL)
}

fn mutate_label_unknown(
    _mutation: Mutation,
    record: &mut Record,
    _plan: &Plan,
    context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let list = context.label_list.unwrap_or(&[]);
    let mut labels = record.labels();
    let fresh = loop {
        let mut id = Vec::with_capacity(24);
        push_hex(&mut id, &rand.bytes12());
        let id = String::from_utf8(id).unwrap_or_default();
        if !list.contains(&id) && !labels.contains(&id) {
            break id;
        }
    };
    let at = rand.index(labels.len() + 1);
    labels.insert(at, fresh);
    record.set(member::LABEL_IDS, json_labels(&labels));
    format!("/labelIDs/{at}")
}

fn mutate_too_deep(
    _mutation: Mutation,
    record: &mut Record,
    _plan: &Plan,
    _context: &Context<'_>,
    _rand: &mut Rand,
) -> String {
    let mut value = b"[{\"route\":".to_vec();
    value.extend(std::iter::repeat_n(b'[', TOO_DEEP_ARRAYS));
    value.extend(std::iter::repeat_n(b']', TOO_DEEP_ARRAYS));
    value.extend_from_slice(b"}]");
    record.set(member::TRANSFERRED_PARTY, value);
    too_deep_pointer()
}

/// Where the validator reports the `too-deep` mutant: the first container deeper than 128
/// levels, the record being level 1.
fn too_deep_pointer() -> String {
    // Levels: record 1, transferredParty 2, its object 3, "route" array 4, then one per `[`.
    let mut pointer = "/transferredParty/0/route".to_owned();
    for _ in 4..129 {
        pointer.push_str("/0");
    }
    pointer
}

/// The record contract's `closedAt`-on-closed-only rule: (member, deciding member, value).
fn only_when() -> (&'static str, &'static str, &'static str) {
    RECORD
        .cross
        .iter()
        .find_map(|rule| match *rule {
            CrossRule::OnlyWhen {
                member,
                when,
                equals,
            } => Some((member, when, equals)),
            _ => None,
        })
        .unwrap_or_default()
}

fn timestamp_json(at: i64) -> Vec<u8> {
    let mut value = vec![b'"'];
    time::push_timestamp(&mut value, at);
    value.push(b'"');
    value
}

fn mutate_status_consistency(
    _mutation: Mutation,
    record: &mut Record,
    plan: &Plan,
    _context: &Context<'_>,
    _rand: &mut Rand,
) -> String {
    let (member, when, equals) = only_when();
    if plan.closed.is_some() {
        // Another status that no presence rule ties to a member (`ongoing`).
        let tied = |value: &&str| {
            RECORD.cross.iter().any(
                |rule| matches!(rule, CrossRule::PresentWhen { equals, .. } if equals == value),
            )
        };
        let other = RECORD
            .enum_values(when)
            .iter()
            .find(|value| **value != equals && !tied(value))
            .copied()
            .unwrap_or_default();
        record.set(when, json_string(other));
    } else {
        record.set(member, timestamp_json(plan.updated));
    }
    pointer_of(member)
}

fn mutate_close_duration(
    _mutation: Mutation,
    record: &mut Record,
    plan: &Plan,
    _context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let Some(&CrossRule::Elapsed {
        member,
        to,
        tolerance_ms,
        ..
    }) = RECORD
        .cross
        .iter()
        .find(|rule| matches!(rule, CrossRule::Elapsed { .. }))
    else {
        return String::new();
    };
    let closed = plan.closed.unwrap_or_else(|| {
        // Not closed: close it at its last update, so only the duration is wrong.
        let (_, when, equals) = only_when();
        record.set(when, json_string(equals));
        record.set(to, timestamp_json(plan.updated));
        plan.updated
    });
    let off = tolerance_ms as i64 + SECOND + rand.range(0, HOUR as u64) as i64;
    let mut text = Vec::new();
    push_u64(&mut text, (closed - plan.created + off) as u64);
    record.set(member, text);
    pointer_of(member)
}

/// Undocumented members a producer might send (a miscased `labelIDs`, a new one).
const UNKNOWN_MEMBERS: &[&str] = &["labelIds", "svcId", "priority", "customerTier"];

/// Values a producer might put in `handledType` that the contract does not recognise.
const UNRECOGNISED: &[&str] = &["AGENT", "VOICEMAIL", "SIP"];

/// The warnings about one member's value or presence: an undocumented member, `null` on an
/// optional string, an unrecognised value, a list where a string is documented.
fn mutate_member_shape(
    mutation: Mutation,
    record: &mut Record,
    _plan: &Plan,
    _context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let fields = |wanted: fn(&FieldKind) -> bool| -> Vec<&'static str> {
        FIELDS
            .iter()
            .filter(|rule| !rule.required && !rule.nullable && wanted(&rule.kind))
            .map(|rule| rule.name)
            .collect()
    };
    let (key, value) = match mutation {
        M::UnknownField => (*rand.pick(UNKNOWN_MEMBERS), b"[]".to_vec()),
        M::NullValue => (
            *rand.pick(&fields(|kind| *kind == FieldKind::Text)),
            b"null".to_vec(),
        ),
        M::UnrecognisedValue => {
            let key = *rand.pick(&fields(|kind| matches!(kind, FieldKind::RecognisedText(_))));
            let value = *rand.pick(UNRECOGNISED);
            (key, json_string(value))
        }
        _ => {
            let key = *rand.pick(&fields(|kind| matches!(kind, FieldKind::TextOrTextList(_))));
            let text = record.text(key).filter(|text| !text.is_empty());
            let mut id = Vec::new();
            push_hex(&mut id, &rand.bytes12());
            let text = text.unwrap_or_else(|| String::from_utf8(id).unwrap_or_default());
            let items: Vec<String> = text.split(',').map(str::to_owned).collect();
            (key, json_labels(&items))
        }
    };
    record.set(key, value);
    pointer_of(key)
}

/// Offsets a non-canonical timestamp may carry, in minutes east of UTC.
const OFFSETS: &[i64] = &[480, -300, 330, 60];

fn mutate_canonical_timestamp(
    _mutation: Mutation,
    record: &mut Record,
    plan: &Plan,
    _context: &Context<'_>,
    rand: &mut Rand,
) -> String {
    let (key, at) = pick_timestamp(plan, rand);
    let offset = *rand.pick(OFFSETS);
    // The same instant, written in local time with its offset.
    let mut value = vec![b'"'];
    time::push_civil(&mut value, &Civil::of(at + offset * 60 * SECOND), false);
    let sign = if offset < 0 { '-' } else { '+' };
    let (hours, minutes) = (offset.abs() / 60, offset.abs() % 60);
    value.extend_from_slice(format!("{sign}{hours:02}:{minutes:02}\"").as_bytes());
    record.set(key, value);
    pointer_of(key)
}
