//! Catalog entries: list, create, read, update (with `If-Match` versions), lifecycle
//! transitions and history. Codes appear in paths as `/resources/{class}/{seq}`.

use crate::AppState;
use crate::auth::{MaybeUser, User};
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::extract::{Json, Query};
use crate::wire::{
    self, Action, HistoryEntry, Resource, ResourceFilter, ResourcePage, ResourceSpec,
};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

fn code(class: &str, seq: &str) -> String {
    format!("{class}/{seq}")
}

/// The resource with its version as an ETag.
fn with_etag(status: StatusCode, r: govshare_domain::resource::Resource) -> Response {
    let etag =
        HeaderValue::from_str(&format!("\"{}\"", r.version)).expect("digits are a valid header");
    let mut resp = (status, Json(Resource::from(r))).into_response();
    resp.headers_mut().insert(axum::http::header::ETAG, etag);
    resp
}

/// Lists the entries the caller may see, filtered, in pages (keyset on `after`).
#[utoipa::path(get, path = "/api/v1/resources", tag = "catalog", params(ResourceFilter),
    responses((status = 200, body = ResourcePage), (status = 400, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list_resources(
    State(state): State<AppState>,
    user: MaybeUser,
    Query(filter): Query<ResourceFilter>,
) -> ApiResult<Json<ResourcePage>> {
    Ok(Json(ResourcePage::from(
        state
            .store
            .catalog
            .list_resources(&user.caller(), filter.into())
            .await?,
    )))
}

/// Creates a draft entry; the code is generated unless given.
#[utoipa::path(post, path = "/api/v1/resources", tag = "catalog", request_body = ResourceSpec, security(("bearer" = [])),
    responses((status = 201, body = Resource), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_resource(
    State(state): State<AppState>,
    user: User,
    Json(spec): Json<ResourceSpec>,
) -> ApiResult<Response> {
    let r = state
        .store
        .catalog
        .create_resource(&user.caller(), spec.into())
        .await?;
    super::reindex(&state).await;
    Ok(with_etag(StatusCode::CREATED, r))
}

/// One entry, if the caller may see it.
#[utoipa::path(get, path = "/api/v1/resources/{class}/{seq}", tag = "catalog",
    params(("class" = String, Path, description = "分类代码"), ("seq" = String, Path, description = "顺序号")),
    responses((status = 200, body = Resource), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_resource(
    State(state): State<AppState>,
    user: MaybeUser,
    Path((class, seq)): Path<(String, String)>,
) -> ApiResult<Response> {
    Ok(with_etag(
        StatusCode::OK,
        state
            .store
            .catalog
            .resource(&user.caller(), &code(&class, &seq))
            .await?,
    ))
}

fn if_match(headers: &HeaderMap) -> ApiResult<Option<i64>> {
    let Some(v) = headers.get(axum::http::header::IF_MATCH) else {
        return Ok(None);
    };
    let text = v
        .to_str()
        .map_err(|_| ApiError::BadRequest("If-Match 无效".into()))?;
    text.trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map(Some)
        .map_err(|_| ApiError::BadRequest("If-Match 应为资源的版本号".into()))
}

/// Replaces an entry's content. Send `If-Match: "VERSION"` to refuse lost updates.
#[utoipa::path(put, path = "/api/v1/resources/{class}/{seq}", tag = "catalog", request_body = ResourceSpec, security(("bearer" = [])),
    params(("class" = String, Path), ("seq" = String, Path), ("If-Match" = Option<String>, Header, description = "expected version")),
    responses((status = 200, body = Resource), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_resource(
    State(state): State<AppState>,
    user: User,
    Path((class, seq)): Path<(String, String)>,
    headers: HeaderMap,
    Json(spec): Json<ResourceSpec>,
) -> ApiResult<Response> {
    let r = state
        .store
        .catalog
        .update_resource(
            &user.caller(),
            &code(&class, &seq),
            spec.into(),
            if_match(&headers)?,
        )
        .await?;
    super::reindex(&state).await;
    Ok(with_etag(StatusCode::OK, r))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub action: Action,
    /// Required when returning or withdrawing.
    #[serde(default)]
    pub reason: String,
}

/// Moves an entry through its lifecycle: submit, return, register, publish, withdraw.
#[utoipa::path(post, path = "/api/v1/resources/{class}/{seq}/transitions", tag = "catalog", request_body = TransitionRequest, security(("bearer" = [])),
    params(("class" = String, Path), ("seq" = String, Path)),
    responses((status = 200, body = Resource), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn transition_resource(
    State(state): State<AppState>,
    user: User,
    Path((class, seq)): Path<(String, String)>,
    Json(req): Json<TransitionRequest>,
) -> ApiResult<Response> {
    let r = state
        .store
        .catalog
        .transition_resource(
            &user.caller(),
            &code(&class, &seq),
            req.action.into(),
            &req.reason,
        )
        .await?;
    super::reindex(&state).await;
    Ok(with_etag(StatusCode::OK, r))
}

/// Every version of an entry: who changed what, when and why.
#[utoipa::path(get, path = "/api/v1/resources/{class}/{seq}/history", tag = "catalog", params(("class" = String, Path), ("seq" = String, Path)),
    responses((status = 200, body = [HistoryEntry]), (status = 404, body = crate::error::ErrorBody)))]
pub async fn resource_history(
    State(state): State<AppState>,
    user: MaybeUser,
    Path((class, seq)): Path<(String, String)>,
) -> ApiResult<Json<Vec<HistoryEntry>>> {
    Ok(Json(wire::all(
        state
            .store
            .catalog
            .resource_history(&user.caller(), &code(&class, &seq))
            .await?,
    )))
}
