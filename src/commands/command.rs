//! COMMAND: what the command table says about each command, in Redis 7.0's
//! reply shapes (which client libraries such as redis-py's cluster client
//! parse): INFO, DOCS, COUNT, LIST, GETKEYS, GETKEYSANDFLAGS, HELP.

use super::util::{is, ERR_SYNTAX};
use crate::command::keys::{key_indices, legacy_range, BadKeyArgs};
use crate::command::spec::{acl, flags as f, Begin, CommandSpec, Exec, Find, KeySpec};
use crate::command::{lookup, lookup_subcommand, table};
use crate::resp::Reply;
use crate::server::client::Client;
use bytes::Bytes;
use std::borrow::Cow;

pub fn commands() -> Vec<CommandSpec> {
    let sub = |name, arity, h| {
        CommandSpec::new(name, arity, f::LOADING | f::STALE | f::SENTINEL, Exec::Client(h))
            .group("server")
            .acl(acl::CONNECTION)
    };
    vec![CommandSpec::new("command", -1, f::LOADING | f::STALE | f::SENTINEL, Exec::Client(all_info))
        .group("server")
        .acl(acl::CONNECTION)
        .tips(&["nondeterministic_output_order"])
        .doc("2.8.13", "Get array of Redis command details", "O(N) where N is the total number of Redis commands")
        .sub(vec![
            sub("command|count", 2, count).doc("2.8.13", "Get total number of Redis commands", "O(1)"),
            sub("command|info", -2, info)
                .doc(
                    "2.8.13",
                    "Get array of specific Redis command details, or all when no argument is given.",
                    "O(N) where N is the number of commands to look up",
                )
                .tips(&["nondeterministic_output_order"]),
            sub("command|docs", -2, docs)
                .doc(
                    "7.0.0",
                    "Get array of specific Redis command documentation",
                    "O(N) where N is the number of commands to look up",
                )
                .tips(&["nondeterministic_output_order"]),
            sub("command|list", -2, list)
                .doc(
                    "7.0.0",
                    "Get an array of Redis command names",
                    "O(N) where N is the total number of Redis commands",
                )
                .tips(&["nondeterministic_output_order"]),
            sub("command|getkeys", -4, getkeys).doc(
                "2.8.13",
                "Extract keys given a full Redis command",
                "O(N) where N is the number of arguments to the command",
            ),
            sub("command|getkeysandflags", -4, getkeysandflags).doc(
                "7.0.0",
                "Extract keys and access flags given a full Redis command",
                "O(N) where N is the number of arguments to the command",
            ),
            sub("command|help", 2, help).doc("5.0.0", "Show helpful text about the different subcommands", "O(1)"),
        ])]
}

/// Key spec flags in the order (and spelling) COMMAND prints them.
const KEY_FLAGS: &[(&str, &str)] = &[
    ("RO", "RO"),
    ("RW", "RW"),
    ("OW", "OW"),
    ("RM", "RM"),
    ("ACCESS", "access"),
    ("UPDATE", "update"),
    ("INSERT", "insert"),
    ("DELETE", "delete"),
    ("NOT_KEY", "not_key"),
    ("INCOMPLETE", "incomplete"),
    ("VARIABLE_FLAGS", "variable_flags"),
];

const SORT_PATTERN_NOTE: &str =
    "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort";

/// The notes Redis attaches to some key specs: (command, spec index, note).
const KEY_SPEC_NOTES: &[(&str, usize, &str)] = &[
    ("bitfield", 0, "This command allows both access and modification of the key"),
    ("eval", 0, "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"),
    ("eval_ro", 0, "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"),
    ("fcall", 0, "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"),
    ("fcall_ro", 0, "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"),
    ("getex", 0, "RW and UPDATE because it changes the TTL"),
    ("pfcount", 0, "RW because it may change the internal representation of the key, and propagate to replicas"),
    ("set", 0, "RW and ACCESS due to the optional `GET` argument"),
    ("sort", 1, SORT_PATTERN_NOTE),
    ("sort", 2, "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array"),
    ("sort_ro", 1, SORT_PATTERN_NOTE),
    ("xadd", 0, "UPDATE instead of INSERT because of the optional trimming feature"),
];

/// A command by its name as COMMAND INFO/DOCS take it ("config|get" too).
fn find(name: &[u8]) -> Option<&'static CommandSpec> {
    match name.iter().position(|&b| b == b'|') {
        Some(i) => lookup(&name[..i]).and_then(|p| lookup_subcommand(p, &name[i + 1..])),
        None => lookup(name),
    }
}

fn bulk(s: &'static str) -> Reply {
    Reply::Bulk(Bytes::from_static(s.as_bytes()))
}

fn kv(k: &'static str, v: Reply) -> (Reply, Reply) {
    (bulk(k), v)
}

