//! SLOWLOG: the slow log of every core, merged newest first.

use super::help::help;
use crate::command::spec::{flags as f, CommandSpec, Exec, LocalFuture};
use crate::metrics::slowlog::SlowEntry;
use crate::resp::Reply;
use crate::server::client::Client;
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let sub = |name, arity, fl, h| CommandSpec::new(name, arity, fl, Exec::Server(h)).group("server");
    let admin = f::ADMIN | f::LOADING | f::STALE;
    vec![CommandSpec::new("slowlog", -2, 0, Exec::Container)
        .group("server")
        .doc("2.2.12", "A container for slow log commands", "Depends on subcommand.")
        .sub(vec![
            sub("slowlog|get", -2, admin, get)
                .doc("2.2.12", "Get the slow log's entries", "O(N) where N is the number of entries returned")
                .tips(&["request_policy:all_nodes", "nondeterministic_output"]),
            sub("slowlog|len", 2, admin, len).doc("2.2.12", "Get the slow log's length", "O(1)").tips(&[
                "request_policy:all_nodes",
                "response_policy:agg_sum",
                "nondeterministic_output",
            ]),
            sub("slowlog|reset", 2, admin, reset)
                .doc(
                    "2.2.12",
                    "Clear all entries from the slow log",
                    "O(N) where N is the number of entries in the slowlog",
                )
                .tips(&["request_policy:all_nodes", "response_policy:all_succeeded"]),
            sub("slowlog|help", 2, f::LOADING | f::STALE, slowlog_help).doc(
                "6.2.0",
                "Show helpful text about the different subcommands",
                "O(1)",
            ),
        ])]
}

fn get(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        if a.len() > 3 {
            return Reply::err("ERR unknown subcommand or wrong number of arguments for 'get'. Try SLOWLOG HELP.");
        }
        let max = c.shard.settings().slowlog_max_len;
        let count = match a.get(2).map(|n| crate::util::num::parse_i64(n)) {
            None => 10,
            Some(Some(-1)) => usize::MAX,
            Some(Some(n)) if n >= 0 => n as usize,
            Some(_) => return Reply::err("ERR count should be greater than or equal to -1"),
        };
        let per_shard = c
            .shard
            .run_on_all(move |s| s.slowlog.borrow().entries.iter().take(count).cloned().collect::<Vec<_>>())
            .await;
        let mut all: Vec<SlowEntry> = per_shard.into_iter().flatten().collect();
        all.sort_unstable_by_key(|e| std::cmp::Reverse(e.id));
        all.truncate(count.min(max));
        Reply::Array(all.into_iter().map(entry).collect())
    })
}

/// One entry: id, unix time, microseconds, arguments, client address and
/// name.
fn entry(e: SlowEntry) -> Reply {
    Reply::Array(vec![
        Reply::Int(e.id as i64),
        Reply::Int(e.time as i64),
        Reply::Int(e.micros as i64),
        Reply::Array(e.args.into_iter().map(Reply::Bulk).collect()),
        Reply::str(e.addr),
        Reply::str(e.name),
    ])
}

fn len(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let lens = c.shard.run_on_all(|s| s.slowlog.borrow().entries.len()).await;
        // Each core keeps up to slowlog-max-len entries; the node shows that many.
        let max = c.shard.settings().slowlog_max_len;
        Reply::Int(lens.into_iter().sum::<usize>().min(max) as i64)
    })
}

fn reset(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        c.shard.run_on_all(|s| s.slowlog.borrow_mut().entries.clear()).await;
        Reply::Ok
    })
}

fn slowlog_help(_c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        help(
            "SLOWLOG",
            &[
                "GET [<count>]",
                "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                "    Entries are made of:",
                "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                "    client name",
                "LEN",
                "    Return the length of the slowlog.",
                "RESET",
                "    Reset the slowlog.",
            ],
        )
    })
}
