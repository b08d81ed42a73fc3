//! Data pools as tables: one per data-backed resource, named `pool_<resource id>`,
//! with a typed column per information item and the key items as primary key,
//! created when the resource is registered.

use crate::catalog::resources::get_visible;
use crate::db::conn::{Conn, Dialect};
use crate::error::{Result, StoreError};
use crate::value::key_text;
use crate::{Caller, Store, params};
use govshare_domain::Error;
use govshare_domain::labels::DataType;
use govshare_domain::pool::PoolSchema;
use govshare_domain::resource::Resource;
use serde::Serialize;

/// The column type of a data type on a backend.
fn sql_type(dialect: Dialect, t: DataType) -> &'static str {
    use DataType::*;
    match (dialect, t) {
        (Dialect::Sqlite, Integer | Boolean) => "INTEGER",
        (Dialect::Sqlite, Number | Currency | Double | Float) => "REAL",
        (Dialect::Sqlite, _) => "TEXT",
        (Dialect::Postgres, Integer) => "BIGINT",
        (Dialect::Postgres, Number | Currency | Double | Float) => "DOUBLE PRECISION",
        (Dialect::Postgres, Date) => "DATE",
        (Dialect::Postgres, DateTime) => "TIMESTAMP",
        (Dialect::Postgres, Boolean) => "BOOLEAN",
        (Dialect::Postgres, _) => "TEXT",
    }
}

/// The column definitions of a pool's table: its items, then the bookkeeping columns.
fn column_defs(dialect: Dialect, schema: &PoolSchema) -> Vec<String> {
    let mut cols: Vec<String> = schema
        .columns
        .iter()
        .map(|c| {
            format!(
                "\"{}\" {}{}",
                c.column,
                sql_type(dialect, c.data_type),
                if c.key { " NOT NULL" } else { "" }
            )
        })
        .collect();
    cols.push("_batch_id BIGINT NOT NULL".into());
    cols.push("_bytes BIGINT NOT NULL DEFAULT 0".into());
    cols.push("_updated_at TEXT NOT NULL".into());
    cols.push("_seq BIGINT NOT NULL".into());
    cols
}

/// The CREATE TABLE statement of a pool. Column codes are validated identifiers.
pub fn create_table_sql(dialect: Dialect, schema: &PoolSchema) -> String {
    let mut cols = column_defs(dialect, schema);
    cols.push(format!("PRIMARY KEY ({})", key_list(schema)));
    format!(
        "CREATE TABLE \"{t}\" ({}); CREATE INDEX \"{t}_seq\" ON \"{t}\" (_seq)",
        cols.join(", "),
        t = schema.table
    )
}

/// A table of a pool's shape with no key and no index, for rows loaded before their
/// indexes are built once over all of them.
pub fn bare_table_sql(dialect: Dialect, schema: &PoolSchema) -> String {
    format!(
        "CREATE TABLE \"{}\" ({})",
        schema.table,
        column_defs(dialect, schema).join(", ")
    )
}

