//! DEBUG: the testing and introspection hooks Redis's test suite uses
//! (SLEEP, SET-ACTIVE-EXPIRE, OBJECT, PROTOCOL, LOG ...), allowed by the
//! enable-debug-command directive. Like Redis, DEBUG is one command that
//! parses its own subcommands (COMMAND INFO shows none).

use super::help::help;
use super::util::*;
use crate::command::spec::{flags as f, CommandSpec, Exec, LocalFuture};
use crate::config::value::{memtoull, strtoll};
use crate::resp::Reply;
use crate::server::client::Client;
use crate::shard::{digest, Value};
use crate::util::sha1::to_hex;
use bytes::{Bytes, BytesMut};
use std::net::SocketAddr;
use std::time::Duration;

pub fn commands() -> Vec<CommandSpec> {
    vec![CommandSpec::new("debug", -2, f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE, Exec::Server(debug))
        .group("server")
        .doc("1.0.0", "A container for debugging commands", "Depends on subcommand.")]
}

/// Whether enable-debug-command lets this client run DEBUG.
fn allowed(c: &Client) -> bool {
    let setting = c.shard.settings().enable_debug_command.clone();
    match setting.as_str() {
        "yes" => true,
        "local" => c.meta.borrow().addr.parse::<SocketAddr>().is_ok_and(|a| a.ip().is_loopback()),
        _ => false,
    }
}

fn debug(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        if !allowed(c) {
            return Reply::err(
                "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run \
                 it from a local connection, otherwise you need to set this option in the configuration file, and \
                 then restart the server.",
            );
        }
        let sub = String::from_utf8_lossy(&a[1]).to_ascii_lowercase();
        match (sub.as_str(), a.len()) {
            ("help", 2) => debug_help(),
            ("sleep", 3) => {
                let secs = crate::util::num::parse_f64(&a[2], false).unwrap_or(0.0);
                if secs > 0.0 {
                    glommio::timer::sleep(Duration::from_secs_f64(secs.min(1e9))).await;
                }
                Reply::Ok
            }
            ("set-active-expire", 3) => {
                let on = strtoll(&a[2], 10).0 != 0;
                c.shard.run_on_all(move |s| s.active_expire.set(on)).await;
                Reply::Ok
            }
            ("set-skip-checksum-validation", 3) => {
                crate::rdb::set_skip_checksum(strtoll(&a[2], 10).0 != 0);
                Reply::Ok
            }
            ("object", 3) => object(c, a[2].clone()).await,
            ("digest", 2) => dataset_digest(c).await,
            ("digest-value", _) => digest_values(c, &a[2..]).await,
            ("populate", 3..=5) => populate(c, &a).await,
            ("reload", _) => reload(c, &a).await,
            ("pause-cron", 3) => {
                let paused = strtoll(&a[2], 10).0 != 0;
                c.shard.shared.persist.cron_paused.store(paused, std::sync::atomic::Ordering::Relaxed);
                Reply::Ok
            }
            ("quicklist-packed-threshold", 3) => match memtoull(&a[2]) {
                Some(n) if n <= (1u64 << 32) - (1 << 20) => Reply::Ok,
                _ => Reply::err("ERR argument must be a memory value bigger than 1 and smaller than 4gb"),
            },
            ("change-repl-id", 2) => {
                crate::warning!("Changing replication IDs after receiving DEBUG change-repl-id");
                Reply::Ok
            }
            ("log", 3) => {
                crate::warning!("DEBUG LOG: {}", String::from_utf8_lossy(&a[2]));
                Reply::Ok
            }
            ("protocol", 3) => protocol(c, &a[2]),
            ("loadaof", 2) => crate::aof::debug_loadaof(&c.shard).await,
            _ => Reply::err(format!(
                "ERR unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
                truncate(&String::from_utf8_lossy(&a[1]), 128)
            )),
        }
    })
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// DEBUG OBJECT: Redis's one-line description of the value at `key`.
async fn object(c: &Client, key: Bytes) -> Reply {
    let db = c.db;
    let owner = c.shard.shared.shard_of_key(&key);
    let found = c
        .shard
        .run_on(owner, move |s| {
            let now = s.now();
            let ks = s.ks.borrow();
            let e = ks.dbs[db].peek(&key, now)?;
            let idle = crate::shard::expire::lru_clock().saturating_sub(e.access);
            // A stable, made-up address per key, as Redis prints a pointer.
            let addr = 0x7f00_0000_0000u64 | (e as *const _ as u64 & 0xff_ffff_fff0);
            Some(format!(
                "Value at:{addr:#x} refcount:1 encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{idle}",
                e.value.encoding(),
                serialized_length(&e.value, s.settings().rdbcompression),
                e.access & 0xff_ffff,
            ))
        })
        .await;
    match found {
        Some(line) => Reply::Status(line.into()),
        None => Reply::err(ERR_NO_KEY),
    }
}

