//! What a batch is: the rows a department submits for one pool, how they are to be
//! applied, where they came from, and the report that comes back.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IngestMode {
    /// Insert new keys, update existing ones.
    Upsert,
    /// Insert new keys; a key already in the pool is rejected.
    Insert,
    /// The batch becomes the whole pool.
    Replace,
    /// Remove the rows with these keys (other cells are ignored).
    Delete,
}

/// Rows of a submitted file, read lazily; an `Err` is a row that could not be read.
pub type RowSource = Box<dyn Iterator<Item = std::result::Result<Vec<String>, String>> + Send>;

pub struct Batch {
    pub code: String,
    pub header: Vec<String>,
    pub rows: RowSource,
    pub mode: IngestMode,
    pub source_name: String,
    pub source_sha256: String,
    /// A retry with the same id returns the first outcome and changes nothing.
    pub client_batch_id: Option<String>,
    /// Told how many rows have been read, every 10,000 rows and at the end.
    pub progress: Option<Box<dyn FnMut(i64) + Send>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BatchReport {
    pub batch_id: i64,
    pub mode: IngestMode,
    pub received: i64,
    pub accepted: i64,
    pub rejected: i64,
    /// Rows the pool's selection rules left out (accepted + rejected + skipped =
    /// received; skipped is 0 for a pool without row rules).
    pub skipped: i64,
    /// True when this was a retry of a batch already recorded.
    pub replayed: bool,
}
