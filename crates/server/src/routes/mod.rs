//! The API's routes, one module per resource.

pub(crate) mod apps;
pub(crate) mod audit;
pub(crate) mod catalog_files;
mod changes;
mod classes;
pub(crate) mod corrections;
pub(crate) mod files;
mod health;
mod orgs;
mod page;
pub(crate) mod pools;
pub(crate) mod registrations;
pub(crate) mod requests;
mod resources;
mod search;
pub(crate) mod session;
pub(crate) mod share;
mod themes;
pub(crate) mod users;

use crate::AppState;
use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

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

/// The API's routes and their OpenAPI paths, registered once: each route and its
/// entry in the document come from the same handler (`#[utoipa::path]`), so neither can
/// be added without the other.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let files = || axum::extract::DefaultBodyLimit::max(govshare_interchange::MAX_FILE_BYTES);
    OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .routes(routes!(healthz))
        .routes(routes!(metrics))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(create_user, list_users))
        .routes(routes!(change_user))
        .routes(routes!(list_orgs, upsert_org))
        .routes(routes!(get_org))
        .routes(routes!(get_quota, put_quota))
        .routes(routes!(list_classes, upsert_classes))
        .routes(routes!(list_themes, upsert_themes))
        .routes(routes!(get_theme, delete_theme))
        .routes(routes!(delete_class))
        .routes(routes!(list_resources, create_resource))
        .routes(routes!(get_resource, update_resource))
        .routes(routes!(transition_resource))
        .routes(routes!(resource_history))
        .routes(routes!(get_pool))
        .routes(routes!(list_files, upload_file).layer(files()))
        .routes(routes!(download_file))
        .routes(routes!(load_batch).layer(files()))
        .routes(routes!(pool_changes))
        .routes(routes!(set_pool_checks))
        .routes(routes!(set_pool_selection))
        .routes(routes!(push_rows))
        .routes(routes!(batch_quarantine))
        .routes(routes!(list_apps, create_app))
        .routes(routes!(revoke_app))
        .routes(routes!(list_registrations, register_use))
        .routes(routes!(answer_registration))
        .routes(routes!(set_review))
        .routes(routes!(share_lookup))
        .routes(routes!(share_lookup_ref))
        .routes(routes!(share_verify))
        .routes(routes!(share_batch))
        .routes(routes!(share_query))
        .routes(routes!(share_changes))
        .routes(routes!(share_files))
        .routes(routes!(share_file))
        .routes(routes!(list_requests, apply_request))
        .routes(routes!(answer_request))
        .routes(routes!(supply_material))
        .routes(routes!(revoke_grant))
        .routes(routes!(set_calendar))
        .routes(routes!(clear_calendar_day))
        .routes(routes!(list_audit))
        .routes(routes!(share_stats))
        .routes(routes!(report_error))
        .routes(routes!(list_corrections))
        .routes(routes!(answer_correction))
        .routes(routes!(search))
        .routes(routes!(list_changes))
        .routes(routes!(export_catalog))
        .routes(routes!(import_catalog).layer(files()))
        .route("/api/v1/openapi.json", get(crate::openapi::serve_openapi))
        .split_for_parts()
}

pub fn router() -> Router<AppState> {
    api().0
}

/// Brings the search index up to date after a write; a failure is logged, the
/// write stands, and the background follower retries.
pub(crate) async fn reindex(state: &AppState) {
    if let Err(e) = crate::indexer::sync(state).await {
        tracing::warn!(error = %e, "search index not updated");
    }
}
