//! String commands: GET and SET with their variants (SETNX, SETEX, PSETEX,
//! GETEX, GETDEL, GETSET), MGET/MSET/MSETNX, APPEND, STRLEN, GETRANGE,
//! SETRANGE; the table entries of the counters (`counters.rs`) and LCS
//! (`lcs.rs`); and the string-value helpers those and the bitmap family
//! (`bitmap.rs`) share.

use super::counters::{decr, decrby, incr, incrby, incrbyfloat};
use super::util::*;
use crate::command::spec::{acl, flags as f, ks, CommandSpec, Exec, ShardFn};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::shard::{CompactBytes, Entry, Value};
use bytes::{Bytes, BytesMut};

pub fn commands() -> Vec<CommandSpec> {
    let s = |name, arity, fl, h: ShardFn, key: &'static [&'static str]| {
        CommandSpec::new(name, arity, fl, Exec::Shard(h)).group("string").acl(acl::STRING).keys(vec![ks::at(1, key)])
    };
    const W: u32 = f::WRITE | f::DENYOOM;
    const RW_UPDATE: &[&str] = &["RW", "ACCESS", "UPDATE"];
    const RO_ACCESS: &[&str] = &["RO", "ACCESS"];
    const RANGE_COMPLEXITY: &str = "O(N) where N is the length of the returned string. The complexity is ultimately \
         determined by the returned length, but because creating a substring from an existing string is very cheap, \
         it can be considered O(1) for small strings.";
    let counter = |name, h, summary| s(name, 2, W | f::FAST, h, RW_UPDATE).doc("1.0.0", summary, "O(1)");
    let counter_by = |name, h, since, summary| s(name, 3, W | f::FAST, h, RW_UPDATE).doc(since, summary, "O(1)");
    vec![
        s("get", 2, f::READONLY | f::FAST, get, RO_ACCESS).doc("1.0.0", "Get the value of a key", "O(1)"),
        s("set", -3, W, set, &["RW", "ACCESS", "UPDATE", "VARIABLE_FLAGS"]).doc(
            "1.0.0",
            "Set the string value of a key",
            "O(1)",
        ),
        s("setnx", 3, W | f::FAST, setnx, &["OW", "INSERT"]).doc(
            "1.0.0",
            "Set the value of a key, only if the key does not exist",
            "O(1)",
        ),
        s("setex", 4, W, setex, &["OW", "UPDATE"]).doc("2.0.0", "Set the value and expiration of a key", "O(1)"),
        s("psetex", 4, W, setex, &["OW", "UPDATE"]).doc(
            "2.6.0",
            "Set the value and expiration in milliseconds of a key",
            "O(1)",
        ),
        s("getex", -2, f::WRITE | f::FAST, getex, RW_UPDATE).doc(
            "6.2.0",
            "Get the value of a key and optionally set its expiration",
            "O(1)",
        ),
        s("getdel", 2, f::WRITE | f::FAST, getdel, &["RW", "ACCESS", "DELETE"]).doc(
            "6.2.0",
            "Get the value of a key and delete the key",
            "O(1)",
        ),
        s("getset", 3, W | f::FAST, getset, RW_UPDATE).doc(
            "1.0.0",
            "Set the string value of a key and return its old value",
            "O(1)",
        ),
        s("mget", -2, f::READONLY | f::FAST, mget, RO_ACCESS)
            .keys(vec![ks::range(1, -1, 1, RO_ACCESS)])
            .tips(&["request_policy:multi_shard"])
            .doc("1.0.0", "Get the values of all the given keys", "O(N) where N is the number of keys to retrieve."),
        s("mset", -3, W, mset, &[])
            .keys(vec![ks::range(1, -1, 2, &["OW", "UPDATE"])])
            .tips(&["request_policy:multi_shard", "response_policy:all_succeeded"])
            .doc("1.0.1", "Set multiple keys to multiple values", "O(N) where N is the number of keys to set."),
        s("msetnx", -3, W, msetnx, &[])
            .keys(vec![ks::range(1, -1, 2, &["OW", "INSERT"])])
            .tips(&["request_policy:multi_shard", "response_policy:agg_min"])
            .doc(
                "1.0.1",
                "Set multiple keys to multiple values, only if none of the keys exist",
                "O(N) where N is the number of keys to set.",
            ),
        s("append", 3, W | f::FAST, append, &["RW", "INSERT"]).doc(
            "2.0.0",
            "Append a value to a key",
            "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already \
             present value is of any size, since the dynamic string library used by Redis will double the free \
             space available on every reallocation.",
        ),
        s("strlen", 2, f::READONLY | f::FAST, strlen, &["RO"]).doc(
            "2.2.0",
            "Get the length of the value stored in a key",
            "O(1)",
        ),
        counter("incr", incr, "Increment the integer value of a key by one"),
        counter("decr", decr, "Decrement the integer value of a key by one"),
        counter_by("incrby", incrby, "1.0.0", "Increment the integer value of a key by the given amount"),
        counter_by("decrby", decrby, "1.0.0", "Decrement the integer value of a key by the given number"),
        counter_by("incrbyfloat", incrbyfloat, "2.6.0", "Increment the float value of a key by the given amount"),
        s("getrange", 4, f::READONLY, getrange, RO_ACCESS).doc(
            "2.4.0",
            "Get a substring of the string stored at a key",
            RANGE_COMPLEXITY,
        ),
        s("substr", 4, f::READONLY, getrange, RO_ACCESS).doc(
            "1.0.0",
            "Get a substring of the string stored at a key",
            RANGE_COMPLEXITY,
        ),
        s("setrange", 4, W, setrange, &["RW", "UPDATE"]).doc(
            "2.2.0",
            "Overwrite part of a string at key starting at the specified offset",
            "O(1), not counting the time taken to copy the new string in place. Usually, this string is very \
             small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of \
             the value argument.",
        ),
        s("lcs", -3, f::READONLY, super::lcs::lcs, RO_ACCESS).keys(vec![ks::range(1, 1, 1, RO_ACCESS)]).doc(
            "7.0.0",
            "Find longest common substring",
            "O(N*M) where N and M are the lengths of s1 and s2, respectively",
        ),
    ]
}

