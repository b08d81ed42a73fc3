//! Liveness and readiness.

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::Json;
use axum::extract::State;
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
    pub resources: i64,
    pub indexed: u64,
    pub version: &'static str,
}

/// Health of this node: the database answers and the index is loaded.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, body = Health), (status = 503, body = crate::error::ErrorBody)))]
pub async fn healthz(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    let resources = state.store.count_resources().await?;
    Ok(Json(Health {
        status: "ok",
        database: state.store.backend_name(),
        resources,
        indexed: state.search.num_docs(),
        version: env!("CARGO_PKG_VERSION"),
    }))
}
