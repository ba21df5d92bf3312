//! Set commands: SADD, SREM, SCARD, SISMEMBER/SMISMEMBER, SMEMBERS,
//! SRANDMEMBER, SPOP, SMOVE, the algebra (SINTER/SINTERCARD/SINTERSTORE,
//! SUNION/SUNIONSTORE, SDIFF/SDIFFSTORE) and SSCAN, on `shard::Set`
//! values, with Redis's replies, errors and result encodings. Commands on
//! several keys name them all in their key specs, so the coordinator runs
//! them atomically when the keys live on different shards.

use super::hashes::{count_arg, picks, random_positions};
use super::keys::{lookup_touch, wrong_type};
use super::scan::scan_collection;
use super::strings::write_entry;
use super::util::*;
use crate::command::spec::{acl, flags as f, ks, CommandSpec, Exec, ShardFn};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::shard::set::Member;
use crate::shard::{Entry, Set, Value};
use crate::util::rand;
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let s = |name, arity, fl, h: ShardFn, key: &'static [&'static str]| {
        CommandSpec::new(name, arity, fl, Exec::Shard(h)).group("set").acl(acl::SET).keys(vec![ks::at(1, key)])
    };
    const R: u32 = f::READONLY | f::FAST;
    const RO_ACCESS: &[&str] = &["RO", "ACCESS"];
    const ORDER: &[&str] = &["nondeterministic_output_order"];
    const RANDOM: &[&str] = &["nondeterministic_output"];
    const INTER: &str = "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.";
    const TOTAL: &str = "O(N) where N is the total number of elements in all given sets.";
    let many = |name, h, summary, complexity| {
        s(name, -2, f::READONLY, h, RO_ACCESS)
            .keys(vec![ks::range(1, -1, 1, RO_ACCESS)])
            .tips(ORDER)
            .doc("1.0.0", summary, complexity)
    };
    let store = |name, h, dest: &'static [&'static str], summary, complexity| {
        s(name, -3, f::WRITE | f::DENYOOM, h, dest)
            .keys(vec![ks::at(1, dest), ks::range(2, -1, 1, RO_ACCESS)])
            .doc("1.0.0", summary, complexity)
    };
    vec![
        s("sadd", -3, f::WRITE | f::DENYOOM | f::FAST, sadd, &["RW", "INSERT"]).doc(
            "1.0.0",
            "Add one or more members to a set",
            "O(1) for each element added, so O(N) to add N elements when the command is called with multiple \
             arguments.",
        ),
        s("srem", -3, f::WRITE | f::FAST, srem, &["RW", "DELETE"]).doc(
            "1.0.0",
            "Remove one or more members from a set",
            "O(N) where N is the number of members to be removed.",
        ),
        s("scard", 2, R, scard, &["RO"]).doc("1.0.0", "Get the number of members in a set", "O(1)"),
        s("sismember", 3, R, sismember, &["RO"]).doc(
            "1.0.0",
            "Determine if a given value is a member of a set",
            "O(1)",
        ),
        s("smismember", -3, R, smismember, RO_ACCESS).doc(
            "6.2.0",
            "Returns the membership associated with the given elements for a set",
            "O(N) where N is the number of elements being checked for membership",
        ),
        s("smembers", 2, f::READONLY, smembers, RO_ACCESS).tips(ORDER).doc(
            "1.0.0",
            "Get all the members in a set",
            "O(N) where N is the set cardinality.",
        ),
        s("srandmember", -2, f::READONLY, srandmember, RO_ACCESS).tips(RANDOM).doc(
            "1.0.0",
            "Get one or multiple random members from a set",
            "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
        ),
        s("spop", -2, f::WRITE | f::FAST, spop, &["RW", "ACCESS", "DELETE"]).tips(RANDOM).doc(
            "1.0.0",
            "Remove and return one or multiple random members from a set",
            "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
        ),
        s("smove", 4, f::WRITE | f::FAST, smove, &[])
            .keys(vec![ks::at(1, &["RW", "ACCESS", "DELETE"]), ks::at(2, &["RW", "INSERT"])])
            .doc("1.0.0", "Move a member from one set to another", "O(1)"),
        many("sinter", sinter, "Intersect multiple sets", INTER),
        s("sintercard", -3, f::READONLY, sintercard, RO_ACCESS).keys(vec![ks::keynum(1, RO_ACCESS)]).doc(
            "7.0.0",
            "Intersect multiple sets and return the cardinality of the result",
            INTER,
        ),
        store(
            "sinterstore",
            sinterstore,
            &["RW", "UPDATE"],
            "Intersect multiple sets and store the resulting set in a key",
            INTER,
        ),
        many("sunion", sunion, "Add multiple sets", TOTAL),
        store(
            "sunionstore",
            sunionstore,
            &["OW", "UPDATE"],
            "Add multiple sets and store the resulting set in a key",
            TOTAL,
        ),
        many("sdiff", sdiff, "Subtract multiple sets", TOTAL),
        store(
            "sdiffstore",
            sdiffstore,
            &["OW", "UPDATE"],
            "Subtract multiple sets and store the resulting set in a key",
            TOTAL,
        ),
        s("sscan", -3, f::READONLY, sscan, RO_ACCESS).tips(RANDOM).doc(
            "2.8.0",
            "Incrementally iterate Set elements",
            "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to \
             return back to 0. N is the number of elements inside the collection..",
        ),
    ]
}

