//! The data profile: what the records hold, beside what is wrong with them.
//!
//! Opt-in ([`Validator::validate_stream_profiled`](crate::Validator::validate_stream_profiled)):
//! each worker thread observes the records it has just parsed and checked, on the tape the
//! rules read (no second parse), and keeps, per contract,
//!
//! * the records, invalid records, errors and warnings;
//! * the same per UTC day of the contract's date member (`createdAt` for records); a record
//!   whose date member is absent or `null` counts as *missing date*, one whose date member is
//!   not an RFC 3339 date-time (wrong type, bad text, impossible calendar date) as *invalid
//!   date*; at most [`MAX_DAYS`] days are itemised, the latest ones, and older days are summed
//!   as *earlier days*;
//! * per documented field (the contract's field table, nested members included): how many
//!   records have it present with its documented JSON type, `null`, absent, or of another
//!   type. A nested member is absent when its parent is absent, `null` or not an object.
//!
//! Records that are not JSON objects (syntax errors, records too large, arrays or scalars where
//! a record belongs) belong to no contract and are not profiled; the run's summary still
//! counts them.
//!
//! Everything is a sum, so the workers' profiles merge in any order to the same result, and
//! the result of `jobs = 1` and `jobs = N` is the same. The day cap keeps that property: a
//! worker drops a day into *earlier days* only when it has seen [`MAX_DAYS`] later days, and
//! then the merged profile has at least as many later days, so every day the merged profile
//! itemises was itemised, exactly, by every worker. Memory is bounded by the field table and
//! [`MAX_DAYS`], whatever the input.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use enquiry_schema::contract::Contract;
use enquiry_schema::contracts;
use enquiry_schema::fields::{fields_of, FieldKind, FieldRule, JsonType};
use enquiry_schema::rfc3339::{parse_timestamp, DayCache};
use serde::{Deserialize, Serialize};

use crate::code::Severity;
use crate::finding::Finding;
use crate::parse::{Kind, Tape};

/// The most days itemised per contract; older days are summed as `earlierDays`.
pub const MAX_DAYS: usize = 1000;

const MILLIS_PER_DAY: i64 = 86_400_000;

/// A contract a record may follow: its name, the member a record is dated by (its first
/// top-level timestamp: `/createdAt` for records, `/date` for events; none for the handshake
/// bodies) and its documented fields. One per row of [`contracts::ALL`].
struct ContractSpec {
    name: &'static str,
    day_member: &'static str,
    fields: Vec<&'static FieldRule>,
}

impl ContractSpec {
    fn of(contract: &'static Contract) -> ContractSpec {
        let day_member = contract
            .fields
            .iter()
            .find(|rule| matches!(rule.kind, FieldKind::Timestamp))
            .map_or("", |rule| rule.pointer);
        ContractSpec {
            name: contract.name,
            day_member,
            fields: fields_of(contract.fields),
        }
    }

    /// The specs, in the order of [`contracts::ALL`].
    fn all() -> &'static [ContractSpec] {
        static SPECS: OnceLock<Vec<ContractSpec>> = OnceLock::new();
        SPECS.get_or_init(|| {
            contracts::ALL
                .iter()
                .copied()
                .map(ContractSpec::of)
                .collect()
        })
    }
}

/// Records, invalid records, errors and warnings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Records.
    pub records: u64,
    /// Records with at least one error.
    pub invalid: u64,
    /// Findings of severity error.
    pub errors: u64,
    /// Findings of severity warning.
    pub warnings: u64,
}

impl Tally {
    /// Adds another tally.
    pub fn add(&mut self, other: &Tally) {
        self.records += other.records;
        self.invalid += other.invalid;
        self.errors += other.errors;
        self.warnings += other.warnings;
    }

    /// Errors and warnings together.
    pub fn findings(&self) -> u64 {
        self.errors + self.warnings
    }

    fn of_record(findings: &[Finding]) -> Tally {
        let errors = findings
            .iter()
            .filter(|finding| finding.severity == Severity::Error)
            .count() as u64;
        Tally {
            records: 1,
            invalid: u64::from(errors > 0),
            errors,
            warnings: findings.len() as u64 - errors,
        }
    }
}

