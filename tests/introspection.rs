//! Introspection across shards: CLIENT LIST/KILL/PAUSE, MONITOR, SLOWLOG,
//! LATENCY and DEBUG, with clients spread over several cores.

mod common;
use common::{Raw, Server};
use std::io::Read;
use std::time::{Duration, Instant};

/// Connections enough that the kernel spreads them over every shard.
fn clients(s: &Server, n: usize) -> Vec<redis::Connection> {
    (0..n).map(|_| s.conn()).collect()
}

fn id(c: &mut redis::Connection) -> i64 {
    redis::cmd("CLIENT").arg("ID").query(c).unwrap()
}

/// Reads what arrives within `wait`.
fn read_for(r: &mut Raw, wait: Duration) -> String {
    r.s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let deadline = Instant::now() + wait;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match r.s.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => out.extend_from_slice(&buf[..k]),
            Err(_) => {}
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn client_list_and_kill_see_every_shard() {
    let s = Server::start(4, &[]);
    let mut cs = clients(&s, 8);
    let ids: Vec<i64> = cs.iter_mut().map(id).collect();
    let list: String = redis::cmd("CLIENT").arg("LIST").query(&mut cs[0]).unwrap();
    for i in &ids {
        assert!(list.contains(&format!("id={i} ")), "{i} missing from {list}");
    }
    // Lines in id order, as Redis lists its clients.
    let listed: Vec<i64> = list.lines().map(|l| l[3..l.find(' ').unwrap()].parse().unwrap()).collect();
    assert!(listed.windows(2).all(|w| w[0] < w[1]), "{listed:?}");

    let some: String = redis::cmd("CLIENT").arg("LIST").arg("ID").arg(ids[5]).arg(ids[2]).query(&mut cs[0]).unwrap();
    assert_eq!(some.lines().count(), 2);
    assert!(some.starts_with(&format!("id={} ", ids[5])), "{some}");

    let killed: i64 = redis::cmd("CLIENT").arg("KILL").arg("ID").arg(ids[7]).query(&mut cs[0]).unwrap();
    assert_eq!(killed, 1);
    assert!(redis::cmd("PING").query::<String>(&mut cs[7]).is_err());
    let err = redis::cmd("CLIENT").arg("KILL").arg("127.0.0.1:1").query::<()>(&mut cs[0]).unwrap_err();
    assert!(err.to_string().contains("No such client"), "{err}");
    // SKIPME no: the caller goes too, after its reply.
    let addr = |c: &mut redis::Connection| -> String {
        let info: String = redis::cmd("CLIENT").arg("INFO").query(c).unwrap();
        info.split(' ').find_map(|f| f.strip_prefix("laddr=")).unwrap().to_string()
    };
    let laddr = addr(&mut cs[0]);
    let n: i64 =
        redis::cmd("CLIENT").arg("KILL").arg("LADDR").arg(&laddr).arg("SKIPME").arg("no").query(&mut cs[0]).unwrap();
    assert_eq!(n, 7);
    assert!(redis::cmd("PING").query::<String>(&mut cs[0]).is_err());
}

#[test]
fn monitor_shows_transactions_in_order_and_hides_secrets() {
    let s = Server::start(2, &[]);
    let mut m = s.raw();
    assert_eq!(m.roundtrip(b"MONITOR\r\n", 5), "+OK\r\n");
    let mut c = s.raw();
    c.send(b"MULTI\r\nSET k v\r\nEXEC\r\nAUTH nobody secret\r\n");
    let seen = read_for(&mut m, Duration::from_millis(500));
    let cmds: Vec<&str> = seen.lines().map(|l| &l[l.find(']').unwrap() + 2..]).collect();
    assert_eq!(cmds, ["\"MULTI\"", "\"SET\" \"k\" \"v\"", "\"EXEC\"", "\"AUTH\" \"(redacted)\" \"(redacted)\""]);
    // A second MONITOR is ignored without a reply; the keyspace is off limits.
    m.send(b"MONITOR\r\nGET k\r\n");
    assert_eq!(read_for(&mut m, Duration::from_millis(300)), "-ERR Replica can't interact with the keyspace\r\n");
}

#[test]
fn client_pause_write_holds_writes_on_every_shard() {
    let s = Server::start(2, &[]);
    let mut admin = s.conn();
    let _: () = redis::cmd("CLIENT").arg("PAUSE").arg(60000).arg("WRITE").query(&mut admin).unwrap();
    let mut writers: Vec<Raw> = (0..4).map(|_| s.raw()).collect();
    for w in &mut writers {
        w.send(b"SET k v\r\n");
    }
    let mut reader = s.conn();
    let v: Option<String> = redis::cmd("GET").arg("k").query(&mut reader).unwrap();
    assert_eq!(v, None);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let info: String = redis::cmd("INFO").arg("clients").query(&mut admin).unwrap();
        if info.contains("blocked_clients:4") {
            break;
        }
        assert!(Instant::now() < deadline, "{info}");
        std::thread::sleep(Duration::from_millis(20));
    }
    let _: () = redis::cmd("CLIENT").arg("UNPAUSE").query(&mut admin).unwrap();
    for w in &mut writers {
        assert_eq!(w.read_n(5), b"+OK\r\n");
    }
    let v: Option<String> = redis::cmd("GET").arg("k").query(&mut reader).unwrap();
    assert_eq!(v.as_deref(), Some("v"));
}

