//! The write propagation feed: for every effective write on a shard, the
//! command(s) Redis would propagate for it, in the order the shard ran
//! them, ready for the append-only file (and, later, replicas).
//!
//! * An execution unit (one command, a forwarded transaction, a served
//!   blocking command, one active-expiry deletion) collects its commands
//!   in a `Unit`; when it ends they join the shard's `Chunk`, wrapped in
//!   MULTI/EXEC when there are several, as Redis's
//!   `propagatePendingCommands` does.
//! * What a command becomes is decided in `rewrite` from its arguments,
//!   its reply and the keyspace after it ran (relative expiry made
//!   absolute, SPOP as SREM, blocking pops as plain pops ...). A command
//!   that changed nothing (the keyspace's dirty counter did not move)
//!   propagates nothing.
//! * Keys found expired when a command looks them up, and keys the active
//!   expiry cycle deletes, propagate as DEL (UNLINK with
//!   lazyfree-lazy-expire), before the command that found them.
//! * A multi-shard step (the coordinator's commands, FLUSHALL, FLUSHDB,
//!   SWAPDB) is one `Barrier` appended to the chunk of every shard it
//!   locked, while it holds that shard's lock: a consumer writes it once,
//!   when every part has reached it (see `crate::aof::merge`).
//!
//! Nobody listening costs one flag check per command (`Feed::active`).
//! A listener attaches a sink that receives the shard's chunks: at the end
//! of every unit (`immediate`, for appendfsync always), otherwise at the
//! end of each connection turn and forwarded batch (`hand_over`), and
//! after a millisecond's timer for what runs outside those (expiry,
//! serving), which a sleeping shard fires up to `idle::NAP` late.

pub mod rewrite;

use crate::command::keys::key_indices;
use crate::command::CommandSpec;
use crate::resp::Reply;
use crate::server::settings::Settings;
use crate::shard::Keyspace;
use bytes::Bytes;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// Commands as they will be written, each group tagged with its database.
#[derive(Default, Debug)]
pub struct Chunk {
    /// RESP encodings of the commands, back to back.
    pub bytes: Vec<u8>,
    pub items: Vec<Item>,
}

/// A part of a chunk.
#[derive(Debug)]
pub enum Item {
    /// Commands of database `db` from the previous item's end to byte
    /// `end` of the chunk's bytes.
    Cmds { db: u32, end: usize },
    /// A multi-shard step, in this shard's place in its order.
    Barrier(Arc<Barrier>),
}

/// One multi-shard step: written once, after everything each of its
/// `parts` shards propagated before it.
#[derive(Debug)]
pub struct Barrier {
    pub id: u64,
    pub parts: usize,
    /// Its commands (never a barrier).
    pub ops: Chunk,
}

impl Chunk {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Appends encoded commands of database `db`.
    fn push_cmds(&mut self, db: u32, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
        let end = self.bytes.len();
        match self.items.last_mut() {
            Some(Item::Cmds { db: d, end: e }) if *d == db => *e = end,
            _ => self.items.push(Item::Cmds { db, end }),
        }
    }

    /// The command groups of a chunk without barriers: (db, bytes).
    pub fn groups(&self) -> impl Iterator<Item = (u32, &[u8])> {
        let mut start = 0;
        self.items.iter().filter_map(move |it| match it {
            Item::Cmds { db, end } => {
                let s = start;
                start = *end;
                Some((*db, &self.bytes[s..*end]))
            }
            Item::Barrier(_) => None,
        })
    }
}

