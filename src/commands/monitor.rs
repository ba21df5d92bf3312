//! MONITOR: the connection starts receiving every command the server runs.

use crate::command::spec::{flags as f, CommandSpec, Exec, LocalFuture};
use crate::resp::Reply;
use crate::server::client::Client;
use bytes::Bytes;

pub fn commands() -> Vec<CommandSpec> {
    vec![CommandSpec::new("monitor", 1, f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE, Exec::Server(monitor))
        .group("server")
        .doc("1.0.0", "Listen for all requests received by the server in real time", "")]
}

fn monitor(c: &mut Client, _a: Vec<Bytes>) -> LocalFuture<'_> {
    Box::pin(async move {
        if c.monitor.is_some() {
            // Already monitoring: Redis ignores the command without a reply.
            return Reply::Raw(Bytes::new());
        }
        c.monitor = Some(crate::server::monitor::start(c).await);
        Reply::Ok
    })
}
