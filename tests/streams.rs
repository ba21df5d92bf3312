//! Streams over TCP with Redis 7.0's exact replies: XADD IDs and options,
//! ranges and trimming (node-sized `~` trims), XREAD across shards in RESP2
//! and RESP3, consumer groups (XREADGROUP, XPENDING, XACK, XCLAIM,
//! XAUTOCLAIM), XINFO and XSETID.

mod common;
use common::{error_text, int, query, Server};
use redis::Value;

/// An entry: its ID and its fields and values.
type Entry = (String, Vec<String>);

fn text(c: &mut redis::Connection, args: &[&str]) -> String {
    query(c, args).unwrap()
}

/// A request in RESP.
fn resp(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n{a}\r\n", a.len()).as_bytes());
    }
    out
}

#[test]
fn xadd_ids_options_and_errors() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    assert_eq!(text(&mut c, &["XADD", "s", "123-456", "a", "1"]), "123-456");
    assert_eq!(text(&mut c, &["XADD", "s", "123-*", "a", "2"]), "123-457");
    assert_eq!(text(&mut c, &["XADD", "s", "789-*", "a", "3"]), "789-0");
    let e = |c: &mut redis::Connection, args: &[&str]| error_text(query(c, args));
    assert_eq!(
        e(&mut c, &["XADD", "s", "42-*", "a", "b"]),
        "ERR The ID specified in XADD is equal or smaller than the target stream top item"
    );
    assert_eq!(e(&mut c, &["XADD", "s", "0-0", "a", "b"]), "ERR The ID specified in XADD must be greater than 0-0");
    assert_eq!(e(&mut c, &["XADD", "s", "*", "a"]), "ERR wrong number of arguments for 'xadd' command");
    assert_eq!(
        e(&mut c, &["XADD", "s", "1-x", "a", "b"]),
        "ERR Invalid stream ID specified as stream command argument"
    );
    assert_eq!(e(&mut c, &["XADD", "s", "MAXLEN", "-1", "*", "a", "b"]), "ERR The MAXLEN argument must be >= 0.");
    assert_eq!(
        e(&mut c, &["XADD", "s", "MAXLEN", "1", "LIMIT", "5", "*", "a", "b"]),
        "ERR syntax error, LIMIT cannot be used without the special ~ option"
    );
    assert_eq!(
        e(&mut c, &["XADD", "s", "MAXLEN", "1", "MINID", "1", "*", "a", "b"]),
        "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
    );
    assert_eq!(query::<Option<String>>(&mut c, &["XADD", "nos", "NOMKSTREAM", "*", "a", "b"]).unwrap(), None);
    assert_eq!(int(&mut c, &["EXISTS", "nos"]), 0);
    // The largest ID: nothing can follow it.
    assert_eq!(
        text(&mut c, &["XADD", "big", "18446744073709551615-18446744073709551615", "a", "b"]),
        "18446744073709551615-18446744073709551615"
    );
    assert_eq!(
        e(&mut c, &["XADD", "big", "*", "a", "b"]),
        "ERR The stream has exhausted the last possible ID, unable to add more items"
    );
    let _: () = query(&mut c, &["SET", "str", "v"]).unwrap();
    assert!(e(&mut c, &["XADD", "str", "*", "a", "b"]).starts_with("WRONGTYPE"));
    // An empty stream stays a key, unlike empty collections.
    assert!(text(&mut c, &["XADD", "empty", "MAXLEN", "0", "*", "a", "b"]).contains('-'));
    assert_eq!(int(&mut c, &["XLEN", "empty"]), 0);
    assert_eq!(text(&mut c, &["TYPE", "empty"]), "stream");
    assert_eq!(text(&mut c, &["OBJECT", "ENCODING", "empty"]), "stream");
    // Auto IDs grow even within one millisecond (a transaction).
    let ids: Vec<String> = redis::pipe()
        .atomic()
        .cmd("XADD")
        .arg("t")
        .arg("*")
        .arg("f")
        .arg("1")
        .cmd("XADD")
        .arg("t")
        .arg("*")
        .arg("f")
        .arg("2")
        .query(&mut c)
        .unwrap();
    assert!(ids[0] < ids[1] || ids[0].len() < ids[1].len(), "{ids:?}");
}

