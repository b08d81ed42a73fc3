//! Writing a batch's accepted rows into a pool, each row stamped with its change-feed
//! sequence number. Two writers, one per backend's strength:
//! - [`RowWriter`] (SQLite): one prepared statement per row inside the batch's
//!   transaction; the statement's change count says whether the row applied.
//! - [`CopyWriter`] (PostgreSQL): rows stream in with COPY — into a fresh table that is
//!   swapped in at the end when the batch replaces the pool or fills an empty one,
//!   otherwise into a staging table merged into the pool with one statement.
//!
//! Rows a writer cannot apply (a key already there in insert mode, a missing key in
//! delete mode) come back as refused rows with the reason.

use crate::db::conn::Conn;
use crate::error::Result;
use crate::params;
use crate::pool::batch::IngestMode;
use crate::pool::check::{Accepted, Chunk, Refused};
use crate::pool::held::HeldRows;
use crate::pool::tables::key_list;
use crate::value::Value;
use govshare_domain::pool::PoolSchema;

const KEY_EXISTS: &str = "主键已存在（插入模式不覆盖）";
const KEY_MISSING: &str = "数据池中没有该主键的数据";
pub(crate) const KEY_REPEATED: &str = "主键在本批数据中重复";

/// What every writer knows about its batch.
pub struct Target<'a> {
    pub schema: &'a PoolSchema,
    pub mode: IngestMode,
    pub resource_id: i64,
    pub batch_id: i64,
    pub now: String,
    /// The sequence number the next applied row takes.
    pub next_seq: i64,
}

impl Target<'_> {
    /// Pool columns written by this batch: all but hidden ones and those the selection
    /// rules do not take (their data is kept).
    pub(crate) fn active(&self) -> Vec<usize> {
        (0..self.schema.columns.len())
            .filter(|&i| {
                !self.schema.columns[i].hidden && self.schema.selection.takes(self.schema, i)
            })
            .collect()
    }

    pub(crate) fn quoted(&self, cols: &[usize]) -> Vec<String> {
        cols.iter()
            .map(|&i| format!("\"{}\"", self.schema.columns[i].column))
            .collect()
    }

    /// The columns a row is written with: the active ones, then the bookkeeping ones.
    pub(crate) fn written_columns(&self, active: &[usize]) -> Vec<String> {
        let mut cols = self.quoted(active);
        cols.extend(BOOKKEEPING.iter().map(|c| c.to_string()));
        cols
    }

    pub(crate) fn key_cols(&self) -> Vec<usize> {
        (0..self.schema.columns.len())
            .filter(|&i| self.schema.columns[i].key)
            .collect()
    }

    pub(crate) fn key_names(&self) -> String {
        self.schema
            .keys()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join("+")
    }

    pub(crate) fn refuse(
        &self,
        row_number: i64,
        cells: Vec<String>,
        key: String,
        reason: &str,
    ) -> Refused {
        Refused {
            row_number,
            cells,
            problems: vec![(self.key_names(), key, reason.into())],
        }
    }

    /// A row's values for the active columns, then the bookkeeping columns.
    pub(crate) fn row_values(&self, active: &[usize], row: &mut Accepted, seq: i64) -> Vec<Value> {
        let mut out: Vec<Value> = active
            .iter()
            .map(|&i| std::mem::replace(&mut row.values[i], Value::Null))
            .collect();
        out.extend([
            Value::Int(self.batch_id),
            Value::Int(row.bytes),
            Value::Text(self.now.clone()),
            Value::Int(seq),
        ]);
        out
    }

    pub(crate) fn take_seq(&mut self) -> i64 {
        self.next_seq += 1;
        self.next_seq - 1
    }

    /// `"k1" = ? AND "k2" = ?` over the key columns.
    fn key_condition(&self) -> String {
        self.quoted(&self.key_cols())
            .iter()
            .map(|k| format!("{k} = ?"))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// Why a row this writer could not apply was refused: its key came earlier in the
    /// batch (only possible for a suspected repeat), or the mode's own reason.
    fn unapplied_reason(
        &self,
        conn: &mut dyn Conn,
        row: &Accepted,
        key_values: Option<Vec<Value>>,
    ) -> Result<&'static str> {
        let own = match self.mode {
            IngestMode::Insert => KEY_EXISTS,
            IngestMode::Delete => KEY_MISSING,
            // Upserts skip only keys this batch wrote already.
            IngestMode::Upsert | IngestMode::Replace => return Ok(KEY_REPEATED),
        };
        let Some(mut key_values) = key_values.filter(|_| row.suspect) else {
            return Ok(own);
        };
        let earlier = if self.mode == IngestMode::Delete {
            conn.query_opt(
                "SELECT 1 FROM pool_tombstones WHERE resource_id = ? AND batch_id = ? AND row_key = ?",
                &params![self.resource_id, self.batch_id, &row.key],
            )?
        } else {
            key_values.push(Value::Int(self.batch_id));
            conn.query_opt(
                &format!(
                    "SELECT 1 FROM \"{}\" WHERE {} AND _batch_id = ?",
                    self.schema.table,
                    self.key_condition()
                ),
                &key_values,
            )?
        };
        Ok(if earlier.is_some() { KEY_REPEATED } else { own })
    }

    /// Records the deletion of a key in the feed.
    fn tombstone(&self, conn: &mut dyn Conn, seq: i64, key: &str) -> Result<()> {
        conn.execute(
            "INSERT INTO pool_tombstones (resource_id, seq, batch_id, op, row_key, at) VALUES (?, ?, ?, 'delete', ?, ?)",
            &params![self.resource_id, seq, self.batch_id, key, &self.now],
        )?;
        Ok(())
    }
}

