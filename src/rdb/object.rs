//! One value's object: written in the encoding Redis 7.0 writes for it,
//! read from every form Redis 7.0 reads, and converted on load to the
//! encoding the current settings call for, as Redis does (a listpack or
//! ziplist blob keeps its compact form while it has few enough entries; a
//! value loaded element by element is built as the commands would build
//! it).

use super::listpack::{self, Item};
use super::primitives::{d2string, double2ll, write_binary_double, write_len, write_string};
use super::ziplist::{decode_intset, decode_ziplist, decode_zipmap, encode_intset};
use super::{stream, types, RdbError, Reader, SaveOptions};
use crate::server::settings::Settings;
use crate::shard::list::Fill;
use crate::shard::set::Member;
use crate::shard::table::Table;
use crate::shard::zset::{cmp_elem, Limits as ZLimits};
use crate::shard::{hash, CompactBytes, Hash, List, Set, Value, ZSet};
use crate::util::num::{fmt_i64, strtod};
use std::borrow::Cow;
use std::collections::HashSet;

/// Quicklist node containers.
const CONTAINER_PLAIN: u64 = 1;
const CONTAINER_PACKED: u64 = 2;
/// Elements at least this big sit alone in a plain node (quicklist's
/// packed threshold).
const PLAIN_THRESHOLD: usize = 1 << 30;

/// Appends `value`'s object (no type byte) and returns its type byte.
pub fn write_object(out: &mut Vec<u8>, value: &Value, opts: &SaveOptions) -> u8 {
    let z = opts.compress;
    match value {
        Value::Str(s) => {
            write_string(out, s, z);
            types::STRING
        }
        Value::List(l) => {
            write_len(out, l.nodes() as u64);
            for node in l.node_elements() {
                let elems: Vec<&[u8]> = node.collect();
                match elems[..] {
                    [e] if e.len() >= PLAIN_THRESHOLD => {
                        write_len(out, CONTAINER_PLAIN);
                        write_string(out, e, z);
                    }
                    _ => {
                        let mut w = listpack::Writer::new();
                        for e in elems {
                            w.push_str(e);
                        }
                        write_len(out, CONTAINER_PACKED);
                        write_string(out, &w.finish(), z);
                    }
                }
            }
            types::LIST_QUICKLIST_2
        }
        Value::Hash(h) => match h {
            Hash::Listpack(_) => {
                let mut w = listpack::Writer::new();
                for (f, v) in h.iter() {
                    w.push_str(f);
                    w.push_str(v);
                }
                write_string(out, &w.finish(), z);
                types::HASH_LISTPACK
            }
            Hash::Table(_) => {
                write_len(out, h.len() as u64);
                for (f, v) in h.iter() {
                    write_string(out, f, z);
                    write_string(out, v, z);
                }
                types::HASH
            }
        },
        Value::Set(s) => match s {
            Set::IntSet(i) => {
                let members: Vec<i64> = i.iter().collect();
                write_string(out, &encode_intset(&members), z);
                types::SET_INTSET
            }
            Set::Table(_) => {
                write_len(out, s.len() as u64);
                for m in s.iter() {
                    m.with_bytes(|b| write_string(out, b, z));
                }
                types::SET
            }
        },
        Value::ZSet(zs) => match zs {
            ZSet::Packed(_) => {
                let mut w = listpack::Writer::new();
                for (m, score) in zs.iter() {
                    w.push_str(m);
                    match double2ll(score) {
                        Some(v) => w.push_int(v),
                        None => w.push_str(&d2string(score)),
                    }
                }
                write_string(out, &w.finish(), z);
                types::ZSET_LISTPACK
            }
            ZSet::Index(_) => {
                // Highest first, as Redis writes it (a load then inserts
                // each at the head of its skiplist).
                write_len(out, zs.len() as u64);
                for rank in (0..zs.len()).rev() {
                    if let Some((m, score)) = zs.get(rank) {
                        write_string(out, m, z);
                        write_binary_double(out, score);
                    }
                }
                types::ZSET_2
            }
        },
        Value::Stream(s) => stream::write_stream(out, s, opts),
    }
}

/// Reads an object of type `rdb_type`. An empty collection is an error.
pub fn read_object(r: &mut Reader, rdb_type: u8, settings: &Settings) -> Result<Value, RdbError> {
    load_object(r, rdb_type, settings)?.ok_or_else(|| RdbError("empty keys are not allowed".into()))
}

