//! Reading an input: gzip and BOM detection, fixed-size buffered reads with line/column
//! tracking, NDJSON chunking at line boundaries, and the record scanner that finds where a
//! value ends (with the workspace's one structural scanner, [`enquiry_schema::scan`]) so that
//! records can be cut out of one huge array or list response without holding more than one
//! record in memory.

use std::io::{self, Cursor, Read};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::Scope;

use enquiry_schema::scan::{Scan, Step};
use memchr::{memchr, memrchr};

/// How much is asked of the reader at a time.
pub(crate) const READ_SIZE: usize = 256 * 1024;
/// The target size of an NDJSON chunk handed to a worker.
pub(crate) const CHUNK_SIZE: usize = 2 * 1024 * 1024;

/// The number of characters (UTF-8 scalar values) in `bytes`: bytes that are not continuation
/// bytes.
#[inline]
pub(crate) fn count_chars(bytes: &[u8]) -> u64 {
    // A byte-wide count per block of 255 (it cannot overflow), which the compiler vectorises
    // sixteen or thirty-two bytes a step; a per-byte `u64` count does not vectorise well.
    bytes
        .chunks(255)
        .map(|block| {
            let starts = block
                .iter()
                .fold(0u8, |count, &byte| count + u8::from((byte as i8) >= -0x40));
            u64::from(starts)
        })
        .sum()
}

/// The number of characters `bytes` shows as text: invalid UTF-8 counts as the U+FFFD each
/// invalid sequence is shown as (a stray continuation byte is one), so columns match the
/// excerpt. Only for whole units: a slice cut inside a character would count it twice.
pub(crate) fn count_shown_chars(bytes: &[u8]) -> u64 {
    if bytes.is_ascii() {
        return bytes.len() as u64;
    }
    if std::str::from_utf8(bytes).is_ok() {
        return count_chars(bytes);
    }
    bytes
        .utf8_chunks()
        .map(|chunk| chunk.valid().chars().count() as u64 + u64::from(!chunk.invalid().is_empty()))
        .sum()
}

/// How an input is compressed, told by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    /// Plain text.
    None,
    /// gzip (RFC 1952), members concatenated or not.
    Gzip,
    /// Zstandard (RFC 8878) frames.
    Zstd,
}

impl Compression {
    /// The magic bytes of each compression; the longest is read from every input.
    const MAGIC: [(Compression, &'static [u8]); 2] = [
        (Compression::Gzip, &[0x1f, 0x8b]),
        (Compression::Zstd, &[0x28, 0xb5, 0x2f, 0xfd]),
    ];

    fn of(head: &[u8]) -> Compression {
        Self::MAGIC
            .iter()
            .find(|(_, magic)| head.starts_with(magic))
            .map_or(Compression::None, |&(compression, _)| compression)
    }

    /// The format's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "plain",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// An input held in memory, and how much of it has been read.
struct Memory<'r> {
    bytes: &'r [u8],
    /// The bytes not read yet, read as any slice is.
    rest: &'r [u8],
}

impl Memory<'_> {
    /// How many bytes have been read.
    fn taken(&self) -> usize {
        self.bytes.len() - self.rest.len()
    }
}

/// A buffered reader that knows the line and column of its next byte.
pub(crate) struct Source<'r> {
    reader: Box<dyn Read + Send + 'r>,
    /// The decompressing thread, when there is one (`reader` is then empty).
    ahead: Option<ReadAhead>,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    eof: bool,
    compression: Compression,
    /// 1-based line of `buf[pos]`.
    pub line: u64,
    /// An input held in memory, read from here (`reader` is then empty): its NDJSON lines
    /// can be checked where they are ([`Source::borrow_lines`]).
    memory: Option<Memory<'r>>,
    /// 1-based column of `buf[col_from]` (of `buf[pos]` without `col_from`): see
    /// [`Source::col`].
    col: u64,
    /// Where the characters not counted into `col` yet start: columns are counted when asked
    /// for, not for every byte consumed (most bytes are followed by a line break that makes
    /// their count moot). Only bytes still in the buffer at their offset.
    col_from: Option<usize>,
    /// Whether the last byte consumed was a CR (a following LF ends no further line).
    after_cr: bool,
    /// From this offset on, consumed bytes stay where they are in the buffer (items cut from
    /// it refer to them by offset) until they are handed over: reads append, they do not move
    /// bytes down.
    pinned: Option<usize>,
}

