//! Generates the catalog from the plan: codes the resources, settles the item
//! counts to the seed city's total, links related resources and draws the
//! attributes of every record.

use crate::DemoCatalog;
use crate::attrs::{self, SurveyInput};
use crate::classes;
use crate::data::departments;
use crate::districts::PER_DISTRICT;
use crate::items::{Draft, candidates};
use crate::model::{FormatHint, Kind, ShareHint};
use crate::orgs::{self, districts};
use crate::plan::{Meta, file_odds, format_hint, plan_departments, plan_districts, variant_list};
use crate::rng::Rng;
use crate::texts::{self, SummaryInput};
use crate::themes;
use govshare_domain::classification::ResourceCode;
use govshare_domain::labels::{FormatCategory, SharingType, UpdateCycle};
use govshare_domain::resource::{CatalogRecord, ResourceSpec};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Resource classes in the seed city's catalog.
pub const TOTAL_RESOURCES: usize = 3614;
/// Information items in the seed city's catalog.
pub const TOTAL_ITEMS: usize = 49_500;

/// Settles per-record item counts so that they add up to exactly `total`.
fn settle_counts(rng: &mut Rng, caps: &[(usize, usize)], total: usize) -> Vec<usize> {
    let mut n: Vec<usize> = caps
        .iter()
        .map(|&(lo, hi)| rng.range(lo as i64, hi as i64) as usize)
        .collect();
    let mut order: Vec<usize> = (0..caps.len()).collect();
    rng.shuffle(&mut order);
    let mut sum: usize = n.iter().sum();
    while sum != total {
        let mut moved = false;
        for &i in &order {
            if sum < total && n[i] < caps[i].1 {
                n[i] += 1;
                sum += 1;
                moved = true;
            } else if sum > total && n[i] > caps[i].0 {
                n[i] -= 1;
                sum -= 1;
                moved = true;
            }
            if sum == total {
                break;
            }
        }
        assert!(moved, "item capacity cannot reach {total}");
    }
    n
}

