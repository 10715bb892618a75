//! Deterministic fake CINNOX enquiries, labelled mutants and proptest strategies.
//!
//! Other projects use this crate (and `enquiry fake`) to test their integrations with data that
//! looks like real traffic, is reproducible forever and never carries a real person's data.
//!
//! # Determinism
//!
//! Record `index` of seed `seed` is drawn from its own ChaCha8 stream (`rand_chacha`), keyed by
//! the 32 bytes `seed.to_le_bytes() ++ index.to_le_bytes() ++ b"enquiry-fake/rec"`. The decision
//! whether the record is a mutant, and which, comes from a second stream keyed the same way with
//! the tag `enquiry-fake/mut`. So:
//!
//! * record N is the same whatever the record count (`--count 10` is a prefix of `--count 1000`);
//! * a record's valid content does not depend on the invalid rate: a mutant is its valid twin
//!   with one change;
//! * the same crate version, seed and options give byte-identical output on every platform:
//!   ranges and choices use integer-only helpers (Lemire's unbiased multiply-and-reject),
//!   timestamps are formatted by hand from integer milliseconds, and no float, `thread_rng` or
//!   `StdRng` is involved. Changing any of this is a breaking change, pinned by the golden tests.
//!
//! # Coherence
//!
//! A record is planned before it is written ([`Generator::record`]): the status (all four, by
//! weight) decides which timestamps exist, the channel (all nine) decides the start (`initChannel`:
//! `VirtualNumber` calls, `Weblink` mostly chats), and the route decides `destinationType`,
//! `destinationEndPoint` and who handled it:
//!
//! | status | members |
//! |---|---|
//! | `ongoing` | `pickedUpAt`, staff and `duration` once picked up (80 %); no `closedAt`, no `missedAt` |
//! | `followed-up` | `missedAt`, then a staff member's `pickedUpAt` and `duration`; no `closedAt` |
//! | `missed` | `missedAt`; no pick-up, no `handled*`/`staff*` members, no `duration` |
//! | `closed` | `closedAt` and `closeDuration` (= `closedAt - createdAt`); pick-up and `duration` (= `closedAt - pickedUpAt`) unless a chatbot handled it; sometimes `reopenedAt` |
//!
//! `createdAt <= pickedUpAt/missedAt <= reopenedAt <= closedAt <= updatedAt`; every timestamp
//! is canonical (`Z`, exactly three fractional digits). Chats go to `STAFF`/`STAFF`,
//! `CHATBOT`/`STAFF` or `CHATBOT`/`CHATBOT`; calls to `STAFF`/`IVR`, `STAFF`/`STAFF`,
//! `PHONE`/`IVR` (handled by a phone number) or `TRUNK`/`IVR`; `handledType` is `STAFF`, `PHONE`
//! or `TRUNK` accordingly. `language` and `location` come from the ISO tables of
//! [`enquiry_schema::codes`] (a list of plausible places, and 10 % any assigned country), with
//! `locationDetail.regionCode` equal to `location`. Only `labelIDs` is ever `null`; no member is
//! undocumented; `huntedStaffTargetHistory` is a comma-separated string.
//!
//! Values are safe: IPs from 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32,
//! deep links under `https://example.com/`, phone numbers in the fictional NANP range
//! 555-0100..555-0199, names from [`FIRST_NAMES`] and [`LAST_NAMES`] (`Ada Example`), and IDs
//! shaped like the real ones (24-hex object IDs whose first 4 bytes are the creation time,
//! numeric case numbers).
//!
//! Every valid record passes the validator's **default** profile with no error and no
//! warning, and the generated default-profile JSON Schema.
//!
//! # The strict profile
//!
//! With [`Options::profile`] set to [`Profile::Strict`], every valid record passes
//! `enquiry validate --profile strict --deny-warnings`: the strict profile requires every
//! documented member (`closedAt` and `closeDuration` exactly on closed enquiries), so the
//! record's plan is the same and the members that do not apply are written as blanks: `""` for
//! strings (a `handledTarget` nobody is yet, a `name` on a first-party channel, an empty
//! `huntedStaffTargetHistory`, unknown `locationDetail` parts), `[]` for `transferredParty`,
//! `0` for a `duration` nobody handled, and `createdAt` for an instant that did not happen
//! (`missedAt` of an enquiry nobody missed: a timestamp is required, `null` is refused, and
//! `createdAt` keeps the timeline). `handledType` is the kind of party the route leads to.
//! `tag` and `ip` are drawn from a stream of their own (tag `enquiry-fake/str`), so the default
//! profile's records are byte for byte what they were. Lifecycle events are made from the
//! default-profile record whatever the profile: placeholder instants have no event.
//!
//! # Mutants
//!
//! With an invalid rate, a record is replaced (deterministically, by index) by a **mutant**: the
//! same valid record with exactly one defect from [`CATALOGUE`], one kind per error rule of the
//! validator, and a [`Label`] `{record, pointer, code}` in the validator's own terms. Mutations
//! are chosen so that they trigger their rule and nothing else (for example, timestamps that the
//! status-consistency and close-duration checks read are never broken, and `timeline` moves
//! `updatedAt`, `pickedUpAt`, `missedAt` or `reopenedAt`, never `closedAt`). Two kinds need the
//! validator to be configured: `label-unknown` (only with [`Options::labels`]) and
//! `channel-unknown` (only with [`Options::channel_list`]; it uses a documented channel the
//! tenant's list lacks when there is one, so the documented JSON Schema still accepts it). `syntax` and `too-deep` mutants are
//! only planted in NDJSON, where the next line is still checked; in a JSON array either defect
//! ends the validator's reading of the array, so the records after it would go unchecked.
//!
//! The catalogue covers `syntax`, `encoding` (a Latin-1 byte, a lone surrogate escape),
//! `not-an-object` (a double-encoded record), `duplicate-key`, `required` (missing, `null`),
//! `type`, `enum` (wrong case, unknown value), `date-time` (bad format, February 30, hour 25,
//! missing zone), `ip`, `language`, `country`, `url`, `integer`, `minimum`, `label-empty`,
//! `label-duplicate`, `timeline`, `channel-unknown`, `label-unknown` and `too-deep`. It leaves
//! out `record-too-large` (a 16 MiB record).
//!
//! [`WARNING_CATALOGUE`] covers the rules the default profile reports as warnings
//! (`status-consistency`, `close-duration`, `unknown-field`, `null-value`,
//! `unrecognised-value`, `undocumented-shape`) and `canonical-timestamp`, which only the strict
//! profile reports. Its kinds are planted with the strict profile (where they are errors) or
//! with [`Options::warnings`]; then each [`Label`] states its severity with the profile. With
//! the default profile and no warnings, the catalogue, the choice of mutants and the manifests
//! are what they were before these existed.
//! Mutants are bytes, not strings: some are not UTF-8 or not JSON, on purpose.
//!
//! For property tests, with the `proptest` feature, `valid_enquiry` and `invalid_enquiry` are
//! proptest strategies, and `valid_event` and `invalid_event` their webhook event
//! counterparts (the feature keeps proptest out of the `enquiry` binary).
//!
//! # Example
//!
//! ```
//! use enquiry_fake::{Generator, InvalidRate, Options};
//!
//! let generator = Generator::new(Options { seed: 7, ..Options::default() }).unwrap();
//! let mut ndjson = Vec::new();
//! let labels = generator.write_ndjson(3, &mut ndjson).unwrap();
//! assert!(labels.is_empty());
//! assert_eq!(ndjson.iter().filter(|b| **b == b'\n').count(), 3);
//!
//! // Record 2 is the same whatever the count.
//! let mut one = Vec::new();
//! generator.record(2, &mut one);
//! assert!(ndjson.ends_with(&[one.as_slice(), b"\n"].concat()));
//!
//! // One defect per record, labelled.
//! let broken = Generator::new(Options {
//!     seed: 7,
//!     invalid: InvalidRate::Always,
//!     ..Options::default()
//! })
//! .unwrap();
//! let labels = broken.write_ndjson(5, std::io::sink()).unwrap();
//! assert_eq!(labels.len(), 5);
//! println!("{}", serde_json::to_string(&labels).unwrap());
//! ```
#![deny(missing_docs)]

