//! The set family over TCP: replies and errors as Redis 7.0 gives them,
//! intset/hashtable encodings under set-max-intset-entries, SPOP and
//! SRANDMEMBER counts, SMOVE, the algebra commands (with keys on different
//! shards), RESP3 set replies and SSCAN.

mod common;
use common::{encoding, error_text, int, query, Server};
use std::collections::{HashMap, HashSet};

fn sorted(c: &mut redis::Connection, args: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = query(c, args).unwrap();
    v.sort();
    v
}

#[test]
fn basic_replies() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    assert_eq!(int(&mut c, &["SADD", "s", "a", "b", "a"]), 2);
    assert_eq!(int(&mut c, &["SADD", "s", "b", "c"]), 1);
    assert_eq!(int(&mut c, &["SCARD", "s"]), 3);
    assert_eq!(int(&mut c, &["SCARD", "nokey"]), 0);
    assert_eq!(int(&mut c, &["SISMEMBER", "s", "a"]), 1);
    assert_eq!(int(&mut c, &["SISMEMBER", "s", "z"]), 0);
    assert_eq!(int(&mut c, &["SISMEMBER", "nokey", "z"]), 0);
    assert_eq!(query::<Vec<i64>>(&mut c, &["SMISMEMBER", "s", "a", "z", "c"]).unwrap(), vec![1, 0, 1]);
    assert_eq!(query::<Vec<i64>>(&mut c, &["SMISMEMBER", "nokey", "a", "b"]).unwrap(), vec![0, 0]);
    assert_eq!(sorted(&mut c, &["SMEMBERS", "s"]), ["a", "b", "c"]);
    assert_eq!(sorted(&mut c, &["SMEMBERS", "nokey"]), Vec::<String>::new());
    assert_eq!(int(&mut c, &["SREM", "s", "a", "z"]), 1);
    assert_eq!(int(&mut c, &["SREM", "nokey", "a"]), 0);
    assert_eq!(int(&mut c, &["SREM", "s", "b", "c", "d"]), 2);
    assert_eq!(int(&mut c, &["EXISTS", "s"]), 0, "the last member's removal deletes the key");
    assert_eq!(int(&mut c, &["SADD", "s", "1", "2", "3"]), 3);
    assert_eq!(query::<String>(&mut c, &["TYPE", "s"]).unwrap(), "set");
    let m: String = query(&mut c, &["SRANDMEMBER", "s"]).unwrap();
    assert!(["1", "2", "3"].contains(&m.as_str()));
    assert_eq!(query::<Option<String>>(&mut c, &["SRANDMEMBER", "nokey"]).unwrap(), None);
    assert_eq!(query::<Option<String>>(&mut c, &["SPOP", "nokey"]).unwrap(), None);
    let mut popped: Vec<String> = (0..3).map(|_| query::<String>(&mut c, &["SPOP", "s"]).unwrap()).collect();
    popped.sort();
    assert_eq!(popped, ["1", "2", "3"]);
    assert_eq!(int(&mut c, &["EXISTS", "s"]), 0);
}

