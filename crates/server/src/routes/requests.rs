//! Conditional requests over HTTP: apply, answer (approve, reject, ask once for more
//! material), supply material, revoke grants, keep the deadline calendar. Each step
//! is an audit entry.

use crate::AppState;
use crate::audit::by_user;
use crate::auth::User;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::extract::{Json, Query};
use crate::routes::share::outcome_of;
use crate::wire::{self, Answer, GrantInfo, NewRequest, RequestInfo, Scope};
use axum::extract::State;
use axum::http::StatusCode;
use govshare_domain::access::Principal;
use govshare_store::Caller;
use govshare_store::audit::log::AuditEntry;
use serde::Deserialize;

/// Records a user's step and hands back its result.
pub(crate) async fn audited<T>(
    state: &AppState,
    entry: AuditEntry,
    result: Result<T, ApiError>,
) -> ApiResult<T> {
    let entry = AuditEntry {
        outcome: outcome_of(&result),
        ..entry
    };
    state.audit.record(entry).await?;
    result
}

fn request_entry(
    user: &Principal,
    action: &str,
    r: &Result<govshare_store::sharing::requests::RequestInfo, ApiError>,
    code: &str,
) -> AuditEntry {
    let ok = r.as_ref().ok();
    AuditEntry {
        app_id: ok.map(|q| q.app_id),
        resource_code: ok.map_or(code.to_string(), |q| q.resource_code.clone()),
        purpose: ok.map(|q| q.purpose.clone()).unwrap_or_default(),
        items: ok.map(|q| q.scope.items.join(",")).unwrap_or_default(),
        basis: ok
            .and_then(|q| q.grant_id)
            .map(|g| format!("grant:{g}"))
            .unwrap_or_default(),
        detail: ok
            .map(|q| format!("request:{} {}", q.id, q.state.code()))
            .unwrap_or_default(),
        ..by_user(user, action, "ok")
    }
}

type Made = govshare_store::sharing::requests::RequestInfo;

/// Applies as `user` and audits the attempt (the API's and the console's).
pub(crate) async fn make_request(
    state: &AppState,
    user: &Principal,
    req: govshare_store::sharing::requests::NewRequest,
) -> ApiResult<Made> {
    let code = req.resource.clone();
    let result = state
        .store
        .duties
        .apply(&Caller::User(user.clone()), req)
        .await
        .map_err(ApiError::from);
    let entry = request_entry(user, "request.apply", &result, &code);
    audited(state, entry, result).await
}

/// Answers request `id` as `user` and audits the attempt (the API's and the console's).
pub(crate) async fn decide(
    state: &AppState,
    user: &Principal,
    id: i64,
    answer: govshare_domain::sharing::request::Answer,
    note: String,
    scope: Option<govshare_domain::sharing::request::Scope>,
) -> ApiResult<Made> {
    use govshare_domain::sharing::request::Answer as Step;
    let action = match answer {
        Step::Approve => "request.approve",
        Step::Reject => "request.reject",
        Step::AskMore => "request.ask_more",
    };
    let result = state
        .store
        .duties
        .answer_request(&Caller::User(user.clone()), id, answer, note, scope)
        .await
        .map_err(ApiError::from);
    let entry = request_entry(user, action, &result, "");
    audited(state, entry, result).await
}

/// Supplies the material asked for on request `id` as `user`, audited (the API's and
/// the console's).
pub(crate) async fn add_material(
    state: &AppState,
    user: &Principal,
    id: i64,
    material: String,
) -> ApiResult<Made> {
    let result = state
        .store
        .duties
        .supply_material(&Caller::User(user.clone()), id, material)
        .await
        .map_err(ApiError::from);
    let entry = request_entry(user, "request.material", &result, "");
    audited(state, entry, result).await
}

/// Applies for a conditional resource for one of the caller's apps: items (and
/// those wanted in clear), purpose, legal basis, period and visit quotas. The
/// provider's answer is due in 10 working days.
#[utoipa::path(post, path = "/api/v1/share/requests", tag = "sharing", request_body = NewRequest, security(("bearer" = [])),
    responses((status = 201, body = RequestInfo), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn apply_request(
    State(state): State<AppState>,
    user: User,
    Json(body): Json<NewRequest>,
) -> ApiResult<(StatusCode, Json<RequestInfo>)> {
    let made = make_request(&state, &user.0, body.into()).await?;
    Ok((StatusCode::CREATED, Json(made.into())))
}

/// The requests the caller is party to (all of them for the bureau and auditors), one
/// page, newest first;
/// `overdue` marks those past their deadline without an answer.
#[utoipa::path(get, path = "/api/v1/share/requests", tag = "sharing", params(super::PageQuery), security(("bearer" = [])),
    responses((status = 200, body = [RequestInfo]), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody)))]
