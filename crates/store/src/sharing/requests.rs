//! Conditional requests and grants: a consumer applies, the provider answers within
//! its working-day deadline, an approval becomes a grant whose visits are counted in
//! the database, so that every node enforces the quotas exactly.

use crate::catalog::resources::get_visible;
use crate::db::conn::Conn;
use crate::page::Page;
use crate::{Caller, Result, Store, StoreError, params};
use chrono::NaiveDate;
use govshare_domain::access::Visibility;
use govshare_domain::labels::SharingType;
use govshare_domain::lifecycle::State;
use govshare_domain::resource::Resource;
use govshare_domain::sharing::request::{
    Answer, Calendar, DEFAULT_ANSWER_DAYS, RequestState, Scope, answer,
};
use govshare_domain::{Error, Problem};
use serde::{Deserialize, Serialize};

/// Today in China Standard Time (UTC+8), the calendar deadlines are kept in.
pub fn today() -> NaiveDate {
    crate::clock::today()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    pub app_id: i64,
    /// The resource code.
    pub resource: String,
    /// Items, period and visit quotas asked for.
    pub scope: Scope,
    /// 使用用途.
    pub purpose: String,
    /// 申请依据: the law, regulation or document the use rests on.
    pub legal_basis: String,
    /// Supporting text (授权书, 业务说明 …).
    #[serde(default)]
    pub material: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestInfo {
    pub id: i64,
    pub app_id: i64,
    pub resource_code: String,
    pub scope: Scope,
    pub purpose: String,
    pub legal_basis: String,
    pub material: String,
    pub state: RequestState,
    /// The day the provider's answer is due (working days, China time).
    pub deadline: NaiveDate,
    /// Still unanswered after its deadline: flagged to the bureau.
    pub overdue: bool,
    /// The provider's note: the reason of a refusal, the material asked for.
    pub note: String,
    pub applicant: String,
    pub decided_by: String,
    pub created_at: String,
    pub answered_at: Option<String>,
    /// The grant an approval made.
    pub grant_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GrantInfo {
    pub id: i64,
    pub request_id: i64,
    pub app_id: i64,
    pub resource_code: String,
    pub scope: Scope,
    pub used_total: i64,
    pub revoked_at: Option<String>,
}

/// The deadline calendar as the bureau keeps it.
pub fn calendar(conn: &mut dyn Conn) -> Result<Calendar> {
    let mut cal = Calendar::default();
    for row in conn.query("SELECT day, working FROM calendar_days", &[])? {
        let day = NaiveDate::parse_from_str(&row.text("day")?, "%Y-%m-%d")
            .map_err(|e| StoreError::Db(e.to_string()))?;
        if row.bool("working")? {
            cal.working_weekends.push(day);
        } else {
            cal.holidays.push(day);
        }
    }
    Ok(cal)
}

/// The items of a scope as the resource's column codes; unknown items are refused.
fn normalise(r: &Resource, scope: &Scope) -> Result<Scope> {
    let mut problems = Vec::new();
    let mut resolve = |field: &str, names: &[String]| -> Vec<String> {
        let mut out = Vec::new();
        for n in names {
            match r
                .spec
                .items
                .iter()
                .find(|i| i.name == *n || i.column.eq_ignore_ascii_case(n))
            {
                Some(i) if !out.contains(&i.column) => out.push(i.column.clone()),
                Some(_) => {}
                None => problems.push(Problem::new(field, format!("该资源没有信息项“{n}”"))),
            }
        }
        out
    };
    let items = resolve("items", &scope.items);
    let unmasked = resolve("unmasked", &scope.unmasked);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems).into());
    }
    Ok(Scope {
        items,
        unmasked,
        ..scope.clone()
    })
}

const REQUEST_COLUMNS: &str = "q.id, q.app_id, r.code, q.scope_json, q.purpose, q.legal_basis, q.material, q.state, q.deadline, q.note, q.applicant, q.decided_by, q.created_at, q.answered_at, g.id AS grant_id, q.asked_more";

