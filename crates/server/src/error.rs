//! The HTTP layer's one error type and its exhaustive mapping to status codes and
//! JSON bodies: a stable code, a Chinese message and, for invalid input, the problems.
//! Internal causes are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use govshare_domain::Error as DomainError;
use govshare_store::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("未登录或登录已过期 (unauthorized)")]
    Unauthorized,
    #[error("{0}")]
    BadRequest(String),
    #[error("请求体过大 (payload too large): 上限 {0} 字节")]
    TooLarge(usize),
    #[error("查询字符串过长 (URI too long): 上限 {0} 字符")]
    UriTooLong(usize),
    /// A file that could not be read, with the place of each problem.
    #[error("文件有误 (invalid file)")]
    InvalidFile(Vec<govshare_interchange::Location>),
    #[error("尝试过于频繁，请 {0} 秒后再试 (too many attempts)")]
    TooManyAttempts(u64),
    #[error("调用过于频繁，请 {0} 秒后再试 (rate limited)")]
    RateLimited(u64),
    #[error("服务暂不可用 (service unavailable)")]
    Unavailable(String),
    /// The audit log could not be written: data calls stop until it can.
    #[error("审计日志无法写入，数据服务暂停 (audit log unavailable: failing closed)")]
    AuditUnavailable,
    #[error("服务器内部错误 (internal error)")]
    Internal(String),
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid_input`, `not_found`.
    pub code: &'static str,
    /// Human-readable message (Chinese, with English in brackets).
    pub message: String,
    /// For `invalid_input`: each problem with its field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<crate::wire::Problem>,
    /// For `invalid_file`: each problem with its sheet, row and column.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<crate::wire::Location>,
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => ApiError::Domain(d),
            StoreError::Unique(c) => {
                ApiError::Domain(DomainError::Conflict(format!("记录已存在 ({c})")))
            }
            StoreError::Db(m) => ApiError::Internal(m),
            e @ StoreError::Driver { .. } => {
                let cause = std::error::Error::source(&e).map(ToString::to_string);
                tracing::debug!(error = %e, cause = ?cause, "database driver error");
                ApiError::Internal(e.to_string())
            }
            StoreError::Unavailable(m) => ApiError::Unavailable(m),
            e @ StoreError::Journal(_) => ApiError::Unavailable(e.to_string()),
        }
    }
}

impl From<govshare_search::SearchError> for ApiError {
    fn from(e: govshare_search::SearchError) -> Self {
        match e {
            govshare_search::SearchError::BadQuery(m) => ApiError::BadRequest(m),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl ApiError {
    /// The message with the cause a client is not shown (for the operator: startup
    /// errors, logs).
    pub fn with_cause(&self) -> String {
        match self {
            ApiError::Unavailable(m) | ApiError::Internal(m) => format!("{self}: {m}"),
            other => other.to_string(),
        }
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        self.status_and_code().0
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Domain(DomainError::Invalid(_)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input")
            }
            ApiError::Domain(DomainError::NotFound { .. }) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Domain(DomainError::Conflict(_)) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Domain(DomainError::Forbidden(_)) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::Domain(DomainError::Exhausted(_)) => {
                (StatusCode::TOO_MANY_REQUESTS, "grant_quota_exhausted")
            }
            ApiError::Domain(DomainError::QuotaExceeded(_)) => {
                (StatusCode::CONFLICT, "quota_exceeded")
            }
            ApiError::Domain(DomainError::BadCursor(_)) => (StatusCode::BAD_REQUEST, "bad_cursor"),
            ApiError::Domain(DomainError::ProbeLimit(_)) => {
                (StatusCode::TOO_MANY_REQUESTS, "probe_limit_reached")
            }
            ApiError::Domain(DomainError::IllegalTransition { .. }) => {
                (StatusCode::CONFLICT, "illegal_transition")
            }
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::UriTooLong(_) => (StatusCode::URI_TOO_LONG, "uri_too_long"),
            ApiError::InvalidFile(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_file"),
            ApiError::TooManyAttempts(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
            ApiError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::AuditUnavailable => (StatusCode::SERVICE_UNAVAILABLE, "audit_unavailable"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// When a client may try again after a 503 (the database or the audit log away).
pub const RETRY_UNAVAILABLE_SECS: u64 = 5;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        match &self {
            ApiError::Internal(cause) => tracing::error!(%cause, "internal error"),
            ApiError::Unavailable(cause) => tracing::warn!(%cause, "unavailable"),
            _ => {}
        }
        let message = self.to_string();
        let note = message.clone();
        let retry_after = match &self {
            ApiError::TooManyAttempts(secs) | ApiError::RateLimited(secs) => Some(*secs),
            ApiError::Unavailable(_) | ApiError::AuditUnavailable => Some(RETRY_UNAVAILABLE_SECS),
            _ => None,
        };
        let (problems, locations) = match self {
            ApiError::Domain(DomainError::Invalid(p)) => (p, vec![]),
            ApiError::InvalidFile(l) => (vec![], l),
            _ => (vec![], vec![]),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code,
                message,
                problems: crate::wire::all(problems),
                locations: crate::wire::all(locations),
            },
        };
        let mut resp = (status, axum::Json(body)).into_response();
        resp.extensions_mut()
            .insert(crate::audit_net::ErrorNote(note));
        if let Some(secs) = retry_after {
            resp.headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from(secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                "www-authenticate",
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
