//! Sharing applications (共享申请): the ones the user's organisation must answer as the
//! provider and the ones it made, and each application's page, where a provider's
//! admin or approver approves it (narrower if need be: fewer items, fewer items in
//! clear, a shorter period, smaller quotas), rejects it with a reason, or asks once for
//! more material. Who may answer is the API's rule (`check_sharing_decision`).

use crate::AppState;
use crate::console::form::Fields;
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, render};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use govshare_domain::resource::Resource;
use govshare_domain::sharing::request::{Answer, Calendar, RequestState, Scope};
use govshare_store::page::Page;
use govshare_store::sharing::requests::RequestInfo;
use minijinja::context;
use std::collections::{BTreeMap, HashMap};

/// Working days from today to `deadline` (negative when past), by the bureau's
/// calendar — the days the deadline itself was counted in.
pub(crate) fn days_left(cal: &Calendar, deadline: chrono::NaiveDate) -> i64 {
    cal.working_days_between(govshare_store::clock::today(), deadline)
}

/// The entries requests name, as the user may see them, asked once per code.
pub(crate) struct Owners<'a> {
    state: &'a AppState,
    user: &'a ConsoleUser,
    known: HashMap<String, Option<Resource>>,
}

impl<'a> Owners<'a> {
    pub(crate) fn new(state: &'a AppState, user: &'a ConsoleUser) -> Self {
        Owners {
            state,
            user,
            known: HashMap::new(),
        }
    }

    /// The entry `code`, if the user may see it.
    pub(crate) async fn resource(&mut self, code: &str) -> Option<&Resource> {
        if !self.known.contains_key(code) {
            let found = self
                .state
                .store
                .catalog
                .resource(&self.user.caller(), code)
                .await
                .ok();
            self.known.insert(code.to_string(), found);
        }
        self.known.get(code).and_then(|r| r.as_ref())
    }

    /// Whether the user's organisation provides `code`.
    pub(crate) async fn provides(&mut self, code: &str) -> bool {
        let me = self.user.principal.org_id;
        self.resource(code)
            .await
            .is_some_and(|r| r.owner_org_id == me)
    }
}

/// An item of a scope (stored by column code) by its name, for people.
fn item_name(entry: Option<&Resource>, column: &str) -> String {
    entry
        .and_then(|r| r.spec.items.iter().find(|i| i.column == column))
        .map_or_else(|| column.to_string(), |i| i.name.clone())
}

/// Whether the user may answer requests for `entry` (the API's rule).
fn may_decide(user: &ConsoleUser, entry: Option<&Resource>) -> bool {
    entry.is_some_and(|e| {
        user.principal
            .check_sharing_decision(e.owner_org_id)
            .is_ok()
    })
}

/// A request as a table row.
pub(crate) fn row(r: &RequestInfo, cal: &Calendar) -> minijinja::Value {
    context! {
        id => r.id, resource => r.resource_code.clone(), purpose => r.purpose.clone(),
        state => r.state.label(), open => matches!(r.state, RequestState::Pending | RequestState::MoreInfo),
        deadline => r.deadline.to_string(), days_left => days_left(cal, r.deadline), overdue => r.overdue,
        applicant => r.applicant.clone(), created => r.created_at.clone(),
    }
}

/// The applications the user's organisation is party to (newest first, up to 200):
/// those it must answer as the provider, and those it made.
pub(crate) async fn parties(
    state: &AppState,
    user: &ConsoleUser,
    owners: &mut Owners<'_>,
    open_only: bool,
) -> Result<(Vec<minijinja::Value>, Vec<minijinja::Value>), ConsoleError> {
    let first = Page::new(None, Some(200)).expect("a page of 200 is allowed");
    let (mut to_answer, mut made) = (Vec::new(), Vec::new());
    let cal = state.store.duties.working_calendar().await?;
    for r in state.store.duties.requests(&user.caller(), first).await? {
        if open_only && !matches!(r.state, RequestState::Pending | RequestState::MoreInfo) {
            continue;
        }
        if owners.provides(&r.resource_code).await {
            to_answer.push(row(&r, &cal));
        } else {
            made.push(row(&r, &cal));
        }
    }
    Ok((to_answer, made))
}

pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
) -> Result<Response, ConsoleError> {
    let (to_answer, made) = parties(&state, &user, &mut Owners::new(&state, &user), false).await?;
    render(&state, &user, "requests.html", context! { to_answer, made }).await
}

