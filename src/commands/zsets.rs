//! Sorted set commands: the table of the family and the single-key ones
//! (ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK,
//! ZPOPMIN/ZPOPMAX, ZMPOP, ZRANDMEMBER), with the helpers the range
//! commands (`zset_ranges.rs`), the set operations (`zset_setops.rs`) and
//! GEO (`geo.rs`) share. The blocking pops build on `zpop`.

use super::util::*;
use crate::command::spec::{acl, flags as f, ks, CommandSpec, Exec, ShardFn};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::shard::zset::Limits;
use crate::shard::{Entry, Value, ZSet};
use bytes::Bytes;

use super::zset_ranges as r;
use super::zset_setops as so;

pub fn commands() -> Vec<CommandSpec> {
    let z = |name, arity, fl, h: ShardFn, key: &'static [&'static str]| {
        CommandSpec::new(name, arity, fl, Exec::Shard(h))
            .group("sorted-set")
            .acl(acl::SORTEDSET)
            .keys(vec![ks::at(1, key)])
    };
    const W: u32 = f::WRITE | f::DENYOOM;
    const RO: &[&str] = &["RO", "ACCESS"];
    const RW_DELETE: &[&str] = &["RW", "DELETE"];
    const POP: &[&str] = &["RW", "ACCESS", "DELETE"];
    const RANGE: &str = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of \
                         elements returned.";
    const RANGE_LIMIT: &str = "O(log(N)+M) with N being the number of elements in the sorted set and M the number \
                               of elements being returned. If M is constant (e.g. always asking for the first 10 \
                               elements with LIMIT), you can consider it O(log(N)).";
    const REMRANGE: &str = "O(log(N)+M) with N being the number of elements in the sorted set and M the number of \
                            elements removed by the operation.";
    const UNION: &str = "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being \
                         the number of elements in the resulting sorted set.";
    const INTER: &str = "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the \
                         number of input sorted sets and M being the number of elements in the resulting sorted set.";
    const DIFF: &str = "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is \
                        the size of the first set, and K is the size of the result set.";
    const POPS: &str = "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number \
                        of elements popped.";
    let multi = |name, arity, fl, h: ShardFn| {
        CommandSpec::new(name, arity, fl, Exec::Shard(h))
            .group("sorted-set")
            .acl(acl::SORTEDSET)
            .keys(vec![ks::keynum(1, RO)])
    };
    let store = |name, h: ShardFn| {
        CommandSpec::new(name, -4, W, Exec::Shard(h))
            .group("sorted-set")
            .acl(acl::SORTEDSET)
            .keys(vec![ks::at(1, &["OW", "UPDATE"]), ks::keynum(2, RO)])
    };
    vec![
        z("zadd", -4, W | f::FAST, zadd, &["RW", "UPDATE"]).doc(
            "1.2.0",
            "Add one or more members to a sorted set, or update its score if it already exists",
            "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
        ),
        z("zincrby", 4, W | f::FAST, zincrby, &["RW", "ACCESS", "UPDATE"]).doc(
            "1.2.0",
            "Increment the score of a member in a sorted set",
            "O(log(N)) where N is the number of elements in the sorted set.",
        ),
        z("zrem", -3, f::WRITE | f::FAST, zrem, RW_DELETE).doc(
            "1.2.0",
            "Remove one or more members from a sorted set",
            "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be \
             removed.",
        ),
        z("zcard", 2, f::READONLY | f::FAST, zcard, &["RO"]).doc(
            "1.2.0",
            "Get the number of members in a sorted set",
            "O(1)",
        ),
        z("zcount", 4, f::READONLY | f::FAST, r::zcount, RO).doc(
            "2.0.0",
            "Count the members in a sorted set with scores within the given values",
            "O(log(N)) with N being the number of elements in the sorted set.",
        ),
        z("zlexcount", 4, f::READONLY | f::FAST, r::zlexcount, RO).doc(
            "2.8.9",
            "Count the number of members in a sorted set between a given lexicographical range",
            "O(log(N)) with N being the number of elements in the sorted set.",
        ),
        z("zscore", 3, f::READONLY | f::FAST, zscore, RO).doc(
            "1.2.0",
            "Get the score associated with the given member in a sorted set",
            "O(1)",
        ),
        z("zmscore", -3, f::READONLY | f::FAST, zmscore, RO).doc(
            "6.2.0",
            "Get the score associated with the given members in a sorted set",
            "O(N) where N is the number of members being requested.",
        ),
        z("zrank", 3, f::READONLY | f::FAST, zrank, RO).doc(
            "2.0.0",
            "Determine the index of a member in a sorted set",
            "O(log(N))",
        ),
        z("zrevrank", 3, f::READONLY | f::FAST, zrevrank, RO).doc(
            "2.0.0",
            "Determine the index of a member in a sorted set, with scores ordered from high to low",
            "O(log(N))",
        ),
        z("zrange", -4, f::READONLY, r::zrange, RO).doc("1.2.0", "Return a range of members in a sorted set", RANGE),
        z("zrangestore", -5, W, r::zrangestore, &["OW", "UPDATE"])
            .keys(vec![ks::at(1, &["OW", "UPDATE"]), ks::at(2, RO)])
            .doc(
                "6.2.0",
                "Store a range of members from sorted set into another key",
                "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements \
                 stored into the destination key.",
            ),
        z("zrangebyscore", -4, f::READONLY, r::zrangebyscore, RO).doc(
            "1.0.5",
            "Return a range of members in a sorted set, by score",
            RANGE_LIMIT,
        ),
        z("zrevrangebyscore", -4, f::READONLY, r::zrevrangebyscore, RO).doc(
            "2.2.0",
            "Return a range of members in a sorted set, by score, with scores ordered from high to low",
            RANGE_LIMIT,
        ),
        z("zrangebylex", -4, f::READONLY, r::zrangebylex, RO).doc(
            "2.8.9",
            "Return a range of members in a sorted set, by lexicographical range",
            RANGE_LIMIT,
        ),
        z("zrevrangebylex", -4, f::READONLY, r::zrevrangebylex, RO).doc(
            "2.8.9",
            "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower \
             strings.",
            RANGE_LIMIT,
        ),
        z("zrevrange", -4, f::READONLY, r::zrevrange, RO).doc(
            "1.2.0",
            "Return a range of members in a sorted set, by index, with scores ordered from high to low",
            RANGE,
        ),
        z("zremrangebyrank", 4, f::WRITE, r::zremrangebyrank, RW_DELETE).doc(
            "2.0.0",
            "Remove all members in a sorted set within the given indexes",
            REMRANGE,
        ),
        z("zremrangebyscore", 4, f::WRITE, r::zremrangebyscore, RW_DELETE).doc(
            "1.2.0",
            "Remove all members in a sorted set within the given scores",
            REMRANGE,
        ),
        z("zremrangebylex", 4, f::WRITE, r::zremrangebylex, RW_DELETE).doc(
            "2.8.9",
            "Remove all members in a sorted set between the given lexicographical range",
            REMRANGE,
        ),
        z("zpopmin", -2, f::WRITE | f::FAST, zpopmin, POP).doc(
            "5.0.0",
            "Remove and return members with the lowest scores in a sorted set",
            POPS,
        ),
        z("zpopmax", -2, f::WRITE | f::FAST, zpopmax, POP).doc(
            "5.0.0",
            "Remove and return members with the highest scores in a sorted set",
            POPS,
        ),
        multi("zmpop", -4, f::WRITE, zmpop).keys(vec![ks::keynum(1, POP)]).doc(
            "7.0.0",
            "Remove and return members with scores in a sorted set",
            "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the \
             sorted set, and M being the number of elements popped.",
        ),
        multi("zunion", -3, f::READONLY, so::zunion).doc("6.2.0", "Add multiple sorted sets", UNION),
        multi("zinter", -3, f::READONLY, so::zinter).doc("6.2.0", "Intersect multiple sorted sets", INTER),
        multi("zdiff", -3, f::READONLY, so::zdiff).doc("6.2.0", "Subtract multiple sorted sets", DIFF),
        store("zunionstore", so::zunionstore).doc(
            "2.0.0",
            "Add multiple sorted sets and store the resulting sorted set in a new key",
            "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number \
             of elements in the resulting sorted set.",
        ),
        store("zinterstore", so::zinterstore).doc(
            "2.0.0",
            "Intersect multiple sorted sets and store the resulting sorted set in a new key",
            INTER,
        ),
        store("zdiffstore", so::zdiffstore).doc(
            "6.2.0",
            "Subtract multiple sorted sets and store the resulting sorted set in a new key",
            DIFF,
        ),
        multi("zintercard", -3, f::READONLY, so::zintercard).doc(
            "7.0.0",
            "Intersect multiple sorted sets and return the cardinality of the result",
            "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
        ),
        z("zrandmember", -2, f::READONLY, zrandmember, RO).tips(&["nondeterministic_output"]).doc(
            "6.2.0",
            "Get one or multiple random elements from a sorted set",
            "O(N) where N is the number of elements returned",
        ),
        z("zscan", -3, f::READONLY, zscan, RO).tips(&["nondeterministic_output"]).doc(
            "2.8.0",
            "Incrementally iterate sorted sets elements and associated scores",
            "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to \
             return back to 0. N is the number of elements inside the collection..",
        ),
    ]
}

