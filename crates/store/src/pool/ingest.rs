//! Filling a data pool: one batch, whole or not at all. Every submitted row is cleansed,
//! typed and checked by the domain's rules; good rows are written by the batch's mode,
//! bad rows are kept in quarantine with row number, column, value and reason, and
//! accepted + rejected = received, always.

use crate::catalog::resources::get_visible;
use crate::db::conn::Conn;
use crate::db::conn::Dialect;
use crate::error::Result;
use crate::error::StoreError;
pub use crate::pool::batch::{Batch, BatchReport, IngestMode, RowSource};
use crate::pool::check::RowChecker;
use crate::pool::tables::{ensure_pool, schema_of};
use crate::pool::write::{CopyWriter, PoolWriter, RefusedRows, RowWriter, Target};
use crate::{Caller, Store, params};
use govshare_domain::lifecycle::State;
use govshare_domain::pool::PoolSchema;
use govshare_domain::{Error, Problem};
use serde::Serialize;

/// Which pool column each header names; unknown headers and missing required
/// columns refuse the whole batch, naming the header.
/// The columns a quarantine download adds (行号, 错误原因): ignored when the fixed
/// file is submitted again.
pub const QUARANTINE_COLUMNS: [&str; 2] = ["行号", "错误原因"];

fn map_header(
    schema: &PoolSchema,
    header: &[String],
    mode: IngestMode,
) -> Result<Vec<Option<usize>>> {
    let mut problems = Vec::new();
    let mut map = Vec::with_capacity(header.len());
    for h in header {
        match schema.column_for_header(h) {
            Some(i) if map.contains(&Some(i)) => {
                problems.push(Problem::new("header", format!("列“{h}”重复")))
            }
            // An item the selection rules do not take: its cells are ignored.
            Some(i) if !schema.selection.takes(schema, i) => map.push(None),
            Some(i) => map.push(Some(i)),
            None if QUARANTINE_COLUMNS.contains(&h.trim()) => map.push(None),
            None => problems.push(Problem::new(
                "header",
                format!("未知的列“{h}”：不是该资源的信息项名称或字段代码"),
            )),
        }
    }
    for (i, c) in schema.columns.iter().enumerate() {
        let needed = !c.hidden
            && if mode == IngestMode::Delete {
                c.key
            } else {
                c.required
            };
        if needed && !map.contains(&Some(i)) {
            problems.push(Problem::new(
                "header",
                format!("缺少必填信息项“{}”", c.name),
            ));
        }
    }
    if mode != IngestMode::Delete {
        for rule in &schema.selection.rows {
            match schema.column_for_header(&rule.item) {
                Some(i) if !map.contains(&Some(i)) => problems.push(Problem::new(
                    "header",
                    format!(
                        "缺少筛选规则所用的信息项“{}”，无法判断哪些行入池",
                        schema.columns[i].name
                    ),
                )),
                _ => {}
            }
        }
    }
    if problems.is_empty() {
        Ok(map)
    } else {
        Err(Error::Invalid(problems).into())
    }
}

/// Refuses the batch (the transaction rolls back) when the organisation's pools now
/// hold more than its quota.
fn check_quota(conn: &mut dyn Conn, org_id: i64) -> Result<()> {
    let Some(q) = conn.query_opt(
        "SELECT max_rows, max_bytes FROM org_quotas WHERE org_id = ?",
        &params![org_id],
    )?
    else {
        return Ok(());
    };
    let used = conn.query_one(
        "SELECT CAST(COALESCE(SUM(p.row_count), 0) AS BIGINT) AS used_rows, CAST(COALESCE(SUM(p.byte_count), 0) AS BIGINT) AS used_bytes FROM pools p JOIN resources r ON r.id = p.resource_id WHERE r.owner_org_id = ?",
        &params![org_id],
    )?;
    let (rows, bytes) = (used.i64("used_rows")?, used.i64("used_bytes")?);
    if let Some(max) = q.opt_i64("max_rows")?.filter(|max| rows > *max) {
        return Err(Error::QuotaExceeded(format!(
            "本单位数据池将有{rows}行，超过配额{max}行，本批数据未入池"
        ))
        .into());
    }
    if let Some(max) = q.opt_i64("max_bytes")?.filter(|max| bytes > *max) {
        return Err(Error::QuotaExceeded(format!(
            "本单位数据池将有{bytes}字节，超过配额{max}字节，本批数据未入池"
        ))
        .into());
    }
    Ok(())
}

