//! A shard's keyspace: its databases (SELECT 0..n) and the counters that go
//! with them.

use super::db::Db;

/// All databases of one shard, or a temporary keyspace holding the keys of
/// one multi-shard command while it runs.
pub struct Keyspace {
    pub dbs: Vec<Db>,
    /// Writes since the last save (INFO rdb_changes_since_last_save).
    pub dirty: u64,
    /// Keys removed because their time to live ran out (INFO expired_keys).
    pub expired: u64,
    /// Successful and failed key lookups (INFO keyspace_hits / misses).
    pub hits: u64,
    pub misses: u64,
}

impl Keyspace {
    pub fn new(databases: usize) -> Keyspace {
        Keyspace { dbs: (0..databases).map(|_| Db::default()).collect(), dirty: 0, expired: 0, hits: 0, misses: 0 }
    }

    #[inline]
    pub fn db(&mut self, n: usize) -> &mut Db {
        &mut self.dbs[n]
    }

    /// Total keys over every database.
    pub fn keys(&self) -> usize {
        self.dbs.iter().map(|d| d.len()).sum()
    }
}
