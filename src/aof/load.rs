//! Loading the AOF at start-up, as Redis 7.0 does: the manifest's base file
//! then its incremental files, each replayed command by command through
//! the command table (shard handlers on one keyspace that start-up then
//! splits over the shards). An old single appendonly.aof (Redis 6 layout)
//! is moved into the directory and becomes the base. A tail cut short is
//! loaded up to the last whole command and the file truncated there
//! (aof-load-truncated yes) or refused (no); a malformed file is refused.
//! While loading, keys never count as expired (their deadlines are
//! absolute; commands after them in the file saw them alive).

use super::manifest::{FileInfo, Manifest, ReadError};
use super::Options;
use crate::command::{lookup, lookup_subcommand, Exec, ExecCtx};
use crate::server::settings::Settings;
use crate::server::shared::Shared;
use crate::shard::{expire, Keyspace};
use crate::{notice, warning};
use bytes::Bytes;
use std::fs;
use std::path::Path;
use std::time::Instant;

/// How loading one file ended.
#[derive(Debug, PartialEq)]
enum Outcome {
    Loaded,
    Empty,
    /// Loaded up to the last whole command; the tail was cut off.
    Truncated,
    Failed,
}

/// The AOF cannot be loaded; why was logged, and the server exits with
/// status 1.
#[derive(Debug)]
pub struct Refused;

