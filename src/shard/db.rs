//! One logical database (SELECT n) of one shard: a table per hash slot, so
//! slot-level work (count, scan, migrate, flush) costs in proportion to that
//! slot's keys.
//!
//! A slot's table keeps its entries (key and `Entry`) dense in one vector,
//! grown a quarter (at least one entry) at a time, so it stays over 80%
//! full. Past `LINEAR_MAX` keys an index finds them: a SwissTable of 4-byte
//! positions into the vector, hashed with the database's ahash state; up to
//! that a lookup compares the few keys in turn, which costs no index at all
//! (a keyspace of 100k keys has about six a slot). Against a table of whole
//! 64-byte entries, which would sit half empty, this halves the fixed cost
//! of a key. Removing an entry moves the slot's last entry into its place.
//! Slot walks (SCAN, KEYS, snapshots) take whole slots, so the order within
//! one does not matter to them.

use super::compact::CompactBytes;
use super::slot::{key_slot, SLOTS};
use super::value::{Entry, Value};
use ahash::RandomState;
use bytes::Bytes;
use hashbrown::HashTable;

/// Up to this many keys a slot has no index.
const LINEAR_MAX: usize = 8;

/// The keys of one slot.
#[derive(Default)]
struct SlotTable {
    /// Dense: every element is a live (or not yet collected expired) key.
    entries: Vec<(CompactBytes, Entry)>,
    /// Positions in `entries`, found by the key's hash; empty (and not
    /// allocated) while the slot has at most `LINEAR_MAX` keys.
    index: HashTable<u32>,
}

fn hash_of(hasher: &RandomState, e: &(CompactBytes, Entry)) -> u64 {
    hasher.hash_one(e.0.as_bytes())
}

impl SlotTable {
    fn position(&self, hasher: &RandomState, key: &[u8]) -> Option<usize> {
        let entries = &self.entries;
        if self.index.is_empty() {
            return entries.iter().position(|(k, _)| k.as_bytes() == key);
        }
        self.index.find(hasher.hash_one(key), |&i| entries[i as usize].0.as_bytes() == key).map(|&i| i as usize)
    }

    /// Appends a key known to be absent.
    fn push(&mut self, hasher: &RandomState, key: CompactBytes, entry: Entry) {
        let SlotTable { entries, index } = self;
        if entries.len() == entries.capacity() {
            entries.reserve_exact((entries.len() / 4).max(1));
        }
        entries.push((key, entry));
        let last = entries.len() - 1;
        if !index.is_empty() {
            index.insert_unique(hash_of(hasher, &entries[last]), last as u32, |&i| {
                hash_of(hasher, &entries[i as usize])
            });
        } else if entries.len() > LINEAR_MAX {
            let mut built = HashTable::with_capacity(entries.len());
            for (i, e) in entries.iter().enumerate() {
                built.insert_unique(hash_of(hasher, e), i as u32, |&i| hash_of(hasher, &entries[i as usize]));
            }
            *index = built;
        }
    }

    /// Removes the entry at `i` (`i < len`), moving the last one there.
    fn remove_at(&mut self, hasher: &RandomState, i: usize) -> (CompactBytes, Entry) {
        let SlotTable { entries, index } = self;
        let last = entries.len() - 1;
        if !index.is_empty() {
            if let Ok(slot) = index.find_entry(hash_of(hasher, &entries[i]), |&p| p as usize == i) {
                slot.remove();
            }
            if i != last {
                if let Some(p) = index.find_mut(hash_of(hasher, &entries[last]), |&p| p as usize == last) {
                    *p = i as u32;
                }
            }
        }
        let gone = entries.swap_remove(i);
        if entries.len() <= LINEAR_MAX / 2 {
            *index = HashTable::new();
        }
        if entries.capacity() - entries.len() > entries.len() / 2 + 1 {
            entries.shrink_to(entries.len() + entries.len() / 4);
            if !index.is_empty() {
                index.shrink_to(entries.len(), |&p| hash_of(hasher, &entries[p as usize]));
            }
        }
        gone
    }
}

/// A database: per-slot tables, created on first use.
pub struct Db {
    slots: Vec<Option<Box<SlotTable>>>,
    /// Keys with an expiry per slot (allocated with the first such key).
    slot_volatile: Vec<u32>,
    keys: usize,
    volatile: usize,
    hasher: RandomState,
}

impl Default for Db {
    fn default() -> Self {
        Db { slots: Vec::new(), slot_volatile: Vec::new(), keys: 0, volatile: 0, hasher: RandomState::new() }
    }
}

impl Db {
    /// Number of keys (expired ones not yet removed included, as Redis).
    pub fn len(&self) -> usize {
        self.keys
    }

    pub fn is_empty(&self) -> bool {
        self.keys == 0
    }

    /// Number of keys with an expiry.
    pub fn volatile(&self) -> usize {
        self.volatile
    }

    fn table(&self, slot: u16) -> Option<&SlotTable> {
        self.slots.get(slot as usize).and_then(|t| t.as_deref())
    }

