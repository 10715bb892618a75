//! Exponential backoff with jitter, and a small seeded generator for the jitter.

use std::time::Duration;

/// The longest `Retry-After` honoured: a larger value is taken as this, so a confused server
/// cannot park a run for hours.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);

/// How long to wait before retry `n` (0-based): half of `base * 2^n` (at most `cap`) plus a
/// random part of the other half ("equal jitter"), and never less than the server's
/// `Retry-After`.
#[derive(Debug, Clone)]
pub struct Backoff {
    /// The first delay's upper bound.
    pub base: Duration,
    /// The largest delay from the exponential part.
    pub cap: Duration,
    state: u64,
}

impl Backoff {
    /// A backoff whose jitter is drawn from `seed` (any value; the clock is a fine one).
    pub fn new(base: Duration, cap: Duration, seed: u64) -> Backoff {
        Backoff {
            base,
            cap,
            state: seed | 1,
        }
    }

    /// The delay before retry `retry` (0-based), at least `retry_after`.
    pub fn delay(&mut self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let exponential = self
            .base
            .saturating_mul(1u32 << retry.min(20))
            .min(self.cap);
        let half = exponential / 2;
        let jittered = half + half.mul_f64(self.unit());
        jittered.max(retry_after.unwrap_or_default().min(MAX_RETRY_AFTER))
    }

    /// A draw in `[0, 1)` (xorshift64*).
    fn unit(&mut self) -> f64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let value = self.state.wrapping_mul(0x2545_f491_4f6c_dd1d);
        (value >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_are_capped_jittered_and_honour_retry_after() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(1), 42);
        let delays: Vec<Duration> = (0..8).map(|n| backoff.delay(n, None)).collect();
        for (n, delay) in delays.iter().enumerate() {
            let bound = Duration::from_millis(100 << n).min(Duration::from_secs(1));
            assert!(*delay >= bound / 2 && *delay <= bound, "{n}: {delay:?}");
        }
        let distinct: std::collections::BTreeSet<_> = delays[4..].iter().collect();
        assert!(distinct.len() > 1, "no jitter: {delays:?}");
        let waited = backoff.delay(0, Some(Duration::from_secs(3)));
        assert_eq!(waited, Duration::from_secs(3));
        let huge = backoff.delay(0, Some(Duration::from_secs(1_000_000)));
        assert_eq!(huge, MAX_RETRY_AFTER);
    }
}
