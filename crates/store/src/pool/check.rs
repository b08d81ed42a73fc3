//! Checking a batch's rows, on a thread of their own while the writer writes: each
//! submitted row is cleansed, typed and checked by the domain's rules, and comes out
//! accepted (typed values, key, stored size) or refused (each problem with column,
//! value and reason). Rows travel to the writer in chunks over a bounded channel, so
//! memory stays flat however large the file.

use crate::pool::batch::{IngestMode, RowSource};
use crate::pool::column_failure::ColumnFailures;
use crate::pool::key_filter::{KeyFilter, fingerprint};
use crate::value::Value;
use crate::value::key_text;
use crate::value::to_value;
use govshare_domain::item::Item;
use govshare_domain::pool::select::CompiledRule;
use govshare_domain::pool::{CellValue, Check, Finding, PoolSchema, parse_cell, settle_cell};
use std::sync::mpsc::SyncSender;

/// Why a coded item's settled cell is refused, when a code list refuses it.
fn coded_refusal(checks: &[Check], settled: &str) -> Option<String> {
    if settled.trim().is_empty() {
        return None;
    }
    checks
        .iter()
        .filter(|c| c.code_list().is_some())
        .find_map(|c| match c.apply(settled) {
            Some(Finding::Reject(reason)) => Some(reason),
            _ => None,
        })
}

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
    /// The key may have come earlier in this batch (it certainly has not when false):
    /// the writer settles it against the rows the batch has written.
    pub suspect: bool,
    /// The submitted cells, kept only where the writer may still refuse the row
    /// (insert and delete modes, suspected repeats).
    pub cells: Option<Vec<String>>,
}

/// A refused row: its problems as (column, value, reason).
pub struct Refused {
    pub row_number: i64,
    pub cells: Vec<String>,
    pub problems: Vec<(String, String, String)>,
}

/// What became of a submitted row.
pub enum Outcome {
    Accepted(Accepted),
    Refused(Refused),
    /// Left out by the pool's selection rules.
    Skipped,
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
    /// The pool's row selection rules.
    rules: Vec<CompiledRule>,
    /// Keys seen in this batch: a repeated key is always flagged, for the writer to
    /// settle exactly.
    seen: KeyFilter,
}

