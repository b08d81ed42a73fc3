//! The drivers: what talks to SQLite and PostgreSQL. The `Conn` trait repository code
//! is written against, each backend's connections and transactions, the PostgreSQL
//! point reader, the connection sets they draw from, and the audit journal files.
//! Nothing here knows a table of the rooms: what a driver needs from them is handed in.

pub mod conn;
pub(crate) mod connections;
pub mod journal;
pub(crate) mod pg_point;
pub(crate) mod pg_value;
pub(crate) mod postgres;
pub(crate) mod sqlite;