const BOOKKEEPING: [&str; 4] = ["_batch_id", "_bytes", "_updated_at", "_seq"];

/// Refused rows on their way into quarantine, one record per problem, written in
/// bulk.
pub struct RefusedRows {
    batch_id: i64,
    records: Vec<Vec<Value>>,
    /// Refused rows so far (written or not).
    pub count: i64,
}

impl RefusedRows {
    pub fn new(batch_id: i64) -> Self {
        RefusedRows {
            batch_id,
            records: Vec::new(),
            count: 0,
        }
    }

    pub fn add(&mut self, rows: Vec<Refused>) -> Result<()> {
        for row in rows {
            self.count += 1;
            let raw = serde_json::to_string(&row.cells)?;
            for (column, value, reason) in row.problems {
                self.records.push(vec![
                    Value::Int(self.batch_id),
                    Value::Int(row.row_number),
                    Value::Text(column),
                    Value::Text(value),
                    Value::Text(reason),
                    Value::Text(raw.clone()),
                ]);
            }
        }
        Ok(())
    }

    /// Records waiting to be written.
    pub fn pending(&self) -> usize {
        self.records.len()
    }

    pub fn flush(&mut self, conn: &mut dyn Conn) -> Result<()> {
        let columns = [
            "batch_id",
            "row_number",
            "column_name",
            "value",
            "reason",
            "row_json",
        ]
        .map(String::from);
        conn.copy_in("pool_quarantine", &columns, &self.records)?;
        self.records.clear();
        Ok(())
    }
}

/// Writes a batch's rows into its pool.
pub trait PoolWriter {
    /// Writes the accepted rows of every chunk and hands refused ones (the checker's
    /// and its own) to `refused`, all written by the end. Returns the rows applied and
    /// the next free sequence number.
    fn run(
        &mut self,
        conn: &mut dyn Conn,
        chunks: &mut dyn Iterator<Item = Chunk>,
        refused: &mut RefusedRows,
    ) -> Result<(i64, i64)>;
}

/// One prepared statement per row (SQLite, where a statement costs no round trip).
pub struct RowWriter<'a> {
    target: Target<'a>,
    sql: String,
    active: Vec<usize>,
}

impl<'a> RowWriter<'a> {
    pub fn new(target: Target<'a>) -> Self {
        let active = target.active();
        let table = &target.schema.table;
        let keys = key_list(target.schema);
        let sql = if target.mode == IngestMode::Delete {
            format!("DELETE FROM \"{table}\" WHERE {}", target.key_condition())
        } else {
            let cols = target.written_columns(&active);
            let on_conflict = if target.mode == IngestMode::Insert {
                "DO NOTHING".to_string()
            } else {
                // A key this batch wrote already is not overwritten: the later row
                // is a repeat.
                let set: Vec<String> = cols.iter().map(|c| format!("{c} = excluded.{c}")).collect();
                format!(
                    "DO UPDATE SET {} WHERE \"{table}\"._batch_id <> excluded._batch_id",
                    set.join(", ")
                )
            };
            format!(
                "INSERT INTO \"{table}\" ({}) VALUES ({}) ON CONFLICT ({keys}) {on_conflict}",
                cols.join(", "),
                vec!["?"; cols.len()].join(", ")
            )
        };
        RowWriter {
            target,
            sql,
            active,
        }
    }
}

