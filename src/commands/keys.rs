//! Generic commands on named keys: DEL, UNLINK, EXISTS, TYPE, TOUCH, RENAME,
//! RENAMENX, COPY, MOVE. Expiry is in `expire.rs`, node-wide walks (KEYS,
//! SCAN, RANDOMKEY, SWAPDB) in `scan.rs`, OBJECT in `object.rs`.

use super::util::*;
use crate::command::spec::{acl, flags as f, ks, CommandSpec, Exec};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::shard::expire::lru_clock;
use crate::shard::{Entry, Keyspace};
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let k = |name, arity, fl, h| CommandSpec::new(name, arity, fl, Exec::Shard(h)).group("generic").acl(acl::KEYSPACE);
    vec![
        k("del", -2, f::WRITE, del).keys(vec![ks::range(1, -1, 1, &["RM", "DELETE"])]).tips(MULTI_SHARD_SUM).doc(
            "1.0.0",
            "Delete a key",
            "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than \
             a string, the individual complexity for this key is O(M) where M is the number of elements in the list, \
             set, sorted set or hash. Removing a single key that holds a string value is O(1).",
        ),
        k("unlink", -2, f::WRITE | f::FAST, del).keys(vec![ks::range(1, -1, 1, &["RM", "DELETE"])]).tips(MULTI_SHARD_SUM).doc(
            "4.0.0",
            "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
            "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread \
             in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.",
        ),
        k("exists", -2, f::READONLY | f::FAST, exists).keys(vec![ks::range(1, -1, 1, &["RO"])]).tips(MULTI_SHARD_SUM).doc(
            "1.0.0",
            "Determine if a key exists",
            "O(N) where N is the number of keys to check.",
        ),
        k("type", 2, f::READONLY | f::FAST, type_).keys(vec![ks::at(1, &["RO"])]).doc(
            "1.0.0",
            "Determine the type stored at key",
            "O(1)",
        ),
        k("touch", -2, f::READONLY | f::FAST, touch).keys(vec![ks::range(1, -1, 1, &["RO"])]).tips(MULTI_SHARD_SUM).doc(
            "3.2.1",
            "Alters the last access time of a key(s). Returns the number of existing keys specified.",
            "O(N) where N is the number of keys that will be touched.",
        ),
        k("rename", 3, f::WRITE, rename)
            .keys(vec![ks::at(1, &["RW", "ACCESS", "DELETE"]), ks::at(2, &["OW", "UPDATE"])])
            .doc("1.0.0", "Rename a key", "O(1)"),
        k("renamenx", 3, f::WRITE | f::FAST, renamenx)
            .keys(vec![ks::at(1, &["RW", "ACCESS", "DELETE"]), ks::at(2, &["OW", "INSERT"])])
            .doc("1.0.0", "Rename a key, only if the new key does not exist", "O(1)"),
        k("copy", -3, f::WRITE | f::DENYOOM, copy)
            .keys(vec![ks::at(1, &["RO", "ACCESS"]), ks::at(2, &["OW", "UPDATE"])])
            .doc(
                "6.2.0",
                "Copy a key",
                "O(N) worst case for collections, where N is the number of nested items. O(1) for string values.",
            ),
        k("move", 3, f::WRITE | f::FAST, move_).keys(vec![ks::at(1, &["RW", "ACCESS", "UPDATE"])]).doc(
            "1.0.0",
            "Move a key to another database",
            "O(1)",
        ),
    ]
}

/// Tips of the commands that count keys: each shard's count is summed.
const MULTI_SHARD_SUM: &[&str] = &["request_policy:multi_shard", "response_policy:agg_sum"];

const ERR_SAME_OBJECT: &str = "ERR source and destination objects are the same";

/// Looks `key` up for reading without touching its access time, as
/// Redis's lookupKeyReadWithFlags(NOTOUCH): counts a keyspace hit or miss.
pub fn lookup_read<'a>(c: &'a mut ExecCtx, key: &[u8]) -> Option<&'a mut Entry> {
    let Keyspace { dbs, hits, misses, .. } = &mut *c.ks;
    let e = dbs[c.db].get(key, c.now);
    if e.is_some() {
        *hits += 1;
    } else {
        *misses += 1;
    }
    e
}

