//! From a parsed request to its reply: command lookup, arity and
//! authentication checks, routing to the shard that owns the keys, and the
//! per-connection pipeline that keeps replies in request order while the
//! commands for other shards travel in one batch per shard.

use super::client::{Client, ReplyMode};
use super::coordinator;
use super::peer::Batched;
use crate::command::keys::key_indices;
use crate::command::spec::flags;
use crate::command::{lookup, lookup_subcommand, CommandSpec, Exec};
use crate::resp::Reply;
use crate::util::clock::{self, Stamp};
use bytes::{Bytes, BytesMut};

/// A reply waiting for its turn in the pipeline.
enum Slot {
    Ready(Reply),
    Remote(&'static CommandSpec),
    Suppressed,
}

/// Commands forwarded to one shard, and the pipeline slots they answer.
#[derive(Default)]
struct Outbound {
    cmds: Vec<Batched>,
    slots: Vec<usize>,
}

/// What one remote command sends back: its reply, how long it ran, and
/// its arguments when it was slow enough for the slow log.
pub struct Executed {
    pub reply: Reply,
    pub nanos: u64,
    pub slow_args: Option<Vec<Bytes>>,
}

/// A connection's pipeline state and output buffer.
pub struct Pipeline {
    pub out: BytesMut,
    slots: Vec<Slot>,
    outbound: Vec<Outbound>,
    /// Whether any command is waiting for another shard.
    outstanding: bool,
    keys: Vec<usize>,
}

impl Pipeline {
    pub fn new(shards: usize) -> Pipeline {
        Pipeline {
            out: BytesMut::with_capacity(16 * 1024),
            slots: Vec::new(),
            outbound: (0..shards).map(|_| Outbound::default()).collect(),
            outstanding: false,
            keys: Vec::new(),
        }
    }

    /// Whether commands wait for other shards.
    pub fn has_outstanding(&self) -> bool {
        self.outstanding
    }

    /// Queues or writes one reply, honouring CLIENT REPLY.
    fn push(&mut self, c: &mut Client, reply: Reply, cmd: Option<&'static CommandSpec>, rejected: bool) {
        if let Reply::Error(e) = &reply {
            c.shard.stats.borrow_mut().error(e, cmd.map(|c| c.id), rejected);
        }
        let suppressed = matches!(c.reply_mode, ReplyMode::Off | ReplyMode::Skip);
        advance_reply_mode(c);
        if suppressed {
            if self.outstanding {
                self.slots.push(Slot::Suppressed);
            }
            return;
        }
        if self.outstanding {
            self.slots.push(Slot::Ready(reply));
        } else {
            reply.encode(&mut self.out, c.resp3);
        }
    }

    /// Sends the queued batches, waits for their replies and writes every
    /// queued reply in order.
    pub async fn flush(&mut self, c: &mut Client) {
        super::monitor::flush(&c.shard);
        if !self.outstanding {
            return;
        }
        let shard = c.shard.clone();
        let mut waits = Vec::new();
        for (to, ob) in self.outbound.iter_mut().enumerate() {
            if ob.cmds.is_empty() {
                continue;
            }
            let cmds = std::mem::take(&mut ob.cmds);
            let slots = std::mem::take(&mut ob.slots);
            waits.push((shard.send_batch(to, cmds, false).await, slots));
        }
        for (tag, slots) in waits {
            let payload = shard.peer.pending.wait(tag).await;
            let Ok(done) = payload.downcast::<Vec<Executed>>() else { continue };
            for (ex, i) in done.into_iter().zip(slots) {
                let Some(&Slot::Remote(cmd)) = self.slots.get(i) else { continue };
                super::slowlog::note_latency(c, cmd, ex.nanos / 1000);
                if let Some(args) = ex.slow_args {
                    super::slowlog::record(c, cmd, args, ex.nanos / 1000);
                }
                if let Reply::Error(e) = &ex.reply {
                    shard.stats.borrow_mut().error(e, Some(cmd.id), false);
                }
                self.slots[i] = Slot::Ready(ex.reply);
            }
        }
        for s in self.slots.drain(..) {
            if let Slot::Ready(r) = s {
                r.encode(&mut self.out, c.resp3);
            }
        }
        self.outstanding = false;
    }

