//! Reading many rows under the sharing rules: a batch lookup of up to 1,000 keys, and a
//! query with filters on items, a projection, keyset pages in key order and a hard
//! limit. Filters are part of the decision too: only items the basis allows may be
//! filtered on, and masked items only by equality (a prefix or a range would let a
//! caller read a masked value digit by digit), one value at a time, each such probe
//! counted. Pages are handed out as sealed cursors; they go in key order only when
//! the caller reads the key in clear, otherwise in the order rows last changed.

use crate::db::conn::Conn;
use crate::org::apps::AppPrincipal;
use crate::sharing::decide::Access;
use crate::sharing::decided::{Decided, SharingCache};
use crate::sharing::filters::{Conditions, Filter, conditions};
use crate::sharing::reads::typed_key;
use crate::sharing::served::ServedRow;
use crate::value::Value;
use crate::value::key_text_of;
use crate::{Result, Store, StoreError};
use govshare_domain::Error;
use govshare_domain::pool::PoolSchema;
use govshare_domain::sharing::cursor::{self, Position, Scope};
use govshare_domain::sharing::{Basis, Sealer};
use serde::{Deserialize, Serialize};
use sha2::Digest;

/// Most keys in one batch lookup, and most rows in one page.
pub const MAX_BATCH: usize = 1000;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuerySpec {
    /// Conditions on items, all of which a row meets (at most 20).
    #[serde(default)]
    pub filters: Vec<Filter>,
    /// Items wanted (default: all the basis allows).
    pub items: Option<Vec<String>>,
    /// The `next` of the previous page, exactly as it was answered (an opaque cursor,
    /// valid for an hour, for this app, resource, basis, filters and items only).
    pub after: Option<String>,
    /// 1–1,000, default 100.
    pub limit: Option<i64>,
}

/// A page of rows as served.
#[derive(Debug, Clone, Serialize)]
pub struct SharedRows {
    pub resource_code: String,
    pub basis: Basis,
    pub purpose: String,
    pub masked: Vec<String>,
    pub rows: Vec<ServedRow>,
    /// Keys asked for that no row has (batch lookups).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<Vec<String>>,
    /// The cursor to pass as `after` for the next page (queries; none at the end).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The items served, masked ones marked `*` (for the audit entry).
    #[serde(skip)]
    pub audit_items: std::sync::Arc<str>,
    /// Visits counted under a grant (for the audit entry, which the quota is counted from).
    #[serde(skip)]
    pub visits: i64,
}

fn schema(d: &Decided) -> Result<&PoolSchema> {
    d.schema.as_ref().ok_or_else(|| {
        StoreError::Domain(Error::not_found("数据池", d.access.resource.code.clone()))
    })
}