impl RowWriter<'_> {
    /// Writes one row; `Err` holds the reason when it could not apply.
    fn write_row(
        &mut self,
        conn: &mut dyn Conn,
        row: &mut Accepted,
        keys: &[usize],
    ) -> Result<std::result::Result<(), &'static str>> {
        let seq = self.target.next_seq;
        let key_values = || {
            keys.iter()
                .map(|&i| row.values[i].clone())
                .collect::<Vec<_>>()
        };
        let (applied, key_values) = if self.target.mode == IngestMode::Delete {
            let key = key_values();
            let n = conn.execute(&self.sql, &key)?;
            if n > 0 {
                self.target.tombstone(conn, seq, &row.key)?;
            }
            (n > 0, Some(key))
        } else {
            let key = row.suspect.then(key_values);
            let values = self.target.row_values(&self.active, row, seq);
            (conn.execute(&self.sql, &values)? > 0, key)
        };
        if applied {
            self.target.take_seq();
            return Ok(Ok(()));
        }
        Ok(Err(self.target.unapplied_reason(conn, row, key_values)?))
    }
}

impl PoolWriter for RowWriter<'_> {
    fn run(
        &mut self,
        conn: &mut dyn Conn,
        chunks: &mut dyn Iterator<Item = Chunk>,
        refused: &mut RefusedRows,
    ) -> Result<(i64, i64)> {
        let keys = self.target.key_cols();
        let mut applied = 0i64;
        for chunk in chunks {
            let mut unapplied = Vec::new();
            for mut row in chunk.accepted {
                match self.write_row(conn, &mut row, &keys)? {
                    Ok(()) => applied += 1,
                    Err(reason) => {
                        let cells = row.cells.take().unwrap_or_default();
                        unapplied.push(self.target.refuse(row.row_number, cells, row.key, reason));
                    }
                }
            }
            refused.add(chunk.refused)?;
            refused.add(unapplied)?;
            if refused.pending() >= QUARANTINE_ROWS {
                refused.flush(conn)?;
            }
        }
        refused.flush(conn)?;
        Ok((applied, self.target.next_seq))
    }
}

/// Quarantine records gathered before they are written.
pub(crate) const QUARANTINE_ROWS: usize = 5_000;
/// Quarantine records a COPY stream gathers before it pauses to write them.
const QUARANTINE_DEFERRED: usize = 100_000;

/// COPY into a fresh table or a staging table (PostgreSQL).
pub struct CopyWriter<'a> {
    target: Target<'a>,
    /// The table rows are copied into.
    into: String,
    /// True when `into` is a fresh table that becomes the pool at the end.
    swap: bool,
    columns: Vec<String>,
    active: Vec<usize>,
    /// Rows whose key may repeat an earlier row's, settled after the stream.
    held: HeldRows,
}

/// The temporary table of staged rows: the pool's columns, then the row number, key
/// and submitted cells.
fn create_stage(conn: &mut dyn Conn, stage: &str, table: &str) -> Result<()> {
    conn.batch(&format!(
        "CREATE TEMP TABLE {stage} (LIKE \"{table}\" INCLUDING DEFAULTS, _row BIGINT, _key TEXT, _cells TEXT) ON COMMIT DROP"
    ))
}

const STAGE_EXTRA: [&str; 3] = ["_row", "_key", "_cells"];

impl<'a> CopyWriter<'a> {
    /// `pool_empty`: the pool holds no rows (so a non-delete batch can build the pool
    /// afresh, as replace does).
    pub fn new(conn: &mut dyn Conn, target: Target<'a>, pool_empty: bool) -> Result<Self> {
        let table = target.schema.table.clone();
        let swap =
            target.mode == IngestMode::Replace || (pool_empty && target.mode != IngestMode::Delete);
        let active = target.active();
        let mut columns = target.written_columns(&active);
        let into = if swap {
            let next = format!("{table}_next");
            conn.batch(&format!(
                "CREATE TABLE \"{next}\" (LIKE \"{table}\" INCLUDING DEFAULTS)"
            ))?;
            next
        } else {
            create_stage(conn, "_stage", &table)?;
            columns.extend(STAGE_EXTRA.map(String::from));
            "_stage".to_string()
        };
        Ok(CopyWriter {
            target,
            into,
            swap,
            columns,
            active,
            held: HeldRows::default(),
        })
    }

