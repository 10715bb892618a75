//! An external merge sort: items are kept in memory up to a byte budget, then sorted and
//! written to a temporary file (a run); the sorted sequence is a k-way merge of the runs.
//! Memory is the budget plus one read buffer per run, whatever the number of items.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The most runs merged at once; more are first merged into larger runs.
const MAX_FAN_IN: usize = 128;
/// The read buffer of one run during a merge.
const RUN_BUFFER: usize = 64 * 1024;

/// An item that can be sorted externally: ordered, measured and written compactly.
pub(crate) trait Spill: Ord + Sized {
    /// About how many bytes the item takes in memory (heap parts included).
    fn size(&self) -> usize;
    /// Writes the item.
    fn write(&self, out: &mut dyn Write) -> io::Result<()>;
    /// Reads an item written by [`Spill::write`]; `None` at the end of the run.
    fn read(input: &mut dyn Read) -> io::Result<Option<Self>>;
}

/// A directory of temporary runs, removed (with its runs) on drop.
pub(crate) struct SpillDir {
    path: PathBuf,
    next: AtomicU64,
}

impl SpillDir {
    /// A fresh directory under `parent`.
    pub(crate) fn new(parent: &Path) -> io::Result<SpillDir> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = parent.join(format!("enquiry-reconcile-{}-{unique}", std::process::id()));
        fs::create_dir_all(&path)?;
        Ok(SpillDir {
            path,
            next: AtomicU64::new(0),
        })
    }

    /// A new run file, open for writing and reading.
    fn create(&self) -> io::Result<(PathBuf, File)> {
        let name = format!("run-{}", self.next.fetch_add(1, Ordering::Relaxed));
        let path = self.path.join(name);
        let file = File::options()
            .create_new(true)
            .read(true)
            .write(true)
            .open(&path)?;
        Ok((path, file))
    }

    /// Runs written so far (for tests and measurements).
    pub(crate) fn runs_written(&self) -> u64 {
        self.next.load(Ordering::Relaxed)
    }
}

impl Drop for SpillDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// Items collected for sorting, in memory up to `budget` bytes.
pub(crate) struct Sorter<'d, T: Spill> {
    items: Vec<T>,
    bytes: usize,
    budget: usize,
    runs: Vec<PathBuf>,
    dir: &'d SpillDir,
}

impl<'d, T: Spill> Sorter<'d, T> {
    pub(crate) fn new(dir: &'d SpillDir, budget: usize) -> Sorter<'d, T> {
        Sorter {
            items: Vec::new(),
            bytes: 0,
            budget: budget.max(1),
            runs: Vec::new(),
            dir,
        }
    }

    pub(crate) fn push(&mut self, item: T) -> io::Result<()> {
        // The vector's own slots count twice: it may have doubled its capacity.
        self.bytes += item.size() + size_of::<T>();
        self.items.push(item);
        if self.bytes >= self.budget {
            self.spill()?;
        }
        Ok(())
    }

    fn spill(&mut self) -> io::Result<()> {
        self.items.sort_unstable();
        let (path, file) = self.dir.create()?;
        let mut out = BufWriter::with_capacity(RUN_BUFFER, file);
        for item in self.items.drain(..) {
            item.write(&mut out)?;
        }
        out.flush()?;
        self.runs.push(path);
        self.items = Vec::new();
        self.bytes = 0;
        Ok(())
    }

    /// The items in order. Once anything was spilled, the rest is spilled too, so the sorted
    /// sequence holds only read buffers.
    pub(crate) fn sorted(mut self) -> io::Result<Sorted<T>> {
        if self.runs.is_empty() {
            self.items.sort_unstable();
            return Ok(Sorted::Memory(std::mem::take(&mut self.items).into_iter()));
        }
        if !self.items.is_empty() {
            self.spill()?;
        }
        let mut runs = std::mem::take(&mut self.runs);
        while runs.len() > MAX_FAN_IN {
            let group: Vec<PathBuf> = runs.drain(..MAX_FAN_IN).collect();
            let (path, file) = self.dir.create()?;
            let mut out = BufWriter::with_capacity(RUN_BUFFER, file);
            let mut merge = Merge::<T>::open(&group)?;
            while let Some(item) = merge.next_item()? {
                item.write(&mut out)?;
            }
            out.flush()?;
            drop(merge);
            for done in group {
                let _ = fs::remove_file(done);
            }
            runs.push(path);
        }
        Ok(Sorted::Runs(Merge::open(&runs)?))
    }
}

/// A sorted sequence: in memory, or merged from runs.
pub(crate) enum Sorted<T: Spill> {
    Memory(std::vec::IntoIter<T>),
    Runs(Merge<T>),
}

impl<T: Spill> Sorted<T> {
    /// The next item in order.
    pub(crate) fn next_item(&mut self) -> io::Result<Option<T>> {
        match self {
            Sorted::Memory(items) => Ok(items.next()),
            Sorted::Runs(merge) => merge.next_item(),
        }
    }
}

/// A k-way merge of sorted runs.
pub(crate) struct Merge<T: Spill> {
    readers: Vec<BufReader<File>>,
    heap: BinaryHeap<Reverse<(T, usize)>>,
}

impl<T: Spill> Merge<T> {
    fn open(runs: &[PathBuf]) -> io::Result<Merge<T>> {
        let mut readers = Vec::with_capacity(runs.len());
        let mut heap = BinaryHeap::with_capacity(runs.len());
        for (at, path) in runs.iter().enumerate() {
            let mut reader = BufReader::with_capacity(RUN_BUFFER, File::open(path)?);
            if let Some(item) = T::read(&mut reader)? {
                heap.push(Reverse((item, at)));
            }
            readers.push(reader);
        }
        Ok(Merge { readers, heap })
    }

