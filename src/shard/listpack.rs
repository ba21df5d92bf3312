//! A listpack: field/value pairs kept in one exactly sized buffer, the
//! compact encoding of small hashes. The buffer starts with the number of
//! pairs (4 bytes, little-endian; an empty listpack has no buffer), then
//! each string as its length (a LEB128 varint) followed by its bytes, a
//! field then its value. Lookups walk the buffer: it is small by
//! construction, as the owner converts to a hash table past its thresholds.

/// Bytes of the pair count at the start of the buffer.
const HEADER: usize = 4;

/// Field/value pairs in insertion order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Listpack {
    buf: Box<[u8]>,
}

/// Where a pair sits in the buffer: its start, the value's bytes and its end.
struct Found {
    start: usize,
    value: (usize, usize),
    end: usize,
}

impl Listpack {
    pub fn len(&self) -> usize {
        match self.buf.get(..HEADER) {
            Some(h) => u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as usize,
            None => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Bytes of the pairs (the buffer less its count).
    pub fn bytes(&self) -> usize {
        self.buf.len().saturating_sub(HEADER)
    }

    pub fn iter(&self) -> Pairs<'_> {
        Pairs { buf: &self.buf, pos: HEADER }
    }

    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        self.find(field).map(|f| &self.buf[f.value.0..f.value.1])
    }

    /// Sets `field` to `value`; true when the field is new (appended).
    pub fn insert(&mut self, field: &[u8], value: &[u8]) -> bool {
        let found = self.find(field);
        let mut buf = Vec::from(std::mem::take(&mut self.buf));
        let new = match found {
            Some(f) => {
                let header = f.value.0 - varint_len(f.value.1 - f.value.0);
                let mut enc = Vec::with_capacity(value.len() + 5);
                put(&mut enc, value);
                buf.reserve_exact(enc.len().saturating_sub(f.end - header));
                buf.splice(header..f.end, enc);
                false
            }
            None => {
                if buf.is_empty() {
                    buf.extend_from_slice(&[0; HEADER]);
                }
                buf.reserve_exact(field.len() + value.len() + 2 * varint_len(field.len().max(value.len())));
                put(&mut buf, field);
                put(&mut buf, value);
                true
            }
        };
        self.buf = buf.into_boxed_slice();
        if new {
            self.set_len(self.len() + 1);
        }
        new
    }

    /// Removes `field`; true when it was there.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        let Some(f) = self.find(field) else { return false };
        let n = self.len() - 1;
        if n == 0 {
            self.buf = Box::default();
            return true;
        }
        let mut buf = Vec::from(std::mem::take(&mut self.buf));
        buf.drain(f.start..f.end);
        self.buf = buf.into_boxed_slice();
        self.set_len(n);
        true
    }

    fn set_len(&mut self, n: usize) {
        self.buf[..HEADER].copy_from_slice(&(n as u32).to_le_bytes());
    }

    fn find(&self, field: &[u8]) -> Option<Found> {
        let mut pos = HEADER;
        while pos < self.buf.len() {
            let start = pos;
            let (f, next) = read(&self.buf, pos);
            let (v, end) = read(&self.buf, next);
            if &self.buf[f.0..f.1] == field {
                return Some(Found { start, value: v, end });
            }
            pos = end;
        }
        None
    }
}

/// Iterator over a listpack's pairs.
pub struct Pairs<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Pairs<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.buf.len() {
            return None;
        }
        let (f, next) = read(self.buf, self.pos);
        let (v, end) = read(self.buf, next);
        self.pos = end;
        Some((&self.buf[f.0..f.1], &self.buf[v.0..v.1]))
    }
}

/// Appends `s` as length varint + bytes.
fn put(out: &mut Vec<u8>, s: &[u8]) {
    let mut n = s.len();
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
    out.extend_from_slice(s);
}

fn varint_len(mut n: usize) -> usize {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

/// The string at `pos`: its byte range and where the next one starts.
fn read(buf: &[u8], mut pos: usize) -> ((usize, usize), usize) {
    let mut n = 0usize;
    let mut shift = 0;
    loop {
        let b = buf[pos];
        pos += 1;
        n |= ((b & 0x7f) as usize) << shift;
        if b < 0x80 {
            break;
        }
        shift += 7;
    }
    ((pos, pos + n), pos + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_replace_remove() {
        let mut l = Listpack::default();
        assert!(l.insert(b"a", b"1"));
        assert!(l.insert(b"b", &[b'x'; 300]));
        assert!(!l.insert(b"a", b"long value here"));
        assert_eq!(l.get(b"a"), Some(&b"long value here"[..]));
        assert_eq!(l.get(b"b").map(|v| v.len()), Some(300));
        assert!(!l.insert(b"b", b""));
        assert_eq!(l.get(b"b"), Some(&b""[..]));
        assert_eq!(l.len(), 2);
        assert!(l.remove(b"a"));
        assert!(!l.remove(b"a"));
        assert_eq!(l.iter().collect::<Vec<_>>(), vec![(&b"b"[..], &b""[..])]);
        assert_eq!(l.bytes(), 3);
        assert_eq!(l.len(), 1);
        assert!(l.remove(b"b"));
        assert!(l.is_empty() && l.bytes() == 0);
    }
}
