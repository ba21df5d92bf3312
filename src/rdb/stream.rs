//! The stream object codec: STREAM_LISTPACKS_2 (type 19, Redis 7.0) is
//! written, and read along with the RDB 9 form STREAM_LISTPACKS (15).
//!
//! A stream is its nodes, each the 16-byte big-endian master ID (the node's
//! key) and a listpack in Redis's node layout; then the length, last ID,
//! (type 19:) first ID, largest deleted ID and entries added; then the
//! consumer groups: name, last delivered ID, (type 19:) entries read, the
//! PEL (raw ID, delivery time, delivery count) and the consumers (name,
//! seen time, the raw IDs of the PEL entries they own).
//!
//! A node listpack starts with its master entry: live count, deleted
//! count, the number of master field names, the names, and a 0. Each
//! entry follows as: flags (1 = deleted, 2 = same field names as the
//! master), the ID as ms and seq differences from the master ID, then
//! either the values alone (same fields) or the field count and the
//! field/value pairs, and last the number of listpack elements the entry
//! used before this one. Nodes are written exactly as Redis lays them out,
//! deleted entries kept, so the bytes match redis-server's.
//!
//! Reading checks everything Clover relies on: listpack integrity, every
//! count and element kind, node keys and live entries in strictly
//! increasing ID order, the live counts against the stream length, and PEL
//! entries each owned by exactly one consumer. Anything else is an
//! `RdbError`.

use super::listpack::{self, Item, Writer};
use super::primitives::{write_len, write_string};
use super::{types, RdbError, Reader, SaveOptions};
use crate::server::settings::Settings;
use crate::shard::stream::{Consumer, Group, Log, Nack, Node, StreamId};
use crate::shard::{Stream, Value};
use bytes::Bytes;
use std::borrow::Cow;
use std::collections::btree_map::Entry as Slot;
use std::collections::BTreeMap;

/// Entry flags in a node listpack.
const FLAG_DELETED: i64 = 1;
const FLAG_SAME_FIELDS: i64 = 2;

/// An ID as Redis keys its radix trees: ms then seq, big-endian.
fn raw_id(id: StreamId) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&id.ms.to_be_bytes());
    out[8..].copy_from_slice(&id.seq.to_be_bytes());
    out
}

fn parse_raw_id(b: &[u8]) -> Option<StreamId> {
    let ms = u64::from_be_bytes(b.get(..8)?.try_into().ok()?);
    let seq = u64::from_be_bytes(b.get(8..16)?.try_into().ok()?);
    (b.len() == 16).then_some(StreamId::new(ms, seq))
}

fn write_id(out: &mut Vec<u8>, id: StreamId) {
    write_len(out, id.ms);
    write_len(out, id.seq);
}

/// Appends `s` as a STREAM_LISTPACKS_2 object and returns its type byte.
pub fn write_stream(out: &mut Vec<u8>, s: &Stream, opts: &SaveOptions) -> u8 {
    let log = &s.log;
    write_len(out, log.node_count() as u64);
    for (key, node) in log.nodes() {
        write_string(out, &raw_id(key), opts.compress);
        write_string(out, &node_listpack(key, node), opts.compress);
    }
    write_len(out, log.length);
    write_id(out, log.last_id);
    write_id(out, log.first_id);
    write_id(out, log.max_deleted_entry_id);
    write_len(out, log.entries_added);
    write_len(out, s.groups.len() as u64);
    for (name, g) in &s.groups {
        write_string(out, name, opts.compress);
        write_id(out, g.last_id);
        // An unknown read counter is Redis's -1, as an unsigned length.
        write_len(out, g.entries_read.unwrap_or(u64::MAX));
        write_len(out, g.pel.len() as u64);
        for (id, nack) in &g.pel {
            out.extend_from_slice(&raw_id(*id));
            out.extend_from_slice(&nack.delivery_time.to_le_bytes());
            write_len(out, nack.delivery_count);
        }
        write_len(out, g.consumers.len() as u64);
        for (cname, c) in &g.consumers {
            write_string(out, cname, opts.compress);
            out.extend_from_slice(&c.seen_time.to_le_bytes());
            write_len(out, c.pel.len() as u64);
            for id in &c.pel {
                out.extend_from_slice(&raw_id(*id));
            }
        }
    }
    types::STREAM_LISTPACKS_2
}

