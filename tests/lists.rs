//! The list family over TCP: pushes and pops with their RESP2/RESP3 nil
//! shapes, ranges, LPOS options, LMOVE/LMPOP with keys on different shards,
//! node sizes from list-max-listpack-size, and the errors Redis gives.

mod common;
use common::{error_text, query, Server};
use redis::Value;

fn strings(c: &mut redis::Connection, args: &[&str]) -> Vec<String> {
    query(c, args).unwrap()
}

#[test]
fn push_pop_range_and_errors() {
    for shards in [1, 2] {
        let s = Server::start(shards, &[]);
        let mut c = s.conn();
        let n: i64 = query(&mut c, &["RPUSH", "l", "a", "b", "c"]).unwrap();
        assert_eq!(n, 3);
        let n: i64 = query(&mut c, &["LPUSH", "l", "y", "z"]).unwrap();
        assert_eq!(n, 5);
        assert_eq!(strings(&mut c, &["LRANGE", "l", "0", "-1"]), ["z", "y", "a", "b", "c"]);
        assert_eq!(strings(&mut c, &["LRANGE", "l", "-2", "100"]), ["b", "c"]);
        let v: Option<String> = query(&mut c, &["LINDEX", "l", "-1"]).unwrap();
        assert_eq!(v.as_deref(), Some("c"));
        assert_eq!(strings(&mut c, &["RPOP", "l", "2"]), ["c", "b"]);
        let v: Value = query(&mut c, &["LPOP", "missing"]).unwrap();
        assert_eq!(v, Value::Nil);
        let v: Value = query(&mut c, &["LPOP", "missing", "3"]).unwrap();
        assert_eq!(v, Value::Nil);
        let v: Vec<String> = query(&mut c, &["LPOP", "l", "0"]).unwrap();
        assert!(v.is_empty());
        assert_eq!(error_text(query(&mut c, &["LPOP", "l", "-1"])), "ERR value is out of range, must be positive");
        assert_eq!(
            error_text(query(&mut c, &["LPOP", "l", "1", "2"])),
            "ERR wrong number of arguments for 'lpop' command"
        );
        let _: () = query(&mut c, &["SET", "s", "x"]).unwrap();
        assert!(error_text(query(&mut c, &["LPUSH", "s", "x"])).starts_with("WRONGTYPE"));
        assert_eq!(error_text(query(&mut c, &["LSET", "nokey", "0", "x"])), "ERR no such key");
        assert_eq!(error_text(query(&mut c, &["LSET", "l", "10", "x"])), "ERR index out of range");
        // The last element popped deletes the key.
        assert_eq!(strings(&mut c, &["LPOP", "l", "10"]), ["z", "y", "a"]);
        let exists: i64 = query(&mut c, &["EXISTS", "l"]).unwrap();
        assert_eq!(exists, 0);
        let enc: String = query(&mut c, &["OBJECT", "ENCODING", "s"]).unwrap();
        assert_eq!(enc, "embstr");
        let _: i64 = query(&mut c, &["RPUSH", "e", "1"]).unwrap();
        let enc: String = query(&mut c, &["OBJECT", "ENCODING", "e"]).unwrap();
        assert_eq!(enc, "quicklist", "Redis 7.0 reports every list as a quicklist");
    }
}

#[test]
fn nil_shapes_in_resp3() {
    let s = Server::start(1, &[]);
    let mut r = s.raw();
    r.hello3();
    assert_eq!(r.roundtrip(b"LPOP nokey\r\n", 3), "_\r\n");
    assert_eq!(r.roundtrip(b"LPOP nokey 2\r\n", 3), "_\r\n");
    assert_eq!(r.roundtrip(b"LMPOP 1 nokey LEFT\r\n", 3), "_\r\n");
    assert_eq!(r.roundtrip(b"LPOS nokey a COUNT 0\r\n", 4), "*0\r\n");
    assert_eq!(r.roundtrip(b"RPUSH l a bc\r\n", 4), ":2\r\n");
    assert_eq!(r.roundtrip(b"LRANGE l 0 -1\r\n", 18), "*2\r\n$1\r\na\r\n$2\r\nbc\r\n");
    assert_eq!(r.roundtrip(b"LRANGE l 5 9\r\n", 4), "*0\r\n");
}

