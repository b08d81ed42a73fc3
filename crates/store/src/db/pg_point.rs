//! Point reads on PostgreSQL over a few asynchronous connections that pipeline: a
//! lookup by key sends its statement on a shared connection and waits without holding
//! a thread. The blocking clients of `postgres.rs` would take a thread and a
//! connection per read, and the hand-offs between threads cost more than the read.
//!
//! Lookups by a single-column key are also gathered: while a statement is on its way,
//! the lookups that arrive for the same statement wait and then go together as one
//! `= ANY($1)` (at most `CONNECTIONS` statements in flight for each). PostgreSQL then
//! starts one executor and sends one reply for many keys; a lookup alone goes at once.

use crate::db::conn::numbered_placeholders;
use crate::error::{Result, StoreError};
use crate::value::{Names, Row, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Statement};

/// Connections kept for point reads.
const CONNECTIONS: usize = 2;

struct PointConn {
    client: Client,
    statements: Mutex<HashMap<String, Statement>>,
}

/// A connection in use, and the lock taken only to open it again.
#[derive(Default)]
struct Slot {
    live: Mutex<Option<Arc<PointConn>>>,
    opening: tokio::sync::Mutex<()>,
}

impl Slot {
    fn live(&self) -> Option<Arc<PointConn>> {
        let held = self.live.lock().unwrap_or_else(|e| e.into_inner());
        held.as_ref().filter(|c| !c.client.is_closed()).cloned()
    }
}

/// Keys a gathered statement takes at most.
const GATHER: usize = 1000;

/// Gathered statements out at once for the same lookup.
const GATHER_OUT: usize = 1;

/// What a gathered lookup gets: its row (epoch first, key column removed), or the
/// epoch the statement read when no row has the key.
pub type Gathered = std::result::Result<Row, i64>;

type Waiter = (Value, tokio::sync::oneshot::Sender<Result<Gathered>>);

/// The lookups waiting for one statement, and how many of its statements are out.
#[derive(Default)]
struct Queue {
    waiting: Vec<Waiter>,
    out: usize,
}

struct Inner {
    config: tokio_postgres::Config,
    slots: Vec<Slot>,
    next: AtomicUsize,
    queues: Mutex<HashMap<String, Queue>>,
    /// Reads the version a lookup is checked against when no row answers it.
    version_sql: &'static str,
}

#[derive(Clone)]
pub struct PointReader(Arc<Inner>);

impl PointReader {
    pub fn new(mut config: tokio_postgres::Config, version_sql: &'static str) -> PointReader {
        // A lookup's plan is the same whatever the keys: without this, PostgreSQL
        // plans a gathered statement afresh each time (its cost estimate for an array
        // of unknown length keeps the generic plan from being chosen).
        let generic = "-c plan_cache_mode=force_generic_plan";
        let options = match config.get_options() {
            Some(given) => format!("{given} {generic}"),
            None => generic.to_string(),
        };
        config.options(&options);
        PointReader(Arc::new(Inner {
            config,
            slots: (0..CONNECTIONS).map(|_| Slot::default()).collect(),
            next: AtomicUsize::new(0),
            queues: Mutex::new(HashMap::new()),
            version_sql,
        }))
    }

    /// The row of `key` by `sql`, a statement `SELECT (epoch), key, columns ... WHERE
    /// key = ANY(?)`, gathered with other lookups by the same statement.
    async fn gathered(&self, sql: &str, key: Value) -> Result<Gathered> {
        let (done, wait) = tokio::sync::oneshot::channel();
        let start = {
            let mut queues = self.0.queues();
            if !queues.contains_key(sql) {
                queues.insert(sql.to_string(), Queue::default());
            }
            let q = queues.get_mut(sql).expect("inserted above");
            q.waiting.push((key, done));
            q.out < GATHER_OUT && {
                q.out += 1;
                true
            }
        };
        if start {
            tokio::spawn(self.clone().send_gathered(sql.to_string()));
        }
        wait.await
            .map_err(|_| StoreError::Unavailable("数据库查询被中断".into()))?
    }

    /// Sends what waits for `sql`, again and again, until nothing does.
    async fn send_gathered(self, sql: String) {
        let mut out = Out {
            reader: &self,
            sql: &sql,
            armed: true,
        };
        loop {
            let batch: Vec<Waiter> = {
                let mut queues = self.0.queues();
                let Some(q) = queues.get_mut(&sql) else {
                    out.armed = false;
                    return;
                };
                if q.waiting.is_empty() {
                    q.out -= 1;
                    if q.out == 0 {
                        queues.remove(&sql);
                    }
                    out.armed = false;
                    return;
                }
                let n = q.waiting.len().min(GATHER);
                q.waiting.drain(..n).collect()
            };
            let (keys, waiting): (Vec<Value>, Vec<_>) = batch.into_iter().unzip();
            match self.rows_of(&sql, &keys).await {
                Ok(rows) => {
                    for (key, done) in keys.into_iter().zip(waiting) {
                        let _ = done.send(Ok(rows.row_of(key)));
                    }
                }
                Err(e) => {
                    for done in waiting {
                        let _ = done.send(Err(same_failure(&e)));
                    }
                }
            }
        }
    }