/// Reads an object; `None` for an empty collection (a file load skips
/// such keys, as Redis does).
pub(crate) fn load_object(r: &mut Reader, rdb_type: u8, settings: &Settings) -> Result<Option<Value>, RdbError> {
    let fill = Fill::new(settings.list_max_listpack_size);
    let hlim = hash::Limits { entries: settings.hash_max_listpack_entries, value: settings.hash_max_listpack_value };
    let v = match rdb_type {
        types::STRING => Value::Str(CompactBytes::from(r.string()?)),
        types::LIST => {
            let n = r.count()?;
            let mut l = List::default();
            for _ in 0..n {
                l.push(&r.string()?, false, fill);
            }
            Value::List(Box::new(l))
        }
        types::LIST_QUICKLIST | types::LIST_QUICKLIST_2 => {
            let n = r.count()?;
            let mut l = List::default();
            for _ in 0..n {
                let container = if rdb_type == types::LIST_QUICKLIST_2 { r.len()? } else { CONTAINER_PACKED };
                let blob = r.string()?;
                if blob.is_empty() {
                    return Err(RdbError("empty quicklist node".into()));
                }
                match container {
                    CONTAINER_PLAIN => l.append_node([&blob[..]]),
                    CONTAINER_PACKED => {
                        let items = if rdb_type == types::LIST_QUICKLIST_2 {
                            blob_check("Listpack", listpack::decode(&blob))?
                        } else {
                            blob_check("Ziplist", decode_ziplist(&blob))?
                        };
                        // Kept as the node it was, as Redis keeps it.
                        let texts: Vec<Cow<[u8]>> = items.into_iter().map(item_bytes).collect();
                        l.append_node(texts.iter().map(|t| &t[..]));
                    }
                    _ => return Err(RdbError("Quicklist integrity check failed.".into())),
                }
            }
            Value::List(Box::new(l))
        }
        types::LIST_ZIPLIST => {
            let blob = r.string()?;
            let mut l = List::default();
            for it in blob_check("List ziplist", decode_ziplist(&blob))? {
                with_item(it, |b| l.push(b, false, fill));
            }
            Value::List(Box::new(l))
        }
        types::SET => {
            let n = r.count()?;
            let max = settings.set_max_intset_entries;
            let mut s = if n > max { Set::Table(Box::default()) } else { Set::default() };
            for _ in 0..n {
                if !s.insert(&r.string()?, max) {
                    return Err(RdbError("Duplicate set members detected".into()));
                }
            }
            Value::Set(s)
        }
        types::SET_INTSET => {
            let blob = r.string()?;
            let members = blob_check("Intset", decode_intset(&blob))?;
            let big = members.len() > settings.set_max_intset_entries;
            let mut s = if big { Set::Table(Box::default()) } else { Set::default() };
            for v in members {
                s.insert_member(Member::Int(v), usize::MAX);
            }
            Value::Set(s)
        }
        types::ZSET | types::ZSET_2 => {
            let n = r.count()?;
            // Each element takes at least 2 bytes (9 in ZSET_2); the count
            // only bounds what is reserved up front.
            let mut items = Vec::with_capacity(n.min(r.remaining() / 9).min(1 << 16));
            for _ in 0..n {
                let m = r.string()?;
                let score = if rdb_type == types::ZSET_2 { r.binary_double()? } else { r.text_double()? };
                items.push((m, score));
            }
            let lim = ZLimits { entries: settings.zset_max_listpack_entries, value: settings.zset_max_listpack_value };
            build_zset(items.iter().map(|(m, s)| (&m[..], *s)).collect(), lim)?
        }
        types::ZSET_ZIPLIST | types::ZSET_LISTPACK => {
            let what = if rdb_type == types::ZSET_LISTPACK { "Zset listpack" } else { "Zset ziplist" };
            let blob = r.string()?;
            // A blob stays compact while it has few enough entries,
            // whatever its members' lengths.
            let lim = ZLimits { entries: settings.zset_max_listpack_entries, value: usize::MAX };
            blob_check(what, zset_blob(&blob, rdb_type, lim))?
        }
        types::HASH => {
            let n = r.count()?;
            // As Redis: a table at once when the count is past the limit.
            let mut h = if n > hlim.entries {
                Hash::Table(Box::new(Table::with_capacity(n.min(1 << 16))))
            } else {
                Hash::default()
            };
            for _ in 0..n {
                let f = r.string()?;
                let v = r.string()?;
                if !h.insert(&f, &v, hlim) {
                    return Err(RdbError("Duplicate hash fields detected".into()));
                }
            }
            Value::Hash(h)
        }
        types::HASH_ZIPMAP => {
            let blob = r.string()?;
            let mut h = Hash::default();
            for (f, v) in blob_check("Zipmap", decode_zipmap(&blob))? {
                if !h.insert(f, v, hlim) {
                    return Err(RdbError("Hash zipmap with dup elements".into()));
                }
            }
            Value::Hash(h)
        }
        types::HASH_ZIPLIST | types::HASH_LISTPACK => {
            let what = if rdb_type == types::HASH_LISTPACK { "Hash listpack" } else { "Hash ziplist" };
            let blob = r.string()?;
            blob_check(what, hash_blob(&blob, rdb_type, settings.hash_max_listpack_entries))?
        }
        types::STREAM_LISTPACKS | types::STREAM_LISTPACKS_2 => {
            return stream::read_stream(r, rdb_type, settings).map(Some)
        }
        types::MODULE | types::MODULE_2 => return Err(RdbError("module values are not supported".into())),
        t => return Err(RdbError(format!("unknown RDB object type {t}"))),
    };
    let empty = match &v {
        Value::List(l) => l.is_empty(),
        Value::Hash(h) => h.is_empty(),
        Value::Set(s) => s.is_empty(),
        Value::ZSet(z) => z.is_empty(),
        Value::Str(_) | Value::Stream(_) => false,
    };
    Ok((!empty).then_some(v))
}

