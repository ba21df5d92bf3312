//! DEBUG DIGEST and DEBUG DIGEST-VALUE: the 20-byte SHA-1 based digests of
//! Redis 7.0, computed the same way so the same data gives the same digest
//! on both servers.
//!
//! Two steps build every digest: `xor` adds SHA1(data) into the digest
//! (order-free: used for set members, hash fields, sorted set elements and
//! for the keys of a database), `mix` does the same and then replaces the
//! digest with its own SHA-1 (order-sensitive: used for list elements and
//! stream entries). A key's digest is mix(key), then its value's digest.
//! A database xors in the SHA-1 of each key's digest, so each shard
//! computes the part of its own keys and the node combines the parts: for
//! each non-empty database in order, mix in its number, then xor in the
//! parts. Consumer groups are not part of a stream's digest (as in Redis).

use super::stream::StreamId;
use super::{Db, Entry, Value};
use crate::util::num::fmt_double;
use crate::util::sha1::sha1;

pub type Digest = [u8; 20];

/// Adds SHA1(data) into `d`.
fn xor(d: &mut Digest, data: &[u8]) {
    for (a, b) in d.iter_mut().zip(sha1(data)) {
        *a ^= b;
    }
}

/// Adds SHA1(data) into `d`, then replaces `d` by its own SHA-1.
fn mix(d: &mut Digest, data: &[u8]) {
    xor(d, data);
    *d = sha1(d);
}

/// Redis's type number (OBJ_STRING ... OBJ_STREAM), which starts every
/// value's digest.
fn type_code(v: &Value) -> u32 {
    match v {
        Value::Str(_) => 0,
        Value::List(_) => 1,
        Value::Set(_) => 2,
        Value::ZSet(_) => 3,
        Value::Hash(_) => 4,
        Value::Stream(_) => 6,
    }
}

/// A member and its score, hashed together ("%.17g" for the score) and
/// added to `d`: one sorted set element or one hash field.
fn xor_pair(d: &mut Digest, a: &[u8], b: &[u8]) {
    let mut pair = [0u8; 20];
    mix(&mut pair, a);
    mix(&mut pair, b);
    xor(d, &pair);
}

/// Mixes the entry's value (and whether it expires) into `d`: what
/// DEBUG DIGEST-VALUE replies for a key, from a zero digest.
pub fn value_digest(d: &mut Digest, e: &Entry) {
    mix(d, &type_code(&e.value).to_be_bytes());
    match &e.value {
        Value::Str(s) => mix(d, s),
        Value::List(l) => l.iter().for_each(|el| mix(d, el)),
        Value::Set(s) => s.iter().for_each(|m| m.with_bytes(|b| xor(d, b))),
        Value::ZSet(z) => z.iter().for_each(|(m, score)| xor_pair(d, m, fmt_double(score).as_bytes())),
        Value::Hash(h) => h.iter().for_each(|(f, v)| xor_pair(d, f, v)),
        Value::Stream(s) => {
            for (id, fields) in s.log.range(StreamId::MIN, StreamId::MAX, false) {
                mix(d, format!("{}.{}", id.ms, id.seq).as_bytes());
                fields.for_each(|f| mix(d, f));
            }
        }
    }
    if e.expire != 0 {
        xor(d, b"!!expire!!");
    }
}

/// The digest of one key and its entry.
fn key_digest(key: &[u8], e: &Entry) -> Digest {
    let mut d = [0u8; 20];
    mix(&mut d, key);
    value_digest(&mut d, e);
    d
}

/// What the keys of `db` add to the dataset digest: the xor of the SHA-1s
/// of their digests (logically expired keys not yet removed included, as
/// Redis walks its whole table).
pub fn db_digest(db: &Db) -> Digest {
    let mut d = [0u8; 20];
    for (k, e) in db.entries() {
        xor(&mut d, &key_digest(k, e));
    }
    d
}

/// Combines per-database parts into the dataset digest: `parts[j]` is the
/// number of keys of database j (over all shards) and the xor of the
/// shards' `db_digest`s. All zeros for an empty dataset.
pub fn dataset_digest(parts: &[(usize, Digest)]) -> Digest {
    let mut d = [0u8; 20];
    for (j, (keys, part)) in parts.iter().enumerate() {
        if *keys == 0 {
            continue;
        }
        mix(&mut d, &(j as u32).to_be_bytes());
        for (a, b) in d.iter_mut().zip(part) {
            *a ^= b;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::sha1::to_hex;

    #[test]
    fn string_digest_matches_redis() {
        // DEBUG DIGEST-VALUE of SET k v, and DEBUG DIGEST with just that key
        // in db 0, on redis-server 7.0.15.
        let e = Entry::new(Value::Str("v".into()));
        let mut d = [0u8; 20];
        value_digest(&mut d, &e);
        let mut keys = [0u8; 20];
        xor(&mut keys, &key_digest(b"k", &e));
        let whole = dataset_digest(&[(1, keys)]);
        assert_eq!(to_hex(&d), "d79ee9fe5d5ad902d7f6620efc3b07b75ddd742f");
        assert_eq!(to_hex(&whole), "264ccf65edec66bccfa7cc659414ccca432057d2");
        assert_eq!(to_hex(&dataset_digest(&[(0, [0; 20])])), "0".repeat(40));
    }
}
