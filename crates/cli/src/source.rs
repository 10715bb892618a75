//! Source lines for the human report's snippets, in bounded memory.
//!
//! The validator streams findings without the record's text, so the human renderer asks a
//! [`SourceLines`] for the line a finding points at:
//!
//! * a regular file is opened a second time, lazily (only when a finding needs a snippet), and
//!   read forward; findings arrive in input order, so the whole file is read at most once more;
//! * standard input cannot be read twice, so [`tee`] keeps a window of the most recent lines
//!   as the validator reads them (sized by [`window_bytes`] to cover what the validator reads
//!   ahead); a finding whose line has already left the window is shown without a snippet;
//! * gzip input (by its magic number) gets no snippets.
//!
//! Lines are kept up to [`LINE_CAP`] bytes; a finding further right on a longer line has no
//! snippet. [`excerpt`] then cuts a narrow window around the finding's column, masks personal
//! values and finds the extent of the offending JSON value for the caret.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// The most bytes of one line kept for a snippet.
pub const LINE_CAP: usize = 1 << 20;
/// The most bytes of standard input ever kept for snippets.
pub const MAX_WINDOW_BYTES: usize = 24 << 20;

/// The window of standard input to keep for snippets with `jobs` validator threads: the
/// validator reads NDJSON ahead in 2 MiB chunks, up to `2 * jobs + 2` of them, before their
/// findings arrive. Capped at [`MAX_WINDOW_BYTES`] (enough for 4 threads); beyond, findings far
/// behind the reader are shown without a snippet.
pub fn window_bytes(jobs: usize) -> usize {
    jobs.saturating_mul(2)
        .saturating_add(4)
        .saturating_mul(2 << 20)
        .min(MAX_WINDOW_BYTES)
}
/// The widest snippet, in characters; longer lines are cut around the finding.
pub const SNIPPET_WIDTH: usize = 100;
/// Characters of context kept left of the finding when a line is cut.
const LEFT_CONTEXT: usize = 32;

/// Where snippets come from.
pub trait SourceLines {
    /// The bytes of a 1-based line, without its line end, possibly truncated to [`LINE_CAP`].
    fn line(&mut self, line: u64) -> Option<&[u8]>;
}

/// No snippets.
#[derive(Debug, Default)]
pub struct NoSource;

impl SourceLines for NoSource {
    fn line(&mut self, _line: u64) -> Option<&[u8]> {
        None
    }
}

/// Lines of an in-memory text (the renderers' tests).
#[cfg(test)]
#[derive(Debug)]
pub struct TextSource {
    lines: Vec<Vec<u8>>,
}

#[cfg(test)]
impl TextSource {
    /// The lines of `text`.
    pub fn new(text: &str) -> TextSource {
        TextSource {
            lines: text
                .split('\n')
                .map(|line| strip_cr(line.as_bytes()).to_vec())
                .collect(),
        }
    }
}

#[cfg(test)]
impl SourceLines for TextSource {
    fn line(&mut self, line: u64) -> Option<&[u8]> {
        let index = usize::try_from(line.checked_sub(1)?).ok()?;
        self.lines.get(index).map(Vec::as_slice)
    }
}

/// A regular file, re-read forward on demand.
#[derive(Debug)]
pub struct FileSource {
    path: PathBuf,
    reader: Option<BufReader<File>>,
    /// The number of the line the reader is at the start of.
    next_line: u64,
    cached: Option<(u64, Vec<u8>)>,
    disabled: bool,
}

impl FileSource {
    /// Snippets from the file at `path` (opened only when a snippet is needed).
    pub fn new(path: PathBuf) -> FileSource {
        FileSource {
            path,
            reader: None,
            next_line: 1,
            cached: None,
            disabled: false,
        }
    }

