//! BGREWRITEAOF without fork, on the snapshot engine (`persist::engine`):
//! a new base file is a snapshot of the keyspace at a consistent cut, and
//! the writes after the cut go to a new incremental file.
//!
//! * AOF on: a new incremental file is opened and added to the manifest
//!   first (so a crash meanwhile loads old base + old incr + new incr);
//!   inside the cut every shard appends a switch barrier to its feed, and
//!   the writer moves to the new file where the barriers meet (`merge`),
//!   which is exactly the cut. When the snapshot is on disk the manifest
//!   names it as the base and the older files become history, deleted.
//! * Turning the AOF on at runtime (CONFIG SET appendonly yes): the
//!   writer starts on a temporary incremental file outside the manifest,
//!   each shard's feed is attached inside the cut, and when the base is on
//!   disk the temporary file is renamed and the manifest written, as
//!   Redis's AOF_WAIT_REWRITE.
//! * AOF off: the base is written and named with an empty incremental
//!   file.

use super::manifest::Manifest;
use super::writer::ToWriter;
use super::{control, Options, GLOBAL};
use crate::persist::engine::{self, Request};
use crate::persist::status::Kind;
use crate::resp::Reply;
use crate::server::propagate::{Barrier, Chunk};
use crate::server::shard::Shard;
use crate::{notice, warning};

use std::fs::{self, OpenOptions};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// A rewrite waits for a running BGSAVE (aof_rewrite_scheduled).
pub static SCHEDULED: AtomicBool = AtomicBool::new(false);
/// A rewrite runs, from its cut until its base is in the manifest.
pub static RUNNING: AtomicBool = AtomicBool::new(false);
/// Rewrites done and their outcome (INFO aof_rewrites,
/// aof_last_bgrewrite_status, aof_last_rewrite_time_sec).
pub static REWRITES: AtomicU64 = AtomicU64::new(0);
pub static LAST_OK: AtomicBool = AtomicBool::new(true);
pub static LAST_SECS: AtomicU64 = AtomicU64::new(u64::MAX);
static NEXT_ID: AtomicU64 = AtomicU64::new(1 << 62);

/// BGREWRITEAOF.
pub async fn bgrewriteaof(shard: &Rc<Shard>) -> Reply {
    if RUNNING.load(Ordering::Acquire) {
        return Reply::err("ERR Background append only file rewriting already in progress");
    }
    match shard.shared.persist.running() {
        Some(Kind::Aof) => Reply::err("ERR Background append only file rewriting already in progress"),
        Some(Kind::Rdb) => {
            if !SCHEDULED.swap(true, Ordering::AcqRel) {
                let s = shard.clone();
                glommio::spawn_local(async move { run_when_free(&s).await }).detach();
            }
            Reply::Status("Background append only file rewriting scheduled".into())
        }
        None => match start(shard, false).await {
            Some(_) => Reply::Status("Background append only file rewriting started".into()),
            None => Reply::err(
                "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.",
            ),
        },
    }
}

/// Waits until no snapshot runs, then rewrites.
async fn run_when_free(shard: &Rc<Shard>) {
    while shard.shared.persist.running().is_some() || RUNNING.load(Ordering::Acquire) {
        glommio::timer::sleep(std::time::Duration::from_millis(10)).await;
    }
    SCHEDULED.store(false, Ordering::Release);
    if let Some(done) = start(shard, false).await {
        done.await;
    }
}

/// Rewrites the AOF (`enabling`: the AOF is being turned on) and waits
/// for the end; whether it succeeded.
pub async fn rewrite(shard: &Rc<Shard>, enabling: bool) -> bool {
    match start(shard, enabling).await {
        Some(done) => done.await.unwrap_or(false),
        None => false,
    }
}