/// A batch made ready to take rows: caller, resource, header and pool checked, and the
/// batch recorded (with no rows yet).
pub(crate) struct Ready {
    pub resource_id: i64,
    pub owner_org_id: i64,
    pub schema: PoolSchema,
    pub map: Vec<Option<usize>>,
    pub batch_id: i64,
    pub now: String,
    /// The pool's feed counter and size when the batch began.
    pub last_seq: i64,
    pub row_count: i64,
}

pub(crate) enum Start {
    /// A retry of a batch already recorded: its first outcome.
    Replayed(BatchReport),
    Ready(Ready),
}

impl Ready {
    /// Whether the batch builds the pool afresh (it replaces the pool, or fills an
    /// empty one), so its rows can be written into a table of their own and swapped in.
    pub fn builds_afresh(&self, mode: IngestMode) -> bool {
        mode == IngestMode::Replace || (self.row_count == 0 && mode != IngestMode::Delete)
    }

    /// The first sequence number of the batch's rows (a replacement's marker in the
    /// feed takes the one before).
    pub fn first_row_seq(&self, mode: IngestMode) -> i64 {
        self.last_seq + if mode == IngestMode::Replace { 2 } else { 1 }
    }

    /// What the writers know about the batch, writing into `schema`'s table.
    pub fn target<'a>(&self, schema: &'a PoolSchema, mode: IngestMode) -> Target<'a> {
        Target {
            schema,
            mode,
            resource_id: self.resource_id,
            batch_id: self.batch_id,
            now: self.now.clone(),
            next_seq: self.first_row_seq(mode),
        }
    }

    /// Marks a replacement in the feed: every earlier row is gone.
    pub fn mark_replacement(&self, conn: &mut dyn Conn) -> Result<()> {
        conn.execute(
            "INSERT INTO pool_tombstones (resource_id, seq, batch_id, op, row_key, at) VALUES (?, ?, ?, 'replace', '*', ?)",
            &params![self.resource_id, self.last_seq + 1, self.batch_id, &self.now],
        )?;
        Ok(())
    }
}

/// Checks the caller, the resource and the header, and records the batch. `deferred`:
/// the batch's client id is recorded only when it ends (`Counts::record`), so that a
/// retry does not take a batch still loading for one already done.
pub(crate) fn start(
    conn: &mut dyn Conn,
    caller: &Caller,
    batch: &Batch,
    deferred: bool,
) -> Result<Start> {
    let r = get_visible(conn, &batch.code, caller.visibility())?;
    caller.check(|p| p.check_edit(r.owner_org_id, govshare_domain::lifecycle::State::Draft))?;
    if let Some(id) = &batch.client_batch_id {
        let done = conn.query_opt(
            "SELECT id, mode, received, accepted, rejected, skipped FROM pool_batches WHERE resource_id = ? AND client_batch_id = ?",
            &params![r.id, id],
        )?;
        if let Some(row) = done {
            return Ok(Start::Replayed(BatchReport {
                batch_id: row.i64("id")?,
                mode: batch.mode,
                received: row.i64("received")?,
                accepted: row.i64("accepted")?,
                rejected: row.i64("rejected")?,
                skipped: row.i64("skipped")?,
                replayed: true,
            }));
        }
    }
    if !matches!(r.state, State::Registered | State::Published) {
        return Err(Error::Conflict(format!("资源“{}”尚未登记，不能汇聚数据", r.code)).into());
    }
    let schema = match schema_of(conn, r.id)? {
        Some(s) => s,
        None => ensure_pool(conn, &r)?.ok_or_else(|| {
            Error::invalid(
                "items",
                "该资源不能建数据池：需要结构化格式和至少一个主键信息项",
            )
        })?,
    };
    let map = map_header(&schema, &batch.header, batch.mode)?;
    let now = crate::now();
    let mode_name = serde_json::to_value(batch.mode)?
        .as_str()
        .unwrap_or_default()
        .to_string();
    let client_id = batch.client_batch_id.clone().filter(|_| !deferred);
    let batch_id = conn
        .query_one(
            "INSERT INTO pool_batches (resource_id, client_batch_id, mode, source_name, source_sha256, header_json, actor, received, accepted, rejected, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?) RETURNING id",
            &params![
                r.id,
                client_id,
                &mode_name,
                &batch.source_name,
                &batch.source_sha256,
                serde_json::to_string(&batch.header)?,
                caller.name(),
                &now,
                &now
            ],
        )?
        .i64("id")?;
    // The pool's lock (PostgreSQL; SQLite has one writer) and its feed counter.
    let lock = if conn.dialect() == Dialect::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let pool = conn.query_one(
        &format!("SELECT last_seq, row_count FROM pools WHERE resource_id = ?{lock}"),
        &params![r.id],
    )?;
    Ok(Start::Ready(Ready {
        resource_id: r.id,
        owner_org_id: r.owner_org_id,
        schema,
        map,
        batch_id,
        now,
        last_seq: pool.i64("last_seq")?,
        row_count: pool.i64("row_count")?,
    }))
}