/// A node's listpack in Redis's layout (see the module comment).
fn node_listpack(key: StreamId, node: &Node) -> Vec<u8> {
    let master: Vec<&[u8]> = node.master_fields().collect();
    let total = node.entries().count();
    let mut lp = Writer::new();
    lp.push_int(node.live() as i64);
    lp.push_int(total.saturating_sub(node.live()) as i64);
    lp.push_int(master.len() as i64);
    for f in &master {
        lp.push_str(f);
    }
    lp.push_int(0);
    for (id, deleted, fields) in node.entries() {
        let pairs = (fields.clone().count() / 2) as i64;
        let same = fields.clone().step_by(2).eq(master.iter().copied());
        let flags = if deleted { FLAG_DELETED } else { 0 } | if same { FLAG_SAME_FIELDS } else { 0 };
        lp.push_int(flags);
        lp.push_int(id.ms.wrapping_sub(key.ms) as i64);
        lp.push_int(id.seq.wrapping_sub(key.seq) as i64);
        if same {
            fields.skip(1).step_by(2).for_each(|v| lp.push_str(v));
            lp.push_int(pairs + 3);
        } else {
            lp.push_int(pairs);
            fields.for_each(|f| lp.push_str(f));
            lp.push_int(2 * pairs + 4);
        }
    }
    lp.finish()
}

/// A load error, in Redis's words where Redis has them (its log lines are
/// what tests and operators look for).
fn corrupt(what: &str) -> RdbError {
    RdbError(what.to_string())
}

/// A node listpack that is not what Redis writes.
fn bad_node(what: &str) -> RdbError {
    RdbError(format!("Stream listpack integrity check failed: {what}"))
}

/// Reads an ID written as two lengths.
fn read_id(r: &mut Reader) -> Result<StreamId, RdbError> {
    Ok(StreamId::new(r.len()?, r.len()?))
}

fn read_raw_id(r: &mut Reader) -> Result<StreamId, RdbError> {
    parse_raw_id(r.take(16)?).ok_or_else(|| corrupt("Stream PEL ID is not the size of a stream ID"))
}