// ---------------------------------------------------------------------------
// Looking sets up.

fn max_intset(c: &ExecCtx) -> usize {
    c.settings.set_max_intset_entries
}

/// The set at `key` for reading (statistics and access time as Redis's
/// lookupKeyRead); None when missing, WRONGTYPE for another type.
fn read<'a>(c: &'a mut ExecCtx, key: &[u8]) -> Result<Option<&'a Set>, Reply> {
    match lookup_touch(c, key).map(|e| &e.value) {
        None => Ok(None),
        Some(Value::Set(s)) => Ok(Some(s)),
        Some(_) => Err(wrong_type()),
    }
}

/// The set at `key` for writing; None when missing.
fn write<'a>(c: &'a mut ExecCtx, key: &[u8]) -> Result<Option<&'a mut Set>, Reply> {
    match write_entry(c, key).map(|e| &mut e.value) {
        None => Ok(None),
        Some(Value::Set(s)) => Ok(Some(s)),
        Some(_) => Err(wrong_type()),
    }
}

/// The set at `key` for writing, created (in the encoding Redis picks for
/// `first`) when missing: callers add `first` before they return.
fn write_or_create<'a>(c: &'a mut ExecCtx, key: &Bytes, first: &[u8]) -> Result<&'a mut Set, Reply> {
    if write(c, key)?.is_none() {
        c.db().insert(owned(key), Entry::new(Value::Set(Set::for_member(first))));
    }
    write(c, key)?.ok_or_else(wrong_type)
}

/// Deletes `key` when its set has just lost its last member.
fn drop_if_empty(c: &mut ExecCtx, key: &[u8]) {
    if write(c, key).ok().flatten().is_some_and(|s| s.is_empty()) {
        c.db().remove(key);
    }
}

fn members_reply<'a>(members: impl Iterator<Item = Member<'a>>) -> Reply {
    Reply::Set(members.map(|m| Reply::Bulk(m.to_bytes())).collect())
}

// ---------------------------------------------------------------------------
// One set.

fn sadd(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let max = max_intset(c);
    either(write_or_create(c, &a[1], &a[2]).map(|s| a[2..].iter().filter(|m| s.insert(m, max)).count()).map(|added| {
        c.dirty(added as u64);
        Reply::Int(added as i64)
    }))
}

fn srem(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let Some(s) = write(c, &a[1])? else { return Ok(Reply::Int(0)) };
        let mut removed = 0;
        for m in &a[2..] {
            if s.remove(m) {
                removed += 1;
                if s.is_empty() {
                    break;
                }
            }
        }
        drop_if_empty(c, &a[1]);
        c.dirty(removed);
        Ok(Reply::Int(removed as i64))
    })())
}

fn scard(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read(c, &a[1]).map(|s| Reply::Int(s.map_or(0, |s| s.len() as i64))))
}

fn sismember(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read(c, &a[1]).map(|s| Reply::Int(s.is_some_and(|s| s.contains(&a[2])) as i64)))
}

fn smismember(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(
        read(c, &a[1]).map(|s| {
            Reply::Array(a[2..].iter().map(|m| Reply::Int(s.is_some_and(|s| s.contains(m)) as i64)).collect())
        }),
    )
}

fn smembers(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read(c, &a[1]).map(|s| members_reply(s.iter().flat_map(|s| s.iter()))))
}