/// `lookup_read` that also marks the entry as just used (lookupKeyRead).
pub fn lookup_touch<'a>(c: &'a mut ExecCtx, key: &[u8]) -> Option<&'a mut Entry> {
    let e = lookup_read(c, key)?;
    e.access = lru_clock();
    Some(e)
}

fn del(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let now = c.now;
    let mut n = 0;
    for k in &a[1..] {
        let live = c.db().peek(k, now).is_some();
        if c.db().remove(k).is_some() && live {
            n += 1;
        }
    }
    c.dirty(n as u64);
    Reply::Int(n)
}

fn exists(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    Reply::Int(a[1..].iter().filter(|k| lookup_read(c, k).is_some()).count() as i64)
}

fn type_(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    Reply::status(lookup_read(c, &a[1]).map_or("none", |e| e.value.type_name()))
}

fn touch(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    Reply::Int(a[1..].iter().filter(|k| lookup_touch(c, k).is_some()).count() as i64)
}

/// RENAME and RENAMENX (`nx`): the entry keeps its expiry.
fn rename_generic(c: &mut ExecCtx, a: &[Bytes], nx: bool) -> Reply {
    let now = c.now;
    let (src, dst) = (&a[1], &a[2]);
    if c.db().get(src, now).is_none() {
        return Reply::err(ERR_NO_KEY);
    }
    let done = if nx { Reply::Int(1) } else { Reply::Ok };
    if src == dst {
        return if nx { Reply::Int(0) } else { done };
    }
    if nx && c.db().get(dst, now).is_some() {
        return Reply::Int(0);
    }
    if let Some(e) = c.db().remove(src) {
        c.db().insert(dst, e);
    }
    c.dirty(1);
    done
}

fn rename(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    rename_generic(c, a, false)
}

fn renamenx(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    rename_generic(c, a, true)
}

/// Parses a database index argument: an int, then a valid database.
fn db_index(c: &ExecCtx, arg: &[u8]) -> Result<usize, Reply> {
    let n = int_arg(arg)?;
    if !(i32::MIN as i64..=i32::MAX as i64).contains(&n) {
        return Err(Reply::err(format!("ERR value is out of range, value must between {} and {}", i32::MIN, i32::MAX)));
    }
    usize::try_from(n).ok().filter(|&n| n < c.ks.dbs.len()).ok_or_else(|| Reply::err(ERR_DB_INDEX))
}

fn copy(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(copy_generic(c, a))
}

