//! An iterative JSON parser (RFC 8259) that writes a flat tape of nodes with byte spans.
//!
//! The tape is reused from record to record: parsing allocates nothing once the buffers have
//! grown to the size of the largest record. Strings without escapes are not copied; escaped
//! ones are unescaped into one shared side buffer. Nesting is tracked on an explicit stack, so
//! hostile depth cannot overflow the thread's stack; beyond [`MAX_DEPTH`] the parse stops.

/// The deepest nesting of arrays and objects that is parsed.
pub const MAX_DEPTH: usize = enquiry_schema::MAX_DEPTH;

/// What a node holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Object,
    Array,
    Key,
    Str,
    Number,
    True,
    False,
    Null,
}

/// The node's text was unescaped into the side buffer.
pub const ESCAPED: u8 = 1;
/// The node's text is not valid UTF-8, or holds a lone surrogate escape.
pub const BAD_TEXT: u8 = 2;

/// One value (or object key) of the tape.
#[derive(Debug, Clone, Copy)]
pub struct Node {
    /// Byte offset of the value's first byte (the quote of a string, the bracket of a container).
    pub start: u32,
    /// Byte offset just past the value.
    pub end: u32,
    /// Containers: the index of the first node after the subtree. Escaped strings: the offset
    /// of the unescaped text in the side buffer.
    pub aux: u32,
    /// Escaped strings: the length of the unescaped text.
    pub len: u32,
    pub kind: Kind,
    pub flags: u8,
}

impl Node {
    /// The length of a string's or key's text ([`Tape::text`]'s), from the node alone: the
    /// unescaped length of an escaped one, the span between its quotes otherwise.
    #[inline(always)]
    pub fn text_len(&self) -> usize {
        if self.flags & ESCAPED != 0 {
            self.len as usize
        } else {
            (self.end as usize).saturating_sub(self.start as usize + 2)
        }
    }

    /// A string's or key's text as written, between its quotes (escapes not undone); a node
    /// too short for quotes (none is) gives no text.
    #[inline(always)]
    pub fn raw_text<'a>(&self, bytes: &'a [u8]) -> &'a [u8] {
        bytes
            .get(self.start as usize + 1..(self.end as usize).wrapping_sub(1))
            .unwrap_or(&[])
    }
}

/// Why a parse stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// Not JSON; the message says what was expected.
    Syntax(&'static str),
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
}

/// A parse that stopped, with where and the path of open containers (RFC 6901 tokens).
#[derive(Debug, Clone)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub offset: usize,
    pub path: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Open {
    node: u32,
    is_object: bool,
    items: u32,
    last_key: u32,
}

/// The parsed tape of one unit of input, reused across units.
#[derive(Debug, Default)]
pub struct Tape {
    pub nodes: Vec<Node>,
    pub strings: Vec<u8>,
    stack: Vec<Open>,
    /// Why and where the current parse stopped; kept here so that the hot functions return a
    /// two-register `Result<usize, Stopped>`.
    failure: Option<(ParseErrorKind, usize)>,
    /// The specials of the block the last string ended in, of the input being parsed.
    specials: Specials,
}

/// The parse stopped; the reason is in `Tape::failure`.
#[derive(Debug, Clone, Copy)]
struct Stopped;

#[inline(always)]
fn is_ws(byte: u8) -> bool {
    // One comparison for the usual case (a byte above the space is never whitespace).
    byte <= b' ' && matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

use crate::simd::{special_mask, Specials};

/// The length of a valid UTF-8 sequence starting at `bytes[0]`, or `None`.
fn utf8_sequence(bytes: &[u8]) -> Option<usize> {
    let first = *bytes.first()?;
    let cont = |index: usize, low: u8, high: u8| {
        bytes
            .get(index)
            .is_some_and(|byte| (low..=high).contains(byte))
    };
    match first {
        0xC2..=0xDF => cont(1, 0x80, 0xBF).then_some(2),
        0xE0 => (cont(1, 0xA0, 0xBF) && cont(2, 0x80, 0xBF)).then_some(3),
        0xE1..=0xEC | 0xEE..=0xEF => (cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF)).then_some(3),
        0xED => (cont(1, 0x80, 0x9F) && cont(2, 0x80, 0xBF)).then_some(3),
        0xF0 => (cont(1, 0x90, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF)).then_some(4),
        0xF1..=0xF3 => {
            (cont(1, 0x80, 0xBF) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF)).then_some(4)
        }
        0xF4 => (cont(1, 0x80, 0x8F) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF)).then_some(4),
        _ => None,
    }
}

fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    let mut value = 0u32;
    for &digit in digits {
        value = value * 16 + char::from(digit).to_digit(16)?;
    }
    Some(value)
}

fn push_char(out: &mut Vec<u8>, code: u32) {
    let ch = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
    let mut buf = [0u8; 4];
    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
}

impl Tape {
    /// The text of a string or key node (unescaped), as bytes.
    #[inline(always)]
    pub fn text<'a>(&'a self, bytes: &'a [u8], node: &Node) -> &'a [u8] {
        if node.flags & ESCAPED != 0 {
            let start = node.aux as usize;
            self.strings
                .get(start..start + node.len as usize)
                .unwrap_or(&[])
        } else {
            node.raw_text(bytes)
        }
    }

    /// The index of the first node after the subtree of `index`.
    #[inline]
    pub fn next(&self, index: usize) -> usize {
        match self.nodes.get(index) {
            Some(node) if matches!(node.kind, Kind::Object | Kind::Array) => node.aux as usize,
            _ => index + 1,
        }
    }

    /// The members of the object at `index`, as (key node, value node) indices.
    pub fn members(&self, index: usize) -> Members<'_> {
        let end = self.next(index);
        Members {
            tape: self,
            at: index + 1,
            end,
        }
    }

    /// The items of the array at `index`, as node indices.
    pub fn items(&self, index: usize) -> Items<'_> {
        let end = self.next(index);
        Items {
            tape: self,
            at: index + 1,
            end,
        }
    }

    /// Parses one JSON text (a value with optional surrounding whitespace).
    pub fn parse(&mut self, bytes: &[u8]) -> Result<(), ParseError> {
        self.nodes.clear();
        self.strings.clear();
        self.stack.clear();
        self.failure = None;
        self.specials = Specials::default();
        let result = self.parse_inner(bytes);
        if result.is_err() {
            let (kind, offset) = self
                .failure
                .take()
                .unwrap_or((ParseErrorKind::Syntax("invalid JSON"), 0));
            let path = self.error_path(bytes);
            return Err(ParseError { kind, offset, path });
        }
        Ok(())
    }

    fn error_path(&self, bytes: &[u8]) -> Vec<String> {
        self.stack
            .iter()
            .map(|open| {
                if open.is_object {
                    match self.nodes.get(open.last_key as usize) {
                        Some(key) if open.items > 0 => {
                            String::from_utf8_lossy(self.text(bytes, key)).into_owned()
                        }
                        _ => String::new(),
                    }
                } else {
                    open.items.saturating_sub(1).to_string()
                }
            })
            .take_while(|token| !token.is_empty())
            .collect()
    }

    fn parse_inner(&mut self, bytes: &[u8]) -> Result<(), Stopped> {
        use ParseErrorKind::{Syntax, TooDeep};
        let len = bytes.len();
        let mut pos = 0usize;
        let skip_ws = |pos: &mut usize| {
            while *pos < len && is_ws(bytes[*pos]) {
                *pos += 1;
            }
        };
        // Expecting a value (true) or, inside a container, a separator/closer (false).
        skip_ws(&mut pos);
        loop {
            // --- a value at `pos` ---
            if pos >= len {
                return Err(self.fail(Syntax("expected a JSON value"), pos));
            }
            let byte = bytes[pos];
            match byte {
                b'{' | b'[' => {
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(self.fail(TooDeep, pos));
                    }
                    let node = self.nodes.len() as u32;
                    let kind = if byte == b'{' {
                        Kind::Object
                    } else {
                        Kind::Array
                    };
                    self.nodes.push(Node {
                        start: pos as u32,
                        end: 0,
                        aux: 0,
                        len: 0,
                        kind,
                        flags: 0,
                    });
                    self.stack.push(Open {
                        node,
                        is_object: byte == b'{',
                        items: 0,
                        last_key: 0,
                    });
                    pos += 1;
                    skip_ws(&mut pos);
                    let closer = if byte == b'{' { b'}' } else { b']' };
                    if bytes.get(pos) == Some(&closer) {
                        pos += 1;
                        self.close(pos);
                    } else if byte == b'{' {
                        pos = self.key(bytes, pos)?;
                        continue;
                    } else {
                        if let Some(top) = self.stack.last_mut() {
                            top.items = 1;
                        }
                        continue;
                    }
                }
                b'"' => {
                    pos = self.string(bytes, pos, Kind::Str)?;
                }
                b'-' | b'0'..=b'9' => {
                    let Some(end) = number_end(bytes, pos) else {
                        return Err(self.fail(Syntax("invalid number"), pos));
                    };
                    self.nodes.push(Node {
                        start: pos as u32,
                        end: end as u32,
                        aux: 0,
                        len: 0,
                        kind: Kind::Number,
                        flags: 0,
                    });
                    pos = end;
                }
                b't' | b'f' | b'n' => {
                    let (word, kind): (&[u8], Kind) = match byte {
                        b't' => (b"true", Kind::True),
                        b'f' => (b"false", Kind::False),
                        _ => (b"null", Kind::Null),
                    };
                    if bytes.get(pos..pos + word.len()) != Some(word) {
                        return Err(self.fail(Syntax("expected a JSON value"), pos));
                    }
                    let end = pos + word.len();
                    self.nodes.push(Node {
                        start: pos as u32,
                        end: end as u32,
                        aux: 0,
                        len: 0,
                        kind,
                        flags: 0,
                    });
                    pos = end;
                }
                _ => return Err(self.fail(Syntax("expected a JSON value"), pos)),
            }
            // --- after a value: separators and closers ---
            // The usual case first: a comma right after a member's value, then the next key.
            if bytes.get(pos) == Some(&b',') && self.stack.last().is_some_and(|top| top.is_object) {
                pos += 1;
                skip_ws(&mut pos);
                pos = self.key(bytes, pos)?;
                continue;
            }
            loop {
                skip_ws(&mut pos);
                let Some(top) = self.stack.last().copied() else {
                    if pos < len {
                        return Err(self.fail(Syntax("expected the end of the value"), pos));
                    }
                    return Ok(());
                };
                match bytes.get(pos) {
                    Some(b',') => {
                        pos += 1;
                        skip_ws(&mut pos);
                        if top.is_object {
                            pos = self.key(bytes, pos)?;
                        } else if let Some(top) = self.stack.last_mut() {
                            top.items += 1;
                        }
                        break;
                    }
                    Some(b'}') if top.is_object => {
                        pos += 1;
                        self.close(pos);
                    }
                    Some(b']') if !top.is_object => {
                        pos += 1;
                        self.close(pos);
                    }
                    _ => {
                        let expected = if top.is_object {
                            "expected `,` or `}`"
                        } else {
                            "expected `,` or `]`"
                        };
                        return Err(self.fail(Syntax(expected), pos));
                    }
                }
            }
        }
    }

    /// Parses `"key" :` at `pos` and returns the offset of the value.
    #[inline(always)]
    fn key(&mut self, bytes: &[u8], pos: usize) -> Result<usize, Stopped> {
        if bytes.get(pos) != Some(&b'"') {
            self.forget_key();
            return Err(self.fail(
                ParseErrorKind::Syntax("expected a member name (a string)"),
                pos,
            ));
        }
        let key_index = self.nodes.len() as u32;
        let mut pos = match self.string(bytes, pos, Kind::Key) {
            Ok(pos) => pos,
            Err(stopped) => {
                self.forget_key();
                return Err(stopped);
            }
        };
        if let Some(top) = self.stack.last_mut() {
            top.items += 1;
            top.last_key = key_index;
        }
        // Compact JSON first: the colon right after the name, the value right after it.
        if bytes.get(pos) == Some(&b':') && bytes.get(pos + 1).is_some_and(|&byte| byte > b' ') {
            return Ok(pos + 1);
        }
        while pos < bytes.len() && is_ws(bytes[pos]) {
            pos += 1;
        }
        if bytes.get(pos) != Some(&b':') {
            return Err(self.fail(
                ParseErrorKind::Syntax("expected `:` after the member name"),
                pos,
            ));
        }
        pos += 1;
        while pos < bytes.len() && is_ws(bytes[pos]) {
            pos += 1;
        }
        Ok(pos)
    }

    /// A broken member name: the error path ends at the object, not at its previous member.
    #[cold]
    fn forget_key(&mut self) {
        if let Some(top) = self.stack.last_mut() {
            top.items = 0;
        }
    }

    #[cold]
    fn fail(&mut self, kind: ParseErrorKind, offset: usize) -> Stopped {
        self.failure = Some((kind, offset));
        Stopped
    }

    fn close(&mut self, end: usize) {
        if let Some(open) = self.stack.pop() {
            let after = self.nodes.len() as u32;
            if let Some(node) = self.nodes.get_mut(open.node as usize) {
                node.end = end as u32;
                node.aux = after;
            }
        }
    }

    /// Parses the string starting with the quote at `start`; returns the offset past it.
    ///
    /// Inlined into the parser loop: almost every string is plain ASCII ended by its quote,
    /// so the scan and the node push are all that runs; anything else (escapes, non-ASCII,
    /// control bytes, the end of the input) goes to [`Tape::string_general`], which starts
    /// over from the opening quote.
    #[inline(always)]
    fn string(&mut self, bytes: &[u8], start: usize, kind: Kind) -> Result<usize, Stopped> {
        let pos = self.specials.plain_end(bytes, start + 1);
        if bytes.get(pos) == Some(&b'"') {
            self.nodes.push(Node {
                start: start as u32,
                end: pos as u32 + 1,
                aux: 0,
                len: 0,
                kind,
                flags: 0,
            });
            return Ok(pos + 1);
        }
        self.string_general(bytes, start, kind)
    }

    /// [`Tape::string`] for any string: unescapes, checks UTF-8 and reports errors.
    #[inline(never)]
    fn string_general(&mut self, bytes: &[u8], start: usize, kind: Kind) -> Result<usize, Stopped> {
        let len = bytes.len();
        let mut pos = start + 1;
        let mut flags = 0u8;
        // Offset in `self.strings` once the first escape has been seen.
        let mut unescaped: Option<usize> = None;
        let mut copied_to = pos;
        loop {
            // Fast path: plain ASCII, sixteen bytes at a time; the first special byte's position
            // comes straight from the mask.
            let mut found = false;
            while pos + 16 <= len {
                let mut pair = [0u8; 16];
                pair.copy_from_slice(&bytes[pos..pos + 16]);
                let low = u64::from_le_bytes([
                    pair[0], pair[1], pair[2], pair[3], pair[4], pair[5], pair[6], pair[7],
                ]);
                let high = u64::from_le_bytes([
                    pair[8], pair[9], pair[10], pair[11], pair[12], pair[13], pair[14], pair[15],
                ]);
                let low_mask = special_mask(low);
                if low_mask != 0 {
                    pos += (low_mask.trailing_zeros() / 8) as usize;
                    found = true;
                    break;
                }
                let high_mask = special_mask(high);
                if high_mask != 0 {
                    pos += 8 + (high_mask.trailing_zeros() / 8) as usize;
                    found = true;
                    break;
                }
                pos += 16;
            }
            while !found && pos + 8 <= len {
                let mut word = [0u8; 8];
                word.copy_from_slice(&bytes[pos..pos + 8]);
                let mask = special_mask(u64::from_le_bytes(word));
                if mask == 0 {
                    pos += 8;
                } else {
                    pos += (mask.trailing_zeros() / 8) as usize;
                    break;
                }
            }
            let Some(&byte) = bytes.get(pos) else {
                return Err(self.fail(ParseErrorKind::Syntax("unterminated string"), start));
            };
            match byte {
                b'"' => {
                    let (aux, text_len) = match unescaped {
                        Some(offset) => {
                            self.strings.extend_from_slice(&bytes[copied_to..pos]);
                            flags |= ESCAPED;
                            (offset as u32, (self.strings.len() - offset) as u32)
                        }
                        None => (0, 0),
                    };
                    pos += 1;
                    self.nodes.push(Node {
                        start: start as u32,
                        end: pos as u32,
                        aux,
                        len: text_len,
                        kind,
                        flags,
                    });
                    return Ok(pos);
                }
                b'\\' => {
                    unescaped.get_or_insert(self.strings.len());
                    self.strings.extend_from_slice(&bytes[copied_to..pos]);
                    let escape = bytes.get(pos + 1).copied();
                    let simple = match escape {
                        Some(b'"') => Some(b'"'),
                        Some(b'\\') => Some(b'\\'),
                        Some(b'/') => Some(b'/'),
                        Some(b'b') => Some(0x08),
                        Some(b'f') => Some(0x0C),
                        Some(b'n') => Some(b'\n'),
                        Some(b'r') => Some(b'\r'),
                        Some(b't') => Some(b'\t'),
                        _ => None,
                    };
                    if let Some(out) = simple {
                        self.strings.push(out);
                        pos += 2;
                    } else if escape == Some(b'u') {
                        let Some(code) = hex4(bytes, pos + 2) else {
                            return Err(
                                self.fail(ParseErrorKind::Syntax("invalid \\u escape"), pos)
                            );
                        };
                        pos += 6;
                        if (0xD800..0xDC00).contains(&code) {
                            let low = if bytes.get(pos..pos + 2) == Some(b"\\u") {
                                hex4(bytes, pos + 2).filter(|low| (0xDC00..0xE000).contains(low))
                            } else {
                                None
                            };
                            match low {
                                Some(low) => {
                                    pos += 6;
                                    push_char(
                                        &mut self.strings,
                                        0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00),
                                    );
                                }
                                None => {
                                    flags |= BAD_TEXT;
                                    push_char(&mut self.strings, 0xFFFD);
                                }
                            }
                        } else if (0xDC00..0xE000).contains(&code) {
                            flags |= BAD_TEXT;
                            push_char(&mut self.strings, 0xFFFD);
                        } else {
                            push_char(&mut self.strings, code);
                        }
                    } else {
                        return Err(
                            self.fail(ParseErrorKind::Syntax("invalid escape in string"), pos)
                        );
                    }
                    copied_to = pos;
                }
                0x00..=0x1F => {
                    return Err(self.fail(
                        ParseErrorKind::Syntax("control character in string (must be escaped)"),
                        pos,
                    ));
                }
                0x80..=0xFF => match utf8_sequence(&bytes[pos..]) {
                    Some(width) => pos += width,
                    None => {
                        flags |= BAD_TEXT;
                        pos += 1;
                    }
                },
                _ => pos += 1,
            }
        }
    }
}

