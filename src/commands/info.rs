//! INFO: the node's state in Redis 7.0's sections and field names, merged
//! from every shard's counters.

use crate::command::spec::{flags as f, CommandSpec, Exec, LocalFuture};
use crate::command::table;
use crate::metrics::stats::Stats;
use crate::resp::Reply;
use crate::server::client::Client;
use bytes::Bytes;
use std::fmt::Write;
use std::sync::atomic::Ordering;

pub fn commands() -> Vec<CommandSpec> {
    vec![CommandSpec::new("info", -1, f::LOADING | f::STALE | f::SENTINEL, Exec::Server(info))
        .group("server")
        .tips(&["nondeterministic_output"])
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
/// Every section, in the order Redis prints them.
const ORDER: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "module_list",
    "commandstats",
    "errorstats",
    "latencystats",
    "cluster",
    "keyspace",
];

/// What the shards report for INFO.
struct ShardReport {
    stats: Stats,
    /// (keys, volatile keys) per database.
    dbs: Vec<(usize, usize)>,
    dirty: u64,
    expired: u64,
    hits: u64,
    misses: u64,
    clients: usize,
    blocked: usize,
}

fn info(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let wanted = sections(&a[1..]);
        let reports = c
            .shard
            .run_on_all(|s| {
                let ks = s.ks.borrow();
                ShardReport {
                    stats: s.stats.borrow().clone(),
                    dbs: ks.dbs.iter().map(|d| (d.len(), d.volatile())).collect(),
                    dirty: ks.dirty,
                    expired: ks.expired,
                    hits: ks.hits,
                    misses: ks.misses,
                    clients: s.clients.borrow().clients.len(),
                    blocked: s.clients.borrow().blocked,
                }
            })
            .await;
        let mut merged = Stats::default();
        for r in &reports {
            merged.merge(&r.stats);
        }
        let text = render(c, &wanted, &reports, &merged);
        Reply::Verbatim(Bytes::from(text))
    })
}

/// The sections to print, in Redis's order, from INFO's arguments.
fn sections(args: &[Bytes]) -> Vec<&'static str> {
    let order = ORDER;
    if args.is_empty() {
        return DEFAULT.to_vec();
    }
    let mut out = Vec::new();
    for a in args {
        let a = String::from_utf8_lossy(a).to_ascii_lowercase();
        match a.as_str() {
            "default" => out.extend_from_slice(DEFAULT),
            "all" => out.extend(order.iter().filter(|s| **s != "module_list")),
            "everything" => out.extend(order.iter()),
            "modules" => out.push("module_list"),
            other => {
                if let Some(s) = order.iter().find(|s| **s == other) {
                    out.push(s);
                }
            }
        }
    }
    order.iter().copied().filter(|s| out.contains(s)).collect()
}

fn title(s: &str) -> &'static str {
    match s {
        "server" => "Server",
        "clients" => "Clients",
        "memory" => "Memory",
        "persistence" => "Persistence",
        "stats" => "Stats",
        "replication" => "Replication",
        "cpu" => "CPU",
        "module_list" => "Modules",
        "errorstats" => "Errorstats",
        "cluster" => "Cluster",
        "keyspace" => "Keyspace",
        "commandstats" => "Commandstats",
        _ => "Latencystats",
    }
}

fn render(c: &Client, wanted: &[&str], reports: &[ShardReport], stats: &Stats) -> String {
    let mut out = String::new();
    for (i, s) in wanted.iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        let _ = write!(out, "# {}\r\n", title(s));
        let mut body = String::new();
        match *s {
            "server" => server(c, &mut body),
            "clients" => clients(c, reports, &mut body),
            "memory" => memory(c, &mut body),
            "persistence" => persistence(c, reports, &mut body),
            "stats" => stats_section(c, reports, stats, &mut body),
            "replication" => replication(c, &mut body),
            "cpu" => cpu(&mut body),
            "errorstats" => {
                for (code, n) in &stats.errors {
                    let _ = writeln!(body, "errorstat_{code}:count={n}");
                }
            }
            "cluster" => body.push_str("cluster_enabled:0\n"),
            "keyspace" => keyspace(reports, &mut body),
            "commandstats" => commandstats(stats, &mut body),
            "latencystats" => latencystats(c, stats, &mut body),
            _ => {}
        }
        out.push_str(&body.replace('\n', "\r\n"));
    }
    out
}

