//! The hash family over TCP: replies and errors as Redis 7.0 gives them,
//! listpack/hashtable encodings under CONFIG SET thresholds, HINCRBY and
//! HINCRBYFLOAT rules, HRANDFIELD counts and RESP3 shapes, HSCAN cursors.

mod common;
use common::{encoding, error_text, int, query, Server};
use std::collections::{HashMap, HashSet};

#[test]
fn basic_replies() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    assert_eq!(int(&mut c, &["HSET", "h", "a", "1", "b", "2"]), 2);
    assert_eq!(int(&mut c, &["HSET", "h", "a", "10", "c", "3"]), 1);
    assert_eq!(query::<String>(&mut c, &["HMSET", "h", "d", "4"]).unwrap(), "OK");
    assert_eq!(int(&mut c, &["HSETNX", "h", "a", "x"]), 0);
    assert_eq!(int(&mut c, &["HSETNX", "h", "e", "5"]), 1);
    assert_eq!(query::<Option<String>>(&mut c, &["HGET", "h", "a"]).unwrap().as_deref(), Some("10"));
    assert_eq!(query::<Option<String>>(&mut c, &["HGET", "h", "zz"]).unwrap(), None);
    assert_eq!(query::<Option<String>>(&mut c, &["HGET", "nokey", "a"]).unwrap(), None);
    let got: Vec<Option<String>> = query(&mut c, &["HMGET", "h", "a", "zz", "b"]).unwrap();
    assert_eq!(got, vec![Some("10".into()), None, Some("2".into())]);
    let got: Vec<Option<String>> = query(&mut c, &["HMGET", "nokey", "a", "b"]).unwrap();
    assert_eq!(got, vec![None, None]);
    assert_eq!(int(&mut c, &["HLEN", "h"]), 5);
    assert_eq!(int(&mut c, &["HLEN", "nokey"]), 0);
    assert_eq!(int(&mut c, &["HSTRLEN", "h", "a"]), 2);
    assert_eq!(int(&mut c, &["HSTRLEN", "h", "zz"]), 0);
    assert_eq!(int(&mut c, &["HEXISTS", "h", "e"]), 1);
    assert_eq!(int(&mut c, &["HEXISTS", "h", "zz"]), 0);
    let mut keys: Vec<String> = query(&mut c, &["HKEYS", "h"]).unwrap();
    keys.sort();
    assert_eq!(keys, ["a", "b", "c", "d", "e"]);
    let mut vals: Vec<String> = query(&mut c, &["HVALS", "h"]).unwrap();
    vals.sort();
    assert_eq!(vals, ["10", "2", "3", "4", "5"]);
    let all: HashMap<String, String> = query(&mut c, &["HGETALL", "h"]).unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all["c"], "3");
    assert_eq!(query::<Vec<String>>(&mut c, &["HKEYS", "nokey"]).unwrap(), Vec::<String>::new());
    assert_eq!(int(&mut c, &["HDEL", "h", "a", "zz", "b"]), 2);
    assert_eq!(int(&mut c, &["HDEL", "nokey", "a"]), 0);
    assert_eq!(int(&mut c, &["HDEL", "h", "c", "d", "e", "f"]), 3);
    assert_eq!(int(&mut c, &["EXISTS", "h"]), 0, "the last field's deletion deletes the key");
    assert_eq!(query::<String>(&mut c, &["TYPE", "nokey"]).unwrap(), "none");
    let _: i64 = query(&mut c, &["HSET", "h", "f", "v"]).unwrap();
    assert_eq!(query::<String>(&mut c, &["TYPE", "h"]).unwrap(), "hash");
}

