//! Absolute `http`/`https` URLs by the grammar of RFC 3986, without a URL library.
//!
//! A URL library would pull Unicode tables (IDNA) into the validator for one rule; the contract
//! only needs "an absolute http(s) URI with a host", which RFC 3986's ABNF decides byte by
//! byte: `scheme "://" [userinfo "@"] host [":" port] path-abempty ["?" query] ["#" fragment]`,
//! with a non-empty host (an IP literal in brackets, or a registered name / IPv4 address).
//! URIs are ASCII; an internationalised name must be written in its `xn--` form.

/// Whether `text` is an absolute `http` or `https` URI (scheme in any case) with a non-empty
/// host.
pub(crate) fn is_http_url(text: &[u8]) -> bool {
    plain_http_url(text) || by_grammar(text)
}

/// The usual URL in one pass: a lower-case scheme, a registered name, then a path and query of
/// plain characters. True only where [`by_grammar`] is true; anything else (a port, userinfo,
/// an IP literal, a fragment, percent-encodings, any defect) is left to it.
#[inline]
fn plain_http_url(text: &[u8]) -> bool {
    let Some(rest) = text
        .strip_prefix(b"https://")
        .or_else(|| text.strip_prefix(b"http://"))
    else {
        return false;
    };
    let host_end = rest
        .iter()
        .position(|&byte| CLASSES[byte as usize] & HOST == 0)
        .unwrap_or(rest.len());
    if host_end == 0 {
        return false;
    }
    // A path holds no `?` (the first one starts the query) and a query is a path that may
    // hold `?`: so a path and query of plain characters are bytes of the query class, all of
    // them (a fold without branches, no `%`: that class lacks it).
    let tail = &rest[host_end..];
    let classes = tail
        .iter()
        .fold(QUERY, |classes, &byte| classes & CLASSES[byte as usize]);
    // The host ends the authority: a path, a query or the end of the text must follow.
    classes != 0 && matches!(tail.first(), None | Some(b'/' | b'?'))
}

/// [`is_http_url`] by RFC 3986's grammar, piece by piece.
fn by_grammar(text: &[u8]) -> bool {
    let Some(colon) = text.iter().position(|&byte| byte == b':') else {
        return false;
    };
    let scheme = &text[..colon];
    if !(scheme.eq_ignore_ascii_case(b"http") || scheme.eq_ignore_ascii_case(b"https")) {
        return false;
    }
    let Some(rest) = text[colon + 1..].strip_prefix(b"//") else {
        return false;
    };
    let authority_end = rest
        .iter()
        .position(|byte| matches!(byte, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    authority(&rest[..authority_end]) && after_authority(&rest[authority_end..])
}

/// `[userinfo "@"] host [":" port]`, host non-empty.
fn authority(text: &[u8]) -> bool {
    let (userinfo, host_port) = match text.iter().rposition(|&byte| byte == b'@') {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (&b""[..], text),
    };
    if !all_of(userinfo, USERINFO) {
        return false;
    }
    let (host, port) = if host_port.first() == Some(&b'[') {
        let Some(close) = host_port.iter().position(|&byte| byte == b']') else {
            return false;
        };
        let port = &host_port[close + 1..];
        if !(port.is_empty() || port.first() == Some(&b':')) {
            return false;
        }
        if !ip_literal(&host_port[1..close]) {
            return false;
        }
        (&host_port[..=close], port.get(1..).unwrap_or(&[]))
    } else {
        match host_port.iter().position(|&byte| byte == b':') {
            Some(colon) => (&host_port[..colon], &host_port[colon + 1..]),
            None => (host_port, &b""[..]),
        }
    };
    !host.is_empty()
        && (host.first() == Some(&b'[') || all_of(host, HOST))
        && port.iter().all(u8::is_ascii_digit)
}

/// `IPv6address` or `IPvFuture` inside brackets.
fn ip_literal(text: &[u8]) -> bool {
    if let Some(future) = text.strip_prefix(b"v").or_else(|| text.strip_prefix(b"V")) {
        let Some(dot) = future.iter().position(|&byte| byte == b'.') else {
            return false;
        };
        return dot > 0
            && future[..dot].iter().all(u8::is_ascii_hexdigit)
            && dot + 1 < future.len()
            && future[dot + 1..]
                .iter()
                .all(|&byte| is_unreserved(byte) || is_sub_delim(byte) || byte == b':');
    }
    std::str::from_utf8(text).is_ok_and(|text| text.parse::<std::net::Ipv6Addr>().is_ok())
}

/// `path-abempty ["?" query] ["#" fragment]`.
fn after_authority(text: &[u8]) -> bool {
    let (before_fragment, fragment) = match text.iter().position(|&byte| byte == b'#') {
        Some(hash) => (&text[..hash], &text[hash + 1..]),
        None => (text, &b""[..]),
    };
    let (path, query) = match before_fragment.iter().position(|&byte| byte == b'?') {
        Some(question) => (
            &before_fragment[..question],
            &before_fragment[question + 1..],
        ),
        None => (before_fragment, &b""[..]),
    };
    all_of(path, PATH) && all_of(query, QUERY) && all_of(fragment, QUERY)
}

/// Whether every byte is in `class` (of [`CLASSES`]) or starts a well-formed
/// percent-encoding (`%` and two hex digits).
fn all_of(text: &[u8], class: u8) -> bool {
    let mut rest = text;
    loop {
        // The usual case, a run of allowed bytes, is one table lookup a byte.
        let Some(stop) = rest
            .iter()
            .position(|&byte| CLASSES[byte as usize] & class == 0)
        else {
            return true;
        };
        let hex = rest.get(stop + 1..stop + 3);
        if rest[stop] != b'%' || !hex.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)) {
            return false;
        }
        rest = &rest[stop + 3..];
    }
}

