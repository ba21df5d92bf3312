//! FUNCTION: Redis 7 function libraries. Clover has no scripting engine yet,
//! so no library can be loaded; FLUSH and LIST answer for the empty set of
//! libraries (test runners and client libraries call them), the rest is
//! refused with Redis's error for a missing engine.

use crate::command::spec::{acl, flags as f, CommandSpec, Exec};
use crate::resp::Reply;
use crate::server::client::Client;
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let sub =
        |name, arity, fl, h| CommandSpec::new(name, arity, fl, Exec::Client(h)).group("scripting").acl(acl::SCRIPTING);
    vec![CommandSpec::new("function", -2, 0, Exec::Container)
        .group("scripting")
        .doc("7.0.0", "A container for function commands", "Depends on subcommand.")
        .sub(vec![
            sub("function|flush", -2, f::WRITE | f::NOSCRIPT, flush).doc(
                "7.0.0",
                "Deleting all functions",
                "O(N) where N is the number of functions deleted",
            ),
            sub("function|list", -2, f::NOSCRIPT, list).doc(
                "7.0.0",
                "List information about all the functions",
                "O(N) where N is the number of functions",
            ),
            sub("function|load", -3, f::WRITE | f::DENYOOM | f::NOSCRIPT, load).doc(
                "7.0.0",
                "Create a function with the given arguments (name, code, description)",
                "O(1) (considering compilation time is redundant)",
            ),
        ])]
}

fn flush(_c: &mut Client, a: &[Bytes]) -> Reply {
    match a.len() {
        2 => Reply::Ok,
        3 if a[2].eq_ignore_ascii_case(b"async") || a[2].eq_ignore_ascii_case(b"sync") => Reply::Ok,
        3 => Reply::err("ERR FUNCTION FLUSH only supports SYNC|ASYNC option"),
        _ => Reply::err("ERR wrong number of arguments for 'function|flush' command"),
    }
}

fn list(_c: &mut Client, _a: &[Bytes]) -> Reply {
    Reply::Array(Vec::new())
}

fn load(_c: &mut Client, _a: &[Bytes]) -> Reply {
    Reply::err("ERR Engine 'lua' not found")
}
