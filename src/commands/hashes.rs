//! Hash commands: HSET/HMSET/HSETNX, HGET/HMGET, HDEL, HLEN, HSTRLEN,
//! HEXISTS, HKEYS/HVALS/HGETALL, HINCRBY/HINCRBYFLOAT, HRANDFIELD and
//! HSCAN, on `shard::Hash` values, with Redis's replies and errors. The
//! random-count rules HRANDFIELD shares with SRANDMEMBER are here too.

use super::keys::{lookup_touch, wrong_type};
use super::scan::scan_collection;
use super::strings::write_entry;
use super::util::*;
use crate::command::spec::{acl, flags as f, ks, CommandSpec, Exec, ShardFn};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::shard::hash::Limits;
use crate::shard::{Entry, Hash, Value};
use crate::util::long_double::LongDouble;
use crate::util::num::{fmt_i64, parse_i64};
use crate::util::rand;
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let s = |name, arity, fl, h: ShardFn, key: &'static [&'static str]| {
        CommandSpec::new(name, arity, fl, Exec::Shard(h)).group("hash").acl(acl::HASH).keys(vec![ks::at(1, key)])
    };
    const W: u32 = f::WRITE | f::DENYOOM | f::FAST;
    const R: u32 = f::READONLY | f::FAST;
    const RO_ACCESS: &[&str] = &["RO", "ACCESS"];
    const RW_ACCESS_UPDATE: &[&str] = &["RW", "ACCESS", "UPDATE"];
    const ORDER: &[&str] = &["nondeterministic_output_order"];
    const ALL: &str = "O(N) where N is the size of the hash.";
    const SCAN: &str = "O(1) for every call. O(N) for a complete iteration, including enough command calls for the \
                        cursor to return back to 0. N is the number of elements inside the collection..";
    vec![
        s("hset", -4, W, hset, &["RW", "UPDATE"]).doc(
            "2.0.0",
            "Set the string value of a hash field",
            "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called \
             with multiple field/value pairs.",
        ),
        s("hsetnx", 4, W, hsetnx, &["RW", "INSERT"]).doc(
            "2.0.0",
            "Set the value of a hash field, only if the field does not exist",
            "O(1)",
        ),
        s("hget", 3, R, hget, RO_ACCESS).doc("2.0.0", "Get the value of a hash field", "O(1)"),
        s("hmget", -3, R, hmget, RO_ACCESS).doc(
            "2.0.0",
            "Get the values of all the given hash fields",
            "O(N) where N is the number of fields being requested.",
        ),
        s("hmset", -4, W, hset, &["RW", "UPDATE"]).doc(
            "2.0.0",
            "Set multiple hash fields to multiple values",
            "O(N) where N is the number of fields being set.",
        ),
        s("hdel", -3, f::WRITE | f::FAST, hdel, &["RW", "DELETE"]).doc(
            "2.0.0",
            "Delete one or more hash fields",
            "O(N) where N is the number of fields to be removed.",
        ),
        s("hlen", 2, R, hlen, &["RO"]).doc("2.0.0", "Get the number of fields in a hash", "O(1)"),
        s("hstrlen", 3, R, hstrlen, &["RO"]).doc("3.2.0", "Get the length of the value of a hash field", "O(1)"),
        s("hexists", 3, R, hexists, &["RO"]).doc("2.0.0", "Determine if a hash field exists", "O(1)"),
        s("hkeys", 2, f::READONLY, hkeys, RO_ACCESS).tips(ORDER).doc("2.0.0", "Get all the fields in a hash", ALL),
        s("hvals", 2, f::READONLY, hvals, RO_ACCESS).tips(ORDER).doc("2.0.0", "Get all the values in a hash", ALL),
        s("hgetall", 2, f::READONLY, hgetall, RO_ACCESS).tips(ORDER).doc(
            "2.0.0",
            "Get all the fields and values in a hash",
            ALL,
        ),
        s("hincrby", 4, W, hincrby, RW_ACCESS_UPDATE).doc(
            "2.0.0",
            "Increment the integer value of a hash field by the given number",
            "O(1)",
        ),
        s("hincrbyfloat", 4, W, hincrbyfloat, RW_ACCESS_UPDATE).doc(
            "2.6.0",
            "Increment the float value of a hash field by the given amount",
            "O(1)",
        ),
        s("hrandfield", -2, f::READONLY, hrandfield, RO_ACCESS).tips(&["nondeterministic_output"]).doc(
            "6.2.0",
            "Get one or multiple random fields from a hash",
            "O(N) where N is the number of fields returned",
        ),
        s("hscan", -3, f::READONLY, hscan, RO_ACCESS).tips(&["nondeterministic_output"]).doc(
            "2.8.0",
            "Incrementally iterate hash fields and associated values",
            SCAN,
        ),
    ]
}

// ---------------------------------------------------------------------------
// Looking hashes up.

