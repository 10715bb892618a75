//! A contract's rules, applied to one parsed record.
//!
//! Everything is driven by the [`Contract`] table: one walk ([`Checker::walk_object`]) serves
//! every object level of every contract. Each level (the top, and every object or array of
//! objects the table describes, at any depth) is compiled once into a [`ObjectLevel`]: member
//! lookup by key length and first byte (no hashing per member), which members are required.
//! What to check comes from each member's [`FieldKind`]; rules that read several members are
//! the contract's [`CrossRule`]s. Findings are collected with their byte offset; the caller
//! sorts them and turns offsets into lines and columns only when there are any.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::OnceLock;

use enquiry_schema::codes;
use enquiry_schema::contract::{Contract, CrossRule, Origin, RECORD};
use enquiry_schema::contracts;
use enquiry_schema::fields::{FieldKind, FieldRule, JsonType, MAX_MILLIS};
use enquiry_schema::json_schema::Profile;
use enquiry_schema::rfc3339::{parse_timestamp, DayCache, Instant};

use crate::code::{Code, Severity};
use crate::config::Config;
use crate::finding::Pointer;
use crate::parse::{integer, Integer, Kind, Node, Tape, BAD_TEXT};
use crate::uri::is_http_url;

/// A finding before its position is turned into line and column.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub offset: u32,
    pub code: Code,
    pub severity: Severity,
    pub pointer: Pointer,
    pub message: String,
    pub expected: Option<String>,
    pub suggestion: Option<String>,
}

/// No object level: the member holds no documented object.
const NO_LEVEL: u16 = u16::MAX;

/// One object level of a contract, compiled for the hot path.
#[derive(Debug, Clone)]
struct ObjectLevel {
    rules: &'static [FieldRule],
    lookup: Lookup,
    /// By rule: what the walk needs of it, in one place.
    members: Vec<Member>,
    /// Rules that are required or hold objects, in order: the only ones the end of an object
    /// has anything to do for.
    end_checks: Vec<usize>,
    /// The rules that are required: when all are present and no nested object missed one,
    /// the end of an object has nothing to do.
    required: Vec<usize>,
    /// Where this level's slots start in [`Scratch::next_of`].
    guess_base: usize,
}

/// What the walk needs of one rule of a level, precomputed from the table.
#[derive(Debug, Clone)]
struct Member {
    /// The member's key.
    key: Word,
    /// Which values are certainly fine without the full check.
    clean: Clean,
    /// Required in this configuration.
    required: bool,
    /// `null` is a value here without a finding (documented nullable, and not required or
    /// the profile is strict).
    null_ok: bool,
    /// A timestamp: a clean string goes straight to [`Checker::check_timestamp`].
    timestamp: bool,
    /// The level of the objects it holds, or [`NO_LEVEL`].
    child: u16,
}

/// The values of a kind the walk accepts on sight (a clean string of free text, a documented
/// enum value, a boolean: the bulk of every record); anything else gets the full check.
#[derive(Debug, Clone, Copy)]
enum Clean {
    Nothing,
    AnyString,
    NonEmptyString,
    /// One of a set of values: the index of its table in [`Compiled::values`].
    OneOf(u16),
    /// A string whose text passes the test (an ISO code table, an IP address, a URL).
    Passes(fn(&[u8]) -> bool),
    Boolean,
    /// A number of at most 15 digits (so an integer, and at most [`MAX_MILLIS`]).
    Millis,
    /// A timestamp in the canonical form, and kept: only [`Run::skim`] takes it.
    Timestamp,
    /// Up to 16 distinct label IDs, with no label list: only [`Run::skim`] takes them.
    Labels,
}

impl Clean {
    /// The values of `kind` its check passes without a finding, when `channels` (the
    /// configured channel list) is not given; with one, only the enum kinds' own. A set of
    /// values gets its table in `values` (shared by the kinds that list the same values).
    fn of(kind: FieldKind, channels: bool, values: &mut Vec<Lookup>) -> Clean {
        let mut one_of = |set: &'static [&'static str]| {
            // Values are compared as written: one with a backslash could only match escaped.
            if set.iter().any(|value| value.contains('\\')) {
                return Clean::Nothing;
            }
            let keys: Vec<&'static [u8]> = set.iter().map(|value| value.as_bytes()).collect();
            let index = values
                .iter()
                .position(|table| table.is_of(&keys))
                .unwrap_or_else(|| {
                    values.push(Lookup::new(keys));
                    values.len() - 1
                });
            Clean::OneOf(index as u16)
        };
        match kind {
            FieldKind::Text => Clean::AnyString,
            FieldKind::NonEmptyText => Clean::NonEmptyString,
            FieldKind::Enum(set) | FieldKind::RecognisedText(set) => one_of(set),
            FieldKind::Channel(set) if !channels => one_of(set),
            FieldKind::TextOrTextList([]) => Clean::AnyString,
            FieldKind::TextOrTextList(set) => one_of(set),
            FieldKind::LanguageCode => Clean::Passes(LANGUAGE_TABLE.contains),
            FieldKind::CountryCode => Clean::Passes(COUNTRY_TABLE.contains),
            FieldKind::IpAddress | FieldKind::HttpUrl => {
                text_check(kind).map_or(Clean::Nothing, |check| Clean::Passes(check.accepts))
            }
            FieldKind::Boolean => Clean::Boolean,
            FieldKind::Millis => Clean::Millis,
            _ => Clean::Nothing,
        }
    }

    /// [`Clean::of`] a member's own kind: timestamps and label IDs too, which only the walk's
    /// run takes (it keeps a timestamp's instant, and steps over an array).
    fn of_member(kind: FieldKind, config: &Config, values: &mut Vec<Lookup>) -> Clean {
        match kind {
            FieldKind::Timestamp => Clean::Timestamp,
            FieldKind::LabelIds if config.labels.is_none() => Clean::Labels,
            kind => Clean::of(kind, config.channels.is_some(), values),
        }
    }

    /// Whether `value`, a node of `bytes`, is certainly fine. A string's text is read as
    /// written (escapes not undone): every test here rejects a text with a backslash, so a
    /// string with an escape gets the full check.
    #[inline(always)]
    fn accepts(self, value: &Node, bytes: &[u8], values: &[Lookup]) -> bool {
        value.flags & BAD_TEXT == 0 && self.accepts_valid_text(value, bytes, values)
    }

    /// [`Clean::accepts`] of a value whose text is known to be valid.
    #[inline(always)]
    fn accepts_valid_text(self, value: &Node, bytes: &[u8], values: &[Lookup]) -> bool {
        match self {
            Clean::Nothing | Clean::Timestamp | Clean::Labels => false,
            Clean::AnyString => value.kind == Kind::Str,
            // An empty string is two quotes; escapes cannot make a non-empty one empty.
            Clean::NonEmptyString => value.kind == Kind::Str && value.end - value.start > 2,
            Clean::OneOf(set) => {
                let start = value.start as usize + 1;
                let len = (value.end as usize).saturating_sub(start + 1);
                value.kind == Kind::Str
                    && values
                        .get(usize::from(set))
                        .is_some_and(|table| table.find_at(bytes, start, len).is_some())
            }
            Clean::Passes(test) => value.kind == Kind::Str && test(value.raw_text(bytes)),
            Clean::Boolean => matches!(value.kind, Kind::True | Kind::False),
            Clean::Millis => {
                value.kind == Kind::Number
                    && value.end - value.start <= 15
                    && bytes
                        .get(value.start as usize..value.end as usize)
                        .is_some_and(|text| !text.is_empty() && text.iter().all(u8::is_ascii_digit))
            }
        }
    }
}

/// The top-level members a cross-member rule names.
fn rule_names(rule: &CrossRule) -> Vec<&'static str> {
    match *rule {
        CrossRule::NotBefore { anchor, later } => std::iter::once(anchor)
            .chain(later.iter().copied())
            .collect(),
        CrossRule::PresentWhen { member, then, .. } => vec![member, then],
        CrossRule::OnlyWhen { member, when, .. } => vec![member, when],
        CrossRule::Elapsed {
            member, from, to, ..
        } => vec![member, from, to],
        CrossRule::ValueWhen { member, when, .. } => vec![member, when],
        CrossRule::EmptyUnless { member, origin, .. } => {
            vec![member, origin.channel, origin.origin]
        }
    }
}

/// The members that identify contracts, for detection per record.
#[derive(Debug, Clone)]
struct Detecting {
    /// Every identifying member, once (at most 64).
    keys: Vec<&'static [u8]>,
    /// `keys` looked up by text: a record's members are each found with one probe (a record
    /// has up to about 50, and every one used to be compared with every key).
    lookup: Lookup,
    /// Bit `n` set: some identifying member is `n` bytes long.
    lengths: u64,
    /// By contract: the bits of `keys` that identify it, more than half of which must be
    /// present (0: never detected, the fallback).
    masks: Vec<u64>,
}

