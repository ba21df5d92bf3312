//! The snapshot engine: one snapshot of the whole keyspace at a time, cut
//! consistently across shards, written by every shard in the background,
//! assembled into one RDB file. See the module doc of `persist`.

use super::file;
use super::part::{self, PartDone, Plan};
use super::status::Kind;
use crate::server::coordinator::on_all_atomically;
use crate::server::shard::Shard;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs on every shard inside the cut, before its part starts (the AOF
/// switches its incremental file there for BGREWRITEAOF).
pub type CutHook = Arc<dyn Fn(&Rc<Shard>) + Send + Sync>;

/// What to snapshot, and where to.
pub struct Request {
    pub kind: Kind,
    /// The final file name (relative names are in `dir`).
    pub path: String,
    /// The aof-base AUX field: the file is an AOF's base (RDB preamble).
    pub aof_base: bool,
    pub hook: Option<CutHook>,
    /// Small time-budgeted steps between requests (BGSAVE), or as fast as
    /// the shards can (SAVE).
    pub background: bool,
}

/// A finished snapshot.
#[derive(Debug)]
pub struct Outcome {
    pub bytes: u64,
    pub keys: u64,
    /// Peak extra memory: bytes written early because of writes, plus the
    /// shards' largest buffers.
    pub cow: u64,
    pub elapsed: Duration,
}

/// Why a snapshot did not produce its file.
#[derive(Debug)]
pub enum Failure {
    /// Stopped on purpose (FLUSHALL, SHUTDOWN).
    Aborted,
    /// The message to log.
    Error(String),
}

/// A snapshot whose parts are being written.
pub struct Running {
    shard: Rc<Shard>,
    tags: Vec<u32>,
    temp: String,
    path: String,
    checksum: bool,
    started: Instant,
    /// Each shard's write counter at the cut.
    dirty: Vec<u64>,
}

static NEXT_GEN: AtomicU64 = AtomicU64::new(1);

/// Takes the cut and starts every shard's part. Fails with the kind of the
/// snapshot already running.
pub async fn start(shard: &Rc<Shard>, req: Request) -> Result<Running, Kind> {
    let status = &shard.shared.persist;
    status.claim(req.kind)?;
    let settings = shard.settings();
    let shards = shard.shared.shards;
    let tags: Vec<u32> = (0..shards).map(|_| shard.peer.pending.register()).collect();
    let temp = file::temp_path(shard.shared.pid);
    let now = crate::shard::expire::now_ms();
    status.current_start_ms.store(now, Ordering::Relaxed);
    let plan = Arc::new(Plan {
        gen: NEXT_GEN.fetch_add(1, Ordering::Relaxed),
        initiator: shard.id,
        tags: tags.clone(),
        temp: temp.clone(),
        aux: file::header_aux(now / 1000, crate::metrics::memory::read().used, req.aof_base),
        compress: settings.rdbcompression,
        background: req.background,
        key_delay_us: settings.rdb_key_save_delay.max(0) as u64,
    });
    let hook = req.hook.clone();
    let dirty = on_all_atomically(shard, move |s| {
        if let Some(h) = &hook {
            h(s);
        }
        part::begin(s, &plan)
    })
    .await;
    Ok(Running {
        shard: shard.clone(),
        tags,
        temp,
        path: req.path,
        checksum: settings.rdbchecksum,
        started: Instant::now(),
        dirty,
    })
}

impl Running {
    /// Waits for every part, assembles the file and, when it is on disk,
    /// takes the writes up to the cut off every shard's write counter.
    /// The snapshot slot is free again when this returns.
    pub async fn wait(self) -> Result<Outcome, Failure> {
        let shard = self.shard.clone();
        let r = self.finish().await;
        shard.shared.persist.release();
        r
    }

    async fn finish(self) -> Result<Outcome, Failure> {
        let shards = self.tags.len();
        let mut parts = Vec::with_capacity(shards);
        for &tag in &self.tags {
            let p = self.shard.peer.pending.wait(tag).await;
            // The mesh answers `()` only when the process is going down.
            parts
                .push(p.downcast::<PartDone>().map(|b| *b).unwrap_or(PartDone { aborted: true, ..Default::default() }));
        }
        if parts.iter().any(|p| p.aborted) {
            file::remove_temp(&self.temp, shards);
            return Err(Failure::Aborted);
        }
        if let Some(e) = parts.iter().find_map(|p| p.error.clone()) {
            file::remove_temp(&self.temp, shards);
            return Err(Failure::Error(e));
        }
        let (temp, path, checksum) = (self.temp.clone(), self.path.clone(), self.checksum);
        let assembled =
            crate::server::idle::spawn_blocking(move || file::assemble(&temp, shards, &path, checksum)).await;
        let bytes = match assembled {
            Ok(n) => n,
            Err(e) => {
                file::remove_temp(&self.temp, shards);
                return Err(Failure::Error(e));
            }
        };
        let dirty = Arc::new(self.dirty);
        self.shard
            .run_on_all(move |s| {
                let mut ks = s.ks.borrow_mut();
                ks.dirty = ks.dirty.saturating_sub(dirty[s.id]);
                s.shared.persist.dirty[s.id].store(ks.dirty, Ordering::Relaxed);
            })
            .await;
        Ok(Outcome {
            bytes,
            keys: parts.iter().map(|p| p.keys).sum(),
            cow: parts.iter().map(|p| p.cow).sum(),
            elapsed: self.started.elapsed(),
        })
    }
}

/// Stops the running snapshot's parts on every shard (its initiator then
/// removes the files); nothing when none runs.
pub async fn abort(shard: &Rc<Shard>) {
    if shard.shared.persist.running().is_some() {
        shard.run_on_all(|s| part::abort(s)).await;
    }
}
