//! List commands: LPUSH/RPUSH and their X forms, LPOP/RPOP (with COUNT),
//! LLEN, LRANGE, LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS, LMOVE,
//! RPOPLPUSH, LMPOP, and the blocking BLPOP, BRPOP, BLMOVE, BRPOPLPUSH,
//! BLMPOP, with Redis 7.0's replies and error texts. The handlers of the
//! blocking ones are their non-blocking forms (what they do inside MULTI);
//! their `BlockOn` records tell `server::blocking` how they wait. The
//! values live in `shard::list`.

use super::keys::lookup_read;
use super::strings::write_entry;
use super::util::*;
use crate::command::spec::{acl, flags as f, ks, CommandSpec, Exec, ShardFn};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::server::blocking::{timeout_arg, BlockOn};
use crate::shard::list::Fill;
use crate::shard::{Entry, List, Value};
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let l = |name, arity, fl, h: ShardFn, key: &'static [&'static str]| {
        CommandSpec::new(name, arity, fl, Exec::Shard(h)).group("list").acl(acl::LIST).keys(vec![ks::at(1, key)])
    };
    const W: u32 = f::WRITE | f::DENYOOM;
    const RW_INSERT: &[&str] = &["RW", "INSERT"];
    const RW_DELETE: &[&str] = &["RW", "DELETE"];
    const RW_POP: &[&str] = &["RW", "ACCESS", "DELETE"];
    const RO_ACCESS: &[&str] = &["RO", "ACCESS"];
    const PUSH_COMPLEXITY: &str = "O(1) for each element added, so O(N) to add N elements when the command is \
         called with multiple arguments.";
    const POP_COMPLEXITY: &str = "O(N) where N is the number of elements returned";
    let push = |name, h, since, summary| l(name, -3, W | f::FAST, h, RW_INSERT).doc(since, summary, PUSH_COMPLEXITY);
    let mv = |name, arity, fl, h, since, summary| {
        l(name, arity, W | fl, h, RW_POP)
            .keys(vec![ks::at(1, RW_POP), ks::at(2, RW_INSERT)])
            .doc(since, summary, "O(1)")
    };
    vec![
        push("lpush", lpush, "1.0.0", "Prepend one or multiple elements to a list"),
        push("rpush", rpush, "1.0.0", "Append one or multiple elements to a list"),
        push("lpushx", lpushx, "2.2.0", "Prepend an element to a list, only if the list exists"),
        push("rpushx", rpushx, "2.2.0", "Append an element to a list, only if the list exists"),
        l("lpop", -2, f::WRITE | f::FAST, lpop, RW_POP).doc(
            "1.0.0",
            "Remove and get the first elements in a list",
            POP_COMPLEXITY,
        ),
        l("rpop", -2, f::WRITE | f::FAST, rpop, RW_POP).doc(
            "1.0.0",
            "Remove and get the last elements in a list",
            POP_COMPLEXITY,
        ),
        l("llen", 2, f::READONLY | f::FAST, llen, &["RO"]).doc("1.0.0", "Get the length of a list", "O(1)"),
        l("lrange", 4, f::READONLY, lrange, RO_ACCESS).doc(
            "1.0.0",
            "Get a range of elements from a list",
            "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or \
             TAIL) for large lists; and N is the number of elements in the specified range.",
        ),
        l("lindex", 3, f::READONLY, lindex, RO_ACCESS).doc(
            "1.0.0",
            "Get an element from a list by its index",
            "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking \
             for the first or the last element of the list O(1).",
        ),
        l("lset", 4, W, lset, &["RW", "UPDATE"]).doc(
            "1.0.0",
            "Set the value of an element in a list by its index",
            "O(N) where N is the length of the list. Setting either the first or the last element of the list is \
             O(1).",
        ),
        l("linsert", 5, W, linsert, RW_INSERT).doc(
            "2.2.0",
            "Insert an element before or after another element in a list",
            "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that \
             inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere \
             on the right end (tail) is O(N).",
        ),
        l("lrem", 4, f::WRITE, lrem, RW_DELETE).doc(
            "1.0.0",
            "Remove elements from a list",
            "O(N+M) where N is the length of the list and M is the number of elements removed.",
        ),
        l("ltrim", 4, f::WRITE, ltrim, RW_DELETE).doc(
            "1.0.0",
            "Trim a list to the specified range",
            "O(N) where N is the number of elements to be removed by the operation.",
        ),
        l("lpos", -3, f::READONLY, lpos, RO_ACCESS).doc(
            "6.0.6",
            "Return the index of matching elements on a list",
            "O(N) where N is the number of elements in the list, for the average case. When searching for elements \
             near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in \
             constant time.",
        ),
        mv("lmove", 5, 0, lmove, "6.2.0", "Pop an element from a list, push it to another list and return it"),
        mv(
            "rpoplpush",
            3,
            0,
            rpoplpush,
            "1.2.0",
            "Remove the last element in a list, prepend it to another list and return it",
        ),
        l("lmpop", -4, f::WRITE, lmpop, RW_POP).keys(vec![ks::keynum(1, RW_POP)]).doc(
            "7.0.0",
            "Pop elements from a list",
            "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
        ),
        l("blpop", -3, f::WRITE | f::NOSCRIPT | f::BLOCKING, blpop, RW_POP)
            .keys(vec![ks::range(1, -2, 1, RW_POP)])
            .blocks(&BLPOP)
            .doc(
                "2.0.0",
                "Remove and get the first element in a list, or block until one is available",
                "O(N) where N is the number of provided keys.",
            ),
        l("brpop", -3, f::WRITE | f::NOSCRIPT | f::BLOCKING, brpop, RW_POP)
            .keys(vec![ks::range(1, -2, 1, RW_POP)])
            .blocks(&BRPOP)
            .doc(
                "2.0.0",
                "Remove and get the last element in a list, or block until one is available",
                "O(N) where N is the number of provided keys.",
            ),
        mv("blmove", 6, f::NOSCRIPT | f::BLOCKING, blmove, "6.2.0", BLOCKING_MOVE).blocks(&BLMOVE),
        mv("brpoplpush", 4, f::NOSCRIPT | f::BLOCKING, brpoplpush, "2.2.0", BLOCKING_MOVE).blocks(&BRPOPLPUSH),
        l("blmpop", -5, f::WRITE | f::BLOCKING, blmpop, RW_POP).keys(vec![ks::keynum(2, RW_POP)]).blocks(&BLMPOP).doc(
            "7.0.0",
            "Pop elements from a list, or block until one is available",
            "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
        ),
    ]
}