#[test]
fn ranges_and_trimming_by_nodes() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    for j in 0..1000 {
        let _: String = query(&mut c, &["XADD", "s", "MAXLEN", "~", "555", "*", "item", &j.to_string()]).unwrap();
    }
    assert_eq!(int(&mut c, &["XLEN", "s"]), 600, "approximate trims drop whole 100-entry nodes");
    assert_eq!(int(&mut c, &["XTRIM", "s", "MAXLEN", "=", "555"]), 45);
    assert_eq!(int(&mut c, &["XTRIM", "s", "MAXLEN", "~", "444"]), 55);
    assert_eq!(int(&mut c, &["XLEN", "s"]), 500);
    let _: () = query(&mut c, &["CONFIG", "SET", "stream-node-max-entries", "10"]).unwrap();
    for _ in 0..100 {
        let _: String = query(&mut c, &["XADD", "l", "*", "x", "v"]).unwrap();
    }
    let _: String = query(&mut c, &["XADD", "l", "MAXLEN", "~", "55", "LIMIT", "30", "*", "x", "v"]).unwrap();
    assert_eq!(int(&mut c, &["XLEN", "l"]), 71);
    for id in ["1-0", "2-0", "3-0", "4-0", "5-0"] {
        let _: String = query(&mut c, &["XADD", "m", id, "f", "v"]).unwrap();
    }
    assert_eq!(int(&mut c, &["XTRIM", "m", "MINID", "3-0"]), 2);
    let ids: Vec<(String, Vec<String>)> = query(&mut c, &["XRANGE", "m", "-", "+"]).unwrap();
    assert_eq!(ids.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["3-0", "4-0", "5-0"]);
    let ids: Vec<(String, Vec<String>)> = query(&mut c, &["XREVRANGE", "m", "+", "(3-0", "COUNT", "1"]).unwrap();
    assert_eq!(ids, vec![("5-0".to_string(), vec!["f".to_string(), "v".to_string()])]);
    assert_eq!(query::<Value>(&mut c, &["XRANGE", "m", "-", "+", "COUNT", "0"]).unwrap(), Value::Nil);
    assert_eq!(
        error_text(query(&mut c, &["XRANGE", "m", "(-", "+"])),
        "ERR Invalid stream ID specified as stream command argument"
    );
    assert_eq!(error_text(query(&mut c, &["XRANGE", "m", "-", "(0-0"])), "ERR invalid end ID for the interval");
    assert_eq!(int(&mut c, &["XDEL", "m", "3-0", "9-0"]), 1);
    assert_eq!(int(&mut c, &["XDEL", "m", "4-0", "5-0"]), 2);
    assert_eq!(int(&mut c, &["EXISTS", "m"]), 1, "a stream emptied by XDEL stays");
    assert_eq!(
        error_text(query(&mut c, &["XADD", "m", "5-0", "f", "v"])),
        "ERR The ID specified in XADD is equal or smaller than the target stream top item"
    );
}

#[test]
fn xread_across_shards_in_resp2_and_resp3() {
    let s = Server::start(3, &[]);
    let mut c = s.conn();
    let keys: Vec<String> = (0..6).map(|i| format!("s{i}")).collect();
    for (i, k) in keys.iter().enumerate() {
        let _: String = query(&mut c, &["XADD", k, &format!("{}-1", i + 1), "f", &i.to_string()]).unwrap();
    }
    let mut args = vec!["XREAD", "COUNT", "5", "STREAMS"];
    args.extend(keys.iter().map(String::as_str));
    args.extend(std::iter::repeat_n("0", keys.len()));
    let r: Vec<(String, Vec<Entry>)> = query(&mut c, &args).unwrap();
    assert_eq!(r.len(), 6);
    assert_eq!(r[5], ("s5".to_string(), vec![("6-1".to_string(), vec!["f".to_string(), "5".to_string()])]));
    let r: Value = query(&mut c, &["XREAD", "STREAMS", "s0", "nosuch", "$", "0"]).unwrap();
    assert_eq!(r, Value::Nil);

    let mut raw = s.raw();
    let two = "*1\r\n*2\r\n$2\r\ns1\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n";
    assert_eq!(raw.roundtrip(&resp(&["XREAD", "STREAMS", "s1", "0"]), two.len()), two);
    let hello = "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n";
    assert!(raw.roundtrip(b"HELLO 3\r\n", hello.len()).starts_with("%7"));
    let tail =
        "$2\r\nid\r\n:N\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
    let _ = raw.read_n(tail.len());
    let three = "%1\r\n$2\r\ns1\r\n*1\r\n*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n";
    assert_eq!(raw.roundtrip(&resp(&["XREAD", "STREAMS", "s1", "0"]), three.len()), three);
    let none = "_\r\n";
    assert_eq!(raw.roundtrip(&resp(&["XREAD", "STREAMS", "s1", "$"]), none.len()), none);
}