/// One request the user is party to (a stranger's looks like a missing one).
async fn one(state: &AppState, user: &ConsoleUser, id: i64) -> Result<RequestInfo, ConsoleError> {
    let page = Page::new(Some(id.saturating_add(1)), Some(1)).ok_or(ConsoleError::Refused)?;
    state
        .store
        .duties
        .requests(&user.caller(), page)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(ConsoleError::Refused)
}

/// The page of a request, with the answer form when the user may answer it, and the
/// problems of a refused answer beside their fields.
async fn page_of(
    state: &AppState,
    user: &ConsoleUser,
    r: &RequestInfo,
    problems: BTreeMap<String, String>,
    typed: Option<&Fields>,
) -> Result<Response, ConsoleError> {
    let mut owners = Owners::new(state, user);
    let entry = owners.resource(&r.resource_code).await;
    let may_answer = r.state == RequestState::Pending && may_decide(user, entry);
    let may_supply = r.state == RequestState::MoreInfo && applied(state, user, r.app_id).await?;
    let s = &r.scope;
    let chosen = |column: &str, field: &str, asked: bool| {
        typed.map_or(asked, |f| f.all(field).iter().any(|v| v == column))
    };
    let items: Vec<_> = s
        .items
        .iter()
        .map(|i| {
            context! {
                column => i.clone(),
                name => item_name(entry, i),
                on => chosen(i, "items", true),
                clear_asked => s.unmasked.contains(i),
                clear => chosen(i, "unmasked", s.unmasked.contains(i)),
            }
        })
        .collect();
    let value = |field: &str, asked: String| typed.map_or(asked, |f| f.get(field).to_string());
    // What was granted, which may be narrower than what was asked, and its use.
    let granted = match r.grant_id {
        Some(id) => state
            .store
            .duties
            .grants(&user.caller(), Some(id), 1)
            .await?
            .into_iter()
            .next()
            .map(|g| {
                let names = |list: &[String]| {
                    list.iter()
                        .map(|i| item_name(entry, i))
                        .collect::<Vec<_>>()
                        .join("、")
                };
                context! {
                    items => names(&g.scope.items), clear => names(&g.scope.unmasked),
                    valid_to => g.scope.valid_to.to_string(), daily => g.scope.daily_quota,
                    total => g.scope.total_quota, used_today => g.used_today, used_total => g.used_total,
                    revoked => g.revoked_at.is_some(),
                }
            }),
        None => None,
    };
    render(
        state,
        user,
        "request.html",
        context! {
            r => row(r, &state.store.duties.working_calendar().await?), legal_basis => r.legal_basis.clone(), material => r.material.clone(), note => r.note.clone(),
            decided_by => r.decided_by.clone(), grant_id => r.grant_id, granted,
            valid_from => s.valid_from.to_string(), valid_to_asked => s.valid_to.to_string(),
            daily_asked => s.daily_quota, total_asked => s.total_quota,
            items, may_answer, may_supply, problems,
            supplied => typed.map_or(String::new(), |f| f.get("material").to_string()),
            valid_to => value("valid_to", s.valid_to.to_string()),
            daily_quota => value("daily_quota", s.daily_quota.to_string()),
            total_quota => value("total_quota", s.total_quota.to_string()),
            reason => typed.map_or(String::new(), |f| f.get("note").to_string()),
        },
    )
    .await
}

pub async fn detail(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<i64>,
) -> Result<Response, ConsoleError> {
    let r = one(&state, &user, id).await?;
    page_of(&state, &user, &r, BTreeMap::new(), None).await
}

