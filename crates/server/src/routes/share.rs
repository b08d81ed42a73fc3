//! The sharing API (共享接口): apps register their use of unconditional resources,
//! look rows up by key and verify claimed values. Every call — answered or refused —
//! is an audit entry, durable before the answer leaves.

use crate::AppState;
use crate::audit::digest;
use crate::auth::App;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::extract::{Json, Query};
use crate::wire::{self, Wired};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use govshare_store::audit::log::AuditEntry;
use govshare_store::catalog::files::SharedFiles;
use govshare_store::org::apps::AppPrincipal;
use govshare_store::sharing::query::{QuerySpec, SharedRows};
use govshare_store::sharing::reads::{SharedChanges, SharedRow, Verification};
use serde::Deserialize;

/// The audit word for a call's result.
pub(crate) fn outcome_of<T>(r: &Result<T, ApiError>) -> String {
    use govshare_domain::Error as E;
    match r {
        Ok(_) => "ok",
        Err(ApiError::Domain(E::Forbidden(_))) => "denied",
        Err(ApiError::Domain(E::NotFound { .. })) => "not_found",
        Err(
            ApiError::Domain(E::Invalid(_) | E::BadCursor(_))
            | ApiError::BadRequest(_)
            | ApiError::TooLarge(_)
            | ApiError::UriTooLong(_),
        ) => "invalid",
        Err(ApiError::Unauthorized) => "unauthorized",
        Err(ApiError::RateLimited(_) | ApiError::TooManyAttempts(_)) => "throttled",
        Err(ApiError::Domain(E::Conflict(_))) => "conflict",
        Err(ApiError::Domain(E::Exhausted(_) | E::ProbeLimit(_))) => "exhausted",
        Err(_) => "failed",
    }
    .into()
}

/// The start of an app call's audit entry: who called, what, on which resource, how it
/// ended; the caller adds what was served.
fn app_entry(app: &AppPrincipal, action: &str, code: &str, outcome: String) -> AuditEntry {
    AuditEntry {
        actor: app.name.clone(),
        app_id: Some(app.app_id),
        org_id: Some(app.org_id),
        action: action.into(),
        resource_code: code.into(),
        outcome,
        ..Default::default()
    }
}

/// An app's call, audited: the entry records what was asked and what was served,
/// and the answer goes out only once the entry is durable.
async fn audited<T: Wired>(
    state: &AppState,
    app: &AppPrincipal,
    action: &str,
    code: &str,
    asked: String,
    result: Result<T, ApiError>,
    describe: impl FnOnce(&T, &mut AuditEntry),
) -> ApiResult<Response> {
    let visits = result.as_ref().map_or(0, Wired::visits);
    audited_counting(state, app, action, code, (asked, visits), result, describe).await
}

/// As `audited`, for an answer that counted `visits` and may then have been turned
/// into a refusal (a lookup of a key no row has counts its visit all the same).
async fn audited_counting<T: Wired>(
    state: &AppState,
    app: &AppPrincipal,
    action: &str,
    code: &str,
    (asked, visits): (String, i64),
    result: Result<T, ApiError>,
    describe: impl FnOnce(&T, &mut AuditEntry),
) -> ApiResult<Response> {
    let mut entry = app_entry(app, action, code, outcome_of(&result));
    entry.detail = asked;
    entry.visits = visits;
    let body = match result {
        Ok(value) => {
            describe(&value, &mut entry);
            let body = serde_json::to_vec(&T::Wire::from(value))
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            entry.digest = digest(&body);
            Ok(body)
        }
        Err(e) => {
            let said = e.to_string();
            entry.detail = if entry.detail.is_empty() {
                said
            } else {
                format!("{said}; {}", entry.detail)
            };
            Err(e)
        }
    };
    state.audit.record(entry).await?;
    let body = body?;
    state.audit.answered();
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LookupQuery {
    /// Items wanted, by name or column code, comma-separated (default: all allowed).
    pub items: Option<String>,
}

/// Splits a key path segment: composite keys give their values in order, separated
/// by commas.
fn key_parts(key: &str) -> Vec<String> {
    key.split(',').map(str::to_string).collect()
}

/// Looks up the row with a key: the items the sharing rules allow, masked where they
/// say, naming the basis served under.
#[utoipa::path(get, path = "/api/v1/share/{class}/{seq}/rows/{key}", tag = "sharing",
    params(("class" = String, Path), ("seq" = String, Path), ("key" = String, Path, description = "the key value; composite keys comma-separated"), LookupQuery),
    security(("app_key" = [])),
    responses((status = 200, body = wire::SharedRow), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)))]
