//! The large sorted set encoding ("skiplist" in OBJECT ENCODING): the
//! members and their scores in a dense hash table (`shard::table::Table`:
//! O(1) score lookups, a SCAN cursor that survives changes), and an
//! order-statistic index over them for ranks and ranges.
//!
//! The index is a list of sorted chunks of (score, table position) — each
//! at most `CHUNK_MAX` long, concatenated they are the whole order — with a
//! Fenwick tree of the chunk sizes: finding an element's chunk is a binary
//! search over the chunks' last elements, a rank is the Fenwick prefix sum
//! of the chunks before plus the position inside the chunk, and the chunk
//! holding a rank is a Fenwick descent — all O(log n). Inserting or
//! removing moves at most one chunk's slots; the Fenwick tree is rebuilt
//! only when chunks split or disappear. When the table moves its last entry
//! into a removed one's place, that entry's slot is found (by its score and
//! member) and repointed.

use super::table::Table;
use super::zset::{cmp_elem, Iter};
use std::cmp::Ordering;

/// A chunk splits in two when it grows beyond this.
const CHUNK_MAX: usize = 256;

/// One element of the order: its score and its position in the table.
type Slot = (f64, u32);

#[derive(Debug, Clone, Default)]
pub struct Index {
    table: Table<f64>,
    chunks: Vec<Vec<Slot>>,
    /// Fenwick tree over `chunks[i].len()`, 1-based (`fen[0]` unused).
    fen: Vec<usize>,
}

