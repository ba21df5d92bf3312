//! Stream values (XADD, XRANGE, XREADGROUP, ...): the entry log and the
//! consumer groups that read it.
//!
//! The log keeps its entries in ID order in nodes, each a short run of
//! consecutive entries (as Redis's listpacks under a radix tree), keyed in a
//! B-tree by the ID of the first entry the node was created with. A node
//! takes entries until it holds stream-node-max-entries of them (deleted
//! ones included) or its listpack-equivalent size reaches
//! stream-node-max-bytes. Deleting an entry only marks it, as Redis does, and
//! a node goes away when its last live entry does; approximate trimming
//! (`~`) drops whole nodes only, so lengths after `MAXLEN ~` match Redis's.
//! Each entry's fields and values are packed into one allocation.

pub mod group;

pub use group::{Consumer, Group, Nack};

use crate::util::listpack;
use bytes::Bytes;
use std::collections::BTreeMap;
use std::fmt;

/// A stream entry ID: milliseconds and sequence number, ordered as a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId { ms: u64::MAX, seq: u64::MAX };

    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    /// The next ID, or None after the last possible one.
    pub fn next(self) -> Option<StreamId> {
        if self.seq < u64::MAX {
            Some(StreamId::new(self.ms, self.seq + 1))
        } else if self.ms < u64::MAX {
            Some(StreamId::new(self.ms + 1, 0))
        } else {
            None
        }
    }

    /// The previous ID, or None before 0-0.
    pub fn prev(self) -> Option<StreamId> {
        if self.seq > 0 {
            Some(StreamId::new(self.ms, self.seq - 1))
        } else if self.ms > 0 {
            Some(StreamId::new(self.ms - 1, u64::MAX))
        } else {
            None
        }
    }

    pub fn is_zero(self) -> bool {
        self == StreamId::MIN
    }

    /// The "ms-seq" text replies carry.
    pub fn to_bytes(self) -> Bytes {
        Bytes::from(self.to_string())
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// The largest node (and entry) Redis's listpacks can hold.
const LISTPACK_MAX: usize = 1 << 30;
/// What a new node's listpack is allocated with (at most
/// stream-node-max-bytes).
const LISTPACK_PREALLOC: usize = 4096;

/// One entry of a node: its ID, whether it was deleted, and its fields and
/// values packed as (varint length, bytes) pairs.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    id: StreamId,
    deleted: bool,
    data: Box<[u8]>,
}

impl Item {
    fn fields(&self) -> Fields<'_> {
        Fields { rest: &self.data }
    }
}

/// The fields and values of an entry, in order (field, value, field, ...).
#[derive(Clone)]
pub struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (len, used) = read_varint(self.rest)?;
        let end = used.checked_add(usize::try_from(len).ok()?)?;
        let out = self.rest.get(used..end)?;
        self.rest = &self.rest[end..];
        Some(out)
    }
}

fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn read_varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, &c) in b.iter().enumerate().take(10) {
        v |= u64::from(c & 0x7f) << (7 * i);
        if c & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

fn pack<F: AsRef<[u8]>>(fields: &[F]) -> Box<[u8]> {
    let mut out = Vec::with_capacity(fields.iter().map(|f| f.as_ref().len() + 2).sum());
    for f in fields {
        let f = f.as_ref();
        write_varint(&mut out, f.len() as u64);
        out.extend_from_slice(f);
    }
    out.into_boxed_slice()
}

/// A run of consecutive entries (Redis's listpack node).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    items: Vec<Item>,
    /// Entries not marked deleted.
    live: usize,
    /// The size the listpack would have.
    bytes: usize,
    /// The bytes its listpack would have asked the allocator for (the
    /// tail node is preallocated, the others shrunk to fit).
    alloc: usize,
    /// The field names of the node's first entry (the master entry).
    master: Box<[u8]>,
}

impl Node {
    /// Index of `id` among the items. Items are in ID order except that a
    /// deleted one may precede smaller IDs (XDEL of the last entry, XSETID
    /// below it, then XADD), so a miss in a node with deleted items looks
    /// again one by one.
    fn find(&self, id: StreamId) -> Option<usize> {
        match self.items.binary_search_by(|it| it.id.cmp(&id)) {
            Ok(i) => Some(i),
            Err(_) if self.live < self.items.len() => self.items.iter().position(|it| it.id == id),
            Err(_) => None,
        }
    }