pub async fn share_lookup(
    State(state): State<AppState>,
    App(app): App,
    Path((class, seq, key)): Path<(String, String, String)>,
    Query(q): Query<LookupQuery>,
) -> ApiResult<Response> {
    let code = format!("{class}/{seq}");
    let result = state
        .store
        .sharing
        .share_lookup(&app, &code, key_parts(&key), items_of(q))
        .await;
    answer_row(&state, &app, &code, result).await
}

/// Looks up the row a change feed entry refers to (its `row`), for an app whose basis
/// does not show it the key: the same answer as a lookup by key.
#[utoipa::path(get, path = "/api/v1/share/{class}/{seq}/refs/{reference}", tag = "sharing",
    params(("class" = String, Path), ("seq" = String, Path), ("reference" = String, Path, description = "a change's `row`"), LookupQuery),
    security(("app_key" = [])),
    responses((status = 200, body = wire::SharedRow), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)))]
pub async fn share_lookup_ref(
    State(state): State<AppState>,
    App(app): App,
    Path((class, seq, reference)): Path<(String, String, String)>,
    Query(q): Query<LookupQuery>,
) -> ApiResult<Response> {
    let code = format!("{class}/{seq}");
    let result = state
        .store
        .sharing
        .share_lookup_ref(&app, &code, &reference, items_of(q))
        .await;
    answer_row(&state, &app, &code, result).await
}

fn items_of(q: LookupQuery) -> Option<Vec<String>> {
    q.items.map(|s| {
        s.split(',')
            .map(|i| i.trim().to_string())
            .filter(|i| !i.is_empty())
            .collect()
    })
}

/// A looked-up row, or 404 when no row has the key (the key asked is not repeated:
/// a reference must not be turned back into one).
async fn answer_row(
    state: &AppState,
    app: &AppPrincipal,
    code: &str,
    result: govshare_store::Result<SharedRow>,
) -> ApiResult<Response> {
    let visits = result.as_ref().map_or(0, |r| r.visits);
    let result = result
        .map_err(ApiError::from)
        .and_then(|row| match row.row {
            Some(_) => Ok(row),
            None => Err(govshare_domain::Error::not_found("数据", "该主键").into()),
        });
    audited_counting(
        state,
        app,
        "share.lookup",
        code,
        (String::new(), visits),
        result,
        |row: &SharedRow, e| {
            e.basis = row.basis.label();
            e.purpose = row.purpose.clone();
            e.row_count = 1;
            e.items = row.audit_items.to_string();
        },
    )
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The key items' values, in order.
    pub key: Vec<String>,
    /// Item (name or column code) → the value claimed, e.g. `{"姓名": "张三"}`.
    pub claims: std::collections::BTreeMap<String, String>,
}

/// Verifies claimed values (核验): match or mismatch per item, no data returned.
#[utoipa::path(post, path = "/api/v1/share/{class}/{seq}/verify", tag = "sharing", params(("class" = String, Path), ("seq" = String, Path)),
    request_body = VerifyRequest, security(("app_key" = [])),
    responses((status = 200, body = wire::Verification), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)))]