/// `unreserved / sub-delims`: a registered name.
const HOST: u8 = 1;
/// `unreserved / sub-delims / ":"`: userinfo.
const USERINFO: u8 = 2;
/// `pchar / "/"`: a path.
const PATH: u8 = 4;
/// `pchar / "/" / "?"`: a query or a fragment.
const QUERY: u8 = 8;

/// The classes each byte belongs to, from RFC 3986's character sets.
static CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        let mut classes = 0;
        if is_unreserved(b) || is_sub_delim(b) {
            classes |= HOST | USERINFO | PATH | QUERY;
        }
        if b == b':' {
            classes |= USERINFO | PATH | QUERY;
        }
        if b == b'@' || b == b'/' {
            classes |= PATH | QUERY;
        }
        if b == b'?' {
            classes |= QUERY;
        }
        table[byte] = classes;
        byte += 1;
    }
    table
};

const fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

const fn is_sub_delim(byte: u8) -> bool {
    matches!(
        byte,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The one-pass path accepts only what the grammar accepts.
        #[test]
        fn plain_path_agrees_with_the_grammar(
            scheme in prop_oneof![Just("https://"), Just("http://"), Just("HTTP://"), Just("https:/")],
            tail in proptest::collection::vec(
                prop_oneof![
                    proptest::sample::select(b"az09.-_~/?#@:[]%!$&'()*+,;= \"^`{}|".to_vec()),
                    any::<u8>(),
                ],
                0..40,
            ),
        ) {
            let mut url = scheme.as_bytes().to_vec();
            url.extend_from_slice(&tail);
            if plain_http_url(&url) {
                prop_assert!(by_grammar(&url), "{:?}", String::from_utf8_lossy(&url));
            }
            prop_assert_eq!(is_http_url(&url), by_grammar(&url));
        }
    }

    /// The table holds exactly RFC 3986's sets, for every byte.
    #[test]
    fn classes_are_the_rfc_sets() {
        for byte in 0..=255u8 {
            let base = is_unreserved(byte) || is_sub_delim(byte);
            let pchar = base || matches!(byte, b':' | b'@');
            let expected = [
                (HOST, base),
                (USERINFO, base || byte == b':'),
                (PATH, pchar || byte == b'/'),
                (QUERY, pchar || matches!(byte, b'/' | b'?')),
            ];
            for (class, member) in expected {
                assert_eq!(
                    CLASSES[byte as usize] & class != 0,
                    member,
                    "{byte:#x} {class}"
                );
            }
        }
    }

    #[test]
    fn absolute_http_urls_with_a_host() {
        let accepted = [
            "https://example.com/room/1",
            "http://example.com",
            "HTTPS://EXAMPLE.COM/x",
            "https://example.com:8443/a?b=c#d",
            "https://user:pw@example.com/",
            "http://203.0.113.9/",
            "http://[2001:db8::1]:80/a",
            "https://example.com/a%20b?q=%C3%A9",
            "https://xn--bcher-kva.example/",
            "https://example.com:/",
        ];
        for url in accepted {
            assert!(is_http_url(url.as_bytes()), "{url} rejected");
        }
        let rejected = [
            "ftp://example.com/",
            "/room/1",
            "example.com/room",
            "https://",
            "https:///path",
            "https://exa mple.com/",
            "https://example.com/a b",
            "https://example.com/%zz",
            "https://example.com:80a/",
            "https://[2001:db8::1/",
            "https://[not-ip]/",
            "https://bücher.example/",
            "https:example.com",
            "mailto:a@example.com",
            "https://example.com/#a#b",
        ];
        for url in rejected {
            assert!(!is_http_url(url.as_bytes()), "{url} accepted");
        }
    }
}
