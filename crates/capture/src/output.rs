//! The output file: records appended a page at a time, each page made durable before the
//! checkpoint moves past it.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::value::RawValue;

/// An NDJSON output, plain or gzip (one gzip member a page).
pub(crate) struct Output {
    file: File,
    len: u64,
    gzip: bool,
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
        let gzip = path.extension().is_some_and(|ext| ext == "gz");
        Ok(Output {
            file,
            len: keep,
            gzip,
        })
    }

    /// The bytes written so far.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Appends one line per record and makes it durable.
    pub(crate) fn append(&mut self, records: &[&RawValue]) -> io::Result<()> {
        let mut lines = Vec::with_capacity(records.iter().map(|r| r.get().len() + 1).sum());
        for record in records {
            lines.extend(record.get().bytes().map(|byte| match byte {
                b'\n' | b'\r' => b' ',
                other => other,
            }));
            lines.push(b'\n');
        }
        let bytes = if self.gzip {
            let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
            encoder.write_all(&lines)?;
            encoder.finish()?
        } else {
            lines
        };
        self.file.write_all(&bytes)?;
        self.file.sync_data()?;
        self.len += bytes.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_become_lines_and_reopening_truncates() {
        let path = std::env::temp_dir().join(format!("capture-out-{}.ndjson", std::process::id()));
        let records: Vec<&RawValue> =
            serde_json::from_str("[{\"a\":\n1}, {\"b\":\"x\\ny\"}]").unwrap();
        let mut output = Output::open(&path, 0).unwrap();
        output.append(&records).unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        assert_eq!(written, "{\"a\": 1}\n{\"b\":\"x\\ny\"}\n");
        let first_line = 9;
        let mut again = Output::open(&path, first_line).unwrap();
        assert_eq!(again.len(), first_line);
        again.append(&records[1..]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"a\": 1}\n{\"b\":\"x\\ny\"}\n"
        );
        assert!(Output::open(&path, 10_000).is_err());
        std::fs::remove_file(&path).unwrap();
    }
}
