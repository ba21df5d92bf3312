//! An intset: sorted distinct 64-bit integers in one exactly sized buffer,
//! each stored in the narrowest width (2, 4 or 8 bytes, little-endian) that
//! holds every member, the compact encoding of small all-integer sets. The
//! buffer's first byte is that width (an empty set has no buffer). Adding a
//! member that needs more bytes widens all of them; nothing narrows them.

/// Sorted distinct integers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IntSet {
    data: Box<[u8]>,
}

/// The bytes `v` needs.
fn width_of(v: i64) -> usize {
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
        self.data.first().map_or(2, |&w| w as usize)
    }

    pub fn len(&self) -> usize {
        self.data.len().saturating_sub(1) / self.width()
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Bytes of the members (the buffer less its width byte).
    pub fn bytes(&self) -> usize {
        self.data.len().saturating_sub(1)
    }

    /// The member at `i` in ascending order (`i < len`).
    pub fn get(&self, i: usize) -> i64 {
        let w = self.width();
        read(&self.data[1 + i * w..1 + (i + 1) * w])
    }

    pub fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Where `v` is (Ok) or would go (Err).
    fn search(&self, v: i64) -> Result<usize, usize> {
        if width_of(v) > self.width() {
            // Wider than every member: beyond one end.
            return Err(if v < 0 { 0 } else { self.len() });
        }
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid).cmp(&v) {
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
        let w = self.width().max(width_of(v));
        let mut data = Vec::with_capacity(1 + (self.len() + 1) * w);
        data.push(w as u8);
        for x in self.iter().take(at) {
            put(&mut data, x, w);
        }
        put(&mut data, v, w);
        for x in self.iter().skip(at) {
            put(&mut data, x, w);
        }
        self.data = data.into_boxed_slice();
        true
    }

    /// Removes `v`; true when it was there.
    pub fn remove(&mut self, v: i64) -> bool {
        let Ok(at) = self.search(v) else { return false };
        if self.len() == 1 {
            self.data = Box::default();
            return true;
        }
        let w = self.width();
        let mut data = Vec::from(std::mem::take(&mut self.data));
        data.drain(1 + at * w..1 + (at + 1) * w);
        self.data = data.into_boxed_slice();
        true
    }
}

fn read(b: &[u8]) -> i64 {
    match b.len() {
        2 => i16::from_le_bytes([b[0], b[1]]) as i64,
        4 => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64,
        _ => i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
    }
}

fn put(out: &mut Vec<u8>, v: i64, width: usize) {
    match width {
        2 => out.extend_from_slice(&(v as i16).to_le_bytes()),
        4 => out.extend_from_slice(&(v as i32).to_le_bytes()),
        _ => out.extend_from_slice(&v.to_le_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_widening() {
        let mut s = IntSet::default();
        for v in [5, -3, 100, 5] {
            s.insert(v);
        }
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![-3, 5, 100]);
        assert_eq!(s.bytes(), 6);
        assert!(s.insert(70000));
        assert_eq!(s.bytes(), 16);
        assert!(s.insert(i64::MIN) && s.insert(i64::MAX));
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![i64::MIN, -3, 5, 100, 70000, i64::MAX]);
        assert!(s.contains(70000) && !s.contains(6) && !s.contains(1 << 40));
        assert!(s.remove(i64::MIN) && !s.remove(i64::MIN));
        assert_eq!(s.len(), 5);
        for v in [-3, 5, 100, 70000, i64::MAX] {
            assert!(s.remove(v));
        }
        assert!(s.is_empty() && s.bytes() == 0);
        // A narrow set answers for wide values without widening.
        let mut n = IntSet::default();
        n.insert(1);
        assert!(!n.contains(-(1 << 40)) && !n.remove(1 << 40));
        assert_eq!(n.bytes(), 2);
    }
}