fn request_info(row: &crate::value::Row) -> Result<RequestInfo> {
    let state = row.text("state")?;
    let deadline = NaiveDate::parse_from_str(&row.text("deadline")?, "%Y-%m-%d")
        .map_err(|e| StoreError::Db(e.to_string()))?;
    let state = RequestState::parse(&state)
        .ok_or_else(|| StoreError::Db(format!("unknown request state {state}")))?;
    Ok(RequestInfo {
        id: row.i64("id")?,
        app_id: row.i64("app_id")?,
        resource_code: row.text("code")?,
        scope: serde_json::from_str(&row.text("scope_json")?)?,
        purpose: row.text("purpose")?,
        legal_basis: row.text("legal_basis")?,
        material: row.text("material")?,
        overdue: state == RequestState::Pending && today() > deadline,
        state,
        deadline,
        note: row.text("note")?,
        applicant: row.text("applicant")?,
        decided_by: row.text("decided_by")?,
        created_at: row.text("created_at")?,
        answered_at: row.opt_text("answered_at")?,
        grant_id: row.opt_i64("grant_id")?,
    })
}

fn request_by_id(conn: &mut dyn Conn, id: i64) -> Result<(RequestInfo, bool, i64, i64)> {
    let row = conn
        .query_opt(
            &format!(
                "SELECT {REQUEST_COLUMNS}, a.org_id, r.owner_org_id FROM share_requests q JOIN resources r ON r.id = q.resource_id \
                 JOIN apps a ON a.id = q.app_id LEFT JOIN share_grants g ON g.request_id = q.id WHERE q.id = ?"
            ),
            &params![id],
        )?
        .ok_or_else(|| StoreError::Domain(Error::not_found("共享申请", id.to_string())))?;
    Ok((
        request_info(&row)?,
        row.bool("asked_more")?,
        row.i64("org_id")?,
        row.i64("owner_org_id")?,
    ))
}

/// Is the caller on either side of a request (or the bureau)? Others are told it
/// does not exist.
fn check_party(caller: &Caller, consumer_org: i64, provider_org: i64, id: i64) -> Result<()> {
    if caller.is_party(&[consumer_org, provider_org]) {
        Ok(())
    } else {
        Err(Error::not_found("共享申请", id.to_string()).into())
    }
}

/// The provider's admin or approver, or the bureau.
fn check_provider_admin(caller: &Caller, provider_org: i64) -> Result<()> {
    caller.check(|p| p.check_sharing_decision(provider_org))?;
    Ok(())
}

