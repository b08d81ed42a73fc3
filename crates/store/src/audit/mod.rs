//! The audit log (审计日志) and what is read from it: the hash chain and its checks,
//! the data calls counted as they are logged, and the sharing statistics.

pub mod calls;
pub mod chain;
pub mod log;
pub mod stats;
pub mod visits;

use crate::Result;
use crate::audit::calls::Tally;
use crate::audit::log::{AuditFilter, AuditPlace, AuditScope, ChainReport};
use crate::audit::stats::ShareStats;
use crate::capability::capability;
use govshare_domain::access::Visibility;
use govshare_domain::audit::{AuditEntry, AuditRecord, ChainHead};

/// Signs a checkpoint's bytes (a type of its own so that the trait's lifetimes stay off it).
pub type Signer = Box<dyn FnOnce(&[u8]) -> String + Send + 'static>;

capability! {
    /// The audit log as the server reads and checks it.
    pub trait AuditStore {
        /// Registers a node's public key for its checkpoints.
        async fn register_audit_key(&self, node: &str, public: &str) -> Result<()>;
        /// Refuses to start a node whose chain does not go on from what is stored.
        async fn check_audit_resumes(&self, node: &str) -> Result<()>;
        /// Signs the chain's head (with `sign`) when it moved since the last checkpoint.
        async fn audit_checkpoint(
            &self,
            node: &str,
            sign: Signer,
        ) -> Result<Option<i64>>;
        async fn append_audit(&self, node: &str, entries: Vec<AuditEntry>) -> Result<()>;
        /// Moves a node's journal files into the log.
        async fn move_journal(&self, node: &str, dir: &std::path::Path) -> Result<usize>;
        /// Checks every node's chain.
        async fn verify_audit(&self) -> Result<Vec<ChainReport>>;
        async fn audit_entries(
            &self,
            scope: AuditScope,
            node: &str,
            filter: AuditFilter,
            before: Option<i64>,
            limit: i64,
        ) -> Result<Vec<AuditRecord>>;
        /// One entry with its place in its node's chain, if `scope` may read it.
        async fn audit_entry(
            &self,
            scope: AuditScope,
            node: &str,
            seq: i64,
        ) -> Result<Option<AuditPlace>>;
        /// Calls by department, resource and day, as `v` may see them.
        async fn share_stats(
            &self,
            v: Visibility,
            from: Option<chrono::NaiveDate>,
            to: Option<chrono::NaiveDate>,
        ) -> Result<ShareStats>;
    }
}

capability! {
    /// The audit writer's calls, made from its own thread.
    pub blocking trait AuditChain {
        fn audit_head_now(&self, node: &str) -> Result<ChainHead>;
        /// Writes records and the data calls they count, in one transaction.
        fn insert_audit_now(&self, records: &[AuditRecord], tally: Option<&Tally>) -> Result<()>;
        fn mark_audit_node_now(&self, node: &str) -> Result<()>;
        /// Moves journalled records into the log; the head after them.
        fn move_audit_now(&self, node: &str, records: &[AuditRecord]) -> Result<ChainHead>;
    }
}
