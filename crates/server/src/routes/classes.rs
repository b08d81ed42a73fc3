//! The classification tree (类/项/目/细目).

use crate::AppState;
use crate::auth::User;
use crate::error::ApiResult;
use crate::extract::Json;
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