/// The whole demo catalog and, per resource, what the search cases need.
pub fn build() -> (DemoCatalog, Vec<Meta>) {
    let depts = departments();
    assert!(
        depts[0].bureau && depts.iter().skip(1).all(|d| !d.bureau),
        "the bureau must come first, once"
    );
    let orgs = orgs::build(&depts);
    let district_total = PER_DISTRICT * districts().count();
    let (mut plans, mut named) = plan_departments(&depts, TOTAL_RESOURCES - district_total);
    plans.extend(plan_districts(depts.len(), &mut named));

    // Codes, in plan order.
    let mut seq: HashMap<String, u32> = HashMap::new();
    let codes: Vec<String> = plans
        .iter()
        .map(|p| {
            let n = seq.entry(p.class.clone()).or_insert(0);
            *n += 1;
            ResourceCode::format(&p.class, *n)
        })
        .collect();

    // Item candidates and counts.
    let mut rng = Rng::new(0x5EED_3614);
    let mut cands: Vec<Vec<Draft>> = Vec::with_capacity(plans.len());
    let mut caps = Vec::with_capacity(plans.len());
    let mut hints = Vec::with_capacity(plans.len());
    for p in &plans {
        let v = &variant_list(&p.subject)[p.variant_index];
        let mut hint = format_hint(&p.subject, p.variant_index, v);
        if hint.is_none()
            && !v.stats
            && Rng::keyed(&format!("file|{}|{}", p.dept_short, p.name))
                .chance(file_odds(p.subject.kind, v.suffix))
        {
            hint = Some(FormatHint::File);
        }
        let file_like = matches!(hint, Some(FormatHint::Image | FormatHint::File));
        let mut c = candidates(&p.subject, v, file_like, hint == Some(FormatHint::Image));
        if !file_like && !c.iter().any(|d| d.key) {
            let (data_type, length) = crate::types::infer("编号");
            c.insert(
                0,
                Draft {
                    name: format!("{}编号", p.subject.noun()),
                    data_type,
                    length,
                    key: true,
                },
            );
            c.truncate(30);
        }
        let cap = if file_like && rng.chance(0.5) {
            (0, 0)
        } else {
            (5.min(c.len()), c.len())
        };
        caps.push(cap);
        cands.push(c);
        hints.push(hint);
    }
    let counts = settle_counts(&mut rng, &caps, TOTAL_ITEMS);

    // Links: later variants to the first one, districts to the city's subject, some to base resources.
    let mut first_of: HashMap<(usize, usize, usize), usize> = HashMap::new();
    let mut city_by_stem: HashMap<&str, usize> = HashMap::new();
    for (i, p) in plans.iter().enumerate() {
        if p.variant_index == 0 {
            first_of.insert(p.group, i);
            if !p.local {
                city_by_stem.entry(p.subject.stem.as_str()).or_insert(i);
            }
        }
    }
    let base: Vec<usize> = (0..plans.len())
        .filter(|&i| plans[i].class.starts_with('1'))
        .collect();

    let mut resources = Vec::with_capacity(plans.len());
    let mut used_classes = BTreeSet::new();
    for (i, p) in plans.iter().enumerate() {
        let mut r = Rng::keyed(&format!("{}|{}", p.dept_short, p.name));
        let v = &variant_list(&p.subject)[p.variant_index];
        let items = &cands[i][..counts[i]];
        let stats = v.stats || p.subject.kind == Kind::Stats;
        let hint = hints[i];
        let (format_category, format_type) = attrs::format(
            &mut r,
            p.subject.kind,
            hint,
            stats,
            v.suffix == "电子证照信息",
        );
        let share_hint = if stats { None } else { p.subject.share };
        let secret = share_hint == Some(ShareHint::Secret);
        let sharing_type = attrs::sharing_type(
            &mut r,
            if stats { Kind::Stats } else { p.subject.kind },
            share_hint,
        );
        let update_cycle = v
            .cycle
            .unwrap_or_else(|| attrs::update_cycle(&mut r, p.subject.kind));
        let realtime = update_cycle == UpdateCycle::Realtime;
        let sharing_method = (sharing_type != SharingType::NotShared)
            .then(|| attrs::sharing_method(&mut r, format_category, realtime));
        let sharing_condition = if sharing_type == SharingType::Conditional {
            texts::sharing_condition(&mut r, p.subject.kind)
        } else {
            String::new()
        };
        let not_shared_basis = if sharing_type == SharingType::NotShared {
            texts::not_shared_basis(&mut r, p.subject.kind, &p.dept_kw, secret)
        } else {
            String::new()
        };
        let open_type = attrs::open_type(
            &mut r,
            if stats { Kind::Stats } else { p.subject.kind },
            sharing_type,
            secret,
        );
        let open_condition = if open_type == govshare_domain::labels::OpenType::Conditional {
            texts::open_condition(&mut r)
        } else {
            String::new()
        };
        let state = attrs::state(&mut r);
        let published_on = attrs::published_on(&mut r, state);

        let mut related = Vec::new();
        if p.variant_index > 0 && r.chance(0.5) {
            related.push(first_of[&p.group]);
        }
        if p.local
            && r.chance(0.6)
            && let Some(&c) = city_by_stem.get(p.meta.bare.as_str())
        {
            related.push(c);
        }
        if matches!(p.subject.kind, Kind::Person | Kind::Entity | Kind::Record)
            && !base.is_empty()
            && r.chance(0.15)
        {
            related.push(base[r.below(base.len())]);
        }
        let mut seen = HashSet::new();
        let related_codes: Vec<String> = related
            .into_iter()
            .filter(|&j| j != i && seen.insert(j))
            .map(|j| codes[j].clone())
            .collect();

        let what = v.desc.replace("{s}", &p.meta.bare);
        let item_names: Vec<&str> = items.iter().map(|d| d.name.as_str()).collect();
        let summary = texts::summary(
            &mut r,
            &SummaryInput {
                kind: p.subject.kind,
                what,
                scope: p.scope,
                unit: &p.unit,
                items: item_names,
                format_label: format_category.label(),
                file_format: Some(&format_type),
                cycle: update_cycle,
                base: if p.local {
                    None
                } else {
                    texts::base_name(&p.class)
                },
            },
        );
        let structured = format_category.is_structured();
        let survey = attrs::survey(
            &mut r,
            &SurveyInput {
                kind: p.subject.kind,
                stats,
                structured,
                image: format_category == FormatCategory::Image,
                local: p.local,
                items,
                sharing: sharing_type,
                open: open_type,
            },
        );
        let system_name = if r.chance(0.85) {
            r.pick(&p.systems).clone()
        } else {
            String::new()
        };
        let storage_location = if p.local {
            format!("{}政务云", p.dept_short)
        } else {
            texts::storage_location(&mut r, &p.dept_short, p.vertical)
        };
        let item_list = items
            .iter()
            .enumerate()
            .map(|(k, d)| d.to_item(if structured { k < 3 } else { k == 0 }))
            .collect();
        let org = &orgs[p.org];
        used_classes.insert(p.class.clone());
        resources.push(CatalogRecord {
            spec: ResourceSpec {
                code: Some(codes[i].clone()),
                classification: p.class.clone(),
                name: p.name.clone(),
                provider: org.name.clone(),
                provider_code: org.credit_code.clone(),
                provider_unit: p.unit.clone(),
                summary,
                format_category,
                format_type,
                items: item_list,
                sharing_type,
                sharing_condition,
                sharing_method,
                not_shared_basis,
                open_type,
                open_condition,
                update_cycle,
                published_on,
                related_codes,
                keywords: p.meta.aliases.clone(),
                themes: themes::assign(&mut r, &p.name, &p.dept_kw),
                system_name,
                storage_location,
                online_link: String::new(),
                secret,
                survey,
            },
            state,
        });
    }
    // Every department has its 目, whether or not its own units' 细目 are used.
    used_classes.extend((1..depts.len()).map(classes::dept_code));
    let catalog = DemoCatalog {
        orgs,
        classes: classes::tree(&named, &used_classes),
        themes: themes::specs(),
        resources,
    };
    (catalog, plans.into_iter().map(|p| p.meta).collect())
}