// ---------------------------------------------------------------------------
// String values: the helpers every command on strings shares.

/// The bytes of a string value; WRONGTYPE for any other type.
pub fn as_str(v: &Value) -> Result<&CompactBytes, Reply> {
    match v {
        Value::Str(b) => Ok(b),
        _ => Err(Reply::err(ERR_WRONGTYPE)),
    }
}

/// The bytes of a string value, to change in place; WRONGTYPE otherwise.
pub fn as_str_mut(v: &mut Value) -> Result<&mut CompactBytes, Reply> {
    match v {
        Value::Str(b) => Ok(b),
        _ => Err(Reply::err(ERR_WRONGTYPE)),
    }
}

/// Looks `key` up for reading, as Redis's lookupKeyRead: counts a keyspace
/// hit or miss and touches the access time. None when missing, WRONGTYPE
/// when it holds another type.
pub fn read_str(c: &mut ExecCtx, key: &[u8]) -> Result<Option<Bytes>, Reply> {
    read_str_with(c, key, CompactBytes::to_bytes)
}

/// `read_str` that hands the stored string to `f` instead of copying it.
pub fn read_str_with<T>(c: &mut ExecCtx, key: &[u8], f: impl FnOnce(&CompactBytes) -> T) -> Result<Option<T>, Reply> {
    let now = c.now;
    let found = c.db().get(key, now).map(|e| {
        e.access = crate::shard::expire::lru_clock();
        as_str(&e.value).map(f)
    });
    match found {
        None => {
            c.ks.misses += 1;
            Ok(None)
        }
        Some(v) => {
            c.ks.hits += 1;
            v.map(Some)
        }
    }
}

