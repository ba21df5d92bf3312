//! Server commands: DBSIZE, FLUSHDB/FLUSHALL, CONFIG, SHUTDOWN and the other
//! node-wide administration commands.

use super::help::help;
use super::util::*;
use crate::command::spec::{acl, flags as f, CommandSpec, Exec, LocalFuture};
use crate::persist::{self, status::Kind};
use crate::resp::Reply;
use crate::server::client::Client;
use crate::server::coordinator::on_all_atomically;
use crate::server::fdlimit;
use crate::server::listen::{self, Address};
use crate::server::settings::Settings;
use crate::server::shard::Shard;
use bytes::Bytes;
use std::rc::Rc;
use std::sync::atomic::Ordering;

/// Tips of commands a cluster client sends to every shard.
const ALL_SHARDS: &str = "request_policy:all_shards";
const FLUSH_TIPS: &[&str] = &[ALL_SHARDS, "response_policy:all_succeeded"];

pub fn commands() -> Vec<CommandSpec> {
    let s = |name, arity, fl, h| CommandSpec::new(name, arity, fl, Exec::Server(h)).group("server");
    let sub = |name, arity, fl, h| CommandSpec::new(name, arity, fl, Exec::Server(h)).group("server");
    vec![
        s("dbsize", 1, f::READONLY | f::FAST, dbsize)
            .acl(acl::KEYSPACE)
            .tips(&[ALL_SHARDS, "response_policy:agg_sum"])
            .doc("1.0.0", "Return the number of keys in the selected database", "O(1)"),
        s("flushdb", -1, f::WRITE, flushdb).acl(acl::KEYSPACE | acl::DANGEROUS).tips(FLUSH_TIPS).doc(
            "1.0.0",
            "Remove all keys from the current database",
            "O(N) where N is the number of keys in the selected database",
        ),
        s("flushall", -1, f::WRITE, flushall).acl(acl::KEYSPACE | acl::DANGEROUS).tips(FLUSH_TIPS).doc(
            "1.0.0",
            "Remove all keys from all databases",
            "O(N) where N is the total number of keys in all databases",
        ),
        s(
            "shutdown",
            -1,
            f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE | f::NO_MULTI | f::SENTINEL | f::ALLOW_BUSY,
            shutdown,
        )
        .doc(
            "1.0.0",
            "Synchronously save the dataset to disk and then shut down the server",
            "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
        ),
        CommandSpec::new("time", 1, f::LOADING | f::STALE | f::FAST, Exec::Client(time))
            .group("server")
            .tips(&["nondeterministic_output"])
            .doc("2.6.0", "Return the current server time", "O(1)"),
        s("save", 1, f::ADMIN | f::NOSCRIPT | f::NO_ASYNC_LOADING | f::NO_MULTI, save).doc(
            "1.0.0",
            "Synchronously save the dataset to disk",
            "O(N) where N is the total number of keys in all databases",
        ),
        s("bgrewriteaof", 1, f::ADMIN | f::NOSCRIPT | f::NO_ASYNC_LOADING, bgrewriteaof).doc(
            "1.0.0",
            "Asynchronously rewrite the append-only file",
            "O(1)",
        ),
        s("bgsave", -1, f::ADMIN | f::NOSCRIPT | f::NO_ASYNC_LOADING, bgsave).doc(
            "1.0.0",
            "Asynchronously save the dataset to disk",
            "O(1)",
        ),
        CommandSpec::new("lastsave", 1, f::LOADING | f::STALE | f::FAST, Exec::Client(lastsave))
            .group("server")
            .acl(acl::ADMIN | acl::DANGEROUS)
            .tips(&["nondeterministic_output"])
            .doc("1.0.0", "Get the UNIX time stamp of the last successful save to disk", "O(1)"),
        CommandSpec::new("role", 1, f::NOSCRIPT | f::LOADING | f::STALE | f::FAST, Exec::Client(role))
            .group("server")
            .acl(acl::ADMIN | acl::DANGEROUS)
            .doc("2.8.12", "Return the role of the instance in the context of replication", "O(1)"),
        CommandSpec::new("config", -2, 0, Exec::Container)
            .group("server")
            .doc("2.0.0", "A container for server configuration commands", "Depends on subcommand.")
            .sub(vec![
                // In the order Redis lists them.
                sub("config|rewrite", 2, f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE, config_rewrite).doc(
                    "2.8.0",
                    "Rewrite the configuration file with the in memory configuration",
                    "O(1)",
                ),
                sub("config|get", -3, f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE, config_get).doc(
                    "2.0.0",
                    "Get the values of configuration parameters",
                    "O(N) when N is the number of configuration parameters provided",
                ),
                CommandSpec::new("config|help", 2, f::LOADING | f::STALE, Exec::Client(config_help))
                    .group("server")
                    .doc("5.0.0", "Show helpful text about the different subcommands", "O(1)"),
                sub("config|set", -4, f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE, config_set)
                    .tips(&["request_policy:all_nodes", "response_policy:all_succeeded"])
                    .doc(
                        "2.0.0",
                        "Set configuration parameters to the given values",
                        "O(N) when N is the number of configuration parameters provided",
                    ),
                sub("config|resetstat", 2, f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE, config_resetstat).doc(
                    "2.0.0",
                    "Reset the stats returned by INFO",
                    "O(1)",
                ),
            ]),
    ]
}