/// DEBUG DIGEST: the digest of every database. Each shard adds up its
/// keys per database; the parts combine in database order.
async fn dataset_digest(c: &Client) -> Reply {
    let parts = c
        .shard
        .run_on_all(|s| s.ks.borrow().dbs.iter().map(|db| (db.len(), digest::db_digest(db))).collect::<Vec<_>>())
        .await;
    let mut total: Vec<(usize, digest::Digest)> = Vec::new();
    for shard in parts {
        if total.len() < shard.len() {
            total.resize(shard.len(), (0, [0; 20]));
        }
        for ((keys, d), (n, part)) in total.iter_mut().zip(shard) {
            *keys += n;
            d.iter_mut().zip(part).for_each(|(a, b)| *a ^= b);
        }
    }
    Reply::Status(to_hex(&digest::dataset_digest(&total)).into())
}

/// DEBUG DIGEST-VALUE key ...: each value's digest (zeros for a missing
/// key), computed on the key's shard. Like Redis it looks at the table
/// itself, so a logically expired key not yet removed still counts.
async fn digest_values(c: &Client, keys: &[Bytes]) -> Reply {
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let (db, key) = (c.db, key.clone());
        let owner = c.shard.shared.shard_of_key(&key);
        let d = c
            .shard
            .run_on(owner, move |s| {
                let mut d = [0u8; 20];
                // At time 0 nothing has expired yet: the entry as stored.
                if let Some(e) = s.ks.borrow().dbs[db].peek(&key, 0) {
                    digest::value_digest(&mut d, e);
                }
                d
            })
            .await;
        out.push(Reply::Status(to_hex(&d).into()));
    }
    Reply::Array(out)
}

/// A count or size of DEBUG POPULATE: a non-negative integer.
fn positive(a: &[u8]) -> Result<usize, Reply> {
    match crate::util::num::parse_i64(a) {
        Some(n) if n >= 0 => Ok(n as usize),
        _ => Err(Reply::err("ERR value is out of range, must be positive")),
    }
}

/// DEBUG POPULATE count [prefix] [size]: creates the string keys
/// `prefix:0` .. `prefix:<count-1>` that do not exist yet, with values
/// `value:<n>` (zero-padded or cut to `size` bytes when given). Every core
/// creates the keys of its own slots.
async fn populate(c: &Client, a: &[Bytes]) -> Reply {
    let count = match positive(&a[2]) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let size = match a.get(4).map(|s| positive(s)).transpose() {
        Ok(n) => n.unwrap_or(0),
        Err(e) => return e,
    };
    // Redis formats the key into a 128-byte C buffer: the prefix ends at
    // its first NUL byte and the key at 127 bytes.
    let prefix = a.get(3).map_or(&b"key"[..], |p| p.split(|&b| b == 0).next().unwrap_or_default()).to_vec();
    let db = c.db;
    c.shard
        .run_on_all(move |s| {
            let now = s.now();
            let mut ks = s.ks.borrow_mut();
            // A running snapshot gets the database first: populating may
            // touch any of its slots.
            crate::persist::cow::before_db(s, &ks, db);
            let target = &mut ks.dbs[db];
            for j in 0..count {
                let mut key = prefix.clone();
                key.extend_from_slice(format!(":{j}").as_bytes());
                key.truncate(127);
                if s.shared.shard_of_key(&key) != s.id || target.get(&key, now).is_some() {
                    continue;
                }
                let mut value = format!("value:{j}").into_bytes();
                if size > 0 {
                    value.resize(size, 0);
                }
                target.set(Bytes::from(key), Value::Str(value.into()));
            }
        })
        .await;
    Reply::Ok
}

/// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: saves the RDB file, empties
/// the keyspace and loads the file back, as Redis does.
async fn reload(c: &Client, a: &[Bytes]) -> Reply {
    let (mut flush, mut save, mut merge) = (true, true, false);
    for opt in &a[2..] {
        if is(opt, "merge") {
            merge = true;
        } else if is(opt, "noflush") {
            flush = false;
        } else if is(opt, "nosave") {
            save = false;
        } else {
            return Reply::err("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
        }
    }
    if c.shard.shared.persist.loading.load(std::sync::atomic::Ordering::Relaxed) {
        // Saving now would overwrite the file being loaded with part of it.
        return Reply::err("LOADING Redis is loading the dataset in memory");
    }
    if save && crate::persist::save::save(&c.shard, true).await.is_err() {
        return Reply::err("ERR");
    }
    if crate::persist::load::reload(&c.shard, flush, merge).await.is_err() {
        return Reply::err("ERR Error trying to load the RDB dump, check server logs.");
    }
    crate::warning!("DB reloaded by DEBUG RELOAD");
    Reply::Ok
}

/// The size of a value in an RDB file (as rdbcompression has it): what
/// DEBUG OBJECT reports as serializedlength.
fn serialized_length(v: &Value, compress: bool) -> usize {
    let mut out = Vec::new();
    crate::rdb::write_object(&mut out, v, &crate::rdb::SaveOptions { compress });
    out.len()
}

/// DEBUG PROTOCOL: one reply of each RESP type, for client tests.
fn protocol(c: &Client, kind: &[u8]) -> Reply {
    let list = || (0..3).map(Reply::Int).collect::<Vec<_>>();
    let follow = |first: Option<Reply>, text: &str| {
        let mut out = BytesMut::new();
        if let Some(r) = first {
            r.encode(&mut out, c.resp3);
        }
        Reply::str(text).encode(&mut out, c.resp3);
        Reply::Raw(out.freeze())
    };
    if is(kind, "string") {
        Reply::str("Hello World")
    } else if is(kind, "integer") {
        Reply::Int(12345)
    } else if is(kind, "double") {
        #[allow(clippy::approx_constant)]
        Reply::Double(3.141)
    } else if is(kind, "bignum") {
        let n = "1234567999999999999999999999999999999";
        if c.resp3 {
            Reply::Raw(Bytes::from(format!("({n}\r\n")))
        } else {
            Reply::str(n)
        }
    } else if is(kind, "null") {
        Reply::Nil
    } else if is(kind, "array") {
        Reply::Array(list())
    } else if is(kind, "set") {
        Reply::Set(list())
    } else if is(kind, "map") {
        Reply::Map((0..3).map(|j| (Reply::Int(j), Reply::Bool(j == 1))).collect())
    } else if is(kind, "attrib") {
        // An attribute (RESP3 only) precedes the real reply.
        let attr = c.resp3.then(|| {
            let mut out = BytesMut::from(&b"|1\r\n"[..]);
            Reply::str("key-popularity").encode(&mut out, true);
            Reply::Array(vec![Reply::str("key:123"), Reply::Int(90)]).encode(&mut out, true);
            Reply::Raw(out.freeze())
        });
        follow(attr, "Some real reply following the attribute")
    } else if is(kind, "push") {
        if !c.resp3 {
            return Reply::err("ERR RESP2 is not supported by this command");
        }
        let push = Reply::Push(vec![Reply::str("server-cpu-usage"), Reply::Int(42)]);
        follow(Some(push), "Some real reply following the push reply")
    } else if is(kind, "verbatim") {
        Reply::Verbatim(Bytes::from_static(b"This is a verbatim\nstring"))
    } else if is(kind, "true") {
        Reply::Bool(true)
    } else if is(kind, "false") {
        Reply::Bool(false)
    } else {
        Reply::err(
            "ERR Wrong protocol type name. Please use one of the following: \
             string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
        )
    }
}

fn debug_help() -> Reply {
    help(
        "DEBUG",
        &[
            "CHANGE-REPL-ID",
            "    Change the replication IDs of the instance.",
            "    Dangerous: should be used only for testing the replication subsystem.",
            "DIGEST",
            "    Output a hex signature representing the current DB content.",
            "DIGEST-VALUE <key> [<key> ...]",
            "    Output a hex signature of the values of all the specified keys.",
            "LOG <message>",
            "    Write <message> to the server log.",
            "OBJECT <key>",
            "    Show low level info about the `key` and associated value.",
            "POPULATE <count> [<prefix>] [<size>]",
            "    Create <count> string keys named key:<num>. If <prefix> is specified then",
            "    it is used instead of the 'key' prefix. These are not propagated to",
            "    replicas. Cluster slots are not respected so keys not belonging to the",
            "    current node can be created in cluster mode.",
            "PROTOCOL <type>",
            "    Reply with a test value of the specified type. <type> can be: string,",
            "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
            "    true, false.",
            "RELOAD [option ...]",
            "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
            "    * MERGE: conflicting keys will be loaded from RDB.",
            "    * NOFLUSH: the existing database will not be removed before load, but",
            "      conflicting keys will generate an exception and kill the server.",
            "    * NOSAVE: the database will be loaded from an existing RDB file.",
            "    Examples:",
            "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
            "      the database.",
            "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
            "      existing RDB file.",
            "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
            "      file to the database.",
            "QUICKLIST-PACKED-THRESHOLD <size>",
            "    Sets the threshold for elements to be inserted as plain vs packed nodes",
            "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
            "PAUSE-CRON <0|1>",
            "    Stop periodic cron job processing.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background when they are not",
            "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
            "    default.",
            "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
            "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>. Decimals allowed.",
        ],
    )
}
