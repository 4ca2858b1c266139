//! When a failed call is tried again, and after how long.

use std::time::Duration;

use crate::error::Error;

/// How failed calls are retried: 429, 502, 503, 504 and connection failures, with jittered
/// exponential backoff, honouring `Retry-After` up to a cap. Other errors (400, 401 after a
/// token refresh, 403, 404, 422, timeouts) are returned at once: a timed-out request may have
/// reached Orum, and firing a test event twice is not harmless.
///
/// ```
/// use std::time::Duration;
/// use orum_webhooks::RetryPolicy;
/// let policy = RetryPolicy::default().max_attempts(6).max_elapsed(Duration::from_secs(20));
/// let never = RetryPolicy::none();
/// # let _ = (policy, never);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, backoff from 200 ms doubling up to 5 s (each wait a random part of that),
    /// `Retry-After` honoured up to 30 s, and no retry that would end after 60 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy::default().max_attempts(1)
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before the first retry; it doubles for each retry after that.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest backoff between two attempts.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest wait taken from a `Retry-After` header; a longer one is cut to this.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// No retry starts if it would begin later than this after the first attempt.
    pub fn max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// How long to wait before the next attempt, or `None` to give up with `error`.
    /// `attempt` is the number of attempts made so far (1 after the first).
    pub(crate) fn next_wait(
        &self,
        error: &Error,
        attempt: u32,
        elapsed: Duration,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let wait = match error {
            Error::RateLimited {
                retry_after: Some(wait),
                ..
            } => (*wait).min(self.max_retry_after),
            Error::RateLimited { .. } | Error::Connection(_) => self.backoff(attempt),
            Error::Api(_) | Error::UnexpectedResponse { .. }
                if matches!(error.status(), Some(502..=504)) =>
            {
                self.backoff(attempt)
            }
            _ => return None,
        };
        (elapsed + wait <= self.max_elapsed).then_some(wait)
    }

    /// "Full jitter": a random wait up to the exponential backoff, so clients that failed
    /// together do not retry together.
    fn backoff(&self, attempt: u32) -> Duration {
        exponential(self.initial_backoff, self.max_backoff, attempt).mul_f64(fastrand::f64())
    }
}

/// `initial`, doubled for each attempt after the first, capped at `max`.
pub(crate) fn exponential(initial: Duration, max: Duration, attempt: u32) -> Duration {
    initial
        .saturating_mul(1 << attempt.saturating_sub(1).min(20))
        .min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unavailable() -> Error {
        Error::unexpected(503, b"down")
    }

    #[test]
    fn retries_only_what_may_succeed_later() {
        let p = RetryPolicy::default();
        let zero = Duration::ZERO;
        assert!(p.next_wait(&unavailable(), 1, zero).is_some());
        assert!(
            p.next_wait(&Error::Connection("refused".into()), 1, zero)
                .is_some()
        );
        for status in [400, 403, 404, 422, 500] {
            let e = Error::unexpected(status, b"");
            assert_eq!(p.next_wait(&e, 1, zero), None, "{status}");
        }
        assert_eq!(p.next_wait(&Error::Timeout("slow".into()), 1, zero), None);
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let p = RetryPolicy::default().max_retry_after(Duration::from_secs(10));
        let limited = |secs| Error::RateLimited {
            retry_after: Some(Duration::from_secs(secs)),
            error: None,
        };
        assert_eq!(
            p.next_wait(&limited(3), 1, Duration::ZERO),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            p.next_wait(&limited(300), 1, Duration::ZERO),
            Some(Duration::from_secs(10))
        );
    }

    #[test]
    fn attempts_and_elapsed_time_are_bounded() {
        let p = RetryPolicy::default()
            .max_attempts(3)
            .max_elapsed(Duration::from_secs(1));
        assert!(p.next_wait(&unavailable(), 2, Duration::ZERO).is_some());
        assert_eq!(p.next_wait(&unavailable(), 3, Duration::ZERO), None);
        let limited = Error::RateLimited {
            retry_after: Some(Duration::from_millis(600)),
            error: None,
        };
        assert_eq!(p.next_wait(&limited, 1, Duration::from_millis(500)), None);
        assert_eq!(
            RetryPolicy::none().next_wait(&unavailable(), 1, Duration::ZERO),
            None
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(400));
        for _ in 0..200 {
            assert!(p.backoff(1) <= Duration::from_millis(100));
            assert!(p.backoff(3) <= Duration::from_millis(400));
            assert!(p.backoff(30) <= Duration::from_millis(400));
        }
        let waits: Vec<_> = (0..50).map(|_| p.backoff(3)).collect();
        assert!(
            waits.iter().any(|w| *w > Duration::from_millis(200)),
            "jitter spans the range"
        );
        assert!(waits.windows(2).any(|w| w[0] != w[1]), "jittered");
    }
}
