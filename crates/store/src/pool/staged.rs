//! Loading a batch that builds a pool afresh on SQLite (it replaces the pool, or fills
//! an empty one) in steps instead of one transaction. The rows go into a bare table
//! of the pool's shape (`pool_N__load_B`), a short transaction at a time, so the
//! write-ahead log stays small and other writers get their turn between steps; the
//! key and feed indexes are then built once over all rows, the rows whose key the
//! checker suspected of repeating are settled against the key index, and one short
//! transaction swaps the table in and records the batch. Until that transaction
//! commits the pool is as it was: readers never see a part of the batch.
//!
//! A load killed on the way leaves its table and its batch's record behind; the next
//! start removes both (`pool::loads::recover`), unless the process that owns the load
//! is still at it (it holds a lock on the file `govshare.db.load-B` while it runs).

use crate::db::conn::Conn;
use crate::error::{Result, StoreError};
use crate::params;
use crate::pool::batch::{Batch, BatchReport, IngestMode};
use crate::pool::check::{Chunk, RowChecker};
use crate::pool::held::HeldRows;
use crate::pool::ingest::{Counts, Ready, Start, joined, start, write_in_place};
use crate::pool::loads::{abandon, io, lock_path, stage_name};
use crate::pool::tables::{bare_table_sql, key_list, schema_of};
use crate::pool::write::{KEY_REPEATED, QUARANTINE_ROWS, RefusedRows, Target};
use crate::{Caller, Store};
use govshare_domain::Error;
use govshare_domain::pool::PoolSchema;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// How long one step of a load holds the writer at most (it ends sooner when the
/// checker has nothing ready).
const STEP: Duration = Duration::from_millis(200);
/// Rows one step writes at most.
const STEP_ROWS: usize = 100_000;
/// The writer's page cache while it builds a loaded table's indexes, in KiB (SQLite's
/// sorter takes as much again before it spills to temporary files); its usual cache is
/// put back afterwards. 64 MiB keeps a 44-million-row load under 500 MB in all.
const INDEX_CACHE_KIB: i64 = 64 * 1024;
const USUAL_CACHE_KIB: i64 = 2_000;

/// A load under way: its table, and the lock that says its process is alive.
struct Stage {
    /// The pool's schema, naming the load's table.
    schema: PoolSchema,
    lock: PathBuf,
    _held: std::fs::File,
}

impl Stage {
    /// Takes the load's lock, then makes its table (in the caller's transaction: the
    /// table and the batch's record appear together).
    fn create(conn: &mut dyn Conn, db: &Path, ready: &Ready) -> Result<Stage> {
        let lock = lock_path(db, ready.batch_id);
        let held = std::fs::File::create(&lock).map_err(|e| io(&lock, e))?;
        held.try_lock()
            .map_err(|e| StoreError::Unavailable(format!("{}: {e}", lock.display())))?;
        let mut schema = ready.schema.clone();
        schema.table = stage_name(&ready.schema.table, ready.batch_id);
        conn.batch(&bare_table_sql(conn.dialect(), &schema))?;
        Ok(Stage {
            schema,
            lock,
            _held: held,
        })
    }

    /// Makes the loaded table the pool, if the pool is still as the batch found it.
    fn swap_in(&self, conn: &mut dyn Conn, ready: &Ready, mode: IngestMode) -> Result<()> {
        let last_seq = conn
            .query_opt(
                "SELECT last_seq FROM pools WHERE resource_id = ?",
                &params![ready.resource_id],
            )?
            .map(|r| r.i64("last_seq"))
            .transpose()?;
        let schema = schema_of(conn, ready.resource_id)?;
        if last_seq != Some(ready.last_seq) || schema.as_ref() != Some(&ready.schema) {
            return Err(Error::Conflict(
                "本批数据入池期间，数据池被另一批数据或信息项变更修改，本批数据未入池，请重新提交"
                    .into(),
            )
            .into());
        }
        if mode == IngestMode::Replace {
            ready.mark_replacement(conn)?;
        }
        conn.batch(&format!(
            "DROP TABLE \"{pool}\"; ALTER TABLE \"{stage}\" RENAME TO \"{pool}\"",
            pool = ready.schema.table,
            stage = self.schema.table
        ))
    }

    fn release(self) {
        let _ = std::fs::remove_file(&self.lock);
    }
}

/// What the load has written into its table.
struct StageWriter<'a> {
    target: Target<'a>,
    columns: Vec<String>,
    active: Vec<usize>,
    /// Rows whose key may repeat an earlier row's, settled once the key index is built.
    held: HeldRows,
    applied: i64,
    bytes: i64,
}

