//! Blocking list commands over TCP: clients woken by pushes from other
//! connections (and other shards), one BLPOP over keys of several shards,
//! first-come first-served order, timeouts, CLIENT UNBLOCK, MULTI, and a
//! client that disconnects while blocked.

mod common;
use common::{query, Server};
use redis::Value;
use std::thread;
use std::time::Duration;

fn blocked_clients(c: &mut redis::Connection) -> usize {
    let info: String = query(c, &["INFO", "clients"]).unwrap();
    info.lines().find_map(|l| l.strip_prefix("blocked_clients:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
}

/// Waits (bounded) until `n` clients are blocked.
fn wait_blocked(c: &mut redis::Connection, n: usize) {
    for _ in 0..400 {
        if blocked_clients(c) == n {
            return;
        }
        thread::sleep(Duration::from_millis(25));
    }
    panic!("expected {n} blocked clients, have {}", blocked_clients(c));
}

/// Runs `args` on a new connection in a thread; the reply comes back
/// through the handle.
fn spawn(s: &Server, args: &[&str]) -> thread::JoinHandle<redis::RedisResult<Value>> {
    let mut c = s.conn();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    thread::spawn(move || {
        let mut cmd = redis::cmd(&args[0]);
        for a in &args[1..] {
            cmd.arg(a);
        }
        cmd.query(&mut c)
    })
}

fn pair(v: Value) -> (String, String) {
    redis::from_redis_value(&v).unwrap()
}

#[test]
fn pushes_from_any_connection_wake_blocked_clients() {
    for shards in [1, 3] {
        let s = Server::start(shards, &[]);
        let mut c = s.conn();
        // Several blocked clients and keys: connections and keys land on
        // every shard, so pushes cross shards both ways.
        let keys: Vec<String> = (0..6).map(|i| format!("queue:{i}")).collect();
        let waiting: Vec<_> = keys.iter().map(|k| spawn(&s, &["BLPOP", k, "0"])).collect();
        wait_blocked(&mut c, keys.len());
        for (i, k) in keys.iter().enumerate() {
            let mut pusher = s.conn();
            let _: i64 = query(&mut pusher, &["RPUSH", k, &format!("job{i}")]).unwrap();
        }
        for (i, h) in waiting.into_iter().enumerate() {
            assert_eq!(pair(h.join().unwrap().unwrap()), (keys[i].clone(), format!("job{i}")));
        }
        for k in &keys {
            let exists: i64 = query(&mut c, &["EXISTS", k]).unwrap();
            assert_eq!(exists, 0, "the served element is gone and the key with it");
        }
        wait_blocked(&mut c, 0);
    }
}

#[test]
fn one_blpop_over_keys_of_several_shards() {
    let s = Server::start(3, &[]);
    let mut c = s.conn();
    let keys: Vec<String> = (0..6).map(|i| format!("k{i}")).collect();
    let mut args = vec!["BLPOP"];
    args.extend(keys.iter().map(|k| k.as_str()));
    args.push("0");
    let h = spawn(&s, &args);
    wait_blocked(&mut c, 1);
    let _: i64 = query(&mut c, &["LPUSH", &keys[4], "v"]).unwrap();
    assert_eq!(pair(h.join().unwrap().unwrap()), (keys[4].clone(), "v".to_string()));
    wait_blocked(&mut c, 0);
    // The waiters on the other shards are gone: a later push stays.
    for k in &keys {
        let _: i64 = query(&mut c, &["LPUSH", k, "later"]).unwrap();
    }
    thread::sleep(Duration::from_millis(100));
    for k in &keys {
        let n: i64 = query(&mut c, &["LLEN", k]).unwrap();
        assert_eq!(n, 1, "{k}");
    }
    // Data already there: served at once, in key order.
    let got: (String, String) = query(&mut c, &["BRPOP", "none", &keys[2], &keys[1], "0"]).unwrap();
    assert_eq!(got, (keys[2].clone(), "later".to_string()));
}

#[test]
fn first_come_first_served() {
    for shards in [1, 2] {
        let s = Server::start(shards, &[]);
        let mut c = s.conn();
        let mut waiting = Vec::new();
        for n in 1..=3 {
            waiting.push(spawn(&s, &["BRPOP", "fifo", "0"]));
            wait_blocked(&mut c, n);
        }
        let _: i64 = query(&mut c, &["LPUSH", "fifo", "a", "b", "c"]).unwrap();
        let got: Vec<String> = waiting.into_iter().map(|h| pair(h.join().unwrap().unwrap()).1).collect();
        assert_eq!(got, ["a", "b", "c"]);
    }
}

#[test]
fn timeouts_and_errors() {
    let s = Server::start(2, &[]);
    let mut c = s.conn();
    let v: Value = query(&mut c, &["BLPOP", "nothing", "0.05"]).unwrap();
    assert_eq!(v, Value::Nil);
    // A client blocked with a timeout is in INFO's timeout table.
    let h = spawn(&s, &["BLPOP", "nothing", "30"]);
    wait_blocked(&mut c, 1);
    let info: String = query(&mut c, &["INFO", "clients"]).unwrap();
    assert!(info.contains("clients_in_timeout_table:1\r\n"), "{info}");
    let _: i64 = query(&mut c, &["RPUSH", "nothing", "x"]).unwrap();
    assert_eq!(pair(h.join().unwrap().unwrap()).1, "x");
    let info: String = query(&mut c, &["INFO", "clients"]).unwrap();
    assert!(info.contains("clients_in_timeout_table:0\r\n"), "{info}");
    // A timeout answers a null array, BLMOVE's too (as Redis).
    let mut raw = s.raw();
    assert_eq!(raw.roundtrip(b"BLMOVE nothing dst LEFT RIGHT 0.01\r\n", 5), "*-1\r\n");
    assert_eq!(raw.roundtrip(b"BRPOPLPUSH nothing dst 0.01\r\n", 5), "*-1\r\n");
    let v: Value = query(&mut c, &["BLMPOP", "0.01", "2", "a", "b", "LEFT"]).unwrap();
    assert_eq!(v, Value::Nil);
    let e = query::<Value>(&mut c, &["BLPOP", "x", "-1"]).unwrap_err();
    assert_eq!(e.detail(), Some("timeout is negative"));
    let e = query::<Value>(&mut c, &["BRPOP", "x", "soon"]).unwrap_err();
    assert_eq!(e.detail(), Some("timeout is not a float or out of range"));
    let _: () = query(&mut c, &["SET", "str", "x"]).unwrap();
    let e = query::<Value>(&mut c, &["BLPOP", "nothing", "str", "0"]).unwrap_err();
    assert_eq!(e.code(), Some("WRONGTYPE"));
    // Inside MULTI a blocking command does not block.
    let _: () = query(&mut c, &["MULTI"]).unwrap();
    let _: () = query(&mut c, &["BLPOP", "nothing", "0"]).unwrap();
    let _: () = query(&mut c, &["BRPOPLPUSH", "nothing", "dst", "0"]).unwrap();
    let r: Value = query(&mut c, &["EXEC"]).unwrap();
    assert_eq!(r, Value::Array(vec![Value::Nil, Value::Nil]));
}

#[test]
fn blmove_across_shards_and_chains() {
    let s = Server::start(3, &[]);
    let mut c = s.conn();
    let first = spawn(&s, &["BLMOVE", "src", "mid", "RIGHT", "LEFT", "0"]);
    wait_blocked(&mut c, 1);
    let second = spawn(&s, &["BRPOPLPUSH", "mid", "dst", "0"]);
    wait_blocked(&mut c, 2);
    let _: i64 = query(&mut c, &["RPUSH", "src", "a", "b"]).unwrap();
    let v: String = redis::from_redis_value(&first.join().unwrap().unwrap()).unwrap();
    assert_eq!(v, "b");
    let v: String = redis::from_redis_value(&second.join().unwrap().unwrap()).unwrap();
    assert_eq!(v, "b");
    let dst: Vec<String> = query(&mut c, &["LRANGE", "dst", "0", "-1"]).unwrap();
    assert_eq!(dst, ["b"]);
    let src: Vec<String> = query(&mut c, &["LRANGE", "src", "0", "-1"]).unwrap();
    assert_eq!(src, ["a"]);
    let mid: i64 = query(&mut c, &["EXISTS", "mid"]).unwrap();
    assert_eq!(mid, 0);
    // A destination of the wrong type: the waiter gets the error, the
    // element stays.
    let _: () = query(&mut c, &["SET", "notalist", "x"]).unwrap();
    let h = spawn(&s, &["BLMOVE", "empty", "notalist", "LEFT", "LEFT", "0"]);
    wait_blocked(&mut c, 1);
    let _: i64 = query(&mut c, &["RPUSH", "empty", "e"]).unwrap();
    assert_eq!(h.join().unwrap().unwrap_err().code(), Some("WRONGTYPE"));
    let n: i64 = query(&mut c, &["LLEN", "empty"]).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn blmpop_serves_a_count() {
    let s = Server::start(2, &[]);
    let mut c = s.conn();
    let h = spawn(&s, &["BLMPOP", "0", "2", "m1", "m2", "RIGHT", "COUNT", "2"]);
    wait_blocked(&mut c, 1);
    let _: i64 = query(&mut c, &["RPUSH", "m2", "a", "b", "c"]).unwrap();
    let got: (String, Vec<String>) = redis::from_redis_value(&h.join().unwrap().unwrap()).unwrap();
    assert_eq!(got, ("m2".to_string(), vec!["c".to_string(), "b".to_string()]));
}

#[test]
fn client_unblock() {
    let s = Server::start(2, &[]);
    let mut c = s.conn();
    for (how, expect_error) in [("TIMEOUT", false), ("ERROR", true)] {
        let mut blocked = s.conn();
        let id: i64 = query(&mut blocked, &["CLIENT", "ID"]).unwrap();
        let h = thread::spawn(move || query::<Value>(&mut blocked, &["BLPOP", "never", "0"]));
        wait_blocked(&mut c, 1);
        let list: String = query(&mut c, &["CLIENT", "LIST"]).unwrap();
        assert!(list.lines().any(|l| l.starts_with(&format!("id={id} ")) && l.contains(" flags=b ")));
        let n: i64 = query(&mut c, &["CLIENT", "UNBLOCK", &id.to_string(), how]).unwrap();
        assert_eq!(n, 1);
        let r = h.join().unwrap();
        if expect_error {
            assert_eq!(r.unwrap_err().code(), Some("UNBLOCKED"));
        } else {
            assert_eq!(r.unwrap(), Value::Nil);
        }
        wait_blocked(&mut c, 0);
    }
    let me: i64 = query(&mut c, &["CLIENT", "ID"]).unwrap();
    let n: i64 = query(&mut c, &["CLIENT", "UNBLOCK", &me.to_string()]).unwrap();
    assert_eq!(n, 0, "a client that is not blocked");
    let e = query::<Value>(&mut c, &["CLIENT", "UNBLOCK", "1", "LATER"]).unwrap_err();
    assert_eq!(e.detail(), Some("CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
    // Nothing waits on the key any more: a push stays in the list.
    let _: i64 = query(&mut c, &["RPUSH", "never", "x"]).unwrap();
    let n: i64 = query(&mut c, &["LLEN", "never"]).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn disconnect_while_blocked() {
    for shards in [1, 2] {
        let s = Server::start(shards, &[]);
        let mut c = s.conn();
        let mut raw = s.raw();
        raw.send(b"BLPOP gone 0\r\n");
        wait_blocked(&mut c, 1);
        drop(raw);
        wait_blocked(&mut c, 0);
        let _: i64 = query(&mut c, &["RPUSH", "gone", "x"]).unwrap();
        let n: i64 = query(&mut c, &["LLEN", "gone"]).unwrap();
        assert_eq!(n, 1, "the element is not given to a client that left");
    }
}

#[test]
fn sorted_set_pops_block_too() {
    let s = Server::start(3, &[]);
    let mut c = s.conn();
    let h = spawn(&s, &["BZPOPMIN", "z1", "z2", "0"]);
    wait_blocked(&mut c, 1);
    let _: i64 = query(&mut c, &["ZADD", "z2", "2", "b", "1", "a"]).unwrap();
    let got: (String, String, String) = redis::from_redis_value(&h.join().unwrap().unwrap()).unwrap();
    assert_eq!(got, ("z2".to_string(), "a".to_string(), "1".to_string()));
    let h = spawn(&s, &["BZMPOP", "0", "2", "z0", "z3", "MAX", "COUNT", "5"]);
    wait_blocked(&mut c, 1);
    let _: i64 = query(&mut c, &["ZADD", "z3", "5", "x", "7", "y"]).unwrap();
    let got: (String, Vec<(String, f64)>) = redis::from_redis_value(&h.join().unwrap().unwrap()).unwrap();
    assert_eq!(got, ("z3".to_string(), vec![("y".to_string(), 7.0), ("x".to_string(), 5.0)]));
    let v: Value = query(&mut c, &["BZPOPMAX", "none", "0.01"]).unwrap();
    assert_eq!(v, Value::Nil);
    let got: (String, String, String) = query(&mut c, &["BZPOPMAX", "none", "z2", "0"]).unwrap();
    assert_eq!(got, ("z2".to_string(), "b".to_string(), "2".to_string()));
    // A list waiter is not served by a sorted set of the same name.
    let h = spawn(&s, &["BLPOP", "mixed", "0.3"]);
    wait_blocked(&mut c, 1);
    let _: i64 = query(&mut c, &["ZADD", "mixed", "1", "m"]).unwrap();
    assert_eq!(h.join().unwrap().unwrap(), Value::Nil);
}

#[test]
fn swapdb_and_move_wake_blocked_clients() {
    let s = Server::start(2, &[]);
    let mut c = s.conn();
    let _: () = query(&mut c, &["SELECT", "1"]).unwrap();
    let _: i64 = query(&mut c, &["RPUSH", "k", "hello"]).unwrap();
    let mut blocked = s.conn();
    let _: () = query(&mut blocked, &["SELECT", "9"]).unwrap();
    let h = thread::spawn(move || query::<Value>(&mut blocked, &["BRPOP", "k", "0"]));
    wait_blocked(&mut c, 1);
    let _: () = query(&mut c, &["SWAPDB", "1", "9"]).unwrap();
    assert_eq!(pair(h.join().unwrap().unwrap()), ("k".to_string(), "hello".to_string()));

    let mut blocked = s.conn();
    let _: () = query(&mut blocked, &["SELECT", "3"]).unwrap();
    let h = thread::spawn(move || query::<Value>(&mut blocked, &["BLPOP", "m", "0"]));
    wait_blocked(&mut c, 1);
    let _: i64 = query(&mut c, &["RPUSH", "m", "moved"]).unwrap();
    let moved: i64 = query(&mut c, &["MOVE", "m", "3"]).unwrap();
    assert_eq!(moved, 1);
    assert_eq!(pair(h.join().unwrap().unwrap()), ("m".to_string(), "moved".to_string()));
}

#[test]
fn blocked_clients_are_served_between_pipelined_commands() {
    let s = Server::start(2, &[]);
    let mut c = s.conn();
    let keys: Vec<String> = (0..6).map(|i| format!("p{i}")).collect();
    let waiting: Vec<_> = keys.iter().map(|k| spawn(&s, &["BLPOP", k, "0"])).collect();
    wait_blocked(&mut c, keys.len());
    // One pipeline: keys of both shards, so some commands travel to the
    // other core in one batch; each push serves its waiter before the
    // next command runs, as in Redis.
    let mut pipe = redis::pipe();
    for k in &keys {
        pipe.cmd("RPUSH").arg(k).arg("v").cmd("LLEN").arg(k);
    }
    let replies: Vec<i64> = pipe.query(&mut c).unwrap();
    for pair in replies.chunks(2) {
        assert_eq!(pair, [1, 0]);
    }
    for h in waiting {
        assert_eq!(pair(h.join().unwrap().unwrap()).1, "v");
    }
    // In a transaction the waiter is served after EXEC: it sees the last push.
    let h = spawn(&s, &["BLPOP", "tx", "0"]);
    wait_blocked(&mut c, 1);
    let r: Vec<i64> =
        redis::pipe().atomic().cmd("LPUSH").arg("tx").arg("a").cmd("LPUSH").arg("tx").arg("b").query(&mut c).unwrap();
    assert_eq!(r, [1, 2]);
    assert_eq!(pair(h.join().unwrap().unwrap()).1, "b");
}