impl Index {
    /// An index of elements given in ascending order.
    pub fn from_sorted<'a>(items: impl Iterator<Item = (&'a [u8], f64)>) -> Index {
        let mut t = Index::default();
        let mut chunk = Vec::new();
        for (m, s) in items {
            t.table.insert(m, s);
            chunk.push((s, (t.table.len() - 1) as u32));
            if chunk.len() == CHUNK_MAX / 2 {
                t.chunks.push(std::mem::take(&mut chunk));
            }
        }
        if !chunk.is_empty() {
            t.chunks.push(chunk);
        }
        t.rebuild();
        t
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.table.get(member).copied()
    }

    fn member(&self, pos: u32) -> &[u8] {
        self.table.at(pos as usize).0
    }

    /// Sets a member's score; true when it was added.
    pub fn set(&mut self, member: &[u8], score: f64) -> bool {
        match self.score(member) {
            Some(old) => {
                if old != score {
                    if let Some(cur) = self.table.get_mut(member) {
                        *cur = score;
                    }
                    let (ci, k) = self.locate(old, member);
                    let (_, pos) = self.chunks[ci].remove(k);
                    self.fen_add(ci, false);
                    self.drop_if_empty(ci);
                    self.insert_slot((score, pos), member);
                }
                false
            }
            None => {
                self.table.insert(member, score);
                // The table appends new entries.
                let pos = (self.table.len() - 1) as u32;
                self.insert_slot((score, pos), member);
                true
            }
        }
    }

    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let score = self.score(member)?;
        let (ci, k) = self.locate(score, member);
        let (_, pos) = self.chunks[ci].remove(k);
        self.fen_add(ci, false);
        self.drop_if_empty(ci);
        self.remove_entry(pos);
        Some(score)
    }

    /// Removes the table entry at `pos` (its slot already gone), repointing
    /// the slot of the entry the table moves into its place.
    fn remove_entry(&mut self, pos: u32) {
        let last = self.table.len() - 1;
        let moved = (pos as usize != last).then(|| {
            let (m, &s) = self.table.at(last);
            self.locate(s, m)
        });
        self.table.remove_at(pos as usize);
        if let Some((ci, k)) = moved {
            self.chunks[ci][k].1 = pos;
        }
    }

    pub fn rank(&self, member: &[u8]) -> Option<(usize, f64)> {
        let score = self.score(member)?;
        let (ci, k) = self.locate(score, member);
        Some((self.prefix(ci) + k, score))
    }

    pub fn count_while(&self, before: impl Fn(f64, &[u8]) -> bool) -> usize {
        let ci = self.chunks.partition_point(|c| c.last().is_some_and(|&(s, p)| before(s, self.member(p))));
        match self.chunks.get(ci) {
            None => self.len(),
            Some(c) => self.prefix(ci) + c.partition_point(|&(s, p)| before(s, self.member(p))),
        }
    }

    pub fn iter_from(&self, start: usize) -> Iter<'_> {
        let Some((ci, off)) = self.find(start) else { return Box::new(std::iter::empty()) };
        let first = self.chunks[ci][off..].iter();
        let rest = self.chunks[ci + 1..].iter().flatten();
        Box::new(first.chain(rest).map(|&(s, p)| (self.member(p), s)))
    }

    /// One step of ZSCAN: about `count` elements from `cursor` (0 starts)
    /// and the cursor to continue from (0: done).
    pub fn scan(&self, cursor: u64, count: usize) -> (u64, impl Iterator<Item = (&[u8], f64)>) {
        let (next, items) = self.table.scan(cursor, count);
        (next, items.map(|(m, &s)| (m, s)))
    }

    /// Removes the elements of ranks `start..end` (within bounds).
    pub fn remove_range(&mut self, start: usize, end: usize) {
        let Some((mut ci, mut off)) = self.find(start) else { return };
        let mut left = end - start;
        let mut gone = Vec::with_capacity(left);
        while left > 0 && ci < self.chunks.len() {
            let take = left.min(self.chunks[ci].len() - off);
            gone.extend(self.chunks[ci].drain(off..off + take).map(|(_, p)| p));
            left -= take;
            off = 0;
            ci += 1;
        }
        self.chunks.retain(|c| !c.is_empty());
        self.rebuild();
        // From the highest position down, the table's last entry is never
        // one still to remove, so every moved entry has a slot to repoint.
        gone.sort_unstable_by(|a, b| b.cmp(a));
        for pos in gone {
            self.remove_entry(pos);
        }
    }

    /// The chunk and index where (score, member) is or would go.
    fn locate(&self, score: f64, member: &[u8]) -> (usize, usize) {
        let below = |&(s, p): &Slot| cmp_elem(s, self.member(p), score, member) == Ordering::Less;
        let ci = self.chunks.partition_point(|c| c.last().is_some_and(below));
        let ci = ci.min(self.chunks.len().saturating_sub(1));
        let k = self.chunks.get(ci).map_or(0, |c| c.partition_point(below));
        (ci, k)
    }

    fn insert_slot(&mut self, slot: Slot, member: &[u8]) {
        if self.chunks.is_empty() {
            self.chunks.push(Vec::new());
            self.rebuild();
        }
        let (ci, k) = self.locate(slot.0, member);
        self.chunks[ci].insert(k, slot);
        if self.chunks[ci].len() > CHUNK_MAX {
            let tail = self.chunks[ci].split_off(CHUNK_MAX / 2);
            self.chunks.insert(ci + 1, tail);
            self.rebuild();
        } else {
            self.fen_add(ci, true);
        }
    }

    fn drop_if_empty(&mut self, ci: usize) {
        if self.chunks[ci].is_empty() {
            self.chunks.remove(ci);
            self.rebuild();
        }
    }

    fn rebuild(&mut self) {
        let n = self.chunks.len();
        self.fen = vec![0; n + 1];
        for i in 1..=n {
            self.fen[i] += self.chunks[i - 1].len();
            let j = i + (i & i.wrapping_neg());
            if j <= n {
                self.fen[j] += self.fen[i];
            }
        }
    }

    /// Counts one element more (`grow`) or less in chunk `ci`.
    fn fen_add(&mut self, ci: usize, grow: bool) {
        let mut i = ci + 1;
        while i < self.fen.len() {
            if grow {
                self.fen[i] += 1;
            } else {
                self.fen[i] -= 1;
            }
            i += i & i.wrapping_neg();
        }
    }

    /// Elements in chunks `0..ci`.
    fn prefix(&self, ci: usize) -> usize {
        let (mut i, mut sum) = (ci, 0);
        while i > 0 {
            sum += self.fen[i];
            i -= i & i.wrapping_neg();
        }
        sum
    }

    /// The chunk and offset of the element of rank `rank`.
    fn find(&self, rank: usize) -> Option<(usize, usize)> {
        if rank >= self.len() {
            return None;
        }
        let n = self.chunks.len();
        let (mut pos, mut rem) = (0, rank);
        let mut step = n.checked_next_power_of_two().unwrap_or(0);
        while step > 0 {
            if pos + step <= n && self.fen[pos + step] <= rem {
                pos += step;
                rem -= self.fen[pos];
            }
            step >>= 1;
        }
        Some((pos, rem))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reference model: the index must agree with a sorted vector.
    #[test]
    fn agrees_with_a_sorted_vector() {
        let mut t = Index::default();
        let mut model: Vec<(f64, Vec<u8>)> = Vec::new();
        let mut x: u64 = 7;
        let check = |t: &Index, model: &Vec<(f64, Vec<u8>)>| {
            let all: Vec<(Vec<u8>, f64)> = t.iter_from(0).map(|(m, s)| (m.to_vec(), s)).collect();
            let want: Vec<(Vec<u8>, f64)> = model.iter().map(|(s, m)| (m.clone(), *s)).collect();
            assert_eq!(all, want);
            for (i, (s, m)) in model.iter().enumerate().step_by(37) {
                assert_eq!(t.rank(m), Some((i, *s)));
                assert_eq!(t.score(m), Some(*s));
            }
        };
        for step in 0..20_000u64 {
            x = crate::server::shared::splitmix(x);
            let m = format!("m{}", x % 3000).into_bytes();
            let s = ((x >> 20) % 500) as f64;
            if step % 3 == 0 {
                assert_eq!(t.remove(&m), model.iter().position(|(_, e)| *e == m).map(|i| model.remove(i).0));
            } else {
                let added = t.set(&m, s);
                let had = model.iter().position(|(_, e)| *e == m);
                assert_eq!(added, had.is_none());
                if let Some(i) = had {
                    model.remove(i);
                }
                model.push((s, m.clone()));
                model.sort_by(|a, b| cmp_elem(a.0, &a.1, b.0, &b.1));
            }
            if step % 997 == 0 {
                check(&t, &model);
                let below = model.iter().filter(|(s, _)| *s < 250.0).count();
                assert_eq!(t.count_while(|s, _| s < 250.0), below);
            }
        }
        let n = t.len();
        t.remove_range(10, n - 10);
        model.drain(10..n - 10);
        assert_eq!(t.len(), model.len());
        check(&t, &model);
    }

    #[test]
    fn scan_returns_every_member_despite_changes() {
        let mut t = Index::default();
        for i in 0..1000 {
            t.set(format!("m{i}").as_bytes(), (i % 7) as f64);
        }
        let (mut cursor, mut seen) = (0, std::collections::HashSet::new());
        let mut round = 0;
        loop {
            let (next, items) = t.scan(cursor, 10);
            seen.extend(items.map(|(m, _)| m.to_vec()));
            // Meanwhile, members outside the checked range come and go.
            t.remove(format!("m{}", 900 + round % 100).as_bytes());
            t.set(format!("x{round}").as_bytes(), 1.0);
            round += 1;
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        assert!((0..900).all(|i| seen.contains(format!("m{i}").as_bytes())));
    }
}