    fn read_line(&mut self, wanted: u64) -> io::Result<Option<Vec<u8>>> {
        if self.reader.is_none() || wanted < self.next_line {
            let mut reader = BufReader::with_capacity(64 * 1024, File::open(&self.path)?);
            if reader.fill_buf()?.starts_with(&[0x1f, 0x8b]) {
                self.disabled = true;
                return Ok(None);
            }
            self.reader = Some(reader);
            self.next_line = 1;
        }
        let Some(reader) = self.reader.as_mut() else {
            return Ok(None);
        };
        while self.next_line < wanted {
            if reader.skip_until(b'\n')? == 0 {
                return Ok(None);
            }
            self.next_line += 1;
        }
        let mut line = Vec::new();
        let mut found_any = false;
        loop {
            let buf = reader.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            found_any = true;
            let (chunk, used, done) = match buf.iter().position(|&b| b == b'\n') {
                Some(end) => (&buf[..end], end + 1, true),
                None => (buf, buf.len(), false),
            };
            let room = LINE_CAP.saturating_sub(line.len());
            line.extend_from_slice(&chunk[..chunk.len().min(room)]);
            reader.consume(used);
            if done {
                break;
            }
        }
        if !found_any {
            return Ok(None);
        }
        self.next_line += 1;
        let end = strip_cr(&line).len();
        line.truncate(end);
        Ok(Some(line))
    }
}

impl SourceLines for FileSource {
    fn line(&mut self, line: u64) -> Option<&[u8]> {
        if self
            .cached
            .as_ref()
            .is_some_and(|(number, _)| *number == line)
        {
            return self.cached.as_ref().map(|(_, bytes)| bytes.as_slice());
        }
        if self.disabled {
            return None;
        }
        match self.read_line(line) {
            Ok(Some(bytes)) => {
                self.cached = Some((line, bytes));
                self.cached.as_ref().map(|(_, bytes)| bytes.as_slice())
            }
            Ok(None) => None,
            Err(_) => {
                self.disabled = true;
                None
            }
        }
    }
}

/// The recent lines of a stream, filled by a [`TeeReader`].
#[derive(Debug, Default)]
struct Window {
    limit: usize,
    lines: VecDeque<(u64, Vec<u8>)>,
    bytes: usize,
    current: Vec<u8>,
    current_number: u64,
    started: bool,
    gzip: bool,
}

impl Window {
    fn feed(&mut self, mut data: &[u8]) {
        if !self.started && !data.is_empty() {
            self.started = true;
            self.current_number = 1;
            self.gzip = data.starts_with(&[0x1f, 0x8b]);
        }
        if self.gzip {
            return;
        }
        while !data.is_empty() {
            let (chunk, rest, done) = match data.iter().position(|&b| b == b'\n') {
                Some(end) => (&data[..end], &data[end + 1..], true),
                None => (data, &data[data.len()..], false),
            };
            let room = LINE_CAP.saturating_sub(self.current.len());
            self.current
                .extend_from_slice(&chunk[..chunk.len().min(room)]);
            if done {
                let mut line = std::mem::take(&mut self.current);
                let end = strip_cr(&line).len();
                line.truncate(end);
                self.bytes += line.len() + 32;
                self.lines.push_back((self.current_number, line));
                self.current_number += 1;
                while self.bytes > self.limit {
                    match self.lines.pop_front() {
                        Some((_, old)) => self.bytes -= old.len() + 32,
                        None => break,
                    }
                }
            }
            data = rest;
        }
    }

    fn get(&self, number: u64) -> Option<&[u8]> {
        if number == self.current_number && !self.current.is_empty() {
            return Some(strip_cr(&self.current));
        }
        let first = self.lines.front()?.0;
        let index = usize::try_from(number.checked_sub(first)?).ok()?;
        self.lines.get(index).map(|(_, line)| line.as_slice())
    }
}

/// A reader that records what passes through it into a shared [`Window`].
#[derive(Debug)]
pub struct TeeReader<R> {
    inner: R,
    window: Arc<Mutex<Window>>,
}

impl<R: Read> Read for TeeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.window
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .feed(&buf[..read]);
        Ok(read)
    }
}

/// Snippets from the window a [`TeeReader`] fills.
#[derive(Debug)]
pub struct WindowSource {
    window: Arc<Mutex<Window>>,
    cached: Option<(u64, Vec<u8>)>,
}

impl SourceLines for WindowSource {
    fn line(&mut self, line: u64) -> Option<&[u8]> {
        if self
            .cached
            .as_ref()
            .is_none_or(|(number, _)| *number != line)
        {
            let window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
            let bytes = window.get(line)?.to_vec();
            drop(window);
            self.cached = Some((line, bytes));
        }
        self.cached.as_ref().map(|(_, bytes)| bytes.as_slice())
    }
}