// ---------------------------------------------------------------------------
// Helpers the sorted set and geo families share.

pub const ERR_NOT_FLOAT_RANGE: &str = "ERR min or max is not a float";
pub const ERR_NAN: &str = "ERR resulting score is not a number (NaN)";

/// The encoding thresholds from the settings.
pub fn limits(c: &ExecCtx) -> Limits {
    Limits { entries: c.settings.zset_max_listpack_entries, value: c.settings.zset_max_listpack_value }
}

/// Looks a sorted set up for reading, as Redis's lookupKeyRead: counts a
/// keyspace hit or miss and touches the key. None when missing,
/// WRONGTYPE for another type.
pub fn read_zset<'a>(c: &'a mut ExecCtx, key: &[u8]) -> Result<Option<&'a mut ZSet>, Reply> {
    let now = c.now;
    let crate::shard::Keyspace { dbs, hits, misses, .. } = &mut *c.ks;
    match dbs[c.db].get(key, now) {
        None => {
            *misses += 1;
            Ok(None)
        }
        Some(e) => {
            *hits += 1;
            e.access = crate::shard::expire::lru_clock();
            match &mut e.value {
                Value::ZSet(z) => Ok(Some(z)),
                _ => Err(Reply::err(ERR_WRONGTYPE)),
            }
        }
    }
}

