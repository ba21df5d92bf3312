//! `CompactBytes`: the byte string keys and string values are stored as.
//! Up to `INLINE` bytes live inside the 24-byte value itself (no
//! allocation: most keys and many values are this short). A longer string
//! written whole (SET, RESTORE, a load) is one exactly sized allocation and
//! nothing else: no header that would push a 1 KiB value past the size the
//! allocator's per-thread cache serves, no reference count to touch; a
//! reply copies it. A string edited in place (APPEND, SETRANGE, SETBIT,
//! BITFIELD, HyperLogLogs) is kept with room to grow and shared by replies,
//! and is what Redis calls the "raw" encoding whatever its length.

use bytes::{Bytes, BytesMut};
use std::borrow::Borrow;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// The longest byte string stored inline.
pub const INLINE: usize = 22;

/// An immutable byte string, inline when short.
#[derive(Clone)]
pub enum CompactBytes {
    Inline {
        len: u8,
        data: [u8; INLINE],
    },
    /// Longer than `INLINE`, as it was written.
    Flat(Box<[u8]>),
    /// Edited in place: its buffer may have spare room.
    Raw(Box<Bytes>),
}

impl CompactBytes {
    /// A copy of `b`.
    pub fn from_slice(b: &[u8]) -> CompactBytes {
        Self::inline(b).unwrap_or_else(|| CompactBytes::Flat(Box::from(b)))
    }

    fn inline(b: &[u8]) -> Option<CompactBytes> {
        (b.len() <= INLINE).then(|| {
            let mut data = [0u8; INLINE];
            data[..b.len()].copy_from_slice(b);
            CompactBytes::Inline { len: b.len() as u8, data }
        })
    }

    /// A string built by editing (a new bitmap, HyperLogLog, SETRANGE
    /// target): raw, as Redis creates those.
    pub fn raw(b: BytesMut) -> CompactBytes {
        CompactBytes::Raw(Box::new(b.freeze()))
    }

    /// Whether this is Redis's "raw" encoding by construction (edited in
    /// place) rather than by length.
    pub fn is_raw(&self) -> bool {
        matches!(self, CompactBytes::Raw(_))
    }

    pub fn as_bytes(&self) -> &[u8] {
        match self {
            CompactBytes::Inline { len, data } => &data[..*len as usize],
            CompactBytes::Flat(b) => b,
            CompactBytes::Raw(b) => b,
        }
    }

    /// The bytes as a `Bytes`: shared when raw, copied otherwise.
    pub fn to_bytes(&self) -> Bytes {
        match self {
            CompactBytes::Raw(b) => (**b).clone(),
            _ => Bytes::copy_from_slice(self.as_bytes()),
        }
    }

    /// Changes the bytes in place (APPEND, SETRANGE, SETBIT, HLL updates),
    /// leaving the string raw: a raw string no reply still shares is edited
    /// without a copy.
    pub fn edit<R>(&mut self, f: impl FnOnce(&mut BytesMut) -> R) -> R {
        match self {
            CompactBytes::Raw(b) => {
                let mut m = BytesMut::from(std::mem::take(&mut **b));
                let r = f(&mut m);
                **b = m.freeze();
                r
            }
            other => {
                let mut m = BytesMut::from(other.as_bytes());
                let r = f(&mut m);
                *other = CompactBytes::raw(m);
                r
            }
        }
    }
}

impl Default for CompactBytes {
    fn default() -> Self {
        CompactBytes::Inline { len: 0, data: [0; INLINE] }
    }
}

impl From<Bytes> for CompactBytes {
    fn from(b: Bytes) -> Self {
        Self::from_slice(&b)
    }
}

impl From<BytesMut> for CompactBytes {
    fn from(b: BytesMut) -> Self {
        Self::from_slice(&b)
    }
}

impl From<Vec<u8>> for CompactBytes {
    fn from(v: Vec<u8>) -> Self {
        Self::from_slice(&v)
    }
}

/// A copy: arguments are slices of a connection's read buffer, which a
/// stored key or value must not keep alive.
impl From<&Bytes> for CompactBytes {
    fn from(b: &Bytes) -> Self {
        Self::from_slice(b)
    }
}

impl From<&[u8]> for CompactBytes {
    fn from(b: &[u8]) -> Self {
        Self::from_slice(b)
    }
}

impl From<&str> for CompactBytes {
    fn from(s: &str) -> Self {
        Self::from_slice(s.as_bytes())
    }
}

impl Deref for CompactBytes {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for CompactBytes {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// Lets a table keyed by `CompactBytes` be searched with a `&[u8]`.
impl Borrow<[u8]> for CompactBytes {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// Hashes exactly as the `[u8]` it holds, as `Borrow` requires.
impl Hash for CompactBytes {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

impl PartialEq for CompactBytes {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for CompactBytes {}

impl std::fmt::Debug for CompactBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", Bytes::copy_from_slice(self.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn short_strings_are_inline_and_the_value_is_small() {
        assert_eq!(std::mem::size_of::<CompactBytes>(), 24);
        assert!(matches!(CompactBytes::from("key:000000000001"), CompactBytes::Inline { .. }));
        assert!(matches!(CompactBytes::from_slice(&[7; INLINE]), CompactBytes::Inline { .. }));
        assert!(matches!(CompactBytes::from_slice(&[7; INLINE + 1]), CompactBytes::Flat(_)));
    }

    #[test]
    fn lookups_by_slice_find_either_form() {
        let mut m: HashMap<CompactBytes, u32> = HashMap::new();
        let long = vec![b'x'; 100];
        m.insert(CompactBytes::from("a"), 1);
        m.insert(CompactBytes::from(long.clone()), 2);
        let mut edited = CompactBytes::from("b");
        edited.edit(|b| b.extend_from_slice(b"cd"));
        m.insert(edited, 3);
        assert_eq!(m.get(&b"a"[..]), Some(&1));
        assert_eq!(m.get(&long[..]), Some(&2));
        assert_eq!(m.get(&b"bcd"[..]), Some(&3));
    }

    #[test]
    fn edited_strings_are_raw_at_any_length() {
        let mut s = CompactBytes::from("abc");
        assert!(!s.is_raw());
        s.edit(|m| m.extend_from_slice(&[b'd'; 30]));
        assert_eq!(s.len(), 33);
        assert!(s.is_raw());
        s.edit(|m| m.truncate(2));
        assert_eq!(&*s, b"ab");
        assert!(s.is_raw());
        let mut long = CompactBytes::from_slice(&[1; 100]);
        long.edit(|m| m[0] = 2);
        assert!(long.is_raw());
        assert_eq!(long[..2], [2, 1]);
    }

    #[test]
    fn raw_strings_are_shared_not_copied() {
        let mut raw = CompactBytes::from("x");
        raw.edit(|m| m.resize(1000, 0));
        assert_eq!(raw.to_bytes().as_ptr(), raw.as_ptr());
    }

    #[test]
    fn a_shared_string_is_copied_before_an_edit() {
        let mut s = CompactBytes::from_slice(&[1u8; 100]);
        let reply = s.to_bytes();
        s.edit(|m| m[0] = 9);
        assert_eq!(reply[0], 1);
        assert_eq!(s[0], 9);
        let reply = s.to_bytes();
        s.edit(|m| m[1] = 9);
        assert_eq!(reply[1], 1);
        assert_eq!(s[..2], [9, 9]);
    }
}
