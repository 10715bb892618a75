//! Reads the few string members reconciliation needs from a JSON line without building the
//! whole value: unwanted members are skipped, wanted strings borrowed when unescaped.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// Text borrowed from the input when it holds no escape.
struct Text<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text<'de>, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(text)))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(text.to_owned())))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(text)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// The string values of `N` members, in the order of the keys asked for.
pub(crate) type Picked<'a, const N: usize> = [Option<Cow<'a, str>>; N];

struct Picker<'k, const N: usize> {
    keys: [&'k str; N],
}

impl<'de, const N: usize> Visitor<'de> for Picker<'_, N> {
    type Value = Picked<'de, N>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Picked<'de, N>, A::Error> {
        let mut picked: Picked<'de, N> = std::array::from_fn(|_| None);
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            match self.keys.iter().position(|wanted| *wanted == key) {
                Some(at) => {
                    let raw: &'de RawValue = map.next_value()?;
                    picked[at] = serde_json::from_str::<Text<'de>>(raw.get())
                        .ok()
                        .map(|Text(text)| text);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(picked)
    }
}

impl<'de, const N: usize> DeserializeSeed<'de> for Picker<'_, N> {
    type Value = Picked<'de, N>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

/// The string members `keys` of the JSON object `line` (`None` for a member that is absent
/// or not a string; the last of repeated members counts); `None` when the line is not one
/// well-formed JSON object.
pub(crate) fn strings<'a, const N: usize>(
    line: &'a [u8],
    keys: [&str; N],
) -> Option<Picked<'a, N>> {
    let mut deserializer = serde_json::Deserializer::from_slice(line);
    let picked = Picker { keys }.deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    Some(picked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wanted_strings_are_picked_and_other_values_skipped() {
        let line = br#"{"a": 1, "id": "x\u0041", "nested": {"id": "no"}, "status": "open", "n": [1, {"id": 2}]} "#;
        let [id, status, date] = strings(line, ["id", "status", "date"]).unwrap();
        assert_eq!(id.as_deref(), Some("xA"));
        assert!(matches!(status, Some(Cow::Borrowed("open"))));
        assert_eq!(date, None);
        let [id] = strings(br#"{"id": 5}"#, ["id"]).unwrap();
        assert_eq!(id, None);
        for broken in [&b"{\"id\": \"a\""[..], b"[1]", b"\"id\"", b"{} {}", b""] {
            assert!(strings(broken, ["id"]).is_none(), "{broken:?}");
        }
    }
}
