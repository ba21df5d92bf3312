//! One shard's part of a snapshot: the walk over its (database, slot) pairs
//! that writes each slot's entries to the shard's part file in small,
//! time-budgeted steps between requests, and the slot-granular
//! copy-on-write that keeps the part at the cut's point in time.
//!
//! A slot counts as written when the walk has passed it, when it was
//! written early (a write was about to change it: `touch`), or when its
//! database was empty at the cut. Every write to a slot that is not written
//! yet first writes the slot as it is, so whatever the walk finds later is
//! the state at the cut. The bytes written early and the largest buffer
//! held are the snapshot's extra memory (INFO rdb_last_cow_size).

use super::file;
use crate::rdb;
use crate::server::shard::Shard;
use crate::shard::slot::SLOTS;
use crate::shard::Db;
use std::fs::File;
use std::io::Write;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// What every shard needs to start its part; the same for all of them.
pub struct Plan {
    /// The snapshot's id: a part outlived by its snapshot never reports.
    pub gen: u64,
    /// The core waiting for the parts, and each shard's reply tag there.
    pub initiator: usize,
    pub tags: Vec<u32>,
    /// The temporary file; shard 0 writes the header and its part there.
    pub temp: String,
    /// The header's AUX fields.
    pub aux: Vec<(&'static str, Vec<u8>)>,
    pub compress: bool,
    /// Time-budgeted steps (BGSAVE) or as fast as possible (SAVE).
    pub background: bool,
    /// rdb-key-save-delay: microseconds to pause per key written (tests).
    pub key_delay_us: u64,
}

/// What a finished (or stopped) part reports to the initiator.
#[derive(Debug, Default)]
pub struct PartDone {
    pub bytes: u64,
    pub keys: u64,
    /// Bytes written early because of writes, plus the largest buffer.
    pub cow: u64,
    pub error: Option<String>,
    /// Stopped on purpose (FLUSHALL, SHUTDOWN): not a failure.
    pub aborted: bool,
}

/// Work done between two requests in the background.
const STEP: Duration = Duration::from_micros(250);
/// After a background step the walk pauses this many times as long as the
/// step took: it takes at most a third of its core, so a snapshot under
/// load costs the requests little latency and throughput.
const PAUSE_FACTOR: u32 = 2;
/// The buffer goes to the file once it holds this much.
const FLUSH_AT: usize = 64 * 1024;
/// Bits per early-written bitmap word.
const WORD: usize = 64;

/// A shard's running part.
pub struct Part {
    gen: u64,
    initiator: usize,
    tag: u32,
    /// Keys and keys with an expiry per database at the cut (RESIZEDB).
    counts: Vec<(u64, u64)>,
    /// The walk: the next (database, slot) to look at.
    db: usize,
    slot: usize,
    /// Per database, slots written ahead of the walk (empty until used).
    early: Vec<Vec<u64>>,
    /// The database the last SELECTDB in the part named.
    selected: Option<usize>,
    out: Vec<u8>,
    file: Option<File>,
    opts: rdb::SaveOptions,
    background: bool,
    key_delay_us: u64,
    done: PartDone,
    early_bytes: u64,
    peak_buffer: usize,
}

impl Part {
    /// Whether `slot` of database `db` is in the part already (or never
    /// will be: its database was empty at the cut).
    fn is_written(&self, db: usize, slot: usize) -> bool {
        if self.counts.get(db).is_none_or(|c| c.0 == 0) || (db, slot) < (self.db, self.slot) {
            return true;
        }
        self.early[db].get(slot / WORD).is_some_and(|w| w & (1 << (slot % WORD)) != 0)
    }

    fn mark_early(&mut self, db: usize, slot: usize) {
        let bits = &mut self.early[db];
        if bits.is_empty() {
            bits.resize(SLOTS / WORD, 0);
        }
        bits[slot / WORD] |= 1 << (slot % WORD);
    }

