//! `enquiry_contract._native`: the Rust half of the `enquiry-contract` Python package.
//!
//! The wheel (built by maturin from `python/pyproject.toml`) holds this extension module and a
//! thin pure-Python package, `enquiry_contract`, that checks argument types, turns paths and
//! label lists into what this module takes, and documents the API. The split is deliberate:
//! argument juggling and error wording are easiest to read in Python, while everything that
//! touches the payload bytes happens here, with the GIL released.
//!
//! * [`Validator`]: a configured `enquiry_validator::Validator` (profile, label and channel
//!   lists, masking). `validate` checks bytes (borrowed from the Python `bytes` object, never
//!   copied), `validate_path` streams a file, `iter_findings` streams either through a bounded
//!   channel fed by a worker thread ([`stream`]), and `validate_arrow` checks an Arrow string or
//!   binary column imported through the Arrow C data interface ([`arrow`]).
//! * [`report`]: `Finding`, `Summary` and `Report`, typed Python objects with the fields of the
//!   JSON report (`enquiry validate --format json`), serialised by the same serde code.
//! * [`fake`] and [`schema`]: `enquiry-fake` records with their labels, and the generated JSON
//!   Schema as text.
//! * [`run_cli`]: the whole `enquiry` command line (`enquiry_cli::run`), which the wheel's
//!   `enquiry` console script calls, so that the command behaves exactly as the Rust binary.
//!
//! Errors: a bad argument value is `ValueError`, a wrong type `TypeError` (both mostly raised by
//! the Python half), and a problem with an input or a list file is `EnquiryError`, carrying the
//! CLI's one-line message without its `enquiry validate: ` prefix.
#![deny(missing_docs)]

mod arrow;
mod report;
mod stream;

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write;
use std::sync::Arc;

use enquiry_fake::{Generator, InvalidRate, Options};
use enquiry_report::JsonReport;
use enquiry_schema::contract::Contract;
use enquiry_schema::contracts as tables;
use enquiry_schema::json_schema::{contract_schema, to_canonical_string, Draft, Profile};
use enquiry_validator::config::{parse_channel_list, parse_label_list};
use enquiry_validator::{Config, Pointer};
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

pyo3::create_exception!(
    _native,
    EnquiryError,
    PyException,
    "An input, a label list or a channel list could not be read or understood; the message is the CLI's."
);

/// The worker threads for one input: one per CPU, as the CLI's default `--jobs`.
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

fn parse_profile(profile: &str) -> PyResult<Profile> {
    match profile {
        "default" => Ok(Profile::Default),
        "strict" => Ok(Profile::Strict),
        other => Err(PyValueError::new_err(format!(
            "profile {other:?} is not a profile; expected one of: default, strict"
        ))),
    }
}

/// Checks a contract name; `None` means detected from the input.
/// The contract named `contract`; `None` (detect per record, as the CLI does) when no name
/// is given.
fn check_contract(contract: Option<&str>) -> PyResult<Option<&'static Contract>> {
    let Some(name) = contract else {
        return Ok(None);
    };
    tables::by_name(name).map(Some).ok_or_else(|| {
        PyValueError::new_err(format!(
            "contract {name:?} is not a contract; expected one of: {}",
            contract_names().join(", ")
        ))
    })
}

/// The names `contract=` takes, as `--contract` does.
fn contract_names() -> Vec<&'static str> {
    tables::ALL.iter().map(|contract| contract.name).collect()
}

/// A label or channel allowlist as the Python half hands it over: the IDs themselves, or the
/// bytes of a list file with the name to quote in errors.
#[derive(FromPyObject)]
enum ListArg {
    Ids(Vec<String>),
    File((String, Vec<u8>)),
}

fn read_list(
    arg: Option<ListArg>,
    parse: fn(&[u8]) -> Result<BTreeSet<String>, enquiry_validator::ConfigError>,
) -> PyResult<Option<BTreeSet<String>>> {
    Ok(match arg {
        None => None,
        Some(ListArg::Ids(ids)) => Some(ids.into_iter().collect()),
        Some(ListArg::File((name, bytes))) => {
            Some(parse(&bytes).map_err(|err| EnquiryError::new_err(format!("{name}: {err}")))?)
        }
    })
}

/// A configured validator, reusable across calls and threads (as jsonschema-rs's validator
/// objects are).
#[pyclass(frozen, module = "enquiry_contract._native")]
struct Validator {
    inner: Arc<enquiry_validator::Validator>,
}

