//! Persistence: fork-less RDB snapshots, loading, the save schedule and
//! shutdown.
//!
//! # The snapshot engine (`engine`)
//!
//! One snapshot runs at a time (`status::Status::claim`). `engine::start`
//! takes a consistent cut of the whole keyspace: it locks every shard as
//! FLUSHALL does (`on_all_atomically`), and inside the lock each shard runs
//! the request's hook, if any, and starts its part (`part::begin`): it
//! notes its databases' key counts and its write counter, opens its part
//! file and spawns a task that walks its (database, slot) pairs, writing
//! each slot's entries in RDB format, in small time-budgeted steps between
//! requests. Then all shards unlock and serve as usual.
//!
//! Point in time: before a write changes a slot the part has not written
//! yet, the slot is written first (slot-granular copy-on-write, `cow`):
//! `Shard::exec` for commands that may write (their keys' slots), the
//! coordinator's write-back, blocked clients served in place, the active
//! expire cycle, and whole-database changes (FLUSHDB, SWAPDB, reload),
//! which first write the rest of the database. FLUSHALL stops a running
//! BGSAVE instead, as Redis kills its child. The bytes written early plus
//! the largest buffer are the snapshot's extra memory
//! (`Outcome::cow`, INFO rdb_last_cow_size).
//!
//! `Running::wait` waits for every part, then (on a blocking thread)
//! appends shards 1.. to shard 0's file (header + its part), adds EOF and
//! the CRC64, fsyncs and renames it (`file`), and takes the writes up to
//! the cut off every shard's write counter.
//!
//! Using it (BGREWRITEAOF's base file, for example):
//!
//! ```ignore
//! let running = persist::engine::start(&shard, persist::engine::Request {
//!     kind: persist::status::Kind::Aof,
//!     path: "appendonly.aof.2.base.rdb".into(),
//!     aof_base: true,
//!     hook: Some(Arc::new(|s| { /* runs on every shard inside the cut */ })),
//!     background: true,
//! }).await?;              // Err(kind): another snapshot is running
//! let outcome = running.wait().await; // Result<Outcome, Failure>
//! ```
//!
//! # The rest
//!
//! `save`: SAVE/BGSAVE with Redis's log lines and status; `schedule`: the
//! `save` points on the control core; `load`: reading a file into the
//! shards at start-up and for DEBUG RELOAD; `shutdown`: SHUTDOWN and the
//! signals; `status`: what INFO, LASTSAVE and MISCONF read.

pub mod cow;
pub mod engine;
pub mod file;
pub mod load;
pub mod part;
pub mod save;
pub mod schedule;
pub mod shutdown;
pub mod status;

/// Redis's MISCONF error for writes after a failed background save.
pub const MISCONF: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist \
to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors \
during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for \
details about the RDB error.";

/// Whether writes are refused with MISCONF: the last BGSAVE failed, save
/// points exist and stop-writes-on-bgsave-error is on.
pub fn writes_denied(shard: &crate::server::shard::Shard) -> bool {
    if !shard.shared.persist.bgsave_failed() {
        return false;
    }
    let s = shard.settings.borrow();
    s.stop_writes_on_bgsave_error && s.save_points
}