    /// Writes one slot's entries; returns how many keys it wrote.
    fn write_slot(&mut self, d: &Db, db: usize, slot: usize) -> u64 {
        if self.done.error.is_some() {
            return 0;
        }
        let mut keys = 0;
        for (k, e) in d.slot_entries(slot as u16) {
            if self.selected != Some(db) {
                let (n, vol) = self.counts[db];
                rdb::write_select_db(&mut self.out, db as u64, n, vol);
                self.selected = Some(db);
            }
            rdb::write_entry(&mut self.out, k, e, &self.opts);
            keys += 1;
        }
        self.done.keys += keys;
        self.peak_buffer = self.peak_buffer.max(self.out.len());
        if self.out.len() >= FLUSH_AT {
            self.flush();
        }
        keys
    }

    /// Writes a slot ahead of the walk, before a write changes it.
    fn write_early(&mut self, d: &Db, db: usize, slot: usize) {
        let before = self.out.len() as u64 + self.done.bytes;
        self.write_slot(d, db, slot);
        self.early_bytes += self.out.len() as u64 + self.done.bytes - before;
        self.mark_early(db, slot);
    }

    /// Moves the buffer to the part file.
    fn flush(&mut self) {
        if self.out.is_empty() || self.done.error.is_some() {
            return;
        }
        let Some(f) = self.file.as_mut() else { return };
        match f.write_all(&self.out) {
            Ok(()) => self.done.bytes += self.out.len() as u64,
            Err(e) => self.done.error = Some(format!("Write error saving DB on disk: {e}")),
        }
        self.out.clear();
    }