/// The end of the number starting at `start`, or `None` when it is not a JSON number.
fn number_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut pos = start;
    let digit = |pos: usize| bytes.get(pos).is_some_and(u8::is_ascii_digit);
    if bytes.get(pos) == Some(&b'-') {
        pos += 1;
    }
    match bytes.get(pos) {
        Some(b'0') => pos += 1,
        Some(b'1'..=b'9') => {
            while digit(pos) {
                pos += 1;
            }
        }
        _ => return None,
    }
    if bytes.get(pos) == Some(&b'.') {
        pos += 1;
        if !digit(pos) {
            return None;
        }
        while digit(pos) {
            pos += 1;
        }
    }
    if matches!(bytes.get(pos), Some(b'e' | b'E')) {
        pos += 1;
        if matches!(bytes.get(pos), Some(b'+' | b'-')) {
            pos += 1;
        }
        if !digit(pos) {
            return None;
        }
        while digit(pos) {
            pos += 1;
        }
    }
    Some(pos)
}

/// Iterator over an object's members.
pub struct Members<'a> {
    tape: &'a Tape,
    at: usize,
    end: usize,
}

impl Iterator for Members<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        if self.at >= self.end {
            return None;
        }
        let key = self.at;
        let value = key + 1;
        self.at = self.tape.next(value);
        Some((key, value))
    }
}

