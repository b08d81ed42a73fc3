//! Main migration 8 (PostgreSQL) and audit file migration 2 (SQLite): the audit log
//! written before the counts were kept is counted into `share_calls`, and each node's
//! entries are marked counted in `share_calls_through`. The counts are per hour (UTC),
//! consumer organisation (0 for none), resource and outcome, of the data calls.

use crate::db::conn::{Conn, Dialect};
use crate::error::Result;

/// Counts the whole log into the counts, made empty first; `schema` is `""`, or
/// `"audit."` on a connection that has the audit file attached.
pub fn recount(conn: &mut dyn Conn, schema: &str) -> Result<()> {
    conn.batch(&format!(
        "DELETE FROM {schema}share_calls; DELETE FROM {schema}share_calls_through"
    ))?;
    conn.batch(&format!(
        "INSERT INTO {schema}share_calls (hour, org_id, resource_code, outcome, calls, rows_served) \
         SELECT substr(at, 1, 13), COALESCE(org_id, 0), resource_code, outcome, COUNT(*), CAST(SUM(row_count) AS BIGINT) \
         FROM {schema}audit_log WHERE action IN ('share.lookup', 'share.verify', 'share.batch', 'share.query', 'share.changes') \
         GROUP BY substr(at, 1, 13), COALESCE(org_id, 0), resource_code, outcome"
    ))?;
    conn.batch(&format!(
        "INSERT INTO {schema}share_calls_through (node_id, seq) SELECT node_id, MAX(seq) FROM {schema}audit_log GROUP BY node_id"
    ))
}

/// On PostgreSQL the counts live in the database with the log.
pub fn on_postgres(conn: &mut dyn Conn) -> Result<()> {
    match conn.dialect() {
        Dialect::Postgres => recount(conn, ""),
        Dialect::Sqlite => Ok(()),
    }
}

/// On SQLite they live in the audit file with the log (an audit file made by an
/// older govshare may hold counts already: they are made again from its log).
pub fn in_audit_file(conn: &mut dyn Conn) -> Result<()> {
    recount(conn, "")
}
