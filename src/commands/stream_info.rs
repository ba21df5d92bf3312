//! XINFO: STREAM (with FULL [COUNT]), GROUPS, CONSUMERS and HELP, as maps
//! (flat arrays in RESP2).

use super::help::help;
use super::stream_groups::{no_such_group, subcommand_error};
use super::streams::*;
use super::util::*;
use crate::command::spec::{acl, flags as f, ks, CommandSpec, Exec, ShardFn};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::server::client::Client;
use crate::shard::stream::{rax_nodes, Group, Log, StreamId};
use crate::shard::Stream;
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let sub = |name, arity, h: ShardFn| {
        CommandSpec::new(name, arity, f::READONLY, Exec::Shard(h))
            .group("stream")
            .acl(acl::STREAM)
            .keys(vec![ks::at(2, &["RO", "ACCESS"])])
    };
    vec![CommandSpec::new("xinfo", -2, 0, Exec::Container)
        .group("stream")
        .doc("5.0.0", "A container for stream introspection commands", "Depends on subcommand.")
        .sub(vec![
            sub("xinfo|stream", -3, xinfo_stream).doc("5.0.0", "Get information about a stream", "O(1)"),
            CommandSpec::new("xinfo|help", 2, f::LOADING | f::STALE, Exec::Client(xinfo_help))
                .group("stream")
                .acl(acl::STREAM)
                .doc("5.0.0", "Show helpful text about the different subcommands", "O(1)"),
            sub("xinfo|groups", 3, xinfo_groups).doc("5.0.0", "List the consumer groups of a stream", "O(1)"),
            sub("xinfo|consumers", 4, xinfo_consumers).tips(&["nondeterministic_output"]).doc(
                "5.0.0",
                "List the consumers in a consumer group",
                "O(1)",
            ),
        ])]
}

fn xinfo_help(_c: &mut Client, _a: &[Bytes]) -> Reply {
    help(
        "XINFO",
        &[
            "CONSUMERS <key> <groupname>",
            "    Show consumers of <groupname>.",
            "GROUPS <key>",
            "    Show the stream consumer groups.",
            "STREAM <key> [FULL [COUNT <count>]",
            "    Show information about the stream.",
        ],
    )
}

fn kv(k: &'static str, v: Reply) -> (Reply, Reply) {
    (Reply::Bulk(Bytes::from_static(k.as_bytes())), v)
}

/// The stream at `a[2]`, or "no such key".
fn stream_at<'a>(c: &'a mut ExecCtx, a: &[Bytes]) -> Result<&'a mut Stream, Reply> {
    read_stream(c, &a[2])?.ok_or_else(|| Reply::err(ERR_NO_KEY))
}

fn opt_int(v: Option<u64>) -> Reply {
    v.map_or(Reply::Nil, |n| Reply::Int(n as i64))
}

/// What every XINFO STREAM form starts with.
fn stream_header(log: &Log) -> Vec<(Reply, Reply)> {
    vec![
        kv("length", Reply::Int(log.length as i64)),
        kv("radix-tree-keys", Reply::Int(log.node_count() as i64)),
        kv("radix-tree-nodes", Reply::Int(rax_nodes(log.node_count()) as i64)),
        kv("last-generated-id", id_reply(log.last_id)),
        kv("max-deleted-entry-id", id_reply(log.max_deleted_entry_id)),
        kv("entries-added", Reply::Int(log.entries_added as i64)),
        kv("recorded-first-entry-id", id_reply(log.first_id)),
    ]
}