pub mod dataset;
pub mod event_stream;
pub mod events;
mod mutate;
mod record;
mod rng;
#[cfg(feature = "proptest")]
pub mod strategy;
mod time;

use std::fmt;
use std::io::{self, Write};

pub use enquiry_schema::json_schema::Profile;
use enquiry_schema::rule::{Code, Severity};
use enquiry_schema::{Channel, Status};
use serde::{Deserialize, Serialize};

pub use mutate::{MutantKind, CATALOGUE, WARNING_CATALOGUE};
pub use record::{DEFAULT_LABEL_IDS, FIRST_NAMES, LAST_NAMES};
#[cfg(feature = "proptest")]
pub use strategy::{invalid_enquiry, invalid_event, valid_enquiry, valid_event};

use mutate::{Context, Needs};
use record::{ChannelChoice, Plan, Pools};
use rng::{Rand, DOMAIN_MUTATION, DOMAIN_RECORD, DOMAIN_STRICT};

/// How many records are mutants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InvalidRate {
    /// Every record is valid.
    #[default]
    Never,
    /// Each record is a mutant with this probability, in parts per million (decided per index).
    PerMillion(u32),
    /// Every record is a mutant (`--invalid-only`).
    Always,
}

impl InvalidRate {
    /// Parses a rate between 0 and 1 (`0.05`, up to six decimals) or a percentage (`5%`),
    /// without floating point.
    pub fn parse(text: &str) -> Result<InvalidRate, OptionsError> {
        let bad = || {
            OptionsError(format!("invalid rate `{text}`: expected a number from 0 to 1 (e.g. 0.05) or a percentage (e.g. 5%)"))
        };
        let (number, scale) = match text.trim().strip_suffix('%') {
            Some(number) => (number.trim(), 10_000u64),
            None => (text.trim(), 1_000_000u64),
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
            || whole.len() > 7
        {
            return Err(bad());
        }
        let whole_value: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad())?
        };
        let mut ppm = whole_value * scale;
        let mut unit = scale;
        for digit in fraction.bytes() {
            unit /= 10;
            if unit == 0 {
                if digit != b'0' {
                    return Err(bad());
                }
                continue;
            }
            ppm += u64::from(digit - b'0') * unit;
        }
        match ppm {
            0 => Ok(InvalidRate::Never),
            1_000_000 => Ok(InvalidRate::Always),
            ppm if ppm < 1_000_000 => Ok(InvalidRate::PerMillion(ppm as u32)),
            _ => Err(bad()),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// The seed; with the options and the crate version it fixes every byte of output.
    pub seed: u64,
    /// How many records are mutants.
    pub invalid: InvalidRate,
    /// Only these statuses (documented ones); empty for all four.
    pub statuses: Vec<Status>,
    /// Only these channels (documented ones, or names of [`Options::channel_list`]); empty for
    /// all of them.
    pub channels: Vec<Channel>,
    /// The tenant's label IDs (`--labels`): `labelIDs` draws from them and the catalogue gains
    /// `label-unknown`. Without it, `labelIDs` draws from [`DEFAULT_LABEL_IDS`].
    pub labels: Option<Vec<String>>,
    /// The tenant's channel list (the validator's `--channels`): records use its channels and
    /// the catalogue gains `channel-unknown`.
    pub channel_list: Option<Vec<String>>,
    /// The validator profile the records are for. [`Profile::Strict`]: every valid record has
    /// every member the strict profile requires, and mutants also come from
    /// [`WARNING_CATALOGUE`] (the strict profile reports those rules as errors).
    pub profile: Profile,
    /// Also plant the defects of [`WARNING_CATALOGUE`] with the default profile (reported as
    /// warnings there; the manifest says so).
    pub warnings: bool,
}

/// Why options were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsError(pub String);

impl fmt::Display for OptionsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OptionsError {}

/// The label of a mutant: which record, where, and which rule of the validator it breaks.
///
/// `--manifest` writes a JSON array of these: `{"record": 3, "pointer": "/status", "code": "enum"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Label {
    /// The 0-based index of the record in the output.
    pub record: u64,
    /// The RFC 6901 pointer of the defect, relative to the record (`""` for the record itself).
    pub pointer: String,
    /// The validator's rule id (`date-time`, `required`, ...).
    pub code: String,
    /// The severity the validator reports with the generator's profile, `error` or
    /// `warning`. Absent (meaning `error`) when the catalogue is the default profile's error
    /// rules only (default profile, no warnings), so those manifests are what they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
}

