//! The API's routes, one module per resource.

mod apps;
mod audit;
mod catalog_files;
mod changes;
mod classes;
mod corrections;
mod files;
mod health;
mod orgs;
mod page;
mod pools;
mod registrations;
mod requests;
mod resources;
mod search;
mod session;
pub(crate) mod share;
mod themes;
mod users;

use crate::AppState;
use axum::Router;
use axum::routing::{get, post, put};

pub(crate) use apps::*;
pub(crate) use audit::*;
pub(crate) use catalog_files::*;
pub(crate) use changes::*;
pub(crate) use classes::*;
pub(crate) use corrections::*;
pub(crate) use files::*;
pub(crate) use health::*;
pub(crate) use orgs::*;
pub(crate) use page::*;
pub(crate) use pools::*;
pub(crate) use registrations::*;
pub(crate) use requests::*;
pub(crate) use resources::*;
pub(crate) use search::*;
pub(crate) use session::*;
pub(crate) use share::*;
pub(crate) use themes::*;
pub(crate) use users::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/api/v1/openapi.json", get(crate::openapi::serve_openapi))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/users", post(create_user))
        .route("/api/v1/orgs", get(list_orgs).post(upsert_org))
        .route("/api/v1/orgs/{code}", get(get_org))
        .route("/api/v1/orgs/{code}/quota", get(get_quota).put(put_quota))
        .route(
            "/api/v1/classification",
            get(list_classes).post(upsert_classes),
        )
        .route("/api/v1/themes", get(list_themes).post(upsert_themes))
        .route("/api/v1/themes/{code}", get(get_theme))
        .route(
            "/api/v1/resources",
            get(list_resources).post(create_resource),
        )
        .route(
            "/api/v1/resources/{class}/{seq}",
            get(get_resource).put(update_resource),
        )
        .route(
            "/api/v1/resources/{class}/{seq}/transitions",
            post(transition_resource),
        )
        .route(
            "/api/v1/resources/{class}/{seq}/history",
            get(resource_history),
        )
        .route("/api/v1/pools/{class}/{seq}", get(get_pool))
        .route(
            "/api/v1/files/{class}/{seq}",
            get(list_files)
                .post(upload_file)
                .layer(axum::extract::DefaultBodyLimit::max(
                    govshare_interchange::MAX_FILE_BYTES,
                )),
        )
        .route("/api/v1/files/{class}/{seq}/{version}", get(download_file))
        .route(
            "/api/v1/pools/{class}/{seq}/batches",
            post(load_batch).layer(axum::extract::DefaultBodyLimit::max(
                govshare_interchange::MAX_FILE_BYTES,
            )),
        )
        .route("/api/v1/pools/{class}/{seq}/changes", get(pool_changes))
        .route("/api/v1/pools/{class}/{seq}/checks", put(set_pool_checks))
        .route(
            "/api/v1/pools/{class}/{seq}/selection",
            put(set_pool_selection),
        )
        .route("/api/v1/pools/{class}/{seq}/rows", post(push_rows))
        .route(
            "/api/v1/pools/batches/{id}/quarantine",
            get(batch_quarantine),
        )
        .route("/api/v1/orgs/{code}/apps", get(list_apps).post(create_app))
        .route("/api/v1/apps/{id}/revoke", post(revoke_app))
        .route(
            "/api/v1/share/registrations",
            get(list_registrations).post(register_use),
        )
        .route(
            "/api/v1/share/registrations/{id}/answer",
            post(answer_registration),
        )
        .route("/api/v1/share/{class}/{seq}/review", put(set_review))
        .route("/api/v1/share/{class}/{seq}/rows/{key}", get(share_lookup))
        .route(
            "/api/v1/share/{class}/{seq}/refs/{reference}",
            get(share_lookup_ref),
        )
        .route("/api/v1/share/{class}/{seq}/verify", post(share_verify))
        .route("/api/v1/share/{class}/{seq}/lookup", post(share_batch))
        .route("/api/v1/share/{class}/{seq}/query", post(share_query))
        .route("/api/v1/share/{class}/{seq}/changes", get(share_changes))
        .route("/api/v1/share/{class}/{seq}/files", get(share_files))
        .route(
            "/api/v1/share/{class}/{seq}/files/{version}",
            get(share_file),
        )
        .route(
            "/api/v1/share/requests",
            get(list_requests).post(apply_request),
        )
        .route("/api/v1/share/requests/{id}/answer", post(answer_request))
        .route(
            "/api/v1/share/requests/{id}/material",
            post(supply_material),
        )
        .route("/api/v1/share/grants/{id}/revoke", post(revoke_grant))
        .route("/api/v1/share/calendar", put(set_calendar))
        .route("/api/v1/audit", get(list_audit))
        .route("/api/v1/share/stats", get(share_stats))
        .route(
            "/api/v1/share/{class}/{seq}/corrections",
            post(report_error),
        )
        .route("/api/v1/share/corrections", get(list_corrections))
        .route(
            "/api/v1/share/corrections/{id}/answer",
            post(answer_correction),
        )
        .route("/api/v1/search", get(search))
        .route("/api/v1/changes", get(list_changes))
        .route("/api/v1/catalog/export", get(export_catalog))
        .route(
            "/api/v1/catalog/import",
            post(import_catalog).layer(axum::extract::DefaultBodyLimit::max(
                govshare_interchange::MAX_FILE_BYTES,
            )),
        )
}

/// Brings the search index up to date after a write; a failure is logged, the
/// write stands, and the background follower retries.
pub(crate) async fn reindex(state: &AppState) {
    if let Err(e) = crate::indexer::sync(state).await {
        tracing::warn!(error = %e, "search index not updated");
    }
}