/// A stored value as the domain's cell value, for the selection rules.
fn cell_value(v: &Value) -> CellValue {
    match v {
        Value::Text(s) => CellValue::Text(s.clone()),
        Value::Int(i) => CellValue::Int(*i),
        Value::Real(f) => CellValue::Number(*f),
        Value::Bool(b) => CellValue::Bool(*b),
        Value::Date(d) => CellValue::Date(*d),
        Value::DateTime(t) => CellValue::DateTime(*t),
        Value::Null | Value::Blob(_) => CellValue::Null,
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
        // Delete batches name keys only: selection rules do not apply to them.
        let rules = if mode == IngestMode::Delete {
            vec![]
        } else {
            schema.selection.compile(&schema)
        };
        RowChecker {
            rules,
            schema,
            items,
            map,
            key_cols,
            mode,
            seen: KeyFilter::default(),
        }
    }

    /// Checks one submitted row (`Err` is a row the reader could not read).
    pub fn check(
        &mut self,
        row_number: i64,
        row: std::result::Result<Vec<String>, String>,
    ) -> Outcome {
        let cells = match row {
            Ok(cells) => cells,
            Err(reason) => {
                return Outcome::Refused(Refused {
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
                format!(
                    "该行有{}列，表头有{}列{}",
                    cells.len(),
                    self.map.len(),
                    if cells.iter().any(|c| c.contains('\n')) {
                        "：引号可能未闭合，其后的行被读进了同一个单元格"
                    } else {
                        ""
                    }
                ),
            ));
        } else {
            for (cell, ci) in cells.iter().zip(&self.map) {
                let Some(ci) = *ci else { continue };
                let col = &self.schema.columns[ci];
                if self.mode == IngestMode::Delete && !col.key {
                    continue;
                }
                let settled = settle_cell(&col.checks, cell);
                // A coded item's cell that is neither a code nor a label is refused
                // with the code list, not with a length the label happened to pass.
                if let Some(reason) = coded_refusal(&col.checks, &settled) {
                    problems.push((col.name.clone(), cell.clone(), reason));
                    continue;
                }
                match parse_cell(&self.items[ci], &settled) {
                    Err(reason) => problems.push((col.name.clone(), cell.clone(), reason)),
                    Ok(v) => {
                        if let CellValue::Text(t) = &v {
                            // Coded checks were applied above, to the settled cell.
                            for check in col.checks.iter().filter(|c| c.code_list().is_none()) {
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
        if !problems.is_empty() || !self.rules.is_empty() {
            // A row the selection rules leave out is skipped, whatever its other cells
            // hold; a rule whose own cell is wrong cannot decide, and the row is refused.
            let undecided = |rule: &CompiledRule| {
                let name = &self.schema.columns[rule.column].name;
                problems.iter().any(|(c, _, _)| c.is_empty() || c == name)
            };
            if !self.rules.iter().any(undecided)
                && !self
                    .rules
                    .iter()
                    .all(|rule| rule.passes(&cell_value(&values[rule.column])))
            {
                return Outcome::Skipped;
            }
        }
        if !problems.is_empty() {
            return Outcome::Refused(Refused {
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
        let suspect = self.seen.check_and_insert(fingerprint(&key));
        let keep_cells = suspect || matches!(self.mode, IngestMode::Insert | IngestMode::Delete);
        Outcome::Accepted(Accepted {
            row_number,
            bytes: values.iter().map(stored_bytes).sum(),
            values,
            key,
            suspect,
            cells: keep_cells.then_some(cells),
        })
    }

    /// Checks every row of `rows`, sending them on in chunks; stops early when the
    /// writer hangs up (it failed, and the batch rolls back). Returns the rows
    /// received and the rows skipped by the selection rules, or the column that
    /// failed on (almost) every one of the first rows and why (nothing was sent on
    /// then: the batch is refused whole).
    pub fn run(
        mut self,
        rows: RowSource,
        mut progress: Option<Box<dyn FnMut(i64) + Send>>,
        tx: SyncSender<Chunk>,
    ) -> std::result::Result<(i64, i64), (String, String)> {
        let (mut received, mut skipped) = (0i64, 0i64);
        let mut chunk = Chunk::default();
        let mut sample = Some(ColumnFailures::default());
        for (n, row) in rows.enumerate() {
            received += 1;
            // The header is row 1.
            let outcome = self.check(n as i64 + 2, row);
            if let Some(s) = sample.as_mut() {
                match &outcome {
                    Outcome::Refused(r) => s.add(r.row_number, &r.problems),
                    Outcome::Accepted(_) | Outcome::Skipped => s.pass(),
                }
                if s.decided(false) {
                    if let Some(verdict) = s.verdict() {
                        return Err(verdict);
                    }
                    sample = None;
                }
            }
            match outcome {
                Outcome::Accepted(a) => chunk.accepted.push(a),
                Outcome::Refused(r) => chunk.refused.push(r),
                Outcome::Skipped => skipped += 1,
            }
            if chunk.accepted.len() + chunk.refused.len() >= CHUNK_ROWS {
                if tx.send(std::mem::take(&mut chunk)).is_err() {
                    return Ok((received, skipped));
                }
                if received % 10_000 == 0
                    && let Some(report) = progress.as_mut()
                {
                    report(received);
                }
            }
        }
        if let Some(verdict) = sample.filter(|s| s.decided(true)).and_then(|s| s.verdict()) {
            return Err(verdict);
        }
        if let Some(report) = progress.as_mut() {
            report(received);
        }
        let _ = tx.send(chunk);
        Ok((received, skipped))
    }
}
