//! The catalog as files in the console (`/console/catalog/import`): the national
//! template to fill in, an export of what the user may see, and an import whose
//! problems come back as a table (sheet, row, column, reason). The import is the
//! API's (`run_import`): with "all or nothing" a file with any problem imports
//! nothing; with "valid entries only" the good ones go in and the rest are listed.

use crate::AppState;
use crate::console::form::upload;
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, render_form};
use crate::error::ApiError;
use crate::routes::catalog_files::{catalog_file, run_import, visible_records};
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
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
            problems => shown.clone(), rows, report,
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
    page(&state, &user, BTreeMap::new(), &[], None).await
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
        return page(&state, &user, problems, &[], None).await;
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
    match run_import(&state, &user.principal, posted.bytes, format, options).await {
        Ok(report) => {
            let summary = context! {
                file => posted.file_name, received => report.received, imported => report.imported,
                rejected => report.rejected.len(), providers => report.providers.join("、"),
            };
            page(
                &state,
                &user,
                BTreeMap::new(),
                &report.rejected,
                Some(summary),
            )
            .await
        }
        Err(ApiError::InvalidFile(located)) => {
            page(&state, &user, BTreeMap::new(), &located, None).await
        }
        Err(e) => Err(e.into()),
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
