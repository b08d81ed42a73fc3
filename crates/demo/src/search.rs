//! Search cases: short queries a citizen or civil servant would type, each with the
//! resource that best answers it. A query is kept only when its expected resource
//! ranks strictly first among all resources matching its words (a subject name
//! beats its variants, then shorter names win) and few resources match at all.

use crate::build;
use crate::judge::{Doc, Judge};
use crate::plan::Meta;
use crate::{DemoCatalog, SearchCase};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Queries kept per expected resource.
const MAX_PER_RESOURCE: usize = 3;

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Leading words people leave out when they search (机动车 in 机动车驾驶证).
const MODIFIERS: &[&str] = &[
    "企业",
    "城市",
    "城乡",
    "城镇",
    "政府",
    "建设工程",
    "建设项目",
    "道路交通",
    "道路",
    "重点",
    "机动车",
    "网络",
    "国有",
    "外国人",
    "工业",
    "农村",
    "居民",
    "居民家庭",
    "市级",
    "市属",
    "中小",
    "地方",
    "普通",
    "规模以上",
    "基本",
    "特种设备",
    "危险化学品",
    "生态环境",
    "困难",
    "第二类",
    "集中式",
    "全民",
    "个人",
    "住房公积金",
    "法定",
    "重要",
    "严重",
    "农作物",
    "畜禽",
    "高等教育",
    "义务教育",
    "公众聚集场所",
    "生产建设项目",
    "网络预约出租汽车",
    "中等职业学校",
    "自然灾害",
    "港澳台居民",
    "行政事业性",
    "区域性股权市场",
    "单用途商业",
];

/// The subject without a leading modifier, if what is left reads as words.
fn partials(stem: &str) -> Vec<String> {
    MODIFIERS
        .iter()
        .filter_map(|m| stem.strip_prefix(m))
        .filter(|rest| {
            chars(rest) >= 2
                && !rest.starts_with(['和', '与', '及', '的', '性', '化', '型', '级', '类'])
        })
        .map(str::to_string)
        .collect()
}

/// Collects accepted queries: each query once, at most `MAX_PER_RESOURCE` per resource.
struct Cases<'a> {
    catalog: &'a DemoCatalog,
    out: Vec<SearchCase>,
    taken: HashSet<String>,
    per_resource: HashMap<usize, usize>,
}

impl Cases<'_> {
    fn has_room(&self, i: usize) -> bool {
        self.per_resource.get(&i).copied().unwrap_or(0) < MAX_PER_RESOURCE
    }

    fn push(&mut self, query: String, i: usize) -> bool {
        if !self.has_room(i) || !self.taken.insert(query.clone()) {
            return false;
        }
        *self.per_resource.entry(i).or_insert(0) += 1;
        let expected_code = self.catalog.resources[i]
            .spec
            .code
            .clone()
            .unwrap_or_default();
        self.out.push(SearchCase {
            query,
            expected_code,
        });
        true
    }
}

pub fn cases(catalog: &DemoCatalog) -> Vec<SearchCase> {
    // What the generator knew about each resource, by code; used only where the
    // given record still carries the subject it was generated from.
    static METAS: OnceLock<HashMap<String, Meta>> = OnceLock::new();
    let metas = METAS.get_or_init(|| {
        let (built, metas) = build::build();
        built
            .resources
            .into_iter()
            .filter_map(|r| r.spec.code)
            .zip(metas)
            .collect()
    });
    let meta = |i: usize| {
        let spec = &catalog.resources[i].spec;
        spec.code
            .as_deref()
            .and_then(|c| metas.get(c))
            .filter(|m| spec.name.starts_with(&m.stem))
    };
    let judge = Judge::new(
        catalog
            .resources
            .iter()
            .map(|r| Doc {
                name: &r.spec.name,
                provider: &r.spec.provider,
            })
            .collect(),
    );
    let mut cases = Cases {
        catalog,
        out: Vec::new(),
        taken: HashSet::new(),
        per_resource: HashMap::new(),
    };

    // Per provider: the subjects people know by an everyday name first, each by its
    // name and aliases; then, within quotas that grow with the provider's size,
    // other subjects, subjects with the department's word, partial subjects and
    // name variants.
    let mut by_provider: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, r) in catalog.resources.iter().enumerate() {
        match by_provider.last_mut() {
            Some((p, v)) if *p == r.spec.provider_code => v.push(i),
            _ => by_provider.push((&r.spec.provider_code, vec![i])),
        }
    }
    for (_, idx) in &by_provider {
        let (mut plain, mut with_kw, mut partial, mut variant, mut local) = (0, 0, 0, 0, 0);
        let extra = idx.len() / 60;
        let mut idx = idx.clone();
        idx.sort_by_key(|&i| meta(i).is_none_or(|m| m.aliases.is_empty()));
        for i in idx {
            let Some(m) = meta(i) else { continue };
            if let Some(d) = &m.district {
                if local < 1 {
                    let spaced = Some(format!("{d} {}", m.bare)).filter(|q| judge.accepts(q, i));
                    let joined = || {
                        partials(&m.bare)
                            .into_iter()
                            .map(|t| format!("{d}{t}"))
                            .find(|q| judge.accepts(q, i))
                    };
                    let q = if cases.out.len().is_multiple_of(2) {
                        spaced.or_else(joined)
                    } else {
                        joined()
                    };
                    if let Some(q) = q {
                        local += usize::from(cases.push(q, i));
                    }
                }
                continue;
            }
            if m.variant == 0 {
                let notable = !m.aliases.is_empty();
                if (notable || plain < 2 + extra)
                    && chars(&m.stem) <= 10
                    && judge.accepts(&m.stem, i)
                {
                    if cases.push(m.stem.clone(), i) && !notable {
                        plain += 1;
                    }
                } else if with_kw < 1 + extra && chars(&m.stem) <= 8 && !m.stem.contains(&m.kw) {
                    let q = format!("{} {}", m.kw, m.stem);
                    if judge.accepts(&q, i) && cases.push(q, i) {
                        with_kw += 1;
                    }
                }
                for a in &m.aliases {
                    if cases.has_room(i) && judge.accepts_alias(a, i) {
                        cases.push(a.clone(), i);
                    }
                }
                if partial < 1 + extra
                    && cases.has_room(i)
                    && let Some(q) = partials(&m.stem).into_iter().find(|q| judge.accepts(q, i))
                    && cases.push(q, i)
                {
                    partial += 1;
                }
            } else if variant < 1 + extra {
                let q = format!("{}{}", m.stem, m.variant_word);
                if chars(&q) <= 12 && judge.accepts(&q, i) && cases.push(q, i) {
                    variant += 1;
                }
            }
        }
    }
    cases.out
}
