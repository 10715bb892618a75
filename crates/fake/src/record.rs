//! One valid, coherent enquiry: the plan (every value decided up front) and its emission.

use enquiry_schema::names::record::{
    self as member, channel, destination_end_point as end_point, destination_type, handled_type,
    init_channel, location_detail, omni_type,
};
use enquiry_schema::{codes, Channel, Status};

use crate::rng::Rand;
use crate::time::{self, Millis, DAY, HOUR, MINUTE, SECOND};

/// Fictional first names (staff and visitors).
pub const FIRST_NAMES: &[&str] = &[
    "Ada", "Bruno", "Chidi", "Dana", "Emil", "Farah", "Gus", "Hana", "Ivo", "Juno", "Kai", "Lena",
    "Milo", "Nia", "Otto", "Pia",
];

/// Obviously fictional last names (staff and visitors).
pub const LAST_NAMES: &[&str] = &[
    "Example",
    "Sample",
    "Placeholder",
    "Fictional",
    "Testington",
    "Mockford",
    "Dummyworth",
    "Fakeley",
];

/// The label IDs used in `labelIDs` when no label list is given.
pub const DEFAULT_LABEL_IDS: &[&str] = &[
    "63f0a1b2c3d4e5f601a2b3c4",
    "63f0a1b2c3d4e5f601a2b3c5",
    "63f0a1b2c3d4e5f601a2b3c6",
    "6401d2e3f4a5b6c702d3e4f5",
    "6401d2e3f4a5b6c702d3e4f6",
    "6512e3f4a5b6c7d803e4f5a6",
];

/// The tenant's service accounts (`svcID`).
const SERVICE_IDS: &[&str] = &["62a7c0e1f2b3a4c5d6e7f801", "62a7c0e1f2b3a4c5d6e7f802"];

/// Service groups: (`destinationName`, `destinationID`).
const SERVICE_GROUPS: &[(&str, &str)] = &[
    ("Sales", "6300b1c2d3e4f5a6b7c8d901"),
    ("Support", "6300b1c2d3e4f5a6b7c8d902"),
    ("Billing", "6300b1c2d3e4f5a6b7c8d903"),
    ("Onboarding", "6300b1c2d3e4f5a6b7c8d904"),
    ("VIP Desk", "6300b1c2d3e4f5a6b7c8d905"),
];

/// Departments (`handledPartyDepartmentID`).
const DEPARTMENTS: &[&str] = &[
    "6311c2d3e4f5a6b7c8d9e001",
    "6311c2d3e4f5a6b7c8d9e002",
    "6311c2d3e4f5a6b7c8d9e003",
];

/// Number of staff members; staff `k` is `FIRST_NAMES[k]` `LAST_NAMES[k % 8]`.
const STAFF: usize = 12;

/// Places: (country, subdivision, city, province, languages).
type Place = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);
const PLACES: &[Place] = &[
    (
        "HK",
        "Central and Western",
        "Hong Kong",
        "Hong Kong Island",
        &["zh", "en"],
    ),
    ("HK", "Kowloon City", "Kowloon", "Kowloon", &["zh", "en"]),
    (
        "SG",
        "Central Region",
        "Singapore",
        "Singapore",
        &["en", "zh", "ms"],
    ),
    ("TW", "Taipei City", "Taipei", "Taipei", &["zh"]),
    ("JP", "Tokyo", "Shinjuku", "Tokyo", &["ja"]),
    ("KR", "Seoul", "Gangnam", "Seoul", &["ko"]),
    ("GB", "England", "London", "Greater London", &["en"]),
    (
        "US",
        "California",
        "San Francisco",
        "California",
        &["en", "es"],
    ),
    ("US", "New York", "New York", "New York", &["en"]),
    (
        "MY",
        "Selangor",
        "Petaling Jaya",
        "Selangor",
        &["ms", "en", "zh"],
    ),
    (
        "PH",
        "Metro Manila",
        "Makati",
        "Metro Manila",
        &["en", "tl"],
    ),
    ("ID", "Jakarta", "Jakarta", "DKI Jakarta", &["id"]),
    ("TH", "Bangkok", "Bangkok", "Bangkok", &["th"]),
    (
        "VN",
        "Ho Chi Minh City",
        "Ho Chi Minh City",
        "Ho Chi Minh City",
        &["vi"],
    ),
    (
        "AU",
        "New South Wales",
        "Sydney",
        "New South Wales",
        &["en"],
    ),
    ("DE", "Berlin", "Berlin", "Berlin", &["de"]),
    ("FR", "Ile-de-France", "Paris", "Ile-de-France", &["fr"]),
    ("ES", "Madrid", "Madrid", "Comunidad de Madrid", &["es"]),
    ("BR", "Sao Paulo", "Sao Paulo", "Sao Paulo", &["pt"]),
    (
        "VE",
        "Distrito Capital",
        "Caracas",
        "Distrito Capital",
        &["es"],
    ),
    ("IN", "Maharashtra", "Mumbai", "Maharashtra", &["hi", "en"]),
    ("AE", "Dubai", "Dubai", "Dubai", &["ar", "en"]),
];

