//! String commands: GET, SET and friends, counters, ranges, bits.

use super::util::*;
use crate::command::spec::{acl, flags as f, ks, CommandSpec, Exec};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::shard::{Entry, Value};
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let s = |name, arity, fl, h| CommandSpec::new(name, arity, fl, Exec::Shard(h)).group("string").acl(acl::STRING);
    vec![
        s("get", 2, f::READONLY | f::FAST, get).keys(vec![ks::at(1, &["RO", "ACCESS"])]).doc(
            "1.0.0",
            "Get the value of a key",
            "O(1)",
        ),
        s("set", -3, f::WRITE | f::DENYOOM, set)
            .keys(vec![ks::at(1, &["RW", "ACCESS", "UPDATE", "VARIABLE_FLAGS"])])
            .doc("1.0.0", "Set the string value of a key", "O(1)"),
        s("mget", -2, f::READONLY | f::FAST, mget).keys(vec![ks::range(1, -1, 1, &["RO", "ACCESS"])]).doc(
            "1.0.0",
            "Get the values of all the given keys",
            "O(N) where N is the number of keys to retrieve.",
        ),
        s("mset", -3, f::WRITE | f::DENYOOM, mset).keys(vec![ks::range(1, -1, 2, &["OW", "UPDATE"])]).doc(
            "1.0.1",
            "Set multiple keys to multiple values",
            "O(N) where N is the number of keys to set.",
        ),
        s("incr", 2, f::WRITE | f::DENYOOM | f::FAST, incr).keys(vec![ks::at(1, &["RW", "ACCESS", "UPDATE"])]).doc(
            "1.0.0",
            "Increment the integer value of a key by one",
            "O(1)",
        ),
        s("decr", 2, f::WRITE | f::DENYOOM | f::FAST, decr).keys(vec![ks::at(1, &["RW", "ACCESS", "UPDATE"])]).doc(
            "1.0.0",
            "Decrement the integer value of a key by one",
            "O(1)",
        ),
        s("incrby", 3, f::WRITE | f::DENYOOM | f::FAST, incrby).keys(vec![ks::at(1, &["RW", "ACCESS", "UPDATE"])]).doc(
            "1.0.0",
            "Increment the integer value of a key by the given amount",
            "O(1)",
        ),
        s("decrby", 3, f::WRITE | f::DENYOOM | f::FAST, decrby).keys(vec![ks::at(1, &["RW", "ACCESS", "UPDATE"])]).doc(
            "1.0.0",
            "Decrement the integer value of a key by the given number",
            "O(1)",
        ),
    ]
}

/// The string value of `key`: Ok(None) when missing, Err(WRONGTYPE) when it
/// holds another type.
pub fn get_string(c: &mut ExecCtx, key: &[u8]) -> Result<Option<Bytes>, Reply> {
    let now = c.now;
    match c.db().get(key, now) {
        None => {
            c.ks.misses += 1;
            Ok(None)
        }
        Some(e) => {
            e.access = crate::shard::expire::lru_clock();
            let Value::Str(b) = &e.value;
            let b = b.clone();
            c.ks.hits += 1;
            Ok(Some(b))
        }
    }
}

fn get(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    match get_string(c, &a[1]) {
        Ok(Some(b)) => Reply::Bulk(b),
        Ok(None) => Reply::Nil,
        Err(e) => e,
    }
}

/// Options of SET.
struct SetOpts {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    /// Absolute expiry in ms, 0 = none.
    expire: u64,
}

