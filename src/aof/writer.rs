//! The AOF writer: one thread that owns the open incremental file. Shards
//! hand it their chunks of records through a channel (no lock, no
//! syscall on a shard per command); it merges them (`merge`), adds
//! SELECT when the database changes and `#TS:` annotations when
//! aof-timestamp-enabled, writes each batch with one write(2) and fsyncs
//! as appendfsync says (always: after every batch; everysec: once a
//! second; no: never). Clients that wrote are answered once their records
//! are written (and, under always, fsynced).

use super::merge::{Event, Merge};
use super::{Fsync, GLOBAL};
use crate::server::propagate::Chunk;
use crate::{notice, warning};
use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// What the writer is asked to do.
pub enum ToWriter {
    /// Records of a shard, in its order.
    Chunk(usize, Chunk),
    /// Write and fsync everything received so far, then answer.
    Sync(Sender<()>),
    /// A new appendfsync policy / aof-timestamp-enabled.
    Policy(Fsync, bool),
    /// When the barrier with this id is passed (a rewrite's cut), fsync the
    /// current file and continue in `file` (the new incremental file).
    SwitchAt(u64, File),
    /// Write, fsync and stop.
    Stop(Sender<()>),
}

pub struct Writer {
    file: File,
    merge: Merge,
    out: Vec<u8>,
    /// The database the file's last command ran in (None: a new file).
    selected: Option<u32>,
    fsync: Fsync,
    timestamps: bool,
    last_ts: u64,
    last_fsync: Instant,
    unsynced: bool,
    /// Chunks received.
    received: u64,
    /// Files to switch to at barriers, by barrier id.
    pending: HashMap<u64, File>,
    /// Where in `out` to switch (offset, barrier id), in order.
    switches: Vec<(usize, u64)>,
}

/// How long the writer sleeps when nothing comes.
const IDLE_WAKE: Duration = Duration::from_millis(1000);

impl Writer {
    pub fn new(file: File, shards: usize, fsync: Fsync, timestamps: bool) -> Writer {
        Writer {
            file,
            merge: Merge::new(shards),
            out: Vec::with_capacity(64 * 1024),
            selected: None,
            fsync,
            timestamps,
            last_ts: 0,
            last_fsync: Instant::now(),
            unsynced: false,
            received: 0,
            pending: HashMap::new(),
            switches: Vec::new(),
        }
    }

    /// Runs until told to stop or every sender is gone.
    pub fn run(mut self, rx: Receiver<ToWriter>) {
        let mut answers: Vec<Sender<()>> = Vec::new();
        loop {
            let wait = match self.fsync {
                Fsync::EverySec if self.unsynced => {
                    Duration::from_secs(1).saturating_sub(self.last_fsync.elapsed()).max(Duration::from_millis(1))
                }
                _ => IDLE_WAKE,
            };
            let mut stop = None;
            match rx.recv_timeout(wait) {
                Ok(m) => self.take(m, &mut answers, &mut stop),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return self.finish(),
            }
            while stop.is_none() {
                match rx.try_recv() {
                    Ok(m) => self.take(m, &mut answers, &mut stop),
                    Err(_) => break,
                }
            }
            self.emit();
            self.write();
            let force = !answers.is_empty() || stop.is_some();
            self.maybe_fsync(force);
            if self.merge.idle() && self.out.is_empty() && (self.fsync != Fsync::Always || !self.unsynced) {
                super::synced(self.received);
            } else if super::write_failed() {
                super::wake_waiters();
            }
            for a in answers.drain(..) {
                let _ = a.send(());
            }
            if let Some(done) = stop {
                let _ = done.send(());
                return;
            }
        }
    }

    fn take(&mut self, m: ToWriter, answers: &mut Vec<Sender<()>>, stop: &mut Option<Sender<()>>) {
        match m {
            ToWriter::Chunk(shard, chunk) => {
                self.received += 1;
                self.merge.push(shard, chunk);
            }
            ToWriter::Sync(done) => answers.push(done),
            ToWriter::Policy(f, ts) => {
                self.fsync = f;
                self.timestamps = ts;
            }
            ToWriter::SwitchAt(id, file) => {
                self.pending.insert(id, file);
            }
            ToWriter::Stop(done) => *stop = Some(done),
        }
    }

