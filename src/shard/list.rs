//! List values (LPUSH, LRANGE, ...). A list is a chain of packed nodes, in
//! the spirit of Redis's quicklist of listpacks: each node is one byte
//! buffer of length-prefixed elements, so a small element costs its bytes
//! plus a byte or two, not a heap handle of its own. Nodes are bounded by
//! list-max-listpack-size (negative: 4..64 KiB per node, positive: that many
//! elements, with an 8 KiB safety cap); an element too big for any node gets
//! a node to itself. Redis 7.0 reports every list as "quicklist".

use crate::util::listpack;
use bytes::Bytes;
use std::collections::VecDeque;

/// Bytes a node may hold when list-max-listpack-size counts elements
/// (Redis's SIZE_SAFETY_LIMIT).
const SAFETY_BYTES: usize = 8192;
/// Node sizes for list-max-listpack-size -1..-5.
const LEVELS: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// Redis's allowance for an element's listpack header when it checks
/// whether one more fits (SIZE_ESTIMATE_OVERHEAD).
const ESTIMATE_OVERHEAD: usize = 8;
/// An element this big gets a node of its own (quicklist's packed
/// threshold).
const LARGE_ELEMENT: usize = 1 << 30;
/// The bytes of an empty listpack (header and end mark).
const EMPTY_LISTPACK: usize = 7;

/// How much one node may hold: list-max-listpack-size, applied as Redis
/// applies it to the size the node's elements would have in a listpack,
/// so nodes split where Redis's do.
#[derive(Clone, Copy, Debug)]
pub struct Fill(i64);

impl Fill {
    pub fn new(fill: i64) -> Fill {
        Fill(fill)
    }

    /// Whether an element of `len` bytes may join `node`.
    fn fits(&self, node: &Node, len: usize) -> bool {
        if len >= LARGE_ELEMENT || node.lp >= LARGE_ELEMENT {
            return false;
        }
        let new_sz = node.lp + len + ESTIMATE_OVERHEAD;
        if let Some(&level) = self.level() {
            if new_sz <= level {
                return true;
            }
        }
        new_sz <= SAFETY_BYTES && (node.count as i64) < self.0
    }

    /// The size limit of a negative setting.
    fn level(&self) -> Option<&usize> {
        if self.0 < 0 {
            LEVELS.get(usize::try_from(-(self.0 + 1)).unwrap_or(usize::MAX))
        } else {
            None
        }
    }

    /// Whether `node` holds more than one node may.
    fn over(&self, node: &Node) -> bool {
        match self.level() {
            Some(&level) => node.lp > level,
            None => node.lp > SAFETY_BYTES || (node.count as i64) > self.0.max(1),
        }
    }
}

/// One packed node: `count` elements, each a LEB128 length then its bytes,
/// and the size the same elements would take in a Redis listpack (what
/// node limits and MEMORY USAGE go by).
#[derive(Debug, Clone, PartialEq)]
struct Node {
    buf: Vec<u8>,
    count: usize,
    lp: usize,
}

impl Default for Node {
    fn default() -> Node {
        Node { buf: Vec::new(), count: 0, lp: EMPTY_LISTPACK }
    }
}

/// The encoded length prefix of an element of `len` bytes.
fn prefix(len: usize) -> ([u8; 10], usize) {
    let mut out = [0u8; 10];
    let mut n = len;
    let mut i = 0;
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out[i] = b;
            return (out, i + 1);
        }
        out[i] = b | 0x80;
        i += 1;
    }
}

impl Node {
    fn with(v: &[u8]) -> Node {
        let mut n = Node::default();
        n.insert_at(0, v);
        n
    }

    /// The element starting at byte `off`: its data range and the offset
    /// of the next element.
    fn at(&self, off: usize) -> (usize, usize) {
        let mut len = 0usize;
        let mut shift = 0;
        let mut p = off;
        loop {
            let b = self.buf[p];
            p += 1;
            len |= ((b & 0x7f) as usize) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        (p, p + len)
    }

    /// Byte offset of element `idx` (`count` gives the end).
    fn offset(&self, idx: usize) -> usize {
        let mut off = 0;
        for _ in 0..idx {
            off = self.at(off).1;
        }
        off
    }

    fn get(&self, idx: usize) -> &[u8] {
        let (s, e) = self.at(self.offset(idx));
        &self.buf[s..e]
    }

    fn iter(&self) -> NodeIter<'_> {
        NodeIter { node: self, off: 0 }
    }

