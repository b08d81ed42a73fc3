//! The demo's sharing: apps of several departments and districts with keys printed at
//! start, registered uses of unconditional pools, conditional requests (approved,
//! pending and overdue), and a few error reports. Safe to run again: apps are found
//! by name, requests and reports are made once.

use crate::seed::SeededPool;
use govshare_domain::labels::SharingType;
use govshare_domain::sharing::request::{Answer, Scope};
use govshare_store::org::apps::AppPrincipal;
use govshare_store::page::Page;
use govshare_store::prelude::*;
use govshare_store::sharing::corrections::NewCorrection;
use govshare_store::sharing::requests::{NewRequest, today};
use govshare_store::{Caller, Store};
use sha2::{Digest, Sha256};

/// A demo app and its key, printed at start.
pub struct DemoKey {
    pub app: String,
    pub org: String,
    pub key: String,
}

/// (organisation word, app name).
const APPS: &[(&str, &str)] = &[
    ("渝中区", "渝中区政务服务一体化平台"),
    ("市场监督管理局", "企业登记注册系统"),
    ("人力资源和社会保障局", "社会保险经办系统"),
    ("江北区", "江北区基层治理平台"),
];

/// The demo's keys are derived from the app's name, so the same demo prints the same
/// keys every time (a real installation's keys are random and shown once).
fn demo_key(name: &str) -> (String, String, String) {
    let digest = hex::encode(Sha256::digest(format!("govshare-demo:{name}").as_bytes()));
    let prefix = digest[..8].to_string();
    let key = format!("gsk_{prefix}_{}", &digest[8..]);
    let hash = govshare_domain::password::token_hash(&key);
    (key, prefix, hash)
}

