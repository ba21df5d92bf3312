//! INFO: the node's state in Redis 7.0's sections and field names, merged
//! from every shard's counters.

use super::memory::Overview;
use crate::command::spec::{acl, flags as f, CommandSpec, Exec, LocalFuture};
use crate::command::table;
use crate::metrics::memory::{self, human, Memory};
use crate::metrics::stats::Stats;
use crate::resp::Reply;
use crate::server::client::Client;
use crate::shard::Db;
use bytes::Bytes;
use std::fmt::Write;
use std::sync::atomic::Ordering;

pub fn commands() -> Vec<CommandSpec> {
    vec![CommandSpec::new("info", -1, f::LOADING | f::STALE | f::SENTINEL, Exec::Server(info))
        .group("server")
        .acl(acl::DANGEROUS)
        .tips(&["nondeterministic_output", "request_policy:all_shards", "response_policy:special"])
        .doc("1.0.0", "Get information and statistics about the server", "O(1)")]
}

/// Sections INFO prints with no argument (and for "default").
const DEFAULT: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "module_list",
    "errorstats",
    "cluster",
    "keyspace",
];
/// Every section, in the order Redis prints them, with its title.
const SECTIONS: &[(&str, &str)] = &[
    ("server", "Server"),
    ("clients", "Clients"),
    ("memory", "Memory"),
    ("persistence", "Persistence"),
    ("stats", "Stats"),
    ("replication", "Replication"),
    ("cpu", "CPU"),
    ("module_list", "Modules"),
    ("commandstats", "Commandstats"),
    ("errorstats", "Errorstats"),
    ("latencystats", "Latencystats"),
    ("cluster", "Cluster"),
    ("keyspace", "Keyspace"),
];

/// Volatile keys looked at per database to estimate avg_ttl.
const AVG_TTL_SAMPLES: u64 = 128;
/// Entries looked at per database at most for that estimate.
const AVG_TTL_SCAN: usize = 4096;

/// One database of one shard.
struct DbReport {
    keys: usize,
    volatile: usize,
    /// Sum and count of the sampled volatile keys' remaining ms.
    ttl_sum: u64,
    ttl_n: u64,
}

/// What one shard reports for INFO.
struct ShardReport {
    stats: Stats,
    dbs: Vec<DbReport>,
    dirty: u64,
    expired: u64,
    hits: u64,
    misses: u64,
    clients: usize,
    blocked: usize,
    /// Blocked clients with a timeout.
    timed: usize,
    /// Bytes of the clients' buffers, and the largest query buffer.
    client_memory: u64,
    max_qbuf: usize,
}

/// The configuration values INFO shows.
struct ConfigView {
    port: u16,
    maxmemory: u64,
    maxmemory_policy: String,
}

/// Everything the sections are rendered from.
struct Report {
    shards: Vec<ShardReport>,
    stats: Stats,
    config: ConfigView,
    memory: Memory,
}

impl Report {
    fn sum(&self, f: impl Fn(&ShardReport) -> u64) -> u64 {
        self.shards.iter().map(f).sum()
    }

    /// The memory overview of the reading and the keyspace.
    fn overview(&self) -> Overview {
        let ndb = self.shards.first().map_or(0, |s| s.dbs.len());
        Overview {
            m: self.memory,
            db_keys: (0..ndb).map(|db| self.sum(|s| s.dbs[db].keys as u64)).collect(),
            clients: self.sum(|s| s.client_memory),
        }
    }
}

fn info(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let wanted = sections(&a[1..]);
        let shards = c.shard.run_on_all(shard_report).await;
        let config = c
            .shard
            .on_control(|ctl| {
                let cfg = ctl.config.borrow();
                ConfigView { port: cfg.port(), maxmemory: cfg.maxmemory(), maxmemory_policy: cfg.maxmemory_policy() }
            })
            .await;
        let mut stats = Stats::default();
        for r in &shards {
            stats.merge(&r.stats);
        }
        let report = Report { shards, stats, config, memory: memory::read() };
        Reply::Verbatim(Bytes::from(render(c, &wanted, &report)))
    })
}

fn shard_report(s: &std::rc::Rc<crate::server::shard::Shard>) -> ShardReport {
    let ks = s.ks.borrow();
    let now = s.now();
    let clients = s.clients.borrow();
    let qbufs = clients.clients.values().map(|m| m.borrow().qbuf);
    ShardReport {
        stats: s.stats.borrow().clone(),
        dbs: ks.dbs.iter().map(|d| db_report(d, now)).collect(),
        dirty: ks.dirty,
        expired: ks.expired,
        hits: ks.hits,
        misses: ks.misses,
        clients: clients.clients.len(),
        blocked: clients.blocked,
        timed: clients.blocked_with_timeout,
        client_memory: clients.clients.values().map(|m| m.borrow().memory()).sum(),
        max_qbuf: qbufs.max().unwrap_or(0),
    }
}

