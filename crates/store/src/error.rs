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
    /// A failure of the database driver (or of stored data it read), with the driver's
    /// own error kept as the source for the log.
    #[error("database error: {message}")]
    Driver {
        message: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The node's audit journal could not be read or written.
    #[error("审计暂存日志 (audit journal): {0}")]
    Journal(String),
}

impl StoreError {
    /// A driver's failure, described and kept.
    fn driver(message: String, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Driver {
            message,
            source: Box::new(source),
        }
    }
}

/// SQLite's extended result codes for a key already taken.
const SQLITE_UNIQUE: [i32; 2] = [
    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE,
    rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY,
];

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, msg) = &e {
            if f.code == rusqlite::ErrorCode::ConstraintViolation
                && SQLITE_UNIQUE.contains(&f.extended_code)
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
        StoreError::driver(e.to_string(), e)
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
            let message = format!("{}: {}", db.code().code(), db.message());
            return StoreError::driver(message, e);
        }
        if e.is_closed() {
            return StoreError::Unavailable(describe_pg(&e));
        }
        StoreError::driver(describe_pg(&e), e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::driver(format!("stored JSON unreadable: {e}"), e)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_errors_keep_their_source_and_unique_codes_are_named() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (k TEXT PRIMARY KEY, u TEXT UNIQUE); INSERT INTO t VALUES ('a', 'x')",
        )
        .unwrap();
        for dup in [
            "INSERT INTO t VALUES ('a', 'y')",
            "INSERT INTO t VALUES ('b', 'x')",
        ] {
            let e = StoreError::from(conn.execute(dup, []).unwrap_err());
            assert!(matches!(e, StoreError::Unique(_)), "{dup}: {e:?}");
        }
        let e = StoreError::from(conn.execute("SELECT * FROM missing", []).unwrap_err());
        let source = std::error::Error::source(&e).expect("the driver's error is kept");
        assert!(source.to_string().contains("missing"), "{source}");
        assert!(e.to_string().starts_with("database error"), "{e}");
    }
}