    /// The rows a gathered statement gives for `keys`, and the epoch it read.
    async fn rows_of(&self, sql: &str, keys: &[Value]) -> Result<Found> {
        let rows = self.query(sql, &[&keys]).await?;
        let mut by_key = HashMap::with_capacity(rows.len());
        let mut epoch = None;
        let mut names = None;
        for row in rows {
            epoch = Some(epoch_of(&row)?);
            // The key (column 1) is taken out, leaving the row a lookup by key reads.
            let names = names.get_or_insert_with(|| {
                Names::new(
                    row.names()
                        .enumerate()
                        .filter(|(i, _)| *i != 1)
                        .map(|(_, n)| n),
                )
            });
            let mut values = row.into_values();
            let key = values.remove(1);
            by_key.insert(Key::of(key), Row::new(names.clone(), values));
        }
        let epoch = match epoch {
            Some(e) => e,
            None => self.epoch().await?,
        };
        Ok(Found { by_key, epoch })
    }

    /// The sharing epoch as the database has it now.
    async fn epoch(&self) -> Result<i64> {
        self.query(self.0.version_sql, &[])
            .await?
            .first()
            .ok_or_else(|| StoreError::Db("sharing_epoch 缺少记录".into()))
            .and_then(epoch_of)
    }

    /// The row `sql` gives for `params` and the epoch read with it (`sql` reads the
    /// epoch first; a key no row has reads it on its own). With `gather`, the `= ANY`
    /// form of `sql`, a one-column key goes together with other lookups.
    pub async fn lookup(
        &self,
        sql: &str,
        gather: Option<&str>,
        mut params: Vec<Value>,
    ) -> Result<(Option<Row>, i64)> {
        if let (Some(gather), 1) = (gather, params.len()) {
            return Ok(match self.gathered(gather, params.remove(0)).await? {
                Ok(row) => {
                    let at = epoch_of(&row)?;
                    (Some(row), at)
                }
                Err(at) => (None, at),
            });
        }
        let row = self.query_opt(sql, &params).await?;
        let at = match &row {
            Some(r) => epoch_of(r)?,
            None => self.epoch().await?,
        };
        Ok((row, at))
    }

    /// A live connection, in turn; one that closed is opened again (on the runtime of
    /// the caller, which drives it from then on).
    async fn conn(&self) -> Result<Arc<PointConn>> {
        let inner = &self.0;
        let slot = &inner.slots[inner.next.fetch_add(1, Ordering::Relaxed) % CONNECTIONS];
        if let Some(c) = slot.live() {
            return Ok(c);
        }
        // One caller opens it; the others wait for that and take it.
        let _opening = slot.opening.lock().await;
        if let Some(c) = slot.live() {
            return Ok(c);
        }
        let (client, connection) = inner
            .config
            .connect(NoTls)
            .await
            .map_err(|e| StoreError::Unavailable(crate::error::describe_pg(&e)))?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %e, "PostgreSQL point-read connection closed");
            }
        });
        let c = Arc::new(PointConn {
            client,
            statements: Mutex::new(HashMap::new()),
        });
        *slot.live.lock().unwrap_or_else(|e| e.into_inner()) = Some(c.clone());
        Ok(c)
    }

    /// The row `sql` (with `?` placeholders) gives for `params`, if any.
    async fn query_opt(&self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        let params: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        Ok(self.query(sql, &params).await?.into_iter().next())
    }

    async fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        let conn = self.conn().await?;
        let statement = conn.statement(sql).await?;
        let rows = match conn.client.query(&statement, params).await {
            // A pool whose columns changed type since the statement was prepared:
            // PostgreSQL refuses the old statement ("cached plan must not change
            // result type"); prepare it again, once.
            Err(e) if e.code() == Some(&SqlState::FEATURE_NOT_SUPPORTED) => {
                conn.forget(sql);
                let statement = conn.statement(sql).await?;
                conn.client.query(&statement, params).await?
            }
            other => other?,
        };
        crate::db::pg_value::rows_of(&rows)
    }
}

