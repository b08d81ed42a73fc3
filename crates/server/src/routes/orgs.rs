//! Organisations: departments, districts and platforms.

use crate::AppState;
use crate::auth::User;
use crate::error::ApiResult;
use crate::extract::Json;
use crate::extract::Path;
use crate::wire::{self, Org, OrgSpec, Quota};
use axum::extract::State;

/// Every organisation.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "organisations", responses((status = 200, body = [Org])))]
pub async fn list_orgs(State(state): State<AppState>) -> ApiResult<Json<Vec<Org>>> {
    Ok(Json(wire::all(state.store.orgs.list_orgs().await?)))
}

/// One organisation by its unified social credit code.
#[utoipa::path(get, path = "/api/v1/orgs/{code}", tag = "organisations", params(("code" = String, Path, description = "统一社会信用代码")),
    responses((status = 200, body = Org), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_org(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<Org>> {
    Ok(Json(Org::from(state.store.orgs.org_by_code(&code).await?)))
}

/// Registers an organisation, or updates the one with the same credit code (bureau only).
#[utoipa::path(post, path = "/api/v1/orgs", tag = "organisations", request_body = OrgSpec, security(("bearer" = [])),
    responses((status = 200, body = Org), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn upsert_org(
    State(state): State<AppState>,
    user: User,
    Json(spec): Json<OrgSpec>,
) -> ApiResult<Json<Org>> {
    Ok(Json(Org::from(
        state
            .store
            .orgs
            .upsert_org(&user.caller(), spec.into())
            .await?,
    )))
}

/// An organisation's data-pool capacity quota and current usage (the bureau and the
/// organisation itself).
#[utoipa::path(get, path = "/api/v1/orgs/{code}/quota", tag = "organisations", params(("code" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Quota), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_quota(
    State(state): State<AppState>,
    user: User,
    Path(code): Path<String>,
) -> ApiResult<Json<Quota>> {
    Ok(Json(Quota::from(
        state.store.pools.quota(&user.caller(), &code).await?,
    )))
}

/// Sets the quota (bureau only): `{"max_rows": n | null, "max_bytes": n | null}`. A batch
/// that would take the organisation's pools over it is refused whole (409 quota_exceeded).
#[utoipa::path(put, path = "/api/v1/orgs/{code}/quota", tag = "organisations", params(("code" = String, Path)), request_body = Quota,
    security(("bearer" = [])), responses((status = 200, body = Quota), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn put_quota(
    State(state): State<AppState>,
    user: User,
    Path(code): Path<String>,
    Json(q): Json<Quota>,
) -> ApiResult<Json<Quota>> {
    Ok(Json(Quota::from(
        state
            .store
            .pools
            .set_quota(&user.caller(), &code, q.max_rows, q.max_bytes)
            .await?,
    )))
}
