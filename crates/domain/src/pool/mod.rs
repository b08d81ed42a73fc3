//! Department data pools (部门数据资源池): the rules that turn a submitted row into
//! typed values of a resource's information items — cleansing, type and length
//! checks, code lists and check digits — decided here, without I/O.

pub mod check;
pub mod cleanse;
pub mod codes;
pub mod schema;
pub mod select;
pub mod value;

pub use check::{Check, Finding, infer_checks, settle_cell};
pub use schema::{Evolution, PoolColumn, PoolSchema};
pub use select::{RowRule, RuleOp, Selection};
pub use value::{CellValue, parse_cell};