/// How many records have a documented field in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldCounts {
    /// The field's JSON Pointer, relative to the record.
    pub field: String,
    /// Present, not `null`, of the documented JSON type.
    pub present: u64,
    /// `null`.
    pub null: u64,
    /// Absent (or its parent absent, `null` or not an object).
    pub absent: u64,
    /// Present with another JSON type.
    pub wrong_type: u64,
}

impl FieldCounts {
    fn add(&mut self, other: &FieldCounts) {
        self.present += other.present;
        self.null += other.null;
        self.absent += other.absent;
        self.wrong_type += other.wrong_type;
    }

    /// Records observed (the four states together).
    pub fn records(&self) -> u64 {
        self.present + self.null + self.absent + self.wrong_type
    }
}

/// The profile of the records of one contract.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractProfile {
    /// The contract's name (`record`).
    pub contract: String,
    /// The member records are dated by (`/createdAt`).
    pub day_member: String,
    /// All records of the contract.
    #[serde(flatten)]
    pub totals: Tally,
    /// Per UTC day (`YYYY-MM-DD`) of the date member: the latest [`MAX_DAYS`] days.
    #[serde(with = "day_keys")]
    pub days: BTreeMap<i64, Tally>,
    /// Days older than the ones itemised, summed.
    pub earlier_days: Tally,
    /// Records whose date member is absent or `null`.
    pub missing_date: Tally,
    /// Records whose date member is not an RFC 3339 date-time.
    pub invalid_date: Tally,
    /// Per documented field, in the documentation's order.
    pub fields: Vec<FieldCounts>,
}

impl ContractProfile {
    fn empty(spec: &ContractSpec) -> ContractProfile {
        ContractProfile {
            contract: spec.name.to_owned(),
            day_member: spec.day_member.to_owned(),
            fields: spec
                .fields
                .iter()
                .map(|rule| FieldCounts {
                    field: rule.pointer.to_owned(),
                    ..FieldCounts::default()
                })
                .collect(),
            ..ContractProfile::default()
        }
    }

    fn add_day(&mut self, day: i64, tally: &Tally) {
        self.days.entry(day).or_default().add(tally);
        while self.days.len() > MAX_DAYS {
            if let Some((_, oldest)) = self.days.pop_first() {
                self.earlier_days.add(&oldest);
            }
        }
    }

    fn merge(&mut self, other: &ContractProfile) {
        self.totals.add(&other.totals);
        for (day, tally) in &other.days {
            self.add_day(*day, tally);
        }
        self.earlier_days.add(&other.earlier_days);
        self.missing_date.add(&other.missing_date);
        self.invalid_date.add(&other.invalid_date);
        for counts in &other.fields {
            match self.fields.iter_mut().find(|own| own.field == counts.field) {
                Some(own) => own.add(counts),
                None => self.fields.push(counts.clone()),
            }
        }
    }

    /// The itemised days as `YYYY-MM-DD`, oldest first.
    pub fn dated(&self) -> impl Iterator<Item = (String, &Tally)> {
        self.days.iter().map(|(day, tally)| (day_name(*day), tally))
    }
}

/// Per contract: records and findings per day of their date member, and the presence of every
/// documented field. See the [module documentation](self).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataProfile {
    /// The most days itemised per contract.
    pub max_days: usize,
    /// One entry per contract that had records, by name.
    pub contracts: Vec<ContractProfile>,
}

impl DataProfile {
    /// An empty profile.
    pub fn new() -> DataProfile {
        DataProfile {
            max_days: MAX_DAYS,
            contracts: Vec::new(),
        }
    }