/// Key counts of `db`, and a sample of its volatile keys' time to live
/// (Redis too estimates avg_ttl from the keys it samples).
fn db_report(db: &Db, now: u64) -> DbReport {
    let mut r = DbReport { keys: db.len(), volatile: db.volatile(), ttl_sum: 0, ttl_n: 0 };
    let mut scanned = 0;
    let mut slot = 0;
    while let Some(s) = db.next_volatile_slot(slot) {
        for (_, e) in db.slot_entries(s as u16) {
            scanned += 1;
            if e.expire > now {
                r.ttl_sum += e.expire - now;
                r.ttl_n += 1;
            }
            if r.ttl_n >= AVG_TTL_SAMPLES || scanned >= AVG_TTL_SCAN {
                return r;
            }
        }
        slot = s + 1;
    }
    r
}

/// The sections to print, in Redis's order, from INFO's arguments.
fn sections(args: &[Bytes]) -> Vec<&'static str> {
    if args.is_empty() {
        return DEFAULT.to_vec();
    }
    let mut out = Vec::new();
    for a in args {
        let a = String::from_utf8_lossy(a).to_ascii_lowercase();
        match a.as_str() {
            "default" => out.extend_from_slice(DEFAULT),
            "all" | "everything" => out.extend(SECTIONS.iter().map(|s| s.0)),
            "modules" => out.push("module_list"),
            other => out.extend(SECTIONS.iter().map(|s| s.0).filter(|s| *s == other)),
        }
    }
    SECTIONS.iter().map(|s| s.0).filter(|s| out.contains(s)).collect()
}

fn render(c: &Client, wanted: &[&str], r: &Report) -> String {
    let mut out = String::new();
    for (i, name) in wanted.iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        let title = SECTIONS.iter().find(|s| s.0 == *name).map_or("", |s| s.1);
        let _ = write!(out, "# {title}\r\n");
        let mut body = String::new();
        match *name {
            "server" => server(c, r, &mut body),
            "clients" => clients(c, r, &mut body),
            "memory" => memory_section(r, &mut body),
            "persistence" => persistence(c, r, &mut body),
            "stats" => stats_section(c, r, &mut body),
            "replication" => replication(c, &mut body),
            "cpu" => cpu(&mut body),
            "commandstats" => commandstats(&r.stats, &mut body),
            "errorstats" => {
                for (code, n) in &r.stats.errors {
                    let _ = writeln!(body, "errorstat_{code}:count={n}");
                }
            }
            "latencystats" => latencystats(c, &r.stats, &mut body),
            "cluster" => body.push_str("cluster_enabled:0\n"),
            "keyspace" => keyspace(r, &mut body),
            _ => {}
        }
        out.push_str(&body.replace('\n', "\r\n"));
    }
    out
}

fn server(c: &Client, r: &Report, o: &mut String) {
    let sh = &c.shard.shared;
    let uptime = sh.started.elapsed().as_secs();
    let now_us = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_micros();
    let hz = c.shard.settings.borrow().hz;
    let (sys, rel, machine) = uname();
    let _ = write!(
        o,
        "redis_version:7.0.15\nredis_git_sha1:00000000\nredis_git_dirty:0\nredis_build_id:0\nredis_mode:standalone\n\
         os:{sys} {rel} {machine}\narch_bits:64\nmonotonic_clock:X86 TSC with rdtsc\nmultiplexing_api:io_uring\n\
         atomicvar_api:c11-builtin\ngcc_version:0.0.0\nprocess_id:{}\nprocess_supervised:no\nrun_id:{}\ntcp_port:{}\n\
         server_time_usec:{now_us}\nuptime_in_seconds:{uptime}\nuptime_in_days:{}\nhz:{hz}\nconfigured_hz:{hz}\n\
         lru_clock:{}\nexecutable:{}\nconfig_file:{}\nio_threads_active:0\nclover_version:{}\nshards:{}\n",
        sh.pid,
        sh.run_id,
        r.config.port,
        uptime / 86400,
        crate::shard::expire::lru_clock() & ((1 << 24) - 1),
        sh.executable,
        sh.config_file,
        env!("CARGO_PKG_VERSION"),
        sh.shards,
    );
}

