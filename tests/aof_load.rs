//! Loading the AOF: Redis's files into clover and clover's into
//! redis-server 7.0.15 with equal contents, an old single appendonly.aof
//! adopted as the base, a truncated tail per aof-load-truncated, and a
//! corrupt file refused with Redis's message and exit status 1.

mod aof_support;
mod common;

use aof_support::{clover_loads, dump, manifest, wait_rewrite, workload, Node, TempDir, CLOVER, REDIS};
use std::io::Write;
use std::path::Path;

fn incr_file(dir: &Path) -> std::path::PathBuf {
    dir.join("appendonlydir/appendonly.aof.1.incr.aof")
}

fn append(path: &Path, bytes: &[u8]) {
    std::fs::OpenOptions::new().append(true).open(path).unwrap().write_all(bytes).unwrap();
}

#[test]
fn clover_aof_loads_into_redis_and_back() {
    if !Path::new(REDIS).exists() {
        return;
    }
    let dir = TempDir::new("interop");
    let mut node = Node::start(CLOVER, dir.path(), &["--shards", "2"]);
    let mut c = node.conn();
    workload(&mut c, 200);
    let ours = dump(&mut c);
    drop(c);
    node.stop();
    std::fs::remove_file(dir.path().join("clover.log")).ok();

    let mut redis = Node::start(REDIS, dir.path(), &["--aof-use-rdb-preamble", "no"]);
    let mut r = redis.conn();
    assert_eq!(dump(&mut r), ours);
    // Redis appends to the same directory; clover loads what it wrote.
    workload(&mut r, 50);
    let theirs = dump(&mut r);
    drop(r);
    redis.stop();
    clover_loads(dir.path(), "3", &theirs);
}

#[test]
fn redis_aof_dir_loads_into_clover() {
    if !Path::new(REDIS).exists() {
        return;
    }
    let dir = TempDir::new("fromredis");
    let mut redis = Node::start(REDIS, dir.path(), &["--aof-use-rdb-preamble", "no"]);
    let mut r = redis.conn();
    workload(&mut r, 150);
    redis::cmd("BGREWRITEAOF").query::<String>(&mut r).unwrap();
    wait_rewrite(&mut r);
    workload(&mut r, 20);
    let theirs = dump(&mut r);
    drop(r);
    redis.stop();
    clover_loads(dir.path(), "2", &theirs);
}

