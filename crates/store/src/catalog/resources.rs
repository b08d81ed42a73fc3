//! Reading catalog entries: by code and as filtered, keyset-paginated lists. The
//! caller's visibility becomes part of every query's WHERE clause.

use crate::db::conn::Conn;
use crate::error::{Result, StoreError};
use crate::value::{Row, Value};
use crate::{Caller, Store};
use govshare_domain::Error;
use govshare_domain::access::Visibility;
use govshare_domain::labels::{FormatCategory, OpenType, SharingType, UpdateCycle};
use govshare_domain::lifecycle::State;
use govshare_domain::resource::{Resource, ResourceSpec};

pub(crate) const COLUMNS: &str =
    "id, code, owner_org_id, state, version, spec_json, created_at, updated_at";

pub(crate) fn from_row(r: &Row) -> Result<Resource> {
    let state = r.text("state")?;
    let mut spec: ResourceSpec = serde_json::from_str(&r.text("spec_json")?)?;
    let code = r.text("code")?;
    spec.code = Some(code.clone());
    Ok(Resource {
        id: r.i64("id")?,
        code,
        spec,
        state: State::parse(&state)
            .ok_or_else(|| StoreError::Db(format!("unknown state {state}")))?,
        version: r.i64("version")?,
        owner_org_id: r.i64("owner_org_id")?,
        created_at: r.text("created_at")?,
        updated_at: r.text("updated_at")?,
    })
}

/// The visibility rule as SQL over the `resources` table, with its parameters.
pub(crate) fn visibility_sql(v: Visibility) -> (&'static str, Vec<Value>) {
    match v {
        Visibility::All => ("1 = 1", vec![]),
        Visibility::PublishedAndOwn(org) => (
            "(state = 'published' OR owner_org_id = ?)",
            vec![Value::Int(org)],
        ),
        Visibility::PublicOpen => ("(state = 'published' AND open_type <> 'closed')", vec![]),
    }
}

/// Loads an entry the caller may see; an invisible one is reported as missing.
pub fn get_visible(conn: &mut dyn Conn, code: &str, v: Visibility) -> Result<Resource> {
    let (clause, mut params) = visibility_sql(v);
    params.insert(0, Value::from(code));
    let sql = format!("SELECT {COLUMNS} FROM resources WHERE code = ? AND {clause}");
    let row = conn
        .query_opt(&sql, &params)?
        .ok_or_else(|| Error::not_found("信息资源", code))?;
    from_row(&row)
}

/// Filters of the resource list. Every field narrows the list.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceFilter {
    /// Provider's unified social credit code.
    pub provider_code: Option<String>,
    /// Classification code prefix (类, 项, 目 or 细目).
    pub classification: Option<String>,
    pub state: Option<State>,
    pub sharing_type: Option<SharingType>,
    pub open_type: Option<OpenType>,
    pub format_category: Option<FormatCategory>,
    pub update_cycle: Option<UpdateCycle>,
    /// Thematic catalog code.
    pub theme: Option<String>,
    /// Part of the name.
    pub name: Option<String>,
    /// Keyset cursor: the `next` value of the previous page.
    pub after: Option<i64>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ResourcePage {
    pub total: i64,
    pub results: Vec<Resource>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<i64>,
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The conditions of a catalog list: SQL with `?` placeholders and their values.
pub fn where_clause(f: &ResourceFilter, v: Visibility) -> Result<(String, Vec<Value>)> {
    let (vis, mut params) = visibility_sql(v);
    let mut sql = vec![vis.to_string()];
    if let Some(p) = &f.provider_code {
        sql.push("owner_org_id = (SELECT id FROM orgs WHERE credit_code = ?)".into());
        params.push(p.into());
    }
    if let Some(c) = &f.classification {
        if c.is_empty() || c.len() > 20 || !c.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid("classification", "分类代码只能是数字").into());
        }
        sql.push("classification LIKE ?".into());
        params.push(format!("{c}%").into());
    }
    for (col, val) in [
        ("state", f.state.map(|s| s.code())),
        ("sharing_type", f.sharing_type.map(|s| s.code())),
        ("open_type", f.open_type.map(|s| s.code())),
        ("format_category", f.format_category.map(|s| s.code())),
        ("update_cycle", f.update_cycle.map(|s| s.code())),
    ] {
        if let Some(v) = val {
            sql.push(format!("{col} = ?"));
            params.push(v.into());
        }
    }
    if let Some(t) = &f.theme {
        sql.push("id IN (SELECT resource_id FROM resource_themes WHERE theme_code = ?)".into());
        params.push(t.into());
    }
    if let Some(n) = f.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        if n.chars().count() > 100 {
            return Err(Error::invalid("name", "名称关键字不能超过100字").into());
        }
        sql.push("name LIKE ? ESCAPE '\\'".into());
        params.push(format!("%{}%", escape_like(n)).into());
    }
    Ok((sql.join(" AND "), params))
}