/// Appends one command in RESP (an array of bulk strings) to `out`.
pub fn encode<A: AsRef<[u8]>>(out: &mut Vec<u8>, argv: &[A]) {
    use std::io::Write;
    let _ = write!(out, "*{}\r\n", argv.len());
    for a in argv {
        let a = a.as_ref();
        let _ = write!(out, "${}\r\n", a.len());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// The commands one execution unit propagates.
#[derive(Default)]
pub struct Unit {
    bytes: Vec<u8>,
    /// (database, end in `bytes`) of each command.
    ops: Vec<(u32, usize)>,
}

impl Unit {
    pub fn push<A: AsRef<[u8]>>(&mut self, db: usize, argv: &[A]) {
        encode(&mut self.bytes, argv);
        self.ops.push((db as u32, self.bytes.len()));
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Moves the unit's commands to `out`: alone, or as one MULTI/EXEC
    /// transaction when there are several.
    pub fn finish(&mut self, out: &mut Chunk) {
        let wrap = self.ops.len() > 1;
        if let (true, Some(&(first, _))) = (wrap, self.ops.first()) {
            out.push_cmds(first, b"*1\r\n$5\r\nMULTI\r\n");
        }
        let mut start = 0;
        let mut last = 0;
        for &(db, end) in &self.ops {
            out.push_cmds(db, &self.bytes[start..end]);
            start = end;
            last = db;
        }
        if wrap {
            out.push_cmds(last, b"*1\r\n$4\r\nEXEC\r\n");
        }
        self.bytes.clear();
        self.ops.clear();
    }
}

/// Where a shard's chunks go.
pub type Sink = Rc<dyn Fn(Chunk)>;

/// A shard's propagation feed.
#[derive(Default)]
pub struct Feed {
    active: Cell<bool>,
    /// Hand every unit over as it ends (appendfsync always).
    immediate: Cell<bool>,
    sink: RefCell<Option<Sink>>,
    /// Nesting of units (a transaction's commands are one unit).
    depth: Cell<u32>,
    unit: RefCell<Unit>,
    chunk: RefCell<Chunk>,
    flush_scheduled: Cell<bool>,
    keys: RefCell<Vec<usize>>,
}

/// How long records may wait on their shard when not handed over at once.
const FLUSH_DELAY: Duration = Duration::from_millis(1);

impl Feed {
    /// Whether anyone listens (the one check a command pays otherwise).
    #[inline]
    pub fn active(&self) -> bool {
        self.active.get()
    }

    /// Starts feeding `sink`; `immediate` hands each unit over as it ends.
    pub fn attach(&self, sink: Sink, immediate: bool) {
        *self.sink.borrow_mut() = Some(sink);
        self.immediate.set(immediate);
        self.active.set(true);
    }

    /// Stops feeding; what was not handed over is dropped.
    pub fn detach(&self) {
        self.active.set(false);
        *self.sink.borrow_mut() = None;
        *self.chunk.borrow_mut() = Chunk::default();
        *self.unit.borrow_mut() = Unit::default();
    }

    pub fn set_immediate(&self, on: bool) {
        self.immediate.set(on);
    }

    pub fn begin(&self) {
        self.depth.set(self.depth.get() + 1);
    }

    /// Ends a unit; the outermost one moves its commands to the chunk.
    pub fn end(self: &Rc<Self>) {
        let d = self.depth.get().saturating_sub(1);
        self.depth.set(d);
        if d > 0 {
            return;
        }
        let mut unit = self.unit.borrow_mut();
        if unit.is_empty() {
            return;
        }
        unit.finish(&mut self.chunk.borrow_mut());
        drop(unit);
        self.ready();
    }

    /// Hands the chunk over now or schedules it.
    fn ready(self: &Rc<Self>) {
        if self.immediate.get() {
            self.hand_over();
        } else if !self.flush_scheduled.get() {
            self.flush_scheduled.set(true);
            let me = self.clone();
            glommio::spawn_local(async move {
                glommio::timer::sleep(FLUSH_DELAY).await;
                me.flush_scheduled.set(false);
                me.hand_over();
            })
            .detach();
        }
    }

    /// Gives the sink everything collected so far.
    pub fn hand_over(&self) {
        if self.chunk.borrow().is_empty() {
            return;
        }
        let chunk = std::mem::take(&mut *self.chunk.borrow_mut());
        let sink = self.sink.borrow().clone();
        if let Some(sink) = sink {
            sink(chunk);
        }
    }

    /// Before a command runs: its keys that have expired are deleted and
    /// propagated as deletions first (what Redis's lookups do).
    pub fn before(&self, cmd: &CommandSpec, db: usize, args: &[Bytes], ks: &mut Keyspace, now: u64, s: &Settings) {
        let mut keys = self.keys.borrow_mut();
        if key_indices(cmd, args, &mut keys).is_err() {
            return;
        }
        for &i in keys.iter() {
            self.expire_if_due(ks, db, &args[i], now, s);
        }
    }

    /// Deletes `key` of `db` when it exists and has expired, propagating
    /// the deletion. Returns whether it did.
    pub fn expire_if_due(&self, ks: &mut Keyspace, db: usize, key: &[u8], now: u64, s: &Settings) -> bool {
        let Some(d) = ks.dbs.get_mut(db) else { return false };
        let due = d.peek(key, 0).is_some_and(|e| e.expire != 0 && e.expire <= now);
        if !due || crate::shard::expire::expiry_paused(now) {
            return false;
        }
        d.remove(key);
        ks.expired += 1;
        self.deleted(db, key, s);
        true
    }

    /// Propagates the deletion of an expired key (in the current unit).
    pub fn deleted(&self, db: usize, key: &[u8], s: &Settings) {
        let verb: &[u8] = if s.lazyfree_lazy_expire { b"UNLINK" } else { b"DEL" };
        self.unit.borrow_mut().push(db, &[verb, key]);
    }

    /// After a command ran: what it propagates, when it changed anything.
    #[allow(clippy::too_many_arguments)]
    pub fn after(
        &self,
        cmd: &'static CommandSpec,
        db: usize,
        args: &[Bytes],
        reply: &Reply,
        ks: &mut Keyspace,
        dirty_before: u64,
        s: &Settings,
    ) {
        if ks.dirty == dirty_before || reply.is_error() {
            return;
        }
        rewrite::command(&mut self.unit.borrow_mut(), cmd, db, args, reply, ks, s.lazyfree_lazy_expire);
    }

    /// Appends a multi-shard step in this shard's order.
    pub fn barrier(self: &Rc<Self>, b: &Arc<Barrier>) {
        if !self.active() {
            return;
        }
        self.chunk.borrow_mut().items.push(Item::Barrier(b.clone()));
        self.ready();
    }
}

/// A multi-shard step's record of one command, made before the step runs
/// on its `parts` shards (each appends it with `Feed::barrier`).
pub fn barrier(id: u64, parts: usize, db: usize, argv: &[Bytes]) -> Arc<Barrier> {
    let mut ops = Chunk::default();
    let mut unit = Unit::default();
    unit.push(db, argv);
    unit.finish(&mut ops);
    Arc::new(Barrier { id, parts, ops })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_of_several_commands_is_a_transaction() {
        let mut u = Unit::default();
        let mut c = Chunk::default();
        u.push(0, &["SET", "a", "1"]);
        u.finish(&mut c);
        u.push(1, &["DEL", "x"]);
        u.push(1, &["SET", "x", "2"]);
        u.finish(&mut c);
        let groups: Vec<(u32, String)> =
            c.groups().map(|(d, b)| (d, String::from_utf8_lossy(b).into_owned())).collect();
        assert_eq!(groups[0], (0, "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n".to_string()));
        assert_eq!(
            groups[1],
            (
                1,
                "*1\r\n$5\r\nMULTI\r\n*2\r\n$3\r\nDEL\r\n$1\r\nx\r\n*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\n2\r\n*1\r\n$4\r\nEXEC\r\n"
                    .to_string()
            )
        );
    }
}
