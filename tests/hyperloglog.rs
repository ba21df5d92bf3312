//! HyperLogLog commands, checked against the real redis-server: the same
//! commands go to both servers and the replies and the stored bytes
//! (GET) must be identical, values move between them with GET/SET, and
//! corrupted values give the same answers.

mod common;

use common::reference::{get, run, Pair, Rng};
use common::Server;
use std::time::Duration;

fn pfadd_args<'a>(key: &'a [u8], elements: &'a [Vec<u8>]) -> Vec<&'a [u8]> {
    let mut v: Vec<&[u8]> = vec![b"PFADD", key];
    v.extend(elements.iter().map(|e| e.as_slice()));
    v
}

#[test]
fn adds_counts_and_bytes_match_redis() {
    let Some(mut p) = Pair::start(1) else { return };
    let mut rng = Rng(7);
    p.same(&[b"PFADD", b"h"]);
    p.same_bytes("h");
    p.same(&[b"PFCOUNT", b"h"]);
    p.same_bytes("h");
    // Grow through the sparse form into the dense one, comparing the bytes
    // and the cached cardinality after every batch.
    let mut total = 0;
    while total < 6000 {
        let n = 1 + rng.below(60) as usize;
        let elements: Vec<Vec<u8>> = (0..n).map(|_| rng.next().to_string().into_bytes()).collect();
        p.same(&pfadd_args(b"h", &elements));
        p.same_bytes("h");
        if rng.below(3) == 0 {
            p.same(&[b"PFCOUNT", b"h"]);
            p.same_bytes("h");
        }
        if total < 1000 {
            p.same(&[b"PFDEBUG", b"DECODE", b"h"]);
        }
        p.same(&[b"PFDEBUG", b"ENCODING", b"h"]);
        total += n;
    }
    assert_eq!(p.same(&[b"PFDEBUG", b"ENCODING", b"h"]), "Ok(simple-string(\"dense\"))");
    p.same(&[b"PFDEBUG", b"GETREG", b"h"]);
    // Adding what is there already changes nothing.
    p.same(&[b"PFADD", b"h", b"1", b"2", b"3"]);
    assert_eq!(p.same(&[b"PFADD", b"h", b"1", b"2", b"3"]), "Ok(int(0))");
}

#[test]
fn small_sparse_limit_and_binary_elements() {
    let Some(mut p) = Pair::start(1) else { return };
    p.same(&[b"CONFIG", b"SET", b"hll-sparse-max-bytes", b"300"]);
    let mut rng = Rng(99);
    for round in 0..40 {
        let key = format!("k{}", round % 4);
        let n = rng.below(40) as usize;
        let elements: Vec<Vec<u8>> =
            (0..n).map(|_| (0..rng.below(20)).map(|_| rng.next() as u8).collect::<Vec<u8>>()).collect();
        p.same(&pfadd_args(key.as_bytes(), &elements));
        p.same_bytes(&key);
        p.same(&[b"PFCOUNT", key.as_bytes()]);
        p.same_bytes(&key);
    }
    p.same(&[b"PFDEBUG", b"TODENSE", b"k0"]);
    p.same_bytes("k0");
    p.same(&[b"PFDEBUG", b"TODENSE", b"k0"]);
    p.same(&[b"PFDEBUG", b"DECODE", b"k0"]);
}

#[test]
fn merge_and_union_match_redis() {
    let Some(mut p) = Pair::start(1) else { return };
    let mut rng = Rng(3);
    for (key, n) in [("s1", 50), ("s2", 300), ("s3", 5000)] {
        let elements: Vec<Vec<u8>> = (0..n).map(|_| rng.below(20000).to_string().into_bytes()).collect();
        for chunk in elements.chunks(500) {
            p.same(&pfadd_args(key.as_bytes(), chunk));
        }
    }
    p.same(&[b"PFCOUNT", b"s1", b"s2"]);
    p.same(&[b"PFCOUNT", b"s1", b"s2", b"s3", b"missing"]);
    // Sparse into sparse stays sparse; any dense input makes it dense.
    p.same(&[b"PFMERGE", b"m1", b"s1", b"s2"]);
    p.same_bytes("m1");
    p.same(&[b"PFMERGE", b"m2", b"s1", b"s3"]);
    p.same_bytes("m2");
    p.same(&[b"PFMERGE", b"s1", b"s2"]);
    p.same_bytes("s1");
    p.same(&[b"PFMERGE", b"empty"]);
    p.same_bytes("empty");
    p.same(&[b"PFCOUNT", b"m1"]);
    p.same(&[b"PFCOUNT", b"m2"]);
}

#[test]
fn values_move_between_servers() {
    let Some(mut p) = Pair::start(1) else { return };
    let mut rng = Rng(11);
    for (key, n) in [("a", 20usize), ("b", 2500), ("c", 9000)] {
        let elements: Vec<Vec<u8>> = (0..n).map(|_| rng.next().to_string().into_bytes()).collect();
        for chunk in elements.chunks(500) {
            run(&mut p.b, &pfadd_args(key.as_bytes(), chunk));
        }
        // Redis's bytes into Clover.
        let theirs = get(&mut p.b, key);
        let set: Vec<&[u8]> = vec![b"SET", key.as_bytes(), &theirs];
        assert_eq!(run(&mut p.a, &set), "Ok(ok)");
        p.same(&[b"PFCOUNT", key.as_bytes()]);
        p.same_bytes(key);
        p.same(&[b"PFADD", key.as_bytes(), b"x", b"y", b"zz"]);
        p.same_bytes(key);
        p.same(&[b"PFCOUNT", key.as_bytes()]);
    }
    // Clover's bytes into Redis.
    run(&mut p.a, &[b"PFADD", b"d", b"1", b"2", b"3", b"4"]);
    let ours = get(&mut p.a, "d");
    run(&mut p.b, &[b"SET", b"d", &ours]);
    p.same(&[b"PFCOUNT", b"d"]);
    p.same(&[b"PFCOUNT", b"a", b"b", b"c", b"d"]);
}

