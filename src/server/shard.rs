//! One shard: the core-local owner of a part of the slot space. It holds the
//! keyspace of its slots, runs commands for them (from its own connections
//! directly, from other cores' connections as messages), and keeps its own
//! statistics. Nothing in here is shared with another thread.

use super::dispatch::Executed;
use super::lock::{Grant, ShardLock};
use super::peer::{Batched, Msg, Peer, ShardJob};
use super::pending::Payload;
use super::settings::Settings;
use super::shared::Shared;
use crate::command::{CommandSpec, Exec, ExecCtx};
use crate::metrics::latency::LatencyMonitor;
use crate::metrics::slowlog::SlowLog;
use crate::metrics::stats::Stats;
use crate::resp::Reply;
use crate::shard::expire::{self, ExpireCycle};
use crate::shard::Keyspace;
use bytes::Bytes;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// Something waiting for the shard's lock.
enum Queued {
    /// A message from another core, run when its turn comes.
    Remote(usize, Msg),
    /// A task of this core, handed the lock when its turn comes.
    Local(Rc<Grant>),
}

/// A shard's state, owned by its core.
pub struct Shard {
    pub id: usize,
    pub shared: Arc<Shared>,
    pub peer: Rc<Peer>,
    pub ks: RefCell<Keyspace>,
    pub lock: ShardLock,
    /// Who waits for the lock, in arrival order.
    queue: RefCell<VecDeque<Queued>>,
    pub settings: RefCell<Rc<Settings>>,
    pub stats: RefCell<Stats>,
    pub slowlog: RefCell<SlowLog>,
    pub latency: RefCell<LatencyMonitor>,
    pub clients: RefCell<super::client::Registry>,
    expire_cycle: RefCell<ExpireCycle>,
    /// DEBUG SET-ACTIVE-EXPIRE.
    pub active_expire: Cell<bool>,
    /// MONITOR clients connected through this shard.
    pub monitors: super::monitor::Monitors,
    /// CLIENT PAUSE.
    pub pause: Cell<super::pause::ClientPause>,
    /// Clients blocked on keys of this shard (BLPOP ...).
    pub blocking: RefCell<super::blocking::Registry>,
    /// What this shard's writes propagate (AOF).
    pub feed: Rc<super::propagate::Feed>,
    /// Unix ms when the current batch of work started; commands compare
    /// expiry times against it (see `tick`).
    now: Cell<u64>,
    /// This shard's part of the running snapshot (`persist::part`), and a
    /// flag the write paths check before looking at it.
    pub snapshot: RefCell<Option<Box<crate::persist::part::Part>>>,
    pub snapshotting: Cell<bool>,
}

impl Shard {
    pub fn new(shared: Arc<Shared>, peer: Peer, settings: Settings) -> Rc<Shard> {
        let ids = crate::command::table().ids;
        Rc::new(Shard {
            id: peer.id,
            shared,
            peer: Rc::new(peer),
            ks: RefCell::new(Keyspace::new(settings.databases)),
            lock: ShardLock::default(),
            queue: RefCell::new(VecDeque::new()),
            settings: RefCell::new(Rc::new(settings)),
            stats: RefCell::new(Stats::new(ids)),
            slowlog: RefCell::new(SlowLog::default()),
            latency: RefCell::new(LatencyMonitor::default()),
            clients: RefCell::new(Default::default()),
            expire_cycle: RefCell::new(ExpireCycle::default()),
            active_expire: Cell::new(true),
            monitors: Default::default(),
            pause: Cell::default(),
            blocking: RefCell::default(),
            feed: Rc::default(),
            now: Cell::new(expire::now_ms()),
            snapshot: RefCell::new(None),
            snapshotting: Cell::new(false),
        })
    }

    /// The control core's id in the mesh.
    pub fn control_id(&self) -> usize {
        self.shared.shards
    }

    pub fn settings(&self) -> Rc<Settings> {
        self.settings.borrow().clone()
    }

    /// Reads the time once for a batch of work (a connection's read, a
    /// forwarded batch, a cron run): commands of the batch use it as their
    /// "now", as Redis uses one time per command, without a clock call each.
    pub fn tick(&self) -> u64 {
        let now = expire::now_ms();
        self.now.set(now);
        expire::set_clock(now);
        now
    }

    /// The time of the current batch of work.
    #[inline]
    pub fn now(&self) -> u64 {
        self.now.get()
    }

