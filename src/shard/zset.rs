//! Sorted set values (ZADD, ZRANGE, GEOADD ...): members ordered by
//! (score, member bytes), in one of two encodings as Redis 7.0 reports
//! them through OBJECT ENCODING:
//!
//! * "listpack": while the set has at most zset-max-listpack-entries
//!   members of at most zset-max-listpack-value bytes, one packed byte
//!   buffer (`Packed`), scanned linearly — a handful of bytes per member.
//! * "skiplist": beyond that, a member → score hash plus an order-statistic
//!   index (`zset_index::Index`), so score/rank lookups and ranges are
//!   O(log n).
//!
//! Every query is expressed in ranks (positions in the order): score and
//! lexicographic bounds become "how many members come before", so ranges,
//! counts, LIMIT and reverse order are rank arithmetic for both encodings.

use super::zset_index::Index;
use bytes::Bytes;
use std::cmp::Ordering;

/// The encoding thresholds a sorted set follows (from the settings).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// zset-max-listpack-entries.
    pub entries: usize,
    /// zset-max-listpack-value.
    pub value: usize,
}

/// The order of sorted set elements: by score, then by member bytes.
#[inline]
pub fn cmp_elem(s1: f64, m1: &[u8], s2: f64, m2: &[u8]) -> Ordering {
    s1.partial_cmp(&s2).unwrap_or(Ordering::Equal).then_with(|| m1.cmp(m2))
}

/// A sorted set value.
#[derive(Debug, Clone)]
pub enum ZSet {
    Packed(Packed),
    Index(Box<Index>),
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet::Packed(Packed::default())
    }
}

impl PartialEq for ZSet {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

/// A forward walk over (member, score) pairs.
pub type Iter<'a> = Box<dyn Iterator<Item = (&'a [u8], f64)> + 'a>;

impl ZSet {
    /// An empty set in the encoding Redis picks for `len` members of at
    /// most `max_member` bytes.
    pub fn with_hint(limits: Limits, len: usize, max_member: usize) -> ZSet {
        if len > limits.entries || max_member > limits.value {
            ZSet::Index(Box::default())
        } else {
            ZSet::Packed(Packed::default())
        }
    }

    pub fn len(&self) -> usize {
        match self {
            ZSet::Packed(p) => p.len(),
            ZSet::Index(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            ZSet::Packed(_) => "listpack",
            ZSet::Index(_) => "skiplist",
        }
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            ZSet::Packed(p) => p.find(member).map(|f| f.score),
            ZSet::Index(t) => t.score(member),
        }
    }

    /// Sets `member`'s score, adding it when new (true). A new member that
    /// no longer fits the compact encoding converts the set first.
    pub fn set(&mut self, member: &[u8], score: f64, limits: Limits) -> bool {
        if let ZSet::Packed(p) = self {
            if let Some(f) = p.find(member) {
                if f.score != score {
                    p.remove_at(f.start, f.end, 1);
                    p.insert(member, score);
                }
                return false;
            }
            if p.len() < limits.entries && member.len() <= limits.value {
                p.insert(member, score);
                return true;
            }
            self.convert_to_index();
        }
        match self {
            ZSet::Index(t) => t.set(member, score),
            ZSet::Packed(_) => false,
        }
    }

