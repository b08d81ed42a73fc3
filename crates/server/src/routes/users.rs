//! User accounts: created, listed, deactivated, given another role or a reset
//! password — by the bureau anywhere, by an organisation's admin in their own
//! (never a bureau admin or an auditor). Every change is an audit entry.

use crate::AppState;
use crate::audit::by_user;
use crate::auth::{User, hash_password};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::wire::{Role, User as UserInfo};
use axum::extract::State;
use axum::http::StatusCode;
use govshare_domain::access::Principal;
use govshare_store::Caller;
use govshare_store::audit::log::AuditEntry;
use govshare_store::org::users::{NewUser, User as StoredUser, UserChange};
use serde::{Deserialize, Serialize};

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

async fn hashed(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)
}

/// Creates a user as `user` (the API's and the console's), audited.
pub(crate) async fn add_user(
    state: &AppState,
    user: &Principal,
    req: CreateUser,
) -> ApiResult<StoredUser> {
    govshare_domain::password::check_password(&req.username, &req.password)?;
    let org = state.store.orgs.org_by_code(&req.org_code).await?;
    let new = NewUser {
        username: req.username,
        display_name: req.display_name,
        password_hash: hashed(req.password).await?,
        role: req.role.into(),
        org_id: org.id,
    };
    let created = state
        .store
        .orgs
        .create_user(&Caller::User(user.clone()), new)
        .await?;
    let entry = AuditEntry {
        detail: format!(
            "user:{} {} role={} org={}",
            created.id,
            created.username,
            created.role.code(),
            req.org_code
        ),
        ..by_user(user, "user.create", "ok")
    };
    state.audit.record(entry).await?;
    Ok(created)
}

/// Creates a user.
#[utoipa::path(post, path = "/api/v1/users", tag = "auth", request_body = CreateUser, security(("bearer" = [])),
    responses((status = 201, body = UserInfo), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody, description = "the organisation is not registered"),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    user: User,
    Json(req): Json<CreateUser>,
) -> ApiResult<(StatusCode, Json<UserInfo>)> {
    let created = add_user(&state, &user.0, req).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UsersQuery {
    /// Credit code of an organisation (the bureau; others always see their own).
    pub org: Option<String>,
}

/// The users of an organisation, for those who manage them.
#[utoipa::path(get, path = "/api/v1/users", tag = "auth", params(UsersQuery), security(("bearer" = [])),
    responses((status = 200, body = [UserInfo]), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody, description = "the organisation is not registered")))]
pub async fn list_users(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<UsersQuery>,
) -> ApiResult<Json<Vec<UserInfo>>> {
    let org = match q.org.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => Some(state.store.orgs.org_by_code(code).await?.id),
        None => None,
    };
    let users = state.store.orgs.users(&user.caller(), org).await?;
    Ok(Json(users.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, utoipa::ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ChangeUser {
    /// false: the account can no longer sign in and its sessions end.
    pub active: Option<bool>,
    pub role: Option<Role>,
    /// true: a new random password, returned once; the user's sessions end.
    #[serde(default)]
    pub reset_password: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ChangedUser {
    pub user: UserInfo,
    /// The new password after a reset, shown this once.
    pub password: Option<String>,
}

/// A random password that the password rules accept.
fn temporary_password(username: &str) -> String {
    use rand::RngCore;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    loop {
        let mut bytes = [0u8; 14];
        rand::rng().fill_bytes(&mut bytes);
        let word: String = bytes
            .iter()
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
            .collect();
        let candidate = format!("{}-{}@{}", &word[..5], &word[5..10], &word[10..]);
        if govshare_domain::password::check_password(username, &candidate).is_ok() {
            return candidate;
        }
    }
}

/// Changes a user account as `user` (the API's and the console's), audited; the new
/// password after a reset.
pub(crate) async fn change_account(
    state: &AppState,
    user: &Principal,
    id: i64,
    req: ChangeUser,
) -> ApiResult<(StoredUser, Option<String>)> {
    let caller = Caller::User(user.clone());
    let password = if req.reset_password {
        // The name goes into the rule that a password must not contain it.
        let target = state
            .store
            .orgs
            .users(&caller, None)
            .await
            .ok()
            .and_then(|all| all.into_iter().find(|u| u.id == id))
            .map_or_else(String::new, |u| u.username);
        Some(temporary_password(&target))
    } else {
        None
    };
    let change = UserChange {
        active: req.active,
        role: req.role.map(Into::into),
        password_hash: match &password {
            Some(p) => Some(hashed(p.clone()).await?),
            None => None,
        },
    };
    let changed = state.store.orgs.change_user(&caller, id, change).await?;
    let mut what = Vec::new();
    if let Some(active) = req.active {
        what.push(if active { "启用" } else { "停用" }.to_string());
    }
    if req.role.is_some() {
        what.push(format!("role={}", changed.role.code()));
    }
    if req.reset_password {
        what.push("重置密码".into());
    }
    let entry = AuditEntry {
        detail: format!(
            "user:{} {} {}",
            changed.id,
            changed.username,
            what.join(" ")
        ),
        ..by_user(user, "user.change", "ok")
    };
    state.audit.record(entry).await?;
    Ok((changed, password))
}

/// Activates or deactivates a user, changes their role, or resets their password.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "auth", params(("id" = i64, Path)), request_body = ChangeUser, security(("bearer" = [])),
    responses((status = 200, body = ChangedUser), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody)))]
pub async fn change_user(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Json(req): Json<ChangeUser>,
) -> ApiResult<Json<ChangedUser>> {
    let (changed, password) = change_account(&state, &user.0, id, req).await?;
    Ok(Json(ChangedUser {
        user: changed.into(),
        password,
    }))
}