impl Detecting {
    fn new(contracts: &[&'static Contract]) -> Detecting {
        let mut detecting = Detecting {
            keys: Vec::new(),
            lookup: Lookup::new(Vec::new()),
            lengths: 0,
            masks: Vec::new(),
        };
        for contract in contracts {
            let mut mask = 0u64;
            for name in contract.detect {
                let known = detecting
                    .keys
                    .iter()
                    .position(|key| *key == name.as_bytes());
                let bit = known.unwrap_or_else(|| {
                    detecting.keys.push(name.as_bytes());
                    detecting.keys.len() - 1
                });
                if bit < 64 && name.len() < 64 {
                    mask |= 1 << bit;
                    detecting.lengths |= 1 << name.len();
                }
            }
            detecting.masks.push(mask);
        }
        detecting.keys.truncate(64);
        detecting.lookup = Lookup::new(detecting.keys.clone());
        detecting
    }
}

/// The configuration, compiled for the hot path.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    levels: Vec<Option<Severity>>,
    /// The contracts a record may follow, each with the index of its top level in
    /// `objects`; more than one when the contract is detected per record.
    contracts: Vec<(&'static Contract, u16)>,
    /// By contract, by cross-member rule (then its conditional requirements): the top-level
    /// members the rule names, with their indices, so the rule finds them without a lookup.
    named: Vec<Vec<Vec<(&'static str, usize)>>>,
    /// Every object level of every contract, each contract's top level first.
    objects: Vec<ObjectLevel>,
    /// The identifying members of the contracts, when the contract is detected per record.
    detecting: Detecting,
    /// Slots of [`Scratch::next_of`] all levels need.
    guess_slots: usize,
    /// The tables of the value sets [`Clean::OneOf`] accepts.
    values: Vec<Lookup>,
    /// What the items of each array kind accept on sight.
    item_cleans: Vec<(FieldKind, Clean)>,
    /// Whether the walk accepts values on sight (off only to test that it changes nothing).
    fast: bool,
    strict: bool,
    require_conditional: bool,
    labels: Option<BTreeSet<String>>,
    channels: Option<BTreeSet<String>>,
    channels_list: String,
    show_values: bool,
}

impl Compiled {
    pub fn new(config: &Config) -> Compiled {
        let strict = config.profile == Profile::Strict;
        let candidates: Vec<&'static Contract> = match config.contract {
            Some(contract) => vec![contract],
            None => contracts::ALL.to_vec(),
        };
        let mut compiled = Compiled {
            levels: Code::ALL
                .iter()
                .map(|code| config.level(*code).severity())
                .collect(),
            contracts: Vec::new(),
            named: Vec::new(),
            objects: Vec::new(),
            detecting: Detecting::new(&[]),
            guess_slots: 0,
            values: Vec::new(),
            item_cleans: Vec::new(),
            fast: true,
            strict,
            // In the strict profile the contract's conditional members are required only
            // under their condition; an explicit required set is taken as given.
            require_conditional: strict && config.required.is_none(),
            labels: config.labels.clone(),
            channels: config.channels.clone(),
            channels_list: config
                .channels
                .as_ref()
                .map(|set| {
                    set.iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
            show_values: config.show_values,
        };
        for contract in &candidates {
            let top = compiled.add_level(config, contract, contract.fields);
            compiled.contracts.push((contract, top));
            let index = |names: Vec<&'static str>| -> Vec<(&'static str, usize)> {
                names
                    .into_iter()
                    .filter_map(|name| {
                        let field = contract.fields.iter().position(|rule| rule.key() == name)?;
                        Some((name, field))
                    })
                    .collect()
            };
            let mut named: Vec<Vec<(&'static str, usize)>> = contract
                .cross
                .iter()
                .map(|rule| index(rule_names(rule)))
                .collect();
            named.push(index(
                contract
                    .strict_when
                    .iter()
                    .map(|conditional| conditional.member)
                    .collect(),
            ));
            compiled.named.push(named);
        }
        if candidates.len() > 1 {
            compiled.detecting = Detecting::new(&candidates);
        }
        compiled
    }

    /// The contract of findings outside any record: the one checked, or the record's when
    /// the contract is detected per record.
    pub fn default_contract(&self) -> &'static str {
        self.contracts
            .first()
            .map_or(RECORD.name, |(contract, _)| contract.name)
    }

    /// Which of the contracts the record at `root` follows: the first (after the record, the
    /// fallback) that has most of its identifying members (so an event missing its `eid` is
    /// still an event, with a `required` finding). One pass over the members; a
    /// key is compared only when its length is that of an identifying member.
    fn detect(&self, tape: &Tape, bytes: &[u8], root: usize) -> usize {
        let detecting = &self.detecting;
        if detecting.keys.is_empty()
            || tape.nodes.get(root).map(|node| node.kind) != Some(Kind::Object)
        {
            return 0;
        }
        let mut found = 0u64;
        for (key, _) in tape.members(root) {
            let Some(node) = tape.nodes.get(key) else {
                break;
            };
            // The length first, from the node: most members of a record are no identifying
            // member by their length alone, and their text is never looked at.
            let len = node.text_len();
            if len >= 64 || detecting.lengths & (1 << len) == 0 {
                continue;
            }
            if let Some(bit) = detecting.lookup.find(tape.text(bytes, node)) {
                found |= 1 << bit;
            }
        }
        detecting
            .masks
            .iter()
            .position(|&mask| mask != 0 && (found & mask).count_ones() * 2 > mask.count_ones())
            .unwrap_or(0)
    }

    /// Whether `key` marks an object as a record rather than a list response's envelope: a
    /// top-level member of the contract checked, or, when the contract is detected, of the
    /// record or a member that identifies another contract.
    pub fn documents(&self, key: &[u8]) -> bool {
        match self.contracts.as_slice() {
            [(_, top)] => self
                .objects
                .get(usize::from(*top))
                .is_some_and(|level| level.lookup.find(key).is_some()),
            _ => {
                record_lookup().find(key).is_some()
                    || self.contracts.iter().any(|(contract, _)| {
                        contract.detect.iter().any(|name| name.as_bytes() == key)
                    })
            }
        }
    }

    /// Compiles the level of `rules` and, depth first, the levels of the objects they hold;
    /// returns its index.
    fn add_level(
        &mut self,
        config: &Config,
        contract: &'static Contract,
        rules: &'static [FieldRule],
    ) -> u16 {
        let strict = config.profile == Profile::Strict;
        let required: Vec<bool> = rules
            .iter()
            .map(|rule| match &config.required {
                Some(set) => set.contains(rule.name),
                None => rule.required || (strict && !contract.is_conditional(rule.name)),
            })
            .collect();
        let index = self.objects.len();
        let mut members: Vec<Member> = rules
            .iter()
            .zip(&required)
            .map(|(rule, &required)| Member {
                key: Word::new(rule.key().as_bytes()),
                clean: Clean::of_member(rule.kind, config, &mut self.values),
                required,
                null_ok: rule.nullable && (strict || !required),
                timestamp: rule.kind == FieldKind::Timestamp,
                child: NO_LEVEL,
            })
            .collect();
        self.objects.push(ObjectLevel {
            rules,
            lookup: Lookup::build(rules),
            members: members.clone(),
            end_checks: Vec::new(),
            required: Vec::new(),
            guess_base: self.guess_slots,
        });
        self.guess_slots += rules.len() + 1;
        for (member, rule) in members.iter_mut().zip(rules) {
            if let FieldKind::ArrayOf(item) = rule.kind {
                if !self.item_cleans.iter().any(|(kind, _)| kind == item) {
                    let clean = Clean::of(*item, config.channels.is_some(), &mut self.values);
                    self.item_cleans.push((*item, clean));
                }
            }
            if let Some(children) = rule.kind.members() {
                member.child = self.add_level(config, contract, children);
            }
        }
        let level = &mut self.objects[index];
        level.end_checks = (0..rules.len())
            .filter(|&field| members[field].required || members[field].child != NO_LEVEL)
            .collect();
        level.required = (0..rules.len())
            .filter(|&field| members[field].required)
            .collect();
        level.members = members;
        index as u16
    }

    /// Turns the on-sight acceptance of values off (every member gets its full check) or on.
    #[cfg(test)]
    pub fn set_fast(&mut self, fast: bool) {
        self.fast = fast;
    }

    #[inline]
    pub fn severity(&self, code: Code) -> Option<Severity> {
        self.levels.get(code as usize).copied().flatten()
    }
}

/// Lookup of one set of short texts (the members of an object level, the values of an enum):
/// buckets by (length, first byte) holding indices, or a perfect table.
#[derive(Debug, Clone)]
struct Lookup {
    /// By slot: 1 + the index of the first key with that length and first byte, or 0.
    first: Vec<u8>,
    /// By key: 1 + the index of the next key in the same slot, or 0.
    chain: Vec<u8>,
    keys: Vec<Word>,
    /// A collision-free table over [`Lookup::digest`] (256 slots, 1 + the key index, or 0),
    /// found at build time by trying multipliers; empty if none was found, and `find` then
    /// walks the chains. One probe and one comparison per text, with no chain to follow.
    perfect: Option<Box<[u8; 256]>>,
    multiplier: u32,
}

const MAX_KEY: usize = 32;

impl Lookup {
    fn build(rules: &[FieldRule]) -> Lookup {
        Lookup::new(rules.iter().map(|rule| rule.key().as_bytes()).collect())
    }

    /// The lookup of `keys` (distinct; at most 254 are found, the rest never).
    fn new(keys: Vec<&'static [u8]>) -> Lookup {
        let keys: Vec<&'static [u8]> = keys.into_iter().take(254).collect();
        let mut first = vec![0u8; MAX_KEY * 128];
        let mut chain = vec![0u8; keys.len()];
        for (index, key) in keys.iter().enumerate().rev() {
            if let Some(slot) = Lookup::slot(key) {
                chain[index] = first[slot];
                first[slot] = index as u8 + 1;
            }
        }
        let (perfect, multiplier) = match Lookup::perfect_table(&keys) {
            Some((table, multiplier)) => (Some(table), multiplier),
            None => (None, 0),
        };
        Lookup {
            first,
            chain,
            keys: keys.into_iter().map(Word::new).collect(),
            perfect,
            multiplier,
        }
    }

    /// Whether this is the lookup of exactly `keys`, in that order.
    fn is_of(&self, keys: &[&[u8]]) -> bool {
        self.keys.len() == keys.len()
            && self
                .keys
                .iter()
                .zip(keys)
                .all(|(word, key)| *word.text == **key)
    }

    /// Length, first, last and second-to-last byte of a key, packed: distinct for every
    /// documented key (else no perfect table is built).
    #[inline(always)]
    fn digest(key: &[u8]) -> u32 {
        let (first, penult, last) = match *key {
            [first, .., penult, last] => (first, penult, last),
            [first, last] => (first, first, last),
            [only] => (only, 0, only),
            [] => (0, 0, 0),
        };
        (key.len() as u32 & 0xFF) << 24
            | u32::from(first)
            | u32::from(last) << 8
            | u32::from(penult) << 16
    }

    #[inline]
    fn perfect_slot(digest: u32, multiplier: u32) -> usize {
        // The top byte: always below 256, so indexing the table needs no bounds check.
        usize::from((digest.wrapping_mul(multiplier) >> 24) as u8)
    }

    fn perfect_table(keys: &[&[u8]]) -> Option<(Box<[u8; 256]>, u32)> {
        if keys.len() >= 255 {
            return None;
        }
        let digests: Vec<u32> = keys.iter().map(|key| Lookup::digest(key)).collect();
        // A deterministic sequence of odd multipliers; with about 50 keys in 256 slots a
        // few hundred tries find one without collisions.
        let mut multiplier = 0x9E37_79B9u32;
        for _ in 0..100_000 {
            multiplier = multiplier
                .wrapping_mul(0x0019_660D)
                .wrapping_add(0x3C6E_F35F)
                | 1;
            let mut table = Box::new([0u8; 256]);
            let clean = digests.iter().enumerate().all(|(index, &digest)| {
                let slot = &mut table[Lookup::perfect_slot(digest, multiplier)];
                let free = *slot == 0;
                *slot = index as u8 + 1;
                free
            });
            if clean {
                return Some((table, multiplier));
            }
        }
        None
    }

    #[inline]
    fn slot(key: &[u8]) -> Option<usize> {
        let first = *key.first()?;
        (key.len() < MAX_KEY && first < 128).then(|| key.len() * 128 + usize::from(first))
    }

    /// [`Lookup::find`] of the `len` bytes of `bytes` from `start`.
    #[inline(always)]
    fn find_at(&self, bytes: &[u8], start: usize, len: usize) -> Option<usize> {
        let Some(table) = &self.perfect else {
            return self.find(bytes.get(start..start + len)?);
        };
        let digest = Lookup::digest(bytes.get(start..start + len)?);
        let slot = table[Lookup::perfect_slot(digest, self.multiplier)];
        let index = usize::from(slot).checked_sub(1)?;
        self.keys
            .get(index)
            .is_some_and(|known| known.matches_at(bytes, start, len))
            .then_some(index)
    }

    #[inline(always)]
    fn find(&self, key: &[u8]) -> Option<usize> {
        if let Some(table) = &self.perfect {
            let slot = table[Lookup::perfect_slot(Lookup::digest(key), self.multiplier)];
            // Keys are distinct, so a documented key can only be the one in its own slot.
            let index = usize::from(slot).checked_sub(1)?;
            return self
                .keys
                .get(index)
                .is_some_and(|known| known.matches(key))
                .then_some(index);
        }
        let mut next = *self.first.get(Lookup::slot(key)?)?;
        while next != 0 {
            let index = usize::from(next - 1);
            if self.keys.get(index).is_some_and(|known| known.matches(key)) {
                return Some(index);
            }
            next = self.chain.get(index).copied().unwrap_or(0);
        }
        None
    }
}

/// A documented key or value with its words loaded once: compared with a text of the input
/// in one or two word comparisons, no call to `memcmp`.
#[derive(Debug, Clone)]
struct Word {
    text: Box<[u8]>,
    /// The first 8 bytes, zero-padded.
    head: u64,
    /// Which bytes of a word loaded at the text's start are the text's.
    mask: u64,
    /// The last 8 bytes, when there are more than 8.
    tail: u64,
    /// Bytes 8 to 16, when there are more than 16.
    middle: u64,
}

impl Word {
    fn new(text: &[u8]) -> Word {
        let mut head = [0u8; 8];
        let first = &text[..text.len().min(8)];
        head[..first.len()].copy_from_slice(first);
        Word {
            text: text.into(),
            head: u64::from_le_bytes(head),
            mask: if text.len() >= 8 {
                u64::MAX
            } else {
                (1u64 << (8 * text.len())) - 1
            },
            tail: if text.len() > 8 {
                word8(text, text.len() - 8)
            } else {
                0
            },
            middle: word8(text, 8),
        }
    }

    /// Whether `text` is this one.
    #[inline(always)]
    fn matches(&self, text: &[u8]) -> bool {
        bytes_eq(text, &self.text)
    }

    /// Whether the `len` bytes of `bytes` from `start` are this text: a word loaded at
    /// `start`, masked to the text, and for a text longer than 8 its last word.
    #[inline(always)]
    fn matches_at(&self, bytes: &[u8], start: usize, len: usize) -> bool {
        if len != self.text.len() {
            return false;
        }
        // The usual key, at most 24 bytes with 24 bytes of input from its start: its words
        // read from one window checked once.
        if let Some(window) = bytes
            .get(start..start + 24)
            .and_then(|window| <&[u8; 24]>::try_from(window).ok())
        {
            if len <= 24 {
                let word = |at: usize| {
                    let mut out = [0u8; 8];
                    out.copy_from_slice(&window[at..at + 8]);
                    u64::from_le_bytes(out)
                };
                return (word(0) ^ self.head) & self.mask == 0
                    && (len <= 8
                        || (word(len - 8) == self.tail && (len <= 16 || word(8) == self.middle)));
            }
        }
        let Some(head) = bytes.get(start..start + 8) else {
            // Within 8 bytes of the end of the input.
            return bytes.get(start..start + len) == Some(&self.text);
        };
        let head = u64::from_le_bytes(head.try_into().unwrap_or_default());
        if (head ^ self.head) & self.mask != 0 {
            return false;
        }
        len <= 8
            || (word8(bytes, start + len - 8) == self.tail
                && (len <= 16
                    || (word8(bytes, start + 8) == self.middle
                        && (len <= 24
                            || bytes.get(start + 16..start + len) == self.text.get(16..)))))
    }
}

/// The record contract's top-level lookup, for shape detection.
fn record_lookup() -> &'static Lookup {
    static TABLE: OnceLock<Lookup> = OnceLock::new();
    TABLE.get_or_init(|| Lookup::build(RECORD.fields))
}

/// Reusable per-worker buffers.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// For each object being walked, one slot per rule of its level (1 + the value node of
    /// the member, or 0): a stack, the record's level at the bottom.
    seen: Vec<u32>,
    /// For each level and field, the field that followed it last time (each level's last
    /// slot: the first member). Producers write members in a fixed order, optional ones left
    /// out, so this guess usually saves the table lookup.
    next_of: Vec<u8>,
    unknown: Vec<usize>,
    keys: Vec<(u64, u32)>,
    /// Timestamps of this record already parsed, by value node, for the cross-member rules.
    instants: Vec<(usize, Instant)>,
    /// Required members missing from nested objects, by the top-level field they are under:
    /// reported after that field's own check, in documentation order.
    nested_missing: Vec<(usize, Pointer, &'static FieldRule)>,
    /// The top-level field being checked.
    top: usize,
    /// The record's node.
    root: usize,
    /// The index of the record's contract in [`Compiled::contracts`].
    current: usize,
    day_cache: DayCache,
    /// Where [`Checker::pointer_to`] found its last target, one entry a depth: (container
    /// node, child node, ordinal of the child). Findings come in document order, so the next
    /// search in the same container resumes there: a pointer into an object of 300,000
    /// members costs its depth, not its position. Cleared for each record.
    resume: std::cell::RefCell<Vec<(usize, usize, usize)>>,
}

/// A value shown in a message: quoted and escaped on one line, shortened, or masked.
fn show_text(text: &[u8], masked: bool) -> String {
    if masked {
        return "<masked>".to_owned();
    }
    let text = String::from_utf8_lossy(text);
    let mut shown: String = text.chars().take(60).collect();
    if text.chars().nth(60).is_some() {
        shown.push('…');
    }
    format!("{shown:?}")
}

fn one_of(values: &[&str]) -> String {
    format!("one of: {}", values.join(", "))
}

fn describe(kind: Kind) -> &'static str {
    match kind {
        Kind::Object => "an object",
        Kind::Array => "an array",
        Kind::Key | Kind::Str => "a string",
        Kind::Number => "a number",
        Kind::True | Kind::False => "a boolean",
        Kind::Null => "null",
    }
}

