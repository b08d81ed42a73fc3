//! Importing a catalog file, shared by the API and the command line: read the
//! file, check every entry against the rules and the store, and report every
//! problem by sheet, row and column — all of them in one go.

use crate::error::ApiError;
use govshare_interchange::{Format, read_catalog};
use govshare_store::Caller;
use govshare_store::catalog::import::{ImportMode, ImportOptions};
use govshare_store::prelude::CatalogStore;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub received: usize,
    pub imported: usize,
    /// Each problem of each entry not imported, with its sheet, row and column.
    pub rejected: Vec<govshare_interchange::Location>,
    /// Providers registered with the import, “name（code）” (asked with
    /// `create_providers`; when nothing was imported, none was registered).
    pub providers: Vec<String>,
}

/// Imports a file. With `AllOrNothing`, any problem (in a cell or found by the
/// rules) means nothing is imported and every problem comes back as
/// `ApiError::InvalidFile`.
pub async fn import_file(
    store: &dyn CatalogStore,
    caller: &Caller,
    bytes: Vec<u8>,
    format: Format,
    options: impl Into<ImportOptions>,
    progress: impl FnMut(usize) + Send + 'static,
) -> Result<ImportReport, ApiError> {
    let options = options.into();
    let mode = options.mode;
    let parsed = tokio::task::spawn_blocking(move || read_catalog(&bytes, format))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::InvalidFile)?;
    let store_mode = if mode == ImportMode::AllOrNothing && !parsed.problems.is_empty() {
        ImportMode::CheckOnly
    } else {
        mode
    };
    let outcome = store
        .import_catalog(
            caller,
            parsed.records.clone(),
            ImportOptions {
                mode: store_mode,
                ..options
            },
            Box::new(progress),
        )
        .await?;
    let mut rejected = parsed.problems.clone();
    rejected.extend(
        outcome
            .rejected
            .iter()
            .flat_map(|r| r.problems.iter().map(|p| parsed.locate(r.index, p))),
    );
    if mode == ImportMode::AllOrNothing && !rejected.is_empty() {
        return Err(ApiError::InvalidFile(rejected));
    }
    Ok(ImportReport {
        received: parsed.received,
        imported: outcome.imported,
        rejected,
        providers: if outcome.imported > 0 {
            outcome.providers
        } else {
            vec![]
        },
    })
}
