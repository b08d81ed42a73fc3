//! Error reports (数据纠错): what consumers said is wrong in the organisation's data,
//! to be fixed or answered by the deadline, and the reports its apps made. The
//! provider's keepers (admins and operators, or the bureau) accept one — the pool's
//! value is fixed at once — or reject it with a reason, through the API's own
//! function, which audits it.

use crate::AppState;
use crate::console::form::row_problems;
use crate::console::requests::{Owners, days_left};
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, render_form};
use crate::routes::corrections::close_report;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use govshare_domain::lifecycle::State as EntryState;
use govshare_store::page::Page;
use minijinja::context;
use std::collections::BTreeMap;

async fn page(
    state: &AppState,
    user: &ConsoleUser,
    problems: BTreeMap<String, String>,
) -> Result<Response, ConsoleError> {
    let mut owners = Owners::new(state, user);
    let first = Page::new(None, Some(200)).expect("a page of 200 is allowed");
    let (mut to_answer, mut made) = (Vec::new(), Vec::new());
    let cal = state.store.duties.working_calendar().await?;
    for c in state
        .store
        .duties
        .corrections(&user.caller(), first)
        .await?
    {
        let entry = owners.resource(&c.resource_code).await;
        let ours = entry.is_some_and(|r| r.owner_org_id == user.principal.org_id);
        let may_answer = c.state == "open"
            && entry.is_some_and(|r| {
                user.principal
                    .check_edit(r.owner_org_id, EntryState::Draft)
                    .is_ok()
            });
        let item = entry
            .and_then(|r| {
                r.spec
                    .items
                    .iter()
                    .find(|i| i.column == c.item || i.name == c.item)
            })
            .map_or_else(|| c.item.clone(), |i| i.name.clone());
        let shown = context! {
            id => c.id, resource => c.resource_code.clone(), key => c.key.join(" / "), item,
            proposed => c.proposed.clone(), evidence => c.evidence.clone(), reporter => c.reporter.clone(),
            state => match c.state.as_str() { "open" => "待处理", "accepted" => "已更正", "rejected" => "不予更正", other => other },
            open => c.state == "open", deadline => c.deadline.to_string(), days_left => days_left(&cal, c.deadline),
            overdue => c.overdue, note => c.note.clone(), handler => c.handler.clone(), may_answer,
        };
        if ours || (user.principal.is_bureau() && may_answer) {
            to_answer.push(shown);
        } else {
            made.push(shown);
        }
    }
    render_form(
        state,
        user,
        "corrections.html",
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

/// Accepts (fixes the value) or rejects (with a reason) a report.
pub async fn answer(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let f = user.posted(&headers, &body)?;
    let accept = match f.get("decision") {
        "accept" => true,
        "reject" => false,
        _ => return Err(ConsoleError::Refused),
    };
    match close_report(
        &state,
        &user.principal,
        id,
        accept,
        f.get("note").to_string(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/console/sharing/corrections").into_response()),
        Err(e) => {
            let problems = row_problems(e, "note", id)?;
            page(&state, &user, problems).await
        }
    }
}
