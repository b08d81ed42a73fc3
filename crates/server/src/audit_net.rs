//! The audit net: every accountable call leaves exactly one audit entry, also when no
//! handler got to write one — a key that is unknown, malformed, revoked or expired, a
//! body that is not valid JSON, a refused write, a throttled sign-in. Handlers that
//! audit what they did (with what was served) mark the call as audited; the net writes
//! an entry for every accountable call that is not marked, naming who called as far as
//! it is known (an app key by its public prefix only, never the secret).
//!
//! Accountable: every call made with an app key, every write, and every refusal of the
//! API (401, 403, 429).

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use govshare_store::audit::log::AuditEntry;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Who made the call, as far as the extractors found out.
#[derive(Clone)]
pub enum Who {
    User {
        name: String,
        org_id: i64,
    },
    /// The app's stored key (shared, so that noting it costs no copy).
    App(std::sync::Arc<govshare_store::org::apps::StoredKey>),
}

#[derive(Default)]
pub struct Note {
    audited: AtomicBool,
    who: Mutex<Option<Who>>,
}

tokio::task_local! {
    static CALL: Note;
}

/// Marks the current call as audited (its handler wrote its entry).
pub fn mark_audited() {
    let _ = CALL.try_with(|n| n.audited.store(true, Ordering::Relaxed));
}

/// Records who the current call is from.
pub fn note_caller(who: Who) {
    let _ = CALL.try_with(|n| {
        *n.who.lock().unwrap_or_else(|e| e.into_inner()) = Some(who);
    });
}

/// The message of an error answer, kept for the net's entry.
#[derive(Clone)]
pub struct ErrorNote(pub String);

fn accountable(method: &Method, app_call: bool, status: StatusCode) -> bool {
    app_call || *method != Method::GET || matches!(status.as_u16(), 401 | 403 | 429)
}

fn outcome(status: StatusCode) -> &'static str {
    match status.as_u16() {
        200..=299 => "ok",
        401 => "unauthorized",
        403 => "denied",
        404 => "not_found",
        409 => "conflict",
        429 => "throttled",
        400..=499 => "invalid",
        _ => "failed",
    }
}

/// An app key's public prefix, when the header has the shape of a key at all.
fn key_prefix(key: Option<&axum::http::HeaderValue>) -> Option<String> {
    let key = key?;
    let prefix = key
        .to_str()
        .ok()
        .and_then(|k| k.trim().strip_prefix("gsk_"))
        .and_then(|rest| rest.split_once('_'))
        .map(|(p, _)| p)
        .filter(|p| p.len() == 8 && p.bytes().all(|b| b.is_ascii_hexdigit()));
    Some(match prefix {
        Some(p) => format!("key:gsk_{p}"),
        None => "key:(malformed)".into(),
    })
}

/// `class/seq` of a path about one resource.
fn resource_of(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        [
            "",
            "api",
            "v1",
            "share" | "pools" | "resources" | "files",
            class,
            seq,
            ..,
        ] if class.len() == 6 && class.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{class}/{seq}")
        }
        _ => String::new(),
    }
}

pub async fn audit_unrecorded(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // The API and the console: what people and apps do, and what they were refused.
    let path = req.uri().path();
    if !(path.starts_with("/api/v1/") || path.starts_with("/console/")) {
        return next.run(req).await;
    }
    let method = req.method().clone();
    let uri = req.uri().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let key = req.headers().get("x-api-key").cloned();
    let (response, note) = CALL
        .scope(Note::default(), async move {
            let response = next.run(req).await;
            let note = CALL.with(|n| {
                (
                    n.audited.load(Ordering::Relaxed),
                    n.who.lock().unwrap_or_else(|e| e.into_inner()).clone(),
                )
            });
            (response, note)
        })
        .await;
    let (audited, who) = note;
    let status = response.status();
    if audited || !accountable(&method, key.is_some(), status) {
        return response;
    }
    let (actor, app_id, org_id) = match who {
        Some(Who::App(k)) => (k.app.name.clone(), Some(k.app.app_id), Some(k.app.org_id)),
        Some(Who::User { name, org_id }) => (name, None, Some(org_id)),
        None => (
            key_prefix(key.as_ref()).unwrap_or_else(|| "anonymous".into()),
            None,
            None,
        ),
    };
    let message = response
        .extensions()
        .get::<ErrorNote>()
        .map(|n| n.0.clone())
        .unwrap_or_default();
    let entry = AuditEntry {
        actor,
        app_id,
        org_id,
        action: format!(
            "http {method} {}",
            route.as_ref().map_or("(no route)", MatchedPath::as_str)
        ),
        resource_code: resource_of(uri.path()),
        outcome: outcome(status).into(),
        detail: format!(
            "{} {}{}",
            status.as_u16(),
            uri.path(),
            if message.is_empty() {
                String::new()
            } else {
                format!(" {message}")
            }
        ),
        ..Default::default()
    };
    match state.audit.record(entry).await {
        Ok(()) => response,
        // An answer that would leave no trace does not leave.
        Err(e) if status.is_success() => e.into_response(),
        Err(_) => response,
    }
}