/// Browsers of web visitors (`platform` on `Weblink`).
const WEB_PLATFORMS: &[&str] = &[
    "Chrome on macOS",
    "Safari on iOS",
    "Firefox on Windows",
    "Edge on Windows",
    "Chrome on Android",
];

/// Facts about a channel the generator needs: (`type`, `platform`, display name, channel ID,
/// third party, weight).
struct ChannelFacts {
    sub_type: &'static str,
    platform: &'static str,
    display: &'static str,
    id: &'static str,
    third_party: bool,
    weight: u32,
}

const fn facts(
    sub_type: &'static str,
    platform: &'static str,
    display: &'static str,
    id: &'static str,
    third_party: bool,
    weight: u32,
) -> ChannelFacts {
    ChannelFacts {
        sub_type,
        platform,
        display,
        id,
        third_party,
        weight,
    }
}

/// Indexed like [`Channel::DOCUMENTED`]; the last entry serves channels from a user's list.
const CHANNEL_FACTS: &[ChannelFacts] = &[
    facts(
        "WEB",
        "",
        "Example Co. Website",
        "6322d3e4f5a6b7c8d9e0f101",
        false,
        25,
    ),
    facts(
        "DID",
        "PSTN",
        "Example Co. Hotline",
        "6322d3e4f5a6b7c8d9e0f102",
        false,
        15,
    ),
    facts(
        "EMAIL",
        channel::EMAIL,
        "Example Co. Support Mailbox",
        "6322d3e4f5a6b7c8d9e0f103",
        false,
        10,
    ),
    facts(
        "OPEN_API",
        "Open API",
        "Example Co. Partner API",
        "6322d3e4f5a6b7c8d9e0f104",
        true,
        5,
    ),
    facts(
        "MESSENGER",
        "Facebook Messenger",
        "Example Co. on Facebook",
        "6322d3e4f5a6b7c8d9e0f105",
        true,
        10,
    ),
    facts(
        "WHATSAPP_BUSINESS",
        "WhatsApp",
        "Example Co. on WhatsApp",
        "6322d3e4f5a6b7c8d9e0f106",
        true,
        15,
    ),
    facts(
        "OFFICIAL_ACCOUNT",
        "WeChat",
        "Example Co. on WeChat",
        "6322d3e4f5a6b7c8d9e0f107",
        true,
        7,
    ),
    facts(
        "LINE_OA",
        channel::LINE,
        "Example Co. on LINE",
        "6322d3e4f5a6b7c8d9e0f108",
        true,
        8,
    ),
    facts(
        "WOZTELL_BOT",
        channel::WOZTELL,
        "Example Co. on WOZTELL",
        "6322d3e4f5a6b7c8d9e0f109",
        true,
        5,
    ),
    facts(
        "CUSTOM",
        "Open API",
        "Example Co. Custom Channel",
        "6322d3e4f5a6b7c8d9e0f10a",
        true,
        5,
    ),
];

/// The relative weights of the statuses, indexed like [`Status::DOCUMENTED`].
const STATUS_WEIGHTS: [u32; 4] = [20, 10, 20, 50];

/// A channel the generator may use: its wire name and the facts that go with it.
#[derive(Debug, Clone)]
pub(crate) struct ChannelChoice {
    pub(crate) name: String,
    facts: usize,
}

impl ChannelChoice {
    pub(crate) fn new(name: &str) -> ChannelChoice {
        let facts = Channel::DOCUMENTED
            .iter()
            .position(|documented| *documented == name)
            .unwrap_or(CHANNEL_FACTS.len() - 1);
        ChannelChoice {
            name: name.to_owned(),
            facts,
        }
    }

    fn weight(&self) -> u32 {
        CHANNEL_FACTS[self.facts].weight
    }
}

/// What the record generator draws from (set up once per [`crate::Generator`]).
#[derive(Debug, Clone)]
pub(crate) struct Pools {
    pub(crate) statuses: Vec<Status>,
    status_weights: Vec<u32>,
    pub(crate) channels: Vec<ChannelChoice>,
    channel_weights: Vec<u32>,
    pub(crate) labels: Vec<String>,
}