    /// A row as streamed: its values, and in a staging table (`staged`) its row
    /// number, key and submitted cells.
    fn copy_row(&mut self, mut row: Accepted, staged: bool) -> Result<Vec<Value>> {
        let seq = self.target.take_seq();
        let mut values = self.target.row_values(&self.active, &mut row, seq);
        if staged {
            values.push(Value::Int(row.row_number));
            values.push(Value::Text(row.key));
            values.push(match row.cells {
                Some(cells) => Value::Text(serde_json::to_string(&cells)?),
                None => Value::Null,
            });
        }
        Ok(values)
    }

    /// Staged rows whose key is (`exists`) or is not in the pool, as refused rows.
    fn staged_by_presence(
        &self,
        conn: &mut dyn Conn,
        stage: &str,
        exists: bool,
        reason: &str,
    ) -> Result<Vec<Refused>> {
        let cond = format!(
            "{} EXISTS (SELECT 1 FROM \"{}\" p WHERE {})",
            if exists { "" } else { "NOT" },
            self.target.schema.table,
            self.key_match()
        );
        self.staged_where(conn, stage, &cond, &[], reason)
    }

    /// Staged rows meeting `cond` (over `s`), as refused rows.
    fn staged_where(
        &self,
        conn: &mut dyn Conn,
        stage: &str,
        cond: &str,
        params: &[Value],
        reason: &str,
    ) -> Result<Vec<Refused>> {
        let sql = format!("SELECT s._row, s._key, s._cells FROM {stage} s WHERE {cond}");
        conn.query(&sql, params)?
            .into_iter()
            .map(|r| {
                let cells: Vec<String> =
                    serde_json::from_str(&r.opt_text("_cells")?.unwrap_or_else(|| "[]".into()))?;
                Ok(self
                    .target
                    .refuse(r.i64("_row")?, cells, r.text("_key")?, reason))
            })
            .collect()
    }

