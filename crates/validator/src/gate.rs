//! Lets the extra workers of a pipeline take work only while enough of it is queued.
//!
//! A compressed input is decoded by one thread, and the items of an array are cut by one
//! reading thread: such a stage is serial, and when it is the slower one, every worker that
//! runs beside it takes a share of the CPU it needs. With as many workers as cores, the
//! scheduler gives it `cores / (workers + 1)` of a core, the workers drain the queue, wait, and
//! a core stands idle while it catches up. So the first worker always takes work, and the
//! others only while at least `depth` pieces wait: the serial stage is then ahead, and an
//! extra worker costs it nothing it needs. When that stage is the faster one, the queue stays
//! full and every worker runs, as without a gate.

use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Condvar, Mutex, PoisonError};

/// The pieces that must wait in the queue before a worker after the first takes one: the
/// serial stage is then ahead. Measured on two cores, with 512 KiB zstd blocks (at 2 the queue
/// drained as soon as the second worker joined, at 6 the decoder had to run 3 MiB ahead first)
/// and with 2 MiB batches of array items (3 and 4 did best; 612 MB array, `--jobs 2`: 0.42-0.46
/// s without a gate, 0.39-0.43 s with it).
pub(crate) const DEPTH: usize = 3;

/// The count of pieces queued for workers, and whether more can come.
#[derive(Debug, Default)]
struct Queue {
    queued: usize,
    closed: bool,
}

/// See the module documentation. With `depth` 0 it never holds anyone back.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    depth: usize,
    queue: Mutex<Queue>,
    opened: Condvar,
}

impl Gate {
    /// A gate that opens at `depth` queued pieces.
    pub fn new(depth: usize) -> Gate {
        Gate {
            depth,
            ..Gate::default()
        }
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        // The count stays meaningful if a worker panicked while holding the lock.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// One more piece was queued.
    pub fn queued(&self) {
        let mut queue = self.queue();
        queue.queued += 1;
        if queue.queued >= self.depth {
            self.opened.notify_all();
        }
    }

    /// A worker took a piece.
    pub fn taken(&self) {
        let mut queue = self.queue();
        queue.queued = queue.queued.saturating_sub(1);
    }

    /// No more pieces will be queued: nobody waits any longer.
    pub fn close(&self) {
        self.queue().closed = true;
        self.opened.notify_all();
    }

    /// Waits until at least `depth` pieces are queued, or the gate is closed.
    pub fn wait(&self) {
        let mut queue = self.queue();
        while !queue.closed && queue.queued < self.depth {
            queue = self
                .opened
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// A bounded queue of work for numbered workers, behind a [`Gate`]: the protocol in one place
/// (a piece is counted before it is sent, so that its taking never comes first; the end of
/// the work closes the channel and the gate together).
pub(crate) struct WorkQueue<T> {
    gate: Gate,
    sender: Mutex<Option<SyncSender<T>>>,
    receiver: Mutex<Receiver<T>>,
}

impl<T> WorkQueue<T> {
    /// A queue for `workers`, whose workers after the first take a piece only while `depth`
    /// wait (0: never held back); it holds room for more than `depth` pieces.
    pub fn new(workers: usize, depth: usize) -> WorkQueue<T> {
        let (sender, receiver) = mpsc::sync_channel(workers.max(depth + 1));
        WorkQueue {
            gate: Gate::new(depth),
            sender: Mutex::new(Some(sender)),
            receiver: Mutex::new(receiver),
        }
    }

    /// Queues `piece`, waiting for room; false once the work has ended or no worker is left.
    pub fn put(&self, piece: T) -> bool {
        // Only the submitting thread puts and ends: the lock is never contended.
        match &*self.sender.lock().unwrap_or_else(PoisonError::into_inner) {
            Some(sender) => {
                self.gate.queued();
                sender.send(piece).is_ok()
            }
            None => false,
        }
    }

    /// The next piece for worker `index` (the first is never held at the gate); `None` once
    /// the work has ended and the queue is empty.
    pub fn take(&self, index: usize) -> Option<T> {
        if index > 0 {
            self.gate.wait();
        }
        let piece = self
            .receiver
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .recv()
            .ok()?;
        self.gate.taken();
        Some(piece)
    }

    /// No more pieces: the workers take what is queued, then end.
    pub fn end(&self) {
        self.sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        self.gate.close();
    }

    /// Ends the work when dropped: on every way out of the submitting code, a panic too, so
    /// that every worker ends and its scope can be joined.
    pub fn end_on_drop(&self) -> Ending<'_, T> {
        Ending(self)
    }
}

/// See [`WorkQueue::end_on_drop`].
pub(crate) struct Ending<'q, T>(&'q WorkQueue<T>);

impl<T> Drop for Ending<'_, T> {
    fn drop(&mut self) {
        self.0.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    /// Starts a thread that waits at `gate`, then runs `release`: whether the waiter was still
    /// held before `release`, and whether it passed after it (given a few seconds). A waiter
    /// never let through is freed by closing the gate, so that a failure does not hang.
    fn held_until(gate: &Gate, release: impl FnOnce()) -> (bool, bool) {
        let passed = AtomicBool::new(false);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                gate.wait();
                passed.store(true, Ordering::SeqCst);
            });
            std::thread::sleep(Duration::from_millis(50));
            let held = !passed.load(Ordering::SeqCst);
            release();
            let released = (0..500).any(|_| {
                std::thread::sleep(Duration::from_millis(10));
                passed.load(Ordering::SeqCst)
            });
            if !released {
                gate.close();
            }
            (held, released)
        })
    }

    #[test]
    fn a_dropped_ending_guard_lets_held_workers_take_what_is_left_then_end() {
        let queue = WorkQueue::new(2, 3);
        assert!(queue.put(7));
        let ending = queue.end_on_drop();
        // One piece holds the second worker; the end lets it through.
        assert_eq!(held_until(&queue.gate, move || drop(ending)), (true, true));
        assert_eq!(queue.take(1), Some(7));
        assert_eq!(queue.take(1), None);
        assert!(!queue.put(8));
    }

    #[test]
    fn a_gate_of_depth_zero_never_waits() {
        let gate = Gate::new(0);
        gate.wait();
        gate.taken();
        gate.wait();
    }

    #[test]
    fn an_extra_worker_waits_until_depth_pieces_are_queued_or_the_end() {
        let gate = Gate::new(2);
        gate.queued();
        // One piece queued holds the waiter; the second lets it through.
        assert_eq!(held_until(&gate, || gate.queued()), (true, true));
        // Both taken: held again, until no more can come.
        gate.taken();
        gate.taken();
        assert_eq!(held_until(&gate, || gate.close()), (true, true));
        // Closed, nobody waits.
        gate.wait();
    }
}
