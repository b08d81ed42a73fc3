//! The decisions this node keeps (see `cache`): each with the sharing epoch it was
//! made at and what serving it needs, by app, resource and items asked for.

use crate::Result;
use crate::db::conn::Conn;
use crate::sharing::served::{Access, Shape};
use govshare_domain::item::Item;
use govshare_domain::pool::PoolSchema;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Decisions kept at most; past this the oldest epoch's go first (all, in practice).
const MAX_DECISIONS: usize = 20_000;

/// A decision with what serving it needs, made at `epoch`.
pub struct Decided {
    pub epoch: i64,
    pub access: Access,
    /// How its rows go out.
    pub shape: Shape,
    /// The pool, when the resource has one.
    pub schema: Option<PoolSchema>,
    /// The key items, typed as stored, to read request keys with.
    pub(crate) key_items: Vec<Item>,
    /// `SELECT (epoch), <decided columns> FROM pool WHERE key`.
    pub(crate) lookup_sql: String,
    /// For a key of one column, on PostgreSQL: `SELECT (epoch), key, <decided
    /// columns> FROM pool WHERE key = ANY(?)`, for lookups gathered together.
    pub(crate) gather_sql: Option<String>,
}

/// The decisions of this node, by app, resource and items asked for.
#[derive(Default)]
pub struct SharingCache {
    decided: Mutex<HashMap<String, Arc<Decided>>>,
}

pub(crate) fn cache_key(app_id: i64, code: &str, items: Option<&[String]>) -> String {
    match items {
        None => format!("{app_id}\u{1f}{code}\u{1f}*"),
        Some(list) => format!("{app_id}\u{1f}{code}\u{1f}={}", list.join("\u{1e}")),
    }
}

pub const EPOCH: &str = "SELECT n FROM sharing_epoch WHERE id = 1";

/// The name a lookup gives the epoch it read beside a pool's columns (whose codes
/// start with a letter, so never this).
pub const EPOCH_COLUMN: &str = "_epoch";

/// The sharing epoch as the database has it now.
pub fn epoch(conn: &mut dyn Conn) -> Result<i64> {
    conn.query_one(EPOCH, &[])?.i64("n")
}

impl SharingCache {
    pub(crate) fn get(&self, key: &str) -> Option<Arc<Decided>> {
        let map = self.decided.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).cloned()
    }

    pub(crate) fn put(&self, key: String, d: Decided) -> Arc<Decided> {
        let d = Arc::new(d);
        let mut map = self.decided.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_DECISIONS {
            let newest = map.values().map(|d| d.epoch).max().unwrap_or(0);
            map.retain(|_, v| v.epoch == newest);
            if map.len() >= MAX_DECISIONS {
                map.clear();
            }
        }
        map.insert(key, d.clone());
        d
    }
}
