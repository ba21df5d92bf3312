//! The shards' listening sockets: the addresses `bind` and `port` name,
//! binding them on every shard (they share the port with SO_REUSEPORT),
//! and replacing them at runtime (CONFIG SET port / bind) in two steps, so
//! that a port that cannot be had leaves the old listeners in place.

use super::shard::Shard;
use glommio::net::TcpListener;
use glommio::Task;
use socket2::{Domain, Protocol, Socket, Type};
use std::cell::RefCell;
use std::mem::ManuallyDrop;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::os::fd::{FromRawFd, IntoRawFd};
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
            // "*" and "::*" are Redis's names for every IPv4 / IPv6 address.
            let ip = match b.trim_start_matches('-') {
                "*" => "0.0.0.0",
                "::*" => "::",
                ip => ip,
            };
            let addr = if ip.contains(':') { format!("[{ip}]:{port}") } else { format!("{ip}:{port}") };
            Address { addr, optional: b.starts_with('-') }
        })
        .collect()
}

/// The first address another socket already listens on, as the kernel's
/// table of TCP sockets shows (binding cannot tell: the shards' sockets
/// share ports with SO_REUSEPORT, and so could another Clover's; asking
/// the port by connecting would disturb whatever listens there).
pub fn taken(addrs: &[Address]) -> Option<&str> {
    let listening: Vec<SocketAddr> = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .flat_map(|table| table.lines().skip(1).filter_map(listening_socket).collect::<Vec<_>>())
        .collect();
    addrs.iter().map(|a| a.addr.as_str()).find(|addr| {
        let Ok(mine) = addr.parse::<SocketAddr>() else { return false };
        listening.iter().any(|l| {
            l.port() == mine.port() && (l.ip() == mine.ip() || l.ip().is_unspecified() || mine.ip().is_unspecified())
        })
    })
}

/// The local address of a listening socket's line of /proc/net/tcp{,6}
/// ("sl local_address rem_address st ...", addresses as hex words in host
/// byte order, state 0A = LISTEN).
fn listening_socket(line: &str) -> Option<SocketAddr> {
    let mut fields = line.split_whitespace();
    let local = fields.nth(1)?;
    if fields.nth(1)? != "0A" {
        return None;
    }
    let (ip, port) = local.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let mut bytes = Vec::with_capacity(16);
    for word in ip.as_bytes().chunks(8) {
        let word = u32::from_str_radix(std::str::from_utf8(word).ok()?, 16).ok()?;
        bytes.extend_from_slice(&word.to_le_bytes());
    }
    let ip: IpAddr = match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok()?.into(),
        16 => <[u8; 16]>::try_from(bytes).ok()?.into(),
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// Binds every address; an optional one that fails is left out. The error
/// names the address and the reason.
pub fn bind(addrs: &[Address]) -> Result<Vec<TcpListener>, String> {
    let mut listeners = Vec::with_capacity(addrs.len());
    for a in addrs {
        // Resolved here: glommio's bind panics on a name it cannot resolve.
        let bound = match a.addr.to_socket_addrs().map(|mut it| it.next()) {
            Ok(Some(sa)) => listen_on(sa).map_err(|e| e.to_string()),
            Ok(None) => Err("no address".to_string()),
            Err(e) => Err(e.to_string()),
        };
        match bound {
            Ok(l) => listeners.push(l),
            Err(_) if a.optional => {}
            Err(e) => return Err(format!("{}: {e}", a.addr)),
        }
    }
    Ok(listeners)
}

/// A listening socket on `addr`, sharing its port with the other shards'
/// (SO_REUSEPORT), as glommio's `TcpListener::bind` makes it; the shard's
/// dispatcher watches it too, to wake glommio for a new connection.
fn listen_on(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let domain = if addr.is_ipv6() { Domain::IPV6 } else { Domain::IPV4 };
    let socket = Socket::new(domain, Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_port(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    let fd = socket.into_raw_fd();
    super::ready::watch_listener(fd);
    // SAFETY: a listening socket nothing else owns.
    Ok(unsafe { TcpListener::from_raw_fd(fd) })
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
        let any = addresses(&["*".to_string(), "-::*".to_string()], 1);
        assert_eq!((any[0].addr.as_str(), any[1].addr.as_str()), ("0.0.0.0:1", "[::]:1"));
    }

    #[test]
    fn kernel_socket_table_lines() {
        let v4 = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1";
        assert_eq!(listening_socket(v4), Some("127.0.0.1:8080".parse().unwrap()));
        let established = v4.replace(" 0A ", " 01 ");
        assert_eq!(listening_socket(&established), None);
        let v6 = "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 0 0 0";
        assert_eq!(listening_socket(v6), Some("[::1]:8080".parse().unwrap()));
    }

    #[test]
    fn a_listening_port_is_taken() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let binds = ["127.0.0.1".to_string()];
        assert!(taken(&addresses(&binds, port)).is_some());
        assert!(taken(&addresses(&["0.0.0.0".to_string()], port)).is_some());
        drop(l);
        assert!(taken(&addresses(&binds, port)).is_none());
    }
}
