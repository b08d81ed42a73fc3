//! One catalog entry: its 13 core items and information items, what the user may do
//! to it now (修改, the lifecycle steps their role takes from its state: 提交审核,
//! 登记, 发布, 退回修改 and 下架 with a reason, 下架 confirmed), and its history
//! with what each version changed, item by item. The steps are the API's
//! (`transition_resource`), so the same rules allow and refuse them.

use crate::AppState;
use crate::console::draft::label_of;
use crate::console::form::Fields;
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, render, render_form};
use crate::error::ApiError;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use govshare_domain::Error as DomainError;
use govshare_domain::lifecycle::{Action, State as EntryState, next_state};
use govshare_domain::resource::Resource;
use minijinja::context;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The entry at `/console/catalog/{class}/{seq}` as the user may see it.
pub(crate) async fn visible(
    state: &AppState,
    user: &ConsoleUser,
    class: &str,
    seq: &str,
) -> Result<Resource, ConsoleError> {
    let code = format!("{class}/{seq}");
    if code.len() > 64 {
        return Err(ConsoleError::Refused);
    }
    Ok(state.store.catalog.resource(&user.caller(), &code).await?)
}

/// The steps the user may take on the entry now.
fn steps(user: &ConsoleUser, r: &Resource) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| next_state(r.state, *a).is_ok())
        .filter(|a| user.principal.check_action(r.owner_org_id, *a).is_ok())
        .collect()
}

#[derive(Deserialize, Default)]
pub struct EntryQuery {
    #[serde(default)]
    done: String,
}

/// What a finished change says at the top of the page.
fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "created" => "目录已保存为草稿。核对无误后请提交审核。",
        "saved" => "修改已保存。",
        "submit" => "已提交审核，等待大数据局登记。",
        "return" => "已退回修改，提供方可在工作台看到退回理由。",
        "register" => "已登记。",
        "publish" => "已发布，其他单位可在资源目录中看到并申请使用。",
        "withdraw" => "已下架。",
        "registered" => "使用登记已提交。提供方设置了人工审核的，审核通过后即可调用。",
        "review" => "使用登记的审核方式已更改。",
        _ => return None,
    })
}

async fn page(
    state: &AppState,
    user: &ConsoleUser,
    r: &Resource,
    done: &str,
    problems: BTreeMap<String, String>,
    typed: Option<&Fields>,
) -> Result<Response, ConsoleError> {
    let items: Vec<_> = r
        .spec
        .items
        .iter()
        .map(|i| {
            context! {
                name => i.name.clone(), column => i.column.clone(), data_type => i.data_type.label(),
                length => i.length, key => i.key, required => i.required, sensitive => i.sensitive,
            }
        })
        .collect();
    let mut core = crate::pages::metadata_rows(r);
    core.push(("状态", r.state.label().to_string()));
    let actions: Vec<_> = steps(user, r)
        .into_iter()
        .map(|a| {
            context! {
                code => a.code(), label => a.label(), reason => a.needs_reason(),
                confirm => a == Action::Withdraw,
            }
        })
        .collect();
    // Another organisation's published, shared entry may be asked for.
    let p = &user.principal;
    let may_use = r.state.is_published()
        && r.spec.sharing_type != govshare_domain::labels::SharingType::NotShared
        && r.owner_org_id != p.org_id
        && p.check_consumer(p.org_id).is_ok();
    let kept = matches!(r.state, EntryState::Registered | EntryState::Published);
    let has_pool = kept && govshare_domain::pool::schema::is_data_backed(r);
    let has_files = kept && !has_pool;
    let may_edit = user.principal.check_edit(r.owner_org_id, r.state).is_ok();
    // Registrations of unconditional data: approved at once, or reviewed by hand where
    // the bureau says so (the bureau switches it here).
    let unconditional = r.spec.sharing_type == govshare_domain::labels::SharingType::Unconditional;
    let review = match unconditional {
        true => Some(
            state
                .store
                .duties
                .registration_review(&user.caller(), &r.code)
                .await?,
        ),
        false => None,
    };
    render_form(
        state,
        user,
        "entry.html",
        context! {
            code => r.code.clone(), name => r.spec.name.clone(), core, items, version => r.version,
            updated => r.updated_at.clone(), state_label => r.state.label(), may_edit, actions, may_use, has_pool, has_files,
            review, may_set_review => unconditional && p.check_bureau().is_ok(),
            conditional => r.spec.sharing_type == govshare_domain::labels::SharingType::Conditional,
            done => done_message(done), problems => problems.clone(),
            chosen => typed.map(|f| f.get("action").to_string()),
            reason => typed.map_or(String::new(), |f| f.get("reason").to_string()),
        },
        &problems,
    )
    .await
}

