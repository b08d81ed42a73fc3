//! Tests of the demo catalog: scale, determinism, codes, validity of every record,
//! the classification tree, themes and search cases.

use crate::build::{TOTAL_ITEMS, TOTAL_RESOURCES};
use crate::{DemoCatalog, catalog, search_cases};
use govshare_domain::classification::{ClassLevel, ResourceCode};
use govshare_domain::ids::validate_credit_code;
use govshare_domain::labels::{OpenType, SharingType};
use govshare_domain::lifecycle::State;
use govshare_domain::org::OrgKind;
use govshare_domain::rules::{normalize, validate};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

fn demo() -> &'static DemoCatalog {
    static CATALOG: OnceLock<DemoCatalog> = OnceLock::new();
    CATALOG.get_or_init(catalog)
}

fn share(c: &DemoCatalog, f: impl Fn(&govshare_domain::resource::CatalogRecord) -> bool) -> f64 {
    c.resources.iter().filter(|r| f(r)).count() as f64 / c.resources.len() as f64
}

#[test]
fn scale_of_the_seed_city() {
    let c = demo();
    let count = |k: OrgKind| c.orgs.iter().filter(|o| o.kind == k).count();
    assert_eq!(c.orgs[0].kind, OrgKind::Bureau);
    assert_eq!(c.orgs[0].name, "重庆市大数据应用发展管理局");
    assert_eq!(count(OrgKind::Bureau), 1);
    assert_eq!(count(OrgKind::Department), 71);
    assert_eq!(count(OrgKind::District), 38);
    assert_eq!(count(OrgKind::UpperPlatform), 1);
    assert_eq!(count(OrgKind::LowerPlatform), 2);
    assert_eq!(c.resources.len(), TOTAL_RESOURCES);
    let items: usize = c.resources.iter().map(|r| r.spec.items.len()).sum();
    assert!((49_000..=50_500).contains(&items), "{items} items");
    assert_eq!(items, TOTAL_ITEMS);
    assert_eq!(c.themes.len(), 13);
    let codes: Vec<_> = c.themes.iter().map(|t| t.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "T01", "T02", "T03", "T04", "T05", "T06", "T07", "T08", "T09", "T10", "T11", "T12",
            "T13"
        ]
    );
}

#[test]
fn the_same_on_every_call() {
    assert_eq!(&catalog(), demo());
    assert_eq!(search_cases(demo()), search_cases(demo()));
}

#[test]
fn organisations_are_valid_and_unique() {
    let c = demo();
    let codes: HashSet<_> = c.orgs.iter().map(|o| o.credit_code.as_str()).collect();
    assert_eq!(codes.len(), c.orgs.len());
    let names: HashSet<_> = c.orgs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names.len(), c.orgs.len());
    for o in &c.orgs {
        o.validate().unwrap_or_else(|e| panic!("{}: {e}", o.name));
        validate_credit_code(&o.credit_code).unwrap();
        assert!(o.credit_code.starts_with("11"), "{}", o.credit_code);
        assert_eq!(&o.credit_code[2..8], o.region_code, "{}", o.name);
        assert!(!o.short_name.is_empty(), "{}", o.name);
        if let Some(p) = &o.parent_code {
            assert!(codes.contains(p.as_str()), "{}: unknown parent", o.name);
        }
    }
    for name in [
        "重庆市公安局",
        "重庆市市场监督管理局",
        "国家税务总局重庆市税务局",
        "重庆海关",
        "重庆市残疾人联合会",
    ] {
        assert!(names.contains(name), "{name} missing");
    }
}

#[test]
fn every_record_is_valid_and_already_normal() {
    let c = demo();
    let orgs: HashMap<_, _> = c.orgs.iter().map(|o| (o.credit_code.as_str(), o)).collect();
    let themes: HashSet<_> = c.themes.iter().map(|t| t.code.as_str()).collect();
    let codes: HashSet<_> = c
        .resources
        .iter()
        .filter_map(|r| r.spec.code.as_deref())
        .collect();
    assert_eq!(codes.len(), c.resources.len(), "codes must be unique");
    let mut names = HashSet::new();
    for r in &c.resources {
        let spec = &r.spec;
        let code = spec.code.as_deref().expect("code");
        let mut s = spec.clone();
        normalize(&mut s);
        assert_eq!(validate(&s), vec![], "{code} {}", spec.name);
        let mut again = s.clone();
        for i in &mut again.items {
            i.column.clear();
        }
        assert_eq!(&again, spec, "normalizing {code} changed more than columns");
        let org = orgs[spec.provider_code.as_str()];
        assert_eq!(org.name, spec.provider);
        assert!(
            names.insert((spec.provider_code.as_str(), spec.name.as_str())),
            "duplicate name {}",
            spec.name
        );
        assert!(
            spec.summary.chars().count() > 30,
            "{code} summary too short"
        );
        assert!(spec.items.len() <= 30);
        if spec.format_category.is_structured() {
            assert!(
                spec.items.len() >= 5,
                "{code} has {} items",
                spec.items.len()
            );
            assert!(
                spec.items.iter().any(|i| i.key),
                "{code} {} has no key",
                spec.name
            );
        }
        assert!(spec.themes.len() <= 3 && spec.themes.iter().all(|t| themes.contains(t.as_str())));
        for rel in &spec.related_codes {
            assert!(
                codes.contains(rel.as_str()) && rel != code,
                "{code} bad link {rel}"
            );
        }
        if spec.secret {
            assert_eq!(spec.open_type, OpenType::Closed);
        }
        assert_eq!(
            spec.published_on.is_some(),
            matches!(r.state, State::Published | State::Withdrawn)
        );
        if let Some(d) = spec.published_on {
            assert!((2019..=2026).contains(&chrono::Datelike::year(&d)));
        }
    }
}

