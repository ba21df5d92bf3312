//! Node-wide keyspace walks: KEYS, SCAN, RANDOMKEY, and SWAPDB, which
//! exchanges two databases on every shard at once. A SCAN cursor is the next
//! hash slot to visit (0 when done): slots are walked in order, whole, and
//! shards own contiguous slot ranges, so a cursor stays valid however keys
//! are spread. Also what the collection SCANs (HSCAN, SSCAN, ZSCAN) share:
//! cursor and option parsing, the key lookup and the reply
//! (`scan_collection`).

use super::keys::lookup_touch;
use super::util::*;
use crate::command::spec::{acl, flags as f, CommandSpec, Exec, LocalFuture};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::server::client::Client;
use crate::server::coordinator::on_all_atomically;
use crate::server::shared::splitmix;
use crate::shard::expire::now_ms;
use crate::shard::slot::SLOTS;
use crate::shard::{Db, Keyspace, Value};
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
    fn matches(&self, key: &[u8]) -> bool {
        self.pattern.as_ref().is_none_or(|p| glob_match(p, key, false))
    }
}

/// What one shard's part of a SCAN call found.
#[derive(Debug, Default, PartialEq)]
struct SlotWalk {
    keys: Vec<Bytes>,
    /// Keys looked at, filtered or not (what COUNT bounds).
    seen: usize,
    /// The first slot not walked.
    next: usize,
}

/// Walks whole slots of `ks.dbs[db]` from `slot` while `owned(slot)` and
/// fewer than `want` keys were seen. As Redis's SCAN, expired keys that
/// match the pattern are deleted, and a TYPE filter looks each matching
/// key up (counted as a keyspace hit or miss).
fn walk_slots(
    ks: &mut Keyspace,
    db: usize,
    filter: &Filter,
    mut slot: usize,
    want: usize,
    now: u64,
    owned: impl Fn(usize) -> bool,
) -> SlotWalk {
    let mut w = SlotWalk::default();
    let mut expired = Vec::new();
    let (mut hits, mut misses) = (0, 0);
    let d = &ks.dbs[db];
    while slot < SLOTS && w.seen < want && owned(slot) {
        for (k, e) in d.slot_entries(slot as u16) {
            w.seen += 1;
            if !filter.matches(k) {
                continue;
            }
            let live = !e.is_expired(now);
            if filter.type_name.is_some() {
                if live {
                    hits += 1;
                } else {
                    misses += 1;
                }
            }
            if !live {
                expired.push(k.clone());
            } else if filter.type_name.as_ref().is_none_or(|t| is(t, e.value.type_name())) {
                w.keys.push(k.to_bytes());
            }
        }
        slot += 1;
    }
    w.next = slot;
    for k in &expired {
        ks.dbs[db].remove(k);
    }
    ks.expired += expired.len() as u64;
    ks.hits += hits;
    ks.misses += misses;
    w
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
                    .filter(|(k, e)| filter.matches(k) && !e.is_expired(now))
                    .map(|(k, _)| k.to_bytes())
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

/// The options of a SCAN after the cursor: COUNT (a hint of how many
/// elements to look at) and MATCH, plus TYPE for the keyspace SCAN.
pub struct ScanOpts {
    pub count: usize,
    filter: Filter,
}

impl ScanOpts {
    /// Whether `elem` (a key, field or member) matches MATCH.
    pub fn matches(&self, elem: &[u8]) -> bool {
        self.filter.matches(elem)
    }
}

/// Parses a SCAN's options (`a`: the arguments after the cursor); TYPE is
/// a syntax error unless `with_type`.
fn scan_options(a: &[Bytes], with_type: bool) -> Result<ScanOpts, Reply> {
    let mut o = ScanOpts { count: 10, filter: Filter::default() };
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
            o.count = n as usize;
        } else if is(&a[i], "match") {
            o.filter.pattern = (v.as_ref() != b"*").then(|| owned(v));
        } else if with_type && is(&a[i], "type") {
            o.filter.type_name = Some(owned(v));
        } else {
            return Err(Reply::err(ERR_SYNTAX));
        }
        i += 2;
    }
    Ok(o)
}

