//! The AOF writer: one thread that owns the open incremental file. Shards
//! hand it their chunks of records through a channel (no lock, no
//! syscall on a shard per command); it merges them (`merge`), adds
//! SELECT when the database changes and `#TS:` annotations when
//! aof-timestamp-enabled, writes each batch with one write(2) and fsyncs
//! as appendfsync says (always: after every batch, before the writes'
//! clients are answered; everysec: once a second; no: never).

use super::merge::Merge;
use super::{Fsync, GLOBAL};
use crate::server::propagate::Chunk;
use crate::{notice, warning};
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
    /// Write what was received so far to the current file, fsync it, then
    /// continue in `file` (a rewrite's new incremental file); answers once
    /// switched.
    Switch(File, Sender<()>),
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
            let mut switch = None;
            match rx.recv_timeout(wait) {
                Ok(m) => self.take(m, &mut answers, &mut stop, &mut switch),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return self.finish(),
            }
            while stop.is_none() && switch.is_none() {
                match rx.try_recv() {
                    Ok(m) => self.take(m, &mut answers, &mut stop, &mut switch),
                    Err(_) => break,
                }
            }
            self.emit();
            self.write();
            let force = !answers.is_empty() || stop.is_some() || switch.is_some();
            self.maybe_fsync(force);
            if self.merge.idle() && self.out.is_empty() && (self.fsync != Fsync::Always || !self.unsynced) {
                super::synced(self.received);
            }
            for a in answers.drain(..) {
                let _ = a.send(());
            }
            if let Some((file, done)) = switch {
                self.file = file;
                self.selected = None;
                let _ = done.send(());
            }
            if let Some(done) = stop {
                let _ = done.send(());
                return;
            }
        }
    }

    fn take(
        &mut self,
        m: ToWriter,
        answers: &mut Vec<Sender<()>>,
        stop: &mut Option<Sender<()>>,
        switch: &mut Option<(File, Sender<()>)>,
    ) {
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
            ToWriter::Switch(file, done) => *switch = Some((file, done)),
            ToWriter::Stop(done) => *stop = Some(done),
        }
    }

    /// Moves what the merge can emit into the output buffer.
    fn emit(&mut self) {
        let (out, selected) = (&mut self.out, &mut self.selected);
        let (timestamps, last_ts) = (self.timestamps, &mut self.last_ts);
        self.merge.drain(&mut |db, bytes| {
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
        });
    }

    /// Writes the output buffer; on failure keeps it (the file is cut back
    /// to where it was) and retries on the next round, as Redis does.
    fn write(&mut self) {
        if self.out.is_empty() {
            return;
        }
        let before = self.file.metadata().map(|m| m.len()).ok();
        match self.file.write_all(&self.out) {
            Ok(()) => {
                GLOBAL.current_size.fetch_add(self.out.len() as u64, Ordering::Relaxed);
                self.out.clear();
                self.unsynced = true;
                if !GLOBAL.write_ok.swap(true, Ordering::AcqRel) {
                    warning!("AOF write error looks solved, Clover can write again.");
                }
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
