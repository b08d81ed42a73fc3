//! Organisations: create, update by credit code (idempotent for seeding), list.

use crate::db::conn::Conn;
use crate::error::{Result, StoreError};
use crate::value::Row;
use crate::{Caller, Store, params};
use govshare_domain::org::{Org, OrgKind, OrgLevel, OrgSpec};
use govshare_domain::{Error, Problem};

const COLUMNS: &str = "o.id, o.credit_code, o.name, o.short_name, o.kind, o.level, o.region_code, p.credit_code AS parent_code";

fn from_row(r: &Row) -> Result<Org> {
    let bad = |what: &str, v: String| StoreError::Db(format!("stored org {what} unreadable: {v}"));
    let kind = r.text("kind")?;
    let level = r.text("level")?;
    Ok(Org {
        id: r.i64("id")?,
        spec: OrgSpec {
            credit_code: r.text("credit_code")?,
            name: r.text("name")?,
            short_name: r.text("short_name")?,
            kind: OrgKind::parse(&kind).ok_or_else(|| bad("kind", kind.clone()))?,
            level: OrgLevel::parse(&level).ok_or_else(|| bad("level", level.clone()))?,
            region_code: r.text("region_code")?,
            parent_code: r.opt_text("parent_code")?,
        },
    })
}

pub fn list(conn: &mut dyn Conn) -> Result<Vec<Org>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id ORDER BY o.id"
    );
    conn.query(&sql, &[])?.iter().map(from_row).collect()
}

pub fn by_code(conn: &mut dyn Conn, credit_code: &str) -> Result<Option<Org>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id WHERE o.credit_code = ?"
    );
    conn.query_opt(&sql, &params![credit_code])?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub fn by_id(conn: &mut dyn Conn, id: i64) -> Result<Org> {
    let sql = format!(
        "SELECT {COLUMNS} FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id WHERE o.id = ?"
    );
    let row = conn
        .query_opt(&sql, &params![id])?
        .ok_or_else(|| Error::not_found("机构", id.to_string()))?;
    from_row(&row)
}

fn parent_id(conn: &mut dyn Conn, spec: &OrgSpec) -> Result<Option<i64>> {
    let Some(code) = &spec.parent_code else {
        return Ok(None);
    };
    let row = conn.query_opt("SELECT id FROM orgs WHERE credit_code = ?", &params![code])?;
    match row {
        Some(r) => Ok(Some(r.i64("id")?)),
        None => Err(Error::Invalid(vec![Problem::new(
            "parent_code",
            format!("上级机构“{code}”未登记"),
        )])
        .into()),
    }
}

/// Creates an organisation, or updates the one with the same credit code.
pub fn upsert(conn: &mut dyn Conn, spec: &OrgSpec) -> Result<Org> {
    spec.validate()?;
    let parent = parent_id(conn, spec)?;
    let existing = conn.query_opt(
        "SELECT id FROM orgs WHERE credit_code = ?",
        &params![&spec.credit_code],
    )?;
    let id = match existing {
        Some(r) => {
            let id = r.i64("id")?;
            conn.execute(
                "UPDATE orgs SET name = ?, short_name = ?, kind = ?, level = ?, region_code = ?, parent_id = ? WHERE id = ?",
                &params![&spec.name, &spec.short_name, spec.kind.code(), spec.level.code(), &spec.region_code, parent, id],
            )?;
            id
        }
        None => conn
            .query_one(
                "INSERT INTO orgs (credit_code, name, short_name, kind, level, region_code, parent_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                &params![&spec.credit_code, &spec.name, &spec.short_name, spec.kind.code(), spec.level.code(), &spec.region_code, parent, crate::now()],
            )?
            .i64("id")?,
    };
    by_id(conn, id)
}

impl Store {
    pub(crate) async fn list_orgs(&self) -> Result<Vec<Org>> {
        self.read(list).await
    }

    /// The organisation with id `id`, if there is one.
    pub(crate) async fn org_by_id(&self, id: i64) -> Result<Option<Org>> {
        self.read(move |c| match by_id(c, id) {
            Ok(org) => Ok(Some(org)),
            Err(crate::StoreError::Domain(Error::NotFound { .. })) => Ok(None),
            Err(e) => Err(e),
        })
        .await
    }

    /// The name of organisation `id` (one row, no join: the console's header asks on
    /// every page).
    pub(crate) async fn org_name(&self, id: i64) -> Result<Option<String>> {
        self.read(move |c| {
            c.query_opt("SELECT name FROM orgs WHERE id = ?", &params![id])?
                .map(|r| r.text("name"))
                .transpose()
        })
        .await
    }

    pub(crate) async fn org_by_code(&self, code: &str) -> Result<Org> {
        let code = code.to_string();
        self.read(move |c| by_code(c, &code)?.ok_or_else(|| Error::not_found("机构", code).into()))
            .await
    }

    /// Creates or updates an organisation (bureau only).
    pub(crate) async fn upsert_org(&self, caller: &Caller, spec: OrgSpec) -> Result<Org> {
        caller.check(|p| p.check_bureau())?;
        self.write(move |c| upsert(c, &spec)).await
    }
}
