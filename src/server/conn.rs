//! Listeners and connection tasks. Every shard accepts on the same ports
//! (SO_REUSEPORT) and keeps the connections it accepts: it reads requests,
//! runs them through the pipeline, and writes the replies back.

use super::client::{Client, ClientMeta};
use super::dispatch::Pipeline;
use super::querybuf::{self, make_room, Peak, READ_ROOM};
use super::ready::Registration;
use super::shard::Shard;
use super::sock::{recv_now, write_all};
use crate::resp::parse::Limits;
use crate::resp::RequestParser;
use bytes::BytesMut;
use futures_lite::{AsyncReadExt, AsyncWriteExt};
use glommio::net::{TcpListener, TcpStream};
use std::cell::RefCell;
use std::os::unix::io::AsRawFd;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// Most bytes taken from a socket in one turn, however fast it fills.
const TURN_READ_MAX: usize = 256 * 1024;

/// What a non-loopback client gets when protected mode is on and the
/// default user has no password (Redis's reply, word for word, since
/// clients and operators match on it).
const PROTECTED_MODE_DENIED: &str = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

/// Accepts connections on `listener` until shutdown.
pub async fn accept_loop(shard: Rc<Shard>, listener: TcpListener) {
    loop {
        let stream = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                if shard.shared.shutting_down.load(Ordering::Relaxed) {
                    return;
                }
                crate::warning!("Accepting client connection: {e}");
                glommio::timer::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        let s = shard.clone();
        glommio::spawn_local(async move { serve(s, stream).await }).detach();
    }
}

/// Serves one connection until it closes.
async fn serve(shard: Rc<Shard>, mut stream: TcpStream) {
    let shared = shard.shared.clone();
    shared.total_connections.fetch_add(1, Ordering::Relaxed);
    let settings = shard.settings();
    let connected = shared.connected_clients.fetch_add(1, Ordering::Relaxed) + 1;
    if connected > settings.maxclients {
        shared.connected_clients.fetch_sub(1, Ordering::Relaxed);
        shared.rejected_connections.fetch_add(1, Ordering::Relaxed);
        let _ = write_all(&mut stream, b"-ERR max number of clients reached\r\n").await;
        return;
    }
    let _ = stream.set_nodelay(true);
    let peer = stream.peer_addr().ok();
    if settings.protected_mode && settings.requirepass.is_none() && !peer.is_some_and(|p| p.ip().is_loopback()) {
        shared.connected_clients.fetch_sub(1, Ordering::Relaxed);
        let _ = write_all(&mut stream, PROTECTED_MODE_DENIED.as_bytes()).await;
        return;
    }
    let addr = peer.map(|a| a.to_string()).unwrap_or_default();
    let laddr = stream.local_addr().map(|a| a.to_string()).unwrap_or_default();
    let id = shared.next_client_id();
    let now = Instant::now();
    let input = Registration::new(stream.as_raw_fd()).ok();
    let meta = Rc::new(RefCell::new(ClientMeta {
        id,
        addr,
        laddr,
        fd: stream.as_raw_fd(),
        name: None,
        db: 0,
        created: now,
        last_interaction: crate::shard::expire::now_ms(),
        last_cmd: "",
        qbuf: 0,
        qbuf_alloc: 0,
        nudge: input.as_ref().map(Registration::nudge),
        resp: 2,
        no_evict: false,
        monitor: false,
        killed: false,
        blocked: None,
    }));
    shard.clients.borrow_mut().clients.insert(id, meta.clone());
    let mut client = Client::new(shard.clone(), meta.clone());
    run(&mut client, &mut stream, input.as_ref()).await;
    drop(input);
    shard.clients.borrow_mut().clients.remove(&id);
    if client.monitor.is_some() {
        super::monitor::stop(&shard, id).await;
    }
    shared.connected_clients.fetch_sub(1, Ordering::Relaxed);
    let _ = stream.close().await;
}

/// Reads what the socket has into the free space of `buf` (growing it when
/// short of room) without zeroing that space first. With a readiness
/// registration the socket is read directly when the shard's epoll instance
/// reported input (see `ready`), and read again while each read fills the
/// buffer, up to `TURN_READ_MAX`: a pipeline larger than the buffer is then
/// executed in one turn and answered with one write, not split in two.
/// Without a registration, one read through glommio. A nudge while waiting
/// (from the cron, when the connection is idle) gives the buffer's free
/// space back.
async fn read_some(
    stream: &mut TcpStream,
    input: Option<&Registration>,
    buf: &mut BytesMut,
    meta: &RefCell<ClientMeta>,
) -> std::io::Result<usize> {
    let Some(input) = input else {
        make_room(buf);
        let len = buf.len();
        let spare = buf.capacity() - len;
        // SAFETY: the slice covers the buffer's spare capacity, which `read`
        // only writes; the length grows only by what it reported written, so
        // a read dropped half-way (MONITOR's select) leaves the buffer as it
        // was.
        let free = unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().add(len), spare) };
        let n = stream.read(free).await?;
        unsafe { buf.set_len(len + n) };
        return Ok(n);
    };
    let fd = stream.as_raw_fd();
    loop {
        if input.take() {
            make_room(buf);
            let mut total = 0;
            loop {
                let spare = buf.capacity() - buf.len();
                match recv_now(fd, buf) {
                    Some(Ok(n)) => {
                        total += n;
                        if n == spare {
                            if total < TURN_READ_MAX {
                                make_room(buf);
                                continue;
                            }
                            // There may be more, which will not be reported
                            // again.
                            input.keep();
                        } else if n == 0 && total > 0 {
                            // End of file after data: the next call sees it.
                            input.keep();
                        }
                        return Ok(total);
                    }
                    Some(Err(e)) if total == 0 => return Err(e),
                    Some(Err(_)) => {
                        input.keep();
                        return Ok(total);
                    }
                    None if total > 0 => return Ok(total),
                    None => break,
                }
            }
        }
        if input.take_nudge() {
            querybuf::release(buf);
            meta.borrow_mut().qbuf_alloc = buf.capacity();
        }
        input.wait().await;
    }
}

