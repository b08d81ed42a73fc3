//! A pool's batch history: every batch loaded into it, newest first, with its counts,
//! for the pool's own organisation and the bureau (the same standing that may load a
//! batch and read what it refused).

use crate::catalog::resources::get_visible;
use crate::{Caller, Result, Store, params};
use govshare_domain::lifecycle::State;
use serde::Serialize;

/// One batch as the history shows it.
#[derive(Debug, Clone, Serialize)]
pub struct BatchInfo {
    pub id: i64,
    pub mode: String,
    pub source_name: String,
    pub actor: String,
    pub received: i64,
    pub accepted: i64,
    pub rejected: i64,
    pub skipped: i64,
    pub started_at: String,
    pub finished_at: String,
}

impl Store {
    /// The last `limit` batches of the pool `code`, newest first.
    pub(crate) async fn batches(
        &self,
        caller: &Caller,
        code: &str,
        limit: i64,
    ) -> Result<Vec<BatchInfo>> {
        let (caller, code) = (caller.clone(), code.to_string());
        self.read(move |c| {
            let r = get_visible(c, &code, caller.visibility())?;
            caller.check(|p| p.check_edit(r.owner_org_id, State::Draft))?;
            c.query(
                "SELECT id, mode, source_name, actor, received, accepted, rejected, skipped, started_at, finished_at \
                 FROM pool_batches WHERE resource_id = ? ORDER BY id DESC LIMIT ?",
                &params![r.id, limit.clamp(1, 1000)],
            )?
            .iter()
            .map(|row| {
                Ok(BatchInfo {
                    id: row.i64("id")?,
                    mode: row.text("mode")?,
                    source_name: row.text("source_name")?,
                    actor: row.text("actor")?,
                    received: row.i64("received")?,
                    accepted: row.i64("accepted")?,
                    rejected: row.i64("rejected")?,
                    skipped: row.i64("skipped")?,
                    started_at: row.text("started_at")?,
                    finished_at: row.text("finished_at")?,
                })
            })
            .collect()
        })
        .await
    }
}
