//! Chinese search over a small catalog: segmentation, ranking, facets, filters and
//! the caller's visibility.

use govshare_domain::access::Visibility;
use govshare_search::{IndexDoc, SearchIndex, SearchRequest};

fn doc(
    id: i64,
    name: &str,
    provider: &str,
    state: &'static str,
    open: &'static str,
    owner: i64,
) -> IndexDoc {
    IndexDoc {
        id,
        code: format!("302001/{id:06}"),
        name: name.into(),
        summary: format!("{name}，全市范围，用于政务服务"),
        keywords: String::new(),
        items: "统一社会信用代码 企业名称 法定代表人".into(),
        provider: provider.into(),
        provider_code: format!("P{owner}"),
        themes: vec![("T01".into(), "行政审批".into())],
        class: "3".into(),
        sharing_type: "unconditional",
        open_type: open,
        format_category: "database",
        update_cycle: "daily",
        state,
        owner_org_id: owner,
    }
}

fn index() -> SearchIndex {
    let idx = SearchIndex::open(None).unwrap();
    let docs = vec![
        doc(
            1,
            "企业营业执照登记信息",
            "重庆市市场监督管理局",
            "published",
            "open",
            1,
        ),
        doc(
            2,
            "户籍人口基本信息",
            "重庆市公安局",
            "published",
            "closed",
            2,
        ),
        doc(
            3,
            "不动产登记信息",
            "重庆市规划和自然资源局",
            "published",
            "open",
            3,
        ),
        doc(
            4,
            "社会保险缴费信息",
            "重庆市人力资源和社会保障局",
            "published",
            "closed",
            4,
        ),
        doc(5, "机动车驾驶证信息", "重庆市公安局", "draft", "closed", 2),
        doc(
            6,
            "食品经营许可证信息",
            "重庆市市场监督管理局",
            "published",
            "open",
            1,
        ),
    ];
    idx.upsert(&docs, 6, true).unwrap();
    idx
}

fn top(idx: &SearchIndex, q: &str, v: Visibility) -> Vec<String> {
    let req = SearchRequest {
        q: q.into(),
        limit: 5,
        ..Default::default()
    };
    idx.search(&req, v)
        .unwrap()
        .results
        .into_iter()
        .map(|h| h.name)
        .collect()
}

#[test]
fn chinese_queries_find_the_right_resource_first() {
    let idx = index();
    assert_eq!(
        top(&idx, "营业执照", Visibility::All)[0],
        "企业营业执照登记信息"
    );
    assert_eq!(
        top(&idx, "户籍人口", Visibility::All)[0],
        "户籍人口基本信息"
    );
    assert_eq!(
        top(&idx, "不动产登记", Visibility::All)[0],
        "不动产登记信息"
    );
    assert_eq!(
        top(&idx, "社保缴费", Visibility::All)[0],
        "社会保险缴费信息"
    );
    assert_eq!(top(&idx, "公安", Visibility::All).len(), 2);
    assert!(top(&idx, "量子计算", Visibility::All).is_empty());
    assert_eq!(idx.indexed_seq(), 6);
}

#[test]
fn visibility_is_part_of_the_query() {
    let idx = index();
    // A draft is visible to its owner only; the public sees only open, published entries.
    assert_eq!(top(&idx, "驾驶证", Visibility::All), ["机动车驾驶证信息"]);
    assert_eq!(
        top(&idx, "驾驶证", Visibility::PublishedAndOwn(2)),
        ["机动车驾驶证信息"]
    );
    assert!(top(&idx, "驾驶证", Visibility::PublishedAndOwn(1)).is_empty());
    assert!(top(&idx, "户籍人口", Visibility::PublicOpen).is_empty());
    let all = idx
        .search(
            &SearchRequest {
                limit: 10,
                ..Default::default()
            },
            Visibility::PublicOpen,
        )
        .unwrap();
    assert_eq!(all.total, 3);
}

#[test]
fn facets_count_matches_and_filters_narrow() {
    let idx = index();
    let res = idx
        .search(
            &SearchRequest {
                q: "信息".into(),
                limit: 10,
                ..Default::default()
            },
            Visibility::All,
        )
        .unwrap();
    assert_eq!(res.total, 6);
    let providers = &res.facets["provider_code"];
    let market = providers.iter().find(|f| f.value == "P1").unwrap();
    assert_eq!(
        (market.count, market.label.as_str()),
        (2, "重庆市市场监督管理局")
    );
    assert_eq!(res.facets["theme"][0].label, "行政审批");
    assert_eq!(res.facets["sharing_type"][0].label, "无条件共享");
    let req = SearchRequest {
        q: "信息".into(),
        filters: vec![("provider_code".into(), "P1".into())],
        limit: 10,
        offset: 0,
    };
    assert_eq!(idx.search(&req, Visibility::All).unwrap().total, 2);
    let bad = SearchRequest {
        filters: vec![("secret".into(), "x".into())],
        limit: 10,
        ..Default::default()
    };
    assert!(idx.search(&bad, Visibility::All).is_err());
    let long = SearchRequest {
        q: "查".repeat(10_000),
        limit: 10,
        ..Default::default()
    };
    assert!(idx.search(&long, Visibility::All).is_err());
}

#[test]
fn an_index_on_disk_reopens_with_its_position_and_labels() {
    let dir = std::env::temp_dir().join(format!("govshare_search_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let idx = SearchIndex::open(Some(&dir)).unwrap();
        idx.upsert(
            &[doc(
                1,
                "企业营业执照登记信息",
                "重庆市市场监督管理局",
                "published",
                "open",
                1,
            )],
            42,
            false,
        )
        .unwrap();
    }
    let idx = SearchIndex::open(Some(&dir)).unwrap();
    assert_eq!((idx.indexed_seq(), idx.num_docs()), (42, 1));
    let res = idx
        .search(
            &SearchRequest {
                q: "执照".into(),
                limit: 5,
                ..Default::default()
            },
            Visibility::All,
        )
        .unwrap();
    assert_eq!(res.facets["provider_code"][0].label, "重庆市市场监督管理局");
    std::fs::remove_dir_all(&dir).unwrap();
}
