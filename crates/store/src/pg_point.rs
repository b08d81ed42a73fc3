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
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Statement};

/// Connections kept for point reads.
const CONNECTIONS: usize = 2;

struct PointConn {
    client: Client,
    statements: Mutex<HashMap<String, Statement>>,
}

pub struct PointReader {
    config: tokio_postgres::Config,
    slots: Vec<tokio::sync::Mutex<Option<Arc<PointConn>>>>,
    next: AtomicUsize,
}

impl PointReader {
    pub fn new(config: tokio_postgres::Config) -> PointReader {
        PointReader {
            config,
            slots: (0..CONNECTIONS)
                .map(|_| tokio::sync::Mutex::new(None))
                .collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// A live connection, in turn; one that closed is opened again (on the runtime of
    /// the caller, which drives it from then on).
    async fn conn(&self) -> Result<Arc<PointConn>> {
        let slot = &self.slots[self.next.fetch_add(1, Ordering::Relaxed) % CONNECTIONS];
        let mut held = slot.lock().await;
        if let Some(c) = held.as_ref().filter(|c| !c.client.is_closed()) {
            return Ok(c.clone());
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
        *held = Some(c.clone());
        Ok(c)
    }

    /// The row `sql` (with `?` placeholders) gives for `params`, if any.
    pub async fn query_opt(&self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        let conn = self.conn().await?;
        let cached = conn
            .statements
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(sql)
            .cloned();
        let statement = match cached {
            Some(s) => s,
            None => {
                let s = conn.client.prepare(&numbered_placeholders(sql)).await?;
                conn.statements
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(sql.to_string(), s.clone());
                s
            }
        };
        let params: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        let row = conn.client.query_opt(&statement, &params).await?;
        row.as_ref().map(crate::postgres::row_values).transpose()
    }
}
