//! The hash table of big hashes and sets: byte-string keys with a value
//! each, kept in a dense vector, plus an index (a SwissTable of positions,
//! hashed with ahash) from key to position.
//!
//! Density gives what Redis's commands need from a big collection: a
//! uniformly random entry in O(1) (SRANDMEMBER, SPOP, HRANDFIELD) and a
//! SCAN cursor that holds through inserts and deletes. Removing an entry
//! moves the last one into its place; a scan walks positions downward from
//! the end, so a move only ever brings an already visited entry to a
//! position still to visit (a repeat, which SCAN allows) and every entry
//! present from the first call to the last is returned.

use ahash::RandomState;
use hashbrown::HashTable;

/// Keys (distinct byte strings) with a value each.
#[derive(Clone)]
pub struct Table<V> {
    entries: Vec<(Box<[u8]>, V)>,
    index: HashTable<u32>,
    hasher: RandomState,
}

impl<V> Default for Table<V> {
    fn default() -> Self {
        Table { entries: Vec::new(), index: HashTable::new(), hasher: RandomState::new() }
    }
}

impl<V> Table<V> {
    pub fn with_capacity(n: usize) -> Self {
        Table { entries: Vec::with_capacity(n), index: HashTable::with_capacity(n), ..Default::default() }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &[u8]) -> Option<usize> {
        let entries = &self.entries;
        self.index.find(self.hasher.hash_one(key), |&i| &*entries[i as usize].0 == key).map(|&i| i as usize)
    }

    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.position(key).map(|i| &mut self.entries[i].1)
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key` to `value`: the old value when the key was there.
    pub fn insert(&mut self, key: &[u8], value: V) -> Option<V> {
        if let Some(i) = self.position(key) {
            return Some(std::mem::replace(&mut self.entries[i].1, value));
        }
        let Table { entries, index, hasher } = self;
        let at = entries.len() as u32;
        entries.push((key.into(), value));
        index.insert_unique(hasher.hash_one(key), at, |&i| hasher.hash_one(&*entries[i as usize].0));
        None
    }

    /// Removes `key`: its value when it was there.
    pub fn remove(&mut self, key: &[u8]) -> Option<V> {
        let i = self.position(key)?;
        Some(self.remove_at(i).1)
    }

    /// Removes the entry at `i` (`i < len`), moving the last one there.
    pub fn remove_at(&mut self, i: usize) -> (Box<[u8]>, V) {
        let Table { entries, index, hasher } = self;
        if let Ok(slot) = index.find_entry(hasher.hash_one(&*entries[i].0), |&p| p as usize == i) {
            slot.remove();
        }
        let last = entries.len() - 1;
        if i != last {
            if let Some(p) = index.find_mut(hasher.hash_one(&*entries[last].0), |&p| p as usize == last) {
                *p = i as u32;
            }
        }
        let gone = entries.swap_remove(i);
        if entries.capacity() > 64 && entries.len() < entries.capacity() / 8 {
            entries.shrink_to_fit();
            index.shrink_to_fit(|&p| hasher.hash_one(&*entries[p as usize].0));
        }
        gone
    }

    /// The entry at position `i` (`i < len`): positions are dense, so a
    /// uniform random position is a uniform random entry.
    pub fn at(&self, i: usize) -> (&[u8], &V) {
        let (k, v) = &self.entries[i];
        (k, v)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &V)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    /// One step of a SCAN: about `count` entries below the cursor (0
    /// starts at the end) and the cursor to continue from (0: done).
    pub fn scan(&self, cursor: u64, count: usize) -> (u64, impl Iterator<Item = (&[u8], &V)>) {
        let end = if cursor == 0 { self.len() } else { self.len().min(cursor as usize) };
        let start = end.saturating_sub(count.max(1));
        (start as u64, self.entries[start..end].iter().rev().map(|(k, v)| (&**k, v)))
    }
}

impl<V: PartialEq> PartialEq for Table<V> {
    fn eq(&self, o: &Self) -> bool {
        self.len() == o.len() && self.iter().all(|(k, v)| o.get(k) == Some(v))
    }
}

impl<V: std::fmt::Debug> std::fmt::Debug for Table<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter().map(|(k, v)| (String::from_utf8_lossy(k), v))).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_get_remove_keep_the_index_right() {
        let mut t = Table::default();
        for i in 0..1000u32 {
            assert_eq!(t.insert(i.to_string().as_bytes(), i), None);
        }
        assert_eq!(t.insert(b"7", 70), Some(7));
        for i in (0..1000u32).step_by(3) {
            assert!(t.remove(i.to_string().as_bytes()).is_some());
        }
        assert_eq!(t.len(), 666);
        for i in 0..1000u32 {
            let want = (i % 3 != 0).then_some(if i == 7 { 70 } else { i });
            assert_eq!(t.get(i.to_string().as_bytes()).copied(), want, "{i}");
        }
        while !t.is_empty() {
            t.remove_at(0);
        }
        assert_eq!(t.get(b"1"), None);
    }

    #[test]
    fn scan_returns_what_stays_despite_deletes() {
        let mut t = Table::default();
        for i in 0..200u32 {
            t.insert(i.to_string().as_bytes(), ());
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        let mut steps = 0;
        loop {
            let (next, items) = t.scan(cursor, 10);
            seen.extend(items.map(|(k, _)| k.to_vec()));
            cursor = next;
            steps += 1;
            if steps == 3 {
                for i in 100..200u32 {
                    t.remove(i.to_string().as_bytes());
                }
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..100u32 {
            assert!(seen.contains(i.to_string().as_bytes()), "{i} missing");
        }
    }
}