/// Equality of short byte strings without a call to `memcmp` (keys and enum values are a few
/// bytes long and compared once per member on the hot path). Each length class compares a
/// head and a tail that overlap, so a key costs two loads a side and no loop.
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    match len {
        0 => true,
        // Positions 0, len / 2 and len - 1 cover every byte of 1 to 3.
        1..=3 => a[0] == b[0] && a[len / 2] == b[len / 2] && a[len - 1] == b[len - 1],
        4..=8 => word4(a, 0) == word4(b, 0) && word4(a, len - 4) == word4(b, len - 4),
        9..=16 => word8(a, 0) == word8(b, 0) && word8(a, len - 8) == word8(b, len - 8),
        _ => {
            let mut index = 0;
            while index + 8 < len {
                if word8(a, index) != word8(b, index) {
                    return false;
                }
                index += 8;
            }
            word8(a, len - 8) == word8(b, len - 8)
        }
    }
}

#[inline(always)]
fn word4(bytes: &[u8], at: usize) -> u32 {
    let mut out = [0u8; 4];
    if let Some(slice) = bytes.get(at..at + 4) {
        out.copy_from_slice(slice);
    }
    u32::from_le_bytes(out)
}

#[inline(always)]
fn word8(bytes: &[u8], at: usize) -> u64 {
    let mut out = [0u8; 8];
    if let Some(slice) = bytes.get(at..at + 8) {
        out.copy_from_slice(slice);
    }
    u64::from_le_bytes(out)
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    // FNV-1a: keys are short and this runs only on objects the field table does not cover.
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for &byte in bytes {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

pub(crate) fn closest<'a>(
    candidates: impl Iterator<Item = &'a str>,
    text: &str,
) -> Option<&'a str> {
    crate::code::did_you_mean(candidates, text)
}

/// An ISO code table as a rule sees it.
struct CodeTable {
    code: Code,
    contains: fn(&[u8]) -> bool,
    upper: bool,
    expected: &'static str,
    short: &'static str,
}

const LANGUAGE_TABLE: CodeTable = CodeTable {
    code: Code::Language,
    contains: codes::is_language_code,
    upper: false,
    expected: "an assigned ISO 639-1 code in lower case, e.g. en",
    short: "ISO 639-1 code",
};

const COUNTRY_TABLE: CodeTable = CodeTable {
    code: Code::Country,
    contains: codes::is_country_code,
    upper: true,
    expected: "an assigned ISO 3166-1 alpha-2 code in upper case, e.g. HK",
    short: "ISO 3166-1 alpha-2 code",
};

/// A rule that is one test of a string's text.
struct TextCheck {
    accepts: fn(&[u8]) -> bool,
    code: Code,
    expected: &'static str,
    short: &'static str,
}

fn is_ip_address(text: &[u8]) -> bool {
    is_plain_ipv4(text)
        || std::str::from_utf8(text).is_ok_and(|text| text.parse::<IpAddr>().is_ok())
}

/// The usual address in one pass: four decimal numbers up to 255, no leading zero, three
/// dots. True only where the standard parser is true; anything else is left to it.
#[inline]
fn is_plain_ipv4(text: &[u8]) -> bool {
    let mut parts = 0;
    let mut value = 0u32;
    let mut digits = 0;
    for &byte in text {
        if byte == b'.' {
            if digits == 0 || parts == 3 {
                return false;
            }
            parts += 1;
            value = 0;
            digits = 0;
        } else if byte.is_ascii_digit() {
            // A leading zero is refused, as the standard parser does ("01").
            if digits == 3 || (digits == 1 && value == 0) {
                return false;
            }
            value = value * 10 + u32::from(byte - b'0');
            digits += 1;
            if value > 255 {
                return false;
            }
        } else {
            return false;
        }
    }
    parts == 3 && digits > 0
}

/// The kinds checked by one test of the text, and their findings.
fn text_check(kind: FieldKind) -> Option<&'static TextCheck> {
    const IP: TextCheck = TextCheck {
        accepts: is_ip_address,
        code: Code::Ip,
        expected: "an IPv4 or IPv6 address",
        short: "an IPv4 or IPv6 address",
    };
    const URL: TextCheck = TextCheck {
        accepts: is_http_url,
        code: Code::Url,
        expected: "an absolute http or https URL",
        short: "an absolute http(s) URL",
    };
    match kind {
        FieldKind::IpAddress => Some(&IP),
        FieldKind::HttpUrl => Some(&URL),
        _ => None,
    }
}

/// What [`Run::skim`] reads and writes: the walk's state for one object.
struct Run<'r> {
    level: &'r ObjectLevel,
    values: &'r [Lookup],
    tape: &'r Tape,
    bytes: &'r [u8],
    /// The object's slots of [`Scratch::seen`].
    seen: &'r mut [u32],
    /// The level's slots of [`Scratch::next_of`].
    guesses: &'r mut [u8],
    instants: &'r mut Vec<(usize, Instant)>,
    cache: &'r mut DayCache,
}

