//! MONITOR: every command any client runs, as one line, pushed to the
//! monitoring clients of every shard. Every core knows how many monitors
//! exist anywhere; while there are none, a command costs one check of that
//! core-local count. Otherwise the lines a core's clients produce are
//! gathered and sent to every core in one message per pipeline flush.

use super::client::Client;
use super::shard::Shard;
use crate::command::spec::flags;
use crate::command::CommandSpec;
use bytes::{Bytes, BytesMut};
use glommio::channels::local_channel::{self, LocalReceiver, LocalSender};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// A monitoring client of this shard: its id and where its lines go.
struct Monitor {
    client: u64,
    lines: LocalSender<Bytes>,
}

/// One core's view of MONITOR: how many monitors all cores have, its own
/// monitoring clients, and the lines its clients produced since the last
/// flush.
#[derive(Default)]
pub struct Monitors {
    anywhere: Cell<usize>,
    clients: RefCell<Vec<Monitor>>,
    pending: RefCell<BytesMut>,
}

impl Monitors {
    /// Changes the count of monitors anywhere by `delta`.
    fn count(&self, delta: isize) {
        self.anywhere.set(self.anywhere.get().saturating_add_signed(delta));
    }
}

/// Makes `c` a monitor; its connection loop then also writes what arrives
/// on the returned receiver. Every core knows of it before this returns,
/// so the next command anywhere is seen.
pub async fn start(c: &Client) -> LocalReceiver<Bytes> {
    let (tx, rx) = local_channel::new_unbounded();
    c.shard.monitors.clients.borrow_mut().push(Monitor { client: c.id, lines: tx });
    c.meta.borrow_mut().monitor = true;
    c.shard.run_on_all(|s| s.monitors.count(1)).await;
    rx
}

/// Forgets the monitor `client` of this shard (its connection closed).
pub async fn stop(shard: &Rc<Shard>, client: u64) {
    let removed = {
        let mut m = shard.monitors.clients.borrow_mut();
        let before = m.len();
        m.retain(|x| x.client != client);
        m.len() < before
    };
    if removed {
        shard.run_on_all(|s| s.monitors.count(-1)).await;
    }
}

/// Queues the command's line for every monitor, as Redis's
/// replicationFeedMonitors formats it (secrets redacted), unless nobody
/// monitors or the command is not shown (admin commands, SKIP_MONITOR).
pub fn feed(c: &Client, cmd: &CommandSpec, args: &[Bytes]) {
    if c.shard.monitors.anywhere.get() == 0 || cmd.has(flags::SKIP_MONITOR) || cmd.has(flags::ADMIN) {
        return;
    }
    let shown = super::redact::redacted(cmd, args);
    let line = format_line(c.db, &c.meta.borrow().addr, shown.as_deref().unwrap_or(args));
    c.shard.monitors.pending.borrow_mut().extend_from_slice(line.as_bytes());
}

/// Sends the queued lines to the monitors of every core.
pub fn flush(shard: &Rc<Shard>) {
    let batch = {
        let mut pending = shard.monitors.pending.borrow_mut();
        if pending.is_empty() {
            return;
        }
        pending.split().freeze()
    };
    for s in 0..shard.shared.shards {
        let batch = batch.clone();
        if s == shard.id {
            deliver(shard, batch);
        } else {
            shard.peer.post(
                s,
                Box::new(move |sh: &Rc<Shard>| {
                    deliver(sh, batch);
                    Box::new(()) as super::pending::Payload
                }),
            );
        }
    }
}

fn deliver(shard: &Shard, lines: Bytes) {
    for m in shard.monitors.clients.borrow().iter() {
        let _ = m.lines.try_send(lines.clone());
    }
}

/// `+<secs>.<usecs> [<db> <addr>] "arg" ...\r\n`
fn format_line(db: usize, addr: &str, args: &[Bytes]) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let mut s = format!("+{}.{:06} [{} {}]", now.as_secs(), now.subsec_micros(), db, addr);
    for a in args {
        s.push(' ');
        // sdscatrepr output is plain ASCII.
        s.push_str(&String::from_utf8_lossy(&crate::util::args::repr(a)));
    }
    s.push_str("\r\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_quote_arguments_like_redis() {
        let line = format_line(3, "127.0.0.1:5000", &[Bytes::from("set"), Bytes::from("a\"b\n\x01")]);
        assert!(line.starts_with('+'), "{line}");
        assert!(line.ends_with(" [3 127.0.0.1:5000] \"set\" \"a\\\"b\\n\\x01\"\r\n"), "{line}");
    }
}
