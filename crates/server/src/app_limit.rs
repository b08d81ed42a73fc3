//! Per-app rate limits on the sharing API: each app may make `per_second` calls a
//! second (bursts up to the same number); past that it gets 429 with Retry-After.
//! Kept per node, in memory (a cluster's limit is the per-node limit times the
//! nodes behind the balancer).

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

pub struct AppLimiter {
    limiter: DefaultKeyedRateLimiter<i64>,
    clock: DefaultClock,
}

impl AppLimiter {
    pub fn new(per_second: u32) -> AppLimiter {
        let rate = NonZeroU32::new(per_second.max(1)).expect("at least one");
        AppLimiter {
            limiter: RateLimiter::keyed(Quota::per_second(rate)),
            clock: DefaultClock::default(),
        }
    }

    /// None when the app may call now; else the seconds to wait (at least 1).
    pub fn wait(&self, app_id: i64) -> Option<u64> {
        match self.limiter.check_key(&app_id) {
            Ok(()) => None,
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                Some(wait.as_secs_f64().ceil().max(1.0) as u64)
            }
        }
    }
}
