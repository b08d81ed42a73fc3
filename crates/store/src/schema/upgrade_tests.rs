//! A database made by the oldest migrations, with data in it, brought up to the newest
//! by opening it: on SQLite and (when configured) PostgreSQL.

use crate::Caller;
use crate::db::conn::Conn;
use crate::db::{postgres, sqlite};
use crate::pool::batch::{Batch, IngestMode};
use crate::sharing::decided::EPOCH;
use crate::store::Backend;
use crate::{Store, params};
use govshare_domain::audit::{AuditEntry, GENESIS, chain};
use govshare_domain::lifecycle::State;
use govshare_domain::pool::PoolSchema;
use govshare_domain::resource::{CatalogRecord, Resource};

const AT: &str = "2026-01-05T08:00:00.000Z";

fn old_backend(url: &str) -> Backend {
    match url.strip_prefix("sqlite://") {
        Some(path) => {
            Backend::Sqlite(sqlite::SqliteBackend::open(std::path::Path::new(path)).unwrap())
        }
        None => Backend::Postgres(postgres::PostgresBackend::open(url, 2, EPOCH).unwrap()),
    }
}

fn record() -> CatalogRecord {
    serde_json::from_value(serde_json::json!({
        "classification": "101001",
        "name": "户籍人口基本信息",
        "provider": "重庆市公安局",
        "provider_code": "11500000MB1532456X",
        "summary": "全市户籍人口的基本信息",
        "format_category": "数据库",
        "format_type": "Oracle",
        "sharing_type": "有条件共享",
        "open_type": "不予开放",
        "update_cycle": "每日",
        "items": [
            {"name": "公民身份号码", "column": "gmsfhm", "data_type": "C", "length": 18, "key": true, "required": true, "sensitive": true},
            {"name": "姓名", "column": "xm", "data_type": "C", "length": 30}
        ],
        "state": "published"
    }))
    .unwrap()
}

/// What migrations 1 and 2 left: an organisation, a class, a published resource, its
/// pool with two rows (no change-feed column yet) and the batch that filled it. Each is
/// the first of its table, so its id is 1.
fn version_2_data(c: &mut dyn Conn) -> crate::Result<()> {
    let rec = record();
    c.execute(
        "INSERT INTO orgs (credit_code, name, kind, level, region_code, created_at) VALUES (?, '重庆市公安局', 'department', 'provincial', '500000', ?)",
        &params![&rec.spec.provider_code, AT],
    )?;
    c.batch(
        "INSERT INTO classes (code, name, parent_code) VALUES ('1', '基础信息资源', NULL); \
         INSERT INTO classes (code, name, parent_code) VALUES ('101', '人口', '1'); \
         INSERT INTO classes (code, name, parent_code) VALUES ('101001', '户籍人口', '101')",
    )?;
    let r = Resource {
        id: 1,
        code: "101001/000001".into(),
        spec: rec.spec.clone(),
        state: State::Published,
        version: 1,
        owner_org_id: 1,
        created_at: AT.into(),
        updated_at: AT.into(),
    };
    c.execute(
        "INSERT INTO resources (code, classification, name, owner_org_id, state, version, sharing_type, open_type, format_category, update_cycle, spec_json, created_at, updated_at) \
         VALUES (?, '101001', ?, 1, 'published', 1, 'conditional', 'closed', 'database', 'daily', ?, ?, ?)",
        &params![&r.code, &r.spec.name, serde_json::to_string(&r.spec)?, AT, AT],
    )?;
    for (i, item) in r.spec.items.iter().enumerate() {
        c.execute(
            "INSERT INTO resource_items (resource_id, position, name, column_name, data_type, length, is_key, is_required, is_sensitive) VALUES (1, ?, ?, ?, 'C', ?, ?, ?, ?)",
            &params![i as i64, &item.name, &item.column, item.length as i64, item.key, item.required, item.sensitive],
        )?;
    }
    let schema = PoolSchema::for_resource(&r).unwrap();
    c.execute(
        "INSERT INTO pools (resource_id, table_name, schema_json, row_count, byte_count, created_at) VALUES (1, ?, ?, 2, 60, ?)",
        &params![&schema.table, serde_json::to_string(&schema)?, AT],
    )?;
    c.batch(&format!(
        "CREATE TABLE \"{t}\" (gmsfhm TEXT NOT NULL, xm TEXT, _batch_id BIGINT NOT NULL, _bytes BIGINT NOT NULL DEFAULT 0, _updated_at TEXT NOT NULL, PRIMARY KEY (gmsfhm)); \
         INSERT INTO \"{t}\" VALUES ('11010519491231002X', '张三', 1, 30, '{AT}'); \
         INSERT INTO \"{t}\" VALUES ('500103199001011234', '李四', 1, 30, '{AT}')",
        t = schema.table
    ))?;
    c.execute(
        "INSERT INTO pool_batches (resource_id, mode, source_name, source_sha256, header_json, actor, received, accepted, rejected, started_at, finished_at) \
         VALUES (1, 'upsert', 'people.csv', '', '[]', 'pool-admin', 2, 2, 0, ?, ?)",
        &params![AT, AT],
    )?;
    Ok(())
}

