//! The items of a streamed array (a JSON array, the array of a list response or at
//! `--pointer`) checked on worker threads.
//!
//! The reading thread runs only the structural scanner ([`Scan`]) over the input to find where
//! each item ends and notes where each one lies in the read buffer, with its line and column.
//! The buffer is pinned meanwhile (reads append to it, nothing moves), and once it holds about
//! [`CHUNK_SIZE`] bytes it becomes a [`Batch`] for the [`Ordered`] pool as it is, with no copy
//! of the items: only the bytes after the last whole item go on, copied into a recycled
//! buffer that the reading continues in. Workers
//! parse and check the items; results are delivered in submission order. An item is one record
//! whatever it holds (a broken item is a record with a syntax finding), so record numbers are
//! known when the batch is cut and the findings are exactly those of the one-thread walk.
//!
//! Anything the fast path does not handle goes through the one-thread steps at that point,
//! after every earlier batch has been delivered: an item that is not an object or array, one
//! over the record size limit, input that ends inside an item, and whatever follows an item
//! other than `,` (the end of the array, or a syntax error). The one-thread walk then goes on
//! with the next item, so a defect costs one item's parallelism, not the array's.

use std::io;
use std::sync::Arc;

use enquiry_schema::scan::{Scan, Step};

use super::{Doc, Event, Flow, Validator, Worker};
use crate::input::{CHUNK_SIZE, READ_SIZE};
use crate::ordered::Ordered;
use crate::profile::Profiler;

#[cfg(test)]
mod tests;

/// The size at which a batch is submitted. Unit tests use tiny batches, so that their small
/// inputs are cut into many.
const BATCH_BYTES: usize = if cfg!(test) { 300 } else { CHUNK_SIZE };

/// Items cut out by the reading thread for one worker: the read buffer that holds them, and
/// where each one lies in it and starts in the input.
#[derive(Default)]
pub(super) struct Batch {
    bytes: Vec<u8>,
    /// The offset in the read buffer of `bytes[0]`: item offsets are the buffer's.
    base: usize,
    items: Vec<Item>,
    /// The record number of the first item.
    first_record: u64,
    /// An empty list the worker fills with the batch's events. It goes round with the batch,
    /// so that a worker does not grow a fresh list for every batch.
    events: Vec<Event>,
}

/// One item of a batch.
struct Item {
    start: usize,
    end: usize,
    line: u64,
    col: u64,
}

/// A checked batch: its events, and the batch itself for reuse.
pub(super) struct BatchOut {
    events: Vec<Event>,
    batch: Batch,
    /// What the worker profiled of this batch, when a data profile is asked for.
    profiler: Option<Box<Profiler>>,
}

/// An item the fast path hands to the one-thread steps: its bytes so far are in the batch
/// from `start`, the scan stopped in `state`.
struct Partial {
    start: usize,
    line: u64,
    col: u64,
    state: Scan,
    closed: bool,
}

/// Batches kept for reuse: enough for the window, none much larger than a chunk.
fn recycle(spare: &mut Vec<Batch>, mut batch: Batch, jobs: usize) {
    if spare.len() < jobs * 2 + 2 && batch.bytes.capacity() <= 2 * CHUNK_SIZE + READ_SIZE {
        // The bytes keep their length: the buffer is read into again, with nothing to zero.
        batch.items.clear();
        batch.events.clear();
        spare.push(batch);
    }
}

impl Validator {
    /// Checks every item of the batch, as the one-thread walk checks each captured item.
    fn process_batch(
        &self,
        worker: &mut Worker,
        file: &Arc<str>,
        mut batch: Batch,
        profile: bool,
    ) -> BatchOut {
        // Pool workers start with default state: the profiler travels with each batch's result
        // so the reading thread adds it to the sink (sums, so the order does not matter).
        if profile {
            worker.profiler = Some(Box::new(Profiler::new()));
        }
        let mut events = std::mem::take(&mut batch.events);
        let mut record = batch.first_record;
        for item in &batch.items {
            self.process_unit(
                worker,
                file,
                &batch.bytes[item.start - batch.base..item.end - batch.base],
                item.line,
                item.col,
                false,
                &mut record,
                &mut events,
            );
        }
        BatchOut {
            events,
            batch,
            profiler: worker.profiler.take(),
        }
    }

