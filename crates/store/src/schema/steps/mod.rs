//! Data steps of migrations: what SQL alone cannot say (tables made at run time, a
//! count of rows written before). Each is frozen with its migration: it uses nothing
//! but the connection and its own text, never the rooms' code of today, and its
//! source is checksummed like the SQL (see `Step`). A step is never edited; a change
//! is a new migration.

use crate::db::conn::Conn;
use crate::error::Result;

/// A step and its own source text (checksummed).
pub struct Step {
    pub run: fn(&mut dyn Conn) -> Result<()>,
    pub source: &'static str,
}

pub mod count_calls;
pub mod feed_columns;

pub const FEED_COLUMNS: Step = Step {
    run: feed_columns::run,
    source: include_str!("feed_columns.rs"),
};

pub const COUNT_CALLS_POSTGRES: Step = Step {
    run: count_calls::on_postgres,
    source: include_str!("count_calls.rs"),
};

pub const COUNT_CALLS_AUDIT_FILE: Step = Step {
    run: count_calls::in_audit_file,
    source: include_str!("count_calls.rs"),
};
