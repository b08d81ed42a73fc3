//! The grants a caller is party to — those of its apps and those on its data (the
//! bureau and auditors: all) — newest first, each with what it has used against its
//! quotas: the visits the log holds, counted the way the call path counts them.

use crate::audit::visits::logged;
use crate::sharing::requests::today;
use crate::{Caller, Result, Store, params};
use govshare_domain::sharing::request::Scope;
use serde::Serialize;

/// A grant as its parties see it.
#[derive(Debug, Clone, Serialize)]
pub struct GrantUse {
    pub id: i64,
    pub request_id: i64,
    pub app_id: i64,
    pub app_name: String,
    /// The consumer organisation's name.
    pub consumer: String,
    pub consumer_org_id: i64,
    pub provider_org_id: i64,
    pub resource_code: String,
    pub resource_name: String,
    pub scope: Scope,
    pub used_total: i64,
    pub used_today: i64,
    pub revoked_at: Option<String>,
    pub created_at: String,
}

impl Store {
    /// The last `limit` grants `caller` is party to, newest first (`only`: that one).
    pub(crate) async fn grants(
        &self,
        caller: &Caller,
        only: Option<i64>,
        limit: i64,
    ) -> Result<Vec<GrantUse>> {
        let (caller, limit) = (caller.clone(), limit.clamp(1, 1000));
        self.read(move |c| {
            let one = only.map_or(String::new(), |id| format!(" AND g.id = {id}"));
            let sql = "SELECT g.id, g.request_id, g.app_id, a.name AS app_name, o.name AS consumer, a.org_id AS consumer_org, \
                 r.owner_org_id, r.code, r.name AS resource_name, g.scope_json, g.used_total, g.revoked_at, g.created_at \
                 FROM share_grants g JOIN resources r ON r.id = g.resource_id JOIN apps a ON a.id = g.app_id \
                 JOIN orgs o ON o.id = a.org_id WHERE 1 = 1";
            let rows = if caller.is_party(&[]) {
                c.query(&format!("{sql}{one} ORDER BY g.id DESC LIMIT ?"), &params![limit])?
            } else {
                let own = match &caller {
                    Caller::User(p) => p.org_id,
                    _ => return Ok(Vec::new()),
                };
                c.query(
                    &format!("{sql}{one} AND (a.org_id = ? OR r.owner_org_id = ?) ORDER BY g.id DESC LIMIT ?"),
                    &params![own, own, limit],
                )?
            };
            let day = today().to_string();
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let id = row.i64("id")?;
                let legacy_day = c
                    .query_opt(
                        "SELECT used FROM grant_usage WHERE grant_id = ? AND day = ?",
                        &params![id, &day],
                    )?
                    .map_or(Ok(0), |u| u.i64("used"))?;
                let (total, on_day) = logged(c, id, &day, None)?;
                out.push(GrantUse {
                    id,
                    request_id: row.i64("request_id")?,
                    app_id: row.i64("app_id")?,
                    app_name: row.text("app_name")?,
                    consumer: row.text("consumer")?,
                    consumer_org_id: row.i64("consumer_org")?,
                    provider_org_id: row.i64("owner_org_id")?,
                    resource_code: row.text("code")?,
                    resource_name: row.text("resource_name")?,
                    scope: serde_json::from_str(&row.text("scope_json")?)?,
                    used_total: row.i64("used_total")? + total,
                    used_today: legacy_day + on_day,
                    revoked_at: row.opt_text("revoked_at")?,
                    created_at: row.text("created_at")?,
                });
            }
            Ok(out)
        })
        .await
    }
}