impl<'a> StageWriter<'a> {
    fn new(target: Target<'a>) -> Self {
        let active = target.active();
        StageWriter {
            columns: target.written_columns(&active),
            target,
            active,
            held: HeldRows::default(),
            applied: 0,
            bytes: 0,
        }
    }

    fn table(&self) -> &str {
        &self.target.schema.table
    }

    /// One step: `first` and the chunks that come while the step lasts. Rows with a
    /// key seen for the first time go straight in (their keys are all different);
    /// the others are held.
    fn step(
        &mut self,
        conn: &mut dyn Conn,
        first: Chunk,
        more: &Receiver<Chunk>,
        refused: &mut RefusedRows,
    ) -> Result<()> {
        let began = Instant::now();
        let mut rows = 0usize;
        let table = self.table().to_string();
        let mut stream = conn.copy_stream(&table, &self.columns)?;
        let mut next = Some(first);
        while let Some(chunk) = next.take() {
            rows += chunk.accepted.len() + chunk.refused.len();
            for mut row in chunk.accepted {
                if row.suspect {
                    self.held.hold(row)?;
                    continue;
                }
                self.bytes += row.bytes;
                let seq = self.target.take_seq();
                stream.write_row(&self.target.row_values(&self.active, &mut row, seq))?;
                self.applied += 1;
            }
            refused.add(chunk.refused)?;
            if let Some(left) = STEP.checked_sub(began.elapsed())
                && rows < STEP_ROWS
            {
                next = more.recv_timeout(left).ok();
            }
        }
        stream.finish()?;
        refused.flush(conn)
    }

    /// Builds an index over the loaded rows with a larger page cache to sort in.
    fn index(&self, conn: &mut dyn Conn, sql: &str) -> Result<()> {
        conn.batch(&format!("PRAGMA cache_size = -{INDEX_CACHE_KIB}"))?;
        let built = conn.batch(sql);
        conn.batch(&format!("PRAGMA cache_size = -{USUAL_CACHE_KIB}"))?;
        built
    }

    fn index_keys(&self, conn: &mut dyn Conn) -> Result<()> {
        self.index(
            conn,
            &format!(
                "CREATE UNIQUE INDEX \"{pool}_key_{b}\" ON \"{stage}\" ({keys})",
                pool = self.pool_table(),
                b = self.target.batch_id,
                stage = self.table(),
                keys = key_list(self.target.schema)
            ),
        )
    }

    fn index_feed(&self, conn: &mut dyn Conn) -> Result<()> {
        self.index(
            conn,
            &format!(
                "CREATE INDEX \"{pool}_seq_{b}\" ON \"{stage}\" (_seq)",
                pool = self.pool_table(),
                b = self.target.batch_id,
                stage = self.table(),
            ),
        )
    }

    /// The pool's own table name (the load's table's, less its suffix).
    fn pool_table(&self) -> &str {
        self.table()
            .rsplit_once("__load_")
            .map_or(self.table(), |(pool, _)| pool)
    }

    /// Settles the held rows in the order they came: a key not yet in the table goes
    /// in, a repeat is refused (the first row with a key wins, as in one transaction).
    fn settle_held(&mut self, conn: &mut dyn Conn, refused: &mut RefusedRows) -> Result<()> {
        if self.held.count == 0 {
            return Ok(());
        }
        let sql = format!(
            "INSERT INTO \"{}\" ({}) VALUES ({}) ON CONFLICT ({}) DO NOTHING",
            self.table(),
            self.columns.join(", "),
            vec!["?"; self.columns.len()].join(", "),
            key_list(self.target.schema)
        );
        let mut repeats = Vec::new();
        for row in self.held.drain(self.target.schema)? {
            let mut row = row?;
            let seq = self.target.next_seq;
            let bytes = row.bytes;
            let values = self.target.row_values(&self.active, &mut row, seq);
            if conn.execute(&sql, &values)? > 0 {
                self.target.take_seq();
                self.applied += 1;
                self.bytes += bytes;
                continue;
            }
            let cells = row.cells.take().unwrap_or_default();
            repeats.push(
                self.target
                    .refuse(row.row_number, cells, row.key, KEY_REPEATED),
            );
            if repeats.len() >= QUARANTINE_ROWS {
                refused.add(std::mem::take(&mut repeats))?;
                refused.flush(conn)?;
            }
        }
        refused.add(repeats)?;
        refused.flush(conn)
    }
}

