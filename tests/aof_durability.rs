//! AOF durability: an acknowledged write survives kill -9 whatever the
//! appendfsync policy (as in redis-server, the reply goes out only after
//! the AOF's write(2); always also waits for the fsync); with everysec a
//! clean restart keeps everything; and the
//! propagated commands rebuild the same data (rewritten expiries, SPOP,
//! INCRBYFLOAT, multi-shard commands, several databases).

mod aof_support;
mod common;

use aof_support::{dump, workload, Node, TempDir, CLOVER};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn kill9_with_appendfsync_always_loses_no_acknowledged_write() {
    kill9_loses_no_acknowledged_write("always");
}

#[test]
fn kill9_with_appendfsync_everysec_loses_no_acknowledged_write() {
    kill9_loses_no_acknowledged_write("everysec");
}

#[test]
fn kill9_with_appendfsync_no_loses_no_acknowledged_write() {
    kill9_loses_no_acknowledged_write("no");
}

/// Three clients write (one of them pipelined) until the server is killed
/// with SIGKILL; after a restart every write a client saw acknowledged is
/// there.
fn kill9_loses_no_acknowledged_write(appendfsync: &str) {
    let dir = TempDir::new(&format!("kill9-{appendfsync}"));
    let mut node = Node::start(CLOVER, dir.path(), &["--shards", "2", "--appendfsync", appendfsync]);
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..3 {
        let url = node.url();
        let stop = stop.clone();
        writers.push(std::thread::spawn(move || {
            let mut c = redis::Client::open(url).unwrap().get_connection().unwrap();
            let mut acked: Vec<u64> = Vec::new();
            for i in 0..200_000u64 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let r: redis::RedisResult<()> = if w == 2 {
                    // Pipelined: a batch is acknowledged as a whole.
                    let mut p = redis::pipe();
                    p.cmd("SET").arg(format!("p:{i}")).arg(i).ignore();
                    p.cmd("RPUSH").arg("plist").arg(i).ignore();
                    p.query(&mut c)
                } else {
                    redis::cmd("SET").arg(format!("w{w}:{i}")).arg(i).query(&mut c)
                };
                if r.is_err() {
                    break;
                }
                acked.push(i);
            }
            acked
        }));
    }
    std::thread::sleep(Duration::from_millis(700));
    node.kill9();
    stop.store(true, Ordering::Relaxed);
    let acked: Vec<Vec<u64>> = writers.into_iter().map(|t| t.join().unwrap()).collect();
    node.restart();
    let mut c = node.conn();
    for (w, list) in acked.iter().enumerate() {
        assert!(!list.is_empty(), "writer {w} got no acknowledgement");
        for &i in list {
            let key = if w == 2 { format!("p:{i}") } else { format!("w{w}:{i}") };
            let v: Option<u64> = redis::cmd("GET").arg(&key).query(&mut c).unwrap();
            assert_eq!(v, Some(i), "acknowledged {key} lost");
        }
    }
    let plist: i64 = redis::cmd("LLEN").arg("plist").query(&mut c).unwrap();
    assert!(plist >= acked[2].len() as i64);
}

#[test]
fn everysec_restart_keeps_the_data_set() {
    for shards in ["1", "3"] {
        let dir = TempDir::new("everysec");
        let mut node = Node::start(CLOVER, dir.path(), &["--shards", shards]);
        let mut c = node.conn();
        workload(&mut c, 300);
        let before = dump(&mut c);
        drop(c);
        node.stop();
        node.restart();
        let after = dump(&mut node.conn());
        assert_eq!(before.len(), after.len());
        assert_eq!(before, after);
        // The propagated forms, not the commands as sent.
        let incr = std::fs::read_to_string(dir.path().join("appendonlydir/appendonly.aof.1.incr.aof")).unwrap();
        assert!(incr.contains("PXAT") && incr.contains("PEXPIREAT") && incr.contains("SREM"));
        assert!(!incr.contains("INCRBYFLOAT") && !incr.contains("SPOP") && !incr.contains("SETEX"));
    }
}

#[test]
fn expired_keys_propagate_as_del() {
    let dir = TempDir::new("expired");
    let mut node = Node::start(CLOVER, dir.path(), &["--shards", "1"]);
    let mut c = node.conn();
    redis::cmd("SET").arg("lazy").arg("v").arg("PX").arg(50).query::<()>(&mut c).unwrap();
    std::thread::sleep(Duration::from_millis(120));
    redis::cmd("DEBUG").arg("SET-ACTIVE-EXPIRE").arg(0).query::<()>(&mut c).ok();
    let v: Option<String> = redis::cmd("GET").arg("lazy").query(&mut c).unwrap();
    assert_eq!(v, None);
    std::thread::sleep(Duration::from_millis(50));
    node.stop();
    let incr = std::fs::read_to_string(dir.path().join("appendonlydir/appendonly.aof.1.incr.aof")).unwrap();
    assert!(incr.ends_with("*2\r\n$3\r\nDEL\r\n$4\r\nlazy\r\n"), "{incr:?}");
}