#[test]
fn errors_as_redis() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    let _: () = query(&mut c, &["SET", "str", "x"]).unwrap();
    let wrongtype = "WRONGTYPE Operation against a key holding the wrong kind of value";
    for cmd in [
        &["HSET", "str", "a", "1"][..],
        &["HGET", "str", "a"],
        &["HMGET", "str", "a"],
        &["HDEL", "str", "a"],
        &["HLEN", "str"],
        &["HGETALL", "str"],
        &["HINCRBY", "str", "a", "1"],
        &["HINCRBYFLOAT", "str", "a", "1"],
        &["HRANDFIELD", "str"],
        &["HRANDFIELD", "str", "2"],
        &["HSCAN", "str", "0"],
        &["HSETNX", "str", "a", "1"],
    ] {
        assert_eq!(error_text(query(&mut c, cmd)), wrongtype, "{cmd:?}");
    }
    assert_eq!(
        error_text(query(&mut c, &["HSET", "h", "a", "1", "b"])),
        "ERR wrong number of arguments for 'hset' command"
    );
    assert_eq!(
        error_text(query(&mut c, &["HMSET", "h", "a", "1", "b"])),
        "ERR wrong number of arguments for 'hmset' command"
    );
    assert_eq!(error_text(query(&mut c, &["HSET", "h"])), "ERR wrong number of arguments for 'hset' command");
    let _: i64 =
        query(&mut c, &["HSET", "h", "s", "abc", "n", "10", "sp", " 1", "big", "9223372036854775807"]).unwrap();
    assert_eq!(error_text(query(&mut c, &["HINCRBY", "h", "s", "1"])), "ERR hash value is not an integer");
    assert_eq!(error_text(query(&mut c, &["HINCRBY", "h", "sp", "1"])), "ERR hash value is not an integer");
    assert_eq!(error_text(query(&mut c, &["HINCRBY", "h", "n", "x"])), "ERR value is not an integer or out of range");
    assert_eq!(error_text(query(&mut c, &["HINCRBY", "h", "big", "1"])), "ERR increment or decrement would overflow");
    assert_eq!(error_text(query(&mut c, &["HINCRBYFLOAT", "h", "s", "1"])), "ERR hash value is not a float");
    assert_eq!(error_text(query(&mut c, &["HINCRBYFLOAT", "h", "n", "x"])), "ERR value is not a valid float");
    assert_eq!(error_text(query(&mut c, &["HINCRBYFLOAT", "h", "n", "+inf"])), "ERR value is NaN or Infinity");
    assert_eq!(error_text(query(&mut c, &["HINCRBYFLOAT", "new", "f", "inf"])), "ERR value is NaN or Infinity");
    assert_eq!(int(&mut c, &["EXISTS", "new"]), 0);
    let _: i64 = query(&mut c, &["HSET", "h", "inf", "inf"]).unwrap();
    assert_eq!(
        error_text(query(&mut c, &["HINCRBYFLOAT", "h", "inf", "1"])),
        "ERR increment would produce NaN or Infinity"
    );
    assert_eq!(error_text(query(&mut c, &["HRANDFIELD", "h", "1", "x"])), "ERR syntax error");
    assert_eq!(error_text(query(&mut c, &["HRANDFIELD", "h", "1", "withvalues", "x"])), "ERR syntax error");
    assert_eq!(
        error_text(query(&mut c, &["HRANDFIELD", "h", "-9223372036854775808"])),
        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
    );
    assert_eq!(
        error_text(query(&mut c, &["HRANDFIELD", "h", "-9223372036854770000", "withvalues"])),
        "ERR value is out of range"
    );
    assert_eq!(error_text(query(&mut c, &["HSCAN", "h", "x"])), "ERR invalid cursor");
    assert_eq!(error_text(query(&mut c, &["HSCAN", "h", "0", "COUNT", "0"])), "ERR syntax error");
    assert_eq!(error_text(query(&mut c, &["HSCAN", "h", "0", "TYPE", "hash"])), "ERR syntax error");
    assert_eq!(error_text(query(&mut c, &["HSCAN", "h", "0", "MATCH"])), "ERR syntax error");
    // Options are not looked at when the key is missing, as Redis.
    let empty: (String, Vec<String>) = query(&mut c, &["HSCAN", "nokey", "0", "COUNT", "0"]).unwrap();
    assert_eq!(empty, ("0".to_string(), vec![]));
}

