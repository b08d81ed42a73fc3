//! The govshare domain: types and rules of the government information resource
//! catalog. Nothing here does I/O; storage and HTTP layers call into it to decide.

pub mod access;
pub mod audit;
pub mod classification;
pub mod error;
pub mod ids;
pub mod item;
pub mod labels;
pub mod lifecycle;
pub mod org;
pub mod password;
pub mod pool;
pub mod region;
pub mod resource;
pub mod rules;
pub mod sharing;
pub mod theme;

pub use error::{Error, Problem, Result};
