//! The classification tree (类/项/目/细目).

use crate::AppState;
use crate::auth::User;
use crate::error::ApiResult;
use crate::extract::{Json, Path};
use crate::wire::{self, ClassNode};
use axum::extract::State;
use axum::http::StatusCode;

/// Every classification node, by code.
#[utoipa::path(get, path = "/api/v1/classification", tag = "classification", responses((status = 200, body = [ClassNode])))]
pub async fn list_classes(State(state): State<AppState>) -> ApiResult<Json<Vec<ClassNode>>> {
    Ok(Json(wire::all(state.store.catalog.list_classes().await?)))
}

/// Creates or renames nodes, parents first (bureau only).
#[utoipa::path(post, path = "/api/v1/classification", tag = "classification", request_body = [ClassNode], security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn upsert_classes(
    State(state): State<AppState>,
    user: User,
    Json(nodes): Json<Vec<ClassNode>>,
) -> ApiResult<StatusCode> {
    state
        .store
        .catalog
        .upsert_classes(&user.caller(), wire::all(nodes))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a node nothing depends on (bureau only): `409` while a node or an entry is
/// under it, or once it has issued a resource code (codes are never reused).
#[utoipa::path(delete, path = "/api/v1/classification/{code}", tag = "classification", params(("code" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn delete_class(
    State(state): State<AppState>,
    user: User,
    Path(code): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .store
        .catalog
        .delete_class(&user.caller(), &code)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