const BLOCKING_MOVE: &str =
    "Pop an element from a list, push it to another list and return it; or block until one is available";

// ---------------------------------------------------------------------------
// Looking lists up.

/// The list at `key`, for reading (counts a keyspace hit or miss): None
/// when missing, WRONGTYPE when the key holds something else.
pub fn read_list<'a>(c: &'a mut ExecCtx, key: &[u8]) -> Result<Option<&'a List>, Reply> {
    match lookup_read(c, key) {
        None => Ok(None),
        Some(e) => {
            e.access = crate::shard::expire::lru_clock();
            match &e.value {
                Value::List(l) => Ok(Some(l)),
                _ => Err(Reply::err(ERR_WRONGTYPE)),
            }
        }
    }
}

/// The list at `key`, to change: None when missing, WRONGTYPE when the key
/// holds something else.
pub fn write_list<'a>(c: &'a mut ExecCtx, key: &[u8]) -> Result<Option<&'a mut List>, Reply> {
    match write_entry(c, key) {
        None => Ok(None),
        Some(e) => match &mut e.value {
            Value::List(l) => Ok(Some(l)),
            _ => Err(Reply::err(ERR_WRONGTYPE)),
        },
    }
}

/// The node limits list-max-listpack-size sets.
fn fill(c: &ExecCtx) -> Fill {
    Fill::new(c.settings.list_max_listpack_size)
}

/// Deletes `key` when its list became empty (no empty list stays).
fn drop_if_empty(c: &mut ExecCtx, key: &[u8]) {
    if write_list(c, key).ok().flatten().is_some_and(|l| l.is_empty()) {
        c.db().remove(key);
    }
}

/// LEFT or RIGHT: true for the head.
pub fn side_arg(a: &[u8]) -> Result<bool, Reply> {
    if is(a, "left") {
        Ok(true)
    } else if is(a, "right") {
        Ok(false)
    } else {
        Err(Reply::err(ERR_SYNTAX))
    }
}

/// A count that must be zero or more (Redis's getPositiveLong).
fn positive_arg(a: &[u8], msg: &'static str) -> Result<usize, Reply> {
    match int_arg(a)? {
        n if n < 0 => Err(Reply::err(msg)),
        n => Ok(n as usize),
    }
}

