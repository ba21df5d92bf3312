//! MEMORY: USAGE of one key, STATS, DOCTOR, MALLOC-STATS, PURGE and HELP;
//! and the memory overview (overhead, dataset) INFO's memory section shares.

use super::help::help;
use super::keys::lookup_read;
use super::util::{int_arg, is, ERR_SYNTAX};
use crate::command::spec::{flags as f, ks, CommandSpec, Exec, LocalFuture};
use crate::command::ExecCtx;
use crate::metrics::memory::{self, alloc_size, human, Memory};
use crate::resp::Reply;
use crate::server::client::Client;
use crate::shard::{CompactBytes, Entry, Hash, Set, Value};
use crate::util::listpack;
use bytes::Bytes;

const SPECIAL: &[&str] = &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"];

pub fn commands() -> Vec<CommandSpec> {
    let sub = |name, arity, flags, exec| CommandSpec::new(name, arity, flags, exec).group("server");
    vec![sub("memory", -2, 0, Exec::Container)
        .doc("4.0.0", "A container for memory diagnostics commands", "Depends on subcommand.")
        .sub(vec![
            // In the order Redis lists them.
            sub("memory|malloc-stats", 2, 0, Exec::Client(malloc_stats)).tips(SPECIAL).doc(
                "4.0.0",
                "Show allocator internal stats",
                "Depends on how much memory is allocated, could be slow",
            ),
            sub("memory|help", 2, f::LOADING | f::STALE, Exec::Client(memory_help)).doc(
                "4.0.0",
                "Show helpful text about the different subcommands",
                "O(1)",
            ),
            sub("memory|purge", 2, 0, Exec::Client(purge))
                .tips(&["request_policy:all_shards", "response_policy:all_succeeded"])
                .doc(
                    "4.0.0",
                    "Ask the allocator to release memory",
                    "Depends on how much memory is allocated, could be slow",
                ),
            sub("memory|stats", 2, 0, Exec::Server(stats)).tips(SPECIAL).doc(
                "4.0.0",
                "Show memory usage details",
                "O(1)",
            ),
            sub("memory|doctor", 2, 0, Exec::Server(doctor)).tips(SPECIAL).doc(
                "4.0.0",
                "Outputs memory problems report",
                "O(1)",
            ),
            sub("memory|usage", -3, f::READONLY, Exec::Shard(usage)).keys(vec![ks::at(2, &["RO"])]).doc(
                "4.0.0",
                "Estimate the memory usage of a key",
                "O(N) where N is the number of samples.",
            ),
        ])]
}

/// Bytes the keyspace costs per key besides the key's and value's own
/// allocations: its place in its slot's dense vector (kept at least 4/5
/// full) and its index bucket (a 4-byte position and a control byte) at the
/// index's 7/8 load factor.
pub const KEY_OVERHEAD: u64 =
    std::mem::size_of::<(CompactBytes, Entry)>() as u64 * 5 / 4 + (std::mem::size_of::<u32>() as u64 + 1) * 8 / 7;
/// What Redis counts for the dictionary entry of a key.
const DICT_ENTRY: usize = 24;
/// What Redis counts for a value's object header.
const OBJECT_HEADER: usize = 16;

/// Where the process's memory goes, from one reading and the keyspace.
pub struct Overview {
    pub m: Memory,
    /// Keys per database (all shards).
    pub db_keys: Vec<u64>,
    /// Bytes of the clients' buffers.
    pub clients: u64,
}

impl Overview {
    pub fn keys(&self) -> u64 {
        self.db_keys.iter().sum()
    }

    /// Bytes that are not the data itself: start-up, clients, tables.
    pub fn overhead(&self) -> u64 {
        (self.m.startup + self.clients + self.keys() * KEY_OVERHEAD).min(self.m.used)
    }

    pub fn dataset(&self) -> u64 {
        self.m.used - self.overhead()
    }

    /// Bytes used beyond the start-up figure (at least 1).
    fn net(&self) -> u64 {
        self.m.used.saturating_sub(self.m.startup).max(1)
    }

    pub fn dataset_perc(&self) -> f64 {
        self.dataset() as f64 * 100.0 / self.net() as f64
    }

    pub fn peak_perc(&self) -> f64 {
        self.m.used as f64 * 100.0 / self.m.peak.max(1) as f64
    }
}

/// Gathers the keyspace side of the overview from every shard.
async fn overview(c: &Client) -> Overview {
    let shards = c
        .shard
        .run_on_all(|s| {
            let keys: Vec<u64> = s.ks.borrow().dbs.iter().map(|d| d.len() as u64).collect();
            let clients: u64 = s.clients.borrow().clients.values().map(|m| m.borrow().memory()).sum();
            (keys, clients)
        })
        .await;
    let mut db_keys = vec![0; shards.first().map_or(0, |s| s.0.len())];
    for (keys, _) in &shards {
        for (total, n) in db_keys.iter_mut().zip(keys) {
            *total += n;
        }
    }
    Overview { m: memory::read(), db_keys, clients: shards.iter().map(|s| s.1).sum() }
}