impl Pools {
    pub(crate) fn new(
        statuses: Vec<Status>,
        channels: Vec<ChannelChoice>,
        labels: Vec<String>,
    ) -> Pools {
        let status_weights = statuses
            .iter()
            .map(|status| {
                Status::DOCUMENTED
                    .iter()
                    .position(|text| *text == status.as_str())
                    .map_or(1, |index| STATUS_WEIGHTS[index])
            })
            .collect();
        let channel_weights = channels.iter().map(ChannelChoice::weight).collect();
        Pools {
            statuses,
            status_weights,
            channels,
            channel_weights,
            labels,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// IM straight to staff.
    StaffDirect,
    /// IM to a chatbot that hands over to staff.
    BotThenStaff,
    /// IM handled by a chatbot alone.
    Bot,
    /// A call through the IVR to staff.
    IvrStaff,
    /// A call straight to staff.
    CallStaff,
    /// A call forwarded to a phone number.
    Phone,
    /// A call forwarded over a SIP trunk.
    Trunk,
}

impl Route {
    fn destination(self) -> (&'static str, &'static str) {
        match self {
            Route::StaffDirect | Route::CallStaff => (destination_type::STAFF, end_point::STAFF),
            Route::BotThenStaff => (destination_type::CHATBOT, end_point::STAFF),
            Route::Bot => (destination_type::CHATBOT, end_point::CHATBOT),
            Route::IvrStaff => (destination_type::STAFF, end_point::IVR),
            Route::Phone => (destination_type::PHONE, end_point::IVR),
            Route::Trunk => (destination_type::TRUNK, end_point::IVR),
        }
    }

    /// The `handledType` of whoever handles an enquiry routed this way.
    fn handled_type(self) -> &'static str {
        match self {
            Route::Phone => handled_type::PHONE,
            Route::Trunk => handled_type::TRUNK,
            _ => handled_type::STAFF,
        }
    }

    fn to_staff(self) -> bool {
        !matches!(self, Route::Bot | Route::Phone | Route::Trunk)
    }
}

#[derive(Debug, Clone, Copy)]
enum Handler {
    Staff(usize),
    Number { number: u32 },
}

#[derive(Debug, Clone, Copy)]
enum Ip {
    V4(u8, u8),
    V6(u16, u16, u16),
}

/// Every value of one record, decided before anything is written.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) created: Millis,
    pub(crate) updated: Millis,
    pub(crate) picked: Option<Millis>,
    pub(crate) missed: Option<Millis>,
    pub(crate) reopened: Option<Millis>,
    pub(crate) closed: Option<Millis>,
    transferred_at: Option<Millis>,
    transfer_group: usize,
    id: [u8; 12],
    unique_key: [u8; 12],
    service: usize,
    inquiry: [u8; 12],
    tag: Option<[u8; 12]>,
    visitor: [u8; 12],
    room: [u8; 12],
    pub(crate) call: bool,
    ip: Option<Ip>,
    language: &'static str,
    place: Option<usize>,
    country: &'static str,
    platform: &'static str,
    pub(crate) status: Status,
    case_number: u32,
    pub(crate) channel: usize,
    group: usize,
    route: Route,
    handler: Option<Handler>,
    hunted: [usize; 3],
    hunted_count: usize,
    inquiry_group: Option<[u8; 12]>,
    attachment: bool,
    visitor_first: usize,
    visitor_last: usize,
    pub(crate) labels: Option<[usize; 3]>,
    pub(crate) label_count: usize,
    /// Written for the strict profile: every member present (see [`Plan::complete`]).
    pub(crate) strict: bool,
}

/// `2022-01-01T00:00:00Z` and `2026-01-01T00:00:00Z`: the creation window.
const WINDOW_START: Millis = 1_640_995_200_000;
const WINDOW_END: Millis = 1_767_225_600_000;

fn between(rand: &mut Rand, low: Millis, high: Millis) -> Millis {
    rand.range(low as u64, high as u64) as Millis
}

/// The instants of one enquiry's life.
struct Timeline {
    created: Millis,
    picked: Option<Millis>,
    missed: Option<Millis>,
    reopened: Option<Millis>,
    closed: Option<Millis>,
    updated: Millis,
}

/// Who handled the enquiry, who was hunted first, and a transfer.
struct Handling {
    handler: Option<Handler>,
    hunted: [usize; 3],
    hunted_count: usize,
    transferred_at: Option<Millis>,
    transfer_group: usize,
}

/// How the enquiry was routed: calls through IVR, staff or numbers; chats to staff or a bot
/// (never a bot alone for an enquiry that was missed).
fn draw_route(rand: &mut Rand, status: &Status, call: bool) -> Route {
    let missed_status = matches!(status, Status::Missed | Status::FollowedUp);
    if call {
        if *status == Status::FollowedUp {
            Route::IvrStaff
        } else {
            [
                Route::IvrStaff,
                Route::CallStaff,
                Route::Phone,
                Route::Trunk,
            ][rand.weighted(&[40, 25, 20, 15])]
        }
    } else {
        let route =
            [Route::StaffDirect, Route::BotThenStaff, Route::Bot][rand.weighted(&[55, 25, 20])];
        if route == Route::Bot && missed_status {
            Route::StaffDirect
        } else {
            route
        }
    }
}

