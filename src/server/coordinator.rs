//! Multi-shard commands in standalone mode. The coordinator locks every
//! shard the command's keys live on, in ascending shard order, fetching
//! those keys as it goes; runs the command's ordinary handler on a
//! temporary keyspace holding just those keys; writes the result back to
//! the owning shards and unlocks them. No client ever sees half of it, and
//! single-shard commands never pay for it.

use super::client::Client;
use super::propagate::{rewrite, Barrier, Chunk, Unit};
use crate::command::spec::Exec;
use crate::command::{CommandSpec, ExecCtx};
use crate::resp::Reply;
use crate::shard::expire;
use crate::shard::{Entry, Keyspace};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

/// Runs `cmd` whose keys (at `key_idx` in `args`) span several shards.
pub async fn run_multi(c: &Client, cmd: &'static CommandSpec, args: &[Bytes], key_idx: &[usize]) -> Reply {
    let keys = key_idx.iter().map(|&i| args[i].clone()).collect();
    let mut replies = run_atomically(c, &[(cmd, args)], keys).await;
    replies.pop().unwrap_or(Reply::NilArray)
}

/// Runs shard commands one after the other as one atomic step over the
/// shards that own `keys` (every key any of them touches): a multi-key
/// command, or the body of a MULTI/EXEC transaction.
///
/// A command that reads keys named by values (`DerivedKeys`: SORT ... BY
/// or GET patterns) makes it lock every shard; right before that command
/// runs, the keys it will read are asked for and fetched (from the
/// selected database) into the temporary keyspace. They are only read, so
/// they are not written back.
pub async fn run_atomically(c: &Client, cmds: &[(&'static CommandSpec, &[Bytes])], keys: Vec<Bytes>) -> Vec<Reply> {
    let shard = c.shard.clone();
    let db = c.db;
    let owner = shard.shared.next_tx_id();
    let mut by_shard: BTreeMap<usize, Vec<Bytes>> = BTreeMap::new();
    if cmds.iter().any(|(cmd, args)| cmd.derives_keys(args)) {
        for s in 0..shard.shared.shards {
            by_shard.insert(s, Vec::new());
        }
    }
    for key in keys {
        let list = by_shard.entry(shard.shared.shard_of_key(&key)).or_default();
        if !list.contains(&key) {
            list.push(key);
        }
    }
    let settings = shard.settings();
    let mut temp = Keyspace::new(settings.databases);
    // Keys are fetched from every database: COPY ... DB and MOVE name a key
    // of another database, which lives on the same shard as its name.
    for (&s, keys) in &by_shard {
        let keys = keys.clone();
        let fetched: Vec<(usize, Bytes, Entry)> = shard
            .lock_run(s, owner, move |sh| {
                let now = expire::now_ms();
                let mut ks = sh.ks.borrow_mut();
                if sh.feed.active() {
                    // Keys found expired propagate their deletion here,
                    // before the step's own record.
                    let settings = sh.settings();
                    sh.feed.begin();
                    for n in 0..ks.dbs.len() {
                        for k in &keys {
                            sh.feed.expire_if_due(&mut ks, n, k, now, &settings);
                        }
                    }
                    drop(ks);
                    sh.feed.end();
                    ks = sh.ks.borrow_mut();
                }
                let mut out = Vec::new();
                for (n, db) in ks.dbs.iter_mut().enumerate() {
                    for k in &keys {
                        if let Some(e) = db.get(k, now) {
                            out.push((n, k.clone(), e.clone()));
                        }
                    }
                }
                out
            })
            .await;
        for (n, k, e) in fetched {
            temp.db(n).insert(k, e);
        }
    }
    let now = expire::now_ms();
    let mut replies = Vec::with_capacity(cmds.len());
    let propagating = shard.feed.active();
    let mut unit = Unit::default();
    for &(cmd, args) in cmds {
        let Exec::Shard(handler) = cmd.exec else {
            replies.push(Reply::err("ERR internal: not a shard command"));
            continue;
        };
        if let Some(d) = cmd.derived.filter(|d| (d.needed)(args)) {
            let wanted = {
                let mut ctx = ExecCtx { ks: &mut temp, db, now, settings: &settings };
                (d.keys)(&mut ctx, args)
            };
            fetch_derived(&shard, owner, db, &mut temp, &by_shard, wanted).await;
        }
        let start = Instant::now();
        let dirty = temp.dirty;
        let reply = {
            let mut ctx = ExecCtx { ks: &mut temp, db, now, settings: &settings };
            handler(&mut ctx, args)
        };
        if propagating && temp.dirty != dirty && !reply.is_error() {
            rewrite::command(&mut unit, cmd, db, args, &reply, &mut temp, settings.lazyfree_lazy_expire);
        }
        let nanos = start.elapsed().as_nanos() as u64;
        shard.stats.borrow_mut().call(cmd.id, nanos, settings.latency_tracking);
        replies.push(reply);
    }
    let dirty = temp.dirty;
    // The step's record goes to every shard it locked, in the place the
    // step takes in that shard's order (see `propagate`).
    let record = (!unit.is_empty()).then(|| {
        let mut ops = Chunk::default();
        unit.finish(&mut ops);
        Arc::new(Barrier { id: owner, parts: by_shard.len(), ops })
    });
    let mut waits = Vec::new();
    for (&s, keys) in &by_shard {
        let writes: Vec<(usize, Bytes, Option<Entry>)> = (0..temp.dbs.len())
            .flat_map(|n| keys.iter().map(move |k| (n, k.clone())))
            .map(|(n, k)| {
                let e = temp.db(n).remove(&k);
                (n, k, e)
            })
            .collect();
        let own_dirty = if s == shard.id { dirty } else { 0 };
        let record = record.clone();
        let tag = shard
            .unlock_run_start(s, owner, move |sh| {
                if let Some(r) = &record {
                    sh.feed.barrier(r);
                }
                if sh.snapshotting.get() {
                    let ks = sh.ks.borrow();
                    for (n, k, _) in &writes {
                        crate::persist::cow::before_key(sh, &ks, *n, k);
                    }
                }
                let mut ks = sh.ks.borrow_mut();
                ks.dirty += own_dirty;
                for (n, k, e) in writes {
                    match e {
                        Some(e) => {
                            sh.blocking.borrow_mut().signal(n, &k);
                            ks.db(n).insert(k, e);
                        }
                        None => {
                            sh.blocking.borrow_mut().signal(n, &k);
                            ks.db(n).remove(&k);
                        }
                    }
                }
            })
            .await;
        waits.extend(tag);
    }
    for tag in waits {
        shard.peer.pending.wait(tag).await;
    }
    if !by_shard.contains_key(&shard.id) {
        shard.ks.borrow_mut().dirty += dirty;
    }
    // Keyspace hits and misses are node-wide sums: any shard may count them.
    let mut ks = shard.ks.borrow_mut();
    ks.hits += temp.hits;
    ks.misses += temp.misses;
    replies
}

/// Copies into `temp` (database `db`) the `wanted` keys it does not hold
/// yet from their shards, all of which `owner` has locked.
async fn fetch_derived(
    shard: &std::rc::Rc<super::shard::Shard>,
    owner: u64,
    db: usize,
    temp: &mut Keyspace,
    own_keys: &BTreeMap<usize, Vec<Bytes>>,
    wanted: Vec<Bytes>,
) {
    let mut by_shard: BTreeMap<usize, Vec<Bytes>> = BTreeMap::new();
    for key in wanted {
        let s = shard.shared.shard_of_key(&key);
        // The command's own keys are there already (or were deleted by an
        // earlier command of the transaction).
        if own_keys.get(&s).is_some_and(|own| own.contains(&key)) || temp.db(db).peek(&key, 0).is_some() {
            continue;
        }
        by_shard.entry(s).or_default().push(key);
    }
    for (s, mut keys) in by_shard {
        keys.sort_unstable();
        keys.dedup();
        let fetched: Vec<(Bytes, Entry)> = shard
            .locked_run(s, owner, move |sh| {
                let now = expire::now_ms();
                let mut ks = sh.ks.borrow_mut();
                let d = ks.db(db);
                keys.into_iter().filter_map(|k| d.get(&k, now).map(|e| (k.clone(), e.clone()))).collect()
            })
            .await;
        for (k, e) in fetched {
            temp.db(db).insert(k, e);
        }
    }
}

/// Runs `f` on every shard as one atomic step: all shards are locked (in
/// ascending order) before any of them runs it, and unlocked after.
/// Returns the results in shard order.
pub async fn on_all_atomically<R, F>(shard: &std::rc::Rc<super::shard::Shard>, f: F) -> Vec<R>
where
    R: Send + 'static,
    F: Fn(&std::rc::Rc<super::shard::Shard>) -> R + Send + Clone + 'static,
{
    let owner = shard.shared.next_tx_id();
    let n = shard.shared.shards;
    for s in 0..n {
        shard.lock_run(s, owner, |_| ()).await;
    }
    let results = std::rc::Rc::new(std::cell::RefCell::new((0..n).map(|_| None).collect::<Vec<Option<R>>>()));
    let mut waits = Vec::new();
    for s in 0..n {
        if s == shard.id {
            results.borrow_mut()[s] = Some(f(shard));
            shard.release();
        } else {
            let f = f.clone();
            let job: super::peer::ShardJob = Box::new(move |sh| {
                let r = f(sh);
                Box::new(r) as super::pending::Payload
            });
            let tag = shard.peer.send_request(s, |tag| super::peer::Msg::Unlock { tag, owner, job }).await;
            waits.push((s, tag));
        }
    }
    for (s, tag) in waits {
        let p = shard.peer.pending.wait(tag).await;
        if let Ok(r) = p.downcast::<R>() {
            results.borrow_mut()[s] = Some(*r);
        }
    }
    let v = std::mem::take(&mut *results.borrow_mut());
    v.into_iter().flatten().collect()
}
