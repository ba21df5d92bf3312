//! The mesh between cores: message types, and the sending side every core
//! (shards and the control core) has. glommio's channels are one-way, so a
//! request carries a tag and its answer comes back as a `Done` message.

use super::idle::{outside, Doorbell};
use super::pending::{Payload, Pending};
use super::shard::Shard;
use crate::command::CommandSpec;
use bytes::Bytes;
use glommio::channels::channel_mesh::Senders;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Work for a shard: runs there with its state, answers a payload.
pub type ShardJob = Box<dyn FnOnce(&Rc<Shard>) -> Payload + Send>;
/// Work for the control core.
pub type ControlJob = Box<dyn FnOnce(&Rc<super::control::Control>) -> Payload + Send>;

/// One command forwarded to the shard that owns its keys.
pub struct Batched {
    pub cmd: &'static CommandSpec,
    pub db: usize,
    pub args: Vec<Bytes>,
}

/// A message between cores.
pub enum Msg {
    /// Single-shard commands, run in order; answers `Vec<Reply>`. An
    /// `atomic` batch is a transaction: clients blocked on its keys are
    /// served after all of it, not after each command.
    Exec { tag: u32, cmds: Vec<Batched>, atomic: bool },
    /// A job, run when the shard is not locked by another owner.
    Job { tag: u32, owner: u64, job: ShardJob },
    /// Take the shard's lock for `owner`, then run the job.
    Lock { tag: u32, owner: u64, job: ShardJob },
    /// Run the job, then release `owner`'s lock.
    Unlock { tag: u32, owner: u64, job: ShardJob },
    /// A job for the control core.
    Control { tag: u32, job: ControlJob },
    /// A job to run on a shard without an answer (MONITOR lines).
    Post { job: ShardJob },
    /// The answer to the request tagged `tag`.
    Done { tag: u32, payload: Payload },
}

/// How many messages have been sent to each core so far, shared by all
/// cores, with each core's doorbell. Comparing a core's count with the
/// number it has taken from the mesh tells it, without waiting, that
/// messages are on their way to it: glommio only delivers them when the
/// core's executor polls its reactor, which a busy shard has to make room
/// for, and a shard asleep in its own `epoll_wait` has to be woken for
/// (`ready::watch_mail`).
pub struct MailCounts(Box<[MailCount]>);

/// One core's count and doorbell, alone on a cache line: senders to
/// different cores do not contend for one line.
#[repr(align(64))]
struct MailCount {
    sent: AtomicU64,
    bell: Arc<Doorbell>,
}

impl MailCounts {
    pub fn new(cores: usize) -> std::io::Result<Arc<MailCounts>> {
        let counts = (0..cores)
            .map(|_| Ok(MailCount { sent: AtomicU64::new(0), bell: Arc::new(Doorbell::new()?) }))
            .collect::<std::io::Result<_>>()?;
        Ok(Arc::new(MailCounts(counts)))
    }
}

/// The sending half of the mesh for one core, with its reply slots.
pub struct Peer {
    pub id: usize,
    senders: Senders<Msg>,
    pub pending: Pending,
    mail: Arc<MailCounts>,
    /// Messages this core has taken from the mesh.
    taken: Cell<u64>,
}

impl Peer {
    pub fn new(senders: Senders<Msg>, mail: Arc<MailCounts>) -> Peer {
        Peer { id: senders.peer_id(), senders, pending: Pending::default(), mail, taken: Cell::new(0) }
    }

    /// Counts a message taken from the mesh by this core's receive loops.
    pub fn took(&self) {
        self.taken.set(self.taken.get() + 1);
    }

    /// True when messages sent to this core are still in the mesh.
    pub fn mail_waiting(&self) -> bool {
        self.mail.0[self.id].sent.load(Ordering::Relaxed) != self.taken.get()
    }

    /// The doorbell other cores ring when they send to this one.
    pub fn bell(&self) -> Arc<Doorbell> {
        self.mail.0[self.id].bell.clone()
    }

    fn sent(&self, to: usize) {
        let to = &self.mail.0[to];
        to.sent.fetch_add(1, Ordering::Relaxed);
        to.bell.ring();
    }

    /// Sends the request `make(tag)` to core `to` and waits for its answer.
    pub async fn request(&self, to: usize, make: impl FnOnce(u32) -> Msg) -> Payload {
        let tag = self.send_request(to, make).await;
        self.pending.wait(tag).await
    }

    /// Sends a request without waiting; the answer is collected later with
    /// `pending.wait(tag)`.
    pub async fn send_request(&self, to: usize, make: impl FnOnce(u32) -> Msg) -> u32 {
        let tag = self.pending.register();
        match outside(self.senders.send_to(to, make(tag))).await {
            Ok(()) => self.sent(to),
            // The mesh closes only when the process is going down.
            Err(_) => self.pending.complete(tag, Box::new(())),
        }
        tag
    }

    /// Sends a job that needs no answer; dropped when the channel is full
    /// (it only carries best-effort output such as MONITOR lines).
    pub fn post(&self, to: usize, job: ShardJob) {
        if self.senders.try_send_to(to, Msg::Post { job }).is_ok() {
            self.sent(to);
        }
    }

    /// Answers a request. Never waits in the caller: a full channel hands
    /// the send to a task, so a receive loop keeps draining its own input
    /// (two cores answering each other through full channels would
    /// otherwise deadlock).
    pub fn reply(self: &Rc<Self>, to: usize, tag: u32, payload: Payload) {
        match self.senders.try_send_to(to, Msg::Done { tag, payload }) {
            Ok(()) => self.sent(to),
            Err(glommio::GlommioError::WouldBlock(glommio::ResourceType::Channel(msg))) => {
                let me = self.clone();
                glommio::spawn_local(async move {
                    if outside(me.senders.send_to(to, msg)).await.is_ok() {
                        me.sent(to);
                    }
                })
                .detach();
            }
            Err(_) => {}
        }
    }

    /// Number of cores in the mesh (shards + the control core).
    pub fn cores(&self) -> usize {
        self.senders.nr_consumers()
    }

    pub fn close(&self) {
        self.senders.close();
    }
}