fn xinfo_stream(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let s = stream_at(c, a)?;
        let opts = &a[3..];
        let full = !opts.is_empty();
        let mut count: u64 = 10;
        if full {
            if (opts.len() != 1 && opts.len() != 3)
                || !is(&opts[0], "full")
                || (opts.len() == 3 && !is(&opts[1], "count"))
            {
                return Err(subcommand_error(a));
            }
            if opts.len() == 3 {
                let n = int_arg(&opts[2])?;
                count = if n < 0 { 10 } else { n as u64 };
            }
        }
        let log = &s.log;
        let mut out = stream_header(log);
        if !full {
            let edge = |rev| {
                log.range(StreamId::MIN, StreamId::MAX, rev).next().map_or(Reply::Nil, |(id, f)| entry_reply(id, f))
            };
            out.push(kv("groups", Reply::Int(s.groups.len() as i64)));
            out.push(kv("first-entry", edge(false)));
            out.push(kv("last-entry", edge(true)));
            return Ok(Reply::Map(out));
        }
        let limit = if count == 0 { usize::MAX } else { usize::try_from(count).unwrap_or(usize::MAX) };
        let entries =
            log.range(StreamId::MIN, StreamId::MAX, false).take(limit).map(|(id, f)| entry_reply(id, f)).collect();
        out.push(kv("entries", Reply::Array(entries)));
        let groups = s.groups.iter().map(|(name, g)| Reply::Map(full_group(log, name, g, limit))).collect();
        out.push(kv("groups", Reply::Array(groups)));
        Ok(Reply::Map(out))
    })())
}

/// A group as XINFO STREAM FULL shows it, with at most `limit` pending
/// entries per list.
fn full_group(log: &Log, name: &Bytes, g: &Group, limit: usize) -> Vec<(Reply, Reply)> {
    let pending = g
        .pel
        .iter()
        .take(limit)
        .map(|(id, n)| {
            Reply::Array(vec![
                id_reply(*id),
                Reply::Bulk(n.consumer.clone()),
                Reply::Int(n.delivery_time as i64),
                Reply::Int(n.delivery_count as i64),
            ])
        })
        .collect();
    let consumers = g
        .consumers
        .iter()
        .map(|(cname, cons)| {
            let own = cons
                .pel
                .iter()
                .take(limit)
                .filter_map(|id| g.pel.get(id).map(|n| (id, n)))
                .map(|(id, n)| {
                    Reply::Array(vec![
                        id_reply(*id),
                        Reply::Int(n.delivery_time as i64),
                        Reply::Int(n.delivery_count as i64),
                    ])
                })
                .collect();
            Reply::Map(vec![
                kv("name", Reply::Bulk(cname.clone())),
                kv("seen-time", Reply::Int(cons.seen_time as i64)),
                kv("pel-count", Reply::Int(cons.pel.len() as i64)),
                kv("pending", Reply::Array(own)),
            ])
        })
        .collect();
    vec![
        kv("name", Reply::Bulk(name.clone())),
        kv("last-delivered-id", id_reply(g.last_id)),
        kv("entries-read", opt_int(g.entries_read)),
        kv("lag", g.lag(log).map_or(Reply::Nil, Reply::Int)),
        kv("pel-count", Reply::Int(g.pel.len() as i64)),
        kv("pending", Reply::Array(pending)),
        kv("consumers", Reply::Array(consumers)),
    ]
}

fn xinfo_groups(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either(stream_at(c, a).map(|s| {
        let groups = s
            .groups
            .iter()
            .map(|(name, g)| {
                Reply::Map(vec![
                    kv("name", Reply::Bulk(name.clone())),
                    kv("consumers", Reply::Int(g.consumers.len() as i64)),
                    kv("pending", Reply::Int(g.pel.len() as i64)),
                    kv("last-delivered-id", id_reply(g.last_id)),
                    kv("entries-read", opt_int(g.entries_read)),
                    kv("lag", g.lag(&s.log).map_or(Reply::Nil, Reply::Int)),
                ])
            })
            .collect();
        Reply::Array(groups)
    }))
}

fn xinfo_consumers(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let now = c.now;
    either(stream_at(c, a).and_then(|s| {
        let Some(g) = s.groups.get(&a[3]) else {
            return Err(no_such_group(&a[2], &a[3]));
        };
        let consumers = g
            .consumers
            .iter()
            .map(|(name, cons)| {
                Reply::Map(vec![
                    kv("name", Reply::Bulk(name.clone())),
                    kv("pending", Reply::Int(cons.pel.len() as i64)),
                    kv("idle", Reply::Int((now as i64).saturating_sub(cons.seen_time as i64).max(0))),
                ])
            })
            .collect();
        Ok(Reply::Array(consumers))
    }))
}
