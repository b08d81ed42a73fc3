//! Department data pools (部门数据池): one table per data-backed resource, filled by
//! batches that are checked on one thread and written on another, with a change feed.

pub mod batch;
pub mod check;
pub mod column_failure;
pub mod held;
pub mod ingest;
pub mod key_filter;
pub mod tables;
pub mod write;