    /// The field names of the node's master entry.
    pub fn master_fields(&self) -> Fields<'_> {
        Fields { rest: &self.master }
    }

    /// Every entry of the node in order, deleted ones included (flagged):
    /// ID, deleted, fields and values.
    pub fn entries(&self) -> impl Iterator<Item = (StreamId, bool, Fields<'_>)> + '_ {
        self.items.iter().map(|it| (it.id, it.deleted, it.fields()))
    }

    /// Entries not deleted.
    pub fn live(&self) -> usize {
        self.live
    }
}

/// The entry log of a stream and its counters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Log {
    nodes: BTreeMap<StreamId, Node>,
    /// Live entries.
    pub length: u64,
    /// The ID of the last entry ever added (or set by XSETID).
    pub last_id: StreamId,
    /// The first live entry's ID (0-0 when empty).
    pub first_id: StreamId,
    /// The largest ID ever deleted by XDEL.
    pub max_deleted_entry_id: StreamId,
    /// Entries ever added.
    pub entries_added: u64,
}

/// A stream value: the log and its consumer groups by name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stream {
    pub log: Log,
    pub groups: BTreeMap<Bytes, Group>,
}

/// Nodes of a Redis radix tree holding `keys` stream IDs (close to what its
/// tree holds for IDs that share their high bytes): what XINFO's
/// radix-tree-nodes and MEMORY USAGE count.
pub fn rax_nodes(keys: usize) -> usize {
    match keys {
        0 => 1,
        1 => 2,
        n => 2 * n + 2,
    }
}

impl Stream {
    pub fn encoding(&self) -> &'static str {
        "stream"
    }
}

/// How a trim decides what goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trim {
    MaxLen(u64),
    MinId(StreamId),
}

/// Why an entry could not be added.
#[derive(Debug, PartialEq)]
pub enum AddError {
    /// The ID is not greater than the last one.
    NotGreater,
    /// The fields are larger than a node may hold.
    TooLarge,
}

impl Log {
    /// Nodes (Redis's radix tree keys).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The nodes in ID order, each with its key (its master entry's ID).
    pub fn nodes(&self) -> impl Iterator<Item = (StreamId, &Node)> {
        self.nodes.iter().map(|(k, n)| (*k, n))
    }

    /// Adds a node as stored elsewhere (an RDB load): master entry field
    /// names, entries in ID order (ID, deleted, fields and values) and the
    /// size of its listpack. The caller keeps the order: every ID of the
    /// node at least `key`, above every ID of the nodes before; the
    /// counters (length, last ID ...) are its to set.
    pub fn load_node<F: AsRef<[u8]>>(
        &mut self,
        key: StreamId,
        master: &[F],
        entries: &[(StreamId, bool, Vec<F>)],
        bytes: usize,
    ) {
        let mut names = Vec::new();
        for n in master.iter().map(|n| n.as_ref()) {
            write_varint(&mut names, n.len() as u64);
            names.extend_from_slice(n);
        }
        let items: Vec<Item> = entries
            .iter()
            .map(|(id, deleted, fields)| Item { id: *id, deleted: *deleted, data: pack(fields) })
            .collect();
        let live = items.iter().filter(|it| !it.deleted).count();
        self.nodes.insert(key, Node { items, live, bytes, alloc: bytes, master: names.into_boxed_slice() });
    }

    /// The ID a new entry gets: `given` with its sequence when `seq_given`,
    /// else the next sequence of `given`'s milliseconds; with no ID, the
    /// clock `now` or the next after the last ID.
    pub fn new_id(&self, given: Option<(StreamId, bool)>, now: u64) -> Result<StreamId, AddError> {
        let id = match given {
            Some((id, true)) => id,
            Some((id, false)) if id.ms == self.last_id.ms => {
                if self.last_id.seq == u64::MAX {
                    return Err(AddError::NotGreater);
                }
                StreamId::new(id.ms, self.last_id.seq + 1)
            }
            Some((id, false)) => id,
            None if now > self.last_id.ms => StreamId::new(now, 0),
            None => self.last_id.next().unwrap_or(StreamId::MIN),
        };
        if id <= self.last_id {
            return Err(AddError::NotGreater);
        }
        Ok(id)
    }