#[test]
fn consumer_groups() {
    let s = Server::start(2, &[]);
    let mut c = s.conn();
    for id in ["1-0", "2-0", "3-0"] {
        let _: String = query(&mut c, &["XADD", "x", id, "f", "v"]).unwrap();
    }
    assert_eq!(text(&mut c, &["XGROUP", "CREATE", "x", "grp", "0"]), "OK");
    assert_eq!(
        error_text(query(&mut c, &["XGROUP", "CREATE", "x", "grp", "0"])),
        "BUSYGROUP Consumer Group name already exists"
    );
    assert!(error_text(query(&mut c, &["XGROUP", "CREATE", "nokey", "grp", "$"]))
        .starts_with("ERR The XGROUP subcommand requires the key to exist"));
    assert_eq!(text(&mut c, &["XGROUP", "CREATE", "made", "grp", "$", "MKSTREAM"]), "OK");
    let r: Vec<(String, Vec<Entry>)> =
        query(&mut c, &["XREADGROUP", "GROUP", "grp", "Alice", "STREAMS", "x", ">"]).unwrap();
    assert_eq!(r[0].1.len(), 3);
    assert_eq!(
        error_text(query(&mut c, &["XREADGROUP", "GROUP", "nog", "Alice", "STREAMS", "x", ">"])),
        "NOGROUP No such key 'x' or consumer group 'nog' in XREADGROUP with GROUP option"
    );
    // The history of a consumer shows deleted entries with a nil body.
    assert_eq!(int(&mut c, &["XDEL", "x", "2-0"]), 1);
    let r: Value = query(&mut c, &["XREADGROUP", "GROUP", "grp", "Alice", "STREAMS", "x", "0"]).unwrap();
    let Value::Array(streams) = r else { panic!("{r:?}") };
    let Value::Array(ref pair) = streams[0] else { panic!() };
    let Value::Array(ref entries) = pair[1] else { panic!() };
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[1], Value::Array(vec![Value::BulkString(b"2-0".to_vec()), Value::Nil]));

    let summary: Value = query(&mut c, &["XPENDING", "x", "grp"]).unwrap();
    assert_eq!(
        summary,
        Value::Array(vec![
            Value::Int(3),
            Value::BulkString(b"1-0".to_vec()),
            Value::BulkString(b"3-0".to_vec()),
            Value::Array(vec![Value::Array(vec![
                Value::BulkString(b"Alice".to_vec()),
                Value::BulkString(b"3".to_vec())
            ])]),
        ])
    );
    // XCLAIM drops deleted entries from the PEL and claims the others.
    let claimed: Vec<(String, Vec<String>)> =
        query(&mut c, &["XCLAIM", "x", "grp", "Bob", "0", "1-0", "2-0", "3-0"]).unwrap();
    assert_eq!(claimed.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["1-0", "3-0"]);
    let alice: Vec<Value> = query(&mut c, &["XPENDING", "x", "grp", "-", "+", "10", "Alice"]).unwrap();
    assert!(alice.is_empty());
    let bob: Vec<(String, String, i64, i64)> = query(&mut c, &["XPENDING", "x", "grp", "-", "+", "10", "Bob"]).unwrap();
    assert_eq!(bob.iter().map(|p| (p.0.as_str(), p.3)).collect::<Vec<_>>(), [("1-0", 3), ("3-0", 3)]);
    // XAUTOCLAIM as an iterator, JUSTID keeps the delivery count.
    let r: (String, Vec<String>, Vec<String>) =
        query(&mut c, &["XAUTOCLAIM", "x", "grp", "Carol", "0", "-", "COUNT", "1", "JUSTID"]).unwrap();
    assert_eq!(r, ("3-0".to_string(), vec!["1-0".to_string()], vec![]));
    assert_eq!(
        error_text(query(&mut c, &["XAUTOCLAIM", "x", "grp", "Carol", "0", "-", "COUNT", "0"])),
        "ERR COUNT must be > 0"
    );
    assert_eq!(int(&mut c, &["XACK", "x", "grp", "1-0", "3-0", "9-0"]), 2);
    assert_eq!(
        error_text(query(&mut c, &["XACK", "x", "grp", "1-0", "bad"])),
        "ERR Invalid stream ID specified as stream command argument"
    );
    assert_eq!(int(&mut c, &["XGROUP", "CREATECONSUMER", "x", "grp", "Dan"]), 1);
    assert_eq!(int(&mut c, &["XGROUP", "CREATECONSUMER", "x", "grp", "Dan"]), 0);
    assert_eq!(int(&mut c, &["XGROUP", "DELCONSUMER", "x", "grp", "Dan"]), 0);
    let names: Vec<Vec<Value>> = query(&mut c, &["XINFO", "CONSUMERS", "x", "grp"]).unwrap();
    let names: Vec<Value> = names.into_iter().map(|m| m[1].clone()).collect();
    assert_eq!(names, ["Alice", "Bob", "Carol"].map(|n| Value::BulkString(n.as_bytes().to_vec())));
    assert_eq!(int(&mut c, &["XGROUP", "DESTROY", "x", "grp"]), 1);
    assert_eq!(int(&mut c, &["XGROUP", "DESTROY", "x", "grp"]), 0);
}

