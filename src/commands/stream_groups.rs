//! Consumer group commands: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER,
//! DELCONSUMER, HELP), XACK, XPENDING, XCLAIM and XAUTOCLAIM. XREADGROUP
//! shares XREAD's code in `streams.rs`.

use super::help::help;
use super::streams::*;
use super::util::*;
use crate::command::spec::{acl, flags as f, ks, CommandSpec, Exec, ShardFn};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::server::client::Client;
use crate::shard::stream::{Group, StreamId};
use crate::shard::Stream;
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let s = |name, arity, fl, h: ShardFn, key: &'static [&'static str]| {
        CommandSpec::new(name, arity, fl, Exec::Shard(h)).group("stream").acl(acl::STREAM).keys(vec![ks::at(1, key)])
    };
    let sub = |name, arity, fl, h: ShardFn, key: &'static [&'static str]| {
        CommandSpec::new(name, arity, fl, Exec::Shard(h)).group("stream").acl(acl::STREAM).keys(vec![ks::at(2, key)])
    };
    const ND: &[&str] = &["nondeterministic_output"];
    vec![
        CommandSpec::new("xgroup", -2, 0, Exec::Container)
            .group("stream")
            .doc("5.0.0", "A container for consumer groups commands", "Depends on subcommand.")
            .sub(vec![
                sub("xgroup|createconsumer", 5, f::WRITE | f::DENYOOM, xgroup, &["RW", "INSERT"]).doc(
                    "6.2.0",
                    "Create a consumer in a consumer group.",
                    "O(1)",
                ),
                sub("xgroup|destroy", 4, f::WRITE, xgroup, &["RW", "DELETE"]).doc(
                    "5.0.0",
                    "Destroy a consumer group.",
                    "O(N) where N is the number of entries in the group's pending entries list (PEL).",
                ),
                sub("xgroup|delconsumer", 5, f::WRITE, xgroup, &["RW", "DELETE"]).doc(
                    "5.0.0",
                    "Delete a consumer from a consumer group.",
                    "O(1)",
                ),
                sub("xgroup|setid", -5, f::WRITE, xgroup, &["RW", "UPDATE"]).doc(
                    "5.0.0",
                    "Set a consumer group to an arbitrary last delivered ID value.",
                    "O(1)",
                ),
                CommandSpec::new("xgroup|help", 2, f::LOADING | f::STALE, Exec::Client(xgroup_help))
                    .group("stream")
                    .acl(acl::STREAM)
                    .doc("5.0.0", "Show helpful text about the different subcommands", "O(1)"),
                sub("xgroup|create", -5, f::WRITE | f::DENYOOM, xgroup, &["RW", "INSERT"]).doc(
                    "5.0.0",
                    "Create a consumer group.",
                    "O(1)",
                ),
            ]),
        s("xack", -4, f::WRITE | f::FAST, xack, &["RW", "UPDATE"]).doc(
            "5.0.0",
            "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
            "O(1) for each message ID processed.",
        ),
        s("xpending", -3, f::READONLY, xpending, &["RO", "ACCESS"]).tips(ND).doc(
            "5.0.0",
            "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
            "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
        ),
        s("xclaim", -6, f::WRITE | f::FAST, xclaim, &["RW", "UPDATE"]).tips(ND).doc(
            "5.0.0",
            "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
            "O(log N) with N being the number of messages in the PEL of the consumer group.",
        ),
        s("xautoclaim", -6, f::WRITE | f::FAST, xautoclaim, &["RW", "DELETE"]).tips(ND).doc(
            "6.2.0",
            "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
            "O(1) if COUNT is small.",
        ),
    ]
}

/// Redis's reply to a subcommand with options it does not take (XGROUP's
/// and XINFO's).
pub fn subcommand_error(a: &[Bytes]) -> Reply {
    Reply::err(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        String::from_utf8_lossy(&a[1]),
        String::from_utf8_lossy(&a[0]).to_ascii_uppercase()
    ))
}

/// NOGROUP for a group missing from an existing stream.
pub fn no_such_group(key: &[u8], group: &[u8]) -> Reply {
    Reply::err(format!(
        "NOGROUP No such consumer group '{}' for key name '{}'",
        String::from_utf8_lossy(group),
        String::from_utf8_lossy(key)
    ))
}