    /// Inserts `v` at byte offset `off` (an element boundary).
    fn insert_at(&mut self, off: usize, v: &[u8]) {
        let (p, plen) = prefix(v.len());
        self.grow(plen + v.len());
        self.buf.splice(off..off, p[..plen].iter().copied().chain(v.iter().copied()));
        self.count += 1;
        self.lp += listpack::element(v);
    }

    /// Makes room for `need` more bytes, growing by an eighth at least:
    /// a node stays nearly full (as Redis's listpack, reallocated to size)
    /// while a run of pushes still costs amortized O(1) copying.
    fn grow(&mut self, need: usize) {
        if self.buf.capacity() - self.buf.len() < need {
            self.buf.reserve_exact(need.max(self.buf.len() / 8));
        }
    }

    fn insert(&mut self, idx: usize, v: &[u8]) {
        let off = self.offset(idx);
        self.insert_at(off, v);
    }

    /// Removes elements `idx..idx + n`.
    fn remove_range(&mut self, idx: usize, n: usize) {
        let start = self.offset(idx);
        let mut end = start;
        for _ in 0..n {
            let (s, e) = self.at(end);
            self.lp -= listpack::element(&self.buf[s..e]);
            end = e;
        }
        self.buf.drain(start..end);
        self.count -= n;
    }

    fn replace(&mut self, idx: usize, v: &[u8]) {
        let start = self.offset(idx);
        let (s, end) = self.at(start);
        self.lp = self.lp - listpack::element(&self.buf[s..end]) + listpack::element(v);
        let (p, plen) = prefix(v.len());
        self.grow((plen + v.len()).saturating_sub(end - start));
        self.buf.splice(start..end, p[..plen].iter().copied().chain(v.iter().copied()));
    }

    /// Splits off the elements from `idx` on into a new node.
    fn split_off(&mut self, idx: usize) -> Node {
        let off = self.offset(idx);
        let mut tail = Node { buf: self.buf.split_off(off), count: self.count - idx, lp: EMPTY_LISTPACK };
        tail.lp += tail.iter().map(listpack::element).sum::<usize>();
        self.lp -= tail.lp - EMPTY_LISTPACK;
        self.count = idx;
        tail
    }
}

/// The elements of one node, front to back.
struct NodeIter<'a> {
    node: &'a Node,
    off: usize,
}

impl<'a> Iterator for NodeIter<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.off >= self.node.buf.len() {
            return None;
        }
        let (s, e) = self.node.at(self.off);
        self.off = e;
        Some(&self.node.buf[s..e])
    }
}

/// A list value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct List {
    nodes: VecDeque<Node>,
    len: usize,
}

