//! Streams over TCP with Redis 7.0's exact replies: XADD IDs and options,
//! ranges and trimming (node-sized `~` trims), XREAD across shards in RESP2
//! and RESP3, consumer groups (XREADGROUP, XPENDING, XACK, XCLAIM,
//! XAUTOCLAIM), XINFO and XSETID.

mod common;
use common::Server;
use redis::Value;

fn query<T: redis::FromRedisValue>(c: &mut redis::Connection, args: &[&str]) -> redis::RedisResult<T> {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    cmd.query(c)
}

/// An entry: its ID and its fields and values.
type Entry = (String, Vec<String>);

fn error_text(r: redis::RedisResult<Value>) -> String {
    let e = r.expect_err("an error reply");
    format!("{} {}", e.code().unwrap_or(""), e.detail().unwrap_or(""))
}

fn int(c: &mut redis::Connection, args: &[&str]) -> i64 {
    query(c, args).unwrap()
}

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