    fn next_item(&mut self) -> io::Result<Option<T>> {
        let Some(Reverse((item, at))) = self.heap.pop() else {
            return Ok(None);
        };
        if let Some(next) = T::read(&mut self.readers[at])? {
            self.heap.push(Reverse((next, at)));
        }
        Ok(Some(item))
    }
}

/// Writes a `u64`, little-endian.
pub(crate) fn put_u64(out: &mut dyn Write, value: u64) -> io::Result<()> {
    out.write_all(&value.to_le_bytes())
}

/// Writes a length-prefixed string.
pub(crate) fn put_str(out: &mut dyn Write, text: &str) -> io::Result<()> {
    put_u64(out, text.len() as u64)?;
    out.write_all(text.as_bytes())
}

/// Reads a `u64`; `None` at a clean end of the run (no byte of it read).
pub(crate) fn get_u64_or_end(input: &mut dyn Read) -> io::Result<Option<u64>> {
    let mut bytes = [0u8; 8];
    let mut got = 0;
    while got < bytes.len() {
        match input.read(&mut bytes[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => got += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(Some(u64::from_le_bytes(bytes)))
}

/// Reads a `u64` that must be there.
pub(crate) fn get_u64(input: &mut dyn Read) -> io::Result<u64> {
    get_u64_or_end(input)?.ok_or_else(|| io::ErrorKind::UnexpectedEof.into())
}

/// Reads a length-prefixed string.
pub(crate) fn get_str(input: &mut dyn Read) -> io::Result<String> {
    let len = usize::try_from(get_u64(input)?).map_err(io::Error::other)?;
    let mut bytes = vec![0; len];
    input.read_exact(&mut bytes)?;
    String::from_utf8(bytes).map_err(io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
    struct Item(String, u64);

    impl Spill for Item {
        fn size(&self) -> usize {
            self.0.len()
        }
        fn write(&self, out: &mut dyn Write) -> io::Result<()> {
            put_str(out, &self.0)?;
            put_u64(out, self.1)
        }
        fn read(input: &mut dyn Read) -> io::Result<Option<Item>> {
            let Some(len) = get_u64_or_end(input)? else {
                return Ok(None);
            };
            let mut bytes = vec![0; len as usize];
            input.read_exact(&mut bytes)?;
            Ok(Some(Item(
                String::from_utf8(bytes).unwrap(),
                get_u64(input)?,
            )))
        }
    }

    fn sort_with_budget(count: u64, budget: usize) -> (Vec<Item>, u64) {
        let dir = SpillDir::new(&std::env::temp_dir()).unwrap();
        let mut sorter = Sorter::new(&dir, budget);
        // A fixed permutation of 0..count.
        for at in 0..count {
            let key = (at * 7919) % count;
            sorter.push(Item(format!("k{key:06}"), at)).unwrap();
        }
        let mut sorted = sorter.sorted().unwrap();
        let mut out = Vec::new();
        while let Some(item) = sorted.next_item().unwrap() {
            out.push(item);
        }
        (out, dir.runs_written())
    }

    #[test]
    fn spilled_and_in_memory_sorts_agree_and_runs_beyond_the_fan_in_are_merged() {
        let (in_memory, runs) = sort_with_budget(5000, usize::MAX);
        assert_eq!(runs, 0);
        assert_eq!(in_memory.len(), 5000);
        assert!(in_memory.windows(2).all(|pair| pair[0] < pair[1]));
        // About 40 bytes an item: a run every 25 items, 200 runs, merged in two levels.
        let (spilled, runs) = sort_with_budget(5000, 1000);
        assert!(runs > MAX_FAN_IN as u64, "{runs}");
        assert_eq!(spilled, in_memory);
    }
}