/// Reads a stream object of `rdb_type` (STREAM_LISTPACKS or
/// STREAM_LISTPACKS_2).
pub fn read_stream(r: &mut Reader, rdb_type: u8, _settings: &Settings) -> Result<Value, RdbError> {
    let v2 = rdb_type == types::STREAM_LISTPACKS_2;
    let mut log = Log::default();
    // Node keys and live entries must grow strictly, each live entry at
    // least its node's key. Deleted entries may be anywhere: after XDEL of
    // the last entry and an XSETID below it, Redis appends newer entries
    // with smaller IDs behind the deleted one.
    let mut prev_key: Option<StreamId> = None;
    let mut last_live: Option<StreamId> = None;
    let mut first_live: Option<StreamId> = None;
    let mut live_total = 0u64;
    for _ in 0..r.count()? {
        let key = r.string()?;
        let key = parse_raw_id(&key).ok_or_else(|| corrupt("Stream node key entry is not the size of a stream ID"))?;
        let blob = r.string()?;
        let elements = listpack::decode(&blob).map_err(|e| bad_node(&e.0))?;
        if elements.is_empty() {
            return Err(corrupt("Empty listpack inside stream"));
        }
        if prev_key.is_some_and(|k| key <= k) || last_live.is_some_and(|l| key <= l) {
            return Err(corrupt("Stream node keys out of order"));
        }
        prev_key = Some(key);
        let (master, entries) = parse_node(key, &elements)?;
        for (id, _, _) in entries.iter().filter(|(_, deleted, _)| !deleted) {
            if last_live.is_some_and(|l| *id <= l) || *id < key {
                return Err(corrupt("Stream entry IDs out of order"));
            }
            first_live.get_or_insert(*id);
            last_live = Some(*id);
            live_total += 1;
        }
        log.load_node(key, &master, &entries, blob.len());
    }
    log.length = r.len()?;
    if log.length != live_total {
        return Err(corrupt("Stream length inconsistent with its entries"));
    }
    log.last_id = read_id(r)?;
    if last_live.is_some_and(|id| id > log.last_id) {
        return Err(corrupt("Stream last ID below its last entry"));
    }
    if v2 {
        log.first_id = read_id(r)?;
        log.max_deleted_entry_id = read_id(r)?;
        log.entries_added = r.len()?;
    } else {
        // RDB 9 does not have them: what Redis 7.0 derives when loading.
        log.first_id = first_live.unwrap_or(StreamId::MIN);
        log.entries_added = log.length;
    }
    let mut groups = BTreeMap::new();
    for _ in 0..r.count()? {
        let name = r.string()?;
        let last_id = read_id(r)?;
        let entries_read = if v2 { Some(r.len()?).filter(|&n| n != u64::MAX) } else { log.entries_up_to(last_id) };
        if groups.contains_key(&name) {
            return Err(RdbError(format!("Duplicated consumer group name {}", String::from_utf8_lossy(&name))));
        }
        let group = read_group(r, last_id, entries_read)?;
        groups.insert(name, group);
    }
    Ok(Value::Stream(Box::new(Stream { log, groups })))
}

/// A group's PEL and consumers.
fn read_group(r: &mut Reader, last_id: StreamId, entries_read: Option<u64>) -> Result<Group, RdbError> {
    let mut group = Group::new(last_id, entries_read);
    // Delivery time and count, and the owner once a consumer claims it.
    let mut pending: BTreeMap<StreamId, (u64, u64, Option<Bytes>)> = BTreeMap::new();
    for _ in 0..r.count()? {
        let id = read_raw_id(r)?;
        let time = r.u64_le()?;
        let count = r.len()?;
        if pending.insert(id, (time, count, None)).is_some() {
            return Err(corrupt("Duplicated global PEL entry loading stream consumer group"));
        }
    }
    for _ in 0..r.count()? {
        let name = r.string()?;
        let mut consumer = Consumer { seen_time: r.u64_le()?, ..Consumer::default() };
        for _ in 0..r.count()? {
            let id = read_raw_id(r)?;
            match pending.get_mut(&id) {
                Some((_, _, owner @ None)) => *owner = Some(name.clone()),
                Some(_) => return Err(corrupt("Duplicated consumer PEL entry loading a stream consumer group")),
                None => return Err(corrupt("Consumer entry not found in group global PEL")),
            }
            consumer.pel.insert(id);
        }
        match group.consumers.entry(name) {
            Slot::Vacant(v) => v.insert(consumer),
            Slot::Occupied(_) => return Err(corrupt("Duplicate stream consumer detected.")),
        };
    }
    for (id, (delivery_time, delivery_count, owner)) in pending {
        let consumer = owner.ok_or_else(|| corrupt("Stream CG PEL entry without consumer"))?;
        group.pel.insert(id, Nack { consumer, delivery_time, delivery_count });
    }
    Ok(group)
}

/// Elements of a node listpack, read in order.
struct Elements<'a, 'b> {
    items: &'b [Item<'a>],
    at: usize,
}