    /// The items of an array whose `[` (and any whitespace after it) was consumed, checked on
    /// `doc.jobs` worker threads with the reading on this one.
    pub(super) fn doc_items_parallel(&self, doc: &mut Doc<'_, '_, '_>) -> io::Result<Flow> {
        let file = doc.file.clone();
        let jobs = doc.jobs;
        let profile = doc.sink.profile.is_some();
        let process =
            |worker: &mut Worker, batch: Batch| self.process_batch(worker, &file, batch, profile);
        std::thread::scope(|scope| {
            let mut pool = Ordered::start(scope, jobs, super::MAX_IN_FLIGHT_BYTES, &process);
            let mut spare = Vec::new();
            let mut batch = Batch::default();
            let flow = self.doc_items_batched(doc, &mut pool, &mut batch, &mut spare);
            // After a read error too: the items read before it are reported before it.
            submit(doc, &mut pool, &mut batch, &mut spare);
            doc.source.unpin();
            pool.finish(&mut |out: BatchOut| {
                doc.sink.absorb(out.profiler);
                for event in out.events {
                    doc.sink.push(event);
                }
            });
            flow
        })
    }

    fn doc_items_batched(
        &self,
        doc: &mut Doc<'_, '_, '_>,
        pool: &mut Ordered<Batch, BatchOut>,
        batch: &mut Batch,
        spare: &mut Vec<Batch>,
    ) -> io::Result<Flow> {
        let limit = self.record_limit();
        loop {
            skip_ws(doc, pool, batch, spare)?;
            let flow = match doc.source.peek()? {
                Some(b'{' | b'[') => match batch_item(doc, batch, limit)? {
                    None => Flow::Continue,
                    Some(partial) => {
                        let taken = partial.start..doc.source.offset();
                        let capture = doc.source.buffered(taken).to_vec();
                        submit_and_drain(doc, pool, batch, spare);
                        self.doc_partial(doc, capture, &partial)?
                    }
                },
                _ => {
                    submit_and_drain(doc, pool, batch, spare);
                    self.doc_item(doc)?
                }
            };
            if flow == Flow::Stop {
                return Ok(Flow::Stop);
            }
            if doc.source.pinned_len() >= BATCH_BYTES {
                submit(doc, pool, batch, spare);
            }
            skip_ws(doc, pool, batch, spare)?;
            if doc.source.peek()? == Some(b',') {
                doc.source.consume(1);
                continue;
            }
            submit_and_drain(doc, pool, batch, spare);
            if let Some(flow) = self.doc_after_item(doc)? {
                return Ok(flow);
            }
        }
    }

    /// Finishes on this thread an item the fast path gave up on, exactly as the one-thread
    /// walk would have scanned it from its start.
    fn doc_partial(
        &self,
        doc: &mut Doc<'_, '_, '_>,
        capture: Vec<u8>,
        partial: &Partial,
    ) -> io::Result<Flow> {
        doc.record_line = partial.line;
        doc.record_col = partial.col;
        doc.size = capture.len() as u64;
        doc.too_large = capture.len() > self.record_limit();
        doc.capture = if doc.too_large { Vec::new() } else { capture };
        if partial.closed {
            self.doc_emit(doc, true)
        } else {
            self.doc_finish(doc, partial.state)
        }
    }
}