#[test]
fn errors_as_redis() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    let _: () = query(&mut c, &["SET", "str", "x"]).unwrap();
    let _: i64 = query(&mut c, &["SADD", "s", "a"]).unwrap();
    let wrongtype = "WRONGTYPE Operation against a key holding the wrong kind of value";
    for cmd in [
        &["SADD", "str", "a"][..],
        &["SREM", "str", "a"],
        &["SCARD", "str"],
        &["SISMEMBER", "str", "a"],
        &["SMISMEMBER", "str", "a"],
        &["SMEMBERS", "str"],
        &["SRANDMEMBER", "str"],
        &["SRANDMEMBER", "str", "3"],
        &["SPOP", "str"],
        &["SPOP", "str", "3"],
        &["SINTER", "s", "str"],
        &["SINTER", "nokey", "str"],
        &["SINTERCARD", "2", "str", "nokey"],
        &["SINTERSTORE", "d", "s", "str"],
        &["SUNION", "s", "str"],
        &["SUNIONSTORE", "d", "str"],
        &["SDIFF", "s", "str"],
        &["SDIFFSTORE", "d", "nokey", "str"],
        &["SMOVE", "str", "s", "a"],
        &["SMOVE", "s", "str", "a"],
        &["SSCAN", "str", "0"],
    ] {
        assert_eq!(error_text(query(&mut c, cmd)), wrongtype, "{cmd:?}");
    }
    assert_eq!(int(&mut c, &["SMOVE", "nokey", "str", "a"]), 0, "a missing source wins over the type check");
    let args = "ERR wrong number of arguments for 'sintercard' command";
    assert_eq!(error_text(query(&mut c, &["SINTERCARD", "1"])), args);
    for (cmd, err) in [
        (&["SINTERCARD", "0", "s"][..], "ERR numkeys should be greater than 0"),
        (&["SINTERCARD", "a", "s"], "ERR numkeys should be greater than 0"),
        (&["SINTERCARD", "2", "s"], "ERR Number of keys can't be greater than number of args"),
        (&["SINTERCARD", "1", "s", "t"], "ERR syntax error"),
        (&["SINTERCARD", "1", "s", "LIMIT"], "ERR syntax error"),
        (&["SINTERCARD", "1", "s", "LIMIT", "-1"], "ERR LIMIT can't be negative"),
        (&["SINTERCARD", "1", "s", "LIMIT", "a"], "ERR LIMIT can't be negative"),
        (&["SPOP", "s", "-1"], "ERR value is out of range, must be positive"),
        (&["SPOP", "s", "x"], "ERR value is out of range, must be positive"),
        (&["SPOP", "s", "1", "2"], "ERR syntax error"),
        (&["SRANDMEMBER", "s", "1", "2"], "ERR syntax error"),
        (&["SRANDMEMBER", "s", "x"], "ERR value is not an integer or out of range"),
        (
            &["SRANDMEMBER", "s", "-9223372036854775808"],
            "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
        ),
        (&["SSCAN", "s", "0", "COUNT", "x"], "ERR value is not an integer or out of range"),
        (&["SRANDMEMBER", "s", "-4194305"], "ERR value is out of range"),
    ] {
        assert_eq!(error_text(query(&mut c, cmd)), err, "{cmd:?}");
    }
}

#[test]
fn encodings_follow_config() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    let _: i64 = query(&mut c, &["SADD", "i", "1", "-2", "9223372036854775807"]).unwrap();
    assert_eq!(encoding(&mut c, "i"), "intset");
    let _: i64 = query(&mut c, &["SADD", "i", "a"]).unwrap();
    assert_eq!(encoding(&mut c, "i"), "hashtable");
    let _: i64 = query(&mut c, &["SADD", "big", "213244124402402314402033402"]).unwrap();
    assert_eq!(encoding(&mut c, "big"), "hashtable");
    let _: i64 = query(&mut c, &["SADD", "lead", "01"]).unwrap();
    assert_eq!(encoding(&mut c, "lead"), "hashtable", "not a canonical integer");
    for i in 0..512 {
        let _: i64 = query(&mut c, &["SADD", "n", &i.to_string()]).unwrap();
    }
    assert_eq!(encoding(&mut c, "n"), "intset");
    let _: i64 = query(&mut c, &["SADD", "n", "512"]).unwrap();
    assert_eq!(encoding(&mut c, "n"), "hashtable");
    let _: () = query(&mut c, &["CONFIG", "SET", "set-max-intset-entries", "2"]).unwrap();
    let _: i64 = query(&mut c, &["SADD", "m", "1", "2"]).unwrap();
    assert_eq!(encoding(&mut c, "m"), "intset");
    let _: i64 = query(&mut c, &["SADD", "m", "3"]).unwrap();
    assert_eq!(encoding(&mut c, "m"), "hashtable");
    let _: i64 = query(&mut c, &["SREM", "m", "3"]).unwrap();
    assert_eq!(encoding(&mut c, "m"), "hashtable", "never converts back");
    let usage: i64 = query(&mut c, &["MEMORY", "USAGE", "n"]).unwrap();
    assert!(usage > 0);
}

