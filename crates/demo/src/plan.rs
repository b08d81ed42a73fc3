//! Plans the resources: which subjects and name variants each department
//! catalogs (its share of the city's total), under which classification, and
//! what each district provides.

use crate::classes;
use crate::districts::subjects_of;
use crate::model::{Dept, FormatHint, Kind, Subject};
use crate::orgs::districts;
use crate::variants::{Variant, variants};
use std::collections::{BTreeMap, HashSet};

/// What the search cases need to know about a record beyond the record itself.
#[derive(Debug, Clone)]
pub struct Meta {
    /// The subject as named in the resource (with the district in front for districts).
    pub stem: String,
    /// The subject without the district.
    pub bare: String,
    pub variant: usize,
    /// The variant's word, e.g. 变更 or 年度统计 (empty for the first variant).
    pub variant_word: String,
    pub aliases: Vec<String>,
    /// The department's search word (empty for districts).
    pub kw: String,
    pub district: Option<String>,
}

pub struct Planned {
    pub org: usize,
    pub dept_kw: String,
    pub dept_short: String,
    pub vertical: bool,
    pub systems: Vec<String>,
    pub unit: String,
    pub class: String,
    pub subject: Subject,
    pub variant_index: usize,
    pub name: String,
    pub scope: &'static str,
    pub local: bool,
    pub group: (usize, usize, usize),
    pub meta: Meta,
}

/// The name variants a subject may use.
pub fn variant_list(s: &Subject) -> &'static [Variant] {
    let all = variants(s.kind);
    &all[..s.max_variants.unwrap_or(all.len()).min(all.len())]
}

pub fn name_of(s: &Subject, vi: usize) -> String {
    let suffix = match (&s.primary, vi) {
        (Some(p), 0) => p.as_str(),
        _ => variant_list(s)[vi].suffix,
    };
    format!("{}{suffix}", s.stem)
}

pub fn variant_word(suffix: &str) -> String {
    let w = suffix
        .strip_suffix("信息")
        .or_else(|| suffix.strip_suffix("数据"))
        .unwrap_or(suffix);
    w.to_string()
}

/// Would the variant repeat a word of the subject (人民法院公告 + 公告信息,
/// 户口项目变更更正 + 变更信息)?
pub fn awkward(stem: &str, suffix: &str) -> bool {
    let cs: Vec<char> = stem.chars().collect();
    let tail: String = cs[cs.len().saturating_sub(2)..].iter().collect();
    suffix.starts_with(&tail) || stem.contains(&variant_word(suffix))
}

/// Odds that a record without a fixed format is kept as documents (scanned
/// archives, decision letters, published lists) rather than as rows.
pub fn file_odds(kind: Kind, suffix: &str) -> f64 {
    match (kind, suffix) {
        (_, "档案信息") => 0.35,
        (Kind::Document, _) => 0.35,
        (_, "处理结果信息") => 0.15,
        (Kind::Listing, _) => 0.15,
        (_, "审批结果信息" | "批复信息") => 0.05,
        _ => 0.0,
    }
}

pub fn format_hint(s: &Subject, vi: usize, v: &Variant) -> Option<FormatHint> {
    match s.format {
        Some(h @ (FormatHint::Image | FormatHint::File)) => Some(h),
        other => {
            let structured_primary = vi == 0
                && s.kind == Kind::Document
                && s.primary.as_deref().is_some_and(|p| p.contains("信息"));
            if structured_primary {
                None
            } else {
                v.format.or(other)
            }
        }
    }
}