/// A count that must be one or more (Redis's getRangeLong from 1).
pub fn at_least_one(a: &[u8], msg: &'static str) -> Result<usize, Reply> {
    match crate::util::num::parse_i64(a) {
        Some(n) if n >= 1 => Ok(n as usize),
        _ => Err(Reply::err(msg)),
    }
}

/// A start..=end pair (negative from the end) clamped to a list of `len`:
/// the first index and the count, or None when the range is empty.
fn clamp_range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let n = len as i64;
    let start = if start < 0 { (n.saturating_add(start)).max(0) } else { start };
    let end = if end < 0 { n.saturating_add(end) } else { end };
    if start > end || start >= n {
        return None;
    }
    let end = end.min(n - 1);
    Some((start as usize, (end - start + 1) as usize))
}

/// An index (negative from the end) into a list of `len`, if it is in it.
fn index_of(index: i64, len: usize) -> Option<usize> {
    let i = if index < 0 { (len as i64).checked_add(index)? } else { index };
    (0..len as i64).contains(&i).then_some(i as usize)
}

// ---------------------------------------------------------------------------
// Pushing.

/// Pushes `values` onto `key` at the head or tail, creating the list
/// unless `existing_only`. Returns the new length (0: nothing there).
fn push_generic(c: &mut ExecCtx, key: &Bytes, values: &[Bytes], front: bool, existing_only: bool) -> Reply {
    let fill = fill(c);
    let list = match write_list(c, key) {
        Err(e) => return e,
        Ok(Some(l)) => l,
        Ok(None) if existing_only => return Reply::Int(0),
        Ok(None) => {
            c.db().insert(key, Entry::new(Value::List(Box::default())));
            match write_list(c, key) {
                Ok(Some(l)) => l,
                _ => return Reply::err("ERR internal: list not created"),
            }
        }
    };
    for v in values {
        list.push(v, front, fill);
    }
    let len = list.len();
    c.dirty(values.len() as u64);
    Reply::Int(len as i64)
}

fn lpush(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    push_generic(c, &a[1], &a[2..], true, false)
}

fn rpush(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    push_generic(c, &a[1], &a[2..], false, false)
}

fn lpushx(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    push_generic(c, &a[1], &a[2..], true, true)
}

fn rpushx(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    push_generic(c, &a[1], &a[2..], false, true)
}

// ---------------------------------------------------------------------------
// Popping.

/// Pops up to `count` elements from the head or tail of the list at `key`
/// (which must exist and be a list), deleting the key when it empties.
pub fn pop_many(c: &mut ExecCtx, key: &[u8], front: bool, count: usize) -> Vec<Reply> {
    let mut out = Vec::new();
    if let Ok(Some(l)) = write_list(c, key) {
        let n = count.min(l.len());
        out.reserve(n);
        for _ in 0..n {
            if let Some(v) = l.pop(front) {
                out.push(Reply::Bulk(v));
            }
        }
    }
    c.dirty(out.len() as u64);
    drop_if_empty(c, key);
    out
}

fn pop_generic(c: &mut ExecCtx, a: &[Bytes], front: bool) -> Reply {
    either((|| {
        if a.len() > 3 {
            let name = String::from_utf8_lossy(&a[0]).to_ascii_lowercase();
            return Err(Reply::err(format!("ERR wrong number of arguments for '{name}' command")));
        }
        let count = a.get(2).map(|n| positive_arg(n, "ERR value is out of range, must be positive")).transpose()?;
        let key = &a[1];
        if write_list(c, key)?.is_none() {
            return Ok(if count.is_some() { Reply::NilArray } else { Reply::Nil });
        }
        Ok(match count {
            None => pop_many(c, key, front, 1).pop().unwrap_or(Reply::Nil),
            Some(0) => Reply::Array(Vec::new()),
            Some(n) => Reply::Array(pop_many(c, key, front, n)),
        })
    })())
}

fn lpop(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    pop_generic(c, a, true)
}

fn rpop(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    pop_generic(c, a, false)
}

/// The first of `keys` that holds a non-empty list, popped by up to
/// `count` elements: `[key, [elements]]`. None when every key is missing;
/// WRONGTYPE when a key before the first list holds something else.
pub fn mpop(c: &mut ExecCtx, keys: &[Bytes], front: bool, count: usize) -> Result<Option<Reply>, Reply> {
    for key in keys {
        if write_list(c, key)?.is_some() {
            let items = pop_many(c, key, front, count);
            return Ok(Some(Reply::Array(vec![Reply::Bulk(key.clone()), Reply::Array(items)])));
        }
    }
    Ok(None)
}