fn copy_generic(c: &mut ExecCtx, a: &[Bytes]) -> Result<Reply, Reply> {
    let (mut dst_db, mut replace) = (c.db, false);
    let mut i = 3;
    while i < a.len() {
        if is(&a[i], "replace") {
            replace = true;
        } else if is(&a[i], "db") && i + 1 < a.len() {
            dst_db = db_index(c, &a[i + 1])?;
            i += 1;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        i += 1;
    }
    let (src, dst) = (&a[1], &a[2]);
    if dst_db == c.db && src == dst {
        return Err(Reply::err(ERR_SAME_OBJECT));
    }
    let Some(e) = lookup_touch(c, src) else { return Ok(Reply::Int(0)) };
    let e = Entry { access: lru_clock(), ..e.clone() };
    let now = c.now;
    let target = &mut c.ks.dbs[dst_db];
    if target.get(dst, now).is_some() && !replace {
        return Ok(Reply::Int(0));
    }
    target.insert(dst, e);
    c.dirty(1);
    Ok(Reply::Int(1))
}

fn move_(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(move_generic(c, a))
}

fn move_generic(c: &mut ExecCtx, a: &[Bytes]) -> Result<Reply, Reply> {
    let to = db_index(c, &a[2])?;
    if to == c.db {
        return Err(Reply::err(ERR_SAME_OBJECT));
    }
    let now = c.now;
    let key = &a[1];
    if c.db().get(key, now).is_none() || c.ks.dbs[to].get(key, now).is_some() {
        return Ok(Reply::Int(0));
    }
    if let Some(e) = c.db().remove(key) {
        c.ks.dbs[to].insert(key, e);
    }
    c.dirty(1);
    Ok(Reply::Int(1))
}

/// The error for a wrong type, for families that check types.
pub fn wrong_type() -> Reply {
    Reply::err(ERR_WRONGTYPE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::spec::ShardFn;
    use crate::server::settings::Settings;
    use crate::shard::Value;

    fn run(ks: &mut Keyspace, h: ShardFn, line: &str) -> Reply {
        let settings = Settings::default();
        let args: Vec<Bytes> = line.split(' ').map(|w| Bytes::copy_from_slice(w.as_bytes())).collect();
        h(&mut ExecCtx { ks, db: 0, now: 1000, settings: &settings }, &args)
    }

    fn keyspace() -> Keyspace {
        let mut ks = Keyspace::new(4);
        ks.db(0).set(Bytes::from("a"), Value::Str("1".into()));
        ks.db(0).set_expire(b"a", 5000);
        ks.db(0).set(Bytes::from("b"), Value::Str("2".into()));
        ks
    }

    #[test]
    fn rename_keeps_expiry_and_replaces_target() {
        let mut ks = keyspace();
        assert_eq!(run(&mut ks, rename, "rename a a"), Reply::Ok);
        assert_eq!(run(&mut ks, renamenx, "renamenx a a"), Reply::Int(0));
        assert_eq!(run(&mut ks, renamenx, "renamenx a b"), Reply::Int(0));
        assert_eq!(run(&mut ks, rename, "rename a b"), Reply::Ok);
        assert_eq!(ks.db(0).get(b"b", 1000).map(|e| e.expire), Some(5000));
        assert_eq!(run(&mut ks, rename, "rename a c"), Reply::err(ERR_NO_KEY));
        assert_eq!(ks.db(0).len(), 1);
    }

    #[test]
    fn copy_and_move_between_databases() {
        let mut ks = keyspace();
        assert_eq!(run(&mut ks, copy, "copy a a"), Reply::err(ERR_SAME_OBJECT));
        assert_eq!(run(&mut ks, copy, "copy a b"), Reply::Int(0));
        assert_eq!(run(&mut ks, copy, "copy a b REPLACE"), Reply::Int(1));
        assert_eq!(run(&mut ks, copy, "copy a a db 2"), Reply::Int(1));
        assert_eq!(ks.db(2).get(b"a", 1000).map(|e| e.expire), Some(5000));
        assert_eq!(run(&mut ks, copy, "copy a a db 4"), Reply::err(ERR_DB_INDEX));
        assert_eq!(run(&mut ks, copy, "copy a a db"), Reply::err(ERR_SYNTAX));
        assert_eq!(run(&mut ks, move_, "move a 2"), Reply::Int(0), "the target database has it");
        assert_eq!(run(&mut ks, move_, "move b 0"), Reply::err(ERR_SAME_OBJECT));
        assert_eq!(run(&mut ks, move_, "move b 3"), Reply::Int(1));
        assert!(ks.db(0).get(b"b", 1000).is_none());
        assert_eq!(ks.db(3).get(b"b", 1000).map(|e| e.expire), Some(5000));
    }

    #[test]
    fn reads_count_hits_and_misses() {
        let mut ks = keyspace();
        assert_eq!(run(&mut ks, exists, "exists a a nokey"), Reply::Int(2));
        assert_eq!(run(&mut ks, touch, "touch b nokey"), Reply::Int(1));
        assert_eq!((ks.hits, ks.misses), (3, 2));
        assert_eq!(run(&mut ks, del, "del a nokey"), Reply::Int(1));
        assert_eq!((ks.hits, ks.misses, ks.dirty), (3, 2, 1));
    }
}
