//! Secrets of the installation, shared by its nodes through the database: made once,
//! by whichever node starts first, and read by every other.

use crate::db::conn::Conn;
use crate::{Result, StoreError, params};

/// The 32-byte secret called `name`, made now if there is none yet.
pub fn installation_secret(conn: &mut dyn Conn, name: &str) -> Result<[u8; 32]> {
    use rand::RngCore;
    let mut fresh = [0u8; 32];
    rand::rng().fill_bytes(&mut fresh);
    conn.execute(
        "INSERT INTO installation_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        &params![name, hex::encode(fresh)],
    )?;
    let stored = conn
        .query_one(
            "SELECT value FROM installation_secrets WHERE name = ?",
            &params![name],
        )?
        .text("value")?;
    let mut secret = [0u8; 32];
    hex::decode_to_slice(stored.trim(), &mut secret)
        .map_err(|_| StoreError::Db(format!("installation secret “{name}” is damaged")))?;
    Ok(secret)
}
