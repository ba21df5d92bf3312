//! Hash values (HSET, HGET, ...): field -> value, as a listpack while small
//! (at most hash-max-listpack-entries fields, none of the fields and values
//! longer than hash-max-listpack-value bytes) and as a hash table beyond;
//! as in Redis, a hash never converts back.

use super::listpack::Listpack;
use super::table::Table;

/// Redis caps a listpack at 1 GiB.
const LISTPACK_MAX_BYTES: usize = 1 << 30;

/// A hash value.
#[derive(Debug, Clone, PartialEq)]
pub enum Hash {
    Listpack(Listpack),
    Table(Box<Table<Box<[u8]>>>),
}

/// The listpack thresholds (hash-max-listpack-entries / -value).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub entries: usize,
    pub value: usize,
}

impl Default for Hash {
    fn default() -> Self {
        Hash::Listpack(Listpack::default())
    }
}

impl Hash {
    pub fn len(&self) -> usize {
        match self {
            Hash::Listpack(l) => l.len(),
            Hash::Table(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            Hash::Listpack(_) => "listpack",
            Hash::Table(_) => "hashtable",
        }
    }

    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match self {
            Hash::Listpack(l) => l.get(field),
            Hash::Table(t) => t.get(field).map(|v| &**v),
        }
    }

    /// Sets `field` to `value`, converting to a table first when either is
    /// too long for the listpack and after when it has too many fields;
    /// true when the field is new.
    pub fn insert(&mut self, field: &[u8], value: &[u8], lim: Limits) -> bool {
        if let Hash::Listpack(l) = self {
            let long = field.len().max(value.len()) > lim.value;
            if long || l.bytes() + field.len() + value.len() > LISTPACK_MAX_BYTES {
                self.convert();
            }
        }
        match self {
            Hash::Listpack(l) => {
                let new = l.insert(field, value);
                if l.len() > lim.entries {
                    self.convert();
                }
                new
            }
            Hash::Table(t) => t.insert(field, value.into()).is_none(),
        }
    }

    /// Removes `field`; true when it was there.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(l) => l.remove(field),
            Hash::Table(t) => t.remove(field).is_some(),
        }
    }

    /// Every field and value, in the encoding's order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        let (pack, table) = match self {
            Hash::Listpack(l) => (Some(l.iter()), None),
            Hash::Table(t) => (None, Some(t.iter().map(|(k, v)| (k, &**v)))),
        };
        pack.into_iter().flatten().chain(table.into_iter().flatten())
    }

    /// The pairs by position, for random picks: the table's own dense
    /// order, or the listpack walked once.
    pub fn positions(&self) -> Positions<'_> {
        match self {
            Hash::Listpack(l) => Positions::Pairs(l.iter().collect()),
            Hash::Table(t) => Positions::Table(t),
        }
    }

    fn convert(&mut self) {
        if let Hash::Listpack(l) = self {
            let mut t = Table::with_capacity(l.len());
            for (f, v) in l.iter() {
                t.insert(f, v.into());
            }
            *self = Hash::Table(Box::new(t));
        }
    }
}

/// A hash's pairs, indexable by position.
pub enum Positions<'a> {
    Pairs(Vec<(&'a [u8], &'a [u8])>),
    Table(&'a Table<Box<[u8]>>),
}

impl Positions<'_> {
    pub fn len(&self) -> usize {
        match self {
            Positions::Pairs(p) => p.len(),
            Positions::Table(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The pair at `i` (`i < len`).
    pub fn at(&self, i: usize) -> (&[u8], &[u8]) {
        match self {
            Positions::Pairs(p) => p[i],
            Positions::Table(t) => {
                let (k, v) = t.at(i);
                (k, v)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIM: Limits = Limits { entries: 4, value: 8 };

    #[test]
    fn converts_on_long_values_and_many_fields() {
        let mut h = Hash::default();
        assert!(h.insert(b"a", b"1", LIM));
        assert!(!h.insert(b"a", b"12345678", LIM));
        assert_eq!(h.encoding(), "listpack");
        h.insert(b"a", b"123456789", LIM);
        assert_eq!((h.encoding(), h.get(b"a")), ("hashtable", Some(&b"123456789"[..])));
        let mut h = Hash::default();
        for f in [&b"a"[..], b"b", b"c", b"d"] {
            h.insert(f, b"v", LIM);
        }
        assert_eq!(h.encoding(), "listpack");
        h.insert(b"e", b"v", LIM);
        assert_eq!((h.encoding(), h.len()), ("hashtable", 5));
        assert!(h.remove(b"e") && !h.remove(b"e"));
        assert_eq!(h.encoding(), "hashtable", "never converts back");
        let p = h.positions();
        let mut all: Vec<_> = (0..p.len()).map(|i| p.at(i).0.to_vec()).collect();
        all.sort();
        assert_eq!(all, vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec(), b"d".to_vec()]);
    }

    #[test]
    fn a_small_hash_is_two_small_allocations() {
        // The value's box (this enum) and the listpack's buffer.
        assert!(std::mem::size_of::<Hash>() <= 24);
    }

    #[test]
    fn zero_entries_means_a_table_at_once() {
        let mut h = Hash::default();
        h.insert(b"f", b"v", Limits { entries: 0, value: 64 });
        assert_eq!(h.encoding(), "hashtable");
    }
}