    /// Keeps the volatile-key counters right when a key of `slot` goes from
    /// having an expiry (`was`) to having one (`is`) or not.
    fn count_volatile(&mut self, slot: usize, was: bool, is: bool) {
        if was == is {
            return;
        }
        if self.slot_volatile.is_empty() {
            self.slot_volatile.resize(SLOTS, 0);
        }
        if is {
            self.slot_volatile[slot] += 1;
            self.volatile += 1;
        } else {
            self.slot_volatile[slot] -= 1;
            self.volatile -= 1;
        }
    }

    /// The live entry of `key`; an expired entry is deleted and not returned.
    pub fn get(&mut self, key: &[u8], now_ms: u64) -> Option<&mut Entry> {
        let slot = key_slot(key) as usize;
        let t = self.slots.get_mut(slot)?.as_deref_mut()?;
        let i = t.position(&self.hasher, key)?;
        if t.entries[i].1.is_expired(now_ms) && !super::expire::loading() {
            if !super::expire::expiry_paused(now_ms) {
                self.remove_in(slot, i);
            }
            return None;
        }
        // Borrowed again: returning from the first borrow would keep `self`
        // borrowed on the path that removes.
        self.slots[slot].as_deref_mut().map(|t| &mut t.entries[i].1)
    }

    /// Whether `key` exists and is not expired, without deleting it.
    pub fn peek(&self, key: &[u8], now_ms: u64) -> Option<&Entry> {
        let t = self.table(key_slot(key))?;
        let e = &t.entries[t.position(&self.hasher, key)?].1;
        (!e.is_expired(now_ms) || super::expire::loading()).then_some(e)
    }

    /// Inserts or replaces `key`, returning the previous entry.
    pub fn insert(&mut self, key: impl Into<CompactBytes>, entry: Entry) -> Option<Entry> {
        let key = key.into();
        let slot = key_slot(&key) as usize;
        if self.slots.is_empty() {
            self.slots.resize_with(SLOTS, || None);
        }
        let t = self.slots[slot].get_or_insert_with(Box::default);
        let is = entry.expire != 0;
        let (was, old) = match t.position(&self.hasher, &key) {
            Some(i) => {
                let old = std::mem::replace(&mut t.entries[i].1, entry);
                (old.expire != 0, Some(old))
            }
            None => {
                t.push(&self.hasher, key, entry);
                self.keys += 1;
                (false, None)
            }
        };
        self.count_volatile(slot, was, is);
        old
    }

    /// Sets a value, keeping nothing of the old entry (its expiry included).
    pub fn set(&mut self, key: impl Into<CompactBytes>, value: Value) -> Option<Entry> {
        self.insert(key, Entry::new(value))
    }

    /// Removes the entry at position `i` of `slot`, dropping the slot's
    /// table when it empties.
    fn remove_in(&mut self, slot: usize, i: usize) -> Option<Entry> {
        let t = self.slots.get_mut(slot)?.as_deref_mut()?;
        let (_, old) = t.remove_at(&self.hasher, i);
        if t.entries.is_empty() {
            self.slots[slot] = None;
        }
        self.keys -= 1;
        self.count_volatile(slot, old.expire != 0, false);
        Some(old)
    }

