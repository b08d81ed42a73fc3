//! The entry form: 新建目录 (`/console/catalog/new`) and 修改 (`…/{class}/{seq}/edit`).
//! Who may open it is the API's rule (`check_create`, `check_edit`), asked before
//! anything is shown. A posted form is saved through the same store call as the API's,
//! so the same rules refuse it; each problem comes back beside its field with what
//! the user typed. While the user types, `console.js` posts the form to
//! `/console/catalog/check`, which runs the same rules without saving and answers with
//! the problems only.

use crate::AppState;
use crate::console::draft::{Draft, ItemRow, label_of, problems};
use crate::console::form::Fields;
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, TEMPLATES, catalog::options, own_org, render_form};
use crate::error::ApiError;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use govshare_domain::labels::{
    DataType, FormatCategory, OpenType, SharingMethod, SharingType, UpdateCycle,
};
use govshare_domain::resource::Resource;
use minijinja::context;
use std::collections::BTreeMap;

/// Blank rows the table offers for new items.
const BLANK_ROWS: usize = 3;

/// Which form: a new entry, or an edit of a stored one.
enum Mode<'a> {
    New,
    Edit(&'a Resource),
}

/// The form page, with `problems` beside their fields and a summary above.
async fn show(
    state: &AppState,
    user: &ConsoleUser,
    mode: Mode<'_>,
    mut draft: Draft,
    problems: BTreeMap<String, String>,
) -> Result<Response, ConsoleError> {
    draft
        .items
        .extend(std::iter::repeat_n(ItemRow::default(), BLANK_ROWS));
    let classes = state.store.catalog.list_classes().await?;
    let themes = state.store.catalog.list_themes().await?;
    let orgs = if user.principal.is_bureau() {
        state.store.orgs.list_orgs().await?
    } else {
        own_org(state, user.principal.org_id)
            .await?
            .into_iter()
            .collect()
    };
    let chosen = |field: &str| draft.values.get(field).cloned().unwrap_or_default();
    let (action, code, version, entry_name) = match mode {
        Mode::New => ("/console/catalog/new".to_string(), None, None, None),
        Mode::Edit(r) => (
            format!("/console/catalog/{}/edit", r.code),
            Some(r.code.clone()),
            Some(r.version),
            Some(r.spec.name.clone()),
        ),
    };
    let summary: Vec<_> = problems
        .iter()
        .map(|(field, reason)| context! { label => label_of(field), reason })
        .collect();
    render_form(
        state,
        user,
        "entry_form.html",
        context! {
            action, code, version, entry_name, problems => problems.clone(), summary,
            draft => context! {
                values => draft.values.clone(), secret => draft.secret,
                items => draft.items.iter().map(|i| context! {
                    name => i.name.clone(), column => i.column.clone(), data_type => i.data_type.clone(),
                    length => i.length.clone(), key => i.key, required => i.required, sensitive => i.sensitive,
                }).collect::<Vec<_>>(),
            },
            classes => classes.iter().map(class_option).collect::<Vec<_>>(),
            themes => themes.iter().map(|t| context! { code => t.spec.code.clone(), name => t.spec.name.clone(), on => draft.themes.contains(&t.spec.code) }).collect::<Vec<_>>(),
            orgs => orgs.iter().map(|o| context! { code => o.spec.credit_code.clone(), name => o.spec.name.clone() }).collect::<Vec<_>>(),
            format_categories => options(FormatCategory::ALL, &chosen("format_category")),
            sharing_types => options(SharingType::ALL, &chosen("sharing_type")),
            sharing_methods => options(SharingMethod::ALL, &chosen("sharing_method")),
            open_types => options(OpenType::ALL, &chosen("open_type")),
            update_cycles => options(UpdateCycle::ALL, &chosen("update_cycle")),
            data_types => DataType::ALL.iter().map(|t| context! { code => t.code(), label => t.label() }).collect::<Vec<_>>(),
        },
        &problems,
    )
    .await
}

/// A node of the classification tree as an option: indented by its level, and
/// selectable only where entries hang (目 and 细目).
fn class_option(c: &govshare_domain::classification::ClassNode) -> minijinja::Value {
    use govshare_domain::classification::ClassLevel;
    let level = ClassLevel::of_code(&c.code);
    let depth = match level {
        Some(ClassLevel::Category) | None => 0,
        Some(ClassLevel::Subject) => 1,
        Some(ClassLevel::Catalog) => 2,
        Some(ClassLevel::Detail) => 3,
    };
    context! {
        code => c.code.clone(), name => c.name.clone(), indent => "　".repeat(depth),
        open => level.is_some_and(|l| l.holds_resources()),
    }
}

/// The user's organisation's credit code: what a department's entries are filed under.
async fn own_code(state: &AppState, user: &ConsoleUser) -> Result<String, ConsoleError> {
    Ok(own_org(state, user.principal.org_id)
        .await?
        .map(|o| o.spec.credit_code)
        .unwrap_or_default())
}

/// Whether the user may file new entries for their organisation (or, the bureau, for any).
fn may_create(user: &ConsoleUser) -> Result<(), ConsoleError> {
    user.principal
        .check_create(user.principal.org_id)
        .map_err(|_| ConsoleError::Refused)
}

