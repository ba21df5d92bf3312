//! BGSAVE without fork: while a client keeps writing, the file holds
//! exactly the state after some prefix of its writes (single-key writes,
//! multi-shard MSETs through the coordinator, deletes); SAVE/BGSAVE/LASTSAVE
//! replies and errors; the save schedule; a restart with 1M keys.

mod common;

use clover::rdb::{FileReader, Record};
use clover::server::settings::Settings;
use common::{error_text, query, Server, TempDir};
use redis::Value;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The string keys of an RDB file, by (db, key).
fn read_rdb(path: &std::path::Path) -> BTreeMap<(u64, String), String> {
    let data = std::fs::read(path).unwrap();
    let mut r = FileReader::new(&data).unwrap();
    let settings = Settings::default();
    let mut db = 0;
    let mut out = BTreeMap::new();
    loop {
        match r.next(&settings).unwrap() {
            Record::SelectDb(n) => db = n,
            Record::Entry { key, entry, .. } => {
                let clover::shard::Value::Str(v) = &entry.value else { panic!("not a string") };
                let key = String::from_utf8(key.to_vec()).unwrap();
                assert!(out.insert((db, key), String::from_utf8(v.to_vec()).unwrap()).is_none(), "duplicate key");
            }
            Record::Eof => return out,
            _ => {}
        }
    }
}

fn wait_bgsave(c: &mut redis::Connection) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let info: String = query(c, &["INFO", "persistence"]).unwrap();
        if info.contains("rdb_bgsave_in_progress:0") {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("BGSAVE did not finish");
}

/// Step `i` of the writer, applied to a model of the keyspace.
fn model_step(m: &mut BTreeMap<(u64, String), String>, i: u64) {
    let k = format!("k{}", i % 500);
    match i % 4 {
        0 | 1 => {
            m.insert((0, k), i.to_string());
        }
        2 => {
            // MSET over two keys on different shards (the coordinator).
            m.insert((0, k), i.to_string());
            m.insert((0, format!("m{}", i % 97)), i.to_string());
        }
        _ => {
            m.remove(&(0, format!("k{}", (i + 250) % 500)));
        }
    }
}

fn send_step(c: &mut redis::Connection, i: u64) {
    let k = format!("k{}", i % 500);
    let v = i.to_string();
    match i % 4 {
        0 | 1 => query::<Value>(c, &["SET", &k, &v]),
        2 => query::<Value>(c, &["MSET", &k, &v, &format!("m{}", i % 97), &v]),
        _ => query::<Value>(c, &["DEL", &format!("k{}", (i + 250) % 500)]),
    }
    .unwrap();
}

#[test]
fn bgsave_is_a_point_in_time_while_writes_continue() {
    for shards in [1, 3] {
        let dir = TempDir::new("bgsave-pit");
        // A per-key delay keeps the snapshot running across many writes.
        let s = Server::start(
            shards,
            &["--dir", &dir.arg(), "--save", "", "--rdb-key-save-delay", "1000", "--enable-debug-command", "yes"],
        );
        let mut c = s.conn();
        let mut model = BTreeMap::new();
        let mut i = 0u64;
        while i < 3000 {
            i += 1;
            send_step(&mut c, i);
            model_step(&mut model, i);
        }
        let before = i;
        assert_eq!(query::<String>(&mut c, &["BGSAVE"]).unwrap(), "Background saving started");
        let mut during = 0;
        loop {
            let info: String = query(&mut c, &["INFO", "persistence"]).unwrap();
            if info.contains("rdb_bgsave_in_progress:0") {
                break;
            }
            for _ in 0..20 {
                i += 1;
                send_step(&mut c, i);
                during += 1;
            }
        }
        assert!(during > 20, "the snapshot should overlap writes ({during})");
        let file = read_rdb(&dir.join("dump.rdb"));
        // The file is the state right after the writes before BGSAVE: none
        // of the later ones may show.
        let mut expected = BTreeMap::new();
        for j in 1..=before {
            model_step(&mut expected, j);
        }
        assert_eq!(file.len(), expected.len(), "{shards} shards");
        assert!(file == expected, "{shards} shards: the file is not the state at the cut");
        let info: String = query(&mut c, &["INFO", "persistence"]).unwrap();
        assert!(info.contains("rdb_last_bgsave_status:ok"), "{info}");
        let cow: u64 = info.lines().find_map(|l| l.strip_prefix("rdb_last_cow_size:")).unwrap().trim().parse().unwrap();
        assert!(cow > 0, "{info}");
    }
}