/// Creation in the window, then the instants the status implies, in order.
fn draw_timeline(
    rand: &mut Rand,
    status: &Status,
    route: Route,
    call: bool,
    email: bool,
) -> Timeline {
    let created = between(rand, WINDOW_START, WINDOW_END - 1);
    let (wait_low, wait_high) = if call {
        (3 * SECOND, 90 * SECOND)
    } else {
        (5 * SECOND, 15 * MINUTE)
    };
    let (handle_low, handle_high) = if call {
        (20 * SECOND, 40 * MINUTE)
    } else if email {
        (30 * MINUTE, 2 * DAY)
    } else {
        (2 * MINUTE, 3 * HOUR)
    };
    let mut timeline = Timeline {
        created,
        picked: None,
        missed: None,
        reopened: None,
        closed: None,
        updated: created,
    };
    let last = match status {
        Status::Missed | Status::FollowedUp => {
            let high = if call { 60 * SECOND } else { 30 * MINUTE };
            let at = created + between(rand, 20 * SECOND, high);
            timeline.missed = Some(at);
            if *status == Status::FollowedUp {
                let at = at + between(rand, 10 * MINUTE, 2 * DAY);
                timeline.picked = Some(at);
                at + between(rand, handle_low, handle_high)
            } else {
                at
            }
        }
        Status::Closed => {
            let start = if route == Route::Bot {
                created
            } else {
                let at = created + between(rand, wait_low, wait_high);
                timeline.picked = Some(at);
                at
            };
            let mut end = start + between(rand, handle_low, handle_high);
            if rand.percent(10) {
                let at = end + between(rand, HOUR, 3 * DAY);
                timeline.reopened = Some(at);
                end = at + between(rand, MINUTE, 2 * HOUR);
            }
            timeline.closed = Some(end);
            end
        }
        // Ongoing: a person picked it up, or it is still waiting / with the bot.
        _ if route != Route::Bot && rand.percent(80) => {
            let at = created + between(rand, wait_low, wait_high);
            timeline.picked = Some(at);
            at + between(rand, 0, handle_high / 2)
        }
        _ => created + between(rand, 0, wait_high),
    };
    timeline.updated = last + between(rand, 0, 10 * MINUTE);
    timeline
}

/// The handler of a picked-up enquiry, the staff hunted before it, and sometimes a transfer
/// before `until` (the close, or the last update).
fn draw_handling(
    rand: &mut Rand,
    route: Route,
    picked: Option<Millis>,
    missed: Option<Millis>,
    until: Millis,
) -> Handling {
    let handler = picked.map(|_| match route {
        Route::Phone | Route::Trunk => Handler::Number {
            number: rand.below(100),
        },
        _ => Handler::Staff(rand.index(STAFF)),
    });
    let mut hunted = [0usize; 3];
    let mut hunted_count = 0;
    if route.to_staff() && (picked.is_some() || missed.is_some()) {
        hunted_count = 1 + rand.index(3);
        for slot in hunted.iter_mut().take(hunted_count) {
            *slot = rand.index(STAFF);
        }
        if let Some(Handler::Staff(staff)) = handler {
            hunted[hunted_count - 1] = staff;
        }
    }
    let (transferred_at, transfer_group) = match (handler, picked) {
        (Some(Handler::Staff(_)), Some(at)) if rand.percent(10) => (
            Some(between(rand, at, until)),
            rand.index(SERVICE_GROUPS.len()),
        ),
        _ => (None, 0),
    };
    Handling {
        handler,
        hunted,
        hunted_count,
        transferred_at,
        transfer_group,
    }
}

/// A known place (with its country and a language spoken there), or any country.
fn draw_place(rand: &mut Rand) -> (Option<usize>, &'static str, &'static str) {
    if rand.percent(90) {
        let index = rand.index(PLACES.len());
        let languages = PLACES[index].4;
        (Some(index), PLACES[index].0, *rand.pick(languages))
    } else {
        let countries = codes::country_codes();
        let country = if countries.is_empty() {
            "HK"
        } else {
            *rand.pick(countries)
        };
        (None, country, "en")
    }
}

/// An address from the documentation ranges.
fn draw_ip(rand: &mut Rand) -> Ip {
    if rand.percent(85) {
        Ip::V4(rand.index(3) as u8, 1 + rand.below(254) as u8)
    } else {
        Ip::V6(
            1 + rand.below(0xfffe) as u16,
            rand.below(0x10000) as u16,
            1 + rand.below(0xfffe) as u16,
        )
    }
}

/// Up to three distinct indices into a label pool of `pool` labels (unused slots `usize::MAX`).
fn draw_labels(rand: &mut Rand, pool: usize) -> Option<[usize; 3]> {
    if pool == 0 || rand.percent(40) {
        return None;
    }
    let count = (1 + rand.index(3)).min(pool);
    let mut chosen = [usize::MAX; 3];
    let mut filled = 0;
    while filled < count {
        let candidate = rand.index(pool);
        if !chosen[..filled].contains(&candidate) {
            chosen[filled] = candidate;
            filled += 1;
        }
    }
    Some(chosen)
}

