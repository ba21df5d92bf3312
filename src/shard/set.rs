//! Set values (SADD, SMEMBERS, ...): distinct members, as an intset while
//! every member is an integer in canonical form (what Redis's string2ll
//! accepts) and there are at most set-max-intset-entries of them, and as a
//! hash table beyond (Redis 7.0 has no listpack sets); as in Redis, a set
//! never converts back.

use super::intset::IntSet;
use super::table::Table;
use crate::util::num::{fmt_i64, parse_i64};
use bytes::Bytes;

/// Redis caps an intset at 2^30 members whatever the setting.
const INTSET_MAX: usize = 1 << 30;

/// A set value.
#[derive(Debug, Clone, PartialEq)]
pub enum Set {
    IntSet(IntSet),
    Table(Box<Table<()>>),
}

/// A member as the set holds it: an intset's integer or a table's bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Member<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl Member<'_> {
    /// The member's bytes (an integer in decimal).
    pub fn to_bytes(self) -> Bytes {
        match self {
            Member::Int(v) => Bytes::copy_from_slice(fmt_i64(v, &mut [0; 20])),
            Member::Str(s) => Bytes::copy_from_slice(s),
        }
    }

    /// Runs `f` on the member's bytes without allocating.
    pub fn with_bytes<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Member::Int(v) => f(fmt_i64(v, &mut [0; 20])),
            Member::Str(s) => f(s),
        }
    }
}

/// An empty intset, what Redis starts a computed set (SUNIONSTORE ...) as.
impl Default for Set {
    fn default() -> Self {
        Set::IntSet(IntSet::default())
    }
}

impl Set {
    /// An empty set of the encoding Redis starts with for `first`: an
    /// intset when it is an integer.
    pub fn for_member(first: &[u8]) -> Set {
        match parse_i64(first) {
            Some(_) => Set::IntSet(IntSet::default()),
            None => Set::Table(Box::default()),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Set::IntSet(s) => s.len(),
            Set::Table(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            Set::IntSet(_) => "intset",
            Set::Table(_) => "hashtable",
        }
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        match self {
            Set::IntSet(s) => parse_i64(m).is_some_and(|v| s.contains(v)),
            Set::Table(t) => t.contains(m),
        }
    }

    /// `contains` for a member of another set.
    pub fn contains_member(&self, m: Member) -> bool {
        match (self, m) {
            (Set::IntSet(s), Member::Int(v)) => s.contains(v),
            _ => m.with_bytes(|b| self.contains(b)),
        }
    }

    /// Adds `m`, converting to a table when it is not an integer or the
    /// intset grows past `max_intset`; true when it was not there.
    pub fn insert(&mut self, m: &[u8], max_intset: usize) -> bool {
        match self {
            Set::IntSet(s) => match parse_i64(m) {
                Some(v) => self.insert_int(v, max_intset),
                None => {
                    let mut t = Table::with_capacity(s.len() + 1);
                    for v in s.iter() {
                        t.insert(fmt_i64(v, &mut [0; 20]), ());
                    }
                    t.insert(m, ());
                    *self = Set::Table(Box::new(t));
                    true
                }
            },
            Set::Table(t) => t.insert(m, ()).is_none(),
        }
    }

    /// `insert` for a member of another set.
    pub fn insert_member(&mut self, m: Member, max_intset: usize) -> bool {
        match (&*self, m) {
            (Set::IntSet(_), Member::Int(v)) => self.insert_int(v, max_intset),
            _ => m.with_bytes(|b| self.insert(b, max_intset)),
        }
    }

    fn insert_int(&mut self, v: i64, max_intset: usize) -> bool {
        let Set::IntSet(s) = self else { return self.insert(fmt_i64(v, &mut [0; 20]), max_intset) };
        if !s.insert(v) {
            return false;
        }
        if s.len() > max_intset.min(INTSET_MAX) {
            let mut t = Table::with_capacity(s.len());
            for v in s.iter() {
                t.insert(fmt_i64(v, &mut [0; 20]), ());
            }
            *self = Set::Table(Box::new(t));
        }
        true
    }

    /// Removes `m`; true when it was there.
    pub fn remove(&mut self, m: &[u8]) -> bool {
        match self {
            Set::IntSet(s) => parse_i64(m).is_some_and(|v| s.remove(v)),
            Set::Table(t) => t.remove(m).is_some(),
        }
    }

    /// The member at position `i` (`i < len`); positions are dense, so a
    /// uniform random position is a uniform random member.
    pub fn at(&self, i: usize) -> Member<'_> {
        match self {
            Set::IntSet(s) => Member::Int(s.get(i)),
            Set::Table(t) => Member::Str(t.at(i).0),
        }
    }

    /// Removes the member at position `i` (`i < len`) and returns it.
    pub fn remove_at(&mut self, i: usize) -> Bytes {
        match self {
            Set::IntSet(s) => {
                let v = s.get(i);
                s.remove(v);
                Member::Int(v).to_bytes()
            }
            Set::Table(t) => Bytes::from(t.remove_at(i).0.into_vec()),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Member<'_>> {
        let (ints, table) = match self {
            Set::IntSet(s) => (Some(s.iter().map(Member::Int)), None),
            Set::Table(t) => (None, Some(t.iter().map(|(k, _)| Member::Str(k)))),
        };
        ints.into_iter().flatten().chain(table.into_iter().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intset_until_a_string_or_too_many() {
        let mut s = Set::for_member(b"1");
        assert!(s.insert(b"1", 3) && !s.insert(b"1", 3));
        s.insert(b"-2", 3);
        s.insert(b"3", 3);
        assert_eq!(s.encoding(), "intset");
        assert!(s.contains(b"-2") && !s.contains(b"02") && !s.contains(b"x"));
        s.insert(b"4", 3);
        assert_eq!((s.encoding(), s.len()), ("hashtable", 4));
        assert!(s.contains(b"-2") && s.contains_member(Member::Int(4)));
        let mut s = Set::for_member(b"7");
        s.insert(b"7", 512);
        s.insert(b"007", 512);
        assert_eq!(s.encoding(), "hashtable", "a non-canonical integer is a string");
        assert!(s.contains(b"7") && s.contains(b"007"));
        assert_eq!(Set::for_member(b"abc").encoding(), "hashtable");
    }

    #[test]
    fn a_set_fits_in_a_value() {
        // Held by `Value` itself: a small set is its intset's one buffer.
        assert_eq!(std::mem::size_of::<Set>(), 16);
        assert_eq!(std::mem::size_of::<crate::shard::Value>(), 24);
    }

    #[test]
    fn remove_at_empties_both_encodings() {
        for first in [&b"1"[..], b"a"] {
            let mut s = Set::for_member(first);
            for m in [first, b"2", b"3"] {
                s.insert(m, 512);
            }
            let mut got: Vec<Bytes> = (0..3).map(|_| s.remove_at(0)).collect();
            got.sort();
            assert!(s.is_empty());
            assert_eq!(got.len(), 3);
        }
    }
}
