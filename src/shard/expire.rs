//! Expiry support: the coarse clock entries use for their access time, and
//! the active expire cycle that deletes keys nobody reads any more.

use super::keyspace::Keyspace;
use std::cell::Cell;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

thread_local! {
    static CLOCK_SECS: Cell<u32> = const { Cell::new(0) };
    static EXPIRY_PAUSED_UNTIL: Cell<u64> = const { Cell::new(0) };
}

/// CLIENT PAUSE: until Unix ms `until`, this thread reports keys past
/// their time as missing but does not delete them.
pub fn pause_expiry(until: u64) {
    EXPIRY_PAUSED_UNTIL.with(|c| c.set(until));
}

/// Set while the AOF or RDB is loaded at start-up: no key counts as
/// expired then (commands later in the file saw it alive).
static LOADING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub fn set_loading(on: bool) {
    LOADING.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Whether start-up loading is under way (checked only for expired keys).
pub fn loading() -> bool {
    LOADING.load(std::sync::atomic::Ordering::Relaxed)
}

/// Whether deleting expired keys is paused at `now_ms`.
pub fn expiry_paused(now_ms: u64) -> bool {
    now_ms < EXPIRY_PAUSED_UNTIL.with(|c| c.get())
}

/// Current Unix time in milliseconds.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Seconds clock for access times; updated by `set_clock`.
pub fn lru_clock() -> u32 {
    CLOCK_SECS.with(|c| c.get())
}

/// Updates this thread's access clock from a millisecond time.
pub fn set_clock(now_ms: u64) {
    CLOCK_SECS.with(|c| c.set((now_ms / 1000) as u32));
}

/// Where the active expire cycle continues next time.
#[derive(Default)]
pub struct ExpireCycle {
    db: usize,
    slot: usize,
}

impl ExpireCycle {
    /// Deletes expired keys for at most `budget` of time. Like Redis's
    /// cycle it keeps going only while a good share (over 10%) of the keys
    /// it examines turn out expired. `before(db, db index, slot)` runs
    /// before a slot is changed (a running snapshot writes it first);
    /// `deleted_key` hears of each key it deletes (database index, key).
    /// Returns how many keys it deleted.
    pub fn run(
        &mut self,
        ks: &mut Keyspace,
        now_ms: u64,
        budget: Duration,
        before: &mut dyn FnMut(&super::Db, usize, usize),
        deleted_key: &mut dyn FnMut(usize, &[u8]),
    ) -> usize {
        let start = Instant::now();
        let (mut examined, mut deleted) = (0usize, 0usize);
        let ndb = ks.dbs.len();
        let mut empty_dbs = 0;
        while empty_dbs < ndb {
            let n = self.db;
            let db = &mut ks.dbs[n];
            match db.next_volatile_slot(self.slot) {
                Some(slot) => {
                    empty_dbs = 0;
                    before(db, n, slot);
                    let (e, d) = db.expire_slot(slot, now_ms, &mut |k| deleted_key(n, k));
                    examined += e;
                    deleted += d;
                    self.slot = slot + 1;
                }
                None => {
                    self.slot = 0;
                    self.db = (self.db + 1) % ndb;
                    empty_dbs += 1;
                    continue;
                }
            }
            if examined >= 200 && (deleted * 10 < examined || start.elapsed() >= budget) {
                break;
            }
        }
        ks.expired += deleted as u64;
        ks.dirty += deleted as u64;
        deleted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shard::value::Value;
    use bytes::Bytes;

    #[test]
    fn cycle_deletes_expired_everywhere() {
        let mut ks = Keyspace::new(4);
        for db in 0..4 {
            for i in 0..1000 {
                let k = Bytes::from(format!("k{i}"));
                ks.db(db).set(k.clone(), Value::Str("v".into()));
                ks.db(db).set_expire(&k, 5);
            }
        }
        let mut c = ExpireCycle::default();
        let mut total = 0;
        for _ in 0..10 {
            total += c.run(&mut ks, 10, Duration::from_secs(1), &mut |_, _, _| {}, &mut |_, _| {});
        }
        assert_eq!(total, 4000);
        assert_eq!(ks.keys(), 0);
        assert_eq!(ks.expired, 4000);
    }
}
