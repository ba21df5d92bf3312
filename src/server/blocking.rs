//! Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN,
//! BZPOPMAX, BZMPOP, XREAD and XREADGROUP with BLOCK): a client whose
//! command finds nothing waits on its keys until a write makes one of them ready, its
//! timeout passes, CLIENT UNBLOCK ends the wait, or it disconnects.
//!
//! Each shard keeps a registry (db, key) -> waiters in arrival order. The
//! waiter is registered on the shard that owns the key, so the write that
//! makes the key ready and the serving of the first waiter happen on the
//! same core, one after the other: the pop and the reply are one step, and
//! waiters are served first come, first served. A command whose keys live
//! on several shards registers one waiter per shard; they share a claim
//! flag, and whoever sets it first (a serving shard, the timeout, CLIENT
//! UNBLOCK, the disconnect check) decides the outcome. The answer travels
//! to the client's core as the `Done` of a reply tag.

use super::client::Client;
use super::shard::Shard;
use crate::command::keys::key_indices;
use crate::command::spec::flags;
use crate::command::{CommandSpec, ExecCtx};
use crate::resp::Reply;
use crate::shard::Value;
use bytes::Bytes;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Rewrites a waiter's arguments for the keys (last argument) of the
/// shard it registers on.
pub type Prepare = fn(&mut ExecCtx, &mut [Bytes], &[Bytes]);

/// How one blocking command waits and is served (`CommandSpec::block`).
pub struct BlockOn {
    /// The reply of the non-blocking attempt that means "nothing yet"
    /// (what the command answers inside MULTI). A wait that times out
    /// answers a null array, whatever the command, as Redis does.
    pub nil: Reply,
    /// The timeout in ms (0: forever), from arguments the command's own
    /// handler has validated already; None when the command was not asked
    /// to block (XREAD without BLOCK).
    pub timeout: fn(&[Bytes]) -> Option<u64>,
    /// Indices of the arguments naming the keys to wait on.
    pub watched: fn(&[Bytes]) -> Vec<usize>,
    /// Whether `key`, holding the value (None: no key), can serve the
    /// waiter, or must end its wait (XREADGROUP's stream gone).
    pub ready: fn(Option<&Value>, &[Bytes], &[u8]) -> bool,
    /// Fixes, on each shard where the waiter registers, what the arguments
    /// mean now for the keys that shard owns (XREAD's `$` becomes the
    /// stream's last ID), before the wait starts.
    pub prepare: Option<Prepare>,
    /// Serves the waiter from `key`, which is ready and lives here.
    pub serve: fn(&mut ExecCtx, &[Bytes], &Bytes) -> Reply,
    /// Serving touches only the ready key (pops), so it may run on that
    /// key's shard when the command's other keys live elsewhere. Otherwise
    /// (BLMOVE to another shard) the client runs the command again.
    pub single_key: bool,
}

/// How a wait ended.
enum Woke {
    /// A shard served the waiter: the command's reply.
    Served(Reply),
    /// A key became ready but serving needs keys of several shards: run
    /// the command again.
    Retry,
    /// Another shard's waiter of this client was claimed first: its answer
    /// comes on the reply tag.
    Lost,
    /// CLIENT UNBLOCK (`true`: with ERROR).
    Unblocked(bool),
    Timeout,
    /// The client went away.
    Gone,
}

/// A client's waiter as one shard keeps it.
pub struct Waiter {
    id: u64,
    claim: Arc<AtomicBool>,
    /// The client's core and the tag its answer goes to.
    home: usize,
    tag: u32,
    db: usize,
    cmd: &'static CommandSpec,
    args: Vec<Bytes>,
    /// The watched keys this shard owns, in command order.
    keys: Vec<Bytes>,
    /// Every key of the command lives on this shard.
    whole: bool,
    /// When the client's command arrived: waiters of a key are served in
    /// this order, however long their registration took to get here.
    arrived: Instant,
    /// Run the command first, in the same step as the registration (its
    /// keys all live on this shard, so no write can slip in between).
    attempt: bool,
}

impl Waiter {
    fn on(&self) -> &'static BlockOn {
        self.cmd.block.expect("waiters come from blocking commands")
    }
}

/// What a client's core knows of its wait: CLIENT UNBLOCK claims it there.
pub struct BlockedOn {
    tag: u32,
    claim: Arc<AtomicBool>,
}