#[test]
fn a_realistic_mix() {
    let c = demo();
    let unconditional = share(c, |r| r.spec.sharing_type == SharingType::Unconditional);
    let conditional = share(c, |r| r.spec.sharing_type == SharingType::Conditional);
    let not_shared = share(c, |r| r.spec.sharing_type == SharingType::NotShared);
    assert!(
        (0.50..=0.60).contains(&unconditional),
        "unconditional {unconditional}"
    );
    assert!(
        (0.33..=0.43).contains(&conditional),
        "conditional {conditional}"
    );
    assert!(
        (0.04..=0.10).contains(&not_shared),
        "not shared {not_shared}"
    );
    let open = share(c, |r| r.spec.open_type == OpenType::Open);
    let open_cond = share(c, |r| r.spec.open_type == OpenType::Conditional);
    assert!((0.25..=0.35).contains(&open), "open {open}");
    assert!(
        (0.11..=0.19).contains(&open_cond),
        "conditionally open {open_cond}"
    );
    let published = share(c, |r| r.state == State::Published);
    assert!((0.86..=0.94).contains(&published), "published {published}");
    for s in [
        State::Registered,
        State::Submitted,
        State::Draft,
        State::Returned,
        State::Withdrawn,
    ] {
        assert!(c.resources.iter().any(|r| r.state == s), "no {s:?}");
    }
    assert!(c.resources.iter().any(|r| r.spec.secret));
}

#[test]
fn the_classification_tree_is_closed() {
    let c = demo();
    let nodes: HashSet<_> = c.classes.iter().map(|n| n.code.as_str()).collect();
    assert_eq!(nodes.len(), c.classes.len());
    let mut seen = HashSet::new();
    for n in &c.classes {
        n.validate().unwrap_or_else(|e| panic!("{}: {e}", n.code));
        if let Some(p) = n.parent_code() {
            assert!(seen.contains(p), "{} listed before its parent", n.code);
        }
        seen.insert(n.code.as_str());
    }
    for r in &c.resources {
        let class = r.spec.classification.as_str();
        assert!(nodes.contains(class), "{class} not in the tree");
        assert!(ClassLevel::of_code(class).is_some_and(|l| l.holds_resources()));
        let parsed = ResourceCode::parse(r.spec.code.as_deref().unwrap()).unwrap();
        assert_eq!(parsed.classification, class);
    }
    for n in 1..=71 {
        assert!(
            nodes.contains(format!("302{n:03}").as_str()),
            "department 目 {n}"
        );
    }
    for n in 1..=38 {
        assert!(
            nodes.contains(format!("303{n:03}").as_str()),
            "district 目 {n}"
        );
    }
    for prefix in ["101", "102", "103", "104", "105", "2"] {
        assert!(
            c.resources
                .iter()
                .any(|r| r.spec.classification.starts_with(prefix)),
            "nothing under {prefix}"
        );
    }
    // Sequences start at 000001 per classification and have no gaps.
    let mut per_class: HashMap<&str, Vec<u32>> = HashMap::new();
    for r in &c.resources {
        let parsed = ResourceCode::parse(r.spec.code.as_deref().unwrap()).unwrap();
        per_class
            .entry(r.spec.classification.as_str())
            .or_default()
            .push(parsed.sequence);
    }
    for (class, mut seqs) in per_class {
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=seqs.len() as u32).collect::<Vec<_>>(), "{class}");
    }
}

#[test]
fn every_theme_draws_on_several_departments() {
    let c = demo();
    for t in &c.themes {
        let members: Vec<_> = c
            .resources
            .iter()
            .filter(|r| r.spec.themes.contains(&t.code))
            .collect();
        let providers: HashSet<_> = members
            .iter()
            .map(|r| r.spec.provider_code.as_str())
            .collect();
        assert!(members.len() >= 30, "{} has {}", t.name, members.len());
        assert!(
            providers.len() >= 3,
            "{} from {} providers",
            t.name,
            providers.len()
        );
    }
}

#[test]
fn search_cases_point_at_real_resources() {
    let c = demo();
    let cases = search_cases(c);
    assert!(cases.len() >= 220, "only {} cases", cases.len());
    let by_code: HashMap<_, _> = c
        .resources
        .iter()
        .map(|r| (r.spec.code.as_deref().unwrap(), r))
        .collect();
    let queries: HashSet<_> = cases.iter().map(|s| s.query.as_str()).collect();
    assert_eq!(queries.len(), cases.len(), "queries repeat");
    let mut verbatim = 0;
    for case in &cases {
        let r = by_code
            .get(case.expected_code.as_str())
            .unwrap_or_else(|| panic!("{} missing", case.expected_code));
        if case.query == r.spec.name {
            verbatim += 1;
        }
        assert!(!case.query.trim().is_empty());
    }
    assert!(
        verbatim * 10 < cases.len(),
        "too many queries are whole names"
    );
    for (q, name) in [
        ("户籍人口", "户籍人口基本信息"),
        ("婚姻登记", "婚姻登记信息"),
        ("不动产登记", "不动产登记信息"),
    ] {
        let case = cases
            .iter()
            .find(|s| s.query == q)
            .unwrap_or_else(|| panic!("no case for {q}"));
        assert_eq!(by_code[case.expected_code.as_str()].spec.name, name);
    }
}