/// The bulk reply of a stored string: a copy (the value itself when it is
/// short), or a share of a raw one.
fn str_reply(v: &CompactBytes) -> Reply {
    Reply::Str(v.clone())
}

/// Looks `key` up for writing (no hit/miss statistics): its live entry.
pub fn write_entry<'a>(c: &'a mut ExecCtx, key: &[u8]) -> Option<&'a mut Entry> {
    let now = c.now;
    let e = c.db().get(key, now)?;
    e.access = crate::shard::expire::lru_clock();
    Some(e)
}

/// Checks that a string of `len` bytes growing by `append` stays within
/// `max` (proto-max-bulk-len).
pub fn check_len(max: usize, len: usize, append: usize) -> Result<(), Reply> {
    match len.checked_add(append) {
        Some(total) if total <= max => Ok(()),
        _ => Err(Reply::err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")),
    }
}

// ---------------------------------------------------------------------------
// GET, SET and their variants.

/// The reply of GET and of the commands that return the old value: the
/// string at `key`, or nil.
fn get_reply(c: &mut ExecCtx, key: &[u8]) -> Result<Reply, Reply> {
    read_str_with(c, key, str_reply).map(|r| r.unwrap_or(Reply::Nil))
}

fn get(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(get_reply(c, &a[1]))
}

/// How an expire argument is given.
#[derive(Clone, Copy, PartialEq)]
enum Unit {
    Ex,
    Px,
    ExAt,
    PxAt,
}

/// The options SET and GETEX share (Redis's parseExtendedStringArguments).
#[derive(Default)]
struct ExtOpts<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    persist: bool,
    expire: Option<(Unit, &'a Bytes)>,
}

/// Parses SET options (`for_set`) or GETEX options from `a[from..]`.
fn parse_ext_opts(a: &[Bytes], from: usize, for_set: bool) -> Result<ExtOpts<'_>, Reply> {
    let mut o = ExtOpts::default();
    let mut i = from;
    while i < a.len() {
        let w = &a[i];
        let next = a.get(i + 1);
        // An expiry unit is allowed once (repeating the same one is fine),
        // never with KEEPTTL or PERSIST.
        let unit_ok = |u: Unit| !o.keepttl && !o.persist && o.expire.is_none_or(|(have, _)| have == u);
        let unit = [("ex", Unit::Ex), ("px", Unit::Px), ("exat", Unit::ExAt), ("pxat", Unit::PxAt)]
            .into_iter()
            .find(|(name, _)| is(w, name))
            .map(|(_, u)| u);
        if for_set && is(w, "nx") && !o.xx {
            o.nx = true;
        } else if for_set && is(w, "xx") && !o.nx {
            o.xx = true;
        } else if for_set && is(w, "get") {
            o.get = true;
        } else if for_set && is(w, "keepttl") && !o.persist && o.expire.is_none() {
            o.keepttl = true;
        } else if !for_set && is(w, "persist") && !o.keepttl && o.expire.is_none() {
            o.persist = true;
        } else if let (Some(u), Some(arg)) = (unit.filter(|&u| unit_ok(u)), next) {
            o.expire = Some((u, arg));
            i += 1;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        i += 1;
    }
    Ok(o)
}

/// The absolute expiry (unix ms) an expire argument names, with Redis's
/// "invalid expire time" checks (`cmd` is the command name as typed).
fn expire_at(c: &ExecCtx, cmd: &[u8], unit: Unit, arg: &[u8]) -> Result<u64, Reply> {
    let v = int_arg(arg)?;
    let invalid = || {
        let name = String::from_utf8_lossy(cmd).to_ascii_lowercase();
        Reply::err(format!("ERR invalid expire time in '{name}' command"))
    };
    let secs = matches!(unit, Unit::Ex | Unit::ExAt);
    if v <= 0 || (secs && v > i64::MAX / 1000) {
        return Err(invalid());
    }
    let ms = if secs { v * 1000 } else { v };
    let at = if matches!(unit, Unit::Ex | Unit::Px) { ms.checked_add(c.now as i64) } else { Some(ms) };
    at.map(|t| t as u64).ok_or_else(invalid)
}

/// What SET does once its options are known (Redis's setGenericCommand):
/// `ok` and `abort` are the replies when the value is set or, for NX/XX, not.
fn set_generic(
    c: &mut ExecCtx,
    a: &[Bytes],
    o: &ExtOpts,
    value: &Bytes,
    ok: Reply,
    abort: Reply,
) -> Result<Reply, Reply> {
    let key = &a[1];
    let expire = o.expire.map(|(u, arg)| expire_at(c, &a[0], u, arg)).transpose()?;
    let old = if o.get { get_reply(c, key)? } else { Reply::Nil };
    // The old entry matters only to NX, XX and KEEPTTL: a plain SET
    // replaces whatever is there without looking first.
    let found = if o.nx || o.xx || o.keepttl { write_entry(c, key).map(|e| e.expire) } else { None };
    if (o.nx && found.is_some()) || (o.xx && found.is_none()) {
        return Ok(if o.get { old } else { abort });
    }
    let mut entry = Entry::new(Value::Str(value.into()));
    entry.expire = if o.keepttl { found.unwrap_or(0) } else { expire.unwrap_or(0) };
    c.db().insert(key, entry);
    c.dirty(1);
    Ok(if o.get { old } else { ok })
}

fn set(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(parse_ext_opts(a, 3, true).and_then(|o| set_generic(c, a, &o, &a[2], Reply::Ok, Reply::Nil)))
}

fn setnx(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let o = ExtOpts { nx: true, ..Default::default() };
    either(set_generic(c, a, &o, &a[2], Reply::Int(1), Reply::Int(0)))
}

/// SETEX and PSETEX: `key expire value`.
fn setex(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let unit = if is(&a[0], "setex") { Unit::Ex } else { Unit::Px };
    let o = ExtOpts { expire: Some((unit, &a[2])), ..Default::default() };
    either(set_generic(c, a, &o, &a[3], Reply::Ok, Reply::Nil))
}

fn getex(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let o = parse_ext_opts(a, 2, false)?;
        let key = &a[1];
        let Some(v) = read_str(c, key)? else { return Ok(Reply::Nil) };
        let expire = o.expire.map(|(u, arg)| expire_at(c, &a[0], u, arg)).transpose()?;
        let now = c.now;
        if let Some(at) = expire {
            if at <= now && !crate::shard::expire::loading() {
                c.db().remove(key);
            } else {
                c.db().set_expire(key, at);
            }
            c.dirty(1);
        } else if o.persist && write_entry(c, key).is_some_and(|e| e.expire != 0) {
            c.db().set_expire(key, 0);
            c.dirty(1);
        }
        Ok(Reply::Bulk(v))
    })())
}