    /// Removes `member`, returning its score.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        match self {
            ZSet::Packed(p) => {
                let f = p.find(member)?;
                p.remove_at(f.start, f.end, 1);
                Some(f.score)
            }
            ZSet::Index(t) => t.remove(member),
        }
    }

    /// The 0-based position of `member` in ascending order, and its score.
    pub fn rank(&self, member: &[u8]) -> Option<(usize, f64)> {
        match self {
            ZSet::Packed(p) => p.find(member).map(|f| (f.rank, f.score)),
            ZSet::Index(t) => t.rank(member),
        }
    }

    /// How many leading elements satisfy `before`, a predicate that holds
    /// for a prefix of the order (e.g. "score < min").
    pub fn count_while(&self, before: impl Fn(f64, &[u8]) -> bool) -> usize {
        match self {
            ZSet::Packed(p) => p.iter().take_while(|&(m, s)| before(s, m)).count(),
            ZSet::Index(t) => t.count_while(before),
        }
    }

    /// All elements in ascending order.
    pub fn iter(&self) -> Iter<'_> {
        self.iter_from(0)
    }

    /// The elements from rank `start` on, ascending.
    pub fn iter_from(&self, start: usize) -> Iter<'_> {
        match self {
            ZSet::Packed(p) => Box::new(p.iter().skip(start)),
            ZSet::Index(t) => t.iter_from(start),
        }
    }

    /// The elements of ranks `start..end`, ascending.
    pub fn range(&self, start: usize, end: usize) -> Vec<(&[u8], f64)> {
        if start >= end {
            return Vec::new();
        }
        self.iter_from(start).take(end - start).collect()
    }

    /// The element at `rank`.
    pub fn get(&self, rank: usize) -> Option<(&[u8], f64)> {
        self.iter_from(rank).next()
    }

    /// Removes the elements of ranks `start..end`; returns how many.
    pub fn remove_range(&mut self, start: usize, end: usize) -> usize {
        let end = end.min(self.len());
        if start >= end {
            return 0;
        }
        match self {
            ZSet::Packed(p) => {
                let (from, to) = (p.offset_of(start), p.offset_of(end));
                p.remove_at(from, to, end - start);
            }
            ZSet::Index(t) => t.remove_range(start, end),
        }
        end - start
    }

    /// Removes and returns the lowest (or, with `max`, highest) element.
    pub fn pop(&mut self, max: bool) -> Option<(Bytes, f64)> {
        let rank = if max { self.len().checked_sub(1)? } else { 0 };
        let (m, s) = self.get(rank).map(|(m, s)| (Bytes::copy_from_slice(m), s))?;
        self.remove_range(rank, rank + 1);
        Some((m, s))
    }

    /// A set of elements given in ascending order, in the encoding Redis
    /// gives the results of ZUNIONSTORE and friends: compact when it fits.
    pub fn from_sorted<'a>(limits: Limits, items: impl ExactSizeIterator<Item = (&'a [u8], f64)> + Clone) -> ZSet {
        let fits = items.len() <= limits.entries && items.clone().all(|(m, _)| m.len() <= limits.value);
        if fits {
            ZSet::Packed(Packed::from_sorted(items))
        } else {
            ZSet::Index(Box::new(Index::from_sorted(items)))
        }
    }

    fn convert_to_index(&mut self) {
        if let ZSet::Packed(p) = self {
            let t = Index::from_sorted(p.iter());
            *self = ZSet::Index(Box::new(t));
        }
    }

    /// Bytes of the packed buffer (MEMORY USAGE's listpack estimate).
    pub fn packed_bytes(&self) -> Option<usize> {
        match self {
            ZSet::Packed(p) => Some(p.buf.len()),
            ZSet::Index(_) => None,
        }
    }
}

/// The compact encoding: the member count (LEB128), then the entries back
/// to back, ascending, in one buffer of its exact size. Each entry is a
/// LEB128 header `member length << 2 | score kind`, the score, then the
/// member bytes. A score takes the fewest bytes that hold it exactly: an
/// integer as a zigzag LEB128, else an f32 when that is exact, else the
/// f64 — a few bytes per member, as Redis's listpack. The empty set
/// allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct Packed {
    buf: Box<[u8]>,
}

/// Score kinds in an entry header.
const SCORE_INT: usize = 0;
const SCORE_F32: usize = 1;
const SCORE_F64: usize = 2;

/// Where `Packed::find` found a member.
struct Found {
    start: usize,
    end: usize,
    rank: usize,
    score: f64,
}

/// Reads a LEB128 number at `*i`, advancing it.
fn read_varint(buf: &[u8], i: &mut usize) -> Option<u64> {
    let (mut v, mut shift) = (0u64, 0u32);
    loop {
        let b = *buf.get(*i)?;
        *i += 1;
        v |= ((b & 0x7f) as u64).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
    }
}

fn write_varint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

impl Packed {
    /// The member count and the offset of the first entry.
    fn head(&self) -> (usize, usize) {
        let mut i = 0;
        let n = read_varint(&self.buf, &mut i).unwrap_or(0);
        (n as usize, i)
    }

