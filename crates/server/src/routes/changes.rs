//! The catalog change feed, for followers (search indexes, parent platforms).

use crate::AppState;
use crate::auth::User;
use crate::error::ApiResult;
use crate::extract::{Json, Query};
use crate::wire::{self, Change};
use axum::extract::State;
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    /// Return changes after this sequence number.
    #[serde(default)]
    pub since: i64,
    /// At most this many (1–1000, default 500).
    pub limit: Option<i64>,
}

/// Catalog changes after `since`, oldest first (bureau only).
#[utoipa::path(get, path = "/api/v1/changes", tag = "catalog", params(ChangesQuery), security(("bearer" = [])),
    responses((status = 200, body = [Change]), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_changes(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ChangesQuery>,
) -> ApiResult<Json<Vec<Change>>> {
    user.0.check_bureau()?;
    let limit = q.limit.unwrap_or(500);
    if !(1..=1000).contains(&limit) {
        return Err(govshare_domain::Error::invalid("limit", "limit 应在1到1000之间").into());
    }
    Ok(Json(wire::all(
        state.store.catalog.changes_since(q.since, limit).await?,
    )))
}
