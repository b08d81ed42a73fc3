//! The government console (政务数据资源中心 · 工作台) at `/console/`: server-rendered
//! Chinese pages for department and district staff, reviewers, approvers, the bureau
//! and auditors, signed in with a session cookie (`session`). Every page asks the store
//! as the signed-in user, as the API does, so it shows exactly what that user may see:
//! the policy lives in `govshare_domain::access` and the store, never in a page.

mod admin;
mod apps;
mod audit;
mod bureau;
mod catalog;
mod catalog_files;
mod charts;
mod corrections;
mod dashboard;
mod draft;
mod entry;
mod entry_form;
mod files;
mod form;
mod grants;
mod jobs;
mod pool_rules;
mod pools;
mod registrations;
mod requests;
pub mod session;
mod sign_in;
mod usage;
mod workbench;

use crate::AppState;
use crate::error::ApiError;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use govshare_domain::access::Role;
use minijinja::{Environment, context};
use session::ConsoleUser;
use std::sync::LazyLock;

/// The console's templates by file name, compiled into the binary.
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("templates/", $name)))),*]
    };
}

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, text) in templates![
        "base.html",
        "sign_in.html",
        "password.html",
        "workbench.html",
        "catalog.html",
        "entry.html",
        "refused.html",
        "requests.html",
        "dashboard.html",
        "audit.html",
        "request.html",
        "entry_form.html",
        "entry_summary.html",
        "entry_check.html",
        "entry_history.html",
        "apps.html",
        "app_key.html",
        "usage.html",
        "pool.html",
        "catalog_import.html",
        "pool_job.html",
        "pool_refused.html",
        "grants.html",
        "users.html",
        "orgs.html",
        "bureau.html",
        "corrections.html",
        "audit_entry.html",
        "registrations.html",
        "files.html",
    ] {
        env.add_template(name, text)
            .expect("console templates parse");
    }
    env.add_filter("when", when);
    env.add_filter("pid", |field: String| -> String {
        field
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    });
    env
});