/// A mutant record with its label (see [`invalid_enquiry`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutant {
    /// The record's bytes (not always UTF-8, not always JSON: that can be the defect).
    pub bytes: Vec<u8>,
    /// The defect.
    pub label: Label,
    /// The catalogue entry's id (`date-time-missing-zone`).
    pub kind: &'static str,
}

/// Output framing, for choosing which mutants fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Lines,
    Array,
    /// The array inside the API's list response envelope; the same mutants fit as in an array.
    ListResponse,
}

/// A configured generator of fake enquiries. Cheap to clone; every method takes `&self`.
#[derive(Debug, Clone)]
pub struct Generator {
    options: Options,
    pools: Pools,
    line_kinds: Vec<&'static MutantKind>,
    array_kinds: Vec<&'static MutantKind>,
}

const FLUSH_AT: usize = 1 << 17;

/// The catalogue entries `options` plant in `framing`: [`CATALOGUE`], and [`WARNING_CATALOGUE`]
/// with the strict profile or warnings, less those whose needs are not met.
fn kinds_for(options: &Options, framing: Framing) -> Vec<&'static MutantKind> {
    let strict = options.profile == Profile::Strict;
    let fits = |kind: &MutantKind| match kind.needs {
        Needs::Nothing => true,
        Needs::LineFraming => framing == Framing::Lines,
        Needs::LabelList => options.labels.is_some(),
        Needs::ChannelList => options.channel_list.is_some(),
        Needs::Strict => strict,
        Needs::DefaultProfile => !strict,
    };
    let warnings: &'static [MutantKind] = if strict || options.warnings {
        WARNING_CATALOGUE
    } else {
        &[]
    };
    CATALOGUE
        .iter()
        .chain(warnings)
        .filter(|kind| fits(kind))
        .collect()
}