fn statuses<S: Into<Cow<'static, str>>>(items: impl Iterator<Item = S>) -> Reply {
    Reply::Set(items.map(|s| Reply::Status(s.into())).collect())
}

fn key_flags(flags: &[&str]) -> Reply {
    statuses(KEY_FLAGS.iter().filter(|(name, _)| flags.contains(name)).map(|&(_, shown)| shown))
}

fn has_key_flag(ks: &KeySpec, flag: &str) -> bool {
    ks.flags.contains(&flag)
}

/// Whether the legacy (first, last, step) triple misses some keys, as
/// Redis's populateCommandLegacyRangeSpec decides "movablekeys".
fn movable_keys(cmd: &CommandSpec) -> bool {
    let plain = |ks: &KeySpec| matches!((ks.begin, ks.find), (Begin::Index(_), Find::Range { .. }));
    if let [only] = cmd.key_specs.as_slice() {
        if plain(only) {
            return has_key_flag(only, "INCOMPLETE");
        }
    }
    let (mut found, mut movable, mut last, mut prev_last) = (false, false, 0i64, 0i64);
    for ks in &cmd.key_specs {
        let (Begin::Index(idx), Find::Range { lastkey, step, .. }) = (ks.begin, ks.find) else {
            movable = true;
            continue;
        };
        if step != 1 || (prev_last != 0 && prev_last != idx as i64 - 1) {
            movable = true;
            continue;
        }
        movable |= has_key_flag(ks, "INCOMPLETE");
        found = true;
        let abs = if lastkey >= 0 { idx as i64 + lastkey as i64 } else { lastkey as i64 };
        // Redis compares as unsigned: a negative (from the end) last key wins.
        if (abs as u32) > (last as u32) {
            last = abs;
        }
        prev_last = last;
    }
    movable || (!cmd.key_specs.is_empty() && !found)
}

/// The command flags COMMAND INFO shows (may_replicate is hidden, as in
/// Redis; movablekeys is derived from the key specs).
fn command_flags(cmd: &CommandSpec) -> Reply {
    let mut names: Vec<&'static str> = f::NAMES
        .iter()
        .filter(|&&(bit, _)| cmd.has(bit) && bit != f::MAY_REPLICATE && bit != f::ALLOW_BUSY)
        .map(|&(_, n)| n)
        .collect();
    if movable_keys(cmd) {
        names.push("movablekeys");
    }
    if cmd.has(f::ALLOW_BUSY) {
        names.push("allow_busy");
    }
    statuses(names.into_iter())
}

fn unknown_spec() -> Reply {
    Reply::Map(vec![kv("type", bulk("unknown")), kv("spec", Reply::Map(Vec::new()))])
}

fn key_spec(cmd: &CommandSpec, i: usize, ks: &KeySpec) -> Reply {
    let begin = match ks.begin {
        Begin::Index(i) => {
            Reply::Map(vec![kv("type", bulk("index")), kv("spec", Reply::Map(vec![kv("index", Reply::Int(i as i64))]))])
        }
        Begin::Keyword { keyword, startfrom } => Reply::Map(vec![
            kv("type", bulk("keyword")),
            kv("spec", Reply::Map(vec![kv("keyword", bulk(keyword)), kv("startfrom", Reply::Int(startfrom as i64))])),
        ]),
        Begin::Unknown => unknown_spec(),
    };
    let find = match ks.find {
        Find::Range { lastkey, step, limit } => Reply::Map(vec![
            kv("type", bulk("range")),
            kv(
                "spec",
                Reply::Map(vec![
                    kv("lastkey", Reply::Int(lastkey as i64)),
                    kv("keystep", Reply::Int(step as i64)),
                    kv("limit", Reply::Int(limit as i64)),
                ]),
            ),
        ]),
        Find::Keynum { keynumidx, firstkey, step } => Reply::Map(vec![
            kv("type", bulk("keynum")),
            kv(
                "spec",
                Reply::Map(vec![
                    kv("keynumidx", Reply::Int(keynumidx as i64)),
                    kv("firstkey", Reply::Int(firstkey as i64)),
                    kv("keystep", Reply::Int(step as i64)),
                ]),
            ),
        ]),
        Find::Unknown => unknown_spec(),
    };
    let mut map = Vec::with_capacity(4);
    if let Some(&(_, _, note)) = KEY_SPEC_NOTES.iter().find(|&&(name, at, _)| name == cmd.name && at == i) {
        map.push(kv("notes", bulk(note)));
    }
    map.extend([kv("flags", key_flags(ks.flags)), kv("begin_search", begin), kv("find_keys", find)]);
    Reply::Map(map)
}