/// Iterator over an array's items.
pub struct Items<'a> {
    tape: &'a Tape,
    at: usize,
    end: usize,
}

impl Iterator for Items<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.at >= self.end {
            return None;
        }
        let item = self.at;
        self.at = self.tape.next(item);
        Some(item)
    }
}

/// An integer read from a JSON number, with JSON Schema semantics (`12.0` and `1.2e1` are
/// integers, `-0` is zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Integer {
    /// The value.
    Value { negative: bool, magnitude: u64 },
    /// Not an integer (`12.5`).
    Fraction,
    /// An integer beyond 64 bits (`1e400`).
    TooLarge,
}

/// Reads a JSON number's text as an integer without allocating and without panicking on
/// any length of digits or exponent.
pub fn integer(text: &[u8]) -> Integer {
    // Fast path: a plain non-negative integer of at most 19 digits (every duration).
    if !text.is_empty() && text.len() <= 19 && text.iter().all(u8::is_ascii_digit) {
        let magnitude = text
            .iter()
            .fold(0u64, |value, digit| value * 10 + u64::from(digit - b'0'));
        return Integer::Value {
            negative: false,
            magnitude,
        };
    }
    let (negative, rest) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let int_len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let int_digits = &rest[..int_len];
    let mut after = &rest[int_len..];
    let mut frac_digits: &[u8] = &[];
    if let Some((b'.', tail)) = after.split_first() {
        let frac_len = tail.iter().take_while(|b| b.is_ascii_digit()).count();
        frac_digits = &tail[..frac_len];
        after = &tail[frac_len..];
    }
    let mut exponent: i64 = 0;
    if let Some((b'e' | b'E', tail)) = after.split_first() {
        let (exp_negative, digits) = match tail.split_first() {
            Some((b'-', digits)) => (true, digits),
            Some((b'+', digits)) => (false, digits),
            _ => (false, tail),
        };
        for &digit in digits {
            // Saturate: an exponent beyond a billion is as out of range as any other.
            exponent = (exponent * 10 + i64::from(digit - b'0')).min(1_000_000_000);
        }
        if exp_negative {
            exponent = -exponent;
        }
    }
    let total = int_digits.len() + frac_digits.len();
    let digit_at = |index: usize| -> u8 {
        if index < int_digits.len() {
            int_digits[index] - b'0'
        } else {
            frac_digits
                .get(index - int_digits.len())
                .map_or(0, |d| d - b'0')
        }
    };
    let leading = (0..total).take_while(|&i| digit_at(i) == 0).count();
    if leading == total {
        return Integer::Value {
            negative,
            magnitude: 0,
        };
    }
    let trailing = (0..total).rev().take_while(|&i| digit_at(i) == 0).count();
    let significant = total - leading - trailing;
    // value = significant digits * 10^scale
    let scale = exponent - frac_digits.len() as i64 + trailing as i64;
    if scale < 0 {
        return Integer::Fraction;
    }
    if significant as i64 + scale > 20 {
        return Integer::TooLarge;
    }
    let mut value: u128 = 0;
    for index in leading..leading + significant {
        value = value * 10 + u128::from(digit_at(index));
    }
    for _ in 0..scale {
        value *= 10;
    }
    match u64::try_from(value) {
        Ok(magnitude) => Integer::Value {
            negative,
            magnitude,
        },
        Err(_) => Integer::TooLarge,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(
            integer(b"12"),
            Integer::Value {
                negative: false,
                magnitude: 12
            }
        );
        assert_eq!(
            integer(b"12.0"),
            Integer::Value {
                negative: false,
                magnitude: 12
            }
        );
        assert_eq!(
            integer(b"1.2e1"),
            Integer::Value {
                negative: false,
                magnitude: 12
            }
        );
        assert_eq!(
            integer(b"-0"),
            Integer::Value {
                negative: true,
                magnitude: 0
            }
        );
        assert_eq!(integer(b"12.5"), Integer::Fraction);
        assert_eq!(integer(b"1e400"), Integer::TooLarge);
        assert_eq!(integer(b"1e-400"), Integer::Fraction);
        assert_eq!(
            integer(b"120e-1"),
            Integer::Value {
                negative: false,
                magnitude: 12
            }
        );
    }

    #[test]
    fn tape_shapes() {
        let mut tape = Tape::default();
        tape.parse(br#"{"a": [1, "x\n", {"b": null}], "c": true}"#)
            .unwrap();
        let members: Vec<_> = tape.members(0).collect();
        assert_eq!(members.len(), 2);
        assert_eq!(tape.items(members[0].1).count(), 3);
        assert!(tape.parse(b"[1,]").is_err());
        assert!(tape.parse(b"{\"a\":1,}").is_err());
        assert!(tape.parse(b"01").is_err());
        assert!(tape.parse(b"\"\\ud800\"").is_ok());
        assert_eq!(tape.nodes[0].flags & BAD_TEXT, BAD_TEXT);
    }

    #[test]
    fn a_nodes_text_length_is_its_texts() {
        let json = br#"{"a":"","\u0065id":"x\"y","date":"d\u00e9j\u00e0","k\\":["\ud83d\ude00"]}"#;
        let mut tape = Tape::default();
        assert!(tape.parse(json).is_ok());
        let strings: Vec<&Node> = tape
            .nodes
            .iter()
            .filter(|node| matches!(node.kind, Kind::Key | Kind::Str))
            .collect();
        assert_eq!(strings.len(), 8);
        for node in strings {
            assert_eq!(node.text_len(), tape.text(json, node).len(), "{node:?}");
        }
    }

    /// A JSON value to write with chosen whitespace.
    #[derive(Debug, Clone)]
    enum Tree {
        Leaf(&'static str),
        Array(Vec<Tree>),
        Object(Vec<(&'static str, Tree)>),
    }

    fn tree() -> impl proptest::strategy::Strategy<Value = Tree> {
        use proptest::prelude::*;
        let leaf = proptest::sample::select(vec![
            "1", "-2.5e3", "true", "false", "null", "\"\"", "\"x\"", "\"a:b\"", "\"\\n\"",
        ])
        .prop_map(Tree::Leaf);
        leaf.prop_recursive(4, 24, 4, |inner| {
            let key = proptest::sample::select(vec!["\"a\"", "\"b\"", "\"\"", "\"k\\u0041\""]);
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Tree::Array),
                proptest::collection::vec((key, inner), 0..4).prop_map(Tree::Object),
            ]
        })
    }

    /// `tree` written with the whitespace `spaces` hands out in turn at every place JSON
    /// allows it (none when it runs dry).
    fn write(tree: &Tree, spaces: &mut dyn Iterator<Item = &'static str>, out: &mut String) {
        fn space(spaces: &mut dyn Iterator<Item = &'static str>, out: &mut String) {
            out.push_str(spaces.next().unwrap_or(""));
        }
        match tree {
            Tree::Leaf(text) => out.push_str(text),
            Tree::Array(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    space(spaces, out);
                    write(item, spaces, out);
                    space(spaces, out);
                }
                out.push(']');
            }
            Tree::Object(members) => {
                out.push('{');
                for (index, (key, value)) in members.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    space(spaces, out);
                    out.push_str(key);
                    space(spaces, out);
                    out.push(':');
                    space(spaces, out);
                    write(value, spaces, out);
                    space(spaces, out);
                }
                out.push('}');
            }
        }
    }

    /// What a tape says of its input: each node's kind, text as written and subtree end.
    fn shape(tape: &Tape, bytes: &[u8]) -> Vec<(Kind, Vec<u8>, usize)> {
        (0..tape.nodes.len())
            .map(|index| {
                let node = &tape.nodes[index];
                let text = match node.kind {
                    Kind::Object | Kind::Array => Vec::new(),
                    _ => bytes[node.start as usize..node.end as usize].to_vec(),
                };
                (node.kind, text, tape.next(index) - index)
            })
            .collect()
    }

    proptest::proptest! {
        /// Whitespace anywhere JSON allows it, around a member's colon too (where compact JSON
        /// takes a shortcut), changes no node; cut short anywhere, the text is invalid as
        /// serde_json says, with the same error with or without that whitespace elsewhere.
        #[test]
        fn whitespace_changes_no_node(
            value in tree(),
            spaces in proptest::collection::vec(
                proptest::sample::select(vec!["", "", "", " ", "\t", "\n ", "\r\n"]),
                0..40,
            ),
            cut in 0usize..200,
        ) {
            let mut compact = String::new();
            write(&value, &mut std::iter::empty(), &mut compact);
            let mut spaced = String::new();
            write(&value, &mut spaces.into_iter(), &mut spaced);
            let mut tape = Tape::default();
            proptest::prop_assert!(tape.parse(compact.as_bytes()).is_ok());
            let expected = shape(&tape, compact.as_bytes());
            proptest::prop_assert!(tape.parse(spaced.as_bytes()).is_ok());
            proptest::prop_assert_eq!(shape(&tape, spaced.as_bytes()), expected);
            for text in [&compact, &spaced] {
                let short = &text.as_bytes()[..cut.min(text.len())];
                let valid = serde_json::from_slice::<serde::de::IgnoredAny>(short).is_ok();
                proptest::prop_assert_eq!(tape.parse(short).is_ok(), valid);
            }
        }
    }
}