/// Loads the AOF named by the manifest in `opts.dirname`. Ok(None) when
/// there is none.
pub fn load(opts: &Options, settings: &Settings) -> Result<Option<Keyspace>, Refused> {
    let dir = &opts.dirname;
    let mut manifest = match Manifest::read_checked(dir, &opts.manifest_name()) {
        Ok(m) => m,
        Err(ReadError::Unreadable(e)) => {
            warning!("{e}");
            return Err(Refused);
        }
        Err(ReadError::Malformed(e)) => {
            warning!("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
            if let Some((n, line)) = &e.line {
                warning!("Reading the manifest file, at line {n}\n");
                warning!(">>> '{line}'\n");
            }
            warning!("{}\n", e.msg);
            return Err(Refused);
        }
    };
    if Path::new(&opts.filename).is_file() {
        let upgrade = match &manifest {
            _ if !dir.is_dir() => true,
            None => true,
            Some(m) if m.is_empty() => true,
            Some(m) => {
                m.incrs.is_empty()
                    && m.base.as_ref().is_some_and(|b| b.name == opts.filename)
                    && !dir.join(&opts.filename).exists()
            }
        };
        if upgrade {
            manifest = Some(upgrade_old_style(opts)?);
        }
    }
    let Some(m) = manifest.filter(|m| !m.is_empty()) else { return Ok(None) };
    let files: Vec<(&FileInfo, bool)> =
        m.base.iter().map(|b| (b, true)).chain(m.incrs.iter().map(|i| (i, false))).collect();
    let mut total = 0;
    for (f, _) in &files {
        match fs::metadata(dir.join(&f.name)) {
            Ok(md) => total += md.len(),
            Err(e) => {
                warning!("The append log file {} doesn't exist: {}", f.name, super::strerror(&e));
                return Err(Refused);
            }
        }
    }
    let mut ks = Keyspace::new(opts.databases);
    if total == 0 {
        return Ok(Some(ks));
    }
    let started = Instant::now();
    expire::set_loading(true);
    let mut result = Ok(());
    for (i, (f, base)) in files.iter().enumerate() {
        let last = i + 1 == files.len();
        let t = Instant::now();
        let old_style = *base && f.name == opts.filename;
        let out = load_file(&dir.join(&f.name), &f.name, old_style, opts, settings, &mut ks);
        if out == Outcome::Loaded || (out == Outcome::Truncated && last) {
            let kind = if *base { "base" } else { "incr" };
            notice!("DB loaded from {kind} file {}: {:.3} seconds", f.name, t.elapsed().as_secs_f64());
        }
        if out == Outcome::Truncated && !last {
            warning!("Fatal error: the truncated file is not the last file");
            result = Err(Refused);
        }
        if out == Outcome::Failed {
            result = Err(Refused);
        }
        if result.is_err() {
            break;
        }
    }
    expire::set_loading(false);
    result?;
    notice!("DB loaded from append only file: {:.3} seconds", started.elapsed().as_secs_f64());
    Ok(Some(ks))
}

/// Moves an old-style AOF file into the directory as the base of a new
/// manifest (Redis's `aofUpgradePrepare`).
fn upgrade_old_style(opts: &Options) -> Result<Manifest, Refused> {
    let dir = &opts.dirname;
    let fail = |e: String| {
        warning!("{e}");
    };
    if let Err(e) = fs::create_dir_all(dir) {
        fail(format!("Can't open or create append-only dir {}: {e}", dir.display()));
        return Err(Refused);
    }
    let m =
        Manifest { base_seq: 1, base: Some(FileInfo { name: opts.filename.clone(), seq: 1 }), ..Default::default() };
    if let Err(e) = m.persist(dir, &opts.manifest_name()) {
        fail(e);
        return Err(Refused);
    }
    if let Err(e) = fs::rename(&opts.filename, dir.join(&opts.filename)) {
        fail(format!("Error trying to rename the existing AOF to old tempfile: {e}"));
        return Err(Refused);
    }
    notice!(
        "Successfully migrated an old-style AOF file ({}) into the AOF directory ({}).",
        opts.filename,
        dir.display()
    );
    Ok(m)
}

/// Replays one file into `ks`.
fn load_file(
    path: &Path,
    name: &str,
    old_style: bool,
    opts: &Options,
    settings: &Settings,
    ks: &mut Keyspace,
) -> Outcome {
    let data = match fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            warning!("Fatal error: can't open the append log file {name} for reading: {}", super::strerror(&e));
            return Outcome::Failed;
        }
    };
    if data.is_empty() {
        return Outcome::Empty;
    }
    let mut pos = 0;
    if data.starts_with(b"REDIS") {
        if old_style {
            notice!("Reading RDB preamble from AOF file...");
        } else {
            notice!("Reading RDB base file on AOF loading...");
        }
        match super::preamble::load(&data, settings, ks) {
            Ok(used) => pos = used,
            Err(e) => {
                warning!("{e}");
                if old_style {
                    warning!("Error reading the RDB preamble of the AOF file {name}, AOF loading aborted");
                } else {
                    warning!("Error reading the RDB base file {name}, AOF loading aborted");
                }
                return Outcome::Failed;
            }
        }
        if old_style {
            notice!("Reading the remaining AOF tail...");
        }
    }
    let mut replay = Replay { ks, db: 0, settings, multi: None };
    let mut valid_up_to = pos;
    let mut valid_before_multi = pos;
    let mut r = Reader { data: &data, pos };
    let end = loop {
        match r.command() {
            Ok(None) => break None,
            Ok(Some(args)) => {
                let is_multi = args[0].eq_ignore_ascii_case(b"multi");
                if is_multi {
                    valid_before_multi = valid_up_to;
                }
                if let Err(unknown) = replay.run(args) {
                    warning!("Unknown command '{unknown}' reading the append only file {name}");
                    return Outcome::Failed;
                }
                valid_up_to = r.pos;
            }
            Err(e) => break Some(e),
        }
    };
    let short = match end {
        None if replay.multi.is_some() => {
            warning!("Revert incomplete MULTI/EXEC transaction in AOF file {name}");
            valid_up_to = valid_before_multi;
            true
        }
        None => return Outcome::Loaded,
        Some(Bad::Short) => true,
        Some(Bad::Format) => {
            warning!(
                "Bad file format reading the append only file {name}: make a backup of your AOF file, \
                 then use ./redis-check-aof --fix <filename.manifest>"
            );
            return Outcome::Failed;
        }
    };
    debug_assert!(short);
    if opts.load_truncated {
        warning!("!!! Warning: short read while loading the AOF file {name}!!!");
        warning!("!!! Truncating the AOF {name} at offset {valid_up_to} !!!");
        let cut = fs::OpenOptions::new().write(true).open(path).and_then(|f| f.set_len(valid_up_to as u64));
        match cut {
            Ok(()) => {
                warning!("AOF {name} loaded anyway because aof-load-truncated is enabled");
                return Outcome::Truncated;
            }
            Err(e) => warning!("Error truncating the AOF file {name}: {}", super::strerror(&e)),
        }
    }
    warning!(
        "Unexpected end of file reading the append only file {name}. You can: 1) Make a backup of your AOF \
         file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the \
         'aof-load-truncated' configuration option to yes and restart the server."
    );
    Outcome::Failed
}

/// Why reading stopped before the end.
#[derive(Debug, PartialEq)]
enum Bad {
    /// The file ends inside a command.
    Short,
    /// Not the command format.
    Format,
}