fn getdel(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(get_reply(c, &a[1]).map(|v| {
        if !matches!(v, Reply::Nil) {
            c.db().remove(&a[1]);
            c.dirty(1);
        }
        v
    }))
}

fn getset(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(get_reply(c, &a[1]).inspect(|_| {
        c.db().set(&a[1], Value::Str((&a[2]).into()));
        c.dirty(1);
    }))
}

// ---------------------------------------------------------------------------
// Several keys at once.

fn mget(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    Reply::Array(a[1..].iter().map(|k| read_str_with(c, k, str_reply).ok().flatten().unwrap_or(Reply::Nil)).collect())
}

/// MSET and MSETNX: the pairs must be complete; MSETNX sets nothing when
/// any key exists.
fn mset_generic(c: &mut ExecCtx, a: &[Bytes], nx: bool) -> Reply {
    if a.len().is_multiple_of(2) {
        let name = String::from_utf8_lossy(&a[0]).to_ascii_lowercase();
        return Reply::err(format!("ERR wrong number of arguments for '{name}' command"));
    }
    if nx && a[1..].iter().step_by(2).any(|k| write_entry(c, k).is_some()) {
        return Reply::Int(0);
    }
    for kv in a[1..].chunks(2) {
        c.db().set(&kv[0], Value::Str((&kv[1]).into()));
    }
    c.dirty((a.len() / 2) as u64);
    if nx {
        Reply::Int(1)
    } else {
        Reply::Ok
    }
}