/// Looks a sorted set up for writing (no hit/miss statistics).
pub fn write_zset<'a>(c: &'a mut ExecCtx, key: &[u8]) -> Result<Option<&'a mut ZSet>, Reply> {
    match super::strings::write_entry(c, key) {
        None => Ok(None),
        Some(Entry { value: Value::ZSet(z), .. }) => Ok(Some(z)),
        Some(_) => Err(Reply::err(ERR_WRONGTYPE)),
    }
}

/// Deletes `key` when its sorted set became empty.
pub fn drop_if_empty(c: &mut ExecCtx, key: &[u8]) {
    if matches!(write_zset(c, key), Ok(Some(z)) if z.is_empty()) {
        c.db().remove(key);
    }
}

/// Stores a computed sorted set at `dst` (replacing whatever was there,
/// without expiry) and replies its size; an empty result deletes `dst`.
pub fn store_result(c: &mut ExecCtx, dst: &Bytes, z: ZSet) -> Reply {
    let n = z.len();
    if n == 0 {
        if c.db().remove(dst).is_some() {
            c.dirty(1);
        }
        return Reply::Int(0);
    }
    c.db().insert(dst, Entry::new(Value::ZSet(z)));
    c.dirty(1);
    Reply::Int(n as i64)
}

/// Members, or member and score pairs (nested in RESP3), as replied by
/// WITHSCORES.
pub fn elems_reply<'a>(items: impl Iterator<Item = (&'a [u8], f64)>, withscores: bool) -> Reply {
    if withscores {
        Reply::Pairs(items.map(|(m, s)| (Reply::bulk(m), Reply::Double(s))).collect())
    } else {
        Reply::Array(items.map(|(m, _)| Reply::bulk(m)).collect())
    }
}