    /// The next slot the walk has to write, moving the walk to it.
    fn next_slot(&mut self, dbs: &[Db]) -> Option<(usize, usize)> {
        while self.db < dbs.len() {
            if self.counts[self.db].0 != 0 {
                while self.slot < SLOTS {
                    let s = self.slot;
                    if dbs[self.db].slot_len(s as u16) > 0 && !self.is_written(self.db, s) {
                        return Some((self.db, s));
                    }
                    self.slot += 1;
                }
            }
            self.db += 1;
            self.slot = 0;
        }
        None
    }
}

/// Starts this shard's part, inside the cut (every shard locked). Returns
/// the shard's write counter at the cut.
pub fn begin(shard: &Rc<Shard>, plan: &Plan) -> u64 {
    let ks = shard.ks.borrow();
    let path = file::part_path(&plan.temp, shard.id);
    let mut done = PartDone::default();
    let file = match File::create(&path) {
        Ok(f) => Some(f),
        Err(e) => {
            let cwd = std::env::current_dir().map(|p| p.display().to_string()).unwrap_or_default();
            done.error =
                Some(format!("Failed opening the temp RDB file {path} (in server root dir {cwd}) for saving: {e}"));
            None
        }
    };
    let mut part = Part {
        gen: plan.gen,
        initiator: plan.initiator,
        tag: plan.tags[shard.id],
        counts: ks.dbs.iter().map(|d| (d.len() as u64, d.volatile() as u64)).collect(),
        db: 0,
        slot: 0,
        early: vec![Vec::new(); ks.dbs.len()],
        selected: None,
        out: Vec::with_capacity(FLUSH_AT + 4096),
        file,
        opts: rdb::SaveOptions { compress: plan.compress },
        background: plan.background,
        key_delay_us: plan.key_delay_us,
        done,
        early_bytes: 0,
        peak_buffer: 0,
    };
    if shard.id == 0 {
        let aux: Vec<(&str, &[u8])> = plan.aux.iter().map(|(k, v)| (*k, v.as_slice())).collect();
        rdb::write_header(&mut part.out, &aux);
    }
    let total: u64 = part.counts.iter().map(|c| c.0).sum();
    shard.shared.persist.current_total.fetch_add(total, std::sync::atomic::Ordering::Relaxed);
    *shard.snapshot.borrow_mut() = Some(Box::new(part));
    shard.snapshotting.set(true);
    glommio::spawn_local(walk(shard.clone(), plan.gen)).detach();
    ks.dirty
}

/// What one step of the walk leaves to do.
enum Step {
    /// More to write; pause this long first (so the core's connections
    /// run and its I/O is polled).
    More(Duration),
    Finished,
    /// The part was stopped or replaced meanwhile.
    Gone,
}

/// The background walk of one part.
async fn walk(shard: Rc<Shard>, gen: u64) {
    loop {
        match step(&shard, gen) {
            Step::More(pause) => glommio::timer::sleep(pause).await,
            Step::Finished => {
                finish(&shard);
                return;
            }
            Step::Gone => return,
        }
    }
}

/// Writes slots for at most a step's time (all of them when not in the
/// background; one slot when a per-key delay is set).
fn step(shard: &Shard, gen: u64) -> Step {
    let mut snap = shard.snapshot.borrow_mut();
    let Some(p) = snap.as_mut().filter(|p| p.gen == gen) else { return Step::Gone };
    let ks = shard.ks.borrow();
    let start = Instant::now();
    loop {
        if p.done.error.is_some() {
            return Step::Finished;
        }
        let Some((db, slot)) = p.next_slot(&ks.dbs) else { return Step::Finished };
        let keys = p.write_slot(&ks.dbs[db], db, slot);
        shard.shared.persist.progress(keys, 0);
        p.slot += 1;
        if p.key_delay_us > 0 {
            return Step::More(Duration::from_micros(p.key_delay_us.saturating_mul(keys.max(1))));
        }
        let took = start.elapsed();
        if p.background && took >= STEP {
            return Step::More(took * PAUSE_FACTOR);
        }
    }
}

/// Ends this shard's part and reports it to the initiator.
fn finish(shard: &Shard) {
    let Some(mut p) = shard.snapshot.borrow_mut().take() else { return };
    shard.snapshotting.set(false);
    p.flush();
    if p.done.error.is_none() {
        if let Some(Err(e)) = p.file.as_mut().map(|f| f.flush()) {
            p.done.error = Some(format!("Write error saving DB on disk: {e}"));
        }
    }
    p.done.cow = p.early_bytes + p.peak_buffer as u64;
    report(shard, p.initiator, p.tag, p.done);
}

/// Stops this shard's part, if one runs (FLUSHALL, SHUTDOWN): the
/// initiator hears it was aborted and removes the files.
pub fn abort(shard: &Shard) {
    let Some(p) = shard.snapshot.borrow_mut().take() else { return };
    shard.snapshotting.set(false);
    report(shard, p.initiator, p.tag, PartDone { aborted: true, ..PartDone::default() });
}

fn report(shard: &Shard, to: usize, tag: u32, done: PartDone) {
    if to == shard.id {
        shard.peer.pending.complete(tag, Box::new(done));
    } else {
        shard.peer.reply(to, tag, Box::new(done));
    }
}

/// Copy-on-write: writes `slot` of database `n` (`d`) into the running
/// part first if the walk has not written it yet.
pub fn touch(shard: &Shard, d: &Db, n: usize, slot: usize) {
    let mut snap = shard.snapshot.borrow_mut();
    let Some(p) = snap.as_mut() else { return };
    if !p.is_written(n, slot) {
        let (keys, early) = (p.done.keys, p.early_bytes);
        p.write_early(d, n, slot);
        shard.shared.persist.progress(p.done.keys - keys, p.early_bytes - early);
    }
}

/// Writes every slot of database `n` the part still lacks (before FLUSHDB,
/// SWAPDB and the like change the whole database). Empty slots count as
/// written too: whatever the database holds later is not the cut's.
pub fn finish_db(shard: &Shard, d: &Db, n: usize) {
    let mut snap = shard.snapshot.borrow_mut();
    let Some(p) = snap.as_mut() else { return };
    let (keys, early) = (p.done.keys, p.early_bytes);
    for slot in 0..SLOTS {
        if p.is_written(n, slot) {
            continue;
        }
        if d.slot_len(slot as u16) > 0 {
            p.write_early(d, n, slot);
        } else {
            p.mark_early(n, slot);
        }
    }
    shard.shared.persist.progress(p.done.keys - keys, p.early_bytes - early);
}
