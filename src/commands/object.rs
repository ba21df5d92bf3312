//! OBJECT: what Redis tells about a stored value (ENCODING, REFCOUNT,
//! IDLETIME, FREQ) and its HELP.

use super::help::help;
use super::keys::lookup_read;
use crate::command::spec::{acl, flags as f, ks, CommandSpec, Exec, ShardFn};
use crate::command::ExecCtx;
use crate::resp::Reply;
use crate::server::client::Client;
use crate::shard::expire::lru_clock;
use crate::shard::{Entry, Value};
use crate::util::num::parse_i64;
use bytes::Bytes;

/// The counter Redis gives a new value under an LFU policy. Clover does not
/// track access frequency yet, so every value reports it.
const LFU_INIT_VAL: i64 = 5;

pub fn commands() -> Vec<CommandSpec> {
    let sub = |name, h: ShardFn, since, summary| {
        CommandSpec::new(name, 3, f::READONLY, Exec::Shard(h))
            .acl(acl::KEYSPACE)
            .keys(vec![ks::at(2, &["RO"])])
            .tips(&["nondeterministic_output"])
            .doc(since, summary, "O(1)")
    };
    vec![CommandSpec::new("object", -2, 0, Exec::Container)
        .doc("2.2.3", "A container for object introspection commands", "Depends on subcommand.")
        .sub(vec![
            // In the order Redis lists them.
            sub("object|encoding", encoding, "2.2.3", "Inspect the internal encoding of a Redis object"),
            sub("object|idletime", idletime, "2.2.3", "Get the time since a Redis object was last accessed"),
            sub("object|freq", freq, "4.0.0", "Get the logarithmic access frequency counter of a Redis object"),
            CommandSpec::new("object|help", 2, f::LOADING | f::STALE, Exec::Client(object_help))
                .acl(acl::KEYSPACE)
                .doc("6.2.0", "Show helpful text about the different subcommands", "O(1)"),
            sub("object|refcount", refcount, "2.2.3", "Get the number of references to the value of the key"),
        ])]
}

/// The live entry named by `a[2]`, without touching its access time.
fn lookup<'a>(c: &'a mut ExecCtx, a: &[Bytes]) -> Option<&'a mut Entry> {
    lookup_read(c, &a[2])
}

fn encoding(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    lookup(c, a).map_or(Reply::Nil, |e| Reply::str(e.value.encoding()))
}

/// Redis shares one object for each integer in `0..SHARED_INTEGERS`; their
/// reference count reads as `i32::MAX`.
const SHARED_INTEGERS: i64 = 10000;

fn refcount(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    lookup(c, a).map_or(Reply::Nil, |e| {
        let shared = match &e.value {
            Value::Str(s) => {
                e.value.encoding() == "int" && parse_i64(s).is_some_and(|n| (0..SHARED_INTEGERS).contains(&n))
            }
            _ => false,
        };
        Reply::Int(if shared { i32::MAX as i64 } else { 1 })
    })
}

fn idletime(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let lfu = c.settings.lfu;
    match lookup(c, a) {
        None => Reply::Nil,
        Some(_) if lfu => Reply::err(
            "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching \
             between policies at runtime LRU and LFU data will take some time to adjust.",
        ),
        Some(e) => Reply::Int(lru_clock().wrapping_sub(e.access) as i64),
    }
}

fn freq(c: &mut ExecCtx, a: &[Bytes]) -> Reply {
    let lfu = c.settings.lfu;
    match lookup(c, a) {
        None => Reply::Nil,
        Some(_) if !lfu => Reply::err(
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when \
             switching between policies at runtime LRU and LFU data will take some time to adjust.",
        ),
        Some(_) => Reply::Int(LFU_INIT_VAL),
    }
}

fn object_help(_c: &mut Client, _a: &[Bytes]) -> Reply {
    help(
        "OBJECT",
        &[
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
        ],
    )
}