#[test]
fn spop_and_srandmember_counts() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    for first in ["1", "a"] {
        let _: i64 = query(&mut c, &["DEL", "s"]).unwrap();
        let members: Vec<String> = std::iter::once(first.to_string()).chain((2..=20).map(|i| i.to_string())).collect();
        let mut args = vec!["SADD", "s"];
        args.extend(members.iter().map(|m| m.as_str()));
        let _: i64 = query(&mut c, &args).unwrap();
        let all: HashSet<String> = members.iter().cloned().collect();
        let r: Vec<String> = query(&mut c, &["SRANDMEMBER", "s", "50"]).unwrap();
        assert_eq!(r.iter().cloned().collect::<HashSet<_>>(), all);
        for n in [18, 5] {
            let r: Vec<String> = query(&mut c, &["SRANDMEMBER", "s", &n.to_string()]).unwrap();
            assert_eq!(r.iter().collect::<HashSet<_>>().len(), n, "distinct");
        }
        let r: Vec<String> = query(&mut c, &["SRANDMEMBER", "s", "-100"]).unwrap();
        assert_eq!(r.len(), 100);
        assert!(r.iter().all(|m| all.contains(m)));
        assert_eq!(query::<Vec<String>>(&mut c, &["SRANDMEMBER", "s", "0"]).unwrap(), Vec::<String>::new());
        // Case 2 (take a few), case 3 (keep a few), then everything.
        let mut popped: Vec<String> = query(&mut c, &["SPOP", "s", "2"]).unwrap();
        assert_eq!(int(&mut c, &["SCARD", "s"]), 18);
        popped.extend(query::<Vec<String>>(&mut c, &["SPOP", "s", "16"]).unwrap());
        assert_eq!(int(&mut c, &["SCARD", "s"]), 2);
        assert_eq!(query::<Vec<String>>(&mut c, &["SPOP", "s", "0"]).unwrap(), Vec::<String>::new());
        popped.extend(query::<Vec<String>>(&mut c, &["SPOP", "s", "30"]).unwrap());
        assert_eq!(popped.len(), 20);
        assert_eq!(popped.into_iter().collect::<HashSet<_>>(), all);
        assert_eq!(int(&mut c, &["EXISTS", "s"]), 0);
        assert_eq!(query::<Vec<String>>(&mut c, &["SPOP", "s", "3"]).unwrap(), Vec::<String>::new());
    }
    // SPOP keeping few members rebuilds the set in the encoding they need.
    let _: i64 = query(&mut c, &["SADD", "h", "a", "1", "2", "3", "4", "5", "6", "7", "8", "9"]).unwrap();
    assert_eq!(encoding(&mut c, "h"), "hashtable");
    while int(&mut c, &["SCARD", "h"]) > 1 {
        let left = int(&mut c, &["SCARD", "h"]);
        let _: Vec<String> = query(&mut c, &["SPOP", "h", &(left - 1).to_string()]).unwrap();
    }
    let last: Vec<String> = query(&mut c, &["SMEMBERS", "h"]).unwrap();
    let want = if last[0] == "a" { "hashtable" } else { "intset" };
    assert_eq!(encoding(&mut c, "h"), want);
    // Repeats are uniform.
    let _: i64 = query(&mut c, &["SADD", "u", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]).unwrap();
    let r: Vec<String> = query(&mut c, &["SRANDMEMBER", "u", "-1000"]).unwrap();
    let mut hist: HashMap<String, usize> = HashMap::new();
    for m in r {
        *hist.entry(m).or_default() += 1;
    }
    assert_eq!(hist.len(), 10);
    assert!(hist.values().all(|&n| (40..=170).contains(&n)), "{hist:?}");
}

