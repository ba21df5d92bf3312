//! An intset: sorted distinct 64-bit integers in one buffer, each stored in
//! the narrowest width (2, 4 or 8 bytes, little-endian) that holds every
//! member, the compact encoding of small all-integer sets. Adding a member
//! that needs more bytes widens all of them; nothing ever narrows them.

/// Sorted distinct integers.
#[derive(Debug, Clone, PartialEq)]
pub struct IntSet {
    data: Vec<u8>,
    width: u8,
}

impl Default for IntSet {
    fn default() -> Self {
        IntSet { data: Vec::new(), width: 2 }
    }
}

/// The bytes `v` needs.
fn width_of(v: i64) -> u8 {
    if i16::try_from(v).is_ok() {
        2
    } else if i32::try_from(v).is_ok() {
        4
    } else {
        8
    }
}

impl IntSet {
    pub fn len(&self) -> usize {
        self.data.len() / self.width as usize
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Bytes of the buffer.
    pub fn bytes(&self) -> usize {
        self.data.len()
    }

    /// The member at `i` in ascending order (`i < len`).
    pub fn get(&self, i: usize) -> i64 {
        let w = self.width as usize;
        let b = &self.data[i * w..(i + 1) * w];
        match w {
            2 => i16::from_le_bytes([b[0], b[1]]) as i64,
            4 => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64,
            _ => i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Where `v` is (Ok) or would go (Err).
    fn search(&self, v: i64) -> Result<usize, usize> {
        if width_of(v) > self.width {
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
        let w = width_of(v);
        if w > self.width {
            let wide: Vec<i64> = self.iter().collect();
            let mut data = Vec::with_capacity((wide.len() + 1) * w as usize);
            self.width = w;
            for x in wide {
                self.put(&mut data, x);
            }
            self.data = data;
        }
        let w = self.width as usize;
        let mut bytes = Vec::with_capacity(w);
        self.put(&mut bytes, v);
        if self.data.capacity() - self.data.len() < w {
            self.data.reserve_exact(w);
        }
        self.data.splice(at * w..at * w, bytes);
        true
    }

    /// Removes `v`; true when it was there.
    pub fn remove(&mut self, v: i64) -> bool {
        let Ok(at) = self.search(v) else { return false };
        let w = self.width as usize;
        self.data.drain(at * w..(at + 1) * w);
        if self.data.capacity() > 2 * self.data.len() + 64 {
            self.data.shrink_to_fit();
        }
        true
    }

    fn put(&self, out: &mut Vec<u8>, v: i64) {
        match self.width {
            2 => out.extend_from_slice(&(v as i16).to_le_bytes()),
            4 => out.extend_from_slice(&(v as i32).to_le_bytes()),
            _ => out.extend_from_slice(&v.to_le_bytes()),
        }
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
        // A narrow set answers for wide values without widening.
        let mut n = IntSet::default();
        n.insert(1);
        assert!(!n.contains(-(1 << 40)) && !n.remove(1 << 40));
        assert_eq!(n.bytes(), 2);
    }
}