pub async fn new_form(
    State(state): State<AppState>,
    user: ConsoleUser,
) -> Result<Response, ConsoleError> {
    may_create(&user)?;
    let mut draft = Draft::default();
    for (field, value) in [
        ("provider_code", own_code(&state, &user).await?),
        (
            "format_category",
            FormatCategory::Database.code().to_string(),
        ),
        (
            "sharing_type",
            SharingType::Unconditional.code().to_string(),
        ),
        ("sharing_method", SharingMethod::Api.code().to_string()),
        ("open_type", OpenType::Closed.code().to_string()),
        ("update_cycle", UpdateCycle::Daily.code().to_string()),
    ] {
        draft.values.insert(field.to_string(), value);
    }
    show(&state, &user, Mode::New, draft, BTreeMap::new()).await
}

/// Reads a posted form: the token first, then the draft.
fn read_posted(
    user: &ConsoleUser,
    headers: &HeaderMap,
    body: &str,
) -> Result<(Fields, Draft), ConsoleError> {
    let f = user.posted(headers, body)?;
    let draft = Draft::of_form(&f);
    Ok((f, draft))
}

pub async fn create(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let (f, mut draft) = read_posted(&user, &headers, &body)?;
    may_create(&user)?;
    if !user.principal.is_bureau() {
        draft
            .values
            .insert("provider_code".into(), own_code(&state, &user).await?);
    }
    if f.get("op") == "more" {
        return show(&state, &user, Mode::New, draft, BTreeMap::new()).await;
    }
    let (spec, read) = draft.to_spec();
    if !read.is_empty() {
        let found = problems(&spec, read);
        return show(&state, &user, Mode::New, draft, found).await;
    }
    match state
        .store
        .catalog
        .create_resource(&user.caller(), spec)
        .await
    {
        Ok(r) => {
            crate::routes::reindex(&state).await;
            Ok(Redirect::to(&format!("/console/catalog/{}?done=created", r.code)).into_response())
        }
        Err(e) => {
            let found = crate::console::form::problems_of(e, "version")?;
            show(&state, &user, Mode::New, draft, found).await
        }
    }
}

/// The entry `code` when the user may edit it now; refused (as if not there) otherwise.
async fn editable(
    state: &AppState,
    user: &ConsoleUser,
    class: &str,
    seq: &str,
) -> Result<Resource, ConsoleError> {
    let r = crate::console::entry::visible(state, user, class, seq).await?;
    user.principal
        .check_edit(r.owner_org_id, r.state)
        .map_err(|_| ConsoleError::Refused)?;
    Ok(r)
}

pub async fn edit_form(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((class, seq)): Path<(String, String)>,
) -> Result<Response, ConsoleError> {
    let r = editable(&state, &user, &class, &seq).await?;
    let draft = Draft::of_spec(&r.spec);
    show(&state, &user, Mode::Edit(&r), draft, BTreeMap::new()).await
}

pub async fn update(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((class, seq)): Path<(String, String)>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let (f, mut draft) = read_posted(&user, &headers, &body)?;
    let r = editable(&state, &user, &class, &seq).await?;
    // What the form shows but does not change.
    for (field, value) in [
        ("classification", &r.spec.classification),
        ("provider_code", &r.spec.provider_code),
    ] {
        draft.values.insert(field.into(), value.clone());
    }
    if f.get("op") == "more" {
        return show(&state, &user, Mode::Edit(&r), draft, BTreeMap::new()).await;
    }
    let (spec, read) = draft.to_spec();
    if !read.is_empty() {
        let found = problems(&spec, read);
        return show(&state, &user, Mode::Edit(&r), draft, found).await;
    }
    let version = f.get("version").trim().parse::<i64>().ok();
    match state
        .store
        .catalog
        .update_resource(&user.caller(), &r.code, spec, version)
        .await
    {
        Ok(saved) => {
            crate::routes::reindex(&state).await;
            Ok(
                Redirect::to(&format!("/console/catalog/{}?done=saved", saved.code))
                    .into_response(),
            )
        }
        Err(e) => {
            let found = crate::console::form::problems_of(e, "version")?;
            show(&state, &user, Mode::Edit(&r), draft, found).await
        }
    }
}

/// The live check: the posted form's problems, without saving, as a summary and one
/// out-of-band fragment per field of the form (empty where nothing is wrong). Item
/// problems are placed on the row where the user sees the item, however the rows are
/// numbered.
pub async fn check(
    State(state): State<AppState>,
    user: ConsoleUser,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ConsoleError> {
    let (f, mut draft) = read_posted(&user, &headers, &body)?;
    may_create(&user)?;
    if !user.principal.is_bureau() && f.get("version").is_empty() {
        draft
            .values
            .insert("provider_code".into(), own_code(&state, &user).await?);
    }
    let (spec, read) = draft.to_spec();
    let shown: BTreeMap<String, String> = problems(&spec, read)
        .into_iter()
        .map(|(field, reason)| (draft.on_screen(&field), reason))
        .collect();
    let rows = f.all("item_name").len();
    let mut places: Vec<String> = crate::console::draft::FIELDS
        .iter()
        .map(|(k, _)| k.to_string())
        .chain(["items", "themes", "secret", "code", "version"].map(String::from))
        .collect();
    for row in 0..rows {
        for part in ["name", "column", "data_type", "length"] {
            places.push(format!("items[{row}].{part}"));
        }
    }
    let summary: Vec<_> = shown
        .iter()
        .map(|(field, reason)| context! { label => label_of(field), reason })
        .collect();
    let body = TEMPLATES
        .get_template("entry_check.html")
        .and_then(|t| t.render(context! { summary, places, problems => shown }))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(crate::console::guarded(Html(body).into_response()))
}
