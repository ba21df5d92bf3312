//! DUMP and RESTORE against redis-server 7.0.15, both ways, over every type
//! and encoding: a payload Redis dumps restores in Clover with the same
//! contents (DEBUG DIGEST-VALUE) and OBJECT ENCODING, and a payload Clover
//! dumps restores in Redis the same way; with one and two shards. Also
//! RESTORE's options and errors, reply for reply.

mod common;

use clover::rdb::crc64::crc64;
use common::query;
use common::reference::{run, Pair};

const ARGS: &[&str] = &["--enable-debug-command", "yes"];

/// Commands that build one key on a server.
fn build(key: &str) -> Vec<Vec<Vec<u8>>> {
    let s = |v: &[&[u8]]| v.iter().map(|a| a.to_vec()).collect::<Vec<Vec<u8>>>();
    let kb = key.as_bytes();
    let many = |cmd: &str, n: usize, f: &dyn Fn(usize) -> Vec<Vec<u8>>| -> Vec<Vec<Vec<u8>>> {
        // In batches, so no command gets too long.
        (0..n)
            .collect::<Vec<_>>()
            .chunks(100)
            .map(|c| {
                let mut v = vec![cmd.as_bytes().to_vec(), kb.to_vec()];
                for &i in c {
                    v.extend(f(i));
                }
                v
            })
            .collect()
    };
    let kind = key.split(':').next().unwrap_or("");
    match kind {
        "int" => vec![s(&[b"SET", kb, b"12345"])],
        "bigint" => vec![s(&[b"SET", kb, b"-10000000000"])],
        "embstr" => vec![s(&[b"SET", kb, b"hello world"])],
        "raw" => {
            let v: Vec<u8> = (0..200u32).map(|i| (i.wrapping_mul(2654435761) >> 7) as u8).collect();
            vec![s(&[b"SET", kb, &v])]
        }
        "lzf" => vec![s(&[b"SET", kb, "abcdefgh".repeat(500).as_bytes()])],
        "binary" => vec![s(&[b"SET", kb, &(0..=255u8).collect::<Vec<_>>()])],
        "lsmall" => vec![s(&[b"RPUSH", kb, b"a", b"b", b"1", b"-100", b"5000", b"3.5"])],
        "lbig" => many("RPUSH", 3000, &|i| vec![format!("element-{i}").into_bytes()]),
        "lhuge" => many("RPUSH", 6, &|i| vec![vec![b'a' + i as u8; 10000 + i * 3000]]),
        "hlp" => vec![s(&[b"HSET", kb, b"f1", b"v1", b"num", b"12345", b"neg", b"-7", b"big", b"99999999999"])],
        "hht" => many("HSET", 600, &|i| vec![format!("field{i}").into_bytes(), format!("{i}").into_bytes()]),
        "hlong" => vec![s(&[b"HSET", kb, b"f", &[b'v'; 100]])],
        "sint" => vec![s(&[b"SADD", kb, b"1", b"-2", b"70000", b"5000000000"])],
        "sht" => vec![s(&[b"SADD", kb, b"a", b"b", b"1"])],
        "smany" => many("SADD", 700, &|i| vec![format!("{i}").into_bytes()]),
        "zlp" => vec![s(&[b"ZADD", kb, b"1", b"a", b"2.5", b"b", b"-3", b"c", b"1e300", b"d", b"inf", b"e"])],
        "zsl" => many("ZADD", 300, &|i| vec![format!("{}", i as f64 / 7.0).into_bytes(), format!("m{i}").into_bytes()]),
        "zlong" => vec![s(&[b"ZADD", kb, b"1", &[b'm'; 100]])],
        "hllsparse" => vec![s(&[b"PFADD", kb, b"a", b"b", b"c"])],
        "hlldense" => many("PFADD", 5000, &|i| vec![format!("e{i}").into_bytes()]),
        _ => panic!("unknown kind {kind}"),
    }
}

