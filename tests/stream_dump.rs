//! Streams move between redis-server 7.0.15 and Clover with DUMP/RESTORE:
//! a stream with several nodes, deleted entries, consumer groups, pending
//! entries and consumers restores with the same XINFO STREAM FULL, XRANGE
//! and DEBUG DIGEST-VALUE (also after Clover's DEBUG RELOAD), and Clover's
//! DUMP of it restores into redis-server as the very stream Redis had
//! (Redis DUMPs both alike).

mod common;

use clover::rdb::crc64::crc64;
use common::reference::{run, Pair, Rng};
use common::Server;

fn q(c: &mut redis::Connection, args: &[&str]) -> redis::Value {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(c).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn text(c: &mut redis::Connection, args: &[&str]) -> String {
    let a: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    run(c, &a)
}

fn dump(c: &mut redis::Connection, key: &str) -> Vec<u8> {
    redis::cmd("DUMP").arg(key).query(c).expect("DUMP")
}

fn restore(c: &mut redis::Connection, key: &str, payload: &[u8]) {
    let r: redis::RedisResult<String> = redis::cmd("RESTORE").arg(key).arg(0).arg(payload).arg("REPLACE").query(c);
    assert_eq!(r.expect("RESTORE"), "OK");
}

/// Builds the stream `s` with the same commands on a connection.
fn build(c: &mut redis::Connection) {
    q(c, &["CONFIG", "SET", "stream-node-max-entries", "5"]);
    for j in 1..=40u64 {
        let id = format!("{}-{}", 100 + j / 2, j % 2);
        let n = j.to_string();
        let long = format!("value-{j}-long-enough-to-compress-well-{}", "z".repeat(30));
        if j % 4 == 0 {
            q(c, &["XADD", "s", &id, "other", &n]);
        } else {
            q(c, &["XADD", "s", &id, "f", "v", "n", &n, "name", &long]);
        }
    }
    q(c, &["XDEL", "s", "100-1", "103-0", "103-1", "107-0", "110-1", "115-0"]);
    q(c, &["XGROUP", "CREATE", "s", "g1", "0"]);
    q(c, &["XGROUP", "CREATE", "s", "12", "$"]);
    q(c, &["XGROUP", "CREATE", "s", "g3", "105-0", "ENTRIESREAD", "4"]);
    q(c, &["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "4", "STREAMS", "s", ">"]);
    q(c, &["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", "s", ">"]);
    q(c, &["XREADGROUP", "GROUP", "g3", "carol", "COUNT", "2", "STREAMS", "s", ">"]);
    q(c, &["XACK", "s", "g1", "101-1"]);
    q(c, &["XCLAIM", "s", "g1", "bob", "0", "102-0", "RETRYCOUNT", "7", "TIME", "1700000000000"]);
    q(c, &["XGROUP", "CREATECONSUMER", "s", "g1", "dave"]);
    // Values of every listpack form: integers of each width, strings with
    // 6-, 12- and 32-bit lengths.
    let big = "b".repeat(5000);
    let mid = "m".repeat(300);
    q(c, &["XADD", "s", "150-0", "i", "-1", "j", "-4000", "k", "70000", "l", "-9223372036854775808", "s", &mid]);
    q(c, &["XADD", "s", "150-1", "i", "12", "j", "0", "k", "2147483648", "l", "007", "s", &big]);
    q(c, &["XADD", "s", "150-2", &big, "v"]);
    // An exact trim marks entries of the first node deleted.
    q(c, &["XTRIM", "s", "MAXLEN", "=", "31"]);
}

/// XINFO STREAM FULL without radix-tree-nodes (Clover's count of radix
/// tree nodes is an estimate from the number of keys, not the real tree's).
fn xinfo_full(c: &mut redis::Connection, key: &str) -> String {
    let redis::Value::Array(mut fields) = q(c, &["XINFO", "STREAM", key, "FULL"]) else { panic!("XINFO reply") };
    if let Some(at) = fields.iter().position(|f| *f == redis::Value::BulkString(b"radix-tree-nodes".to_vec())) {
        fields.drain(at..at + 2);
    }
    format!("{fields:?}")
}

/// What must be the same on both: the whole stream as XINFO STREAM FULL
/// reports it, its entries, and its digest.
fn same_stream(p: &mut Pair, key: &str) {
    assert_eq!(xinfo_full(&mut p.a, key), xinfo_full(&mut p.b, key), "XINFO STREAM {key} FULL");
    for args in [
        vec!["XRANGE", key, "-", "+"],
        vec!["XREVRANGE", key, "+", "-", "COUNT", "3"],
        vec!["XLEN", key],
        vec!["XPENDING", key, "g1"],
        vec!["DEBUG", "DIGEST-VALUE", key],
    ] {
        let (ours, theirs) = (text(&mut p.a, &args), text(&mut p.b, &args));
        assert_eq!(ours, theirs, "{args:?}");
    }
}

/// Restores Clover's DUMP of `key` into Redis as `key:copy`; Redis's
/// uncompressed DUMPs of the two must be identical.
fn same_in_redis(p: &mut Pair, key: &str) {
    let copy = format!("{key}:copy");
    let ours = dump(&mut p.a, key);
    restore(&mut p.b, &copy, &ours);
    q(&mut p.b, &["CONFIG", "SET", "rdbcompression", "no"]);
    let (original, restored) = (dump(&mut p.b, key), dump(&mut p.b, &copy));
    q(&mut p.b, &["CONFIG", "SET", "rdbcompression", "yes"]);
    assert!(original == restored, "Redis's DUMP of Clover's stream differs from its own");
    q(&mut p.b, &["DEL", &copy]);
}

fn streams_move_both_ways(shards: usize) {
    let Some(mut p) = Pair::start_with(shards, &["--enable-debug-command", "yes"]) else { return };
    build(&mut p.b);
    q(&mut p.a, &["CONFIG", "SET", "stream-node-max-entries", "5"]);

    // Redis -> Clover.
    let theirs = dump(&mut p.b, "s");
    restore(&mut p.a, "s", &theirs);
    same_stream(&mut p, "s");
    // And through Clover's own RDB file (written in its temp dir).
    q(&mut p.a, &["DEBUG", "RELOAD"]);
    same_stream(&mut p, "s");

    // Clover's DUMP restores into Redis as the very stream Redis had:
    // Redis then DUMPs both the same, byte for byte (uncompressed, so the
    // node listpacks themselves are compared).
    same_in_redis(&mut p, "s");

    // Both go on the same way: new entries fill the last node, and the
    // bytes still match.
    for c in [&mut p.a, &mut p.b] {
        q(c, &["XADD", "s", "200-0", "f", "v", "n", "1", "name", "x"]);
        q(c, &["XADD", "s", "200-1", "a", "b"]);
        q(c, &["XDEL", "s", "119-0"]);
    }
    same_stream(&mut p, "s");
    same_in_redis(&mut p, "s");

    // Clover's DUMP restored into both.
    let ours = dump(&mut p.a, "s");
    restore(&mut p.a, "t", &ours);
    restore(&mut p.b, "t", &ours);
    same_stream(&mut p, "t");

    // After XDEL of the last entry and an XSETID below it, newer entries
    // with smaller IDs follow the deleted one in its node.
    for c in [&mut p.a, &mut p.b] {
        q(c, &["XADD", "odd", "1-0", "a", "b"]);
        q(c, &["XADD", "odd", "5-0", "a", "b"]);
        q(c, &["XDEL", "odd", "5-0"]);
        q(c, &["XSETID", "odd", "3-0"]);
        q(c, &["XADD", "odd", "4-0", "c", "d"]);
    }
    same_stream(&mut p, "odd");
    same_in_redis(&mut p, "odd");
    let theirs = dump(&mut p.b, "odd");
    restore(&mut p.a, "odd", &theirs);
    q(&mut p.a, &["DEBUG", "RELOAD"]);
    same_stream(&mut p, "odd");
    for c in [&mut p.a, &mut p.b] {
        q(c, &["XADD", "odd", "4-1", "e", "f"]);
        q(c, &["XDEL", "odd", "4-0"]);
    }
    same_stream(&mut p, "odd");
    assert_eq!(text(&mut p.a, &["XRANGE", "odd", "2", "4-1"]), text(&mut p.b, &["XRANGE", "odd", "2", "4-1"]));
    same_in_redis(&mut p, "odd");

    // An empty stream with a group survives too.
    q(&mut p.b, &["XADD", "e", "1-1", "f", "v"]);
    q(&mut p.b, &["XDEL", "e", "1-1"]);
    q(&mut p.b, &["XGROUP", "CREATE", "e", "g1", "$"]);
    let empty = dump(&mut p.b, "e");
    restore(&mut p.a, "e", &empty);
    same_stream(&mut p, "e");
}

#[test]
fn streams_move_both_ways_one_shard() {
    streams_move_both_ways(1);
}

#[test]
fn streams_move_both_ways_three_shards() {
    streams_move_both_ways(3);
}

/// Corrupts one or two bytes of a payload body and fixes its CRC, so the
/// stream decoder itself sees the damage.
fn corrupt(payload: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut p = payload.to_vec();
    let body = p.len() - 10;
    for _ in 0..1 + rng.below(2) {
        let at = rng.below(body as u64) as usize;
        p[at] = rng.below(256) as u8;
    }
    let crc = crc64(&p[..body + 2]);
    p[body + 2..].copy_from_slice(&crc.to_le_bytes());
    p
}

/// Damaged stream payloads are refused or, when they still decode, every
/// stream command on the result works without bringing a shard down.
#[test]
fn corrupt_stream_payloads_never_crash() {
    let mut server = Server::start(2, &["--enable-debug-command", "yes"]);
    let mut c = server.conn();
    build(&mut c);
    let payload = dump(&mut c, "s");
    let mut rng = Rng(11);
    let (mut accepted, mut refused) = (0, 0);
    for round in 0..600 {
        let bad = corrupt(&payload, &mut rng);
        let r: redis::RedisResult<String> =
            redis::cmd("RESTORE").arg("x").arg(0).arg(&bad).arg("REPLACE").query(&mut c);
        match r {
            Ok(_) => accepted += 1,
            Err(e) => {
                assert!(e.to_string().contains("Bad data format"), "{e}");
                refused += 1;
                continue;
            }
        }
        for args in [
            &["XRANGE", "x", "-", "+"][..],
            &["XREVRANGE", "x", "+", "-", "COUNT", "5"],
            &["XINFO", "STREAM", "x", "FULL"],
            &["XINFO", "STREAM", "x"],
            &["XINFO", "GROUPS", "x"],
            &["XINFO", "CONSUMERS", "x", "g1"],
            &["XPENDING", "x", "g1"],
            &["XPENDING", "x", "g1", "-", "+", "10"],
            &["XREADGROUP", "GROUP", "g1", "zed", "COUNT", "3", "STREAMS", "x", ">"],
            &["XREADGROUP", "GROUP", "g1", "alice", "STREAMS", "x", "0"],
            &["XAUTOCLAIM", "x", "g1", "zed", "0", "0-0", "COUNT", "5"],
            &["XCLAIM", "x", "g1", "zed", "0", "101-0", "102-0"],
            &["XACK", "x", "g1", "101-0", "104-0"],
            &["XDEL", "x", "104-1", "111-0"],
            &["XADD", "x", "*", "f", "v"],
            &["XTRIM", "x", "MAXLEN", "=", "10"],
            &["XTRIM", "x", "MINID", "~", "112"],
            &["XSETID", "x", "999999999999-0"],
            &["XGROUP", "SETID", "x", "g1", "0", "ENTRIESREAD", "3"],
            &["XGROUP", "DELCONSUMER", "x", "g1", "bob"],
            &["XLEN", "x"],
            &["DEBUG", "DIGEST-VALUE", "x"],
            &["DUMP", "x"],
        ] {
            let _ = q_any(&mut c, args);
        }
        let pong: String = redis::cmd("PING").query(&mut c).unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert_eq!(pong, "PONG");
    }
    assert!(accepted > 10 && refused > 10, "accepted {accepted}, refused {refused}");
    assert!(server.alive());
}

/// A command whose reply (or error) does not matter.
fn q_any(c: &mut redis::Connection, args: &[&str]) -> redis::RedisResult<redis::Value> {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(c)
}
