//! Node-wide server commands against the real binary: INFO merged from
//! every shard, CONFIG SET applied at runtime (settings, port), CONFIG
//! RESETSTAT, MEMORY, ROLE, SHUTDOWN.

mod common;
use common::{free_port, Server};
use redis::Commands;
use std::collections::HashMap;

/// INFO `section` as field -> value.
fn info(c: &mut redis::Connection, section: &str) -> HashMap<String, String> {
    let text: String = redis::cmd("INFO").arg(section).query(c).unwrap();
    text.lines().filter_map(|l| l.split_once(':')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn info_merges_every_shard() {
    let s = Server::start(4, &[]);
    let mut c = s.conn();
    for i in 0..100 {
        let _: () = c.set(format!("key{i}"), i).unwrap();
    }
    for i in 0..10 {
        let _: () = c.expire(format!("key{i}"), 1000).unwrap();
    }
    for i in 0..120 {
        let _: Option<String> = c.get(format!("key{i}")).unwrap();
    }
    let all = info(&mut c, "everything");
    let db0 = &all["db0"];
    assert!(db0.starts_with("keys=100,expires=10,avg_ttl="), "{db0}");
    let avg_ttl: u64 = db0.rsplit('=').next().unwrap().parse().unwrap();
    assert!(avg_ttl > 990_000 && avg_ttl <= 1_000_000, "{avg_ttl}");
    assert_eq!(all["keyspace_hits"], "100");
    assert_eq!(all["keyspace_misses"], "20");
    assert!(all["cmdstat_set"].starts_with("calls=100,"), "{}", all["cmdstat_set"]);
    assert!(all["latency_percentiles_usec_get"].starts_with("p50="));
    assert_eq!(all["connected_clients"], "1");
    assert_eq!(all["rdb_changes_since_last_save"], "110");
    assert_eq!(all["shards"], "4");
    assert_eq!(all["tcp_port"], s.port.to_string());
    let used: u64 = all["used_memory"].parse().unwrap();
    assert!(used > 0 && used <= all["used_memory_peak"].parse().unwrap());
    assert!(all["total_reads_processed"].parse::<u64>().unwrap() >= 230);

    let text: String = redis::cmd("INFO").arg("cpu").arg("SERVER").query(&mut c).unwrap();
    let titles: Vec<&str> = text.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(titles, ["# Server", "# CPU"]);
    let none: String = redis::cmd("INFO").arg("nosuchsection").query(&mut c).unwrap();
    assert_eq!(none, "");
}

#[test]
fn config_set_reaches_every_shard() {
    let s = Server::start(2, &[]);
    let mut c = s.conn();
    let _: () = redis::cmd("CONFIG").arg("SET").arg("latency-tracking").arg("no").query(&mut c).unwrap();
    for i in 0..20 {
        let _: () = c.set(format!("k{i}"), i).unwrap();
    }
    assert!(!info(&mut c, "latencystats").contains_key("latency_percentiles_usec_set"));
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("latency-tracking")
        .arg("yes")
        .arg("latency-tracking-info-percentiles")
        .arg("0 99.9")
        .query(&mut c)
        .unwrap();
    for i in 0..20 {
        let _: () = c.set(format!("k{i}"), i).unwrap();
    }
    let line = &info(&mut c, "latencystats")["latency_percentiles_usec_set"];
    assert!(line.starts_with("p0=") && line.contains(",p99.9="), "{line}");

    let _: () = redis::cmd("CONFIG").arg("RESETSTAT").query(&mut c).unwrap();
    let stats = info(&mut c, "stats");
    assert_eq!(stats["total_connections_received"], "0");
    assert_eq!(stats["keyspace_hits"], "0");
    assert!(!info(&mut c, "commandstats").contains_key("cmdstat_set"));
}

#[test]
fn config_set_port_moves_the_listener() {
    let s = Server::start(2, &[]);
    let mut c = s.conn();
    // A port someone else holds: refused, and nothing changes.
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let held = holder.local_addr().unwrap().port().to_string();
    let err = redis::cmd("CONFIG").arg("SET").arg("port").arg(&held).query::<()>(&mut c).unwrap_err();
    assert!(err.to_string().contains("Unable to listen on this port"), "{err}");
    let port: HashMap<String, String> = redis::cmd("CONFIG").arg("GET").arg("port").query(&mut c).unwrap();
    assert_eq!(port["port"], s.port.to_string());
    assert!(s.conn().set::<_, _, ()>("still", "here").is_ok());

    let new_port = free_port();
    let _: () = redis::cmd("CONFIG").arg("SET").arg("port").arg(new_port).query(&mut c).unwrap();
    let moved = redis::Client::open(format!("redis://127.0.0.1:{new_port}/")).unwrap();
    let mut m = moved.get_connection().unwrap();
    let v: String = m.get("still").unwrap();
    assert_eq!(v, "here");
    assert_eq!(info(&mut m, "server")["tcp_port"], new_port.to_string());
    assert!(std::net::TcpStream::connect(("127.0.0.1", s.port)).is_err(), "the old port is closed");
    // Back, so that the test harness can stop the server as it knows it.
    let _: () = redis::cmd("CONFIG").arg("SET").arg("port").arg(s.port).query(&mut m).unwrap();
}

#[test]
fn memory_role_and_shutdown() {
    let mut s = Server::start(2, &[]);
    let mut c = s.conn();
    let _: () = c.set("foo", "bar").unwrap();
    let _: () = c.set("n", 12345).unwrap();
    let usage: i64 = redis::cmd("MEMORY").arg("USAGE").arg("foo").query(&mut c).unwrap();
    assert_eq!(usage, 64, "what Redis 7.0 reports");
    let usage: i64 = redis::cmd("MEMORY").arg("USAGE").arg("n").arg("SAMPLES").arg(0).query(&mut c).unwrap();
    assert_eq!(usage, 48);
    let missing: Option<i64> = redis::cmd("MEMORY").arg("USAGE").arg("nokey").query(&mut c).unwrap();
    assert_eq!(missing, None);
    let stats: HashMap<String, redis::Value> = redis::cmd("MEMORY").arg("STATS").query(&mut c).unwrap();
    assert_eq!(stats["keys.count"], redis::Value::Int(2));
    assert!(stats.contains_key("db.0") && stats.contains_key("fragmentation"));

    // Memory in use follows the data set.
    let before: u64 = info(&mut c, "memory")["used_memory"].parse().unwrap();
    let big = "x".repeat(1 << 20);
    for i in 0..16 {
        let _: () = c.set(format!("big{i}"), &big).unwrap();
    }
    let full: u64 = info(&mut c, "memory")["used_memory"].parse().unwrap();
    assert!(full >= before + (15 << 20), "{before} -> {full}");
    let _: () = redis::cmd("FLUSHALL").query(&mut c).unwrap();
    let after: u64 = info(&mut c, "memory")["used_memory"].parse().unwrap();
    assert!(after < full - (15 << 20), "{full} -> {after}");

    let role: (String, i64, Vec<String>) = redis::cmd("ROLE").query(&mut c).unwrap();
    assert_eq!(role, ("master".to_string(), 0, vec![]));
    for bad in [&["NOSAVE", "SAVE"][..], &["ABORT", "NOW"], &["LATER"]] {
        let err = redis::cmd("SHUTDOWN").arg(bad).query::<()>(&mut c).unwrap_err();
        assert!(err.to_string().contains("syntax error"), "{bad:?}: {err}");
    }
    assert!(s.alive());
    let _ = redis::cmd("SHUTDOWN").arg("NOSAVE").query::<()>(&mut c);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while s.alive() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(!s.alive(), "SHUTDOWN exits promptly");
}
