//! One `enquiry-detail` answer, read without re-encoding its records.

use std::collections::BTreeMap;

use serde_json::value::RawValue;

/// The vendor's result code of a successful answer.
const OK_CODE: i64 = 200;
/// The vendor's result code of a rate-limited answer.
pub(crate) const TOO_MANY_CODE: i64 = 6451010;

/// A parsed page: the list response's `code` and `total`, and the records as received.
pub(crate) struct Page {
    pub(crate) total: u64,
    /// The array of records, as received.
    records: Box<RawValue>,
}

/// Why a body is not a page.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PageError {
    /// Not JSON, or JSON of the wrong shape (a cut or garbled body): worth a retry.
    Malformed(String),
    /// A well-formed answer with the vendor's rate-limit code.
    RateLimited,
    /// A well-formed answer with another error code: no retry will help.
    Refused(i64, String),
}

impl Page {
    /// Reads a list response: an object with `code`, `total` and one array member (the records,
    /// whatever the member is called).
    pub(crate) fn parse(body: &[u8]) -> Result<Page, PageError> {
        let malformed = |why: &str| PageError::Malformed(why.to_owned());
        let members: BTreeMap<String, Box<RawValue>> = serde_json::from_slice(body)
            .map_err(|err| PageError::Malformed(format!("malformed body: {err}")))?;
        let number = |name: &str| {
            members
                .get(name)
                .and_then(|raw| serde_json::from_str::<i64>(raw.get()).ok())
        };
        let code = number("code").ok_or_else(|| malformed("body without a numeric code"))?;
        if code == TOO_MANY_CODE {
            return Err(PageError::RateLimited);
        }
        if code != OK_CODE {
            let message = members
                .get("message")
                .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
                .unwrap_or_default();
            return Err(PageError::Refused(code, message));
        }
        let total = number("total")
            .and_then(|total| u64::try_from(total).ok())
            .ok_or_else(|| malformed("body without a total"))?;
        let mut arrays = members
            .into_values()
            .filter(|raw| raw.get().trim_start().starts_with('['));
        let records = match (arrays.next(), arrays.next()) {
            (Some(records), None) => records,
            _ => return Err(malformed("body without exactly one array of records")),
        };
        Ok(Page { total, records })
    }

    /// The records, each the exact text of one array item.
    pub(crate) fn records(&self) -> Result<Vec<&RawValue>, PageError> {
        serde_json::from_str(self.records.get())
            .map_err(|err| PageError::Malformed(format!("malformed records: {err}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_keep_record_text_and_classify_errors() {
        let page = Page::parse(
            br#"{"code":200,"total":7,"offset":0,"limit":2,"list":[{"a":1.50},  {"b":"\u00e9"}]}"#,
        )
        .unwrap();
        assert_eq!(page.total, 7);
        let texts: Vec<&str> = page.records().unwrap().iter().map(|r| r.get()).collect();
        assert_eq!(texts, [r#"{"a":1.50}"#, r#"{"b":"\u00e9"}"#]);
        assert_eq!(
            Page::parse(br#"{"code":6451010,"message":"Too many requests"}"#).err(),
            Some(PageError::RateLimited)
        );
        assert_eq!(
            Page::parse(br#"{"code":6451000,"message":"Bad query"}"#).err(),
            Some(PageError::Refused(6451000, "Bad query".into()))
        );
        for cut in [
            &br#"{"code":200,"total":7,"list":[{"a":1"#[..],
            b"<html>",
            b"{}",
        ] {
            assert!(matches!(Page::parse(cut), Err(PageError::Malformed(_))));
        }
    }
}
