//! Embedded, append-only migrations, run at start: the main database's (SQL for each
//! backend) and, on SQLite, the audit file's. A migration may have a data step
//! (`steps`), frozen and checksummed with it. An applied migration whose SQL or step
//! has changed stops the start: migrations are never edited.

use crate::db::conn::{Conn, Dialect};
use crate::error::{Result, StoreError};
use crate::params;
use sha2::{Digest, Sha256};
use steps::Step;

pub mod audit_file;
pub mod steps;
#[cfg(test)]
mod upgrade_tests;

pub(crate) struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
    /// A data step after the SQL (see `steps`), checksummed with its own text.
    after: Option<Step>,
}

/// The main database's migrations.
const MAIN: &[Migration] = &[
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
        after: Some(steps::FEED_COLUMNS),
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
        after: Some(steps::COUNT_CALLS_POSTGRES),
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
    Migration {
        version: 11,
        name: "grant_visits",
        sqlite: include_str!("../../migrations/sqlite/0011_grant_visits.sql"),
        postgres: include_str!("../../migrations/postgres/0011_grant_visits.sql"),
        after: None,
    },
];

/// The SQLite audit file's migrations (run on the audit file alone; PostgreSQL keeps
/// the log in the database, made by the main migrations).
const AUDIT_FILE: &[Migration] = &[
    Migration {
        version: 1,
        name: "audit_log",
        sqlite: include_str!("../../migrations/sqlite-audit/0001_audit_log.sql"),
        postgres: "",
        after: None,
    },
    Migration {
        version: 2,
        name: "share_calls",
        sqlite: include_str!("../../migrations/sqlite-audit/0002_share_calls.sql"),
        postgres: "",
        after: Some(steps::COUNT_CALLS_AUDIT_FILE),
    },
    Migration {
        version: 3,
        name: "grant_visits",
        sqlite: include_str!("../../migrations/sqlite-audit/0003_grant_visits.sql"),
        postgres: "",
        after: None,
    },
    Migration {
        version: 4,
        name: "probe_usage",
        sqlite: include_str!("../../migrations/sqlite-audit/0004_probe_usage.sql"),
        postgres: "",
        after: None,
    },
];

fn checksum(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A step's checksum: over its source without whitespace, so that reformatting does
/// not count as a change and anything else does.
fn step_checksum(step: &Step) -> String {
    let text: String = step.source.chars().filter(|c| !c.is_whitespace()).collect();
    checksum(&text)
}

/// Brings the main database's schema up to date inside the caller's transaction. On
/// PostgreSQL an advisory lock keeps nodes that start together from racing.
pub fn run(conn: &mut dyn Conn) -> Result<()> {
    if conn.dialect() == Dialect::Postgres {
        conn.batch("SELECT pg_advisory_xact_lock(7212001)")?;
    }
    apply(conn, MAIN, i64::MAX)
}

/// Brings the SQLite audit file's schema up to date (on a connection to that file).
pub fn run_audit_file(conn: &mut dyn Conn) -> Result<()> {
    apply(conn, AUDIT_FILE, i64::MAX)
}

/// The main migrations up to `version` only: for tests that make an old database.
#[cfg(test)]
pub fn run_to(conn: &mut dyn Conn, version: i64) -> Result<()> {
    apply(conn, MAIN, version)
}

/// Applies the set's migrations not applied yet, up to `upto`; checks that applied
/// ones (their SQL and their steps) were not changed since.
fn apply(conn: &mut dyn Conn, set: &[Migration], upto: i64) -> Result<()> {
    conn.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )?;
    // Steps' checksums, kept apart: a database migrated before steps were checksummed
    // has its steps' recorded at the first start that knows them.
    conn.batch(
        "CREATE TABLE IF NOT EXISTS schema_steps (version BIGINT PRIMARY KEY, checksum TEXT NOT NULL)",
    )?;
    let applied = conn.query(
        "SELECT version, checksum FROM schema_migrations ORDER BY version",
        &[],
    )?;
    let steps = conn.query("SELECT version, checksum FROM schema_steps", &[])?;
    let known = set.last().map_or(0, |m| m.version);
    if let Some(newest) = applied.last().map(|r| r.i64("version")).transpose()?
        && newest > known
    {
        return Err(StoreError::Db(format!(
            "the database has migration {newest}, newer than this govshare knows ({known}); upgrade govshare"
        )));
    }
    for m in set.iter().filter(|m| m.version <= upto) {
        let sql = m.sql(conn.dialect());
        match applied
            .iter()
            .find(|r| r.i64("version").ok() == Some(m.version))
        {
            Some(row) if row.text("checksum")? != checksum(sql) => return Err(changed(m, "SQL")),
            Some(_) => {
                if let Some(step) = &m.after {
                    match steps
                        .iter()
                        .find(|r| r.i64("version").ok() == Some(m.version))
                    {
                        Some(r) if !step_is(step, &r.text("checksum")?) => {
                            return Err(changed(m, "data step"));
                        }
                        Some(_) => {}
                        None => record_step(conn, m.version, step)?,
                    }
                }
            }
            None => {
                conn.batch(sql)?;
                if let Some(step) = &m.after {
                    (step.run)(conn)?;
                    record_step(conn, m.version, step)?;
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

/// Is `recorded` the checksum of this step's text, or of an earlier text of it that
/// did the same?
fn step_is(step: &Step, recorded: &str) -> bool {
    recorded == step_checksum(step) || step.earlier.contains(&recorded)
}

fn record_step(conn: &mut dyn Conn, version: i64, step: &Step) -> Result<()> {
    conn.execute(
        "INSERT INTO schema_steps (version, checksum) VALUES (?, ?)",
        &params![version, step_checksum(step)],
    )?;
    Ok(())
}

fn changed(m: &Migration, what: &str) -> StoreError {
    StoreError::Db(format!(
        "migration {} ({}) had its {what} changed after it was applied; migrations are append-only",
        m.version, m.name
    ))
}

impl Migration {
    fn sql(&self, dialect: Dialect) -> &'static str {
        match dialect {
            Dialect::Sqlite => self.sqlite,
            Dialect::Postgres => self.postgres,
        }
    }
}
