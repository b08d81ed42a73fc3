//! Files of file-type resources: upload a new version, list versions, download one.

use crate::AppState;
use crate::auth::{MaybeUser, User};
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::extract::{Body, Json, Query};
use crate::wire::{self, FileVersion};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use govshare_store::catalog::files::NewFile;
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FileQuery {
    /// The file's name (shown and offered back on download).
    pub name: String,
    /// What changed in this version.
    pub note: Option<String>,
}

/// Stores the request body as the next version of the entry's file.
#[utoipa::path(post, path = "/api/v1/files/{class}/{seq}", tag = "files", params(("class" = String, Path), ("seq" = String, Path), FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"), security(("bearer" = [])),
    responses((status = 201, body = FileVersion), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn upload_file(
    State(state): State<AppState>,
    user: User,
    Path((class, seq)): Path<(String, String)>,
    Query(q): Query<FileQuery>,
    headers: axum::http::HeaderMap,
    Body(bytes): Body,
) -> ApiResult<(StatusCode, Json<FileVersion>)> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 200)
        .unwrap_or("application/octet-stream")
        .to_string();
    let note = q.note.unwrap_or_default();
    if note.chars().count() > 500 {
        return Err(ApiError::BadRequest("note 不超过500个字符".into()));
    }
    let file = NewFile {
        name: q.name,
        media_type,
        note,
        content: bytes.to_vec(),
    };
    let version = add_version(&state, &user.0, &format!("{class}/{seq}"), file).await?;
    Ok((StatusCode::CREATED, Json(version.into())))
}

/// Stores a new version of entry `code`'s file as `user` and audits it (the API's and
/// the console's uploads alike).
pub(crate) async fn add_version(
    state: &AppState,
    user: &govshare_domain::access::Principal,
    code: &str,
    file: NewFile,
) -> ApiResult<govshare_store::catalog::files::FileVersion> {
    let version = state
        .store
        .catalog
        .add_file(&govshare_store::Caller::User(user.clone()), code, file)
        .await?;
    let entry = govshare_store::audit::log::AuditEntry {
        resource_code: code.to_string(),
        detail: format!(
            "version:{} {} {} bytes sha256:{}",
            version.version, version.name, version.size, version.sha256
        ),
        ..crate::audit::by_user(user, "file.upload", "ok")
    };
    state.audit.record(entry).await?;
    Ok(version)
}

/// The versions of an entry's file, newest first.
#[utoipa::path(get, path = "/api/v1/files/{class}/{seq}", tag = "files", params(("class" = String, Path), ("seq" = String, Path)),
    responses((status = 200, body = [FileVersion]), (status = 404, body = crate::error::ErrorBody)))]
pub async fn list_files(
    State(state): State<AppState>,
    user: MaybeUser,
    Path((class, seq)): Path<(String, String)>,
) -> ApiResult<Json<Vec<FileVersion>>> {
    Ok(Json(wire::all(
        state
            .store
            .catalog
            .files(&user.caller(), &format!("{class}/{seq}"))
            .await?,
    )))
}

/// One version's bytes (`latest` for the newest), with its checksum as ETag.
#[utoipa::path(get, path = "/api/v1/files/{class}/{seq}/{version}", tag = "files", params(("class" = String, Path), ("seq" = String, Path), ("version" = String, Path)),
    security(("bearer" = [])), responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn download_file(
    State(state): State<AppState>,
    user: User,
    Path((class, seq, version)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let version = version_in_path(&version)?;
    let (meta, content) = state
        .store
        .catalog
        .file_content(&user.caller(), &format!("{class}/{seq}"), version)
        .await?;
    Ok(file_response(&meta, content))
}

/// `latest` or a version number.
pub(crate) fn version_in_path(version: &str) -> ApiResult<Option<i64>> {
    match version {
        "latest" => Ok(None),
        v => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::BadRequest(format!("版本“{v}”应为正整数或 latest"))),
    }
}

/// A file's bytes with its type, name (RFC 6266 / 5987: the UTF-8 name percent-encoded,
/// an ASCII fallback beside it) and its checksum as ETag.
/// Types a stored file is served as; anything else (HTML, SVG, scripts, whatever an
/// uploader claimed) goes out as `application/octet-stream`, always as an attachment
/// and with `nosniff`, so that no upload runs in the browser as a page of this site.
const SAFE_TYPES: &[&str] = &[
    "application/pdf",
    "application/zip",
    "application/json",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/msword",
    "text/csv",
    "text/plain",
    "image/png",
    "image/jpeg",
    "image/gif",
];

fn served_type(claimed: &str) -> HeaderValue {
    let base = claimed
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if SAFE_TYPES.contains(&base.as_str()) {
        let shown = if base.starts_with("text/") {
            format!("{base}; charset=utf-8")
        } else {
            base
        };
        if let Ok(v) = HeaderValue::from_str(&shown) {
            return v;
        }
    }
    HeaderValue::from_static("application/octet-stream")
}

pub(crate) fn file_response(
    meta: &govshare_store::catalog::files::FileVersion,
    content: Vec<u8>,
) -> Response {
    let mut response = content.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, served_type(&meta.media_type));
    let encoded: String = meta
        .name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"file-v{}\"; filename*=UTF-8''{encoded}",
        meta.version
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", meta.sha256)) {
        h.insert(header::ETAG, v);
    }
    response
}
