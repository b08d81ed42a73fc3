//! A data pool in the console (`/console/catalog/{class}/{seq}/pool`): its columns
//! with their checks, its row count and last load against the entry's update cycle;
//! for its own organisation (and the bureau), a file upload that runs as a job (see
//! `jobs`), the batch history, and each batch's refused rows — filtered, downloaded as
//! CSV or XLSX, and fixed by uploading the corrected file. Who may load and read
//! refused rows is the API's rule (`check_edit` of a draft), asked by the store.

use crate::AppState;
use crate::console::entry::visible;
use crate::console::jobs::{self, Outcome, Upload};
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, render, render_form};
use crate::pool_import::{quarantine_csv, quarantine_xlsx};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use govshare_domain::labels::UpdateCycle;
use govshare_domain::resource::Resource;
use govshare_store::pool::batch::IngestMode;
use minijinja::context;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Days an update cycle allows between loads (none for 不定期).
fn cycle_days(cycle: UpdateCycle) -> Option<i64> {
    Some(match cycle {
        UpdateCycle::Realtime | UpdateCycle::Daily => 1,
        UpdateCycle::Weekly => 7,
        UpdateCycle::Monthly => 31,
        UpdateCycle::Quarterly => 92,
        UpdateCycle::HalfYearly => 183,
        UpdateCycle::Yearly => 366,
        UpdateCycle::Irregular => return None,
    })
}

/// How fresh the pool is against the entry's update cycle, in words.
fn freshness(r: &Resource, last: Option<&str>) -> (String, bool) {
    let cycle = r.spec.update_cycle;
    let Some(last) = last.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()) else {
        return (format!("尚未汇聚数据（更新周期：{}）", cycle.label()), true);
    };
    let age = (govshare_store::clock::now_utc() - last.with_timezone(&chrono::Utc)).num_days();
    match cycle_days(cycle) {
        Some(days) if age > days => (
            format!(
                "更新周期为{}，距上次更新已{age}天，已超期{}天",
                cycle.label(),
                age - days
            ),
            true,
        ),
        _ => (
            format!("更新周期为{}，距上次更新{age}天", cycle.label()),
            false,
        ),
    }
}

/// The modes a batch may take, with what each does.
const MODES: &[(&str, &str)] = &[
    ("upsert", "新增或更新（按主键）"),
    ("insert", "仅新增（主键已存在的行拒收）"),
    ("replace", "整体替换（原有数据全部替换为本文件）"),
    ("delete", "删除（文件中的主键）"),
];