    /// Executes (or queues) one request. `args` is the connection's reusable
    /// argument vector: it is taken only when the request travels to
    /// another shard.
    pub async fn process(&mut self, c: &mut Client, args: &mut Vec<Bytes>) {
        let (cmd, rejection) = resolve(c, args);
        let Some(cmd) = cmd else {
            let err = rejection.unwrap_or_else(|| unknown_command(args));
            super::multi::flag_error(c);
            self.push(c, err, None, true);
            return;
        };
        if let Some(err) = rejection {
            super::multi::flag_error(c);
            self.push(c, err, Some(cmd), true);
            return;
        }
        if let Some(reply) = super::multi::queue(c, cmd, args) {
            self.push(c, reply, Some(cmd), false);
            return;
        }
        // CLIENT PAUSE holds the command back until the pause ends (one
        // check while no pause is set).
        if c.shard.pause.get().is_set() {
            super::pause::hold(c, cmd).await;
        }
        // Monitors see node-wide commands (EXEC) once they ran, as Redis
        // shows them, and the others as they are dispatched.
        if !matches!(cmd.exec, Exec::Server(_)) {
            super::monitor::feed(c, cmd, args);
        }
        {
            let mut m = c.meta.borrow_mut();
            m.last_cmd = cmd.name;
        }
        match cmd.exec {
            Exec::Shard(_) if cmd.block.is_some() => {
                // A blocking command runs alone: what came before is answered
                // first, what comes after waits until it is done.
                self.flush(c).await;
                if let Some(on) = cmd.block {
                    let reply = super::blocking::run(c, cmd, on, args.clone()).await;
                    self.push(c, reply, Some(cmd), false);
                }
            }
            Exec::Shard(_) => self.route(c, cmd, args).await,
            Exec::Client(f) => {
                self.flush(c).await;
                let start = clock::stamp();
                let reply = f(c, args);
                finish_local(c, cmd, args, start);
                self.push(c, reply, Some(cmd), false);
            }
            Exec::Server(f) => {
                self.flush(c).await;
                let start = clock::stamp();
                let reply = f(c, args.clone()).await;
                finish_local(c, cmd, args, start);
                super::monitor::feed(c, cmd, args);
                self.push(c, reply, Some(cmd), false);
            }
            Exec::Container => {
                let reply =
                    Reply::err(format!("ERR unknown subcommand or wrong number of arguments for '{}'", cmd.name));
                self.push(c, reply, Some(cmd), true);
            }
        }
    }

