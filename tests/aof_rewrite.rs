//! BGREWRITEAOF on the snapshot engine: a rewrite under concurrent writes
//! keeps every write (the base holds what came before the cut, the new
//! incremental file what came after), CONFIG SET appendonly yes at runtime
//! starts one, auto-aof-rewrite triggers one, and redis-server loads the
//! result.

mod aof_support;
mod common;

use aof_support::{dump, manifest, redis_loads, wait_rewrite, workload, Node, TempDir, CLOVER};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn info(c: &mut redis::Connection) -> String {
    redis::cmd("INFO").arg("persistence").query(c).unwrap()
}

#[test]
fn rewrite_under_writes_keeps_everything() {
    let dir = TempDir::new("rewrite");
    // rdb-key-save-delay slows the snapshot down so writes overlap it.
    let mut node = Node::start(CLOVER, dir.path(), &["--shards", "3", "--rdb-key-save-delay", "20"]);
    let mut c = node.conn();
    workload(&mut c, 200);
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..2 {
        let url = node.url();
        let stop = stop.clone();
        writers.push(std::thread::spawn(move || {
            let mut c = redis::Client::open(url).unwrap().get_connection().unwrap();
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) && i < 100_000 {
                let _: () = redis::cmd("SET").arg(format!("w{w}:{}", i % 500)).arg(i).query(&mut c).unwrap();
                let _: i64 = redis::cmd("RPUSH").arg(format!("wl{w}")).arg(i).query(&mut c).unwrap();
                let _: i64 = redis::cmd("INCR").arg(format!("wc{w}")).query(&mut c).unwrap();
                i += 1;
            }
        }));
    }
    for _ in 0..2 {
        let r: String = redis::cmd("BGREWRITEAOF").query(&mut c).unwrap();
        assert_eq!(r, "Background append only file rewriting started");
        std::thread::sleep(Duration::from_millis(50));
        wait_rewrite(&mut c);
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let i = info(&mut c);
    assert!(i.contains("aof_rewrites:2") && i.contains("aof_last_bgrewrite_status:ok"), "{i}");
    let m = manifest(dir.path());
    assert_eq!(m, "file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n");
    let before = dump(&mut c);
    drop(c);
    node.stop();
    node.restart();
    assert_eq!(dump(&mut node.conn()), before);
    drop(node);
    redis_loads(dir.path(), &before);
}

#[test]
fn appendonly_turned_on_at_runtime_starts_a_rewrite() {
    let dir = TempDir::new("enable");
    let mut node = Node::start(CLOVER, dir.path(), &["--shards", "2", "--appendonly", "no"]);
    let mut c = node.conn();
    workload(&mut c, 100);
    let _: () = redis::cmd("CONFIG").arg("SET").arg("appendonly").arg("yes").query(&mut c).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    wait_rewrite(&mut c);
    assert!(info(&mut c).contains("aof_enabled:1"));
    workload(&mut c, 30);
    let before = dump(&mut c);
    assert_eq!(
        manifest(dir.path()),
        "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
    // And off again: nothing more is written.
    let _: () = redis::cmd("CONFIG").arg("SET").arg("appendonly").arg("no").query(&mut c).unwrap();
    assert!(info(&mut c).contains("aof_enabled:0"));
    let _: () = redis::cmd("SET").arg("not-in-aof").arg("1").query(&mut c).unwrap();
    drop(c);
    node.stop();
    let node = Node::start(CLOVER, dir.path(), &["--shards", "3"]);
    assert_eq!(dump(&mut node.conn()), before);
}

#[test]
fn auto_rewrite_starts_on_growth() {
    let dir = TempDir::new("auto");
    let node = Node::start(
        CLOVER,
        dir.path(),
        &["--shards", "1", "--auto-aof-rewrite-percentage", "100", "--auto-aof-rewrite-min-size", "10kb"],
    );
    let mut c = node.conn();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut i = 0;
    while !info(&mut c).contains("aof_rewrites:1") {
        assert!(Instant::now() < deadline, "no automatic rewrite");
        for _ in 0..100 {
            let _: () = redis::cmd("SET").arg(format!("k{}", i % 50)).arg("x".repeat(50)).query(&mut c).unwrap();
            i += 1;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // The log line may reach the file a moment later.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !node.log().contains("Starting automatic rewriting of AOF on") {
        assert!(Instant::now() < deadline, "no log line for the automatic rewrite");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn rewrite_without_rdb_preamble_writes_commands() {
    let dir = TempDir::new("nopreamble");
    let args = ["--shards", "2", "--aof-use-rdb-preamble", "no", "--aof-timestamp-enabled", "yes"];
    let mut node = Node::start(CLOVER, dir.path(), &args);
    let mut c = node.conn();
    workload(&mut c, 100);
    let _: () = redis::cmd("XGROUP").arg("CREATE").arg("stream").arg("g").arg("0").query(&mut c).unwrap();
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("g")
        .arg("alice")
        .arg("COUNT")
        .arg(3)
        .arg("STREAMS")
        .arg("stream")
        .arg(">")
        .query(&mut c)
        .unwrap();
    // An empty stream whose last ID is 0-0 (XADD cannot make it directly).
    let _: () =
        redis::cmd("XGROUP").arg("CREATE").arg("empty").arg("g").arg("$").arg("MKSTREAM").query(&mut c).unwrap();
    let _: String = redis::cmd("BGREWRITEAOF").query(&mut c).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    wait_rewrite(&mut c);
    workload(&mut c, 10);
    let before = dump(&mut c);
    let pending: redis::Value = redis::cmd("XPENDING").arg("stream").arg("g").query(&mut c).unwrap();
    drop(c);
    assert_eq!(
        manifest(dir.path()),
        "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
    );
    let base = std::fs::read(dir.path().join("appendonlydir/appendonly.aof.2.base.aof")).unwrap();
    assert!(base.starts_with(b"#TS:"), "{:?}", String::from_utf8_lossy(&base[..40.min(base.len())]));
    node.stop();
    node.restart();
    let mut c = node.conn();
    assert_eq!(dump(&mut c), before);
    let again: redis::Value = redis::cmd("XPENDING").arg("stream").arg("g").query(&mut c).unwrap();
    assert_eq!(again, pending);
    let groups: redis::Value = redis::cmd("XINFO").arg("GROUPS").arg("empty").query(&mut c).unwrap();
    assert!(format!("{groups:?}").contains("\"0-0\""), "{groups:?}");
    drop(c);
    drop(node);
    redis_loads(dir.path(), &before);
}

#[test]
fn preamble_setting_changed_at_runtime_is_used_by_the_next_rewrite() {
    let dir = TempDir::new("preamble-runtime");
    let node = Node::start(CLOVER, dir.path(), &["--shards", "1"]);
    let mut c = node.conn();
    let _: () = redis::cmd("SET").arg("k").arg("v").query(&mut c).unwrap();
    let _: () = redis::cmd("CONFIG").arg("SET").arg("aof-use-rdb-preamble").arg("no").query(&mut c).unwrap();
    let _: String = redis::cmd("BGREWRITEAOF").query(&mut c).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    wait_rewrite(&mut c);
    assert_eq!(
        manifest(dir.path()),
        "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
    );
}
