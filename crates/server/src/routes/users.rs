//! Creating users (the bureau anywhere; an organisation's admin in their own).

use crate::AppState;
use crate::audit::by_user;
use crate::auth::{User, hash_password};
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::wire::{Role, User as UserInfo};
use axum::extract::State;
use axum::http::StatusCode;
use govshare_store::audit::log::AuditEntry;
use govshare_store::org::users::NewUser;
use serde::Deserialize;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub username: String,
    pub display_name: String,
    /// At least 10 characters, not containing the username, and not easy to guess
    /// (zxcvbn score 3 or more).
    pub password: String,
    pub role: Role,
    /// Credit code of the user's organisation.
    pub org_code: String,
}

/// Creates a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "auth", request_body = CreateUser, security(("bearer" = [])),
    responses((status = 201, body = UserInfo), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    user: User,
    Json(req): Json<CreateUser>,
) -> ApiResult<(StatusCode, Json<UserInfo>)> {
    govshare_domain::password::check_password(&req.username, &req.password)?;
    let org = state.store.orgs.org_by_code(&req.org_code).await?;
    let password = req.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)?;
    let new = NewUser {
        username: req.username,
        display_name: req.display_name,
        password_hash: hash,
        role: req.role.into(),
        org_id: org.id,
    };
    let created = state.store.orgs.create_user(&user.caller(), new).await?;
    let entry = AuditEntry {
        detail: format!(
            "user:{} {} role={:?} org={}",
            created.id, created.username, created.role, req.org_code
        ),
        ..by_user(&user.0, "user.create", "ok")
    };
    state.audit.record(entry).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}
