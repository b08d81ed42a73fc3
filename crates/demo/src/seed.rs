//! Loads the demo city into a store: organisations, classification, themes, demo
//! users and the catalog. Safe to run again: nothing is duplicated.

use govshare_domain::access::Role;
use govshare_store::catalog::import::ImportMode;
use govshare_store::org::users::NewUser;
use govshare_store::prelude::*;
use govshare_store::{Caller, Store};

/// A demo login printed at start.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: &'static str,
    pub password: &'static str,
    pub role: Role,
    pub org: String,
}

pub struct Seeded {
    pub logins: Vec<DemoLogin>,
    /// Entries imported by this run (0 when the catalog was already there).
    pub imported: usize,
    pub resources: i64,
}

/// (username, password, role, a word of the organisation's name).
const LOGINS: &[(&str, &str, Role, &str)] = &[
    ("admin", "Admin@2026", Role::BureauAdmin, "大数据"),
    ("gaj_admin", "Demo@2026", Role::OrgAdmin, "公安局"),
    (
        "scjg_operator",
        "Demo@2026",
        Role::OrgOperator,
        "市场监督管理局",
    ),
    ("yuzhong_admin", "Demo@2026", Role::OrgAdmin, "渝中区"),
    ("gaj_approver", "Demo@2026", Role::Approver, "公安局"),
    ("city_auditor", "Demo@2026", Role::Auditor, "大数据"),
];

/// Loads everything of the demo city but its catalog entries: organisations,
/// classification, themes and the demo users.
pub async fn seed_reference(
    store: &Store,
    demo: &crate::DemoCatalog,
) -> anyhow::Result<Vec<DemoLogin>> {
    let system = Caller::System("demo".into());
    for org in &demo.orgs {
        store.upsert_org(&system, org.clone()).await?;
    }
    store.upsert_classes(&system, demo.classes.clone()).await?;
    store.upsert_themes(&system, demo.themes.clone()).await?;
    let mut logins = Vec::new();
    for (username, password, role, org_word) in LOGINS {
        let org = demo
            .orgs
            .iter()
            .find(|o| o.name.contains(org_word))
            .ok_or_else(|| anyhow::anyhow!("demo organisation {org_word} missing"))?;
        let org_id = store.org_by_code(&org.credit_code).await?.id;
        if store.credentials(username).await?.is_none() {
            let hash =
                govshare_domain::password::hash_password(password).map_err(anyhow::Error::msg)?;
            let user = NewUser {
                username: username.to_string(),
                display_name: format!("{}演示用户", org.short_name_or_name()),
                password_hash: hash,
                role: *role,
                org_id,
            };
            store.create_user(&system, user).await?;
        }
        logins.push(DemoLogin {
            username,
            password,
            role: *role,
            org: org.name.clone(),
        });
    }
    Ok(logins)
}

/// Loads the whole demo city, catalog included.
pub async fn seed_demo(
    store: &Store,
    progress: impl FnMut(usize) + Send + 'static,
) -> anyhow::Result<Seeded> {
    let demo = crate::catalog();
    let logins = seed_reference(store, &demo).await?;
    let system = Caller::System("demo".into());
    let mut imported = 0;
    if store.count_resources().await? == 0 {
        let outcome = store
            .import_catalog(
                &system,
                demo.resources,
                ImportMode::AllOrNothing.into(),
                Box::new(progress),
            )
            .await?;
        if let Some(first) = outcome.rejected.first() {
            anyhow::bail!(
                "demo catalog entry {} is invalid: {:?}",
                first.index,
                first.problems
            );
        }
        imported = outcome.imported;
    }
    Ok(Seeded {
        logins,
        imported,
        resources: store.count_resources().await?,
    })
}

trait ShortName {
    fn short_name_or_name(&self) -> &str;
}

impl ShortName for govshare_domain::org::OrgSpec {
    fn short_name_or_name(&self) -> &str {
        if self.short_name.is_empty() {
            &self.name
        } else {
            &self.short_name
        }
    }
}

/// Departments whose demo pools are filled, by a word of their names.
const POOL_PROVIDERS: &[&str] = &[
    "公安局",
    "市场监督管理局",
    "人力资源和社会保障局",
    "卫生健康委员会",
];

/// A demo pool that was filled: its entry and the batch outcome.
pub struct SeededPool {
    pub code: String,
    pub name: String,
    pub report: govshare_store::pool::ingest::BatchReport,
}

/// How many rows the demo pools get.
#[derive(Debug, Clone, Copy)]
pub struct PoolSizes {
    /// Rows of each demo pool.
    pub rows: usize,
    /// Persons in the population pool (1 to 44.02 million).
    pub persons: usize,
}

/// Fills a pool per demo department with generated rows (about 2% of them
/// defective, so the quarantine has something to show); rows are made as they are
/// loaded, so a population of millions streams. Safe to repeat: the batch id is
/// fixed by the size, so a second run changes nothing. `progress` hears rows read.
pub async fn seed_pools(
    store: &Store,
    sizes: PoolSizes,
    progress: Option<Box<dyn FnMut(i64) + Send>>,
) -> anyhow::Result<Vec<SeededPool>> {
    let mut progress = progress;
    let demo = crate::catalog();
    let system = Caller::System("demo".into());
    let mut out = Vec::new();
    for word in POOL_PROVIDERS {
        let Some(org) = demo.orgs.iter().find(|o| o.name.contains(word)) else {
            continue;
        };
        let entry = demo.resources.iter().find(|r| {
            r.spec.provider_code == org.credit_code
                && r.state == govshare_domain::lifecycle::State::Published
                && r.spec.format_category == govshare_domain::labels::FormatCategory::Database
                && r.spec.items.iter().any(|i| {
                    i.key && (i.name.contains("身份号码") || i.name.contains("统一社会信用代码"))
                })
        });
        let Some(entry) = entry else { continue };
        let code = entry.spec.code.clone().unwrap_or_default();
        // The police's population register is the natural-person pool.
        let population = *word == "公安局";
        let rows = if population {
            sizes.persons
        } else {
            sizes.rows
        };
        let (header, data) = crate::fill::sample_rows(&entry.spec.items, rows, 0.02, 2026);
        let batch = govshare_store::pool::ingest::Batch {
            code: code.clone(),
            header,
            rows: Box::new(data.map(Ok)),
            mode: govshare_store::pool::ingest::IngestMode::Upsert,
            source_name: "demo".into(),
            source_sha256: "0".repeat(64),
            client_batch_id: Some(format!("demo-{rows}")),
            progress: if population { progress.take() } else { None },
        };
        let report = store.ingest(&system, batch).await?;
        out.push(SeededPool {
            code,
            name: entry.spec.name.clone(),
            report,
        });
    }
    Ok(out)
}
