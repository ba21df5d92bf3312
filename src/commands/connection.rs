//! Connection commands: PING, ECHO, SELECT, AUTH, HELLO, QUIT, RESET.

use super::util::*;
use crate::command::spec::{acl, flags as f, CommandSpec, Exec, LocalFuture};
use crate::resp::Reply;
use crate::server::client::{Client, ReplyMode};
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let c = |name, arity, fl, h| {
        CommandSpec::new(name, arity, fl, Exec::Client(h)).group("connection").acl(acl::CONNECTION)
    };
    vec![
        c("ping", -1, f::FAST | f::SENTINEL, ping).doc("1.0.0", "Ping the server", "O(1)"),
        c("echo", 2, f::FAST, echo).doc("1.0.0", "Echo the given string", "O(1)"),
        c("select", 2, f::LOADING | f::STALE | f::FAST, select).doc(
            "1.0.0",
            "Change the selected database for the current connection",
            "O(1)",
        ),
        c("quit", -1, f::ALLOW_BUSY | f::NOSCRIPT | f::LOADING | f::STALE | f::FAST | f::NO_AUTH, quit).doc(
            "1.0.0",
            "Close the connection",
            "O(1)",
        ),
        c("auth", -2, f::NOSCRIPT | f::LOADING | f::STALE | f::FAST | f::NO_AUTH | f::SENTINEL | f::ALLOW_BUSY, auth)
            .doc("1.0.0", "Authenticate to the server", "O(N) where N is the number of passwords defined for the user"),
        c("hello", -1, f::NOSCRIPT | f::LOADING | f::STALE | f::FAST | f::NO_AUTH | f::SENTINEL | f::ALLOW_BUSY, hello)
            .doc("6.0.0", "Handshake with Redis", "O(1)"),
        CommandSpec::new(
            "reset",
            1,
            f::NOSCRIPT | f::LOADING | f::STALE | f::FAST | f::NO_AUTH | f::ALLOW_BUSY,
            Exec::Server(reset),
        )
        .group("connection")
        .acl(acl::CONNECTION)
        .doc("6.2.0", "Reset the connection", "O(1)"),
    ]
}

fn ping(_c: &mut Client, a: &[Bytes]) -> Reply {
    match a.len() {
        1 => Reply::status("PONG"),
        2 => Reply::Bulk(a[1].clone()),
        _ => Reply::err("ERR wrong number of arguments for 'ping' command"),
    }
}

fn echo(_c: &mut Client, a: &[Bytes]) -> Reply {
    Reply::Bulk(a[1].clone())
}

fn select(c: &mut Client, a: &[Bytes]) -> Reply {
    let Some(n) = crate::util::num::parse_i64(&a[1]) else {
        return Reply::err(ERR_NOT_INT);
    };
    if n < 0 || n as usize >= c.shard.settings.borrow().databases {
        return Reply::err(ERR_DB_INDEX);
    }
    c.select(n as usize);
    Reply::Ok
}

fn quit(c: &mut Client, _a: &[Bytes]) -> Reply {
    c.close_after_reply = true;
    Reply::Ok
}

/// Checks a password against requirepass (the default user).
fn check_password(c: &mut Client, user: Option<&[u8]>, pass: &[u8]) -> Reply {
    let required = c.shard.settings.borrow().requirepass.clone();
    if user.is_some_and(|u| u != b"default") {
        return Reply::err("WRONGPASS invalid username-password pair or user is disabled.");
    }
    match required {
        Some(p) if p.as_ref() == pass => {
            c.authenticated = true;
            Reply::Ok
        }
        None if user.is_none() => Reply::err(
            "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
        ),
        None => {
            c.authenticated = true;
            Reply::Ok
        }
        Some(_) => Reply::err("WRONGPASS invalid username-password pair or user is disabled."),
    }
}

fn auth(c: &mut Client, a: &[Bytes]) -> Reply {
    match a.len() {
        2 => check_password(c, None, &a[1]),
        3 => check_password(c, Some(&a[1]), &a[2]),
        _ => Reply::err(ERR_SYNTAX),
    }
}

fn hello(c: &mut Client, a: &[Bytes]) -> Reply {
    let mut proto = if c.resp3 { 3 } else { 2 };
    let mut i = 1;
    if a.len() > 1 {
        match crate::util::num::parse_i64(&a[1]) {
            Some(v) if v == 2 || v == 3 => proto = v,
            Some(_) => return Reply::err("NOPROTO unsupported protocol version"),
            None => return Reply::err("ERR Protocol version is not an integer or out of range"),
        }
        i = 2;
    }
    let mut setname = None;
    while i < a.len() {
        let more = a.len() - i - 1;
        if is(&a[i], "auth") && more >= 2 {
            let r = check_password(c, Some(&a[i + 1]), &a[i + 2]);
            if r.is_error() {
                return r;
            }
            i += 3;
        } else if is(&a[i], "setname") && more >= 1 {
            setname = Some(a[i + 1].clone());
            i += 2;
        } else {
            return Reply::err(format!("ERR Syntax error in HELLO option '{}'", String::from_utf8_lossy(&a[i])));
        }
    }
    if !c.authenticated {
        return Reply::err("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
    }
    if let Some(name) = setname {
        if let Err(e) = super::server::check_client_name(&name) {
            return e;
        }
        c.meta.borrow_mut().name = (!name.is_empty()).then_some(name);
    }
    c.resp3 = proto == 3;
    c.meta.borrow_mut().resp = proto as u8;
    Reply::Map(vec![
        (Reply::str("server"), Reply::str("redis")),
        (Reply::str("version"), Reply::str("7.0.15")),
        (Reply::str("proto"), Reply::Int(proto)),
        (Reply::str("id"), Reply::Int(c.id as i64)),
        (Reply::str("mode"), Reply::str("standalone")),
        (Reply::str("role"), Reply::str("master")),
        (Reply::str("modules"), Reply::Array(vec![])),
    ])
}

/// RESET: back to a fresh connection's state, leaving MONITOR mode too.
fn reset(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        if c.monitor.take().is_some() {
            crate::server::monitor::stop(&c.shard, c.id).await;
            c.meta.borrow_mut().monitor = false;
        }
        c.select(0);
        c.resp3 = false;
        c.reply_mode = ReplyMode::On;
        c.multi = None;
        c.authenticated = c.shard.settings.borrow().requirepass.is_none();
        {
            let mut m = c.meta.borrow_mut();
            m.name = None;
            m.resp = 2;
            m.no_evict = false;
        }
        Reply::status("RESET")
    })
}
