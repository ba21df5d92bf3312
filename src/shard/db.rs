//! One logical database (SELECT n) of one shard: a table per hash slot, so
//! slot-level work (count, scan, migrate, flush) costs in proportion to that
//! slot's keys.

use super::compact::CompactBytes;
use super::slot::{key_slot, SLOTS};
use super::value::{Entry, Value};
use bytes::Bytes;
use std::collections::HashMap;

/// Keys are `CompactBytes`: a key of up to 22 bytes costs no allocation.
type Table = HashMap<CompactBytes, Entry, ahash::RandomState>;

/// The keys of one slot.
#[derive(Default)]
pub struct SlotTable {
    pub map: Table,
    /// How many entries of `map` have an expiry.
    pub volatile: usize,
}

/// A database: per-slot tables, created on first use.
pub struct Db {
    slots: Vec<Option<Box<SlotTable>>>,
    keys: usize,
    volatile: usize,
    hasher: ahash::RandomState,
}

impl Default for Db {
    fn default() -> Self {
        Db { slots: Vec::new(), keys: 0, volatile: 0, hasher: ahash::RandomState::new() }
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

    fn table_mut(&mut self, slot: u16) -> Option<&mut SlotTable> {
        self.slots.get_mut(slot as usize).and_then(|t| t.as_deref_mut())
    }

    fn table_or_create(&mut self, slot: u16) -> &mut SlotTable {
        if self.slots.is_empty() {
            self.slots.resize_with(SLOTS, || None);
        }
        let hasher = &self.hasher;
        self.slots[slot as usize]
            .get_or_insert_with(|| Box::new(SlotTable { map: Table::with_hasher(hasher.clone()), volatile: 0 }))
    }

    /// The live entry of `key`; an expired entry is deleted and not returned.
    pub fn get(&mut self, key: &[u8], now_ms: u64) -> Option<&mut Entry> {
        let slot = key_slot(key);
        let expired = self.table(slot)?.map.get(key)?.is_expired(now_ms);
        if expired && !super::expire::loading() {
            if !super::expire::expiry_paused(now_ms) {
                self.remove(key);
            }
            return None;
        }
        self.table_mut(slot)?.map.get_mut(key)
    }

    /// Whether `key` exists and is not expired, without deleting it.
    pub fn peek(&self, key: &[u8], now_ms: u64) -> Option<&Entry> {
        let e = self.table(key_slot(key))?.map.get(key)?;
        (!e.is_expired(now_ms) || super::expire::loading()).then_some(e)
    }

    /// Inserts or replaces `key`, returning the previous entry.
    pub fn insert(&mut self, key: impl Into<CompactBytes>, entry: Entry) -> Option<Entry> {
        let key = key.into();
        let slot = key_slot(&key);
        let vol = entry.expire != 0;
        let old = self.table_or_create(slot).map.insert(key, entry);
        self.count_volatile(slot, old.as_ref().is_some_and(|o| o.expire != 0), vol);
        if old.is_none() {
            self.keys += 1;
        }
        old
    }

    /// Keeps the volatile-key counters right when a key of `slot` goes from
    /// having an expiry (`was`) to having one (`is`) or not.
    fn count_volatile(&mut self, slot: u16, was: bool, is: bool) {
        if was == is {
            return;
        }
        let Some(t) = self.slots.get_mut(slot as usize).and_then(|t| t.as_deref_mut()) else { return };
        if is {
            t.volatile += 1;
            self.volatile += 1;
        } else {
            t.volatile -= 1;
            self.volatile -= 1;
        }
    }

    /// Sets a value, keeping nothing of the old entry (its expiry included).
    pub fn set(&mut self, key: impl Into<CompactBytes>, value: Value) -> Option<Entry> {
        self.insert(key, Entry::new(value))
    }

    /// Removes `key`, returning its entry (expired or not).
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let slot = key_slot(key);
        let t = self.slots.get_mut(slot as usize)?.as_deref_mut()?;
        let old = t.map.remove(key)?;
        if old.expire != 0 {
            t.volatile -= 1;
            self.volatile -= 1;
        }
        self.keys -= 1;
        if t.map.is_empty() {
            self.slots[slot as usize] = None;
        }
        Some(old)
    }

    /// Sets or clears (0) the expiry of an existing key; false if missing.
    pub fn set_expire(&mut self, key: &[u8], at_ms: u64) -> bool {
        let slot = key_slot(key);
        let Some(e) = self.slots.get_mut(slot as usize).and_then(|t| t.as_deref_mut()).and_then(|t| t.map.get_mut(key))
        else {
            return false;
        };
        let was = e.expire != 0;
        e.expire = at_ms;
        self.count_volatile(slot, was, at_ms != 0);
        true
    }

    /// Removes every key.
    pub fn clear(&mut self) {
        self.slots.clear();
        self.keys = 0;
        self.volatile = 0;
    }

    /// Number of keys in `slot`.
    pub fn slot_len(&self, slot: u16) -> usize {
        self.table(slot).map_or(0, |t| t.map.len())
    }

    /// The entries of one slot.
    pub fn slot_entries(&self, slot: u16) -> impl Iterator<Item = (&CompactBytes, &Entry)> {
        self.table(slot).into_iter().flat_map(|t| t.map.iter())
    }

    /// Every entry, slot by slot.
    pub fn entries(&self) -> impl Iterator<Item = (&CompactBytes, &Entry)> {
        self.slots.iter().flatten().flat_map(|t| t.map.iter())
    }

    /// Slot numbers that hold keys with an expiry, from `from` on.
    pub fn next_volatile_slot(&self, from: usize) -> Option<usize> {
        (from..self.slots.len()).find(|&s| self.slots[s].as_ref().is_some_and(|t| t.volatile > 0))
    }

    /// Deletes the expired keys of `slot`, telling `deleted` each one;
    /// returns (examined, deleted).
    pub fn expire_slot(&mut self, slot: usize, now_ms: u64, deleted_key: &mut dyn FnMut(&[u8])) -> (usize, usize) {
        let Some(t) = self.slots.get_mut(slot).and_then(|t| t.as_deref_mut()) else {
            return (0, 0);
        };
        let examined = t.volatile;
        let before = t.map.len();
        let mut removed_vol = 0;
        t.map.retain(|k, e| {
            let dead = e.is_expired(now_ms);
            if dead {
                deleted_key(k);
            }
            removed_vol += dead as usize;
            !dead
        });
        let deleted = before - t.map.len();
        t.volatile -= removed_vol;
        self.volatile -= removed_vol;
        self.keys -= deleted;
        if t.map.is_empty() {
            self.slots[slot] = None;
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
                let k = (rand >> 14) as usize % t.map.len();
                return t.map.keys().nth(k).map(CompactBytes::to_bytes);
            }
        }
        None
    }

    /// Moves every entry out, leaving the database empty (start-up
    /// loading hands the keys to their shards).
    pub fn drain(&mut self) -> impl Iterator<Item = (CompactBytes, Entry)> {
        self.keys = 0;
        self.volatile = 0;
        std::mem::take(&mut self.slots).into_iter().flatten().flat_map(|t| t.map.into_iter())
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