impl Store {
    /// Applies for a conditional resource on behalf of one of the caller's apps.
    pub(crate) async fn apply(&self, caller: &Caller, req: NewRequest) -> Result<RequestInfo> {
        let mut problems = Vec::new();
        if !(4..=500).contains(&req.purpose.trim().chars().count()) {
            problems.push(Problem::new("purpose", "请写明使用用途（4到500个字）"));
        }
        if !(2..=500).contains(&req.legal_basis.trim().chars().count()) {
            problems.push(Problem::new("legal_basis", "请写明申请依据（2到500个字）"));
        }
        if req.material.chars().count() > 20_000 {
            problems.push(Problem::new("material", "材料最长20000个字"));
        }
        // The scope's own rules too, so that every problem is told at once (its items
        // are checked against the entry below).
        if let Err(Error::Invalid(found)) = req.scope.check(today()) {
            problems.extend(found);
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems).into());
        }
        let caller = caller.clone();
        self.write(move |c| {
            let app = crate::org::apps::app_by_id(c, req.app_id)?;
            let org_id = c
                .query_one("SELECT org_id FROM apps WHERE id = ?", &params![req.app_id])?
                .i64("org_id")?;
            check_party(&caller, org_id, org_id, req.app_id)
                .map_err(|_| StoreError::Domain(Error::not_found("应用", req.app_id.to_string())))?;
            caller.check(|p| p.check_consumer(org_id))?;
            if app.revoked_at.is_some() {
                return Err(Error::Conflict("该应用的密钥已吊销".into()).into());
            }
            let r = get_visible(c, &req.resource, Visibility::PublishedAndOwn(org_id))?;
            if r.state != State::Published {
                return Err(Error::Conflict(format!("资源“{}”尚未发布", r.code)).into());
            }
            match r.spec.sharing_type {
                SharingType::Conditional => {}
                SharingType::Unconditional => {
                    return Err(Error::Conflict("无条件共享资源登记使用即可，无需申请".into()).into());
                }
                SharingType::NotShared => {
                    return Err(Error::Forbidden("该资源不予共享".into()).into());
                }
            }
            if r.owner_org_id == org_id {
                return Err(Error::Conflict("本单位的资源无需申请".into()).into());
            }
            let scope = normalise(&r, &req.scope)?;
            let today = today();
            scope.check(today)?;
            let deadline = calendar(c)?.add_working_days(today, DEFAULT_ANSWER_DAYS);
            let id = c
                .query_one(
                    "INSERT INTO share_requests (app_id, resource_id, scope_json, purpose, legal_basis, material, state, deadline, applicant, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING id",
                    &params![
                        req.app_id,
                        r.id,
                        serde_json::to_string(&scope)?,
                        req.purpose.trim(),
                        req.legal_basis.trim(),
                        &req.material,
                        deadline.to_string(),
                        caller.name(),
                        crate::now()
                    ],
                )?
                .i64("id")?;
            Ok(request_by_id(c, id)?.0)
        })
        .await
    }

    /// Requests the caller is party to (its apps' and those for its resources), or
    /// all for the bureau; one page, newest first.
    pub(crate) async fn requests(&self, caller: &Caller, page: Page) -> Result<Vec<RequestInfo>> {
        let (conds, mut values) = crate::sharing::parties::party_filter(caller)?;
        self.read(move |c| {
            let sql = format!(
                "SELECT {REQUEST_COLUMNS} FROM share_requests q JOIN resources r ON r.id = q.resource_id \
                 JOIN apps a ON a.id = q.app_id LEFT JOIN share_grants g ON g.request_id = q.id{}",
                page.clause("q.id", conds, &mut values)
            );
            c.query(&sql, &values)?.iter().map(request_info).collect()
        })
        .await
    }

    /// The provider answers: approve (within what was asked; a grant is made),
    /// reject with a reason, or ask once for more material.
    pub(crate) async fn answer_request(
        &self,
        caller: &Caller,
        id: i64,
        decision: Answer,
        note: String,
        granted: Option<Scope>,
    ) -> Result<RequestInfo> {
        let caller = caller.clone();
        self.write(move |c| {
            let (req, asked_more, consumer, provider) = request_by_id(c, id)?;
            check_party(&caller, consumer, provider, id)?;
            check_provider_admin(&caller, provider)?;
            let next = answer(req.state, asked_more, decision, &note)?;
            let changed = c.execute(
                "UPDATE share_requests SET state = ?, note = ?, decided_by = ?, answered_at = ?, asked_more = ? WHERE id = ? AND state = 'pending'",
                &params![
                    next.code(),
                    note.trim(),
                    caller.name(),
                    crate::now(),
                    asked_more || decision == Answer::AskMore,
                    id
                ],
            )?;
            if changed == 0 {
                return Err(Error::Conflict("该申请已被处理".into()).into());
            }
            if next == RequestState::Approved {
                let r = get_visible(c, &req.resource_code, Visibility::All)?;
                let scope = match granted {
                    Some(s) => normalise(&r, &s)?,
                    None => req.scope.clone(),
                };
                scope.check_within(&req.scope)?;
                c.execute(
                    "INSERT INTO share_grants (request_id, app_id, resource_id, scope_json, valid_from, valid_to, daily_quota, total_quota, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    &params![
                        id,
                        req.app_id,
                        r.id,
                        serde_json::to_string(&scope)?,
                        scope.valid_from.to_string(),
                        scope.valid_to.to_string(),
                        scope.daily_quota,
                        scope.total_quota,
                        crate::now()
                    ],
                )?;
            }
            Ok(request_by_id(c, id)?.0)
        })
        .await
    }

    /// The consumer sends the material asked for; the request waits for an answer
    /// again, with a new deadline.
    pub(crate) async fn supply_material(
        &self,
        caller: &Caller,
        id: i64,
        material: String,
    ) -> Result<RequestInfo> {
        if material.trim().is_empty() || material.chars().count() > 20_000 {
            return Err(Error::invalid("material", "请提供补充材料（最长20000个字）").into());
        }
        let caller = caller.clone();
        self.write(move |c| {
            let (req, _, consumer, provider) = request_by_id(c, id)?;
            check_party(&caller, consumer, provider, id)?;
            caller.check(|p| {
                (p.org_id == consumer)
                    .then_some(())
                    .ok_or(Error::Forbidden("只有申请方可以补充材料".into()))
                    .and_then(|()| p.check_consumer(consumer))
            })?;
            if req.state != RequestState::MoreInfo {
                return Err(Error::Conflict("该申请不需要补充材料".into()).into());
            }
            let deadline = calendar(c)?.add_working_days(today(), DEFAULT_ANSWER_DAYS);
            c.execute(
                "UPDATE share_requests SET state = 'pending', material = ?, deadline = ? WHERE id = ? AND state = 'more_info'",
                &params![format!("{}\n\n【补充材料】\n{}", req.material, material.trim()), deadline.to_string(), id],
            )?;
            Ok(request_by_id(c, id)?.0)
        })
        .await
    }

    /// Revokes a grant at once (the provider's admin or the bureau).
    pub(crate) async fn revoke_grant(&self, caller: &Caller, id: i64) -> Result<GrantInfo> {
        let caller = caller.clone();
        let g = self
            .write(move |c| {
                let g = grant_by_id(c, id)?;
                let (_, _, consumer, provider) = request_by_id(c, g.request_id)?;
                check_party(&caller, consumer, provider, id)
                    .map_err(|_| StoreError::Domain(Error::not_found("授权", id.to_string())))?;
                caller.check(|p| p.check_grant_revocation(provider))?;
                c.execute(
                    "UPDATE share_grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                    &params![crate::now(), id],
                )?;
                grant_by_id(c, id)
            })
            .await?;
        // What the grant used is counted from the log (beside it, on SQLite).
        let day = today().to_string();
        let (logged, _) = self
            .read(move |c| crate::audit::visits::logged(c, id, &day, None))
            .await?;
        Ok(GrantInfo {
            used_total: g.used_total + logged,
            ..g
        })
    }

    /// The deadline calendar: the holidays and the working weekend days set.
    pub(crate) async fn working_calendar(&self) -> Result<Calendar> {
        self.read(calendar).await
    }

    /// Sets days of the deadline calendar (bureau only): holidays (`working` false)
    /// and working weekend days (true).
    pub(crate) async fn set_calendar(
        &self,
        caller: &Caller,
        days: Vec<(NaiveDate, bool)>,
    ) -> Result<()> {
        caller.check(|p| p.check_bureau())?;
        self.write(move |c| {
            for (day, working) in days {
                c.execute(
                    "INSERT INTO calendar_days (day, working) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET working = excluded.working",
                    &params![day.to_string(), working],
                )?;
            }
            Ok(())
        })
        .await
    }

    /// Puts days back to the weekday rule (the bureau only): how many were set.
    pub(crate) async fn clear_calendar(
        &self,
        caller: &Caller,
        days: Vec<NaiveDate>,
    ) -> Result<u64> {
        caller.check(|p| p.check_bureau())?;
        self.write(move |c| {
            let mut cleared = 0;
            for day in days {
                cleared += c.execute(
                    "DELETE FROM calendar_days WHERE day = ?",
                    &params![day.to_string()],
                )?;
            }
            Ok(cleared)
        })
        .await
    }
}

