//! The large sorted set encoding ("skiplist" in OBJECT ENCODING): a
//! member → score hash for O(1) score lookups, and an order-statistic
//! index for ranks and ranges.
//!
//! The index is a list of sorted chunks (each at most `CHUNK_MAX`
//! elements, concatenated they are the whole order) with a Fenwick tree of
//! the chunk sizes: finding an element's chunk is a binary search over the
//! chunks' last elements, a rank is the Fenwick prefix sum of the chunks
//! before plus the position inside the chunk, and the chunk holding a rank
//! is a Fenwick descent — all O(log n). Inserting or removing moves at
//! most one chunk's elements; the Fenwick tree is rebuilt only when chunks
//! split or disappear. Members are shared between hash and index.

use super::zset::{cmp_elem, Iter};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

/// A chunk splits in two when it grows beyond this.
const CHUNK_MAX: usize = 256;

type Member = Arc<[u8]>;

#[derive(Debug, Clone, Default)]
pub struct Index {
    dict: HashMap<Member, f64, ahash::RandomState>,
    chunks: Vec<Vec<(f64, Member)>>,
    /// Fenwick tree over `chunks[i].len()`, 1-based (`fen[0]` unused).
    fen: Vec<usize>,
}

impl Index {
    /// An index of elements given in ascending order.
    pub fn from_sorted<'a>(items: impl Iterator<Item = (&'a [u8], f64)>) -> Index {
        let mut t = Index::default();
        let mut chunk = Vec::new();
        for (m, s) in items {
            let m: Member = Arc::from(m);
            t.dict.insert(m.clone(), s);
            chunk.push((s, m));
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
        self.dict.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dict.is_empty()
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.dict.get(member).copied()
    }

    /// Sets a member's score; true when it was added.
    pub fn set(&mut self, member: &[u8], score: f64) -> bool {
        match self.dict.get(member).copied() {
            Some(old) => {
                if old != score {
                    if let Some(cur) = self.dict.get_mut(member) {
                        *cur = score;
                    }
                    let (ci, pos) = self.locate(old, member);
                    let (_, m) = self.chunks[ci].remove(pos);
                    self.fen_add(ci, false);
                    self.drop_if_empty(ci);
                    self.insert(score, m);
                }
                false
            }
            None => {
                let m: Member = Arc::from(member);
                self.dict.insert(m.clone(), score);
                self.insert(score, m);
                true
            }
        }
    }

    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let score = self.dict.remove(member)?;
        let (ci, pos) = self.locate(score, member);
        self.chunks[ci].remove(pos);
        self.fen_add(ci, false);
        self.drop_if_empty(ci);
        Some(score)
    }

    pub fn rank(&self, member: &[u8]) -> Option<(usize, f64)> {
        let score = *self.dict.get(member)?;
        let (ci, pos) = self.locate(score, member);
        Some((self.prefix(ci) + pos, score))
    }

    pub fn count_while(&self, before: impl Fn(f64, &[u8]) -> bool) -> usize {
        let ci = self.chunks.partition_point(|c| c.last().is_some_and(|(s, m)| before(*s, m)));
        match self.chunks.get(ci) {
            None => self.len(),
            Some(c) => self.prefix(ci) + c.partition_point(|(s, m)| before(*s, m)),
        }
    }

    pub fn iter_from(&self, start: usize) -> Iter<'_> {
        let Some((ci, off)) = self.find(start) else { return Box::new(std::iter::empty()) };
        let first = self.chunks[ci][off..].iter();
        let rest = self.chunks[ci + 1..].iter().flatten();
        Box::new(first.chain(rest).map(|(s, m)| (&m[..], *s)))
    }

    /// Removes the elements of ranks `start..end` (within bounds).
    pub fn remove_range(&mut self, start: usize, end: usize) {
        let Some((mut ci, mut off)) = self.find(start) else { return };
        let mut left = end - start;
        while left > 0 && ci < self.chunks.len() {
            let take = left.min(self.chunks[ci].len() - off);
            for (_, m) in self.chunks[ci].drain(off..off + take) {
                self.dict.remove(&m);
            }
            left -= take;
            off = 0;
            ci += 1;
        }
        self.chunks.retain(|c| !c.is_empty());
        self.rebuild();
    }

    /// The chunk and position where (score, member) is or would go.
    fn locate(&self, score: f64, member: &[u8]) -> (usize, usize) {
        let below = |s: f64, m: &[u8]| cmp_elem(s, m, score, member) == Ordering::Less;
        let ci = self.chunks.partition_point(|c| c.last().is_some_and(|(s, m)| below(*s, m)));
        let ci = ci.min(self.chunks.len().saturating_sub(1));
        let pos = self.chunks.get(ci).map_or(0, |c| c.partition_point(|(s, m)| below(*s, m)));
        (ci, pos)
    }

    fn insert(&mut self, score: f64, m: Member) {
        if self.chunks.is_empty() {
            self.chunks.push(Vec::new());
            self.rebuild();
        }
        let (ci, pos) = self.locate(score, &m);
        self.chunks[ci].insert(pos, (score, m));
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
                let all: Vec<(Vec<u8>, f64)> = t.iter_from(0).map(|(m, s)| (m.to_vec(), s)).collect();
                let want: Vec<(Vec<u8>, f64)> = model.iter().map(|(s, m)| (m.clone(), *s)).collect();
                assert_eq!(all, want);
                for (i, (s, m)) in model.iter().enumerate().step_by(37) {
                    assert_eq!(t.rank(m), Some((i, *s)));
                    assert_eq!(t.iter_from(i).next().map(|(m, _)| m.to_vec()), Some(m.clone()));
                }
                let below = model.iter().filter(|(s, _)| *s < 250.0).count();
                assert_eq!(t.count_while(|s, _| s < 250.0), below);
            }
        }
        let n = t.len();
        t.remove_range(10, n - 10);
        model.drain(10..n - 10);
        assert_eq!(t.len(), model.len());
        assert_eq!(
            t.iter_from(0).map(|(m, _)| m.to_vec()).collect::<Vec<_>>(),
            model.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>()
        );
    }
}
