//! A contract as data: its members (at any depth), its cross-member rules and the strict
//! profile's conditional requirements.
//!
//! The validator has one walk over a [`Contract`]: it knows nothing of any particular member.
//! Nested objects at any depth and arrays of objects or strings are [`FieldKind`]s of the table
//! ([`FieldKind::Object`], [`FieldKind::ArrayOf`]); rules that read several members are
//! [`CrossRule`]s naming them. A new contract is a new constant of this type.

use crate::fields::{FieldKind, FieldRule, AFTER_CREATION, CLOSED_ONLY, FIELDS};
use crate::rule::Code;

/// One contract: what `enquiry validate --contract NAME` checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contract {
    /// The name the CLI and the reports use (`record`, `event`).
    pub name: &'static str,
    /// The file name of its generated schema, before `.schema.json` (`enquiry`).
    pub schema_stem: &'static str,
    /// What one record of the contract is, for messages (`enquiry`: "expected an enquiry
    /// object").
    pub noun: &'static str,
    /// The top-level members, in the documentation's order; objects hold their own members.
    pub fields: &'static [FieldRule],
    /// Rules that read several top-level members.
    pub cross: &'static [CrossRule],
    /// Members the strict profile requires only under a condition (and otherwise not).
    pub strict_when: &'static [Conditional],
    /// Members whose presence, more than half of them, identifies a record of this contract
    /// when the contract is detected per record (empty: the fallback, the enquiry record).
    pub detect: &'static [&'static str],
}

/// A requirement of the strict profile that holds only when a member has one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conditional {
    /// The member whose value decides (`status`).
    pub member: &'static str,
    /// The value that makes [`Conditional::requires`] required (`closed`).
    pub equals: &'static str,
    /// The members then required, in the table's order.
    pub requires: &'static [&'static str],
}

/// Where an event's origin is read: `channel`, unless it holds `hub`, then `origin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// The channel member.
    pub channel: &'static str,
    /// The channel value whose real origin is in [`Origin::origin`].
    pub hub: &'static str,
    /// The member holding the origin when the channel is the hub.
    pub origin: &'static str,
}

/// A rule over several top-level members; each names the members it reads and its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrossRule {
    /// Each of `later` is not before `anchor` (all timestamps): `timeline` at the later one.
    NotBefore {
        /// The earliest timestamp (`createdAt`).
        anchor: &'static str,
        /// The timestamps that must not precede it.
        later: &'static [&'static str],
    },
    /// When `member` holds `equals`, `then` is present: `status-consistency` at `member`.
    PresentWhen {
        /// The deciding member (`status`).
        member: &'static str,
        /// The value that requires `then`.
        equals: &'static str,
        /// The member that must be present.
        then: &'static str,
    },
    /// `member` is present only when `when` holds `equals` (a documented value of `when`
    /// other than `equals` forbids it): `status-consistency` at `member`.
    OnlyWhen {
        /// The member that may be absent.
        member: &'static str,
        /// The deciding member, an enum.
        when: &'static str,
        /// The one value that allows `member`.
        equals: &'static str,
    },
    /// `member` (integer milliseconds) equals `to - from` within `tolerance_ms`:
    /// `close-duration` at `member`.
    Elapsed {
        /// The duration member.
        member: &'static str,
        /// The start timestamp.
        from: &'static str,
        /// The end timestamp.
        to: &'static str,
        /// The largest accepted difference.
        tolerance_ms: u64,
    },
    /// When `when` holds `equals`, `member` is one of `recognised` (another value is
    /// `unrecognised-value`); otherwise it is exactly `otherwise` (else `code`).
    ValueWhen {
        /// The member checked.
        member: &'static str,
        /// The deciding member.
        when: &'static str,
        /// The value of `when` under which `recognised` applies.
        equals: &'static str,
        /// The values recognised then.
        recognised: &'static [&'static str],
        /// The only value accepted otherwise.
        otherwise: &'static str,
        /// The code of a value other than `otherwise`.
        code: Code,
    },
    /// `member` is empty unless the origin is one of `allowed`: `code` at `member`.
    EmptyUnless {
        /// The member checked.
        member: &'static str,
        /// Where the origin is read.
        origin: Origin,
        /// The origins that may carry a value.
        allowed: &'static [&'static str],
        /// The code of a value under another origin.
        code: Code,
    },
}

impl Contract {
    /// The top-level member `key`, if documented.
    pub fn field(&self, key: &str) -> Option<&'static FieldRule> {
        self.fields.iter().find(|rule| rule.key() == key)
    }

    /// "an enquiry", "a challenge request": the noun with its article.
    pub fn a_noun(&self) -> String {
        let vowel = self.noun.starts_with(['a', 'e', 'i', 'o', 'u']);
        format!("{} {}", if vowel { "an" } else { "a" }, self.noun)
    }

    /// Whether the strict profile requires `name` only under a condition.
    pub fn is_conditional(&self, name: &str) -> bool {
        self.strict_when
            .iter()
            .any(|conditional| conditional.requires.contains(&name))
    }

    /// The documented spellings of an enum member (empty for any other kind).
    pub fn enum_values(&self, key: &str) -> &'static [&'static str] {
        match self.field(key).map(|rule| rule.kind) {
            Some(FieldKind::Enum(values) | FieldKind::Channel(values)) => values,
            _ => &[],
        }
    }
}

/// The enquiry record, as `enquiry-detail` returns it.
pub const RECORD: Contract = Contract {
    name: "record",
    schema_stem: "enquiry",
    noun: "enquiry",
    fields: FIELDS,
    cross: &[
        CrossRule::NotBefore {
            anchor: "createdAt",
            later: AFTER_CREATION,
        },
        CrossRule::PresentWhen {
            member: "status",
            equals: "closed",
            then: "closedAt",
        },
        CrossRule::PresentWhen {
            member: "status",
            equals: "missed",
            then: "missedAt",
        },
        CrossRule::OnlyWhen {
            member: "closedAt",
            when: "status",
            equals: "closed",
        },
        CrossRule::Elapsed {
            member: "closeDuration",
            from: "createdAt",
            to: "closedAt",
            tolerance_ms: 1000,
        },
    ],
    strict_when: &[Conditional {
        member: "status",
        equals: "closed",
        requires: CLOSED_ONLY,
    }],
    detect: &[],
};