impl<'a> Elements<'a, '_> {
    fn next(&mut self) -> Result<Item<'a>, RdbError> {
        let item = self.items.get(self.at).copied().ok_or_else(|| bad_node("node listpack ends early"))?;
        self.at += 1;
        Ok(item)
    }

    fn int(&mut self) -> Result<i64, RdbError> {
        self.next()?.as_int().ok_or_else(|| bad_node("node listpack has a string where a number belongs"))
    }

    /// A count of things still to come in the listpack.
    fn count(&mut self) -> Result<usize, RdbError> {
        let left = self.items.len() - self.at;
        usize::try_from(self.int()?)
            .ok()
            .filter(|&n| n <= left)
            .ok_or_else(|| bad_node("node listpack count out of range"))
    }

    fn bytes(&mut self) -> Result<Cow<'a, [u8]>, RdbError> {
        Ok(match self.next()? {
            Item::Str(s) => Cow::Borrowed(s),
            i @ Item::Int(_) => Cow::Owned(i.to_vec()),
        })
    }
}

/// One entry of a node: ID, deleted, fields and values.
type NodeEntry<'a> = (StreamId, bool, Vec<Cow<'a, [u8]>>);
/// A decoded node: master field names and entries.
type NodeParts<'a> = (Vec<Cow<'a, [u8]>>, Vec<NodeEntry<'a>>);

