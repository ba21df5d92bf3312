//! CLIENT: the connection's own settings (ID, SETNAME, GETNAME, INFO,
//! REPLY, NO-EVICT, GETREDIR) and the node-wide view of connections (LIST,
//! KILL, PAUSE, UNPAUSE, UNBLOCK), gathered from every core's client registry.

use super::help::help;
use super::server::check_client_name;
use super::util::*;
use crate::command::spec::{acl, flags as f, CommandSpec, Exec, LocalFuture};
use crate::resp::Reply;
use crate::server::client::{Client, ClientMeta, ReplyMode};
use crate::server::pause::ClientPause;
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let base = f::NOSCRIPT | f::LOADING | f::STALE | f::SENTINEL;
    let admin = base | f::ADMIN;
    let local = |name, arity, fl, h| {
        CommandSpec::new(name, arity, fl, Exec::Client(h)).group("connection").acl(acl::CONNECTION)
    };
    let node = |name, arity, fl, h| {
        CommandSpec::new(name, arity, fl, Exec::Server(h)).group("connection").acl(acl::CONNECTION)
    };
    vec![CommandSpec::new("client", -2, 0, Exec::Container)
        .group("connection")
        .doc("2.4.0", "A container for client connection commands", "Depends on subcommand.")
        .sub(vec![
            local("client|id", 2, base, id).doc("5.0.0", "Returns the client ID for the current connection", "O(1)"),
            local("client|setname", 3, base, setname).doc("2.6.9", "Set the current connection name", "O(1)"),
            local("client|getname", 2, base, getname).doc("2.6.9", "Get the current connection name", "O(1)"),
            local("client|info", 2, base, info)
                .doc("6.2.0", "Returns information about the current client connection.", "O(1)")
                .tips(&["nondeterministic_output"]),
            node("client|list", -2, admin, list)
                .doc("2.4.0", "Get the list of client connections", "O(N) where N is the number of client connections")
                .tips(&["nondeterministic_output"]),
            node("client|kill", -3, admin, kill).doc(
                "2.4.0",
                "Kill the connection of a client",
                "O(N) where N is the number of client connections",
            ),
            local("client|reply", 3, base, reply).doc(
                "3.2.0",
                "Instruct the server whether to reply to commands",
                "O(1)",
            ),
            local("client|no-evict", 3, admin, no_evict).doc(
                "7.0.0",
                "Set client eviction mode for the current connection",
                "O(1)",
            ),
            local("client|getredir", 2, base, getredir).doc(
                "6.0.0",
                "Get tracking notifications redirection client ID if any",
                "O(1)",
            ),
            local("client|trackinginfo", 2, base, trackinginfo).doc(
                "6.2.0",
                "Return information about server assisted client side caching for the current connection",
                "O(1)",
            ),
            node("client|pause", -3, admin, pause).doc(
                "2.9.50",
                "Stop processing commands from clients for some time",
                "O(1)",
            ),
            node("client|unpause", 2, admin, unpause).doc(
                "6.2.0",
                "Resume processing of clients that were paused",
                "O(N) Where N is the number of paused clients",
            ),
            node("client|unblock", -3, admin, unblock).doc(
                "5.0.0",
                "Unblock a client blocked in a blocking command from a different connection",
                "O(log N) where N is the number of client connections",
            ),
            local("client|help", 2, f::LOADING | f::STALE | f::SENTINEL, client_help).doc(
                "5.0.0",
                "Show helpful text about the different subcommands",
                "O(1)",
            ),
        ])]
}

fn id(c: &mut Client, _a: &[Bytes]) -> Reply {
    Reply::Int(c.id as i64)
}

fn setname(c: &mut Client, a: &[Bytes]) -> Reply {
    if let Err(e) = check_client_name(&a[2]) {
        return e;
    }
    c.meta.borrow_mut().name = (!a[2].is_empty()).then(|| owned(&a[2]));
    Reply::Ok
}

fn getname(c: &mut Client, _a: &[Bytes]) -> Reply {
    match &c.meta.borrow().name {
        Some(n) => Reply::Bulk(n.clone()),
        None => Reply::Nil,
    }
}

/// Updates what CLIENT LIST shows of the caller's query buffer: while a
/// command runs, Redis's buffer still holds it.
fn note_query(c: &Client, a: &[Bytes]) {
    let digits = |n: usize| n.to_string().len();
    let size = 3 + digits(a.len()) + a.iter().map(|x| 5 + digits(x.len()) + x.len()).sum::<usize>();
    c.meta.borrow_mut().qbuf = size;
}

fn info(c: &mut Client, a: &[Bytes]) -> Reply {
    note_query(c, a);
    let mut line = c.meta.borrow().line();
    line.push('\n');
    Reply::Verbatim(Bytes::from(line))
}