pub async fn share_verify(
    State(state): State<AppState>,
    App(app): App,
    Path((class, seq)): Path<(String, String)>,
    Json(body): Json<VerifyRequest>,
) -> ApiResult<Response> {
    let code = format!("{class}/{seq}");
    let result = state
        .store
        .sharing
        .share_verify(&app, &code, body.key, body.claims)
        .await
        .map_err(ApiError::from);
    audited(
        &state,
        &app,
        "share.verify",
        &code,
        String::new(),
        result,
        |v: &Verification, e| {
            e.basis = v.basis.label();
            e.purpose = v.purpose.clone();
            e.row_count = i64::from(v.found);
            e.items = v.matches.keys().cloned().collect::<Vec<_>>().join(",");
        },
    )
    .await
}

/// A key's values: one string, or the values of a composite key in order.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum KeyValue {
    One(String),
    Parts(Vec<String>),
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchLookup {
    /// Up to 1,000 keys.
    pub keys: Vec<KeyValue>,
    /// Items wanted (default: all the basis allows).
    pub items: Option<Vec<String>>,
}

/// What an answered page leaves in its audit entry.
fn describe_page(p: &SharedRows, e: &mut AuditEntry) {
    e.basis = p.basis.label();
    e.purpose = p.purpose.clone();
    e.row_count = p.rows.len() as i64;
    if !p.rows.is_empty() {
        e.items = p.audit_items.to_string();
    }
}

/// Looks up to 1,000 keys at once: the rows found and the keys missing. Under a grant
/// every key counts as a visit.
#[utoipa::path(post, path = "/api/v1/share/{class}/{seq}/lookup", tag = "sharing", params(("class" = String, Path), ("seq" = String, Path)),
    request_body = BatchLookup, security(("app_key" = [])),
    responses((status = 200, body = wire::SharedRows), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)))]
pub async fn share_batch(
    State(state): State<AppState>,
    App(app): App,
    Path((class, seq)): Path<(String, String)>,
    Json(body): Json<BatchLookup>,
) -> ApiResult<Response> {
    let code = format!("{class}/{seq}");
    let asked = body.keys.len();
    let keys = body
        .keys
        .into_iter()
        .map(|k| match k {
            KeyValue::One(s) => vec![s],
            KeyValue::Parts(p) => p,
        })
        .collect();
    let result = state
        .store
        .sharing
        .share_batch(&app, &code, keys, body.items)
        .await
        .map_err(ApiError::from);
    audited(
        &state,
        &app,
        "share.batch",
        &code,
        format!("keys={asked}"),
        result,
        describe_page,
    )
    .await
}

/// A query's filters, items and cursor (by its digest), for the audit entry.
fn query_asked(spec: &QuerySpec) -> String {
    let filters = serde_json::to_string(&spec.filters).unwrap_or_default();
    let mut asked = format!("filters={filters}");
    if let Some(items) = &spec.items {
        asked.push_str(&format!(" items={}", items.join(",")));
    }
    if let Some(after) = &spec.after {
        asked.push_str(&format!(" after={}", &digest(after.as_bytes())[..16]));
    }
    asked
}

/// Queries a pool: filters on allowed items (masked items by equality only), a
/// projection, pages in key order (`after` = the previous page's `next`), at most
/// 1,000 rows a page. Under a grant every row served counts as a visit.
#[utoipa::path(post, path = "/api/v1/share/{class}/{seq}/query", tag = "sharing", params(("class" = String, Path), ("seq" = String, Path)),
    request_body = wire::QuerySpec, security(("app_key" = [])),
    responses((status = 200, body = wire::SharedRows), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)))]
pub async fn share_query(
    State(state): State<AppState>,
    App(app): App,
    Path((class, seq)): Path<(String, String)>,
    Json(spec): Json<wire::QuerySpec>,
) -> ApiResult<Response> {
    let spec = QuerySpec::from(spec);
    let code = format!("{class}/{seq}");
    // What was asked stays on record, answered or not: a run of probes shows afterwards.
    let asked = query_asked(&spec);
    let result = state
        .store
        .sharing
        .share_query(&app, &code, spec)
        .await
        .map_err(ApiError::from);
    audited(
        &state,
        &app,
        "share.query",
        &code,
        asked,
        result,
        describe_page,
    )
    .await
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    /// Changes after this sequence number (0 for all).
    #[serde(default)]
    pub since: i64,
    /// 1–10,000, default 1,000.
    pub limit: Option<i64>,
}