pub async fn show(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((class, seq)): Path<(String, String)>,
    Query(q): Query<EntryQuery>,
) -> Result<Response, ConsoleError> {
    let r = visible(&state, &user, &class, &seq).await?;
    page(&state, &user, &r, &q.done, BTreeMap::new(), None).await
}

/// Takes a lifecycle step. Those who may not take it get the refused page, whatever
/// they post; those who may hear what is missing (a reason, the confirmation).
pub async fn step(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((class, seq)): Path<(String, String)>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let f = user.posted(&headers, &body)?;
    let r = visible(&state, &user, &class, &seq).await?;
    let action = Action::parse(f.get("action"))
        .filter(|a| user.principal.check_action(r.owner_org_id, *a).is_ok())
        .ok_or(ConsoleError::Refused)?;
    let reason = f.get("reason").trim();
    let mut problems = BTreeMap::new();
    if action.needs_reason() && reason.is_empty() {
        problems.insert(
            "reason".to_string(),
            format!("{}需要填写理由", action.label()),
        );
    }
    if action == Action::Withdraw && f.get("confirm") != "1" {
        problems.insert(
            "confirm".to_string(),
            "下架后其他单位将不能再申请使用，请勾选确认".to_string(),
        );
    }
    if !problems.is_empty() {
        return page(&state, &user, &r, "", problems, Some(&f)).await;
    }
    let moved = state
        .store
        .catalog
        .transition_resource(&user.caller(), &r.code, action, reason)
        .await;
    match moved {
        Ok(moved) => {
            crate::routes::reindex(&state).await;
            let to = format!("/console/catalog/{}?done={}", moved.code, action.code());
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let why = match ApiError::from(e) {
                ApiError::Domain(DomainError::Invalid(found)) => found
                    .into_iter()
                    .map(|p| p.reason)
                    .collect::<Vec<_>>()
                    .join("；"),
                ApiError::Domain(
                    e @ (DomainError::Conflict(_) | DomainError::IllegalTransition { .. }),
                ) => e.to_string(),
                other => return Err(other.into()),
            };
            let problems = BTreeMap::from([("action".to_string(), why)]);
            page(&state, &user, &r, "", problems, Some(&f)).await
        }
    }
}

/// The bureau puts the entry's registrations under the provider's review, or back to
/// approval at once; through the API's function, which audits it.
pub async fn set_review(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((class, seq)): Path<(String, String)>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let f = user.posted(&headers, &body)?;
    let r = visible(&state, &user, &class, &seq).await?;
    user.principal
        .check_bureau()
        .map_err(|_| ConsoleError::Refused)?;
    let manual = f.get("manual") == "1";
    crate::routes::registrations::review(&state, &user.principal, &r.code, manual).await?;
    Ok(Redirect::to(&format!("/console/catalog/{}?done=review", r.code)).into_response())
}

/// What a version's step was called.
fn step_label(action: &str) -> String {
    match action {
        "create" => "新建".into(),
        "update" => "修改".into(),
        "import" => "导入".into(),
        other => Action::parse(other).map_or_else(|| other.to_string(), |a| a.label().into()),
    }
}

/// Fields of a snapshot that are bookkeeping, not content.
const BOOKKEEPING: &[&str] = &["id", "version", "updated_at", "created_at", "owner_org_id"];

/// A coded value of `field` by its label (`conditional` → 有条件共享).
fn coded(field: &str, code: &str) -> Option<&'static str> {
    use govshare_domain::labels::{
        FormatCategory, OpenType, SharingMethod, SharingType, UpdateCycle,
    };
    match field {
        "state" => EntryState::parse(code).map(|c| c.label()),
        "format_category" => FormatCategory::parse(code).map(|c| c.label()),
        "sharing_type" => SharingType::parse(code).map(|c| c.label()),
        "sharing_method" => SharingMethod::parse(code).map(|c| c.label()),
        "open_type" => OpenType::parse(code).map(|c| c.label()),
        "update_cycle" => UpdateCycle::parse(code).map(|c| c.label()),
        _ => None,
    }
}

/// A stored value of `field` as people read it.
fn shown(field: &str, v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "（空）".into(),
        Some(Value::String(s)) if s.is_empty() => "（空）".into(),
        Some(Value::String(s)) => coded(field, s).map_or_else(|| s.clone(), str::to_string),
        Some(Value::Bool(b)) => if *b { "是" } else { "否" }.into(),
        Some(Value::Array(a)) if a.is_empty() => "（空）".into(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| shown(field, Some(x)))
            .collect::<Vec<_>>()
            .join("、"),
        Some(other) => other.to_string(),
    }
}