/// Decodes a node listpack: the master field names and every entry.
fn parse_node<'a>(key: StreamId, items: &[Item<'a>]) -> Result<NodeParts<'a>, RdbError> {
    let mut e = Elements { items, at: 0 };
    let live = e.count()?;
    let deleted = e.count()?;
    let names = e.count()?;
    let master = (0..names).map(|_| e.bytes()).collect::<Result<Vec<_>, _>>()?;
    if e.int()? != 0 {
        return Err(bad_node("master entry without its terminator"));
    }
    let total = live.checked_add(deleted).filter(|&t| t <= items.len()).ok_or_else(|| bad_node("node counts"))?;
    let mut entries = Vec::with_capacity(total);
    let mut seen_live = 0;
    for _ in 0..total {
        let flags = e.int()?;
        if flags & !(FLAG_DELETED | FLAG_SAME_FIELDS) != 0 {
            return Err(bad_node("entry with unknown flags"));
        }
        let id = StreamId::new(key.ms.wrapping_add(e.int()? as u64), key.seq.wrapping_add(e.int()? as u64));
        let mut fields = Vec::new();
        let used = if flags & FLAG_SAME_FIELDS != 0 {
            for name in &master {
                fields.push(name.clone());
                fields.push(e.bytes()?);
            }
            master.len() + 3
        } else {
            let pairs = e.count()?;
            for _ in 0..pairs.checked_mul(2).ok_or_else(|| bad_node("node counts"))? {
                fields.push(e.bytes()?);
            }
            2 * pairs + 4
        };
        if usize::try_from(e.int()?).ok() != Some(used) {
            return Err(bad_node("entry with a wrong element count"));
        }
        let is_deleted = flags & FLAG_DELETED != 0;
        if !is_deleted {
            seen_live += 1;
        }
        entries.push((id, is_deleted, fields));
    }
    if e.at != items.len() {
        return Err(bad_node("node listpack has extra elements"));
    }
    if seen_live != live || live == 0 {
        return Err(bad_node("node live count inconsistent with its entries"));
    }
    Ok((master, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    fn sample() -> Stream {
        let mut s = Stream::default();
        for j in 1..=25u64 {
            let fields = if j % 4 == 0 {
                vec![b("other"), b(&j.to_string())]
            } else {
                vec![b("f"), b("v"), b("n"), b(&j.to_string())]
            };
            s.log.append(StreamId::new(j, j % 3), &fields, 10, 4096).unwrap();
        }
        s.log.delete(&[StreamId::new(1, 1), StreamId::new(12, 0), StreamId::new(13, 1)]);
        let mut g = Group::new(StreamId::new(5, 2), Some(5));
        let alice = b("alice");
        g.consumer(&alice, 1234);
        g.consumer(&b("bob"), 99);
        g.deliver(StreamId::new(2, 2), &alice, 777);
        g.deliver(StreamId::new(3, 0), &alice, 778);
        s.groups.insert(b("g1"), g);
        s.groups.insert(b("12"), Group::new(StreamId::MIN, None));
        s
    }

    fn settings() -> Settings {
        Settings::default()
    }

    #[test]
    fn round_trip_keeps_nodes_and_groups() {
        for compress in [false, true] {
            let s = sample();
            let mut out = Vec::new();
            assert_eq!(write_stream(&mut out, &s, &SaveOptions { compress }), types::STREAM_LISTPACKS_2);
            let mut r = Reader::new(&out);
            let back = read_stream(&mut r, types::STREAM_LISTPACKS_2, &settings()).unwrap();
            assert!(r.is_empty());
            let Value::Stream(back) = back else { panic!("not a stream") };
            assert_eq!(back.log.node_count(), s.log.node_count());
            let ids = |s: &Stream| {
                s.log
                    .range(StreamId::MIN, StreamId::MAX, false)
                    .map(|(id, f)| (id, f.collect::<Vec<_>>().concat()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(ids(&back), ids(&s));
            assert_eq!(back.groups, s.groups);
            assert_eq!(
                (back.log.length, back.log.last_id, back.log.first_id),
                (s.log.length, s.log.last_id, s.log.first_id)
            );
            assert_eq!(
                (back.log.max_deleted_entry_id, back.log.entries_added),
                (s.log.max_deleted_entry_id, s.log.entries_added)
            );
            // Written again, the bytes are the same.
            let mut again = Vec::new();
            write_stream(&mut again, &back, &SaveOptions { compress });
            assert_eq!(again, out);
        }
    }

    #[test]
    fn corrupt_input_is_an_error_never_a_panic() {
        let mut out = Vec::new();
        write_stream(&mut out, &sample(), &SaveOptions { compress: false });
        // Every truncation and every single-byte change either decodes or
        // is an error.
        for len in 0..out.len() {
            assert!(read_stream(&mut Reader::new(&out[..len]), types::STREAM_LISTPACKS_2, &settings()).is_err());
        }
        for at in 0..out.len() {
            for v in [0u8, 1, 0x7f, 0x80, 0xfe, 0xff] {
                let mut bad = out.clone();
                bad[at] = v;
                let _ = read_stream(&mut Reader::new(&bad), types::STREAM_LISTPACKS_2, &settings());
                let _ = read_stream(&mut Reader::new(&bad), types::STREAM_LISTPACKS, &settings());
            }
        }
    }

    #[test]
    fn random_nodes_never_panic() {
        // Nodes shaped like Redis's (master entry, entries with flags, ID
        // deltas, fields and element counts) with every number small and
        // often off, then random counters and groups.
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut decoded = 0;
        for _ in 0..20000 {
            let mut out = Vec::new();
            let nodes = next(3);
            write_len(&mut out, nodes);
            for n in 0..nodes {
                write_string(&mut out, &raw_id(StreamId::new(n * 10 + next(2), next(2))), false);
                let mut lp = Writer::new();
                let (live, deleted, names) = (next(3), next(2), next(3));
                lp.push_int(live as i64);
                lp.push_int(deleted as i64);
                lp.push_int(names as i64);
                (0..names).for_each(|_| lp.push_str(b"f"));
                lp.push_int(next(8) as i64 / 7);
                for _ in 0..live + deleted + next(4) / 3 {
                    let flags = next(4) as i64 + next(16) as i64 / 15 * 4;
                    lp.push_int(flags);
                    lp.push_int(next(3) as i64);
                    lp.push_int(next(3) as i64 - 1);
                    let pairs = if flags & FLAG_SAME_FIELDS != 0 {
                        (0..names).for_each(|_| lp.push_str(b"v"));
                        names as i64
                    } else {
                        let pairs = next(3);
                        lp.push_int(pairs as i64);
                        (0..pairs * 2).for_each(|_| lp.push_str(b"x"));
                        pairs as i64 + 1
                    };
                    lp.push_int(pairs * (1 + i64::from(flags & FLAG_SAME_FIELDS == 0)) + 3 + next(8) as i64 / 7);
                }
                write_string(&mut out, &lp.finish(), false);
            }
            for _ in 0..8 {
                write_len(&mut out, next(30));
            }
            let groups = next(3);
            write_len(&mut out, groups);
            for g in 0..groups {
                write_string(&mut out, &[b'g', g as u8], false);
                for _ in 0..3 {
                    write_len(&mut out, next(12));
                }
                let pel = next(3);
                write_len(&mut out, pel);
                for _ in 0..pel {
                    out.extend_from_slice(&raw_id(StreamId::new(next(12), 0)));
                    out.extend_from_slice(&7u64.to_le_bytes());
                    write_len(&mut out, 1);
                }
                let consumers = next(3);
                write_len(&mut out, consumers);
                for c in 0..consumers {
                    write_string(&mut out, &[b'c', c as u8], false);
                    out.extend_from_slice(&9u64.to_le_bytes());
                    let owned = next(3);
                    write_len(&mut out, owned);
                    for _ in 0..owned {
                        out.extend_from_slice(&raw_id(StreamId::new(next(12), 0)));
                    }
                }
            }
            for t in [types::STREAM_LISTPACKS_2, types::STREAM_LISTPACKS] {
                let back = read_stream(&mut Reader::new(&out), t, &settings());
                if let Ok(Value::Stream(s)) = back {
                    decoded += 1;
                    // What decodes writes and reads back the same.
                    let mut again = Vec::new();
                    write_stream(&mut again, &s, &SaveOptions { compress: false });
                    let Ok(Value::Stream(s2)) =
                        read_stream(&mut Reader::new(&again), types::STREAM_LISTPACKS_2, &settings())
                    else {
                        panic!("a decoded stream does not read back")
                    };
                    assert_eq!(s2.groups, s.groups);
                    assert_eq!(s2.log.length, s.log.length);
                }
            }
        }
        assert!(decoded > 100, "only {decoded} random streams decoded");
    }

    /// Decodes hex text.
    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn reads_a_redis_5_stream() {
        // The DUMP payload (type 15, RDB 9) of unit/type/stream-cgroups'
        // legacy loading test: six entries, 3-0 deleted, groups g1 (c11
        // read four) and g2, then XTRIM MAXLEN = 2.
        let payload = unhex(concat!(
            "0f011000000000000000010000000000000000c3404a4057165700000023000201040101018464617461050001030100",
            "20010381610204200a0001400a0062600a0002400a0063600a4022018164200a4039200a0065600a0005400a0066200a",
            "00ff02060002026731050004000000000000000100000000000000003ef783437a010000010000000000000002000000",
            "00000000003ef783437a01000001000000000000000400000000000000003ef783437a01000001000000000000000500",
            "000000000000003ef783437a0100000101036331313ef783437a01000004000000000000000100000000000000000000",
            "000000000002000000000000000000000000000000040000000000000000000000000000000500000000000000000267",
            "320000000009003d52ef6867521dfa",
        ));
        let body = &payload[1..payload.len() - 10];
        let Value::Stream(s) = read_stream(&mut Reader::new(body), payload[0], &settings()).unwrap() else {
            panic!("not a stream")
        };
        let ids: Vec<_> = s.log.range(StreamId::MIN, StreamId::MAX, false).map(|(id, _)| id).collect();
        assert_eq!(ids, [StreamId::new(5, 0), StreamId::new(6, 0)]);
        assert_eq!(
            (s.log.entries_added, s.log.max_deleted_entry_id, s.log.first_id),
            (2, StreamId::MIN, StreamId::new(5, 0))
        );
        let g1 = &s.groups[&b("g1")];
        assert_eq!((g1.last_id, g1.entries_read, g1.lag(&s.log)), (StreamId::new(5, 0), Some(1), Some(1)));
        assert_eq!(g1.pel.len(), 4);
        assert_eq!(g1.consumers[&b("c11")].pel.len(), 4);
        let g2 = &s.groups[&b("g2")];
        assert_eq!((g2.entries_read, g2.lag(&s.log)), (Some(0), Some(2)));
    }
}
