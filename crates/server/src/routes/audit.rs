//! Reading the audit log: the bureau sees every entry; an organisation sees its own
//! use of others' data and everyone's use of its own resources.

use crate::AppState;
use crate::auth::User;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::wire::{self, AuditRecord, ShareStats};
use axum::extract::State;
use govshare_store::audit::log::AuditScope;
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Entries before this sequence number (for the next page).
    pub before: Option<i64>,
    /// 1–1,000, default 100.
    pub limit: Option<i64>,
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
    responses((status = 200, body = [AuditRecord]), (status = 401, body = crate::error::ErrorBody)))]
pub async fn list_audit(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<AuditQuery>,
) -> ApiResult<Json<Vec<AuditRecord>>> {
    let limit = super::page(q.before, q.limit)?.limit;
    let scope = audit_scope(&user.0);
    state.audit.flush().await?;
    Ok(Json(wire::all(
        state
            .store
            .audit
            .audit_entries(scope, state.audit.node_id(), q.before, limit)
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
