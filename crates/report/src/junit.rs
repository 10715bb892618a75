//! `--format junit`: JUnit XML, streamed through temporary spill files.
//!
//! A test suite per file, named by the file and, when its records are not all enquiry records,
//! their contract (`events.ndjson (event)`; a `contract` property too), a test case per record
//! (`record 12 (line 13)`, class name the file);
//! a record with errors fails, with the first error as the failure's message and type and every
//! error, one a line, as its text (JUnit allows one failure element per test case). Warnings go
//! to the test case's `system-out`. Findings outside any record (a syntax error that ends an
//! array, an empty input) are a test case of their own, `input`.
//!
//! JUnit puts counts in the opening tags (`<testsuite tests="..." failures="...">`, and the
//! totals on `<testsuites>`), before the test cases they count. So that memory does not grow
//! with the number of records, the test cases of the current file are written to a temporary
//! file (deleted on creation where the system allows, else when the report is done) and copied
//! after their suite's opening tag when the file ends; suites go to a second temporary file,
//! copied after the root's opening tag at the end. Memory stays constant; the disk holds at most
//! twice the report. The XML declaration, which counts nothing, is written and flushed as
//! soon as the first record (or finding) is checked, so that a reader waiting for a first line
//! (`| head -1`) gets one and, by going away, lets the run stop reading an endless input;
//! as in the formats that stream, the run has then checked what its exit status reports. Without a writable temporary directory the spills stay in memory up to
//! [`MEMORY_SPILL_CAP`] each; past that the report fails with an error naming `TMPDIR`, rather
//! than let memory follow the number of records.

use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Cursor, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use enquiry_validator::{Finding, RecordOutcome, Severity, Summary};

use super::{message_with_suggestion, terminal_safe, ContractCounts, Reporter};

/// The most a spill holds in memory when no temporary file can be created.
pub const MEMORY_SPILL_CAP: u64 = 16 * 1024 * 1024;

/// The report's first line.
const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Storage that can be written, then read back from the start.
trait Storage: Read + Write + Seek {}
impl<T: Read + Write + Seek> Storage for T {}

/// A temporary file (or, failing that, a buffer) written once and copied out.
struct Spill {
    storage: Box<dyn Storage>,
    /// The file to remove when done, where it could not be removed on creation.
    path: Option<PathBuf>,
}

impl Spill {
    fn new() -> Spill {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "enquiry-junit-{}-{}.xml",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path);
        match file {
            Ok(file) => {
                // An open file outlives its name on Unix: nothing is left behind on a crash.
                let unlinked = cfg!(unix) && std::fs::remove_file(&path).is_ok();
                Spill {
                    storage: Box::new(BufferedFile(BufWriter::new(file))),
                    path: (!unlinked).then_some(path),
                }
            }
            Err(err) => Spill {
                storage: Box::new(CappedBuffer {
                    inner: Cursor::new(Vec::new()),
                    why: err.to_string(),
                }),
                path: None,
            },
        }
    }

    /// Copies everything written so far to `out` and empties the spill.
    fn drain_into(&mut self, out: &mut dyn Write) -> io::Result<()> {
        self.storage.flush()?;
        let end = self.storage.stream_position()?;
        self.storage.seek(SeekFrom::Start(0))?;
        io::copy(&mut BufReader::new((&mut self.storage).take(end)), out)?;
        self.storage.seek(SeekFrom::Start(0))?;
        Ok(())
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The in-memory spill: at most [`MEMORY_SPILL_CAP`] bytes.
struct CappedBuffer {
    inner: Cursor<Vec<u8>>,
    /// Why no temporary file could be created.
    why: String,
}

impl Write for CappedBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.inner.position() + buf.len() as u64 > MEMORY_SPILL_CAP {
            return Err(io::Error::other(format!(
                "the JUnit report needs a writable temporary directory (set TMPDIR) beyond {} MiB: {}",
                MEMORY_SPILL_CAP >> 20,
                self.why
            )));
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Read for CappedBuffer {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl Seek for CappedBuffer {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// A file written through a buffer and read back directly (the buffer is flushed first).
struct BufferedFile(BufWriter<File>);

impl Read for BufferedFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.flush()?;
        self.0.get_mut().read(buf)
    }
}

impl Write for BufferedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Seek for BufferedFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.0.seek(pos)
    }
}

