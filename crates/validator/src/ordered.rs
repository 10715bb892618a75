//! A pool of scoped worker threads that hands results back in submission order, with a bounded
//! window of work in flight.
//!
//! The reading thread submits numbered pieces of work; any worker takes the next one; results
//! come back in any order and wait in a reorder buffer until every earlier one has been
//! delivered. Memory is bounded twice: at most `max_pieces` pieces and `max_bytes` bytes of
//! input are submitted and not yet delivered (the submitter blocks, delivering what is ready,
//! until the window has room), so a slow consumer or one slow piece cannot make the buffer grow.
//!
//! The submitting thread is a serial stage (for arrays it reads and scans the items), so the
//! workers after the first take a piece only while a few wait ([`crate::gate`]).

use std::collections::{BTreeMap, VecDeque};
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::thread::Scope;

use crate::gate::{self, WorkQueue};

/// The submitting side of the pool: owns the reorder buffer and the window.
pub(crate) struct Ordered<W, R> {
    queue: Arc<WorkQueue<(u64, W)>>,
    result_rx: Receiver<(u64, R)>,
    ready: BTreeMap<u64, R>,
    /// Input bytes of the pieces submitted and not yet delivered, oldest first.
    sizes: VecDeque<usize>,
    in_flight_bytes: usize,
    sent: u64,
    delivered: u64,
    max_pieces: u64,
    max_bytes: usize,
}

impl<W: Send, R: Send> Ordered<W, R> {
    /// Starts `jobs` workers in `scope`, each with its own state `S`, running `process`.
    pub fn start<'scope, 'env, S, F>(
        scope: &'scope Scope<'scope, 'env>,
        jobs: usize,
        max_bytes: usize,
        process: &'scope F,
    ) -> Ordered<W, R>
    where
        W: 'scope,
        R: 'scope,
        S: Default,
        F: Fn(&mut S, W) -> R + Sync,
    {
        let jobs = jobs.max(1);
        // The submitting thread is a serial stage beside the workers (see `gate`).
        let queue = Arc::new(WorkQueue::new(jobs, gate::DEPTH));
        let (result_tx, result_rx) = mpsc::channel::<(u64, R)>();
        for index in 0..jobs {
            let queue = Arc::clone(&queue);
            let result_tx = result_tx.clone();
            scope.spawn(move || {
                let mut state = S::default();
                while let Some((seq, work)) = queue.take(index) {
                    if result_tx.send((seq, process(&mut state, work))).is_err() {
                        return;
                    }
                }
            });
        }
        Ordered {
            queue,
            result_rx,
            ready: BTreeMap::new(),
            sizes: VecDeque::new(),
            in_flight_bytes: 0,
            sent: 0,
            delivered: 0,
            max_pieces: (jobs * 2 + 2) as u64,
            max_bytes,
        }
    }

    /// Submits `work` (`bytes` of input), first delivering results in order until the window
    /// has room for it.
    pub fn submit(&mut self, work: W, bytes: usize, deliver: &mut dyn FnMut(R)) {
        while self.sent > self.delivered
            && (self.sent - self.delivered >= self.max_pieces
                || self.in_flight_bytes + bytes > self.max_bytes)
        {
            if !self.receive_one(deliver) {
                break;
            }
        }
        while let Ok((seq, out)) = self.result_rx.try_recv() {
            self.ready.insert(seq, out);
        }
        self.deliver_ready(deliver);
        if self.queue.put((self.sent, work)) {
            self.sizes.push_back(bytes);
            self.in_flight_bytes += bytes;
            self.sent += 1;
        }
    }

    /// Delivers every submitted piece's result, in order.
    pub fn drain(&mut self, deliver: &mut dyn FnMut(R)) {
        while self.delivered < self.sent {
            if !self.receive_one(deliver) {
                return;
            }
        }
    }

    /// Delivers every result and lets the workers end.
    pub fn finish(mut self, deliver: &mut dyn FnMut(R)) {
        // Nothing more comes: the workers take what is queued, then end.
        self.queue.end();
        self.drain(deliver);
    }

    /// Waits for one result and delivers what is then ready; false when no worker is left.
    fn receive_one(&mut self, deliver: &mut dyn FnMut(R)) -> bool {
        match self.result_rx.recv() {
            Ok((seq, out)) => {
                self.ready.insert(seq, out);
                self.deliver_ready(deliver);
                true
            }
            Err(_) => false,
        }
    }

    fn deliver_ready(&mut self, deliver: &mut dyn FnMut(R)) {
        while let Some(out) = self.ready.remove(&self.delivered) {
            self.in_flight_bytes -= self.sizes.pop_front().unwrap_or(0);
            self.delivered += 1;
            deliver(out);
        }
    }
}

impl<W, R> Drop for Ordered<W, R> {
    /// However the submitting code ends, a panic too, gated workers must stop waiting so that
    /// the scope can join them.
    fn drop(&mut self) {
        self.queue.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_submission_order_whatever_the_finishing_order() {
        let process = |_: &mut (), n: u64| {
            // Later pieces finish first.
            std::thread::sleep(std::time::Duration::from_millis((20 - n) % 5));
            n * 10
        };
        let mut seen = Vec::new();
        std::thread::scope(|scope| {
            let mut pool = Ordered::start(scope, 3, 1000, &process);
            for n in 0..20 {
                pool.submit(n, 10, &mut |out| seen.push(out));
                assert!(pool.sent - pool.delivered <= pool.max_pieces);
            }
            pool.finish(&mut |out| seen.push(out));
        });
        assert_eq!(seen, (0..20).map(|n| n * 10).collect::<Vec<_>>());
    }

    #[test]
    fn a_pool_dropped_unfinished_lets_its_gated_workers_end() {
        // Two pieces never open the gate of the workers after the first: dropped without
        // `finish` (as when the submitting code panics), the pool still lets them end, and the
        // scope's join returns.
        let (done_tx, done_rx) = mpsc::channel();
        // On a thread of its own, so that a failure is an assertion, not a hung test.
        std::thread::spawn(move || {
            let process = |_: &mut (), n: u64| n;
            std::thread::scope(|scope| {
                let mut pool = Ordered::start(scope, 4, 1000, &process);
                for n in 0..2 {
                    pool.submit(n, 10, &mut |_| {});
                }
                drop(pool);
            });
            let _ = done_tx.send(());
        });
        let ended = done_rx.recv_timeout(std::time::Duration::from_secs(10));
        assert!(ended.is_ok(), "the workers still wait at the gate");
    }

    #[test]
    fn the_byte_window_bounds_what_is_in_flight() {
        let process = |_: &mut (), n: usize| n;
        let mut seen = Vec::new();
        std::thread::scope(|scope| {
            let mut pool = Ordered::start(scope, 2, 100, &process);
            for n in 0..50 {
                pool.submit(n, 40, &mut |out| seen.push(out));
                assert!(
                    pool.in_flight_bytes <= 100,
                    "{} bytes",
                    pool.in_flight_bytes
                );
            }
            pool.finish(&mut |out| seen.push(out));
        });
        assert_eq!(seen, (0..50).collect::<Vec<_>>());
    }
}
