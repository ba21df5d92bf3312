//! Where writes meet a running snapshot: the calls the write paths make so
//! that a slot is in the snapshot before it changes (`part::touch`). Each
//! costs one flag check while no snapshot runs on the shard.

use super::part;
use crate::command::keys::key_indices;
use crate::command::spec::flags;
use crate::command::CommandSpec;
use crate::server::shard::Shard;
use crate::shard::slot::key_slot;
use crate::shard::Keyspace;
use bytes::Bytes;

/// Before shard command `cmd` runs on database `db`: the slots of the keys
/// it may write. MOVE and COPY name a key of another database too, so for
/// them the key's slot is written in every database. A write whose keys
/// cannot be found writes the rest of the database first.
pub fn before_command(shard: &Shard, cmd: &'static CommandSpec, db: usize, args: &[Bytes]) {
    if !shard.snapshotting.get() || !cmd.has(flags::WRITE | flags::MAY_REPLICATE) {
        return;
    }
    let ks = shard.ks.borrow();
    let mut idx = Vec::new();
    if key_indices(cmd, args, &mut idx).is_err() || idx.is_empty() {
        part::finish_db(shard, &ks.dbs[db], db);
        return;
    }
    let every_db = cmd.name == "move" || cmd.name == "copy";
    for i in idx {
        let slot = key_slot(&args[i]) as usize;
        if every_db {
            for (n, d) in ks.dbs.iter().enumerate() {
                part::touch(shard, d, n, slot);
            }
        } else {
            part::touch(shard, &ks.dbs[db], db, slot);
        }
    }
}

/// Before `key` of database `db` is written outside a command (the
/// coordinator's write-back, DEBUG POPULATE).
pub fn before_key(shard: &Shard, ks: &Keyspace, db: usize, key: &[u8]) {
    if shard.snapshotting.get() {
        part::touch(shard, &ks.dbs[db], db, key_slot(key) as usize);
    }
}

/// Before a whole database changes (FLUSHDB, SWAPDB, a reload): the part
/// gets the rest of it first.
pub fn before_db(shard: &Shard, ks: &Keyspace, db: usize) {
    if shard.snapshotting.get() {
        part::finish_db(shard, &ks.dbs[db], db);
    }
}