/// One shard's waiters.
#[derive(Default)]
pub struct Registry {
    /// Per database: key -> waiter ids, first come first.
    keys: Vec<HashMap<Bytes, VecDeque<u64>, ahash::RandomState>>,
    waiters: HashMap<u64, Waiter>,
    /// Keys a write touched that have waiters, to serve.
    ready: Vec<(usize, Bytes)>,
    /// Times in a row serving was put off for registrations on their way.
    deferred: u32,
    /// A deferred serving pass is scheduled.
    retry_scheduled: bool,
}

impl Registry {
    /// Whether no client waits on this shard (the one check writes pay).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.waiters.is_empty()
    }

    fn add(&mut self, w: Waiter) {
        if self.keys.len() <= w.db {
            self.keys.resize_with(w.db + 1, Default::default);
        }
        for k in &w.keys {
            let queue = self.keys[w.db].entry(k.clone()).or_default();
            // After every waiter that arrived first (usually: at the end).
            let waiters = &self.waiters;
            let at = queue.iter().rposition(|id| waiters.get(id).is_none_or(|o| o.arrived <= w.arrived));
            queue.insert(at.map_or(0, |p| p + 1), w.id);
        }
        self.waiters.insert(w.id, w);
    }

    fn remove(&mut self, id: u64) -> Option<Waiter> {
        let w = self.waiters.remove(&id)?;
        if let Some(map) = self.keys.get_mut(w.db) {
            for k in &w.keys {
                if let Some(q) = map.get_mut(k) {
                    q.retain(|&x| x != id);
                    if q.is_empty() {
                        map.remove(k);
                    }
                }
            }
        }
        Some(w)
    }

    /// Notes that `key` of `db` changed; it is served if someone waits.
    pub fn signal(&mut self, db: usize, key: &[u8]) {
        let waited = self.keys.get(db).is_some_and(|m| m.contains_key(key));
        if waited && !self.ready.iter().any(|(d, k)| *d == db && k == key) {
            self.ready.push((db, Bytes::copy_from_slice(key)));
        }
    }

    /// Notes that every waited key of `db` (of every database when None)
    /// may have changed: FLUSHDB and FLUSHALL, which end XREADGROUP waits,
    /// and SWAPDB, which may bring waited keys.
    pub fn signal_all(&mut self, db: Option<usize>) {
        for (n, map) in self.keys.iter().enumerate() {
            if db.is_none_or(|d| d == n) {
                for k in map.keys() {
                    if !self.ready.iter().any(|(d, r)| *d == n && r == k) {
                        self.ready.push((n, k.clone()));
                    }
                }
            }
        }
    }

    /// The waiters of `key`, first come first.
    fn queue(&self, db: usize, key: &[u8]) -> Vec<u64> {
        self.keys.get(db).and_then(|m| m.get(key)).map_or_else(Vec::new, |q| q.iter().copied().collect())
    }
}

/// After a write command ran on `shard`: marks its keys that have waiters,
/// in any database (MOVE and COPY ... DB write the key in another one).
pub fn signal_keys(shard: &Shard, cmd: &CommandSpec, args: &[Bytes]) {
    if !cmd.has(flags::WRITE) {
        return;
    }
    let mut idx = Vec::new();
    if key_indices(cmd, args, &mut idx).is_err() {
        return;
    }
    let mut reg = shard.blocking.borrow_mut();
    for i in idx {
        for db in 0..reg.keys.len() {
            reg.signal(db, &args[i]);
        }
    }
}

/// Whether `key` can serve waiter `w` now (it exists and has what it needs).
fn key_ready(shard: &Shard, w: &Waiter, key: &[u8]) -> bool {
    let now = shard.now();
    let mut ks = shard.ks.borrow_mut();
    let ready = w.on().ready;
    ready(ks.db(w.db).get(key, now).map(|e| &e.value), &w.args, key)
}