fn xgroup_help(_c: &mut Client, _a: &[Bytes]) -> Reply {
    help(
        "XGROUP",
        &[
            "CREATE <key> <groupname> <id|$> [option]",
            "    Create a new consumer group. Options are:",
            "    * MKSTREAM",
            "      Create the empty stream if it does not exist.",
            "    * ENTRIESREAD entries_read",
            "      Set the group's entries_read counter (internal use).",
            "CREATECONSUMER <key> <groupname> <consumer>",
            "    Create a new consumer in the specified group.",
            "DELCONSUMER <key> <groupname> <consumer>",
            "    Remove the specified consumer.",
            "DESTROY <key> <groupname>",
            "    Remove the specified group.",
            "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
            "    Set the current group ID and entries_read counter.",
        ],
    )
}

/// Every XGROUP subcommand but HELP: `xgroup <sub> key group ...`.
fn xgroup(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let sub = &a[1];
        let (create, setid) = (is(sub, "create"), is(sub, "setid"));
        let mut mkstream = false;
        let mut entries_read: Option<u64> = None;
        let mut i = 5;
        while i < a.len() {
            if create && is(&a[i], "mkstream") {
                mkstream = true;
                i += 1;
            } else if (create || setid) && is(&a[i], "entriesread") && i + 1 < a.len() {
                let n = int_arg(&a[i + 1])?;
                if n < -1 {
                    return Err(Reply::err("ERR value for ENTRIESREAD must be positive or -1"));
                }
                entries_read = u64::try_from(n).ok();
                i += 2;
            } else {
                return Err(subcommand_error(a));
            }
        }
        let (key, name) = (&a[2], &a[3]);
        let exists = write_stream(c, key)?.is_some();
        if !mkstream {
            let Some(s) = write_stream(c, key)? else {
                return Err(Reply::err(
                    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use \
                     the MKSTREAM option to create an empty stream automatically.",
                ));
            };
            let needs_group = setid || is(sub, "createconsumer") || is(sub, "delconsumer");
            if needs_group && !s.groups.contains_key(name) {
                return Err(no_such_group(key, name));
            }
        }
        let now = c.now;
        if create {
            if a.len() > 8 {
                return Err(subcommand_error(a));
            }
            let id = if &a[4][..] == b"$" {
                write_stream(c, key)?.map_or(StreamId::MIN, |s| s.log.last_id)
            } else {
                parse_strict_id(&a[4])?
            };
            let s = if exists {
                write_stream(c, key)?.ok_or_else(|| Reply::err(ERR_NO_KEY))?
            } else {
                stream_or_create(c, key)?
            };
            if s.groups.contains_key(name) {
                return Err(Reply::err("BUSYGROUP Consumer Group name already exists"));
            }
            s.groups.insert(owned(name), Group::new(id, entries_read));
            c.dirty(1);
            return Ok(Reply::Ok);
        }
        let s = write_stream(c, key)?.ok_or_else(|| Reply::err(ERR_NO_KEY))?;
        let reply = if setid {
            if a.len() != 5 && a.len() != 7 {
                return Err(subcommand_error(a));
            }
            let id = if &a[4][..] == b"$" { s.log.last_id } else { parse_id(&a[4], 0)? };
            if let Some(g) = s.groups.get_mut(name) {
                g.last_id = id;
                g.entries_read = entries_read;
            }
            Reply::Ok
        } else if is(sub, "destroy") {
            match s.groups.remove(name) {
                Some(_) => Reply::Int(1),
                None => return Ok(Reply::Int(0)),
            }
        } else if is(sub, "createconsumer") {
            let created = s.groups.get_mut(name).is_some_and(|g| g.consumer(&owned(&a[4]), now).1);
            if !created {
                return Ok(Reply::Int(0));
            }
            Reply::Int(1)
        } else if is(sub, "delconsumer") {
            match s.groups.get_mut(name).and_then(|g| g.delete_consumer(&a[4])) {
                Some(pending) => Reply::Int(pending as i64),
                None => return Ok(Reply::Int(0)),
            }
        } else {
            return Err(subcommand_error(a));
        };
        c.dirty(1);
        Ok(reply)
    })())
}

fn xack(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let has_group = read_stream(c, &a[1])?.is_some_and(|s| s.groups.contains_key(&a[2]));
        if !has_group {
            return Ok(Reply::Int(0));
        }
        let ids = a[3..].iter().map(|x| parse_strict_id(x)).collect::<Result<Vec<_>, _>>()?;
        let Some(g) = read_stream(c, &a[1])?.and_then(|s| s.groups.get_mut(&a[2])) else { return Ok(Reply::Int(0)) };
        let acked = ids.into_iter().filter(|&id| g.ack(id)).count() as u64;
        c.dirty(acked);
        Ok(Reply::Int(acked as i64))
    })())
}