impl<'r> Source<'r> {
    /// Wraps `reader`, decompressing it when it starts with the gzip or zstd magic bytes. With
    /// `scope`, a compressed input is decompressed on a thread of its own in that scope, a few
    /// blocks ahead of the reading.
    pub fn new<'scope, R>(
        mut reader: R,
        scope: Option<&'scope Scope<'scope, '_>>,
    ) -> io::Result<Source<'r>>
    where
        R: Read + Send + 'r,
        'r: 'scope,
    {
        let mut magic = [0u8; 4];
        let mut got = 0;
        while got < magic.len() {
            match reader.read(&mut magic[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        let compression = Compression::of(&magic[..got]);
        let chained = Cursor::new(magic[..got].to_vec()).chain(reader);
        let decoded: Box<dyn Read + Send + 'r> = match compression {
            Compression::None => Box::new(chained),
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(chained)),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(chained)?),
        };
        let (reader, ahead): (Box<dyn Read + Send + 'r>, _) = match scope {
            Some(scope) if compression != Compression::None => (
                Box::new(io::empty()),
                Some(ReadAhead::spawn(scope, decoded)),
            ),
            _ => (decoded, None),
        };
        Ok(Source {
            reader,
            ahead,
            memory: None,
            buf: vec![0; READ_SIZE],
            pos: 0,
            end: 0,
            eof: false,
            compression,
            line: 1,
            col: 1,
            col_from: None,
            after_cr: false,
            pinned: None,
        })
    }

    /// Wraps an input held in memory. Uncompressed, it is read from the slice itself, and
    /// its NDJSON lines are checked where they are; compressed, it is read as [`Source::new`]
    /// reads any reader.
    pub fn in_memory<'scope>(
        bytes: &'r [u8],
        scope: Option<&'scope Scope<'scope, '_>>,
    ) -> io::Result<Source<'r>>
    where
        'r: 'scope,
    {
        if Compression::of(bytes) != Compression::None {
            return Source::new(bytes, scope);
        }
        let mut source = Source::new(io::empty(), None)?;
        source.memory = Some(Memory { bytes, rest: bytes });
        Ok(source)
    }

    /// The next lines of an input held in memory, from the next byte to the first line break
    /// at least `chunk` bytes on (or the end), consumed untracked as [`Chunker`] consumes
    /// them; `None` when the input is not held in memory, or has ended.
    pub fn borrow_lines(&mut self, chunk: usize) -> Option<&'r [u8]> {
        let memory = self.memory.as_mut()?;
        let bytes = memory.bytes;
        // The buffered bytes not consumed yet are the slice's just before `taken`.
        let start = memory.taken() - (self.end - self.pos);
        if start >= bytes.len() {
            return None;
        }
        let from = (start + chunk).min(bytes.len());
        let stop = memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |at| from + at + 1);
        memory.rest = &bytes[stop..];
        self.settle_col();
        self.pos = self.end;
        Some(&bytes[start..stop])
    }

    /// The 1-based column of the next byte.
    pub fn col(&self) -> u64 {
        match self.col_from {
            Some(from) => self.col + count_chars(&self.buf[from..self.pos]),
            None => self.col,
        }
    }

    /// Counts the characters not counted yet into the column: before the bytes they are in
    /// move, or before bytes are consumed without being counted.
    fn settle_col(&mut self) {
        self.col = self.col();
        self.col_from = None;
    }

    /// Whether a thread of its own decodes the input ahead of the reading.
    pub fn decodes_ahead(&self) -> bool {
        self.ahead.is_some()
    }

    /// How the input is compressed.
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// The buffered bytes not yet consumed.
    #[inline]
    pub fn available(&self) -> &[u8] {
        &self.buf[self.pos..self.end]
    }

    /// Reads more bytes, growing the buffer only if `want` more than it holds is needed.
    /// Returns false at the end of the input.
    pub fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        self.settle_col();
        if self.pos > 0 && self.pinned.is_none() {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.buf.len() - self.end < READ_SIZE / 2 {
            self.buf.resize(self.end + READ_SIZE, 0);
        } else if self.buf.len() > 4 * READ_SIZE && self.end < READ_SIZE && self.pinned.is_none() {
            // A look-ahead (a whole object up to the record size limit) grew the buffer and
            // has been consumed: give the memory back rather than hold it to the end.
            self.buf.truncate(2 * READ_SIZE);
            self.buf.shrink_to_fit();
        }
        let reader: &mut dyn Read = match (&mut self.ahead, &mut self.memory) {
            (Some(ahead), _) => ahead,
            (None, Some(memory)) => &mut memory.rest,
            (None, None) => &mut self.reader,
        };
        // Pinned, the bytes read past the last whole item are copied when the buffer is
        // handed over: at most one read's worth.
        let room = if self.pinned.is_some() {
            self.buf.len().min(self.end + READ_SIZE)
        } else {
            self.buf.len()
        };
        loop {
            match reader.read(&mut self.buf[self.end..room]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
    }

    /// Keeps consumed bytes in place from now on, unless already pinned (see
    /// [`Source::hand_over`]).
    pub fn pin(&mut self) {
        self.pinned.get_or_insert(self.pos);
    }

    /// Lets reads move unconsumed bytes down again, over the consumed ones.
    pub fn unpin(&mut self) {
        self.pinned = None;
    }

    /// How many bytes were consumed since the pinning (or the last hand-over).
    pub fn pinned_len(&self) -> usize {
        self.pinned.map_or(0, |from| self.pos - from)
    }

    /// The offset in the buffer of the next byte; bytes consumed while pinned stay at theirs.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// The buffered bytes at `range` (offsets as [`Source::offset`] gives them).
    pub fn buffered(&self, range: std::ops::Range<usize>) -> &[u8] {
        &self.buf[range]
    }

    /// Hands over the bytes consumed since the pinning, which stays on from the next byte, and
    /// returns them with the offset in them of the pinning. Mostly that is the buffer itself:
    /// the bytes not consumed yet (the start of the next item) are copied to the start of
    /// `fresh`, where reading goes on, so the items go to a worker without a copy. When those
    /// are more than the ones handed over (a look-ahead filled the buffer far ahead), the
    /// handed-over ones are copied into `fresh` instead.
    pub fn hand_over(&mut self, mut fresh: Vec<u8>) -> (Vec<u8>, usize) {
        self.settle_col();
        let from = self.pinned.unwrap_or(self.pos);
        let rest = self.end - self.pos;
        if rest > self.pos - from {
            fresh.clear();
            fresh.extend_from_slice(&self.buf[from..self.pos]);
            self.pinned = Some(self.pos);
            return (fresh, from);
        }
        // Room for a batch like this one, allocated at once: grown read by read, the buffer's
        // capacity would double past what is recycled, and a fresh one costs page faults.
        let want = rest + (self.pos - from).min(CHUNK_SIZE) + 2 * READ_SIZE;
        fresh.reserve_exact(want.saturating_sub(fresh.len()));
        // A recycled buffer keeps its length, so that reads into it zero nothing.
        if fresh.len() < rest + READ_SIZE {
            fresh.resize(rest + READ_SIZE, 0);
        }
        fresh[..rest].copy_from_slice(&self.buf[self.pos..self.end]);
        self.pos = 0;
        self.end = rest;
        self.pinned = Some(0);
        (std::mem::replace(&mut self.buf, fresh), 0)
    }

    /// Makes sure at least one byte is buffered, unless the input has ended.
    #[inline]
    pub fn peek(&mut self) -> io::Result<Option<u8>> {
        while self.pos == self.end {
            if !self.fill()? {
                return Ok(None);
            }
        }
        Ok(Some(self.buf[self.pos]))
    }

    /// Consumes `n` buffered bytes, keeping line and column.
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.end - self.pos);
        let slice = &self.buf[self.pos..self.pos + n];
        match crate::excerpt::line_breaks(slice, self.after_cr) {
            (breaks, Some(after)) => {
                self.line += breaks;
                self.col = 1;
                self.col_from = Some(self.pos + after);
            }
            (_, None) => {
                self.col_from.get_or_insert(self.pos);
            }
        }
        if let Some(&last) = slice.last() {
            self.after_cr = last == b'\r';
        }
        self.pos += n;
    }

    /// Moves buffered bytes, or else reads fresh ones straight from the reader, into `out`
    /// (NDJSON chunks: one copy fewer than going through the buffer), untracked. Returns how
    /// many; 0 at the end of the input (or for an empty `out`).
    pub fn read_into(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.settle_col();
        if self.pos < self.end {
            let n = out.len().min(self.end - self.pos);
            out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        if self.eof || out.is_empty() {
            return Ok(0);
        }
        let reader: &mut dyn Read = match (&mut self.ahead, &mut self.memory) {
            (Some(ahead), _) => ahead,
            (None, Some(memory)) => &mut memory.rest,
            (None, None) => &mut self.reader,
        };
        loop {
            match reader.read(out) {
                Ok(n) => {
                    self.eof = n == 0;
                    return Ok(n);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
    }

    /// The next block decoded ahead, when it holds whole lines and nothing before it is left
    /// unread: an NDJSON chunk as the decompressing thread wrote it (`spare` goes back to that
    /// thread). Otherwise `spare` comes back, and reading goes on as usual.
    pub fn whole_lines(&mut self, spare: Vec<u8>) -> io::Result<Result<Vec<u8>, Vec<u8>>> {
        match &mut self.ahead {
            Some(ahead) if self.pos == self.end && !self.eof => ahead.whole_lines(spare),
            _ => Ok(Err(spare)),
        }
    }

    /// Consumes `n` buffered bytes without tracking positions (NDJSON workers do that).
    #[inline]
    pub fn consume_untracked(&mut self, n: usize) {
        self.settle_col();
        self.pos += n.min(self.end - self.pos);
    }

    /// Skips a UTF-8 byte order mark; returns whether there was one.
    pub fn skip_bom(&mut self) -> io::Result<bool> {
        while self.available().len() < 3 && self.fill()? {}
        if self.available().starts_with(&[0xEF, 0xBB, 0xBF]) {
            // The BOM is not part of the text: columns start after it.
            self.settle_col();
            self.pos += 3;
            return Ok(true);
        }
        Ok(false)
    }

    /// How many of the buffered bytes are JSON whitespace before anything else, and whether
    /// that is all of them (the next block may hold more).
    pub fn leading_ws(&self) -> (usize, bool) {
        let avail = self.available();
        let ws = avail
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .count();
        (ws, ws == avail.len())
    }

    /// Skips JSON whitespace, tracking positions.
    pub fn skip_ws(&mut self) -> io::Result<()> {
        loop {
            let Some(_) = self.peek()? else { return Ok(()) };
            let (ws, all) = self.leading_ws();
            self.consume(ws);
            if !all {
                return Ok(());
            }
        }
    }

    /// The length of the value that starts at the next byte, when it ends within `limit`
    /// bytes: it is then buffered whole, not consumed. Counts brackets and strings only.
    pub fn buffered_value_len(&mut self, limit: usize) -> io::Result<Option<usize>> {
        let mut scan = Scan::default();
        let mut at = 0;
        loop {
            let avail = self.available();
            if let Step::Closed(end) = scan.run(&avail[at..], u64::MAX) {
                // A value over the limit is not whole-buffered, even when one read brought it
                // all: whether it is streamed must not depend on how the input was read.
                return Ok((at + end <= limit).then_some(at + end));
            }
            at = avail.len();
            if at > limit || !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Buffers the first line (up to `limit` bytes) and a view of the next one, without
    /// consuming them, and returns exactly that window: at most `limit` bytes, and at most
    /// [`NEXT_LINE_VIEW`] bytes after the first line break. The window does not depend on how
    /// the reader happened to split the input, so neither does the shape detected from it.
    pub fn peek_line(&mut self, limit: usize) -> io::Result<&[u8]> {
        let mut searched = 0;
        loop {
            let avail = self.available();
            if let Some(nl) = memchr(b'\n', &avail[searched..]) {
                let line_end = searched + nl;
                if avail.len() - line_end < NEXT_LINE_VIEW && !self.eof {
                    let before = self.available().len();
                    self.fill()?;
                    if self.available().len() > before {
                        continue;
                    }
                }
                break;
            }
            searched = avail.len();
            if avail.len() > limit || !self.fill()? {
                break;
            }
        }
        let avail = self.available();
        let mut len = avail.len().min(limit);
        if let Some(line_end) = memchr(b'\n', &avail[..len]) {
            len = len.min(line_end + NEXT_LINE_VIEW);
        }
        Ok(&avail[..len])
    }
}

/// How much of the input after the first line break shape detection looks at.
const NEXT_LINE_VIEW: usize = 4096;

/// The size of a block decoded ahead. A block that holds whole lines goes to an NDJSON worker
/// as its chunk, so this is also the chunk size of a compressed NDJSON input. Unit tests use
/// tiny blocks, so that their small inputs are cut into many.
const READ_AHEAD_BLOCK: usize = if cfg!(test) { 97 } else { 512 * 1024 };

/// Blocks decoded ahead, between the decompressing thread and the reading one: bounds the
/// memory of read-ahead to about this many [`READ_AHEAD_BLOCK`]s (the recycled ones are the
/// same blocks). 4 MiB: the decompressor, the bound on compressed input, goes on while the
/// reading thread waits for the workers' window.
const READ_AHEAD_BLOCKS: usize = 8;

/// A reader fed by a thread that reads (decompresses) `inner` a few blocks ahead, so that
/// decompression and validation run at once. The thread ends when the input does, or when
/// this reader is dropped (its next send fails).
///
/// Blocks go back to the thread once read, so it decodes into memory that is already
/// allocated and written: a fresh block each time costs the allocation, its zeroing and
/// its page faults, per byte of input.
struct ReadAhead {
    blocks: Receiver<io::Result<Vec<u8>>>,
    spare: SyncSender<Vec<u8>>,
    block: Vec<u8>,
    at: usize,
}

impl ReadAhead {
    fn spawn<'scope, R: Read + Send + 'scope>(
        scope: &'scope Scope<'scope, '_>,
        mut inner: R,
    ) -> ReadAhead {
        let (sender, blocks) = mpsc::sync_channel(READ_AHEAD_BLOCKS);
        let (spare, spares) = mpsc::sync_channel::<Vec<u8>>(READ_AHEAD_BLOCKS + 2);
        scope.spawn(move || {
            // The bytes after the last line break of a block, which start the next one.
            let mut carry = Vec::new();
            loop {
                let block = spares.try_recv().unwrap_or_default();
                let (block, failure) = decode_block(&mut inner, block, &mut carry);
                let last = block.is_empty() || failure.is_some();
                if (!block.is_empty() || failure.is_none()) && sender.send(Ok(block)).is_err() {
                    return;
                }
                // The bytes decoded before an error are delivered first.
                if let Some(err) = failure {
                    let _ = sender.send(Err(err));
                }
                if last {
                    return;
                }
            }
        });
        ReadAhead {
            blocks,
            spare,
            block: Vec::new(),
            at: 0,
        }
    }

    /// The next block when it holds whole lines (it ends with a line break) and nothing of the
    /// current one is left unread: it is then handed over as it is, an NDJSON chunk with no
    /// copy, and `spare` goes back to the decompressing thread. Otherwise `spare` comes back,
    /// and the block received (if any) is read as usual.
    fn whole_lines(&mut self, spare: Vec<u8>) -> io::Result<Result<Vec<u8>, Vec<u8>>> {
        if self.at < self.block.len() {
            return Ok(Err(spare));
        }
        match self.blocks.recv() {
            Ok(Ok(block)) if block.last() == Some(&b'\n') => {
                if spare.capacity() > 0 {
                    let _ = self.spare.try_send(spare);
                }
                Ok(Ok(block))
            }
            Ok(Ok(block)) => {
                let used = std::mem::replace(&mut self.block, block);
                self.at = 0;
                if used.capacity() > 0 {
                    let _ = self.spare.try_send(used);
                }
                Ok(Err(spare))
            }
            Ok(Err(err)) => Err(err),
            // The thread ended after the last block.
            Err(_) => Ok(Err(spare)),
        }
    }

    /// Makes the current block hold unread bytes, receiving the next one when it is used up;
    /// false at the end of the input.
    fn next_block(&mut self) -> io::Result<bool> {
        if self.at < self.block.len() {
            return Ok(true);
        }
        match self.blocks.recv() {
            Ok(Ok(block)) => {
                let used = std::mem::replace(&mut self.block, block);
                self.at = 0;
                if used.capacity() > 0 {
                    // The thread may have ended, or have spares enough: then it is freed.
                    let _ = self.spare.try_send(used);
                }
                Ok(!self.block.is_empty())
            }
            Ok(Err(err)) => Err(err),
            // The thread ended after the last block.
            Err(_) => Ok(false),
        }
    }
}

/// Reads into `block` until it is full, the input ends or a read fails: whole blocks mean
/// fewer hand-overs. Returns how many bytes were read, and the error that stopped it.
fn fill_block(inner: &mut impl Read, block: &mut [u8]) -> (usize, Option<io::Error>) {
    let mut got = 0;
    while got < block.len() {
        match inner.read(&mut block[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return (got, Some(err)),
        }
    }
    (got, None)
}

/// Decodes the next block into `block` (a recycled one keeps its length, so only a fresh one
/// is zeroed): the `carry` first, then as much of `inner` as fits. Unless the input ended or
/// failed, the bytes after the block's last line break are cut off into `carry` again, so that
/// every block but the last holds whole lines (a line longer than a block cannot: that block
/// goes whole). Returns the block, empty at the end, and the error that stopped the reading.
fn decode_block(
    inner: &mut impl Read,
    mut block: Vec<u8>,
    carry: &mut Vec<u8>,
) -> (Vec<u8>, Option<io::Error>) {
    let start = carry.len();
    block.resize(READ_AHEAD_BLOCK.max(start + READ_AHEAD_BLOCK / 2), 0);
    block[..start].copy_from_slice(carry);
    carry.clear();
    let (n, failure) = fill_block(inner, &mut block[start..]);
    let mut filled = start + n;
    if n > 0 && failure.is_none() {
        if let Some(at) = memrchr(b'\n', &block[start..filled]) {
            let cut = start + at + 1;
            carry.extend_from_slice(&block[cut..filled]);
            filled = cut;
        }
    }
    block.truncate(filled);
    (block, failure)
}

impl Read for ReadAhead {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if !self.next_block()? {
            return Ok(0);
        }
        let n = out.len().min(self.block.len() - self.at);
        out[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// How a structural scan ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScanEnd {
    /// The value ended; `size` bytes were scanned.
    Done { size: u64 },
    /// The input ended inside the value.
    Eof { size: u64 },
}

impl Source<'_> {
    /// Scans one value (or, with a non-zero `state.depth`, the rest of a container) and copies
    /// it into `capture` while it stays within `limit` bytes; beyond, it keeps scanning without
    /// copying and sets `*too_large`.
    pub fn scan_value(
        &mut self,
        mut state: Scan,
        mut capture: Option<&mut Vec<u8>>,
        limit: usize,
        too_large: &mut bool,
    ) -> io::Result<ScanEnd> {
        let mut size = 0u64;
        if state.depth == 0 && !state.in_string {
            match self.peek()? {
                None => return Ok(ScanEnd::Eof { size }),
                Some(b'{' | b'[') => {
                    // From inside the bracket, the scanner classifies whole 64-byte blocks (at
                    // depth zero it goes byte by byte).
                    self.take(1, &mut capture, limit, too_large, &mut size);
                    state = Scan::inside(1);
                }
                Some(b'"') => {}
                Some(_) => return self.scan_scalar(capture, limit, too_large),
            }
        }
        loop {
            if self.peek()?.is_none() {
                return Ok(ScanEnd::Eof { size });
            }
            let avail = self.available();
            let step = state.run(avail, u64::MAX);
            let used = match step {
                Step::Closed(end) => end,
                Step::More | Step::TooDeep(_) => avail.len(),
            };
            self.take(used, &mut capture, limit, too_large, &mut size);
            if matches!(step, Step::Closed(_)) {
                return Ok(ScanEnd::Done { size });
            }
        }
    }

    /// Scans a scalar (or a stray byte) up to the next structural byte or whitespace. It
    /// always takes its first byte, even a stray `]` or `:` that ends it at once: every scan
    /// makes progress, so no caller can loop in place.
    fn scan_scalar(
        &mut self,
        mut capture: Option<&mut Vec<u8>>,
        limit: usize,
        too_large: &mut bool,
    ) -> io::Result<ScanEnd> {
        let mut size = 0u64;
        self.take(1, &mut capture, limit, too_large, &mut size);
        while self.peek()?.is_some() {
            let avail = self.available();
            let end = avail.iter().position(|byte| {
                matches!(
                    byte,
                    b' ' | b'\t' | b'\n' | b'\r' | b',' | b']' | b'}' | b'[' | b'{' | b'"' | b':'
                )
            });
            let used = end.unwrap_or(avail.len());
            self.take(used, &mut capture, limit, too_large, &mut size);
            if end.is_some() {
                break;
            }
        }
        Ok(ScanEnd::Done { size })
    }

    fn take(
        &mut self,
        n: usize,
        capture: &mut Option<&mut Vec<u8>>,
        limit: usize,
        too_large: &mut bool,
        size: &mut u64,
    ) {
        if let Some(out) = capture {
            if !*too_large {
                if out.len() + n <= limit {
                    out.extend_from_slice(&self.available()[..n]);
                } else {
                    *too_large = true;
                    // Release the memory of a record we will not parse.
                    **out = Vec::new();
                }
            }
        }
        *size += n as u64;
        self.consume(n);
    }
}

/// Decides whether input starting with `{` is NDJSON (one record a line) or one document
/// (a pretty-printed object or list response): NDJSON when the first line holds a complete
/// value, or when it is broken and the next non-blank line starts another object.
pub(crate) fn looks_like_ndjson(head: &[u8]) -> bool {
    let line_end = memchr(b'\n', head).unwrap_or(head.len());
    let first = &head[..line_end];
    let mut scan = Scan::default();
    if matches!(scan.run(first, u64::MAX), Step::Closed(_)) {
        return true;
    }
    let in_string = scan.in_string;
    if line_end == head.len() {
        // No newline seen within the peek limit: a huge single-line document.
        return false;
    }
    // A pretty-printed document breaks its first line after structure (`{"list": [`, `{`,
    // `"code": 0,`); a broken NDJSON line stops anywhere, typically inside a value or string.
    // A broken NDJSON line can stop there too, so the next line decides: NDJSON goes on
    // with a whole object on a line of its own, a pretty-printed document does not (its
    // records end with `,` or are followed by a closing bracket).
    let last = first.iter().rev().find(|b| !b.is_ascii_whitespace());
    if !in_string && matches!(last, None | Some(b'{' | b'[' | b',' | b':')) {
        return next_line_is_a_record(&head[line_end..]);
    }
    head[line_end..]
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{')
}

/// Whether the first non-blank line of `rest` (which starts at a line break), seen whole,
/// is exactly one object with nothing after it, and what follows does not close a list (as
/// the only record of a pretty-printed list response would be followed).
fn next_line_is_a_record(rest: &[u8]) -> bool {
    let Some(start) = rest.iter().position(|b| !b.is_ascii_whitespace()) else {
        return false;
    };
    let rest = &rest[start..];
    let Some(line_end) = memchr(b'\n', rest) else {
        return false;
    };
    let line = rest[..line_end].trim_ascii_end();
    if line.first() != Some(&b'{') {
        return false;
    }
    let Step::Closed(end) = Scan::default().run(line, u64::MAX) else {
        return false;
    };
    let closed_next = rest[line_end..]
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| matches!(b, b']' | b'}'));
    end == line.len() && !closed_next
}

/// One piece of NDJSON work.
pub(crate) enum Work<'r> {
    /// Whole lines (the last may lack its newline at the end of the input).
    Lines(Vec<u8>),
    /// Whole lines of an input held in memory, where they lie ([`Source::borrow_lines`]).
    InMemory(&'r [u8]),
    /// One line longer than the record size limit, skipped: its size in bytes.
    TooLarge(u64),
}

/// Cuts NDJSON input into chunks at line boundaries.
pub(crate) struct Chunker {
    carry: Vec<u8>,
    /// The size from which a chunk is handed over at its last line break.
    chunk: usize,
    max_line: usize,
}

impl Chunker {
    pub fn new(max_line: usize, chunk: usize) -> Chunker {
        Chunker {
            carry: Vec::new(),
            chunk,
            max_line,
        }
    }

    /// The next piece of work, reusing `out` for lines; `None` at the end. A block decoded
    /// ahead that holds whole lines is the chunk itself, not copied.
    pub fn next(
        &mut self,
        source: &mut Source<'_>,
        out: Vec<u8>,
    ) -> io::Result<Option<Work<'static>>> {
        let mut out = if self.carry.is_empty() {
            match source.whole_lines(out)? {
                Ok(lines) => return Ok(Some(Work::Lines(lines))),
                Err(out) => out,
            }
        } else {
            out
        };
        // `out` keeps its length: those bytes were written before and are overwritten, not
        // zeroed first (a reader can only be given initialised memory).
        let mut filled = self.carry.len();
        // A chunk's room at once: grown read by read, the capacity would double past what is
        // recycled, and a fresh buffer costs page faults.
        out.reserve_exact((self.chunk + 2 * READ_SIZE).saturating_sub(out.len()));
        if out.len() < filled {
            out.resize(filled, 0);
        }
        out[..filled].copy_from_slice(&self.carry);
        self.carry.clear();
        let mut last_newline = memrchr(b'\n', &out[..filled]);
        loop {
            if filled >= self.chunk {
                if let Some(at) = last_newline {
                    self.carry.extend_from_slice(&out[at + 1..filled]);
                    out.truncate(at + 1);
                    return Ok(Some(Work::Lines(out)));
                }
            }
            if last_newline.is_none() && filled > self.max_line {
                return Ok(Some(Work::TooLarge(Self::skip_line(source, filled)?)));
            }
            if out.len() < filled + READ_SIZE {
                out.resize(filled + READ_SIZE, 0);
            }
            let n = source.read_into(&mut out[filled..filled + READ_SIZE])?;
            if n == 0 {
                out.truncate(filled);
                return Ok((filled > 0).then_some(Work::Lines(out)));
            }
            if let Some(at) = memrchr(b'\n', &out[filled..filled + n]) {
                last_newline = Some(filled + at);
            }
            filled += n;
        }
    }

    /// Skips the rest of a line of which `size` bytes were read, over the size limit: its
    /// size in bytes, without the line break.
    fn skip_line(source: &mut Source<'_>, mut size: usize) -> io::Result<u64> {
        while source.peek()?.is_some() {
            let avail = source.available();
            if let Some(at) = memchr(b'\n', avail) {
                source.consume_untracked(at + 1);
                return Ok((size + at) as u64);
            }
            size += avail.len();
            let n = avail.len();
            source.consume_untracked(n);
        }
        Ok(size as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A reader that hands out `bytes` a few at a time, then fails once, then has more.
    struct Trickle {
        bytes: Vec<u8>,
        at: usize,
        fail_at: usize,
        failed: bool,
    }

    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.at == self.fail_at && !self.failed {
                self.failed = true;
                return Err(io::Error::other("broken stream"));
            }
            let len = self.bytes.len();
            let stop = if self.failed {
                len
            } else {
                self.fail_at.min(len)
            };
            let n = out.len().min(7).min(stop - self.at);
            out[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    /// Reads everything a read-ahead source gives through `read_into`, up to its error.
    fn read_ahead(bytes: &[u8], fail_at: usize) -> (Vec<u8>, Option<String>) {
        let trickle = Trickle {
            bytes: bytes.to_vec(),
            at: 0,
            fail_at,
            failed: false,
        };
        std::thread::scope(|scope| {
            let mut source = Source {
                reader: Box::new(io::empty()),
                ahead: Some(ReadAhead::spawn(scope, trickle)),
                memory: None,
                buf: vec![0; READ_SIZE],
                pos: 0,
                end: 0,
                eof: false,
                compression: Compression::None,
                line: 1,
                col: 1,
                col_from: None,
                after_cr: false,
                pinned: None,
            };
            // Some bytes through the buffer first, as shape detection reads them.
            let mut out = Vec::new();
            let failure = loop {
                let read = if out.len() < 10 {
                    source.peek().map(|next| {
                        let n = source.available().len().min(3);
                        out.extend_from_slice(&source.available()[..n]);
                        source.consume_untracked(n);
                        usize::from(next.is_some())
                    })
                } else {
                    let mut piece = [0; 1000];
                    source.read_into(&mut piece).inspect(|&n| {
                        out.extend_from_slice(&piece[..n]);
                    })
                };
                match read {
                    Ok(0) => break None,
                    Ok(_) => {}
                    Err(err) => break Some(err.to_string()),
                }
            };
            (out, failure)
        })
    }

    /// What a pinned source hands over is exactly the bytes consumed since the pinning, at
    /// their offsets less the base it returns: the buffer itself when little is left to read
    /// in it, a copy when more is; reading goes on with the bytes not consumed.
    #[test]
    fn a_hand_over_gives_the_bytes_consumed_since_the_pin_either_way() {
        let text: Vec<u8> = (0..200u8).collect();
        let mut source = Source::new(Cursor::new(text.clone()), None).expect("in memory");
        while source.available().len() < text.len() && source.fill().expect("in memory") {}
        source.consume(10);
        source.pin();
        source.consume(150);
        assert_eq!(source.pinned_len(), 150);
        // 40 bytes left: the buffer goes, those 40 are copied.
        let (bytes, base) = source.hand_over(Vec::new());
        assert_eq!(&bytes[10 - base..160 - base], &text[10..160]);
        assert_eq!(source.available(), &text[160..]);
        assert_eq!(source.pinned_len(), 0);
        source.unpin();
        source.consume(2);
        source.pin();
        let start = source.offset();
        source.consume(5);
        // 33 bytes left, more than the 5 handed over: those are copied.
        let (bytes, base) = source.hand_over(vec![7; 3]);
        assert_eq!(&bytes[start - base..start + 5 - base], &text[162..167]);
        assert_eq!(bytes.len(), 5);
        assert_eq!(source.available(), &text[167..]);
        assert_eq!(source.pinned_len(), 0);
        // Pinned, a read appends: the consumed bytes stay where they were.
        source.consume(33);
        let at = source.offset();
        assert!(!source.fill().expect("in memory"));
        assert_eq!(source.buffered(at - 33..at), &text[167..]);
    }

    /// Blocks decoded ahead arrive whole and in order, in as many hand-overs as the block
    /// size makes (recycled blocks hold no stale bytes), and the bytes read before an error
    /// come before it.
    #[test]
    fn read_ahead_hands_over_every_byte_in_order_then_the_error() {
        let bytes: Vec<u8> = (0..3 * READ_SIZE + 12_345)
            .map(|i| (i % 251) as u8)
            .collect();
        assert_eq!(read_ahead(&bytes, usize::MAX), (bytes.clone(), None));
        let fail_at = READ_SIZE + 1000;
        let (before, failure) = read_ahead(&bytes, fail_at);
        assert_eq!(before, bytes[..fail_at]);
        assert_eq!(failure.as_deref(), Some("broken stream"));
    }

    /// Blocks decoded ahead hold whole lines, but for a line longer than a block and the last
    /// bytes of the input; together they are the input, in order.
    #[test]
    fn blocks_decoded_ahead_end_at_line_breaks() {
        let mut text = Vec::new();
        for n in 0..200 {
            text.extend_from_slice(&vec![b'a' + (n % 26) as u8; n * 7 % 230]);
            text.extend_from_slice(if n % 3 == 0 { b"\r\n" } else { b"\n" });
        }
        text.extend_from_slice(b"no line break at the end");
        let mut reader = &text[..];
        let mut carry = Vec::new();
        let mut joined = Vec::new();
        let mut blocks = 0;
        loop {
            let (block, failure) = decode_block(&mut reader, vec![9; 3], &mut carry);
            assert!(failure.is_none());
            if block.is_empty() {
                break;
            }
            let whole_lines = block.ends_with(b"\n");
            let at_end = reader.is_empty() && carry.is_empty();
            assert!(
                whole_lines || at_end || !block.contains(&b'\n'),
                "block {blocks} cut inside a line: {:?}",
                String::from_utf8_lossy(&block)
            );
            joined.extend_from_slice(&block);
            blocks += 1;
        }
        assert_eq!(joined, text);
        assert!(blocks > text.len() / READ_AHEAD_BLOCK, "{blocks} blocks");
    }

    /// The line and column of the text before `at`, counted naively: a CR, an LF or a CRLF
    /// ends a line; a column counts characters.
    fn naive_position(text: &[u8], at: usize) -> (u64, u64) {
        let (mut line, mut col) = (1, 1);
        for (index, &byte) in text[..at].iter().enumerate() {
            match byte {
                b'\n' if index > 0 && text[index - 1] == b'\r' => {}
                b'\n' | b'\r' => (line, col) = (line + 1, 1),
                _ => col += u64::from((byte as i8) >= -0x40),
            }
        }
        (line, col)
    }

    proptest! {
        /// Columns counted when asked for are the columns counted byte by byte, whatever is
        /// consumed at a time, pinned or not, and across hand-overs of the buffer.
        #[test]
        fn lazy_columns_are_the_counted_ones(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just(&b"ab"[..]), Just(&b"\n"[..]), Just(&b"\r"[..]), Just(&b"\r\n"[..]),
                    Just("名前".as_bytes()), Just("𝄞x".as_bytes()), Just(&b"{\"k\":1}"[..]),
                ],
                1..200,
            ),
            steps in proptest::collection::vec((1usize..40, 0u8..8), 1..60),
        ) {
            let text = pieces.concat();
            let mut source = Source::new(Cursor::new(text.clone()), None).expect("in memory");
            let mut at = 0;
            for (n, action) in steps.iter().cycle().take(400) {
                if at == text.len() {
                    break;
                }
                while source.available().is_empty() && source.fill().expect("in memory") {}
                match action {
                    0 => source.pin(),
                    1 => source.unpin(),
                    2 if source.pinned_len() > 0 => {
                        source.hand_over(Vec::new());
                    }
                    3 => {
                        source.fill().expect("in memory");
                    }
                    _ => {}
                }
                let n = (*n).min(source.available().len());
                source.consume(n);
                at += n;
                prop_assert_eq!((source.line, source.col()), naive_position(&text, at));
            }
        }

        /// The blockwise count is the count of bytes that start a character.
        #[test]
        fn count_chars_counts_character_starts(
            bytes in proptest::collection::vec(
                prop_oneof![any::<u8>(), Just(b'a'), Just(0x80u8), Just(0xE5u8)],
                0..2000,
            ),
        ) {
            let naive = bytes.iter().filter(|&&byte| (byte as i8) >= -0x40).count() as u64;
            prop_assert_eq!(count_chars(&bytes), naive);
        }
    }
}