fn mset(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    mset_generic(c, a, false)
}

fn msetnx(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    mset_generic(c, a, true)
}

// ---------------------------------------------------------------------------
// Lengths and ranges.

fn append(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let (key, tail) = (&a[1], &a[2]);
        let max = c.settings.proto_max_bulk_len;
        let len = match write_entry(c, key) {
            None => {
                c.db().insert(key, Entry::new(Value::Str(tail.into())));
                tail.len()
            }
            Some(e) => {
                let b = as_str_mut(&mut e.value)?;
                check_len(max, b.len(), tail.len())?;
                b.edit(|m| {
                    m.extend_from_slice(tail);
                    m.len()
                })
            }
        };
        c.dirty(1);
        Ok(Reply::Int(len as i64))
    })())
}

fn strlen(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read_str_with(c, &a[1], |v| v.len()).map(|n| Reply::Int(n.unwrap_or(0) as i64)))
}

/// The byte range GETRANGE returns for `start..=end` over `len` bytes.
fn string_range(start: i64, end: i64, len: usize) -> Option<std::ops::Range<usize>> {
    let n = len as i64;
    if (start < 0 && end < 0 && start > end) || len == 0 {
        return None;
    }
    let start = if start < 0 { (n + start).max(0) } else { start };
    let end = if end < 0 { (n + end).max(0) } else { end.min(n - 1) };
    (start <= end).then(|| start as usize..end as usize + 1)
}

fn getrange(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let (start, end) = (int_arg(&a[2])?, int_arg(&a[3])?);
        let part = |v: &CompactBytes| {
            string_range(start, end, v.len()).map_or_else(Bytes::new, |r| Bytes::copy_from_slice(&v[r]))
        };
        Ok(Reply::Bulk(read_str_with(c, &a[1], part)?.unwrap_or_default()))
    })())
}