/// The stream at `a[1]` and its group `a[2]`, or Redis's NOGROUP error.
fn stream_and_group<'a>(c: &'a mut ExecCtx, a: &[Bytes]) -> Result<&'a mut Stream, Reply> {
    match read_stream(c, &a[1])? {
        Some(s) if s.groups.contains_key(&a[2]) => Ok(s),
        _ => Err(no_group(&a[1], &a[2], "")),
    }
}

fn xpending(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let n = a.len();
        if n != 3 && !(6..=9).contains(&n) {
            return Err(Reply::err(ERR_SYNTAX));
        }
        let mut range = None;
        if n >= 6 {
            let mut at = 3;
            let mut min_idle = 0;
            if is(&a[3], "idle") {
                min_idle = int_arg(&a[4])?;
                if n < 8 {
                    return Err(Reply::err(ERR_SYNTAX));
                }
                at += 2;
            }
            let count = int_arg(&a[at + 2])?.max(0) as u64;
            let start = parse_bound(&a[at], true)?;
            let end = parse_bound(&a[at + 1], false)?;
            range = Some((min_idle, start, end, count, a.get(at + 3)));
        }
        let now = c.now as i64;
        let s = stream_and_group(c, a)?;
        let Some(g) = s.groups.get(&a[2]) else { return Err(no_group(&a[1], &a[2], "")) };
        let Some((min_idle, start, end, count, consumer)) = range else {
            let (Some((first, _)), Some((last, _))) = (g.pel.first_key_value(), g.pel.last_key_value()) else {
                return Ok(Reply::Array(vec![Reply::Int(0), Reply::Nil, Reply::Nil, Reply::NilArray]));
            };
            let owners = g
                .consumers
                .iter()
                .filter(|(_, c)| !c.pel.is_empty())
                .map(|(name, c)| Reply::Array(vec![Reply::Bulk(name.clone()), Reply::str(c.pel.len().to_string())]))
                .collect();
            return Ok(Reply::Array(vec![
                Reply::Int(g.pel.len() as i64),
                id_reply(*first),
                id_reply(*last),
                Reply::Array(owners),
            ]));
        };
        let ids: Box<dyn Iterator<Item = StreamId>> = match consumer {
            Some(name) => match g.consumers.get(name) {
                Some(cons) => Box::new(cons.pel.range(start..).copied()),
                None => return Ok(Reply::Array(Vec::new())),
            },
            None => Box::new(g.pel.range(start..).map(|(id, _)| *id)),
        };
        let mut out = Vec::new();
        for id in ids.take_while(|&id| id <= end) {
            if out.len() as u64 >= count {
                break;
            }
            let Some(nack) = g.pel.get(&id) else { continue };
            let idle = now.saturating_sub(nack.delivery_time as i64);
            if min_idle != 0 && idle < min_idle {
                continue;
            }
            out.push(Reply::Array(vec![
                id_reply(id),
                Reply::Bulk(nack.consumer.clone()),
                Reply::Int(idle.max(0)),
                Reply::Int(nack.delivery_count as i64),
            ]));
        }
        Ok(Reply::Array(out))
    })())
}

/// One claimed entry as XCLAIM/XAUTOCLAIM reply: its ID with JUSTID, else
/// the entry.
fn claimed_reply(s: &Stream, id: StreamId, justid: bool) -> Reply {
    match s.log.get(id) {
        Some(f) if !justid => entry_reply(id, f),
        _ => id_reply(id),
    }
}