/// Parses `numkeys key... LEFT|RIGHT [COUNT n]` from `a[at..]`: the keys,
/// the side and the count (1 by default).
pub fn parse_mpop(a: &[Bytes], at: usize) -> Result<(&[Bytes], bool, usize), Reply> {
    let numkeys = at_least_one(&a[at], "ERR numkeys should be greater than 0")?;
    let side_idx = at.checked_add(numkeys).and_then(|i| i.checked_add(1)).filter(|&i| i < a.len());
    let Some(side_idx) = side_idx else { return Err(Reply::err(ERR_SYNTAX)) };
    let front = side_arg(&a[side_idx])?;
    let mut count = None;
    let mut i = side_idx + 1;
    while i < a.len() {
        if count.is_none() && is(&a[i], "count") && i + 1 < a.len() {
            count = Some(at_least_one(&a[i + 1], "ERR count should be greater than 0")?);
            i += 2;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
    }
    Ok((&a[at + 1..side_idx], front, count.unwrap_or(1)))
}

fn lmpop(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let (keys, front, count) = parse_mpop(a, 1)?;
        Ok(mpop(c, keys, front, count)?.unwrap_or(Reply::NilArray))
    })())
}

/// Moves one element from the head or tail of `src` to `dst`. None when
/// `src` is missing; WRONGTYPE when either holds something else.
pub fn move_one(
    c: &mut ExecCtx,
    src: &Bytes,
    dst: &Bytes,
    from_front: bool,
    to_front: bool,
) -> Result<Option<Bytes>, Reply> {
    if write_list(c, src)?.is_none() {
        return Ok(None);
    }
    write_list(c, dst)?;
    let Some(v) = write_list(c, src)?.and_then(|l| l.pop(from_front)) else { return Ok(None) };
    drop_if_empty(c, src);
    push_generic(c, dst, std::slice::from_ref(&v), to_front, false);
    Ok(Some(v))
}

fn lmove(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let (from, to) = (side_arg(&a[3])?, side_arg(&a[4])?);
        Ok(move_one(c, &a[1], &a[2], from, to)?.map_or(Reply::Nil, Reply::Bulk))
    })())
}

fn rpoplpush(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(move_one(c, &a[1], &a[2], false, true).map(|v| v.map_or(Reply::Nil, Reply::Bulk)))
}

// ---------------------------------------------------------------------------
// Reading.

fn llen(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read_list(c, &a[1]).map(|l| Reply::Int(l.map_or(0, |l| l.len() as i64))))
}

fn lrange(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let (start, end) = (int_arg(&a[2])?, int_arg(&a[3])?);
        let Some(l) = read_list(c, &a[1])? else { return Ok(Reply::Array(Vec::new())) };
        Ok(match clamp_range(start, end, l.len()) {
            None => Reply::Array(Vec::new()),
            Some((from, n)) => bulk_array(n, l.range(from, n)),
        })
    })())
}

fn lindex(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let index = int_arg(&a[2])?;
        let Some(l) = read_list(c, &a[1])? else { return Ok(Reply::Nil) };
        Ok(index_of(index, l.len()).and_then(|i| l.get(i)).map_or(Reply::Nil, Reply::bulk))
    })())
}

fn lpos(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let (mut rank, mut count, mut maxlen) = (1i64, None, 0usize);
        let mut i = 3;
        while i < a.len() {
            let more = i + 1 < a.len();
            if is(&a[i], "rank") && more {
                rank = int_arg(&a[i + 1])?;
                if rank == 0 {
                    return Err(Reply::err(
                        "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use \
                         negative to start from the end of the list",
                    ));
                }
            } else if is(&a[i], "count") && more {
                count = Some(positive_arg(&a[i + 1], "ERR COUNT can't be negative")?);
            } else if is(&a[i], "maxlen") && more {
                maxlen = positive_arg(&a[i + 1], "ERR MAXLEN can't be negative")?;
            } else {
                return Err(Reply::err(ERR_SYNTAX));
            }
            i += 2;
        }
        let Some(l) = read_list(c, &a[1])? else {
            return Ok(if count.is_some() { Reply::Array(Vec::new()) } else { Reply::Nil });
        };
        let ele = &a[2][..];
        let len = l.len();
        let from_tail = rank < 0;
        let skip = rank.unsigned_abs().saturating_sub(1);
        let scan = if maxlen == 0 { len } else { maxlen.min(len) };
        let positions = |iter: &mut dyn Iterator<Item = &[u8]>| -> Vec<i64> {
            let mut matches = 0u64;
            let mut found = Vec::new();
            for (n, e) in iter.take(scan).enumerate() {
                if e != ele {
                    continue;
                }
                matches += 1;
                if matches <= skip {
                    continue;
                }
                found.push(if from_tail { (len - 1 - n) as i64 } else { n as i64 });
                let wanted = count.unwrap_or(1);
                if wanted != 0 && found.len() >= wanted {
                    break;
                }
            }
            found
        };
        let found = if from_tail { positions(&mut l.iter_rev()) } else { positions(&mut l.iter()) };
        Ok(match count {
            Some(_) => Reply::Array(found.into_iter().map(Reply::Int).collect()),
            None => found.first().map_or(Reply::Nil, |&p| Reply::Int(p)),
        })
    })())
}