/// What a batch did, recorded when it ends.
pub(crate) struct Counts {
    pub received: i64,
    pub accepted: i64,
    pub rejected: i64,
    pub skipped: i64,
    /// The last sequence number the batch used.
    pub last_seq: i64,
}

impl Counts {
    /// Records the batch's outcome and the pool's new size (`size`: rows and bytes,
    /// counted from the pool's table when `None`), then refuses the batch (the
    /// transaction rolls back) if the organisation's pools are now over quota.
    pub fn record(
        &self,
        conn: &mut dyn Conn,
        ready: &Ready,
        batch: &Batch,
        size: Option<(i64, i64)>,
    ) -> Result<BatchReport> {
        let finished = crate::now();
        conn.execute(
            "UPDATE pool_batches SET received = ?, accepted = ?, rejected = ?, skipped = ?, finished_at = ?, client_batch_id = ? WHERE id = ?",
            &params![
                self.received,
                self.accepted,
                self.rejected,
                self.skipped,
                &finished,
                batch.client_batch_id.clone(),
                ready.batch_id
            ],
        )?;
        let (rows, bytes) = match size {
            Some(size) => size,
            None => {
                let size = conn.query_one(
                    &format!(
                        "SELECT COUNT(*) AS row_count, CAST(COALESCE(SUM(_bytes), 0) AS BIGINT) AS byte_count FROM \"{}\"",
                        ready.schema.table
                    ),
                    &[],
                )?;
                (size.i64("row_count")?, size.i64("byte_count")?)
            }
        };
        conn.execute(
            "UPDATE pools SET last_seq = ?, row_count = ?, byte_count = ?, last_batch_at = ? WHERE resource_id = ?",
            &params![self.last_seq, rows, bytes, &finished, ready.resource_id],
        )?;
        check_quota(conn, ready.owner_org_id)?;
        Ok(BatchReport {
            batch_id: ready.batch_id,
            mode: batch.mode,
            received: self.received,
            accepted: self.accepted,
            rejected: self.rejected,
            skipped: self.skipped,
            replayed: false,
        })
    }
}

/// Runs a whole batch in the caller's transaction: all of it or none of it.
pub fn ingest(conn: &mut dyn Conn, caller: &Caller, batch: Batch) -> Result<BatchReport> {
    match start(conn, caller, &batch, false)? {
        Start::Replayed(report) => Ok(report),
        Start::Ready(ready) => write_in_place(conn, &ready, batch),
    }
}

