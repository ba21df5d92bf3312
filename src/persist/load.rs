//! Loading an RDB file: at start-up into every shard's keyspace (each entry
//! to the shard owning its slot; the shards' tables are filled in
//! parallel), and again for DEBUG RELOAD. Keys already expired are skipped
//! and counted, as a Redis master does.

use super::cow;
use crate::rdb::{FileReader, Record};
use crate::server::coordinator::on_all_atomically;
use crate::server::settings::Settings;
use crate::server::shard::Shard;
use crate::server::shared::Shared;
use crate::shard::{Entry, Keyspace};
use crate::{notice, warning};
use bytes::Bytes;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

/// One shard's share of a file: (database, key, entry).
pub type Share = Vec<(usize, Bytes, Entry)>;

/// A parsed file, split by owning shard.
pub struct Parsed {
    pub shares: Vec<Share>,
    pub keys: u64,
    pub expired: u64,
}

/// Why a file could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// No file: start empty.
    Missing,
    /// Logged lines that say why.
    Fatal(Vec<String>),
}

/// Reads and parses `path`, routing each live entry to its shard.
pub fn parse_file(path: &str, shared: &Shared, settings: &Settings, now_ms: u64) -> Result<Parsed, LoadError> {
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(LoadError::Missing),
        Err(e) => return Err(LoadError::Fatal(vec![format!("Fatal error loading the DB: {}. Exiting.", io_text(&e))])),
    };
    parse(&data, shared, settings, now_ms).map_err(|e| {
        LoadError::Fatal(vec![
            format!("Internal error in RDB reading: {e}"),
            "Terminating server after rdb file reading failure.".to_string(),
        ])
    })
}

/// The text of an I/O error without Rust's " (os error N)" suffix, as
/// strerror prints it.
fn io_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn parse(data: &[u8], shared: &Shared, settings: &Settings, now_ms: u64) -> Result<Parsed, String> {
    let mut r = FileReader::new(data).map_err(|e| e.0)?;
    let mut out = Parsed { shares: (0..shared.shards).map(|_| Vec::new()).collect(), keys: 0, expired: 0 };
    let mut db = 0usize;
    loop {
        match r.next(settings).map_err(|e| e.0)? {
            Record::Aux(k, v) => aux(&k, &v, now_ms),
            Record::SelectDb(n) => {
                if n >= settings.databases as u64 {
                    return Err(format!(
                        "FATAL: Data file was created with a Redis server configured to handle more than {} databases.",
                        settings.databases
                    ));
                }
                db = n as usize;
            }
            Record::ResizeDb(..) | Record::Function(_) => {}
            Record::Entry { key, entry, .. } => {
                if settings.key_load_delay > 0 {
                    std::thread::sleep(std::time::Duration::from_micros(settings.key_load_delay as u64));
                }
                if entry.is_expired(now_ms) {
                    out.expired += 1;
                    continue;
                }
                out.keys += 1;
                out.shares[shared.shard_of_key(&key)].push((db, key, entry));
            }
            Record::Eof => return Ok(out),
        }
    }
}

/// The AUX fields Redis logs while loading.
fn aux(k: &[u8], v: &[u8], now_ms: u64) {
    let v = String::from_utf8_lossy(v);
    match k {
        b"redis-ver" => notice!("Loading RDB produced by version {v}"),
        b"ctime" => {
            let age = (now_ms / 1000) as i64 - v.parse::<i64>().unwrap_or(0);
            notice!("RDB age {} seconds", age.max(0));
        }
        b"used-mem" => notice!("RDB memory usage when created {:.2} Mb", v.parse::<f64>().unwrap_or(0.0) / 1048576.0),
        _ => {}
    }
}

/// Puts a shard's share into `ks`; returns the keys that were there
/// already (replaced).
pub fn fill(ks: &mut Keyspace, share: Share) -> Vec<(usize, Bytes)> {
    let mut dups = Vec::new();
    for (db, key, entry) in share {
        if ks.db(db).insert(&key, entry).is_some() {
            dups.push((db, key));
        }
    }
    dups
}