/// The demo's apps, registrations, requests and reports; what it makes is written to
/// `node`'s audit chain as the steps a real city would have taken (once: a second run
/// makes nothing new and writes nothing).
pub async fn seed_sharing(
    store: &Store,
    pools: &[SeededPool],
    node: &str,
) -> anyhow::Result<Vec<DemoKey>> {
    let demo = crate::catalog();
    let sys = Caller::System("demo".into());
    let mut trail = Trail::default();
    let mut keys = Vec::new();
    let mut principals = Vec::new();
    for (word, name) in APPS {
        let Some(org) = demo.orgs.iter().find(|o| o.name.contains(word)) else {
            continue;
        };
        let (key, prefix, hash) = demo_key(name);
        let existing = store.apps(&sys, &org.credit_code).await?;
        let org_id = store.org_by_code(&org.credit_code).await?.id;
        let app = match existing.into_iter().find(|a| a.name == *name) {
            // Revoked since an earlier run (by a user trying the console or the API):
            // left as it is, its key no longer printed.
            Some(a) if a.revoked_at.is_some() => continue,
            Some(a) => a,
            None => {
                let app = store
                    .create_app(&sys, &org.credit_code, name, &prefix, &hash, None)
                    .await?;
                trail.step("app.create", Some(org_id), "", &app.name);
                app
            }
        };
        principals.push(AppPrincipal {
            app_id: app.id,
            org_id,
            name: app.name.clone(),
        });
        keys.push(DemoKey {
            app: app.name,
            org: org.name.clone(),
            key,
        });
    }
    let asked = store
        .requests(&sys, Page::new(None, Some(1)).expect("one"))
        .await?;
    let first_run = asked.is_empty();
    for pool in pools {
        let r = store.resource(&sys, &pool.code).await?;
        for (n, app) in principals.iter().enumerate() {
            if app.org_id == r.owner_org_id {
                continue;
            }
            match r.spec.sharing_type {
                SharingType::Unconditional => {
                    if first_run {
                        trail.step("share.register", Some(app.org_id), &r.code, &app.name);
                    }
                    store
                        .register_use(
                            &sys,
                            app.app_id,
                            &r.code,
                            "办理政务服务事项时核验申请材料",
                            "窗口受理和网上办理",
                        )
                        .await?;
                }
                SharingType::Conditional if first_run => {
                    let items: Vec<String> = r
                        .spec
                        .items
                        .iter()
                        .take(4)
                        .map(|i| i.name.clone())
                        .collect();
                    let scope = Scope {
                        unmasked: vec![],
                        valid_from: today(),
                        valid_to: today() + chrono::Duration::days(365),
                        daily_quota: 10_000,
                        total_quota: 1_000_000,
                        items,
                    };
                    let req = store
                        .apply(
                            &sys,
                            NewRequest {
                                app_id: app.app_id,
                                resource: r.code.clone(),
                                scope,
                                purpose: "依法履行职责，办理相关业务时核验当事人信息".into(),
                                legal_basis: "《政务数据共享条例》第十五条".into(),
                                material: "业务说明及单位授权书".into(),
                            },
                        )
                        .await?;
                    trail.step("request.apply", Some(app.org_id), &r.code, &app.name);
                    // One approved, one left pending, one overdue, by turns.
                    match n % 3 {
                        0 => {
                            store
                                .answer_request(&sys, req.id, Answer::Approve, String::new(), None)
                                .await?;
                            trail.step("request.approve", Some(r.owner_org_id), &r.code, &app.name);
                        }
                        1 => {}
                        _ => {
                            let id = req.id;
                            store
                                .write(move |c| {
                                    c.execute(
                                        "UPDATE share_requests SET deadline = ? WHERE id = ?",
                                        &govshare_store::params![
                                            (today() - chrono::Duration::days(3)).to_string(),
                                            id
                                        ],
                                    )
                                })
                                .await?;
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if first_run {
        report_errors(store, pools, &principals, &mut trail).await?;
        documents_and_review(store, pools, &principals, &mut trail).await?;
    }
    if !trail.0.is_empty() {
        store.append_audit(node, trail.0).await?;
    }
    Ok(keys)
}

/// A published file-type entry with its first file, and an unconditional police entry
/// whose registrations the bureau reviews by hand, with one registration waiting for
/// the police to answer.
async fn documents_and_review(
    store: &Store,
    pools: &[SeededPool],
    apps: &[AppPrincipal],
    trail: &mut Trail,
) -> anyhow::Result<()> {
    let sys = Caller::System("demo".into());
    let demo = crate::catalog();
    let Some(police) = demo.orgs.iter().find(|o| o.name.contains("公安局")) else {
        return Ok(());
    };
    let published = store
        .list_resources(
            &sys,
            govshare_store::catalog::resources::ResourceFilter {
                provider_code: Some(police.credit_code.clone()),
                state: Some(govshare_domain::lifecycle::State::Published),
                sharing_type: Some(SharingType::Unconditional),
                limit: Some(200),
                ..Default::default()
            },
        )
        .await?
        .results;
    // A department's documents: the first published unconditional entry that holds
    // files rather than rows.
    let shared = store
        .list_resources(
            &sys,
            govshare_store::catalog::resources::ResourceFilter {
                state: Some(govshare_domain::lifecycle::State::Published),
                sharing_type: Some(SharingType::Unconditional),
                format_category: Some(govshare_domain::labels::FormatCategory::ElectronicFile),
                limit: Some(50),
                ..Default::default()
            },
        )
        .await?
        .results;
    let documents = shared
        .iter()
        .find(|r| !govshare_domain::pool::schema::is_data_backed(r));
    if let Some(r) = documents {
        let text = format!(
            "{}\n\n本文件为演示数据，由 govshare 演示程序生成。\n资源代码：{}\n",
            r.spec.name, r.code
        );
        let file = govshare_store::catalog::files::NewFile {
            name: format!("{}（2026年版）.txt", r.spec.name),
            media_type: "text/plain".into(),
            note: "2026年度汇编".into(),
            content: text.into_bytes(),
        };
        store.add_file(&sys, &r.code, file).await?;
        trail.step("file.upload", Some(r.owner_org_id), &r.code, "演示文件");
    }
    let reviewed = published
        .iter()
        .find(|r| pools.iter().all(|p| p.code != r.code));
    let police_id = store.org_by_code(&police.credit_code).await?.id;
    let consumer = apps.iter().find(|a| a.org_id != police_id);
    if let (Some(r), Some(app)) = (reviewed, consumer) {
        store.set_registration_review(&sys, &r.code, true).await?;
        store
            .register_use(
                &sys,
                app.app_id,
                &r.code,
                "核查办事群众提交的材料",
                "窗口受理",
            )
            .await?;
        trail.step("share.register", Some(app.org_id), &r.code, &app.name);
    }
    Ok(())
}

/// The audit entries of what the demo made.
#[derive(Default)]
struct Trail(Vec<govshare_store::audit::log::AuditEntry>);

impl Trail {
    fn step(&mut self, action: &str, org_id: Option<i64>, code: &str, app: &str) {
        self.0.push(govshare_store::audit::log::AuditEntry {
            at: govshare_store::now(),
            actor: "演示数据".into(),
            org_id,
            action: action.into(),
            resource_code: code.into(),
            outcome: "ok".into(),
            detail: format!("演示：{app}"),
            ..Default::default()
        });
    }
}

/// A few error reports on rows the apps can read: one answered, the others open.
async fn report_errors(
    store: &Store,
    pools: &[SeededPool],
    apps: &[AppPrincipal],
    trail: &mut Trail,
) -> anyhow::Result<()> {
    let sys = Caller::System("demo".into());
    let mut made = 0;
    for pool in pools {
        let info = store.pool(&sys, &pool.code).await?;
        let (table, key_cols): (String, Vec<String>) = (
            info.table.clone(),
            info.schema.keys().map(|k| k.column.clone()).collect(),
        );
        let item = info
            .schema
            .columns
            .iter()
            .find(|c| !c.key)
            .map(|c| c.name.clone());
        let Some(item) = item else { continue };
        let first = store
            .read(move |c| {
                c.query_opt(
                    &format!(
                        "SELECT {} FROM \"{table}\" ORDER BY 1 LIMIT 1",
                        key_cols
                            .iter()
                            .map(|k| format!("\"{k}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    &[],
                )
            })
            .await?;
        let Some(row) = first else { continue };
        let key: Vec<String> = row
            .values()
            .iter()
            .map(|v| govshare_store::value::key_text(std::slice::from_ref(v)))
            .collect();
        for app in apps {
            let report = NewCorrection {
                key: key.clone(),
                item: item.clone(),
                proposed: "（以证照原件为准）".into(),
                evidence: "窗口核验时当事人出示的证件与共享数据不一致".into(),
            };
            if let Ok(Ok(c)) = store
                .report_error(app, &pool.code, report)
                .await
                .map(|r| r.filed)
            {
                trail.step("correction.report", Some(app.org_id), &pool.code, &app.name);
                if made == 0 {
                    store
                        .answer_correction(&sys, c.id, false, "经核对原始登记材料，数据无误".into())
                        .await?;
                    trail.step("correction.answer", None, &pool.code, &app.name);
                }
                made += 1;
                break;
            }
        }
        if made >= 3 {
            break;
        }
    }
    Ok(())
}
