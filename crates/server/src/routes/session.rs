//! Signing in and out.

use crate::AppState;
use crate::auth::{MaybeUser, User, hash_password, new_token, token_hash, verify_password};
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use govshare_store::repo::audit::AuditEntry;
use govshare_store::repo::users::User as UserInfo;
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
        (status = 429, description = "too many failed sign-ins for this username; see Retry-After", body = crate::error::ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    if req.username.len() > 64 || req.password.len() > 256 {
        return Err(ApiError::Unauthorized);
    }
    if let Some(wait) = state.logins.locked_for(&req.username) {
        return Err(ApiError::TooManyAttempts(wait.as_secs().max(1)));
    }
    let creds = state.store.credentials(&req.username).await?;
    let password = req.password.clone();
    let stored = creds.as_ref().map(|c| c.password_hash.clone());
    // Verify against a dummy hash when the user is unknown, so timing tells nothing.
    let ok = tokio::task::spawn_blocking(move || {
        let hash = stored.unwrap_or_else(|| hash_password("not-a-user").unwrap_or_default());
        verify_password(&password, &hash)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let login_entry = |outcome: &str, org_id: Option<i64>| AuditEntry {
        actor: req.username.clone(),
        org_id,
        action: "login".into(),
        outcome: outcome.into(),
        ..Default::default()
    };
    let Some(creds) = creds.filter(|c| ok && c.user.active) else {
        tracing::info!(username = %req.username, "login refused");
        state.logins.record_failure(&req.username);
        state.audit.record(login_entry("denied", None)).await?;
        return Err(ApiError::Unauthorized);
    };
    state.logins.record_success(&req.username);
    let token = new_token();
    let expires = chrono::Utc::now() + chrono::Duration::hours(state.config.session_hours);
    let expires_at = expires.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    state
        .store
        .create_session(token_hash(&token), creds.user.id, expires_at.clone())
        .await?;
    state
        .audit
        .record(login_entry("ok", Some(creds.user.org_id)))
        .await?;
    tracing::info!(username = %creds.user.username, "login");
    Ok(Json(LoginResponse {
        token,
        expires_at,
        user: creds.user,
    }))
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
    state.store.delete_session(token_hash(&token)).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub user_id: i64,
    pub username: String,
    pub org_id: i64,
    pub role: govshare_domain::access::Role,
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
        role: p.role,
    }))
}
