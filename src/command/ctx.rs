//! The context a shard-side command handler runs with.

use crate::server::settings::Settings;
use crate::shard::{Db, Keyspace};

/// What a `ShardFn` may touch: the keyspace of the shard that owns its keys
/// (or the temporary keyspace of a multi-shard command), the client's
/// selected database, the command's start time and the shard's settings.
pub struct ExecCtx<'a> {
    pub ks: &'a mut Keyspace,
    /// Index of the client's selected database.
    pub db: usize,
    /// Unix milliseconds when the command started; expiry compares to it.
    pub now: u64,
    pub settings: &'a Settings,
}

impl ExecCtx<'_> {
    /// The selected database.
    #[inline]
    pub fn db(&mut self) -> &mut Db {
        &mut self.ks.dbs[self.db]
    }

    /// Counts a change for INFO rdb_changes_since_last_save.
    #[inline]
    pub fn dirty(&mut self, n: u64) {
        self.ks.dirty += n;
    }
}