fn clients(c: &Client, r: &Report, o: &mut String) {
    let max_qbuf = r.shards.iter().map(|s| s.max_qbuf).max().unwrap_or(0);
    let _ = write!(
        o,
        "connected_clients:{}\ncluster_connections:0\nmaxclients:{}\nclient_recent_max_input_buffer:{max_qbuf}\n\
         client_recent_max_output_buffer:0\nblocked_clients:{}\ntracking_clients:0\nclients_in_timeout_table:{}\n",
        r.sum(|s| s.clients as u64),
        c.shard.settings.borrow().maxclients,
        r.sum(|s| s.blocked as u64),
        r.sum(|s| s.timed as u64),
    );
}

/// `a / b` as Redis prints ratios, with 0 for an empty divisor.
fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn memory_section(r: &Report, o: &mut String) {
    let view = r.overview();
    let m = &view.m;
    let signed = |a: u64, b: u64| a as i64 - b as i64;
    let _ = write!(
        o,
        "used_memory:{used}\nused_memory_human:{}\nused_memory_rss:{rss}\nused_memory_rss_human:{}\n\
         used_memory_peak:{peak}\nused_memory_peak_human:{}\nused_memory_peak_perc:{:.2}%\n\
         used_memory_overhead:{}\nused_memory_startup:{}\nused_memory_dataset:{}\n\
         used_memory_dataset_perc:{:.2}%\nallocator_allocated:{used}\nallocator_active:{active}\n\
         allocator_resident:{rss}\ntotal_system_memory:{total}\ntotal_system_memory_human:{}\n\
         used_memory_lua:0\nused_memory_vm_eval:0\nused_memory_lua_human:0B\nused_memory_scripts_eval:0\n\
         number_of_cached_scripts:0\nnumber_of_functions:0\nnumber_of_libraries:0\nused_memory_vm_functions:0\n\
         used_memory_vm_total:0\nused_memory_vm_total_human:0B\nused_memory_functions:0\nused_memory_scripts:0\n\
         used_memory_scripts_human:0B\nmaxmemory:{maxmemory}\nmaxmemory_human:{}\nmaxmemory_policy:{}\n\
         allocator_frag_ratio:{:.2}\nallocator_frag_bytes:{}\nallocator_rss_ratio:{:.2}\nallocator_rss_bytes:{}\n\
         rss_overhead_ratio:1.00\nrss_overhead_bytes:0\nmem_fragmentation_ratio:{:.2}\nmem_fragmentation_bytes:{}\n\
         mem_not_counted_for_evict:0\nmem_replication_backlog:0\nmem_total_replication_buffers:0\n\
         mem_clients_slaves:0\nmem_clients_normal:{}\nmem_cluster_links:0\nmem_aof_buffer:0\n\
         mem_allocator:libc\nactive_defrag_running:0\nlazyfree_pending_objects:0\nlazyfreed_objects:0\n",
        human(m.used),
        human(m.rss),
        human(m.peak),
        view.peak_perc(),
        view.overhead(),
        m.startup,
        view.dataset(),
        view.dataset_perc(),
        human(memory::total_system_memory()),
        human(r.config.maxmemory),
        r.config.maxmemory_policy,
        ratio(m.active, m.used),
        signed(m.active, m.used),
        ratio(m.rss, m.active),
        signed(m.rss, m.active),
        ratio(m.rss, m.used),
        signed(m.rss, m.used),
        view.clients,
        used = m.used,
        rss = m.rss,
        peak = m.peak,
        active = m.active,
        total = memory::total_system_memory(),
        maxmemory = r.config.maxmemory,
    );
}

