//! Error reports (纠错) over HTTP: an app reports, the provider closes; audited.

use crate::AppState;
use crate::audit::by_user;
use crate::auth::{App, User};
use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::extract::{Json, Query};
use crate::routes::share::outcome_of;
use crate::wire::{self, Correction, NewCorrection};
use axum::extract::State;
use axum::http::StatusCode;
use govshare_store::audit::log::AuditEntry;
use serde::Deserialize;

fn entry(c: &Result<govshare_store::sharing::corrections::Correction, ApiError>) -> AuditEntry {
    let ok = c.as_ref().ok();
    AuditEntry {
        items: ok.map(|c| c.item.clone()).unwrap_or_default(),
        resource_code: ok.map(|c| c.resource_code.clone()).unwrap_or_default(),
        detail: ok
            .map(|c| format!("correction:{} {} {}", c.id, c.state, c.key.join(",")))
            .unwrap_or_else(|| c.as_ref().err().map(|e| e.to_string()).unwrap_or_default()),
        outcome: outcome_of(c),
        ..Default::default()
    }
}

/// An app reports a value it believes wrong (an item it may read), with the value it
/// proposes and its evidence; the provider must answer within 10 working days.
#[utoipa::path(post, path = "/api/v1/share/{class}/{seq}/corrections", tag = "sharing", params(("class" = String, Path), ("seq" = String, Path)),
    request_body = NewCorrection, security(("app_key" = [])),
    responses((status = 201, body = Correction), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn report_error(
    State(state): State<AppState>,
    App(app): App,
    Path((class, seq)): Path<(String, String)>,
    Json(body): Json<NewCorrection>,
) -> ApiResult<(StatusCode, Json<Correction>)> {
    let code = format!("{class}/{seq}");
    let reported = state
        .store
        .duties
        .report_error(&app, &code, body.into())
        .await;
    // A report under a grant counts a visit, also when no row has its key.
    let (basis, visits, result) = match reported {
        Ok(r) => (r.basis.label(), r.visits, r.filed.map_err(ApiError::from)),
        Err(e) => (String::new(), 0, Err(ApiError::from(e))),
    };
    let e = AuditEntry {
        actor: app.name.clone(),
        app_id: Some(app.app_id),
        org_id: Some(app.org_id),
        action: "correction.report".into(),
        resource_code: code,
        basis,
        visits,
        ..entry(&result)
    };
    state.audit.record(e).await?;
    Ok((StatusCode::CREATED, Json(result?.into())))
}

/// The reports the caller is party to (all for the bureau and auditors), with
/// `overdue` flags; one page, newest first.
#[utoipa::path(get, path = "/api/v1/share/corrections", tag = "sharing", params(super::PageQuery), security(("bearer" = [])),
    responses((status = 200, body = [Correction]), (status = 400, body = crate::error::ErrorBody), (status = 401, body = crate::error::ErrorBody)))]
pub async fn list_corrections(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<super::PageQuery>,
) -> ApiResult<Json<Vec<Correction>>> {
    let page = super::page(q.before, q.limit)?;
    Ok(Json(wire::all(
        state.store.duties.corrections(&user.caller(), page).await?,
    )))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionAnswer {
    /// true: the value is fixed in the pool now; false: not corrected (a reason is required).
    pub accept: bool,
    #[serde(default)]
    pub note: String,
}

/// The provider closes a report (its users, or the bureau).
#[utoipa::path(post, path = "/api/v1/share/corrections/{id}/answer", tag = "sharing", params(("id" = i64, Path)), request_body = CorrectionAnswer, security(("bearer" = [])),
    responses((status = 200, body = Correction), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn answer_correction(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<i64>,
    Json(body): Json<CorrectionAnswer>,
) -> ApiResult<Json<Correction>> {
    let answered = close_report(&state, &user.0, id, body.accept, body.note).await?;
    Ok(Json(Correction::from(answered)))
}

/// Closes an error report as `user` (the API's and the console's) and audits it.
pub(crate) async fn close_report(
    state: &AppState,
    user: &govshare_domain::access::Principal,
    id: i64,
    accept: bool,
    note: String,
) -> ApiResult<govshare_store::sharing::corrections::Correction> {
    let result = state
        .store
        .duties
        .answer_correction(
            &govshare_store::Caller::User(user.clone()),
            id,
            accept,
            note,
        )
        .await
        .map_err(ApiError::from);
    let base = by_user(user, "correction.answer", "ok");
    let e = AuditEntry {
        actor: base.actor,
        org_id: base.org_id,
        action: base.action,
        ..entry(&result)
    };
    state.audit.record(e).await?;
    result
}
