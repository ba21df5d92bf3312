//! Hash values (HSET, HGET, ...): field -> value, and the encoding OBJECT
//! ENCODING reports (listpack while small, hashtable beyond
//! hash-max-listpack-entries / hash-max-listpack-value).

use bytes::Bytes;
use std::collections::HashMap;

/// A hash value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Hash {
    pub fields: HashMap<Bytes, Bytes>,
}

impl Hash {
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    pub fn encoding(&self) -> &'static str {
        "hashtable"
    }
}