fn persistence(c: &Client, r: &Report, o: &mut String) {
    use crate::persist::status::Kind;
    use std::sync::atomic::Ordering::Relaxed;
    let p = &c.shard.shared.persist;
    let bgsave = p.running() == Some(Kind::Rdb);
    let current_secs = if bgsave {
        (crate::shard::expire::now_ms().saturating_sub(p.current_start_ms.load(Relaxed)) / 1000) as i64
    } else {
        -1
    };
    let total = p.current_total.load(Relaxed);
    let fork_perc = if total > 0 { p.current_keys.load(Relaxed) as f64 * 100.0 / total as f64 } else { 0.0 };
    let _ = write!(
        o,
        "loading:{}\nasync_loading:0\ncurrent_cow_peak:{}\ncurrent_cow_size:{}\ncurrent_cow_size_age:0\n\
         current_fork_perc:{:.2}\ncurrent_save_keys_processed:{}\ncurrent_save_keys_total:{}\n\
         rdb_changes_since_last_save:{}\nrdb_bgsave_in_progress:{}\nrdb_last_save_time:{}\n\
         rdb_last_bgsave_status:{}\nrdb_last_bgsave_time_sec:{}\nrdb_current_bgsave_time_sec:{}\nrdb_saves:{}\n\
         rdb_last_cow_size:{}\nrdb_last_load_keys_expired:{}\nrdb_last_load_keys_loaded:{}\n{}\
         module_fork_in_progress:0\nmodule_fork_last_cow_size:0\n{}",
        p.loading.load(Relaxed) as u8,
        p.current_cow_peak.load(Relaxed),
        p.current_cow.load(Relaxed),
        fork_perc,
        p.current_keys.load(Relaxed),
        total,
        r.sum(|s| s.dirty),
        bgsave as u8,
        p.lastsave.load(Relaxed),
        if p.bgsave_failed() { "err" } else { "ok" },
        p.last_bgsave_secs.load(Relaxed),
        current_secs,
        p.saves.load(Relaxed),
        p.last_cow.load(Relaxed),
        p.loaded_expired.load(Relaxed),
        p.loaded_keys.load(Relaxed),
        crate::aof::info_fields(p.running() == Some(Kind::Aof)),
        crate::aof::info_sizes()
    );
}

fn stats_section(c: &Client, r: &Report, o: &mut String) {
    let sh = &c.shard.shared;
    let s = &r.stats;
    let kbps = |bytes_per_sec: u64| bytes_per_sec as f64 / 1024.0;
    let _ = write!(
        o,
        "total_connections_received:{}\ntotal_commands_processed:{}\ninstantaneous_ops_per_sec:{}\n\
         total_net_input_bytes:{}\ntotal_net_output_bytes:{}\ntotal_net_repl_input_bytes:0\n\
         total_net_repl_output_bytes:0\ninstantaneous_input_kbps:{:.2}\ninstantaneous_output_kbps:{:.2}\n\
         instantaneous_input_repl_kbps:0.00\ninstantaneous_output_repl_kbps:0.00\nrejected_connections:{}\n\
         sync_full:0\nsync_partial_ok:0\nsync_partial_err:0\nexpired_keys:{}\nexpired_stale_perc:0.00\n\
         expired_time_cap_reached_count:0\nexpire_cycle_cpu_milliseconds:0\nevicted_keys:0\nevicted_clients:0\n\
         total_eviction_exceeded_time:0\ncurrent_eviction_exceeded_time:0\nkeyspace_hits:{}\n\
         keyspace_misses:{}\npubsub_channels:0\npubsub_patterns:0\npubsubshard_channels:0\nlatest_fork_usec:0\n\
         total_forks:0\nmigrate_cached_sockets:0\nslave_expires_tracked_keys:0\nactive_defrag_hits:0\n\
         active_defrag_misses:0\nactive_defrag_key_hits:0\nactive_defrag_key_misses:0\ntotal_active_defrag_time:0\n\
         current_active_defrag_time:0\ntracking_total_keys:0\ntracking_total_items:0\ntracking_total_prefixes:0\n\
         unexpected_error_replies:{}\ntotal_error_replies:{}\ndump_payload_sanitizations:0\n\
         total_reads_processed:{}\ntotal_writes_processed:{}\nio_threaded_reads_processed:0\n\
         io_threaded_writes_processed:0\nreply_buffer_shrinks:0\nreply_buffer_expands:0\n",
        sh.total_connections.load(Ordering::Relaxed),
        s.total_commands,
        s.rates.ops.per_sec(),
        s.net_input_bytes,
        s.net_output_bytes,
        kbps(s.rates.net_input.per_sec()),
        kbps(s.rates.net_output.per_sec()),
        sh.rejected_connections.load(Ordering::Relaxed),
        r.sum(|s| s.expired),
        r.sum(|s| s.hits),
        r.sum(|s| s.misses),
        s.unexpected_error_replies,
        s.total_error_replies,
        s.reads_processed,
        s.writes_processed,
    );
}

fn replication(c: &Client, o: &mut String) {
    let _ = write!(
        o,
        "role:master\nconnected_slaves:0\nmaster_failover_state:no-failover\nmaster_replid:{}\n\
         master_replid2:0000000000000000000000000000000000000000\nmaster_repl_offset:0\nsecond_repl_offset:-1\n\
         repl_backlog_active:0\nrepl_backlog_size:1048576\nrepl_backlog_first_byte_offset:0\nrepl_backlog_histlen:0\n",
        c.shard.shared.run_id
    );
}

