//! govshare storage over SQLite (embedded, the default) or PostgreSQL. The crate is
//! laid out in layers and rooms:
//!
//! - `db`: the drivers. Connections, transactions, the `Conn` trait repository code
//!   is written against, the audit journal files. Imports nothing from the rooms.
//! - `schema`: the migrations, SQL and versioned data steps, for both backends.
//! - `store`: the `Store` handle that runs repository code on blocking threads.
//! - the rooms, one per concept: `catalog`, `pool`, `sharing`, `audit`, `org`. Each
//!   holds synchronous functions over `&mut dyn Conn` and the `Store` methods that
//!   call them.
//! - `value`, `error`, `page`: what every room shares.

pub mod audit;
mod capability;
pub mod catalog;
pub mod clock;
pub mod db;
pub mod error;
pub mod org;
pub mod page;
pub mod pool;
mod schema;
pub mod sharing;
mod store;
pub mod testing;
pub mod value;

pub use capability::Liveness;
pub use db::sqlite::audit_path;
pub use error::{Result, StoreError};
pub use org::caller::Caller;
pub use store::{DEFAULT_PROBE_LIMIT, Store};
pub use value::now;

/// Brings every capability into scope: `use govshare_store::prelude::*;`.
pub mod prelude {
    pub use crate::audit::{AuditChain, AuditStore};
    pub use crate::capability::Liveness;
    pub use crate::catalog::CatalogStore;
    pub use crate::org::OrgStore;
    pub use crate::pool::PoolStore;
    pub use crate::sharing::{SharingDuties, SharingReads};
}

#[cfg(test)]
mod tests {
    /// Stored times sort as text: fixed width, UTC, milliseconds.
    #[test]
    fn now_is_rfc3339_utc_with_milliseconds() {
        let t = super::now();
        assert_eq!(t.len(), 24, "{t}");
        assert!(
            t.ends_with('Z') && t.as_bytes()[10] == b'T' && t.as_bytes()[19] == b'.',
            "{t}"
        );
        assert!(chrono::DateTime::parse_from_rfc3339(&t).is_ok(), "{t}");
    }
}
