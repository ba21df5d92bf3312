//! DUMP and RESTORE: a value serialized as Redis's DUMP payload (RDB
//! object, RDB version, CRC-64; `crate::rdb`), so values move between
//! Clover and Redis in both directions.

use super::keys::lookup_touch;
use super::util::*;
use crate::command::spec::{acl, flags as f, ks, CommandSpec, Exec};
use crate::command::ExecCtx;
use crate::rdb::{dump_payload, restore_payload, PayloadError, SaveOptions};
use crate::resp::Reply;
use crate::shard::expire::lru_clock;
use crate::shard::Entry;
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    vec![
        CommandSpec::new("dump", 2, f::READONLY, Exec::Shard(dump))
            .group("generic")
            .acl(acl::KEYSPACE)
            .keys(vec![ks::at(1, &["RO", "ACCESS"])])
            .tips(&["nondeterministic_output"])
            .doc(
                "2.6.0",
                "Return a serialized version of the value stored at the specified key.",
                "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis \
                 objects composing the value and M their average size. For small string values the time complexity \
                 is thus O(1)+O(1*M) where M is small, so simply O(1).",
            ),
        CommandSpec::new("restore", -4, f::WRITE | f::DENYOOM, Exec::Shard(restore))
            .group("generic")
            .acl(acl::KEYSPACE | acl::DANGEROUS)
            .keys(vec![ks::at(1, &["OW", "UPDATE"])])
            .doc(
                "2.6.0",
                "Create a key using the provided serialized value, previously obtained using DUMP.",
                "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is \
                 the number of Redis objects composing the value and M their average size. For small string values \
                 the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set \
                 values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
            ),
    ]
}

fn dump(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let opts = SaveOptions { compress: c.settings.rdbcompression };
    match lookup_touch(c, &a[1]) {
        Some(e) => Reply::Bulk(dump_payload(&e.value, &opts).into()),
        None => Reply::Nil,
    }
}

fn restore(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(restore_generic(c, a))
}

fn restore_generic(c: &mut ExecCtx, a: &[Bytes]) -> Result<Reply, Reply> {
    let (mut replace, mut absttl) = (false, false);
    let (mut idle, mut freq): (Option<i64>, Option<i64>) = (None, None);
    let mut i = 4;
    while i < a.len() {
        let more = i + 1 < a.len();
        if is(&a[i], "replace") {
            replace = true;
        } else if is(&a[i], "absttl") {
            absttl = true;
        } else if is(&a[i], "idletime") && more && freq.is_none() {
            let v = int_arg(&a[i + 1])?;
            if v < 0 {
                return Err(Reply::err("ERR Invalid IDLETIME value, must be >= 0"));
            }
            idle = Some(v);
            i += 1;
        } else if is(&a[i], "freq") && more && idle.is_none() {
            let v = int_arg(&a[i + 1])?;
            if !(0..=255).contains(&v) {
                return Err(Reply::err("ERR Invalid FREQ value, must be >= 0 and <= 255"));
            }
            freq = Some(v);
            i += 1;
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        i += 1;
    }
    let key = &a[1];
    let now = c.now;
    if !replace && c.db().get(key, now).is_some() {
        return Err(Reply::err("BUSYKEY Target key name already exists."));
    }
    let ttl = int_arg(&a[2])?;
    if ttl < 0 {
        return Err(Reply::err("ERR Invalid TTL value, must be >= 0"));
    }
    let value = match restore_payload(&a[3], c.settings) {
        Ok(v) => v,
        Err(PayloadError::VersionOrChecksum) => {
            return Err(Reply::err("ERR DUMP payload version or checksum are wrong"))
        }
        Err(PayloadError::BadData(e)) => {
            crate::warning!("Internal error in RESTORE payload reading: {e}");
            return Err(Reply::err("ERR Bad data format"));
        }
    };
    let deleted = replace && c.db().remove(key).is_some();
    // A relative TTL that overflows wraps negative, and so has expired,
    // as in Redis.
    let at = if ttl != 0 && !absttl { ttl.wrapping_add(now as i64) } else { ttl };
    if at != 0 && at <= now as i64 && !crate::shard::expire::loading() {
        if deleted {
            c.dirty(1);
        }
        return Ok(Reply::Ok);
    }
    let mut entry = Entry::new(value);
    entry.expire = if at == 0 { 0 } else { at.max(1) as u64 };
    if let Some(secs) = idle {
        entry.access = lru_clock().wrapping_sub(u32::try_from(secs).unwrap_or(u32::MAX));
    }
    c.db().insert(key, entry);
    c.dirty(1);
    Ok(Reply::Ok)
}
