//! The `govshare` command: configuration, the demo city, and the subcommands that
//! operate a node (serve, demo, catalog import/export, healthcheck, users).

pub mod commands;
pub mod config;