fn grant_by_id(conn: &mut dyn Conn, id: i64) -> Result<GrantInfo> {
    let row = conn
        .query_opt(
            "SELECT g.id, g.request_id, g.app_id, r.code, g.scope_json, g.used_total, g.revoked_at FROM share_grants g JOIN resources r ON r.id = g.resource_id WHERE g.id = ?",
            &params![id],
        )?
        .ok_or_else(|| StoreError::Domain(Error::not_found("授权", id.to_string())))?;
    Ok(GrantInfo {
        id: row.i64("id")?,
        request_id: row.i64("request_id")?,
        app_id: row.i64("app_id")?,
        resource_code: row.text("code")?,
        scope: serde_json::from_str(&row.text("scope_json")?)?,
        used_total: row.i64("used_total")?,
        revoked_at: row.opt_text("revoked_at")?,
    })
}

/// The app's live grant for a resource today, if any: (id, scope).
pub fn live_grant(
    conn: &mut dyn Conn,
    app_id: i64,
    resource_id: i64,
) -> Result<Option<(i64, Scope)>> {
    let day = today().to_string();
    let row = conn.query_opt(
        "SELECT id, scope_json FROM share_grants WHERE app_id = ? AND resource_id = ? AND revoked_at IS NULL AND valid_from <= ? AND valid_to >= ? ORDER BY id DESC LIMIT 1",
        &params![app_id, resource_id, &day, &day],
    )?;
    row.map(|r| Ok((r.i64("id")?, serde_json::from_str(&r.text("scope_json")?)?)))
        .transpose()
}
