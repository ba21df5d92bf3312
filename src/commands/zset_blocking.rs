//! The blocking sorted set pops: BZPOPMIN, BZPOPMAX and BZMPOP. Their
//! handlers are the non-blocking attempts (what they do inside MULTI),
//! built on the zset family's `zpop`; their `BlockOn` records tell
//! `server::blocking` how a client waits and is served.

use super::util::*;
use super::zsets::{mpop_reply, parse_mpop, zpop, Popped};
use crate::command::spec::{acl, flags as f, ks, CommandSpec, Exec, ShardFn};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::server::blocking::{timeout_arg, BlockOn};
use crate::shard::Value;
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    const POP: &[&str] = &["RW", "ACCESS", "DELETE"];
    let b = |name, arity, fl, h: ShardFn| {
        CommandSpec::new(name, arity, f::WRITE | f::BLOCKING | fl, Exec::Shard(h))
            .group("sorted-set")
            .acl(acl::SORTEDSET)
            .keys(vec![ks::range(1, -2, 1, POP)])
    };
    vec![
        b("bzpopmin", -3, f::NOSCRIPT | f::FAST, bzpopmin).blocks(&BZPOPMIN).doc(
            "5.0.0",
            "Remove and return the member with the lowest score from one or more sorted sets, or block until one is \
             available",
            "O(log(N)) with N being the number of elements in the sorted set.",
        ),
        b("bzpopmax", -3, f::NOSCRIPT | f::FAST, bzpopmax).blocks(&BZPOPMAX).doc(
            "5.0.0",
            "Remove and return the member with the highest score from one or more sorted sets, or block until one \
             is available",
            "O(log(N)) with N being the number of elements in the sorted set.",
        ),
        b("bzmpop", -5, 0, bzmpop).keys(vec![ks::keynum(2, POP)]).blocks(&BZMPOP).doc(
            "7.0.0",
            "Remove and return members with scores in a sorted set or block until one is available",
            "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the \
             sorted set, and M being the number of elements popped.",
        ),
    ]
}

/// `[key, member, score]` of a BZPOPMIN/BZPOPMAX.
fn flat_reply(p: Popped) -> Reply {
    let (key, items) = p;
    let mut out = vec![Reply::Bulk(key)];
    for (m, s) in items {
        out.push(Reply::Bulk(m));
        out.push(Reply::Double(s));
    }
    Reply::Array(out)
}

/// BZPOPMIN and BZPOPMAX: one element of the first non-empty key.
fn bzpop(c: &mut ExecCtx, a: &[Bytes], max: bool) -> Reply {
    either((|| {
        let last = a.len() - 1;
        timeout_arg(&a[last])?;
        Ok(zpop(c, &a[1..last], max, 1)?.map_or(Reply::NilArray, flat_reply))
    })())
}

fn bzpopmin(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    bzpop(c, a, false)
}

fn bzpopmax(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    bzpop(c, a, true)
}

fn bzmpop(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let p = parse_mpop(a, 2)?;
        timeout_arg(&a[1])?;
        Ok(zpop(c, p.keys, p.max, p.count)?.map_or(Reply::NilArray, mpop_reply))
    })())
}

fn is_zset(v: Option<&Value>, _a: &[Bytes], _key: &[u8]) -> bool {
    matches!(v, Some(Value::ZSet(_)))
}

/// The timeout argument at `i` (validated by the handler already).
fn timeout_at(a: &[Bytes], i: usize) -> Option<u64> {
    Some(a.get(i).and_then(|t| timeout_arg(t).ok()).unwrap_or(0))
}

/// Serves a BZPOPMIN/BZPOPMAX waiter from `key`.
fn serve_flat(c: &mut ExecCtx, key: &Bytes, max: bool) -> Reply {
    either(zpop(c, std::slice::from_ref(key), max, 1).map(|p| p.map_or(Reply::NilArray, flat_reply)))
}

static BZPOPMIN: BlockOn = BlockOn {
    nil: Reply::NilArray,
    timeout: |a| timeout_at(a, a.len() - 1),
    watched: |a| (1..a.len() - 1).collect(),
    ready: is_zset,
    prepare: None,
    serve: |c, _a, key| serve_flat(c, key, false),
    single_key: true,
};

static BZPOPMAX: BlockOn = BlockOn {
    nil: Reply::NilArray,
    timeout: |a| timeout_at(a, a.len() - 1),
    watched: |a| (1..a.len() - 1).collect(),
    ready: is_zset,
    prepare: None,
    serve: |c, _a, key| serve_flat(c, key, true),
    single_key: true,
};

static BZMPOP: BlockOn = BlockOn {
    nil: Reply::NilArray,
    timeout: |a| timeout_at(a, 1),
    watched: |a| parse_mpop(a, 2).map_or_else(|_| Vec::new(), |p| (3..3 + p.keys.len()).collect()),
    ready: is_zset,
    prepare: None,
    serve: |c, a, key| match parse_mpop(a, 2) {
        Ok(p) => {
            either(zpop(c, std::slice::from_ref(key), p.max, p.count).map(|r| r.map_or(Reply::NilArray, mpop_reply)))
        }
        Err(e) => e,
    },
    single_key: true,
};