fn time(_c: &mut Client, _a: &[Bytes]) -> Reply {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    Reply::Array(vec![Reply::str(now.as_secs().to_string()), Reply::str(now.subsec_micros().to_string())])
}

/// The last successful save (the start time before the first).
fn lastsave(c: &mut Client, _a: &[Bytes]) -> Reply {
    Reply::Int(c.shard.shared.persist.lastsave.load(Ordering::Relaxed) as i64)
}

fn save(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        if c.shard.shared.persist.running() == Some(Kind::Rdb) {
            return Reply::err("ERR Background save already in progress");
        }
        c.shard.shared.persist.saves.fetch_add(1, Ordering::Relaxed);
        match persist::save::save(&c.shard, false).await {
            Ok(_) => Reply::Ok,
            Err(persist::save::SaveError::InProgress) => Reply::err("ERR Background save already in progress"),
            Err(persist::save::SaveError::Failed) => Reply::err("ERR"),
        }
    })
}

fn bgrewriteaof(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move { crate::aof::rewrite::bgrewriteaof(&c.shard).await })
}

fn bgsave(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let schedule = match a.len() {
            1 => false,
            2 if is(&a[1], "schedule") => true,
            _ => return Reply::err(ERR_SYNTAX),
        };
        match persist::save::bgsave(&c.shard).await {
            Ok(()) => Reply::Status("Background saving started".into()),
            Err(Kind::Rdb) => Reply::err("ERR Background save already in progress"),
            Err(Kind::Aof) if schedule => {
                c.shard.shared.persist.scheduled.store(true, Ordering::Relaxed);
                Reply::Status("Background saving scheduled".into())
            }
            Err(Kind::Aof) => Reply::err(
                "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order \
                 to schedule a BGSAVE whenever possible.",
            ),
        }
    })
}

/// Validates a client name as CLIENT SETNAME does.
pub fn check_client_name(name: &[u8]) -> Result<(), Reply> {
    if name.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
        return Err(Reply::err("ERR Client names cannot contain spaces, newlines or special characters."));
    }
    Ok(())
}

fn dbsize(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let db = c.db;
        let counts = c.shard.run_on_all(move |s| s.ks.borrow().dbs[db].len()).await;
        Reply::Int(counts.into_iter().sum::<usize>() as i64)
    })
}

/// Parses the optional ASYNC/SYNC argument of FLUSHDB/FLUSHALL.
fn flush_mode(a: &[Bytes]) -> Result<(), Reply> {
    match a.len() {
        1 => Ok(()),
        2 if is(&a[1], "async") || is(&a[1], "sync") => Ok(()),
        _ => Err(Reply::err(ERR_SYNTAX)),
    }
}

fn flushdb(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        if let Err(e) = flush_mode(&a) {
            return e;
        }
        let db = c.db;
        let record = crate::server::propagate::barrier(c.shard.shared.next_tx_id(), c.shard.shared.shards, db, &a);
        on_all_atomically(&c.shard, move |s| {
            s.feed.barrier(&record);
            let mut ks = s.ks.borrow_mut();
            persist::cow::before_db(s, &ks, db);
            let n = ks.dbs[db].len() as u64;
            ks.dbs[db].clear();
            ks.dirty += n;
            s.blocking.borrow_mut().signal_all(Some(db));
        })
        .await;
        Reply::Ok
    })
}

