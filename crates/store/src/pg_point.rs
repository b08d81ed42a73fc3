//! Point reads on PostgreSQL over a few asynchronous connections that pipeline: a
//! lookup by key sends its statement on a shared connection and waits without holding
//! a thread, and many lookups in flight travel together. The blocking clients of
//! `postgres.rs` would take a thread and a connection per read, and the hand-offs
//! between threads cost more than the read itself.

use crate::conn::numbered_placeholders;
use crate::error::{Result, StoreError};
use crate::value::{Row, Value};
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

pub struct PointReader {
    config: tokio_postgres::Config,
    slots: Vec<Slot>,
    next: AtomicUsize,
}

impl PointReader {
    pub fn new(config: tokio_postgres::Config) -> PointReader {
        PointReader {
            config,
            slots: (0..CONNECTIONS).map(|_| Slot::default()).collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// A live connection, in turn; one that closed is opened again (on the runtime of
    /// the caller, which drives it from then on).
    async fn conn(&self) -> Result<Arc<PointConn>> {
        let slot = &self.slots[self.next.fetch_add(1, Ordering::Relaxed) % CONNECTIONS];
        if let Some(c) = slot.live() {
            return Ok(c);
        }
        // One caller opens it; the others wait for that and take it.
        let _opening = slot.opening.lock().await;
        if let Some(c) = slot.live() {
            return Ok(c);
        }
        let (client, connection) = self
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
    pub async fn query_opt(&self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        let conn = self.conn().await?;
        let params: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        let statement = conn.statement(sql).await?;
        let row = match conn.client.query_opt(&statement, &params).await {
            // A pool whose columns changed type since the statement was prepared:
            // PostgreSQL refuses the old statement ("cached plan must not change
            // result type"); prepare it again, once.
            Err(e) if e.code() == Some(&SqlState::FEATURE_NOT_SUPPORTED) => {
                conn.forget(sql);
                let statement = conn.statement(sql).await?;
                conn.client.query_opt(&statement, &params).await?
            }
            other => other?,
        };
        row.as_ref().map(crate::postgres::row_values).transpose()
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
