//! The SQLite audit file's layout: a database made before the log had a file of its
//! own kept it in the main file (and every database still gets an empty one there
//! from main migration 6). At each start the rows of such a table are copied into the
//! audit file and counted there in one transaction of the audit file, checked to be all
//! there, and only then is the main file's table dropped: a crash at any point loses
//! nothing, and the next start finishes the move.

use crate::db::conn::Conn;
use crate::error::{Result, StoreError};
use crate::schema::steps::count_calls;

/// The columns of a log in the main file: its layout before entries counted visits
/// (the audit file's log has more since).
const OLD_COLUMNS: &str = "node_id, seq, at, actor, app_id, org_id, action, resource_code, items, purpose, basis, row_count, digest, outcome, detail, prev_hash, hash";

/// Moves `main.audit_log` into `audit.audit_log` (on a connection that sees both
/// files, outside any transaction).
pub fn move_old_layout(conn: &mut dyn Conn) -> Result<()> {
    let kept = conn
        .query_one(
            "SELECT COUNT(*) AS kept FROM main.sqlite_master WHERE type = 'table' AND name = 'audit_log'",
            &[],
        )?
        .i64("kept")?;
    if kept == 0 {
        return Ok(());
    }
    conn.batch("BEGIN IMMEDIATE")?;
    let copied = conn
        .execute(
            &format!("INSERT OR IGNORE INTO audit.audit_log ({OLD_COLUMNS}) SELECT {OLD_COLUMNS} FROM main.audit_log"),
            &[],
        )
        .and_then(|copied| {
            if copied > 0 {
                tracing::info!(copied, "audit log moved into the audit file, and counted");
                count_calls::recount(conn, "audit.")?;
            }
            conn.batch("COMMIT")
        });
    if let Err(e) = copied {
        let _ = conn.batch("ROLLBACK");
        return Err(e);
    }
    let missing = conn
        .query_one(
            &format!("SELECT COUNT(*) AS missing FROM (SELECT {OLD_COLUMNS} FROM main.audit_log EXCEPT SELECT {OLD_COLUMNS} FROM audit.audit_log)"),
            &[],
        )?
        .i64("missing")?;
    if missing > 0 {
        return Err(StoreError::Unavailable(format!(
            "审计表 audit_log 迁入审计文件后缺少 {missing} 行，原表保留未删"
        )));
    }
    conn.batch("DROP TABLE main.audit_log")
}
