//! Liveness and readiness.

use crate::AppState;
use crate::error::ApiResult;
use crate::extract::Json;
use axum::extract::State;
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
    pub resources: i64,
    pub indexed: u64,
    pub version: &'static str,
}

/// Health of this node: the database answers and the index is loaded.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, body = Health), (status = 503, body = crate::error::ErrorBody)))]
pub async fn healthz(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    let resources = state.store.catalog.count_resources().await?;
    Ok(Json(Health {
        status: "ok",
        database: state.store.liveness.backend_name(),
        resources,
        indexed: state.search.num_docs(),
        version: env!("CARGO_PKG_VERSION"),
    }))
}

/// Counters of this node since it started, in the Prometheus text format: data calls
/// answered with data and audit entries made durable (each answer has its entry), and
/// the process's request latency per route (`govshare_http_request_duration_seconds`).
#[utoipa::path(get, path = "/metrics", tag = "system", responses((status = 200, content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> impl axum::response::IntoResponse {
    use std::sync::atomic::Ordering::Relaxed;
    let c = state.audit.counts();
    let text = format!(
        "# HELP govshare_share_answers_total Data calls answered with data by this node since it started.\n\
         # TYPE govshare_share_answers_total counter\n\
         govshare_share_answers_total {}\n\
         # HELP govshare_audit_entries_total Audit entries this node made durable since it started.\n\
         # TYPE govshare_audit_entries_total counter\n\
         govshare_audit_entries_total {}\n\
         # HELP govshare_audit_backlog Audit entries journaled but not yet in the database.\n\
         # TYPE govshare_audit_backlog gauge\n\
         govshare_audit_backlog {}\n",
        c.answers.load(Relaxed),
        c.entries.load(Relaxed),
        state.audit.backlog()
    ) + &crate::metrics::handle().render();
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        text,
    )
}