/// A stored UTC time (`2026-12-07T02:00:00.916Z`) as Beijing time to the minute
/// (`2026-12-07 10:00`); anything else as it is.
fn when(stored: String) -> String {
    let beijing = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is an offset");
    chrono::DateTime::parse_from_rfc3339(&stored)
        .map(|t| {
            t.with_timezone(&beijing)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or(stored)
}

/// The console's pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/console",
            get(|| async { Redirect::permanent("/console/") }),
        )
        .route("/console/", get(workbench::page))
        .route("/console/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/console/sign-out", axum::routing::post(sign_in::sign_out))
        .route(
            "/console/password",
            get(sign_in::password_form).post(sign_in::change_password),
        )
        .route("/console/static/console.js", get(script))
        .route("/console/sharing/apps", get(apps::list).post(apps::create))
        .route(
            "/console/admin/users",
            get(admin::users).post(admin::create_user),
        )
        .route("/console/admin/users/{id}", post(admin::change_user))
        .route(
            "/console/admin/orgs",
            get(admin::orgs).post(admin::save_org),
        )
        .route(
            "/console/bureau",
            get(|| async { Redirect::to("/console/bureau/overdue") }),
        )
        .route(
            "/console/bureau/{tab}",
            get(bureau::show).post(bureau::save),
        )
        .route("/console/sharing/corrections", get(corrections::list))
        .route(
            "/console/sharing/corrections/{id}",
            post(corrections::answer),
        )
        .route("/console/sharing/grants", get(grants::list))
        .route("/console/sharing/registrations", get(registrations::list))
        .route(
            "/console/sharing/registrations/{id}",
            post(registrations::answer),
        )
        .route("/console/sharing/grants/{id}/revoke", post(grants::revoke))
        .route("/console/sharing/apps/{id}/revoke", post(apps::revoke))
        .route("/console/catalog", get(catalog::list))
        .route(
            "/console/catalog/new",
            get(entry_form::new_form).post(entry_form::create),
        )
        .route("/console/catalog/check", post(entry_form::check))
        .route(
            "/console/catalog/import",
            get(catalog_files::form).post(catalog_files::import).layer(
                axum::extract::DefaultBodyLimit::max(govshare_interchange::MAX_FILE_BYTES),
            ),
        )
        .route("/console/catalog/files/{name}", get(catalog_files::file))
        .route("/console/catalog/import/{id}", get(catalog_files::job))
        .route(
            "/console/catalog/{class}/{seq}/edit",
            get(entry_form::edit_form).post(entry_form::update),
        )
        .route("/console/catalog/{class}/{seq}", get(entry::show))
        .route("/console/catalog/{class}/{seq}/step", post(entry::step))
        .route(
            "/console/catalog/{class}/{seq}/review",
            post(entry::set_review),
        )
        .route(
            "/console/catalog/{class}/{seq}/history",
            get(entry::history),
        )
        .route(
            "/console/catalog/{class}/{seq}/pool",
            get(pools::show)
                .post(pools::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    govshare_interchange::MAX_FILE_BYTES,
                )),
        )
        .route(
            "/console/catalog/{class}/{seq}/pool/checks",
            post(pool_rules::save_checks),
        )
        .route(
            "/console/catalog/{class}/{seq}/pool/selection",
            post(pool_rules::save_selection),
        )
        .route(
            "/console/catalog/{class}/{seq}/files",
            get(files::show)
                .post(files::add)
                .layer(axum::extract::DefaultBodyLimit::max(
                    govshare_interchange::MAX_FILE_BYTES,
                )),
        )
        .route(
            "/console/catalog/{class}/{seq}/files/{version}",
            get(files::download),
        )
        .route("/console/pool-jobs/{id}", get(pools::job))
        .route("/console/pool-batches/{id}", get(pools::refused))
        .route(
            "/console/pool-batches/{id}/{file}",
            get(pools::refused_file),
        )
        .route(
            "/console/catalog/{class}/{seq}/use",
            get(usage::form).post(usage::submit),
        )
        .route("/console/dashboard", get(dashboard::page))
        .route("/console/audit", get(audit::list))
        .route("/console/audit/verify", post(audit::verify))
        .route("/console/audit/{node}/{seq}", get(audit::entry))
        .route("/console/sharing/requests", get(requests::list))
        .route(
            "/console/sharing/requests/{id}",
            get(requests::detail).post(requests::answer),
        )
        .route(
            "/console/sharing/requests/{id}/material",
            post(requests::supply),
        )
        .route("/console/{*rest}", get(|| async { ConsoleError::Refused }))
}

/// A script of the console's own, served from the binary: the console loads nothing
/// from elsewhere.
fn served_script(text: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        text,
    )
        .into_response()
}

async fn script() -> Response {
    served_script(include_str!("static/console.js"))
}

/// Why a console page is not shown.
pub enum ConsoleError {
    /// No live session: off to sign in, then back to this page.
    SignIn(String),
    /// A form from another site, or from a session that has ended.
    StaleForm,
    /// Not this user's to see (or not there: the two look the same).
    Refused,
    Api(ApiError),
}

impl<E: Into<ApiError>> From<E> for ConsoleError {
    fn from(e: E) -> Self {
        ConsoleError::Api(e.into())
    }
}