fn srandmember(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        match a.len() {
            2 => {
                let Some(s) = read(c, &a[1])? else { return Ok(Reply::Nil) };
                return Ok(Reply::Bulk(s.at(rand::below(s.len())).to_bytes()));
            }
            3 => {}
            _ => return Err(Reply::err(ERR_SYNTAX)),
        }
        let (count, distinct) = picks(count_arg(&a[2])?)?;
        let Some(s) = read(c, &a[1])? else { return Ok(Reply::Array(Vec::new())) };
        if count == 0 {
            return Ok(Reply::Array(Vec::new()));
        }
        let picked = random_positions(s.len(), count, distinct);
        Ok(Reply::Array(picked.into_iter().map(|i| Reply::Bulk(s.at(i).to_bytes())).collect()))
    })())
}

/// A set with fewer members left than this many times the ones SPOP takes
/// is rebuilt from the members it keeps (as Redis, whose rebuilt set then
/// takes the encoding its members call for).
const SPOP_REBUILD_MUL: usize = 5;

fn spop(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let key = &a[1];
        match a.len() {
            2 => {
                let Some(s) = write(c, key)? else { return Ok(Reply::Nil) };
                let m = s.remove_at(rand::below(s.len()));
                drop_if_empty(c, key);
                c.dirty(1);
                return Ok(Reply::Bulk(m));
            }
            3 => {}
            _ => return Err(Reply::err(ERR_SYNTAX)),
        }
        let count = match int_arg(&a[2]) {
            Ok(n) if n >= 0 => n as usize,
            _ => return Err(Reply::err("ERR value is out of range, must be positive")),
        };
        let max = max_intset(c);
        let Some(s) = write(c, key)? else { return Ok(Reply::Set(Vec::new())) };
        if count == 0 {
            return Ok(Reply::Set(Vec::new()));
        }
        let size = s.len();
        let popped = if count >= size {
            let all = s.iter().map(Member::to_bytes).collect();
            c.db().remove(key);
            all
        } else if (size - count) * SPOP_REBUILD_MUL > count {
            (0..count).map(|_| s.remove_at(rand::below(s.len()))).collect()
        } else {
            let keep = rand::distinct(size, size - count);
            let mut kept = vec![false; size];
            keep.iter().for_each(|&i| kept[i] = true);
            let mut rebuilt = Set::for_member(&s.at(keep[0]).to_bytes());
            let mut popped = Vec::with_capacity(count);
            for (i, m) in s.iter().enumerate() {
                if kept[i] {
                    rebuilt.insert_member(m, max);
                } else {
                    popped.push(m.to_bytes());
                }
            }
            *s = rebuilt;
            popped
        };
        c.dirty(popped.len() as u64);
        Ok(Reply::Set(popped.into_iter().map(Reply::Bulk).collect()))
    })())
}

fn smove(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let (src, dst, m) = (&a[1], &a[2], &a[3]);
        if write(c, src)?.is_none() {
            return Ok(Reply::Int(0));
        }
        write(c, dst)?;
        if src == dst {
            return Ok(Reply::Int(write(c, src)?.is_some_and(|s| s.contains(m)) as i64));
        }
        if !write(c, src)?.is_some_and(|s| s.remove(m)) {
            return Ok(Reply::Int(0));
        }
        drop_if_empty(c, src);
        let max = max_intset(c);
        let added = write_or_create(c, dst, m)?.insert(m, max);
        c.dirty(1 + added as u64);
        Ok(Reply::Int(1))
    })())
}

fn sscan(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    scan_collection(c, a, "set", |v, cursor, opts| {
        let Value::Set(s) = v else { return (0, Vec::new()) };
        let keep = |m: Member| m.with_bytes(|b| opts.matches(b)).then(|| Reply::Bulk(m.to_bytes()));
        match s {
            Set::IntSet(_) => (0, s.iter().filter_map(keep).collect()),
            Set::Table(t) => {
                let (next, items) = t.scan(cursor, opts.count);
                (next, items.filter_map(|(m, _)| keep(Member::Str(m))).collect())
            }
        }
    })
}

// ---------------------------------------------------------------------------
// Several sets: intersection, union, difference.

/// Looks every key up as Redis does (each a keyspace hit or miss, WRONGTYPE
/// for any non-set), then runs `f` on the sets (None: missing key).
fn with_sets<R>(c: &mut ExecCtx, keys: &[Bytes], f: impl FnOnce(&[Option<&Set>]) -> R) -> Result<R, Reply> {
    for k in keys {
        read(c, k)?;
    }
    let (now, db) = (c.now, &c.ks.dbs[c.db]);
    let sets: Vec<Option<&Set>> = keys
        .iter()
        .map(|k| match db.peek(k, now).map(|e| &e.value) {
            Some(Value::Set(s)) => Some(s),
            _ => None,
        })
        .collect();
    Ok(f(&sets))
}

