//! Registered uses (使用登记) of unconditional resources. An app states its purpose
//! and scenario; the conformity check (published, unconditional, purpose and scenario
//! stated) approves it at once, unless the bureau has put the resource under manual
//! review: then the registration waits until the provider approves or rejects it.

use crate::catalog::resources::get_visible;
use crate::db::conn::Conn;
use crate::page::Page;
use crate::value::Row;
use crate::{Caller, Result, Store, StoreError, params};
use govshare_domain::access::Visibility;
use govshare_domain::labels::SharingType;
use govshare_domain::lifecycle::State;
use govshare_domain::{Error, Problem};
use serde::Serialize;

/// A registered use of an unconditional resource by an app.
#[derive(Debug, Clone, Serialize)]
pub struct Registration {
    pub id: i64,
    pub app_id: i64,
    pub app_name: String,
    pub resource_code: String,
    pub purpose: String,
    pub scenario: String,
    /// `approved`, `pending` (under manual review) or `rejected`.
    pub status: String,
    /// The provider's reason, when rejected.
    pub answer: String,
    pub answered_by: Option<String>,
    pub created_at: String,
}

/// The smallest purpose a registration states (a conformity check, not a review).
const MIN_PURPOSE_CHARS: usize = 4;

const COLUMNS: &str = "g.id, g.app_id, a.name, r.code, g.purpose, g.scenario, g.status, g.answer, g.answered_by, g.created_at, a.org_id, r.owner_org_id";
const FROM: &str =
    "share_registrations g JOIN apps a ON a.id = g.app_id JOIN resources r ON r.id = g.resource_id";

fn registration(r: &Row) -> Result<Registration> {
    Ok(Registration {
        id: r.i64("id")?,
        app_id: r.i64("app_id")?,
        app_name: r.text("name")?,
        resource_code: r.text("code")?,
        purpose: r.text("purpose")?,
        scenario: r.text("scenario")?,
        status: r.text("status")?,
        answer: r.text("answer")?,
        answered_by: r.opt_text("answered_by")?,
        created_at: r.text("created_at")?,
    })
}

/// A registration with its consumer's and provider's organisations.
fn by_id(conn: &mut dyn Conn, id: i64) -> Result<(Registration, i64, i64)> {
    let row = conn
        .query_opt(
            &format!("SELECT {COLUMNS} FROM {FROM} WHERE g.id = ?"),
            &params![id],
        )?
        .ok_or_else(|| StoreError::Domain(Error::not_found("使用登记", id.to_string())))?;
    Ok((
        registration(&row)?,
        row.i64("org_id")?,
        row.i64("owner_org_id")?,
    ))
}

fn check_statement(purpose: &str, scenario: &str) -> Result<()> {
    let mut problems = Vec::new();
    let n = purpose.chars().count();
    if !(MIN_PURPOSE_CHARS..=500).contains(&n) {
        problems.push(Problem::new("purpose", "请写明使用用途（4到500个字）"));
    }
    if scenario.is_empty() || scenario.chars().count() > 500 {
        problems.push(Problem::new("scenario", "请写明应用场景（1到500个字）"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems).into())
    }
}

fn register(
    c: &mut dyn Conn,
    caller: &Caller,
    app_id: i64,
    code: &str,
    purpose: &str,
    scenario: &str,
) -> Result<Registration> {
    let app = crate::org::apps::app_by_id(c, app_id)?;
    let org_id = c
        .query_one("SELECT org_id FROM apps WHERE id = ?", &params![app_id])?
        .i64("org_id")?;
    if !caller.is_party(&[org_id]) {
        return Err(Error::not_found("应用", app_id.to_string()).into());
    }
    caller.check(|p| p.check_consumer(org_id))?;
    if app.revoked_at.is_some() {
        return Err(Error::Conflict("该应用的密钥已吊销".into()).into());
    }
    let r = get_visible(c, code, Visibility::PublishedAndOwn(org_id))?;
    if r.state != State::Published {
        return Err(Error::Conflict(format!("资源“{code}”尚未发布，不能登记使用")).into());
    }
    match r.spec.sharing_type {
        SharingType::Unconditional => {}
        SharingType::Conditional => {
            return Err(
                Error::Conflict("有条件共享资源须提交共享申请，经提供方审核授权".into()).into(),
            );
        }
        SharingType::NotShared => return Err(Error::Forbidden("该资源不予共享".into()).into()),
    }
    let reviewed = c
        .query_opt(
            "SELECT 1 FROM share_review WHERE resource_id = ?",
            &params![r.id],
        )?
        .is_some();
    // A changed statement under review waits again; the old approval no longer holds.
    let status = if reviewed { "pending" } else { "approved" };
    let id = c
        .query_one(
            "INSERT INTO share_registrations (app_id, resource_id, purpose, scenario, status, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (app_id, resource_id) DO UPDATE SET purpose = excluded.purpose, scenario = excluded.scenario, status = excluded.status, \
             actor = excluded.actor, created_at = excluded.created_at, answer = '', answered_by = NULL, answered_at = NULL RETURNING id",
            &params![app_id, r.id, purpose, scenario, status, caller.name(), crate::now()],
        )?
        .i64("id")?;
    Ok(by_id(c, id)?.0)
}