/// The key columns, quoted and comma-separated.
pub fn key_list(schema: &PoolSchema) -> String {
    schema
        .keys()
        .map(|c| format!("\"{}\"", c.column))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The pool of a resource, as stored.
pub fn schema_of(conn: &mut dyn Conn, resource_id: i64) -> Result<Option<PoolSchema>> {
    let row = conn.query_opt(
        "SELECT schema_json FROM pools WHERE resource_id = ?",
        &params![resource_id],
    )?;
    row.map(|r| Ok(serde_json::from_str(&r.text("schema_json")?)?))
        .transpose()
}

/// Creates the pool of a registered data-backed resource if it has none yet. A
/// resource without a key item gets no pool (returned as `None`).
pub fn ensure_pool(conn: &mut dyn Conn, r: &Resource) -> Result<Option<PoolSchema>> {
    if let Some(existing) = schema_of(conn, r.id)? {
        return Ok(Some(existing));
    }
    let Ok(schema) = PoolSchema::for_resource(r) else {
        return Ok(None);
    };
    conn.batch(&create_table_sql(conn.dialect(), &schema))?;
    conn.execute(
        "INSERT INTO pools (resource_id, table_name, schema_json, row_count, created_at) VALUES (?, ?, ?, 0, ?)",
        &params![r.id, &schema.table, serde_json::to_string(&schema)?, crate::now()],
    )?;
    Ok(Some(schema))
}

#[derive(Debug, Clone, Serialize)]
pub struct PoolInfo {
    pub code: String,
    pub table: String,
    pub schema: PoolSchema,
    pub row_count: i64,
    pub last_batch_at: Option<String>,
}

impl Store {
    /// The pool of an entry the caller can see.
    pub(crate) async fn pool(&self, caller: &Caller, code: &str) -> Result<PoolInfo> {
        let (code, v) = (code.to_string(), caller.visibility());
        self.read(move |c| {
            let r = get_visible(c, &code, v)?;
            let row = c
                .query_opt(
                    "SELECT schema_json, row_count, last_batch_at FROM pools WHERE resource_id = ?",
                    &params![r.id],
                )?
                .ok_or_else(|| StoreError::Domain(Error::not_found("数据池", code.clone())))?;
            let schema: PoolSchema = serde_json::from_str(&row.text("schema_json")?)?;
            Ok(PoolInfo {
                code,
                table: schema.table.clone(),
                schema,
                row_count: row.i64("row_count")?,
                last_batch_at: row.opt_text("last_batch_at")?,
            })
        })
        .await
    }
}

impl Store {
    /// Replaces the checks of some of a pool's columns (the pool's organisation or
    /// the bureau); rows already stored are not re-checked.
    pub(crate) async fn set_pool_checks(
        &self,
        caller: &Caller,
        code: &str,
        checks: Vec<(String, Vec<govshare_domain::pool::Check>)>,
    ) -> Result<PoolInfo> {
        self.edit_pool_schema(caller, code, move |schema| schema.set_checks(&checks))
            .await
    }

    /// Sets a pool's selection rules (the pool's organisation or the bureau): which
    /// items and rows later batches take. Rows already stored stay.
    pub(crate) async fn set_pool_selection(
        &self,
        caller: &Caller,
        code: &str,
        selection: govshare_domain::pool::Selection,
    ) -> Result<PoolInfo> {
        self.edit_pool_schema(caller, code, move |schema| {
            schema.selection = selection.normalise(schema)?;
            Ok(())
        })
        .await
    }

    /// Changes a pool's stored shape, for its owner or the bureau.
    async fn edit_pool_schema(
        &self,
        caller: &Caller,
        code: &str,
        edit: impl FnOnce(&mut PoolSchema) -> govshare_domain::Result<()> + Send + 'static,
    ) -> Result<PoolInfo> {
        let (c2, code2) = (caller.clone(), code.to_string());
        self.write(move |c| {
            let r = get_visible(c, &code2, c2.visibility())?;
            c2.check(|p| p.check_edit(r.owner_org_id, govshare_domain::lifecycle::State::Draft))?;
            let mut schema = schema_of(c, r.id)?
                .ok_or_else(|| StoreError::Domain(Error::not_found("数据池", code2.clone())))?;
            edit(&mut schema)?;
            c.execute(
                "UPDATE pools SET schema_json = ? WHERE resource_id = ?",
                &params![serde_json::to_string(&schema)?, r.id],
            )?;
            Ok(())
        })
        .await?;
        self.pool(caller, code).await
    }
}

/// One change to a pool's rows, for incremental consumers.
#[derive(Debug, Clone, Serialize)]
pub struct PoolChange {
    /// The change's sequence number in this pool. A row appears once, at its latest
    /// change: a consumer that applies the feed in order ends with the pool's state.
    pub seq: i64,
    pub batch_id: i64,
    /// upsert, delete, or replace (key `*`: the whole pool was replaced; the rows of
    /// the new snapshot follow).
    pub op: String,
    /// The key item values, joined by U+001F when there are several.
    pub key: String,
    pub at: String,
}

impl Store {
    /// Changes to a pool after `since`, oldest first: for the pool's organisation and
    /// the bureau (consumers under grants come with the sharing work).
    pub(crate) async fn pool_changes(
        &self,
        caller: &Caller,
        code: &str,
        since: i64,
        limit: i64,
    ) -> Result<Vec<PoolChange>> {
        let (caller, code) = (caller.clone(), code.to_string());
        self.read(move |c| {
            let r = get_visible(c, &code, caller.visibility())?;
            caller.check(|p| {
                p.check_edit(r.owner_org_id, govshare_domain::lifecycle::State::Draft)
            })?;
            changes_since(c, r.id, since, limit)
        })
        .await
    }
}

/// The feed: rows whose last change is after `since` (as upserts) and the tombstones
/// of deletions and replacements, merged by sequence number.
pub(crate) fn changes_since(
    conn: &mut dyn Conn,
    resource_id: i64,
    since: i64,
    limit: i64,
) -> Result<Vec<PoolChange>> {
    let Some(schema) = schema_of(conn, resource_id)? else {
        return Ok(vec![]);
    };
    let keys = key_list(&schema);
    let mut changes: Vec<PoolChange> = conn
        .query(
            &format!("SELECT _seq, _batch_id, _updated_at, {keys} FROM \"{}\" WHERE _seq > ? ORDER BY _seq LIMIT ?", schema.table),
            &params![since, limit],
        )?
        .into_iter()
        .map(|row| {
            Ok(PoolChange {
                seq: row.i64("_seq")?,
                batch_id: row.i64("_batch_id")?,
                op: "upsert".into(),
                at: row.text("_updated_at")?,
                key: key_text(&row.values()[3..]),
            })
        })
        .collect::<Result<_>>()?;
    let tombstones = conn.query(
        "SELECT seq, batch_id, op, row_key, at FROM pool_tombstones WHERE resource_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        &params![resource_id, since, limit],
    )?;
    for row in tombstones {
        changes.push(PoolChange {
            seq: row.i64("seq")?,
            batch_id: row.i64("batch_id")?,
            op: row.text("op")?,
            key: row.text("row_key")?,
            at: row.text("at")?,
        });
    }
    changes.sort_by_key(|c| c.seq);
    changes.truncate(limit.max(0) as usize);
    Ok(changes)
}

/// An organisation's capacity quota and what its pools use.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Quota {
    /// Most rows over all the organisation's pools (none: no limit).
    pub max_rows: Option<i64>,
    /// Most bytes of stored values (none: no limit).
    pub max_bytes: Option<i64>,
    #[serde(default)]
    pub rows: i64,
    #[serde(default)]
    pub bytes: i64,
}

