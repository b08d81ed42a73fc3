//! The audit log (审计日志) as the user may read it, newest first, page by page: the
//! bureau and auditors every entry, an organisation its own use of data and everyone's
//! use of its resources (the API's rule, `audit_scope`). The bureau and auditors can
//! also check every node's hash chain and signed checkpoints from here.

use crate::AppState;
use crate::console::session::{ConsoleUser, TokenForm};
use crate::console::{ConsoleError, render_form};
use crate::routes::audit::AuditQuery;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;
use std::collections::BTreeMap;

const PAGE: i64 = 50;

/// What an action code means, for people.
fn action_label(action: &str) -> &str {
    match action {
        "login" => "登录",
        "password.change" => "修改密码",
        "share.lookup" => "按主键查询",
        "share.verify" => "核验",
        "share.batch" => "批量查询",
        "share.query" => "条件查询",
        "share.changes" => "增量数据",
        "share.files" | "share.file" => "文件下载",
        "share.register" => "登记使用",
        "correction.report" => "数据纠错",
        "correction.answer" => "答复纠错",
        "request.apply" => "申请共享",
        "request.approve" => "批准申请",
        "request.reject" => "驳回申请",
        "request.ask_more" => "要求补充材料",
        "request.material" => "补充材料",
        "grant.revoke" => "撤销授权",
        "share.register.answer" => "审核使用登记",
        "share.review.set" => "设置登记审核方式",
        "app.create" => "创建应用",
        "app.revoke" => "撤销密钥",
        "pool.load" => "数据汇聚",
        "pool.checks" => "修改内容校验",
        "pool.selection" => "修改数据筛选",
        "file.upload" => "上传文件",
        "catalog.import" => "目录导入",
        "user.create" => "新建账号",
        "user.change" => "修改账号",
        other => other,
    }
}

/// The basis a call was answered on (`grant:7`), for people (`授权 7`).
fn basis_label(basis: &str) -> String {
    let (kind, id) = basis.split_once(':').unwrap_or((basis, ""));
    let kind = match kind {
        "registration" => "登记",
        "grant" => "授权",
        "owner" => "本单位",
        other => other,
    };
    format!("{kind} {id}").trim().to_string()
}

/// The outcomes the log records, with what they mean.
const OUTCOMES: &[(&str, &str)] = &[
    ("ok", "成功"),
    ("denied", "拒绝"),
    ("not_found", "未找到"),
    ("throttled", "限流"),
    ("invalid", "无效请求"),
    ("unauthorized", "未登录或凭证无效"),
    ("conflict", "冲突"),
    ("failed", "失败"),
];

fn outcome_label(outcome: &str) -> &str {
    OUTCOMES
        .iter()
        .find(|(code, _)| *code == outcome)
        .map_or(outcome, |(_, label)| label)
}

/// A page of the listing and its filters, as the form sends them.
#[derive(Deserialize, Default, Clone)]
pub struct Listing {
    before: Option<i64>,
    #[serde(default)]
    org: String,
    #[serde(default)]
    app: String,
    #[serde(default)]
    resource: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl Listing {
    /// The filter the store applies, and what in the form could not be read.
    fn filter(&self, orgs: &[govshare_domain::org::Org]) -> (AuditQuery, BTreeMap<String, String>) {
        let mut problems = BTreeMap::new();
        let mut date = |field: &str, text: &str| {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            let read = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
            if read.is_none() {
                problems.insert(field.to_string(), "请填写日期，如2026-12-01".to_string());
            }
            read
        };
        let (from, to) = (date("from", &self.from), date("to", &self.to));
        let app = match self.app.trim() {
            "" => None,
            text => text.parse::<i64>().ok().or_else(|| {
                problems.insert("app".to_string(), "应用编号应为数字".to_string());
                None
            }),
        };
        let org = orgs
            .iter()
            .find(|o| o.spec.credit_code == self.org.trim())
            .map(|o| o.spec.credit_code.clone());
        let filter = AuditQuery {
            before: self.before,
            limit: None,
            org,
            app,
            resource: Some(self.resource.clone()),
            outcome: Some(self.outcome.clone()),
            from,
            to,
        };
        (filter, problems)
    }

    /// The listing's query string without `before`, for the next page's link.
    fn query(&self) -> String {
        [
            ("org", &self.org),
            ("app", &self.app),
            ("resource", &self.resource),
            ("outcome", &self.outcome),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| {
            format!(
                "{k}={}&",
                crate::console::session::percent_encoded(v.trim())
            )
        })
        .collect()
    }
}

/// The page of entries before `before`, with the chain reports when there are some.
async fn page_with(
    state: &AppState,
    user: &ConsoleUser,
    listing: &Listing,
    reports: Option<Vec<minijinja::Value>>,
) -> Result<Response, ConsoleError> {
    state.audit.flush().await?;
    let scope = crate::routes::audit_scope(&user.principal);
    let orgs = state.store.orgs.list_orgs().await?;
    let (filter, problems) = listing.filter(&orgs);
    let filter = filter.resolve(state).await?;
    let records = state
        .store
        .audit
        .audit_entries(scope, state.audit.node_id(), filter, listing.before, PAGE)
        .await?;
    let older = (records.len() as i64 == PAGE)
        .then(|| records.last().map(|r| r.seq))
        .flatten();
    let rows: Vec<_> = records
        .iter()
        .map(|r| {
            let e = &r.entry;
            context! {
                seq => r.seq, at => e.at.clone(), actor => e.actor.clone(),
                action => action_label(&e.action), resource => e.resource_code.clone(),
                basis => basis_label(&e.basis), outcome => outcome_label(&e.outcome), failed => e.outcome != "ok",
                rows => e.row_count, visits => e.visits,
                detail => e.detail.chars().take(80).collect::<String>(),
                hash => r.hash.chars().take(8).collect::<String>(),
            }
        })
        .collect();
    let p = &user.principal;
    render_form(
        state,
        user,
        "audit.html",
        context! {
            rows, older, reports, node => state.audit.node_id(), problems => problems.clone(),
            query => listing.query(),
            orgs => orgs.iter().map(|o| context! { code => o.spec.credit_code.clone(), name => o.spec.name.clone(), on => o.spec.credit_code == listing.org }).collect::<Vec<_>>(),
            outcomes => OUTCOMES.iter().map(|(code, label)| context! { code => *code, label => *label, on => *code == listing.outcome }).collect::<Vec<_>>(),
            f => context! { app => listing.app.clone(), resource => listing.resource.clone(), from => listing.from.clone(), to => listing.to.clone() },
            may_verify => p.is_bureau() || p.is_auditor(),
            whole => matches!(crate::routes::audit_scope(p), govshare_store::audit::log::AuditScope::All),
        },
        &problems,
    )
    .await
}

pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    Query(q): Query<Listing>,
) -> Result<Response, ConsoleError> {
    page_with(&state, &user, &q, None).await
}

