//! The embedded SQLite backend (rusqlite): WAL, one writer connection for each of its
//! two files (SQLite has one writer at a time to a file anyway) and a pool of readers,
//! all used from blocking threads.
//!
//! The audit log lives in a file of its own beside the database (`govshare.db` →
//! `govshare-audit.db`), attached to every reader as `audit`; the signed
//! checkpoints that vouch for it stay in the main file. Each file has a writer of its
//! own, which holds only that file: a long write on the main file (a pool of a million
//! rows loaded all or nothing) does not hold up the audit entries, and with them every
//! sharing call, until it commits. Every answered
//! sharing call appends to it; were it in the main file, each append would make every
//! reader drop its cached pages of the pools (SQLite resets a connection's page cache
//! whenever the file's write-ahead log moved), and lookups would read from the file
//! again each time. Apart, the pools stay cached while the log grows.

use crate::db::conn::{Conn, Dialect, InsertStream, RowStream};
use crate::db::connections::Connections;
use crate::error::{Result, StoreError};
use crate::value::{Row, Value};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

pub struct SqliteBackend {
    /// Writes the main file (and holds nothing of the audit file).
    writer: Connections<Connection>,
    /// Writes the audit file, opened as its own database.
    audit_writer: Connections<Connection>,
    /// Read both, the audit file attached.
    readers: Connections<Connection>,
    path: std::path::PathBuf,
}

/// The tables kept in the audit file: the log alone. The nodes' keys and their signed
/// checkpoints stay in the main file, so that a log file lost, cut or swapped for an
/// older one no longer matches what its node signed.
const AUDIT_TABLES: [&str; 1] = ["audit_log"];

/// The audit file beside a database file: `govshare.db` → `govshare-audit.db`.
pub fn audit_path(path: &Path) -> std::path::PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-audit.{}", ext.to_string_lossy()),
        None => format!("{stem}-audit"),
    };
    path.with_file_name(name)
}

/// Bytes of the main file read through a memory map (SQLite's own ceiling, 2 GiB;
/// pages beyond it are read as usual).
const MMAP_SIZE: i64 = 0x7fff_0000;

/// Which of the two files a connection opens, and how.
#[derive(Clone, Copy)]
enum Role {
    /// The main file alone, for its writer.
    Main,
    /// The audit file alone, as its own database, for its writer.
    Audit,
    /// The main file with the audit file attached as `audit` (readers, and moving an
    /// old layout's tables over).
    Both,
}

