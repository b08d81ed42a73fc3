//! Importing a whole catalog in one transaction: every entry is checked first, and
//! nothing is written unless all pass — or, when asked, only the valid ones are
//! written and the rest are reported with their problems.

use crate::catalog::write::{RefCheck, claim_code, insert};
use crate::db::conn::Conn;
use crate::error::Result;
use crate::{Caller, Store};
use govshare_domain::classification::ResourceCode;
use govshare_domain::lifecycle::State;
use govshare_domain::org::{OrgKind, OrgLevel, OrgSpec};
use govshare_domain::resource::CatalogRecord;
use govshare_domain::{Problem, rules};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Any problem anywhere: nothing is imported.
    AllOrNothing,
    /// Entries with problems are skipped and reported; the rest are imported.
    ValidOnly,
    /// Nothing is imported; every problem is reported.
    CheckOnly,
}

/// The problems of one entry, by its position in the input (0-based).
#[derive(Debug, Clone, Serialize)]
pub struct RecordProblems {
    pub index: usize,
    pub code: Option<String>,
    pub name: String,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub received: usize,
    pub imported: usize,
    /// Entries not imported, with their reasons.
    pub rejected: Vec<RecordProblems>,
    /// Providers registered with the import (“name（code）”); when nothing was
    /// imported, those that would have been (and were not).
    pub providers: Vec<String>,
}

/// What an import is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    pub mode: ImportMode,
    /// The bureau registers providers the file names that are not registered yet
    /// (by name and unified social credit code) in the same transaction.
    pub create_providers: bool,
}

impl From<ImportMode> for ImportOptions {
    fn from(mode: ImportMode) -> Self {
        ImportOptions {
            mode,
            create_providers: false,
        }
    }
}

/// Registers the providers `records` name that are not registered yet, as city
/// departments of the region their credit code gives. A provider without a name, or
/// whose code is not a valid credit code, is left for the entry's own problems.
fn register_providers(conn: &mut dyn Conn, records: &[CatalogRecord]) -> Result<Vec<String>> {
    let mut registered = Vec::new();
    for spec in records.iter().map(|r| &r.spec) {
        let (name, code) = (spec.provider.trim(), spec.provider_code.trim());
        if name.is_empty() || crate::org::orgs::by_code(conn, code)?.is_some() {
            continue;
        }
        let region = code.get(2..8).unwrap_or_default().to_string();
        let level = if region.ends_with("0000") {
            OrgLevel::Provincial
        } else if region.ends_with("00") {
            OrgLevel::City
        } else {
            OrgLevel::County
        };
        let org = OrgSpec {
            credit_code: code.to_string(),
            name: name.to_string(),
            short_name: String::new(),
            kind: OrgKind::Department,
            level,
            region_code: region,
            parent_code: None,
        };
        if org.validate().is_err() {
            continue;
        }
        crate::org::orgs::upsert(conn, &org)?;
        registered.push(format!("{name}（{code}）"));
    }
    Ok(registered)
}

pub fn import(
    conn: &mut dyn Conn,
    caller: &Caller,
    mut records: Vec<CatalogRecord>,
    options: ImportOptions,
    mut progress: impl FnMut(usize),
) -> Result<ImportOutcome> {
    let mode = options.mode;
    // Roles that never keep a catalog (approvers, auditors) are refused outright.
    caller.check(|p| p.check_create(p.org_id))?;
    // Registering organisations is the bureau's. What is registered stays only if
    // entries are imported with it.
    let providers = if options.create_providers {
        caller.check(|p| p.check_bureau())?;
        conn.batch("SAVEPOINT new_providers")?;
        register_providers(conn, &records)?
    } else {
        vec![]
    };
    let received = records.len();
    let mut refs = RefCheck::default();
    refs.file_codes = records.iter().filter_map(|r| r.spec.code.clone()).collect();
    let codes: Vec<&str> = records
        .iter()
        .flat_map(|r| r.spec.code.iter().chain(&r.spec.related_codes))
        .map(String::as_str)
        .collect();
    refs.load_stored_codes(conn, &codes)?;
    let mut rejected = Vec::new();
    let mut owners = Vec::with_capacity(received);
    for (index, record) in records.iter_mut().enumerate() {
        rules::normalize(&mut record.spec);
        let mut problems = rules::validate(&record.spec);
        let owner = refs.check(conn, &mut record.spec, true, &mut problems)?;
        if let Some(owner) = owner
            && let Err(e) = caller.check(|p| p.check_create(owner))
        {
            problems.push(Problem::new("provider_code", e.to_string()));
        }
        let bureau = matches!(caller, Caller::System(_))
            || matches!(caller, Caller::User(p) if p.is_bureau());
        if !bureau && record.state != State::Draft {
            problems.push(Problem::new("state", "单位用户只能导入草稿状态的目录"));
        }
        if let Some(code) = &record.spec.code {
            refs.batch_codes.insert(code.clone());
        }
        if problems.is_empty() {
            owners.push(owner);
        } else {
            owners.push(None);
            rejected.push(RecordProblems {
                index,
                code: record.spec.code.clone(),
                name: record.spec.name.clone(),
                problems,
            });
        }
    }
    if mode == ImportMode::CheckOnly || (mode == ImportMode::AllOrNothing && !rejected.is_empty()) {
        if options.create_providers {
            conn.batch("ROLLBACK TO SAVEPOINT new_providers")?;
        }
        return Ok(ImportOutcome {
            received,
            imported: 0,
            rejected,
            providers,
        });
    }
    // Claim the highest sequence number per classification once, not per entry.
    let mut highest: HashMap<String, ResourceCode> = HashMap::new();
    for (record, _) in records.iter().zip(&owners).filter(|(_, o)| o.is_some()) {
        if let Some(code) = record
            .spec
            .code
            .as_deref()
            .and_then(|c| ResourceCode::parse(c).ok())
        {
            let entry = highest
                .entry(code.classification.clone())
                .or_insert_with(|| code.clone());
            if code.sequence > entry.sequence {
                *entry = code;
            }
        }
    }
    for code in highest.values() {
        claim_code(conn, code)?;
    }
    let mut imported = 0;
    for (i, (record, owner)) in records.iter().zip(owners).enumerate() {
        if let Some(owner) = owner {
            insert(conn, record, owner, caller, "import", false)?;
            imported += 1;
        }
        progress(i + 1);
    }
    if imported == 0 && options.create_providers {
        conn.batch("ROLLBACK TO SAVEPOINT new_providers")?;
    }
    Ok(ImportOutcome {
        received,
        imported,
        rejected,
        providers,
    })
}

impl Store {
    /// Imports entries in one transaction; `progress` hears how many were handled.
    pub(crate) async fn import_catalog(
        &self,
        caller: &Caller,
        records: Vec<CatalogRecord>,
        options: impl Into<ImportOptions>,
        progress: impl FnMut(usize) + Send + 'static,
    ) -> Result<ImportOutcome> {
        let (caller, options) = (caller.clone(), options.into());
        self.write(move |c| import(c, &caller, records, options, progress))
            .await
    }

    /// How many catalog entries there are (all states).
    pub(crate) async fn count_resources(&self) -> Result<i64> {
        self.read(|c| {
            c.query_one("SELECT COUNT(*) AS total FROM resources", &[])?
                .i64("total")
        })
        .await
    }
}