/// Writes a ready batch's rows in the caller's transaction, straight into the pool
/// (SQLite) or by COPY (PostgreSQL).
pub(crate) fn write_in_place(
    conn: &mut dyn Conn,
    ready: &Ready,
    mut batch: Batch,
) -> Result<BatchReport> {
    if batch.mode == IngestMode::Replace {
        ready.mark_replacement(conn)?;
    }
    let target = ready.target(&ready.schema, batch.mode);
    let mut writer: Box<dyn PoolWriter> = match conn.dialect() {
        Dialect::Postgres => Box::new(CopyWriter::new(conn, target, ready.row_count == 0)?),
        Dialect::Sqlite => {
            if batch.mode == IngestMode::Replace {
                conn.execute(&format!("DELETE FROM \"{}\"", ready.schema.table), &[])?;
            }
            Box::new(RowWriter::new(target))
        }
    };
    // Rows are read and checked on a thread of their own while this one writes.
    let checker = RowChecker::new(ready.schema.clone(), ready.map.clone(), batch.mode);
    let rows = std::mem::replace(&mut batch.rows, Box::new(std::iter::empty()));
    let progress = batch.progress.take();
    let mut refused = RefusedRows::new(ready.batch_id);
    let (received, skipped, accepted, next_seq) = std::thread::scope(|scope| -> Result<_> {
        let (tx, rx) = std::sync::mpsc::sync_channel(4);
        let reader = scope.spawn(move || checker.run(rows, progress, tx));
        let (accepted, next_seq) = writer.run(conn, &mut rx.into_iter(), &mut refused)?;
        let (received, skipped) = joined(reader.join())?;
        Ok((received, skipped, accepted, next_seq))
    })?;
    let counts = Counts {
        received,
        accepted,
        rejected: refused.count,
        skipped,
        last_seq: next_seq - 1,
    };
    counts.record(conn, ready, &batch, None)
}

/// The checker thread's outcome: rows received and skipped, or why the batch is
/// refused whole.
pub(crate) fn joined(
    outcome: std::thread::Result<std::result::Result<(i64, i64), (String, String)>>,
) -> Result<(i64, i64)> {
    Ok(outcome
        .map_err(|_| StoreError::Db("the row checker stopped unexpectedly".into()))?
        .map_err(|(column, why)| Error::Invalid(vec![Problem::new(column, why)]))?)
}

#[derive(Debug, Clone, Serialize)]
pub struct QuarantinedRow {
    pub row_number: i64,
    pub column: String,
    pub value: String,
    pub reason: String,
    /// The row as submitted.
    pub cells: Vec<String>,
}

/// What a batch refused: the submitted header and each problem of each refused row.
#[derive(Debug, Clone, Serialize)]
pub struct Quarantine {
    pub batch_id: i64,
    pub header: Vec<String>,
    pub rows: Vec<QuarantinedRow>,
}

impl Store {
    /// Runs one batch into a pool, all of it or none of it.
    /// The rows a batch refused, with their reasons: for the pool's own organisation
    /// and the bureau only (refused rows hold the submitted data).
    pub(crate) async fn quarantine(&self, caller: &Caller, batch_id: i64) -> Result<Quarantine> {
        let caller = caller.clone();
        self.read(move |c| {
            let batch = c.query_opt(
                "SELECT r.owner_org_id, b.header_json FROM pool_batches b JOIN resources r ON r.id = b.resource_id WHERE b.id = ?",
                &params![batch_id],
            )?;
            let Some(batch) = batch.filter(|b| b.i64("owner_org_id").is_ok_and(|o| caller.check(|p| p.check_edit(o, State::Draft)).is_ok())) else {
                return Err(Error::not_found("批次", batch_id.to_string()).into());
            };
            let header: Vec<String> = serde_json::from_str(&batch.text("header_json")?)?;
            let rows = c
                .query(
                    "SELECT row_number, column_name, value, reason, row_json FROM pool_quarantine WHERE batch_id = ? ORDER BY row_number",
                    &params![batch_id],
                )?
                .iter()
                .map(|r| {
                    Ok(QuarantinedRow {
                        row_number: r.i64("row_number")?,
                        column: r.text("column_name")?,
                        value: r.text("value")?,
                        reason: r.text("reason")?,
                        cells: serde_json::from_str(&r.text("row_json")?)?,
                    })
                })
                .collect::<Result<_>>()?;
            Ok(Quarantine { batch_id, header, rows })
        })
        .await
    }
}