/// Takes the rewrite's cut and returns the task finishing it (which
/// runs meanwhile); None when it could not start (logged).
async fn start(shard: &Rc<Shard>, enabling: bool) -> Option<glommio::task::JoinHandle<bool>> {
    if RUNNING.swap(true, Ordering::AcqRel) {
        return None;
    }
    let current = control().as_ref().filter(|_| !enabling).map(|c| c.opts.clone());
    let opts = match current {
        Some(o) => o,
        None => shard.on_control(|ctl| Options::from_config(&ctl.config.borrow())).await,
    };
    let started = std::time::Instant::now();
    let p = match prepare(shard, &opts, enabling) {
        Ok(p) => p,
        Err(e) => {
            warning!("{e}");
            done(false, started);
            return None;
        }
    };
    let req = Request {
        kind: Kind::Aof,
        path: opts.dirname.join(snapshot_name(&opts, &p.base, shard.shared.pid)).display().to_string(),
        aof_base: true,
        hook: Some(p.hook.clone()),
        background: true,
    };
    let running = match engine::start(shard, req).await {
        Ok(r) => r,
        Err(_) => {
            warning!("Can't rewrite append only file in background: another snapshot is in progress");
            if enabling {
                super::stop(shard).await;
            }
            done(false, started);
            return None;
        }
    };
    notice!("Background append only file rewriting started by pid {}", shard.shared.pid);
    REWRITES.fetch_add(1, Ordering::Relaxed);
    let s = shard.clone();
    let task = glommio::spawn_local(async move {
        let ok = complete(&s, &opts, p, running, enabling).await;
        done(ok, started);
        ok
    });
    Some(task.detach())
}

/// Notes a rewrite's outcome for INFO; the next one may start.
fn done(ok: bool, started: std::time::Instant) {
    RUNNING.store(false, Ordering::Release);
    LAST_OK.store(ok, Ordering::Relaxed);
    LAST_SECS.store(started.elapsed().as_secs(), Ordering::Relaxed);
}

/// The name of the base a rewrite writes: `<appendfilename>.<seq>` and
/// `.base.rdb`, or `.base.aof` (commands) with aof-use-rdb-preamble no.
fn base_name(opts: &Options, seq: u64) -> String {
    let suffix = if opts.preamble { super::manifest::BASE_RDB } else { super::manifest::BASE_AOF };
    format!("{}.{seq}{suffix}", opts.filename)
}

/// Where the engine writes the snapshot: the base itself, or a temporary
/// RDB the commands are made from.
fn snapshot_name(opts: &Options, base: &str, pid: u32) -> String {
    if opts.preamble {
        base.to_string()
    } else {
        format!("temp-rewriteaof-bg-{pid}.rdb")
    }
}

/// What a rewrite set up before its cut.
struct Prepared {
    base: String,
    /// Incremental files before this sequence number are in the base.
    incr_seq: u64,
    hook: engine::CutHook,
    /// The temporary incremental file when enabling.
    temp_incr: Option<String>,
}

fn prepare(shard: &Rc<Shard>, opts: &Options, enabling: bool) -> Result<Prepared, String> {
    let dir = &opts.dirname;
    fs::create_dir_all(dir).map_err(|e| format!("Can't open or create append-only dir {}: {e}", dir.display()))?;
    let open = |name: &str, truncate: bool| {
        OpenOptions::new()
            .append(!truncate)
            .write(true)
            .truncate(truncate)
            .create(true)
            .open(dir.join(name))
            .map_err(|e| format!("Can't open the append-only file {name}: {e}"))
    };
    let shards = shard.shared.shards;
    if enabling {
        let m = Manifest::read(dir, &opts.manifest_name())?.unwrap_or_default();
        let base = base_name(opts, m.base_seq + 1);
        let temp_incr = format!("temp-{}.incr", opts.filename);
        let file = open(&temp_incr, true)?;
        GLOBAL.current_size.store(0, Ordering::Relaxed);
        super::run_writer(opts, m, file, shards);
        let hook: engine::CutHook = Arc::new(|s| super::attach(s));
        return Ok(Prepared { base, incr_seq: 0, hook, temp_incr: Some(temp_incr) });
    }
    let mut g = control();
    let Some(c) = g.as_mut() else {
        let m = Manifest::read(dir, &opts.manifest_name())?.unwrap_or_default();
        let base = base_name(opts, m.base_seq + 1);
        return Ok(Prepared { base, incr_seq: 0, hook: Arc::new(|_| {}), temp_incr: None });
    };
    let incr = c.manifest.new_incr(&opts.filename);
    let file = open(&incr, false)?;
    c.manifest.persist(dir, &opts.manifest_name())?;
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    c.writer.send(ToWriter::SwitchAt(id, file)).map_err(|_| "The AOF writer is gone".to_string())?;
    let base = base_name(opts, c.manifest.base_seq + 1);
    let switch = Arc::new(Barrier { id, parts: shards, ops: Chunk::default() });
    let hook: engine::CutHook = Arc::new(move |s| s.feed.barrier(&switch));
    Ok(Prepared { base, incr_seq: c.manifest.incr_seq, hook, temp_incr: None })
}

