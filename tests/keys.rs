//! The generic keyspace family over TCP with several shards: RENAME, COPY
//! and MOVE keep expiries across shards and databases, SCAN's slot cursor
//! visits every key exactly once, KEYS, RANDOMKEY and SWAPDB see every
//! shard.

mod common;
use common::Server;
use std::collections::BTreeSet;

fn query<T: redis::FromRedisValue>(c: &mut redis::Connection, args: &[&str]) -> T {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(c).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

#[test]
fn rename_copy_move_across_shards() {
    let s = Server::start(4, &[]);
    let mut c = s.conn();
    let _: () = query(&mut c, &["SET", "foo", "v", "EX", "100"]);
    let _: () = query(&mut c, &["RENAME", "foo", "bar"]);
    let ttl: i64 = query(&mut c, &["TTL", "bar"]);
    assert_eq!(ttl, 100);
    let copied: i64 = query(&mut c, &["COPY", "bar", "baz", "DB", "2"]);
    assert_eq!(copied, 1);
    let moved: i64 = query(&mut c, &["MOVE", "bar", "3"]);
    assert_eq!(moved, 1);
    let _: () = query(&mut c, &["SELECT", "2"]);
    let ttl: i64 = query(&mut c, &["TTL", "baz"]);
    assert_eq!(ttl, 100);
    let _: () = query(&mut c, &["SELECT", "3"]);
    let v: String = query(&mut c, &["GET", "bar"]);
    assert_eq!(v, "v");
    let _: () = query(&mut c, &["SWAPDB", "3", "0"]);
    let _: () = query(&mut c, &["SELECT", "0"]);
    let v: String = query(&mut c, &["GET", "bar"]);
    assert_eq!(v, "v");
}

#[test]
fn scan_keys_randomkey_see_every_shard() {
    let s = Server::start(4, &[]);
    let mut c = s.conn();
    let all: BTreeSet<String> = (0..500).map(|i| format!("key:{i}")).collect();
    for k in &all {
        let _: () = query(&mut c, &["SET", k, "v"]);
    }
    let mut seen = Vec::new();
    let mut cursor = "0".to_string();
    for _ in 0..1000 {
        let (next, keys): (String, Vec<String>) = query(&mut c, &["SCAN", &cursor, "COUNT", "7"]);
        seen.extend(keys);
        cursor = next;
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(cursor, "0");
    assert_eq!(seen.len(), all.len(), "every key exactly once");
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), all);
    let keys: Vec<String> = query(&mut c, &["KEYS", "key:1?"]);
    assert_eq!(keys.len(), 10);
    let k: String = query(&mut c, &["RANDOMKEY"]);
    assert!(all.contains(&k));
}