    /// Appends an entry with ID `id` (greater than the last ID: see
    /// [`Log::new_id`]). `fields` alternates field and value.
    pub fn append(
        &mut self,
        id: StreamId,
        fields: &[Bytes],
        max_entries: usize,
        max_bytes: usize,
    ) -> Result<(), AddError> {
        let total: usize = fields.iter().map(|f| f.len()).sum();
        if total > LISTPACK_MAX {
            return Err(AddError::TooLarge);
        }
        // A new node's listpack is allocated for this much up front.
        let prealloc = if max_bytes > 0 && max_bytes < LISTPACK_PREALLOC { max_bytes } else { LISTPACK_PREALLOC };
        let max_bytes = if max_bytes == 0 || max_bytes > LISTPACK_MAX { LISTPACK_MAX } else { max_bytes };
        let names: Vec<&[u8]> = fields.iter().step_by(2).map(|f| &f[..]).collect();
        let tail = self
            .nodes
            .iter_mut()
            .next_back()
            .filter(|(_, n)| n.bytes + total < max_bytes && (max_entries == 0 || n.items.len() < max_entries));
        let full = tail.is_none();
        if full {
            // The node that was the tail is shrunk to fit.
            if let Some((_, old)) = self.nodes.iter_mut().next_back() {
                old.alloc = old.bytes;
            }
        }
        let node = match self.nodes.iter_mut().next_back().filter(|_| !full) {
            Some((_, n)) => n,
            None => {
                let mut master = Vec::new();
                for n in &names {
                    write_varint(&mut master, n.len() as u64);
                    master.extend_from_slice(n);
                }
                // Header: listpack header and end, count, deleted, the
                // master fields, their number and terminator.
                let bytes = 7
                    + 2
                    + 2
                    + listpack::int(names.len() as i64)
                    + names.iter().map(|n| listpack::element(n)).sum::<usize>()
                    + 2;
                self.nodes.entry(id).or_insert(Node {
                    items: Vec::new(),
                    live: 0,
                    bytes,
                    alloc: prealloc,
                    master: master.into_boxed_slice(),
                })
            }
        };
        let master_id = node.items.first().map_or(id, |it| it.id);
        let same = Fields { rest: &node.master }.eq(names.iter().copied());
        let ms_delta = id.ms.wrapping_sub(master_id.ms) as i64;
        let seq_delta = id.seq.wrapping_sub(master_id.seq) as i64;
        let mut size = 2 + listpack::int(ms_delta) + listpack::int(seq_delta) + 2;
        if !same {
            size += listpack::int(names.len() as i64) + names.iter().map(|n| listpack::element(n)).sum::<usize>();
        }
        size += fields.iter().skip(1).step_by(2).map(|v| listpack::element(v)).sum::<usize>();
        node.bytes += size;
        node.alloc = node.alloc.max(node.bytes);
        node.items.push(Item { id, deleted: false, data: pack(fields) });
        node.live += 1;
        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
        Ok(())
    }

    /// Live entries from `start` to `end` inclusive, forward or reversed.
    pub fn range(
        &self,
        start: StreamId,
        end: StreamId,
        rev: bool,
    ) -> Box<dyn Iterator<Item = (StreamId, Fields<'_>)> + '_> {
        if start > end {
            return Box::new(std::iter::empty());
        }
        let from = self.nodes.range(..=start).next_back().map_or(StreamId::MIN, |(k, _)| *k);
        let nodes = self.nodes.range(from..=end).map(|(_, n)| n);
        fn live(it: &&Item) -> bool {
            !it.deleted
        }
        fn out(it: &Item) -> (StreamId, Fields<'_>) {
            (it.id, it.fields())
        }
        if rev {
            Box::new(
                nodes
                    .rev()
                    .flat_map(|n| n.items.iter().rev())
                    .filter(live)
                    .skip_while(move |it| it.id > end)
                    .take_while(move |it| it.id >= start)
                    .map(out),
            )
        } else {
            Box::new(
                nodes
                    .flat_map(|n| n.items.iter())
                    .filter(live)
                    .skip_while(move |it| it.id < start)
                    .take_while(move |it| it.id <= end)
                    .map(out),
            )
        }
    }

    /// The fields of the live entry `id`.
    pub fn get(&self, id: StreamId) -> Option<Fields<'_>> {
        let (_, node) = self.nodes.range(..=id).next_back()?;
        let it = &node.items[node.find(id)?];
        (!it.deleted).then(|| it.fields())
    }

    pub fn contains(&self, id: StreamId) -> bool {
        self.get(id).is_some()
    }

    /// The first (or last) live entry's ID.
    pub fn edge_id(&self, first: bool) -> Option<StreamId> {
        let mut all = self.range(StreamId::MIN, StreamId::MAX, !first);
        all.next().map(|(id, _)| id)
    }

