//! Registered uses of unconditional resources over HTTP: register, list, answer a
//! registration under manual review, and the bureau's switch for that review. Each
//! step is an audit entry.

use crate::AppState;
use crate::audit::by_user;
use crate::auth::User;
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::extract::{Json, Query};
use crate::routes::requests::audited;
use crate::wire::{self, Registration};
use axum::extract::State;
use axum::http::StatusCode;
use govshare_domain::access::Principal;
use govshare_store::Caller;
use govshare_store::audit::log::AuditEntry;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRegistration {
    pub app_id: i64,
    /// The resource code, e.g. 101001/000001.
    pub resource: String,
    /// 使用用途: what the data is used for (4–500 characters).
    pub purpose: String,
    /// 应用场景: the business scenario.
    pub scenario: String,
}

fn entry(
    user: &Principal,
    action: &str,
    r: &Result<govshare_store::sharing::registrations::Registration, ApiError>,
) -> AuditEntry {
    let ok = r.as_ref().ok();
    AuditEntry {
        app_id: ok.map(|g| g.app_id),
        resource_code: ok.map(|g| g.resource_code.clone()).unwrap_or_default(),
        purpose: ok.map(|g| g.purpose.clone()).unwrap_or_default(),
        basis: ok
            .map(|g| format!("registration:{}", g.id))
            .unwrap_or_default(),
        detail: ok
            .map(|g| format!("{} {}", g.status, g.scenario))
            .unwrap_or_default(),
        ..by_user(user, action, "ok")
    }
}

type Stored = govshare_store::sharing::registrations::Registration;

/// Registers `app_id`'s use of `resource` as `user`, audited (the API's and the
/// console's).
pub(crate) async fn register(
    state: &AppState,
    user: &Principal,
    app_id: i64,
    resource: &str,
    purpose: &str,
    scenario: &str,
) -> ApiResult<Stored> {
    let result = state
        .store
        .duties
        .register_use(
            &Caller::User(user.clone()),
            app_id,
            resource,
            purpose,
            scenario,
        )
        .await
        .map_err(ApiError::from);
    let mut e = entry(user, "share.register", &result);
    if result.is_err() {
        (e.app_id, e.resource_code, e.purpose) =
            (Some(app_id), resource.to_string(), purpose.to_string());
    }
    audited(state, e, result).await
}

/// Approves or rejects registration `id` as `user`, audited (the API's and the
/// console's).
pub(crate) async fn settle(
    state: &AppState,
    user: &Principal,
    id: i64,
    approve: bool,
    reason: String,
) -> ApiResult<Stored> {
    let detail = format!(
        "registration:{id} {} {reason}",
        if approve { "approve" } else { "reject" }
    );
    let result = state
        .store
        .duties
        .answer_registration(&Caller::User(user.clone()), id, approve, reason)
        .await
        .map_err(ApiError::from);
    let e = AuditEntry {
        detail,
        ..entry(user, "share.register.answer", &result)
    };
    audited(state, e, result).await
}

/// Puts registrations of `code` under manual review or back, as `user`, audited (the
/// API's and the console's).
pub(crate) async fn review(
    state: &AppState,
    user: &Principal,
    code: &str,
    manual: bool,
) -> ApiResult<bool> {
    let result = state
        .store
        .duties
        .set_registration_review(&Caller::User(user.clone()), code, manual)
        .await
        .map_err(ApiError::from);
    let e = AuditEntry {
        resource_code: code.to_string(),
        detail: format!("manual={manual}"),
        ..by_user(user, "share.review.set", "ok")
    };
    audited(state, e, result).await
}

/// Registers an app's use of an unconditional resource: approved at once after the
/// conformity check (published, unconditional, purpose and scenario stated), or
/// `pending` where the bureau reviews the resource's registrations by hand.
#[utoipa::path(post, path = "/api/v1/share/registrations", tag = "sharing", request_body = NewRegistration, security(("bearer" = [])),
    responses((status = 201, body = Registration), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn register_use(
    State(state): State<AppState>,
    user: User,
    Json(body): Json<NewRegistration>,
) -> ApiResult<(StatusCode, Json<Registration>)> {
    let made = register(
        &state,
        &user.0,
        body.app_id,
        &body.resource,
        &body.purpose,
        &body.scenario,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(made.into())))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RegistrationsQuery {
    /// `approved`, `pending` or `rejected`.
    pub status: Option<String>,
    /// Only registrations below this id (the last id of the page before).
    pub before: Option<i64>,
    /// 1–1,000, default 100.
    pub limit: Option<i64>,
}

/// The registrations the caller is party to (its apps', and those on its
/// resources), one page, newest first; all of them for the bureau and auditors.
#[utoipa::path(get, path = "/api/v1/share/registrations", tag = "sharing", params(RegistrationsQuery), security(("bearer" = [])),
    responses((status = 200, body = [Registration]), (status = 401, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list_registrations(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<RegistrationsQuery>,
) -> ApiResult<Json<Vec<Registration>>> {
    if let Some(s) = &q.status
        && !["approved", "pending", "rejected"].contains(&s.as_str())
    {
        return Err(ApiError::BadRequest(
            "status 应为 approved、pending 或 rejected".into(),
        ));
    }
    let page = super::page(q.before, q.limit)?;
    Ok(Json(wire::all(
        state
            .store
            .duties
            .registrations(&user.caller(), q.status, page)
            .await?,
    )))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationAnswer {
    pub approve: bool,
    /// Required (at least 4 characters) when rejecting.
    #[serde(default)]
    pub reason: String,
}

/// The provider approves or rejects a pending registration (its admin or approver,
/// or the bureau).
#[utoipa::path(post, path = "/api/v1/share/registrations/{id}/answer", tag = "sharing", params(("id" = i64, Path)),
    request_body = RegistrationAnswer, security(("bearer" = [])),
    responses((status = 200, body = Registration), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn answer_registration(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Json(body): Json<RegistrationAnswer>,
) -> ApiResult<Json<Registration>> {
    let settled = settle(&state, &user.0, id, body.approve, body.reason).await?;
    Ok(Json(Registration::from(settled)))
}

#[derive(Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewSetting {
    /// True: registrations of this resource wait for the provider's approval.
    pub manual: bool,
}

/// The bureau puts a resource's registrations under manual review, or back to
/// automatic approval after the conformity check.
#[utoipa::path(put, path = "/api/v1/share/{class}/{seq}/review", tag = "sharing", params(("class" = String, Path), ("seq" = String, Path)),
    request_body = ReviewSetting, security(("bearer" = [])),
    responses((status = 200, body = ReviewSetting), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn set_review(
    State(state): State<AppState>,
    user: User,
    Path((class, seq)): Path<(String, String)>,
    Json(body): Json<ReviewSetting>,
) -> ApiResult<Json<ReviewSetting>> {
    let manual = review(&state, &user.0, &format!("{class}/{seq}"), body.manual).await?;
    Ok(Json(ReviewSetting { manual }))
}
