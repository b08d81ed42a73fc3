//! Organisations, their users and sessions, their apps and keys, who is calling, and
//! the installation's own secrets.

pub mod apps;
pub mod caller;
pub mod orgs;
pub(crate) mod secrets;
pub mod users;
