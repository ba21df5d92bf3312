//! Facts every core reads and a few counters every core bumps: set once at
//! start-up or changed only with atomics (client ids, connected clients),
//! never a lock.

use crate::shard::slot::SlotMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Process-wide state shared by all cores.
pub struct Shared {
    pub shards: usize,
    pub slots: SlotMap,
    pub started: Instant,
    pub started_unix: u64,
    pub run_id: String,
    pub port: u16,
    pub executable: String,
    pub config_file: String,
    pub pidfile: String,
    pub pid: u32,
    /// CPUs the shards are pinned to, shard i on cpus[i % len].
    pub cpus: Vec<usize>,
    next_client_id: AtomicU64,
    next_tx_id: AtomicU64,
    /// Ids of slow log entries, unique over all cores.
    pub slowlog_next_id: AtomicU64,
    pub connected_clients: AtomicUsize,
    pub total_connections: AtomicU64,
    pub rejected_connections: AtomicU64,
    pub shutting_down: AtomicBool,
    /// Exit status the main thread returns once the executors stop.
    pub exit_code: AtomicUsize,
    /// Per shard: blocked clients' registrations on their way to it
    /// (`server::blocking` serves in arrival order across cores).
    pub blocking_inflight: Vec<AtomicUsize>,
    /// Snapshots, saves and loads (`persist::status`).
    pub persist: crate::persist::status::Status,
}

impl Shared {
    pub fn new(shards: usize, cpus: Vec<usize>, port: u16, config_file: String, pidfile: String) -> Shared {
        let executable = std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_default();
        let started_unix = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        Shared {
            shards,
            slots: SlotMap::even(shards),
            started: Instant::now(),
            started_unix,
            run_id: random_hex(40),
            port,
            executable,
            config_file,
            pidfile,
            pid: std::process::id(),
            cpus,
            next_client_id: AtomicU64::new(1),
            next_tx_id: AtomicU64::new(1),
            slowlog_next_id: AtomicU64::new(0),
            connected_clients: AtomicUsize::new(0),
            total_connections: AtomicU64::new(0),
            rejected_connections: AtomicU64::new(0),
            shutting_down: AtomicBool::new(false),
            exit_code: AtomicUsize::new(0),
            blocking_inflight: (0..shards).map(|_| AtomicUsize::new(0)).collect(),
            persist: crate::persist::status::Status::new(shards, started_unix),
        }
    }

    pub fn next_client_id(&self) -> u64 {
        self.next_client_id.fetch_add(1, Ordering::Relaxed)
    }

    /// A fresh owner id for a multi-shard lock.
    pub fn next_tx_id(&self) -> u64 {
        self.next_tx_id.fetch_add(1, Ordering::Relaxed)
    }

    /// The shard owning `key`.
    #[inline]
    pub fn shard_of_key(&self, key: &[u8]) -> usize {
        self.slots.shard_of(crate::shard::slot::key_slot(key))
    }
}

/// `len` random hex digits (run ids).
pub fn random_hex(len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut x = seed();
    while out.len() < len {
        x = splitmix(x);
        out.push_str(&format!("{x:016x}"));
    }
    out.truncate(len);
    out
}

fn seed() -> u64 {
    let t = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
    t ^ ((std::process::id() as u64) << 32)
}

/// One step of splitmix64: a small, good-enough generator for run ids,
/// random keys and sampling.
pub fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
