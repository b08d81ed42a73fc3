//! Organisations: departments, districts and platforms.

use crate::AppState;
use crate::auth::User;
use crate::error::ApiResult;
use crate::extract::Json;
use axum::extract::{Path, State};
use govshare_domain::org::{Org, OrgSpec};

/// Every organisation.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "organisations", responses((status = 200, body = [Org])))]
pub async fn list_orgs(State(state): State<AppState>) -> ApiResult<Json<Vec<Org>>> {
    Ok(Json(state.store.list_orgs().await?))
}

/// One organisation by its unified social credit code.
#[utoipa::path(get, path = "/api/v1/orgs/{code}", tag = "organisations", params(("code" = String, Path, description = "统一社会信用代码")),
    responses((status = 200, body = Org), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_org(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<Org>> {
    Ok(Json(state.store.org_by_code(&code).await?))
}

/// Registers an organisation, or updates the one with the same credit code (bureau only).
#[utoipa::path(post, path = "/api/v1/orgs", tag = "organisations", request_body = OrgSpec, security(("bearer" = [])),
    responses((status = 200, body = Org), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn upsert_org(
    State(state): State<AppState>,
    user: User,
    Json(spec): Json<OrgSpec>,
) -> ApiResult<Json<Org>> {
    Ok(Json(state.store.upsert_org(&user.caller(), spec).await?))
}