fn limits(c: &ExecCtx) -> Limits {
    Limits { entries: c.settings.hash_max_listpack_entries, value: c.settings.hash_max_listpack_value }
}

/// The hash at `key` for reading (statistics and access time as Redis's
/// lookupKeyRead); None when missing, WRONGTYPE for another type.
fn read<'a>(c: &'a mut ExecCtx, key: &[u8]) -> Result<Option<&'a Hash>, Reply> {
    match lookup_touch(c, key).map(|e| &e.value) {
        None => Ok(None),
        Some(Value::Hash(h)) => Ok(Some(h)),
        Some(_) => Err(wrong_type()),
    }
}

/// The hash at `key` for writing; None when missing.
fn write<'a>(c: &'a mut ExecCtx, key: &[u8]) -> Result<Option<&'a mut Hash>, Reply> {
    match write_entry(c, key).map(|e| &mut e.value) {
        None => Ok(None),
        Some(Value::Hash(h)) => Ok(Some(h)),
        Some(_) => Err(wrong_type()),
    }
}

/// The hash at `key` for writing, created empty when missing: callers
/// add to it before they return.
fn write_or_create<'a>(c: &'a mut ExecCtx, key: &Bytes) -> Result<&'a mut Hash, Reply> {
    if write(c, key)?.is_none() {
        c.db().insert(owned(key), Entry::new(Value::Hash(Hash::default())));
    }
    write(c, key)?.ok_or_else(wrong_type)
}

/// Deletes `key` when its hash has just lost its last field.
fn drop_if_empty(c: &mut ExecCtx, key: &[u8]) {
    if write(c, key).ok().flatten().is_some_and(|h| h.is_empty()) {
        c.db().remove(key);
    }
}

fn bulk_or_nil(v: Option<&[u8]>) -> Reply {
    v.map_or(Reply::Nil, Reply::bulk)
}

// ---------------------------------------------------------------------------
// Setting, getting, deleting fields.

/// HSET (the number of new fields) and HMSET (OK).
fn hset(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    if a.len() % 2 == 1 {
        let name = String::from_utf8_lossy(&a[0]).to_ascii_lowercase();
        return Reply::err(format!("ERR wrong number of arguments for '{name}' command"));
    }
    let lim = limits(c);
    either(write_or_create(c, &a[1]).map(|h| a[2..].chunks(2).filter(|p| h.insert(&p[0], &p[1], lim)).count()).map(
        |added| {
            c.dirty((a.len() as u64 - 2) / 2);
            if is(&a[0], "hset") {
                Reply::Int(added as i64)
            } else {
                Reply::Ok
            }
        },
    ))
}

fn hsetnx(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let lim = limits(c);
    either(write_or_create(c, &a[1]).map(|h| h.get(&a[2]).is_none() && h.insert(&a[2], &a[3], lim)).map(|set| {
        c.dirty(set as u64);
        Reply::Int(set as i64)
    }))
}

fn hget(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read(c, &a[1]).map(|h| bulk_or_nil(h.and_then(|h| h.get(&a[2])))))
}

fn hmget(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read(c, &a[1]).map(|h| Reply::Array(a[2..].iter().map(|f| bulk_or_nil(h.and_then(|h| h.get(f)))).collect())))
}

fn hdel(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let Some(h) = write(c, &a[1])? else { return Ok(Reply::Int(0)) };
        let mut deleted = 0;
        for field in &a[2..] {
            if h.remove(field) {
                deleted += 1;
                if h.is_empty() {
                    break;
                }
            }
        }
        drop_if_empty(c, &a[1]);
        c.dirty(deleted);
        Ok(Reply::Int(deleted as i64))
    })())
}

fn hlen(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read(c, &a[1]).map(|h| Reply::Int(h.map_or(0, |h| h.len() as i64))))
}

fn hstrlen(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read(c, &a[1]).map(|h| Reply::Int(h.and_then(|h| h.get(&a[2])).map_or(0, |v| v.len() as i64))))
}

fn hexists(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read(c, &a[1]).map(|h| Reply::Int(h.is_some_and(|h| h.get(&a[2]).is_some()) as i64)))
}

fn hkeys(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read(c, &a[1]).map(|h| Reply::Array(h.iter().flat_map(|h| h.iter()).map(|(f, _)| Reply::bulk(f)).collect())))
}

fn hvals(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read(c, &a[1]).map(|h| Reply::Array(h.iter().flat_map(|h| h.iter()).map(|(_, v)| Reply::bulk(v)).collect())))
}

/// HGETALL: a map in RESP3, a flat array in RESP2.
fn hgetall(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(
        read(c, &a[1]).map(|h| {
            Reply::Map(h.iter().flat_map(|h| h.iter()).map(|(f, v)| (Reply::bulk(f), Reply::bulk(v))).collect())
        }),
    )
}

// ---------------------------------------------------------------------------
// Counters in fields.