    /// Adds another profile (of another file or worker); the order of merges does not matter.
    pub fn merge(&mut self, other: &DataProfile) {
        self.max_days = MAX_DAYS;
        for contract in &other.contracts {
            match self
                .contracts
                .iter_mut()
                .find(|own| own.contract == contract.contract)
            {
                Some(own) => own.merge(contract),
                None => {
                    let mut own = ContractProfile {
                        contract: contract.contract.clone(),
                        ..ContractProfile::default()
                    };
                    own.merge(contract);
                    own.day_member.clone_from(&contract.day_member);
                    self.contracts.push(own);
                }
            }
        }
        self.contracts.sort_by(|a, b| a.contract.cmp(&b.contract));
    }

    /// Records in some contract.
    pub fn records(&self) -> u64 {
        self.contracts.iter().map(|c| c.totals.records).sum()
    }
}

/// What a worker keeps while it observes records: per contract (by its row in
/// [`contracts::ALL`]), made when its first record arrives.
#[derive(Debug, Default)]
pub(crate) struct Profiler {
    contracts: Vec<Option<ContractProfiler>>,
}

impl Profiler {
    pub(crate) fn new() -> Profiler {
        Profiler::default()
    }

    /// Observes one checked record of `contract` (by name): the object at `root` and its
    /// findings. Anything but an object belongs to no contract and is skipped.
    pub(crate) fn observe(
        &mut self,
        tape: &Tape,
        bytes: &[u8],
        root: usize,
        findings: &[Finding],
        contract: &str,
    ) {
        let Some(index) = ContractSpec::all()
            .iter()
            .position(|spec| spec.name == contract)
        else {
            return;
        };
        if self.contracts.len() <= index {
            self.contracts.resize_with(index + 1, || None);
        }
        self.contracts[index]
            .get_or_insert_with(|| ContractProfiler::new(index))
            .observe(tape, bytes, root, findings);
    }

    /// The profile observed so far.
    pub(crate) fn finish(self) -> DataProfile {
        let mut profile = DataProfile::new();
        for contract in self.contracts.into_iter().flatten() {
            profile.merge(&contract.finish());
        }
        profile
    }
}

/// What a worker keeps while it observes the records of one contract.
#[derive(Debug)]
struct ContractProfiler {
    profile: ContractProfile,
    table: &'static Table,
    /// Per field, its state in the record last seen with it: valid where `seen` holds the
    /// current record's stamp. Stamping instead of resetting keeps the cost of a record
    /// proportional to its members, not to the documented fields.
    states: Vec<State>,
    seen: Vec<u64>,
    /// The current record's stamp (records observed so far).
    stamp: u64,
    day_node: Option<usize>,
    cache: DayCache,
    /// The day of the last dated record and what its run of records sums to.
    current_day: Option<(i64, Tally)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Present,
    Null,
    Absent,
    WrongType,
}

/// The documented members of one object level: an open-addressing table of (key, field
/// index), hashed on the key's length and its first and last bytes, which tell the documented
/// keys apart almost always; a probe then compares one key.
#[derive(Debug, Clone)]
struct Keys {
    slots: Vec<Option<(&'static [u8], usize)>>,
}

impl Keys {
    /// Slots per level: a power of two, at least twice the members of any documented object.
    const SLOTS: usize = 256;

    fn new() -> Keys {
        Keys {
            slots: vec![None; Keys::SLOTS],
        }
    }

    #[inline]
    fn hash(key: &[u8]) -> usize {
        let (first, last) = match key {
            [] => (0, 0),
            [first, .., last] => (*first as usize, *last as usize),
            [only] => (*only as usize, *only as usize),
        };
        (key.len().wrapping_mul(0x9e37) ^ first.wrapping_mul(0x85eb) ^ last.wrapping_mul(0x2b))
            & (Keys::SLOTS - 1)
    }

    fn insert(&mut self, key: &'static [u8], index: usize) {
        let used = self.slots.iter().filter(|slot| slot.is_some()).count();
        assert!(
            used < Keys::SLOTS / 2,
            "a documented object with more than {} members: raise Keys::SLOTS",
            Keys::SLOTS / 2
        );
        let mut at = Keys::hash(key);
        while self.slots[at].is_some() {
            at = (at + 1) & (Keys::SLOTS - 1);
        }
        self.slots[at] = Some((key, index));
    }

