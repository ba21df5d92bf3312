//! What a write that changed the keyspace propagates, per command, as
//! Redis 7.0's commands rewrite themselves (`rewriteClientCommandVector`,
//! `alsoPropagate`): replaying the result anywhere, at any later time,
//! gives the same data. Everything not named here propagates as it came.

use super::Unit;
use crate::command::CommandSpec;
use crate::commands::util::is;
use crate::resp::Reply;
use crate::shard::{Keyspace, Value};
use bytes::Bytes;

/// Most members one SREM of a propagated SPOP carries (Redis's batch).
const SPOP_BATCH: usize = 1024;

/// Adds to `u` what `cmd` (which ran with `args` in `db`, answered
/// `reply` and left `ks` as it is now) propagates.
pub fn command(
    u: &mut Unit,
    cmd: &'static CommandSpec,
    db: usize,
    args: &[Bytes],
    reply: &Reply,
    ks: &mut Keyspace,
    lazy_expire: bool,
) {
    let del: &[u8] = if lazy_expire { b"UNLINK" } else { b"DEL" };
    let expire_of = |ks: &Keyspace, key: &[u8]| ks.dbs.get(db).and_then(|d| d.peek(key, 0)).map(|e| e.expire);
    match cmd.name {
        "set" if args[3..].iter().any(|a| ["ex", "px", "exat", "pxat"].iter().any(|w| is(a, w))) => {
            set_at(u, db, &args[1], &args[2], expire_of(ks, &args[1]))
        }
        "setex" | "psetex" => set_at(u, db, &args[1], &args[3], expire_of(ks, &args[1])),
        "getex" => match expire_of(ks, &args[1]) {
            None => u.push(db, &[del, &args[1]]),
            Some(_) if args.len() > 2 && is(&args[2], "persist") => u.push(db, &[&b"PERSIST"[..], &args[1]]),
            Some(at) => u.push(db, &[&b"PEXPIREAT"[..], &args[1], at.to_string().as_bytes()]),
        },
        "getdel" => u.push(db, &[&b"DEL"[..], &args[1]]),
        "getset" => u.push(db, &[&b"SET"[..], &args[1], &args[2]]),
        "expire" | "pexpire" | "expireat" | "pexpireat" => match expire_of(ks, &args[1]) {
            Some(at) if at != 0 => {
                let at = at.to_string();
                let mut argv: Vec<&[u8]> = vec![b"PEXPIREAT", &args[1], at.as_bytes()];
                argv.extend(args[3..].iter().map(|a| a.as_ref()));
                u.push(db, &argv);
            }
            Some(_) => u.push(db, args),
            None => u.push(db, &[del, &args[1]]),
        },
        "incrbyfloat" => {
            if let Some(v) = bulk(reply) {
                u.push(db, &[&b"SET"[..], &args[1], &v, b"KEEPTTL"]);
            }
        }
        "hincrbyfloat" => {
            if let Some(v) = bulk(reply) {
                u.push(db, &[&b"HSET"[..], &args[1], &args[2], &v]);
            }
        }
        "spop" => spop(u, db, args, reply, expire_of(ks, &args[1]).is_some()),
        "blpop" | "brpop" => {
            let verb: &[u8] = if cmd.name == "blpop" { b"LPOP" } else { b"RPOP" };
            if let Some(key) = element(reply, 0) {
                u.push(db, &[verb, &key]);
            }
        }
        "blmove" => u.push(db, &[&b"LMOVE"[..], &args[1], &args[2], &args[3], &args[4]]),
        "brpoplpush" => u.push(db, &[&b"RPOPLPUSH"[..], &args[1], &args[2]]),
        "lmpop" | "blmpop" | "zmpop" | "bzmpop" => {
            let numkeys_at = if cmd.name.starts_with('b') { 2 } else { 1 };
            mpop(u, db, args, reply, numkeys_at, cmd.name.ends_with("lmpop"));
        }
        "bzpopmin" | "bzpopmax" => {
            let verb: &[u8] = if cmd.name == "bzpopmin" { b"ZPOPMIN" } else { b"ZPOPMAX" };
            if let Some(key) = element(reply, 0) {
                u.push(db, &[verb, &key]);
            }
        }
        "xadd" => xadd(u, db, args, reply, ks),
        "xtrim" => {
            let mut argv = args.to_vec();
            exact_trim(&mut argv, 2, stream_of(ks, db, &args[1]));
            u.push(db, &argv);
        }
        "xreadgroup" => xreadgroup(u, db, args, reply, ks),
        "restore" => restore(u, db, args, expire_of(ks, &args[1])),
        _ => u.push(db, args),
    }
}