impl Plan {
    /// Draws a coherent enquiry, piece by piece (the order of draws is part of the output: a
    /// seed gives the same records on every version that keeps it).
    pub(crate) fn draw(rand: &mut Rand, pools: &Pools) -> Plan {
        let status = pools.statuses[rand.weighted(&pools.status_weights)].clone();
        let channel = rand.weighted(&pools.channel_weights);
        let facts_index = pools.channels[channel].facts;
        let call = match facts_index {
            1 => true,
            0 => rand.percent(25),
            _ => false,
        };
        let route = draw_route(rand, &status, call);
        let Timeline {
            created,
            picked,
            missed,
            reopened,
            closed,
            updated,
        } = draw_timeline(rand, &status, route, call, facts_index == 2);
        let handling = draw_handling(rand, route, picked, missed, closed.unwrap_or(updated));
        let (place, country, language) = draw_place(rand);
        let ip = if facts_index == 0 {
            Some(draw_ip(rand))
        } else {
            None
        };
        let platform = if facts_index == 0 {
            *rand.pick(WEB_PLATFORMS)
        } else {
            CHANNEL_FACTS[facts_index].platform
        };
        let labels = draw_labels(rand, pools.labels.len());
        let label_count = labels.map_or(0, |chosen| {
            chosen.iter().filter(|c| **c != usize::MAX).count()
        });
        let Handling {
            handler,
            hunted,
            hunted_count,
            transferred_at,
            transfer_group,
        } = handling;

        Plan {
            created,
            updated,
            picked,
            missed,
            reopened,
            closed,
            transferred_at,
            transfer_group,
            id: object_id(rand, created),
            unique_key: rand.bytes12(),
            service: rand.index(SERVICE_IDS.len()),
            inquiry: object_id(rand, created),
            tag: if rand.percent(70) {
                Some(object_id(rand, created))
            } else {
                None
            },
            visitor: {
                let first_seen = created - between(rand, 0, 400 * DAY);
                object_id(rand, first_seen)
            },
            room: object_id(rand, created),
            call,
            ip,
            language,
            place,
            country,
            platform,
            status,
            case_number: rand.below(100_000),
            channel,
            group: rand.index(SERVICE_GROUPS.len()),
            route,
            handler,
            hunted,
            hunted_count,
            inquiry_group: if rand.percent(10) {
                Some(object_id(rand, created))
            } else {
                None
            },
            attachment: rand.percent(20),
            visitor_first: rand.index(FIRST_NAMES.len()),
            visitor_last: rand.index(LAST_NAMES.len()),
            labels,
            label_count,
            strict: false,
        }
    }

    /// Makes the plan one of the strict profile, which requires every documented member:
    /// `tag` and `ip` are drawn (from `rand`, a stream of their own, so that the default
    /// profile's records stay as they were) and [`emit`] writes the members that do not apply
    /// as blanks: `""`, `[]`, a duration of 0, and `createdAt` for an instant that did not
    /// happen (a timestamp is required, `null` is refused, and `createdAt` keeps the timeline).
    pub(crate) fn complete(&mut self, rand: &mut Rand) {
        let tag = object_id(rand, self.created);
        let ip = draw_ip(rand);
        self.tag.get_or_insert(tag);
        self.ip.get_or_insert(ip);
        self.strict = true;
    }

    /// An instant of the plan, or, for the strict profile, `createdAt` in its place.
    fn instant(&self, at: Option<Millis>) -> Option<Millis> {
        at.or(self.strict.then_some(self.created))
    }

    /// `duration`: how long it has been handled, from pick-up to close (or to the last update).
    pub(crate) fn duration(&self) -> Option<Millis> {
        self.picked
            .map(|picked| self.closed.unwrap_or(self.updated) - picked)
    }

    /// The staff member who handled it, if one did.
    fn staff(&self) -> Option<usize> {
        match self.handler {
            Some(Handler::Staff(staff)) => Some(staff),
            _ => None,
        }
    }

    /// `closeDuration`: from creation to close.
    pub(crate) fn close_duration(&self) -> Option<Millis> {
        self.closed.map(|closed| closed - self.created)
    }
}

/// A MongoDB-style object ID: 4 bytes of seconds since the epoch, then 8 random bytes.
fn object_id(rand: &mut Rand, at: Millis) -> [u8; 12] {
    let mut id = rand.bytes12();
    let seconds = (at / 1000).clamp(0, i64::from(u32::MAX)) as u32;
    id[..4].copy_from_slice(&seconds.to_be_bytes());
    id
}

/// Where the emitted members go: straight into bytes, or into a member tree for mutation.
pub(crate) trait Sink {
    /// Starts member `key`; its JSON value is to be appended to the returned buffer.
    fn value(&mut self, key: &'static str) -> &mut Vec<u8>;
    /// Starts member `key` holding an object; members until [`Sink::end_object`] go inside.
    fn begin_object(&mut self, key: &'static str);
    /// Ends the object begun last.
    fn end_object(&mut self);
}

const HEX: &[u8; 16] = b"0123456789abcdef";

pub(crate) fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    for byte in bytes {
        out.push(HEX[usize::from(byte >> 4)]);
        out.push(HEX[usize::from(byte & 15)]);
    }
}

fn push_hex_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    push_hex(out, bytes);
    out.push(b'"');
}

pub(crate) fn push_u64(out: &mut Vec<u8>, value: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut value = value;
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// A JSON string, escaped as `serde_json` escapes it.
pub(crate) fn push_str(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut start = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..at]);
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 15)]);
        } else {
            out.extend_from_slice(escape);
        }
        start = at + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

fn push_timestamp_string(out: &mut Vec<u8>, at: Millis) {
    out.push(b'"');
    time::push_timestamp(out, at);
    out.push(b'"');
}

fn push_staff_eid(out: &mut Vec<u8>, staff: usize) {
    out.extend_from_slice(b"64b7f3a2");
    push_hex(
        out,
        &(staff as u64)
            .wrapping_add(1)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .to_be_bytes(),
    );
}