#[test]
fn xinfo_and_xsetid() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    for id in ["1-0", "2-0", "3-0", "4-0", "5-0"] {
        let _: String = query(&mut c, &["XADD", "x", id, "data", "a"]).unwrap();
    }
    let _: i64 = query(&mut c, &["XDEL", "x", "3-0"]).unwrap();
    let _: String = query(&mut c, &["XGROUP", "CREATE", "x", "g1", "0"]).unwrap();
    let _: Value = query(&mut c, &["XREADGROUP", "GROUP", "g1", "c", "COUNT", "4", "STREAMS", "x", ">"]).unwrap();
    let info = s.cli(&["XINFO", "STREAM", "x"]);
    let expected = "length\n4\nradix-tree-keys\n1\nradix-tree-nodes\n2\nlast-generated-id\n5-0\nmax-deleted-entry-id\n3-0\n\
                    entries-added\n5\nrecorded-first-entry-id\n1-0\ngroups\n1\nfirst-entry\n1-0\ndata\na\nlast-entry\n5-0\ndata\na\n";
    assert_eq!(info, expected);
    let groups = s.cli(&["XINFO", "GROUPS", "x"]);
    assert_eq!(groups, "name\ng1\nconsumers\n1\npending\n4\nlast-delivered-id\n5-0\nentries-read\n5\nlag\n0\n");
    let resp3 = s.cli(&["-3", "XINFO", "GROUPS", "x"]);
    assert_eq!(resp3, "name g1\nconsumers 1\npending 4\nlast-delivered-id 5-0\nentries-read 5\nlag 0\n");
    assert_eq!(error_text(query(&mut c, &["XINFO", "STREAM", "nokey"])), "ERR no such key");
    assert_eq!(
        error_text(query(&mut c, &["XINFO", "STREAM", "x", "FULL", "COUNT"])),
        "ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP."
    );
    assert_eq!(
        error_text(query(&mut c, &["XINFO", "HELP", "x"])),
        "ERR wrong number of arguments for 'xinfo|help' command"
    );
    assert_eq!(
        error_text(query(&mut c, &["XSETID", "x", "1-0"])),
        "ERR The ID specified in XSETID is smaller than the target stream top item"
    );
    assert_eq!(text(&mut c, &["XSETID", "x", "9-0", "ENTRIESADDED", "10", "MAXDELETEDID", "8-0"]), "OK");
    assert_eq!(error_text(query(&mut c, &["XSETID", "nokey", "1-1"])), "ERR no such key");
    assert_eq!(error_text(query(&mut c, &["XSETID", "x", "9-0", "0"])), "ERR syntax error");
    let full: Vec<Value> = query(&mut c, &["XINFO", "STREAM", "x", "FULL", "COUNT", "1"]).unwrap();
    assert_eq!(full.len(), 18);
    assert_eq!(full[7], Value::BulkString(b"9-0".to_vec()));
}

/// Runs `args` on a new connection in a thread; the reply comes back on
/// the join handle.
fn in_thread(s: &Server, args: &[&str]) -> std::thread::JoinHandle<redis::RedisResult<Value>> {
    let mut c = s.conn();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    std::thread::spawn(move || {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        query::<Value>(&mut c, &a)
    })
}