/// An array of `n` bulk strings, encoded once: RESP2 and RESP3 write it
/// the same way, and a long range costs no allocation per element.
fn bulk_array<'a>(n: usize, items: impl Iterator<Item = &'a [u8]>) -> Reply {
    let mut out = bytes::BytesMut::with_capacity(16 + n * 16);
    out.extend_from_slice(format!("*{n}\r\n").as_bytes());
    for e in items {
        crate::resp::reply::bulk(&mut out, e);
    }
    Reply::Raw(out.freeze())
}

// ---------------------------------------------------------------------------
// Changing elements in place.

fn lset(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let index = int_arg(&a[2])?;
        let fill = fill(c);
        let Some(l) = write_list(c, &a[1])? else { return Err(Reply::err(ERR_NO_KEY)) };
        match index_of(index, l.len()) {
            Some(i) if l.set(i, &a[3], fill) => {
                c.dirty(1);
                Ok(Reply::Ok)
            }
            _ => Err(Reply::err("ERR index out of range")),
        }
    })())
}

fn linsert(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let after = if is(&a[2], "after") {
            true
        } else if is(&a[2], "before") {
            false
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        };
        let fill = fill(c);
        let Some(l) = write_list(c, &a[1])? else { return Ok(Reply::Int(0)) };
        let Some(pos) = l.iter().position(|e| e == &a[3][..]) else { return Ok(Reply::Int(-1)) };
        l.insert(pos + after as usize, &a[4], fill);
        let len = l.len();
        c.dirty(1);
        Ok(Reply::Int(len as i64))
    })())
}

fn lrem(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let count = int_arg(&a[2])?;
        let key = &a[1];
        let Some(l) = write_list(c, key)? else { return Ok(Reply::Int(0)) };
        let limit = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
        let removed = l.remove_matching(&a[3], limit, count < 0);
        c.dirty(removed as u64);
        drop_if_empty(c, key);
        Ok(Reply::Int(removed as i64))
    })())
}

fn ltrim(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let (start, end) = (int_arg(&a[2])?, int_arg(&a[3])?);
        let key = &a[1];
        let Some(l) = write_list(c, key)? else { return Ok(Reply::Ok) };
        let len = l.len();
        let (left, right) = match clamp_range(start, end, len) {
            None => (len, 0),
            Some((from, n)) => (from, len - from - n),
        };
        l.remove_end(left, true);
        l.remove_end(right, false);
        c.dirty((left + right) as u64);
        drop_if_empty(c, key);
        Ok(Reply::Ok)
    })())
}

// ---------------------------------------------------------------------------
// Blocking forms. Each handler is the command's non-blocking attempt; the
// records below say how the client waits when it finds nothing.

/// BLPOP and BRPOP: the first non-empty list of the keys, popped by one.
fn bpop(c: &mut ExecCtx, a: &[Bytes], front: bool) -> Reply {
    either((|| {
        let last = a.len() - 1;
        timeout_arg(&a[last])?;
        for key in &a[1..last] {
            if write_list(c, key)?.is_some() {
                return Ok(serve_pop(c, key, front));
            }
        }
        Ok(Reply::NilArray)
    })())
}

/// `[key, element]` popped from the list at `key`.
fn serve_pop(c: &mut ExecCtx, key: &Bytes, front: bool) -> Reply {
    let v = pop_many(c, key, front, 1).pop().unwrap_or(Reply::Nil);
    Reply::Array(vec![Reply::Bulk(key.clone()), v])
}

fn blpop(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    bpop(c, a, true)
}

fn brpop(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    bpop(c, a, false)
}

