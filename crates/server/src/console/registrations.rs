//! Registered uses (使用登记) of unconditional data: the registrations on the
//! organisation's resources, of which those the bureau put under manual review wait
//! for the provider's admin or approver (or the bureau) to approve or reject with a
//! reason, and the registrations its own apps made. Answers go through the API's own
//! function, which audits them.

use crate::AppState;
use crate::console::form::row_problems;
use crate::console::requests::Owners;
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, render_form};
use crate::routes::registrations::settle;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use govshare_store::page::Page;
use minijinja::context;
use std::collections::BTreeMap;

/// What a registration's status means, for people.
fn status_label(status: &str) -> &str {
    match status {
        "approved" => "已通过",
        "pending" => "待审核",
        "rejected" => "未通过",
        other => other,
    }
}

async fn page(
    state: &AppState,
    user: &ConsoleUser,
    problems: BTreeMap<String, String>,
) -> Result<Response, ConsoleError> {
    let mut owners = Owners::new(state, user);
    let first = Page::new(None, Some(200)).expect("a page of 200 is allowed");
    let (mut to_answer, mut made) = (Vec::new(), Vec::new());
    for g in state
        .store
        .duties
        .registrations(&user.caller(), None, first)
        .await?
    {
        let entry = owners.resource(&g.resource_code).await;
        let ours = entry.is_some_and(|r| r.owner_org_id == user.principal.org_id);
        let may_answer = g.status == "pending"
            && entry.is_some_and(|r| {
                user.principal
                    .check_sharing_decision(r.owner_org_id)
                    .is_ok()
            });
        let shown = context! {
            id => g.id, resource => g.resource_code.clone(),
            name => entry.map(|r| r.spec.name.clone()).unwrap_or_default(),
            app => g.app_name.clone(), purpose => g.purpose.clone(), scenario => g.scenario.clone(),
            status => status_label(&g.status), pending => g.status == "pending",
            answer => g.answer.clone(), answered_by => g.answered_by.clone(),
            created => g.created_at.clone(), may_answer,
        };
        if ours || may_answer {
            to_answer.push(shown);
        } else {
            made.push(shown);
        }
    }
    render_form(
        state,
        user,
        "registrations.html",
        context! { to_answer, made, problems => problems.clone() },
        &problems,
    )
    .await
}

pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
) -> Result<Response, ConsoleError> {
    page(&state, &user, BTreeMap::new()).await
}

/// Approves a pending registration, or rejects it with a reason.
pub async fn answer(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let f = user.posted(&headers, &body)?;
    let approve = match f.get("decision") {
        "approve" => true,
        "reject" => false,
        _ => return Err(ConsoleError::Refused),
    };
    let reason = f.get("reason").trim().to_string();
    match settle(&state, &user.principal, id, approve, reason).await {
        Ok(_) => Ok(Redirect::to("/console/sharing/registrations").into_response()),
        Err(e) => {
            let problems = row_problems(e, "reason", id)?;
            page(&state, &user, problems).await
        }
    }
}
