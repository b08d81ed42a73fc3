//! The audit log (审计日志) and what is read from it: the hash chain and its checks,
//! the data calls counted as they are logged, and the sharing statistics.

pub mod calls;
pub mod chain;
pub mod log;
pub mod stats;
