//! COMMAND: what the command table says about each command (Redis 7.0's
//! reply shapes, which client libraries such as redis-py's cluster client
//! parse): INFO, DOCS, COUNT, LIST, GETKEYS, GETKEYSANDFLAGS.

use super::util::{is, ERR_SYNTAX};
use crate::command::keys::{key_indices, legacy_range};
use crate::command::spec::{acl, flags as f, Begin, CommandSpec, Exec, Find, KeySpec};
use crate::command::{lookup, lookup_subcommand, table};
use crate::resp::Reply;
use crate::server::client::Client;
use bytes::Bytes;

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
            sub("command|info", -2, info).doc(
                "2.8.13",
                "Get array of specific Redis command details, or all when no argument is given.",
                "O(N) where N is the number of commands to look up",
            ),
            sub("command|docs", -2, docs).doc(
                "7.0.0",
                "Get array of specific Redis command documentation",
                "O(N) where N is the number of commands to look up",
            ),
            sub("command|list", -2, list).doc(
                "7.0.0",
                "Get an array of Redis command names",
                "O(N) where N is the total number of Redis commands",
            ),
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

/// A command by its name as COMMAND INFO/DOCS take it ("config|get" too).
fn find(name: &[u8]) -> Option<&'static CommandSpec> {
    match name.iter().position(|&b| b == b'|') {
        Some(i) => lookup(&name[..i]).and_then(|p| lookup_subcommand(p, &name[i + 1..])),
        None => lookup(name),
    }
}

fn statuses(items: impl Iterator<Item = String>) -> Reply {
    Reply::Set(items.map(|s| Reply::Status(s.into())).collect())
}

fn kv(k: &'static str, v: Reply) -> (Reply, Reply) {
    (Reply::Bulk(Bytes::from_static(k.as_bytes())), v)
}

/// A key spec flag as COMMAND prints it: access kinds upper case, the rest
/// lower case.
fn key_flag(flag: &str) -> String {
    match flag {
        "RW" | "RO" | "OW" | "RM" => flag.to_string(),
        other => other.to_ascii_lowercase(),
    }
}

fn key_spec(ks: &KeySpec) -> Reply {
    let begin = match ks.begin {
        Begin::Index(i) => Reply::Map(vec![
            kv("type", Reply::str("index")),
            kv("spec", Reply::Map(vec![kv("index", Reply::Int(i as i64))])),
        ]),
        Begin::Keyword { keyword, startfrom } => Reply::Map(vec![
            kv("type", Reply::str("keyword")),
            kv(
                "spec",
                Reply::Map(vec![kv("keyword", Reply::str(keyword)), kv("startfrom", Reply::Int(startfrom as i64))]),
            ),
        ]),
    };
    let find = match ks.find {
        Find::Range { lastkey, step, limit } => Reply::Map(vec![
            kv("type", Reply::str("range")),
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
            kv("type", Reply::str("keynum")),
            kv(
                "spec",
                Reply::Map(vec![
                    kv("keynumidx", Reply::Int(keynumidx as i64)),
                    kv("firstkey", Reply::Int(firstkey as i64)),
                    kv("keystep", Reply::Int(step as i64)),
                ]),
            ),
        ]),
    };
    Reply::Map(vec![
        kv("flags", statuses(ks.flags.iter().map(|f| key_flag(f)))),
        kv("begin_search", begin),
        kv("find_keys", find),
    ])
}

/// One command's COMMAND INFO entry.
fn command_info(cmd: &CommandSpec) -> Reply {
    let (first, last, step) = legacy_range(cmd);
    let cats = cmd.acl_categories();
    Reply::Array(vec![
        Reply::str(cmd.name),
        Reply::Int(cmd.arity as i64),
        statuses(f::NAMES.iter().filter(|(bit, _)| cmd.flags & bit != 0).map(|(_, n)| n.to_string())),
        Reply::Int(first),
        Reply::Int(last),
        Reply::Int(step),
        statuses(acl::NAMES.iter().filter(|(bit, _)| cats & bit != 0).map(|(_, n)| format!("@{n}"))),
        Reply::Set(cmd.tips.iter().map(|t| Reply::str(*t)).collect()),
        Reply::Array(cmd.key_specs.iter().map(key_spec).collect()),
        Reply::Array(cmd.subcommands.iter().map(command_info).collect()),
    ])
}

