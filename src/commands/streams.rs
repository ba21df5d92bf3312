//! Stream commands on the entry log: XADD, XRANGE, XREVRANGE, XLEN, XDEL,
//! XTRIM, XSETID, XREAD and XREADGROUP; and the helpers the consumer group
//! commands (`stream_groups.rs`) and XINFO (`stream_info.rs`) share: stream
//! ID parsing, lookups, entry replies.

use super::util::*;
use crate::command::spec::{acl, flags as f, ks, Begin, CommandSpec, Exec, Find, KeySpec, ShardFn};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::server::blocking::BlockOn;
use crate::shard::expire::lru_clock;
use crate::shard::stream::{AddError, Fields, Group, StreamId, Trim};
use crate::shard::{Entry, Keyspace, Stream, Value};
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let s = |name, arity, fl, h: ShardFn, key: &'static [&'static str]| {
        CommandSpec::new(name, arity, fl, Exec::Shard(h)).group("stream").acl(acl::STREAM).keys(vec![ks::at(1, key)])
    };
    const RO_ACCESS: &[&str] = &["RO", "ACCESS"];
    const STREAMS_LIMIT_2: Find = Find::Range { lastkey: -1, step: 1, limit: 2 };
    let streams_keys = |startfrom| {
        vec![KeySpec {
            flags: RO_ACCESS,
            begin: Begin::Keyword { keyword: "STREAMS", startfrom },
            find: STREAMS_LIMIT_2,
        }]
    };
    vec![
        s("xadd", -5, f::WRITE | f::DENYOOM | f::FAST, xadd, &["RW", "UPDATE"])
            .tips(&["nondeterministic_output"])
            .doc("5.0.0", "Appends a new entry to a stream", "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted."),
        s("xrange", -4, f::READONLY, xrange, RO_ACCESS).doc(
            "5.0.0",
            "Return a range of elements in a stream, with IDs matching the specified IDs interval",
            "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
        ),
        s("xrevrange", -4, f::READONLY, xrevrange, RO_ACCESS).doc(
            "5.0.0",
            "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
            "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
        ),
        s("xlen", 2, f::READONLY | f::FAST, xlen, &["RO"]).doc("5.0.0", "Return the number of entries in a stream", "O(1)"),
        s("xdel", -3, f::WRITE | f::FAST, xdel, &["RW", "DELETE"]).doc(
            "5.0.0",
            "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
            "O(1) for each single item to delete in the stream, regardless of the stream size.",
        ),
        s("xtrim", -4, f::WRITE, xtrim, &["RW", "DELETE"]).tips(&["nondeterministic_output"]).doc(
            "5.0.0",
            "Trims the stream to (approximately if '~' is passed) a certain size",
            "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
        ),
        s("xsetid", -3, f::WRITE | f::DENYOOM | f::FAST, xsetid, &["RW", "UPDATE"]).doc(
            "5.0.0",
            "An internal command for replicating stream values",
            "O(1)",
        ),
        s("xread", -4, f::READONLY | f::BLOCKING, xread, RO_ACCESS).keys(streams_keys(1)).blocks(&STREAM_WAIT).doc(
            "5.0.0",
            "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
            "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
        ),
        s("xreadgroup", -7, f::WRITE | f::BLOCKING, xreadgroup, RO_ACCESS).keys(streams_keys(4)).blocks(&STREAM_WAIT).doc(
            "5.0.0",
            "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
            "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
        ),
    ]
}

// ---------------------------------------------------------------------------
// Helpers the stream families share.

pub const ERR_INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";

