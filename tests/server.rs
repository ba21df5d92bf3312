//! The server as a user meets it: start-up options, authentication,
//! databases, client limits, redis-cli and shard counts.

mod common;
use common::Server;
use redis::Commands;

#[test]
fn basic_commands_with_one_and_four_shards() {
    for shards in [1, 4] {
        let s = Server::start(shards, &[]);
        let mut c = s.conn();
        let _: () = c.set("k", "v").unwrap();
        let v: String = c.get("k").unwrap();
        assert_eq!(v, "v");
        let n: i64 = c.incr("counter", 5).unwrap();
        assert_eq!(n, 5);
        for i in 0..100 {
            let _: () = c.set(format!("key{i}"), i).unwrap();
        }
        let size: i64 = redis::cmd("DBSIZE").query(&mut c).unwrap();
        assert_eq!(size, 102, "with {shards} shards");
        let vals: Vec<Option<i64>> = c.get((0..100).map(|i| format!("key{i}")).collect::<Vec<_>>()).unwrap();
        assert_eq!(vals, (0..100).map(Some).collect::<Vec<_>>());
        let deleted: i64 = c.del((0..100).map(|i| format!("key{i}")).collect::<Vec<_>>()).unwrap();
        assert_eq!(deleted, 100);
        let size: i64 = redis::cmd("DBSIZE").query(&mut c).unwrap();
        assert_eq!(size, 2);
    }
}

#[test]
fn more_shards_than_cores() {
    let s = Server::start(8, &[]);
    let mut c = s.conn();
    let pairs: Vec<(String, String)> = (0..200).map(|i| (format!("k{i}"), format!("v{i}"))).collect();
    let _: () = c.mset(&pairs).unwrap();
    let got: Vec<String> = c.mget(pairs.iter().map(|p| p.0.clone()).collect::<Vec<_>>()).unwrap();
    assert_eq!(got, pairs.iter().map(|p| p.1.clone()).collect::<Vec<_>>());
}

#[test]
fn select_isolates_databases() {
    let s = Server::start(2, &[]);
    let mut c = s.conn();
    let _: () = c.set("x", "db0").unwrap();
    let _: () = redis::cmd("SELECT").arg(9).query(&mut c).unwrap();
    let v: Option<String> = c.get("x").unwrap();
    assert_eq!(v, None);
    let err = redis::cmd("SELECT").arg(16).query::<()>(&mut c).unwrap_err();
    assert!(err.to_string().contains("DB index is out of range"), "{err}");
    let _: () = redis::cmd("FLUSHALL").query(&mut c).unwrap();
    let _: () = redis::cmd("SELECT").arg(0).query(&mut c).unwrap();
    let v: Option<String> = c.get("x").unwrap();
    assert_eq!(v, None);
}

#[test]
fn requirepass_and_auth() {
    let s = Server::start(2, &["--requirepass", "secret"]);
    let mut r = s.raw();
    let want = "-NOAUTH Authentication required.\r\n";
    assert_eq!(r.roundtrip(b"GET a\r\n", want.len()), want);
    let want = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
    assert_eq!(r.roundtrip(b"AUTH wrong\r\n", want.len()), want);
    assert_eq!(r.roundtrip(b"AUTH secret\r\n", 5), "+OK\r\n");
    assert_eq!(r.roundtrip(b"GET a\r\n", 5), "$-1\r\n");
    let out = s.cli(&["-a", "secret", "--no-auth-warning", "ping"]);
    assert_eq!(out.trim(), "PONG");
}

#[test]
fn maxclients_rejects_extra_connections() {
    let s = Server::start(1, &["--maxclients", "2"]);
    // Let the server notice that the start-up probe connection closed.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut a = s.raw();
    let mut b = s.raw();
    assert_eq!(a.roundtrip(b"PING\r\n", 7), "+PONG\r\n");
    assert_eq!(b.roundtrip(b"PING\r\n", 7), "+PONG\r\n");
    let mut c = s.raw();
    let want = "-ERR max number of clients reached\r\n";
    assert_eq!(String::from_utf8_lossy(&c.read_n(want.len())), want);
}