fn flushall(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        if let Err(e) = flush_mode(&a) {
            return e;
        }
        // As Redis: a running BGSAVE is stopped, and with save points the
        // empty data set is saved at once.
        persist::save::kill_bgsave(&c.shard).await;
        let record = crate::server::propagate::barrier(c.shard.shared.next_tx_id(), c.shard.shared.shards, c.db, &a);
        on_all_atomically(&c.shard, move |s| {
            s.feed.barrier(&record);
            let mut ks = s.ks.borrow_mut();
            for n in 0..ks.dbs.len() {
                persist::cow::before_db(s, &ks, n);
            }
            let n = ks.keys() as u64;
            for db in &mut ks.dbs {
                db.clear();
            }
            ks.dirty += n;
            s.blocking.borrow_mut().signal_all(None);
        })
        .await;
        if c.shard.settings().save_points {
            let _ = persist::save::save(&c.shard, true).await;
        }
        Reply::Ok
    })
}

fn shutdown(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let mut flags = persist::shutdown::Flags::default();
        let mut abort = false;
        for w in &a[1..] {
            if is(w, "nosave") {
                flags.nosave = true;
            } else if is(w, "save") {
                flags.save = true;
            } else if is(w, "abort") {
                abort = true;
            } else if is(w, "now") {
                flags.now = true;
            } else if is(w, "force") {
                flags.force = true;
            } else {
                return Reply::err(ERR_SYNTAX);
            }
        }
        if (abort && flags != persist::shutdown::Flags::default()) || (flags.save && flags.nosave) {
            return Reply::err(ERR_SYNTAX);
        }
        if abort {
            // Only a signal's shutdown can be waiting (no replicas to catch
            // up): one DEBUG PAUSE-CRON holds back.
            return match persist::shutdown::abort(&c.shard) {
                true => Reply::Ok,
                false => Reply::err("ERR No shutdown in progress."),
            };
        }
        match persist::shutdown::shutdown(&c.shard, flags).await {
            Ok(()) => Reply::Ok,
            Err(()) => Reply::err("ERR Errors trying to SHUTDOWN. Check logs."),
        }
    })
}

/// A replica-less master: its role, replication offset and no replicas.
fn role(_c: &mut Client, _a: &[Bytes]) -> Reply {
    Reply::Array(vec![Reply::str("master"), Reply::Int(0), Reply::Array(Vec::new())])
}

fn config_help(_c: &mut Client, _a: &[Bytes]) -> Reply {
    help(
        "CONFIG",
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    )
}

fn config_get(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let patterns: Vec<Bytes> = a[2..].to_vec();
        let pairs = c
            .shard
            .on_control(move |ctl| {
                let p: Vec<&[u8]> = patterns.iter().map(|b| b.as_ref()).collect();
                ctl.config.borrow().config_get(&p)
            })
            .await;
        Reply::Map(pairs.into_iter().map(|(k, v)| (Reply::str(k), Reply::str(v))).collect())
    })
}

fn config_set(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        if !a.len().is_multiple_of(2) {
            return Reply::err(ERR_SYNTAX);
        }
        let local_client = c.meta.borrow().addr.starts_with("127.") || c.meta.borrow().addr.starts_with("[::1]");
        let args: Vec<Bytes> = a[2..].to_vec();
        let shards = c.shard.shared.shards;
        let result: Result<Change, String> = c
            .shard
            .on_control(move |ctl| {
                let pairs: Vec<(&[u8], &[u8])> = args.chunks(2).map(|p| (p[0].as_ref(), p[1].as_ref())).collect();
                let mut cfg = ctl.config.borrow_mut();
                let backup = cfg.clone();
                let ctx = crate::config::SetContext { local_client, loading: false };
                let changed = cfg.config_set_with(&pairs, ctx)?;
                if let Err(e) = apply_process_wide(&mut cfg, &changed, shards) {
                    *cfg = backup;
                    return Err(e);
                }
                Ok(Change::new(&changed, &cfg, backup))
            })
            .await;
        let change = match result {
            Ok(change) => change,
            Err(e) => return Reply::err(e),
        };
        if let Some(l) = change.listen {
            if let Err(e) = relisten(&c.shard, l.addrs, l.port_changed).await {
                crate::warning!("Warning: Could not create server TCP listening socket {e}");
                let backup = change.backup;
                c.shard.on_control(move |ctl| *ctl.config.borrow_mut() = backup).await;
                return Reply::err(crate::config::Config::set_failed_error(l.directive, l.failure));
            }
        }
        crate::server::log::set_level(crate::server::log::Level::parse(&change.loglevel));
        apply_settings(&c.shard, change.settings).await;
        crate::aof::reconfigure(&c.shard, change.aof).await;
        Reply::Ok
    })
}