const KEYS: &[(&str, &str)] = &[
    ("int:1", "int"),
    ("bigint:1", "int"),
    ("embstr:1", "embstr"),
    ("raw:1", "raw"),
    ("lzf:1", "raw"),
    ("binary:1", "raw"),
    ("lsmall:1", "quicklist"),
    ("lbig:1", "quicklist"),
    ("lhuge:1", "quicklist"),
    ("hlp:1", "listpack"),
    ("hht:1", "hashtable"),
    ("hlong:1", "hashtable"),
    ("sint:1", "intset"),
    ("sht:1", "hashtable"),
    ("smany:1", "hashtable"),
    ("zlp:1", "listpack"),
    ("zsl:1", "skiplist"),
    ("zlong:1", "skiplist"),
    // A short string restores as embstr, whatever it was.
    ("hllsparse:1", "embstr"),
    ("hlldense:1", "raw"),
];

fn call(c: &mut redis::Connection, args: &[Vec<u8>]) -> redis::Value {
    let mut cmd = redis::cmd(std::str::from_utf8(&args[0]).unwrap());
    for a in &args[1..] {
        cmd.arg(&a[..]);
    }
    cmd.query(c).unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(&args[0])))
}

fn dump(c: &mut redis::Connection, key: &str) -> Vec<u8> {
    query::<Option<Vec<u8>>>(c, &["DUMP", key]).unwrap().expect("a payload")
}

fn restore(c: &mut redis::Connection, key: &str, payload: &[u8]) -> String {
    format!("{:?}", redis::cmd("RESTORE").arg(key).arg(0).arg(payload).query::<redis::Value>(c))
}

fn digest(c: &mut redis::Connection, key: &str) -> String {
    run(c, &[b"DEBUG", b"DIGEST-VALUE", key.as_bytes()])
}

fn both_ways(shards: usize) {
    let Some(mut p) = Pair::start_with(shards, ARGS) else { return };
    for (key, enc) in KEYS {
        for cmd in build(key) {
            call(&mut p.a, &cmd);
            call(&mut p.b, &cmd);
        }
        let want = digest(&mut p.b, key);
        assert_eq!(digest(&mut p.a, key), want, "{key} built the same");
        // Redis's payload into Clover.
        let theirs = dump(&mut p.b, key);
        let copy = format!("{key}:from-redis");
        assert_eq!(restore(&mut p.a, &copy, &theirs), "Ok(ok)", "{key}");
        assert_eq!(digest(&mut p.a, &copy), want, "{key} restored from Redis");
        assert_eq!(common::encoding(&mut p.a, &copy), *enc, "{key} restored from Redis");
        // Clover's payload into Redis.
        let ours = dump(&mut p.a, key);
        let copy = format!("{key}:from-clover");
        assert_eq!(restore(&mut p.b, &copy, &ours), "Ok(ok)", "{key}");
        assert_eq!(digest(&mut p.b, &copy), want, "{key} restored from Clover");
        assert_eq!(common::encoding(&mut p.b, &copy), *enc, "{key} restored from Clover");
        // And back into Clover.
        let copy = format!("{key}:again");
        assert_eq!(restore(&mut p.a, &copy, &ours), "Ok(ok)");
        assert_eq!(digest(&mut p.a, &copy), want);
    }
}

#[test]
fn dump_restore_both_ways_one_shard() {
    both_ways(1);
}

#[test]
fn dump_restore_both_ways_two_shards() {
    both_ways(2);
}

/// A payload of `object` with a right footer of `version`.
fn payload(object: &[u8], version: u16) -> Vec<u8> {
    let mut p = object.to_vec();
    p.extend_from_slice(&version.to_le_bytes());
    let crc = crc64(&p);
    p.extend_from_slice(&crc.to_le_bytes());
    p
}