/// Start-up: the keyspace of every shard from `dir/dbfilename` (empty ones
/// when there is no file). None: the server must not start (logged).
pub fn at_startup(path: &str, shared: &Shared, settings: &Settings) -> Option<Vec<Keyspace>> {
    let start = std::time::Instant::now();
    let empty = || (0..shared.shards).map(|_| Keyspace::new(settings.databases)).collect();
    let parsed = match parse_file(path, shared, settings, crate::shard::expire::now_ms()) {
        Ok(p) => p,
        Err(LoadError::Missing) => return Some(empty()),
        Err(LoadError::Fatal(lines)) => {
            for l in lines {
                warning!("{l}");
            }
            return None;
        }
    };
    let (keys, expired) = (parsed.keys, parsed.expired);
    let keyspaces: Vec<Keyspace> = std::thread::scope(|scope| {
        let workers: Vec<_> = parsed
            .shares
            .into_iter()
            .map(|share| {
                scope.spawn(move || {
                    let mut ks = Keyspace::new(settings.databases);
                    fill(&mut ks, share);
                    ks
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|_| Keyspace::new(settings.databases))).collect()
    });
    shared.persist.loaded_keys.store(keys, std::sync::atomic::Ordering::Relaxed);
    shared.persist.loaded_expired.store(expired, std::sync::atomic::Ordering::Relaxed);
    notice!("Done loading RDB, keys loaded: {keys}, keys expired: {expired}.");
    notice!("DB loaded from disk: {:.3} seconds", start.elapsed().as_secs_f64());
    Some(keyspaces)
}

/// Start-up while serving: the file is loaded on a thread of its own
/// (`at_startup`), then every shard takes its keyspace (`install`); until
/// then commands answer LOADING. A file that cannot be loaded ends the
/// process with status 1, as before serving.
pub fn in_background(shared: Arc<Shared>, settings: Settings) {
    std::thread::spawn(move || match at_startup(&settings.dbfilename, &shared, &settings) {
        Some(keyspaces) => {
            if let Ok(mut slots) = shared.persist.loaded.lock() {
                *slots = keyspaces.into_iter().map(Some).collect();
            }
        }
        None => std::process::exit(1),
    });
}

/// A shard's part of the start-up load: waits for its keyspace and puts
/// it in place.
pub async fn install(shard: Rc<Shard>) {
    let status = &shard.shared.persist;
    loop {
        let ks = status.loaded.lock().ok().and_then(|mut slots| slots.get_mut(shard.id).and_then(Option::take));
        if let Some(ks) = ks {
            *shard.ks.borrow_mut() = ks;
            status.installed.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            return;
        }
        glommio::timer::sleep(std::time::Duration::from_millis(1)).await;
    }
}

/// DEBUG RELOAD's loading half: the file (`dbfilename`) into every shard,
/// in one atomic step over all of them, after emptying them unless
/// `!flush`. A key the keyspace holds already is an error unless `merge`
/// (it is replaced either way). Err: logged; DEBUG RELOAD answers an error.
pub async fn reload(shard: &Rc<Shard>, flush: bool, merge: bool) -> Result<(), ()> {
    let settings = shard.settings();
    let parsed = match parse_file(&settings.dbfilename, &shard.shared, &settings, crate::shard::expire::now_ms()) {
        Ok(p) => p,
        Err(LoadError::Missing) => {
            warning!("Fatal error loading the DB: No such file or directory.");
            return Err(());
        }
        Err(LoadError::Fatal(lines)) => {
            for l in lines {
                warning!("{l}");
            }
            return Err(());
        }
    };
    let (keys, expired) = (parsed.keys, parsed.expired);
    let shares: Arc<Vec<Mutex<Share>>> = Arc::new(parsed.shares.into_iter().map(Mutex::new).collect());
    let dups = on_all_atomically(shard, move |s| {
        let share = shares[s.id].lock().map(|mut g| std::mem::take(&mut *g)).unwrap_or_default();
        let mut ks = s.ks.borrow_mut();
        if flush {
            for n in 0..ks.dbs.len() {
                cow::before_db(s, &ks, n);
            }
            for db in ks.dbs.iter_mut() {
                db.clear();
            }
        } else {
            for (db, key, _) in &share {
                cow::before_key(s, &ks, *db, key);
            }
        }
        s.blocking.borrow_mut().signal_all(None);
        fill(&mut ks, share).into_iter().next()
    })
    .await;
    if let Some((db, key)) = dups.into_iter().flatten().next().filter(|_| !merge) {
        warning!("RDB has duplicated key '{}' in DB {db}", String::from_utf8_lossy(&key));
        return Err(());
    }
    shard.shared.persist.loaded_keys.store(keys, std::sync::atomic::Ordering::Relaxed);
    shard.shared.persist.loaded_expired.store(expired, std::sync::atomic::Ordering::Relaxed);
    notice!("Done loading RDB, keys loaded: {keys}, keys expired: {expired}.");
    Ok(())
}
