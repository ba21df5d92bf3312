//! Transactions: MULTI, EXEC, DISCARD.

use crate::command::spec::{acl, flags as f, CommandSpec, Exec, LocalFuture};
use crate::resp::Reply;
use crate::server::client::Client;
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    let t = |name, fl, exec| CommandSpec::new(name, 1, fl, exec).group("transactions").acl(acl::TRANSACTION);
    vec![
        t("multi", f::NOSCRIPT | f::LOADING | f::STALE | f::FAST | f::ALLOW_BUSY, Exec::Client(multi)).doc(
            "1.2.0",
            "Mark the start of a transaction block",
            "O(1)",
        ),
        t("exec", f::NOSCRIPT | f::LOADING | f::STALE | f::SKIP_SLOWLOG, Exec::Server(exec)).doc(
            "1.2.0",
            "Execute all commands issued after MULTI",
            "Depends on commands in the transaction",
        ),
        t("discard", f::NOSCRIPT | f::LOADING | f::STALE | f::FAST | f::ALLOW_BUSY, Exec::Client(discard)).doc(
            "2.0.0",
            "Discard all commands issued after MULTI",
            "O(N), when N is the number of queued commands",
        ),
    ]
}

fn multi(c: &mut Client, _a: &[Bytes]) -> Reply {
    if c.multi.is_some() {
        return Reply::err("ERR MULTI calls can not be nested");
    }
    c.multi = Some(Default::default());
    Reply::Ok
}

fn discard(c: &mut Client, _a: &[Bytes]) -> Reply {
    match c.multi.take() {
        Some(_) => Reply::Ok,
        None => Reply::err("ERR DISCARD without MULTI"),
    }
}

fn exec(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        let Some(m) = c.multi.take() else {
            return Reply::err("ERR EXEC without MULTI");
        };
        if m.aborted {
            return Reply::err("EXECABORT Transaction discarded because of previous errors.");
        }
        let ids: Vec<usize> = m.queued.iter().map(|(cmd, _)| cmd.id).collect();
        let replies = crate::server::multi::exec(c, m.queued).await;
        // Errors of the queued commands count for them, as if run alone.
        let mut stats = c.shard.stats.borrow_mut();
        for (reply, id) in replies.iter().zip(ids) {
            if let Reply::Error(e) = reply {
                stats.error(e, Some(id), false);
            }
        }
        drop(stats);
        Reply::Array(replies)
    })
}
