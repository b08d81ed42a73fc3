//! The OpenAPI 3.1 document, generated from the handlers and types. A copy is
//! committed at `docs/openapi.json`; a test fails when the two differ.

use crate::routes;
use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "app_key",
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Header(
                utoipa::openapi::security::ApiKeyValue::new("X-Api-Key"),
            )),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "govshare API", description = "政务数据资源中心 API: catalog, classification, organisations, search, data pools, sharing and audit."),
    paths(
        routes::healthz,
        routes::login,
        routes::logout,
        routes::me,
        routes::create_user,
        routes::list_orgs,
        routes::get_org,
        routes::upsert_org,
        routes::get_quota,
        routes::put_quota,
        routes::list_classes,
        routes::upsert_classes,
        routes::list_themes,
        routes::get_theme,
        routes::upsert_themes,
        routes::list_resources,
        routes::create_resource,
        routes::get_resource,
        routes::update_resource,
        routes::transition_resource,
        routes::resource_history,
        routes::search,
        routes::list_changes,
        routes::export_catalog,
        routes::import_catalog,
        routes::get_pool,
        routes::load_batch,
        routes::batch_quarantine,
        routes::pool_changes,
        routes::set_pool_checks,
        routes::set_pool_selection,
        routes::push_rows,
        routes::upload_file,
        routes::list_files,
        routes::download_file,
        routes::create_app,
        routes::list_apps,
        routes::revoke_app,
        routes::metrics,
        routes::register_use,
        routes::list_registrations,
        routes::answer_registration,
        routes::set_review,
        routes::share_lookup,
        routes::share_lookup_ref,
        routes::share_verify,
        routes::share_batch,
        routes::share_query,
        routes::share_changes,
        routes::share_files,
        routes::share_file,
        routes::apply_request,
        routes::list_requests,
        routes::answer_request,
        routes::supply_material,
        routes::revoke_grant,
        routes::set_calendar,
        routes::list_audit,
        routes::share_stats,
        routes::report_error,
        routes::list_corrections,
        routes::answer_correction,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// The document as served and committed (pretty JSON, trailing newline).
pub fn document() -> String {
    let mut doc = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    doc.push('\n');
    doc
}

pub async fn serve_openapi() -> impl IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        document(),
    )
}