#[pymethods]
impl Validator {
    #[new]
    #[pyo3(signature = (*, profile="default", contract=None, labels=None, channels=None, pointer=None, show_values=false, max_record_size=None))]
    #[allow(
        clippy::too_many_arguments,
        reason = "keyword-only options of the Python API"
    )]
    fn new(
        profile: &str,
        contract: Option<&str>,
        labels: Option<ListArg>,
        channels: Option<ListArg>,
        pointer: Option<String>,
        show_values: bool,
        max_record_size: Option<usize>,
    ) -> PyResult<Validator> {
        let contract = check_contract(contract)?;
        let mut config = Config::with_profile(parse_profile(profile)?);
        config.contract = contract;
        config.labels = read_list(labels, parse_label_list)?;
        config.channels = read_list(channels, parse_channel_list)?;
        if let Some(pointer) = &pointer {
            if Pointer::parse(pointer).is_none() {
                return Err(PyValueError::new_err(format!(
                    "pointer {pointer:?} is not a JSON Pointer (it must be empty or start with `/`)"
                )));
            }
        }
        config.pointer = pointer;
        config.show_values = show_values;
        if let Some(size) = max_record_size {
            config.max_record_size = size;
        }
        Ok(Validator {
            inner: Arc::new(enquiry_validator::Validator::new(config)),
        })
    }

    /// Validates an input held in a `bytes` object (any shape, gzip included). `jobs`: worker
    /// threads for NDJSON (default: one per CPU).
    #[pyo3(signature = (data, name="-", jobs=None))]
    fn validate(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyBytes>,
        name: &str,
        jobs: Option<usize>,
    ) -> PyResult<report::Report> {
        let bytes = data.as_bytes();
        let validator = &self.inner;
        let jobs = jobs.unwrap_or_else(default_jobs).max(1);
        let report = py.detach(|| {
            let mut report = JsonReport::default();
            report.summary =
                validator.validate_bytes(bytes, name, jobs, &mut |event| report.add(event));
            report
        });
        report::Report::new(py, report)
    }

    /// Validates a file, streamed in bounded memory; the findings' `file` is `path` as given.
    #[pyo3(signature = (path, jobs=None))]
    fn validate_path(
        &self,
        py: Python<'_>,
        path: &str,
        jobs: Option<usize>,
    ) -> PyResult<report::Report> {
        let file = File::open(path).map_err(|err| io_error(path, &err))?;
        let validator = &self.inner;
        let jobs = jobs.unwrap_or_else(default_jobs).max(1);
        let report = py.detach(|| {
            let mut report = JsonReport::default();
            validator
                .validate_stream(file, path, jobs, &mut |event| report.add(event))
                .map(|summary| JsonReport { summary, ..report })
        });
        let report = report.map_err(|err| io_error(path, &err))?;
        report::Report::new(py, report)
    }

    /// The findings of a `bytes` input, one at a time, from a worker thread.
    #[pyo3(signature = (data, name="-"))]
    fn iter_bytes(&self, data: &Bound<'_, PyBytes>, name: &str) -> stream::FindingIter {
        let bytes = data.as_bytes().to_vec();
        stream::FindingIter::start(self.inner.clone(), name.to_owned(), move || {
            Ok(std::io::Cursor::new(bytes))
        })
    }

    /// The findings of a file, one at a time, read and checked by a worker thread in bounded
    /// memory.
    fn iter_path(&self, path: &str) -> PyResult<stream::FindingIter> {
        let file = File::open(path).map_err(|err| io_error(path, &err))?;
        Ok(stream::FindingIter::start(
            self.inner.clone(),
            path.to_owned(),
            move || Ok(file),
        ))
    }

    /// Checks each row of an Arrow string or binary array (imported through the C data
    /// interface from the `(schema, array)` capsules of `__arrow_c_array__`) as one record.
    /// Returns an object whose `__arrow_c_array__` gives the findings as a struct array; row
    /// indices start at `row_offset`.
    fn validate_arrow(
        &self,
        py: Python<'_>,
        schema: &Bound<'_, PyAny>,
        array: &Bound<'_, PyAny>,
        row_offset: u64,
    ) -> PyResult<arrow::ArrowFindings> {
        arrow::validate(py, &self.inner, schema, array, row_offset)
    }
}

/// The CLI's message for an unreadable input, without its `enquiry validate: ` prefix.
fn io_error(path: &str, err: &std::io::Error) -> PyErr {
    EnquiryError::new_err(format!("{path}: {err}"))
}

/// The records' bytes and the mutants' `(record, pointer, code)` labels.
type FakeOutput<'py> = (Vec<Bound<'py, PyBytes>>, Vec<(u64, String, String)>);
/// Fake payloads and their labels before they become Python objects.
type FakeParts = (Vec<Vec<u8>>, Vec<(u64, String, String)>);

