//! Bad input never takes the server down: thousands of commands from the
//! command table with random, hostile arguments, pipelined, must each get
//! an answer and leave the server serving.

mod common;
use common::Server;
use std::io::{Read, Write};

#[test]
fn random_commands_with_hostile_arguments() {
    let s = Server::start(4, &["--enable-debug-command", "yes"]);
    let mut c = s.conn();
    let names: Vec<String> = redis::cmd("COMMAND").arg("LIST").query(&mut c).unwrap();
    // Commands that end the connection, stop replies or wait on purpose.
    let skip = [
        "shutdown",
        "monitor",
        "quit",
        "reset",
        "client|kill",
        "client|pause",
        "client|reply",
        "config|set",
        "config|rewrite",
        "multi",
        "exec",
        "discard",
        "debug",
        // Ten million additions: longer than the read timeout in a debug build.
        "pfselftest",
    ];
    // Blocking commands wait (forever with a 0 timeout) when they find nothing.
    let blocking: Vec<String> =
        redis::cmd("COMMAND").arg("LIST").arg("FILTERBY").arg("ACLCAT").arg("blocking").query(&mut c).unwrap();
    let names: Vec<String> =
        names.into_iter().filter(|n| !skip.contains(&n.as_str()) && !blocking.contains(n)).collect();
    let vals: [&[u8]; 24] = [
        b"",
        b"0",
        b"-1",
        b"1",
        b"9223372036854775807",
        b"-9223372036854775808",
        b"99999999999999999999",
        b"1.5",
        b"inf",
        b"nan",
        b"k",
        b"{t}a",
        b"{t}b",
        b"xx",
        b"nx",
        b"ex",
        b"get",
        b"count",
        b"*",
        b"\x00\xff",
        b"bit",
        b"u8",
        b"#1",
        b"4294967296",
    ];
    let mut x = 42u64;
    let mut next = || {
        x = clover::server::shared::splitmix(x);
        x
    };
    let mut r = s.raw();
    for round in 0..50 {
        let mut req = Vec::new();
        for _ in 0..100 {
            let name = &names[(next() % names.len() as u64) as usize];
            let mut args: Vec<&[u8]> = name.split('|').map(str::as_bytes).collect();
            for _ in 0..next() % 7 {
                args.push(vals[(next() % vals.len() as u64) as usize]);
            }
            req.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
            for a in args {
                req.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
                req.extend_from_slice(a);
                req.extend_from_slice(b"\r\n");
            }
        }
        req.extend_from_slice(b"PING\r\n");
        r.s.write_all(&req).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 65536];
        while !got.ends_with(b"+PONG\r\n") {
            let n = r.s.read(&mut buf).unwrap_or(0);
            assert!(n > 0, "connection lost in round {round}");
            got.extend_from_slice(&buf[..n]);
        }
    }
    let pong: String = redis::cmd("PING").query(&mut c).unwrap();
    assert_eq!(pong, "PONG");
}