    #[inline]
    fn get(&self, key: &[u8]) -> Option<usize> {
        let mut at = Keys::hash(key);
        loop {
            let (known, index) = self.slots[at]?;
            if same_key(known, key) {
                return Some(index);
            }
            at = (at + 1) & (Keys::SLOTS - 1);
        }
    }
}

/// Whether two short keys are equal. Documented keys are a few words long: eight bytes are
/// compared at a time (the last eight overlapping), without a call to `memcmp`.
#[inline]
fn same_key(known: &[u8], key: &[u8]) -> bool {
    let len = known.len();
    if len != key.len() {
        return false;
    }
    if len < 8 {
        return known.iter().zip(key).all(|(a, b)| a == b);
    }
    let word = |bytes: &[u8], at: usize| {
        u64::from_le_bytes(
            bytes
                .get(at..at + 8)
                .and_then(|eight| eight.try_into().ok())
                .unwrap_or_default(),
        )
    };
    let mut at = 0;
    while at + 8 < len {
        if word(known, at) != word(key, at) {
            return false;
        }
        at += 8;
    }
    word(known, len - 8) == word(key, len - 8)
}

/// The documented fields of a contract, arranged for lookup by key per object level.
#[derive(Debug)]
struct Table {
    fields: Vec<&'static FieldRule>,
    /// Per object level (0: the record), its members.
    levels: Vec<Keys>,
    /// Per field, the level of its members when it is a documented object.
    member_level: Vec<Option<usize>>,
    day_field: Option<usize>,
}

impl Table {
    fn new(spec: &ContractSpec) -> Table {
        let fields = spec.fields.clone();
        let mut table = Table {
            levels: vec![Keys::new()],
            member_level: vec![None; fields.len()],
            day_field: fields.iter().position(|f| f.pointer == spec.day_member),
            fields,
        };
        for index in 0..table.fields.len() {
            let pointer = table.fields[index].pointer;
            let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
            let level = if parent.is_empty() {
                Some(0)
            } else {
                table.level_of(parent)
            };
            if let Some(level) = level {
                table.levels[level].insert(key.as_bytes(), index);
            }
        }
        table
    }

    /// The level of the members of the documented object at `pointer`, made on first use.
    fn level_of(&mut self, pointer: &str) -> Option<usize> {
        let parent = self.fields.iter().position(|f| f.pointer == pointer)?;
        if self.member_level[parent].is_none() {
            self.levels.push(Keys::new());
            self.member_level[parent] = Some(self.levels.len() - 1);
        }
        self.member_level[parent]
    }

    fn lookup(&self, level: usize, key: &[u8]) -> Option<usize> {
        self.levels[level].get(key)
    }

    fn of(spec_index: usize) -> &'static Table {
        static TABLES: OnceLock<Vec<Table>> = OnceLock::new();
        &TABLES.get_or_init(|| ContractSpec::all().iter().map(Table::new).collect())[spec_index]
    }
}

impl ContractProfiler {
    fn new(spec_index: usize) -> ContractProfiler {
        let table = Table::of(spec_index);
        ContractProfiler {
            profile: ContractProfile::empty(&ContractSpec::all()[spec_index]),
            table,
            states: vec![State::Absent; table.fields.len()],
            seen: vec![0; table.fields.len()],
            stamp: 0,
            day_node: None,
            cache: None,
            current_day: None,
        }
    }

    /// Observes one checked record: the object at `root` and its findings. Anything but an
    /// object belongs to no contract and is skipped.
    fn observe(&mut self, tape: &Tape, bytes: &[u8], root: usize, findings: &[Finding]) {
        if tape.nodes.get(root).map(|node| node.kind) != Some(Kind::Object) {
            return;
        }
        self.stamp += 1;
        self.day_node = None;
        self.walk(tape, bytes, 0, root);
        let tally = Tally::of_record(findings);
        self.profile.totals.add(&tally);
        self.count_day(tape, bytes, &tally);
    }

