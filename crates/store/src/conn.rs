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

    /// Appends rows to a table in bulk (columns are quoted identifiers). PostgreSQL
    /// streams them with COPY; the default runs multi-row INSERTs.
    fn copy_in(&mut self, table: &str, columns: &[String], rows: &[Vec<Value>]) -> Result<()> {
        const PER_STATEMENT: usize = 200;
        for chunk in rows.chunks(PER_STATEMENT) {
            let group = format!("({})", vec!["?"; columns.len()].join(", "));
            let sql = format!(
                "INSERT INTO \"{table}\" ({}) VALUES {}",
                columns.join(", "),
                vec![group; chunk.len()].join(", ")
            );
            let params: Vec<Value> = chunk.iter().flatten().cloned().collect();
            self.execute(&sql, &params)?;
        }
        Ok(())
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
