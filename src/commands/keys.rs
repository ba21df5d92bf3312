//! Generic keyspace commands: DEL, EXISTS, TYPE, expiry, renaming, scanning.

use super::util::*;
use crate::command::spec::{acl, flags as f, ks, CommandSpec, Exec};
use crate::command::ExecCtx;
use crate::resp::Reply;
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let k = |name, arity, fl, h| CommandSpec::new(name, arity, fl, Exec::Shard(h)).group("generic").acl(acl::KEYSPACE);
    vec![
        k("del", -2, f::WRITE, del).keys(vec![ks::range(1, -1, 1, &["RM", "DELETE"])]).doc(
            "1.0.0",
            "Delete a key",
            "O(N) where N is the number of keys that will be removed.",
        ),
        k("unlink", -2, f::WRITE | f::FAST, del).keys(vec![ks::range(1, -1, 1, &["RM", "DELETE"])]).doc(
            "4.0.0",
            "Delete a key asynchronously in another thread.",
            "O(1) for each key removed.",
        ),
        k("exists", -2, f::READONLY | f::FAST, exists).keys(vec![ks::range(1, -1, 1, &["RO"])]).doc(
            "1.0.0",
            "Determine if a key exists",
            "O(N) where N is the number of keys to check.",
        ),
        k("type", 2, f::READONLY | f::FAST, type_).keys(vec![ks::at(1, &["RO"])]).doc(
            "1.0.0",
            "Determine the type stored at key",
            "O(1)",
        ),
    ]
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
    let now = c.now;
    Reply::Int(a[1..].iter().filter(|k| c.db().get(k, now).is_some()).count() as i64)
}

fn type_(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let now = c.now;
    let t = c.db().get(&a[1], now).map_or("none", |e| e.value.type_name());
    Reply::status(t)
}

/// The error for a wrong type, for families that check types.
pub fn wrong_type() -> Reply {
    Reply::err(ERR_WRONGTYPE)
}