#[test]
fn restore_options_and_errors_match_redis() {
    let Some(mut p) = Pair::start_with(2, ARGS) else { return };
    p.same(&[b"SET", b"foo", b"bar"]);
    let good = dump(&mut p.b, "foo");
    assert_eq!(dump(&mut p.a, "foo"), good);
    let mut bad_crc = good.clone();
    let n = bad_crc.len();
    bad_crc[n - 1] ^= 1;
    let newer = payload(&good[..n - 10], 11);
    let unknown_type = payload(&[99, 1, b'x'], 10);
    let truncated = payload(&[0, 5, b'a'], 10);
    let empty_list = payload(&[18, 0], 10);
    let old_version = payload(&[0, 1, b'x'], 6);
    let cases: Vec<Vec<&[u8]>> = vec![
        vec![b"RESTORE", b"foo", b"0", &good],
        vec![b"RESTORE", b"foo", b"0", &good, b"REPLACE"],
        vec![b"GET", b"foo"],
        vec![b"RESTORE", b"k", b"-1", &good],
        vec![b"RESTORE", b"k", b"x", &good],
        vec![b"RESTORE", b"k", b"0", &good, b"IDLETIME", b"-1"],
        vec![b"RESTORE", b"k", b"0", &good, b"IDLETIME", b"x"],
        vec![b"RESTORE", b"k", b"0", &good, b"FREQ", b"256"],
        vec![b"RESTORE", b"k", b"0", &good, b"FREQ", b"-1"],
        vec![b"RESTORE", b"k", b"0", &good, b"IDLETIME", b"1", b"FREQ", b"1"],
        vec![b"RESTORE", b"k", b"0", &good, b"IDLETIME"],
        vec![b"RESTORE", b"k", b"0", &good, b"bogus"],
        vec![b"RESTORE", b"k", b"0", &bad_crc],
        vec![b"RESTORE", b"k", b"0", &newer],
        vec![b"RESTORE", b"k", b"0", b"short"],
        vec![b"RESTORE", b"k", b"0", &unknown_type],
        vec![b"RESTORE", b"k", b"0", &truncated],
        vec![b"RESTORE", b"k", b"0", &empty_list],
        vec![b"RESTORE", b"k", b"0", &old_version],
        vec![b"GET", b"k"],
        vec![b"DEL", b"k"],
        vec![b"RESTORE", b"k", b"1", &good, b"ABSTTL"],
        vec![b"EXISTS", b"k"],
        vec![b"RESTORE", b"foo", b"1", &good, b"ABSTTL", b"REPLACE"],
        vec![b"EXISTS", b"foo"],
        vec![b"RESTORE", b"k", b"9223372036854775807", &good],
        vec![b"EXISTS", b"k"],
        vec![b"RESTORE", b"k", b"100000", &good],
        vec![b"RESTORE", b"k2", b"5000000000000", &good, b"ABSTTL", b"IDLETIME", b"100"],
        vec![b"PEXPIRETIME", b"k2"],
        vec![b"DUMP", b"nokey"],
        vec![b"LPUSH", b"l", b"x"],
        vec![b"RESTORE", b"l", b"0", &good, b"REPLACE"],
        vec![b"TYPE", b"l"],
        vec![b"DEBUG", b"SET-SKIP-CHECKSUM-VALIDATION", b"1"],
        vec![b"RESTORE", b"crc", b"0", &bad_crc],
        vec![b"GET", b"crc"],
        vec![b"RESTORE", b"k9", b"0", &newer],
        vec![b"DEBUG", b"SET-SKIP-CHECKSUM-VALIDATION", b"0"],
        vec![b"RESTORE", b"crc2", b"0", &bad_crc],
    ];
    for c in cases {
        p.same(&c);
    }
    let pttl: i64 = query(&mut p.a, &["PTTL", "k"]).unwrap();
    assert!((99_000..=100_000).contains(&pttl), "{pttl}");
    let idle: i64 = query(&mut p.a, &["OBJECT", "IDLETIME", "k2"]).unwrap();
    assert!((100..=102).contains(&idle), "{idle}");
}

