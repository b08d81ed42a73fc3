//! A pool's rules as its keepers (the owner organisation's admins and operators, or
//! the bureau) edit them on the pool's page: the content checks of each column, and
//! the selection rules (数据筛选) — which items later batches take and which rows.
//! Both are saved through the API's own functions, which check the same rules and
//! audit the change; a refused form comes back with what was typed and each problem
//! beside its rule.

use crate::AppState;
use crate::console::ConsoleError;
use crate::console::entry::visible;
use crate::console::form::{Fields, problems_of};
use crate::console::pools::page;
use crate::console::session::ConsoleUser;
use crate::error::ApiError;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use govshare_domain::Error as DomainError;
use govshare_domain::pool::{Check, PoolSchema, RowRule, RuleOp, Selection};
use minijinja::context;
use std::collections::BTreeMap;

/// The row conditions a form offers, with what they mean.
const OPS: &[(RuleOp, &str, &str)] = &[
    (RuleOp::In, "in", "是下列之一"),
    (RuleOp::NotIn, "not_in", "不是下列之一"),
    (RuleOp::Prefix, "prefix", "以下列之一开头"),
    (RuleOp::NotEmpty, "not_empty", "不为空"),
    (RuleOp::AtLeast, "at_least", "不小于"),
    (RuleOp::AtMost, "at_most", "不大于"),
];

/// Blank condition rows a form offers beyond the rules there are.
const BLANK_RULES: usize = 2;

fn op_code(op: RuleOp) -> &'static str {
    OPS.iter()
        .find(|(o, ..)| *o == op)
        .map_or("in", |(_, c, _)| c)
}

/// The values of a condition as typed: one list, split at commas, 、 and new lines.
fn values_of(text: &str) -> Vec<String> {
    text.split([',', '，', '、', '\n'])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(String::from)
        .collect()
}

/// The forms' contents: the pool's rules, or what was typed into them.
pub(crate) fn context(schema: &PoolSchema, typed: Option<&Fields>) -> minijinja::Value {
    let columns: Vec<_> = schema.columns.iter().filter(|c| !c.hidden).collect();
    let ticked = |field: &str, value: &str, now: bool| {
        typed.map_or(now, |f| f.all(field).iter().any(|v| v == value))
    };
    let checks: Vec<_> = columns
        .iter()
        .map(|c| {
            let kinds: Vec<_> = Check::ALL
                .iter()
                .map(|k| {
                    let value = format!("{}:{}", c.column, k.code());
                    context! { value => value.clone(), label => k.label(), on => ticked("check", &value, c.checks.contains(k)) }
                })
                .collect();
            context! { name => c.name.clone(), column => c.column.clone(), kinds }
        })
        .collect();
    let sel = &schema.selection;
    let takes_all = sel.items.is_empty();
    let optional: Vec<_> = columns
        .iter()
        .filter(|c| !c.key && !c.required)
        .map(|c| {
            let now = takes_all || sel.items.contains(&c.column);
            context! { name => c.name.clone(), column => c.column.clone(), on => ticked("take", &c.column, now) }
        })
        .collect();
    let always: Vec<_> = columns
        .iter()
        .filter(|c| c.key || c.required)
        .map(|c| c.name.clone())
        .collect();
    let mut rules: Vec<(String, String, String)> = match typed {
        Some(f) => {
            let (items, ops, values) = (f.all("rule_item"), f.all("rule_op"), f.all("rule_values"));
            (0..items.len())
                .map(|i| {
                    let at = |list: &[String]| list.get(i).cloned().unwrap_or_default();
                    (at(&items), at(&ops), at(&values))
                })
                .collect()
        }
        None => sel
            .rows
            .iter()
            .map(|r| {
                (
                    r.item.clone(),
                    op_code(r.op).to_string(),
                    r.values.join("、"),
                )
            })
            .collect(),
    };
    rules.retain(|(item, ..)| !item.is_empty());
    rules.extend((0..BLANK_RULES).map(|_| Default::default()));
    let rules: Vec<_> = rules
        .into_iter()
        .enumerate()
        .map(|(i, (item, op, values))| context! { i, item, op, values })
        .collect();
    context! {
        checks, optional, always, rules,
        items => columns.iter().map(|c| context! { name => c.name.clone(), column => c.column.clone() }).collect::<Vec<_>>(),
        ops => OPS.iter().map(|(_, code, label)| context! { code => *code, label => *label }).collect::<Vec<_>>(),
    }
}