/// Redis's string2ull: a strict integer, or else what C's strtoull takes
/// whole (leading spaces, a sign, leading zeros; a '-' wraps around).
fn parse_ull(s: &[u8]) -> Option<u64> {
    if let Some(v) = crate::util::num::parse_i64(s) {
        return u64::try_from(v).ok();
    }
    let mut i = s.iter().position(|&c| !crate::util::args::is_c_space(c)).unwrap_or(s.len());
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let digits = &s[i..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// Parses a stream ID: "ms-seq", or "ms" with `missing_seq`; "-" and "+"
/// unless `strict`; "ms-*" when `star` (then the bool is false: the
/// sequence is to be generated).
fn parse_id_generic(a: &[u8], missing_seq: u64, strict: bool, star: bool) -> Result<(StreamId, bool), Reply> {
    let invalid = || Reply::err(ERR_INVALID_ID);
    if a.len() > 127 {
        return Err(invalid());
    }
    let a = crate::util::args::cstr(a);
    match a {
        b"-" | b"+" if strict => Err(invalid()),
        b"-" => Ok((StreamId::MIN, true)),
        b"+" => Ok((StreamId::MAX, true)),
        _ => {
            let (ms, seq) = match a.iter().position(|&c| c == b'-') {
                Some(i) => (&a[..i], Some(&a[i + 1..])),
                None => (a, None),
            };
            let ms = parse_ull(ms).ok_or_else(invalid)?;
            match seq {
                Some(b"*") if star => Ok((StreamId::new(ms, 0), false)),
                Some(seq) => Ok((StreamId::new(ms, parse_ull(seq).ok_or_else(invalid)?), true)),
                None => Ok((StreamId::new(ms, missing_seq), true)),
            }
        }
    }
}

/// A stream ID where "-" and "+" are not allowed.
pub fn parse_strict_id(a: &[u8]) -> Result<StreamId, Reply> {
    parse_id_generic(a, 0, true, false).map(|(id, _)| id)
}

/// A stream ID where "-" and "+" mean the smallest and largest.
pub fn parse_id(a: &[u8], missing_seq: u64) -> Result<StreamId, Reply> {
    parse_id_generic(a, missing_seq, false, false).map(|(id, _)| id)
}

/// A range bound: "(" makes it exclusive (then "-" and "+" are not allowed).
/// A start bound (`start`) moves past an exclusive ID, an end bound before.
pub fn parse_bound(a: &[u8], start: bool) -> Result<StreamId, Reply> {
    let missing_seq = if start { 0 } else { u64::MAX };
    if a.len() > 1 && a[0] == b'(' {
        let (id, _) = parse_id_generic(&a[1..], missing_seq, true, false)?;
        let moved = if start { id.next() } else { id.prev() };
        moved.ok_or_else(|| {
            Reply::err(if start {
                "ERR invalid start ID for the interval"
            } else {
                "ERR invalid end ID for the interval"
            })
        })
    } else {
        parse_id(a, missing_seq)
    }
}

/// The stream a value holds; WRONGTYPE for any other type.
pub fn as_stream(v: &mut Value) -> Result<&mut Stream, Reply> {
    match v {
        Value::Stream(s) => Ok(s),
        _ => Err(Reply::err(ERR_WRONGTYPE)),
    }
}

/// Looks `key` up for reading (keyspace hit or miss, access time).
pub fn read_stream<'a>(c: &'a mut ExecCtx, key: &[u8]) -> Result<Option<&'a mut Stream>, Reply> {
    let Keyspace { dbs, hits, misses, .. } = &mut *c.ks;
    match dbs[c.db].get(key, c.now) {
        None => {
            *misses += 1;
            Ok(None)
        }
        Some(e) => {
            *hits += 1;
            e.access = lru_clock();
            as_stream(&mut e.value).map(Some)
        }
    }
}

/// Looks `key` up for writing.
pub fn write_stream<'a>(c: &'a mut ExecCtx, key: &[u8]) -> Result<Option<&'a mut Stream>, Reply> {
    match super::strings::write_entry(c, key) {
        None => Ok(None),
        Some(e) => as_stream(&mut e.value).map(Some),
    }
}

/// The stream at `key`, created empty when missing.
pub fn stream_or_create<'a>(c: &'a mut ExecCtx, key: &Bytes) -> Result<&'a mut Stream, Reply> {
    if write_stream(c, key)?.is_none() {
        c.db().insert(key, Entry::new(Value::Stream(Box::default())));
    }
    write_stream(c, key)?.ok_or_else(|| Reply::err(ERR_NO_KEY))
}

/// An entry as replies show it: its ID and its fields and values.
pub fn entry_reply(id: StreamId, fields: Fields) -> Reply {
    Reply::Array(vec![Reply::Bulk(id.to_bytes()), Reply::Array(fields.map(Reply::bulk).collect())])
}

/// An ID reply.
pub fn id_reply(id: StreamId) -> Reply {
    Reply::Bulk(id.to_bytes())
}

