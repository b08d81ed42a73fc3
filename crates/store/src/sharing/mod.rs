//! Sharing (共享): registered uses, conditional requests and grants, the decided reads
//! kept in memory, lookups, verifications, queries and change feeds as served, and
//! error reports. Who is party to each record.

pub mod cache;
pub mod corrections;
pub mod decide;
pub mod decided;
pub mod filters;
pub(crate) mod parties;
pub mod query;
pub mod reads;
pub mod registrations;
pub mod requests;
pub mod served;
