//! Repository code: one module per stored concept, each with synchronous functions
//! over `&mut dyn Conn` and the async `Store` methods that call them.

pub mod apps;
pub mod audit;
pub mod caller;
pub mod changes;
pub mod classes;
pub mod corrections;
pub mod edit;
pub mod files;
pub mod held_rows;
pub mod history;
pub mod import;
pub mod ingest;
pub mod key_filter;
pub mod orgs;
pub mod page;
pub(crate) mod parties;
pub mod pool_check;
pub mod pool_write;
pub mod pools;
pub mod registrations;
pub mod requests;
mod resource_write;
pub mod resources;
pub(crate) mod secrets;
pub mod served;
pub mod share_cache;
pub mod share_calls;
pub mod share_query;
pub mod share_stats;
pub mod sharing;
pub mod themes;
pub mod users;