impl Generator {
    /// A generator for `options`; refuses a status or channel filter outside the known values.
    pub fn new(options: Options) -> Result<Generator, OptionsError> {
        for status in &options.statuses {
            if !status.is_documented() {
                return Err(OptionsError(format!(
                    "unknown status `{status}`: expected one of {}",
                    Status::DOCUMENTED.join(", ")
                )));
            }
        }
        let known: Vec<String> = match &options.channel_list {
            Some(list) => {
                let mut known: Vec<String> = Vec::new();
                for name in list {
                    if !known.contains(name) {
                        known.push(name.clone());
                    }
                }
                known
            }
            None => Channel::DOCUMENTED
                .iter()
                .map(|name| (*name).to_owned())
                .collect(),
        };
        if known.is_empty() {
            return Err(OptionsError("the channel list is empty".to_owned()));
        }
        let mut channels = Vec::new();
        for channel in &options.channels {
            if !known.iter().any(|name| name == channel.as_str()) {
                return Err(OptionsError(format!(
                    "unknown channel `{channel}`: expected one of {}",
                    known.join(", ")
                )));
            }
            if !channels
                .iter()
                .any(|c: &ChannelChoice| c.name == channel.as_str())
            {
                channels.push(ChannelChoice::new(channel.as_str()));
            }
        }
        if channels.is_empty() {
            channels = known.iter().map(|name| ChannelChoice::new(name)).collect();
        }
        let mut statuses: Vec<Status> = Vec::new();
        for status in &options.statuses {
            if !statuses.contains(status) {
                statuses.push(status.clone());
            }
        }
        if statuses.is_empty() {
            statuses = Status::DOCUMENTED
                .iter()
                .map(|text| Status::from_wire(text))
                .collect();
        }
        let labels = match &options.labels {
            Some(list) => {
                let mut labels: Vec<String> = Vec::new();
                for label in list {
                    if !label.is_empty() && !labels.contains(label) {
                        labels.push(label.clone());
                    }
                }
                labels
            }
            None => DEFAULT_LABEL_IDS
                .iter()
                .map(|id| (*id).to_owned())
                .collect(),
        };
        let line_kinds = kinds_for(&options, Framing::Lines);
        let array_kinds = kinds_for(&options, Framing::Array);
        Ok(Generator {
            pools: Pools::new(statuses, channels, labels),
            options,
            line_kinds,
            array_kinds,
        })
    }