impl<'r> Run<'r> {
    /// The run over the object whose `seen` slots are given, at `level`; `next_of` is
    /// [`Scratch::next_of`], the rest of the scratch (its instants) is `scratch`'s.
    fn new(
        cfg: &'r Compiled,
        level: &'r ObjectLevel,
        (tape, bytes): (&'r Tape, &'r [u8]),
        (seen, next_of): (&'r mut [u32], &'r mut [u8]),
        scratch: &'r mut Scratch,
    ) -> Run<'r> {
        let base = level.guess_base;
        Run {
            level,
            values: &cfg.values,
            tape,
            bytes,
            seen,
            guesses: next_of
                .get_mut(base..=base + level.members.len())
                .unwrap_or_default(),
            instants: &mut scratch.instants,
            cache: &mut scratch.day_cache,
        }
    }

    /// Takes the members from `at` (a key node, before `end`) as long as each is the one
    /// `previous`'s slot guesses, seen for the first time, with a key of valid text and a
    /// value accepted on sight (or a canonical timestamp, kept for the cross-member rules):
    /// exactly what [`Checker::walk_object`]'s body does for such a member, without a finding.
    /// Returns the first member it did not take (or `end`).
    #[inline(never)]
    fn skim(&mut self, at: usize, end: usize, previous: &mut usize) -> (usize, bool) {
        let members = self.level.members.as_slice();
        let bytes = self.bytes;
        let Some(pairs) = self.tape.nodes.get(at..end) else {
            return (at, true);
        };
        // As long as the members: a field found among them is in bounds here too.
        let Some(seen) = self.seen.get_mut(..members.len()) else {
            return (at, true);
        };
        let mut last = *previous;
        let mut taken = at;
        for pair in pairs.chunks_exact(2) {
            let [key_node, value_node] = pair else {
                break;
            };
            // The key as written, between its quotes: a key with an escape is never a
            // documented key (none has a backslash), and the body decides it.
            let start = key_node.start as usize + 1;
            let Some(len) = (key_node.end as usize).checked_sub(start + 1) else {
                break;
            };
            let Some(slot) = self.guesses.get_mut(last) else {
                break;
            };
            let guess = usize::from(*slot);
            let (field, member) = match members.get(guess) {
                Some(member) if member.key.matches_at(bytes, start, len) => (guess, member),
                _ => match self.level.lookup.find_at(bytes, start, len) {
                    Some(field) => {
                        // What the body would write too, whether or not this run takes it.
                        *slot = field as u8;
                        let Some(member) = members.get(field) else {
                            break;
                        };
                        (field, member)
                    }
                    None => break,
                },
            };
            let Some(seen) = seen.get_mut(field) else {
                break;
            };
            if *seen != 0 || (key_node.flags | value_node.flags) & BAD_TEXT != 0 {
                break;
            }
            let accepted = match member.clean {
                _ if value_node.kind == Kind::Null => member.null_ok,
                Clean::Timestamp => {
                    timestamp(bytes, value_node, self.cache).is_some_and(|instant| {
                        self.instants.push((taken + 1, instant));
                        true
                    })
                }
                Clean::Labels => {
                    if value_node.kind == Kind::Array
                        && clean_labels(self.tape, bytes, taken + 1, value_node)
                    {
                        // Past the array, which this loop's pairs cannot step over: the
                        // caller calls again from there.
                        *seen = taken as u32 + 2;
                        *previous = field;
                        return (value_node.aux as usize, false);
                    }
                    false
                }
                clean => clean.accepts_valid_text(value_node, bytes, self.values),
            };
            if !accepted {
                break;
            }
            // A value accepted on sight is never a container: its subtree is its node.
            *seen = taken as u32 + 2;
            last = field;
            taken += 2;
        }
        *previous = last;
        (taken, true)
    }
}

/// Whether the array at `value` holds at most 16 label IDs, all non-empty strings of valid
/// text and distinct (what `check_labels` accepts with no label list).
fn clean_labels(tape: &Tape, bytes: &[u8], value: usize, node: &Node) -> bool {
    let Some(items) = tape.nodes.get(value + 1..node.aux as usize) else {
        return false;
    };
    items.len() <= 16
        && items.iter().enumerate().all(|(index, item)| {
            // Strings are single nodes: the items are these, in order.
            item.kind == Kind::Str && item.flags & BAD_TEXT == 0 && item.end - item.start > 2 && {
                let text = tape.text(bytes, item);
                items[..index]
                    .iter()
                    .all(|other| !bytes_eq(tape.text(bytes, other), text))
            }
        })
}

/// The instant of the string `node` when it is a timestamp in the canonical form. Its text as
/// written: with an escape (a backslash) it is no timestamp, and the full check decides.
#[inline(always)]
fn timestamp(bytes: &[u8], node: &Node, cache: &mut DayCache) -> Option<Instant> {
    if node.kind != Kind::Str {
        return None;
    }
    parse_timestamp(node.raw_text(bytes), cache).filter(|instant| instant.canonical)
}

/// The checker of one record.
pub(crate) struct Checker<'a> {
    pub cfg: &'a Compiled,
    pub tape: &'a Tape,
    pub bytes: &'a [u8],
    pub out: &'a mut crate::finding::Collected,
    pub scratch: &'a mut Scratch,
    /// The top-level members the cross-member rule being applied names, with their fields
    /// (set by `Checker::set_rule`).
    pub names: &'a [(&'static str, usize)],
}

impl<'a> Checker<'a> {
    #[inline]
    fn node(&self, index: usize) -> Node {
        self.tape.nodes.get(index).copied().unwrap_or(Node {
            start: 0,
            end: 0,
            aux: 0,
            len: 0,
            kind: Kind::Null,
            flags: 0,
        })
    }