    /// The state of field `index` in the current record.
    fn state(&self, index: usize) -> State {
        if self.seen[index] == self.stamp {
            self.states[index]
        } else {
            State::Absent
        }
    }

    /// Records field `index` of the current record in `state`; a duplicate member replaces
    /// the count of the earlier one (the last one counts, as for the readers that keep it).
    fn set_state(&mut self, index: usize, state: State) {
        if self.seen[index] == self.stamp {
            *count_of(&mut self.profile.fields[index], self.states[index]) -= 1;
        }
        self.seen[index] = self.stamp;
        self.states[index] = state;
        *count_of(&mut self.profile.fields[index], state) += 1;
    }

    fn walk(&mut self, tape: &Tape, bytes: &[u8], level: usize, object: usize) {
        for (key, value) in tape.members(object) {
            let Some(index) = self.table.lookup(level, tape.text(bytes, &tape.nodes[key])) else {
                continue;
            };
            let field = self.table.fields[index];
            let state = state_of(tape, value, field.kind.json_type());
            self.set_state(index, state);
            if Some(index) == self.table.day_field {
                self.day_node = Some(value);
            }
            // The depth is that of the contract's table (a documented object's members), not
            // of the input.
            if let (State::Present, Some(members)) = (state, self.table.member_level[index]) {
                self.walk(tape, bytes, members, value);
            }
        }
    }

    fn count_day(&mut self, tape: &Tape, bytes: &[u8], tally: &Tally) {
        let Some(day_field) = self.table.day_field else {
            return;
        };
        match self.state(day_field) {
            State::Absent | State::Null => self.profile.missing_date.add(tally),
            State::WrongType => self.profile.invalid_date.add(tally),
            State::Present => {
                let text = self
                    .day_node
                    .map(|node| tape.text(bytes, &tape.nodes[node]))
                    .unwrap_or_default();
                match parse_timestamp(text, &mut self.cache) {
                    Some(instant) => self.add_day(instant.millis.div_euclid(MILLIS_PER_DAY), tally),
                    None => self.profile.invalid_date.add(tally),
                }
            }
        }
    }

    /// Counts a record on `day`. Consecutive records mostly share a day (a day's capture), so
    /// they are summed here and go into the map when the day changes.
    fn add_day(&mut self, day: i64, tally: &Tally) {
        match &mut self.current_day {
            Some((current, sum)) if *current == day => sum.add(tally),
            current => {
                if let Some((previous, sum)) = current.replace((day, *tally)) {
                    self.profile.add_day(previous, &sum);
                }
            }
        }
    }

    /// The profile observed so far.
    fn finish(mut self) -> DataProfile {
        if let Some((day, sum)) = self.current_day.take() {
            self.profile.add_day(day, &sum);
        }
        // Only the states seen were counted: a field is absent from every other record.
        let records = self.profile.totals.records;
        for counts in &mut self.profile.fields {
            counts.absent = records - counts.present - counts.null - counts.wrong_type;
        }
        DataProfile {
            max_days: MAX_DAYS,
            contracts: vec![self.profile],
        }
    }
}

/// The counter of `state` in a field's counts.
fn count_of(counts: &mut FieldCounts, state: State) -> &mut u64 {
    match state {
        State::Present => &mut counts.present,
        State::Null => &mut counts.null,
        State::Absent => &mut counts.absent,
        State::WrongType => &mut counts.wrong_type,
    }
}