/// Serves waiter `w` from `key` (claimed and ready): its reply, or Retry
/// when serving needs other shards.
fn serve(shard: &Shard, w: &Waiter, key: &Bytes) -> Woke {
    let on = w.on();
    if !(w.whole || on.single_key) {
        return Woke::Retry;
    }
    let settings = shard.settings();
    if shard.snapshotting.get() {
        crate::persist::cow::before_command(shard, w.cmd, w.db, &w.args);
    }
    let reply = {
        let mut ks = shard.ks.borrow_mut();
        let dirty = ks.dirty;
        let mut ctx = ExecCtx { ks: &mut ks, db: w.db, now: shard.now(), settings: &settings };
        let reply = (on.serve)(&mut ctx, &w.args, key);
        if shard.feed.active() {
            shard.feed.begin();
            shard.feed.after(w.cmd, w.db, &w.args, &reply, &mut ks, dirty, &settings);
            drop(ks);
            shard.feed.end();
        }
        reply
    };
    // Serving wrote keys (BLMOVE's destination): their waiters come next.
    signal_keys(shard, w.cmd, &w.args);
    Woke::Served(reply)
}

/// Sets the claim; false when someone else did first.
fn claim(flag: &AtomicBool) -> bool {
    flag.compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire).is_ok()
}

/// Registers `w` on this shard, or serves it at once when one of its keys
/// is ready (a write came between the client's attempt and now). With
/// `attempt`, the command itself runs first.
fn register(shard: &Rc<Shard>, mut w: Waiter) -> Option<Woke> {
    shard.shared.blocking_inflight[shard.id].fetch_sub(1, Ordering::AcqRel);
    if w.attempt {
        shard.tick();
        let (reply, _) = shard.exec(w.cmd, w.db, &w.args);
        if reply != w.on().nil {
            // Served (or refused) at once. A CLIENT UNBLOCK that claimed
            // the wait meanwhile only loses its say: the command ran.
            claim(&w.claim);
            return Some(Woke::Served(reply));
        }
    }
    if let Some(prepare) = w.on().prepare {
        let settings = shard.settings();
        let mut ks = shard.ks.borrow_mut();
        let mut ctx = ExecCtx { ks: &mut ks, db: w.db, now: shard.now(), settings: &settings };
        prepare(&mut ctx, &mut w.args, &w.keys);
    }
    if let Some(key) = w.keys.iter().find(|k| key_ready(shard, &w, k)) {
        if !claim(&w.claim) {
            return Some(Woke::Lost);
        }
        return Some(serve(shard, &w, key));
    }
    shard.blocking.borrow_mut().add(w);
    None
}

/// Serves the waiters of the keys writes made ready, first come first,
/// while the keys can serve them. Runs when the shard is not locked by a
/// multi-shard command.
pub fn serve_ready(shard: &Rc<Shard>) {
    if shard.lock.is_locked() || shard.blocking.borrow().ready.is_empty() || defer(shard) {
        return;
    }
    loop {
        let next = {
            let mut reg = shard.blocking.borrow_mut();
            if reg.ready.is_empty() {
                return;
            }
            reg.ready.remove(0)
        };
        let (db, key) = next;
        shard.tick();
        // Every waiter of the key, first come first, while the key can
        // serve them (each one may need something else: re-check each).
        let queue: Vec<u64> = shard.blocking.borrow().queue(db, &key);
        for id in queue {
            let ready = shard.blocking.borrow().waiters.get(&id).is_some_and(|w| key_ready(shard, w, &key));
            if !ready {
                continue;
            }
            let Some(w) = shard.blocking.borrow_mut().remove(id) else { continue };
            if !claim(&w.claim) {
                // Served elsewhere, timed out or unblocked meanwhile.
                continue;
            }
            let woke = serve(shard, &w, &key);
            answer(shard, w.home, w.tag, woke);
        }
    }
}

/// Most passes in a row a serving waits for registrations on their way
/// (each `DEFER_STEP`): a bound, should a registration be slow to come.
const MAX_DEFERRALS: u32 = 20;
const DEFER_STEP: Duration = Duration::from_micros(50);

/// Whether to put serving off because clients blocked on other cores are
/// registering here right now: a client whose command came first is
/// served first even when its registration is still on its way (a push
/// from a connection of this core is quicker to run than a message from
/// another core). Schedules the later pass.
fn defer(shard: &Rc<Shard>) -> bool {
    let mut reg = shard.blocking.borrow_mut();
    if shard.shared.blocking_inflight[shard.id].load(Ordering::Acquire) == 0 || reg.deferred >= MAX_DEFERRALS {
        reg.deferred = 0;
        return false;
    }
    reg.deferred += 1;
    if !reg.retry_scheduled {
        reg.retry_scheduled = true;
        let s = shard.clone();
        glommio::spawn_local(async move {
            glommio::timer::sleep(DEFER_STEP).await;
            s.blocking.borrow_mut().retry_scheduled = false;
            serve_ready(&s);
        })
        .detach();
    }
    true
}

