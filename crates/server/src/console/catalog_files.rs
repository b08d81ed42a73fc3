//! The catalog as files in the console (`/console/catalog/import`): the national
//! template to fill in, an export of what the user may see, and an import whose
//! problems come back as a table (sheet, row, column, reason). The import is the
//! API's (`run_import`): with "all or nothing" a file with any problem imports
//! nothing; with "valid entries only" the good ones go in and the rest are listed.
//! It runs as a job (`jobs`): its page (`/console/catalog/import/{id}`) follows it
//! and then shows the result; the user may leave and come back from the workbench.

use crate::AppState;
use crate::console::form::upload;
use crate::console::jobs::{self, CatalogUpload, Outcome};
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, render_form};
use crate::routes::catalog_files::{catalog_file, visible_records};
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use govshare_interchange::{Format, Location};
use govshare_store::catalog::import::{ImportMode, ImportOptions};
use minijinja::context;
use std::collections::BTreeMap;

/// The import form, with the problems of a refused form or file.
async fn page(
    state: &AppState,
    user: &ConsoleUser,
    problems: BTreeMap<String, String>,
    located: &[Location],
    report: Option<minijinja::Value>,
    running: Option<minijinja::Value>,
) -> Result<Response, ConsoleError> {
    let rows: Vec<_> = located
        .iter()
        .map(|l| {
            context! {
                sheet => l.sheet.clone(), row => l.row, column => l.column.clone(), reason => l.reason.clone(),
            }
        })
        .collect();
    let mut shown = problems.clone();
    if !rows.is_empty() && report.is_none() {
        shown.insert(
            "file".into(),
            format!("文件有{}处问题，未导入任何目录", rows.len()),
        );
    }
    render_form(
        state,
        user,
        "catalog_import.html",
        context! {
            problems => shown.clone(), rows, report, running,
            may_import => user.principal.check_create(user.principal.org_id).is_ok(),
            bureau => user.principal.is_bureau(),
        },
        &shown,
    )
    .await
}

pub async fn form(
    State(state): State<AppState>,
    user: ConsoleUser,
) -> Result<Response, ConsoleError> {
    page(&state, &user, BTreeMap::new(), &[], None, None).await
}

pub async fn import(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    form: Multipart,
) -> Result<Response, ConsoleError> {
    let posted = upload(form).await?;
    user.check_form(&headers, posted.fields.get("form_token"))?;
    user.principal
        .check_create(user.principal.org_id)
        .map_err(|_| ConsoleError::Refused)?;
    if posted.bytes.is_empty() {
        let problems = BTreeMap::from([(
            "file".to_string(),
            "请选择目录文件（XLSX、CSV 或 JSON）".to_string(),
        )]);
        return page(&state, &user, problems, &[], None, None).await;
    }
    let options = ImportOptions {
        mode: match posted.fields.get("mode") {
            "valid" => ImportMode::ValidOnly,
            _ => ImportMode::AllOrNothing,
        },
        create_providers: user.principal.is_bureau()
            && posted.fields.get("create_providers") == "1",
    };
    let format = Format::detect(&posted.file_name, &posted.bytes);
    let upload = CatalogUpload {
        file: posted.file_name,
        bytes: posted.bytes,
        format,
        options,
    };
    let id = jobs::start_import(state.clone(), user.principal.clone(), upload);
    Ok(Redirect::to(&format!("/console/catalog/import/{id}")).into_response())
}

/// An import's page: its progress while it runs (the page refreshes itself), then
/// what was imported and each problem, or why the file was refused. Only the user who
/// started it sees it.
pub async fn job(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
) -> Result<Response, ConsoleError> {
    let job = jobs::of(&id, user.principal.user_id)
        .filter(|j| j.catalog)
        .ok_or(ConsoleError::Refused)?;
    let file = job.file.clone();
    match job.ended() {
        None => {
            let running = context! {
                file, started => job.started_at.clone(), entries => job.rows(), rate => job.rate(),
                seconds => format!("{:.1}", job.elapsed().as_secs_f64()),
            };
            page(&state, &user, BTreeMap::new(), &[], None, Some(running)).await
        }
        Some((Outcome::Imported(report), _)) => {
            let summary = context! {
                file, received => report.received, imported => report.imported,
                rejected => report.rejected.len(), providers => report.providers.join("、"),
                seconds => format!("{:.1}", job.elapsed().as_secs_f64()),
            };
            page(
                &state,
                &user,
                BTreeMap::new(),
                &report.rejected,
                Some(summary),
                None,
            )
            .await
        }
        Some((Outcome::FileProblems(located), _)) => {
            page(&state, &user, BTreeMap::new(), &located, None, None).await
        }
        Some((Outcome::Refused(why), _)) => {
            let problems = BTreeMap::from([("file".to_string(), why)]);
            page(&state, &user, problems, &[], None, None).await
        }
        Some((Outcome::Loaded(_), _)) => Err(ConsoleError::Refused),
    }
}

/// `catalog-template.xlsx|csv` (the header to fill in) and `catalog.xlsx|csv|json`
/// (the entries the user may see).
pub async fn file(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(name): Path<String>,
) -> Result<Response, ConsoleError> {
    let (stem, ext) = name.rsplit_once('.').ok_or(ConsoleError::Refused)?;
    let format = Format::parse(ext).ok_or(ConsoleError::Refused)?;
    let records = match stem {
        "catalog-template" => Vec::new(),
        "catalog" => visible_records(&state, &user.caller()).await?,
        _ => return Err(ConsoleError::Refused),
    };
    let response = catalog_file(records, format, stem).await?;
    Ok(crate::console::guarded(response))
}