/// What woke a monitoring connection.
enum Event {
    Read(std::io::Result<usize>),
    Line(Option<bytes::Bytes>),
}

/// Reads from the socket; for a MONITOR client, also writes the command
/// lines that arrive meanwhile. Returns the number of bytes read.
async fn next_read(
    client: &mut Client,
    stream: &mut TcpStream,
    input: Option<&Registration>,
    buf: &mut BytesMut,
) -> std::io::Result<usize> {
    let meta = &client.meta;
    let Some(lines) = client.monitor.take() else {
        return read_some(stream, input, buf, meta).await;
    };
    let result = loop {
        let event = futures_lite::future::or(async { Event::Line(lines.recv().await) }, async {
            Event::Read(read_some(stream, input, buf, meta).await)
        })
        .await;
        match event {
            Event::Read(r) => break r,
            Event::Line(Some(line)) => {
                if write_all(stream, &line).await.is_err() {
                    break Ok(0);
                }
            }
            Event::Line(None) => break read_some(stream, input, buf, meta).await,
        }
    };
    client.monitor = Some(lines);
    result
}

/// The read, execute, write loop.
async fn run(client: &mut Client, stream: &mut TcpStream, input: Option<&Registration>) {
    let shard = client.shard.clone();
    let mut rbuf = BytesMut::with_capacity(READ_ROOM);
    let mut peak = Peak::new(shard.now());
    let mut parser = RequestParser::default();
    let mut pipe = Pipeline::new(shard.shared.shards);
    let mut args = Vec::with_capacity(8);
    loop {
        // The last request's arguments are slices of the query buffer: let
        // go of them, so that the buffer is the read's alone and its space
        // can be reused instead of copied into a new one.
        args.clear();
        let n = next_read(client, stream, input, &mut rbuf).await.unwrap_or_default();
        if n == 0 || client.meta.borrow().killed {
            return;
        }
        client.meta.borrow_mut().last_interaction = shard.tick();
        peak.note(rbuf.len());
        {
            let mut stats = shard.stats.borrow_mut();
            stats.net_input_bytes += n as u64;
            stats.reads_processed += 1;
        }
        let settings = shard.settings();
        if rbuf.len() > settings.client_query_buffer_limit {
            crate::warning!("Closing client that reached max query buffer length");
            return;
        }
        loop {
            let limits = Limits { max_bulk: settings.proto_max_bulk_len, unauthenticated: !client.authenticated };
            match parser.parse(&mut rbuf, &mut args, limits) {
                Ok(true) => {
                    if args.is_empty() {
                        continue;
                    }
                    pipe.process(client, &mut args).await;
                    if client.close_after_reply {
                        break;
                    }
                }
                Ok(false) => break,
                Err(e) => {
                    pipe.flush(client).await;
                    let addr = client.meta.borrow().addr.clone();
                    crate::verbose!("Protocol error ({}) from client: id={} addr={}", e.0, client.id, addr);
                    crate::resp::Reply::err(e.0).encode(&mut pipe.out, client.resp3);
                    client.close_after_reply = true;
                    break;
                }
            }
        }
        pipe.flush(client).await;
        if !pipe.out.is_empty() {
            // This turn's records go to the AOF writer now, and the
            // replies wait until they are written (with appendfsync
            // always: on disk), as Redis writes its AOF buffer before its
            // replies.
            if shard.feed.active() {
                shard.feed.hand_over();
            }
            if crate::aof::enabled() {
                crate::aof::durable().await;
            }
            // Let the other connections woken in this turn run their
            // requests first, and write afterwards: replies then leave in a
            // burst, as Redis writes them before it sleeps, and a client
            // holding many connections is woken once for several instead
            // of once per reply (each wake-up of a sleeping client costs
            // an interrupt to its CPU).
            futures_lite::future::yield_now().await;
            {
                let mut stats = shard.stats.borrow_mut();
                stats.net_output_bytes += pipe.out.len() as u64;
                stats.writes_processed += 1;
            }
            if write_all(stream, &pipe.out).await.is_err() {
                return;
            }
            pipe.out.clear();
        }
        if client.close_after_reply {
            return;
        }
        peak.trim(&mut rbuf, shard.now());
        make_room(&mut rbuf);
        {
            let mut m = client.meta.borrow_mut();
            m.qbuf = rbuf.len();
            m.qbuf_alloc = rbuf.capacity();
        }
    }
}