#[test]
fn lpos_insert_rem_trim() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    let _: i64 = query(&mut c, &["RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c"]).unwrap();
    let p: i64 = query(&mut c, &["LPOS", "l", "c"]).unwrap();
    assert_eq!(p, 2);
    let p: Vec<i64> = query(&mut c, &["LPOS", "l", "c", "COUNT", "0"]).unwrap();
    assert_eq!(p, [2, 6, 7]);
    let p: Vec<i64> = query(&mut c, &["LPOS", "l", "c", "RANK", "-1", "COUNT", "2"]).unwrap();
    assert_eq!(p, [7, 6]);
    let p: Option<i64> = query(&mut c, &["LPOS", "l", "c", "MAXLEN", "2"]).unwrap();
    assert_eq!(p, None);
    assert!(error_text(query(&mut c, &["LPOS", "l", "c", "RANK", "0"])).starts_with("ERR RANK can't be zero"));
    assert_eq!(error_text(query(&mut c, &["LPOS", "l", "c", "COUNT", "-1"])), "ERR COUNT can't be negative");
    let n: i64 = query(&mut c, &["LINSERT", "l", "BEFORE", "1", "x"]).unwrap();
    assert_eq!(n, 9);
    let n: i64 = query(&mut c, &["LINSERT", "l", "AFTER", "nope", "x"]).unwrap();
    assert_eq!(n, -1);
    let n: i64 = query(&mut c, &["LREM", "l", "-2", "c"]).unwrap();
    assert_eq!(n, 2);
    assert_eq!(strings(&mut c, &["LRANGE", "l", "0", "-1"]), ["a", "b", "c", "x", "1", "2", "3"]);
    let _: () = query(&mut c, &["LTRIM", "l", "1", "-2"]).unwrap();
    assert_eq!(strings(&mut c, &["LRANGE", "l", "0", "-1"]), ["b", "c", "x", "1", "2"]);
    let _: () = query(&mut c, &["LTRIM", "l", "5", "1"]).unwrap();
    let exists: i64 = query(&mut c, &["EXISTS", "l"]).unwrap();
    assert_eq!(exists, 0);
}

#[test]
fn move_and_mpop_across_shards() {
    let s = Server::start(3, &[]);
    let mut c = s.conn();
    // Keys without hash tags: spread over the shards.
    let keys: Vec<String> = (0..6).map(|i| format!("list:{i}")).collect();
    for (i, k) in keys.iter().enumerate() {
        let _: i64 = query(&mut c, &["RPUSH", k, &format!("v{i}a"), &format!("v{i}b")]).unwrap();
    }
    for w in keys.windows(2) {
        let v: String = query(&mut c, &["LMOVE", &w[0], &w[1], "LEFT", "RIGHT"]).unwrap();
        assert!(v.starts_with('v'));
    }
    let v: String = query(&mut c, &["RPOPLPUSH", &keys[5], &keys[0]]).unwrap();
    assert_eq!(v, "v4a");
    let got: (String, Vec<String>) =
        query(&mut c, &["LMPOP", "3", "nothing", &keys[2], &keys[3], "RIGHT", "COUNT", "5"]).unwrap();
    assert_eq!(got.0, keys[2]);
    assert_eq!(got.1, ["v1a", "v2b"]);
    assert_eq!(error_text(query(&mut c, &["LMPOP", "0", "a", "LEFT"])), "ERR numkeys should be greater than 0");
    assert_eq!(
        error_text(query(&mut c, &["LMPOP", "1", "a", "LEFT", "COUNT", "0"])),
        "ERR count should be greater than 0"
    );
}

#[test]
fn node_size_setting_keeps_the_elements() {
    let s = Server::start(1, &["--list-max-listpack-size", "4"]);
    let mut c = s.conn();
    for i in 0..100 {
        let _: i64 = query(&mut c, &["RPUSH", "l", &i.to_string()]).unwrap();
    }
    let _: () = query(&mut c, &["CONFIG", "SET", "list-max-listpack-size", "-1"]).unwrap();
    let _: i64 = query(&mut c, &["LINSERT", "l", "AFTER", "50", &"x".repeat(5000)]).unwrap();
    let all: Vec<String> = query(&mut c, &["LRANGE", "l", "0", "-1"]).unwrap();
    assert_eq!(all.len(), 101);
    assert_eq!(all[51].len(), 5000);
    assert_eq!(all[100], "99");
    let v: String = query(&mut c, &["LINDEX", "l", "52"]).unwrap();
    assert_eq!(v, "51");
}

#[test]
fn memory_usage_as_redis_reports_it() {
    // Figures recorded from redis-server 7.0.15 for the same data.
    let s = Server::start(2, &[]);
    let mut c = s.conn();
    let _: i64 = query(&mut c, &["RPUSH", "zz", "a", "b"]).unwrap();
    let _: i64 = query(&mut c, &["RPUSH", "n", "1", "2", "300", "70000", "-5"]).unwrap();
    let mut pipe = redis::pipe();
    for i in 0..5000 {
        pipe.cmd("RPUSH").arg("big").arg(format!("element{i:05}")).ignore();
    }
    let _: () = pipe.query(&mut c).unwrap();
    for (key, bytes) in [("zz", 144), ("n", 160), ("big", 74176)] {
        let got: i64 = query(&mut c, &["MEMORY", "USAGE", key]).unwrap();
        assert_eq!(got, bytes, "{key}");
    }
    let all: i64 = query(&mut c, &["MEMORY", "USAGE", "big", "SAMPLES", "0"]).unwrap();
    assert_eq!(all, 71104);
}