/// Parses a score argument ("not a valid float" otherwise).
pub fn score_arg(a: &[u8]) -> Result<f64, Reply> {
    float_arg(a)
}

// ---------------------------------------------------------------------------
// ZADD and ZINCRBY.

#[derive(Default, Clone, Copy)]
struct AddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    incr: bool,
    ch: bool,
}

/// What adding one element did.
enum Added {
    /// A new member.
    New(f64),
    /// An existing member whose score changed.
    Updated(f64),
    /// An existing member left as it was (same score).
    Same(f64),
    /// Nothing done (NX, XX, GT, LT said no).
    Nop,
}

/// Redis's zsetAdd: adds or updates one member under the flags.
fn add_one(z: &mut ZSet, member: &[u8], score: f64, fl: AddFlags, limits: Limits) -> Result<Added, Reply> {
    match z.score(member) {
        Some(cur) => {
            if fl.nx {
                return Ok(Added::Nop);
            }
            let new = if fl.incr { score + cur } else { score };
            if new.is_nan() {
                return Err(Reply::err(ERR_NAN));
            }
            if (fl.lt && new >= cur) || (fl.gt && new <= cur) {
                return Ok(Added::Nop);
            }
            if new != cur {
                z.set(member, new, limits);
                Ok(Added::Updated(new))
            } else {
                Ok(Added::Same(new))
            }
        }
        None if fl.xx => Ok(Added::Nop),
        None => {
            z.set(member, score, limits);
            Ok(Added::New(score))
        }
    }
}

