//! Decided reads kept in memory. Deciding an app's read (the resource and its items,
//! the app's standing, the pool's schema) takes several statements and some JSON;
//! a busy consumer asks the same question thousands of times a second. A decision
//! is kept together with the sharing epoch it was made at (the number the database
//! moves whenever anything a decision rests on changes, on any node), and a lookup
//! reads the epoch in the same statement as the row: when they differ, the decision
//! is made again before anything is served. So the rules are never stale, only cheap.

use crate::db::conn::{Conn, Dialect};
use crate::org::apps::AppPrincipal;
use crate::pool::tables::schema_of;
use crate::sharing::decide::access;
use crate::sharing::decided::{Decided, EPOCH, EPOCH_COLUMN, SharingCache, cache_key, epoch};
use crate::sharing::served::{Access, Shape};
use crate::value::Value;
use crate::value::to_value;
use crate::{Result, StoreError, params};
use govshare_domain::Error;
use govshare_domain::item::Item;
use govshare_domain::pool::parse_cell;
use std::sync::Arc;

/// Rounds a lookup makes before giving up on rules that change without pause: a
/// decision can only be behind by the changes made while it was taken.
pub(crate) const ROUNDS: usize = 4;

pub(crate) fn still_changing() -> StoreError {
    StoreError::Unavailable("共享规则正在变更，请稍后重试".into())
}

impl SharingCache {
    /// Makes the decision afresh and keeps it.
    pub(crate) fn decide(
        &self,
        conn: &mut dyn Conn,
        app: &AppPrincipal,
        code: &str,
        items: Option<&[String]>,
    ) -> Result<Arc<Decided>> {
        let d = prepare(conn, app, code, items)?;
        Ok(self.put(cache_key(app.app_id, code, items), d))
    }

    /// The decision on an app's read, checked against the epoch now.
    pub fn decided(
        &self,
        conn: &mut dyn Conn,
        app: &AppPrincipal,
        code: &str,
        items: Option<&[String]>,
    ) -> Result<Arc<Decided>> {
        let now = epoch(conn)?;
        match self.get(&cache_key(app.app_id, code, items)) {
            Some(d) if d.epoch == now => Ok(d),
            _ => self.decide(conn, app, code, items),
        }
    }

    /// Reads the decided columns of the row with `key`, in one statement that also
    /// reads the epoch (two when no row has the key): a decision made before a
    /// change is never served after it.
    pub fn lookup(
        &self,
        conn: &mut dyn Conn,
        app: &AppPrincipal,
        code: &str,
        items: Option<&[String]>,
        key: &[String],
    ) -> Result<(Arc<Decided>, Option<Vec<Value>>)> {
        let mut d = match self.get(&cache_key(app.app_id, code, items)) {
            Some(d) => d,
            None => self.decide(conn, app, code, items)?,
        };
        for _ in 0..ROUNDS {
            let params = d.lookup_params(key)?;
            let row = conn.query_opt(&d.lookup_sql, &params)?;
            // A key no row has reads the epoch on its own.
            let at = match &row {
                Some(r) => r.i64(EPOCH_COLUMN)?,
                None => epoch(conn)?,
            };
            match d.serve(row, at) {
                Some(served) => return Ok((d, served)),
                None => d = self.decide(conn, app, code, items)?,
            }
        }
        Err(still_changing())
    }
}

impl Decided {
    /// The lookup statement's parameters for a request key; refused when the resource
    /// has no pool.
    pub(crate) fn lookup_params(&self, key: &[String]) -> Result<Vec<Value>> {
        if self.schema.is_none() {
            return Err(no_pool(&self.access));
        }
        key_values(&self.key_items, key)
    }

    /// What a lookup that read `row` at epoch `at` serves; `None` when the decision
    /// is older than the rules.
    pub(crate) fn serve(
        &self,
        row: Option<crate::value::Row>,
        at: i64,
    ) -> Option<Option<Vec<Value>>> {
        if at != self.epoch {
            return None;
        }
        Some(
            row.filter(|_| !self.access.decision.columns.is_empty())
                .map(|r| {
                    let mut values = r.into_values();
                    values.remove(0);
                    values
                }),
        )
    }

    /// Request keys cleansed and typed as the stored keys were.
    pub fn typed_key(&self, key: &[String]) -> Result<Vec<Value>> {
        key_values(&self.key_items, key)
    }
}

fn no_pool(a: &Access) -> StoreError {
    StoreError::Domain(Error::not_found("数据池", a.resource.code.clone()))
}

/// A decision with its pool and lookup statement, made at the epoch read first (so
/// that anything changed while it is made shows as a newer epoch).
fn prepare(
    conn: &mut dyn Conn,
    app: &AppPrincipal,
    code: &str,
    items: Option<&[String]>,
) -> Result<Decided> {
    let at = epoch(conn)?;
    let live = conn.query_opt(
        "SELECT 1 FROM apps WHERE id = ? AND revoked_at IS NULL",
        &params![app.app_id],
    )?;
    if live.is_none() {
        return Err(Error::Forbidden("该应用的密钥已吊销".into()).into());
    }
    let a = access(conn, app, code, items)?;
    let schema = schema_of(conn, a.resource.id)?;
    let (key_items, lookup_sql, gather_sql) = match &schema {
        Some(s) => {
            let spec_items = &a.resource.spec.items;
            let keys: Vec<_> = s.keys().collect();
            // The epoch as a scalar subquery: a join on the key would make SQLite
            // prepare the statement again for every key bound.
            let columns: Vec<String> = std::iter::once(format!("({EPOCH}) AS {EPOCH_COLUMN}"))
                .chain(
                    a.decision
                        .columns
                        .iter()
                        .map(|(i, _)| format!("\"{}\"", spec_items[*i].column)),
                )
                .collect();
            let cond: Vec<String> = keys
                .iter()
                .map(|k| format!("\"{}\" = ?", k.column))
                .collect();
            let sql = format!(
                "SELECT {} FROM \"{}\" WHERE {}",
                columns.join(", "),
                s.table,
                cond.join(" AND ")
            );
            let gather = match (conn.dialect(), keys.as_slice()) {
                (Dialect::Postgres, [k]) => {
                    let mut columns = columns.clone();
                    columns.insert(1, format!("\"{}\"", k.column));
                    Some(format!(
                        "SELECT {} FROM \"{}\" WHERE \"{}\" = ANY(?)",
                        columns.join(", "),
                        s.table,
                        k.column
                    ))
                }
                _ => None,
            };
            let key_items = keys.iter().map(|k| k.as_item()).collect();
            (key_items, sql, gather)
        }
        None => (Vec::new(), String::new(), None),
    };
    Ok(Decided {
        epoch: at,
        shape: Shape::of(&a),
        access: a,
        schema,
        key_items,
        lookup_sql,
        gather_sql,
    })
}

/// A request's key values, cleansed and typed as the stored key was.
fn key_values(key_items: &[Item], key: &[String]) -> Result<Vec<Value>> {
    if key_items.len() != key.len() {
        return Err(Error::invalid(
            "key",
            format!("该资源的主键有{}项，收到{}项", key_items.len(), key.len()),
        )
        .into());
    }
    key_items
        .iter()
        .zip(key)
        .map(|(item, k)| {
            parse_cell(item, k)
                .map(to_value)
                .map_err(|reason| Error::invalid("key", format!("{}：{reason}", item.name)).into())
        })
        .collect()
}
