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
use govshare_store::repo::import::ImportMode;
use govshare_store::repo::resources::ResourceFilter;
use govshare_store::{Caller, Store, StoreError};

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
                ImportMode::AllOrNothing,
                |_| {},
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
            .import_catalog(&sys, records, ImportMode::AllOrNothing, |_| {})
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
            .import_catalog(&sys, records.clone(), ImportMode::AllOrNothing, |_| {})
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
            .import_catalog(&sys, records, ImportMode::ValidOnly, |_| {})
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
