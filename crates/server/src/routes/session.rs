//! Signing in and out.

use crate::AppState;
use crate::auth::{MaybeUser, User, new_token, token_hash, verify_password};
use crate::error::{ApiError, ApiResult};
use crate::extract::ClientAddr;
use crate::extract::Json;
use crate::wire::User as UserInfo;
use axum::extract::State;
use axum::http::HeaderMap;
use govshare_store::audit::log::AuditEntry;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer TOKEN`. Shown once.
    pub token: String,
    pub expires_at: String,
    pub user: UserInfo,
}

/// Signs in with a username and password; returns a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::error::ErrorBody),
        (status = 429, description = "too many failed sign-ins for this username (a growing delay) or from this address; see Retry-After", body = crate::error::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Json(req): Json<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let signed = sign_in(&state, &req.username, &req.password, address).await?;
    Ok(Json(LoginResponse {
        token: signed.token,
        expires_at: signed.expires_at,
        user: signed.user.into(),
    }))
}

/// A sign-in that succeeded: the new session's token (shown once), when it ends, and
/// who signed in.
pub struct SignedIn {
    pub token: String,
    pub expires_at: String,
    pub user: govshare_store::org::users::User,
}

/// Checks a username and password and opens a session: the one sign-in of the API and
/// the console. Failed attempts are throttled per username and address; an unknown
/// username costs the same one hash as a known one; every attempt is audited.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
    address: Option<std::net::IpAddr>,
) -> ApiResult<SignedIn> {
    let login_entry = |outcome: &str, org_id: Option<i64>, detail: String| AuditEntry {
        actor: username.chars().take(64).collect(),
        org_id,
        action: "login".into(),
        outcome: outcome.into(),
        detail,
        ..Default::default()
    };
    let from = address.map(|a| format!("from {a}")).unwrap_or_default();
    if username.len() > 64 || password.len() > 256 {
        state
            .audit
            .record(login_entry("invalid", None, from))
            .await?;
        return Err(ApiError::Unauthorized);
    }
    if let Some(wait) = state.logins.wait(username, address) {
        let secs = wait.as_secs().max(1);
        state
            .audit
            .record(login_entry(
                "throttled",
                None,
                format!("{from} wait {secs}s"),
            ))
            .await?;
        return Err(ApiError::TooManyAttempts(secs));
    }
    let creds = state.store.orgs.credentials(username).await?;
    let password = password.to_string();
    let stored = creds.as_ref().map(|c| c.password_hash.clone());
    // One hash either way: an unknown user is checked against a hash made once, so
    // timing does not tell which usernames exist.
    let ok = tokio::task::spawn_blocking(move || {
        let hash = stored
            .as_deref()
            .unwrap_or_else(|| crate::auth::unknown_user_hash());
        verify_password(&password, hash)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let Some(creds) = creds.filter(|c| ok && c.user.active) else {
        tracing::info!(username = %username, "login refused");
        state.logins.record_failure(username, address);
        state
            .audit
            .record(login_entry("denied", None, from))
            .await?;
        return Err(ApiError::Unauthorized);
    };
    state.logins.record_success(username);
    let token = new_token();
    let expires =
        govshare_store::clock::now_utc() + chrono::Duration::hours(state.config.session_hours);
    let expires_at = expires.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    state
        .store
        .orgs
        .create_session(token_hash(&token), creds.user.id, expires_at.clone())
        .await?;
    state
        .audit
        .record(login_entry("ok", Some(creds.user.org_id), from))
        .await?;
    tracing::info!(username = %creds.user.username, "login");
    Ok(SignedIn {
        token,
        expires_at,
        user: creds.user,
    })
}

/// Ends the current session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = crate::error::ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    _user: User,
    headers: HeaderMap,
) -> ApiResult<axum::http::StatusCode> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' ').map(|(_, t)| t.trim().to_string()))
        .ok_or(ApiError::Unauthorized)?;
    state.store.orgs.delete_session(token_hash(&token)).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub user_id: i64,
    pub username: String,
    pub org_id: i64,
    pub role: crate::wire::Role,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(user: MaybeUser) -> ApiResult<Json<Me>> {
    let p = user.0.ok_or(ApiError::Unauthorized)?;
    Ok(Json(Me {
        user_id: p.user_id,
        username: p.username,
        org_id: p.org_id,
        role: p.role.into(),
    }))
}
