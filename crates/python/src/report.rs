//! `Finding`, `Summary` and `Report` as Python objects.
//!
//! Each wraps the validator's own value, so that the attributes and `to_json()` are exactly the
//! JSON report's (`enquiry validate --format json`): the same serde derive writes both.

use enquiry_report::{ContractSummary, JsonReport, JsonSummary};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

fn to_json<T: serde::Serialize>(value: &T) -> String {
    // Findings and summaries hold only strings and integers: serialising cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

/// One defect: where (`file`, `record`, `line`, `column`, `pointer`), which rule (`code`), how
/// bad (`severity`), and a one-line `message`, with `expected` and `suggestion` when known.
#[pyclass(frozen, eq, module = "enquiry_contract._native")]
#[derive(PartialEq)]
pub struct Finding {
    pub(crate) inner: enquiry_validator::Finding,
}

#[pymethods]
impl Finding {
    /// The file, as named to the validator (`-` for bytes).
    #[getter]
    fn file(&self) -> &str {
        &self.inner.file
    }
    /// The 0-based index of the record in its input.
    #[getter]
    fn record(&self) -> u64 {
        self.inner.record
    }
    /// 1-based line of the offending value.
    #[getter]
    fn line(&self) -> u64 {
        self.inner.line
    }
    /// 1-based column, in characters.
    #[getter]
    fn column(&self) -> u64 {
        self.inner.column
    }
    /// RFC 6901 pointer, relative to the record.
    #[getter]
    fn pointer(&self) -> &str {
        self.inner.pointer.as_str()
    }
    /// The rule's stable kebab-case id.
    #[getter]
    fn code(&self) -> &'static str {
        self.inner.code.as_str()
    }
    /// `error` or `warning`.
    #[getter]
    fn severity(&self) -> &'static str {
        self.inner.severity.as_str()
    }
    /// One line, naming what was expected; personal values masked unless `show_values`.
    #[getter]
    fn message(&self) -> &str {
        &self.inner.message
    }
    /// What the rule expected, when short enough to state.
    #[getter]
    fn expected(&self) -> Option<&str> {
        self.inner.expected.as_deref()
    }
    /// A likely fix.
    #[getter]
    fn suggestion(&self) -> Option<&str> {
        self.inner.suggestion.as_deref()
    }
    /// The finding as one JSON object, as the JSON report writes it.
    fn to_json(&self) -> String {
        to_json(&self.inner)
    }
    fn __str__(&self) -> String {
        self.inner.to_string()
    }
    fn __repr__(&self) -> String {
        format!(
            "Finding(code={:?}, pointer={:?}, record={}, line={}, column={}, severity={:?})",
            self.inner.code.as_str(),
            self.inner.pointer.as_str(),
            self.inner.record,
            self.inner.line,
            self.inner.column,
            self.inner.severity.as_str()
        )
    }
}

/// Counts over an input, as the JSON report's `summary`, with each contract's.
#[pyclass(frozen, eq, module = "enquiry_contract._native")]
#[derive(PartialEq)]
pub struct Summary {
    pub(crate) inner: enquiry_validator::Summary,
    pub(crate) contracts: ContractSummary,
}

#[pymethods]
impl Summary {
    /// Inputs read.
    #[getter]
    fn files(&self) -> u64 {
        self.inner.files
    }
    /// Records checked.
    #[getter]
    fn records(&self) -> u64 {
        self.inner.records
    }
    /// Records with no error.
    #[getter]
    fn valid(&self) -> u64 {
        self.inner.valid
    }
    /// Records with at least one error.
    #[getter]
    fn invalid(&self) -> u64 {
        self.inner.invalid
    }
    /// Error findings.
    #[getter]
    fn errors(&self) -> u64 {
        self.inner.errors
    }
    /// Warning findings.
    #[getter]
    fn warnings(&self) -> u64 {
        self.inner.warnings
    }
    /// Per contract checked (`record`, `event`, ...), its records' counts: a dict of dicts
    /// with `records`, `valid`, `invalid`, `errors` and `warnings`, as the JSON report's
    /// `summary.contracts`.
    #[getter]
    fn contracts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let contracts = PyDict::new(py);
        for (name, totals) in self.contracts.iter() {
            let counts = PyDict::new(py);
            counts.set_item("records", totals.records)?;
            counts.set_item("valid", totals.valid)?;
            counts.set_item("invalid", totals.invalid)?;
            counts.set_item("errors", totals.errors)?;
            counts.set_item("warnings", totals.warnings)?;
            contracts.set_item(name, counts)?;
        }
        Ok(contracts)
    }
    /// The summary as one JSON object, as the JSON report's `summary`.
    fn to_json(&self) -> String {
        to_json(&JsonSummary {
            counts: &self.inner,
            contracts: &self.contracts,
        })
    }
    fn __repr__(&self) -> String {
        let s = &self.inner;
        format!(
            "Summary(files={}, records={}, valid={}, invalid={}, errors={}, warnings={})",
            s.files, s.records, s.valid, s.invalid, s.errors, s.warnings
        )
    }
}

/// Everything found in an input: `summary` and every finding, in input order.
#[pyclass(frozen, module = "enquiry_contract._native")]
pub struct Report {
    summary: Py<Summary>,
    findings: Py<PyList>,
    inner: JsonReport,
}

impl Report {
    /// Wraps a report; the Python `Finding` objects are made here, once.
    pub(crate) fn new(py: Python<'_>, report: JsonReport) -> PyResult<Report> {
        let summary = Py::new(
            py,
            Summary {
                inner: report.summary,
                contracts: report.contracts.clone(),
            },
        )?;
        let findings = PyList::empty(py);
        for finding in &report.findings {
            findings.append(Finding {
                inner: finding.clone(),
            })?;
        }
        Ok(Report {
            summary,
            findings: findings.unbind(),
            inner: report,
        })
    }
}

#[pymethods]
impl Report {
    /// The counts.
    #[getter]
    fn summary(&self, py: Python<'_>) -> Py<Summary> {
        self.summary.clone_ref(py)
    }
    /// Every finding, in input order.
    #[getter]
    fn findings(&self, py: Python<'_>) -> Py<PyList> {
        self.findings.clone_ref(py)
    }
    /// Whether no finding is an error (warnings allowed).
    fn is_valid(&self) -> bool {
        self.inner.summary.errors == 0
    }
    /// The report as `enquiry validate --format json` writes it:
    /// `{"version": 1, "findings": [...], "summary": {...}}`.
    fn to_json(&self) -> String {
        let findings: Vec<String> = self.inner.findings.iter().map(to_json).collect();
        format!(
            "{{\"version\": {}, \"findings\": [{}], \"summary\": {}}}",
            enquiry_report::JSON_REPORT_VERSION,
            findings.join(", "),
            to_json(&self.inner.json_summary())
        )
    }
    fn __len__(&self) -> usize {
        self.inner.findings.len()
    }
    fn __repr__(&self) -> String {
        let s = &self.inner.summary;
        format!(
            "Report(records={}, valid={}, invalid={}, errors={}, warnings={})",
            s.records, s.valid, s.invalid, s.errors, s.warnings
        )
    }
}