/// Applies, on the control core, the changes that are the process's own
/// (file descriptor limit, working directory); the error is CONFIG SET's.
fn apply_process_wide(cfg: &mut crate::config::Config, changed: &[&str], shards: usize) -> Result<(), String> {
    let failed = |name, why: &str| Err(crate::config::Config::set_failed_error(name, why));
    if changed.contains(&"maxclients") {
        let fits = fdlimit::adjust(cfg.maxclients(), shards);
        if fits < cfg.maxclients() {
            let why =
                format!("The operating system is not able to handle the specified number of clients, try with {fits}");
            return failed("maxclients", &why);
        }
    }
    if changed.contains(&"dir") {
        // The process's working directory, as Redis's chdir.
        if let Err(e) = std::env::set_current_dir(cfg.dir()) {
            return failed("dir", &e.to_string());
        }
    }
    Ok(())
}

/// What a successful CONFIG SET changes at runtime.
struct Change {
    settings: Settings,
    aof: crate::aof::Options,
    loglevel: String,
    listen: Option<Listen>,
    /// The configuration before the change, to restore if applying fails.
    backup: crate::config::Config,
}

/// New listening addresses (CONFIG SET port / bind).
struct Listen {
    addrs: Vec<Address>,
    port_changed: bool,
    /// The directive and reason to blame if the addresses cannot be had.
    directive: &'static str,
    failure: &'static str,
}

impl Change {
    fn new(changed: &[&str], cfg: &crate::config::Config, backup: crate::config::Config) -> Change {
        let port_changed = changed.contains(&"port");
        let listen = (port_changed || changed.contains(&"bind")).then(|| Listen {
            addrs: listen::addresses(&cfg.bind(), cfg.port()),
            port_changed,
            directive: if port_changed { "port" } else { "bind" },
            failure: if port_changed {
                "Unable to listen on this port. Check server logs."
            } else {
                "Failed to bind to specified addresses."
            },
        });
        Change {
            settings: Settings::from_config(cfg),
            aof: crate::aof::Options::from_config(cfg),
            loglevel: cfg.loglevel(),
            listen,
            backup,
        }
    }
}

/// Moves every shard to new listening addresses: all bind first, and only
/// when all could do they switch; otherwise the old listeners stay.
async fn relisten(shard: &Rc<Shard>, addrs: Vec<Address>, probe: bool) -> Result<(), String> {
    if probe {
        if let Some(a) = listen::taken(&addrs) {
            return Err(format!("{a}: bind: Address already in use"));
        }
    }
    let prepared = shard.run_on_all(move |_| listen::prepare(&addrs)).await;
    if let Some(e) = prepared.into_iter().find_map(Result::err) {
        shard.run_on_all(|_| listen::abort()).await;
        return Err(e);
    }
    shard.run_on_all(listen::commit).await;
    Ok(())
}

/// Gives every shard the new settings.
pub async fn apply_settings(shard: &Rc<Shard>, settings: Settings) {
    shard
        .run_on_all(move |s| {
            *s.settings.borrow_mut() = Rc::new(settings.clone());
        })
        .await;
}

/// CONFIG RESETSTAT: zeroes INFO's counters (the slow log stays, as in
/// Redis).
fn config_resetstat(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        c.shard
            .run_on_all(|s| {
                s.stats.borrow_mut().reset();
                let mut ks = s.ks.borrow_mut();
                (ks.expired, ks.hits, ks.misses) = (0, 0, 0);
            })
            .await;
        let shared = &c.shard.shared;
        shared.total_connections.store(0, Ordering::Relaxed);
        shared.rejected_connections.store(0, Ordering::Relaxed);
        Reply::Ok
    })
}

fn config_rewrite(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        match c.shard.on_control(|ctl| ctl.config.borrow().rewrite()).await {
            Ok(()) => Reply::Ok,
            Err(e) => Reply::err(e),
        }
    })
}