pub async fn list_requests(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<super::PageQuery>,
) -> ApiResult<Json<Vec<RequestInfo>>> {
    let page = super::page(q.before, q.limit)?;
    Ok(Json(wire::all(
        state.store.duties.requests(&user.caller(), page).await?,
    )))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    pub answer: Answer,
    /// The reason of a refusal, or all the material asked for.
    #[serde(default)]
    pub note: String,
    /// For an approval: a narrower scope than asked (default: as asked).
    pub scope: Option<Scope>,
}

/// The provider answers a request (its admin, or the bureau).
#[utoipa::path(post, path = "/api/v1/share/requests/{id}/answer", tag = "sharing", params(("id" = i64, Path)), request_body = AnswerBody, security(("bearer" = [])),
    responses((status = 200, body = RequestInfo), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn answer_request(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Json(body): Json<AnswerBody>,
) -> ApiResult<Json<RequestInfo>> {
    let answered = decide(
        &state,
        &user.0,
        id,
        body.answer.into(),
        body.note,
        body.scope.map(Into::into),
    )
    .await?;
    Ok(Json(RequestInfo::from(answered)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaterialBody {
    pub material: String,
}

/// The applicant supplies the material asked for; the request waits for an answer again.
#[utoipa::path(post, path = "/api/v1/share/requests/{id}/material", tag = "sharing", params(("id" = i64, Path)), request_body = MaterialBody, security(("bearer" = [])),
    responses((status = 200, body = RequestInfo), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn supply_material(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Json(body): Json<MaterialBody>,
) -> ApiResult<Json<RequestInfo>> {
    Ok(Json(RequestInfo::from(
        add_material(&state, &user.0, id, body.material).await?,
    )))
}

/// Revokes a grant at once (the provider's admin, or the bureau).
#[utoipa::path(post, path = "/api/v1/share/grants/{id}/revoke", tag = "sharing", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = GrantInfo), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn revoke_grant(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
) -> ApiResult<Json<GrantInfo>> {
    Ok(Json(GrantInfo::from(end_grant(&state, &user.0, id).await?)))
}

/// Revokes a grant as `user` and audits the attempt (the API's and the console's).
pub(crate) async fn end_grant(
    state: &AppState,
    user: &govshare_domain::access::Principal,
    id: i64,
) -> ApiResult<govshare_store::sharing::requests::GrantInfo> {
    let result = state
        .store
        .duties
        .revoke_grant(&govshare_store::Caller::User(user.clone()), id)
        .await
        .map_err(ApiError::from);
    let entry = AuditEntry {
        app_id: result.as_ref().ok().map(|g| g.app_id),
        resource_code: result
            .as_ref()
            .map(|g| g.resource_code.clone())
            .unwrap_or_default(),
        basis: format!("grant:{id}"),
        ..by_user(user, "grant.revoke", "ok")
    };
    audited(state, entry, result).await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarDay {
    pub day: chrono::NaiveDate,
    /// true: a working weekend day (调休上班); false: a day off.
    pub working: bool,
}

/// Sets days of the answer-deadline calendar (bureau only).
#[utoipa::path(put, path = "/api/v1/share/calendar", tag = "sharing", request_body = Vec<CalendarDay>, security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody)))]
pub async fn set_calendar(
    State(state): State<AppState>,
    user: User,
    Json(days): Json<Vec<CalendarDay>>,
) -> ApiResult<StatusCode> {
    if days.len() > 1000 {
        return Err(ApiError::BadRequest("一次最多设置1000天".into()));
    }
    state
        .store
        .duties
        .set_calendar(
            &user.caller(),
            days.into_iter().map(|d| (d.day, d.working)).collect(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts a day of the answer-deadline calendar back to the weekday rule (bureau only);
/// 404 when the day was not set.
#[utoipa::path(delete, path = "/api/v1/share/calendar/{day}", tag = "sharing", params(("day" = chrono::NaiveDate, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn clear_calendar_day(
    State(state): State<AppState>,
    user: User,
    Path(day): Path<chrono::NaiveDate>,
) -> ApiResult<StatusCode> {
    let cleared = state
        .store
        .duties
        .clear_calendar(&user.caller(), vec![day])
        .await?;
    match cleared {
        0 => Err(govshare_domain::Error::not_found("工作日历中的日期", day.to_string()).into()),
        _ => Ok(StatusCode::NO_CONTENT),
    }
}
