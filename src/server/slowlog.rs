//! Recording slow commands, with the client's address and name, into this
//! core's slow log and latency monitor.

use super::client::Client;
use crate::command::spec::flags;
use crate::command::CommandSpec;
use crate::metrics::slowlog::SlowEntry;
use bytes::Bytes;
use std::sync::atomic::Ordering;

/// Logs the command if it ran for at least slowlog-log-slower-than
/// microseconds, and feeds the latency monitor.
pub fn maybe_record(c: &Client, cmd: &CommandSpec, args: &[Bytes], micros: u64) {
    note_latency(c, cmd, micros);
    let slower_than = c.shard.settings.borrow().slowlog_log_slower_than;
    if slower_than < 0 || (micros as i64) < slower_than || cmd.has(flags::SKIP_SLOWLOG) {
        return;
    }
    record(c, cmd, args.to_vec(), micros);
}

/// Feeds the latency monitor's "command" / "fast-command" events.
pub fn note_latency(c: &Client, cmd: &CommandSpec, micros: u64) {
    let latency_ms = c.shard.settings.borrow().latency_monitor_threshold;
    if latency_ms > 0 && micros / 1000 >= latency_ms {
        let event = if cmd.has(flags::FAST) { "fast-command" } else { "command" };
        let now = crate::shard::expire::now_ms() / 1000;
        c.shard.latency.borrow_mut().add(event, now, micros / 1000);
    }
}

/// Adds an entry to the slow log unconditionally, secrets redacted.
pub fn record(c: &Client, cmd: &CommandSpec, args: Vec<Bytes>, micros: u64) {
    let args = super::redact::redacted(cmd, &args).unwrap_or(args);
    let (addr, name) = {
        let m = c.meta.borrow();
        let name = m.name.as_ref().map(|n| String::from_utf8_lossy(n).into_owned()).unwrap_or_default();
        (m.addr.clone(), name)
    };
    let max_len = c.shard.settings.borrow().slowlog_max_len;
    let entry = SlowEntry {
        id: c.shard.shared.slowlog_next_id.fetch_add(1, Ordering::Relaxed),
        time: crate::shard::expire::now_ms() / 1000,
        micros,
        args,
        addr,
        name,
    };
    c.shard.slowlog.borrow_mut().push(entry, max_len);
}