fn server(c: &Client, o: &mut String) {
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
        sh.port,
        uptime / 86400,
        crate::shard::expire::lru_clock() & ((1 << 24) - 1),
        sh.executable,
        sh.config_file,
        env!("CARGO_PKG_VERSION"),
        sh.shards,
    );
}

fn clients(c: &Client, reports: &[ShardReport], o: &mut String) {
    let connected: usize = reports.iter().map(|r| r.clients).sum();
    let blocked: usize = reports.iter().map(|r| r.blocked).sum();
    let _ = write!(
        o,
        "connected_clients:{connected}\ncluster_connections:0\nmaxclients:{}\nclient_recent_max_input_buffer:0\n\
         client_recent_max_output_buffer:0\nblocked_clients:{blocked}\ntracking_clients:0\nclients_in_timeout_table:0\n",
        c.shard.settings.borrow().maxclients
    );
}

/// Bytes as Redis's bytesToHuman prints them.
fn human(n: u64) -> String {
    let n = n as f64;
    const K: f64 = 1024.0;
    if n < K {
        format!("{}B", n as u64)
    } else if n < K * K {
        format!("{:.2}K", n / K)
    } else if n < K * K * K {
        format!("{:.2}M", n / (K * K))
    } else if n < K * K * K * K {
        format!("{:.2}G", n / (K * K * K))
    } else {
        format!("{:.2}T", n / (K * K * K * K))
    }
}

/// Resident set size of the process, in bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    pages * unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(1) as u64
}

fn total_memory() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let (pages, size) = unsafe { (libc::sysconf(libc::_SC_PHYS_PAGES), libc::sysconf(libc::_SC_PAGESIZE)) };
    (pages.max(0) as u64) * (size.max(0) as u64)
}

fn memory(_c: &Client, o: &mut String) {
    let used = rss();
    let total = total_memory();
    let _ = write!(
        o,
        "used_memory:{used}\nused_memory_human:{}\nused_memory_rss:{used}\nused_memory_rss_human:{}\n\
         used_memory_peak:{used}\nused_memory_peak_human:{}\nused_memory_peak_perc:100.00%\nused_memory_overhead:0\n\
         used_memory_startup:0\nused_memory_dataset:{used}\nused_memory_dataset_perc:100.00%\nallocator_allocated:{used}\n\
         allocator_active:{used}\nallocator_resident:{used}\ntotal_system_memory:{total}\ntotal_system_memory_human:{}\n\
         used_memory_lua:0\nused_memory_vm_eval:0\nused_memory_lua_human:0B\nused_memory_scripts_eval:0\n\
         number_of_cached_scripts:0\nnumber_of_functions:0\nnumber_of_libraries:0\nused_memory_vm_functions:0\n\
         used_memory_vm_total:0\nused_memory_vm_total_human:0B\nused_memory_functions:0\nused_memory_scripts:0\n\
         used_memory_scripts_human:0B\nmaxmemory:0\nmaxmemory_human:0B\nmaxmemory_policy:noeviction\n\
         allocator_frag_ratio:1.00\nallocator_frag_bytes:0\nallocator_rss_ratio:1.00\nallocator_rss_bytes:0\n\
         rss_overhead_ratio:1.00\nrss_overhead_bytes:0\nmem_fragmentation_ratio:1.00\nmem_fragmentation_bytes:0\n\
         mem_not_counted_for_evict:0\nmem_replication_backlog:0\nmem_total_replication_buffers:0\nmem_clients_slaves:0\n\
         mem_clients_normal:0\nmem_cluster_links:0\nmem_aof_buffer:0\nmem_allocator:libc\nactive_defrag_running:0\n\
         lazyfree_pending_objects:0\nlazyfreed_objects:0\n",
        human(used),
        human(used),
        human(used),
        human(total),
    );
}