/// One command's COMMAND INFO entry.
fn command_info(cmd: &CommandSpec) -> Reply {
    let (first, last, step) = legacy_range(cmd);
    let cats = cmd.acl_categories();
    let subs = if cmd.subcommands.is_empty() {
        Reply::Set(Vec::new())
    } else {
        Reply::Array(cmd.subcommands.iter().map(command_info).collect())
    };
    Reply::Array(vec![
        bulk(cmd.name),
        Reply::Int(cmd.arity as i64),
        command_flags(cmd),
        Reply::Int(first),
        Reply::Int(last),
        Reply::Int(step),
        statuses(acl::NAMES.iter().filter(|(bit, _)| cats & bit != 0).map(|(_, n)| format!("@{n}"))),
        Reply::Set(cmd.tips.iter().map(|&t| bulk(t)).collect()),
        Reply::Set(cmd.key_specs.iter().enumerate().map(|(i, ks)| key_spec(cmd, i, ks)).collect()),
        subs,
    ])
}

/// One command's COMMAND DOCS entry (arguments are not described).
fn command_docs(cmd: &CommandSpec) -> Reply {
    let mut doc = Vec::with_capacity(5);
    if !cmd.summary.is_empty() {
        doc.push(kv("summary", bulk(cmd.summary)));
    }
    if !cmd.since.is_empty() {
        doc.push(kv("since", bulk(cmd.since)));
    }
    doc.push(kv("group", bulk(cmd.group)));
    if !cmd.complexity.is_empty() {
        doc.push(kv("complexity", bulk(cmd.complexity)));
    }
    if !cmd.subcommands.is_empty() {
        let subs = cmd.subcommands.iter().map(|s| (bulk(s.name), command_docs(s))).collect();
        doc.push(kv("subcommands", Reply::Map(subs)));
    }
    Reply::Map(doc)
}

fn all_info(_c: &mut Client, _a: &[Bytes]) -> Reply {
    Reply::Array(table().commands.iter().map(command_info).collect())
}

fn count(_c: &mut Client, _a: &[Bytes]) -> Reply {
    Reply::Int(table().commands.len() as i64)
}

fn info(c: &mut Client, a: &[Bytes]) -> Reply {
    if a.len() == 2 {
        return all_info(c, a);
    }
    Reply::Array(a[2..].iter().map(|n| find(n).map_or(Reply::Nil, command_info)).collect())
}

fn docs(_c: &mut Client, a: &[Bytes]) -> Reply {
    let pick: Vec<&CommandSpec> =
        if a.len() == 2 { table().commands.iter().collect() } else { a[2..].iter().filter_map(|n| find(n)).collect() };
    Reply::Map(pick.into_iter().map(|c| (bulk(c.name), command_docs(c))).collect())
}

fn list(_c: &mut Client, a: &[Bytes]) -> Reply {
    let keep: Box<dyn Fn(&CommandSpec) -> bool> = match a.len() {
        2 => Box::new(|_| true),
        5 if is(&a[2], "filterby") => {
            let arg = a[4].clone();
            if is(&a[3], "module") {
                Box::new(|_| false)
            } else if is(&a[3], "aclcat") {
                let Some(&(bit, _)) = acl::NAMES.iter().find(|(_, n)| n.as_bytes().eq_ignore_ascii_case(&arg)) else {
                    return Reply::Array(Vec::new());
                };
                Box::new(move |c| c.acl_categories() & bit != 0)
            } else if is(&a[3], "pattern") {
                Box::new(move |c| crate::util::glob::glob_match(&arg, c.name.as_bytes(), true))
            } else {
                return Reply::err(ERR_SYNTAX);
            }
        }
        _ => return Reply::err(ERR_SYNTAX),
    };
    Reply::Array(table().all().filter(|c| keep(c)).map(|c| bulk(c.name)).collect())
}

/// The key flags of commands whose access depends on their arguments
/// (key spec flag VARIABLE_FLAGS), as Redis's SET and BITFIELD getkeys
/// procedures report them.
fn variable_key_flags(cmd: &CommandSpec, args: &[Bytes]) -> Option<&'static [&'static str]> {
    const RW: &[&str] = &["RW", "ACCESS", "UPDATE"];
    match cmd.name {
        "set" => Some(if args.iter().skip(3).any(|a| is(a, "get")) { RW } else { &["OW", "UPDATE"] }),
        "bitfield" => {
            let mut i = 2;
            while i < args.len() {
                let rest = args.len() - i - 1;
                if is(&args[i], "get") && rest >= 2 {
                    i += 3;
                } else if is(&args[i], "overflow") && rest >= 1 {
                    i += 2;
                } else {
                    return Some(RW);
                }
            }
            Some(&["RO", "ACCESS"])
        }
        _ => None,
    }
}