fn blmove(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let (from, to) = (side_arg(&a[3])?, side_arg(&a[4])?);
        timeout_arg(&a[5])?;
        Ok(move_one(c, &a[1], &a[2], from, to)?.map_or(Reply::Nil, Reply::Bulk))
    })())
}

fn brpoplpush(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        timeout_arg(&a[3])?;
        Ok(move_one(c, &a[1], &a[2], false, true)?.map_or(Reply::Nil, Reply::Bulk))
    })())
}

fn blmpop(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let (keys, front, count) = parse_mpop(a, 2)?;
        timeout_arg(&a[1])?;
        Ok(mpop(c, keys, front, count)?.unwrap_or(Reply::NilArray))
    })())
}

fn is_list(v: Option<&Value>, _a: &[Bytes], _key: &[u8]) -> bool {
    matches!(v, Some(Value::List(_)))
}

/// The timeout argument at `i` (validated by the handler already).
fn timeout_at(a: &[Bytes], i: usize) -> Option<u64> {
    Some(a.get(i).and_then(|t| timeout_arg(t).ok()).unwrap_or(0))
}

fn last_timeout(a: &[Bytes]) -> Option<u64> {
    timeout_at(a, a.len() - 1)
}

fn bpop_keys(a: &[Bytes]) -> Vec<usize> {
    (1..a.len() - 1).collect()
}

fn source_key(_a: &[Bytes]) -> Vec<usize> {
    vec![1]
}

static BLPOP: BlockOn = BlockOn {
    nil: Reply::NilArray,
    timeout: last_timeout,
    watched: bpop_keys,
    ready: is_list,
    prepare: None,
    serve: |c, _a, key| serve_pop(c, key, true),
    single_key: true,
};

static BRPOP: BlockOn = BlockOn {
    nil: Reply::NilArray,
    timeout: last_timeout,
    watched: bpop_keys,
    ready: is_list,
    prepare: None,
    serve: |c, _a, key| serve_pop(c, key, false),
    single_key: true,
};

/// Serves BLMOVE or BRPOPLPUSH from `key`, their source.
fn serve_move(c: &mut ExecCtx, key: &Bytes, dst: &Bytes, from: bool, to: bool) -> Reply {
    either(move_one(c, key, dst, from, to).map(|v| v.map_or(Reply::Nil, Reply::Bulk)))
}

static BLMOVE: BlockOn = BlockOn {
    nil: Reply::Nil,
    timeout: |a| timeout_at(a, 5),
    watched: source_key,
    ready: is_list,
    prepare: None,
    serve: |c, a, key| serve_move(c, key, &a[2], side_arg(&a[3]).unwrap_or(true), side_arg(&a[4]).unwrap_or(true)),
    single_key: false,
};

static BRPOPLPUSH: BlockOn = BlockOn {
    nil: Reply::Nil,
    timeout: |a| timeout_at(a, 3),
    watched: source_key,
    ready: is_list,
    prepare: None,
    serve: |c, a, key| serve_move(c, key, &a[2], false, true),
    single_key: false,
};

static BLMPOP: BlockOn = BlockOn {
    nil: Reply::NilArray,
    timeout: |a| timeout_at(a, 1),
    watched: |a| parse_mpop(a, 2).map_or_else(|_| Vec::new(), |(keys, _, _)| (3..3 + keys.len()).collect()),
    ready: is_list,
    prepare: None,
    serve: |c, a, key| match parse_mpop(a, 2) {
        Ok((_, front, count)) => {
            either(mpop(c, std::slice::from_ref(key), front, count).map(|r| r.unwrap_or(Reply::NilArray)))
        }
        Err(e) => e,
    },
    single_key: true,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_indexes() {
        assert_eq!(clamp_range(0, -1, 5), Some((0, 5)));
        assert_eq!(clamp_range(-100, 100, 5), Some((0, 5)));
        assert_eq!(clamp_range(3, 1, 5), None);
        assert_eq!(clamp_range(5, 10, 5), None);
        assert_eq!(clamp_range(-2, -1, 5), Some((3, 2)));
        assert_eq!(clamp_range(i64::MIN, i64::MAX, 2), Some((0, 2)));
        assert_eq!(clamp_range(0, -1, 0), None);
        assert_eq!(index_of(-1, 3), Some(2));
        assert_eq!(index_of(-4, 3), None);
        assert_eq!(index_of(3, 3), None);
        assert_eq!(index_of(i64::MIN, 3), None);
    }
}
