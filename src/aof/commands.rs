//! A data set as commands: the base file a rewrite writes when
//! aof-use-rdb-preamble is no, in the form of Redis's
//! `rewriteAppendOnlyFileRio` (SELECT per database, SET, RPUSH / SADD /
//! ZADD / HMSET in batches of 64 items, streams as XADD, XSETID and their
//! groups, PEXPIREAT for expiries). It is made from the snapshot the
//! engine wrote at the rewrite's cut, read back through the RDB codec.

use crate::rdb::{FileReader, Record};
use crate::server::propagate::encode;
use crate::server::propagate::rewrite::claim_argv;
use crate::server::settings::Settings;
use crate::shard::stream::Stream;
use crate::shard::Value;
use crate::util::num::fmt_double;

/// Items per command, as Redis's AOF_REWRITE_ITEMS_PER_CMD.
const ITEMS_PER_CMD: usize = 64;

/// The commands that rebuild the data set of an RDB image; `timestamp`
/// (aof-timestamp-enabled) starts the file with a `#TS:` annotation.
pub fn from_rdb(rdb: &[u8], settings: &Settings, timestamp: Option<u64>) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    if let Some(ts) = timestamp {
        out.extend_from_slice(format!("#TS:{ts}\r\n").as_bytes());
    }
    let mut r = FileReader::new(rdb).map_err(|e| e.0)?;
    let (mut db, mut selected) = (0u64, None);
    loop {
        match r.next(settings).map_err(|e| e.0)? {
            Record::SelectDb(n) => db = n,
            Record::Entry { key, entry, .. } => {
                if selected != Some(db) {
                    encode(&mut out, &[&b"SELECT"[..], db.to_string().as_bytes()]);
                    selected = Some(db);
                }
                value(&mut out, &key, &entry.value);
                if entry.expire != 0 {
                    encode(&mut out, &[&b"PEXPIREAT"[..], &key, entry.expire.to_string().as_bytes()]);
                }
            }
            Record::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// Appends `verb key` commands carrying `items` (each one or more
/// arguments), at most ITEMS_PER_CMD items each.
fn batched(out: &mut Vec<u8>, verb: &[u8], key: &[u8], items: Vec<Vec<Vec<u8>>>) {
    for chunk in items.chunks(ITEMS_PER_CMD) {
        let mut argv: Vec<&[u8]> = vec![verb, key];
        for item in chunk {
            argv.extend(item.iter().map(|a| a.as_slice()));
        }
        encode(out, &argv);
    }
}

fn value(out: &mut Vec<u8>, key: &[u8], v: &Value) {
    match v {
        Value::Str(s) => encode(out, &[&b"SET"[..], key, s]),
        Value::List(l) => batched(out, b"RPUSH", key, l.iter().map(|e| vec![e.to_vec()]).collect()),
        Value::Set(s) => batched(out, b"SADD", key, s.iter().map(|m| vec![m.to_bytes().to_vec()]).collect()),
        Value::ZSet(z) => batched(
            out,
            b"ZADD",
            key,
            z.iter().map(|(m, score)| vec![fmt_double(score).into_bytes(), m.to_vec()]).collect(),
        ),
        Value::Hash(h) => batched(out, b"HMSET", key, h.iter().map(|(f, v)| vec![f.to_vec(), v.to_vec()]).collect()),
        Value::Stream(s) => stream(out, key, s),
    }
}

/// A stream: its entries (or an empty stream with its last ID), its
/// counters, its groups with their pending entries and consumers.
fn stream(out: &mut Vec<u8>, key: &[u8], s: &Stream) {
    let log = &s.log;
    let last = log.last_id.to_bytes();
    if log.length > 0 {
        for (id, fields) in log.range(crate::shard::stream::StreamId::MIN, crate::shard::stream::StreamId::MAX, false) {
            let id = id.to_bytes();
            let mut argv: Vec<&[u8]> = vec![b"XADD", key, &id];
            argv.extend(fields);
            encode(out, &argv);
        }
    } else {
        // An entry that MAXLEN 0 removes at once creates the empty stream;
        // its ID is 0-1 because XADD refuses 0-0 (the stream's last ID may
        // still be 0-0), and XSETID below puts the real counters back.
        encode(out, &[&b"XADD"[..], key, b"MAXLEN", b"0", b"0-1", b"x", b"y"]);
    }
    let added = log.entries_added.to_string();
    let max_deleted = log.max_deleted_entry_id.to_bytes();
    encode(out, &[&b"XSETID"[..], key, &last, b"ENTRIESADDED", added.as_bytes(), b"MAXDELETEDID", &max_deleted]);
    for (name, g) in &s.groups {
        let gid = g.last_id.to_bytes();
        match g.entries_read {
            Some(n) => {
                let n = n.to_string();
                encode(out, &[&b"XGROUP"[..], b"CREATE", key, name, &gid, b"ENTRIESREAD", n.as_bytes()]);
            }
            None => encode(out, &[&b"XGROUP"[..], b"CREATE", key, name, &gid]),
        }
        for (id, nack) in &g.pel {
            let (id, time, count) = (id.to_bytes(), nack.delivery_time.to_string(), nack.delivery_count.to_string());
            let claim = claim_argv(key, name, &nack.consumer, &id, time.as_bytes(), count.as_bytes());
            encode(out, &[&claim[..], &[b"JUSTID", b"FORCE"]].concat());
        }
        for (consumer, c) in &g.consumers {
            if c.pel.is_empty() {
                encode(out, &[&b"XGROUP"[..], b"CREATECONSUMER", key, name, consumer]);
            }
        }
    }
}
