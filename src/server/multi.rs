//! MULTI/EXEC: queueing a client's commands and running them as one atomic
//! step. Shard commands of a transaction run in one go on the shard that
//! owns all their keys (a single message when it is another core), or
//! through the coordinator when their keys span shards. WATCH is not
//! supported yet (the command is unknown rather than unsafe).

use super::client::Client;
use super::coordinator;
use super::peer::Batched;
use crate::command::keys::key_indices;
use crate::command::spec::flags;
use crate::command::{CommandSpec, Exec};
use crate::resp::Reply;
use bytes::Bytes;

/// A transaction being queued.
#[derive(Default)]
pub struct Multi {
    pub queued: Vec<(&'static CommandSpec, Vec<Bytes>)>,
    /// A command was rejected while queueing: EXEC will refuse.
    pub aborted: bool,
}

/// Commands that act on the transaction itself instead of being queued.
fn controls_transaction(cmd: &CommandSpec) -> bool {
    matches!(cmd.name, "exec" | "discard" | "multi" | "watch" | "unwatch" | "quit" | "reset")
}

/// Marks the open transaction, if any, as failed (a queued command was
/// rejected).
pub fn flag_error(c: &mut Client) {
    if let Some(m) = &mut c.multi {
        m.aborted = true;
    }
}

/// Queues the command when a transaction is open; returns the reply to
/// send now, or None when the command is to run as usual.
pub fn queue(c: &mut Client, cmd: &'static CommandSpec, args: &[Bytes]) -> Option<Reply> {
    let m = c.multi.as_mut()?;
    if controls_transaction(cmd) {
        return None;
    }
    if cmd.has(flags::NO_MULTI) {
        m.aborted = true;
        return Some(Reply::err("ERR Command not allowed inside a transaction"));
    }
    m.queued.push((cmd, args.to_vec()));
    Some(Reply::status("QUEUED"))
}

/// Runs a transaction's commands and returns their replies.
pub async fn exec(c: &mut Client, queued: Vec<(&'static CommandSpec, Vec<Bytes>)>) -> Vec<Reply> {
    for (cmd, args) in &queued {
        super::monitor::feed(c, cmd, args);
    }
    if !queued.iter().all(|(cmd, _)| matches!(cmd.exec, Exec::Shard(_))) {
        // Connection or node-wide commands inside the transaction: run in
        // order (atomicity across them is not guaranteed yet).
        let mut replies = Vec::with_capacity(queued.len());
        for (cmd, args) in queued {
            replies.push(run_one(c, cmd, args).await);
        }
        return replies;
    }
    let mut keys = Vec::new();
    let mut idx = Vec::new();
    for (cmd, args) in &queued {
        if key_indices(cmd, args, &mut idx).is_ok() {
            keys.extend(idx.iter().map(|&i| args[i].clone()));
        }
    }
    let shard = c.shard.clone();
    let mut owners: Vec<usize> = keys.iter().map(|k| shard.shared.shard_of_key(k)).collect();
    owners.sort_unstable();
    owners.dedup();
    let db = c.db;
    if shard.shared.shards > 1 && queued.iter().any(|(cmd, args)| cmd.derives_keys(args)) {
        // Keys named by values may live anywhere: see coordinator.
        owners.clear();
        owners.extend(0..shard.shared.shards);
    }
    match owners.as_slice() {
        [one] if *one != shard.id => {
            let specs: Vec<&'static CommandSpec> = queued.iter().map(|(cmd, _)| *cmd).collect();
            let cmds = queued.into_iter().map(|(cmd, args)| Batched { cmd, db, args }).collect();
            let tag = shard.send_batch(*one, cmds, true).await;
            match shard.peer.pending.wait(tag).await.downcast::<Vec<super::dispatch::Executed>>() {
                Ok(done) => done.into_iter().zip(specs).map(|(e, cmd)| record_slow(c, cmd, e)).collect(),
                Err(_) => vec![Reply::err("ERR transaction aborted: shutting down"); specs.len()],
            }
        }
        [] | [_] => {
            // The transaction propagates as one unit (MULTI/EXEC).
            let done: Vec<(Reply, u64)> = shard
                .when_free(|s| {
                    let unit = s.feed.active();
                    if unit {
                        s.feed.begin();
                    }
                    let done = queued.iter().map(|(cmd, args)| s.exec(cmd, db, args)).collect();
                    if unit {
                        s.feed.end();
                    }
                    done
                })
                .await;
            let log_slow = |((reply, nanos), (cmd, args)): ((Reply, u64), &(&CommandSpec, Vec<Bytes>))| {
                super::slowlog::maybe_record(c, cmd, args, nanos / 1000);
                reply
            };
            done.into_iter().zip(&queued).map(log_slow).collect()
        }
        _ => {
            let cmds: Vec<(&'static CommandSpec, &[Bytes])> =
                queued.iter().map(|(cmd, args)| (*cmd, args.as_slice())).collect();
            coordinator::run_atomically(c, &cmds, keys).await
        }
    }
}

/// The reply of a command another core ran, after logging it when slow.
fn record_slow(c: &Client, cmd: &CommandSpec, e: super::dispatch::Executed) -> Reply {
    super::slowlog::note_latency(c, cmd, e.nanos / 1000);
    if let Some(args) = e.slow_args {
        super::slowlog::record(c, cmd, args, e.nanos / 1000);
    }
    e.reply
}

/// Runs one command outside any pipeline and returns its reply.
pub async fn run_one(c: &mut Client, cmd: &'static CommandSpec, args: Vec<Bytes>) -> Reply {
    let start = crate::util::clock::stamp();
    match cmd.exec {
        Exec::Client(f) => {
            let reply = f(c, &args);
            super::dispatch::finish_local(c, cmd, &args, start);
            reply
        }
        Exec::Server(f) => {
            let reply = f(c, args.clone()).await;
            super::dispatch::finish_local(c, cmd, &args, start);
            reply
        }
        Exec::Shard(_) => {
            let mut idx = Vec::new();
            let _ = key_indices(cmd, &args, &mut idx);
            let keys: Vec<Bytes> = idx.iter().map(|&i| args[i].clone()).collect();
            let shard = c.shard.clone();
            let db = c.db;
            let derives = shard.shared.shards > 1 && cmd.derives_keys(&args);
            match keys.first().map(|k| shard.shared.shard_of_key(k)) {
                Some(_) if derives => {
                    coordinator::run_atomically(c, &[(cmd, &args)], keys).await.pop().unwrap_or(Reply::Nil)
                }
                Some(s) if s != shard.id && keys.iter().all(|k| shard.shared.shard_of_key(k) == s) => {
                    let tag = shard.send_batch(s, vec![Batched { cmd, db, args }], false).await;
                    match shard.peer.pending.wait(tag).await.downcast::<Vec<super::dispatch::Executed>>() {
                        Ok(mut done) => done.pop().map_or(Reply::Nil, |e| record_slow(c, cmd, e)),
                        Err(_) => Reply::err("ERR shutting down"),
                    }
                }
                None => run_here(c, cmd, &args).await,
                Some(s) if s == shard.id && keys.iter().all(|k| shard.shared.shard_of_key(k) == s) => {
                    run_here(c, cmd, &args).await
                }
                Some(_) => coordinator::run_atomically(c, &[(cmd, &args)], keys).await.pop().unwrap_or(Reply::Nil),
            }
        }
        Exec::Container => Reply::err("ERR unknown subcommand"),
    }
}

/// Runs a shard command on this core's shard, logging it when slow.
async fn run_here(c: &Client, cmd: &'static CommandSpec, args: &[Bytes]) -> Reply {
    let db = c.db;
    let (reply, nanos) = c.shard.when_free(|s| s.exec(cmd, db, args)).await;
    super::slowlog::maybe_record(c, cmd, args, nanos / 1000);
    reply
}
