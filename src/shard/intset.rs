//! An intset: sorted distinct 64-bit integers in one exactly sized heap
//! buffer, the compact encoding of small all-integer sets. The members are
//! stored as offsets from a base (no greater than any of them), each in the
//! narrowest unsigned width (1, 2, 4 or 8 bytes, little-endian) that holds
//! every offset: the buffer is that width, the base (8 bytes) and the
//! offsets. Nearby integers (ids of one range, counters) take a byte or
//! two each whatever their size, and never more than Redis's intset, which
//! stores the values themselves in 2, 4 or 8 bytes. Order, binary search
//! and random access by position are those of the values. Adding or
//! removing a member rewrites the buffer (to its new exact size), as
//! Redis's intset reallocates.

/// Bytes before the offsets: the width and the base.
const HEADER: usize = 9;

/// Sorted distinct integers; the empty set allocates nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntSet {
    buf: Box<[u8]>,
}

/// The bytes an offset needs.
fn width_of(d: u64) -> usize {
    if d <= u8::MAX as u64 {
        1
    } else if d <= u16::MAX as u64 {
        2
    } else if d <= u32::MAX as u64 {
        4
    } else {
        8
    }
}

/// The bytes Redis's intset stores `v` in.
fn redis_width(v: i64) -> usize {
    if i16::try_from(v).is_ok() {
        2
    } else if i32::try_from(v).is_ok() {
        4
    } else {
        8
    }
}

impl IntSet {
    fn width(&self) -> usize {
        self.buf.first().map_or(1, |&w| w as usize)
    }

    fn base(&self) -> i64 {
        match self.buf.get(1..HEADER) {
            Some(b) => i64::from_le_bytes(b.try_into().unwrap_or_default()),
            None => 0,
        }
    }

    pub fn len(&self) -> usize {
        self.buf.len().saturating_sub(HEADER) / self.width()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The bytes of members in Redis's intset for these members (MEMORY
    /// USAGE reports Redis's figure): the widest of the two ends' widths,
    /// times the count.
    pub fn bytes(&self) -> usize {
        match self.len() {
            0 => 0,
            n => redis_width(self.get(0)).max(redis_width(self.get(n - 1))) * n,
        }
    }

    /// The offset of the member at `i` from the base (`i < len`).
    fn offset(&self, i: usize) -> u64 {
        let w = self.width();
        let b = &self.buf[HEADER + i * w..HEADER + (i + 1) * w];
        let mut le = [0u8; 8];
        le[..w].copy_from_slice(b);
        u64::from_le_bytes(le)
    }

    /// The member at `i` in ascending order (`i < len`).
    pub fn get(&self, i: usize) -> i64 {
        self.base().wrapping_add(self.offset(i) as i64)
    }

    pub fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Where `v` is (Ok) or would go (Err).
    fn search(&self, v: i64) -> Result<usize, usize> {
        if self.is_empty() || v < self.base() {
            return Err(0);
        }
        // v >= base, so the difference fits an unsigned 64-bit offset.
        let d = v.wrapping_sub(self.base()) as u64;
        if width_of(d) > self.width() {
            return Err(self.len());
        }
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.offset(mid).cmp(&d) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    pub fn contains(&self, v: i64) -> bool {
        self.search(v).is_ok()
    }

    /// Adds `v`; true when it was not there.
    pub fn insert(&mut self, v: i64) -> bool {
        let Err(at) = self.search(v) else { return false };
        let n = self.len();
        let base = if n == 0 { v } else { self.base().min(v) };
        let top = if at == n { v } else { self.get(n - 1) };
        let w = width_of(top.wrapping_sub(base) as u64);
        let mut data = Vec::with_capacity(HEADER + (n + 1) * w);
        data.push(w as u8);
        data.extend_from_slice(&base.to_le_bytes());
        let put =
            |data: &mut Vec<u8>, x: i64| data.extend_from_slice(&(x.wrapping_sub(base) as u64).to_le_bytes()[..w]);
        for i in 0..at {
            put(&mut data, self.get(i));
        }
        put(&mut data, v);
        for i in at..n {
            put(&mut data, self.get(i));
        }
        self.buf = data.into_boxed_slice();
        true
    }

    /// Removes `v`; true when it was there.
    pub fn remove(&mut self, v: i64) -> bool {
        let Ok(at) = self.search(v) else { return false };
        let w = self.width();
        let mut data = self.buf.to_vec();
        data.drain(HEADER + at * w..HEADER + (at + 1) * w);
        if data.len() == HEADER {
            data.clear();
        }
        self.buf = data.into_boxed_slice();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_offsets_from_the_lowest() {
        let mut s = IntSet::default();
        for v in [5, -3, 100, 5] {
            s.insert(v);
        }
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![-3, 5, 100]);
        assert_eq!((s.width(), s.buf.len(), s.bytes()), (1, HEADER + 3, 6));
        assert!(s.insert(70000));
        assert_eq!((s.width(), s.bytes()), (4, 16));
        assert!(s.insert(i64::MIN) && s.insert(i64::MAX));
        assert_eq!((s.width(), s.bytes()), (8, 48));
        assert!(s.insert(1 << 40) && s.insert(1 << 41));
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![i64::MIN, -3, 5, 100, 70000, 1 << 40, 1 << 41, i64::MAX]);
        assert!(s.contains(70000) && !s.contains(6) && !s.contains(1 << 39) && !s.contains(i64::MIN + 1));
        assert!(s.remove(i64::MIN) && !s.remove(i64::MIN));
        assert_eq!(s.len(), 7);
        assert_eq!(s.get(0), -3);
        for v in [-3, 5, 100, 70000, 1 << 40, 1 << 41, i64::MAX] {
            assert!(s.remove(v));
        }
        assert!(s.is_empty() && s.bytes() == 0 && s.buf.is_empty());
    }

    #[test]
    fn nearby_big_integers_take_a_byte_each() {
        let mut s = IntSet::default();
        for v in (1_000_000..1_000_010).rev() {
            assert!(s.insert(v));
        }
        assert_eq!(s.buf.len(), HEADER + 10);
        assert_eq!(s.iter().collect::<Vec<_>>(), (1_000_000..1_000_010).collect::<Vec<_>>());
        assert_eq!(s.bytes(), 40, "Redis's intset holds these in 4 bytes each");
        // Values far below the base or above the width miss without a rewrite.
        assert!(!s.contains(-1) && !s.contains(1 << 40) && !s.remove(1 << 40));
        assert!(s.insert(-1));
        assert_eq!((s.width(), s.get(0), s.get(10)), (4, -1, 1_000_009));
    }
}