/// The failure of a gathered statement, for each lookup it carried: of the same kind,
/// so that a statement PostgreSQL refused is a database error (500) as it is for a
/// lookup sent alone, and only a connection lost is "unavailable" (503).
fn same_failure(e: &StoreError) -> StoreError {
    match e {
        StoreError::Unique(m) => StoreError::Unique(m.clone()),
        StoreError::Unavailable(m) => StoreError::Unavailable(m.clone()),
        StoreError::Db(m) => StoreError::Db(m.clone()),
        StoreError::Driver { message, .. } => StoreError::Db(message.clone()),
        StoreError::Domain(d) => StoreError::Db(d.to_string()),
        StoreError::Journal(m) => StoreError::Journal(m.clone()),
    }
}

/// A gathering sender that is out. Should it end other than by finding nothing left
/// to send (a panic), it is no longer counted as out, and the lookups that wait with
/// no other sender to take them are told the read failed: otherwise they, and every
/// lookup by the same statement after them, would wait for ever.
struct Out<'a> {
    reader: &'a PointReader,
    sql: &'a str,
    armed: bool,
}

impl Drop for Out<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut queues = self.reader.0.queues();
        let Some(q) = queues.get_mut(self.sql) else {
            return;
        };
        q.out -= 1;
        if q.out == 0 {
            for (_, done) in q.waiting.drain(..) {
                let _ = done.send(Err(StoreError::Unavailable("数据库查询被中断".into())));
            }
            queues.remove(self.sql);
        }
    }
}

impl Inner {
    fn queues(&self) -> std::sync::MutexGuard<'_, HashMap<String, Queue>> {
        self.queues.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A gathered statement's rows by key, and the epoch it read.
struct Found {
    by_key: HashMap<Key, Row>,
    epoch: i64,
}

impl Found {
    /// The row of a key asked for. A key asked for twice gets the row each time.
    fn row_of(&self, key: Value) -> Gathered {
        let key = Key::of(key);
        match self.by_key.get(&key) {
            Some(row) => Ok(row.clone()),
            None => Err(self.epoch),
        }
    }
}

/// A key value that can be hashed, to match rows with the lookups that asked for
/// them: numbers and text as they are, anything else by its text.
#[derive(PartialEq, Eq, Hash)]
enum Key {
    Int(i64),
    Text(String),
    Other(String),
}

impl Key {
    fn of(v: Value) -> Key {
        match v {
            Value::Int(i) => Key::Int(i),
            Value::Text(s) => Key::Text(s),
            other => Key::Other(crate::value::key_text(std::slice::from_ref(&other))),
        }
    }
}

impl PointConn {
    fn cached(&self) -> std::sync::MutexGuard<'_, HashMap<String, Statement>> {
        self.statements.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `sql` prepared on this connection, once.
    async fn statement(&self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.cached().get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(&numbered_placeholders(sql)).await?;
        self.cached().insert(sql.to_string(), s.clone());
        Ok(s)
    }

    fn forget(&self, sql: &str) {
        self.cached().remove(sql);
    }
}

/// The epoch a statement read: by this reader's contract its first column, whatever
/// the caller named it (the reader knows no room's names).
fn epoch_of(row: &Row) -> Result<i64> {
    match row.values().first() {
        Some(Value::Int(n)) => Ok(*n),
        other => Err(StoreError::Db(format!(
            "a lookup's first column is not the epoch: {other:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A gathering that fails by panicking (here a statement whose rows lack the key
    /// column) answers its lookups with an error, and later lookups by the same
    /// statement are still sent instead of queueing behind it for ever. A statement
    /// PostgreSQL refuses is a database error, not "unavailable".
    #[tokio::test]
    async fn lookups_after_a_failed_gathering_are_still_answered() {
        if !crate::testing::backends().contains(&"postgres") {
            return;
        }
        let url = crate::testing::fresh_database("postgres");
        let reader = PointReader::new(url.parse().unwrap(), "SELECT 1::BIGINT AS n");
        let sql = "SELECT 1::BIGINT AS _epoch WHERE 'a' = ANY(?)".to_string();
        for round in 0..3 {
            let answered = tokio::time::timeout(
                std::time::Duration::from_secs(10),
                reader.gathered(&sql, Value::Text("a".into())),
            )
            .await
            .unwrap_or_else(|_| panic!("round {round}: the lookup was never answered"));
            assert!(
                matches!(answered, Err(StoreError::Unavailable(_))),
                "round {round}"
            );
        }
        let good =
            "SELECT 7::BIGINT AS _epoch, k FROM (VALUES ('a'), ('b')) AS t(k) WHERE k = ANY(?)";
        let row = reader
            .gathered(good, Value::Text("b".into()))
            .await
            .unwrap();
        assert_eq!(row.unwrap().i64("_epoch").unwrap(), 7);
    }
}
