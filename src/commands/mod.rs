//! Command families, one file each (Redis's groups). Each family lists its
//! commands in a `commands()` function; `all()` gathers them into the table.

use crate::command::CommandSpec;

pub mod bitfield;
pub mod bitmap;
pub mod client;
pub mod command;
pub mod connection;
pub mod counters;
pub mod debug;
pub mod dump;
pub mod expire;
pub mod function;
pub mod geo;
pub mod hashes;
pub mod help;
pub mod hyperloglog;
pub mod info;
pub mod keys;
pub mod latency;
pub mod lcs;
pub mod lists;
pub mod lolwut;
pub mod memory;
pub mod monitor;
pub mod object;
pub mod scan;
pub mod server;
pub mod sets;
pub mod slowlog;
pub mod sort;
pub mod stream_groups;
pub mod stream_info;
pub mod streams;
pub mod strings;
pub mod transactions;
pub mod util;
pub mod zset_blocking;
pub mod zset_ranges;
pub mod zset_setops;
pub mod zsets;

/// Every command Clover implements.
pub fn all() -> Vec<CommandSpec> {
    let mut v = Vec::new();
    v.extend(connection::commands());
    v.extend(client::commands());
    v.extend(command::commands());
    v.extend(debug::commands());
    v.extend(latency::commands());
    v.extend(slowlog::commands());
    v.extend(function::commands());
    v.extend(info::commands());
    v.extend(memory::commands());
    v.extend(lolwut::commands());
    v.extend(monitor::commands());
    v.extend(keys::commands());
    v.extend(dump::commands());
    v.extend(expire::commands());
    v.extend(scan::commands());
    v.extend(object::commands());
    v.extend(server::commands());
    v.extend(strings::commands());
    v.extend(transactions::commands());
    v.extend(bitmap::commands());
    v.extend(lists::commands());
    v.extend(hyperloglog::commands());
    v.extend(zsets::commands());
    v.extend(streams::commands());
    v.extend(stream_groups::commands());
    v.extend(stream_info::commands());
    v.extend(sort::commands());
    v.extend(zset_blocking::commands());
    v.extend(geo::commands());
    v.extend(hashes::commands());
    v.extend(sets::commands());
    v
}
