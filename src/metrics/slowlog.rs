//! The slow log: commands that ran longer than slowlog-log-slower-than.

use bytes::Bytes;
use std::collections::VecDeque;

/// Arguments kept per entry, as Redis's SLOWLOG_ENTRY_MAX_ARGC.
const MAX_ARGC: usize = 32;
/// Bytes kept per argument, as Redis's SLOWLOG_ENTRY_MAX_STRING.
const MAX_STRING: usize = 128;

/// One logged command.
#[derive(Clone)]
pub struct SlowEntry {
    pub id: u64,
    pub time: u64,
    pub micros: u64,
    pub args: Vec<Bytes>,
    pub addr: String,
    pub name: String,
}

/// One core's slow log, newest first.
#[derive(Default)]
pub struct SlowLog {
    pub entries: VecDeque<SlowEntry>,
}

impl SlowLog {
    /// Adds an entry, trimming its arguments as Redis does, and drops the
    /// oldest beyond `max_len`.
    pub fn push(&mut self, mut e: SlowEntry, max_len: usize) {
        if e.args.len() > MAX_ARGC {
            let more = e.args.len() - MAX_ARGC + 1;
            e.args.truncate(MAX_ARGC - 1);
            e.args.push(Bytes::from(format!("... ({more} more arguments)")));
        }
        for a in &mut e.args {
            if a.len() > MAX_STRING {
                let more = a.len() - MAX_STRING;
                let mut t = a[..MAX_STRING].to_vec();
                t.extend_from_slice(format!("... ({more} more bytes)").as_bytes());
                *a = Bytes::from(t);
            }
        }
        self.entries.push_front(e);
        self.entries.truncate(max_len);
    }
}