/// An information item as one line of a difference.
fn item_line(item: &Value) -> String {
    let text = |k: &str| {
        item.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let flag = |k: &str, label: &str| {
        item.get(k)
            .and_then(Value::as_bool)
            .filter(|on| *on)
            .map(|_| label.to_string())
    };
    let data_type = govshare_domain::labels::DataType::parse(&text("data_type"))
        .map_or_else(|| text("data_type"), |t| t.label().to_string());
    let mut parts = vec![
        format!("{}（{}）", text("name"), text("column")),
        format!(
            "{data_type} {}",
            item.get("length").map_or(String::new(), |l| l.to_string())
        ),
    ];
    parts.extend(
        [("key", "主键"), ("required", "必填"), ("sensitive", "敏感")]
            .iter()
            .filter_map(|(k, label)| flag(k, label)),
    );
    parts.join(" · ")
}

/// How the information items changed: added, removed and changed items by name.
fn item_changes(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let named = |v: Option<&Value>| -> Vec<(String, Value)> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|i| {
                        let name = i.get("name").and_then(Value::as_str).unwrap_or_default();
                        (name.to_string(), i.clone())
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (old, new) = (named(before), named(after));
    let mut lines = Vec::new();
    for (name, item) in &new {
        match old.iter().find(|(n, _)| n == name) {
            None => lines.push(format!("新增：{}", item_line(item))),
            Some((_, was)) if was != item => {
                lines.push(format!("修改：{} → {}", item_line(was), item_line(item)));
            }
            Some(_) => {}
        }
    }
    for (name, item) in &old {
        if !new.iter().any(|(n, _)| n == name) {
            lines.push(format!("删除：{}", item_line(item)));
        }
    }
    let order = |list: &[(String, Value)]| list.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    let (was, now) = (order(&old), order(&new));
    if lines.is_empty() && was != now {
        lines.push(format!("顺序：{} → {}", was.join("、"), now.join("、")));
    }
    lines
}

pub async fn history(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((class, seq)): Path<(String, String)>,
) -> Result<Response, ConsoleError> {
    let r = visible(&state, &user, &class, &seq).await?;
    let versions = state
        .store
        .catalog
        .resource_history(&user.caller(), &r.code)
        .await?;
    let mut rows = Vec::with_capacity(versions.len());
    let mut before: Option<&Value> = None;
    for v in &versions {
        let changes: Vec<_> = if before.is_none() {
            Vec::new()
        } else {
            v.changed
                .iter()
                .filter(|f| !BOOKKEEPING.contains(&f.as_str()))
                .map(|f| {
                    let (was, now) = (before.and_then(|b| b.get(f)), v.snapshot.get(f));
                    let lines = if f == "items" {
                        item_changes(was, now)
                    } else {
                        vec![format!("{} → {}", shown(f, was), shown(f, now))]
                    };
                    context! { field => label_of(f), lines }
                })
                .collect()
        };
        rows.push(context! {
            version => v.version, step => step_label(&v.action), actor => v.actor.clone(),
            reason => v.reason.clone(), at => v.at.clone(), changes,
            from => v.from_state.as_deref().and_then(EntryState::parse).map(|s| s.label()),
            to => EntryState::parse(&v.to_state).map(|s| s.label()),
        });
        before = Some(&v.snapshot);
    }
    rows.reverse();
    render(
        &state,
        &user,
        "entry_history.html",
        context! { code => r.code.clone(), name => r.spec.name.clone(), rows },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn item_differences_name_what_was_added_removed_changed_and_reordered() {
        let a = json!([{"name":"姓名","column":"xm","data_type":"C","length":50,"key":false,"required":true,"sensitive":false},
                       {"name":"性别","column":"xb","data_type":"C","length":1,"key":false,"required":false,"sensitive":false}]);
        let b = json!([{"name":"姓名","column":"xm","data_type":"C","length":80,"key":false,"required":true,"sensitive":false},
                       {"name":"住址","column":"zz","data_type":"C","length":200,"key":false,"required":false,"sensitive":true}]);
        let lines = item_changes(Some(&a), Some(&b));
        assert_eq!(
            lines,
            [
                "修改：姓名（xm） · 字符型 50 · 必填 → 姓名（xm） · 字符型 80 · 必填",
                "新增：住址（zz） · 字符型 200 · 敏感",
                "删除：性别（xb） · 字符型 1",
            ]
        );
        let swapped = json!([a[1].clone(), a[0].clone()]);
        assert_eq!(
            item_changes(Some(&a), Some(&swapped)),
            ["顺序：姓名、性别 → 性别、姓名"]
        );
        assert_eq!(shown("state", Some(&json!("published"))), "已发布");
        assert_eq!(shown("name", Some(&json!("published"))), "published");
        assert_eq!(shown("keywords", Some(&json!(["a", "b"]))), "a、b");
    }
}
