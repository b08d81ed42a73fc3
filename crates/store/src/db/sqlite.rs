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
    if matches!(role, Role::Both) {
        // Readers read the main file's pages through a shared mapping: they then
        // share the operating system's cache instead of each filling its own few
        // megabytes, and a lookup whose pages are cached makes no read call at all.
        // The writer reads through its own cache: a large load that reads its table
        // back (to build an index) would otherwise map up to 2 GiB into the process.
        conn.pragma_update(Some("main"), "mmap_size", MMAP_SIZE)?;
    }
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
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

    /// Runs `f` on a connection of its own that sees both files (the audit file
    /// attached as `audit`), outside any transaction: for moving what an older layout
    /// kept in the main file.
    pub fn on_both_files<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        f(&mut SqliteConn(&open(&self.path, Role::Both)?))
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

    /// The main file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Copies the main file's write-ahead log into the file and cuts the log back to
    /// nothing (after a large load; waits for readers that still need the log).
    pub fn checkpoint(&self) -> Result<()> {
        self.writer.with(|c| {
            let done = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            });
            match done {
                Ok(0) => (Ok(()), true),
                Ok(_) => (
                    Err(StoreError::Unavailable(
                        "the write-ahead log is still in use by a reader".into(),
                    )),
                    true,
                ),
                Err(e) => (Err(e.into()), true),
            }
        })
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
        let names = crate::value::Names::new(stmt.column_names());
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(to_value(r.get_ref(i)?));
            }
            out.push(Row::new(names.clone(), values));
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