fn push_phone(out: &mut Vec<u8>, number: u32) {
    // NANP numbers 555-0100 to 555-0199 are reserved for fiction.
    out.extend_from_slice(b"+120255501");
    out.push(b'0' + (number / 10 % 10) as u8);
    out.push(b'0' + (number % 10) as u8);
}

fn push_ip(out: &mut Vec<u8>, ip: Ip) {
    out.push(b'"');
    match ip {
        Ip::V4(range, host) => {
            out.extend_from_slice(
                [&b"192.0.2."[..], b"198.51.100.", b"203.0.113."][usize::from(range)],
            );
            push_u64(out, u64::from(host));
        }
        Ip::V6(a, b, c) => {
            out.extend_from_slice(b"2001:db8:");
            for (at, group) in [a, b].into_iter().enumerate() {
                if at > 0 {
                    out.push(b':');
                }
                push_hex_group(out, group);
            }
            out.extend_from_slice(b"::");
            push_hex_group(out, c);
        }
    }
    out.push(b'"');
}

fn push_hex_group(out: &mut Vec<u8>, group: u16) {
    let mut started = false;
    for shift in [12u16, 8, 4, 0] {
        let digit = (group >> shift) & 15;
        if digit != 0 || started || shift == 0 {
            out.push(HEX[usize::from(digit)]);
            started = true;
        }
    }
}

/// The staff member's full name.
fn push_staff_name(out: &mut Vec<u8>, staff: usize) {
    out.extend_from_slice(FIRST_NAMES[staff].as_bytes());
    out.push(b' ');
    out.extend_from_slice(LAST_NAMES[staff % LAST_NAMES.len()].as_bytes());
}

/// Writes the record's members, in the documented order, into `sink`.
pub(crate) fn emit<S: Sink>(plan: &Plan, pools: &Pools, sink: &mut S) {
    let channel = &pools.channels[plan.channel];
    emit_ids(plan, sink);
    emit_location(plan, sink);
    emit_status_and_destination(plan, &channel.name, sink);
    emit_handler(plan, sink);
    emit_channel_facts(plan, channel.facts, sink);
    emit_times_and_transfer(plan, sink);
    emit_people(plan, sink);
    emit_labels(plan, pools, sink);
}

/// Identifiers, creation, the initial channel, the IP and the language.
fn emit_ids<S: Sink>(plan: &Plan, sink: &mut S) {
    push_hex_string(sink.value(member::ID), &plan.id);
    push_hex_string(sink.value(member::UNIQUE_KEY), &plan.unique_key);
    push_timestamp_string(sink.value(member::CREATED_AT), plan.created);
    push_str(sink.value(member::SVC_ID), SERVICE_IDS[plan.service]);
    push_hex_string(sink.value(member::INQUIRY), &plan.inquiry);
    if let Some(tag) = &plan.tag {
        push_hex_string(sink.value(member::TAG), tag);
    }
    push_hex_string(sink.value(member::VISITOR), &plan.visitor);
    push_hex_string(sink.value(member::ROOM_ID), &plan.room);
    push_str(
        sink.value(member::INIT_CHANNEL),
        if plan.call {
            init_channel::CALL
        } else {
            init_channel::IM
        },
    );
    push_str(sink.value(member::OMNI_TYPE), omni_type::CINNOX);
    if let Some(ip) = plan.ip {
        push_ip(sink.value(member::IP), ip);
    }
    push_str(sink.value(member::LANGUAGE), plan.language);
    push_str(sink.value(member::LOCATION), plan.country);
}

/// The country and the `locationDetail` object.
fn emit_location<S: Sink>(plan: &Plan, sink: &mut S) {
    sink.begin_object(member::LOCATION_DETAIL);
    push_str(sink.value(location_detail::REGION_CODE), plan.country);
    let detail = match plan.place {
        Some(place) => Some((PLACES[place].1, PLACES[place].2, PLACES[place].3)),
        None => plan.strict.then_some(("", "", "")),
    };
    if let Some((subdivision, city, province)) = detail {
        push_str(sink.value(location_detail::SUBDIVISION), subdivision);
        push_str(sink.value(location_detail::CITY), city);
        push_str(sink.value(location_detail::PROVINCE), province);
    }
    sink.end_object();
}

/// The platform, status, case number, channel and destination.
fn emit_status_and_destination<S: Sink>(plan: &Plan, channel_name: &str, sink: &mut S) {
    let (destination_type, end_point) = plan.route.destination();
    let (group_name, group_id) = SERVICE_GROUPS[plan.group];
    push_str(sink.value(member::PLATFORM), plan.platform);
    push_str(sink.value(member::STATUS), plan.status.as_str());
    {
        let out = sink.value(member::DISPLAY_CASE_NUMBER);
        out.push(b'"');
        let civil = time::Civil::of(plan.created);
        for part in [civil.year.rem_euclid(100) as u32, civil.month, civil.day] {
            out.push(b'0' + (part / 10) as u8);
            out.push(b'0' + (part % 10) as u8);
        }
        let mut digits = Vec::with_capacity(5);
        push_u64(&mut digits, u64::from(plan.case_number));
        out.extend(std::iter::repeat_n(b'0', 5 - digits.len()));
        out.extend_from_slice(&digits);
        out.push(b'"');
    }
    push_str(sink.value(member::CHANNEL), channel_name);
    push_str(sink.value(member::DESTINATION_ID), group_id);
    push_str(sink.value(member::DESTINATION_NAME), group_name);
    push_str(sink.value(member::DESTINATION_TYPE), destination_type);
    push_str(sink.value(member::DESTINATION_END_POINT), end_point);
}