fn xclaim(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        stream_and_group(c, a)?;
        let min_idle = crate::util::num::parse_i64(&a[4])
            .ok_or_else(|| Reply::err("ERR Invalid min-idle-time argument for XCLAIM"))?
            .max(0);
        let mut j = 5;
        let mut ids = Vec::new();
        while let Some(id) = a.get(j).and_then(|x| parse_strict_id(x).ok()) {
            ids.push(id);
            j += 1;
        }
        let now = c.now as i64;
        let (mut force, mut justid) = (false, false);
        let mut retry = None;
        let mut time = None;
        let mut last_id = StreamId::MIN;
        let num = |x: &[u8], what: &str| {
            crate::util::num::parse_i64(x)
                .ok_or_else(|| Reply::err(format!("ERR Invalid {what} option argument for XCLAIM")))
        };
        while j < a.len() {
            let more = j + 1 < a.len();
            let o = &a[j];
            if is(o, "force") {
                force = true;
            } else if is(o, "justid") {
                justid = true;
            } else if is(o, "idle") && more {
                j += 1;
                time = Some(now.saturating_sub(num(&a[j], "IDLE")?));
            } else if is(o, "time") && more {
                j += 1;
                time = Some(num(&a[j], "TIME")?);
            } else if is(o, "retrycount") && more {
                j += 1;
                retry = Some(num(&a[j], "RETRYCOUNT")?);
            } else if is(o, "lastid") && more {
                j += 1;
                last_id = parse_strict_id(&a[j])?;
            } else {
                return Err(Reply::err(format!("ERR Unrecognized XCLAIM option '{}'", String::from_utf8_lossy(o))));
            }
            j += 1;
        }
        let time = match time {
            Some(t) if (0..=now).contains(&t) => t,
            _ => now,
        } as u64;
        let retry = retry.filter(|&n| n >= 0).map(|n| n as u64);
        let consumer = owned(&a[3]);
        let s = stream_and_group(c, a)?;
        let Stream { log, groups } = &mut *s;
        let Some(g) = groups.get_mut(&a[2]) else { return Err(no_group(&a[1], &a[2], "")) };
        let mut dirty = 0;
        if last_id > g.last_id {
            g.last_id = last_id;
            dirty += 1;
        }
        let mut claimed = Vec::new();
        for id in ids {
            let pending = g.pel.get(&id).map(|n| n.delivery_time);
            if !log.contains(id) {
                if pending.is_some() {
                    g.ack(id);
                    dirty += 1;
                }
                continue;
            }
            match pending {
                None if !force => continue,
                Some(t) if min_idle != 0 && now.saturating_sub(t as i64) < min_idle => continue,
                _ => {}
            }
            g.consumer(&consumer, now as u64);
            g.claim(id, &consumer, time, retry, !justid);
            claimed.push(id);
            dirty += 1;
        }
        let out = claimed.into_iter().map(|id| claimed_reply(s, id, justid)).collect();
        c.dirty(dirty);
        Ok(Reply::Array(out))
    })())
}

fn xautoclaim(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    either((|| {
        let min_idle = crate::util::num::parse_i64(&a[4])
            .ok_or_else(|| Reply::err("ERR Invalid min-idle-time argument for XAUTOCLAIM"))?
            .max(0);
        let start = parse_bound(&a[5], true)?;
        let mut count: u64 = 100;
        let mut justid = false;
        let mut j = 6;
        while j < a.len() {
            if is(&a[j], "count") && j + 1 < a.len() {
                const MAX_COUNT: i64 = i64::MAX / 16;
                count = crate::util::num::parse_i64(&a[j + 1])
                    .filter(|n| (1..=MAX_COUNT).contains(n))
                    .ok_or_else(|| Reply::err("ERR COUNT must be > 0"))? as u64;
                j += 1;
            } else if is(&a[j], "justid") {
                justid = true;
            } else {
                return Err(Reply::err(ERR_SYNTAX));
            }
            j += 1;
        }
        let now = c.now;
        let consumer = owned(&a[3]);
        let s = stream_and_group(c, a)?;
        let Stream { log, groups } = &mut *s;
        let Some(g) = groups.get_mut(&a[2]) else { return Err(no_group(&a[1], &a[2], "")) };
        // Each call examines at most ten PEL entries per entry it may claim.
        let mut attempts = count.saturating_mul(10);
        let scan: Vec<StreamId> = g
            .pel
            .range(start..)
            .map(|(id, _)| *id)
            .take(usize::try_from(attempts.saturating_add(1)).unwrap_or(usize::MAX))
            .collect();
        let (mut claimed, mut deleted) = (Vec::new(), Vec::new());
        let mut next = 0;
        let mut dirty = 0;
        while attempts > 0 && count > 0 && next < scan.len() {
            attempts -= 1;
            let id = scan[next];
            next += 1;
            if !log.contains(id) {
                g.ack(id);
                deleted.push(id);
                count -= 1;
                dirty += 1;
                continue;
            }
            let delivered = g.pel.get(&id).map_or(0, |n| n.delivery_time);
            if min_idle != 0 && (now as i64).saturating_sub(delivered as i64) < min_idle {
                continue;
            }
            g.consumer(&consumer, now);
            g.claim(id, &consumer, now, None, !justid);
            claimed.push(id);
            count -= 1;
            dirty += 1;
        }
        let cursor = scan.get(next).copied().unwrap_or(StreamId::MIN);
        let entries = claimed.into_iter().map(|id| claimed_reply(s, id, justid)).collect();
        c.dirty(dirty);
        Ok(Reply::Array(vec![
            id_reply(cursor),
            Reply::Array(entries),
            Reply::Array(deleted.into_iter().map(id_reply).collect()),
        ]))
    })())
}