pub fn list(conn: &mut dyn Conn, f: &ResourceFilter, v: Visibility) -> Result<ResourcePage> {
    let limit = f.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(Error::invalid("limit", "每页条数应在1到500之间").into());
    }
    let (clause, params) = where_clause(f, v)?;
    let total = count(conn, &clause, &params)?;
    let mut page_params = params;
    page_params.push(Value::Int(f.after.unwrap_or(0)));
    page_params.push(Value::Int(limit + 1));
    let sql =
        format!("SELECT {COLUMNS} FROM resources WHERE {clause} AND id > ? ORDER BY id LIMIT ?");
    let mut results: Vec<Resource> = conn
        .query(&sql, &page_params)?
        .iter()
        .map(from_row)
        .collect::<Result<_>>()?;
    let next = if results.len() as i64 > limit {
        results.truncate(limit as usize);
        results.last().map(|r| r.id)
    } else {
        None
    };
    Ok(ResourcePage {
        total,
        results,
        next,
    })
}

/// How many entries meet `clause`.
fn count(conn: &mut dyn Conn, clause: &str, params: &[Value]) -> Result<i64> {
    conn.query_one(
        &format!("SELECT COUNT(*) AS total FROM resources WHERE {clause}"),
        params,
    )?
    .i64("total")
}

/// An entry as a list of things to do shows it: no items, no metadata to decode.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ResourceSummary {
    pub code: String,
    pub name: String,
    pub updated_at: String,
}

/// How many entries match, and the first `limit` of them as summaries.
pub fn summaries(
    conn: &mut dyn Conn,
    f: &ResourceFilter,
    v: Visibility,
) -> Result<(i64, Vec<ResourceSummary>)> {
    let limit = f.limit.unwrap_or(50).clamp(1, 500);
    let (clause, params) = where_clause(f, v)?;
    let total = count(conn, &clause, &params)?;
    let rows = conn
        .query(
            &format!("SELECT code, name, updated_at FROM resources WHERE {clause} ORDER BY id LIMIT {limit}"),
            &params,
        )?
        .iter()
        .map(|r| {
            Ok(ResourceSummary {
                code: r.text("code")?,
                name: r.text("name")?,
                updated_at: r.text("updated_at")?,
            })
        })
        .collect::<Result<_>>()?;
    Ok((total, rows))
}

/// Every entry, in id order (export, index rebuilds).
pub fn all(conn: &mut dyn Conn) -> Result<Vec<Resource>> {
    conn.query(&format!("SELECT {COLUMNS} FROM resources ORDER BY id"), &[])?
        .iter()
        .map(from_row)
        .collect()
}

impl Store {
    pub(crate) async fn resource(&self, caller: &Caller, code: &str) -> Result<Resource> {
        let (code, v) = (code.to_string(), caller.visibility());
        self.read(move |c| get_visible(c, &code, v)).await
    }

    pub(crate) async fn list_resources(
        &self,
        caller: &Caller,
        filter: ResourceFilter,
    ) -> Result<ResourcePage> {
        let v = caller.visibility();
        self.read(move |c| list(c, &filter, v)).await
    }

    pub(crate) async fn resource_summaries(
        &self,
        caller: &Caller,
        filter: ResourceFilter,
    ) -> Result<(i64, Vec<ResourceSummary>)> {
        let v = caller.visibility();
        self.read(move |c| summaries(c, &filter, v)).await
    }

    pub(crate) async fn all_resources(&self) -> Result<Vec<Resource>> {
        self.read(all).await
    }

    /// Entries by code, skipping missing ones (search index updates).
    pub(crate) async fn resources_by_codes(&self, codes: Vec<String>) -> Result<Vec<Resource>> {
        self.read(move |c| {
            let sql = format!("SELECT {COLUMNS} FROM resources WHERE code = ?");
            let mut out = Vec::new();
            for code in &codes {
                if let Some(r) = c.query_opt(&sql, &[Value::from(code)])? {
                    out.push(from_row(&r)?);
                }
            }
            Ok(out)
        })
        .await
    }
}