#[test]
fn counters() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    assert_eq!(int(&mut c, &["HINCRBY", "h", "n", "5"]), 5);
    assert_eq!(int(&mut c, &["HINCRBY", "h", "n", "-7"]), -2);
    assert_eq!(int(&mut c, &["HINCRBY", "h", "big", "17179869184"]), 17179869184);
    let f = |c: &mut redis::Connection, args: &[&str]| query::<String>(c, args).unwrap();
    assert_eq!(f(&mut c, &["HINCRBYFLOAT", "h", "x", "1.23"]), "1.23");
    assert_eq!(f(&mut c, &["HINCRBYFLOAT", "h", "x", "0.77"]), "2");
    assert_eq!(f(&mut c, &["HINCRBYFLOAT", "h", "x", "-0.1"]), "1.9");
    assert_eq!(f(&mut c, &["HINCRBYFLOAT", "h", "n", "1.5"]), "-0.5");
    assert_eq!(f(&mut c, &["HINCRBYFLOAT", "h", "e", "5.0e3"]), "5000");
    assert_eq!(f(&mut c, &["HGET", "h", "e"]), "5000");
}

#[test]
fn encodings_follow_config() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    let _: i64 = query(&mut c, &["HSET", "small", "a", "1"]).unwrap();
    assert_eq!(encoding(&mut c, "small"), "listpack");
    let _: () = query(&mut c, &["CONFIG", "SET", "hash-max-listpack-value", "8"]).unwrap();
    let _: i64 = query(&mut c, &["HSET", "small", "b", "12345678"]).unwrap();
    assert_eq!(encoding(&mut c, "small"), "listpack");
    let _: i64 = query(&mut c, &["HSET", "small", "c", "123456789"]).unwrap();
    assert_eq!(encoding(&mut c, "small"), "hashtable");
    let _: i64 = query(&mut c, &["HDEL", "small", "c"]).unwrap();
    assert_eq!(encoding(&mut c, "small"), "hashtable", "never converts back");
    // HINCRBYFLOAT's result counts against the value limit.
    let _: String = query(&mut c, &["HINCRBYFLOAT", "f1", "tmp", "0.000005"]).unwrap();
    let _: String = query(&mut c, &["HINCRBYFLOAT", "f2", "tmp", "0.0000005"]).unwrap();
    assert_eq!(encoding(&mut c, "f1"), "listpack");
    assert_eq!(encoding(&mut c, "f2"), "hashtable");
    let _: () = query(&mut c, &["CONFIG", "SET", "hash-max-ziplist-entries", "3"]).unwrap();
    let _: i64 = query(&mut c, &["HSET", "n", "a", "1", "b", "2", "c", "3"]).unwrap();
    assert_eq!(encoding(&mut c, "n"), "listpack");
    let _: i64 = query(&mut c, &["HSET", "n", "d", "4"]).unwrap();
    assert_eq!(encoding(&mut c, "n"), "hashtable");
    let all: HashMap<String, String> = query(&mut c, &["HGETALL", "n"]).unwrap();
    assert_eq!(all.len(), 4);
    let usage: i64 = query(&mut c, &["MEMORY", "USAGE", "n"]).unwrap();
    assert!(usage > 0);
}

