//! DEBUG DIGEST and DEBUG DIGEST-VALUE: the same data loaded into Clover
//! (one and three shards) and into redis-server 7.0.15 gives the same
//! digests, over every type and encoding, with expiries and several
//! databases.

mod common;

use common::reference::{run, Pair, Rng};

const DEBUG_ON: &[&str] = &["--enable-debug-command", "yes"];

fn cmd(p: &mut Pair, args: &[&str]) -> String {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    p.same(&args)
}

/// Both servers' DEBUG DIGEST and each key's DIGEST-VALUE must agree.
fn same_digests(p: &mut Pair, keys: &[String]) {
    let digest = cmd(p, &["DEBUG", "DIGEST"]);
    assert!(!digest.contains("Err"), "{digest}");
    let mut args: Vec<&[u8]> = vec![b"DEBUG", b"DIGEST-VALUE"];
    args.extend(keys.iter().map(|k| k.as_bytes()));
    let values = p.same(&args);
    assert!(!values.contains("Err"), "{values}");
}

/// Strings, lists, hashes, sets, sorted sets and streams in each of their
/// encodings, named `<prefix>:<what>`; returns the key names.
fn load(p: &mut Pair, prefix: &str, rng: &mut Rng) -> Vec<String> {
    let k = |what: &str| format!("{prefix}:{what}");
    let mut keys = Vec::new();
    let mut add = |p: &mut Pair, key: String, args: &[&str]| {
        let mut full = vec![args[0], key.as_str()];
        full.extend_from_slice(&args[1..]);
        cmd(p, &full);
        if !keys.contains(&key) {
            keys.push(key);
        }
    };
    // Strings: int, embstr, raw, an empty one.
    add(p, k("int"), &["SET", "12345"]);
    add(p, k("neg"), &["SET", "-9223372036854775808"]);
    add(p, k("embstr"), &["SET", "hello world"]);
    add(p, k("raw"), &["SET", &"x".repeat(100)]);
    add(p, k("empty"), &["SET", ""]);
    // Lists: small, with integers, and long enough for several nodes.
    add(p, k("list"), &["RPUSH", "a", "1", "-2", "b", ""]);
    for j in 0..300 {
        add(p, k("biglist"), &["LPUSH", &format!("element-{j}-{}", rng.below(1000))]);
    }
    // Hashes: listpack, hashtable by count and by value length.
    add(p, k("hash"), &["HSET", "f1", "v1", "f2", "2", "3", "three"]);
    for j in 0..600 {
        add(p, k("bighash"), &["HSET", &format!("field{j}"), &format!("{}", rng.below(100_000))]);
    }
    add(p, k("longhash"), &["HSET", "f", &"v".repeat(80)]);
    // Sets: intset, hashtable by members and by count.
    add(p, k("intset"), &["SADD", "1", "-5", "300000", "9223372036854775807"]);
    add(p, k("strset"), &["SADD", "a", "b", "c", "12"]);
    for j in 0..600 {
        add(p, k("bigintset"), &["SADD", &format!("{}", j * 7)]);
    }
    // Sorted sets: listpack and skiplist, with odd scores.
    add(
        p,
        k("zset"),
        &[
            "ZADD", "1.5e-7", "tiny", "inf", "top", "-inf", "bottom", "0", "zero", "3", "42", "-2.5", "neg", "1e300",
            "huge", "0.1", "tenth", "-0", "negzero",
        ],
    );
    add(p, k("bigzset"), &["ZADD", "inf", "top", "-inf", "bottom", "1.5e-7", "tiny", "1e-320", "sub"]);
    for j in 0..150 {
        let score = format!("{}.{}", rng.below(1000), rng.below(1000));
        add(p, k("bigzset"), &["ZADD", &score, &format!("m{j}")]);
    }
    add(p, k("longzset"), &["ZADD", "2", &"m".repeat(70), "-0", "negzero"]);
    // Streams: entries with different field sets, deletions, groups.
    for j in 1..=120 {
        let id = format!("{}-{}", 1000 + j / 3, j % 3);
        if j % 10 == 0 {
            add(p, k("stream"), &["XADD", &id, "other", &format!("{j}"), "x", "y"]);
        } else {
            add(p, k("stream"), &["XADD", &id, "f", &format!("{j}"), "g", "v"]);
        }
    }
    cmd(p, &["XDEL", &k("stream"), "1001-0", "1010-1", "1020-2", "1040-0"]);
    cmd(p, &["XGROUP", "CREATE", &k("stream"), "g1", "0"]);
    cmd(p, &["XGROUP", "CREATE", &k("stream"), "g2", "$"]);
    cmd(p, &["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", &k("stream"), ">"]);
    add(p, k("emptystream"), &["XADD", "5-5", "f", "v"]);
    cmd(p, &["XDEL", &k("emptystream"), "5-5"]);
    // Expiries.
    cmd(p, &["EXPIRE", &k("embstr"), "1000"]);
    cmd(p, &["PEXPIREAT", &k("bighash"), "99999999999999"]);
    cmd(p, &["EXPIRE", &k("stream"), "5000"]);
    // Every encoding is there, the same on both.
    for (what, enc) in [
        ("int", "int"),
        ("embstr", "embstr"),
        ("raw", "raw"),
        ("hash", "listpack"),
        ("bighash", "hashtable"),
        ("longhash", "hashtable"),
        ("intset", "intset"),
        ("strset", "hashtable"),
        ("bigintset", "hashtable"),
        ("zset", "listpack"),
        ("bigzset", "skiplist"),
        ("longzset", "skiplist"),
    ] {
        assert_eq!(cmd(p, &["OBJECT", "ENCODING", &k(what)]), format!("Ok(bulk-string('{enc:?}'))"), "{what}");
    }
    keys.push(k("missing"));
    keys
}

