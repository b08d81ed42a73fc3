//! Using another department's data (`/console/catalog/{class}/{seq}/use`): for a
//! conditional entry, the application (申请) — which app, which items (and which
//! sensitive ones in clear), purpose, legal basis, material, period and quotas — and
//! for an unconditional one, the registration of use (登记使用): app, purpose and
//! scenario. Both go through the API's store calls, so the same rules accept and
//! refuse them; the form shows each problem beside its field and keeps what was
//! typed. Who may use data for an organisation is the API's rule (`check_consumer`).

use crate::AppState;
use crate::console::form::Fields;
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, own_org, render_form};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use govshare_domain::labels::SharingType;
use govshare_domain::resource::Resource;
use govshare_domain::sharing::request::Scope;
use govshare_store::org::apps::AppInfo;
use govshare_store::sharing::requests::NewRequest;
use minijinja::context;
use std::collections::BTreeMap;

/// A published entry the user may ask to use, and the live apps of their organisation.
async fn usable(
    state: &AppState,
    user: &ConsoleUser,
    class: &str,
    seq: &str,
) -> Result<(Resource, Vec<AppInfo>), ConsoleError> {
    user.principal
        .check_consumer(user.principal.org_id)
        .map_err(|_| ConsoleError::Refused)?;
    let r = crate::console::entry::visible(state, user, class, seq).await?;
    if !r.state.is_published()
        || r.spec.sharing_type == SharingType::NotShared
        || r.owner_org_id == user.principal.org_id
    {
        return Err(ConsoleError::Refused);
    }
    let org = own_org(state, user.principal.org_id)
        .await?
        .ok_or(ConsoleError::Refused)?;
    let now = govshare_store::clock::now_utc()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let apps = state
        .store
        .orgs
        .apps(&user.caller(), &org.spec.credit_code)
        .await?
        .into_iter()
        .filter(|a| a.revoked_at.is_none() && a.expires_at.as_ref().is_none_or(|e| *e > now))
        .collect();
    Ok((r, apps))
}

async fn page(
    state: &AppState,
    user: &ConsoleUser,
    r: &Resource,
    apps: &[AppInfo],
    problems: BTreeMap<String, String>,
    typed: Option<&Fields>,
) -> Result<Response, ConsoleError> {
    let today = govshare_store::clock::today();
    let value = |field: &str, default: String| typed.map_or(default, |f| f.get(field).to_string());
    let ticked =
        |field: &str, column: &str| typed.is_some_and(|f| f.all(field).iter().any(|v| v == column));
    let items: Vec<_> = r
        .spec
        .items
        .iter()
        .map(|i| {
            context! {
                name => i.name.clone(), column => i.column.clone(), sensitive => i.sensitive,
                on => ticked("items", &i.column), clear => ticked("unmasked", &i.column),
            }
        })
        .collect();
    let chosen_app = value(
        "app",
        apps.first().map_or(String::new(), |a| a.id.to_string()),
    );
    render_form(
        state,
        user,
        "usage.html",
        context! {
            code => r.code.clone(), name => r.spec.name.clone(), provider => r.spec.provider.clone(),
            conditional => r.spec.sharing_type == SharingType::Conditional,
            condition => r.spec.sharing_condition.clone(),
            apps => apps.iter().map(|a| context! { id => a.id, name => a.name.clone(), on => a.id.to_string() == chosen_app }).collect::<Vec<_>>(),
            items, problems => problems.clone(),
            purpose => value("purpose", String::new()),
            legal_basis => value("legal_basis", String::new()),
            material => value("material", String::new()),
            scenario => value("scenario", String::new()),
            valid_from => value("valid_from", today.to_string()),
            valid_to => value("valid_to", (today + chrono::Days::new(365)).to_string()),
            daily_quota => value("daily_quota", "1000".into()),
            total_quota => value("total_quota", "100000".into()),
        },
        &problems,
    )
    .await
}

pub async fn form(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((class, seq)): Path<(String, String)>,
) -> Result<Response, ConsoleError> {
    let (r, apps) = usable(&state, &user, &class, &seq).await?;
    page(&state, &user, &r, &apps, BTreeMap::new(), None).await
}

/// The scope the form asks for, or what is wrong with what the form itself reads.
fn asked(r: &Resource, f: &Fields) -> Result<Scope, BTreeMap<String, String>> {
    let mut problems = BTreeMap::new();
    let items = f.all("items");
    let unmasked = f.all("unmasked");
    if let Some(lone) = unmasked.iter().find(|u| !items.contains(u)) {
        let name = r
            .spec
            .items
            .iter()
            .find(|i| &i.column == lone)
            .map_or(lone.as_str(), |i| i.name.as_str());
        problems.insert(
            "unmasked".to_string(),
            format!("要明文提供“{name}”，请同时勾选为申请的信息项"),
        );
    }
    let mut date = |field: &str| {
        chrono::NaiveDate::parse_from_str(f.get(field).trim(), "%Y-%m-%d").unwrap_or_else(|_| {
            problems.insert(field.to_string(), "请填写日期，如2027-06-30".to_string());
            chrono::NaiveDate::MIN
        })
    };
    let (valid_from, valid_to) = (date("valid_from"), date("valid_to"));
    let mut number = |field: &str| {
        f.get(field)
            .trim()
            .replace([',', '，'], "")
            .parse::<i64>()
            .unwrap_or_else(|_| {
                problems.insert(field.to_string(), "请填写整数".to_string());
                0
            })
    };
    let (daily_quota, total_quota) = (number("daily_quota"), number("total_quota"));
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Scope {
        unmasked,
        items,
        valid_from,
        valid_to,
        daily_quota,
        total_quota,
    })
}

/// Applies for (conditional) or registers the use of (unconditional) the entry.
pub async fn submit(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((class, seq)): Path<(String, String)>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let f = user.posted(&headers, &body)?;
    let (r, apps) = usable(&state, &user, &class, &seq).await?;
    let refused = |problems: BTreeMap<String, String>| {
        let (state, user, r, apps, f) = (&state, &user, &r, &apps, &f);
        async move { page(state, user, r, apps, problems, Some(f)).await }
    };
    let Some(app) = apps.iter().find(|a| a.id.to_string() == f.get("app")) else {
        let why = "请选择本单位的有效应用（可在“应用密钥”中创建）";
        return refused(BTreeMap::from([("app".to_string(), why.to_string())])).await;
    };
    let done = if r.spec.sharing_type == SharingType::Conditional {
        let scope = match asked(&r, &f) {
            Ok(scope) => scope,
            Err(problems) => return refused(problems).await,
        };
        let req = NewRequest {
            app_id: app.id,
            resource: r.code.clone(),
            scope,
            purpose: f.get("purpose").trim().to_string(),
            legal_basis: f.get("legal_basis").trim().to_string(),
            material: f.get("material").trim().to_string(),
        };
        crate::routes::requests::make_request(&state, &user.principal, req)
            .await
            .map(|made| format!("/console/sharing/requests/{}", made.id))
    } else {
        crate::routes::registrations::register(
            &state,
            &user.principal,
            app.id,
            &r.code,
            f.get("purpose").trim(),
            f.get("scenario").trim(),
        )
        .await
        .map(|_| format!("/console/catalog/{}?done=registered", r.code))
    };
    match done {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(e) => refused(crate::console::form::problems_of(e, "app")?).await,
    }
}