impl Store {
    /// Sets an organisation's quota (bureau only).
    pub(crate) async fn set_quota(
        &self,
        caller: &Caller,
        org_code: &str,
        max_rows: Option<i64>,
        max_bytes: Option<i64>,
    ) -> Result<Quota> {
        caller.check(|p| p.check_bureau())?;
        if max_rows.is_some_and(|v| v < 0) || max_bytes.is_some_and(|v| v < 0) {
            return Err(Error::invalid("max_rows", "配额不能为负数").into());
        }
        let org = self.org_by_code(org_code).await?;
        self.write(move |c| {
            c.execute(
                "INSERT INTO org_quotas (org_id, max_rows, max_bytes) VALUES (?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET max_rows = excluded.max_rows, max_bytes = excluded.max_bytes",
                &params![org.id, max_rows, max_bytes],
            )?;
            Ok(())
        })
        .await?;
        self.quota(caller, org_code).await
    }

    /// An organisation's quota and usage: for the bureau and the organisation itself.
    pub(crate) async fn quota(&self, caller: &Caller, org_code: &str) -> Result<Quota> {
        let org = self.org_by_code(org_code).await?;
        caller.check(|p| {
            if p.is_bureau() || p.org_id == org.id {
                Ok(())
            } else {
                Err(Error::Forbidden("只能查看本单位的配额".into()))
            }
        })?;
        self.read(move |c| {
            let limits = c.query_opt("SELECT max_rows, max_bytes FROM org_quotas WHERE org_id = ?", &params![org.id])?;
            let used = c.query_one(
                "SELECT CAST(COALESCE(SUM(p.row_count), 0) AS BIGINT) AS used_rows, CAST(COALESCE(SUM(p.byte_count), 0) AS BIGINT) AS used_bytes FROM pools p JOIN resources r ON r.id = p.resource_id WHERE r.owner_org_id = ?",
                &params![org.id],
            )?;
            Ok(Quota {
                max_rows: limits.as_ref().map(|l| l.opt_i64("max_rows")).transpose()?.flatten(),
                max_bytes: limits.as_ref().map(|l| l.opt_i64("max_bytes")).transpose()?.flatten(),
                rows: used.i64("used_rows")?,
                bytes: used.i64("used_bytes")?,
            })
        })
        .await
    }
}

