//! Department data pools (部门数据池): one table per data-backed resource, filled by
//! batches that are checked on one thread and written on another, with a change feed.

pub mod batch;
pub mod check;
pub mod column_failure;
pub mod held;
pub mod history;
pub mod ingest;
pub mod key_filter;
pub mod loads;
pub mod staged;
pub mod tables;
pub mod write;

use crate::capability::capability;
use crate::pool::batch::{Batch, BatchReport};
use crate::pool::history::BatchInfo;
use crate::pool::ingest::Quarantine;
use crate::pool::tables::{PoolChange, PoolInfo, Quota};
use crate::{Caller, Result};
use govshare_domain::pool::{Check, Selection};

capability! {
    /// The data pools as the server and the command line use them.
    pub trait PoolStore {
        /// Checks and writes a batch: whole or not at all, refused rows held back.
        async fn ingest(&self, caller: &Caller, batch: Batch) -> Result<BatchReport>;
        /// The rows a batch held back, with their reasons.
        async fn quarantine(&self, caller: &Caller, batch_id: i64) -> Result<Quarantine>;
        async fn pool(&self, caller: &Caller, code: &str) -> Result<PoolInfo>;
        /// The pool's last batches, newest first, for its owner and the bureau.
        async fn batches(&self, caller: &Caller, code: &str, limit: i64) -> Result<Vec<BatchInfo>>;
        async fn set_pool_checks(
            &self,
            caller: &Caller,
            code: &str,
            checks: Vec<(String, Vec<Check>)>,
        ) -> Result<PoolInfo>;
        async fn set_pool_selection(&self, caller: &Caller, code: &str, selection: Selection) -> Result<PoolInfo>;
        /// The pool's change feed, for its owner.
        async fn pool_changes(&self, caller: &Caller, code: &str, since: i64, limit: i64) -> Result<Vec<PoolChange>>;
        async fn set_quota(
            &self,
            caller: &Caller,
            org_code: &str,
            max_rows: Option<i64>,
            max_bytes: Option<i64>,
        ) -> Result<Quota>;
        async fn quota(&self, caller: &Caller, org_code: &str) -> Result<Quota>;
    }
}
