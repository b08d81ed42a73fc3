//! Operations monitoring (运行监测): the headline figures of the data resource center
//! computed live — entries published and shared, answered calls and rows served,
//! departments providing and using — and calls by day, provider, consumer and
//! resource as charts drawn on the server, each with its numbers in a table. The
//! bureau and auditors see the whole city; an organisation its own calls and the
//! calls to its resources (the API's rule, `stats_view`).

use crate::AppState;
use crate::console::charts::{columns, ranked};
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, render};
use axum::extract::State;
use axum::response::Response;
use govshare_domain::lifecycle::State as EntryState;
use govshare_store::audit::stats::Count;
use govshare_store::catalog::resources::ResourceFilter;
use minijinja::context;
use minijinja::value::Value;

/// Days the daily chart covers.
const DAYS: i64 = 30;
/// Bars of a ranked chart.
const TOP: usize = 10;

fn pairs(counts: &[Count]) -> Vec<(String, i64)> {
    counts
        .iter()
        .take(TOP)
        .map(|c| {
            (
                if c.name.is_empty() {
                    c.key.clone()
                } else {
                    c.name.clone()
                },
                c.calls,
            )
        })
        .collect()
}

fn chart(title: &str, svg: String, rows: Vec<(String, i64)>) -> Value {
    let rows: Vec<_> = rows
        .into_iter()
        .map(|(label, calls)| context! { label, calls })
        .collect();
    context! { title, svg => Value::from_safe_string(svg), rows }
}

pub async fn page(
    State(state): State<AppState>,
    user: ConsoleUser,
) -> Result<Response, ConsoleError> {
    let today = govshare_store::clock::today();
    let from = today - chrono::Duration::days(DAYS - 1);
    state.audit.flush().await?;
    let view = crate::routes::stats_view(&user.principal);
    // One reading of the counts: the days of the last 30 are taken from it.
    let all_time = state.store.audit.share_stats(view, None, None).await?;
    let published = |sharing| ResourceFilter {
        state: Some(EntryState::Published),
        sharing_type: sharing,
        limit: Some(1),
        ..Default::default()
    };
    let catalog = &state.store.catalog;
    let caller = user.caller();
    let shared = catalog
        .resource_summaries(&caller, published(None))
        .await?
        .0;
    // Every day of the period, the quiet ones too.
    let by_day: Vec<(String, i64)> = (0..DAYS)
        .map(|i| {
            let day = (from + chrono::Duration::days(i)).to_string();
            let calls = all_time
                .by_day
                .iter()
                .find(|c| c.key == day)
                .map_or(0, |c| c.calls);
            (day[5..].to_string(), calls)
        })
        .collect();
    let charts = vec![
        chart(
            &format!("近{DAYS}天每日调用次数"),
            columns(&format!("近{DAYS}天每日调用次数"), &by_day, 5),
            by_day.iter().rev().filter(|d| d.1 > 0).cloned().collect(),
        ),
        chart(
            "调用最多的提供部门",
            ranked("调用最多的提供部门", &pairs(&all_time.by_provider)),
            pairs(&all_time.by_provider),
        ),
        chart(
            "调用最多的使用部门",
            ranked("调用最多的使用部门", &pairs(&all_time.by_consumer)),
            pairs(&all_time.by_consumer),
        ),
        chart(
            "调用最多的信息资源",
            ranked("调用最多的信息资源", &pairs(&all_time.by_resource)),
            pairs(&all_time.by_resource),
        ),
    ];
    let today_calls = all_time
        .by_day
        .iter()
        .find(|c| c.key == today.to_string())
        .map_or(0, |c| c.calls);
    render(
        &state,
        &user,
        "dashboard.html",
        context! {
            figures => vec![
                context! { label => "已发布的目录", value => shared },
                context! { label => "累计共享调用", value => all_time.total_calls },
                context! { label => "今日调用", value => today_calls },
                context! { label => "累计提供数据（行）", value => all_time.rows_served },
                context! { label => "被调用的提供部门", value => all_time.by_provider.len() },
                context! { label => "调用数据的使用部门", value => all_time.by_consumer.len() },
            ],
            charts,
            whole_city => matches!(view, govshare_domain::access::Visibility::All),
        },
    )
    .await
}