    /// The options this generator was built with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The label IDs records draw `labelIDs` from.
    pub fn label_ids(&self) -> &[String] {
        &self.pools.labels
    }

    /// The catalogue entries this generator plants in NDJSON output (all of [`CATALOGUE`] that
    /// the options allow).
    pub fn mutant_kinds(&self) -> &[&'static MutantKind] {
        &self.line_kinds
    }

    fn plan(&self, index: u64) -> Plan {
        let mut plan = Plan::draw(
            &mut Rand::new(self.options.seed, index, DOMAIN_RECORD),
            &self.pools,
        );
        if self.options.profile == Profile::Strict {
            plan.complete(&mut Rand::new(self.options.seed, index, DOMAIN_STRICT));
        }
        plan
    }

    /// The severity a label states: none for the default profile's error-only catalogue;
    /// otherwise what the validator reports with the profile (the strict one: always `error`).
    pub(crate) fn severity(&self, code: &str) -> Option<String> {
        let strict = self.options.profile == Profile::Strict;
        if !strict && !self.options.warnings {
            return None;
        }
        let warning = !strict
            && Code::ALL
                .iter()
                .find(|rule| rule.as_str() == code)
                .and_then(|rule| rule.default_level().severity())
                == Some(Severity::Warning);
        let severity = if warning {
            Severity::Warning
        } else {
            Severity::Error
        };
        Some(severity.as_str().to_owned())
    }

    /// Record `index`'s valid form in the default profile, whatever the options' profile: the
    /// record lifecycle events are made from (the strict profile's placeholder instants, see
    /// [`Profile::Strict`], did not happen, so they have no event).
    pub(crate) fn lifecycle_record(&self, index: u64, out: &mut Vec<u8>) {
        let plan = Plan::draw(
            &mut Rand::new(self.options.seed, index, DOMAIN_RECORD),
            &self.pools,
        );
        record::write(&plan, &self.pools, out);
    }

    /// Appends record `index`'s valid form (one line of JSON, no newline) to `out`.
    pub fn valid_record(&self, index: u64, out: &mut Vec<u8>) {
        record::write(&self.plan(index), &self.pools, out);
    }

    /// Appends record `index` as the options make it (valid, or a mutant) to `out`, and returns
    /// its label when it is a mutant. This is what [`Generator::write_ndjson`] writes.
    pub fn record(&self, index: u64, out: &mut Vec<u8>) -> Option<Label> {
        self.record_framed(index, out, Framing::Lines)
    }