#[test]
fn smove() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    let setup = |c: &mut redis::Connection| {
        let _: i64 = query(c, &["DEL", "s1", "s2", "s3"]).unwrap();
        let _: i64 = query(c, &["SADD", "s1", "1", "a", "b"]).unwrap();
        let _: i64 = query(c, &["SADD", "s2", "2", "3", "4"]).unwrap();
    };
    setup(&mut c);
    assert_eq!(int(&mut c, &["SMOVE", "s1", "s2", "a"]), 1);
    assert_eq!(sorted(&mut c, &["SMEMBERS", "s2"]), ["2", "3", "4", "a"]);
    assert_eq!(encoding(&mut c, "s2"), "hashtable");
    setup(&mut c);
    assert_eq!(int(&mut c, &["SMOVE", "s1", "s2", "1"]), 1);
    assert_eq!(encoding(&mut c, "s2"), "intset");
    assert_eq!(int(&mut c, &["SMOVE", "s1", "s2", "zz"]), 0);
    assert_eq!(int(&mut c, &["SMOVE", "s1", "s1", "a"]), 1);
    assert_eq!(int(&mut c, &["SMOVE", "s1", "s1", "zz"]), 0);
    assert_eq!(int(&mut c, &["SMOVE", "nokey", "s1", "a"]), 0);
    assert_eq!(int(&mut c, &["SMOVE", "s2", "s3", "2"]), 1);
    assert_eq!(encoding(&mut c, "s3"), "intset");
    assert_eq!(int(&mut c, &["SMOVE", "s1", "s3", "a"]), 1);
    assert_eq!(int(&mut c, &["SMOVE", "s1", "s3", "b"]), 1);
    assert_eq!(int(&mut c, &["EXISTS", "s1"]), 0, "an emptied source is deleted");
    assert_eq!(sorted(&mut c, &["SMEMBERS", "s3"]), ["2", "a", "b"]);
}

/// Keys without a hash tag: with 2 or 4 shards they land on different ones.
#[test]
fn algebra_across_shards() {
    for shards in [1, 2, 4] {
        let s = Server::start(shards, &[]);
        let mut c = s.conn();
        for i in 0..200 {
            let _: i64 = query(&mut c, &["SADD", "set1", &i.to_string()]).unwrap();
            let _: i64 = query(&mut c, &["SADD", "set2", &(i + 195).to_string()]).unwrap();
        }
        let _: i64 = query(&mut c, &["SADD", "set3", "199", "195", "1000", "2000"]).unwrap();
        let _: i64 = query(&mut c, &["SADD", "set5", "0"]).unwrap();
        let nums = |v: &[i64]| v.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let mut inter: Vec<i64> = query(&mut c, &["SINTER", "set1", "set2"]).unwrap();
        inter.sort();
        assert_eq!(inter, [195, 196, 197, 198, 199]);
        assert_eq!(int(&mut c, &["SINTERCARD", "2", "set1", "set2"]), 5);
        assert_eq!(int(&mut c, &["SINTERCARD", "3", "set1", "set2", "set3", "LIMIT", "1"]), 1);
        assert_eq!(int(&mut c, &["SINTERCARD", "1", "nokey", "LIMIT", "10"]), 0);
        assert_eq!(int(&mut c, &["SINTERSTORE", "dest", "set1", "set2", "set3"]), 2);
        assert_eq!(sorted(&mut c, &["SMEMBERS", "dest"]), nums(&[195, 199]));
        assert_eq!(encoding(&mut c, "dest"), "intset");
        assert_eq!(int(&mut c, &["SUNIONSTORE", "dest", "set1", "set2", "nokey"]), 395);
        assert_eq!(encoding(&mut c, "dest"), "intset");
        let union: Vec<String> = query(&mut c, &["SUNION", "set3", "set5", "nokey"]).unwrap();
        assert_eq!(union.len(), 5);
        let mut diff: Vec<i64> = query(&mut c, &["SDIFF", "set1", "set2", "set5"]).unwrap();
        diff.sort();
        assert_eq!(diff, (1..195).collect::<Vec<_>>());
        assert_eq!(query::<Vec<String>>(&mut c, &["SDIFF", "set1", "set1"]).unwrap(), Vec::<String>::new());
        assert_eq!(int(&mut c, &["SDIFFSTORE", "dest", "set3", "set1", "set2"]), 2);
        assert_eq!(sorted(&mut c, &["SMEMBERS", "dest"]), ["1000", "2000"]);
        // An empty result deletes the destination, whatever it held.
        let _: () = query(&mut c, &["SET", "str", "x"]).unwrap();
        assert_eq!(int(&mut c, &["SINTERSTORE", "str", "set1", "nokey"]), 0);
        assert_eq!(int(&mut c, &["EXISTS", "str"]), 0);
        let _: () = query(&mut c, &["SET", "str", "x"]).unwrap();
        let _: i64 = query(&mut c, &["EXPIRE", "str", "100"]).unwrap();
        assert_eq!(int(&mut c, &["SUNIONSTORE", "str", "set5"]), 1);
        assert_eq!(int(&mut c, &["TTL", "str"]), -1, "the store replaces the key and its expiry");
        assert_eq!(int(&mut c, &["SMOVE", "set3", "other", "1000"]), 1);
        assert_eq!(int(&mut c, &["SISMEMBER", "other", "1000"]), 1);
        assert_eq!(int(&mut c, &["SCARD", "set3"]), 3);
    }
}

