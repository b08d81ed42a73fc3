//! The change history of a catalog entry: every version, who made it, when, why,
//! and which fields changed.

use crate::catalog::resources::get_visible;
use crate::db::conn::Conn;
use crate::error::Result;
use crate::{Caller, Store, params};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub version: i64,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor: String,
    pub reason: String,
    pub at: String,
    /// Top-level fields that differ from the previous version.
    pub changed: Vec<String>,
    /// The entry as it stood after this change.
    pub snapshot: serde_json::Value,
}

fn changed_fields(before: Option<&serde_json::Value>, after: &serde_json::Value) -> Vec<String> {
    let (Some(serde_json::Value::Object(b)), serde_json::Value::Object(a)) = (before, after) else {
        return vec![];
    };
    let mut keys: Vec<String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

pub fn list(conn: &mut dyn Conn, resource_id: i64) -> Result<Vec<HistoryEntry>> {
    let rows = conn.query(
        "SELECT version, action, from_state, to_state, actor_name, reason, at, snapshot_json FROM resource_history WHERE resource_id = ? ORDER BY id",
        &params![resource_id],
    )?;
    let mut out: Vec<HistoryEntry> = Vec::with_capacity(rows.len());
    for r in rows {
        let snapshot: serde_json::Value = serde_json::from_str(&r.text("snapshot_json")?)?;
        let changed = changed_fields(out.last().map(|e| &e.snapshot), &snapshot);
        out.push(HistoryEntry {
            version: r.i64("version")?,
            action: r.text("action")?,
            from_state: r.opt_text("from_state")?,
            to_state: r.text("to_state")?,
            actor: r.text("actor_name")?,
            reason: r.text("reason")?,
            at: r.text("at")?,
            changed,
            snapshot,
        });
    }
    Ok(out)
}

impl Store {
    /// The history of an entry the caller can see.
    pub(crate) async fn resource_history(
        &self,
        caller: &Caller,
        code: &str,
    ) -> Result<Vec<HistoryEntry>> {
        let (code, v) = (code.to_string(), caller.visibility());
        self.read(move |c| {
            let r = get_visible(c, &code, v)?;
            list(c, r.id)
        })
        .await
    }
}