/// The scope an approval grants, as the provider narrowed it in the form.
fn granted(
    asked: &Scope,
    entry: Option<&Resource>,
    f: &Fields,
) -> Result<Scope, BTreeMap<String, String>> {
    let mut problems = BTreeMap::new();
    // An item is ticked by its column code (the form's value) or its name.
    let ticked = |field: &str, column: &String| {
        let posted = f.all(field);
        posted.contains(column) || posted.contains(&item_name(entry, column))
    };
    let items: Vec<String> = asked
        .items
        .iter()
        .filter(|i| ticked("items", i))
        .cloned()
        .collect();
    if items.is_empty() {
        problems.insert("items".into(), "至少选择一个信息项".into());
    }
    let unmasked = asked
        .unmasked
        .iter()
        .filter(|i| items.contains(i) && ticked("unmasked", i))
        .cloned()
        .collect();
    let valid_to = chrono::NaiveDate::parse_from_str(f.get("valid_to").trim(), "%Y-%m-%d");
    if valid_to.is_err() {
        problems.insert("valid_to".into(), "请填写日期，如2027-06-30".into());
    }
    let number = |field: &str, problems: &mut BTreeMap<String, String>| {
        f.get(field)
            .trim()
            .replace([',', '，'], "")
            .parse::<i64>()
            .unwrap_or_else(|_| {
                problems.insert(field.into(), "请填写整数".into());
                0
            })
    };
    let daily_quota = number("daily_quota", &mut problems);
    let total_quota = number("total_quota", &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Scope {
        items,
        unmasked,
        valid_from: asked.valid_from,
        valid_to: valid_to.unwrap_or(asked.valid_to),
        daily_quota,
        total_quota,
    })
}

/// Approves (with the scope the form narrows to), rejects or asks for material. A
/// refused answer shows the page again with what was typed and each problem.
pub async fn answer(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let f = user.posted(&headers, &body)?;
    let r = one(&state, &user, id).await?;
    // Only those who may answer hear what is wrong with an answer.
    let entry = Owners::new(&state, &user)
        .resource(&r.resource_code)
        .await
        .cloned();
    if !may_decide(&user, entry.as_ref()) {
        return Err(ConsoleError::Refused);
    }
    let decision = match f.get("decision") {
        "approve" => Answer::Approve,
        "reject" => Answer::Reject,
        "ask_more" => Answer::AskMore,
        _ => return Err(ConsoleError::Refused),
    };
    let scope = match decision {
        Answer::Approve => match granted(&r.scope, entry.as_ref(), &f) {
            Ok(scope) => Some(scope),
            Err(problems) => return refused(&state, &user, &r, problems, &f).await,
        },
        Answer::Reject if f.get("confirm") != "1" => {
            let problems =
                BTreeMap::from([("confirm".to_string(), "驳回前请勾选确认".to_string())]);
            return refused(&state, &user, &r, problems, &f).await;
        }
        _ => None,
    };
    let answered = crate::routes::requests::decide(
        &state,
        &user.principal,
        id,
        decision,
        f.get("note").trim().to_string(),
        scope,
    )
    .await;
    match answered {
        Ok(_) => Ok(Redirect::to(&format!("/console/sharing/requests/{id}")).into_response()),
        Err(e) => {
            let problems = crate::console::form::problems_of(e, "decision")?;
            refused(&state, &user, &r, problems, &f).await
        }
    }
}

/// Whether the request's app is one of the user's organisation's (its applicant's
/// side), and the user may act for it.
async fn applied(state: &AppState, user: &ConsoleUser, app_id: i64) -> Result<bool, ConsoleError> {
    let p = &user.principal;
    if p.check_consumer(p.org_id).is_err() {
        return Ok(false);
    }
    let Some(org) = crate::console::own_org(state, p.org_id).await? else {
        return Ok(false);
    };
    let apps = state
        .store
        .orgs
        .apps(&user.caller(), &org.spec.credit_code)
        .await?;
    Ok(apps.iter().any(|a| a.id == app_id))
}

/// The applicant supplies the material the provider asked for; the request waits for
/// an answer again, with a new deadline.
pub async fn supply(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let f = user.posted(&headers, &body)?;
    let r = one(&state, &user, id).await?;
    if !applied(&state, &user, r.app_id).await? {
        return Err(ConsoleError::Refused);
    }
    let material = f.get("material").trim().to_string();
    match crate::routes::requests::add_material(&state, &user.principal, id, material).await {
        Ok(_) => Ok(Redirect::to(&format!("/console/sharing/requests/{id}")).into_response()),
        Err(e) => {
            let problems = crate::console::form::problems_of(e, "material")?;
            refused(&state, &user, &r, problems, &f).await
        }
    }
}

async fn refused(
    state: &AppState,
    user: &ConsoleUser,
    r: &RequestInfo,
    problems: BTreeMap<String, String>,
    typed: &Fields,
) -> Result<Response, ConsoleError> {
    let mut page = page_of(state, user, r, problems, Some(typed)).await?;
    *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(page)
}
