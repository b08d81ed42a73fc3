//! Checked app keys, remembered for a moment so that a busy consumer system does not
//! cost a database read per call. A key revoked on this node is forgotten at once;
//! revocations made on another node take effect here within `TTL`.
//!
//! A key in steady use is read again ahead of time: the first call that finds it older
//! than half the `TTL` reads it from the database while the calls after it go on with
//! the remembered one. So a busy key never expires for all its calls at once, each of
//! them then asking the database the same question.

use govshare_store::org::apps::StoredKey;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a looked-up key is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(2);
const MAX_KEYS: usize = 100_000;

struct Remembered {
    at: Instant,
    key: Arc<StoredKey>,
    /// A call is reading it again.
    refreshing: bool,
}

/// What the cache has for a key prefix.
pub enum Cached {
    /// Use it.
    Fresh(Arc<StoredKey>),
    /// Still good, but this caller should read it again (and may use it if that fails).
    Refresh(Arc<StoredKey>),
    /// Read it from the database.
    Missing,
}

#[derive(Default)]
pub struct KeyCache {
    keys: Mutex<HashMap<String, Remembered>>,
}

impl KeyCache {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Remembered>> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, prefix: &str) -> Cached {
        let mut map = self.map();
        let Some(r) = map.get_mut(prefix) else {
            return Cached::Missing;
        };
        let age = r.at.elapsed();
        if age >= TTL {
            Cached::Missing
        } else if age >= TTL / 2 && !r.refreshing {
            r.refreshing = true;
            Cached::Refresh(r.key.clone())
        } else {
            Cached::Fresh(r.key.clone())
        }
    }

    pub fn put(&self, prefix: &str, key: Arc<StoredKey>) {
        self.put_at(prefix, key, Instant::now());
    }

    fn put_at(&self, prefix: &str, key: Arc<StoredKey>, at: Instant) {
        let mut map = self.map();
        if map.len() >= MAX_KEYS {
            map.retain(|_, r| r.at.elapsed() < TTL);
        }
        let r = Remembered {
            at,
            key,
            refreshing: false,
        };
        map.insert(prefix.to_string(), r);
    }

    /// Forgets a key the database no longer has.
    pub fn forget(&self, prefix: &str) {
        self.map().remove(prefix);
    }

    /// Forgets every remembered key of an app (after a revocation here).
    pub fn forget_app(&self, app_id: i64) {
        self.map().retain(|_, r| r.key.app.app_id != app_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use govshare_store::org::apps::AppPrincipal;

    fn key() -> Arc<StoredKey> {
        Arc::new(StoredKey {
            app: AppPrincipal {
                app_id: 7,
                org_id: 3,
                name: "测试应用".into(),
            },
            key_hash: "h".into(),
            expires_at: None,
            revoked_at: None,
        })
    }

    fn aged(cache: &KeyCache, by: Duration) {
        cache.put_at("abcd1234", key(), Instant::now() - by);
    }

    /// One call reads a key again once it is half-way through its time, the others
    /// meanwhile use it; past its time every call must read it.
    #[test]
    fn one_call_refreshes_a_key_ahead_of_its_expiry() {
        let cache = KeyCache::default();
        assert!(matches!(cache.get("abcd1234"), Cached::Missing));
        aged(&cache, Duration::ZERO);
        assert!(matches!(cache.get("abcd1234"), Cached::Fresh(_)));
        aged(&cache, TTL / 2 + Duration::from_millis(10));
        assert!(matches!(cache.get("abcd1234"), Cached::Refresh(_)));
        for _ in 0..3 {
            assert!(matches!(cache.get("abcd1234"), Cached::Fresh(_)));
        }
        cache.put("abcd1234", key());
        assert!(matches!(cache.get("abcd1234"), Cached::Fresh(_)));
        aged(&cache, TTL);
        assert!(matches!(cache.get("abcd1234"), Cached::Missing));
        aged(&cache, Duration::ZERO);
        cache.forget_app(7);
        assert!(matches!(cache.get("abcd1234"), Cached::Missing));
    }
}