#[test]
fn resp3_shapes() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    let _: i64 = query(&mut c, &["HSET", "h", "a", "1"]).unwrap();
    let mut r = s.raw();
    r.hello3();
    let expect = [
        ("HGETALL h\r\n", "%1\r\n$1\r\na\r\n$1\r\n1\r\n"),
        ("HGETALL nokey\r\n", "%0\r\n"),
        ("HRANDFIELD h 1 WITHVALUES\r\n", "*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
        ("HRANDFIELD h -2\r\n", "*2\r\n$1\r\na\r\n$1\r\na\r\n"),
        ("HRANDFIELD h 0\r\n", "*0\r\n"),
        ("HRANDFIELD nokey 5\r\n", "*0\r\n"),
        ("HRANDFIELD nokey\r\n", "_\r\n"),
        ("HGET h zz\r\n", "_\r\n"),
        ("HSCAN h 0\r\n", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"),
    ];
    for (req, want) in expect {
        assert_eq!(r.roundtrip(req.as_bytes(), want.len()), want, "{req}");
    }
    // RESP2: WITHVALUES is one flat array.
    let mut r2 = s.raw();
    let want = "*2\r\n$1\r\na\r\n$1\r\n1\r\n";
    assert_eq!(r2.roundtrip(b"HRANDFIELD h 1 WITHVALUES\r\n", want.len()), want);
    let want = "*2\r\n$1\r\na\r\n$1\r\n1\r\n";
    assert_eq!(r2.roundtrip(b"HGETALL h\r\n", want.len()), want);
}

#[test]
fn hrandfield_counts_and_distribution() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    for enc in ["listpack", "hashtable"] {
        let _: i64 = query(&mut c, &["DEL", "h"]).unwrap();
        for i in 0..10 {
            let v = if enc == "hashtable" && i == 9 { "x".repeat(100) } else { i.to_string() };
            let _: i64 = query(&mut c, &["HSET", "h", &format!("f{i}"), &v]).unwrap();
        }
        assert_eq!(encoding(&mut c, "h"), enc);
        let all: Vec<String> = query(&mut c, &["HRANDFIELD", "h", "20"]).unwrap();
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), 10);
        let some: Vec<String> = query(&mut c, &["HRANDFIELD", "h", "8"]).unwrap();
        assert_eq!(some.iter().collect::<HashSet<_>>().len(), 8, "distinct");
        let pairs: Vec<String> = query(&mut c, &["HRANDFIELD", "h", "3", "WITHVALUES"]).unwrap();
        assert_eq!(pairs.len(), 6);
        let rep: Vec<String> = query(&mut c, &["HRANDFIELD", "h", "-1000"]).unwrap();
        assert_eq!(rep.len(), 1000);
        let mut hist: HashMap<&str, usize> = HashMap::new();
        for f in &rep {
            *hist.entry(f).or_default() += 1;
        }
        assert_eq!(hist.len(), 10);
        assert!(hist.values().all(|&n| (40..=170).contains(&n)), "{hist:?}");
        let one: String = query(&mut c, &["HRANDFIELD", "h"]).unwrap();
        assert!(one.starts_with('f'));
    }
}

#[test]
fn hscan_walks_every_field() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    for i in 0..1000 {
        let _: i64 = query(&mut c, &["HSET", "big", &format!("k{i}"), &i.to_string()]).unwrap();
    }
    assert_eq!(encoding(&mut c, "big"), "hashtable");
    let mut cursor = "0".to_string();
    let mut seen = HashMap::new();
    let mut calls = 0;
    loop {
        let (next, items): (String, Vec<String>) = query(&mut c, &["HSCAN", "big", &cursor, "COUNT", "50"]).unwrap();
        for kv in items.chunks(2) {
            seen.insert(kv[0].clone(), kv[1].clone());
        }
        calls += 1;
        if calls == 5 {
            // Deleting and adding mid-walk loses nothing that stays.
            for i in 500..1000 {
                let _: i64 = query(&mut c, &["HDEL", "big", &format!("k{i}")]).unwrap();
            }
            for i in 0..100 {
                let _: i64 = query(&mut c, &["HSET", "big", &format!("new{i}"), "x"]).unwrap();
            }
        }
        cursor = next;
        if cursor == "0" {
            break;
        }
    }
    for i in 0..500 {
        assert_eq!(seen.get(&format!("k{i}")), Some(&i.to_string()));
    }
    let (next, items): (String, Vec<String>) =
        query(&mut c, &["HSCAN", "big", "0", "MATCH", "k1?", "COUNT", "100000"]).unwrap();
    assert_eq!(next, "0");
    assert_eq!(items.len(), 20);
    let _: i64 = query(&mut c, &["HSET", "small", "foo", "1", "fab", "2", "foobar", "3"]).unwrap();
    let (next, items): (String, Vec<String>) = query(&mut c, &["HSCAN", "small", "0", "MATCH", "foo*"]).unwrap();
    assert_eq!((next.as_str(), items.len()), ("0", 4));
}