/// The serializedlength field of a DEBUG OBJECT reply.
fn serialized_length(reply: &str) -> String {
    let at = reply.find("serializedlength:").unwrap_or_else(|| panic!("DEBUG OBJECT reply {reply}"));
    reply[at..].split(' ').next().unwrap_or_default().to_string()
}

fn digests_agree(shards: usize) {
    let Some(mut p) = Pair::start_with(shards, DEBUG_ON) else { return };
    same_digests(&mut p, &["nothing".to_string()]);
    assert_eq!(cmd(&mut p, &["DEBUG", "DIGEST"]), format!("Ok(simple-string({:?}))", "0".repeat(40)));
    let mut rng = Rng(7);
    let mut all = Vec::new();
    for db in ["0", "3", "15"] {
        cmd(&mut p, &["SELECT", db]);
        let keys = load(&mut p, &format!("db{db}"), &mut rng);
        same_digests(&mut p, &keys);
        all.push((db, keys));
    }
    // Keys of many slots (so of every shard).
    cmd(&mut p, &["SELECT", "0"]);
    for j in 0..100 {
        cmd(&mut p, &["SET", &format!("k{j}"), &format!("{j}")]);
    }
    for (db, keys) in &all {
        cmd(&mut p, &["SELECT", db]);
        same_digests(&mut p, keys);
    }
    // DEBUG OBJECT's serializedlength is the RDB size of the value (compared
    // uncompressed: the two LZF compressors may differ by a few bytes).
    cmd(&mut p, &["CONFIG", "SET", "rdbcompression", "no"]);
    for (db, keys) in &all {
        cmd(&mut p, &["SELECT", db]);
        for key in keys.iter().filter(|k| !k.ends_with(":missing")) {
            let args: [&[u8]; 3] = [b"DEBUG", b"OBJECT", key.as_bytes()];
            let (ours, theirs) = (run(&mut p.a, &args), run(&mut p.b, &args));
            assert_eq!(serialized_length(&ours), serialized_length(&theirs), "{key}: {ours} / {theirs}");
        }
    }
    cmd(&mut p, &["CONFIG", "SET", "rdbcompression", "yes"]);
    // A change anywhere changes the digest, on both alike.
    let before = cmd(&mut p, &["DEBUG", "DIGEST"]);
    cmd(&mut p, &["LSET", "db15:list", "0", "changed"]);
    let after = cmd(&mut p, &["DEBUG", "DIGEST"]);
    assert_ne!(before, after);
    // The same data in another database digests differently.
    cmd(&mut p, &["FLUSHALL"]);
    cmd(&mut p, &["SET", "a", "1"]);
    let in0 = cmd(&mut p, &["DEBUG", "DIGEST"]);
    cmd(&mut p, &["MOVE", "a", "1"]);
    assert_ne!(in0, cmd(&mut p, &["DEBUG", "DIGEST"]));
    // Errors and arity as Redis.
    assert_eq!(run(&mut p.a, &[b"DEBUG", b"DIGEST", b"x"]), run(&mut p.b, &[b"DEBUG", b"DIGEST", b"x"]));
    cmd(&mut p, &["DEBUG", "DIGEST-VALUE"]);
}

#[test]
fn digests_agree_one_shard() {
    digests_agree(1);
}

#[test]
fn digests_agree_three_shards() {
    digests_agree(3);
}
