//! The catalog (资源目录) as the signed-in user may see it: a list with a name search
//! and filters by state and sharing type, page by page (each entry's page is `entry`).

use crate::AppState;
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, own_org, render};
use axum::extract::{Query, State};
use axum::response::Response;
use govshare_domain::labels::{Coded, SharingType};
use govshare_domain::lifecycle::State as EntryState;
use govshare_store::catalog::resources::ResourceFilter;
use minijinja::context;
use serde::Deserialize;

const PAGE: i64 = 30;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    sharing: String,
    /// "1": only the user's own organisation's entries.
    #[serde(default)]
    mine: String,
    after: Option<i64>,
}

/// Options of a filter: (code, label, chosen).
pub(crate) fn options<T: Coded + Copy>(all: &[T], chosen: &str) -> Vec<minijinja::Value> {
    all.iter()
        .map(|t| context! { code => t.code(), label => t.label(), on => t.code() == chosen })
        .collect()
}

pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, ConsoleError> {
    let mine = q.mine == "1";
    let provider = if mine {
        own_org(&state, user.principal.org_id)
            .await?
            .map(|o| o.spec.credit_code)
    } else {
        None
    };
    let name = q.q.trim().chars().take(100).collect::<String>();
    let page = state
        .store
        .catalog
        .list_resources(
            &user.caller(),
            ResourceFilter {
                name: (!name.is_empty()).then(|| name.clone()),
                state: EntryState::parse(&q.state),
                sharing_type: SharingType::parse(&q.sharing),
                provider_code: provider,
                after: q.after,
                limit: Some(PAGE),
                ..Default::default()
            },
        )
        .await?;
    let rows: Vec<_> = page
        .results
        .iter()
        .map(|r| {
            context! {
                code => r.code.clone(), name => r.spec.name.clone(), provider => r.spec.provider.clone(),
                state => r.state.label(), sharing => r.spec.sharing_type.label(), updated => r.updated_at.clone(),
            }
        })
        .collect();
    let next = page.next.map(|after| {
        let mut query = url_query(&[
            ("q", &name),
            ("state", &q.state),
            ("sharing", &q.sharing),
            ("mine", &q.mine),
        ]);
        query.push_str(&format!("&after={after}"));
        query
    });
    render(
        &state,
        &user,
        "catalog.html",
        context! {
            total => page.total, rows, next, q => name, mine,
            may_create => user.principal.check_create(user.principal.org_id).is_ok(),
            states => options(EntryState::ALL, &q.state),
            sharings => options(SharingType::ALL, &q.sharing),
        },
    )
    .await
}

/// `k=v&…` with the values percent-encoded.
fn url_query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::console::session::percent_encoded(v)))
        .collect::<Vec<_>>()
        .join("&")
}