/// The pool's page; `typed` is a refused rules form, shown again as it was sent.
pub(crate) async fn page(
    state: &AppState,
    user: &ConsoleUser,
    r: &Resource,
    problems: BTreeMap<String, String>,
    typed: Option<&crate::console::form::Fields>,
    done: &str,
) -> Result<Response, ConsoleError> {
    let info = state.store.pools.pool(&user.caller(), &r.code).await?;
    let may_load = user
        .principal
        .check_edit(r.owner_org_id, govshare_domain::lifecycle::State::Draft)
        .is_ok();
    let batches = if may_load {
        state
            .store
            .pools
            .batches(&user.caller(), &r.code, 20)
            .await?
    } else {
        Vec::new()
    };
    let columns: Vec<_> = info
        .schema
        .columns
        .iter()
        .filter(|c| !c.hidden)
        .map(|c| {
            context! {
                name => c.name.clone(), column => c.column.clone(), data_type => c.data_type.label(),
                length => c.length, key => c.key, required => c.required,
                checks => c.checks.iter().map(|k| k.label()).collect::<Vec<_>>().join("、"),
            }
        })
        .collect();
    let (fresh, late) = freshness(r, info.last_batch_at.as_deref());
    let batches: Vec<_> = batches
        .iter()
        .map(|b| {
            context! {
                id => b.id, mode => MODES.iter().find(|(m, _)| *m == b.mode).map_or(b.mode.as_str(), |(_, l)| l),
                file => b.source_name.clone(), actor => b.actor.clone(), received => b.received,
                accepted => b.accepted, rejected => b.rejected, skipped => b.skipped, at => b.finished_at.clone(),
            }
        })
        .collect();
    render_form(
        state,
        user,
        "pool.html",
        context! {
            code => r.code.clone(), name => r.spec.name.clone(), rows => info.row_count,
            last => info.last_batch_at.clone(), fresh, late, columns, may_load, batches,
            modes => MODES.iter().map(|(code, label)| context! { code => *code, label => *label }).collect::<Vec<_>>(),
            problems => problems.clone(), max_mib => govshare_interchange::MAX_FILE_BYTES / (1024 * 1024),
            rules => may_load.then(|| crate::console::pool_rules::context(&info.schema, typed)),
            done => match done {
                "checks" => Some("内容校验已保存，对此后导入的数据生效。"),
                "selection" => Some("数据筛选规则已保存，对此后导入的数据生效。"),
                _ => None,
            },
        },
        &problems,
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: String,
}

pub async fn show(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((class, seq)): Path<(String, String)>,
    Query(q): Query<Done>,
) -> Result<Response, ConsoleError> {
    let r = visible(&state, &user, &class, &seq).await?;
    page(&state, &user, &r, BTreeMap::new(), None, &q.done).await
}

/// Starts loading an uploaded file and sends the user to the job's page.
pub async fn upload(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((class, seq)): Path<(String, String)>,
    headers: HeaderMap,
    form: Multipart,
) -> Result<Response, ConsoleError> {
    let posted = crate::console::form::upload(form).await?;
    user.check_form(&headers, posted.fields.get("form_token"))?;
    let r = visible(&state, &user, &class, &seq).await?;
    user.principal
        .check_edit(r.owner_org_id, govshare_domain::lifecycle::State::Draft)
        .map_err(|_| ConsoleError::Refused)?;
    let mut problems = BTreeMap::new();
    let mode = match posted.fields.get("mode") {
        "" | "upsert" => Some(IngestMode::Upsert),
        "insert" => Some(IngestMode::Insert),
        "replace" => Some(IngestMode::Replace),
        "delete" => Some(IngestMode::Delete),
        _ => None,
    };
    if mode.is_none() {
        problems.insert("mode".to_string(), "请选择导入方式".to_string());
    }
    if posted.bytes.is_empty() {
        problems.insert(
            "file".to_string(),
            "请选择要上传的文件（CSV、XLSX、JSON）".to_string(),
        );
    }
    let (Some(mode), true) = (mode, problems.is_empty()) else {
        return page(&state, &user, &r, problems, None, "").await;
    };
    let name = posted.file_name;
    let id = jobs::start(
        state.clone(),
        user.principal.clone(),
        Upload {
            code: r.code.clone(),
            resource: r.spec.name.clone(),
            file: if name.is_empty() {
                "upload".into()
            } else {
                name
            },
            bytes: posted.bytes,
            mode,
        },
    );
    Ok(Redirect::to(&format!("/console/pool-jobs/{id}")).into_response())
}

/// A load's page: its progress while it runs (the page refreshes itself), then its
/// report or why the file was refused.
pub async fn job(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
) -> Result<Response, ConsoleError> {
    let job = jobs::of(&id, user.principal.user_id)
        .filter(|j| !j.catalog)
        .ok_or(ConsoleError::Refused)?;
    let (report, refused) = match job.ended() {
        Some((Outcome::Loaded(r), _)) => (
            Some(context! {
                batch => r.batch_id, received => r.received, accepted => r.accepted,
                rejected => r.rejected, skipped => r.skipped, replayed => r.replayed,
            }),
            None,
        ),
        Some((Outcome::Refused(why), _)) => (None, Some(why)),
        _ => (None, None),
    };
    render(
        &state,
        &user,
        "pool_job.html",
        context! {
            code => job.code.clone(), resource => job.resource.clone(), file => job.file.clone(),
            started => job.started_at.clone(), rows => job.rows(), rate => job.rate(),
            seconds => format!("{:.1}", job.elapsed().as_secs_f64()),
            running => job.ended().is_none(), report, refused,
        },
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct RefusedQuery {
    #[serde(default)]
    column: String,
    #[serde(default)]
    q: String,
}

/// Refused rows shown on one page at most.
const SHOWN: usize = 500;

/// A batch's refused rows, filtered by column and by words of the value or reason.
pub async fn refused(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<i64>,
    Query(f): Query<RefusedQuery>,
) -> Result<Response, ConsoleError> {
    let quarantine = state.store.pools.quarantine(&user.caller(), id).await?;
    let mut columns: Vec<String> = quarantine.rows.iter().map(|r| r.column.clone()).collect();
    columns.sort();
    columns.dedup();
    let q: String = f.q.trim().chars().take(100).collect();
    let matching: Vec<_> = quarantine
        .rows
        .iter()
        .filter(|r| f.column.is_empty() || r.column == f.column)
        .filter(|r| q.is_empty() || r.value.contains(&q) || r.reason.contains(&q))
        .collect();
    let rows: Vec<_> = matching
        .iter()
        .take(SHOWN)
        .map(|r| context! { row => r.row_number, column => r.column.clone(), value => r.value.clone(), reason => r.reason.clone() })
        .collect();
    render(
        &state,
        &user,
        "pool_refused.html",
        context! {
            batch => id, total => quarantine.rows.len(), matching => matching.len(), shown => rows.len(),
            rows, q, column => f.column, columns,
        },
    )
    .await
}

/// A batch's refused rows as a file to fix and upload again (`csv` or `xlsx`).
pub async fn refused_file(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((id, format)): Path<(i64, String)>,
) -> Result<Response, ConsoleError> {
    let quarantine = state.store.pools.quarantine(&user.caller(), id).await?;
    let (mime, body) = match format.as_str() {
        "rejected.csv" => ("text/csv; charset=utf-8", quarantine_csv(&quarantine)),
        "rejected.xlsx" => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            quarantine_xlsx(&quarantine)?,
        ),
        _ => return Err(ConsoleError::Refused),
    };
    let disposition = format!("attachment; filename=\"batch-{id}-{format}\"");
    Ok(crate::console::guarded(
        (
            [
                (header::CONTENT_TYPE, mime.to_string()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            body,
        )
            .into_response(),
    ))
}