    /// Runs a shard command on this shard's keyspace; the caller has made
    /// sure the lock is free or its own. Returns the reply and the time it
    /// took in nanoseconds.
    pub fn exec(&self, cmd: &'static CommandSpec, db: usize, args: &[Bytes]) -> (Reply, u64) {
        let Exec::Shard(f) = cmd.exec else {
            return (Reply::err("ERR internal: not a shard command"), 0);
        };
        let settings = self.settings.borrow().clone();
        let start = crate::util::clock::stamp();
        let now = self.now.get();
        if self.snapshotting.get() {
            crate::persist::cow::before_command(self, cmd, db, args);
        }
        let reply = {
            let mut ks = self.ks.borrow_mut();
            if self.feed.active() {
                self.feed.begin();
                self.feed.before(cmd, db, args, &mut ks, now, &settings);
                let dirty = ks.dirty;
                let mut ctx = ExecCtx { ks: &mut ks, db, now, settings: &settings };
                let reply = f(&mut ctx, args);
                self.feed.after(cmd, db, args, &reply, &mut ks, dirty, &settings);
                drop(ks);
                self.feed.end();
                reply
            } else {
                let mut ctx = ExecCtx { ks: &mut ks, db, now, settings: &settings };
                f(&mut ctx, args)
            }
        };
        if !self.blocking.borrow().is_empty() {
            super::blocking::signal_keys(self, cmd, args);
        }
        let nanos = start.elapsed_nanos();
        self.stats.borrow_mut().call(cmd.id, nanos, settings.latency_tracking);
        (reply, nanos)
    }

    /// Runs a batch forwarded by another core. Clients blocked on keys
    /// the commands write are served after each command, as Redis does,
    /// or after the whole batch when it is a transaction (`atomic`).
    fn exec_batch(self: &Rc<Self>, cmds: Vec<Batched>, atomic: bool) -> Vec<Executed> {
        let slower_than = self.settings.borrow().slowlog_log_slower_than;
        self.tick();
        // A transaction's commands propagate as one unit.
        let unit = atomic && self.feed.active();
        if unit {
            self.feed.begin();
        }
        let out = cmds
            .into_iter()
            .map(|b| {
                let (reply, nanos) = self.exec(b.cmd, b.db, &b.args);
                if !atomic {
                    super::blocking::serve_ready(self);
                }
                let slow = slower_than >= 0
                    && (nanos / 1000) as i64 >= slower_than
                    && !b.cmd.has(crate::command::spec::flags::SKIP_SLOWLOG);
                Executed { reply, nanos, slow_args: slow.then_some(b.args) }
            })
            .collect();
        if unit {
            self.feed.end();
        }
        out
    }

    /// Handles one message from core `from`, then serves the clients its
    /// writes unblocked.
    pub fn handle(self: &Rc<Self>, from: usize, msg: Msg) {
        self.handle_msg(from, msg);
        super::blocking::serve_ready(self);
    }

    fn handle_msg(self: &Rc<Self>, from: usize, msg: Msg) {
        match msg {
            Msg::Done { tag, payload } => self.peer.pending.complete(tag, payload),
            Msg::Exec { tag, cmds, atomic } => {
                if self.lock.is_locked() {
                    self.queue.borrow_mut().push_back(Queued::Remote(from, Msg::Exec { tag, cmds, atomic }));
                    return;
                }
                let replies = self.exec_batch(cmds, atomic);
                self.answer(from, tag, Box::new(replies));
            }
            Msg::Job { tag, owner, job } => {
                let o = self.lock.owner();
                if o != 0 && o != owner {
                    self.queue.borrow_mut().push_back(Queued::Remote(from, Msg::Job { tag, owner, job }));
                    return;
                }
                let out = job(self);
                self.answer(from, tag, out);
            }
            Msg::Lock { tag, owner, job } => {
                if self.lock.is_locked() {
                    self.queue.borrow_mut().push_back(Queued::Remote(from, Msg::Lock { tag, owner, job }));
                    return;
                }
                self.lock.set_owner(owner);
                let out = job(self);
                self.answer(from, tag, out);
            }
            Msg::Unlock { tag, owner: _, job } => {
                let out = job(self);
                self.release();
                self.answer(from, tag, out);
            }
            Msg::Post { job } => {
                job(self);
            }
            Msg::Control { .. } => {}
        }
    }