    fn len(&self) -> usize {
        self.head().0
    }

    /// Decodes the entry at byte `at`: (member, score, next offset).
    fn entry(&self, at: usize) -> Option<(&[u8], f64, usize)> {
        let mut i = at;
        let head = read_varint(&self.buf, &mut i)? as usize;
        let score = match head & 3 {
            SCORE_INT => {
                let z = read_varint(&self.buf, &mut i)?;
                ((z >> 1) as i64 ^ -((z & 1) as i64)) as f64
            }
            SCORE_F32 => {
                let b = self.buf.get(i..i + 4)?;
                i += 4;
                f32::from_le_bytes(b.try_into().ok()?) as f64
            }
            _ => {
                let b = self.buf.get(i..i + 8)?;
                i += 8;
                f64::from_le_bytes(b.try_into().ok()?)
            }
        };
        let len = head >> 2;
        let member = self.buf.get(i..i + len)?;
        Some((member, score, i + len))
    }

    fn iter(&self) -> impl Iterator<Item = (&[u8], f64)> {
        let mut at = self.head().1;
        std::iter::from_fn(move || {
            let (m, s, next) = self.entry(at)?;
            at = next;
            Some((m, s))
        })
    }

    fn find(&self, member: &[u8]) -> Option<Found> {
        let mut at = self.head().1;
        let mut rank = 0;
        while let Some((m, score, next)) = self.entry(at) {
            if m == member {
                return Some(Found { start: at, end: next, rank, score });
            }
            at = next;
            rank += 1;
        }
        None
    }

    /// The byte offset of the entry of rank `rank` (the end for `len`).
    fn offset_of(&self, rank: usize) -> usize {
        let mut at = self.head().1;
        for _ in 0..rank {
            match self.entry(at) {
                Some((_, _, next)) => at = next,
                None => break,
            }
        }
        at
    }

    /// One entry's bytes. A zero score is stored as +0, as Redis's
    /// listpack (which stores "-0" as the integer 0) does.
    fn encode(out: &mut Vec<u8>, member: &[u8], score: f64) {
        let len = (member.len() as u64) << 2;
        if score == 0.0 || (score.fract() == 0.0 && score.abs() < 9007199254740992.0) {
            let v = score as i64;
            write_varint(out, len | SCORE_INT as u64);
            write_varint(out, ((v << 1) ^ (v >> 63)) as u64);
        } else if (score as f32) as f64 == score {
            write_varint(out, len | SCORE_F32 as u64);
            out.extend_from_slice(&(score as f32).to_le_bytes());
        } else {
            write_varint(out, len | SCORE_F64 as u64);
            out.extend_from_slice(&score.to_le_bytes());
        }
        out.extend_from_slice(member);
    }

    /// Replaces the entry bytes `from..to` with `entry`, leaving `n`
    /// members, in a new buffer of the exact size.
    fn splice(&mut self, from: usize, to: usize, entry: &[u8], n: usize) {
        if n == 0 {
            self.buf = Box::default();
            return;
        }
        let start = self.head().1;
        let mut out = Vec::with_capacity(self.buf.len() + entry.len() + 2 - (to - from));
        write_varint(&mut out, n as u64);
        out.extend_from_slice(&self.buf[start..from]);
        out.extend_from_slice(entry);
        out.extend_from_slice(&self.buf[to..]);
        self.buf = out.into_boxed_slice();
    }

    /// Inserts a member known to be absent at its place in the order.
    fn insert(&mut self, member: &[u8], score: f64) {
        let mut at = self.head().1;
        while let Some((m, s, next)) = self.entry(at) {
            if cmp_elem(s, m, score, member) == Ordering::Greater {
                break;
            }
            at = next;
        }
        let mut e = Vec::with_capacity(member.len() + 11);
        Self::encode(&mut e, member, score);
        self.splice(at, at, &e, self.len() + 1);
    }

    /// Removes the entries between byte offsets `from` and `to`, `k` of them.
    fn remove_at(&mut self, from: usize, to: usize, k: usize) {
        self.splice(from, to, &[], self.len() - k);
    }

