//! Sign-in with argon2-hashed passwords; bearer tokens are random, shown once and
//! stored only as SHA-256 hashes. Extractors give handlers the caller.

use crate::AppState;
use crate::app_keys::Cached;
use crate::error::{ApiError, ApiResult};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use govshare_domain::access::Principal;
pub use govshare_domain::password::{hash_password, new_token, token_hash, verify_password};
use govshare_store::Caller;
use govshare_store::org::apps::StoredKey;
use std::sync::Arc;

/// The hash an unknown username's password is checked against (made once, with the
/// same parameters as every stored hash, so that both paths cost one verification).
pub fn unknown_user_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&new_token()).unwrap_or_default())
}

fn bearer(parts: &Parts) -> ApiResult<Option<&str>> {
    let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ApiError::Unauthorized)?;
    match value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
    {
        Some(t) if !t.trim().is_empty() && t.len() <= 256 => Ok(Some(t.trim())),
        _ => Err(ApiError::Unauthorized),
    }
}

/// The caller if signed in; anonymous callers pass as `None`. A token that is
/// present but wrong or expired is refused rather than treated as anonymous.
pub struct MaybeUser(pub Option<Principal>);

/// A signed-in caller (401 otherwise).
pub struct User(pub Principal);

impl MaybeUser {
    pub fn caller(&self) -> Caller {
        self.0.clone().map_or(Caller::Public, Caller::User)
    }
}

impl User {
    pub fn caller(&self) -> Caller {
        Caller::User(self.0.clone())
    }
}

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let Some(token) = bearer(parts)? else {
            return Ok(MaybeUser(None));
        };
        let principal = state
            .store
            .orgs
            .session_principal(token_hash(token))
            .await?;
        let p = principal.ok_or(ApiError::Unauthorized)?;
        crate::audit_net::note_caller(crate::audit_net::Who::User {
            name: p.username.clone(),
            org_id: p.org_id,
        });
        Ok(MaybeUser(Some(p)))
    }
}

impl FromRequestParts<AppState> for User {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        match MaybeUser::from_request_parts(parts, state).await?.0 {
            Some(p) => Ok(User(p)),
            None => Err(ApiError::Unauthorized),
        }
    }
}

/// A new app key, shown once: `gsk_<prefix>_<secret>` (a 32-bit public prefix to find
/// it by, 256 secret bits). Returns the key, its prefix and its SHA-256.
pub fn new_app_key() -> (String, String, String) {
    use rand::RngCore;
    let mut prefix = [0u8; 4];
    rand::rng().fill_bytes(&mut prefix);
    let prefix = hex::encode(prefix);
    let key = format!("gsk_{prefix}_{}", new_token());
    let hash = token_hash(&key);
    (key, prefix, hash)
}

/// Compares two equal-length byte strings in time independent of where they differ.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Keeps the stored key just read; 401 when the database has none by that prefix.
fn remember(state: &AppState, prefix: &str, found: Option<StoredKey>) -> ApiResult<Arc<StoredKey>> {
    let Some(k) = found else {
        state.app_keys.forget(prefix);
        return Err(ApiError::Unauthorized);
    };
    let k = Arc::new(k);
    state.app_keys.put(prefix, k.clone());
    Ok(k)
}

/// A consumer system calling with its key (`X-Api-Key: gsk_…`); 401 otherwise.
pub struct App(pub govshare_store::org::apps::AppPrincipal);

impl FromRequestParts<AppState> for App {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let key = parts
            .headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .ok_or(ApiError::Unauthorized)?;
        let prefix = key
            .strip_prefix("gsk_")
            .and_then(|rest| rest.split_once('_'))
            .map(|(p, _)| p)
            .filter(|p| p.len() == 8 && key.len() <= 128)
            .ok_or(ApiError::Unauthorized)?;
        let stored = match state.app_keys.get(prefix) {
            Cached::Fresh(k) => k,
            Cached::Refresh(k) => match state.store.orgs.app_key(prefix).await {
                Ok(found) => remember(state, prefix, found)?,
                // Still within its time: used until it expires; calls then read it.
                Err(_) => k,
            },
            Cached::Missing => remember(state, prefix, state.store.orgs.app_key(prefix).await?)?,
        };
        let now = govshare_store::now();
        let live = stored.revoked_at.is_none()
            && stored
                .expires_at
                .as_deref()
                .is_none_or(|e| e > now.as_str());
        if !same_bytes(token_hash(key).as_bytes(), stored.key_hash.as_bytes()) || !live {
            return Err(ApiError::Unauthorized);
        }
        crate::audit_net::note_caller(crate::audit_net::Who::App(stored.clone()));
        if let Some(secs) = state.app_limits.wait(stored.app.app_id) {
            return Err(ApiError::RateLimited(secs));
        }
        Ok(App(stored.app.clone()))
    }
}
