//! Reads and writes on a client socket, made as plain non-blocking system
//! calls. libc's `recv` and `send` are thread-cancellation points, which
//! wrap every call in two more function calls that Clover never needs (it
//! cancels no threads); at one read and one write per request those cost
//! about 1 % of a request's CPU at `redis-benchmark -P 1`.

use super::idle::outside;
use bytes::BytesMut;
use futures_lite::AsyncWriteExt;
use glommio::net::TcpStream;
use std::io;
use std::os::unix::io::{AsRawFd, RawFd};

/// Retries a call interrupted by a signal; None when the socket would
/// block.
fn nonblocking(mut call: impl FnMut() -> libc::c_long) -> Option<io::Result<usize>> {
    loop {
        let n = call();
        if n >= 0 {
            return Some(Ok(n as usize));
        }
        let e = io::Error::last_os_error();
        match e.kind() {
            io::ErrorKind::WouldBlock => return None,
            io::ErrorKind::Interrupted => continue,
            _ => return Some(Err(e)),
        }
    }
}

/// One read into the spare capacity of `buf`, which grows by what was
/// read: None when the socket has nothing to read.
pub fn recv_now(fd: RawFd, buf: &mut BytesMut) -> Option<io::Result<usize>> {
    let len = buf.len();
    let spare = buf.capacity() - len;
    // SAFETY: the kernel writes at most `spare` bytes into the buffer's
    // spare capacity (no address is asked for).
    let read = nonblocking(|| unsafe {
        let to = buf.as_mut_ptr().add(len);
        libc::syscall(libc::SYS_recvfrom, fd, to, spare, libc::MSG_DONTWAIT, 0usize, 0usize)
    });
    if let Some(Ok(n)) = read {
        // SAFETY: the kernel initialised these `n` bytes.
        unsafe { buf.set_len(len + n) };
    }
    read
}

/// One write of as much of `bytes` as the socket takes: None when it
/// takes nothing now.
pub fn send_now(fd: RawFd, bytes: &[u8]) -> Option<io::Result<usize>> {
    let flags = libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL;
    // SAFETY: the kernel only reads `bytes` (no address is given).
    nonblocking(|| unsafe { libc::syscall(libc::SYS_sendto, fd, bytes.as_ptr(), bytes.len(), flags, 0usize, 0usize) })
}

/// Writes all of `bytes`: straight to the socket, which almost always
/// takes the whole of it; what it does not take goes through glommio,
/// which waits until the socket has room (`outside`).
pub async fn write_all(stream: &mut TcpStream, bytes: &[u8]) -> io::Result<()> {
    let sent = match send_now(stream.as_raw_fd(), bytes) {
        Some(n) => n?,
        None => 0,
    };
    if sent < bytes.len() {
        outside(stream.write_all(&bytes[sent..])).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::unix::io::AsRawFd;
    use std::os::unix::net::UnixStream;

    #[test]
    fn recv_now_reads_what_is_there_and_says_when_nothing_is() {
        let (mut a, b) = UnixStream::pair().unwrap();
        let mut buf = BytesMut::with_capacity(16);
        assert!(recv_now(b.as_raw_fd(), &mut buf).is_none());
        a.write_all(b"PING\r\n").unwrap();
        assert_eq!(recv_now(b.as_raw_fd(), &mut buf).unwrap().unwrap(), 6);
        assert_eq!(&buf[..], b"PING\r\n");
        // Appends after what the buffer holds.
        a.write_all(b"x").unwrap();
        assert_eq!(recv_now(b.as_raw_fd(), &mut buf).unwrap().unwrap(), 1);
        assert_eq!(&buf[..], b"PING\r\nx");
        drop(a);
        assert_eq!(recv_now(b.as_raw_fd(), &mut buf).unwrap().unwrap(), 0);
    }

    #[test]
    fn send_now_takes_what_fits_then_nothing_and_fails_on_a_closed_peer() {
        let (mut a, b) = UnixStream::pair().unwrap();
        assert_eq!(send_now(b.as_raw_fd(), b"+OK\r\n").unwrap().unwrap(), 5);
        let mut got = [0u8; 5];
        a.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"+OK\r\n");
        // Fill the socket until it takes nothing more.
        let chunk = vec![b'x'; 64 * 1024];
        let mut sent = 0usize;
        let full = loop {
            match send_now(b.as_raw_fd(), &chunk) {
                Some(Ok(n)) => sent += n,
                None => break true,
                Some(Err(e)) => panic!("{e}"),
            }
            if sent > 64 << 20 {
                break false;
            }
        };
        assert!(full && sent > 0);
        drop(a);
        // No SIGPIPE: the error comes back instead.
        assert!(send_now(b.as_raw_fd(), b"+OK\r\n").unwrap().is_err());
    }
}