/// ZADD's body (also GEOADD's, with geohash scores): `a` is ZADD's
/// argument vector; `incr` for ZINCRBY.
pub fn zadd_generic(c: &mut ExecCtx, a: &[Bytes], incr: bool) -> Result<Reply, Reply> {
    let mut fl = AddFlags { incr, ..Default::default() };
    let mut i = 2;
    while i < a.len() {
        let o = &a[i];
        if is(o, "nx") {
            fl.nx = true;
        } else if is(o, "xx") {
            fl.xx = true;
        } else if is(o, "ch") {
            fl.ch = true;
        } else if is(o, "incr") {
            fl.incr = true;
        } else if is(o, "gt") {
            fl.gt = true;
        } else if is(o, "lt") {
            fl.lt = true;
        } else {
            break;
        }
        i += 1;
    }
    let pairs = &a[i..];
    if pairs.is_empty() || !pairs.len().is_multiple_of(2) {
        return Err(Reply::err(ERR_SYNTAX));
    }
    if fl.nx && fl.xx {
        return Err(Reply::err("ERR XX and NX options at the same time are not compatible"));
    }
    if (fl.nx && (fl.gt || fl.lt)) || (fl.gt && fl.lt) {
        return Err(Reply::err("ERR GT, LT, and/or NX options at the same time are not compatible"));
    }
    if fl.incr && pairs.len() > 2 {
        return Err(Reply::err("ERR INCR option supports a single increment-element pair"));
    }
    let scores = pairs.iter().step_by(2).map(|s| score_arg(s)).collect::<Result<Vec<f64>, Reply>>()?;
    let key = &a[1];
    let limits = limits(c);
    if write_zset(c, key)?.is_none() {
        if fl.xx {
            return Ok(if fl.incr { Reply::Nil } else { Reply::Int(0) });
        }
        let z = ZSet::with_hint(limits, 1, pairs[1].len());
        c.db().insert(key, Entry::new(Value::ZSet(z)));
    }
    let Some(z) = write_zset(c, key)? else { return Ok(Reply::Nil) };
    let (mut added, mut updated, mut last) = (0, 0, None);
    let mut failed = None;
    for (pair, &score) in pairs.chunks(2).zip(&scores) {
        match add_one(z, &pair[1], score, fl, limits) {
            Ok(Added::New(s)) => {
                added += 1;
                last = Some(s);
            }
            Ok(Added::Updated(s)) => {
                updated += 1;
                last = Some(s);
            }
            Ok(Added::Same(s)) => last = Some(s),
            Ok(Added::Nop) => {}
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    c.dirty(added + updated);
    if let Some(e) = failed {
        return Err(e);
    }
    Ok(if fl.incr {
        last.map_or(Reply::Nil, Reply::Double)
    } else {
        Reply::Int((if fl.ch { added + updated } else { added }) as i64)
    })
}

fn zadd(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(zadd_generic(c, a, false))
}

fn zincrby(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(zadd_generic(c, a, true))
}

// ---------------------------------------------------------------------------
// Single members.

fn zrem(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let key = &a[1];
        let Some(z) = write_zset(c, key)? else { return Ok(Reply::Int(0)) };
        let mut n = 0;
        for m in &a[2..] {
            if z.remove(m).is_some() {
                n += 1;
            }
            if z.is_empty() {
                break;
            }
        }
        drop_if_empty(c, key);
        c.dirty(n);
        Ok(Reply::Int(n as i64))
    })())
}

fn zcard(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read_zset(c, &a[1]).map(|z| Reply::Int(z.map_or(0, |z| z.len() as i64))))
}

fn zscore(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read_zset(c, &a[1]).map(|z| z.and_then(|z| z.score(&a[2])).map_or(Reply::Nil, Reply::Double)))
}

fn zmscore(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read_zset(c, &a[1]).map(|z| {
        let z = z.map(|z| &*z);
        Reply::Array(a[2..].iter().map(|m| z.and_then(|z| z.score(m)).map_or(Reply::Nil, Reply::Double)).collect())
    }))
}

fn rank_generic(c: &mut ExecCtx, a: &[Bytes], rev: bool) -> Reply {
    either(read_zset(c, &a[1]).map(|z| {
        let Some(z) = z else { return Reply::Nil };
        let len = z.len();
        z.rank(&a[2]).map_or(Reply::Nil, |(r, _)| Reply::Int(if rev { len - 1 - r } else { r } as i64))
    }))
}

fn zrank(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    rank_generic(c, a, false)
}

fn zrevrank(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    rank_generic(c, a, true)
}

// ---------------------------------------------------------------------------
// Pops.

/// A key and the elements popped from it.
pub type Popped = (Bytes, Vec<(Bytes, f64)>);

/// Pops up to `count` lowest (or, with `max`, highest) elements from the
/// first of `keys` that exists (WRONGTYPE when that one is not a sorted
/// set), deleting it when emptied. None when no key exists. The blocking
/// pops (BZPOPMIN, BZPOPMAX, BZMPOP) serve their clients through this.
pub fn zpop(c: &mut ExecCtx, keys: &[Bytes], max: bool, count: usize) -> Result<Option<Popped>, Reply> {
    for key in keys {
        let Some(z) = write_zset(c, key)? else { continue };
        let mut out = Vec::with_capacity(count.min(z.len()));
        while out.len() < count {
            match z.pop(max) {
                Some(e) => out.push(e),
                None => break,
            }
        }
        c.dirty(out.len() as u64);
        drop_if_empty(c, key);
        return Ok(Some((key.clone(), out)));
    }
    Ok(None)
}

