//! Administration (管理): user accounts for the bureau (any organisation) and each
//! organisation's admin (their own; never bureau admins or auditors) — created, given
//! another role, deactivated or reactivated, their password reset and shown once —
//! and, for the bureau, the organisations. The rules are the API's
//! (`check_user_admin`, `check_bureau`) and every change goes through the API's own
//! functions, which audit it.

use crate::AppState;
use crate::console::form::{Fields, problems_of};
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, own_org, render_form};
use crate::routes::users::{ChangeUser, CreateUser, add_user, change_account};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use govshare_domain::access::Role;
use govshare_domain::labels::Coded;
use govshare_domain::org::{Org, OrgKind, OrgLevel, OrgSpec};
use minijinja::context;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Roles the user may give in `org_id`, as (code, label, chosen) options.
fn roles(user: &ConsoleUser, org_id: i64, chosen: &str) -> Vec<minijinja::Value> {
    Role::ALL
        .iter()
        .filter(|r| user.principal.check_user_admin(org_id, **r).is_ok())
        .map(|r| context! { code => r.code(), label => r.label(), on => r.code() == chosen })
        .collect()
}

/// Whether the user manages any accounts at all.
fn manages_users(user: &ConsoleUser) -> Result<(), ConsoleError> {
    user.principal
        .check_user_admin(user.principal.org_id, Role::OrgOperator)
        .map_err(|_| ConsoleError::Refused)
}

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    #[serde(default)]
    org: String,
    #[serde(default)]
    done: String,
}

/// What a page of accounts shows besides the list: a message, the problems of a
/// refused form, what was typed, and a password just reset.
#[derive(Default)]
struct Outcome<'a> {
    done: &'a str,
    problems: BTreeMap<String, String>,
    typed: Option<&'a Fields>,
    reset: Option<(String, String)>,
}

async fn users_page(
    state: &AppState,
    user: &ConsoleUser,
    org_code: &str,
    out: Outcome<'_>,
) -> Result<Response, ConsoleError> {
    manages_users(user)?;
    let orgs = state.store.orgs.list_orgs().await?;
    let bureau = user.principal.is_bureau();
    let chosen: Option<&Org> = if bureau {
        orgs.iter().find(|o| o.spec.credit_code == org_code)
    } else {
        orgs.iter().find(|o| o.id == user.principal.org_id)
    };
    let listed = state
        .store
        .orgs
        .users(&user.caller(), chosen.map(|o| o.id))
        .await?;
    let org_name = |id: i64| {
        orgs.iter()
            .find(|o| o.id == id)
            .map_or(String::new(), |o| o.spec.name.clone())
    };
    let rows: Vec<_> = listed
        .iter()
        .map(|u| {
            context! {
                id => u.id, username => u.username.clone(), name => u.display_name.clone(),
                role => u.role.label(), org => org_name(u.org_id), active => u.active,
                me => u.id == user.principal.user_id,
                may => user.principal.check_user_admin(u.org_id, u.role).is_ok(),
                roles => roles(user, u.org_id, u.role.code()),
            }
        })
        .collect();
    let typed = |field: &str| {
        out.typed
            .map_or(String::new(), |f| f.get(field).to_string())
    };
    let home = chosen.map_or(user.principal.org_id, |o| o.id);
    render_form(
        state,
        user,
        "users.html",
        context! {
            rows, bureau, problems => out.problems.clone(),
            orgs => orgs.iter().map(|o| context! { code => o.spec.credit_code.clone(), name => o.spec.name.clone(), on => chosen.is_some_and(|c| c.id == o.id) }).collect::<Vec<_>>(),
            chosen => chosen.map(|o| o.spec.name.clone()),
            new_roles => roles(user, home, match typed("role").as_str() { "" => "org_operator", r => r }),
            username => typed("username"), display_name => typed("display_name"),
            done => match out.done { "created" => Some("账号已创建。"), "changed" => Some("账号已更改，该用户的登录会话已结束。"), _ => None },
            reset => out.reset.map(|(name, password)| context! { name, password }),
        },
        &out.problems,
    )
    .await
}

pub async fn users(
    State(state): State<AppState>,
    user: ConsoleUser,
    Query(q): Query<UsersQuery>,
) -> Result<Response, ConsoleError> {
    let out = Outcome {
        done: &q.done,
        ..Default::default()
    };
    users_page(&state, &user, &q.org, out).await
}

/// Creates an account; its first password is set by the one who creates it.
pub async fn create_user(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let f = user.posted(&headers, &body)?;
    manages_users(&user)?;
    let org_code = if user.principal.is_bureau() {
        f.get("org_code").to_string()
    } else {
        own_org(&state, user.principal.org_id)
            .await?
            .map(|o| o.spec.credit_code)
            .unwrap_or_default()
    };
    let refused = |problems: BTreeMap<String, String>| {
        let (state, user, f, org_code) = (&state, &user, &f, org_code.clone());
        async move {
            let out = Outcome {
                problems,
                typed: Some(f),
                ..Default::default()
            };
            users_page(state, user, &org_code, out).await
        }
    };
    let Some(role) = Role::parse(f.get("role")).map(crate::wire::Role::from) else {
        return refused(BTreeMap::from([("role".into(), "请选择角色".into())])).await;
    };
    let req = CreateUser {
        username: f.get("username").trim().to_string(),
        display_name: f.get("display_name").trim().to_string(),
        password: f.get("password").to_string(),
        role,
        org_code: org_code.clone(),
    };
    match add_user(&state, &user.principal, req).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/console/admin/users?org={}&done=created",
            crate::console::session::percent_encoded(&org_code)
        ))
        .into_response()),
        Err(e) => refused(problems_of(e, "username")?).await,
    }
}