#[test]
fn concurrent_multi_shard_steps_replay_to_the_same_data() {
    let dir = TempDir::new("barriers");
    let mut node = Node::start(CLOVER, dir.path(), &["--shards", "4"]);
    let mut threads = Vec::new();
    for t in 0..4u64 {
        let url = node.url();
        threads.push(std::thread::spawn(move || {
            let mut c = redis::Client::open(url).unwrap().get_connection().unwrap();
            for i in 0..300u64 {
                let k = |n: u64| format!("k{}", (n * 7 + t) % 40);
                let _: redis::Value = match i % 9 {
                    0 => redis::cmd("MSET").arg(k(i)).arg(i).arg(k(i + 1)).arg(t).arg(k(i + 2)).arg(i).query(&mut c),
                    1 => redis::cmd("SADD").arg(format!("s{}", i % 5)).arg(i).query(&mut c),
                    2 => redis::cmd("SUNIONSTORE").arg(format!("s{}", (i + 1) % 5)).arg("s0").arg("s3").query(&mut c),
                    3 => redis::cmd("INCR").arg(k(i)).query(&mut c),
                    4 => redis::pipe()
                        .atomic()
                        .cmd("SET")
                        .arg(k(i + 3))
                        .arg(i)
                        .cmd("APPEND")
                        .arg(k(i + 4))
                        .arg("x")
                        .query(&mut c),
                    5 => redis::cmd("RENAME").arg(k(i)).arg(k(i + 5)).query(&mut c),
                    6 if i % 90 == 6 && t == 0 => redis::cmd("FLUSHDB").query(&mut c),
                    7 => redis::cmd("DEL").arg(k(i + 6)).arg(k(i + 7)).query(&mut c),
                    _ => redis::cmd("LPUSH").arg(format!("l{}", i % 3)).arg(i).query(&mut c),
                }
                .unwrap_or(redis::Value::Nil);
            }
        }));
    }
    for t in threads {
        t.join().unwrap();
    }
    let before = dump(&mut node.conn());
    node.stop();
    node.restart();
    assert_eq!(dump(&mut node.conn()), before);
}

#[test]
fn xreadgroup_propagates_as_xclaim_and_setid() {
    let dir = TempDir::new("xreadgroup");
    let mut node = Node::start(CLOVER, dir.path(), &["--shards", "2"]);
    let mut c = node.conn();
    let q = |c: &mut redis::Connection, args: &[&str]| -> redis::Value {
        let mut cmd = redis::cmd(args[0]);
        for a in &args[1..] {
            cmd.arg(*a);
        }
        cmd.query(c).unwrap()
    };
    q(&mut c, &["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    for i in 0..5 {
        q(&mut c, &["XADD", "s", "*", "i", &i.to_string()]);
    }
    q(&mut c, &["XREADGROUP", "GROUP", "g", "alice", "COUNT", "3", "STREAMS", "s", ">"]);
    q(&mut c, &["XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "NOACK", "STREAMS", "s", ">"]);
    q(&mut c, &["XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", "0"]);
    // Pending entries without their idle time (the delivery time is kept,
    // so the idle time grows across the restart).
    let state = |c: &mut redis::Connection| {
        let pending: Vec<(String, String, i64, i64)> =
            redis::cmd("XPENDING").arg("s").arg("g").arg("-").arg("+").arg(10).query(c).unwrap();
        let pending: Vec<(String, String, i64)> = pending.into_iter().map(|(id, who, _, n)| (id, who, n)).collect();
        (pending, q(c, &["XINFO", "GROUPS", "s"]), q(c, &["XPENDING", "s", "g"]))
    };
    let before = state(&mut c);
    drop(c);
    node.stop();
    let incr = std::fs::read_to_string(dir.path().join("appendonlydir/appendonly.aof.1.incr.aof")).unwrap();
    assert!(incr.contains("XCLAIM") && incr.contains("SETID") && !incr.contains("XREADGROUP"), "{incr}");
    node.restart();
    let mut c = node.conn();
    let after = state(&mut c);
    assert_eq!(before, after);
}

#[test]
fn transactions_propagate_wrapped_in_multi_exec() {
    for shards in ["1", "2"] {
        let dir = TempDir::new("multi-exec");
        let mut node = Node::start(CLOVER, dir.path(), &["--shards", shards]);
        let mut c = node.conn();
        let _: () = redis::pipe()
            .atomic()
            .cmd("SET")
            .arg("{t}a")
            .arg(1)
            .ignore()
            .cmd("INCRBYFLOAT")
            .arg("{t}b")
            .arg("1.5")
            .ignore()
            .query(&mut c)
            .unwrap();
        drop(c);
        node.stop();
        let incr = std::fs::read_to_string(dir.path().join("appendonlydir/appendonly.aof.1.incr.aof")).unwrap();
        let expected = "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$4\r\n{t}a\r\n$1\r\n1\r\n\
                        *4\r\n$3\r\nSET\r\n$4\r\n{t}b\r\n$3\r\n1.5\r\n$7\r\nKEEPTTL\r\n*1\r\n$4\r\nEXEC\r\n";
        assert!(incr.ends_with(expected), "{shards} shards: {incr:?}");
    }
}
