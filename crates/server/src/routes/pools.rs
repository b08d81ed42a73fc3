//! Data pools: a pool's shape and size, loading a batch, and a batch's refused rows.

use crate::AppState;
use crate::auth::User;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::extract::{Body, Json, Query};
use crate::pool_import::{DataFile, import_data, quarantine_csv, quarantine_xlsx};
use crate::wire::{
    self, BatchReport, Check, IngestMode, PoolChange, PoolInfo, Quarantine, Selection,
};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use govshare_interchange::rows::DataFormat;
use govshare_store::pool::batch::IngestMode as StoreMode;
use serde::Deserialize;

/// A resource's data pool: its columns, key, checks and row count (signed-in users
/// who may see the entry).
#[utoipa::path(get, path = "/api/v1/pools/{class}/{seq}", tag = "pools", params(("class" = String, Path), ("seq" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = PoolInfo), (status = 401, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get_pool(
    State(state): State<AppState>,
    user: User,
    Path((class, seq)): Path<(String, String)>,
) -> ApiResult<Json<PoolInfo>> {
    Ok(Json(PoolInfo::from(
        state
            .store
            .pools
            .pool(&user.caller(), &format!("{class}/{seq}"))
            .await?,
    )))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BatchQuery {
    /// upsert (default), insert, replace or delete.
    pub mode: Option<IngestMode>,
    /// csv, xlsx, json or ndjson (detected when absent).
    pub format: Option<String>,
    /// A client's id for this batch: a retry with the same id changes nothing.
    pub batch_id: Option<String>,
    /// The file's name, for the batch record.
    pub file_name: Option<String>,
}

/// Loads a data file (the request body) into the pool as one batch.
#[utoipa::path(post, path = "/api/v1/pools/{class}/{seq}/batches", tag = "pools", params(("class" = String, Path), ("seq" = String, Path), BatchQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"), security(("bearer" = [])),
    responses((status = 201, body = BatchReport), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn load_batch(
    State(state): State<AppState>,
    user: User,
    Path((class, seq)): Path<(String, String)>,
    Query(q): Query<BatchQuery>,
    Body(bytes): Body,
) -> ApiResult<(StatusCode, Json<BatchReport>)> {
    let format = match &q.format {
        Some(f) => Some(DataFormat::parse(f).ok_or_else(|| {
            ApiError::BadRequest(format!("不支持的格式“{f}”，可选 csv、xlsx、json、ndjson"))
        })?),
        None => None,
    };
    check_batch_id(q.batch_id.as_deref())?;
    let file = DataFile {
        code: format!("{class}/{seq}"),
        name: q.file_name.unwrap_or_else(|| "upload".into()),
        source: crate::pool_import::Source::Bytes(bytes.to_vec()),
        format,
        mode: q.mode.map_or(StoreMode::Upsert, Into::into),
        client_batch_id: q.batch_id,
        progress: None,
    };
    let report = import_data(&*state.store.pools, &user.caller(), file).await?;
    record_load(&state, &user.0, &format!("{class}/{seq}"), &report).await?;
    Ok((StatusCode::CREATED, Json(report.into())))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QuarantineQuery {
    /// json (default), csv or xlsx (the refused rows with a 错误原因 column).
    pub format: Option<String>,
}

/// The rows a batch refused, with row number, column, value and reason.
#[utoipa::path(get, path = "/api/v1/pools/batches/{id}/quarantine", tag = "pools", params(("id" = i64, Path), QuarantineQuery), security(("bearer" = [])),
    responses((status = 200, body = Quarantine), (status = 404, body = crate::error::ErrorBody)))]
pub async fn batch_quarantine(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Query(q): Query<QuarantineQuery>,
) -> ApiResult<Response> {
    let quarantine = state.store.pools.quarantine(&user.caller(), id).await?;
    match q.format.as_deref() {
        None | Some("json") => Ok(Json(quarantine).into_response()),
        Some("csv") => {
            let disposition = format!("attachment; filename=\"batch-{id}-rejected.csv\"");
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                quarantine_csv(&quarantine),
            )
                .into_response())
        }
        Some("xlsx") => {
            let disposition = format!("attachment; filename=\"batch-{id}-rejected.xlsx\"");
            let mime =
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string();
            Ok((
                [
                    (header::CONTENT_TYPE, mime),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                quarantine_xlsx(&quarantine)?,
            )
                .into_response())
        }
        Some(other) => Err(ApiError::BadRequest(format!(
            "不支持的格式“{other}”，可选 json、csv、xlsx"
        ))),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PoolChangesQuery {
    /// Changes after this sequence number (0 for all).
    #[serde(default)]
    pub since: i64,
    /// 1–10,000, default 1,000.
    pub limit: Option<i64>,
}

/// The pool's change feed: which keys changed, in order, for incremental consumers.
#[utoipa::path(get, path = "/api/v1/pools/{class}/{seq}/changes", tag = "pools", params(("class" = String, Path), ("seq" = String, Path), PoolChangesQuery),
    security(("bearer" = [])), responses((status = 200, body = [PoolChange]), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn pool_changes(
    State(state): State<AppState>,
    user: User,
    Path((class, seq)): Path<(String, String)>,
    Query(q): Query<PoolChangesQuery>,
) -> ApiResult<Json<Vec<PoolChange>>> {
    let limit = q.limit.unwrap_or(1000);
    if !(1..=10_000).contains(&limit) {
        return Err(ApiError::BadRequest("limit 应在1到10000之间".into()));
    }
    Ok(Json(wire::all(
        state
            .store
            .pools
            .pool_changes(&user.caller(), &format!("{class}/{seq}"), q.since, limit)
            .await?,
    )))
}

/// New checks for some of a pool's columns, by item name or column code.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolChecks {
    /// Column (item name or code) → its checks, e.g. `{"公民身份号码": ["citizen_id"]}`;
    /// an empty list removes all checks of the column.
    #[schema(value_type = std::collections::BTreeMap<String, Vec<String>>)]
    pub checks: std::collections::BTreeMap<String, Vec<Check>>,
}

/// Sets the content checks of a pool's columns (the owner organisation or the bureau).
/// Checks apply to later batches; stored rows are not re-checked.
#[utoipa::path(put, path = "/api/v1/pools/{class}/{seq}/checks", tag = "pools", params(("class" = String, Path), ("seq" = String, Path)),
    request_body = PoolChecks, security(("bearer" = [])),
    responses((status = 200, body = PoolInfo), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_pool_checks(
    State(state): State<AppState>,
    user: User,
    Path((class, seq)): Path<(String, String)>,
    Json(body): Json<PoolChecks>,
) -> ApiResult<Json<PoolInfo>> {
    let detail = serde_json::to_string(&body.checks).unwrap_or_default();
    let checks = body
        .checks
        .into_iter()
        .map(|(item, checks)| (item, wire::all(checks)))
        .collect();
    let code = format!("{class}/{seq}");
    let pool = change_checks(&state, &user.0, &code, checks, detail).await?;
    Ok(Json(PoolInfo::from(pool)))
}

type StoredPool = govshare_store::pool::tables::PoolInfo;

/// Sets a pool's checks as `user` and audits it (the API's and the console's).
pub(crate) async fn change_checks(
    state: &AppState,
    user: &govshare_domain::access::Principal,
    code: &str,
    checks: Vec<(String, Vec<govshare_domain::pool::Check>)>,
    detail: String,
) -> ApiResult<StoredPool> {
    let pool = state
        .store
        .pools
        .set_pool_checks(&govshare_store::Caller::User(user.clone()), code, checks)
        .await?;
    record(state, user, "pool.checks", code, 0, detail).await?;
    Ok(pool)
}

/// Sets a pool's selection rules as `user` and audits them (the API's and the
/// console's).
pub(crate) async fn change_selection(
    state: &AppState,
    user: &govshare_domain::access::Principal,
    code: &str,
    selection: govshare_domain::pool::Selection,
) -> ApiResult<StoredPool> {
    let pool = state
        .store
        .pools
        .set_pool_selection(&govshare_store::Caller::User(user.clone()), code, selection)
        .await?;
    let detail = serde_json::to_string(&pool.schema.selection).unwrap_or_default();
    record(state, user, "pool.selection", code, 0, detail).await?;
    Ok(pool)
}

/// Sets the pool's selection rules (数据筛选; the owner organisation or the bureau):
/// which items later batches take (keys and required items always) and which rows;
/// rows the rules leave out are counted as skipped. An empty body object clears them.
#[utoipa::path(put, path = "/api/v1/pools/{class}/{seq}/selection", tag = "pools", params(("class" = String, Path), ("seq" = String, Path)),
    request_body = Selection, security(("bearer" = [])),
    responses((status = 200, body = PoolInfo), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_pool_selection(
    State(state): State<AppState>,
    user: User,
    Path((class, seq)): Path<(String, String)>,
    Json(body): Json<Selection>,
) -> ApiResult<Json<PoolInfo>> {
    let pool = change_selection(&state, &user.0, &format!("{class}/{seq}"), body.into()).await?;
    Ok(Json(PoolInfo::from(pool)))
}

/// Most rows in one push; larger loads go as files.
pub const MAX_PUSHED_ROWS: usize = 10_000;

/// Rows pushed by a system as JSON: one batch.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushedRows {
    /// upsert (default), insert, replace or delete.
    pub mode: Option<IngestMode>,
    /// A client's id for this batch: a retry with the same id changes nothing.
    pub batch_id: Option<String>,
    /// Up to 10,000 objects keyed by item name or column code.
    #[schema(value_type = Vec<Object>)]
    pub rows: Vec<serde_json::Value>,
}

/// Pushes rows as JSON: checked, quarantined and written exactly as a file would be.
#[utoipa::path(post, path = "/api/v1/pools/{class}/{seq}/rows", tag = "pools", params(("class" = String, Path), ("seq" = String, Path)),
    request_body = PushedRows, security(("bearer" = [])),
    responses((status = 201, body = BatchReport), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn push_rows(
    State(state): State<AppState>,
    user: User,
    Path((class, seq)): Path<(String, String)>,
    Json(body): Json<PushedRows>,
) -> ApiResult<(StatusCode, Json<BatchReport>)> {
    if body.rows.len() > MAX_PUSHED_ROWS {
        return Err(ApiError::BadRequest(format!(
            "一次最多推送{MAX_PUSHED_ROWS}行，本次{}行；更多数据请以文件方式上传",
            body.rows.len()
        )));
    }
    check_batch_id(body.batch_id.as_deref())?;
    let file = DataFile {
        code: format!("{class}/{seq}"),
        name: "api".into(),
        source: crate::pool_import::Source::Bytes(
            serde_json::to_vec(&body.rows).map_err(|e| ApiError::BadRequest(e.to_string()))?,
        ),
        format: Some(DataFormat::Json),
        mode: body.mode.map_or(StoreMode::Upsert, Into::into),
        client_batch_id: body.batch_id,
        progress: None,
    };
    let report = import_data(&*state.store.pools, &user.caller(), file).await?;
    record_load(&state, &user.0, &format!("{class}/{seq}"), &report).await?;
    Ok((StatusCode::CREATED, Json(report.into())))
}

/// A change to a pool by a user, in the audit log.
async fn record(
    state: &AppState,
    user: &govshare_domain::access::Principal,
    action: &str,
    code: &str,
    rows: i64,
    detail: String,
) -> ApiResult<()> {
    let entry = govshare_store::audit::log::AuditEntry {
        resource_code: code.to_string(),
        row_count: rows,
        detail,
        ..crate::audit::by_user(user, action, "ok")
    };
    state.audit.record(entry).await
}

/// The audit entry of a loaded batch (the API's and the console's loads alike).
pub(crate) async fn record_load(
    state: &AppState,
    user: &govshare_domain::access::Principal,
    code: &str,
    r: &govshare_store::pool::batch::BatchReport,
) -> ApiResult<()> {
    let detail = crate::pool_import::load_detail(r);
    record(state, user, "pool.load", code, r.accepted, detail).await
}

fn check_batch_id(id: Option<&str>) -> ApiResult<()> {
    if id.is_some_and(|b| b.is_empty() || b.len() > 100) {
        return Err(ApiError::BadRequest("batch_id 应为1到100个字符".into()));
    }
    Ok(())
}
