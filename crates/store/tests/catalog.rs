//! The storage suite: runs on SQLite, and on PostgreSQL when
//! GOVSHARE_TEST_POSTGRES_URL is set, each in a fresh database.

use govshare_domain::Error;
use govshare_domain::access::{Principal, Role};
use govshare_domain::classification::ClassNode;
use govshare_domain::item::Item;
use govshare_domain::labels::*;
use govshare_domain::lifecycle::{Action, State};
use govshare_domain::org::{OrgKind, OrgLevel, OrgSpec};
use govshare_domain::resource::{CatalogRecord, ResourceSpec, Survey};
use govshare_store::catalog::import::ImportMode;
use govshare_store::catalog::resources::ResourceFilter;
use govshare_store::prelude::*;
use govshare_store::value::Value;
use govshare_store::{Caller, Store, StoreError};
use std::collections::BTreeSet;

fn credit(body: &str) -> String {
    let first17 = format!("11500000{body}");
    let c = govshare_domain::ids::credit_code_check_char(&first17).unwrap();
    format!("{first17}{c}")
}

async fn seeded(backend: &str) -> (Store, String, String) {
    let store = Store::open(&govshare_store::testing::fresh_database(backend))
        .await
        .unwrap();
    let sys = Caller::System("test".into());
    let police = credit("MB1532456");
    let market = credit("MB1536791");
    for (code, name) in [(&police, "重庆市公安局"), (&market, "重庆市市场监督管理局")]
    {
        let spec = OrgSpec {
            credit_code: code.clone(),
            name: name.into(),
            short_name: String::new(),
            kind: OrgKind::Department,
            level: OrgLevel::Provincial,
            region_code: "500000".into(),
            parent_code: None,
        };
        store.upsert_org(&sys, spec).await.unwrap();
    }
    let mut nodes = govshare_domain::classification::national_classes();
    nodes.push(ClassNode::new("101001", "户籍人口"));
    nodes.push(ClassNode::new("302001", "重庆市公安局"));
    store.upsert_classes(&sys, nodes).await.unwrap();
    (store, police, market)
}

fn spec(provider: &str, class: &str, name: &str) -> ResourceSpec {
    ResourceSpec {
        code: None,
        classification: class.into(),
        name: name.into(),
        provider: String::new(),
        provider_code: provider.into(),
        provider_unit: String::new(),
        summary: format!("{name}，覆盖全市，用于政务服务"),
        format_category: FormatCategory::Database,
        format_type: "Oracle".into(),
        items: vec![Item {
            name: "公民身份号码".into(),
            column: String::new(),
            data_type: DataType::String,
            length: 18,
            key: true,
            required: true,
            sensitive: true,
        }],
        sharing_type: SharingType::Unconditional,
        sharing_condition: String::new(),
        sharing_method: Some(SharingMethod::Api),
        not_shared_basis: String::new(),
        open_type: OpenType::Closed,
        open_condition: String::new(),
        update_cycle: UpdateCycle::Daily,
        published_on: None,
        related_codes: vec![],
        keywords: vec![],
        themes: vec![],
        system_name: String::new(),
        storage_location: String::new(),
        online_link: String::new(),
        secret: false,
        survey: Survey::default(),
    }
}

fn user(role: Role, org_id: i64) -> Caller {
    Caller::User(Principal {
        user_id: 99,
        username: "tester".into(),
        org_id,
        role,
    })
}

