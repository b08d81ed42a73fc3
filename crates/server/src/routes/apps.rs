//! Apps of an organisation and their keys: made (the key shown once), listed,
//! revoked. Every key change is an audit entry.

use crate::AppState;
use crate::auth::{User, new_app_key};
use crate::error::ApiResult;
use crate::extract::Json;
use crate::extract::Path;
use crate::wire::{self, AppInfo};
use axum::extract::State;
use axum::http::StatusCode;
use govshare_domain::access::Principal;
use govshare_store::Caller;
use govshare_store::audit::log::AuditEntry;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApp {
    /// The consumer system's name, e.g. 不动产登记系统.
    pub name: String,
    /// Days until the key expires (1–3650; none: it does not expire).
    pub expires_days: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedApp {
    pub app: AppInfo,
    /// The key, shown this once: send it as `X-Api-Key`. Only its hash is kept.
    pub key: String,
}

/// The entry a key change leaves in the audit log.
fn key_entry(
    user: &Principal,
    action: &str,
    app: &govshare_store::org::apps::AppInfo,
) -> AuditEntry {
    AuditEntry {
        app_id: Some(app.id),
        detail: format!("{} ({}) gsk_{}", app.name, app.org_code, app.key_prefix),
        ..crate::audit::by_user(user, action, "ok")
    }
}

/// Makes an app of the organisation `code` with a new key, for the API and the
/// console alike; the key is returned this once, and the making is audited.
pub(crate) async fn make_app(
    state: &AppState,
    user: &Principal,
    code: &str,
    name: &str,
    expires_days: Option<i64>,
) -> ApiResult<(govshare_store::org::apps::AppInfo, String)> {
    if expires_days.is_some_and(|d| !(1..=3650).contains(&d)) {
        return Err(
            govshare_domain::Error::invalid("expires_days", "有效天数应在1到3650之间").into(),
        );
    }
    let expires_at = expires_days.map(|d| {
        (govshare_store::clock::now_utc() + chrono::Duration::days(d))
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    });
    let (key, prefix, hash) = new_app_key();
    let app = state
        .store
        .orgs
        .create_app(
            &Caller::User(user.clone()),
            code,
            name,
            &prefix,
            &hash,
            expires_at,
        )
        .await?;
    state
        .audit
        .record(key_entry(user, "app.create", &app))
        .await?;
    Ok((app, key))
}

/// Revokes an app's key at once, forgets it in the key cache, and audits it.
pub(crate) async fn end_app(
    state: &AppState,
    user: &Principal,
    id: i64,
) -> ApiResult<govshare_store::org::apps::AppInfo> {
    let app = state
        .store
        .orgs
        .revoke_app(&Caller::User(user.clone()), id)
        .await?;
    state.app_keys.forget_app(app.id);
    state
        .audit
        .record(key_entry(user, "app.revoke", &app))
        .await?;
    Ok(app)
}

/// Makes an app of an organisation with a new key (the organisation's admin or the
/// bureau). The key is in this response only.
#[utoipa::path(post, path = "/api/v1/orgs/{code}/apps", tag = "sharing", params(("code" = String, Path)),
    request_body = NewApp, security(("bearer" = [])),
    responses((status = 201, body = CreatedApp), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_app(
    State(state): State<AppState>,
    user: User,
    Path(code): Path<String>,
    Json(body): Json<NewApp>,
) -> ApiResult<(StatusCode, Json<CreatedApp>)> {
    let (app, key) = make_app(&state, &user.0, &code, &body.name, body.expires_days).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedApp {
            app: app.into(),
            key,
        }),
    ))
}

/// The apps of an organisation (its users, and the bureau). Keys are never shown again.
#[utoipa::path(get, path = "/api/v1/orgs/{code}/apps", tag = "sharing", params(("code" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = [AppInfo]), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn list_apps(
    State(state): State<AppState>,
    user: User,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<AppInfo>>> {
    Ok(Json(wire::all(
        state.store.orgs.apps(&user.caller(), &code).await?,
    )))
}

/// Revokes an app's key at once (the organisation's admin or the bureau).
#[utoipa::path(post, path = "/api/v1/apps/{id}/revoke", tag = "sharing", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = AppInfo), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn revoke_app(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> ApiResult<Json<AppInfo>> {
    Ok(Json(AppInfo::from(end_app(&state, &user.0, id).await?)))
}
