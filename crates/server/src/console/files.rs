//! The files of a file-type entry (`/console/catalog/{class}/{seq}/files`): documents,
//! pictures and archives kept as numbered versions. Everyone who may see the entry
//! sees the versions (name, size, checksum, note, who and when); its own organisation
//! (and the bureau) uploads a new version and downloads any of them. Other
//! organisations read files under the sharing rules, through an app, not here. The
//! upload is the API's (`add_version`), which checks the same rules and audits it.

use crate::AppState;
use crate::console::entry::visible;
use crate::console::form::{problems_of, upload};
use crate::console::session::ConsoleUser;
use crate::console::{ConsoleError, render_form};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use govshare_domain::resource::Resource;
use govshare_store::catalog::files::NewFile;
use minijinja::context;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Whether the user keeps the entry's files (the store's rule for uploads).
fn keeps(user: &ConsoleUser, r: &Resource) -> bool {
    user.principal
        .check_edit(r.owner_org_id, govshare_domain::lifecycle::State::Draft)
        .is_ok()
}

async fn page(
    state: &AppState,
    user: &ConsoleUser,
    r: &Resource,
    problems: BTreeMap<String, String>,
    note: &str,
    done: bool,
) -> Result<Response, ConsoleError> {
    let versions: Vec<_> = state
        .store
        .catalog
        .files(&user.caller(), &r.code)
        .await?
        .into_iter()
        .map(|v| {
            context! {
                version => v.version, name => v.name, size => v.size, sha => v.sha256.chars().take(12).collect::<String>(),
                note => v.note, by => v.uploaded_by, at => v.uploaded_at,
            }
        })
        .collect();
    render_form(
        state,
        user,
        "files.html",
        context! {
            code => r.code.clone(), name => r.spec.name.clone(), versions, keeps => keeps(user, r),
            problems => problems.clone(), note, done,
            max_mib => govshare_interchange::MAX_FILE_BYTES / (1024 * 1024),
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
    page(&state, &user, &r, BTreeMap::new(), "", q.done == "uploaded").await
}

/// Stores the file posted as the entry's next version.
pub async fn add(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((class, seq)): Path<(String, String)>,
    headers: HeaderMap,
    form: Multipart,
) -> Result<Response, ConsoleError> {
    let posted = upload(form).await?;
    user.check_form(&headers, posted.fields.get("form_token"))?;
    let r = visible(&state, &user, &class, &seq).await?;
    if !keeps(&user, &r) {
        return Err(ConsoleError::Refused);
    }
    let note = posted.fields.get("note").trim().to_string();
    let mut problems = BTreeMap::new();
    if posted.bytes.is_empty() {
        problems.insert("file".to_string(), "请选择要上传的文件".to_string());
    }
    if note.chars().count() > 500 {
        problems.insert("note".to_string(), "版本说明不超过500个字".to_string());
    }
    if problems.is_empty() {
        let file = NewFile {
            name: posted.file_name,
            media_type: mime_of(&posted.media_type),
            note: note.clone(),
            content: posted.bytes,
        };
        match crate::routes::files::add_version(&state, &user.principal, &r.code, file).await {
            Ok(_) => {
                let to = format!("/console/catalog/{}/files?done=uploaded", r.code);
                return Ok(Redirect::to(&to).into_response());
            }
            Err(e) => problems = problems_of(e, "file")?,
        }
    }
    page(&state, &user, &r, problems, &note, false).await
}

/// The type a browser named, kept only when it is a plain `type/subtype`.
fn mime_of(claimed: &str) -> String {
    let plain = !claimed.is_empty()
        && claimed.len() <= 100
        && claimed.split('/').count() == 2
        && claimed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/.+-".contains(c));
    if plain {
        claimed.to_string()
    } else {
        "application/octet-stream".to_string()
    }
}

/// One version's bytes, for those who keep the entry's files.
pub async fn download(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((class, seq, version)): Path<(String, String, String)>,
) -> Result<Response, ConsoleError> {
    let r = visible(&state, &user, &class, &seq).await?;
    let version = crate::routes::files::version_in_path(&version)?;
    let (meta, content) = state
        .store
        .catalog
        .file_content(&user.caller(), &r.code, version)
        .await?;
    Ok(crate::console::guarded(
        crate::routes::files::file_response(&meta, content),
    ))
}