/// Data calls logged before the counts were kept (migration 8 counts them): on SQLite
/// in the main file, where the log lived before it had a file of its own.
fn version_7_log(c: &mut dyn Conn) -> crate::Result<()> {
    let entries = (0..3).map(|i| AuditEntry {
        at: AT.into(),
        actor: "consumer-app".into(),
        org_id: Some(2),
        action: "share.lookup".into(),
        resource_code: "101001/000001".into(),
        row_count: 1,
        outcome: if i < 2 { "ok" } else { "not_found" }.into(),
        ..AuditEntry::default()
    });
    for r in chain("n1", (0, GENESIS.into()), entries) {
        let e = &r.entry;
        c.execute(
            "INSERT INTO audit_log (node_id, seq, at, actor, app_id, org_id, action, resource_code, items, purpose, basis, row_count, digest, outcome, detail, prev_hash, hash) \
             VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            &params![&r.node_id, r.seq, &e.at, &e.actor, e.org_id, &e.action, &e.resource_code, &e.items, &e.purpose, &e.basis, e.row_count, &e.digest, &e.outcome, &e.detail, &r.prev_hash, &r.hash],
        )?;
    }
    Ok(())
}

#[tokio::test]
async fn a_database_of_the_oldest_migrations_opens_at_the_newest_with_its_data() {
    for backend in crate::testing::backends() {
        let url = crate::testing::fresh_database(backend);
        let old_url = url.clone();
        tokio::task::spawn_blocking(move || {
            let old = old_backend(&old_url);
            old.write(|c| super::run_to(c, 2)).unwrap();
            old.write(version_2_data).unwrap();
            old.write(|c| super::run_to(c, 7)).unwrap();
            old.write(version_7_log).unwrap();
        })
        .await
        .unwrap();
        let store = Store::open(&url).await.unwrap();
        let sys = Caller::System("upgrade-test".into());

        // The catalog entry and its pool's rows came through; migration 3's step gave
        // the old rows their change-feed number.
        let r = store.resource(&sys, "101001/000001").await.unwrap();
        assert_eq!(r.spec.name, "户籍人口基本信息", "{backend}");
        let feed = store
            .pool_changes(&sys, "101001/000001", 0, 10)
            .await
            .unwrap();
        let keys: Vec<(&str, i64)> = feed.iter().map(|c| (c.key.as_str(), c.seq)).collect();
        assert_eq!(
            keys,
            [("11010519491231002X", 1), ("500103199001011234", 1)],
            "{backend}"
        );
        // The pool takes new batches after the old rows.
        let batch = Batch {
            code: "101001/000001".into(),
            header: vec!["公民身份号码".into(), "姓名".into()],
            rows: Box::new(
                vec![Ok(vec![
                    "11010519491231002X".to_string(),
                    "张三丰".to_string(),
                ])]
                .into_iter(),
            ),
            mode: IngestMode::Upsert,
            source_name: "more.csv".into(),
            source_sha256: String::new(),
            client_batch_id: None,
            progress: None,
        };
        let report = store.ingest(&sys, batch).await.unwrap();
        assert_eq!((report.accepted, report.rejected), (1, 0), "{backend}");
        let feed = store
            .pool_changes(&sys, "101001/000001", 1, 10)
            .await
            .unwrap();
        assert_eq!(feed.len(), 1, "{backend}: {feed:?}");
        assert_eq!(feed[0].seq, 2, "{backend}");

        // The log written before was counted (migration 8 on PostgreSQL, the audit
        // file's migration 2 after the move on SQLite), and its chain still verifies.
        assert_eq!(
            store.check_share_calls().await.unwrap(),
            vec![],
            "{backend}"
        );
        let stats = store
            .share_stats(govshare_domain::access::Visibility::All, None, None)
            .await
            .unwrap();
        assert!(stats.total_calls >= 2, "{backend}: {}", stats.total_calls);
        let chains = store.verify_audit().await.unwrap();
        let n1 = chains.iter().find(|c| c.node_id == "n1").expect("node n1");
        assert_eq!((n1.entries, n1.first_bad.clone()), (3, None), "{backend}");

        // Steps are checksummed: one edited after it ran stops the next start.
        store
            .write(|c| c.batch("UPDATE schema_steps SET checksum = 'edited' WHERE version = 3"))
            .await
            .unwrap();
        drop(store);
        let err = Store::open(&url)
            .await
            .err()
            .expect("an edited step stops the start");
        assert!(
            err.to_string().contains("data step changed"),
            "{backend}: {err}"
        );
    }
}