fn hincrby(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let by = int_arg(&a[3])?;
        let lim = limits(c);
        let h = write_or_create(c, &a[1])?;
        let cur = match h.get(&a[2]) {
            None => 0,
            Some(v) => parse_i64(v).ok_or_else(|| Reply::err("ERR hash value is not an integer"))?,
        };
        let n = cur.checked_add(by).ok_or_else(|| Reply::err(ERR_OVERFLOW))?;
        h.insert(&a[2], fmt_i64(n, &mut [0; 20]), lim);
        c.dirty(1);
        Ok(Reply::Int(n))
    })())
}

/// HINCRBYFLOAT: x87 long double arithmetic and formatting, as INCRBYFLOAT.
fn hincrbyfloat(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let by = LongDouble::parse(&a[3]).ok_or_else(|| Reply::err(ERR_NOT_FLOAT))?;
        if by.is_infinite() {
            return Err(Reply::err("ERR value is NaN or Infinity"));
        }
        let lim = limits(c);
        let h = write_or_create(c, &a[1])?;
        let cur = match h.get(&a[2]) {
            None => LongDouble::ZERO,
            Some(v) => LongDouble::parse(v).ok_or_else(|| Reply::err("ERR hash value is not a float"))?,
        };
        let sum = cur.checked_add(by).ok_or_else(|| Reply::err("ERR increment would produce NaN or Infinity"))?;
        let text = Bytes::from(sum.to_human_string());
        h.insert(&a[2], &text, lim);
        c.dirty(1);
        Ok(Reply::Bulk(text))
    })())
}

// ---------------------------------------------------------------------------
// Random fields and SCAN.

/// Past this many repeated random picks (a negative count) in one reply
/// Clover refuses the count with "value is out of range" instead of
/// building a reply that could exhaust memory (a reply is built whole
/// before it is sent; Redis streams such replies until its output buffer
/// limit drops the client). About 4 million picks, a few hundred MB.
const MAX_RANDOM_REPLY: u64 = 1 << 22;

/// A HRANDFIELD/SRANDMEMBER count argument, in Redis's range.
pub fn count_arg(a: &[u8]) -> Result<i64, Reply> {
    match int_arg(a)? {
        i64::MIN => {
            Err(Reply::err(format!("ERR value is out of range, value must between {} and {}", -i64::MAX, i64::MAX)))
        }
        n => Ok(n),
    }
}

/// What a count asks for: (how many, whether distinct).
pub fn picks(n: i64) -> Result<(usize, bool), Reply> {
    if n < 0 && n.unsigned_abs() > MAX_RANDOM_REPLY {
        return Err(Reply::err("ERR value is out of range"));
    }
    Ok((n.unsigned_abs() as usize, n >= 0))
}

/// Positions to pick out of `len` (> 0): `count` with repeats, or up to
/// `count` distinct ones (all of them, in order, when that is everything).
pub fn random_positions(len: usize, count: usize, distinct: bool) -> Vec<usize> {
    if !distinct {
        (0..count).map(|_| rand::below(len)).collect()
    } else if count >= len {
        (0..len).collect()
    } else {
        rand::distinct(len, count)
    }
}

fn hrandfield(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        if a.len() == 2 {
            let Some(h) = read(c, &a[1])? else { return Ok(Reply::Nil) };
            let p = h.positions();
            return Ok(Reply::bulk(p.at(rand::below(p.len())).0));
        }
        let n = count_arg(&a[2])?;
        let values = match a.len() {
            3 => false,
            4 if is(&a[3], "withvalues") => true,
            _ => return Err(Reply::err(ERR_SYNTAX)),
        };
        if values && !(-i64::MAX / 2..=i64::MAX / 2).contains(&n) {
            return Err(Reply::err("ERR value is out of range"));
        }
        let (count, distinct) = picks(n)?;
        let Some(h) = read(c, &a[1])? else { return Ok(Reply::Array(Vec::new())) };
        if count == 0 {
            return Ok(Reply::Array(Vec::new()));
        }
        let p = h.positions();
        let picks = random_positions(p.len(), count, distinct);
        Ok(if values {
            Reply::Pairs(picks.into_iter().map(|i| p.at(i)).map(|(f, v)| (Reply::bulk(f), Reply::bulk(v))).collect())
        } else {
            Reply::Array(picks.into_iter().map(|i| Reply::bulk(p.at(i).0)).collect())
        })
    })())
}

fn hscan(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    scan_collection(c, a, "hash", |v, cursor, opts| {
        let Value::Hash(h) = v else { return (0, Vec::new()) };
        let mut out = Vec::new();
        let mut add = |f: &[u8], v: &[u8]| {
            if opts.matches(f) {
                out.push(Reply::bulk(f));
                out.push(Reply::bulk(v));
            }
        };
        match h {
            Hash::Listpack(l) => {
                l.iter().for_each(|(f, v)| add(f, v));
                (0, out)
            }
            Hash::Table(t) => {
                let (next, items) = t.scan(cursor, opts.count);
                items.for_each(|(f, v)| add(f, v));
                (next, out)
            }
        }
    })
}