/// Wraps a stream so that its recent lines, up to about `limit` bytes, can be shown in
/// snippets.
pub fn tee<R: Read>(inner: R, limit: usize) -> (TeeReader<R>, WindowSource) {
    let window = Arc::new(Mutex::new(Window {
        limit,
        ..Window::default()
    }));
    (
        TeeReader {
            inner,
            window: Arc::clone(&window),
        },
        WindowSource {
            window,
            cached: None,
        },
    )
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A piece of a source line ready for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    /// The text shown (control characters replaced, personal values masked, cut to width).
    pub text: String,
    /// The byte range of the offending value in `text` (empty at the end of the line).
    pub span: Range<usize>,
}

/// Cuts the text around 1-based `column` (in characters) out of a line, masking the values of
/// `personal` members unless `show_values`. `None` when the column is beyond the kept text.
pub fn excerpt(line: &[u8], column: u64, personal: &[&str], show_values: bool) -> Option<Excerpt> {
    let text = String::from_utf8_lossy(line);
    let mut chars: Vec<char> = text
        .strip_prefix('\u{feff}')
        .unwrap_or(&text)
        .chars()
        .map(|ch| {
            if ch.is_control() && ch != '\t' {
                '\u{fffd}'
            } else {
                ch
            }
        })
        .collect();
    let at = usize::try_from(column.checked_sub(1)?).ok()?;
    if at > chars.len() || (at == chars.len() && line.len() >= LINE_CAP) {
        return None;
    }
    if !show_values {
        mask_personal(&mut chars, personal);
    }
    let end = value_end(&chars, at);
    let (from, to) = if chars.len() <= SNIPPET_WIDTH {
        (0, chars.len())
    } else {
        let from = at
            .saturating_sub(LEFT_CONTEXT)
            .min(chars.len().saturating_sub(SNIPPET_WIDTH));
        (from, (from + SNIPPET_WIDTH).min(chars.len()))
    };
    let mut out = String::new();
    if from > 0 {
        out.push_str("...");
    }
    let start_byte = out.len()
        + chars[from..at]
            .iter()
            .map(|ch| ch.len_utf8())
            .sum::<usize>();
    let shown_end = end.min(to).max(at);
    let end_byte = start_byte
        + chars[at..shown_end]
            .iter()
            .map(|ch| ch.len_utf8())
            .sum::<usize>();
    out.extend(&chars[from..to]);
    if to < chars.len() {
        out.push_str("...");
    }
    Some(Excerpt {
        text: out,
        span: start_byte..end_byte,
    })
}

/// The index one past the JSON value starting at `at` (at least one character). An object is
/// marked by its `{` alone: findings of a missing member point there, and the whole record
/// would be a line of carets.
fn value_end(chars: &[char], at: usize) -> usize {
    let Some(&first) = chars.get(at) else {
        return at;
    };
    match first {
        '"' => string_end(chars, at).unwrap_or(at + 1),
        '{' => at + 1,
        '[' => {
            let mut depth = 0usize;
            let mut index = at;
            while index < chars.len() {
                match chars[index] {
                    '"' => match string_end(chars, index) {
                        Some(end) => {
                            index = end;
                            continue;
                        }
                        None => return at + 1,
                    },
                    '{' | '[' => depth += 1,
                    '}' | ']' => {
                        depth -= 1;
                        if depth == 0 {
                            return index + 1;
                        }
                    }
                    _ => {}
                }
                index += 1;
            }
            at + 1
        }
        _ => {
            let mut index = at + 1;
            while index < chars.len() && !matches!(chars[index], ',' | ']' | '}' | ' ' | '\t' | ':')
            {
                index += 1;
            }
            index
        }
    }
}

/// The index one past the string starting with the quote at `at`.
fn string_end(chars: &[char], at: usize) -> Option<usize> {
    let mut index = at + 1;
    while index < chars.len() {
        match chars[index] {
            '\\' => index += 2,
            '"' => return Some(index + 1),
            _ => index += 1,
        }
    }
    None
}

