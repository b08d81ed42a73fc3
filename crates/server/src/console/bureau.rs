//! The bureau's settings (大数据局): the city's overdue and open applications, the
//! deadline calendar (holidays and working weekends), each organisation's pool
//! quota against its use, the thematic catalogs and the classification tree. Every
//! page and form is the bureau's alone (`check_bureau`); the changes go through the
//! store calls the API uses.

use crate::AppState;
use crate::console::form::{Fields, problems_of};
use crate::console::requests::{Owners, row};
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, render_form};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use govshare_domain::classification::ClassNode;
use govshare_domain::sharing::request::RequestState;
use govshare_domain::theme::ThemeSpec;
use govshare_store::page::Page;
use minijinja::context;
use std::collections::BTreeMap;

/// The tabs of the page.
const TABS: &[(&str, &str)] = &[
    ("overdue", "申请督办"),
    ("calendar", "工作日历"),
    ("quotas", "数据池配额"),
    ("themes", "主题目录"),
    ("classes", "资源分类"),
];

fn bureau_only(user: &ConsoleUser) -> Result<(), ConsoleError> {
    user.principal
        .check_bureau()
        .map_err(|_| ConsoleError::Refused)
}

/// What a tab shows.
async fn tab_content(
    state: &AppState,
    user: &ConsoleUser,
    tab: &str,
) -> Result<minijinja::Value, ConsoleError> {
    Ok(match tab {
        "overdue" => {
            let mut owners = Owners::new(state, user);
            let first = Page::new(None, Some(1000)).expect("a page of 1000 is allowed");
            let mut open = Vec::new();
            let cal = state.store.duties.working_calendar().await?;
            for r in state.store.duties.requests(&user.caller(), first).await? {
                if matches!(r.state, RequestState::Pending | RequestState::MoreInfo) {
                    let provider = owners
                        .resource(&r.resource_code)
                        .await
                        .map(|e| e.spec.provider.clone())
                        .unwrap_or_default();
                    open.push((r.deadline, provider, row(&r, &cal)));
                }
            }
            open.sort_by_key(|(deadline, _, _)| *deadline);
            let late = open
                .iter()
                .filter(|(d, _, _)| *d < govshare_store::clock::today())
                .count();
            let rows: Vec<_> = open
                .into_iter()
                .map(|(_, provider, r)| context! { provider, ..r })
                .collect();
            context! { rows, late }
        }
        "calendar" => {
            let cal = state.store.duties.working_calendar().await?;
            let year = govshare_store::clock::today().year();
            let shown = |days: &[NaiveDate]| {
                let mut days: Vec<_> = days
                    .iter()
                    .filter(|d| d.year() >= year)
                    .map(|d| d.to_string())
                    .collect();
                days.sort();
                days
            };
            context! { holidays => shown(&cal.holidays), working => shown(&cal.working_weekends) }
        }
        "quotas" => {
            let mut rows = Vec::new();
            for o in state.store.orgs.list_orgs().await? {
                let q = state
                    .store
                    .pools
                    .quota(&user.caller(), &o.spec.credit_code)
                    .await?;
                rows.push(context! {
                    code => o.spec.credit_code, name => o.spec.name, rows => q.rows, bytes => q.bytes,
                    max_rows => q.max_rows, max_bytes => q.max_bytes,
                    full => q.max_rows.is_some_and(|m| q.rows >= m) || q.max_bytes.is_some_and(|m| q.bytes >= m),
                });
            }
            context! { rows }
        }
        "themes" => {
            let themes = state.store.catalog.list_themes().await?;
            context! { rows => themes.iter().map(|t| context! { code => t.spec.code.clone(), name => t.spec.name.clone(), description => t.spec.description.clone(), count => t.resource_count }).collect::<Vec<_>>() }
        }
        "classes" => {
            let classes = state.store.catalog.list_classes().await?;
            context! { rows => classes.iter().map(|c| context! { code => c.code.clone(), name => c.name.clone(), depth => c.code.len() }).collect::<Vec<_>>() }
        }
        _ => return Err(ConsoleError::Refused),
    })
}

async fn page(
    state: &AppState,
    user: &ConsoleUser,
    tab: &str,
    problems: BTreeMap<String, String>,
    typed: Option<&Fields>,
) -> Result<Response, ConsoleError> {
    bureau_only(user)?;
    let content = tab_content(state, user, tab).await?;
    let typed_value = |field: &str| typed.map_or(String::new(), |f| f.get(field).to_string());
    render_form(
        state,
        user,
        "bureau.html",
        context! {
            tab, content, problems => problems.clone(),
            tabs => TABS.iter().map(|(code, label)| context! { code => *code, label => *label, on => *code == tab }).collect::<Vec<_>>(),
            typed => context! {
                day => typed_value("day"), code => typed_value("code"), name => typed_value("name"),
                description => typed_value("description"), org => typed_value("org"),
                max_rows => typed_value("max_rows"), max_bytes => typed_value("max_bytes"),
                delete => typed_value("delete"),
            },
        },
        &problems,
    )
    .await
}