impl Store {
    /// On SQLite, a batch that builds the pool afresh is loaded in steps (see
    /// `pool::staged`); every other batch runs in one transaction.
    pub(crate) async fn ingest(&self, caller: &Caller, batch: Batch) -> Result<BatchReport> {
        let caller = caller.clone();
        match &*self.backend {
            crate::store::Backend::Sqlite(_) => {
                self.on_blocking("load", move |s| load(s, &caller, batch))
                    .await
            }
            crate::store::Backend::Postgres(_) => {
                self.write(move |c| crate::pool::ingest::ingest(c, &caller, batch))
                    .await
            }
        }
    }
}

/// What the first transaction found.
enum Begun {
    Done(BatchReport),
    Staged(Box<Ready>, Stage),
}

/// Runs one batch into a pool on SQLite: in steps when it builds the pool afresh,
/// otherwise in one transaction.
pub(crate) fn load(store: &Store, caller: &Caller, batch: Batch) -> Result<BatchReport> {
    let crate::store::Backend::Sqlite(sqlite) = &*store.backend else {
        return store.write_blocking(|c| crate::pool::ingest::ingest(c, caller, batch));
    };
    let _turn = store.loading.take(&batch.code);
    let mode = batch.mode;
    let mut batch = Some(batch);
    let begun = store.write_blocking(|c| {
        let started = start(c, caller, batch.as_ref().expect("not yet taken"), true)?;
        match started {
            Start::Replayed(report) => Ok(Begun::Done(report)),
            Start::Ready(ready) if !ready.builds_afresh(mode) => {
                let batch = batch.take().expect("taken once");
                Ok(Begun::Done(write_in_place(c, &ready, batch)?))
            }
            Start::Ready(ready) => {
                let stage = Stage::create(c, sqlite.path(), &ready)?;
                Ok(Begun::Staged(Box::new(ready), stage))
            }
        }
    })?;
    let (ready, stage) = match begun {
        Begun::Done(report) => return Ok(report),
        Begun::Staged(ready, stage) => (ready, stage),
    };
    let batch = batch.take().expect("kept for the staged load");
    let loaded = fill(store, &ready, &stage, batch);
    if loaded.is_err() {
        let stage_table = stage.schema.table.clone();
        if let Err(e) = store.write_blocking(|c| abandon(c, &stage_table, ready.batch_id)) {
            tracing::warn!(batch_id = ready.batch_id, error = %e, "a failed load's table is left for the next start to remove");
            return loaded;
        }
    }
    stage.release();
    if loaded.is_ok() {
        // The log the load wrote, copied into the database and cut back to nothing.
        if let Err(e) = sqlite.checkpoint() {
            tracing::warn!(error = %e, "the write-ahead log was not truncated after a load");
        }
    }
    loaded
}

/// Writes the batch's rows into the load's table in steps, builds its indexes, and
/// swaps it in with the batch's record.
fn fill(store: &Store, ready: &Ready, stage: &Stage, mut batch: Batch) -> Result<BatchReport> {
    let checker = RowChecker::new(ready.schema.clone(), ready.map.clone(), batch.mode);
    let rows = std::mem::replace(&mut batch.rows, Box::new(std::iter::empty()));
    let progress = batch.progress.take();
    let (tx, rx) = std::sync::mpsc::sync_channel(4);
    let reader = std::thread::spawn(move || checker.run(rows, progress, tx));
    let mut writer = StageWriter::new(ready.target(&stage.schema, batch.mode));
    let mut refused = RefusedRows::new(ready.batch_id);
    let written = (|| -> Result<()> {
        while let Ok(first) = rx.recv() {
            store.write_blocking(|c| writer.step(c, first, &rx, &mut refused))?;
        }
        Ok(())
    })();
    // A writer that failed hangs up, and the checker stops.
    drop(rx);
    let checked = joined(reader.join());
    written?;
    let (received, skipped) = checked?;
    store.write_blocking(|c| writer.index_keys(c))?;
    store.write_blocking(|c| writer.settle_held(c, &mut refused))?;
    store.write_blocking(|c| writer.index_feed(c))?;
    store.write_blocking(|c| {
        stage.swap_in(c, ready, batch.mode)?;
        let counts = Counts {
            received,
            accepted: writer.applied,
            rejected: refused.count,
            skipped,
            last_seq: writer.target.next_seq - 1,
        };
        counts.record(c, ready, &batch, Some((writer.applied, writer.bytes)))
    })
}
