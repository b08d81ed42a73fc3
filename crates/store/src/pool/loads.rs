//! Loads under way on SQLite (see `pool::staged`): one batch at a time per pool in a
//! process, the lock file that says a load's process is still alive, and removing what
//! a stopped load left behind when the database is opened again.

use crate::db::conn::Conn;
use crate::error::{Result, StoreError};
use crate::params;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};

/// The pools a batch is being loaded into in this process, by the code the batch
/// names: a second batch for the same pool waits for the first to end.
#[derive(Default)]
pub(crate) struct Loading {
    busy: Mutex<HashSet<String>>,
    freed: Condvar,
}

/// A pool's turn to load, given back when dropped.
pub(crate) struct Turn<'a> {
    loading: &'a Loading,
    code: String,
}

impl Loading {
    pub(crate) fn take(&self, code: &str) -> Turn<'_> {
        let mut busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        while busy.contains(code) {
            busy = self.freed.wait(busy).unwrap_or_else(|e| e.into_inner());
        }
        busy.insert(code.to_string());
        Turn {
            loading: self,
            code: code.to_string(),
        }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut busy = self.loading.busy.lock().unwrap_or_else(|e| e.into_inner());
        busy.remove(&self.code);
        self.loading.freed.notify_all();
    }
}

/// The file a running load holds locked: `govshare.db` → `govshare.db.load-B`.
pub(crate) fn lock_path(db: &Path, batch_id: i64) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".load-{batch_id}"));
    db.with_file_name(name)
}

pub(crate) fn io(what: &Path, e: std::io::Error) -> StoreError {
    StoreError::Unavailable(format!("{}: {e}", what.display()))
}

/// The bare table a batch's rows are loaded into.
pub(crate) fn stage_name(pool_table: &str, batch_id: i64) -> String {
    format!("{pool_table}__load_{batch_id}")
}

/// Removes what a load left behind: its table, its refused rows and its record.
pub(crate) fn abandon(conn: &mut dyn Conn, stage_table: &str, batch_id: i64) -> Result<()> {
    conn.batch(&format!("DROP TABLE IF EXISTS \"{stage_table}\""))?;
    conn.execute(
        "DELETE FROM pool_quarantine WHERE batch_id = ?",
        &params![batch_id],
    )?;
    conn.execute("DELETE FROM pool_batches WHERE id = ?", &params![batch_id])?;
    Ok(())
}

/// Removes the loads that a stopped process left behind (at start, in one
/// transaction). Returns the batches removed.
pub fn recover(conn: &mut dyn Conn, db: &Path) -> Result<Vec<i64>> {
    let tables = conn.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'pool_*__load_*'",
        &[],
    )?;
    let mut removed = Vec::new();
    for t in tables {
        let name = t.text("name")?;
        let Some(batch_id) = name
            .rsplit_once("__load_")
            .and_then(|(_, id)| id.parse::<i64>().ok())
        else {
            continue;
        };
        let lock = lock_path(db, batch_id);
        let alive = std::fs::File::open(&lock).is_ok_and(|f| f.try_lock().is_err());
        if alive {
            continue;
        }
        abandon(conn, &name, batch_id)?;
        let _ = std::fs::remove_file(&lock);
        tracing::warn!(batch_id, table = %name, "removed a pool load that did not finish");
        removed.push(batch_id);
    }
    Ok(removed)
}
