//! Slows password guessing without letting anyone lock a user out. Kept per node, in
//! memory.
//!
//! - Per account: the first `FREE_FAILURES` failures cost nothing; after that each
//!   attempt must wait a delay that doubles with every further failure, up to
//!   `MAX_DELAY`. A user whose account is being guessed at still gets through once the
//!   delay has passed, and a success clears the count.
//! - Per client address: more than `ADDRESS_FAILURES` failures within `WINDOW`, on any
//!   usernames, and that address is refused until the window has passed (a password
//!   sprayed across many usernames is slowed as much as one guessed at one).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const FREE_FAILURES: u32 = 5;
pub const MAX_DELAY: Duration = Duration::from_secs(60);
pub const ADDRESS_FAILURES: u32 = 30;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures are forgotten this long after the last one.
const FORGET: Duration = Duration::from_secs(60 * 60);
const MAX_TRACKED: usize = 100_000;

/// Failures and when the count began and last grew.
#[derive(Clone, Copy)]
struct Failures {
    count: u32,
    first: Instant,
    last: Instant,
}

struct Tracked<K>(Mutex<HashMap<K, Failures>>);

impl<K: Hash + Eq + Clone> Tracked<K> {
    fn get(&self, k: &K) -> Option<Failures> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(k)
            .copied()
    }

    fn fail(&self, k: &K, restart_after: Duration) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_TRACKED {
            map.retain(|_, f| f.last.elapsed() < FORGET);
        }
        let now = Instant::now();
        let f = map.entry(k.clone()).or_insert(Failures {
            count: 0,
            first: now,
            last: now,
        });
        if f.first.elapsed() >= restart_after {
            *f = Failures {
                count: 0,
                first: now,
                last: now,
            };
        }
        f.count += 1;
        f.last = now;
    }

    fn clear(&self, k: &K) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(k);
    }
}

impl<K> Default for Tracked<K> {
    fn default() -> Self {
        Tracked(Mutex::new(HashMap::new()))
    }
}

#[derive(Default)]
pub struct LoginThrottle {
    users: Tracked<String>,
    addresses: Tracked<IpAddr>,
}

/// The delay an account's `count` failures impose after the last one.
pub fn delay_after(count: u32) -> Duration {
    if count < FREE_FAILURES {
        return Duration::ZERO;
    }
    let doublings = (count - FREE_FAILURES).min(16);
    MAX_DELAY.min(Duration::from_secs(1u64 << doublings))
}

impl LoginThrottle {
    /// How long this attempt must wait, if it may not be made now.
    pub fn wait(&self, username: &str, address: Option<IpAddr>) -> Option<Duration> {
        if let Some(f) = address.and_then(|a| self.addresses.get(&a))
            && f.count >= ADDRESS_FAILURES
            && let Some(left) = WINDOW.checked_sub(f.first.elapsed())
        {
            return Some(left);
        }
        let f = self.users.get(&username.to_string())?;
        if f.last.elapsed() >= FORGET {
            return None;
        }
        delay_after(f.count)
            .checked_sub(f.last.elapsed())
            .filter(|d| !d.is_zero())
    }

    pub fn record_failure(&self, username: &str, address: Option<IpAddr>) {
        self.users.fail(&username.to_string(), FORGET);
        if let Some(a) = address {
            self.addresses.fail(&a, WINDOW);
        }
    }

    pub fn record_success(&self, username: &str) {
        self.users.clear(&username.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_slows_down_but_is_never_locked_for_long() {
        assert_eq!(delay_after(4), Duration::ZERO);
        assert_eq!(delay_after(5), Duration::from_secs(1));
        assert_eq!(delay_after(7), Duration::from_secs(4));
        assert_eq!(delay_after(1000), MAX_DELAY);
        let t = LoginThrottle::default();
        for _ in 0..FREE_FAILURES {
            assert!(t.wait("zhang", None).is_none());
            t.record_failure("zhang", None);
        }
        let wait = t.wait("zhang", None).unwrap();
        assert!(wait <= Duration::from_secs(1), "{wait:?}");
        assert!(t.wait("li", None).is_none(), "other users are not slowed");
        t.record_success("zhang");
        assert!(t.wait("zhang", None).is_none());
    }

    #[test]
    fn one_address_spraying_many_usernames_is_stopped() {
        let t = LoginThrottle::default();
        let from: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        for i in 0..ADDRESS_FAILURES {
            assert!(t.wait(&format!("user{i}"), Some(from)).is_none());
            t.record_failure(&format!("user{i}"), Some(from));
        }
        assert!(t.wait("someone-new", Some(from)).unwrap() > Duration::from_secs(60));
        assert!(t.wait("someone-new", Some(other)).is_none());
    }
}