/// Fake records: `(records, labels)`, each record's bytes as `enquiry fake` writes its line,
/// and one `(record, pointer, code)` label per mutant, as `--manifest` lists them.
#[pyfunction]
#[pyo3(signature = (count, seed, invalid_rate="0", contract=None))]
fn fake<'py>(
    py: Python<'py>,
    count: u64,
    seed: u64,
    invalid_rate: &str,
    contract: Option<&str>,
) -> PyResult<FakeOutput<'py>> {
    let contract = check_contract(contract)?.unwrap_or(&tables::RECORD);
    let invalid = InvalidRate::parse(invalid_rate)
        .map_err(|err| PyValueError::new_err(format!("invalid_rate: {err}")))?;
    let generator = Generator::new(Options {
        seed,
        invalid,
        ..Options::default()
    })
    .map_err(|err| PyValueError::new_err(err.to_string()))?;
    let events = contract.name == tables::EVENT.name;
    if !events && contract.name != tables::RECORD.name {
        return Err(PyValueError::new_err(format!(
            "fake makes records and events, not {}s",
            contract.name
        )));
    }
    let (records, labels) = py.detach(|| {
        if events {
            fake_events(&generator, count)
        } else {
            fake_records(&generator, count)
        }
    })?;
    let records = records
        .iter()
        .map(|record| PyBytes::new(py, record))
        .collect();
    Ok((records, labels))
}

/// Fake records, one buffer each, with their labels.
fn fake_records(generator: &Generator, count: u64) -> PyResult<FakeParts> {
    let mut records = Vec::with_capacity(usize::try_from(count).unwrap_or(0).min(1 << 20));
    let mut labels = Vec::new();
    for index in 0..count {
        let mut out = Vec::new();
        if let Some(label) = generator.record(index, &mut out) {
            labels.push((label.record, label.pointer, label.code));
        }
        records.push(out);
    }
    Ok((records, labels))
}

/// Fake events as `enquiry fake --contract event` writes them, one buffer each, with their
/// labels.
fn fake_events(generator: &Generator, count: u64) -> PyResult<FakeParts> {
    let mut labels = Vec::new();
    let mut text = Vec::new();
    generator
        .write_events_with(count, &mut text, false, |label| {
            labels.push((label.record, label.pointer, label.code));
        })
        .map_err(|err| EnquiryError::new_err(err.to_string()))?;
    let events = text
        .split(|&byte| byte == b'\n')
        .filter(|line| !line.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    Ok((events, labels))
}

/// The generated JSON Schema of a contract, as canonical JSON text.
#[pyfunction]
#[pyo3(signature = (contract=None, strict=false, draft="2020-12"))]
fn schema(contract: Option<&str>, strict: bool, draft: &str) -> PyResult<String> {
    let contract = check_contract(contract)?.unwrap_or(&tables::RECORD);
    let draft = match draft {
        "2020-12" => Draft::Draft2020_12,
        "07" => Draft::Draft07,
        other => {
            return Err(PyValueError::new_err(format!(
                "draft {other:?} is not a JSON Schema draft; expected one of: 2020-12, 07"
            )))
        }
    };
    let profile = if strict {
        Profile::Strict
    } else {
        Profile::Default
    };
    Ok(to_canonical_string(&contract_schema(
        contract, profile, draft,
    )))
}

/// Runs the `enquiry` command line (`argv[0]` is the program name) and returns its exit
/// status. The GIL is released: the command may run for long and prints straight to the
/// process's standard output and error.
#[pyfunction]
fn run_cli(py: Python<'_>, argv: Vec<String>) -> u8 {
    py.detach(|| {
        let status = enquiry_cli::run(argv);
        // A Rust binary flushes its standard output on exit; an extension module must do it
        // itself, or a last line without a newline would be lost.
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        status
    })
}

/// The contracts `contract=` accepts.
#[pyfunction]
fn contracts() -> Vec<&'static str> {
    contract_names()
}

/// The extension module.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("EnquiryError", module.py().get_type::<EnquiryError>())?;
    module.add_class::<Validator>()?;
    module.add_class::<report::Finding>()?;
    module.add_class::<report::Summary>()?;
    module.add_class::<report::Report>()?;
    module.add_class::<stream::FindingIter>()?;
    module.add_class::<arrow::ArrowFindings>()?;
    module.add_function(wrap_pyfunction!(fake, module)?)?;
    module.add_function(wrap_pyfunction!(schema, module)?)?;
    module.add_function(wrap_pyfunction!(run_cli, module)?)?;
    module.add_function(wrap_pyfunction!(contracts, module)?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