/// The cursor argument, or Redis's "invalid cursor" error.
fn cursor_arg(a: &[u8]) -> Result<u64, Reply> {
    parse_cursor(a).ok_or_else(|| Reply::err("ERR invalid cursor"))
}

/// The reply of every SCAN: the next cursor and the elements found.
fn scan_reply(next: u64, items: Vec<Reply>) -> Reply {
    Reply::Array(vec![Reply::str(next.to_string()), Reply::Array(items)])
}

/// HSCAN, SSCAN and ZSCAN (`key cursor [MATCH pattern] [COUNT count]`),
/// in Redis's order of checks: the cursor, then the key (missing: an
/// empty scan; not a `type_name`: WRONGTYPE), then the options. `walk`
/// gets the value, the cursor and the options, and returns the next
/// cursor (0 when done) and the reply elements of the matching entries.
pub fn scan_collection(
    c: &mut ExecCtx,
    a: &[Bytes],
    type_name: &str,
    walk: impl FnOnce(&Value, u64, &ScanOpts) -> (u64, Vec<Reply>),
) -> Reply {
    either((|| {
        let cursor = cursor_arg(&a[2])?;
        let Some(e) = lookup_touch(c, &a[1]) else { return Ok(scan_reply(0, Vec::new())) };
        if e.value.type_name() != type_name {
            return Err(Reply::err(ERR_WRONGTYPE));
        }
        let opts = scan_options(&a[3..], false)?;
        let (next, items) = walk(&e.value, cursor, &opts);
        Ok(scan_reply(next, items))
    })())
}

fn scan(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let opts = cursor_arg(&a[1]).and_then(|cursor| scan_options(&a[2..], true).map(|o| (cursor, o)));
        let (cursor, ScanOpts { count, filter }) = match opts {
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
            let walk = c
                .shard
                .run_on(owner, move |s| {
                    let owned = |slot: usize| s.shared.slots.shard_of(slot as u16) == s.id;
                    walk_slots(&mut s.ks.borrow_mut(), db, &filter, slot, want, now_ms(), owned)
                })
                .await;
            found.extend(walk.keys);
            visited += walk.seen;
            slot = walk.next;
        }
        let next = if slot >= SLOTS { 0 } else { slot };
        scan_reply(next as u64, found.into_iter().map(Reply::Bulk).collect())
    })
}

/// A random number for RANDOMKEY.
fn random() -> u64 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    splitmix(t)
}

/// Random picks RANDOMKEY makes on a shard before it walks the shard for
/// a live key instead (most of its keys are then expired).
const RANDOM_TRIES: usize = 100;

/// A live key of `d`: random picks first (deleting the expired keys they
/// hit, as Redis does), then the first live key of a walk.
fn live_random_key(d: &mut Db, now: u64) -> Option<Bytes> {
    for i in 0..RANDOM_TRIES {
        let k = d.random_key(splitmix(random() ^ i as u64))?;
        if d.get(&k, now).is_some() {
            return Some(k);
        }
    }
    d.entries().find(|(_, e)| !e.is_expired(now)).map(|(k, _)| k.to_bytes())
}