    /// Moves what the merge can emit into the output buffer, noting where
    /// a switch of file falls.
    fn emit(&mut self) {
        let (out, selected) = (&mut self.out, &mut self.selected);
        let (timestamps, last_ts) = (self.timestamps, &mut self.last_ts);
        let (pending, switches) = (&self.pending, &mut self.switches);
        self.merge.drain(&mut |e| match e {
            Event::Cmds(db, bytes) => {
                if timestamps {
                    let now = crate::shard::expire::now_ms() / 1000;
                    if now != *last_ts {
                        *last_ts = now;
                        out.extend_from_slice(format!("#TS:{now}\r\n").as_bytes());
                    }
                }
                if *selected != Some(db) {
                    let n = db.to_string();
                    out.extend_from_slice(format!("*2\r\n$6\r\nSELECT\r\n${}\r\n{n}\r\n", n.len()).as_bytes());
                    *selected = Some(db);
                }
                out.extend_from_slice(bytes);
            }
            Event::Passed(id) if pending.contains_key(&id) => {
                switches.push((out.len(), id));
                // A new file starts with no database selected.
                *selected = None;
                *last_ts = 0;
            }
            Event::Passed(_) => {}
        });
    }

    /// Writes the output buffer, switching files where a rewrite's cut
    /// falls; on failure keeps what was not written (the file is cut back
    /// to where it was) and retries on the next round, as Redis does.
    fn write(&mut self) {
        loop {
            let upto = self.switches.first().map_or(self.out.len(), |s| s.0);
            if upto > 0 && !self.write_prefix(upto) {
                return;
            }
            match self.switches.first() {
                Some(&(0, id)) => {
                    self.switches.remove(0);
                    self.maybe_fsync(true);
                    if let Some(f) = self.pending.remove(&id) {
                        self.file = f;
                    }
                }
                _ => return,
            }
        }
    }

    /// Writes the first `n` bytes of the output buffer; false on failure.
    fn write_prefix(&mut self, n: usize) -> bool {
        let before = self.file.metadata().map(|m| m.len()).ok();
        match self.file.write_all(&self.out[..n]) {
            Ok(()) => {
                GLOBAL.current_size.fetch_add(n as u64, Ordering::Relaxed);
                self.out.drain(..n);
                for s in &mut self.switches {
                    s.0 -= n;
                }
                self.unsynced = true;
                if !GLOBAL.write_ok.swap(true, Ordering::AcqRel) {
                    warning!("AOF write error looks solved, Clover can write again.");
                }
                true
            }
            Err(e) => {
                if let Some(len) = before {
                    let _ = self.file.set_len(len);
                }
                if self.fsync == Fsync::Always {
                    warning!("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
                    std::process::exit(1);
                }
                if GLOBAL.write_ok.swap(false, Ordering::AcqRel) {
                    warning!("Error writing to the AOF file: {}", super::strerror(&e));
                }
                super::set_write_error(&e);
                false
            }
        }
    }

    fn maybe_fsync(&mut self, force: bool) {
        if !self.unsynced {
            return;
        }
        let due = match self.fsync {
            Fsync::Always => true,
            Fsync::EverySec => force || self.last_fsync.elapsed() >= Duration::from_secs(1),
            Fsync::No => force,
        };
        if !due {
            return;
        }
        if let Err(e) = self.file.sync_data() {
            if self.fsync == Fsync::Always {
                warning!("Can't persist AOF for fsync error when the AOF fsync policy is 'always': {e}. Exiting...");
                std::process::exit(1);
            }
            warning!("Fail to fsync the AOF file: {e}");
            return;
        }
        self.last_fsync = Instant::now();
        self.unsynced = false;
    }

    fn finish(mut self) {
        self.emit();
        self.write();
        self.maybe_fsync(true);
        notice!("AOF writer stopped");
    }
}