    /// The first entry's ID counting deleted ones still in their node (what
    /// Redis writes for a trimmed MINID).
    pub fn first_stored_id(&self) -> StreamId {
        self.nodes.values().next().and_then(|n| n.items.first()).map_or(StreamId::MIN, |it| it.id)
    }

    /// Marks entry `id` deleted (its node goes when it was the node's last
    /// live entry). Only the entry counters change: XDEL's bookkeeping of
    /// first and largest deleted IDs is [`Log::delete`]'s.
    fn remove_entry(&mut self, id: StreamId) -> bool {
        let Some((&key, node)) = self.nodes.range_mut(..=id).next_back() else { return false };
        let Some(i) = node.find(id) else { return false };
        if node.items[i].deleted {
            return false;
        }
        if node.live == 1 {
            self.nodes.remove(&key);
        } else {
            node.items[i].deleted = true;
            node.live -= 1;
        }
        self.length -= 1;
        true
    }

    /// XDEL: deletes the entries `ids`, keeping the first and largest
    /// deleted IDs; returns how many there were.
    pub fn delete(&mut self, ids: &[StreamId]) -> u64 {
        let mut deleted = 0;
        let mut first = false;
        for &id in ids {
            if self.remove_entry(id) {
                first |= id == self.first_id;
                if id > self.max_deleted_entry_id {
                    self.max_deleted_entry_id = id;
                }
                deleted += 1;
            }
        }
        if deleted > 0 {
            if self.length == 0 {
                self.first_id = StreamId::MIN;
            } else if first {
                self.first_id = self.edge_id(true).unwrap_or(StreamId::MAX);
            }
        }
        deleted
    }

    /// Trims from the oldest entries: whole nodes while they can go, then
    /// (unless `approx`) entries of the next node. `limit` (0 = none)
    /// bounds the entries removed. Returns how many were.
    pub fn trim(&mut self, how: Trim, approx: bool, limit: u64) -> u64 {
        let mut deleted = 0u64;
        while let Some(mut e) = self.nodes.first_entry() {
            if let Trim::MaxLen(max) = how {
                if self.length <= max {
                    break;
                }
            }
            let node = e.get_mut();
            let entries = node.live as u64;
            if limit != 0 && deleted + entries > limit {
                break;
            }
            let whole = match how {
                Trim::MaxLen(max) => self.length - entries >= max,
                Trim::MinId(min) => node.items.last().is_some_and(|it| it.id < min),
            };
            if whole {
                e.remove();
                self.length -= entries;
                deleted += entries;
                continue;
            }
            if approx {
                break;
            }
            for it in node.items.iter_mut() {
                let stop = match how {
                    Trim::MaxLen(max) => self.length <= max,
                    Trim::MinId(min) => it.id >= min,
                };
                if stop {
                    break;
                }
                if !it.deleted {
                    it.deleted = true;
                    node.live -= 1;
                    self.length -= 1;
                    deleted += 1;
                }
            }
            break;
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if deleted > 0 {
            self.first_id = self.edge_id(true).unwrap_or(StreamId::MAX);
        }
        deleted
    }

    /// Whether an entry between `start` and `end` may have been deleted
    /// (as Redis judges it: by the largest deleted ID).
    pub fn range_has_tombstones(&self, start: StreamId, end: StreamId) -> bool {
        if self.length == 0 || self.max_deleted_entry_id.is_zero() || self.first_id > self.max_deleted_entry_id {
            return false;
        }
        start <= self.max_deleted_entry_id && self.max_deleted_entry_id <= end
    }

    /// How many entries were added up to and including `id`, when that can
    /// be known (Redis's streamEstimateDistanceFromFirstEverEntry).
    pub fn entries_up_to(&self, id: StreamId) -> Option<u64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if self.length == 0 && id <= self.last_id {
            return Some(self.entries_added);
        }
        if id == self.last_id {
            return Some(self.entries_added);
        }
        if id > self.last_id {
            return None;
        }
        if self.max_deleted_entry_id.is_zero() || self.max_deleted_entry_id < self.first_id {
            if id < self.first_id {
                return Some(self.entries_added.wrapping_sub(self.length));
            }
            if id == self.first_id {
                return Some(self.entries_added.wrapping_sub(self.length).wrapping_add(1));
            }
        }
        None
    }