fn randomkey(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let db = c.db;
        let mut sizes = c.shard.run_on_all(move |s| s.ks.borrow().dbs[db].len()).await;
        // Each round either finds a key or rules out one shard.
        loop {
            let total: usize = sizes.iter().sum();
            if total == 0 {
                return Reply::Nil;
            }
            // A shard chosen in proportion to its keys.
            let mut pick = (random() % total as u64) as usize;
            let Some(owner) = sizes.iter().position(|&n| {
                let here = pick < n;
                pick -= pick.min(n);
                here
            }) else {
                return Reply::Nil;
            };
            let found = c.shard.run_on(owner, move |s| live_random_key(&mut s.ks.borrow_mut().dbs[db], now_ms())).await;
            match found {
                Some(k) => return Reply::Bulk(k),
                None => sizes[owner] = 0,
            }
        }
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
        let record = crate::server::propagate::barrier(c.shard.shared.next_tx_id(), c.shard.shared.shards, c.db, &a);
        on_all_atomically(&c.shard, move |s| {
            s.feed.barrier(&record);
            let mut ks = s.ks.borrow_mut();
            crate::persist::cow::before_db(s, &ks, x);
            crate::persist::cow::before_db(s, &ks, y);
            ks.dbs.swap(x, y);
            // Clients blocked in either database may find their keys now.
            let mut waits = s.blocking.borrow_mut();
            waits.signal_all(Some(x));
            waits.signal_all(Some(y));
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

    use crate::shard::slot::key_slot;
    use crate::shard::Value;

    fn set(ks: &mut Keyspace, key: &str, expire: u64) {
        let k = Bytes::copy_from_slice(key.as_bytes());
        ks.db(0).set(k.clone(), Value::Str("v".into()));
        ks.db(0).set_expire(&k, expire);
    }

    #[test]
    fn walk_takes_whole_slots_and_drops_expired() {
        let mut ks = Keyspace::new(1);
        for i in 0..5 {
            set(&mut ks, &format!("{{a}}live{i}"), 0);
        }
        set(&mut ks, "{a}gone", 10);
        set(&mut ks, "{b}x", 0);
        let all = Filter::default();
        let (slot_a, slot_b) = (key_slot(b"a") as usize, key_slot(b"b") as usize);
        assert!(slot_b < slot_a);
        // COUNT 1 still returns the whole slot.
        let w = walk_slots(&mut ks, 0, &all, slot_b + 1, 1, 100, |_| true);
        assert_eq!((w.keys.len(), w.seen, w.next), (5, 6, slot_a + 1));
        assert_eq!(ks.dbs[0].len(), 6, "the expired key is deleted");
        assert_eq!(ks.expired, 1);
        // A slot the shard does not own ends the walk.
        let w = walk_slots(&mut ks, 0, &all, 0, 100, 100, |s| s < slot_a);
        assert_eq!((w.keys, w.next), (vec![Bytes::from("{b}x")], slot_a));
    }

    #[test]
    fn walk_filters_by_pattern_and_type() {
        let mut ks = Keyspace::new(1);
        for k in ["key:1", "key:2", "other"] {
            set(&mut ks, k, 0);
        }
        let pattern = Filter { pattern: Some(Bytes::from("key:*")), type_name: None };
        let w = walk_slots(&mut ks, 0, &pattern, 0, 100, 0, |_| true);
        assert_eq!((w.keys.len(), w.seen, w.next), (2, 3, SLOTS));
        let list = Filter { pattern: None, type_name: Some(Bytes::from("list")) };
        assert!(walk_slots(&mut ks, 0, &list, 0, 100, 0, |_| true).keys.is_empty());
        assert_eq!(ks.hits, 3, "a TYPE filter looks every matching key up");
        let string = Filter { pattern: None, type_name: Some(Bytes::from("STRING")) };
        assert_eq!(walk_slots(&mut ks, 0, &string, 0, 100, 0, |_| true).keys.len(), 3);
    }

    #[test]
    fn random_key_finds_the_one_live_key() {
        let mut d = Keyspace::new(1);
        for i in 0..2000 {
            set(&mut d, &format!("dead{i}"), 10);
        }
        set(&mut d, "live", 0);
        assert_eq!(live_random_key(&mut d.dbs[0], 100), Some(Bytes::from("live")));
        set(&mut d, "live", 10);
        assert_eq!(live_random_key(&mut d.dbs[0], 100), None);
    }
}