fn stats(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let o = overview(c).await;
        let m = o.m;
        let int = |n: u64| Reply::Int(n as i64);
        let signed = |a: u64, b: u64| Reply::Int(a as i64 - b as i64);
        // Redis computes these ratios in single precision.
        let ratio = |a: u64, b: u64| Reply::Double((a as f32 / b.max(1) as f32) as f64);
        let mut out: Vec<(&str, Reply)> = vec![
            ("peak.allocated", int(m.peak)),
            ("total.allocated", int(m.used)),
            ("startup.allocated", int(m.startup)),
            ("replication.backlog", int(0)),
            ("clients.slaves", int(0)),
            ("clients.normal", int(o.clients)),
            ("cluster.links", int(0)),
            ("aof.buffer", int(0)),
            ("lua.caches", int(0)),
            ("functions.caches", int(0)),
        ];
        let dbs: Vec<(String, Reply)> = o
            .db_keys
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(i, &n)| {
                let tables = Reply::Map(vec![
                    (Reply::str("overhead.hashtable.main"), int(n * KEY_OVERHEAD)),
                    (Reply::str("overhead.hashtable.expires"), int(0)),
                    (Reply::str("overhead.hashtable.slot-to-keys"), int(0)),
                ]);
                (format!("db.{i}"), tables)
            })
            .collect();
        let keys = o.keys();
        let tail: Vec<(&str, Reply)> = vec![
            ("overhead.total", int(o.overhead())),
            ("keys.count", int(keys)),
            ("keys.bytes-per-key", int(o.net().checked_div(keys).unwrap_or(0))),
            ("dataset.bytes", int(o.dataset())),
            ("dataset.percentage", Reply::Double(o.dataset_perc() as f32 as f64)),
            ("peak.percentage", Reply::Double(o.peak_perc() as f32 as f64)),
            ("allocator.allocated", int(m.used)),
            ("allocator.active", int(m.active)),
            ("allocator.resident", int(m.rss)),
            ("allocator-fragmentation.ratio", ratio(m.active, m.used)),
            ("allocator-fragmentation.bytes", signed(m.active, m.used)),
            ("allocator-rss.ratio", ratio(m.rss, m.active)),
            ("allocator-rss.bytes", signed(m.rss, m.active)),
            ("rss-overhead.ratio", Reply::Double(1.0)),
            ("rss-overhead.bytes", int(0)),
            ("fragmentation", ratio(m.rss, m.used)),
            ("fragmentation.bytes", signed(m.rss, m.used)),
        ];
        let mut pairs: Vec<(Reply, Reply)> = out.drain(..).map(|(k, v)| (Reply::str(k), v)).collect();
        pairs.extend(dbs.into_iter().map(|(k, v)| (Reply::str(k), v)));
        pairs.extend(tail.into_iter().map(|(k, v)| (Reply::str(k), v)));
        Reply::Map(pairs)
    })
}

/// Below this much memory in use beyond the start-up figure there is
/// nothing worth reporting.
const DOCTOR_MIN_USED: u64 = 5 << 20;

fn doctor(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let o = overview(c).await;
        Reply::Verbatim(Bytes::from(diagnose(&o)))
    })
}

/// The MEMORY DOCTOR report: what looks wrong in the overview, if anything.
fn diagnose(o: &Overview) -> String {
    let m = &o.m;
    if m.used.saturating_sub(m.startup) < DOCTOR_MIN_USED {
        return format!(
            "Memory doctor: only {} in use, too little to judge. Come back once the instance holds some data.",
            human(m.used)
        );
    }
    let mut findings = Vec::new();
    if m.peak as f64 > m.used as f64 * 1.5 {
        findings.push(format!(
            " * Peak: {} was in use at the peak, {} now; the allocator may keep part of the difference \
             (MEMORY PURGE returns what it can).",
            human(m.peak),
            human(m.used)
        ));
    }
    let frag = m.rss as f64 / m.used as f64;
    if frag > 1.4 {
        findings.push(format!(
            " * Fragmentation: the resident set ({}) is {frag:.2} times the memory in use ({}).",
            human(m.rss),
            human(m.used)
        ));
    }
    let keys = o.keys().max(1);
    if o.clients > o.dataset() / 2 && o.clients > keys * 64 {
        findings.push(format!(" * Clients: connection buffers take {}.", human(o.clients)));
    }
    if findings.is_empty() {
        return format!("Memory doctor: no memory issues found ({} in use, {} resident).", human(m.used), human(m.rss));
    }
    format!("Memory doctor findings:\n\n{}\n", findings.join("\n"))
}