fn state_of(tape: &Tape, value: usize, expected: JsonType) -> State {
    let kind = tape.nodes[value].kind;
    let all_items = |wanted: Kind| {
        tape.items(value)
            .all(|item| tape.nodes[item].kind == wanted)
    };
    let admitted = match (expected, kind) {
        (_, Kind::Null) => return State::Null,
        (JsonType::String | JsonType::StringOrArrayOfStrings, Kind::Str) => true,
        (JsonType::Boolean, Kind::True | Kind::False) => true,
        (JsonType::Number, Kind::Number) => true,
        (JsonType::Object, Kind::Object) => true,
        (JsonType::ArrayOfStrings | JsonType::StringOrArrayOfStrings, Kind::Array) => {
            all_items(Kind::Str)
        }
        (JsonType::ArrayOfObjects, Kind::Array) => all_items(Kind::Object),
        _ => false,
    };
    if admitted {
        State::Present
    } else {
        State::WrongType
    }
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01), proleptic Gregorian.
pub fn day_name(day: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day number of `YYYY-MM-DD`, the inverse of [`day_name`].
pub fn day_number(name: &str) -> Option<i64> {
    let mut parts = name.rsplitn(3, '-');
    let d: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let y: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let number = era * 146_097 + doe - 719_468;
    (day_name(number) == name).then_some(number)
}

/// Days serialised as `[{"day": "YYYY-MM-DD", "records": ..., ...}]`, oldest first.
mod day_keys {
    use std::collections::BTreeMap;

    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{day_name, day_number, Tally};

    #[derive(Serialize, Deserialize)]
    struct Day {
        day: String,
        #[serde(flatten)]
        tally: Tally,
    }

    pub fn serialize<S: Serializer>(
        days: &BTreeMap<i64, Tally>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(days.iter().map(|(day, tally)| Day {
            day: day_name(*day),
            tally: *tally,
        }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<i64, Tally>, D::Error> {
        let days = Vec::<Day>::deserialize(deserializer)?;
        days.into_iter()
            .map(|entry| {
                let number = day_number(&entry.day)
                    .ok_or_else(|| D::Error::custom(format!("not a day: {:?}", entry.day)))?;
                Ok((number, entry.tally))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_names_round_trip_through_the_calendar() {
        assert_eq!(day_name(0), "1970-01-01");
        assert_eq!(day_name(19_303), "2022-11-07");
        assert_eq!(day_name(-1), "1969-12-31");
        assert_eq!(day_name(11_016), "2000-02-29");
        for day in (-800_000..3_000_000).step_by(997) {
            assert_eq!(day_number(&day_name(day)), Some(day));
        }
        assert_eq!(day_number("2022-02-30"), None);
        assert_eq!(day_number("2022-13-01"), None);
    }

    #[test]
    fn the_day_member_and_every_nested_field_are_in_the_table() {
        let table = Table::of(0);
        let day = table.day_field.map(|index| table.fields[index]);
        assert_eq!(
            day.map(|rule| rule.pointer),
            Some(ContractSpec::all()[0].day_member)
        );
        for (index, rule) in table.fields.iter().enumerate() {
            let tokens: Vec<&str> = rule.pointer.split('/').skip(1).collect();
            let mut level = 0;
            let mut found = None;
            for token in tokens {
                found = table.lookup(level, token.as_bytes());
                level = found
                    .and_then(|at| table.member_level[at])
                    .unwrap_or(usize::MAX);
            }
            assert_eq!(found, Some(index), "{}", rule.pointer);
        }
    }

    #[test]
    fn the_day_cap_keeps_the_latest_days_exactly_whatever_the_merge_order() {
        let one = Tally {
            records: 1,
            ..Tally::default()
        };
        let spec = &ContractSpec::all()[0];
        let mut a = ContractProfile::empty(spec);
        let mut b = ContractProfile::empty(spec);
        let mut whole = ContractProfile::empty(spec);
        for day in 0..(MAX_DAYS as i64 + 300) {
            let part = if day % 3 == 0 { &mut a } else { &mut b };
            part.add_day(day * 7 % 1500, &one);
            whole.add_day(day * 7 % 1500, &one);
        }
        let mut ab = ContractProfile::empty(spec);
        ab.merge(&a);
        ab.merge(&b);
        let mut ba = ContractProfile::empty(spec);
        ba.merge(&b);
        ba.merge(&a);
        assert_eq!(ab, ba);
        assert_eq!(ab.days, whole.days);
        assert_eq!(ab.earlier_days, whole.earlier_days);
        assert_eq!(ab.days.len(), MAX_DAYS);
        assert_eq!(ab.earlier_days.records, 300);
    }
}