/// A database whose data step ran with an earlier text of it (kept in the step as doing
/// the same) opens; one whose recorded step matches no text of it does not.
#[tokio::test]
async fn a_step_run_with_an_earlier_text_of_it_opens_and_an_edited_one_does_not() {
    for backend in crate::testing::backends() {
        let url = crate::testing::fresh_database(backend);
        let set = async |checksum: &'static str| {
            let store = Store::open(&url).await.unwrap();
            store
                .write(move |c| {
                    c.execute(
                        "UPDATE schema_steps SET checksum = ? WHERE version = 3",
                        &params![checksum],
                    )
                })
                .await
                .unwrap()
        };
        assert_eq!(
            set(super::steps::FEED_COLUMNS.earlier[0]).await,
            1,
            "{backend}"
        );
        if let Err(e) = Store::open(&url).await {
            panic!("{backend}: a step run with its earlier text is refused: {e}");
        }
        set("0000").await;
        let refused = Store::open(&url).await.err().map(|e| e.to_string());
        assert!(
            refused
                .as_deref()
                .is_some_and(|e| e.contains("migration 3 (pool_feed) had its data step changed")),
            "{backend}: {refused:?}"
        );
    }
}

/// The steps' texts are the ones databases ran. When this fails, a step was edited: if
/// it still does the same, keep the checksum it had in its `earlier` and update this
/// list; if it does something else, put the change in a new migration instead.
#[test]
fn the_data_steps_are_the_texts_databases_ran() {
    let now: Vec<(i64, String)> = super::MAIN
        .iter()
        .chain(super::AUDIT_FILE)
        .filter_map(|m| {
            m.after
                .as_ref()
                .map(|s| (m.version, super::step_checksum(s)))
        })
        .collect();
    let expected: &[(i64, &str)] = &[
        (
            3,
            "b1909efdd21a873dab5226a56a7e547d80e616e44f8c38cedc30122452998ccd",
        ),
        (
            8,
            "a2d3d7b9a5e4e709c480112a202f73bd08005b11363900f37e378c05ea804019",
        ),
        (
            2,
            "a2d3d7b9a5e4e709c480112a202f73bd08005b11363900f37e378c05ea804019",
        ),
    ];
    assert_eq!(
        now.iter()
            .map(|(v, c)| (*v, c.as_str()))
            .collect::<Vec<_>>(),
        expected,
        "a data step's text changed"
    );
}