/// Redis's own old-format test files (RDB 3 to 10: zipmap, ziplist,
/// linked-list, intset, quicklist and empty-key forms): Clover's reader
/// gets the values redis-server loads from them. Each value Clover read
/// is DUMPed and RESTOREd into that redis-server beside the key Redis
/// loaded itself; digests and encodings must match.
#[test]
fn old_rdb_files_read_as_redis_reads_them() {
    use clover::rdb::{dump_payload, FileReader, Record, SaveOptions};
    let assets = std::path::Path::new("/work/.cache/redis-tests/redis-7.0.15/tests/assets");
    if !assets.exists() {
        eprintln!("no Redis test assets: skipping");
        return;
    }
    let settings = clover::server::settings::Settings::default();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    for name in [
        "encodings.rdb",
        "hash-zipmap.rdb",
        "hash-ziplist.rdb",
        "list-quicklist.rdb",
        "zset-ziplist.rdb",
        "corrupt_empty_keys.rdb",
        "scriptbackup.rdb",
    ] {
        let data = std::fs::read(assets.join(name)).unwrap();
        let dir = std::env::temp_dir().join(format!("clover-rdb-assets-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), &data).unwrap();
        let reference = common::reference::Reference::start_with(&[
            "--dir",
            dir.to_str().unwrap(),
            "--dbfilename",
            name,
            "--enable-debug-command",
            "yes",
        ]);
        let Some(reference) = reference else { return };
        let mut c = reference.conn();
        let mut f = FileReader::new(&data).unwrap();
        let mut db = 0;
        let mut keys = 0;
        loop {
            match f.next(&settings).unwrap_or_else(|e| panic!("{name}: {e}")) {
                Record::Eof => break,
                Record::SelectDb(n) => db = n,
                Record::Entry { key, entry, .. } => {
                    if entry.expire != 0 && entry.expire <= now {
                        continue;
                    }
                    keys += 1;
                    let key = String::from_utf8(key.to_vec()).unwrap();
                    let _: () = redis::cmd("SELECT").arg(db).query(&mut c).unwrap();
                    let copy = format!("{key}:clover");
                    let payload = dump_payload(&entry.value, &SaveOptions { compress: true });
                    assert_eq!(restore(&mut c, &copy, &payload), "Ok(ok)", "{name} {key}");
                    assert_eq!(digest(&mut c, &copy), digest(&mut c, &key), "{name} {key}");
                    let enc = common::encoding(&mut c, &key);
                    assert_eq!(entry.value.encoding(), enc, "{name} {key}");
                }
                _ => {}
            }
        }
        let total: i64 = (0..16)
            .map(|d| {
                let _: () = redis::cmd("SELECT").arg(d).query(&mut c).unwrap();
                query::<i64>(&mut c, &["DBSIZE"]).unwrap()
            })
            .sum();
        assert_eq!(total, 2 * keys, "{name}: every key Redis loaded was read");
        drop(c);
        drop(reference);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Redis writes elements above its packed threshold as PLAIN quicklist
/// nodes (lowered here with DEBUG QUICKLIST-PACKED-THRESHOLD): Clover
/// restores them, and Redis restores Clover's dump of the same list.
#[test]
fn plain_list_nodes_restore() {
    let Some(mut p) = Pair::start_with(1, ARGS) else { return };
    let _: () = redis::cmd("DEBUG").arg("QUICKLIST-PACKED-THRESHOLD").arg("1000").query(&mut p.b).unwrap();
    for i in 0..4u8 {
        let v = vec![b'p' + i; 3000];
        let _: i64 = redis::cmd("RPUSH").arg("big").arg(&v).query(&mut p.b).unwrap();
        let _: i64 = redis::cmd("RPUSH").arg("big").arg(&v).query(&mut p.a).unwrap();
    }
    let _: i64 = redis::cmd("RPUSH").arg("big").arg("small").query(&mut p.b).unwrap();
    let _: i64 = redis::cmd("RPUSH").arg("big").arg("small").query(&mut p.a).unwrap();
    let theirs = dump(&mut p.b, "big");
    // QUICKLIST_2, five nodes, the first one PLAIN.
    assert_eq!(&theirs[..3], &[18, 5, 1]);
    assert_eq!(restore(&mut p.a, "copy", &theirs), "Ok(ok)");
    let want = digest(&mut p.b, "big");
    assert_eq!(digest(&mut p.a, "copy"), want);
    assert_eq!(digest(&mut p.a, "big"), want);
    let ours = dump(&mut p.a, "copy");
    assert_eq!(restore(&mut p.b, "copy", &ours), "Ok(ok)");
    assert_eq!(digest(&mut p.b, "copy"), want);
}