    fn key_match(&self) -> String {
        self.target
            .quoted(&self.target.key_cols())
            .iter()
            .map(|k| format!("p.{k} = s.{k}"))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    /// Makes the freshly filled table the pool: key and feed index built once over
    /// all rows, then the old table dropped and the new one renamed, inside the
    /// batch's transaction.
    fn swap_in(&self, conn: &mut dyn Conn) -> Result<()> {
        let (table, next, b) = (&self.target.schema.table, &self.into, self.target.batch_id);
        conn.batch(&format!(
            "ALTER TABLE \"{next}\" ADD CONSTRAINT \"{table}_pk_{b}\" PRIMARY KEY ({keys}); \
             CREATE INDEX \"{table}_seq_{b}\" ON \"{next}\" (_seq); \
             DROP TABLE \"{table}\"; \
             ALTER TABLE \"{next}\" RENAME TO \"{table}\"",
            keys = key_list(self.target.schema)
        ))
    }

    /// Merges a staging table into the pool by the batch's mode.
    fn merge(&self, conn: &mut dyn Conn, stage: &str) -> Result<Vec<Refused>> {
        let table = &self.target.schema.table;
        let cols = self.target.written_columns(&self.active);
        let list = cols.join(", ");
        match self.target.mode {
            IngestMode::Delete => {
                let refused = self.staged_by_presence(conn, stage, false, KEY_MISSING)?;
                conn.execute(
                    &format!(
                        "WITH d AS (DELETE FROM \"{table}\" p USING {stage} s WHERE {} RETURNING s._seq, s._key) \
                         INSERT INTO pool_tombstones (resource_id, seq, batch_id, op, row_key, at) SELECT ?, _seq, ?, 'delete', _key, ? FROM d",
                        self.key_match()
                    ),
                    &params![self.target.resource_id, self.target.batch_id, &self.target.now],
                )?;
                Ok(refused)
            }
            IngestMode::Insert => {
                let refused = self.staged_by_presence(conn, stage, true, KEY_EXISTS)?;
                conn.execute(
                    &format!(
                        "INSERT INTO \"{table}\" ({list}) SELECT {list} FROM {stage} s WHERE NOT EXISTS (SELECT 1 FROM \"{table}\" p WHERE {})",
                        self.key_match()
                    ),
                    &[],
                )?;
                Ok(refused)
            }
            IngestMode::Upsert | IngestMode::Replace => {
                let set: Vec<String> = cols.iter().map(|c| format!("{c} = excluded.{c}")).collect();
                conn.execute(
                    &format!(
                        "INSERT INTO \"{table}\" ({list}) SELECT {list} FROM {stage} ON CONFLICT ({}) DO UPDATE SET {}",
                        key_list(self.target.schema),
                        set.join(", ")
                    ),
                    &[],
                )?;
                Ok(vec![])
            }
        }
    }
}

impl CopyWriter<'_> {
    /// Settles the rows whose key the checker suspected of repeating, in the
    /// database: all of them are staged; a repeat of an earlier held row or of a key
    /// the stream wrote (or deleted) goes to quarantine by one statement; the others
    /// are merged like any staged row. Returns the rows applied.
    fn settle_held(&mut self, conn: &mut dyn Conn, refused: &mut RefusedRows) -> Result<i64> {
        if self.held.count == 0 {
            return Ok(0);
        }
        let mut columns = self.target.quoted(&self.active);
        columns.extend(
            BOOKKEEPING
                .iter()
                .chain(&STAGE_EXTRA)
                .map(|c| c.to_string()),
        );
        create_stage(conn, "_held", &self.target.schema.table)?;
        let mut staged = 0i64;
        {
            let rows = self.held.drain(self.target.schema)?;
            let mut stream = conn.copy_stream("_held", &columns)?;
            for row in rows {
                stream.write_row(&self.copy_row(row?, true)?)?;
                staged += 1;
            }
            stream.finish()?;
        }
        conn.batch("CREATE INDEX _held_key ON _held (_key)")?;
        let (written, params) = if self.target.mode == IngestMode::Delete {
            (
                "EXISTS (SELECT 1 FROM pool_tombstones t WHERE t.resource_id = ? AND t.batch_id = ? AND t.row_key = s._key)".to_string(),
                params![self.target.resource_id, self.target.batch_id].to_vec(),
            )
        } else {
            (
                format!(
                    "EXISTS (SELECT 1 FROM \"{}\" p WHERE {} AND p._batch_id = ?)",
                    self.target.schema.table,
                    self.key_match()
                ),
                params![self.target.batch_id].to_vec(),
            )
        };
        let repeated = format!(
            "(EXISTS (SELECT 1 FROM _held e WHERE e._key = s._key AND e._row < s._row) OR {written})"
        );
        let mut quarantine_params = vec![
            Value::Int(self.target.batch_id),
            Value::Text(self.target.key_names()),
            Value::Text(KEY_REPEATED.into()),
        ];
        quarantine_params.extend(params.iter().cloned());
        let repeats = conn.execute(
            &format!(
                "INSERT INTO pool_quarantine (batch_id, row_number, column_name, value, reason, row_json) \
                 SELECT ?, s._row, ?, s._key, ?, COALESCE(s._cells, '[]') FROM _held s WHERE {repeated}"
            ),
            &quarantine_params,
        )? as i64;
        conn.execute(&format!("DELETE FROM _held s WHERE {repeated}"), &params)?;
        refused.count += repeats;
        let unapplied = self.merge(conn, "_held")?;
        let applied = staged - repeats - unapplied.len() as i64;
        refused.add(unapplied)?;
        Ok(applied)
    }
}

impl PoolWriter for CopyWriter<'_> {
    fn run(
        &mut self,
        conn: &mut dyn Conn,
        chunks: &mut dyn Iterator<Item = Chunk>,
        refused: &mut RefusedRows,
    ) -> Result<(i64, i64)> {
        let (into, columns) = (self.into.clone(), self.columns.clone());
        let mut written = 0i64;
        // One COPY for the whole batch, paused only when refused rows pile up.
        let mut stream = conn.copy_stream(&into, &columns)?;
        for chunk in chunks {
            for row in chunk.accepted {
                if row.suspect {
                    self.held.hold(row)?;
                    continue;
                }
                stream.write_row(&self.copy_row(row, !self.swap)?)?;
                written += 1;
            }
            refused.add(chunk.refused)?;
            if refused.pending() >= QUARANTINE_DEFERRED {
                stream.finish()?;
                refused.flush(conn)?;
                stream = conn.copy_stream(&into, &columns)?;
            }
        }
        stream.finish()?;
        let unapplied = if self.swap {
            self.swap_in(conn)?;
            vec![]
        } else {
            self.merge(conn, "_stage")?
        };
        written -= unapplied.len() as i64;
        refused.add(unapplied)?;
        written += self.settle_held(conn, refused)?;
        refused.flush(conn)?;
        Ok((written, self.target.next_seq))
    }
}