/// Scans the object or array item at the reading position and adds it to `batch`, in place
/// in the (pinned) read buffer. `None` when it was added whole; otherwise the fast path stops at
/// it (the input ended inside it, or it is over `limit` bytes).
fn batch_item(
    doc: &mut Doc<'_, '_, '_>,
    batch: &mut Batch,
    limit: usize,
) -> io::Result<Option<Partial>> {
    doc.source.pin();
    let start = doc.source.offset();
    let (line, col) = (doc.source.line, doc.source.col());
    // The caller saw the item's opening bracket: scanning from inside it, every 64-byte block
    // of the item is classified at once (at depth zero the scanner goes byte by byte).
    doc.source.consume(1);
    let mut state = Scan::inside(1);
    loop {
        if doc.source.peek()?.is_none() {
            let closed = false;
            return Ok(Some(Partial {
                start,
                line,
                col,
                state,
                closed,
            }));
        }
        let avail = doc.source.available();
        let step = state.run(avail, u64::MAX);
        let used = match step {
            Step::Closed(end) => end,
            Step::More | Step::TooDeep(_) => avail.len(),
        };
        doc.source.consume(used);
        let closed = matches!(step, Step::Closed(_));
        let end = doc.source.offset();
        if end - start > limit {
            return Ok(Some(Partial {
                start,
                line,
                col,
                state,
                closed,
            }));
        }
        if closed {
            if batch.items.is_empty() {
                batch.first_record = doc.record;
            }
            batch.items.push(Item {
                start,
                end,
                line,
                col,
            });
            doc.record += 1;
            return Ok(None);
        }
    }
}

/// Skips whitespace between items. The read buffer stays pinned while items in it wait for
/// their batch, so before reading more, items of a batch's size are submitted (and with no
/// items waiting, the buffer is unpinned: whitespace must not pin memory).
fn skip_ws(
    doc: &mut Doc<'_, '_, '_>,
    pool: &mut Ordered<Batch, BatchOut>,
    batch: &mut Batch,
    spare: &mut Vec<Batch>,
) -> io::Result<()> {
    loop {
        if doc.source.available().is_empty() && doc.source.pinned_len() >= BATCH_BYTES {
            if batch.items.is_empty() {
                doc.source.unpin();
            } else {
                submit(doc, pool, batch, spare);
            }
        }
        let Some(_) = doc.source.peek()? else {
            return Ok(());
        };
        let (ws, all) = doc.source.leading_ws();
        doc.source.consume(ws);
        if !all {
            return Ok(());
        }
    }
}

/// Submits the batch (when it holds items) and starts a fresh one.
fn submit(
    doc: &mut Doc<'_, '_, '_>,
    pool: &mut Ordered<Batch, BatchOut>,
    batch: &mut Batch,
    spare: &mut Vec<Batch>,
) {
    if batch.items.is_empty() {
        return;
    }
    let mut next = spare.pop().unwrap_or_default();
    // The read buffer holding the items becomes the batch's, and a spare one the reader's.
    (batch.bytes, batch.base) = doc.source.hand_over(std::mem::take(&mut next.bytes));
    let full = std::mem::replace(batch, next);
    let bytes = full.bytes.capacity();
    let jobs = doc.jobs;
    pool.submit(full, bytes, &mut |out: BatchOut| {
        deliver(doc, out, spare, jobs)
    });
}

/// Submits the batch and delivers every result: the one-thread steps that follow may report
/// findings of their own, which must come after those of every earlier item.
fn submit_and_drain(
    doc: &mut Doc<'_, '_, '_>,
    pool: &mut Ordered<Batch, BatchOut>,
    batch: &mut Batch,
    spare: &mut Vec<Batch>,
) {
    submit(doc, pool, batch, spare);
    // The one-thread steps read on without holding bytes in place.
    doc.source.unpin();
    let jobs = doc.jobs;
    pool.drain(&mut |out: BatchOut| deliver(doc, out, spare, jobs));
}

/// Passes a checked batch's events on, and keeps the batch and its event list for reuse.
fn deliver(doc: &mut Doc<'_, '_, '_>, mut out: BatchOut, spare: &mut Vec<Batch>, jobs: usize) {
    for event in out.events.drain(..) {
        doc.sink.push(event);
    }
    doc.sink.absorb(out.profiler);
    out.batch.events = out.events;
    recycle(spare, out.batch, jobs);
}