/// glibc's allocator has no statistics report of the kind MEMORY
/// MALLOC-STATS returns (Redis answers the same with libc malloc).
fn malloc_stats(_c: &mut Client, _a: &[Bytes]) -> Reply {
    Reply::str("Stats not supported for the current allocator")
}

fn purge(_c: &mut Client, _a: &[Bytes]) -> Reply {
    memory::purge();
    Reply::Ok
}

fn memory_help(_c: &mut Client, _a: &[Bytes]) -> Reply {
    help(
        "MEMORY",
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    )
}

/// MEMORY USAGE key [SAMPLES count]: the bytes Redis would account for the
/// key, its value and its table entry.
fn usage(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let mut i = 3;
    let mut samples = 5;
    while i < a.len() {
        if !(is(&a[i], "samples") && i + 1 < a.len()) {
            return Reply::err(ERR_SYNTAX);
        }
        match int_arg(&a[i + 1]) {
            Err(e) => return e,
            Ok(n) if n < 0 => return Reply::err(ERR_SYNTAX),
            Ok(0) => samples = usize::MAX,
            Ok(n) => samples = n as usize,
        }
        i += 2;
    }
    let key = &a[2];
    match lookup_read(c, key) {
        None => Reply::Nil,
        Some(e) => Reply::Int((value_size(&e.value, samples) + sds_size(key.len()) + DICT_ENTRY) as i64),
    }
}

/// What Redis counts for a hash table's own header.
const DICT: usize = 56;
/// What Redis counts for a listpack's header and end byte.
const LISTPACK_OVERHEAD: usize = 7;
/// What Redis counts for an intset's header.
const INTSET_HEADER: usize = 8;

/// What Redis counts for a hash table of `len` entries: its header and
/// bucket array, and the average of the first `samples` entries' costs
/// (`entries`) times `len`.
fn table_size(len: usize, samples: usize, entries: impl Iterator<Item = usize>) -> usize {
    let (mut n, mut sum) = (0, 0);
    for cost in entries.take(samples) {
        n += 1;
        sum += cost;
    }
    let average = sum.checked_div(n).unwrap_or(0);
    DICT + 8 * len.next_power_of_two() + average * len
}

/// The bytes Redis spends on a value (collections' encodings as Clover
/// holds them: a listpack or intset by its buffer, a table by sampling).
fn value_size(v: &Value, samples: usize) -> usize {
    match v {
        Value::Str(s) => match v.encoding() {
            "int" => OBJECT_HEADER,
            "embstr" => alloc_size(OBJECT_HEADER + 3 + s.len() + 1),
            _ => OBJECT_HEADER + sds_size(s.len()),
        },
        Value::List(l) => {
            // Redis's quicklist: the object and list headers, then the
            // first nodes' average (descriptor and listpack) times the
            // number of nodes.
            const QUICKLIST: usize = 40;
            const QUICKLIST_NODE: usize = 40;
            let n = samples.min(l.nodes()).max(1);
            let sampled: usize = l.node_sizes().take(n).map(|lp| QUICKLIST_NODE + alloc_size(lp)).sum();
            OBJECT_HEADER + QUICKLIST + (sampled as f64 / n as f64 * l.nodes() as f64) as usize
        }
        Value::Hash(h) => {
            OBJECT_HEADER
                + match h {
                    Hash::Listpack(l) => alloc_size(
                        LISTPACK_OVERHEAD
                            + l.iter().map(|(f, v)| listpack::element(f) + listpack::element(v)).sum::<usize>(),
                    ),
                    Hash::Table(t) => table_size(
                        t.len(),
                        samples,
                        t.iter().map(|(f, v)| DICT_ENTRY + sds_size(f.len()) + sds_size(v.len())),
                    ),
                }
        }
        Value::Set(s) => {
            OBJECT_HEADER
                + match s {
                    Set::IntSet(i) => alloc_size(i.bytes() + INTSET_HEADER),
                    Set::Table(t) => {
                        table_size(t.len(), samples, t.iter().map(|(m, _)| DICT_ENTRY + sds_size(m.len())))
                    }
                }
        }
        Value::ZSet(z) => zset_size(z),
        Value::Stream(s) => stream_size(s, samples),
    }
}

/// Redis's accounting of a sorted set: its listpack's allocation, or the
/// skiplist's header, hash buckets, and per member its string, hash entry
/// and skiplist node (of the average level).
fn zset_size(z: &crate::shard::ZSet) -> usize {
    if z.packed_bytes().is_some() {
        let mut bytes = LISTPACK_OVERHEAD;
        for (m, s) in z.iter() {
            bytes += listpack::element(m);
            bytes += if s.fract() == 0.0 && s.abs() < 1e17 {
                listpack::int(s as i64)
            } else {
                listpack::string(crate::util::num::fmt_double(s).len())
            };
        }
        return OBJECT_HEADER + alloc_size(bytes);
    }
    const SKIPLIST_NODE: usize = 48;
    const SKIPLIST_HEADER: usize = 640;
    let slots = z.len().next_power_of_two().max(4);
    let members: usize = z.iter().map(|(m, _)| sds_size(m.len()) + DICT_ENTRY + SKIPLIST_NODE).sum();
    OBJECT_HEADER + 16 + 32 + 56 + 8 * slots + SKIPLIST_HEADER + members
}