#[test]
fn redis_cli_talks_to_clover() {
    let s = Server::start(2, &[]);
    assert_eq!(s.cli(&["set", "greeting", "hello world"]).trim(), "OK");
    assert_eq!(s.cli(&["get", "greeting"]).trim(), "hello world");
    assert_eq!(s.cli(&["config", "get", "port"]).lines().nth(1).unwrap(), s.port.to_string());
}

#[test]
fn unknown_directive_exits_with_error() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_clover"))
        .args(["--port", "0", "--no-such-directive", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break Some(st);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    assert_eq!(status.and_then(|s| s.code()), Some(1), "clover must exit 1 on an unknown directive");
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("Bad directive or wrong number of arguments"), "{text}");
}

#[test]
fn sigterm_exits_promptly() {
    let mut s = Server::start(2, &[]);
    assert!(s.alive());
    drop(s.conn());
    s.signal(libc::SIGTERM);
    assert_eq!(s.wait_exit(std::time::Duration::from_secs(10)), Some(0));
}

#[test]
fn idle_clients_are_closed_after_timeout() {
    let s = Server::start(1, &["--timeout", "1"]);
    let mut idle = s.raw();
    assert_eq!(idle.roundtrip(b"PING\r\n", 7), "+PONG\r\n");
    // Closed within the 5 s read timeout of the raw socket (timeout 1 s,
    // checked hz times a second).
    assert!(idle.closed(), "an idle client must be closed after `timeout` seconds");
    let mut c = s.conn();
    let pong: String = redis::cmd("PING").query(&mut c).unwrap();
    assert_eq!(pong, "PONG");
}

#[test]
fn reset_restores_connection_defaults() {
    let s = Server::start(2, &[]);
    let mut r = s.raw();
    assert_eq!(r.roundtrip(b"SELECT 3\r\n", 5), "+OK\r\n");
    assert_eq!(r.roundtrip(b"SET k v\r\n", 5), "+OK\r\n");
    assert_eq!(r.roundtrip(b"RESET\r\n", 8), "+RESET\r\n");
    assert_eq!(r.roundtrip(b"GET k\r\n", 5), "$-1\r\n");
    assert_eq!(r.roundtrip(b"SELECT 3\r\n", 5), "+OK\r\n");
    assert_eq!(r.roundtrip(b"GET k\r\n", 7), "$1\r\nv\r\n");
}

#[test]
fn monitor_sees_commands_from_every_shard() {
    let s = Server::start(4, &[]);
    let mut m = s.raw();
    assert_eq!(m.roundtrip(b"MONITOR\r\n", 5), "+OK\r\n");
    let mut c = s.conn();
    for i in 0..8 {
        let _: () = c.set(format!("mon:{i}"), "v\"x").unwrap();
    }
    let mut seen = String::new();
    while (0..8).any(|i| !seen.contains(&format!("\"set\" \"mon:{i}\" \"v\\\"x\""))) {
        let chunk = m.read_n(1);
        assert!(!chunk.is_empty(), "monitor stream ended early; got {seen}");
        seen.push_str(&String::from_utf8_lossy(&chunk).to_lowercase());
    }
    assert!(seen.lines().all(|l| l.starts_with('+') && l.contains(" [0 127.0.0.1:")), "{seen}");
}

#[test]
fn restart_on_the_same_port_after_shutdown() {
    let s = Server::start(2, &[]);
    let port = s.port;
    let mut r = s.raw();
    assert_eq!(r.roundtrip(b"SET k v\r\n", 5), "+OK\r\n");
    r.send(b"SHUTDOWN NOSAVE\r\n");
    assert!(r.closed());
    drop(s);
    let dir = std::env::temp_dir().join(format!("clover-restart-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let args: Vec<String> = ["--port", &port.to_string(), "--shards", "2", "--dir", &dir.display().to_string()]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let s2 = Server::start_with_args(port, dir, &args);
    assert_eq!(s2.cli(&["ping"]).trim(), "PONG");
}