    async fn route(&mut self, c: &mut Client, cmd: &'static CommandSpec, args: &mut Vec<Bytes>) {
        let shard = c.shard.clone();
        let mut keys = std::mem::take(&mut self.keys);
        let target = if shard.shared.shards == 1 || key_indices(cmd, args, &mut keys).is_err() || keys.is_empty() {
            Some(shard.id)
        } else if cmd.derives_keys(args) {
            // Keys named by values may be anywhere: the coordinator.
            None
        } else {
            let first = shard.shared.shard_of_key(&args[keys[0]]);
            keys[1..].iter().all(|&i| shard.shared.shard_of_key(&args[i]) == first).then_some(first)
        };
        match target {
            Some(t) if t == shard.id => {
                let db = c.db;
                let (reply, nanos) = shard.when_free(|s| s.exec(cmd, db, args)).await;
                super::slowlog::maybe_record(c, cmd, args, nanos / 1000);
                self.push(c, reply, Some(cmd), false);
            }
            Some(t) => {
                if matches!(c.reply_mode, ReplyMode::Off | ReplyMode::Skip) {
                    // The reply is dropped, but the command still runs in order.
                    if !self.outstanding {
                        self.outstanding = true;
                    }
                    self.slots.push(Slot::Suppressed);
                    advance_reply_mode(c);
                    let ob = &mut self.outbound[t];
                    ob.cmds.push(Batched { cmd, db: c.db, args: std::mem::take(args) });
                    ob.slots.push(usize::MAX);
                } else {
                    self.outstanding = true;
                    self.slots.push(Slot::Remote(cmd));
                    let ob = &mut self.outbound[t];
                    ob.cmds.push(Batched { cmd, db: c.db, args: std::mem::take(args) });
                    ob.slots.push(self.slots.len() - 1);
                    advance_reply_mode(c);
                }
                if self.slots.len() >= 1024 {
                    self.flush(c).await;
                }
            }
            None => {
                self.flush(c).await;
                let start = clock::stamp();
                let reply = coordinator::run_multi(c, cmd, args, &keys).await;
                let nanos = start.elapsed_nanos();
                super::slowlog::maybe_record(c, cmd, args, nanos / 1000);
                self.push(c, reply, Some(cmd), false);
            }
        }
        self.keys = keys;
    }
}

/// Statistics and slow log for a command that ran on this core outside a
/// shard handler.
pub fn finish_local(c: &Client, cmd: &'static CommandSpec, args: &[Bytes], start: Stamp) {
    let nanos = start.elapsed_nanos();
    let track = c.shard.settings.borrow().latency_tracking;
    c.shard.stats.borrow_mut().call(cmd.id, nanos, track);
    super::slowlog::maybe_record(c, cmd, args, nanos / 1000);
}

fn advance_reply_mode(c: &mut Client) {
    c.reply_mode = match c.reply_mode {
        ReplyMode::SkipNext => ReplyMode::Skip,
        ReplyMode::Skip => ReplyMode::On,
        m => m,
    };
}

/// Finds the command (or subcommand) and checks what Redis checks before
/// running it: arity, authentication. Returns the command, if known, and a
/// rejection reply, if any.
fn resolve(c: &Client, args: &[Bytes]) -> (Option<&'static CommandSpec>, Option<Reply>) {
    let Some(mut cmd) = lookup(&args[0]) else {
        if !c.authenticated {
            return (None, Some(noauth()));
        }
        return (None, None);
    };
    if !cmd.subcommands.is_empty() && args.len() >= 2 {
        match lookup_subcommand(cmd, &args[1]) {
            Some(sub) => cmd = sub,
            None => {
                if !c.authenticated && !cmd.has(flags::NO_AUTH) {
                    return (Some(cmd), Some(noauth()));
                }
                let sub = String::from_utf8_lossy(&args[1]);
                return (
                    Some(cmd),
                    Some(Reply::err(format!(
                        "ERR unknown subcommand '{}'. Try {} HELP.",
                        truncate(&sub, 128),
                        cmd.name.to_ascii_uppercase()
                    ))),
                );
            }
        }
    }
    if !c.authenticated && !cmd.has(flags::NO_AUTH) {
        return (Some(cmd), Some(noauth()));
    }
    if !cmd.arity_ok(args.len()) {
        return (Some(cmd), Some(Reply::err(format!("ERR wrong number of arguments for '{}' command", cmd.name))));
    }
    if (cmd.has(flags::WRITE) || cmd.name == "ping") && crate::persist::writes_denied(&c.shard) {
        return (Some(cmd), Some(Reply::err(crate::persist::MISCONF)));
    }
    if !cmd.has(flags::LOADING) && c.shard.shared.persist.loading.load(std::sync::atomic::Ordering::Relaxed) {
        return (Some(cmd), Some(Reply::err("LOADING Redis is loading the dataset in memory")));
    }
    // The AOF cannot be written: the same commands are refused, as Redis.
    if crate::aof::write_failed() && (cmd.has(flags::WRITE) || cmd.name == "ping") {
        return (Some(cmd), Some(Reply::err(crate::aof::misconf())));
    }
    if c.monitor.is_some() && cmd.has(flags::WRITE | flags::READONLY | flags::MAY_REPLICATE) {
        // A monitor is a replica to Redis, kept off the keyspace.
        return (Some(cmd), Some(Reply::err("ERR Replica can't interact with the keyspace")));
    }
    (Some(cmd), None)
}

fn noauth() -> Reply {
    Reply::err("NOAUTH Authentication required.")
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Redis's reply to an unknown command, quoting up to 128 bytes of the name
/// and of the arguments.
pub fn unknown_command(args: &[Bytes]) -> Reply {
    let name = String::from_utf8_lossy(&args[0]);
    let mut rest = String::new();
    for a in &args[1..] {
        if rest.len() >= 128 {
            break;
        }
        let a = String::from_utf8_lossy(a);
        let room = 128 - rest.len();
        rest.push_str(&format!("'{}' ", truncate(&a, room)));
    }
    Reply::err(format!("ERR unknown command '{}', with args beginning with: {}", truncate(&name, 128), rest))
}