/// Replaces the characters of string values of `personal` members with `*` (same length, so
/// that columns stay true).
fn mask_personal(chars: &mut [char], personal: &[&str]) {
    let mut index = 0;
    let mut personal_key = false;
    let mut expect_value = false;
    while index < chars.len() {
        match chars[index] {
            '"' => {
                let end = string_end(chars, index).unwrap_or(chars.len());
                let mut after = end;
                while after < chars.len() && chars[after].is_whitespace() {
                    after += 1;
                }
                if chars.get(after) == Some(&':') {
                    let key: String = chars[index + 1..end.saturating_sub(1).max(index + 1)]
                        .iter()
                        .collect();
                    personal_key = personal.contains(&key.as_str());
                    expect_value = true;
                    index = after + 1;
                    continue;
                }
                if expect_value && personal_key {
                    let inner_end = if end > index + 1 && chars[end - 1] == '"' {
                        end - 1
                    } else {
                        end
                    };
                    for ch in &mut chars[index + 1..inner_end] {
                        *ch = '*';
                    }
                }
                expect_value = false;
                index = end;
                continue;
            }
            ch if ch.is_whitespace() => {}
            _ => expect_value = false,
        }
        index += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_marks_the_whole_value() {
        let line = br#"{"_id": "a", "status": "Closed", "duration": -5, "x": {"a": [1]}}"#;
        let show = |column| {
            let excerpt = excerpt(line, column, &[], false).unwrap();
            excerpt.text[excerpt.span].to_owned()
        };
        assert_eq!(show(24), r#""Closed""#);
        assert_eq!(show(46), "-5");
        assert_eq!(show(55), "{");
        assert_eq!(show(61), "[1]");
        assert_eq!(show(1), "{");
    }

    #[test]
    fn excerpt_masks_personal_values_only_when_asked() {
        let line = br#"{"ip": "203.0.113.9", "name" : "Ann", "status": "x"}"#;
        let masked = excerpt(line, 1, &["ip", "name"], false).unwrap();
        assert_eq!(
            masked.text,
            r#"{"ip": "***********", "name" : "***", "status": "x"}"#
        );
        let shown = excerpt(line, 1, &["ip", "name"], true).unwrap();
        assert_eq!(shown.text.as_bytes(), line);
    }

    #[test]
    fn excerpt_cuts_long_lines_around_the_column() {
        let mut line = "x".repeat(5000);
        line.push_str(r#""bad""#);
        line.push_str(&"y".repeat(5000));
        let excerpt = excerpt(line.as_bytes(), 5001, &[], false).unwrap();
        assert!(excerpt.text.starts_with("...") && excerpt.text.ends_with("..."));
        assert_eq!(&excerpt.text[excerpt.span.clone()], r#""bad""#);
        assert!(excerpt.text.chars().count() <= SNIPPET_WIDTH + 6);
    }

    #[test]
    fn excerpt_handles_end_of_line_and_multibyte_text() {
        let excerpt_end = excerpt("{\"a\": \"é\"".as_bytes(), 10, &[], false).unwrap();
        assert_eq!(
            excerpt_end.span,
            excerpt_end.text.len()..excerpt_end.text.len()
        );
        let accented = excerpt("{\"é\": tru".as_bytes(), 7, &[], false).unwrap();
        assert_eq!(&accented.text[accented.span], "tru");
        assert!(excerpt(b"{}", 4, &[], false).is_none());
    }

    #[test]
    fn file_source_reads_forward_and_back() {
        let path =
            std::env::temp_dir().join(format!("enquiry-cli-source-{}.ndjson", std::process::id()));
        std::fs::write(&path, "one\r\ntwo\nthree").unwrap();
        let mut source = FileSource::new(path.clone());
        assert_eq!(source.line(2), Some(&b"two"[..]));
        assert_eq!(source.line(3), Some(&b"three"[..]));
        assert_eq!(source.line(1), Some(&b"one"[..]));
        assert_eq!(source.line(4), None);
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn tee_window_keeps_recent_lines() {
        let (mut reader, mut source) = tee(&b"a\nb\r\nc"[..], 1024);
        let mut sink = Vec::new();
        reader.read_to_end(&mut sink).unwrap();
        assert_eq!(source.line(1), Some(&b"a"[..]));
        assert_eq!(source.line(2), Some(&b"b"[..]));
        assert_eq!(source.line(3), Some(&b"c"[..]));
        assert_eq!(source.line(4), None);
        let text: String = (1..=100).map(|n| format!("line {n}\n")).collect();
        let (mut reader, mut source) = tee(text.as_bytes(), 400);
        reader.read_to_end(&mut sink).unwrap();
        assert_eq!(source.line(1), None, "the oldest lines leave the window");
        assert_eq!(source.line(100), Some(&b"line 100"[..]));
        assert_eq!(window_bytes(1), 12 << 20);
        assert_eq!(window_bytes(64), MAX_WINDOW_BYTES);
    }
}
