//! RDB files between redis-server 7.0.15 and Clover, both ways: a dump.rdb
//! written by redis-server (every type and encoding, streams with groups,
//! expiries, several
//! databases) loads into Clover on one and three shards with the same
//! contents (DEBUG DIGEST and a key-by-key dump with types, encodings and
//! TTLs), and Clover's SAVE loads into redis-server the same way.

mod common;

use common::reference::Reference;
use common::{query, Server, TempDir};
use redis::Value;

const DBS: [usize; 2] = [0, 7];

fn run(c: &mut redis::Connection, args: &[&str]) {
    query::<Value>(c, args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
}

/// Writes strings, lists, hashes, sets and sorted sets in each of their
/// encodings (and an HLL), some with a TTL, into databases 0 and 7.
fn fill(c: &mut redis::Connection) {
    for &db in &DBS {
        run(c, &["SELECT", &db.to_string()]);
        run(c, &["SET", "int", "12345"]);
        run(c, &["SET", "neg", "-9223372036854775808"]);
        run(c, &["SET", "embstr", "hello world"]);
        run(c, &["SET", "raw", &"abc".repeat(100)]);
        run(c, &["SET", "empty", ""]);
        run(c, &["SET", "ttl", "soon", "EX", "5000"]);
        run(c, &["PFADD", "hll", "a", "b", "c"]);
        run(c, &["RPUSH", "list", "a", "1", "-2", "b", ""]);
        for j in 0..400 {
            run(c, &["LPUSH", "biglist", &format!("element-{j}")]);
        }
        run(c, &["HSET", "hash", "f1", "v1", "f2", "2"]);
        for j in 0..600 {
            run(c, &["HSET", "bighash", &format!("field{j}"), &(j * 31).to_string()]);
        }
        run(c, &["HSET", "longhash", "f", &"v".repeat(80)]);
        run(c, &["SADD", "intset", "1", "-5", "300000", "9223372036854775807"]);
        run(c, &["SADD", "strset", "a", "b", "c", "12"]);
        for j in 0..600 {
            run(c, &["SADD", "bigset", &(j * 7).to_string()]);
        }
        run(c, &["ZADD", "zset", "1.5", "a", "inf", "top", "-inf", "bottom", "0", "zero", "-2.5", "neg"]);
        for j in 0..200 {
            run(c, &["ZADD", "bigzset", &format!("{j}.25"), &format!("m{j}")]);
        }
        run(c, &["ZADD", "longzset", "2", &"m".repeat(70)]);
        for j in 1..=150 {
            let id = format!("{}-{}", 1000 + j / 3, j % 3);
            if j % 5 == 0 {
                run(c, &["XADD", "stream", &id, "other", &j.to_string()]);
            } else {
                run(c, &["XADD", "stream", &id, "f", &j.to_string(), "g", "x"]);
            }
        }
        run(c, &["XDEL", "stream", "1010-0", "1020-0"]);
        run(c, &["XGROUP", "CREATE", "stream", "grp", "0"]);
        run(c, &["XREADGROUP", "GROUP", "grp", "alice", "COUNT", "3", "STREAMS", "stream", ">"]);
        run(c, &["EXPIRE", "bighash", "7000"]);
        for j in 0..200 {
            run(c, &["SET", &format!("k:{j}"), &format!("v{j}")]);
        }
    }
    run(c, &["SELECT", "0"]);
}

/// Every key of the filled databases: name, type, encoding, whether it has
/// a TTL, and its contents (unordered collections sorted).
fn dump(c: &mut redis::Connection) -> Vec<String> {
    let mut out = Vec::new();
    for &db in &DBS {
        run(c, &["SELECT", &db.to_string()]);
        let mut keys: Vec<String> = query(c, &["KEYS", "*"]).unwrap();
        keys.sort();
        for k in keys {
            let t: String = query(c, &["TYPE", &k]).unwrap();
            let mut enc: String = query(c, &["OBJECT", "ENCODING", &k]).unwrap();
            if t == "string" && enc == "raw" && query::<usize>(c, &["STRLEN", &k]).unwrap() <= 44 {
                // A short string edited in place (the HyperLogLog) is raw
                // until a load encodes it by its length, in Redis too.
                enc = "embstr".into();
            }
            let ttl: i64 = query(c, &["TTL", &k]).unwrap();
            let contents: Vec<String> = match t.as_str() {
                "string" => vec![format!("{:?}", query::<Vec<u8>>(c, &["GET", &k]).unwrap())],
                "list" => query(c, &["LRANGE", &k, "0", "-1"]).unwrap(),
                "hash" => {
                    let mut v: Vec<String> = query::<Vec<(String, String)>>(c, &["HGETALL", &k])
                        .unwrap()
                        .into_iter()
                        .map(|(f, v)| format!("{f}={v}"))
                        .collect();
                    v.sort();
                    v
                }
                "set" => {
                    let mut v: Vec<String> = query(c, &["SMEMBERS", &k]).unwrap();
                    v.sort();
                    v
                }
                "zset" => query(c, &["ZRANGE", &k, "0", "-1", "WITHSCORES"]).unwrap(),
                "stream" => {
                    let entries: Value = query(c, &["XRANGE", &k, "-", "+"]).unwrap();
                    let groups: Value = query(c, &["XINFO", "GROUPS", &k]).unwrap();
                    vec![format!("{entries:?}"), format!("{groups:?}")]
                }
                other => vec![other.to_string()],
            };
            out.push(format!("{db} {k} {t} {enc} ttl:{} {contents:?}", ttl > 0));
        }
    }
    run(c, &["SELECT", "0"]);
    out
}

/// Both dumps are equal; otherwise the first lines that differ.
fn assert_same(got: &[String], want: &[String], what: &str) {
    let short = |s: &String| s.chars().take(200).collect::<String>();
    for (g, w) in got.iter().zip(want) {
        assert!(g == w, "{what}: got {} want {}", short(g), short(w));
    }
    assert_eq!(got.len(), want.len(), "{what}: key count");
}

fn digest(c: &mut redis::Connection) -> String {
    query(c, &["DEBUG", "DIGEST"]).unwrap()
}

#[test]
fn redis_rdb_loads_into_clover() {
    let dir = TempDir::new("redis-to-clover");
    let Some(r) = Reference::start_with(&["--dir", &dir.arg(), "--enable-debug-command", "yes"]) else {
        return;
    };
    let mut rc = r.conn();
    fill(&mut rc);
    // DEBUG RELOAD saves the file and gives what redis-server itself makes
    // of it (a loaded short string is embstr, whatever it was before).
    run(&mut rc, &["DEBUG", "RELOAD"]);
    let (want_digest, want) = (digest(&mut rc), dump(&mut rc));
    drop(r);
    for shards in [1, 3] {
        let s = Server::start(shards, &["--dir", &dir.arg(), "--enable-debug-command", "yes", "--save", ""]);
        let mut c = s.conn();
        assert_eq!(digest(&mut c), want_digest, "{shards} shards");
        assert_same(&dump(&mut c), &want, &format!("{shards} shards"));
        let info: String = query(&mut c, &["INFO", "persistence"]).unwrap();
        assert!(info.contains(&format!("rdb_last_load_keys_loaded:{}", want.len())), "{info}");
    }
}

#[test]
fn clover_rdb_loads_into_redis() {
    let dir = TempDir::new("clover-to-redis");
    let s = Server::start(3, &["--dir", &dir.arg(), "--enable-debug-command", "yes", "--save", ""]);
    let mut c = s.conn();
    fill(&mut c);
    let (want_digest, want) = (digest(&mut c), dump(&mut c));
    run(&mut c, &["SAVE"]);
    drop(s);
    let Some(r) = Reference::start_with(&["--dir", &dir.arg(), "--enable-debug-command", "yes"]) else {
        return;
    };
    let mut rc = r.conn();
    assert_eq!(digest(&mut rc), want_digest);
    assert_same(&dump(&mut rc), &want, "redis-server");
}

#[test]
fn debug_reload_keeps_the_data() {
    for shards in [1, 3] {
        let s = Server::start(shards, &["--enable-debug-command", "yes", "--save", ""]);
        let mut c = s.conn();
        fill(&mut c);
        let (want_digest, want) = (digest(&mut c), dump(&mut c));
        run(&mut c, &["DEBUG", "RELOAD"]);
        assert_eq!(digest(&mut c), want_digest);
        assert_same(&dump(&mut c), &want, "after DEBUG RELOAD");
        // NOSAVE loads the file as it is: the key set after the save goes.
        run(&mut c, &["SET", "later", "1"]);
        run(&mut c, &["DEBUG", "RELOAD", "NOSAVE"]);
        assert_eq!(query::<Option<String>>(&mut c, &["GET", "later"]).unwrap(), None);
        // NOFLUSH without MERGE: the keys are there already.
        let e = query::<Value>(&mut c, &["DEBUG", "RELOAD", "NOSAVE", "NOFLUSH"]).unwrap_err();
        assert!(e.to_string().contains("Error trying to load the RDB dump"), "{e}");
        run(&mut c, &["DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"]);
        assert_eq!(digest(&mut c), want_digest);
        let e = query::<Value>(&mut c, &["DEBUG", "RELOAD", "BOGUS"]).unwrap_err();
        assert!(e.to_string().contains("DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."), "{e}");
    }
}
