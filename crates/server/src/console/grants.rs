//! Grants (授权): the ones on the user's organisation's data and the ones its apps
//! hold (the bureau and auditors: all), each with its period, the items granted and
//! its use today and in all against its quotas. The provider's admin (or the bureau)
//! revokes one after confirming, through the API's own revocation, which is audited.

use crate::AppState;
use crate::console::requests::Owners;
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, render_form};
use crate::routes::requests::end_grant;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use govshare_store::sharing::grants::GrantUse;
use minijinja::context;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Grants listed on the page at most.
const LISTED: i64 = 200;

/// A share of a quota as a whole percentage (0–100).
fn percent(used: i64, quota: i64) -> i64 {
    if quota <= 0 {
        return 0;
    }
    ((used as f64 / quota as f64) * 100.0)
        .round()
        .clamp(0.0, 100.0) as i64
}

/// A grant as a table row, its items by name where the user may see the entry.
async fn row(owners: &mut Owners<'_>, user: &ConsoleUser, g: &GrantUse) -> minijinja::Value {
    let today = govshare_store::clock::today();
    let s = &g.scope;
    let entry = owners.resource(&g.resource_code).await;
    let name = |column: &String| {
        entry
            .and_then(|r| r.spec.items.iter().find(|i| &i.column == column))
            .map_or_else(|| column.clone(), |i| i.name.clone())
    };
    let state = match (&g.revoked_at, today) {
        (Some(_), _) => "已撤销",
        (None, d) if d < s.valid_from => "未生效",
        (None, d) if d > s.valid_to => "已过期",
        _ => "有效",
    };
    context! {
        id => g.id, request => g.request_id, resource => g.resource_code.clone(), resource_name => g.resource_name.clone(),
        consumer => g.consumer.clone(), app => g.app_name.clone(),
        items => s.items.iter().map(name).collect::<Vec<_>>().join("、"),
        clear => s.unmasked.iter().map(name).collect::<Vec<_>>().join("、"),
        valid_from => s.valid_from.to_string(), valid_to => s.valid_to.to_string(),
        used_today => g.used_today, daily => s.daily_quota, daily_pct => percent(g.used_today, s.daily_quota),
        used_total => g.used_total, total => s.total_quota, total_pct => percent(g.used_total, s.total_quota),
        state,
        may_revoke => g.revoked_at.is_none() && user.principal.check_grant_revocation(g.provider_org_id).is_ok(),
    }
}

#[derive(Deserialize, Default)]
pub struct GrantsQuery {
    #[serde(default)]
    done: String,
}

async fn page(
    state: &AppState,
    user: &ConsoleUser,
    done: &str,
    problems: BTreeMap<String, String>,
) -> Result<Response, ConsoleError> {
    let all = state
        .store
        .duties
        .grants(&user.caller(), None, LISTED)
        .await?;
    let own = user.principal.org_id;
    let everyone = user.principal.is_bureau() || user.principal.is_auditor();
    let mut owners = Owners::new(state, user);
    let (mut given, mut held) = (Vec::new(), Vec::new());
    for g in &all {
        let shown = row(&mut owners, user, g).await;
        if everyone || g.provider_org_id == own {
            given.push(shown);
        } else if g.consumer_org_id == own {
            held.push(shown);
        }
    }
    render_form(
        state,
        user,
        "grants.html",
        context! {
            given, held, everyone, problems => problems.clone(),
            done => (done == "revoked").then_some("授权已撤销，该应用对这项数据的调用将立即被拒绝。"),
        },
        &problems,
    )
    .await
}

pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    Query(q): Query<GrantsQuery>,
) -> Result<Response, ConsoleError> {
    page(&state, &user, &q.done, BTreeMap::new()).await
}

/// Revokes a grant once the provider has confirmed it.
pub async fn revoke(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let f = user.posted(&headers, &body)?;
    let mine = state
        .store
        .duties
        .grants(&user.caller(), Some(id), 1)
        .await?
        .into_iter()
        .next()
        .filter(|g| {
            user.principal
                .check_grant_revocation(g.provider_org_id)
                .is_ok()
        })
        .ok_or(ConsoleError::Refused)?;
    if f.get("confirm") != "1" {
        let problems = BTreeMap::from([(
            format!("confirm-{}", mine.id),
            "撤销后该应用将立即无法调用，请勾选确认".to_string(),
        )]);
        return page(&state, &user, "", problems).await;
    }
    end_grant(&state, &user.principal, id).await?;
    Ok(Redirect::to("/console/sharing/grants?done=revoked").into_response())
}