/// Waits until `n` clients are blocked.
fn wait_blocked(c: &mut redis::Connection, n: usize) {
    for _ in 0..200 {
        let info: String = query(c, &["INFO", "clients"]).unwrap();
        if info.contains(&format!("blocked_clients:{n}\r")) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("{n} clients never blocked");
}

#[test]
fn blocking_reads() {
    let s = Server::start(3, &[]);
    let mut c = s.conn();
    let _: String = query(&mut c, &["XADD", "b1", "1-0", "old", "x"]).unwrap();
    // `$` means entries added after the wait began, on any shard.
    let waiting = in_thread(&s, &["XREAD", "BLOCK", "5000", "STREAMS", "b1", "b2", "b3", "$", "$", "$"]);
    wait_blocked(&mut c, 1);
    let _: String = query(&mut c, &["XADD", "b3", "7-0", "new", "y"]).unwrap();
    let r: Vec<(String, Vec<Entry>)> = redis::from_redis_value(&waiting.join().unwrap().unwrap()).unwrap();
    assert_eq!(r, vec![("b3".to_string(), vec![("7-0".to_string(), vec!["new".to_string(), "y".to_string()])])]);
    // A timeout answers nil; no BLOCK never waits.
    assert_eq!(query::<Value>(&mut c, &["XREAD", "BLOCK", "50", "STREAMS", "b1", "$"]).unwrap(), Value::Nil);
    assert_eq!(query::<Value>(&mut c, &["XREAD", "STREAMS", "b1", "$"]).unwrap(), Value::Nil);
    // A group reader gets new entries into its PEL, or an error when its
    // stream or group goes away.
    let _: String = query(&mut c, &["XGROUP", "CREATE", "g", "grp", "$", "MKSTREAM"]).unwrap();
    let waiting = in_thread(&s, &["XREADGROUP", "GROUP", "grp", "alice", "BLOCK", "0", "STREAMS", "g", ">"]);
    wait_blocked(&mut c, 1);
    let _: String = query(&mut c, &["XADD", "g", "3-0", "f", "v"]).unwrap();
    assert!(waiting.join().unwrap().is_ok());
    assert_eq!(int(&mut c, &["XLEN", "g"]), 1);
    let pending: Vec<Value> = query(&mut c, &["XPENDING", "g", "grp"]).unwrap();
    assert_eq!(pending[0], Value::Int(1));
    let waiting = in_thread(&s, &["XREADGROUP", "GROUP", "grp", "alice", "BLOCK", "0", "STREAMS", "g", ">"]);
    wait_blocked(&mut c, 1);
    let _: i64 = query(&mut c, &["XGROUP", "DESTROY", "g", "grp"]).unwrap();
    assert_eq!(
        error_text(waiting.join().unwrap()),
        "NOGROUP the consumer group this client was blocked on no longer exists"
    );
    let _: String = query(&mut c, &["XGROUP", "CREATE", "g", "grp", "$"]).unwrap();
    let waiting = in_thread(&s, &["XREADGROUP", "GROUP", "grp", "alice", "BLOCK", "0", "STREAMS", "g", ">"]);
    wait_blocked(&mut c, 1);
    let _: i64 = query(&mut c, &["DEL", "g"]).unwrap();
    assert_eq!(error_text(waiting.join().unwrap()), "UNBLOCKED the stream key no longer exists");
}

/// Replies recorded from redis-server 7.0.15 (each line runs on a RESP2 and
/// then a RESP3 connection of one server), byte for byte, on two shards.
#[test]
fn recorded_replies_match_redis() {
    common::replay(
        2,
        &[
        ("XADD s 1-1 a 1 b 2", "$3\r\n1-1\r\n", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"),
        ("XADD s 1-* c 3", "$3\r\n1-2\r\n", "$3\r\n1-3\r\n"),
        ("XADD s 1-1 x y", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"),
        ("XADD s 0-0 x y", "-ERR The ID specified in XADD must be greater than 0-0\r\n", "-ERR The ID specified in XADD must be greater than 0-0\r\n"),
        ("XADD s 2 x y", "$3\r\n2-0\r\n", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"),
        ("XADD s 3 a", "-ERR wrong number of arguments for 'xadd' command\r\n", "-ERR wrong number of arguments for 'xadd' command\r\n"),
        ("XADD s MAXLEN -1 3 a b", "-ERR The MAXLEN argument must be >= 0.\r\n", "-ERR The MAXLEN argument must be >= 0.\r\n"),
        ("XADD s MAXLEN 1 MINID 1 3 a b", "-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n", "-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n"),
        ("XADD s LIMIT 10 3 a b", "-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy\r\n", "-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy\r\n"),
        ("XADD s MAXLEN 5 LIMIT 10 3 a b", "-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n", "-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n"),
        ("XADD s MAXLEN ~ 5 LIMIT -1 3 a b", "-ERR The LIMIT argument must be >= 0.\r\n", "-ERR The LIMIT argument must be >= 0.\r\n"),
        ("XADD s NOMKSTREAM 4-0 a b", "$3\r\n4-0\r\n", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"),
        ("XADD nos NOMKSTREAM 4-0 a b", "$-1\r\n", "_\r\n"),
        ("XADD s 5-x a b", "-ERR Invalid stream ID specified as stream command argument\r\n", "-ERR Invalid stream ID specified as stream command argument\r\n"),
        ("XRANGE s - +", "*5\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n1-3\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*5\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n1-3\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"),
        ("XREVRANGE s + - COUNT 2", "*2\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n", "*2\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n"),
        ("XRANGE s - + COUNT 0", "*-1\r\n", "_\r\n"),
        ("XRANGE nos - + COUNT 0", "*0\r\n", "*0\r\n"),
        ("XRANGE s (1-1 +", "*4\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n1-3\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*4\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n1-3\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"),
        ("XRANGE s - (0-0", "-ERR invalid end ID for the interval\r\n", "-ERR invalid end ID for the interval\r\n"),
        ("XRANGE s (- +", "-ERR Invalid stream ID specified as stream command argument\r\n", "-ERR Invalid stream ID specified as stream command argument\r\n"),
        ("XRANGE s - + foo", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
        ("XLEN s", ":5\r\n", ":5\r\n"),
        ("XDEL s 1-1 9-9", ":1\r\n", ":0\r\n"),
        ("XTRIM s MAXLEN 1 LIMIT 5", "-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n", "-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n"),
        ("XTRIM s", "-ERR wrong number of arguments for 'xtrim' command\r\n", "-ERR wrong number of arguments for 'xtrim' command\r\n"),
        ("XTRIM s MINID = 2-0", ":2\r\n", ":0\r\n"),
        ("XINFO STREAM s", "*20\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n4-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-1\r\n$13\r\nentries-added\r\n:5\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n", "%10\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n4-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n1-1\r\n$13\r\nentries-added\r\n:5\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n2-0\r\n$6\r\ngroups\r\n:0\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"),
        ("XINFO STREAM s FULL COUNT", "-ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.\r\n", "-ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.\r\n"),
        ("XINFO STREAM nos", "-ERR no such key\r\n", "-ERR no such key\r\n"),
        ("XINFO HELP", "*9\r\n+XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CONSUMERS <key> <groupname>\r\n+    Show consumers of <groupname>.\r\n+GROUPS <key>\r\n+    Show the stream consumer groups.\r\n+STREAM <key> [FULL [COUNT <count>]\r\n+    Show information about the stream.\r\n+HELP\r\n+    Prints this help.\r\n", "*9\r\n+XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CONSUMERS <key> <groupname>\r\n+    Show consumers of <groupname>.\r\n+GROUPS <key>\r\n+    Show the stream consumer groups.\r\n+STREAM <key> [FULL [COUNT <count>]\r\n+    Show information about the stream.\r\n+HELP\r\n+    Prints this help.\r\n"),
        ("XGROUP HELP", "*17\r\n+XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CREATE <key> <groupname> <id|$> [option]\r\n+    Create a new consumer group. Options are:\r\n+    * MKSTREAM\r\n+      Create the empty stream if it does not exist.\r\n+    * ENTRIESREAD entries_read\r\n+      Set the group's entries_read counter (internal use).\r\n+CREATECONSUMER <key> <groupname> <consumer>\r\n+    Create a new consumer in the specified group.\r\n+DELCONSUMER <key> <groupname> <consumer>\r\n+    Remove the specified consumer.\r\n+DESTROY <key> <groupname>\r\n+    Remove the specified group.\r\n+SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]\r\n+    Set the current group ID and entries_read counter.\r\n+HELP\r\n+    Prints this help.\r\n", "*17\r\n+XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CREATE <key> <groupname> <id|$> [option]\r\n+    Create a new consumer group. Options are:\r\n+    * MKSTREAM\r\n+      Create the empty stream if it does not exist.\r\n+    * ENTRIESREAD entries_read\r\n+      Set the group's entries_read counter (internal use).\r\n+CREATECONSUMER <key> <groupname> <consumer>\r\n+    Create a new consumer in the specified group.\r\n+DELCONSUMER <key> <groupname> <consumer>\r\n+    Remove the specified consumer.\r\n+DESTROY <key> <groupname>\r\n+    Remove the specified group.\r\n+SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]\r\n+    Set the current group ID and entries_read counter.\r\n+HELP\r\n+    Prints this help.\r\n"),
        ("XSETID s 1-0", "-ERR The ID specified in XSETID is smaller than the target stream top item\r\n", "-ERR The ID specified in XSETID is smaller than the target stream top item\r\n"),
        ("XSETID s 200-0 ENTRIESADDED 1 MAXDELETEDID 300-0", "-ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id\r\n", "-ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id\r\n"),
        ("XSETID s 200-0 MAXDELETEDID 150-0 ENTRIESADDED 10", "+OK\r\n", "+OK\r\n"),
        ("XSETID nos 1-1", "-ERR no such key\r\n", "-ERR no such key\r\n"),
        ("XADD x 1-0 f 1", "$3\r\n1-0\r\n", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"),
        ("XADD x 2-0 f 2", "$3\r\n2-0\r\n", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"),
        ("XADD x 3-0 f 3", "$3\r\n3-0\r\n", "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"),
        ("XGROUP CREATE x g $", "+OK\r\n", "-BUSYGROUP Consumer Group name already exists\r\n"),
        ("XGROUP CREATE x g $", "-BUSYGROUP Consumer Group name already exists\r\n", "-BUSYGROUP Consumer Group name already exists\r\n"),
        ("XGROUP CREATE nos g $", "-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n", "-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n"),
        ("XGROUP CREATE x g0 0 ENTRIESREAD 0", "+OK\r\n", "-BUSYGROUP Consumer Group name already exists\r\n"),
        ("XGROUP CREATE x g1 0 ENTRIESREAD -2", "-ERR value for ENTRIESREAD must be positive or -1\r\n", "-ERR value for ENTRIESREAD must be positive or -1\r\n"),
        ("XGROUP CREATE x g1 0 foo", "-ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.\r\n", "-ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.\r\n"),
        ("XGROUP SETID x nog 0", "-NOGROUP No such consumer group 'nog' for key name 'x'\r\n", "-NOGROUP No such consumer group 'nog' for key name 'x'\r\n"),
        ("XGROUP SETID x g 0 ENTRIESREAD 1", "+OK\r\n", "+OK\r\n"),
        ("XGROUP CREATECONSUMER x g alice", ":1\r\n", ":0\r\n"),
        ("XGROUP CREATECONSUMER x g alice", ":0\r\n", ":0\r\n"),
        ("XGROUP CREATECONSUMER x nog alice", "-NOGROUP No such consumer group 'nog' for key name 'x'\r\n", "-NOGROUP No such consumer group 'nog' for key name 'x'\r\n"),
        ("XINFO GROUPS x", "*2\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n:1\r\n$3\r\nlag\r\n:2\r\n*12\r\n$4\r\nname\r\n$2\r\ng0\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n:0\r\n$3\r\nlag\r\n:3\r\n", "*2\r\n%6\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n:1\r\n$3\r\nlag\r\n:2\r\n%6\r\n$4\r\nname\r\n$2\r\ng0\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n:0\r\n$3\r\nlag\r\n:3\r\n"),
        ("XREADGROUP GROUP g alice COUNT 1 STREAMS x >", "*1\r\n*2\r\n$1\r\nx\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n", "%1\r\n$1\r\nx\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\n2\r\n"),
        ("XREADGROUP GROUP g bob STREAMS x >", "*1\r\n*2\r\n$1\r\nx\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\n3\r\n", "_\r\n"),
        ("XREADGROUP GROUP g bob STREAMS x >", "*-1\r\n", "_\r\n"),
        ("XREADGROUP GROUP g alice STREAMS x 0", "*1\r\n*2\r\n$1\r\nx\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\n2\r\n", "%1\r\n$1\r\nx\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\n2\r\n"),
        ("XREADGROUP GROUP g alice STREAMS x $", "-ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.\r\n", "-ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.\r\n"),
        ("XREADGROUP GROUP nog alice STREAMS x >", "-NOGROUP No such key 'x' or consumer group 'nog' in XREADGROUP with GROUP option\r\n", "-NOGROUP No such key 'x' or consumer group 'nog' in XREADGROUP with GROUP option\r\n"),
        ("XREADGROUP STREAMS x >", "-ERR wrong number of arguments for 'xreadgroup' command\r\n", "-ERR wrong number of arguments for 'xreadgroup' command\r\n"),
        ("XREAD GROUP g a STREAMS x >", "-ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.\r\n", "-ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.\r\n"),
        ("XREAD STREAMS x >", "-ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.\r\n", "-ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.\r\n"),
        ("XREAD STREAMS x", "-ERR wrong number of arguments for 'xread' command\r\n", "-ERR wrong number of arguments for 'xread' command\r\n"),
        ("XREAD COUNT 1 STREAMS x 0", "*1\r\n*2\r\n$1\r\nx\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n", "%1\r\n$1\r\nx\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n"),
        ("XREAD STREAMS x nos 0 0", "*1\r\n*2\r\n$1\r\nx\r\n*3\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\n2\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\n3\r\n", "%1\r\n$1\r\nx\r\n*3\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\n2\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\n3\r\n"),
        ("XREAD STREAMS nos 0", "*-1\r\n", "_\r\n"),
        ("XREAD BLOCK -1 STREAMS x 0", "-ERR timeout is negative\r\n", "-ERR timeout is negative\r\n"),
        ("XPENDING x g", "*4\r\n:3\r\n$3\r\n1-0\r\n$3\r\n3-0\r\n*2\r\n*2\r\n$5\r\nalice\r\n$1\r\n2\r\n*2\r\n$3\r\nbob\r\n$1\r\n1\r\n", "*4\r\n:3\r\n$3\r\n1-0\r\n$3\r\n3-0\r\n*2\r\n*2\r\n$5\r\nalice\r\n$1\r\n2\r\n*2\r\n$3\r\nbob\r\n$1\r\n1\r\n"),
        ("XPENDING x g - + 10 nobody", "*0\r\n", "*0\r\n"),
        ("XPENDING x g IDLE 1 - +", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
        ("XPENDING x nog", "-NOGROUP No such key 'x' or consumer group 'nog'\r\n", "-NOGROUP No such key 'x' or consumer group 'nog'\r\n"),
        ("XACK x g 1-0 bad", "-ERR Invalid stream ID specified as stream command argument\r\n", "-ERR Invalid stream ID specified as stream command argument\r\n"),
        ("XACK x g 1-0 9-0", ":1\r\n", ":0\r\n"),
        ("XDEL x 2-0", ":1\r\n", ":0\r\n"),
        ("XREADGROUP GROUP g bob STREAMS x 0", "*1\r\n*2\r\n$1\r\nx\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\n3\r\n", "%1\r\n$1\r\nx\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\n3\r\n"),
        ("XCLAIM x g carol 0 2-0 3-0", "*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\n3\r\n", "*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\n3\r\n"),
        ("XCLAIM x g carol 0 3-0 JUSTID", "*1\r\n$3\r\n3-0\r\n", "*1\r\n$3\r\n3-0\r\n"),
        ("XCLAIM x g carol x 3-0", "-ERR Invalid min-idle-time argument for XCLAIM\r\n", "-ERR Invalid min-idle-time argument for XCLAIM\r\n"),
        ("XCLAIM x g carol 0 3-0 foo", "-ERR Unrecognized XCLAIM option 'foo'\r\n", "-ERR Unrecognized XCLAIM option 'foo'\r\n"),
        ("XCLAIM x g carol 0 3-0 IDLE x", "-ERR Invalid IDLE option argument for XCLAIM\r\n", "-ERR Invalid IDLE option argument for XCLAIM\r\n"),
        ("XCLAIM x nog carol 0 3-0", "-NOGROUP No such key 'x' or consumer group 'nog'\r\n", "-NOGROUP No such key 'x' or consumer group 'nog'\r\n"),
        ("XCLAIM x g carol 0 1-0 FORCE JUSTID", "*1\r\n$3\r\n1-0\r\n", "*1\r\n$3\r\n1-0\r\n"),
        ("XGROUP DELCONSUMER x g dave", ":0\r\n", ":0\r\n"),
        ("XAUTOCLAIM x g erin 0 0", "*3\r\n$3\r\n0-0\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\n3\r\n*0\r\n", "*3\r\n$3\r\n0-0\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\n3\r\n*0\r\n"),
        ("XAUTOCLAIM x g erin 0 0 COUNT 0", "-ERR COUNT must be > 0\r\n", "-ERR COUNT must be > 0\r\n"),
        ("XAUTOCLAIM x g erin 0 0 foo", "-ERR syntax error\r\n", "-ERR syntax error\r\n"),
        ("XAUTOCLAIM x nog erin 0 0", "-NOGROUP No such key 'x' or consumer group 'nog'\r\n", "-NOGROUP No such key 'x' or consumer group 'nog'\r\n"),
        ("XAUTOCLAIM x g erin 0 0 JUSTID COUNT 1", "*3\r\n$3\r\n3-0\r\n*1\r\n$3\r\n1-0\r\n*0\r\n", "*3\r\n$3\r\n3-0\r\n*1\r\n$3\r\n1-0\r\n*0\r\n"),
        ("XGROUP SETID x g 0", "+OK\r\n", "+OK\r\n"),
        ("XREADGROUP GROUP g frank NOACK STREAMS x >", "*1\r\n*2\r\n$1\r\nx\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\n3\r\n", "_\r\n"),
        ("XINFO GROUPS x", "*2\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:5\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$3\r\n3-0\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n:0\r\n*12\r\n$4\r\nname\r\n$2\r\ng0\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n:0\r\n$3\r\nlag\r\n$-1\r\n", "*2\r\n%6\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:5\r\n$7\r\npending\r\n:2\r\n$17\r\nlast-delivered-id\r\n$3\r\n3-0\r\n$12\r\nentries-read\r\n:3\r\n$3\r\nlag\r\n:0\r\n%6\r\n$4\r\nname\r\n$2\r\ng0\r\n$9\r\nconsumers\r\n:0\r\n$7\r\npending\r\n:0\r\n$17\r\nlast-delivered-id\r\n$3\r\n0-0\r\n$12\r\nentries-read\r\n:0\r\n$3\r\nlag\r\n_\r\n"),
        ("XGROUP DESTROY x g", ":1\r\n", ":0\r\n"),
        ("XINFO STREAM x", "*20\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n3-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n2-0\r\n$13\r\nentries-added\r\n:3\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\n3\r\n", "%10\r\n$6\r\nlength\r\n:2\r\n$15\r\nradix-tree-keys\r\n:1\r\n$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n3-0\r\n$20\r\nmax-deleted-entry-id\r\n$3\r\n2-0\r\n$13\r\nentries-added\r\n:3\r\n$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:1\r\n$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n$10\r\nlast-entry\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\n3\r\n"),
        ("SET str v", "+OK\r\n", "+OK\r\n"),
        ("XADD str 1 a b", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
        ("XREAD STREAMS str 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
        ],
    );
}
