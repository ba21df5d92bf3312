//! Node-wide keyspace walks: KEYS, SCAN, RANDOMKEY, and SWAPDB, which
//! exchanges two databases on every shard at once. A SCAN cursor is the next
//! hash slot to visit (0 when done): slots are walked in order, whole, and
//! shards own contiguous slot ranges, so a cursor stays valid however keys
//! are spread.

use super::util::*;
use crate::command::spec::{acl, flags as f, CommandSpec, Exec, LocalFuture};
use crate::resp::Reply;
use crate::server::client::Client;
use crate::server::coordinator::on_all_atomically;
use crate::server::shared::splitmix;
use crate::shard::expire::now_ms;
use crate::shard::slot::SLOTS;
use crate::shard::Entry;
use crate::util::glob::glob_match;
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let s = |name, arity, fl, h| CommandSpec::new(name, arity, fl, Exec::Server(h)).group("generic").acl(acl::KEYSPACE);
    vec![
        s("keys", 2, f::READONLY, keys)
            .acl(acl::KEYSPACE | acl::DANGEROUS)
            .tips(&["request_policy:all_shards", "nondeterministic_output_order"])
            .doc(
                "1.0.0",
                "Find all keys matching the given pattern",
                "O(N) with N being the number of keys in the database, under the assumption that the key names in \
                 the database and the given pattern have limited length.",
            ),
        s("scan", -2, f::READONLY, scan).tips(&["nondeterministic_output", "request_policy:special"]).doc(
            "2.8.0",
            "Incrementally iterate the keys space",
            "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to \
             return back to 0. N is the number of elements inside the collection.",
        ),
        s("randomkey", 1, f::READONLY, randomkey).tips(&["request_policy:all_shards", "nondeterministic_output"]).doc(
            "1.0.0",
            "Return a random key from the keyspace",
            "O(1)",
        ),
        s("swapdb", 3, f::WRITE | f::FAST, swapdb).acl(acl::KEYSPACE | acl::DANGEROUS).group("server").doc(
            "4.0.0",
            "Swaps two Redis databases",
            "O(N) where N is the count of clients watching or blocking on keys from both databases.",
        ),
    ]
}

/// Which keys a walk returns: a glob (None: all) and a type name.
#[derive(Clone, Default)]
struct Filter {
    pattern: Option<Bytes>,
    type_name: Option<Bytes>,
}

impl Filter {
    fn keeps(&self, key: &[u8], e: &Entry, now: u64) -> bool {
        self.pattern.as_ref().is_none_or(|p| glob_match(p, key, false))
            && !e.is_expired(now)
            && self.type_name.as_ref().is_none_or(|t| is(t, e.value.type_name()))
    }
}

fn keys(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let db = c.db;
        let filter = Filter { pattern: (a[1].as_ref() != b"*").then(|| owned(&a[1])), type_name: None };
        let found = c
            .shard
            .run_on_all(move |s| {
                let now = now_ms();
                let ks = s.ks.borrow();
                ks.dbs[db]
                    .entries()
                    .filter(|(k, e)| filter.keeps(k, e, now))
                    .map(|(k, _)| k.clone())
                    .collect::<Vec<_>>()
            })
            .await;
        Reply::Array(found.into_iter().flatten().map(Reply::Bulk).collect())
    })
}

