//! The string and bitmap families over TCP: multi-key commands whose keys
//! live on different shards (MSETNX, BITOP, LCS), SET's options and errors,
//! INCRBYFLOAT's long double results, the proto-max-bulk-len limit, and the
//! encodings OBJECT ENCODING reports for strings written whole or edited.

mod common;
use common::{encoding, error_text, query, Server};
use redis::Commands;

#[test]
fn multi_key_commands_across_shards() {
    let s = Server::start(4, &[]);
    let mut c = s.conn();
    // Keys without hash tags spread over the four shards.
    let keys: Vec<String> = (0..16).map(|i| format!("key:{i}")).collect();
    let pairs: Vec<(String, String)> = keys.iter().map(|k| (k.clone(), format!("v-{k}"))).collect();
    let set: i64 = c.mset_nx(&pairs).unwrap();
    assert_eq!(set, 1);
    let again: i64 = c.mset_nx(&[(keys[3].as_str(), "x"), ("fresh", "y")]).unwrap();
    assert_eq!(again, 0);
    let fresh: Option<String> = c.get("fresh").unwrap();
    assert_eq!(fresh, None, "MSETNX sets nothing when one key exists");

    let _: () = c.set("a", "ohmytext").unwrap();
    let _: () = c.set("b", "mynewtext").unwrap();
    let lcs: String = query(&mut c, &["LCS", "a", "b"]).unwrap();
    assert_eq!(lcs, "mytext");
    let len: i64 = query(&mut c, &["LCS", "a", "b", "LEN"]).unwrap();
    assert_eq!(len, 6);

    let _: () = c.set("x", b"\xff\x0f".as_slice()).unwrap();
    let _: () = c.set("y", b"\x0f\xff\xff".as_slice()).unwrap();
    let n: i64 = query(&mut c, &["BITOP", "AND", "dest", "x", "y", "missing"]).unwrap();
    assert_eq!(n, 3);
    let dest: Vec<u8> = c.get("dest").unwrap();
    assert_eq!(dest, vec![0, 0, 0]);
    let n: i64 = query(&mut c, &["BITOP", "OR", "dest", "x", "y"]).unwrap();
    assert_eq!(n, 3);
    let dest: Vec<u8> = c.get("dest").unwrap();
    assert_eq!(dest, vec![0xff, 0xff, 0xff]);
}

#[test]
fn set_options_and_errors() {
    let s = Server::start(2, &[]);
    let mut c = s.conn();
    assert_eq!(query::<Option<String>>(&mut c, &["SET", "k", "v1", "NX", "GET"]).unwrap(), None);
    assert_eq!(query::<Option<String>>(&mut c, &["SET", "k", "v2", "NX", "GET"]).unwrap().as_deref(), Some("v1"));
    assert_eq!(query::<Option<String>>(&mut c, &["SET", "k", "v3", "XX", "GET"]).unwrap().as_deref(), Some("v1"));
    assert_eq!(c.get::<_, String>("k").unwrap(), "v3");
    assert_eq!(error_text(query(&mut c, &["SET", "k", "v", "EX", "0"])), "ERR invalid expire time in 'set' command");
    assert_eq!(error_text(query(&mut c, &["SETEX", "k", "-1", "v"])), "ERR invalid expire time in 'setex' command");
    assert_eq!(error_text(query(&mut c, &["SET", "k", "v", "EX", "10", "KEEPTTL"])), "ERR syntax error");
    assert_eq!(error_text(query(&mut c, &["SET", "k", "v", "NX", "XX"])), "ERR syntax error");
    // An absolute expiry in the past leaves no key behind.
    let _: () = query(&mut c, &["SET", "gone", "v", "PXAT", "1"]).unwrap();
    assert_eq!(c.exists::<_, i64>("gone").unwrap(), 0);
    assert_eq!(query::<String>(&mut c, &["GETEX", "k", "PXAT", "1"]).unwrap(), "v3");
    assert_eq!(c.exists::<_, i64>("k").unwrap(), 0);
}

#[test]
fn counters_and_floats() {
    let s = Server::start(2, &[]);
    let mut c = s.conn();
    let _: () = c.set("n", i64::MAX).unwrap();
    assert_eq!(error_text(query(&mut c, &["INCR", "n"])), "ERR increment or decrement would overflow");
    assert_eq!(error_text(query(&mut c, &["DECRBY", "n", "-9223372036854775808"])), "ERR decrement would overflow");
    let _: () = c.set("f", "10000000000").unwrap();
    // Redis computes in long double: the same digits, noise included.
    assert_eq!(query::<String>(&mut c, &["INCRBYFLOAT", "f", "0.1"]).unwrap(), "10000000000.09999999962747097");
    let _: () = c.set("f", "0.1").unwrap();
    assert_eq!(query::<String>(&mut c, &["INCRBYFLOAT", "f", "0.2"]).unwrap(), "0.3");
    assert_eq!(error_text(query(&mut c, &["INCRBYFLOAT", "f", "+inf"])), "ERR increment would produce NaN or Infinity");
    assert_eq!(error_text(query(&mut c, &["INCRBYFLOAT", "f", "1 "])), "ERR value is not a valid float");
}