/// A blob decoder's failure, named as Redis names it ("Zset ziplist
/// integrity check failed").
fn blob_check<T>(what: &str, r: Result<T, RdbError>) -> Result<T, RdbError> {
    r.map_err(|e| RdbError(format!("{what} integrity check failed: {}", e.0)))
}

/// A sorted set from a ziplist or listpack blob of member, score pairs.
fn zset_blob(blob: &[u8], rdb_type: u8, lim: ZLimits) -> Result<Value, RdbError> {
    let items = if rdb_type == types::ZSET_LISTPACK { listpack::decode(blob)? } else { decode_ziplist(blob)? };
    if items.len() % 2 != 0 {
        return Err(RdbError("odd number of entries".into()));
    }
    let mut pairs: Vec<(Cow<[u8]>, f64)> = Vec::with_capacity(items.len() / 2);
    for p in items.chunks_exact(2) {
        let score = match p[1] {
            Item::Int(v) => v as f64,
            Item::Str(s) => {
                let (v, used, _) = strtod(s);
                if used != s.len() || s.is_empty() {
                    return Err(RdbError("bad score".into()));
                }
                v
            }
        };
        pairs.push((item_bytes(p[0]), score));
    }
    build_zset(pairs.iter().map(|(m, s)| (&m[..], *s)).collect(), lim)
}

/// A hash from a ziplist or listpack blob of field, value pairs: compact
/// while it has at most `max_entries` fields, whatever their lengths.
fn hash_blob(blob: &[u8], rdb_type: u8, max_entries: usize) -> Result<Value, RdbError> {
    let items = if rdb_type == types::HASH_LISTPACK { listpack::decode(blob)? } else { decode_ziplist(blob)? };
    if items.len() % 2 != 0 {
        return Err(RdbError("odd number of entries".into()));
    }
    let lim = hash::Limits { entries: max_entries, value: usize::MAX };
    let mut h = Hash::default();
    for p in items.chunks_exact(2) {
        if !with_item(p[0], |f| with_item(p[1], |v| h.insert(f, v, lim))) {
            return Err(RdbError("listpack with dup elements".into()));
        }
    }
    Ok(Value::Hash(h))
}

/// An entry's bytes (integers in decimal).
fn item_bytes(it: Item) -> Cow<[u8]> {
    match it {
        Item::Str(s) => Cow::Borrowed(s),
        Item::Int(v) => Cow::Owned(fmt_i64(v, &mut [0; 20]).to_vec()),
    }
}

/// Runs `f` on an entry's bytes (integers in decimal).
fn with_item<R>(it: Item, f: impl FnOnce(&[u8]) -> R) -> R {
    match it {
        Item::Str(s) => f(s),
        Item::Int(v) => f(fmt_i64(v, &mut [0; 20])),
    }
}

/// A sorted set of `items` (any order): compact when `lim` allows.
/// Duplicate members and NaN scores are corrupt data.
fn build_zset(mut items: Vec<(&[u8], f64)>, lim: ZLimits) -> Result<Value, RdbError> {
    if items.iter().any(|(_, s)| s.is_nan()) {
        return Err(RdbError("Zset with NAN score detected".into()));
    }
    let mut seen = HashSet::with_capacity(items.len());
    if !items.iter().all(|(m, _)| seen.insert(*m)) {
        return Err(RdbError("Duplicate zset fields detected".into()));
    }
    items.sort_by(|a, b| cmp_elem(a.1, a.0, b.1, b.0));
    Ok(Value::ZSet(ZSet::from_sorted(lim, items.into_iter())))
}
