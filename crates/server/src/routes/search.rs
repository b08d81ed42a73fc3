//! Chinese full-text search over the catalog, with facets.

use crate::AppState;
use crate::auth::MaybeUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::wire::{FormatCategory, OpenType, SearchResults, SharingType, UpdateCycle};
use axum::extract::State;
use govshare_search::SearchRequest;
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Words to look for (Chinese or English), e.g. 营业执照.
    #[serde(default)]
    pub q: String,
    /// Provider's credit code.
    pub provider_code: Option<String>,
    /// 类: 1 base, 2 thematic, 3 department.
    pub class: Option<String>,
    /// Theme code.
    pub theme: Option<String>,
    /// Code or Chinese label, e.g. `conditional` or 有条件共享.
    pub sharing_type: Option<SharingType>,
    pub open_type: Option<OpenType>,
    pub format_category: Option<FormatCategory>,
    pub update_cycle: Option<UpdateCycle>,
    /// 1–100, default 20.
    pub limit: Option<usize>,
    /// At most 10,000.
    #[serde(default)]
    pub offset: usize,
}

/// Searches the catalog entries the caller may see. Results under `results`,
/// facet counts under `facets`.
#[utoipa::path(get, path = "/api/v1/search", tag = "catalog", params(SearchQuery),
    responses((status = 200, body = SearchResults), (status = 400, body = crate::error::ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    user: MaybeUser,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Json<SearchResults>> {
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) || q.offset > 10_000 {
        return Err(ApiError::BadRequest(
            "limit 应在1到100之间，offset 不超过10000".into(),
        ));
    }
    let filters = [
        ("provider_code", q.provider_code),
        ("class", q.class),
        ("theme", q.theme),
        ("sharing_type", q.sharing_type.map(|v| v.code().to_string())),
        ("open_type", q.open_type.map(|v| v.code().to_string())),
        (
            "format_category",
            q.format_category.map(|v| v.code().to_string()),
        ),
        ("update_cycle", q.update_cycle.map(|v| v.code().to_string())),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k.to_string(), v)))
    .collect();
    let req = SearchRequest {
        q: q.q,
        filters,
        limit,
        offset: q.offset,
    };
    let visibility = user.caller().visibility();
    let search = state.search.clone();
    let results = tokio::task::spawn_blocking(move || search.search(&req, visibility))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(Json(SearchResults::from(results)))
}