    fn record_framed(&self, index: u64, out: &mut Vec<u8>, framing: Framing) -> Option<Label> {
        let kinds = match framing {
            Framing::Lines => &self.line_kinds,
            Framing::Array | Framing::ListResponse => &self.array_kinds,
        };
        let mutant = match self.options.invalid {
            InvalidRate::Never => None,
            InvalidRate::Always => Some(Rand::new(self.options.seed, index, DOMAIN_MUTATION)),
            InvalidRate::PerMillion(ppm) => {
                let mut rand = Rand::new(self.options.seed, index, DOMAIN_MUTATION);
                rand.ppm(ppm).then_some(rand)
            }
        };
        match mutant {
            None => {
                self.valid_record(index, out);
                None
            }
            Some(mut rand) => {
                let kind = kinds[rand.index(kinds.len())];
                Some(self.write_mutant(index, kind, &mut rand, out))
            }
        }
    }

    /// Record `index` with the defect of `kind` (any catalogue entry, whatever the options).
    pub fn mutant(&self, index: u64, kind: &MutantKind) -> Mutant {
        let mut rand = Rand::new(self.options.seed, index, DOMAIN_MUTATION);
        let mut bytes = Vec::with_capacity(2048);
        let label = self.write_mutant(index, kind, &mut rand, &mut bytes);
        Mutant {
            bytes,
            label,
            kind: kind.id,
        }
    }

    fn write_mutant(
        &self,
        index: u64,
        kind: &MutantKind,
        rand: &mut Rand,
        out: &mut Vec<u8>,
    ) -> Label {
        let plan = self.plan(index);
        let context = Context {
            pools: &self.pools,
            channel_list: self.options.channel_list.as_deref(),
            label_list: self.options.labels.as_deref(),
        };
        let pointer = mutate::write_mutant(kind, &plan, &context, rand, out);
        Label {
            record: index,
            pointer,
            code: kind.code.to_owned(),
            severity: self.severity(kind.code),
        }
    }

    /// Writes records `0..count` as NDJSON (one record a line, `\n` after each), calling
    /// `on_label` for every mutant in order. Buffers internally: `writer` need not be buffered.
    pub fn write_ndjson_with<W: Write>(
        &self,
        count: u64,
        writer: W,
        on_label: impl FnMut(Label),
    ) -> io::Result<()> {
        self.write_framed(count, writer, on_label, Framing::Lines)
    }

    /// Writes records `0..count` as NDJSON and returns the labels of the mutants.
    pub fn write_ndjson<W: Write>(&self, count: u64, writer: W) -> io::Result<Vec<Label>> {
        let mut labels = Vec::new();
        self.write_ndjson_with(count, writer, |label| labels.push(label))?;
        Ok(labels)
    }

    /// Writes records `0..count` as one JSON array (`[`, one record a line, `]`), calling
    /// `on_label` for every mutant. `syntax` and `too-deep` mutants are not planted in arrays:
    /// there a record's end is found by scanning brackets and quotes, so one broken element
    /// could take its neighbours with it and break the one-label-per-record promise.
    pub fn write_json_array_with<W: Write>(
        &self,
        count: u64,
        writer: W,
        on_label: impl FnMut(Label),
    ) -> io::Result<()> {
        self.write_framed(count, writer, on_label, Framing::Array)
    }

    /// Writes records `0..count` as the API's list response: the `enquiryDetails` array of one
    /// page holding them all (`total` and `limit` are `count`, `offset` 0), one record a line,
    /// calling `on_label` for every mutant. The same mutants as in an array are planted.
    pub fn write_list_response_with<W: Write>(
        &self,
        count: u64,
        writer: W,
        on_label: impl FnMut(Label),
    ) -> io::Result<()> {
        self.write_framed(count, writer, on_label, Framing::ListResponse)
    }

