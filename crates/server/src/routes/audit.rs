//! Reading the audit log: the bureau sees every entry; an organisation sees its own
//! use of others' data and everyone's use of its own resources.

use crate::AppState;
use crate::auth::User;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::wire::{self, AuditRecord, ShareStats};
use axum::extract::State;
use govshare_store::audit::log::{AuditFilter, AuditScope};
use serde::Deserialize;

/// A page of the listing and which entries to keep (the API's query and the
/// console's form); each given filter narrows the listing.
#[derive(Deserialize, utoipa::IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Entries before this sequence number (for the next page).
    pub before: Option<i64>,
    /// 1–1,000, default 100.
    pub limit: Option<i64>,
    /// The credit code of the organisation that acted.
    pub org: Option<String>,
    /// The app that called.
    pub app: Option<i64>,
    /// The resource code.
    pub resource: Option<String>,
    /// ok, denied, not_found, throttled, invalid, unauthorized, conflict or failed.
    pub outcome: Option<String>,
    /// First day (China time), e.g. 2026-12-01.
    pub from: Option<chrono::NaiveDate>,
    /// Last day, inclusive.
    pub to: Option<chrono::NaiveDate>,
}

/// The start of a China-time day as the log stores times (UTC, RFC 3339).
fn day_start(day: chrono::NaiveDate) -> String {
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is an offset");
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(beijing).single())
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_or_else(String::new, |t| {
            t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
        })
}

impl AuditQuery {
    /// The filter the store applies; an organisation that is not registered is an error.
    pub(crate) async fn resolve(&self, state: &AppState) -> ApiResult<AuditFilter> {
        let org_id = match self.org.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => Some(state.store.orgs.org_by_code(code).await?.id),
            None => None,
        };
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| t.chars().take(100).collect::<String>())
        };
        Ok(AuditFilter {
            org_id,
            app_id: self.app,
            resource_code: text(&self.resource),
            outcome: text(&self.outcome),
            from: self.from.map(day_start),
            to: self.to.and_then(|d| d.succ_opt()).map(day_start),
        })
    }
}

/// Which entries a user reads: the bureau and auditors all, others their
/// organisation's use of data and everyone's use of its resources.
pub(crate) fn audit_scope(p: &govshare_domain::access::Principal) -> AuditScope {
    if p.is_bureau() || p.is_auditor() {
        AuditScope::All
    } else {
        AuditScope::Org(p.org_id)
    }
}

/// This node's audit entries, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "sharing", params(AuditQuery), security(("bearer" = [])),
    responses((status = 200, body = [AuditRecord]), (status = 401, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody, description = "the organisation filtered on is not registered")))]
pub async fn list_audit(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<Vec<AuditRecord>>> {
    let limit = super::page(q.before, q.limit)?.limit;
    let scope = audit_scope(&user.0);
    let filter = q.resolve(&state).await?;
    state.audit.flush().await?;
    Ok(Json(wire::all(
        state
            .store
            .audit
            .audit_entries(scope, state.audit.node_id(), filter, q.before, limit)
            .await?,
    )))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// First day (China time), e.g. 2026-12-01.
    pub from: Option<chrono::NaiveDate>,
    /// Last day, inclusive.
    pub to: Option<chrono::NaiveDate>,
}

/// Auditors and the bureau see the whole city's calls; others their organisation's.
pub(crate) fn stats_view(
    p: &govshare_domain::access::Principal,
) -> govshare_domain::access::Visibility {
    if p.is_auditor() {
        govshare_domain::access::Visibility::All
    } else {
        govshare_store::Caller::User(p.clone()).visibility()
    }
}

/// Answered data calls by day, consumer, provider and resource, with totals. The
/// bureau sees all; an organisation its own calls and the calls to its resources.
#[utoipa::path(get, path = "/api/v1/share/stats", tag = "sharing", params(StatsQuery), security(("bearer" = [])),
    responses((status = 200, body = ShareStats), (status = 401, body = crate::error::ErrorBody)))]
pub async fn share_stats(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<StatsQuery>,
) -> ApiResult<Json<ShareStats>> {
    if let (Some(f), Some(t)) = (q.from, q.to)
        && t < f
    {
        return Err(ApiError::BadRequest("to 不能早于 from".into()));
    }
    state.audit.flush().await?;
    Ok(Json(ShareStats::from(
        state
            .store
            .audit
            .share_stats(stats_view(&user.0), q.from, q.to)
            .await?,
    )))
}
