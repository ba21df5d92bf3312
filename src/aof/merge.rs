//! Merging the shards' record streams into the one order of the file.
//!
//! Each shard's chunks arrive in the order the shard ran its commands. A
//! single-shard command touches keys of its shard only, so records of
//! different shards commute and may be interleaved in any way. A
//! multi-shard step (the coordinator's commands, FLUSHALL, FLUSHDB,
//! SWAPDB) is a `Barrier` in the stream of every shard it locked; its
//! record is written once every one of those shards has reached it, after
//! everything they propagated before it and before anything after.
//!
//! Why that order is right: a step holds the locks of all its shards at
//! once (taken in ascending order, released after it wrote back), so two
//! steps sharing a shard cannot overlap there, and one that came first on
//! one shard held all its locks before the other could hold any of them:
//! it comes first on every shard they share (two-phase locking gives one
//! serial order of the steps). So the barriers appear in the same relative
//! order in every stream, the merge never waits on a cycle, and the file
//! is a serial history equivalent to what the shards did.

use crate::server::propagate::{Barrier, Chunk, Item};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// A chunk partly written.
struct Pending {
    chunk: Chunk,
    item: usize,
    start: usize,
}

/// What the merge emits, in file order.
pub enum Event<'a> {
    /// Commands of a database.
    Cmds(u32, &'a [u8]),
    /// A barrier was passed (after its commands): markers such as a
    /// rewrite's switch to a new file take effect here.
    Passed(u64),
}

/// The merge state: per shard, the chunks not fully written.
pub struct Merge {
    queues: Vec<VecDeque<Pending>>,
    /// Per shard, the barrier it waits at.
    waiting: Vec<Option<Arc<Barrier>>>,
    /// Per barrier, how many shards reached it.
    arrived: HashMap<u64, usize>,
}

impl Merge {
    pub fn new(shards: usize) -> Merge {
        Merge {
            queues: (0..shards).map(|_| VecDeque::new()).collect(),
            waiting: vec![None; shards],
            arrived: HashMap::new(),
        }
    }

    pub fn push(&mut self, shard: usize, chunk: Chunk) {
        if let Some(q) = self.queues.get_mut(shard) {
            q.push_back(Pending { chunk, item: 0, start: 0 });
        }
    }

    /// Whether nothing is held back (every record received was emitted).
    pub fn idle(&self) -> bool {
        self.queues.iter().all(|q| q.is_empty())
    }

    /// Emits, in a valid order, everything that can be.
    pub fn drain(&mut self, emit: &mut dyn FnMut(Event)) {
        loop {
            let mut progress = false;
            for s in 0..self.queues.len() {
                if self.waiting[s].is_some() {
                    continue;
                }
                let q = &mut self.queues[s];
                while let Some(p) = q.front_mut() {
                    let Some(item) = p.chunk.items.get(p.item) else {
                        q.pop_front();
                        continue;
                    };
                    match item {
                        Item::Cmds { db, end } => {
                            emit(Event::Cmds(*db, &p.chunk.bytes[p.start..*end]));
                            p.start = *end;
                            p.item += 1;
                            progress = true;
                        }
                        Item::Barrier(b) => {
                            *self.arrived.entry(b.id).or_insert(0) += 1;
                            self.waiting[s] = Some(b.clone());
                            progress = true;
                            break;
                        }
                    }
                }
            }
            // Barriers every part of which has arrived.
            let complete: Vec<Arc<Barrier>> = self
                .waiting
                .iter()
                .flatten()
                .filter(|b| self.arrived.get(&b.id).is_some_and(|&n| n >= b.parts))
                .cloned()
                .collect();
            for b in complete {
                if self.arrived.remove(&b.id).is_none() {
                    continue;
                }
                for (db, bytes) in b.ops.groups() {
                    emit(Event::Cmds(db, bytes));
                }
                emit(Event::Passed(b.id));
                for s in 0..self.queues.len() {
                    if self.waiting[s].as_ref().is_some_and(|w| w.id == b.id) {
                        self.waiting[s] = None;
                        if let Some(p) = self.queues[s].front_mut() {
                            p.item += 1;
                        }
                    }
                }
                progress = true;
            }
            if !progress {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::propagate::Unit;

    fn cmds(list: &[&str]) -> Chunk {
        let mut c = Chunk::default();
        let mut u = Unit::default();
        for w in list {
            u.push(0, &[*w]);
            u.finish(&mut c);
        }
        c
    }

    fn with_barrier(before: &[&str], b: &Arc<Barrier>, after: &[&str]) -> Chunk {
        let mut c = cmds(before);
        c.items.push(Item::Barrier(b.clone()));
        let tail = cmds(after);
        let off = c.bytes.len();
        c.bytes.extend_from_slice(&tail.bytes);
        for it in tail.items {
            if let Item::Cmds { db, end } = it {
                c.items.push(Item::Cmds { db, end: end + off });
            }
        }
        c
    }

    fn names(out: &[u8]) -> Vec<String> {
        String::from_utf8_lossy(out)
            .split("\r\n")
            .filter(|l| !l.is_empty() && !l.starts_with('*') && !l.starts_with('$'))
            .map(String::from)
            .collect()
    }

    #[test]
    fn a_barrier_waits_for_every_part() {
        let mut m = Merge::new(2);
        let b = Arc::new(Barrier { id: 7, parts: 2, ops: cmds(&["FLUSHALL"]) });
        let mut out = Vec::new();
        m.push(0, with_barrier(&["A1"], &b, &["A2"]));
        let mut collect = |e: Event| {
            if let Event::Cmds(_, bytes) = e {
                out.extend_from_slice(bytes)
            }
        };
        m.drain(&mut collect);
        assert_eq!(names(&out), ["A1"]);
        assert!(!m.idle());
        m.push(1, with_barrier(&["B1"], &b, &["B2"]));
        let mut passed = Vec::new();
        m.drain(&mut |e: Event| match e {
            Event::Cmds(_, bytes) => out.extend_from_slice(bytes),
            Event::Passed(id) => passed.push(id),
        });
        assert_eq!(passed, [7]);
        let n = names(&out);
        assert_eq!(&n[..3], ["A1", "B1", "FLUSHALL"]);
        assert!(n[3..].contains(&"A2".to_string()) && n[3..].contains(&"B2".to_string()));
        assert!(m.idle());
    }
}
