//! The output file: records appended a page at a time, each page made durable before the
//! checkpoint moves past it.
//!
//! Compressed outputs are written one complete compressed unit a page (a gzip member, a zstd
//! frame), so every checkpointed length is the end of a valid compressed file: truncating to
//! it on resume leaves a file any decoder reads, and the resumed file is byte-identical to an
//! uninterrupted one.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use serde_json::value::RawValue;

/// The zstd level: zstd's default, a good ratio at several hundred MB/s.
const ZSTD_LEVEL: i32 = 3;

/// How an output is compressed, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain NDJSON.
    None,
    /// `.gz`: one gzip member a page.
    Gzip,
    /// `.zst`: one zstd frame a page.
    Zstd,
}

impl Compression {
    /// The compression a file name asks for (`.gz`, `.zst`; anything else is plain).
    pub fn from_path(path: &Path) -> Compression {
        match path.extension().and_then(|ext| ext.to_str()) {
            Some("gz") => Compression::Gzip,
            Some("zst") => Compression::Zstd,
            _ => Compression::None,
        }
    }

    /// `bytes` as one self-contained compressed unit.
    fn encode(self, bytes: Vec<u8>) -> io::Result<Vec<u8>> {
        match self {
            Compression::None => Ok(bytes),
            Compression::Gzip => {
                let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::default());
                encoder.write_all(&bytes)?;
                encoder.finish()
            }
            Compression::Zstd => zstd::bulk::compress(&bytes, ZSTD_LEVEL),
        }
    }
}

/// A reader of `file` that decompresses gzip and zstd (detected from the first bytes, every
/// member or frame in turn) and passes anything else through.
pub fn decoded<R: Read + Send + 'static>(reader: R) -> io::Result<Box<dyn Read + Send>> {
    let mut file = io::BufReader::with_capacity(256 * 1024, reader);
    let magic = io::BufRead::fill_buf(&mut file)?;
    if magic.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(file)))
    } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Ok(Box::new(zstd::stream::read::Decoder::with_buffer(file)?))
    } else {
        Ok(Box::new(file))
    }
}

/// An NDJSON output, plain or compressed by page.
pub(crate) struct Output {
    path: PathBuf,
    file: File,
    len: u64,
    compression: Compression,
}

impl Output {
    /// Opens `path`, keeping its first `keep` bytes (0: a fresh file). Fails when the file is
    /// shorter than `keep`: the checkpoint then describes another file.
    pub(crate) fn open(path: &Path, keep: u64) -> io::Result<Output> {
        let mut file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(path)?;
        let existing = file.metadata()?.len();
        if existing < keep {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("it holds {existing} bytes, its checkpoint says {keep}"),
            ));
        }
        file.set_len(keep)?;
        file.seek(SeekFrom::Start(keep))?;
        Ok(Output {
            path: path.to_owned(),
            file,
            len: keep,
            compression: Compression::from_path(path),
        })
    }

    /// The bytes written so far.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The records stored by earlier runs, decompressed, in chunks of at most 256 KiB.
    pub(crate) fn replay(&self, each: &mut dyn FnMut(&[u8])) -> io::Result<()> {
        if self.len == 0 {
            return Ok(());
        }
        // A file of its own: a clone would share (and move) the write position.
        let stored = File::open(&self.path)?.take(self.len);
        let mut reader = decoded(stored)?;
        let mut buffer = vec![0; 256 * 1024];
        loop {
            let read = match reader.read(&mut buffer) {
                Ok(0) => return Ok(()),
                Ok(read) => read,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            };
            each(&buffer[..read]);
        }
    }

    /// Appends one line per record and makes it durable. Returns the lines (uncompressed).
    pub(crate) fn append(&mut self, records: &[&RawValue]) -> io::Result<Vec<u8>> {
        let lines = ndjson_lines(records);
        let bytes = self.compression.encode(lines.clone())?;
        self.file.write_all(&bytes)?;
        self.file.sync_data()?;
        self.len += bytes.len() as u64;
        Ok(lines)
    }
}

/// One line per record: its text with insignificant line breaks as spaces (a JSON string
/// cannot hold a raw line break, so no value changes).
fn ndjson_lines(records: &[&RawValue]) -> Vec<u8> {
    let mut lines = Vec::with_capacity(records.iter().map(|r| r.get().len() + 1).sum());
    for record in records {
        lines.extend(record.get().bytes().map(|byte| match byte {
            b'\n' | b'\r' => b' ',
            other => other,
        }));
        lines.push(b'\n');
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("capture-out-{}-{name}", std::process::id()))
    }

    #[test]
    fn records_become_lines_and_reopening_truncates() {
        let path = temp("plain.ndjson");
        let records: Vec<&RawValue> =
            serde_json::from_str("[{\"a\":\n1}, {\"b\":\"x\\ny\"}]").unwrap();
        let mut output = Output::open(&path, 0).unwrap();
        output.append(&records).unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        assert_eq!(written, "{\"a\": 1}\n{\"b\":\"x\\ny\"}\n");
        let first_line = 9;
        let mut again = Output::open(&path, first_line).unwrap();
        assert_eq!(again.len(), first_line);
        let mut replayed = Vec::new();
        again
            .replay(&mut |bytes| replayed.extend_from_slice(bytes))
            .unwrap();
        assert_eq!(replayed, b"{\"a\": 1}\n");
        again.append(&records[1..]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"a\": 1}\n{\"b\":\"x\\ny\"}\n"
        );
        assert!(Output::open(&path, 10_000).is_err());
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn compressed_pages_truncate_to_a_readable_file_and_replay_decompressed() {
        let records: Vec<&RawValue> = serde_json::from_str("[{\"a\":1}, {\"b\":2}]").unwrap();
        for (name, compression) in [
            ("c.ndjson.gz", Compression::Gzip),
            ("c.ndjson.zst", Compression::Zstd),
        ] {
            let path = temp(name);
            assert_eq!(Compression::from_path(&path), compression);
            let mut output = Output::open(&path, 0).unwrap();
            output.append(&records[..1]).unwrap();
            let first_page = output.len();
            output.append(&records[1..]).unwrap();
            let mut whole = String::new();
            decoded(File::open(&path).unwrap())
                .unwrap()
                .read_to_string(&mut whole)
                .unwrap();
            assert_eq!(whole, "{\"a\":1}\n{\"b\":2}\n", "{name}");
            let resumed = Output::open(&path, first_page).unwrap();
            let mut replayed = Vec::new();
            resumed
                .replay(&mut |bytes| replayed.extend_from_slice(bytes))
                .unwrap();
            assert_eq!(replayed, b"{\"a\":1}\n", "{name}");
            std::fs::remove_file(&path).unwrap();
        }
    }
}
