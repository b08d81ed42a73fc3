//! Checking a batch's rows, on a thread of their own while the writer writes: each
//! submitted row is cleansed, typed and checked by the domain's rules, and comes out
//! accepted (typed values, key, stored size) or refused (each problem with column,
//! value and reason). Rows travel to the writer in chunks over a bounded channel, so
//! memory stays flat however large the file.

use crate::repo::ingest::{IngestMode, RowSource};
use crate::repo::pool_write::key_text;
use crate::value::Value;
use govshare_domain::item::Item;
use govshare_domain::pool::{CellValue, Finding, PoolSchema, parse_cell};
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::mpsc::SyncSender;

/// Rows per chunk sent to the writer.
pub const CHUNK_ROWS: usize = 2_000;

/// A row that passed every check.
pub struct Accepted {
    pub row_number: i64,
    /// One value per pool column (hidden columns and, in delete mode, non-key columns
    /// stay null).
    pub values: Vec<Value>,
    /// Bytes of the stored values (UTF-8 text; eight per number or date).
    pub bytes: i64,
    /// The key values joined by U+001F.
    pub key: String,
    /// The submitted cells, kept only where the writer may still refuse the row
    /// (insert and delete modes).
    pub cells: Option<Vec<String>>,
}

/// A refused row: its problems as (column, value, reason).
pub struct Refused {
    pub row_number: i64,
    pub cells: Vec<String>,
    pub problems: Vec<(String, String, String)>,
}

#[derive(Default)]
pub struct Chunk {
    pub accepted: Vec<Accepted>,
    pub refused: Vec<Refused>,
}

pub struct RowChecker {
    schema: PoolSchema,
    /// The item of each column, made once rather than per cell.
    items: Vec<Item>,
    /// The pool column of each submitted column.
    /// (None: a column to ignore, as the 行号 of a quarantine download.)
    map: Vec<Option<usize>>,
    key_cols: Vec<usize>,
    mode: IngestMode,
    /// Keys seen in this batch, as 128-bit fingerprints: a million keys in 32 MB.
    seen: HashSet<u128, BuildHasherDefault<Folded>>,
}

/// Fingerprints are hashes already: the set's hasher only folds them to 64 bits.
#[derive(Default)]
struct Folded(u64);

impl Hasher for Folded {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u128(&mut self, i: u128) {
        self.0 = (i as u64) ^ ((i >> 64) as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) fn to_value(v: CellValue) -> Value {
    match v {
        CellValue::Null => Value::Null,
        CellValue::Text(s) => Value::Text(s),
        CellValue::Int(i) => Value::Int(i),
        CellValue::Number(f) => Value::Real(f),
        CellValue::Bool(b) => Value::Bool(b),
        CellValue::Date(d) => Value::Date(d),
        CellValue::DateTime(t) => Value::DateTime(t),
    }
}

/// Bytes a value takes when stored, for capacity quotas.
fn stored_bytes(v: &Value) -> i64 {
    match v {
        Value::Null => 0,
        Value::Text(s) => s.len() as i64,
        Value::Blob(b) => b.len() as i64,
        Value::Bool(_) => 1,
        _ => 8,
    }
}

/// A 128-bit fingerprint of a key (two differently seeded 64-bit hashes).
fn fingerprint(key: &str) -> u128 {
    use std::hash::Hash;
    let half = |seed: u8| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        seed.hash(&mut h);
        key.hash(&mut h);
        h.finish() as u128
    };
    (half(1) << 64) | half(2)
}

impl RowChecker {
    pub fn new(schema: PoolSchema, map: Vec<Option<usize>>, mode: IngestMode) -> Self {
        let items = schema.columns.iter().map(|c| c.as_item()).collect();
        let key_cols = schema
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.key)
            .map(|(i, _)| i)
            .collect();
        RowChecker {
            schema,
            items,
            map,
            key_cols,
            mode,
            seen: HashSet::default(),
        }
    }

    /// Checks one submitted row (`Err` is a row the reader could not read).
    pub fn check(
        &mut self,
        row_number: i64,
        row: std::result::Result<Vec<String>, String>,
    ) -> std::result::Result<Accepted, Refused> {
        let cells = match row {
            Ok(cells) => cells,
            Err(reason) => {
                return Err(Refused {
                    row_number,
                    cells: vec![],
                    problems: vec![(String::new(), String::new(), reason)],
                });
            }
        };
        let mut problems: Vec<(String, String, String)> = Vec::new();
        let mut values = vec![Value::Null; self.schema.columns.len()];
        if cells.len() != self.map.len() {
            problems.push((
                String::new(),
                String::new(),
                format!("该行有{}列，表头有{}列", cells.len(), self.map.len()),
            ));
        } else {
            for (cell, ci) in cells.iter().zip(&self.map) {
                let Some(ci) = *ci else { continue };
                let col = &self.schema.columns[ci];
                if self.mode == IngestMode::Delete && !col.key {
                    continue;
                }
                match parse_cell(&self.items[ci], cell) {
                    Err(reason) => problems.push((col.name.clone(), cell.clone(), reason)),
                    Ok(v) => {
                        if let CellValue::Text(t) = &v {
                            for check in &col.checks {
                                if let Some(Finding::Reject(reason)) = check.apply(t) {
                                    problems.push((col.name.clone(), cell.clone(), reason));
                                }
                            }
                        }
                        values[ci] = to_value(v);
                    }
                }
            }
        }
        if !problems.is_empty() {
            return Err(Refused {
                row_number,
                cells,
                problems,
            });
        }
        let key = key_text(
            &self
                .key_cols
                .iter()
                .map(|&i| values[i].clone())
                .collect::<Vec<_>>(),
        );
        if !self.seen.insert(fingerprint(&key)) {
            let names: Vec<&str> = self.schema.keys().map(|c| c.name.as_str()).collect();
            return Err(Refused {
                row_number,
                cells,
                problems: vec![(names.join("+"), key, "主键在本批数据中重复".into())],
            });
        }
        let keep_cells = matches!(self.mode, IngestMode::Insert | IngestMode::Delete);
        Ok(Accepted {
            row_number,
            bytes: values.iter().map(stored_bytes).sum(),
            values,
            key,
            cells: keep_cells.then_some(cells),
        })
    }

    /// Checks every row of `rows`, sending them on in chunks; stops early when the
    /// writer hangs up (it failed, and the batch rolls back). Returns rows received.
    pub fn run(
        mut self,
        rows: RowSource,
        mut progress: Option<Box<dyn FnMut(i64) + Send>>,
        tx: SyncSender<Chunk>,
    ) -> i64 {
        let mut received = 0i64;
        let mut chunk = Chunk::default();
        for (n, row) in rows.enumerate() {
            received += 1;
            // The header is row 1.
            match self.check(n as i64 + 2, row) {
                Ok(a) => chunk.accepted.push(a),
                Err(r) => chunk.refused.push(r),
            }
            if chunk.accepted.len() + chunk.refused.len() >= CHUNK_ROWS {
                if tx.send(std::mem::take(&mut chunk)).is_err() {
                    return received;
                }
                if received % 10_000 == 0
                    && let Some(report) = progress.as_mut()
                {
                    report(received);
                }
            }
        }
        if let Some(report) = progress.as_mut() {
            report(received);
        }
        let _ = tx.send(chunk);
        received
    }
}