/// Changes an account: `op` is role, deactivate, activate or reset (the last two
/// destructive ones confirmed).
pub async fn change_user(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let f = user.posted(&headers, &body)?;
    manages_users(&user)?;
    let org = f.get("org").to_string();
    let confirmed = f.get("confirm") == "1";
    let change = match f.get("op") {
        "role" => ChangeUser {
            role: Some(
                Role::parse(f.get("role"))
                    .ok_or(ConsoleError::Refused)?
                    .into(),
            ),
            ..Default::default()
        },
        "activate" => ChangeUser {
            active: Some(true),
            ..Default::default()
        },
        "deactivate" | "reset" if !confirmed => {
            let out = Outcome {
                problems: BTreeMap::from([(format!("confirm-{id}"), "请先勾选确认".to_string())]),
                ..Default::default()
            };
            return users_page(&state, &user, &org, out).await;
        }
        "deactivate" => ChangeUser {
            active: Some(false),
            ..Default::default()
        },
        "reset" => ChangeUser {
            reset_password: true,
            ..Default::default()
        },
        _ => return Err(ConsoleError::Refused),
    };
    match change_account(&state, &user.principal, id, change).await {
        Ok((changed, Some(password))) => {
            let out = Outcome {
                reset: Some((changed.username, password)),
                ..Default::default()
            };
            users_page(&state, &user, &org, out).await
        }
        Ok(_) => Ok(Redirect::to(&format!(
            "/console/admin/users?org={}&done=changed",
            crate::console::session::percent_encoded(&org)
        ))
        .into_response()),
        Err(e) => {
            let out = Outcome {
                problems: problems_of(e, &format!("confirm-{id}"))?,
                ..Default::default()
            };
            users_page(&state, &user, &org, out).await
        }
    }
}

/// Options of a coded list: (code, label, chosen).
fn coded<T: Coded + Copy>(chosen: &str) -> Vec<minijinja::Value> {
    T::all()
        .iter()
        .map(|t| context! { code => t.code(), label => t.label(), on => t.code() == chosen })
        .collect()
}

async fn orgs_page(
    state: &AppState,
    user: &ConsoleUser,
    problems: BTreeMap<String, String>,
    typed: Option<&Fields>,
) -> Result<Response, ConsoleError> {
    user.principal
        .check_bureau()
        .map_err(|_| ConsoleError::Refused)?;
    let orgs = state.store.orgs.list_orgs().await?;
    let value = |field: &str| typed.map_or(String::new(), |f| f.get(field).to_string());
    let rows: Vec<_> = orgs
        .iter()
        .map(|o| {
            let s = &o.spec;
            context! {
                code => s.credit_code.clone(), name => s.name.clone(), short => s.short_name.clone(),
                kind => s.kind.label(), level => s.level.label(), region => s.region_code.clone(),
                parent => s.parent_code.clone().unwrap_or_default(),
            }
        })
        .collect();
    render_form(
        state,
        user,
        "orgs.html",
        context! {
            rows, problems => problems.clone(),
            credit_code => value("credit_code"), name => value("name"), short_name => value("short_name"),
            region_code => value("region_code"), parent_code => value("parent_code"),
            kinds => coded::<OrgKind>(&value("kind")), levels => coded::<OrgLevel>(&value("level")),
        },
        &problems,
    )
    .await
}

pub async fn orgs(
    State(state): State<AppState>,
    user: ConsoleUser,
) -> Result<Response, ConsoleError> {
    orgs_page(&state, &user, BTreeMap::new(), None).await
}

/// Registers an organisation (or updates the one with the same credit code).
pub async fn save_org(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let f = user.posted(&headers, &body)?;
    user.principal
        .check_bureau()
        .map_err(|_| ConsoleError::Refused)?;
    let mut problems = BTreeMap::new();
    let kind = OrgKind::parse(f.get("kind"));
    let level = OrgLevel::parse(f.get("level"));
    if kind.is_none() {
        problems.insert("kind".to_string(), "请选择单位类别".to_string());
    }
    if level.is_none() {
        problems.insert("level".to_string(), "请选择层级".to_string());
    }
    let (Some(kind), Some(level)) = (kind, level) else {
        return orgs_page(&state, &user, problems, Some(&f)).await;
    };
    let parent = f.get("parent_code").trim();
    let spec = OrgSpec {
        credit_code: f.get("credit_code").trim().to_uppercase(),
        name: f.get("name").trim().to_string(),
        short_name: f.get("short_name").trim().to_string(),
        kind,
        level,
        region_code: f.get("region_code").trim().to_string(),
        parent_code: (!parent.is_empty()).then(|| parent.to_uppercase()),
    };
    match state.store.orgs.upsert_org(&user.caller(), spec).await {
        Ok(_) => Ok(Redirect::to("/console/admin/orgs").into_response()),
        Err(e) => {
            let problems = problems_of(e, "credit_code")?;
            orgs_page(&state, &user, problems, Some(&f)).await
        }
    }
}