fn persistence(c: &Client, reports: &[ShardReport], o: &mut String) {
    let dirty: u64 = reports.iter().map(|r| r.dirty).sum();
    let _ = write!(
        o,
        "loading:0\nasync_loading:0\ncurrent_cow_peak:0\ncurrent_cow_size:0\ncurrent_cow_size_age:0\n\
         current_fork_perc:0.00\ncurrent_save_keys_processed:0\ncurrent_save_keys_total:0\n\
         rdb_changes_since_last_save:{dirty}\nrdb_bgsave_in_progress:0\nrdb_last_save_time:{}\n\
         rdb_last_bgsave_status:ok\nrdb_last_bgsave_time_sec:-1\nrdb_current_bgsave_time_sec:-1\nrdb_saves:0\n\
         rdb_last_cow_size:0\nrdb_last_load_keys_expired:0\nrdb_last_load_keys_loaded:0\naof_enabled:0\n\
         aof_rewrite_in_progress:0\naof_rewrite_scheduled:0\naof_last_rewrite_time_sec:-1\n\
         aof_current_rewrite_time_sec:-1\naof_last_bgrewrite_status:ok\naof_rewrites:0\n\
         aof_rewrites_consecutive_failures:0\naof_last_write_status:ok\naof_last_cow_size:0\n\
         module_fork_in_progress:0\nmodule_fork_last_cow_size:0\n",
        c.shard.shared.started_unix
    );
}

fn stats_section(c: &Client, reports: &[ShardReport], s: &Stats, o: &mut String) {
    let sh = &c.shard.shared;
    let expired: u64 = reports.iter().map(|r| r.expired).sum();
    let hits: u64 = reports.iter().map(|r| r.hits).sum();
    let misses: u64 = reports.iter().map(|r| r.misses).sum();
    let _ = write!(
        o,
        "total_connections_received:{}\ntotal_commands_processed:{}\ninstantaneous_ops_per_sec:0\n\
         total_net_input_bytes:{}\ntotal_net_output_bytes:{}\ntotal_net_repl_input_bytes:0\n\
         total_net_repl_output_bytes:0\ninstantaneous_input_kbps:0.00\ninstantaneous_output_kbps:0.00\n\
         instantaneous_input_repl_kbps:0.00\ninstantaneous_output_repl_kbps:0.00\nrejected_connections:{}\n\
         sync_full:0\nsync_partial_ok:0\nsync_partial_err:0\nexpired_keys:{expired}\nexpired_stale_perc:0.00\n\
         expired_time_cap_reached_count:0\nexpire_cycle_cpu_milliseconds:0\nevicted_keys:0\nevicted_clients:0\n\
         total_eviction_exceeded_time:0\ncurrent_eviction_exceeded_time:0\nkeyspace_hits:{hits}\n\
         keyspace_misses:{misses}\npubsub_channels:0\npubsub_patterns:0\npubsubshard_channels:0\nlatest_fork_usec:0\n\
         total_forks:0\nmigrate_cached_sockets:0\nslave_expires_tracked_keys:0\nactive_defrag_hits:0\n\
         active_defrag_misses:0\nactive_defrag_key_hits:0\nactive_defrag_key_misses:0\ntotal_active_defrag_time:0\n\
         current_active_defrag_time:0\ntracking_total_keys:0\ntracking_total_items:0\ntracking_total_prefixes:0\n\
         unexpected_error_replies:{}\ntotal_error_replies:{}\ndump_payload_sanitizations:0\n\
         total_reads_processed:0\ntotal_writes_processed:0\nio_threaded_reads_processed:0\n\
         io_threaded_writes_processed:0\nreply_buffer_shrinks:0\nreply_buffer_expands:0\n",
        sh.total_connections.load(Ordering::Relaxed),
        s.total_commands,
        s.net_input_bytes,
        s.net_output_bytes,
        sh.rejected_connections.load(Ordering::Relaxed),
        s.unexpected_error_replies,
        s.total_error_replies,
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

fn keyspace(reports: &[ShardReport], o: &mut String) {
    let ndb = reports.first().map_or(0, |r| r.dbs.len());
    for db in 0..ndb {
        let keys: usize = reports.iter().map(|r| r.dbs[db].0).sum();
        let expires: usize = reports.iter().map(|r| r.dbs[db].1).sum();
        if keys > 0 {
            let _ = writeln!(o, "db{db}:keys={keys},expires={expires},avg_ttl=0");
        }
    }
}

fn commandstats(s: &Stats, o: &mut String) {
    for cmd in table().all() {
        let Some(st) = s.cmds.get(cmd.id) else { continue };
        if st.calls == 0 && st.rejected == 0 && st.failed == 0 {
            continue;
        }
        let per = if st.calls > 0 { st.usec as f64 / st.calls as f64 } else { 0.0 };
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
        let parts: Vec<String> =
            percentiles.iter().map(|p| format!("p{p}={:.3}", h.value_at_percentile(*p) as f64 / 1000.0)).collect();
        let _ = writeln!(o, "latency_percentiles_usec_{}:{}", cmd.name, parts.join(","));
    }
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
