//! The embedded SQLite backend (rusqlite): WAL, one writer connection (SQLite has one
//! writer at a time anyway) and a pool of readers, all used from blocking threads.

use crate::conn::{Conn, Dialect, InsertStream, RowStream};
use crate::error::{Result, StoreError};
use crate::pool::Pool;
use crate::value::{Row, Value};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

pub struct SqliteBackend {
    writer: Pool<Connection>,
    readers: Pool<Connection>,
}

fn open(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Pages read through a memory map rather than a read call each: point lookups
    // of a large pool stay in memory the kernel already caches.
    conn.pragma_update(None, "mmap_size", 1i64 << 30)?;
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
        open(path)?; // fail early, and set WAL once
        let (p1, p2) = (path.to_path_buf(), path.to_path_buf());
        Ok(SqliteBackend {
            writer: Pool::new(1, Box::new(move || open(&p1))),
            readers: Pool::new(8, Box::new(move || open(&p2))),
        })
    }

    pub fn read<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        self.readers.with(|c| (f(&mut SqliteConn(c)), true))
    }

    /// Runs `f` in an IMMEDIATE transaction, committed only if `f` succeeds.
    pub fn write<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        self.writer.with(|c| {
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
