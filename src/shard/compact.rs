//! `CompactBytes`: the byte string keys and string values are stored as.
//! Up to `INLINE` bytes live inside the 24-byte value itself (no
//! allocation: most keys and many values are this short); longer ones are a
//! boxed `Bytes`, so a GET of a big value shares it instead of copying.

use bytes::{Bytes, BytesMut};
use std::borrow::Borrow;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// The longest byte string stored inline.
pub const INLINE: usize = 22;

/// An immutable byte string, inline when short.
#[derive(Clone)]
pub enum CompactBytes {
    Inline { len: u8, data: [u8; INLINE] },
    Heap(Box<Bytes>),
}

impl CompactBytes {
    /// A copy of `b`.
    pub fn from_slice(b: &[u8]) -> CompactBytes {
        match Self::inline(b) {
            Some(c) => c,
            None => CompactBytes::Heap(Box::new(Bytes::copy_from_slice(b))),
        }
    }

    fn inline(b: &[u8]) -> Option<CompactBytes> {
        (b.len() <= INLINE).then(|| {
            let mut data = [0u8; INLINE];
            data[..b.len()].copy_from_slice(b);
            CompactBytes::Inline { len: b.len() as u8, data }
        })
    }

    pub fn as_bytes(&self) -> &[u8] {
        match self {
            CompactBytes::Inline { len, data } => &data[..*len as usize],
            CompactBytes::Heap(b) => b,
        }
    }

    /// The bytes as a `Bytes`: shared when on the heap, copied when inline.
    pub fn to_bytes(&self) -> Bytes {
        match self {
            CompactBytes::Inline { .. } => Bytes::copy_from_slice(self.as_bytes()),
            CompactBytes::Heap(b) => (**b).clone(),
        }
    }

    /// Changes the bytes in place (APPEND, SETRANGE, SETBIT, HLL updates):
    /// a heap string no reply still shares is edited without a copy.
    pub fn edit<R>(&mut self, f: impl FnOnce(&mut BytesMut) -> R) -> R {
        let mut m = match std::mem::replace(self, CompactBytes::Inline { len: 0, data: [0; INLINE] }) {
            CompactBytes::Heap(b) => BytesMut::from(*b),
            inline => BytesMut::from(inline.as_bytes()),
        };
        let r = f(&mut m);
        *self = m.freeze().into();
        r
    }
}

impl Default for CompactBytes {
    fn default() -> Self {
        CompactBytes::Inline { len: 0, data: [0; INLINE] }
    }
}

impl From<Bytes> for CompactBytes {
    fn from(b: Bytes) -> Self {
        Self::inline(&b).unwrap_or_else(|| CompactBytes::Heap(Box::new(b)))
    }
}

impl From<BytesMut> for CompactBytes {
    fn from(b: BytesMut) -> Self {
        Self::inline(&b).unwrap_or_else(|| CompactBytes::Heap(Box::new(b.freeze())))
    }
}

impl From<Vec<u8>> for CompactBytes {
    fn from(v: Vec<u8>) -> Self {
        Self::inline(&v).unwrap_or_else(|| CompactBytes::Heap(Box::new(Bytes::from(v))))
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
        assert!(matches!(CompactBytes::from_slice(&[7; INLINE + 1]), CompactBytes::Heap(_)));
    }

    #[test]
    fn lookups_by_slice_find_either_form() {
        let mut m: HashMap<CompactBytes, u32> = HashMap::new();
        let long = vec![b'x'; 100];
        m.insert(CompactBytes::from("a"), 1);
        m.insert(CompactBytes::from(long.clone()), 2);
        assert_eq!(m.get(&b"a"[..]), Some(&1));
        assert_eq!(m.get(&long[..]), Some(&2));
    }

    #[test]
    fn edit_moves_between_inline_and_heap() {
        let mut s = CompactBytes::from("abc");
        s.edit(|m| m.extend_from_slice(&[b'd'; 30]));
        assert_eq!(s.len(), 33);
        assert!(matches!(s, CompactBytes::Heap(_)));
        s.edit(|m| m.truncate(2));
        assert_eq!(&*s, b"ab");
        assert!(matches!(s, CompactBytes::Inline { .. }));
    }

    #[test]
    fn heap_bytes_are_shared_not_copied() {
        let big = Bytes::from(vec![1u8; 1000]);
        let c = CompactBytes::from(big.clone());
        assert_eq!(c.to_bytes().as_ptr(), big.as_ptr());
    }
}