impl Store {
    /// Registers an app's use of an unconditional resource (purpose and scenario):
    /// approved at once after the conformity check, or pending where the bureau
    /// reviews the resource's registrations by hand. For users of the app's
    /// organisation (not its auditors) and the bureau.
    pub(crate) async fn register_use(
        &self,
        caller: &Caller,
        app_id: i64,
        code: &str,
        purpose: &str,
        scenario: &str,
    ) -> Result<Registration> {
        let (purpose, scenario) = (purpose.trim().to_string(), scenario.trim().to_string());
        check_statement(&purpose, &scenario)?;
        let (caller, code) = (caller.clone(), code.to_string());
        self.write(move |c| register(c, &caller, app_id, &code, &purpose, &scenario))
            .await
    }

    /// Puts a resource's registrations under manual review, or back to automatic
    /// approval (the bureau only). Registrations already approved stay approved.
    pub(crate) async fn set_registration_review(
        &self,
        caller: &Caller,
        code: &str,
        manual: bool,
    ) -> Result<bool> {
        caller.check(|p| p.check_bureau())?;
        let (caller, code) = (caller.clone(), code.to_string());
        self.write(move |c| {
            let r = get_visible(c, &code, Visibility::All)?;
            if manual {
                c.execute(
                    "INSERT INTO share_review (resource_id, set_by, set_at) VALUES (?, ?, ?) ON CONFLICT (resource_id) DO NOTHING",
                    &params![r.id, caller.name(), crate::now()],
                )?;
            } else {
                c.execute(
                    "DELETE FROM share_review WHERE resource_id = ?",
                    &params![r.id],
                )?;
            }
            Ok(manual)
        })
        .await
    }

    /// Whether registrations of `code` wait for the provider's review, to anyone who
    /// may see the entry.
    pub(crate) async fn registration_review(&self, caller: &Caller, code: &str) -> Result<bool> {
        let (v, code) = (caller.visibility(), code.to_string());
        self.read(move |c| {
            let r = get_visible(c, &code, v)?;
            Ok(c.query_opt(
                "SELECT 1 AS one FROM share_review WHERE resource_id = ?",
                &params![r.id],
            )?
            .is_some())
        })
        .await
    }

    /// The provider decides on a pending registration: approve, or reject with a
    /// reason. The provider's admin or approver, or the bureau; others are told it
    /// does not exist unless they are its consumer.
    pub(crate) async fn answer_registration(
        &self,
        caller: &Caller,
        id: i64,
        approve: bool,
        reason: String,
    ) -> Result<Registration> {
        if !approve && reason.trim().chars().count() < 4 {
            return Err(Error::invalid("reason", "不予通过须写明理由（至少4个字）").into());
        }
        let caller = caller.clone();
        self.write(move |c| {
            let (reg, consumer, provider) = by_id(c, id)?;
            if !caller.is_party(&[consumer, provider]) {
                return Err(Error::not_found("使用登记", id.to_string()).into());
            }
            caller.check(|p| p.check_sharing_decision(provider))?;
            if reg.status != "pending" {
                return Err(Error::Conflict("该登记不在待审核状态".into()).into());
            }
            c.execute(
                "UPDATE share_registrations SET status = ?, answer = ?, answered_by = ?, answered_at = ? WHERE id = ?",
                &params![
                    if approve { "approved" } else { "rejected" },
                    reason.trim(),
                    caller.name(),
                    crate::now(),
                    id
                ],
            )?;
            Ok(by_id(c, id)?.0)
        })
        .await
    }

    /// Registrations the caller is party to (its apps', and those on its resources),
    /// all for the bureau and auditors; `status` narrows them; one page, newest first.
    pub(crate) async fn registrations(
        &self,
        caller: &Caller,
        status: Option<String>,
        page: Page,
    ) -> Result<Vec<Registration>> {
        let (mut conds, mut values) = crate::sharing::parties::party_filter(caller)?;
        self.read(move |c| {
            if let Some(status) = &status {
                conds.push("g.status = ?".into());
                values.extend(params![status]);
            }
            let sql = format!(
                "SELECT {COLUMNS} FROM {FROM}{}",
                page.clause("g.id", conds, &mut values)
            );
            c.query(&sql, &values)?.iter().map(registration).collect()
        })
        .await
    }
}