    /// Answers core `from` after a batch or a job, handing the records it
    /// made to the propagation feed's sink (the AOF writer) first: the
    /// asking connection's wait for them (`aof::durable`) then covers
    /// them.
    fn answer(&self, from: usize, tag: u32, payload: Payload) {
        if self.feed.active() {
            self.feed.hand_over();
        }
        self.peer.reply(from, tag, payload);
    }

    /// Releases the lock and runs what waited for it, in arrival order,
    /// until the queue is empty or someone holds the lock again.
    pub fn release(self: &Rc<Self>) {
        self.lock.set_owner(0);
        loop {
            if self.lock.is_locked() {
                break;
            }
            let next = self.queue.borrow_mut().pop_front();
            match next {
                None => break,
                Some(Queued::Remote(from, msg)) => self.handle(from, msg),
                Some(Queued::Local(g)) => {
                    self.lock.set_owner(g.owner);
                    g.grant();
                }
            }
        }
        super::blocking::serve_ready(self);
    }

    /// Takes this shard's lock for `owner`, waiting in line if it is held.
    pub async fn acquire(&self, owner: u64) {
        if !self.lock.is_locked() {
            self.lock.set_owner(owner);
            return;
        }
        let g = Grant::new(owner);
        self.queue.borrow_mut().push_back(Queued::Local(g.clone()));
        g.wait().await;
    }

    /// Runs `f` on this shard's data once no multi-shard command holds it
    /// (waiting in line behind those that came first).
    pub async fn when_free<R>(self: &Rc<Self>, f: impl FnOnce(&Rc<Shard>) -> R) -> R {
        if !self.lock.is_locked() {
            let r = f(self);
            super::blocking::serve_ready(self);
            return r;
        }
        self.acquire(self.shared.next_tx_id()).await;
        let r = f(self);
        self.release();
        r
    }

    /// Runs `f` on shard `to` (here, when it is this shard) once no other
    /// owner holds that shard's lock, and returns its result.
    pub async fn run_on<R, F>(self: &Rc<Self>, to: usize, f: F) -> R
    where
        R: Send + 'static,
        F: FnOnce(&Rc<Shard>) -> R + Send + 'static,
    {
        if to == self.id {
            return self.when_free(f).await;
        }
        let job: ShardJob = Box::new(move |s| Box::new(f(s)) as Payload);
        let p = self.peer.request(to, |tag| Msg::Job { tag, owner: 0, job }).await;
        *p.downcast::<R>().expect("job answer of the expected type")
    }

    /// Runs `f` on every shard, concurrently, and returns the results in
    /// shard order.
    pub async fn run_on_all<R, F>(self: &Rc<Self>, f: F) -> Vec<R>
    where
        R: Send + 'static,
        F: Fn(&Rc<Shard>) -> R + Send + Clone + 'static,
    {
        let mut tags = Vec::with_capacity(self.shared.shards);
        for s in 0..self.shared.shards {
            if s == self.id {
                continue;
            }
            let f = f.clone();
            let job: ShardJob = Box::new(move |sh| Box::new(f(sh)) as Payload);
            tags.push(self.peer.send_request(s, |tag| Msg::Job { tag, owner: 0, job }).await);
        }
        let mine = self.when_free(f).await;
        let mut out = Vec::with_capacity(self.shared.shards);
        let mut tags = tags.into_iter();
        for s in 0..self.shared.shards {
            if s == self.id {
                out.push(None);
            } else {
                let tag = tags.next().expect("one tag per remote shard");
                let p = self.peer.pending.wait(tag).await;
                out.push(Some(*p.downcast::<R>().expect("job answer of the expected type")));
            }
        }
        let mut mine = Some(mine);
        out.into_iter().map(|r| r.unwrap_or_else(|| mine.take().expect("own result once"))).collect()
    }

    /// Takes shard `to`'s lock for `owner` and runs `f` there.
    pub async fn lock_run<R, F>(self: &Rc<Self>, to: usize, owner: u64, f: F) -> R
    where
        R: Send + 'static,
        F: FnOnce(&Rc<Shard>) -> R + Send + 'static,
    {
        if to == self.id {
            self.acquire(owner).await;
            return f(self);
        }
        let job: ShardJob = Box::new(move |s| Box::new(f(s)) as Payload);
        let p = self.peer.request(to, |tag| Msg::Lock { tag, owner, job }).await;
        *p.downcast::<R>().expect("job answer of the expected type")
    }