/// Test counts of a suite, or of the whole report.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    tests: u64,
    failures: u64,
    errors: u64,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.errors += other.errors;
    }

    fn attributes(self) -> String {
        format!(
            "tests=\"{}\" skipped=\"0\" failures=\"{}\" errors=\"{}\"",
            self.tests, self.failures, self.errors
        )
    }
}

/// The file being reported: its test suite, open until the file ends.
struct Suite {
    /// The file's name, [`xml_safe`].
    file: String,
    counts: Counts,
    /// Its records (test cases other than `input`).
    records: u64,
    /// Its records per contract: the suite's name says which contract was checked.
    contracts: ContractCounts,
}

impl Suite {
    /// The file's name, followed by the contract of its records when they are not all
    /// enquiry records (`events.ndjson (event)`): the suite name is what every JUnit
    /// consumer shows.
    fn name(&self) -> String {
        match self.contracts.label(self.records) {
            Some(label) => format!("{} ({})", self.file, xml_safe(&label)),
            None => self.file.clone(),
        }
    }

    /// The `contract` property (the names of the contracts of its records), for the
    /// consumers that read suite properties; empty when no record was in a contract.
    fn properties(&self) -> String {
        let names: Vec<&str> = self.contracts.iter().map(|(name, _)| name).collect();
        if names.is_empty() {
            return String::new();
        }
        format!(
            "        <properties>\n            <property name=\"contract\" value=\"{}\"/>\n        </properties>\n",
            escape(&xml_safe(&names.join(", ")))
        )
    }
}

/// The JUnit renderer (streams through spill files, writes at the end).
pub struct JunitReporter<'w> {
    out: Box<dyn Write + 'w>,
    /// Test cases of the current file.
    cases: Spill,
    /// Finished suites.
    suites: Spill,
    /// The current file's suite, between `begin_file` and `end_file`.
    suite: Option<Suite>,
    total: Counts,
    file_level: Vec<Finding>,
    /// Whether the XML declaration is written.
    started: bool,
}

impl<'w> JunitReporter<'w> {
    /// A renderer writing to `out`.
    pub fn new(out: Box<dyn Write + 'w>) -> JunitReporter<'w> {
        JunitReporter {
            out,
            cases: Spill::new(),
            suites: Spill::new(),
            suite: None,
            total: Counts::default(),
            file_level: Vec::new(),
            started: false,
        }
    }

    /// Writes and flushes the XML declaration, once: the rest waits for the counts.
    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            self.out.write_all(XML_DECLARATION.as_bytes())?;
            self.out.flush()?;
        }
        Ok(())
    }

    /// Writes a test case for `findings` into the current suite.
    fn case(&mut self, name: &str, findings: &[Finding]) -> io::Result<()> {
        let Some(Suite { file, counts, .. }) = self.suite.as_mut() else {
            return Ok(());
        };
        counts.tests += 1;
        let errors: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        let warnings: Vec<String> = findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .map(describe)
            .collect();
        let out = &mut self.cases.storage;
        write!(
            out,
            "        <testcase name=\"{}\" classname=\"{}\"",
            escape(name),
            escape(file)
        )?;
        if errors.is_empty() && warnings.is_empty() {
            return out.write_all(b"/>\n");
        }
        out.write_all(b">\n")?;
        if let Some(first) = errors.first() {
            counts.failures += 1;
            let message = if errors.len() == 1 {
                xml_safe(&first.message)
            } else {
                format!(
                    "{} errors; first: {}",
                    errors.len(),
                    xml_safe(&first.message)
                )
            };
            let text: Vec<String> = errors.iter().map(|finding| describe(finding)).collect();
            writeln!(
                out,
                "            <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(&message),
                first.code.as_str(),
                escape(&text.join("\n"))
            )?;
        }
        if !warnings.is_empty() {
            writeln!(
                out,
                "            <system-out>{}</system-out>",
                escape(&warnings.join("\n"))
            )?;
        }
        out.write_all(b"        </testcase>\n")
    }

    /// Moves the current suite, opening tag, cases and closing tag, to the suites' spill.
    fn close_suite(&mut self) -> io::Result<()> {
        let Some(suite) = self.suite.take() else {
            return Ok(());
        };
        write!(
            self.suites.storage,
            "    <testsuite name=\"{}\" {}>\n{}",
            escape(&suite.name()),
            suite.counts.attributes(),
            suite.properties()
        )?;
        self.cases.drain_into(&mut self.suites.storage)?;
        self.suites.storage.write_all(b"    </testsuite>\n")?;
        self.total.add(suite.counts);
        Ok(())
    }
}

