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

    /// Closes the gate when dropped: on every way out of the submitting code, a panic too,
    /// so that a waiting worker always ends and its scope can be joined.
    pub fn close_on_drop(&self) -> Closing<'_> {
        Closing(self)
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

/// See [`Gate::close_on_drop`].
pub(crate) struct Closing<'g>(&'g Gate);

impl Drop for Closing<'_> {
    fn drop(&mut self) {
        self.0.close();
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
    fn a_dropped_closing_guard_lets_waiters_through() {
        let gate = Gate::new(3);
        let closing = gate.close_on_drop();
        assert_eq!(held_until(&gate, move || drop(closing)), (true, true));
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