    /// Removes `key`, returning its entry (expired or not).
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let slot = key_slot(key);
        let i = self.table(slot)?.position(&self.hasher, key)?;
        self.remove_in(slot as usize, i)
    }

    /// Sets or clears (0) the expiry of an existing key; false if missing.
    pub fn set_expire(&mut self, key: &[u8], at_ms: u64) -> bool {
        let slot = key_slot(key) as usize;
        let Some(t) = self.slots.get_mut(slot).and_then(|t| t.as_deref_mut()) else {
            return false;
        };
        let Some(i) = t.position(&self.hasher, key) else {
            return false;
        };
        let was = std::mem::replace(&mut t.entries[i].1.expire, at_ms) != 0;
        self.count_volatile(slot, was, at_ms != 0);
        true
    }

    /// Removes every key.
    pub fn clear(&mut self) {
        self.slots.clear();
        self.slot_volatile.clear();
        self.keys = 0;
        self.volatile = 0;
    }

    /// Number of keys in `slot`.
    pub fn slot_len(&self, slot: u16) -> usize {
        self.table(slot).map_or(0, |t| t.entries.len())
    }

    /// The entries of one slot.
    pub fn slot_entries(&self, slot: u16) -> impl Iterator<Item = (&CompactBytes, &Entry)> {
        self.table(slot).into_iter().flat_map(|t| t.entries.iter().map(|(k, e)| (k, e)))
    }

    /// Every entry, slot by slot.
    pub fn entries(&self) -> impl Iterator<Item = (&CompactBytes, &Entry)> {
        self.slots.iter().flatten().flat_map(|t| t.entries.iter().map(|(k, e)| (k, e)))
    }

    /// Slot numbers that hold keys with an expiry, from `from` on.
    pub fn next_volatile_slot(&self, from: usize) -> Option<usize> {
        (from..self.slot_volatile.len()).find(|&s| self.slot_volatile[s] > 0)
    }

    /// Deletes the expired keys of `slot`, telling `deleted_key` each one;
    /// returns (examined, deleted).
    pub fn expire_slot(&mut self, slot: usize, now_ms: u64, deleted_key: &mut dyn FnMut(&[u8])) -> (usize, usize) {
        let Some(t) = self.slots.get_mut(slot).and_then(|t| t.as_deref_mut()) else {
            return (0, 0);
        };
        let examined = self.slot_volatile.get(slot).map_or(0, |&n| n as usize);
        let mut deleted = 0;
        // Downward, so the entry `remove_at` moves into place was checked.
        for i in (0..t.entries.len()).rev() {
            if t.entries[i].1.is_expired(now_ms) {
                let (k, _) = t.remove_at(&self.hasher, i);
                deleted_key(&k);
                deleted += 1;
            }
        }
        if t.entries.is_empty() {
            self.slots[slot] = None;
        }
        self.keys -= deleted;
        self.volatile -= deleted;
        if let Some(n) = self.slot_volatile.get_mut(slot) {
            *n -= deleted as u32;
        }
        (examined, deleted)
    }

    /// A random key, or None when empty. Expired keys may be returned; the
    /// caller checks and retries as Redis does.
    pub fn random_key(&self, rand: u64) -> Option<Bytes> {
        if self.keys == 0 {
            return None;
        }
        let n = self.slots.len();
        let start = (rand % n as u64) as usize;
        for i in 0..n {
            if let Some(t) = &self.slots[(start + i) % n] {
                let k = (rand >> 14) as usize % t.entries.len();
                return Some(t.entries[k].0.to_bytes());
            }
        }
        None
    }

    /// Moves every entry out, leaving the database empty (start-up
    /// loading hands the keys to their shards).
    pub fn drain(&mut self) -> impl Iterator<Item = (CompactBytes, Entry)> {
        self.keys = 0;
        self.volatile = 0;
        self.slot_volatile.clear();
        std::mem::take(&mut self.slots).into_iter().flatten().flat_map(|t| t.entries.into_iter())
    }

    /// Moves all slot tables out, leaving the database empty (SWAPDB and
    /// FLUSHALL ASYNC work on whole databases).
    pub fn take(&mut self) -> Db {
        std::mem::take(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::Str(v.into())
    }

    #[test]
    fn insert_get_remove_counts() {
        let mut db = Db::default();
        assert!(db.set(Bytes::from("a"), s("1")).is_none());
        assert!(db.set(Bytes::from("a"), s("2")).is_some());
        db.set(Bytes::from("b"), s("3"));
        assert_eq!(db.len(), 2);
        assert!(db.set_expire(b"b", 1000));
        assert_eq!(db.volatile(), 1);
        assert!(db.get(b"b", 2000).is_none());
        assert_eq!(db.len(), 1);
        assert_eq!(db.volatile(), 0);
        assert_eq!(db.get(b"a", 0).unwrap().value, s("2"));
        assert!(db.remove(b"a").is_some());
        assert!(db.is_empty());
    }

    #[test]
    fn dense_slot_table_survives_churn() {
        let mut db = Db::default();
        let key = |i: u32| Bytes::from(format!("{{s}}{i}"));
        for i in 0..2000 {
            db.set(key(i), s("v"));
        }
        db.set_expire(&key(1), 5);
        for i in (0..2000).step_by(3) {
            assert!(db.remove(&key(i)).is_some());
        }
        for i in 0..2000 {
            assert_eq!(db.peek(&key(i), 0).is_some(), i % 3 != 0, "{i}");
        }
        let slot = key_slot(b"s");
        assert_eq!((db.slot_len(slot), db.slot_entries(slot).count()), (db.len(), db.len()));
        assert_eq!(db.volatile(), 1);
        assert!(db.get(&key(1), 10).is_none(), "expired on access");
        for i in 0..1990 {
            db.remove(&key(i));
        }
        assert_eq!(db.len(), 7);
        for i in 1990..2000 {
            assert_eq!(db.get(&key(i), 0).is_some(), i % 3 != 0, "{i}");
        }
        assert_eq!(db.random_key(12345).map(|k| db.peek(&k, 0).is_some()), Some(true));
    }

    #[test]
    fn expire_slot_removes_only_expired() {
        let mut db = Db::default();
        for i in 0..100 {
            let k = Bytes::from(format!("{{t}}k{i}"));
            db.set(k.clone(), s("v"));
            if i % 2 == 0 {
                db.set_expire(&k, 10);
            }
        }
        let slot = key_slot(b"t") as usize;
        assert_eq!(db.next_volatile_slot(0), Some(slot));
        assert_eq!(db.expire_slot(slot, 20, &mut |_| {}), (50, 50));
        assert_eq!(db.len(), 50);
        assert_eq!(db.volatile(), 0);
        assert_eq!(db.next_volatile_slot(0), None);
    }
}
