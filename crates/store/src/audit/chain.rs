//! A node's audit chain as stored: where it ends.

use crate::db::conn::Conn;
use crate::{Result, params};
use govshare_domain::audit::{ChainHead, GENESIS};

/// A node's chain head as stored (sequence 0 and the genesis hash before the first).
pub fn head(conn: &mut dyn Conn, node: &str) -> Result<ChainHead> {
    let last = conn.query_opt(
        "SELECT seq, hash FROM audit_log WHERE node_id = ? ORDER BY seq DESC LIMIT 1",
        &params![node],
    )?;
    Ok(match last {
        Some(r) => (r.i64("seq")?, r.text("hash")?),
        None => (0, GENESIS.to_string()),
    })
}