/// A NOGROUP error naming the key and group.
pub fn no_group(key: &[u8], group: &[u8], tail: &str) -> Reply {
    Reply::err(format!(
        "NOGROUP No such key '{}' or consumer group '{}'{tail}",
        String::from_utf8_lossy(key),
        String::from_utf8_lossy(group)
    ))
}

/// A COUNT-like integer: negative counts as 0.
fn count_arg(a: &[u8]) -> Result<u64, Reply> {
    Ok(int_arg(a)?.max(0) as u64)
}

// ---------------------------------------------------------------------------
// XADD and XTRIM.

/// The options XADD and XTRIM share.
#[derive(Default)]
struct AddTrimArgs {
    trim: Option<Trim>,
    approx: bool,
    /// Entries a trim may remove at most; 0 = no limit.
    limit: u64,
    nomkstream: bool,
    /// XADD's explicit ID and whether its sequence was given.
    id: Option<(StreamId, bool)>,
    /// Index of XADD's ID argument.
    id_pos: usize,
}

fn parse_add_trim(c: &ExecCtx, a: &[Bytes], xadd: bool) -> Result<AddTrimArgs, Reply> {
    let mut o = AddTrimArgs::default();
    let mut limit_given = false;
    let mut i = 2;
    while i < a.len() {
        let more = a.len() - 1 - i;
        let opt = &a[i];
        let maxlen = is(opt, "maxlen");
        if xadd && &opt[..] == b"*" {
            break;
        } else if (maxlen || is(opt, "minid")) && more > 0 {
            if o.trim.is_some() {
                return Err(Reply::err(
                    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible",
                ));
            }
            o.approx = false;
            if more >= 2 && (&a[i + 1][..] == b"~" || &a[i + 1][..] == b"=") {
                o.approx = &a[i + 1][..] == b"~";
                i += 1;
            }
            let arg = &a[i + 1];
            o.trim = Some(if maxlen {
                let n = int_arg(arg)?;
                Trim::MaxLen(u64::try_from(n).map_err(|_| Reply::err("ERR The MAXLEN argument must be >= 0."))?)
            } else {
                Trim::MinId(parse_strict_id(arg)?)
            });
            i += 1;
        } else if is(opt, "limit") && more > 0 {
            let n = int_arg(&a[i + 1])?;
            o.limit = u64::try_from(n).map_err(|_| Reply::err("ERR The LIMIT argument must be >= 0."))?;
            limit_given = true;
            i += 1;
        } else if xadd && is(opt, "nomkstream") {
            o.nomkstream = true;
        } else if xadd {
            o.id = Some(parse_id_generic(opt, 0, true, true)?);
            break;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        i += 1;
    }
    o.id_pos = i;
    if o.limit != 0 && o.trim.is_none() {
        return Err(Reply::err("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"));
    }
    if !xadd && o.trim.is_none() {
        return Err(Reply::err("ERR syntax error, XTRIM must be called with a trimming strategy"));
    }
    if limit_given {
        if !o.approx {
            return Err(Reply::err("ERR syntax error, LIMIT cannot be used without the special ~ option"));
        }
    } else if o.approx {
        // Approximate trims do at most a hundred nodes' worth of work.
        let n = 100u64.saturating_mul(c.settings.stream_node_max_entries as u64);
        o.limit = if n == 0 { 10000 } else { n.min(1_000_000) };
    } else {
        o.limit = 0;
    }
    Ok(o)
}

fn xadd(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let o = parse_add_trim(c, a, true)?;
        let fields = a.get(o.id_pos + 1..).unwrap_or(&[]);
        if fields.len() < 2 || !fields.len().is_multiple_of(2) {
            return Err(Reply::err("ERR wrong number of arguments for 'xadd' command"));
        }
        if o.id == Some((StreamId::MIN, true)) {
            return Err(Reply::err("ERR The ID specified in XADD must be greater than 0-0"));
        }
        let (max_entries, max_bytes, now) =
            (c.settings.stream_node_max_entries, c.settings.stream_node_max_bytes, c.now);
        let key = &a[1];
        if o.nomkstream && write_stream(c, key)?.is_none() {
            return Ok(Reply::Nil);
        }
        let s = stream_or_create(c, key)?;
        let log = &mut s.log;
        if log.last_id == StreamId::MAX {
            return Err(Reply::err("ERR The stream has exhausted the last possible ID, unable to add more items"));
        }
        let added = log.new_id(o.id, now).and_then(|id| log.append(id, fields, max_entries, max_bytes).map(|_| id));
        let id = match added {
            Ok(id) => id,
            Err(AddError::NotGreater) => {
                return Err(Reply::err(
                    "ERR The ID specified in XADD is equal or smaller than the target stream top item",
                ))
            }
            Err(AddError::TooLarge) => return Err(Reply::err("ERR Elements are too large to be stored")),
        };
        if let Some(how) = o.trim {
            log.trim(how, o.approx, o.limit);
        }
        c.dirty(1);
        Ok(id_reply(id))
    })())
}