/// Client types as CLIENT LIST/KILL TYPE name them; every client is a
/// normal one for now (no replication, no pub/sub).
fn type_is_normal(name: &[u8]) -> Result<bool, Reply> {
    if is(name, "normal") {
        Ok(true)
    } else if is(name, "master") || is(name, "replica") || is(name, "slave") || is(name, "pubsub") {
        Ok(false)
    } else {
        Err(Reply::err(format!("ERR Unknown client type '{}'", String::from_utf8_lossy(name))))
    }
}

/// Lines of the clients every core holds, `(id, line)` in id order;
/// `ids` keeps only those clients.
async fn gather(c: &Client, ids: Option<Vec<u64>>) -> Vec<(u64, String)> {
    let per_shard = c
        .shard
        .run_on_all(move |s| {
            let reg = s.clients.borrow();
            reg.clients
                .iter()
                .filter(|(id, _)| ids.as_ref().is_none_or(|want| want.contains(id)))
                .map(|(&id, m)| (id, m.borrow().line()))
                .collect::<Vec<_>>()
        })
        .await;
    let mut all: Vec<(u64, String)> = per_shard.into_iter().flatten().collect();
    all.sort_unstable_by_key(|(id, _)| *id);
    all
}

fn list(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let mut ids = None;
        if a.len() == 4 && is(&a[2], "type") {
            match type_is_normal(&a[3]) {
                Ok(true) => {}
                Ok(false) => return Reply::Verbatim(Bytes::new()),
                Err(e) => return e,
            }
        } else if a.len() > 3 && is(&a[2], "id") {
            let mut want = Vec::with_capacity(a.len() - 3);
            for x in &a[3..] {
                match crate::util::num::parse_i64(x) {
                    Some(n) => want.push(n as u64),
                    None => return Reply::err("ERR Invalid client ID"),
                }
            }
            ids = Some(want);
        } else if a.len() != 2 {
            return Reply::err(ERR_SYNTAX);
        }
        note_query(c, &a);
        let lines = gather(c, ids.clone()).await;
        let mut out = String::new();
        let mut push = |line: &str| {
            out.push_str(line);
            out.push('\n');
        };
        match ids {
            // Redis lists the requested ids in the order asked.
            Some(want) => {
                for id in want {
                    if let Some((_, l)) = lines.iter().find(|(i, _)| *i == id) {
                        push(l);
                    }
                }
            }
            None => lines.iter().for_each(|(_, l)| push(l)),
        }
        Reply::Verbatim(Bytes::from(out))
    })
}

/// What CLIENT KILL's filters select.
#[derive(Clone, Default)]
struct KillFilter {
    addr: Option<String>,
    laddr: Option<String>,
    id: Option<u64>,
    /// TYPE given and not `normal`: nothing matches.
    no_type_match: bool,
}

impl KillFilter {
    fn matches(&self, m: &ClientMeta) -> bool {
        !self.no_type_match
            && self.addr.as_ref().is_none_or(|a| *a == m.addr)
            && self.laddr.as_ref().is_none_or(|a| *a == m.laddr)
            && self.id.is_none_or(|id| id == m.id)
    }

    /// Parses the option, value pairs of the new form.
    fn parse(a: &[Bytes]) -> Result<(KillFilter, bool), Reply> {
        let mut k = KillFilter::default();
        let mut skipme = true;
        let text = |b: &Bytes| String::from_utf8_lossy(b).into_owned();
        let mut i = 2;
        while i < a.len() {
            let (opt, val) = match a.get(i + 1) {
                Some(v) => (&a[i], v),
                None => return Err(Reply::err(ERR_SYNTAX)),
            };
            if is(opt, "id") {
                match crate::util::num::parse_i64(val) {
                    Some(n) if n > 0 => k.id = Some(n as u64),
                    _ => return Err(Reply::err("ERR client-id should be greater than 0")),
                }
            } else if is(opt, "type") {
                k.no_type_match = !type_is_normal(val)?;
            } else if is(opt, "addr") {
                k.addr = Some(text(val));
            } else if is(opt, "laddr") {
                k.laddr = Some(text(val));
            } else if is(opt, "user") {
                if val.as_ref() != b"default" {
                    return Err(Reply::err(format!("ERR No such user '{}'", text(val))));
                }
            } else if is(opt, "skipme") {
                skipme = if is(val, "yes") {
                    true
                } else if is(val, "no") {
                    false
                } else {
                    return Err(Reply::err(ERR_SYNTAX));
                };
            } else {
                return Err(Reply::err(ERR_SYNTAX));
            }
            i += 2;
        }
        Ok((k, skipme))
    }
}

