//! Main migration 3: pool tables made before the change feed moved into the pools
//! get their `_seq` column; every stored row counts as changed at sequence 1.

use crate::db::conn::Conn;
use crate::error::Result;
use crate::value::Value;

pub fn run(conn: &mut dyn Conn) -> Result<()> {
    let tables = conn.query("SELECT table_name, resource_id FROM pools", &[])?;
    for row in tables {
        let table = row.text("table_name")?;
        conn.batch(&format!(
            "ALTER TABLE \"{table}\" ADD COLUMN _seq BIGINT NOT NULL DEFAULT 1; CREATE INDEX \"{table}_seq\" ON \"{table}\" (_seq)"
        ))?;
        conn.execute(
            "UPDATE pools SET last_seq = 1 WHERE resource_id = ?",
            &[Value::Int(row.i64("resource_id")?)],
        )?;
    }
    Ok(())
}