fn xtrim(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let o = parse_add_trim(c, a, false)?;
        let Some(s) = write_stream(c, &a[1])? else { return Ok(Reply::Int(0)) };
        let deleted = match o.trim {
            Some(how) => s.log.trim(how, o.approx, o.limit),
            None => 0,
        };
        c.dirty(deleted);
        Ok(Reply::Int(deleted as i64))
    })())
}

// ---------------------------------------------------------------------------
// Reading ranges.

fn xrange_generic(c: &mut ExecCtx, a: &[Bytes], rev: bool) -> Result<Reply, Reply> {
    let (start_arg, end_arg) = if rev { (&a[3], &a[2]) } else { (&a[2], &a[3]) };
    let start = parse_bound(start_arg, true)?;
    let end = parse_bound(end_arg, false)?;
    let mut count = None;
    let mut i = 4;
    while i < a.len() {
        if is(&a[i], "count") && i + 1 < a.len() {
            count = Some(count_arg(&a[i + 1])?);
            i += 2;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
    }
    let Some(s) = read_stream(c, &a[1])? else { return Ok(Reply::Array(Vec::new())) };
    if count == Some(0) {
        return Ok(Reply::NilArray);
    }
    let limit = count.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
    Ok(Reply::Array(s.log.range(start, end, rev).take(limit).map(|(id, f)| entry_reply(id, f)).collect()))
}

fn xrange(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(xrange_generic(c, a, false))
}

fn xrevrange(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(xrange_generic(c, a, true))
}

fn xlen(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(read_stream(c, &a[1]).map(|s| Reply::Int(s.map_or(0, |s| s.log.length as i64))))
}

fn xdel(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let Some(_) = write_stream(c, &a[1])? else { return Ok(Reply::Int(0)) };
        let ids = a[2..].iter().map(|x| parse_strict_id(x)).collect::<Result<Vec<_>, _>>()?;
        let deleted = write_stream(c, &a[1])?.map_or(0, |s| s.log.delete(&ids));
        c.dirty(deleted);
        Ok(Reply::Int(deleted as i64))
    })())
}

fn xsetid(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let id = parse_strict_id(&a[2])?;
        let mut entries_added = None;
        let mut max_deleted = StreamId::MIN;
        let mut i = 3;
        while i < a.len() {
            let more = i + 1 < a.len();
            if is(&a[i], "entriesadded") && more {
                let n = int_arg(&a[i + 1])?;
                entries_added = Some(u64::try_from(n).map_err(|_| Reply::err("ERR entries_added must be positive"))?);
            } else if is(&a[i], "maxdeletedid") && more {
                max_deleted = parse_strict_id(&a[i + 1])?;
                if id < max_deleted {
                    return Err(Reply::err(
                        "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                    ));
                }
            } else {
                return Err(Reply::err(ERR_SYNTAX));
            }
            i += 2;
        }
        let s = write_stream(c, &a[1])?.ok_or_else(|| Reply::err(ERR_NO_KEY))?;
        let log = &mut s.log;
        if log.length > 0 {
            if log.edge_id(false).is_some_and(|top| id < top) {
                return Err(Reply::err("ERR The ID specified in XSETID is smaller than the target stream top item"));
            }
            if entries_added.is_some_and(|n| log.length > n) {
                return Err(Reply::err(
                    "ERR The entries_added specified in XSETID is smaller than the target stream length",
                ));
            }
        }
        log.last_id = id;
        if let Some(n) = entries_added {
            log.entries_added = n;
        }
        if !max_deleted.is_zero() {
            log.max_deleted_entry_id = max_deleted;
        }
        c.dirty(1);
        Ok(Reply::Ok)
    })())
}

// ---------------------------------------------------------------------------
// XREAD and XREADGROUP.