/// Commands in the AOF format: `*<argc>` then `$<len>` + bytes per
/// argument; lines starting with `#` are annotations.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    /// The next line, without its line end; None at the end of the data
    /// or when the line has no end.
    fn line(&mut self) -> Option<&[u8]> {
        let rest = &self.data[self.pos..];
        let nl = memchr::memchr(b'\n', rest)?;
        self.pos += nl + 1;
        let line = &rest[..nl];
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }

    fn number(b: &[u8]) -> Option<usize> {
        std::str::from_utf8(b).ok()?.trim().parse().ok()
    }

    /// The next command; Ok(None) at a clean end of the data.
    fn command(&mut self) -> Result<Option<Vec<Bytes>>, Bad> {
        let argc = loop {
            if self.pos >= self.data.len() {
                return Ok(None);
            }
            let line = self.line().ok_or(Bad::Short)?;
            match line.first() {
                Some(b'#') => continue,
                Some(b'*') => break Self::number(&line[1..]).filter(|&n| n >= 1).ok_or(Bad::Format)?,
                _ => return Err(Bad::Format),
            }
        };
        let mut args = Vec::with_capacity(argc.min(1024));
        for _ in 0..argc {
            let line = self.line().ok_or(Bad::Short)?;
            if line.first() != Some(&b'$') {
                return Err(Bad::Format);
            }
            let len = Self::number(&line[1..]).ok_or(Bad::Format)?;
            let end = self.pos.checked_add(len).ok_or(Bad::Format)?;
            if end.checked_add(2).is_none_or(|e| e > self.data.len()) {
                return Err(Bad::Short);
            }
            args.push(Bytes::copy_from_slice(&self.data[self.pos..end]));
            self.pos = end + 2;
        }
        Ok(Some(args))
    }
}

/// Runs commands read from the file on the loading keyspace, with the
/// state of the AOF's fake client (selected database, open MULTI).
struct Replay<'a> {
    ks: &'a mut Keyspace,
    db: usize,
    settings: &'a Settings,
    multi: Option<Vec<Vec<Bytes>>>,
}

impl Replay<'_> {
    /// Runs (or queues) one command; Err(name) for an unknown command.
    fn run(&mut self, args: Vec<Bytes>) -> Result<(), String> {
        let Some(mut cmd) = lookup(&args[0]) else {
            return Err(String::from_utf8_lossy(&args[0]).into_owned());
        };
        if !cmd.subcommands.is_empty() && args.len() > 1 {
            if let Some(sub) = lookup_subcommand(cmd, &args[1]) {
                cmd = sub;
            }
        }
        match cmd.name {
            "multi" => {
                self.multi = Some(Vec::new());
                return Ok(());
            }
            "exec" => {
                for queued in self.multi.take().unwrap_or_default() {
                    self.exec(queued);
                }
                return Ok(());
            }
            _ => {}
        }
        match &mut self.multi {
            Some(q) => q.push(args),
            None => self.exec(args),
        }
        Ok(())
    }

    fn exec(&mut self, args: Vec<Bytes>) {
        let Some(mut cmd) = lookup(&args[0]) else { return };
        if !cmd.subcommands.is_empty() && args.len() > 1 {
            match lookup_subcommand(cmd, &args[1]) {
                Some(sub) => cmd = sub,
                None => return,
            }
        }
        if !cmd.arity_ok(args.len()) {
            return;
        }
        let databases = self.ks.dbs.len();
        let index = |a: &Bytes| std::str::from_utf8(a).ok()?.parse::<usize>().ok().filter(|&n| n < databases);
        match cmd.name {
            "select" => {
                if let Some(n) = index(&args[1]) {
                    self.db = n;
                }
            }
            "flushall" => self.ks.dbs.iter_mut().for_each(|d| d.clear()),
            "flushdb" => self.ks.dbs[self.db].clear(),
            "swapdb" => {
                if let (Some(a), Some(b)) = (index(&args[1]), index(&args[2])) {
                    self.ks.dbs.swap(a, b);
                }
            }
            _ => {
                if let Exec::Shard(f) = cmd.exec {
                    let now = expire::now_ms();
                    let mut ctx = ExecCtx { ks: self.ks, db: self.db, now, settings: self.settings };
                    f(&mut ctx, &args);
                }
            }
        }
    }
}

/// Splits a loaded keyspace over the shards that own its keys.
pub fn split(mut ks: Keyspace, shared: &Shared) -> Vec<Keyspace> {
    let dbs = ks.dbs.len();
    let mut out: Vec<Keyspace> = (0..shared.shards).map(|_| Keyspace::new(dbs)).collect();
    for (n, db) in ks.dbs.iter_mut().enumerate() {
        for (k, e) in db.drain() {
            let s = shared.shard_of_key(&k);
            out[s].db(n).insert(k, e);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_tells_short_from_malformed() {
        let mut r = Reader { data: b"#TS:1\r\n*2\r\n$3\r\nGET\r\n$1\r\na\r\n*1\r\n$4\r\nPI", pos: 0 };
        assert_eq!(r.command().unwrap().unwrap(), vec![Bytes::from("GET"), Bytes::from("a")]);
        assert_eq!(r.command(), Err(Bad::Short));
        let mut r = Reader { data: b"*1\r\n$4\r\nPING\r\nxyz\r\n", pos: 0 };
        assert!(r.command().unwrap().is_some());
        assert_eq!(r.command(), Err(Bad::Format));
        let mut r = Reader { data: b"*2\r\n$3\r\nGET\r\n", pos: 0 };
        assert_eq!(r.command(), Err(Bad::Short));
    }
}