/// Splits `total` over the departments by weight (largest remainder).
fn targets(depts: &[Dept], total: usize) -> Vec<usize> {
    let sum: f64 = depts.iter().map(|d| d.weight as f64).sum();
    let exact: Vec<f64> = depts
        .iter()
        .map(|d| d.weight as f64 * total as f64 / sum)
        .collect();
    let mut out: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut order: Vec<usize> = (0..depts.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    let missing = total - out.iter().sum::<usize>();
    for &i in order.iter().take(missing) {
        out[i] += 1;
    }
    out
}

/// Picks a department's resources: every subject's first variant, then second
/// variants, and so on, until the target is reached; names unique in the department.
fn select(dept: &Dept, target: usize) -> Vec<(usize, usize, usize, String)> {
    let subjects: Vec<(usize, usize, &Subject)> = dept
        .units
        .iter()
        .enumerate()
        .flat_map(|(u, unit)| {
            unit.subjects
                .iter()
                .enumerate()
                .map(move |(s, subj)| (u, s, subj))
        })
        .collect();
    let mut names = HashSet::new();
    let mut chosen = Vec::new();
    let mut round = 0;
    while chosen.len() < target {
        let mut progressed = false;
        for &(u, s, subj) in &subjects {
            if chosen.len() == target {
                break;
            }
            if round < variant_list(subj).len() {
                progressed = true;
                let name = name_of(subj, round);
                if !(round > 0 && awkward(&subj.stem, variant_list(subj)[round].suffix))
                    && names.insert(name.clone())
                {
                    chosen.push((u, s, round, name));
                }
            }
        }
        assert!(
            progressed,
            "{}: only {} resources possible, {target} wanted",
            dept.name,
            chosen.len()
        );
        round += 1;
    }
    chosen.sort();
    chosen
}

pub fn plan_departments(depts: &[Dept], total: usize) -> (Vec<Planned>, BTreeMap<String, String>) {
    let mut named = BTreeMap::new();
    let mut plans = Vec::new();
    for (di, (dept, target)) in depts.iter().zip(targets(depts, total)).enumerate() {
        if !dept.bureau {
            named.insert(classes::dept_code(di), dept.name.clone());
        }
        for (u, s, vi, name) in select(dept, target) {
            let unit = &dept.units[u];
            let subject = &unit.subjects[s];
            let class = match &subject.class {
                Some(c) => c.clone(),
                None => {
                    assert!(
                        !dept.bureau,
                        "bureau subject {} needs a base or thematic class",
                        subject.stem
                    );
                    let code = classes::unit_code(di, u + 1);
                    named.insert(code.clone(), unit.name.clone());
                    code
                }
            };
            let suffix = if vi == 0 {
                ""
            } else {
                variant_list(subject)[vi].suffix
            };
            plans.push(Planned {
                org: di,
                dept_kw: dept.kw.clone(),
                dept_short: dept.short.clone(),
                vertical: dept.vertical,
                systems: dept.systems.clone(),
                unit: unit.name.clone(),
                class,
                subject: subject.clone(),
                variant_index: vi,
                name,
                scope: "全市",
                local: false,
                group: (di, u, s),
                meta: Meta {
                    stem: subject.stem.clone(),
                    bare: subject.stem.clone(),
                    variant: vi,
                    variant_word: variant_word(suffix),
                    aliases: subject.aliases.clone(),
                    kw: dept.kw.clone(),
                    district: None,
                },
            });
        }
    }
    (plans, named)
}

pub fn plan_districts(first_org: usize, named: &mut BTreeMap<String, String>) -> Vec<Planned> {
    let mut plans = Vec::new();
    for (i, (_, name)) in districts().enumerate() {
        let class = classes::district_code(i + 1);
        named.insert(class.clone(), name.to_string());
        let scope = if name.ends_with('区') {
            "全区"
        } else {
            "全县"
        };
        for (k, local) in subjects_of(i, name).into_iter().enumerate() {
            plans.push(Planned {
                org: first_org + i,
                dept_kw: String::new(),
                dept_short: name.to_string(),
                vertical: false,
                systems: vec![
                    format!("{name}政务信息资源共享交换平台"),
                    format!("{name}{}业务系统", local.bare),
                ],
                unit: local.unit,
                class: class.clone(),
                name: name_of(&local.subject, 0),
                variant_index: 0,
                scope,
                local: true,
                group: (first_org + i, 0, k),
                meta: Meta {
                    stem: local.subject.stem.clone(),
                    bare: local.bare.to_string(),
                    variant: 0,
                    variant_word: String::new(),
                    aliases: Vec::new(),
                    kw: String::new(),
                    district: Some(name.to_string()),
                },
                subject: local.subject,
            });
        }
    }
    plans
}