#[test]
fn slowlog_merges_shards_newest_first_and_logs_inside_exec() {
    let s = Server::start(4, &["--enable-debug-command", "yes"]);
    let mut cs = clients(&s, 6);
    let _: () = redis::cmd("CONFIG").arg("SET").arg("slowlog-log-slower-than").arg(0).query(&mut cs[0]).unwrap();
    let _: () = redis::cmd("SLOWLOG").arg("RESET").query(&mut cs[0]).unwrap();
    for (i, c) in cs.iter_mut().enumerate() {
        let _: () = redis::cmd("SET").arg(format!("key{i}")).arg(i).query(c).unwrap();
    }
    let log: Vec<redis::Value> = redis::cmd("SLOWLOG").arg("GET").arg(-1).query(&mut cs[0]).unwrap();
    // The six SETs, newest first (the RESET was logged before them).
    let args: Vec<Vec<String>> = log
        .iter()
        .map(|e| {
            let redis::Value::Array(fields) = e else { panic!("{e:?}") };
            redis::from_redis_value(&fields[3]).unwrap()
        })
        .collect();
    let sets: Vec<String> = args.iter().filter(|a| a[0] == "SET").map(|a| a[1].clone()).collect();
    assert_eq!(sets, ["key5", "key4", "key3", "key2", "key1", "key0"]);

    let _: () = redis::cmd("CONFIG").arg("SET").arg("slowlog-log-slower-than").arg(100000).query(&mut cs[1]).unwrap();
    let _: () = redis::cmd("SLOWLOG").arg("RESET").query(&mut cs[1]).unwrap();
    let mut pipe = redis::pipe();
    pipe.atomic().cmd("DEBUG").arg("SLEEP").arg("0.2");
    let _: redis::Value = pipe.query(&mut cs[1]).unwrap();
    let log: Vec<(i64, i64, i64, Vec<String>, String, String)> =
        redis::cmd("SLOWLOG").arg("GET").query(&mut cs[1]).unwrap();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].3, ["DEBUG", "SLEEP", "0.2"]);
}

#[test]
fn debug_populate_fills_every_shard() {
    let s = Server::start(4, &["--enable-debug-command", "local"]);
    let mut c = s.conn();
    let _: () = redis::cmd("SET").arg("key:7").arg("mine").query(&mut c).unwrap();
    let _: () = redis::cmd("DEBUG").arg("POPULATE").arg(1000).query(&mut c).unwrap();
    let n: i64 = redis::cmd("DBSIZE").query(&mut c).unwrap();
    assert_eq!(n, 1000);
    let v: String = redis::cmd("GET").arg("key:7").query(&mut c).unwrap();
    assert_eq!(v, "mine");
    let v: String = redis::cmd("GET").arg("key:999").query(&mut c).unwrap();
    assert_eq!(v, "value:999");
    let _: () = redis::cmd("DEBUG").arg("POPULATE").arg(2).arg("p").arg(10).query(&mut c).unwrap();
    let v: Vec<u8> = redis::cmd("GET").arg("p:1").query(&mut c).unwrap();
    assert_eq!(v, b"value:1\0\0\0");
    let err = redis::cmd("DEBUG").arg("POPULATE").arg(-1).query::<()>(&mut c).unwrap_err();
    assert!(err.to_string().contains("must be positive"), "{err}");
}

#[test]
fn latency_histogram_counts_calls_from_every_shard() {
    let s = Server::start(4, &[]);
    let mut cs = clients(&s, 6);
    let _: () = redis::cmd("CONFIG").arg("RESETSTAT").query(&mut cs[0]).unwrap();
    for c in cs.iter_mut() {
        let _: () = redis::cmd("SET").arg("a").arg("b").query(c).unwrap();
    }
    let h: Vec<redis::Value> = redis::cmd("LATENCY").arg("HISTOGRAM").arg("set").query(&mut cs[0]).unwrap();
    assert_eq!(redis::from_redis_value::<String>(&h[0]).unwrap(), "set");
    let body: Vec<redis::Value> = redis::from_redis_value(&h[1]).unwrap();
    assert_eq!(redis::from_redis_value::<String>(&body[0]).unwrap(), "calls");
    assert_eq!(redis::from_redis_value::<i64>(&body[1]).unwrap(), 6);
    // Cumulative counts over power-of-two buckets end at the number of calls.
    let buckets: Vec<i64> = redis::from_redis_value(&body[3]).unwrap();
    assert_eq!(buckets.last(), Some(&6));
}