/// Parses a cursor as C's strtoul does (sign allowed, no leading space,
/// nothing after the digits); None means "invalid cursor".
fn parse_cursor(a: &[u8]) -> Option<u64> {
    let (neg, digits) = match a.first() {
        Some(b'-') => (true, &a[1..]),
        Some(b'+') => (false, &a[1..]),
        _ => (false, a),
    };
    if digits.is_empty() {
        // strtoul converts nothing: valid only for the empty string.
        return a.is_empty().then_some(0);
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((d - b'0') as u64)?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// SCAN's options after the cursor: (COUNT, filter).
fn scan_options(a: &[Bytes]) -> Result<(usize, Filter), Reply> {
    let mut count = 10;
    let mut filter = Filter::default();
    let mut i = 0;
    while i < a.len() {
        if i + 1 >= a.len() {
            return Err(Reply::err(ERR_SYNTAX));
        }
        let v = &a[i + 1];
        if is(&a[i], "count") {
            let n = int_arg(v)?;
            if n < 1 {
                return Err(Reply::err(ERR_SYNTAX));
            }
            count = n as usize;
        } else if is(&a[i], "match") {
            filter.pattern = (v.as_ref() != b"*").then(|| owned(v));
        } else if is(&a[i], "type") {
            filter.type_name = Some(owned(v));
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        i += 2;
    }
    Ok((count, filter))
}

fn scan(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let Some(cursor) = parse_cursor(&a[1]) else { return Reply::err("ERR invalid cursor") };
        let (count, filter) = match scan_options(&a[2..]) {
            Ok(o) => o,
            Err(e) => return e,
        };
        let db = c.db;
        let mut slot = cursor.min(SLOTS as u64) as usize;
        let mut visited = 0;
        let mut found = Vec::new();
        while slot < SLOTS && visited < count {
            let owner = c.shard.shared.slots.shard_of(slot as u16);
            let filter = filter.clone();
            let want = count - visited;
            let (keys, seen, next) = c
                .shard
                .run_on(owner, move |s| {
                    let now = now_ms();
                    let ks = s.ks.borrow();
                    let d = &ks.dbs[db];
                    let (mut keys, mut seen, mut slot) = (Vec::new(), 0, slot);
                    while slot < SLOTS && seen < want && s.shared.slots.shard_of(slot as u16) == s.id {
                        for (k, e) in d.slot_entries(slot as u16) {
                            seen += 1;
                            if filter.keeps(k, e, now) {
                                keys.push(k.clone());
                            }
                        }
                        slot += 1;
                    }
                    (keys, seen, slot)
                })
                .await;
            found.extend(keys);
            visited += seen;
            slot = next;
        }
        let next = if slot >= SLOTS { 0 } else { slot };
        Reply::Array(vec![Reply::str(next.to_string()), Reply::Array(found.into_iter().map(Reply::Bulk).collect())])
    })
}

/// A random number for RANDOMKEY.
fn random() -> u64 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    splitmix(t)
}

/// Lookups RANDOMKEY tries on one shard before giving up on it.
const RANDOM_TRIES: usize = 100;

fn randomkey(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let db = c.db;
        for _ in 0..RANDOM_TRIES {
            let sizes = c.shard.run_on_all(move |s| s.ks.borrow().dbs[db].len()).await;
            let total: usize = sizes.iter().sum();
            if total == 0 {
                return Reply::Nil;
            }
            // A shard chosen in proportion to its keys.
            let mut pick = (random() % total as u64) as usize;
            let owner = sizes.iter().position(|&n| {
                let here = pick < n;
                pick = pick.saturating_sub(n);
                here
            });
            let owner = owner.unwrap_or(0);
            let key = c
                .shard
                .run_on(owner, move |s| {
                    let now = now_ms();
                    let mut ks = s.ks.borrow_mut();
                    let d = &mut ks.dbs[db];
                    for i in 0..RANDOM_TRIES {
                        let k = d.random_key(splitmix(random() ^ i as u64))?;
                        if d.get(&k, now).is_some() {
                            return Some(k);
                        }
                    }
                    None
                })
                .await;
            if let Some(k) = key {
                return Reply::Bulk(k);
            }
        }
        Reply::Nil
    })
}

/// Parses a SWAPDB index with its own error text.
fn swap_index(a: &[u8], err: &'static str) -> Result<i64, Reply> {
    crate::util::num::parse_i64(a).filter(|n| (i32::MIN as i64..=i32::MAX as i64).contains(n)).ok_or(Reply::err(err))
}

fn swapdb(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let ids = swap_index(&a[1], "ERR invalid first DB index")
            .and_then(|x| swap_index(&a[2], "ERR invalid second DB index").map(|y| (x, y)));
        let (x, y) = match ids {
            Ok(p) => p,
            Err(e) => return e,
        };
        let n = c.shard.settings().databases as i64;
        if !(0..n).contains(&x) || !(0..n).contains(&y) {
            return Reply::err(ERR_DB_INDEX);
        }
        let (x, y) = (x as usize, y as usize);
        let me = c.shard.id;
        on_all_atomically(&c.shard, move |s| {
            let mut ks = s.ks.borrow_mut();
            ks.dbs.swap(x, y);
            if s.id == me {
                ks.dirty += 1;
            }
        })
        .await;
        Reply::Ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_like_strtoul() {
        assert_eq!(parse_cursor(b"0"), Some(0));
        assert_eq!(parse_cursor(b""), Some(0));
        assert_eq!(parse_cursor(b"+12"), Some(12));
        assert_eq!(parse_cursor(b"-1"), Some(u64::MAX));
        assert_eq!(parse_cursor(b"-"), None);
        assert_eq!(parse_cursor(b" 1"), None);
        assert_eq!(parse_cursor(b"1x"), None);
        assert_eq!(parse_cursor(b"18446744073709551616"), None);
    }
}