    /// Runs `f` on shard `to`, whose lock `owner` holds already, and
    /// returns its result.
    pub async fn locked_run<R, F>(self: &Rc<Self>, to: usize, owner: u64, f: F) -> R
    where
        R: Send + 'static,
        F: FnOnce(&Rc<Shard>) -> R + Send + 'static,
    {
        if to == self.id {
            return f(self);
        }
        let job: ShardJob = Box::new(move |s| Box::new(f(s)) as Payload);
        let p = self.peer.request(to, |tag| Msg::Job { tag, owner, job }).await;
        *p.downcast::<R>().expect("job answer of the expected type")
    }

    /// Sends `f` to run on shard `to`, after which `owner`'s lock there is
    /// released; returns a tag to wait on (None when `to` is this shard and
    /// it ran already).
    pub async fn unlock_run_start<F>(self: &Rc<Self>, to: usize, owner: u64, f: F) -> Option<u32>
    where
        F: FnOnce(&Rc<Shard>) + Send + 'static,
    {
        if to == self.id {
            f(self);
            self.release();
            return None;
        }
        let job: ShardJob = Box::new(move |s| {
            f(s);
            Box::new(()) as Payload
        });
        Some(self.peer.send_request(to, |tag| Msg::Unlock { tag, owner, job }).await)
    }

    /// Sends a batch of commands to shard `to`; returns the tag to wait on.
    pub async fn send_batch(&self, to: usize, cmds: Vec<Batched>, atomic: bool) -> u32 {
        self.peer.send_request(to, |tag| Msg::Exec { tag, cmds, atomic }).await
    }

    /// Runs a job on the control core and returns its result.
    pub async fn on_control<R, F>(self: &Rc<Self>, f: F) -> R
    where
        R: Send + 'static,
        F: FnOnce(&Rc<super::control::Control>) -> R + Send + 'static,
    {
        let job: super::peer::ControlJob = Box::new(move |c| Box::new(f(c)) as Payload);
        let p = self.peer.request(self.control_id(), |tag| Msg::Control { tag, job }).await;
        *p.downcast::<R>().expect("control answer of the expected type")
    }

    /// The shard's periodic work: active expiry, hz times a second; it
    /// also publishes the write counter for the save schedule, and shard 0
    /// starts the shutdown a signal asked for.
    pub async fn cron(self: Rc<Self>) {
        loop {
            let hz = self.settings.borrow().hz.clamp(1, 500);
            glommio::timer::sleep(Duration::from_millis(1000 / hz)).await;
            if self.shared.shutting_down.load(std::sync::atomic::Ordering::Relaxed) {
                return;
            }
            let now = self.tick();
            self.stats.borrow_mut().sample_rates(now);
            if self.active_expire.get() && !self.lock.is_locked() && !expire::expiry_paused(now) {
                let budget = Duration::from_micros(250_000 / hz);
                let me: &Shard = &self;
                let mut before = |d: &crate::shard::Db, n: usize, slot: usize| {
                    if me.snapshotting.get() {
                        crate::persist::part::touch(me, d, n, slot);
                    }
                };
                let settings = self.settings();
                let feed = &self.feed;
                // Each deletion propagates on its own, as Redis's cycle.
                let mut deleted = |db: usize, key: &[u8]| {
                    if feed.active() {
                        feed.begin();
                        feed.deleted(db, key, &settings);
                        feed.end();
                    }
                };
                self.expire_cycle.borrow_mut().run(&mut self.ks.borrow_mut(), now, budget, &mut before, &mut deleted);
            }
            let persist = &self.shared.persist;
            persist.dirty[self.id].store(self.ks.borrow().dirty, std::sync::atomic::Ordering::Relaxed);
            if self.id == 0 {
                crate::aof::cron(&self);
            }
            if self.id == 0 && !persist.cron_paused.load(std::sync::atomic::Ordering::Relaxed) {
                let sig = persist.pending_signal.swap(0, std::sync::atomic::Ordering::Relaxed);
                if sig != 0 {
                    glommio::spawn_local(crate::persist::shutdown::on_signal(self.clone(), sig)).detach();
                }
            }
            self.clients.borrow().cron(&self.settings.borrow());
        }
    }
}