/// Checks every stored value of a column against its new definition; refuses the edit
/// naming values that do not fit, and converts them when the type changes (through a
/// new column that takes the old one's place).
fn recheck_column(
    conn: &mut dyn Conn,
    schema: &PoolSchema,
    column: &govshare_domain::pool::PoolColumn,
    retype: bool,
) -> Result<()> {
    let (table, col) = (&schema.table, &column.column);
    let keys = key_list(schema);
    let width = schema.keys().count();
    let rows = conn.query(
        &format!("SELECT {keys}, \"{col}\" FROM \"{table}\" WHERE \"{col}\" IS NOT NULL"),
        &[],
    )?;
    let item = column.as_item();
    let mut bad = Vec::new();
    let mut converted = Vec::with_capacity(rows.len());
    for row in rows {
        let text = key_text(&row.values()[width..]);
        match govshare_domain::pool::parse_cell(&item, &text) {
            Ok(v) => converted.push((row.values()[..width].to_vec(), crate::value::to_value(v))),
            Err(reason) => bad.push(format!("“{text}”（{reason}）")),
        }
    }
    if !bad.is_empty() {
        let n = bad.len();
        bad.truncate(3);
        return Err(Error::invalid(
            "items",
            format!(
                "数据池中信息项“{}”有{n}个已存数据不符合新的定义（{}，长度{}），例如{}",
                column.name,
                column.data_type.label(),
                column.length,
                bad.join("、")
            ),
        )
        .into());
    }
    if !retype {
        return Ok(());
    }
    let tmp = format!("{col}__new");
    conn.batch(&format!(
        "ALTER TABLE \"{table}\" ADD COLUMN \"{tmp}\" {}",
        sql_type(conn.dialect(), column.data_type)
    ))?;
    let cond: Vec<String> = schema
        .keys()
        .map(|k| format!("\"{}\" = ?", k.column))
        .collect();
    let sql = format!(
        "UPDATE \"{table}\" SET \"{tmp}\" = ? WHERE {}",
        cond.join(" AND ")
    );
    for (key, value) in converted {
        let mut params = vec![value];
        params.extend(key);
        conn.execute(&sql, &params)?;
    }
    conn.batch(&format!(
        "ALTER TABLE \"{table}\" DROP COLUMN \"{col}\"; ALTER TABLE \"{table}\" RENAME COLUMN \"{tmp}\" TO \"{col}\""
    ))
}

/// Makes a pool follow its entry's items after an edit (inside the edit's transaction,
/// so a refused change leaves both entry and pool as they were).
pub fn evolve_pool(conn: &mut dyn Conn, r: &Resource, old: &PoolSchema) -> Result<()> {
    let mut new = PoolSchema::for_resource(r)?;
    new.selection = old.selection.clone();
    let has_rows = conn
        .query_one(
            &format!("SELECT COUNT(*) AS row_count FROM \"{}\"", old.table),
            &[],
        )?
        .i64("row_count")?
        > 0;
    let evolution = old.evolve(&new, has_rows)?;
    let (schema, added) = (evolution.schema, evolution.added);
    for (column, retype) in &evolution.recheck {
        recheck_column(conn, old, column, *retype)?;
    }
    if has_rows {
        for c in &added {
            conn.batch(&format!(
                "ALTER TABLE \"{}\" ADD COLUMN \"{}\" {}",
                old.table,
                c.column,
                sql_type(conn.dialect(), c.data_type)
            ))?;
        }
    } else {
        // Nothing stored yet: the table simply takes the new shape.
        conn.batch(&format!("DROP TABLE \"{}\"", old.table))?;
        conn.batch(&create_table_sql(conn.dialect(), &new))?;
    }
    let stored = if has_rows { schema } else { new };
    conn.execute(
        "UPDATE pools SET schema_json = ? WHERE resource_id = ?",
        &params![serde_json::to_string(&stored)?, r.id],
    )?;
    Ok(())
}
