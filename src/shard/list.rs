//! List values (LPUSH, LRANGE, ...): the elements in order, and the encoding
//! OBJECT ENCODING reports (listpack while small, quicklist beyond
//! list-max-listpack-size).

use bytes::Bytes;
use std::collections::VecDeque;

/// A list value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct List {
    pub items: VecDeque<Bytes>,
}

impl List {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }
}