    /// The allocation each node's listpack would have, in node order.
    pub fn node_allocs(&self) -> impl DoubleEndedIterator<Item = usize> + '_ {
        self.nodes.values().map(|n| n.alloc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    fn add(log: &mut Log, ms: u64, max_entries: usize) {
        let id = log.new_id(Some((StreamId::new(ms, 0), true)), 0).unwrap();
        log.append(id, &[b("f"), b("v")], max_entries, 4096).unwrap();
    }

    #[test]
    fn ids_order_and_step() {
        assert!(StreamId::new(1, 5) < StreamId::new(2, 0));
        assert_eq!(StreamId::new(1, u64::MAX).next(), Some(StreamId::new(2, 0)));
        assert_eq!(StreamId::MAX.next(), None);
        assert_eq!(StreamId::new(2, 0).prev(), Some(StreamId::new(1, u64::MAX)));
        assert_eq!(StreamId::MIN.prev(), None);
        assert_eq!(StreamId::new(3, 4).to_string(), "3-4");
    }

    #[test]
    fn nodes_fill_and_trim_like_redis() {
        let mut log = Log::default();
        for ms in 1..=1000 {
            add(&mut log, ms, 100);
        }
        assert_eq!(log.node_count(), 10);
        assert_eq!(log.trim(Trim::MaxLen(555), true, 10000), 400);
        assert_eq!(log.length, 600);
        assert_eq!(log.trim(Trim::MaxLen(555), false, 0), 45);
        assert_eq!(log.length, 555);
        assert_eq!(log.first_id, StreamId::new(446, 0));
        let ids: Vec<u64> =
            log.range(StreamId::new(446, 0), StreamId::new(448, 0), false).map(|(id, _)| id.ms).collect();
        assert_eq!(ids, vec![446, 447, 448]);
        let rev: Vec<u64> =
            log.range(StreamId::MIN, StreamId::new(448, 0), true).take(2).map(|(id, _)| id.ms).collect();
        assert_eq!(rev, vec![448, 447]);
    }

    #[test]
    fn delete_marks_and_drops_empty_nodes() {
        let mut log = Log::default();
        for ms in 1..=4 {
            add(&mut log, ms, 2);
        }
        assert_eq!(log.delete(&[StreamId::new(1, 0), StreamId::new(9, 0)]), 1);
        assert_eq!(log.first_id, StreamId::new(2, 0));
        assert_eq!(log.node_count(), 2);
        assert_eq!(log.delete(&[StreamId::new(2, 0)]), 1);
        assert_eq!(log.node_count(), 1);
        assert_eq!(log.max_deleted_entry_id, StreamId::new(2, 0));
        assert!(log.get(StreamId::new(3, 0)).is_some_and(|f| f.eq([&b"f"[..], &b"v"[..]])));
        assert!(!log.contains(StreamId::new(2, 0)));
    }

    #[test]
    fn entries_behind_a_larger_deleted_one() {
        // XADD 1-0, XADD 5-0, XDEL 5-0, XSETID 3-0, XADD 4-0: the node holds
        // 1-0, 5-0 (deleted), 4-0, as Redis's listpack does.
        let mut log = Log::default();
        add(&mut log, 1, 100);
        add(&mut log, 5, 100);
        log.delete(&[StreamId::new(5, 0)]);
        log.last_id = StreamId::new(3, 0);
        add(&mut log, 4, 100);
        let ids = |log: &Log, start: u64, end: u64, rev: bool| -> Vec<u64> {
            log.range(StreamId::new(start, 0), StreamId::new(end, 0), rev).map(|(id, _)| id.ms).collect()
        };
        assert_eq!(ids(&log, 2, 4, false), vec![4]);
        assert_eq!(ids(&log, 0, 9, true), vec![4, 1]);
        assert!(log.contains(StreamId::new(4, 0)));
        assert_eq!(log.delete(&[StreamId::new(4, 0)]), 1);
        assert_eq!(ids(&log, 0, 9, false), vec![1]);
    }

    #[test]
    fn auto_ids() {
        let mut log = Log::default();
        assert_eq!(log.new_id(None, 5), Ok(StreamId::new(5, 0)));
        log.last_id = StreamId::new(123, 456);
        assert_eq!(log.new_id(Some((StreamId::new(123, 0), false)), 0), Ok(StreamId::new(123, 457)));
        assert_eq!(log.new_id(Some((StreamId::new(42, 0), false)), 0), Err(AddError::NotGreater));
        assert_eq!(log.new_id(None, 100), Ok(StreamId::new(123, 457)));
        log.last_id = StreamId::new(1, u64::MAX);
        assert_eq!(log.new_id(Some((StreamId::new(1, 0), false)), 0), Err(AddError::NotGreater));
    }
}
