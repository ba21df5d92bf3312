//! Consumer groups of a stream: the group's last delivered ID and read
//! counter, its pending entries list (PEL: delivered, not yet acknowledged
//! entries, each owned by one consumer) and its consumers, each with the
//! IDs of the pending entries it owns.

use super::{Log, StreamId};
use bytes::Bytes;
use std::collections::{BTreeMap, BTreeSet};

/// A pending entry: who has it, when it was last delivered (Unix ms) and
/// how many times.
#[derive(Debug, Clone, PartialEq)]
pub struct Nack {
    pub consumer: Bytes,
    pub delivery_time: u64,
    pub delivery_count: u64,
}

/// A consumer: when it was last active (Unix ms) and the entries it owns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Consumer {
    pub seen_time: u64,
    pub pel: BTreeSet<StreamId>,
}

/// A consumer group.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub last_id: StreamId,
    /// Entries the group has read, when known.
    pub entries_read: Option<u64>,
    pub pel: BTreeMap<StreamId, Nack>,
    /// Consumers by name, in name order.
    pub consumers: BTreeMap<Bytes, Consumer>,
}

impl Group {
    pub fn new(last_id: StreamId, entries_read: Option<u64>) -> Group {
        Group { last_id, entries_read, pel: BTreeMap::new(), consumers: BTreeMap::new() }
    }

    /// The consumer `name`, created when missing (then `true`); its seen
    /// time becomes `now`.
    pub fn consumer(&mut self, name: &Bytes, now: u64) -> (&mut Consumer, bool) {
        let created = !self.consumers.contains_key(name);
        let c = self.consumers.entry(name.clone()).or_default();
        c.seen_time = now;
        (c, created)
    }

    /// Records that entry `id` of `log` was read by the group: the last
    /// delivered ID moves up and the read counter follows when it can.
    pub fn advance(&mut self, log: &Log, id: StreamId) {
        if id <= self.last_id {
            return;
        }
        match self.entries_read {
            Some(n) if !log.range_has_tombstones(id, StreamId::MAX) => self.entries_read = Some(n.wrapping_add(1)),
            _ if log.entries_added > 0 => self.entries_read = log.entries_up_to(id),
            _ => {}
        }
        self.last_id = id;
    }

    /// Puts entry `id` in `consumer`'s PEL as just delivered, taking it
    /// from whoever had it.
    pub fn deliver(&mut self, id: StreamId, consumer: &Bytes, now: u64) {
        let nack = Nack { consumer: consumer.clone(), delivery_time: now, delivery_count: 1 };
        if let Some(old) = self.pel.insert(id, nack) {
            if let Some(c) = self.consumers.get_mut(&old.consumer) {
                c.pel.remove(&id);
            }
        }
        if let Some(c) = self.consumers.get_mut(consumer) {
            c.pel.insert(id);
        }
    }

    /// Acknowledges `id`: removes it from the group's and its owner's PEL.
    pub fn ack(&mut self, id: StreamId) -> bool {
        match self.pel.remove(&id) {
            Some(nack) => {
                if let Some(c) = self.consumers.get_mut(&nack.consumer) {
                    c.pel.remove(&id);
                }
                true
            }
            None => false,
        }
    }

    /// Gives pending entry `id` to `consumer` (which must exist), creating
    /// the PEL entry (delivered once) when missing; its delivery time
    /// becomes `time`, its count `retry` when given, else one more when
    /// `bump`.
    pub fn claim(&mut self, id: StreamId, consumer: &Bytes, time: u64, retry: Option<u64>, bump: bool) {
        let nack =
            self.pel.entry(id).or_insert_with(|| Nack { consumer: Bytes::new(), delivery_time: 0, delivery_count: 1 });
        if nack.consumer != *consumer {
            if let Some(old) = self.consumers.get_mut(&nack.consumer) {
                old.pel.remove(&id);
            }
            nack.consumer = consumer.clone();
        }
        nack.delivery_time = time;
        match retry {
            Some(n) => nack.delivery_count = n,
            None if bump => nack.delivery_count += 1,
            None => {}
        }
        if let Some(c) = self.consumers.get_mut(consumer) {
            c.pel.insert(id);
        }
    }

    /// Deletes consumer `name` and its pending entries; returns how many
    /// it had, or None when there is no such consumer.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let c = self.consumers.remove(name)?;
        for id in &c.pel {
            self.pel.remove(id);
        }
        Some(c.pel.len())
    }

    /// Entries the group has yet to read, when that can be known (negative
    /// when XSETID lowered the stream's count below the group's, as Redis
    /// reports it).
    pub fn lag(&self, log: &Log) -> Option<i64> {
        if log.entries_added == 0 {
            return Some(0);
        }
        let lag = |read: u64| (log.entries_added as i64).wrapping_sub(read as i64);
        if let Some(read) = self.entries_read {
            if !log.range_has_tombstones(self.last_id, StreamId::MAX) {
                return Some(lag(read));
            }
        }
        log.entries_up_to(self.last_id).map(lag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deliver_claim_ack() {
        let (alice, bob) = (Bytes::from_static(b"alice"), Bytes::from_static(b"bob"));
        let mut g = Group::new(StreamId::MIN, Some(0));
        g.consumer(&alice, 1);
        g.consumer(&bob, 1);
        let id = StreamId::new(1, 0);
        g.deliver(id, &alice, 10);
        assert!(g.consumers[&alice].pel.contains(&id));
        g.deliver(id, &bob, 20);
        assert!(!g.consumers[&alice].pel.contains(&id) && g.consumers[&bob].pel.contains(&id));
        g.claim(id, &alice, 30, Some(7), true);
        assert_eq!(g.pel[&id], Nack { consumer: alice.clone(), delivery_time: 30, delivery_count: 7 });
        assert!(g.consumers[&bob].pel.is_empty());
        assert!(g.ack(id) && !g.ack(id));
        assert!(g.consumers[&alice].pel.is_empty());
        g.deliver(id, &alice, 40);
        assert_eq!(g.delete_consumer(b"alice"), Some(1));
        assert!(g.pel.is_empty());
    }

    #[test]
    fn lag_goes_negative_as_redis() {
        let mut log = Log::default();
        log.append(StreamId::new(1, 0), &[Bytes::from_static(b"f"), Bytes::from_static(b"v")], 100, 4096).unwrap();
        let g = Group::new(StreamId::new(1, 0), Some(5));
        assert_eq!(g.lag(&log), Some(-4));
        assert_eq!(Group::new(StreamId::MIN, None).lag(&log), Some(1));
    }
}