/// The projection: the decided columns, then the key columns (to name each row) and
/// the row's change sequence number (to page by).
fn projection(a: &Access, schema: &PoolSchema) -> String {
    let items = &a.resource.spec.items;
    a.decision
        .columns
        .iter()
        .map(|(i, _)| format!("\"{}\"", items[*i].column))
        .chain(schema.keys().map(|k| format!("\"{}\"", k.column)))
        .chain(std::iter::once("_seq".to_string()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Splits a fetched row into its served values, its key (as text) and its sequence
/// number.
fn split(a: &Access, mut row: Vec<Value>) -> (Vec<Value>, Vec<String>, i64) {
    let seq = match row.pop() {
        Some(Value::Int(n)) => n,
        _ => 0,
    };
    let key = row.split_off(a.decision.columns.len());
    (row, key.iter().map(key_text_of).collect(), seq)
}

fn page(d: &Decided, rows: Vec<ServedRow>) -> SharedRows {
    let a = &d.access;
    SharedRows {
        resource_code: a.resource.code.clone(),
        masked: d.shape.masked.clone(),
        basis: a.decision.basis.clone(),
        purpose: a.purpose.clone(),
        rows,
        missing: vec![],
        next: None,
        audit_items: d.shape.audit_items.clone(),
        visits: 0,
    }
}

/// The statements that read the rows of typed keys. A one-column key is one `IN`
/// list, padded (with its last key) to a power of two so that few distinct statements
/// are ever prepared; a composite key is `OR`ed in groups of 100 (SQLite refuses
/// expressions deeper than 1,000).
fn batch_statements(
    a: &Access,
    schema: &PoolSchema,
    typed: &[Vec<Value>],
) -> Vec<(String, Vec<Value>)> {
    let cols: Vec<String> = schema.keys().map(|k| format!("\"{}\"", k.column)).collect();
    let select = format!(
        "SELECT {} FROM \"{}\" WHERE",
        projection(a, schema),
        schema.table
    );
    if cols.len() == 1 {
        let mut params: Vec<Value> = typed.iter().map(|k| k[0].clone()).collect();
        let padded = params.len().next_power_of_two();
        let last = params.last().cloned().unwrap_or(Value::Null);
        params.resize(padded, last);
        let marks = vec!["?"; padded].join(", ");
        return vec![(format!("{select} {} IN ({marks})", cols[0]), params)];
    }
    let one = format!(
        "({})",
        cols.iter()
            .map(|c| format!("{c} = ?"))
            .collect::<Vec<_>>()
            .join(" AND ")
    );
    typed
        .chunks(100)
        .map(|group| {
            let conds = vec![one.as_str(); group.len()].join(" OR ");
            (format!("{select} {conds}"), group.concat())
        })
        .collect()
}

/// The rows with these keys.
fn batch_lookup(
    conn: &mut dyn Conn,
    cache: &SharingCache,
    app: &AppPrincipal,
    code: &str,
    keys: &[Vec<String>],
    items: Option<&[String]>,
) -> Result<SharedRows> {
    if keys.is_empty() || keys.len() > MAX_BATCH {
        return Err(Error::invalid("keys", format!("一次查询1到{MAX_BATCH}个主键")).into());
    }
    let d = cache.decided(conn, app, code, items)?;
    let (a, schema) = (&d.access, schema(&d)?);
    // Each key typed and cleansed like the stored values, then matched as stored.
    let mut typed = Vec::with_capacity(keys.len());
    for key in keys {
        typed.push(d.typed_key(key)?);
    }
    let mut found = std::collections::HashMap::new();
    for (sql, params) in batch_statements(a, schema, &typed) {
        for row in conn.query(&sql, &params)? {
            let (values, key, _) = split(a, row.into_values());
            found.insert(key, values);
        }
    }
    let (mut rows, mut missing) = (Vec::new(), Vec::new());
    for (key, values) in keys.iter().zip(&typed) {
        let text: Vec<String> = values.iter().map(key_text_of).collect();
        match found.get(&text) {
            Some(values) => rows.push(d.shape.row(values.clone())),
            None => missing.push(key.clone()),
        }
    }
    let mut out = page(&d, rows);
    out.missing = missing;
    Ok(out)
}

/// What a query tells about masked values: how many of its filters test a guessed
/// value of an item the caller reads masked.
pub struct Probes(pub i64);

/// The digest a cursor is bound to: the query's filters and items (not its limit,
/// which a consumer may change from page to page).
fn query_digest(spec: &QuerySpec) -> String {
    let text = serde_json::to_string(&(&spec.filters, &spec.items)).unwrap_or_default();
    hex::encode(&sha2::Sha256::digest(text.as_bytes())[..16])
}

/// Does the basis let the caller read every key item in clear? Only then do pages go in
/// key order: an order of masked keys tells about them.
fn keys_in_clear(allowed: &Access) -> bool {
    let items = &allowed.resource.spec.items;
    items
        .iter()
        .enumerate()
        .filter(|(_, it)| it.key)
        .all(|(i, _)| {
            allowed
                .decision
                .columns
                .iter()
                .any(|&(c, masked)| c == i && !masked)
        })
}

fn query(
    conn: &mut dyn Conn,
    cache: &SharingCache,
    sealer: &Sealer,
    app: &AppPrincipal,
    code: &str,
    spec: &QuerySpec,
) -> Result<(SharedRows, Probes)> {
    let limit = spec.limit.unwrap_or(100);
    if !(1..=MAX_BATCH as i64).contains(&limit) {
        return Err(Error::invalid("limit", format!("limit 应在1到{MAX_BATCH}之间")).into());
    }
    if spec.filters.len() > 20 {
        return Err(Error::invalid("filters", "最多20个过滤条件").into());
    }
    // What the basis allows at all decides what may be filtered on.
    let allowed = cache.decided(conn, app, code, None)?;
    let d = cache.decided(conn, app, code, spec.items.as_deref())?;
    let (a, schema) = (&d.access, schema(&d)?);
    let Conditions {
        mut conds,
        mut params,
        probes,
    } = conditions(
        &a.resource.spec.items,
        &allowed.access.decision.columns,
        &spec.filters,
    )?;
    let by_key = keys_in_clear(&allowed.access);
    let basis = allowed.access.decision.basis.label();
    let digest = query_digest(spec);
    let scope = Scope {
        app_id: app.app_id,
        resource: &a.resource.code,
        basis: &basis,
        query: &digest,
    };
    let now = crate::clock::now_utc().timestamp();
    let keys: Vec<String> = schema.keys().map(|k| format!("\"{}\"", k.column)).collect();
    let order = if by_key {
        keys.join(", ")
    } else {
        "_seq".to_string()
    };
    if let Some(after) = &spec.after {
        match (cursor::open(sealer, &scope, after, now)?, by_key) {
            (Position::Key(key), true) => {
                let (_, values) = typed_key(schema, &key)?;
                conds.push(format!(
                    "({}) > ({})",
                    keys.join(", "),
                    vec!["?"; values.len()].join(", ")
                ));
                params.extend(values);
            }
            (Position::Seq(seq), false) => {
                conds.push("_seq > ?".into());
                params.push(Value::Int(seq));
            }
            _ => {
                return Err(Error::BadCursor("授权范围已变更，请从第一页重新查询".into()).into());
            }
        }
    }
    let sql = format!(
        "SELECT {} FROM \"{}\"{} ORDER BY {order} LIMIT {}",
        projection(a, schema),
        schema.table,
        if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        },
        limit + 1
    );
    let fetched = conn.query(&sql, &params)?;
    let more = fetched.len() as i64 > limit;
    let mut rows = Vec::new();
    let mut last = None;
    for row in fetched.into_iter().take(limit as usize) {
        let (values, key, seq) = split(a, row.into_values());
        rows.push(d.shape.row(values));
        last = Some(if by_key {
            Position::Key(key)
        } else {
            Position::Seq(seq)
        });
    }
    let mut out = page(&d, rows);
    out.next = last
        .filter(|_| more)
        .map(|at| cursor::issue(sealer, &scope, at, now));
    Ok((out, Probes(probes)))
}

impl Store {
    /// An app reads the rows of up to 1,000 keys at once; every key counts as a visit.
    pub(crate) async fn share_batch(
        &self,
        app: &AppPrincipal,
        code: &str,
        keys: Vec<Vec<String>>,
        items: Option<Vec<String>>,
    ) -> Result<SharedRows> {
        let (app, code, cache) = (app.clone(), code.to_string(), self.sharing.clone());
        let visits = keys.len() as i64;
        let out = self
            .read(move |c| batch_lookup(c, &cache, &app, &code, &keys, items.as_deref()))
            .await?;
        let visits = self.count_visits(&out.basis, visits).await?;
        Ok(SharedRows { visits, ..out })
    }

    /// An app queries a pool: filters, projection, key-ordered pages; every row
    /// served counts as a visit (an empty page as one).
    pub(crate) async fn share_query(
        &self,
        app: &AppPrincipal,
        code: &str,
        spec: QuerySpec,
    ) -> Result<SharedRows> {
        let (app_id, cache, sealer) = (app.app_id, self.sharing.clone(), self.sealer.clone());
        let (app, code) = (app.clone(), code.to_string());
        let (out, probes) = self
            .read(move |c| query(c, &cache, &sealer, &app, &code, &spec))
            .await?;
        let visits = self
            .count_use(&out.basis, (out.rows.len() as i64).max(1), app_id, probes.0)
            .await?;
        Ok(SharedRows { visits, ..out })
    }
}
