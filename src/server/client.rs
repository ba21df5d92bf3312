//! A client connection's state: what commands see (`Client`), and the
//! per-core registry of clients behind CLIENT LIST / KILL and the idle
//! timeout.

use super::settings::Settings;
use super::shard::Shard;
use bytes::Bytes;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Instant;

/// What other code (CLIENT LIST, KILL, timeouts) needs to see of a client.
pub struct ClientMeta {
    pub id: u64,
    pub addr: String,
    pub laddr: String,
    pub fd: i32,
    pub name: Option<Bytes>,
    pub db: usize,
    pub created: Instant,
    /// Unix time in ms of the last read (the shard's batch time).
    pub last_interaction: u64,
    pub last_cmd: &'static str,
    /// Bytes in the query buffer, and what it has allocated (its free
    /// space is the difference).
    pub qbuf: usize,
    pub qbuf_alloc: usize,
    /// Wakes the connection to give its query buffer's free space back.
    pub nudge: Option<super::ready::Nudge>,
    pub resp: u8,
    /// CLIENT NO-EVICT.
    pub no_evict: bool,
    /// The client ran MONITOR.
    pub monitor: bool,
    /// Set when the client is to be closed (CLIENT KILL, timeout).
    pub killed: bool,
    /// The wait of a blocking command (BLPOP ...) in progress.
    pub blocked: Option<super::blocking::BlockedOn>,
}

impl ClientMeta {
    /// What Clover counts for the connection (CLIENT LIST's tot-mem, INFO's
    /// clients memory): its query buffer's allocation plus a reply buffer.
    pub fn memory(&self) -> u64 {
        self.qbuf_alloc.max(self.qbuf) as u64 + 16384
    }

    /// The CLIENT LIST / CLIENT INFO line.
    pub fn line(&self) -> String {
        let now = Instant::now();
        let name = self.name.as_ref().map(|n| String::from_utf8_lossy(n).into_owned()).unwrap_or_default();
        // In Redis's order; N when there is none.
        let mut flags = String::new();
        for (on, f) in [(self.monitor, 'O'), (self.blocked.is_some(), 'b'), (self.no_evict, 'e')] {
            if on {
                flags.push(f);
            }
        }
        if flags.is_empty() {
            flags.push('N');
        }
        format!(
            "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub=0 psub=0 ssub=0 multi=-1 \
             qbuf={} qbuf-free={} argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=0 oll=0 omem=0 tot-mem={} \
             events=r cmd={} user=default redir=-1 resp={}",
            self.id,
            self.addr,
            self.laddr,
            self.fd,
            name,
            now.duration_since(self.created).as_secs(),
            crate::shard::expire::now_ms().saturating_sub(self.last_interaction) / 1000,
            flags,
            self.db,
            self.qbuf,
            self.qbuf_alloc.saturating_sub(self.qbuf),
            self.memory(),
            if self.last_cmd.is_empty() { "NULL" } else { self.last_cmd },
            self.resp,
        )
    }

    /// Closes the connection from outside its task: the pending read ends.
    pub fn kill(&mut self) {
        self.killed = true;
        // SAFETY: shutdown(2) on the connection's own descriptor; the task
        // owning it notices the end of input and closes it.
        unsafe {
            libc::shutdown(self.fd, libc::SHUT_RDWR);
        }
    }
}

/// The clients connected through one core.
#[derive(Default)]
pub struct Registry {
    pub clients: BTreeMap<u64, Rc<RefCell<ClientMeta>>>,
    /// Clients whose command waits (CLIENT PAUSE, blocking commands):
    /// INFO's blocked_clients.
    pub blocked: usize,
    /// Clients of a blocking command with a timeout: INFO's
    /// clients_in_timeout_table.
    pub blocked_with_timeout: usize,
}

impl Registry {
    /// Closes clients idle for longer than the `timeout` directive, and
    /// asks those idle for a while to give their query buffer's free space
    /// back.
    pub fn cron(&self, settings: &Settings) {
        let now = crate::shard::expire::now_ms();
        for c in self.clients.values() {
            let mut c = c.borrow_mut();
            let idle = now.saturating_sub(c.last_interaction) / 1000;
            if settings.timeout != 0 && idle > settings.timeout {
                c.kill();
            } else if idle > super::querybuf::IDLE_SECS && super::querybuf::wasteful(c.qbuf, c.qbuf_alloc) {
                if let Some(nudge) = &c.nudge {
                    nudge.wake();
                }
            }
        }
    }
}

/// How the server answers this client (CLIENT REPLY).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ReplyMode {
    On,
    Off,
    /// Skip the reply of the next command only.
    SkipNext,
    /// Skipping this command's reply.
    Skip,
}

/// A connection's state as commands see it.
pub struct Client {
    pub shard: Rc<Shard>,
    pub meta: Rc<RefCell<ClientMeta>>,
    pub id: u64,
    pub db: usize,
    pub resp3: bool,
    pub authenticated: bool,
    /// Close the connection once the pending replies are written (QUIT,
    /// protocol errors).
    pub close_after_reply: bool,
    pub reply_mode: ReplyMode,
    /// Commands queued since MULTI.
    pub multi: Option<super::multi::Multi>,
    /// Lines for this client when it is a MONITOR.
    pub monitor: Option<glommio::channels::local_channel::LocalReceiver<bytes::Bytes>>,
}

impl Client {
    pub fn new(shard: Rc<Shard>, meta: Rc<RefCell<ClientMeta>>) -> Client {
        let id = meta.borrow().id;
        let authenticated = shard.settings.borrow().requirepass.is_none();
        Client {
            shard,
            meta,
            id,
            db: 0,
            resp3: false,
            authenticated,
            close_after_reply: false,
            reply_mode: ReplyMode::On,
            multi: None,
            monitor: None,
        }
    }

    /// Selects database `db` (checked by the caller).
    pub fn select(&mut self, db: usize) {
        self.db = db;
        self.meta.borrow_mut().db = db;
    }
}