/// What Redis counts for a stream: its header, the radix tree (by Redis's
/// formula), the listpacks' allocations (the first `samples` averaged for
/// all but the last), and the groups' PELs and consumers.
fn stream_size(s: &crate::shard::Stream, samples: usize) -> usize {
    use crate::shard::stream::rax_nodes;
    /// Redis's stream, consumer group, pending entry and consumer structs.
    const STREAM: usize = 80;
    const GROUP: usize = 40;
    const NACK: usize = 24;
    const CONSUMER: usize = 24;
    let rax = |keys: usize| keys * 16 + rax_nodes(keys) * (4 + 8 * 30);
    let log = &s.log;
    let nodes = log.node_count();
    let mut size = OBJECT_HEADER + STREAM + rax(nodes);
    let sampled: Vec<usize> = log.node_allocs().take(samples).map(alloc_size).collect();
    if nodes <= sampled.len() {
        size += sampled.iter().sum::<usize>();
    } else {
        let average = sampled.iter().sum::<usize>() / sampled.len().max(1);
        size += average * (nodes - 1) + log.node_allocs().next_back().map_or(0, alloc_size);
    }
    for g in s.groups.values() {
        size += GROUP + rax(g.pel.len()) + NACK * g.pel.len();
        size += g.consumers.iter().map(|(n, c)| CONSUMER + n.len() + rax(c.pel.len())).sum::<usize>();
    }
    size
}

/// The allocation of a Redis dynamic string of `len` bytes: the smallest
/// header that holds its length, the bytes, and a terminating zero.
fn sds_size(len: usize) -> usize {
    let header = match len {
        0..=31 => 1,
        32..=255 => 3,
        256..=65535 => 5,
        _ if len as u64 <= u32::MAX as u64 => 9,
        _ => 17,
    };
    alloc_size(header + len + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MEMORY USAGE of `key` holding `value`, as Redis 7.0 with jemalloc
    /// reports it.
    fn usage_of(key: &str, value: &str) -> usize {
        value_size(&Value::Str(value.into()), 5) + sds_size(key.len()) + DICT_ENTRY
    }

    #[test]
    fn stream_usage_matches_redis() {
        use crate::shard::stream::StreamId;
        let mut s = crate::shard::Stream::default();
        let usage = |s: &crate::shard::Stream| stream_size(s, 5) + sds_size(1) + DICT_ENTRY;
        for i in 1..=101u64 {
            let fields = [Bytes::from_static(b"item"), Bytes::from(i.to_string())];
            s.log.append(StreamId::new(i, 0), &fields, 100, 4096).unwrap();
            if i == 1 || i == 100 {
                assert_eq!(usage(&s), 4728, "one preallocated node ({i} entries)");
            }
        }
        assert_eq!(usage(&s), 6744, "a full node shrunk to fit and a new one");
    }

    #[test]
    fn usage_matches_redis() {
        assert_eq!(usage_of("foo", "bar"), 64);
        assert_eq!(usage_of("foo", "12345"), 48);
        assert_eq!(usage_of("foo", &"x".repeat(100)), 160);
        assert_eq!(usage_of(&"k".repeat(40), "1"), 88);
        assert_eq!(usage_of(&"k".repeat(300), "1"), 360);
        assert_eq!(usage_of("kk", &"v".repeat(44)), 96);
        assert_eq!(usage_of("kk", &"v".repeat(45)), 112);
        assert_eq!(usage_of("kk", &"v".repeat(5000)), 5168);
        assert_eq!(usage_of("kk", &"v".repeat(40000)), 41008);
        assert_eq!(usage_of("kk", "12345678901234567890"), 80);
    }

    #[test]
    fn doctor_on_a_small_instance() {
        let m = Memory { used: 6 << 20, active: 6 << 20, rss: 18 << 20, startup: 5 << 20, peak: 6 << 20 };
        let o = Overview { m, db_keys: vec![0; 16], clients: 0 };
        assert!(diagnose(&o).contains("too little to judge"));
        let m = Memory { used: 100 << 20, active: 100 << 20, rss: 300 << 20, startup: 1 << 20, peak: 200 << 20 };
        let report = diagnose(&Overview { m, db_keys: vec![1000], clients: 0 });
        assert!(report.contains("Peak") && report.contains("Fragmentation"));
    }
}
