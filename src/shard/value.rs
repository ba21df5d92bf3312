//! Stored values and the entry that wraps them with expiry and access time.

use super::{CompactBytes, Hash, List, Set, Stream, ZSet};

/// A stored value: a string or one of the collection types, each in its
/// own module with its encodings. A value is 24 bytes, a string's size:
/// hashes, sets and sorted sets are 16-byte handles held inline (a small
/// one is a single exactly sized buffer), lists and streams are boxed.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(CompactBytes),
    List(Box<List>),
    Hash(Hash),
    Set(Set),
    ZSet(ZSet),
    Stream(Box<Stream>),
}

impl Value {
    /// The type name TYPE and SCAN TYPE use.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
            Value::Stream(_) => "stream",
        }
    }

    /// The encoding OBJECT ENCODING reports.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Str(b) => {
                if b.is_raw() {
                    "raw"
                } else if b.len() <= 20 && crate::util::num::parse_i64(b).is_some() {
                    "int"
                } else if b.len() <= 44 {
                    "embstr"
                } else {
                    "raw"
                }
            }
            Value::List(l) => l.encoding(),
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::ZSet(z) => z.encoding(),
            Value::Stream(s) => s.encoding(),
        }
    }
}

/// A key's entry: its value, absolute expiry time and last access time.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub value: Value,
    /// Unix time in milliseconds when the key expires; 0 = never.
    pub expire: u64,
    /// Last access, in seconds of the shard's LRU clock.
    pub access: u32,
}

impl Entry {
    pub fn new(value: Value) -> Entry {
        Entry { value, expire: 0, access: crate::shard::expire::lru_clock() }
    }

    #[inline]
    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.expire != 0 && self.expire <= now_ms
    }
}