#[test]
fn resp3_replies() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    let _: i64 = query(&mut c, &["SADD", "s", "a"]).unwrap();
    let mut r = s.raw();
    r.hello3();
    let expect = [
        ("SMEMBERS s\r\n", "~1\r\n$1\r\na\r\n"),
        ("SMEMBERS nokey\r\n", "~0\r\n"),
        ("SINTER s nokey\r\n", "~0\r\n"),
        ("SUNION s\r\n", "~1\r\n$1\r\na\r\n"),
        ("SRANDMEMBER s 1\r\n", "*1\r\n$1\r\na\r\n"),
        ("SRANDMEMBER s 0\r\n", "*0\r\n"),
        ("SRANDMEMBER nokey\r\n", "_\r\n"),
        ("SPOP nokey 2\r\n", "~0\r\n"),
        ("SPOP s 2\r\n", "~1\r\n$1\r\na\r\n"),
        ("SSCAN nokey 0\r\n", "*2\r\n$1\r\n0\r\n*0\r\n"),
    ];
    for (req, want) in expect {
        assert_eq!(r.roundtrip(req.as_bytes(), want.len()), want, "{req}");
    }
}

#[test]
fn sscan_walks_every_member() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    let _: i64 = query(&mut c, &["SADD", "set", "x"]).unwrap();
    for i in 0..1000 {
        let _: i64 = query(&mut c, &["SADD", "set", &i.to_string()]).unwrap();
    }
    let mut cursor = "0".to_string();
    let mut seen = HashSet::new();
    let mut calls = 0;
    loop {
        let (next, items): (String, Vec<String>) = query(&mut c, &["SSCAN", "set", &cursor]).unwrap();
        seen.extend(items);
        calls += 1;
        if calls == 3 {
            let doomed: Vec<String> = (100..1000).map(|i| i.to_string()).collect();
            let mut args = vec!["SREM", "set"];
            args.extend(doomed.iter().map(|s| s.as_str()));
            let _: i64 = query(&mut c, &args).unwrap();
        }
        cursor = next;
        if cursor == "0" {
            break;
        }
    }
    for i in 0..100 {
        assert!(seen.contains(&i.to_string()), "{i} missing");
    }
    let _: i64 = query(&mut c, &["SADD", "small", "foo", "fab", "fiz", "foobar", "1", "2"]).unwrap();
    let (next, mut items): (String, Vec<String>) =
        query(&mut c, &["SSCAN", "small", "0", "MATCH", "foo*", "COUNT", "100"]).unwrap();
    items.sort();
    assert_eq!((next.as_str(), items), ("0", vec!["foo".to_string(), "foobar".to_string()]));
    let _: i64 = query(&mut c, &["SADD", "ints", "1", "12", "3"]).unwrap();
    let (next, items): (String, Vec<String>) = query(&mut c, &["SSCAN", "ints", "0", "MATCH", "*1*"]).unwrap();
    assert_eq!((next.as_str(), items), ("0", vec!["1".to_string(), "12".to_string()]));
}