fn kill(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let old_form = a.len() == 3;
        let (filter, skipme) = if old_form {
            // CLIENT KILL ip:port, which may kill the caller itself.
            let addr = String::from_utf8_lossy(&a[2]).into_owned();
            (KillFilter { addr: Some(addr), ..Default::default() }, false)
        } else {
            match KillFilter::parse(&a) {
                Ok(p) => p,
                Err(e) => return e,
            }
        };
        let me = c.id;
        let f = filter.clone();
        let others: usize = c
            .shard
            .run_on_all(move |s| {
                let reg = s.clients.borrow();
                let mut n = 0;
                for (_, m) in reg.clients.iter().filter(|(&id, _)| id != me) {
                    let mut m = m.borrow_mut();
                    if !m.killed && f.matches(&m) {
                        m.kill();
                        n += 1;
                    }
                }
                n
            })
            .await
            .into_iter()
            .sum();
        // The caller is closed once its reply is written.
        let me_too = !skipme && filter.matches(&c.meta.borrow());
        if me_too {
            c.close_after_reply = true;
        }
        let killed = others + me_too as usize;
        if !old_form {
            Reply::Int(killed as i64)
        } else if killed == 0 {
            Reply::err("ERR No such client")
        } else {
            Reply::Ok
        }
    })
}

/// Nothing is written for CLIENT REPLY OFF/SKIP.
fn no_reply() -> Reply {
    Reply::Raw(Bytes::new())
}

fn reply(c: &mut Client, a: &[Bytes]) -> Reply {
    if is(&a[2], "on") {
        c.reply_mode = ReplyMode::On;
        Reply::Ok
    } else if is(&a[2], "off") {
        c.reply_mode = ReplyMode::Off;
        no_reply()
    } else if is(&a[2], "skip") {
        if c.reply_mode != ReplyMode::Off {
            c.reply_mode = ReplyMode::SkipNext;
        }
        no_reply()
    } else {
        Reply::err(ERR_SYNTAX)
    }
}

fn no_evict(c: &mut Client, a: &[Bytes]) -> Reply {
    let on = if is(&a[2], "on") {
        true
    } else if is(&a[2], "off") {
        false
    } else {
        return Reply::err(ERR_SYNTAX);
    };
    c.meta.borrow_mut().no_evict = on;
    Reply::Ok
}

/// Client-side caching is not implemented: never redirecting.
fn getredir(_c: &mut Client, _a: &[Bytes]) -> Reply {
    Reply::Int(-1)
}

/// Client-side caching is not implemented: tracking is off.
fn trackinginfo(_c: &mut Client, _a: &[Bytes]) -> Reply {
    Reply::Map(vec![
        (Reply::str("flags"), Reply::Set(vec![Reply::str("off")])),
        (Reply::str("redirect"), Reply::Int(-1)),
        (Reply::str("prefixes"), Reply::Array(Vec::new())),
    ])
}

/// Gives every core the same pause: `p` combined with the current one, or
/// none at all.
async fn set_pause(c: &Client, p: Option<ClientPause>) {
    c.shard
        .run_on_all(move |s| {
            let now = crate::shard::expire::now_ms();
            let next = p.map_or_else(ClientPause::default, |p| s.pause.get().merge(p, now));
            crate::server::pause::apply(s, next);
        })
        .await;
}

fn pause(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        if a.len() > 4 {
            return Reply::err("ERR unknown subcommand or wrong number of arguments for 'pause'. Try CLIENT HELP.");
        }
        let write_only = match a.get(3) {
            None => false,
            Some(m) if is(m, "write") => true,
            Some(m) if is(m, "all") => false,
            Some(_) => return Reply::err("ERR CLIENT PAUSE mode must be WRITE or ALL"),
        };
        let ms = match crate::util::num::parse_i64(&a[2]) {
            Some(ms) if ms < 0 => return Reply::err("ERR timeout is negative"),
            Some(ms) => ms as u64,
            None => return Reply::err("ERR timeout is not an integer or out of range"),
        };
        let until = if ms == 0 { 0 } else { crate::shard::expire::now_ms().saturating_add(ms) };
        set_pause(c, Some(ClientPause { until, write_only })).await;
        Reply::Ok
    })
}

fn unpause(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        set_pause(c, None).await;
        Reply::Ok
    })
}

fn unblock(c: &mut Client, a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        if a.len() > 4 {
            return Reply::err("ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.");
        }
        let error = match a.get(3) {
            None => false,
            Some(m) if is(m, "timeout") => false,
            Some(m) if is(m, "error") => true,
            Some(_) => return Reply::err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"),
        };
        let id = match int_arg(&a[2]) {
            Ok(id) => id as u64,
            Err(e) => return e,
        };
        let done = c.shard.run_on_all(move |s| crate::server::blocking::unblock(s, id, error)).await;
        Reply::Int(done.contains(&true) as i64)
    })
}

fn client_help(_c: &mut Client, _a: &[Bytes]) -> Reply {
    help(
        "CLIENT",
        &[
            "GETREDIR",
            "    Return the client ID we are redirecting to when tracking is enabled.",
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "UNPAUSE",
            "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Suspend all, or just write, clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "TRACKINGINFO",
            "    Report tracking status for the current connection.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
        ],
    )
}