    /// Like [`Checker::text`], borrowed from the record rather than from the checker, so it
    /// can be held across `&mut self` calls.
    #[inline]
    fn record_text(&self, index: usize) -> &'a [u8] {
        let tape: &'a Tape = self.tape;
        match tape.nodes.get(index) {
            Some(node) => tape.text(self.bytes, node),
            None => &[],
        }
    }

    #[inline(always)]
    fn text(&self, index: usize) -> &[u8] {
        match self.tape.nodes.get(index) {
            Some(node) => self.tape.text(self.bytes, node),
            None => &[],
        }
    }

    fn emit(
        &mut self,
        code: Code,
        offset: u32,
        pointer: Pointer,
        message: String,
        expected: Option<String>,
        suggestion: Option<String>,
    ) {
        if let Some(severity) = self.cfg.severity(code) {
            self.out.push(Pending {
                offset,
                code,
                severity,
                pointer,
                message,
                expected,
                suggestion,
            });
        }
    }

    #[inline]
    fn on(&self, code: Code) -> bool {
        self.cfg.severity(code).is_some()
    }

    /// The pointer of `target` inside the record at `root`.
    fn pointer_to(&self, root: usize, target: usize) -> Pointer {
        let mut pointer = Pointer::root();
        let mut resume = self.scratch.resume.borrow_mut();
        let mut at = root;
        let mut depth = 0;
        while at != target {
            let kind = self.node(at).kind;
            if !matches!(kind, Kind::Object | Kind::Array) {
                break;
            }
            // Start from where the last search in this container stopped, if that is not past
            // the target.
            let (mut child, mut ordinal) = match resume.get(depth) {
                Some(&(container, child, ordinal)) if container == at && child <= target => {
                    (child, ordinal)
                }
                _ => (at + 1, 0),
            };
            let end = self.tape.next(at);
            // An object's children are (key, value) pairs; an array's are its items.
            let found = loop {
                if child >= end {
                    break None;
                }
                let value = if kind == Kind::Object {
                    child + 1
                } else {
                    child
                };
                let after = self.tape.next(value);
                if child == target || (value <= target && target < after) {
                    break Some((child, value));
                }
                child = after;
                ordinal += 1;
            };
            let Some((child, value)) = found else { break };
            resume.truncate(depth);
            resume.push((at, child, ordinal));
            pointer = if kind == Kind::Object {
                pointer.child(&String::from_utf8_lossy(self.text(child)))
            } else {
                pointer.index(ordinal)
            };
            at = if child == target { target } else { value };
            depth += 1;
        }
        pointer
    }

    /// The contract of the record being checked.
    fn contract(&self) -> &'static Contract {
        self.cfg
            .contracts
            .get(self.scratch.current)
            .map_or(&RECORD, |(contract, _)| *contract)
    }

    /// The object level of the record's top.
    fn top_level(&self) -> u16 {
        self.cfg
            .contracts
            .get(self.scratch.current)
            .map_or(0, |(_, top)| *top)
    }

    /// The name of the contract the last record checked follows.
    pub fn contract_name(&self) -> &'static str {
        self.contract().name
    }

    /// The pointer of the node `target` inside the record being checked.
    fn pointer_of(&self, target: usize) -> Pointer {
        self.pointer_to(self.scratch.root, target)
    }

    /// Checks the record whose value is the node at `root`.
    pub fn check_record(&mut self, root: usize) {
        self.scratch.resume.get_mut().clear();
        let node = self.node(root);
        self.scratch.current = self.cfg.detect(self.tape, self.bytes, root);
        if node.kind != Kind::Object {
            let noun = self.contract().a_noun();
            self.emit(
                Code::NotAnObject,
                node.start,
                Pointer::root(),
                format!("record is {}; expected {noun} object", describe(node.kind)),
                Some("an object".to_owned()),
                None,
            );
            return;
        }
        self.scratch.root = root;
        self.scratch.seen.clear();
        self.scratch.instants.clear();
        self.scratch.nested_missing.clear();
        if self.scratch.next_of.len() < self.cfg.guess_slots {
            self.scratch.next_of.resize(self.cfg.guess_slots, 0);
        }
        self.walk_object(root, self.top_level());
        if self.cfg.require_conditional {
            self.missing_conditional(node.start);
        }
        self.cross_rules();
        self.scratch.seen.clear();
    }

    /// Whether a member of `kind` holding `value` is certainly fine: free text holding a clean
    /// string, a documented enum value or a boolean, the bulk of every record. The walk skips
    /// the full check for those.
    #[inline(always)]
    fn is_clean(&self, kind: FieldKind, value: usize) -> bool {
        let clean = self
            .cfg
            .item_cleans
            .iter()
            .find(|(known, _)| *known == kind)
            .map_or(Clean::Nothing, |&(_, clean)| clean);
        self.cfg.fast && clean.accepts(&self.node(value), self.bytes, &self.cfg.values)
    }

    /// The one walk: the members of the object at `object` against the object level
    /// `level_index` of the contract, at any depth. Leaves the level's `seen` slots on the
    /// stack (the caller pops them; the record's level is read by the cross-member rules).
    fn walk_object(&mut self, object: usize, level_index: u16) {
        let cfg: &'a Compiled = self.cfg;
        let Some(level) = cfg.objects.get(usize::from(level_index)) else {
            return;
        };
        let rules = level.rules;
        let members = level.members.as_slice();
        // The tape and the record held as locals: nothing the loop calls can change them.
        let tape: &'a Tape = self.tape;
        let nodes: &'a [Node] = &tape.nodes;
        let bytes: &'a [u8] = self.bytes;
        // Held as locals on the hot path; handed back to `scratch` around a nested walk.
        let mut seen = std::mem::take(&mut self.scratch.seen);
        let mut next_of = std::mem::take(&mut self.scratch.next_of);
        let base = seen.len();
        seen.resize(base + rules.len(), 0);
        let mut unknown = std::mem::take(&mut self.scratch.unknown);
        unknown.clear();
        let mut previous = rules.len();
        let is_top = level_index == self.top_level();
        // The members, walked by hand (as `Tape::members` does) so that the loop body stays
        // small enough to keep in registers.
        let end = tape.next(object);
        let mut at = object + 1;
        while at < end {
            // The bulk of the members, in a loop of its own; it stops at the first member that
            // needs more than a look, which the body below then takes from the start.
            if cfg.fast {
                let seen = seen.get_mut(base..).unwrap_or_default();
                let mut run = Run::new(
                    cfg,
                    level,
                    (tape, bytes),
                    (seen, &mut next_of),
                    self.scratch,
                );
                let stopped;
                (at, stopped) = run.skim(at, end, &mut previous);
                if !stopped {
                    continue;
                }
            }
            if at >= end {
                break;
            }
            let key = at;
            let value = key + 1;
            let Some([key_node, value_node]) = nodes.get(key..=value) else {
                break;
            };
            at = if matches!(value_node.kind, Kind::Object | Kind::Array) {
                value_node.aux as usize
            } else {
                value + 1
            };
            let key_text = tape.text(bytes, key_node);
            // The guess's slot, written back with the member found (ignored when missing).
            let mut spare = 0u8;
            let next = next_of
                .get_mut(level.guess_base + previous)
                .unwrap_or(&mut spare);
            let guess = usize::from(*next);
            let found = match members.get(guess) {
                Some(member) if member.key.matches(key_text) => Some(guess),
                _ => level.lookup.find(key_text),
            };
            let Some((field, seen_value)) =
                found.and_then(|field| Some((field, seen.get_mut(base + field)?)))
            else {
                unknown.push(key);
                let parent = self.pointer_of(object);
                self.unknown_field(&parent, key, rules);
                self.walk_generic(self.scratch.root, value, &parent, key);
                continue;
            };
            *next = field as u8;
            previous = field;
            let repeated = *seen_value != 0;
            *seen_value = value as u32 + 1;
            if repeated {
                self.duplicate(&self.pointer_of(object), key);
            }
            // The flag first: the pointer is built only for a key with a defect.
            if key_node.flags & BAD_TEXT != 0 {
                self.check_key_text(&self.pointer_of(object), key);
            }
            let member = &members[field];
            if cfg.fast && member.clean.accepts(value_node, bytes, &cfg.values) {
                continue;
            }
            if is_top {
                // Read by the nested levels this member's check walks.
                self.scratch.top = field;
            }
            let rule = &rules[field];
            if member.timestamp && value_node.kind == Kind::Str && value_node.flags & BAD_TEXT == 0
            {
                // What `check_member` would do, without its dispatch: most timestamps.
                self.check_timestamp(rule, value);
            } else if member.child == NO_LEVEL {
                self.check_member(rule, value, member.required, member.child);
            } else {
                self.scratch.seen = seen;
                self.scratch.next_of = next_of;
                self.check_parent(rule, member, value, value_node.kind);
                seen = std::mem::take(&mut self.scratch.seen);
                next_of = std::mem::take(&mut self.scratch.next_of);
            }
        }
        self.scratch.seen = seen;
        self.scratch.next_of = next_of;
        if unknown.len() >= 2 {
            self.unknown_duplicates(object, &unknown);
        }
        self.scratch.unknown = unknown;
        self.end_of_object(object, level_index, base);
    }

    /// A member holding objects (or arrays of them) of the level `member.child`: an object
    /// walked straight away (what `check_member` would do, without its dispatch).
    fn check_parent(&mut self, rule: &FieldRule, member: &Member, value: usize, kind: Kind) {
        if matches!(rule.kind, FieldKind::Object(_)) && kind == Kind::Object {
            let nested = self.scratch.seen.len();
            self.walk_object(value, member.child);
            self.scratch.seen.truncate(nested);
        } else {
            self.check_member(rule, value, member.required, member.child);
        }
    }

    /// The undocumented keys of the object at `object` that repeat an earlier one.
    fn unknown_duplicates(&mut self, object: usize, unknown: &[usize]) {
        let repeated = self.duplicates_among(unknown);
        if !repeated.is_empty() {
            let parent = self.pointer_of(object);
            for key in repeated {
                self.duplicate(&parent, key);
            }
        }
    }

    /// The required members missing from an object. The record's own are reported here, each
    /// object member followed by what its objects missed; a nested object's are kept until
    /// then, so every missing member is reported in documentation order.
    fn end_of_object(&mut self, object: usize, level_index: u16, base: usize) {
        let cfg: &'a Compiled = self.cfg;
        let Some(level) = cfg.objects.get(usize::from(level_index)) else {
            return;
        };
        let seen = self.scratch.seen.get(base..).unwrap_or_default();
        if self.scratch.nested_missing.is_empty()
            && level
                .required
                .iter()
                .all(|&field| seen.get(field).is_some_and(|&value| value != 0))
        {
            return;
        }
        let offset = self.node(self.scratch.root).start;
        for &field in &level.end_checks {
            let rule = &level.rules[field];
            let member = &level.members[field];
            let missing = member.required && self.scratch.seen[base + field] == 0;
            if level_index != self.top_level() {
                if missing {
                    let pointer = self.pointer_of(object).child(rule.key());
                    let top = self.scratch.top;
                    self.scratch.nested_missing.push((top, pointer, rule));
                }
                continue;
            }
            if missing {
                self.missing(offset, Pointer::root().child(rule.key()), rule);
            }
            if member.child != NO_LEVEL {
                let nested = std::mem::take(&mut self.scratch.nested_missing);
                for (_, pointer, child) in nested.iter().filter(|(top, ..)| *top == field) {
                    self.missing(offset, pointer.clone(), child);
                }
                self.scratch.nested_missing = nested;
            }
        }
    }

    /// An ISO code member: in the table, or a finding, with the other letter case as the
    /// suggestion when that is in the table.
    fn check_code(&mut self, rule: &FieldRule, value: usize, table: &CodeTable) {
        let text = self.text(value);
        if (table.contains)(text) {
            return;
        }
        let recased = if table.upper {
            text.to_ascii_uppercase()
        } else {
            text.to_ascii_lowercase()
        };
        let suggestion =
            (table.contains)(&recased).then(|| String::from_utf8_lossy(&recased).into_owned());
        self.value_finding(
            table.code,
            rule,
            value,
            table.expected,
            table.short,
            suggestion,
        );
    }

    /// A finding about a member's value: "`name` is <value, masked if personal>; expected ...",
    /// at the value.
    fn value_finding(
        &mut self,
        code: Code,
        rule: &FieldRule,
        value: usize,
        expected: &str,
        short: &str,
        suggestion: Option<String>,
    ) {
        let shown = self.value_text(rule, value);
        self.emit(
            code,
            self.node(value).start,
            self.pointer_of(value),
            format!("`{}` is {shown}; expected {expected}", rule.name),
            Some(short.to_owned()),
            suggestion,
        );
    }

    /// The value node of the record's top-level member `name`, if present.
    #[inline]
    fn top_member(&self, name: &str) -> Option<usize> {
        let field = self.top_field(name)?;
        let value = self.scratch.seen.get(field).copied()?.checked_sub(1)?;
        Some(value as usize)
    }

    /// The index of the record's top-level member `name` in its contract's table: among the
    /// few the rule being applied names, else looked up.
    #[inline(always)]
    fn top_field(&self, name: &str) -> Option<usize> {
        // The rule passes its own strings: the same address and length.
        let known = self.names.iter().find(|(known, _)| {
            std::ptr::eq(known.as_ptr(), name.as_ptr()) && known.len() == name.len()
        });
        match known {
            Some(&(_, field)) => Some(field),
            None => self.look_up_top_field(name),
        }
    }

    #[inline(never)]
    fn look_up_top_field(&self, name: &str) -> Option<usize> {
        let top = self.cfg.objects.get(usize::from(self.top_level()))?;
        top.lookup.find(name.as_bytes())
    }

    /// Applies the cross-member rule `index` next (past the last: the conditional
    /// requirements): its members are looked up among the ones it names.
    fn set_rule(&mut self, index: usize) {
        let cfg: &'a Compiled = self.cfg;
        self.names = cfg
            .named
            .get(self.scratch.current)
            .and_then(|rules| rules.get(index))
            .map_or(&[], Vec::as_slice);
    }

    /// The rule of the record's top-level member `name`.
    fn top_rule(&self, name: &str) -> Option<&'static FieldRule> {
        let field = self.top_field(name)?;
        let top = self.cfg.objects.get(usize::from(self.top_level()))?;
        top.rules.get(field)
    }

    /// Like [`Checker::top_member`], when the value is a string.
    #[inline]
    fn top_string(&self, name: &str) -> Option<usize> {
        self.top_member(name)
            .filter(|&value| self.node(value).kind == Kind::Str)
    }

    /// The strict profile's conditional requirements: under its condition, each member a
    /// [`enquiry_schema::contract::Conditional`] names is required.
    fn missing_conditional(&mut self, offset: u32) {
        let contract = self.contract();
        self.set_rule(contract.cross.len());
        for conditional in contract.strict_when {
            let holds = self
                .top_string(conditional.member)
                .is_some_and(|value| bytes_eq(self.text(value), conditional.equals.as_bytes()));
            if !holds {
                continue;
            }
            for rule in contract.fields {
                if conditional.requires.contains(&rule.name)
                    && self.top_member(rule.key()).is_none()
                {
                    self.missing(offset, Pointer::root().child(rule.key()), rule);
                }
            }
        }
    }

    fn missing(&mut self, offset: u32, pointer: Pointer, rule: &FieldRule) {
        self.emit(
            Code::Required,
            offset,
            pointer,
            format!("required member `{}` is missing", rule.name),
            Some(format!("`{}` present and not null", rule.name)),
            None,
        );
    }

    /// The pointer of the member `key` of the object at `parent`.
    fn member_pointer(&self, parent: &Pointer, key: usize) -> Pointer {
        parent.child(&String::from_utf8_lossy(self.text(key)))
    }

    fn duplicate(&mut self, parent: &Pointer, key: usize) {
        if !self.on(Code::DuplicateKey) {
            return;
        }
        let name = String::from_utf8_lossy(self.text(key)).into_owned();
        let pointer = parent.child(&name);
        self.emit(
            Code::DuplicateKey,
            self.node(key).start,
            pointer,
            format!("member {name:?} appears more than once in this object; parsers disagree on which value wins"),
            Some("each member once".to_owned()),
            None,
        );
    }

    #[inline]
    fn check_key_text(&mut self, parent: &Pointer, key: usize) {
        if self.node(key).flags & BAD_TEXT != 0 {
            let pointer = self.member_pointer(parent, key);
            self.encoding_at(pointer, key);
        }
    }

    fn encoding(&mut self, root: usize, index: usize) {
        if !self.on(Code::Encoding) {
            return;
        }
        let pointer = self.pointer_to(root, index);
        self.encoding_at(pointer, index);
    }

    fn encoding_at(&mut self, pointer: Pointer, index: usize) {
        self.emit(
            Code::Encoding,
            self.node(index).start,
            pointer,
            "string is not valid UTF-8 or holds a lone surrogate escape; expected valid Unicode text"
                .to_owned(),
            Some("valid UTF-8".to_owned()),
            None,
        );
    }

    fn unknown_field(&mut self, parent: &Pointer, key: usize, known: &[FieldRule]) {
        if !self.on(Code::UnknownField) {
            self.check_key_text(parent, key);
            return;
        }
        let name = String::from_utf8_lossy(self.text(key)).into_owned();
        let suggestion = closest(known.iter().map(FieldRule::key), &name).map(str::to_owned);
        let pointer = parent.child(&name);
        let mut message = format!("member {name:?} is not documented");
        if let Some(suggestion) = &suggestion {
            message.push_str(&format!("; did you mean `{suggestion}`?"));
        }
        self.emit(
            Code::UnknownField,
            self.node(key).start,
            pointer,
            message,
            None,
            suggestion,
        );
        self.check_key_text(parent, key);
    }

    /// Walks a subtree no rule describes (the value of member `key` of the object at
    /// `parent`): encoding defects and duplicate members only.
    fn walk_generic(&mut self, root: usize, value: usize, parent: &Pointer, key: usize) {
        let end = self.tape.next(value);
        if end == value + 1 {
            if self.node(value).flags & BAD_TEXT != 0 {
                let pointer = self.member_pointer(parent, key);
                self.encoding_at(pointer, value);
            }
            return;
        }
        for index in value..end {
            let node = self.node(index);
            match node.kind {
                Kind::Object => self.generic_duplicates(root, index),
                Kind::Str | Kind::Key if node.flags & BAD_TEXT != 0 => self.encoding(root, index),
                _ => {}
            }
        }
    }

    fn generic_duplicates(&mut self, root: usize, object: usize) {
        let mut small = [0usize; 16];
        let mut repeated = false;
        for (count, (key, _)) in self.tape.members(object).enumerate() {
            if count == small.len() {
                repeated = true; // too many to compare pairwise: let the sorting pass decide
                break;
            }
            let text = self.text(key);
            repeated |= small[..count]
                .iter()
                .any(|&other| bytes_eq(self.text(other), text));
            small[count] = key;
        }
        if !repeated {
            return;
        }
        let keys: Vec<usize> = self.tape.members(object).map(|(key, _)| key).collect();
        let found = self.duplicates_among(&keys);
        if !found.is_empty() {
            let parent = self.pointer_to(root, object);
            for key in found {
                self.duplicate(&parent, key);
            }
        }
    }

    /// Reports every key of `key_nodes` equal to an earlier one: hashed and sorted, so that an
    /// object with 200,000 members costs n log n, not n squared.
    fn duplicates_among(&mut self, key_nodes: &[usize]) -> Vec<usize> {
        let mut found = Vec::new();
        if key_nodes.len() < 2 {
            return found;
        }
        let mut keys = std::mem::take(&mut self.scratch.keys);
        keys.clear();
        for &key in key_nodes {
            keys.push((hash_bytes(self.text(key)), key as u32));
        }
        if keys.len() > 1 {
            keys.sort_unstable();
            let mut run_start = 0;
            for at in 1..keys.len() {
                if keys[at].0 != keys[run_start].0 {
                    run_start = at;
                    continue;
                }
                let key = keys[at].1 as usize;
                let text = self.text(key);
                if keys[run_start..at]
                    .iter()
                    .any(|&(_, other)| self.text(other as usize) == text)
                {
                    found.push(key);
                }
            }
        }
        self.scratch.keys = keys;
        found
    }

    fn value_text(&self, rule: &FieldRule, value: usize) -> String {
        let node = self.node(value);
        let masked = rule.personal && !self.cfg.show_values;
        match node.kind {
            Kind::Str | Kind::Key => show_text(self.text(value), masked),
            _ if masked => "<masked>".to_owned(),
            _ => {
                let raw = self
                    .bytes
                    .get(node.start as usize..node.end as usize)
                    .unwrap_or(&[]);
                let raw = String::from_utf8_lossy(raw);
                if raw.len() > 40 {
                    format!("{}…", raw.chars().take(40).collect::<String>())
                } else {
                    raw.into_owned()
                }
            }
        }
    }

    fn type_error(&mut self, rule: &FieldRule, value: usize, expected: &str) {
        if !self.on(Code::Type) {
            return;
        }
        let node = self.node(value);
        let pointer = self.pointer_of(value);
        self.emit(
            Code::Type,
            node.start,
            pointer,
            format!(
                "`{}` is {}; expected {expected}",
                rule.name,
                describe(node.kind)
            ),
            Some(expected.to_owned()),
            None,
        );
    }

    /// A documented member's value (`child`: the object level its objects follow, if any).
    fn check_member(&mut self, rule: &FieldRule, value: usize, required: bool, child: u16) {
        let node = self.node(value);
        if node.kind == Kind::Null {
            self.check_null(rule, value, required);
            return;
        }
        self.check_value(rule, rule.kind, value, child);
    }

    /// A value (not `null`) against a kind: the member's own, or its arrays' items'.
    fn check_value(&mut self, rule: &FieldRule, kind: FieldKind, value: usize, child: u16) {
        let node = self.node(value);
        if matches!(node.kind, Kind::Str) && node.flags & BAD_TEXT != 0 {
            self.encoding(self.scratch.root, value);
            return;
        }
        // One type check for every kind that holds a string; the pieces below see only strings.
        if kind.json_type() == JsonType::String && node.kind != Kind::Str {
            self.type_error(rule, value, "a string");
            return;
        }
        if let Some(check) = text_check(kind) {
            if !(check.accepts)(self.text(value)) {
                self.value_finding(check.code, rule, value, check.expected, check.short, None);
            }
            return;
        }
        match kind {
            FieldKind::NonEmptyText if self.text(value).is_empty() => {
                let expected = "a non-empty string";
                self.value_finding(Code::NonEmpty, rule, value, expected, expected, None);
            }
            FieldKind::Exactly(number) => self.check_exactly(rule, value, number),
            FieldKind::RecognisedText(values) => self.check_recognised(rule, value, values),
            FieldKind::TextOrTextList(values) => self.check_text_or_list(rule, value, values),
            FieldKind::Timestamp => self.check_timestamp(rule, value),
            FieldKind::Enum(values) => self.check_enum(rule, value, values),
            FieldKind::Channel(values) => self.check_channel(rule, value, values),
            FieldKind::Boolean if !matches!(node.kind, Kind::True | Kind::False) => {
                self.type_error(rule, value, "a boolean");
            }
            FieldKind::Millis => self.check_millis(rule, value),
            FieldKind::LanguageCode => self.check_code(rule, value, &LANGUAGE_TABLE),
            FieldKind::CountryCode => self.check_code(rule, value, &COUNTRY_TABLE),
            FieldKind::LabelIds => self.check_labels(rule, value),
            FieldKind::ObjectList => self.check_object_list(rule, value),
            FieldKind::Object(_) if node.kind == Kind::Object => {
                let base = self.scratch.seen.len();
                self.walk_object(value, child);
                self.scratch.seen.truncate(base);
            }
            FieldKind::Object(_) => self.type_error(rule, value, "an object"),
            FieldKind::ArrayOf(item) => self.check_array(rule, *item, value, child),
            _ => {}
        }
    }

    /// An array whose items are each checked against `item` (objects walked at level
    /// `child`); `null` is never an item.
    fn check_array(&mut self, rule: &FieldRule, item: FieldKind, value: usize, child: u16) {
        if self.node(value).kind != Kind::Array {
            let expected = match item.json_type() {
                JsonType::String => JsonType::ArrayOfStrings.describe(),
                JsonType::Object => JsonType::ArrayOfObjects.describe(),
                _ => JsonType::Array.describe(),
            };
            self.type_error(rule, value, expected);
            return;
        }
        for element in self.tape.items(value) {
            if self.node(element).kind == Kind::Null {
                self.type_error(rule, element, item.json_type().describe());
            } else if !self.is_clean(item, element) {
                self.check_value(rule, item, element, child);
            }
        }
    }

    /// A member that is `null`: a value where documented nullable, else `required` or
    /// `null-value`.
    fn check_null(&mut self, rule: &FieldRule, value: usize, required: bool) {
        // labelIDs is documented as nullable: null is a value there, even when the strict
        // profile requires the member.
        if rule.nullable && (self.cfg.strict || !required) {
            return;
        }
        let offset = self.node(value).start;
        if required {
            self.emit(
                Code::Required,
                offset,
                self.pointer_of(value),
                format!("required member `{}` is null", rule.name),
                Some(format!("`{}` present and not null", rule.name)),
                None,
            );
        } else if !rule.nullable {
            self.emit(
                Code::NullValue,
                offset,
                self.pointer_of(value),
                format!(
                    "`{}` is null; expected it to be absent or {}",
                    rule.name,
                    rule.kind.json_type().describe()
                ),
                None,
                None,
            );
        }
    }

    fn check_recognised(&mut self, rule: &FieldRule, value: usize, values: &[&str]) {
        if !self.on(Code::UnrecognisedValue) {
            return;
        }
        let text = self.text(value);
        if values.iter().any(|known| bytes_eq(known.as_bytes(), text)) {
            return;
        }
        let shown = self.value_text(rule, value);
        let suggestion = closest(values.iter().copied(), &String::from_utf8_lossy(text));
        self.emit(
            Code::UnrecognisedValue,
            self.node(value).start,
            self.pointer_of(value),
            format!(
                "`{}` is {shown}; the recognised values are {}",
                rule.name,
                values.join(", ")
            ),
            Some(one_of(values)),
            suggestion.map(str::to_owned),
        );
    }

    /// A string, or (undocumented) an array of strings.
    fn check_text_or_list(&mut self, rule: &FieldRule, value: usize, values: &[&str]) {
        let node = self.node(value);
        match node.kind {
            Kind::Str if values.is_empty() => {}
            Kind::Str => self.check_recognised(rule, value, values),
            Kind::Array => {
                let mut all_strings = true;
                for item in self.tape.items(value) {
                    let item_node = self.node(item);
                    if item_node.kind != Kind::Str {
                        all_strings = false;
                        self.type_error(rule, item, "a string");
                    } else if item_node.flags & BAD_TEXT != 0 {
                        self.encoding(self.scratch.root, item);
                    }
                }
                if all_strings {
                    self.emit(
                        Code::UndocumentedShape,
                        node.start,
                        self.pointer_of(value),
                        format!(
                            "`{}` is an array of strings; documented as a string",
                            rule.name
                        ),
                        Some("a string".to_owned()),
                        None,
                    );
                }
            }
            _ => self.type_error(rule, value, "a string"),
        }
    }

    /// A date-time by the one RFC 3339 parser; kept for the cross-member rules.
    fn check_timestamp(&mut self, rule: &FieldRule, value: usize) {
        let mut cache = self.scratch.day_cache;
        let parsed = parse_timestamp(self.text(value), &mut cache);
        self.scratch.day_cache = cache;
        let Some(instant) = parsed else {
            self.value_finding(Code::DateTime, rule, value, "an RFC 3339 date-time with a zone and a real calendar date, e.g. 2022-11-07T00:00:00.000Z", "RFC 3339 date-time", None);
            return;
        };
        self.scratch.instants.push((value, instant));
        if !instant.canonical && self.on(Code::CanonicalTimestamp) {
            self.value_finding(
                Code::CanonicalTimestamp,
                rule,
                value,
                "UTC with milliseconds, e.g. 2022-11-07T00:00:00.000Z",
                "YYYY-MM-DDThh:mm:ss.sssZ",
                None,
            );
        }
    }

    fn check_enum(&mut self, rule: &FieldRule, value: usize, values: &[&str]) {
        let text = self.text(value);
        if !values.iter().any(|known| bytes_eq(known.as_bytes(), text)) {
            self.bad_enum(rule, value, values, Code::Enum, &one_of(values));
        }
    }

    /// The documented channels, or the user's channel list when one is given.
    fn check_channel(&mut self, rule: &FieldRule, value: usize, values: &[&str]) {
        let Some(channels) = &self.cfg.channels else {
            self.check_enum(rule, value, values);
            return;
        };
        let known = std::str::from_utf8(self.text(value)).is_ok_and(|text| channels.contains(text));
        if !known {
            let list = self.cfg.channels_list.clone();
            let names: Vec<&str> = channels.iter().map(String::as_str).collect();
            self.bad_enum(
                rule,
                value,
                &names,
                Code::ChannelUnknown,
                &format!("one of the configured channels: {list}"),
            );
        }
    }

    /// An integer number of milliseconds (JSON Schema's integers: `12.0` is one), `>= 0`.
    fn check_millis(&mut self, rule: &FieldRule, value: usize) {
        let node = self.node(value);
        if node.kind != Kind::Number {
            let expected = "an integer number of milliseconds";
            self.type_error(rule, value, expected);
            return;
        }
        let raw = self
            .bytes
            .get(node.start as usize..node.end as usize)
            .unwrap_or(&[]);
        match integer(raw) {
            Integer::Value {
                negative: true,
                magnitude,
            } if magnitude > 0 => {
                self.value_finding(
                    Code::Minimum,
                    rule,
                    value,
                    "milliseconds >= 0",
                    ">= 0",
                    None,
                );
            }
            Integer::Value { magnitude, .. } if magnitude <= MAX_MILLIS => {}
            Integer::Value { .. } | Integer::Fraction | Integer::TooLarge => {
                self.value_finding(
                    Code::Integer,
                    rule,
                    value,
                    &format!("an integer number of milliseconds, at most {MAX_MILLIS}"),
                    "an integer",
                    None,
                );
            }
        }
    }

    /// Exactly the integer `number` (JSON Schema's integers: `200.0` is one).
    fn check_exactly(&mut self, rule: &FieldRule, value: usize, number: u64) {
        let node = self.node(value);
        if node.kind != Kind::Number {
            self.type_error(rule, value, "an integer");
            return;
        }
        let raw = self
            .bytes
            .get(node.start as usize..node.end as usize)
            .unwrap_or(&[]);
        let exact = match integer(raw) {
            Integer::Value { magnitude: 0, .. } => number == 0,
            Integer::Value {
                negative: false,
                magnitude,
            } => magnitude == number,
            _ => false,
        };
        if !exact {
            let expected = number.to_string();
            self.value_finding(
                Code::Enum,
                rule,
                value,
                &expected,
                &expected,
                Some(expected.clone()),
            );
        }
    }

    /// An array of objects whose members are open (each walked for encoding and duplicates).
    fn check_object_list(&mut self, rule: &FieldRule, value: usize) {
        if self.node(value).kind != Kind::Array {
            self.type_error(rule, value, "an array of objects");
            return;
        }
        let root = self.scratch.root;
        for item in self.tape.items(value) {
            if self.node(item).kind == Kind::Object {
                self.walk_generic(root, item, &Pointer::root(), item);
            } else {
                self.type_error(rule, item, "an object");
            }
        }
    }

    fn bad_enum(
        &mut self,
        rule: &FieldRule,
        value: usize,
        values: &[&str],
        code: Code,
        expected: &str,
    ) {
        if !self.on(code) {
            return;
        }
        let text = String::from_utf8_lossy(self.text(value)).into_owned();
        let suggestion = closest(values.iter().copied(), &text).map(str::to_owned);
        let masked_suggestion = suggestion.filter(|_| !rule.personal || self.cfg.show_values);
        self.value_finding(code, rule, value, expected, expected, masked_suggestion);
    }

    fn check_labels(&mut self, rule: &FieldRule, value: usize) {
        let node = self.node(value);
        if node.kind != Kind::Array {
            self.type_error(rule, value, "null or an array of strings");
            return;
        }
        let count = self.tape.items(value).count();
        // Which items repeat an earlier one: pairwise for the usual handful, hashed and sorted
        // beyond, so that a huge array stays n log n (and the valid path allocates nothing).
        let mut repeated = Vec::new();
        if count > 16 {
            let items: Vec<usize> = self.tape.items(value).collect();
            repeated = vec![false; count];
            let mut hashed: Vec<(u64, usize)> = items
                .iter()
                .enumerate()
                .filter(|(_, &item)| self.node(item).kind == Kind::Str)
                .map(|(index, &item)| (hash_bytes(self.text(item)), index))
                .collect();
            hashed.sort_unstable();
            let mut run_start = 0;
            for at in 1..hashed.len() {
                if hashed[at].0 != hashed[run_start].0 {
                    run_start = at;
                    continue;
                }
                let text = self.text(items[hashed[at].1]);
                if hashed[run_start..at]
                    .iter()
                    .any(|&(_, other)| self.text(items[other]) == text)
                {
                    repeated[hashed[at].1] = true;
                }
            }
        }
        for (index, item) in self.tape.items(value).enumerate() {
            let item_node = self.node(item);
            if item_node.kind != Kind::Str {
                self.type_error(rule, item, "a string (a label ID)");
                continue;
            }
            if item_node.flags & BAD_TEXT != 0 {
                self.encoding(self.scratch.root, item);
                continue;
            }
            let text = self.text(item);
            if text.is_empty() {
                self.emit(
                    Code::LabelEmpty,
                    item_node.start,
                    self.pointer_of(item),
                    "label ID is empty; expected a non-empty string".to_owned(),
                    Some("a non-empty label ID".to_owned()),
                    None,
                );
                continue;
            }
            let is_repeat = match repeated.get(index) {
                Some(&flag) => flag,
                None => self.tape.items(value).take(index).any(|other| {
                    self.node(other).kind == Kind::Str && bytes_eq(self.text(other), text)
                }),
            };
            if is_repeat {
                let shown = show_text(text, false);
                self.emit(
                    Code::LabelDuplicate,
                    item_node.start,
                    self.pointer_of(item),
                    format!("label ID {shown} appears more than once; expected distinct label IDs"),
                    Some("distinct label IDs".to_owned()),
                    None,
                );
                continue;
            }
            if let Some(labels) = &self.cfg.labels {
                let known = std::str::from_utf8(text).is_ok_and(|text| labels.contains(text));
                if !known {
                    let shown = show_text(text, false);
                    let suggestion = closest(
                        labels.iter().map(String::as_str),
                        &String::from_utf8_lossy(text),
                    )
                    .map(str::to_owned);
                    self.emit(
                        Code::LabelUnknown,
                        item_node.start,
                        self.pointer_of(item),
                        format!("label ID {shown} is not in the label list"),
                        Some("a label ID from the label list".to_owned()),
                        suggestion,
                    );
                }
            }
        }
    }

    /// The contract's cross-member rules, in table order.
    fn cross_rules(&mut self) {
        let contract = self.contract();
        for (index, rule) in contract.cross.iter().enumerate() {
            self.set_rule(index);
            match *rule {
                CrossRule::NotBefore { anchor, later } => self.not_before(anchor, later),
                CrossRule::PresentWhen {
                    member,
                    equals,
                    then,
                } => self.present_when(member, equals, then),
                CrossRule::OnlyWhen {
                    member,
                    when,
                    equals,
                } => self.only_when(member, when, equals),
                CrossRule::Elapsed {
                    member,
                    from,
                    to,
                    tolerance_ms,
                } => self.elapsed(member, from, to, tolerance_ms),
                CrossRule::ValueWhen { .. } | CrossRule::EmptyUnless { .. } => {
                    self.origin_rule(rule);
                }
            }
        }
    }

    /// The instant of the top-level timestamp `name`, when present and valid.
    fn instant_of(&self, name: &str) -> Option<(usize, Instant)> {
        self.instant_at(self.top_field(name)?)
    }

    /// The instant of the record's top-level member `field`, when present and valid.
    #[inline]
    fn instant_at(&self, field: usize) -> Option<(usize, Instant)> {
        // Only strings have instants: no need to look at the node.
        let value = self.scratch.seen.get(field).copied()?.checked_sub(1)? as usize;
        self.scratch
            .instants
            .iter()
            .find(|(at, _)| *at == value)
            .map(|&(_, instant)| (value, instant))
    }

    fn not_before(&mut self, anchor: &'static str, later: &'static [&'static str]) {
        if !self.on(Code::Timeline) {
            return;
        }
        let Some((_, first)) = self.instant_of(anchor) else {
            return;
        };
        // The rule's names are the anchor then `later`, each with its field (those in the
        // table, in order; any other has no value): read by field, not looked up by name.
        let names = match self.names.split_first() {
            Some(((name, _), rest)) if std::ptr::eq(*name, anchor) => rest,
            _ => self.names,
        };
        debug_assert!(names.len() <= later.len());
        for &(name, field) in names {
            let Some((value, instant)) = self.instant_at(field) else {
                continue;
            };
            if instant.millis < first.millis {
                let noun = self.contract().noun;
                self.emit(
                    Code::Timeline,
                    self.node(value).start,
                    Pointer::root().child(name),
                    format!("`{name}` is before `{anchor}`; expected a time not before the {noun}'s creation"),
                    Some(format!(">= {anchor}")),
                    None,
                );
            }
        }
    }

    fn present_when(&mut self, member: &str, equals: &str, then: &str) {
        let Some(value) = self.top_string(member) else {
            return;
        };
        if !bytes_eq(self.text(value), equals.as_bytes()) || self.top_string(then).is_some() {
            return;
        }
        let noun = self.contract().noun;
        self.emit(
            Code::StatusConsistency,
            self.node(value).start,
            Pointer::root().child(member),
            format!("{member} is \"{equals}\" but `{then}` is missing; expected a {equals} {noun} to have {then}"),
            Some(format!("{then} present")),
            None,
        );
    }

    fn only_when(&mut self, member: &str, when: &str, equals: &str) {
        let (Some(deciding), Some(value)) = (self.top_string(when), self.top_string(member)) else {
            return;
        };
        let text = self.record_text(deciding);
        // The usual case first: the deciding member has the one value allowed.
        if bytes_eq(text, equals.as_bytes()) {
            return;
        }
        let values = match self.top_rule(when).map(|rule| rule.kind) {
            Some(FieldKind::Enum(values) | FieldKind::Channel(values)) => values,
            _ => &[],
        };
        let documented = values.iter().any(|known| bytes_eq(known.as_bytes(), text));
        if documented {
            let shown = show_text(text, false);
            let noun = self.contract().noun;
            self.emit(
                Code::StatusConsistency,
                self.node(value).start,
                Pointer::root().child(member),
                format!("`{member}` is set but {when} is {shown}; expected {member} only on a {equals} {noun}"),
                Some(format!("{when} \"{equals}\"")),
                None,
            );
        }
    }

    fn elapsed(&mut self, member: &str, from: &str, to: &str, tolerance_ms: u64) {
        if !self.on(Code::CloseDuration) {
            return;
        }
        let Some(value) = self
            .top_member(member)
            .filter(|&value| self.node(value).kind == Kind::Number)
        else {
            return;
        };
        let (Some((_, start)), Some((_, end))) = (self.instant_of(from), self.instant_of(to))
        else {
            return;
        };
        let node = self.node(value);
        let raw = self
            .bytes
            .get(node.start as usize..node.end as usize)
            .unwrap_or(&[]);
        let Integer::Value {
            negative,
            magnitude,
        } = integer(raw)
        else {
            return;
        };
        let duration = i128::from(magnitude) * if negative { -1 } else { 1 };
        let actual = i128::from(end.millis) - i128::from(start.millis);
        if (duration - actual).abs() > i128::from(tolerance_ms) {
            self.emit(
                Code::CloseDuration,
                node.start,
                Pointer::root().child(member),
                format!("`{member}` is {duration} ms but {to} - {from} is {actual} ms; expected them to agree within {tolerance_ms} ms"),
                Some(format!("{actual}")),
                Some(format!("{actual}")),
            );
        }
    }

    /// `ValueWhen` and `EmptyUnless`: rules on a member that depend on where a record came
    /// from.
    fn origin_rule(&mut self, rule: &CrossRule) {
        match *rule {
            CrossRule::ValueWhen {
                member,
                when,
                equals,
                recognised,
                otherwise,
                code,
            } => self.value_when(member, (when, equals), recognised, (otherwise, code)),
            CrossRule::EmptyUnless {
                member,
                origin,
                allowed,
                code,
            } => self.empty_unless(member, origin, allowed, code),
            _ => {}
        }
    }

    fn value_when(
        &mut self,
        member: &str,
        (when, equals): (&str, &str),
        recognised: &[&str],
        (otherwise, code): (&str, Code),
    ) {
        let (Some(rule), Some(value), Some(deciding)) = (
            self.top_rule(member),
            self.top_string(member),
            self.top_string(when),
        ) else {
            return;
        };
        if bytes_eq(self.text(deciding), equals.as_bytes()) {
            self.check_recognised(rule, value, recognised);
        } else if !bytes_eq(self.text(value), otherwise.as_bytes()) && self.on(code) {
            let shown = self.value_text(rule, value);
            self.emit(
                code,
                self.node(value).start,
                Pointer::root().child(member),
                format!("`{member}` is {shown}; expected \"{otherwise}\" when `{when}` is not \"{equals}\""),
                Some(format!("\"{otherwise}\"")),
                Some(otherwise.to_owned()),
            );
        }
    }

    fn empty_unless(&mut self, member: &str, origin: Origin, allowed: &[&str], code: Code) {
        let Some(value) = self.top_string(member) else {
            return;
        };
        let Some(channel) = self.top_string(origin.channel) else {
            return;
        };
        let from = if bytes_eq(self.text(channel), origin.hub.as_bytes()) {
            match self.top_string(origin.origin) {
                Some(inner) => inner,
                None => return,
            }
        } else {
            channel
        };
        let source = self.record_text(from);
        if self.text(value).is_empty()
            || allowed
                .iter()
                .any(|known| bytes_eq(known.as_bytes(), source))
            || !self.on(code)
        {
            return;
        }
        let shown = show_text(source, false);
        self.emit(
            code,
            self.node(value).start,
            Pointer::root().child(member),
            format!("`{member}` is set but the origin is {shown}; expected it empty unless the origin is one of: {}", allowed.join(", ")),
            Some("an empty string".to_owned()),
            None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Validator};
    use proptest::prelude::*;

    /// Values of every sort a member may hold, as JSON text: valid and invalid ones of each
    /// kind, escaped spellings, numbers at the limits of the on-sight tests.
    const VALUES: &[&str] = &[
        r#""""#,
        r#""x""#,
        r#""a\"b""#,
        r#""\u0049M""#,
        r#""\ud800""#,
        "0",
        "7",
        "-0",
        "-1",
        "1.5",
        "12.0",
        "1e3",
        "999999999999999",
        "9007199254740991",
        "9007199254740992",
        "true",
        "false",
        "null",
        "[]",
        "{}",
        r#"["a","b"]"#,
        r#"["a","a"]"#,
        r#"[""]"#,
        "[1]",
        "[null]",
        r#"["a","\u0061"]"#,
        r#"["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q"]"#,
        r#"["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p"]"#,
        r#"["\ud800"]"#,
        r#""2022-11-07T00:00:00.000Z""#,
        r#""2022-11-07T00:10:00.000Z""#,
        r#""2022-11-06T23:00:00.000Z""#,
        r#""2022-11-07T00:00:00Z""#,
        r#""2022-11-07t00:00:00.000Z""#,
        r#""2023-02-29T00:00:00.000Z""#,
        r#""2016-12-31T23:59:60.000Z""#,
        r#""2016-12-31T23:58:60.000Z""#,
        r#""2022-11-07T08:00:00.000+08:00""#,
        r#""\u0032022-11-07T00:00:00.000Z""#,
        r#""192.0.2.1""#,
        r#""::1""#,
        r#""1.2.3""#,
        r#""https://example.com/a?b=c""#,
        r#""http://""#,
        r#""https://exa mple.com""#,
        r#""https:\/\/example.com""#,
        r#""en""#,
        r#""EN""#,
        r#""xx""#,
        r#""HK""#,
        r#""hk""#,
    ];

    /// A member of the record contract's top level with a value from its own kind (a listed
    /// value, or one spelt with an escape) or from [`VALUES`].
    fn member() -> impl Strategy<Value = String> {
        let rules = RECORD.fields;
        (0..rules.len() + 2, any::<prop::sample::Index>(), 0..4u8).prop_map(
            move |(at, pick, how)| {
                let key = match rules.get(at) {
                    Some(rule) => rule.key().to_owned(),
                    // An undocumented key, and a documented one spelt with an escape.
                    None if at == rules.len() => "undocumented".to_owned(),
                    None => format!(
                        "\\u{:04x}{}",
                        rules[0].key().as_bytes()[0],
                        &rules[0].key()[1..]
                    ),
                };
                let listed = match rules.get(at).map(|rule| rule.kind) {
                    Some(
                        FieldKind::Enum(values)
                        | FieldKind::Channel(values)
                        | FieldKind::RecognisedText(values)
                        | FieldKind::TextOrTextList(values),
                    ) => values,
                    _ => &[],
                };
                let value = match (how, listed.is_empty()) {
                    (0 | 1, false) => format!("\"{}\"", pick.get(listed)),
                    (2, false) => {
                        let value = pick.get(listed);
                        format!("\"\\u{:04x}{}\"", value.as_bytes()[0], &value[1..])
                    }
                    _ => pick.get(VALUES).to_string(),
                };
                format!("\"{key}\":{value}")
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// The on-sight acceptance (the walk's run of clean members, and the body's own test)
        /// changes no finding: the same report, findings and order, as with every member
        /// checked in full, in both profiles, with and without channel and label lists.
        #[test]
        fn fast_paths_change_no_finding(
            members in proptest::collection::vec(member(), 0..30),
            strict in any::<bool>(),
            lists in any::<bool>(),
        ) {
            let record = format!("{{{}}}\n{{{}}}", members.join(","), members.join(","));
            let mut config = if strict {
                Config::with_profile(Profile::Strict)
            } else {
                Config::default()
            };
            if lists {
                // A channel list and a label list: enum channels and label IDs get their full
                // check against them.
                let channel = RECORD.fields.iter().find_map(|rule| match rule.kind {
                    FieldKind::Channel(values) => values.first().copied(),
                    _ => None,
                });
                config.channels = Some(channel.into_iter().chain(["x"]).map(str::to_owned).collect());
                config.labels = Some(["a", "b"].map(str::to_owned).into());
            }
            let fast = Validator::new(config.clone()).validate_slice(record.as_bytes(), "r.ndjson");
            let full = Validator::new(config)
                .without_fast_paths()
                .validate_slice(record.as_bytes(), "r.ndjson");
            prop_assert_eq!(format!("{:?}", fast.findings), format!("{:?}", full.findings));
            prop_assert_eq!(format!("{:?}", fast.summary), format!("{:?}", full.summary));
        }

        /// A word compared in place agrees with comparing the bytes, anywhere in a buffer
        /// (near its end too).
        #[test]
        fn word_matches_at_is_byte_equality(
            text in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), any::<u8>()], 0..30),
            buffer in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), any::<u8>()], 0..40),
            start in 0usize..40,
            len in 0usize..30,
        ) {
            let word = Word::new(&text);
            let expected = buffer.get(start..start + len) == Some(&text[..]);
            prop_assert_eq!(word.matches_at(&buffer, start, len), expected);
            let slice = buffer.get(start..start + len).unwrap_or_default();
            prop_assert_eq!(word.matches(slice), slice == &text[..]);
        }

        /// A buffer holding the text in place, or the text with one byte changed, with any
        /// bytes before and after (a few, or enough for a whole window): found exactly when
        /// unchanged.
        #[test]
        fn word_matches_at_finds_the_text_in_place(
            text in proptest::collection::vec(any::<u8>(), 0..30),
            before in proptest::collection::vec(any::<u8>(), 0..5),
            after in proptest::collection::vec(any::<u8>(), 0..30),
            change in proptest::option::of((any::<proptest::sample::Index>(), 1u8..=255)),
        ) {
            let word = Word::new(&text);
            let mut written = text.clone();
            if let Some((index, delta)) = change.filter(|_| !text.is_empty()) {
                let at = index.index(text.len());
                written[at] = written[at].wrapping_add(delta);
            }
            let buffer = [&before[..], &written, &after].concat();
            let expected = written == text;
            prop_assert_eq!(word.matches_at(&buffer, before.len(), text.len()), expected);
        }
    }

    proptest! {
        /// The one-pass IPv4 test accepts only what the standard parser accepts, and the
        /// address test as a whole is the standard parser's.
        #[test]
        fn plain_ipv4_agrees_with_the_standard_parser(
            text in proptest::collection::vec(
                prop_oneof![
                    proptest::sample::select(b"0123456789.:abf".to_vec()),
                    any::<u8>(),
                ],
                0..20,
            ),
            parts in proptest::collection::vec(0u32..300, 3..6),
            leading_zero in any::<bool>(),
        ) {
            let standard = |text: &[u8]| {
                std::str::from_utf8(text).is_ok_and(|text| text.parse::<IpAddr>().is_ok())
            };
            let mut dotted: Vec<String> = parts.iter().map(u32::to_string).collect();
            if leading_zero {
                dotted[0].insert(0, '0');
            }
            for text in [text, dotted.join(".").into_bytes()] {
                if is_plain_ipv4(&text) {
                    prop_assert!(standard(&text), "{:?}", String::from_utf8_lossy(&text));
                }
                prop_assert_eq!(is_ip_address(&text), standard(&text));
            }
        }
    }

    /// Every test a string passes on sight rejects a text with a backslash, so a string
    /// compared as written (escapes not undone) is never accepted for the wrong text.
    #[test]
    fn on_sight_tests_reject_a_backslash() {
        let mut values = Vec::new();
        for rule in RECORD.fields {
            let clean = Clean::of(rule.kind, false, &mut values);
            let bytes = br#"["e\n", "\u0065n", "a\\b"]"#;
            let mut tape = Tape::default();
            tape.parse(bytes).expect("JSON");
            for item in tape.items(0) {
                let node = tape.nodes[item];
                if let Clean::Passes(test) = clean {
                    assert!(!test(node.raw_text(bytes)), "{}", rule.name);
                }
                if let Clean::OneOf(_) = clean {
                    assert!(!clean.accepts(&node, bytes, &values), "{}", rule.name);
                }
            }
        }
    }
}
