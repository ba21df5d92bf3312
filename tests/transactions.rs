//! MULTI/EXEC/DISCARD: queueing, errors, and atomic execution when the
//! transaction's keys live on several shards.

mod common;
use common::Server;

#[test]
fn multi_exec_replies_and_errors() {
    let s = Server::start(4, &[]);
    let mut r = s.raw();
    assert_eq!(r.roundtrip(b"MULTI\r\n", 5), "+OK\r\n");
    assert_eq!(r.roundtrip(b"SET a 1\r\n", 9), "+QUEUED\r\n");
    assert_eq!(r.roundtrip(b"INCR a\r\n", 9), "+QUEUED\r\n");
    assert_eq!(r.roundtrip(b"SET b 2\r\n", 9), "+QUEUED\r\n");
    assert_eq!(r.roundtrip(b"MGET a b\r\n", 9), "+QUEUED\r\n");
    let want = "*4\r\n+OK\r\n:2\r\n+OK\r\n*2\r\n$1\r\n2\r\n$1\r\n2\r\n";
    assert_eq!(r.roundtrip(b"EXEC\r\n", want.len()), want);
    let want = "-ERR EXEC without MULTI\r\n";
    assert_eq!(r.roundtrip(b"EXEC\r\n", want.len()), want);
    assert_eq!(r.roundtrip(b"MULTI\r\n", 5), "+OK\r\n");
    let want = "-ERR MULTI calls can not be nested\r\n";
    assert_eq!(r.roundtrip(b"MULTI\r\n", want.len()), want);
    let want = "-ERR unknown command 'NOSUCH', with args beginning with: \r\n";
    assert_eq!(r.roundtrip(b"NOSUCH\r\n", want.len()), want);
    let want = "-EXECABORT Transaction discarded because of previous errors.\r\n";
    assert_eq!(r.roundtrip(b"EXEC\r\n", want.len()), want);
    assert_eq!(r.roundtrip(b"MULTI\r\n", 5), "+OK\r\n");
    assert_eq!(r.roundtrip(b"SET a 100\r\n", 9), "+QUEUED\r\n");
    assert_eq!(r.roundtrip(b"DISCARD\r\n", 5), "+OK\r\n");
    assert_eq!(r.roundtrip(b"GET a\r\n", 7), "$1\r\n2\r\n");
}

#[test]
fn cross_shard_transactions_are_atomic() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let s = Server::start(4, &[]);
    let keys: Vec<String> = (0..8).map(|i| format!("tx:{i}")).collect();
    let mut w = s.conn();
    for k in &keys {
        let _: () = redis::cmd("SET").arg(k).arg(0).query(&mut w).unwrap();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let mut c = s.conn();
        let keys = keys.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) && n < 50_000 {
                let vals: Vec<i64> = redis::cmd("MGET").arg(&keys).query(&mut c).unwrap();
                assert!(vals.iter().all(|v| *v == vals[0]), "torn transaction observed: {vals:?}");
                n += 1;
            }
        })
    };
    for _ in 0..300 {
        let mut p = redis::pipe();
        p.atomic();
        for k in &keys {
            p.cmd("INCR").arg(k);
        }
        let out: Vec<i64> = p.query(&mut w).unwrap();
        assert!(out.iter().all(|v| *v == out[0]));
    }
    stop.store(true, Ordering::Relaxed);
    reader.join().unwrap();
    let vals: Vec<i64> = redis::cmd("MGET").arg(&keys).query(&mut w).unwrap();
    assert_eq!(vals, vec![300; 8]);
}