    /// The one writing loop: records in a reused buffer, flushed in large blocks.
    fn write_framed<W: Write>(
        &self,
        count: u64,
        mut writer: W,
        mut on_label: impl FnMut(Label),
        framing: Framing,
    ) -> io::Result<()> {
        // (before the first record, between records, after each, after all)
        type Bytes = &'static [u8];
        let (first, between, after_each, close): (Bytes, Bytes, Bytes, Bytes) = match framing {
            Framing::Lines => (b"", b"", b"\n", b""),
            Framing::Array => (b"\n", b",\n", b"", b"\n]\n"),
            Framing::ListResponse => (b"\n", b",\n", b"", b"\n]}\n"),
        };
        let mut buffer = Vec::with_capacity(FLUSH_AT + 8192);
        match framing {
            Framing::Lines => {}
            Framing::Array => buffer.push(b'['),
            Framing::ListResponse => buffer.extend_from_slice(
                format!(
                    r#"{{"code":200,"total":{count},"offset":0,"limit":{count},"enquiryDetails":["#
                )
                .as_bytes(),
            ),
        }
        for index in 0..count {
            buffer.extend_from_slice(if index == 0 { first } else { between });
            if let Some(label) = self.record_framed(index, &mut buffer, framing) {
                on_label(label);
            }
            buffer.extend_from_slice(after_each);
            if buffer.len() >= FLUSH_AT {
                writer.write_all(&buffer)?;
                buffer.clear();
            }
        }
        buffer.extend_from_slice(close);
        writer.write_all(&buffer)?;
        writer.flush()
    }

    /// Writes records `0..count` as one JSON array and returns the labels of the mutants.
    pub fn write_json_array<W: Write>(&self, count: u64, writer: W) -> io::Result<Vec<Label>> {
        let mut labels = Vec::new();
        self.write_json_array_with(count, writer, |label| labels.push(label))?;
        Ok(labels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_without_floats() {
        assert_eq!(InvalidRate::parse("0"), Ok(InvalidRate::Never));
        assert_eq!(
            InvalidRate::parse("0.05"),
            Ok(InvalidRate::PerMillion(50_000))
        );
        assert_eq!(
            InvalidRate::parse(".5"),
            Ok(InvalidRate::PerMillion(500_000))
        );
        assert_eq!(
            InvalidRate::parse("5%"),
            Ok(InvalidRate::PerMillion(50_000))
        );
        assert_eq!(
            InvalidRate::parse("0.0000010"),
            Ok(InvalidRate::PerMillion(1))
        );
        assert_eq!(InvalidRate::parse("1"), Ok(InvalidRate::Always));
        assert_eq!(InvalidRate::parse("100%"), Ok(InvalidRate::Always));
        for bad in ["", ".", "1.5", "-0.1", "abc", "0.0000001", "1e-3", "101%"] {
            assert!(InvalidRate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn filters_are_checked() {
        let bad_status = Options {
            statuses: vec![Status::from_wire("Closed")],
            ..Options::default()
        };
        assert!(Generator::new(bad_status).is_err());
        let bad_channel = Options {
            channels: vec![Channel::from_wire("TELEGRAM")],
            ..Options::default()
        };
        assert!(Generator::new(bad_channel).is_err());
        let listed = Options {
            channels: vec![Channel::from_wire("TELEGRAM")],
            channel_list: Some(vec!["TELEGRAM".to_owned(), "Weblink".to_owned()]),
            ..Options::default()
        };
        assert!(Generator::new(listed).is_ok());
    }

    #[test]
    fn catalogue_ids_are_unique_and_kinds_follow_options() {
        for (at, kind) in CATALOGUE.iter().enumerate() {
            assert!(
                CATALOGUE[..at].iter().all(|other| other.id != kind.id),
                "{}",
                kind.id
            );
        }
        let plain = Generator::new(Options::default()).unwrap();
        assert!(plain
            .mutant_kinds()
            .iter()
            .all(|kind| kind.code != "label-unknown" && kind.code != "channel-unknown"));
        let listed = Generator::new(Options {
            labels: Some(vec!["a".into()]),
            channel_list: Some(vec!["Weblink".into()]),
            ..Options::default()
        })
        .unwrap();
        assert_eq!(listed.mutant_kinds().len(), CATALOGUE.len());
        assert!(listed
            .array_kinds
            .iter()
            .all(|kind| kind.code != "syntax" && kind.code != "too-deep"));
    }
}
