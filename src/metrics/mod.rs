//! Observability: per-command statistics with latency histograms, error
//! statistics, the slow log and the latency monitor. Each core keeps its
//! own and INFO / SLOWLOG / LATENCY merge them.

pub mod instant;
pub mod latency;
pub mod memory;
pub mod slowlog;
pub mod stats;
