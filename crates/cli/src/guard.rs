//! Guards of the command line against what it is handed: sizes with units, capped reads of
//! the small side files (`--labels`, `--channels`, `--config`), a bound on worker threads,
//! and a closed standard output noticed once, so every format stops the same way and the
//! input is no longer read.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The most worker threads `--jobs` starts: more would only fail to spawn.
pub(crate) const MAX_JOBS: usize = 256;

/// The largest `--labels`, `--channels` or `--config` file read.
pub(crate) const SIDE_FILE_CAP: u64 = 16 * 1024 * 1024;

/// Units `--max-record-size` takes, longest suffix first.
const UNITS: [(&str, u64); 7] = [
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("KB", 1000),
    ("MB", 1000 * 1000),
    ("GB", 1000 * 1000 * 1000),
    ("B", 1),
];

/// A byte count: digits with an optional unit (`16MiB`, `500KB`, `1048576`).
pub(crate) fn parse_size(text: &str) -> Result<usize, String> {
    let trimmed = text.trim();
    let (digits, scale) = UNITS
        .iter()
        .find_map(|&(unit, scale)| Some((trimmed.strip_suffix(unit)?.trim_end(), scale)))
        .unwrap_or((trimmed, 1));
    let number: u64 = digits.parse().map_err(|_| {
        format!("{text:?} is not a size; expected bytes, optionally with a unit (KiB, MiB, GiB, KB, MB, GB)")
    })?;
    number
        .checked_mul(scale)
        .and_then(|bytes| usize::try_from(bytes).ok())
        .ok_or_else(|| format!("{text:?} is too large"))
}

/// Reads a whole file of at most `cap` bytes; a larger one is an error, not read past the cap.
pub(crate) fn read_capped(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    File::open(path)?.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(io::Error::other(format!(
            "larger than {} MiB; expected a small file",
            cap >> 20
        )));
    }
    Ok(bytes)
}

/// Set once standard output is found closed.
#[derive(Clone, Default)]
pub(crate) struct Closed {
    closed: Arc<AtomicBool>,
    /// Whether a report goes to standard output (so that its reader going away ends the run).
    watching: Arc<AtomicBool>,
}

impl Closed {
    /// Whether a write found the output closed, or (where the system tells without writing)
    /// standard output, which carries a report, has no reader any more: formats that write
    /// late (JUnit's counts, the views' verdict come when the input ends) stop reading an
    /// endless input too.
    pub(crate) fn is_set(&self) -> bool {
        if self.closed.load(Ordering::Relaxed) {
            return true;
        }
        if self.watching.load(Ordering::Relaxed) && stdout_has_no_reader() {
            self.closed.store(true, Ordering::Relaxed);
            return true;
        }
        false
    }

    /// A report is written to standard output.
    pub(crate) fn watch_stdout(&self) {
        self.watching.store(true, Ordering::Relaxed);
    }

    fn note<T>(&self, result: io::Result<T>) -> io::Result<T> {
        if let Err(err) = &result {
            if err.kind() == io::ErrorKind::BrokenPipe {
                self.closed.store(true, Ordering::Relaxed);
            }
        }
        result
    }
}

/// Whether standard output is a pipe whose reading end is closed (the kernel reports an
/// error condition on it, without a write).
#[cfg(unix)]
fn stdout_has_no_reader() -> bool {
    let mut stdout = libc::pollfd {
        fd: libc::STDOUT_FILENO,
        events: 0,
        revents: 0,
    };
    // SAFETY: one valid pollfd and its count; a zero timeout does not block.
    #[allow(unsafe_code)]
    // Reason: std cannot ask whether a pipe's reader is gone without writing to it.
    let ready = unsafe { libc::poll(&mut stdout, 1, 0) };
    ready > 0 && stdout.revents & (libc::POLLERR | libc::POLLHUP) != 0
}

/// Elsewhere only a failed write tells.
#[cfg(not(unix))]
fn stdout_has_no_reader() -> bool {
    false
}

/// A writer that notes a closed pipe, whatever the reporter later makes of the error.
pub(crate) struct WatchedWriter<W> {
    pub(crate) inner: W,
    pub(crate) closed: Closed,
}

impl<W: Write> Write for WatchedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.inner.write(buf);
        self.closed.note(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = self.inner.flush();
        self.closed.note(result)
    }
}

/// A reader that ends as soon as the output is closed: nobody reads the report any more,
/// so an endless input must not be read forever.
pub(crate) struct StopReader<R> {
    pub(crate) inner: R,
    pub(crate) closed: Closed,
}

impl<R: Read> Read for StopReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.closed.is_set() {
            return Ok(0);
        }
        self.inner.read(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_units() {
        assert_eq!(parse_size("16MiB"), Ok(16 << 20));
        assert_eq!(parse_size("500 KB"), Ok(500_000));
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert!(parse_size("16 parsecs").is_err());
        assert!(parse_size("99999999999GiB").is_err());
    }
}
