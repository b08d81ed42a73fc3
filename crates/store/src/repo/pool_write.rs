//! Writing a batch's accepted rows into a pool in chunks: one multi-row statement
//! per chunk (upsert, insert or delete) that returns the keys it touched, so that rows
//! it could not apply (a key already there in insert mode, a missing key in delete
//! mode) are known and quarantined. One change-feed statement per chunk as well.

use crate::conn::Conn;
use crate::error::Result;
use crate::repo::ingest::IngestMode;
use crate::value::Value;
use govshare_domain::pool::PoolSchema;
use std::collections::HashSet;

/// Rows per statement (well under both databases' parameter limits).
const CHUNK: usize = 400;

/// A key as text: the key items' values joined by U+001F.
pub fn key_text(values: &[Value]) -> String {
    values
        .iter()
        .map(|v| match v {
            Value::Null => String::new(),
            Value::Int(i) => i.to_string(),
            Value::Real(f) => f.to_string(),
            Value::Text(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Blob(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
            Value::Date(d) => d.to_string(),
            Value::DateTime(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        })
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

pub struct PendingRow {
    pub row_number: i64,
    /// Bytes of the row's stored values (UTF-8 text; eight per number or date).
    pub bytes: i64,
    pub cells: Vec<String>,
    pub key: String,
    pub values: Vec<Value>,
}

pub struct PoolWriter<'a> {
    schema: &'a PoolSchema,
    mode: IngestMode,
    resource_id: i64,
    batch_id: i64,
    now: String,
    key_cols: Vec<usize>,
    pending: Vec<PendingRow>,
}

impl<'a> PoolWriter<'a> {
    pub fn new(
        schema: &'a PoolSchema,
        mode: IngestMode,
        resource_id: i64,
        batch_id: i64,
        now: String,
    ) -> Self {
        let key_cols = schema
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.key)
            .map(|(i, _)| i)
            .collect();
        PoolWriter {
            schema,
            mode,
            resource_id,
            batch_id,
            now,
            key_cols,
            pending: Vec::with_capacity(CHUNK),
        }
    }

    /// Queues a row; when a chunk is full it is written. Returns the rows that could
    /// not be applied, with the reason.
    pub fn push(
        &mut self,
        conn: &mut dyn Conn,
        row: PendingRow,
    ) -> Result<(usize, Vec<(PendingRow, &'static str)>)> {
        self.pending.push(row);
        if self.pending.len() >= CHUNK {
            self.flush(conn)
        } else {
            Ok((0, vec![]))
        }
    }

    fn quoted(&self, i: usize) -> String {
        format!("\"{}\"", self.schema.columns[i].column)
    }

    /// Writes what is queued; returns how many rows were applied and the others.
    pub fn flush(
        &mut self,
        conn: &mut dyn Conn,
    ) -> Result<(usize, Vec<(PendingRow, &'static str)>)> {
        if self.pending.is_empty() {
            return Ok((0, vec![]));
        }
        let rows = std::mem::take(&mut self.pending);
        let keys: Vec<String> = self.key_cols.iter().map(|&i| self.quoted(i)).collect();
        let returning = format!("RETURNING {}", keys.join(", "));
        let mut params: Vec<Value> = Vec::new();
        let sql = if self.mode == IngestMode::Delete {
            let one = format!(
                "({})",
                keys.iter()
                    .map(|k| format!("{k} = ?"))
                    .collect::<Vec<_>>()
                    .join(" AND ")
            );
            for r in &rows {
                params.extend(self.key_cols.iter().map(|&i| r.values[i].clone()));
            }
            format!(
                "DELETE FROM \"{}\" WHERE {} {returning}",
                self.schema.table,
                vec![one; rows.len()].join(" OR ")
            )
        } else {
            // Hidden columns (items removed from the entry) keep their data: not written.
            let active: Vec<usize> = (0..self.schema.columns.len())
                .filter(|&i| !self.schema.columns[i].hidden)
                .collect();
            let cols: Vec<String> = active.iter().map(|&i| self.quoted(i)).collect();
            let group = format!("({})", vec!["?"; cols.len() + 3].join(", "));
            for r in &rows {
                params.extend(active.iter().map(|&i| r.values[i].clone()));
                params.push(Value::Int(self.batch_id));
                params.push(Value::Int(r.bytes));
                params.push(Value::Text(self.now.clone()));
            }
            let on_conflict = if self.mode == IngestMode::Insert {
                "DO NOTHING".to_string()
            } else {
                let set: Vec<String> = cols
                    .iter()
                    .map(String::as_str)
                    .chain(["_batch_id", "_bytes", "_updated_at"])
                    .map(|c| format!("{c} = excluded.{c}"))
                    .collect();
                format!("DO UPDATE SET {}", set.join(", "))
            };
            format!(
                "INSERT INTO \"{}\" ({}, _batch_id, _bytes, _updated_at) VALUES {} ON CONFLICT ({}) {on_conflict} {returning}",
                self.schema.table,
                cols.join(", "),
                vec![group; rows.len()].join(", "),
                keys.join(", ")
            )
        };
        let touched: HashSet<String> = conn
            .query(&sql, &params)?
            .into_iter()
            .map(|row| key_text(&row.0))
            .collect();
        let (applied, failed): (Vec<PendingRow>, Vec<PendingRow>) =
            rows.into_iter().partition(|r| touched.contains(&r.key));
        if !applied.is_empty() {
            let op = if self.mode == IngestMode::Delete {
                "delete"
            } else {
                "upsert"
            };
            let mut change_params = Vec::with_capacity(applied.len() * 5);
            for r in &applied {
                change_params.extend([
                    Value::Int(self.resource_id),
                    Value::Int(self.batch_id),
                    Value::Text(op.into()),
                    Value::Text(r.key.clone()),
                    Value::Text(self.now.clone()),
                ]);
            }
            conn.execute(
                &format!(
                    "INSERT INTO pool_changes (resource_id, batch_id, op, row_key, at) VALUES {}",
                    vec!["(?, ?, ?, ?, ?)"; applied.len()].join(", ")
                ),
                &change_params,
            )?;
        }
        let reason = if self.mode == IngestMode::Delete {
            "数据池中没有该主键的数据"
        } else {
            "主键已存在（插入模式不覆盖）"
        };
        Ok((
            applied.len(),
            failed.into_iter().map(|r| (r, reason)).collect(),
        ))
    }
}