/// ZPOPMIN/ZPOPMAX key [count]: one element as a flat pair, a count as
/// pairs (nested in RESP3).
fn zpop_cmd(c: &mut ExecCtx, a: &[Bytes], max: bool) -> Reply {
    either((|| {
        if a.len() > 3 {
            return Err(Reply::err(ERR_SYNTAX));
        }
        let count = match a.get(2) {
            None => None,
            Some(n) => Some(positive_arg(n, "ERR value is out of range, must be positive")?),
        };
        if count == Some(0) {
            write_zset(c, &a[1])?;
            return Ok(Reply::Array(vec![]));
        }
        let Some((_, items)) = zpop(c, &a[1..2], max, count.unwrap_or(1))? else { return Ok(Reply::Array(vec![])) };
        let pairs = items.into_iter().map(|(m, s)| (Reply::Bulk(m), Reply::Double(s)));
        Ok(match count {
            None => Reply::Array(pairs.flat_map(|(m, s)| [m, s]).collect()),
            Some(_) => Reply::Pairs(pairs.collect()),
        })
    })())
}

/// Parses a non-negative count; `msg` when it is not one.
pub fn positive_arg(a: &[u8], msg: &'static str) -> Result<usize, Reply> {
    crate::util::num::parse_i64(a).and_then(|n| usize::try_from(n).ok()).ok_or_else(|| Reply::err(msg))
}

fn zpopmin(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    zpop_cmd(c, a, false)
}

fn zpopmax(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    zpop_cmd(c, a, true)
}

/// How ZMPOP and BZMPOP name what to pop: the keys, MIN or MAX, the count.
pub struct MpopArgs<'a> {
    pub keys: &'a [Bytes],
    pub max: bool,
    pub count: usize,
}

/// Parses `numkeys key... MIN|MAX [COUNT n]` starting at `a[at]`.
pub fn parse_mpop(a: &[Bytes], at: usize) -> Result<MpopArgs<'_>, Reply> {
    const ERR_NUMKEYS: &str = "ERR numkeys should be greater than 0";
    let numkeys = int_arg(&a[at]).map_err(|_| Reply::err(ERR_NUMKEYS))?;
    let numkeys = usize::try_from(numkeys).ok().filter(|&n| n > 0).ok_or_else(|| Reply::err(ERR_NUMKEYS))?;
    let where_at = at.saturating_add(numkeys).saturating_add(1);
    let Some(w) = a.get(where_at) else { return Err(Reply::err(ERR_SYNTAX)) };
    let max = if is(w, "min") {
        false
    } else if is(w, "max") {
        true
    } else {
        return Err(Reply::err(ERR_SYNTAX));
    };
    let mut count = None;
    let mut i = where_at + 1;
    while i < a.len() {
        if count.is_none() && is(&a[i], "count") && i + 1 < a.len() {
            const ERR_COUNT: &str = "ERR count should be greater than 0";
            let n = int_arg(&a[i + 1]).map_err(|_| Reply::err(ERR_COUNT))?;
            count = Some(usize::try_from(n).ok().filter(|&n| n > 0).ok_or_else(|| Reply::err(ERR_COUNT))?);
            i += 2;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
    }
    Ok(MpopArgs { keys: &a[at + 1..where_at], max, count: count.unwrap_or(1) })
}

/// The reply of ZMPOP and BZMPOP: the key and its popped pairs, always
/// nested.
pub fn mpop_reply(p: Popped) -> Reply {
    let (key, items) = p;
    let items = items.into_iter().map(|(m, s)| Reply::Array(vec![Reply::Bulk(m), Reply::Double(s)])).collect();
    Reply::Array(vec![Reply::Bulk(key), Reply::Array(items)])
}

