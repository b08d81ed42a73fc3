//! Paged lists: `?before=ID&limit=N`, newest first.

use crate::error::{ApiError, ApiResult};
use govshare_store::page::Page;
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Only records below this id (the last id of the page before).
    pub before: Option<i64>,
    /// 1–1,000, default 100.
    pub limit: Option<i64>,
}

/// The page asked for, or 400 when the limit is out of range.
pub fn page(before: Option<i64>, limit: Option<i64>) -> ApiResult<Page> {
    Page::new(before, limit).ok_or_else(|| ApiError::BadRequest("limit 应在1到1000之间".into()))
}
