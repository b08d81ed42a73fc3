//! The storage layer's error type: domain decisions pass through unchanged; database
//! failures keep their cause for the log, never for the client.

use govshare_domain::Error as DomainError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A unique constraint was violated (the message names the constraint).
    #[error("unique constraint violated: {0}")]
    Unique(String),
    #[error("database error: {0}")]
    Db(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The node's audit journal could not be read or written.
    #[error("审计暂存日志 (audit journal): {0}")]
    Journal(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, msg) = &e {
            if f.code == rusqlite::ErrorCode::ConstraintViolation
                && matches!(f.extended_code, 2067 | 1555)
            {
                return StoreError::Unique(msg.clone().unwrap_or_default());
            }
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) {
                return StoreError::Unavailable(e.to_string());
            }
        }
        StoreError::Db(e.to_string())
    }
}

/// A PostgreSQL error in words: the server's own message when there is one.
pub fn describe_pg(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{}: {}", db.code().code(), db.message());
    }
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            if *db.code() == postgres::error::SqlState::UNIQUE_VIOLATION {
                return StoreError::Unique(db.constraint().unwrap_or_default().to_string());
            }
            return StoreError::Db(format!("{}: {}", db.code().code(), db.message()));
        }
        if e.is_closed() {
            return StoreError::Unavailable(describe_pg(&e));
        }
        StoreError::Db(describe_pg(&e))
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Db(format!("stored JSON unreadable: {e}"))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
