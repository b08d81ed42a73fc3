//! Data steps of migrations: what SQL alone cannot say (tables made at run time, a
//! count of rows written before). Each is frozen with its migration: it uses nothing
//! but the connection and its own text, never the rooms' code of today, and its
//! source is checksummed like the SQL (see `Step`). A step is never edited in what it
//! does; a change is a new migration. When the code around it changes so that its text
//! must follow (the connection's API), the edited step keeps the checksums of its
//! earlier texts in `earlier`, with the reason, so that databases that ran them open.

use crate::db::conn::Conn;
use crate::error::Result;

/// A step and its own source text (checksummed).
pub struct Step {
    pub run: fn(&mut dyn Conn) -> Result<()>,
    pub source: &'static str,
    /// Checksums of earlier texts of this step that did the same to the data.
    pub earlier: &'static [&'static str],
}

pub mod count_calls;
pub mod feed_columns;

pub const FEED_COLUMNS: Step = Step {
    run: feed_columns::run,
    source: include_str!("feed_columns.rs"),
    // Until 2026-12-07 it read its two columns by position (`row.text(0)`,
    // `row.i64(1)`); rows are read by name since. The same statements, the same writes.
    earlier: &["3ccfb7fbe2b3dc7aa4f88cbde08b279b0732d2a6038c6653eb86f5fc12b951ad"],
};

pub const COUNT_CALLS_POSTGRES: Step = Step {
    run: count_calls::on_postgres,
    source: include_str!("count_calls.rs"),
    earlier: &[],
};

pub const COUNT_CALLS_AUDIT_FILE: Step = Step {
    run: count_calls::in_audit_file,
    source: include_str!("count_calls.rs"),
    earlier: &[],
};
