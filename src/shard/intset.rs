//! An intset: sorted distinct 64-bit integers in one exactly sized buffer,
//! each stored in the narrowest width (2, 4 or 8 bytes, little-endian) that
//! holds every member, the compact encoding of small all-integer sets. The
//! buffer's first byte is that width; up to `INLINE` bytes it is kept
//! inside the value itself (no allocation of its own), beyond on the heap.
//! Adding a member that needs more bytes widens all of them; nothing
//! narrows them.

/// Buffer bytes kept inline: a width byte and 13 4-byte or 26 2-byte
/// members, so that a small set is one 64-byte heap chunk in all.
const INLINE: usize = 54;

/// Sorted distinct integers.
#[derive(Debug, Clone, Default)]
pub struct IntSet {
    buf: Buf,
}

/// The buffer: inline while small, else an exactly sized heap block.
#[derive(Debug, Clone)]
enum Buf {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl Default for Buf {
    fn default() -> Self {
        Buf::Inline { len: 0, bytes: [0; INLINE] }
    }
}

impl Buf {
    fn as_slice(&self) -> &[u8] {
        match self {
            Buf::Inline { len, bytes } => &bytes[..*len as usize],
            Buf::Heap(b) => b,
        }
    }

    fn from_vec(v: Vec<u8>) -> Buf {
        if v.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..v.len()].copy_from_slice(&v);
            Buf::Inline { len: v.len() as u8, bytes }
        } else {
            Buf::Heap(v.into_boxed_slice())
        }
    }
}

impl PartialEq for IntSet {
    fn eq(&self, o: &Self) -> bool {
        self.buf.as_slice() == o.buf.as_slice()
    }
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
    fn data(&self) -> &[u8] {
        self.buf.as_slice()
    }

    fn width(&self) -> usize {
        self.data().first().map_or(2, |&w| w as usize)
    }

    pub fn len(&self) -> usize {
        self.data().len().saturating_sub(1) / self.width()
    }

    pub fn is_empty(&self) -> bool {
        self.data().is_empty()
    }

    /// Bytes of the members (the buffer less its width byte).
    pub fn bytes(&self) -> usize {
        self.data().len().saturating_sub(1)
    }

    /// Whether the members live in a heap block of their own.
    #[cfg(test)]
    fn on_heap(&self) -> bool {
        matches!(self.buf, Buf::Heap(_))
    }

    /// The member at `i` in ascending order (`i < len`).
    pub fn get(&self, i: usize) -> i64 {
        let w = self.width();
        read(&self.data()[1 + i * w..1 + (i + 1) * w])
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
        self.buf = Buf::from_vec(data);
        true
    }

    /// Removes `v`; true when it was there.
    pub fn remove(&mut self, v: i64) -> bool {
        let Ok(at) = self.search(v) else { return false };
        let w = self.width();
        let mut data = self.data().to_vec();
        data.drain(1 + at * w..1 + (at + 1) * w);
        if data.len() == 1 {
            data.clear();
        }
        self.buf = Buf::from_vec(data);
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
        assert_eq!((s.bytes(), s.on_heap()), (6, false));
        assert!(s.insert(70000));
        assert_eq!((s.bytes(), s.on_heap()), (16, false));
        assert!(s.insert(i64::MIN) && s.insert(i64::MAX));
        assert!(!s.on_heap(), "49 bytes stay inline");
        assert!(s.insert(1 << 40) && s.insert(1 << 41));
        assert!(s.on_heap());
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![i64::MIN, -3, 5, 100, 70000, 1 << 40, 1 << 41, i64::MAX]);
        assert!(s.contains(70000) && !s.contains(6) && !s.contains(1 << 39));
        assert!(s.remove(i64::MIN) && !s.remove(i64::MIN));
        assert_eq!(s.len(), 7);
        for v in [-3, 5, 100, 70000, 1 << 40, 1 << 41, i64::MAX] {
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