impl List {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// The listpack sizes of the nodes, head first, as Redis's quicklist
    /// would hold them (MEMORY USAGE samples them).
    pub fn node_sizes(&self) -> impl Iterator<Item = usize> + '_ {
        self.nodes.iter().map(|n| n.lp)
    }

    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        self.nodes.len()
    }

    /// The elements node by node, head first (RDB writes one blob per node).
    pub fn node_elements(&self) -> impl Iterator<Item = impl Iterator<Item = &[u8]> + '_> + '_ {
        self.nodes.iter().map(|n| n.iter())
    }

    /// Appends a whole node of `elems` at the tail, as loaded from an RDB
    /// quicklist (Redis keeps such nodes as stored); nothing when empty.
    pub fn append_node<'a>(&mut self, elems: impl IntoIterator<Item = &'a [u8]>) {
        let mut n = Node::default();
        for v in elems {
            let end = n.buf.len();
            n.insert_at(end, v);
        }
        if n.count > 0 {
            self.len += n.count;
            self.nodes.push_back(n);
        }
    }

    /// Adds `v` at the head (`front`) or the tail.
    pub fn push(&mut self, v: &[u8], front: bool, fill: Fill) {
        let node = if front { self.nodes.front_mut() } else { self.nodes.back_mut() };
        match node {
            Some(n) if fill.fits(n, v.len()) => {
                if front {
                    n.insert_at(0, v);
                } else {
                    let end = n.buf.len();
                    n.insert_at(end, v);
                }
            }
            _ => {
                // Most lists are one node: room for just that one at first.
                if self.nodes.capacity() == 0 {
                    self.nodes.reserve_exact(1);
                }
                if front {
                    self.nodes.push_front(Node::with(v));
                } else {
                    self.nodes.push_back(Node::with(v));
                }
            }
        }
        self.len += 1;
    }

    /// Removes and returns the head (`front`) or tail element.
    pub fn pop(&mut self, front: bool) -> Option<Bytes> {
        let ni = if front { 0 } else { self.nodes.len().checked_sub(1)? };
        let node = self.nodes.get_mut(ni)?;
        let idx = if front { 0 } else { node.count - 1 };
        let v = Bytes::copy_from_slice(node.get(idx));
        node.remove_range(idx, 1);
        self.after_removal(ni);
        Some(v)
    }

    /// Drops node `ni` when it became empty.
    fn after_removal(&mut self, ni: usize) {
        self.len -= 1;
        if self.nodes[ni].count == 0 {
            self.nodes.remove(ni);
        }
    }

    /// The node holding element `index` (< len) and the position in it.
    fn locate(&self, index: usize) -> (usize, usize) {
        if index < self.len / 2 {
            let mut i = index;
            for (ni, n) in self.nodes.iter().enumerate() {
                if i < n.count {
                    return (ni, i);
                }
                i -= n.count;
            }
        } else {
            let mut from_end = self.len - index;
            for (ni, n) in self.nodes.iter().enumerate().rev() {
                if from_end <= n.count {
                    return (ni, n.count - from_end);
                }
                from_end -= n.count;
            }
        }
        (0, 0)
    }

    /// Element `index` (from the head), if there is one.
    pub fn get(&self, index: usize) -> Option<&[u8]> {
        if index >= self.len {
            return None;
        }
        let (ni, i) = self.locate(index);
        Some(self.nodes[ni].get(i))
    }

    /// Replaces element `index`; false when out of range.
    pub fn set(&mut self, index: usize, v: &[u8], fill: Fill) -> bool {
        if index >= self.len {
            return false;
        }
        let (ni, i) = self.locate(index);
        self.nodes[ni].replace(i, v);
        self.split_if_full(ni, fill);
        true
    }

    /// Inserts `v` so that it becomes element `index` (`len` appends).
    pub fn insert(&mut self, index: usize, v: &[u8], fill: Fill) {
        if index == 0 || index >= self.len {
            self.push(v, index == 0, fill);
            return;
        }
        let (ni, i) = self.locate(index);
        self.nodes[ni].insert(i, v);
        self.len += 1;
        self.split_if_full(ni, fill);
    }

    /// Splits node `ni` in two when it grew past the limits.
    fn split_if_full(&mut self, ni: usize, fill: Fill) {
        let n = &mut self.nodes[ni];
        if n.count > 1 && fill.over(n) {
            let half = n.count / 2;
            let tail = n.split_off(half);
            self.nodes.insert(ni + 1, tail);
        }
    }

    /// The elements, head to tail.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.nodes.iter().flat_map(|n| n.iter())
    }

    /// The elements, tail to head.
    pub fn iter_rev(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.nodes.iter().rev().flat_map(|n| n.iter().collect::<Vec<_>>().into_iter().rev())
    }

    /// `count` elements from `start` on, head to tail.
    pub fn range(&self, start: usize, count: usize) -> impl Iterator<Item = &[u8]> + '_ {
        let (ni, i) = if start < self.len { self.locate(start) } else { (self.nodes.len(), 0) };
        self.nodes.iter().skip(ni).flat_map(|n| n.iter()).skip(i).take(count)
    }

    /// Removes `n` elements from the head (`front`) or the tail.
    pub fn remove_end(&mut self, mut n: usize, front: bool) {
        n = n.min(self.len);
        self.len -= n;
        while n > 0 {
            let node = if front { self.nodes.front_mut() } else { self.nodes.back_mut() };
            let Some(node) = node else { break };
            if node.count <= n {
                n -= node.count;
                if front {
                    self.nodes.pop_front();
                } else {
                    self.nodes.pop_back();
                }
            } else {
                let at = if front { 0 } else { node.count - n };
                node.remove_range(at, n);
                n = 0;
            }
        }
    }

    /// Removes the elements equal to `v`: all of them (`limit` 0), or the
    /// first `limit` from the head, or (`from_tail`) the last `limit`.
    /// Returns how many went.
    pub fn remove_matching(&mut self, v: &[u8], limit: usize, from_tail: bool) -> usize {
        let total = self.iter().filter(|e| *e == v).count();
        let take = if limit == 0 { total } else { limit.min(total) };
        // The matches to keep before the first removed one.
        let mut skip = if from_tail { total - take } else { 0 };
        let mut left = take;
        for node in self.nodes.iter_mut() {
            if left == 0 {
                break;
            }
            let mut idx = 0;
            while idx < node.count && left > 0 {
                if node.get(idx) == v {
                    if skip > 0 {
                        skip -= 1;
                    } else {
                        node.remove_range(idx, 1);
                        left -= 1;
                        continue;
                    }
                }
                idx += 1;
            }
        }
        self.nodes.retain(|n| n.count > 0);
        self.len -= take;
        take
    }
}