#[test]
fn appends_ranges_and_size_limit() {
    let s = Server::start(2, &["--proto-max-bulk-len", "1048576"]);
    let mut c = s.conn();
    for _ in 0..1000 {
        let _: i64 = c.append("log", "0123456789").unwrap();
    }
    assert_eq!(c.strlen::<_, i64>("log").unwrap(), 10_000);
    assert_eq!(c.getrange::<_, String>("log", -3, -1).unwrap(), "789");
    assert_eq!(query::<i64>(&mut c, &["SETRANGE", "big", "1048570", "abcdef"]).unwrap(), 1_048_576);
    assert_eq!(
        error_text(query(&mut c, &["APPEND", "big", "x"])),
        "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    );
    assert_eq!(
        error_text(query(&mut c, &["SETBIT", "big", "8388608", "1"])),
        "ERR bit offset is not an integer or out of range"
    );
}

#[test]
fn bitfield_overflow_modes() {
    let s = Server::start(1, &[]);
    let mut c = s.conn();
    let r: Vec<Option<i64>> =
        query(&mut c, &["BITFIELD", "bf", "SET", "u8", "#1", "250", "INCRBY", "u8", "#1", "10", "OVERFLOW", "SAT"])
            .unwrap();
    assert_eq!(r, vec![Some(0), Some(4)]);
    let r: Vec<Option<i64>> =
        query(&mut c, &["BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u8", "8", "300", "GET", "u8", "8"]).unwrap();
    assert_eq!(r, vec![None, Some(4)]);
    assert_eq!(
        error_text(query(&mut c, &["BITFIELD_RO", "bf", "SET", "u8", "0", "1"])),
        "ERR BITFIELD_RO only supports the GET subcommand"
    );
    assert_eq!(c.bitcount::<_, i64>("bf").unwrap(), 1);
    assert_eq!(query::<i64>(&mut c, &["BITPOS", "bf", "1"]).unwrap(), 13);
}

#[test]
fn edited_strings_are_raw_and_a_reload_encodes_them_by_length() {
    let s = Server::start(2, &["--enable-debug-command", "yes"]);
    let mut c = s.conn();
    let long = "x".repeat(100);
    let _: () = c.set("int", "1234").unwrap();
    let _: () = c.set("short", "a string of 30 bytes, exactly!").unwrap();
    let _: () = c.set("long", &long).unwrap();
    assert_eq!(encoding(&mut c, "int"), "int");
    assert_eq!(encoding(&mut c, "short"), "embstr");
    assert_eq!(encoding(&mut c, "long"), "raw");
    // Edited in place: raw at any length, as in Redis.
    assert_eq!(query::<i64>(&mut c, &["SETRANGE", "int", "0", "2"]).unwrap(), 4);
    let _: i64 = c.append("short", "!").unwrap();
    let _: i64 = c.append("long", "y").unwrap();
    let _: i64 = query(&mut c, &["SETBIT", "bits", "7", "1"]).unwrap();
    let _: i64 = query(&mut c, &["PFADD", "hll", "a", "b"]).unwrap();
    for k in ["int", "short", "long", "bits", "hll"] {
        assert_eq!(encoding(&mut c, k), "raw", "{k}");
    }
    // SETRANGE with nothing to write leaves the encoding alone.
    let _: () = c.set("int2", "1234").unwrap();
    assert_eq!(query::<i64>(&mut c, &["SETRANGE", "int2", "0", ""]).unwrap(), 4);
    assert_eq!(encoding(&mut c, "int2"), "int");
    // The contents, read whole and in part.
    assert_eq!(c.get::<_, String>("int").unwrap(), "2234");
    assert_eq!(c.get::<_, String>("long").unwrap(), format!("{long}y"));
    assert_eq!(c.getrange::<_, String>("long", 98, 200).unwrap(), "xxy");
    assert_eq!(c.strlen::<_, i64>("long").unwrap(), 101);
    assert_eq!(query::<i64>(&mut c, &["GETBIT", "bits", "7"]).unwrap(), 1);
    assert_eq!(query::<i64>(&mut c, &["BITCOUNT", "long", "0", "0"]).unwrap(), 4);
    assert_eq!(query::<i64>(&mut c, &["BITPOS", "long", "1", "100"]).unwrap(), 801);
    assert_eq!(query::<Vec<i64>>(&mut c, &["BITFIELD_RO", "bits", "GET", "u8", "0"]).unwrap(), vec![1]);
    // A reload encodes each string by its length again.
    let _: () = query(&mut c, &["DEBUG", "RELOAD"]).unwrap();
    assert_eq!(encoding(&mut c, "int"), "int");
    assert_eq!(encoding(&mut c, "short"), "embstr");
    assert_eq!(encoding(&mut c, "long"), "raw");
    assert_eq!(encoding(&mut c, "bits"), "embstr");
    assert_eq!(c.get::<_, String>("long").unwrap(), format!("{long}y"));
}
