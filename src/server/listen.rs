//! The shards' listening sockets: the addresses `bind` and `port` name,
//! binding them on every shard (they share the port with SO_REUSEPORT),
//! and replacing them at runtime (CONFIG SET port / bind) in two steps, so
//! that a port that cannot be had leaves the old listeners in place.

use super::shard::Shard;
use glommio::net::TcpListener;
use glommio::Task;
use std::cell::RefCell;
use std::mem::ManuallyDrop;
use std::rc::Rc;

thread_local! {
    /// This shard's accept loops; dropping one stops it. Never dropped with
    /// the thread: a task may only be cancelled while its executor runs.
    static ACCEPTING: RefCell<ManuallyDrop<Vec<Task<()>>>> = RefCell::default();
    /// Listeners bound by `prepare`, waiting for `commit` or `abort`.
    static PREPARED: RefCell<Vec<TcpListener>> = RefCell::default();
}

/// An address to listen on; an optional one (`-` before it in `bind`) may
/// fail to bind without failing the others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub addr: String,
    pub optional: bool,
}

/// The socket addresses `bind` and `port` name (none for port 0).
pub fn addresses(binds: &[String], port: u16) -> Vec<Address> {
    if port == 0 {
        return Vec::new();
    }
    binds
        .iter()
        .map(|b| {
            let ip = b.trim_start_matches('-');
            let addr = if ip.contains(':') { format!("[{ip}]:{port}") } else { format!("{ip}:{port}") };
            Address { addr, optional: b.starts_with('-') }
        })
        .collect()
}

/// The first address something already accepts connections on (a
/// wildcard address is asked through loopback). Binding cannot tell: the
/// shards' sockets share ports, and so would another Clover's.
pub fn taken(addrs: &[Address]) -> Option<&str> {
    use std::net::{SocketAddr, ToSocketAddrs};
    addrs.iter().map(|a| a.addr.as_str()).find(|addr| {
        let Some(mut sa) = addr.to_socket_addrs().ok().and_then(|mut a| a.next()) else { return false };
        if sa.ip().is_unspecified() {
            let ip = if sa.is_ipv4() { "127.0.0.1".parse().ok() } else { "::1".parse().ok() };
            let Some(ip) = ip else { return false };
            sa = SocketAddr::new(ip, sa.port());
        }
        std::net::TcpStream::connect_timeout(&sa, std::time::Duration::from_millis(500)).is_ok()
    })
}

/// Binds every address; an optional one that fails is left out. The error
/// names the address and the reason.
pub fn bind(addrs: &[Address]) -> Result<Vec<TcpListener>, String> {
    let mut listeners = Vec::with_capacity(addrs.len());
    for a in addrs {
        match TcpListener::bind(a.addr.as_str()) {
            Ok(l) => listeners.push(l),
            Err(_) if a.optional => {}
            Err(e) => return Err(format!("{}: {e}", a.addr)),
        }
    }
    Ok(listeners)
}

/// Accepts on `listeners` from now on, instead of this shard's previous
/// listeners.
pub fn serve(shard: &Rc<Shard>, listeners: Vec<TcpListener>) {
    let tasks: Vec<Task<()>> =
        listeners.into_iter().map(|l| glommio::spawn_local(super::conn::accept_loop(shard.clone(), l))).collect();
    let old = ACCEPTING.with(|a| std::mem::replace(&mut *a.borrow_mut(), ManuallyDrop::new(tasks)));
    drop(ManuallyDrop::into_inner(old));
}

/// First step of a change: binds the new addresses on this shard and
/// holds them.
pub fn prepare(addrs: &[Address]) -> Result<(), String> {
    let listeners = bind(addrs)?;
    PREPARED.with(|p| *p.borrow_mut() = listeners);
    Ok(())
}

/// Second step, once every shard prepared: serve the new listeners.
pub fn commit(shard: &Rc<Shard>) {
    serve(shard, PREPARED.with(|p| p.take()));
}

/// Second step when a shard could not prepare: drop the new listeners.
pub fn abort() {
    PREPARED.with(|p| p.take());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_of_bind_and_port() {
        let binds = vec!["127.0.0.1".to_string(), "-::1".to_string()];
        assert_eq!(
            addresses(&binds, 7000),
            vec![
                Address { addr: "127.0.0.1:7000".into(), optional: false },
                Address { addr: "[::1]:7000".into(), optional: true }
            ]
        );
        assert!(addresses(&binds, 0).is_empty());
    }
}
