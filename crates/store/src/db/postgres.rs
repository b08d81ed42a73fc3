//! The PostgreSQL backend (the `postgres` crate, used from blocking threads): a pool
//! of clients, each with its own cache of prepared statements.

use crate::db::conn::{Conn, Dialect, RowStream, numbered_placeholders};
use crate::db::connections::Connections;
use crate::db::pg_value::rows_of;
use crate::error::{Result, StoreError};
use crate::value::{Row, Value};
use postgres::types::ToSql;
use postgres::{Client, NoTls, Statement};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct PgConn {
    client: Client,
    statements: HashMap<String, Statement>,
    /// The backend's count of schema changes, and the one this client's statements
    /// were prepared under: a statement prepared before a pool's column changed type
    /// is refused by PostgreSQL ("cached plan must not change result type").
    changes: Arc<AtomicU64>,
    prepared_at: u64,
}

pub struct PostgresBackend {
    pool: Connections<PgConn>,
    /// Lookups by key, asynchronous and pipelined.
    pub points: crate::db::pg_point::PointReader,
}

impl PostgresBackend {
    /// `version_sql` reads the number the point reader's gathered lookups check
    /// their decisions against when no row answers (see `pg_point`).
    pub fn open(url: &str, max_connections: usize, version_sql: &'static str) -> Result<Self> {
        let config: postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Unavailable(format!("bad PostgreSQL URL: {e}")))?;
        let changes = Arc::new(AtomicU64::new(0));
        let make = move || -> Result<PgConn> {
            let client = config
                .connect(NoTls)
                .map_err(|e| StoreError::Unavailable(crate::error::describe_pg(&e)))?;
            Ok(PgConn {
                client,
                statements: HashMap::new(),
                prepared_at: changes.load(Ordering::Acquire),
                changes: changes.clone(),
            })
        };
        let points: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Unavailable(format!("bad PostgreSQL URL: {e}")))?;
        let backend = PostgresBackend {
            pool: Connections::new(max_connections, Box::new(make)),
            points: crate::db::pg_point::PointReader::new(points, version_sql),
        };
        backend.read(|c| c.batch("SELECT 1"))?; // fail early when the server is not there
        Ok(backend)
    }

    pub fn read<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        self.pool.with(|c| {
            let result = f(c);
            let keep = !c.client.is_closed();
            (result, keep)
        })
    }

    /// Runs `f` in a transaction, committed only if `f` succeeds.
    pub fn write<T>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<T>) -> Result<T> {
        self.pool.with(|c| {
            if let Err(e) = c.client.batch_execute("BEGIN") {
                return (Err(e.into()), false);
            }
            let result = f(c);
            let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
            match c.client.batch_execute(end) {
                Ok(()) => (result, true),
                Err(e) => (Err(e.into()), false),
            }
        })
    }
}

impl Drop for PostgresBackend {
    /// A blocking client closes by running its own small runtime, which must not
    /// happen on an async thread: close them on a thread of their own.
    fn drop(&mut self) {
        let conns = self.pool.drain();
        if !conns.is_empty() {
            std::thread::spawn(move || drop(conns));
        }
    }
}

impl PgConn {
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        let changes = self.changes.load(Ordering::Acquire);
        if changes != self.prepared_at {
            self.statements.clear();
            self.prepared_at = changes;
        }
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let stmt = self.client.prepare(&numbered_placeholders(sql))?;
        self.statements.insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }

    /// What a statement gave; when PostgreSQL refused one prepared before a schema
    /// change made elsewhere (another node), this client prepares afresh next time.
    fn checked<T>(&mut self, result: std::result::Result<T, postgres::Error>) -> Result<T> {
        if let Err(e) = &result
            && e.code() == Some(&postgres::error::SqlState::FEATURE_NOT_SUPPORTED)
        {
            self.statements.clear();
        }
        Ok(result?)
    }
}

/// Bytes of COPY text gathered before they are sent.
const COPY_BUFFER: usize = 256 * 1024;

/// Rows on their way into a table by COPY, in its binary format: no text to parse on
/// either side. Each value's variant matches its column's type (the pool's types are
/// chosen from the same data types the values are typed by).
struct PgCopy<'a> {
    writer: postgres::CopyInWriter<'a>,
    data: Vec<u8>,
}

impl PgCopy<'_> {
    fn send(&mut self) -> Result<()> {
        use std::io::Write;
        self.writer
            .write_all(&self.data)
            .map_err(|e| StoreError::Db(format!("COPY: {e}")))?;
        self.data.clear();
        Ok(())
    }
}

/// Days from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
const PG_EPOCH_DAYS: i64 = 10_957;

/// One value in COPY's binary format: its length, then its bytes (-1: null).
fn copy_binary(out: &mut Vec<u8>, v: &Value) {
    let mut field = |bytes: &[u8]| {
        out.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
        out.extend_from_slice(bytes);
    };
    match v {
        Value::Null => out.extend_from_slice(&(-1i32).to_be_bytes()),
        Value::Int(i) => field(&i.to_be_bytes()),
        Value::Real(f) => field(&f.to_bits().to_be_bytes()),
        Value::Bool(b) => field(&[u8::from(*b)]),
        Value::Text(s) => field(s.as_bytes()),
        Value::Blob(b) => field(b),
        Value::Date(d) => {
            let days = d
                .signed_duration_since(chrono::NaiveDate::default())
                .num_days()
                - PG_EPOCH_DAYS;
            field(&(days as i32).to_be_bytes())
        }
        Value::DateTime(t) => {
            let micros = t.and_utc().timestamp_micros() - PG_EPOCH_DAYS * 86_400_000_000;
            field(&micros.to_be_bytes())
        }
    }
}

impl RowStream for PgCopy<'_> {
    fn write_row(&mut self, row: &[Value]) -> Result<()> {
        self.data
            .extend_from_slice(&(row.len() as i16).to_be_bytes());
        for v in row {
            copy_binary(&mut self.data, v);
        }
        if self.data.len() >= COPY_BUFFER {
            self.send()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.data.extend_from_slice(&(-1i16).to_be_bytes());
        self.send()?;
        self.writer.finish()?;
        Ok(())
    }
}

fn refs(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl Conn for PgConn {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let stmt = self.statement(sql)?;
        let done = self.client.execute(&stmt, &refs(params));
        self.checked(done)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let stmt = self.statement(sql)?;
        let rows = self.client.query(&stmt, &refs(params));
        rows_of(&self.checked(rows)?)
    }

    fn copy_stream<'a>(
        &'a mut self,
        table: &str,
        columns: &[String],
    ) -> Result<Box<dyn RowStream + 'a>> {
        let sql = format!(
            "COPY \"{table}\" ({}) FROM STDIN (FORMAT binary)",
            columns.join(", ")
        );
        let statement = self.statement(&sql)?;
        let writer = self.client.copy_in(&statement)?;
        // Small to start with: an audit group is a few kilobytes, and a buffer of
        // COPY_BUFFER fresh from the allocator for each one costs page faults.
        let mut data = Vec::with_capacity(16 * 1024);
        // Signature, flags, header extension length.
        data.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
        data.extend_from_slice(&0i32.to_be_bytes());
        data.extend_from_slice(&0i32.to_be_bytes());
        Ok(Box::new(PgCopy { writer, data }))
    }

    /// Schema changes come this way: every client of this node prepares its
    /// statements afresh after one.
    fn batch(&mut self, sql: &str) -> Result<()> {
        self.statements.clear();
        self.changes.fetch_add(1, Ordering::AcqRel);
        Ok(self.client.batch_execute(sql)?)
    }
}