/// The pool's schema, when the user may keep it (others are refused as for a
/// missing page).
async fn kept(
    state: &AppState,
    user: &ConsoleUser,
    class: &str,
    seq: &str,
) -> Result<(govshare_domain::resource::Resource, PoolSchema), ConsoleError> {
    let r = visible(state, user, class, seq).await?;
    user.principal
        .check_edit(r.owner_org_id, govshare_domain::lifecycle::State::Draft)
        .map_err(|_| ConsoleError::Refused)?;
    let schema = state
        .store
        .pools
        .pool(&user.caller(), &r.code)
        .await?
        .schema;
    Ok((r, schema))
}

fn saved(code: &str, what: &str) -> Response {
    Redirect::to(&format!("/console/catalog/{code}/pool?done={what}")).into_response()
}

/// Saves every column's checks as ticked.
pub async fn save_checks(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((class, seq)): Path<(String, String)>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let f = user.posted(&headers, &body)?;
    let (r, schema) = kept(&state, &user, &class, &seq).await?;
    let ticked = f.all("check");
    let checks: Vec<(String, Vec<Check>)> = schema
        .columns
        .iter()
        .filter(|c| !c.hidden)
        .map(|c| {
            let list = Check::ALL
                .iter()
                .copied()
                .filter(|k| ticked.contains(&format!("{}:{}", c.column, k.code())))
                .collect();
            (c.column.clone(), list)
        })
        .collect();
    let detail = serde_json::to_string(
        &checks
            .iter()
            .map(|(c, list)| (c, list.iter().map(|k| k.code()).collect::<Vec<_>>()))
            .collect::<BTreeMap<_, _>>(),
    )
    .unwrap_or_default();
    match crate::routes::pools::change_checks(&state, &user.principal, &r.code, checks, detail)
        .await
    {
        Ok(_) => Ok(saved(&r.code, "checks")),
        Err(e) => page(&state, &user, &r, problems_of(e, "check")?, Some(&f), "").await,
    }
}

/// Saves the selection rules: the items ticked (all of them: no item rule), and the
/// row conditions filled in.
pub async fn save_selection(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((class, seq)): Path<(String, String)>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let f = user.posted(&headers, &body)?;
    let (r, schema) = kept(&state, &user, &class, &seq).await?;
    let columns: Vec<_> = schema.columns.iter().filter(|c| !c.hidden).collect();
    let taken = f.all("take");
    let optional: Vec<_> = columns.iter().filter(|c| !c.key && !c.required).collect();
    let items = if optional.iter().all(|c| taken.contains(&c.column)) {
        Vec::new()
    } else {
        // Keys and required items are always taken; naming them keeps a selection of
        // none of the others from reading as "all".
        columns
            .iter()
            .filter(|c| c.key || c.required || taken.contains(&c.column))
            .map(|c| c.column.clone())
            .collect()
    };
    let mut problems = BTreeMap::new();
    let mut rows = Vec::new();
    let mut shown_at = Vec::new();
    let (names, ops, values) = (f.all("rule_item"), f.all("rule_op"), f.all("rule_values"));
    for (i, item) in names.iter().enumerate() {
        if item.trim().is_empty() {
            continue;
        }
        let op = ops.get(i).map(String::as_str).unwrap_or_default();
        let Some(&(op, ..)) = OPS.iter().find(|(_, code, _)| *code == op) else {
            problems.insert(format!("rule-{i}"), "请选择条件".to_string());
            continue;
        };
        shown_at.push(i);
        rows.push(RowRule {
            item: item.trim().to_string(),
            op,
            values: values_of(values.get(i).map(String::as_str).unwrap_or_default()),
        });
    }
    if problems.is_empty() {
        let selection = Selection { items, rows };
        match crate::routes::pools::change_selection(&state, &user.principal, &r.code, selection)
            .await
        {
            Ok(_) => return Ok(saved(&r.code, "selection")),
            Err(ApiError::Domain(DomainError::Invalid(found))) => {
                for mut p in found {
                    // `rows[k]` is the k-th condition filled in: named by its form row.
                    if let Some(i) = p
                        .field
                        .strip_prefix("rows[")
                        .and_then(|k| k.trim_end_matches(']').parse::<usize>().ok())
                        .and_then(|k| shown_at.get(k))
                    {
                        p.field = format!("rule-{i}");
                    }
                    crate::console::draft::merge(&mut problems, p);
                }
            }
            Err(e) => problems = problems_of(e, "selection")?,
        }
    }
    page(&state, &user, &r, problems, Some(&f), "").await
}