/// Headers every console page carries: never cached, never framed, nothing loaded
/// from elsewhere.
fn guarded(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

fn refused_page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = TEMPLATES
        .get_template("refused.html")
        .and_then(|t| t.render(context! { title, message, status => status.as_u16() }))
        .unwrap_or_else(|_| message.to_string());
    guarded((status, Html(body)).into_response())
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        match self {
            ConsoleError::SignIn(next) => {
                let to = format!("/console/sign-in?next={}", session::percent_encoded(&next));
                guarded(Redirect::to(&to).into_response())
            }
            ConsoleError::StaleForm => refused_page(
                StatusCode::FORBIDDEN,
                "表单已失效",
                "表单已过期或来自其他网站，未作任何更改。请返回上一页刷新后重试。",
            ),
            ConsoleError::Refused => refused_page(
                StatusCode::FORBIDDEN,
                "无权访问",
                "您无权访问该页面，或该页面不存在。",
            ),
            ConsoleError::Api(e) => {
                let status = e.status();
                match status {
                    StatusCode::UNAUTHORIZED => {
                        ConsoleError::SignIn("/console/".into()).into_response()
                    }
                    StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => {
                        ConsoleError::Refused.into_response()
                    }
                    s if s.is_client_error() => refused_page(s, "请求有误", &e.to_string()),
                    s => {
                        tracing::warn!(error = %e, "console page failed");
                        refused_page(s, "服务暂时不可用", "服务暂时不可用，请稍后再试。")
                    }
                }
            }
        }
    }
}

/// A page of the console's frame: the user, their organisation, and the menu their
/// role has.
pub(crate) async fn render(
    state: &AppState,
    user: &ConsoleUser,
    name: &str,
    page: minijinja::Value,
) -> Result<Response, ConsoleError> {
    // The menu entry of the page: its template's name up to the dot.
    let nav = match name {
        "entry.html"
        | "entry_form.html"
        | "entry_history.html"
        | "usage.html"
        | "pool.html"
        | "pool_job.html"
        | "pool_refused.html"
        | "files.html"
        | "catalog_import.html" => "catalog",
        "request.html" | "grants.html" | "corrections.html" | "registrations.html" => "requests",
        "users.html" | "orgs.html" => "admin",
        "bureau.html" => "bureau",
        "audit_entry.html" => "audit",
        "app_key.html" => "apps",
        other => other.split('.').next().unwrap_or_default(),
    };
    let p = &user.principal;
    let org = state
        .store
        .orgs
        .org_name(p.org_id)
        .await?
        .unwrap_or_default();
    let frame = context! {
        user => context! {
            name => p.username.clone(),
            role => p.role.label(),
            org => org,
            bureau => p.role == Role::BureauAdmin,
            admin => p.check_user_admin(p.org_id, Role::OrgOperator).is_ok(),
            auditor => p.role == Role::Auditor,
        },
        form_token => user.form_token.clone(),
        nav,
    };
    let body = TEMPLATES
        .get_template(name)
        .and_then(|t| t.render(context! { ..frame, ..page }))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(guarded(Html(body).into_response()))
}

/// A page with a form: as `render`, answered 422 when it shows `problems`.
pub(crate) async fn render_form(
    state: &AppState,
    user: &ConsoleUser,
    name: &str,
    page: minijinja::Value,
    problems: &std::collections::BTreeMap<String, String>,
) -> Result<Response, ConsoleError> {
    let mut response = render(state, user, name, page).await?;
    if !problems.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// The organisation a user acts for.
pub(crate) async fn own_org(
    state: &AppState,
    org_id: i64,
) -> Result<Option<govshare_domain::org::Org>, ConsoleError> {
    Ok(state.store.orgs.org_by_id(org_id).await?)
}

/// A page outside the frame (signing in).
pub(crate) fn render_bare(
    status: StatusCode,
    name: &str,
    page: minijinja::Value,
) -> Result<Response, ConsoleError> {
    let body = TEMPLATES
        .get_template(name)
        .and_then(|t| t.render(page))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(guarded((status, Html(body)).into_response()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_file_is_compiled_in() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/console/templates");
        for file in std::fs::read_dir(dir).unwrap() {
            let name = file.unwrap().file_name().into_string().unwrap();
            assert!(
                super::TEMPLATES.get_template(&name).is_ok(),
                "{name} is not registered"
            );
        }
    }
}