fn parse_set_opts(c: &ExecCtx, a: &[Bytes]) -> Result<SetOpts, Reply> {
    let mut o = SetOpts { nx: false, xx: false, get: false, keepttl: false, expire: 0 };
    let mut unit: Option<(u64, bool)> = None; // (multiplier, absolute)
    let mut i = 3;
    let mut expire_arg: Option<&Bytes> = None;
    while i < a.len() {
        let w = &a[i];
        let next = a.get(i + 1);
        if is(w, "nx") && !o.xx {
            o.nx = true;
        } else if is(w, "xx") && !o.nx {
            o.xx = true;
        } else if is(w, "get") {
            o.get = true;
        } else if is(w, "keepttl") && unit.is_none() {
            o.keepttl = true;
        } else if unit.is_none()
            && !o.keepttl
            && next.is_some()
            && (is(w, "ex") || is(w, "px") || is(w, "exat") || is(w, "pxat"))
        {
            unit = Some(if is(w, "ex") {
                (1000, false)
            } else if is(w, "px") {
                (1, false)
            } else if is(w, "exat") {
                (1000, true)
            } else {
                (1, true)
            });
            expire_arg = next;
            i += 1;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        i += 1;
    }
    if let (Some((mul, absolute)), Some(arg)) = (unit, expire_arg) {
        let v = int_arg(arg)?;
        let invalid = || Reply::err(format!("ERR invalid expire time in '{}' command", "set"));
        if v <= 0 {
            return Err(invalid());
        }
        let ms = (v as u64).checked_mul(mul).filter(|&m| m <= i64::MAX as u64).ok_or_else(invalid)?;
        let at = if absolute { Some(ms) } else { ms.checked_add(c.now).filter(|&m| m <= i64::MAX as u64) };
        o.expire = at.ok_or_else(invalid)?;
    }
    Ok(o)
}

fn set(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let o = match parse_set_opts(c, a) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let now = c.now;
    let old = c.db().get(&a[1], now).map(|e| (e.value.clone(), e.expire));
    let old_str = match &old {
        Some((Value::Str(b), _)) => Some(b.clone()),
        None => None,
    };
    if (o.nx && old.is_some()) || (o.xx && old.is_none()) {
        return if o.get { old_str.map_or(Reply::Nil, Reply::Bulk) } else { Reply::Nil };
    }
    let mut entry = Entry::new(Value::Str(owned(&a[2])));
    entry.expire = if o.keepttl { old.as_ref().map_or(0, |o| o.1) } else { o.expire };
    c.db().insert(owned(&a[1]), entry);
    c.dirty(1);
    if o.get {
        old_str.map_or(Reply::Nil, Reply::Bulk)
    } else {
        Reply::Ok
    }
}

fn mget(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    Reply::Array(
        a[1..]
            .iter()
            .map(|k| match get_string(c, k) {
                Ok(Some(b)) => Reply::Bulk(b),
                _ => Reply::Nil,
            })
            .collect(),
    )
}

fn mset(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    if a.len() % 2 == 0 {
        return Reply::err("ERR wrong number of arguments for 'mset' command");
    }
    for kv in a[1..].chunks(2) {
        c.db().set(owned(&kv[0]), Value::Str(owned(&kv[1])));
    }
    c.dirty((a.len() / 2) as u64);
    Reply::Ok
}

/// Adds `by` to the integer stored at `key`, keeping its expiry.
pub fn incr_by(c: &mut ExecCtx, key: &Bytes, by: i64) -> Reply {
    let now = c.now;
    let (cur, expire) = match c.db().get(key, now) {
        None => (0, 0),
        Some(e) => {
            let Value::Str(b) = &e.value;
            match crate::util::num::parse_i64(b) {
                Some(v) => (v, e.expire),
                None => return Reply::err(ERR_NOT_INT),
            }
        }
    };
    let Some(n) = cur.checked_add(by) else { return Reply::err(ERR_OVERFLOW) };
    let mut buf = [0u8; 20];
    let text = Bytes::copy_from_slice(crate::util::num::fmt_i64(n, &mut buf));
    let mut entry = Entry::new(Value::Str(text));
    entry.expire = expire;
    c.db().insert(owned(key), entry);
    c.dirty(1);
    Reply::Int(n)
}

fn incr(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    incr_by(c, &a[1], 1)
}

fn decr(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    incr_by(c, &a[1], -1)
}

fn incrby(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    match int_arg(&a[2]) {
        Ok(by) => incr_by(c, &a[1], by),
        Err(e) => e,
    }
}

fn decrby(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    match int_arg(&a[2]) {
        Ok(by) if by == i64::MIN => Reply::err("ERR decrement would overflow"),
        Ok(by) => incr_by(c, &a[1], -by),
        Err(e) => e,
    }
}
