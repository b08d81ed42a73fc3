//! The catalog as files: export what the caller can see; import (bureau and
//! organisation users) with every problem reported by sheet, row and column.

use crate::AppState;
use crate::audit::by_user;
use crate::auth::{MaybeUser, User};
use crate::catalog_import::import_file;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, Json, Query};
use crate::wire::ImportReport;
use crate::wire::ResourceFilter;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use govshare_domain::audit::AuditEntry;
use govshare_interchange::{Format, write_catalog};
use govshare_store::catalog::import::{ImportMode, ImportOptions};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// json, csv or xlsx.
    pub format: String,
}

fn format_of(name: &str) -> ApiResult<Format> {
    Format::parse(name)
        .ok_or_else(|| ApiError::BadRequest(format!("不支持的格式“{name}”，可选 json、csv、xlsx")))
}

/// Every catalog entry `caller` may see, as file records sorted by code.
pub(crate) async fn visible_records(
    state: &AppState,
    caller: &govshare_store::Caller,
) -> ApiResult<Vec<govshare_domain::resource::CatalogRecord>> {
    let mut records = Vec::new();
    let mut filter = ResourceFilter {
        limit: Some(500),
        ..Default::default()
    };
    loop {
        let page = state
            .store
            .catalog
            .list_resources(caller, filter.clone().into())
            .await?;
        records.extend(page.results.iter().map(|r| r.to_record()));
        match page.next {
            Some(n) => filter.after = Some(n),
            None => break,
        }
    }
    records.sort_by(|a, b| a.spec.code.cmp(&b.spec.code));
    Ok(records)
}

/// `records` as a catalog file to download, named `stem.json|csv|xlsx` (no records:
/// the national template's header alone, to fill in).
pub(crate) async fn catalog_file(
    records: Vec<govshare_domain::resource::CatalogRecord>,
    format: Format,
    stem: &str,
) -> ApiResult<Response> {
    let bytes = tokio::task::spawn_blocking(move || write_catalog(&records, format))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)?;
    let (mime, ext) = match format {
        Format::Json => ("application/json", "json"),
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let disposition = format!("attachment; filename=\"{stem}.{ext}\"");
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// Downloads the catalog entries the caller can see, sorted by code.
#[utoipa::path(get, path = "/api/v1/catalog/export", tag = "catalog", params(ExportQuery),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 400, body = crate::error::ErrorBody)))]
pub async fn export_catalog(
    State(state): State<AppState>,
    user: MaybeUser,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let format = format_of(&q.format)?;
    let records = visible_records(&state, &user.caller()).await?;
    catalog_file(records, format, "govshare-catalog").await
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// json, csv or xlsx. When absent: XLSX by its signature, JSON when the body
    /// starts with `{` or `[`, otherwise CSV.
    pub format: Option<String>,
    /// `all` (default): nothing is imported unless every entry is valid;
    /// `valid`: valid entries are imported and the others reported.
    pub mode: Option<String>,
    /// `true` (the bureau only): providers the file names by name and credit code
    /// that are not registered yet are registered with the import.
    pub create_providers: Option<bool>,
}

/// Imports a catalog file sent as the request body.
#[utoipa::path(post, path = "/api/v1/catalog/import", tag = "catalog", params(ImportQuery), security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportReport), (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn import_catalog(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<ImportQuery>,
    Body(bytes): Body,
) -> ApiResult<Json<ImportReport>> {
    let format = match &q.format {
        Some(f) => format_of(f)?,
        None => Format::detect("", &bytes),
    };
    let mode = match q.mode.as_deref() {
        None | Some("all") => ImportMode::AllOrNothing,
        Some("valid") => ImportMode::ValidOnly,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "mode 应为 all 或 valid，而不是“{other}”"
            )));
        }
    };
    let options = ImportOptions {
        mode,
        create_providers: q.create_providers.unwrap_or(false),
    };
    let report = run_import(&state, &user.0, bytes.to_vec(), format, options, |_| {}).await?;
    Ok(Json(report.into()))
}

/// Imports a catalog file as `user` (the API's and the console's imports alike): the
/// search index follows, and providers registered with it are audited by name.
pub(crate) async fn run_import(
    state: &AppState,
    user: &govshare_domain::access::Principal,
    bytes: Vec<u8>,
    format: Format,
    options: ImportOptions,
    progress: impl FnMut(usize) + Send + 'static,
) -> ApiResult<crate::catalog_import::ImportReport> {
    let caller = govshare_store::Caller::User(user.clone());
    let report = import_file(
        &*state.store.catalog,
        &caller,
        bytes,
        format,
        options,
        progress,
    )
    .await;
    if report.as_ref().is_ok_and(|r| r.imported > 0) {
        super::reindex(state).await;
    }
    let report = report?;
    if !report.providers.is_empty() {
        // The import registered organisations: recorded with them by name.
        let entry = AuditEntry {
            detail: format!(
                "导入目录{}条，同时登记提供方：{}",
                report.imported,
                report.providers.join("、")
            ),
            row_count: report.imported as i64,
            ..by_user(user, "catalog.import", "ok")
        };
        state.audit.record(entry).await?;
    }
    Ok(report)
}