#[test]
fn errors_match_redis() {
    let Some(mut p) = Pair::start(1) else { return };
    p.same(&[b"SET", b"str", b"bar"]);
    for args in [
        &[&b"PFADD"[..], b"str", b"1"][..],
        &[b"PFCOUNT", b"str"],
        &[b"PFCOUNT", b"str", b"nokey"],
        &[b"PFMERGE", b"dest", b"str"],
        &[b"PFMERGE", b"str", b"nokey"],
        &[b"PFDEBUG", b"GETREG", b"nokey"],
        &[b"PFDEBUG", b"NOSUCH", b"nokey"],
        &[b"PFDEBUG", b"ENCODING", b"str"],
        &[b"PFADD"],
        &[b"PFDEBUG", b"GETREG"],
    ] {
        p.same(args);
    }
    p.same(&[b"PFADD", b"h", b"a", b"b", b"c"]);
    p.same(&[b"PFDEBUG", b"NOSUCH", b"h"]);
    p.same(&[b"PFDEBUG", b"TODENSE", b"h"]);
    p.same(&[b"PFDEBUG", b"DECODE", b"h"]);
    // Corrupted values: extra bytes, broken magic, bad encoding, a dense
    // header on a sparse body.
    for (offset, bytes) in [(None, &b"hello"[..]), (Some(0), b"0123"), (Some(4), b"x"), (Some(4), b"\x00")] {
        p.same(&[b"DEL", b"c"]);
        p.same(&[b"PFADD", b"c", b"a", b"b", b"c"]);
        match offset {
            None => p.same(&[b"APPEND", b"c", bytes]),
            Some(o) => p.same(&[b"SETRANGE", b"c", o.to_string().as_bytes(), bytes]),
        };
        p.same(&[b"PFCOUNT", b"c"]);
        p.same(&[b"PFADD", b"c", b"more"]);
        p.same(&[b"PFCOUNT", b"c", b"h"]);
        p.same(&[b"PFMERGE", b"m", b"c"]);
    }
}

#[test]
fn fuzzed_corruption_gets_the_same_answers() {
    let Some(mut p) = Pair::start(1) else { return };
    let mut rng = Rng(2024);
    for _ in 0..150 {
        p.same(&[b"DEL", b"f", b"g"]);
        let n = rng.below(3000) as usize;
        let elements: Vec<Vec<u8>> = (0..n).map(|_| rng.next().to_string().into_bytes()).collect();
        for chunk in elements.chunks(1000) {
            p.same(&pfadd_args(b"f", chunk));
        }
        if n == 0 {
            p.same(&[b"PFADD", b"f"]);
        }
        for _ in 0..1 + rng.below(5) {
            let len = get(&mut p.a, "f").len() as u64;
            let pos = rng.below(len).to_string();
            let byte = [rng.next() as u8];
            p.same(&[b"SETRANGE", b"f", pos.as_bytes(), &byte]);
        }
        p.same(&[b"PFCOUNT", b"f"]);
        let more: Vec<Vec<u8>> = (0..rng.below(50)).map(|_| rng.next().to_string().into_bytes()).collect();
        p.same(&pfadd_args(b"f", &more));
        p.same_bytes("f");
        p.same(&[b"PFCOUNT", b"f", b"g"]);
        p.same(&[b"PFMERGE", b"g", b"f"]);
        p.same_bytes("g");
    }
}

#[test]
fn keys_on_different_shards() {
    let s = Server::start(3, &[]);
    let mut c = s.conn();
    let keys: Vec<String> = (0..6).map(|i| format!("hll-{i}")).collect();
    for (i, k) in keys.iter().enumerate() {
        for j in 0..100 {
            redis::cmd("PFADD").arg(k).arg(format!("e{}", i * 50 + j)).query::<i64>(&mut c).unwrap();
        }
    }
    // 6 keys of 100 elements, overlapping by half: 350 distinct.
    let n: i64 = redis::cmd("PFCOUNT").arg(&keys).query(&mut c).unwrap();
    assert!((340..=360).contains(&n), "{n}");
    let _: () = redis::cmd("PFMERGE").arg("dest").arg(&keys).query(&mut c).unwrap();
    let m: i64 = redis::cmd("PFCOUNT").arg("dest").query(&mut c).unwrap();
    assert_eq!(m, n);
    // The sources are left alone by a union.
    let one: i64 = redis::cmd("PFCOUNT").arg(&keys[0]).query(&mut c).unwrap();
    assert!((95..=105).contains(&one), "{one}");
}

#[test]
fn selftest_passes() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    c.set_read_timeout(Some(Duration::from_secs(300))).unwrap();
    let r: String = redis::cmd("PFSELFTEST").query(&mut c).unwrap();
    assert_eq!(r, "OK");
}
