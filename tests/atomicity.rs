//! Multi-shard commands are atomic in standalone mode: concurrent readers
//! never observe half of an MSET, and FLUSHALL or cross-shard RENAME-like
//! work is all-or-nothing.

mod common;
use common::Server;
use redis::Commands;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Keys whose slots fall on different shards of a 4-shard node.
fn spread_keys() -> Vec<String> {
    (0..16).map(|i| format!("atom:{i}")).collect()
}

#[test]
fn readers_never_see_half_an_mset() {
    let s = Server::start(4, &[]);
    let keys = spread_keys();
    let mut w = s.conn();
    let init: Vec<(String, i64)> = keys.iter().map(|k| (k.clone(), 0)).collect();
    let _: () = w.mset(&init).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..3 {
        let mut c = s.conn();
        let keys = keys.clone();
        let stop = stop.clone();
        readers.push(std::thread::spawn(move || {
            let mut reads = 0u64;
            while !stop.load(Ordering::Relaxed) && reads < 100_000 {
                let vals: Vec<i64> = c.mget(&keys).unwrap();
                assert!(vals.iter().all(|v| *v == vals[0]), "torn MSET observed: {vals:?}");
                reads += 1;
            }
            reads
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut round = 1i64;
    while Instant::now() < deadline && round < 20_000 {
        let pairs: Vec<(String, i64)> = keys.iter().map(|k| (k.clone(), round)).collect();
        let _: () = w.mset(&pairs).unwrap();
        round += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let total: u64 = readers.into_iter().map(|h| h.join().unwrap()).sum();
    assert!(total > 0 && round > 1);
    let vals: Vec<i64> = w.mget(&keys).unwrap();
    assert!(vals.iter().all(|v| *v == round - 1));
}

#[test]
fn cross_shard_commands_give_redis_results() {
    let s = Server::start(4, &[]);
    let mut c = s.conn();
    let keys = spread_keys();
    let n: i64 = c.exists(&keys).unwrap();
    assert_eq!(n, 0);
    for k in &keys {
        let _: () = c.set(k, "x").unwrap();
    }
    let n: i64 = c.exists(&keys).unwrap();
    assert_eq!(n, 16);
    let n: i64 = c.del(&keys[..8]).unwrap();
    assert_eq!(n, 8);
    let n: i64 = redis::cmd("DBSIZE").query(&mut c).unwrap();
    assert_eq!(n, 8);
}