#[test]
fn save_bgsave_lastsave_replies() {
    let dir = TempDir::new("bgsave-replies");
    let s = Server::start(3, &["--dir", &dir.arg(), "--save", "", "--enable-debug-command", "yes"]);
    let mut c = s.conn();
    let started: i64 = query(&mut c, &["LASTSAVE"]).unwrap();
    run_ok(&mut c, &["DEBUG", "POPULATE", "2000"]);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(query::<String>(&mut c, &["SAVE"]).unwrap(), "OK");
    let saved: i64 = query(&mut c, &["LASTSAVE"]).unwrap();
    assert!(saved > started, "{saved} > {started}");
    assert!(dir.join("dump.rdb").exists());
    assert_eq!(error_text(query(&mut c, &["BGSAVE", "NOW"])), "ERR syntax error");
    // A slow snapshot: BGSAVE and SAVE are refused while it runs.
    run_ok(&mut c, &["CONFIG", "SET", "rdb-key-save-delay", "1000"]);
    assert_eq!(query::<String>(&mut c, &["BGSAVE"]).unwrap(), "Background saving started");
    assert_eq!(error_text(query(&mut c, &["BGSAVE"])), "ERR Background save already in progress");
    assert_eq!(error_text(query(&mut c, &["SAVE"])), "ERR Background save already in progress");
    let info: String = query(&mut c, &["INFO", "persistence"]).unwrap();
    assert!(info.contains("rdb_bgsave_in_progress:1"), "{info}");
    assert!(info.contains("current_save_keys_total:2000"), "{info}");
    // A write to a slot not written yet writes it first: extra bytes.
    for j in 0..50 {
        run_ok(&mut c, &["SET", &format!("key:{j}"), "new"]);
    }
    let info: String = query(&mut c, &["INFO", "persistence"]).unwrap();
    let field = |name: &str| -> u64 {
        info.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
    };
    assert!(field("current_cow_size:") > 0 && field("current_save_keys_processed:") > 0, "{info}");
    // FLUSHALL stops it (as Redis kills its child); not an error.
    run_ok(&mut c, &["FLUSHALL"]);
    wait_bgsave(&mut c);
    let info: String = query(&mut c, &["INFO", "persistence"]).unwrap();
    assert!(info.contains("rdb_last_bgsave_status:ok"), "{info}");
    assert!(!dir.join(&format!("temp-{}.rdb", s.pid())).exists());
    run_ok(&mut c, &["CONFIG", "SET", "rdb-key-save-delay", "0"]);
    run_ok(&mut c, &["SET", "x", "1"]);
    assert_eq!(query::<String>(&mut c, &["BGSAVE", "SCHEDULE"]).unwrap(), "Background saving started");
    wait_bgsave(&mut c);
    let info: String = query(&mut c, &["INFO", "persistence"]).unwrap();
    assert!(info.contains("rdb_changes_since_last_save:0"), "{info}");
}

