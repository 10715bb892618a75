//! `iter_findings`: findings one at a time while a worker thread reads and validates.
//!
//! The worker runs `Validator::validate_stream` and sends each record's findings through a
//! bounded channel, so that memory stays at a few chunks of input plus [`QUEUE_EVENTS`]
//! records' findings however large the input and however slowly Python consumes. `__next__`
//! waits on the channel with the GIL released. When the iterator is dropped before the end, the
//! worker's reader fails its next read, which ends `validate_stream` early: an abandoned
//! iterator stops reading the file.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use enquiry_report::ContractSummary;
use enquiry_validator::{Event, Validator};
use pyo3::exceptions::PyStopIteration;
use pyo3::prelude::*;

use crate::report::{Finding, Summary};
use crate::{default_jobs, io_error};

/// Records' worth of findings the worker may run ahead of the consumer.
const QUEUE_EVENTS: usize = 256;

/// What the worker sends: one record's (or the input's) findings, then the end with the
/// run's counts and each contract's.
enum Message {
    Findings(Vec<enquiry_validator::Finding>),
    Done(io::Result<(enquiry_validator::Summary, ContractSummary)>),
}

/// A reader that fails once its consumer is gone.
struct Cancellable<R> {
    inner: R,
    cancelled: Arc<AtomicBool>,
}

impl<R: Read> Read for Cancellable<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancelled.load(Ordering::Relaxed) {
            // Not `Interrupted`: read loops retry that one.
            return Err(io::Error::other("the iterator was dropped"));
        }
        self.inner.read(buf)
    }
}

/// The consumer's side.
struct State {
    receiver: Receiver<Message>,
    pending: VecDeque<enquiry_validator::Finding>,
    summary: Option<(enquiry_validator::Summary, ContractSummary)>,
    finished: bool,
}

/// An iterator over the findings of one input, in input order. After the last finding,
/// `summary` holds the counts.
#[pyclass(frozen, module = "enquiry_contract._native")]
pub struct FindingIter {
    name: String,
    state: Mutex<State>,
    cancelled: Arc<AtomicBool>,
}

impl FindingIter {
    /// Starts the worker on the reader that `open` makes (on the worker thread).
    pub(crate) fn start<R, F>(validator: Arc<Validator>, name: String, open: F) -> FindingIter
    where
        R: Read + Send,
        F: FnOnce() -> io::Result<R> + Send + 'static,
    {
        let (sender, receiver) = sync_channel(QUEUE_EVENTS);
        let cancelled = Arc::new(AtomicBool::new(false));
        let worker_cancelled = cancelled.clone();
        let file = name.clone();
        std::thread::spawn(move || {
            let result = open().and_then(|inner| {
                let reader = Cancellable {
                    inner,
                    cancelled: worker_cancelled.clone(),
                };
                let mut contracts = ContractSummary::default();
                validator
                    .validate_stream(reader, &file, default_jobs(), &mut |event| {
                        let findings = match event {
                            Event::Record(outcome) => {
                                contracts.count(&outcome);
                                outcome.findings
                            }
                            Event::Input(finding) => vec![*finding],
                        };
                        if !findings.is_empty() && sender.send(Message::Findings(findings)).is_err()
                        {
                            worker_cancelled.store(true, Ordering::Relaxed);
                        }
                    })
                    .map(|summary| (summary, contracts))
            });
            // The consumer may be gone: nothing to tell then.
            let _ = sender.send(Message::Done(result));
        });
        FindingIter {
            name,
            state: Mutex::new(State {
                receiver,
                pending: VecDeque::new(),
                summary: None,
                finished: false,
            }),
            cancelled,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-updated in a way that
        // matters: at worst a finding is lost from an iterator that already failed.
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

impl Drop for FindingIter {
    fn drop(&mut self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }
}

#[pymethods]
impl FindingIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Finding> {
        let next = py.detach(|| {
            let mut state = self.lock();
            loop {
                if let Some(finding) = state.pending.pop_front() {
                    return Ok(Some(finding));
                }
                if state.finished {
                    return Ok(None);
                }
                match state.receiver.recv() {
                    Ok(Message::Findings(findings)) => state.pending.extend(findings),
                    Ok(Message::Done(Ok(summary))) => {
                        state.summary = Some(summary);
                        state.finished = true;
                    }
                    Ok(Message::Done(Err(err))) => {
                        state.finished = true;
                        return Err(err);
                    }
                    Err(_) => {
                        state.finished = true;
                        return Err(io::Error::other("the validating thread stopped"));
                    }
                }
            }
        });
        match next {
            Ok(Some(finding)) => Ok(Finding { inner: finding }),
            Ok(None) => Err(PyStopIteration::new_err(())),
            Err(err) => Err(io_error(&self.name, &err)),
        }
    }

    /// The counts, once every finding has been taken; `None` before (also while another
    /// thread is waiting in `__next__`: this getter holds the GIL and must not wait for it).
    #[getter]
    fn summary(&self) -> Option<Summary> {
        let state = match self.state.try_lock() {
            Ok(state) => state,
            Err(TryLockError::Poisoned(poison)) => poison.into_inner(),
            Err(TryLockError::WouldBlock) => return None,
        };
        state.summary.as_ref().map(|(inner, contracts)| Summary {
            inner: *inner,
            contracts: contracts.clone(),
        })
    }
}