/// Recomputes every node's chain and checks its signed checkpoints (the bureau and
/// auditors; it reads the whole log).
pub async fn verify(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> Result<Response, ConsoleError> {
    user.check_form(&headers, &f.form_token)?;
    let p = &user.principal;
    if !(p.is_bureau() || p.is_auditor()) {
        return Err(ConsoleError::Refused);
    }
    state.audit.flush().await?;
    let reports = state
        .store
        .audit
        .verify_audit()
        .await?
        .into_iter()
        .map(|r| {
            context! {
                node => r.node_id, entries => r.entries, checkpoints => r.checkpoints,
                last => r.last_checkpoint.map(|(seq, at)| context! { seq, at }),
                whole => r.first_bad.is_none(),
                bad => r.first_bad.map(|(seq, why)| format!("第{seq}条：{why}")),
            }
        })
        .collect();
    page_with(&state, &user, &Listing::default(), Some(reports)).await
}

/// One entry of the log with everything it records and its place in the chain: its
/// own hash recomputed, its link to the entry before, and the signed checkpoint that
/// vouches for it. A reader outside its scope gets the refusal a missing entry gets.
pub async fn entry(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((node, seq)): Path<(String, i64)>,
) -> Result<Response, ConsoleError> {
    state.audit.flush().await?;
    let scope = crate::routes::audit_scope(&user.principal);
    let place = state
        .store
        .audit
        .audit_entry(scope, &node, seq)
        .await?
        .ok_or(ConsoleError::Refused)?;
    let p = &user.principal;
    // How long the chain is, and where its checkpoints stand, tells how busy the whole
    // city is: only readers of the whole log see the numbers.
    let whole = matches!(scope, govshare_store::audit::log::AuditScope::All);
    let org = match place.record.entry.org_id {
        Some(id) => state
            .store
            .orgs
            .list_orgs()
            .await?
            .into_iter()
            .find(|o| o.id == id)
            .map(|o| o.spec.name),
        None => None,
    };
    let e = &place.record.entry;
    crate::console::render(
        &state,
        &user,
        "audit_entry.html",
        context! {
            node, seq,
            e => context! {
                at => e.at.clone(), actor => e.actor.clone(), org, app => e.app_id,
                action => action_label(&e.action), code => e.action.clone(),
                resource => e.resource_code.clone(), items => e.items.clone(), purpose => e.purpose.clone(),
                basis => basis_label(&e.basis), rows => e.row_count, visits => e.visits,
                digest => e.digest.clone(), outcome => outcome_label(&e.outcome), failed => e.outcome != "ok",
                detail => e.detail.clone(),
            },
            hash => place.record.hash.clone(), prev_hash => place.record.prev_hash.clone(),
            intact => place.intact, linked => place.linked,
            length => whole.then_some(place.chain_length),
            newer => (whole && seq < place.chain_length).then_some(seq + 1),
            older => (whole && seq > 1).then_some(seq - 1),
            checkpoint => place.checkpoint.map(|c| context! {
                seq => whole.then_some(c.seq), at => c.at, holds => c.holds,
            }),
            may_verify => p.is_bureau() || p.is_auditor(),
        },
    )
    .await
}