fn setrange(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let (key, value) = (&a[1], &a[3]);
        let offset = usize::try_from(int_arg(&a[2])?).map_err(|_| Reply::err("ERR offset is out of range"))?;
        let max = c.settings.proto_max_bulk_len;
        let end = offset.saturating_add(value.len());
        let write = |m: &mut BytesMut| {
            if m.len() < end {
                m.resize(end, 0);
            }
            m[offset..end].copy_from_slice(value);
            m.len()
        };
        let len = match write_entry(c, key) {
            None if value.is_empty() => return Ok(Reply::Int(0)),
            None => {
                check_len(max, offset, value.len())?;
                let mut m = BytesMut::new();
                let len = write(&mut m);
                c.db().insert(key, Entry::new(Value::Str(CompactBytes::raw(m))));
                len
            }
            Some(e) => {
                let b = as_str_mut(&mut e.value)?;
                if value.is_empty() {
                    return Ok(Reply::Int(b.len() as i64));
                }
                check_len(max, offset, value.len())?;
                b.edit(write)
            }
        };
        c.dirty(1);
        Ok(Reply::Int(len as i64))
    })())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::settings::Settings;
    use crate::shard::Keyspace;

    #[test]
    fn getrange_bounds() {
        assert_eq!(string_range(0, 3, 11), Some(0..4));
        assert_eq!(string_range(0, -1, 11), Some(0..11));
        assert_eq!(string_range(-4, -1, 11), Some(7..11));
        assert_eq!(string_range(5, 3, 11), None);
        assert_eq!(string_range(5, 5000, 11), Some(5..11));
        assert_eq!(string_range(-5000, 10000, 11), Some(0..11));
        assert_eq!(string_range(-1, -5, 11), None);
        assert_eq!(string_range(0, -1, 0), None);
        assert_eq!(string_range(i64::MIN, i64::MAX, 3), Some(0..3));
    }

    /// Runs one command on `ks` at time `now` and returns its reply.
    fn run(ks: &mut Keyspace, now: u64, h: ShardFn, line: &str) -> Reply {
        let args: Vec<Bytes> = line.split(' ').map(|w| Bytes::copy_from_slice(w.as_bytes())).collect();
        let settings = Settings::default();
        h(&mut ExecCtx { ks, db: 0, now, settings: &settings }, &args)
    }

    fn expire_of(ks: &Keyspace, key: &str) -> Option<u64> {
        ks.dbs[0].peek(key.as_bytes(), 0).map(|e| e.expire)
    }

    #[test]
    fn expiry_options() {
        let mut ks = Keyspace::new(1);
        let now = 1_000_000;
        assert_eq!(run(&mut ks, now, set, "set k v ex 10"), Reply::Ok);
        assert_eq!(expire_of(&ks, "k"), Some(now + 10_000));
        run(&mut ks, now, set, "set k v px 10");
        assert_eq!(expire_of(&ks, "k"), Some(now + 10));
        run(&mut ks, now, set, "set k v exat 2000");
        assert_eq!(expire_of(&ks, "k"), Some(2_000_000));
        run(&mut ks, now, set, "set k w keepttl");
        assert_eq!(expire_of(&ks, "k"), Some(2_000_000));
        run(&mut ks, now, set, "set k w");
        assert_eq!(expire_of(&ks, "k"), Some(0));
        run(&mut ks, now, setex, "psetex k 500 v");
        assert_eq!(expire_of(&ks, "k"), Some(now + 500));
        assert_eq!(run(&mut ks, now, getex, "getex k persist"), Reply::bulk(b"v"));
        assert_eq!(expire_of(&ks, "k"), Some(0));
        run(&mut ks, now, getex, "getex k pxat 1500000");
        assert_eq!(expire_of(&ks, "k"), Some(1_500_000));
        run(&mut ks, now, append, "append k x");
        assert_eq!(expire_of(&ks, "k"), Some(1_500_000), "APPEND keeps the expiry");
        run(&mut ks, now, getset, "getset k y");
        assert_eq!(expire_of(&ks, "k"), Some(0), "GETSET clears it");
        assert_eq!(run(&mut ks, now, getex, "getex k exat 1000"), Reply::bulk(b"y"));
        assert_eq!(expire_of(&ks, "k"), None, "a past EXAT deletes");
        assert_eq!(
            run(&mut ks, u64::MAX / 2, set, "set k v px 9223372036854775807"),
            Reply::err("ERR invalid expire time in 'set' command")
        );
    }

    #[test]
    fn ext_opts_conflicts() {
        let args = |s: &str| s.split(' ').map(|w| Bytes::copy_from_slice(w.as_bytes())).collect::<Vec<_>>();
        let ok = |s: &str, set| parse_ext_opts(&args(s), 3, set).is_ok();
        assert!(ok("set k v nx get ex 10", true));
        assert!(ok("set k v ex 10 ex 20", true));
        assert!(ok("set k v nx nx", true));
        assert!(!ok("set k v nx xx", true));
        assert!(!ok("set k v ex 10 px 10", true));
        assert!(!ok("set k v keepttl ex 10", true));
        assert!(!ok("set k v ex", true));
        assert!(!ok("set k v persist", true));
        assert!(ok("getex k x persist", false));
        assert!(!ok("getex k x persist ex 1", false));
        assert!(!ok("getex k x nx", false));
    }
}
