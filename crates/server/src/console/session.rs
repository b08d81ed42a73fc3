//! The console's sign-in: a session cookie holding the same kind of token the API's
//! bearer sign-in hands out (stored only as its SHA-256), and a form token derived from
//! it that every form posts back. The cookie is `HttpOnly` and `SameSite=Lax`, `Secure`
//! when the request came over TLS, and it is read by the console alone: the JSON API
//! takes bearer tokens only, so a page elsewhere cannot make a browser call the API
//! with it.

use crate::AppState;
use crate::auth::token_hash;
use crate::console::ConsoleError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use govshare_domain::access::Principal;
use govshare_store::Caller;

/// The session cookie.
pub const SESSION: &str = "gs_console";
/// The sign-in form's own token (the form is posted before any session exists).
pub const SIGN_IN: &str = "gs_sign_in";

/// A cookie's value in the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty() && v.len() <= 256)
}

/// Whether the browser reached the server over TLS (a proxy in front says so).
fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

/// A `Set-Cookie` value for the console's path; `max_age` 0 removes the cookie.
pub fn set_cookie(request: &HeaderMap, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if over_tls(request) { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/console; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The form token of a session (or of a sign-in form's cookie).
pub fn form_token(secret: &str) -> String {
    token_hash(&format!("console-form:{secret}"))[..32].to_string()
}

/// Whether two tokens are equal, in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// Refuses a form posted from another site (its `Origin`, which browsers send with
/// every POST, must name this host) or carrying a token that is not `expected`.
pub fn check_form(headers: &HeaderMap, expected: &str, posted: &str) -> Result<(), ConsoleError> {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        let origin = origin.to_str().unwrap_or_default();
        let origin_host = origin.split_once("://").map_or("", |(_, h)| h);
        if host.is_empty() || origin_host != host {
            return Err(ConsoleError::StaleForm);
        }
    }
    if same(expected, posted) {
        Ok(())
    } else {
        Err(ConsoleError::StaleForm)
    }
}

/// A form that carries nothing but the session's token (sign-out, checks).
#[derive(serde::Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub form_token: String,
}

/// The signed-in console user; a request without a live session is sent to sign in.
pub struct ConsoleUser {
    pub principal: Principal,
    /// The token every form of this session posts back.
    pub form_token: String,
    /// The SHA-256 of the session's token.
    pub session: String,
}

impl ConsoleUser {
    pub fn caller(&self) -> Caller {
        Caller::User(self.principal.clone())
    }

    /// Refuses a form that is not this session's.
    pub fn check_form(&self, headers: &HeaderMap, posted: &str) -> Result<(), ConsoleError> {
        check_form(headers, &self.form_token, posted)
    }

    /// A posted form's fields, once it is known to be this session's own.
    pub fn posted(
        &self,
        headers: &HeaderMap,
        body: &str,
    ) -> Result<crate::console::form::Fields, ConsoleError> {
        let f = crate::console::form::Fields::parse(body);
        self.check_form(headers, f.get("form_token"))?;
        Ok(f)
    }
}

/// Where to come back to after signing in: the page asked for, if it is a console page.
pub fn back_to(parts: &Parts) -> String {
    let asked = parts
        .uri
        .path_and_query()
        .map_or("/console/", |p| p.as_str());
    safe_next(asked).to_string()
}

/// `next` if it is a path of the console (never another site), else the workbench.
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with("/console/")
        && !next.contains("//")
        && !next.contains('\\')
        && next.len() <= 512;
    if ok { next } else { "/console/" }
}

impl FromRequestParts<AppState> for ConsoleUser {
    type Rejection = ConsoleError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = cookie(&parts.headers, SESSION) else {
            return Err(ConsoleError::SignIn(back_to(parts)));
        };
        let session = token_hash(token);
        let principal = state
            .store
            .orgs
            .session_principal(session.clone())
            .await?
            .ok_or_else(|| ConsoleError::SignIn(back_to(parts)))?;
        crate::audit_net::note_caller(crate::audit_net::Who::User {
            name: principal.username.clone(),
            org_id: principal.org_id,
        });
        Ok(ConsoleUser {
            form_token: form_token(token),
            principal,
            session,
        })
    }
}

/// `text` with every byte but unreserved ones percent-encoded (for a query value).
pub fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
