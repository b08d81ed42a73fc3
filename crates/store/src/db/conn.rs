//! The one trait each backend implements: run a statement, fetch rows. Repository
//! code takes `&mut dyn Conn` and writes SQL with `?` placeholders, which the
//! PostgreSQL backend rewrites to `$n`.

use crate::error::Result;
use crate::value::{Row, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

pub trait Conn {
    fn dialect(&self) -> Dialect;
    /// Runs a statement; returns the number of rows changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64>;
    /// Runs a query; returns all rows.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>>;
    /// Runs several statements without parameters (migrations).
    fn batch(&mut self, sql: &str) -> Result<()>;

    /// Streams rows into a table (columns are quoted identifiers): COPY on
    /// PostgreSQL, multi-row INSERTs elsewhere. The connection serves nothing else
    /// until the stream is finished; dropping it unfinished fails the transaction.
    fn copy_stream<'a>(
        &'a mut self,
        table: &str,
        columns: &[String],
    ) -> Result<Box<dyn RowStream + 'a>>;

    /// Appends rows to a table in bulk.
    fn copy_in(&mut self, table: &str, columns: &[String], rows: &[Vec<Value>]) -> Result<()> {
        let mut stream = self.copy_stream(table, columns)?;
        for row in rows {
            stream.write_row(row)?;
        }
        stream.finish()
    }

    /// The first row, if any.
    fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Exactly one row (a missing one is a database error: use for aggregates and RETURNING).
    fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row> {
        self.query_opt(sql, params)?
            .ok_or_else(|| crate::error::StoreError::Db(format!("no row returned by: {sql}")))
    }
}

/// Rows on their way into a table.
pub trait RowStream {
    fn write_row(&mut self, row: &[Value]) -> Result<()>;
    fn finish(self: Box<Self>) -> Result<()>;
}

/// The portable stream: multi-row INSERTs of up to 200 rows.
pub struct InsertStream<'a> {
    conn: &'a mut dyn Conn,
    table: String,
    columns: Vec<String>,
    params: Vec<Value>,
}

impl<'a> InsertStream<'a> {
    pub fn new(conn: &'a mut dyn Conn, table: &str, columns: &[String]) -> Self {
        InsertStream {
            conn,
            table: table.to_string(),
            columns: columns.to_vec(),
            params: Vec::new(),
        }
    }

    fn flush(&mut self) -> Result<()> {
        if self.params.is_empty() {
            return Ok(());
        }
        let rows = self.params.len() / self.columns.len();
        let group = format!("({})", vec!["?"; self.columns.len()].join(", "));
        let sql = format!(
            "INSERT INTO \"{}\" ({}) VALUES {}",
            self.table,
            self.columns.join(", "),
            vec![group; rows].join(", ")
        );
        self.conn.execute(&sql, &self.params)?;
        self.params.clear();
        Ok(())
    }
}

impl RowStream for InsertStream<'_> {
    fn write_row(&mut self, row: &[Value]) -> Result<()> {
        self.params.extend_from_slice(row);
        if self.params.len() >= 200 * self.columns.len() {
            self.flush()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        self.flush()
    }
}

/// Rewrites `?` placeholders to `$1, $2, ...` (no SQL in this crate puts `?` in a literal).
pub fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_numbered() {
        assert_eq!(
            super::numbered_placeholders("a = ? AND b IN (?, ?)"),
            "a = $1 AND b IN ($2, $3)"
        );
    }
}