/// The pool's change feed for an app that may read it: which keys changed since a
/// sequence number (masked where the key is), to fetch again by lookup.
#[utoipa::path(get, path = "/api/v1/share/{class}/{seq}/changes", tag = "sharing", params(("class" = String, Path), ("seq" = String, Path), ChangesQuery),
    security(("app_key" = [])),
    responses((status = 200, body = wire::SharedChanges), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn share_changes(
    State(state): State<AppState>,
    App(app): App,
    Path((class, seq)): Path<(String, String)>,
    Query(q): Query<ChangesQuery>,
) -> ApiResult<Response> {
    let limit = q.limit.unwrap_or(1000);
    if !(1..=10_000).contains(&limit) {
        return Err(ApiError::BadRequest("limit 应在1到10000之间".into()));
    }
    let code = format!("{class}/{seq}");
    let result = state
        .store
        .sharing
        .share_changes(&app, &code, q.since, limit)
        .await
        .map_err(ApiError::from);
    audited(
        &state,
        &app,
        "share.changes",
        &code,
        String::new(),
        result,
        |ch: &SharedChanges, e| {
            e.basis = ch.basis.label();
            e.row_count = ch.changes.len() as i64;
        },
    )
    .await
}

/// The versions of a file-type resource's file, for an app whose basis gives every
/// item in clear (a file is served whole or not at all).
#[utoipa::path(get, path = "/api/v1/share/{class}/{seq}/files", tag = "sharing", params(("class" = String, Path), ("seq" = String, Path)),
    security(("app_key" = [])),
    responses((status = 200, body = wire::SharedFiles), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 503, body = crate::error::ErrorBody)))]
pub async fn share_files(
    State(state): State<AppState>,
    App(app): App,
    Path((class, seq)): Path<(String, String)>,
) -> ApiResult<Response> {
    let code = format!("{class}/{seq}");
    let result = state
        .store
        .sharing
        .share_files(&app, &code)
        .await
        .map_err(ApiError::from);
    audited(
        &state,
        &app,
        "share.files",
        &code,
        String::new(),
        result,
        |f: &SharedFiles, e| {
            e.basis = f.basis.label();
            e.purpose = f.purpose.clone();
            e.row_count = f.files.len() as i64;
        },
    )
    .await
}

/// Downloads one version (`latest` or its number) of a file-type resource's file
/// under the sharing rules; the audit entry holds the file's SHA-256 and the answer
/// goes out only once it is durable. A visit under a grant.
#[utoipa::path(get, path = "/api/v1/share/{class}/{seq}/files/{version}", tag = "sharing",
    params(("class" = String, Path), ("seq" = String, Path), ("version" = String, Path, description = "`latest` or a version number")),
    security(("app_key" = [])),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 401, body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody),
        (status = 503, body = crate::error::ErrorBody)))]
pub async fn share_file(
    State(state): State<AppState>,
    App(app): App,
    Path((class, seq, version)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let code = format!("{class}/{seq}");
    let version = crate::routes::files::version_in_path(&version)?;
    let result = state
        .store
        .sharing
        .share_file(&app, &code, version)
        .await
        .map_err(ApiError::from);
    let mut entry = app_entry(&app, "share.file", &code, outcome_of(&result));
    match &result {
        Ok(f) => {
            entry.visits = f.visits;
            entry.basis = f.basis.label();
            entry.purpose = f.purpose.clone();
            entry.row_count = 1;
            entry.items = format!("file:v{}", f.file.version);
            entry.digest = f.file.sha256.clone();
        }
        Err(e) => entry.detail = e.to_string(),
    }
    state.audit.record(entry).await?;
    let f = result?;
    state.audit.answered();
    Ok(crate::routes::files::file_response(&f.file, f.content))
}
