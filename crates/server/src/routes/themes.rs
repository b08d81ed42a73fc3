//! Thematic catalogs.

use crate::AppState;
use crate::auth::User;
use crate::error::ApiResult;
use crate::extract::Json;
use crate::extract::Path;
use crate::wire::{self, Theme, ThemeSpec};
use axum::extract::State;
use axum::http::StatusCode;

/// Every thematic catalog with its resource count.
#[utoipa::path(get, path = "/api/v1/themes", tag = "themes", responses((status = 200, body = [Theme])))]
pub async fn list_themes(State(state): State<AppState>) -> ApiResult<Json<Vec<Theme>>> {
    Ok(Json(wire::all(state.store.catalog.list_themes().await?)))
}

/// One thematic catalog (its resources: `GET /api/v1/resources?theme=CODE`).
#[utoipa::path(get, path = "/api/v1/themes/{code}", tag = "themes", params(("code" = String, Path)),
    responses((status = 200, body = Theme), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_theme(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<Theme>> {
    Ok(Json(Theme::from(state.store.catalog.theme(&code).await?)))
}

/// Creates or updates thematic catalogs (bureau only).
#[utoipa::path(post, path = "/api/v1/themes", tag = "themes", request_body = [ThemeSpec], security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn upsert_themes(
    State(state): State<AppState>,
    user: User,
    Json(specs): Json<Vec<ThemeSpec>>,
) -> ApiResult<StatusCode> {
    state
        .store
        .catalog
        .upsert_themes(&user.caller(), wire::all(specs))
        .await?;
    super::reindex(&state).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a thematic catalog no entry is filed under (bureau only; `409` otherwise).
#[utoipa::path(delete, path = "/api/v1/themes/{code}", tag = "themes", params(("code" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn delete_theme(
    State(state): State<AppState>,
    user: User,
    Path(code): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .store
        .catalog
        .delete_theme(&user.caller(), &code)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