fn zmpop(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let p = parse_mpop(a, 1)?;
        Ok(zpop(c, p.keys, p.max, p.count)?.map_or(Reply::NilArray, mpop_reply))
    })())
}

// ---------------------------------------------------------------------------
// ZRANDMEMBER.

/// Most elements one ZRANDMEMBER with a negative count returns (Redis
/// streams them until the client's buffer limit; here the reply is built
/// at once, so it is bounded).
const RANDOM_REPLY_MAX: usize = 1 << 21;

fn zrandmember(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let Some(count) = a.get(2) else {
            let Some(z) = read_zset(c, &a[1])? else { return Ok(Reply::Nil) };
            let pick = crate::util::rand::below(z.len());
            return Ok(z.get(pick).map_or(Reply::Nil, |(m, _)| Reply::bulk(m)));
        };
        let l = int_arg(count)?;
        if l == i64::MIN {
            return Err(Reply::err(format!(
                "ERR value is out of range, value must between {} and {}",
                -i64::MAX,
                i64::MAX
            )));
        }
        if a.len() > 4 || (a.len() == 4 && !is(&a[3], "withscores")) {
            return Err(Reply::err(ERR_SYNTAX));
        }
        let withscores = a.len() == 4;
        if withscores && !(-i64::MAX / 2..=i64::MAX / 2).contains(&l) {
            return Err(Reply::err("ERR value is out of range"));
        }
        let Some(z) = read_zset(c, &a[1])? else { return Ok(Reply::Array(vec![])) };
        let size = z.len();
        let count = l.unsigned_abs().min(usize::MAX as u64) as usize;
        if count == 0 {
            return Ok(Reply::Array(vec![]));
        }
        let picks: Vec<usize> = if l < 0 {
            (0..count.min(RANDOM_REPLY_MAX)).map(|_| crate::util::rand::below(size)).collect()
        } else if count >= size {
            // The whole set, walked from the end as Redis does.
            (0..size).rev().collect()
        } else {
            crate::util::rand::distinct(size, count)
        };
        // A compact set is scanned once rather than once per pick.
        let all: Option<Vec<(&[u8], f64)>> = (z.encoding() == "listpack").then(|| z.iter().collect());
        let items = picks.into_iter().filter_map(|r| match &all {
            Some(v) => v.get(r).copied(),
            None => z.get(r),
        });
        Ok(elems_reply(items, withscores))
    })())
}

// ---------------------------------------------------------------------------
// ZSCAN.

/// ZSCAN key cursor [MATCH pattern] [COUNT count]: a compact set is
/// returned whole (cursor 0) with its scores as Redis's listpack holds
/// them (integers as such); a big one walks its table's cursor, scores in
/// "%.17g".
fn zscan(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    super::scan::scan_collection(c, a, "zset", |v, cursor, opts| {
        let Value::ZSet(z) = v else { return (0, Vec::new()) };
        let mut out = Vec::new();
        let mut add = |m: &[u8], score: Reply| {
            if opts.matches(m) {
                out.push(Reply::bulk(m));
                out.push(score);
            }
        };
        match z {
            ZSet::Packed(_) => {
                for (m, s) in z.iter() {
                    add(m, Reply::str(packed_score_text(s)));
                }
                (0, out)
            }
            ZSet::Index(t) => {
                let (next, items) = t.scan(cursor, opts.count);
                for (m, s) in items {
                    add(m, Reply::str(crate::util::num::fmt_double(s)));
                }
                (next, out)
            }
        }
    })
}

/// A score as Redis's listpack stores it: an integer when it is one (and
/// within half the i64 range), else "%.17g".
fn packed_score_text(s: f64) -> String {
    const HALF: f64 = (i64::MAX / 2) as f64;
    if (-HALF..=HALF).contains(&s) && (s as i64) as f64 == s {
        (s as i64).to_string()
    } else {
        crate::util::num::fmt_double(s)
    }
}