/// Who handled it, and the staff hunted.
fn emit_handler<S: Sink>(plan: &Plan, sink: &mut S) {
    if plan.handler.is_some() || plan.strict {
        push_str(sink.value(member::HANDLED_TYPE), plan.route.handled_type());
    }
    let target = plan.handler.map(|handler| {
        move |out: &mut Vec<u8>| match handler {
            Handler::Staff(staff) => push_staff_eid(out, staff),
            Handler::Number { number } => push_phone(out, number),
        }
    });
    string_or_blank(sink, member::HANDLED_TARGET, plan.strict, target);
    let name = plan
        .staff()
        .map(|staff| move |out: &mut Vec<u8>| push_staff_name(out, staff));
    string_or_blank(sink, member::HANDLED_PARTY_NAME, plan.strict, name);
    let hunted = (plan.hunted_count > 0).then_some(|out: &mut Vec<u8>| {
        for (at, staff) in plan.hunted[..plan.hunted_count].iter().enumerate() {
            if at > 0 {
                out.push(b',');
            }
            push_staff_eid(out, *staff);
        }
    });
    string_or_blank(
        sink,
        member::HUNTED_STAFF_TARGET_HISTORY,
        plan.strict,
        hunted,
    );
}

/// Writes member `key` as a string whose text `write` appends; without `write`, as `""` when
/// the strict profile requires the member, else not at all.
fn string_or_blank<S: Sink, F: FnOnce(&mut Vec<u8>)>(
    sink: &mut S,
    key: &'static str,
    strict: bool,
    write: Option<F>,
) {
    if write.is_none() && !strict {
        return;
    }
    let out = sink.value(key);
    out.push(b'"');
    if let Some(write) = write {
        write(out);
    }
    out.push(b'"');
}

/// Writes member `key` as the text `text`, or as `""` when the strict profile requires it.
fn text_or_blank<S: Sink>(sink: &mut S, key: &'static str, strict: bool, text: Option<&str>) {
    string_or_blank(
        sink,
        key,
        strict,
        text.map(|text| move |out: &mut Vec<u8>| out.extend_from_slice(text.as_bytes())),
    );
}

/// What the channel says of itself: sub-type, id, display names, inquiry type.
fn emit_channel_facts<S: Sink>(plan: &Plan, facts_index: usize, sink: &mut S) {
    let facts = &CHANNEL_FACTS[facts_index];
    push_str(
        sink.value(member::CHANNEL_TYPE),
        if plan.call && facts_index == 0 {
            "WEBCALL"
        } else {
            facts.sub_type
        },
    );
    push_str(sink.value(member::CHANNEL_ID), facts.id);
    push_str(sink.value(member::MAAII_DISPLAY_NAME), facts.display);
    let name = facts.third_party.then_some(|out: &mut Vec<u8>| {
        out.extend_from_slice(FIRST_NAMES[plan.visitor_first].as_bytes());
        out.push(b' ');
        out.push(LAST_NAMES[plan.visitor_last].as_bytes()[0]);
        out.push(b'.');
    });
    string_or_blank(sink, member::THIRD_PARTY_DISPLAY_NAME, plan.strict, name);
    push_str(
        sink.value(member::INQUIRY_TYPE),
        if plan.case_number.is_multiple_of(10) {
            "CALLBACK"
        } else {
            "INBOUND"
        },
    );
}

/// The later instants, the inquiry group and a transfer.
fn emit_times_and_transfer<S: Sink>(plan: &Plan, sink: &mut S) {
    push_timestamp_string(sink.value(member::UPDATED_AT), plan.updated);
    if let Some(closed) = plan.closed {
        push_timestamp_string(sink.value(member::CLOSED_AT), closed);
    }
    let group = plan
        .inquiry_group
        .map(|group| move |out: &mut Vec<u8>| push_hex(out, &group));
    string_or_blank(sink, member::INQUIRY_GROUP, plan.strict, group);
    if plan.transferred_at.is_none() && plan.strict {
        sink.value(member::TRANSFERRED_PARTY)
            .extend_from_slice(b"[]");
    }
    if let Some(at) = plan.transferred_at {
        let (name, id) = SERVICE_GROUPS[plan.transfer_group];
        let out = sink.value(member::TRANSFERRED_PARTY);
        out.extend_from_slice(b"[{\"destinationID\":");
        push_str(out, id);
        out.extend_from_slice(b",\"destinationName\":");
        push_str(out, name);
        out.extend_from_slice(b",\"destinationType\":\"STAFF\",\"transferredAt\":");
        push_timestamp_string(out, at);
        out.extend_from_slice(b"}]");
    }
    if let Some(picked) = plan.instant(plan.picked) {
        push_timestamp_string(sink.value(member::PICKED_UP_AT), picked);
    }
    if let Some(missed) = plan.instant(plan.missed) {
        push_timestamp_string(sink.value(member::MISSED_AT), missed);
    }
    if let Some(reopened) = plan.instant(plan.reopened) {
        push_timestamp_string(sink.value(member::REOPENED_AT), reopened);
    }
}

