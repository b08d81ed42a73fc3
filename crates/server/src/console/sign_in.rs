//! Signing in and out of the console, and changing one's password.

use crate::AppState;
use crate::auth::{hash_password, new_token, verify_password};
use crate::console::session::{
    self, ConsoleUser, SIGN_IN, TokenForm, check_form, form_token, safe_next, set_cookie,
};
use crate::console::{ConsoleError, render, render_bare};
use crate::error::ApiError;
use crate::extract::ClientAddr;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use govshare_store::audit::log::AuditEntry;
use minijinja::context;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct Next {
    #[serde(default)]
    next: String,
}

/// The sign-in form, with a fresh form token in a cookie of its own.
fn sign_in_page(
    headers: &HeaderMap,
    status: StatusCode,
    username: &str,
    next: &str,
    message: &str,
) -> Result<Response, ConsoleError> {
    let secret = new_token();
    let mut page = render_bare(
        status,
        "sign_in.html",
        context! { username, next => safe_next(next), message, form_token => form_token(&secret) },
    )?;
    page.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(headers, SIGN_IN, &secret, 3600),
    );
    Ok(page)
}

pub async fn form(headers: HeaderMap, Query(q): Query<Next>) -> Result<Response, ConsoleError> {
    sign_in_page(&headers, StatusCode::OK, "", &q.next, "")
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    next: String,
}

/// Signs in with the API's one sign-in (throttled, audited) and sets the session
/// cookie; a refusal shows the form again with what was typed (but the password).
pub async fn submit(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<SignInForm>,
) -> Result<Response, ConsoleError> {
    let expected = session::cookie(&headers, SIGN_IN)
        .map(form_token)
        .unwrap_or_default();
    if expected.is_empty() {
        return sign_in_page(
            &headers,
            StatusCode::FORBIDDEN,
            &f.username,
            &f.next,
            "登录页面已过期，请重新输入。",
        );
    }
    check_form(&headers, &expected, &f.form_token)?;
    match crate::routes::session::sign_in(&state, f.username.trim(), &f.password, address).await {
        Ok(signed) => {
            let mut to = Redirect::to(safe_next(&f.next)).into_response();
            let max_age = state.config.session_hours * 3600;
            let h = to.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(&headers, session::SESSION, &signed.token, max_age),
            );
            h.append(header::SET_COOKIE, set_cookie(&headers, SIGN_IN, "", 0));
            Ok(to)
        }
        Err(ApiError::TooManyAttempts(secs)) => sign_in_page(
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            &f.username,
            &f.next,
            &format!("登录失败次数过多，请在{secs}秒后再试。"),
        ),
        Err(ApiError::Unauthorized) => sign_in_page(
            &headers,
            StatusCode::UNAUTHORIZED,
            &f.username,
            &f.next,
            "用户名或密码不正确，或该账号已停用。",
        ),
        Err(e) => Err(e.into()),
    }
}

/// Ends the session and removes the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> Result<Response, ConsoleError> {
    user.check_form(&headers, &f.form_token)?;
    state
        .store
        .orgs
        .delete_session(user.session.clone())
        .await?;
    let mut to = Redirect::to("/console/sign-in").into_response();
    to.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&headers, session::SESSION, "", 0),
    );
    Ok(to)
}

pub async fn password_form(
    State(state): State<AppState>,
    user: ConsoleUser,
) -> Result<Response, ConsoleError> {
    render(
        &state,
        &user,
        "password.html",
        context! { errors => context! {}, done => false },
    )
    .await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    again: String,
    #[serde(default)]
    form_token: String,
}

/// Changes the signed-in user's password: the current one must be right, the new one
/// must pass the password rules and be typed twice alike. Other sessions of the user
/// end; this one goes on. Each problem is shown beside its field.
pub async fn change_password(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Result<Response, ConsoleError> {
    user.check_form(&headers, &f.form_token)?;
    let p = &user.principal;
    let mut errors = std::collections::BTreeMap::new();
    let creds = state
        .store
        .orgs
        .credentials(&p.username)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let (current, stored) = (f.current.clone(), creds.password_hash.clone());
    let right = tokio::task::spawn_blocking(move || verify_password(&current, &stored))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    if !right {
        errors.insert("current", "当前密码不正确".to_string());
    }
    if let Err(e) = govshare_domain::password::check_password(&p.username, &f.new) {
        let reason = match e {
            govshare_domain::Error::Invalid(problems) => problems
                .into_iter()
                .map(|p| p.reason)
                .collect::<Vec<_>>()
                .join("；"),
            other => other.to_string(),
        };
        errors.insert("new", reason);
    } else if f.new == f.current {
        errors.insert("new", "新密码不能与当前密码相同".to_string());
    }
    if f.again != f.new {
        errors.insert("again", "两次输入的新密码不一致".to_string());
    }
    let outcome = if errors.is_empty() { "ok" } else { "denied" };
    state
        .audit
        .record(AuditEntry {
            actor: p.username.clone(),
            org_id: Some(p.org_id),
            action: "password.change".into(),
            outcome: outcome.into(),
            detail: errors.keys().copied().collect::<Vec<_>>().join(","),
            ..Default::default()
        })
        .await?;
    if !errors.is_empty() {
        let mut page = render(
            &state,
            &user,
            "password.html",
            context! { errors, done => false },
        )
        .await?;
        *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(page);
    }
    let new = f.new.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)?;
    state
        .store
        .orgs
        .set_password(p.user_id, hash, user.session.clone())
        .await?;
    render(
        &state,
        &user,
        "password.html",
        context! { errors => context! {}, done => true },
    )
    .await
}
