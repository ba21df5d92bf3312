//! RDB saves as Redis makes them: SAVE (and the saves of SHUTDOWN, FLUSHALL
//! and DEBUG RELOAD) and BGSAVE, on the snapshot engine, with Redis's log
//! lines and the status INFO persistence, LASTSAVE and MISCONF read.

use super::engine::{self, Failure, Outcome, Request};
use super::status::Kind;
use crate::server::shard::Shard;
use crate::{notice, warning};
use std::rc::Rc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

fn now_secs() -> u64 {
    crate::shard::expire::now_ms() / 1000
}

fn rdb_request(shard: &Shard, background: bool) -> Request {
    Request { kind: Kind::Rdb, path: shard.settings().dbfilename.clone(), aof_base: false, hook: None, background }
}

/// Why a SAVE did not happen.
#[derive(Debug, PartialEq, Eq)]
pub enum SaveError {
    /// A BGSAVE is running (SAVE refuses then).
    InProgress,
    /// Logged already.
    Failed,
}

/// A synchronous save: waits for a running AOF snapshot to end first; a
/// running BGSAVE makes it fail with `InProgress` unless `wait_bgsave`.
pub async fn save(shard: &Rc<Shard>, wait_bgsave: bool) -> Result<Outcome, SaveError> {
    let running = loop {
        match engine::start(shard, rdb_request(shard, false)).await {
            Ok(r) => break r,
            Err(Kind::Rdb) if !wait_bgsave => return Err(SaveError::InProgress),
            Err(_) => glommio::timer::sleep(Duration::from_millis(5)).await,
        }
    };
    let status = &shard.shared.persist;
    match running.wait().await {
        Ok(o) => {
            notice!("DB saved on disk");
            status.lastsave.store(now_secs(), Relaxed);
            status.last_bgsave_ok.store(true, Relaxed);
            Ok(o)
        }
        Err(Failure::Aborted) => {
            warning!("Write error saving DB on disk: the save was stopped");
            Err(SaveError::Failed)
        }
        Err(Failure::Error(e)) => {
            warning!("{e}");
            Err(SaveError::Failed)
        }
    }
}

/// BGSAVE: takes the cut and returns once every shard writes its part;
/// the rest runs in the background on this core. Fails with the kind of
/// the snapshot already running.
pub async fn bgsave(shard: &Rc<Shard>) -> Result<(), Kind> {
    let status = &shard.shared.persist;
    let running = engine::start(shard, rdb_request(shard, true)).await?;
    status.saves.fetch_add(1, Relaxed);
    status.last_try.store(now_secs(), Relaxed);
    notice!("Background saving started by pid {}", shard.shared.pid);
    let sh = shard.clone();
    glommio::spawn_local(async move {
        let started = sh.shared.persist.current_start_ms.load(Relaxed);
        let result = running.wait().await;
        let status = &sh.shared.persist;
        let secs = (crate::shard::expire::now_ms().saturating_sub(started) / 1000) as i64;
        match result {
            Ok(o) => {
                notice!("DB saved on disk");
                notice!(
                    "Snapshot CoW for RDB: peak {} bytes ({} keys, {} bytes written in {:.3} seconds)",
                    o.cow,
                    o.keys,
                    o.bytes,
                    o.elapsed.as_secs_f64()
                );
                notice!("Background saving terminated with success");
                status.lastsave.store(now_secs(), Relaxed);
                status.last_bgsave_ok.store(true, Relaxed);
                status.last_cow.store(o.cow, Relaxed);
            }
            Err(Failure::Aborted) => {
                // Stopped on purpose, as Redis kills its child with SIGUSR1:
                // not an error.
                warning!("Background saving terminated by signal 10");
            }
            Err(Failure::Error(e)) => {
                warning!("{e}");
                warning!("Background saving error");
                status.last_bgsave_ok.store(false, Relaxed);
            }
        }
        status.last_bgsave_secs.store(secs, Relaxed);
    })
    .detach();
    Ok(())
}

/// Stops a running BGSAVE (not an AOF rewrite) and waits until the engine
/// is free of it: FLUSHALL and SHUTDOWN do this, as Redis kills its child.
pub async fn kill_bgsave(shard: &Rc<Shard>) {
    let status = &shard.shared.persist;
    if status.running() != Some(Kind::Rdb) {
        return;
    }
    engine::abort(shard).await;
    for _ in 0..2000 {
        if status.running() != Some(Kind::Rdb) {
            return;
        }
        glommio::timer::sleep(Duration::from_millis(1)).await;
    }
}
