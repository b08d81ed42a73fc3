//! The workbench (工作台): what waits for the signed-in user, by role — entries to
//! review (the bureau), entries sent back and drafts (the user's organisation),
//! applications to answer with the days left (providers), the user's own
//! applications, and error reports to answer.

use crate::AppState;
use crate::console::requests::{Owners, days_left, parties};
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, own_org, render};
use axum::extract::State;
use axum::response::Response;
use govshare_domain::lifecycle::State as EntryState;
use govshare_store::catalog::resources::ResourceFilter;
use govshare_store::page::Page;
use minijinja::context;

/// Entries in `state`, of `provider` when given, as rows for a table.
async fn entries(
    state: &AppState,
    user: &ConsoleUser,
    entry_state: EntryState,
    provider: Option<String>,
) -> Result<(i64, Vec<minijinja::Value>), ConsoleError> {
    let (total, found) = state
        .store
        .catalog
        .resource_summaries(
            &user.caller(),
            ResourceFilter {
                state: Some(entry_state),
                provider_code: provider,
                limit: Some(10),
                ..Default::default()
            },
        )
        .await?;
    let rows = found
        .into_iter()
        .map(|r| context! { code => r.code, name => r.name, updated => r.updated_at })
        .collect();
    Ok((total, rows))
}

pub async fn page(
    State(state): State<AppState>,
    user: ConsoleUser,
) -> Result<Response, ConsoleError> {
    let p = &user.principal;
    let caller = user.caller();
    let org = own_org(&state, p.org_id).await?;
    let credit = org.as_ref().map(|o| o.spec.credit_code.clone());
    let bureau = p.is_bureau();
    let review = if bureau {
        Some(entries(&state, &user, EntryState::Submitted, None).await?)
    } else {
        None
    };
    let returned = entries(&state, &user, EntryState::Returned, credit.clone()).await?;
    let drafts = entries(&state, &user, EntryState::Draft, credit.clone()).await?;
    // Applications and error reports the user's organisation is party to: those on its
    // own entries are its to answer.
    let mut owners = Owners::new(&state, &user);
    let (to_answer, applied) = parties(&state, &user, &mut owners, true).await?;
    let first = Page::new(None, Some(200)).expect("a page of 200 is allowed");
    let mut reports = Vec::new();
    let cal = state.store.duties.working_calendar().await?;
    for c in state.store.duties.corrections(&caller, first).await? {
        if c.state == "open" && owners.provides(&c.resource_code).await {
            reports.push(context! {
                id => c.id, resource => c.resource_code.clone(), item => c.item.clone(),
                deadline => c.deadline.to_string(), days_left => days_left(&cal, c.deadline), overdue => c.overdue,
            });
        }
    }
    // Registrations under manual review that wait for the user's decision.
    let mut registrations = Vec::new();
    let first = Page::new(None, Some(200)).expect("a page of 200 is allowed");
    for g in state
        .store
        .duties
        .registrations(&caller, Some("pending".into()), first)
        .await?
    {
        let owner = owners
            .resource(&g.resource_code)
            .await
            .map(|r| r.owner_org_id);
        if owner.is_some_and(|o| p.check_sharing_decision(o).is_ok()) {
            registrations.push(context! {
                id => g.id, resource => g.resource_code.clone(), app => g.app_name.clone(),
                created => g.created_at.clone(),
            });
        }
    }
    let loads: Vec<_> = crate::console::jobs::mine(p.user_id)
        .iter()
        .map(|j| {
            let state = match j.ended() {
                None if j.catalog => format!("导入中，已处理{}条", j.rows()),
                None => format!("导入中，已读取{}行", j.rows()),
                Some((crate::console::jobs::Outcome::Loaded(r), _)) => {
                    format!("已完成：接收{}行，拒收{}行", r.accepted, r.rejected)
                }
                Some((crate::console::jobs::Outcome::Refused(_), _)) => "未导入".to_string(),
                Some((crate::console::jobs::Outcome::Imported(r), _)) => {
                    format!("已完成：导入目录{}条，{}处问题", r.imported, r.rejected.len())
                }
                Some((crate::console::jobs::Outcome::FileProblems(found), _)) => {
                    format!("未导入：文件有{}处问题", found.len())
                }
            };
            let resource = match j.catalog {
                true => "资源目录".to_string(),
                false => j.resource.clone(),
            };
            context! { id => j.id.clone(), catalog => j.catalog, resource, file => j.file.clone(), started => j.started_at.clone(), state }
        })
        .collect();
    render(
        &state,
        &user,
        "workbench.html",
        context! {
            review => review.map(|(total, rows)| context! { total, rows }),
            returned => context! { total => returned.0, rows => returned.1 },
            drafts => context! { total => drafts.0, rows => drafts.1 },
            to_answer, applied, reports, loads, registrations,
        },
    )
    .await
}