/// The members in every set, or as many as `limit` of them (0: all):
/// the smallest set's members checked against the others.
fn intersection<'a>(sets: &[Option<&'a Set>], limit: usize) -> Vec<Member<'a>> {
    let Some(mut sets) = sets.iter().copied().collect::<Option<Vec<&Set>>>() else { return Vec::new() };
    sets.sort_by_key(|s| s.len());
    let first = sets[0];
    let mut out = Vec::new();
    for m in first.iter() {
        if sets[1..].iter().all(|s| std::ptr::eq(*s, first) || s.contains_member(m)) {
            out.push(m);
            if out.len() == limit {
                break;
            }
        }
    }
    out
}

/// The members of any set, as a new set (Redis builds it from an empty
/// intset, so its encoding is what its members call for).
fn union(sets: &[Option<&Set>], max_intset: usize) -> Set {
    let mut out = Set::default();
    for s in sets.iter().flatten() {
        s.iter().for_each(|m| {
            out.insert_member(m, max_intset);
        });
    }
    out
}

/// The first set's members that are in none of the others.
fn difference(sets: &[Option<&Set>], max_intset: usize) -> Set {
    let mut out = Set::default();
    let Some(first) = sets[0] else { return out };
    let rest: Vec<&Set> = sets[1..].iter().flatten().copied().collect();
    if rest.iter().any(|s| std::ptr::eq(*s, first)) {
        return out;
    }
    for m in first.iter() {
        if !rest.iter().any(|s| s.contains_member(m)) {
            out.insert_member(m, max_intset);
        }
    }
    out
}

/// Stores a computed set at `dst` (replacing whatever is there, its expiry
/// included), or deletes `dst` when the set is empty; replies its size.
fn store(c: &mut ExecCtx, dst: &Bytes, s: Set) -> Reply {
    let n = s.len();
    if n > 0 {
        c.db().set(owned(dst), Value::Set(s));
        c.dirty(1);
    } else if c.db().remove(dst).is_some() {
        c.dirty(1);
    }
    Reply::Int(n as i64)
}

fn sinter(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(with_sets(c, &a[1..], |sets| members_reply(intersection(sets, 0).into_iter())))
}

fn sintercard(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let numkeys_err = || Reply::err("ERR numkeys should be greater than 0");
        let n = int_arg(&a[1]).map_err(|_| numkeys_err())?;
        if n < 1 {
            return Err(numkeys_err());
        }
        if n > a.len() as i64 - 2 {
            return Err(Reply::err("ERR Number of keys can't be greater than number of args"));
        }
        let keys = &a[2..2 + n as usize];
        let mut limit = 0;
        let mut i = 2 + n as usize;
        while i < a.len() {
            if !(is(&a[i], "limit") && i + 1 < a.len()) {
                return Err(Reply::err(ERR_SYNTAX));
            }
            limit = match int_arg(&a[i + 1]) {
                Ok(l) if l >= 0 => l as usize,
                _ => return Err(Reply::err("ERR LIMIT can't be negative")),
            };
            i += 2;
        }
        with_sets(c, keys, |sets| Reply::Int(intersection(sets, limit).len() as i64))
    })())
}

fn sinterstore(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let max = max_intset(c);
    either(
        with_sets(c, &a[2..], |sets| {
            let mut out = Set::default();
            intersection(sets, 0).into_iter().for_each(|m| {
                out.insert_member(m, max);
            });
            out
        })
        .map(|s| store(c, &a[1], s)),
    )
}

fn sunion(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let max = max_intset(c);
    either(with_sets(c, &a[1..], |sets| members_reply(union(sets, max).iter())))
}

fn sunionstore(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let max = max_intset(c);
    either(with_sets(c, &a[2..], |sets| union(sets, max)).map(|s| store(c, &a[1], s)))
}

fn sdiff(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let max = max_intset(c);
    either(with_sets(c, &a[1..], |sets| members_reply(difference(sets, max).iter())))
}

fn sdiffstore(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let max = max_intset(c);
    either(with_sets(c, &a[2..], |sets| difference(sets, max)).map(|s| store(c, &a[1], s)))
}