/// `file:line:column: error[code] at /pointer: message (did you mean ...)`.
fn describe(finding: &Finding) -> String {
    let mut text = format!(
        "{}:{}:{}: {}[{}]",
        finding.file, finding.line, finding.column, finding.severity, finding.code
    );
    if !finding.pointer.as_str().is_empty() {
        text.push_str(&format!(" at {}", finding.pointer));
    }
    text.push_str(&format!(": {}", message_with_suggestion(finding)));
    xml_safe(&text)
}

/// Text XML 1.0 can carry whatever the input held: control characters escaped as for a
/// terminal (XML 1.0 forbids most of them, even as character references), and the two
/// non-characters it also forbids, U+FFFE and U+FFFF, escaped the same way.
fn xml_safe(text: &str) -> String {
    terminal_safe(text)
        .replace('\u{fffe}', "\\u{fffe}")
        .replace('\u{ffff}', "\\u{ffff}")
}

/// Input-derived text for XML 1.0 content and attribute values alike: [`xml_safe`], then
/// the markup characters as entities.
pub fn xml_text(text: &str) -> String {
    escape(&xml_safe(text))
}

/// XML markup characters as entities (for text and attribute values alike); the text must
/// already be [`xml_safe`].
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

impl Reporter for JunitReporter<'_> {
    fn begin_file(&mut self, file: &str) -> io::Result<()> {
        self.close_suite()?;
        self.suite = Some(Suite {
            file: xml_safe(file),
            counts: Counts::default(),
            records: 0,
            contracts: ContractCounts::default(),
        });
        self.file_level.clear();
        Ok(())
    }

    fn record(&mut self, outcome: &RecordOutcome) -> io::Result<()> {
        self.start()?;
        if let Some(suite) = self.suite.as_mut() {
            suite.records += 1;
            suite.contracts.count(outcome);
        }
        let name = format!("record {} (line {})", outcome.record, outcome.line);
        self.case(&name, &outcome.findings)
    }

    /// An unreadable input is a suite of its own with one failing case, so the run cannot
    /// look green.
    fn unreadable(&mut self, file: &str, message: &str) -> io::Result<()> {
        self.start()?;
        self.close_suite()?;
        let file = escape(&xml_safe(file));
        let counts = Counts {
            tests: 1,
            failures: 0,
            errors: 1,
        };
        write!(
            self.suites.storage,
            "    <testsuite name=\"{file}\" {}>\n        <testcase name=\"input\" classname=\"{file}\">\n            <error message=\"{}\" type=\"unreadable\"/>\n        </testcase>\n    </testsuite>\n",
            counts.attributes(),
            escape(&xml_safe(&format!("cannot read the input: {message}"))),
        )?;
        self.total.add(counts);
        Ok(())
    }

    /// Findings outside a record; those of records arrive whole, through `record`.
    fn finding(&mut self, finding: &Finding) -> io::Result<()> {
        self.start()?;
        self.file_level.push(finding.clone());
        Ok(())
    }

    fn end_file(&mut self, _file: &str, _summary: &Summary) -> io::Result<()> {
        if !self.file_level.is_empty() {
            let findings = std::mem::take(&mut self.file_level);
            self.case("input", &findings)?;
        }
        self.close_suite()
    }

    fn finish(&mut self, _summary: &Summary, _failed: bool) -> io::Result<()> {
        self.start()?;
        self.close_suite()?;
        writeln!(
            self.out,
            "<testsuites name=\"enquiry\" {}>",
            self.total.attributes()
        )?;
        self.suites.drain_into(&mut self.out)?;
        self.out.write_all(b"</testsuites>\n")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::render;

    #[test]
    fn junit_report() {
        let text = render(|out| Box::new(JunitReporter::new(Box::new(out))));
        insta::assert_snapshot!(text);
        assert!(text.starts_with("<?xml"));
        assert_eq!(text.matches("<testcase ").count(), 4);
        assert_eq!(text.matches("<failure ").count(), 3);
    }
}