fn open(path: &Path, role: Role) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let file = match role {
        Role::Audit => audit_path(path),
        Role::Main | Role::Both => path.to_path_buf(),
    };
    let conn = Connection::open_with_flags(file, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let schemas: &[&str] = match role {
        Role::Both => {
            conn.execute(
                "ATTACH DATABASE ? AS audit",
                [audit_path(path).to_string_lossy().as_ref()],
            )?;
            &["main", "audit"]
        }
        Role::Main | Role::Audit => &["main"],
    };
    for schema in schemas {
        conn.pragma_update(Some(schema), "journal_mode", "WAL")?;
        conn.pragma_update(Some(schema), "synchronous", "FULL")?;
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    if !matches!(role, Role::Audit) {
        // Pages of the main file are read through a shared mapping: the readers then
        // share the operating system's cache instead of each filling its own few
        // megabytes, and a lookup whose pages are cached makes no read call at all.
        conn.pragma_update(Some("main"), "mmap_size", MMAP_SIZE)?;
    }
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

/// Moves audit tables that migrations made in the main file into the audit file: the
/// rows are copied in a transaction of the audit file alone, checked to be all there,
/// and only then dropped from the main file, so a crash at any point loses nothing
/// (the next start finishes the move).
fn move_audit_tables(conn: &Connection) -> Result<()> {
    for table in AUDIT_TABLES {
        let ddl: Vec<String> = conn
            .prepare(
                "SELECT sql FROM main.sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type DESC",
            )?
            .query_map([table], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if ddl.is_empty() {
            continue;
        }
        immediately(conn, || {
            for statement in &ddl {
                conn.execute_batch(&in_audit_schema(statement))?;
            }
            conn.execute(
                &format!("INSERT OR IGNORE INTO audit.{table} SELECT * FROM main.{table}"),
                [],
            )?;
            Ok(())
        })?;
        let missing: i64 = conn.query_row(
            &format!("SELECT COUNT(*) FROM (SELECT * FROM main.{table} EXCEPT SELECT * FROM audit.{table})"),
            [],
            |r| r.get(0),
        )?;
        if missing > 0 {
            return Err(StoreError::Unavailable(format!(
                "审计表 {table} 迁入审计文件后缺少 {missing} 行，原表保留未删"
            )));
        }
        conn.execute_batch(&format!("DROP TABLE main.{table}"))?;
    }
    for statement in audit_log_ddl() {
        conn.execute_batch(&statement)?;
    }
    conn.execute_batch(AUDIT_INDEXES)?;
    count_logged_calls(conn)
}

/// The audit file's indexes as the PostgreSQL migrations leave the log's (migration 9:
/// the listing reads an organisation's and each resource's entries newest first).
const AUDIT_INDEXES: &str = "DROP INDEX IF EXISTS audit.audit_log_org; \
     DROP INDEX IF EXISTS audit.audit_log_resource; \
     CREATE INDEX IF NOT EXISTS audit.audit_log_org_seq ON audit_log (node_id, org_id, seq); \
     CREATE INDEX IF NOT EXISTS audit.audit_log_resource_seq ON audit_log (node_id, resource_code, seq);";

/// The counts of data calls and how far each node's entries are counted (see
/// `repo::share_calls`), kept in the audit file beside the log they count: made when
/// missing, and the log there counted into them.
fn count_logged_calls(conn: &Connection) -> Result<()> {
    let kept: i64 = conn.query_row(
        "SELECT COUNT(*) FROM audit.sqlite_master WHERE name IN ('share_calls', 'share_calls_through')",
        [],
        |r| r.get(0),
    )?;
    if kept == 2 {
        return Ok(());
    }
    tracing::info!("counting the audit log into the call counts statistics read (once)");
    // Both tables are made in one transaction: one without the other is left over
    // from a start cut short, and is made anew.
    immediately(conn, || {
        conn.execute_batch(
            "DROP TABLE IF EXISTS audit.share_calls; DROP TABLE IF EXISTS audit.share_calls_through; \
             CREATE TABLE audit.share_calls (hour TEXT NOT NULL, org_id INTEGER NOT NULL, resource_code TEXT NOT NULL, \
             outcome TEXT NOT NULL, calls INTEGER NOT NULL, rows_served INTEGER NOT NULL, \
             PRIMARY KEY (hour, org_id, resource_code, outcome)) WITHOUT ROWID; \
             CREATE TABLE audit.share_calls_through (node_id TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;",
        )?;
        crate::audit::calls::rebuild(&mut SqliteConn(conn), "audit.")
    })
}

/// Runs `f` in an IMMEDIATE transaction of `conn`, committed only if it succeeds.
fn immediately(conn: &Connection, f: impl FnOnce() -> Result<()>) -> Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    match f() {
        Ok(()) => Ok(conn.execute_batch("COMMIT")?),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// The audit log's table as migration 6 makes it (its own statement, read from the
/// migration; its indexes are `AUDIT_INDEXES`), for an audit file that has to start
/// anew: lost or deleted, the node then refuses to append (see `check_audit_resumes`)
/// and `audit verify` names the loss.
fn audit_log_ddl() -> Vec<String> {
    include_str!("../../migrations/sqlite/0006_sharing.sql")
        .split(';')
        .map(|statement| {
            statement
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .map(|statement| statement.trim().to_string())
        .filter(|s| s.starts_with("CREATE TABLE audit_log "))
        .map(|s| in_audit_schema(&s))
        .collect()
}

/// `CREATE TABLE t …` / `CREATE INDEX i ON t …` as made in the audit schema.
fn in_audit_schema(ddl: &str) -> String {
    for kind in ["CREATE TABLE ", "CREATE INDEX ", "CREATE UNIQUE INDEX "] {
        if let Some(rest) = ddl.strip_prefix(kind) {
            return format!("{kind}IF NOT EXISTS audit.{}", rest.trim_start());
        }
    }
    ddl.to_string()
}

impl SqliteBackend {
    /// Opens (creating if needed) the database file and its directory.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        open(path, Role::Both)?; // fail early, and set WAL once
        let at = |role: Role| {
            let path = path.to_path_buf();
            Box::new(move || open(&path, role)) as crate::db::connections::Factory<Connection>
        };
        Ok(SqliteBackend {
            writer: Connections::new(1, at(Role::Main)),
            audit_writer: Connections::new(1, at(Role::Audit)),
            readers: Connections::new(8, at(Role::Both)),
            path: path.to_path_buf(),
        })
    }

    /// After the migrations: audit tables they made go to the audit file (through a
    /// connection of its own that sees both files).
    pub fn settle(&self) -> Result<()> {
        move_audit_tables(&open(&self.path, Role::Both)?)
    }

    pub fn read<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        self.readers.with(|c| (f(&mut SqliteConn(c)), true))
    }

    /// Runs `f` on an idle reader, or returns `None` when every reader is busy: it
    /// never waits (for a read made in place on an async worker thread).
    pub fn try_read<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Option<Result<T>> {
        self.readers.try_with(|c| (f(&mut SqliteConn(c)), true))
    }

    /// Runs `f` on the main file in an IMMEDIATE transaction, committed only if `f`
    /// succeeds.
    pub fn write<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        transact(&self.writer, f)
    }

    /// Runs `f` on the audit file alone, as `write` does on the main file.
    pub fn write_audit<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        transact(&self.audit_writer, f)
    }
}

/// Runs `f` in an IMMEDIATE transaction of a pool's connection, committed only if `f`
/// succeeds.
fn transact<T>(
    set: &Connections<Connection>,
    f: impl FnOnce(&mut dyn Conn) -> Result<T>,
) -> Result<T> {
    set.with(|c| {
        if let Err(e) = c.execute_batch("BEGIN IMMEDIATE") {
            return (Err(e.into()), true);
        }
        let result = f(&mut SqliteConn(c));
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        match c.execute_batch(end) {
            Ok(()) => (result, true),
            Err(e) => {
                let _ = c.execute_batch("ROLLBACK");
                (Err(e.into()), false)
            }
        }
    })
}

struct SqliteConn<'a>(&'a Connection);

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Real(v) => ToSqlOutput::Borrowed(ValueRef::Real(*v)),
            Value::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(*b as i64)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            Value::Date(d) => ToSqlOutput::Owned(rusqlite::types::Value::Text(d.to_string())),
            Value::DateTime(t) => ToSqlOutput::Owned(rusqlite::types::Value::Text(
                t.format("%Y-%m-%d %H:%M:%S").to_string(),
            )),
        })
    }
}

fn to_value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

impl Conn for SqliteConn<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let mut stmt = self.0.prepare_cached(sql)?;
        Ok(stmt.execute(rusqlite::params_from_iter(params))? as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let width = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(to_value(r.get_ref(i)?));
            }
            out.push(Row(values));
        }
        Ok(out)
    }

    fn copy_stream<'a>(
        &'a mut self,
        table: &str,
        columns: &[String],
    ) -> Result<Box<dyn RowStream + 'a>> {
        Ok(Box::new(InsertStream::new(self, table, columns)))
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.0.execute_batch(sql)?)
    }
}