/// Counts registrations about to travel to `shards` (`up`), or that will
/// not travel after all.
fn announce(shared: &super::shared::Shared, shards: &[usize], up: bool) {
    for &s in shards {
        if up {
            shared.blocking_inflight[s].fetch_add(1, Ordering::AcqRel);
        } else {
            shared.blocking_inflight[s].fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// Sends a wait's outcome to the client's core.
fn answer(shard: &Rc<Shard>, home: usize, tag: u32, woke: Woke) {
    if home == shard.id {
        shard.peer.pending.complete(tag, Box::new(woke));
    } else {
        shard.peer.reply(home, tag, Box::new(woke));
    }
}

/// CLIENT UNBLOCK on this core: ends client `id`'s wait if it is blocked
/// here and not being served already.
pub fn unblock(shard: &Rc<Shard>, id: u64, error: bool) -> bool {
    let Some(meta) = shard.clients.borrow().clients.get(&id).cloned() else { return false };
    let meta = meta.borrow();
    let Some(b) = &meta.blocked else { return false };
    if !claim(&b.claim) {
        return false;
    }
    shard.peer.pending.complete(b.tag, Box::new(Woke::Unblocked(error)));
    true
}

/// Parses a blocking command's timeout in seconds (fractions allowed) as
/// Redis does: milliseconds rounded up, 0 = forever.
pub fn timeout_arg(a: &[u8]) -> Result<u64, Reply> {
    let Some(secs) = crate::util::num::parse_f64(a, true) else {
        return Err(Reply::err("ERR timeout is not a float or out of range"));
    };
    let ms = (secs * 1000.0).ceil();
    // Redis converts to a 64-bit integer: values beyond it come out negative.
    if ms < 0.0 || ms >= i64::MAX as f64 || !ms.is_finite() {
        return Err(Reply::err("ERR timeout is negative"));
    }
    Ok(ms as u64)
}

/// How often a blocked client checks its deadline and its connection.
const POLL: Duration = Duration::from_millis(100);

/// Keeps INFO blocked_clients and CLIENT LIST's `b` flag right for as long
/// as the client waits, however the wait ends.
struct Blocked {
    shard: Rc<Shard>,
    meta: Rc<std::cell::RefCell<super::client::ClientMeta>>,
    timed: bool,
}

impl Blocked {
    fn new(c: &Client, timed: bool) -> Blocked {
        let mut reg = c.shard.clients.borrow_mut();
        reg.blocked += 1;
        reg.blocked_with_timeout += timed as usize;
        Blocked { shard: c.shard.clone(), meta: c.meta.clone(), timed }
    }
}

impl Drop for Blocked {
    fn drop(&mut self) {
        let mut reg = self.shard.clients.borrow_mut();
        reg.blocked -= 1;
        reg.blocked_with_timeout -= self.timed as usize;
        self.meta.borrow_mut().blocked = None;
    }
}

/// Runs a blocking command for a client outside MULTI: the command itself
/// first, then, when it found nothing, the wait.
pub async fn run(c: &mut Client, cmd: &'static CommandSpec, on: &'static BlockOn, args: Vec<Bytes>) -> Reply {
    let arrived = Instant::now();
    let Some(timeout) = (on.timeout)(&args) else { return super::multi::run_one(c, cmd, args).await };
    // When every key lives on one shard, the command runs there as part of
    // the registration (one step, one message); otherwise it runs first,
    // through the coordinator when its keys span shards.
    let groups = group_keys(c, on, &args);
    let shards: Vec<usize> = groups.iter().map(|(s, _)| *s).collect();
    let mut attempt = !groups.is_empty() && one_shard(c, cmd, &args);
    // The shards hear now that this client is coming, so a push they run
    // meanwhile does not serve clients that came later first.
    announce(&c.shard.shared, &shards, true);
    if !attempt {
        let first = super::multi::run_one(c, cmd, args.clone()).await;
        if first != on.nil {
            announce(&c.shard.shared, &shards, false);
            return first;
        }
    }
    let deadline = (timeout > 0).then(|| crate::shard::expire::now_ms().saturating_add(timeout));
    let _blocked = Blocked::new(c, deadline.is_some());
    loop {
        let woke = wait(c, cmd, &args, groups.clone(), deadline, arrived, attempt).await;
        attempt = false;
        if matches!(woke, Woke::Retry) {
            announce(&c.shard.shared, &shards, true);
        }
        match woke {
            Woke::Served(r) => return r,
            Woke::Retry => {
                let r = super::multi::run_one(c, cmd, args.clone()).await;
                if r != on.nil {
                    announce(&c.shard.shared, &shards, false);
                    return r;
                }
                if deadline.is_some_and(|d| crate::shard::expire::now_ms() >= d) {
                    announce(&c.shard.shared, &shards, false);
                    return Reply::NilArray;
                }
            }
            Woke::Unblocked(true) => return Reply::err("UNBLOCKED client unblocked via CLIENT UNBLOCK"),
            Woke::Lost | Woke::Unblocked(false) | Woke::Timeout | Woke::Gone => return Reply::NilArray,
        }
    }
}

/// Whether all the command's keys live on one shard.
fn one_shard(c: &Client, cmd: &CommandSpec, args: &[Bytes]) -> bool {
    let mut idx = Vec::new();
    if key_indices(cmd, args, &mut idx).is_err() {
        return false;
    }
    let shared = &c.shard.shared;
    let mut owners = idx.iter().map(|&i| shared.shard_of_key(&args[i]));
    owners.next().is_some_and(|first| owners.all(|s| s == first))
}

/// The watched keys grouped by owning shard, in the order they first
/// appear.
fn group_keys(c: &Client, on: &BlockOn, args: &[Bytes]) -> Vec<(usize, Vec<Bytes>)> {
    let mut groups: Vec<(usize, Vec<Bytes>)> = Vec::new();
    for i in (on.watched)(args) {
        let key = &args[i];
        let s = c.shard.shared.shard_of_key(key);
        match groups.iter_mut().find(|(g, _)| *g == s) {
            Some((_, keys)) if keys.contains(key) => {}
            Some((_, keys)) => keys.push(key.clone()),
            None => groups.push((s, vec![key.clone()])),
        }
    }
    groups
}

/// One round of waiting: registers the client on the shards of its keys
/// (`groups`, announced to them already), running the command first when
/// `attempt`, and waits for the outcome.
async fn wait(
    c: &Client,
    cmd: &'static CommandSpec,
    args: &[Bytes],
    groups: Vec<(usize, Vec<Bytes>)>,
    deadline: Option<u64>,
    arrived: Instant,
    attempt: bool,
) -> Woke {
    let shard = c.shard.clone();
    let shared = &shard.shared;
    let mut all = Vec::new();
    let whole = groups.len() == 1
        && key_indices(cmd, args, &mut all).is_ok()
        && all.iter().all(|&i| shared.shard_of_key(&args[i]) == groups[0].0);
    let claim_flag = Arc::new(AtomicBool::new(false));
    let tag = shard.peer.pending.register();
    c.meta.borrow_mut().blocked = Some(BlockedOn { tag, claim: claim_flag.clone() });
    let id = shared.next_tx_id();
    let mut registered = Vec::new();
    let mut early = None;
    let mut unsent: Vec<usize> = groups.iter().map(|(s, _)| *s).collect();
    for (s, keys) in groups {
        unsent.remove(0);
        let w = Waiter {
            id,
            claim: claim_flag.clone(),
            home: shard.id,
            tag,
            db: c.db,
            cmd,
            args: args.to_vec(),
            keys,
            whole,
            arrived,
            attempt,
        };
        let out = shard.run_on(s, move |sh| register(sh, w)).await;
        registered.push(s);
        if out.is_some() {
            early = out;
            break;
        }
    }
    announce(shared, &unsent, false);
    let woke = match early {
        Some(Woke::Lost) => outcome(shard.peer.pending.wait(tag).await),
        Some(w) => {
            free_tag(&shard, tag).await;
            w
        }
        None => wait_for_answer(c, tag, &claim_flag, deadline).await,
    };
    // Whoever served the client removed its waiter there; the others (and
    // all of them after a timeout or an unblock) go now.
    if registered.len() > 1 || !matches!(woke, Woke::Served(_) | Woke::Retry) {
        for s in registered {
            shard.run_on(s, move |sh| drop(sh.blocking.borrow_mut().remove(id))).await;
        }
    }
    woke
}

/// The outcome a reply tag carried.
fn outcome(p: super::pending::Payload) -> Woke {
    p.downcast::<Woke>().map_or(Woke::Gone, |w| *w)
}

/// Releases a reply tag nobody will answer.
async fn free_tag(shard: &Shard, tag: u32) {
    shard.peer.pending.complete(tag, Box::new(()));
    shard.peer.pending.wait(tag).await;
}

/// Waits for a serving shard's answer or CLIENT UNBLOCK, checking the
/// deadline and the connection every `POLL`.
async fn wait_for_answer(c: &Client, tag: u32, claim_flag: &AtomicBool, deadline: Option<u64>) -> Woke {
    let pending = &c.shard.peer.pending;
    loop {
        let now = crate::shard::expire::now_ms();
        let step = deadline.map_or(POLL, |d| POLL.min(Duration::from_millis(d.saturating_sub(now))));
        let got = futures_lite::future::or(async { Some(pending.wait(tag).await) }, async {
            glommio::timer::sleep(step).await;
            None
        })
        .await;
        if let Some(p) = got {
            return outcome(p);
        }
        let expired = deadline.is_some_and(|d| crate::shard::expire::now_ms() >= d);
        let gone = disconnected(c);
        if expired || gone {
            if claim(claim_flag) {
                free_tag(&c.shard, tag).await;
                return if gone { Woke::Gone } else { Woke::Timeout };
            }
            // A shard is serving the client right now: its answer is on the way.
            return outcome(pending.wait(tag).await);
        }
    }
}

/// Whether the client closed its connection or was killed while blocked
/// (its input is not read meanwhile, so look without taking anything).
fn disconnected(c: &Client) -> bool {
    let m = c.meta.borrow();
    if m.killed {
        return true;
    }
    let mut b = [0u8; 1];
    // SAFETY: a non-blocking peek into a one-byte buffer on the client's
    // own socket; nothing else reads it while the client is blocked.
    let n = unsafe { libc::recv(m.fd, b.as_mut_ptr().cast(), 1, libc::MSG_PEEK | libc::MSG_DONTWAIT) };
    n == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_as_redis_reads_them() {
        assert_eq!(timeout_arg(b"0"), Ok(0));
        assert_eq!(timeout_arg(b"0.0001"), Ok(1));
        assert_eq!(timeout_arg(b"1.5"), Ok(1500));
        assert_eq!(timeout_arg(b"-0.0001"), Ok(0));
        assert_eq!(timeout_arg(b"-1"), Err(Reply::err("ERR timeout is negative")));
        assert_eq!(timeout_arg(b"inf"), Err(Reply::err("ERR timeout is negative")));
        assert_eq!(timeout_arg(b"1e30"), Err(Reply::err("ERR timeout is negative")));
        assert_eq!(timeout_arg(b"abc"), Err(Reply::err("ERR timeout is not a float or out of range")));
        assert_eq!(timeout_arg(b"nan"), Err(Reply::err("ERR timeout is not a float or out of range")));
    }

    #[test]
    fn registry_keeps_arrival_order_and_forgets() {
        let mut reg = Registry::default();
        assert!(reg.is_empty());
        let cmd = crate::command::lookup(b"blpop").expect("blpop");
        let start = Instant::now();
        let w = |id: u64, keys: &[&str]| Waiter {
            id,
            claim: Arc::new(AtomicBool::new(false)),
            home: 0,
            tag: 0,
            db: 2,
            cmd,
            args: Vec::new(),
            keys: keys.iter().map(|k| Bytes::copy_from_slice(k.as_bytes())).collect(),
            whole: true,
            arrived: start + Duration::from_millis(id),
            attempt: false,
        };
        reg.add(w(1, &["a", "b"]));
        reg.add(w(3, &["b"]));
        // Arrived before 3, registered after it: served before it.
        reg.add(w(2, &["b"]));
        assert_eq!(reg.queue(2, b"b"), [1, 2, 3]);
        reg.signal(2, b"b");
        reg.signal(2, b"b");
        reg.signal(2, b"zz");
        reg.signal(0, b"b");
        assert_eq!(reg.ready.len(), 1);
        assert!(reg.remove(1).is_some());
        assert!(reg.remove(3).is_some());
        assert_eq!(reg.queue(2, b"b"), [2]);
        assert!(reg.queue(2, b"a").is_empty());
        assert!(reg.remove(2).is_some());
        assert!(reg.is_empty() && reg.keys[2].is_empty());
    }
}
