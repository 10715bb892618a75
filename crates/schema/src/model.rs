//! The typed, lossless enquiry model.

use std::fmt;

use schemars::JsonSchema;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

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

// The record's structs and enums, with their serde names, are generated from the table
// (`cargo xtask codegen`); this module keeps their behaviour. Declared after
// `documented_enum!`, which the generated code uses.
#[rustfmt::skip]
#[path = "generated/record.rs"]
mod generated;

pub use generated::{
    Channel, DestinationEndPoint, DestinationType, Enquiry, InitChannel, LocationDetail, OmniType,
    Status,
};

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
