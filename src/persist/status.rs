//! Node-wide persistence status: what INFO persistence, LASTSAVE, the save
//! schedule and the MISCONF check read. Kept in atomics inside `Shared`, so
//! any core reads it without a message; only the snapshot engine and the
//! save paths (`persist::save`) write it.

use crate::shard::Keyspace;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicU64, AtomicU8, AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;

/// What the running snapshot is for (INFO tells an RDB save from an AOF
/// rewrite; BGSAVE answers differently to each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Rdb = 1,
    Aof = 2,
}

/// Persistence state shared by all cores.
pub struct Status {
    /// 0 = no snapshot running, else a `Kind`.
    running: AtomicU8,
    /// Unix ms when the running snapshot's cut was taken.
    pub current_start_ms: AtomicU64,
    /// Unix seconds of the last successful save (LASTSAVE).
    pub lastsave: AtomicU64,
    /// Unix seconds of the last BGSAVE attempt (a failed one is retried
    /// by the schedule only after a pause, as Redis does).
    pub last_try: AtomicU64,
    /// Whether the last background save succeeded.
    pub last_bgsave_ok: AtomicBool,
    /// Seconds the last background save took; -1 before the first.
    pub last_bgsave_secs: AtomicI64,
    /// SAVE/BGSAVE calls (INFO rdb_saves).
    pub saves: AtomicU64,
    /// Peak extra bytes of the last snapshot (INFO rdb_last_cow_size).
    pub last_cow: AtomicU64,
    /// BGSAVE SCHEDULE waiting for the running AOF snapshot to end.
    pub scheduled: AtomicBool,
    /// Keys the last load put in the keyspace, and keys it skipped as
    /// expired.
    pub loaded_keys: AtomicU64,
    pub loaded_expired: AtomicU64,
    /// Per shard: its write counter since the last save, published by the
    /// shard's cron for the control core's save schedule.
    pub dirty: Vec<AtomicU64>,
    /// A shutdown (SHUTDOWN or a signal) is saving; a second SIGINT exits
    /// at once.
    pub shutting_down: AtomicBool,
    /// A SIGTERM/SIGINT for shard 0's cron to act on (0: none).
    pub pending_signal: AtomicI32,
    /// DEBUG PAUSE-CRON: signals wait and the save schedule stops.
    pub cron_paused: AtomicBool,
    /// The start-up load is running: commands without the `loading` flag
    /// answer LOADING (INFO loading).
    pub loading: AtomicBool,
    /// The keyspaces the start-up load made, one per shard, until each
    /// shard takes its own; and how many did.
    pub loaded: Mutex<Vec<Option<Keyspace>>>,
    pub installed: AtomicUsize,
    /// The running snapshot's progress (INFO current_*): keys at the cut,
    /// keys written, bytes written early because of writes, and their peak.
    pub current_total: AtomicU64,
    pub current_keys: AtomicU64,
    pub current_cow: AtomicU64,
    pub current_cow_peak: AtomicU64,
}

impl Status {
    pub fn new(shards: usize, now_secs: u64) -> Status {
        Status {
            running: AtomicU8::new(0),
            current_start_ms: AtomicU64::new(0),
            lastsave: AtomicU64::new(now_secs),
            last_try: AtomicU64::new(0),
            last_bgsave_ok: AtomicBool::new(true),
            last_bgsave_secs: AtomicI64::new(-1),
            saves: AtomicU64::new(0),
            last_cow: AtomicU64::new(0),
            scheduled: AtomicBool::new(false),
            loaded_keys: AtomicU64::new(0),
            loaded_expired: AtomicU64::new(0),
            dirty: (0..shards).map(|_| AtomicU64::new(0)).collect(),
            shutting_down: AtomicBool::new(false),
            pending_signal: AtomicI32::new(0),
            cron_paused: AtomicBool::new(false),
            loading: AtomicBool::new(false),
            loaded: Mutex::new(Vec::new()),
            installed: AtomicUsize::new(0),
            current_total: AtomicU64::new(0),
            current_keys: AtomicU64::new(0),
            current_cow: AtomicU64::new(0),
            current_cow_peak: AtomicU64::new(0),
        }
    }

    /// Claims the one snapshot slot for `kind`; the kind already running
    /// when it is taken.
    pub fn claim(&self, kind: Kind) -> Result<(), Kind> {
        match self.running.compare_exchange(0, kind as u8, Relaxed, Relaxed) {
            Ok(_) => Ok(()),
            Err(k) => Err(if k == Kind::Aof as u8 { Kind::Aof } else { Kind::Rdb }),
        }
    }

    pub fn release(&self) {
        for c in [&self.current_total, &self.current_keys, &self.current_cow, &self.current_cow_peak] {
            c.store(0, Relaxed);
        }
        self.running.store(0, Relaxed);
    }

    /// A part's progress: `keys` more written, `cow` more bytes early.
    pub fn progress(&self, keys: u64, cow: u64) {
        self.current_keys.fetch_add(keys, Relaxed);
        if cow > 0 {
            let now = self.current_cow.fetch_add(cow, Relaxed) + cow;
            self.current_cow_peak.fetch_max(now, Relaxed);
        }
    }

    /// The kind of the running snapshot, if any.
    pub fn running(&self) -> Option<Kind> {
        match self.running.load(Relaxed) {
            1 => Some(Kind::Rdb),
            2 => Some(Kind::Aof),
            _ => None,
        }
    }

    /// Node-wide writes since the last save, as last published.
    pub fn dirty(&self) -> u64 {
        self.dirty.iter().map(|d| d.load(Relaxed)).sum()
    }

    /// Whether the last background save failed (MISCONF when the
    /// configuration says to stop writes then).
    pub fn bgsave_failed(&self) -> bool {
        !self.last_bgsave_ok.load(Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_snapshot_at_a_time_and_progress_resets() {
        let s = Status::new(2, 0);
        assert_eq!(s.claim(Kind::Aof), Ok(()));
        assert_eq!(s.claim(Kind::Rdb), Err(Kind::Aof));
        assert_eq!(s.running(), Some(Kind::Aof));
        s.progress(10, 100);
        s.progress(5, 50);
        assert_eq!(s.current_keys.load(Relaxed), 15);
        assert_eq!(s.current_cow_peak.load(Relaxed), 150);
        s.release();
        assert_eq!(s.running(), None);
        assert_eq!(s.current_cow.load(Relaxed), 0);
        assert_eq!(s.claim(Kind::Rdb), Ok(()));
    }
}
