//! Apps and keys (应用与密钥): the systems an organisation calls the sharing API
//! from. Its users see them; its admin (or the bureau) makes one, whose key is shown
//! on one page, once, and revokes one after confirming. The keys are made, kept
//! (as hashes), revoked and audited by the API's own functions.

use crate::AppState;
use crate::console::form::Fields;
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, own_org, render, render_form};
use crate::routes::apps::{end_app, make_app};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use govshare_domain::org::Org;
use minijinja::context;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize, Default)]
pub struct AppsQuery {
    #[serde(default)]
    done: String,
}

/// The user's organisation (every user has one).
async fn home(state: &AppState, user: &ConsoleUser) -> Result<Org, ConsoleError> {
    own_org(state, user.principal.org_id)
        .await?
        .ok_or(ConsoleError::Refused)
}

/// The apps page, with the problems of a refused form beside their fields.
async fn page(
    state: &AppState,
    user: &ConsoleUser,
    done: &str,
    problems: BTreeMap<String, String>,
    typed: Option<&Fields>,
) -> Result<Response, ConsoleError> {
    let org = home(state, user).await?;
    let apps = state
        .store
        .orgs
        .apps(&user.caller(), &org.spec.credit_code)
        .await?;
    let now = govshare_store::clock::now_utc()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let rows: Vec<_> = apps
        .iter()
        .rev()
        .map(|a| {
            let expired = a.expires_at.as_ref().is_some_and(|e| *e <= now);
            let status = match (&a.revoked_at, expired) {
                (Some(_), _) => "已撤销",
                (None, true) => "已过期",
                (None, false) => "有效",
            };
            context! {
                id => a.id, name => a.name.clone(), prefix => format!("gsk_{}", a.key_prefix),
                created_by => a.created_by.clone(), created_at => a.created_at.clone(),
                expires_at => a.expires_at.clone(), revoked_at => a.revoked_at.clone(), status,
                live => a.revoked_at.is_none() && !expired,
            }
        })
        .collect();
    let may_manage = user.principal.check_app_keys(user.principal.org_id).is_ok();
    let typed_value = |field: &str| typed.map_or(String::new(), |f| f.get(field).to_string());
    render_form(
        state,
        user,
        "apps.html",
        context! {
            org => org.spec.name, rows, may_manage, problems => problems.clone(),
            done => match done { "revoked" => Some("密钥已撤销，使用该密钥的调用将立即被拒绝。"), _ => None },
            name => typed_value("name"), expires_days => typed_value("expires_days"),
        },
        &problems,
    )
    .await
}

pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    Query(q): Query<AppsQuery>,
) -> Result<Response, ConsoleError> {
    page(&state, &user, &q.done, BTreeMap::new(), None).await
}

/// A posted form of this session from one who may manage the organisation's keys.
fn manager_form(
    user: &ConsoleUser,
    headers: &HeaderMap,
    body: &str,
) -> Result<Fields, ConsoleError> {
    let f = user.posted(headers, body)?;
    user.principal
        .check_app_keys(user.principal.org_id)
        .map_err(|_| ConsoleError::Refused)?;
    Ok(f)
}

/// Makes an app; its key is on the answer to this form and nowhere else.
pub async fn create(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let f = manager_form(&user, &headers, &body)?;
    let org = home(&state, &user).await?;
    let expires_days = match f.get("expires_days").trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(days) => Some(days),
            Err(_) => {
                let problems = BTreeMap::from([(
                    "expires_days".to_string(),
                    "有效天数应为1到3650的整数，留空为长期有效".to_string(),
                )]);
                return page(&state, &user, "", problems, Some(&f)).await;
            }
        },
    };
    let made = make_app(
        &state,
        &user.principal,
        &org.spec.credit_code,
        f.get("name"),
        expires_days,
    )
    .await;
    match made {
        Ok((app, key)) => {
            render(
                &state,
                &user,
                "app_key.html",
                context! { name => app.name, key, expires_at => app.expires_at },
            )
            .await
        }
        Err(e) => {
            let problems = crate::console::form::problems_of(e, "name")?;
            page(&state, &user, "", problems, Some(&f)).await
        }
    }
}

/// Revokes an app's key once the user has confirmed it.
pub async fn revoke(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let f = manager_form(&user, &headers, &body)?;
    if f.get("confirm") != "1" {
        let problems = BTreeMap::from([(
            format!("confirm-{id}"),
            "撤销后使用该密钥的系统将无法调用，请勾选确认".to_string(),
        )]);
        return page(&state, &user, "", problems, Some(&f)).await;
    }
    end_app(&state, &user.principal, id).await?;
    Ok(Redirect::to("/console/sharing/apps?done=revoked").into_response())
}