fn run_ok(c: &mut redis::Connection, args: &[&str]) {
    query::<Value>(c, args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
}

#[test]
fn save_points_trigger_a_bgsave() {
    let dir = TempDir::new("save-points");
    let s = Server::start(2, &["--dir", &dir.arg(), "--save", "1 5"]);
    let mut c = s.conn();
    for j in 0..10 {
        run_ok(&mut c, &["SET", &format!("key{j}"), "v"]);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while !dir.join("dump.rdb").exists() {
        assert!(Instant::now() < deadline, "no save after 10 changes with `save 1 5`");
        std::thread::sleep(Duration::from_millis(50));
    }
    wait_bgsave(&mut c);
    assert_eq!(read_rdb(&dir.join("dump.rdb")).len(), 10);
}

#[test]
fn restart_with_a_million_keys() {
    let keys: usize = if cfg!(debug_assertions) { 300_000 } else { 1_000_000 };
    let dir = TempDir::new("restart-1m");
    let args = ["--dir", &dir.arg(), "--enable-debug-command", "yes"];
    let mut s = Server::start(3, &args);
    let mut c = s.conn();
    run_ok(&mut c, &["DEBUG", "POPULATE", &keys.to_string()]);
    run_ok(&mut c, &["SET", "last", "one"]);
    let t = Instant::now();
    // SHUTDOWN saves: the default save points exist.
    let _ = query::<Value>(&mut c, &["SHUTDOWN"]);
    assert_eq!(s.wait_exit(Duration::from_secs(60)), Some(0));
    eprintln!("save of {keys} keys on shutdown: {:?}", t.elapsed());
    drop(s);
    let t = Instant::now();
    let s = Server::start(2, &[&args[..], &["--save", ""]].concat());
    eprintln!("restart with {keys} keys: {:?}", t.elapsed());
    let mut c = s.conn();
    assert_eq!(query::<usize>(&mut c, &["DBSIZE"]).unwrap(), keys + 1);
    assert_eq!(query::<String>(&mut c, &["GET", "key:12345"]).unwrap(), "value:12345");
    assert_eq!(query::<String>(&mut c, &["GET", "last"]).unwrap(), "one");
    let info: String = query(&mut c, &["INFO", "persistence"]).unwrap();
    assert!(info.contains(&format!("rdb_last_load_keys_loaded:{}", keys + 1)), "{info}");
}

#[test]
fn whole_database_changes_during_bgsave_keep_the_cut() {
    for shards in [1, 3] {
        let dir = TempDir::new("bgsave-swapdb");
        let s = Server::start(
            shards,
            &["--dir", &dir.arg(), "--save", "", "--rdb-key-save-delay", "2000", "--enable-debug-command", "yes"],
        );
        let mut c = s.conn();
        run_ok(&mut c, &["DEBUG", "POPULATE", "300", "a"]);
        run_ok(&mut c, &["SELECT", "1"]);
        run_ok(&mut c, &["DEBUG", "POPULATE", "200", "b"]);
        run_ok(&mut c, &["SELECT", "2"]);
        run_ok(&mut c, &["SET", "x", "1"]);
        let mut expected = BTreeMap::new();
        for j in 0..300 {
            expected.insert((0, format!("a:{j}")), format!("value:{j}"));
        }
        for j in 0..200 {
            expected.insert((1, format!("b:{j}")), format!("value:{j}"));
        }
        expected.insert((2, "x".to_string()), "1".to_string());
        assert_eq!(query::<String>(&mut c, &["BGSAVE"]).unwrap(), "Background saving started");
        // Whole databases change while the snapshot runs.
        run_ok(&mut c, &["SWAPDB", "0", "1"]);
        run_ok(&mut c, &["FLUSHDB"]);
        run_ok(&mut c, &["SELECT", "4"]);
        run_ok(&mut c, &["DEBUG", "POPULATE", "50", "c"]);
        run_ok(&mut c, &["SELECT", "0"]);
        run_ok(&mut c, &["DEBUG", "POPULATE", "20", "d"]);
        run_ok(&mut c, &["SET", "b:7", "changed"]);
        wait_bgsave(&mut c);
        let file = read_rdb(&dir.join("dump.rdb"));
        assert!(file == expected, "{shards} shards: the file is not the state at the cut ({} keys)", file.len());
    }
}

/// Kills (by PID) the server a test started by hand.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts clover on the data in `dir` with `args` (its start-up load
/// slowed by them) and connects as soon as it accepts, while it loads.
fn start_loading(dir: &TempDir, args: &[&str]) -> (Child, redis::Connection) {
    let port = common::free_port();
    let child = Child(
        std::process::Command::new(env!("CARGO_BIN_EXE_clover"))
            .args(["--port", &port.to_string(), "--dir", &dir.arg()])
            .args(args)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(c) = redis::Client::open(format!("redis://127.0.0.1:{port}/")).and_then(|c| c.get_connection()) {
            return (child, c);
        }
        assert!(Instant::now() < deadline, "no connection");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn start_up_load_answers_loading_until_done() {
    let dir = TempDir::new("loading");
    let mut s = Server::start(2, &["--dir", &dir.arg(), "--enable-debug-command", "yes"]);
    run_ok(&mut s.conn(), &["DEBUG", "POPULATE", "5000"]);
    let _ = query::<Value>(&mut s.conn(), &["SHUTDOWN"]);
    assert_eq!(s.wait_exit(Duration::from_secs(20)), Some(0));
    // 5000 keys at 0.4 ms each: about 2 s of loading while serving.
    let (_child, mut c) = start_loading(&dir, &["--key-load-delay", "400", "--save", ""]);
    let info: String = query(&mut c, &["INFO", "persistence"]).unwrap();
    assert!(info.contains("loading:1"), "{info}");
    assert_eq!(error_text(query(&mut c, &["GET", "key:1"])), "LOADING Redis is loading the dataset in memory");
    let deadline = Instant::now() + Duration::from_secs(30);
    while query::<Value>(&mut c, &["PING"]).is_err() {
        assert!(Instant::now() < deadline, "still loading");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(query::<usize>(&mut c, &["DBSIZE"]).unwrap(), 5000);
    let info: String = query(&mut c, &["INFO", "persistence"]).unwrap();
    assert!(info.contains("loading:0") && info.contains("rdb_last_load_keys_loaded:5000"), "{info}");
}

#[test]
fn shutdown_while_loading_keeps_the_file() {
    let dir = TempDir::new("loading-shutdown");
    let mut s = Server::start(2, &["--dir", &dir.arg(), "--enable-debug-command", "yes"]);
    run_ok(&mut s.conn(), &["DEBUG", "POPULATE", "3000"]);
    let _ = query::<Value>(&mut s.conn(), &["SHUTDOWN"]);
    assert_eq!(s.wait_exit(Duration::from_secs(20)), Some(0));
    let before = std::fs::read(dir.join("dump.rdb")).unwrap();
    let (mut child, mut c) = start_loading(&dir, &["--key-load-delay", "1000"]);
    // SHUTDOWN SAVE while loading: no save (it would write half the data).
    let _ = query::<Value>(&mut c, &["SHUTDOWN", "SAVE"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "still running");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(std::fs::read(dir.join("dump.rdb")).unwrap() == before, "the file changed");
}
