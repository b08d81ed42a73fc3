//! Checked app keys, remembered for a moment so that a busy consumer system does not
//! cost a database read per call. A key revoked on this node is forgotten at once;
//! revocations made on another node take effect here within `TTL`.

use govshare_store::repo::apps::StoredKey;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a looked-up key is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(2);
const MAX_KEYS: usize = 100_000;

#[derive(Default)]
pub struct KeyCache {
    keys: Mutex<HashMap<String, (Instant, std::sync::Arc<StoredKey>)>>,
}

impl KeyCache {
    pub fn get(&self, prefix: &str) -> Option<std::sync::Arc<StoredKey>> {
        let map = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        map.get(prefix)
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, k)| k.clone())
    }

    pub fn put(&self, prefix: &str, key: std::sync::Arc<StoredKey>) {
        let mut map = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, (at, _)| at.elapsed() < TTL);
        }
        map.insert(prefix.to_string(), (Instant::now(), key));
    }

    /// Forgets every remembered key of an app (after a revocation here).
    pub fn forget_app(&self, app_id: i64) {
        let mut map = self.keys.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, (_, k)| k.app.app_id != app_id);
    }
}