/// Department, staff and visitor names, the deep link and the durations.
fn emit_people<S: Sink>(plan: &Plan, sink: &mut S) {
    let staff = plan.staff();
    let department = staff.map(|staff| DEPARTMENTS[staff % DEPARTMENTS.len()]);
    text_or_blank(
        sink,
        member::HANDLED_PARTY_DEPARTMENT_ID,
        plan.strict,
        department,
    );
    sink.value(member::ATTACHMENT)
        .extend_from_slice(if plan.attachment { b"true" } else { b"false" });
    let first = staff.map(|staff| FIRST_NAMES[staff]);
    text_or_blank(sink, member::STAFF_FIRST_NAME, plan.strict, first);
    let last = staff.map(|staff| LAST_NAMES[staff % LAST_NAMES.len()]);
    text_or_blank(sink, member::STAFF_LAST_NAME, plan.strict, last);
    push_str(
        sink.value(member::VISITOR_FIRST_NAME),
        FIRST_NAMES[plan.visitor_first],
    );
    push_str(
        sink.value(member::VISITOR_LAST_NAME),
        LAST_NAMES[plan.visitor_last],
    );
    {
        let out = sink.value(member::INQUIRY_DEEP_LINK);
        out.extend_from_slice(b"\"https://example.com/inquiries/");
        push_hex(out, &plan.inquiry);
        out.extend_from_slice(b"?room=");
        push_hex(out, &plan.room);
        out.push(b'"');
    }
    if let Some(duration) = plan.duration().or(plan.strict.then_some(0)) {
        push_u64(sink.value(member::DURATION), duration as u64);
    }
    if let Some(close) = plan.close_duration() {
        push_u64(sink.value(member::CLOSE_DURATION), close as u64);
    }
}

/// `labelIDs`: `null` or the chosen labels.
fn emit_labels<S: Sink>(plan: &Plan, pools: &Pools, sink: &mut S) {
    let out = sink.value(member::LABEL_IDS);
    match plan.labels {
        None => out.extend_from_slice(b"null"),
        Some(chosen) => {
            out.push(b'[');
            for (at, label) in chosen[..plan.label_count].iter().enumerate() {
                if at > 0 {
                    out.push(b',');
                }
                push_str(out, &pools.labels[*label]);
            }
            out.push(b']');
        }
    }
}

/// A sink that writes the record's JSON text straight into a buffer.
pub(crate) struct BytesSink<'a> {
    pub(crate) out: &'a mut Vec<u8>,
    pub(crate) first: bool,
}

impl BytesSink<'_> {
    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
    }
}

impl Sink for BytesSink<'_> {
    fn value(&mut self, key: &'static str) -> &mut Vec<u8> {
        self.key(key);
        self.out
    }

    fn begin_object(&mut self, key: &'static str) {
        self.key(key);
        self.out.push(b'{');
        self.first = true;
    }

    fn end_object(&mut self) {
        self.out.push(b'}');
        self.first = false;
    }
}

/// Appends the record's JSON text (one line, no newline) to `out`.
pub(crate) fn write(plan: &Plan, pools: &Pools, out: &mut Vec<u8>) {
    out.push(b'{');
    emit(plan, pools, &mut BytesSink { out, first: true });
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_use_assigned_codes() {
        for (country, _, _, _, languages) in PLACES {
            assert!(codes::is_country_code(country.as_bytes()), "{country}");
            for language in *languages {
                assert!(codes::is_language_code(language.as_bytes()), "{language}");
            }
        }
        assert!(codes::is_language_code(b"en"));
        assert_eq!(CHANNEL_FACTS.len(), Channel::DOCUMENTED.len() + 1);
    }

    #[test]
    fn strings_are_escaped_like_serde_json() {
        for text in [
            "plain",
            "quote \" and \\ backslash",
            "ctl \u{1} \n \t \u{1f}",
            "caf\u{e9}",
        ] {
            let mut out = Vec::new();
            push_str(&mut out, text);
            assert_eq!(out, serde_json::to_vec(text).unwrap());
        }
    }

    #[test]
    fn numbers_and_ips() {
        let mut out = Vec::new();
        push_u64(&mut out, 0);
        out.push(b' ');
        push_u64(&mut out, 18_446_744_073_709_551_615);
        assert_eq!(out, b"0 18446744073709551615");
        let mut out = Vec::new();
        push_ip(&mut out, Ip::V6(0x4a2, 0, 0xffff));
        assert_eq!(out, b"\"2001:db8:4a2:0::ffff\"");
        let text: String = serde_json::from_slice(&out).unwrap();
        assert!(text.parse::<std::net::Ipv6Addr>().is_ok());
    }
}
