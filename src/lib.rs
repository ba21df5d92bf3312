//! Clover: a Redis-Cluster-compatible key-value server, thread-per-core on
//! io_uring (glommio). See ARCHITECTURE.md for how the pieces fit.

pub mod aof;
pub mod command;
pub mod commands;
pub mod config;
pub mod metrics;
pub mod persist;
pub mod rdb;
pub mod resp;
pub mod server;
pub mod shard;
pub mod util;