impl<'a> FromIterator<&'a [u8]> for List {
    fn from_iter<I: IntoIterator<Item = &'a [u8]>>(it: I) -> List {
        let mut l = List::default();
        for v in it {
            l.push(v, false, Fill::new(-2));
        }
        l
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(l: &List) -> Vec<String> {
        l.iter().map(|e| String::from_utf8_lossy(e).into_owned()).collect()
    }

    fn of(words: &[&str]) -> List {
        words.iter().map(|w| w.as_bytes()).collect()
    }

    #[test]
    fn push_pop_across_nodes() {
        let fill = Fill::new(3);
        let mut l = List::default();
        for i in 0..10 {
            l.push(format!("r{i}").as_bytes(), false, fill);
            l.push(format!("l{i}").as_bytes(), true, fill);
        }
        assert_eq!(l.len(), 20);
        assert!(l.nodes.len() >= 7);
        assert_eq!(l.get(0), Some(&b"l9"[..]));
        assert_eq!(l.get(19), Some(&b"r9"[..]));
        assert_eq!(l.get(10), Some(&b"r0"[..]));
        assert_eq!(l.pop(true).as_deref(), Some(&b"l9"[..]));
        assert_eq!(l.pop(false).as_deref(), Some(&b"r9"[..]));
        let rev: Vec<_> = l.iter_rev().map(|e| e.to_vec()).collect();
        let mut fwd: Vec<_> = l.iter().map(|e| e.to_vec()).collect();
        fwd.reverse();
        assert_eq!(rev, fwd);
        while l.pop(true).is_some() {}
        assert!(l.is_empty() && l.nodes.is_empty());
    }

    #[test]
    fn insert_set_split() {
        let fill = Fill::new(2);
        let mut l = of(&["a", "b", "c"]);
        l.insert(1, b"x", fill);
        l.insert(4, b"z", fill);
        assert_eq!(items(&l), ["a", "x", "b", "c", "z"]);
        assert!(l.set(2, &vec![b'y'; 300], fill));
        assert_eq!(l.get(2).map(|v| v.len()), Some(300));
        assert!(!l.set(5, b"q", fill));
        let r: Vec<_> = l.range(1, 3).map(|e| e.len()).collect();
        assert_eq!(r, [1, 300, 1]);
        assert_eq!(l.range(9, 3).count(), 0);
    }

    #[test]
    fn trim_and_remove() {
        let mut l: List = (0..50).map(|i| if i % 5 == 0 { "m" } else { "o" }).map(|s| s.as_bytes()).collect();
        assert_eq!(l.remove_matching(b"m", 2, true), 2);
        assert_eq!(l.iter().filter(|e| *e == b"m").count(), 8);
        assert_eq!(l.get(0), Some(&b"m"[..]));
        assert_eq!(l.remove_matching(b"m", 1, false), 1);
        assert_eq!(l.get(0), Some(&b"o"[..]));
        assert_eq!(l.remove_matching(b"m", 0, false), 7);
        assert_eq!(l.len(), 40);
        l.remove_end(3, true);
        l.remove_end(30, false);
        assert_eq!(l.len(), 7);
        l.remove_end(100, false);
        assert!(l.is_empty());
    }

    #[test]
    fn nodes_split_where_redis_splits_them() {
        // -2: 8 KiB listpacks. 1000 ten-byte strings take 12 bytes each.
        let mut l = List::default();
        for i in 0..1000 {
            l.push(format!("element{i:03}").as_bytes(), false, Fill::new(-2));
        }
        let sizes: Vec<usize> = l.node_sizes().collect();
        assert_eq!(sizes.len(), 2);
        assert!(sizes[0] <= 8192 && sizes[0] + 10 + 8 > 8192, "{sizes:?}");
        assert_eq!(sizes.iter().sum::<usize>(), 2 * 7 + 1000 * 12);
        // A count: 3 per node; 0 and below -5 keep one per node.
        let mut l3 = List::default();
        for _ in 0..7 {
            l3.push(b"1", false, Fill::new(3));
        }
        assert_eq!(l3.nodes(), 3);
        for fill in [0, -9] {
            let mut l = List::default();
            for _ in 0..3 {
                l.push(b"1", false, Fill::new(fill));
            }
            assert_eq!(l.nodes(), 3);
        }
        let big = vec![b'x'; 20000];
        let mut l = List::default();
        l.push(&big, false, Fill::new(-2));
        l.push(b"s", false, Fill::new(-2));
        assert_eq!(l.nodes.len(), 2);
        assert_eq!(l.get(0).map(|v| v.len()), Some(20000));
    }
}