fn invalid_fields(e: StoreError) -> Vec<String> {
    match e {
        StoreError::Domain(Error::Invalid(p)) => p.into_iter().map(|p| p.field).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[tokio::test]
async fn codes_are_generated_in_sequence_and_never_reused() {
    for backend in govshare_store::testing::backends() {
        let (store, police, _) = seeded(backend).await;
        let sys = Caller::System("t".into());
        let a = store
            .create_resource(&sys, spec(&police, "101001", "户籍人口基本信息"))
            .await
            .unwrap();
        let b = store
            .create_resource(&sys, spec(&police, "101001", "户籍迁移信息"))
            .await
            .unwrap();
        assert_eq!(
            (a.code.as_str(), b.code.as_str()),
            ("101001/000001", "101001/000002"),
            "{backend}"
        );
        assert_eq!(a.spec.provider, "重庆市公安局");
        assert_eq!(a.spec.items[0].column, "gmsfhm");
        // An imported code pushes the sequence past it.
        let mut imported = spec(&police, "101001", "暂住登记信息");
        imported.code = Some("101001/000040".into());
        let out = store
            .import_catalog(
                &sys,
                vec![CatalogRecord {
                    spec: imported,
                    state: State::Published,
                }],
                ImportMode::AllOrNothing.into(),
                Box::new(|_| {}),
            )
            .await
            .unwrap();
        assert_eq!(out.imported, 1, "{backend}");
        let c = store
            .create_resource(&sys, spec(&police, "101001", "居住证信息"))
            .await
            .unwrap();
        assert_eq!(c.code, "101001/000041", "{backend}");
        // An imported entry may relate to stored entries and to entries later in the file.
        let mut first = spec(&police, "101001", "人口迁入信息");
        first.code = Some("101001/000050".into());
        first.related_codes = vec!["101001/000001".into(), "101001/000051".into()];
        let mut second = spec(&police, "101001", "人口迁出信息");
        second.code = Some("101001/000051".into());
        let records = [first, second]
            .map(|spec| CatalogRecord {
                spec,
                state: State::Draft,
            })
            .to_vec();
        let out = store
            .import_catalog(
                &sys,
                records,
                ImportMode::AllOrNothing.into(),
                Box::new(|_| {}),
            )
            .await
            .unwrap();
        assert_eq!(
            (out.imported, out.rejected.len()),
            (2, 0),
            "{backend}: {:?}",
            out.rejected
        );
    }
}

#[tokio::test]
async fn bad_entries_are_refused_with_the_field_named() {
    for backend in govshare_store::testing::backends() {
        let (store, police, _) = seeded(backend).await;
        let sys = Caller::System("t".into());
        let mut s = spec(&police, "101001", "x");
        s.sharing_type = SharingType::Conditional;
        assert_eq!(
            invalid_fields(store.create_resource(&sys, s).await.unwrap_err()),
            ["sharing_condition"]
        );
        let s = spec(&credit("MB0000001"), "101001", "x");
        assert_eq!(
            invalid_fields(store.create_resource(&sys, s).await.unwrap_err()),
            ["provider_code"]
        );
        let s = spec(&police, "101009", "x");
        assert_eq!(
            invalid_fields(store.create_resource(&sys, s).await.unwrap_err()),
            ["classification"]
        );
        let mut s = spec(&police, "101001", "x");
        s.themes = vec!["T99".into()];
        assert_eq!(
            invalid_fields(store.create_resource(&sys, s).await.unwrap_err()),
            ["themes[0]"]
        );
        assert_eq!(store.count_resources().await.unwrap(), 0, "{backend}");
    }
}

#[tokio::test]
async fn import_is_all_or_nothing_unless_asked_otherwise() {
    for backend in govshare_store::testing::backends() {
        let (store, police, _) = seeded(backend).await;
        let sys = Caller::System("t".into());
        let mut good = spec(&police, "101001", "户籍人口基本信息");
        good.code = Some("101001/000001".into());
        let mut dup = spec(&police, "101001", "重复代码");
        dup.code = Some("101001/000001".into());
        let mut bad = spec(&police, "101001", "没有共享方式");
        bad.sharing_method = None;
        let records: Vec<_> = [good, dup, bad]
            .into_iter()
            .map(|spec| CatalogRecord {
                spec,
                state: State::Draft,
            })
            .collect();
        let out = store
            .import_catalog(
                &sys,
                records.clone(),
                ImportMode::AllOrNothing.into(),
                Box::new(|_| {}),
            )
            .await
            .unwrap();
        assert_eq!((out.received, out.imported), (3, 0), "{backend}");
        let indexes: Vec<_> = out
            .rejected
            .iter()
            .map(|r| (r.index, r.problems[0].field.as_str()))
            .collect();
        assert_eq!(indexes, [(1, "code"), (2, "sharing_method")]);
        assert_eq!(store.count_resources().await.unwrap(), 0);
        let out = store
            .import_catalog(
                &sys,
                records,
                ImportMode::ValidOnly.into(),
                Box::new(|_| {}),
            )
            .await
            .unwrap();
        assert_eq!((out.imported, out.rejected.len()), (1, 2), "{backend}");
        assert_eq!(store.count_resources().await.unwrap(), 1);
    }
}

#[tokio::test]
async fn lifecycle_permissions_visibility_and_history() {
    for backend in govshare_store::testing::backends() {
        let (store, police, market) = seeded(backend).await;
        let police_id = store.org_by_code(&police).await.unwrap().id;
        let market_id = store.org_by_code(&market).await.unwrap().id;
        let operator = user(Role::OrgOperator, police_id);
        let stranger = user(Role::OrgAdmin, market_id);
        let bureau = user(Role::BureauAdmin, 1);
        let r = store
            .create_resource(&operator, spec(&police, "302001", "居民身份证签发信息"))
            .await
            .unwrap();
        // Another department cannot see a draft, nor create for the police.
        assert!(matches!(
            store.resource(&stranger, &r.code).await,
            Err(StoreError::Domain(Error::NotFound { .. }))
        ));
        assert!(matches!(
            store
                .create_resource(&stranger, spec(&police, "302001", "x"))
                .await,
            Err(StoreError::Domain(Error::Forbidden(_)))
        ));
        // Edit with a stale version is a conflict.
        let mut s = r.spec.clone();
        s.summary = "居民身份证签发、换领、补领信息，覆盖全市".into();
        let r2 = store
            .update_resource(&operator, &r.code, s.clone(), Some(1))
            .await
            .unwrap();
        assert_eq!(r2.version, 2);
        assert!(matches!(
            store.update_resource(&operator, &r.code, s, Some(1)).await,
            Err(StoreError::Domain(Error::Conflict(_)))
        ));
        // Only the bureau reviews.
        store
            .transition_resource(&operator, &r.code, Action::Submit, "")
            .await
            .unwrap();
        assert!(matches!(
            store
                .transition_resource(&operator, &r.code, Action::Register, "")
                .await,
            Err(StoreError::Domain(Error::Forbidden(_)))
        ));
        let e = store
            .transition_resource(&bureau, &r.code, Action::Return, "")
            .await
            .unwrap_err();
        assert_eq!(invalid_fields(e), ["reason"]);
        store
            .transition_resource(&bureau, &r.code, Action::Return, "摘要不完整")
            .await
            .unwrap();
        store
            .transition_resource(&operator, &r.code, Action::Submit, "")
            .await
            .unwrap();
        store
            .transition_resource(&bureau, &r.code, Action::Register, "")
            .await
            .unwrap();
        let published = store
            .transition_resource(&bureau, &r.code, Action::Publish, "")
            .await
            .unwrap();
        assert!(published.spec.published_on.is_some());
        assert!(matches!(
            store
                .transition_resource(&bureau, &r.code, Action::Publish, "")
                .await,
            Err(StoreError::Domain(Error::IllegalTransition { .. }))
        ));
        // Published: others see it; the public does not (it is closed).
        assert_eq!(
            store.resource(&stranger, &r.code).await.unwrap().state,
            State::Published
        );
        let public = Caller::User(Principal {
            user_id: 0,
            username: "x".into(),
            org_id: 0,
            role: Role::OrgOperator,
        });
        assert_eq!(
            store
                .list_resources(&public, ResourceFilter::default())
                .await
                .unwrap()
                .total,
            1
        );
        let history = store.resource_history(&bureau, &r.code).await.unwrap();
        let actions: Vec<_> = history.iter().map(|h| h.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "create", "update", "submit", "return", "submit", "register", "publish"
            ],
            "{backend}"
        );
        assert_eq!(history[1].changed, ["summary"]);
        assert_eq!(history[3].reason, "摘要不完整");
        assert_eq!(history[0].actor, "tester");
    }
}

#[tokio::test]
async fn list_filters_and_keyset_pages() {
    for backend in govshare_store::testing::backends() {
        let (store, police, _) = seeded(backend).await;
        let sys = Caller::System("t".into());
        for i in 0..7 {
            let mut s = spec(&police, "101001", &format!("人口信息{i}"));
            if i % 2 == 0 {
                s.update_cycle = UpdateCycle::Monthly;
            }
            store.create_resource(&sys, s).await.unwrap();
        }
        let mut f = ResourceFilter {
            limit: Some(3),
            ..Default::default()
        };
        let mut seen = vec![];
        loop {
            let page = store.list_resources(&sys, f.clone()).await.unwrap();
            assert_eq!(page.total, 7);
            seen.extend(page.results.iter().map(|r| r.spec.name.clone()));
            match page.next {
                Some(n) => f.after = Some(n),
                None => break,
            }
        }
        assert_eq!(seen.len(), 7, "{backend}");
        let monthly = ResourceFilter {
            update_cycle: Some(UpdateCycle::Monthly),
            ..Default::default()
        };
        assert_eq!(store.list_resources(&sys, monthly).await.unwrap().total, 4);
        let hostile = ResourceFilter {
            name: Some("%' OR 1=1 --".into()),
            ..Default::default()
        };
        assert_eq!(store.list_resources(&sys, hostile).await.unwrap().total, 0);
        let bad = ResourceFilter {
            classification: Some("1' OR".into()),
            ..Default::default()
        };
        assert!(store.list_resources(&sys, bad).await.is_err());
    }
}

mod pools {
    use super::*;
    use govshare_store::pool::ingest::{Batch, IngestMode};

    fn person_spec(police: &str) -> ResourceSpec {
        let mut s = spec(police, "101001", "户籍人口基本信息");
        let item = |name: &str, t: DataType, len: u32, key: bool| Item {
            name: name.into(),
            column: String::new(),
            data_type: t,
            length: len,
            key,
            required: key,
            sensitive: false,
        };
        s.items = vec![
            item("公民身份号码", DataType::String, 18, true),
            item("姓名", DataType::String, 50, false),
            item("性别", DataType::String, 1, false),
            item("出生日期", DataType::Date, 10, false),
            item("人口数", DataType::Integer, 10, false),
        ];
        s
    }

    fn id(first17: &str) -> String {
        format!(
            "{first17}{}",
            govshare_domain::ids::citizen_id_check_char(first17).unwrap()
        )
    }

    fn batch(code: &str, rows: Vec<Vec<&str>>, mode: IngestMode, client: Option<&str>) -> Batch {
        let rows: Vec<Result<Vec<String>, String>> = rows
            .into_iter()
            .map(|r| Ok(r.into_iter().map(String::from).collect()))
            .collect();
        Batch {
            code: code.into(),
            header: ["公民身份号码", "姓名", "xb", "出生日期", "人口数"]
                .map(String::from)
                .to_vec(),
            rows: Box::new(rows.into_iter()),
            mode,
            source_name: "people.csv".into(),
            source_sha256: "0".repeat(64),
            client_batch_id: client.map(String::from),
            progress: None,
        }
    }

    /// Every data type goes in and comes back unchanged, through both ways a batch is
    /// written (a fresh pool, then a merge into a filled one).
    #[tokio::test]
    async fn values_of_every_data_type_survive_the_load() {
        for backend in govshare_store::testing::backends() {
            let (store, police, _) = seeded(backend).await;
            let sys = Caller::System("t".into());
            let mut s = spec(&police, "101001", "各类数据类型");
            let names = [
                "编码",
                "整数",
                "数值",
                "货币",
                "日期",
                "日期时间",
                "逻辑",
                "备注",
                "双精度",
                "浮点",
            ];
            let types = [
                DataType::String,
                DataType::Integer,
                DataType::Number,
                DataType::Currency,
                DataType::Date,
                DataType::DateTime,
                DataType::Boolean,
                DataType::Memo,
                DataType::Double,
                DataType::Float,
            ];
            s.items = names
                .iter()
                .zip(types)
                .map(|(n, t)| Item {
                    name: (*n).into(),
                    column: String::new(),
                    data_type: t,
                    length: match t {
                        DataType::Integer => 20,
                        DataType::Date | DataType::DateTime => 10,
                        DataType::Boolean => 1,
                        DataType::String | DataType::Memo => 200,
                        _ => 64,
                    },
                    key: *n == "编码",
                    required: *n == "编码",
                    sensitive: false,
                })
                .collect();
            let r = store.create_resource(&sys, s).await.unwrap();
            store
                .transition_resource(&sys, &r.code, Action::Submit, "")
                .await
                .unwrap();
            store
                .transition_resource(&sys, &r.code, Action::Register, "")
                .await
                .unwrap();
            let rows = [
                [
                    "A1",
                    "-42",
                    "3.25",
                    "1234.5",
                    "2019年3月1日",
                    "2019-03-01 08:30:15",
                    "是",
                    "制表\t换行\n反斜杠\\ 中文",
                    "1e-3",
                    "-0.5",
                ],
                ["B2", "9007199254740993", "0", "", "", "", "否", "", "", ""],
            ];
            for (i, row) in rows.iter().enumerate() {
                let report = store
                    .ingest(
                        &sys,
                        Batch {
                            code: r.code.clone(),
                            header: names.map(String::from).to_vec(),
                            rows: Box::new(std::iter::once(Ok(row.map(String::from).to_vec()))),
                            mode: IngestMode::Upsert,
                            source_name: format!("{i}.csv"),
                            source_sha256: "0".repeat(64),
                            client_batch_id: None,
                            progress: None,
                        },
                    )
                    .await
                    .unwrap();
                assert_eq!(report.accepted, 1, "{backend}: row {i}");
            }
            let table = store.pool(&sys, &r.code).await.unwrap().table;
            let stored = store
                .read(move |c| c.query(&format!("SELECT * FROM \"{table}\" ORDER BY 1"), &[]))
                .await
                .unwrap();
            let text = |row: usize, col: usize| {
                govshare_store::value::key_text(&stored[row].values()[col..=col])
            };
            let bool_text = |row: usize| text(row, 6).replace("true", "1").replace("false", "0");
            assert_eq!(
                (0..6).map(|c| text(0, c)).collect::<Vec<_>>(),
                [
                    "A1",
                    "-42",
                    "3.25",
                    "1234.5",
                    "2019-03-01",
                    "2019-03-01 08:30:15"
                ],
                "{backend}"
            );
            assert_eq!(
                (bool_text(0), bool_text(1)),
                ("1".into(), "0".into()),
                "{backend}"
            );
            assert_eq!(text(0, 7), "制表\t换行\n反斜杠\\ 中文", "{backend}");
            assert_eq!(
                (text(0, 8), text(0, 9)),
                ("0.001".into(), "-0.5".into()),
                "{backend}"
            );
            assert_eq!(
                text(1, 1),
                "9007199254740993",
                "{backend}: integers keep all 64 bits"
            );
            assert_eq!(
                (text(1, 3), text(1, 4), text(1, 7)),
                (String::new(), String::new(), String::new()),
                "{backend}: empty is null"
            );
        }
    }

    #[tokio::test]
    async fn a_registered_resource_gets_a_pool_that_takes_checked_rows() {
        for backend in govshare_store::testing::backends() {
            let (store, police, market) = seeded(backend).await;
            let sys = Caller::System("t".into());
            let r = store
                .create_resource(&sys, person_spec(&police))
                .await
                .unwrap();
            // Not registered yet: no data goes in.
            let early = store
                .ingest(&sys, batch(&r.code, vec![], IngestMode::Upsert, None))
                .await;
            assert!(
                matches!(early, Err(StoreError::Domain(Error::Conflict(_)))),
                "{backend}"
            );
            store
                .transition_resource(&sys, &r.code, Action::Submit, "")
                .await
                .unwrap();
            store
                .transition_resource(&sys, &r.code, Action::Register, "")
                .await
                .unwrap();
            let pool = store.pool(&sys, &r.code).await.unwrap();
            assert_eq!((pool.row_count, pool.schema.columns.len()), (0, 5));

            let (a, b, c) = (
                id("50010319800101002"),
                id("50010319900202003"),
                id("50010319751231004"),
            );
            let bad_check = format!("{}{}", &a[..17], if a.ends_with('0') { '1' } else { '0' });
            let rows = vec![
                vec![a.as_str(), " 张三 ", "1", "1980年1月1日", "１２"],
                vec![b.as_str(), "李四", "2", "1990/2/2", ""],
                vec![bad_check.as_str(), "王五", "1", "1975-12-31", "3"],
                vec![c.as_str(), "赵六", "3", "1975-02-30", "x"],
                vec![a.as_str(), "张三重复", "1", "1980-01-01", "1"],
                vec![c.as_str(), "赵六"],
            ];
            let report = store
                .ingest(&sys, batch(&r.code, rows, IngestMode::Upsert, Some("b-1")))
                .await
                .unwrap();
            assert_eq!(
                (report.received, report.accepted, report.rejected),
                (6, 2, 4),
                "{backend}"
            );
            let q = store.quarantine(&sys, report.batch_id).await.unwrap().rows;
            let reasons: Vec<(i64, &str)> = q
                .iter()
                .map(|x| (x.row_number, x.column.as_str()))
                .collect();
            assert!(
                reasons.contains(&(4, "公民身份号码")),
                "{backend}: {reasons:?}"
            );
            assert!(
                reasons.contains(&(5, "性别"))
                    && reasons.contains(&(5, "出生日期"))
                    && reasons.contains(&(5, "人口数"))
            );
            assert!(
                q.iter()
                    .any(|x| x.row_number == 6 && x.reason.contains("重复"))
            );
            assert!(
                q.iter()
                    .any(|x| x.row_number == 7 && x.reason.contains("列"))
            );
            // A consumer that read the feed so far holds the two accepted rows.
            let early = store.pool_changes(&sys, &r.code, 0, 1000).await.unwrap();
            let early_state = replay(BTreeSet::new(), &early);
            assert_eq!(
                early_state,
                BTreeSet::from([a.clone(), b.clone()]),
                "{backend}"
            );
            // A retry of the same batch changes nothing.
            let again = store
                .ingest(
                    &sys,
                    batch(
                        &r.code,
                        vec![vec![c.as_str(), "赵六", "1", "", ""]],
                        IngestMode::Upsert,
                        Some("b-1"),
                    ),
                )
                .await
                .unwrap();
            assert!(again.replayed && again.accepted == 2);
            assert_eq!(store.pool(&sys, &r.code).await.unwrap().row_count, 2);
            // Insert mode refuses an existing key; delete removes; replace swaps the whole pool.
            let ins = store
                .ingest(
                    &sys,
                    batch(
                        &r.code,
                        vec![
                            vec![a.as_str(), "张三", "1", "", ""],
                            vec![c.as_str(), "赵六", "9", "", ""],
                        ],
                        IngestMode::Insert,
                        None,
                    ),
                )
                .await
                .unwrap();
            assert_eq!((ins.accepted, ins.rejected), (1, 1));
            let del = store
                .ingest(
                    &sys,
                    batch(
                        &r.code,
                        vec![vec![b.as_str(), "", "", "", ""]],
                        IngestMode::Delete,
                        None,
                    ),
                )
                .await
                .unwrap();
            assert_eq!(del.accepted, 1);
            assert_eq!(store.pool(&sys, &r.code).await.unwrap().row_count, 2);
            let rep = store
                .ingest(
                    &sys,
                    batch(
                        &r.code,
                        vec![vec![b.as_str(), "李四", "2", "1990-02-02", "5"]],
                        IngestMode::Replace,
                        None,
                    ),
                )
                .await
                .unwrap();
            assert_eq!(rep.accepted, 1);
            assert_eq!(
                store.pool(&sys, &r.code).await.unwrap().row_count,
                1,
                "{backend}"
            );
            // After upsert, insert, delete and replace, the feed replayed from the start,
            // or from where the early consumer stopped, ends with the pool's rows.
            let full = store.pool_changes(&sys, &r.code, 0, 1000).await.unwrap();
            assert_eq!(
                replay(BTreeSet::new(), &full),
                BTreeSet::from([b.clone()]),
                "{backend}: {full:?}"
            );
            let since = early.last().unwrap().seq;
            let rest = store
                .pool_changes(&sys, &r.code, since, 1000)
                .await
                .unwrap();
            assert!(rest.iter().all(|c| c.seq > since));
            assert_eq!(
                replay(early_state, &rest),
                BTreeSet::from([b.clone()]),
                "{backend}: {rest:?}"
            );
            assert!(rest.windows(2).all(|w| w[0].seq < w[1].seq));
            // Another department may neither fill the pool nor read its quarantine.
            let market_id = store.org_by_code(&market).await.unwrap().id;
            let stranger = user(Role::OrgAdmin, market_id);
            assert!(
                store
                    .ingest(&stranger, batch(&r.code, vec![], IngestMode::Upsert, None))
                    .await
                    .is_err()
            );
            assert!(store.quarantine(&stranger, report.batch_id).await.is_err());
            // An unknown header refuses the batch and names the header.
            let mut wrong = batch(&r.code, vec![], IngestMode::Upsert, None);
            wrong.header[1] = "名字".into();
            let err = store.ingest(&sys, wrong).await.unwrap_err();
            assert!(format!("{err}").contains("名字"), "{err}");
        }
    }
}

mod pool_batches {
    use super::*;
    use govshare_domain::pool::Selection;
    use govshare_store::pool::ingest::{Batch, BatchReport, IngestMode};

    fn id(n: u32) -> String {
        let first17 = format!("500103198001{:05}", 10_000 + n);
        format!(
            "{first17}{}",
            govshare_domain::ids::citizen_id_check_char(&first17).unwrap()
        )
    }

    fn rows_batch(code: &str, mode: IngestMode, rows: &[(u32, &str)]) -> Batch {
        let rows: Vec<Result<Vec<String>, String>> = rows
            .iter()
            .map(|(n, name)| Ok(vec![id(*n), name.to_string(), "1".into()]))
            .collect();
        Batch {
            code: code.into(),
            header: ["公民身份号码", "姓名", "性别"].map(String::from).to_vec(),
            rows: Box::new(rows.into_iter()),
            mode,
            source_name: "t.csv".into(),
            source_sha256: "0".repeat(64),
            client_batch_id: None,
            progress: None,
        }
    }

    async fn person_pool(store: &Store, police: &str) -> String {
        let sys = Caller::System("t".into());
        let mut s = spec(police, "101001", "人口姓名");
        let item = |name: &str, len: u32, key: bool| Item {
            name: name.into(),
            column: String::new(),
            data_type: DataType::String,
            length: len,
            key,
            required: key,
            sensitive: false,
        };
        s.items = vec![
            item("公民身份号码", 18, true),
            item("姓名", 50, false),
            item("性别", 1, false),
        ];
        let r = store.create_resource(&sys, s).await.unwrap();
        for a in [Action::Submit, Action::Register] {
            store
                .transition_resource(&sys, &r.code, a, "")
                .await
                .unwrap();
        }
        r.code
    }

    /// (accepted, rejected, row numbers refused as repeats).
    async fn outcome(store: &Store, r: &BatchReport) -> (i64, i64, Vec<i64>) {
        let q = store
            .quarantine(&Caller::System("t".into()), r.batch_id)
            .await
            .unwrap();
        let repeats = q
            .rows
            .iter()
            .filter(|x| x.reason.contains("重复"))
            .map(|x| x.row_number)
            .collect();
        (r.accepted, r.rejected, repeats)
    }

    async fn names(store: &Store, code: &str) -> Vec<(String, String)> {
        let sys = Caller::System("t".into());
        let pool = store.pool(&sys, code).await.unwrap();
        let (t, k, n) = (
            pool.table,
            pool.schema.columns[0].column.clone(),
            pool.schema.columns[1].column.clone(),
        );
        store
            .read(move |c| {
                c.query(
                    &format!("SELECT \"{k}\" AS k, \"{n}\" AS n FROM \"{t}\" ORDER BY 1"),
                    &[],
                )?
                .iter()
                .map(|r| Ok((r.text("k")?, r.opt_text("n")?.unwrap_or_default())))
                .collect()
            })
            .await
            .unwrap()
    }

    /// A key repeated within a batch is refused, the first row wins, in every mode and
    /// both ways a batch is written (a fresh pool, a merge into a filled one).
    #[tokio::test]
    async fn repeated_keys_are_refused_in_every_mode() {
        for backend in govshare_store::testing::backends() {
            let (store, police, _) = seeded(backend).await;
            let sys = Caller::System("t".into());
            let code = person_pool(&store, &police).await;
            let run = |mode, rows: &[(u32, &str)]| {
                let b = rows_batch(&code, mode, rows);
                let store = store.clone();
                async move {
                    let r = store.ingest(&Caller::System("t".into()), b).await.unwrap();
                    outcome(&store, &r).await
                }
            };
            // Into the empty pool.
            let first = run(
                IngestMode::Upsert,
                &[(1, "甲"), (2, "乙"), (1, "甲二"), (3, "丙"), (2, "乙二")],
            )
            .await;
            assert_eq!(first, (3, 2, vec![4, 6]), "{backend}");
            // Merged into the filled pool: an existing key is updated once, its repeat refused.
            let second = run(
                IngestMode::Upsert,
                &[(1, "甲三"), (4, "丁"), (1, "甲四"), (4, "丁二")],
            )
            .await;
            assert_eq!(second, (2, 2, vec![4, 5]), "{backend}");
            let insert = run(IngestMode::Insert, &[(5, "戊"), (5, "戊二"), (2, "乙三")]).await;
            assert_eq!(
                insert,
                (1, 2, vec![3]),
                "{backend}: the key of an earlier batch is not a repeat"
            );
            let delete = run(IngestMode::Delete, &[(3, ""), (3, ""), (9, "")]).await;
            assert_eq!((delete.0, delete.1), (1, 2), "{backend}");
            assert_eq!(
                names(&store, &code).await,
                vec![
                    (id(1), "甲三".to_string()),
                    (id(2), "乙".to_string()),
                    (id(4), "丁".to_string()),
                    (id(5), "戊".to_string())
                ],
                "{backend}"
            );
            let replace = run(IngestMode::Replace, &[(7, "庚"), (8, "辛"), (7, "庚二")]).await;
            assert_eq!(replace, (2, 1, vec![4]), "{backend}");
            assert_eq!(
                names(&store, &code).await,
                vec![(id(7), "庚".to_string()), (id(8), "辛".to_string())],
                "{backend}"
            );
            assert_eq!(store.pool(&sys, &code).await.unwrap().row_count, 2);
        }
    }

    /// One bad row in a million is refused alone, named by its row; nothing else is lost.
    #[tokio::test]
    async fn one_bad_row_in_a_million_is_refused_alone() {
        for backend in govshare_store::testing::backends() {
            let (store, police, _) = seeded(backend).await;
            let sys = Caller::System("t".into());
            let code = person_pool(&store, &police).await;
            let n: usize = 1_000_000;
            let bad_at = 612_345;
            let rows = (0..n).map(move |i| {
                let mut id = govshare_demo::fill::citizen_id(i);
                if i == bad_at {
                    let last = id.pop().unwrap_or('0');
                    id.push(if last == '0' { '1' } else { '0' });
                }
                Ok(vec![id, "张三".to_string(), "1".to_string()])
            });
            let mut b = rows_batch(&code, IngestMode::Upsert, &[]);
            b.rows = Box::new(rows);
            let r = store.ingest(&sys, b).await.unwrap();
            let n = n as i64;
            assert_eq!(
                (r.received, r.accepted, r.rejected),
                (n, n - 1, 1),
                "{backend}"
            );
            let q = store.quarantine(&sys, r.batch_id).await.unwrap().rows;
            assert_eq!(q.len(), 1);
            assert_eq!(
                (q[0].row_number, q[0].column.as_str()),
                (bad_at as i64 + 2, "公民身份号码")
            );
            assert!(q[0].reason.contains("校验位"), "{}", q[0].reason);
            assert_eq!(store.pool(&sys, &code).await.unwrap().row_count, n - 1);
        }
    }

    /// A large batch that fills a pool is loaded beside it: while it runs, other writes
    /// go through, the pool shows none of the batch, and (SQLite) the write-ahead log
    /// stays far smaller than the load and is cut back to nothing once it ends.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_large_load_lets_other_writes_through_and_shows_nothing_until_it_ends() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicI64, Ordering};
        for backend in govshare_store::testing::backends() {
            let (store, police, _) = seeded(backend).await;
            let sys = Caller::System("t".into());
            let code = person_pool(&store, &police).await;
            let wal = store
                .read(|c| {
                    if c.dialect() != govshare_store::db::conn::Dialect::Sqlite {
                        return Ok(None);
                    }
                    let file = c
                        .query_one(
                            "SELECT file FROM pragma_database_list WHERE name = 'main'",
                            &[],
                        )?
                        .text("file")?;
                    Ok(Some(std::path::PathBuf::from(format!("{file}-wal"))))
                })
                .await
                .unwrap();
            let n: usize = 1_000_000;
            let read = Arc::new(AtomicI64::new(0));
            let mut b = rows_batch(&code, IngestMode::Upsert, &[]);
            b.rows = Box::new((0..n).map(|i| {
                Ok(vec![
                    govshare_demo::fill::citizen_id(i),
                    "张三".to_string(),
                    "1".to_string(),
                ])
            }));
            let seen = read.clone();
            b.progress = Some(Box::new(move |rows| seen.store(rows, Ordering::SeqCst)));
            let loading = {
                let (store, sys) = (store.clone(), sys.clone());
                tokio::spawn(async move { store.ingest(&sys, b).await })
            };
            let mut largest_log = 0u64;
            let wal_size = || {
                wal.as_ref()
                    .and_then(|w| std::fs::metadata(w).ok())
                    .map_or(0, |m| m.len())
            };
            while read.load(Ordering::SeqCst) < 300_000 && !loading.is_finished() {
                largest_log = largest_log.max(wal_size());
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            assert!(
                !loading.is_finished(),
                "{backend}: the load ended too soon to test anything"
            );
            // Halfway: the pool shows nothing of the batch...
            assert_eq!(
                store.pool(&sys, &code).await.unwrap().row_count,
                0,
                "{backend}"
            );
            assert!(
                names(&store, &code).await.is_empty(),
                "{backend}: rows of an unfinished batch are visible"
            );
            // ... and another write does not wait for the load to end.
            let other = store
                .create_resource(&sys, spec(&police, "101001", "人口户籍地址"))
                .await
                .unwrap();
            assert!(
                !loading.is_finished(),
                "{backend}: the write waited for the load to end"
            );
            while !loading.is_finished() {
                largest_log = largest_log.max(wal_size());
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            let report = loading.await.unwrap().unwrap();
            assert_eq!(report.accepted, n as i64, "{backend}");
            assert_eq!(
                store.pool(&sys, &code).await.unwrap().row_count,
                n as i64,
                "{backend}"
            );
            assert!(store.resource(&sys, &other.code).await.is_ok());
            if let Some(log) = &wal {
                let db_size = std::fs::metadata(log.with_extension("db")).unwrap().len();
                assert!(
                    largest_log < db_size / 2,
                    "the write-ahead log reached {largest_log} bytes for a database of {db_size}"
                );
                assert!(
                    wal_size() < 1 << 20,
                    "the write-ahead log still holds {} bytes",
                    wal_size()
                );
            }
        }
    }

    /// Selection rules: the items a pool takes and the rows; rows left out are counted
    /// as skipped, never stored or quarantined; bad rules are refused naming each one.
    #[tokio::test]
    async fn selection_rules_leave_rows_and_items_out() {
        for backend in govshare_store::testing::backends() {
            let (store, police, market) = seeded(backend).await;
            let sys = Caller::System("t".into());
            let code = person_pool(&store, &police).await;
            let first = store
                .ingest(&sys, rows_batch(&code, IngestMode::Upsert, &[(1, "甲")]))
                .await
                .unwrap();
            assert_eq!(first.accepted, 1);
            let selection: Selection = serde_json::from_value(serde_json::json!({
                "items": ["xb"],
                "rows": [{"item": "性别", "op": "in", "values": ["1"]}]
            }))
            .unwrap();
            // Another department may not set the rules of this pool.
            let market_id = store.org_by_code(&market).await.unwrap().id;
            assert!(
                store
                    .set_pool_selection(&user(Role::OrgAdmin, market_id), &code, selection.clone())
                    .await
                    .is_err()
            );
            let info = store
                .set_pool_selection(&sys, &code, selection)
                .await
                .unwrap();
            assert_eq!(
                info.schema.selection.rows[0].item,
                info.schema.columns[2].column
            );
            // 姓名 is not taken: row 1 keeps 甲; gender 2 rows are skipped, whatever
            // their other cells hold; a bad gender cannot be decided and is refused.
            let rows: Vec<Result<Vec<String>, String>> = vec![
                Ok(vec![id(1), "改名".into(), "1".into()]),
                Ok(vec![id(2), "乙".into(), "2".into()]),
                Ok(vec!["坏号码".into(), "丙".into(), "2".into()]),
                Ok(vec![id(4), "丁".into(), "X".into()]),
                Ok(vec![id(5), "戊".into(), "1".into()]),
            ];
            let mut b = rows_batch(&code, IngestMode::Upsert, &[]);
            b.rows = Box::new(rows.into_iter());
            let r = store.ingest(&sys, b).await.unwrap();
            assert_eq!(
                (r.received, r.accepted, r.rejected, r.skipped),
                (5, 2, 1, 2),
                "{backend}: {r:?}"
            );
            assert_eq!(r.received, r.accepted + r.rejected + r.skipped);
            assert_eq!(
                names(&store, &code).await,
                vec![(id(1), "甲".to_string()), (id(5), String::new())],
                "{backend}"
            );
            // A file without the rule's item cannot be selected from: refused whole.
            let mut b = rows_batch(&code, IngestMode::Upsert, &[]);
            b.header.truncate(2);
            let err = store.ingest(&sys, b).await.unwrap_err();
            assert!(format!("{err}").contains("筛选规则"), "{err}");
            // Rules naming unknown items or values of the wrong type are refused.
            let bad: Selection = serde_json::from_value(serde_json::json!({
                "items": ["籍贯"],
                "rows": [{"item": "性别", "op": "at_least", "values": ["1", "2"]}]
            }))
            .unwrap();
            let err = store
                .set_pool_selection(&sys, &code, bad)
                .await
                .unwrap_err();
            assert_eq!(invalid_fields(err), ["items[0]", "rows[0]"], "{backend}");
            // Clearing the rules takes every row and item again.
            store
                .set_pool_selection(&sys, &code, Selection::default())
                .await
                .unwrap();
            let r = store
                .ingest(&sys, rows_batch(&code, IngestMode::Upsert, &[(2, "乙")]))
                .await
                .unwrap();
            assert_eq!((r.accepted, r.skipped), (1, 0));
        }
    }
}

/// The forms departments write pool files in: labels of coded items, full-width
/// digits and letters, and a column wrong on every row.
mod pool_intake {
    use super::*;
    use govshare_store::pool::ingest::{Batch, IngestMode};

    const HEADER: [&str; 7] = [
        "公民身份号码",
        "姓名",
        "性别",
        "民族",
        "婚姻状况",
        "出生日期",
        "联系电话",
    ];

    async fn registered(store: &Store, police: &str) -> String {
        let sys = Caller::System("t".into());
        let mut s = spec(police, "101001", "户籍人口基本信息");
        let item = |name: &str, t: DataType, len: u32, key: bool| Item {
            name: name.into(),
            column: String::new(),
            data_type: t,
            length: len,
            key,
            required: key,
            sensitive: false,
        };
        s.items = vec![
            item("公民身份号码", DataType::String, 18, true),
            item("姓名", DataType::String, 50, false),
            item("性别", DataType::String, 1, false),
            item("民族", DataType::String, 2, false),
            item("婚姻状况", DataType::String, 2, false),
            item("出生日期", DataType::Date, 10, false),
            item("联系电话", DataType::String, 20, false),
        ];
        let r = store.create_resource(&sys, s).await.unwrap();
        for action in [Action::Submit, Action::Register] {
            store
                .transition_resource(&sys, &r.code, action, "")
                .await
                .unwrap();
        }
        r.code
    }

    fn batch(code: &str, rows: Vec<Vec<String>>) -> Batch {
        Batch {
            code: code.into(),
            header: HEADER.map(String::from).to_vec(),
            rows: Box::new(rows.into_iter().map(Ok).collect::<Vec<_>>().into_iter()),
            mode: IngestMode::Upsert,
            source_name: "people.csv".into(),
            source_sha256: "0".repeat(64),
            client_batch_id: None,
            progress: None,
        }
    }

    fn row(cells: [&str; 7]) -> Vec<String> {
        cells.map(String::from).to_vec()
    }

    /// Full-width text of an ASCII string (as some input methods type digits).
    fn wide(s: &str) -> String {
        s.chars()
            .map(|c| char::from_u32(c as u32 + 0xfee0).unwrap())
            .collect()
    }

    #[tokio::test]
    async fn labels_become_codes_and_full_width_becomes_half_width() {
        for backend in govshare_store::testing::backends() {
            let (store, police, _) = seeded(backend).await;
            let sys = Caller::System("t".into());
            let code = registered(&store, &police).await;
            let id_a = "11010519491231002X";
            let id_b = "500103199001011234";
            let id_b = format!(
                "{}{}",
                &id_b[..17],
                govshare_domain::ids::citizen_id_check_char(&id_b[..17]).unwrap()
            );
            let id_c = format!(
                "50010319491231002{}",
                govshare_domain::ids::citizen_id_check_char("50010319491231002").unwrap()
            );
            let rows = vec![
                row([
                    &wide("11010519491231002x"),
                    "张三",
                    "男",
                    "汉族",
                    "已婚",
                    &wide("1949-12-31"),
                    &wide("138-0000-1234"),
                ]),
                row([
                    &id_b,
                    "李四",
                    "女性",
                    "土家族",
                    "20",
                    "1990年1月1日",
                    "023-63888888",
                ]),
                row([&id_c, "王芳", "2", "1", "离异", "1949/12/31", ""]),
                row([
                    "500103199001011235",
                    "坏人",
                    "男的",
                    "火星族",
                    "未婚",
                    "1990-01-01",
                    "",
                ]),
            ];
            let report = store.ingest(&sys, batch(&code, rows)).await.unwrap();
            assert_eq!(
                (report.received, report.accepted, report.rejected),
                (4, 3, 1),
                "{backend}"
            );
            let table = store.pool(&sys, &code).await.unwrap().table;
            let stored = store
                .read(move |c| {
                    c.query(
                        &format!("SELECT gmsfhm, xb, mz, hyzk, CAST(csrq AS TEXT) AS csrq, lxdh FROM \"{table}\" ORDER BY gmsfhm"),
                        &[],
                    )
                })
                .await
                .unwrap();
            let text = |r: &govshare_store::value::Row, column: &'static str| {
                r.opt_text(column).unwrap().unwrap_or_default()
            };
            let columns = ["gmsfhm", "xb", "mz", "hyzk", "csrq", "lxdh"];
            let got: Vec<Vec<String>> = stored
                .iter()
                .map(|r| columns.iter().map(|c| text(r, c)).collect())
                .collect();
            let mut want = vec![
                vec![
                    id_a.to_string(),
                    "1".into(),
                    "01".into(),
                    "20".into(),
                    "1949-12-31".into(),
                    "138-0000-1234".into(),
                ],
                vec![
                    id_b.clone(),
                    "2".into(),
                    "15".into(),
                    "20".into(),
                    "1990-01-01".into(),
                    "023-63888888".into(),
                ],
                vec![
                    id_c.clone(),
                    "2".into(),
                    "01".into(),
                    "40".into(),
                    "1949-12-31".into(),
                    String::new(),
                ],
            ];
            want.sort();
            assert_eq!(got, want, "{backend}");
            let q = store.quarantine(&sys, report.batch_id).await.unwrap().rows;
            let reasons: Vec<(&str, &str)> = q
                .iter()
                .map(|x| (x.column.as_str(), x.reason.as_str()))
                .collect();
            assert!(
                reasons
                    .iter()
                    .any(|(c, r)| *c == "性别" && r.contains("GB/T 2261.1")),
                "{backend}: {reasons:?}"
            );
            assert!(
                reasons
                    .iter()
                    .any(|(c, r)| *c == "民族" && r.contains("GB/T 3304")),
                "{backend}: {reasons:?}"
            );
            // The quarantine keeps the cell as it was written.
            assert!(q.iter().any(|x| x.value == "男的"), "{backend}");
        }
    }

    #[tokio::test]
    async fn a_column_wrong_on_every_row_stops_the_batch_with_one_message() {
        for backend in govshare_store::testing::backends() {
            let (store, police, _) = seeded(backend).await;
            let sys = Caller::System("t".into());
            let code = registered(&store, &police).await;
            let rows: Vec<Vec<String>> = (0..500)
                .map(|i| {
                    let first17 = format!("500103199001{:02}{:03}", 1 + i % 28, i / 28);
                    let id = format!(
                        "{first17}{}",
                        govshare_domain::ids::citizen_id_check_char(&first17).unwrap()
                    );
                    row([&id, "某人", "1", "01", "10", "01-13-1990", ""])
                })
                .collect();
            let err = store.ingest(&sys, batch(&code, rows)).await.unwrap_err();
            let problems = match err {
                StoreError::Domain(Error::Invalid(p)) => p,
                other => panic!("{backend}: expected one problem, got {other:?}"),
            };
            assert_eq!(problems.len(), 1, "{backend}: {problems:?}");
            assert_eq!(problems[0].field, "出生日期", "{backend}");
            let why = &problems[0].reason;
            assert!(why.contains("在前100行中有100行不符"), "{backend}: {why}");
            assert!(why.contains("第2行“01-13-1990”"), "{backend}: {why}");
            assert!(why.contains("日期的写法无法识别"), "{backend}: {why}");
            // Nothing was written: no rows, no batch record.
            assert_eq!(
                store.pool(&sys, &code).await.unwrap().row_count,
                0,
                "{backend}"
            );
            let batches = store
                .read(|c| {
                    c.query_one("SELECT COUNT(*) AS batches FROM pool_batches", &[])?
                        .i64("batches")
                })
                .await
                .unwrap();
            assert_eq!(batches, 0, "{backend}");
            // A file whose bad rows are scattered is quarantined row by row, as before.
            let rows: Vec<Vec<String>> = (0..200)
                .map(|i| {
                    let first17 = format!("500103199001{:02}{:03}", 1 + i % 28, i / 28);
                    let id = format!(
                        "{first17}{}",
                        govshare_domain::ids::citizen_id_check_char(&first17).unwrap()
                    );
                    let date = if i % 3 == 0 {
                        "01-13-1990"
                    } else {
                        "1990-01-13"
                    };
                    row([&id, "某人", "1", "01", "10", date, ""])
                })
                .collect();
            let report = store.ingest(&sys, batch(&code, rows)).await.unwrap();
            assert_eq!((report.accepted, report.rejected), (133, 67), "{backend}");
        }
    }
}

mod pool_schema {
    use super::*;
    use govshare_store::pool::ingest::{Batch, IngestMode};

    fn item(name: &str, t: DataType, key: bool) -> Item {
        Item {
            name: name.into(),
            column: String::new(),
            data_type: t,
            length: 50,
            key,
            required: key,
            sensitive: false,
        }
    }

    fn load(code: &str, header: &[&str], rows: Vec<Vec<&str>>) -> Batch {
        let rows: Vec<Result<Vec<String>, String>> = rows
            .into_iter()
            .map(|r| Ok(r.into_iter().map(String::from).collect()))
            .collect();
        Batch {
            code: code.into(),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Box::new(rows.into_iter()),
            mode: IngestMode::Upsert,
            source_name: "t.csv".into(),
            source_sha256: "0".repeat(64),
            client_batch_id: None,
            progress: None,
        }
    }

    #[tokio::test]
    async fn pools_follow_item_changes_that_stored_rows_allow() {
        for backend in govshare_store::testing::backends() {
            let (store, police, _) = seeded(backend).await;
            let sys = Caller::System("t".into());
            let mut s = spec(&police, "101001", "车辆登记信息");
            s.items = vec![
                item("车辆编号", DataType::String, true),
                item("号牌号码", DataType::String, false),
                item("颜色", DataType::String, false),
            ];
            let r = store.create_resource(&sys, s.clone()).await.unwrap();
            // An empty pool takes any new shape, type changes included.
            store
                .transition_resource(&sys, &r.code, Action::Submit, "")
                .await
                .unwrap();
            store
                .transition_resource(&sys, &r.code, Action::Register, "")
                .await
                .unwrap();
            let mut s1 = store.resource(&sys, &r.code).await.unwrap().spec;
            s1.items[2].data_type = DataType::Integer;
            s1.items[2].length = 10;
            store
                .update_resource(&sys, &r.code, s1.clone(), None)
                .await
                .unwrap();
            s1.items[2].data_type = DataType::String;
            s1.items[2].length = 50;
            let r = store
                .update_resource(&sys, &r.code, s1, None)
                .await
                .unwrap();
            let report = store
                .ingest(
                    &sys,
                    load(
                        &r.code,
                        &["车辆编号", "号牌号码", "颜色"],
                        vec![vec!["V1", "渝A12345", "白"], vec!["V2", "渝B00001", "黑"]],
                    ),
                )
                .await
                .unwrap();
            assert_eq!(report.accepted, 2, "{backend}");
            // With rows: a new item adds a column; a removed one is hidden with its data kept.
            let mut s2 = r.spec.clone();
            s2.items.remove(2);
            s2.items.push(item("品牌", DataType::String, false));
            store
                .update_resource(&sys, &r.code, s2.clone(), None)
                .await
                .unwrap();
            let pool = store.pool(&sys, &r.code).await.unwrap();
            let cols: Vec<(&str, bool)> = pool
                .schema
                .columns
                .iter()
                .map(|c| (c.name.as_str(), c.hidden))
                .collect();
            assert_eq!(
                cols,
                [
                    ("车辆编号", false),
                    ("号牌号码", false),
                    ("颜色", true),
                    ("品牌", false)
                ],
                "{backend}"
            );
            let later = store
                .ingest(
                    &sys,
                    load(
                        &r.code,
                        &["车辆编号", "号牌号码", "品牌"],
                        vec![vec!["V1", "渝A12345", "长安"]],
                    ),
                )
                .await
                .unwrap();
            assert_eq!(later.accepted, 1);
            let table = pool.table.clone();
            let kept = store
                .read(move |c| {
                    c.query_one(
                        &format!("SELECT \"ys\", \"pp\" FROM \"{table}\" WHERE \"clbh\" = 'V1'"),
                        &[],
                    )?
                    .text("ys")
                })
                .await
                .unwrap();
            assert_eq!(
                kept, "白",
                "{backend}: the hidden column keeps its data through an upsert"
            );
            assert!(
                store
                    .ingest(&sys, load(&r.code, &["车辆编号", "颜色"], vec![]))
                    .await
                    .is_err(),
                "a hidden item takes no values"
            );
            // Changes the stored rows could not follow are refused, and nothing changes.
            let mut bad_type = s2.clone();
            bad_type.items[1].data_type = DataType::Integer;
            bad_type.items[1].length = 10;
            assert_eq!(
                invalid_fields(
                    store
                        .update_resource(&sys, &r.code, bad_type, None)
                        .await
                        .unwrap_err()
                ),
                ["items"]
            );
            let mut bad_key = s2.clone();
            bad_key.items[1].key = true;
            assert_eq!(
                invalid_fields(
                    store
                        .update_resource(&sys, &r.code, bad_key, None)
                        .await
                        .unwrap_err()
                ),
                ["items"]
            );
            let names = |items: &[Item]| {
                items
                    .iter()
                    .map(|i| (i.name.clone(), i.data_type, i.key))
                    .collect::<Vec<_>>()
            };
            let stored = store.resource(&sys, &r.code).await.unwrap().spec.items;
            assert_eq!(names(&stored), names(&s2.items), "{backend}");
            // A shorter length the stored values do not fit is refused, naming a value.
            let mut short = s2.clone();
            short.items[1].length = 3;
            let err = store
                .update_resource(&sys, &r.code, short, None)
                .await
                .unwrap_err();
            assert!(
                format!("{err:?}").contains("渝A12345"),
                "{backend}: {err:?}"
            );
            // A type every stored value converts to is taken, and the values converted.
            let mut s3 = s2.clone();
            s3.items.push(item("排量", DataType::String, false));
            store
                .update_resource(&sys, &r.code, s3.clone(), None)
                .await
                .unwrap();
            store
                .ingest(
                    &sys,
                    load(
                        &r.code,
                        &["车辆编号", "号牌号码", "排量"],
                        vec![vec!["V1", "渝A12345", "1.6"], vec!["V2", "渝B00001", "2"]],
                    ),
                )
                .await
                .unwrap();
            let mut s4 = s3.clone();
            s4.items[3].data_type = DataType::Number;
            s4.items[3].length = 16;
            store
                .update_resource(&sys, &r.code, s4, None)
                .await
                .unwrap();
            let table = pool.table.clone();
            let sizes = store
                .read(move |c| {
                    c.query(
                        &format!("SELECT \"pl\" AS pl FROM \"{table}\" ORDER BY \"clbh\""),
                        &[],
                    )
                })
                .await
                .unwrap();
            let sizes: Vec<_> = sizes
                .iter()
                .map(|r| r.value("pl").unwrap().clone())
                .collect();
            assert_eq!(sizes, [Value::Real(1.6), Value::Real(2.0)], "{backend}");
            let pool = store.pool(&sys, &r.code).await.unwrap();
            assert_eq!(
                pool.schema.columns.last().unwrap().data_type,
                DataType::Number
            );
        }
    }
}

/// Applies a pool's change feed to a consumer's set of keys.
fn replay(
    mut keys: BTreeSet<String>,
    changes: &[govshare_store::pool::tables::PoolChange],
) -> BTreeSet<String> {
    for c in changes {
        match c.op.as_str() {
            "upsert" => {
                keys.insert(c.key.clone());
            }
            "delete" => {
                keys.remove(&c.key);
            }
            "replace" => keys.clear(),
            other => panic!("unknown op {other}"),
        }
    }
    keys
}

mod audit {
    use govshare_store::Store;
    use govshare_store::audit::log::AuditEntry;
    use govshare_store::prelude::*;

    async fn chain(backend: &str, n: i64) -> Store {
        let store = Store::open(&govshare_store::testing::fresh_database(backend))
            .await
            .unwrap();
        let entries: Vec<AuditEntry> = (1..=n)
            .map(|i| AuditEntry {
                at: format!("2026-12-01T08:00:{i:02}.000Z"),
                actor: "渝中区政务服务系统".into(),
                app_id: Some(7),
                org_id: Some(3),
                action: "share.lookup".into(),
                resource_code: "101001/000001".into(),
                items: "姓名,公民身份号码*".into(),
                basis: "registration:1".into(),
                row_count: 1,
                outcome: "ok".into(),
                ..Default::default()
            })
            .collect();
        // Written in two groups, as the group commit would.
        store
            .append_audit("node-a", entries[..3].to_vec())
            .await
            .unwrap();
        store
            .append_audit("node-a", entries[3..].to_vec())
            .await
            .unwrap();
        store
            .append_audit("node-b", entries[..2].to_vec())
            .await
            .unwrap();
        store
    }

    async fn first_bad(store: &Store) -> Option<(i64, String)> {
        let reports = store.verify_audit().await.unwrap();
        assert_eq!(reports.len(), 2, "one chain per node");
        assert!(reports[1].first_bad.is_none(), "node-b is untouched");
        reports[0].first_bad.clone()
    }

    async fn tamper(store: &Store, sql: &'static str) {
        store.write_audit(move |c| c.batch(sql)).await.unwrap();
    }

    /// A long write on the data (a big pool loaded all or nothing) does not hold up the
    /// audit log, and with it every sharing call, until it commits.
    #[tokio::test]
    async fn audit_entries_do_not_wait_behind_a_long_write() {
        use std::time::Duration;
        for backend in govshare_store::testing::backends() {
            let store = chain(backend, 3).await;
            let (release, held) = std::sync::mpsc::channel::<()>();
            let (started, begun) = tokio::sync::oneshot::channel();
            let long = tokio::spawn({
                let store = store.clone();
                async move {
                    store
                        .write(move |c| {
                            c.execute(
                                "INSERT INTO audit_nodes (node_id, public_key, created_at) VALUES ('held', 'k', 'now')",
                                &[],
                            )?;
                            let _ = started.send(());
                            let _ = held.recv_timeout(Duration::from_secs(30));
                            Ok(())
                        })
                        .await
                }
            });
            begun.await.unwrap();
            let entry = AuditEntry {
                at: "2026-12-01T08:01:00.000Z".into(),
                actor: "渝中区政务服务系统".into(),
                action: "share.lookup".into(),
                outcome: "ok".into(),
                ..Default::default()
            };
            let appended = tokio::time::timeout(
                Duration::from_secs(5),
                store.append_audit("node-a", vec![entry]),
            )
            .await;
            release.send(()).unwrap();
            long.await.unwrap().unwrap();
            appended
                .unwrap_or_else(|_| panic!("{backend}: the entry waited for the long write"))
                .unwrap();
            let reports = store.verify_audit().await.unwrap();
            assert_eq!((reports[0].entries, &reports[0].first_bad), (4, &None));
            let held = store
                .read(|c| {
                    c.query_one(
                        "SELECT COUNT(*) AS nodes FROM audit_nodes WHERE node_id = 'held'",
                        &[],
                    )?
                    .i64("nodes")
                })
                .await
                .unwrap();
            assert_eq!(held, 1, "{backend}: the long write committed too");
        }
    }

    /// Every kind of tampering is caught at the entry where it happened.
    #[tokio::test]
    async fn the_verifier_names_the_first_tampered_entry() {
        for backend in govshare_store::testing::backends() {
            let store = chain(backend, 6).await;
            assert_eq!(first_bad(&store).await, None, "{backend}");
            let reports = store.verify_audit().await.unwrap();
            assert_eq!((reports[0].entries, reports[1].entries), (6, 2));

            // Edited: a row count changed.
            tamper(
                &store,
                "UPDATE audit_log SET row_count = 500 WHERE node_id = 'node-a' AND seq = 4",
            )
            .await;
            let (seq, why) = first_bad(&store).await.unwrap();
            assert_eq!(seq, 4, "{backend}: {why}");
            assert!(why.contains("修改"), "{why}");

            // Deleted: an entry removed from the middle.
            let store = chain(backend, 6).await;
            tamper(
                &store,
                "DELETE FROM audit_log WHERE node_id = 'node-a' AND seq = 3",
            )
            .await;
            let (seq, why) = first_bad(&store).await.unwrap();
            assert_eq!(seq, 3, "{backend}: {why}");
            assert!(why.contains("删除"), "{why}");

            // Reordered: two entries swapped in place.
            let store = chain(backend, 6).await;
            tamper(
                &store,
                "UPDATE audit_log SET seq = -seq WHERE node_id = 'node-a' AND seq IN (2, 5); \
                 UPDATE audit_log SET seq = 7 + seq WHERE node_id = 'node-a' AND seq IN (-2, -5)",
            )
            .await;
            let (seq, why) = first_bad(&store).await.unwrap();
            assert_eq!(seq, 2, "{backend}: {why}");

            // Forged: an entry replaced by one with a correct hash of its own content
            // (the forger can hash, but cannot rewrite every later entry unnoticed).
            let store = chain(backend, 6).await;
            let forged = {
                let rec = store
                    .read(|c| {
                        c.query_one(
                            "SELECT prev_hash FROM audit_log WHERE node_id = 'node-a' AND seq = 5",
                            &[],
                        )?
                        .text("prev_hash")
                    })
                    .await
                    .unwrap();
                let e = AuditEntry {
                    at: "2026-12-01T08:00:05.000Z".into(),
                    actor: "某系统".into(),
                    action: "share.lookup".into(),
                    outcome: "ok".into(),
                    ..Default::default()
                };
                govshare_store::audit::log::entry_hash("node-a", 5, &rec, &e)
            };
            store
                .write_audit(move |c| {
                    c.execute(
                        "UPDATE audit_log SET actor = '某系统', app_id = NULL, org_id = NULL, resource_code = '', items = '', basis = '', row_count = 0, hash = ? WHERE node_id = 'node-a' AND seq = 5",
                        &govshare_store::params![forged],
                    )
                })
                .await
                .unwrap();
            let (seq, why) = first_bad(&store).await.unwrap();
            assert_eq!(seq, 5, "{backend}: {why}");
            assert!(why.contains("伪造"), "{why}");
        }
    }
}

mod checkpoints {
    use govshare_domain::sharing::checkpoint::NodeKey;
    use govshare_store::Store;
    use govshare_store::audit::log::AuditEntry;
    use govshare_store::prelude::*;

    fn entries(n: usize) -> Vec<AuditEntry> {
        (0..n)
            .map(|i| AuditEntry {
                at: format!("2026-12-01T09:00:{i:02}.000Z"),
                actor: "系统".into(),
                action: "share.lookup".into(),
                outcome: "ok".into(),
                ..Default::default()
            })
            .collect()
    }

    /// Signed checkpoints catch what the chain alone cannot: entries cut from the end,
    /// a chain rewritten from some point on, a forged checkpoint; a node's key cannot
    /// be swapped.
    #[tokio::test]
    async fn signed_checkpoints_catch_truncation_and_rewriting() {
        for backend in govshare_store::testing::backends() {
            let store = Store::open(&govshare_store::testing::fresh_database(backend))
                .await
                .unwrap();
            let key = NodeKey::from_secret([5u8; 32]);
            let public = key.public_hex();
            store.register_audit_key("n1", &public).await.unwrap();
            let other = NodeKey::from_secret([6u8; 32]).public_hex();
            assert!(
                store.register_audit_key("n1", &other).await.is_err(),
                "{backend}"
            );
            store.append_audit("n1", entries(4)).await.unwrap();
            let sign = || {
                let k = NodeKey::from_secret(key.secret());
                move |m: &[u8]| k.sign(m)
            };
            assert_eq!(
                store
                    .audit_checkpoint("n1", Box::new(sign()))
                    .await
                    .unwrap(),
                Some(4)
            );
            assert_eq!(
                store
                    .audit_checkpoint("n1", Box::new(sign()))
                    .await
                    .unwrap(),
                None,
                "nothing new"
            );
            store.append_audit("n1", entries(2)).await.unwrap();
            assert_eq!(
                store
                    .audit_checkpoint("n1", Box::new(sign()))
                    .await
                    .unwrap(),
                Some(6)
            );
            let report = |s: &Store| {
                let s = s.clone();
                async move { s.verify_audit().await.unwrap().remove(0) }
            };
            let ok = report(&store).await;
            assert_eq!((ok.entries, ok.checkpoints, ok.first_bad), (6, 2, None));

            // The last two entries cut off: the chain itself still links.
            store
                .write_audit(|c| c.batch("DELETE FROM audit_log WHERE node_id = 'n1' AND seq > 4"))
                .await
                .unwrap();
            let (seq, why) = report(&store).await.first_bad.unwrap();
            assert_eq!(seq, 5, "{backend}: {why}");
            assert!(why.contains("截断"), "{why}");

            // The chain rebuilt from entry 3 on, every hash recomputed: it links again,
            // but no longer matches what was signed.
            store
                .write_audit(|c| c.batch("DELETE FROM audit_log WHERE node_id = 'n1' AND seq >= 3"))
                .await
                .unwrap();
            let mut rewritten = entries(4);
            for e in &mut rewritten {
                e.actor = "改写者".into();
            }
            store.append_audit("n1", rewritten).await.unwrap();
            let (seq, why) = report(&store).await.first_bad.unwrap();
            assert_eq!(seq, 4, "{backend}: {why}");
            assert!(why.contains("改写"), "{why}");

            // A checkpoint whose signature does not hold.
            let fresh = Store::open(&govshare_store::testing::fresh_database(backend))
                .await
                .unwrap();
            fresh.register_audit_key("n1", &public).await.unwrap();
            fresh.append_audit("n1", entries(3)).await.unwrap();
            fresh
                .audit_checkpoint("n1", Box::new(sign()))
                .await
                .unwrap();
            fresh
                .write(|c| c.batch("UPDATE audit_checkpoints SET at = '2020-01-01T00:00:00.000Z'"))
                .await
                .unwrap();
            let (_, why) = report(&fresh).await.first_bad.unwrap();
            assert!(why.contains("签名"), "{backend}: {why}");
        }
    }

    /// A node's journal is moved into the log however often it is moved: what the log
    /// holds already is skipped, a journal that disagrees with the log or does not
    /// follow it is refused, and the chain is the one the node wrote.
    #[tokio::test]
    async fn a_journal_moves_into_the_log_once_and_only_where_it_fits() {
        use govshare_store::audit::log::{GENESIS, chain};
        use govshare_store::db::journal::Journal;
        for backend in govshare_store::testing::backends() {
            let store = Store::open(&govshare_store::testing::fresh_database(backend))
                .await
                .unwrap();
            let records = chain("n1", (0, GENESIS.into()), entries(6));
            // Moving blocks (as on the node's mover thread).
            let move_now = |part: Vec<govshare_store::audit::log::AuditRecord>| {
                let store = store.clone();
                async move {
                    tokio::task::spawn_blocking(move || store.move_audit_now("n1", &part))
                        .await
                        .unwrap()
                }
            };
            let report = || {
                let store = store.clone();
                async move { store.verify_audit().await.unwrap().remove(0) }
            };
            let dir = tempfile::tempdir().unwrap();
            Journal::begin(dir.path(), 1)
                .unwrap()
                .append(&records[..4])
                .unwrap();
            // Part moved before a crash, then the whole journal twice.
            move_now(records[..2].to_vec()).await.unwrap();
            for _ in 0..2 {
                assert_eq!(store.move_journal("n1", dir.path()).await.unwrap(), 4);
            }
            let head = move_now(records[3..].to_vec()).await.unwrap();
            assert_eq!(head, (6, records[5].hash.clone()), "{backend}");
            let r = report().await;
            assert_eq!((r.entries, r.first_bad), (6, None), "{backend}");

            // Another chain for the same node where the log has its own entries.
            let other = chain("n1", (0, GENESIS.into()), entries(7).split_off(1));
            let err = move_now(other).await.unwrap_err().to_string();
            assert!(err.contains("第6条在两处内容不同"), "{backend}: {err}");
            // Records that do not follow the log's head (a database restored from an
            // older backup would look so).
            let beyond = chain("n1", (7, records[5].hash.clone()), entries(1));
            let err = move_now(beyond).await.unwrap_err().to_string();
            assert!(
                err.contains("止于第6条") && err.contains("第8条"),
                "{backend}: {err}"
            );
            assert_eq!(report().await.entries, 6, "{backend}: nothing taken");
        }
    }
}

/// On SQLite the audit log is a file of its own, so that appending to it does not make
/// the pools' readers drop their cached pages; a database of the layout before (audit
/// tables in the main file) is moved over at start, and a move cut off half-way is
/// finished without losing or doubling an entry.
mod audit_file {
    use govshare_store::Store;
    use govshare_store::audit::log::AuditEntry;
    use govshare_store::audit_path;
    use govshare_store::prelude::*;

    fn entries(n: usize) -> Vec<AuditEntry> {
        (0..n)
            .map(|i| AuditEntry {
                at: format!("2026-12-01T10:00:{i:02}.000Z"),
                actor: "渝中区政务服务系统".into(),
                action: "share.lookup".into(),
                outcome: "ok".into(),
                ..Default::default()
            })
            .collect()
    }

    fn tables(conn: &rusqlite::Connection, schema: &str) -> Vec<String> {
        conn.prepare(&format!(
            "SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name LIKE 'audit%' ORDER BY name"
        ))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    }

    /// Puts the audit tables back into the main file, as an older version kept them,
    /// leaving the first `left` entries behind in the audit file (a move cut off).
    fn old_layout(path: &std::path::Path, left: i64) {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute(
            "ATTACH DATABASE ? AS audit",
            [audit_path(path).to_string_lossy().as_ref()],
        )
        .unwrap();
        let ddl: Vec<String> = conn
            .prepare("SELECT sql FROM audit.sqlite_master WHERE tbl_name = 'audit_log' AND sql IS NOT NULL ORDER BY type DESC")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for statement in &ddl {
            conn.execute_batch(&statement.replace("IF NOT EXISTS audit.", "main."))
                .unwrap();
        }
        conn.execute_batch("INSERT INTO main.audit_log SELECT * FROM audit.audit_log")
            .unwrap();
        conn.execute("DELETE FROM audit.audit_log WHERE seq > ?", [left])
            .unwrap();
    }

    #[tokio::test]
    async fn sqlite_keeps_the_audit_log_apart_and_moves_an_old_one() {
        let url = govshare_store::testing::fresh_database("sqlite");
        let path = std::path::PathBuf::from(url.strip_prefix("sqlite://").unwrap());
        let store = Store::open(&url).await.unwrap();
        store.append_audit("n1", entries(5)).await.unwrap();
        drop(store);
        let conn = rusqlite::Connection::open(&path).unwrap();
        assert_eq!(
            tables(&conn, "main"),
            ["audit_checkpoints", "audit_nodes"],
            "the log is not in the main file; what vouches for it is"
        );
        drop(conn);
        let conn = rusqlite::Connection::open(audit_path(&path)).unwrap();
        assert_eq!(tables(&conn, "main"), ["audit_log"]);
        drop(conn);

        for left in [0, 2] {
            old_layout(&path, left);
            let store = Store::open(&url).await.unwrap();
            let reports = store.verify_audit().await.unwrap();
            assert_eq!(reports.len(), 1, "{reports:?}");
            assert_eq!(
                (reports[0].entries, &reports[0].first_bad),
                (5, &None),
                "every entry once, chain intact (move cut off after {left})"
            );
            // The chain goes on where it was.
            store.append_audit("n1", entries(1)).await.unwrap();
            let n = store
                .read(|c| {
                    c.query_one("SELECT MAX(seq) AS max_seq FROM audit_log", &[])?
                        .i64("max_seq")
                })
                .await
                .unwrap();
            assert_eq!(n, 6);
            store
                .write_audit(|c| c.execute("DELETE FROM audit_log WHERE seq = 6", &[]))
                .await
                .unwrap();
            drop(store);
            let conn = rusqlite::Connection::open(&path).unwrap();
            assert_eq!(
                tables(&conn, "main"),
                ["audit_checkpoints", "audit_nodes"],
                "moved out of the main file"
            );
        }
    }

    /// A node whose audit file is gone (or older than the database) does not start a
    /// new chain over what it signed.
    #[tokio::test]
    async fn a_lost_audit_file_stops_the_node_and_fails_verification() {
        let url = govshare_store::testing::fresh_database("sqlite");
        let path = std::path::PathBuf::from(url.strip_prefix("sqlite://").unwrap());
        let store = Store::open(&url).await.unwrap();
        let key = govshare_domain::sharing::checkpoint::NodeKey::from_secret([9u8; 32]);
        store
            .register_audit_key("n1", &key.public_hex())
            .await
            .unwrap();
        store.append_audit("n1", entries(3)).await.unwrap();
        store
            .audit_checkpoint("n1", Box::new(move |m| key.sign(m)))
            .await
            .unwrap();
        store.check_audit_resumes("n1").await.unwrap();
        drop(store);
        std::fs::remove_file(audit_path(&path)).unwrap();
        for suffix in ["-wal", "-shm"] {
            let mut side = audit_path(&path).into_os_string();
            side.push(suffix);
            let _ = std::fs::remove_file(side);
        }
        let store = Store::open(&url).await.unwrap();
        let refused = store
            .check_audit_resumes("n1")
            .await
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("只有0条") && refused.contains("3条"),
            "{refused}"
        );
        let reports = store.verify_audit().await.unwrap();
        let (_, why) = reports[0].first_bad.clone().expect("the loss is named");
        assert!(why.contains("截断"), "{why}");
        // The log made anew has the layout the migrations give.
        let layout = |path: &std::path::Path| -> Vec<String> {
            let conn = rusqlite::Connection::open(audit_path(path)).unwrap();
            let mut layout: Vec<String> = conn
                .prepare("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('audit_log')")
                .unwrap()
                .query_map([], |r| {
                    Ok(format!(
                        "{} {} {} {:?} {}",
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, i64>(4)?
                    ))
                })
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            layout.extend(
                conn.prepare("SELECT i.name || ':' || group_concat(c.name) FROM pragma_index_list('audit_log') i, pragma_index_info(i.name) c GROUP BY i.name ORDER BY 1")
                    .unwrap()
                    .query_map([], |r| r.get::<_, String>(0))
                    .unwrap()
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .unwrap(),
            );
            layout
        };
        let fresh = govshare_store::testing::fresh_database("sqlite");
        drop(Store::open(&fresh).await.unwrap());
        let fresh = std::path::PathBuf::from(fresh.strip_prefix("sqlite://").unwrap());
        assert_eq!(layout(&path), layout(&fresh));
        assert!(layout(&path).len() > 17, "{:?}", layout(&path));
    }
}