#[test]
fn old_style_single_file_becomes_the_base() {
    let dir = TempDir::new("oldstyle");
    std::fs::write(dir.path().join("appendonly.aof"), b"*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$5\r\nvalue\r\n").unwrap();
    let node = Node::start(CLOVER, dir.path(), &["--shards", "2"]);
    let v: String = redis::cmd("GET").arg("old").query(&mut node.conn()).unwrap();
    assert_eq!(v, "value");
    let m = manifest(dir.path());
    assert_eq!(m, "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
    assert!(node.log().contains("Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory"));
}

#[test]
fn truncated_tail_is_cut_or_refused() {
    let dir = TempDir::new("truncated");
    let mut node = Node::start(CLOVER, dir.path(), &["--shards", "2"]);
    let mut c = node.conn();
    for i in 0..50 {
        redis::cmd("SET").arg(format!("k{i}")).arg(i).query::<()>(&mut c).unwrap();
    }
    drop(c);
    node.stop();
    let path = incr_file(dir.path());
    let whole = std::fs::metadata(&path).unwrap().len();
    append(&path, b"*3\r\n$3\r\nSET\r\n$4\r\nlast\r\n$5\r\nval");

    let mut refused = Node::spawn(CLOVER, dir.path(), &["--shards", "2", "--aof-load-truncated", "no"]);
    assert_eq!(refused.wait_exit(), Some(1));
    assert!(refused.log().contains("Unexpected end of file reading the append only file appendonly.aof.1.incr.aof"));

    let mut node = Node::start(CLOVER, dir.path(), &["--shards", "2", "--aof-load-truncated", "yes"]);
    let log = node.log();
    assert!(log.contains("!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!"));
    assert!(log.contains(&format!("!!! Truncating the AOF appendonly.aof.1.incr.aof at offset {whole} !!!")));
    assert!(log.contains("AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled"));
    let mut c = node.conn();
    let n: i64 = redis::cmd("DBSIZE").query(&mut c).unwrap();
    assert_eq!(n, 50);
    // Writes go on after the cut.
    redis::cmd("SET").arg("after").arg("1").query::<()>(&mut c).unwrap();
    drop(c);
    node.stop();
    node.restart();
    let n: i64 = redis::cmd("DBSIZE").query(&mut node.conn()).unwrap();
    assert_eq!(n, 51);
}

#[test]
fn unfinished_transaction_is_reverted() {
    let dir = TempDir::new("multi");
    let mut node = Node::start(CLOVER, dir.path(), &["--shards", "1"]);
    redis::cmd("SET").arg("a").arg("1").query::<()>(&mut node.conn()).unwrap();
    node.stop();
    let path = incr_file(dir.path());
    append(&path, b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n");
    let node = Node::start(CLOVER, dir.path(), &["--shards", "1"]);
    assert!(node.log().contains("Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof"));
    let b: Option<String> = redis::cmd("GET").arg("b").query(&mut node.conn()).unwrap();
    assert_eq!(b, None);
}

#[test]
fn corrupt_file_is_refused() {
    let dir = TempDir::new("corrupt");
    let mut node = Node::start(CLOVER, dir.path(), &["--shards", "1"]);
    redis::cmd("SET").arg("a").arg("1").query::<()>(&mut node.conn()).unwrap();
    node.stop();
    append(&incr_file(dir.path()), b"this is not a command\r\n*1\r\n$4\r\nPING\r\n");
    let mut bad = Node::spawn(CLOVER, dir.path(), &["--shards", "1"]);
    assert_eq!(bad.wait_exit(), Some(1));
    assert!(bad.log().contains(
        "Bad file format reading the append only file appendonly.aof.1.incr.aof: make a backup of your AOF file, \
         then use ./redis-check-aof --fix <filename.manifest>"
    ));
}

#[test]
fn redis_rdb_preamble_base_loads_into_clover() {
    if !Path::new(REDIS).exists() {
        return;
    }
    let dir = TempDir::new("preamble");
    let mut redis = Node::start(REDIS, dir.path(), &["--aof-use-rdb-preamble", "yes"]);
    let mut r = redis.conn();
    workload(&mut r, 100);
    redis::cmd("DEL").arg("stream").query::<()>(&mut r).unwrap();
    redis::cmd("BGREWRITEAOF").query::<String>(&mut r).unwrap();
    wait_rewrite(&mut r);
    workload(&mut r, 20);
    let theirs = dump(&mut r);
    drop(r);
    redis.stop();
    let m = manifest(dir.path());
    assert!(m.contains(".base.rdb"), "{m}");
    let node = Node::start(CLOVER, dir.path(), &["--shards", "2"]);
    assert_eq!(dump(&mut node.conn()), theirs);
    assert!(node.log().contains("Reading RDB base file on AOF loading..."));
}

#[test]
fn debug_loadaof_reloads_what_was_written() {
    let dir = TempDir::new("loadaof");
    let node = Node::start(CLOVER, dir.path(), &["--shards", "2", "--enable-debug-command", "yes"]);
    let mut c = node.conn();
    workload(&mut c, 50);
    let before = dump(&mut c);
    redis::cmd("DEBUG").arg("LOADAOF").query::<()>(&mut c).unwrap();
    assert_eq!(dump(&mut c), before);
}

#[test]
fn writes_are_refused_while_the_aof_cannot_be_written() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let dir = TempDir::new("misconf");
    // An empty base, so that loading reads nothing from the device.
    let args = ["--shards", "1", "--aof-use-rdb-preamble", "no"];
    let mut node = Node::start(CLOVER, dir.path(), &args);
    node.stop();
    let incr = incr_file(dir.path());
    std::fs::remove_file(&incr).unwrap();
    std::os::unix::fs::symlink("/dev/full", &incr).unwrap();
    let node = Node::start(CLOVER, dir.path(), &args);
    let mut c = node.conn();
    redis::cmd("SET").arg("a").arg("1").query::<()>(&mut c).unwrap();
    let mut refused = String::new();
    for _ in 0..100 {
        std::thread::sleep(std::time::Duration::from_millis(20));
        if let Err(e) = redis::cmd("SET").arg("b").arg("1").query::<()>(&mut c) {
            refused = format!("{} {}", e.code().unwrap_or(""), e.detail().unwrap_or(""));
            break;
        }
    }
    assert_eq!(refused, "MISCONF Errors writing to the AOF file: No space left on device");
    let info: String = redis::cmd("INFO").arg("persistence").query(&mut c).unwrap();
    assert!(info.contains("aof_last_write_status:err"));
    let v: Option<String> = redis::cmd("GET").arg("a").query(&mut c).unwrap();
    assert_eq!(v.as_deref(), Some("1"));
}

#[test]
fn deadlines_already_past_are_kept_while_loading() {
    let dir = TempDir::new("pastexpire");
    let mut node = Node::start(CLOVER, dir.path(), &["--shards", "1"]);
    node.stop();
    // As Redis: the PEXPIREAT is applied while loading, the RPUSH after it
    // finds the list, and the key is gone once loaded.
    append(
        &incr_file(dir.path()),
        b"*3\r\n$5\r\nRPUSH\r\n$4\r\nlist\r\n$3\r\nfoo\r\n*3\r\n$9\r\nPEXPIREAT\r\n$4\r\nlist\r\n$4\r\n1000\r\n\
*3\r\n$5\r\nRPUSH\r\n$4\r\nlist\r\n$3\r\nbar\r\n",
    );
    let node = Node::start(CLOVER, dir.path(), &["--shards", "1"]);
    let n: i64 = redis::cmd("LLEN").arg("list").query(&mut node.conn()).unwrap();
    assert_eq!(n, 0);
}

#[test]
fn malformed_manifest_is_refused_with_redis_lines() {
    let dir = TempDir::new("manifest");
    std::fs::create_dir_all(dir.path().join("appendonlydir")).unwrap();
    std::fs::write(
        dir.path().join("appendonlydir/appendonly.aof.manifest"),
        b"file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof type i\n",
    )
    .unwrap();
    let mut bad = Node::spawn(CLOVER, dir.path(), &["--shards", "1"]);
    assert_eq!(bad.wait_exit(), Some(1));
    let log = bad.log();
    assert!(log.contains("*** FATAL AOF MANIFEST FILE ERROR ***"));
    assert!(log.contains("Reading the manifest file, at line 2"));
    assert!(log.contains(">>> 'file appendonly.aof.1.incr.aof type i'"));
    assert!(log.contains("Invalid AOF manifest file format"));
}