/// SET key value PXAT <when>, or a deletion when the key is already gone.
fn set_at(u: &mut Unit, db: usize, key: &[u8], value: &[u8], expire: Option<u64>) {
    match expire {
        Some(0) => u.push(db, &[&b"SET"[..], key, value]),
        Some(at) => u.push(db, &[&b"SET"[..], key, value, b"PXAT", at.to_string().as_bytes()]),
        None => u.push(db, &[&b"DEL"[..], key]),
    }
}

/// The bytes of a bulk reply.
fn bulk(r: &Reply) -> Option<Bytes> {
    match r {
        Reply::Bulk(b) => Some(b.clone()),
        Reply::Str(s) => Some(Bytes::copy_from_slice(s)),
        _ => None,
    }
}

/// The members of an array-like reply.
fn members(r: &Reply) -> Vec<Bytes> {
    match r {
        Reply::Array(v) | Reply::Set(v) => v.iter().filter_map(bulk).collect(),
        Reply::Pairs(p) => p.iter().filter_map(|(m, _)| bulk(m)).collect(),
        other => bulk(other).into_iter().collect(),
    }
}

/// Element `i` of an array reply, as bytes.
fn element(r: &Reply, i: usize) -> Option<Bytes> {
    match r {
        Reply::Array(v) => v.get(i).and_then(bulk),
        _ => None,
    }
}

/// How many items an array-like reply holds.
fn count(r: &Reply) -> usize {
    match r {
        Reply::Array(v) | Reply::Set(v) => v.len(),
        Reply::Pairs(p) | Reply::Map(p) => p.len(),
        _ => 0,
    }
}

/// SPOP as SREM of what it popped (batched), or DEL when the set went.
fn spop(u: &mut Unit, db: usize, args: &[Bytes], reply: &Reply, exists: bool) {
    if args.len() > 2 && !exists {
        u.push(db, &[&b"DEL"[..], &args[1]]);
        return;
    }
    let popped = members(reply);
    for batch in popped.chunks(SPOP_BATCH) {
        let mut argv: Vec<&[u8]> = vec![b"SREM", &args[1]];
        argv.extend(batch.iter().map(|m| m.as_ref()));
        u.push(db, &argv);
    }
}

/// LMPOP/BLMPOP/ZMPOP/BZMPOP as one pop with a count from the key that
/// served them.
fn mpop(u: &mut Unit, db: usize, args: &[Bytes], reply: &Reply, numkeys_at: usize, list: bool) {
    let Reply::Array(parts) = reply else { return };
    let (Some(key), Some(items)) = (parts.first().and_then(bulk), parts.get(1)) else { return };
    let Some(n) = args.get(numkeys_at).and_then(|a| std::str::from_utf8(a).ok()?.parse::<usize>().ok()) else {
        return;
    };
    let Some(dir) = n.checked_add(numkeys_at + 1).and_then(|i| args.get(i)) else { return };
    let verb: &[u8] = match (list, is(dir, "left") || is(dir, "min")) {
        (true, true) => b"LPOP",
        (true, false) => b"RPOP",
        (false, true) => b"ZPOPMIN",
        (false, false) => b"ZPOPMAX",
    };
    u.push(db, &[verb, &key, count(items).to_string().as_bytes()]);
}

fn stream_of<'a>(ks: &'a Keyspace, db: usize, key: &[u8]) -> Option<&'a crate::shard::stream::Stream> {
    match &ks.dbs.get(db)?.peek(key, 0)?.value {
        Value::Stream(s) => Some(s),
        _ => None,
    }
}

/// Rewrites an approximate trim (`MAXLEN ~ n`, `MINID ~ id`, from
/// argument `from` on) as the exact one that leaves what it left, and
/// drops its LIMIT, as Redis does so that a replay trims the same.
fn exact_trim(argv: &mut Vec<Bytes>, from: usize, stream: Option<&crate::shard::stream::Stream>) {
    let mut i = from;
    while i < argv.len() {
        let maxlen = is(&argv[i], "maxlen");
        if !(maxlen || is(&argv[i], "minid")) {
            i += 1;
            continue;
        }
        if argv.get(i + 1).is_some_and(|a| a.as_ref() == b"~") && argv.len() > i + 2 {
            if let Some(s) = stream {
                argv[i + 1] = Bytes::from_static(b"=");
                argv[i + 2] = if maxlen { Bytes::from(s.log.length.to_string()) } else { s.log.first_id.to_bytes() };
                if argv.get(i + 3).is_some_and(|a| is(a, "limit")) && argv.len() > i + 4 {
                    argv.drain(i + 3..i + 5);
                }
            }
        }
        return;
    }
}

