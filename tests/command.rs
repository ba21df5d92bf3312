//! COMMAND as client libraries read it: INFO entries, COUNT, GETKEYS.

mod common;
use common::Server;

#[test]
fn command_info_and_getkeys() {
    let s = Server::start(2, &[]);
    let mut c = s.conn();
    let info: Vec<redis::Value> = redis::cmd("COMMAND").arg("INFO").arg("get").arg("nosuch").query(&mut c).unwrap();
    assert_eq!(info.len(), 2);
    assert_eq!(info[1], redis::Value::Nil);
    let redis::Value::Array(get) = &info[0] else { panic!("{info:?}") };
    assert_eq!(get.len(), 10);
    assert_eq!(get[1], redis::Value::Int(2));
    let n: i64 = redis::cmd("COMMAND").arg("COUNT").query(&mut c).unwrap();
    let all: Vec<redis::Value> = redis::cmd("COMMAND").query(&mut c).unwrap();
    assert_eq!(all.len() as i64, n);
    let keys: Vec<String> =
        redis::cmd("COMMAND").arg("GETKEYS").arg("MSET").arg("a").arg("1").arg("b").arg("2").query(&mut c).unwrap();
    assert_eq!(keys, vec!["a", "b"]);
    let err = redis::cmd("COMMAND").arg("GETKEYS").arg("PING").arg("x").query::<Vec<String>>(&mut c).unwrap_err();
    assert!(err.to_string().contains("The command has no key arguments"), "{err}");
    let names: Vec<String> = redis::cmd("COMMAND").arg("LIST").query(&mut c).unwrap();
    assert!(names.contains(&"config|get".to_string()) && names.contains(&"get".to_string()));
}

/// Reads from `raw` until the bytes received end with `suffix` (or 5 s).
fn read_until_suffix(raw: &mut common::Raw, suffix: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while !out.ends_with(suffix) {
        match raw.s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(k) => out.extend_from_slice(&buf[..k]),
        }
    }
    out
}

#[test]
fn command_info_bytes_match_redis() {
    let s = Server::start(1, &[]);
    let mut raw = s.raw();
    // RESP2, with a key spec note and variable flags (bytes from redis-server 7.0.15).
    let set =
        "*1\r\n*10\r\n$3\r\nset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@string\r\n\
               +@slow\r\n*0\r\n*1\r\n*8\r\n$5\r\nnotes\r\n$48\r\nRW and ACCESS due to the optional `GET` argument\r\n\
               $5\r\nflags\r\n*4\r\n+RW\r\n+access\r\n+update\r\n+variable_flags\r\n$12\r\nbegin_search\r\n*4\r\n\
               $4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\n\
               type\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n\
               :0\r\n*0\r\n";
    assert_eq!(raw.roundtrip(b"COMMAND INFO set\r\n", set.len()), set);
    // RESP3: flags, categories, tips and key specs are sets; no subcommands is an empty set.
    let get = "*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n\
               +@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\n\
               type\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n\
               $5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n";
    raw.send(b"HELLO 3\r\nCOMMAND INFO get\r\n");
    let out = read_until_suffix(&mut raw, get.as_bytes());
    assert!(out.ends_with(format!("*1\r\n{get}").as_bytes()), "{}", String::from_utf8_lossy(&out));
}

#[test]
fn getkeys_errors_flags_and_list_filters() {
    let s = Server::start(2, &[]);
    let mut c = s.conn();
    assert_eq!(s.cli(&["command", "getkeysandflags", "set", "k1", "v1"]), "k1\nOW\nupdate\n");
    assert_eq!(s.cli(&["command", "getkeysandflags", "set", "k1", "v1", "get"]), "k1\nRW\naccess\nupdate\n");
    let err =
        |args: &[&str]| redis::cmd("COMMAND").arg(args).query::<redis::Value>(&mut s.conn()).unwrap_err().to_string();
    assert!(err(&["GETKEYS", "nosuch", "a"]).contains("Invalid command specified"));
    assert!(err(&["GETKEYS", "get", "a", "b"]).contains("Invalid number of arguments specified for command"));
    assert!(err(&["LIST", "bad_arg"]).contains("syntax error"));
    let list =
        |args: &[&str]| -> Vec<String> { redis::cmd("COMMAND").arg("LIST").arg(args).query(&mut s.conn()).unwrap() };
    assert_eq!(list(&["FILTERBY", "PATTERN", "set"]), vec!["set"]);
    assert!(list(&["FILTERBY", "PATTERN", "config|*re*"]).contains(&"config|resetstat".to_string()));
    assert!(list(&["FILTERBY", "ACLCAT", "no_such_category"]).is_empty());
    assert!(list(&["FILTERBY", "MODULE", "m"]).is_empty());
    let info: Vec<redis::Value> =
        redis::cmd("COMMAND").arg(&["INFO", "get|key", "config|get|key"]).query(&mut c).unwrap();
    assert_eq!(info, vec![redis::Value::Nil, redis::Value::Nil]);
    // MSET's keys are covered by (first, last, step): not movable.
    assert!(!s.cli(&["command", "info", "mset"]).contains("movablekeys"));
    let docs = s.cli(&["command", "docs", "config|get"]);
    assert!(docs.starts_with("config|get\nsummary\n"), "{docs}");
}