/// Waits for the snapshot, then makes it the base.
async fn complete(shard: &Rc<Shard>, opts: &Options, p: Prepared, running: engine::Running, enabling: bool) -> bool {
    if let Err(f) = running.wait().await {
        warning!("Background AOF rewrite terminated with error");
        if let engine::Failure::Error(e) = f {
            warning!("{e}");
        }
        if enabling {
            super::stop(shard).await;
        }
        return false;
    }
    notice!("Background AOF rewrite terminated with success");
    if !opts.preamble {
        // The base in commands, made from the snapshot.
        let (dir, base, pid) = (opts.dirname.clone(), p.base.clone(), shard.shared.pid);
        let snapshot = dir.join(snapshot_name(opts, &base, pid));
        let settings = shard.settings().as_ref().clone();
        let ts = opts.timestamps.then(|| crate::shard::expire::now_ms() / 1000);
        let converted = crate::server::idle::spawn_blocking(move || {
            let rdb = fs::read(&snapshot).map_err(|e| e.to_string())?;
            let body = super::commands::from_rdb(&rdb, &settings, ts)?;
            let temp = dir.join(format!("temp-rewriteaof-bg-{pid}.aof"));
            fs::write(&temp, body).and_then(|_| fs::rename(&temp, dir.join(&base))).map_err(|e| e.to_string())?;
            let _ = fs::remove_file(&snapshot);
            Ok::<(), String>(())
        })
        .await;
        if let Err(e) = converted {
            warning!("Write error writing append only file on disk: {e}");
            return false;
        }
        notice!("Successfully renamed the temporary AOF base file temp-rewriteaof-bg-{pid}.aof into {}", p.base);
    }
    // Every record from before the cut is written (and the switch passed).
    super::flush(shard).await;
    match finish(opts, &p) {
        Ok(()) => {
            notice!("Background AOF rewrite finished successfully");
            true
        }
        Err(e) => {
            warning!("{e}");
            false
        }
    }
}

/// Names the new base (and, when enabling, the new incremental file) in
/// the manifest, retires the older files and deletes them.
fn finish(opts: &Options, p: &Prepared) -> Result<(), String> {
    let dir = &opts.dirname;
    let mut g = control();
    let mut read;
    let on = g.is_some();
    let m: &mut Manifest = match g.as_mut() {
        Some(c) => &mut c.manifest,
        None => {
            read = Manifest::read(dir, &opts.manifest_name())?.unwrap_or_default();
            &mut read
        }
    };
    let named = m.new_base(&opts.filename, opts.preamble);
    debug_assert_eq!(named, p.base);
    match p.temp_incr.as_deref() {
        Some(temp) => {
            m.history.append(&mut m.incrs);
            let incr = m.new_incr(&opts.filename);
            fs::rename(dir.join(temp), dir.join(&incr))
                .map_err(|e| format!("Error trying to rename the temporary AOF incr file {temp} into {incr}: {e}"))?;
            notice!("Successfully renamed the temporary AOF incr file {temp} into {incr}");
        }
        // The AOF is off: the base alone is the data set.
        None if !on => m.history.append(&mut m.incrs),
        None => m.retire_incrs_before(p.incr_seq),
    }
    m.persist(dir, &opts.manifest_name())?;
    for h in std::mem::take(&mut m.history) {
        notice!("Removing the history file {} in the background", h.name);
        let _ = fs::remove_file(dir.join(&h.name));
    }
    m.persist(dir, &opts.manifest_name())?;
    let (base_size, total) = super::sizes(opts, m);
    GLOBAL.base_size.store(base_size, Ordering::Relaxed);
    GLOBAL.current_size.store(total, Ordering::Relaxed);
    Ok(())
}