/// XADD with the ID it generated and an exact trim.
fn xadd(u: &mut Unit, db: usize, args: &[Bytes], reply: &Reply, ks: &Keyspace) {
    let mut argv = args.to_vec();
    // Find the ID: after the options (NOMKSTREAM, MAXLEN|MINID [~|=] x,
    // LIMIT n).
    let mut i = 2;
    while i < argv.len() {
        let a = &argv[i];
        if is(a, "nomkstream") {
            i += 1;
        } else if is(a, "maxlen") || is(a, "minid") {
            let op = argv.get(i + 1).is_some_and(|b| b.as_ref() == b"~" || b.as_ref() == b"=");
            i += if op { 3 } else { 2 };
        } else if is(a, "limit") {
            i += 2;
        } else {
            break;
        }
    }
    if let (Some(id), Some(generated)) = (argv.get(i), bulk(reply)) {
        if id.as_ref() == b"*" || id.ends_with(b"-*") {
            argv[i] = generated;
        }
    }
    exact_trim(&mut argv, 2, stream_of(ks, db, &args[1]));
    u.push(db, &argv);
}

/// RESTORE with a relative TTL becomes one with ABSTTL; a TTL already
/// past leaves nothing but a deletion.
fn restore(u: &mut Unit, db: usize, args: &[Bytes], expire: Option<u64>) {
    let absttl = args[4..].iter().any(|a| is(a, "absttl"));
    if args[2].as_ref() == b"0" || absttl {
        u.push(db, args);
        return;
    }
    match expire {
        Some(at) if at != 0 => {
            let mut argv = args.to_vec();
            argv[2] = Bytes::from(at.to_string());
            argv.push(Bytes::from_static(b"ABSTTL"));
            u.push(db, &argv);
        }
        Some(_) => u.push(db, args),
        None => u.push(db, &[&b"DEL"[..], &args[1]]),
    }
}

/// XREADGROUP as Redis propagates it: for every entry it delivered, an
/// XCLAIM that sets the pending entry as it now is (owner, delivery time,
/// count) and the group's last ID; otherwise the consumer (which the read
/// creates) and, when entries were served without pending (NOACK), the
/// group's position (XGROUP SETID).
fn xreadgroup(u: &mut Unit, db: usize, args: &[Bytes], reply: &Reply, ks: &Keyspace) {
    let (Some(group), Some(consumer)) = (args.get(2), args.get(3)) else { return };
    // STREAMS comes after GROUP group consumer (which may be named so).
    let Some(at) = args.iter().skip(4).position(|a| is(a, "streams")).map(|i| i + 4) else { return };
    let keys = &args[at + 1..at + 1 + (args.len() - at - 1) / 2];
    let served: &[(Reply, Reply)] = match reply {
        Reply::PairMap(s) => s,
        _ => &[],
    };
    for key in keys {
        let Some(g) = stream_of(ks, db, key).and_then(|s| s.groups.get(group)) else { continue };
        let last = g.last_id.to_bytes();
        let entries = served.iter().find(|(k, _)| bulk(k).as_deref() == Some(key.as_ref())).map(|(_, e)| e);
        let mut claimed = false;
        if let Some(Reply::Array(entries)) = entries {
            for e in entries {
                let Some(id) = element(e, 0) else { continue };
                let Ok(parsed) = crate::commands::streams::parse_strict_id(&id) else { continue };
                let Some(nack) = g.pel.get(&parsed) else { continue };
                let (time, count) = (nack.delivery_time.to_string(), nack.delivery_count.to_string());
                let claim = claim_argv(key, group, consumer, &id, time.as_bytes(), count.as_bytes());
                u.push(db, &[&claim[..], &[b"FORCE", b"JUSTID", b"LASTID", &last]].concat());
                claimed = true;
            }
        }
        if claimed {
            continue;
        }
        if g.consumers.contains_key(consumer) {
            u.push(db, &[&b"XGROUP"[..], b"CREATECONSUMER", key, group, consumer]);
        }
        if entries.is_some() {
            match g.entries_read {
                Some(n) => {
                    let n = n.to_string();
                    u.push(db, &[&b"XGROUP"[..], b"SETID", key, group, &last, b"ENTRIESREAD", n.as_bytes()]);
                }
                None => u.push(db, &[&b"XGROUP"[..], b"SETID", key, group, &last]),
            }
        }
    }
}

/// The head of an XCLAIM that gives `consumer` pending entry `id` with its
/// delivery time and count, as Redis writes it both when XREADGROUP
/// propagates a delivery and when an AOF rewrite recreates a PEL; each
/// adds its own flags after it.
pub fn claim_argv<'a>(
    key: &'a [u8],
    group: &'a [u8],
    consumer: &'a [u8],
    id: &'a [u8],
    time: &'a [u8],
    count: &'a [u8],
) -> [&'a [u8]; 10] {
    [b"XCLAIM", key, group, consumer, b"0", id, b"TIME", time, b"RETRYCOUNT", count]
}
