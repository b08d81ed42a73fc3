//! The catalog change feed: every create, update and state change gets a sequence
//! number, so that search indexes and parent platforms can follow incrementally.

use crate::db::conn::Conn;
use crate::error::Result;
use crate::{Store, params};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub seq: i64,
    pub code: String,
    pub op: String,
    pub at: String,
}

pub fn record(conn: &mut dyn Conn, resource_id: i64, code: &str, op: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO catalog_changes (resource_id, code, op, at) VALUES (?, ?, ?, ?)",
        &params![resource_id, code, op, crate::now()],
    )?;
    Ok(())
}

impl Store {
    /// Changes after `since`, oldest first, at most `limit`.
    pub(crate) async fn changes_since(&self, since: i64, limit: i64) -> Result<Vec<Change>> {
        self.read(move |c| {
            c.query(
                "SELECT seq, code, op, at FROM catalog_changes WHERE seq > ? ORDER BY seq LIMIT ?",
                &params![since, limit],
            )?
            .iter()
            .map(|r| {
                Ok(Change {
                    seq: r.i64("seq")?,
                    code: r.text("code")?,
                    op: r.text("op")?,
                    at: r.text("at")?,
                })
            })
            .collect()
        })
        .await
    }

    /// The newest change's sequence number (0 when there is none).
    pub(crate) async fn last_change(&self) -> Result<i64> {
        self.read(|c| {
            c.query_one(
                "SELECT COALESCE(MAX(seq), 0) AS last_seq FROM catalog_changes",
                &[],
            )?
            .i64("last_seq")
        })
        .await
    }
}
