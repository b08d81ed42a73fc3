//! The PostgreSQL backend (the `postgres` crate, used from blocking threads): a pool
//! of clients, each with its own cache of prepared statements.

use crate::conn::{Conn, Dialect, numbered_placeholders};
use crate::error::{Result, StoreError};
use crate::pool::Pool;
use crate::value::{Row, Value};
use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, NoTls, Statement};
use std::collections::HashMap;

pub struct PgConn {
    client: Client,
    statements: HashMap<String, Statement>,
}

pub struct PostgresBackend {
    pool: Pool<PgConn>,
}

impl PostgresBackend {
    pub fn open(url: &str, max_connections: usize) -> Result<Self> {
        let config: postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Unavailable(format!("bad PostgreSQL URL: {e}")))?;
        let make = move || -> Result<PgConn> {
            let client = config
                .connect(NoTls)
                .map_err(|e| StoreError::Unavailable(crate::error::describe_pg(&e)))?;
            Ok(PgConn {
                client,
                statements: HashMap::new(),
            })
        };
        let backend = PostgresBackend {
            pool: Pool::new(max_connections, Box::new(make)),
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
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let stmt = self.client.prepare(&numbered_placeholders(sql))?;
        self.statements.insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
                Type::FLOAT8 => (*v as f64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => v.to_string().to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Real(v) => match *ty {
                Type::FLOAT4 => (*v as f32).to_sql(ty, out),
                _ => v.to_sql(ty, out),
            },
            Value::Text(s) => s.to_sql(ty, out),
            Value::Bool(b) => b.to_sql(ty, out),
            Value::Blob(b) => b.to_sql(ty, out),
            Value::Date(d) => d.to_sql(ty, out),
            Value::DateTime(t) => t.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn row_values(row: &postgres::Row) -> Result<Row> {
    let mut values = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let v = match *col.type_() {
            Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Value::Int),
            Type::INT4 => row
                .try_get::<_, Option<i32>>(i)?
                .map(|v| Value::Int(v.into())),
            Type::INT2 => row
                .try_get::<_, Option<i16>>(i)?
                .map(|v| Value::Int(v.into())),
            Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map(Value::Real),
            Type::FLOAT4 => row
                .try_get::<_, Option<f32>>(i)?
                .map(|v| Value::Real(v.into())),
            Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map(Value::Bool),
            Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Blob),
            Type::DATE => row
                .try_get::<_, Option<chrono::NaiveDate>>(i)?
                .map(Value::Date),
            Type::TIMESTAMP => row
                .try_get::<_, Option<chrono::NaiveDateTime>>(i)?
                .map(Value::DateTime),
            _ => row.try_get::<_, Option<String>>(i)?.map(Value::Text),
        };
        values.push(v.unwrap_or(Value::Null));
    }
    Ok(Row(values))
}

/// A value in COPY's text format: `\\N` for null, backslash escapes for the
/// delimiter, line breaks and the backslash itself.
fn copy_text(out: &mut Vec<u8>, v: &Value) {
    use std::io::Write;
    match v {
        Value::Null => out.extend_from_slice(b"\\N"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Real(f) => {
            let _ = write!(out, "{f:?}");
        }
        Value::Bool(b) => out.push(if *b { b't' } else { b'f' }),
        Value::Date(d) => {
            let _ = write!(out, "{d}");
        }
        Value::DateTime(t) => {
            let _ = write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S%.f"));
        }
        Value::Blob(b) => {
            out.extend_from_slice(b"\\\\x");
            for byte in b {
                let _ = write!(out, "{byte:02x}");
            }
        }
        Value::Text(s) => {
            for &b in s.as_bytes() {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b => out.push(b),
                }
            }
        }
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
        Ok(self.client.execute(&stmt, &refs(params))?)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let stmt = self.statement(sql)?;
        self.client
            .query(&stmt, &refs(params))?
            .iter()
            .map(row_values)
            .collect()
    }

    fn copy_in(&mut self, table: &str, columns: &[String], rows: &[Vec<Value>]) -> Result<()> {
        use std::io::Write;
        let mut text = Vec::with_capacity(rows.len() * 64);
        for row in rows {
            for (i, v) in row.iter().enumerate() {
                if i > 0 {
                    text.push(b'\t');
                }
                copy_text(&mut text, v);
            }
            text.push(b'\n');
        }
        let sql = format!("COPY \"{table}\" ({}) FROM STDIN", columns.join(", "));
        let mut writer = self.client.copy_in(sql.as_str())?;
        writer
            .write_all(&text)
            .map_err(|e| StoreError::Db(format!("COPY into {table}: {e}")))?;
        writer.finish()?;
        Ok(())
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        self.statements.clear();
        Ok(self.client.batch_execute(sql)?)
    }
}