pub async fn show(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(tab): Path<String>,
) -> Result<Response, ConsoleError> {
    page(&state, &user, &tab, BTreeMap::new(), None).await
}

/// A whole number of a form, empty for none; a problem when it is not one.
fn optional_count(f: &Fields, field: &str, problems: &mut BTreeMap<String, String>) -> Option<i64> {
    let text = f.get(field).trim().replace([',', '，'], "");
    if text.is_empty() {
        return None;
    }
    text.parse::<i64>().ok().or_else(|| {
        problems.insert(field.to_string(), "请填写整数，留空为不限".to_string());
        None
    })
}

/// Saves a tab's form (the calendar, a quota, a theme, a class).
pub async fn save(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(tab): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let f = user.posted(&headers, &body)?;
    bureau_only(&user)?;
    let caller = user.caller();
    let mut problems = BTreeMap::new();
    // A theme or a class deleted, after ticking 确认; a refusal (something still
    // depends on it) is shown beside its row.
    let doomed = f.get("delete").trim().to_string();
    if !doomed.is_empty() && matches!(tab.as_str(), "themes" | "classes") {
        let place = "delete".to_string();
        if f.get("confirm") != "1" {
            problems.insert(place, "删除前请勾选确认".to_string());
            return page(&state, &user, &tab, problems, Some(&f)).await;
        }
        let catalog = &state.store.catalog;
        let deleted = match tab.as_str() {
            "themes" => catalog.delete_theme(&caller, &doomed).await,
            _ => catalog.delete_class(&caller, &doomed).await,
        };
        if let Err(e) = deleted {
            let why = match crate::error::ApiError::from(e) {
                crate::error::ApiError::Domain(
                    missing @ govshare_domain::Error::NotFound { .. },
                ) => missing.to_string(),
                other => problems_of(other, "delete")?
                    .into_values()
                    .collect::<Vec<_>>()
                    .join("；"),
            };
            problems.insert(place.clone(), why);
            return page(&state, &user, &tab, problems, Some(&f)).await;
        }
        return Ok(Redirect::to(&format!("/console/bureau/{tab}")).into_response());
    }
    let saved = match tab.as_str() {
        "calendar" => match NaiveDate::parse_from_str(f.get("day").trim(), "%Y-%m-%d") {
            Ok(day) if f.get("kind") == "clear" => {
                let cleared = state.store.duties.clear_calendar(&caller, vec![day]).await;
                if matches!(cleared, Ok(0)) {
                    problems.insert("day".into(), "该日期未设为节假日或调休上班".into());
                }
                cleared.map(|_| ())
            }
            Ok(day) => {
                let working = f.get("kind") == "working";
                state
                    .store
                    .duties
                    .set_calendar(&caller, vec![(day, working)])
                    .await
            }
            Err(_) => {
                problems.insert("day".into(), "请填写日期，如2027-01-01".into());
                Ok(())
            }
        },
        "quotas" => {
            let max_rows = optional_count(&f, "max_rows", &mut problems);
            let max_bytes = optional_count(&f, "max_bytes", &mut problems);
            if problems.is_empty() {
                state
                    .store
                    .pools
                    .set_quota(&caller, f.get("org"), max_rows, max_bytes)
                    .await
                    .map(|_| ())
            } else {
                Ok(())
            }
        }
        "themes" => {
            let spec = ThemeSpec {
                code: f.get("code").trim().to_string(),
                name: f.get("name").trim().to_string(),
                description: f.get("description").trim().to_string(),
            };
            state.store.catalog.upsert_themes(&caller, vec![spec]).await
        }
        "classes" => {
            let node = ClassNode::new(f.get("code").trim(), f.get("name").trim());
            state
                .store
                .catalog
                .upsert_classes(&caller, vec![node])
                .await
        }
        _ => return Err(ConsoleError::Refused),
    };
    if let Err(e) = saved {
        problems.extend(problems_of(e, "code")?);
    }
    if !problems.is_empty() {
        return page(&state, &user, &tab, problems, Some(&f)).await;
    }
    Ok(Redirect::to(&format!("/console/bureau/{tab}")).into_response())
}