/// The keys of `args` (the full target command) and each one's flags, in
/// key spec order; key specs marked NOT_KEY are skipped.
fn keys_and_flags(cmd: &CommandSpec, args: &[Bytes]) -> Result<Vec<(usize, &'static [&'static str])>, BadKeyArgs> {
    let mut out = Vec::new();
    if let Some(getkeys) = cmd.getkeys {
        getkeys(args, &mut out);
        return Ok(out);
    }
    let mut one = Vec::new();
    for ks in cmd.key_specs.iter().filter(|ks| !has_key_flag(ks, "NOT_KEY")) {
        let single = CommandSpec::new(cmd.name, cmd.arity, 0, Exec::Container).keys(vec![*ks]);
        key_indices(&single, args, &mut one)?;
        out.extend(one.iter().map(|&i| (i, ks.flags)));
    }
    if let Some(flags) = variable_key_flags(cmd, args) {
        out.iter_mut().for_each(|k| k.1 = flags);
    }
    Ok(out)
}

/// The target command's keys and their flags for GETKEYS[ANDFLAGS], or
/// Redis's error.
fn target_keys(a: &[Bytes]) -> Result<Vec<(usize, &'static [&'static str])>, Reply> {
    let args = &a[2..];
    let invalid = || Reply::err("ERR Invalid command specified");
    let mut cmd = lookup(&args[0]).ok_or_else(invalid)?;
    if !cmd.subcommands.is_empty() && args.len() > 1 {
        cmd = lookup_subcommand(cmd, &args[1]).ok_or_else(invalid)?;
    }
    if cmd.key_specs.iter().all(|ks| has_key_flag(ks, "NOT_KEY")) {
        return Err(Reply::err("ERR The command has no key arguments"));
    }
    if !cmd.arity_ok(args.len()) {
        return Err(Reply::err("ERR Invalid number of arguments specified for command"));
    }
    match keys_and_flags(cmd, args) {
        Ok(keys) if !keys.is_empty() || cmd.has(f::NO_MANDATORY_KEYS) => Ok(keys),
        _ => Err(Reply::err("ERR Invalid arguments specified for command")),
    }
}

fn getkeys(_c: &mut Client, a: &[Bytes]) -> Reply {
    match target_keys(a) {
        Ok(keys) => Reply::Array(keys.into_iter().map(|(i, _)| Reply::Bulk(a[2 + i].clone())).collect()),
        Err(e) => e,
    }
}

fn getkeysandflags(_c: &mut Client, a: &[Bytes]) -> Reply {
    match target_keys(a) {
        Ok(keys) => Reply::Array(
            keys.into_iter()
                .map(|(i, flags)| Reply::Array(vec![Reply::Bulk(a[2 + i].clone()), key_flags(flags)]))
                .collect(),
        ),
        Err(e) => e,
    }
}

fn help(_c: &mut Client, _a: &[Bytes]) -> Reply {
    super::help::help(
        "COMMAND",
        &[
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::spec::ks;

    fn cmd(specs: Vec<KeySpec>) -> CommandSpec {
        CommandSpec::new("x", -2, 0, Exec::Container).keys(specs)
    }

    #[test]
    fn movable_keys_follows_redis_heuristics() {
        assert!(!movable_keys(&cmd(vec![])));
        assert!(!movable_keys(&cmd(vec![ks::range(1, -1, 2, &["OW"])])));
        assert!(!movable_keys(&cmd(vec![ks::at(1, &["RW"]), ks::at(2, &["RW"])])));
        assert!(movable_keys(&cmd(vec![ks::keynum(2, &["RO"])])));
        assert!(movable_keys(&cmd(vec![ks::at(1, &["RW"]), ks::at(3, &["RW"])])));
        let store = KeySpec {
            flags: &["OW"],
            begin: Begin::Keyword { keyword: "STORE", startfrom: 1 },
            find: Find::Range { lastkey: 0, step: 1, limit: 0 },
        };
        assert!(movable_keys(&cmd(vec![ks::at(1, &["RO"]), store])));
    }

    #[test]
    fn variable_flags_of_set_and_bitfield() {
        let set = CommandSpec::new("set", -3, 0, Exec::Container);
        let args = |s: &[&'static str]| s.iter().map(|a| Bytes::from_static(a.as_bytes())).collect::<Vec<_>>();
        assert_eq!(variable_key_flags(&set, &args(&["set", "k", "v"])), Some(&["OW", "UPDATE"][..]));
        assert_eq!(variable_key_flags(&set, &args(&["set", "k", "v", "GET"])), Some(&["RW", "ACCESS", "UPDATE"][..]));
        let bf = CommandSpec::new("bitfield", -2, 0, Exec::Container);
        assert_eq!(variable_key_flags(&bf, &args(&["bitfield", "k", "get", "u8", "0"])), Some(&["RO", "ACCESS"][..]));
        assert_eq!(
            variable_key_flags(&bf, &args(&["bitfield", "k", "incrby", "u8", "0", "1"])),
            Some(&["RW", "ACCESS", "UPDATE"][..])
        );
    }
}
