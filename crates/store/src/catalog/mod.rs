//! The catalog (资源目录): classification, entries and their items, writes with their
//! checks, lifecycle moves, history, the change feed, whole-catalog imports, themes,
//! and the files of file-type resources.

pub mod changes;
pub mod classes;
pub mod edit;
pub mod files;
pub mod history;
pub mod import;
pub mod resources;
pub mod themes;
mod write;
