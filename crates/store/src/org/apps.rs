//! Apps (应用): the consumer systems of an organisation that call the sharing API
//! with a key. Only the key's SHA-256 and a short public prefix are stored; the key
//! itself is shown once, when it is made.

use crate::{Caller, Result, Store, StoreError, params};
use govshare_domain::Error;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct AppInfo {
    pub id: i64,
    /// The organisation the app belongs to (its unified social credit code).
    pub org_code: String,
    pub name: String,
    /// The key's public start (`gsk_<prefix>_…`), to tell keys apart.
    pub key_prefix: String,
    pub created_by: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// An app as the sharing API knows it after its key was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPrincipal {
    pub app_id: i64,
    pub org_id: i64,
    pub name: String,
}

/// A stored key, found by its prefix, for the caller to compare.
pub struct StoredKey {
    pub app: AppPrincipal,
    pub key_hash: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

fn org_by_code_in(
    c: &mut dyn crate::db::conn::Conn,
    code: &str,
) -> Result<govshare_domain::org::Org> {
    crate::org::orgs::by_code(c, code)?
        .ok_or_else(|| Error::not_found("机构", code.to_string()).into())
}

const APP_COLUMNS: &str = "a.id, o.credit_code, a.name, a.key_prefix, a.created_by, a.created_at, a.expires_at, a.revoked_at";

fn app_info(r: &crate::value::Row) -> Result<AppInfo> {
    Ok(AppInfo {
        id: r.i64("id")?,
        org_code: r.text("credit_code")?,
        name: r.text("name")?,
        key_prefix: r.text("key_prefix")?,
        created_by: r.text("created_by")?,
        created_at: r.text("created_at")?,
        expires_at: r.opt_text("expires_at")?,
        revoked_at: r.opt_text("revoked_at")?,
    })
}

/// Who may manage an organisation's apps (the domain's rule).
fn check_manage(caller: &Caller, org_id: i64) -> Result<()> {
    caller.check(|p| p.check_app_keys(org_id))?;
    Ok(())
}

impl Store {
    /// Registers an app of an organisation with its key's prefix and hash.
    pub(crate) async fn create_app(
        &self,
        caller: &Caller,
        org_code: &str,
        name: &str,
        key_prefix: &str,
        key_hash: &str,
        expires_at: Option<String>,
    ) -> Result<AppInfo> {
        let name = name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Error::invalid("name", "应用名称应为1到100个字符").into());
        }
        let (caller, org_code) = (caller.clone(), org_code.to_string());
        let (prefix, hash) = (key_prefix.to_string(), key_hash.to_string());
        self.write(move |c| {
            let org = org_by_code_in(c, &org_code)?;
            check_manage(&caller, org.id)?;
            let id = c
                .query_one(
                    "INSERT INTO apps (org_id, name, key_prefix, key_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    &params![org.id, &name, &prefix, &hash, caller.name(), crate::now(), expires_at],
                )?
                .i64("id")?;
            app_by_id(c, id)
        })
        .await
    }

    /// The apps of an organisation (its users see their own; the bureau any).
    pub(crate) async fn apps(&self, caller: &Caller, org_code: &str) -> Result<Vec<AppInfo>> {
        let (caller, org_code) = (caller.clone(), org_code.to_string());
        self.read(move |c| {
            let org = org_by_code_in(c, &org_code)?;
            caller.check(|p| {
                if p.is_bureau() || p.org_id == org.id {
                    Ok(())
                } else {
                    Err(Error::Forbidden("只能查看本单位的应用".into()))
                }
            })?;
            c.query(
                &format!("SELECT {APP_COLUMNS} FROM apps a JOIN orgs o ON o.id = a.org_id WHERE a.org_id = ? ORDER BY a.id"),
                &params![org.id],
            )?
            .iter()
            .map(app_info)
            .collect()
        })
        .await
    }

    /// Revokes an app's key at once. Another organisation's app is "not found".
    pub(crate) async fn revoke_app(&self, caller: &Caller, id: i64) -> Result<AppInfo> {
        let caller = caller.clone();
        self.write(move |c| {
            let app = app_by_id(c, id)?;
            let org_id = c
                .query_one("SELECT org_id FROM apps WHERE id = ?", &params![id])?
                .i64("org_id")?;
            let own = caller.is_party(&[org_id]);
            if !own {
                return Err(Error::not_found("应用", id.to_string()).into());
            }
            check_manage(&caller, org_id)?;
            if app.revoked_at.is_none() {
                c.execute(
                    "UPDATE apps SET revoked_at = ? WHERE id = ?",
                    &params![crate::now(), id],
                )?;
            }
            app_by_id(c, id)
        })
        .await
    }

    /// The stored key with this prefix, if any.
    pub(crate) async fn app_key(&self, prefix: &str) -> Result<Option<StoredKey>> {
        let prefix = prefix.to_string();
        self.read(move |c| {
            let row = c.query_opt(
                "SELECT id, org_id, name, key_hash, expires_at, revoked_at FROM apps WHERE key_prefix = ?",
                &params![prefix],
            )?;
            row.map(|r| {
                Ok(StoredKey {
                    app: AppPrincipal {
                        app_id: r.i64("id")?,
                        org_id: r.i64("org_id")?,
                        name: r.text("name")?,
                    },
                    key_hash: r.text("key_hash")?,
                    expires_at: r.opt_text("expires_at")?,
                    revoked_at: r.opt_text("revoked_at")?,
                })
            })
            .transpose()
        })
        .await
    }
}

pub(crate) fn app_by_id(c: &mut dyn crate::db::conn::Conn, id: i64) -> Result<AppInfo> {
    let row = c
        .query_opt(
            &format!(
                "SELECT {APP_COLUMNS} FROM apps a JOIN orgs o ON o.id = a.org_id WHERE a.id = ?"
            ),
            &params![id],
        )?
        .ok_or_else(|| StoreError::Domain(Error::not_found("应用", id.to_string())))?;
    app_info(&row)
}