/// What XREAD and XREADGROUP were asked.
struct ReadArgs<'a> {
    count: u64,
    /// BLOCK's timeout in ms, when given.
    block: Option<i64>,
    group: Option<(&'a Bytes, &'a Bytes)>,
    noack: bool,
    keys: &'a [Bytes],
    ids: &'a [Bytes],
    /// Index of the first key argument.
    first_key: usize,
}

/// BLOCK's milliseconds, with Redis's errors.
fn timeout_arg(a: &[u8]) -> Result<i64, Reply> {
    let t =
        crate::util::num::parse_i64(a).ok_or_else(|| Reply::err("ERR timeout is not an integer or out of range"))?;
    if t < 0 {
        return Err(Reply::err("ERR timeout is negative"));
    }
    Ok(t)
}

fn parse_read(a: &[Bytes], group_cmd: bool) -> Result<ReadArgs<'_>, Reply> {
    let mut r = ReadArgs { count: 0, block: None, group: None, noack: false, keys: &[], ids: &[], first_key: 0 };
    let mut streams = None;
    let mut i = 1;
    while i < a.len() {
        let more = a.len() - 1 - i;
        let o = &a[i];
        if is(o, "block") && more > 0 {
            i += 1;
            r.block = Some(timeout_arg(&a[i])?);
        } else if is(o, "count") && more > 0 {
            i += 1;
            r.count = count_arg(&a[i])?;
        } else if is(o, "streams") && more > 0 {
            let rest = &a[i + 1..];
            if !rest.len().is_multiple_of(2) {
                return Err(Reply::err(
                    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
                ));
            }
            streams = Some(rest.split_at(rest.len() / 2));
            r.first_key = i + 1;
            break;
        } else if is(o, "group") && more >= 2 {
            if !group_cmd {
                return Err(Reply::err(
                    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            r.group = Some((&a[i + 1], &a[i + 2]));
            i += 2;
        } else if is(o, "noack") {
            if !group_cmd {
                return Err(Reply::err(
                    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            r.noack = true;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        i += 1;
    }
    let Some((keys, ids)) = streams else { return Err(Reply::err(ERR_SYNTAX)) };
    if group_cmd && r.group.is_none() {
        return Err(Reply::err("ERR Missing GROUP option for XREADGROUP"));
    }
    r.keys = keys;
    r.ids = ids;
    Ok(r)
}

/// Where a read of one stream starts.
#[derive(Clone, Copy, PartialEq)]
enum ReadFrom {
    /// Entries after this ID.
    After(StreamId),
    /// XREADGROUP's ">": entries the group has not delivered yet.
    New,
}

/// Resolves each stream's ID argument ("$", ">" or an ID), checking the
/// types and, for XREADGROUP, that the groups exist.
fn resolve_ids(c: &mut ExecCtx, r: &ReadArgs) -> Result<Vec<ReadFrom>, Reply> {
    let mut out = Vec::with_capacity(r.keys.len());
    for (key, arg) in r.keys.iter().zip(r.ids) {
        let s = read_stream(c, key)?;
        if let Some((group, _)) = r.group {
            if !s.as_ref().is_some_and(|s| s.groups.contains_key(group)) {
                return Err(no_group(key, group, " in XREADGROUP with GROUP option"));
            }
        }
        let from =
            match &arg[..] {
                b"$" if r.group.is_some() => return Err(Reply::err(
                    "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this \
                     consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just \
                     return an empty result set.",
                )),
                b"$" => ReadFrom::After(s.map_or(StreamId::MIN, |s| s.log.last_id)),
                b">" if r.group.is_none() => return Err(Reply::err(
                    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> \
                     option.",
                )),
                b">" => ReadFrom::New,
                _ => ReadFrom::After(parse_strict_id(arg)?),
            };
        out.push(from);
    }
    Ok(out)
}

/// Reads one stream for XREADGROUP: the consumer's pending entries after
/// `from`, or (`None`) new entries, delivered to the consumer unless NOACK.
fn read_group(
    s: &mut Stream,
    name: &Bytes,
    consumer: &Bytes,
    from: Option<StreamId>,
    count: u64,
    noack: bool,
    now: u64,
) -> Vec<Reply> {
    let Stream { log, groups } = s;
    let Some(g) = groups.get_mut(name) else { return Vec::new() };
    g.consumer(consumer, now);
    let limit = if count == 0 { usize::MAX } else { usize::try_from(count).unwrap_or(usize::MAX) };
    match from {
        Some(after) => {
            let Some(start) = after.next() else { return Vec::new() };
            let ids: Vec<StreamId> =
                g.consumers.get(consumer).map_or(Vec::new(), |c| c.pel.range(start..).take(limit).copied().collect());
            ids.into_iter()
                .map(|id| match log.get(id) {
                    Some(f) => {
                        if let Some(n) = g.pel.get_mut(&id) {
                            n.delivery_time = now;
                            n.delivery_count += 1;
                        }
                        entry_reply(id, f)
                    }
                    None => Reply::Array(vec![id_reply(id), Reply::NilArray]),
                })
                .collect()
        }
        None => {
            let Some(start) = g.last_id.next() else { return Vec::new() };
            let mut out = Vec::new();
            for (id, f) in log.range(start, StreamId::MAX, false).take(limit) {
                g.advance(log, id);
                if !noack {
                    g.deliver(id, consumer, now);
                }
                out.push(entry_reply(id, f));
            }
            out
        }
    }
}

fn xread_generic(c: &mut ExecCtx, a: &[Bytes], group_cmd: bool) -> Result<Reply, Reply> {
    let r = parse_read(a, group_cmd)?;
    let from = resolve_ids(c, &r)?;
    let now = c.now;
    let mut served = Vec::new();
    for (key, from) in r.keys.iter().zip(from) {
        let Some(s) = read_stream(c, key)? else { continue };
        let entries = match (r.group, from) {
            (Some((g, consumer)), ReadFrom::After(after)) => {
                read_group(s, g, consumer, Some(after), r.count, r.noack, now)
            }
            (Some((g, consumer)), ReadFrom::New) => {
                let behind = s.groups.get(g).map(|g: &Group| g.last_id);
                if s.log.length == 0 || s.log.edge_id(false) <= behind {
                    continue;
                }
                read_group(s, g, consumer, None, r.count, r.noack, now)
            }
            (None, ReadFrom::After(after)) => {
                if s.log.length == 0 || s.log.edge_id(false) <= Some(after) {
                    continue;
                }
                let Some(start) = after.next() else { continue };
                let limit = if r.count == 0 { usize::MAX } else { usize::try_from(r.count).unwrap_or(usize::MAX) };
                s.log.range(start, StreamId::MAX, false).take(limit).map(|(id, f)| entry_reply(id, f)).collect()
            }
            (None, ReadFrom::New) => continue,
        };
        if r.group.is_some() {
            c.dirty(1);
        }
        served.push((Reply::Bulk(key.clone()), Reply::Array(entries)));
    }
    if served.is_empty() {
        // Nothing to serve: as a timeout; with BLOCK (outside MULTI) the
        // client then waits, see `STREAM_WAIT`.
        return Ok(Reply::NilArray);
    }
    Ok(Reply::PairMap(served))
}

// ---------------------------------------------------------------------------
// XREAD and XREADGROUP with BLOCK: how they wait (`server::blocking`).

/// Whether the command is XREADGROUP (its name is the longer one).
fn is_group_read(a: &[Bytes]) -> bool {
    a[0].len() == 10
}

/// The count a served wait uses: COUNT, or at most 1000 entries.
fn blocked_count(count: u64) -> u64 {
    if count == 0 {
        1000
    } else {
        count
    }
}

/// How XREAD/XREADGROUP BLOCK wait: on their streams, each until it has
/// entries past the ID the read was given (`$` fixed when the wait starts),
/// or for XREADGROUP past the group's last delivered ID, or until the
/// stream or group it reads goes away.
pub static STREAM_WAIT: BlockOn = BlockOn {
    nil: Reply::NilArray,
    timeout: |a| parse_read(a, is_group_read(a)).ok().and_then(|r| r.block).map(|t| t as u64),
    watched: |a| {
        parse_read(a, is_group_read(a))
            .map_or_else(|_| Vec::new(), |r| (r.first_key..r.first_key + r.keys.len()).collect())
    },
    ready: stream_ready,
    prepare: Some(fix_last_ids),
    serve: serve_wait,
    single_key: true,
};

/// Replaces each `$` of the streams in `keys` by the stream's last ID.
fn fix_last_ids(c: &mut ExecCtx, a: &mut [Bytes], keys: &[Bytes]) {
    let Ok(r) = parse_read(a, is_group_read(a)) else { return };
    let (first, n) = (r.first_key, r.keys.len());
    let now = c.now;
    for j in 0..n {
        let (key, id) = (&a[first + j], first + n + j);
        if &a[id][..] == b"$" && keys.contains(key) {
            let last = c.db().peek(key, now).map_or(StreamId::MIN, |e| match &e.value {
                Value::Stream(s) => s.log.last_id,
                _ => StreamId::MIN,
            });
            a[id] = last.to_bytes();
        }
    }
}

/// The ID argument of `key` (its first mention).
fn waited_id<'a>(r: &ReadArgs<'a>, key: &[u8]) -> Option<&'a Bytes> {
    r.keys.iter().position(|k| &k[..] == key).map(|j| &r.ids[j])
}

fn stream_ready(v: Option<&Value>, a: &[Bytes], key: &[u8]) -> bool {
    let Ok(r) = parse_read(a, is_group_read(a)) else { return false };
    let s = match v {
        Some(Value::Stream(s)) => s,
        // A group read ends when its stream goes; XREAD keeps waiting.
        _ => return r.group.is_some(),
    };
    // Only a live entry past the ID serves (not a deleted one's last ID).
    let top = s.log.edge_id(false);
    match r.group {
        Some((g, _)) => s.groups.get(g).is_none_or(|g| top > Some(g.last_id)),
        None => waited_id(&r, key).and_then(|id| parse_strict_id(id).ok()).is_some_and(|id| top > Some(id)),
    }
}

fn serve_wait(c: &mut ExecCtx, a: &[Bytes], key: &Bytes) -> Reply {
    let Ok(r) = parse_read(a, is_group_read(a)) else { return Reply::NilArray };
    let count = blocked_count(r.count);
    let now = c.now;
    let s = match write_stream(c, key) {
        Ok(Some(s)) => s,
        _ => return Reply::err("UNBLOCKED the stream key no longer exists"),
    };
    let entries = match r.group {
        Some((g, consumer)) => {
            if !s.groups.contains_key(g) {
                return Reply::err("NOGROUP the consumer group this client was blocked on no longer exists");
            }
            let entries = read_group(s, g, consumer, None, count, r.noack, now);
            c.dirty(1);
            entries
        }
        None => {
            let after = waited_id(&r, key).and_then(|id| parse_strict_id(id).ok()).unwrap_or(StreamId::MAX);
            let Some(start) = after.next() else { return Reply::NilArray };
            let limit = usize::try_from(count).unwrap_or(usize::MAX);
            s.log.range(start, StreamId::MAX, false).take(limit).map(|(id, f)| entry_reply(id, f)).collect()
        }
    };
    Reply::PairMap(vec![(Reply::Bulk(key.clone()), Reply::Array(entries))])
}

fn xread(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(xread_generic(c, a, false))
}

fn xreadgroup(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(xread_generic(c, a, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_as_redis() {
        assert_eq!(parse_id(b"5", 0), Ok(StreamId::new(5, 0)));
        assert_eq!(parse_id(b"5", u64::MAX), Ok(StreamId::new(5, u64::MAX)));
        assert_eq!(parse_id(b"-", 0), Ok(StreamId::MIN));
        assert_eq!(parse_id(b"+", 0), Ok(StreamId::MAX));
        assert!(parse_strict_id(b"-").is_err());
        assert_eq!(parse_strict_id(b"18446744073709551615-18446744073709551615"), Ok(StreamId::MAX));
        assert!(parse_strict_id(b"18446744073709551616-0").is_err());
        assert_eq!(parse_strict_id(b"007-1"), Ok(StreamId::new(7, 1)));
        assert!(parse_strict_id(b"-1").is_err());
        assert!(parse_strict_id(b"1-").is_err());
        assert!(parse_strict_id(b"1-*").is_err());
        assert_eq!(parse_id_generic(b"1-*", 0, true, true), Ok((StreamId::new(1, 0), false)));
        assert_eq!(parse_bound(b"(1-0", true), Ok(StreamId::new(1, 1)));
        assert_eq!(parse_bound(b"(1-0", false), Ok(StreamId::new(0, u64::MAX)));
        assert!(parse_bound(b"(0-0", false).is_err());
        assert!(parse_bound(b"(-", true).is_err());
    }
}
