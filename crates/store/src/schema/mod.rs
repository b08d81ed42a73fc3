//! Embedded, append-only migrations, one list per backend, run at start. An applied
//! migration whose text has changed stops the start: migrations are never edited.

use crate::db::conn::{Conn, Dialect};
use crate::error::{Result, StoreError};
use crate::params;
use sha2::{Digest, Sha256};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
    /// A step in Rust after the SQL, for what SQL alone cannot say (tables made at run
    /// time). It must be as deterministic as the SQL.
    after: Option<fn(&mut dyn Conn) -> Result<()>>,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "catalog",
        sqlite: include_str!("../../migrations/sqlite/0001_catalog.sql"),
        postgres: include_str!("../../migrations/postgres/0001_catalog.sql"),
        after: None,
    },
    Migration {
        version: 2,
        name: "pools",
        sqlite: include_str!("../../migrations/sqlite/0002_pools.sql"),
        postgres: include_str!("../../migrations/postgres/0002_pools.sql"),
        after: None,
    },
    Migration {
        version: 3,
        name: "pool_feed",
        sqlite: include_str!("../../migrations/sqlite/0003_pool_feed.sql"),
        postgres: include_str!("../../migrations/postgres/0003_pool_feed.sql"),
        after: Some(crate::pool::tables::add_feed_columns),
    },
    Migration {
        version: 4,
        name: "resource_files",
        sqlite: include_str!("../../migrations/sqlite/0004_resource_files.sql"),
        postgres: include_str!("../../migrations/postgres/0004_resource_files.sql"),
        after: None,
    },
    Migration {
        version: 5,
        name: "pool_selection",
        sqlite: include_str!("../../migrations/sqlite/0005_pool_selection.sql"),
        postgres: include_str!("../../migrations/postgres/0005_pool_selection.sql"),
        after: None,
    },
    Migration {
        version: 6,
        name: "sharing",
        sqlite: include_str!("../../migrations/sqlite/0006_sharing.sql"),
        postgres: include_str!("../../migrations/postgres/0006_sharing.sql"),
        after: None,
    },
    Migration {
        version: 7,
        name: "sharing_epoch",
        sqlite: include_str!("../../migrations/sqlite/0007_sharing_epoch.sql"),
        postgres: include_str!("../../migrations/postgres/0007_sharing_epoch.sql"),
        after: None,
    },
    Migration {
        version: 8,
        name: "share_calls",
        sqlite: include_str!("../../migrations/sqlite/0008_share_calls.sql"),
        postgres: include_str!("../../migrations/postgres/0008_share_calls.sql"),
        after: Some(crate::audit::calls::rebuild_on_postgres),
    },
    Migration {
        version: 9,
        name: "audit_listing_indexes",
        sqlite: include_str!("../../migrations/sqlite/0009_audit_listing_indexes.sql"),
        postgres: include_str!("../../migrations/postgres/0009_audit_listing_indexes.sql"),
        after: None,
    },
    Migration {
        version: 10,
        name: "sealing_and_probes",
        sqlite: include_str!("../../migrations/sqlite/0010_sealing_and_probes.sql"),
        postgres: include_str!("../../migrations/postgres/0010_sealing_and_probes.sql"),
        after: None,
    },
];

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// Brings the schema up to date inside the caller's transaction. On PostgreSQL an
/// advisory lock keeps nodes that start together from racing.
pub fn run(conn: &mut dyn Conn) -> Result<()> {
    if conn.dialect() == Dialect::Postgres {
        conn.batch("SELECT pg_advisory_xact_lock(7212001)")?;
    }
    conn.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )?;
    let applied = conn.query(
        "SELECT version, checksum FROM schema_migrations ORDER BY version",
        &[],
    )?;
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    if let Some(newest) = applied.last().map(|r| r.i64(0)).transpose()?
        && newest > known
    {
        return Err(StoreError::Db(format!(
            "the database has migration {newest}, newer than this govshare knows ({known}); upgrade govshare"
        )));
    }
    for m in MIGRATIONS {
        let sql = m.sql(conn.dialect());
        match applied.iter().find(|r| r.i64(0).ok() == Some(m.version)) {
            Some(row) if row.text(1)? != checksum(sql) => {
                return Err(StoreError::Db(format!(
                    "migration {} ({}) was changed after it was applied; migrations are append-only",
                    m.version, m.name
                )));
            }
            Some(_) => {}
            None => {
                conn.batch(sql)?;
                if let Some(step) = m.after {
                    step(conn)?;
                }
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                    &params![m.version, m.name, checksum(sql), crate::now()],
                )?;
                tracing::info!(version = m.version, name = m.name, "migration applied");
            }
        }
    }
    Ok(())
}

impl Migration {
    fn sql(&self, dialect: Dialect) -> &'static str {
        match dialect {
            Dialect::Sqlite => self.sqlite,
            Dialect::Postgres => self.postgres,
        }
    }
}