    /// A buffer of `items`, given in ascending order.
    fn from_sorted<'a>(items: impl ExactSizeIterator<Item = (&'a [u8], f64)>) -> Packed {
        if items.len() == 0 {
            return Packed::default();
        }
        let mut out = Vec::new();
        write_varint(&mut out, items.len() as u64);
        for (m, s) in items {
            Self::encode(&mut out, m, s);
        }
        Packed { buf: out.into_boxed_slice() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limits = Limits { entries: 4, value: 8 };

    fn members(z: &ZSet) -> Vec<(String, f64)> {
        z.iter().map(|(m, s)| (String::from_utf8_lossy(m).into_owned(), s)).collect()
    }

    #[test]
    fn packed_scores_round_trip() {
        let mut z = ZSet::default();
        let big = Limits { entries: 100, value: 100 };
        let scores =
            [0.0, -0.0, 1.0, -1.0, 1.5, 0.1, 1e20, -9007199254740993.0, f64::INFINITY, f64::NEG_INFINITY, 3e-300];
        for (i, s) in scores.iter().enumerate() {
            z.set(format!("m{i}").as_bytes(), *s, big);
        }
        for (i, s) in scores.iter().enumerate() {
            let got = z.score(format!("m{i}").as_bytes()).unwrap();
            assert_eq!(got.to_bits(), if *s == 0.0 { 0 } else { s.to_bits() }, "{s}");
        }
    }

    #[test]
    fn packed_order_and_conversion() {
        let mut z = ZSet::with_hint(SMALL, 1, 1);
        assert!(z.set(b"b", 2.0, SMALL));
        assert!(z.set(b"a", 2.0, SMALL));
        assert!(z.set(b"c", 1.0, SMALL));
        assert!(!z.set(b"c", 3.0, SMALL));
        assert_eq!(z.encoding(), "listpack");
        assert_eq!(members(&z), vec![("a".into(), 2.0), ("b".into(), 2.0), ("c".into(), 3.0)]);
        assert_eq!(z.rank(b"b"), Some((1, 2.0)));
        assert_eq!(z.count_while(|s, _| s < 3.0), 2);
        z.set(b"d", 0.5, SMALL);
        z.set(b"e", 0.25, SMALL);
        assert_eq!(z.encoding(), "skiplist");
        assert_eq!(z.len(), 5);
        assert_eq!(z.get(0), Some((&b"e"[..], 0.25)));
        assert_eq!(z.rank(b"c"), Some((4, 3.0)));
        assert_eq!(z.pop(true), Some((Bytes::from("c"), 3.0)));
        assert_eq!(z.remove(b"a"), Some(2.0));
        let all: Vec<(&[u8], f64)> = z.iter().collect();
        let mut z = ZSet::from_sorted(SMALL, all.into_iter());
        assert_eq!(z.encoding(), "listpack");
        assert_eq!(members(&z), vec![("e".into(), 0.25), ("d".into(), 0.5), ("b".into(), 2.0)]);
        assert_eq!(z.remove_range(0, 2), 2);
        assert_eq!(members(&z), vec![("b".into(), 2.0)]);
    }

    #[test]
    fn a_small_set_is_one_exact_buffer_in_the_value() {
        assert_eq!(std::mem::size_of::<ZSet>(), 16);
        let mut z = ZSet::default();
        for i in 0..10 {
            z.set(format!("member{i}").as_bytes(), i as f64 * 1.5, Limits { entries: 128, value: 64 });
        }
        // Count, five integer and five f32 scores, ten 7-byte members.
        assert_eq!(z.packed_bytes(), Some(1 + 5 * 9 + 5 * 12));
        assert_eq!(z.len(), 10);
        assert_eq!(z.remove_range(0, 10), 10);
        assert_eq!((z.len(), z.packed_bytes()), (0, Some(0)));
    }

    #[test]
    fn long_member_goes_to_index() {
        let mut z = ZSet::with_hint(SMALL, 1, 1);
        z.set(b"a", 1.0, SMALL);
        z.set(b"a-very-long-member", 1.0, SMALL);
        assert_eq!(z.encoding(), "skiplist");
        assert_eq!(ZSet::with_hint(Limits { entries: 0, value: 64 }, 1, 1).encoding(), "skiplist");
    }
}