fn cpu(o: &mut String) {
    let (user, sys) = rusage(libc::RUSAGE_SELF);
    let (tuser, tsys) = rusage(libc::RUSAGE_THREAD);
    let _ = write!(
        o,
        "used_cpu_sys:{sys:.6}\nused_cpu_user:{user:.6}\nused_cpu_sys_children:0.000000\n\
         used_cpu_user_children:0.000000\nused_cpu_sys_main_thread:{tsys:.6}\nused_cpu_user_main_thread:{tuser:.6}\n"
    );
}

/// (user, system) CPU seconds.
fn rusage(who: libc::c_int) -> (f64, f64) {
    // SAFETY: getrusage fills the struct we own.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(who, &mut ru) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    (t(ru.ru_utime), t(ru.ru_stime))
}

fn keyspace(r: &Report, o: &mut String) {
    let ndb = r.shards.first().map_or(0, |s| s.dbs.len());
    for db in 0..ndb {
        let keys = r.sum(|s| s.dbs[db].keys as u64);
        if keys == 0 {
            continue;
        }
        let expires = r.sum(|s| s.dbs[db].volatile as u64);
        let sampled = r.sum(|s| s.dbs[db].ttl_n);
        let avg_ttl = r.sum(|s| s.dbs[db].ttl_sum).checked_div(sampled).unwrap_or(0);
        let _ = writeln!(o, "db{db}:keys={keys},expires={expires},avg_ttl={avg_ttl}");
    }
}

fn commandstats(s: &Stats, o: &mut String) {
    for cmd in table().all() {
        let Some(st) = s.cmds.get(cmd.id) else { continue };
        if st.calls == 0 && st.rejected == 0 && st.failed == 0 {
            continue;
        }
        let per = ratio(st.usec, st.calls);
        let _ = writeln!(
            o,
            "cmdstat_{}:calls={},usec={},usec_per_call={per:.2},rejected_calls={},failed_calls={}",
            cmd.name, st.calls, st.usec, st.rejected, st.failed
        );
    }
}

fn latencystats(c: &Client, s: &Stats, o: &mut String) {
    let percentiles = c.shard.settings.borrow().latency_tracking_info_percentiles.clone();
    for cmd in table().all() {
        let Some(h) = s.cmds.get(cmd.id).and_then(|st| st.hist.as_ref()) else { continue };
        let parts: Vec<String> = percentiles
            .iter()
            .map(|p| format!("p{}={:.3}", percentile_name(*p), h.value_at_percentile(*p) as f64 / 1000.0))
            .collect();
        let _ = writeln!(o, "latency_percentiles_usec_{}:{}", cmd.name, parts.join(","));
    }
}

/// A percentile as Redis names it: "%f" without trailing zeros ("99.9").
fn percentile_name(p: f64) -> String {
    let s = format!("{p:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// (sysname, release, machine) from uname(2).
fn uname() -> (String, String, String) {
    // SAFETY: uname fills the struct we own.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    unsafe { libc::uname(&mut u) };
    let s = |f: &[libc::c_char]| {
        let bytes: Vec<u8> = f.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    (s(&u.sysname), s(&u.release), s(&u.machine))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(args: &[&str]) -> Vec<&'static str> {
        sections(&args.iter().map(|a| Bytes::copy_from_slice(a.as_bytes())).collect::<Vec<_>>())
    }

    #[test]
    fn section_arguments() {
        assert_eq!(names(&[]), DEFAULT);
        assert_eq!(names(&["default"]), DEFAULT);
        assert_eq!(names(&["all"]).len(), SECTIONS.len());
        assert_eq!(names(&["everything", "foo"]).len(), SECTIONS.len());
        assert_eq!(names(&["CPU", "server"]), ["server", "cpu"]);
        assert_eq!(names(&["modules"]), ["module_list"]);
        assert!(names(&["foo"]).is_empty());
        let mut with_stats = names(&["commandstats", "default"]);
        with_stats.retain(|s| *s != "commandstats");
        assert_eq!(with_stats, DEFAULT);
    }

    #[test]
    fn percentile_names() {
        assert_eq!(percentile_name(50.0), "50");
        assert_eq!(percentile_name(99.9), "99.9");
        assert_eq!(percentile_name(0.0), "0");
        assert_eq!(percentile_name(0.1 + 0.2), "0.3");
    }
}