/// One command's COMMAND DOCS entry.
fn command_docs(cmd: &CommandSpec) -> Reply {
    let mut doc = vec![
        kv("summary", Reply::str(cmd.summary)),
        kv("since", Reply::str(cmd.since)),
        kv("group", Reply::str(cmd.group)),
        kv("complexity", Reply::str(cmd.complexity)),
    ];
    if !cmd.subcommands.is_empty() {
        let subs = cmd.subcommands.iter().map(|s| (Reply::str(s.name), command_docs(s))).collect();
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

fn info(_c: &mut Client, a: &[Bytes]) -> Reply {
    if a.len() == 2 {
        return all_info(_c, a);
    }
    Reply::Array(a[2..].iter().map(|n| find(n).map_or(Reply::Nil, command_info)).collect())
}

fn docs(_c: &mut Client, a: &[Bytes]) -> Reply {
    let pick: Vec<&CommandSpec> =
        if a.len() == 2 { table().commands.iter().collect() } else { a[2..].iter().filter_map(|n| find(n)).collect() };
    Reply::Map(pick.into_iter().map(|c| (Reply::str(c.name), command_docs(c))).collect())
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
    Reply::Array(table().all().filter(|c| keep(c)).map(|c| Reply::str(c.name)).collect())
}

/// The target command and its key positions for GETKEYS[ANDFLAGS].
fn target_keys(a: &[Bytes]) -> Result<(&'static CommandSpec, Vec<usize>), Reply> {
    let args = &a[2..];
    let mut cmd = lookup(&args[0]).ok_or_else(|| Reply::err("ERR Invalid command specified"))?;
    if !cmd.subcommands.is_empty() && args.len() > 1 {
        cmd = lookup_subcommand(cmd, &args[1]).ok_or_else(|| Reply::err("ERR Invalid command specified"))?;
    }
    if cmd.key_specs.is_empty() {
        return Err(Reply::err("ERR The command has no key arguments"));
    }
    if !cmd.arity_ok(args.len()) {
        return Err(Reply::err("ERR Invalid number of arguments specified for command"));
    }
    let mut idx = Vec::new();
    if key_indices(cmd, args, &mut idx).is_err() {
        return Err(Reply::err("ERR Invalid arguments specified for command"));
    }
    Ok((cmd, idx))
}

fn getkeys(_c: &mut Client, a: &[Bytes]) -> Reply {
    match target_keys(a) {
        Ok((_, idx)) => Reply::Array(idx.into_iter().map(|i| Reply::Bulk(a[2 + i].clone())).collect()),
        Err(e) => e,
    }
}

fn getkeysandflags(_c: &mut Client, a: &[Bytes]) -> Reply {
    let (cmd, idx) = match target_keys(a) {
        Ok(t) => t,
        Err(e) => return e,
    };
    // Which key spec found each key decides its flags.
    let mut out = Vec::with_capacity(idx.len());
    let mut one = Vec::new();
    for &i in &idx {
        let spec = cmd.key_specs.iter().find(|ks| {
            let single =
                CommandSpec { key_specs: vec![**ks], ..CommandSpec::new(cmd.name, cmd.arity, 0, Exec::Container) };
            key_indices(&single, &a[2..], &mut one).is_ok() && one.contains(&i)
        });
        let flags = spec.map(|ks| statuses(ks.flags.iter().map(|f| key_flag(f)))).unwrap_or(Reply::Set(Vec::new()));
        out.push(Reply::Array(vec![Reply::Bulk(a[2 + i].clone()), flags]));
    }
    Reply::Array(out)
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
